//! The exact JSON view of hand-built messages, and back.
#![cfg(feature = "serde")]

use mm7_model::{
    Address, ContentClass, ContentRef, DateTime, DeliveryReportReq, Duration, Envelope,
    FaultDetail, Message, MessageClass, MmStatus, Namespace, Part, Priority, RelativeOrAbsolute,
    ReplyCharging, SchemaId, SenderIdentification, SoapFault, Status, StatusCode, SubmitReq,
    SubmitRsp,
};
use serde_json::json;

fn submit_envelope() -> Envelope {
    let mut req = SubmitReq::default();
    req.mm7_version = "6.8.0".into();
    req.sender_identification = Some(SenderIdentification {
        vasp_id: Some("TNN".into()),
        vas_id: Some("News".into()),
        sender_address: Some(Address::short_code("63901")),
    });
    req.recipients = mm7_model::Recipients {
        to: vec![Address::number("15551234567")],
        cc: vec![Address::rfc2822("a@example.com").with_display_only(true)],
        bcc: vec![],
    };
    req.message_class = Some(MessageClass::Informational);
    req.time_stamp = Some(DateTime::parse("2020-01-02T09:30:47-05:00").unwrap());
    req.reply_charging = Some(ReplyCharging {
        reply_charging_size: Some(2048),
        reply_deadline: Some(RelativeOrAbsolute::parse("P2D").unwrap()),
    });
    req.expiry_date = Some(Duration::days(1).into());
    req.delivery_report = Some(true);
    req.priority = Some(Priority::Normal);
    req.subject = Some("News for today".into());
    req.distribution_indicator = Some(false);
    req.content_class = Some(ContentClass::ImageBasic);
    req.content = Some(ContentRef {
        href: "cid:SaturnPics-01020930@news.tnn.com".into(),
        allow_adaptations: Some(true),
    });
    Envelope {
        transaction_id: "vas00001-sub".into(),
        namespace: Namespace::canonical(SchemaId::Rel6Mm7_1_4),
        message: req.into(),
        attachments: vec![
            Part::multipart(
                "multipart/mixed",
                vec![
                    Part::text("Science news"),
                    Part::new("image/gif", &b"GIF87a\x00\x01"[..]).with_content_id("saturn.gif"),
                ],
            )
            .with_content_id("SaturnPics-01020930@news.tnn.com"),
        ],
    }
}

#[test]
fn submit_req_json_view() {
    let env = submit_envelope();
    let want = json!({
        "TransactionID": "vas00001-sub",
        "Namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        "SubmitReq": {
            "MM7Version": "6.8.0",
            "SenderIdentification": {
                "VASPID": "TNN",
                "VASID": "News",
                "SenderAddress": {"ShortCode": "63901"}
            },
            "Recipients": {
                "To": [{"Number": "15551234567"}],
                "Cc": [{"RFC2822Address": "a@example.com", "displayOnly": true}]
            },
            "MessageClass": "Informational",
            "TimeStamp": "2020-01-02T09:30:47-05:00",
            "ReplyCharging": {"replyChargingSize": 2048, "replyDeadline": "P2D"},
            "ExpiryDate": "P1D",
            "DeliveryReport": true,
            "Priority": "Normal",
            "Subject": "News for today",
            "DistributionIndicator": false,
            "ContentClass": "image-basic",
            "Content": {"href": "cid:SaturnPics-01020930@news.tnn.com", "allowAdaptations": true}
        },
        "Attachments": [{
            "ContentType": "multipart/mixed",
            "ContentID": "SaturnPics-01020930@news.tnn.com",
            "Parts": [
                {"ContentType": "text/plain; charset=utf-8", "Text": "Science news"},
                {"ContentType": "image/gif", "ContentID": "saturn.gif", "Base64": "R0lGODdhAAE="}
            ]
        }]
    });
    assert_eq!(serde_json::to_value(&env).unwrap(), want);
    let back: Envelope = serde_json::from_value(want).unwrap();
    assert_eq!(back, env);
}

#[test]
fn delivery_report_req_json_text_in_schema_order() {
    let mut dr = DeliveryReportReq::new(
        "5.3.0",
        "369500617770864640",
        Address::number("16175550123"),
        Address::number("111122"),
        DateTime::parse("2015-03-16T14:03:51.749Z").unwrap(),
        MmStatus::Retrieved,
    );
    dr.status_text = Some("Success".into());
    let text = serde_json::to_string(&Message::from(dr.clone())).unwrap();
    assert_eq!(
        text,
        concat!(
            r#"{"DeliveryReportReq":{"MM7Version":"5.3.0","MessageID":"369500617770864640","#,
            r#""Recipient":{"Number":"16175550123"},"Sender":{"Number":"111122"},"#,
            r#""Date":"2015-03-16T14:03:51.749Z","MMStatus":"Retrieved","StatusText":"Success"}}"#
        )
    );
    let back: Message = serde_json::from_str(&text).unwrap();
    assert_eq!(back, Message::from(dr));
}

#[test]
fn unknown_values_survive_json() {
    let text = r#"{"MM7Version":"6.8.0","MessageID":"1","Recipient":{"Number":"1"},
        "Sender":{"ShortCode":"2"},"Date":"2015-03-16T14:03:51Z","MMStatus":"Unrecognized"}"#;
    let dr: DeliveryReportReq = serde_json::from_str(text).unwrap();
    assert_eq!(dr.mm_status, MmStatus::Other("Unrecognized".into()));
    assert_eq!(
        serde_json::to_value(&dr).unwrap()["MMStatus"],
        json!("Unrecognized")
    );
}

#[test]
fn status_code_is_a_number_and_vendor_codes_survive() {
    let rsp = SubmitRsp::new("5.3.0", Status::new(StatusCode::new(5000), "Vendor"));
    let v = serde_json::to_value(&rsp).unwrap();
    assert_eq!(
        v,
        json!({"MM7Version": "5.3.0", "Status": {"StatusCode": 5000, "StatusText": "Vendor"}})
    );
    let back: SubmitRsp = serde_json::from_value(v).unwrap();
    assert_eq!(back.status.code.get(), 5000);
    let bad = json!({"MM7Version": "5.3.0", "Status": {"StatusCode": "1000"}});
    assert!(serde_json::from_value::<SubmitRsp>(bad).is_err());
}

#[test]
fn fault_json_view() {
    let fault = SoapFault::rs_error("6.8.0", Status::from_code(StatusCode::ADDRESS_ERROR));
    let v = serde_json::to_value(Message::from(fault.clone())).unwrap();
    assert_eq!(
        v,
        json!({"Fault": {
            "faultcode": "Client",
            "faultstring": "Address Error",
            "detail": {"RSErrorRsp": {
                "MM7Version": "6.8.0",
                "Status": {"StatusCode": 2002, "StatusText": "Address Error"}
            }}
        }})
    );
    let back: Message = serde_json::from_value(v).unwrap();
    assert!(matches!(
        back,
        Message::Fault(SoapFault {
            detail: Some(FaultDetail::RsErrorRsp(_)),
            ..
        })
    ));
}

#[test]
fn malformed_json_is_refused() {
    let cases = [
        // Two address kinds in one address.
        json!({"Number": "1", "ShortCode": "2"}),
        // No address kind.
        json!({"displayOnly": true}),
        // Unknown key.
        json!({"Number": "1", "display": true}),
        // Boolean attribute as string.
        json!({"Number": "1", "displayOnly": "true"}),
    ];
    for c in cases {
        assert!(serde_json::from_value::<Address>(c.clone()).is_err(), "{c}");
    }
    let bad_parts = [
        json!({"ContentType": "text/plain"}),
        json!({"ContentType": "text/plain", "Text": "a", "Base64": "YQ=="}),
        json!({"ContentType": "image/gif", "Base64": "R0l!"}),
        json!({"Text": "a"}),
    ];
    for c in bad_parts {
        assert!(serde_json::from_value::<Part>(c.clone()).is_err(), "{c}");
    }
    let bad_env = json!({
        "TransactionID": "t",
        "Namespace": "http://example.com/not-mm7",
        "SubmitRsp": {"MM7Version": "6.8.0", "Status": {"StatusCode": 1000, "StatusText": "ok"}}
    });
    assert!(serde_json::from_value::<Envelope>(bad_env).is_err());
    let bad_date = json!({"MM7Version": "5.3.0", "MessageID": "1", "Recipient": {"Number": "1"},
        "Sender": {"Number": "2"}, "Date": "2015-02-30T00:00:00Z", "MMStatus": "Retrieved"});
    let err = serde_json::from_value::<DeliveryReportReq>(bad_date).unwrap_err();
    assert!(err.to_string().contains("day out of range"), "{err}");
}

#[test]
fn lenient_namespace_is_kept_as_received() {
    let v = json!({
        "TransactionID": "t",
        "Namespace": "https://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-5-MM7-1-3/",
        "SubmitRsp": {"MM7Version": "5.3.0", "Status": {"StatusCode": 1000, "StatusText": "ok"}}
    });
    let env: Envelope = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(env.schema(), SchemaId::Rel5Mm7_1_3);
    assert_eq!(serde_json::to_value(&env).unwrap(), v);
}

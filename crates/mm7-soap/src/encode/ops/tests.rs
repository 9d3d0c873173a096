use super::*;
use mm7_model::{FaultDetail, MessageElements};

#[test]
fn numbers() {
    let mut buf = [0u8; 20];
    assert_eq!(u64_text(0, &mut buf), "0");
    assert_eq!(u64_text(1000, &mut buf), "1000");
    assert_eq!(u64_text(u64::MAX, &mut buf), "18446744073709551615");
}

#[test]
fn well_formed_content() {
    for ok in [
        "",
        "plain text",
        "<a>b</a> and <c d=\"e &amp; f\"/>",
        "x &lt; y &#65;",
        "<p:q xmlns:p=\"urn:p\">1</p:q>",
        "<![CDATA[a < b ]]>",
    ] {
        assert!(is_well_formed_content(ok), "{ok:?}");
    }
    for bad in [
        "a & b",
        "a < b",
        "<a>",
        "</d><d>",
        "<p:q>undeclared prefix</p:q>",
        "&nbsp;",
        "<a b=\"&bogus;\"/>",
        "x ]]> y",
        "<!DOCTYPE d>",
        "bell \u{7}",
    ] {
        assert!(!is_well_formed_content(bad), "{bad:?}");
    }
}

#[test]
fn content_is_raw_or_escaped() {
    let mut w = XmlWriter::new();
    w.start("Details");
    write_any_content(&mut w, "<why>quota</why>");
    w.end();
    w.start("Details");
    write_any_content(&mut w, "a < b & c");
    w.end();
    assert_eq!(
        w.finish(),
        "<Details><why>quota</why></Details><Details>a &lt; b &amp; c</Details>"
    );
}

use mm7_model::messages::common::{
    AdditionalInformation, DeliveryCondition, ExtraDataElement, MessageExtraData,
    PreferredChannels, ReplyCharging,
};
use mm7_model::{
    AddressCoding, ChargedParty, ContentClass, ContentRef, DateTime, DeliveryReportRsp, Duration,
    Envelope, ExtendedCancelRsp, Message, MessageClass, Namespace, Priority, RelativeOrAbsolute,
    RsErrorRsp, SoapFault, StatusCode, SubmitReq,
};

use crate::{EncodeOptions, PrefixStyle, encode_xml, encode_xml_with_warnings};

const NS6: &str = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4";
const ENV: &str = "http://schemas.xmlsoap.org/soap/envelope/";

fn envelope(schema: SchemaId, message: impl Into<Message>) -> Envelope {
    Envelope::new("tx-1", Namespace::canonical(schema), message)
}

fn prefixed(env: &str) -> EncodeOptions {
    EncodeOptions {
        prefix_style: PrefixStyle::Prefixed("mm7".into()),
        envelope_prefix: env.into(),
        ..EncodeOptions::default()
    }
}

/// The local names of the children of the first element named `parent`.
fn children_of(xml: &str, parent: &str) -> Vec<String> {
    let mut reader = XmlReader::new(xml, XmlLimits::default());
    let mut names = Vec::new();
    let mut depth = None;
    loop {
        match reader.next_event() {
            Ok(Event::Start(e)) => match depth {
                None if e.local == parent => depth = Some(reader.depth()),
                Some(d) if reader.depth() == d + 1 => names.push(e.local.to_string()),
                _ => {}
            },
            Ok(Event::End(_)) => {
                if depth.is_some_and(|d| reader.depth() < d) {
                    return names;
                }
            }
            Ok(Event::Text(_)) => {}
            Ok(Event::Eof) => return names,
            Err(e) => panic!("not well-formed: {e}\n{xml}"),
        }
    }
}

fn date(text: &str) -> DateTime {
    DateTime::parse(text).expect("a valid date")
}

/// A SubmitReq with every element Vibes documents for 6.8.0 set.
fn vibes_submit_req() -> SubmitReq {
    {
        let mut msg_ = SubmitReq::default();
        msg_.mm7_version = "6.8.0".into();
        msg_.sender_identification = Some(mm7_model::SenderIdentification {
            vasp_id: Some("TNN".into()),
            vas_id: Some("News".into()),
            sender_address: Some(Address::short_code("63901")),
        });
        msg_.recipients = Recipients {
            to: vec![Address::number("15551234567")],
            cc: vec![Address::rfc2822("a@example.com").with_display_only(true)],
            bcc: vec![
                Address::number("15557654321").with_address_coding(AddressCoding::Obfuscated),
            ],
        };
        msg_.service_code = Some("gold-sp33-im42".into());
        msg_.linked_id = Some("mms00016666".into());
        msg_.message_class = Some(MessageClass::Informational);
        msg_.time_stamp = Some(date("2002-01-02T09:30:47-05:00"));
        msg_.reply_charging = Some(ReplyCharging {
            reply_charging_size: Some(1024),
            reply_deadline: Some(RelativeOrAbsolute::Relative(Duration::days(2))),
        });
        msg_.earliest_delivery_time =
            Some(RelativeOrAbsolute::Absolute(date("2002-01-02T09:30:47Z")));
        msg_.expiry_date = Some(RelativeOrAbsolute::Relative(Duration::days(1)));
        msg_.delivery_report = Some(true);
        msg_.read_reply = Some(false);
        msg_.priority = Some(Priority::Normal);
        msg_.subject = Some("News for today".into());
        msg_.charged_party = Some(ChargedParty::Sender);
        msg_.charged_party_id = Some("acct-1".into());
        msg_.distribution_indicator = Some(true);
        msg_.delivery_condition = Some(DeliveryCondition { dc: vec![1, 2] });
        msg_.applic_id = Some("com.example.app".into());
        msg_.reply_applic_id = Some("com.example.reply".into());
        msg_.aux_applic_info = Some("aux".into());
        msg_.content_class = Some(ContentClass::ImageRich);
        msg_.drm_content = Some(false);
        msg_.content = Some(ContentRef {
            href: "cid:SaturnPics-01020930@news.tnn.com".into(),
            allow_adaptations: Some(true),
        });
        msg_
    }
}

#[test]
fn submit_req_children_follow_vibes_6_8_0_order() {
    let xml = encode_xml(
        &envelope(SchemaId::Rel6Mm7_1_4, vibes_submit_req()),
        &EncodeOptions::default(),
    )
    .expect("encodes");
    let vibes = [
        "MM7Version",
        "SenderIdentification",
        "Recipients",
        "ServiceCode",
        "LinkedID",
        "MessageClass",
        "TimeStamp",
        "ReplyCharging",
        "EarliestDeliveryTime",
        "ExpiryDate",
        "DeliveryReport",
        "ReadReply",
        "Priority",
        "Subject",
        "ChargedParty",
        "ChargedPartyID",
        "DistributionIndicator",
        "DeliveryCondition",
        "ApplicID",
        "ReplyApplicID",
        "AuxApplicInfo",
        "ContentClass",
        "DRMContent",
        "Content",
    ];
    assert_eq!(children_of(&xml, "SubmitReq"), vibes);
    assert_eq!(
        children_of(&xml, "SenderIdentification"),
        ["VASPID", "VASID", "SenderAddress"]
    );
    assert_eq!(children_of(&xml, "Recipients"), ["To", "Cc", "Bcc"]);

    // The elements only a REL-6-MM7-1-4 transcription has go where the model's table puts
    // them; Vibes' elements keep their order around them.
    let mut full = vibes_submit_req();
    full.preferred_channels = Some(PreferredChannels {
        deliver_using: vec![mm7_model::Channel::Mms],
    });
    full.third_party_payer = Some(Address::number("15550000000"));
    full.additional_information = vec![AdditionalInformation {
        href: "cid:extra".into(),
    }];
    full.message_extra_data = Some(MessageExtraData {
        elements: vec![ExtraDataElement {
            key: "k".into(),
            value: "v".into(),
        }],
    });
    let xml = encode_xml(
        &envelope(SchemaId::Rel6Mm7_1_4, full),
        &EncodeOptions::default(),
    )
    .expect("encodes");
    let got = children_of(&xml, "SubmitReq");
    let table: Vec<_> = Operation::SubmitReq
        .elements()
        .iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(got, table);
    let kept: Vec<_> = got.iter().filter(|n| vibes.contains(&n.as_str())).collect();
    assert_eq!(kept, vibes);
}

#[test]
fn rel5_lacks_applic_id() {
    let mut req = vibes_submit_req();
    req.retain_schema(SchemaId::Rel5Mm7_1_2);
    req.recipients.bcc.clear(); // addressCoding is REL-6
    req.applic_id = Some("com.example.app".into());
    let env = envelope(SchemaId::Rel5Mm7_1_2, req);

    let err = encode_xml(&env, &EncodeOptions::default()).expect_err("ApplicID is REL-6");
    assert_eq!(
        err,
        EncodeError::NotInSchema {
            operation: "SubmitReq",
            element: "ApplicID",
            schema: "REL-5-MM7-1-2",
            since: "REL-6-MM7-1-2",
        }
    );

    let options = EncodeOptions {
        drop_undefined: true,
        ..EncodeOptions::default()
    };
    let (xml, warnings) = encode_xml_with_warnings(&env, &options).expect("dropped");
    assert!(!xml.contains("ApplicID"), "{xml}");
    assert_eq!(
        warnings,
        [Warning::Dropped {
            operation: "SubmitReq",
            element: "ApplicID",
            schema: "REL-5-MM7-1-2",
        }]
    );
    assert_eq!(
        children_of(&xml, "SubmitReq").last().map(String::as_str),
        Some("Content"),
        "the rest is still written"
    );
}

#[test]
fn address_coding_only_where_defined() {
    let mut req = vibes_submit_req();
    req.retain_schema(SchemaId::Rel5Mm7_1_0);
    let env = envelope(SchemaId::Rel5Mm7_1_0, req.clone());
    let err = encode_xml(&env, &EncodeOptions::default()).expect_err("addressCoding is REL-6");
    assert!(
        matches!(
            err,
            EncodeError::NotInSchema {
                element: "@addressCoding",
                since: "REL-6-MM7-1-0",
                ..
            }
        ),
        "{err:?}"
    );
    let options = EncodeOptions {
        drop_undefined: true,
        ..EncodeOptions::default()
    };
    let (xml, warnings) = encode_xml_with_warnings(&env, &options).expect("dropped");
    assert!(
        xml.contains("<Bcc><Number>15557654321</Number></Bcc>"),
        "{xml}"
    );
    assert_eq!(warnings.len(), 1);

    let xml = encode_xml(
        &envelope(SchemaId::Rel6Mm7_1_0, req),
        &EncodeOptions::default(),
    )
    .expect("REL-6");
    assert!(
        xml.contains(r#"<Bcc><Number addressCoding="obfuscated">15557654321</Number></Bcc>"#),
        "{xml}"
    );
    assert!(
        xml.contains(
            r#"<Cc><RFC2822Address displayOnly="true">a@example.com</RFC2822Address></Cc>"#
        )
    );
}

#[test]
fn attributes_of_reply_charging_and_content() {
    let xml = encode_xml(
        &envelope(SchemaId::Rel6Mm7_1_4, vibes_submit_req()),
        &EncodeOptions::default(),
    )
    .expect("encodes");
    assert!(
        xml.contains(r#"<ReplyCharging replyChargingSize="1024" replyDeadline="P2D"/>"#),
        "{xml}"
    );
    assert!(xml.contains(
        r#"<Content href="cid:SaturnPics-01020930@news.tnn.com" allowAdaptations="true"/>"#
    ));
    assert!(xml.contains("<DeliveryCondition><DC>1</DC><DC>2</DC></DeliveryCondition>"));
    assert!(xml.contains("<DeliveryReport>true</DeliveryReport><ReadReply>false</ReadReply>"));
}

#[test]
fn text_and_attributes_are_escaped() {
    let mut req = vibes_submit_req();
    req.subject = Some(r#"Fish & "chips" <today>"#.into());
    req.content = Some(ContentRef {
        href: r#"cid:a"b&c<d>"#.into(),
        allow_adaptations: None,
    });
    let xml = encode_xml(
        &envelope(SchemaId::Rel6Mm7_1_4, req),
        &EncodeOptions::default(),
    )
    .expect("encodes");
    assert!(
        xml.contains(r#"<Subject>Fish &amp; "chips" &lt;today&gt;</Subject>"#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<Content href="cid:a&quot;b&amp;c&lt;d&gt;"/>"#),
        "{xml}"
    );
}

#[test]
fn required_elements_must_be_there() {
    let mut req = vibes_submit_req();
    req.recipients = Recipients::default();
    let err = encode_xml(
        &envelope(SchemaId::Rel6Mm7_1_4, req),
        &EncodeOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        err,
        EncodeError::MissingElement {
            operation: "SubmitReq",
            element: "Recipients",
        }
    );
    let mut rsp = DeliveryReportRsp::success("6.8.0");
    rsp.status.text = None;
    let err = encode_xml(
        &envelope(SchemaId::Rel6Mm7_1_4, rsp),
        &EncodeOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        err,
        EncodeError::MissingElement {
            operation: "DeliveryReportRsp",
            element: "Status/StatusText",
        }
    );
}

#[test]
fn delivery_report_rsp_default_namespace_exact() {
    let env = envelope(SchemaId::Rel6Mm7_1_4, DeliveryReportRsp::success("6.8.0"));
    let xml = encode_xml(&env, &EncodeOptions::default()).expect("encodes");
    let expected = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<env:Envelope xmlns:env=\"{ENV}\"><env:Header>\
<TransactionID xmlns=\"{NS6}\" env:mustUnderstand=\"1\">tx-1</TransactionID>\
</env:Header><env:Body>\
<DeliveryReportRsp xmlns=\"{NS6}\"><MM7Version>6.8.0</MM7Version>\
<Status><StatusCode>1000</StatusCode><StatusText>Success</StatusText></Status>\
</DeliveryReportRsp></env:Body></env:Envelope>"
    );
    assert_eq!(xml, expected);
}

#[test]
fn delivery_report_rsp_prefixed_exact() {
    let env = envelope(SchemaId::Rel6Mm7_1_4, DeliveryReportRsp::success("6.8.0"));
    let xml = encode_xml(&env, &prefixed("soapenv")).expect("encodes");
    let expected = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<soapenv:Envelope xmlns:soapenv=\"{ENV}\"><soapenv:Header>\
<mm7:TransactionID xmlns:mm7=\"{NS6}\" soapenv:mustUnderstand=\"1\">tx-1</mm7:TransactionID>\
</soapenv:Header><soapenv:Body>\
<mm7:DeliveryReportRsp xmlns:mm7=\"{NS6}\"><mm7:MM7Version>6.8.0</mm7:MM7Version>\
<mm7:Status><mm7:StatusCode>1000</mm7:StatusCode><mm7:StatusText>Success</mm7:StatusText></mm7:Status>\
</mm7:DeliveryReportRsp></soapenv:Body></soapenv:Envelope>"
    );
    assert_eq!(xml, expected);
}

#[test]
fn transaction_id_must_understand() {
    let env = envelope(SchemaId::Rel5Mm7_1_3, DeliveryReportRsp::success("5.3.0"));
    for options in [EncodeOptions::default(), prefixed("S")] {
        let xml = encode_xml(&env, &options).expect("encodes");
        let mut reader = XmlReader::new(&xml, XmlLimits::default());
        let found = loop {
            match reader.next_event().expect("well-formed") {
                Event::Start(e) if e.local == "TransactionID" => {
                    let mu = reader.attribute("mustUnderstand").expect("mustUnderstand");
                    break (reader.namespace_of(mu.prefix), mu.raw_value, e.namespace);
                }
                Event::Eof => panic!("no TransactionID"),
                _ => {}
            }
        };
        assert_eq!(
            found,
            (Some(ENV), "1", Some(SchemaId::Rel5Mm7_1_3.namespace()))
        );
    }
}

#[test]
fn fault_exact() {
    let fault = SoapFault::rs_error("6.8.0", Status::from_code(StatusCode::ADDRESS_ERROR));
    let xml = encode_xml(
        &envelope(SchemaId::Rel6Mm7_1_4, fault.clone()),
        &EncodeOptions::default(),
    )
    .expect("encodes");
    let body = xml
        .split_once("<env:Body>")
        .map(|(_, b)| b)
        .unwrap_or_default();
    assert_eq!(
        body,
        format!(
            "<env:Fault><faultcode>env:Client</faultcode><faultstring>Address Error</faultstring>\
<detail><RSErrorRsp xmlns=\"{NS6}\"><MM7Version>6.8.0</MM7Version><Status>\
<StatusCode>2002</StatusCode><StatusText>Address Error</StatusText></Status></RSErrorRsp>\
</detail></env:Fault></env:Body></env:Envelope>"
        )
    );

    let mut vasp = SoapFault::vasp_error("5.3.0", Status::from_code(StatusCode::SERVER_ERROR));
    vasp.faultactor = Some("http://vasp.example.com/mm7".into());
    let xml = encode_xml(
        &envelope(SchemaId::Rel5Mm7_1_0, vasp),
        &prefixed("SOAP-ENV"),
    )
    .expect("encodes");
    let body = xml
        .split_once("<SOAP-ENV:Body>")
        .map(|(_, b)| b)
        .unwrap_or_default();
    assert_eq!(
        body,
        format!(
            "<SOAP-ENV:Fault><faultcode>SOAP-ENV:Server</faultcode><faultstring>Server Error</faultstring>\
<faultactor>http://vasp.example.com/mm7</faultactor><detail>\
<mm7:VASPErrorRsp xmlns:mm7=\"{}\"><mm7:MM7Version>5.3.0</mm7:MM7Version><mm7:Status>\
<mm7:StatusCode>3000</mm7:StatusCode><mm7:StatusText>Server Error</mm7:StatusText></mm7:Status>\
</mm7:VASPErrorRsp></detail></SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>",
            SchemaId::Rel5Mm7_1_0.namespace()
        )
    );
}

#[test]
fn fault_codes_and_other_details() {
    let mut fault = SoapFault::rs_error("6.8.0", Status::from_code(StatusCode::SERVER_ERROR));
    let encode = |f: &SoapFault| {
        encode_xml(
            &envelope(SchemaId::Rel6Mm7_1_4, f.clone()),
            &EncodeOptions::default(),
        )
    };

    fault.faultcode = "env:Server.Busy".into();
    assert!(
        encode(&fault)
            .unwrap()
            .contains("<faultcode>env:Server.Busy</faultcode>")
    );
    // Another prefix keeps its text and is bound to the envelope namespace where it is used.
    fault.faultcode = "soap:Client".into();
    assert!(encode(&fault).unwrap().contains(&format!(
        "<faultcode xmlns:soap=\"{ENV}\">soap:Client</faultcode>"
    )));
    for bad in ["", "a b", "x:y:z", "xmlns:Client", ":Client"] {
        fault.faultcode = bad.into();
        assert!(encode(&fault).is_err(), "{bad:?}");
    }
    // A code in a namespace of its own is bound on the element; a namespace the declaration
    // would have to escape (the decoder reads none with references) is refused, not written
    // as one that cannot be read back.
    fault.faultcode = "{urn:vendor faults}Busy".into();
    assert!(
        encode(&fault)
            .unwrap()
            .contains("<faultcode xmlns:fc=\"urn:vendor faults\">fc:Busy</faultcode>")
    );
    for bad in [
        "{urn:vendor\tfaults}Busy",
        "{urn:vendor\nfaults}Busy",
        "{urn:a&b}Busy",
        "{urn:\"q\"}Busy",
        "{ }Busy",
    ] {
        fault.faultcode = bad.into();
        assert!(encode(&fault).is_err(), "{bad:?}");
    }

    fault.faultcode = "Server".into();
    fault.detail = Some(FaultDetail::Other("<reason>busy</reason>".into()));
    assert!(
        encode(&fault)
            .unwrap()
            .contains("<detail><reason>busy</reason></detail>")
    );
    fault.detail = Some(FaultDetail::Other("load > 100% & rising".into()));
    assert!(
        encode(&fault)
            .unwrap()
            .contains("<detail>load &gt; 100% &amp; rising</detail>")
    );
}

#[test]
fn status_details_raw_or_escaped() {
    let mut rsp = RsErrorRsp::new("6.8.0", Status::from_code(StatusCode::VALIDATION_ERROR));
    rsp.status.details = Some("<Missing>Recipients</Missing>".into());
    let xml = encode_xml(
        &envelope(SchemaId::Rel6Mm7_1_4, rsp.clone()),
        &prefixed("env"),
    )
    .expect("encodes");
    assert!(
        xml.contains("<mm7:Details><Missing>Recipients</Missing></mm7:Details>"),
        "{xml}"
    );
    rsp.status.details = Some("a <b".into());
    let xml = encode_xml(
        &envelope(SchemaId::Rel6Mm7_1_4, rsp),
        &EncodeOptions::default(),
    )
    .expect("encodes");
    assert!(xml.contains("<Details>a &lt;b</Details>"), "{xml}");
}

#[test]
fn extended_status_is_a_code_only() {
    let env = envelope(SchemaId::Rel6Mm7_1_4, ExtendedCancelRsp::success("6.8.0"));
    let (xml, warnings) =
        encode_xml_with_warnings(&env, &EncodeOptions::default()).expect("encodes");
    assert!(
        xml.contains("<Status><StatusCode>1000</StatusCode></Status>"),
        "{xml}"
    );
    assert_eq!(
        warnings,
        [Warning::Dropped {
            operation: "extendedCancelRsp",
            element: "Status/StatusText",
            schema: "REL-6-MM7-1-4",
        }]
    );
}

#[test]
fn operations_a_schema_lacks_are_refused() {
    let env = envelope(SchemaId::Rel6Mm7_1_3, ExtendedCancelRsp::success("6.6.0"));
    assert_eq!(
        encode_xml(&env, &EncodeOptions::default()).unwrap_err(),
        EncodeError::OperationNotInSchema {
            operation: "extendedCancelRsp",
            schema: "REL-6-MM7-1-3",
        }
    );
}

#[test]
fn message_class_and_enumerations_keep_their_text() {
    let mut req = vibes_submit_req();
    req.message_class = Some(MessageClass::parse("x-promo"));
    let xml = encode_xml(
        &envelope(SchemaId::Rel6Mm7_1_4, req),
        &EncodeOptions::default(),
    )
    .expect("encodes");
    assert!(xml.contains("<MessageClass>x-promo</MessageClass>"));
}

#[test]
fn namespace_uri_that_needs_escaping_is_refused() {
    for uri in [
        "http:>/x/REL-6-MM7-1-4",
        "urn:a\"b/REL-6-MM7-1-4",
        "urn:a b/REL-6-MM7-1-4",
    ] {
        let namespace = mm7_model::Namespace::parse(uri).expect("the id is known");
        let envelope = mm7_model::Envelope::new(
            "t1",
            namespace,
            mm7_model::DeliveryReportRsp::success("6.8.0"),
        );
        let err = crate::encode_xml(&envelope, &crate::EncodeOptions::default()).unwrap_err();
        assert!(
            matches!(
                err,
                EncodeError::InvalidValue {
                    what: "namespace URI",
                    ..
                }
            ),
            "{uri}: {err}"
        );
    }
}

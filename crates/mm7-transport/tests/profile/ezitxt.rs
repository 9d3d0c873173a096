//! ezitxt (seed 002) and Optus (seed 003), and the generic profile.

use bytes::Bytes;
use mm7_model::{
    Address, ContentRef, DateTime, Duration, MessageClass, Part, Priority, RelativeOrAbsolute,
    SchemaId, SenderIdentification, StatusCode, SubmitReq,
};
use mm7_transport::profile::{Profile, Refusal, SubmitContext, Violation};

use crate::sinch::sinch_req;
use crate::{ERROR, WARNING, context, found, status};

fn ezitxt_req() -> SubmitReq {
    let mut req = SubmitReq::default();
    req.mm7_version = "5.3.0".into();
    req.sender_identification = Some(SenderIdentification {
        vasp_id: Some("TNN".into()),
        vas_id: Some("News".into()),
        ..SenderIdentification::default()
    });
    req.time_stamp = Some(DateTime::parse("2020-01-02T09:30:47-05:00").expect("a date"));
    req.expiry_date = Some(RelativeOrAbsolute::parse("2020-01-20T09:30:47-05:00").expect("a date"));
    req.delivery_report = Some(true);
    req.subject = Some("News for today".into());
    req.priority = Some(Priority::Normal);
    req.content = Some(ContentRef::cid("story"));
    req.recipients.to.push(Address::number("+64211234567"));
    req
}

fn story() -> Vec<Part> {
    let gif = Bytes::from_static(b"GIF89a");
    let smil = "<smil><body><par><img src=\"cid:saturn.gif\"/></par></body></smil>";
    vec![
        Part::multipart(
            "multipart/related",
            vec![
                Part::new("application/smil", smil.as_bytes().to_vec())
                    .with_content_id("presentation"),
                Part::text("Science news, new Saturn pictures...").with_content_id("t"),
                Part::new("image/gif", gif).with_content_id("saturn.gif"),
            ],
        )
        .with_content_id("story"),
    ]
}

fn ezi(profile: Profile, req: &SubmitReq, parts: &[Part]) -> Vec<Violation> {
    let url = match profile {
        Profile::Optus => "https://api.sms.optus.com.au/mm7",
        _ => "https://eziapi.com/mm7",
    };
    profile.check_submit(req, parts, &context(SchemaId::Rel5Mm7_1_3, url))
}

const EZI: [Profile; 2] = [Profile::Ezitxt, Profile::Optus];

#[test]
fn ezitxt_and_optus_accept_their_documented_request() {
    for p in EZI {
        assert_eq!(found(&ezi(p, &ezitxt_req(), &story())), [], "{p}");
    }
}

#[test]
fn ezitxt_numbers_are_e164_with_or_without_plus() {
    for p in EZI {
        for ok in ["+64211234567", "64211234567", "7255441234"] {
            let mut req = ezitxt_req();
            req.recipients.to = vec![Address::number(ok)];
            assert_eq!(found(&ezi(p, &req, &story())), [], "{p} {ok}");
        }
        for bad in ["0064211234567", "0211234567", "+64 21 123 4567"] {
            let mut req = ezitxt_req();
            req.recipients.to = vec![Address::number(bad)];
            let v = ezi(p, &req, &story());
            assert_eq!(found(&v), [(ERROR, "Recipients/To[0]/Number")], "{p} {bad}");
            assert!(v[0].rule.contains("E.164"), "{}", v[0]);
            assert_eq!(v[0].refusal, status(StatusCode::ADDRESS_ERROR));
            // The rule is in ezitxt's notes, which the Optus page does not carry.
            assert_eq!(v[0].source.seed, "002");
        }
    }
}

#[test]
fn ezitxt_refuses_undocumented_parameters() {
    for p in EZI {
        let mut req = ezitxt_req();
        req.applic_id = Some("com.example.app".into());
        req.message_class = Some(MessageClass::Personal);
        req.read_reply = Some(true);
        req.earliest_delivery_time = Some(RelativeOrAbsolute::Relative(Duration::hours(1)));
        let v = ezi(p, &req, &story());
        assert_eq!(
            found(&v),
            [
                (ERROR, "MessageClass"),
                (ERROR, "EarliestDeliveryTime"),
                (ERROR, "ReadReply"),
                (ERROR, "ApplicID"),
            ],
            "{p}"
        );
        assert!(
            v.iter().all(|v| v.refusal.is_none()),
            "ignored, not refused"
        );
        assert_eq!(v[0].source.section, "Supported MM7_Submit Parameters");
        assert_eq!(
            v[0].source.seed,
            if p == Profile::Optus { "003" } else { "002" }
        );
    }
}

#[test]
fn ezitxt_timestamps_are_rfc3339() {
    let mut req = ezitxt_req();
    req.time_stamp = Some(DateTime::parse("2020-01-02 09:30:47").expect("lenient xs:dateTime"));
    req.expiry_date = Some(RelativeOrAbsolute::Relative(Duration::days(1)));
    let v = ezi(Profile::Ezitxt, &req, &story());
    assert_eq!(found(&v), [(ERROR, "TimeStamp"), (ERROR, "ExpiryDate")]);
    assert!(v[0].rule.contains("'T'"), "{}", v[0]);
    assert!(
        v[1].rule.contains("a duration is not a timestamp"),
        "{}",
        v[1]
    );
    assert_eq!(v[1].value.as_deref(), Some("P1D"));
    assert_eq!(v[0].refusal, status(StatusCode::MESSAGE_FORMAT_CORRUPT));

    req.time_stamp = Some(DateTime::parse("2020-01-02T09:30:47Z").expect("a date"));
    req.expiry_date = Some(RelativeOrAbsolute::parse("2020-01-20T09:30-05:00").expect("a date"));
    let v = ezi(Profile::Optus, &req, &story());
    assert_eq!(found(&v), [(ERROR, "ExpiryDate")]);
    assert!(v[0].rule.contains("seconds are required"), "{}", v[0]);
}

#[test]
fn ezitxt_versions_other_than_5_3_0_are_warned() {
    let mut req = ezitxt_req();
    req.mm7_version = "6.8.0".into();
    let v = Profile::Ezitxt.check_submit(
        &req,
        &story(),
        &context(SchemaId::Rel6Mm7_1_4, "https://eziapi.com/mm7"),
    );
    assert_eq!(found(&v), [(WARNING, "MM7Version")]);
    assert!(
        v[0].rule
            .ends_with("other versions should work but are unsupported")
    );
    assert_eq!(v[0].refusal, None);
}

#[test]
fn ezitxt_content_media_and_smil() {
    // Content names nothing: 2004.
    let mut req = ezitxt_req();
    req.content = Some(ContentRef::cid("missing"));
    let v = ezi(Profile::Ezitxt, &req, &story());
    assert_eq!(found(&v), [(ERROR, "Content@href")]);
    assert_eq!(v[0].refusal, status(StatusCode::MULTIMEDIA_CONTENT_REFUSED));

    // Partial compatibility, an untested type, and no SMIL: warnings.
    let parts = vec![
        Part::multipart(
            "multipart/mixed",
            vec![
                Part::new("image/heic", Bytes::from_static(b"heic")).with_content_id("p.heic"),
                Part::new("text/vcard", Bytes::from_static(b"BEGIN:VCARD")),
                Part::new("application/pdf", Bytes::from_static(b"%PDF")).with_content_id("d"),
                Part::new("image/mp4", Bytes::from_static(b"mp4")).with_content_id("v"),
            ],
        )
        .with_content_id("story"),
    ];
    let v = ezi(Profile::Optus, &ezitxt_req(), &parts);
    assert_eq!(
        found(&v),
        [
            (WARNING, "content part <p.heic>"),
            (WARNING, "content part 1"),
            (WARNING, "content part <d>"),
            (WARNING, "Content"),
        ]
    );
    assert_eq!(
        v[0].rule,
        "partial compatibility: Compatibility depends upon receiving device"
    );
    assert_eq!(v[1].value.as_deref(), Some("text/vcard"));
    assert!(v[3].rule.starts_with("no SMIL presentation"));
    assert_eq!(v[3].source.section, "SMIL File");

    // Text alone needs no presentation.
    let text = vec![Part::text("Hello").with_content_id("story")];
    assert_eq!(found(&ezi(Profile::Ezitxt, &ezitxt_req(), &text)), []);
}

#[test]
fn ezitxt_several_recipients_and_authentication() {
    let mut req = ezitxt_req();
    req.recipients.to.push(Address::number("64211234568"));
    let v = ezi(Profile::Ezitxt, &req, &story());
    assert_eq!(found(&v), [(WARNING, "Recipients")]);

    let v = Profile::Ezitxt.check_submit(
        &ezitxt_req(),
        &story(),
        &SubmitContext::new().with_namespace(SchemaId::Rel5Mm7_1_3),
    );
    assert_eq!(found(&v), [(ERROR, "header Authorization")]);
    assert_eq!(
        v[0].refusal,
        Some(Refusal::Http(http::StatusCode::UNAUTHORIZED))
    );
}

#[test]
fn generic_checks_nothing() {
    let mut req = sinch_req();
    req.recipients.to = vec![
        Address::number("+1 (555) 319-9144"),
        Address::number("00442"),
    ];
    req.mm7_version = "9.9.9".into();
    let v = Profile::Generic.check_submit(&req, &[], &SubmitContext::new().with_body_len(50 << 20));
    assert_eq!(found(&v), []);
}

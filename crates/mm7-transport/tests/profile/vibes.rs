//! Vibes (seeds 000, 001).

use http::header::{HeaderName, HeaderValue};
use mm7_model::{
    Address, ContentRef, DateTime, Duration, MessageClass, Part, Priority, RelativeOrAbsolute,
    SchemaId, SenderIdentification, StatusCode, SubmitReq,
};
use mm7_transport::profile::{Profile, Refusal, SubmitContext, Violation};

use crate::{ERROR, WARNING, basic_auth, context, found, refusal, status, text_content};

pub(crate) const VIBES_URL: &str = "https://messageapi-mms.vibesapps.com/mms/mm7/submit";

fn vibes_req() -> SubmitReq {
    let mut req = SubmitReq::default();
    req.mm7_version = "5.3.0".into();
    req.sender_identification = Some(SenderIdentification {
        sender_address: Some(Address::short_code("63901")),
        ..SenderIdentification::default()
    });
    req.subject = Some("Hello Vibes".into());
    req.content = Some(ContentRef::cid("msg"));
    req.recipients.to.push(Address::number("+13127536330"));
    req
}

fn vibes(req: &SubmitReq, ctx: &SubmitContext) -> Vec<Violation> {
    Profile::Vibes.check_submit(req, &text_content(), ctx)
}

fn vibes_ctx() -> SubmitContext {
    context(SchemaId::Rel5Mm7_1_2, VIBES_URL)
}

#[test]
fn vibes_accepts_its_documented_request() {
    assert_eq!(found(&vibes(&vibes_req(), &vibes_ctx())), []);
    let mut rel6 = vibes_req();
    rel6.mm7_version = "6.8.0".into();
    let ctx = context(SchemaId::Rel6Mm7_1_4, VIBES_URL);
    assert_eq!(found(&vibes(&rel6, &ctx)), []);
}

#[test]
fn vibes_versions() {
    // 6.8.0 in the REL-5 namespace, 5.3.0 in the REL-6 one: neither documented pair.
    let mut req = vibes_req();
    req.mm7_version = "6.8.0".into();
    let v = vibes(&req, &vibes_ctx());
    assert_eq!(found(&v), [(ERROR, "MM7Version")]);
    assert_eq!(v[0].value.as_deref(), Some("6.8.0 in REL-5-MM7-1-2"));
    assert_eq!(
        v[0].rule,
        "expected REL-5-MM7-1-2 with 5.3.0, or REL-6-MM7-1-4 with 6.8.0"
    );
    assert_eq!(v[0].refusal, status(StatusCode::UNSUPPORTED_VERSION));
    let v = vibes(&vibes_req(), &context(SchemaId::Rel6Mm7_1_4, VIBES_URL));
    assert_eq!(found(&v), [(ERROR, "MM7Version")]);

    // 5.5.0 is the schema's own version, but "should be set to 5.3.0": a warning.
    req.mm7_version = "5.5.0".into();
    let v = vibes(&req, &vibes_ctx());
    assert_eq!(found(&v), [(WARNING, "MM7Version")]);
    assert!(v[0].rule.contains("bug in the 5.5.0 XSD"), "{}", v[0]);
    assert_eq!(v[0].source.document, "Vibes MM7 5.5.0");
}

#[test]
fn vibes_sender_must_be_a_short_code() {
    let mut req = vibes_req();
    req.sender_identification = Some(SenderIdentification::default());
    let v = vibes(&req, &vibes_ctx());
    assert_eq!(found(&v), [(ERROR, "SenderIdentification/SenderAddress")]);
    assert_eq!(v[0].refusal, status(StatusCode::ADDRESS_ERROR));

    req.sender_identification = None;
    assert_eq!(
        found(&vibes(&req, &vibes_ctx())),
        [(ERROR, "SenderIdentification/SenderAddress")]
    );

    req.sender_identification = Some(SenderIdentification {
        sender_address: Some(Address::number("13125550100")),
        ..SenderIdentification::default()
    });
    let v = vibes(&req, &vibes_ctx());
    assert_eq!(
        found(&v),
        [(ERROR, "SenderIdentification/SenderAddress/Number")]
    );
    assert_eq!(v[0].value.as_deref(), Some("13125550100"));
}

#[test]
fn vibes_vaspid_and_vasid_are_not_used() {
    let mut req = vibes_req();
    if let Some(s) = req.sender_identification.as_mut() {
        s.vasp_id = Some("TNN".into());
        s.vas_id = Some("News".into());
    }
    let v = vibes(&req, &vibes_ctx());
    assert_eq!(
        found(&v),
        [
            (WARNING, "SenderIdentification/VASPID"),
            (WARNING, "SenderIdentification/VASID")
        ]
    );
    assert!(v[0].rule.contains("Authorization header"));
    assert_eq!(v[0].refusal, None);
}

#[test]
fn vibes_takes_exactly_one_number_in_to() {
    let mut req = vibes_req();
    req.recipients.to.push(Address::number("3127536331"));
    let v = vibes(&req, &vibes_ctx());
    assert_eq!(found(&v), [(ERROR, "Recipients")]);
    assert_eq!(v[0].value.as_deref(), Some("2 addresses"));
    assert_eq!(
        v[0].refusal,
        status(StatusCode::MULTIPLE_ADDRESSES_NOT_SUPPORTED)
    );

    let mut req = vibes_req();
    req.recipients.cc.push(Address::number("3127536331"));
    assert_eq!(
        found(&vibes(&req, &vibes_ctx())),
        [(ERROR, "Recipients"), (ERROR, "Recipients/Cc[0]")]
    );

    let mut req = vibes_req();
    req.recipients.bcc = std::mem::take(&mut req.recipients.to);
    let v = vibes(&req, &vibes_ctx());
    assert_eq!(
        found(&v),
        [(ERROR, "Recipients/To"), (ERROR, "Recipients/Bcc[0]")]
    );
    assert_eq!(
        refusal(&v, "Recipients/To"),
        status(StatusCode::ADDRESS_ERROR)
    );
    assert_eq!(refusal(&v, "Recipients/Bcc[0]"), None);

    let mut req = vibes_req();
    req.recipients.to = vec![Address::rfc2822("someone@example.com")];
    assert_eq!(
        found(&vibes(&req, &vibes_ctx())),
        [(ERROR, "Recipients/To[0]/RFC2822Address")]
    );

    let mut req = vibes_req();
    req.recipients.to = vec![Address::number("+13127536330").with_display_only(false)];
    assert_eq!(
        found(&vibes(&req, &vibes_ctx())),
        [(WARNING, "Recipients@displayOnly")]
    );
}

#[test]
fn vibes_numbers_are_10_digit_11_digit_or_e164() {
    for ok in [
        "3127536330",
        "13127536330",
        "+13127536330",
        "+13127536330/TYPE=PLMN",
    ] {
        let mut req = vibes_req();
        req.recipients.to = vec![Address::number(ok)];
        assert_eq!(found(&vibes(&req, &vibes_ctx())), [], "{ok}");
    }
    for bad in [
        "312753633",
        "0013127536330",
        "(312) 753-6330",
        "447911123456",
    ] {
        let mut req = vibes_req();
        req.recipients.to = vec![Address::number(bad)];
        let v = vibes(&req, &vibes_ctx());
        assert_eq!(found(&v), [(ERROR, "Recipients/To[0]/Number")], "{bad}");
        assert!(v[0].rule.contains("10-digit or 11-digit"), "{}", v[0]);
        assert_eq!(v[0].refusal, status(StatusCode::ADDRESS_ERROR));
    }
}

#[test]
fn vibes_refuses_the_elements_it_does_not_support() {
    let mut req = vibes_req();
    req.service_code = Some("svc".into());
    req.linked_id = Some("msg-0".into());
    req.time_stamp = Some(DateTime::parse("2020-01-02T09:30:47-05:00").expect("a date"));
    req.earliest_delivery_time = Some(RelativeOrAbsolute::Relative(Duration::hours(1)));
    req.expiry_date = Some(RelativeOrAbsolute::Relative(Duration::days(1)));
    req.charged_party_id = Some("x".into());
    let v = vibes(&req, &vibes_ctx());
    assert_eq!(
        found(&v),
        [
            (ERROR, "ServiceCode"),
            (ERROR, "LinkedID"),
            (ERROR, "TimeStamp"),
            (ERROR, "EarliestDeliveryTime"),
            (ERROR, "ExpiryDate"),
            (ERROR, "ChargedPartyID"),
        ]
    );
    assert!(v.iter().all(|v| v.rule == "not supported, do not set"));
    // Not refused: the documents say "do not set", not "rejected".
    assert!(v.iter().all(|v| v.refusal.is_none()));
    assert_eq!(v[2].source.section, "TimeStamp");
    // What it does support passes.
    let mut req = vibes_req();
    req.read_reply = Some(true);
    req.priority = Some(Priority::High);
    req.message_class = Some(MessageClass::Informational);
    req.distribution_indicator = Some(true);
    assert_eq!(found(&vibes(&req, &vibes_ctx())), []);
}

#[test]
fn vibes_enumerations() {
    let mut req = vibes_req();
    req.priority = Some(Priority::from("Urgent"));
    req.message_class = Some(MessageClass::from("Promo"));
    let v = vibes(&req, &vibes_ctx());
    assert_eq!(found(&v), [(ERROR, "MessageClass"), (ERROR, "Priority")]);
    assert_eq!(v[1].rule, "one of Normal, High, Low");
    assert_eq!(v[1].refusal, status(StatusCode::MESSAGE_FORMAT_CORRUPT));
}

#[test]
fn vibes_delivery_report_needs_the_callback_header() {
    let mut req = vibes_req();
    req.delivery_report = Some(true);
    let v = vibes(&req, &vibes_ctx());
    assert_eq!(found(&v), [(ERROR, "header X-Vibes-DlrCallbackUrl")]);
    assert_eq!(v[0].refusal, status(StatusCode::CLIENT_ERROR));
    assert_eq!(v[0].source.section, "DeliveryReport");

    let dlr = HeaderName::from_static("x-vibes-dlrcallbackurl");
    let ctx = vibes_ctx().with_header(
        dlr.clone(),
        HeaderValue::from_static("https://vasp.example.com/dlr"),
    );
    assert_eq!(found(&vibes(&req, &ctx)), []);

    // A header that is no URL: a warning, whatever DeliveryReport says.
    let ctx = vibes_ctx().with_header(dlr, HeaderValue::from_static("vasp.example.com"));
    req.delivery_report = Some(false);
    assert_eq!(
        found(&vibes(&req, &ctx)),
        [(WARNING, "header X-Vibes-DlrCallbackUrl")]
    );

    // The carrier code is optional, and DeliveryReport false needs no header.
    let ctx = vibes_ctx().with_header(
        HeaderName::from_static("x-vibes-carriercode"),
        HeaderValue::from_static("102"),
    );
    assert_eq!(found(&vibes(&req, &ctx)), []);
}

#[test]
fn vibes_content_is_required_and_named_by_cid() {
    let mut req = vibes_req();
    req.content = None;
    let v = vibes(&req, &vibes_ctx());
    assert_eq!(found(&v), [(ERROR, "Content")]);
    assert_eq!(v[0].refusal, status(StatusCode::VALIDATION_ERROR));

    req.content = Some(ContentRef::cid("other"));
    let v = vibes(&req, &vibes_ctx());
    assert_eq!(found(&v), [(ERROR, "Content@href")]);
    assert_eq!(v[0].value.as_deref(), Some("cid:other"));

    req.content = Some(ContentRef {
        href: "msg".into(),
        allow_adaptations: None,
    });
    let v = Profile::Vibes.check_submit(
        &req,
        &[Part::text("x").with_content_location("msg")],
        &vibes_ctx(),
    );
    assert_eq!(found(&v), [(WARNING, "Content@href")]);
}

#[test]
fn vibes_body_size() {
    let sized = |n| vibes(&vibes_req(), &vibes_ctx().with_body_len(n));
    assert_eq!(found(&sized(300_000)), []);
    let v = sized(300_001);
    assert_eq!(found(&v), [(WARNING, "HTTP body")]);
    assert_eq!(v[0].refusal, None);
    assert_eq!(found(&sized(1_000_000)), [(WARNING, "HTTP body")]);
    let v = sized(1_000_001);
    assert_eq!(found(&v), [(ERROR, "HTTP body")]);
    assert_eq!(
        v[0].refusal,
        Some(Refusal::Http(http::StatusCode::PAYLOAD_TOO_LARGE))
    );
    assert_eq!(v[0].value.as_deref(), Some("1000001 bytes"));
}

#[test]
fn vibes_url_and_authentication() {
    let (name, value) = basic_auth();
    let at = |url: &str| {
        SubmitContext::new()
            .with_namespace(SchemaId::Rel5Mm7_1_2)
            .with_header(name.clone(), value.clone())
            .with_url(url.parse().expect("a URL"))
    };
    let check = |ctx: &SubmitContext| vibes(&vibes_req(), ctx);
    assert_eq!(
        found(&check(&at("http://127.0.0.1:8080/mms/mm7/submit"))),
        []
    );
    assert_eq!(
        found(&check(&at("http://127.0.0.1:8080/mm7"))),
        [(WARNING, "URL")]
    );
    assert_eq!(
        found(&check(&at("https://messageapi-mms.vibesapps.com/mm7"))),
        [(ERROR, "URL")]
    );
    assert_eq!(
        found(&check(&at(
            "http://messageapi-mms.vibesapps.com/mms/mm7/submit"
        ))),
        [(ERROR, "URL")]
    );
    let no_auth = SubmitContext::new().with_namespace(SchemaId::Rel5Mm7_1_2);
    let v = check(&no_auth);
    assert_eq!(found(&v), [(ERROR, "header Authorization")]);
    // The MMSC checks credentials itself, and sees no Authorization header.
    assert!(
        Profile::Vibes
            .check_submit_server_side(&vibes_req(), &text_content(), &no_auth)
            .is_empty()
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut req = vibes_req();
    req.mm7_version = "6.5.0".into();
    req.sender_identification = None;
    req.recipients.to.push(Address::number("+4420"));
    req.delivery_report = Some(true);
    req.linked_id = Some("m".into());
    let v = Profile::Vibes.check_submit(&req, &text_content(), &vibes_ctx().with_body_len(2 << 20));
    assert_eq!(
        found(&v),
        [
            (ERROR, "MM7Version"),
            (ERROR, "SenderIdentification/SenderAddress"),
            (ERROR, "Recipients"),
            (ERROR, "Recipients/To[1]/Number"),
            (ERROR, "LinkedID"),
            (ERROR, "header X-Vibes-DlrCallbackUrl"),
            (ERROR, "HTTP body"),
        ]
    );
    // One line each.
    for violation in &v {
        let line = violation.to_string();
        assert!(!line.contains('\n'), "{line}");
        assert!(line.starts_with("error: "), "{line}");
    }
    // The MMSC refuses with the first refusal it documents; the client-only rules are gone.
    let server = Profile::Vibes.check_submit_server_side(&req, &text_content(), &vibes_ctx());
    assert_eq!(
        found(&server),
        [
            (ERROR, "MM7Version"),
            (ERROR, "SenderIdentification/SenderAddress"),
            (ERROR, "Recipients"),
            (ERROR, "Recipients/To[1]/Number"),
            (ERROR, "header X-Vibes-DlrCallbackUrl"),
        ]
    );
}

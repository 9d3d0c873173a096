//! Sinch, formerly mblox (seed 004).

use mm7_model::{Address, ContentRef, SchemaId, SenderIdentification, StatusCode, SubmitReq};
use mm7_transport::profile::{Profile, SubmitContext, Violation};

use crate::{ERROR, WARNING, found, status, text_content};

const SINCH_URL: &str = "https://api.ci.mblox.com/mm7/v1/";

pub(crate) fn sinch_req() -> SubmitReq {
    let mut req = SubmitReq::default();
    req.mm7_version = "6.8.0".into();
    req.sender_identification = Some(SenderIdentification {
        vasp_id: Some("api-key-1".into()),
        vas_id: Some("63901mms".into()),
        sender_address: Some(Address::short_code("63901")),
    });
    req.content = Some(ContentRef::cid("msg"));
    req.recipients.to.push(Address::number("15553199144"));
    req
}

fn sinch(req: &SubmitReq) -> Vec<Violation> {
    Profile::Sinch.check_submit(
        req,
        &text_content(),
        &SubmitContext::new()
            .with_namespace(SchemaId::Rel6Mm7_1_4)
            .with_url(SINCH_URL.parse().expect("a URL")),
    )
}

#[test]
fn sinch_accepts_international_digits_without_basic_auth() {
    assert_eq!(found(&sinch(&sinch_req())), []);
    let mut req = sinch_req();
    req.recipients.to = vec![
        Address::number("642111111"),
        Address::number("15553199144/TYPE=PLMN"),
    ];
    req.recipients.cc = vec![Address::number("447911123456")];
    assert_eq!(found(&sinch(&req)), []);
}

#[test]
fn sinch_refuses_prefixes_and_special_characters() {
    for (bad, why) in [
        ("+15553199144", "'+' is not allowed"),
        ("0015553199144", "'00'"),
        ("00642111111", "'00'"),
        ("1-555-319-9144", "'-' is not allowed"),
        ("0211234567", "national prefix"),
    ] {
        let mut req = sinch_req();
        req.recipients.to = vec![Address::number(bad)];
        let v = sinch(&req);
        assert_eq!(found(&v), [(ERROR, "Recipients/To[0]/Number")], "{bad}");
        assert!(v[0].rule.contains(why), "{bad}: {}", v[0]);
        assert!(v[0].rule.contains("e.g. 15553199144"), "{}", v[0]);
        assert_eq!(v[0].refusal, status(StatusCode::ADDRESS_ERROR));
        assert_eq!(v[0].source.section, "Special Considerations");
    }
    // Numbers in Bcc and in RFC2822Address are numbers too.
    let mut req = sinch_req();
    req.recipients.bcc = vec![Address::rfc2822("+4512345678/TYPE=PLMN")];
    assert_eq!(
        found(&sinch(&req)),
        [(ERROR, "Recipients/Bcc[0]/RFC2822Address")]
    );
    req.recipients.bcc = vec![Address::rfc2822("someone@example.com")];
    assert_eq!(found(&sinch(&req)), []);
}

#[test]
fn sinch_versions_from_5_3_0_to_6_8_0() {
    for ok in ["5.3.0", "5.5.0", "6.3.0", "6.8.0"] {
        let mut req = sinch_req();
        req.mm7_version = ok.into();
        assert_eq!(found(&sinch(&req)), [], "{ok}");
    }
    for bad in ["5.2.0", "6.9.0", "7.0.0", "six"] {
        let mut req = sinch_req();
        req.mm7_version = bad.into();
        let v = sinch(&req);
        assert_eq!(found(&v), [(ERROR, "MM7Version")], "{bad}");
        assert_eq!(v[0].rule, "expected an MM7Version from 5.3.0 to 6.8.0");
    }
}

#[test]
fn sinch_identification() {
    let mut req = sinch_req();
    if let Some(s) = req.sender_identification.as_mut() {
        s.vasp_id = None;
    }
    let v = sinch(&req);
    assert_eq!(found(&v), [(ERROR, "SenderIdentification/VASPID")]);
    assert!(v[0].rule.contains("API key"));
    assert_eq!(v[0].refusal, status(StatusCode::IMPROPER_IDENTIFICATION));

    if let Some(s) = req.sender_identification.as_mut() {
        s.vasp_id = Some(" ".into());
        s.vas_id = None;
    }
    let v = sinch(&req);
    assert_eq!(
        found(&v),
        [
            (ERROR, "SenderIdentification/VASPID"),
            (WARNING, "SenderIdentification/VASID")
        ]
    );
    assert_eq!(v[0].value.as_deref(), Some(" "));
}

#[test]
fn sinch_url() {
    let check = |url: &str| {
        Profile::Sinch.check_submit(
            &sinch_req(),
            &text_content(),
            &SubmitContext::new()
                .with_namespace(SchemaId::Rel6Mm7_1_4)
                .with_url(url.parse().expect("a URL")),
        )
    };
    assert_eq!(found(&check("https://api.ci.mblox.com/mm7/v1")), []);
    assert_eq!(
        found(&check("https://api.ci.mblox.com/mm7")),
        [(ERROR, "URL")]
    );
    assert_eq!(found(&check("http://localhost:9000/mm7/v1/")), []);
}

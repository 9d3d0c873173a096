//! The providers' captured messages (`tests/vectors/*.http` at the workspace root) decode to
//! the values their documents show. The SOAP part is taken out of each HTTP message by a
//! plain search (from `<?xml` to the Envelope's end tag), which is all these vectors need;
//! the MIME layer is tested elsewhere.

use std::path::Path;

use mm7_model::{
    Address, AddressKind, Message, MmStatus, Priority, RelativeOrAbsolute, SchemaId, StatusCode,
    SubmitReq,
};
use mm7_soap::{DecodeError, DecodeOptions, Decoded, decode_xml};

fn read(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/vectors")
        .join(format!("{name}.http"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// The SOAP document in an HTTP message: from `<?xml` to the end of `</…:Envelope>`.
fn soap_part(http: &[u8]) -> &[u8] {
    let start = find(http, b"<?xml", 0).expect("an XML declaration");
    let mut at = start;
    while let Some(i) = find(http, b"Envelope>", at) {
        let open = http[..i].iter().rposition(|&b| b == b'<').expect("a tag");
        if http.get(open + 1) == Some(&b'/') {
            return &http[start..i + b"Envelope>".len()];
        }
        at = i + 1;
    }
    panic!("no Envelope end tag")
}

fn decode(name: &str) -> Decoded {
    let http = read(name);
    decode_xml(soap_part(&http), &DecodeOptions::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn decode_err(name: &str) -> DecodeError {
    let http = read(name);
    let body = find(&http, b"\r\n\r\n", 0).expect("a header end") + 4;
    match decode_xml(&http[body..], &DecodeOptions::default()) {
        Ok(d) => panic!("{name} decoded: {:?}", d.envelope.message),
        Err(e) => e,
    }
}

/// The SubmitReq's `SenderIdentification/SenderAddress`, which the test needs present.
fn sender_address(m: &SubmitReq) -> &Address {
    m.sender_identification
        .as_ref()
        .and_then(|s| s.sender_address.as_ref())
        .expect("SenderAddress")
}

const VIBES_NS: &str =
    "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-5-MM7-1-2";
const EZITXT_NS: &str =
    "https://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-5-MM7-1-3";
const EZITXT_NS6: &str =
    "https://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4";

fn check_vibes_submit_req(name: &str, version: &str) {
    let d = decode(name);
    assert_eq!(
        d.envelope.transaction_id,
        "ea92fdc3-44e9-466a-9c40-f51a704a2590"
    );
    assert_eq!(d.envelope.namespace.uri(), VIBES_NS);
    let Message::SubmitReq(m) = &d.envelope.message else {
        panic!("{:?}", d.envelope.message)
    };
    assert_eq!(m.mm7_version.as_str(), version);
    let sender = sender_address(m);
    assert_eq!(
        (sender.kind, sender.value.as_str()),
        (AddressKind::ShortCode, "63901")
    );
    assert_eq!(m.recipients.to.len(), 1);
    assert_eq!(
        (m.recipients.to[0].kind, m.recipients.to[0].value.as_str()),
        (AddressKind::Number, "+13127536330")
    );
    assert_eq!(m.delivery_report, Some(true));
    assert_eq!(m.subject.as_deref(), Some("Hello Vibes"));
    let content = m.content.as_ref().expect("Content");
    assert_eq!(
        (content.href.as_str(), content.allow_adaptations),
        ("cid:attachment.cid", None)
    );
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

#[test]
fn vibes_5_5_0_submit_req() {
    check_vibes_submit_req("vibes_5_5_0_submit_req", "5.5.0");
}

#[test]
fn vibes_6_8_0_submit_req() {
    // The 6.8.0 example keeps the REL-5-MM7-1-2 namespace and asks for MM7Version 5.3.0.
    check_vibes_submit_req("vibes_6_8_0_submit_req", "5.3.0");
}

#[test]
fn vibes_submit_rsps() {
    for (name, ns, version, id) in [
        (
            "vibes_5_5_0_submit_rsp",
            VIBES_NS,
            "5.3.0",
            "d95c7ccb-4fbd-4b48-b70c-fadc5ff225b5",
        ),
        (
            "vibes_6_8_0_submit_rsp",
            "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
            "6.8.0",
            "57df0722-28f1-49e9-aa85-626919b5b888",
        ),
    ] {
        let d = decode(name);
        assert_eq!(d.envelope.namespace.uri(), ns, "{name}");
        let Message::SubmitRsp(m) = &d.envelope.message else {
            panic!()
        };
        assert_eq!(m.mm7_version.as_str(), version, "{name}");
        assert_eq!(
            (m.status.code, m.status.text.as_deref()),
            (StatusCode::SUCCESS, Some("Success"))
        );
        assert_eq!(m.message_id.as_deref(), Some(id));
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    }
}

#[test]
fn vibes_6_8_0_submit_rsp_2002() {
    let d = decode("vibes_6_8_0_submit_rsp_2002");
    assert_eq!(
        d.envelope.transaction_id,
        "16d105f4-9b86-4b8a-bdf5-9b02e2795fd6-1"
    );
    let Message::SubmitRsp(m) = &d.envelope.message else {
        panic!()
    };
    assert_eq!(m.status.code, StatusCode::ADDRESS_ERROR);
    assert_eq!(
        m.status.text.as_deref(),
        Some("SenderAddress value 'YOUR_SHORTCODE' invalid, Reason: Invalid SenderAddress")
    );
    assert_eq!(m.message_id, None);
}

fn check_ezitxt_submit_req(d: &Decoded) {
    assert_eq!(d.envelope.transaction_id, "vas00001-sub", "trimmed");
    assert_eq!(d.envelope.namespace.uri(), EZITXT_NS, "as received, https");
    assert_eq!(d.envelope.schema(), SchemaId::Rel5Mm7_1_3);
    let Message::SubmitReq(m) = &d.envelope.message else {
        panic!()
    };
    assert_eq!(m.mm7_version.as_str(), "5.3.0");
    let id = m
        .sender_identification
        .as_ref()
        .expect("SenderIdentification");
    assert_eq!(
        (
            id.vasp_id.as_deref(),
            id.vas_id.as_deref(),
            id.sender_address.as_ref()
        ),
        (Some("TNN"), Some("News"), None)
    );
    assert_eq!(
        m.recipients
            .to
            .iter()
            .map(|a| a.value.as_str())
            .collect::<Vec<_>>(),
        ["7255441234"]
    );
    assert_eq!(m.recipients.to[0].kind, AddressKind::Number);
    assert!(m.recipients.cc.is_empty() && m.recipients.bcc.is_empty());
    let stamp = m.time_stamp.as_ref().expect("TimeStamp");
    assert_eq!(
        (stamp.as_str(), stamp.offset_minutes()),
        ("2020-01-02T09:30:47-05:00", Some(-300))
    );
    let Some(RelativeOrAbsolute::Absolute(expiry)) = &m.expiry_date else {
        panic!("{:?}", m.expiry_date)
    };
    assert_eq!(expiry.as_str(), "2020-01-20T09:30:47-05:00");
    assert_eq!(m.delivery_report, Some(true));
    assert_eq!(m.subject.as_deref(), Some("News for today"));
    assert_eq!(m.priority, Some(Priority::Normal));
    let content = m.content.as_ref().expect("Content");
    assert_eq!(content.href, "cid:SaturnPics-01020930@news.tnn.com");
    assert_eq!(content.allow_adaptations, Some(true));
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

#[test]
fn ezitxt_and_optus_submit_req() {
    let ezitxt = decode("ezitxt_submit_req");
    check_ezitxt_submit_req(&ezitxt);
    // The same document on another platform, not indented.
    let optus = decode("optus_submit_req");
    check_ezitxt_submit_req(&optus);
    assert_eq!(ezitxt.envelope, optus.envelope);
}

#[test]
fn ezitxt_submit_rsp() {
    let d = decode("ezitxt_submit_rsp");
    assert_eq!(d.envelope.transaction_id, "vas00001-sub");
    assert_eq!(d.envelope.namespace.uri(), EZITXT_NS);
    let Message::SubmitRsp(m) = &d.envelope.message else {
        panic!()
    };
    assert_eq!(
        (m.mm7_version.as_str(), m.status.code.get()),
        ("5.3.0", 1000)
    );
    assert_eq!(m.message_id.as_deref(), Some("041502073667"));
}

#[test]
fn ezitxt_deliver_req_corrupt() {
    // `soap-env::Header` and a `soap-env` prefix that is never declared.
    let e = decode_err("ezitxt_deliver_req_corrupt");
    assert_eq!(e.status_code(), StatusCode::MESSAGE_FORMAT_CORRUPT);
    let position = e.position.expect("a position");
    assert_eq!((position.line, position.column), (2, 1), "{e}");
    assert!(e.to_string().contains(" at 2:1"), "{e}");
}

#[test]
fn ezitxt_deliver_rsp() {
    let d = decode("ezitxt_deliver_rsp");
    assert_eq!(d.envelope.transaction_id, "1000001");
    assert_eq!(d.envelope.namespace.uri(), EZITXT_NS6);
    let Message::DeliverRsp(m) = &d.envelope.message else {
        panic!()
    };
    assert_eq!(m.mm7_version.as_str(), "5.3.0");
    assert_eq!(
        (m.status.code, m.status.text.as_deref()),
        (StatusCode::SUCCESS, Some("Successfully received MMS"))
    );
    assert_eq!(m.service_code, None);
}

#[test]
fn ezitxt_delivery_report_req() {
    let d = decode("ezitxt_delivery_report_req");
    assert_eq!(d.envelope.transaction_id, "10000001");
    assert_eq!(
        d.envelope.namespace.uri(),
        EZITXT_NS6,
        "the Envelope's default namespace"
    );
    let Message::DeliveryReportReq(m) = &d.envelope.message else {
        panic!()
    };
    assert_eq!(m.mm7_version.as_str(), "5.3.0");
    assert_eq!(m.message_id, "369500617770864640");
    assert_eq!(
        (m.recipient.kind, m.recipient.value.as_str()),
        (AddressKind::Number, "16175550123")
    );
    assert_eq!(m.sender.value, "111122");
    assert_eq!(m.date.as_str(), "2015-03-16T14:03:51.749Z");
    assert_eq!(m.date.nanosecond(), 749_000_000);
    assert_eq!(m.mm_status, MmStatus::Retrieved);
    assert_eq!(m.status_text.as_deref(), Some("Success"));
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

#[test]
fn ezitxt_delivery_report_rsp() {
    let d = decode("ezitxt_delivery_report_rsp");
    // Not the request's TransactionID (10000001): the document's own mismatch, kept.
    assert_eq!(d.envelope.transaction_id, "1000001");
    let Message::DeliveryReportRsp(m) = &d.envelope.message else {
        panic!()
    };
    assert_eq!(
        m.status.text.as_deref(),
        Some("Successfully Received Delivery Report.")
    );
}

#[test]
fn ezitxt_smil_submit_req() {
    let d = decode("ezitxt_smil_submit_req");
    assert_eq!(d.envelope.transaction_id, "Mbuni-msg.1759.x9.99.16");
    let Message::SubmitReq(m) = &d.envelope.message else {
        panic!()
    };
    let sender = sender_address(m);
    assert_eq!(
        (sender.kind, sender.value.as_str()),
        (AddressKind::ShortCode, "111122")
    );
    assert_eq!(m.recipients.to[0].value, "64211234567");
    assert_eq!(
        (m.delivery_report, m.subject.as_deref()),
        (Some(true), Some("Picture"))
    );
    let content = m.content.as_ref().expect("Content");
    assert_eq!(
        (content.href.as_str(), content.allow_adaptations),
        ("cid:content.1759", Some(true))
    );
}

//! SOAP with attachments through the public API: which part of a nested multipart/related is
//! its root survives decoding and encoding again.

use bytes::Bytes;
use mm7_model::{Address, Part, PartBody, SchemaId, SubmitReq};
use mm7_soap::{DecodeOptions, EncodeOptions, decode, encode, encode_xml};

/// A SubmitReq whose content is a nested `multipart/related` with the parts `(id, type, body)`
/// in that order and the given `start` parameter, as a peer frames it by hand.
fn body_with_nested_related(start: Option<&str>, parts: &[(&str, &str, &str)]) -> (String, Bytes) {
    let envelope = SubmitReq::builder(SchemaId::Rel6Mm7_1_4)
        .vasp_id("TNN")
        .sender(Address::short_code("63901"))
        .to(Address::number("15551234567"))
        .part(Part::new("text/plain", Bytes::from_static(b"placeholder")))
        .build("tx-1")
        .expect("a valid SubmitReq");
    let xml = encode_xml(&envelope, &EncodeOptions::default()).expect("encodable");
    let start = start.map_or_else(String::new, |s| format!("; start=\"{s}\""));
    let mut body = format!(
        "--outer\r\nContent-Type: text/xml\r\nContent-ID: <soap>\r\n\r\n{xml}\r\n\
         --outer\r\nContent-Type: multipart/related; type=\"application/smil\"{start}; boundary=inner\r\n\
         Content-ID: <mm7-content>\r\n\r\n"
    );
    for (id, media_type, content) in parts {
        body.push_str(&format!(
            "--inner\r\nContent-Type: {media_type}\r\nContent-ID: <{id}>\r\n\r\n{content}\r\n"
        ));
    }
    body.push_str("--inner--\r\n--outer--\r\n");
    let content_type =
        "multipart/related; type=\"text/xml\"; start=\"<soap>\"; boundary=outer".to_owned();
    (content_type, Bytes::from(body))
}

/// The Content-IDs of the nested multipart's parts, in order.
fn nested_ids(content_type: &str, body: Bytes) -> Vec<String> {
    let decoded = decode(content_type, body, &DecodeOptions::default()).expect("decodable");
    let [content] = decoded.envelope.attachments.as_slice() else {
        panic!(
            "one attachment expected: {:?}",
            decoded.envelope.attachments
        );
    };
    let PartBody::Multipart(children) = &content.body else {
        panic!("a nested multipart expected: {content:?}");
    };
    children
        .iter()
        .map(|c| c.content_id.clone().unwrap_or_default())
        .collect()
}

const PARTS: [(&str, &str, &str); 3] = [
    ("img", "image/gif", "GIF89a"),
    ("pres", "application/smil", "<smil/>"),
    ("txt", "text/plain", "hello"),
];

#[test]
fn nested_related_keeps_wire_order_and_its_start_through_a_round_trip() {
    let (content_type, body) = body_with_nested_related(Some("<pres>"), &PARTS);
    // Wire order: the root is marked by `start`, not moved.
    let ids = nested_ids(&content_type, body.clone());
    assert_eq!(ids, ["img", "pres", "txt"]);
    let decoded = decode(&content_type, body, &DecodeOptions::default()).expect("decodable");
    let content = &decoded.envelope.attachments[0];
    assert_eq!(
        content.root().and_then(|p| p.content_id.as_deref()),
        Some("pres")
    );

    // Encoded again: the same order, `start` written back as received.
    let encoded = encode(&decoded.envelope, &EncodeOptions::default()).expect("encodable");
    let again = encoded.to_bytes();
    let text = String::from_utf8_lossy(&again);
    assert!(
        text.contains("start=\"<pres>\""),
        "the nested root is named by start: {text}"
    );
    assert_eq!(
        nested_ids(&encoded.content_type, again.clone()),
        ["img", "pres", "txt"]
    );
    let twice = decode(&encoded.content_type, again, &DecodeOptions::default()).expect("again");
    assert_eq!(twice.envelope.attachments, decoded.envelope.attachments);
}

#[test]
fn nested_related_without_start_keeps_its_order() {
    let (content_type, body) = body_with_nested_related(None, &PARTS);
    assert_eq!(nested_ids(&content_type, body), ["img", "pres", "txt"]);
}

#[test]
fn nested_related_start_naming_no_part_falls_back_to_its_type() {
    // RFC 2387 leaves this case open; the `type` parameter picks the root, as for the outer
    // multipart; the order is the wire's either way.
    let (content_type, body) = body_with_nested_related(Some("<missing>"), &PARTS);
    assert_eq!(
        nested_ids(&content_type, body.clone()),
        ["img", "pres", "txt"]
    );
    let decoded = decode(&content_type, body, &DecodeOptions::default()).expect("decodable");
    let root = decoded.envelope.attachments[0].root();
    assert_eq!(root.and_then(|p| p.content_id.as_deref()), Some("pres"));
}

/// A SubmitReq whose one attachment (Content-ID `pic`) is base64 `content`.
fn body_with_base64(content: &str) -> (String, Bytes) {
    let envelope = SubmitReq::builder(SchemaId::Rel6Mm7_1_4)
        .vasp_id("TNN")
        .sender(Address::short_code("63901"))
        .to(Address::number("15551234567"))
        .part(Part::new("text/plain", Bytes::from_static(b"placeholder")))
        .build("tx-b64")
        .expect("a valid SubmitReq");
    let xml = encode_xml(&envelope, &EncodeOptions::default()).expect("encodable");
    let body = format!(
        "--outer\r\nContent-Type: text/xml\r\nContent-ID: <soap>\r\n\r\n{xml}\r\n\
         --outer\r\nContent-Type: image/gif\r\nContent-ID: <pic>\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{content}\r\n--outer--\r\n"
    );
    let content_type =
        "multipart/related; type=\"text/xml\"; start=\"<soap>\"; boundary=outer".to_owned();
    (content_type, Bytes::from(body))
}

#[test]
fn base64_with_spaces_or_without_padding_is_read_with_a_warning() {
    for (content, warning) in [
        ("R0lG ODlh", "spaces or tabs"),
        ("R0lGODlhAQ", "final padding"),
    ] {
        let (content_type, body) = body_with_base64(content);
        let decoded = decode(&content_type, body, &DecodeOptions::default()).expect(content);
        let data = match &decoded.envelope.attachments[0].body {
            PartBody::Data(data) => data.clone(),
            other => panic!("{other:?}"),
        };
        assert!(data.starts_with(b"GIF89a"), "{content}");
        assert!(
            decoded
                .warnings
                .iter()
                .any(|w| w.to_string().contains(warning) && w.to_string().contains("pic")),
            "{content}: {:?}",
            decoded.warnings
        );
    }
    // Clean base64: no warning about it.
    let (content_type, body) = body_with_base64("R0lGODlh");
    let decoded = decode(&content_type, body, &DecodeOptions::default()).expect("clean");
    assert!(
        decoded
            .warnings
            .iter()
            .all(|w| !w.to_string().contains("base64")),
        "{:?}",
        decoded.warnings
    );
}

#[test]
fn base64_with_other_bytes_is_refused_naming_the_part() {
    for content in ["R0lG\r\n...\r\nODlh", "R0lGODlh\u{e9}", "R0lG==ODlh"] {
        let (content_type, body) = body_with_base64(content);
        let error = decode(&content_type, body, &DecodeOptions::default()).unwrap_err();
        assert_eq!(error.status_code().get(), 2007, "{content:?}: {error}");
        assert!(error.to_string().contains("\"pic\""), "{error}");
        assert_eq!(error.transaction_id.as_deref(), Some("tx-b64"));
        assert!(error.mime_offset.is_some());
    }
}

#[test]
fn multipart_without_its_close_delimiter_is_read_with_a_warning() {
    // Unlike an XML document cut off, a multipart that lost its close delimiter still holds
    // every part whole: it stays accepted, with the MIME layer's warning.
    let (content_type, body) = body_with_base64("R0lGODlh");
    let text = String::from_utf8(body.to_vec()).expect("text");
    let cut = text.strip_suffix("--outer--\r\n").expect("close delimiter");
    let decoded = decode(
        &content_type,
        Bytes::from(cut.to_owned()),
        &DecodeOptions::default(),
    )
    .expect("accepted");
    assert_eq!(decoded.envelope.attachments.len(), 1);
    assert!(
        decoded
            .warnings
            .iter()
            .any(|w| w.to_string().contains("close delimiter")),
        "{:?}",
        decoded.warnings
    );
}

//! Every Content-Transfer-Encoding the encoder can be asked for comes back as the same bytes
//! through the decoder: binary pictures with 0xFF and NUL, UTF-8 text, a text line past
//! RFC 2045's 998 bytes, nested multiparts, per-part choices.

use bytes::Bytes;
use mm7_model::{
    Address, ContentRef, Envelope, Part, PartBody, SchemaId, SenderIdentification, SubmitReq,
};
use mm7_soap::{
    DecodeOptions, EncodeError, EncodeOptions, TransferEncoding, TransferEncodingPolicy, decode,
    encode,
};

fn gif() -> Bytes {
    let mut bytes = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00".to_vec();
    bytes.extend((0..=255u8).cycle().take(3000));
    Bytes::from(bytes)
}

fn envelope() -> Envelope {
    let mut req = SubmitReq::default();
    req.sender_identification = Some(SenderIdentification {
        vasp_id: None,
        vas_id: None,
        sender_address: Some(Address::short_code("63901")),
    });
    req.mm7_version = "6.8.0".into();
    req.content = Some(ContentRef::cid("content"));
    req.recipients.to.push(Address::number("15551234567"));
    let long_line = format!("{}\r\nend with no line break", "é".repeat(700));
    let content = Part::multipart(
        "multipart/mixed",
        vec![
            Part::new("image/gif", gif()).with_content_id("saturn.gif"),
            Part::text("Grüße aus Köln =41 \r\n.\r\ntrailing space \r\n").with_content_id("text"),
            Part::text(&long_line).with_content_id("long"),
            Part::new("text/plain", Bytes::from_static(b"bare\nLF\0NUL")).with_content_id("odd"),
            Part::new(
                "application/smil",
                Bytes::from_static(b"<smil><body/></smil>"),
            )
            .with_content_id("pres"),
        ],
    )
    .with_content_id("content");
    let mut envelope = Envelope::new("tx-te", SchemaId::NEWEST, req);
    envelope.attachments.push(content);
    envelope
}

/// The leaves of an envelope's attachments: Content-ID and bytes.
fn leaves(envelope: &Envelope) -> Vec<(Option<String>, Bytes)> {
    envelope
        .attachments
        .iter()
        .flat_map(Part::leaves)
        .map(|leaf| {
            let PartBody::Data(data) = &leaf.body else {
                panic!("a leaf holds data");
            };
            (leaf.content_id.clone(), data.clone())
        })
        .collect()
}

/// The Content-Transfer-Encoding header of the part with Content-ID `id` in `body`.
fn encoding_of(body: &[u8], id: &str) -> String {
    let text = String::from_utf8_lossy(body);
    let at = text
        .find(&format!("Content-ID: <{id}>"))
        .unwrap_or_else(|| panic!("no part {id}"));
    let head_start = text[..at].rfind("\r\n\r\n").map_or(0, |i| i + 4);
    text[head_start..at]
        .lines()
        .find_map(|l| l.strip_prefix("Content-Transfer-Encoding: "))
        .unwrap_or_else(|| panic!("no Content-Transfer-Encoding for {id}"))
        .to_owned()
}

fn round_trip(options: &EncodeOptions) -> Vec<u8> {
    let sent = envelope();
    let encoded = encode(&sent, options).expect("encodes");
    let body = encoded.to_bytes();
    let decoded = decode(
        &encoded.content_type,
        body.clone(),
        &DecodeOptions::default(),
    )
    .expect("decodes");
    assert_eq!(
        leaves(&decoded.envelope),
        leaves(&sent),
        "{:?}",
        options.transfer_encoding
    );
    body.to_vec()
}

#[test]
fn every_policy_gives_back_the_same_bytes() {
    let expected = [
        (
            TransferEncodingPolicy::Binary,
            ["binary", "binary", "binary", "binary", "binary"],
        ),
        (
            TransferEncodingPolicy::Base64,
            ["base64", "base64", "base64", "base64", "base64"],
        ),
        (
            TransferEncodingPolicy::QuotedPrintable,
            [
                "base64",
                "quoted-printable",
                "quoted-printable",
                "quoted-printable",
                "base64",
            ],
        ),
        (
            TransferEncodingPolicy::EightBit,
            [
                "base64",
                "8bit",
                "quoted-printable",
                "quoted-printable",
                "base64",
            ],
        ),
    ];
    for (policy, encodings) in expected {
        let mut options = EncodeOptions::default();
        options.transfer_encoding = policy;
        let body = round_trip(&options);
        for (id, encoding) in ["saturn.gif", "text", "long", "odd", "pres"]
            .into_iter()
            .zip(encodings)
        {
            assert_eq!(encoding_of(&body, id), encoding, "{policy}: {id}");
        }
        if policy != TransferEncodingPolicy::Binary {
            // Nothing but the SOAP part and 8bit text is outside printable ASCII.
            assert!(
                !body.contains(&0xff) && !body.contains(&0),
                "{policy}: raw bytes left in the body"
            );
        }
    }
}

#[test]
fn a_part_can_have_its_own_encoding() {
    let mut options = EncodeOptions::default();
    options.transfer_encoding = TransferEncodingPolicy::Binary;
    options.part_transfer_encodings = vec![
        ("<saturn.gif>".to_owned(), TransferEncoding::Base64),
        ("text".to_owned(), TransferEncoding::QuotedPrintable),
    ];
    let body = round_trip(&options);
    assert_eq!(encoding_of(&body, "saturn.gif"), "base64");
    assert_eq!(encoding_of(&body, "text"), "quoted-printable");
    assert_eq!(encoding_of(&body, "long"), "binary");

    let mut unknown = EncodeOptions::default();
    unknown.part_transfer_encodings =
        vec![("text".to_owned(), TransferEncoding::parse("x-uuencode"))];
    let error = encode(&envelope(), &unknown).unwrap_err();
    assert!(matches!(error, EncodeError::Content(_)), "{error:?}");
    assert!(error.to_string().contains("x-uuencode"), "{error}");
}

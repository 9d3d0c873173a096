//! Entry points for the fuzz targets: each must never panic.
//!
//! Every target in `fuzz/fuzz_targets/` is a one-line call into a function
//! here, and [`TARGETS`] lists them by name, so `tests/fuzz_corpus.rs` replays
//! each committed corpus (`fuzz/corpus/NAME/`) and any crash artifacts
//! (`fuzz/artifacts/NAME/`) through the very same code as an ordinary test.
//! A panic in one of these functions is a bug in the layer it exercises.

use bytes::Bytes;

use crate::soap::xml::XmlLimits;
use crate::soap::{DecodeOptions, EncodeOptions, EnvelopeLimits, PrefixStyle};

use crate::mime::{
    HttpMessage, Limits, Multipart, MultipartBuilder, ParseOptions, Part, PartBuilder,
    TransferEncoding, parse_headers,
};

/// One generated leaf: media type, content, transfer encoding, Content-ID.
type Spec = (&'static str, Bytes, TransferEncoding, Option<String>);

/// A fuzz target entry point.
pub type Target = fn(&[u8]);

/// Every fuzz target, by the name of its file in `fuzz/fuzz_targets/`.
pub const TARGETS: &[(&str, Target)] = &[
    ("mime_parse", mime_parse),
    ("mime_roundtrip", mime_roundtrip),
    ("soap_decode", soap_decode),
    ("message_decode", message_decode),
];

/// Parses arbitrary input as a multipart: the first line is the Content-Type
/// value, the rest the body. Runs lenient, strict and tiny-limit parses and
/// touches every accessor, nested multiparts and decoders included; also
/// reads the whole input as a header block and as a captured HTTP message.
pub fn mime_parse(data: &[u8]) {
    let input = Bytes::copy_from_slice(data);
    let (content_type, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (String::from_utf8_lossy(&data[..i]), input.slice(i + 1..)),
        None => (String::from_utf8_lossy(data), Bytes::new()),
    };
    let tiny = Limits::default()
        .with_max_parts(4)
        .with_max_depth(3)
        .with_max_header_block(64);
    for options in [
        ParseOptions::lenient(),
        ParseOptions::strict(),
        ParseOptions::lenient().with_limits(tiny),
    ] {
        if let Ok(multipart) = Multipart::parse_with(body.clone(), &content_type, &options) {
            exercise(&multipart);
            for part in multipart.parts() {
                check_nested_split(part, &options);
            }
        }
        if let Ok(block) = parse_headers(&input, &options) {
            for field in block.headers.iter() {
                let _ = (field.name(), field.value(), field.value_bytes());
            }
        }
        if let Ok(message) = HttpMessage::parse_with(input.clone(), &options) {
            let _ = (
                message.method(),
                message.target(),
                message.status(),
                message.reason(),
            );
            if let Some(Ok(multipart)) = message.multipart() {
                exercise(&multipart);
            }
        }
    }
}

fn exercise(multipart: &Multipart) {
    let _ = (multipart.root(), multipart.preamble(), multipart.epilogue());
    for warning in multipart.warnings() {
        let _ = warning.to_string();
    }
    for part in multipart.parts() {
        exercise_part(part);
    }
    for leaf in multipart.leaves().flatten() {
        exercise_part(&leaf);
    }
}

/// A nested multipart is split with the line-start `--` positions its parent's scan found; its
/// body parsed alone, which scans it afresh, must split the same.
///
/// # Panics
///
/// When the two differ.
fn check_nested_split(part: &Part, options: &ParseOptions) {
    let (Some(Ok(nested)), Ok(body)) = (part.multipart(), part.decoded()) else {
        return;
    };
    let alone = Multipart::parse_content_type(body, part.content_type().clone(), options)
        .expect("a nested multipart's body parses alone as it parsed nested");
    let shift = part.body_offset();
    assert_eq!(nested.preamble(), alone.preamble());
    assert_eq!(nested.epilogue(), alone.epilogue());
    assert_eq!(nested.parts().len(), alone.parts().len());
    for (a, b) in nested.parts().iter().zip(alone.parts()) {
        assert_eq!(a.headers().as_bytes(), b.headers().as_bytes());
        assert_eq!(a.body(), b.body());
        assert_eq!(a.body_offset(), b.body_offset() + shift);
    }
    let warnings = |m: &Multipart, shift: usize| -> Vec<_> {
        let list = m.warnings().iter();
        list.map(|w| (w.kind().clone(), w.offset() + shift))
            .collect()
    };
    assert_eq!(warnings(&nested, 0), warnings(&alone, shift));
}

fn exercise_part(part: &Part) {
    let _ = (
        part.content_type().to_string(),
        part.content_id(),
        part.content_location(),
        part.filename(),
        part.transfer_encoding(),
        part.decoded(),
    );
    for field in part.headers().iter() {
        let _ = (field.name(), field.value());
    }
}

/// Builds a multipart from arbitrary input and checks that parsing the
/// output gives the input back.
///
/// The input is cut at each `0xFF 0xFE` into up to 16 parts. A part's first
/// byte chooses its transfer encoding (bits 0-1), whether it gets a
/// Content-ID (bit 2), whether it goes into a nested multipart/mixed placed
/// where the first such part is (bit 3), and its media type (bits 4-5); the
/// rest is its content.
///
/// # Panics
///
/// When the round trip loses or changes anything: that is the bug the
/// target looks for.
pub fn mime_roundtrip(data: &[u8]) {
    const MEDIA_TYPES: [&str; 4] = ["text/xml", "image/gif", "text/plain", "application/smil"];
    let mut specs = Vec::new();
    let mut rest = data;
    while specs.len() < 16 {
        let (piece, next) = match rest.windows(2).position(|pair| pair == b"\xff\xfe") {
            Some(i) => (&rest[..i], Some(&rest[i + 2..])),
            None => (rest, None),
        };
        let (control, content) = piece
            .split_first()
            .map_or((0, &[][..]), |(c, body)| (*c, body));
        let encoding = match control & 3 {
            0 => TransferEncoding::Binary,
            1 => TransferEncoding::Base64,
            2 => TransferEncoding::QuotedPrintable,
            _ => TransferEncoding::EightBit,
        };
        let index = specs.len();
        let content_id = (control & 4 != 0).then(|| format!("p{index}@fuzz"));
        let media_type = MEDIA_TYPES[usize::from(control >> 4) & 3];
        specs.push((
            media_type,
            Bytes::copy_from_slice(content),
            encoding,
            content_id,
            control & 8 != 0,
        ));
        match next {
            Some(next) => rest = next,
            None => break,
        }
    }

    let part = |(media_type, content, encoding, content_id): Spec| {
        let part = PartBuilder::new(media_type, content).transfer_encoding(encoding);
        match content_id {
            Some(id) => part.content_id(id),
            None => part,
        }
    };
    // The expected tree: top-level entries, `None` marking the nested multipart.
    let mut expected: Vec<Option<Spec>> = Vec::new();
    let mut nested_expected: Vec<Spec> = Vec::new();
    for (media_type, content, encoding, content_id, in_nested) in specs {
        let spec = (media_type, content, encoding, content_id);
        if !in_nested {
            expected.push(Some(spec));
            continue;
        }
        if nested_expected.is_empty() {
            expected.push(None);
        }
        nested_expected.push(spec);
    }
    let mut top = MultipartBuilder::related();
    for entry in &expected {
        top.push_part(match entry {
            Some(spec) => part(spec.clone()),
            None => {
                let mut nested = MultipartBuilder::mixed();
                for spec in &nested_expected {
                    nested.push_part(part(spec.clone()));
                }
                PartBuilder::multipart(nested)
            }
        });
    }

    let built = match top.build() {
        Ok(built) => built,
        Err(e) => panic!("building failed: {e}"),
    };
    assert_eq!(
        built.len(),
        built.chunks().iter().map(Bytes::len).sum::<usize>()
    );
    let parsed = match Multipart::parse_with(
        built.to_bytes(),
        built.content_type(),
        &ParseOptions::strict(),
    ) {
        Ok(parsed) => parsed,
        Err(e) => panic!("the writer's output does not parse: {e}"),
    };
    assert!(
        parsed.warnings().is_empty(),
        "warnings: {:?}",
        parsed.warnings()
    );
    assert_eq!(parsed.root_index(), Some(0));
    assert_eq!(parsed.parts().len(), expected.len());
    for (entry, got) in expected.iter().zip(parsed.parts()) {
        match entry {
            Some(spec) => check_leaf(spec, got),
            None => {
                let inner = match got.multipart() {
                    Some(Ok(inner)) => inner,
                    other => panic!("nested multipart lost: {other:?}"),
                };
                assert_eq!(inner.parts().len(), nested_expected.len());
                for (spec, got) in nested_expected.iter().zip(inner.parts()) {
                    check_leaf(spec, got);
                }
            }
        }
    }
}

fn check_leaf((media_type, content, encoding, content_id): &Spec, got: &Part) {
    assert_eq!(got.content_type().mime_type(), *media_type);
    assert_eq!(&got.transfer_encoding(), encoding);
    if let Some(id) = content_id {
        assert_eq!(got.content_id(), Some(id.as_str()));
    }
    match got.decoded() {
        Ok(decoded) => assert_eq!(&decoded, content),
        Err(e) => panic!("decoding failed: {e}"),
    }
}

/// Decodes arbitrary bytes as a SOAP envelope, with the default limits and with tiny ones.
/// What decodes is encoded again (in both prefix styles); what encodes must decode to the same
/// envelope.
///
/// # Panics
///
/// When a decoded message, encoded again, does not decode to itself: that is the bug the target
/// looks for.
pub fn soap_decode(data: &[u8]) {
    let tiny = DecodeOptions::default().with_limits(
        EnvelopeLimits::default()
            .with_xml(
                XmlLimits::default()
                    .with_max_depth(6)
                    .with_max_text(64)
                    .with_max_attributes(4),
            )
            .with_max_elements(32),
    );
    for options in [DecodeOptions::default(), tiny] {
        match crate::soap::decode_xml(data, &options) {
            Ok(decoded) => check_reencode(&decoded),
            Err(e) => {
                let _ = (e.to_string(), e.status_code(), e.fault_code());
            }
        }
    }
}

/// Decodes arbitrary input as an HTTP body: the first line is the Content-Type value, the rest
/// the body (SOAP alone, or SOAP with attachments). What decodes is reported as JSON and encoded
/// again, and what encodes must decode to the same envelope.
///
/// # Panics
///
/// As [`soap_decode`].
pub fn message_decode(data: &[u8]) {
    let input = Bytes::copy_from_slice(data);
    let (content_type, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (String::from_utf8_lossy(&data[..i]), input.slice(i + 1..)),
        None => (String::from_utf8_lossy(data), Bytes::new()),
    };
    match crate::soap::decode(&content_type, body, &DecodeOptions::default()) {
        Ok(decoded) => {
            let _ = crate::json::report(&decoded);
            check_reencode(&decoded);
        }
        Err(e) => {
            let _ = (e.to_string(), e.status_code());
        }
    }
}

/// Encodes a decoded message again, in both prefix styles, and checks that what encodes decodes
/// to the same envelope. Content-IDs the MIME writer had to generate (for parts that had none,
/// so that every part can be referenced) are the one expected difference.
///
/// # Panics
///
/// When the encoder's output does not decode, or decodes to another envelope.
pub fn check_reencode(decoded: &crate::soap::Decoded) {
    for style in [
        PrefixStyle::DefaultNamespace,
        PrefixStyle::Prefixed("mm7".into()),
    ] {
        let mut options = EncodeOptions::default();
        options.prefix_style = style;
        let Ok(encoded) = crate::soap::encode(&decoded.envelope, &options) else {
            continue;
        };
        match crate::soap::decode(
            &encoded.content_type,
            encoded.to_bytes(),
            &DecodeOptions::default(),
        ) {
            Ok(mut again) => {
                forget_generated_ids(
                    &decoded.envelope.attachments,
                    &mut again.envelope.attachments,
                );
                assert_eq!(
                    again.envelope, decoded.envelope,
                    "re-encoded message decodes differently"
                );
            }
            Err(e) => panic!("the encoder's output does not decode: {e}"),
        }
    }
}

fn forget_generated_ids(original: &[crate::model::Part], again: &mut [crate::model::Part]) {
    for (before, after) in original.iter().zip(again.iter_mut()) {
        if before.content_id.is_none() {
            after.content_id = None;
        }
        if let (
            crate::model::PartBody::Multipart(before),
            crate::model::PartBody::Multipart(after),
        ) = (&before.body, &mut after.body)
        {
            forget_generated_ids(before, after);
        }
    }
}

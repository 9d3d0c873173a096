//! The writer: framing, boundary choice, Content-IDs, zero-copy chunks.

use bytes::Bytes;
use mm7_mime::{
    ContentType, ErrorKind, Multipart, MultipartBuilder, PartBuilder, TransferEncoding,
};

fn soap() -> PartBuilder {
    PartBuilder::new("text/xml; charset=\"utf-8\"", "<env:Envelope/>")
}

#[test]
fn content_type_has_type_start_and_quoted_boundary() {
    let built = MultipartBuilder::related()
        .part(soap().content_id("<root@x>"))
        .start_info("application/soap+xml")
        .build()
        .unwrap();
    let ct = ContentType::parse(built.content_type()).unwrap();
    assert_eq!(ct.mime_type(), "multipart/related");
    assert_eq!(ct.related_type(), Some("text/xml"));
    assert_eq!(ct.start(), Some("<root@x>"));
    assert_eq!(ct.start_info(), Some("application/soap+xml"));
    assert_eq!(ct.boundary(), Some(built.boundary()));
    assert!(
        built
            .content_type()
            .contains(&format!("boundary=\"{}\"", built.boundary()))
    );
}

#[test]
fn framing_is_crlf_and_starts_with_the_first_delimiter() {
    let built = MultipartBuilder::mixed()
        .boundary("simple")
        .part(PartBuilder::new("text/plain", "a").content_id("a"))
        .part(PartBuilder::new("text/plain", "b").content_id("b"))
        .build()
        .unwrap();
    assert_eq!(
        built.to_bytes(),
        &b"--simple\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <a>\r\n\r\na\
           \r\n--simple\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <b>\r\n\r\nb\
           \r\n--simple--\r\n"[..]
    );
    assert_eq!(built.content_type(), "multipart/mixed; boundary=\"simple\"");
    assert_eq!(built.len(), built.to_bytes().len());
}

#[test]
fn binary_attachment_is_not_copied() {
    let image = Bytes::from(vec![0xA5u8; 300_000]);
    let built = MultipartBuilder::related()
        .part(soap())
        .part(PartBuilder::multipart(
            MultipartBuilder::mixed().part(PartBuilder::new("image/jpeg", image.clone())),
        ))
        .build()
        .unwrap();
    let chunk = built
        .chunks()
        .iter()
        .find(|c| c.len() == image.len())
        .unwrap();
    assert_eq!(chunk.as_ptr(), image.as_ptr());
}

#[test]
fn generated_boundary_does_not_occur_in_content() {
    // Content full of the generated boundary's fixed prefix.
    let tricky = Bytes::from("\r\n--=_mm7_\r\n--=_mm7_0\r\n=_mm7_".repeat(100));
    let built = MultipartBuilder::mixed()
        .part(PartBuilder::new("application/octet-stream", tricky.clone()))
        .build()
        .unwrap();
    assert!(memchr::memmem::find(&tricky, built.boundary().as_bytes()).is_none());
    let parsed = Multipart::parse(built.to_bytes(), built.content_type()).unwrap();
    assert_eq!(parsed.parts()[0].body(), &tricky);
}

#[test]
fn generated_boundaries_differ() {
    let a = MultipartBuilder::mixed().part(soap()).build().unwrap();
    let b = MultipartBuilder::mixed().part(soap()).build().unwrap();
    assert_ne!(a.boundary(), b.boundary());
}

#[test]
fn given_boundary_in_content_is_an_error() {
    let err = MultipartBuilder::mixed()
        .boundary("xyz")
        .part(PartBuilder::new("text/plain", "has xyz inside"))
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::BoundaryInContent);
}

#[test]
fn given_boundary_must_be_rfc2046_valid() {
    for bad in ["", "ends with space ", "bad\"quote", &"x".repeat(71)] {
        let err = MultipartBuilder::mixed()
            .boundary(bad)
            .part(soap())
            .build()
            .unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::InvalidBoundary(_)),
            "{bad:?}"
        );
    }
}

#[test]
fn unique_content_ids_when_none_are_given() {
    let built = MultipartBuilder::related()
        .part(soap())
        .part(PartBuilder::new("image/gif", "GIF"))
        .part(PartBuilder::multipart(
            MultipartBuilder::mixed()
                .part(PartBuilder::new("text/plain", "a"))
                .part(PartBuilder::new("text/plain", "b")),
        ))
        .build()
        .unwrap();
    let parsed = Multipart::parse(built.to_bytes(), built.content_type()).unwrap();
    let mut ids: Vec<String> = parsed
        .parts()
        .iter()
        .map(|p| p.content_id().unwrap().to_owned())
        .collect();
    let nested = parsed.parts()[2].multipart().unwrap().unwrap();
    ids.extend(
        nested
            .parts()
            .iter()
            .map(|p| p.content_id().unwrap().to_owned()),
    );
    assert_eq!(ids.len(), 5);
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 5, "{ids:?}");
    assert_eq!(built.content_ids(), &ids[..3]);
    assert_eq!(parsed.root_index(), Some(0));
    assert!(parsed.warnings().is_empty());
}

#[test]
fn generated_ids_avoid_given_ones() {
    let built = MultipartBuilder::related()
        .part(soap().content_id("x"))
        .part(PartBuilder::new("text/plain", "b"))
        .build()
        .unwrap();
    let generated = built.content_ids()[1].clone();
    let clash = MultipartBuilder::related()
        .part(soap())
        .part(PartBuilder::new("text/plain", "b").content_id(generated.clone()))
        .build()
        .unwrap();
    assert_ne!(clash.content_ids()[0], clash.content_ids()[1]);
}

#[test]
fn transfer_encodings_round_trip() {
    let data: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
    for encoding in [
        TransferEncoding::Base64,
        TransferEncoding::QuotedPrintable,
        TransferEncoding::Binary,
    ] {
        let built = MultipartBuilder::mixed()
            .part(
                PartBuilder::new("application/octet-stream", data.clone())
                    .transfer_encoding(encoding.clone()),
            )
            .build()
            .unwrap();
        let parsed = Multipart::parse(built.to_bytes(), built.content_type()).unwrap();
        assert_eq!(parsed.parts()[0].transfer_encoding(), encoding);
        assert_eq!(parsed.parts()[0].decoded().unwrap(), &data[..]);
    }
}

#[test]
fn header_injection_is_rejected() {
    let err = MultipartBuilder::mixed()
        .part(soap().header("X-Evil", "a\r\nContent-Type: text/html"))
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidHeader("X-Evil".into()));
    let err = MultipartBuilder::mixed()
        .part(soap().header("Bad Name", "v"))
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidHeader("Bad Name".into()));
    let err = MultipartBuilder::mixed()
        .part(PartBuilder::new("no-slash", "x"))
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidHeader("Content-Type".into()));
}

#[test]
fn line_breaks_in_content_type_parameters_are_rejected() {
    let err = MultipartBuilder::related()
        .part(soap())
        .start_info("a\r\nX-Injected: 1")
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidHeader("Content-Type".into()));
}

#[test]
fn a_multipart_needs_parts() {
    let err = MultipartBuilder::related().build().unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::NoParts);
}

#[test]
fn location_filename_and_extra_headers_are_written() {
    let built = MultipartBuilder::mixed()
        .part(
            PartBuilder::new("image/gif", "G")
                .content_location("saturn.gif")
                .filename("my \"saturn\".gif")
                .header("X-Extra", "1"),
        )
        .build()
        .unwrap();
    let parsed = Multipart::parse(built.to_bytes(), built.content_type()).unwrap();
    let part = &parsed.parts()[0];
    assert_eq!(part.content_location().as_deref(), Some("saturn.gif"));
    assert_eq!(part.filename().as_deref(), Some("my \"saturn\".gif"));
    assert_eq!(part.header("x-extra").as_deref(), Some("1"));
}

#[test]
fn related_type_of_a_multipart_root() {
    let built = MultipartBuilder::related()
        .part(PartBuilder::multipart(
            MultipartBuilder::mixed().part(soap()),
        ))
        .build()
        .unwrap();
    let ct = ContentType::parse(built.content_type()).unwrap();
    assert_eq!(ct.related_type(), Some("multipart/mixed"));
}

//! The providers' own example requests under their profiles.

use std::path::Path;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use mm7_transport::profile::{Profile, SubmitContext};

use crate::vibes::VIBES_URL;
use crate::{ERROR, WARNING, found};

/// A request vector: its headers and decoded envelope.
fn vector(name: &str) -> (http::HeaderMap, mm7_model::Envelope, u64) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/vectors")
        .join(format!("{name}.http"));
    let bytes = std::fs::read(&path).expect("a readable vector");
    let split = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a blank line after the headers");
    let head = String::from_utf8(bytes[..split].to_vec()).expect("ASCII headers");
    let mut headers = http::HeaderMap::new();
    let mut last: Option<(String, String)> = None;
    for line in head.split("\r\n").skip(1) {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = last.as_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
            continue;
        }
        if let Some((name, value)) = last.take() {
            headers.append(
                HeaderName::from_bytes(name.as_bytes()).expect("a header name"),
                HeaderValue::from_str(&value).expect("a header value"),
            );
        }
        if let Some((name, value)) = line.split_once(':') {
            last = Some((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    if let Some((name, value)) = last {
        headers.append(
            HeaderName::from_bytes(name.as_bytes()).expect("a header name"),
            HeaderValue::from_str(&value).expect("a header value"),
        );
    }
    let content_type = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .expect("a Content-Type")
        .to_owned();
    let body = Bytes::from(bytes[split + 4..].to_vec());
    let len = body.len() as u64;
    let decoded = mm7_soap::decode(&content_type, body, &mm7_soap::DecodeOptions::default())
        .expect("the vector decodes");
    (headers, decoded.envelope, len)
}

#[test]
fn the_providers_examples_under_their_profiles() {
    // ezitxt's and Optus's example: everything documented, but no SMIL with a GIF.
    for (name, profile, url) in [
        (
            "ezitxt_submit_req",
            Profile::Ezitxt,
            "https://eziapi.com/mm7",
        ),
        (
            "optus_submit_req",
            Profile::Optus,
            "https://api.sms.optus.com.au/mm7",
        ),
    ] {
        let (headers, envelope, len) = vector(name);
        let ctx = SubmitContext::new()
            .with_headers(headers)
            .with_body_len(len)
            .with_url(url.parse().expect("a URL"));
        let v = profile.check_envelope(&envelope, &ctx);
        assert_eq!(found(&v), [(WARNING, "Content")], "{name}: {v:?}");
    }
    let (headers, envelope, len) = vector("ezitxt_smil_submit_req");
    let ctx = SubmitContext::new()
        .with_headers(headers)
        .with_body_len(len);
    assert_eq!(found(&Profile::Ezitxt.check_envelope(&envelope, &ctx)), []);

    // Vibes's 5.5.0 example asks for delivery reports without the callback header, and
    // sends the 5.5.0 its own table advises against.
    let (headers, envelope, len) = vector("vibes_5_5_0_submit_req");
    let ctx = SubmitContext::new()
        .with_headers(headers)
        .with_body_len(len)
        .with_url(VIBES_URL.parse().expect("a URL"));
    let v = Profile::Vibes.check_envelope(&envelope, &ctx);
    assert_eq!(
        found(&v),
        [
            (WARNING, "MM7Version"),
            (ERROR, "header X-Vibes-DlrCallbackUrl")
        ],
        "{v:?}"
    );
}

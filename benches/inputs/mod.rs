//! The inputs of the hot-path benchmarks and of `tests/alloc.rs`, generated deterministically:
//!
//! - `dlr_small`: a `text/xml` DeliveryReportReq (REL-6-MM7-1-4), about 0.9 KB;
//! - `submit_small`: a multipart/related SubmitReq, about 2.5 KB: the SOAP part, then a nested
//!   multipart/mixed with text/plain, application/smil and a tiny image;
//! - `submit_300k_binary`: the same with a 300 KB image sent as `binary`;
//! - `submit_300k_base64`: the same with the image base64-encoded in 76-column CRLF lines.
//!
//! The bodies are written out byte by byte here rather than with the project's own writer, so
//! that a writer bug cannot make the benchmarks agree with it; each body is checked to hold
//! exactly its delimiter lines (the random image could in principle contain a boundary).

// Each including target uses its own subset of the inputs.
#![allow(dead_code)]

use bytes::Bytes;
use memchr::memmem::Finder;

/// The MM7 namespace of every input.
pub(crate) const NS: &str =
    "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4";
/// The outer (multipart/related) boundary.
pub(crate) const OUTER: &str = "=_mm7_outer_5f2a9c0e17";
/// The inner (multipart/mixed) boundary.
pub(crate) const INNER: &str = "=_mm7_inner_b7e013427d";
/// The size of the large image.
pub(crate) const LARGE_IMAGE: usize = 300 * 1024;
/// The size of the tiny image of `submit_small`.
pub(crate) const TINY_IMAGE: usize = 420;

/// A body with its Content-Type and what the baselines need to know about it.
#[derive(Debug, Clone)]
pub(crate) struct Input {
    /// The benchmark's name.
    pub(crate) name: &'static str,
    /// The HTTP Content-Type header value.
    pub(crate) content_type: String,
    /// The HTTP body.
    pub(crate) body: Bytes,
    /// The SOAP envelope (for a `text/xml` input, the whole body).
    pub(crate) soap: String,
    /// The image as sent (raw bytes, or base64 lines), a slice of `body`.
    pub(crate) image_wire: Bytes,
    /// The image's bytes.
    pub(crate) image: Bytes,
    /// Where the nested multipart/mixed body starts and ends in `body`.
    pub(crate) nested: (usize, usize),
}

/// The DeliveryReportReq callback, about 0.9 KB of `text/xml`.
pub(crate) fn dlr_small() -> Input {
    let soap = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/">
  <soap-env:Header>
    <TransactionID xmlns="{NS}" soap-env:mustUnderstand="1">dlr-20261121-000000001</TransactionID>
  </soap-env:Header>
  <soap-env:Body>
    <DeliveryReportReq xmlns="{NS}">
      <MM7Version>6.8.0</MM7Version>
      <MMSRelayServerID>mmsc01.example.net</MMSRelayServerID>
      <MessageID>369500617770864640</MessageID>
      <Recipient><Number>16175550123</Number></Recipient>
      <Sender><ShortCode>111122</ShortCode></Sender>
      <Date>2026-11-21T14:03:51.749Z</Date>
      <MMStatus>Retrieved</MMStatus>
      <StatusText>The message was retrieved by the recipient's handset.</StatusText>
    </DeliveryReportReq>
  </soap-env:Body>
</soap-env:Envelope>"#
    );
    let body = Bytes::from(soap.clone());
    Input {
        name: "dlr_small",
        content_type: "text/xml; charset=utf-8".to_owned(),
        body,
        soap,
        image_wire: Bytes::new(),
        image: Bytes::new(),
        nested: (0, 0),
    }
}

/// The SOAP part of every SubmitReq input (about 1.3 KB).
pub(crate) fn submit_soap() -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">
  <env:Header>
    <mm7:TransactionID xmlns:mm7="{NS}" env:mustUnderstand="1">vasp-20261121-000042</mm7:TransactionID>
  </env:Header>
  <env:Body>
    <SubmitReq xmlns="{NS}">
      <MM7Version>6.8.0</MM7Version>
      <SenderIdentification>
        <VASPID>news-vasp</VASPID>
        <VASID>daily-pictures</VASID>
        <SenderAddress><ShortCode>12345</ShortCode></SenderAddress>
      </SenderIdentification>
      <Recipients>
        <To><Number>15551234567</Number><Number>15551234568</Number></To>
        <Cc><RFC2822Address>editor@news.example.com</RFC2822Address></Cc>
      </Recipients>
      <ServiceCode>pictures-of-the-day</ServiceCode>
      <LinkedID>mo-20261121-7781</LinkedID>
      <MessageClass>Informational</MessageClass>
      <TimeStamp>2026-11-21T09:30:00Z</TimeStamp>
      <ExpiryDate>P2D</ExpiryDate>
      <DeliveryReport>true</DeliveryReport>
      <ReadReply>false</ReadReply>
      <Priority>Normal</Priority>
      <Subject>Pictures of the day</Subject>
      <ChargedParty>Sender</ChargedParty>
      <DistributionIndicator>true</DistributionIndicator>
      <Content href="cid:content@news.example.com" allowAdaptations="true"/>
    </SubmitReq>
  </env:Body>
</env:Envelope>"#
    )
}

const SMIL: &str = r#"<smil><head><layout><root-layout width="320" height="480"/><region id="Image" top="0" height="70%"/><region id="Text" top="70%" height="30%"/></layout></head><body><par dur="5s"><img src="cid:image@news.example.com" region="Image"/><text src="cid:text@news.example.com" region="Text"/></par></body></smil>"#;

const TEXT: &str = "Today's pictures: the harbour at dawn, seen from the lighthouse.";

/// Incompressible, reproducible bytes (xorshift64*), starting like a JPEG.
pub(crate) fn image(size: usize) -> Bytes {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut data = Vec::with_capacity(size + 8);
    data.extend_from_slice(b"\xFF\xD8\xFF\xE0");
    while data.len() < size {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        data.extend_from_slice(&state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    data.truncate(size);
    Bytes::from(data)
}

/// Base64 in 76-character lines, each ended by CRLF (RFC 2045 §6.8), written with the
/// `base64` crate so that the project's encoder is not the one under test.
pub(crate) fn base64_lines(data: &[u8]) -> Vec<u8> {
    use base64::Engine as _;
    let plain = base64::engine::general_purpose::STANDARD.encode(data);
    let mut out = Vec::with_capacity(plain.len() + plain.len() / 76 * 2 + 2);
    for line in plain.as_bytes().chunks(76) {
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// How the image of a SubmitReq is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wire {
    Binary,
    Base64,
}

fn submit(name: &'static str, image_size: usize, wire: Wire) -> Input {
    let soap = submit_soap();
    let image = image(image_size);
    let (encoding, image_wire) = match wire {
        Wire::Binary => ("binary", image.to_vec()),
        Wire::Base64 => ("base64", base64_lines(&image)),
    };
    let mut body = Vec::with_capacity(image_wire.len() + 4096);
    let put = |body: &mut Vec<u8>, s: &str| body.extend_from_slice(s.as_bytes());
    put(
        &mut body,
        &format!(
            "--{OUTER}\r\nContent-Type: text/xml; charset=utf-8\r\nContent-ID: <soap@news.example.com>\r\n\
         Content-Transfer-Encoding: 8bit\r\n\r\n"
        ),
    );
    put(&mut body, &soap);
    put(
        &mut body,
        &format!(
            "\r\n--{OUTER}\r\nContent-Type: multipart/mixed; boundary=\"{INNER}\"\r\n\
         Content-ID: <content@news.example.com>\r\n\r\n"
        ),
    );
    let nested_start = body.len();
    put(
        &mut body,
        &format!(
            "--{INNER}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-ID: <text@news.example.com>\r\n\
         Content-Transfer-Encoding: 8bit\r\n\r\n{TEXT}\r\n"
        ),
    );
    put(
        &mut body,
        &format!(
            "--{INNER}\r\nContent-Type: application/smil\r\nContent-ID: <smil@news.example.com>\r\n\r\n{SMIL}\r\n"
        ),
    );
    put(
        &mut body,
        &format!(
            "--{INNER}\r\nContent-Type: image/jpeg\r\nContent-ID: <image@news.example.com>\r\n\
         Content-Transfer-Encoding: {encoding}\r\n\r\n"
        ),
    );
    let image_start = body.len();
    body.extend_from_slice(&image_wire);
    let image_end = body.len();
    put(&mut body, &format!("\r\n--{INNER}--\r\n"));
    let nested_end = body.len();
    put(&mut body, &format!("\r\n--{OUTER}--\r\n"));
    let body = Bytes::from(body);

    // Exactly the delimiter lines written above: 2 + close outside, 3 + close inside.
    assert_eq!(
        count(&body, &format!("--{OUTER}")),
        3,
        "{name}: outer boundary"
    );
    assert_eq!(
        count(&body, &format!("--{INNER}")),
        4,
        "{name}: inner boundary"
    );
    for boundary in [OUTER, INNER] {
        assert_eq!(
            count(&image_wire, boundary),
            0,
            "{name}: image holds {boundary}"
        );
    }
    Input {
        name,
        content_type: format!(
            "multipart/related; type=\"text/xml\"; start=\"<soap@news.example.com>\"; \
             boundary=\"{OUTER}\""
        ),
        image_wire: body.slice(image_start..image_end),
        body,
        soap,
        image,
        nested: (nested_start, nested_end),
    }
}

fn count(haystack: &[u8], needle: &str) -> usize {
    Finder::new(needle.as_bytes()).find_iter(haystack).count()
}

/// SubmitReq with a tiny image, about 2.5 KB.
pub(crate) fn submit_small() -> Input {
    submit("submit_small", TINY_IMAGE, Wire::Binary)
}

/// SubmitReq with a 300 KB image sent as binary.
pub(crate) fn submit_300k_binary() -> Input {
    submit("submit_300k_binary", LARGE_IMAGE, Wire::Binary)
}

/// SubmitReq with a 300 KB image sent as base64 lines.
pub(crate) fn submit_300k_base64() -> Input {
    submit("submit_300k_base64", LARGE_IMAGE, Wire::Base64)
}

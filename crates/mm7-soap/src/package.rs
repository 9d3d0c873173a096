//! SOAP with attachments: an MM7 HTTP body is either the SOAP envelope alone (`text/xml`) or a
//! `multipart/related` whose root part is the envelope and whose other parts carry the
//! multimedia content that `<Content href="cid:…"/>` names.

use bytes::Bytes;
use mm7_mime::{ContentType, Multipart, MultipartBuilder, PartBuilder, TransferEncoding};
use mm7_model::{Envelope, Part, PartBody};

use crate::error::{Context, DecodeError, DecodeErrorKind, EncodeError, Warning};
use crate::{
    DecodeOptions, Decoded, EncodeOptions, decode_xml, decode_xml_with_charset,
    encode_xml_with_warnings,
};

/// Decodes an HTTP body from its Content-Type header value.
///
/// `text/xml` and `application/xml` (and an empty Content-Type, which some peers send) are read
/// as the envelope alone. `multipart/related` (any `multipart/*`) is split; its root part (the
/// one `start` names, else the first) is the envelope, and every other part becomes an entry of
/// [`Envelope::attachments`], nested multiparts as trees, transfer encodings undone, bodies
/// sharing the received buffer wherever no decoding was needed. The part that `Content@href`
/// names must be among them (matched by Content-ID, with or without `cid:` and angle brackets,
/// or by Content-Location).
///
/// ```
/// use bytes::Bytes;
///
/// let body = Bytes::from_static(
///     b"--b\r\nContent-Type: text/xml\r\nContent-ID: <soap>\r\n\r\n\
/// <env:Envelope xmlns:env=\"http://schemas.xmlsoap.org/soap/envelope/\"><env:Header>\
/// <TransactionID xmlns=\"http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4\">t1</TransactionID>\
/// </env:Header><env:Body>\
/// <DeliverReq xmlns=\"http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4\">\
/// <MM7Version>6.8.0</MM7Version><Sender><Number>15551234567</Number></Sender>\
/// <Content href=\"cid:msg\"/></DeliverReq></env:Body></env:Envelope>\r\n\
/// --b\r\nContent-Type: text/plain\r\nContent-ID: <msg>\r\n\r\nhello\r\n--b--\r\n",
/// );
/// let decoded = mm7_soap::decode(
///     r#"multipart/related; type="text/xml"; start="<soap>"; boundary=b"#,
///     body,
///     &Default::default(),
/// )?;
/// let content = decoded.envelope.content().expect("the content part");
/// assert_eq!(content.media_type(), "text/plain");
/// # Ok::<(), mm7_soap::DecodeError>(())
/// ```
///
/// # Errors
/// [`DecodeError`]: MIME that cannot be split (2007), MIME limits or missing content (2004),
/// and every error of [`decode_xml`]. An error found after the envelope was read carries its
/// TransactionID.
pub fn decode(
    content_type: &str,
    body: Bytes,
    options: &DecodeOptions,
) -> Result<Decoded, DecodeError> {
    let content_type = content_type.trim();
    if content_type.is_empty() {
        return decode_xml(&body, options);
    }
    let parsed = ContentType::parse(content_type).map_err(|_| {
        DecodeError::new(DecodeErrorKind::UnsupportedContentType(
            content_type.to_string(),
        ))
    })?;
    let media = parsed.mime_type();
    if media.starts_with("multipart/") {
        return decode_multipart(body, parsed, options);
    }
    if media == "text/xml" || media == "application/xml" || media.ends_with("+xml") {
        return decode_xml_with_charset(&body, parsed.charset(), options);
    }
    Err(DecodeError::new(DecodeErrorKind::UnsupportedContentType(
        content_type.to_string(),
    )))
}

fn decode_multipart(
    body: Bytes,
    content_type: ContentType,
    options: &DecodeOptions,
) -> Result<Decoded, DecodeError> {
    let multipart = Multipart::parse_content_type(body, content_type, &options.mime)?;
    let root_index = multipart.root_index().ok_or_else(|| {
        DecodeError::new(DecodeErrorKind::Mime(crate::error::MimeError::new(
            mm7_mime::ErrorKind::BoundaryNotFound,
        )))
    })?;
    let root = &multipart.parts()[root_index];
    let xml = root.decoded()?;
    // Read from the header: the root's Content-Type is not needed whole.
    let charset = root.content_type_param("charset");
    let mut decoded =
        decode_xml_with_charset(&xml, charset.as_deref(), options).map_err(|mut e| {
            // A position in the SOAP part; say where that part starts in the body too.
            e.mime_offset = e.mime_offset.or(Some(root.body_offset()));
            e
        })?;
    for warning in multipart.warnings() {
        decoded.warnings.push(Warning::Mime(warning.to_string()));
    }
    let mut attachments = Vec::with_capacity(multipart.parts().len().saturating_sub(1));
    for (index, part) in multipart.parts().iter().enumerate() {
        if index != root_index {
            match to_model_part(part, index, options, 1, &mut decoded.warnings) {
                Ok(part) => attachments.push(part),
                Err(error) => {
                    let mut error = error.with_context(&context(&decoded.envelope));
                    error.warnings = decoded.warnings;
                    return Err(error);
                }
            }
        }
    }
    decoded.envelope.attachments = attachments;
    if let Some(href) = decoded.envelope.content_href()
        && decoded.envelope.content().is_none()
    {
        // One attachment and an href that does not name it: some MMSCs rewrite Content-IDs on
        // the way; the content is still unambiguous.
        if decoded.envelope.attachments.len() == 1 {
            decoded.warnings.push(Warning::Lenient(format!(
                "Content href {href:?} names no part; the only attachment is taken as the content"
            )));
        } else {
            let mut error = DecodeError::new(DecodeErrorKind::ContentNotFound(href.to_string()))
                .with_context(&context(&decoded.envelope));
            error.warnings = decoded.warnings;
            return Err(error);
        }
    }
    Ok(decoded)
}

/// What an error found after the envelope was read carries.
fn context(envelope: &Envelope) -> Context<'_> {
    Context {
        transaction_id: Some(&envelope.transaction_id),
        namespace: Some(envelope.namespace.uri()),
        mm7_version: envelope.mm7_version().map(|v| v.as_str()),
        operation: Some(envelope.message.operation_name()),
    }
}

fn to_model_part(
    part: &mm7_mime::Part,
    index: usize,
    options: &DecodeOptions,
    depth: usize,
    warnings: &mut Vec<Warning>,
) -> Result<Part, DecodeError> {
    let (content_type, body) = match part.multipart() {
        Some(nested) if depth < options.mime.limits.max_depth => {
            let nested = nested?;
            let mut children = Vec::with_capacity(nested.parts().len());
            for (i, child) in nested.parts().iter().enumerate() {
                children.push(to_model_part(child, i, options, depth + 1, warnings)?);
            }
            // The boundary is framing, chosen afresh by whoever writes the part again; the
            // content is the media type, the `type` of a multipart/related, and which part is
            // its root. The parts stay in wire order, and the root stays where it came, named
            // by `start` as received (written back as it is; see `Part::root`) when it is not
            // the first.
            let nested_type = nested.content_type();
            let is_related = nested_type.is("multipart/related");
            // RFC 2387 requires `type` on multipart/related; where a peer left it out, it is
            // the root's type (the part `start` names, else the first).
            let related = is_related.then(|| {
                nested_type.related_type().map(str::to_string).or_else(|| {
                    nested
                        .root()
                        .or_else(|| nested.parts().first())
                        .map(|root| root.content_type().mime_type().to_string())
                })
            });
            let quoted = |value: &str| {
                // RFC 2045 quoted-string: a quote or backslash in the value is escaped.
                value.replace('\\', "\\\\").replace('"', "\\\"")
            };
            let mut framing_free = nested_type.mime_type().to_string();
            if let Some(related) = related.flatten() {
                framing_free.push_str("; type=\"");
                framing_free.push_str(&quoted(&related));
                framing_free.push('"');
            }
            // A `start` naming the first part says what its absence says (and what a writer
            // puts there): only one naming another part (or none) is kept.
            let names_first = |start: &str| {
                nested.parts().first().and_then(|p| p.content_id())
                    == Some(mm7_mime::normalize_content_id(start))
            };
            if let Some(start) = nested_type
                .start()
                .filter(|start| is_related && !names_first(start))
            {
                framing_free.push_str("; start=\"");
                framing_free.push_str(&quoted(start));
                framing_free.push('"');
            }
            (framing_free, PartBody::Multipart(children))
        }
        Some(_) => {
            return Err(DecodeError::new(DecodeErrorKind::Mime(
                crate::error::MimeError::new(mm7_mime::ErrorKind::TooDeep {
                    limit: options.mime.limits.max_depth,
                }),
            )));
        }
        None => {
            let name = || {
                part.content_id()
                    .map_or_else(|| format!("part {index}"), str::to_string)
            };
            let data = if part.transfer_encoding() == TransferEncoding::Base64 {
                base64_content(part, &name, warnings)?
            } else {
                part.decoded().map_err(|e| {
                    DecodeError::new(DecodeErrorKind::BadAttachment {
                        content_id: name(),
                        reason: e.to_string(),
                    })
                })?
            };
            let content_type = part
                .header("Content-Type")
                .map_or_else(|| "text/plain".to_string(), |v| v.trim().to_string());
            (content_type, PartBody::Data(data))
        }
    };
    Ok(Part {
        content_type,
        content_id: part.content_id().map(str::to_string),
        content_location: part.content_location().map(|l| l.trim().to_string()),
        filename: part.filename(),
        body,
    })
}

/// The content of a base64 part. What real encoders insert (spaces, a missing final `=`) is
/// skipped with a warning; anything else means the content is not what was sent, and is
/// refused (2007) naming the part and the byte, rather than handed on as garbage.
fn base64_content(
    part: &mm7_mime::Part,
    name: &dyn Fn() -> String,
    warnings: &mut Vec<Warning>,
) -> Result<Bytes, DecodeError> {
    let (data, report) = mm7_mime::encoding::decode_base64_checked(part.body());
    if let Some(at) = report.invalid_at {
        let byte = part.body().get(at).copied().unwrap_or_default();
        let mut error = DecodeError::new(DecodeErrorKind::CorruptAttachment {
            content_id: name(),
            reason: format!("byte {byte:#04x} at offset {at} of its body is not base64"),
        });
        error.mime_offset = Some(part.body_offset() + at);
        return Err(error);
    }
    if report.stray_whitespace > 0 {
        warnings.push(Warning::Lenient(format!(
            "attachment {}: {} spaces or tabs in its base64 skipped",
            name(),
            report.stray_whitespace
        )));
    }
    if report.missing_padding {
        warnings.push(Warning::Lenient(format!(
            "attachment {}: base64 without its final padding",
            name()
        )));
    }
    Ok(Bytes::from(data))
}

/// An encoded HTTP body: the Content-Type header value and the body as chunks (attachments
/// given as `Bytes` are not copied; write the chunks in order).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Encoded {
    /// The Content-Type header value.
    pub content_type: String,
    /// The body, in order.
    pub body: Vec<Bytes>,
    /// What was dropped under [`EncodeOptions::drop_undefined`].
    pub warnings: Vec<Warning>,
}

impl Encoded {
    /// An encoded body: its Content-Type header value, its chunks in order, and what was
    /// dropped on the way.
    pub fn new(
        content_type: impl Into<String>,
        body: Vec<Bytes>,
        warnings: Vec<Warning>,
    ) -> Encoded {
        Encoded {
            content_type: content_type.into(),
            body,
            warnings,
        }
    }

    /// The body's length in bytes.
    pub fn len(&self) -> usize {
        self.body.iter().map(Bytes::len).sum()
    }

    /// True when the body is empty (never, for an encoded message).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The body in one buffer (one copy; prefer writing [`Encoded::body`] chunk by chunk).
    pub fn to_bytes(&self) -> Bytes {
        if let [single] = self.body.as_slice() {
            return single.clone();
        }
        let mut out = Vec::with_capacity(self.len());
        for chunk in &self.body {
            out.extend_from_slice(chunk);
        }
        Bytes::from(out)
    }
}

/// Encodes an envelope and its attachments as an HTTP body.
///
/// With no attachments the body is the envelope alone, `text/xml; charset=utf-8`. Otherwise it
/// is a `multipart/related` with `type="text/xml"`, whose root (named by `start`) is the
/// envelope and whose other parts are [`Envelope::attachments`] in order (nested multiparts
/// kept; each leaf in the Content-Transfer-Encoding that
/// [`EncodeOptions::part_transfer_encodings`] names for its Content-ID, else in the one
/// [`EncodeOptions::transfer_encoding`] gives its media type, `binary` by default); the
/// boundaries are generated
/// by [`mm7_mime::MultipartBuilder`] (128 unguessable bits each, header blocks checked).
///
/// # Errors
/// [`EncodeError`] from [`crate::encode_xml`], or [`EncodeError::Content`] when a part cannot be
/// framed (an invalid Content-Type, a line break in a header value).
pub fn encode(envelope: &Envelope, options: &EncodeOptions) -> Result<Encoded, EncodeError> {
    let (xml, warnings) = encode_xml_with_warnings(envelope, options)?;
    if envelope.attachments.is_empty() {
        return Ok(Encoded {
            content_type: "text/xml; charset=utf-8".to_string(),
            body: vec![Bytes::from(xml)],
            warnings,
        });
    }
    let root_id = soap_content_id(envelope);
    let mut builder = MultipartBuilder::related()
        .related_type("text/xml")
        .part(PartBuilder::new("text/xml; charset=utf-8", Bytes::from(xml)).content_id(root_id));
    for part in &envelope.attachments {
        builder.push_part(part_builder(part, options));
    }
    let (content_type, body) = builder
        .build()
        .map_err(|e| EncodeError::Content(e.to_string()))?
        .into_parts();
    Ok(Encoded {
        content_type,
        body,
        warnings,
    })
}

/// A Content-ID for the SOAP part that no attachment uses.
fn soap_content_id(envelope: &Envelope) -> String {
    let taken = |id: &str| {
        envelope.attachments.iter().any(|p| {
            p.leaves()
                .any(|leaf| leaf.content_id.as_deref() == Some(id))
                || p.content_id.as_deref() == Some(id)
        })
    };
    let mut id = "mm7-soap-envelope".to_string();
    let mut n = 1;
    while taken(&id) {
        n += 1;
        id = format!("mm7-soap-envelope-{n}");
    }
    id
}

/// The Content-Transfer-Encoding of a leaf part: its own choice by Content-ID, else the
/// policy's for its media type.
fn leaf_encoding(part: &Part, data: &[u8], options: &EncodeOptions) -> TransferEncoding {
    let own = part.content_id.as_deref().and_then(|id| {
        let id = id.trim().trim_start_matches('<').trim_end_matches('>');
        options
            .part_transfer_encodings
            .iter()
            .find(|(key, _)| key.trim().trim_start_matches('<').trim_end_matches('>') == id)
            .map(|(_, encoding)| encoding.clone())
    });
    own.unwrap_or_else(|| {
        let media_type = part.media_type().to_ascii_lowercase();
        options.transfer_encoding.encoding_for(&media_type, data)
    })
}

fn part_builder(part: &Part, options: &EncodeOptions) -> PartBuilder {
    let mut builder = match &part.body {
        PartBody::Data(data) => PartBuilder::new(part.content_type.clone(), data.clone())
            .transfer_encoding(leaf_encoding(part, data, options)),
        PartBody::Multipart(children) => {
            let subtype = part
                .content_type
                .split(';')
                .next()
                .and_then(|t| t.trim().split_once('/'))
                .map_or("mixed", |(_, sub)| sub)
                .to_string();
            let mut nested = MultipartBuilder::new(subtype);
            if let Ok(ct) = ContentType::parse(&part.content_type) {
                if let Some(t) = ct.related_type() {
                    nested = nested.related_type(t.to_string());
                }
                // The root named as received, the parts in their order.
                if let Some(start) = ct.start().filter(|_| ct.is("multipart/related")) {
                    nested = nested.start(start.to_string());
                }
            }
            for child in children {
                nested.push_part(part_builder(child, options));
            }
            PartBuilder::multipart(nested)
        }
        _ => PartBuilder::new("application/octet-stream", Bytes::new()),
    };
    if let Some(id) = &part.content_id {
        builder = builder.content_id(id.clone());
    }
    if let Some(location) = &part.content_location {
        builder = builder.content_location(location.clone());
    }
    if let Some(filename) = &part.filename {
        builder = builder.filename(filename);
    }
    builder
}

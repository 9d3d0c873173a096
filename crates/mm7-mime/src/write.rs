//! Building multipart bodies: CRLF framing, a boundary checked not to occur
//! in the content, generated Content-IDs, and output as a list of [`Bytes`]
//! chunks so that an attachment given as `Bytes` is never copied (binary) or
//! copied once (when the writer transfer-encodes it).

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::{Bytes, BytesMut};
use memchr::memmem::Finder;

use crate::content_type::{ContentType, normalize_content_id, write_param_value};
use crate::encoding::TransferEncoding;
use crate::error::{Error, ErrorKind};
use crate::params::is_token_char;

/// Attempts at a random boundary before giving up; each candidate carries 128
/// random bits, so a second attempt already needs content crafted against
/// this process's hash keys.
const BOUNDARY_ATTEMPTS: usize = 16;

/// Builds a multipart body.
///
/// ```
/// use bytes::Bytes;
/// use mm7_mime::{MultipartBuilder, PartBuilder, TransferEncoding, Multipart};
///
/// let image = Bytes::from_static(b"GIF89a\x00\x01binary");
/// let encoded = MultipartBuilder::related()
///     .with_part(PartBuilder::new("text/xml; charset=utf-8", "<env/>").with_content_id("soap"))
///     .with_part(PartBuilder::multipart(
///         MultipartBuilder::mixed()
///             .with_part(PartBuilder::new("text/plain", "hello"))
///             .with_part(PartBuilder::new("image/gif", image.clone()).with_filename("a.gif")),
///     ).with_content_id("content"))
///     .build()?;
/// assert!(encoded.content_type().starts_with(r#"multipart/related; type="text/xml"; start="<soap>"; boundary=""#));
///
/// let parsed = Multipart::parse(encoded.to_bytes(), encoded.content_type())?;
/// assert_eq!(parsed.root().unwrap().body(), &b"<env/>"[..]);
/// let leaves: Vec<_> = parsed.leaves().collect::<Result<_, _>>()?;
/// assert_eq!(leaves[2].decoded()?, image);
/// assert_eq!(leaves[2].filename().as_deref(), Some("a.gif"));
/// # Ok::<(), mm7_mime::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct MultipartBuilder {
    subtype: String,
    parts: Vec<PartBuilder>,
    boundary: Option<String>,
    related_type: Option<String>,
    start_info: Option<String>,
}

impl MultipartBuilder {
    /// A `multipart/<subtype>` builder.
    pub fn new(subtype: impl Into<String>) -> Self {
        Self {
            subtype: subtype.into().to_ascii_lowercase(),
            parts: Vec::new(),
            boundary: None,
            related_type: None,
            start_info: None,
        }
    }

    /// `multipart/related` (RFC 2387): the first part is the root, named by
    /// the `start` parameter; `type` is the root's media type unless set.
    pub fn related() -> Self {
        Self::new("related")
    }

    /// `multipart/mixed`.
    pub fn mixed() -> Self {
        Self::new("mixed")
    }

    /// Appends a part.
    #[must_use]
    pub fn with_part(mut self, part: PartBuilder) -> Self {
        self.parts.push(part);
        self
    }

    /// Appends a part.
    pub fn push_part(&mut self, part: PartBuilder) {
        self.parts.push(part);
    }

    /// Uses this boundary instead of a generated one; [`build`](Self::build)
    /// fails with [`ErrorKind::BoundaryInContent`] if it occurs in the content.
    #[must_use]
    pub fn with_boundary(mut self, boundary: impl Into<String>) -> Self {
        self.boundary = Some(boundary.into());
        self
    }

    /// Sets the multipart/related `type` parameter.
    #[must_use]
    pub fn with_type(mut self, media_type: impl Into<String>) -> Self {
        self.related_type = Some(media_type.into());
        self
    }

    /// Sets the multipart/related `start-info` parameter.
    #[must_use]
    pub fn with_start_info(mut self, start_info: impl Into<String>) -> Self {
        self.start_info = Some(start_info.into());
        self
    }

    /// Frames the parts. Transfer-encodes those that ask for base64 or
    /// quoted-printable (the only copies made), generates Content-IDs that are
    /// unique in the whole tree for parts without one, and picks a boundary
    /// that does not occur anywhere in the framed content.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NoParts`], [`ErrorKind::InvalidHeader`] (a line break in a
    /// value, a bad header name, an unparseable Content-Type),
    /// [`ErrorKind::InvalidBoundary`] / [`ErrorKind::BoundaryInContent`] for a
    /// given boundary, [`ErrorKind::UnsupportedTransferEncoding`].
    pub fn build(self) -> Result<EncodedMultipart, Error> {
        let mut ids = IdGenerator {
            taken: Vec::new(),
            prefix: random_hex(),
            next: 1,
        };
        self.collect_ids(&mut ids.taken);
        self.encode(&mut ids)
    }

    fn collect_ids(&self, taken: &mut Vec<String>) {
        for part in &self.parts {
            if let Some(id) = &part.content_id {
                taken.push(normalize_content_id(id).to_owned());
            }
            if let PartBody::Multipart(nested) = &part.body {
                nested.collect_ids(taken);
            }
        }
    }

    fn encode(self, ids: &mut IdGenerator) -> Result<EncodedMultipart, Error> {
        let invalid = |name: &str| Error::new(ErrorKind::InvalidHeader(name.to_owned()), 0);
        if self.parts.is_empty() {
            return Err(Error::new(ErrorKind::NoParts, 0));
        }
        if self.subtype.is_empty() || !self.subtype.chars().all(is_token_char) {
            return Err(invalid("Content-Type"));
        }
        let mut rendered: Vec<(String, Vec<Bytes>)> = Vec::with_capacity(self.parts.len());
        let mut content_ids = Vec::with_capacity(self.parts.len());
        let mut root_type = String::new();
        for part in self.parts {
            let content_id = match &part.content_id {
                Some(id) => normalize_content_id(id).to_owned(),
                None => ids.fresh(),
            };
            let (content_type, encoding, chunks) = match part.body {
                PartBody::Content(content) => {
                    let parsed = ContentType::parse(&part.content_type)
                        .map_err(|_| invalid("Content-Type"))?;
                    if root_type.is_empty() {
                        root_type = parsed.mime_type().to_owned();
                    }
                    let encoding = part.transfer_encoding.unwrap_or(TransferEncoding::Binary);
                    let encoded = encoding.encode(&content)?;
                    (part.content_type, Some(encoding), vec![encoded])
                }
                PartBody::Multipart(nested) => {
                    let nested = nested.encode(ids)?;
                    if root_type.is_empty() {
                        root_type = format!("multipart/{}", nested.subtype);
                    }
                    (nested.content_type, None, nested.chunks)
                }
            };
            let mut head = String::new();
            write_header(&mut head, "Content-Type", &content_type)?;
            if let Some(encoding) = encoding {
                write_header(&mut head, "Content-Transfer-Encoding", encoding.as_str())?;
            }
            write_header(&mut head, "Content-ID", &format!("<{content_id}>"))?;
            if let Some(location) = &part.content_location {
                write_header(&mut head, "Content-Location", location)?;
            }
            if let Some(disposition) = &part.disposition {
                write_header(&mut head, "Content-Disposition", disposition)?;
            }
            for (name, value) in &part.headers {
                write_header(&mut head, name, value)?;
            }
            head.push_str("\r\n");
            rendered.push((head, chunks));
            content_ids.push(content_id);
        }

        let occurs = |boundary: &str| {
            let finder = Finder::new(boundary.as_bytes());
            rendered.iter().any(|(head, chunks)| {
                finder.find(head.as_bytes()).is_some()
                    || chunks.iter().any(|chunk| finder.find(chunk).is_some())
            })
        };
        // Every chunk edge is next to a CR or LF (header blocks end with one,
        // delimiters start with one), and a boundary holds neither, so a
        // boundary absent from every chunk is absent from the whole body.
        let boundary = match self.boundary {
            Some(boundary) => {
                check_boundary(&boundary)?;
                if occurs(&boundary) {
                    return Err(Error::new(ErrorKind::BoundaryInContent, 0));
                }
                boundary
            }
            None => (0..BOUNDARY_ATTEMPTS)
                .map(|_| format!("=_mm7_{}", random_hex()))
                .find(|candidate| !occurs(candidate))
                .ok_or_else(|| Error::new(ErrorKind::BoundaryInContent, 0))?,
        };

        let mut content_type = format!("multipart/{}", self.subtype);
        if self.subtype == "related" {
            let related_type = self.related_type.unwrap_or(root_type);
            push_quoted_param(&mut content_type, "type", &related_type);
            let root = content_ids.first().map(String::as_str).unwrap_or_default();
            push_quoted_param(&mut content_type, "start", &format!("<{root}>"));
            if let Some(start_info) = &self.start_info {
                push_quoted_param(&mut content_type, "start-info", start_info);
            }
        }
        push_quoted_param(&mut content_type, "boundary", &boundary);
        if content_type.contains(['\r', '\n', '\0']) {
            return Err(invalid("Content-Type"));
        }

        let mut chunks = Vec::with_capacity(rendered.len() * 2 + 1);
        for (index, (head, body)) in rendered.into_iter().enumerate() {
            let mut framing = BytesMut::with_capacity(head.len() + boundary.len() + 8);
            if index > 0 {
                framing.extend_from_slice(b"\r\n");
            }
            framing.extend_from_slice(b"--");
            framing.extend_from_slice(boundary.as_bytes());
            framing.extend_from_slice(b"\r\n");
            framing.extend_from_slice(head.as_bytes());
            chunks.push(framing.freeze());
            chunks.extend(body.into_iter().filter(|chunk| !chunk.is_empty()));
        }
        chunks.push(Bytes::from(format!("\r\n--{boundary}--\r\n")));
        let len = chunks.iter().map(Bytes::len).sum();
        Ok(EncodedMultipart {
            content_type,
            subtype: self.subtype,
            boundary,
            content_ids,
            chunks,
            len,
        })
    }
}

/// `; name="value"`, always quoted: some MMSCs mishandle unquoted values.
fn push_quoted_param(out: &mut String, name: &str, value: &str) {
    out.push_str("; ");
    out.push_str(name);
    out.push_str("=\"");
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

/// RFC 2046 §5.1.1: 1 to 70 characters from `bchars`, not ending in a space.
fn check_boundary(boundary: &str) -> Result<(), Error> {
    let invalid = |why| Err(Error::new(ErrorKind::InvalidBoundary(why), 0));
    if boundary.is_empty() || boundary.len() > 70 {
        return invalid("must be 1 to 70 characters");
    }
    if !boundary
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"'()+_,-./:=? ".contains(&b))
    {
        return invalid("character outside RFC 2046 bchars");
    }
    if boundary.ends_with(' ') {
        return invalid("ends with a space");
    }
    Ok(())
}

fn write_header(out: &mut String, name: &str, value: &str) -> Result<(), Error> {
    let name_ok = !name.is_empty() && name.bytes().all(|b| matches!(b, 33..=57 | 59..=126));
    if !name_ok || value.contains(['\r', '\n', '\0']) {
        return Err(Error::new(ErrorKind::InvalidHeader(name.to_owned()), 0));
    }
    out.push_str(name);
    out.push_str(": ");
    out.push_str(value);
    out.push_str("\r\n");
    Ok(())
}

/// 128 bits from std's per-process random hash keys plus a counter, as hex.
fn random_hex() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    let high = hasher.finish();
    hasher.write_u64(high);
    let low = hasher.finish();
    format!("{high:016x}{low:016x}")
}

struct IdGenerator {
    taken: Vec<String>,
    prefix: String,
    next: usize,
}

impl IdGenerator {
    fn fresh(&mut self) -> String {
        loop {
            let candidate = format!("part{}.{}@mm7", self.next, self.prefix);
            self.next += 1;
            if !self.taken.contains(&candidate) {
                self.taken.push(candidate.clone());
                return candidate;
            }
        }
    }
}

#[derive(Debug, Clone)]
enum PartBody {
    Content(Bytes),
    Multipart(MultipartBuilder),
}

/// One part for a [`MultipartBuilder`].
#[derive(Debug, Clone)]
pub struct PartBuilder {
    content_type: String,
    content_id: Option<String>,
    content_location: Option<String>,
    disposition: Option<String>,
    transfer_encoding: Option<TransferEncoding>,
    headers: Vec<(String, String)>,
    body: PartBody,
}

impl PartBuilder {
    /// A part with this Content-Type value (parameters allowed) and content.
    /// The content goes out as is (`Content-Transfer-Encoding: binary`)
    /// unless [`with_transfer_encoding`](Self::with_transfer_encoding) says otherwise.
    pub fn new(content_type: impl Into<String>, content: impl Into<Bytes>) -> Self {
        Self::with_body(content_type.into(), PartBody::Content(content.into()))
    }

    /// A part holding a nested multipart (its Content-Type comes from the builder).
    pub fn multipart(nested: MultipartBuilder) -> Self {
        Self::with_body(String::new(), PartBody::Multipart(nested))
    }

    fn with_body(content_type: String, body: PartBody) -> Self {
        Self {
            content_type,
            content_id: None,
            content_location: None,
            disposition: None,
            transfer_encoding: None,
            headers: Vec::new(),
            body,
        }
    }

    /// Sets the Content-ID (with or without angle brackets); one is generated otherwise.
    #[must_use]
    pub fn with_content_id(mut self, content_id: impl Into<String>) -> Self {
        self.content_id = Some(content_id.into());
        self
    }

    /// Sets the Content-Location.
    #[must_use]
    pub fn with_content_location(mut self, location: impl Into<String>) -> Self {
        self.content_location = Some(location.into());
        self
    }

    /// Adds `Content-Disposition: attachment; filename="..."`.
    #[must_use]
    pub fn with_filename(mut self, filename: &str) -> Self {
        let mut value = String::from("attachment; filename=");
        let _ = write_param_value(&mut value, filename);
        self.disposition = Some(value);
        self
    }

    /// Sets how the content is transfer-encoded: base64 and quoted-printable
    /// are applied by the writer; identity encodings send the content as is.
    /// Ignored for nested multiparts, which are always sent as is.
    #[must_use]
    pub fn with_transfer_encoding(mut self, encoding: TransferEncoding) -> Self {
        self.transfer_encoding = Some(encoding);
        self
    }

    /// Adds another header field.
    #[must_use]
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// A built multipart: the Content-Type header value and the body as chunks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedMultipart {
    content_type: String,
    subtype: String,
    boundary: String,
    content_ids: Vec<String>,
    chunks: Vec<Bytes>,
    len: usize,
}

impl EncodedMultipart {
    /// The Content-Type header value, e.g.
    /// `multipart/related; type="text/xml"; start="<...>"; boundary="..."`.
    pub fn content_type(&self) -> &str {
        &self.content_type
    }

    /// The boundary used.
    pub fn boundary(&self) -> &str {
        &self.boundary
    }

    /// The Content-IDs (without angle brackets) of the top-level parts, in
    /// order, generated ones included; the first is the root.
    pub fn content_ids(&self) -> &[String] {
        &self.content_ids
    }

    /// The body as chunks to be sent in order (e.g. as a vectored write).
    pub fn chunks(&self) -> &[Bytes] {
        &self.chunks
    }

    /// The Content-Type value and the chunks.
    pub fn into_parts(self) -> (String, Vec<Bytes>) {
        (self.content_type, self.chunks)
    }

    /// Total body length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the body is empty (never, for a built multipart).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The body in one buffer (one copy of every chunk).
    pub fn to_bytes(&self) -> Bytes {
        let mut body = BytesMut::with_capacity(self.len);
        for chunk in &self.chunks {
            body.extend_from_slice(chunk);
        }
        body.freeze()
    }
}

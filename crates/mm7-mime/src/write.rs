//! Building multipart bodies: CRLF framing, unguessable boundaries,
//! generated Content-IDs, and output as a list of [`Bytes`] chunks so that an
//! attachment given as `Bytes` is never copied (binary) or copied once (when
//! the writer transfer-encodes it), nor read again to check the boundary.
//!
//! A generated boundary is `=_mm7_` plus 128 bits drawn, after the content was
//! given, from SipHash keyed with the process's random keys. Content that does
//! not know those keys contains it with a chance of about one in 2^128 per
//! byte, so leaf content is not scanned for it (that scan cost as much as a
//! copy of every attachment); header blocks and nested framing, which the
//! writer makes from caller-supplied strings, are still checked, and a
//! boundary given with [`MultipartBuilder::boundary`] is checked against
//! everything.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::{Bytes, BytesMut};
use memchr::memmem::Finder;

use crate::content_type::{ContentType, normalize_content_id, write_param_value};
use crate::encoding::TransferEncoding;
use crate::error::{Error, ErrorKind};
use crate::params::is_token_char;

/// Attempts at a random boundary checked against every byte, once a generated
/// stem turned up in a header block (which needs headers crafted against this
/// process's hash keys); each candidate carries 128 random bits.
const BOUNDARY_ATTEMPTS: usize = 16;

/// Builds a multipart body.
///
/// ```
/// use bytes::Bytes;
/// use mm7_mime::{MultipartBuilder, PartBuilder, TransferEncoding, Multipart};
///
/// let image = Bytes::from_static(b"GIF89a\x00\x01binary");
/// let encoded = MultipartBuilder::related()
///     .part(PartBuilder::new("text/xml; charset=utf-8", "<env/>").content_id("soap"))
///     .part(PartBuilder::multipart(
///         MultipartBuilder::mixed()
///             .part(PartBuilder::new("text/plain", "hello"))
///             .part(PartBuilder::new("image/gif", image.clone()).filename("a.gif")),
///     ).content_id("content"))
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
    start: Option<String>,
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
            start: None,
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
    pub fn part(mut self, part: PartBuilder) -> Self {
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
    pub fn boundary(mut self, boundary: impl Into<String>) -> Self {
        self.boundary = Some(boundary.into());
        self
    }

    /// Sets the multipart/related `type` parameter.
    #[must_use]
    pub fn related_type(mut self, media_type: impl Into<String>) -> Self {
        self.related_type = Some(media_type.into());
        self
    }

    /// Sets the multipart/related `start` parameter as given (`<Content-ID>` of the root),
    /// instead of naming the first part: a part written again keeps its parts in the order
    /// they came and names its root as it was named.
    #[must_use]
    pub fn start(mut self, start: impl Into<String>) -> Self {
        self.start = Some(start.into());
        self
    }

    /// Sets the multipart/related `start-info` parameter.
    #[must_use]
    pub fn start_info(mut self, start_info: impl Into<String>) -> Self {
        self.start_info = Some(start_info.into());
        self
    }

    /// Frames the parts. Transfer-encodes those that ask for base64 or
    /// quoted-printable (the only copies made), generates Content-IDs that are
    /// unique in the whole tree for parts without one, and generates a random
    /// boundary for each level (see the module documentation: leaf content is
    /// not scanned for a generated boundary, a given one is checked against
    /// everything).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NoParts`], [`ErrorKind::InvalidHeader`] (a line break in a
    /// value, a bad header name, an unparseable Content-Type),
    /// [`ErrorKind::InvalidBoundary`] / [`ErrorKind::BoundaryInContent`] for a
    /// given boundary, [`ErrorKind::UnsupportedTransferEncoding`].
    pub fn build(self) -> Result<EncodedMultipart, Error> {
        // The boundaries this builder generates share one random stem drawn now, after the
        // content was given, so leaf content (an attachment of hundreds of kilobytes) is not
        // read again to look for them (see the module documentation). Header blocks and
        // nested framing are checked; should the stem occur there (headers crafted against
        // this process's hash keys), the body is built again with boundaries drawn and
        // checked against every byte, level by level.
        self.build_with_stem(&concat(&["=_mm7_", &random_hex()]))
    }

    fn build_with_stem(self, stem: &str) -> Result<EncodedMultipart, Error> {
        match self.encode(&mut IdGenerator::new(&self), Some(stem)) {
            Err(e) if e.kind() == &ErrorKind::BoundaryInContent => {
                self.encode(&mut IdGenerator::new(&self), None)
            }
            result => result,
        }
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

    /// Renders the parts. With a `stem`, a generated boundary is the stem plus a counter and
    /// is checked against the header blocks and nested framing only, not leaf content.
    fn encode(&self, ids: &mut IdGenerator, stem: Option<&str>) -> Result<EncodedMultipart, Error> {
        let invalid = |name: &str| Error::new(ErrorKind::InvalidHeader(name.to_owned()), 0);
        if self.parts.is_empty() {
            return Err(Error::new(ErrorKind::NoParts, 0));
        }
        if self.subtype.is_empty() || !self.subtype.chars().all(is_token_char) {
            return Err(invalid("Content-Type"));
        }
        // Each part's header block, its chunks, and which of them are leaf content.
        let mut rendered: Vec<(String, Vec<Bytes>, Vec<bool>)> =
            Vec::with_capacity(self.parts.len());
        let mut content_ids = Vec::with_capacity(self.parts.len());
        let mut root_type = String::new();
        for part in &self.parts {
            let content_id = match &part.content_id {
                Some(id) => normalize_content_id(id).to_owned(),
                None => ids.fresh(),
            };
            let (content_type, encoding, chunks, content) = match &part.body {
                PartBody::Content(content) => {
                    let parsed = ContentType::parse(&part.content_type)
                        .map_err(|_| invalid("Content-Type"))?;
                    if root_type.is_empty() {
                        root_type = parsed.mime_type().to_owned();
                    }
                    let encoding = part
                        .transfer_encoding
                        .clone()
                        .unwrap_or(TransferEncoding::Binary);
                    let encoded = encoding.encode(content)?;
                    (
                        Cow::Borrowed(part.content_type.as_str()),
                        Some(encoding),
                        vec![encoded],
                        vec![true],
                    )
                }
                PartBody::Multipart(nested) => {
                    let nested = nested.encode(ids, stem)?;
                    if root_type.is_empty() {
                        root_type = concat(&["multipart/", &nested.subtype]);
                    }
                    (
                        Cow::Owned(nested.content_type),
                        None,
                        nested.chunks,
                        nested.content,
                    )
                }
            };
            let mut head = String::with_capacity(192);
            write_header(&mut head, "Content-Type", &content_type)?;
            if let Some(encoding) = encoding {
                write_header(&mut head, "Content-Transfer-Encoding", encoding.as_str())?;
            }
            write_header(&mut head, "Content-ID", &concat(&["<", &content_id, ">"]))?;
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
            rendered.push((head, chunks, content));
            content_ids.push(content_id);
        }

        // `skip_content`: leaf content is not scanned for a generated boundary, and what
        // remains (header blocks, nested framing) is small enough that setting up a `Finder`
        // would cost more than a plain scan.
        let occurs = |boundary: &str, skip_content: bool| {
            let finder = (!skip_content).then(|| Finder::new(boundary.as_bytes()));
            let find = |haystack: &[u8]| match &finder {
                Some(finder) => finder.find(haystack).is_some(),
                None => contains_short(haystack, boundary.as_bytes()),
            };
            rendered.iter().any(|(head, chunks, content)| {
                find(head.as_bytes())
                    || chunks
                        .iter()
                        .zip(content)
                        .any(|(chunk, &is_content)| !(skip_content && is_content) && find(chunk))
            })
        };
        // Every chunk edge is next to a CR or LF (header blocks end with one,
        // delimiters start with one), and a boundary holds neither, so a
        // boundary absent from every chunk is absent from the whole body.
        let boundary = match (self.boundary.clone(), stem) {
            (Some(boundary), _) => {
                check_boundary(&boundary)?;
                if occurs(&boundary, false) {
                    return Err(Error::new(ErrorKind::BoundaryInContent, 0));
                }
                boundary
            }
            (None, Some(stem)) => {
                // Fixed width, so that no boundary of the tree is a prefix of another.
                let mut boundary = concat(&[stem, "."]);
                push_hex(&mut boundary, u64::from(ids.boundaries), 8);
                ids.boundaries += 1;
                if occurs(&boundary, true) {
                    return Err(Error::new(ErrorKind::BoundaryInContent, 0));
                }
                boundary
            }
            (None, None) => (0..BOUNDARY_ATTEMPTS)
                .map(|_| concat(&["=_mm7_", &random_hex()]))
                .find(|candidate| !occurs(candidate, false))
                .ok_or_else(|| Error::new(ErrorKind::BoundaryInContent, 0))?,
        };

        let mut content_type = String::with_capacity(160);
        content_type.push_str("multipart/");
        content_type.push_str(&self.subtype);
        if self.subtype == "related" {
            let related_type = self.related_type.clone().unwrap_or(root_type);
            push_quoted_param(&mut content_type, "type", &related_type);
            match &self.start {
                Some(start) => push_quoted_param(&mut content_type, "start", start),
                None => {
                    let root = content_ids.first().map(String::as_str).unwrap_or_default();
                    push_quoted_param(&mut content_type, "start", &concat(&["<", root, ">"]));
                }
            }
            if let Some(start_info) = &self.start_info {
                push_quoted_param(&mut content_type, "start-info", start_info);
            }
        }
        push_quoted_param(&mut content_type, "boundary", &boundary);
        if content_type.contains(['\r', '\n', '\0']) {
            return Err(invalid("Content-Type"));
        }

        let mut chunks = Vec::with_capacity(rendered.len() * 2 + 1);
        let mut content = Vec::with_capacity(rendered.len() * 2 + 1);
        for (index, (head, body, body_content)) in rendered.into_iter().enumerate() {
            let mut framing = BytesMut::with_capacity(head.len() + boundary.len() + 8);
            if index > 0 {
                framing.extend_from_slice(b"\r\n");
            }
            framing.extend_from_slice(b"--");
            framing.extend_from_slice(boundary.as_bytes());
            framing.extend_from_slice(b"\r\n");
            framing.extend_from_slice(head.as_bytes());
            chunks.push(framing.freeze());
            content.push(false);
            for (chunk, is_content) in body.into_iter().zip(body_content) {
                if !chunk.is_empty() {
                    chunks.push(chunk);
                    content.push(is_content);
                }
            }
        }
        chunks.push(Bytes::from(concat(&["\r\n--", &boundary, "--\r\n"])));
        content.push(false);
        let len = chunks.iter().map(Bytes::len).sum();
        Ok(EncodedMultipart {
            content_type,
            subtype: self.subtype.clone(),
            boundary,
            content_ids,
            chunks,
            content,
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

/// Whether `needle` occurs in a short `haystack`.
fn contains_short(haystack: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    memchr::memchr_iter(first, haystack)
        .any(|at| haystack.get(at + 1..at + 1 + rest.len()) == Some(rest))
}

fn write_header(out: &mut String, name: &str, value: &str) -> Result<(), Error> {
    let name_ok = !name.is_empty() && name.bytes().all(|b| matches!(b, 33..=57 | 59..=126));
    if !name_ok || memchr::memchr3(b'\r', b'\n', b'\0', value.as_bytes()).is_some() {
        return Err(Error::new(ErrorKind::InvalidHeader(name.to_owned()), 0));
    }
    out.push_str(name);
    out.push_str(": ");
    out.push_str(value);
    out.push_str("\r\n");
    Ok(())
}

/// 128 bits from the operating system's generator, as hex. Should it fail (no entropy source
/// at all), the time and a process-wide counter take their place: unique within the process,
/// though no longer unguessable.
fn random_hex() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut bytes = [0u8; 16];
    let (high, low) = match getrandom::fill(&mut bytes) {
        Ok(()) => {
            let (h, l) = bytes.split_at(8);
            (
                u64::from_be_bytes(h.try_into().unwrap_or_default()),
                u64::from_be_bytes(l.try_into().unwrap_or_default()),
            )
        }
        Err(_) => (
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            COUNTER.fetch_add(1, Ordering::Relaxed),
        ),
    };
    let mut hex = String::with_capacity(32);
    push_hex(&mut hex, high, 16);
    push_hex(&mut hex, low, 16);
    hex
}

/// The pieces joined, in one allocation (`format!` grows its buffer as it goes, and these
/// strings are built for every part of every message encoded).
fn concat(pieces: &[&str]) -> String {
    let mut joined = String::with_capacity(pieces.iter().map(|p| p.len()).sum());
    for piece in pieces {
        joined.push_str(piece);
    }
    joined
}

/// `value` as `digits` lower-case hex digits, zero-padded (the low `digits` nibbles).
fn push_hex(out: &mut String, value: u64, digits: u32) {
    for shift in (0..digits).rev() {
        let nibble = (value >> (shift * 4)) & 0xf;
        out.push(char::from_digit(nibble as u32, 16).unwrap_or('0'));
    }
}

struct IdGenerator {
    taken: Vec<String>,
    prefix: String,
    next: usize,
    // Boundaries generated from a shared stem so far.
    boundaries: u32,
}

impl IdGenerator {
    /// Content-IDs for `builder`'s parts that lack one, unlike any it has.
    fn new(builder: &MultipartBuilder) -> Self {
        let mut ids = IdGenerator {
            taken: Vec::new(),
            prefix: random_hex(),
            next: 1,
            boundaries: 0,
        };
        builder.collect_ids(&mut ids.taken);
        ids
    }

    fn fresh(&mut self) -> String {
        loop {
            let mut candidate = String::with_capacity(self.prefix.len() + 32);
            // Sized up front: writing the number does not grow it.
            let _ = write!(candidate, "part{}.", self.next);
            candidate.push_str(&self.prefix);
            candidate.push_str("@mm7");
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
    /// unless [`transfer_encoding`](Self::transfer_encoding) says otherwise.
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
    pub fn content_id(mut self, content_id: impl Into<String>) -> Self {
        self.content_id = Some(content_id.into());
        self
    }

    /// Sets the Content-Location.
    #[must_use]
    pub fn content_location(mut self, location: impl Into<String>) -> Self {
        self.content_location = Some(location.into());
        self
    }

    /// Adds `Content-Disposition: attachment; filename="..."`.
    #[must_use]
    pub fn filename(mut self, filename: &str) -> Self {
        let mut value = String::from("attachment; filename=");
        let _ = write_param_value(&mut value, filename);
        self.disposition = Some(value);
        self
    }

    /// Sets how the content is transfer-encoded: base64 and quoted-printable
    /// are applied by the writer; identity encodings send the content as is.
    /// Ignored for nested multiparts, which are always sent as is.
    #[must_use]
    pub fn transfer_encoding(mut self, encoding: TransferEncoding) -> Self {
        self.transfer_encoding = Some(encoding);
        self
    }

    /// Adds another header field.
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
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
    // Which chunks are leaf content (the others are framing and header blocks).
    content: Vec<bool>,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Multipart;

    fn nested(content: &'static [u8]) -> MultipartBuilder {
        nested_with_location(content, "a.bin")
    }

    fn nested_with_location(content: &'static [u8], location: &str) -> MultipartBuilder {
        MultipartBuilder::related()
            .part(PartBuilder::new("text/xml", "<env/>"))
            .part(PartBuilder::multipart(MultipartBuilder::mixed().part(
                PartBuilder::new("application/octet-stream", content).content_location(location),
            )))
    }

    fn leaves(built: &EncodedMultipart) -> Vec<crate::Part> {
        let parsed = Multipart::parse(built.to_bytes(), built.content_type()).unwrap();
        parsed.leaves().collect::<Result<_, _>>().unwrap()
    }

    #[test]
    fn generated_boundaries_share_a_stem_and_none_prefixes_another() {
        let built = nested(b"payload").build_with_stem("=_stem").unwrap();
        assert_eq!(built.boundary(), "=_stem.00000001");
        let body = built.to_bytes();
        assert!(memchr::memmem::find(&body, b"--=_stem.00000000\r\n").is_some());
        assert_eq!(leaves(&built)[1].body(), &b"payload"[..]);
    }

    #[test]
    fn stem_in_a_header_falls_back_to_boundaries_checked_level_by_level() {
        let built = nested_with_location(b"x\r\n--=_stem.00000000\r\ny", "--=_stem.00000000")
            .build_with_stem("=_stem")
            .unwrap();
        assert!(!built.boundary().starts_with("=_stem"));
        let leaves = leaves(&built);
        // Checked level by level, the content is scanned too.
        assert_eq!(leaves[1].body(), &b"x\r\n--=_stem.00000000\r\ny"[..]);
        assert_eq!(
            leaves[1].header("Content-Location").as_deref(),
            Some("--=_stem.00000000")
        );
    }

    #[test]
    fn a_given_boundary_is_checked_against_the_content() {
        let built = MultipartBuilder::mixed()
            .boundary("given")
            .part(PartBuilder::new("text/plain", "a\r\n--given\r\nb"))
            .build();
        assert_eq!(
            built.unwrap_err().kind(),
            &ErrorKind::BoundaryInContent,
            "a boundary the caller chose is not unguessable, so the content is scanned"
        );
    }
}

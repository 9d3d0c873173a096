//! One body part of a multipart, and the walk over leaf parts.

use std::borrow::Cow;
use std::sync::OnceLock;

use bytes::Bytes;

use crate::content_type::{
    ContentDisposition, ContentType, normalize_content_id, split_media_type,
};
use crate::encoding::TransferEncoding;
use crate::error::{Error, Warning, WarningKind};
use crate::header::{BlockEnd, Headers, Known, parse_headers};
use crate::multipart::Multipart;
use crate::options::ParseOptions;
use crate::params::find_param;

/// A body part: its header block and body, both slices of the parsed input.
///
/// Typed header access parses on demand (Content-Type once, then cached). A
/// missing or unparseable Content-Type reads as `text/plain; charset=us-ascii`
/// (RFC 2045 §5.2), or `message/rfc822` inside multipart/digest.
#[derive(Debug, Clone)]
pub struct Part {
    headers: Headers,
    body: Bytes,
    content_type: OnceLock<ContentType>,
    // Whether the Content-Type names `multipart/*`, known from the check made while parsing,
    // so that telling a leaf from a nested multipart needs no full parse.
    multipart: bool,
    in_digest: bool,
    offset: usize,
    body_offset: usize,
    depth: usize,
    options: ParseOptions,
    // For a nested multipart: where `--` starts a line of the body, found by the parent's
    // scan, so that parsing it needs no scan of its own. `None` for a leaf, or when the parent
    // kept too many.
    dashes: Option<Vec<usize>>,
}

/// Where a part sits, from the multipart it belongs to.
pub(crate) struct PartContext {
    /// Position of the part's content in the outermost body.
    pub(crate) offset: usize,
    /// Nesting level of the multipart it belongs to.
    pub(crate) depth: usize,
    /// Whether that multipart is a multipart/digest.
    pub(crate) in_digest: bool,
    /// Every line-start `--` in the content, as positions in it, when the
    /// parent's scan kept them all.
    pub(crate) dashes: Option<Vec<usize>>,
}

impl Part {
    /// Parses the content between two delimiters.
    pub(crate) fn parse(
        content: Bytes,
        context: PartContext,
        options: &ParseOptions,
        warnings: &mut Vec<Warning>,
    ) -> Result<Self, Error> {
        let PartContext {
            offset,
            depth,
            in_digest,
            dashes,
        } = context;
        let block = parse_headers(&content, options).map_err(|e| e.shifted(offset))?;
        if block.end == BlockEnd::NonHeaderLine {
            warnings.push(Warning::new(
                WarningKind::MissingBlankLine,
                offset + block.body_offset,
            ));
        }
        // Only checked here, for the warning and for `is_multipart`; the value is parsed on
        // first use so that a parse costs no more than the boundary scan needs.
        let mut multipart = false;
        if let Some(field) = block.headers.get_known(Known::ContentType) {
            match split_media_type(&field.value()) {
                Ok((main, _, _)) => multipart = main.eq_ignore_ascii_case("multipart"),
                Err(_) => warnings.push(Warning::new(WarningKind::InvalidContentType, offset)),
            }
        }
        // Only a nested multipart reads them, from its body.
        let dashes = dashes.filter(|_| multipart).map(|mut dashes| {
            dashes.retain(|&p| p >= block.body_offset);
            dashes.iter_mut().for_each(|p| *p -= block.body_offset);
            dashes
        });
        Ok(Self {
            body: content.slice(block.body_offset..),
            headers: block.headers,
            content_type: OnceLock::new(),
            multipart,
            in_digest,
            offset,
            body_offset: offset + block.body_offset,
            depth,
            options: *options,
            dashes,
        })
    }

    /// The header block.
    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// The unfolded value of the first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<Cow<'_, str>> {
        self.headers.get_str(name)
    }

    /// The Content-Type (see the type-level docs for the default).
    pub fn content_type(&self) -> &ContentType {
        self.content_type.get_or_init(|| self.parse_content_type())
    }

    /// One parameter of the Content-Type (name ASCII case-insensitive), as
    /// [`content_type`](Self::content_type)`().param(name)` gives it, read from
    /// the header without parsing the whole value when the Content-Type was not
    /// parsed yet: no allocation for a value that is a token or a quoted string
    /// without escapes. For the parameters a caller needs once (the `charset` of
    /// a SOAP part).
    ///
    /// ```
    /// use bytes::Bytes;
    /// use mm7_mime::Multipart;
    ///
    /// let body = Bytes::from_static(
    ///     b"--b\r\nContent-Type: text/xml; Charset=\"UTF-8\"\r\n\r\n<a/>\r\n--b\r\n\r\nx\r\n--b--\r\n",
    /// );
    /// let multipart = Multipart::parse(body, "multipart/related; boundary=b")?;
    /// assert_eq!(multipart.parts()[0].content_type_param("charset").as_deref(), Some("UTF-8"));
    /// // No Content-Type: the default's, `text/plain; charset=us-ascii`.
    /// assert_eq!(multipart.parts()[1].content_type_param("charset").as_deref(), Some("us-ascii"));
    /// # Ok::<(), mm7_mime::Error>(())
    /// ```
    pub fn content_type_param(&self, name: &str) -> Option<Cow<'_, str>> {
        if self.content_type.get().is_none()
            && let Some(field) = self.headers.get_known(Known::ContentType)
            && let Cow::Borrowed(value) = field.value()
            && let Ok((_, _, rest)) = split_media_type(value)
            && let Ok(found) = find_param(rest, name)
        {
            return found;
        }
        self.content_type().param(name).map(Cow::Borrowed)
    }

    fn parse_content_type(&self) -> ContentType {
        let parsed = self
            .headers
            .get_known(Known::ContentType)
            .and_then(|field| ContentType::parse(&field.value()).ok());
        match parsed {
            Some(content_type) => content_type,
            None if self.in_digest => ContentType::default_digest(),
            None => ContentType::default_text(),
        }
    }

    /// The Content-ID without angle brackets (`Content-ID: <a@b>` and
    /// `Content-ID:a@b` both give `a@b`).
    pub fn content_id(&self) -> Option<&str> {
        let field = self.headers.get_known(Known::ContentId)?;
        std::str::from_utf8(field.raw_value())
            .ok()
            .map(normalize_content_id)
    }

    /// The Content-Location (RFC 2557), unfolded and trimmed.
    pub fn content_location(&self) -> Option<Cow<'_, str>> {
        self.headers
            .get_known(Known::ContentLocation)
            .map(|field| field.value())
    }

    /// The Content-Transfer-Encoding; 7bit when absent.
    pub fn transfer_encoding(&self) -> TransferEncoding {
        let Some(field) = self.headers.get_known(Known::ContentTransferEncoding) else {
            return TransferEncoding::default();
        };
        // The five names are read from the raw value as they are (it is asked for several
        // times per part); anything else is unfolded and read as a string.
        TransferEncoding::known_name(field.raw_value())
            .unwrap_or_else(|| TransferEncoding::parse(&field.value()))
    }

    /// The Content-Disposition, when present and parseable.
    pub fn content_disposition(&self) -> Option<ContentDisposition> {
        let field = self.headers.get_known(Known::ContentDisposition)?;
        ContentDisposition::parse(&field.value()).ok()
    }

    /// The file name: Content-Disposition `filename`, else the Content-Type
    /// `name` parameter that older senders use.
    pub fn filename(&self) -> Option<String> {
        self.content_disposition()
            .and_then(|cd| cd.filename().map(str::to_owned))
            .or_else(|| {
                // Most parts have no `name` parameter: a look at the raw value spares them the
                // parse of their Content-Type.
                let raw = self.headers.get_known(Known::ContentType)?.raw_value();
                let has_name = memchr::memchr2_iter(b'n', b'N', raw).any(|at| {
                    raw.get(at..at + 4)
                        .is_some_and(|w| w.eq_ignore_ascii_case(b"name"))
                });
                has_name
                    .then(|| self.content_type().param("name").map(str::to_owned))
                    .flatten()
            })
    }

    /// The body as received (still transfer-encoded), a slice of the input.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The body with the transfer encoding undone: the same bytes without a
    /// copy for 7bit/8bit/binary, one allocation for base64 and
    /// quoted-printable.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnsupportedTransferEncoding`](crate::ErrorKind::UnsupportedTransferEncoding).
    pub fn decoded(&self) -> Result<Bytes, Error> {
        self.transfer_encoding()
            .decode(&self.body)
            .map_err(|e| e.shifted(self.body_offset))
    }

    /// Whether the Content-Type is `multipart/*`.
    pub fn is_multipart(&self) -> bool {
        // Same answer as `content_type().is_multipart()`: the default types are not multipart,
        // and a value whose type/subtype splits parses.
        self.multipart
    }

    /// The nested multipart, parsed now with the options of the parent; `None`
    /// when this part is not `multipart/*`.
    ///
    /// RFC 2045 §6.4 allows only identity encodings on multiparts; a base64
    /// or quoted-printable one is decoded first (one copy) and its offsets
    /// then count in the decoded bytes.
    pub fn multipart(&self) -> Option<Result<Multipart, Error>> {
        if !self.is_multipart() {
            return None;
        }
        let encoding = self.transfer_encoding();
        let (body, dashes) = match encoding {
            // The parent's scan saw the encoded bytes: the decoded ones are scanned afresh.
            TransferEncoding::Base64 | TransferEncoding::QuotedPrintable => {
                match encoding.decode(&self.body) {
                    Ok(body) => (body, None),
                    Err(e) => return Some(Err(e.shifted(self.body_offset))),
                }
            }
            // Identity, or an unknown token that §6.4 does not allow anyway.
            _ => (self.body.clone(), self.dashes.as_deref()),
        };
        // The nested multipart keeps its own Content-Type: parsed for it, unless this part's
        // was parsed already (then a copy), rather than parsed here and copied there.
        let content_type = match self.content_type.get() {
            Some(parsed) => parsed.clone(),
            None => self.parse_content_type(),
        };
        Some(Multipart::parse_at(
            body,
            content_type,
            &self.options,
            self.depth + 1,
            self.body_offset,
            dashes,
        ))
    }

    /// Offset of the part's first header byte in the outermost body.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Offset of the part's body in the outermost body.
    pub fn body_offset(&self) -> usize {
        self.body_offset
    }
}

/// Iterator over leaf parts; see [`Multipart::leaves`].
#[derive(Debug)]
pub struct Leaves<'a> {
    top: std::slice::Iter<'a, Part>,
    nested: Vec<std::vec::IntoIter<Part>>,
}

impl<'a> Leaves<'a> {
    pub(crate) fn new(parts: &'a [Part]) -> Self {
        Self {
            top: parts.iter(),
            nested: Vec::new(),
        }
    }
}

impl Iterator for Leaves<'_> {
    type Item = Result<Part, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let part = match self.nested.last_mut() {
                Some(level) => match level.next() {
                    Some(part) => part,
                    None => {
                        self.nested.pop();
                        continue;
                    }
                },
                None => self.top.next()?.clone(),
            };
            match part.multipart() {
                None => return Some(Ok(part)),
                Some(Ok(multipart)) => self.nested.push(multipart.into_parts().into_iter()),
                Some(Err(error)) => return Some(Err(error)),
            }
        }
    }
}

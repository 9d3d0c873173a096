//! Typed Content-Type, Content-Disposition and Content-ID values.

use std::borrow::Cow;
use std::fmt;

use nom::Parser;
use nom::bytes::complete::take_while1;

use crate::error::{Error, ErrorKind};
use crate::params::{Params, is_ows, is_token_char, parse_params_into, percent_decode_into};

/// A parsed Content-Type value: media type (lower-cased) and parameters.
///
/// ```
/// use mm7_mime::ContentType;
///
/// let ct = ContentType::parse(
///     r#"Multipart/Related; Type="text/xml"; Start="<root>"; boundary="StoryParts 74526 8432 2002-77645""#,
/// )?;
/// assert_eq!(ct.mime_type(), "multipart/related");
/// assert!(ct.is_multipart());
/// assert_eq!(ct.boundary(), Some("StoryParts 74526 8432 2002-77645"));
/// assert_eq!(ct.related_type(), Some("text/xml"));
/// assert_eq!(ct.start(), Some("<root>"));
/// # Ok::<(), mm7_mime::Error>(())
/// ```
#[derive(Clone)]
pub struct ContentType {
    // The media type, lower-cased, is the start of the parameters' text: one allocation for
    // the whole value.
    params: Params,
    mime_len: usize,
    slash: usize,
}

impl PartialEq for ContentType {
    fn eq(&self, other: &Self) -> bool {
        self.mime_type() == other.mime_type() && self.params == other.params
    }
}

impl Eq for ContentType {}

impl fmt::Debug for ContentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContentType")
            .field("mime_type", &self.mime_type())
            .field("params", &self.params)
            .finish()
    }
}

impl ContentType {
    /// Parses `type/subtype *(; name=value)`. Parameter parsing is lenient
    /// (see [`Params`]); only a missing `type/subtype` is an error.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidContentType`], with the offset in `value`.
    pub fn parse(value: &str) -> Result<Self, Error> {
        let (main, sub, rest) = split_media_type(value)?;
        // The media type and the parameters' names and values are never longer than the value.
        let mut params = Params::with_capacity(value.len());
        let text = params.text_mut();
        text.push_str(main);
        text.push('/');
        text.push_str(sub);
        text.make_ascii_lowercase();
        let mime_len = text.len();
        Ok(Self {
            params: parse_params_into(params, rest),
            mime_len,
            slash: main.len(),
        })
    }

    /// A media type without parameters, or with those `params` adds.
    fn with_type(mime_type: &str, slash: usize, params: impl FnOnce(&mut Params)) -> Self {
        let mut all = Params::default();
        all.text_mut().push_str(mime_type);
        params(&mut all);
        Self {
            params: all,
            mime_len: mime_type.len(),
            slash,
        }
    }

    /// `text/plain; charset=us-ascii`, the default of RFC 2045 §5.2.
    pub(crate) fn default_text() -> Self {
        Self::with_type("text/plain", 4, |params| {
            params.push("charset", "us-ascii");
        })
    }

    /// `message/rfc822`, the default inside multipart/digest (RFC 2046 §5.1.5).
    pub(crate) fn default_digest() -> Self {
        Self::with_type("message/rfc822", 7, |_| {})
    }

    /// The media type, lower-cased: `"multipart/related"`.
    pub fn mime_type(&self) -> &str {
        self.params.text(0, self.mime_len)
    }

    /// The top-level type: `"multipart"`.
    pub fn main_type(&self) -> &str {
        self.params.text(0, self.slash)
    }

    /// The subtype: `"related"`.
    pub fn subtype(&self) -> &str {
        self.params.text(self.slash + 1, self.mime_len)
    }

    /// Whether the media type is `multipart/*`.
    pub fn is_multipart(&self) -> bool {
        self.main_type() == "multipart"
    }

    /// Whether the media type equals `mime_type` (ASCII case-insensitive).
    pub fn is(&self, mime_type: &str) -> bool {
        self.mime_type().eq_ignore_ascii_case(mime_type.trim())
    }

    /// All parameters.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// One parameter (name ASCII case-insensitive).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name)
    }

    /// The `boundary` parameter.
    pub fn boundary(&self) -> Option<&str> {
        self.param("boundary")
    }

    /// The `charset` parameter.
    pub fn charset(&self) -> Option<&str> {
        self.param("charset")
    }

    /// The multipart/related `type` parameter: the root's media type (RFC 2387 §3.1).
    pub fn related_type(&self) -> Option<&str> {
        self.param("type")
    }

    /// The multipart/related `start` parameter: the root's Content-ID (RFC 2387 §3.2).
    pub fn start(&self) -> Option<&str> {
        self.param("start")
    }

    /// The multipart/related `start-info` parameter (RFC 2387 §3.3).
    pub fn start_info(&self) -> Option<&str> {
        self.param("start-info")
    }
}

impl fmt::Display for ContentType {
    /// Writes the value back: media type, then each parameter, quoted unless
    /// it is a token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.mime_type())?;
        for (name, value) in self.params.iter() {
            write!(f, "; {name}=")?;
            write_param_value(f, value)?;
        }
        Ok(())
    }
}

/// `OWS type "/" subtype`, and what follows (the parameters).
pub(crate) fn split_media_type(value: &str) -> Result<(&str, &str, &str), Error> {
    let trimmed = value.trim_start_matches(is_ows);
    let lead = value.len() - trimmed.len();
    let bytes = trimmed.as_bytes();
    // Token characters are ASCII, so the ends found byte by byte are character boundaries.
    let token_end = |from: usize| {
        bytes
            .get(from..)
            .and_then(|rest| rest.iter().position(|&b| !is_token_byte(b)))
            .map_or(bytes.len(), |n| from + n)
    };
    let main_end = token_end(0);
    let sub_end = token_end(main_end + 1);
    match (
        trimmed.get(..main_end),
        bytes.get(main_end),
        trimmed.get(main_end + 1..sub_end),
        trimmed.get(sub_end..),
    ) {
        (Some(main), Some(b'/'), Some(sub), Some(rest)) if !main.is_empty() && !sub.is_empty() => {
            Ok((main, sub, rest))
        }
        _ => Err(Error::new(
            ErrorKind::InvalidContentType("expected type/subtype"),
            lead,
        )),
    }
}

/// [`is_token_char`] for a byte, from a table.
fn is_token_byte(b: u8) -> bool {
    TOKEN_BYTES[usize::from(b)]
}

static TOKEN_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = is_token_ascii(b as u8);
        b += 1;
    }
    table
};

/// RFC 2045 token characters: printable ASCII except tspecials (as [`is_token_char`]).
const fn is_token_ascii(b: u8) -> bool {
    b.is_ascii_graphic()
        && !matches!(
            b,
            b'(' | b')'
                | b'<'
                | b'>'
                | b'@'
                | b','
                | b';'
                | b':'
                | b'\\'
                | b'"'
                | b'/'
                | b'['
                | b']'
                | b'?'
                | b'='
        )
}

/// A value as a token when it is one, else as a quoted string.
pub(crate) fn write_param_value(out: &mut impl fmt::Write, value: &str) -> fmt::Result {
    if !value.is_empty() && value.chars().all(is_token_char) {
        return out.write_str(value);
    }
    out.write_char('"')?;
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.write_char('\\')?;
        }
        out.write_char(c)?;
    }
    out.write_char('"')
}

/// A parsed Content-Disposition value (RFC 2183, RFC 2231 parameters).
///
/// ```
/// use mm7_mime::ContentDisposition;
///
/// let cd = ContentDisposition::parse("attachment; filename*=utf-8''na%C3%AFve.gif")?;
/// assert_eq!(cd.kind(), "attachment");
/// assert_eq!(cd.filename(), Some("naïve.gif"));
/// # Ok::<(), mm7_mime::Error>(())
/// ```
#[derive(Clone)]
pub struct ContentDisposition {
    // The kind, lower-cased, is the start of the parameters' text.
    params: Params,
    kind_len: usize,
}

impl PartialEq for ContentDisposition {
    fn eq(&self, other: &Self) -> bool {
        self.kind() == other.kind() && self.params == other.params
    }
}

impl Eq for ContentDisposition {}

impl fmt::Debug for ContentDisposition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContentDisposition")
            .field("kind", &self.kind())
            .field("params", &self.params)
            .finish()
    }
}

impl ContentDisposition {
    /// Parses `type *(; name=value)`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidContentType`] when there is no disposition type.
    pub fn parse(value: &str) -> Result<Self, Error> {
        let trimmed = value.trim_start_matches(is_ows);
        let lead = value.len() - trimmed.len();
        let parsed: nom::IResult<&str, &str> = take_while1(is_token_char).parse_complete(trimmed);
        let (rest, kind) = parsed.map_err(|_| {
            Error::new(
                ErrorKind::InvalidContentType("expected a disposition type"),
                lead,
            )
        })?;
        let mut params = Params::with_capacity(value.len());
        let text = params.text_mut();
        text.push_str(kind);
        text.make_ascii_lowercase();
        Ok(Self {
            params: parse_params_into(params, rest),
            kind_len: kind.len(),
        })
    }

    /// The disposition type, lower-cased: `"attachment"`, `"inline"`, ...
    pub fn kind(&self) -> &str {
        self.params.text(0, self.kind_len)
    }

    /// The `filename` parameter.
    pub fn filename(&self) -> Option<&str> {
        self.params.get("filename")
    }

    /// All parameters.
    pub fn params(&self) -> &Params {
        &self.params
    }
}

/// A Content-ID or `start` value ready for comparison: surrounding
/// whitespace and one pair of angle brackets removed. `<a@b>`, ` <a@b> ` and
/// `a@b` all normalise to `a@b`.
///
/// ```
/// assert_eq!(mm7_mime::normalize_content_id(" <root@x> "), "root@x");
/// assert_eq!(mm7_mime::normalize_content_id("root@x"), "root@x");
/// ```
pub fn normalize_content_id(id: &str) -> &str {
    let id = id.trim_matches(is_ows);
    let id = id
        .strip_prefix('<')
        .and_then(|inner| inner.strip_suffix('>'))
        .unwrap_or(id);
    id.trim_matches(is_ows)
}

/// The Content-ID a reference names, normalised: a `cid:` URL (RFC 2392,
/// percent-decoded), `<id>` or a bare id.
///
/// ```
/// assert_eq!(mm7_mime::content_id_reference("cid:foo4%25bar@x"), "foo4%bar@x");
/// assert_eq!(mm7_mime::content_id_reference("<foo@x>"), "foo@x");
/// ```
pub fn content_id_reference(reference: &str) -> Cow<'_, str> {
    let trimmed = reference.trim_matches(is_ows);
    let Some(url) = trimmed
        .get(..4)
        .filter(|scheme| scheme.eq_ignore_ascii_case("cid:"))
        .and_then(|_| trimmed.get(4..))
    else {
        return Cow::Borrowed(normalize_content_id(trimmed));
    };
    if !url.contains('%') {
        return Cow::Borrowed(normalize_content_id(url));
    }
    let mut bytes = Vec::with_capacity(url.len());
    percent_decode_into(url.as_bytes(), &mut bytes);
    let decoded = String::from_utf8_lossy(&bytes);
    Cow::Owned(normalize_content_id(&decoded).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_type_is_lower_cased_and_params_kept() {
        let ct = ContentType::parse("  Text/XML;charset=\"UTF-8\"").unwrap();
        assert_eq!(ct.mime_type(), "text/xml");
        assert_eq!(ct.main_type(), "text");
        assert_eq!(ct.subtype(), "xml");
        assert_eq!(ct.charset(), Some("UTF-8"));
        assert!(ct.is("TEXT/xml"));
    }

    #[test]
    fn token_table_agrees_with_token_chars() {
        for b in 0..=255u8 {
            assert_eq!(
                is_token_byte(b),
                b.is_ascii() && is_token_char(char::from(b)),
                "{b}"
            );
        }
    }

    #[test]
    fn media_type_split() {
        let split = |v| split_media_type(v).map_err(|e| e.offset());
        assert_eq!(split(" text/xml; a=b"), Ok(("text", "xml", "; a=b")));
        assert_eq!(split("image/svg+xml"), Ok(("image", "svg+xml", "")));
        assert_eq!(split("a/b/c"), Ok(("a", "b", "/c")));
        assert_eq!(split("text/é"), Err(0));
        assert_eq!(split("é/x"), Err(0));
        assert_eq!(split("\t/xml"), Err(1));
        assert_eq!(split("text/"), Err(0));
        assert_eq!(split("text"), Err(0));
        assert_eq!(split("text xml"), Err(0));
        assert_eq!(split(""), Err(0));
    }

    #[test]
    fn missing_subtype_is_an_error_with_offset() {
        let err = ContentType::parse("  text").unwrap_err();
        assert_eq!(err.offset(), 2);
        assert!(matches!(err.kind(), ErrorKind::InvalidContentType(_)));
    }

    #[test]
    fn display_quotes_only_non_tokens() {
        let ct = ContentType::parse(
            r#"multipart/related; type="text/xml"; boundary=abc; start="<a b>""#,
        )
        .unwrap();
        assert_eq!(
            ct.to_string(),
            r#"multipart/related; type="text/xml"; boundary=abc; start="<a b>""#
        );
        assert_eq!(ContentType::parse(&ct.to_string()).unwrap(), ct);
    }

    #[test]
    fn cid_reference_without_scheme_or_brackets() {
        assert_eq!(content_id_reference("CID:x@y"), "x@y");
        assert_eq!(content_id_reference("x@y"), "x@y");
        assert_eq!(content_id_reference("<>"), "");
        assert_eq!(content_id_reference("cid:a%40b"), "a@b");
        assert_eq!(content_id_reference("CID:<x>"), "x");
        assert_eq!(content_id_reference("cid:100%"), "100%");
        assert_eq!(content_id_reference("plain"), "plain");
    }
}

//! The XML layer: a namespace-aware pull reader over `xmlparser`, escaping, a small writer,
//! and the bytes-to-text step that deals with byte order marks and declared encodings.

mod error;
mod escape;
mod reader;
mod stack;
mod tree;
mod writer;

use std::borrow::Cow;

pub use error::{Position, XmlError, XmlErrorKind};
pub use escape::{escape_attr_into, escape_text_into, unescape};
pub use reader::{Attribute, Element, Event, Text, XmlLimits, XmlReader};
pub use tree::{Children, Tree, TreeAttribute, TreeNode};
pub use writer::XmlWriter;

/// Whether two short strings (names, prefixes) are equal.
///
/// `==` on `str` calls the C library's `memcmp`, whose set-up costs more than comparing the
/// few bytes of an XML name; the reader compares names at every end tag and lookup, and this
/// inlined loop made reading a message a third faster.
#[inline]
pub(crate) fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let (mut wide_a, mut wide_b) = (a.chunks_exact(8), b.chunks_exact(8));
    for (x, y) in (&mut wide_a).zip(&mut wide_b) {
        let word = |c: &[u8]| u64::from_ne_bytes(c.try_into().unwrap_or([0; 8]));
        if word(x) != word(y) {
            return false;
        }
    }
    wide_a
        .remainder()
        .iter()
        .zip(wide_b.remainder())
        .all(|(x, y)| x == y)
}

/// `str::trim` with a fast path for the usual value, which has no surrounding white space:
/// `str::trim` decodes characters from both ends to find Unicode white space, and the decoders
/// trim every token-like value. Same result as `str::trim` in every case.
pub(crate) trait TrimExt {
    /// See the trait documentation.
    fn trim_fast(&self) -> &str;
}

impl TrimExt for str {
    #[inline]
    fn trim_fast(&self) -> &str {
        let graphic = |b: Option<&u8>| b.is_some_and(u8::is_ascii_graphic);
        let bytes = self.as_bytes();
        if graphic(bytes.first()) && graphic(bytes.last()) {
            self
        } else {
            self.trim()
        }
    }
}

/// Turns the bytes of an XML document into text.
///
/// UTF-8 (with or without a byte order mark) and US-ASCII are borrowed as they are. A document
/// that declares ISO-8859-1 (or Latin-1, or Windows-1252 used as Latin-1) and is not valid UTF-8
/// is transcoded, since some MMSCs still send Latin-1 subjects. Any other declared encoding, and
/// UTF-16 (a NUL in the first bytes), is a clear error rather than a garbled message.
pub fn document_text(bytes: &[u8]) -> Result<Cow<'_, str>, XmlError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let head = &bytes[..bytes.len().min(256)];
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") || head.contains(&0) {
        return Err(XmlError::new(
            XmlErrorKind::UnsupportedEncoding("UTF-16".into()),
            Position {
                line: 1,
                column: 1,
                offset: 0,
            },
        ));
    }
    let is_one_of = |name: &str, names: &[&str]| names.iter().any(|n| n.eq_ignore_ascii_case(name));
    let latin1 = match declared_encoding(head) {
        None => false,
        Some(name) if is_one_of(name, &["utf-8", "utf8", "us-ascii", "ascii"]) => false,
        Some(name)
            if is_one_of(
                name,
                &[
                    "iso-8859-1",
                    "iso8859-1",
                    "latin1",
                    "latin-1",
                    "l1",
                    "windows-1252",
                    "cp1252",
                ],
            ) =>
        {
            true
        }
        Some(other) => {
            return Err(XmlError::new(
                XmlErrorKind::UnsupportedEncoding(other.to_ascii_lowercase()),
                Position {
                    line: 1,
                    column: 1,
                    offset: 0,
                },
            ));
        }
    };
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Cow::Borrowed(text)),
        Err(_) if latin1 => Ok(Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect())),
        Err(e) => {
            let offset = e.valid_up_to();
            // The valid prefix is text, so the position can be computed on it.
            let prefix = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
            Err(XmlError::new(
                XmlErrorKind::NotUtf8,
                Position::at(prefix, offset),
            ))
        }
    }
}

/// The `encoding` pseudo-attribute of an XML declaration at the start of `head`, trimmed.
fn declared_encoding(head: &[u8]) -> Option<&str> {
    let head = std::str::from_utf8(head).ok().or_else(|| {
        // A Latin-1 document may have non-ASCII bytes before the 256-byte cut; the declaration
        // itself is ASCII, so look at the ASCII prefix only.
        let end = head
            .iter()
            .position(|b| !b.is_ascii())
            .unwrap_or(head.len());
        std::str::from_utf8(&head[..end]).ok()
    })?;
    let head = head.trim_start();
    // `str::find` sets up a two-way searcher; for a declaration of a few dozen bytes, which
    // every message has, a plain scan is several times cheaper.
    let decl_end = find(head.strip_prefix("<?xml")?, "?>")? + 5;
    let decl = &head[..decl_end];
    let at = find(decl, "encoding")?;
    let rest = decl[at + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    let end = value.find(quote)?;
    Some(value[..end].trim())
}

/// The first occurrence of `needle` in a short `haystack`.
fn find(haystack: &str, needle: &str) -> Option<usize> {
    let needle = needle.as_bytes();
    let first = *needle.first()?;
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w[0] == first && w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_borrowed_and_bom_stripped() {
        let doc = document_text(b"\xEF\xBB\xBF<a/>").unwrap();
        assert!(matches!(doc, Cow::Borrowed("<a/>")));
    }

    #[test]
    fn declared_latin1_is_transcoded() {
        let doc = document_text(b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>caf\xE9</a>")
            .unwrap();
        assert!(doc.ends_with("<a>caf\u{e9}</a>"));
    }

    #[test]
    fn unknown_encoding_is_a_clear_error() {
        let err = document_text(b"<?xml version='1.0' encoding='Shift_JIS'?><a/>").unwrap_err();
        assert_eq!(
            err.kind,
            XmlErrorKind::UnsupportedEncoding("shift_jis".into())
        );
        let err = document_text(b"\xFF\xFE<\0a\0/\0>\0").unwrap_err();
        assert_eq!(err.kind, XmlErrorKind::UnsupportedEncoding("UTF-16".into()));
    }

    #[test]
    fn invalid_utf8_reports_where() {
        let err = document_text(b"<a>\n ok \xC3\x28</a>").unwrap_err();
        assert_eq!(err.kind, XmlErrorKind::NotUtf8);
        assert_eq!(err.position.to_string(), "2:5");
    }
}

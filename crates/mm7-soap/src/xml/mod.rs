//! The XML layer: a namespace-aware pull reader over `xmlparser`, escaping, a small writer,
//! and the bytes-to-text step that deals with byte order marks and declared encodings.
//!
//! What the decoder's public types carry is API: [`Position`], [`XmlError`], [`XmlErrorKind`]
//! and [`XmlLimits`]. The reader itself is the decoder's own and changes with it; the
//! `unstable-xml` feature exposes it (`XmlReader`, `Event`, `Element`, `Attribute`, `Text`)
//! for benchmarks, without a semver promise.

mod error;
// These modules' items are `pub` for the re-exports above them; only some are public API.
#[allow(unreachable_pub)]
mod escape;
#[cfg_attr(not(feature = "unstable-xml"), allow(unreachable_pub))]
mod reader;
mod stack;
#[allow(unreachable_pub)]
mod tree;
#[allow(unreachable_pub)]
mod writer;

use std::borrow::Cow;

pub use error::{Position, XmlError, XmlErrorKind};
pub use reader::XmlLimits;
#[cfg(feature = "unstable-xml")]
pub use reader::{Attribute, Element, Event, Text, XmlReader};
#[cfg(not(feature = "unstable-xml"))]
pub(crate) use reader::{Element, Event, Text, XmlReader};
pub(crate) use tree::{Tree, TreeNode};
pub(crate) use writer::XmlWriter;

/// A byte table with `mark` on the C0 controls XML 1.0 forbids (all but tab, line feed and
/// carriage return) and 0 elsewhere: the start of the reader's and the escaper's tables.
pub(crate) const fn forbidden_controls(mark: u8) -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        if !matches!(b, 0x09 | 0x0A | 0x0D) {
            table[b] = mark;
        }
        b += 1;
    }
    table
}

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

/// Turns the bytes of an XML document into text, the encoding found as
/// [`document_text_with_charset`] finds it without a `charset` parameter.
///
/// # Errors
/// As [`document_text_with_charset`].
pub fn document_text(bytes: &[u8]) -> Result<Cow<'_, str>, XmlError> {
    document_text_with_charset(bytes, None)
}

/// Turns the bytes of an XML document into text.
///
/// The encoding is, in this order (RFC 7303 §3): the `charset` parameter of the Content-Type
/// the document came with (of the HTTP message, or of the SOAP part), then a byte order mark,
/// then the `encoding` of the XML declaration, then UTF-8; a document that starts with `<`
/// in UTF-16 and has none of these is read as UTF-16 (XML 1.0 Appendix F). Every WHATWG
/// encoding is read, through `encoding_rs`, under its WHATWG meaning: `ISO-8859-1` is
/// windows-1252 (so a byte 0x80 is `€`, as the senders mean it), `UTF-16` without a byte
/// order mark is little-endian.
///
/// UTF-8 (with or without a byte order mark) is borrowed as it is; anything else is
/// transcoded once.
///
/// # Errors
/// [`XmlErrorKind::UnsupportedEncoding`] naming a label that is no encoding, and
/// [`XmlErrorKind::NotUtf8`] / [`XmlErrorKind::Malformed`] (with the position in the valid
/// prefix) for bytes that are not in the encoding.
pub fn document_text_with_charset<'b>(
    bytes: &'b [u8],
    charset: Option<&str>,
) -> Result<Cow<'b, str>, XmlError> {
    let start = Position {
        line: 1,
        column: 1,
        offset: 0,
    };
    let unsupported = |label: &str| {
        XmlError::new(
            XmlErrorKind::UnsupportedEncoding(label.trim().to_ascii_lowercase()),
            start,
        )
    };
    let bom = encoding_rs::Encoding::for_bom(bytes);
    let encoding = match charset.map(str::trim).filter(|c| !c.is_empty()) {
        Some(label) => {
            let named = encoding_rs::Encoding::for_label(label.as_bytes())
                .ok_or_else(|| unsupported(label))?;
            // A byte order mark settles the byte order of a UTF-16 label.
            match bom {
                Some((found, _))
                    if named == encoding_rs::UTF_16LE || named == encoding_rs::UTF_16BE =>
                {
                    found
                }
                _ => named,
            }
        }
        None => match bom {
            Some((found, _)) => found,
            None => match bytes {
                [b'<', 0, b'?', 0, ..] | [b'<', 0, _, 0, ..] => encoding_rs::UTF_16LE,
                [0, b'<', 0, b'?', ..] | [0, b'<', 0, _, ..] => encoding_rs::UTF_16BE,
                _ => match declared_encoding(&bytes[..bytes.len().min(256)]) {
                    // What nearly every message declares, without the label table's lookup.
                    Some(label) if label.eq_ignore_ascii_case("utf-8") => encoding_rs::UTF_8,
                    Some(label) => encoding_rs::Encoding::for_label(label.as_bytes())
                        .ok_or_else(|| unsupported(label))?,
                    None => encoding_rs::UTF_8,
                },
            },
        },
    };
    // The WHATWG "replacement" encoding (ISO-2022-KR and the like) decodes to nothing useful.
    if encoding == encoding_rs::REPLACEMENT {
        return Err(unsupported(charset.unwrap_or(encoding.name())));
    }
    let body = match bom {
        Some((found, len)) if found == encoding => bytes.get(len..).unwrap_or_default(),
        _ => bytes,
    };
    if encoding == encoding_rs::UTF_8 {
        // The SIMD check says only whether; std's, on the error path, says where.
        if let Ok(text) = simdutf8::basic::from_utf8(body) {
            return Ok(Cow::Borrowed(text));
        }
        return match std::str::from_utf8(body) {
            Ok(text) => Ok(Cow::Borrowed(text)),
            Err(e) => {
                let offset = e.valid_up_to();
                // The valid prefix is text, so the position can be computed on it.
                let prefix = std::str::from_utf8(&body[..offset]).unwrap_or_default();
                Err(XmlError::new(
                    XmlErrorKind::NotUtf8,
                    Position::at(prefix, offset),
                ))
            }
        };
    }
    match encoding.decode_without_bom_handling_and_without_replacement(body) {
        Some(text) => Ok(Cow::Owned(text.into_owned())),
        None => {
            // Where: the longest prefix that decodes, found by decoding with replacement.
            let (lossy, _) = encoding.decode_without_bom_handling(body);
            let valid = lossy.find('\u{FFFD}').unwrap_or(lossy.len());
            let prefix = lossy.get(..valid).unwrap_or_default();
            Err(XmlError::new(
                XmlErrorKind::Malformed(encoding.name().to_string()),
                Position::at(prefix, prefix.len()),
            ))
        }
    }
}

/// The `encoding` pseudo-attribute of an XML declaration at the start of `head`, trimmed.
fn declared_encoding(head: &[u8]) -> Option<&str> {
    // The declaration is ASCII: only its bytes are checked to be text (a Latin-1 document may
    // have non-ASCII bytes soon after it).
    let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
    let head = head.get(start..)?.strip_prefix(b"<?xml")?;
    // `find` on `str` sets up a two-way searcher; for a declaration of a few dozen bytes, which
    // every message has, `memchr` and a compare are several times cheaper.
    let decl = std::str::from_utf8(head.get(..find(head, b"?>")?)?).ok()?;
    let at = find(decl.as_bytes(), b"encoding")?;
    let rest = decl[at + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    let end = value.find(quote)?;
    Some(value[..end].trim())
}

/// The first occurrence of `needle` in a short `haystack`: each candidate's first byte found by
/// `memchr`, the rest compared there.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut from = 0;
    while let Some(found) = memchr::memchr(first, haystack.get(from..)?) {
        let at = from + found;
        if haystack.get(at + 1..at + needle.len()) == Some(rest) {
            return Some(at);
        }
        from = at + 1;
    }
    None
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
    fn declared_encoding_is_found_however_the_declaration_is_spaced() {
        for head in [
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>",
            "\r\n <?xml version='1.0' encoding = 'iso-8859-1' standalone='yes' ?>",
            "<?xml version=\"1.0\"\n     encoding=\"latin1\"?>",
        ] {
            let mut doc = head.as_bytes().to_vec();
            doc.extend_from_slice(b"<a>caf\xE9</a>");
            assert!(
                document_text(&doc).unwrap().ends_with("<a>caf\u{e9}</a>"),
                "{head}"
            );
        }
        // No encoding in the declaration, or `encoding` only after it: UTF-8.
        for doc in [
            &b"<?xml version='1.0'?><a>caf\xC3\xA9</a>"[..],
            b"<?xml version='1.0'?><a encoding='latin1'>caf\xC3\xA9</a>",
        ] {
            assert!(document_text(doc).unwrap().contains("caf\u{e9}"));
        }
    }

    #[test]
    fn charset_parameter_comes_first_then_bom_then_declaration() {
        // No declaration: the Content-Type's charset alone.
        let doc = document_text_with_charset(b"<a>caf\xE9</a>", Some("ISO-8859-1")).unwrap();
        assert_eq!(doc, "<a>caf\u{e9}</a>");
        // windows-1252 (and ISO-8859-1, which WHATWG reads as it): 0x80 is the euro sign.
        let doc = document_text_with_charset(b"<a>\x80</a>", Some("windows-1252")).unwrap();
        assert_eq!(doc, "<a>\u{20ac}</a>");
        // The charset parameter overrides the declaration.
        let doc = document_text_with_charset(
            b"<?xml version='1.0' encoding='UTF-8'?><a>\xE9</a>",
            Some("latin1"),
        )
        .unwrap();
        assert!(doc.ends_with("<a>\u{e9}</a>"));
        // UTF-16 by BOM, in both byte orders, and by the `<` pattern without one.
        let utf16le: Vec<u8> = "\u{feff}<a>\u{20ac}</a>"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(document_text(&utf16le).unwrap(), "<a>\u{20ac}</a>");
        let utf16be: Vec<u8> = "\u{feff}<a>\u{20ac}</a>"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(document_text(&utf16be).unwrap(), "<a>\u{20ac}</a>");
        assert_eq!(
            document_text_with_charset(&utf16be, Some("utf-16")).unwrap(),
            "<a>\u{20ac}</a>"
        );
        let bare: Vec<u8> = "<a>x</a>"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(document_text(&bare).unwrap(), "<a>x</a>");
        // Other WHATWG encodings.
        let doc =
            document_text(b"<?xml version='1.0' encoding='Shift_JIS'?><a>\x82\xa0</a>").unwrap();
        assert!(doc.ends_with("<a>\u{3042}</a>"));
        let doc = document_text_with_charset(b"<a>\xb0\xa1</a>", Some("EUC-KR")).unwrap();
        assert_eq!(doc, "<a>\u{ac00}</a>");
    }

    #[test]
    fn unknown_encoding_is_a_clear_error() {
        let err = document_text(b"<?xml version='1.0' encoding='klingon-8'?><a/>").unwrap_err();
        assert_eq!(
            err.kind,
            XmlErrorKind::UnsupportedEncoding("klingon-8".into())
        );
        let err = document_text_with_charset(b"<a/>", Some("X-Unknown")).unwrap_err();
        assert_eq!(
            err.kind,
            XmlErrorKind::UnsupportedEncoding("x-unknown".into())
        );
        let err = document_text_with_charset(b"<a/>", Some("iso-2022-kr")).unwrap_err();
        assert!(matches!(err.kind, XmlErrorKind::UnsupportedEncoding(_)));
        // Bytes that are not in the named encoding: where.
        let err = document_text_with_charset(b"<a>\n ok \x82</a>", Some("Shift_JIS")).unwrap_err();
        assert_eq!(err.kind, XmlErrorKind::Malformed("Shift_JIS".into()));
        assert_eq!(err.position.to_string(), "2:5");
    }

    #[test]
    fn invalid_utf8_reports_where() {
        let err = document_text(b"<a>\n ok \xC3\x28</a>").unwrap_err();
        assert_eq!(err.kind, XmlErrorKind::NotUtf8);
        assert_eq!(err.position.to_string(), "2:5");
    }
}

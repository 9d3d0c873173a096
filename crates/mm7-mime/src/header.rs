//! A generic RFC 5322-style header block: `Name: value` lines, folded
//! continuations, ended by a blank line. Used for MIME part headers and for
//! the head of captured HTTP messages.
//!
//! The block is parsed once into spans; names and values are borrowed from
//! (or sliced as [`Bytes`] out of) the input, never copied.

use std::borrow::Cow;

use bytes::Bytes;
use smallvec::SmallVec;

use crate::error::{Error, ErrorKind};
use crate::options::ParseOptions;

/// How a header block ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BlockEnd {
    /// An empty line, as RFC 5322 §2.1 and RFC 9112 §2.1 require.
    BlankLine,
    /// A line made only of spaces and tabs. Read as a blank line on purpose:
    /// provider documents render the empty line between headers and body as a
    /// single space, and RFC 5322's obsolete whitespace-only continuation lines
    /// never occur in MIME or HTTP traffic.
    WhitespaceLine,
    /// A line that is neither a field nor a continuation (lenient mode only):
    /// the body starts at that line.
    NonHeaderLine,
    /// The input ended inside the header block: everything was headers and
    /// the body is empty.
    EndOfInput,
}

/// One field's position in the block (a block is at most `u32::MAX` bytes: see
/// [`parse_headers`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    name: (u32, u32),
    value: (u32, u32),
    /// Which of the MIME fields the name is, found once while parsing, so that the typed
    /// accessors of a part compare no names.
    known: Known,
}

impl Span {
    fn name(&self) -> std::ops::Range<usize> {
        self.name.0 as usize..self.name.1 as usize
    }

    fn value(&self) -> std::ops::Range<usize> {
        self.value.0 as usize..self.value.1 as usize
    }
}

/// The MIME header fields a part's typed accessors look up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Known {
    ContentType,
    ContentId,
    ContentTransferEncoding,
    ContentLocation,
    ContentDisposition,
    /// Any other field.
    Other,
}

impl Known {
    /// The field a name is (ASCII case-insensitive).
    fn of(name: &[u8]) -> Known {
        // The five names differ in length.
        let (known, lower): (Known, &[u8]) = match name.len() {
            12 => (Known::ContentType, b"content-type"),
            10 => (Known::ContentId, b"content-id"),
            25 => (Known::ContentTransferEncoding, b"content-transfer-encoding"),
            16 => (Known::ContentLocation, b"content-location"),
            19 => (Known::ContentDisposition, b"content-disposition"),
            _ => return Known::Other,
        };
        if name.eq_ignore_ascii_case(lower) {
            known
        } else {
            Known::Other
        }
    }
}

/// Fields kept without an allocation: a MIME part has two to five (Content-Type,
/// Content-ID, Content-Transfer-Encoding, Content-Location, Content-Disposition).
const INLINE_FIELDS: usize = 6;

/// A position in a block, which [`parse_headers`] keeps under `u32::MAX` bytes.
fn at(pos: usize) -> u32 {
    u32::try_from(pos).unwrap_or(u32::MAX)
}

/// A parsed header block: the raw bytes plus the position of each field.
///
/// Cloning is cheap for the bytes (a reference count) and copies only the
/// small table of positions, which for up to six fields is kept inline (no
/// allocation).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers {
    block: Bytes,
    spans: SmallVec<[Span; INLINE_FIELDS]>,
}

/// One header field of a [`Headers`] block.
#[derive(Debug, Clone, Copy)]
pub struct HeaderField<'h> {
    block: &'h Bytes,
    span: Span,
}

impl<'h> HeaderField<'h> {
    /// The field name as written (compare with `eq_ignore_ascii_case`).
    pub fn name(&self) -> &'h str {
        let bytes = self.block.get(self.span.name()).unwrap_or_default();
        // Field names are checked to be printable ASCII while parsing.
        std::str::from_utf8(bytes).unwrap_or_default()
    }

    /// The value as written: leading and trailing whitespace removed, folding
    /// (line break plus whitespace) kept.
    pub fn raw_value(&self) -> &'h [u8] {
        self.block.get(self.span.value()).unwrap_or_default()
    }

    /// The value as a zero-copy slice of the input.
    pub fn value_bytes(&self) -> Bytes {
        self.block.slice(self.span.value())
    }

    /// The value unfolded (RFC 5322 §2.2.3: line breaks removed, the
    /// whitespace after them kept), bytes that are not UTF-8 replaced.
    pub fn value(&self) -> Cow<'h, str> {
        let raw = self.raw_value();
        if memchr::memchr2(b'\r', b'\n', raw).is_none() {
            // `from_utf8` checks ASCII a word at a time; the lossy walk is only for the rare
            // value that is not UTF-8.
            return match std::str::from_utf8(raw) {
                Ok(value) => Cow::Borrowed(value),
                Err(_) => String::from_utf8_lossy(raw),
            };
        }
        let unfolded: Vec<u8> = raw
            .iter()
            .copied()
            .filter(|&b| b != b'\r' && b != b'\n')
            .collect();
        Cow::Owned(String::from_utf8_lossy(&unfolded).into_owned())
    }
}

impl Headers {
    /// The raw header block as received, terminating blank line included.
    pub fn as_bytes(&self) -> &Bytes {
        &self.block
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether the block has no fields.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// All fields in order.
    pub fn iter(&self) -> impl Iterator<Item = HeaderField<'_>> + '_ {
        self.spans.iter().map(|&span| HeaderField {
            block: &self.block,
            span,
        })
    }

    /// The first field named `name` (ASCII case-insensitive).
    pub fn get(&self, name: &str) -> Option<HeaderField<'_>> {
        // Compared as bytes: the names were checked to be ASCII while parsing, and this runs
        // for every typed header access.
        let name = name.as_bytes();
        let known = Known::of(name);
        if known != Known::Other {
            return self.get_known(known);
        }
        self.spans
            .iter()
            .find(|span| {
                span.name.1.saturating_sub(span.name.0) as usize == name.len()
                    && self
                        .block
                        .get(span.name())
                        .is_some_and(|n| n.eq_ignore_ascii_case(name))
            })
            .map(|&span| HeaderField {
                block: &self.block,
                span,
            })
    }

    /// The first field that is `known`: no name compared.
    pub(crate) fn get_known(&self, known: Known) -> Option<HeaderField<'_>> {
        self.spans
            .iter()
            .find(|span| span.known == known)
            .map(|&span| HeaderField {
                block: &self.block,
                span,
            })
    }

    /// Every field named `name` (ASCII case-insensitive), in order.
    pub fn get_all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = HeaderField<'s>> + 's {
        self.iter()
            .filter(move |field| field.name().eq_ignore_ascii_case(name))
    }

    /// The unfolded value of the first field named `name`.
    pub fn get_str(&self, name: &str) -> Option<Cow<'_, str>> {
        self.get(name).map(|field| field.value())
    }
}

/// The result of [`parse_headers`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HeaderBlock {
    /// The fields.
    pub headers: Headers,
    /// Offset in the input where the body starts.
    pub body_offset: usize,
    /// How the block ended.
    pub end: BlockEnd,
}

/// Parses a header block at the start of `input`.
///
/// Accepts field names in any case, CRLF, LF-only or mixed line ends, folded
/// continuation lines (starting with a space or tab), whitespace before the
/// colon (RFC 5322 obsolete syntax) and none after it (`Content-ID:<x>`).
/// The block ends at an empty line, at a line of only spaces and tabs (see
/// [`BlockEnd::WhitespaceLine`]), or at the end of input. A line that is not a
/// field is an error in strict mode; lenient mode ends the block there
/// ([`BlockEnd::NonHeaderLine`]), which reads the provider documents that drop
/// the blank line between headers and body.
///
/// The block may not exceed [`Limits::max_header_block`](crate::Limits::max_header_block)
/// bytes (and never more than `u32::MAX`); only that much of the input is ever
/// examined.
///
/// ```
/// use bytes::Bytes;
/// use mm7_mime::{parse_headers, BlockEnd, ParseOptions};
///
/// let input = Bytes::from_static(b"Content-ID:<a@b>\nX-Long: one\n  two\n\nbody");
/// let block = parse_headers(&input, &ParseOptions::default())?;
/// assert_eq!(block.headers.get_str("content-id").as_deref(), Some("<a@b>"));
/// assert_eq!(block.headers.get_str("x-long").as_deref(), Some("one  two"));
/// assert_eq!(&input[block.body_offset..], b"body");
/// assert_eq!(block.end, BlockEnd::BlankLine);
/// # Ok::<(), mm7_mime::Error>(())
/// ```
///
/// # Errors
///
/// [`ErrorKind::HeaderBlockTooLarge`], and in strict mode [`ErrorKind::HeaderSyntax`].
pub fn parse_headers(input: &Bytes, options: &ParseOptions) -> Result<HeaderBlock, Error> {
    // Positions are kept as `u32`: a block past 4 GiB is refused as too large.
    let limit = options.limits.max_header_block.min(u32::MAX as usize);
    let window_len = input.len().min(limit);
    let truncated = input.len() > limit;
    let too_large = |at: usize| Error::new(ErrorKind::HeaderBlockTooLarge { limit }, at);
    let mut spans: SmallVec<[Span; INLINE_FIELDS]> = SmallVec::new();
    let mut pos = 0;

    let (body_offset, end) = loop {
        if pos >= input.len() {
            break (input.len(), BlockEnd::EndOfInput);
        }
        let visible = input.get(pos..window_len).unwrap_or_default();
        if visible.is_empty() {
            return Err(too_large(pos));
        }
        let (line, next, complete) = match memchr::memchr(b'\n', visible) {
            Some(i) => (strip_cr(&visible[..i]), pos + i + 1, true),
            None if truncated => (visible, window_len, false),
            None => (strip_cr(visible), window_len, true),
        };

        if line.iter().all(|&b| is_wsp(b)) {
            if !complete {
                return Err(too_large(pos));
            }
            let end = if line.is_empty() {
                BlockEnd::BlankLine
            } else {
                BlockEnd::WhitespaceLine
            };
            break (next, end);
        }

        if is_wsp(line[0]) {
            if let Some(last) = spans.last_mut() {
                if !complete {
                    return Err(too_large(pos));
                }
                let content = trim_wsp_end(line).len();
                if last.value.0 == last.value.1 {
                    // An empty first line ("Name:" then the value folded below):
                    // start the value at the continuation's first character.
                    let lead = line.iter().take_while(|&&b| is_wsp(b)).count();
                    last.value = (at(pos + lead), at(pos + content));
                } else {
                    last.value.1 = at(pos + content);
                }
                pos = next;
                continue;
            }
        } else if let Some((name, rest)) = field_name(line) {
            if !complete {
                return Err(too_large(pos));
            }
            let value_start = pos + (line.len() - rest.len());
            let lead = rest.iter().take_while(|&&b| is_wsp(b)).count();
            let value_len = trim_wsp_end(rest).len().max(lead);
            spans.push(Span {
                name: (at(pos), at(pos + name.len())),
                value: (at(value_start + lead), at(value_start + value_len)),
                known: Known::of(name),
            });
            pos = next;
            continue;
        }

        if options.strict {
            return Err(Error::new(
                ErrorKind::HeaderSyntax("line is neither a header field nor a blank line"),
                pos,
            ));
        }
        break (pos, BlockEnd::NonHeaderLine);
    };

    Ok(HeaderBlock {
        headers: Headers {
            block: input.slice(..body_offset),
            spans,
        },
        body_offset,
        end,
    })
}

/// `field-name *WSP ":"` (RFC 5322 §3.6.8 plus the obsolete whitespace before
/// the colon); returns the name and what follows the colon.
fn field_name(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let end = line
        .iter()
        .position(|&b| !is_ftext(b))
        .unwrap_or(line.len());
    let (name, rest) = line.split_at(end);
    let colon = rest.iter().position(|&b| !is_wsp(b))?;
    match rest.get(colon..)? {
        [b':', value @ ..] if !name.is_empty() => Some((name, value)),
        _ => None,
    }
}

/// RFC 5322 ftext: printable US-ASCII except the colon.
fn is_ftext(b: u8) -> bool {
    FTEXT[usize::from(b)]
}

static FTEXT: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 33;
    while b <= 126 {
        table[b] = b != 58;
        b += 1;
    }
    table
};

pub(crate) fn is_wsp(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn trim_wsp_end(s: &[u8]) -> &[u8] {
    let keep = s.iter().rposition(|&b| !is_wsp(b)).map_or(0, |i| i + 1);
    &s[..keep]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::Limits;

    fn parse(input: &'static [u8]) -> Result<HeaderBlock, Error> {
        parse_headers(&Bytes::from_static(input), &ParseOptions::default())
    }

    #[test]
    fn empty_value_then_folded_value_starts_at_continuation() {
        let block = parse(b"Content-Type:\r\n  text/xml;\r\n\tcharset=utf-8\r\n\r\n").unwrap();
        let field = block.headers.get("content-type").unwrap();
        assert_eq!(field.raw_value(), b"text/xml;\r\n\tcharset=utf-8");
        assert_eq!(field.value(), "text/xml;\tcharset=utf-8");
    }

    #[test]
    fn field_names() {
        assert_eq!(
            field_name(b"Content-ID:<x>"),
            Some((&b"Content-ID"[..], &b"<x>"[..]))
        );
        assert_eq!(field_name(b"A \t: 1"), Some((&b"A"[..], &b" 1"[..])));
        assert_eq!(field_name(b"A:"), Some((&b"A"[..], &b""[..])));
        assert_eq!(field_name(b": x"), None);
        assert_eq!(field_name(b"A x: 1"), None);
        assert_eq!(field_name(b"A"), None);
        assert_eq!(field_name(b"\xc3\xa9: 1"), None);
        assert_eq!(field_name(b""), None);
        for b in 0..=255u8 {
            assert_eq!(is_ftext(b), matches!(b, 33..=57 | 59..=126), "{b}");
        }
    }

    #[test]
    fn whitespace_before_colon_is_accepted() {
        let block = parse(b"Content-ID  : <x>\n\n").unwrap();
        assert_eq!(block.headers.get_str("Content-ID").as_deref(), Some("<x>"));
    }

    #[test]
    fn body_offset_after_whitespace_line() {
        let block = parse(b"A: 1\r\n \t \r\nbody").unwrap();
        assert_eq!(block.end, BlockEnd::WhitespaceLine);
        assert_eq!(block.body_offset, 11);
    }

    #[test]
    fn strict_mode_rejects_non_header_line() {
        let input = Bytes::from_static(b"A: 1\r\nnot a header\r\n\r\n");
        let err = parse_headers(&input, &ParseOptions::strict()).unwrap_err();
        assert_eq!(err.offset(), 6);
        assert!(matches!(err.kind(), ErrorKind::HeaderSyntax(_)));
        let lenient = parse_headers(&input, &ParseOptions::lenient()).unwrap();
        assert_eq!(lenient.end, BlockEnd::NonHeaderLine);
        assert_eq!(lenient.body_offset, 6);
    }

    #[test]
    fn block_over_limit_is_an_error_but_binary_body_is_not() {
        let options =
            ParseOptions::default().with_limits(Limits::default().with_max_header_block(16));
        let long = Bytes::from_static(b"X-Long: 0123456789abcdef\r\n\r\n");
        let err = parse_headers(&long, &options).unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::HeaderBlockTooLarge { limit: 16 });

        let binary = Bytes::from_static(b"A: 1\r\nGIF89a\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09");
        let block = parse_headers(&binary, &options).unwrap();
        assert_eq!(block.end, BlockEnd::NonHeaderLine);
        assert_eq!(block.body_offset, 6);
    }

    #[test]
    fn headers_only_input_ends_at_end_of_input() {
        let block = parse(b"Content-Type: text/plain\r\n").unwrap();
        assert_eq!(block.end, BlockEnd::EndOfInput);
        assert_eq!(block.headers.len(), 1);
        assert_eq!(block.body_offset, 26);
    }

    #[test]
    fn known_fields_in_any_case_and_nothing_else() {
        for (name, known) in [
            (&b"Content-Type"[..], Known::ContentType),
            (b"CONTENT-TYPE", Known::ContentType),
            (b"content-id", Known::ContentId),
            (b"Content-Transfer-Encoding", Known::ContentTransferEncoding),
            (b"content-LOCATION", Known::ContentLocation),
            (b"Content-Disposition", Known::ContentDisposition),
            (b"Content_Type", Known::Other),
            (b"Content-Typ{", Known::Other),
            (b"Content-Tipe", Known::Other),
            (b"X-Content-Type", Known::Other),
            (b"Content-", Known::Other),
            (b"Content-Id2", Known::Other),
        ] {
            assert_eq!(Known::of(name), known, "{}", String::from_utf8_lossy(name));
        }
        let block =
            parse(b"content-ID: <a>\r\nX-A: 1\r\nCONTENT-TYPE: text/plain\r\n\r\n").unwrap();
        assert_eq!(
            block.headers.get_str("Content-Type").as_deref(),
            Some("text/plain")
        );
        assert_eq!(block.headers.get_str("x-a").as_deref(), Some("1"));
        assert_eq!(block.headers.get_str("content-id").as_deref(), Some("<a>"));
        assert!(block.headers.get("content-location").is_none());
    }

    #[test]
    fn value_bytes_is_a_slice_of_the_input() {
        let input = Bytes::from(b"Content-Location: http://x/y\r\n\r\n".to_vec());
        let block = parse_headers(&input, &ParseOptions::default()).unwrap();
        let value = block.headers.get("content-location").unwrap().value_bytes();
        assert_eq!(&value[..], b"http://x/y");
        assert_eq!(value.as_ptr(), input[18..].as_ptr());
    }
}

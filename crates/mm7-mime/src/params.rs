//! `; name=value` parameter lists (RFC 2045 §5.1), with RFC 2231 extended
//! and continued values (`name*=utf-8''...`, `name*0=`, `name*1*=`).
//!
//! Parsing is lenient: a value may be a quoted string or anything up to the
//! next `;` (real traffic has `type=text/xml` unquoted, though `/` is a
//! tspecial), names are case-insensitive (`Type=`, `Start=` occur), and
//! malformed entries are skipped rather than failing the whole header.

use std::borrow::Cow;

use nom::Parser;
use nom::bytes::complete::take_while1;
use nom::character::complete::char;
use nom::sequence::preceded;
use smallvec::SmallVec;

/// Parameters of a Content-Type or Content-Disposition value, names
/// lower-cased, RFC 2231 values decoded, in order of first appearance.
///
/// Names and values are kept in one text buffer (shared with the media type of
/// a [`ContentType`](crate::ContentType)) and up to four parameters' positions
/// inline, so that a parsed header value costs one allocation whatever its
/// parameters.
#[derive(Clone, Default)]
pub struct Params {
    // May start with text that is no parameter's: the media type of a `ContentType`, the
    // kind of a `ContentDisposition`.
    text: String,
    // Per parameter: the name's and the value's start and end in `text`.
    entries: SmallVec<[Entry; INLINE_PARAMS]>,
}

/// Parameters kept without an allocation of their own: `boundary`, `type`, `start` and
/// `start-info` of a multipart/related; `charset` or `name` of a leaf.
const INLINE_PARAMS: usize = 4;

#[derive(Debug, Clone, Copy)]
struct Entry {
    name: (u32, u32),
    value: (u32, u32),
}

impl PartialEq for Params {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Params {}

impl std::fmt::Debug for Params {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Params {
    /// The value of parameter `name` (ASCII case-insensitive); the first wins
    /// when a name repeats.
    pub fn get(&self, name: &str) -> Option<&str> {
        let name = name.as_bytes();
        let text = self.text.as_bytes();
        self.entries
            .iter()
            .find(|entry| {
                (entry.name.1 - entry.name.0) as usize == name.len()
                    && text
                        .get(span(entry.name))
                        .is_some_and(|n| n.eq_ignore_ascii_case(name))
            })
            .map(|entry| self.slice(entry.value))
    }

    /// All parameters as `(lower-cased name, value)`.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.entries
            .iter()
            .map(|entry| (self.slice(entry.name), self.slice(entry.value)))
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Empty, with room for `text` bytes of names and values.
    pub(crate) fn with_capacity(text: usize) -> Params {
        Params {
            text: String::with_capacity(text),
            entries: SmallVec::new(),
        }
    }

    /// The text buffer, for what precedes the parameters (before any is pushed).
    pub(crate) fn text_mut(&mut self) -> &mut String {
        &mut self.text
    }

    /// A range of the text buffer.
    pub(crate) fn text(&self, start: usize, end: usize) -> &str {
        self.text.get(start..end).unwrap_or_default()
    }

    fn slice(&self, (start, end): (u32, u32)) -> &str {
        self.text.get(span((start, end))).unwrap_or_default()
    }

    /// Appends a parameter; `name` is lower-cased. Past 4 GiB of text (positions are kept
    /// as `u32`) it is dropped.
    pub(crate) fn push(&mut self, name: &str, value: &str) {
        let start = self.text.len();
        self.text.push_str(name);
        if let Some(added) = self.text.get_mut(start..) {
            added.make_ascii_lowercase();
        }
        let name = (start, self.text.len());
        let value = self.append(value);
        if let (Some(name), Some(value)) = (narrow(name), narrow(value)) {
            self.entries.push(Entry { name, value });
        }
    }

    /// The index of the parameter named `name`, already lower-cased.
    fn position(&self, lower_name: &str) -> Option<usize> {
        self.iter().position(|(n, _)| n == lower_name)
    }

    /// Gives parameter `index` a new value (the old one stays in the buffer, unused).
    fn replace(&mut self, index: usize, value: &str) {
        let value = narrow(self.append(value));
        if let (Some(entry), Some(value)) = (self.entries.get_mut(index), value) {
            entry.value = value;
        }
    }

    fn append(&mut self, value: &str) -> (usize, usize) {
        let start = self.text.len();
        self.text.push_str(value);
        (start, self.text.len())
    }
}

fn span((start, end): (u32, u32)) -> std::ops::Range<usize> {
    start as usize..end as usize
}

fn narrow((start, end): (usize, usize)) -> Option<(u32, u32)> {
    Some((u32::try_from(start).ok()?, u32::try_from(end).ok()?))
}

/// Parses `*( ";" param )` from `input` (what follows the media type).
#[cfg(test)]
pub(crate) fn parse_params(input: &str) -> Params {
    parse_params_into(Params::with_capacity(input.len()), input)
}

/// Parses `*( ";" param )` from `input` into `params` (empty of parameters, its text
/// perhaps started: see [`Params::text_mut`]).
pub(crate) fn parse_params_into(params: Params, input: &str) -> Params {
    let mut collector = Collector {
        params,
        extended: Vec::new(),
    };
    let mut rest = input;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ';' || is_ows(c));
        if rest.is_empty() {
            break;
        }
        if let Ok((after, (name, value))) = param(rest) {
            collector.add(name, value);
            rest = after;
        }
        // Skip anything up to the next separator: garbage after a value, or an
        // entry that is not `name=value`.
        rest = rest.find(';').map_or("", |i| &rest[i..]);
    }
    collector.finish()
}

/// The value of parameter `name` (ASCII case-insensitive) in `input` (what follows the media
/// type), read without building a [`Params`]: `None` when absent, `Err(())` when a
/// parameter of that name uses RFC 2231 (`name*=`, `name*0=`), which needs the full parse.
pub(crate) fn find_param<'a>(input: &'a str, name: &str) -> Result<Option<Cow<'a, str>>, ()> {
    let mut found = None;
    let mut rest = input;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ';' || is_ows(c));
        if rest.is_empty() {
            return Ok(found);
        }
        if let Ok((after, (n, value))) = param(rest) {
            let base = n.split_once('*').map_or(n, |(base, _)| base);
            if base.eq_ignore_ascii_case(name) {
                if base.len() != n.len() {
                    return Err(());
                }
                if found.is_none() {
                    found = Some(value);
                }
            }
            rest = after;
        }
        rest = rest.find(';').map_or("", |i| &rest[i..]);
    }
}

/// `token OWS "=" OWS (quoted-string / bare value)`.
fn param(input: &str) -> nom::IResult<&str, (&str, Cow<'_, str>)> {
    let (input, name) = take_while1(is_token_char).parse_complete(input)?;
    let (input, _) = preceded(ows, char('=')).parse_complete(input)?;
    let (input, _) = ows(input)?;
    if let Some(quoted) = input.strip_prefix('"') {
        let (value, used) = unquote(quoted);
        return Ok((&quoted[used..], (name, value)));
    }
    let end = input.find(';').unwrap_or(input.len());
    let value = input[..end].trim_end_matches(is_ows);
    Ok((&input[end..], (name, Cow::Borrowed(value))))
}

fn ows(input: &str) -> nom::IResult<&str, &str> {
    let rest = input.trim_start_matches(is_ows);
    Ok((rest, &input[..input.len() - rest.len()]))
}

/// The content of a quoted string that started just before `input`, with
/// backslash escapes removed, and the bytes consumed (closing quote included).
/// An unterminated string runs to the end (lenient).
pub(crate) fn unquote(input: &str) -> (Cow<'_, str>, usize) {
    // The common case has no escapes: the slice itself.
    match memchr::memchr2(b'"', b'\\', input.as_bytes()) {
        Some(end) if input.as_bytes()[end] == b'"' => {
            return (Cow::Borrowed(&input[..end]), end + 1);
        }
        None => return (Cow::Borrowed(input), input.len()),
        Some(_) => {}
    }
    let mut value = String::new();
    let mut chars = input.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return (Cow::Owned(value), i + 1),
            '\\' => match chars.next() {
                Some((_, escaped)) => value.push(escaped),
                None => break,
            },
            _ => value.push(c),
        }
    }
    (Cow::Owned(value), input.len())
}

/// RFC 2045 token characters: printable ASCII except tspecials.
pub(crate) fn is_token_char(c: char) -> bool {
    c.is_ascii_graphic()
        && !matches!(
            c,
            '(' | ')'
                | '<'
                | '>'
                | '@'
                | ','
                | ';'
                | ':'
                | '\\'
                | '"'
                | '/'
                | '['
                | ']'
                | '?'
                | '='
        )
}

pub(crate) fn is_ows(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// An RFC 2231 section: `name*N` or `name*N*`, or the single `name*`.
struct Section {
    index: u32,
    encoded: bool,
    value: String,
}

/// Gathers parameters as they are parsed: plain ones straight into the
/// result, RFC 2231 sections aside until all are seen, since continuations
/// may come in any order.
struct Collector {
    params: Params,
    extended: Vec<(String, Vec<Section>)>,
}

impl Collector {
    fn add(&mut self, name: &str, value: Cow<'_, str>) {
        let Some((base, suffix)) = name.split_once('*') else {
            if self.params.get(name).is_none() {
                self.params.push(name, &value);
            }
            return;
        };
        let (digits, encoded) = match suffix.strip_suffix('*') {
            Some(digits) => (digits, true),
            None if suffix.is_empty() => ("", true),
            None => (suffix, false),
        };
        let index = if digits.is_empty() {
            0
        } else {
            match digits.parse::<u32>() {
                Ok(n) if digits.bytes().all(|b| b.is_ascii_digit()) => n,
                _ => return,
            }
        };
        let base = base.to_ascii_lowercase();
        let section = Section {
            index,
            encoded,
            value: value.into_owned(),
        };
        match self.extended.iter_mut().find(|(n, _)| *n == base) {
            Some((_, sections)) => sections.push(section),
            None => self.extended.push((base, vec![section])),
        }
    }

    /// Joins RFC 2231 sections; an extended value wins over a plain one of
    /// the same name (RFC 2231 §4, RFC 6266 §4.3).
    fn finish(mut self) -> Params {
        for (base, mut sections) in self.extended {
            sections.sort_by_key(|s| s.index);
            let value = join_sections(&sections);
            match self.params.position(&base) {
                Some(index) => self.params.replace(index, &value),
                None => self.params.push(&base, &value),
            }
        }
        self.params
    }
}

fn join_sections(sections: &[Section]) -> String {
    let mut bytes = Vec::new();
    let mut charset = String::new();
    for (position, section) in sections.iter().enumerate() {
        if !section.encoded {
            bytes.extend_from_slice(section.value.as_bytes());
            continue;
        }
        let mut value = section.value.as_str();
        if position == 0 {
            // charset'language'value; both may be empty.
            let mut pieces = value.splitn(3, '\'');
            if let (Some(cs), Some(_lang), Some(rest)) =
                (pieces.next(), pieces.next(), pieces.next())
            {
                charset = cs.to_ascii_lowercase();
                value = rest;
            }
        }
        percent_decode_into(value.as_bytes(), &mut bytes);
    }
    decode_charset(&charset, bytes)
}

/// `%XX` to the byte; a `%` not followed by two hex digits stays literal.
pub(crate) fn percent_decode_into(input: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        if b == b'%'
            && let (Some(h), Some(l)) = (
                input.get(i + 1).and_then(|&c| hex_value(c)),
                input.get(i + 2).and_then(|&c| hex_value(c)),
            )
        {
            out.push(h << 4 | l);
            i += 3;
            continue;
        }
        out.push(b);
        i += 1;
    }
}

pub(crate) fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// UTF-8 (and its subset US-ASCII) and Latin-1 are decoded; other charsets
/// are read as UTF-8 with replacement, which keeps their ASCII intact.
fn decode_charset(charset: &str, bytes: Vec<u8>) -> String {
    match charset {
        "iso-8859-1" | "iso8859-1" | "latin1" | "latin-1" | "l1" => {
            bytes.iter().map(|&b| char::from(b)).collect()
        }
        _ => String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_token_and_bare_values() {
        let p = parse_params(r#"; boundary="a b;c"; type=text/xml;  start = "<x>" ;"#);
        assert_eq!(p.get("boundary"), Some("a b;c"));
        assert_eq!(p.get("TYPE"), Some("text/xml"));
        assert_eq!(p.get("start"), Some("<x>"));
        assert_eq!(p.len(), 3);
    }

    #[test]
    fn escapes_in_quoted_string() {
        let p = parse_params(r#"; name="a\"b\\c""#);
        assert_eq!(p.get("name"), Some(r#"a"b\c"#));
    }

    #[test]
    fn garbage_entries_are_skipped() {
        let p = parse_params("; junk; =x; a=1; \"q\"; b=2");
        assert_eq!(p.get("a"), Some("1"));
        assert_eq!(p.get("b"), Some("2"));
        assert_eq!(p.len(), 2);
    }

    #[test]
    fn rfc2231_continuations_in_any_order() {
        let p = parse_params("; name*1*=%20world; name*0*=utf-8''hello; name*2=!");
        assert_eq!(p.get("name"), Some("hello world!"));
    }

    #[test]
    fn rfc2231_latin1_and_precedence_over_plain() {
        let p = parse_params("; filename=plain.txt; filename*=iso-8859-1'fr'caf%E9.txt");
        assert_eq!(p.get("filename"), Some("café.txt"));
        assert_eq!(p.len(), 1);
    }

    #[test]
    fn bad_percent_escape_stays_literal() {
        let p = parse_params("; f*=utf-8''100%zz%4");
        assert_eq!(p.get("f"), Some("100%zz%4"));
    }
}

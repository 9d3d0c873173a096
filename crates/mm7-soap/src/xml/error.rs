//! Errors of the XML layer, each with the position where it happened.

use std::fmt;

/// Where in a document something happened: 1-based line and column (in characters), and the
/// byte offset from the start of the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, counted in characters.
    pub column: u32,
    /// Byte offset from the start of the document.
    pub offset: usize,
}

impl Position {
    /// Computes the line and column of byte `offset` in `text`.
    ///
    /// Only called on the error path, so a linear count is fine. An offset past the end, or
    /// inside a UTF-8 sequence, is clamped to the nearest character boundary before it.
    pub fn at(text: &str, offset: usize) -> Position {
        let mut end = offset.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let before = &text[..end];
        let line = memchr::memchr_iter(b'\n', before.as_bytes()).count() + 1;
        let line_start = memchr::memrchr(b'\n', before.as_bytes()).map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Position {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
            offset: end,
        }
    }

    /// Builds a position from xmlparser's 1-based row and column, finding the byte offset.
    pub(crate) fn from_row_col(text: &str, row: u32, col: u32) -> Position {
        let mut offset = 0usize;
        for _ in 1..row {
            match memchr::memchr(b'\n', &text.as_bytes()[offset..]) {
                Some(i) => offset += i + 1,
                None => break,
            }
        }
        let line_rest = &text[offset..];
        let skip: usize = line_rest
            .chars()
            .take(col.saturating_sub(1) as usize)
            .map(char::len_utf8)
            .sum();
        Position {
            line: row,
            column: col,
            offset: offset + skip,
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// What went wrong while reading XML.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum XmlErrorKind {
    /// The tokenizer refused the text (xmlparser's message).
    #[error("{0}")]
    Syntax(String),
    /// A document type declaration: refused outright, so no entity is ever expanded
    /// (billion laughs) and no external entity is ever fetched (XXE).
    #[error("DOCTYPE is not allowed in a SOAP message")]
    DoctypeRefused,
    /// An end tag that does not close the element that is open.
    #[error("mismatched end tag: expected </{expected}>, found </{found}>")]
    MismatchedEndTag {
        /// The qualified name of the open element.
        expected: String,
        /// The qualified name in the end tag.
        found: String,
    },
    /// The document ended with this element still open.
    #[error("element <{0}> is not closed")]
    UnclosedElement(String),
    /// A prefix that no `xmlns:` declaration in scope binds.
    #[error("undeclared namespace prefix `{0}`")]
    UndeclaredPrefix(String),
    /// An entity reference other than the five predefined ones or a character reference.
    #[error("unknown or malformed entity reference `{0}`")]
    BadEntity(String),
    /// A namespace declaration whose URI uses an entity or character reference. Legal XML,
    /// but no MM7 peer writes one, and resolving it would mean owning every namespace URI on
    /// the hot path; refusing keeps URIs borrowed and the comparison exact.
    #[error("namespace URI {0:?} uses an entity reference")]
    EntityInNamespace(String),
    /// Elements nested deeper than the limit.
    #[error("elements nested deeper than {0}")]
    DepthLimit(usize),
    /// A text node (or attribute value) longer than the limit.
    #[error("text longer than {0} bytes")]
    TextLimit(usize),
    /// More elements in one message than the limit.
    #[error("more than {0} elements")]
    ElementLimit(usize),
    /// An attribute named twice in one start tag (XML 1.0 "Unique Att Spec"), or by two
    /// prefixes bound to the same namespace.
    #[error("attribute `{0}` appears twice on one element")]
    DuplicateAttribute(String),
    /// More attributes on one element than the limit.
    #[error("more than {0} attributes on one element")]
    AttributeLimit(usize),
    /// The Content-Type's `charset` or the XML declaration names no encoding this reader
    /// knows (every WHATWG encoding label is read).
    #[error("unknown encoding `{0}`")]
    UnsupportedEncoding(String),
    /// The bytes are not in the encoding the document came with (other than UTF-8).
    #[error("the document is not valid {0}")]
    Malformed(String),
    /// The bytes are not UTF-8 (and no other readable encoding was declared).
    #[error("the document is not valid UTF-8")]
    NotUtf8,
    /// No root element.
    #[error("no root element")]
    NoRootElement,
    /// Text or a second element after the root element, or text before it.
    #[error("content outside the root element")]
    ContentOutsideRoot,
}

/// An XML error with its position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at {position}")]
pub struct XmlError {
    /// What went wrong.
    pub kind: XmlErrorKind,
    /// Where.
    pub position: Position,
}

impl XmlError {
    pub(crate) fn new(kind: XmlErrorKind, position: Position) -> XmlError {
        XmlError { kind, position }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_counts_lines_and_characters() {
        let text = "ab\ncé\nxyz";
        assert_eq!(Position::at(text, 0).to_string(), "1:1");
        assert_eq!(Position::at(text, 3).to_string(), "2:1");
        // 'é' is two bytes: offset 6 is the newline after it, column 3.
        assert_eq!(Position::at(text, 6).to_string(), "2:3");
        assert_eq!(Position::at(text, 9).to_string(), "3:3");
        // Past the end is clamped.
        assert_eq!(Position::at(text, 100).offset, text.len());
    }

    #[test]
    fn row_col_round_trip() {
        let text = "ab\ncé\nxyz";
        for offset in [0, 1, 3, 4, 7, 8] {
            let p = Position::at(text, offset);
            assert_eq!(Position::from_row_col(text, p.line, p.column), p);
        }
    }
}

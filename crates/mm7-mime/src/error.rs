//! Errors (the parse or build failed) and warnings (the parse went on, leniently).

use std::fmt;

/// A parse or build failure: what went wrong and where.
///
/// The offset is a byte offset into the input being parsed: the multipart body
/// given to [`Multipart::parse`](crate::Multipart::parse) (nested multiparts
/// report offsets into that same outermost body), the header block given to
/// [`parse_headers`](crate::parse_headers), or the header *value* given to
/// [`ContentType::parse`](crate::ContentType::parse) and friends. Errors of the
/// writer, which has no input position, carry offset 0.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} (at byte {offset})")]
pub struct Error {
    kind: ErrorKind,
    offset: usize,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, offset: usize) -> Self {
        Self { kind, offset }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// Where it went wrong, as a byte offset (see the type-level docs).
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The same error, moved by `base` bytes (used when a sub-slice was parsed).
    pub(crate) fn shifted(mut self, base: usize) -> Self {
        self.offset = self.offset.saturating_add(base);
        self
    }
}

/// The kinds of [`Error`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A Content-Type (or Content-Disposition) value could not be parsed.
    #[error("invalid header value: {0}")]
    InvalidContentType(&'static str),
    /// The Content-Type given for a multipart body is not `multipart/*`.
    #[error("not a multipart media type: {0:?}")]
    NotMultipart(String),
    /// The multipart Content-Type has no `boundary` parameter (RFC 2046 §5.1.1).
    #[error("multipart Content-Type has no boundary parameter")]
    MissingBoundary,
    /// The `boundary` parameter is unusable (empty, too long, or contains a line break).
    #[error("invalid boundary: {0}")]
    InvalidBoundary(&'static str),
    /// No delimiter line for the boundary occurs in the body.
    #[error("boundary delimiter never found in the body")]
    BoundaryNotFound,
    /// The body ends without the close delimiter `--boundary--` (strict mode only;
    /// lenient parsing keeps the parts and reports a [`WarningKind::MissingCloseDelimiter`]).
    #[error("body ends without the close delimiter")]
    MissingCloseDelimiter,
    /// A header block line is neither a field, a folded continuation nor a blank line.
    #[error("header syntax: {0}")]
    HeaderSyntax(&'static str),
    /// A header block did not end within the configured limit.
    #[error("header block longer than the limit of {limit} bytes")]
    HeaderBlockTooLarge {
        /// The configured [`Limits::max_header_block`](crate::Limits::max_header_block).
        limit: usize,
    },
    /// A multipart has more body parts than allowed.
    #[error("more than {limit} parts in one multipart")]
    TooManyParts {
        /// The configured [`Limits::max_parts`](crate::Limits::max_parts).
        limit: usize,
    },
    /// Multiparts are nested deeper than allowed.
    #[error("multipart nesting deeper than {limit} levels")]
    TooDeep {
        /// The configured [`Limits::max_depth`](crate::Limits::max_depth).
        limit: usize,
    },
    /// A Content-Transfer-Encoding this crate cannot decode (e.g. `x-uuencode`).
    #[error("unsupported Content-Transfer-Encoding {0:?}")]
    UnsupportedTransferEncoding(String),
    /// The first line of an HTTP message is neither a request line nor a status line.
    #[error("invalid HTTP start line: {0}")]
    InvalidStartLine(&'static str),
    /// The writer was given a header name or value it cannot put on the wire
    /// (a line break in a value, a name that is not a token, ...).
    #[error("invalid header {0:?} for writing")]
    InvalidHeader(String),
    /// The writer was given a boundary that occurs in the content it would frame.
    #[error("the requested boundary occurs in the content")]
    BoundaryInContent,
    /// The writer was asked for a multipart without body parts (RFC 2046
    /// §5.1.1 requires at least one).
    #[error("a multipart needs at least one body part")]
    NoParts,
}

/// Something unusual the lenient parser accepted; readable with
/// [`Multipart::warnings`](crate::Multipart::warnings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    kind: WarningKind,
    offset: usize,
}

impl Warning {
    pub(crate) fn new(kind: WarningKind, offset: usize) -> Self {
        Self { kind, offset }
    }

    /// What was unusual.
    pub fn kind(&self) -> &WarningKind {
        &self.kind
    }

    /// Where, as a byte offset into the outermost multipart body.
    pub fn offset(&self) -> usize {
        self.offset
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.kind, self.offset)
    }
}

/// The kinds of [`Warning`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WarningKind {
    /// The body ended without `--boundary--`; the last part runs to the end of
    /// the body and may be truncated.
    #[error("body ends without the close delimiter; the last part may be truncated")]
    MissingCloseDelimiter,
    /// The `start` parameter names no part; the root was chosen by media type
    /// (the `type` parameter, else the first XML part, else the first part).
    #[error("start parameter {start:?} names no part; root chosen by media type")]
    StartNotFound {
        /// The `start` value as given.
        start: String,
    },
    /// A part's header block ended at a line that is not a header field,
    /// without the blank line RFC 2045 requires; the body starts at that line.
    #[error("header block ended without a blank line")]
    MissingBlankLine,
    /// A part's Content-Type could not be parsed; `text/plain` was assumed
    /// (RFC 2045 §5.2).
    #[error("unparseable Content-Type; text/plain assumed")]
    InvalidContentType,
}

//! Captured HTTP messages (`.http` files): a request or status line, a
//! header block, a blank line, the body. Test vectors and the CLI store
//! MM7 traffic this way; this is a reader for such captures, not an HTTP
//! implementation (no chunked coding, Content-Length is not consulted).

use std::borrow::Cow;
use std::ops::Range;

use bytes::Bytes;

use crate::error::{Error, ErrorKind};
use crate::header::{BlockEnd, Headers, parse_headers};
use crate::multipart::Multipart;
use crate::options::ParseOptions;

/// A captured HTTP request or response.
///
/// The body is everything after the header block, whatever Content-Length
/// says: captures in provider documents carry placeholders such as
/// `Content-Length: nnnn`. Header parsing follows [`parse_headers`], so a
/// line of only spaces ends the head, as documents render the blank line.
///
/// ```
/// use bytes::Bytes;
/// use mm7_mime::HttpMessage;
///
/// let capture = Bytes::from_static(
///     b"POST /mm7 HTTP/1.1\r\nContent-Type: multipart/related; boundary=b\r\n\
///       SOAPAction: \"\"\r\n\r\n--b\r\n\r\n<env/>\r\n--b--\r\n",
/// );
/// let message = HttpMessage::parse(capture)?;
/// assert_eq!(message.method(), Some("POST"));
/// assert_eq!(message.target(), Some("/mm7"));
/// assert_eq!(message.header("soapaction").as_deref(), Some("\"\""));
/// let multipart = message.multipart().unwrap()?;
/// assert_eq!(multipart.parts()[0].body(), &b"<env/>"[..]);
/// # Ok::<(), mm7_mime::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct HttpMessage {
    start_line: String,
    start: StartLine,
    headers: Headers,
    header_end: BlockEnd,
    body: Bytes,
    body_offset: usize,
    options: ParseOptions,
}

#[derive(Debug, Clone)]
enum StartLine {
    Request {
        method: Range<usize>,
        target: Range<usize>,
        version: Range<usize>,
    },
    Response {
        version: Range<usize>,
        status: u16,
        reason: Range<usize>,
    },
}

impl HttpMessage {
    /// Parses a capture with the default (lenient) options.
    ///
    /// # Errors
    ///
    /// See [`HttpMessage::parse_with`].
    pub fn parse(input: Bytes) -> Result<Self, Error> {
        Self::parse_with(input, &ParseOptions::default())
    }

    /// Parses a capture. Empty lines before the start line are skipped
    /// (RFC 9112 §2.2).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidStartLine`]; header errors as for [`parse_headers`];
    /// offsets are into `input`.
    pub fn parse_with(input: Bytes, options: &ParseOptions) -> Result<Self, Error> {
        let mut pos = 0;
        let (line, next) = loop {
            let rest = input.get(pos..).unwrap_or_default();
            if rest.is_empty() {
                return Err(Error::new(
                    ErrorKind::InvalidStartLine("no start line"),
                    pos,
                ));
            }
            let (line, next) = match memchr::memchr(b'\n', rest) {
                Some(i) => (&rest[..i], pos + i + 1),
                None => (rest, input.len()),
            };
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.iter().all(u8::is_ascii_whitespace) {
                pos = next;
                continue;
            }
            break (line, next);
        };
        if line.len() > options.limits.max_header_block {
            return Err(Error::new(
                ErrorKind::HeaderBlockTooLarge {
                    limit: options.limits.max_header_block,
                },
                pos,
            ));
        }
        let start_line = match std::str::from_utf8(line) {
            Ok(text) if !text.chars().any(|c| c.is_ascii_control() && c != '\t') => {
                text.trim().to_owned()
            }
            _ => {
                return Err(Error::new(
                    ErrorKind::InvalidStartLine("not printable ASCII"),
                    pos,
                ));
            }
        };
        let start = parse_start_line(&start_line)
            .map_err(|why| Error::new(ErrorKind::InvalidStartLine(why), pos))?;

        let head = input.slice(next..);
        let block = parse_headers(&head, options).map_err(|e| e.shifted(next))?;
        let body_offset = next + block.body_offset;
        Ok(Self {
            start_line,
            start,
            headers: block.headers,
            header_end: block.end,
            body: input.slice(body_offset..),
            body_offset,
            options: *options,
        })
    }

    /// The request or status line, trimmed.
    pub fn start_line(&self) -> &str {
        &self.start_line
    }

    /// Whether this is a request (else a response).
    pub fn is_request(&self) -> bool {
        matches!(self.start, StartLine::Request { .. })
    }

    /// The request method.
    pub fn method(&self) -> Option<&str> {
        match &self.start {
            StartLine::Request { method, .. } => self.start_line.get(method.clone()),
            StartLine::Response { .. } => None,
        }
    }

    /// The request target.
    pub fn target(&self) -> Option<&str> {
        match &self.start {
            StartLine::Request { target, .. } => self.start_line.get(target.clone()),
            StartLine::Response { .. } => None,
        }
    }

    /// The HTTP version, e.g. `HTTP/1.1`.
    pub fn version(&self) -> &str {
        let (StartLine::Request { version, .. } | StartLine::Response { version, .. }) =
            &self.start;
        self.start_line.get(version.clone()).unwrap_or_default()
    }

    /// The response status code.
    pub fn status(&self) -> Option<u16> {
        match &self.start {
            StartLine::Response { status, .. } => Some(*status),
            StartLine::Request { .. } => None,
        }
    }

    /// The response reason phrase (possibly empty).
    pub fn reason(&self) -> Option<&str> {
        match &self.start {
            StartLine::Response { reason, .. } => self.start_line.get(reason.clone()),
            StartLine::Request { .. } => None,
        }
    }

    /// The header fields.
    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// How the header block ended (e.g. [`BlockEnd::WhitespaceLine`] for a
    /// document that renders the blank line as a space).
    pub fn header_end(&self) -> BlockEnd {
        self.header_end
    }

    /// The unfolded value of the first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<Cow<'_, str>> {
        self.headers.get_str(name)
    }

    /// The Content-Type header value.
    pub fn content_type(&self) -> Option<Cow<'_, str>> {
        self.header("content-type")
    }

    /// The body: everything after the header block.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// Offset of the body in the input.
    pub fn body_offset(&self) -> usize {
        self.body_offset
    }

    /// The body parsed as a multipart with the message's Content-Type and
    /// the options the message was parsed with; `None` when the Content-Type
    /// is absent or not `multipart/*`. Offsets in the result are into the body.
    pub fn multipart(&self) -> Option<Result<Multipart, Error>> {
        let content_type = crate::ContentType::parse(&self.content_type()?).ok()?;
        if !content_type.is_multipart() {
            return None;
        }
        Some(Multipart::parse_content_type(
            self.body.clone(),
            content_type,
            &self.options,
        ))
    }
}

fn parse_start_line(line: &str) -> Result<StartLine, &'static str> {
    let spans = token_spans(line);
    let token = |i: usize| {
        spans
            .get(i)
            .and_then(|r| line.get(r.clone()))
            .unwrap_or_default()
    };
    if token(0).starts_with("HTTP/") {
        let status = token(1);
        if status.len() != 3 || !status.bytes().all(|b| b.is_ascii_digit()) {
            return Err("status code is not three digits");
        }
        let reason_start = spans.get(2).map_or(line.len(), |r| r.start);
        return Ok(StartLine::Response {
            version: spans.first().cloned().unwrap_or_default(),
            status: status
                .parse()
                .map_err(|_| "status code is not three digits")?,
            reason: reason_start..line.len(),
        });
    }
    let method_ok = !token(0).is_empty()
        && token(0)
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c));
    if !method_ok || token(1).is_empty() || !token(2).starts_with("HTTP/") || spans.len() != 3 {
        return Err("expected `METHOD target HTTP/x.y` or `HTTP/x.y code reason`");
    }
    Ok(StartLine::Request {
        method: spans[0].clone(),
        target: spans[1].clone(),
        version: spans[2].clone(),
    })
}

/// Positions of the space-separated tokens (at most four are looked at).
fn token_spans(line: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::with_capacity(4);
    let mut start = None;
    for (i, c) in line
        .char_indices()
        .chain(std::iter::once((line.len(), ' ')))
    {
        match (c == ' ' || c == '\t', start) {
            (true, Some(s)) => {
                spans.push(s..i);
                start = None;
                if spans.len() == 4 {
                    break;
                }
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_line_and_whitespace_blank_line() {
        let message = HttpMessage::parse(Bytes::from_static(
            b"\r\nHTTP/1.1 200 OK fine\nContent-Type: text/xml\n \n<x/>",
        ))
        .unwrap();
        assert!(!message.is_request());
        assert_eq!(message.status(), Some(200));
        assert_eq!(message.reason(), Some("OK fine"));
        assert_eq!(message.version(), "HTTP/1.1");
        assert_eq!(message.header_end(), BlockEnd::WhitespaceLine);
        assert_eq!(message.body(), &b"<x/>"[..]);
        assert!(message.multipart().is_none());
    }

    #[test]
    fn bad_start_lines_are_errors_with_offsets() {
        for (input, offset) in [
            (&b"\n\nGET /x\n\n"[..], 2),
            (b"HTTP/1.1 2000 OK\n", 0),
            (b"", 0),
            (b"GE\x01T / HTTP/1.1\n", 0),
        ] {
            let err = HttpMessage::parse(Bytes::from_static(input)).unwrap_err();
            assert!(
                matches!(err.kind(), ErrorKind::InvalidStartLine(_)),
                "{err}"
            );
            assert_eq!(err.offset(), offset);
        }
    }
}

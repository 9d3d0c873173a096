//! Splitting a `multipart/*` body (RFC 2046 §5.1) into parts, and choosing
//! the multipart/related root (RFC 2387).
//!
//! The cost is one `memchr::memmem` pass over the body for `--boundary`;
//! only the short header block at the start of each part is looked at byte
//! by byte. Parts are slices of the input [`Bytes`], never copies, so the
//! allocations of a parse depend on the number of parts and header fields,
//! never on the size of a body.
//!
//! ```text
//!  preamble \r\n--B  \r\n Content-Type: ...\r\n\r\n body \r\n--B\r\n ... \r\n--B--\r\n epilogue
//!           |<-  delimiter ->|<-- headers ------------>|<body>|<- delimiter -> ...  |<- close ->|
//! ```
//!
//! The line break before a delimiter belongs to the delimiter (§5.1.1), so a
//! part's body never ends with the CRLF that precedes `--B`.

use bytes::Bytes;
use memchr::memmem::Finder;

use crate::content_type::{ContentType, content_id_reference, normalize_content_id};
use crate::error::{Error, ErrorKind, Warning, WarningKind};
use crate::header::is_wsp;
use crate::options::ParseOptions;
use crate::part::{Leaves, Part};

/// Longest boundary accepted when parsing. RFC 2046 allows 70 characters;
/// this leaves room for senders that exceed it while keeping the search
/// needle small.
const MAX_BOUNDARY: usize = 200;

/// A parsed multipart body: its parts, preamble and epilogue, the root part,
/// and the warnings of a lenient parse.
///
/// ```
/// use bytes::Bytes;
/// use mm7_mime::Multipart;
///
/// let body = Bytes::from_static(
///     b"--b1\r\nContent-Type: text/xml\r\nContent-ID: <soap>\r\n\r\n<env/>\r\n\
///       --b1\r\nContent-Type: image/gif\r\nContent-ID:<pic>\r\n\
///       Content-Transfer-Encoding: BASE64\r\n\r\nR0lGODdh\r\n--b1--\r\n",
/// );
/// let multipart = Multipart::parse(body, r#"multipart/related; type="text/xml"; start="<soap>"; boundary=b1"#)?;
/// assert_eq!(multipart.parts().len(), 2);
/// assert_eq!(multipart.root().unwrap().body(), &b"<env/>"[..]);
/// let pic = multipart.part_by_content_id("cid:pic").unwrap();
/// assert_eq!(pic.decoded()?, &b"GIF87a"[..]);
/// assert!(multipart.warnings().is_empty());
/// # Ok::<(), mm7_mime::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Multipart {
    content_type: ContentType,
    preamble: Bytes,
    epilogue: Bytes,
    parts: Vec<Part>,
    root: Option<usize>,
    warnings: Vec<Warning>,
    depth: usize,
}

impl Multipart {
    /// Parses `body` as the multipart described by the Content-Type header
    /// value `content_type`, leniently, with the default [`Limits`](crate::Limits).
    ///
    /// # Errors
    ///
    /// See [`Multipart::parse_with`].
    pub fn parse(body: Bytes, content_type: &str) -> Result<Self, Error> {
        Self::parse_with(body, content_type, &ParseOptions::default())
    }

    /// Parses with explicit options.
    ///
    /// # Errors
    ///
    /// A Content-Type that is not `multipart/*` ([`ErrorKind::NotMultipart`],
    /// [`ErrorKind::InvalidContentType`]) or lacks a usable boundary
    /// ([`ErrorKind::MissingBoundary`], [`ErrorKind::InvalidBoundary`]), with
    /// offsets into `content_type`; a body without any delimiter line
    /// ([`ErrorKind::BoundaryNotFound`]); a passed limit; and in strict mode
    /// a missing close delimiter or a part header block without a blank line.
    /// Other offsets are into `body`.
    pub fn parse_with(
        body: Bytes,
        content_type: &str,
        options: &ParseOptions,
    ) -> Result<Self, Error> {
        let content_type = ContentType::parse(content_type)?;
        Self::parse_content_type(body, content_type, options)
    }

    /// Parses with an already parsed Content-Type.
    ///
    /// # Errors
    ///
    /// As [`Multipart::parse_with`].
    pub fn parse_content_type(
        body: Bytes,
        content_type: ContentType,
        options: &ParseOptions,
    ) -> Result<Self, Error> {
        Self::parse_at(body, content_type, options, 1, 0)
    }

    /// Parses a multipart at nesting level `depth` whose body starts at
    /// `base` in the outermost input.
    pub(crate) fn parse_at(
        body: Bytes,
        content_type: ContentType,
        options: &ParseOptions,
        depth: usize,
        base: usize,
    ) -> Result<Self, Error> {
        let limits = &options.limits;
        if depth > limits.max_depth {
            return Err(Error::new(
                ErrorKind::TooDeep {
                    limit: limits.max_depth,
                },
                base,
            ));
        }
        if !content_type.is_multipart() {
            return Err(Error::new(
                ErrorKind::NotMultipart(content_type.mime_type().to_owned()),
                0,
            ));
        }
        let boundary = content_type
            .boundary()
            .ok_or_else(|| Error::new(ErrorKind::MissingBoundary, 0))?;
        let invalid = |why| Err(Error::new(ErrorKind::InvalidBoundary(why), 0));
        if boundary.is_empty() {
            return invalid("empty");
        }
        if boundary.len() > MAX_BOUNDARY {
            return invalid("longer than 200 characters");
        }
        if boundary.contains(['\r', '\n']) {
            return invalid("contains a line break");
        }

        let mut needle = Vec::with_capacity(boundary.len() + 2);
        needle.extend_from_slice(b"--");
        needle.extend_from_slice(boundary.as_bytes());
        let scanner = Scanner {
            finder: Finder::new(&needle),
            body: &body,
        };
        let digest = content_type.is("multipart/digest");
        let mut warnings = Vec::new();
        let mut parts = Vec::new();
        let mut push_part = |start: usize, end: usize, warnings: &mut Vec<Warning>| {
            if parts.len() >= limits.max_parts {
                return Err(Error::new(
                    ErrorKind::TooManyParts {
                        limit: limits.max_parts,
                    },
                    base + start,
                ));
            }
            let content = body.slice(start..end.max(start));
            parts.push(Part::parse(
                content,
                base + start,
                options,
                depth,
                digest,
                warnings,
            )?);
            Ok(())
        };

        let first = scanner
            .next_delimiter(0)
            .ok_or_else(|| Error::new(ErrorKind::BoundaryNotFound, base))?;
        let preamble = body.slice(..first.line_start);
        let mut epilogue = Bytes::new();
        let mut pos = first.after;
        let mut closed = first.close;
        if closed {
            epilogue = body.slice(first.after..);
        }
        while !closed {
            match scanner.next_delimiter(pos) {
                Some(delimiter) => {
                    push_part(pos, delimiter.line_start, &mut warnings)?;
                    pos = delimiter.after;
                    if delimiter.close {
                        closed = true;
                        epilogue = body.slice(delimiter.after..);
                    }
                }
                None => {
                    if options.strict {
                        return Err(Error::new(
                            ErrorKind::MissingCloseDelimiter,
                            base + body.len(),
                        ));
                    }
                    warnings.push(Warning::new(
                        WarningKind::MissingCloseDelimiter,
                        base + body.len(),
                    ));
                    // A final `--B` line without its `--` is the usual way to
                    // lose the close delimiter: nothing follows it then.
                    let rest = body.get(pos..).unwrap_or_default();
                    if !rest.iter().all(u8::is_ascii_whitespace) {
                        push_part(pos, body.len(), &mut warnings)?;
                    }
                    break;
                }
            }
        }

        let root = find_root(&content_type, &parts, &mut warnings, base);
        Ok(Self {
            content_type,
            preamble,
            epilogue,
            parts,
            root,
            warnings,
            depth,
        })
    }

    /// The Content-Type this multipart was parsed with.
    pub fn content_type(&self) -> &ContentType {
        &self.content_type
    }

    /// The boundary.
    pub fn boundary(&self) -> &str {
        self.content_type.boundary().unwrap_or_default()
    }

    /// The body parts, in order.
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// The body parts, owned.
    pub fn into_parts(self) -> Vec<Part> {
        self.parts
    }

    /// The root part (RFC 2387 §3.2): the one whose Content-ID the `start`
    /// parameter names (compared without angle brackets); the first part when
    /// `start` is absent. When `start` names no part, the first part of the
    /// `type` parameter's media type, else the first `text/xml` or
    /// `application/xml` part, else the first part, with a
    /// [`WarningKind::StartNotFound`] warning. `None` only when there are no parts.
    pub fn root(&self) -> Option<&Part> {
        self.root.and_then(|i| self.parts.get(i))
    }

    /// The index of [`root`](Self::root) in [`parts`](Self::parts).
    pub fn root_index(&self) -> Option<usize> {
        self.root
    }

    /// The part of this multipart (not of nested ones) with the Content-ID a
    /// reference names: `cid:` URL, `<id>` or bare id.
    pub fn part_by_content_id(&self, reference: &str) -> Option<&Part> {
        let wanted = content_id_reference(reference);
        self.parts
            .iter()
            .find(|part| part.content_id() == Some(&*wanted))
    }

    /// What the lenient parse accepted that was not well formed. Warnings of
    /// nested multiparts belong to those (see [`Part::multipart`]).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// The bytes before the first delimiter (to be ignored, RFC 2046 §5.1.1).
    pub fn preamble(&self) -> &Bytes {
        &self.preamble
    }

    /// The bytes after the close delimiter line (to be ignored).
    pub fn epilogue(&self) -> &Bytes {
        &self.epilogue
    }

    /// The nesting level: 1 for the outermost multipart.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The leaf (non-multipart) parts in depth-first order, nested multiparts
    /// parsed on the way. A nested multipart that fails to parse (a limit, a
    /// missing boundary, ...) yields its error, then the walk goes on with
    /// its siblings. Nesting is bounded by [`Limits::max_depth`](crate::Limits::max_depth)
    /// and walked without recursion.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use mm7_mime::Multipart;
    ///
    /// let body = Bytes::from_static(
    ///     b"--o\r\n\r\nroot\r\n--o\r\nContent-Type: multipart/mixed; boundary=i\r\n\r\n\
    ///       --i\r\n\r\none\r\n--i\r\n\r\ntwo\r\n--i--\r\n--o--\r\n",
    /// );
    /// let multipart = Multipart::parse(body, "multipart/related; boundary=o")?;
    /// let leaves: Vec<_> = multipart.leaves().collect::<Result<_, _>>()?;
    /// let bodies: Vec<&[u8]> = leaves.iter().map(|p| &p.body()[..]).collect();
    /// assert_eq!(bodies, [&b"root"[..], b"one", b"two"]);
    /// # Ok::<(), mm7_mime::Error>(())
    /// ```
    pub fn leaves(&self) -> Leaves<'_> {
        Leaves::new(&self.parts)
    }
}

/// A delimiter line found in the body.
struct Delimiter {
    /// Where the line break before `--B` starts (part content ends here).
    line_start: usize,
    /// Just past the delimiter line and its line break.
    after: usize,
    /// Whether it is the close delimiter `--B--`.
    close: bool,
}

struct Scanner<'a> {
    finder: Finder<'a>,
    body: &'a [u8],
}

impl Scanner<'_> {
    /// The next delimiter line at or after `from`: `--B` at the start of a
    /// line, then `--` for the close delimiter, then transport padding (spaces,
    /// tabs), then a line break or the end of the body. `--B` followed by
    /// anything else is content (e.g. a longer boundary of a nested part).
    fn next_delimiter(&self, mut from: usize) -> Option<Delimiter> {
        let body = self.body;
        let needle_len = self.finder.needle().len();
        while let Some(found) = self.finder.find(body.get(from..)?) {
            let p = from + found;
            from = p + 1;
            if p > 0 && body.get(p - 1) != Some(&b'\n') {
                continue;
            }
            let mut i = p + needle_len;
            let close = body.get(i..i + 2) == Some(b"--");
            if close {
                i += 2;
            }
            while body.get(i).is_some_and(|&b| is_wsp(b)) {
                i += 1;
            }
            let after = match body.get(i..).unwrap_or_default() {
                [] => i,
                [b'\n', ..] => i + 1,
                [b'\r', b'\n', ..] => i + 2,
                // Text after `--B--` on the same line: the epilogue starts there.
                _ if close => i,
                _ => continue,
            };
            let line_start = match p {
                0 => 0,
                _ if p >= 2 && body.get(p - 2) == Some(&b'\r') => p - 2,
                _ => p - 1,
            };
            return Some(Delimiter {
                line_start,
                after,
                close,
            });
        }
        None
    }
}

fn find_root(
    content_type: &ContentType,
    parts: &[Part],
    warnings: &mut Vec<Warning>,
    base: usize,
) -> Option<usize> {
    if parts.is_empty() {
        return None;
    }
    let Some(start) = content_type.start() else {
        return Some(0);
    };
    let wanted = normalize_content_id(start);
    if let Some(i) = parts.iter().position(|p| p.content_id() == Some(wanted)) {
        return Some(i);
    }
    warnings.push(Warning::new(
        WarningKind::StartNotFound {
            start: start.to_owned(),
        },
        base,
    ));
    let by_type = content_type
        .related_type()
        .and_then(|wanted| parts.iter().position(|p| p.content_type().is(wanted)));
    let by_xml = || {
        parts
            .iter()
            .position(|p| p.content_type().is("text/xml") || p.content_type().is("application/xml"))
    };
    by_type.or_else(by_xml).or(Some(0))
}

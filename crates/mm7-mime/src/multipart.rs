//! Splitting a `multipart/*` body (RFC 2046 §5.1) into parts, and choosing
//! the multipart/related root (RFC 2387).
//!
//! The cost is one `memchr::memmem` pass over the body for `\n--`, the start
//! of every delimiter line; the same pass finds the delimiters of the
//! multiparts nested in its parts, which are handed down and not scanned
//! again. Only the short header block at the start of each part is looked at
//! byte by byte. Parts are slices of the input [`Bytes`], never copies, so the
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

use std::sync::LazyLock;

use bytes::Bytes;
use memchr::memmem::Finder;

use crate::content_type::{ContentType, content_id_reference, normalize_content_id};
use crate::error::{Error, ErrorKind, Warning, WarningKind};
use crate::header::is_wsp;
use crate::options::ParseOptions;
use crate::part::{Leaves, Part, PartContext};

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
        Self::parse_at(body, content_type, options, 1, 0, None)
    }

    /// Parses a multipart at nesting level `depth` whose body starts at
    /// `base` in the outermost input. `dashes`, when the parent's scan
    /// collected them, are the positions in `body` of every `--` that starts
    /// a line (or the body), in order: its delimiters are among them, so the
    /// body is not scanned again.
    pub(crate) fn parse_at(
        body: Bytes,
        content_type: ContentType,
        options: &ParseOptions,
        depth: usize,
        base: usize,
        dashes: Option<&[usize]>,
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

        let mut scanner = Scanner::new(&body, boundary.as_bytes(), dashes);
        let digest = content_type.is("multipart/digest");
        let mut warnings = Vec::new();
        let mut parts = Vec::new();
        let mut push_part =
            |start: usize, end: usize, dashes: Option<Vec<usize>>, warnings: &mut Vec<Warning>| {
                if parts.len() >= limits.max_parts {
                    return Err(Error::new(
                        ErrorKind::TooManyParts {
                            limit: limits.max_parts,
                        },
                        base + start,
                    ));
                }
                let content = body.slice(start..end.max(start));
                let context = PartContext {
                    offset: base + start,
                    depth,
                    in_digest: digest,
                    dashes,
                };
                parts.push(Part::parse(content, context, options, warnings)?);
                Ok(())
            };

        let first = scanner
            .next_delimiter(0, false)
            .ok_or_else(|| Error::new(ErrorKind::BoundaryNotFound, base))?;
        let preamble = body.slice(..first.line_start);
        let mut epilogue = Bytes::new();
        let mut pos = first.after;
        let mut closed = first.close;
        if closed {
            epilogue = body.slice(first.after..);
        }
        while !closed {
            match scanner.next_delimiter(pos, true) {
                Some(delimiter) => {
                    push_part(
                        pos,
                        delimiter.line_start,
                        scanner.take_kept(),
                        &mut warnings,
                    )?;
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
                        push_part(pos, body.len(), scanner.take_kept(), &mut warnings)?;
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

/// `\n--`: every delimiter line, of this multipart and of the ones nested in
/// its parts, starts with `--` after a line feed (or at the start of the
/// body), so one pass for it finds the delimiters of every level.
static LINE_DASH: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\n--"));

/// How many line-start `--` positions that are not its own delimiters one
/// multipart parse keeps for the nested multiparts of its parts (8 KiB).
/// Past that, a nested multipart scans its body itself: the memory kept is
/// bounded whatever the body holds.
const MAX_KEPT: usize = 1024;

/// Where the positions of `--` at line starts come from.
enum Dashes<'a> {
    /// A scan of the body; the next search for `\n--` starts at `from`.
    Scan { from: usize, at_start: bool },
    /// The parent's scan, handed down with the part.
    Known(std::slice::Iter<'a, usize>),
}

/// Finds the delimiter lines of one multipart body and keeps, part by part,
/// the other line-start `--` positions: the delimiter candidates of a
/// nested multipart, which then needs no scan of its own.
struct Scanner<'a> {
    body: &'a [u8],
    boundary: &'a [u8],
    dashes: Dashes<'a>,
    /// Line-start `--` positions in the current part that are not
    /// delimiters of this multipart.
    kept: Vec<usize>,
    /// Whether `kept` has every such position of the current part.
    complete: bool,
    /// Positions kept by this parse so far.
    kept_total: usize,
}

impl<'a> Scanner<'a> {
    fn new(body: &'a [u8], boundary: &'a [u8], known: Option<&'a [usize]>) -> Self {
        let dashes = match known {
            Some(known) => Dashes::Known(known.iter()),
            None => Dashes::Scan {
                from: 0,
                at_start: true,
            },
        };
        Self {
            body,
            boundary,
            dashes,
            kept: Vec::new(),
            complete: true,
            kept_total: 0,
        }
    }

    /// The next position of `--` at the start of a line or of the body.
    fn next_dash(&mut self) -> Option<usize> {
        match &mut self.dashes {
            Dashes::Known(known) => known.next().copied(),
            Dashes::Scan { from, at_start } => {
                if std::mem::take(at_start) && self.body.starts_with(b"--") {
                    return Some(0);
                }
                let found = LINE_DASH.find(self.body.get(*from..)?)?;
                let dash = *from + found + 1;
                *from = dash;
                Some(dash)
            }
        }
    }

    /// The next delimiter line at or after `from`: `--B` at the start of a
    /// line, then `--` for the close delimiter, then transport padding (spaces,
    /// tabs), then a line break or the end of the body. `--B` followed by
    /// anything else is content (e.g. a longer boundary of a nested part).
    /// With `keep`, the line-start `--` passed on the way are kept for the
    /// part that starts at `from` and ends at the delimiter, as positions in
    /// that part.
    fn next_delimiter(&mut self, from: usize, keep: bool) -> Option<Delimiter> {
        while let Some(dash) = self.next_dash() {
            if dash < from {
                continue;
            }
            if let Some(delimiter) = self.delimiter_at(dash) {
                return Some(delimiter);
            }
            if keep && self.complete {
                if self.kept_total < MAX_KEPT {
                    self.kept.push(dash - from);
                    self.kept_total += 1;
                } else {
                    self.complete = false;
                }
            }
        }
        None
    }

    /// The delimiter line that starts with the `--` at `dash`, if it is one.
    fn delimiter_at(&self, dash: usize) -> Option<Delimiter> {
        let body = self.body;
        let boundary_at = dash + 2;
        if body.get(boundary_at..boundary_at + self.boundary.len())? != self.boundary {
            return None;
        }
        let mut i = boundary_at + self.boundary.len();
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
            _ => return None,
        };
        let line_start = match dash {
            0 => 0,
            _ if dash >= 2 && body.get(dash - 2) == Some(&b'\r') => dash - 2,
            _ => dash - 1,
        };
        Some(Delimiter {
            line_start,
            after,
            close,
        })
    }

    /// The positions kept for the part that just ended, if complete (`None`
    /// tells its nested multipart to scan for itself).
    fn take_kept(&mut self) -> Option<Vec<usize>> {
        let kept = std::mem::take(&mut self.kept);
        std::mem::replace(&mut self.complete, true).then_some(kept)
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

//! A namespace-aware pull reader over `xmlparser` tokens.
//!
//! `xmlparser` is a tokenizer: it neither pairs end tags with start tags nor resolves
//! prefixes. This reader adds both, plus the limits and refusals a server facing the open
//! internet needs, and hands out borrowed slices of the document (`&'a str`) so that reading
//! a message allocates only for the values a caller keeps.
//!
//! The markup that makes up most of an MM7 document is read without the tokenizer, which then
//! resumes after it (in fragment mode): an end tag compared with the name it must repeat, a
//! start tag (the root's too) with ASCII names and plain attribute values, a value's text up
//! to its end tag, a run of spaces before markup. Each is a subset of what the tokenizer
//! reads, giving the same events; anything else (other names, references in values, comments,
//! CDATA, every error) is the tokenizer's. A test compares both ways of reading on generated
//! documents, and the verdict with roxmltree's.

use std::borrow::Cow;

use xmlparser::{ElementEnd, Token, Tokenizer};

use super::error::{Position, XmlError, XmlErrorKind};
use super::escape::unescape;
use super::stack::InlineVec;
use super::{TrimExt, forbidden_controls, same};

/// Limits on what a document may contain. Passing one is an error, never a panic or an
/// unbounded allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct XmlLimits {
    /// Deepest element nesting (the SOAP Envelope counts as 1). Default 32; MM7 needs 6.
    pub max_depth: usize,
    /// Longest text node or attribute value, in bytes. Default 1 MiB.
    pub max_text: usize,
    /// Most attributes on one element, namespace declarations included. Default 32.
    pub max_attributes: usize,
}

impl XmlLimits {
    /// At most this deep an element nesting.
    #[must_use]
    pub fn with_max_depth(mut self, max_depth: usize) -> XmlLimits {
        self.max_depth = max_depth;
        self
    }

    /// At most this long a text node or attribute value, in bytes.
    #[must_use]
    pub fn with_max_text(mut self, max_text: usize) -> XmlLimits {
        self.max_text = max_text;
        self
    }

    /// At most this many attributes on one element.
    #[must_use]
    pub fn with_max_attributes(mut self, max_attributes: usize) -> XmlLimits {
        self.max_attributes = max_attributes;
        self
    }
}

impl Default for XmlLimits {
    fn default() -> Self {
        XmlLimits {
            max_depth: 32,
            max_text: 1024 * 1024,
            max_attributes: 32,
        }
    }
}

/// An element's qualified name with its namespace resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Element<'a> {
    /// The prefix as written (`""` when there is none).
    pub prefix: &'a str,
    /// The local name.
    pub local: &'a str,
    /// The namespace URI bound to the prefix (or the default namespace), as written.
    pub namespace: Option<&'a str>,
    /// Byte offset of the `<` that starts the tag.
    pub offset: usize,
}

/// An attribute of the most recent start tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attribute<'a> {
    /// The prefix as written (`""` when there is none).
    pub prefix: &'a str,
    /// The local name.
    pub local: &'a str,
    /// The value as written, entities not yet decoded.
    pub raw_value: &'a str,
    /// Byte offset of the attribute's name.
    pub offset: usize,
}

/// A run of character data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text<'a> {
    /// The text as written (entities not decoded unless `cdata`).
    pub raw: &'a str,
    /// True for a CDATA section, whose text is literal.
    pub cdata: bool,
    /// Byte offset of the text.
    pub offset: usize,
}

impl Text<'_> {
    /// True when the text is only XML white space.
    pub fn is_whitespace(&self) -> bool {
        self.raw.bytes().all(is_space_byte)
    }
}

/// What [`XmlReader::next_event`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event<'a> {
    /// A start tag (an empty-element tag gives `Start` then `End`). Its attributes are in
    /// [`XmlReader::attributes`] until the next call.
    Start(Element<'a>),
    /// The end of the element started last and not yet ended.
    End(Element<'a>),
    /// Character data inside the root element.
    Text(Text<'a>),
    /// The end of the document (the root element was closed).
    Eof,
}

#[derive(Debug, Clone, Copy)]
struct Binding<'a> {
    prefix: &'a str,
    uri: &'a str,
    depth: usize,
}

/// An open element and where its content starts (just after its start tag's `>`).
#[derive(Debug, Clone, Copy)]
struct Open<'a> {
    element: Element<'a>,
    content_start: usize,
}

const NO_ELEMENT: Element<'static> = Element {
    prefix: "",
    local: "",
    namespace: None,
    offset: 0,
};

/// Inline capacity of the reader's stacks: an MM7 envelope nests six elements deep and binds
/// a namespace or two; deeper documents still read, with the stacks on the heap.
const INLINE: usize = 8;

/// The pull reader. See the module documentation.
#[derive(Debug)]
pub struct XmlReader<'a> {
    text: &'a str,
    tokens: Tokenizer<'a>,
    limits: XmlLimits,
    bindings: InlineVec<Binding<'a>, INLINE>,
    open: InlineVec<Open<'a>, INLINE>,
    // Where the content of the element closed last is, as byte offsets.
    last_inner: (usize, usize),
    attrs: InlineVec<Attribute<'a>, INLINE>,
    pending_end: Option<Element<'a>>,
    root_done: bool,
    /// Tests only: everything read through the tokenizer (`close_at`, `plain_start` and
    /// `skip_spaces` off), the reference the reader's own paths are compared with.
    #[cfg(test)]
    slow_close: bool,
}

impl<'a> XmlReader<'a> {
    /// A reader over a whole document with the given limits.
    pub fn new(text: &'a str, limits: XmlLimits) -> XmlReader<'a> {
        XmlReader {
            text,
            tokens: Tokenizer::from(text),
            limits,
            bindings: InlineVec::new(Binding {
                prefix: "",
                uri: "",
                depth: 0,
            }),
            open: InlineVec::new(Open {
                element: NO_ELEMENT,
                content_start: 0,
            }),
            last_inner: (0, 0),
            attrs: InlineVec::new(Attribute {
                prefix: "",
                local: "",
                raw_value: "",
                offset: 0,
            }),
            pending_end: None,
            root_done: false,
            #[cfg(test)]
            slow_close: false,
        }
    }

    /// The document being read.
    pub fn document(&self) -> &'a str {
        self.text
    }

    /// The position of a byte offset in the document.
    pub fn position(&self, offset: usize) -> Position {
        Position::at(self.text, offset)
    }

    /// An error of `kind` at byte `offset`.
    pub fn error(&self, kind: XmlErrorKind, offset: usize) -> XmlError {
        XmlError::new(kind, self.position(offset))
    }

    /// How many elements are open (1 inside the root element).
    pub fn depth(&self) -> usize {
        self.open.len()
    }

    /// The attributes of the most recent start tag.
    pub fn attributes(&self) -> &[Attribute<'a>] {
        self.attrs.as_slice()
    }

    /// The first attribute of the most recent start tag with this local name, whatever its
    /// prefix (MM7 attributes are unqualified, but some peers qualify them).
    pub fn attribute(&self, local: &str) -> Option<&Attribute<'a>> {
        self.attrs.as_slice().iter().find(|a| same(a.local, local))
    }

    /// The content of the element whose `End` was returned last, exactly as written (markup
    /// included, entities not decoded): what an `anyType` element such as `Details` carries.
    #[cfg_attr(not(any(test, feature = "unstable-xml")), allow(dead_code))]
    pub fn last_inner_xml(&self) -> &'a str {
        self.text
            .get(self.last_inner.0..self.last_inner.1)
            .unwrap_or("")
    }

    /// Where [`last_inner_xml`](Self::last_inner_xml) is in the document, as byte offsets.
    pub(crate) fn last_inner_span(&self) -> (usize, usize) {
        self.last_inner
    }

    /// The namespace URI bound to `prefix` in the current scope (`""` for the default
    /// namespace).
    pub fn namespace_of(&self, prefix: &str) -> Option<&'a str> {
        if prefix == "xml" {
            return Some("http://www.w3.org/XML/1998/namespace");
        }
        self.bindings
            .as_slice()
            .iter()
            .rev()
            .find(|b| same(b.prefix, prefix))
            .map(|b| b.uri)
            .filter(|uri| !uri.is_empty())
    }

    /// The namespace bindings in scope, outermost first, as `(prefix, uri)` (`""` for the
    /// default namespace; an empty URI undeclares it).
    pub(crate) fn bindings_in_scope(&self) -> impl Iterator<Item = (&'a str, &'a str)> + '_ {
        self.bindings.as_slice().iter().map(|b| (b.prefix, b.uri))
    }

    /// Decodes an attribute value (entities, character references).
    pub fn attribute_value(&self, attr: &Attribute<'a>) -> Result<Cow<'a, str>, XmlError> {
        unescape(attr.raw_value).map_err(|(reference, at)| {
            self.error(XmlErrorKind::BadEntity(reference), attr.offset + at)
        })
    }

    /// Decodes a text run: line ends normalised to `\n` (XML 1.0 §2.11), entities decoded.
    pub fn text_value(&self, text: &Text<'a>) -> Result<Cow<'a, str>, XmlError> {
        // Nearly every MM7 value is plain: one scan settles it.
        if !has_cr_or_amp(text.raw.as_bytes()) {
            return Ok(Cow::Borrowed(text.raw));
        }
        if text.cdata {
            return Ok(normalize_newlines(text.raw));
        }
        match normalize_newlines(text.raw) {
            Cow::Borrowed(raw) => unescape(raw).map_err(|(reference, at)| {
                self.error(XmlErrorKind::BadEntity(reference), text.offset + at)
            }),
            Cow::Owned(raw) => match unescape(&raw) {
                Ok(value) => Ok(Cow::Owned(value.into_owned())),
                Err((reference, _)) => {
                    Err(self.error(XmlErrorKind::BadEntity(reference), text.offset))
                }
            },
        }
    }

    /// Reads the text content of the element whose `Start` was just returned, up to and
    /// including its `End`. Text split by comments or CDATA sections is joined; child
    /// elements, which a text-only MM7 element should not have, are skipped.
    pub fn read_text(&mut self) -> Result<Cow<'a, str>, XmlError> {
        if let Some(run) = self.simple_content() {
            return match run {
                Some(text) => self.text_value(&text),
                None => Ok(Cow::Borrowed("")),
            };
        }
        let mut value: Option<Cow<'a, str>> = None;
        let depth = self.depth();
        loop {
            match self.next_event()? {
                Event::Text(text) if self.depth() == depth => {
                    let part = self.text_value(&text)?;
                    value = Some(match value {
                        None => part,
                        Some(mut joined) => {
                            if joined.len() + part.len() > self.limits.max_text {
                                return Err(self.error(
                                    XmlErrorKind::TextLimit(self.limits.max_text),
                                    text.offset,
                                ));
                            }
                            joined.to_mut().push_str(&part);
                            joined
                        }
                    });
                }
                Event::End(_) if self.depth() < depth => {
                    return Ok(value.unwrap_or(Cow::Borrowed("")));
                }
                Event::Eof => {
                    return Err(self.error(XmlErrorKind::NoRootElement, self.text.len()));
                }
                _ => {}
            }
        }
    }

    /// The content of the element whose `Start` was just returned, when it is at most one text
    /// run followed by the element's end tag, as nearly every MM7 value is: reads it up to and
    /// including the `End`, and gives the run (`Some(None)` for an empty element). Anything
    /// else (a comment, a CDATA section, a child element, a run over the text limit, a bad or
    /// mismatched end tag) leaves the reader where it was and gives `None`, for the caller to
    /// read the events one by one, with their errors.
    ///
    /// The same as reading the events, without making and matching each one: the decoders'
    /// text-only elements are read through here.
    #[inline(always)]
    pub(crate) fn simple_content(&mut self) -> Option<Option<Text<'a>>> {
        if let Some(element) = self.pending_end.take() {
            self.last_inner = (0, 0);
            self.close(element);
            return Some(None);
        }
        let open = self.open.last().copied()?;
        let at = self.tokens.stream().pos();
        let is_text = self.text.as_bytes().get(at) != Some(&b'<');
        // A value and its end tag, or the end tag alone, read here when they can be.
        if is_text {
            if let Some(end) = plain_text_end(self.text.as_bytes(), at)
                && end - at <= self.limits.max_text
                && let Some(raw) = self.text.get(at..end)
                && self.close_at(end, open)
            {
                return Some(Some(Text {
                    raw,
                    cdata: false,
                    offset: at,
                }));
            }
        } else if self.close_at(at, open) {
            return Some(None);
        }
        // Otherwise through the tokenizer, which is put back if the content is not simple.
        let saved = self.tokens.clone();
        let mut run = None;
        if is_text {
            // Character data (xmlparser's `Text` token: its characters checked, `]]>`
            // refused).
            match self.tokens.next() {
                Some(Ok(Token::Text { text })) if text.as_str().len() <= self.limits.max_text => {
                    run = Some(Text {
                        raw: text.as_str(),
                        cdata: false,
                        offset: text.start(),
                    });
                    if self.close_at(text.start() + text.as_str().len(), open) {
                        return Some(run);
                    }
                }
                _ => {
                    self.tokens = saved;
                    return None;
                }
            }
        }
        if let Some(Ok(Token::ElementEnd {
            end: ElementEnd::Close(prefix, local),
            span,
        })) = self.tokens.next()
            && same(open.element.local, local.as_str())
            && same(open.element.prefix, prefix.as_str())
        {
            let start = open.content_start;
            self.last_inner = (start, span.start().max(start));
            self.close(open.element);
            return Some(run);
        }
        self.tokens = saved;
        None
    }

    /// Reads the start tag at byte `at` (where the tokenizer stands) when its names are ASCII
    /// and its attributes' values hold only characters XML allows and no `<`, as MM7 start
    /// tags do: a subset of what the tokenizer reads, read to the same events, with names and
    /// values scanned by tables instead of character by character. The whole tag is checked
    /// before anything is kept; anything else is left to the tokenizer (`None`), for its
    /// tokens or its error. The tokenizer then goes on after the tag, in fragment mode.
    #[inline(always)]
    fn plain_start(&mut self, at: usize) -> Option<Result<Event<'a>, XmlError>> {
        #[cfg(test)]
        if self.slow_close {
            return None;
        }
        let tag = plain_start_tag(self.text.as_bytes(), at)?;
        let text = self.text;
        let name = |(start, colon, end): (usize, usize, usize)| match colon {
            0 => ("", text.get(start..end).unwrap_or("")),
            colon => (
                text.get(start..colon).unwrap_or(""),
                text.get(colon + 1..end).unwrap_or(""),
            ),
        };
        let (prefix, local) = name(tag.name);
        self.tokens = Tokenizer::from_fragment(self.text, tag.content_start..self.text.len());
        let depth = self.open.len() + 1;
        if depth > self.limits.max_depth {
            return Some(Err(
                self.error(XmlErrorKind::DepthLimit(self.limits.max_depth), at)
            ));
        }
        self.attrs.clear();
        let mut i = tag.attributes;
        while let Some(Ok((attribute, next))) = plain_attribute(self.text.as_bytes(), i) {
            let (a_prefix, a_local) = name(attribute.name);
            let value = text.get(attribute.value.0..attribute.value.1).unwrap_or("");
            if let Err(e) = self.keep_attribute(a_prefix, a_local, value, attribute.name.0, depth) {
                return Some(Err(e));
            }
            i = next;
        }
        Some(self.opened(prefix, local, at, tag.empty, tag.content_start))
    }

    /// Skips the white space at byte `at` (where the tokenizer stands) when markup follows it:
    /// the text run the tokenizer would give there is only spaces, which
    /// [`next_event_skipping_space`](Self::next_event_skipping_space) drops. A longer run
    /// than the text limit, or one that other text or the end of the document follows, is
    /// left to the tokenizer (`false`).
    #[inline(always)]
    fn skip_spaces(&mut self, at: usize) -> bool {
        #[cfg(test)]
        if self.slow_close {
            return false;
        }
        let rest = self.text.as_bytes().get(at..).unwrap_or(&[]);
        let Some(spaces) = rest.iter().position(|&b| !is_space_byte(b)) else {
            return false;
        };
        if spaces > self.limits.max_text || rest.get(spaces) != Some(&b'<') {
            return false;
        }
        self.tokens = Tokenizer::from_fragment(self.text, at + spaces..self.text.len());
        true
    }

    /// Closes `open`, the innermost open element, when the document at byte `at` (where the
    /// tokenizer stands) is its end tag, `</` and the same qualified name, spaces, `>`: what
    /// the end tag of a well-formed document must be there. Comparing the bytes with the name
    /// already known costs a few instructions where tokenizing the tag and then matching its
    /// name cost about four hundred; the tokenizer then goes on after the tag, in fragment
    /// mode (see [`next_event_of`](Self::next_event_of) for what that leaves to this reader).
    /// Anything else (another name, a longer one, no `>`) is left to the tokenizer, for its
    /// token or its error.
    #[inline(always)]
    fn close_at(&mut self, at: usize, open: Open<'a>) -> bool {
        #[cfg(test)]
        if self.slow_close {
            return false;
        }
        let Some(end) = end_tag_end(self.text.as_bytes(), at, open.element) else {
            return false;
        };
        self.tokens = Tokenizer::from_fragment(self.text, end..self.text.len());
        let start = open.content_start;
        self.last_inner = (start, at.max(start));
        self.close(open.element);
        true
    }

    /// Skips the rest of the element whose `Start` was just returned, up to and including its
    /// `End`.
    pub fn skip_element(&mut self) -> Result<(), XmlError> {
        let depth = self.depth();
        loop {
            match self.next_event()? {
                Event::End(_) if self.depth() < depth => return Ok(()),
                Event::Eof => return Ok(()),
                _ => {}
            }
        }
    }

    /// The next event.
    pub fn next_event(&mut self) -> Result<Event<'a>, XmlError> {
        self.next_event_inline()
    }

    /// [`next_event`](Self::next_event), inlined into the tree reader's loop so that the event
    /// is matched where it is made instead of being written out and read back.
    #[inline(always)]
    pub(crate) fn next_event_inline(&mut self) -> Result<Event<'a>, XmlError> {
        self.next_event_of::<false>()
    }

    /// [`next_event_inline`](Self::next_event_inline) without the text runs that are only
    /// white space outside CDATA sections (still held to the text limit): the spaces between
    /// the elements of a document, which a reader looking for the next child element would
    /// only drop.
    #[inline(always)]
    pub(crate) fn next_event_skipping_space(&mut self) -> Result<Event<'a>, XmlError> {
        self.next_event_of::<true>()
    }

    #[inline(always)]
    fn next_event_of<const SKIP_SPACE: bool>(&mut self) -> Result<Event<'a>, XmlError> {
        if let Some(element) = self.pending_end.take() {
            self.last_inner = (0, 0);
            return Ok(self.close(element));
        }
        loop {
            // Inside the root element the commonest markup is read here, without the
            // tokenizer: see `close_at`, `plain_start` and `skip_spaces`.
            let at = self.tokens.stream().pos();
            if self.open.is_empty() {
                // Before the root element the tokenizer reads `<` and a name, after spaces, as
                // the root's start tag whatever its state (declaration, comments and DOCTYPE
                // behind it); after it, `start` refuses one.
                if !self.root_done {
                    let spaces = leading_spaces(self.text.get(at..).unwrap_or(""));
                    if self.text.as_bytes().get(at + spaces) == Some(&b'<')
                        && let Some(event) = self.plain_start(at + spaces)
                    {
                        return event;
                    }
                }
            } else if let Some(open) = self.open.last().copied() {
                match self.text.as_bytes().get(at..at + 2) {
                    Some([b'<', b'/']) if self.close_at(at, open) => {
                        return Ok(Event::End(open.element));
                    }
                    Some([b'<', _]) => {
                        if let Some(event) = self.plain_start(at) {
                            return event;
                        }
                    }
                    Some([b' ' | b'\t' | b'\r' | b'\n', _])
                        if SKIP_SPACE && self.skip_spaces(at) =>
                    {
                        continue;
                    }
                    _ => {}
                }
            }
            let Some(token) = self.tokens.next() else {
                return match self.open.last().map(|open| open.element) {
                    Some(open) => Err(self.error(
                        XmlErrorKind::UnclosedElement(qname(open.prefix, open.local)),
                        self.text.len(),
                    )),
                    None if self.root_done => Ok(Event::Eof),
                    None => Err(self.error(XmlErrorKind::NoRootElement, self.text.len())),
                };
            };
            let token = token.map_err(|e| self.syntax_error(&e))?;
            match token {
                Token::Declaration { .. }
                | Token::ProcessingInstruction { .. }
                | Token::Comment { .. } => {}
                Token::DtdStart { span, .. }
                | Token::EmptyDtd { span, .. }
                | Token::EntityDeclaration { span, .. }
                | Token::DtdEnd { span } => {
                    // Nothing after a refused DOCTYPE is read, as after the tokenizer's own
                    // errors: its internal subset is no document content (a `<a>` in it must
                    // not pass for the root element).
                    let end = self.text.len();
                    self.tokens = Tokenizer::from_fragment(self.text, end..end);
                    return Err(self.error(XmlErrorKind::DoctypeRefused, span.start()));
                }
                Token::ElementStart {
                    prefix,
                    local,
                    span,
                } => return self.start(prefix.as_str(), local.as_str(), span.start()),
                Token::Attribute { span, .. } => {
                    // Attributes are consumed by `start`; one here means a tokenizer state we
                    // do not expect, so refuse rather than guess.
                    return Err(self.error(
                        XmlErrorKind::Syntax("attribute outside a start tag".into()),
                        span.start(),
                    ));
                }
                Token::ElementEnd { end, span } => match end {
                    ElementEnd::Close(prefix, local) => {
                        return self.end_tag(prefix.as_str(), local.as_str(), span.start());
                    }
                    // `start` consumes the `>` or `/>` of every start tag.
                    ElementEnd::Open | ElementEnd::Empty => {
                        return Err(self.error(
                            XmlErrorKind::Syntax("unexpected end of a start tag".into()),
                            span.start(),
                        ));
                    }
                },
                Token::Text { text } => {
                    let text = Text {
                        raw: text.as_str(),
                        cdata: false,
                        offset: text.start(),
                    };
                    if SKIP_SPACE && text.raw.len() <= self.limits.max_text && text.is_whitespace()
                    {
                        continue;
                    }
                    if let Some(event) = self.text_event(text)? {
                        return Ok(event);
                    }
                }
                Token::Cdata { text, span } => {
                    let text = Text {
                        raw: text.as_str(),
                        cdata: true,
                        offset: span.start(),
                    };
                    if let Some(event) = self.text_event(text)? {
                        return Ok(event);
                    }
                }
            }
        }
    }

    fn syntax_error(&self, e: &xmlparser::Error) -> XmlError {
        let pos = e.pos();
        if self.root_done {
            // After the root element only comments, processing instructions and spaces may
            // come; xmlparser calls anything else an unknown token, at its first byte. (In
            // fragment mode, after `close_at`, it may instead refuse a text run, from the
            // spaces before it.)
            let at = Position::from_row_col(self.text, pos.row, pos.col).offset;
            let rest = self.text.get(at..).unwrap_or("");
            return self.error(XmlErrorKind::ContentOutsideRoot, at + leading_spaces(rest));
        }
        // xmlparser's message ends with its own " at row:col"; the position is kept apart.
        let message = e.to_string();
        let message = match message.rfind(" at ") {
            Some(at) => message[..at].to_string(),
            None => message,
        };
        XmlError::new(
            XmlErrorKind::Syntax(message),
            Position::from_row_col(self.text, pos.row, pos.col),
        )
    }

    #[inline(always)]
    fn text_event(&self, text: Text<'a>) -> Result<Option<Event<'a>>, XmlError> {
        if self.open.is_empty() {
            // Spaces may follow the root element, and precede it; a CDATA section may not.
            // (After an end tag read by `close_at` the tokenizer is in fragment mode and
            // gives both as text: the refusals its document mode made are made here.)
            if !text.cdata && text.is_whitespace() {
                return Ok(None);
            }
            let spaces = if text.cdata {
                0
            } else {
                leading_spaces(text.raw)
            };
            return Err(self.error(XmlErrorKind::ContentOutsideRoot, text.offset + spaces));
        }
        if text.raw.len() > self.limits.max_text {
            return Err(self.error(XmlErrorKind::TextLimit(self.limits.max_text), text.offset));
        }
        Ok(Some(Event::Text(text)))
    }

    #[inline(always)]
    fn start(
        &mut self,
        prefix: &'a str,
        local: &'a str,
        offset: usize,
    ) -> Result<Event<'a>, XmlError> {
        if self.root_done {
            return Err(self.error(XmlErrorKind::ContentOutsideRoot, offset));
        }
        let depth = self.open.len() + 1;
        if depth > self.limits.max_depth {
            return Err(self.error(XmlErrorKind::DepthLimit(self.limits.max_depth), offset));
        }
        self.attrs.clear();
        let (empty, content_start) = loop {
            let token = match self.tokens.next() {
                Some(Ok(token)) => token,
                Some(Err(e)) => return Err(self.syntax_error(&e)),
                None => {
                    return Err(self.error(
                        XmlErrorKind::UnclosedElement(qname(prefix, local)),
                        self.text.len(),
                    ));
                }
            };
            match token {
                Token::Attribute {
                    prefix: a_prefix,
                    local: a_local,
                    value,
                    span,
                } => self.keep_attribute(
                    a_prefix.as_str(),
                    a_local.as_str(),
                    value.as_str(),
                    span.start(),
                    depth,
                )?,
                Token::ElementEnd {
                    end: ElementEnd::Open,
                    span,
                } => break (false, span.end()),
                Token::ElementEnd {
                    end: ElementEnd::Empty,
                    span,
                } => break (true, span.end()),
                _ => {
                    return Err(self.error(
                        XmlErrorKind::Syntax(format!(
                            "unterminated start tag <{}>",
                            qname(prefix, local)
                        )),
                        offset,
                    ));
                }
            }
        };
        self.opened(prefix, local, offset, empty, content_start)
    }

    /// Keeps an attribute of the start tag being read (at `depth`), binding its namespace if
    /// it declares one.
    #[inline(always)]
    fn keep_attribute(
        &mut self,
        prefix: &'a str,
        local: &'a str,
        value: &'a str,
        offset: usize,
        depth: usize,
    ) -> Result<(), XmlError> {
        if self.attrs.len() >= self.limits.max_attributes {
            return Err(self.error(
                XmlErrorKind::AttributeLimit(self.limits.max_attributes),
                offset,
            ));
        }
        if value.len() > self.limits.max_text {
            return Err(self.error(XmlErrorKind::TextLimit(self.limits.max_text), offset));
        }
        if self
            .attrs
            .as_slice()
            .iter()
            .any(|a| same(a.local, local) && same(a.prefix, prefix))
        {
            return Err(self.error(
                XmlErrorKind::DuplicateAttribute(qname(prefix, local)),
                offset,
            ));
        }
        if prefix == "xmlns" || (prefix.is_empty() && local == "xmlns") {
            // The cheap test first: on a namespace URI (some eighty bytes) `str::contains`
            // spends about 140 instructions.
            if has_cr_or_amp(value.as_bytes()) && value.contains('&') {
                return Err(self.error(XmlErrorKind::EntityInNamespace(value.to_string()), offset));
            }
            let bound = if prefix.is_empty() { "" } else { local };
            self.bindings.push_with(|| Binding {
                prefix: bound,
                uri: value.trim_fast(),
                depth,
            });
        }
        self.attrs.push_with(|| Attribute {
            prefix,
            local,
            raw_value: value,
            offset,
        });
        Ok(())
    }

    /// An element whose start tag was read, attributes and all, to `content_start`: its
    /// namespace resolved (and its attributes' prefixes checked), pushed, its `Start` made.
    #[inline(always)]
    fn opened(
        &mut self,
        prefix: &'a str,
        local: &'a str,
        offset: usize,
        empty: bool,
        content_start: usize,
    ) -> Result<Event<'a>, XmlError> {
        let namespace = if prefix.is_empty() {
            self.namespace_of("")
        } else {
            Some(self.namespace_of(prefix).ok_or_else(|| {
                self.error(XmlErrorKind::UndeclaredPrefix(prefix.to_string()), offset)
            })?)
        };
        let attrs = self.attrs.as_slice();
        for (i, attr) in attrs.iter().enumerate() {
            if attr.prefix.is_empty() || attr.prefix == "xmlns" {
                continue;
            }
            let Some(uri) = self.namespace_of(attr.prefix) else {
                return Err(self.error(
                    XmlErrorKind::UndeclaredPrefix(attr.prefix.to_string()),
                    attr.offset,
                ));
            };
            // Two prefixes bound to one namespace make two spellings of one attribute
            // (Namespaces in XML 1.0, §6.3).
            let twice = attrs.get(..i).unwrap_or(&[]).iter().any(|earlier| {
                !earlier.prefix.is_empty()
                    && earlier.prefix != "xmlns"
                    && same(earlier.local, attr.local)
                    && self.namespace_of(earlier.prefix) == Some(uri)
            });
            if twice {
                return Err(self.error(
                    XmlErrorKind::DuplicateAttribute(qname(attr.prefix, attr.local)),
                    attr.offset,
                ));
            }
        }
        let element = Element {
            prefix,
            local,
            namespace,
            offset,
        };
        self.open.push_with(|| Open {
            element,
            content_start,
        });
        if empty {
            self.pending_end = Some(element);
        }
        Ok(Event::Start(element))
    }

    #[inline(always)]
    fn end_tag(
        &mut self,
        prefix: &'a str,
        local: &'a str,
        offset: usize,
    ) -> Result<Event<'a>, XmlError> {
        match self
            .open
            .last()
            .map(|open| (open.element, open.content_start))
        {
            Some((open, start)) if same(open.local, local) && same(open.prefix, prefix) => {
                self.last_inner = (start, offset.max(start));
                Ok(self.close(open))
            }
            Some((open, _)) => Err(self.error(
                XmlErrorKind::MismatchedEndTag {
                    expected: qname(open.prefix, open.local),
                    found: qname(prefix, local),
                },
                offset,
            )),
            None => Err(self.error(XmlErrorKind::ContentOutsideRoot, offset)),
        }
    }

    #[inline(always)]
    fn close(&mut self, element: Element<'a>) -> Event<'a> {
        let depth = self.open.len();
        self.open.pop();
        while self.bindings.last().is_some_and(|b| b.depth >= depth) {
            self.bindings.pop();
        }
        if self.open.is_empty() {
            self.root_done = true;
        }
        Event::End(element)
    }
}

/// The bytes of a plain start tag's name: `NAME_START` may begin a name (or its part after
/// the prefix), `NAME` may continue one. ASCII only: a name with other characters is read by
/// the tokenizer.
const NAME_START: u8 = 1;
const NAME: u8 = 2;
static NAME_BYTES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphabetic() || c == b'_' {
            table[b] = NAME_START | NAME;
        } else if c.is_ascii_digit() || c == b'-' || c == b'.' {
            table[b] = NAME;
        }
        b += 1;
    }
    table
};

/// A name in a plain start tag, as byte offsets: where it starts, its colon (0 for none: a
/// name never starts a document) and where it ends.
type NameSpan = (usize, usize, usize);

#[derive(Debug, Clone, Copy)]
struct PlainAttribute {
    name: NameSpan,
    /// The value between the quotes.
    value: (usize, usize),
}

/// A start tag read by [`plain_start_tag`]. Its attributes are not kept (a start tag is
/// read often, and most have none): [`plain_attribute`] reads them again from `attributes`.
#[derive(Debug, Clone, Copy)]
struct PlainTag {
    name: NameSpan,
    /// Where the attributes start (just after the name).
    attributes: usize,
    empty: bool,
    /// Just after the tag.
    content_start: usize,
}

/// The name at byte `at` of `doc`: ASCII, at most one colon, each part starting with a letter
/// or `_`.
#[inline(always)]
fn plain_name(doc: &[u8], at: usize) -> Option<NameSpan> {
    let class = |i: usize| doc.get(i).map_or(0, |&b| NAME_BYTES[usize::from(b)]);
    if class(at) & NAME_START == 0 {
        return None;
    }
    let mut colon = 0;
    let mut i = at + 1;
    loop {
        if class(i) & NAME != 0 {
            i += 1;
        } else if doc.get(i) == Some(&b':') && colon == 0 && class(i + 1) & NAME_START != 0 {
            colon = i;
            i += 2;
        } else {
            return Some((at, colon, i));
        }
    }
}

/// How [`plain_start_tag`] treats the bytes of an attribute value: `QUOTE` may end it,
/// `REFUSED` sends the tag to the tokenizer (`<`, a C0 control XML forbids), and `0xEF` may
/// start U+FFFE or U+FFFF.
const QUOTE: u8 = 1;
const REFUSED: u8 = 2;
const LEAD_EF: u8 = 3;
static VALUE_BYTES: [u8; 256] = {
    let mut table = forbidden_controls(REFUSED);
    table[b'<' as usize] = REFUSED;
    table[b'"' as usize] = QUOTE;
    table[b'\'' as usize] = QUOTE;
    table[0xEF] = LEAD_EF;
    table
};

/// The first byte of `doc` at or after `from` that `table` marks (non-zero).
#[inline(always)]
fn next_marked(doc: &[u8], from: usize, table: &[u8; 256]) -> Option<usize> {
    let skipped = doc
        .get(from..)?
        .iter()
        .position(|&b| table[usize::from(b)] != 0)?;
    Some(from + skipped)
}

/// Where the attribute value that starts at byte `at` of `doc` (just after its opening
/// `quote`) ends, at its closing quote.
#[inline(always)]
fn plain_value_end(doc: &[u8], at: usize, quote: u8) -> Option<usize> {
    // Most values (namespace URIs above all) are printable ASCII: the closing quote found by
    // `memchr`, the bytes before it checked without a branch per byte.
    let len = memchr::memchr(quote, doc.get(at..)?)?;
    if !irregular(doc.get(at..at + len)?, b'<') {
        return Some(at + len);
    }
    let mut from = at;
    loop {
        let i = next_marked(doc, from, &VALUE_BYTES)?;
        match (VALUE_BYTES[usize::from(*doc.get(i)?)], doc.get(i..i + 3)?) {
            (QUOTE, [b, ..]) if *b == quote => return Some(i),
            (QUOTE, _) => from = i + 1,
            (LEAD_EF, [_, 0xBF, 0xBE | 0xBF]) => return None,
            (LEAD_EF, _) => from = i + 1,
            _ => return None,
        }
    }
}

/// Whether `bytes` holds anything but printable ASCII other than `stop`: a control (tabs and
/// line breaks included), a byte of a non-ASCII character, DEL or `stop`. Folded without an
/// early exit, so that the compiler checks many bytes per instruction; the callers read an
/// irregular run byte by byte.
#[inline(always)]
fn irregular(bytes: &[u8], stop: u8) -> bool {
    bytes.iter().fold(false, |bad, &b| {
        bad | !(0x20..0x7F).contains(&b) | (b == stop)
    })
}

/// Whether byte `b` is XML white space.
fn is_space_byte(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// The start tag at byte `at` of `doc` when it is `<` and a [`plain_name`], then attributes
/// as [`plain_attribute`] reads them, optional spaces, and `>` or `/>`.
#[inline(always)]
fn plain_start_tag(doc: &[u8], at: usize) -> Option<PlainTag> {
    let name = plain_name(doc, at + 1)?;
    let mut i = name.2;
    loop {
        match plain_attribute(doc, i)? {
            Ok((_, next)) => i = next,
            Err(PlainEnd {
                empty,
                content_start,
            }) => {
                return Some(PlainTag {
                    name,
                    attributes: name.2,
                    empty,
                    content_start,
                });
            }
        }
    }
}

/// How a plain start tag ends: `>`, or `/>` (`empty`), just before `content_start`.
#[derive(Debug, Clone, Copy)]
struct PlainEnd {
    empty: bool,
    content_start: usize,
}

/// What follows byte `i` of a plain start tag (just after its name or an attribute): an
/// attribute (after white space: a plain name, `=` with optional spaces around it, a quoted
/// value per [`plain_value_end`]) and where it ends, or the tag's end (after optional spaces).
/// `None` for anything else.
#[inline(always)]
fn plain_attribute(doc: &[u8], i: usize) -> Option<Result<(PlainAttribute, usize), PlainEnd>> {
    let skip_spaces = |mut i: usize| {
        while doc.get(i).is_some_and(|&b| is_space_byte(b)) {
            i += 1;
        }
        i
    };
    let spaced = skip_spaces(i);
    match doc.get(spaced..spaced + 2)? {
        [b'>', _] => {
            return Some(Err(PlainEnd {
                empty: false,
                content_start: spaced + 1,
            }));
        }
        [b'/', b'>'] => {
            return Some(Err(PlainEnd {
                empty: true,
                content_start: spaced + 2,
            }));
        }
        _ if spaced == i => return None,
        _ => {}
    }
    let name = plain_name(doc, spaced)?;
    let eq = skip_spaces(name.2);
    if doc.get(eq) != Some(&b'=') {
        return None;
    }
    let open = skip_spaces(eq + 1);
    let quote = *doc.get(open).filter(|&&q| q == b'"' || q == b'\'')?;
    let end = plain_value_end(doc, open + 1, quote)?;
    Some(Ok((
        PlainAttribute {
            name,
            value: (open + 1, end),
        },
        end + 1,
    )))
}

/// How [`plain_text_end`] treats each byte: `LT` ends the run; `CHECK` is a C0 control that
/// XML forbids, a `>` (which may end a forbidden `]]>`) or `0xEF` (which starts U+FFFE and
/// U+FFFF, as well as characters XML allows).
const LT: u8 = 1;
const CHECK: u8 = 2;
static TEXT_BYTES: [u8; 256] = {
    let mut table = forbidden_controls(CHECK);
    table[b'>' as usize] = CHECK;
    table[b'<' as usize] = LT;
    table[0xEF] = CHECK;
    table
};

/// Where the character data at byte `at` of `doc` ends (at the `<` after it), when the
/// tokenizer would read it as one valid text run and it holds no `>`: every character one XML
/// allows. `None` when it holds a character XML forbids, a `>`, or runs to the end of the
/// document: the tokenizer then reads it, for its token or its error.
#[inline(always)]
fn plain_text_end(doc: &[u8], at: usize) -> Option<usize> {
    // As for attribute values: the `<` found by `memchr`, the run checked in one pass.
    let len = memchr::memchr(b'<', doc.get(at..)?)?;
    if !irregular(doc.get(at..at + len)?, b'>') {
        return Some(at + len);
    }
    let mut from = at;
    loop {
        let i = next_marked(doc, from, &TEXT_BYTES)?;
        if doc.get(i) == Some(&b'<') {
            return Some(i);
        }
        // U+F000..U+FFFD are allowed, U+FFFE and U+FFFF are not.
        match doc.get(i..i + 3)? {
            [0xEF, 0xBF, 0xBE | 0xBF] => return None,
            [0xEF, ..] => from = i + 1,
            _ => return None,
        }
    }
}

/// How many bytes of XML white space `text` starts with.
fn leading_spaces(text: &str) -> usize {
    text.bytes().take_while(|&b| is_space_byte(b)).count()
}

/// Where the end tag of `element` that starts at byte `at` of `doc` ends (just after its
/// `>`): `</`, the element's qualified name as its start tag wrote it, white space, `>`.
/// `None` for anything else.
#[inline(always)]
fn end_tag_end(doc: &[u8], at: usize, element: Element<'_>) -> Option<usize> {
    let rest = doc.get(at..)?.strip_prefix(b"</")?;
    let rest = if element.prefix.is_empty() {
        rest
    } else {
        rest.strip_prefix(element.prefix.as_bytes())?
            .strip_prefix(b":")?
    };
    let rest = rest.strip_prefix(element.local.as_bytes())?;
    let spaces = rest
        .iter()
        .position(|&b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))?;
    (rest.get(spaces) == Some(&b'>')).then(|| doc.len() - rest.len() + spaces + 1)
}

fn qname(prefix: &str, local: &str) -> String {
    if prefix.is_empty() {
        local.to_string()
    } else {
        format!("{prefix}:{local}")
    }
}

/// Whether `bytes` holds a `\r` or a `&`. MM7 values are short (identifiers, dates, a few
/// dozen bytes): `memchr2` scans those byte by byte after its set-up, so they are scanned
/// eight bytes at a time here, and longer text is left to `memchr2`.
#[inline]
fn has_cr_or_amp(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // Whether a byte of `word` is `byte` (exact: a borrow only reaches a higher byte from a
    // byte that matched).
    let has = |word: u64, byte: u8| {
        let x = word ^ (ONES * u64::from(byte));
        x.wrapping_sub(ONES) & !x & HIGHS != 0
    };
    if bytes.len() > 64 {
        return memchr::memchr2(b'\r', b'&', bytes).is_some();
    }
    let mut words = bytes.chunks_exact(8);
    for chunk in &mut words {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        if has(word, b'\r') || has(word, b'&') {
            return true;
        }
    }
    words.remainder().iter().any(|&b| b == b'\r' || b == b'&')
}

fn normalize_newlines(raw: &str) -> Cow<'_, str> {
    if memchr::memchr(b'\r', raw.as_bytes()).is_none() {
        return Cow::Borrowed(raw);
    }
    Cow::Owned(raw.replace("\r\n", "\n").replace('\r', "\n"))
}

#[cfg(test)]
#[path = "reader_tests.rs"]
mod tests;

//! The operation decoders read the reader's events straight into the model.
//!
//! The operation element's children are matched by local name as they come
//! ([`decode_body!`](super::body::decode_body)); a text-only child (an identifier, a date, an
//! enumeration…) is read as a [`Leaf`], its text borrowed from the document unless entities were
//! decoded, and nothing is kept of it once its value is in the model. The few structured
//! children (addresses, `Recipients`, `Status`, `Content`…) are read into a small tree, one
//! after the other in the same storage, and decoded from it.
//!
//! What the whole-Body tree checked is still checked, element by element, so that a message is
//! refused for the same reasons and at the same positions: the element limit counts every
//! element of the Body's element, every text run and attribute value must decode, and a
//! message whose decoding fails is read on to the end of its element (and the envelope to the
//! end of the document), so that a document that is not well-formed is refused as such rather
//! than for its first bad value.

use std::borrow::Cow;

use mm7_model::{
    CancelRsp, ContentRef, DeliveryReportRsp, Message, Mm7Version, Operation, ReadReplyRsp,
    ReplaceRsp, RsErrorRsp, Status, VaspErrorRsp,
};

use super::{Cx, Failure, Node, Value, requests, responses};
use crate::error::{DecodeError, DecodeErrorKind, Warning};
use crate::xml::{Element, Event, Text, Tree, TrimExt, XmlError, XmlErrorKind, XmlReader, same};

/// A text-only element read from the reader: its tag and its own text (text runs joined,
/// white-space-only runs skipped, as [`TreeNode::text`](crate::xml::TreeNode::text)).
#[derive(Debug)]
pub(super) struct Leaf<'a> {
    // Of the tag, what reports name: its local name and where it starts.
    local: &'a str,
    offset: usize,
    text: Cow<'a, str>,
}

impl<'a> Leaf<'a> {
    /// The element `element` with the text `text`.
    pub(super) fn new(element: Element<'a>, text: Cow<'a, str>) -> Leaf<'a> {
        Leaf {
            local: element.local,
            offset: element.offset,
            text,
        }
    }
}

impl Value for &Leaf<'_> {
    fn local(&self) -> &str {
        self.local
    }

    fn offset(&self) -> usize {
        self.offset
    }

    fn text(&self) -> &str {
        &self.text
    }
}

/// A start tag whose content is not read: its name and position, for reports. Its text is
/// empty.
impl Value for Element<'_> {
    fn local(&self) -> &str {
        self.local
    }

    fn offset(&self) -> usize {
        self.offset
    }

    fn text(&self) -> &str {
        ""
    }
}

/// Why a streaming decoder stopped: the document is not well-formed (or passes a limit), which
/// ends the reading, or the message cannot be decoded, after which the document is still read
/// to its end.
#[derive(Debug)]
pub(super) enum Stop {
    Xml(XmlError),
    Failed(Failure),
}

impl From<XmlError> for Stop {
    fn from(e: XmlError) -> Stop {
        Stop::Xml(e)
    }
}

impl From<Failure> for Stop {
    fn from(f: Failure) -> Stop {
        Stop::Failed(f)
    }
}

/// The reader positioned inside the operation element, with what the checks need.
pub(super) struct Walker<'r, 'a> {
    reader: &'r mut XmlReader<'a>,
    max_elements: usize,
    /// Elements of the operation element read so far, itself included.
    count: usize,
    /// The storage structured children are read into, one after the other.
    tree: Tree<'a>,
    /// The trimmed text of the operation's first `MM7Version`.
    version: Option<Cow<'a, str>>,
}

impl<'r, 'a> Walker<'r, 'a> {
    /// The next event; a start tag is counted against the element limit and its attribute
    /// values decoded (to refuse a bad entity wherever it is). Text runs of white space only
    /// (outside CDATA sections), which every reading here drops, are not returned.
    #[inline(always)]
    fn event(&mut self) -> Result<Event<'a>, XmlError> {
        let event = self.reader.next_event_skipping_space()?;
        if let Event::Start(element) = event {
            if self.count >= self.max_elements {
                return Err(self.reader.error(
                    XmlErrorKind::ElementLimit(self.max_elements),
                    element.offset,
                ));
            }
            self.count += 1;
            for attr in self.reader.attributes() {
                if memchr::memchr(b'&', attr.raw_value.as_bytes()).is_some() {
                    self.reader.attribute_value(attr)?;
                }
            }
        }
        Ok(event)
    }

    /// The decoded value of a text run, `None` for white space between elements.
    #[inline(always)]
    fn text_value(&self, text: &Text<'a>) -> Result<Option<Cow<'a, str>>, XmlError> {
        if !text.cdata && text.is_whitespace() {
            return Ok(None);
        }
        self.reader.text_value(text).map(Some)
    }

    /// The next child element of the element being read, `None` once its end tag is read. The
    /// element's own text is joined into `own`. A child returned must be read to its end
    /// ([`leaf`](Self::leaf), [`skip`](Self::skip), [`subtree`](Self::subtree), or its own
    /// children) before this is called again.
    ///
    /// Inlined into each decoder's loop: returned from a call, the child's tag was written
    /// out field by field and read back in wider moves, which waited for those stores.
    #[inline(always)]
    pub(super) fn next_child(
        &mut self,
        own: &mut Option<Cow<'a, str>>,
    ) -> Result<Option<Element<'a>>, XmlError> {
        loop {
            match self.event()? {
                Event::Start(element) => return Ok(Some(element)),
                Event::End(_) | Event::Eof => return Ok(None),
                Event::Text(text) => {
                    if let Some(value) = self.text_value(&text)? {
                        join(own, value);
                    }
                }
            }
        }
    }

    /// The decoded value of the attribute `local` (whatever its prefix; namespace
    /// declarations are not attributes here) of the start tag just read.
    pub(super) fn attribute(&self, local: &str) -> Result<Option<Cow<'a, str>>, XmlError> {
        let found = self.reader.attributes().iter().find(|a| {
            same(a.local, local)
                && a.prefix != "xmlns"
                && !(a.prefix.is_empty() && a.local == "xmlns")
        });
        found
            .map(|attr| self.reader.attribute_value(attr))
            .transpose()
    }

    /// Reads the element `element`, whose start tag was just read, as a text-only element
    /// (child elements, which it should not have, are skipped).
    ///
    /// Inlined, so that only the tag's name and offset are passed to the reading, in registers:
    /// the whole tag was copied into the call's arguments.
    #[inline(always)]
    pub(super) fn leaf(&mut self, element: Element<'a>) -> Result<Leaf<'a>, XmlError> {
        self.leaf_of(element.local, element.offset)
    }

    /// [`leaf`](Self::leaf), of the element named `local` whose tag starts at `offset`.
    fn leaf_of(&mut self, local: &'a str, offset: usize) -> Result<Leaf<'a>, XmlError> {
        if let Some(run) = self.reader.simple_content() {
            let text = match run {
                Some(run) => self.text_value(&run)?,
                None => None,
            };
            return Ok(Leaf {
                local,
                offset,
                text: text.unwrap_or(Cow::Borrowed("")),
            });
        }
        let depth = self.reader.depth();
        let mut text = None;
        loop {
            match self.event()? {
                Event::Text(run) => {
                    if let Some(value) = self.text_value(&run)?
                        && self.reader.depth() == depth
                    {
                        join(&mut text, value);
                    }
                }
                Event::End(_) if self.reader.depth() < depth => break,
                Event::Eof => break,
                _ => {}
            }
        }
        Ok(Leaf {
            local,
            offset,
            text: text.unwrap_or(Cow::Borrowed("")),
        })
    }

    /// Skips the rest of the element whose start tag was just read, checking it all the same.
    pub(super) fn skip(&mut self) -> Result<(), XmlError> {
        let depth = self.reader.depth();
        loop {
            match self.event()? {
                Event::Text(run) => {
                    self.text_value(&run)?;
                }
                Event::End(_) if self.reader.depth() < depth => return Ok(()),
                Event::Eof => return Ok(()),
                _ => {}
            }
        }
    }

    /// Reads the element `element`, whose start tag was just read, into the walker's tree.
    pub(super) fn subtree(&mut self, element: Element<'a>) -> Result<Node<'_, 'a>, XmlError> {
        // The element itself is counted already; the tree counts it again.
        let used = self.count - 1;
        self.tree
            .read_again(self.reader, element, self.max_elements, used)?;
        self.count = used + self.tree.element_count();
        Ok(self.tree.root())
    }

    /// `Content`, whose start tag `element` was just read (see [`Cx::content_from`]).
    pub(super) fn content(
        &mut self,
        cx: &mut Cx<'_, '_>,
        element: Element<'a>,
    ) -> Result<ContentRef, Stop> {
        let Some(href) = self.attribute("href")? else {
            let node = self.subtree(element)?;
            return Ok(cx.content(node)?);
        };
        let allow_adaptations = self.attribute("allowAdaptations")?;
        cx.content_from(self, element, &href, allow_adaptations.as_deref())
    }

    /// Skips the rest of the element whose start tag was just read, and gives its content as
    /// written (markup included, entities not decoded), as
    /// [`TreeNode::inner_xml`](crate::xml::TreeNode::inner_xml).
    pub(super) fn inner_xml(&mut self) -> Result<&'a str, XmlError> {
        self.skip()?;
        Ok(self.reader.last_inner_xml())
    }

    /// `Status` of a response of `op`, its start tag `element` just read (see
    /// [`Cx::status_from`]).
    pub(super) fn status(
        &mut self,
        cx: &mut Cx<'_, '_>,
        element: Element<'a>,
        op: Operation,
    ) -> Result<Status, Stop> {
        cx.status_from(self, element, op)
    }

    /// Reads an `MM7Version` child into `slot` (the first one kept), and keeps its text for
    /// the error context and the schema.
    pub(super) fn version(
        &mut self,
        cx: &mut Cx<'_, '_>,
        slot: &mut Mm7Version,
        element: Element<'a>,
    ) -> Result<(), XmlError> {
        let leaf = self.leaf(element)?;
        cx.version(slot, &leaf);
        self.keep_version(leaf);
        Ok(())
    }

    fn keep_version(&mut self, leaf: Leaf<'a>) {
        if self.version.is_none() {
            self.version = Some(match leaf.text {
                Cow::Borrowed(text) => Cow::Borrowed(text.trim_fast()),
                Cow::Owned(text) => Cow::Owned(text.trim_fast().to_owned()),
            });
        }
    }

    /// Reads on to the end of the operation element (at `depth`) after a decoding failure,
    /// checking what is read and noting the first `MM7Version` child if none was read yet.
    fn finish(&mut self, depth: usize) -> Result<(), XmlError> {
        while self.reader.depth() >= depth {
            match self.event()? {
                Event::Start(element) => {
                    if self.reader.depth() == depth + 1
                        && self.version.is_none()
                        && element.local == "MM7Version"
                    {
                        let leaf = self.leaf(element)?;
                        self.keep_version(leaf);
                    }
                }
                Event::Text(run) => {
                    self.text_value(&run)?;
                }
                Event::End(_) => {}
                Event::Eof => break,
            }
        }
        Ok(())
    }
}

/// Appends a text run to an element's text.
#[inline]
fn join<'a>(own: &mut Option<Cow<'a, str>>, value: Cow<'a, str>) {
    match own {
        None => *own = Some(value),
        Some(text) => text.to_mut().push_str(&value),
    }
}

/// The operation element of the Body, read.
#[derive(Debug)]
pub(crate) struct Streamed<'a> {
    /// The operation element's start tag.
    pub(crate) element: Element<'a>,
    /// The trimmed text of its first `MM7Version` child.
    pub(crate) version: Option<Cow<'a, str>>,
    /// The operation and the message read, when the element names an operation.
    pub(crate) decoded: Option<Decoded>,
}

/// An operation element decoded.
#[derive(Debug)]
pub(crate) struct Decoded {
    /// The operation.
    pub(crate) operation: Operation,
    /// True when the element named it in another case (reported by the caller).
    pub(crate) case_folded: bool,
    /// Whether the message was read (into the caller's slot), or why it cannot be
    /// (positioned, without context).
    pub(crate) message: Result<(), DecodeError>,
    /// The warnings of the decoding, in document order.
    pub(crate) warnings: Vec<Warning>,
}

/// The operation an element names: the exact spelling, or the same letters in another case
/// (`true`), which some MMSCs use for the `extended…` operations.
pub(crate) fn find_operation(local: &str) -> Option<(Operation, bool)> {
    if let Some(op) = Operation::from_element_name(local) {
        return Some((op, false));
    }
    Operation::ALL
        .into_iter()
        .find(|op| op.element_name().eq_ignore_ascii_case(local))
        .map(|op| (op, true))
}

/// Reads the Body's operation element, whose start tag `element` the reader just returned, up
/// to and including its end tag, decoding it when it names an operation. At most
/// `max_elements` elements are read. The message goes into `message` (where the caller keeps
/// it: a message is large, and moving it through the envelope reader's results cost more than
/// the rest of the decoding's bookkeeping).
///
/// # Errors
/// An [`XmlError`] when the element is not well-formed or passes a limit; a message that
/// cannot be decoded is in [`Decoded::message`].
pub(crate) fn read_operation<'a>(
    reader: &mut XmlReader<'a>,
    element: Element<'a>,
    max_elements: usize,
    message: &mut Option<Message>,
) -> Result<Streamed<'a>, XmlError> {
    let text = reader.document();
    let depth = reader.depth();
    let mut w = Walker {
        reader,
        max_elements,
        count: 1,
        tree: Tree::reusable(text),
        version: None,
    };
    let found = find_operation(element.local);
    let decoded = match found {
        Some((operation, case_folded)) => {
            let mut warnings = Vec::new();
            let mut cx = Cx::new(Some(text), &mut warnings);
            let result = decode(operation, &mut w, &mut cx, element, message);
            cx.finish();
            let message = match result {
                Ok(()) => Ok(()),
                Err(Stop::Xml(e)) => return Err(e),
                Err(Stop::Failed(f)) => Err(f.into_error(text)),
            };
            Some(Decoded {
                operation,
                case_folded,
                message,
                warnings,
            })
        }
        None => None,
    };
    w.finish(depth)?;
    Ok(Streamed {
        element,
        version: w.version,
        decoded,
    })
}

/// Decodes the operation `op` from its element's content into `out`.
///
/// The request decoders and those of the responses with their own children fill a message
/// made in `out` itself (see [`decode_body!`](super::body::decode_body)): returned by value,
/// the message (about a kilobyte) would be copied into the `Message`, then into `out`.
fn decode<'a>(
    op: Operation,
    w: &mut Walker<'_, 'a>,
    cx: &mut Cx<'_, '_>,
    root: Element<'a>,
    out: &mut Option<Message>,
) -> Result<(), Stop> {
    // The message of `$variant`, made default in `out` and filled there by `$decoder`.
    macro_rules! in_place {
        ($variant:ident, $decoder:path) => {{
            if let Message::$variant(m) = out.insert(Message::$variant(Default::default())) {
                $decoder(w, cx, root, m)?;
            }
            return Ok(());
        }};
    }
    // The generic responses are small: made here and moved into `out`.
    let small: Message = match op {
        Operation::SubmitReq => in_place!(SubmitReq, requests::submit_req),
        Operation::DeliverReq => in_place!(DeliverReq, requests::deliver_req),
        Operation::CancelReq => in_place!(CancelReq, requests::cancel_req),
        Operation::ReplaceReq => in_place!(ReplaceReq, requests::replace_req),
        Operation::DeliveryReportReq => in_place!(DeliveryReportReq, requests::delivery_report_req),
        Operation::ReadReplyReq => in_place!(ReadReplyReq, requests::read_reply_req),
        Operation::ExtendedCancelReq => in_place!(ExtendedCancelReq, requests::extended_cancel_req),
        Operation::ExtendedReplaceReq => {
            in_place!(ExtendedReplaceReq, requests::extended_replace_req)
        }
        Operation::SubmitRsp => in_place!(SubmitRsp, responses::submit_rsp),
        Operation::DeliverRsp => in_place!(DeliverRsp, responses::deliver_rsp),
        Operation::ExtendedReplaceRsp => {
            in_place!(ExtendedReplaceRsp, responses::extended_replace_rsp)
        }
        Operation::ExtendedCancelRsp => responses::extended_cancel_rsp(w, cx, root)?.into(),
        Operation::CancelRsp => responses::generic_stream(w, cx, root, op, CancelRsp::new)?.into(),
        Operation::ReplaceRsp => {
            responses::generic_stream(w, cx, root, op, ReplaceRsp::new)?.into()
        }
        Operation::DeliveryReportRsp => {
            responses::generic_stream(w, cx, root, op, DeliveryReportRsp::new)?.into()
        }
        Operation::ReadReplyRsp => {
            responses::generic_stream(w, cx, root, op, ReadReplyRsp::new)?.into()
        }
        Operation::RsErrorRsp => {
            responses::generic_stream(w, cx, root, op, RsErrorRsp::new)?.into()
        }
        Operation::VaspErrorRsp => {
            responses::generic_stream(w, cx, root, op, VaspErrorRsp::new)?.into()
        }
        _ => {
            return Err(Stop::Failed(Failure {
                kind: DecodeErrorKind::UnknownOperation(op.element_name().to_string()),
                offset: root.offset,
            }));
        }
    };
    *out = Some(small);
    Ok(())
}

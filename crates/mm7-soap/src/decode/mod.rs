//! XML to model: the SOAP Body's element, read leniently into an [`mm7_model::Message`].
//!
//! The envelope reader hands over the reader at the Body's element ([`read_operation`]); each
//! operation's decoder reads its children from the reader's events once, matching them by
//! local name (peers qualify children with any prefix, or with none, so their namespace is not
//! checked), in whatever order they come, straight into the model (see [`stream`]). What the
//! reading accepts, and why:
//!
//! * **Unknown elements** are skipped with a [`Warning::UnknownElement`]. Positioned warnings
//!   stop at [`MAX_REPORTED`] per message, then one summary counts the rest, so a hostile
//!   message cannot make the warning list, or the line counting behind each position, grow
//!   with its size.
//! * **Elements of a later release** (say `ApplicID` under a `REL-5-MM7-1-3` namespace, or
//!   `VASPID`/`VASID` directly under a REL-5 `DeliverReq`, both seen from real MMSCs) are read
//!   whatever the namespace: the model has a field for them and dropping them would lose data.
//! * **A repeated element** that the schema allows once: the first is kept, the others are
//!   reported. `Recipients` and its lists concatenate, `AdditionalInformation` accumulates.
//! * **Values**: surrounding white space is trimmed from every token-like value (identifiers,
//!   versions, codes, numbers, dates, booleans, enumerations, addresses), because pretty
//!   printers put it there; `Subject` and `StatusText` are kept exactly as received, and
//!   `Details` (and a Fault's unrecognised `detail`) as their raw inner XML. Enumerations keep
//!   values outside the schema (`NotSupported`, `Unrecognized`), status codes keep vendor
//!   codes. Booleans are `true`/`false`/`1`/`0` (see [`mm7_model::parse_bool`]).
//! * **Addresses written as plain text** (`<Sender>+15551234567</Sender>`) are read, with a
//!   warning, as an `RFC2822Address` when the text has an `@`, as a `Number` when it is a
//!   phone number (an optional `+`, digits, the separators that
//!   [`Address::normalized_number`](mm7_model::Address::normalized_number) tolerates, an
//!   optional `/TYPE=PLMN`), and otherwise as a `ShortCode` (the alphanumeric sender names
//!   some MMSCs use). Values such as `+15551234567/TYPE=PLMN` are kept as received.
//! * **Required elements**: a request lacks an element the model's [`Operation::elements`]
//!   table marks required (a required value that is present but empty, such as
//!   `<MessageID/>` or a `Recipients` without an address, counts as lacking). It is refused
//!   with [`DecodeErrorKind::MissingElement`] (4004) only when a handler cannot act on the
//!   message without it; the others are read with a [`Warning::Lenient`] naming the element
//!   (the model holds them in an `Option`). The table per operation is in the crate
//!   documentation ("What a request may lack"); [`livable_without`] is that table.
//!
//!   `MM7Version` is read as empty (nothing else depends on it); `SenderIdentification`'s
//!   children are all optional anyway. A report's `Sender` and `Date` are needed by the model
//!   as it stands (a report names both ends and a time); they are candidates for the second
//!   column. A response is refused only when it lacks its `Status` (or `Status` its
//!   `StatusCode`): the status is what a response is for, and a client is better served by a
//!   response missing a `MessageID` than by no response. A missing `StatusText` is reported.
//! * **Malformed values** (a bad date, boolean, duration, number or status code) are refused
//!   with [`DecodeErrorKind::InvalidValue`] (2007) at the element's position.
//!
//! A SOAP Fault is read even more leniently (see [`decode_fault`]): it already reports an
//! error, and losing it to a second one helps nobody.

mod address;
mod body;
mod elements;
mod fault;
mod requests;
mod responses;
mod stream;
#[cfg(test)]
mod tests;

use std::fmt;

use mm7_model::schema::MessageElements;
use mm7_model::{
    AddressKind, DateTime, Mm7Version, OpenEnumeration, Operation, RelativeOrAbsolute, parse_bool,
};

use crate::error::{DecodeError, DecodeErrorKind, Warning};
use crate::xml::TrimExt;
use crate::xml::{Position, TreeNode};

pub(crate) use fault::decode_fault;
pub(crate) use stream::{Streamed, read_operation};

/// An element read into a tree: a Fault's, or one of the few structured children that are not
/// read from the events (see [`stream`]).
type Node<'t, 'a> = TreeNode<'t, 'a>;

/// What the reports and the simple values need of an element: its name, where it starts, and
/// its own text. An element of a tree is one; so is a text-only element read straight from the
/// reader ([`stream::Leaf`]).
pub(super) trait Value {
    /// The local name.
    fn local(&self) -> &str;
    /// Byte offset of the start tag in the document.
    fn offset(&self) -> usize;
    /// The element's own text (see [`TreeNode::text`]).
    fn text(&self) -> &str;
}

impl Value for TreeNode<'_, '_> {
    fn local(&self) -> &str {
        TreeNode::local(self)
    }

    fn offset(&self) -> usize {
        TreeNode::offset(self)
    }

    fn text(&self) -> &str {
        TreeNode::text(self)
    }
}

/// The most positioned warnings one message produces; the rest are counted in a summary.
pub(crate) const MAX_REPORTED: usize = 64;

/// A decode failure at a byte offset of the document; the position is computed once, on the
/// way out, where the document is at hand.
#[derive(Debug)]
pub(super) struct Failure {
    kind: DecodeErrorKind,
    offset: usize,
}

impl Failure {
    /// `element` is required in `parent` and absent.
    fn missing(element: &'static str, parent: impl Value) -> Failure {
        Failure {
            kind: DecodeErrorKind::MissingElement {
                element,
                parent: parent.local().to_string(),
            },
            offset: parent.offset(),
        }
    }

    /// The address container `node` holds no address: names its first child that is not an
    /// address element, and the address element it matches but for case.
    fn no_address(node: Node<'_, '_>) -> Failure {
        let unknown = node
            .children()
            .find(|c| AddressKind::from_element_name(c.local()).is_none());
        Failure::no_address_in(node, unknown)
    }

    /// [`Failure::no_address`] of `node`, whose first child that is not an address element is
    /// `unknown`.
    fn no_address_in(node: impl Value, unknown: Option<impl Value>) -> Failure {
        let suggestion = unknown.as_ref().and_then(|c| {
            [
                AddressKind::Number,
                AddressKind::ShortCode,
                AddressKind::Rfc2822,
            ]
            .into_iter()
            .map(AddressKind::element_name)
            .find(|name| name.eq_ignore_ascii_case(c.local()))
        });
        Failure {
            kind: DecodeErrorKind::NoAddress {
                element: node.local().to_string(),
                unknown: unknown.as_ref().map(|c| c.local().to_string()),
                suggestion,
            },
            offset: unknown.map_or_else(|| node.offset(), |c| c.offset()),
        }
    }

    /// The value of `node` (or of its attribute `attribute`) has the wrong form.
    fn invalid(node: impl Value, attribute: Option<&str>, value: &str, reason: &str) -> Failure {
        let element = match attribute {
            Some(attribute) => format!("{}@{attribute}", node.local()),
            None => node.local().to_string(),
        };
        Failure {
            kind: DecodeErrorKind::InvalidValue {
                element,
                value: value.chars().take(64).collect(),
                reason: reason.to_string(),
            },
            offset: node.offset(),
        }
    }

    fn into_error(self, text: &str) -> DecodeError {
        DecodeError::at(self.kind, Position::at(text, self.offset))
    }
}

/// What every decoder shares: the document (for positions) and the warnings.
pub(super) struct Cx<'w, 'd> {
    /// The whole document; `None` when decoding a Fault, whose decoder is not given it
    /// (warnings then name a byte offset instead of a line and column).
    text: Option<&'d str>,
    warnings: &'w mut Vec<Warning>,
    reported: usize,
    unreported: usize,
    /// The first `To`/`Cc`/`Bcc` list that held no address: the real cause when the
    /// message then lacks `Recipients`.
    empty_list: Option<Failure>,
}

impl<'w, 'd> Cx<'w, 'd> {
    pub(super) fn new(text: Option<&'d str>, warnings: &'w mut Vec<Warning>) -> Cx<'w, 'd> {
        Cx {
            text,
            warnings,
            reported: 0,
            unreported: 0,
            empty_list: None,
        }
    }

    /// Whether another positioned warning may be reported; counts the ones that may not.
    fn may_report(&mut self) -> bool {
        if self.reported < MAX_REPORTED {
            self.reported += 1;
            true
        } else {
            self.unreported += 1;
            false
        }
    }

    /// Reports the unknown element `node` of `parent`, which is skipped.
    fn unknown(&mut self, node: impl Value, parent: impl Value) {
        if !self.may_report() {
            return;
        }
        let warning = match self.text {
            Some(text) => Warning::UnknownElement {
                element: node.local().to_string(),
                parent: parent.local().to_string(),
                position: Position::at(text, node.offset()),
            },
            None => Warning::Lenient(format!(
                "unknown element <{}> in <{}> skipped at byte {}",
                node.local(),
                parent.local(),
                node.offset()
            )),
        };
        self.warnings.push(warning);
    }

    /// Reports something read leniently at `node`.
    fn lenient(&mut self, node: impl Value, what: fmt::Arguments<'_>) {
        if !self.may_report() {
            return;
        }
        let message = match self.text {
            Some(text) => format!("{what} at {}", Position::at(text, node.offset())),
            None => format!("{what} at byte {}", node.offset()),
        };
        self.warnings.push(Warning::Lenient(message));
    }

    /// Adds the summary of the warnings past [`MAX_REPORTED`].
    pub(super) fn finish(&mut self) {
        if self.unreported > 0 {
            self.warnings.push(Warning::Lenient(format!(
                "{} further lenient readings not reported",
                self.unreported
            )));
            self.unreported = 0;
        }
    }

    /// Sets `slot` from `node` unless an earlier element already did (then `node` is reported
    /// and skipped).
    fn once<N: Value + Copy, T>(
        &mut self,
        slot: &mut Option<T>,
        node: N,
        read: impl FnOnce(&mut Self, N) -> Result<T, Failure>,
    ) -> Result<(), Failure> {
        if slot.is_some() {
            self.lenient(node, format_args!("repeated <{}> ignored", node.local()));
            return Ok(());
        }
        *slot = Some(read(self, node)?);
        Ok(())
    }

    /// Sets the `MM7Version` from `node`, first one kept.
    fn version<N: Value + Copy>(&mut self, slot: &mut Mm7Version, node: N) {
        if slot.is_empty() {
            *slot = Mm7Version::from_text(node.text().trim_fast());
        } else {
            self.lenient(node, format_args!("repeated <{}> ignored", node.local()));
        }
    }

    /// Checks the elements `op`'s table marks required, once the message is read (see the
    /// module documentation for which are refused and which reported).
    fn check_required(
        &mut self,
        m: &dyn MessageElements,
        root: impl Value + Copy,
    ) -> Result<(), Failure> {
        let op = m.operation();
        for spec in op.elements().iter().filter(|e| e.required) {
            if m.has_element(spec.name) {
                continue;
            }
            if livable_without(op, spec.name) || !op.is_request() {
                self.lenient(
                    root,
                    format_args!("<{}> without <{}> read as is", op.element_name(), spec.name),
                );
            } else if spec.name == "Recipients"
                && let Some(cause) = self.empty_list.take()
            {
                return Err(cause);
            } else {
                return Err(Failure::missing(spec.name, root));
            }
        }
        Ok(())
    }

    // Simple values. Each reads the text of `node`; the signatures are uniform so that any
    // of them can be handed to `once`.

    /// A token-like string: surrounding white space removed.
    fn token<N: Value>(&mut self, node: N) -> Result<String, Failure> {
        Ok(node.text().trim_fast().to_owned())
    }

    /// Text kept exactly as received (`Subject`, `StatusText`).
    fn exact<N: Value>(&mut self, node: N) -> Result<String, Failure> {
        Ok(node.text().to_owned())
    }

    /// An open enumeration (`MessageClass`, `Priority`, `MMStatus`…): a value outside the
    /// schema's is kept as received, with a warning that names the valid set (and the value
    /// meant, when one matches but for case).
    fn open<E: OpenEnumeration, N: Value + Copy>(&mut self, node: N) -> Result<E, Failure> {
        let value = E::from(node.text().trim_fast());
        if !value.known() {
            let text = value.text();
            let meant = E::VALUES.iter().find(|v| v.eq_ignore_ascii_case(text));
            let hint = meant
                .map(|m| format!(" (did you mean {m}?)"))
                .unwrap_or_default();
            self.lenient(
                node,
                format_args!(
                    "<{}> value {text:?} is not one of {}{hint}; kept as received",
                    node.local(),
                    E::VALUES.join(", ")
                ),
            );
        }
        Ok(value)
    }

    /// An `xs:boolean`.
    fn boolean<N: Value + Copy>(&mut self, node: N) -> Result<bool, Failure> {
        parse_bool(node.text()).ok_or_else(|| Failure::invalid(node, None, node.text(), BOOLEAN))
    }

    /// An `xs:dateTime`.
    fn date_time<N: Value + Copy>(&mut self, node: N) -> Result<DateTime, Failure> {
        let value = node.text().trim_fast();
        DateTime::parse(value).map_err(|e| Failure::invalid(node, None, value, e.reason))
    }

    /// An `xs:dateTime` or an `xs:duration`.
    fn rel_abs<N: Value + Copy>(&mut self, node: N) -> Result<RelativeOrAbsolute, Failure> {
        let value = node.text().trim_fast();
        RelativeOrAbsolute::parse(value).map_err(|e| Failure::invalid(node, None, value, e.reason))
    }

    /// A non-negative integer.
    fn integer<N: Value + Copy>(&mut self, node: N) -> Result<u64, Failure> {
        parse_u64(node.text()).ok_or_else(|| Failure::invalid(node, None, node.text(), INTEGER))
    }

    // Attribute values, `None` when the attribute is absent.

    fn attr_token(node: Node<'_, '_>, name: &str) -> Option<String> {
        node.attr(name).map(|v| v.trim_fast().to_owned())
    }

    fn attr_bool(node: Node<'_, '_>, name: &str) -> Result<Option<bool>, Failure> {
        node.attr(name)
            .map(|v| parse_bool(v).ok_or_else(|| Failure::invalid(node, Some(name), v, BOOLEAN)))
            .transpose()
    }

    fn attr_integer(node: Node<'_, '_>, name: &str) -> Result<Option<u64>, Failure> {
        node.attr(name)
            .map(|v| parse_u64(v).ok_or_else(|| Failure::invalid(node, Some(name), v, INTEGER)))
            .transpose()
    }

    fn attr_rel_abs(node: Node<'_, '_>, name: &str) -> Result<Option<RelativeOrAbsolute>, Failure> {
        node.attr(name)
            .map(|v| {
                let value = v.trim_fast();
                RelativeOrAbsolute::parse(value)
                    .map_err(|e| Failure::invalid(node, Some(name), value, e.reason))
            })
            .transpose()
    }
}

/// Whether a request of `op` can be acted on without the schema-required element `name` (the
/// second column of the table in the module documentation).
fn livable_without(op: Operation, name: &str) -> bool {
    match name {
        "MM7Version" | "SenderIdentification" => true,
        "Sender" => op == Operation::DeliverReq,
        _ => false,
    }
}

const BOOLEAN: &str = "expected true, false, 1 or 0";
const INTEGER: &str = "expected a non-negative integer";

/// An `xs:nonNegativeInteger` that fits 64 bits, white space around it allowed.
fn parse_u64(text: &str) -> Option<u64> {
    let digits = text.trim_fast();
    let digits = digits.strip_prefix('+').unwrap_or(digits);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

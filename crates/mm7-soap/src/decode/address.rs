//! Addresses: the `addressType` containers (`Sender`, `Recipient`, `SenderAddress`,
//! `ThirdPartyPayer`, `UserAgent`), the `To`/`Cc`/`Bcc` lists of `Recipients`, and
//! `SenderIdentification`.

use mm7_model::{
    Address, AddressCoding, AddressKind, Recipients, SenderIdentification, UserAgent, parse_bool,
};

use super::stream::{Leaf, Stop, Walker};
use super::{Cx, Failure, Node, Value};
use crate::xml::Element;
use crate::xml::TrimExt;

impl Cx<'_, '_> {
    /// An address element (`<Number displayOnly="true">…</Number>`) of kind `kind`.
    fn typed_address(&mut self, kind: AddressKind, node: Node<'_, '_>) -> Result<Address, Failure> {
        Ok(Address {
            kind,
            value: node.text().trim_fast().to_owned(),
            display_only: Cx::attr_bool(node, "displayOnly")?,
            address_coding: node
                .attr("addressCoding")
                .map(|v| AddressCoding::from(v.trim_fast())),
        })
    }

    /// The text of `node`, where address elements were expected (see [`infer_kind`]).
    fn text_address<N: Value + Copy>(&mut self, node: N) -> Address {
        let value = node.text().trim_fast();
        let kind = infer_kind(value);
        self.lenient(
            node,
            format_args!(
                "plain-text address in <{}> read as <{}>",
                node.local(),
                kind.element_name()
            ),
        );
        Address::new(kind, value)
    }

    /// The one address of an `addressType` container, `None` when it has none.
    pub(super) fn address_in(&mut self, node: Node<'_, '_>) -> Result<Option<Address>, Failure> {
        let mut found = None;
        for child in node.children() {
            match AddressKind::from_element_name(child.local()) {
                Some(kind) if found.is_none() => found = Some(self.typed_address(kind, child)?),
                Some(_) => self.lenient(
                    child,
                    format_args!("second address in <{}> ignored", node.local()),
                ),
                None => self.unknown(child, node),
            }
        }
        if found.is_none() && node.has_text() {
            found = Some(self.text_address(node));
        }
        Ok(found)
    }

    /// The address of a container that must have one.
    pub(super) fn address(&mut self, node: Node<'_, '_>) -> Result<Address, Failure> {
        self.address_in(node)?
            .ok_or_else(|| Failure::no_address(node))
    }

    /// Appends the addresses of a `To`, `Cc` or `Bcc` list.
    fn address_list(&mut self, node: Node<'_, '_>, list: &mut Vec<Address>) -> Result<(), Failure> {
        let before = list.len();
        for child in node.children() {
            match AddressKind::from_element_name(child.local()) {
                Some(kind) => list.push(self.typed_address(kind, child)?),
                None => self.unknown(child, node),
            }
        }
        if list.len() == before && node.has_text() {
            list.push(self.text_address(node));
        }
        if list.len() == before && self.empty_list.is_none() {
            self.empty_list = Some(Failure::no_address(node));
        }
        Ok(())
    }

    /// Appends the lists of a `Recipients` element to `recipients` (a peer that repeats
    /// `Recipients` or `To` has its lists concatenated). Address elements directly under
    /// `Recipients`, or plain text there, are read as `To` with a warning.
    pub(super) fn recipients(
        &mut self,
        node: Node<'_, '_>,
        recipients: &mut Recipients,
    ) -> Result<(), Failure> {
        let mut any = false;
        for child in node.children() {
            match child.local() {
                "To" => self.address_list(child, &mut recipients.to)?,
                "Cc" => self.address_list(child, &mut recipients.cc)?,
                "Bcc" => self.address_list(child, &mut recipients.bcc)?,
                other => match AddressKind::from_element_name(other) {
                    Some(kind) => {
                        self.lenient(
                            child,
                            format_args!("<{other}> directly in <Recipients> read as <To>"),
                        );
                        recipients.to.push(self.typed_address(kind, child)?);
                    }
                    None => {
                        self.unknown(child, node);
                        continue;
                    }
                },
            }
            any = true;
        }
        if !any && node.has_text() {
            recipients.to.push(self.text_address(node));
        }
        Ok(())
    }

    /// `SenderIdentification`: `VASPID?`, `VASID?`, `SenderAddress?`.
    pub(super) fn sender_identification(
        &mut self,
        node: Node<'_, '_>,
    ) -> Result<SenderIdentification, Failure> {
        let mut id = SenderIdentification::default();
        for child in node.children() {
            match child.local() {
                "VASPID" => self.once(&mut id.vasp_id, child, Cx::token)?,
                "VASID" => self.once(&mut id.vas_id, child, Cx::token)?,
                "SenderAddress" => {
                    if id.sender_address.is_some() {
                        self.lenient(child, format_args!("repeated <SenderAddress> ignored"));
                    } else {
                        id.sender_address = self.address_in(child)?;
                    }
                }
                _ => self.unknown(child, node),
            }
        }
        Ok(id)
    }

    /// A `UserAgent` of `Previouslysentby`: an address with a `sequence` attribute.
    pub(super) fn user_agent(&mut self, node: Node<'_, '_>) -> Result<UserAgent, Failure> {
        Ok(UserAgent {
            sequence: Cx::attr_integer(node, "sequence")?,
            address: self.address(node)?,
        })
    }
}

impl<'a> Walker<'_, 'a> {
    /// [`Cx::address`] of the container `element`, whose start tag was just read, from the
    /// reader's events.
    pub(super) fn address(
        &mut self,
        cx: &mut Cx<'_, '_>,
        element: Element<'a>,
    ) -> Result<Address, Stop> {
        let mut found = None;
        let mut unknown = None;
        let mut own = None;
        while let Some(child) = self.next_child(&mut own)? {
            match AddressKind::from_element_name(child.local) {
                Some(kind) if found.is_none() => found = Some(self.typed_address(kind, child)?),
                Some(_) => {
                    cx.lenient(
                        child,
                        format_args!("second address in <{}> ignored", element.local),
                    );
                    self.skip()?;
                }
                None => {
                    cx.unknown(child, element);
                    unknown.get_or_insert(child);
                    self.skip()?;
                }
            }
        }
        if let Some(address) = found {
            return Ok(address);
        }
        match own {
            Some(text) => Ok(cx.text_address(&Leaf::new(element, text))),
            None => Err(Failure::no_address_in(element, unknown).into()),
        }
    }

    /// [`Cx::typed_address`] from the reader's events.
    fn typed_address(&mut self, kind: AddressKind, element: Element<'a>) -> Result<Address, Stop> {
        let display_only = self.attribute("displayOnly")?;
        let address_coding = self.attribute("addressCoding")?;
        let leaf = self.leaf(element)?;
        let display_only = display_only
            .map(|v| {
                parse_bool(&v)
                    .ok_or_else(|| Failure::invalid(&leaf, Some("displayOnly"), &v, super::BOOLEAN))
            })
            .transpose()?;
        Ok(Address {
            kind,
            value: (&leaf).text().trim_fast().to_owned(),
            display_only,
            address_coding: address_coding.map(|v| AddressCoding::from(v.trim_fast())),
        })
    }
}

/// The kind of an address given as plain text: `RFC2822Address` with an `@`, `Number` for a
/// phone number (what [`Address::normalized_number`] accepts, `/TYPE=PLMN` included), and
/// `ShortCode` for anything else (the alphanumeric sender names some MMSCs use).
pub(super) fn infer_kind(value: &str) -> AddressKind {
    if value.contains('@') {
        AddressKind::Rfc2822
    } else if Address::number(value).normalized_number().is_some() {
        AddressKind::Number
    } else {
        AddressKind::ShortCode
    }
}

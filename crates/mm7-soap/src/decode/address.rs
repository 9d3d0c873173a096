//! Addresses: the `addressType` containers (`Sender`, `Recipient`, `SenderAddress`,
//! `ThirdPartyPayer`, `UserAgent`), the `To`/`Cc`/`Bcc` lists of `Recipients`, and
//! `SenderIdentification`. They are read from the reader's events ([`Walker`]); a `UserAgent`
//! (in `Previouslysentby`, read as a tree) from its tree.

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

    /// A `UserAgent` of `Previouslysentby`: an address with a `sequence` attribute.
    pub(super) fn user_agent(&mut self, node: Node<'_, '_>) -> Result<UserAgent, Failure> {
        Ok(UserAgent {
            sequence: Cx::attr_integer(node, "sequence")?,
            address: self.address(node)?,
        })
    }
}

impl<'a> Walker<'_, 'a> {
    /// The address of the container `element` (whose start tag was just read), which must
    /// have one: [`Cx::address`] from the reader's events.
    pub(super) fn address(
        &mut self,
        cx: &mut Cx<'_, '_>,
        element: Element<'a>,
    ) -> Result<Address, Stop> {
        match self.address_in(cx, element)? {
            (Some(address), _) => Ok(address),
            (None, unknown) => Err(Failure::no_address_in(element, unknown).into()),
        }
    }

    /// [`Cx::address_in`] from the reader's events; also the container's first child that is
    /// not an address element (for [`Failure::no_address_in`]).
    fn address_in(
        &mut self,
        cx: &mut Cx<'_, '_>,
        element: Element<'a>,
    ) -> Result<(Option<Address>, Option<Element<'a>>), Stop> {
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
        if found.is_none()
            && let Some(text) = own
        {
            found = Some(cx.text_address(&Leaf::new(element, text)));
        }
        Ok((found, unknown))
    }

    /// Appends the addresses of a `To`, `Cc` or `Bcc` list.
    fn address_list(
        &mut self,
        cx: &mut Cx<'_, '_>,
        element: Element<'a>,
        list: &mut Vec<Address>,
    ) -> Result<(), Stop> {
        let before = list.len();
        let mut unknown = None;
        let mut own = None;
        while let Some(child) = self.next_child(&mut own)? {
            match AddressKind::from_element_name(child.local) {
                Some(kind) => list.push(self.typed_address(kind, child)?),
                None => {
                    cx.unknown(child, element);
                    unknown.get_or_insert(child);
                    self.skip()?;
                }
            }
        }
        if list.len() == before
            && let Some(text) = own
        {
            list.push(cx.text_address(&Leaf::new(element, text)));
        }
        if list.len() == before && cx.empty_list.is_none() {
            cx.empty_list = Some(Failure::no_address_in(element, unknown));
        }
        Ok(())
    }

    /// Appends the lists of a `Recipients` element to `recipients` (a peer that repeats
    /// `Recipients` or `To` has its lists concatenated). Address elements directly under
    /// `Recipients`, or plain text there, are read as `To` with a warning.
    pub(super) fn recipients(
        &mut self,
        cx: &mut Cx<'_, '_>,
        element: Element<'a>,
        recipients: &mut Recipients,
    ) -> Result<(), Stop> {
        let mut any = false;
        let mut own = None;
        while let Some(child) = self.next_child(&mut own)? {
            match child.local {
                "To" => self.address_list(cx, child, &mut recipients.to)?,
                "Cc" => self.address_list(cx, child, &mut recipients.cc)?,
                "Bcc" => self.address_list(cx, child, &mut recipients.bcc)?,
                other => match AddressKind::from_element_name(other) {
                    Some(kind) => {
                        cx.lenient(
                            child,
                            format_args!("<{other}> directly in <Recipients> read as <To>"),
                        );
                        recipients.to.push(self.typed_address(kind, child)?);
                    }
                    None => {
                        cx.unknown(child, element);
                        self.skip()?;
                        continue;
                    }
                },
            }
            any = true;
        }
        if !any && let Some(text) = own {
            recipients
                .to
                .push(cx.text_address(&Leaf::new(element, text)));
        }
        Ok(())
    }

    /// `SenderIdentification`: `VASPID?`, `VASID?`, `SenderAddress?`.
    pub(super) fn sender_identification(
        &mut self,
        cx: &mut Cx<'_, '_>,
        element: Element<'a>,
    ) -> Result<SenderIdentification, Stop> {
        let mut id = SenderIdentification::default();
        let mut own = None;
        while let Some(child) = self.next_child(&mut own)? {
            let slot = match child.local {
                "VASPID" => &mut id.vasp_id,
                "VASID" => &mut id.vas_id,
                "SenderAddress" => {
                    if id.sender_address.is_some() {
                        cx.lenient(child, format_args!("repeated <SenderAddress> ignored"));
                        self.skip()?;
                    } else {
                        id.sender_address = self.address_in(cx, child)?.0;
                    }
                    continue;
                }
                _ => {
                    cx.unknown(child, element);
                    self.skip()?;
                    continue;
                }
            };
            if slot.is_some() {
                cx.lenient(child, format_args!("repeated <{}> ignored", child.local));
                self.skip()?;
            } else {
                let leaf = self.leaf(child)?;
                *slot = Some(cx.token(&leaf)?);
            }
        }
        Ok(id)
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

//! The structured elements several operations share: `Status`, `Content`, `ReplyCharging`,
//! `DeliveryCondition`, `PreferredChannels`, `UACapabilities`, `AdditionalInformation`,
//! `MessageExtraData`, `Previouslysentby`, `Previouslysentdateandtime`.

use mm7_model::{
    AdditionalInformation, Channel, ContentRef, DeliveryCondition, ExtraDataElement,
    MessageExtraData, Operation, PreferredChannels, PreviouslySentBy, PreviouslySentDateAndTime,
    ReplyCharging, SequencedDateTime, Status, StatusCode, UaCapabilities, parse_bool,
};

use super::stream::{Stop, Walker};
use super::{BOOLEAN, Cx, Failure, Node, Value};
use crate::xml::Element;
use crate::xml::TrimExt;

impl Cx<'_, '_> {
    /// `Status`: `StatusCode`, `StatusText`, `Details?` (`StatusCode` only in the extended
    /// responses, whose `StatusText` is still read when a peer sends one).
    pub(super) fn status(&mut self, node: Node<'_, '_>, op: Operation) -> Result<Status, Failure> {
        let mut code = None;
        let mut text = None;
        let mut details = None;
        for child in node.children() {
            match child.local() {
                "StatusCode" => self.once(&mut code, child, Cx::status_code)?,
                "StatusText" => self.once(&mut text, child, Cx::exact)?,
                // `anyDataType`: kept as written, markup included, for logging and re-encoding.
                "Details" => self.once(&mut details, child, |_, n| Ok(n.inner_xml().to_owned()))?,
                _ => self.unknown(child, node),
            }
        }
        self.status_of(node, op, code, text, details)
    }

    /// The `Status` element `node` of a response of `op` from its children's values: refused
    /// without a `StatusCode`, reported without a `StatusText` where `op` requires one.
    fn status_of(
        &mut self,
        node: impl Value + Copy,
        op: Operation,
        code: Option<StatusCode>,
        text: Option<String>,
        details: Option<String>,
    ) -> Result<Status, Failure> {
        let code = code.ok_or_else(|| Failure::missing("StatusCode", node))?;
        let text_required = op
            .status_elements()
            .iter()
            .any(|e| e.name == "StatusText" && e.required);
        if text.is_none() && text_required {
            self.lenient(
                node,
                format_args!("<Status> without <StatusText> read as is"),
            );
        }
        Ok(Status {
            code,
            text,
            details,
        })
    }

    /// `Status` (see [`Cx::status`]) from the reader's events, its start tag `element` just
    /// read.
    pub(super) fn status_from<'a>(
        &mut self,
        w: &mut Walker<'_, 'a>,
        element: Element<'a>,
        op: Operation,
    ) -> Result<Status, Stop> {
        let mut code = None;
        let mut text = None;
        let mut details = None;
        let mut own = None;
        while let Some(child) = w.next_child(&mut own)? {
            match child.local {
                "StatusCode" if code.is_none() => {
                    code = Some(self.status_code(&w.leaf(child)?)?);
                }
                "StatusText" if text.is_none() => text = Some(self.exact(&w.leaf(child)?)?),
                // `anyDataType`: kept as written, markup included, for logging and re-encoding.
                "Details" if details.is_none() => details = Some(w.inner_xml()?.to_owned()),
                "StatusCode" | "StatusText" | "Details" => {
                    self.lenient(child, format_args!("repeated <{}> ignored", child.local));
                    w.skip()?;
                }
                _ => {
                    self.unknown(child, element);
                    w.skip()?;
                }
            }
        }
        Ok(self.status_of(element, op, code, text, details)?)
    }

    /// A `StatusCode`: any non-negative integer, vendor codes included.
    fn status_code<N: Value + Copy>(&mut self, node: N) -> Result<StatusCode, Failure> {
        StatusCode::parse(node.text())
            .map_err(|e| Failure::invalid(node, None, node.text(), e.reason))
    }

    /// `Content`: the `href` and `allowAdaptations` attributes. Text or white space inside
    /// the element, which some MMSCs write, is not content; a `cid:` written as the element's
    /// text instead of in `href` is taken, with a warning.
    pub(super) fn content(&mut self, node: Node<'_, '_>) -> Result<ContentRef, Failure> {
        let href = match node.attr("href") {
            Some(href) => href.trim_fast().to_owned(),
            None if node.has_text() => {
                self.lenient(
                    node,
                    format_args!("<Content> without href: its text read as the href"),
                );
                node.text().trim_fast().to_owned()
            }
            None => return Err(Failure::missing("href", node)),
        };
        for child in node.children() {
            self.unknown(child, node);
        }
        Ok(ContentRef {
            href,
            allow_adaptations: Cx::attr_bool(node, "allowAdaptations")?,
        })
    }

    /// [`Cx::content`] from the reader's events, when `element` has an `href` (one without is
    /// read as a tree, which tells whether it has text before reporting its children).
    pub(super) fn content_from(
        &mut self,
        w: &mut Walker<'_, '_>,
        element: Element<'_>,
        href: &str,
        allow_adaptations: Option<&str>,
    ) -> Result<ContentRef, Stop> {
        let href = href.trim_fast().to_owned();
        let mut own = None;
        while let Some(child) = w.next_child(&mut own)? {
            self.unknown(child, element);
            w.skip()?;
        }
        let allow_adaptations = allow_adaptations
            .map(|v| {
                parse_bool(v)
                    .ok_or_else(|| Failure::invalid(element, Some("allowAdaptations"), v, BOOLEAN))
            })
            .transpose()?;
        Ok(ContentRef {
            href,
            allow_adaptations,
        })
    }

    /// `ReplyCharging`: the `replyChargingSize` and `replyDeadline` attributes.
    pub(super) fn reply_charging(&mut self, node: Node<'_, '_>) -> Result<ReplyCharging, Failure> {
        Ok(ReplyCharging {
            reply_charging_size: Cx::attr_integer(node, "replyChargingSize")?,
            reply_deadline: Cx::attr_rel_abs(node, "replyDeadline")?,
        })
    }

    /// `DeliveryCondition`: `DC` integers.
    pub(super) fn delivery_condition(
        &mut self,
        node: Node<'_, '_>,
    ) -> Result<DeliveryCondition, Failure> {
        let mut condition = DeliveryCondition::default();
        for child in node.children() {
            match child.local() {
                "DC" => condition.dc.push(self.integer(child)?),
                _ => self.unknown(child, node),
            }
        }
        Ok(condition)
    }

    /// `PreferredChannels`: `DeliverUsing` channels in order.
    pub(super) fn preferred_channels(
        &mut self,
        node: Node<'_, '_>,
    ) -> Result<PreferredChannels, Failure> {
        let mut channels = PreferredChannels::default();
        for child in node.children() {
            match child.local() {
                "DeliverUsing" => channels.deliver_using.push(self.open::<Channel, _>(child)?),
                _ => self.unknown(child, node),
            }
        }
        Ok(channels)
    }

    /// `UACapabilities`: the `UAProf` and `TimeStamp` attributes.
    pub(super) fn ua_capabilities(
        &mut self,
        node: Node<'_, '_>,
    ) -> Result<UaCapabilities, Failure> {
        Ok(UaCapabilities {
            ua_prof: Cx::attr_token(node, "UAProf"),
            time_stamp: Cx::attr_rel_abs(node, "TimeStamp")?,
        })
    }

    /// An `AdditionalInformation` element: its `href` attribute.
    pub(super) fn additional_information(
        &mut self,
        node: Node<'_, '_>,
    ) -> Result<AdditionalInformation, Failure> {
        let href = Cx::attr_token(node, "href").ok_or_else(|| Failure::missing("href", node))?;
        Ok(AdditionalInformation { href })
    }

    /// `MessageExtraData`: `element` children of `key` and `value`.
    pub(super) fn message_extra_data(
        &mut self,
        node: Node<'_, '_>,
    ) -> Result<MessageExtraData, Failure> {
        let mut data = MessageExtraData::default();
        for child in node.children() {
            if child.local() != "element" {
                self.unknown(child, node);
                continue;
            }
            let mut key = None;
            let mut value = None;
            for part in child.children() {
                match part.local() {
                    "key" => self.once(&mut key, part, Cx::token)?,
                    "value" => self.once(&mut value, part, Cx::token)?,
                    _ => self.unknown(part, child),
                }
            }
            data.elements.push(ExtraDataElement {
                key: key.ok_or_else(|| Failure::missing("key", child))?,
                value: value.ok_or_else(|| Failure::missing("value", child))?,
            });
        }
        Ok(data)
    }

    /// `Previouslysentby`: `UserAgent` addresses.
    pub(super) fn previously_sent_by(
        &mut self,
        node: Node<'_, '_>,
    ) -> Result<PreviouslySentBy, Failure> {
        let mut sent_by = PreviouslySentBy::default();
        for child in node.children() {
            match child.local() {
                "UserAgent" => sent_by.user_agents.push(self.user_agent(child)?),
                _ => self.unknown(child, node),
            }
        }
        Ok(sent_by)
    }

    /// `Previouslysentdateandtime`: `DateTime` values with a `sequence` attribute.
    pub(super) fn previously_sent_date_and_time(
        &mut self,
        node: Node<'_, '_>,
    ) -> Result<PreviouslySentDateAndTime, Failure> {
        let mut sent_at = PreviouslySentDateAndTime::default();
        for child in node.children() {
            match child.local() {
                "DateTime" => sent_at.date_times.push(SequencedDateTime {
                    value: self.rel_abs(child)?,
                    sequence: Cx::attr_integer(child, "sequence")?,
                }),
                _ => self.unknown(child, node),
            }
        }
        Ok(sent_at)
    }
}

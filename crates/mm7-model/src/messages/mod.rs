//! The MM7 messages, one module per operation pair, and [`Message`] over all of them.

pub mod cancel;
pub mod common;
mod declare;
pub mod deliver;
pub mod extended;
pub mod fault;
pub mod read_reply;
pub mod replace;
pub mod report;
pub mod submit;

use crate::address::{Address, SenderIdentification};
use crate::schema::{MessageElements, Operation};
use crate::status::Status;
use crate::version::{Mm7Version, SchemaId};

use cancel::{CancelReq, CancelRsp};
use deliver::{DeliverReq, DeliverRsp};
use extended::{ExtendedCancelReq, ExtendedCancelRsp, ExtendedReplaceReq, ExtendedReplaceRsp};
use fault::{RsErrorRsp, SoapFault, VaspErrorRsp};
use read_reply::{ReadReplyReq, ReadReplyRsp};
use replace::{ReplaceReq, ReplaceRsp};
use report::{DeliveryReportReq, DeliveryReportRsp};
use submit::{SubmitReq, SubmitRsp};

/// Defines a response of `genericResponseType` (`MM7Version`, `Status`).
macro_rules! generic_response {
    ($(#[$doc:meta])* $name:ident) => {
        $crate::messages::declare::message_struct! {
            $(#[$doc])*
            #[derive(Debug, Clone, Default, PartialEq, Eq)]
            pub struct $name {
                /// `Status`.
                "Status" => req status: $crate::status::Status,
            }
        }

        impl $name {
            /// A response with a status.
            pub fn new(
                mm7_version: impl Into<$crate::version::Mm7Version>,
                status: $crate::status::Status,
            ) -> $name {
                $name {
                    mm7_version: mm7_version.into(),
                    status,
                }
            }

            /// `1000 Success`.
            pub fn success(mm7_version: impl Into<$crate::version::Mm7Version>) -> $name {
                $name::new(mm7_version, $crate::status::Status::success())
            }
        }
    };
}
pub(crate) use generic_response;

/// Any MM7 SOAP body: one of the operations, or a SOAP Fault.
///
/// The JSON view is keyed by the body element name: `{"SubmitReq": {…}}`.
///
/// ```
/// use mm7_model::{DeliveryReportRsp, Message, Status};
/// let msg = Message::from(DeliveryReportRsp::new("6.8.0", Status::success()));
/// assert_eq!(msg.operation_name(), "DeliveryReportRsp");
/// assert_eq!(msg.mm7_version().map(|v| v.as_str()), Some("6.8.0"));
/// assert!(msg.status().is_some_and(Status::is_success));
///
/// // A typed message back, without a match: the operation expected, or the message as it is.
/// let rsp = DeliveryReportRsp::try_from(msg.clone()).expect("a DeliveryReportRsp");
/// assert!(rsp.status.is_success());
/// let other = mm7_model::SubmitRsp::try_from(msg).unwrap_err();
/// assert_eq!(other.to_string(), "expected SubmitRsp, found DeliveryReportRsp");
/// assert_eq!(other.message.operation_name(), "DeliveryReportRsp");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
#[allow(clippy::large_enum_variant)] // Boxing would cost an allocation per decoded message.
pub enum Message {
    /// `SubmitReq`.
    SubmitReq(SubmitReq),
    /// `SubmitRsp`.
    SubmitRsp(SubmitRsp),
    /// `DeliverReq`.
    DeliverReq(DeliverReq),
    /// `DeliverRsp`.
    DeliverRsp(DeliverRsp),
    /// `CancelReq`.
    CancelReq(CancelReq),
    /// `CancelRsp`.
    CancelRsp(CancelRsp),
    /// `ReplaceReq`.
    ReplaceReq(ReplaceReq),
    /// `ReplaceRsp`.
    ReplaceRsp(ReplaceRsp),
    /// `DeliveryReportReq`.
    DeliveryReportReq(DeliveryReportReq),
    /// `DeliveryReportRsp`.
    DeliveryReportRsp(DeliveryReportRsp),
    /// `ReadReplyReq`.
    ReadReplyReq(ReadReplyReq),
    /// `ReadReplyRsp`.
    ReadReplyRsp(ReadReplyRsp),
    /// `RSErrorRsp` directly in the body (outside a Fault, as some MMSCs send it).
    #[cfg_attr(feature = "serde", serde(rename = "RSErrorRsp"))]
    RsErrorRsp(RsErrorRsp),
    /// `VASPErrorRsp` directly in the body.
    #[cfg_attr(feature = "serde", serde(rename = "VASPErrorRsp"))]
    VaspErrorRsp(VaspErrorRsp),
    /// `extendedCancelReq`.
    #[cfg_attr(feature = "serde", serde(rename = "extendedCancelReq"))]
    ExtendedCancelReq(ExtendedCancelReq),
    /// `extendedCancelRsp`.
    #[cfg_attr(feature = "serde", serde(rename = "extendedCancelRsp"))]
    ExtendedCancelRsp(ExtendedCancelRsp),
    /// `extendedReplaceReq`.
    #[cfg_attr(feature = "serde", serde(rename = "extendedReplaceReq"))]
    ExtendedReplaceReq(ExtendedReplaceReq),
    /// `extendedReplaceRsp`.
    #[cfg_attr(feature = "serde", serde(rename = "extendedReplaceRsp"))]
    ExtendedReplaceRsp(ExtendedReplaceRsp),
    /// A SOAP Fault (usually carrying an `RSErrorRsp` or `VASPErrorRsp`).
    Fault(SoapFault),
}

/// Runs `$body` with `$m` bound to the operation struct, or `$fault` for a Fault.
macro_rules! dispatch {
    ($self:expr, $m:ident => $body:expr, $f:ident => $fault:expr) => {
        match $self {
            Message::SubmitReq($m) => $body,
            Message::SubmitRsp($m) => $body,
            Message::DeliverReq($m) => $body,
            Message::DeliverRsp($m) => $body,
            Message::CancelReq($m) => $body,
            Message::CancelRsp($m) => $body,
            Message::ReplaceReq($m) => $body,
            Message::ReplaceRsp($m) => $body,
            Message::DeliveryReportReq($m) => $body,
            Message::DeliveryReportRsp($m) => $body,
            Message::ReadReplyReq($m) => $body,
            Message::ReadReplyRsp($m) => $body,
            Message::RsErrorRsp($m) => $body,
            Message::VaspErrorRsp($m) => $body,
            Message::ExtendedCancelReq($m) => $body,
            Message::ExtendedCancelRsp($m) => $body,
            Message::ExtendedReplaceReq($m) => $body,
            Message::ExtendedReplaceRsp($m) => $body,
            Message::Fault($f) => $fault,
        }
    };
}

impl Message {
    /// The operation, `None` for a Fault.
    pub fn operation(&self) -> Option<Operation> {
        dispatch!(self, m => Some(m.operation()), _f => None)
    }

    /// The body element name: the operation's (`DeliveryReportReq`, `extendedCancelReq`)
    /// or `Fault`.
    pub fn operation_name(&self) -> &'static str {
        self.operation().map_or("Fault", Operation::element_name)
    }

    /// The `MM7Version` (a Fault's is its detail's, if the detail is an error response).
    pub fn mm7_version(&self) -> Option<&Mm7Version> {
        dispatch!(self, m => Some(m.mm7_version()), f => f.detail.as_ref().and_then(|d| d.mm7_version()))
    }

    /// The `MM7Version` of the operation body, to set it; `None` for a Fault.
    ///
    /// ```
    /// use mm7_model::{Message, Mm7Version, SubmitRsp};
    ///
    /// let mut message = Message::from(SubmitRsp::success("5.3.0", "msg-1"));
    /// if let Some(version) = message.mm7_version_mut() {
    ///     *version = Mm7Version::new("6.8.0");
    /// }
    /// assert_eq!(message.mm7_version().map(Mm7Version::as_str), Some("6.8.0"));
    /// ```
    pub fn mm7_version_mut(&mut self) -> Option<&mut Mm7Version> {
        self.elements_mut().map(MessageElements::mm7_version_mut)
    }

    /// The operation body as [`MessageElements`], `None` for a Fault.
    pub fn elements(&self) -> Option<&dyn MessageElements> {
        dispatch!(self, m => Some(m as &dyn MessageElements), _f => None)
    }

    /// The operation body as mutable [`MessageElements`], `None` for a Fault.
    pub fn elements_mut(&mut self) -> Option<&mut dyn MessageElements> {
        dispatch!(self, m => Some(m as &mut dyn MessageElements), _f => None)
    }

    /// Whether this is a request.
    pub fn is_request(&self) -> bool {
        self.operation().is_some_and(Operation::is_request)
    }

    /// The `Status` of a response or of a Fault's error response.
    pub fn status(&self) -> Option<&Status> {
        match self {
            Message::SubmitRsp(m) => Some(&m.status),
            Message::DeliverRsp(m) => Some(&m.status),
            Message::CancelRsp(m) => Some(&m.status),
            Message::ReplaceRsp(m) => Some(&m.status),
            Message::DeliveryReportRsp(m) => Some(&m.status),
            Message::ReadReplyRsp(m) => Some(&m.status),
            Message::RsErrorRsp(m) => Some(&m.status),
            Message::VaspErrorRsp(m) => Some(&m.status),
            Message::ExtendedCancelRsp(m) => Some(&m.status),
            Message::ExtendedReplaceRsp(m) => Some(&m.status),
            Message::Fault(f) => f.status(),
            _ => None,
        }
    }

    /// Calls `f` on every address in the body (senders, recipients, `ThirdPartyPayer`,
    /// `Previouslysentby` user agents), e.g. to normalise numbers before sending.
    pub fn for_each_address_mut(&mut self, mut f: impl FnMut(&mut Address)) {
        let mut sender_id = |s: &mut Option<SenderIdentification>| {
            if let Some(a) = s.as_mut().and_then(|s| s.sender_address.as_mut()) {
                f(a);
            }
        };
        match self {
            Message::SubmitReq(m) => {
                sender_id(&mut m.sender_identification);
                m.recipients.iter_mut().for_each(&mut f);
                m.third_party_payer.iter_mut().for_each(&mut f);
            }
            Message::DeliverReq(m) => {
                m.sender.iter_mut().for_each(&mut f);
                m.recipients.iter_mut().for_each(&mut f);
                if let Some(p) = &mut m.previously_sent_by {
                    p.user_agents.iter_mut().for_each(|u| f(&mut u.address));
                }
            }
            Message::CancelReq(m) => {
                sender_id(&mut m.sender_identification);
                m.recipients.iter_mut().for_each(&mut f);
            }
            Message::ReplaceReq(m) => sender_id(&mut m.sender_identification),
            Message::ExtendedCancelReq(m) => sender_id(&mut m.sender_identification),
            Message::DeliveryReportReq(m) => {
                f(&mut m.recipient);
                f(&mut m.sender);
            }
            Message::ReadReplyReq(m) => {
                f(&mut m.recipient);
                f(&mut m.sender);
            }
            _ => {}
        }
    }

    /// Removes the optional elements `schema` lacks (see
    /// [`MessageElements::retain_schema`]); returns their names.
    pub fn retain_schema(&mut self, schema: SchemaId) -> Vec<&'static str> {
        self.elements_mut()
            .map(|m| m.retain_schema(schema))
            .unwrap_or_default()
    }
}

/// A [`Message`] that is not the operation a `TryFrom<Message>` asked for; it gives the
/// message back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected {expected}, found {}", .message.operation_name())]
#[non_exhaustive]
pub struct UnexpectedMessage {
    /// The type asked for.
    pub expected: &'static str,
    /// The message, as it was.
    pub message: Box<Message>,
}

macro_rules! from_impls {
    ($($ty:ident => $variant:ident),* $(,)?) => {
        $(
            impl From<$ty> for Message {
                fn from(m: $ty) -> Message {
                    Message::$variant(m)
                }
            }

            impl TryFrom<Message> for $ty {
                type Error = UnexpectedMessage;

                fn try_from(message: Message) -> Result<$ty, UnexpectedMessage> {
                    match message {
                        Message::$variant(m) => Ok(m),
                        other => Err(UnexpectedMessage {
                            expected: stringify!($ty),
                            message: Box::new(other),
                        }),
                    }
                }
            }
        )*
    };
}

from_impls! {
    SubmitReq => SubmitReq,
    SubmitRsp => SubmitRsp,
    DeliverReq => DeliverReq,
    DeliverRsp => DeliverRsp,
    CancelReq => CancelReq,
    CancelRsp => CancelRsp,
    ReplaceReq => ReplaceReq,
    ReplaceRsp => ReplaceRsp,
    DeliveryReportReq => DeliveryReportReq,
    DeliveryReportRsp => DeliveryReportRsp,
    ReadReplyReq => ReadReplyReq,
    ReadReplyRsp => ReadReplyRsp,
    RsErrorRsp => RsErrorRsp,
    VaspErrorRsp => VaspErrorRsp,
    ExtendedCancelReq => ExtendedCancelReq,
    ExtendedCancelRsp => ExtendedCancelRsp,
    ExtendedReplaceReq => ExtendedReplaceReq,
    ExtendedReplaceRsp => ExtendedReplaceRsp,
    SoapFault => Fault,
}

//! `ReadReplyReq` / `ReadReplyRsp`: an MMSC reports that a recipient read a message.

use crate::address::Address;
use crate::enums::MmStatus;
use crate::schema::{Operation, impl_elements};
use crate::time::DateTime;
use crate::version::Mm7Version;

/// `ReadReplyReq`: the read status of a submitted message for one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct ReadReplyReq {
    /// `MM7Version`.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "MM7Version",
            default,
            skip_serializing_if = "Mm7Version::is_empty"
        )
    )]
    pub mm7_version: Mm7Version,
    /// `MMSRelayServerID`.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "MMSRelayServerID",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub mms_relay_server_id: Option<String>,
    /// `MessageID`: the submitted message this reports on.
    #[cfg_attr(feature = "serde", serde(rename = "MessageID"))]
    pub message_id: String,
    /// `Recipient`: the recipient who read (or deleted) it.
    #[cfg_attr(feature = "serde", serde(rename = "Recipient"))]
    pub recipient: Address,
    /// `Sender`: the original sender.
    #[cfg_attr(feature = "serde", serde(rename = "Sender"))]
    pub sender: Address,
    /// `TimeStamp`: when it was read.
    #[cfg_attr(feature = "serde", serde(rename = "TimeStamp"))]
    pub time_stamp: DateTime,
    /// `MMStatus`: `Read`, `Deleted` or `Indeterminate`.
    #[cfg_attr(feature = "serde", serde(rename = "MMStatus"))]
    pub mm_status: MmStatus,
    /// `StatusText`.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "StatusText",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub status_text: Option<String>,
    /// `ApplicID` (REL-6).
    #[cfg_attr(
        feature = "serde",
        serde(rename = "ApplicID", default, skip_serializing_if = "Option::is_none")
    )]
    pub applic_id: Option<String>,
    /// `ReplyApplicID` (REL-6).
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "ReplyApplicID",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub reply_applic_id: Option<String>,
    /// `AuxApplicInfo` (REL-6).
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "AuxApplicInfo",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub aux_applic_info: Option<String>,
}

impl ReadReplyReq {
    /// A read reply with its required elements; set the others field by field.
    pub fn new(
        mm7_version: impl Into<Mm7Version>,
        message_id: impl Into<String>,
        recipient: Address,
        sender: Address,
        time_stamp: DateTime,
        mm_status: MmStatus,
    ) -> ReadReplyReq {
        ReadReplyReq {
            mm7_version: mm7_version.into(),
            mms_relay_server_id: None,
            message_id: message_id.into(),
            recipient,
            sender,
            time_stamp,
            mm_status,
            status_text: None,
            applic_id: None,
            reply_applic_id: None,
            aux_applic_info: None,
        }
    }
}

impl_elements!(ReadReplyReq, Operation::ReadReplyReq, {
    "MM7Version" => text mm7_version,
    "MMSRelayServerID" => opt mms_relay_server_id,
    "MessageID" => text message_id,
    "Recipient" => req recipient,
    "Sender" => req sender,
    "TimeStamp" => req time_stamp,
    "MMStatus" => req mm_status,
    "StatusText" => opt status_text,
    "ApplicID" => opt applic_id,
    "ReplyApplicID" => opt reply_applic_id,
    "AuxApplicInfo" => opt aux_applic_info,
});

super::generic_response! {
    /// `ReadReplyRsp`: the VASP's answer to a [`ReadReplyReq`].
    ReadReplyRsp, Operation::ReadReplyRsp
}

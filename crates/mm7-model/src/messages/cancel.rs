//! `CancelReq` / `CancelRsp`: a VASP cancels a message it submitted.

use crate::address::{Recipients, SenderIdentification};
use crate::schema::{Operation, impl_elements};
use crate::version::Mm7Version;

/// `CancelReq`: cancel a submitted message that has not been delivered yet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct CancelReq {
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
    /// `SenderIdentification` (required by the schema; its children are optional).
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "SenderIdentification",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub sender_identification: Option<SenderIdentification>,
    /// `MessageID`: the message to cancel, as the `SubmitRsp` gave it.
    #[cfg_attr(feature = "serde", serde(rename = "MessageID"))]
    pub message_id: String,
    /// `Recipients` (REL-6): cancel for these recipients only.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "Recipients",
            default,
            skip_serializing_if = "Recipients::is_empty"
        )
    )]
    pub recipients: Recipients,
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

impl_elements!(CancelReq, Operation::CancelReq, {
    "MM7Version" => text mm7_version,
    "SenderIdentification" => reqopt sender_identification,
    "MessageID" => text message_id,
    "Recipients" => dflt recipients,
    "ApplicID" => opt applic_id,
    "ReplyApplicID" => opt reply_applic_id,
    "AuxApplicInfo" => opt aux_applic_info,
});

super::generic_response! {
    /// `CancelRsp`: the MMSC's answer to a [`CancelReq`].
    CancelRsp, Operation::CancelRsp
}

//! The REL-6 extended operations: `extendedCancelReq` / `extendedCancelRsp` and
//! `extendedReplaceReq` / `extendedReplaceRsp`, which act on a message by the identifier the
//! VASP chose rather than the MMSC's `MessageID`. Their element names start lowercase in the
//! schema; their responses' `Status` has a `StatusCode` only.

use crate::address::SenderIdentification;
use crate::content::ContentRef;
use crate::messages::common::{AdditionalInformation, MessageExtraData};
use crate::schema::{Operation, impl_elements};
use crate::status::Status;
use crate::time::{DateTime, RelativeOrAbsolute};
use crate::version::Mm7Version;

/// `extendedCancelReq`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct ExtendedCancelReq {
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
    /// `SenderIdentification`.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "SenderIdentification",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub sender_identification: Option<SenderIdentification>,
    /// `CancelID`: the message to cancel.
    #[cfg_attr(feature = "serde", serde(rename = "CancelID"))]
    pub cancel_id: String,
}

impl_elements!(ExtendedCancelReq, Operation::ExtendedCancelReq, {
    "MM7Version" => text mm7_version,
    "SenderIdentification" => reqopt sender_identification,
    "CancelID" => text cancel_id,
});

super::generic_response! {
    /// `extendedCancelRsp`: the answer to an [`ExtendedCancelReq`].
    ExtendedCancelRsp, Operation::ExtendedCancelRsp
}

/// `extendedReplaceReq`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct ExtendedReplaceReq {
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
    /// `VASPID`.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "VASPID", default, skip_serializing_if = "Option::is_none")
    )]
    pub vasp_id: Option<String>,
    /// `VASID`.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "VASID", default, skip_serializing_if = "Option::is_none")
    )]
    pub vas_id: Option<String>,
    /// `ServiceCode`.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "ServiceCode",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub service_code: Option<String>,
    /// `ReplaceID`: the message to replace.
    #[cfg_attr(feature = "serde", serde(rename = "ReplaceID"))]
    pub replace_id: String,
    /// `TimeStamp`.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "TimeStamp", default, skip_serializing_if = "Option::is_none")
    )]
    pub time_stamp: Option<DateTime>,
    /// `EarliestDeliveryTime`.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "EarliestDeliveryTime",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub earliest_delivery_time: Option<RelativeOrAbsolute>,
    /// `ExpiryDate`.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "ExpiryDate",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub expiry_date: Option<RelativeOrAbsolute>,
    /// `ReadReply`.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "ReadReply", default, skip_serializing_if = "Option::is_none")
    )]
    pub read_reply: Option<bool>,
    /// `DeliveryReport`.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "DeliveryReport",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub delivery_report: Option<bool>,
    /// `Content`.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "Content", default, skip_serializing_if = "Option::is_none")
    )]
    pub content: Option<ContentRef>,
    /// `AdditionalInformation`.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "AdditionalInformation",
            default,
            skip_serializing_if = "Vec::is_empty"
        )
    )]
    pub additional_information: Vec<AdditionalInformation>,
    /// `MessageExtraData`.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "MessageExtraData",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub message_extra_data: Option<MessageExtraData>,
}

impl_elements!(ExtendedReplaceReq, Operation::ExtendedReplaceReq, {
    "MM7Version" => text mm7_version,
    "VASPID" => opt vasp_id,
    "VASID" => opt vas_id,
    "ServiceCode" => opt service_code,
    "ReplaceID" => text replace_id,
    "TimeStamp" => opt time_stamp,
    "EarliestDeliveryTime" => opt earliest_delivery_time,
    "ExpiryDate" => opt expiry_date,
    "ReadReply" => opt read_reply,
    "DeliveryReport" => opt delivery_report,
    "Content" => opt content,
    "AdditionalInformation" => vec additional_information,
    "MessageExtraData" => opt message_extra_data,
});

/// `extendedReplaceRsp`: the answer to an [`ExtendedReplaceReq`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct ExtendedReplaceRsp {
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
    /// `MessageID`: the identifier of the replacing message.
    #[cfg_attr(feature = "serde", serde(rename = "MessageID"))]
    pub message_id: String,
    /// `Status` (`StatusCode` only in this schema).
    #[cfg_attr(feature = "serde", serde(rename = "Status"))]
    pub status: Status,
}

impl ExtendedReplaceRsp {
    /// A response with its required elements.
    pub fn new(
        mm7_version: impl Into<Mm7Version>,
        message_id: impl Into<String>,
        status: Status,
    ) -> ExtendedReplaceRsp {
        ExtendedReplaceRsp {
            mm7_version: mm7_version.into(),
            message_id: message_id.into(),
            status,
        }
    }
}

impl_elements!(ExtendedReplaceRsp, Operation::ExtendedReplaceRsp, {
    "MM7Version" => text mm7_version,
    "MessageID" => text message_id,
    "Status" => req status,
});

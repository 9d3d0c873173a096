//! `ReplaceReq` / `ReplaceRsp`: a VASP replaces the content of a message it submitted.

use crate::address::SenderIdentification;
use crate::content::ContentRef;
use crate::enums::ContentClass;
use crate::messages::common::{AdditionalInformation, MessageExtraData};
use crate::schema::{Operation, impl_elements};
use crate::time::{DateTime, RelativeOrAbsolute};
use crate::version::Mm7Version;

/// `ReplaceReq`: replace a submitted message that has not been retrieved yet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct ReplaceReq {
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
    /// `MessageID`: the message to replace, as the `SubmitRsp` gave it.
    #[cfg_attr(feature = "serde", serde(rename = "MessageID"))]
    pub message_id: String,
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
    /// `TimeStamp`.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "TimeStamp", default, skip_serializing_if = "Option::is_none")
    )]
    pub time_stamp: Option<DateTime>,
    /// `ReadReply`.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "ReadReply", default, skip_serializing_if = "Option::is_none")
    )]
    pub read_reply: Option<bool>,
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
    /// `DistributionIndicator`.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "DistributionIndicator",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub distribution_indicator: Option<bool>,
    /// `ContentClass` (REL-6).
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "ContentClass",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub content_class: Option<ContentClass>,
    /// `DRMContent` (REL-6).
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "DRMContent",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub drm_content: Option<bool>,
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
    /// `Content`: the new content.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "Content", default, skip_serializing_if = "Option::is_none")
    )]
    pub content: Option<ContentRef>,
    /// `AdditionalInformation` (REL-6-MM7-1-4).
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "AdditionalInformation",
            default,
            skip_serializing_if = "Vec::is_empty"
        )
    )]
    pub additional_information: Vec<AdditionalInformation>,
    /// `MessageExtraData` (REL-6-MM7-1-4).
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

impl_elements!(ReplaceReq, Operation::ReplaceReq, {
    "MM7Version" => text mm7_version,
    "SenderIdentification" => reqopt sender_identification,
    "MessageID" => text message_id,
    "ServiceCode" => opt service_code,
    "TimeStamp" => opt time_stamp,
    "ReadReply" => opt read_reply,
    "EarliestDeliveryTime" => opt earliest_delivery_time,
    "DistributionIndicator" => opt distribution_indicator,
    "ContentClass" => opt content_class,
    "DRMContent" => opt drm_content,
    "ApplicID" => opt applic_id,
    "ReplyApplicID" => opt reply_applic_id,
    "AuxApplicInfo" => opt aux_applic_info,
    "Content" => opt content,
    "AdditionalInformation" => vec additional_information,
    "MessageExtraData" => opt message_extra_data,
});

super::generic_response! {
    /// `ReplaceRsp`: the MMSC's answer to a [`ReplaceReq`].
    ReplaceRsp, Operation::ReplaceRsp
}

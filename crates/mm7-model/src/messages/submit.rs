//! `SubmitReq` / `SubmitRsp`: a VASP sends a message.

use crate::address::{Address, Recipients, SenderIdentification};
use crate::content::ContentRef;
use crate::enums::{ChargedParty, ContentClass, MessageClass, Priority};
use crate::messages::common::{
    AdditionalInformation, DeliveryCondition, MessageExtraData, PreferredChannels, ReplyCharging,
};
use crate::schema::{Operation, impl_elements};
use crate::status::Status;
use crate::time::{DateTime, RelativeOrAbsolute};
use crate::version::Mm7Version;

/// `SubmitReq`: a VASP submits a multimedia message for delivery.
///
/// Build it with [`SubmitReq::builder`](crate::SubmitReqBuilder) for the common cases, or
/// field by field from [`SubmitReq::default`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct SubmitReq {
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
    /// `Recipients`.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "Recipients",
            default,
            skip_serializing_if = "Recipients::is_empty"
        )
    )]
    pub recipients: Recipients,
    /// `PreferredChannels` (REL-6-MM7-1-4).
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "PreferredChannels",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub preferred_channels: Option<PreferredChannels>,
    /// `ServiceCode`: the operator's service code, for charging.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "ServiceCode",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub service_code: Option<String>,
    /// `LinkedID`: the `MessageID` of a `DeliverReq` this answers.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "LinkedID", default, skip_serializing_if = "Option::is_none")
    )]
    pub linked_id: Option<String>,
    /// `MessageClass`.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "MessageClass",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub message_class: Option<MessageClass>,
    /// `TimeStamp`.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "TimeStamp", default, skip_serializing_if = "Option::is_none")
    )]
    pub time_stamp: Option<DateTime>,
    /// `ReplyCharging`.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "ReplyCharging",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub reply_charging: Option<ReplyCharging>,
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
    /// `DeliveryReport`: whether delivery reports are wanted.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "DeliveryReport",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub delivery_report: Option<bool>,
    /// `ReadReply`: whether read replies are wanted.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "ReadReply", default, skip_serializing_if = "Option::is_none")
    )]
    pub read_reply: Option<bool>,
    /// `Priority`.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "Priority", default, skip_serializing_if = "Option::is_none")
    )]
    pub priority: Option<Priority>,
    /// `Subject`.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "Subject", default, skip_serializing_if = "Option::is_none")
    )]
    pub subject: Option<String>,
    /// `ChargedParty`.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "ChargedParty",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub charged_party: Option<ChargedParty>,
    /// `ChargedPartyID` (REL-6).
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "ChargedPartyID",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub charged_party_id: Option<String>,
    /// `ThirdPartyPayer` (REL-6-MM7-1-4).
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "ThirdPartyPayer",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub third_party_payer: Option<Address>,
    /// `DistributionIndicator`: whether the recipient may forward the message.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "DistributionIndicator",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub distribution_indicator: Option<bool>,
    /// `DeliveryCondition` (REL-6).
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "DeliveryCondition",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub delivery_condition: Option<DeliveryCondition>,
    /// `ApplicID` (REL-6): the destination application on the terminal.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "ApplicID", default, skip_serializing_if = "Option::is_none")
    )]
    pub applic_id: Option<String>,
    /// `ReplyApplicID` (REL-6): the application for replies and reports.
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
    /// `Content`.
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

impl_elements!(SubmitReq, Operation::SubmitReq, {
    "MM7Version" => text mm7_version,
    "SenderIdentification" => reqopt sender_identification,
    "Recipients" => text recipients,
    "PreferredChannels" => opt preferred_channels,
    "ServiceCode" => opt service_code,
    "LinkedID" => opt linked_id,
    "MessageClass" => opt message_class,
    "TimeStamp" => opt time_stamp,
    "ReplyCharging" => opt reply_charging,
    "EarliestDeliveryTime" => opt earliest_delivery_time,
    "ExpiryDate" => opt expiry_date,
    "DeliveryReport" => opt delivery_report,
    "ReadReply" => opt read_reply,
    "Priority" => opt priority,
    "Subject" => opt subject,
    "ChargedParty" => opt charged_party,
    "ChargedPartyID" => opt charged_party_id,
    "ThirdPartyPayer" => opt third_party_payer,
    "DistributionIndicator" => opt distribution_indicator,
    "DeliveryCondition" => opt delivery_condition,
    "ApplicID" => opt applic_id,
    "ReplyApplicID" => opt reply_applic_id,
    "AuxApplicInfo" => opt aux_applic_info,
    "ContentClass" => opt content_class,
    "DRMContent" => opt drm_content,
    "Content" => opt content,
    "AdditionalInformation" => vec additional_information,
    "MessageExtraData" => opt message_extra_data,
});

/// `SubmitRsp`: the MMSC's answer to a [`SubmitReq`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct SubmitRsp {
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
    /// `Status`.
    #[cfg_attr(feature = "serde", serde(rename = "Status"))]
    pub status: Status,
    /// `MessageID`: the MMSC's identifier of the accepted message (absent on failure).
    #[cfg_attr(
        feature = "serde",
        serde(rename = "MessageID", default, skip_serializing_if = "Option::is_none")
    )]
    pub message_id: Option<String>,
}

impl SubmitRsp {
    /// A response with a status and no `MessageID`.
    pub fn new(mm7_version: impl Into<Mm7Version>, status: Status) -> SubmitRsp {
        SubmitRsp {
            mm7_version: mm7_version.into(),
            status,
            message_id: None,
        }
    }

    /// `1000 Success` with the message's identifier.
    pub fn success(mm7_version: impl Into<Mm7Version>, message_id: impl Into<String>) -> SubmitRsp {
        SubmitRsp {
            mm7_version: mm7_version.into(),
            status: Status::success(),
            message_id: Some(message_id.into()),
        }
    }
}

impl_elements!(SubmitRsp, Operation::SubmitRsp, {
    "MM7Version" => text mm7_version,
    "Status" => req status,
    "MessageID" => opt message_id,
});

//! `SubmitReq` / `SubmitRsp`: a VASP sends a message.

use super::declare::message_struct;
use crate::address::{Address, Recipients, SenderIdentification};
use crate::content::ContentRef;
use crate::enums::{ChargedParty, ContentClass, MessageClass, Priority};
use crate::messages::common::{
    AdditionalInformation, DeliveryCondition, MessageExtraData, PreferredChannels, ReplyCharging,
};
use crate::status::Status;
use crate::time::{DateTime, RelativeOrAbsolute};
use crate::version::Mm7Version;

message_struct! {
    /// `SubmitReq`: a VASP submits a multimedia message for delivery.
    ///
    /// Build it with [`SubmitReq::builder`](crate::SubmitReqBuilder) for the common cases, or
    /// field by field from [`SubmitReq::default`].
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct SubmitReq {
        /// `SenderIdentification` (required by the schema; its children are optional).
        "SenderIdentification" => reqopt sender_identification: Option<SenderIdentification>,
        /// `Recipients`.
        "Recipients" => text recipients: Recipients,
        /// `PreferredChannels` (REL-6-MM7-1-4).
        "PreferredChannels" => opt preferred_channels: Option<PreferredChannels>,
        /// `ServiceCode`: the operator's service code, for charging.
        "ServiceCode" => opt service_code: Option<String>,
        /// `LinkedID`: the `MessageID` of a `DeliverReq` this answers.
        "LinkedID" => opt linked_id: Option<String>,
        /// `MessageClass`.
        "MessageClass" => opt message_class: Option<MessageClass>,
        /// `TimeStamp`.
        "TimeStamp" => opt time_stamp: Option<DateTime>,
        /// `ReplyCharging`.
        "ReplyCharging" => opt reply_charging: Option<ReplyCharging>,
        /// `EarliestDeliveryTime`.
        "EarliestDeliveryTime" => opt earliest_delivery_time: Option<RelativeOrAbsolute>,
        /// `ExpiryDate`.
        "ExpiryDate" => opt expiry_date: Option<RelativeOrAbsolute>,
        /// `DeliveryReport`: whether delivery reports are wanted.
        "DeliveryReport" => opt delivery_report: Option<bool>,
        /// `ReadReply`: whether read replies are wanted.
        "ReadReply" => opt read_reply: Option<bool>,
        /// `Priority`.
        "Priority" => opt priority: Option<Priority>,
        /// `Subject`.
        "Subject" => opt subject: Option<String>,
        /// `ChargedParty`.
        "ChargedParty" => opt charged_party: Option<ChargedParty>,
        /// `ChargedPartyID` (REL-6).
        "ChargedPartyID" => opt charged_party_id: Option<String>,
        /// `ThirdPartyPayer` (REL-6-MM7-1-4).
        "ThirdPartyPayer" => opt third_party_payer: Option<Address>,
        /// `DistributionIndicator`: whether the recipient may forward the message.
        "DistributionIndicator" => opt distribution_indicator: Option<bool>,
        /// `DeliveryCondition` (REL-6).
        "DeliveryCondition" => opt delivery_condition: Option<DeliveryCondition>,
        /// `ApplicID` (REL-6): the destination application on the terminal.
        "ApplicID" => opt applic_id: Option<String>,
        /// `ReplyApplicID` (REL-6): the application for replies and reports.
        "ReplyApplicID" => opt reply_applic_id: Option<String>,
        /// `AuxApplicInfo` (REL-6).
        "AuxApplicInfo" => opt aux_applic_info: Option<String>,
        /// `ContentClass` (REL-6).
        "ContentClass" => opt content_class: Option<ContentClass>,
        /// `DRMContent` (REL-6).
        "DRMContent" => opt drm_content: Option<bool>,
        /// `Content`.
        "Content" => opt content: Option<ContentRef>,
        /// `AdditionalInformation` (REL-6-MM7-1-4).
        "AdditionalInformation" => vec additional_information: Vec<AdditionalInformation>,
        /// `MessageExtraData` (REL-6-MM7-1-4).
        "MessageExtraData" => opt message_extra_data: Option<MessageExtraData>,
    }
}

message_struct! {
    /// `SubmitRsp`: the MMSC's answer to a [`SubmitReq`].
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct SubmitRsp {
        /// `Status`.
        "Status" => req status: Status,
        /// `MessageID`: the MMSC's identifier of the accepted message (absent on failure).
        "MessageID" => opt message_id: Option<String>,
    }
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

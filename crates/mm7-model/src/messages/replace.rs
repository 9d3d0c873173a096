//! `ReplaceReq` / `ReplaceRsp`: a VASP replaces the content of a message it submitted.

use super::declare::message_struct;
use crate::address::SenderIdentification;
use crate::content::ContentRef;
use crate::enums::ContentClass;
use crate::messages::common::{AdditionalInformation, MessageExtraData};
use crate::time::{DateTime, RelativeOrAbsolute};

message_struct! {
    /// `ReplaceReq`: replace a submitted message that has not been retrieved yet.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct ReplaceReq {
        /// `SenderIdentification` (required by the schema; its children are optional).
        "SenderIdentification" => reqopt sender_identification: Option<SenderIdentification>,
        /// `MessageID`: the message to replace, as the `SubmitRsp` gave it.
        "MessageID" => id message_id: String,
        /// `ServiceCode`.
        "ServiceCode" => opt service_code: Option<String>,
        /// `TimeStamp`.
        "TimeStamp" => opt time_stamp: Option<DateTime>,
        /// `ReadReply`.
        "ReadReply" => opt read_reply: Option<bool>,
        /// `EarliestDeliveryTime`.
        "EarliestDeliveryTime" => opt earliest_delivery_time: Option<RelativeOrAbsolute>,
        /// `DistributionIndicator`.
        "DistributionIndicator" => opt distribution_indicator: Option<bool>,
        /// `ContentClass` (REL-6).
        "ContentClass" => opt content_class: Option<ContentClass>,
        /// `DRMContent` (REL-6).
        "DRMContent" => opt drm_content: Option<bool>,
        ..applic_ids,
        /// `Content`: the new content.
        "Content" => opt content: Option<ContentRef>,
        /// `AdditionalInformation` (REL-6-MM7-1-4).
        "AdditionalInformation" => vec additional_information: Vec<AdditionalInformation>,
        /// `MessageExtraData` (REL-6-MM7-1-4).
        "MessageExtraData" => opt message_extra_data: Option<MessageExtraData>,
    }
}

super::generic_response! {
    /// `ReplaceRsp`: the MMSC's answer to a [`ReplaceReq`].
    ReplaceRsp
}

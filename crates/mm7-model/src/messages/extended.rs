//! The REL-6 extended operations: `extendedCancelReq` / `extendedCancelRsp` and
//! `extendedReplaceReq` / `extendedReplaceRsp`, which act on a message by the identifier the
//! VASP chose rather than the MMSC's `MessageID`. Their element names start lowercase in the
//! schema; their responses' `Status` has a `StatusCode` only.

use super::declare::message_struct;
use crate::address::SenderIdentification;
use crate::content::ContentRef;
use crate::messages::common::{AdditionalInformation, MessageExtraData};
use crate::status::Status;
use crate::time::{DateTime, RelativeOrAbsolute};
use crate::version::Mm7Version;

message_struct! {
    /// `extendedCancelReq`.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct ExtendedCancelReq {
        /// `SenderIdentification`.
        "SenderIdentification" => reqopt sender_identification: Option<SenderIdentification>,
        /// `CancelID`: the message to cancel.
        "CancelID" => id cancel_id: String,
    }
}

super::generic_response! {
    /// `extendedCancelRsp`: the answer to an [`ExtendedCancelReq`].
    ExtendedCancelRsp
}

message_struct! {
    /// `extendedReplaceReq`.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct ExtendedReplaceReq {
        /// `VASPID`.
        "VASPID" => opt vasp_id: Option<String>,
        /// `VASID`.
        "VASID" => opt vas_id: Option<String>,
        /// `ServiceCode`.
        "ServiceCode" => opt service_code: Option<String>,
        /// `ReplaceID`: the message to replace.
        "ReplaceID" => id replace_id: String,
        /// `TimeStamp`.
        "TimeStamp" => opt time_stamp: Option<DateTime>,
        /// `EarliestDeliveryTime`.
        "EarliestDeliveryTime" => opt earliest_delivery_time: Option<RelativeOrAbsolute>,
        /// `ExpiryDate`.
        "ExpiryDate" => opt expiry_date: Option<RelativeOrAbsolute>,
        /// `ReadReply`.
        "ReadReply" => opt read_reply: Option<bool>,
        /// `DeliveryReport`.
        "DeliveryReport" => opt delivery_report: Option<bool>,
        /// `Content`.
        "Content" => opt content: Option<ContentRef>,
        /// `AdditionalInformation`.
        "AdditionalInformation" => vec additional_information: Vec<AdditionalInformation>,
        /// `MessageExtraData`.
        "MessageExtraData" => opt message_extra_data: Option<MessageExtraData>,
    }
}

message_struct! {
    /// `extendedReplaceRsp`: the answer to an [`ExtendedReplaceReq`].
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct ExtendedReplaceRsp {
        /// `MessageID`: the identifier of the replacing message.
        "MessageID" => id message_id: String,
        /// `Status` (`StatusCode` only in this schema).
        "Status" => req status: Status,
    }
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

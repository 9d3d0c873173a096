//! The request operations: `SubmitReq`, `DeliverReq`, `CancelReq`, `ReplaceReq`,
//! `DeliveryReportReq`, `ReadReplyReq`, `extendedCancelReq`, `extendedReplaceReq`.
//!
//! Each reads the operation element's children once, in document order, from the reader's
//! events, and dispatches on the local name; what the table of
//! [`mm7_model::Operation::elements`] requires is checked afterwards (see [`decode_body!`]).

use mm7_model::{
    CancelReq, DeliverReq, DeliveryReportReq, ExtendedCancelReq, ExtendedReplaceReq, ReadReplyReq,
    ReplaceReq, SubmitReq,
};

use super::Cx;
use super::body::decode_body;
use super::stream::Walker;

decode_body! {
    /// `SubmitReq`.
    fn submit_req -> SubmitReq {
        "SenderIdentification" => opt sender_identification: stream Walker::sender_identification,
        "Recipients" => recipients recipients,
        "PreferredChannels" => opt preferred_channels: tree Cx::preferred_channels,
        "ServiceCode" => opt service_code: text Cx::token,
        "LinkedID" => opt linked_id: text Cx::token,
        "MessageClass" => opt message_class: text Cx::open,
        "TimeStamp" => opt time_stamp: text Cx::date_time,
        "ReplyCharging" => opt reply_charging: tree Cx::reply_charging,
        "EarliestDeliveryTime" => opt earliest_delivery_time: text Cx::rel_abs,
        "ExpiryDate" => opt expiry_date: text Cx::rel_abs,
        "DeliveryReport" => opt delivery_report: text Cx::boolean,
        "ReadReply" => opt read_reply: text Cx::boolean,
        "Priority" => opt priority: text Cx::open,
        "Subject" => opt subject: text Cx::exact,
        "ChargedParty" => opt charged_party: text Cx::open,
        "ChargedPartyID" => opt charged_party_id: text Cx::token,
        "ThirdPartyPayer" => opt third_party_payer: stream Walker::address,
        "DistributionIndicator" => opt distribution_indicator: text Cx::boolean,
        "DeliveryCondition" => opt delivery_condition: tree Cx::delivery_condition,
        "ApplicID" => opt applic_id: text Cx::token,
        "ReplyApplicID" => opt reply_applic_id: text Cx::token,
        "AuxApplicInfo" => opt aux_applic_info: text Cx::token,
        "ContentClass" => opt content_class: text Cx::open,
        "DRMContent" => opt drm_content: text Cx::boolean,
        "Content" => opt content: stream Walker::content,
        "AdditionalInformation" => vec additional_information: tree Cx::additional_information,
        "MessageExtraData" => opt message_extra_data: tree Cx::message_extra_data,
    }
}

decode_body! {
    /// `DeliverReq`. `VASPID` and `VASID` directly under it are read in every release: the
    /// REL-6-MM7-1-4 schema has them, and REL-5 MMSCs send them too.
    fn deliver_req -> DeliverReq {
        "MMSRelayServerID" => opt mms_relay_server_id: text Cx::token,
        "VASPID" => opt vasp_id: text Cx::token,
        "VASID" => opt vas_id: text Cx::token,
        "LinkedID" => opt linked_id: text Cx::token,
        "Sender" => opt sender: stream Walker::address,
        "Recipients" => recipients recipients,
        "Previouslysentby" => opt previously_sent_by: tree Cx::previously_sent_by,
        "Previouslysentdateandtime" => opt previously_sent_date_and_time:
            tree Cx::previously_sent_date_and_time,
        "SenderSPI" => opt sender_spi: text Cx::token,
        "RecipientSPI" => opt recipient_spi: text Cx::token,
        "TimeStamp" => opt time_stamp: text Cx::date_time,
        "ReplyChargingID" => opt reply_charging_id: text Cx::token,
        "Priority" => opt priority: text Cx::open,
        "Subject" => opt subject: text Cx::exact,
        "ApplicID" => opt applic_id: text Cx::token,
        "ReplyApplicID" => opt reply_applic_id: text Cx::token,
        "AuxApplicInfo" => opt aux_applic_info: text Cx::token,
        "UACapabilities" => opt ua_capabilities: tree Cx::ua_capabilities,
        "Content" => opt content: stream Walker::content,
        "AdditionalInformation" => vec additional_information: tree Cx::additional_information,
        "MessageExtraData" => opt message_extra_data: tree Cx::message_extra_data,
    }
}

decode_body! {
    /// `CancelReq`.
    fn cancel_req -> CancelReq {
        "SenderIdentification" => opt sender_identification: stream Walker::sender_identification,
        "MessageID" => id message_id: text Cx::token,
        "Recipients" => recipients recipients,
        "ApplicID" => opt applic_id: text Cx::token,
        "ReplyApplicID" => opt reply_applic_id: text Cx::token,
        "AuxApplicInfo" => opt aux_applic_info: text Cx::token,
    }
}

decode_body! {
    /// `ReplaceReq`.
    fn replace_req -> ReplaceReq {
        "SenderIdentification" => opt sender_identification: stream Walker::sender_identification,
        "MessageID" => id message_id: text Cx::token,
        "ServiceCode" => opt service_code: text Cx::token,
        "TimeStamp" => opt time_stamp: text Cx::date_time,
        "ReadReply" => opt read_reply: text Cx::boolean,
        "EarliestDeliveryTime" => opt earliest_delivery_time: text Cx::rel_abs,
        "DistributionIndicator" => opt distribution_indicator: text Cx::boolean,
        "ContentClass" => opt content_class: text Cx::open,
        "DRMContent" => opt drm_content: text Cx::boolean,
        "ApplicID" => opt applic_id: text Cx::token,
        "ReplyApplicID" => opt reply_applic_id: text Cx::token,
        "AuxApplicInfo" => opt aux_applic_info: text Cx::token,
        "Content" => opt content: stream Walker::content,
        "AdditionalInformation" => vec additional_information: tree Cx::additional_information,
        "MessageExtraData" => opt message_extra_data: tree Cx::message_extra_data,
    }
}

decode_body! {
    /// `DeliveryReportReq`.
    fn delivery_report_req -> DeliveryReportReq {
        "MMSRelayServerID" => opt mms_relay_server_id: text Cx::token,
        "MessageID" => id message_id: text Cx::token,
        "Recipient" => req recipient: stream Walker::address,
        "Sender" => req sender: stream Walker::address,
        "Date" => req date: text Cx::date_time,
        "MMStatus" => req mm_status: text Cx::open,
        "MMStatusExtension" => opt mm_status_extension: text Cx::open,
        "StatusText" => opt status_text: text Cx::exact,
        "ApplicID" => opt applic_id: text Cx::token,
        "ReplyApplicID" => opt reply_applic_id: text Cx::token,
        "AuxApplicInfo" => opt aux_applic_info: text Cx::token,
        "UACapabilities" => opt ua_capabilities: tree Cx::ua_capabilities,
    }
}

decode_body! {
    /// `ReadReplyReq`.
    fn read_reply_req -> ReadReplyReq {
        "MMSRelayServerID" => opt mms_relay_server_id: text Cx::token,
        "MessageID" => id message_id: text Cx::token,
        "Recipient" => req recipient: stream Walker::address,
        "Sender" => req sender: stream Walker::address,
        "TimeStamp" => req time_stamp: text Cx::date_time,
        "MMStatus" => req mm_status: text Cx::open,
        "StatusText" => opt status_text: text Cx::exact,
        "ApplicID" => opt applic_id: text Cx::token,
        "ReplyApplicID" => opt reply_applic_id: text Cx::token,
        "AuxApplicInfo" => opt aux_applic_info: text Cx::token,
    }
}

decode_body! {
    /// `extendedCancelReq`.
    fn extended_cancel_req -> ExtendedCancelReq {
        "SenderIdentification" => opt sender_identification: stream Walker::sender_identification,
        "CancelID" => id cancel_id: text Cx::token,
    }
}

decode_body! {
    /// `extendedReplaceReq`.
    fn extended_replace_req -> ExtendedReplaceReq {
        "VASPID" => opt vasp_id: text Cx::token,
        "VASID" => opt vas_id: text Cx::token,
        "ServiceCode" => opt service_code: text Cx::token,
        "ReplaceID" => id replace_id: text Cx::token,
        "TimeStamp" => opt time_stamp: text Cx::date_time,
        "EarliestDeliveryTime" => opt earliest_delivery_time: text Cx::rel_abs,
        "ExpiryDate" => opt expiry_date: text Cx::rel_abs,
        "ReadReply" => opt read_reply: text Cx::boolean,
        "DeliveryReport" => opt delivery_report: text Cx::boolean,
        "Content" => opt content: stream Walker::content,
        "AdditionalInformation" => vec additional_information: tree Cx::additional_information,
        "MessageExtraData" => opt message_extra_data: tree Cx::message_extra_data,
    }
}

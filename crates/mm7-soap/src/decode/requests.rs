//! The request operations: `SubmitReq`, `DeliverReq`, `CancelReq`, `ReplaceReq`,
//! `DeliveryReportReq`, `ReadReplyReq`, `extendedCancelReq`, `extendedReplaceReq`.
//!
//! Each walks the operation element's children once, in document order, and dispatches on
//! the local name; what the table of [`mm7_model::Operation::elements`] requires is checked
//! afterwards (see [`decode_body!`]).

use mm7_model::{
    CancelReq, DeliverReq, DeliveryReportReq, ExtendedCancelReq, ExtendedReplaceReq, ReadReplyReq,
    ReplaceReq, SubmitReq,
};

use super::Cx;
use super::body::decode_body;

decode_body! {
    /// `SubmitReq`.
    fn submit_req -> SubmitReq {
        "SenderIdentification" => opt sender_identification: Cx::sender_identification,
        "Recipients" => recipients recipients,
        "PreferredChannels" => opt preferred_channels: Cx::preferred_channels,
        "ServiceCode" => opt service_code: Cx::token,
        "LinkedID" => opt linked_id: Cx::token,
        "MessageClass" => opt message_class: Cx::open,
        "TimeStamp" => opt time_stamp: Cx::date_time,
        "ReplyCharging" => opt reply_charging: Cx::reply_charging,
        "EarliestDeliveryTime" => opt earliest_delivery_time: Cx::rel_abs,
        "ExpiryDate" => opt expiry_date: Cx::rel_abs,
        "DeliveryReport" => opt delivery_report: Cx::boolean,
        "ReadReply" => opt read_reply: Cx::boolean,
        "Priority" => opt priority: Cx::open,
        "Subject" => opt subject: Cx::exact,
        "ChargedParty" => opt charged_party: Cx::open,
        "ChargedPartyID" => opt charged_party_id: Cx::token,
        "ThirdPartyPayer" => opt third_party_payer: Cx::address,
        "DistributionIndicator" => opt distribution_indicator: Cx::boolean,
        "DeliveryCondition" => opt delivery_condition: Cx::delivery_condition,
        "ApplicID" => opt applic_id: Cx::token,
        "ReplyApplicID" => opt reply_applic_id: Cx::token,
        "AuxApplicInfo" => opt aux_applic_info: Cx::token,
        "ContentClass" => opt content_class: Cx::open,
        "DRMContent" => opt drm_content: Cx::boolean,
        "Content" => opt content: Cx::content,
        "AdditionalInformation" => vec additional_information: Cx::additional_information,
        "MessageExtraData" => opt message_extra_data: Cx::message_extra_data,
    }
}

decode_body! {
    /// `DeliverReq`. `VASPID` and `VASID` directly under it are read in every release: the
    /// REL-6-MM7-1-4 schema has them, and REL-5 MMSCs send them too.
    fn deliver_req -> DeliverReq {
        "MMSRelayServerID" => opt mms_relay_server_id: Cx::token,
        "VASPID" => opt vasp_id: Cx::token,
        "VASID" => opt vas_id: Cx::token,
        "LinkedID" => opt linked_id: Cx::token,
        "Sender" => opt sender: Cx::address,
        "Recipients" => recipients recipients,
        "Previouslysentby" => opt previously_sent_by: Cx::previously_sent_by,
        "Previouslysentdateandtime" => opt previously_sent_date_and_time:
            Cx::previously_sent_date_and_time,
        "SenderSPI" => opt sender_spi: Cx::token,
        "RecipientSPI" => opt recipient_spi: Cx::token,
        "TimeStamp" => opt time_stamp: Cx::date_time,
        "ReplyChargingID" => opt reply_charging_id: Cx::token,
        "Priority" => opt priority: Cx::open,
        "Subject" => opt subject: Cx::exact,
        "ApplicID" => opt applic_id: Cx::token,
        "ReplyApplicID" => opt reply_applic_id: Cx::token,
        "AuxApplicInfo" => opt aux_applic_info: Cx::token,
        "UACapabilities" => opt ua_capabilities: Cx::ua_capabilities,
        "Content" => opt content: Cx::content,
        "AdditionalInformation" => vec additional_information: Cx::additional_information,
        "MessageExtraData" => opt message_extra_data: Cx::message_extra_data,
    }
}

decode_body! {
    /// `CancelReq`.
    fn cancel_req -> CancelReq {
        "SenderIdentification" => opt sender_identification: Cx::sender_identification,
        "MessageID" => id message_id: Cx::token,
        "Recipients" => recipients recipients,
        "ApplicID" => opt applic_id: Cx::token,
        "ReplyApplicID" => opt reply_applic_id: Cx::token,
        "AuxApplicInfo" => opt aux_applic_info: Cx::token,
    }
}

decode_body! {
    /// `ReplaceReq`.
    fn replace_req -> ReplaceReq {
        "SenderIdentification" => opt sender_identification: Cx::sender_identification,
        "MessageID" => id message_id: Cx::token,
        "ServiceCode" => opt service_code: Cx::token,
        "TimeStamp" => opt time_stamp: Cx::date_time,
        "ReadReply" => opt read_reply: Cx::boolean,
        "EarliestDeliveryTime" => opt earliest_delivery_time: Cx::rel_abs,
        "DistributionIndicator" => opt distribution_indicator: Cx::boolean,
        "ContentClass" => opt content_class: Cx::open,
        "DRMContent" => opt drm_content: Cx::boolean,
        "ApplicID" => opt applic_id: Cx::token,
        "ReplyApplicID" => opt reply_applic_id: Cx::token,
        "AuxApplicInfo" => opt aux_applic_info: Cx::token,
        "Content" => opt content: Cx::content,
        "AdditionalInformation" => vec additional_information: Cx::additional_information,
        "MessageExtraData" => opt message_extra_data: Cx::message_extra_data,
    }
}

decode_body! {
    /// `DeliveryReportReq`.
    fn delivery_report_req -> DeliveryReportReq {
        "MMSRelayServerID" => opt mms_relay_server_id: Cx::token,
        "MessageID" => id message_id: Cx::token,
        "Recipient" => req recipient: Cx::address,
        "Sender" => req sender: Cx::address,
        "Date" => req date: Cx::date_time,
        "MMStatus" => req mm_status: Cx::open,
        "MMStatusExtension" => opt mm_status_extension: Cx::open,
        "StatusText" => opt status_text: Cx::exact,
        "ApplicID" => opt applic_id: Cx::token,
        "ReplyApplicID" => opt reply_applic_id: Cx::token,
        "AuxApplicInfo" => opt aux_applic_info: Cx::token,
        "UACapabilities" => opt ua_capabilities: Cx::ua_capabilities,
    }
}

decode_body! {
    /// `ReadReplyReq`.
    fn read_reply_req -> ReadReplyReq {
        "MMSRelayServerID" => opt mms_relay_server_id: Cx::token,
        "MessageID" => id message_id: Cx::token,
        "Recipient" => req recipient: Cx::address,
        "Sender" => req sender: Cx::address,
        "TimeStamp" => req time_stamp: Cx::date_time,
        "MMStatus" => req mm_status: Cx::open,
        "StatusText" => opt status_text: Cx::exact,
        "ApplicID" => opt applic_id: Cx::token,
        "ReplyApplicID" => opt reply_applic_id: Cx::token,
        "AuxApplicInfo" => opt aux_applic_info: Cx::token,
    }
}

decode_body! {
    /// `extendedCancelReq`.
    fn extended_cancel_req -> ExtendedCancelReq {
        "SenderIdentification" => opt sender_identification: Cx::sender_identification,
        "CancelID" => id cancel_id: Cx::token,
    }
}

decode_body! {
    /// `extendedReplaceReq`.
    fn extended_replace_req -> ExtendedReplaceReq {
        "VASPID" => opt vasp_id: Cx::token,
        "VASID" => opt vas_id: Cx::token,
        "ServiceCode" => opt service_code: Cx::token,
        "ReplaceID" => id replace_id: Cx::token,
        "TimeStamp" => opt time_stamp: Cx::date_time,
        "EarliestDeliveryTime" => opt earliest_delivery_time: Cx::rel_abs,
        "ExpiryDate" => opt expiry_date: Cx::rel_abs,
        "ReadReply" => opt read_reply: Cx::boolean,
        "DeliveryReport" => opt delivery_report: Cx::boolean,
        "Content" => opt content: Cx::content,
        "AdditionalInformation" => vec additional_information: Cx::additional_information,
        "MessageExtraData" => opt message_extra_data: Cx::message_extra_data,
    }
}

//! `DeliveryReportReq` / `DeliveryReportRsp`: an MMSC reports what became of a message.

use super::declare::message_struct;
use crate::address::Address;
use crate::enums::{MmStatus, MmStatusExtension};
use crate::messages::common::UaCapabilities;
use crate::time::DateTime;
use crate::version::Mm7Version;

message_struct! {
    /// `DeliveryReportReq`: the delivery status of a submitted message for one recipient.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct DeliveryReportReq {
        /// `MMSRelayServerID`.
        "MMSRelayServerID" => opt mms_relay_server_id: Option<String>,
        /// `MessageID`: the submitted message this reports on.
        "MessageID" => id message_id: String,
        /// `Recipient`: the recipient this report is about.
        "Recipient" => req recipient: Address,
        /// `Sender`: the original sender.
        "Sender" => req sender: Address,
        /// `Date`: when the status was reached.
        "Date" => req date: DateTime,
        /// `MMStatus`.
        "MMStatus" => req mm_status: MmStatus,
        /// `MMStatusExtension` (REL-6).
        "MMStatusExtension" => opt mm_status_extension: Option<MmStatusExtension>,
        /// `StatusText`.
        "StatusText" => opt status_text: Option<String>,
        ..applic_ids,
        /// `UACapabilities` (REL-6).
        "UACapabilities" => opt ua_capabilities: Option<UaCapabilities>,
    }
}

impl DeliveryReportReq {
    /// A report with its required elements; set the others field by field.
    pub fn new(
        mm7_version: impl Into<Mm7Version>,
        message_id: impl Into<String>,
        recipient: Address,
        sender: Address,
        date: DateTime,
        mm_status: MmStatus,
    ) -> DeliveryReportReq {
        DeliveryReportReq {
            mm7_version: mm7_version.into(),
            mms_relay_server_id: None,
            message_id: message_id.into(),
            recipient,
            sender,
            date,
            mm_status,
            mm_status_extension: None,
            status_text: None,
            applic_id: None,
            reply_applic_id: None,
            aux_applic_info: None,
            ua_capabilities: None,
        }
    }
}

super::generic_response! {
    /// `DeliveryReportRsp`: the VASP's answer to a [`DeliveryReportReq`].
    DeliveryReportRsp
}

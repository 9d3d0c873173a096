//! `DeliveryReportReq` / `DeliveryReportRsp`: an MMSC reports what became of a message.

use crate::address::Address;
use crate::enums::{MmStatus, MmStatusExtension};
use crate::messages::common::UaCapabilities;
use crate::schema::{Operation, impl_elements};
use crate::time::DateTime;
use crate::version::Mm7Version;

/// `DeliveryReportReq`: the delivery status of a submitted message for one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct DeliveryReportReq {
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
    /// `MMSRelayServerID`.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "MMSRelayServerID",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub mms_relay_server_id: Option<String>,
    /// `MessageID`: the submitted message this reports on.
    #[cfg_attr(feature = "serde", serde(rename = "MessageID"))]
    pub message_id: String,
    /// `Recipient`: the recipient this report is about.
    #[cfg_attr(feature = "serde", serde(rename = "Recipient"))]
    pub recipient: Address,
    /// `Sender`: the original sender.
    #[cfg_attr(feature = "serde", serde(rename = "Sender"))]
    pub sender: Address,
    /// `Date`: when the status was reached.
    #[cfg_attr(feature = "serde", serde(rename = "Date"))]
    pub date: DateTime,
    /// `MMStatus`.
    #[cfg_attr(feature = "serde", serde(rename = "MMStatus"))]
    pub mm_status: MmStatus,
    /// `MMStatusExtension` (REL-6).
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "MMStatusExtension",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub mm_status_extension: Option<MmStatusExtension>,
    /// `StatusText`.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "StatusText",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub status_text: Option<String>,
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
    /// `UACapabilities` (REL-6).
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "UACapabilities",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub ua_capabilities: Option<UaCapabilities>,
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

impl_elements!(DeliveryReportReq, Operation::DeliveryReportReq, {
    "MM7Version" => text mm7_version,
    "MMSRelayServerID" => opt mms_relay_server_id,
    "MessageID" => text message_id,
    "Recipient" => req recipient,
    "Sender" => req sender,
    "Date" => req date,
    "MMStatus" => req mm_status,
    "MMStatusExtension" => opt mm_status_extension,
    "StatusText" => opt status_text,
    "ApplicID" => opt applic_id,
    "ReplyApplicID" => opt reply_applic_id,
    "AuxApplicInfo" => opt aux_applic_info,
    "UACapabilities" => opt ua_capabilities,
});

super::generic_response! {
    /// `DeliveryReportRsp`: the VASP's answer to a [`DeliveryReportReq`].
    DeliveryReportRsp, Operation::DeliveryReportRsp
}

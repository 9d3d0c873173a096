//! `DeliverReq` / `DeliverRsp`: an MMSC delivers a message from a terminal to a VASP.

use crate::address::{Address, Recipients};
use crate::content::ContentRef;
use crate::enums::Priority;
use crate::messages::common::{
    AdditionalInformation, MessageExtraData, PreviouslySentBy, PreviouslySentDateAndTime,
    UaCapabilities,
};
use crate::schema::{Operation, impl_elements};
use crate::status::Status;
use crate::time::DateTime;
use crate::version::Mm7Version;

/// `DeliverReq`: a message from a terminal (mobile originated) for the VASP.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct DeliverReq {
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
    /// `MMSRelayServerID`: which MMSC sends this.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "MMSRelayServerID",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub mms_relay_server_id: Option<String>,
    /// `VASPID` (REL-6-MM7-1-4; some REL-5 MMSCs send it too).
    #[cfg_attr(
        feature = "serde",
        serde(rename = "VASPID", default, skip_serializing_if = "Option::is_none")
    )]
    pub vasp_id: Option<String>,
    /// `VASID` (REL-6-MM7-1-4; some REL-5 MMSCs send it too).
    #[cfg_attr(
        feature = "serde",
        serde(rename = "VASID", default, skip_serializing_if = "Option::is_none")
    )]
    pub vas_id: Option<String>,
    /// `LinkedID`: quote it in a `SubmitReq` that answers this message.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "LinkedID", default, skip_serializing_if = "Option::is_none")
    )]
    pub linked_id: Option<String>,
    /// `Sender`.
    #[cfg_attr(feature = "serde", serde(rename = "Sender"))]
    pub sender: Address,
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
    /// `Previouslysentby`.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "Previouslysentby",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub previously_sent_by: Option<PreviouslySentBy>,
    /// `Previouslysentdateandtime`.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "Previouslysentdateandtime",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub previously_sent_date_and_time: Option<PreviouslySentDateAndTime>,
    /// `SenderSPI`: the sender's service provider.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "SenderSPI", default, skip_serializing_if = "Option::is_none")
    )]
    pub sender_spi: Option<String>,
    /// `RecipientSPI`: the recipient's service provider.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "RecipientSPI",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub recipient_spi: Option<String>,
    /// `TimeStamp`.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "TimeStamp", default, skip_serializing_if = "Option::is_none")
    )]
    pub time_stamp: Option<DateTime>,
    /// `ReplyChargingID`: set when this message is a reply paid for by a VASP.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "ReplyChargingID",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub reply_charging_id: Option<String>,
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

impl DeliverReq {
    /// A request with its required elements; set the others field by field.
    pub fn new(mm7_version: impl Into<Mm7Version>, sender: Address) -> DeliverReq {
        DeliverReq {
            mm7_version: mm7_version.into(),
            mms_relay_server_id: None,
            vasp_id: None,
            vas_id: None,
            linked_id: None,
            sender,
            recipients: Recipients::default(),
            previously_sent_by: None,
            previously_sent_date_and_time: None,
            sender_spi: None,
            recipient_spi: None,
            time_stamp: None,
            reply_charging_id: None,
            priority: None,
            subject: None,
            applic_id: None,
            reply_applic_id: None,
            aux_applic_info: None,
            ua_capabilities: None,
            content: None,
            additional_information: Vec::new(),
            message_extra_data: None,
        }
    }
}

impl_elements!(DeliverReq, Operation::DeliverReq, {
    "MM7Version" => text mm7_version,
    "MMSRelayServerID" => opt mms_relay_server_id,
    "VASPID" => opt vasp_id,
    "VASID" => opt vas_id,
    "LinkedID" => opt linked_id,
    "Sender" => req sender,
    "Recipients" => dflt recipients,
    "Previouslysentby" => opt previously_sent_by,
    "Previouslysentdateandtime" => opt previously_sent_date_and_time,
    "SenderSPI" => opt sender_spi,
    "RecipientSPI" => opt recipient_spi,
    "TimeStamp" => opt time_stamp,
    "ReplyChargingID" => opt reply_charging_id,
    "Priority" => opt priority,
    "Subject" => opt subject,
    "ApplicID" => opt applic_id,
    "ReplyApplicID" => opt reply_applic_id,
    "AuxApplicInfo" => opt aux_applic_info,
    "UACapabilities" => opt ua_capabilities,
    "Content" => opt content,
    "AdditionalInformation" => vec additional_information,
    "MessageExtraData" => opt message_extra_data,
});

/// `DeliverRsp`: the VASP's answer to a [`DeliverReq`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct DeliverRsp {
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
    /// `ServiceCode`: the VASP's service code, for charging the originator.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "ServiceCode",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub service_code: Option<String>,
}

impl DeliverRsp {
    /// A response with a status.
    pub fn new(mm7_version: impl Into<Mm7Version>, status: Status) -> DeliverRsp {
        DeliverRsp {
            mm7_version: mm7_version.into(),
            status,
            service_code: None,
        }
    }
}

impl_elements!(DeliverRsp, Operation::DeliverRsp, {
    "MM7Version" => text mm7_version,
    "Status" => req status,
    "ServiceCode" => opt service_code,
});

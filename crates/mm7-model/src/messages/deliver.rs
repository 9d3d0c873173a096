//! `DeliverReq` / `DeliverRsp`: an MMSC delivers a message from a terminal to a VASP.

use super::declare::message_struct;
use crate::address::{Address, Recipients};
use crate::content::ContentRef;
use crate::enums::Priority;
use crate::messages::common::{
    AdditionalInformation, MessageExtraData, PreviouslySentBy, PreviouslySentDateAndTime,
    UaCapabilities,
};
use crate::status::Status;
use crate::time::DateTime;
use crate::version::Mm7Version;

message_struct! {
    /// `DeliverReq`: a message from a terminal (mobile originated) for the VASP.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct DeliverReq {
        /// `MMSRelayServerID`: which MMSC sends this.
        "MMSRelayServerID" => opt mms_relay_server_id: Option<String>,
        /// `VASPID` (REL-6-MM7-1-4; some REL-5 MMSCs send it too).
        "VASPID" => opt vasp_id: Option<String>,
        /// `VASID` (REL-6-MM7-1-4; some REL-5 MMSCs send it too).
        "VASID" => opt vas_id: Option<String>,
        /// `LinkedID`: quote it in a `SubmitReq` that answers this message.
        "LinkedID" => opt linked_id: Option<String>,
        /// `Sender`: required by the schema, but an MMSC delivering an anonymous message
        /// leaves it out (a decoder accepts that with a warning), hence an `Option`.
        "Sender" => reqopt sender: Option<Address>,
        /// `Recipients`.
        "Recipients" => dflt recipients: Recipients,
        /// `Previouslysentby`.
        "Previouslysentby" => opt previously_sent_by: Option<PreviouslySentBy>,
        /// `Previouslysentdateandtime`.
        "Previouslysentdateandtime" => opt previously_sent_date_and_time:
            Option<PreviouslySentDateAndTime>,
        /// `SenderSPI`: the sender's service provider.
        "SenderSPI" => opt sender_spi: Option<String>,
        /// `RecipientSPI`: the recipient's service provider.
        "RecipientSPI" => opt recipient_spi: Option<String>,
        /// `TimeStamp`.
        "TimeStamp" => opt time_stamp: Option<DateTime>,
        /// `ReplyChargingID`: set when this message is a reply paid for by a VASP.
        "ReplyChargingID" => opt reply_charging_id: Option<String>,
        /// `Priority`.
        "Priority" => opt priority: Option<Priority>,
        /// `Subject`.
        "Subject" => opt subject: Option<String>,
        ..applic_ids,
        /// `UACapabilities` (REL-6).
        "UACapabilities" => opt ua_capabilities: Option<UaCapabilities>,
        /// `Content`.
        "Content" => opt content: Option<ContentRef>,
        /// `AdditionalInformation` (REL-6-MM7-1-4).
        "AdditionalInformation" => vec additional_information: Vec<AdditionalInformation>,
        /// `MessageExtraData` (REL-6-MM7-1-4).
        "MessageExtraData" => opt message_extra_data: Option<MessageExtraData>,
    }
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
            sender: Some(sender),
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

message_struct! {
    /// `DeliverRsp`: the VASP's answer to a [`DeliverReq`].
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct DeliverRsp {
        /// `Status`.
        "Status" => req status: Status,
        /// `ServiceCode`: the VASP's service code, for charging the originator.
        "ServiceCode" => opt service_code: Option<String>,
    }
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

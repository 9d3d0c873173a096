//! `ReadReplyReq` / `ReadReplyRsp`: an MMSC reports that a recipient read a message.

use super::declare::message_struct;
use crate::address::Address;
use crate::enums::MmStatus;
use crate::time::DateTime;
use crate::version::Mm7Version;

message_struct! {
    /// `ReadReplyReq`: the read status of a submitted message for one recipient.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct ReadReplyReq {
        /// `MMSRelayServerID`.
        "MMSRelayServerID" => opt mms_relay_server_id: Option<String>,
        /// `MessageID`: the submitted message this reports on.
        "MessageID" => id message_id: String,
        /// `Recipient`: the recipient who read (or deleted) it.
        "Recipient" => req recipient: Address,
        /// `Sender`: the original sender.
        "Sender" => req sender: Address,
        /// `TimeStamp`: when it was read.
        "TimeStamp" => req time_stamp: DateTime,
        /// `MMStatus`: `Read`, `Deleted` or `Indeterminate`.
        "MMStatus" => req mm_status: MmStatus,
        /// `StatusText`.
        "StatusText" => opt status_text: Option<String>,
        ..applic_ids,
    }
}

impl ReadReplyReq {
    /// A read reply with its required elements; set the others field by field.
    pub fn new(
        mm7_version: impl Into<Mm7Version>,
        message_id: impl Into<String>,
        recipient: Address,
        sender: Address,
        time_stamp: DateTime,
        mm_status: MmStatus,
    ) -> ReadReplyReq {
        ReadReplyReq {
            mm7_version: mm7_version.into(),
            mms_relay_server_id: None,
            message_id: message_id.into(),
            recipient,
            sender,
            time_stamp,
            mm_status,
            status_text: None,
            applic_id: None,
            reply_applic_id: None,
            aux_applic_info: None,
        }
    }
}

super::generic_response! {
    /// `ReadReplyRsp`: the VASP's answer to a [`ReadReplyReq`].
    ReadReplyRsp
}

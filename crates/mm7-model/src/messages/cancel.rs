//! `CancelReq` / `CancelRsp`: a VASP cancels a message it submitted.

use super::declare::message_struct;
use crate::address::{Recipients, SenderIdentification};

message_struct! {
    /// `CancelReq`: cancel a submitted message that has not been delivered yet.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct CancelReq {
        /// `SenderIdentification` (required by the schema; its children are optional).
        "SenderIdentification" => reqopt sender_identification: Option<SenderIdentification>,
        /// `MessageID`: the message to cancel, as the `SubmitRsp` gave it.
        "MessageID" => id message_id: String,
        /// `Recipients` (REL-6): cancel for these recipients only.
        "Recipients" => dflt recipients: Recipients,
        ..applic_ids,
    }
}

super::generic_response! {
    /// `CancelRsp`: the MMSC's answer to a [`CancelReq`].
    CancelRsp
}

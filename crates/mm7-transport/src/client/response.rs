//! [`Response`]: a successful answer, and the mapping from each request type to its answer.

use mm7_model::{
    CancelReq, CancelRsp, DeliverReq, DeliverRsp, DeliveryReportReq, DeliveryReportRsp,
    ExtendedCancelReq, ExtendedCancelRsp, ExtendedReplaceReq, ExtendedReplaceRsp, Message,
    Mm7Version, ReadReplyReq, ReadReplyRsp, ReplaceReq, ReplaceRsp, Status, StatusCode, SubmitReq,
    SubmitRsp,
};
use mm7_soap::Warning;

use crate::profile::Violation;

/// A successful answer: status 1000 (Success) or 1100 (Partial success: some recipients were
/// refused; [`Response::is_partial`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Response<T> {
    /// The answer's `Status` (the same as the one in `message`).
    pub status: Status,
    /// The typed answer (`SubmitRsp`, …).
    pub message: T,
    /// The TransactionID, the request's.
    pub transaction_id: String,
    /// The HTTP status of the answer.
    pub http_status: http::StatusCode,
    /// What the decoder accepted leniently in the answer.
    pub warnings: Vec<Warning>,
    /// The tries made, this one included.
    pub tries: u32,
    /// The warnings of the client's [`Profile`](crate::profile::Profile) about the request
    /// (e.g. a media type handsets render only partly); errors stop the request before it is
    /// sent.
    pub profile_warnings: Vec<Violation>,
}

impl<T> Response<T> {
    /// Whether the status is 1100 Partial success.
    pub fn is_partial(&self) -> bool {
        self.status.code == StatusCode::PARTIAL_SUCCESS
    }
}

/// A request type of one of the six operations and its answer type.
pub(crate) trait Operation: Into<Message> {
    /// The answer type.
    type Rsp: Into<Message>;
    /// The request's operation.
    const REQ: mm7_model::Operation;
    /// The answer's element name.
    const RSP_NAME: &'static str;
    /// The request's `MM7Version`.
    fn mm7_version_mut(&mut self) -> &mut Mm7Version;
    /// The answer, when `message` is one.
    fn answer(message: Message) -> Result<Self::Rsp, Box<Message>>;
    /// The answer's status.
    fn status(rsp: &Self::Rsp) -> &Status;
    /// The answer's `MM7Version`.
    fn rsp_version(rsp: &Self::Rsp) -> &Mm7Version;
}

macro_rules! operation {
    ($req:ident => $rsp:ident) => {
        impl Operation for $req {
            type Rsp = $rsp;
            const REQ: mm7_model::Operation = mm7_model::Operation::$req;
            const RSP_NAME: &'static str = stringify!($rsp);

            fn mm7_version_mut(&mut self) -> &mut Mm7Version {
                &mut self.mm7_version
            }

            fn answer(message: Message) -> Result<$rsp, Box<Message>> {
                match message {
                    Message::$rsp(rsp) => Ok(rsp),
                    other => Err(Box::new(other)),
                }
            }

            fn status(rsp: &$rsp) -> &Status {
                &rsp.status
            }

            fn rsp_version(rsp: &$rsp) -> &Mm7Version {
                &rsp.mm7_version
            }
        }
    };
}

operation!(SubmitReq => SubmitRsp);
operation!(CancelReq => CancelRsp);
operation!(ReplaceReq => ReplaceRsp);
operation!(DeliverReq => DeliverRsp);
operation!(DeliveryReportReq => DeliveryReportRsp);
operation!(ReadReplyReq => ReadReplyRsp);
operation!(ExtendedCancelReq => ExtendedCancelRsp);
operation!(ExtendedReplaceReq => ExtendedReplaceRsp);

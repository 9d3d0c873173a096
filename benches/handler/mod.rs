//! The MM7 handler of the server benchmarks (`benches/instructions.rs`'s `serve_requests` and
//! `benches/server.rs`'s MM7 servers): it answers success and does nothing else, so that what
//! is measured is the transport and the codec.

use mm7::model::{DeliveryReportReq, DeliveryReportRsp, SubmitReq, SubmitRsp};
use mm7::transport::server::{Handler, HandlerError, Inbound};

/// The MessageID of every SubmitRsp answered.
pub(crate) const MESSAGE_ID: &str = "msg-1";

/// A handler that answers every DeliveryReportReq and SubmitReq with success.
pub(crate) struct Callbacks;

impl Handler for Callbacks {
    async fn delivery_report(
        &self,
        inbound: Inbound<DeliveryReportReq>,
    ) -> Result<DeliveryReportRsp, HandlerError> {
        Ok(DeliveryReportRsp::success(inbound.mm7_version))
    }

    async fn submit(&self, inbound: Inbound<SubmitReq>) -> Result<SubmitRsp, HandlerError> {
        Ok(SubmitRsp::success(inbound.mm7_version, MESSAGE_ID))
    }
}

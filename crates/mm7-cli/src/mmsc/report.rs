//! The mock MMSC's delivery reports: to whom, in which version, and their sending under the
//! callback retry policy.

use std::sync::Arc;

use mm7_model::{Address, DeliveryReportReq, Mm7Version, Namespace, SubmitReq};
use mm7_transport::client::Client;
use mm7_transport::server::Inbound;
use serde_json::json;

use super::handler::State;
use crate::client;

/// The header with which Vibes-style VASPs name their delivery-report URL per request.
const DLR_CALLBACK_HEADER: &str = "x-vibes-dlrcallbackurl";

/// Schedules the delivery reports of a submission to its callback (the request's
/// X-Vibes-DlrCallbackUrl, else `--callback-url`) unless it asked for none; says so when it
/// has no callback.
pub(super) fn schedule(
    state: &Arc<State>,
    inbound: &Inbound<SubmitReq>,
    message_id: &str,
    recipients: Vec<Address>,
) {
    let req = &inbound.request;
    let callback = inbound
        .headers
        .get(DLR_CALLBACK_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| state.settings.callback_url.clone());
    match callback {
        Some(url) if req.delivery_report != Some(false) => {
            let sender = req
                .sender_identification
                .as_ref()
                .and_then(|s| {
                    s.sender_address
                        .clone()
                        .or_else(|| s.vas_id.clone().or(s.vasp_id.clone()).map(Address::short_code))
                })
                .unwrap_or_else(|| Address::short_code("0"));
            // Without a documented callback version, the report answers in the
            // namespace and version the VASP used.
            let (namespace, mm7_version) = match state.settings.profile.callback_version() {
                Some(pair) => (
                    Namespace::canonical(pair.schema),
                    Mm7Version::new(pair.mm7_version),
                ),
                None => (inbound.namespace.clone(), inbound.mm7_version.clone()),
            };
            let report = Report {
                state: Arc::clone(state),
                url,
                namespace,
                mm7_version,
                message_id: message_id.to_owned(),
                sender,
                recipients,
            };
            tokio::spawn(report.send_later());
        }
        Some(_) => {}
        None => state.events.emit(
            &format!(
                "no delivery report for {message_id}: no X-Vibes-DlrCallbackUrl and no --callback-url"
            ),
            json!({"event": "NoCallback", "message_id": message_id}),
        ),
    }
}

/// The delivery reports of one submission.
struct Report {
    state: Arc<State>,
    url: String,
    namespace: Namespace,
    mm7_version: Mm7Version,
    message_id: String,
    sender: Address,
    recipients: Vec<Address>,
}

impl Report {
    /// Waits, then sends the reports unless the message was cancelled meanwhile.
    async fn send_later(self) {
        let state = &self.state;
        tokio::time::sleep(state.settings.dlr_after).await;
        if state.cancelled(&self.message_id) {
            state.events.emit(
                &format!("no delivery report for {}: cancelled", self.message_id),
                json!({"event": "DeliveryReportSkipped", "message_id": self.message_id}),
            );
            return;
        }
        let client = Client::builder(&self.url)
            .namespace(self.namespace.uri())
            .mm7_version(self.mm7_version.clone())
            .callback_policy(state.settings.callback.clone())
            .build();
        let client = match client {
            Ok(client) => client,
            Err(error) => {
                state.events.emit(
                    &format!("cannot send delivery reports to {}: {error}", self.url),
                    json!({"event": "DeliveryReportReq", "message_id": self.message_id,
                           "callback_url": self.url, "delivered": false,
                           "error": error.to_string()}),
                );
                return;
            }
        };
        let status = &state.settings.dlr_status;
        for recipient in &self.recipients {
            let Some(date) = client::now() else {
                state.events.emit(
                    "cannot date a delivery report: the system clock is outside 1970-9999",
                    json!({"event": "DeliveryReportReq", "message_id": self.message_id,
                           "delivered": false, "error": "system clock out of range"}),
                );
                return;
            };
            let req = DeliveryReportReq::new(
                self.mm7_version.clone(),
                self.message_id.clone(),
                recipient.clone(),
                self.sender.clone(),
                date,
                status.clone(),
            );
            let outcome = client.delivery_report(req).await;
            let tries = outcome.tries;
            let (human, error) = match &outcome.outcome {
                Ok(rsp) => (client::status_line(&rsp.status), None),
                Err(e) => (format!("failed: {e}"), Some(e.to_string())),
            };
            state.events.emit(
                &format!(
                    "DeliveryReportReq {} for {}: {status} → {}: {human} ({tries} tr{})",
                    self.message_id,
                    recipient.value,
                    self.url,
                    if tries == 1 { "y" } else { "ies" }
                ),
                json!({
                    "event": "DeliveryReportReq",
                    "message_id": self.message_id,
                    "recipient": recipient.value,
                    "mm_status": status.as_str(),
                    "callback_url": self.url,
                    "delivered": outcome.is_delivered(),
                    "tries": tries,
                    "error": error,
                }),
            );
        }
    }
}

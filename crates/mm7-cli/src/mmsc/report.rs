//! What a submission owes its VASP: a delivery report per recipient (after `--dlr-after`) and,
//! when it asked for one and `--read-reply-after` is set, a read reply per recipient. Each is an
//! outbox row committed with the submission; [`super::outbox`] sends them.

use std::time::SystemTime;

use mm7_model::{Address, Mm7Version, Namespace, SubmitReq};
use mm7_store::NewOutbox;
use mm7_transport::server::Inbound;
use serde_json::json;

use super::handler::State;

/// The header with which Vibes-style VASPs name their delivery-report URL per request.
const DLR_CALLBACK_HEADER: &str = "x-vibes-dlrcallbackurl";

/// Where the callbacks of a submission go: the request's X-Vibes-DlrCallbackUrl, else
/// `--callback-url`.
fn callback(state: &State, inbound: &Inbound<SubmitReq>) -> Option<String> {
    inbound
        .headers
        .get(DLR_CALLBACK_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| state.settings.callback_url.clone())
}

/// The outbox rows of a submission: its delivery reports unless it asked for none, its read
/// replies when it asked for them and the mock sends them.
pub(super) fn rows(
    state: &State,
    inbound: &Inbound<SubmitReq>,
    message_id: &str,
    recipients: &[Address],
) -> Vec<NewOutbox> {
    let Some(url) = callback(state, inbound) else {
        return Vec::new();
    };
    let req = &inbound.request;
    let sender = req
        .sender_identification
        .as_ref()
        .and_then(|s| {
            s.sender_address.clone().or_else(|| {
                s.vas_id
                    .clone()
                    .or(s.vasp_id.clone())
                    .map(Address::short_code)
            })
        })
        .unwrap_or_else(|| Address::short_code("0"));
    // Without a documented callback version, the report answers in the namespace and version
    // the VASP used.
    let (namespace, mm7_version) = match state.settings.profile.callback_version() {
        Some(pair) => (
            Namespace::canonical(pair.schema),
            Mm7Version::new(pair.mm7_version),
        ),
        None => (inbound.namespace.clone(), inbound.mm7_version.clone()),
    };
    let now = SystemTime::now();
    let mut rows = Vec::new();
    let mut add = |kind: &str, after, mm_status: &str| {
        for recipient in recipients {
            let payload = json!({
                "namespace": namespace.uri(),
                "mm7_version": mm7_version.as_str(),
                "message_id": message_id,
                "recipient": recipient,
                "to": recipient.value,
                "sender": sender,
                "mm_status": mm_status,
            });
            rows.push(NewOutbox::new(kind, url.clone(), payload).not_before(now + after));
        }
    };
    let settings = &state.settings;
    if req.delivery_report != Some(false) {
        add(
            "DeliveryReportReq",
            settings.dlr_after,
            settings.dlr_status.as_str(),
        );
    }
    if req.read_reply == Some(true)
        && let Some(after) = settings.read_reply_after
    {
        add("ReadReplyReq", after, "Read");
    }
    rows
}

/// Says so when a submission that wants a delivery report has nowhere to send it.
pub(super) fn say_without_callback(state: &State, inbound: &Inbound<SubmitReq>, message_id: &str) {
    if callback(state, inbound).is_none() && inbound.request.delivery_report != Some(false) {
        state.events.emit(
            &format!(
                "no delivery report for {message_id}: no X-Vibes-DlrCallbackUrl and no --callback-url"
            ),
            json!({"event": "NoCallback", "message_id": message_id}),
        );
    }
}

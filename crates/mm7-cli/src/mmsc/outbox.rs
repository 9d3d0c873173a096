//! The outbox sender: sends the rows the store holds (delivery reports, read replies, MO
//! replies queued from the inbox), one try
//! per claim, and records each outcome in the store. It resumes whatever was pending when the
//! process stopped, since the rows are in the database, not in memory.
//!
//! A failed try is tried again only when its failure may pass (a network error, HTTP 5xx or
//! 429 without a permanent MM7 code, an MM7 3xxx or 4006, an answer not matching the request),
//! after a backoff that doubles from `--callback-interval` with jitter; after the last try, or
//! after a refusal that cannot change (2005 Message ID not found, 401, …), the row is kept as
//! failed: `mm7 store outbox` lists it and `--retry` sends it again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use mm7_model::{Address, DateTime, DeliverReq, DeliveryReportReq, MmStatus, Part, ReadReplyReq};
use mm7_store::{OutboxOutcome, OutboxRow};
use mm7_transport::client::{CallbackPolicy, Client, ClientError, SendOptions};
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use super::handler::State;
use crate::client;
use crate::credentials::mask_url;
use crate::serve::split_credentials;

/// The most callbacks in flight at once, all destinations together.
const MAX_IN_FLIGHT: usize = 64;

/// The most connections (so requests in flight) to one destination.
const PER_DESTINATION: usize = 4;

/// The clients, one per destination and version: each keeps its connections open for the next
/// row to the same place.
type Clients = Mutex<HashMap<(String, String, String), Client>>;

/// Sends due outbox rows until the process ends.
pub(super) async fn run(state: Arc<State>) {
    let store = state.keeper.store.clone();
    let policy = state.settings.callback.clone();
    // A claimed row is hidden from other claims while its try runs; if the process dies, the
    // row is due again once the lease ends.
    let lease = policy.timeout.saturating_mul(2) + Duration::from_secs(5);
    // This process is the store's sender: what a killed one had claimed is due now.
    match store.take_over_claims().await {
        Ok(0) => {}
        Ok(rows) => tracing::info!(rows, "outbox rows claimed by a stopped process taken over"),
        Err(error) => tracing::error!(%error, "cannot take over claimed outbox rows"),
    }
    let in_flight = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    let clients: Arc<Clients> = Arc::default();
    loop {
        let free = in_flight.available_permits();
        if free == 0 {
            if let Ok(permit) = Arc::clone(&in_flight).acquire_owned().await {
                drop(permit);
            }
            continue;
        }
        match store.claim_due(free, lease).await {
            Ok(rows) if !rows.is_empty() => {
                for row in rows {
                    let Ok(permit) = Arc::clone(&in_flight).try_acquire_owned() else {
                        break;
                    };
                    let state = Arc::clone(&state);
                    let clients = Arc::clone(&clients);
                    tokio::spawn(async move {
                        let _permit = permit;
                        send(&state, &clients, row).await;
                    });
                }
            }
            Ok(_) => {
                let wait = match store.next_due().await {
                    Ok(Some(at)) => at
                        .duration_since(SystemTime::now())
                        .unwrap_or(Duration::ZERO)
                        .min(Duration::from_secs(1)),
                    _ => Duration::from_secs(1),
                };
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = store.outbox_changed() => {}
                }
            }
            Err(error) => {
                tracing::error!(%error, "cannot claim outbox rows");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// The request a row's payload describes.
struct Callback {
    namespace: String,
    mm7_version: String,
    /// The submission the callback is about (a report's MessageID, an MO reply's LinkedID).
    message_id: String,
    recipient: Address,
    sender: Address,
    /// A report's or read reply's status; none for an MO reply.
    mm_status: Option<MmStatus>,
}

fn callback(payload: &Value) -> Option<Callback> {
    let text = |key: &str| payload[key].as_str().map(str::to_owned);
    Some(Callback {
        namespace: text("namespace")?,
        mm7_version: text("mm7_version")?,
        message_id: text("message_id")?,
        recipient: serde_json::from_value(payload["recipient"].clone()).ok()?,
        sender: serde_json::from_value(payload["sender"].clone()).ok()?,
        mm_status: payload["mm_status"].as_str().map(MmStatus::parse),
    })
}

/// The `DeliverReq` of an MO reply row: from the subscriber to the VASP, linked to the
/// submission, its text after its attachment (as a caption) under one content reference.
fn mo_request(call: &Callback, payload: &Value, date: DateTime) -> Option<(DeliverReq, Vec<Part>)> {
    use base64::Engine as _;
    let mut req = DeliverReq::new(call.mm7_version.clone(), call.sender.clone());
    req.recipients.to.push(call.recipient.clone());
    req.subject = payload["subject"].as_str().map(str::to_owned);
    req.linked_id = Some(call.message_id.clone());
    req.time_stamp = Some(date);
    let mut parts = Vec::new();
    if let Some(attachment) = payload["attachment"].as_object() {
        let data = base64::engine::general_purpose::STANDARD
            .decode(attachment.get("data")?.as_str()?)
            .ok()?;
        let name = attachment.get("file_name")?.as_str()?;
        let content_type = attachment.get("content_type")?.as_str()?;
        parts.push(
            Part::new(content_type, data)
                .with_content_id(name)
                .with_content_location(name),
        );
    }
    if let Some(text) = payload["text"].as_str() {
        crate::attach::insert_text(&mut parts, text);
    }
    let (root, reference) = crate::attach::content(parts, None).ok()??;
    req.content = Some(reference);
    Some((req, vec![root]))
}

/// The client for a destination, built once.
fn client_for(
    clients: &Clients,
    url: &str,
    call: &Callback,
    policy: &CallbackPolicy,
    password: Option<&str>,
) -> Result<Client, ClientError> {
    let key = (
        url.to_owned(),
        call.namespace.clone(),
        call.mm7_version.clone(),
    );
    let mut clients = clients.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(client) = clients.get(&key) {
        return Ok(client.clone());
    }
    let (bare, credentials) = split_credentials(url);
    let mut builder = Client::builder(&bare)
        .namespace(call.namespace.clone())
        .mm7_version(call.mm7_version.clone())
        .max_connections(PER_DESTINATION)
        // One try per claim: the outbox keeps the count and the schedule.
        .callback_policy(CallbackPolicy::once().with_timeout(policy.timeout));
    if let Some((user, given)) = credentials {
        // `http://user@host/`: the password given apart (file or environment), if any.
        let has_password = url.split_once("://").is_some_and(|(_, rest)| {
            let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
            authority
                .rsplit_once('@')
                .is_some_and(|(userinfo, _)| userinfo.contains(':'))
        });
        let password = match password {
            Some(password) if !has_password => password.to_owned(),
            _ => given,
        };
        builder = builder.basic_auth(user, password);
    }
    let client = builder.build()?;
    // Bounded: a peer naming a new callback URL in every request cannot grow this for ever.
    if clients.len() >= 256 {
        clients.clear();
    }
    clients.insert(key, client.clone());
    Ok(client)
}

/// Whether a failure may pass if the same request is sent later.
pub(super) fn may_pass(error: &ClientError) -> bool {
    error.may_pass_later()
}

/// The wait before try `n + 1` after `n` failed tries: the interval doubled per failure
/// (at most 32 times it), from 75 % to 125 % of that at random, so that callbacks failed
/// together do not come back together.
fn backoff(interval: Duration, failed: u32) -> Duration {
    let full = interval.saturating_mul(1 << failed.saturating_sub(1).min(5));
    // From the OS; without it (never on a supported system) the middle of the range.
    let spread = getrandom::u32().map_or(250, |r| r % 501);
    full.mul_f64(0.75 + spread as f64 / 1000.0)
}

async fn send(state: &State, clients: &Clients, row: OutboxRow) {
    let policy = &state.settings.callback;
    let shown = mask_url(&row.destination);
    let tries = row.tries + 1;
    let Some(call) = callback(&row.payload) else {
        let error = "the outbox row cannot be read".to_owned();
        settle(state, &row, OutboxOutcome::Failed { error }).await;
        return;
    };
    let outcome = match client_for(
        clients,
        &row.destination,
        &call,
        policy,
        state.settings.callback_password.as_deref(),
    ) {
        Ok(client) => {
            let Some(date) = client::now() else {
                let error = "the system clock is outside 1970-9999".to_owned();
                settle(state, &row, OutboxOutcome::Failed { error }).await;
                return;
            };
            // Every try of a row carries the same TransactionID, so that a receiver which took
            // a try whose answer was lost can recognise the next one as a retry.
            let options = SendOptions::new()
                .with_transaction_id(format!("mm7-outbox-{}-{}", row.id, call.message_id));
            let status = call.mm_status.clone();
            if row.kind == "DeliverReq" {
                let Some((req, content)) = mo_request(&call, &row.payload, date) else {
                    let error = "the outbox row cannot be read".to_owned();
                    settle(state, &row, OutboxOutcome::Failed { error }).await;
                    return;
                };
                client
                    .deliver_with(req, content, options)
                    .await
                    .outcome
                    .map(|_| ())
            } else if row.kind == "ReadReplyReq" {
                let req = ReadReplyReq::new(
                    call.mm7_version.clone(),
                    call.message_id.clone(),
                    call.recipient.clone(),
                    call.sender.clone(),
                    date,
                    status.unwrap_or_else(|| MmStatus::parse("Read")),
                );
                client
                    .read_reply_with(req, options)
                    .await
                    .outcome
                    .map(|_| ())
            } else {
                let req = DeliveryReportReq::new(
                    call.mm7_version.clone(),
                    call.message_id.clone(),
                    call.recipient.clone(),
                    call.sender.clone(),
                    date,
                    status.unwrap_or_else(|| MmStatus::parse("Retrieved")),
                );
                client
                    .delivery_report_with(req, options)
                    .await
                    .outcome
                    .map(|_| ())
            }
        }
        Err(error) => Err(error),
    };
    let (settled, error) = match &outcome {
        Ok(()) => (OutboxOutcome::Sent, None),
        Err(e) if may_pass(e) && tries < policy.max_tries => (
            OutboxOutcome::Retry {
                // Never sooner than the peer's Retry-After, when it gave one.
                at: SystemTime::now()
                    + backoff(policy.interval, tries).max(e.retry_after().unwrap_or_default()),
                error: e.to_string(),
            },
            Some(e.to_string()),
        ),
        Err(e) => (
            OutboxOutcome::Failed {
                error: e.to_string(),
            },
            Some(e.to_string()),
        ),
    };
    let (event, delivered, verdict) = match &settled {
        OutboxOutcome::Sent => (row.kind.clone(), Some(true), "1000 Success".to_owned()),
        OutboxOutcome::Retry { at, .. } => {
            let wait = at.duration_since(SystemTime::now()).unwrap_or_default();
            (
                format!("{}Retry", row.kind),
                None,
                format!("failed, tried again in {wait:.1?}"),
            )
        }
        _ => (
            row.kind.clone(),
            Some(false),
            "failed for good (kept in the outbox)".to_owned(),
        ),
    };
    // A report says its status; an MO reply that it answers the submission.
    let what = call
        .mm_status
        .as_ref()
        .map_or_else(|| "reply".to_owned(), ToString::to_string);
    let human = format!(
        "{} {} for {}: {what} → {shown}: {verdict}{} (try {tries} of {})",
        row.kind,
        call.message_id,
        call.recipient.value,
        error
            .as_deref()
            .map(|e| format!(": {e}"))
            .unwrap_or_default(),
        policy.max_tries,
    );
    state.events.emit(
        &human,
        json!({
            "event": event,
            "outbox_id": row.id,
            "message_id": call.message_id,
            "recipient": call.recipient.value,
            "mm_status": call.mm_status.as_ref().map(MmStatus::as_str),
            "callback_url": shown,
            "delivered": delivered,
            "tries": tries,
            "error": error,
        }),
    );
    settle(state, &row, settled).await;
}

async fn settle(state: &State, row: &OutboxRow, outcome: OutboxOutcome) {
    if let Err(error) = state.keeper.store.settle(row.id, outcome).await {
        // The row stays pending and comes back after its lease: sent twice rather than lost.
        tracing::error!(%error, row = row.id, "cannot record an outbox outcome");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mm7_model::{SoapFault, Status, StatusCode};

    fn fault(code: StatusCode) -> ClientError {
        ClientError::Fault {
            fault: Box::new(SoapFault::vasp_error("6.8.0", Status::from_code(code))),
            http_status: http::StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    #[test]
    fn only_what_may_pass_is_tried_again() {
        assert!(may_pass(&ClientError::Connect {
            reason: "refused".into(),
            source: None,
        }));
        assert!(may_pass(&ClientError::Timeout {
            after: Duration::from_secs(1)
        }));
        assert!(may_pass(&fault(StatusCode::SERVER_ERROR)));
        assert!(may_pass(&fault(StatusCode::SERVICE_UNAVAILABLE)));
        assert!(!may_pass(&fault(StatusCode::MESSAGE_ID_NOT_FOUND)));
        assert!(!may_pass(&fault(StatusCode::ADDRESS_ERROR)));
        assert!(!may_pass(&fault(StatusCode::UNSUPPORTED_OPERATION)));
        assert!(!may_pass(&ClientError::Forbidden));
        assert!(!may_pass(&ClientError::Unauthorized {
            challenge: None,
            credentials_sent: true,
        }));
    }

    #[test]
    fn backoff_doubles_with_jitter() {
        let second = Duration::from_secs(1);
        for failed in 1..=8 {
            let wait = backoff(second, failed);
            let full = second * (1 << (failed - 1).min(5));
            assert!(
                wait >= full.mul_f64(0.75) && wait <= full.mul_f64(1.25),
                "{failed}: {wait:?}"
            );
        }
    }
}

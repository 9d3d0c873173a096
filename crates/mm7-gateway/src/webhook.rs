//! The webhook sender: POSTs each queued event (status changes, messages received) to the
//! application, signed, and tries again with backoff until a 2xx, or until its expiry passes
//! (`expired`) or its tries run out (`failed`); such a row stays in the database, listed by
//! `GET /v1/webhooks`, counted in `/metrics`, and tried again on `POST /v1/webhooks/retry`:
//! never silently dropped.
//!
//! The signature: `X-Mm7-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
//! keyed with the webhook secret, so the application can check the sender and refuse replays.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use http_body_util::Full;
use sha2::Sha256;
use tokio::sync::watch;

use crate::config::Webhook;
use crate::dispatch::backoff;
use crate::store::{Storage, WebhookOutcome, WebhookRow, now_ms};

/// The `X-Mm7-Signature` value of `body` at `timestamp` (Unix seconds).
///
/// ```
/// let header = mm7_gateway::signature(b"secret", 1_700_000_000, b"{}");
/// assert!(header.starts_with("t=1700000000,v1="));
/// assert_eq!(header.len(), "t=1700000000,v1=".len() + 64);
/// ```
pub fn signature(secret: &[u8], timestamp: u64, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

type HttpClient = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    Full<bytes::Bytes>,
>;

/// Sends due webhooks until `stop` turns true.
pub(crate) async fn run<S: Storage>(
    storage: S,
    webhook: Webhook,
    metrics: std::sync::Arc<crate::metrics::Metrics>,
    mut stop: watch::Receiver<bool>,
) {
    let client: HttpClient =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build_http();
    // The rows of a claim are POSTed side by side, each within the timeout: the lease covers
    // the whole claim, so a row is taken by another gateway only when this one died.
    let lease = webhook.timeout + Duration::from_secs(10);
    let webhook = std::sync::Arc::new(webhook);
    loop {
        if *stop.borrow() {
            return;
        }
        let rows = match storage.claim_webhooks(16, lease).await {
            Ok(rows) => rows,
            Err(error) => {
                tracing::error!(%error, "cannot claim webhooks");
                Vec::new()
            }
        };
        if rows.is_empty() {
            tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(200)) => {}
                // The gateway gone without a shutdown ends the loop as a stop does.
                changed = stop.changed() => if changed.is_err() { return },
            }
            continue;
        }
        let mut tries = tokio::task::JoinSet::new();
        for row in rows {
            let (client, webhook) = (client.clone(), std::sync::Arc::clone(&webhook));
            let (storage, metrics) = (storage.clone(), std::sync::Arc::clone(&metrics));
            tries.spawn(async move {
                let result = post(&client, &webhook, &row).await;
                let outcome = outcome(result, &row, &webhook, now_ms());
                if let WebhookOutcome::Failed { error } | WebhookOutcome::Expired { error } =
                    &outcome
                {
                    tracing::warn!(row = row.id, %error, "webhook no longer tried (kept)");
                }
                metrics.record_webhook(&outcome);
                if let Err(e) = storage.settle_webhook(row.id, outcome).await {
                    tracing::error!(error = %e, row = row.id, "cannot record a webhook try");
                }
            });
        }
        while tries.join_next().await.is_some() {}
    }
}

/// What a try's `result` makes of `row` at `now`: delivered, tried again after a backoff,
/// or kept as `expired` (its expiry passed) or `failed` (its tries ran out).
fn outcome(
    result: Result<(), String>,
    row: &WebhookRow,
    webhook: &Webhook,
    now: i64,
) -> WebhookOutcome {
    let Err(error) = result else {
        return WebhookOutcome::Delivered;
    };
    let tries = row.tries + 1;
    let expiry = i64::try_from(webhook.expiry.as_millis()).unwrap_or(i64::MAX);
    let expires_at = row.since.saturating_add(expiry);
    if now >= expires_at {
        return WebhookOutcome::Expired { error };
    }
    if tries >= webhook.max_tries {
        return WebhookOutcome::Failed { error };
    }
    let wait = backoff(Duration::from_secs(1), Duration::from_secs(300), tries);
    let at = now.saturating_add(i64::try_from(wait.as_millis()).unwrap_or(i64::MAX));
    // The last try is at the expiry, not a backoff past it.
    WebhookOutcome::Retry {
        at: at.min(expires_at),
        error,
    }
}

async fn post(client: &HttpClient, webhook: &Webhook, row: &WebhookRow) -> Result<(), String> {
    let timestamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let body = bytes::Bytes::from(row.body.clone());
    let url = row.url.as_deref().unwrap_or(&webhook.url);
    let request = http::Request::post(url)
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(
            "x-mm7-signature",
            signature(&webhook.secret, timestamp, &body),
        )
        .body(Full::new(body))
        .map_err(|e| format!("the webhook URL: {e}"))?;
    let response = tokio::time::timeout(webhook.timeout, client.request(request))
        .await
        .map_err(|_| format!("no answer within {:?}", webhook.timeout))?
        .map_err(|e| format!("cannot reach the webhook: {e}"))?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("the webhook answered HTTP {}", response.status()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(tries: u32, since: i64) -> WebhookRow {
        WebhookRow {
            id: 1,
            body: "{}".into(),
            url: None,
            tries,
            since,
        }
    }

    #[test]
    fn tried_until_delivered_expired_or_out_of_tries() {
        let mut webhook = Webhook::new("http://127.0.0.1:9/", b"k".to_vec());
        webhook.expiry = Duration::from_secs(60);
        let down = || Err("HTTP 503".to_owned());
        assert_eq!(
            outcome(Ok(()), &row(3, 0), &webhook, 1_000_000),
            WebhookOutcome::Delivered
        );
        // Within the expiry: again after a backoff, never later than the expiry.
        let WebhookOutcome::Retry { at, error } = outcome(down(), &row(0, 0), &webhook, 1_000)
        else {
            panic!("not retried");
        };
        assert!((1_500..=61_000).contains(&at), "{at}");
        assert_eq!(error, "HTTP 503");
        let WebhookOutcome::Retry { at, .. } = outcome(down(), &row(9, 0), &webhook, 50_000) else {
            panic!("not retried");
        };
        assert_eq!(at, 60_000);
        // Past it: kept as expired, counted from when it was (re)queued.
        assert_eq!(
            outcome(down(), &row(2, 0), &webhook, 60_000),
            WebhookOutcome::Expired {
                error: "HTTP 503".into()
            }
        );
        assert!(matches!(
            outcome(down(), &row(2, 30_000), &webhook, 60_000),
            WebhookOutcome::Retry { .. }
        ));
        webhook.max_tries = 3;
        assert!(matches!(
            outcome(down(), &row(2, 0), &webhook, 1_000),
            WebhookOutcome::Failed { .. }
        ));
    }
}

//! The gateway's own MM7 endpoint: the MMSC's DeliverReq (a message from a subscriber),
//! DeliveryReportReq and ReadReplyReq. Each is committed, with the status change it brings and
//! the webhook it causes, before the 1000 goes out; a failure to commit answers 3000, so the
//! MMSC tries again.

use base64::Engine as _;
use mm7_model::{
    DeliverReq, DeliverRsp, DeliveryReportReq, DeliveryReportRsp, MmStatus, Part, ReadReplyReq,
    ReadReplyRsp, Status,
};
use mm7_transport::server::{Handler, HandlerError, HandlerResult, Inbound};
use serde_json::{Value, json};

use crate::config::MoParts;
use crate::store::{MoPart, Received, Storage};

/// The MM7 handler over a storage.
#[derive(Debug, Clone)]
pub(crate) struct Mm7Inbound<S> {
    pub(crate) storage: S,
    pub(crate) webhooks: bool,
    /// The `mo_route` rules (of the whole configuration).
    pub(crate) mo_routes: std::sync::Arc<crate::config::GatewayConfig>,
    pub(crate) metrics: std::sync::Arc<crate::metrics::Metrics>,
    /// Where the API answers, as the application reaches it (the part URLs start with it).
    pub(crate) public_url: String,
}

/// The status a delivery report's MMStatus gives a message.
pub(crate) fn report_status(status: &MmStatus) -> String {
    match status.as_str() {
        "Retrieved" => "delivered".to_owned(),
        other => other.to_ascii_lowercase(),
    }
}

fn raw<T>(inbound: &Inbound<T>) -> Vec<u8> {
    [inbound.raw_head.as_bytes(), &inbound.raw_body[..]].concat()
}

fn address_json(address: &mm7_model::Address) -> Value {
    json!(address.value)
}

fn leaf_bytes(part: &Part) -> &[u8] {
    match &part.body {
        mm7_model::PartBody::Data(bytes) => &bytes[..],
        _ => &[][..],
    }
}

/// A random, unguessable id for a message from a subscriber (its part URLs carry it).
fn new_mo_id() -> Option<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).ok()?;
    Some(format!("mo_{}", hex::encode(bytes)))
}

/// The webhook's view of each leaf part (base64 `data`, or a `url` the API serves), and the
/// parts to keep for those URLs.
pub(crate) fn parts_json(
    leaves: &[&Part],
    mode: MoParts,
    mo: &str,
    public_url: &str,
) -> (Vec<Value>, Vec<MoPart>) {
    let mut kept = Vec::new();
    let views = leaves
        .iter()
        .zip(1u32..)
        .map(|(part, n)| {
            let bytes = leaf_bytes(part);
            let inline = match mode {
                MoParts::Url => false,
                MoParts::InlineUpTo(max) => bytes.len() <= max,
                _ => true,
            };
            let mut view = json!({
                "content_type": part.content_type,
                "content_id": part.content_id,
                "size": bytes.len(),
            });
            if inline {
                view["data"] = json!(base64::engine::general_purpose::STANDARD.encode(bytes));
            } else {
                view["url"] = json!(format!("{public_url}/v1/mo/{mo}/parts/{n}"));
                kept.push(MoPart::new(
                    mo,
                    n,
                    part.content_type.clone(),
                    bytes.to_vec(),
                ));
            }
            view
        })
        .collect();
    (views, kept)
}

impl<S: Storage> Mm7Inbound<S> {
    async fn keep(&self, received: Received) -> HandlerResult<()> {
        self.metrics.record_received(&received.operation);
        self.storage
            .receive(received, self.webhooks)
            .await
            .map_err(|error| {
                // The detail goes to the log, a generic 3000 to the peer (which tries again).
                tracing::error!(%error, "cannot keep a request from the MMSC");
                HandlerError::server_error("the request could not be stored; try again")
            })
    }
}

impl<S: Storage> Handler for Mm7Inbound<S> {
    async fn deliver(&self, inbound: Inbound<DeliverReq>) -> HandlerResult<DeliverRsp> {
        let req = &inbound.request;
        let Some(mo) = new_mo_id() else {
            return Err(HandlerError::server_error("no randomness; try again"));
        };
        let leaves: Vec<&Part> = inbound.attachments.iter().flat_map(Part::leaves).collect();
        let (parts, kept) = parts_json(&leaves, self.mo_routes.mo.parts, &mo, &self.public_url);
        let text: Vec<String> = inbound
            .attachments
            .iter()
            .flat_map(Part::leaves)
            .filter(|p| {
                p.content_type
                    .to_ascii_lowercase()
                    .starts_with("text/plain")
            })
            .filter_map(|p| match &p.body {
                mm7_model::PartBody::Data(bytes) => {
                    Some(String::from_utf8_lossy(bytes).into_owned())
                }
                _ => None,
            })
            .collect();
        let recipients: Vec<&str> = req
            .recipients
            .to
            .iter()
            .chain(&req.recipients.cc)
            .chain(&req.recipients.bcc)
            .map(|a| a.value.as_str())
            .collect();
        let joined = text.join("\n");
        let webhook_url = self
            .mo_routes
            .mo_webhook(
                &recipients,
                req.subject.as_deref().map_or(&joined, |subject| {
                    if joined.trim().is_empty() {
                        subject
                    } else {
                        &joined
                    }
                }),
            )
            .map(str::to_owned);
        let webhook = json!({
            "type": "message.received",
            "id": mo,
            "transaction_id": inbound.transaction_id,
            "from": req.sender.as_ref().map(address_json),
            "to": req.recipients.to.iter().map(address_json).collect::<Vec<_>>(),
            "subject": req.subject,
            "linked_id": req.linked_id,
            "text": text.join("\n"),
            "attachments": parts,
        });
        self.keep(Received {
            operation: "DeliverReq".into(),
            transaction_id: inbound.transaction_id.clone(),
            raw: raw(&inbound),
            view: webhook.clone(),
            status: None,
            webhook: Some(webhook),
            webhook_url,
            parts: kept,
        })
        .await?;
        Ok(DeliverRsp::new(
            inbound.mm7_version.clone(),
            Status::success(),
        ))
    }

    async fn delivery_report(
        &self,
        inbound: Inbound<DeliveryReportReq>,
    ) -> HandlerResult<DeliveryReportRsp> {
        let req = &inbound.request;
        let status = report_status(&req.mm_status);
        let detail = format!(
            "{} for {}{}",
            req.mm_status,
            req.recipient.value,
            req.status_text
                .as_deref()
                .map(|t| format!(": {t}"))
                .unwrap_or_default()
        );
        self.keep(Received {
            operation: "DeliveryReportReq".into(),
            transaction_id: inbound.transaction_id.clone(),
            raw: raw(&inbound),
            view: json!({"message_id": req.message_id, "mm_status": req.mm_status.as_str(),
                         "recipient": req.recipient.value}),
            status: Some((req.message_id.clone(), status, Some(detail))),
            webhook: None,
            webhook_url: None,
            parts: Vec::new(),
        })
        .await?;
        Ok(DeliveryReportRsp::success(inbound.mm7_version.clone()))
    }

    async fn read_reply(&self, inbound: Inbound<ReadReplyReq>) -> HandlerResult<ReadReplyRsp> {
        let req = &inbound.request;
        let status = match req.mm_status.as_str() {
            "Read" => "read".to_owned(),
            other => format!("read-reply-{}", other.to_ascii_lowercase()),
        };
        self.keep(Received {
            operation: "ReadReplyReq".into(),
            transaction_id: inbound.transaction_id.clone(),
            raw: raw(&inbound),
            view: json!({"message_id": req.message_id, "mm_status": req.mm_status.as_str(),
                         "recipient": req.recipient.value}),
            status: Some((
                req.message_id.clone(),
                status,
                Some(format!("{} by {}", req.mm_status, req.recipient.value)),
            )),
            webhook: None,
            webhook_url: None,
            parts: Vec::new(),
        })
        .await?;
        Ok(ReadReplyRsp::success(inbound.mm7_version.clone()))
    }
}

/// Unmatched reports deleted in one statement at most: a backlog is cleared in short
/// transactions.
const EXPIRE_BATCH: usize = 1000;

/// The time (Unix milliseconds) before which what was kept `retention` is past it.
fn cutoff(retention: std::time::Duration) -> i64 {
    let age = i64::try_from(retention.as_millis()).unwrap_or(i64::MAX);
    crate::store::now_ms().saturating_sub(age)
}

/// Deletes the unmatched reports (see [`EarlyReport`](crate::EarlyReport)) received more than
/// `retention` ago, a batch at a time, counting them in `metrics` and logging how many (never
/// what they said): how many it deleted.
pub(crate) async fn expire_unmatched<S: Storage>(
    storage: &S,
    retention: std::time::Duration,
    metrics: &crate::metrics::Metrics,
) -> Result<u64, crate::GatewayError> {
    expire_in_batches(storage, retention, metrics, EXPIRE_BATCH).await
}

/// [`expire_unmatched`], `batch` reports per statement.
async fn expire_in_batches<S: Storage>(
    storage: &S,
    retention: std::time::Duration,
    metrics: &crate::metrics::Metrics,
    batch: usize,
) -> Result<u64, crate::GatewayError> {
    let before = cutoff(retention);
    let mut deleted = 0;
    loop {
        let n = storage.expire_early_reports(before, batch).await?;
        metrics.record_unmatched_expired(n);
        deleted += n;
        if n < batch as u64 {
            break;
        }
    }
    if deleted > 0 {
        tracing::warn!(
            deleted,
            retention_secs = retention.as_secs(),
            "unmatched delivery reports and read replies deleted past their retention"
        );
    }
    Ok(deleted)
}

/// Deletes what the gateway is done with (see [`Storage::expire_finished`]) received or queued
/// more than `retention` ago, a batch at a time, counting it in `metrics` and logging how
/// much (never what it was): how many rows of each kind it deleted.
pub(crate) async fn expire_finished<S: Storage>(
    storage: &S,
    retention: std::time::Duration,
    metrics: &crate::metrics::Metrics,
) -> Result<crate::store::Expired, crate::GatewayError> {
    expire_finished_in_batches(storage, retention, metrics, EXPIRE_BATCH).await
}

/// [`expire_finished`], at most `batch` rows of each kind per transaction.
async fn expire_finished_in_batches<S: Storage>(
    storage: &S,
    retention: std::time::Duration,
    metrics: &crate::metrics::Metrics,
    batch: usize,
) -> Result<crate::store::Expired, crate::GatewayError> {
    let before = cutoff(retention);
    let mut deleted = crate::store::Expired::default();
    loop {
        let n = storage.expire_finished(before, batch).await?;
        metrics.record_expired(&n);
        deleted += n;
        let full = |count: u64| count >= batch as u64;
        if !(full(n.messages) || full(n.received) || full(n.mo_parts) || full(n.webhooks)) {
            break;
        }
    }
    if deleted.total() > 0 {
        tracing::info!(
            messages = deleted.messages,
            received = deleted.received,
            mo_parts = deleted.mo_parts,
            webhooks = deleted.webhooks,
            retention_secs = retention.as_secs(),
            "submissions, requests received, parts of messages from subscribers and delivered \
             webhooks deleted past their retention"
        );
    }
    Ok(deleted)
}

/// Runs [`expire_unmatched`] (with `unmatched_retention`) and [`expire_finished`] (with
/// `retention`) when the gateway starts, then every 24th of the shorter retention (at least a
/// second apart, at most an hour), until `stop` turns true or its sender is gone (the gateway
/// dropped without a shutdown: no sweep is left running against the database).
pub(crate) async fn sweep<S: Storage>(
    storage: S,
    unmatched_retention: std::time::Duration,
    retention: std::time::Duration,
    metrics: std::sync::Arc<crate::metrics::Metrics>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let every = (unmatched_retention.min(retention) / 24).clamp(
        std::time::Duration::from_secs(1),
        std::time::Duration::from_secs(3600),
    );
    loop {
        if *stop.borrow() {
            return;
        }
        if let Err(error) = expire_unmatched(&storage, unmatched_retention, &metrics).await {
            tracing::error!(%error, "cannot delete the unmatched reports past their retention");
        }
        if let Err(error) = expire_finished(&storage, retention, &metrics).await {
            tracing::error!(%error, "cannot delete what is past its retention");
        }
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            changed = stop.changed() => {
                if changed.is_err() {
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_inline_as_urls_or_by_size() {
        let small = Part::new("text/plain", b"hi".to_vec());
        let large = Part::new("image/png", vec![7u8; 100]);
        let leaves = [&small, &large];
        let base = "https://gw.example";
        let (views, kept) = parts_json(&leaves, MoParts::Inline, "mo_1", base);
        assert!(kept.is_empty());
        assert_eq!(views[1]["data"].as_str().unwrap().len(), 136);
        let (views, kept) = parts_json(&leaves, MoParts::InlineUpTo(10), "mo_1", base);
        assert_eq!(views[0]["data"], "aGk=");
        assert_eq!(views[1]["url"], "https://gw.example/v1/mo/mo_1/parts/2");
        assert_eq!(views[1]["size"], 100);
        assert!(views[1].get("data").is_none());
        assert_eq!(kept, [MoPart::new("mo_1", 2, "image/png", vec![7u8; 100])]);
        let (views, kept) = parts_json(&leaves, MoParts::Url, "mo_1", base);
        assert_eq!(views[0]["url"], "https://gw.example/v1/mo/mo_1/parts/1");
        assert_eq!(kept.len(), 2);
        let a = new_mo_id().unwrap();
        assert!(a.len() == 35 && a != new_mo_id().unwrap(), "{a}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn unmatched_reports_past_their_retention_are_deleted_and_counted() {
        let dir =
            std::env::temp_dir().join(format!("mm7-gateway-retention-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let storage = crate::SqliteStorage::open(&dir).unwrap();
        let metrics = crate::metrics::Metrics::default();
        for n in 0..5 {
            let report = crate::store::tests::report(&format!("OLD{n}"), "delivered", "+1555");
            storage.receive(report, true).await.unwrap();
        }
        let day = std::time::Duration::from_secs(86_400);
        // Within the retention: nothing deleted.
        assert_eq!(
            expire_in_batches(&storage, day, &metrics, 2).await.unwrap(),
            0
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let report = crate::store::tests::report("NEW", "delivered", "+1555");
        storage.receive(report, true).await.unwrap();
        // Past it (10 ms): the five older ones, two per statement, and the newest one stays.
        let retention = std::time::Duration::from_millis(10);
        assert_eq!(
            expire_in_batches(&storage, retention, &metrics, 2)
                .await
                .unwrap(),
            5
        );
        let left = storage.list_early_reports(10).await.unwrap();
        assert_eq!(left.len(), 1, "{left:?}");
        assert_eq!(left[0].message_id, "NEW");
        let depth = storage.queue_depth().await.unwrap();
        let text = metrics.render(&depth, &[]);
        assert!(
            text.contains("\nmm7_gateway_unmatched_reports_expired_total 5\n")
                && text.contains("\nmm7_gateway_unmatched_reports 1\n"),
            "{text}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn finished_work_past_its_retention_is_deleted_and_counted() {
        let dir = std::env::temp_dir().join(format!("mm7-gateway-done-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let storage = crate::SqliteStorage::open(&dir).unwrap();
        let metrics = crate::metrics::Metrics::default();
        let mo = |n: u32| {
            let id = format!("mo_old_{n}");
            let mut received = crate::store::tests::report(&id, "delivered", "+1555");
            received.operation = "DeliverReq".into();
            received.status = None;
            received.parts = vec![MoPart::new(&id, 1, "text/plain", b"hi".to_vec())];
            received
        };
        for n in 0..3 {
            storage.receive(mo(n), true).await.unwrap();
        }
        let day = std::time::Duration::from_secs(86_400);
        // Within the retention: nothing deleted.
        let none = expire_finished_in_batches(&storage, day, &metrics, 2)
            .await
            .unwrap();
        assert_eq!(none.total(), 0);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        storage.receive(mo(3), true).await.unwrap();
        // Past it (10 ms): the three older ones, two per transaction; the newest stays.
        let retention = std::time::Duration::from_millis(10);
        let gone = expire_finished_in_batches(&storage, retention, &metrics, 2)
            .await
            .unwrap();
        assert_eq!(
            (gone.messages, gone.received, gone.mo_parts, gone.webhooks),
            (0, 3, 3, 0)
        );
        let left = storage.list_received(None, None, 10).await.unwrap();
        assert_eq!(left.len(), 1, "{left:?}");
        assert!(storage.mo_part("mo_old_3", 1).await.unwrap().is_some());
        assert!(storage.mo_part("mo_old_0", 1).await.unwrap().is_none());
        let text = metrics.render(&storage.queue_depth().await.unwrap(), &[]);
        for line in [
            "mm7_gateway_expired_total{kind=\"messages\"} 0",
            "mm7_gateway_expired_total{kind=\"received\"} 3",
            "mm7_gateway_expired_total{kind=\"mo_parts\"} 3",
            "mm7_gateway_expired_total{kind=\"webhooks\"} 0",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The sweep deletes at the gateway's start and again each period, and ends on the stop
    /// signal or when the gateway (the signal's sender) is gone.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_sweep_runs_at_start_and_each_period_until_stopped() {
        use std::time::Duration;
        let dir = std::env::temp_dir().join(format!("mm7-gateway-sweep-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let storage = crate::SqliteStorage::open(&dir).unwrap();
        let metrics = std::sync::Arc::new(crate::metrics::Metrics::default());
        let expired = |n: u64| {
            let storage = storage.clone();
            let metrics = std::sync::Arc::clone(&metrics);
            async move {
                let depth = storage.queue_depth().await.unwrap();
                let text = metrics.render(&depth, &[]);
                // Each report's request goes in the same sweep, once its report is gone.
                text.contains(&format!(
                    "\nmm7_gateway_unmatched_reports_expired_total {n}\n"
                )) && text.contains("\nmm7_gateway_unmatched_reports 0\n")
                    && text.contains(&format!(
                        "\nmm7_gateway_expired_total{{kind=\"received\"}} {n}\n"
                    ))
            }
        };
        let wait_for = |n: u64| {
            let expired = &expired;
            async move {
                let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
                while !expired(n).await {
                    assert!(tokio::time::Instant::now() < deadline, "never {n} expired");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        };
        let retention = Duration::from_millis(20);
        let old = crate::store::tests::report("OLD", "delivered", "+1555");
        storage.receive(old, true).await.unwrap();
        tokio::time::sleep(Duration::from_millis(40)).await;
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let sweep = tokio::spawn(super::sweep(
            storage.clone(),
            retention,
            retention,
            std::sync::Arc::clone(&metrics),
            stopped,
        ));
        // At start: the report older than the retention.
        wait_for(1).await;
        // A period (a second at least) later: one that came after the first sweep.
        let new = crate::store::tests::report("NEW", "delivered", "+1555");
        storage.receive(new, true).await.unwrap();
        wait_for(2).await;
        stop.send(true).unwrap();
        tokio::time::timeout(Duration::from_secs(2), sweep)
            .await
            .expect("the sweep ends when told to stop")
            .unwrap();
        // Its sender dropped without a stop: it ends as well instead of sweeping on.
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let sweep = tokio::spawn(super::sweep(
            storage.clone(),
            Duration::from_secs(86_400),
            Duration::from_secs(86_400),
            std::sync::Arc::clone(&metrics),
            stopped,
        ));
        tokio::time::sleep(Duration::from_millis(50)).await;
        drop(stop);
        tokio::time::timeout(Duration::from_secs(2), sweep)
            .await
            .expect("the sweep ends when the gateway is gone")
            .unwrap();
        assert!(expired(2).await);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

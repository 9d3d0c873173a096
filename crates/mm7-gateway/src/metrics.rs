//! Prometheus metrics of the gateway (`GET /metrics`, text format 0.0.4): the queue's depth
//! (read from the storage when scraped), tries by outcome, try latency, webhooks by outcome,
//! requests received from the MMSC.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the try-latency histogram, in seconds.
const BUCKETS: [f64; 9] = [0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The counters, shared by the dispatcher, the webhook sender and the MM7 endpoint.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    sent: AtomicU64,
    retried: AtomicU64,
    failed: AtomicU64,
    expired: AtomicU64,
    latency_buckets: [AtomicU64; BUCKETS.len()],
    latency_count: AtomicU64,
    latency_micros: AtomicU64,
    webhooks_delivered: AtomicU64,
    webhooks_retried: AtomicU64,
    webhooks_failed: AtomicU64,
    webhooks_expired: AtomicU64,
    received_deliver: AtomicU64,
    received_report: AtomicU64,
    received_read_reply: AtomicU64,
    unmatched_reports_expired: AtomicU64,
    expired_messages: AtomicU64,
    expired_received: AtomicU64,
    expired_mo_parts: AtomicU64,
    expired_webhooks: AtomicU64,
}

/// How a try ended, for the counters.
#[derive(Debug, Clone, Copy)]
pub(crate) enum TryOutcome {
    Sent,
    Retried,
    Failed,
    Expired,
}

impl Metrics {
    pub(crate) fn record_try(&self, outcome: TryOutcome, took: Option<Duration>) {
        let counter = match outcome {
            TryOutcome::Sent => &self.sent,
            TryOutcome::Retried => &self.retried,
            TryOutcome::Failed => &self.failed,
            TryOutcome::Expired => &self.expired,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        if let Some(took) = took {
            let seconds = took.as_secs_f64();
            for (bound, bucket) in BUCKETS.iter().zip(&self.latency_buckets) {
                if seconds <= *bound {
                    bucket.fetch_add(1, Ordering::Relaxed);
                }
            }
            self.latency_count.fetch_add(1, Ordering::Relaxed);
            let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
            self.latency_micros.fetch_add(micros, Ordering::Relaxed);
        }
    }

    pub(crate) fn record_webhook(&self, outcome: &crate::store::WebhookOutcome) {
        use crate::store::WebhookOutcome;
        let counter = match outcome {
            WebhookOutcome::Delivered => &self.webhooks_delivered,
            WebhookOutcome::Retry { .. } => &self.webhooks_retried,
            WebhookOutcome::Expired { .. } => &self.webhooks_expired,
            _ => &self.webhooks_failed,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn record_received(&self, operation: &str) {
        let counter = match operation {
            "DeliverReq" => &self.received_deliver,
            "DeliveryReportReq" => &self.received_report,
            _ => &self.received_read_reply,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts unmatched reports deleted past their retention.
    pub(crate) fn record_unmatched_expired(&self, n: u64) {
        self.unmatched_reports_expired
            .fetch_add(n, Ordering::Relaxed);
    }

    /// Counts what was deleted past the retention.
    pub(crate) fn record_expired(&self, expired: &crate::store::Expired) {
        for (counter, n) in [
            (&self.expired_messages, expired.messages),
            (&self.expired_received, expired.received),
            (&self.expired_mo_parts, expired.mo_parts),
            (&self.expired_webhooks, expired.webhooks),
        ] {
            counter.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// The text exposition, with the queue's depth as read from the storage, for each of
    /// `accounts` (zero when it has nothing queued) and any other account the queue holds.
    pub(crate) fn render(&self, depth: &QueueDepth, accounts: &[String]) -> String {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP mm7_gateway_queue_messages Messages not yet sent, by account and status."
        );
        let _ = writeln!(out, "# TYPE mm7_gateway_queue_messages gauge");
        let mut names: Vec<&str> = accounts.iter().map(String::as_str).collect();
        for name in depth.accounts.keys() {
            if !names.contains(&name.as_str()) {
                names.push(name);
            }
        }
        for name in names {
            let counts = depth.accounts.get(name).copied().unwrap_or_default();
            for (status, n) in [
                ("queued", counts.queued),
                ("retrying", counts.retrying),
                ("sending", counts.sending),
            ] {
                let _ = writeln!(
                    out,
                    "mm7_gateway_queue_messages{{account=\"{}\",status=\"{status}\"}} {n}",
                    label(name)
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP mm7_gateway_webhook_backlog Webhooks not yet delivered."
        );
        let _ = writeln!(out, "# TYPE mm7_gateway_webhook_backlog gauge");
        let _ = writeln!(out, "mm7_gateway_webhook_backlog {}", depth.webhooks);
        let _ = writeln!(
            out,
            "# HELP mm7_gateway_webhooks_kept Webhooks no longer tried, kept until tried again \
             (POST /v1/webhooks/retry), by state."
        );
        let _ = writeln!(out, "# TYPE mm7_gateway_webhooks_kept gauge");
        for (state, n) in [
            ("failed", depth.webhooks_failed),
            ("expired", depth.webhooks_expired),
        ] {
            let _ = writeln!(out, "mm7_gateway_webhooks_kept{{state=\"{state}\"}} {n}");
        }
        let _ = writeln!(
            out,
            "# HELP mm7_gateway_unmatched_reports Delivery reports and read replies kept for a \
             MessageID no message has (yet)."
        );
        let _ = writeln!(out, "# TYPE mm7_gateway_unmatched_reports gauge");
        let _ = writeln!(
            out,
            "mm7_gateway_unmatched_reports {}",
            depth.unmatched_reports
        );
        let _ = writeln!(
            out,
            "# HELP mm7_gateway_unmatched_reports_expired_total Unmatched delivery reports and \
             read replies deleted past their retention (unmatched_report_retention)."
        );
        let _ = writeln!(
            out,
            "# TYPE mm7_gateway_unmatched_reports_expired_total counter"
        );
        let _ = writeln!(
            out,
            "mm7_gateway_unmatched_reports_expired_total {}",
            get(&self.unmatched_reports_expired)
        );
        let _ = writeln!(
            out,
            "# HELP mm7_gateway_expired_total Rows the gateway was done with, deleted past \
             their retention (retention), by kind."
        );
        let _ = writeln!(out, "# TYPE mm7_gateway_expired_total counter");
        for (kind, c) in [
            ("messages", &self.expired_messages),
            ("received", &self.expired_received),
            ("mo_parts", &self.expired_mo_parts),
            ("webhooks", &self.expired_webhooks),
        ] {
            let _ = writeln!(
                out,
                "mm7_gateway_expired_total{{kind=\"{kind}\"}} {}",
                get(c)
            );
        }
        let _ = writeln!(
            out,
            "# HELP mm7_gateway_tries_total Tries to the MMSC, by outcome."
        );
        let _ = writeln!(out, "# TYPE mm7_gateway_tries_total counter");
        for (outcome, c) in [
            ("sent", &self.sent),
            ("retried", &self.retried),
            ("failed", &self.failed),
            ("expired", &self.expired),
        ] {
            let _ = writeln!(
                out,
                "mm7_gateway_tries_total{{outcome=\"{outcome}\"}} {}",
                get(c)
            );
        }
        let _ = writeln!(
            out,
            "# HELP mm7_gateway_try_seconds How long a try to the MMSC took."
        );
        let _ = writeln!(out, "# TYPE mm7_gateway_try_seconds histogram");
        for (bound, bucket) in BUCKETS.iter().zip(&self.latency_buckets) {
            let _ = writeln!(
                out,
                "mm7_gateway_try_seconds_bucket{{le=\"{bound}\"}} {}",
                get(bucket)
            );
        }
        let count = get(&self.latency_count);
        let _ = writeln!(out, "mm7_gateway_try_seconds_bucket{{le=\"+Inf\"}} {count}");
        let sum = get(&self.latency_micros) as f64 / 1e6;
        let _ = writeln!(out, "mm7_gateway_try_seconds_sum {sum}");
        let _ = writeln!(out, "mm7_gateway_try_seconds_count {count}");
        let _ = writeln!(
            out,
            "# HELP mm7_gateway_webhooks_total Webhook tries, by outcome."
        );
        let _ = writeln!(out, "# TYPE mm7_gateway_webhooks_total counter");
        for (outcome, c) in [
            ("delivered", &self.webhooks_delivered),
            ("retried", &self.webhooks_retried),
            ("failed", &self.webhooks_failed),
            ("expired", &self.webhooks_expired),
        ] {
            let _ = writeln!(
                out,
                "mm7_gateway_webhooks_total{{outcome=\"{outcome}\"}} {}",
                get(c)
            );
        }
        let _ = writeln!(
            out,
            "# HELP mm7_gateway_received_total Requests from the MMSC, by operation."
        );
        let _ = writeln!(out, "# TYPE mm7_gateway_received_total counter");
        for (operation, c) in [
            ("DeliverReq", &self.received_deliver),
            ("DeliveryReportReq", &self.received_report),
            ("ReadReplyReq", &self.received_read_reply),
        ] {
            let _ = writeln!(
                out,
                "mm7_gateway_received_total{{operation=\"{operation}\"}} {}",
                get(c)
            );
        }
        out
    }
}

/// A Prometheus label value, escaped.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// What the queue holds for one account.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccountDepth {
    /// Messages waiting for their first try.
    pub queued: u64,
    /// Messages waiting for another try.
    pub retrying: u64,
    /// Messages claimed, their try under way.
    pub sending: u64,
}

/// What the queue holds now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct QueueDepth {
    /// Messages waiting for their first try.
    pub queued: u64,
    /// Messages waiting for another try.
    pub retrying: u64,
    /// Messages claimed, their try under way.
    pub sending: u64,
    /// Webhooks not yet delivered.
    pub webhooks: u64,
    /// Webhooks whose tries ran out, kept (`failed`).
    pub webhooks_failed: u64,
    /// Webhooks whose expiry passed, kept (`expired`).
    pub webhooks_expired: u64,
    /// Delivery reports and read replies kept for a MessageID no message has (yet).
    pub unmatched_reports: u64,
    /// The same by account.
    pub accounts: std::collections::BTreeMap<String, AccountDepth>,
}

impl QueueDepth {
    /// Nothing queued yet, `webhooks` not delivered.
    pub(crate) fn new(webhooks: u64) -> QueueDepth {
        QueueDepth {
            webhooks,
            ..QueueDepth::default()
        }
    }

    /// Counts `n` webhooks kept in `state` (`failed` or `expired`).
    pub(crate) fn add_kept_webhooks(&mut self, state: &str, n: u64) {
        match state {
            "failed" => self.webhooks_failed += n,
            "expired" => self.webhooks_expired += n,
            _ => {}
        }
    }

    /// Counts `n` messages of `account` in `status` (`queued`, `retrying` or `sending`).
    pub(crate) fn add(&mut self, account: &str, status: &str, n: u64) {
        let entry = self.accounts.entry(account.to_owned()).or_default();
        let (total, one) = match status {
            "queued" => (&mut self.queued, &mut entry.queued),
            "retrying" => (&mut self.retrying, &mut entry.retrying),
            "sending" => (&mut self.sending, &mut entry.sending),
            _ => return,
        };
        *total += n;
        *one += n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exposition_counts_and_buckets() {
        let metrics = Metrics::default();
        metrics.record_try(TryOutcome::Sent, Some(Duration::from_millis(70)));
        metrics.record_try(TryOutcome::Retried, Some(Duration::from_secs(3)));
        metrics.record_webhook(&crate::store::WebhookOutcome::Delivered);
        metrics.record_webhook(&crate::store::WebhookOutcome::Expired {
            error: "down".into(),
        });
        metrics.record_received("DeliveryReportReq");
        metrics.record_unmatched_expired(3);
        metrics.record_unmatched_expired(4);
        let mut expired = crate::store::Expired::default();
        (expired.received, expired.mo_parts) = (5, 2);
        metrics.record_expired(&expired);
        expired.webhooks = 1;
        expired.messages = 9;
        metrics.record_expired(&expired);
        let mut depth = QueueDepth::new(3);
        depth.add_kept_webhooks("expired", 5);
        depth.unmatched_reports = 2;
        depth.add("us", "queued", 4);
        depth.add("us", "retrying", 1);
        depth.add("old", "sending", 2);
        let text = metrics.render(&depth, &["au".into(), "us".into()]);
        for line in [
            "mm7_gateway_queue_messages{account=\"us\",status=\"queued\"} 4",
            "mm7_gateway_queue_messages{account=\"us\",status=\"retrying\"} 1",
            "mm7_gateway_queue_messages{account=\"au\",status=\"queued\"} 0",
            "mm7_gateway_queue_messages{account=\"old\",status=\"sending\"} 2",
            "mm7_gateway_webhook_backlog 3",
            "mm7_gateway_unmatched_reports 2",
            "mm7_gateway_unmatched_reports_expired_total 7",
            "mm7_gateway_expired_total{kind=\"messages\"} 9",
            "mm7_gateway_expired_total{kind=\"received\"} 10",
            "mm7_gateway_expired_total{kind=\"mo_parts\"} 4",
            "mm7_gateway_expired_total{kind=\"webhooks\"} 1",
            "mm7_gateway_tries_total{outcome=\"sent\"} 1",
            "mm7_gateway_tries_total{outcome=\"retried\"} 1",
            "mm7_gateway_try_seconds_bucket{le=\"0.05\"} 0",
            "mm7_gateway_try_seconds_bucket{le=\"0.1\"} 1",
            "mm7_gateway_try_seconds_bucket{le=\"5\"} 2",
            "mm7_gateway_try_seconds_bucket{le=\"+Inf\"} 2",
            "mm7_gateway_try_seconds_count 2",
            "mm7_gateway_webhooks_total{outcome=\"delivered\"} 1",
            "mm7_gateway_webhooks_total{outcome=\"expired\"} 1",
            "mm7_gateway_webhooks_kept{state=\"expired\"} 5",
            "mm7_gateway_webhooks_kept{state=\"failed\"} 0",
            "mm7_gateway_received_total{operation=\"DeliveryReportReq\"} 1",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        }
    }
}

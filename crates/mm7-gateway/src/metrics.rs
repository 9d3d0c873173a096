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
    received_deliver: AtomicU64,
    received_report: AtomicU64,
    received_read_reply: AtomicU64,
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

    pub(crate) fn record_webhook(&self, delivered: bool, retried: bool) {
        let counter = match (delivered, retried) {
            (true, _) => &self.webhooks_delivered,
            (false, true) => &self.webhooks_retried,
            (false, false) => &self.webhooks_failed,
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

    /// The text exposition, with the queue's depth as read from the storage.
    pub(crate) fn render(&self, depth: &QueueDepth) -> String {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP mm7_gateway_queue_messages Messages not yet sent, by status."
        );
        let _ = writeln!(out, "# TYPE mm7_gateway_queue_messages gauge");
        for (status, n) in [
            ("queued", depth.queued),
            ("retrying", depth.retrying),
            ("sending", depth.sending),
        ] {
            let _ = writeln!(out, "mm7_gateway_queue_messages{{status=\"{status}\"}} {n}");
        }
        let _ = writeln!(
            out,
            "# HELP mm7_gateway_webhook_backlog Webhooks not yet delivered."
        );
        let _ = writeln!(out, "# TYPE mm7_gateway_webhook_backlog gauge");
        let _ = writeln!(out, "mm7_gateway_webhook_backlog {}", depth.webhooks);
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

/// What the queue holds now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
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
}

impl QueueDepth {
    pub(crate) fn new(queued: u64, retrying: u64, sending: u64, webhooks: u64) -> QueueDepth {
        QueueDepth {
            queued,
            retrying,
            sending,
            webhooks,
        }
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
        metrics.record_webhook(true, false);
        metrics.record_received("DeliveryReportReq");
        let text = metrics.render(&QueueDepth::new(4, 1, 2, 3));
        for line in [
            "mm7_gateway_queue_messages{status=\"queued\"} 4",
            "mm7_gateway_webhook_backlog 3",
            "mm7_gateway_tries_total{outcome=\"sent\"} 1",
            "mm7_gateway_tries_total{outcome=\"retried\"} 1",
            "mm7_gateway_try_seconds_bucket{le=\"0.05\"} 0",
            "mm7_gateway_try_seconds_bucket{le=\"0.1\"} 1",
            "mm7_gateway_try_seconds_bucket{le=\"5\"} 2",
            "mm7_gateway_try_seconds_bucket{le=\"+Inf\"} 2",
            "mm7_gateway_try_seconds_count 2",
            "mm7_gateway_webhooks_total{outcome=\"delivered\"} 1",
            "mm7_gateway_received_total{operation=\"DeliveryReportReq\"} 1",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        }
    }
}

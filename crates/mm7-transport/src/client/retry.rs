//! When to send a request again: [`RetryPolicy`] for the VASP's requests (off by default) and
//! [`CallbackPolicy`] for an MMSC's callbacks to a VASP.

use std::time::Duration;

use super::error::ClientError;
use super::response::Response;

/// When a `SubmitReq`, `CancelReq` or `ReplaceReq` is sent again.
///
/// Off by default ([`RetryPolicy::none`]): a `SubmitReq` is not idempotent, and one that
/// timed out may have been accepted already, so a blind retry can deliver a message twice
/// unless the MMSC deduplicates on the TransactionID (which stays the same across tries).
///
/// [`RetryPolicy::exponential`] retries what [`ClientError::is_retryable`] calls transient —
/// connection errors, HTTP 5xx and 429, MM7 3000 (Server Error) and 4006 (Service
/// unavailable), a `Server` Fault without a status — but not timeouts
/// or cut connections unless [`with_retry_after_send_failures`](Self::with_retry_after_send_failures)
/// says so. The wait doubles from `initial_backoff` up to `max_backoff`, each wait drawn
/// between half and all of it so that many clients do not come back in step.
///
/// ```
/// use std::time::Duration;
/// use mm7_transport::client::RetryPolicy;
///
/// let policy = RetryPolicy::exponential(4)
///     .with_initial_backoff(Duration::from_millis(200))
///     .with_max_backoff(Duration::from_secs(5));
/// assert_eq!(policy.max_tries(), 4);
/// assert!(policy.backoff(1) <= Duration::from_millis(200));
/// assert!(policy.backoff(10) <= Duration::from_secs(5));
/// assert_eq!(RetryPolicy::default().max_tries(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_tries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    after_send_failures: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy::none()
    }
}

impl RetryPolicy {
    /// One try, no retry.
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            max_tries: 1,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            after_send_failures: false,
        }
    }

    /// Up to `max_tries` tries in all (at least one), waiting 0.5 s, 1 s, 2 s, … (at most
    /// 30 s) between them.
    pub fn exponential(max_tries: u32) -> RetryPolicy {
        RetryPolicy {
            max_tries: max_tries.max(1),
            ..RetryPolicy::none()
        }
    }

    /// The first wait.
    #[must_use]
    pub fn with_initial_backoff(mut self, backoff: Duration) -> RetryPolicy {
        self.initial_backoff = backoff;
        self
    }

    /// The longest wait.
    #[must_use]
    pub fn with_max_backoff(mut self, backoff: Duration) -> RetryPolicy {
        self.max_backoff = backoff;
        self
    }

    /// Also retry after a timeout or a connection cut during the exchange, when the peer may
    /// have processed the request: right for a peer that deduplicates on the TransactionID.
    #[must_use]
    pub fn with_retry_after_send_failures(mut self, retry: bool) -> RetryPolicy {
        self.after_send_failures = retry;
        self
    }

    /// The most tries, the first included.
    pub fn max_tries(&self) -> u32 {
        self.max_tries
    }

    /// The wait after the `failed_tries`-th failed try (1 for the first): the initial
    /// backoff doubled `failed_tries - 1` times, capped, and then drawn between half and all
    /// of that.
    pub fn backoff(&self, failed_tries: u32) -> Duration {
        let doublings = failed_tries.saturating_sub(1).min(32);
        let full = self
            .initial_backoff
            .saturating_mul(1u32 << doublings.min(31))
            .min(self.max_backoff);
        let half = full / 2;
        let spread = u64::try_from((full - half).as_micros()).unwrap_or(u64::MAX);
        let jitter = if spread == 0 {
            0
        } else {
            random_u64() % (spread + 1)
        };
        half + Duration::from_micros(jitter)
    }

    /// Whether a try that failed with `error` is to be followed by another (tries left
    /// aside).
    pub fn should_retry(&self, error: &ClientError) -> bool {
        match error {
            ClientError::Timeout { .. } | ClientError::Transport { .. } => self.after_send_failures,
            other => other.is_retryable(),
        }
    }
}

fn random_u64() -> u64 {
    // From the operating system's generator; without one, a fixed point of the spread (the
    // wait stays within its bounds, only no longer spread).
    getrandom::u64().unwrap_or(u64::MAX / 2)
}

/// How an MMSC delivers a callback (`DeliverReq`, `DeliveryReportReq`, `ReadReplyReq`) to a
/// VASP, as providers document it: a try fails when no answer comes within `timeout`
/// (default 10 s), when the HTTP status is not 200, or when the answer does not carry the
/// request's TransactionID with StatusCode 1000; a failed try is followed by another after
/// `interval` (default 5 minutes), up to `max_tries` tries (default 5).
///
/// ```
/// use std::time::Duration;
/// use mm7_transport::client::CallbackPolicy;
///
/// let policy = CallbackPolicy::default();
/// assert_eq!(policy.max_tries, 5);
/// assert_eq!(policy.interval, Duration::from_secs(300));
/// assert_eq!(policy.timeout, Duration::from_secs(10));
///
/// let quick = CallbackPolicy::default()
///     .with_interval(Duration::from_secs(30))
///     .with_max_tries(3);
/// assert_eq!(quick.max_tries, 3);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallbackPolicy {
    /// The most tries, the first included (at least one is made).
    pub max_tries: u32,
    /// The wait between tries.
    pub interval: Duration,
    /// The whole-try timeout (connection, request and answer).
    pub timeout: Duration,
}

impl Default for CallbackPolicy {
    fn default() -> Self {
        CallbackPolicy {
            max_tries: 5,
            interval: Duration::from_secs(5 * 60),
            timeout: Duration::from_secs(10),
        }
    }
}

impl CallbackPolicy {
    /// One try only.
    pub fn once() -> CallbackPolicy {
        CallbackPolicy {
            max_tries: 1,
            ..CallbackPolicy::default()
        }
    }

    /// The most tries.
    #[must_use]
    pub fn with_max_tries(mut self, max_tries: u32) -> CallbackPolicy {
        self.max_tries = max_tries;
        self
    }

    /// The wait between tries.
    #[must_use]
    pub fn with_interval(mut self, interval: Duration) -> CallbackPolicy {
        self.interval = interval;
        self
    }

    /// The whole-try timeout.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> CallbackPolicy {
        self.timeout = timeout;
        self
    }
}

/// What came of a callback: the last try's outcome, how many tries were made, and why each
/// earlier one failed.
#[derive(Debug)]
pub struct CallbackOutcome<T> {
    /// The last try's outcome: `Ok` only for HTTP 200 with the request's TransactionID and
    /// StatusCode 1000.
    pub outcome: Result<Response<T>, ClientError>,
    /// The tries made (0 when the request could not be encoded).
    pub tries: u32,
    /// Why each failed try before the last failed, in order.
    pub failures: Vec<ClientError>,
}

impl<T> CallbackOutcome<T> {
    /// Whether the callback was accepted.
    pub fn is_delivered(&self) -> bool {
        self.outcome.is_ok()
    }

    /// The last try's outcome.
    ///
    /// # Errors
    /// The last try's [`ClientError`] when no try succeeded.
    pub fn into_result(self) -> Result<Response<T>, ClientError> {
        self.outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_cap() {
        let p = RetryPolicy::exponential(10)
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_millis(1000));
        for (n, full) in [
            (1, 100),
            (2, 200),
            (3, 400),
            (4, 800),
            (5, 1000),
            (40, 1000),
        ] {
            let d = p.backoff(n);
            assert!(d >= Duration::from_millis(full / 2), "{n}: {d:?}");
            assert!(d <= Duration::from_millis(full), "{n}: {d:?}");
        }
        assert_eq!(RetryPolicy::exponential(0).max_tries(), 1);
    }

    #[test]
    fn what_is_retried() {
        let p = RetryPolicy::exponential(3);
        let timeout = ClientError::Timeout {
            after: Duration::from_secs(1),
        };
        assert!(!p.should_retry(&timeout));
        assert!(
            p.clone()
                .with_retry_after_send_failures(true)
                .should_retry(&timeout)
        );
        assert!(p.should_retry(&ClientError::Connect {
            reason: "refused".into(),
            source: None,
        }));
        assert!(p.should_retry(&ClientError::Http {
            status: http::StatusCode::SERVICE_UNAVAILABLE,
            content_type: String::new(),
            excerpt: String::new(),
            retry_after: None,
        }));
        assert!(!p.should_retry(&ClientError::Unauthorized {
            challenge: None,
            credentials_sent: true
        }));
    }
}

//! The outbound dispatcher: claims due submissions, sends them to the MMSC within the
//! account's rate (a token bucket) and concurrency limits, and records each outcome. A failure
//! that may pass is tried again after a backoff with jitter (never before the MMSC's
//! `Retry-After`), with the same TransactionID; a permanent one fails the message at once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use mm7_transport::client::{Client, ClientError, SendOptions};
use tokio::sync::{Semaphore, watch};

use crate::config::Account;
use crate::metrics::TryOutcome;
use crate::request;
use crate::store::{Claimed, Operation, Outcome, Storage, now_ms};

/// A token bucket: `rate` tokens a second, at most `burst` saved up, so that submissions are
/// spaced `1 / rate` apart and no second ever sees more than the rate (plus the burst).
///
/// The burst is one token, or the tokens of one millisecond when the rate gives more than one
/// a millisecond: the timer sleeps whole milliseconds, so a wait shorter than that would
/// become a millisecond and hold every send to one a millisecond whatever the rate.
#[derive(Debug)]
pub(crate) struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    pub(crate) fn new(rate: f64) -> TokenBucket {
        let rate = rate.max(0.001);
        let burst = (rate / 1000.0).floor().max(1.0);
        TokenBucket {
            rate,
            burst,
            tokens: 1.0,
            last: Instant::now(),
        }
    }

    /// How long to wait before a token is there (zero: one was taken).
    pub(crate) fn take(&mut self, now: Instant) -> Duration {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Duration::ZERO
        } else {
            Duration::from_secs_f64((1.0 - self.tokens) / self.rate)
        }
    }
}

/// Whether a failure may pass if the same request is sent later: the network, HTTP 5xx or
/// 429 without a permanent MM7 status, MM7 3xxx and 4006 (and an answer that does not match).
pub(crate) fn transient(error: &ClientError) -> bool {
    error.may_pass_later()
}

/// What a failed try's error says, for the status history (never a credential: the client's
/// errors carry none).
fn describe(error: &ClientError) -> String {
    match error {
        ClientError::Unauthorized { .. } => {
            format!("configuration error: the MMSC refused the gateway's credentials ({error})")
        }
        _ => error.to_string(),
    }
}

/// The wait before try `tries + 1`: `initial` doubled per failed try, at most `max`, from
/// half to all of it at random.
pub(crate) fn backoff(initial: Duration, max: Duration, tries: u32) -> Duration {
    let full = initial
        .saturating_mul(1u32 << tries.saturating_sub(1).min(20))
        .min(max);
    let mut bytes = [0u8; 2];
    let spread = if getrandom::fill(&mut bytes).is_ok() {
        f64::from(u16::from_le_bytes(bytes)) / f64::from(u16::MAX)
    } else {
        1.0
    };
    full.mul_f64(0.5 + spread / 2.0)
}

/// How late (milliseconds) after the last start its lease allows a send may still start:
/// the lease has `5 s` beyond two timeouts for the try itself.
const LEASE_SLACK_MS: i64 = 1000;

/// Sends `account`'s due submissions (and the cancels and replaces asked for them) until
/// `stop` turns true; then waits for the tries in flight.
pub(crate) async fn run<S: Storage>(
    storage: S,
    account: Account,
    client: Client,
    webhooks: bool,
    metrics: Arc<crate::metrics::Metrics>,
    mut stop: watch::Receiver<bool>,
) {
    let in_flight = Arc::new(Semaphore::new(account.max_in_flight.max(1)));
    let mut bucket = TokenBucket::new(account.tps);
    let interval = Duration::from_secs_f64(1.0 / account.tps.max(0.001));
    // A claim is hidden from other claims while its try runs; a gateway that dies leaves it
    // due again once the lease ends. The lease covers the wait for the rate before the try
    // too: a claim takes no more messages than the rate lets start within one timeout, and
    // one whose turn comes later than its lease allows is not sent by this claim (it comes
    // back when the lease ends), so that no other gateway can claim a message while it is
    // still waiting here to be sent.
    let per_claim = ((account.tps * account.timeout.as_secs_f64()).floor() as usize).max(1);
    let try_lease = account.timeout.saturating_mul(2) + Duration::from_secs(5);
    let account = Arc::new(account);
    // The outcomes of tries are recorded by one task, many to a transaction (one commit for
    // all the tries that ended meanwhile), in the order they ended.
    let (outcomes, mut ended) = tokio::sync::mpsc::channel::<(String, Outcome)>(1024);
    let recorder = {
        let storage = storage.clone();
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(64);
            while ended.recv_many(&mut batch, 64).await > 0 {
                let taken = std::mem::take(&mut batch);
                let ids: Vec<String> = taken.iter().map(|(id, _)| id.clone()).collect();
                if let Err(error) = storage.settle(taken, webhooks).await {
                    // The rows stay claimed and come back after their lease: sent twice rather
                    // than lost (the TransactionID lets the MMSC see the repeat).
                    tracing::error!(%error, ?ids, "cannot record tries");
                }
            }
        })
    };
    loop {
        if *stop.borrow() {
            break;
        }
        // At least one try may start: every one free now is claimed for in one go (tries that
        // ended while the last claim ran come back together, so one claim and one slot
        // reservation serve many sends when the queue is busy).
        let first = tokio::select! {
            permit = Arc::clone(&in_flight).acquire_owned() => permit,
            // The gateway gone without a shutdown ends the loop as a stop does.
            changed = stop.changed() => if changed.is_err() { break } else { continue },
        };
        let Ok(first) = first else {
            break;
        };
        let mut permits = vec![first];
        while let Ok(permit) = Arc::clone(&in_flight).try_acquire_owned() {
            permits.push(permit);
        }
        // Woken by a submission queued meanwhile, not only by the poll below.
        let queued = storage.queued();
        let mut queued = std::pin::pin!(queued.notified());
        queued.as_mut().enable();
        permits.truncate(per_claim);
        // The waits of these sends for the rate, at most, and the lease that covers them.
        let waits = interval
            .saturating_mul(u32::try_from(permits.len()).unwrap_or(u32::MAX))
            .min(account.timeout);
        let lease = try_lease + waits;
        let last_start =
            now_ms().saturating_add(i64::try_from(waits.as_millis()).unwrap_or(i64::MAX));
        let claimed = match storage.claim(&account.name, permits.len(), lease).await {
            Ok(claimed) => claimed,
            Err(error) => {
                tracing::error!(%error, account = %account.name, "cannot claim messages");
                Vec::new()
            }
        };
        if claimed.is_empty() {
            drop(permits);
            tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(200)) => {}
                () = queued => {}
                changed = stop.changed() => if changed.is_err() { break },
            }
            continue;
        }
        permits.truncate(claimed.len());
        // The permits first, then the slots: a slot taken while every permit is busy would be
        // sent late, in a burst with the slots after it.
        let slots = match storage
            .reserve_slots(&account.name, interval, claimed.len())
            .await
        {
            Ok(slots) => slots,
            Err(error) => {
                // Without slots, this node keeps to the rate alone (its token bucket).
                tracing::error!(%error, "cannot reserve send slots");
                None
            }
        };
        let mut resume_at = None;
        for (n, (message, permit)) in claimed.into_iter().zip(permits).enumerate() {
            if let Some(slots) = &slots {
                // A rate shared with other gateways: wait for this send's slot, unless it
                // comes after what the lease covers (other gateways took the slots before):
                // then this claim leaves it and the rest, which come back when it ends.
                if slots.at(n) > last_start.saturating_add(LEASE_SLACK_MS) {
                    tracing::debug!(
                        account = %account.name,
                        left = %message.id,
                        "the rate's next slot is past this claim's lease; left for a later claim"
                    );
                    resume_at = Some(slots.at(n));
                    break;
                }
                let wait = u64::try_from(slots.at(n) - now_ms()).unwrap_or(0);
                if wait > 0 {
                    tokio::time::sleep(Duration::from_millis(wait)).await;
                }
            } else {
                let wait = bucket.take(Instant::now());
                if !wait.is_zero() {
                    tokio::time::sleep(wait).await;
                    bucket.take(Instant::now());
                }
            }
            let client = client.clone();
            let account = Arc::clone(&account);
            let metrics = Arc::clone(&metrics);
            let outcomes = outcomes.clone();
            tokio::spawn(async move {
                let _permit = permit;
                let started = Instant::now();
                let outcome = attempt(&client, &account, &message).await;
                let kind = match &outcome {
                    Outcome::Sent { .. } | Outcome::Cancelled | Outcome::Replaced => {
                        TryOutcome::Sent
                    }
                    Outcome::Retry { .. } => TryOutcome::Retried,
                    Outcome::Expired => TryOutcome::Expired,
                    _ => TryOutcome::Failed,
                };
                let took = (!matches!(outcome, Outcome::Expired)).then(|| started.elapsed());
                metrics.record_try(kind, took);
                // The permit is held until the outcome is handed over, so that the drain below
                // waits for it.
                let _ = outcomes.send((message.id, outcome)).await;
            });
        }
        if let Some(at) = resume_at {
            // The other gateways hold the rate until then: claiming again before would only
            // reserve slots further out.
            let wait = u64::try_from(at - now_ms()).unwrap_or(0);
            tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(wait)) => {}
                changed = stop.changed() => if changed.is_err() { break },
            }
        }
    }
    // Drain: wait for the tries in flight (their permits), bounded by the try timeout.
    let all = u32::try_from(account.max_in_flight.max(1)).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(
        account.timeout + Duration::from_secs(1),
        in_flight.acquire_many(all),
    )
    .await;
    // Then every outcome handed over is recorded before the dispatcher ends.
    drop(outcomes);
    let _ = recorder.await;
}

/// One try of one message, or of the cancel or replace asked for it.
async fn attempt(client: &Client, account: &Account, message: &Claimed) -> Outcome {
    if let Some(operation) = &message.operation {
        return attempt_operation(client, account, message, operation).await;
    }
    if message.expires_at.is_some_and(|at| at <= now_ms()) {
        return Outcome::Expired;
    }
    let (req, content) = match request::build(&message.request, account) {
        Ok(built) => built,
        Err(error) => {
            return Outcome::Failed {
                error: format!("the stored request cannot be sent: {error}"),
            };
        }
    };
    let options = SendOptions::new().with_transaction_id(message.transaction_id.clone());
    match client.submit_with(req, content, options).await {
        Ok(response) => match response.message.message_id {
            Some(message_id) => Outcome::Sent { message_id },
            None => Outcome::Failed {
                error: "the MMSC accepted the message without a MessageID".into(),
            },
        },
        Err(error) => failure(account, message, &error, message.expires_at),
    }
}

/// A failed try: tried again if it may pass (and there are tries left, before `expires_at`),
/// failed otherwise.
fn failure(
    account: &Account,
    message: &Claimed,
    error: &ClientError,
    expires_at: Option<i64>,
) -> Outcome {
    let tries = message.tries + 1;
    if transient(error) && tries < account.max_tries {
        let wait = backoff(account.retry_initial, account.max_backoff, tries)
            .max(error.retry_after().unwrap_or_default());
        let at = now_ms() + i64::try_from(wait.as_millis()).unwrap_or(i64::MAX);
        if expires_at.is_some_and(|expiry| at > expiry) {
            return Outcome::Expired;
        }
        Outcome::Retry {
            at,
            error: describe(error),
        }
    } else {
        Outcome::Failed {
            error: describe(error),
        }
    }
}

/// One try of a `CancelReq` or `ReplaceReq` for a sent message. The message's expiry does not
/// bound it: it is about the submission, not the change.
async fn attempt_operation(
    client: &Client,
    account: &Account,
    message: &Claimed,
    operation: &Operation,
) -> Outcome {
    let Some(message_id) = message.message_id.as_deref() else {
        return Outcome::Failed {
            error: "the message has no MessageID to change".into(),
        };
    };
    let options = SendOptions::new().with_transaction_id(operation.transaction_id().to_owned());
    let result = match operation {
        Operation::Cancel { .. } => client
            .cancel_with(request::build_cancel(account, message_id), options)
            .await
            .map(|_| Outcome::Cancelled),
        Operation::Replace { content, .. } => {
            let (req, parts) = match request::build_replace(content, account, message_id) {
                Ok(built) => built,
                Err(error) => {
                    return Outcome::Failed {
                        error: format!("the stored replacement cannot be sent: {error}"),
                    };
                }
            };
            client
                .replace_with(req, parts, options)
                .await
                .map(|_| Outcome::Replaced)
        }
    };
    result.unwrap_or_else(|error| failure(account, message, &error, None))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::store::{Enqueued, NewSubmission};
    use mm7_model::{SubmitReq, SubmitRsp};
    use mm7_transport::server::{Handler, HandlerError, Inbound, Role, Server, ServerConfig};
    use std::sync::Mutex;

    /// An MMSC that takes every submission at once and keeps when each arrived, with its
    /// TransactionID.
    #[derive(Clone, Default)]
    struct RecordingMmsc {
        arrivals: Arc<Mutex<Vec<(Instant, String)>>>,
    }

    impl Handler for RecordingMmsc {
        async fn submit(&self, inbound: Inbound<SubmitReq>) -> Result<SubmitRsp, HandlerError> {
            let id = inbound.transaction_id.clone();
            self.arrivals
                .lock()
                .unwrap()
                .push((Instant::now(), id.clone()));
            Ok(SubmitRsp::success(inbound.mm7_version, format!("mid-{id}")))
        }
    }

    /// The most sends any window of one second saw.
    fn most_in_a_second(arrivals: &[Instant]) -> usize {
        let mut sorted = arrivals.to_vec();
        sorted.sort_unstable();
        (0..sorted.len())
            .map(|i| {
                sorted[i..]
                    .iter()
                    .take_while(|at| at.duration_since(sorted[i]) < Duration::from_secs(1))
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    /// Two gateways (`first`, `second`: storages of their own on one queue whose rate they
    /// share) dispatch one account at a low rate with a short timeout, more messages queued
    /// before they start than one lease (two timeouts and 5 s) lets them send. A claim that
    /// took more than its lease covered would come back due while it still waits for its turn
    /// in one gateway, and the other would send it too. Each message must reach the MMSC
    /// once, with its TransactionID, and no second see more than the rate (and the burst).
    pub(crate) async fn two_gateways_send_each_message_once_within_the_rate<S: Storage>(
        first: S,
        second: S,
    ) {
        const MESSAGES: usize = 40;
        const TPS: f64 = 5.0;
        let mmsc = RecordingMmsc::default();
        let server = Server::bind("127.0.0.1:0", ServerConfig::new(Role::Mmsc), mmsc.clone())
            .await
            .unwrap()
            .spawn();
        let mut account = Account::named("lease", format!("http://{}/mm7", server.local_addr()));
        account.tps = TPS;
        account.timeout = Duration::from_millis(500);
        account.max_in_flight = 64;
        // Queued before either gateway starts: the first claim sees them all.
        let mut ids = Vec::with_capacity(MESSAGES);
        for n in 0..MESSAGES {
            let new = NewSubmission {
                id: format!("lease_{n:02}"),
                account: account.name.clone(),
                idempotency_key: None,
                reference: None,
                request: serde_json::json!({"to": ["15551234567"], "text": format!("n{n}")}),
                transaction_id: format!("tx-lease-{n:02}"),
                expires_at: None,
            };
            assert!(matches!(first.enqueue(new).await, Ok(Enqueued::New(_))));
            ids.push(format!("lease_{n:02}"));
        }
        let (stop, stopped) = watch::channel(false);
        let started = Instant::now();
        let gateways: Vec<_> = [first.clone(), second]
            .into_iter()
            .map(|storage| {
                tokio::spawn(run(
                    storage,
                    account.clone(),
                    account.client().unwrap(),
                    false,
                    Arc::new(crate::metrics::Metrics::default()),
                    stopped.clone(),
                ))
            })
            .collect();
        // At the rate, the last is sent after MESSAGES / TPS seconds (8 s); given twice that.
        let deadline = started + Duration::from_secs_f64(2.0 * MESSAGES as f64 / TPS);
        let mut unsent = ids.clone();
        while !unsent.is_empty() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let mut still = Vec::new();
            for id in unsent {
                let view = first.message(&id).await.unwrap().unwrap();
                if view.status != "sent" {
                    still.push(id);
                }
            }
            unsent = still;
        }
        // Stopped, each gateway sends what it holds claimed before it ends.
        let _ = stop.send(true);
        for gateway in gateways {
            tokio::time::timeout(Duration::from_secs(15), gateway)
                .await
                .expect("a gateway ends once stopped")
                .unwrap();
        }
        let took = started.elapsed();
        server.shutdown().await.unwrap();
        let arrivals = mmsc.arrivals.lock().unwrap().clone();
        let mut counts = std::collections::BTreeMap::<&str, usize>::new();
        for (_, id) in &arrivals {
            *counts.entry(id.as_str()).or_default() += 1;
        }
        let repeated: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
        assert!(
            repeated.is_empty(),
            "sent more than once (TransactionID, times): {repeated:?}; {} sends of {MESSAGES} \
             messages in {took:?}",
            arrivals.len()
        );
        assert!(unsent.is_empty(), "not sent in {took:?}: {unsent:?}");
        let expected: Vec<String> = (0..MESSAGES).map(|n| format!("tx-lease-{n:02}")).collect();
        assert_eq!(counts.keys().copied().collect::<Vec<_>>(), expected);
        // Sends `1 / TPS` apart put TPS + 1 of them in a second from one to the next but
        // one (a millisecond off their slots, as they arrive): that is the bound (the token
        // bucket's burst of one), and a send held up less than an interval stays within it.
        let times: Vec<Instant> = arrivals.iter().map(|(at, _)| *at).collect();
        let most = most_in_a_second(&times);
        assert!(
            most <= TPS as usize + 1,
            "{most} sends in one second at {TPS}/s"
        );
    }

    /// A gateway dropped without `shutdown` drops the stop signal's sender: the dispatcher,
    /// the webhook sender and the sweep end then, rather than looping on a signal that can
    /// no longer change.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_workers_end_when_the_gateway_is_gone() {
        let dir = std::env::temp_dir().join(format!("mm7-gateway-gone-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let storage = crate::SqliteStorage::open(&dir).unwrap();
        let account = Account::new("http://127.0.0.1:9/mm7");
        let metrics = Arc::new(crate::metrics::Metrics::default());
        let (stop, stopped) = watch::channel(false);
        let workers = [
            tokio::spawn(run(
                storage.clone(),
                account.clone(),
                account.client().unwrap(),
                true,
                Arc::clone(&metrics),
                stopped.clone(),
            )),
            tokio::spawn(crate::webhook::run(
                storage.clone(),
                crate::Webhook::new("http://127.0.0.1:9/hook", b"k".to_vec()),
                Arc::clone(&metrics),
                stopped.clone(),
            )),
            tokio::spawn(crate::inbound::sweep(
                storage.clone(),
                Duration::from_secs(86_400),
                Duration::from_secs(86_400),
                Arc::clone(&metrics),
                stopped,
            )),
        ];
        // Idle, each waits on the signal among other things.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(workers.iter().all(|w| !w.is_finished()));
        drop(stop);
        for worker in workers {
            tokio::time::timeout(Duration::from_secs(3), worker)
                .await
                .expect("a worker ends when the gateway is gone")
                .unwrap();
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_bucket_gives_rate_tokens_a_second() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(4.0);
        assert_eq!(bucket.take(start), Duration::ZERO);
        let wait = bucket.take(start);
        assert!(
            wait > Duration::from_millis(200) && wait <= Duration::from_millis(250),
            "{wait:?}"
        );
        // After a quiet spell, one is saved up, not ten seconds' worth.
        let later = start + Duration::from_secs(10);
        let taken = (0..10).filter(|_| bucket.take(later).is_zero()).count();
        assert_eq!(taken, 1);
    }

    #[test]
    fn above_a_token_a_millisecond_the_bucket_saves_one_millisecond() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(100_000.0);
        // One saved at the start; a millisecond later, a millisecond's worth (100), no more.
        assert_eq!(bucket.take(start), Duration::ZERO);
        assert!(!bucket.take(start).is_zero());
        let later = start + Duration::from_secs(1);
        let taken = (0..1000).filter(|_| bucket.take(later).is_zero()).count();
        assert_eq!(taken, 100);
        // A rate below one a millisecond keeps one saved up.
        assert!((TokenBucket::new(1000.0).burst - 1.0).abs() < f64::EPSILON);
    }

    #[test]
    fn backoff_doubles_within_bounds() {
        let second = Duration::from_secs(1);
        for tries in 1..=12 {
            let full = (second * (1 << (tries - 1))).min(Duration::from_secs(60));
            let wait = backoff(second, Duration::from_secs(60), tries);
            assert!(wait >= full / 2 && wait <= full, "{tries}: {wait:?}");
        }
    }

    #[test]
    fn only_what_may_pass_is_transient() {
        use mm7_model::{SoapFault, Status, StatusCode};
        let fault = |code: StatusCode| ClientError::Fault {
            fault: Box::new(SoapFault::rs_error("6.8.0", Status::from_code(code))),
            http_status: http::StatusCode::INTERNAL_SERVER_ERROR,
        };
        assert!(transient(&fault(StatusCode::SERVER_ERROR)));
        assert!(transient(&fault(StatusCode::SERVICE_UNAVAILABLE)));
        assert!(!transient(&fault(StatusCode::ADDRESS_ERROR)));
        assert!(!transient(&fault(StatusCode::VALIDATION_ERROR)));
        assert!(transient(&ClientError::Timeout {
            after: Duration::from_secs(1)
        }));
        assert!(!transient(&ClientError::Unauthorized {
            challenge: None,
            credentials_sent: true
        }));
    }
}

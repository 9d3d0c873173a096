//! The gateway's durable state: submissions and their status history, the outbound work
//! queue (leases, so that a stopped gateway's claims pass to the next), what peers sent in,
//! and the webhook queue.
//!
//! [`Storage`] is what the gateway needs of a database, written as a database with row locks
//! would run it (claim due rows under a lease, settle them); [`SqliteStorage`](crate::SqliteStorage)
//! and [`PostgresStorage`](crate::PostgresStorage) implement it, with the rules both follow
//! (what a try's outcome or a cancel does to a message) here, once.

use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::error::GatewayError;
use crate::metrics::QueueDepth;

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// A submission accepted by the API, to queue.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct NewSubmission {
    /// The gateway's id for it.
    pub id: String,
    /// The account it goes through.
    pub account: String,
    /// The application's `Idempotency-Key`, if it gave one.
    pub idempotency_key: Option<String>,
    /// The application's own reference.
    pub reference: Option<String>,
    /// The request as the API took it (JSON).
    pub request: Value,
    /// The TransactionID every try of it carries.
    pub transaction_id: String,
    /// When it is no longer worth sending (Unix milliseconds).
    pub expires_at: Option<i64>,
}

/// The key under which a queued request keeps the SHA-256 (hex) of the request as the
/// application sent it, before its attachments given by URL were fetched: a retry with the same
/// `Idempotency-Key` is compared by it, and answered without fetching anything again. It is not
/// a field an application may give (`request::check` refuses unknown fields) and is taken out
/// where the request is read back ([`without_received_digest`]).
pub(crate) const RECEIVED_DIGEST: &str = "$received_sha256";

/// The SHA-256 (hex) of a request as received, independent of the order of its objects' keys.
pub(crate) fn received_digest(request: &Value) -> String {
    use sha2::Digest as _;
    let mut canonical = request.clone();
    canonical.sort_all_objects();
    hex::encode(sha2::Sha256::digest(canonical.to_string().as_bytes()))
}

/// A stored request without its [`RECEIVED_DIGEST`].
pub(crate) fn without_received_digest(mut request: Value) -> Value {
    if let Value::Object(map) = &mut request {
        map.shift_remove(RECEIVED_DIGEST);
    }
    request
}

/// Whether a request queued under an idempotency key and a new one under the same key are the
/// same: by their digests as received when both have one, else (a request queued before digests
/// were kept) by their content.
pub(crate) fn same_request(stored: &Value, new: &Value) -> bool {
    match (stored.get(RECEIVED_DIGEST), new.get(RECEIVED_DIGEST)) {
        (Some(stored), Some(new)) => stored == new,
        _ => without_received_digest(stored.clone()) == without_received_digest(new.clone()),
    }
}

/// What [`Storage::enqueue`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Enqueued {
    /// Queued now.
    New(String),
    /// The same `Idempotency-Key` and request were queued before: that submission's id.
    Existing(String),
}

/// A submission claimed for a try: of the submission itself, or of the cancel or replace
/// asked for it since.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Claimed {
    /// The gateway's id.
    pub id: String,
    /// The MMSC's MessageID, once sent.
    pub message_id: Option<String>,
    /// The cancel or replace to send, if this try is one.
    pub operation: Option<Operation>,
    /// The request as the API took it.
    pub request: Value,
    /// The TransactionID of every try.
    pub transaction_id: String,
    /// The tries made before this one.
    pub tries: u32,
    /// When it expires (Unix milliseconds).
    pub expires_at: Option<i64>,
}

/// A change asked for a message that was already sent: sent to the MMSC as work of its own,
/// retried like a submission.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Operation {
    /// A `CancelReq`.
    Cancel {
        /// Its TransactionID (the same on every try).
        transaction_id: String,
    },
    /// A `ReplaceReq` with new content.
    Replace {
        /// Its TransactionID (the same on every try).
        transaction_id: String,
        /// The new content (`subject`, `text`, `attachments`, `smil`), as the API took it.
        content: Value,
    },
}

impl Operation {
    /// `cancel` or `replace`, as stored.
    pub fn kind(&self) -> &'static str {
        match self {
            Operation::Cancel { .. } => "cancel",
            Operation::Replace { .. } => "replace",
        }
    }

    /// The TransactionID of its tries.
    pub fn transaction_id(&self) -> &str {
        match self {
            Operation::Cancel { transaction_id } | Operation::Replace { transaction_id, .. } => {
                transaction_id
            }
        }
    }

    pub(crate) fn from_columns(
        kind: Option<String>,
        request: Option<String>,
        tx: Option<String>,
    ) -> Option<Operation> {
        let transaction_id = tx.unwrap_or_default();
        match kind.as_deref() {
            Some("cancel") => Some(Operation::Cancel { transaction_id }),
            Some("replace") => Some(Operation::Replace {
                transaction_id,
                content: request
                    .and_then(|r| serde_json::from_str(&r).ok())
                    .unwrap_or(Value::Null),
            }),
            _ => None,
        }
    }

    pub(crate) fn content_text(&self) -> Option<String> {
        match self {
            Operation::Cancel { .. } => None,
            Operation::Replace { content, .. } => Some(content.to_string()),
        }
    }
}

/// What [`Storage::change`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Changed {
    /// Done at once, the message not yet sent: cancelled, or its content replaced in the queue.
    Done(String),
    /// Queued for the MMSC (the message was sent): `cancelling` or `replacing`.
    Queued(String),
    /// Not possible now: the message's status (being sent, already cancelled, failed, …).
    Refused(String),
    /// No such message.
    NotFound,
}

/// How a try ended.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Outcome {
    /// The MMSC accepted it with this MessageID.
    Sent {
        /// The MMSC's MessageID.
        message_id: String,
    },
    /// A failure that may pass: tried again at `at` (Unix milliseconds).
    Retry {
        /// When.
        at: i64,
        /// What failed.
        error: String,
    },
    /// A refusal that will not change, or the last try failed: kept as `failed`.
    Failed {
        /// What failed.
        error: String,
    },
    /// Its expiry passed before it could be sent.
    Expired,
    /// The MMSC accepted a `CancelReq`.
    Cancelled,
    /// The MMSC accepted a `ReplaceReq`.
    Replaced,
}

/// One entry of a submission's history.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct HistoryEntry {
    /// When (RFC 3339, UTC).
    pub at: String,
    /// The status it reached.
    pub status: String,
    /// What the status says more (an error, a MessageID, a report's text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl HistoryEntry {
    pub(crate) fn new(at: String, status: String, detail: Option<String>) -> HistoryEntry {
        HistoryEntry { at, status, detail }
    }
}

/// A submission as `GET /v1/messages/{id}` shows it.
#[derive(Debug, Clone, serde::Serialize)]
#[non_exhaustive]
pub struct MessageView {
    /// The gateway's id.
    pub id: String,
    /// The account it goes through.
    pub account: String,
    /// Where it stands: `queued`, `sending`, `retrying`, `sent`, `delivered`, `read`,
    /// `expired`, `rejected`, `failed`, …
    pub status: String,
    /// The MMSC's MessageID, once sent.
    pub message_id: Option<String>,
    /// The application's reference.
    pub reference: Option<String>,
    /// The TransactionID of its tries.
    pub transaction_id: String,
    /// Tries made.
    pub tries: u32,
    /// The last failure, if any.
    pub last_error: Option<String>,
    /// Every status it went through, oldest first.
    pub history: Vec<HistoryEntry>,
}

/// A request a peer sent in (DeliverReq, DeliveryReportReq, ReadReplyReq), to keep, and what
/// it changes.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Received {
    /// The operation.
    pub operation: String,
    /// Its TransactionID.
    pub transaction_id: String,
    /// The request as received (head and body).
    pub raw: Vec<u8>,
    /// Its JSON view.
    pub view: Value,
    /// For a report: the MessageID it is about, the status it brings, and its detail.
    pub status: Option<(String, String, Option<String>)>,
    /// The webhook to send about it (if no status change makes one).
    pub webhook: Option<Value>,
    /// Where that webhook goes, if not to the configured webhook URL (an `mo_route`).
    pub webhook_url: Option<String>,
    /// The parts of a DeliverReq its webhook gives as URLs, kept with it.
    pub parts: Vec<MoPart>,
}

/// A part of a message from a subscriber, kept for `GET /v1/mo/{mo}/parts/{n}`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MoPart {
    /// The message's id (random, unguessable).
    pub mo: String,
    /// The part's number, from 1.
    pub n: u32,
    /// Its media type.
    pub content_type: String,
    /// Its bytes.
    pub data: Vec<u8>,
}

impl MoPart {
    /// Part `n` of message `mo`.
    pub fn new(
        mo: impl Into<String>,
        n: u32,
        content_type: impl Into<String>,
        data: Vec<u8>,
    ) -> MoPart {
        MoPart {
            mo: mo.into(),
            n,
            content_type: content_type.into(),
            data,
        }
    }
}

/// How a webhook try ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookOutcome {
    /// The application answered 2xx.
    Delivered,
    /// It failed; tried again at `at` (Unix milliseconds).
    Retry {
        /// When.
        at: i64,
        /// What failed.
        error: String,
    },
    /// It failed and its tries ran out: kept as `failed`.
    Failed {
        /// What failed.
        error: String,
    },
    /// It failed and its expiry passed: kept as `expired`.
    Expired {
        /// What failed last.
        error: String,
    },
}

impl WebhookOutcome {
    /// The row's state, its next due time and its last error.
    pub(crate) fn columns(&self) -> (&'static str, Option<i64>, Option<&str>) {
        match self {
            WebhookOutcome::Delivered => ("delivered", None, None),
            WebhookOutcome::Retry { at, error } => ("pending", Some(*at), Some(error)),
            WebhookOutcome::Failed { error } => ("failed", None, Some(error)),
            WebhookOutcome::Expired { error } => ("expired", None, Some(error)),
        }
    }
}

/// A webhook as `GET /v1/webhooks` lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct WebhookView {
    /// The row.
    pub id: i64,
    /// `pending`, `delivered`, `failed` (its tries ran out) or `expired`.
    pub state: String,
    /// Its event's `type` (`message.status`, `message.received`).
    pub event: Option<String>,
    /// The gateway's message id the event is about, if any.
    pub message: Option<String>,
    /// Tries made.
    pub tries: u32,
    /// The last failure.
    pub last_error: Option<String>,
    /// When it was queued (RFC 3339).
    pub created_at: String,
}

impl WebhookView {
    pub(crate) fn of(
        id: i64,
        state: String,
        body: &str,
        tries: u32,
        last_error: Option<String>,
        created_at: i64,
    ) -> WebhookView {
        let body: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        WebhookView {
            id,
            state,
            event: body["type"].as_str().map(str::to_owned),
            message: body["id"].as_str().map(str::to_owned),
            tries,
            last_error,
            created_at: rfc3339(created_at),
        }
    }
}

/// A webhook row claimed for a try.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WebhookRow {
    /// The row.
    pub id: i64,
    /// The JSON body.
    pub body: String,
    /// Where it goes, if not to the configured webhook URL.
    pub url: Option<String>,
    /// Tries made before this one.
    pub tries: u32,
    /// Since when it is tried (Unix milliseconds): when it was queued, or tried again by
    /// hand; its expiry counts from here.
    pub since: i64,
}

/// Send slots reserved together ([`Storage::reserve_slots`]): `count` sends from `start`
/// (Unix milliseconds), spread evenly over `span` milliseconds, which is at least `count`
/// intervals (rounded up to whole milliseconds), so that the rate holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Slots {
    /// The first slot (Unix milliseconds).
    pub start: i64,
    /// The milliseconds the slots take, from `start` to the slot after the last.
    pub span: i64,
    /// How many slots.
    pub count: usize,
}

impl Slots {
    /// The milliseconds `count` slots `interval` apart take, rounded up.
    pub(crate) fn span_of(interval: Duration, count: usize) -> i64 {
        let micros = interval
            .as_micros()
            .saturating_mul(u128::try_from(count).unwrap_or(u128::MAX));
        i64::try_from(micros.div_ceil(1000)).unwrap_or(i64::MAX)
    }

    /// When send `n` (from 0) of these may go (Unix milliseconds).
    pub fn at(&self, n: usize) -> i64 {
        let count = i64::try_from(self.count.max(1)).unwrap_or(i64::MAX);
        let n = i64::try_from(n).unwrap_or(i64::MAX);
        self.start
            .saturating_add(self.span.saturating_mul(n) / count)
    }
}

/// Which submissions a page of the inbox lists, newest first (by when they were queued).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MessageQuery {
    /// Only those with this status.
    pub status: Option<String>,
    /// Only those of this account.
    pub account: Option<String>,
    /// Only the one(s) the MMSC gave this MessageID.
    pub message_id: Option<String>,
    /// Only those listed after this one: its `(created_at, id)` (a keyset cursor, so that a
    /// page costs the same however deep it is).
    pub after: Option<(i64, String)>,
    /// At most this many (0: none).
    pub limit: usize,
}

/// A submission as the inbox lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MessageRow {
    /// The gateway's id.
    pub id: String,
    /// The account it goes through.
    pub account: String,
    /// Its `to` recipients.
    pub to: Vec<String>,
    /// Its subject.
    pub subject: Option<String>,
    /// Where it stands.
    pub status: String,
    /// The MMSC's MessageID, once sent.
    pub message_id: Option<String>,
    /// When it was queued (Unix milliseconds): the order of the list, with the id.
    pub created_at: i64,
    /// When its status last changed (Unix milliseconds).
    pub updated_at: i64,
}

impl MessageRow {
    /// A row from its columns, `fields` the JSON object `{"to": …, "subject": …}` taken from
    /// the stored request.
    pub(crate) fn from_columns(
        id: String,
        account: String,
        status: String,
        message_id: Option<String>,
        created_at: i64,
        updated_at: i64,
        fields: &str,
    ) -> MessageRow {
        let fields: Value = serde_json::from_str(fields).unwrap_or(Value::Null);
        let to = match &fields["to"] {
            Value::String(one) => vec![one.clone()],
            Value::Array(many) => many
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        };
        MessageRow {
            id,
            account,
            to,
            subject: fields["subject"].as_str().map(str::to_owned),
            status,
            message_id,
            created_at,
            updated_at,
        }
    }
}

/// A request a peer sent in, as kept (its raw form, which may carry the peer's credentials,
/// is not part of it).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ReceivedRow {
    /// The row (the list's order: newest first).
    pub id: i64,
    /// `DeliverReq`, `DeliveryReportReq` or `ReadReplyReq`.
    pub operation: String,
    /// Its TransactionID.
    pub transaction_id: String,
    /// When it arrived (Unix milliseconds).
    pub received_at: i64,
    /// Its JSON view: whole from [`Storage::received`]; in a list, only `from`, `to`,
    /// `subject`, `message_id`, `mm_status`, `recipient` and the first 200 characters of
    /// `text` (a list never loads attachments).
    pub view: Value,
}

/// A delivery report or read reply that named a MessageID no message had when it arrived
/// (it raced ahead of the record of its submission's MessageID, or the MessageID is another
/// system's): kept, answered 1000, and applied when a message with that MessageID is recorded
/// (then deleted: its message's history records it).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EarlyReport {
    /// The row (the order of arrival).
    pub id: i64,
    /// The MessageID it names.
    pub message_id: String,
    /// The recipient it is about, if it says.
    pub recipient: Option<String>,
    /// The status it brings (`delivered`, `read`, …).
    pub status: String,
    /// Its detail.
    pub detail: Option<String>,
    /// The `received` row it came from.
    pub received: i64,
    /// When it arrived (Unix milliseconds).
    pub received_at: i64,
}

/// How many rows of each kind one [`Storage::expire_finished`] deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Expired {
    /// Submissions no longer queued, with their history.
    pub messages: u64,
    /// Requests as the MMSC sent them in (the inbox's "received" pages).
    pub received: u64,
    /// Parts of messages from subscribers, served to the application by URL.
    pub mo_parts: u64,
    /// Webhook events delivered.
    pub webhooks: u64,
}

impl Expired {
    /// Deleted in all.
    pub fn total(&self) -> u64 {
        self.messages + self.received + self.mo_parts + self.webhooks
    }
}

impl std::ops::AddAssign for Expired {
    fn add_assign(&mut self, other: Expired) {
        self.messages += other.messages;
        self.received += other.received;
        self.mo_parts += other.mo_parts;
        self.webhooks += other.webhooks;
    }
}

/// A webhook that was tried as many times as allowed and is kept as failed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FailedWebhook {
    /// The row (the list's order: newest first).
    pub id: i64,
    /// From its body: `type`, `id`, `status` and `transaction_id` (not the attachments).
    pub summary: Value,
    /// Where it went, if not to the configured webhook URL.
    pub url: Option<String>,
    /// Tries made.
    pub tries: u32,
    /// Why the last one failed.
    pub last_error: Option<String>,
    /// When it was queued (Unix milliseconds).
    pub created_at: i64,
}

/// What the gateway needs of its database. Every method commits before it returns.
pub trait Storage: Clone + Send + Sync + 'static {
    /// Queues a submission, unless its idempotency key was seen: then the first one's id (and
    /// [`GatewayError::IdempotencyConflict`] when the request differs).
    fn enqueue(
        &self,
        new: NewSubmission,
    ) -> impl Future<Output = Result<Enqueued, GatewayError>> + Send;

    /// A submission with its history.
    fn message(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<MessageView>, GatewayError>> + Send;

    /// Claims up to `limit` due submissions of `account` for a try, hidden from other claims
    /// for `lease`.
    fn claim(
        &self,
        account: &str,
        limit: usize,
        lease: Duration,
    ) -> impl Future<Output = Result<Vec<Claimed>, GatewayError>> + Send;

    /// Records how tries ended (and the webhooks they cause, if `webhook` is set), all in
    /// one transaction: one commit for a batch of tries. A `sent` outcome applies the
    /// [`EarlyReport`]s kept for its MessageID in that transaction.
    fn settle(
        &self,
        outcomes: Vec<(String, Outcome)>,
        webhook: bool,
    ) -> impl Future<Output = Result<(), GatewayError>> + Send;

    /// Keeps a request a peer sent in, and applies its status change, in one transaction. A
    /// report whose MessageID no message has is kept as an [`EarlyReport`], applied by the
    /// [`settle`](Self::settle) that records that MessageID (in its transaction, in order of
    /// arrival).
    fn receive(
        &self,
        received: Received,
        webhook: bool,
    ) -> impl Future<Output = Result<(), GatewayError>> + Send;

    /// Reserves the next `count` send slots of `account`'s rate, shared by every gateway on
    /// this storage, one slot each `interval`, in one round trip: the [`Slots`] they span.
    /// `None` when the storage serves one process, whose own token bucket then holds the rate.
    fn reserve_slots(
        &self,
        account: &str,
        interval: Duration,
        count: usize,
    ) -> impl Future<Output = Result<Option<Slots>, GatewayError>> + Send;

    /// Told (`notify_waiters`) whenever this process queues work for the dispatchers, so
    /// that an idle dispatcher claims it at once instead of at its next poll.
    fn queued(&self) -> std::sync::Arc<tokio::sync::Notify>;

    /// What the queue holds now (for `/metrics`).
    fn queue_depth(&self) -> impl Future<Output = Result<QueueDepth, GatewayError>> + Send;

    /// Cancels a message (`operation` a [`Operation::Cancel`]) or replaces its content (a
    /// [`Operation::Replace`]): at once if it was not sent yet, else queued as work for the
    /// MMSC, all in one transaction with its history (and webhook, if `webhook` is set).
    fn change(
        &self,
        id: &str,
        operation: Operation,
        webhook: bool,
    ) -> impl Future<Output = Result<Changed, GatewayError>> + Send;

    /// Claims up to `limit` due webhooks for a try.
    fn claim_webhooks(
        &self,
        limit: usize,
        lease: Duration,
    ) -> impl Future<Output = Result<Vec<WebhookRow>, GatewayError>> + Send;

    /// Records a webhook try.
    fn settle_webhook(
        &self,
        id: i64,
        outcome: WebhookOutcome,
    ) -> impl Future<Output = Result<(), GatewayError>> + Send;

    /// A page of submissions for the inbox (see [`MessageQuery`]).
    fn list_messages(
        &self,
        query: MessageQuery,
    ) -> impl Future<Output = Result<Vec<MessageRow>, GatewayError>> + Send;

    /// Up to `limit` requests peers sent in, newest first, those before row `before` if
    /// given, only those of `operation` (`DeliverReq`, …) if given (see [`ReceivedRow`]).
    fn list_received(
        &self,
        operation: Option<String>,
        before: Option<i64>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<ReceivedRow>, GatewayError>> + Send;

    /// A request a peer sent in, with its whole view.
    fn received(
        &self,
        id: i64,
    ) -> impl Future<Output = Result<Option<ReceivedRow>, GatewayError>> + Send;

    /// Up to `limit` reports not matched to a message yet (see [`EarlyReport`]), newest
    /// first.
    fn list_early_reports(
        &self,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<EarlyReport>, GatewayError>> + Send;

    /// Deletes at most `limit` of the reports not matched to a message (see [`EarlyReport`])
    /// received before `before` (Unix milliseconds), oldest first: how many it deleted. The
    /// gateway calls it with [`GatewayConfig::unmatched_report_retention`], and counts them.
    ///
    /// [`GatewayConfig::unmatched_report_retention`]: crate::GatewayConfig::unmatched_report_retention
    fn expire_early_reports(
        &self,
        before: i64,
        limit: usize,
    ) -> impl Future<Output = Result<u64, GatewayError>> + Send;

    /// Deletes, of what the gateway is done with and was last changed before `before` (Unix
    /// milliseconds), at most `limit` rows of each kind, oldest first: submissions no longer
    /// queued (with their history), requests as received, parts of messages from
    /// subscribers, and delivered webhooks (see [`Expired`]). What may still be needed stays,
    /// however old: a submission still queued or in flight (its own expiry ends it), a
    /// received request an unmatched report refers to (until the report is applied or
    /// expires), and the parts of a message whose webhook is not delivered (pending, or
    /// failed or expired and so still to be tried again by hand, with the parts' URLs in its
    /// body). The gateway calls it with [`GatewayConfig::retention`].
    ///
    /// [`GatewayConfig::retention`]: crate::GatewayConfig::retention
    fn expire_finished(
        &self,
        before: i64,
        limit: usize,
    ) -> impl Future<Output = Result<Expired, GatewayError>> + Send;

    /// Up to `limit` webhooks kept as failed, newest first, those before row `before` if
    /// given.
    fn list_failed_webhooks(
        &self,
        before: Option<i64>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<FailedWebhook>, GatewayError>> + Send;

    /// The submission queued under an `Idempotency-Key`, if one was: its id and its request as
    /// stored (with the digest of the request as received, under the key `$received_sha256`, when it has one).
    fn by_idempotency_key(
        &self,
        key: &str,
    ) -> impl Future<Output = Result<Option<(String, Value)>, GatewayError>> + Send;

    /// The account and the request (JSON, as queued) of a submission.
    fn message_request(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<(String, Value)>, GatewayError>> + Send;

    /// Up to `limit` webhooks in `state`, oldest first.
    fn webhooks(
        &self,
        state: &str,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<WebhookView>, GatewayError>> + Send;

    /// Makes failed and expired webhooks (the one `id`, or all) due again, their tries and
    /// expiry counted afresh; the number made due.
    fn retry_webhooks(
        &self,
        id: Option<i64>,
    ) -> impl Future<Output = Result<u64, GatewayError>> + Send;

    /// Part `n` of the message from a subscriber `mo`: its media type and bytes.
    fn mo_part(
        &self,
        mo: &str,
        n: u32,
    ) -> impl Future<Output = Result<Option<(String, Vec<u8>)>, GatewayError>> + Send;
}

/// A time in Unix milliseconds as RFC 3339 (UTC).
pub(crate) fn rfc3339(at_ms: i64) -> String {
    let secs = at_ms.div_euclid(1000);
    let millis = at_ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// What a cancel or replace does to a message in `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Not sent yet: done in the queue, nothing for the MMSC.
    Local,
    /// Sent: a request for the MMSC, queued.
    Queue,
    /// Being sent now, or past changing.
    Refuse,
}

/// The rules of [`Storage::change`], the same on every backend.
pub(crate) fn decide(
    status: &str,
    message_id: Option<&str>,
    lease_until: Option<i64>,
    now: i64,
    operation: &Operation,
) -> Decision {
    if lease_until.is_some_and(|until| until > now) {
        // A try is under way: what it does is not known yet.
        return Decision::Refuse;
    }
    match (status, message_id) {
        ("queued" | "retrying", None) => Decision::Local,
        ("cancelled" | "cancelling" | "replacing" | "expired" | "failed" | "rejected", _) => {
            Decision::Refuse
        }
        (_, Some(_)) => {
            // Cancelling what was delivered or read changes nothing: refused here rather
            // than at the MMSC. A replace of a delivered message is the MMSC's to refuse.
            if matches!(operation, Operation::Cancel { .. })
                && matches!(status, "delivered" | "read")
            {
                Decision::Refuse
            } else {
                Decision::Queue
            }
        }
        _ => Decision::Refuse,
    }
}

/// The status and history detail of a change done in the queue.
pub(crate) fn local_status(operation: &Operation) -> (&'static str, Option<&'static str>) {
    match operation {
        Operation::Cancel { .. } => ("cancelled", Some("cancelled before it was sent")),
        Operation::Replace { .. } => ("replaced", Some("content replaced before it was sent")),
    }
}

/// The status of a message whose change is queued for the MMSC.
pub(crate) fn queued_status(operation: &Operation) -> &'static str {
    match operation {
        Operation::Cancel { .. } => "cancelling",
        Operation::Replace { .. } => "replacing",
    }
}

/// What a try's outcome writes to its message: the same on every backend.
#[derive(Debug)]
pub(crate) struct Settled {
    pub(crate) status: String,
    pub(crate) detail: Option<String>,
    pub(crate) message_id: Option<String>,
    pub(crate) tries: i32,
    pub(crate) due_at: Option<i64>,
    pub(crate) error: Option<String>,
    /// A cancel or replace tried again keeps its operation; any other outcome ends it.
    pub(crate) keep_operation: bool,
}

impl Settled {
    /// The change `outcome` makes to a message whose pending operation is `operation`.
    pub(crate) fn of(outcome: &Outcome, operation: Option<&str>) -> Settled {
        let mut settled = Settled {
            status: String::new(),
            detail: None,
            message_id: None,
            tries: 1,
            due_at: None,
            error: None,
            keep_operation: false,
        };
        match outcome {
            Outcome::Sent { message_id } => {
                settled.status = "sent".into();
                settled.detail = Some(message_id.clone());
                settled.message_id = Some(message_id.clone());
            }
            Outcome::Retry { at, error } => {
                settled.status = match operation {
                    Some("cancel") => "cancelling".into(),
                    Some("replace") => "replacing".into(),
                    _ => "retrying".into(),
                };
                settled.detail = Some(error.clone());
                settled.due_at = Some(*at);
                settled.error = Some(error.clone());
                settled.keep_operation = true;
            }
            Outcome::Failed { error } => {
                settled.status = match operation {
                    Some(op) => format!("{op}-failed"),
                    None => "failed".into(),
                };
                settled.detail = Some(error.clone());
                settled.error = Some(error.clone());
            }
            Outcome::Expired => {
                let text = "expired before it could be sent".to_owned();
                settled.status = "expired".into();
                settled.tries = 0;
                settled.detail = Some(text.clone());
                settled.error = Some(text);
            }
            Outcome::Cancelled => {
                settled.status = "cancelled".into();
                settled.detail = Some("the MMSC cancelled it".into());
            }
            Outcome::Replaced => {
                settled.status = "replaced".into();
                settled.detail = Some("the MMSC replaced its content".into());
            }
        }
        settled
    }
}

/// Accounts, cancel and replace as queued work, webhooks routed to their own URL. The same
/// statements on PostgreSQL.
pub(crate) const MIGRATION_2: &str = r"
ALTER TABLE messages ADD COLUMN account TEXT NOT NULL DEFAULT 'default';
ALTER TABLE messages ADD COLUMN operation TEXT;
ALTER TABLE messages ADD COLUMN operation_request TEXT;
ALTER TABLE messages ADD COLUMN operation_transaction_id TEXT;
CREATE INDEX messages_account_due ON messages(account, due_at) WHERE due_at IS NOT NULL;
ALTER TABLE webhooks ADD COLUMN url TEXT;
";

/// The inbox's lists: submissions newest first, overall, by status and by account (keyset
/// pages), and the failed webhooks. The same statements on PostgreSQL.
pub(crate) const MIGRATION_INBOX: &str = r"
CREATE INDEX messages_created ON messages(created_at, id);
CREATE INDEX messages_status_created ON messages(status, created_at, id);
CREATE INDEX messages_account_created ON messages(account, created_at, id);
CREATE INDEX webhooks_state ON webhooks(state, id);
CREATE INDEX received_operation ON received(operation, id);
";

/// Unmatched reports by age, so that deleting those past their retention reads only them,
/// however many newer ones wait. The same statement on PostgreSQL.
pub(crate) const MIGRATION_EARLY_REPORTS_AGE: &str = r"
CREATE INDEX early_reports_received_at ON early_reports(received_at, id);
";

/// What [`Storage::expire_finished`] deletes, by age, so that it reads only those rows
/// however many newer ones there are. The same statements on PostgreSQL.
pub(crate) const MIGRATION_RETENTION: &str = r"
CREATE INDEX received_received_at ON received(received_at, id);
CREATE INDEX early_reports_received ON early_reports(received);
CREATE INDEX mo_parts_received_at ON mo_parts(received_at);
CREATE INDEX webhooks_delivered_created ON webhooks(created_at, id) WHERE state = 'delivered';
CREATE INDEX messages_finished ON messages(updated_at, id) WHERE due_at IS NULL;
";

/// The largest `limit` of a list.
pub(crate) const MAX_PAGE: usize = 500;

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn on(account: &str, id: &str, text: &str) -> NewSubmission {
        NewSubmission {
            id: id.into(),
            account: account.into(),
            idempotency_key: None,
            reference: None,
            request: serde_json::json!({"to": "15551234567", "text": text}),
            transaction_id: format!("tx-{id}"),
            expires_at: None,
        }
    }

    #[test]
    fn requests_are_compared_as_received() {
        let a: Value =
            serde_json::from_str(r#"{"to": "1", "attachments": [{"url": "u"}]}"#).unwrap();
        let b: Value =
            serde_json::from_str(r#"{"attachments": [{"url": "u"}], "to": "1"}"#).unwrap();
        let c: Value =
            serde_json::from_str(r#"{"attachments": [{"url": "v"}], "to": "1"}"#).unwrap();
        assert_eq!(received_digest(&a), received_digest(&b));
        assert_ne!(received_digest(&a), received_digest(&c));
        assert_eq!(received_digest(&a).len(), 64);
        // Stored with digests: compared by them, whatever was fetched.
        let stored =
            serde_json::json!({"to": "1", "data": "x", RECEIVED_DIGEST: received_digest(&a)});
        let retry =
            serde_json::json!({"to": "1", "data": "y", RECEIVED_DIGEST: received_digest(&b)});
        let other =
            serde_json::json!({"to": "1", "data": "x", RECEIVED_DIGEST: received_digest(&c)});
        assert!(same_request(&stored, &retry));
        assert!(!same_request(&stored, &other));
        // Queued before digests were kept: by content, the digest aside.
        let old = serde_json::json!({"to": "1", "data": "x"});
        assert!(same_request(&old, &other));
        assert!(!same_request(&old, &retry));
        assert_eq!(without_received_digest(stored), old);
    }

    fn statuses(view: &MessageView) -> Vec<&str> {
        view.history.iter().map(|h| h.status.as_str()).collect()
    }

    /// What every backend must do with submissions and outcomes that arrive together (its
    /// writes batched): each answered on its own, the idempotency key holding within a batch.
    pub(crate) async fn submissions_and_outcomes_together<S: Storage>(storage: S) {
        let account = "together";
        // 40 at once, every fourth with the same idempotency key.
        let tasks: Vec<_> = (0..40)
            .map(|n| {
                let storage = storage.clone();
                tokio::spawn(async move {
                    let mut new = on(account, &format!("together_{n}"), "same");
                    new.idempotency_key = (n % 4 == 0).then(|| "together-key".to_owned());
                    storage.enqueue(new).await
                })
            })
            .collect();
        let mut new = 0;
        let mut existing = Vec::new();
        for task in tasks {
            match task.await.unwrap().unwrap() {
                Enqueued::New(_) => new += 1,
                Enqueued::Existing(id) => existing.push(id),
            }
        }
        // One of the ten with the shared key was queued; the nine others got its id.
        assert_eq!((new, existing.len()), (31, 9));
        existing.dedup();
        assert_eq!(existing.len(), 1);
        assert!(storage.message(&existing[0]).await.unwrap().is_some());
        // The same key with another request is refused.
        let mut other = on(account, "together_other", "different");
        other.idempotency_key = Some("together-key".to_owned());
        assert!(matches!(
            storage.enqueue(other).await,
            Err(GatewayError::IdempotencyConflict(_))
        ));
        let claimed = storage
            .claim(account, 100, Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(claimed.len(), 31);
        // Outcomes recorded while more submissions are queued: each answered, each applied.
        let settles: Vec<_> = claimed
            .chunks(8)
            .map(|chunk| {
                let storage = storage.clone();
                let outcomes: Vec<(String, Outcome)> = chunk
                    .iter()
                    .map(|c| {
                        let message_id = format!("mid-{}", c.id);
                        (c.id.clone(), Outcome::Sent { message_id })
                    })
                    .collect();
                tokio::spawn(async move { storage.settle(outcomes, false).await })
            })
            .collect();
        let queues: Vec<_> = (0..10)
            .map(|n| {
                let storage = storage.clone();
                tokio::spawn(async move {
                    storage
                        .enqueue(on(account, &format!("together_late_{n}"), "late"))
                        .await
                })
            })
            .collect();
        for settle in settles {
            settle.await.unwrap().unwrap();
        }
        for queue in queues {
            assert!(matches!(queue.await.unwrap(), Ok(Enqueued::New(_))));
        }
        for c in &claimed {
            let view = storage.message(&c.id).await.unwrap().unwrap();
            assert_eq!(view.status, "sent", "{view:?}");
            assert_eq!(view.message_id, Some(format!("mid-{}", c.id)));
            assert_eq!(statuses(&view), ["queued", "sent"]);
        }
        // The late ones, and nothing sent, are what is due now.
        let due = storage
            .claim(account, 100, Duration::from_secs(60))
            .await
            .unwrap();
        let mut ids: Vec<&str> = due.iter().map(|c| c.id.as_str()).collect();
        ids.sort_unstable();
        let mut late: Vec<String> = (0..10).map(|n| format!("together_late_{n}")).collect();
        late.sort_unstable();
        assert_eq!(ids, late);
    }

    /// What every backend must do with accounts, cancels and replaces; run on SQLite here and
    /// on PostgreSQL by its module.
    pub(crate) async fn accounts_cancel_and_replace<S: Storage>(storage: S, shared_rate: bool) {
        let lease = Duration::from_secs(60);
        for (account, id) in [("us", "m1"), ("us", "m2"), ("au", "m3")] {
            storage.enqueue(on(account, id, id)).await.unwrap();
        }
        let depth = storage.queue_depth().await.unwrap();
        assert_eq!(depth.accounts["us"].queued, 2, "{depth:?}");
        assert_eq!(depth.accounts["au"].queued, 1, "{depth:?}");
        assert_eq!(depth.queued, 3);
        assert_eq!(storage.message("m3").await.unwrap().unwrap().account, "au");

        // Each account's dispatcher claims its own messages only.
        let au = storage.claim("au", 10, lease).await.unwrap();
        assert_eq!(au.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["m3"]);
        let us = storage.claim("us", 10, lease).await.unwrap();
        assert_eq!(us.len(), 2);
        assert!(
            us.iter()
                .all(|c| c.operation.is_none() && c.message_id.is_none())
        );

        // A message being sent cannot be changed; an unknown one is not found.
        let cancel = || Operation::Cancel {
            transaction_id: "tx-cancel".into(),
        };
        assert_eq!(
            storage.change("m2", cancel(), true).await.unwrap(),
            Changed::Refused("sending".into())
        );
        assert_eq!(
            storage.change("nope", cancel(), true).await.unwrap(),
            Changed::NotFound
        );

        // Sent: a cancel is work for the MMSC, claimed with its MessageID, tried again.
        storage
            .settle(
                vec![
                    (
                        "m1".into(),
                        Outcome::Sent {
                            message_id: "MID1".into(),
                        },
                    ),
                    (
                        "m2".into(),
                        Outcome::Retry {
                            at: now_ms() + 600_000,
                            error: "down".into(),
                        },
                    ),
                ],
                true,
            )
            .await
            .unwrap();
        assert_eq!(
            storage.change("m1", cancel(), true).await.unwrap(),
            Changed::Queued("cancelling".into())
        );
        let claimed = storage.claim("us", 10, lease).await.unwrap();
        assert_eq!(claimed.len(), 1, "{claimed:?}");
        assert_eq!(claimed[0].message_id.as_deref(), Some("MID1"));
        assert_eq!(claimed[0].operation, Some(cancel()));
        assert_eq!(
            storage.message("m1").await.unwrap().unwrap().status,
            "cancelling"
        );
        storage
            .settle(
                vec![(
                    "m1".into(),
                    Outcome::Retry {
                        at: now_ms(),
                        error: "busy".into(),
                    },
                )],
                true,
            )
            .await
            .unwrap();
        assert_eq!(
            storage.message("m1").await.unwrap().unwrap().status,
            "cancelling"
        );
        let claimed = storage.claim("us", 10, lease).await.unwrap();
        assert_eq!(claimed[0].operation, Some(cancel()));
        storage
            .settle(vec![("m1".into(), Outcome::Cancelled)], true)
            .await
            .unwrap();
        let view = storage.message("m1").await.unwrap().unwrap();
        assert_eq!(view.status, "cancelled");
        assert_eq!(view.message_id.as_deref(), Some("MID1"));
        assert_eq!(
            statuses(&view),
            ["queued", "sent", "cancelling", "cancelling", "cancelled"]
        );
        assert!(storage.claim("us", 10, lease).await.unwrap().is_empty());
        assert_eq!(
            storage.change("m1", cancel(), true).await.unwrap(),
            Changed::Refused("cancelled".into())
        );

        // Not sent yet (waiting for a retry): cancelled in the queue, never claimed again.
        assert_eq!(
            storage.change("m2", cancel(), true).await.unwrap(),
            Changed::Done("cancelled".into())
        );
        let view = storage.message("m2").await.unwrap().unwrap();
        assert_eq!(statuses(&view), ["queued", "retrying", "cancelled"]);

        // A queued message's content is replaced in the queue; the try sends the new one.
        storage.enqueue(on("us", "m4", "old")).await.unwrap();
        let replace = Operation::Replace {
            transaction_id: "tx-r".into(),
            content: serde_json::json!({"text": "new"}),
        };
        assert_eq!(
            storage.change("m4", replace.clone(), true).await.unwrap(),
            Changed::Done("replaced".into())
        );
        let claimed = storage.claim("us", 10, lease).await.unwrap();
        assert_eq!(claimed[0].request["text"], "new");
        assert_eq!(claimed[0].request["to"], "15551234567");
        // Sent, then replaced through the MMSC.
        storage
            .settle(
                vec![(
                    "m4".into(),
                    Outcome::Sent {
                        message_id: "MID4".into(),
                    },
                )],
                true,
            )
            .await
            .unwrap();
        assert_eq!(
            storage.change("m4", replace.clone(), true).await.unwrap(),
            Changed::Queued("replacing".into())
        );
        let claimed = storage.claim("us", 10, lease).await.unwrap();
        assert_eq!(claimed[0].operation, Some(replace));
        storage
            .settle(vec![("m4".into(), Outcome::Replaced)], true)
            .await
            .unwrap();
        let view = storage.message("m4").await.unwrap().unwrap();
        assert_eq!(view.status, "replaced");
        assert_eq!(
            statuses(&view),
            ["queued", "replaced", "sent", "replacing", "replaced"]
        );

        // Status webhooks were queued for each change.
        let hooks = storage.claim_webhooks(100, lease).await.unwrap();
        let cancelled = hooks
            .iter()
            .filter(|h| h.body.contains("\"cancelled\""))
            .count();
        assert_eq!(cancelled, 2, "{hooks:?}");
        assert!(hooks.iter().all(|h| h.url.is_none()));

        // An MO message routed to its own webhook URL.
        storage
            .receive(
                Received {
                    operation: "DeliverReq".into(),
                    transaction_id: "mo-1".into(),
                    raw: b"raw".to_vec(),
                    view: serde_json::json!({}),
                    status: None,
                    webhook: Some(serde_json::json!({"type": "message.received"})),
                    webhook_url: Some("http://127.0.0.1:9/stop".into()),
                    parts: Vec::new(),
                },
                true,
            )
            .await
            .unwrap();
        let hooks = storage.claim_webhooks(100, lease).await.unwrap();
        assert_eq!(hooks.len(), 1);
        assert_eq!(hooks[0].url.as_deref(), Some("http://127.0.0.1:9/stop"));

        // A report ahead of the record of its message's MessageID: kept (no webhook yet),
        // applied when the MessageID is recorded; the same report after it applies at once.
        let report = Received {
            operation: "DeliveryReportReq".into(),
            transaction_id: "dr-1".into(),
            raw: b"raw".to_vec(),
            view: serde_json::json!({}),
            status: Some(("MID5".into(), "delivered".into(), None)),
            webhook: None,
            webhook_url: None,
            parts: Vec::new(),
        };
        storage.enqueue(on("us", "m5", "five")).await.unwrap();
        storage.receive(report.clone(), true).await.unwrap();
        assert!(storage.claim_webhooks(100, lease).await.unwrap().is_empty());
        let outcome = Outcome::Sent {
            message_id: "MID5".into(),
        };
        storage
            .settle(vec![("m5".into(), outcome)], false)
            .await
            .unwrap();
        storage.receive(report, true).await.unwrap();
        let view = storage.message("m5").await.unwrap().unwrap();
        assert_eq!(
            statuses(&view),
            ["queued", "sent", "delivered", "delivered"]
        );
        // The settle asked for no webhooks; the report after it did.
        let hooks = storage.claim_webhooks(100, lease).await.unwrap();
        assert_eq!(hooks.len(), 1, "{hooks:?}");
        assert!(hooks[0].body.contains("\"delivered\""), "{hooks:?}");
        assert!(storage.list_early_reports(10).await.unwrap().is_empty());

        // The shared rate: one schedule per account.
        let second = Duration::from_secs(1);
        let us1 = storage.reserve_slots("us", second, 1).await.unwrap();
        let us2 = storage.reserve_slots("us", second, 3).await.unwrap();
        let us3 = storage.reserve_slots("us", second, 1).await.unwrap();
        let au1 = storage.reserve_slots("au", second, 1).await.unwrap();
        if shared_rate {
            let (us1, us2, us3, au1) = (us1.unwrap(), us2.unwrap(), us3.unwrap(), au1.unwrap());
            assert!(us2.start - us1.start >= 1000, "{us1:?} {us2:?}");
            // Three slots reserved together take three intervals.
            assert_eq!((us2.span, us2.count), (3000, 3));
            assert_eq!(us2.at(2) - us2.at(0), 2000);
            assert!(us3.start - us2.start >= 3000, "{us2:?} {us3:?}");
            assert!(au1.start < us2.start, "{au1:?} {us2:?}");
        } else {
            assert_eq!((us1, us2, us3, au1), (None, None, None, None));
        }
    }

    fn deliver(mo: &str, parts: Vec<MoPart>) -> Received {
        Received {
            operation: "DeliverReq".into(),
            transaction_id: format!("tx-{mo}"),
            raw: b"raw".to_vec(),
            view: serde_json::json!({}),
            status: None,
            webhook: Some(serde_json::json!({"type": "message.received", "id": mo})),
            webhook_url: None,
            parts,
        }
    }

    /// Claims the webhook about `mo` (others may be due too), within a few seconds.
    async fn claim_about<S: Storage>(storage: &S, mo: &str) -> WebhookRow {
        for _ in 0..50 {
            let rows = storage
                .claim_webhooks(100, Duration::from_secs(60))
                .await
                .unwrap();
            if let Some(row) = rows.into_iter().find(|r| r.body.contains(mo)) {
                return row;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("no webhook about {mo} is due");
    }

    /// What every backend must do with the parts of messages from subscribers, webhooks that
    /// fail for good or expire (kept, counted, tried again by hand), and the request of a
    /// submission; run on SQLite here and on PostgreSQL by its module.
    pub(crate) fn report(message_id: &str, status: &str, recipient: &str) -> Received {
        Received {
            operation: "DeliveryReportReq".into(),
            transaction_id: format!("dr-{message_id}-{status}"),
            raw: b"raw".to_vec(),
            view: serde_json::json!({"message_id": message_id, "recipient": recipient}),
            status: Some((
                message_id.into(),
                status.into(),
                Some(format!("{status} for {recipient}")),
            )),
            webhook: None,
            webhook_url: None,
            parts: Vec::new(),
        }
    }

    /// What every backend must do with reports that arrive before their message's MessageID
    /// is recorded: keep them, apply them in order of arrival (history and webhooks as if
    /// they came after) in the settle that records it, and list and count those that match
    /// nothing.
    pub(crate) async fn reports_ahead_of_their_message<S: Storage>(storage: S) {
        let lease = Duration::from_secs(60);
        // Webhooks earlier tests left are claimed out of the way.
        while !storage.claim_webhooks(500, lease).await.unwrap().is_empty() {}
        storage
            .enqueue(on("early", "early_1", "one"))
            .await
            .unwrap();
        storage
            .enqueue(on("early", "early_2", "two"))
            .await
            .unwrap();
        storage
            .receive(report("MIDE1", "delivered", "+15550001"), true)
            .await
            .unwrap();
        storage
            .receive(report("MIDE1", "read", "+15550001"), true)
            .await
            .unwrap();
        storage
            .receive(report("MIDX", "delivered", "+15550009"), true)
            .await
            .unwrap();
        // Nothing changed yet; the three kept, newest first, each with its received row.
        let view = storage.message("early_1").await.unwrap().unwrap();
        assert_eq!(statuses(&view), ["queued"]);
        assert!(storage.claim_webhooks(100, lease).await.unwrap().is_empty());
        let early = storage.list_early_reports(10).await.unwrap();
        let listed: Vec<(&str, &str, Option<&str>)> = early
            .iter()
            .map(|r| {
                (
                    r.message_id.as_str(),
                    r.status.as_str(),
                    r.recipient.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            listed,
            [
                ("MIDX", "delivered", Some("+15550009")),
                ("MIDE1", "read", Some("+15550001")),
                ("MIDE1", "delivered", Some("+15550001")),
            ]
        );
        let kept = storage.received(early[0].received).await.unwrap().unwrap();
        assert_eq!(kept.transaction_id, "dr-MIDX-delivered");
        assert_eq!(storage.queue_depth().await.unwrap().unmatched_reports, 3);

        // Recording MIDE1 applies both of its reports, in order, with their webhooks.
        let sent = |m: &str| Outcome::Sent {
            message_id: m.into(),
        };
        storage
            .settle(
                vec![
                    ("early_1".into(), sent("MIDE1")),
                    ("early_2".into(), sent("MIDE2")),
                ],
                true,
            )
            .await
            .unwrap();
        let view = storage.message("early_1").await.unwrap().unwrap();
        assert_eq!(statuses(&view), ["queued", "sent", "delivered", "read"]);
        assert_eq!(view.status, "read");
        assert_eq!(
            view.history[2].detail.as_deref(),
            Some("delivered for +15550001")
        );
        let view = storage.message("early_2").await.unwrap().unwrap();
        assert_eq!(statuses(&view), ["queued", "sent"]);
        let mut hooks = storage.claim_webhooks(100, lease).await.unwrap();
        hooks.sort_by_key(|h| h.id);
        let about_1: Vec<Value> = hooks
            .iter()
            .map(|h| serde_json::from_str::<Value>(&h.body).unwrap())
            .filter(|b| b["id"] == "early_1")
            .map(|b| b["status"].clone())
            .collect();
        assert_eq!(about_1, ["sent", "delivered", "read"], "{hooks:?}");
        assert_eq!(hooks.len(), 4, "{hooks:?}");

        // The report for a MessageID never sent stays listed and counted.
        let early = storage.list_early_reports(10).await.unwrap();
        assert_eq!(early.len(), 1, "{early:?}");
        assert_eq!(early[0].message_id, "MIDX");
        assert_eq!(storage.queue_depth().await.unwrap().unmatched_reports, 1);

        // Past their retention, unmatched reports are deleted, oldest first, at most `limit`
        // at a time; newer ones, and what the applied ones wrote, stay.
        let midx_at = early[0].received_at;
        tokio::time::sleep(Duration::from_millis(5)).await;
        for id in ["MIDY", "MIDZ"] {
            storage
                .receive(report(id, "delivered", "+15550008"), true)
                .await
                .unwrap();
        }
        let ids = |early: Vec<EarlyReport>| -> Vec<String> {
            early.into_iter().map(|r| r.message_id).collect()
        };
        assert_eq!(storage.expire_early_reports(midx_at, 10).await.unwrap(), 0);
        assert_eq!(
            storage.expire_early_reports(midx_at + 1, 10).await.unwrap(),
            1
        );
        assert_eq!(
            ids(storage.list_early_reports(10).await.unwrap()),
            ["MIDZ", "MIDY"]
        );
        assert_eq!(storage.queue_depth().await.unwrap().unmatched_reports, 2);
        let later = now_ms() + 1;
        assert_eq!(storage.expire_early_reports(later, 1).await.unwrap(), 1);
        assert_eq!(ids(storage.list_early_reports(10).await.unwrap()), ["MIDZ"]);
        assert_eq!(storage.expire_early_reports(later, 10).await.unwrap(), 1);
        assert_eq!(storage.expire_early_reports(later, 10).await.unwrap(), 0);
        assert!(storage.list_early_reports(10).await.unwrap().is_empty());
        assert_eq!(storage.queue_depth().await.unwrap().unmatched_reports, 0);
        let view = storage.message("early_1").await.unwrap().unwrap();
        assert_eq!(statuses(&view), ["queued", "sent", "delivered", "read"]);
    }

    /// Deletes everything [`Storage::expire_finished`] may delete before `before`, a batch at
    /// a time: how many of each kind.
    async fn expire_all<S: Storage>(storage: &S, before: i64) -> Expired {
        let mut all = Expired::default();
        loop {
            let batch = storage.expire_finished(before, 2).await.unwrap();
            assert!(
                batch.messages <= 2
                    && batch.received <= 2
                    && batch.mo_parts <= 2
                    && batch.webhooks <= 2,
                "{batch:?}"
            );
            all += batch;
            if batch.total() == 0 {
                return all;
            }
        }
    }

    /// Claims the webhooks due (leased for no time: those not settled here are due again at
    /// once) and settles the one about `mo` with `outcome`: its row.
    async fn settle_about<S: Storage>(storage: &S, mo: &str, outcome: WebhookOutcome) -> i64 {
        let quoted = format!("\"{mo}\"");
        for _ in 0..50 {
            let rows = storage.claim_webhooks(100, Duration::ZERO).await.unwrap();
            if let Some(row) = rows.into_iter().find(|r| r.body.contains(&quoted)) {
                storage.settle_webhook(row.id, outcome).await.unwrap();
                return row.id;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("no webhook about {mo} is due");
    }

    /// What every backend must do with what the gateway is done with: requests received, the
    /// parts of messages from subscribers and delivered webhooks are deleted past the
    /// retention, a batch at a time; what may still be needed stays (the request of an
    /// unmatched report, the parts of a message whose webhook is not delivered) until it is
    /// not. Runs after the other shared tests on the same database: it first deletes what
    /// they left that may be deleted, then counts only its own rows.
    pub(crate) async fn finished_work_expires<S: Storage>(storage: S) {
        let part = |mo: &str| vec![MoPart::new(mo, 1, "image/png", b"png".to_vec())];
        let now = now_ms() + 1;
        expire_all(&storage, now).await;
        tokio::time::sleep(Duration::from_millis(5)).await;

        // Sent (nothing more to do for it): it and its history may go; queued: it stays.
        let account = "retention";
        for id in ["exp_sent", "exp_queued"] {
            storage.enqueue(on(account, id, "hi")).await.unwrap();
        }
        let sent = |id: &str| {
            vec![(
                id.to_owned(),
                Outcome::Sent {
                    message_id: format!("mid-{id}"),
                },
            )]
        };
        let claimed = storage
            .claim(account, 1, Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(claimed.len(), 1);
        let first = claimed[0].id.clone();
        storage.settle(sent(&first), false).await.unwrap();
        let queued = if first == "exp_sent" {
            "exp_queued"
        } else {
            "exp_sent"
        };
        // Delivered: the request, its part and the webhook may all go.
        storage
            .receive(deliver("mo_done", part("mo_done")), true)
            .await
            .unwrap();
        settle_about(&storage, "mo_done", WebhookOutcome::Delivered).await;
        // Its webhook still to be delivered: the part stays with it.
        storage
            .receive(deliver("mo_waiting", part("mo_waiting")), true)
            .await
            .unwrap();
        // No webhook at all (none configured): nothing refers to it.
        let mut quiet = deliver("mo_quiet", part("mo_quiet"));
        quiet.webhook = None;
        storage.receive(quiet, true).await.unwrap();
        // A report no message has: its request stays while it waits.
        storage
            .receive(report("MID-WAITS", "delivered", "+15550009"), true)
            .await
            .unwrap();
        let early = storage.list_early_reports(10).await.unwrap();
        let waiting = early
            .iter()
            .find(|r| r.message_id == "MID-WAITS")
            .expect("the unmatched report")
            .clone();
        tokio::time::sleep(Duration::from_millis(5)).await;
        let cutoff = now_ms();
        tokio::time::sleep(Duration::from_millis(5)).await;
        // After the cut-off: stays whatever happens to the older ones.
        storage
            .receive(deliver("mo_new", part("mo_new")), true)
            .await
            .unwrap();
        storage.enqueue(on(account, "exp_new", "hi")).await.unwrap();
        let claimed = storage
            .claim(account, 10, Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(claimed.len(), 2, "{claimed:?}");
        storage.settle(sent("exp_new"), false).await.unwrap();
        // The other one claimed here is in flight: due again when its lease ends.
        settle_about(&storage, "mo_new", WebhookOutcome::Delivered).await;

        // Nothing was received before the first run's cut-off.
        assert_eq!(expire_all(&storage, now).await, Expired::default());
        let gone = expire_all(&storage, cutoff).await;
        assert_eq!(
            (gone.messages, gone.received, gone.mo_parts, gone.webhooks),
            (1, 3, 2, 1),
            "{gone:?}"
        );
        assert!(storage.message(&first).await.unwrap().is_none());
        for kept in [queued, "exp_new"] {
            assert!(storage.message(kept).await.unwrap().is_some(), "{kept}");
        }
        assert_eq!(storage.mo_part("mo_done", 1).await.unwrap(), None);
        assert_eq!(storage.mo_part("mo_quiet", 1).await.unwrap(), None);
        assert!(storage.mo_part("mo_waiting", 1).await.unwrap().is_some());
        assert!(storage.mo_part("mo_new", 1).await.unwrap().is_some());
        assert!(storage.received(waiting.received).await.unwrap().is_some());
        let left: Vec<String> = storage
            .list_received(None, None, 500)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.transaction_id)
            .collect();
        assert_eq!(left, ["tx-mo_new", "dr-MID-WAITS-delivered"], "{left:?}");
        assert_eq!(expire_all(&storage, cutoff).await, Expired::default());

        // A webhook that failed may be tried again by hand: its part stays until it is
        // delivered.
        let failed = settle_about(
            &storage,
            "mo_waiting",
            WebhookOutcome::Failed {
                error: "HTTP 410".into(),
            },
        )
        .await;
        assert_eq!(expire_all(&storage, cutoff).await, Expired::default());
        assert!(storage.mo_part("mo_waiting", 1).await.unwrap().is_some());
        assert_eq!(storage.retry_webhooks(Some(failed)).await.unwrap(), 1);
        settle_about(&storage, "mo_waiting", WebhookOutcome::Delivered).await;
        let gone = expire_all(&storage, cutoff).await;
        assert_eq!(
            (gone.received, gone.mo_parts, gone.webhooks),
            (0, 1, 1),
            "{gone:?}"
        );
        assert_eq!(storage.mo_part("mo_waiting", 1).await.unwrap(), None);

        // Once its report expires, the request it came in goes too.
        assert_eq!(storage.expire_early_reports(cutoff, 10).await.unwrap(), 1);
        let gone = expire_all(&storage, cutoff).await;
        assert_eq!(gone.received, 1, "{gone:?}");
        assert!(storage.received(waiting.received).await.unwrap().is_none());
        assert!(storage.mo_part("mo_new", 1).await.unwrap().is_some());
    }

    pub(crate) async fn webhooks_kept_and_mo_parts<S: Storage>(storage: S) {
        let picture = b"\x89PNG\r\n\x1a\n\x00\xffbinary".to_vec();
        storage
            .receive(
                deliver(
                    "mo_kept",
                    vec![
                        MoPart::new("mo_kept", 1, "image/png", picture.clone()),
                        MoPart::new("mo_kept", 2, "text/plain", b"hi".to_vec()),
                    ],
                ),
                true,
            )
            .await
            .unwrap();
        assert_eq!(
            storage.mo_part("mo_kept", 1).await.unwrap(),
            Some(("image/png".to_owned(), picture))
        );
        assert_eq!(
            storage.mo_part("mo_kept", 2).await.unwrap().unwrap().1,
            b"hi"
        );
        assert_eq!(storage.mo_part("mo_kept", 3).await.unwrap(), None);
        assert_eq!(storage.mo_part("mo_other", 1).await.unwrap(), None);

        // Tried again, then expired: kept, counted and listed.
        let row = claim_about(&storage, "mo_kept").await;
        assert!((now_ms() - row.since).abs() < 60_000, "{row:?}");
        let first_since = row.since;
        storage
            .settle_webhook(
                row.id,
                WebhookOutcome::Retry {
                    at: now_ms(),
                    error: "HTTP 503".into(),
                },
            )
            .await
            .unwrap();
        let row = claim_about(&storage, "mo_kept").await;
        assert_eq!((row.tries, row.since), (1, first_since));
        storage
            .settle_webhook(
                row.id,
                WebhookOutcome::Expired {
                    error: "HTTP 503 again".into(),
                },
            )
            .await
            .unwrap();
        let expired_id = row.id;
        storage
            .receive(deliver("mo_fails", Vec::new()), true)
            .await
            .unwrap();
        let row = claim_about(&storage, "mo_fails").await;
        storage
            .settle_webhook(
                row.id,
                WebhookOutcome::Failed {
                    error: "HTTP 410".into(),
                },
            )
            .await
            .unwrap();
        let depth = storage.queue_depth().await.unwrap();
        assert_eq!((depth.webhooks_expired, depth.webhooks_failed), (1, 1));
        let expired = storage.webhooks("expired", 10).await.unwrap();
        assert_eq!(expired.len(), 1, "{expired:?}");
        assert_eq!(expired[0].id, expired_id);
        assert_eq!(expired[0].event.as_deref(), Some("message.received"));
        assert_eq!(expired[0].message.as_deref(), Some("mo_kept"));
        assert_eq!(expired[0].tries, 2);
        assert_eq!(expired[0].last_error.as_deref(), Some("HTTP 503 again"));

        // Tried again by hand: due at once, its tries and expiry counted afresh.
        assert_eq!(storage.retry_webhooks(Some(expired_id)).await.unwrap(), 1);
        assert_eq!(storage.retry_webhooks(Some(expired_id)).await.unwrap(), 0);
        let row = claim_about(&storage, "mo_kept").await;
        assert_eq!(row.id, expired_id);
        assert_eq!(row.tries, 0);
        assert!(row.since >= first_since);
        storage
            .settle_webhook(row.id, WebhookOutcome::Delivered)
            .await
            .unwrap();
        assert_eq!(storage.retry_webhooks(None).await.unwrap(), 1);
        let depth = storage.queue_depth().await.unwrap();
        assert_eq!((depth.webhooks_expired, depth.webhooks_failed), (0, 0));
        assert!(storage.webhooks("expired", 10).await.unwrap().is_empty());
        assert_eq!(storage.webhooks("delivered", 10).await.unwrap().len(), 1);

        // A submission's account and request, for the checks of a replacement.
        storage.enqueue(on("au", "m-req", "hello")).await.unwrap();
        let (account, request) = storage.message_request("m-req").await.unwrap().unwrap();
        assert_eq!(account, "au");
        assert_eq!(request["text"], "hello");
        assert!(storage.message_request("m-none").await.unwrap().is_none());
    }

    #[test]
    fn slots_span_whole_milliseconds_rounded_up() {
        let span = Slots::span_of;
        assert_eq!(span(Duration::from_millis(250), 3), 750);
        // 1/3 s: 333.33… ms, never less.
        assert_eq!(span(Duration::from_secs(1) / 3, 1), 334);
        // 100 000 a second: sixteen take a millisecond at least.
        assert_eq!(span(Duration::from_micros(10), 16), 1);
        let slots = Slots {
            start: 1000,
            span: 750,
            count: 3,
        };
        assert_eq!((slots.at(0), slots.at(1), slots.at(2)), (1000, 1250, 1500));
    }

    #[test]
    fn rfc3339_of_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(rfc3339(1_796_256_000_000), "2026-12-03T00:00:00.000Z");
    }
}

//! The gateway's durable state: submissions and their status history, the outbound work
//! queue (leases, so that a stopped gateway's claims pass to the next), what peers sent in,
//! and the webhook queue.
//!
//! [`Storage`] is what the gateway needs of a database; [`SqliteStorage`] implements it on one
//! SQLite file (WAL, `synchronous=FULL`: a commit is on disk when it returns), with the
//! blocking work on tokio's blocking threads, never on the async workers. The queue operations
//! are written as a database with row locks would run them (claim due rows under a lease,
//! settle them), so a backend shared by several machines fits the same trait.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use crate::error::GatewayError;
use crate::metrics::QueueDepth;

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn ms(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
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
    /// one transaction: one commit for a batch of tries.
    fn settle(
        &self,
        outcomes: Vec<(String, Outcome)>,
        webhook: bool,
    ) -> impl Future<Output = Result<(), GatewayError>> + Send;

    /// Keeps a request a peer sent in, and applies its status change, in one transaction.
    fn receive(
        &self,
        received: Received,
        webhook: bool,
    ) -> impl Future<Output = Result<(), GatewayError>> + Send;

    /// Reserves the next send slot (Unix milliseconds) of `account`'s rate, shared by every
    /// gateway on this storage, one slot each `interval`; `None` when the storage serves one
    /// process, whose own token bucket then holds the rate.
    fn reserve_slot(
        &self,
        account: &str,
        interval: Duration,
    ) -> impl Future<Output = Result<Option<i64>, GatewayError>> + Send;

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

    /// Records a webhook try: delivered (`None`), or failed with `error`, tried again at
    /// `retry_at` or kept as failed.
    fn settle_webhook(
        &self,
        id: i64,
        error: Option<String>,
        retry_at: Option<i64>,
    ) -> impl Future<Output = Result<(), GatewayError>> + Send;
}

/// The SQLite backend: one database file, `gateway.sqlite3`, in the data directory.
#[derive(Debug, Clone)]
pub struct SqliteStorage {
    conn: Arc<Mutex<Connection>>,
    enqueuer: std::sync::mpsc::Sender<EnqueueJob>,
    path: PathBuf,
}

/// The schema, one migration per version; `user_version` says which ran.
const MIGRATIONS: &[&str] = &[
    r"
CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    idempotency_key TEXT UNIQUE,
    reference TEXT,
    request TEXT NOT NULL,
    status TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    message_id TEXT,
    tries INTEGER NOT NULL DEFAULT 0,
    due_at INTEGER,
    lease_until INTEGER,
    expires_at INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX messages_due ON messages(due_at) WHERE due_at IS NOT NULL;
CREATE INDEX messages_message_id ON messages(message_id);
CREATE TABLE history (
    id INTEGER PRIMARY KEY,
    message TEXT NOT NULL REFERENCES messages(id),
    at INTEGER NOT NULL,
    status TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX history_message ON history(message);
CREATE TABLE received (
    id INTEGER PRIMARY KEY,
    operation TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    raw BLOB NOT NULL,
    view TEXT NOT NULL,
    received_at INTEGER NOT NULL
);
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    tries INTEGER NOT NULL DEFAULT 0,
    due_at INTEGER,
    lease_until INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX webhooks_due ON webhooks(due_at) WHERE due_at IS NOT NULL;
",
    MIGRATION_2,
];

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

fn db(what: &'static str) -> impl Fn(rusqlite::Error) -> GatewayError {
    move |source| GatewayError::Database { what, source }
}

impl SqliteStorage {
    /// Opens (creating it and its directory if needed) `gateway.sqlite3` in `dir`, and runs
    /// the migrations it lacks.
    ///
    /// # Errors
    /// The directory or the database cannot be opened, or it was written by a newer version.
    pub fn open(dir: &Path) -> Result<SqliteStorage, GatewayError> {
        SqliteStorage::open_file(&dir.join("gateway.sqlite3"))
    }

    /// Opens (creating it and its directory if needed) the database file `path`.
    ///
    /// # Errors
    /// As [`open`](Self::open).
    pub fn open_file(path: &Path) -> Result<SqliteStorage, GatewayError> {
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|source| GatewayError::DataDir {
            path: dir.to_owned(),
            source,
        })?;
        let path = path.to_owned();
        let mut conn = Connection::open(&path).map_err(db("opening the database"))?;
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(db("setting the busy timeout"))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(db("setting WAL mode"))?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(db("setting synchronous=FULL"))?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(db("enabling foreign keys"))?;
        let version: usize = conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(db("reading the schema version"))?;
        if version > MIGRATIONS.len() {
            return Err(GatewayError::NewerSchema {
                found: version,
                known: MIGRATIONS.len(),
            });
        }
        for (number, migration) in MIGRATIONS.iter().enumerate().skip(version) {
            let tx = conn.transaction().map_err(db("starting a migration"))?;
            tx.execute_batch(migration).map_err(db("migrating"))?;
            tx.pragma_update(None, "user_version", number + 1)
                .map_err(db("recording the schema version"))?;
            tx.commit().map_err(db("committing a migration"))?;
        }
        let conn = Arc::new(Mutex::new(conn));
        Ok(SqliteStorage {
            enqueuer: spawn_enqueuer(Arc::clone(&conn)),
            conn,
            path,
        })
    }

    /// Makes what a stopped gateway had claimed due now: the messages it was sending and the
    /// webhooks it was posting (each try carries the same TransactionID, so an MMSC that took
    /// one can tell the repeat). A SQLite database serves one gateway process, which calls this
    /// at start; claims of a process that is still running must not be released.
    ///
    /// # Errors
    /// The database cannot be written.
    pub fn release_claims(&self) -> Result<usize, GatewayError> {
        let conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        let messages = conn
            .execute(
                "UPDATE messages SET lease_until = NULL, status = 'queued'
                 WHERE status = 'sending'",
                [],
            )
            .map_err(db("releasing claims"))?;
        // A cancel or replace under way keeps its status (`cancelling`, `replacing`).
        let operations = conn
            .execute(
                "UPDATE messages SET lease_until = NULL
                 WHERE operation IS NOT NULL AND lease_until IS NOT NULL",
                [],
            )
            .map_err(db("releasing claims"))?;
        conn.execute(
            "UPDATE webhooks SET lease_until = NULL WHERE lease_until IS NOT NULL",
            [],
        )
        .map_err(db("releasing claims"))?;
        Ok(messages + operations)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on the connection on a blocking thread.
    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, GatewayError> + Send + 'static,
    ) -> Result<T, GatewayError> {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut conn = conn.lock().unwrap_or_else(PoisonError::into_inner);
            f(&mut conn)
        })
        .await
        .map_err(|_| GatewayError::Internal("a database task ended abnormally".into()))?
    }
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

/// Queues one submission inside `tx` (see [`Storage::enqueue`]).
fn enqueue_in(tx: &Connection, new: &NewSubmission) -> Result<Enqueued, GatewayError> {
    if let Some(key) = &new.idempotency_key {
        let existing: Option<(String, String)> = tx
            .query_row(
                "SELECT id, request FROM messages WHERE idempotency_key = ?1",
                [key],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(db("looking up the idempotency key"))?;
        if let Some((id, request)) = existing {
            let same =
                serde_json::from_str::<Value>(&request).is_ok_and(|stored| stored == new.request);
            return if same {
                Ok(Enqueued::Existing(id))
            } else {
                Err(GatewayError::IdempotencyConflict(id))
            };
        }
    }
    let now = now_ms();
    tx.execute(
        "INSERT INTO messages (id, idempotency_key, reference, request, status,
             transaction_id, due_at, expires_at, created_at, updated_at, account)
         VALUES (?1, ?2, ?3, ?4, 'queued', ?5, ?6, ?7, ?6, ?6, ?8)",
        params![
            new.id,
            new.idempotency_key,
            new.reference,
            new.request.to_string(),
            new.transaction_id,
            now,
            new.expires_at,
            new.account
        ],
    )
    .map_err(db("queueing a message"))?;
    history(tx, &new.id, now, "queued", None)?;
    Ok(Enqueued::New(new.id.clone()))
}

/// A submission to queue and where its answer goes.
type EnqueueJob = (
    NewSubmission,
    tokio::sync::oneshot::Sender<Result<Enqueued, GatewayError>>,
);

/// The queue writer: submissions that arrive together are committed together (one
/// transaction, one disk sync, each in a savepoint of its own), so the cost of a sync is
/// shared; each is answered once its transaction is committed.
fn spawn_enqueuer(conn: Arc<Mutex<Connection>>) -> std::sync::mpsc::Sender<EnqueueJob> {
    let (sender, jobs) = std::sync::mpsc::channel::<EnqueueJob>();
    std::thread::spawn(move || {
        while let Ok(first) = jobs.recv() {
            let mut batch = vec![first];
            while batch.len() < 256 {
                match jobs.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            let mut conn = conn.lock().unwrap_or_else(PoisonError::into_inner);
            let committed = (|| {
                let mut tx = conn.transaction().map_err(db("starting a transaction"))?;
                let mut results = Vec::with_capacity(batch.len());
                for (new, _) in &batch {
                    let savepoint = tx.savepoint().map_err(db("starting a savepoint"))?;
                    let result = enqueue_in(&savepoint, new);
                    if result.is_ok() {
                        savepoint.commit().map_err(db("releasing a savepoint"))?;
                    }
                    results.push(result);
                }
                tx.commit().map_err(db("committing messages"))?;
                Ok::<_, GatewayError>(results)
            })();
            drop(conn);
            match committed {
                Ok(results) => {
                    for ((_, answer), result) in batch.into_iter().zip(results) {
                        let _ = answer.send(result);
                    }
                }
                Err(error) => {
                    tracing::error!(%error, "cannot queue messages");
                    for (_, answer) in batch {
                        let _ = answer.send(Err(GatewayError::Internal(format!(
                            "the messages could not be stored: {error}"
                        ))));
                    }
                }
            }
        }
    });
    sender
}

fn history(
    tx: &Connection,
    id: &str,
    at: i64,
    status: &str,
    detail: Option<&str>,
) -> Result<(), GatewayError> {
    tx.execute(
        "INSERT INTO history (message, at, status, detail) VALUES (?1, ?2, ?3, ?4)",
        params![id, at, status, detail],
    )
    .map_err(db("writing the history"))?;
    Ok(())
}

fn add_webhook(
    tx: &rusqlite::Transaction<'_>,
    body: &Value,
    url: Option<&str>,
    at: i64,
) -> Result<(), GatewayError> {
    tx.execute(
        "INSERT INTO webhooks (body, state, due_at, created_at, url)
         VALUES (?1, 'pending', ?2, ?2, ?3)",
        params![body.to_string(), at, url],
    )
    .map_err(db("queueing a webhook"))?;
    Ok(())
}

/// The webhook body of a status change.
fn status_event(
    tx: &rusqlite::Transaction<'_>,
    id: &str,
    status: &str,
    detail: Option<&str>,
    at: i64,
) -> Result<Value, GatewayError> {
    let (reference, message_id): (Option<String>, Option<String>) = tx
        .query_row(
            "SELECT reference, message_id FROM messages WHERE id = ?1",
            [id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .map_err(db("reading a message"))?;
    Ok(serde_json::json!({
        "type": "message.status",
        "id": id,
        "reference": reference,
        "status": status,
        "message_id": message_id,
        "detail": detail,
        "at": rfc3339(at),
    }))
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

impl Storage for SqliteStorage {
    async fn enqueue(&self, new: NewSubmission) -> Result<Enqueued, GatewayError> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.enqueuer
            .send((new, answer))
            .map_err(|_| GatewayError::Internal("the queue writer has stopped".into()))?;
        answered
            .await
            .map_err(|_| GatewayError::Internal("the queue writer has stopped".into()))?
    }

    async fn message(&self, id: &str) -> Result<Option<MessageView>, GatewayError> {
        let id = id.to_owned();
        self.with(move |conn| {
            let row = conn
                .query_row(
                    "SELECT id, status, message_id, reference, transaction_id, tries, last_error,
                         account
                     FROM messages WHERE id = ?1",
                    [&id],
                    |row| {
                        Ok(MessageView {
                            id: row.get(0)?,
                            account: row.get(7)?,
                            status: row.get(1)?,
                            message_id: row.get(2)?,
                            reference: row.get(3)?,
                            transaction_id: row.get(4)?,
                            tries: row.get(5)?,
                            last_error: row.get(6)?,
                            history: Vec::new(),
                        })
                    },
                )
                .optional()
                .map_err(db("reading a message"))?;
            let Some(mut view) = row else {
                return Ok(None);
            };
            let mut statement = conn
                .prepare("SELECT at, status, detail FROM history WHERE message = ?1 ORDER BY id")
                .map_err(db("reading the history"))?;
            view.history = statement
                .query_map([&id], |row| {
                    Ok(HistoryEntry {
                        at: rfc3339(row.get(0)?),
                        status: row.get(1)?,
                        detail: row.get(2)?,
                    })
                })
                .and_then(Iterator::collect)
                .map_err(db("reading the history"))?;
            Ok(Some(view))
        })
        .await
    }

    async fn claim(
        &self,
        account: &str,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<Claimed>, GatewayError> {
        let account = account.to_owned();
        self.with(move |conn| {
            let tx = conn.transaction().map_err(db("starting a claim"))?;
            let now = now_ms();
            let claimed: Vec<Claimed> = {
                let mut statement = tx
                    .prepare(
                        "SELECT id, request, transaction_id, tries, expires_at, message_id,
                             operation, operation_request, operation_transaction_id
                         FROM messages
                         WHERE account = ?3 AND due_at IS NOT NULL AND due_at <= ?1
                           AND (lease_until IS NULL OR lease_until <= ?1)
                         ORDER BY due_at LIMIT ?2",
                    )
                    .map_err(db("claiming messages"))?;
                statement
                    .query_map(params![now, limit, account], |row| {
                        let request: String = row.get(1)?;
                        Ok(Claimed {
                            id: row.get(0)?,
                            message_id: row.get(5)?,
                            operation: Operation::from_columns(
                                row.get(6)?,
                                row.get(7)?,
                                row.get(8)?,
                            ),
                            request: serde_json::from_str(&request).unwrap_or(Value::Null),
                            transaction_id: row.get(2)?,
                            tries: row.get(3)?,
                            expires_at: row.get(4)?,
                        })
                    })
                    .and_then(Iterator::collect)
                    .map_err(db("claiming messages"))?
            };
            for c in &claimed {
                // A cancel or replace keeps its status (`cancelling`, `replacing`) while sent.
                tx.execute(
                    "UPDATE messages SET lease_until = ?2, updated_at = ?3,
                         status = CASE WHEN operation IS NULL THEN 'sending' ELSE status END
                     WHERE id = ?1",
                    params![c.id, now + ms(lease), now],
                )
                .map_err(db("claiming messages"))?;
            }
            tx.commit().map_err(db("committing a claim"))?;
            Ok(claimed)
        })
        .await
    }

    async fn settle(
        &self,
        outcomes: Vec<(String, Outcome)>,
        webhook: bool,
    ) -> Result<(), GatewayError> {
        self.with(move |conn| {
            let tx = conn.transaction().map_err(db("starting a settle"))?;
            let now = now_ms();
            for (id, outcome) in &outcomes {
                let operation: Option<String> = tx
                    .query_row(
                        "SELECT operation FROM messages WHERE id = ?1",
                        [id],
                        |row| row.get(0),
                    )
                    .optional()
                    .map_err(db("recording a try"))?
                    .flatten();
                let change = Settled::of(outcome, operation.as_deref());
                tx.execute(
                    "UPDATE messages SET status = ?2, message_id = COALESCE(?3, message_id),
                         tries = tries + ?4, due_at = ?5, lease_until = NULL, last_error = ?6,
                         updated_at = ?7,
                         operation = CASE WHEN ?8 THEN operation ELSE NULL END
                     WHERE id = ?1",
                    params![
                        id,
                        change.status,
                        change.message_id,
                        change.tries,
                        change.due_at,
                        change.error,
                        now,
                        change.keep_operation
                    ],
                )
                .map_err(db("recording a try"))?;
                let (status, detail) = (change.status.as_str(), change.detail);
                history(&tx, id, now, status, detail.as_deref())?;
                if webhook {
                    let body = status_event(&tx, id, status, detail.as_deref(), now)?;
                    add_webhook(&tx, &body, None, now)?;
                }
            }
            tx.commit().map_err(db("committing a try"))?;
            Ok(())
        })
        .await
    }

    async fn receive(&self, received: Received, webhook: bool) -> Result<(), GatewayError> {
        self.with(move |conn| {
            let tx = conn.transaction().map_err(db("starting a transaction"))?;
            let now = now_ms();
            tx.execute(
                "INSERT INTO received (operation, transaction_id, raw, view, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    received.operation,
                    received.transaction_id,
                    received.raw,
                    received.view.to_string(),
                    now
                ],
            )
            .map_err(db("keeping a received request"))?;
            if let Some((message_id, status, detail)) = &received.status {
                let ids: Vec<String> = {
                    let mut statement = tx
                        .prepare("SELECT id FROM messages WHERE message_id = ?1")
                        .map_err(db("finding the message of a report"))?;
                    statement
                        .query_map([message_id], |row| row.get(0))
                        .and_then(Iterator::collect)
                        .map_err(db("finding the message of a report"))?
                };
                for id in ids {
                    tx.execute(
                        "UPDATE messages SET status = ?2, updated_at = ?3 WHERE id = ?1",
                        params![id, status, now],
                    )
                    .map_err(db("recording a report"))?;
                    history(&tx, &id, now, status, detail.as_deref())?;
                    if webhook {
                        let body = status_event(&tx, &id, status, detail.as_deref(), now)?;
                        add_webhook(&tx, &body, None, now)?;
                    }
                }
            }
            if webhook && let Some(body) = &received.webhook {
                add_webhook(&tx, body, received.webhook_url.as_deref(), now)?;
            }
            tx.commit().map_err(db("committing a received request"))?;
            Ok(())
        })
        .await
    }

    async fn queue_depth(&self) -> Result<QueueDepth, GatewayError> {
        self.with(|conn| {
            let webhooks: i64 = conn
                .query_row(
                    "SELECT count(*) FROM webhooks WHERE state = 'pending'",
                    [],
                    |row| row.get(0),
                )
                .map_err(db("counting the queue"))?;
            let mut depth = QueueDepth::new(u64::try_from(webhooks).unwrap_or(0));
            let mut statement = conn
                .prepare(
                    "SELECT account, status, count(*) FROM messages
                     WHERE status IN ('queued', 'retrying', 'sending')
                     GROUP BY account, status",
                )
                .map_err(db("counting the queue"))?;
            let rows: Vec<(String, String, i64)> = statement
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
                .and_then(Iterator::collect)
                .map_err(db("counting the queue"))?;
            for (account, status, n) in rows {
                depth.add(&account, &status, u64::try_from(n).unwrap_or(0));
            }
            Ok(depth)
        })
        .await
    }

    async fn reserve_slot(
        &self,
        _account: &str,
        _interval: Duration,
    ) -> Result<Option<i64>, GatewayError> {
        // One process per SQLite database: the dispatcher's token bucket is the rate.
        Ok(None)
    }

    async fn change(
        &self,
        id: &str,
        operation: Operation,
        webhook: bool,
    ) -> Result<Changed, GatewayError> {
        let id = id.to_owned();
        self.with(move |conn| {
            let tx = conn.transaction().map_err(db("starting a change"))?;
            let now = now_ms();
            let row: Option<(String, Option<String>, Option<i64>, String)> = tx
                .query_row(
                    "SELECT status, message_id, lease_until, request FROM messages WHERE id = ?1",
                    [&id],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
                )
                .optional()
                .map_err(db("reading a message"))?;
            let Some((status, message_id, lease, request)) = row else {
                return Ok(Changed::NotFound);
            };
            let (changed, history_status, detail) =
                match decide(&status, message_id.as_deref(), lease, now, &operation) {
                    Decision::Refuse => return Ok(Changed::Refused(status)),
                    Decision::Local => {
                        match &operation {
                            Operation::Cancel { .. } => tx.execute(
                                "UPDATE messages SET status = 'cancelled', due_at = NULL,
                                     updated_at = ?2 WHERE id = ?1",
                                params![id, now],
                            ),
                            Operation::Replace { content, .. } => {
                                let merged = crate::request::merge(&request, content);
                                tx.execute(
                                    "UPDATE messages SET request = ?2, updated_at = ?3
                                     WHERE id = ?1",
                                    params![id, merged.to_string(), now],
                                )
                            }
                        }
                        .map_err(db("changing a message"))?;
                        let (done, detail) = local_status(&operation);
                        (Changed::Done(done.to_owned()), done, detail)
                    }
                    Decision::Queue => {
                        let queued = queued_status(&operation);
                        tx.execute(
                            "UPDATE messages SET status = ?2, operation = ?3,
                                 operation_request = ?4, operation_transaction_id = ?5,
                                 tries = 0, due_at = ?6, last_error = NULL, updated_at = ?6
                             WHERE id = ?1",
                            params![
                                id,
                                queued,
                                operation.kind(),
                                operation.content_text(),
                                operation.transaction_id(),
                                now
                            ],
                        )
                        .map_err(db("changing a message"))?;
                        (Changed::Queued(queued.to_owned()), queued, None)
                    }
                };
            history(&tx, &id, now, history_status, detail)?;
            if webhook {
                let body = status_event(&tx, &id, history_status, detail, now)?;
                add_webhook(&tx, &body, None, now)?;
            }
            tx.commit().map_err(db("committing a change"))?;
            Ok(changed)
        })
        .await
    }

    async fn claim_webhooks(
        &self,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<WebhookRow>, GatewayError> {
        self.with(move |conn| {
            let tx = conn.transaction().map_err(db("starting a claim"))?;
            let now = now_ms();
            let rows: Vec<WebhookRow> = {
                let mut statement = tx
                    .prepare(
                        "SELECT id, body, tries, url FROM webhooks
                         WHERE due_at IS NOT NULL AND due_at <= ?1
                           AND (lease_until IS NULL OR lease_until <= ?1)
                         ORDER BY id LIMIT ?2",
                    )
                    .map_err(db("claiming webhooks"))?;
                statement
                    .query_map(params![now, limit], |row| {
                        Ok(WebhookRow {
                            id: row.get(0)?,
                            body: row.get(1)?,
                            tries: row.get(2)?,
                            url: row.get(3)?,
                        })
                    })
                    .and_then(Iterator::collect)
                    .map_err(db("claiming webhooks"))?
            };
            for row in &rows {
                tx.execute(
                    "UPDATE webhooks SET lease_until = ?2 WHERE id = ?1",
                    params![row.id, now + ms(lease)],
                )
                .map_err(db("claiming webhooks"))?;
            }
            tx.commit().map_err(db("committing a claim"))?;
            Ok(rows)
        })
        .await
    }

    async fn settle_webhook(
        &self,
        id: i64,
        error: Option<String>,
        retry_at: Option<i64>,
    ) -> Result<(), GatewayError> {
        self.with(move |conn| {
            let (state, due) = match (&error, retry_at) {
                (None, _) => ("delivered", None),
                (Some(_), Some(at)) => ("pending", Some(at)),
                (Some(_), None) => ("failed", None),
            };
            conn.execute(
                "UPDATE webhooks SET state = ?2, due_at = ?3, lease_until = NULL,
                     tries = tries + 1, last_error = ?4 WHERE id = ?1",
                params![id, state, due, error],
            )
            .map_err(db("recording a webhook try"))?;
            Ok(())
        })
        .await
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn submission(n: usize, key: Option<&str>) -> NewSubmission {
        NewSubmission {
            id: format!("msg_{n}"),
            account: "default".into(),
            idempotency_key: key.map(str::to_owned),
            reference: None,
            request: serde_json::json!({"to": "15551234567", "text": "same"}),
            transaction_id: format!("tx-{n}"),
            expires_at: None,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn submissions_committed_together_are_each_answered() {
        let dir = std::env::temp_dir().join(format!("mm7-gateway-store-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let storage = SqliteStorage::open(&dir).unwrap();
        // 40 at once, every fourth with the same idempotency key.
        let tasks: Vec<_> = (0..40)
            .map(|n| {
                let storage = storage.clone();
                tokio::spawn(async move {
                    let key = (n % 4 == 0).then_some("shared");
                    storage.enqueue(submission(n, key)).await
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
        assert_eq!(
            storage
                .claim("default", 100, Duration::from_secs(60))
                .await
                .unwrap()
                .len(),
            31
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

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

    fn statuses(view: &MessageView) -> Vec<&str> {
        view.history.iter().map(|h| h.status.as_str()).collect()
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
                },
                true,
            )
            .await
            .unwrap();
        let hooks = storage.claim_webhooks(100, lease).await.unwrap();
        assert_eq!(hooks.len(), 1);
        assert_eq!(hooks[0].url.as_deref(), Some("http://127.0.0.1:9/stop"));

        // The shared rate: one schedule per account.
        let second = Duration::from_secs(1);
        let us1 = storage.reserve_slot("us", second).await.unwrap();
        let us2 = storage.reserve_slot("us", second).await.unwrap();
        let au1 = storage.reserve_slot("au", second).await.unwrap();
        if shared_rate {
            let (us1, us2, au1) = (us1.unwrap(), us2.unwrap(), au1.unwrap());
            assert!(us2 - us1 >= 1000, "{us1} {us2}");
            assert!(au1 < us2, "{au1} {us2}");
        } else {
            assert_eq!((us1, us2, au1), (None, None, None));
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_accounts_cancel_and_replace() {
        let dir = std::env::temp_dir().join(format!("mm7-gateway-ops-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        accounts_cancel_and_replace(SqliteStorage::open(&dir).unwrap(), false).await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_version_1_database_is_migrated_with_its_messages_on_the_default_account() {
        let dir = std::env::temp_dir().join(format!("mm7-gateway-mig-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("gateway.sqlite3");
        {
            let conn = Connection::open(&file).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.execute(
                "INSERT INTO messages (id, request, status, transaction_id, due_at, created_at,
                     updated_at) VALUES ('old', '{}', 'queued', 'tx', 0, 0, 0)",
                [],
            )
            .unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
        }
        let storage = SqliteStorage::open_file(&file).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let claimed = runtime
            .block_on(storage.claim(crate::DEFAULT_ACCOUNT, 10, Duration::from_secs(1)))
            .unwrap();
        assert_eq!(claimed.len(), 1);
        drop(storage);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn rfc3339_of_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(rfc3339(1_796_256_000_000), "2026-12-03T00:00:00.000Z");
    }
}

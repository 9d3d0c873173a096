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

/// A submission claimed for a try.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Claimed {
    /// The gateway's id.
    pub id: String,
    /// The request as the API took it.
    pub request: Value,
    /// The TransactionID of every try.
    pub transaction_id: String,
    /// The tries made before this one.
    pub tries: u32,
    /// When it expires (Unix milliseconds).
    pub expires_at: Option<i64>,
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
}

/// A webhook row claimed for a try.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WebhookRow {
    /// The row.
    pub id: i64,
    /// The JSON body.
    pub body: String,
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

    /// Claims up to `limit` due submissions for a try, hidden from other claims for `lease`.
    fn claim(
        &self,
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

    /// Reserves the next send slot (Unix milliseconds) of a rate shared by every gateway on
    /// this storage, one slot each `interval`; `None` when the storage serves one process,
    /// whose own token bucket then holds the rate.
    fn reserve_slot(
        &self,
        interval: Duration,
    ) -> impl Future<Output = Result<Option<i64>, GatewayError>> + Send;

    /// What the queue holds now (for `/metrics`).
    fn queue_depth(&self) -> impl Future<Output = Result<QueueDepth, GatewayError>> + Send;

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
const MIGRATIONS: &[&str] = &[r"
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
"];

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
        conn.execute(
            "UPDATE webhooks SET lease_until = NULL WHERE lease_until IS NOT NULL",
            [],
        )
        .map_err(db("releasing claims"))?;
        Ok(messages)
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
             transaction_id, due_at, expires_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, 'queued', ?5, ?6, ?7, ?6, ?6)",
        params![
            new.id,
            new.idempotency_key,
            new.reference,
            new.request.to_string(),
            new.transaction_id,
            now,
            new.expires_at
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

fn add_webhook(tx: &rusqlite::Transaction<'_>, body: &Value, at: i64) -> Result<(), GatewayError> {
    tx.execute(
        "INSERT INTO webhooks (body, state, due_at, created_at) VALUES (?1, 'pending', ?2, ?2)",
        params![body.to_string(), at],
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
                    "SELECT id, status, message_id, reference, transaction_id, tries, last_error
                     FROM messages WHERE id = ?1",
                    [&id],
                    |row| {
                        Ok(MessageView {
                            id: row.get(0)?,
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

    async fn claim(&self, limit: usize, lease: Duration) -> Result<Vec<Claimed>, GatewayError> {
        self.with(move |conn| {
            let tx = conn.transaction().map_err(db("starting a claim"))?;
            let now = now_ms();
            let claimed: Vec<Claimed> = {
                let mut statement = tx
                    .prepare(
                        "SELECT id, request, transaction_id, tries, expires_at FROM messages
                         WHERE due_at IS NOT NULL AND due_at <= ?1
                           AND (lease_until IS NULL OR lease_until <= ?1)
                         ORDER BY due_at LIMIT ?2",
                    )
                    .map_err(db("claiming messages"))?;
                statement
                    .query_map(params![now, limit], |row| {
                        let request: String = row.get(1)?;
                        Ok(Claimed {
                            id: row.get(0)?,
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
                tx.execute(
                    "UPDATE messages SET status = 'sending', lease_until = ?2, updated_at = ?3
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
                let (status, detail) = match &outcome {
                    Outcome::Sent { message_id } => {
                        tx.execute(
                            "UPDATE messages SET status = 'sent', message_id = ?2, tries = tries + 1,
                                 due_at = NULL, lease_until = NULL, last_error = NULL, updated_at = ?3
                             WHERE id = ?1",
                            params![id, message_id, now],
                        )
                        .map_err(db("recording a try"))?;
                        ("sent", Some(message_id.clone()))
                    }
                    Outcome::Retry { at, error } => {
                        tx.execute(
                            "UPDATE messages SET status = 'retrying', tries = tries + 1, due_at = ?2,
                                 lease_until = NULL, last_error = ?3, updated_at = ?4
                             WHERE id = ?1",
                            params![id, at, error, now],
                        )
                        .map_err(db("recording a try"))?;
                        ("retrying", Some(error.clone()))
                    }
                    Outcome::Failed { error } => {
                        tx.execute(
                            "UPDATE messages SET status = 'failed', tries = tries + 1, due_at = NULL,
                                 lease_until = NULL, last_error = ?2, updated_at = ?3
                             WHERE id = ?1",
                            params![id, error, now],
                        )
                        .map_err(db("recording a try"))?;
                        ("failed", Some(error.clone()))
                    }
                    Outcome::Expired => {
                        tx.execute(
                            "UPDATE messages SET status = 'expired', due_at = NULL, lease_until = NULL,
                                 last_error = 'expired before it could be sent', updated_at = ?2
                             WHERE id = ?1",
                            params![id, now],
                        )
                        .map_err(db("recording an expiry"))?;
                        (
                            "expired",
                            Some("expired before it could be sent".to_owned()),
                        )
                    }
                };
                history(&tx, id, now, status, detail.as_deref())?;
                if webhook {
                    let body = status_event(&tx, id, status, detail.as_deref(), now)?;
                    add_webhook(&tx, &body, now)?;
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
                        add_webhook(&tx, &body, now)?;
                    }
                }
            }
            if webhook && let Some(body) = &received.webhook {
                add_webhook(&tx, body, now)?;
            }
            tx.commit().map_err(db("committing a received request"))?;
            Ok(())
        })
        .await
    }

    async fn queue_depth(&self) -> Result<QueueDepth, GatewayError> {
        self.with(|conn| {
            let count = |sql: &str| -> Result<u64, GatewayError> {
                conn.query_row(sql, [], |row| row.get::<_, i64>(0))
                    .map(|n| u64::try_from(n).unwrap_or(0))
                    .map_err(db("counting the queue"))
            };
            Ok(QueueDepth::new(
                count("SELECT count(*) FROM messages WHERE status = 'queued'")?,
                count("SELECT count(*) FROM messages WHERE status = 'retrying'")?,
                count("SELECT count(*) FROM messages WHERE status = 'sending'")?,
                count("SELECT count(*) FROM webhooks WHERE state = 'pending'")?,
            ))
        })
        .await
    }

    async fn reserve_slot(&self, _interval: Duration) -> Result<Option<i64>, GatewayError> {
        // One process per SQLite database: the dispatcher's token bucket is the rate.
        Ok(None)
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
                        "SELECT id, body, tries FROM webhooks
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
mod tests {
    use super::*;

    fn submission(n: usize, key: Option<&str>) -> NewSubmission {
        NewSubmission {
            id: format!("msg_{n}"),
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
                .claim(100, Duration::from_secs(60))
                .await
                .unwrap()
                .len(),
            31
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn rfc3339_of_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(rfc3339(1_796_256_000_000), "2026-12-03T00:00:00.000Z");
    }
}

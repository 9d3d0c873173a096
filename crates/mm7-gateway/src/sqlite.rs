//! The SQLite backend: one database file (WAL, `synchronous=FULL`: a commit is on disk when
//! it returns), with the blocking work on tokio's blocking threads, never on the async
//! workers.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use crate::error::GatewayError;
use crate::metrics::QueueDepth;
use crate::store::{
    Changed, Claimed, Decision, Enqueued, HistoryEntry, MIGRATION_2, MessageView, NewSubmission,
    Operation, Outcome, Received, Settled, Storage, WebhookOutcome, WebhookRow, WebhookView,
    decide, local_status, now_ms, queued_status, rfc3339,
};

fn ms(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
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
    // Webhooks tried again by hand, and the parts of messages from subscribers served by URL.
    r"
ALTER TABLE webhooks ADD COLUMN revived_at INTEGER;
CREATE INDEX webhooks_state ON webhooks(state);
CREATE TABLE mo_parts (
    mo TEXT NOT NULL,
    n INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    data BLOB NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (mo, n)
);
",
];

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
                if ids.is_empty() {
                    // Dropped uncommitted: the MMSC tries again once the MessageID is known.
                    return Err(GatewayError::UnknownMessageId(message_id.clone()));
                }
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
            for part in &received.parts {
                tx.execute(
                    "INSERT INTO mo_parts (mo, n, content_type, data, received_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![part.mo, part.n, part.content_type, part.data, now],
                )
                .map_err(db("keeping the parts of a message"))?;
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
            let kept: Vec<(String, i64)> = conn
                .prepare(
                    "SELECT state, count(*) FROM webhooks
                     WHERE state IN ('failed', 'expired') GROUP BY state",
                )
                .and_then(|mut statement| {
                    statement
                        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
                        .and_then(Iterator::collect)
                })
                .map_err(db("counting the webhooks kept"))?;
            for (state, n) in kept {
                depth.add_kept_webhooks(&state, u64::try_from(n).unwrap_or(0));
            }
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
                        "SELECT id, body, tries, url, COALESCE(revived_at, created_at)
                         FROM webhooks
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
                            since: row.get(4)?,
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

    async fn settle_webhook(&self, id: i64, outcome: WebhookOutcome) -> Result<(), GatewayError> {
        self.with(move |conn| {
            let (state, due, error) = outcome.columns();
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

    async fn message_request(&self, id: &str) -> Result<Option<(String, Value)>, GatewayError> {
        let id = id.to_owned();
        self.with(move |conn| {
            let row: Option<(String, String)> = conn
                .query_row(
                    "SELECT account, request FROM messages WHERE id = ?1",
                    [&id],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()
                .map_err(db("reading a message"))?;
            Ok(row.map(|(account, request)| {
                (
                    account,
                    serde_json::from_str(&request).unwrap_or(Value::Null),
                )
            }))
        })
        .await
    }

    async fn webhooks(&self, state: &str, limit: usize) -> Result<Vec<WebhookView>, GatewayError> {
        let state = state.to_owned();
        self.with(move |conn| {
            let mut statement = conn
                .prepare(
                    "SELECT id, state, body, tries, last_error, created_at FROM webhooks
                     WHERE state = ?1 ORDER BY id LIMIT ?2",
                )
                .map_err(db("listing webhooks"))?;
            statement
                .query_map(params![state, limit], |row| {
                    Ok(WebhookView::of(
                        row.get(0)?,
                        row.get(1)?,
                        &row.get::<_, String>(2)?,
                        row.get(3)?,
                        row.get(4)?,
                        row.get(5)?,
                    ))
                })
                .and_then(Iterator::collect)
                .map_err(db("listing webhooks"))
        })
        .await
    }

    async fn retry_webhooks(&self, id: Option<i64>) -> Result<u64, GatewayError> {
        self.with(move |conn| {
            let now = now_ms();
            let n = conn
                .execute(
                    "UPDATE webhooks SET state = 'pending', due_at = ?1, revived_at = ?1,
                         tries = 0, lease_until = NULL
                     WHERE state IN ('failed', 'expired') AND (?2 IS NULL OR id = ?2)",
                    params![now, id],
                )
                .map_err(db("trying webhooks again"))?;
            Ok(n as u64)
        })
        .await
    }

    async fn mo_part(&self, mo: &str, n: u32) -> Result<Option<(String, Vec<u8>)>, GatewayError> {
        let mo = mo.to_owned();
        self.with(move |conn| {
            conn.query_row(
                "SELECT content_type, data FROM mo_parts WHERE mo = ?1 AND n = ?2",
                params![mo, n],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(db("reading a part"))
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

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_accounts_cancel_and_replace() {
        let dir = std::env::temp_dir().join(format!("mm7-gateway-ops-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        crate::store::tests::accounts_cancel_and_replace(SqliteStorage::open(&dir).unwrap(), false)
            .await;
        let _ = std::fs::remove_dir_all(&dir);
        crate::store::tests::webhooks_kept_and_mo_parts(SqliteStorage::open(&dir).unwrap()).await;
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
}

//! The SQLite backend: one database file (WAL, `synchronous=FULL`: a commit is on disk when
//! it returns; claims alone do not wait for the disk), with the blocking work on a writer
//! thread (submissions, outcomes and claims) and tokio's blocking threads, never on the async
//! workers.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use crate::error::GatewayError;
use crate::metrics::QueueDepth;
use crate::store::{
    Changed, Claimed, Decision, EarlyReport, Enqueued, Expired, FailedWebhook, HistoryEntry,
    MAX_PAGE, MIGRATION_2, MIGRATION_EARLY_REPORTS_AGE, MIGRATION_INBOX, MIGRATION_RETENTION,
    MessageQuery, MessageRow, MessageView, NewSubmission, Operation, Outcome, Received,
    ReceivedRow, Settled, Slots, Storage, WebhookOutcome, WebhookRow, WebhookView, decide,
    local_status, now_ms, queued_status, rfc3339,
};

fn ms(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// The SQLite backend: one database file, `gateway.sqlite3`, in the data directory.
#[derive(Debug, Clone)]
pub struct SqliteStorage {
    conn: Arc<Mutex<Connection>>,
    writer: std::sync::mpsc::Sender<Job>,
    queued: Arc<tokio::sync::Notify>,
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
    MIGRATION_INBOX,
    // Webhooks tried again by hand, and the parts of messages from subscribers served by URL.
    r"
ALTER TABLE webhooks ADD COLUMN revived_at INTEGER;
CREATE TABLE mo_parts (
    mo TEXT NOT NULL,
    n INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    data BLOB NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (mo, n)
);
",
    // Reports ahead of their message (see `EarlyReport`).
    r"
CREATE TABLE early_reports (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL,
    recipient TEXT,
    status TEXT NOT NULL,
    detail TEXT,
    received INTEGER NOT NULL REFERENCES received(id),
    received_at INTEGER NOT NULL
);
CREATE INDEX early_reports_message_id ON early_reports(message_id, id);
",
    MIGRATION_EARLY_REPORTS_AGE,
    MIGRATION_RETENTION,
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
        let queued = Arc::new(tokio::sync::Notify::new());
        Ok(SqliteStorage {
            writer: spawn_writer(Arc::clone(&conn), Arc::clone(&queued)),
            conn,
            queued,
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

/// Claims due submissions (see [`Storage::claim`]).
fn claim_in(
    conn: &mut Connection,
    account: &str,
    limit: usize,
    lease: Duration,
) -> Result<Vec<Claimed>, GatewayError> {
    let tx = conn.transaction().map_err(db("starting a claim"))?;
    let claimed = claim_rows(&tx, account, limit, lease)?;
    tx.commit().map_err(db("committing a claim"))?;
    Ok(claimed)
}

/// Claims due submissions inside `tx`.
fn claim_rows(
    tx: &Connection,
    account: &str,
    limit: usize,
    lease: Duration,
) -> Result<Vec<Claimed>, GatewayError> {
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
                    operation: Operation::from_columns(row.get(6)?, row.get(7)?, row.get(8)?),
                    request: crate::store::without_received_digest(
                        serde_json::from_str(&request).unwrap_or(Value::Null),
                    ),
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
    Ok(claimed)
}

/// Runs `f` with `synchronous=NORMAL`: its commit is not synced to the disk at once, only
/// with the next commit that is (the write-ahead log is synced in order), or lost with the
/// machine. For claims only: a claim lost so is undone anyway, since the gateway releases the
/// claims it finds at start ([`SqliteStorage::release_claims`]), and what comes after it
/// (the try's outcome) is committed with a sync that takes the claim along.
fn lightly<T>(
    conn: &mut Connection,
    f: impl FnOnce(&mut Connection) -> Result<T, GatewayError>,
) -> Result<T, GatewayError> {
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(db("setting synchronous=NORMAL"))?;
    let result = f(conn);
    let restored = conn
        .pragma_update(None, "synchronous", "FULL")
        .map_err(db("setting synchronous=FULL"));
    let value = result?;
    restored?;
    Ok(value)
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
            let same = serde_json::from_str::<Value>(&request)
                .is_ok_and(|stored| crate::store::same_request(&stored, &new.request));
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

/// What the writer thread does: queue a submission, or record how tries ended; each with
/// where its answer goes.
enum Job {
    Enqueue(
        NewSubmission,
        tokio::sync::oneshot::Sender<Result<Enqueued, GatewayError>>,
    ),
    Settle(
        Vec<(String, Outcome)>,
        bool,
        tokio::sync::oneshot::Sender<Result<(), GatewayError>>,
    ),
    /// Claim up to `limit` due submissions of the account for `lease`.
    Claim {
        account: String,
        limit: usize,
        lease: Duration,
        answer: tokio::sync::oneshot::Sender<Result<Vec<Claimed>, GatewayError>>,
    },
}

/// What a job did, until its transaction is committed, and where its answer goes.
enum Done {
    Enqueued(
        Result<Enqueued, GatewayError>,
        tokio::sync::oneshot::Sender<Result<Enqueued, GatewayError>>,
    ),
    Settled(
        Result<(), GatewayError>,
        tokio::sync::oneshot::Sender<Result<(), GatewayError>>,
    ),
    Claimed(
        Result<Vec<Claimed>, GatewayError>,
        tokio::sync::oneshot::Sender<Result<Vec<Claimed>, GatewayError>>,
    ),
}

impl Done {
    /// Answers the job: its result if its transaction was committed, else that failure.
    fn answer(self, committed: Result<(), &GatewayError>) {
        let failed = |error: &GatewayError| {
            GatewayError::Internal(format!("the database could not be written: {error}"))
        };
        match self {
            Done::Enqueued(result, answer) => {
                let _ = answer.send(committed.map_err(failed).and(result));
            }
            Done::Settled(result, answer) => {
                let _ = answer.send(committed.map_err(failed).and(result));
            }
            Done::Claimed(result, answer) => {
                let _ = answer.send(committed.map_err(failed).and(result));
            }
        }
    }
}

/// Runs `f` in a savepoint of `tx`: undone alone if it fails, the transaction going on.
fn in_savepoint<T>(
    tx: &mut rusqlite::Transaction<'_>,
    f: impl FnOnce(&Connection) -> Result<T, GatewayError>,
) -> Result<T, GatewayError> {
    let savepoint = tx.savepoint().map_err(db("starting a savepoint"))?;
    let result = f(&savepoint)?;
    savepoint.commit().map_err(db("releasing a savepoint"))?;
    Ok(result)
}

/// Runs `job` in `tx` (when it could be started).
fn run_job(tx: Result<&mut rusqlite::Transaction<'_>, &GatewayError>, job: Job) -> Done {
    let not_started = |error: &GatewayError| {
        GatewayError::Internal(format!("the database could not be written: {error}"))
    };
    match job {
        Job::Enqueue(new, answer) => {
            let result = match tx {
                Ok(tx) => in_savepoint(tx, |tx| enqueue_in(tx, &new)),
                Err(error) => Err(not_started(error)),
            };
            Done::Enqueued(result, answer)
        }
        Job::Settle(outcomes, webhook, answer) => {
            let result = match tx {
                Ok(tx) => in_savepoint(tx, |tx| settle_in(tx, &outcomes, webhook)),
                Err(error) => Err(not_started(error)),
            };
            Done::Settled(result, answer)
        }
        Job::Claim {
            account,
            limit,
            lease,
            answer,
        } => {
            // In the batch's transaction: answered once it is committed.
            let result = match tx {
                Ok(tx) => in_savepoint(tx, |tx| claim_rows(tx, &account, limit, lease)),
                Err(error) => Err(not_started(error)),
            };
            Done::Claimed(result, answer)
        }
    }
}

/// The writer: the submissions to queue and the tries' outcomes that arrive together are
/// committed together (one transaction, one disk sync, each in a savepoint of its own), so
/// the cost of a sync is shared; each is answered once its transaction is committed. The
/// dispatchers' claims go first, between those transactions: a lock taken in turns by
/// threads would let the writer, always busy under load, hold them off for long.
fn spawn_writer(
    conn: Arc<Mutex<Connection>>,
    queued: Arc<tokio::sync::Notify>,
) -> std::sync::mpsc::Sender<Job> {
    let (sender, jobs) = std::sync::mpsc::channel::<Job>();
    std::thread::spawn(move || {
        while let Ok(first) = jobs.recv() {
            let mut batch = vec![first];
            while batch.len() < 256 {
                match jobs.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            let queues = batch.iter().any(|job| matches!(job, Job::Enqueue(..)));
            let mut conn = conn.lock().unwrap_or_else(PoisonError::into_inner);
            // Claims first, each in a transaction of its own that need not wait for the
            // disk, answered at once: the dispatchers are not held behind the queue's
            // writes, however many arrive.
            let (claims, batch): (Vec<Job>, Vec<Job>) = batch
                .into_iter()
                .partition(|job| matches!(job, Job::Claim { .. }));
            for job in claims {
                if let Job::Claim {
                    account,
                    limit,
                    lease,
                    answer,
                } = job
                {
                    let _ =
                        answer.send(lightly(&mut conn, |c| claim_in(c, &account, limit, lease)));
                }
            }
            if batch.is_empty() {
                continue;
            }
            let (done, committed) = match conn.transaction() {
                Ok(mut tx) => {
                    let done: Vec<Done> = batch
                        .into_iter()
                        .map(|job| run_job(Ok(&mut tx), job))
                        .collect();
                    (done, tx.commit().map_err(db("committing messages")))
                }
                Err(error) => {
                    let error = db("starting a transaction")(error);
                    let done = batch
                        .into_iter()
                        .map(|job| run_job(Err(&error), job))
                        .collect();
                    (done, Err(error))
                }
            };
            drop(conn);
            if let Err(error) = &committed {
                tracing::error!(%error, "cannot write to the database");
            } else if queues {
                queued.notify_waiters();
            }
            for done in done {
                done.answer(committed.as_ref().map(|_| ()));
            }
        }
    });
    sender
}

/// Records how tries ended inside `tx` (see [`Storage::settle`]).
fn settle_in(
    tx: &Connection,
    outcomes: &[(String, Outcome)],
    webhook: bool,
) -> Result<(), GatewayError> {
    let now = now_ms();
    for (id, outcome) in outcomes {
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
        history(tx, id, now, status, detail.as_deref())?;
        if webhook {
            let body = status_event(tx, id, status, detail.as_deref(), now)?;
            add_webhook(tx, &body, None, now)?;
        }
        if let Outcome::Sent { message_id } = outcome {
            apply_early_reports(tx, id, message_id, webhook, now)?;
        }
    }
    Ok(())
}

/// Applies to message `id`, in order of arrival, the reports kept for `message_id` before it
/// was recorded (see [`EarlyReport`]), then deletes them.
fn apply_early_reports(
    tx: &Connection,
    id: &str,
    message_id: &str,
    webhook: bool,
    now: i64,
) -> Result<(), GatewayError> {
    let reports: Vec<(String, Option<String>)> = tx
        .prepare_cached(
            "SELECT status, detail FROM early_reports WHERE message_id = ?1 ORDER BY id",
        )
        .and_then(|mut statement| {
            statement
                .query_map([message_id], |row| Ok((row.get(0)?, row.get(1)?)))
                .and_then(Iterator::collect)
        })
        .map_err(db("reading the reports ahead of a message"))?;
    if reports.is_empty() {
        return Ok(());
    }
    for (status, detail) in &reports {
        report_on(tx, id, status, detail.as_deref(), webhook, now)?;
    }
    tx.execute(
        "DELETE FROM early_reports WHERE message_id = ?1",
        [message_id],
    )
    .map_err(db("applying the reports ahead of a message"))?;
    Ok(())
}

/// A report's status change on message `id`: its status, history and webhook.
fn report_on(
    tx: &Connection,
    id: &str,
    status: &str,
    detail: Option<&str>,
    webhook: bool,
    now: i64,
) -> Result<(), GatewayError> {
    tx.execute(
        "UPDATE messages SET status = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, status, now],
    )
    .map_err(db("recording a report"))?;
    history(tx, id, now, status, detail)?;
    if webhook {
        let body = status_event(tx, id, status, detail, now)?;
        add_webhook(tx, &body, None, now)?;
    }
    Ok(())
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
    tx: &Connection,
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
    tx: &Connection,
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
        self.writer
            .send(Job::Enqueue(new, answer))
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
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job = Job::Claim {
            account: account.to_owned(),
            limit,
            lease,
            answer,
        };
        self.writer
            .send(job)
            .map_err(|_| GatewayError::Internal("the queue writer has stopped".into()))?;
        answered
            .await
            .map_err(|_| GatewayError::Internal("the queue writer has stopped".into()))?
    }

    async fn settle(
        &self,
        outcomes: Vec<(String, Outcome)>,
        webhook: bool,
    ) -> Result<(), GatewayError> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.writer
            .send(Job::Settle(outcomes, webhook, answer))
            .map_err(|_| GatewayError::Internal("the queue writer has stopped".into()))?;
        answered
            .await
            .map_err(|_| GatewayError::Internal("the queue writer has stopped".into()))?
    }

    async fn receive(&self, received: Received, webhook: bool) -> Result<(), GatewayError> {
        self.with(move |conn| {
            // IMMEDIATE: the look for the report's message and the writes see one state, no
            // settle committing in between (see `EarlyReport`).
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(db("starting a transaction"))?;
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
                    // Kept until a message with this MessageID is recorded.
                    tx.execute(
                        "INSERT INTO early_reports
                             (message_id, recipient, status, detail, received, received_at)
                         VALUES (?1, ?2, ?3, ?4, last_insert_rowid(), ?5)",
                        params![
                            message_id,
                            received.view["recipient"].as_str(),
                            status,
                            detail,
                            now
                        ],
                    )
                    .map_err(db("keeping a report ahead of its message"))?;
                }
                for id in ids {
                    report_on(&tx, &id, status, detail.as_deref(), webhook, now)?;
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
            let unmatched: i64 = conn
                .query_row("SELECT count(*) FROM early_reports", [], |row| row.get(0))
                .map_err(db("counting the reports ahead of their message"))?;
            depth.unmatched_reports = u64::try_from(unmatched).unwrap_or(0);
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

    fn queued(&self) -> Arc<tokio::sync::Notify> {
        Arc::clone(&self.queued)
    }

    async fn reserve_slots(
        &self,
        _account: &str,
        _interval: Duration,
        _count: usize,
    ) -> Result<Option<Slots>, GatewayError> {
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
        let changed = self
            .with(move |conn| {
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
            .await;
        self.queued.notify_waiters();
        changed
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

    async fn list_messages(&self, query: MessageQuery) -> Result<Vec<MessageRow>, GatewayError> {
        self.with(move |conn| {
            let mut sql = String::from(
                "SELECT id, account, status, message_id, created_at, updated_at,
                     json_object('to', json_extract(request, '$.to'),
                                 'subject', json_extract(request, '$.subject'))
                 FROM messages WHERE 1 = 1",
            );
            let mut values: Vec<rusqlite::types::Value> = Vec::new();
            if let Some(status) = &query.status {
                values.push(status.clone().into());
                sql.push_str(&format!(" AND status = ?{}", values.len()));
            }
            if let Some(account) = &query.account {
                values.push(account.clone().into());
                sql.push_str(&format!(" AND account = ?{}", values.len()));
            }
            if let Some(message_id) = &query.message_id {
                values.push(message_id.clone().into());
                sql.push_str(&format!(" AND message_id = ?{}", values.len()));
            }
            if let Some((at, id)) = &query.after {
                values.push((*at).into());
                values.push(id.clone().into());
                sql.push_str(&format!(
                    " AND (created_at, id) < (?{}, ?{})",
                    values.len() - 1,
                    values.len()
                ));
            }
            values.push(i64::try_from(query.limit.min(MAX_PAGE)).unwrap_or(0).into());
            sql.push_str(&format!(
                " ORDER BY created_at DESC, id DESC LIMIT ?{}",
                values.len()
            ));
            let mut statement = conn.prepare(&sql).map_err(db("listing messages"))?;
            statement
                .query_map(rusqlite::params_from_iter(values), |row| {
                    let fields: String = row.get(6)?;
                    Ok(MessageRow::from_columns(
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                        row.get(5)?,
                        &fields,
                    ))
                })
                .and_then(Iterator::collect)
                .map_err(db("listing messages"))
        })
        .await
    }

    async fn list_received(
        &self,
        operation: Option<String>,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<ReceivedRow>, GatewayError> {
        self.with(move |conn| {
            let mut values: Vec<rusqlite::types::Value> = vec![
                before.unwrap_or(i64::MAX).into(),
                i64::try_from(limit.min(MAX_PAGE)).unwrap_or(0).into(),
            ];
            let only = match operation {
                Some(operation) => {
                    values.push(operation.into());
                    " AND operation = ?3"
                }
                None => "",
            };
            let mut statement = conn
                .prepare(&format!(
                    "SELECT id, operation, transaction_id, received_at,
                         json_object('from', json_extract(view, '$.from'),
                             'to', json_extract(view, '$.to'),
                             'subject', json_extract(view, '$.subject'),
                             'message_id', json_extract(view, '$.message_id'),
                             'mm_status', json_extract(view, '$.mm_status'),
                             'recipient', json_extract(view, '$.recipient'),
                             'text', substr(json_extract(view, '$.text'), 1, 200))
                     FROM received WHERE id < ?1{only} ORDER BY id DESC LIMIT ?2",
                ))
                .map_err(db("listing received requests"))?;
            statement
                .query_map(rusqlite::params_from_iter(values), received_row)
                .and_then(Iterator::collect)
                .map_err(db("listing received requests"))
        })
        .await
    }

    async fn received(&self, id: i64) -> Result<Option<ReceivedRow>, GatewayError> {
        self.with(move |conn| {
            conn.query_row(
                "SELECT id, operation, transaction_id, received_at, view
                 FROM received WHERE id = ?1",
                [id],
                received_row,
            )
            .optional()
            .map_err(db("reading a received request"))
        })
        .await
    }

    async fn list_early_reports(&self, limit: usize) -> Result<Vec<EarlyReport>, GatewayError> {
        self.with(move |conn| {
            let mut statement = conn
                .prepare(
                    "SELECT id, message_id, recipient, status, detail, received, received_at
                     FROM early_reports ORDER BY id DESC LIMIT ?1",
                )
                .map_err(db("listing the reports ahead of their message"))?;
            statement
                .query_map([i64::try_from(limit.min(MAX_PAGE)).unwrap_or(0)], |row| {
                    Ok(EarlyReport {
                        id: row.get(0)?,
                        message_id: row.get(1)?,
                        recipient: row.get(2)?,
                        status: row.get(3)?,
                        detail: row.get(4)?,
                        received: row.get(5)?,
                        received_at: row.get(6)?,
                    })
                })
                .and_then(Iterator::collect)
                .map_err(db("listing the reports ahead of their message"))
        })
        .await
    }

    async fn expire_early_reports(&self, before: i64, limit: usize) -> Result<u64, GatewayError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.with(move |conn| {
            let n = conn
                .execute(
                    "DELETE FROM early_reports WHERE id IN (
                         SELECT id FROM early_reports WHERE received_at < ?1
                         ORDER BY received_at, id LIMIT ?2)",
                    params![before, limit],
                )
                .map_err(db("deleting the unmatched reports past their retention"))?;
            Ok(n as u64)
        })
        .await
    }

    async fn expire_finished(&self, before: i64, limit: usize) -> Result<Expired, GatewayError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.with(move |conn| {
            let tx = conn
                .transaction()
                .map_err(db("deleting what is past its retention"))?;
            // Submissions not queued any more (no `due_at`: sent, delivered, failed, …), with
            // their history; those queued or in flight have one.
            let finished = "SELECT id FROM messages WHERE due_at IS NULL AND updated_at < ?1
                            ORDER BY updated_at, id LIMIT ?2";
            tx.execute(
                &format!("DELETE FROM history WHERE message IN ({finished})"),
                params![before, limit],
            )
            .map_err(db(
                "deleting the history of submissions past their retention",
            ))?;
            let messages = tx
                .execute(
                    &format!("DELETE FROM messages WHERE id IN ({finished})"),
                    params![before, limit],
                )
                .map_err(db("deleting submissions past their retention"))?;
            let received = tx
                .execute(
                    "DELETE FROM received WHERE id IN (
                         SELECT id FROM received WHERE received_at < ?1
                           AND NOT EXISTS (SELECT 1 FROM early_reports e
                                           WHERE e.received = received.id)
                         ORDER BY received_at, id LIMIT ?2)",
                    params![before, limit],
                )
                .map_err(db("deleting received requests past their retention"))?;
            // A message's parts stay while a webhook about it may still be sent: its body
            // holds their URLs.
            let mo_parts = tx
                .execute(
                    "DELETE FROM mo_parts WHERE rowid IN (
                         SELECT rowid FROM mo_parts WHERE received_at < ?1
                           AND mo NOT IN (
                               SELECT json_extract(body, '$.id') FROM webhooks
                               WHERE state IN ('pending', 'failed', 'expired')
                                 AND json_extract(body, '$.id') IS NOT NULL)
                         ORDER BY received_at LIMIT ?2)",
                    params![before, limit],
                )
                .map_err(db("deleting parts of messages past their retention"))?;
            let webhooks = tx
                .execute(
                    "DELETE FROM webhooks WHERE id IN (
                         SELECT id FROM webhooks WHERE state = 'delivered' AND created_at < ?1
                         ORDER BY created_at, id LIMIT ?2)",
                    params![before, limit],
                )
                .map_err(db("deleting delivered webhooks past their retention"))?;
            tx.commit()
                .map_err(db("deleting what is past its retention"))?;
            Ok(Expired {
                messages: messages as u64,
                received: received as u64,
                mo_parts: mo_parts as u64,
                webhooks: webhooks as u64,
            })
        })
        .await
    }

    async fn list_failed_webhooks(
        &self,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<FailedWebhook>, GatewayError> {
        self.with(move |conn| {
            let mut statement = conn
                .prepare(
                    "SELECT id, json_object('type', json_extract(body, '$.type'),
                             'id', json_extract(body, '$.id'),
                             'status', json_extract(body, '$.status'),
                             'transaction_id', json_extract(body, '$.transaction_id')),
                         url, tries, last_error, created_at
                     FROM webhooks WHERE state IN ('failed', 'expired') AND id < ?1
                     ORDER BY id DESC LIMIT ?2",
                )
                .map_err(db("listing failed webhooks"))?;
            statement
                .query_map(
                    params![
                        before.unwrap_or(i64::MAX),
                        i64::try_from(limit.min(MAX_PAGE)).unwrap_or(0)
                    ],
                    |row| {
                        let summary: String = row.get(1)?;
                        Ok(FailedWebhook {
                            id: row.get(0)?,
                            summary: serde_json::from_str(&summary).unwrap_or(Value::Null),
                            url: row.get(2)?,
                            tries: row.get(3)?,
                            last_error: row.get(4)?,
                            created_at: row.get(5)?,
                        })
                    },
                )
                .and_then(Iterator::collect)
                .map_err(db("listing failed webhooks"))
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
                    crate::store::without_received_digest(
                        serde_json::from_str(&request).unwrap_or(Value::Null),
                    ),
                )
            }))
        })
        .await
    }

    async fn by_idempotency_key(&self, key: &str) -> Result<Option<(String, Value)>, GatewayError> {
        let key = key.to_owned();
        self.with(move |conn| {
            let row: Option<(String, String)> = conn
                .query_row(
                    "SELECT id, request FROM messages WHERE idempotency_key = ?1",
                    [&key],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()
                .map_err(db("looking up the idempotency key"))?;
            Ok(
                row.map(|(id, request)| {
                    (id, serde_json::from_str(&request).unwrap_or(Value::Null))
                }),
            )
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

/// A `received` row: id, operation, transaction_id, received_at and the view (as JSON text).
fn received_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<ReceivedRow> {
    let view: String = row.get(4)?;
    Ok(ReceivedRow {
        id: row.get(0)?,
        operation: row.get(1)?,
        transaction_id: row.get(2)?,
        received_at: row.get(3)?,
        view: serde_json::from_str(&view).unwrap_or(Value::Null),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn submissions_and_outcomes_committed_together_are_each_answered() {
        let dir = std::env::temp_dir().join(format!("mm7-gateway-store-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        crate::store::tests::submissions_and_outcomes_together(SqliteStorage::open(&dir).unwrap())
            .await;
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

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_reports_ahead_of_their_message() {
        let dir = std::env::temp_dir().join(format!("mm7-gateway-early-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        crate::store::tests::reports_ahead_of_their_message(SqliteStorage::open(&dir).unwrap())
            .await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_finished_work_expires() {
        let dir = std::env::temp_dir().join(format!("mm7-gateway-expire-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        crate::store::tests::finished_work_expires(SqliteStorage::open(&dir).unwrap()).await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_idempotent_retries_fetch_nothing() {
        let dir = std::env::temp_dir().join(format!("mm7-gateway-idem-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        crate::api::tests::idempotent_retries_fetch_nothing(SqliteStorage::open(&dir).unwrap())
            .await;
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

//! The PostgreSQL backend: several gateways, on several machines, share one queue. Claims take
//! due rows with `FOR UPDATE SKIP LOCKED` under a lease, so two gateways never send the same
//! message at once, and a gateway that dies leaves its claims to the others when the lease
//! ends. Every operation is one transaction, committed before it returns.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use serde_json::Value;
use tokio_postgres::NoTls;

use crate::error::GatewayError;
use crate::metrics::QueueDepth;
use crate::pgtls::DatabaseTls;
use crate::store::{
    Changed, Claimed, Decision, EarlyReport, Enqueued, Expired, FailedWebhook, HistoryEntry,
    MAX_PAGE, MessageQuery, MessageRow, MessageView, NewSubmission, Operation, Outcome, Received,
    ReceivedRow, Settled, Slots, Storage, WebhookOutcome, WebhookRow, WebhookView, decide,
    local_status, now_ms, queued_status, rfc3339,
};

/// The schema, one migration per version (`mm7_gateway_schema` says which ran).
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
    due_at BIGINT,
    lease_until BIGINT,
    expires_at BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX messages_due ON messages(due_at) WHERE due_at IS NOT NULL;
CREATE INDEX messages_message_id ON messages(message_id);
CREATE TABLE history (
    id BIGSERIAL PRIMARY KEY,
    message TEXT NOT NULL REFERENCES messages(id),
    at BIGINT NOT NULL,
    status TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX history_message ON history(message);
CREATE TABLE received (
    id BIGSERIAL PRIMARY KEY,
    operation TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    raw BYTEA NOT NULL,
    view TEXT NOT NULL,
    received_at BIGINT NOT NULL
);
CREATE TABLE webhooks (
    id BIGSERIAL PRIMARY KEY,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    tries INTEGER NOT NULL DEFAULT 0,
    due_at BIGINT,
    lease_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX webhooks_due ON webhooks(due_at) WHERE due_at IS NOT NULL;
",
    r"
CREATE TABLE rate (
    name TEXT PRIMARY KEY,
    next_at BIGINT NOT NULL
);
",
    // The rate's `name` is the account's since this one.
    crate::store::MIGRATION_2,
    crate::store::MIGRATION_INBOX,
    // Webhooks tried again by hand, and the parts of messages from subscribers served by URL.
    r"
ALTER TABLE webhooks ADD COLUMN revived_at BIGINT;
CREATE TABLE mo_parts (
    mo TEXT NOT NULL,
    n INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    data BYTEA NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (mo, n)
);
",
    // Reports ahead of their message (see `EarlyReport`).
    r"
CREATE TABLE early_reports (
    id BIGSERIAL PRIMARY KEY,
    message_id TEXT NOT NULL,
    recipient TEXT,
    status TEXT NOT NULL,
    detail TEXT,
    received BIGINT NOT NULL REFERENCES received(id),
    received_at BIGINT NOT NULL
);
CREATE INDEX early_reports_message_id ON early_reports(message_id, id);
",
    crate::store::MIGRATION_EARLY_REPORTS_AGE,
    crate::store::MIGRATION_RETENTION,
];

/// The first key of the advisory locks that serialize, per MessageID, a report's look for its
/// message and the settle that records that MessageID (the second key is the MessageID's
/// `hashtext`; the schema's lock takes the one-key form, which never meets these).
const REPORT_LOCK: i32 = 23140;

fn pg(what: &'static str) -> impl Fn(tokio_postgres::Error) -> GatewayError {
    move |source| GatewayError::Postgres { what, source }
}

fn pool_error(e: deadpool_postgres::PoolError) -> GatewayError {
    match e {
        deadpool_postgres::PoolError::Backend(source) => GatewayError::Postgres {
            what: "connecting",
            source,
        },
        other => GatewayError::Internal(format!("the PostgreSQL pool: {other}")),
    }
}

fn ms(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// The PostgreSQL backend.
#[derive(Clone)]
pub struct PostgresStorage {
    pool: Pool,
    /// Connections whose commits do not wait for the disk (`synchronous_commit = off`): a
    /// commit there is visible to every other transaction at once, and on the disk with the
    /// next commit that waits (the log is written in order), or lost if the database server
    /// itself stops first. For what is acknowledged to no one, only: claims of messages and
    /// webhooks (a lost lease makes the row due again, as when a gateway dies: it is sent at
    /// least once) and send slots (a lost reservation is one schedule step of a server that
    /// just restarted).
    light: Pool,
    enqueuer: tokio::sync::mpsc::UnboundedSender<EnqueueJob>,
    queued: Arc<tokio::sync::Notify>,
}

/// A submission to queue and where its answer goes.
type EnqueueJob = (
    NewSubmission,
    tokio::sync::oneshot::Sender<Result<Enqueued, GatewayError>>,
);

impl std::fmt::Debug for PostgresStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password: not shown.
        f.debug_struct("PostgresStorage").finish_non_exhaustive()
    }
}

impl PostgresStorage {
    /// Connects to `url` (`postgres://user:password@host/database`, plain TCP unless its
    /// `sslmode` asks for TLS: see [`PostgresStorage::connect_with`]) and runs the migrations
    /// it lacks, one gateway at a time (an advisory lock).
    ///
    /// # Errors
    /// The URL is not valid, the database cannot be reached, or it was written by a newer
    /// version of the gateway.
    pub async fn connect(url: &str) -> Result<PostgresStorage, GatewayError> {
        PostgresStorage::connect_with(url, &DatabaseTls::default()).await
    }

    /// As [`PostgresStorage::connect`], with TLS as the URL's `sslmode` says (`disable`, the
    /// default: plain TCP; `prefer`; `require`; `verify-ca`; `verify-full`), the CA and client
    /// certificate from its `sslrootcert`, `sslcert` and `sslkey` (file paths), else from `tls`.
    ///
    /// # Errors
    /// As [`PostgresStorage::connect`]; also an unknown `sslmode`, a certificate that cannot be
    /// read, or a server whose certificate does not pass (the error says why, never the URL).
    pub async fn connect_with(
        url: &str,
        tls: &DatabaseTls,
    ) -> Result<PostgresStorage, GatewayError> {
        let prepared = crate::pgtls::prepare(url, tls)?;
        let mut light_config = prepared.config.clone();
        let options = match prepared.config.get_options() {
            Some(options) => format!("{options} -c synchronous_commit=off"),
            None => "-c synchronous_commit=off".to_owned(),
        };
        light_config.options(options);
        let pool = pool_of(prepared.config, prepared.tls.clone(), 8)?;
        let light = pool_of(light_config, prepared.tls, 2)?;
        let queued = Arc::new(tokio::sync::Notify::new());
        let (enqueuer, jobs) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(enqueue_batches(pool.clone(), jobs, Arc::clone(&queued)));
        let storage = PostgresStorage {
            pool,
            light,
            enqueuer,
            queued,
        };
        storage.migrate().await?;
        Ok(storage)
    }

    async fn migrate(&self) -> Result<(), GatewayError> {
        let mut client = self.pool.get().await.map_err(pool_error)?;
        let tx = client
            .transaction()
            .await
            .map_err(pg("starting a migration"))?;
        tx.execute("SELECT pg_advisory_xact_lock(230140)", &[])
            .await
            .map_err(pg("locking the schema"))?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS mm7_gateway_schema (version INTEGER NOT NULL);",
        )
        .await
        .map_err(pg("creating the schema table"))?;
        let version: i32 = tx
            .query_opt("SELECT version FROM mm7_gateway_schema", &[])
            .await
            .map_err(pg("reading the schema version"))?
            .map_or(0, |row| row.get(0));
        let known = MIGRATIONS.len();
        let found = usize::try_from(version).unwrap_or(usize::MAX);
        if found > known {
            return Err(GatewayError::NewerSchema { found, known });
        }
        for migration in &MIGRATIONS[found..] {
            tx.batch_execute(migration).await.map_err(pg("migrating"))?;
        }
        let known = i32::try_from(known).unwrap_or(i32::MAX);
        tx.execute("DELETE FROM mm7_gateway_schema", &[])
            .await
            .map_err(pg("recording the schema version"))?;
        tx.execute(
            "INSERT INTO mm7_gateway_schema (version) VALUES ($1)",
            &[&known],
        )
        .await
        .map_err(pg("recording the schema version"))?;
        tx.commit().await.map_err(pg("committing a migration"))?;
        Ok(())
    }
}

/// Applies the reports kept for the MessageIDs of `sent` (message id, MessageID) before they
/// were recorded (see [`EarlyReport`]), in order of arrival, then deletes them. The caller
/// holds the MessageIDs' advisory locks.
async fn apply_early_reports(
    tx: &deadpool_postgres::Transaction<'_>,
    sent: &[(&str, &str)],
    webhook: bool,
    now: i64,
) -> Result<(), GatewayError> {
    let message_ids: Vec<&str> = sent.iter().map(|(_, m)| *m).collect();
    let mut reports: Vec<(i64, String, String, Option<String>)> = tx
        .query(
            "DELETE FROM early_reports WHERE message_id = ANY($1)
             RETURNING id, message_id, status, detail",
            &[&message_ids],
        )
        .await
        .map_err(pg("applying the reports ahead of a message"))?
        .iter()
        .map(|row| (row.get(0), row.get(1), row.get(2), row.get(3)))
        .collect();
    reports.sort_by_key(|r| r.0);
    for (_, message_id, status, detail) in &reports {
        // The message (the last, if a batch recorded this MessageID twice) it now names.
        let Some((id, _)) = sent.iter().rev().find(|(_, m)| *m == message_id) else {
            continue;
        };
        tx.execute(
            "UPDATE messages SET status = $2, updated_at = $3 WHERE id = $1",
            &[id, status, &now],
        )
        .await
        .map_err(pg("recording a report"))?;
        history(tx, id, now, status, detail.as_deref()).await?;
        if webhook {
            let body = status_event(tx, id, status, detail.as_deref(), now).await?;
            add_webhook(tx, &body, None, now).await?;
        }
    }
    Ok(())
}

async fn history(
    tx: &deadpool_postgres::Transaction<'_>,
    id: &str,
    at: i64,
    status: &str,
    detail: Option<&str>,
) -> Result<(), GatewayError> {
    tx.execute(
        "INSERT INTO history (message, at, status, detail) VALUES ($1, $2, $3, $4)",
        &[&id, &at, &status, &detail],
    )
    .await
    .map_err(pg("writing the history"))?;
    Ok(())
}

async fn add_webhook(
    tx: &deadpool_postgres::Transaction<'_>,
    body: &Value,
    url: Option<&str>,
    at: i64,
) -> Result<(), GatewayError> {
    tx.execute(
        "INSERT INTO webhooks (body, state, due_at, created_at, url)
         VALUES ($1, 'pending', $2, $2, $3)",
        &[&body.to_string(), &at, &url],
    )
    .await
    .map_err(pg("queueing a webhook"))?;
    Ok(())
}

async fn status_event(
    tx: &deadpool_postgres::Transaction<'_>,
    id: &str,
    status: &str,
    detail: Option<&str>,
    at: i64,
) -> Result<Value, GatewayError> {
    let row = tx
        .query_one(
            "SELECT reference, message_id FROM messages WHERE id = $1",
            &[&id],
        )
        .await
        .map_err(pg("reading a message"))?;
    let (reference, message_id): (Option<String>, Option<String>) = (row.get(0), row.get(1));
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

/// A pool of at most `size` connections to `config`'s database, over `tls` if given.
fn pool_of(
    config: tokio_postgres::Config,
    tls: Option<tokio_postgres_rustls::MakeRustlsConnect>,
    size: usize,
) -> Result<Pool, GatewayError> {
    let recycling = || ManagerConfig {
        recycling_method: RecyclingMethod::Fast,
    };
    let manager = match tls {
        Some(tls) => Manager::from_config(config, tls, recycling()),
        None => Manager::from_config(config, NoTls, recycling()),
    };
    Pool::builder(manager)
        .max_size(size)
        .build()
        .map_err(|e| GatewayError::Internal(format!("the PostgreSQL pool: {e}")))
}

/// Queues one submission in a transaction of its own (see [`Storage::enqueue`]).
async fn enqueue_one(pool: &Pool, new: NewSubmission) -> Result<Enqueued, GatewayError> {
    let mut client = pool.get().await.map_err(pool_error)?;
    let tx = client
        .transaction()
        .await
        .map_err(pg("starting a transaction"))?;
    let now = now_ms();
    let inserted = tx
        .execute(
            "INSERT INTO messages (id, idempotency_key, reference, request, status,
                 transaction_id, due_at, expires_at, created_at, updated_at, account)
             VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7, $6, $6, $8)
             ON CONFLICT (idempotency_key) DO NOTHING",
            &[
                &new.id,
                &new.idempotency_key,
                &new.reference,
                &new.request.to_string(),
                &new.transaction_id,
                &now,
                &new.expires_at,
                &new.account,
            ],
        )
        .await
        .map_err(pg("queueing a message"))?;
    if inserted == 0 {
        let row = tx
            .query_one(
                "SELECT id, request FROM messages WHERE idempotency_key = $1",
                &[&new.idempotency_key],
            )
            .await
            .map_err(pg("looking up the idempotency key"))?;
        let (id, request): (String, String) = (row.get(0), row.get(1));
        let same = serde_json::from_str::<Value>(&request)
            .is_ok_and(|r| crate::store::same_request(&r, &new.request));
        return if same {
            Ok(Enqueued::Existing(id))
        } else {
            Err(GatewayError::IdempotencyConflict(id))
        };
    }
    history(&tx, &new.id, now, "queued", None).await?;
    tx.commit().await.map_err(pg("committing a message"))?;
    Ok(Enqueued::New(new.id))
}

/// The queue writer: submissions that arrive together are queued by one statement (one
/// commit, one disk sync for all of them); each is answered once it is committed. If that
/// statement fails, each is queued alone, so that one bad submission fails only itself.
async fn enqueue_batches(
    pool: Pool,
    mut jobs: tokio::sync::mpsc::UnboundedReceiver<EnqueueJob>,
    queued: Arc<tokio::sync::Notify>,
) {
    let mut batch = Vec::with_capacity(256);
    while jobs.recv_many(&mut batch, 256).await > 0 {
        let taken = std::mem::take(&mut batch);
        match enqueue_together(&pool, &taken).await {
            Ok(results) => {
                queued.notify_waiters();
                for ((_, answer), result) in taken.into_iter().zip(results) {
                    let _ = answer.send(result);
                }
            }
            Err(error) => {
                tracing::warn!(%error, "cannot queue messages together; queueing each alone");
                for (new, answer) in taken {
                    let result = enqueue_one(&pool, new).await;
                    if result.is_ok() {
                        queued.notify_waiters();
                    }
                    let _ = answer.send(result);
                }
            }
        }
    }
}

/// Queues `jobs` in one statement: the result of each, in order.
async fn enqueue_together(
    pool: &Pool,
    jobs: &[EnqueueJob],
) -> Result<Vec<Result<Enqueued, GatewayError>>, GatewayError> {
    let client = pool.get().await.map_err(pool_error)?;
    let now = now_ms();
    let mut ids = Vec::with_capacity(jobs.len());
    let mut keys = Vec::with_capacity(jobs.len());
    let mut references = Vec::with_capacity(jobs.len());
    let mut requests = Vec::with_capacity(jobs.len());
    let mut transactions = Vec::with_capacity(jobs.len());
    let mut expiries = Vec::with_capacity(jobs.len());
    let mut accounts = Vec::with_capacity(jobs.len());
    for (new, _) in jobs {
        ids.push(new.id.as_str());
        keys.push(new.idempotency_key.as_deref());
        references.push(new.reference.as_deref());
        requests.push(new.request.to_string());
        transactions.push(new.transaction_id.as_str());
        expiries.push(new.expires_at);
        accounts.push(new.account.as_str());
    }
    // Rows are inserted in the order given: of two with the same idempotency key, the first
    // is queued and the second finds it.
    let statement = client
        .prepare_cached(
            "WITH new AS (
                 INSERT INTO messages (id, idempotency_key, reference, request, status,
                     transaction_id, due_at, expires_at, created_at, updated_at, account)
                 SELECT id, key, reference, request, 'queued', transaction_id, $1, expires_at,
                     $1, $1, account
                 FROM UNNEST($2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[],
                     $7::BIGINT[], $8::TEXT[]) WITH ORDINALITY
                     AS t(id, key, reference, request, transaction_id, expires_at, account, n)
                 ORDER BY n
                 ON CONFLICT (idempotency_key) DO NOTHING
                 RETURNING id)
             INSERT INTO history (message, at, status)
             SELECT id, $1, 'queued' FROM new
             RETURNING message",
        )
        .await
        .map_err(pg("queueing messages"))?;
    let inserted: HashSet<String> = client
        .query(
            &statement,
            &[
                &now,
                &ids,
                &keys,
                &references,
                &requests,
                &transactions,
                &expiries,
                &accounts,
            ],
        )
        .await
        .map_err(pg("queueing messages"))?
        .iter()
        .map(|row| row.get(0))
        .collect();
    let mut results = Vec::with_capacity(jobs.len());
    for (new, _) in jobs {
        if inserted.contains(&new.id) {
            results.push(Ok(Enqueued::New(new.id.clone())));
            continue;
        }
        let row = client
            .query_one(
                "SELECT id, request FROM messages WHERE idempotency_key = $1",
                &[&new.idempotency_key],
            )
            .await
            .map_err(pg("looking up the idempotency key"))?;
        let (id, request): (String, String) = (row.get(0), row.get(1));
        let same = serde_json::from_str::<Value>(&request)
            .is_ok_and(|r| crate::store::same_request(&r, &new.request));
        results.push(if same {
            Ok(Enqueued::Existing(id))
        } else {
            Err(GatewayError::IdempotencyConflict(id))
        });
    }
    Ok(results)
}

impl Storage for PostgresStorage {
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
        let client = self.pool.get().await.map_err(pool_error)?;
        let Some(row) = client
            .query_opt(
                "SELECT id, status, message_id, reference, transaction_id, tries, last_error,
                     account
                 FROM messages WHERE id = $1",
                &[&id],
            )
            .await
            .map_err(pg("reading a message"))?
        else {
            return Ok(None);
        };
        let tries: i32 = row.get(5);
        let history = client
            .query(
                "SELECT at, status, detail FROM history WHERE message = $1 ORDER BY id",
                &[&id],
            )
            .await
            .map_err(pg("reading the history"))?
            .iter()
            .map(|h| HistoryEntry::new(rfc3339(h.get(0)), h.get(1), h.get(2)))
            .collect();
        Ok(Some(MessageView {
            id: row.get(0),
            account: row.get(7),
            status: row.get(1),
            message_id: row.get(2),
            reference: row.get(3),
            transaction_id: row.get(4),
            tries: u32::try_from(tries).unwrap_or(0),
            last_error: row.get(6),
            history,
        }))
    }

    async fn claim(
        &self,
        account: &str,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<Claimed>, GatewayError> {
        let client = self.light.get().await.map_err(pool_error)?;
        let now = now_ms();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let statement = client
            .prepare_cached(
                "UPDATE messages SET lease_until = $2, updated_at = $1,
                     status = CASE WHEN operation IS NULL THEN 'sending' ELSE status END
                 WHERE id IN (
                     SELECT id FROM messages
                     WHERE account = $4 AND due_at IS NOT NULL AND due_at <= $1
                       AND (lease_until IS NULL OR lease_until <= $1)
                     ORDER BY due_at LIMIT $3
                     FOR UPDATE SKIP LOCKED)
                 RETURNING id, request, transaction_id, tries, expires_at, message_id,
                     operation, operation_request, operation_transaction_id",
            )
            .await
            .map_err(pg("claiming messages"))?;
        let rows = client
            .query(&statement, &[&now, &(now + ms(lease)), &limit, &account])
            .await
            .map_err(pg("claiming messages"))?;
        Ok(rows
            .iter()
            .map(|row| {
                let request: String = row.get(1);
                let tries: i32 = row.get(3);
                Claimed {
                    id: row.get(0),
                    message_id: row.get(5),
                    operation: Operation::from_columns(row.get(6), row.get(7), row.get(8)),
                    request: crate::store::without_received_digest(
                        serde_json::from_str(&request).unwrap_or(Value::Null),
                    ),
                    transaction_id: row.get(2),
                    tries: u32::try_from(tries).unwrap_or(0),
                    expires_at: row.get(4),
                }
            })
            .collect())
    }

    async fn settle(
        &self,
        outcomes: Vec<(String, Outcome)>,
        webhook: bool,
    ) -> Result<(), GatewayError> {
        let mut client = self.pool.get().await.map_err(pool_error)?;
        let tx = client
            .transaction()
            .await
            .map_err(pg("starting a settle"))?;
        let now = now_ms();
        // The MessageIDs this batch records, each locked against a report looking for it
        // (in sorted order: two settles never wait on each other crosswise).
        let sent: Vec<(&str, &str)> = outcomes
            .iter()
            .filter_map(|(id, outcome)| match outcome {
                Outcome::Sent { message_id } => Some((id.as_str(), message_id.as_str())),
                _ => None,
            })
            .collect();
        if !sent.is_empty() {
            let message_ids: Vec<&str> = sent.iter().map(|(_, m)| *m).collect();
            tx.execute(
                "SELECT pg_advisory_xact_lock($1, h)
                 FROM (SELECT DISTINCT hashtext(m) AS h FROM UNNEST($2::TEXT[]) AS m
                       ORDER BY h) AS s",
                &[&REPORT_LOCK, &message_ids],
            )
            .await
            .map_err(pg("locking the MessageIDs of a settle"))?;
        }
        let ids: Vec<&str> = outcomes.iter().map(|(id, _)| id.as_str()).collect();
        let select = tx
            .prepare_cached("SELECT id, operation FROM messages WHERE id = ANY($1)")
            .await
            .map_err(pg("recording a try"))?;
        let operations: HashMap<String, Option<String>> = tx
            .query(&select, &[&ids])
            .await
            .map_err(pg("recording a try"))?
            .iter()
            .map(|row| (row.get(0), row.get(1)))
            .collect();
        let changes: Vec<Settled> = outcomes
            .iter()
            .map(|(id, outcome)| {
                let operation = operations.get(id).and_then(Option::as_deref);
                Settled::of(outcome, operation)
            })
            .collect();
        // Every message once in a batch (as it is unless a lease ran out mid-try): one
        // statement for all of them; else one each, in order.
        let distinct = ids.iter().collect::<HashSet<_>>().len() == ids.len();
        if distinct {
            let statuses: Vec<&str> = changes.iter().map(|c| c.status.as_str()).collect();
            let message_ids: Vec<Option<&str>> =
                changes.iter().map(|c| c.message_id.as_deref()).collect();
            let tries: Vec<i32> = changes.iter().map(|c| c.tries).collect();
            let due: Vec<Option<i64>> = changes.iter().map(|c| c.due_at).collect();
            let errors: Vec<Option<&str>> = changes.iter().map(|c| c.error.as_deref()).collect();
            let keep: Vec<bool> = changes.iter().map(|c| c.keep_operation).collect();
            let update = tx
                .prepare_cached(
                    "UPDATE messages AS m SET status = u.status,
                         message_id = COALESCE(u.message_id, m.message_id),
                         tries = m.tries + u.tries, due_at = u.due_at, lease_until = NULL,
                         last_error = u.error, updated_at = $1,
                         operation = CASE WHEN u.keep THEN m.operation ELSE NULL END
                     FROM UNNEST($2::TEXT[], $3::TEXT[], $4::TEXT[], $5::INT[], $6::BIGINT[],
                         $7::TEXT[], $8::BOOL[])
                         AS u(id, status, message_id, tries, due_at, error, keep)
                     WHERE m.id = u.id",
                )
                .await
                .map_err(pg("recording tries"))?;
            tx.execute(
                &update,
                &[
                    &now,
                    &ids,
                    &statuses,
                    &message_ids,
                    &tries,
                    &due,
                    &errors,
                    &keep,
                ],
            )
            .await
            .map_err(pg("recording tries"))?;
            let details: Vec<Option<&str>> = changes.iter().map(|c| c.detail.as_deref()).collect();
            let insert = tx
                .prepare_cached(
                    "INSERT INTO history (message, at, status, detail)
                     SELECT id, $1, status, detail
                     FROM UNNEST($2::TEXT[], $3::TEXT[], $4::TEXT[]) WITH ORDINALITY
                         AS h(id, status, detail, n)
                     ORDER BY n",
                )
                .await
                .map_err(pg("writing the history"))?;
            tx.execute(&insert, &[&now, &ids, &statuses, &details])
                .await
                .map_err(pg("writing the history"))?;
        }
        for (id, change) in ids.iter().zip(&changes) {
            if !distinct {
                tx.execute(
                    "UPDATE messages SET status = $2, message_id = COALESCE($3, message_id),
                         tries = tries + $4, due_at = $5, lease_until = NULL, last_error = $6,
                         updated_at = $7,
                         operation = CASE WHEN $8 THEN operation ELSE NULL END
                     WHERE id = $1",
                    &[
                        id,
                        &change.status,
                        &change.message_id,
                        &change.tries,
                        &change.due_at,
                        &change.error,
                        &now,
                        &change.keep_operation,
                    ],
                )
                .await
                .map_err(pg("recording a try"))?;
                history(&tx, id, now, &change.status, change.detail.as_deref()).await?;
            }
            if webhook {
                let detail = change.detail.as_deref();
                let body = status_event(&tx, id, &change.status, detail, now).await?;
                add_webhook(&tx, &body, None, now).await?;
            }
        }
        if !sent.is_empty() {
            apply_early_reports(&tx, &sent, webhook, now).await?;
        }
        tx.commit().await.map_err(pg("committing a try"))?;
        Ok(())
    }

    async fn receive(&self, received: Received, webhook: bool) -> Result<(), GatewayError> {
        let mut client = self.pool.get().await.map_err(pool_error)?;
        let tx = client
            .transaction()
            .await
            .map_err(pg("starting a transaction"))?;
        let now = now_ms();
        tx.execute(
            "INSERT INTO received (operation, transaction_id, raw, view, received_at)
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &received.operation,
                &received.transaction_id,
                &received.raw,
                &received.view.to_string(),
                &now,
            ],
        )
        .await
        .map_err(pg("keeping a received request"))?;
        if let Some((message_id, status, detail)) = &received.status {
            // Waits for a settle recording this MessageID to commit, so that one of the two
            // sees the other (see `EarlyReport`).
            tx.execute(
                "SELECT pg_advisory_xact_lock($1, hashtext($2))",
                &[&REPORT_LOCK, message_id],
            )
            .await
            .map_err(pg("locking the MessageID of a report"))?;
            let ids: Vec<String> = tx
                .query(
                    "UPDATE messages SET status = $2, updated_at = $3 WHERE message_id = $1
                     RETURNING id",
                    &[message_id, status, &now],
                )
                .await
                .map_err(pg("recording a report"))?
                .iter()
                .map(|row| row.get(0))
                .collect();
            if ids.is_empty() {
                // Kept until a message with this MessageID is recorded.
                tx.execute(
                    "INSERT INTO early_reports
                         (message_id, recipient, status, detail, received, received_at)
                     VALUES ($1, $2, $3, $4, currval(pg_get_serial_sequence('received', 'id')),
                         $5)",
                    &[
                        message_id,
                        &received.view["recipient"].as_str(),
                        status,
                        detail,
                        &now,
                    ],
                )
                .await
                .map_err(pg("keeping a report ahead of its message"))?;
            }
            for id in ids {
                history(&tx, &id, now, status, detail.as_deref()).await?;
                if webhook {
                    let body = status_event(&tx, &id, status, detail.as_deref(), now).await?;
                    add_webhook(&tx, &body, None, now).await?;
                }
            }
        }
        if webhook && let Some(body) = &received.webhook {
            add_webhook(&tx, body, received.webhook_url.as_deref(), now).await?;
        }
        for part in &received.parts {
            let n = i32::try_from(part.n).unwrap_or(i32::MAX);
            tx.execute(
                "INSERT INTO mo_parts (mo, n, content_type, data, received_at)
                 VALUES ($1, $2, $3, $4, $5)",
                &[&part.mo, &n, &part.content_type, &part.data, &now],
            )
            .await
            .map_err(pg("keeping the parts of a message"))?;
        }
        tx.commit()
            .await
            .map_err(pg("committing a received request"))?;
        Ok(())
    }

    async fn queue_depth(&self) -> Result<QueueDepth, GatewayError> {
        let client = self.pool.get().await.map_err(pool_error)?;
        let webhooks: i64 = client
            .query_one("SELECT count(*) FROM webhooks WHERE state = 'pending'", &[])
            .await
            .map_err(pg("counting the queue"))?
            .get(0);
        let mut depth = QueueDepth::new(u64::try_from(webhooks).unwrap_or(0));
        let unmatched: i64 = client
            .query_one("SELECT count(*) FROM early_reports", &[])
            .await
            .map_err(pg("counting the reports ahead of their message"))?
            .get(0);
        depth.unmatched_reports = u64::try_from(unmatched).unwrap_or(0);
        for row in client
            .query(
                "SELECT state, count(*) FROM webhooks
                 WHERE state IN ('failed', 'expired') GROUP BY state",
                &[],
            )
            .await
            .map_err(pg("counting the webhooks kept"))?
        {
            let (state, n): (String, i64) = (row.get(0), row.get(1));
            depth.add_kept_webhooks(&state, u64::try_from(n).unwrap_or(0));
        }
        for row in client
            .query(
                "SELECT account, status, count(*) FROM messages
                 WHERE status IN ('queued', 'retrying', 'sending')
                 GROUP BY account, status",
                &[],
            )
            .await
            .map_err(pg("counting the queue"))?
        {
            let (account, status, n): (String, String, i64) = (row.get(0), row.get(1), row.get(2));
            depth.add(&account, &status, u64::try_from(n).unwrap_or(0));
        }
        Ok(depth)
    }

    fn queued(&self) -> Arc<tokio::sync::Notify> {
        Arc::clone(&self.queued)
    }

    async fn reserve_slots(
        &self,
        account: &str,
        interval: Duration,
        count: usize,
    ) -> Result<Option<Slots>, GatewayError> {
        // One schedule per account for every node: each batch of sends takes the account's
        // next free slots, so its rate holds across nodes however many run.
        let client = self.light.get().await.map_err(pool_error)?;
        let now = now_ms();
        let span = Slots::span_of(interval, count);
        let statement = client
            .prepare_cached(
                "INSERT INTO rate (name, next_at) VALUES ($3, $1::BIGINT + $2::BIGINT)
                 ON CONFLICT (name) DO UPDATE
                     SET next_at = GREATEST(rate.next_at, $1::BIGINT) + $2::BIGINT
                 RETURNING next_at - $2::BIGINT",
            )
            .await
            .map_err(pg("reserving send slots"))?;
        let row = client
            .query_one(&statement, &[&now, &span, &account])
            .await
            .map_err(pg("reserving send slots"))?;
        Ok(Some(Slots {
            start: row.get(0),
            span,
            count,
        }))
    }

    async fn change(
        &self,
        id: &str,
        operation: Operation,
        webhook: bool,
    ) -> Result<Changed, GatewayError> {
        let mut client = self.pool.get().await.map_err(pool_error)?;
        let tx = client
            .transaction()
            .await
            .map_err(pg("starting a change"))?;
        let now = now_ms();
        let Some(row) = tx
            .query_opt(
                "SELECT status, message_id, lease_until, request FROM messages
                 WHERE id = $1 FOR UPDATE",
                &[&id],
            )
            .await
            .map_err(pg("reading a message"))?
        else {
            return Ok(Changed::NotFound);
        };
        let (status, message_id, lease, request): (String, Option<String>, Option<i64>, String) =
            (row.get(0), row.get(1), row.get(2), row.get(3));
        let (changed, history_status, detail) =
            match decide(&status, message_id.as_deref(), lease, now, &operation) {
                Decision::Refuse => return Ok(Changed::Refused(status)),
                Decision::Local => {
                    match &operation {
                        Operation::Cancel { .. } => {
                            tx.execute(
                                "UPDATE messages SET status = 'cancelled', due_at = NULL,
                                     updated_at = $2 WHERE id = $1",
                                &[&id, &now],
                            )
                            .await
                        }
                        Operation::Replace { content, .. } => {
                            let merged = crate::request::merge(&request, content).to_string();
                            tx.execute(
                                "UPDATE messages SET request = $2, updated_at = $3 WHERE id = $1",
                                &[&id, &merged, &now],
                            )
                            .await
                        }
                    }
                    .map_err(pg("changing a message"))?;
                    let (done, detail) = local_status(&operation);
                    (Changed::Done(done.to_owned()), done, detail)
                }
                Decision::Queue => {
                    let queued = queued_status(&operation);
                    tx.execute(
                        "UPDATE messages SET status = $2, operation = $3,
                             operation_request = $4, operation_transaction_id = $5,
                             tries = 0, due_at = $6, last_error = NULL, updated_at = $6
                         WHERE id = $1",
                        &[
                            &id,
                            &queued,
                            &operation.kind(),
                            &operation.content_text(),
                            &operation.transaction_id(),
                            &now,
                        ],
                    )
                    .await
                    .map_err(pg("changing a message"))?;
                    (Changed::Queued(queued.to_owned()), queued, None)
                }
            };
        history(&tx, id, now, history_status, detail).await?;
        if webhook {
            let body = status_event(&tx, id, history_status, detail, now).await?;
            add_webhook(&tx, &body, None, now).await?;
        }
        tx.commit().await.map_err(pg("committing a change"))?;
        self.queued.notify_waiters();
        Ok(changed)
    }

    async fn claim_webhooks(
        &self,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<WebhookRow>, GatewayError> {
        let client = self.light.get().await.map_err(pool_error)?;
        let now = now_ms();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let statement = client
            .prepare_cached(
                "UPDATE webhooks SET lease_until = $2
                 WHERE id IN (
                     SELECT id FROM webhooks
                     WHERE due_at IS NOT NULL AND due_at <= $1
                       AND (lease_until IS NULL OR lease_until <= $1)
                     ORDER BY id LIMIT $3
                     FOR UPDATE SKIP LOCKED)
                 RETURNING id, body, tries, url, COALESCE(revived_at, created_at)",
            )
            .await
            .map_err(pg("claiming webhooks"))?;
        let rows = client
            .query(&statement, &[&now, &(now + ms(lease)), &limit])
            .await
            .map_err(pg("claiming webhooks"))?;
        Ok(rows
            .iter()
            .map(|row| {
                let tries: i32 = row.get(2);
                WebhookRow {
                    id: row.get(0),
                    body: row.get(1),
                    tries: u32::try_from(tries).unwrap_or(0),
                    url: row.get(3),
                    since: row.get(4),
                }
            })
            .collect())
    }

    async fn settle_webhook(&self, id: i64, outcome: WebhookOutcome) -> Result<(), GatewayError> {
        let client = self.pool.get().await.map_err(pool_error)?;
        let (state, due, error) = outcome.columns();
        client
            .execute(
                "UPDATE webhooks SET state = $2, due_at = $3, lease_until = NULL,
                     tries = tries + 1, last_error = $4 WHERE id = $1",
                &[&id, &state, &due, &error],
            )
            .await
            .map_err(pg("recording a webhook try"))?;
        Ok(())
    }

    async fn list_messages(&self, query: MessageQuery) -> Result<Vec<MessageRow>, GatewayError> {
        let client = self.pool.get().await.map_err(pool_error)?;
        let mut sql = String::from(
            "SELECT id, account, status, message_id, created_at, updated_at,
                 json_build_object('to', request::json -> 'to',
                                   'subject', request::json -> 'subject')::text
             FROM messages WHERE TRUE",
        );
        let mut values: Vec<Box<dyn tokio_postgres::types::ToSql + Sync + Send>> = Vec::new();
        if let Some(status) = query.status {
            values.push(Box::new(status));
            sql.push_str(&format!(" AND status = ${}", values.len()));
        }
        if let Some(account) = query.account {
            values.push(Box::new(account));
            sql.push_str(&format!(" AND account = ${}", values.len()));
        }
        if let Some(message_id) = query.message_id {
            values.push(Box::new(message_id));
            sql.push_str(&format!(" AND message_id = ${}", values.len()));
        }
        if let Some((at, id)) = query.after {
            values.push(Box::new(at));
            values.push(Box::new(id));
            sql.push_str(&format!(
                " AND (created_at, id) < (${}, ${})",
                values.len() - 1,
                values.len()
            ));
        }
        values.push(Box::new(
            i64::try_from(query.limit.min(MAX_PAGE)).unwrap_or(0),
        ));
        sql.push_str(&format!(
            " ORDER BY created_at DESC, id DESC LIMIT ${}",
            values.len()
        ));
        let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = values
            .iter()
            .map(|v| v.as_ref() as &(dyn tokio_postgres::types::ToSql + Sync))
            .collect();
        let rows = client
            .query(&sql, &params)
            .await
            .map_err(pg("listing messages"))?;
        Ok(rows
            .iter()
            .map(|row| {
                let fields: String = row.get(6);
                MessageRow::from_columns(
                    row.get(0),
                    row.get(1),
                    row.get(2),
                    row.get(3),
                    row.get(4),
                    row.get(5),
                    &fields,
                )
            })
            .collect())
    }

    async fn list_received(
        &self,
        operation: Option<String>,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<ReceivedRow>, GatewayError> {
        let client = self.pool.get().await.map_err(pool_error)?;
        let limit = i64::try_from(limit.min(MAX_PAGE)).unwrap_or(0);
        let before = before.unwrap_or(i64::MAX);
        let mut params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = vec![&before, &limit];
        let only = match &operation {
            Some(operation) => {
                params.push(operation);
                " AND operation = $3"
            }
            None => "",
        };
        let rows = client
            .query(
                &format!(
                    "SELECT id, operation, transaction_id, received_at,
                     json_build_object('from', v -> 'from', 'to', v -> 'to',
                         'subject', v -> 'subject', 'message_id', v -> 'message_id',
                         'mm_status', v -> 'mm_status', 'recipient', v -> 'recipient',
                         'text', left(v ->> 'text', 200))::text
                 FROM (SELECT id, operation, transaction_id, received_at, view::json AS v
                       FROM received WHERE id < $1{only} ORDER BY id DESC LIMIT $2) AS page
                 ORDER BY id DESC"
                ),
                &params,
            )
            .await
            .map_err(pg("listing received requests"))?;
        Ok(rows.iter().map(received_row).collect())
    }

    async fn received(&self, id: i64) -> Result<Option<ReceivedRow>, GatewayError> {
        let client = self.pool.get().await.map_err(pool_error)?;
        let row = client
            .query_opt(
                "SELECT id, operation, transaction_id, received_at, view
                 FROM received WHERE id = $1",
                &[&id],
            )
            .await
            .map_err(pg("reading a received request"))?;
        Ok(row.as_ref().map(received_row))
    }

    async fn list_early_reports(&self, limit: usize) -> Result<Vec<EarlyReport>, GatewayError> {
        let client = self.pool.get().await.map_err(pool_error)?;
        let limit = i64::try_from(limit.min(MAX_PAGE)).unwrap_or(0);
        Ok(client
            .query(
                "SELECT id, message_id, recipient, status, detail, received, received_at
                 FROM early_reports ORDER BY id DESC LIMIT $1",
                &[&limit],
            )
            .await
            .map_err(pg("listing the reports ahead of their message"))?
            .iter()
            .map(|row| EarlyReport {
                id: row.get(0),
                message_id: row.get(1),
                recipient: row.get(2),
                status: row.get(3),
                detail: row.get(4),
                received: row.get(5),
                received_at: row.get(6),
            })
            .collect())
    }

    async fn expire_early_reports(&self, before: i64, limit: usize) -> Result<u64, GatewayError> {
        let client = self.pool.get().await.map_err(pool_error)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        client
            .execute(
                "DELETE FROM early_reports WHERE id IN (
                     SELECT id FROM early_reports WHERE received_at < $1
                     ORDER BY received_at, id LIMIT $2)",
                &[&before, &limit],
            )
            .await
            .map_err(pg("deleting the unmatched reports past their retention"))
    }

    async fn expire_finished(&self, before: i64, limit: usize) -> Result<Expired, GatewayError> {
        let mut client = self.pool.get().await.map_err(pool_error)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let tx = client
            .transaction()
            .await
            .map_err(pg("deleting what is past its retention"))?;
        // Submissions not queued any more (no `due_at`: sent, delivered, failed, …), with their
        // history; those queued or in flight have one. Locked, so that a report applied to one
        // meanwhile waits for this to commit (and then finds it gone); skipped if locked.
        let finished: Vec<String> = tx
            .query(
                "SELECT id FROM messages WHERE due_at IS NULL AND updated_at < $1
                 ORDER BY updated_at, id LIMIT $2 FOR UPDATE SKIP LOCKED",
                &[&before, &limit],
            )
            .await
            .map_err(pg("finding submissions past their retention"))?
            .iter()
            .map(|row| row.get(0))
            .collect();
        tx.execute("DELETE FROM history WHERE message = ANY($1)", &[&finished])
            .await
            .map_err(pg(
                "deleting the history of submissions past their retention",
            ))?;
        let messages = tx
            .execute("DELETE FROM messages WHERE id = ANY($1)", &[&finished])
            .await
            .map_err(pg("deleting submissions past their retention"))?;
        let received = tx
            .execute(
                "DELETE FROM received WHERE id IN (
                     SELECT id FROM received r WHERE received_at < $1
                       AND NOT EXISTS (SELECT 1 FROM early_reports e WHERE e.received = r.id)
                     ORDER BY received_at, id LIMIT $2)",
                &[&before, &limit],
            )
            .await
            .map_err(pg("deleting received requests past their retention"))?;
        // A message's parts stay while a webhook about it may still be sent: its body holds
        // their URLs.
        let mo_parts = tx
            .execute(
                "DELETE FROM mo_parts WHERE (mo, n) IN (
                     SELECT mo, n FROM mo_parts WHERE received_at < $1
                       AND mo NOT IN (
                           SELECT body::json ->> 'id' FROM webhooks
                           WHERE state IN ('pending', 'failed', 'expired')
                             AND body::json ->> 'id' IS NOT NULL)
                     ORDER BY received_at LIMIT $2)",
                &[&before, &limit],
            )
            .await
            .map_err(pg("deleting parts of messages past their retention"))?;
        let webhooks = tx
            .execute(
                "DELETE FROM webhooks WHERE id IN (
                     SELECT id FROM webhooks WHERE state = 'delivered' AND created_at < $1
                     ORDER BY created_at, id LIMIT $2)",
                &[&before, &limit],
            )
            .await
            .map_err(pg("deleting delivered webhooks past their retention"))?;
        tx.commit()
            .await
            .map_err(pg("deleting what is past its retention"))?;
        Ok(Expired {
            messages,
            received,
            mo_parts,
            webhooks,
        })
    }

    async fn list_failed_webhooks(
        &self,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<FailedWebhook>, GatewayError> {
        let client = self.pool.get().await.map_err(pool_error)?;
        let limit = i64::try_from(limit.min(MAX_PAGE)).unwrap_or(0);
        let rows = client
            .query(
                "SELECT id, json_build_object('type', b -> 'type', 'id', b -> 'id',
                         'status', b -> 'status', 'transaction_id', b -> 'transaction_id')::text,
                     url, tries, last_error, created_at
                 FROM (SELECT id, body::json AS b, url, tries, last_error, created_at
                       FROM webhooks WHERE state IN ('failed', 'expired') AND id < $1
                       ORDER BY id DESC LIMIT $2) AS page
                 ORDER BY id DESC",
                &[&before.unwrap_or(i64::MAX), &limit],
            )
            .await
            .map_err(pg("listing failed webhooks"))?;
        Ok(rows
            .iter()
            .map(|row| {
                let summary: String = row.get(1);
                let tries: i32 = row.get(3);
                FailedWebhook {
                    id: row.get(0),
                    summary: serde_json::from_str(&summary).unwrap_or(Value::Null),
                    url: row.get(2),
                    tries: u32::try_from(tries).unwrap_or(0),
                    last_error: row.get(4),
                    created_at: row.get(5),
                }
            })
            .collect())
    }

    async fn message_request(&self, id: &str) -> Result<Option<(String, Value)>, GatewayError> {
        let client = self.pool.get().await.map_err(pool_error)?;
        let row = client
            .query_opt(
                "SELECT account, request FROM messages WHERE id = $1",
                &[&id],
            )
            .await
            .map_err(pg("reading a message"))?;
        Ok(row.map(|row| {
            let request: String = row.get(1);
            (
                row.get(0),
                crate::store::without_received_digest(
                    serde_json::from_str(&request).unwrap_or(Value::Null),
                ),
            )
        }))
    }

    async fn by_idempotency_key(&self, key: &str) -> Result<Option<(String, Value)>, GatewayError> {
        let client = self.pool.get().await.map_err(pool_error)?;
        let row = client
            .query_opt(
                "SELECT id, request FROM messages WHERE idempotency_key = $1",
                &[&key],
            )
            .await
            .map_err(pg("looking up the idempotency key"))?;
        Ok(row.map(|row| {
            let request: String = row.get(1);
            (
                row.get(0),
                serde_json::from_str(&request).unwrap_or(Value::Null),
            )
        }))
    }

    async fn webhooks(&self, state: &str, limit: usize) -> Result<Vec<WebhookView>, GatewayError> {
        let client = self.pool.get().await.map_err(pool_error)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = client
            .query(
                "SELECT id, state, body, tries, last_error, created_at FROM webhooks
                 WHERE state = $1 ORDER BY id LIMIT $2",
                &[&state, &limit],
            )
            .await
            .map_err(pg("listing webhooks"))?;
        Ok(rows
            .iter()
            .map(|row| {
                let tries: i32 = row.get(3);
                WebhookView::of(
                    row.get(0),
                    row.get(1),
                    row.get(2),
                    u32::try_from(tries).unwrap_or(0),
                    row.get(4),
                    row.get(5),
                )
            })
            .collect())
    }

    async fn retry_webhooks(&self, id: Option<i64>) -> Result<u64, GatewayError> {
        let client = self.pool.get().await.map_err(pool_error)?;
        client
            .execute(
                "UPDATE webhooks SET state = 'pending', due_at = $1, revived_at = $1,
                     tries = 0, lease_until = NULL
                 WHERE state IN ('failed', 'expired') AND ($2::BIGINT IS NULL OR id = $2)",
                &[&now_ms(), &id],
            )
            .await
            .map_err(pg("trying webhooks again"))
    }

    async fn mo_part(&self, mo: &str, n: u32) -> Result<Option<(String, Vec<u8>)>, GatewayError> {
        let client = self.pool.get().await.map_err(pool_error)?;
        let n = i32::try_from(n).unwrap_or(i32::MAX);
        let row = client
            .query_opt(
                "SELECT content_type, data FROM mo_parts WHERE mo = $1 AND n = $2",
                &[&mo, &n],
            )
            .await
            .map_err(pg("reading a part"))?;
        Ok(row.map(|row| (row.get(0), row.get(1))))
    }
}

/// A `received` row: id, operation, transaction_id, received_at and the view (as JSON text).
fn received_row(row: &tokio_postgres::Row) -> ReceivedRow {
    let view: String = row.get(4);
    ReceivedRow {
        id: row.get(0),
        operation: row.get(1),
        transaction_id: row.get(2),
        received_at: row.get(3),
        view: serde_json::from_str(&view).unwrap_or(Value::Null),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Storage tests of the PostgreSQL backend, on a database of their own on the server of
    /// `MM7_TEST_POSTGRES_URL` (dropped after).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_passes_the_storage_tests() {
        on_fresh_database("postgres_passes_the_storage_tests", |storage| async move {
            crate::store::tests::accounts_cancel_and_replace(storage.clone(), true).await;
            crate::store::tests::submissions_and_outcomes_together(storage.clone()).await;
            crate::store::tests::webhooks_kept_and_mo_parts(storage.clone()).await;
            crate::store::tests::reports_ahead_of_their_message(storage.clone()).await;
            crate::api::tests::idempotent_retries_fetch_nothing(storage.clone()).await;
            crate::store::tests::finished_work_expires(storage).await;
        })
        .await;
    }

    /// Reports and the settles that record their MessageIDs, at once from two gateways (two
    /// pools): whichever commits first, the other sees it, and every report ends applied.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_reports_racing_their_settle_all_apply() {
        on_fresh_database_twice(
            "postgres_reports_racing_their_settle_all_apply",
            |one, other| async move {
                const N: usize = 60;
                for n in 0..N {
                    let new = NewSubmission {
                        id: format!("race_{n}"),
                        account: "race".into(),
                        idempotency_key: None,
                        reference: None,
                        request: serde_json::json!({"to": "15551234567", "text": "race"}),
                        transaction_id: format!("tx-race-{n}"),
                        expires_at: None,
                    };
                    one.enqueue(new).await.unwrap();
                }
                let race = async {
                    let mut tasks = Vec::new();
                    for n in 0..N {
                        // Each side on each pool, in turn.
                        let (reporter, settler) = if n % 2 == 0 {
                            (one.clone(), other.clone())
                        } else {
                            (other.clone(), one.clone())
                        };
                        let message_id = format!("MIDR{n}");
                        let report = Received {
                            operation: "DeliveryReportReq".into(),
                            transaction_id: format!("dr-race-{n}"),
                            raw: b"raw".to_vec(),
                            view: serde_json::json!({"message_id": message_id}),
                            status: Some((message_id.clone(), "delivered".into(), None)),
                            webhook: None,
                            webhook_url: None,
                            parts: Vec::new(),
                        };
                        tasks.push(tokio::spawn(async move {
                            reporter.receive(report, false).await
                        }));
                        let outcome = Outcome::Sent { message_id };
                        tasks.push(tokio::spawn(async move {
                            settler
                                .settle(vec![(format!("race_{n}"), outcome)], false)
                                .await
                        }));
                    }
                    for task in tasks {
                        task.await.unwrap().unwrap();
                    }
                };
                tokio::time::timeout(Duration::from_secs(30), race)
                    .await
                    .expect("the race ends within 30 s");
                for n in 0..N {
                    let view = one.message(&format!("race_{n}")).await.unwrap().unwrap();
                    assert_eq!(view.status, "delivered", "{view:?}");
                    let statuses: Vec<&str> =
                        view.history.iter().map(|h| h.status.as_str()).collect();
                    assert_eq!(statuses, ["queued", "sent", "delivered"], "{view:?}");
                }
                assert!(one.list_early_reports(10).await.unwrap().is_empty());
                assert_eq!(other.queue_depth().await.unwrap().unmatched_reports, 0);
            },
        )
        .await;
    }

    /// A database of its own on the server of `MM7_TEST_POSTGRES_URL` for `run`, dropped after;
    /// `None` (said out loud, refused in CI) without the variable.
    async fn on_fresh_database<F, Fut>(test: &str, run: F) -> Option<()>
    where
        F: FnOnce(PostgresStorage) -> Fut,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        on_fresh_database_twice(test, |storage, _| run(storage)).await
    }

    /// As [`on_fresh_database`], with two storages on the database, each with its own pool
    /// (two gateways sharing one queue).
    #[allow(clippy::print_stderr)] // The skip is said out loud, as the other PostgreSQL tests do.
    async fn on_fresh_database_twice<F, Fut>(test: &str, run: F) -> Option<()>
    where
        F: FnOnce(PostgresStorage, PostgresStorage) -> Fut,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let Ok(admin) = std::env::var("MM7_TEST_POSTGRES_URL") else {
            assert!(
                std::env::var_os("CI").is_none(),
                "MM7_TEST_POSTGRES_URL is required in CI"
            );
            eprintln!(
                "SKIPPED {test}: set MM7_TEST_POSTGRES_URL \
                 (a PostgreSQL server; .ci/run installs and starts one)"
            );
            return None;
        };
        let (client, connection) = tokio_postgres::connect(&admin, NoTls).await.unwrap();
        let connection = tokio::spawn(connection);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!("mm7_gw_unit_{}_{nanos}", std::process::id());
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let base = admin
            .rsplit_once('/')
            .map_or(admin.as_str(), |(base, _)| base);
        let storage = PostgresStorage::connect(&format!("{base}/{name}"))
            .await
            .unwrap();
        // Migrations run once: a second connect finds the schema current.
        let second = PostgresStorage::connect(&format!("{base}/{name}"))
            .await
            .unwrap();
        let outcome = tokio::spawn(run(storage.clone(), second)).await;
        drop(storage);
        client
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .unwrap();
        drop(client);
        let _ = connection.await;
        if let Err(panic) = outcome {
            std::panic::resume_unwind(panic.into_panic());
        }
        Some(())
    }

    /// Two gateways on one queue at a low rate, with more messages queued than one lease lets
    /// them send: each is sent once, and the rate holds across them (the claims' leases).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_two_gateways_send_each_message_once_within_the_rate() {
        on_fresh_database_twice(
            "postgres_two_gateways_send_each_message_once_within_the_rate",
            crate::dispatch::tests::two_gateways_send_each_message_once_within_the_rate,
        )
        .await;
    }

    /// The inbox's pages (escaping, keyset pages, filters) on PostgreSQL.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_inbox_pages_escape_page_and_filter() {
        on_fresh_database("postgres_inbox_pages_escape_page_and_filter", |storage| {
            crate::inbox::tests::pages_escape_page_and_filter(storage)
        })
        .await;
    }

    /// Debian's PostgreSQL serves this self-signed certificate (CN and DNS name `localhost`)
    /// when its cluster has `ssl = on`, as `.ci/run` makes sure.
    const SNAKEOIL: &str = "/etc/ssl/certs/ssl-cert-snakeoil.pem";

    /// Whether the connection of `storage` is encrypted, by the server's own account.
    async fn encrypted(storage: &PostgresStorage) -> bool {
        let client = storage.pool.get().await.unwrap();
        client
            .query_one(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .await
            .unwrap()
            .get(0)
    }

    /// TLS to the local server as each `sslmode` says: plain by default, encrypted under
    /// `require`, checked against the CA under `verify-full` (the host name too), and a server
    /// whose certificate a wrong CA did not sign refused with a clear error, no password in it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[allow(clippy::print_stderr)] // The skip is said out loud, as the other PostgreSQL tests do.
    async fn tls_to_postgres_as_the_sslmode_says() {
        let ci = std::env::var_os("CI").is_some();
        let Ok(admin) = std::env::var("MM7_TEST_POSTGRES_URL") else {
            assert!(!ci, "MM7_TEST_POSTGRES_URL is required in CI");
            eprintln!("SKIPPED tls_to_postgres_as_the_sslmode_says: set MM7_TEST_POSTGRES_URL");
            return;
        };
        let (client, connection) = tokio_postgres::connect(&admin, NoTls).await.unwrap();
        let connection = tokio::spawn(connection);
        let ssl: String = client.query_one("SHOW ssl", &[]).await.unwrap().get(0);
        let Ok(snakeoil) = std::fs::read(SNAKEOIL) else {
            assert!(!ci, "{SNAKEOIL} is required in CI");
            eprintln!("SKIPPED tls_to_postgres_as_the_sslmode_says: no {SNAKEOIL}");
            return;
        };
        if ssl != "on" {
            assert!(!ci, "the PostgreSQL server has ssl = {ssl} in CI");
            eprintln!("SKIPPED tls_to_postgres_as_the_sslmode_says: the server has ssl = {ssl}");
            return;
        }
        drop(client);
        let _ = connection.await;
        let config: tokio_postgres::Config = admin.parse().unwrap();
        let user = config.get_user().unwrap();
        let password = String::from_utf8(config.get_password().unwrap().to_vec()).unwrap();
        let database = config.get_dbname().unwrap();
        let url = |host: &str, query: &str| {
            format!("postgres://{user}:{password}@{host}/{database}?hostaddr=127.0.0.1&{query}")
        };

        // No sslmode: plain TCP, as before.
        let plain = PostgresStorage::connect(&url("127.0.0.1", ""))
            .await
            .unwrap();
        assert!(!encrypted(&plain).await);
        // prefer: encrypted, since this server offers TLS.
        let preferred = PostgresStorage::connect(&url("127.0.0.1", "sslmode=prefer"))
            .await
            .unwrap();
        assert!(encrypted(&preferred).await);
        // require: encrypted, the certificate not checked (as libpq without a CA).
        let required = PostgresStorage::connect(&url("127.0.0.1", "sslmode=require"))
            .await
            .unwrap();
        assert!(encrypted(&required).await);
        // verify-full with the server's certificate as the CA, by its name (the CA from the
        // configuration file here; the URL's sslrootcert does the same).
        let tls = DatabaseTls {
            ca_certificate: Some(snakeoil),
            ..DatabaseTls::default()
        };
        let full = PostgresStorage::connect_with(&url("localhost", "sslmode=verify-full"), &tls)
            .await
            .unwrap();
        assert!(encrypted(&full).await);
        let by_file = url(
            "localhost",
            &format!("sslmode=verify-full&sslrootcert={SNAKEOIL}"),
        );
        assert!(encrypted(&PostgresStorage::connect(&by_file).await.unwrap()).await);
        // verify-full by an address the certificate does not name: refused; verify-ca: taken.
        let Err(name) =
            PostgresStorage::connect_with(&url("127.0.0.1", "sslmode=verify-full"), &tls).await
        else {
            panic!("verify-full took a certificate for another name");
        };
        assert!(name.to_string().contains("not valid for name"), "{name}");
        let ca = PostgresStorage::connect_with(&url("127.0.0.1", "sslmode=verify-ca"), &tls)
            .await
            .unwrap();
        assert!(encrypted(&ca).await);

        // A CA that did not sign the server's certificate: refused, saying why, no password.
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let wrong = DatabaseTls {
            ca_certificate: Some(params.self_signed(&key).unwrap().pem().into_bytes()),
            ..DatabaseTls::default()
        };
        for mode in ["verify-full", "verify-ca", "require"] {
            let Err(error) = PostgresStorage::connect_with(
                &url("localhost", &format!("sslmode={mode}")),
                &wrong,
            )
            .await
            else {
                panic!("{mode} took a certificate the CA did not sign");
            };
            let text = error.to_string();
            assert!(
                text.contains("invalid peer certificate") && text.contains("UnknownIssuer"),
                "{mode}: {text}"
            );
            assert!(!text.contains(&password) && !text.contains(user), "{text}");
        }
    }
}

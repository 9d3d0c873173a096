//! The PostgreSQL backend: several gateways, on several machines, share one queue. Claims take
//! due rows with `FOR UPDATE SKIP LOCKED` under a lease, so two gateways never send the same
//! message at once, and a gateway that dies leaves its claims to the others when the lease
//! ends. Every operation is one transaction, committed before it returns.

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use serde_json::Value;
use tokio_postgres::NoTls;

use crate::error::GatewayError;
use crate::metrics::QueueDepth;
use crate::store::{
    Claimed, Enqueued, HistoryEntry, MessageView, NewSubmission, Outcome, Received, Storage,
    WebhookRow, now_ms, rfc3339,
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
];

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
}

impl std::fmt::Debug for PostgresStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password: not shown.
        f.debug_struct("PostgresStorage").finish_non_exhaustive()
    }
}

impl PostgresStorage {
    /// Connects to `url` (`postgres://user:password@host/database`; plain TCP, for a database
    /// on the same host or a private network) and runs the migrations it lacks, one gateway at
    /// a time (an advisory lock).
    ///
    /// # Errors
    /// The URL is not valid, the database cannot be reached, or it was written by a newer
    /// version of the gateway.
    pub async fn connect(url: &str) -> Result<PostgresStorage, GatewayError> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| GatewayError::Config(format!("the PostgreSQL URL: {e}")))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(8)
            .build()
            .map_err(|e| GatewayError::Internal(format!("the PostgreSQL pool: {e}")))?;
        let storage = PostgresStorage { pool };
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
    at: i64,
) -> Result<(), GatewayError> {
    tx.execute(
        "INSERT INTO webhooks (body, state, due_at, created_at) VALUES ($1, 'pending', $2, $2)",
        &[&body.to_string(), &at],
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

impl Storage for PostgresStorage {
    async fn enqueue(&self, new: NewSubmission) -> Result<Enqueued, GatewayError> {
        let mut client = self.pool.get().await.map_err(pool_error)?;
        let tx = client
            .transaction()
            .await
            .map_err(pg("starting a transaction"))?;
        let now = now_ms();
        let inserted = tx
            .execute(
                "INSERT INTO messages (id, idempotency_key, reference, request, status,
                     transaction_id, due_at, expires_at, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7, $6, $6)
                 ON CONFLICT (idempotency_key) DO NOTHING",
                &[
                    &new.id,
                    &new.idempotency_key,
                    &new.reference,
                    &new.request.to_string(),
                    &new.transaction_id,
                    &now,
                    &new.expires_at,
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
            let same = serde_json::from_str::<Value>(&request).is_ok_and(|r| r == new.request);
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

    async fn message(&self, id: &str) -> Result<Option<MessageView>, GatewayError> {
        let client = self.pool.get().await.map_err(pool_error)?;
        let Some(row) = client
            .query_opt(
                "SELECT id, status, message_id, reference, transaction_id, tries, last_error
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
            status: row.get(1),
            message_id: row.get(2),
            reference: row.get(3),
            transaction_id: row.get(4),
            tries: u32::try_from(tries).unwrap_or(0),
            last_error: row.get(6),
            history,
        }))
    }

    async fn claim(&self, limit: usize, lease: Duration) -> Result<Vec<Claimed>, GatewayError> {
        let client = self.pool.get().await.map_err(pool_error)?;
        let now = now_ms();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = client
            .query(
                "UPDATE messages SET status = 'sending', lease_until = $2, updated_at = $1
                 WHERE id IN (
                     SELECT id FROM messages
                     WHERE due_at IS NOT NULL AND due_at <= $1
                       AND (lease_until IS NULL OR lease_until <= $1)
                     ORDER BY due_at LIMIT $3
                     FOR UPDATE SKIP LOCKED)
                 RETURNING id, request, transaction_id, tries, expires_at",
                &[&now, &(now + ms(lease)), &limit],
            )
            .await
            .map_err(pg("claiming messages"))?;
        Ok(rows
            .iter()
            .map(|row| {
                let request: String = row.get(1);
                let tries: i32 = row.get(3);
                Claimed {
                    id: row.get(0),
                    request: serde_json::from_str(&request).unwrap_or(Value::Null),
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
        for (id, outcome) in &outcomes {
            let id = id.as_str();
            let (status, detail) = match outcome {
                Outcome::Sent { message_id } => {
                    tx.execute(
                        "UPDATE messages SET status = 'sent', message_id = $2, tries = tries + 1,
                             due_at = NULL, lease_until = NULL, last_error = NULL, updated_at = $3
                         WHERE id = $1",
                        &[&id, message_id, &now],
                    )
                    .await
                    .map_err(pg("recording a try"))?;
                    ("sent", Some(message_id.clone()))
                }
                Outcome::Retry { at, error } => {
                    tx.execute(
                        "UPDATE messages SET status = 'retrying', tries = tries + 1, due_at = $2,
                             lease_until = NULL, last_error = $3, updated_at = $4
                         WHERE id = $1",
                        &[&id, at, error, &now],
                    )
                    .await
                    .map_err(pg("recording a try"))?;
                    ("retrying", Some(error.clone()))
                }
                Outcome::Failed { error } => {
                    tx.execute(
                        "UPDATE messages SET status = 'failed', tries = tries + 1, due_at = NULL,
                             lease_until = NULL, last_error = $2, updated_at = $3
                         WHERE id = $1",
                        &[&id, error, &now],
                    )
                    .await
                    .map_err(pg("recording a try"))?;
                    ("failed", Some(error.clone()))
                }
                Outcome::Expired => {
                    tx.execute(
                        "UPDATE messages SET status = 'expired', due_at = NULL, lease_until = NULL,
                             last_error = 'expired before it could be sent', updated_at = $2
                         WHERE id = $1",
                        &[&id, &now],
                    )
                    .await
                    .map_err(pg("recording an expiry"))?;
                    (
                        "expired",
                        Some("expired before it could be sent".to_owned()),
                    )
                }
            };
            history(&tx, id, now, status, detail.as_deref()).await?;
            if webhook {
                let body = status_event(&tx, id, status, detail.as_deref(), now).await?;
                add_webhook(&tx, &body, now).await?;
            }
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
            for id in ids {
                history(&tx, &id, now, status, detail.as_deref()).await?;
                if webhook {
                    let body = status_event(&tx, &id, status, detail.as_deref(), now).await?;
                    add_webhook(&tx, &body, now).await?;
                }
            }
        }
        if webhook && let Some(body) = &received.webhook {
            add_webhook(&tx, body, now).await?;
        }
        tx.commit()
            .await
            .map_err(pg("committing a received request"))?;
        Ok(())
    }

    async fn queue_depth(&self) -> Result<QueueDepth, GatewayError> {
        let client = self.pool.get().await.map_err(pool_error)?;
        let row = client
            .query_one(
                "SELECT
                     (SELECT count(*) FROM messages WHERE status = 'queued'),
                     (SELECT count(*) FROM messages WHERE status = 'retrying'),
                     (SELECT count(*) FROM messages WHERE status = 'sending'),
                     (SELECT count(*) FROM webhooks WHERE state = 'pending')",
                &[],
            )
            .await
            .map_err(pg("counting the queue"))?;
        let n = |i: usize| u64::try_from(row.get::<_, i64>(i)).unwrap_or(0);
        Ok(QueueDepth::new(n(0), n(1), n(2), n(3)))
    }

    async fn reserve_slot(&self, interval: Duration) -> Result<Option<i64>, GatewayError> {
        // One schedule for every node: each send takes the next free slot, so the rate holds
        // across nodes however many run.
        let client = self.pool.get().await.map_err(pool_error)?;
        let now = now_ms();
        let step = ms(interval);
        let row = client
            .query_one(
                "INSERT INTO rate (name, next_at) VALUES ('default', $1::BIGINT + $2::BIGINT)
                 ON CONFLICT (name) DO UPDATE
                     SET next_at = GREATEST(rate.next_at, $1::BIGINT) + $2::BIGINT
                 RETURNING next_at - $2::BIGINT",
                &[&now, &step],
            )
            .await
            .map_err(pg("reserving a send slot"))?;
        Ok(Some(row.get(0)))
    }

    async fn claim_webhooks(
        &self,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<WebhookRow>, GatewayError> {
        let client = self.pool.get().await.map_err(pool_error)?;
        let now = now_ms();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = client
            .query(
                "UPDATE webhooks SET lease_until = $2
                 WHERE id IN (
                     SELECT id FROM webhooks
                     WHERE due_at IS NOT NULL AND due_at <= $1
                       AND (lease_until IS NULL OR lease_until <= $1)
                     ORDER BY id LIMIT $3
                     FOR UPDATE SKIP LOCKED)
                 RETURNING id, body, tries",
                &[&now, &(now + ms(lease)), &limit],
            )
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
                }
            })
            .collect())
    }

    async fn settle_webhook(
        &self,
        id: i64,
        error: Option<String>,
        retry_at: Option<i64>,
    ) -> Result<(), GatewayError> {
        let client = self.pool.get().await.map_err(pool_error)?;
        let (state, due) = match (&error, retry_at) {
            (None, _) => ("delivered", None),
            (Some(_), Some(at)) => ("pending", Some(at)),
            (Some(_), None) => ("failed", None),
        };
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
}

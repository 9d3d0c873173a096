//! The outbox: requests the server owes a peer (delivery reports, read replies, MO messages),
//! kept as rows until sent, or failed for good (kept, visible and re-triable).

use std::time::{Duration, SystemTime};

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use crate::{NewOutbox, StoreError, millis, time};

/// Where an outbox row stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum OutboxState {
    /// Not yet sent, or to be tried again.
    Pending,
    /// Sent and acknowledged.
    Sent,
    /// Given up on after its last try (or refused for good by the peer); can be retried.
    Failed,
    /// Not sent: its message was cancelled first.
    Cancelled,
}

impl OutboxState {
    /// The state's name, as stored and printed.
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Sent => "sent",
            OutboxState::Failed => "failed",
            OutboxState::Cancelled => "cancelled",
        }
    }

    pub(crate) fn parse(text: &str) -> OutboxState {
        match text {
            "sent" => OutboxState::Sent,
            "failed" => OutboxState::Failed,
            "cancelled" => OutboxState::Cancelled,
            _ => OutboxState::Pending,
        }
    }
}

/// An outbox row as read back.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct OutboxRow {
    /// The row's id.
    pub id: i64,
    /// The message that caused it.
    pub message: i64,
    /// What it sends.
    pub kind: String,
    /// Where it goes (may carry credentials: mask before showing).
    pub destination: String,
    /// What the sender needs to build the request.
    pub payload: serde_json::Value,
    /// Where it stands.
    pub state: OutboxState,
    /// Tries made so far.
    pub tries: u32,
    /// When it is next due (pending rows), in milliseconds since the Unix epoch.
    pub next_ms: i64,
    /// The last try's error.
    pub last_error: Option<String>,
}

/// What became of a try of a claimed row.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum OutboxOutcome {
    /// Sent and acknowledged.
    Sent,
    /// Failed in a way that may succeed later: try again at this time.
    Retry {
        /// When.
        at: SystemTime,
        /// Why this try failed.
        error: String,
    },
    /// Failed for good (the last try, or a refusal that cannot change).
    Failed {
        /// Why.
        error: String,
    },
}

pub(crate) const COLUMNS: &str =
    "id, message, kind, destination, payload, state, tries, next_ms, last_error";

pub(crate) fn from_row(row: &Row<'_>) -> rusqlite::Result<OutboxRow> {
    let payload: String = row.get(4)?;
    Ok(OutboxRow {
        id: row.get(0)?,
        message: row.get(1)?,
        kind: row.get(2)?,
        destination: row.get(3)?,
        payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
        state: OutboxState::parse(&row.get::<_, String>(5)?),
        tries: row.get(6)?,
        next_ms: row.get(7)?,
        last_error: row.get(8)?,
    })
}

pub(crate) fn pending(conn: &Connection) -> Result<u64, StoreError> {
    conn.prepare_cached("SELECT count(*) FROM outbox WHERE state = 'pending'")
        .and_then(|mut s| s.query_row([], |row| row.get::<_, i64>(0)))
        .map(|n| u64::try_from(n).unwrap_or(0))
        .map_err(StoreError::db("counting pending outbox rows"))
}

pub(crate) fn add(
    conn: &Connection,
    message: i64,
    row: &NewOutbox,
    now: i64,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO outbox (message, kind, destination, payload, state, next_ms, created_ms,
                             updated_ms)
         VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?6, ?6)",
    )
    .and_then(|mut s| {
        s.execute(params![
            message,
            row.kind,
            row.destination,
            row.payload.to_string(),
            millis(row.not_before),
            now
        ])
    })
    .map(drop)
    .map_err(StoreError::db("adding an outbox row"))
}

pub(crate) fn claim(
    conn: &Connection,
    limit: usize,
    lease: Duration,
) -> Result<Vec<OutboxRow>, StoreError> {
    let now = millis(SystemTime::now());
    let until = now.saturating_add(i64::try_from(lease.as_millis()).unwrap_or(i64::MAX));
    let mut statement = conn
        .prepare_cached(&format!(
            "UPDATE outbox SET next_ms = ?1, updated_ms = ?2, leased = 1
             WHERE id IN (SELECT id FROM outbox WHERE state = 'pending' AND next_ms <= ?2
                          ORDER BY next_ms LIMIT ?3)
             RETURNING {COLUMNS}"
        ))
        .map_err(StoreError::db("claiming outbox rows"))?;
    let rows = statement
        .query_map(params![until, now, limit as i64], from_row)
        .and_then(Iterator::collect)
        .map_err(StoreError::db("claiming outbox rows"))?;
    Ok(rows)
}

pub(crate) fn take_over(conn: &Connection) -> Result<usize, StoreError> {
    let now = millis(SystemTime::now());
    conn.prepare_cached(
        "UPDATE outbox SET leased = 0, next_ms = ?1, updated_ms = ?1
         WHERE state = 'pending' AND leased = 1",
    )
    .and_then(|mut s| s.execute(params![now]))
    .map_err(StoreError::db("taking over claimed outbox rows"))
}

pub(crate) fn settle(
    conn: &Connection,
    id: i64,
    outcome: &OutboxOutcome,
) -> Result<(), StoreError> {
    let now = millis(SystemTime::now());
    let (state, next, error) = match outcome {
        OutboxOutcome::Sent => ("sent", now, None),
        OutboxOutcome::Retry { at, error } => ("pending", millis(*at), Some(error.as_str())),
        OutboxOutcome::Failed { error } => ("failed", now, Some(error.as_str())),
    };
    conn.prepare_cached(
        "UPDATE outbox SET state = ?2, tries = tries + 1, next_ms = ?3, updated_ms = ?4,
                           leased = 0, last_error = coalesce(?5, last_error)
         WHERE id = ?1 AND state = 'pending'",
    )
    .and_then(|mut s| s.execute(params![id, state, next, now, error]))
    .map(drop)
    .map_err(StoreError::db("settling an outbox row"))
}

pub(crate) fn cancel(conn: &Connection, message_id: &str) -> Result<Option<usize>, StoreError> {
    let message: Option<i64> = conn
        .query_row(
            "SELECT id FROM messages WHERE message_id = ?1",
            [message_id],
            |row| row.get(0),
        )
        .optional()
        .map_err(StoreError::db("looking up a MessageID"))?;
    let Some(message) = message else {
        return Ok(None);
    };
    let now = millis(SystemTime::now());
    conn.execute(
        "UPDATE outbox SET state = 'cancelled', updated_ms = ?2
         WHERE message = ?1 AND state = 'pending'",
        params![message, now],
    )
    .map(Some)
    .map_err(StoreError::db("cancelling outbox rows"))
}

pub(crate) fn next_due(conn: &Connection) -> Result<Option<SystemTime>, StoreError> {
    conn.query_row(
        "SELECT min(next_ms) FROM outbox WHERE state = 'pending'",
        [],
        |row| row.get::<_, Option<i64>>(0),
    )
    .map(|ms| ms.map(time))
    .map_err(StoreError::db("finding the next due outbox row"))
}

/// Makes failed rows pending again, due now: one row, or all of them.
pub(crate) fn retry_failed(conn: &Connection, id: Option<i64>) -> Result<usize, StoreError> {
    let now = millis(SystemTime::now());
    conn.execute(
        "UPDATE outbox SET state = 'pending', tries = 0, next_ms = ?1, updated_ms = ?1
         WHERE state = 'failed' AND (?2 IS NULL OR id = ?2)",
        params![now, id],
    )
    .map_err(StoreError::db("retrying failed outbox rows"))
}

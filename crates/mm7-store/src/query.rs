//! What the web inbox reads and deletes: a page of messages newest first with filters, one
//! part's bytes, the raw request, and deletion. Additive to [`Reader`].

use rusqlite::{OptionalExtension, params_from_iter, types::Value};
use serde::Serialize;

use crate::outbox::{self, COLUMNS, OutboxRow, OutboxState};
use crate::read::{MessageSummary, OutboxSummary, rfc3339};
use crate::{NewOutbox, Reader, StoreError, millis};

/// Which messages a [`Reader::page`] returns: start from `Query::default()` (every message)
/// and set the fields to filter on; `None` matches everything.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Query {
    /// The operation, exactly (e.g. `SubmitReq`).
    pub operation: Option<String>,
    /// A substring of the sender address (`SenderAddress`, `Sender`) in the stored view.
    pub sender: Option<String>,
    /// A substring of a recipient address (`Recipients`, `Recipient`) in the stored view.
    pub recipient: Option<String>,
    /// The MessageID, exactly.
    pub message_id: Option<String>,
    /// The TransactionID, exactly.
    pub transaction_id: Option<String>,
    /// A substring of the subject or of a text part (case-insensitive for ASCII).
    pub text: Option<String>,
    /// Only messages with a row below this one (the previous page's last id).
    pub before: Option<i64>,
    /// The most messages returned (at most 500; 50 when 0).
    pub limit: u32,
}

/// A part's bytes and what it says it is.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct StoredPart {
    /// Its position among the message's parts (from 0).
    pub position: u32,
    /// The file name it was stored under.
    pub file_name: String,
    /// Its Content-Type, as received.
    pub content_type: String,
    /// Its Content-ID, if any.
    pub content_id: Option<String>,
    /// Its bytes.
    #[serde(skip)]
    pub data: Vec<u8>,
    /// How many bytes.
    pub size: usize,
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern containing `s`.
fn contains(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('%');
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

impl Reader {
    /// The messages matching `query`, newest first, with their outbox rows.
    ///
    /// # Errors
    /// The database could not be read.
    pub fn page(&self, query: &Query) -> Result<Vec<MessageSummary>, StoreError> {
        let read = StoreError::db("listing messages");
        let mut conditions = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        let mut add = |condition: &str, value: Value| {
            values.push(value);
            conditions.push(condition.replace('?', &format!("?{}", values.len())));
        };
        if let Some(v) = &query.operation {
            add("m.operation = ?", Value::Text(v.clone()));
        }
        if let Some(v) = &query.message_id {
            add("m.message_id = ?", Value::Text(v.clone()));
        }
        if let Some(v) = &query.transaction_id {
            add("m.transaction_id = ?", Value::Text(v.clone()));
        }
        if let Some(v) = &query.sender {
            add(
                "EXISTS (SELECT 1 FROM json_tree(m.view) t WHERE (t.fullkey LIKE '%.SenderAddress%' OR t.fullkey LIKE '$.body.Sender.%') AND t.type = 'text' AND t.atom LIKE ? ESCAPE '\\')",
                Value::Text(contains(v)),
            );
        }
        if let Some(v) = &query.recipient {
            add(
                "EXISTS (SELECT 1 FROM json_tree(m.view) t WHERE (t.fullkey LIKE '$.body.Recipients.%' OR t.fullkey LIKE '$.body.Recipient.%') AND t.type = 'text' AND t.atom LIKE ? ESCAPE '\\')",
                Value::Text(contains(v)),
            );
        }
        if let Some(v) = &query.text {
            add(
                "(EXISTS (SELECT 1 FROM json_tree(m.view) t WHERE t.fullkey = '$.body.Subject' AND t.atom LIKE ? ESCAPE '\\')
                  OR EXISTS (SELECT 1 FROM parts p WHERE p.message_id = m.id
                             AND lower(p.content_type) LIKE 'text/%'
                             AND CAST(p.data AS TEXT) LIKE ? ESCAPE '\\'))",
                Value::Text(contains(v)),
            );
        }
        if let Some(v) = query.before {
            add("m.id < ?", Value::Integer(v));
        }
        let limit = match query.limit {
            0 => 50,
            n => n.min(500),
        };
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let sql = format!(
            "SELECT m.id, m.operation, m.transaction_id, m.message_id, m.peer, m.received_ms,
                    (SELECT count(*) FROM parts p WHERE p.message_id = m.id)
             FROM messages m {filter} ORDER BY m.id DESC LIMIT {limit}"
        );
        let mut statement = self.conn.prepare(&sql).map_err(&read)?;
        let mut messages: Vec<MessageSummary> = statement
            .query_map(params_from_iter(values), |row| {
                Ok(MessageSummary {
                    id: row.get(0)?,
                    operation: row.get(1)?,
                    transaction_id: row.get(2)?,
                    message_id: row.get(3)?,
                    peer: row.get(4)?,
                    received_at: rfc3339(row.get(5)?),
                    parts: row.get(6)?,
                    outbox: Vec::new(),
                })
            })
            .and_then(Iterator::collect)
            .map_err(&read)?;
        for message in &mut messages {
            message.outbox = self.outbox_of(message.id)?;
        }
        Ok(messages)
    }

    /// The outbox rows caused by message row `id`, oldest first.
    fn outbox_of(&self, id: i64) -> Result<Vec<OutboxSummary>, StoreError> {
        let mut statement = self
            .conn
            .prepare("SELECT id, kind, state, tries FROM outbox WHERE message = ?1 ORDER BY id")
            .map_err(StoreError::db("reading the outbox"))?;
        statement
            .query_map([id], |row| {
                Ok(OutboxSummary {
                    id: row.get(0)?,
                    kind: row.get(1)?,
                    state: OutboxState::parse(&row.get::<_, String>(2)?),
                    tries: row.get(3)?,
                })
            })
            .and_then(Iterator::collect)
            .map_err(StoreError::db("reading the outbox"))
    }

    /// The summary of the message named by its id or MessageID.
    ///
    /// # Errors
    /// No such message, or the database could not be read.
    pub fn summary(&self, key: &str) -> Result<MessageSummary, StoreError> {
        let id = self.find(key)?;
        let query = Query {
            before: Some(id + 1),
            limit: 1,
            ..Query::default()
        };
        self.page(&query)?
            .into_iter()
            .next()
            .filter(|m| m.id == id)
            .ok_or_else(|| StoreError::NotFound(key.to_owned()))
    }

    /// The parts of a message with their bytes, in order.
    ///
    /// # Errors
    /// No such message, or the database could not be read.
    pub fn parts(&self, key: &str) -> Result<Vec<StoredPart>, StoreError> {
        let id = self.find(key)?;
        let mut statement = self
            .conn
            .prepare(
                "SELECT position, file_name, content_type, content_id, data FROM parts
                 WHERE message_id = ?1 ORDER BY position",
            )
            .map_err(StoreError::db("reading parts"))?;
        statement
            .query_map([id], |row| {
                let data: Vec<u8> = row.get(4)?;
                Ok(StoredPart {
                    position: row.get(0)?,
                    file_name: row.get(1)?,
                    content_type: row.get(2)?,
                    content_id: row.get(3)?,
                    size: data.len(),
                    data,
                })
            })
            .and_then(Iterator::collect)
            .map_err(StoreError::db("reading parts"))
    }

    /// The request as received: its head (request line and headers) and its body.
    ///
    /// # Errors
    /// No such message, or the database could not be read.
    pub fn raw(&self, key: &str) -> Result<(Vec<u8>, Vec<u8>), StoreError> {
        let id = self.find(key)?;
        self.conn
            .query_row(
                "SELECT request_head, request_body FROM messages WHERE id = ?1",
                [id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .map_err(StoreError::db("reading a message"))
    }

    /// The highest message row, 0 for an empty store (what changed since, for live updates).
    ///
    /// # Errors
    /// The database could not be read.
    pub fn newest(&self) -> Result<(i64, i64), StoreError> {
        self.conn
            .query_row(
                "SELECT coalesce(max(id), 0), count(*) FROM messages",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map(Option::unwrap_or_default)
            .map_err(StoreError::db("reading the newest message"))
    }

    /// Deletes the message named by its id or MessageID, with its parts and outbox rows.
    ///
    /// # Errors
    /// No such message, or the database could not be written.
    pub fn delete(&self, key: &str) -> Result<(), StoreError> {
        let id = self.find(key)?;
        self.conn
            .execute("DELETE FROM messages WHERE id = ?1", [id])
            .map_err(StoreError::db("deleting a message"))?;
        Ok(())
    }

    /// Deletes every message; returns how many.
    ///
    /// # Errors
    /// The database could not be written.
    pub fn delete_all(&self) -> Result<usize, StoreError> {
        self.conn
            .execute("DELETE FROM messages", [])
            .map_err(StoreError::db("deleting messages"))
    }

    /// The outbox rows a message caused, with their payloads, oldest first.
    ///
    /// # Errors
    /// No such message, or the database could not be read.
    pub fn outbox_rows(&self, key: &str) -> Result<Vec<OutboxRow>, StoreError> {
        let id = self.find(key)?;
        let mut statement = self
            .conn
            .prepare(&format!(
                "SELECT {COLUMNS} FROM outbox WHERE message = ?1 ORDER BY id"
            ))
            .map_err(StoreError::db("reading the outbox"))?;
        statement
            .query_map([id], outbox::from_row)
            .and_then(Iterator::collect)
            .map_err(StoreError::db("reading the outbox"))
    }

    /// Adds an outbox row for the message named by its id or MessageID (an action asked for
    /// by hand); the running server's sender picks it up within its next poll. Returns its id.
    ///
    /// # Errors
    /// No such message, or the database could not be written.
    pub fn enqueue(&self, key: &str, row: &NewOutbox) -> Result<i64, StoreError> {
        let id = self.find(key)?;
        outbox::add(&self.conn, id, row, millis(std::time::SystemTime::now()))?;
        Ok(self.conn.last_insert_rowid())
    }
}

//! [`Reader`]: what `mm7 store list/show/export/outbox` read, on a connection of their own
//! (WAL lets them read while a server writes).

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::outbox::{self, COLUMNS, OutboxRow, OutboxState};
use crate::{DATABASE_FILE, StoreError, connect, schema};

/// A message as listed.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct MessageSummary {
    /// Its row (what `show` and `export` take).
    pub id: i64,
    /// The MM7 operation.
    pub operation: String,
    /// Its TransactionID.
    pub transaction_id: String,
    /// Its MessageID, if it has one.
    pub message_id: Option<String>,
    /// The peer's address.
    pub peer: Option<String>,
    /// When it was accepted (RFC 3339, UTC, milliseconds).
    pub received_at: String,
    /// How many attachments it has.
    pub parts: u32,
    /// Its outbox rows.
    pub outbox: Vec<OutboxSummary>,
}

/// An outbox row of a listed message.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct OutboxSummary {
    /// The row's id.
    pub id: i64,
    /// What it sends.
    pub kind: String,
    /// Where it stands.
    pub state: OutboxState,
    /// Tries made so far.
    pub tries: u32,
}

/// Reads a store (and retries its failed outbox rows), from any process.
#[derive(Debug)]
pub struct Reader {
    pub(crate) conn: Connection,
}

impl Reader {
    /// Opens the store in `root`, which must exist.
    ///
    /// # Errors
    /// There is no store there, or it cannot be opened.
    pub fn open(root: &Path) -> Result<Reader, StoreError> {
        let path = root.join(DATABASE_FILE);
        if !path.is_file() {
            return Err(StoreError::Open {
                path,
                source: rusqlite::Error::InvalidPath(PathBuf::from(DATABASE_FILE)),
            });
        }
        let mut conn = connect(root)?;
        schema::migrate(&mut conn)?;
        Ok(Reader { conn })
    }

    /// Every message, oldest first.
    ///
    /// # Errors
    /// The database could not be read.
    pub fn list(&self) -> Result<Vec<MessageSummary>, StoreError> {
        let read = StoreError::db("listing messages");
        let mut statement = self
            .conn
            .prepare(
                "SELECT m.id, m.operation, m.transaction_id, m.message_id, m.peer, m.received_ms,
                        (SELECT count(*) FROM parts p WHERE p.message_id = m.id)
                 FROM messages m ORDER BY m.id",
            )
            .map_err(&read)?;
        let mut messages: Vec<MessageSummary> = statement
            .query_map([], |row| {
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
        let mut statement = self
            .conn
            .prepare("SELECT message, id, kind, state, tries FROM outbox ORDER BY id")
            .map_err(&read)?;
        let rows: Vec<(i64, OutboxSummary)> = statement
            .query_map([], |row| {
                Ok((
                    row.get(0)?,
                    OutboxSummary {
                        id: row.get(1)?,
                        kind: row.get(2)?,
                        state: OutboxState::parse(&row.get::<_, String>(3)?),
                        tries: row.get(4)?,
                    },
                ))
            })
            .and_then(Iterator::collect)
            .map_err(&read)?;
        for (message, row) in rows {
            if let Ok(i) = messages.binary_search_by_key(&message, |m| m.id) {
                messages[i].outbox.push(row);
            }
        }
        Ok(messages)
    }

    /// The row of a message named by its id or its MessageID.
    pub(crate) fn find(&self, key: &str) -> Result<i64, StoreError> {
        let found: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM messages WHERE message_id = ?1 OR CAST(id AS TEXT) = ?1
                 ORDER BY message_id = ?1 DESC LIMIT 1",
                [key],
                |row| row.get(0),
            )
            .optional()
            .map_err(StoreError::db("finding a message"))?;
        found.ok_or_else(|| StoreError::NotFound(key.to_owned()))
    }

    /// The decoded view of a message named by its id or MessageID.
    ///
    /// # Errors
    /// No such message, or the database could not be read.
    pub fn show(&self, key: &str) -> Result<serde_json::Value, StoreError> {
        let id = self.find(key)?;
        let view: String = self
            .conn
            .query_row("SELECT view FROM messages WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .map_err(StoreError::db("reading a message"))?;
        serde_json::from_str(&view).map_err(|source| StoreError::Json { row: id, source })
    }

    /// Writes a message as files in `dir`: `request.http` (readable by `mm7 decode`),
    /// `message.json` and `attachments/NN-NAME`. Returns the files written.
    ///
    /// # Errors
    /// No such message, the database could not be read, or a file could not be written.
    pub fn export(&self, key: &str, dir: &Path) -> Result<Vec<PathBuf>, StoreError> {
        let id = self.find(key)?;
        let (head, body, view): (Vec<u8>, Vec<u8>, String) = self
            .conn
            .query_row(
                "SELECT request_head, request_body, view FROM messages WHERE id = ?1",
                [id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .map_err(StoreError::db("reading a message"))?;
        let view: serde_json::Value =
            serde_json::from_str(&view).map_err(|source| StoreError::Json { row: id, source })?;
        let mut written = Vec::new();
        let mut write = |path: PathBuf, chunks: &[&[u8]]| -> Result<(), StoreError> {
            let failed = |source| StoreError::Export {
                path: path.clone(),
                source,
            };
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(failed)?;
            }
            std::fs::write(&path, chunks.concat()).map_err(failed)?;
            written.push(path);
            Ok(())
        };
        write(dir.join("request.http"), &[&head, &body])?;
        let pretty = serde_json::to_string_pretty(&view)
            .map_err(|source| StoreError::Json { row: id, source })?;
        write(dir.join("message.json"), &[pretty.as_bytes(), b"\n"])?;
        let mut statement = self
            .conn
            .prepare("SELECT file_name, data FROM parts WHERE message_id = ?1 ORDER BY position")
            .map_err(StoreError::db("reading parts"))?;
        let parts: Vec<(String, Vec<u8>)> = statement
            .query_map(params![id], |row| Ok((row.get(0)?, row.get(1)?)))
            .and_then(Iterator::collect)
            .map_err(StoreError::db("reading parts"))?;
        for (name, data) in parts {
            // The name came from a peer: keep its last component only.
            let name = Path::new(&name)
                .file_name()
                .map_or_else(|| "part".into(), |n| n.to_string_lossy().into_owned());
            write(dir.join("attachments").join(name), &[&data])?;
        }
        Ok(written)
    }

    /// The outbox rows in `states` (every row when empty), oldest first.
    ///
    /// # Errors
    /// The database could not be read.
    pub fn outbox(&self, states: &[OutboxState]) -> Result<Vec<OutboxRow>, StoreError> {
        let mut statement = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} FROM outbox ORDER BY id"))
            .map_err(StoreError::db("reading the outbox"))?;
        let rows: Vec<OutboxRow> = statement
            .query_map([], outbox::from_row)
            .and_then(Iterator::collect)
            .map_err(StoreError::db("reading the outbox"))?;
        Ok(rows
            .into_iter()
            .filter(|r| states.is_empty() || states.contains(&r.state))
            .collect())
    }

    /// Makes failed outbox rows pending again (one, or all when `id` is `None`); a running
    /// server sends them within its next poll. Returns how many.
    ///
    /// # Errors
    /// The database could not be written.
    pub fn retry_failed(&self, id: Option<i64>) -> Result<usize, StoreError> {
        outbox::retry_failed(&self.conn, id)
    }
}

/// `ms` since the Unix epoch as RFC 3339 in UTC (proleptic Gregorian; Howard Hinnant's
/// civil-from-days).
pub(crate) fn rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::rfc3339;

    #[test]
    fn dates_are_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(rfc3339(1_767_225_599_999), "2025-12-31T23:59:59.999Z");
    }
}

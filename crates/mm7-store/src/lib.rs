//! A durable store and outbox for MM7 servers, on SQLite.
//!
//! What a server acknowledges must survive a crash: [`Store::accept`] commits a received
//! request (its raw bytes, its decoded JSON view, its parts) and the work it causes (delivery
//! reports, read replies to send: the outbox) in one transaction, and returns only once that
//! transaction is on disk. A server answers 1000 after it returns, and 3000 when it fails.
//!
//! - One database file, `mm7.sqlite3`, in the store folder, in WAL mode with
//!   `synchronous=FULL`; the schema is versioned (numbered migrations run at open).
//! - Blocking work runs on one writer thread of the store's own, never on async workers.
//!   Requests that arrive together are committed together (one transaction, one sync, each
//!   request in a savepoint of its own), which keeps the cost of a sync off each request.
//! - A request whose client and TransactionID match one accepted within the retry window is
//!   a retry: [`Store::accept`] stores nothing new and returns the first one's MessageID.
//! - The outbox is bounded ([`StoreOptions::with_max_pending`]): work that would pass the
//!   bound is refused with [`StoreError::OutboxFull`] instead of growing memory or disk.
//!
//! ```
//! use mm7_store::{NewMessage, NewOutbox, Store, StoreOptions};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let dir = std::env::temp_dir().join(format!("mm7-store-doc-{}", std::process::id()));
//! let store = Store::open(&dir, StoreOptions::default())?;
//! let message_id = mm7_store::new_message_id()?;
//! let mut message = NewMessage::new("SubmitReq", "tx-1", "vasp-1");
//! message.message_id = Some(message_id.clone());
//! message.request_body = bytes::Bytes::from_static(b"<soap/>");
//! message.outbox.push(NewOutbox::new(
//!     "DeliveryReportReq",
//!     "http://127.0.0.1:7008/mm7",
//!     serde_json::json!({"recipient": "15551234567"}),
//! ));
//! let first = store.accept(message.clone()).await?;
//! assert!(!first.duplicate);
//! // The client retries after a lost answer: same TransactionID, same answer, no new row.
//! let retry = store.accept(message).await?;
//! assert!(retry.duplicate);
//! assert_eq!(retry.message_id.as_deref(), Some(message_id.as_str()));
//! assert_eq!(mm7_store::Reader::open(&dir)?.list()?.len(), 1);
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok::<(), mm7_store::StoreError>(())
//! # }).unwrap();
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod error;
mod id;
mod outbox;
mod query;
mod read;
mod schema;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

pub use error::StoreError;
pub use id::new_message_id;
pub use outbox::{OutboxOutcome, OutboxRow, OutboxState};
pub use query::{Query, StoredPart};
pub use read::{MessageSummary, OutboxSummary, Reader};

/// The database file's name in the store folder.
pub const DATABASE_FILE: &str = "mm7.sqlite3";

/// How a store behaves. Built with `with_*` methods from the defaults.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StoreOptions {
    /// How long a TransactionID of a client counts as seen (default 10 minutes).
    pub retry_window: Duration,
    /// The most outbox rows pending at once (default 10,000).
    pub max_pending: u64,
}

impl Default for StoreOptions {
    fn default() -> StoreOptions {
        StoreOptions {
            retry_window: Duration::from_secs(600),
            max_pending: 10_000,
        }
    }
}

impl StoreOptions {
    /// How long a (client, TransactionID) pair counts as seen: a request repeating one within
    /// it is a retry. Zero turns retry detection off.
    #[must_use]
    pub fn with_retry_window(mut self, window: Duration) -> StoreOptions {
        self.retry_window = window;
        self
    }

    /// The most outbox rows pending at once (at least 1).
    #[must_use]
    pub fn with_max_pending(mut self, rows: u64) -> StoreOptions {
        self.max_pending = rows.max(1);
        self
    }
}

/// A received request to store.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct NewMessage {
    /// The MM7 operation (`SubmitReq`, `DeliverReq`, …).
    pub operation: String,
    /// The request's TransactionID.
    pub transaction_id: String,
    /// Who sent it, for retry detection: the authenticated user, else the peer's IP address.
    pub client: String,
    /// The peer's address, for display.
    pub peer: Option<String>,
    /// The MessageID the server gives it (SubmitReq), if any.
    pub message_id: Option<String>,
    /// The request line and headers as received (credentials masked).
    pub request_head: Vec<u8>,
    /// The request body, byte for byte.
    pub request_body: Bytes,
    /// The decoded view (what `mm7 decode` prints).
    pub view: serde_json::Value,
    /// The attachments, each as a file.
    pub parts: Vec<NewPart>,
    /// The work the request causes, committed with it.
    pub outbox: Vec<NewOutbox>,
}

impl NewMessage {
    /// A request of `operation` with `transaction_id` from `client`, with nothing else yet.
    pub fn new(
        operation: impl Into<String>,
        transaction_id: impl Into<String>,
        client: impl Into<String>,
    ) -> NewMessage {
        NewMessage {
            operation: operation.into(),
            transaction_id: transaction_id.into(),
            client: client.into(),
            peer: None,
            message_id: None,
            request_head: Vec::new(),
            request_body: Bytes::new(),
            view: serde_json::Value::Null,
            parts: Vec::new(),
            outbox: Vec::new(),
        }
    }
}

/// An attachment to store.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct NewPart {
    /// The file name it is exported under (`01-saturn.png`).
    pub file_name: String,
    /// Its media type.
    pub content_type: String,
    /// Its Content-ID, if any.
    pub content_id: Option<String>,
    /// Its bytes (transfer encoding undone).
    pub data: Bytes,
}

impl NewPart {
    /// A part exported as `file_name`.
    pub fn new(
        file_name: impl Into<String>,
        content_type: impl Into<String>,
        data: impl Into<Bytes>,
    ) -> NewPart {
        NewPart {
            file_name: file_name.into(),
            content_type: content_type.into(),
            content_id: None,
            data: data.into(),
        }
    }
}

/// A row to add to the outbox.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct NewOutbox {
    /// What it sends (`DeliveryReportReq`, `ReadReplyReq`, `DeliverReq`).
    pub kind: String,
    /// Where it goes (a URL; may carry credentials, which displays mask).
    pub destination: String,
    /// What the sender needs to build the request.
    pub payload: serde_json::Value,
    /// Not sent before this time.
    pub not_before: SystemTime,
}

impl NewOutbox {
    /// A row due at once.
    pub fn new(
        kind: impl Into<String>,
        destination: impl Into<String>,
        payload: serde_json::Value,
    ) -> NewOutbox {
        NewOutbox {
            kind: kind.into(),
            destination: destination.into(),
            payload,
            not_before: SystemTime::now(),
        }
    }

    /// The same row, not sent before `at`.
    #[must_use]
    pub fn not_before(mut self, at: SystemTime) -> NewOutbox {
        self.not_before = at;
        self
    }
}

/// What [`Store::accept`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Accepted {
    /// The message's row (the `ID` of `mm7 store show`).
    pub id: i64,
    /// Its MessageID, if it has one.
    pub message_id: Option<String>,
    /// Whether it repeats a request accepted within the retry window (nothing new stored).
    pub duplicate: bool,
}

/// A store: cheap to clone, shared by every request of a server.
#[derive(Debug, Clone)]
pub struct Store {
    writer: Arc<writer::Writer>,
    root: PathBuf,
    options: StoreOptions,
    wake: Arc<tokio::sync::Notify>,
}

/// Milliseconds since the Unix epoch.
pub(crate) fn millis(at: SystemTime) -> i64 {
    at.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The time `ms` milliseconds after the Unix epoch.
pub(crate) fn time(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

/// Opens a connection with the store's settings, creating the database and folder.
pub(crate) fn connect(root: &Path) -> Result<Connection, StoreError> {
    std::fs::create_dir_all(root).map_err(|source| StoreError::CreateDir {
        path: root.to_owned(),
        source,
    })?;
    let path = root.join(DATABASE_FILE);
    let open = |source| StoreError::Open {
        path: path.clone(),
        source,
    };
    let conn = Connection::open(&path).map_err(open)?;
    // Another process (`mm7 store`, a second server) may hold the write lock for a moment.
    conn.busy_timeout(Duration::from_secs(5)).map_err(open)?;
    // WAL: readers never block the writer. FULL: a commit is on disk before it returns, so an
    // acknowledgement survives a power cut too, not only a killed process.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
    )
    .map_err(open)?;
    Ok(conn)
}

impl Store {
    /// Opens (creating) the store in the folder `root` and brings its schema up to date.
    ///
    /// # Errors
    /// The folder or database cannot be created or opened, or was written by a newer build.
    pub fn open(root: &Path, options: StoreOptions) -> Result<Store, StoreError> {
        let mut conn = connect(root)?;
        schema::migrate(&mut conn)?;
        Ok(Store {
            writer: Arc::new(writer::Writer::start(conn)?),
            root: root.to_owned(),
            options,
            wake: Arc::new(tokio::sync::Notify::new()),
        })
    }

    /// The store's folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The options.
    pub fn options(&self) -> &StoreOptions {
        &self.options
    }

    /// Commits a received request with its parts and outbox rows, or finds that it repeats one
    /// accepted within the retry window (then stores nothing and returns the first one).
    /// Returns once the transaction is on disk.
    ///
    /// # Errors
    /// The outbox is full ([`StoreError::OutboxFull`]), or the transaction failed (disk full,
    /// I/O error): nothing of the request is stored.
    pub async fn accept(&self, message: NewMessage) -> Result<Accepted, StoreError> {
        let window = self.options.retry_window;
        let max_pending = self.options.max_pending;
        let adds_work = !message.outbox.is_empty();
        let accepted = self
            .writer
            .run(move |conn| insert(conn, &message, window, max_pending))
            .await?;
        if adds_work && !accepted.duplicate {
            self.wake.notify_one();
        }
        Ok(accepted)
    }

    /// Whether a message with this MessageID is stored.
    ///
    /// # Errors
    /// The database could not be read.
    pub async fn knows(&self, message_id: &str) -> Result<bool, StoreError> {
        let message_id = message_id.to_owned();
        self.writer
            .run(move |conn| {
                conn.query_row(
                    "SELECT 1 FROM messages WHERE message_id = ?1",
                    [&message_id],
                    |_| Ok(()),
                )
                .optional()
                .map(|found| found.is_some())
                .map_err(StoreError::db("looking up a MessageID"))
            })
            .await
    }

    /// Marks the pending outbox rows of the message with this MessageID as cancelled; `None`
    /// when no such message is stored, else how many rows were cancelled.
    ///
    /// # Errors
    /// The database could not be written.
    pub async fn cancel_outbox(&self, message_id: &str) -> Result<Option<usize>, StoreError> {
        let message_id = message_id.to_owned();
        self.writer
            .run(move |conn| outbox::cancel(conn, &message_id))
            .await
    }

    /// Claims up to `limit` pending outbox rows that are due: each is hidden from further
    /// claims for `lease` (after a crash it becomes due again once the lease ends, so nothing
    /// claimed is lost). Settle each with [`Store::settle`].
    ///
    /// # Errors
    /// The database could not be written.
    pub async fn claim_due(
        &self,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<OutboxRow>, StoreError> {
        self.writer
            .run(move |conn| outbox::claim(conn, limit, lease))
            .await
    }

    /// Makes every claimed row due at once, and returns how many there were: for the one
    /// process that sends a store's outbox, when it starts, so that the rows a process killed
    /// mid-try had claimed do not wait for their lease to end. Were another sender still
    /// running on the store, a row could be sent twice (each try carries the row's
    /// TransactionID, so a receiver can tell).
    ///
    /// # Errors
    /// The database could not be written.
    pub async fn take_over_claims(&self) -> Result<usize, StoreError> {
        self.writer.run(outbox::take_over).await
    }

    /// Records what became of a claimed row.
    ///
    /// # Errors
    /// The database could not be written.
    pub async fn settle(&self, id: i64, outcome: OutboxOutcome) -> Result<(), StoreError> {
        self.writer
            .run(move |conn| outbox::settle(conn, id, &outcome))
            .await
    }

    /// When the next pending row is due, if any is pending.
    ///
    /// # Errors
    /// The database could not be read.
    pub async fn next_due(&self) -> Result<Option<SystemTime>, StoreError> {
        self.writer.run(outbox::next_due).await
    }

    /// Waits until [`Store::accept`] adds outbox rows (or returns at once if it did since the
    /// last wait): for a sender that sleeps until the next row is due.
    pub async fn outbox_changed(&self) {
        self.wake.notified().await;
    }
}

/// The transaction body of [`Store::accept`] (run in a savepoint by the writer).
fn insert(
    conn: &Connection,
    message: &NewMessage,
    window: Duration,
    max_pending: u64,
) -> Result<Accepted, StoreError> {
    let now = millis(SystemTime::now());
    if !window.is_zero() && !message.transaction_id.is_empty() {
        let since = now.saturating_sub(i64::try_from(window.as_millis()).unwrap_or(i64::MAX));
        let earlier = conn
            .prepare_cached(
                "SELECT id, message_id FROM messages
                 WHERE peer_key = ?1 AND transaction_id = ?2 AND operation = ?3
                   AND received_ms >= ?4
                 ORDER BY id DESC LIMIT 1",
            )
            .and_then(|mut s| {
                s.query_row(
                    params![
                        message.client,
                        message.transaction_id,
                        message.operation,
                        since
                    ],
                    |row| Ok((row.get::<_, i64>(0)?, row.get::<_, Option<String>>(1)?)),
                )
                .optional()
            })
            .map_err(StoreError::db("looking for an earlier try"))?;
        if let Some((id, message_id)) = earlier {
            return Ok(Accepted {
                id,
                message_id,
                duplicate: true,
            });
        }
    }
    if !message.outbox.is_empty() {
        let pending = outbox::pending(conn)?;
        let adding = message.outbox.len() as u64;
        if pending.saturating_add(adding) > max_pending {
            return Err(StoreError::OutboxFull {
                pending,
                limit: max_pending,
            });
        }
    }
    let view = message.view.to_string();
    conn.prepare_cached(
        "INSERT INTO messages (operation, transaction_id, message_id, peer, peer_key,
                               received_ms, request_head, request_body, view)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )
    .and_then(|mut s| {
        s.execute(params![
            message.operation,
            message.transaction_id,
            message.message_id,
            message.peer,
            message.client,
            now,
            message.request_head,
            &message.request_body[..],
            view
        ])
    })
    .map_err(StoreError::db("storing a message"))?;
    let id = conn.last_insert_rowid();
    for (position, part) in message.parts.iter().enumerate() {
        conn.prepare_cached(
            "INSERT INTO parts (message_id, position, file_name, content_type, content_id, data)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .and_then(|mut s| {
            s.execute(params![
                id,
                position as i64,
                part.file_name,
                part.content_type,
                part.content_id,
                &part.data[..]
            ])
        })
        .map_err(StoreError::db("storing a part"))?;
    }
    for row in &message.outbox {
        outbox::add(conn, id, row, now)?;
    }
    Ok(Accepted {
        id,
        message_id: message.message_id.clone(),
        duplicate: false,
    })
}

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

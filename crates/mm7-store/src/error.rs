//! [`StoreError`]: what can go wrong in the store, each with its source.

use std::path::PathBuf;

/// Why the store could not do what was asked.
///
/// The texts name local paths and database details: they are for the operator's log, never for
/// a peer (a server answers a peer 3000 with a generic text).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The store folder could not be created.
    #[error("cannot create the store folder {path}: {source}")]
    CreateDir {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The database file could not be opened.
    #[error("cannot open the store database {path}: {source}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// Why.
        source: rusqlite::Error,
    },
    /// A statement failed (disk full, I/O error, a corrupt database, …).
    #[error("store database error while {action}: {source}")]
    Database {
        /// What the store was doing.
        action: &'static str,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// The database was written by a newer build, whose schema this one does not know.
    #[error("the store's schema version {found} is newer than this build's {supported}")]
    TooNew {
        /// The database's version.
        found: u32,
        /// The newest version this build knows.
        supported: u32,
    },
    /// The outbox holds its maximum of pending rows: new work that would add to it is refused.
    #[error("the outbox is full: {pending} pending rows, limit {limit}")]
    OutboxFull {
        /// The rows pending.
        pending: u64,
        /// The configured maximum.
        limit: u64,
    },
    /// No message with that id or MessageID.
    #[error("no message {0} in the store")]
    NotFound(String),
    /// A stored JSON text could not be read back.
    #[error("stored JSON of row {row} is not valid: {source}")]
    Json {
        /// The row.
        row: i64,
        /// The parser's error, with its line and column.
        source: serde_json::Error,
    },
    /// An exported file could not be written.
    #[error("cannot write {path}: {source}")]
    Export {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The operating system's random source failed.
    #[error("no random bytes for a MessageID: {0}")]
    Random(String),
    /// The store's writer thread is gone (the store was closed, or the thread panicked).
    #[error("the store is closed")]
    Closed,
}

impl StoreError {
    /// A mapper of a SQLite error during `action`.
    pub(crate) fn db(action: &'static str) -> impl Fn(rusqlite::Error) -> StoreError {
        move |source| StoreError::Database { action, source }
    }

    /// Whether the failure is the disk (or a file size limit) being full.
    pub fn is_disk_full(&self) -> bool {
        matches!(
            self,
            StoreError::Database {
                source: rusqlite::Error::SqliteFailure(e, _),
                ..
            } if e.code == rusqlite::ErrorCode::DiskFull
        )
    }
}

//! The gateway's errors.

use std::path::PathBuf;

/// What went wrong in the gateway.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GatewayError {
    /// The data directory cannot be created or read.
    #[error("cannot use the data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A database operation failed.
    #[error("database error while {what}: {source}")]
    Database {
        /// What was being done.
        what: &'static str,
        /// The database's error.
        #[source]
        source: rusqlite::Error,
    },
    /// A PostgreSQL operation failed. The message carries the causes, since the driver's
    /// own says only what kind of error it was ("error performing TLS handshake", "db error").
    #[error("PostgreSQL error while {what}: {}", with_causes(source))]
    Postgres {
        /// What was being done.
        what: &'static str,
        /// The database's error.
        #[source]
        source: tokio_postgres::Error,
    },
    /// The database was written by a newer version of the gateway.
    #[error("the database has schema version {found}; this gateway knows up to {known}")]
    NewerSchema {
        /// The database's version.
        found: usize,
        /// The newest this code knows.
        known: usize,
    },
    /// The same `Idempotency-Key` came with a different request.
    #[error("the Idempotency-Key was used for another request (message {0})")]
    IdempotencyConflict(String),
    /// A request to the API is not acceptable.
    #[error("{0}")]
    BadRequest(String),
    /// The configuration cannot work.
    #[error("configuration: {0}")]
    Config(String),
    /// Listening failed.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Something that should not happen.
    #[error("internal error: {0}")]
    Internal(String),
}

/// `error` and its causes, each after a colon: the driver's reason in the one line that the
/// command prints.
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(next) = cause {
        let more = next.to_string();
        if !text.ends_with(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = next.source();
    }
    text
}

//! The command's errors and their exit statuses.
//!
//! | status | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | the peer refused or failed: an MM7 error status, a SOAP Fault, HTTP 401/403/413/5xx, connection refused, a timeout |
//! | 2 | bad input: invalid arguments, a file that cannot be read, a message that does not decode, an unknown file extension |
//! | 3 | a local failure: a port that cannot be bound, a store that cannot be written |

use std::io;
use std::path::PathBuf;

use mm7_soap::DecodeError;

/// Success.
pub(crate) const EXIT_OK: u8 = 0;
/// The peer refused or failed.
pub(crate) const EXIT_PEER: u8 = 1;
/// Bad input.
pub(crate) const EXIT_INPUT: u8 = 2;
/// A local failure.
pub(crate) const EXIT_LOCAL: u8 = 3;

/// Why a command failed. The first line of the message is what `error:` prints.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// An MM7 message that does not decode: the status code an answer would carry, then the
    /// decoder's text (`2007 Message format corrupt: … at line:column`), which scripts match on.
    #[error("{} {}: {error}", .error.status_code().get(), .error.status_code().name().unwrap_or("Error"))]
    Decode {
        /// The decoder's error.
        error: DecodeError,
        /// Where the position counts from, when that is not the start of the input.
        hint: Option<String>,
    },
    /// A file (or standard input) that cannot be read.
    #[error("cannot read {}: {source}", .path.display())]
    Read {
        /// The file (`-` for standard input).
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// A file larger than the command reads.
    #[error("{} is larger than the limit of {limit} bytes", .path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit.
        limit: u64,
    },
    /// A JSON document that cannot be read.
    #[error("{}:{line}:{column}: {reason}", .path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The line (1-based; 0 when the error is about the whole document).
        line: usize,
        /// The column (1-based).
        column: usize,
        /// Why.
        reason: String,
    },
    /// An attachment whose media type cannot be told from its name.
    #[error("{}: unknown file extension{}; known: {known}", .path.display(), extension_text(.extension))]
    UnknownExtension {
        /// The file.
        path: PathBuf,
        /// Its extension, if it has one.
        extension: Option<String>,
        /// The known extensions.
        known: String,
    },
    /// Invalid input that is none of the above (a bad argument value, an inconsistent
    /// request).
    #[error("{0}")]
    Input(String),
    /// The peer refused or failed.
    #[error("{0}")]
    Peer(String),
    /// A local failure (bind, store).
    #[error("{0}")]
    Local(String),
    /// A local failure of a file operation.
    #[error("cannot {action} {}: {source}", .path.display())]
    Io {
        /// What was being done (`write`, `create directory`).
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
}

fn extension_text(extension: &Option<String>) -> String {
    extension
        .as_deref()
        .map(|e| format!(" .{e}"))
        .unwrap_or_else(|| " (the file name has none)".to_owned())
}

impl CliError {
    /// The process exit status for this error.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            CliError::Peer(_) => EXIT_PEER,
            CliError::Local(_) | CliError::Io { .. } => EXIT_LOCAL,
            CliError::Decode { .. }
            | CliError::Read { .. }
            | CliError::TooLarge { .. }
            | CliError::Json { .. }
            | CliError::UnknownExtension { .. }
            | CliError::Input(_) => EXIT_INPUT,
        }
    }

    /// A second line explaining the first, when there is one.
    pub(crate) fn hint(&self) -> Option<&str> {
        match self {
            CliError::Decode { hint, .. } => hint.as_deref(),
            _ => None,
        }
    }

    /// A file operation that failed.
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        CliError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_by_kind() {
        assert_eq!(CliError::Peer("x".into()).exit_code(), EXIT_PEER);
        assert_eq!(CliError::Input("x".into()).exit_code(), EXIT_INPUT);
        assert_eq!(CliError::Local("x".into()).exit_code(), EXIT_LOCAL);
        let read = CliError::Read {
            path: "a.gif".into(),
            source: io::Error::from(io::ErrorKind::NotFound),
        };
        assert_eq!(read.exit_code(), EXIT_INPUT);
        assert!(read.to_string().starts_with("cannot read a.gif: "));
        let unknown = CliError::UnknownExtension {
            path: "a.xyz".into(),
            extension: Some("xyz".into()),
            known: "gif".into(),
        };
        assert_eq!(
            unknown.to_string(),
            "a.xyz: unknown file extension .xyz; known: gif"
        );
        assert_eq!(EXIT_OK, 0);
    }
}

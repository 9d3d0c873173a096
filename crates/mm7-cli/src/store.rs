//! The message store of the mock MMSC and VASP: a folder per message received.
//!
//! ```text
//! STORE/20250102T093047Z-0001-SubmitReq/
//!     request.http      the request as received (credentials masked), readable by `mm7 decode`
//!     message.json      what `mm7 decode request.http` prints
//!     attachments/01-saturn.gif, 02-text.txt, …
//! ```

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use mm7_model::{Envelope, Message, Namespace, Part};
use mm7_soap::{Decoded, Warning};

use crate::error::CliError;
use crate::io;

/// A store rooted at a folder.
#[derive(Debug)]
pub(crate) struct Store {
    root: PathBuf,
    next: AtomicU32,
}

/// One received message, as stored.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    /// Its folder.
    pub(crate) dir: PathBuf,
    /// What `mm7 decode` prints for it.
    pub(crate) report: serde_json::Value,
}

/// A received request, decoded, for storing.
pub(crate) struct Received<'a> {
    pub(crate) transaction_id: &'a str,
    pub(crate) namespace: &'a Namespace,
    pub(crate) message: Message,
    pub(crate) attachments: &'a [Part],
    pub(crate) warnings: &'a [Warning],
}

impl Store {
    /// Opens (creating) the store at `root`: `--store DIR`, else `mm7/<role>` in the user's
    /// data directory.
    pub(crate) fn open(root: Option<&Path>, role: &str) -> Result<Store, CliError> {
        let root = match root {
            Some(root) => root.to_owned(),
            None => io::data_dir().join(role),
        };
        io::create_dir(&root)?;
        Ok(Store {
            root,
            next: AtomicU32::new(1),
        })
    }

    /// The store's folder.
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// Stores a received message: its raw bytes (when captured), its JSON report, and its
    /// attachments.
    pub(crate) fn save(
        &self,
        received: Received<'_>,
        raw: Option<&[u8]>,
    ) -> Result<Stored, CliError> {
        let operation = received.message.operation_name();
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let stamp = crate::client::now()
            .map(|t| t.as_str().replace(['-', ':'], ""))
            .unwrap_or_default();
        let dir = self.root.join(format!("{stamp}-{n:04}-{operation}"));
        io::create_dir(&dir)?;
        if let Some(raw) = raw {
            io::write_file(&dir.join("request.http"), raw)?;
        }
        let decoded = Decoded {
            envelope: Envelope {
                transaction_id: received.transaction_id.to_owned(),
                namespace: received.namespace.clone(),
                message: received.message,
                attachments: received.attachments.to_vec(),
            },
            warnings: received.warnings.to_vec(),
        };
        let report = mm7::json::report(&decoded);
        let text = serde_json::to_string_pretty(&report)
            .map_err(|e| CliError::Local(format!("cannot write the JSON report: {e}")))?;
        io::write_file(&dir.join("message.json"), format!("{text}\n").as_bytes())?;
        if !decoded.envelope.attachments.is_empty() {
            crate::decode::extract(&decoded, &dir.join("attachments"))?;
        }
        Ok(Stored { dir, report })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mm7_model::{Address, DeliverReq, SchemaId};

    fn received<'a>(namespace: &'a Namespace, parts: &'a [Part]) -> Received<'a> {
        Received {
            transaction_id: "tx-1",
            namespace,
            message: DeliverReq::new("6.8.0", Address::number("1555")).into(),
            attachments: parts,
            warnings: &[],
        }
    }

    #[test]
    fn a_message_gets_a_folder_of_its_own() {
        let root = std::env::temp_dir().join(format!("mm7-store-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let store = Store::open(Some(&root), "vasp").unwrap();
        let namespace = Namespace::canonical(SchemaId::NEWEST);
        let parts = [Part::new("image/gif", &b"GIF89a"[..]).with_content_id("a.gif")];
        let first = store
            .save(
                received(&namespace, &parts),
                Some(b"POST / HTTP/1.1\r\n\r\n"),
            )
            .unwrap();
        let second = store.save(received(&namespace, &[]), None).unwrap();
        assert_ne!(first.dir, second.dir);
        assert!(
            first
                .dir
                .file_name()
                .unwrap()
                .to_string_lossy()
                .ends_with("-0001-DeliverReq")
        );
        assert_eq!(first.report["message"], "DeliverReq");
        assert!(first.dir.join("request.http").is_file());
        assert!(first.dir.join("message.json").is_file());
        assert_eq!(
            std::fs::read(first.dir.join("attachments/01-a.gif")).unwrap(),
            b"GIF89a"
        );
        assert!(!second.dir.join("request.http").exists());
        assert!(!second.dir.join("attachments").exists());
        let _ = std::fs::remove_dir_all(&root);
    }
}

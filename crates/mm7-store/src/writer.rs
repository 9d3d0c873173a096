//! The writer thread: every statement of a store runs here, off the async workers, and the
//! requests that arrive together are committed in one transaction (one sync for all of them),
//! each in a savepoint of its own so that one failing does not undo the others.

use std::sync::mpsc;
use std::thread;

use rusqlite::Connection;
use tokio::sync::oneshot;

use crate::StoreError;

/// How many jobs one transaction takes at most.
const BATCH: usize = 64;

/// A job: runs in the open transaction (or is told the transaction could not start), and
/// returns what to do once the commit is known.
type Job = Box<dyn FnOnce(Result<&Connection, &StoreError>) -> Completion + Send>;
type Completion = Box<dyn FnOnce(Result<(), &StoreError>) + Send>;

/// The handle to the writer thread; the thread ends when the handle is dropped.
#[derive(Debug)]
pub(crate) struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the thread over `conn`.
    pub(crate) fn start(conn: Connection) -> Result<Writer, StoreError> {
        let (jobs, queue) = mpsc::channel::<Job>();
        thread::Builder::new()
            .name("mm7-store-writer".to_owned())
            .spawn(move || work(&conn, &queue))
            .map_err(|e| StoreError::Export {
                path: "mm7-store-writer thread".into(),
                source: e,
            })?;
        Ok(Writer { jobs })
    }

    /// Runs `f` in a transaction and returns its result once the transaction is committed
    /// (or its error, with `f`'s changes undone).
    pub(crate) async fn run<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel::<Result<R, StoreError>>();
        let job: Job = Box::new(move |conn| {
            let result = match conn {
                Ok(conn) => in_savepoint(conn, f),
                Err(e) => Err(again(e)),
            };
            Box::new(move |committed: Result<(), &StoreError>| {
                let outcome = match committed {
                    Ok(()) => result,
                    // What the job did was rolled back with the others of its batch.
                    Err(e) => result.and(Err(again(e))),
                };
                let _ = tx.send(outcome);
            })
        });
        self.jobs.send(job).map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }
}

/// The same error again (rusqlite's errors are not `Clone`): a batch's one commit error is
/// every job's.
fn again(error: &StoreError) -> StoreError {
    match error {
        StoreError::Database { action, source } => StoreError::Database {
            action,
            source: match source {
                rusqlite::Error::SqliteFailure(e, text) => {
                    rusqlite::Error::SqliteFailure(*e, text.clone())
                }
                other => rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ERROR),
                    Some(other.to_string()),
                ),
            },
        },
        _ => StoreError::Closed,
    }
}

fn in_savepoint<R>(
    conn: &Connection,
    f: impl FnOnce(&Connection) -> Result<R, StoreError>,
) -> Result<R, StoreError> {
    conn.execute_batch("SAVEPOINT job")
        .map_err(StoreError::db("starting a savepoint"))?;
    match f(conn) {
        Ok(value) => {
            conn.execute_batch("RELEASE job")
                .map_err(StoreError::db("releasing a savepoint"))?;
            Ok(value)
        }
        Err(e) => {
            // Undo this job only; the batch's transaction goes on.
            let _ = conn.execute_batch("ROLLBACK TO job; RELEASE job");
            Err(e)
        }
    }
}

fn work(conn: &Connection, queue: &mpsc::Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let begun = conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(StoreError::db("starting a transaction"));
        let completions: Vec<Completion> = batch
            .into_iter()
            .map(|job| job(begun.as_ref().map(|()| conn)))
            .collect();
        let committed = match begun {
            Ok(()) => conn.execute_batch("COMMIT").map_err(|e| {
                let _ = conn.execute_batch("ROLLBACK");
                StoreError::Database {
                    action: "committing",
                    source: e,
                }
            }),
            Err(e) => Err(e),
        };
        if let Err(e) = &committed {
            tracing::error!(error = %e, "store transaction failed");
        }
        for complete in completions {
            complete(committed.as_ref().map(|_| ()));
        }
    }
}

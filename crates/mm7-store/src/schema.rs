//! The database schema, as numbered migrations: a store written by an older build is brought up
//! to date when opened, and one written by a newer build is refused rather than misread.

use rusqlite::Connection;

use crate::StoreError;

/// Each migration, in order; the store's `PRAGMA user_version` counts those applied. Never
/// edit one that has shipped: add the next.
const MIGRATIONS: &[&str] = &[
    // 1: messages with their raw request, JSON view and parts; the outbox.
    "
    CREATE TABLE messages (
        id              INTEGER PRIMARY KEY,
        operation       TEXT NOT NULL,
        transaction_id  TEXT NOT NULL,
        message_id      TEXT UNIQUE,
        peer            TEXT,
        peer_key        TEXT NOT NULL,
        received_ms     INTEGER NOT NULL,
        request_head    BLOB NOT NULL,
        request_body    BLOB NOT NULL,
        view            TEXT NOT NULL,
        answer          TEXT
    );
    CREATE INDEX messages_retry ON messages (peer_key, transaction_id, received_ms);
    CREATE TABLE parts (
        message_id      INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        position        INTEGER NOT NULL,
        file_name       TEXT NOT NULL,
        content_type    TEXT NOT NULL,
        content_id      TEXT,
        data            BLOB NOT NULL,
        PRIMARY KEY (message_id, position)
    );
    CREATE TABLE outbox (
        id              INTEGER PRIMARY KEY,
        message         INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        kind            TEXT NOT NULL,
        destination     TEXT NOT NULL,
        payload         TEXT NOT NULL,
        state           TEXT NOT NULL,
        tries           INTEGER NOT NULL DEFAULT 0,
        next_ms         INTEGER NOT NULL,
        created_ms      INTEGER NOT NULL,
        updated_ms      INTEGER NOT NULL,
        last_error      TEXT
    );
    CREATE INDEX outbox_due ON outbox (state, next_ms);
    CREATE INDEX outbox_message ON outbox (message);
    ",
    // 2: whether a pending row is claimed (its next_ms is then the end of the lease), so that a
    // process starting on the store can take over the claims of one that died.
    "
    ALTER TABLE outbox ADD COLUMN leased INTEGER NOT NULL DEFAULT 0;
    ",
];

/// The schema version this build writes.
pub(crate) const VERSION: u32 = MIGRATIONS.len() as u32;

/// Applies the migrations the database lacks, each in its own transaction with its version.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let found: u32 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(StoreError::db("reading the schema version"))?;
    if found > VERSION {
        return Err(StoreError::TooNew {
            found,
            supported: VERSION,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn
            .transaction()
            .map_err(StoreError::db("starting a migration"))?;
        tx.execute_batch(sql)
            .map_err(StoreError::db("applying a migration"))?;
        tx.pragma_update(None, "user_version", index as u32 + 1)
            .map_err(StoreError::db("recording a migration"))?;
        tx.commit()
            .map_err(StoreError::db("committing a migration"))?;
    }
    Ok(())
}

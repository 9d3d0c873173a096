//! The store's promises: committed before acknowledged, retries recognised, the outbox bounded
//! and nothing in it dropped.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use mm7_store::{
    NewMessage, NewOutbox, NewPart, OutboxOutcome, OutboxState, Reader, Store, StoreError,
    StoreOptions,
};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mm7-store-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn submit(tx: &str, outbox: usize) -> NewMessage {
    let mut m = NewMessage::new("SubmitReq", tx, "vasp");
    m.message_id = Some(mm7_store::new_message_id().unwrap());
    m.request_head = b"POST /mm7 HTTP/1.1\r\ncontent-type: text/xml\r\n\r\n".to_vec();
    m.request_body = Bytes::from(format!("<body tx='{tx}'/>"));
    m.view = serde_json::json!({"message": "SubmitReq", "transaction_id": tx});
    m.parts.push(NewPart::new(
        "01-a.gif",
        "image/gif",
        &b"GIF89a\x00\x01"[..],
    ));
    for i in 0..outbox {
        m.outbox.push(NewOutbox::new(
            "DeliveryReportReq",
            "http://127.0.0.1:9/mm7",
            serde_json::json!({ "n": i }),
        ));
    }
    m
}

#[tokio::test]
async fn accepted_messages_are_listed_shown_and_exported() {
    let dir = scratch("export");
    let store = Store::open(&dir, StoreOptions::default()).unwrap();
    let a = store.accept(submit("tx-a", 1)).await.unwrap();
    let b = store.accept(submit("tx-b", 0)).await.unwrap();
    assert_ne!(a.id, b.id);
    assert_ne!(a.message_id, b.message_id);
    let reader = Reader::open(&dir).unwrap();
    let list = reader.list().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].transaction_id, "tx-a");
    assert_eq!(list[0].parts, 1);
    assert_eq!(list[0].outbox.len(), 1);
    assert_eq!(list[0].outbox[0].state, OutboxState::Pending);
    assert!(list[0].received_at.ends_with('Z'));
    let view = reader.show(a.message_id.as_deref().unwrap()).unwrap();
    assert_eq!(view["transaction_id"], "tx-a");
    assert_eq!(
        reader.show(&b.id.to_string()).unwrap()["transaction_id"],
        "tx-b"
    );
    assert!(matches!(reader.show("nope"), Err(StoreError::NotFound(_))));
    let out = dir.join("out");
    reader.export(&a.id.to_string(), &out).unwrap();
    assert_eq!(
        std::fs::read(out.join("request.http")).unwrap(),
        b"POST /mm7 HTTP/1.1\r\ncontent-type: text/xml\r\n\r\n<body tx='tx-a'/>"
    );
    assert_eq!(
        std::fs::read(out.join("attachments/01-a.gif")).unwrap(),
        b"GIF89a\x00\x01"
    );
    assert!(
        std::fs::read_to_string(out.join("message.json"))
            .unwrap()
            .contains("tx-a")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_retry_in_the_window_gets_the_first_answer() {
    let dir = scratch("retry");
    let store = Store::open(&dir, StoreOptions::default()).unwrap();
    let first = store.accept(submit("tx-1", 1)).await.unwrap();
    let again = store.accept(submit("tx-1", 1)).await.unwrap();
    assert!(again.duplicate);
    assert_eq!(again.message_id, first.message_id);
    assert_eq!(again.id, first.id);
    // Another client's TransactionID is its own.
    let mut other = submit("tx-1", 0);
    other.client = "other".into();
    assert!(!store.accept(other).await.unwrap().duplicate);
    // Without a window every request is new.
    drop(store);
    let store = Store::open(
        &dir,
        StoreOptions::default().with_retry_window(Duration::ZERO),
    )
    .unwrap();
    assert!(!store.accept(submit("tx-1", 0)).await.unwrap().duplicate);
    let reader = Reader::open(&dir).unwrap();
    assert_eq!(reader.list().unwrap().len(), 3);
    assert_eq!(reader.outbox(&[]).unwrap().len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn concurrent_requests_each_get_their_row() {
    let dir = scratch("concurrent");
    let store = Store::open(&dir, StoreOptions::default()).unwrap();
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move { store.accept(submit(&format!("tx-{i}"), 1)).await })
        })
        .collect();
    let mut ids = std::collections::HashSet::new();
    for task in tasks {
        let accepted = task.await.unwrap().unwrap();
        assert!(ids.insert(accepted.message_id.unwrap()));
    }
    assert_eq!(Reader::open(&dir).unwrap().list().unwrap().len(), 200);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_outbox_is_bounded_and_refuses_without_storing() {
    let dir = scratch("bounded");
    let store = Store::open(&dir, StoreOptions::default().with_max_pending(3)).unwrap();
    store.accept(submit("tx-1", 2)).await.unwrap();
    let refused = store.accept(submit("tx-2", 2)).await;
    assert!(
        matches!(
            refused,
            Err(StoreError::OutboxFull {
                pending: 2,
                limit: 3
            })
        ),
        "{refused:?}"
    );
    // Nothing of the refused request is kept; work that adds no row is still taken.
    store.accept(submit("tx-3", 0)).await.unwrap();
    store.accept(submit("tx-4", 1)).await.unwrap();
    let reader = Reader::open(&dir).unwrap();
    let txs: Vec<String> = reader
        .list()
        .unwrap()
        .into_iter()
        .map(|m| m.transaction_id)
        .collect();
    assert_eq!(txs, ["tx-1", "tx-3", "tx-4"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn outbox_rows_are_claimed_settled_kept_when_failed_and_retried() {
    let dir = scratch("outbox");
    let store = Store::open(&dir, StoreOptions::default()).unwrap();
    let mut later = submit("tx-later", 0);
    later.outbox.push(
        NewOutbox::new("ReadReplyReq", "http://x/", serde_json::json!({}))
            .not_before(SystemTime::now() + Duration::from_secs(3600)),
    );
    store.accept(later).await.unwrap();
    store.accept(submit("tx-1", 2)).await.unwrap();
    let claimed = store.claim_due(10, Duration::from_secs(60)).await.unwrap();
    assert_eq!(claimed.len(), 2, "the row due in an hour is not claimed");
    // Claimed rows are leased: not handed out twice.
    assert!(
        store
            .claim_due(10, Duration::from_secs(60))
            .await
            .unwrap()
            .is_empty()
    );
    store
        .settle(claimed[0].id, OutboxOutcome::Sent)
        .await
        .unwrap();
    store
        .settle(
            claimed[1].id,
            OutboxOutcome::Failed {
                error: "HTTP 404".into(),
            },
        )
        .await
        .unwrap();
    let reader = Reader::open(&dir).unwrap();
    let failed = reader.outbox(&[OutboxState::Failed]).unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].tries, 1);
    assert_eq!(failed[0].last_error.as_deref(), Some("HTTP 404"));
    assert_eq!(reader.retry_failed(None).unwrap(), 1);
    let again = store.claim_due(10, Duration::from_secs(60)).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, failed[0].id);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_lease_that_ends_makes_the_row_due_again() {
    let dir = scratch("lease");
    let store = Store::open(&dir, StoreOptions::default()).unwrap();
    store.accept(submit("tx-1", 1)).await.unwrap();
    assert_eq!(
        store
            .claim_due(10, Duration::from_millis(50))
            .await
            .unwrap()
            .len(),
        1
    );
    // The claimer died without settling; after the lease the row comes back.
    drop(store);
    tokio::time::sleep(Duration::from_millis(80)).await;
    let store = Store::open(&dir, StoreOptions::default()).unwrap();
    assert_eq!(
        store
            .claim_due(10, Duration::from_secs(60))
            .await
            .unwrap()
            .len(),
        1
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn cancelling_stops_pending_rows_of_known_messages_only() {
    let dir = scratch("cancel");
    let store = Store::open(&dir, StoreOptions::default()).unwrap();
    let accepted = store.accept(submit("tx-1", 2)).await.unwrap();
    let id = accepted.message_id.unwrap();
    assert!(store.knows(&id).await.unwrap());
    assert_eq!(store.cancel_outbox(&id).await.unwrap(), Some(2));
    assert_eq!(store.cancel_outbox("unknown").await.unwrap(), None);
    assert!(!store.knows("unknown").await.unwrap());
    assert!(
        store
            .claim_due(10, Duration::from_secs(1))
            .await
            .unwrap()
            .is_empty()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = scratch("newer");
    drop(Store::open(&dir, StoreOptions::default()).unwrap());
    let conn = rusqlite::Connection::open(dir.join(mm7_store::DATABASE_FILE)).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    assert!(matches!(
        Store::open(&dir, StoreOptions::default()),
        Err(StoreError::TooNew { found: 99, .. })
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_new_sender_takes_over_the_claims_of_a_stopped_one() {
    let dir = scratch("take-over");
    let store = Store::open(&dir, StoreOptions::default()).unwrap();
    store.accept(submit("tx-claimed", 1)).await.unwrap();
    store.accept(submit("tx-scheduled", 1)).await.unwrap();
    // One row is claimed for an hour (its sender then dies); the other is tried and scheduled
    // for an hour later.
    let claimed = store.claim_due(2, Duration::from_secs(3600)).await.unwrap();
    assert_eq!(claimed.len(), 2);
    let later = std::time::SystemTime::now() + Duration::from_secs(3600);
    store
        .settle(
            claimed[1].id,
            mm7_store::OutboxOutcome::Retry {
                at: later,
                error: "refused".into(),
            },
        )
        .await
        .unwrap();
    drop(store);
    let store = Store::open(&dir, StoreOptions::default()).unwrap();
    assert!(
        store
            .claim_due(10, Duration::from_secs(60))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.take_over_claims().await.unwrap(), 1);
    let due = store.claim_due(10, Duration::from_secs(60)).await.unwrap();
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!(due[0].id, claimed[0].id);
    let _ = std::fs::remove_dir_all(&dir);
}

//! Nothing acknowledged is lost: `mm7 mmsc` killed with SIGKILL at random points under
//! concurrent load, and restarted at once on the same store, keeps every message it answered
//! 1000 for, exactly once, with its attachment byte for byte, and never repeats a MessageID.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use mm7_model::{Address, ContentRef, Part, SenderIdentification, SubmitReq};
use mm7_transport::client::{Client, RetryPolicy, SendOptions};
use sha2::{Digest, Sha256};

use crate::support::{Server, TempDir, s};

/// The attachment of the submission `tx`: its size and bytes vary with it.
fn attachment(tx: &str) -> Bytes {
    let seed = Sha256::digest(tx.as_bytes());
    let len = 2_000 + usize::from(seed[0]) * 60;
    Bytes::from(
        (0..len)
            .map(|i| seed[i % 32] ^ (i as u8))
            .collect::<Vec<u8>>(),
    )
}

/// What clients were told: TransactionID → MessageID.
type Acked = Arc<Mutex<HashMap<String, String>>>;

/// One client: submits new TransactionIDs to whatever URL is current, and after a failure
/// tries the same TransactionID again (as a client does after a lost answer).
async fn client(id: usize, url: Arc<Mutex<String>>, acked: Acked, stop: Arc<Mutex<bool>>) {
    let mut n = 0;
    let mut pending: Option<String> = None;
    while !*stop.lock().unwrap() {
        let tx = pending.take().unwrap_or_else(|| format!("crash-{id}-{n}"));
        n += 1;
        let endpoint = url.lock().unwrap().clone();
        let Ok(client) = Client::builder(&endpoint)
            .retry(RetryPolicy::none())
            .timeout(Duration::from_secs(5))
            .build()
        else {
            continue;
        };
        let mut req = SubmitReq::default();
        req.mm7_version = client.mm7_version().clone();
        req.content = Some(ContentRef::cid("data.bin"));
        req.recipients.to.push(Address::number("15551234567"));
        req.sender_identification = Some(SenderIdentification {
            vasp_id: Some("crash".to_owned()),
            vas_id: None,
            sender_address: Some(Address::short_code("63901")),
        });
        let part =
            Part::new("application/octet-stream", attachment(&tx)).with_content_id("data.bin");
        let options = SendOptions::new().with_transaction_id(tx.clone());
        match client.submit_with(req, vec![part], options).await {
            Ok(rsp) if rsp.status.code.get() == 1000 => {
                let message_id = rsp.message.message_id.clone().unwrap_or_default();
                let mut acked = acked.lock().unwrap();
                if let Some(earlier) = acked.insert(tx.clone(), message_id.clone()) {
                    assert_eq!(earlier, message_id, "{tx} answered with two MessageIDs");
                }
            }
            _ => {
                pending = Some(tx);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
}

#[test]
fn kill_9_under_load_loses_nothing_acknowledged() {
    let dir = TempDir::new("crash");
    let store = dir.join("mmsc");
    let args = [
        "--dlr-after",
        "1h",
        "--callback-url",
        "http://127.0.0.1:9/mm7",
        "--json",
    ];
    let mut server = Server::mmsc(&store, &args);
    let url = Arc::new(Mutex::new(server.url.clone()));
    let acked: Acked = Arc::default();
    let stop = Arc::new(Mutex::new(false));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let clients: Vec<_> = (0..8)
        .map(|i| {
            runtime.spawn(client(
                i,
                Arc::clone(&url),
                Arc::clone(&acked),
                Arc::clone(&stop),
            ))
        })
        .collect();
    let started = Instant::now();
    let mut kills = 0;
    // Kill points spread from 150 ms to about 1 s into each run.
    for round in 0..5u64 {
        let wait = 150 + (round * 7919 + started.elapsed().subsec_nanos() as u64) % 850;
        std::thread::sleep(Duration::from_millis(wait));
        server.kill();
        kills += 1;
        server = Server::mmsc(&store, &args);
        *url.lock().unwrap() = server.url.clone();
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the test ran too long"
        );
    }
    std::thread::sleep(Duration::from_millis(500));
    *stop.lock().unwrap() = true;
    runtime.block_on(async {
        for client in clients {
            let _ = tokio::time::timeout(Duration::from_secs(10), client).await;
        }
    });
    drop(server);
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 50,
        "only {} submissions acknowledged",
        acked.len()
    );
    // No two acknowledgements, across all the processes, carried the same MessageID.
    let given: HashSet<&String> = acked.values().collect();
    assert_eq!(given.len(), acked.len(), "a MessageID was handed out twice");
    let checking = Instant::now();
    check_store(&store, &acked, &dir.join("out"));
    // What the run did, for a reader of the test's output.
    #[allow(clippy::print_stderr)]
    let () = eprintln!(
        "{} acknowledged over {kills} kills; load {:?}, check {:?}",
        acked.len(),
        checking - started,
        checking.elapsed()
    );
}

/// Every acknowledged TransactionID is stored exactly once, with the MessageID it was given
/// and its attachment intact; no MessageID repeats among all the rows.
fn check_store(store: &Path, acked: &HashMap<String, String>, out: &Path) {
    let reader = mm7_store::Reader::open(store).unwrap();
    let messages = reader.list().unwrap();
    let mut by_tx: HashMap<&str, Vec<&mm7_store::MessageSummary>> = HashMap::new();
    let mut ids = HashSet::new();
    for m in &messages {
        by_tx.entry(m.transaction_id.as_str()).or_default().push(m);
        let id = m.message_id.clone().expect("a SubmitReq has a MessageID");
        assert!(ids.insert(id.clone()), "MessageID {id} repeats");
    }
    for (n, (tx, message_id)) in acked.iter().enumerate() {
        let rows = by_tx.get(tx.as_str()).map_or(&[][..], Vec::as_slice);
        assert_eq!(
            rows.len(),
            1,
            "{tx} acknowledged, stored {} times",
            rows.len()
        );
        let row = rows[0];
        assert_eq!(row.message_id.as_deref(), Some(message_id.as_str()), "{tx}");
        assert_eq!(row.outbox.len(), 1, "{tx}: its delivery report is pending");
        let folder = out.join(row.id.to_string());
        reader.export(&row.id.to_string(), &folder).unwrap();
        let stored = std::fs::read(folder.join("attachments/01-data.bin")).unwrap();
        assert_eq!(
            Sha256::digest(&stored),
            Sha256::digest(attachment(tx)),
            "{tx}: attachment changed"
        );
        // The raw request is whole: a few are decoded again by `mm7 decode`.
        if n % 50 == 0 {
            let decoded = crate::support::run(&["decode", s(&folder.join("request.http"))]);
            assert_eq!(decoded.code, 0, "{tx}: {}", decoded.stderr);
            assert_eq!(decoded.json()["transaction_id"], tx.as_str());
        }
    }
}

//! What the client logs: one span per try with the operation, TransactionID, statuses and
//! duration, and never the credentials.

mod peer;

use std::io::Write;
use std::sync::{Arc, Mutex};

use mm7_model::{Address, SenderIdentification, SubmitReq, SubmitRsp};
use mm7_transport::client::{Client, SendOptions};
use peer::{Peer, Reply, bounded};

/// A writer into a shared buffer, for the subscriber.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("not poisoned").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("not poisoned")).into_owned()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn spans_carry_the_exchange_and_never_the_credentials() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    // The runtime has one thread, so every task of the test logs to this subscriber.
    let _guard = tracing::subscriber::set_default(subscriber);

    bounded(async {
        let peer = Peer::start(|i, seen| match i {
            0 => Reply::mm7(&seen.transaction_id(), SubmitRsp::success("6.8.0", "m")),
            _ => Reply::plain(503, "text/plain", "busy"),
        })
        .await;
        let url = format!("http://vasp:hunter2%21secret@{}/mm7", peer.addr);
        let client = Client::new(&url).expect("client");
        let mut req = SubmitReq::default();
        req.sender_identification = Some(SenderIdentification::default());
        req.recipients.to.push(Address::number("15551234567"));
        let options = SendOptions::new().with_transaction_id("traced-1");
        client
            .submit_with(req.clone(), Vec::new(), options)
            .await
            .expect("accepted");
        let options = SendOptions::new().with_transaction_id("traced-2");
        assert!(client.submit_with(req, Vec::new(), options).await.is_err());
        assert!(format!("{client:?}").contains("basic_auth: true"));
        assert!(!format!("{client:?}").contains("hunter2"));
    })
    .await;

    let log = captured.text();
    assert!(log.contains("mm7_request"), "{log}");
    assert!(log.contains("operation=\"SubmitReq\""), "{log}");
    assert!(log.contains("transaction_id=traced-1"), "{log}");
    assert!(log.contains("http_status=200"), "{log}");
    assert!(log.contains("mm7_status=1000"), "{log}");
    assert!(log.contains("http_status=503"), "{log}");
    assert!(log.contains("duration_ms="), "{log}");
    for secret in ["hunter2", "dmFzcDpodW50ZXIyIXNlY3JldA"] {
        assert!(!log.contains(secret), "{secret} logged:\n{log}");
    }
}

//! The server over time: slow clients, handler timeouts, graceful shutdown, the connection cap;
//! and the other ways of running it (HTTPS, as a tower service).

mod server_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use mm7_model::{SubmitReq, SubmitRsp};
use mm7_transport::server::{Handler, HandlerError, Inbound, Mm7Service, Role, ServerConfig, tls};
use server_support::*;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::Notify;

/// A submit handler that says when it starts and takes `delay` to answer.
struct Slow {
    delay: Duration,
    started: Notify,
    finished: AtomicUsize,
}

impl Slow {
    fn new(delay: Duration) -> Arc<Slow> {
        Arc::new(Slow {
            delay,
            started: Notify::new(),
            finished: AtomicUsize::new(0),
        })
    }
}

impl Handler for Slow {
    async fn submit(&self, inbound: Inbound<SubmitReq>) -> Result<SubmitRsp, HandlerError> {
        self.started.notify_one();
        tokio::time::sleep(self.delay).await;
        self.finished.fetch_add(1, Ordering::SeqCst);
        Ok(SubmitRsp::success(inbound.mm7_version, "m-slow"))
    }
}

#[tokio::test]
async fn slow_headers_and_idle_connections_are_closed() {
    let config = ServerConfig::new(Role::Mmsc).with_header_read_timeout(Duration::from_millis(300));
    let server = start_with(config, Arc::new(Recorder::default())).await;

    // Headers one byte every 30 ms: 200 bytes would take 6 s.
    let mut stream = TcpStream::connect(server.local_addr()).await.unwrap();
    let started = Instant::now();
    let (mut reader, mut writer) = stream.split();
    let trickle = async {
        let head = format!(
            "POST /mm7 HTTP/1.1\r\nHost: x\r\nX-Slow: {}",
            "a".repeat(160)
        );
        for byte in head.bytes() {
            if writer.write_all(&[byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
    };
    let closed = tokio::time::timeout(STEP, async {
        tokio::select! {
            () = trickle => panic!("the whole header was accepted"),
            seen = read_until_closed(&mut reader) => seen,
        }
    })
    .await
    .expect("closed in time");
    let elapsed = started.elapsed();
    assert!(!String::from_utf8_lossy(&closed).contains(" 200 "));
    assert!(elapsed >= Duration::from_millis(250), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");

    // A connection that sends nothing at all is closed by the same clock.
    let mut idle = TcpStream::connect(server.local_addr()).await.unwrap();
    let started = Instant::now();
    tokio::time::timeout(STEP, read_until_closed(&mut idle))
        .await
        .expect("idle connection closed");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn slow_body_is_answered_408() {
    let config = ServerConfig::new(Role::Mmsc).with_request_timeout(Duration::from_millis(300));
    let recorder = Arc::new(Recorder::default());
    let server = start_with(config, Arc::clone(&recorder)).await;
    let mut stream = TcpStream::connect(server.local_addr()).await.unwrap();
    stream
        .write_all(b"POST /mm7 HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: 100\r\n\r\n<env:Envelope")
        .await
        .unwrap();
    let started = Instant::now();
    let response = tokio::time::timeout(STEP, read_response(&mut stream))
        .await
        .expect("in time")
        .expect("read")
        .expect("answer");
    assert_eq!(response.status, 408);
    assert!(started.elapsed() >= Duration::from_millis(250));
    assert_eq!(recorder.calls(), 0);
}

#[tokio::test]
async fn a_handler_out_of_time_is_a_server_error() {
    let config = ServerConfig::new(Role::Mmsc).with_request_timeout(Duration::from_millis(300));
    let handler = Slow::new(Duration::from_secs(30));
    let server = start_with(config, Arc::clone(&handler)).await;
    let started = Instant::now();
    let response = exchange(server.local_addr(), &submit("tx-late")).await;
    let envelope = response.expect_fault(3000);
    assert_eq!(envelope.transaction_id, "tx-late");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(handler.finished.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn graceful_shutdown_finishes_requests_in_flight() {
    let handler = Slow::new(Duration::from_millis(400));
    let server = start_with(ServerConfig::new(Role::Mmsc), Arc::clone(&handler)).await;
    let addr = server.local_addr();
    // An idle connection must not hold the shutdown up.
    let mut idle = TcpStream::connect(addr).await.unwrap();

    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(&submit("tx-in-flight")).await.unwrap();
    tokio::time::timeout(STEP, handler.started.notified())
        .await
        .expect("the handler started");

    let started = Instant::now();
    let shutdown = tokio::spawn(server.shutdown());
    let response = tokio::time::timeout(STEP, read_response(&mut stream))
        .await
        .expect("in time")
        .expect("read")
        .expect("the request in flight is answered");
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(response.mm7_status(), 1000);
    // Keep-alive is over: the connection closes after the answer.
    tokio::time::timeout(STEP, read_until_closed(&mut stream))
        .await
        .expect("closed after the answer");
    tokio::time::timeout(STEP, read_until_closed(&mut idle))
        .await
        .expect("idle connection closed");
    tokio::time::timeout(STEP, shutdown)
        .await
        .expect("shutdown in time")
        .expect("joined")
        .expect("clean");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(handler.finished.load(Ordering::SeqCst), 1);
    // The listener is closed.
    assert!(TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn connection_cap() {
    let recorder = Arc::new(Recorder::default());
    let server = start_with(
        ServerConfig::new(Role::Mmsc).with_max_connections(1),
        Arc::clone(&recorder),
    )
    .await;
    let addr = server.local_addr();
    let mut first = TcpStream::connect(addr).await.unwrap();
    first.write_all(&submit("tx-first")).await.unwrap();
    let answer = tokio::time::timeout(STEP, read_response(&mut first))
        .await
        .expect("in time")
        .expect("read")
        .expect("answer");
    assert_eq!(answer.status, 200);

    // The first connection is kept alive: the second waits unserved.
    let mut second = TcpStream::connect(addr).await.unwrap();
    second.write_all(&submit("tx-second")).await.unwrap();
    let waiting =
        tokio::time::timeout(Duration::from_millis(400), read_response(&mut second)).await;
    assert!(waiting.is_err(), "served past the cap");
    assert_eq!(recorder.calls(), 1);

    drop(first);
    let answer = tokio::time::timeout(STEP, read_response(&mut second))
        .await
        .expect("served once the first connection closed")
        .expect("read")
        .expect("answer");
    assert_eq!(answer.status, 200);
    assert_eq!(recorder.calls(), 2);
}

#[tokio::test]
async fn https() {
    let generated = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let server_tls = tls::server_config(
        generated.cert.pem().as_bytes(),
        generated.signing_key.serialize_pem().as_bytes(),
    )
    .unwrap();
    let recorder = Arc::new(Recorder::default());
    let server = start_with(
        ServerConfig::new(Role::Mmsc).with_tls(server_tls),
        Arc::clone(&recorder),
    )
    .await;

    let mut roots = rustls::RootCertStore::empty();
    roots.add(generated.cert.der().clone()).unwrap();
    let client = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(client));
    let response = tokio::time::timeout(STEP, async {
        let tcp = TcpStream::connect(server.local_addr()).await.unwrap();
        let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
        let mut stream = connector.connect(name, tcp).await.expect("handshake");
        stream.write_all(&submit("tx-tls")).await.unwrap();
        read_response(&mut stream).await.unwrap().unwrap()
    })
    .await
    .expect("in time");
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(response.envelope().transaction_id, "tx-tls");
    assert_eq!(recorder.calls(), 1);

    // Plain HTTP on the TLS port gets no MM7 answer.
    let mut plain = TcpStream::connect(server.local_addr()).await.unwrap();
    plain.write_all(&submit("tx-plain")).await.unwrap();
    let seen = tokio::time::timeout(STEP, read_until_closed(&mut plain))
        .await
        .expect("closed");
    assert!(!String::from_utf8_lossy(&seen).contains("HTTP/1.1"));
    assert_eq!(recorder.calls(), 1);
}

#[tokio::test]
async fn as_a_tower_service() {
    use tower_service::Service;

    let config = ServerConfig::new(Role::Mmsc).with_allowed("127.0.0.1".parse().unwrap());
    let recorder = Arc::new(Recorder::default());
    let mut service = Mm7Service::new(config, Arc::clone(&recorder));
    let request = |peer: Option<std::net::SocketAddr>| {
        let xml = soap(NS_REL6, "tx-tower", &submit_body(NS_REL6, "6.8.0"));
        let mut request = http::Request::post("/mm7")
            .header("Content-Type", "text/xml")
            .body(Full::new(Bytes::from(xml)))
            .unwrap();
        if let Some(peer) = peer {
            request.extensions_mut().insert(peer);
        }
        request
    };

    // No peer address known, and an allow-list: refused.
    let refused = Service::call(&mut service, request(None)).await.unwrap();
    assert_eq!(refused.status(), 403);

    let peer = "127.0.0.1:5000".parse().unwrap();
    let response = Service::call(&mut service, request(Some(peer)))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let decoded = mm7_soap::decode("text/xml", body, &Default::default()).unwrap();
    assert_eq!(decoded.envelope.transaction_id, "tx-tower");
    assert_eq!(recorder.seen()[0].peer, Some(peer));
}

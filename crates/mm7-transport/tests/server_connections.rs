//! What a server owes a store and an operator: the request as received, an observer hearing of
//! every answer, and idle connections that cannot keep a valid request waiting.

mod server_support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mm7_model::{SubmitReq, SubmitRsp};
use mm7_transport::server::{Answered, Handler, HandlerError, Inbound, Role, ServerConfig};
use server_support::*;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpSocket, TcpStream};

/// Keeps each request's raw head and body.
#[derive(Default)]
struct Raw(Mutex<Vec<(String, bytes::Bytes)>>);

impl Handler for Raw {
    async fn submit(&self, inbound: Inbound<SubmitReq>) -> Result<SubmitRsp, HandlerError> {
        self.0
            .lock()
            .unwrap()
            .push((inbound.raw_head.clone(), inbound.raw_body.clone()));
        Ok(SubmitRsp::success(inbound.mm7_version, "m-1"))
    }
}

#[tokio::test]
async fn the_handler_gets_the_request_as_received_with_credentials_masked() {
    let raw = Arc::new(Raw::default());
    let config = ServerConfig::new(Role::Mmsc).with_basic_auth("vasp", "s3cret");
    let server = start_with(config, Arc::clone(&raw)).await;
    let xml = soap(NS_REL6, "tx-raw", &submit_body(NS_REL6, "6.8.0"));
    let request = post(
        "text/xml; charset=utf-8",
        &[("Authorization", "Basic dmFzcDpzM2NyZXQ=")],
        xml.as_bytes(),
    );
    let response = exchange(server.local_addr(), &request).await;
    assert_eq!(response.mm7_status(), 1000, "{}", response.text());
    let seen = raw.0.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    let (head, body) = &seen[0];
    assert_eq!(&body[..], xml.as_bytes());
    assert!(head.starts_with("POST /mm7 HTTP/1.1\r\n"), "{head}");
    assert!(head.contains("authorization: Basic ********\r\n"), "{head}");
    assert!(!head.contains("dmFzcDpzM2NyZXQ="), "{head}");
    assert!(head.ends_with("\r\n\r\n"));
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_observer_hears_every_answer() {
    let heard: Arc<Mutex<Vec<Answered>>> = Arc::default();
    let sink = Arc::clone(&heard);
    let config = ServerConfig::new(Role::Mmsc)
        .with_basic_auth("vasp", "s3cret")
        .with_body_limit(4096)
        .with_observer(move |a| sink.lock().unwrap().push(a.clone()));
    let server = start_with(config, Arc::new(Recorder::default())).await;
    let addr = server.local_addr();
    let auth = ("Authorization", "Basic dmFzcDpzM2NyZXQ=");
    let close = ("Connection", "close");
    let ok = soap(NS_REL6, "tx-ok", &submit_body(NS_REL6, "6.8.0"));
    let answers = [
        post("text/xml", &[auth, close], ok.as_bytes()),
        post("text/xml", &[close], ok.as_bytes()),
        post("text/xml", &[auth, close], &vec![b'x'; 5000]),
        post("text/xml", &[auth, close], b"<not-soap/>"),
        format!(
            "GET /mm7 HTTP/1.1\r\nHost: x\r\nAuthorization: {}\r\n\r\n",
            auth.1
        )
        .into_bytes(),
        format!(
            "POST /mm7 HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
            "a".repeat(600_000)
        )
        .into_bytes(),
    ];
    for request in &answers {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        // The peer may close before the whole request is written (413, 431).
        let _ = stream.write_all(request).await;
        let _ = tokio::time::timeout(STEP, read_until_closed(&mut stream)).await;
    }
    let deadline = Instant::now() + STEP;
    while heard.lock().unwrap().len() < answers.len() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let heard = heard.lock().unwrap().clone();
    let statuses: Vec<(u16, Option<u32>)> = heard
        .iter()
        .map(|a| (a.http_status, a.mm7_status))
        .collect();
    assert_eq!(
        statuses,
        [
            (200, Some(1000)),
            (401, None),
            (413, None),
            (500, Some(2007)),
            (405, None),
            (431, None)
        ],
        "{heard:#?}"
    );
    assert_eq!(heard[0].transaction_id.as_deref(), Some("tx-ok"));
    assert_eq!(heard[0].operation.as_deref(), Some("SubmitReq"));
    assert!(
        heard
            .iter()
            .all(|a| a.peer.is_some_and(|p| p.ip().is_loopback()))
    );
    assert!(heard.iter().all(|a| !a.reason.is_empty()), "{heard:#?}");
    assert!(heard[2].reason.contains("too large"), "{}", heard[2].reason);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn idle_connections_of_one_peer_do_not_delay_another() {
    let config = ServerConfig::new(Role::Mmsc).with_max_connections_per_peer(64);
    let server = start_with(config, Arc::new(Recorder::default())).await;
    let addr = server.local_addr();
    // 2,000 idle connections from 127.0.0.2 (loopback, another peer address).
    let mut idle = Vec::new();
    for _ in 0..2000 {
        let socket = TcpSocket::new_v4().unwrap();
        if socket.bind("127.0.0.2:0".parse().unwrap()).is_err() {
            break;
        }
        match tokio::time::timeout(STEP, socket.connect(addr)).await {
            Ok(Ok(stream)) => idle.push(stream),
            // Out of descriptors here: what is open already makes the point.
            _ => break,
        }
    }
    assert!(
        idle.len() >= 500,
        "only {} idle connections opened",
        idle.len()
    );
    let started = Instant::now();
    let response = exchange(addr, &submit("tx-busy")).await;
    let took = started.elapsed();
    assert_eq!(response.mm7_status(), 1000);
    assert!(
        took < Duration::from_millis(900),
        "answered after {took:?} with {} idle connections held",
        idle.len()
    );
    drop(idle);
    server.shutdown().await.unwrap();
}

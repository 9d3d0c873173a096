//! What the server tests share: a hand-written HTTP/1.1 client over a bare `TcpStream` (so the
//! tests can lie about lengths, trickle bytes and hold connections), MM7 request bodies, and a
//! handler that records what it was given.
// Each test binary uses part of this module.
#![allow(dead_code)]

use std::io;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use mm7_model::{
    CancelReq, CancelRsp, DeliverReq, DeliverRsp, DeliveryReportReq, DeliveryReportRsp, Message,
    ReadReplyReq, ReadReplyRsp, Status, StatusCode, SubmitReq, SubmitRsp,
};
use mm7_transport::server::{Handler, HandlerError, Inbound, RunningServer, Server, ServerConfig};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Every test step is bounded by this.
pub(crate) const STEP: Duration = Duration::from_secs(10);

pub(crate) const NS_REL6: &str =
    "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4";

/// Log to the test output when `RUST_LOG` is set.
pub(crate) fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}

/// A SOAP envelope with a TransactionID header and `body` inside the Body.
pub(crate) fn soap(namespace: &str, transaction_id: &str, body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">
<env:Header><mm7:TransactionID xmlns:mm7="{namespace}" env:mustUnderstand="1">{transaction_id}</mm7:TransactionID></env:Header>
<env:Body>{body}</env:Body>
</env:Envelope>"#
    )
}

/// A valid `SubmitReq` body element.
pub(crate) fn submit_body(namespace: &str, version: &str) -> String {
    format!(
        r#"<SubmitReq xmlns="{namespace}"><MM7Version>{version}</MM7Version>
<SenderIdentification><VASPID>TNN</VASPID><VASID>News</VASID></SenderIdentification>
<Recipients><To><Number>15551234567</Number></To></Recipients>
<Subject>News for today</Subject></SubmitReq>"#
    )
}

/// A valid `CancelReq` body element.
pub(crate) fn cancel_body(namespace: &str) -> String {
    format!(
        r#"<CancelReq xmlns="{namespace}"><MM7Version>6.8.0</MM7Version><MessageID>m-1</MessageID></CancelReq>"#
    )
}

/// A valid `DeliverReq` body element.
pub(crate) fn deliver_body(namespace: &str) -> String {
    format!(
        r#"<DeliverReq xmlns="{namespace}"><MM7Version>6.8.0</MM7Version>
<Sender><Number>15551234567</Number></Sender><Subject>hi</Subject></DeliverReq>"#
    )
}

/// A server on a free loopback port, answering with `handler`.
pub(crate) async fn start_with<H: Handler>(config: ServerConfig, handler: H) -> RunningServer {
    init_tracing();
    Server::bind("127.0.0.1:0", config, handler)
        .await
        .expect("bind")
        .spawn()
}

/// A `text/xml` POST of a valid REL-6 `SubmitReq` with `transaction_id`.
pub(crate) fn submit(transaction_id: &str) -> Vec<u8> {
    post_xml(&soap(
        NS_REL6,
        transaction_id,
        &submit_body(NS_REL6, "6.8.0"),
    ))
}

/// An HTTP/1.1 POST with a true Content-Length.
pub(crate) fn post(content_type: &str, extra_headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut head = format!(
        "POST /mm7 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nSOAPAction: \"\"\r\n",
        body.len()
    );
    for (name, value) in extra_headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut request = head.into_bytes();
    request.extend_from_slice(body);
    request
}

/// A `text/xml` POST of `xml`.
pub(crate) fn post_xml(xml: &str) -> Vec<u8> {
    post("text/xml; charset=utf-8", &[], xml.as_bytes())
}

/// One HTTP response as read off the wire.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl RawResponse {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The MM7 envelope of the answer.
    pub(crate) fn envelope(&self) -> mm7_model::Envelope {
        let content_type = self.header("content-type").unwrap_or_default();
        mm7_soap::decode(
            content_type,
            bytes::Bytes::from(self.body.clone()),
            &Default::default(),
        )
        .unwrap_or_else(|e| panic!("undecodable answer ({e}): {}", self.text()))
        .envelope
    }

    /// The status code in the answer (a response's, or a Fault's error response's).
    pub(crate) fn mm7_status(&self) -> u32 {
        let envelope = self.envelope();
        envelope
            .message
            .status()
            .map(|s| s.code.get())
            .unwrap_or_else(|| panic!("no status in {}", self.text()))
    }

    /// Asserts an MM7 Fault (HTTP 500) with `code`, and returns its envelope.
    pub(crate) fn expect_fault(&self, code: u32) -> mm7_model::Envelope {
        assert_eq!(self.status, 500, "{}", self.text());
        let envelope = self.envelope();
        let Message::Fault(fault) = &envelope.message else {
            panic!("not a fault: {}", self.text());
        };
        assert_eq!(
            fault.status().map(|s| s.code.get()),
            Some(code),
            "{}",
            self.text()
        );
        envelope
    }
}

/// Reads one response; `Ok(None)` when the server closed the connection first.
pub(crate) async fn read_response<R: AsyncRead + Unpin>(
    stream: &mut R,
) -> io::Result<Option<RawResponse>> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return if buffer.is_empty() {
                Ok(None)
            } else {
                Err(io::Error::new(io::ErrorKind::UnexpectedEof, "cut head"))
            };
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| io::Error::other(format!("bad status line {status_line:?}")))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buffer[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "cut body"));
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    Ok(Some(RawResponse {
        status,
        headers,
        body,
    }))
}

/// Sends `request` on a new connection and reads the answer.
pub(crate) async fn exchange(addr: SocketAddr, request: &[u8]) -> RawResponse {
    tokio::time::timeout(STEP, async {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        stream.write_all(request).await.expect("write");
        read_response(&mut stream)
            .await
            .expect("read")
            .expect("an answer")
    })
    .await
    .expect("answered in time")
}

/// Waits for the server to close `stream` (EOF or reset), reading and discarding what it
/// sends; returns what was read.
pub(crate) async fn read_until_closed<R: AsyncRead + Unpin>(stream: &mut R) -> Vec<u8> {
    let mut seen = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return seen,
            Ok(n) => seen.extend_from_slice(&chunk[..n]),
        }
    }
}

/// What the recording handler saw of one request.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub(crate) operation: &'static str,
    pub(crate) transaction_id: String,
    pub(crate) namespace: String,
    pub(crate) mm7_version: String,
    pub(crate) attachments: usize,
    pub(crate) leaves: usize,
    pub(crate) attachment_bytes: usize,
    pub(crate) user: Option<String>,
    pub(crate) peer: Option<SocketAddr>,
    pub(crate) headers: http::HeaderMap,
}

/// A handler for both roles that records every request and answers success; `submit` with
/// TransactionID `boom` panics and with `refuse` returns 2002.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    pub(crate) seen: Mutex<Vec<Seen>>,
    pub(crate) calls: AtomicUsize,
}

impl Recorder {
    fn record<T>(&self, operation: &'static str, inbound: &Inbound<T>) {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let seen = Seen {
            operation,
            transaction_id: inbound.transaction_id.clone(),
            namespace: inbound.namespace.uri().to_string(),
            mm7_version: inbound.mm7_version.as_str().to_string(),
            attachments: inbound.attachments.len(),
            leaves: inbound.attachments.iter().flat_map(|p| p.leaves()).count(),
            attachment_bytes: inbound
                .attachments
                .iter()
                .flat_map(|p| p.leaves())
                .map(|leaf| match &leaf.body {
                    mm7_model::PartBody::Data(d) => d.len(),
                    _ => 0,
                })
                .sum(),
            user: inbound.user.clone(),
            peer: inbound.peer,
            headers: inbound.headers.clone(),
        };
        self.seen.lock().expect("not poisoned").push(seen);
    }

    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("not poisoned").clone()
    }

    pub(crate) fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl Handler for Recorder {
    async fn submit(&self, inbound: Inbound<SubmitReq>) -> Result<SubmitRsp, HandlerError> {
        self.record("SubmitReq", &inbound);
        match inbound.transaction_id.as_str() {
            "boom" => panic!("the handler failed"),
            "refuse" => Err(HandlerError::new(
                StatusCode::ADDRESS_ERROR,
                "no such subscriber",
            )),
            "success-as-error" => Err(HandlerError::from_code(StatusCode::SUCCESS)),
            _ => Ok(SubmitRsp::success(
                "",
                format!("msg-{}", inbound.transaction_id),
            )),
        }
    }

    async fn cancel(&self, inbound: Inbound<CancelReq>) -> Result<CancelRsp, HandlerError> {
        self.record("CancelReq", &inbound);
        Ok(CancelRsp::success(inbound.mm7_version))
    }

    async fn deliver(&self, inbound: Inbound<DeliverReq>) -> Result<DeliverRsp, HandlerError> {
        self.record("DeliverReq", &inbound);
        Ok(DeliverRsp::new(inbound.mm7_version, Status::success()))
    }

    async fn delivery_report(
        &self,
        inbound: Inbound<DeliveryReportReq>,
    ) -> Result<DeliveryReportRsp, HandlerError> {
        self.record("DeliveryReportReq", &inbound);
        Ok(DeliveryReportRsp::success(inbound.mm7_version))
    }

    async fn read_reply(
        &self,
        inbound: Inbound<ReadReplyReq>,
    ) -> Result<ReadReplyRsp, HandlerError> {
        self.record("ReadReplyReq", &inbound);
        Ok(ReadReplyRsp::success(inbound.mm7_version))
    }
}

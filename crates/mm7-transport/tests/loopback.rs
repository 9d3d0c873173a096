//! The project's client against the project's server on 127.0.0.1: every operation in
//! several schema versions, attachments compared byte for byte on the server side, over HTTP
//! and HTTPS, and 1000 concurrent submits counted exactly.

mod peer;

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use mm7_model::{
    Address, CancelReq, CancelRsp, ContentRef, DateTime, DeliverReq, DeliverRsp, DeliveryReportReq,
    DeliveryReportRsp, Envelope, Message, MmStatus, Part, ReadReplyReq, ReadReplyRsp, ReplaceReq,
    ReplaceRsp, SchemaId, SenderIdentification, Status, StatusCode, SubmitReq, SubmitRsp,
};
use mm7_transport::client::{Client, ClientError, SendOptions};
use mm7_transport::server::{
    Handler, HandlerError, HandlerResult, Inbound, Role, RunningServer, Server, ServerConfig,
};
use peer::{TestPki, bounded};
use rustls_pki_types::PrivateKeyDer;

/// What the server's handler saw of one request.
#[derive(Debug, Clone)]
struct Record {
    operation: &'static str,
    transaction_id: String,
    namespace: String,
    mm7_version: String,
    /// The leaves of the part `Content@href` named: media type and bytes.
    content: Vec<(String, Bytes)>,
    peer: Option<SocketAddr>,
}

/// A handler for all six operations that records what it is given.
#[derive(Default)]
struct Recorder {
    records: Mutex<Vec<Record>>,
}

impl Recorder {
    fn record<T>(&self, operation: &'static str, inbound: &Inbound<T>, href: Option<&str>) {
        let content = href
            .and_then(|href| inbound.attachment(href))
            .map(|part| {
                part.leaves()
                    .map(|leaf| {
                        let data = leaf.data().cloned().unwrap_or_default();
                        (leaf.media_type().to_string(), data)
                    })
                    .collect()
            })
            .unwrap_or_default();
        self.records.lock().expect("not poisoned").push(Record {
            operation,
            transaction_id: inbound.transaction_id.clone(),
            namespace: inbound.namespace.uri().to_string(),
            mm7_version: inbound.mm7_version.as_str().to_string(),
            content,
            peer: inbound.peer,
        });
    }

    fn records(&self) -> Vec<Record> {
        self.records.lock().expect("not poisoned").clone()
    }

    fn last(&self) -> Record {
        self.records().pop().expect("a request reached the handler")
    }
}

impl Handler for Recorder {
    async fn submit(&self, inbound: Inbound<SubmitReq>) -> HandlerResult<SubmitRsp> {
        let href = inbound.request.content.as_ref().map(|c| c.href.clone());
        self.record("SubmitReq", &inbound, href.as_deref());
        if inbound.request.subject.as_deref() == Some("refuse me") {
            return Err(HandlerError::new(
                StatusCode::ADDRESS_ERROR,
                "no such subscriber",
            ));
        }
        let id = format!("msg-{}", inbound.transaction_id);
        Ok(SubmitRsp::success(inbound.mm7_version, id))
    }

    async fn cancel(&self, inbound: Inbound<CancelReq>) -> HandlerResult<CancelRsp> {
        self.record("CancelReq", &inbound, None);
        Ok(CancelRsp::success(inbound.mm7_version))
    }

    async fn replace(&self, inbound: Inbound<ReplaceReq>) -> HandlerResult<ReplaceRsp> {
        let href = inbound.request.content.as_ref().map(|c| c.href.clone());
        self.record("ReplaceReq", &inbound, href.as_deref());
        Ok(ReplaceRsp::success(inbound.mm7_version))
    }

    async fn deliver(&self, inbound: Inbound<DeliverReq>) -> HandlerResult<DeliverRsp> {
        let href = inbound.request.content.as_ref().map(|c| c.href.clone());
        self.record("DeliverReq", &inbound, href.as_deref());
        Ok(DeliverRsp::new(inbound.mm7_version, Status::success()))
    }

    async fn delivery_report(
        &self,
        inbound: Inbound<DeliveryReportReq>,
    ) -> HandlerResult<DeliveryReportRsp> {
        self.record("DeliveryReportReq", &inbound, None);
        Ok(DeliveryReportRsp::success(inbound.mm7_version))
    }

    async fn read_reply(&self, inbound: Inbound<ReadReplyReq>) -> HandlerResult<ReadReplyRsp> {
        self.record("ReadReplyReq", &inbound, None);
        Ok(ReadReplyRsp::success(inbound.mm7_version))
    }
}

fn leaves(parts: &[Part]) -> Vec<(String, Bytes)> {
    parts
        .iter()
        .flat_map(|p| p.leaves())
        .map(|leaf| {
            let data = leaf.data().cloned().unwrap_or_default();
            (leaf.media_type().to_string(), data)
        })
        .collect()
}

/// A multimedia message: text, SMIL and a binary image whose bytes include CR LF, NUL,
/// 0xFF and something that looks like a boundary.
fn message_content(cid: &str) -> Vec<Part> {
    let mut image = b"\x89PNG\r\n\x1a\n".to_vec();
    image.extend((0..=255u8).cycle().take(3000));
    image.extend_from_slice(b"\r\n--mm7-boundary\r\n\0\xff");
    vec![
        Part::multipart(
            "multipart/related; type=\"application/smil\"",
            vec![
                Part::new(
                    "application/smil",
                    Bytes::from_static(
                        b"<smil><body><par><img src=\"cid:img\"/></par></body></smil>",
                    ),
                )
                .with_content_id("smil"),
                Part::text("Grüße aus dem Test"),
                Part::new("image/png", Bytes::from(image)).with_content_id("img"),
            ],
        )
        .with_content_id(cid),
    ]
}

fn sender_id() -> Option<SenderIdentification> {
    Some(SenderIdentification {
        vasp_id: Some("TNN".into()),
        vas_id: Some("News".into()),
        ..SenderIdentification::default()
    })
}

fn date() -> DateTime {
    DateTime::parse("2024-05-01T10:00:00Z").expect("date")
}

async fn start(role: Role, recorder: &Arc<Recorder>, tls: Option<&TestPki>) -> RunningServer {
    let mut config = ServerConfig::new(role);
    if let Some(pki) = tls {
        let key = PrivateKeyDer::Pkcs8(pki.server_key_der.clone().into());
        let tls = mm7_transport::server::tls::server_config_der(vec![pki.server_der.clone()], key)
            .expect("server TLS");
        config = config.with_tls(tls);
    }
    Server::bind("127.0.0.1:0", config, recorder.clone())
        .await
        .expect("bind")
        .spawn()
}

fn url(server: &RunningServer, https: bool) -> String {
    let scheme = if https { "https" } else { "http" };
    format!("{scheme}://{}/mm7", server.local_addr())
}

/// The VASP's three operations against an MMSC, checked on both sides.
async fn vasp_operations(client: &Client, mmsc: &Recorder, schema: SchemaId, version: &str) {
    let check = |record: &Record, operation: &str, tx: &str| {
        assert_eq!(record.operation, operation);
        assert_eq!(record.transaction_id, tx);
        assert_eq!(record.namespace, schema.namespace());
        assert_eq!(record.mm7_version, version);
        assert!(record.peer.is_some_and(|p| p.ip().is_loopback()));
    };
    let mut submit = SubmitReq::default();
    submit.sender_identification = sender_id();
    submit.subject = Some(format!("news in {schema}"));
    submit.content = Some(ContentRef::cid("msg"));
    submit.recipients.to.push(Address::number("15551234567"));
    submit
        .recipients
        .cc
        .push(Address::rfc2822("someone@example.com"));
    let content = message_content("msg");
    let rsp = client
        .submit(submit, content.clone())
        .await
        .expect("submitted");
    assert_eq!(rsp.status.code, StatusCode::SUCCESS);
    let message_id = rsp.message.message_id.clone().expect("MessageID");
    assert_eq!(message_id, format!("msg-{}", rsp.transaction_id));
    let record = mmsc.last();
    check(&record, "SubmitReq", &rsp.transaction_id);
    assert_eq!(record.content, leaves(&content), "attachment bytes");

    let mut replace = ReplaceReq::default();
    replace.sender_identification = sender_id();
    replace.message_id = message_id.clone();
    replace.content = Some(ContentRef::cid("new"));
    let gif = vec![
        Part::new(
            "image/gif",
            Bytes::from_static(b"GIF89a\x01\x00\x01\x00\x00\xff\x00;"),
        )
        .with_content_id("new"),
    ];
    let rsp = client
        .replace_with(
            replace,
            gif.clone(),
            SendOptions::new().with_transaction_id("replace-1"),
        )
        .await
        .expect("replaced");
    assert_eq!(rsp.transaction_id, "replace-1");
    let record = mmsc.last();
    check(&record, "ReplaceReq", "replace-1");
    assert_eq!(record.content, leaves(&gif));

    let mut cancel = CancelReq::default();
    cancel.sender_identification = sender_id();
    cancel.message_id = message_id;
    let rsp = client.cancel(cancel).await.expect("cancelled");
    check(&mmsc.last(), "CancelReq", &rsp.transaction_id);
}

/// The MMSC's three callbacks against a VASP, checked on both sides.
async fn mmsc_callbacks(client: &Client, vasp: &Recorder, schema: SchemaId, version: &str) {
    let check = |record: &Record, operation: &str, tx: &str| {
        assert_eq!(record.operation, operation);
        assert_eq!(record.transaction_id, tx);
        assert_eq!(record.namespace, schema.namespace());
        assert_eq!(record.mm7_version, version);
        assert!(record.peer.is_some_and(|p| p.ip().is_loopback()));
    };
    let mut deliver = DeliverReq::new("", Address::number("15557654321"));
    deliver.recipients.to.push(Address::short_code("63901"));
    deliver.subject = Some("MO".into());
    deliver.content = Some(ContentRef::cid("mo"));
    let content = message_content("mo");
    let outcome = client.deliver(deliver, content.clone()).await;
    assert_eq!(outcome.tries, 1);
    let rsp = outcome.into_result().expect("delivered");
    let record = vasp.last();
    check(&record, "DeliverReq", &rsp.transaction_id);
    assert_eq!(record.content, leaves(&content), "attachment bytes");

    let report = DeliveryReportReq::new(
        "",
        "msg-1",
        Address::number("15551234567"),
        Address::short_code("63901"),
        date(),
        MmStatus::Retrieved,
    );
    let rsp = client
        .delivery_report(report)
        .await
        .into_result()
        .expect("reported");
    assert_eq!(rsp.status.code, StatusCode::SUCCESS);
    check(&vasp.last(), "DeliveryReportReq", &rsp.transaction_id);

    let read = ReadReplyReq::new(
        "",
        "msg-1",
        Address::number("15551234567"),
        Address::short_code("63901"),
        date(),
        MmStatus::Read,
    );
    let rsp = client
        .read_reply(read)
        .await
        .into_result()
        .expect("read reply");
    check(&vasp.last(), "ReadReplyReq", &rsp.transaction_id);
}

const VERSIONS: [(SchemaId, &str); 3] = [
    (SchemaId::Rel5Mm7_1_0, "5.3.0"),
    (SchemaId::Rel5Mm7_1_3, "5.3.0"),
    (SchemaId::Rel6Mm7_1_4, "6.8.0"),
];

#[tokio::test]
async fn every_operation_in_several_versions_over_http() {
    bounded(async {
        let (mmsc, vasp) = (Arc::new(Recorder::default()), Arc::new(Recorder::default()));
        let mmsc_server = start(Role::Mmsc, &mmsc, None).await;
        let vasp_server = start(Role::Vasp, &vasp, None).await;
        for (schema, version) in VERSIONS {
            let to_mmsc = Client::builder(&url(&mmsc_server, false))
                .schema(schema)
                .mm7_version(version)
                .build()
                .expect("client");
            vasp_operations(&to_mmsc, &mmsc, schema, version).await;
            let to_vasp = Client::builder(&url(&vasp_server, false))
                .schema(schema)
                .mm7_version(version)
                .build()
                .expect("client");
            mmsc_callbacks(&to_vasp, &vasp, schema, version).await;
        }
        assert_eq!(mmsc.records().len(), 9);
        assert_eq!(vasp.records().len(), 9);
        mmsc_server.shutdown().await.expect("shutdown");
        vasp_server.shutdown().await.expect("shutdown");
    })
    .await;
}

#[tokio::test]
async fn answers_echo_the_transaction_namespace_and_version() {
    bounded(async {
        let mmsc = Arc::new(Recorder::default());
        let server = start(Role::Mmsc, &mmsc, None).await;
        // A provider's https spelling of the namespace, and a version other than the schema's.
        let namespace =
            "https://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-5-MM7-1-3";
        let client = Client::builder(&url(&server, false))
            .namespace(namespace)
            .mm7_version("5.3.0")
            .build()
            .expect("client");
        let mut req = CancelReq::default();
        req.sender_identification = sender_id();
        req.message_id = "msg-9".into();
        let envelope = Envelope::new("echo-1", client.namespace().clone(), req);
        let answer = client.send(envelope).await.expect("an answer");
        assert_eq!(answer.transaction_id, "echo-1");
        assert_eq!(answer.namespace.uri(), namespace);
        assert_eq!(answer.mm7_version().map(|v| v.as_str()), Some("5.3.0"));
        assert!(matches!(answer.message, Message::CancelRsp(_)));
        server.shutdown().await.expect("shutdown");
    })
    .await;
}

#[tokio::test]
async fn server_errors_reach_the_client_typed() {
    bounded(async {
        let recorder = Arc::new(Recorder::default());
        let config = ServerConfig::new(Role::Mmsc).with_basic_auth("vasp", "s3cr@t");
        let server = Server::bind("127.0.0.1:0", config, recorder.clone())
            .await
            .expect("bind")
            .spawn();
        let mut req = SubmitReq::default();
        req.sender_identification = sender_id();
        req.recipients.to.push(Address::number("15551234567"));

        let anonymous = Client::new(&url(&server, false)).expect("client");
        let error = anonymous.submit(req.clone(), Vec::new()).await.unwrap_err();
        assert!(
            matches!(
                error,
                ClientError::Unauthorized {
                    challenge: Some(_),
                    credentials_sent: false
                }
            ),
            "{error:?}"
        );

        let userinfo = format!("http://vasp:s3cr%40t@{}/mm7", server.local_addr());
        let client = Client::new(&userinfo).expect("client");
        client
            .submit(req.clone(), Vec::new())
            .await
            .expect("authenticated");

        let mut refused = req.clone();
        refused.subject = Some("refuse me".into());
        match client.submit(refused, Vec::new()).await {
            Err(ClientError::Fault { fault, http_status }) => {
                assert_eq!(http_status, http::StatusCode::INTERNAL_SERVER_ERROR);
                assert!(matches!(
                    fault.detail,
                    Some(mm7_model::FaultDetail::RsErrorRsp(_))
                ));
                assert_eq!(
                    fault.status().map(|s| s.code),
                    Some(StatusCode::ADDRESS_ERROR)
                );
            }
            other => panic!("expected an RSErrorRsp Fault, got {other:?}"),
        }

        // A VASP serves no SubmitReq: 4003, in a VASPErrorRsp.
        let vasp = Server::bind("127.0.0.1:0", ServerConfig::new(Role::Vasp), NoOperations)
            .await
            .expect("bind")
            .spawn();
        let error = Client::new(&url(&vasp, false))
            .expect("client")
            .submit(req.clone(), Vec::new())
            .await
            .unwrap_err();
        match &error {
            ClientError::Fault { fault, .. } => {
                assert!(matches!(
                    fault.detail,
                    Some(mm7_model::FaultDetail::VaspErrorRsp(_))
                ));
            }
            other => panic!("expected a VASPErrorRsp Fault, got {other:?}"),
        }
        assert_eq!(error.status_code(), Some(StatusCode::UNSUPPORTED_OPERATION));
        server.shutdown().await.expect("shutdown");
        vasp.shutdown().await.expect("shutdown");
    })
    .await;
}

#[tokio::test]
async fn a_body_over_the_servers_limit_is_payload_too_large() {
    bounded(async {
        let recorder = Arc::new(Recorder::default());
        let server = start(Role::Mmsc, &recorder, None).await;
        let client = Client::new(&url(&server, false)).expect("client");
        let mut req = SubmitReq::default();
        req.sender_identification = sender_id();
        req.content = Some(ContentRef::cid("big"));
        req.recipients.to.push(Address::number("15551234567"));
        // Providers refuse bodies over 1 MiB; this one is over it by the envelope's size.
        let big = Part::new("image/jpeg", Bytes::from(vec![0xA5u8; 1024 * 1024 + 1]))
            .with_content_id("big");
        match client.submit(req, vec![big]).await {
            Err(ClientError::PayloadTooLarge { sent }) => assert!(sent > 1024 * 1024),
            other => panic!("expected 413, got {other:?}"),
        }
        assert!(recorder.records().is_empty(), "the handler never saw it");
        server.shutdown().await.expect("shutdown");
    })
    .await;
}

struct NoOperations;
impl Handler for NoOperations {}

#[tokio::test]
async fn every_operation_over_https_with_a_trusted_ca_and_a_pinned_certificate() {
    bounded(async {
        let pki = TestPki::new();
        let (mmsc, vasp) = (Arc::new(Recorder::default()), Arc::new(Recorder::default()));
        let mmsc_server = start(Role::Mmsc, &mmsc, Some(&pki)).await;
        let vasp_server = start(Role::Vasp, &vasp, Some(&pki)).await;
        let (schema, version) = (SchemaId::Rel6Mm7_1_4, "6.8.0");

        let trusting = Client::builder(&url(&mmsc_server, true))
            .system_roots(false)
            .add_root_certificate(pki.ca_pem.as_bytes())
            .build()
            .expect("client");
        vasp_operations(&trusting, &mmsc, schema, version).await;

        let pinning = Client::builder(&url(&vasp_server, true))
            .pin_certificate(pki.server_der.as_ref())
            .build()
            .expect("client");
        mmsc_callbacks(&pinning, &vasp, schema, version).await;

        // The same server, not trusted: no request reaches the handler.
        let untrusting = Client::builder(&url(&mmsc_server, true))
            .system_roots(false)
            .build()
            .expect("client");
        let before = mmsc.records().len();
        let error = untrusting
            .cancel({
                let mut msg_ = CancelReq::default();
                msg_.sender_identification = sender_id();
                msg_.message_id = "msg-1".into();
                msg_
            })
            .await
            .unwrap_err();
        assert!(matches!(error, ClientError::Tls { .. }), "{error:?}");
        assert_eq!(mmsc.records().len(), before);
        mmsc_server.shutdown().await.expect("shutdown");
        vasp_server.shutdown().await.expect("shutdown");
    })
    .await;
}

/// Counts every TransactionID the handler accepted and the connections they came over.
#[derive(Default)]
struct Counter {
    seen: Mutex<HashMap<String, u32>>,
    peers: Mutex<HashSet<SocketAddr>>,
}

impl Handler for Counter {
    async fn submit(&self, inbound: Inbound<SubmitReq>) -> HandlerResult<SubmitRsp> {
        *self
            .seen
            .lock()
            .expect("not poisoned")
            .entry(inbound.transaction_id.clone())
            .or_default() += 1;
        if let Some(peer) = inbound.peer {
            self.peers.lock().expect("not poisoned").insert(peer);
        }
        Ok(SubmitRsp::success(
            inbound.mm7_version,
            inbound.transaction_id,
        ))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_submits_over_a_few_connections() {
    bounded(async {
        let counter = Arc::new(Counter::default());
        let server = Server::bind(
            "127.0.0.1:0",
            ServerConfig::new(Role::Mmsc),
            counter.clone(),
        )
        .await
        .expect("bind")
        .spawn();
        // Four clients of at most two connections each.
        let clients: Vec<Client> = (0..4)
            .map(|_| {
                Client::builder(&url(&server, false))
                    .max_connections(2)
                    .build()
                    .expect("client")
            })
            .collect();
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..1000 {
            let client = clients[i % clients.len()].clone();
            tasks.spawn(async move {
                let mut req = SubmitReq::default();
                req.sender_identification = sender_id();
                req.recipients
                    .to
                    .push(Address::number(format!("1555{i:07}")));
                client.submit(req, Vec::new()).await
            });
        }
        let mut accepted = HashSet::new();
        let mut failures = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            match joined.expect("task") {
                Ok(rsp) => {
                    // The MMSC's MessageID is the TransactionID it saw.
                    assert_eq!(
                        rsp.message.message_id.as_deref(),
                        Some(rsp.transaction_id.as_str())
                    );
                    assert!(accepted.insert(rsp.transaction_id), "a TransactionID twice");
                }
                Err(e) => failures.push(e),
            }
        }
        assert!(
            failures.is_empty(),
            "{} failed, first: {:?}",
            failures.len(),
            failures.first()
        );
        let seen = counter.seen.lock().expect("not poisoned").clone();
        assert_eq!(accepted.len(), 1000);
        assert_eq!(
            seen.len(),
            accepted.len(),
            "the server's count is the client's"
        );
        assert!(seen.values().all(|&n| n == 1), "none duplicated");
        assert!(accepted.iter().all(|tx| seen.contains_key(tx)), "none lost");
        let connections = counter.peers.lock().expect("not poisoned").len();
        assert!((1..=8).contains(&connections), "{connections} connections");
        server.shutdown().await.expect("shutdown");
    })
    .await;
}

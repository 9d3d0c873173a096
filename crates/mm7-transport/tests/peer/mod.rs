//! A scripted MM7 peer over bare hyper, for the client's tests: it records every request and
//! answers what the test's script says, including nothing at all.
#![allow(dead_code)] // Each test binary uses a different part of it.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, Uri};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use mm7_model::{Envelope, Message, SchemaId};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;

/// Every test is bounded: a hang is a failure, not a stuck CI run.
pub(crate) async fn bounded<F: Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(20), f)
        .await
        .expect("the test did not finish within 20 s")
}

/// A request as the peer received it.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The request decoded with the project's codec, when it decodes.
    pub envelope: Option<Envelope>,
    /// Which accepted connection carried it (0 for the first).
    pub connection: usize,
}

impl Seen {
    pub(crate) fn transaction_id(&self) -> String {
        self.envelope
            .as_ref()
            .map(|e| e.transaction_id.clone())
            .unwrap_or_default()
    }

    pub(crate) fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    }
}

/// What the peer does with a request.
pub(crate) enum Reply {
    Answer {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    },
    /// Never answers (the connection stays open).
    Hang,
}

impl Reply {
    pub(crate) fn xml(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Answer {
            status,
            headers: vec![("content-type", "text/xml; charset=utf-8".into())],
            body: body.into(),
        }
    }

    pub(crate) fn plain(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Answer {
            status,
            headers: vec![("content-type", content_type.to_string())],
            body: body.into(),
        }
    }

    /// HTTP 200 with `message` for TransactionID `tx`, encoded by the project's codec in the
    /// newest schema.
    pub(crate) fn mm7(tx: &str, message: impl Into<Message>) -> Reply {
        Reply::mm7_status(200, tx, message)
    }

    pub(crate) fn mm7_status(status: u16, tx: &str, message: impl Into<Message>) -> Reply {
        let envelope = Envelope::new(tx, SchemaId::NEWEST, message);
        let xml = mm7_soap::encode_xml(&envelope, &Default::default()).expect("encodable");
        Reply::xml(status, xml)
    }

    pub(crate) fn with_header(mut self, name: &'static str, value: &str) -> Reply {
        if let Reply::Answer { headers, .. } = &mut self {
            headers.push((name, value.to_string()));
        }
        self
    }
}

type Script = dyn Fn(usize, &Seen) -> Reply + Send + Sync;

/// A running peer on 127.0.0.1.
pub(crate) struct Peer {
    pub addr: SocketAddr,
    pub scheme: &'static str,
    seen: Arc<Mutex<Vec<Seen>>>,
    connections: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Peer {
    /// A plain-HTTP peer; `script` gets the request's index (0 for the first) and the request.
    pub(crate) async fn start(
        script: impl Fn(usize, &Seen) -> Reply + Send + Sync + 'static,
    ) -> Peer {
        Peer::spawn(None, Arc::new(script)).await
    }

    /// An HTTPS peer with `tls`.
    pub(crate) async fn start_tls(
        tls: Arc<rustls::ServerConfig>,
        script: impl Fn(usize, &Seen) -> Reply + Send + Sync + 'static,
    ) -> Peer {
        Peer::spawn(Some(tokio_rustls::TlsAcceptor::from(tls)), Arc::new(script)).await
    }

    async fn spawn(tls: Option<tokio_rustls::TlsAcceptor>, script: Arc<Script>) -> Peer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local address");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let (seen2, connections2) = (seen.clone(), connections.clone());
        let scheme = if tls.is_some() { "https" } else { "http" };
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let connection = connections2.fetch_add(1, Ordering::SeqCst);
                let (seen, script, tls) = (seen2.clone(), script.clone(), tls.clone());
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        handle(req, connection, seen.clone(), script.clone())
                    });
                    let builder = hyper::server::conn::http1::Builder::new();
                    match tls {
                        Some(acceptor) => {
                            if let Ok(stream) = acceptor.accept(stream).await {
                                let _ = builder
                                    .serve_connection(TokioIo::new(stream), service)
                                    .await;
                            }
                        }
                        None => {
                            let _ = builder
                                .serve_connection(TokioIo::new(stream), service)
                                .await;
                        }
                    }
                });
            }
        });
        Peer {
            addr,
            scheme,
            seen,
            connections,
            task,
        }
    }

    /// The endpoint URL, `<scheme>://127.0.0.1:<port>/mm7`.
    pub(crate) fn url(&self) -> String {
        format!("{}://{}/mm7", self.scheme, self.addr)
    }

    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("not poisoned").clone()
    }

    pub(crate) fn requests(&self) -> usize {
        self.seen.lock().expect("not poisoned").len()
    }

    pub(crate) fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

async fn handle(
    req: http::Request<Incoming>,
    connection: usize,
    seen: Arc<Mutex<Vec<Seen>>>,
    script: Arc<Script>,
) -> Result<http::Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    let content_type = parts
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let envelope = mm7_soap::decode(&content_type, body.clone(), &Default::default())
        .ok()
        .map(|d| d.envelope);
    let request = Seen {
        method: parts.method,
        uri: parts.uri,
        headers: parts.headers,
        body,
        envelope,
        connection,
    };
    let index = {
        let mut seen = seen.lock().expect("not poisoned");
        seen.push(request.clone());
        seen.len() - 1
    };
    match script(index, &request) {
        Reply::Answer {
            status,
            headers,
            body,
        } => {
            let mut response = http::Response::builder().status(status);
            for (name, value) in headers {
                response = response.header(name, value);
            }
            Ok(response
                .body(Full::new(Bytes::from(body)))
                .expect("valid response"))
        }
        Reply::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Ok(http::Response::new(Full::new(Bytes::new())))
        }
    }
}

/// A test PKI: a CA and a server certificate it signed for 127.0.0.1 and localhost.
pub(crate) struct TestPki {
    pub ca_pem: String,
    pub ca_der: CertificateDer<'static>,
    pub server_der: CertificateDer<'static>,
    pub server_key_der: Vec<u8>,
}

impl TestPki {
    pub(crate) fn new() -> TestPki {
        let ca_key = rcgen::KeyPair::generate().expect("CA key");
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "mm7 test CA");
        let ca_cert = ca_params.self_signed(&ca_key).expect("CA certificate");
        let issuer = rcgen::Issuer::new(ca_params, ca_key);
        let server_key = rcgen::KeyPair::generate().expect("server key");
        let server_cert =
            rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
                .expect("params")
                .signed_by(&server_key, &issuer)
                .expect("server certificate");
        TestPki {
            ca_pem: ca_cert.pem(),
            ca_der: ca_cert.der().clone(),
            server_der: server_cert.der().clone(),
            server_key_der: server_key.serialize_der(),
        }
    }

    /// A rustls server configuration presenting the server certificate.
    pub(crate) fn server_config(&self) -> Arc<rustls::ServerConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![self.server_der.clone()],
                PrivateKeyDer::Pkcs8(self.server_key_der.clone().into()),
            )
            .expect("server certificate and key");
        Arc::new(config)
    }
}

//! Serving `mm7_transport::server::Mm7Service` on a listener while keeping a copy of each
//! request as it arrived.
//!
//! The mock MMSC and VASP store "the raw request", byte for byte, which the transport's
//! handler interface (typed, decoded requests) does not carry. So each connection here runs
//! hyper with a service that records the request line and headers, wraps the body so that
//! every byte the transport reads is copied, and tags the request with a header naming the
//! copy; the handler then takes the copy by that tag. Authentication, limits, decoding and
//! answers stay the transport's.
//!
//! What the two mock servers share besides is here too: their listening settings, their
//! start (store, bind, serve), and the keeping of each request they receive.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Request};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use mm7_transport::server::{
    Handler, HandlerError, HandlerResult, Inbound, Mm7Body, Mm7Service, Role, ServerConfig,
};
use tokio::net::TcpListener;

use crate::error::CliError;
use crate::store::{Received, Store, Stored};

/// The header that tags a request with its copy.
pub(crate) const CAPTURE_HEADER: &str = "x-mm7-capture";

/// How long a client may take to send its request headers.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// At most this many connections are served at once; more wait in the listen backlog.
const MAX_CONNECTIONS: usize = 256;

/// The copies of the requests in flight.
#[derive(Debug, Default)]
pub(crate) struct Captures {
    next: AtomicU64,
    map: Mutex<HashMap<u64, Capture>>,
}

#[derive(Debug)]
struct Capture {
    head: String,
    body: Arc<Mutex<Vec<u8>>>,
}

impl Captures {
    /// Takes the copy of the request whose headers are `headers`: the request line and
    /// headers as text (credentials masked), a blank line, and the body bytes.
    pub(crate) fn take(&self, headers: &HeaderMap) -> Option<Vec<u8>> {
        let id: u64 = headers.get(CAPTURE_HEADER)?.to_str().ok()?.parse().ok()?;
        let capture = self
            .map
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&id)?;
        let body = capture.body.lock().unwrap_or_else(PoisonError::into_inner);
        let mut raw = Vec::with_capacity(capture.head.len() + body.len());
        raw.extend_from_slice(capture.head.as_bytes());
        raw.extend_from_slice(&body);
        Some(raw)
    }

    fn insert(&self, head: String, body: Arc<Mutex<Vec<u8>>>) -> u64 {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.map
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, Capture { head, body });
        id
    }

    fn forget(&self, id: u64) {
        self.map
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&id);
    }
}

/// The options of a mock server besides its address and limit: credentials and store.
#[derive(Debug, clap::Args)]
pub(crate) struct ServerArgs {
    /// Requires HTTP Basic authentication with this user name.
    #[arg(long, value_name = "USER", requires = "password")]
    user: Option<String>,
    /// …and this password.
    #[arg(long, value_name = "PASSWORD", requires = "user")]
    password: Option<String>,
    /// Where to store the received messages.
    #[arg(long, value_name = "DIR")]
    store: Option<PathBuf>,
}

impl ServerArgs {
    /// The settings of a server listening on `listen` with these options.
    pub(crate) fn settings(&self, listen: &str, body_limit: usize) -> ServerSettings {
        ServerSettings {
            listen: listen.to_owned(),
            credentials: self.user.clone().zip(self.password.clone()),
            store: self.store.clone(),
            body_limit,
        }
    }
}

/// Where and how a mock server listens, whatever started it.
#[derive(Debug, Clone)]
pub(crate) struct ServerSettings {
    /// The address to listen on (port 0 picks a free one).
    pub(crate) listen: String,
    /// The HTTP Basic user name and password required, if any.
    pub(crate) credentials: Option<(String, String)>,
    /// Where to store the received messages (default: in the user's data directory).
    pub(crate) store: Option<PathBuf>,
    /// The largest request accepted, in bytes.
    pub(crate) body_limit: usize,
}

impl ServerSettings {
    /// The transport's configuration for `role`, with the body limit.
    pub(crate) fn config(&self, role: Role) -> ServerConfig {
        ServerConfig::new(role).with_body_limit(self.body_limit)
    }
}

/// A started mock server.
#[derive(Debug)]
pub(crate) struct Running {
    pub(crate) addr: SocketAddr,
    pub(crate) store: PathBuf,
}

/// How a handler keeps what it receives: the store, and the copies of the requests as they
/// arrived.
pub(crate) struct Keeper {
    store: Store,
    captures: Arc<Captures>,
}

impl Keeper {
    /// Stores a request with the copy of its bytes.
    pub(crate) fn keep<T: Clone + Into<mm7_model::Message>>(
        &self,
        inbound: &Inbound<T>,
    ) -> HandlerResult<Stored> {
        let raw = self.captures.take(&inbound.headers);
        let received = Received {
            transaction_id: &inbound.transaction_id,
            namespace: &inbound.namespace,
            message: inbound.request.clone().into(),
            attachments: &inbound.attachments,
            warnings: &inbound.warnings,
        };
        // No success is promised for a message that was not kept.
        self.store
            .save(received, raw.as_deref())
            .map_err(|e| HandlerError::server_error(format!("cannot store the message: {e}")))
    }
}

/// Opens the store (`mm7/<name>` in the user's data directory unless the settings name one),
/// binds, and serves on a task of the current runtime the handler `make` builds over the
/// store, under `config` with the settings' credentials.
pub(crate) async fn start<H: Handler>(
    name: &str,
    settings: &ServerSettings,
    config: ServerConfig,
    make: impl FnOnce(Keeper) -> H,
) -> Result<Running, CliError> {
    let store = Store::open(settings.store.as_deref(), name)?;
    let cannot_listen =
        |e: std::io::Error| CliError::Local(format!("cannot listen on {}: {e}", settings.listen));
    let listener = TcpListener::bind(&settings.listen)
        .await
        .map_err(cannot_listen)?;
    let addr = listener.local_addr().map_err(cannot_listen)?;
    let mut config = config;
    if let Some((user, password)) = &settings.credentials {
        config = config.with_basic_auth(user.clone(), password.clone());
    }
    let root = store.root().to_owned();
    let captures = Arc::new(Captures::default());
    let handler = make(Keeper {
        store,
        captures: Arc::clone(&captures),
    });
    tokio::spawn(serve(listener, Mm7Service::new(config, handler), captures));
    Ok(Running { addr, store: root })
}

/// Runs `mm7 <name>` until the process is stopped: starts it, then says on standard error
/// where it listens (at `path`) and stores.
pub(crate) fn run_until_stopped(
    name: &str,
    path: &str,
    start: impl Future<Output = Result<Running, CliError>>,
) -> Result<(), CliError> {
    crate::runtime()?.block_on(async move {
        let running = start.await?;
        crate::io::stderr_line(&format!(
            "mm7 {name} listening on http://{}{path} (store: {})",
            running.addr,
            running.store.display()
        ));
        std::future::pending::<()>().await;
        Ok(())
    })
}

/// The request line and headers as an HTTP capture, with the credentials of an
/// `Authorization` header masked (the store must not keep passwords).
fn head_text<B>(request: &Request<B>) -> String {
    let mut head = format!(
        "{} {} {:?}\r\n",
        request.method(),
        request.uri(),
        request.version()
    );
    for (name, value) in request.headers() {
        let value = if name == http::header::AUTHORIZATION {
            let scheme = value
                .to_str()
                .ok()
                .and_then(|v| v.split_whitespace().next())
                .unwrap_or("");
            format!("{scheme} ********")
        } else {
            String::from_utf8_lossy(value.as_bytes()).into_owned()
        };
        head.push_str(name.as_str());
        head.push_str(": ");
        head.push_str(&value);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    head
}

/// A body that copies what is read from it, up to a limit (past which the transport refuses
/// the request anyway).
struct Tee {
    inner: Incoming,
    sink: Arc<Mutex<Vec<u8>>>,
    limit: usize,
}

impl Body for Tee {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let this = &mut *self;
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled
            && let Some(data) = frame.data_ref()
        {
            let mut sink = this.sink.lock().unwrap_or_else(PoisonError::into_inner);
            if sink.len().saturating_add(data.len()) <= this.limit {
                sink.extend_from_slice(data);
            }
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Serves `service` on `listener` until the process ends.
pub(crate) async fn serve<H: Handler>(
    listener: TcpListener,
    service: Mm7Service<H>,
    captures: Arc<Captures>,
) {
    let permits = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let limit = service.config().body_limit();
    loop {
        let Ok(permit) = Arc::clone(&permits).acquire_owned().await else {
            return;
        };
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(_) => {
                // Out of descriptors or a connection reset before accept: the listener is
                // fine, so pause and go on.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let service = service.with_peer(peer);
        let captures = Arc::clone(&captures);
        tokio::spawn(async move {
            let _permit = permit;
            let handler = service_fn(move |request: Request<Incoming>| {
                answer(request, service.clone(), Arc::clone(&captures), limit, peer)
            });
            let mut http = http1::Builder::new();
            http.timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT);
            // A connection that fails (reset, timeout) affects only its own client.
            let _ = http.serve_connection(TokioIo::new(stream), handler).await;
        });
    }
}

async fn answer<H: Handler>(
    request: Request<Incoming>,
    service: Mm7Service<H>,
    captures: Arc<Captures>,
    limit: usize,
    peer: SocketAddr,
) -> Result<http::Response<Mm7Body>, Infallible> {
    let head = head_text(&request);
    let sink = Arc::new(Mutex::new(Vec::new()));
    let id = captures.insert(head, Arc::clone(&sink));
    let (mut parts, body) = request.into_parts();
    parts.headers.insert(CAPTURE_HEADER, HeaderValue::from(id));
    parts.extensions.insert(peer);
    let request = Request::from_parts(
        parts,
        Tee {
            inner: body,
            sink,
            limit,
        },
    );
    let response = service.answer(request).await;
    captures.forget(id);
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_head_masks_credentials() {
        let request = Request::post("/mm7")
            .header("Content-Type", "text/xml")
            .header("Authorization", "Basic dmFzcDpzM2NyZXQ=")
            .body(())
            .unwrap();
        let head = head_text(&request);
        assert!(head.starts_with("POST /mm7 HTTP/1.1\r\n"), "{head}");
        assert!(head.contains("content-type: text/xml\r\n"), "{head}");
        assert!(head.contains("authorization: Basic ********\r\n"), "{head}");
        assert!(!head.contains("dmFzcDpzM2NyZXQ="));
        assert!(head.ends_with("\r\n\r\n"));
    }

    #[test]
    fn captures_are_taken_once_by_their_tag() {
        let captures = Captures::default();
        let body = Arc::new(Mutex::new(b"<x/>".to_vec()));
        let id = captures.insert("POST / HTTP/1.1\r\n\r\n".into(), body);
        let mut headers = HeaderMap::new();
        headers.insert(CAPTURE_HEADER, HeaderValue::from(id));
        assert_eq!(
            captures.take(&headers).as_deref(),
            Some(&b"POST / HTTP/1.1\r\n\r\n<x/>"[..])
        );
        assert!(captures.take(&headers).is_none());
        assert!(captures.take(&HeaderMap::new()).is_none());
    }
}

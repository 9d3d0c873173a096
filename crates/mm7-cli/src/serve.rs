//! What the two mock servers share: their options, their start (store, TLS, bind, serve on the
//! transport's `Server`), their stop (SIGINT/SIGTERM: graceful, exit 0), the line printed
//! for every answer they give, and the keeping of each request in the store before it is
//! acknowledged.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use mm7_model::{Envelope, Message, Part, PartBody, StatusCode};
use mm7_soap::Decoded;
use mm7_store::{Accepted, NewMessage, NewOutbox, NewPart, Store, StoreError, StoreOptions};
use mm7_transport::server::{
    Answered, Handler, HandlerError, HandlerResult, Inbound, IpRange, Role, RunningServer, Server,
    ServerConfig, tls,
};
use serde_json::{Value, json};

use crate::error::CliError;
use crate::events::Events;

/// The options of a mock server besides its address and body limit.
#[derive(Debug, clap::Args)]
pub(crate) struct ServerArgs {
    /// Requires HTTP Basic authentication with this user name.
    #[arg(long, value_name = "USER", requires = "password")]
    user: Option<String>,
    /// …and this password.
    #[arg(long, value_name = "PASSWORD", requires = "user")]
    password: Option<String>,
    /// The store folder (holds the SQLite database mm7.sqlite3).
    #[arg(long, value_name = "DIR")]
    store: Option<PathBuf>,
    /// Serves HTTPS with this PEM certificate chain (the server's certificate first).
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// …and this PEM private key.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// A request repeating a (user, TransactionID) seen this recently is a retry: it gets the
    /// first answer again and nothing new is stored (0 turns this off).
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = crate::opts::parse_duration)]
    retry_window: Duration,
    /// The most outbox rows (callbacks to send) pending at once; past it, requests that would
    /// add one are refused with 4006.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    max_pending: u64,
    /// How long a client may take to send its request headers (idle connections close then).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = crate::opts::parse_duration)]
    header_timeout: Duration,
    /// The most connections one IP address may hold at once.
    #[arg(long, value_name = "N", default_value_t = 256)]
    max_connections_per_peer: usize,
    /// The most connections held at once, all peers together (keep it below `ulimit -n`);
    /// past it, new connections wait in the kernel's backlog.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_CONNECTIONS)]
    max_connections: usize,
    /// Answers only these addresses (CIDR, e.g. 10.0.0.0/8 or 192.0.2.7; repeatable); any
    /// other gets 403. Without it, every address.
    #[arg(long, value_name = "CIDR")]
    allow: Vec<IpRange>,
    /// How long a request may take to arrive whole, headers and body (408 after it).
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = crate::opts::parse_duration)]
    request_timeout: Duration,
    /// Where the web inbox and its JSON API (`/api/v1/`) answer, with the same Basic
    /// credentials as the MM7 port [default: 127.0.0.1:8025 for `mmsc`, 127.0.0.1:8026 for
    /// `vasp`; `off` turns it off]
    #[arg(long, value_name = "ADDR", env = "MM7_UI")]
    ui: Option<String>,
    /// Serves no web inbox (the same as `--ui off`).
    #[arg(long)]
    no_ui: bool,
}

/// The most connections a mock server holds at once by default: room for thousands of idle
/// ones, which the header timeout closes, beside the ones that send requests.
const DEFAULT_MAX_CONNECTIONS: usize = 4096;

impl ServerArgs {
    /// The settings of a server listening on `listen` with these options, its inbox on
    /// `default_ui` unless told otherwise.
    pub(crate) fn settings(
        &self,
        listen: &str,
        body_limit: usize,
        default_ui: &str,
    ) -> ServerSettings {
        let ui = match self.ui.as_deref() {
            _ if self.no_ui => None,
            Some(off) if off.eq_ignore_ascii_case("off") => None,
            Some(listen) => Some(listen.to_owned()),
            None => Some(default_ui.to_owned()),
        };
        ServerSettings {
            listen: listen.to_owned(),
            credentials: self.user.clone().zip(self.password.clone()),
            store: self.store.clone(),
            body_limit,
            tls: self.tls_cert.clone().zip(self.tls_key.clone()),
            store_options: StoreOptions::default()
                .with_retry_window(self.retry_window)
                .with_max_pending(self.max_pending),
            header_timeout: self.header_timeout,
            max_connections_per_peer: self.max_connections_per_peer,
            max_connections: self.max_connections,
            allow: self.allow.clone(),
            request_timeout: self.request_timeout,
            ui,
            ui_vasp_url: None,
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
    /// The store folder (default: in the user's data directory).
    pub(crate) store: Option<PathBuf>,
    /// The largest request accepted, in bytes.
    pub(crate) body_limit: usize,
    /// The PEM certificate chain and key, for HTTPS.
    pub(crate) tls: Option<(PathBuf, PathBuf)>,
    /// The store's retry window and outbox bound.
    pub(crate) store_options: StoreOptions,
    /// How long a client may take to send its request headers.
    pub(crate) header_timeout: Duration,
    /// The most connections one IP address may hold.
    pub(crate) max_connections_per_peer: usize,
    /// The most connections held at once.
    pub(crate) max_connections: usize,
    /// The addresses answered (empty: every one).
    pub(crate) allow: Vec<IpRange>,
    /// How long a request may take to arrive whole.
    pub(crate) request_timeout: Duration,
    /// Where to serve the web inbox, if anywhere.
    pub(crate) ui: Option<String>,
    /// Where the inbox sends MO replies to a message that caused no callback (the mock MMSC's
    /// `--callback-url`).
    pub(crate) ui_vasp_url: Option<String>,
}

impl ServerSettings {
    /// Plain HTTP on `listen`, storing in `store`, with the defaults of the options.
    pub(crate) fn new(listen: &str, store: PathBuf) -> ServerSettings {
        ServerSettings {
            listen: listen.to_owned(),
            credentials: None,
            store: Some(store),
            body_limit: mm7_transport::server::DEFAULT_BODY_LIMIT,
            tls: None,
            store_options: StoreOptions::default(),
            header_timeout: Duration::from_secs(10),
            max_connections_per_peer: 256,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            allow: Vec::new(),
            request_timeout: Duration::from_secs(60),
            ui: None,
            ui_vasp_url: None,
        }
    }

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
    pub(crate) scheme: &'static str,
    /// Where the web inbox answers, if it was asked for.
    pub(crate) ui: Option<SocketAddr>,
    server: RunningServer,
}

impl Running {
    /// Stops accepting, finishes the requests in flight (for at most the shutdown timeout).
    pub(crate) async fn stop(self) {
        if self.server.shutdown().await.is_err() {
            tracing::error!("the server task ended abnormally");
        }
    }
}

/// How a handler keeps what it receives: the store, committed before the answer.
#[derive(Debug, Clone)]
pub(crate) struct Keeper {
    pub(crate) store: Store,
    events: Events,
}

/// A request kept: its row, and what `mm7 decode` prints for it.
pub(crate) struct Kept {
    pub(crate) accepted: Accepted,
    pub(crate) report: Value,
}

impl Keeper {
    /// Commits a request, with the MessageID it gets, the outbox rows it causes and parts
    /// of the server's own (`extra`), before it is answered. A retry of a request accepted
    /// within the window stores nothing and returns the first one.
    ///
    /// # Errors
    /// 4006 when the outbox is full; 3000 with a generic text when the store fails (the
    /// detail goes to the log and standard error, never to the peer).
    pub(crate) async fn keep<T: Clone + Into<Message>>(
        &self,
        inbound: &Inbound<T>,
        message_id: Option<String>,
        outbox: Vec<NewOutbox>,
        extra: Vec<NewPart>,
    ) -> HandlerResult<Kept> {
        let decoded = Decoded::new(
            Envelope {
                transaction_id: inbound.transaction_id.clone(),
                namespace: inbound.namespace.clone(),
                message: inbound.request.clone().into(),
                attachments: inbound.attachments.clone(),
            },
            inbound.warnings.clone(),
        );
        let report = mm7::json::report(&decoded);
        let client = inbound
            .user
            .clone()
            .or_else(|| inbound.peer.map(|p| p.ip().to_string()))
            .unwrap_or_default();
        let mut message = NewMessage::new(
            decoded.envelope.message.operation_name(),
            inbound.transaction_id.clone(),
            client,
        );
        message.peer = inbound.peer.map(|p| p.to_string());
        message.message_id = message_id;
        message.request_head = inbound.raw_head.clone().into_bytes();
        message.request_body = inbound.raw_body.clone();
        message.view = report.clone();
        message.parts = parts(&decoded.envelope.attachments);
        message.parts.extend(extra);
        message.outbox = outbox;
        match self.store.accept(message).await {
            Ok(accepted) => Ok(Kept { accepted, report }),
            Err(StoreError::OutboxFull { pending, limit }) => {
                self.events.emit(
                    &format!(
                        "{} refused: the outbox is full ({pending} pending, limit {limit}): 4006",
                        inbound.transaction_id
                    ),
                    json!({"event": "OutboxFull", "transaction_id": inbound.transaction_id,
                           "pending": pending, "limit": limit}),
                );
                Err(HandlerError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "too many callbacks pending; try again later",
                ))
            }
            Err(error) => {
                tracing::error!(%error, transaction_id = %inbound.transaction_id, "cannot store a request");
                self.events.emit(
                    &format!(
                        "{} not stored, answered 3000: {error}",
                        inbound.transaction_id
                    ),
                    json!({"event": "StoreFailed", "transaction_id": inbound.transaction_id,
                           "error": error.to_string(), "disk_full": error.is_disk_full()}),
                );
                Err(HandlerError::server_error(
                    "the message could not be stored",
                ))
            }
        }
    }
}

/// The leaf parts with data, as the store's files (`NN-NAME`).
fn parts(attachments: &[Part]) -> Vec<NewPart> {
    attachments
        .iter()
        .flat_map(Part::leaves)
        .enumerate()
        .filter_map(|(index, leaf)| {
            let PartBody::Data(data) = &leaf.body else {
                return None;
            };
            let mut part = NewPart::new(
                crate::decode::attachment_file_name(index, leaf),
                leaf.media_type().to_string(),
                data.clone(),
            );
            part.content_id = leaf.content_id.clone();
            Some(part)
        })
        .collect()
}

/// The readable line and JSON object of an answer.
pub(crate) fn answered_event(answered: &Answered) -> (String, Value) {
    let peer = answered
        .peer
        .map_or_else(|| "-".to_owned(), |p| p.to_string());
    let what = match (&answered.operation, &answered.transaction_id) {
        (Some(op), Some(tx)) => format!("{op} {tx}"),
        (Some(op), None) => op.clone(),
        (None, Some(tx)) => tx.clone(),
        (None, None) => "request".to_owned(),
    };
    let mm7 = answered
        .mm7_status
        .map(|c| format!(", MM7 {c}"))
        .unwrap_or_default();
    let human = format!(
        "{peer} {what} → HTTP {}{mm7}: {}",
        answered.http_status, answered.reason
    );
    let value = json!({
        "event": "Answered",
        "peer": answered.peer.map(|p| p.to_string()),
        "operation": answered.operation,
        "transaction_id": answered.transaction_id,
        "http_status": answered.http_status,
        "mm7_status": answered.mm7_status,
        "reason": answered.reason,
        "duration_ms": u64::try_from(answered.duration.as_millis()).unwrap_or(u64::MAX),
    });
    (human, value)
}

/// Opens the store (`mm7/<name>` in the user's data directory unless the settings name one),
/// binds, and serves on a task of the current runtime the handler `make` builds over the
/// store, under `config` with the settings' credentials, TLS and limits.
pub(crate) async fn start<H: Handler>(
    name: &str,
    settings: &ServerSettings,
    config: ServerConfig,
    events: &Events,
    make: impl FnOnce(Keeper) -> H,
) -> Result<Running, CliError> {
    let root = settings
        .store
        .clone()
        .unwrap_or_else(|| crate::io::data_dir().join(name));
    let store = {
        let root = root.clone();
        let options = settings.store_options.clone();
        tokio::task::spawn_blocking(move || Store::open(&root, options))
            .await
            .map_err(|e| CliError::Local(format!("cannot open the store: {e}")))?
            .map_err(|e| CliError::Local(e.to_string()))?
    };
    let mut config = config
        .with_header_read_timeout(settings.header_timeout)
        .with_max_connections_per_peer(settings.max_connections_per_peer)
        .with_max_connections(settings.max_connections)
        .with_request_timeout(settings.request_timeout)
        .with_shutdown_timeout(Duration::from_secs(10));
    for range in &settings.allow {
        config = config.with_allowed(*range);
    }
    if let Some((user, password)) = &settings.credentials {
        config = config.with_basic_auth(user.clone(), password.clone());
    }
    if let Some((cert, key)) = &settings.tls {
        let read = |path: &PathBuf| {
            std::fs::read(path).map_err(|e| CliError::Read {
                path: path.clone(),
                source: e,
            })
        };
        let tls = tls::server_config(&read(cert)?, &read(key)?)
            .map_err(|e| CliError::Input(format!("--tls-cert/--tls-key: {e}")))?;
        config = config.with_tls(tls);
    }
    let observer = events.clone();
    config = config.with_observer(move |answered| {
        let (human, value) = answered_event(answered);
        observer.emit(&human, value);
    });
    let handler = make(Keeper {
        store,
        events: events.clone(),
    });
    let server = Server::bind(&settings.listen, config, handler)
        .await
        .map_err(|e| CliError::Local(format!("cannot listen on {}: {e}", settings.listen)))?;
    let addr = server.local_addr();
    let ui = match &settings.ui {
        Some(listen) => Some(
            crate::ui::start(
                listen,
                root.clone(),
                settings.credentials.clone(),
                settings.ui_vasp_url.clone(),
            )
            .await?,
        ),
        None => None,
    };
    Ok(Running {
        addr,
        ui,
        store: root,
        scheme: if settings.tls.is_some() {
            "https"
        } else {
            "http"
        },
        server: server.spawn(),
    })
}

/// Runs `mm7 <name>` until SIGINT or SIGTERM: starts it, says on standard error where it
/// listens (at `path`) and stores, then on the signal stops accepting, finishes the requests
/// in flight, and returns (exit 0).
pub(crate) fn run_until_stopped(
    name: &str,
    path: &str,
    start: impl Future<Output = Result<Running, CliError>>,
) -> Result<(), CliError> {
    crate::runtime()?.block_on(async move {
        // Under a file size limit (`ulimit -f`), writing past it raises SIGXFSZ, whose default
        // is to end the process: listening for it turns that into a write error, answered
        // 3000 like a full disk.
        #[cfg(target_os = "linux")]
        let _file_size = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::from_raw(25));
        let running = start.await?;
        crate::io::stderr_line(&format!(
            "mm7 {name} listening on {}://{}{path} (store: {}; `mm7 store list {}`)",
            running.scheme,
            running.addr,
            running.store.display(),
            running.store.display()
        ));
        if let Some(ui) = running.ui {
            crate::io::stderr_line(&format!("mm7 {name} inbox: {}", crate::ui::url(ui)));
        }
        stopped().await;
        crate::io::stderr_line(&format!(
            "mm7 {name} stopping: finishing the requests in flight"
        ));
        running.stop().await;
        Ok(())
    })
}

/// Completes on SIGINT or SIGTERM.
pub(crate) async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// A URL without its user information, and the user name and password it carried.
pub(crate) fn split_credentials(url: &str) -> (String, Option<(String, String)>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_owned(), None);
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return (url.to_owned(), None);
    };
    let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
    (
        format!("{scheme}://{host}{path}"),
        Some((percent_decode(user), percent_decode(password))),
    )
}

/// `%XX` escapes undone (RFC 3986 §2.1); bytes that are not UTF-8 replaced.
fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_split_from_urls_and_decoded() {
        assert_eq!(
            split_credentials("http://u%40x:p%3Aw@h/"),
            (
                "http://h/".to_owned(),
                Some(("u@x".to_owned(), "p:w".to_owned()))
            )
        );
    }
}

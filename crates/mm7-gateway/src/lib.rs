//! # mm7-gateway
//!
//! An MM7 gateway: applications that are not written in Rust, and do not want SOAP, send and
//! receive MMS over a small JSON API. The gateway queues each message durably before it
//! answers 202, speaks MM7 to the provider's MMSC within the account's rate and concurrency
//! limits, retries what may pass (never what cannot), takes the MMSC's delivery reports, read
//! replies and incoming messages on its own MM7 endpoint, and tells the application through
//! signed webhooks.
//!
//! - [`api`](GatewayConfig::listen): `POST /v1/messages` (JSON with attachments in base64 or by URL,
//!   or `multipart/form-data` with files; `Idempotency-Key`), `GET /v1/messages/{id}` (status
//!   and history), `DELETE /v1/messages/{id}` (cancel: in the queue if not sent yet, else a
//!   `CancelReq`), `POST /v1/messages/{id}/replace` (new content: in the queue, or a
//!   `ReplaceReq`; checked by the account's profile as a submission is), `GET /v1/webhooks`
//!   (webhooks kept after they expired or failed), `POST /v1/webhooks/retry` and
//!   `POST /v1/webhooks/{id}/retry` (try them again), `GET /v1/mo/{id}/parts/{n}` (a part of a
//!   message from a subscriber, when [`MoDelivery`] gives parts as URLs), `GET /healthz` and `GET /readyz` (the store answers),
//!   `GET /metrics` (Prometheus: queue depth by account, tries by outcome, try latency, webhook
//!   backlog, webhooks kept). Attachments may be given by URL: fetched before the 202, within
//!   [`AttachmentFetch`]'s limits, `http://` and `https://` only.
//! - The inbox, under `/inbox/` on the API listener (unless [`GatewayConfig::inbox`] is off): HTML pages for the operator (the
//!   messages by status and account in keyset pages, each with its history and content; what
//!   the MMSC sent in; the failed messages and webhooks), written by the server with everything
//!   escaped, no script, and the strict Content-Security-Policy of `mm7 mmsc`'s inbox.
//! - Accounts ([`Account`]): several MMSC accounts, each with its own dispatcher; a message
//!   goes through the one its request names, else the first [`Route`] its first recipient's
//!   prefix matches, else the default. [`GatewayConfig::from_file`] reads them, with the
//!   routes, the webhook and the [`MoRoute`]s of incoming messages, from a TOML file.
//! - The dispatcher (one per account): a token bucket at the account's TPS, at most `max_in_flight` requests,
//!   transient failures (network, HTTP 5xx or 429 without a permanent MM7 status, MM7 3xxx
//!   and 4006) tried again with exponential backoff and jitter, never before a `Retry-After`,
//!   with the same TransactionID; permanent ones (2xxx, 4xxx but 4006, a 401) fail at once;
//!   a message past its expiry is `expired`. Cancels and replaces of sent messages are work
//!   of the same queue, under the same limits and retries.
//! - The MM7 endpoint: DeliverReq, DeliveryReportReq, ReadReplyReq committed (with the status
//!   change and the webhook they cause) before the 1000.
//! - Webhooks: JSON POSTs signed with [`signature`], retried with backoff until a 2xx or their
//!   [expiry](Webhook::expiry), then kept (`expired`), visible and tried again on demand.
//! - Storage: [`Storage`], on SQLite by default ([`SqliteStorage`]: WAL, synchronous commits,
//!   versioned migrations), or PostgreSQL ([`PostgresStorage`]) for several gateways on several
//!   machines sharing one queue. Queue rows are claimed under leases (`FOR UPDATE SKIP LOCKED`
//!   on PostgreSQL), so two gateways never send one message at once and work a stopped gateway
//!   had claimed is taken up by the others or after a restart. Writes that arrive together
//!   share one commit; only claims and send slots, which acknowledge nothing, commit without
//!   waiting for the disk.
//!
//! ```no_run
//! use std::time::Duration;
//! use mm7_gateway::{Account, Gateway, GatewayConfig};
//!
//! # async fn run() -> Result<(), mm7_gateway::GatewayError> {
//! let mut account = Account::new("https://mmsc.example.com/mm7");
//! account.credentials = Some(("vasp".into(), "secret".into()));
//! account.tps = 5.0;
//! let config = GatewayConfig::new(
//!     "127.0.0.1:8080".parse().unwrap(),
//!     "/var/lib/mm7-gateway".into(),
//!     account,
//! );
//! let running = Gateway::start(config).await?;
//! println!("API on http://{}/v1/messages", running.api_addr());
//! tokio::time::sleep(Duration::from_secs(60)).await;
//! running.shutdown().await;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod api;
mod config;
mod dispatch;
mod duration;
mod error;
mod fetch;
mod file;
mod inbound;
mod inbox;
mod metrics;
mod pgtls;
mod postgres;
mod request;
mod sqlite;
mod store;
mod webhook;

use std::net::SocketAddr;
use std::time::Duration;

use mm7_transport::client::Client;
use mm7_transport::server::{Role, RunningServer, Server, ServerConfig};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::{
    Account, AttachmentFetch, DEFAULT_ACCOUNT, DEFAULT_RETENTION,
    DEFAULT_UNMATCHED_REPORT_RETENTION, GatewayConfig, MoDelivery, MoParts, MoRoute, Route,
    Webhook,
};
pub use duration::{DurationError, format_duration, parse_duration};
pub use error::GatewayError;
pub use file::FileDefaults;
pub use metrics::{AccountDepth, QueueDepth};
pub use pgtls::DatabaseTls;
pub use postgres::PostgresStorage;
pub use sqlite::SqliteStorage;
pub use store::{
    Changed, Claimed, EarlyReport, Enqueued, Expired, FailedWebhook, HistoryEntry, MessageQuery,
    MessageRow, MessageView, MoPart, NewSubmission, Operation, Outcome, Received, ReceivedRow,
    Slots, Storage, WebhookOutcome, WebhookRow, WebhookView,
};
pub use webhook::signature;

/// The gateway.
#[derive(Debug)]
pub struct Gateway;

/// A started gateway.
#[derive(Debug)]
pub struct RunningGateway {
    api_addr: SocketAddr,
    mm7_addr: Option<SocketAddr>,
    stop: watch::Sender<bool>,
    api: JoinHandle<()>,
    workers: Vec<JoinHandle<()>>,
    mm7: Option<RunningServer>,
}

impl Gateway {
    /// Opens the storage, binds the API (and the MM7 endpoint, if configured) and starts the
    /// dispatcher and the webhook sender, on the current tokio runtime.
    ///
    /// # Errors
    /// The storage cannot be opened, an address cannot be bound, the account's client cannot
    /// be built.
    pub async fn start(config: GatewayConfig) -> Result<RunningGateway, GatewayError> {
        if let Some(url) = &config.postgres_url {
            let storage = PostgresStorage::connect_with(url, &config.database_tls).await?;
            return Gateway::start_with(config, storage).await;
        }
        let file = config
            .sqlite_file
            .clone()
            .unwrap_or_else(|| config.data_dir.join("gateway.sqlite3"));
        let storage = tokio::task::spawn_blocking(move || {
            let storage = SqliteStorage::open_file(&file)?;
            let released = storage.release_claims()?;
            if released > 0 {
                tracing::info!(
                    released,
                    "messages claimed by a stopped gateway are due again"
                );
            }
            Ok::<_, GatewayError>(storage)
        })
        .await
        .map_err(|_| GatewayError::Internal("opening the storage".into()))??;
        Gateway::start_with(config, storage).await
    }

    /// As [`start`](Self::start), on the given storage.
    ///
    /// # Errors
    /// As [`start`](Self::start).
    pub async fn start_with<S: Storage>(
        config: GatewayConfig,
        storage: S,
    ) -> Result<RunningGateway, GatewayError> {
        config.validate()?;
        let fetcher = fetch::Fetcher::new(config.fetch.clone())?;
        // Messages queued for an account the configuration no longer has wait, visible in
        // /metrics, until it comes back: said once at start.
        if let Ok(depth) = storage.queue_depth().await {
            for (name, queued) in &depth.accounts {
                if !config.accounts.iter().any(|a| &a.name == name) {
                    tracing::warn!(
                        account = %name,
                        waiting = queued.queued + queued.retrying + queued.sending,
                        "messages are queued for an account that is not configured"
                    );
                }
            }
        }
        let clients: Vec<(Account, Client)> = config
            .accounts
            .iter()
            .map(|account| Ok((account.clone(), account.client()?)))
            .collect::<Result<_, GatewayError>>()?;
        let (stop, stopped) = watch::channel(false);
        let metrics = std::sync::Arc::new(metrics::Metrics::default());
        let webhooks = config.webhook.is_some();

        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| GatewayError::Listen {
                addr: config.listen.to_string(),
                source,
            })?;
        let api_addr = listener
            .local_addr()
            .map_err(|e| GatewayError::Internal(format!("the API address: {e}")))?;
        let public_url = match &config.mo.public_url {
            Some(_) => config.public_url(),
            None => format!("http://{api_addr}"),
        };
        let mm7 = match config.mm7_listen {
            Some(addr) => {
                let mut server_config =
                    ServerConfig::new(Role::Vasp).with_shutdown_timeout(Duration::from_secs(10));
                if let Some((user, password)) = &config.mm7_credentials {
                    server_config = server_config.with_basic_auth(user.clone(), password.clone());
                }
                let handler = inbound::Mm7Inbound {
                    storage: storage.clone(),
                    webhooks,
                    mo_routes: std::sync::Arc::new(config.clone()),
                    metrics: std::sync::Arc::clone(&metrics),
                    public_url,
                };
                let server =
                    Server::bind(addr, server_config, handler)
                        .await
                        .map_err(|source| GatewayError::Listen {
                            addr: addr.to_string(),
                            source,
                        })?;
                Some(server.spawn())
            }
            None => None,
        };
        let mut router = api::router(
            storage.clone(),
            std::sync::Arc::new(config.clone()),
            std::sync::Arc::clone(&metrics),
            fetcher,
        );
        if config.inbox {
            router = router.merge(inbox::router(
                storage.clone(),
                std::sync::Arc::new(config.clone()),
            ));
        }
        let mut api_stop = stopped.clone();
        let api = tokio::spawn(async move {
            let shutdown = async move {
                let _ = api_stop.wait_for(|stop| *stop).await;
            };
            if let Err(error) = axum::serve(listener, router)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::error!(%error, "the API server stopped");
            }
        });
        // One dispatcher per account: each with its own rate, in-flight limit and retries.
        let mut workers: Vec<JoinHandle<()>> = clients
            .into_iter()
            .map(|(account, client)| {
                tokio::spawn(dispatch::run(
                    storage.clone(),
                    account,
                    client,
                    webhooks,
                    std::sync::Arc::clone(&metrics),
                    stopped.clone(),
                ))
            })
            .collect();
        workers.push(tokio::spawn(inbound::sweep(
            storage.clone(),
            config.unmatched_report_retention,
            config.retention,
            std::sync::Arc::clone(&metrics),
            stopped.clone(),
        )));
        if let Some(webhook) = config.webhook.clone() {
            workers.push(tokio::spawn(webhook::run(
                storage.clone(),
                webhook,
                std::sync::Arc::clone(&metrics),
                stopped.clone(),
            )));
        }
        Ok(RunningGateway {
            api_addr,
            mm7_addr: mm7.as_ref().map(RunningServer::local_addr),
            stop,
            api,
            workers,
            mm7,
        })
    }
}

impl RunningGateway {
    /// Where the JSON API answers.
    pub fn api_addr(&self) -> SocketAddr {
        self.api_addr
    }

    /// Where the MM7 endpoint answers, if it was configured.
    pub fn mm7_addr(&self) -> Option<SocketAddr> {
        self.mm7_addr
    }

    /// Stops accepting, lets the requests and tries in flight finish (bounded by the try
    /// timeout), and returns. What was queued stays queued for the next start.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        if let Some(mm7) = self.mm7 {
            let _ = mm7.shutdown().await;
        }
        let _ = self.api.await;
        for worker in self.workers {
            let _ = worker.await;
        }
    }
}

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

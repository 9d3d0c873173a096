//! [`Server`]: the listener, the connection cap, TLS, and graceful shutdown.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, ToSocketAddrs};
use tokio::sync::{Semaphore, watch};
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

use crate::server::{Answered, Handler, Mm7Service, ServerConfig};

/// The connections each IP address holds.
#[derive(Debug, Default, Clone)]
struct PeerCounts(Arc<Mutex<HashMap<IpAddr, usize>>>);

/// One connection of a peer, counted until dropped.
struct PeerSlot {
    counts: PeerCounts,
    ip: IpAddr,
}

impl PeerCounts {
    /// Counts a connection from `ip`, unless it already holds `limit`.
    fn enter(&self, ip: IpAddr, limit: usize) -> Option<PeerSlot> {
        let mut counts = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let count = counts.entry(ip).or_insert(0);
        if *count >= limit {
            return None;
        }
        *count += 1;
        Some(PeerSlot {
            counts: self.clone(),
            ip,
        })
    }
}

impl Drop for PeerSlot {
    fn drop(&mut self) {
        let mut counts = self.counts.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = counts.get_mut(&self.ip) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                counts.remove(&self.ip);
            }
        }
    }
}

/// An MM7 server on a TCP listener: HTTP/1.1, or HTTPS when the configuration has TLS.
///
/// ```
/// use mm7_model::{DeliverReq, DeliverRsp, Status};
/// use mm7_transport::server::{Handler, HandlerError, Inbound, Role, Server, ServerConfig};
///
/// struct Vasp;
///
/// impl Handler for Vasp {
///     async fn deliver(&self, inbound: Inbound<DeliverReq>) -> Result<DeliverRsp, HandlerError> {
///         Ok(DeliverRsp::new(inbound.mm7_version, Status::success()))
///     }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let config = ServerConfig::new(Role::Vasp).with_basic_auth("mmsc", "s3cret");
/// let server = Server::bind("127.0.0.1:0", config, Vasp).await?;
/// let running = server.spawn();
/// println!("listening on {}", running.local_addr());
/// // … later: stop accepting, let the requests in flight finish.
/// running.shutdown().await.expect("the server task ended cleanly");
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub struct Server<H> {
    listener: TcpListener,
    local_addr: SocketAddr,
    service: Mm7Service<H>,
    tls: Option<TlsAcceptor>,
    stop: Arc<watch::Sender<bool>>,
}

/// Stops a [`Server`]: it stops accepting, then finishes the requests in flight (up to the
/// configured shutdown timeout). Cloneable; any clone stops it.
#[derive(Debug, Clone)]
pub struct ShutdownHandle {
    stop: Arc<watch::Sender<bool>>,
}

impl ShutdownHandle {
    /// Starts the graceful shutdown (does not wait for it).
    pub fn shutdown(&self) {
        self.stop.send_replace(true);
    }
}

/// A [`Server`] running on its own task.
#[derive(Debug)]
#[must_use = "dropping a RunningServer leaves the server running with no way to stop it"]
pub struct RunningServer {
    local_addr: SocketAddr,
    handle: ShutdownHandle,
    task: JoinHandle<()>,
}

impl RunningServer {
    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// A handle that stops the server.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        self.handle.clone()
    }

    /// Stops accepting, waits for the requests in flight (up to the configured shutdown
    /// timeout), and returns once the server's task has ended.
    ///
    /// # Errors
    /// The server's task panicked or was cancelled.
    pub async fn shutdown(self) -> Result<(), tokio::task::JoinError> {
        self.handle.shutdown();
        self.task.await
    }
}

impl<H> std::fmt::Debug for Server<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("local_addr", &self.local_addr)
            .field("tls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}

impl<H: Handler> Server<H> {
    /// Binds a listener (`"127.0.0.1:0"` picks a free port; see [`Server::local_addr`]).
    ///
    /// # Errors
    /// The address cannot be resolved or bound.
    pub async fn bind(
        addr: impl ToSocketAddrs,
        config: ServerConfig,
        handler: H,
    ) -> io::Result<Server<H>> {
        let listener = TcpListener::bind(addr).await?;
        Server::from_listener(listener, config, handler)
    }

    /// A server on a listener bound elsewhere (for example one passed by systemd).
    ///
    /// # Errors
    /// The listener's local address cannot be read.
    pub fn from_listener(
        listener: TcpListener,
        config: ServerConfig,
        handler: H,
    ) -> io::Result<Server<H>> {
        let local_addr = listener.local_addr()?;
        let tls = config.tls.clone().map(TlsAcceptor::from);
        let (stop, _) = watch::channel(false);
        Ok(Server {
            listener,
            local_addr,
            service: Mm7Service::new(config, handler),
            tls,
            stop: Arc::new(stop),
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// A handle that stops the server once it runs.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle {
            stop: Arc::clone(&self.stop),
        }
    }

    /// The service that answers each request.
    pub fn service(&self) -> &Mm7Service<H> {
        &self.service
    }

    /// Runs on a task of its own.
    pub fn spawn(self) -> RunningServer {
        let local_addr = self.local_addr;
        let handle = self.shutdown_handle();
        let task = tokio::spawn(self.run());
        RunningServer {
            local_addr,
            handle,
            task,
        }
    }

    /// Serves until a [`ShutdownHandle`] stops it, then shuts down gracefully.
    pub async fn run(self) {
        self.run_until(std::future::pending()).await;
    }

    /// Serves until `signal` completes (e.g. `tokio::signal::ctrl_c()`) or a
    /// [`ShutdownHandle`] stops it, then shuts down gracefully: the listener is closed, idle
    /// connections are closed, and requests in flight get their answers (their connections
    /// close after them), for at most the configured shutdown timeout.
    pub async fn run_until(self, signal: impl Future<Output = ()> + Send) {
        let Server {
            listener,
            local_addr,
            service,
            tls,
            stop,
        } = self;
        let config = service.config();
        let mut stopped = stop.subscribe();
        let stop_signal = async move {
            tokio::select! {
                () = signal => {}
                _ = stopped.wait_for(|stop| *stop) => {}
            }
        };
        let mut stop_signal = std::pin::pin!(stop_signal);
        let permits = Arc::new(Semaphore::new(config.max_connections));
        let peers = PeerCounts::default();
        let graceful = GracefulShutdown::new();
        let mut connections = JoinSet::new();
        let mut http = http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(config.header_read_timeout)
            .keep_alive(true);
        let handshake_timeout = config.header_read_timeout;
        tracing::info!(%local_addr, tls = tls.is_some(), "MM7 server listening");

        loop {
            // The permit is taken before accepting: past the cap, clients wait in the
            // kernel's backlog rather than holding a task and a buffer here.
            let permit = tokio::select! {
                biased;
                () = &mut stop_signal => break,
                Some(_) = connections.join_next(), if !connections.is_empty() => continue,
                permit = Arc::clone(&permits).acquire_owned() => match permit {
                    Ok(permit) => permit,
                    Err(_) => break,
                },
            };
            let (stream, peer) = tokio::select! {
                biased;
                () = &mut stop_signal => break,
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        // Out of file descriptors, or a connection reset before it was
                        // accepted: the listener itself is fine, so wait a little and go on.
                        tracing::warn!(%error, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
            };
            let Some(slot) = peers.enter(peer.ip(), config.max_connections_per_peer) else {
                // Closed at once: a peer holding idle connections must not fill the server.
                tracing::warn!(%peer, "per-peer connection limit reached; connection closed");
                continue;
            };
            if let Err(error) = stream.set_nodelay(true) {
                tracing::debug!(%error, "TCP_NODELAY not set");
            }
            let service = service.with_peer(peer);
            let watcher = graceful.watcher();
            let http = http.clone();
            let tls = tls.clone();
            connections.spawn(async move {
                let _permit = permit;
                let _slot = slot;
                match tls {
                    None => serve(&http, TokioIo::new(stream), service, watcher).await,
                    Some(acceptor) => {
                        match tokio::time::timeout(handshake_timeout, acceptor.accept(stream)).await
                        {
                            Ok(Ok(stream)) => {
                                serve(&http, TokioIo::new(stream), service, watcher).await;
                            }
                            Ok(Err(error)) => {
                                tracing::debug!(%peer, %error, "TLS handshake failed");
                            }
                            Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                        }
                    }
                }
            });
        }

        drop(listener);
        tracing::info!(
            in_flight = graceful.count(),
            "MM7 server stopping; finishing requests in flight"
        );
        if tokio::time::timeout(config.shutdown_timeout, graceful.shutdown())
            .await
            .is_err()
        {
            tracing::warn!("shutdown timeout: closing the connections still open");
        }
        connections.shutdown().await;
    }
}

async fn serve<H, I>(
    http: &http1::Builder,
    io: TokioIo<I>,
    service: Mm7Service<H>,
    watcher: Watcher,
) where
    H: Handler,
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let observer = service.config().observer.clone();
    let peer = service.peer();
    let started = std::time::Instant::now();
    let connection = http.serve_connection(io, service);
    if let Err(error) = watcher.watch(connection).await {
        if error.is_parse_too_large()
            && let Some(observer) = observer
        {
            // hyper answered 431 itself; the observer hears of it all the same.
            (observer.0)(&Answered {
                peer,
                operation: None,
                transaction_id: None,
                http_status: 431,
                mm7_status: None,
                reason: "request headers too large".to_owned(),
                duration: started.elapsed(),
            });
        }
        // Timeouts, resets and malformed requests end here; hyper has already answered
        // what it could (400, 431, …).
        tracing::debug!(%error, "connection ended with an error");
    }
}

//! [`ServerConfig`]: who may call, how much they may send, how long they may take.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use mm7_soap::{DecodeOptions, EncodeOptions, PrefixStyle};

use crate::auth::Credentials;
use crate::server::IpRange;
use crate::server::observe::{Answered, Observer};

/// The side of MM7 a server plays, which decides how it answers errors (TS 23.140 §9.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Role {
    /// The MMS relay/server: receives `SubmitReq`, `CancelReq`, `ReplaceReq`; errors are
    /// answered with `RSErrorRsp`.
    Mmsc,
    /// The value-added service provider: receives `DeliverReq`, `DeliveryReportReq`,
    /// `ReadReplyReq`; errors are answered with `VASPErrorRsp`.
    Vasp,
}

/// The body limit providers use (and the default): 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// How a server authenticates, limits and answers. Built with `with_*` methods:
///
/// ```
/// use std::time::Duration;
/// use mm7_transport::server::{Role, ServerConfig};
///
/// let config = ServerConfig::new(Role::Mmsc)
///     .with_basic_auth("vasp-1", "s3cret")
///     .with_allowed("192.0.2.0/24".parse()?)
///     .with_body_limit(2 * 1024 * 1024)
///     .with_request_timeout(Duration::from_secs(20));
/// assert_eq!(config.body_limit(), 2 * 1024 * 1024);
/// # Ok::<(), mm7_transport::server::IpRangeError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub(crate) role: Role,
    pub(crate) credentials: Vec<Credentials>,
    pub(crate) realm: String,
    pub(crate) allowed: Vec<IpRange>,
    pub(crate) body_limit: usize,
    pub(crate) header_read_timeout: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) max_connections: usize,
    pub(crate) shutdown_timeout: Duration,
    pub(crate) decode: DecodeOptions,
    pub(crate) encode: EncodeOptions,
    pub(crate) tls: Option<Arc<rustls::ServerConfig>>,
    pub(crate) max_connections_per_peer: usize,
    pub(crate) observer: Option<Observer>,
}

impl ServerConfig {
    /// A configuration for `role` with no authentication, no allow-list, a 1 MiB body limit,
    /// 10 s to send the request headers, 60 s for the whole request (body and handler), 1024
    /// concurrent connections, 30 s for requests in flight at shutdown, answers in a default
    /// namespace, and plain HTTP.
    pub fn new(role: Role) -> ServerConfig {
        ServerConfig {
            role,
            credentials: Vec::new(),
            realm: "mm7".to_string(),
            allowed: Vec::new(),
            body_limit: DEFAULT_BODY_LIMIT,
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            max_connections: 1024,
            shutdown_timeout: Duration::from_secs(30),
            decode: DecodeOptions::default(),
            // An answer goes out in the request's schema, whatever the handler filled in: an
            // element that schema lacks is left out (and logged) rather than turning the
            // handler's answer into an error.
            encode: EncodeOptions::default().with_drop_undefined(true),
            tls: None,
            max_connections_per_peer: 256,
            observer: None,
        }
    }

    /// Requires HTTP Basic authentication with these credentials. Call it once per account
    /// to accept several; a request must match one of them (compared in constant time).
    #[must_use]
    pub fn with_basic_auth(
        mut self,
        user: impl Into<String>,
        password: impl Into<String>,
    ) -> ServerConfig {
        self.credentials.push(Credentials::new(user, password));
        self
    }

    /// The realm named in `WWW-Authenticate` (`mm7` by default).
    #[must_use]
    pub fn with_realm(mut self, realm: impl Into<String>) -> ServerConfig {
        self.realm = realm.into();
        self
    }

    /// Accepts requests from addresses in `range` (call it once per range). With no range
    /// every address is accepted; with one or more, every other address is answered 403
    /// before its body is read.
    #[must_use]
    pub fn with_allowed(mut self, range: IpRange) -> ServerConfig {
        self.allowed.push(range);
        self
    }

    /// The largest request body accepted, in bytes (default 1 MiB); a larger one is answered
    /// 413 at once, and the rest is read and discarded (up to 8 MiB or 5 s) before the
    /// connection closes (a lingering close).
    #[must_use]
    pub fn with_body_limit(mut self, bytes: usize) -> ServerConfig {
        self.body_limit = bytes;
        self
    }

    /// How long a client has to send a request's headers (default 10 s). The clock starts
    /// when the server waits for a request, so it also closes idle keep-alive connections
    /// and clients that trickle header bytes.
    #[must_use]
    pub fn with_header_read_timeout(mut self, timeout: Duration) -> ServerConfig {
        self.header_read_timeout = timeout;
        self
    }

    /// How long a request may take once its headers are in: reading the body (answered 408
    /// when it runs out) and the handler (answered with a 3000 Server Error fault, so the
    /// peer retries). Default 60 s.
    #[must_use]
    pub fn with_request_timeout(mut self, timeout: Duration) -> ServerConfig {
        self.request_timeout = timeout;
        self
    }

    /// The most connections served at once (default 1024, at least 1). Further clients wait in the
    /// listen backlog until a connection closes.
    #[must_use]
    pub fn with_max_connections(mut self, connections: usize) -> ServerConfig {
        self.max_connections = connections.max(1);
        self
    }

    /// The most connections one IP address may hold at once (default 256, at least 1). A
    /// connection past it is closed as soon as it is accepted, so that one peer holding idle
    /// connections cannot keep the others waiting in the listen backlog.
    #[must_use]
    pub fn with_max_connections_per_peer(mut self, connections: usize) -> ServerConfig {
        self.max_connections_per_peer = connections.max(1);
        self
    }

    /// Calls `observer` with every answer the server gives: successes, Faults and the bare
    /// HTTP refusals (401, 403, 405, 408, 413, and the 431 hyper answers for headers too
    /// large), for a server that reports each one. It runs on the request's task: keep it
    /// short.
    ///
    /// ```
    /// use mm7_transport::server::{Role, ServerConfig};
    ///
    /// let config = ServerConfig::new(Role::Vasp)
    ///     .with_observer(|answered| eprintln!("{} {:?}", answered.http_status, answered.peer));
    /// # let _ = config;
    /// ```
    #[must_use]
    pub fn with_observer(
        mut self,
        observer: impl Fn(&Answered) + Send + Sync + 'static,
    ) -> ServerConfig {
        self.observer = Some(Observer(Arc::new(observer)));
        self
    }

    /// How long a graceful shutdown waits for requests in flight before closing their
    /// connections (default 30 s).
    #[must_use]
    pub fn with_shutdown_timeout(mut self, timeout: Duration) -> ServerConfig {
        self.shutdown_timeout = timeout;
        self
    }

    /// Options of the MM7 decoder (XML and MIME limits).
    #[must_use]
    pub fn with_decode_options(mut self, options: DecodeOptions) -> ServerConfig {
        self.decode = options;
        self
    }

    /// Options of the encoder of answers (prefix style, envelope prefix). The default writes
    /// a default namespace and drops elements the request's schema lacks.
    #[must_use]
    pub fn with_encode_options(mut self, options: EncodeOptions) -> ServerConfig {
        self.encode = options;
        self
    }

    /// Qualifies the MM7 elements of answers with a prefix (`mm7:SubmitRsp`) instead of a
    /// default namespace, for peers that accept only that style.
    #[must_use]
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> ServerConfig {
        self.encode.prefix_style = PrefixStyle::Prefixed(prefix.into());
        self
    }

    /// Serves HTTPS with this rustls configuration (see [`crate::server::tls`] to build one
    /// from PEM files).
    #[must_use]
    pub fn with_tls(mut self, tls: impl Into<Arc<rustls::ServerConfig>>) -> ServerConfig {
        self.tls = Some(tls.into());
        self
    }

    /// The role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The body limit in bytes.
    pub fn body_limit(&self) -> usize {
        self.body_limit
    }

    /// Whether an address may call (always, when no range was given).
    pub fn is_allowed(&self, address: IpAddr) -> bool {
        self.allowed.is_empty() || self.allowed.iter().any(|r| r.contains(address))
    }

    /// Whether requests must authenticate.
    pub fn requires_auth(&self) -> bool {
        !self.credentials.is_empty()
    }
}

//! How the gateway is set up: its listeners, its MMSC account, its webhook.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The MMSC account the gateway submits through.
#[derive(Clone)]
#[non_exhaustive]
pub struct Account {
    /// The MMSC's MM7 URL.
    pub url: String,
    /// Basic credentials, if the MMSC wants them.
    pub credentials: Option<(String, String)>,
    /// `VASPID` in every submission.
    pub vasp_id: Option<String>,
    /// `VASID` in every submission.
    pub vas_id: Option<String>,
    /// Submissions per second at most (token bucket).
    pub tps: f64,
    /// Requests in flight at most.
    pub max_in_flight: usize,
    /// Tries per message at most (transient failures only; a permanent one fails at once).
    pub max_tries: u32,
    /// The first wait after a transient failure; it doubles per try, up to `max_backoff`.
    pub retry_initial: Duration,
    /// The longest wait between tries.
    pub max_backoff: Duration,
    /// How long a message is worth sending when its request names no expiry.
    pub expiry: Duration,
    /// How long one try may take.
    pub timeout: Duration,
    /// The provider's rules: its namespace and MM7Version, and the checks a submission must
    /// pass (run when the API takes it, so that a message the MMSC would refuse is a 400).
    pub profile: Option<mm7_transport::profile::Profile>,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("url", &self.url)
            .field("user", &self.credentials.as_ref().map(|(u, _)| u))
            .field("tps", &self.tps)
            .field("max_in_flight", &self.max_in_flight)
            .finish_non_exhaustive()
    }
}

impl Account {
    /// An account at `url` with the defaults: 10 per second, 4 in flight, 10 tries from 2 s
    /// doubling to 5 min, a day's expiry, 30 s per try.
    pub fn new(url: impl Into<String>) -> Account {
        Account {
            url: url.into(),
            credentials: None,
            vasp_id: None,
            vas_id: None,
            tps: 10.0,
            max_in_flight: 4,
            max_tries: 10,
            retry_initial: Duration::from_secs(2),
            max_backoff: Duration::from_secs(300),
            expiry: Duration::from_secs(86_400),
            timeout: Duration::from_secs(30),
            profile: None,
        }
    }
}

/// Where the gateway tells the application what happened.
#[derive(Clone)]
#[non_exhaustive]
pub struct Webhook {
    /// The URL it POSTs JSON to.
    pub url: String,
    /// The key of the `X-Mm7-Signature` HMAC-SHA256.
    pub secret: Vec<u8>,
    /// Tries per event at most.
    pub max_tries: u32,
}

impl Webhook {
    /// A webhook at `url` signed with `secret`, tried 10 times at most.
    pub fn new(url: impl Into<String>, secret: Vec<u8>) -> Webhook {
        Webhook {
            url: url.into(),
            secret,
            max_tries: 10,
        }
    }
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("url", &self.url)
            .field("max_tries", &self.max_tries)
            .finish_non_exhaustive()
    }
}

/// The whole configuration.
#[derive(Clone)]
#[non_exhaustive]
pub struct GatewayConfig {
    /// The JSON API's address.
    pub listen: SocketAddr,
    /// The MM7 endpoint for the MMSC's DeliverReq, DeliveryReportReq and ReadReplyReq.
    pub mm7_listen: Option<SocketAddr>,
    /// Basic credentials the MMSC must send to the MM7 endpoint.
    pub mm7_credentials: Option<(String, String)>,
    /// Where the SQLite database lives (`gateway.sqlite3` in it), when neither `sqlite_file`
    /// nor a PostgreSQL URL is given.
    pub data_dir: PathBuf,
    /// The SQLite database file, if not the one in `data_dir`.
    pub sqlite_file: Option<PathBuf>,
    /// A PostgreSQL database instead (`postgres://user:password@host/database`), for several
    /// gateways sharing one queue.
    pub postgres_url: Option<String>,
    /// The MMSC account.
    pub account: Account,
    /// The application's webhook, if any.
    pub webhook: Option<Webhook>,
}

impl std::fmt::Debug for GatewayConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The PostgreSQL URL and the MM7 credentials may hold passwords: not shown.
        f.debug_struct("GatewayConfig")
            .field("listen", &self.listen)
            .field("mm7_listen", &self.mm7_listen)
            .field("data_dir", &self.data_dir)
            .field("postgres", &self.postgres_url.is_some())
            .field("account", &self.account)
            .field("webhook", &self.webhook)
            .finish_non_exhaustive()
    }
}

impl GatewayConfig {
    /// A gateway answering on `listen`, keeping its data in `data_dir`, submitting through
    /// `account`.
    pub fn new(listen: SocketAddr, data_dir: PathBuf, account: Account) -> GatewayConfig {
        GatewayConfig {
            listen,
            mm7_listen: None,
            mm7_credentials: None,
            data_dir,
            sqlite_file: None,
            postgres_url: None,
            account,
            webhook: None,
        }
    }
}

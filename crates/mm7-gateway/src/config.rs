//! How the gateway is set up: its listeners, its MMSC accounts and the routes to them, its
//! webhooks and the routes of incoming messages to them.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use mm7_transport::client::Client;

use crate::error::GatewayError;

/// An MMSC account the gateway submits through.
#[derive(Clone)]
#[non_exhaustive]
pub struct Account {
    /// Its name: what a request's `"account"` and the routes name, and the `account` label of
    /// the metrics. `default` for the account of the command-line flags.
    pub name: String,
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
    /// The exact namespace URI to send, when not the profile's (its last segment names the
    /// schema).
    pub namespace: Option<String>,
    /// The `MM7Version` to send, when not the profile's.
    pub mm7_version: Option<String>,
    /// A client certificate chain and its private key (PEM), for an MMSC that wants mutual TLS.
    pub client_certificate: Option<(Vec<u8>, Vec<u8>)>,
    /// A certificate authority (PEM) to trust besides the system's.
    pub root_certificate: Option<Vec<u8>>,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The password and the private key are not shown.
        f.debug_struct("Account")
            .field("name", &self.name)
            .field("url", &self.url)
            .field("user", &self.credentials.as_ref().map(|(u, _)| u))
            .field("tps", &self.tps)
            .field("max_in_flight", &self.max_in_flight)
            .field("profile", &self.profile)
            .field("client_certificate", &self.client_certificate.is_some())
            .finish_non_exhaustive()
    }
}

impl Account {
    /// The account `default` at `url` with the defaults: 10 per second, 4 in flight, 10 tries
    /// from 2 s doubling to 5 min, a day's expiry, 30 s per try.
    pub fn new(url: impl Into<String>) -> Account {
        Account::named(DEFAULT_ACCOUNT, url)
    }

    /// As [`new`](Self::new), named `name`.
    pub fn named(name: impl Into<String>, url: impl Into<String>) -> Account {
        Account {
            name: name.into(),
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
            namespace: None,
            mm7_version: None,
            client_certificate: None,
            root_certificate: None,
        }
    }

    /// The MM7 client of this account.
    ///
    /// # Errors
    /// The URL, the certificates or the key do not parse.
    pub fn client(&self) -> Result<mm7_transport::client::Client, GatewayError> {
        let mut builder = Client::builder(&self.url).timeout(self.timeout);
        if let Some(profile) = self.profile {
            builder = builder.profile(profile);
        }
        if let Some(namespace) = &self.namespace {
            builder = builder.namespace(namespace.clone());
        }
        if let Some(version) = &self.mm7_version {
            builder = builder.mm7_version(version.as_str());
        }
        if let Some((user, password)) = &self.credentials {
            builder = builder.basic_auth(user.clone(), password.clone());
        }
        if let Some(ca) = &self.root_certificate {
            builder = builder.add_root_certificate(ca);
        }
        if let Some((chain, key)) = &self.client_certificate {
            builder = builder.client_certificate(chain, key);
        }
        builder
            .build()
            .map_err(|e| GatewayError::Config(format!("the MMSC account {:?}: {e}", self.name)))
    }
}

/// The name of the account the command-line flags make.
pub const DEFAULT_ACCOUNT: &str = "default";

/// A routing rule: a message whose first recipient starts with `prefix` goes through the
/// account `account`. Rules are tried in order; the first that matches wins.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Route {
    /// The start of the recipient's number (a leading `+` is ignored on both sides).
    pub prefix: String,
    /// The account's name.
    pub account: String,
}

impl Route {
    /// Recipients starting with `prefix` go through `account`.
    pub fn new(prefix: impl Into<String>, account: impl Into<String>) -> Route {
        Route {
            prefix: prefix.into(),
            account: account.into(),
        }
    }

    /// Whether `recipient` starts with this rule's prefix.
    pub fn matches(&self, recipient: &str) -> bool {
        let strip = |s: &str| s.trim().trim_start_matches('+').to_owned();
        strip(recipient).starts_with(&strip(&self.prefix))
    }
}

/// A routing rule for messages from subscribers (DeliverReq): one addressed to `short_code`
/// (if given) whose text starts with the word `keyword` (if given; any case) is POSTed to
/// `webhook_url`. Rules are tried in order; the first that matches wins; the `[webhook]` URL
/// takes the others.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MoRoute {
    /// The recipient short code (or number) the message was sent to.
    pub short_code: Option<String>,
    /// The first word of its text.
    pub keyword: Option<String>,
    /// Where it goes (signed with the `[webhook]` secret).
    pub webhook_url: String,
}

impl MoRoute {
    /// A rule to `webhook_url`, for every message until narrowed.
    pub fn new(webhook_url: impl Into<String>) -> MoRoute {
        MoRoute {
            short_code: None,
            keyword: None,
            webhook_url: webhook_url.into(),
        }
    }

    /// Whether a message to `recipients` with `text` matches.
    pub fn matches(&self, recipients: &[&str], text: &str) -> bool {
        let strip = |s: &str| s.trim().trim_start_matches('+').to_owned();
        let code = self
            .short_code
            .as_deref()
            .is_none_or(|code| recipients.iter().any(|r| strip(r) == strip(code)));
        let keyword = self.keyword.as_deref().is_none_or(|keyword| {
            text.split_whitespace()
                .next()
                .is_some_and(|first| first.eq_ignore_ascii_case(keyword.trim()))
        });
        code && keyword
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
    /// Tries per event at most (`u32::MAX`: as many as the expiry leaves room for).
    pub max_tries: u32,
    /// How long an event is tried (with backoff) before it is kept as `expired`: visible in
    /// `GET /v1/webhooks` and `/metrics`, and tried again on `POST /v1/webhooks/retry`.
    pub expiry: Duration,
    /// How long one POST may take before it counts as failed. The events a gateway claimed
    /// are leased for this plus 10 s (they are POSTed side by side): a gateway that dies
    /// leaves them to the others, or to itself after a restart, once the lease ends.
    pub timeout: Duration,
}

impl Webhook {
    /// A webhook at `url` signed with `secret`, tried for a day at most, 30 s per try.
    pub fn new(url: impl Into<String>, secret: Vec<u8>) -> Webhook {
        Webhook {
            url: url.into(),
            secret,
            max_tries: u32::MAX,
            expiry: Duration::from_secs(86_400),
            timeout: Duration::from_secs(30),
        }
    }
}

/// How the API fetches attachments given by URL (`{"url": "https://…"}`) before it answers
/// 202: only `http://` and `https://`, within these limits.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AttachmentFetch {
    /// The largest body taken, in bytes (at most the 2 MiB any attachment may have).
    pub max_size: usize,
    /// How long connecting may take.
    pub connect_timeout: Duration,
    /// How long a whole fetch may take, redirects included.
    pub timeout: Duration,
    /// Redirects followed at most.
    pub max_redirects: u32,
    /// Whether URLs may lead to loopback, private, link-local or other non-public addresses
    /// (the gateway's own network: its metadata service, its database). Off by default.
    pub allow_private_addresses: bool,
}

impl Default for AttachmentFetch {
    /// 2 MiB, 5 s to connect, 20 s in all, 5 redirects, public addresses only.
    fn default() -> AttachmentFetch {
        AttachmentFetch {
            max_size: crate::request::MAX_ATTACHMENT,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(20),
            max_redirects: 5,
            allow_private_addresses: false,
        }
    }
}

/// How the parts of a message from a subscriber (DeliverReq) are given in its webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MoParts {
    /// Each part in the JSON, base64 (`data`).
    Inline,
    /// Each part as a `url` the API serves (`GET /v1/mo/{id}/parts/{n}`, an unguessable id).
    Url,
    /// Parts up to this many bytes inline, larger ones as URLs.
    InlineUpTo(usize),
}

/// Where the webhooks of messages from subscribers point to their parts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MoDelivery {
    /// Inline, as URLs, or by size.
    pub parts: MoParts,
    /// The API's URL as the application reaches it (`https://gw.example.com`); the part URLs
    /// start with it. `http://` and the API's listening address when `None`.
    pub public_url: Option<String>,
}

impl Default for MoDelivery {
    /// Every part inline.
    fn default() -> MoDelivery {
        MoDelivery {
            parts: MoParts::Inline,
            public_url: None,
        }
    }
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("url", &self.url)
            .field("max_tries", &self.max_tries)
            .field("timeout", &self.timeout)
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
    /// The CA and client certificate for TLS to PostgreSQL (the URL's `sslmode` says whether
    /// TLS is used; its `sslrootcert`, `sslcert` and `sslkey` take precedence over these).
    pub database_tls: crate::pgtls::DatabaseTls,
    /// The MMSC accounts (at least one; names unique).
    pub accounts: Vec<Account>,
    /// Recipient-prefix routes to the accounts, tried in order.
    pub routes: Vec<Route>,
    /// The account of a message no route and no `"account"` names (the first if `None`).
    pub default_account: Option<String>,
    /// The application's webhook, if any.
    pub webhook: Option<Webhook>,
    /// Where messages from subscribers go, by short code and keyword (else the webhook's URL).
    pub mo_routes: Vec<MoRoute>,
    /// Whether the operator's inbox (HTML pages of the messages, what the MMSC sent in and the
    /// failed work) is served under `/inbox/` on the API's address (by default, yes).
    pub inbox: bool,
    /// The limits of attachments given by URL.
    pub fetch: AttachmentFetch,
    /// How the parts of messages from subscribers reach the application.
    pub mo: MoDelivery,
    /// How long a delivery report or read reply whose MessageID no message has is kept,
    /// waiting for the outcome that names it (the MMSC may answer a submission after its
    /// report arrives). Past this it is deleted, logged and counted
    /// (`mm7_gateway_unmatched_reports_expired_total`), so that reports for MessageIDs that
    /// never come cannot fill the database. Default 7 days.
    pub unmatched_report_retention: Duration,
    /// How long what the gateway is done with is kept after its last change: submissions no
    /// longer queued (sent, delivered, failed, …) with their history (and so their
    /// idempotency keys), each request the MMSC sent in (the inbox's "received" pages), the
    /// parts of messages from subscribers served by URL, and the webhook events delivered.
    /// Past this they are deleted, a batch at a time, and counted
    /// (`mm7_gateway_expired_total`), so that the database does not grow without bound. What
    /// may still be needed is kept however old: a submission still queued or in flight, the
    /// request of a report that waits for its message, and the parts of a message whose
    /// webhook is not delivered (pending, failed or expired: its body holds their URLs, and
    /// it can be tried again). A report for a submission already deleted waits as any report
    /// for an unknown MessageID. Default 30 days.
    pub retention: Duration,
}

/// How long unmatched reports are kept by default (see
/// [`GatewayConfig::unmatched_report_retention`]): a week.
pub const DEFAULT_UNMATCHED_REPORT_RETENTION: Duration = Duration::from_secs(7 * 86_400);

/// How long what the gateway is done with is kept by default (see
/// [`GatewayConfig::retention`]): 30 days.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(30 * 86_400);

impl std::fmt::Debug for GatewayConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The PostgreSQL URL and the MM7 credentials may hold passwords: not shown.
        f.debug_struct("GatewayConfig")
            .field("listen", &self.listen)
            .field("mm7_listen", &self.mm7_listen)
            .field("data_dir", &self.data_dir)
            .field("postgres", &self.postgres_url.is_some())
            .field("database_tls", &self.database_tls)
            .field("accounts", &self.accounts)
            .field("routes", &self.routes)
            .field("default_account", &self.default_account)
            .field("webhook", &self.webhook)
            .field("mo_routes", &self.mo_routes)
            .field("inbox", &self.inbox)
            .field("fetch", &self.fetch)
            .field("mo", &self.mo)
            .field(
                "unmatched_report_retention",
                &self.unmatched_report_retention,
            )
            .field("retention", &self.retention)
            .finish_non_exhaustive()
    }
}

impl GatewayConfig {
    /// A gateway answering on `listen`, keeping its data in `data_dir`, submitting through
    /// `account` (more can be pushed to [`accounts`](Self::accounts)).
    pub fn new(listen: SocketAddr, data_dir: PathBuf, account: Account) -> GatewayConfig {
        GatewayConfig {
            listen,
            mm7_listen: None,
            mm7_credentials: None,
            data_dir,
            sqlite_file: None,
            postgres_url: None,
            database_tls: crate::pgtls::DatabaseTls::default(),
            accounts: vec![account],
            routes: Vec::new(),
            default_account: None,
            webhook: None,
            mo_routes: Vec::new(),
            inbox: true,
            fetch: AttachmentFetch::default(),
            mo: MoDelivery::default(),
            unmatched_report_retention: DEFAULT_UNMATCHED_REPORT_RETENTION,
            retention: DEFAULT_RETENTION,
        }
    }

    /// The start of the URLs the API serves (`http://ADDR` or the configured public URL),
    /// without a final `/`.
    pub fn public_url(&self) -> String {
        self.mo.public_url.as_deref().map_or_else(
            || format!("http://{}", self.listen),
            |url| url.trim_end_matches('/').to_owned(),
        )
    }

    /// Checks what can be checked without the network: at least one account, unique names,
    /// routes and the default naming existing accounts, rates above zero, URLs that parse.
    ///
    /// # Errors
    /// [`GatewayError::Config`] naming the first problem.
    pub fn validate(&self) -> Result<(), GatewayError> {
        let bad = |text: String| Err(GatewayError::Config(text));
        if self.accounts.is_empty() {
            return bad("no MMSC account".into());
        }
        if self.unmatched_report_retention.is_zero() {
            return bad("unmatched_report_retention must be above 0".into());
        }
        if self.retention.is_zero() {
            return bad("retention must be above 0".into());
        }
        let mut names = std::collections::HashSet::new();
        for account in &self.accounts {
            if account.name.is_empty() {
                return bad("an account has an empty name".into());
            }
            if !names.insert(account.name.as_str()) {
                return bad(format!("two accounts are named {:?}", account.name));
            }
            if !(account.tps > 0.0 && account.tps.is_finite()) {
                return bad(format!("account {:?}: tps must be above 0", account.name));
            }
            check_url(&account.url, &format!("account {:?}: url", account.name))?;
        }
        for route in &self.routes {
            if !names.contains(route.account.as_str()) {
                return bad(format!(
                    "the route for prefix {:?} names no account: {:?}",
                    route.prefix, route.account
                ));
            }
        }
        if let Some(default) = &self.default_account
            && !names.contains(default.as_str())
        {
            return bad(format!("the default account {default:?} is not an account"));
        }
        if let Some(webhook) = &self.webhook {
            check_url(&webhook.url, "webhook url")?;
        }
        if !self.mo_routes.is_empty() && self.webhook.is_none() {
            return bad("mo_route rules need a [webhook] (its secret signs them)".into());
        }
        for route in &self.mo_routes {
            check_url(&route.webhook_url, "mo_route webhook_url")?;
        }
        if let Some(url) = &self.mo.public_url {
            check_url(url, "[mo] public_url")?;
        }
        if self.fetch.max_size == 0 || self.fetch.max_size > crate::request::MAX_ATTACHMENT {
            return bad(format!(
                "[attachments] max_size must be 1 to {} bytes",
                crate::request::MAX_ATTACHMENT
            ));
        }
        if self.fetch.timeout.is_zero() || self.fetch.connect_timeout.is_zero() {
            return bad("[attachments] timeouts must be above 0".into());
        }
        if let Some(webhook) = &self.webhook
            && webhook.expiry.is_zero()
        {
            return bad("[webhook] expiry must be above 0".into());
        }
        Ok(())
    }

    /// The account a message goes through: the one `requested` names, else the first route
    /// matching the first recipient, else the default. `Err` names an unknown account.
    pub fn route(
        &self,
        requested: Option<&str>,
        first_recipient: Option<&str>,
    ) -> Result<&Account, String> {
        let find = |name: &str| self.accounts.iter().find(|a| a.name == name);
        if let Some(name) = requested {
            return find(name).ok_or_else(|| format!("unknown account {name:?}"));
        }
        if let Some(recipient) = first_recipient
            && let Some(route) = self.routes.iter().find(|r| r.matches(recipient))
        {
            return find(&route.account)
                .ok_or_else(|| format!("unknown account {:?}", route.account));
        }
        match &self.default_account {
            Some(name) => find(name).ok_or_else(|| format!("unknown account {name:?}")),
            None => self
                .accounts
                .first()
                .ok_or_else(|| "no account is configured".to_owned()),
        }
    }

    /// Where a message from a subscriber goes: the first matching `mo_route`'s URL, else
    /// `None` (the webhook's).
    pub fn mo_webhook(&self, recipients: &[&str], text: &str) -> Option<&str> {
        self.mo_routes
            .iter()
            .find(|r| r.matches(recipients, text))
            .map(|r| r.webhook_url.as_str())
    }
}

/// An `http://` or `https://` URL with a host.
fn check_url(url: &str, what: &str) -> Result<(), GatewayError> {
    let parsed: Result<http::Uri, _> = url.parse();
    match parsed {
        Ok(uri) if matches!(uri.scheme_str(), Some("http" | "https")) && uri.host().is_some() => {
            Ok(())
        }
        _ => Err(GatewayError::Config(format!(
            "{what}: {url:?} is not an http:// or https:// URL"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_accounts() -> GatewayConfig {
        let mut config = GatewayConfig::new(
            "127.0.0.1:0".parse().unwrap(),
            "/tmp".into(),
            Account::named("us", "http://127.0.0.1:1/mm7"),
        );
        config
            .accounts
            .push(Account::named("au", "http://127.0.0.1:2/mm7"));
        config.routes.push(Route::new("+61", "au"));
        config
    }

    #[test]
    fn routes_by_name_then_prefix_then_default() {
        let mut config = two_accounts();
        assert_eq!(config.route(None, Some("61412345678")).unwrap().name, "au");
        assert_eq!(config.route(None, Some("+15551234567")).unwrap().name, "us");
        assert_eq!(
            config.route(Some("us"), Some("61412345678")).unwrap().name,
            "us"
        );
        assert!(
            config
                .route(Some("nz"), None)
                .unwrap_err()
                .contains("\"nz\"")
        );
        config.default_account = Some("au".into());
        assert_eq!(config.route(None, Some("15551234567")).unwrap().name, "au");
        config.validate().unwrap();
    }

    #[test]
    fn validation_names_what_is_wrong() {
        let mut config = two_accounts();
        config.routes.push(Route::new("64", "nz"));
        assert!(
            config
                .validate()
                .unwrap_err()
                .to_string()
                .contains("\"nz\"")
        );
        let mut config = two_accounts();
        config.accounts[1].name = "us".into();
        assert!(
            config
                .validate()
                .unwrap_err()
                .to_string()
                .contains("two accounts")
        );
        let mut config = two_accounts();
        config.accounts[1].url = "ftp://x/".into();
        assert!(
            config
                .validate()
                .unwrap_err()
                .to_string()
                .contains("ftp://x/")
        );
        let mut config = two_accounts();
        config.mo_routes.push(MoRoute::new("http://127.0.0.1:3/"));
        assert!(
            config
                .validate()
                .unwrap_err()
                .to_string()
                .contains("[webhook]")
        );
    }

    #[test]
    fn mo_routes_by_short_code_and_keyword() {
        let mut config = two_accounts();
        let mut stop = MoRoute::new("http://127.0.0.1:9/stop");
        stop.keyword = Some("STOP".into());
        let mut code = MoRoute::new("http://127.0.0.1:9/63901");
        code.short_code = Some("63901".into());
        config.mo_routes = vec![stop, code];
        assert_eq!(
            config.mo_webhook(&["63902"], "stop please"),
            Some("http://127.0.0.1:9/stop")
        );
        assert_eq!(
            config.mo_webhook(&["63901"], "hello"),
            Some("http://127.0.0.1:9/63901")
        );
        assert_eq!(config.mo_webhook(&["63902"], "stopping"), None);
    }

    #[test]
    fn debug_shows_no_secret() {
        let mut account = Account::new("http://127.0.0.1:1/mm7");
        account.credentials = Some(("vasp".into(), "hunter2".into()));
        account.client_certificate = Some((b"CERT".to_vec(), b"KEY-SECRET".to_vec()));
        let mut config = GatewayConfig::new("127.0.0.1:0".parse().unwrap(), "/tmp".into(), account);
        config.webhook = Some(Webhook::new("http://127.0.0.1:2/", b"whsecret".to_vec()));
        config.postgres_url = Some("postgres://u:pgsecret@h/db".into());
        let shown = format!("{config:?}");
        for secret in ["hunter2", "KEY-SECRET", "whsecret", "pgsecret"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("vasp"));
    }
}

//! `mm7 gateway`: applications send and receive MMS over a small JSON API; the gateway queues
//! each message durably (SQLite), submits it over MM7 within the account's limits, and calls
//! the application back with signed webhooks.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use mm7_gateway::{Account, FileDefaults, Gateway, GatewayConfig, Webhook, format_duration};

use crate::credentials::{PASSWORD_ENV, mask_url, read_password_file};
use crate::error::CliError;

/// The environment variable holding the webhook secret.
const WEBHOOK_SECRET_ENV: &str = "MM7_WEBHOOK_SECRET";

/// Arguments of `mm7 gateway`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  mm7 gateway --mmsc-url https://mmsc.example.com/mm7 --user vasp --password-file pw.txt \\
      --mm7-listen 0.0.0.0:8081 --webhook-url https://app.example.com/mms-events \\
      --webhook-secret-file secret.txt --tps 5
  curl -s http://127.0.0.1:8080/v1/messages -H 'Content-Type: application/json' \\
      -H 'Idempotency-Key: order-42' \\
      -d '{\"from\":\"63901\",\"to\":[\"15551234567\"],\"subject\":\"Hi\",\"text\":\"Hello\"}'
  curl -s http://127.0.0.1:8080/v1/messages/msg_…
  mm7 gateway --config gateway.toml          (several accounts, routes: see the README)
  mm7 gateway check --config gateway.toml    (checks it, prints a summary without secrets)

POST /v1/messages answers 202 {\"id\", \"status\": \"queued\"} once the message is stored;
GET /v1/messages/ID gives its status (queued, sending, retrying, sent, delivered, read,
expired, rejected, failed, …), the MMSC's MessageID and its history. POST /v1/messages also
takes multipart/form-data (the same fields, files as attachments); DELETE /v1/messages/ID
cancels and POST /v1/messages/ID/replace {\"text\", \"attachments\"} replaces (in the queue
if not sent yet, else through the MMSC: cancelling, cancelled, replacing, replaced). The
MMSC's delivery reports, read replies and incoming messages (DeliverReq) go to --mm7-listen;
each status change and each incoming message is POSTed to --webhook-url as JSON, signed in
X-Mm7-Signature: t=UNIX,v1=hex(HMAC-SHA256(secret, \"UNIX.BODY\")), tried until a 2xx or its
expiry (24h); an expired one is kept: GET /v1/webhooks lists it, POST /v1/webhooks/retry
tries it again. Attachments may be given by URL ({\"url\": \"https://…\"}): fetched before
the 202 (2 MiB, 20 s at most). Runs until SIGINT or
SIGTERM, then finishes what is in flight; what is queued is sent after the next start.")]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(crate) struct GatewayArgs {
    #[command(subcommand)]
    command: Option<GatewayCommand>,
    /// A TOML configuration file: several accounts, routes, webhooks (see the README). The
    /// account options below are then refused; --listen, --mm7-listen, --data-dir,
    /// --database, --unmatched-report-retention and --retention given here override the
    /// file's.
    #[arg(long, value_name = "FILE", conflicts_with_all = [
        "mmsc_url", "user", "password_file", "profile", "vasp_id", "vas_id", "tps",
        "max_in_flight", "max_tries", "retry_interval", "expiry", "webhook_url",
        "webhook_secret_file", "webhook_expiry",
    ])]
    config: Option<PathBuf>,
    /// Where the JSON API answers [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// The MM7 URL of the MMSC to submit to.
    #[arg(long, value_name = "URL", required_unless_present = "config")]
    mmsc_url: Option<String>,
    /// The HTTP Basic user name for the MMSC.
    #[arg(long, value_name = "USER")]
    user: Option<String>,
    /// A file whose first line is the MMSC password (else MM7_PASSWORD).
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
    /// The provider's rules (generic, vibes, sinch, optus, ezitxt): its namespace and
    /// MM7Version, and the checks a message must pass when the API takes it (400 otherwise).
    #[arg(long, value_name = "NAME")]
    profile: Option<mm7_transport::profile::Profile>,
    /// `VASPID` in every submission.
    #[arg(long, value_name = "ID")]
    vasp_id: Option<String>,
    /// `VASID` in every submission.
    #[arg(long, value_name = "ID")]
    vas_id: Option<String>,
    /// Submissions per second at most [default: 10].
    #[arg(long, value_name = "N")]
    tps: Option<f64>,
    /// Requests to the MMSC in flight at most [default: 4].
    #[arg(long, value_name = "N")]
    max_in_flight: Option<usize>,
    /// Tries per message at most (transient failures; permanent ones fail at once)
    /// [default: 10].
    #[arg(long, value_name = "N")]
    max_tries: Option<u32>,
    /// The first wait after a transient failure (it doubles per try, to 5 minutes)
    /// [default: 2s].
    #[arg(long, value_name = "DURATION", value_parser = crate::opts::parse_duration)]
    retry_interval: Option<Duration>,
    /// How long a message is worth sending when its request names no `expiry` [default: 24h].
    #[arg(long, value_name = "DURATION", value_parser = crate::opts::parse_duration)]
    expiry: Option<Duration>,
    /// Where the MMSC sends delivery reports, read replies and incoming messages (MM7).
    #[arg(long, value_name = "ADDR")]
    mm7_listen: Option<SocketAddr>,
    /// Where status changes and incoming messages are POSTed.
    #[arg(long, value_name = "URL", requires = "webhook_secret_file")]
    webhook_url: Option<String>,
    /// A file whose first line is the webhook signing secret (else MM7_WEBHOOK_SECRET).
    #[arg(long, value_name = "FILE")]
    webhook_secret_file: Option<PathBuf>,
    /// How long a webhook is tried (with backoff) before it is kept as expired (listed by
    /// GET /v1/webhooks, tried again by POST /v1/webhooks/retry) [default: 24h].
    #[arg(long, value_name = "DURATION", requires = "webhook_url",
          value_parser = crate::opts::parse_duration)]
    webhook_expiry: Option<Duration>,
    /// Where the SQLite database lives (default: $XDG_DATA_HOME/mm7/gateway, else
    /// ~/.local/share/mm7/gateway).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// sqlite:PATH (a database file of its own), or postgres://USER:PASSWORD@HOST/DB for
    /// several gateways sharing one queue (best given in the environment, not the command line).
    /// TLS as libpq's sslmode says: ?sslmode=verify-full&sslrootcert=CA.pem (also disable, the
    /// default; prefer; require; verify-ca; sslcert= and sslkey= for a client certificate).
    #[arg(
        long,
        value_name = "URL",
        env = "MM7_DATABASE_URL",
        hide_env_values = true
    )]
    database: Option<String>,
    /// Serves no inbox (the operator's HTML pages under /inbox/ on the API's address).
    #[arg(long)]
    no_inbox: bool,
    /// How long a delivery report or read reply naming a MessageID no message has is kept
    /// for that message (listed at /inbox/failed); then it is deleted, logged and counted in
    /// /metrics (mm7_gateway_unmatched_reports_expired_total) [default: 7d].
    #[arg(long, value_name = "DURATION", value_parser = crate::opts::parse_duration)]
    unmatched_report_retention: Option<Duration>,
    /// How long what the gateway is done with is kept after its last change: submissions no
    /// longer queued (with their history), requests the MMSC sent in, parts of messages from
    /// subscribers served by URL, delivered webhooks; then they are deleted and counted in
    /// /metrics (mm7_gateway_expired_total). Submissions queued or in flight, the request of a
    /// report still waiting for its message, and the parts of a message whose webhook is not
    /// delivered are kept [default: 30d].
    #[arg(long, value_name = "DURATION", value_parser = crate::opts::parse_duration)]
    retention: Option<Duration>,
}

/// What `mm7 gateway` does besides running.
#[derive(Debug, clap::Subcommand)]
enum GatewayCommand {
    /// Checks a configuration file (its keys, URLs, secrets and certificates readable, routes
    /// naming existing accounts, profiles known) and prints a summary without secrets; exit
    /// status 0 when it holds, 2 when it does not.
    Check {
        /// The TOML configuration file.
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
    },
}

/// The default API address.
const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

fn default_listen() -> SocketAddr {
    DEFAULT_LISTEN
        .parse()
        .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 8080)))
}

/// The configuration of the command-line flags: one account, `default`.
fn from_flags(args: &GatewayArgs, mmsc_url: &str) -> Result<GatewayConfig, CliError> {
    let mut account = Account::new(mmsc_url);
    if let Some(user) = &args.user {
        let password = match &args.password_file {
            Some(path) => read_password_file(path)?,
            None => std::env::var(PASSWORD_ENV).map_err(|_| {
                CliError::Input(format!(
                    "--user needs a password: --password-file FILE or {PASSWORD_ENV}"
                ))
            })?,
        };
        account.credentials = Some((user.clone(), password));
    }
    account.vasp_id.clone_from(&args.vasp_id);
    account.profile = args.profile;
    account.vas_id.clone_from(&args.vas_id);
    let tps = args.tps.unwrap_or(10.0);
    if !(tps > 0.0 && tps.is_finite()) {
        return Err(CliError::Input("--tps must be above 0".into()));
    }
    account.tps = tps;
    account.max_in_flight = args.max_in_flight.unwrap_or(4).max(1);
    account.max_tries = args.max_tries.unwrap_or(10).max(1);
    account.retry_initial = args.retry_interval.unwrap_or(Duration::from_secs(2));
    account.expiry = args.expiry.unwrap_or(Duration::from_secs(86_400));
    let data_dir = args
        .data_dir
        .clone()
        .unwrap_or_else(|| crate::io::data_dir().join("gateway"));
    let mut config = GatewayConfig::new(
        args.listen.unwrap_or_else(default_listen),
        data_dir,
        account,
    );
    if let Some(url) = &args.webhook_url {
        let secret = match &args.webhook_secret_file {
            Some(path) => read_password_file(path)?,
            None => std::env::var(WEBHOOK_SECRET_ENV).map_err(|_| {
                CliError::Input(format!(
                    "--webhook-url needs a secret: --webhook-secret-file FILE or {WEBHOOK_SECRET_ENV}"
                ))
            })?,
        };
        if secret.is_empty() {
            return Err(CliError::Input("the webhook secret is empty".into()));
        }
        let mut webhook = Webhook::new(url.clone(), secret.into_bytes());
        if let Some(expiry) = args.webhook_expiry {
            if expiry.is_zero() {
                return Err(CliError::Input("--webhook-expiry must be above 0".into()));
            }
            webhook.expiry = expiry;
        }
        config.webhook = Some(webhook);
    }
    Ok(config)
}

/// The configuration of a file.
fn from_file(
    path: &std::path::Path,
    listen: Option<SocketAddr>,
) -> Result<GatewayConfig, CliError> {
    let defaults = FileDefaults::new(
        listen.unwrap_or_else(default_listen),
        crate::io::data_dir().join("gateway"),
    );
    GatewayConfig::from_file(path, defaults).map_err(|e| CliError::Input(e.to_string()))
}

/// Where the data lives, for people (a PostgreSQL URL without its password).
fn data_shown(config: &GatewayConfig) -> String {
    match (&config.postgres_url, &config.sqlite_file) {
        (Some(url), _) => format!("PostgreSQL {}", mask_url(url)),
        (None, Some(file)) => file.display().to_string(),
        (None, None) => config
            .data_dir
            .join("gateway.sqlite3")
            .display()
            .to_string(),
    }
}

/// The summary `mm7 gateway check` prints: everything but the secrets.
fn summary(config: &GatewayConfig) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "API: http://{}/v1/messages", config.listen);
    if config.inbox {
        let _ = writeln!(out, "Inbox: http://{}/inbox/", config.listen);
    }
    match config.mm7_listen {
        Some(addr) => {
            let auth = if config.mm7_credentials.is_some() {
                " (Basic authentication required)"
            } else {
                ""
            };
            let _ = writeln!(out, "MM7 endpoint: http://{addr}/mm7{auth}");
        }
        None => {
            let _ = writeln!(
                out,
                "MM7 endpoint: none (no delivery reports nor incoming messages)"
            );
        }
    }
    let _ = writeln!(out, "data: {}", data_shown(config));
    let default = config
        .default_account
        .clone()
        .or_else(|| config.accounts.first().map(|a| a.name.clone()))
        .unwrap_or_default();
    for account in &config.accounts {
        let marker = if account.name == default {
            " (default)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "account {}{marker}: {}",
            account.name,
            mask_url(&account.url)
        );
        let user = account
            .credentials
            .as_ref()
            .map_or("none".to_owned(), |(user, _)| {
                format!("{user} (password set)")
            });
        let profile = account.profile.map_or("none", |p| p.name());
        let _ = writeln!(
            out,
            "  user {user}, profile {profile}, {} per second, {} in flight, {} tries from {} up to {} apart, expiry {}, timeout {}",
            account.tps,
            account.max_in_flight,
            account.max_tries,
            format_duration(account.retry_initial),
            format_duration(account.max_backoff),
            format_duration(account.expiry),
            format_duration(account.timeout)
        );
        if let Some(namespace) = &account.namespace {
            let _ = writeln!(out, "  namespace {namespace}");
        }
        if let Some(version) = &account.mm7_version {
            let _ = writeln!(out, "  MM7Version {version}");
        }
        if account.client_certificate.is_some() {
            let _ = writeln!(out, "  client certificate set");
        }
    }
    for route in &config.routes {
        let _ = writeln!(out, "route {}* -> {}", route.prefix, route.account);
    }
    match &config.webhook {
        Some(webhook) => {
            let tries = if webhook.max_tries == u32::MAX {
                String::new()
            } else {
                format!(", {} tries at most", webhook.max_tries)
            };
            let _ = writeln!(
                out,
                "webhook: {} (signed, tried for {}{tries})",
                mask_url(&webhook.url),
                format_duration(webhook.expiry)
            );
        }
        None => {
            let _ = writeln!(out, "webhook: none");
        }
    }
    let _ = writeln!(
        out,
        "attachments by URL: {} bytes at most, {} to connect, {} in all, {} redirects",
        config.fetch.max_size,
        format_duration(config.fetch.connect_timeout),
        format_duration(config.fetch.timeout),
        config.fetch.max_redirects
    );
    let _ = writeln!(
        out,
        "reports whose MessageID no message has: kept {}, then deleted and counted",
        format_duration(config.unmatched_report_retention)
    );
    let _ = writeln!(
        out,
        "finished submissions, requests received, parts of incoming messages, delivered \
         webhooks: kept {}, then deleted and counted",
        format_duration(config.retention)
    );
    let parts = match config.mo.parts {
        mm7_gateway::MoParts::Url => "as URLs".to_owned(),
        mm7_gateway::MoParts::InlineUpTo(n) => format!("inline up to {n} bytes, else as URLs"),
        _ => "inline".to_owned(),
    };
    let _ = writeln!(
        out,
        "parts of incoming messages: {parts} (URLs under {})",
        mask_url(&config.public_url())
    );
    for route in &config.mo_routes {
        let _ = writeln!(
            out,
            "mo_route short code {} keyword {} -> {}",
            route.short_code.as_deref().unwrap_or("any"),
            route.keyword.as_deref().unwrap_or("any"),
            mask_url(&route.webhook_url)
        );
    }
    out
}

/// The configuration `mm7 gateway` runs with: the file's or the flags', with the flags that
/// override a file's applied, checked.
fn configured(args: &GatewayArgs) -> Result<GatewayConfig, CliError> {
    let mut config = match (&args.config, &args.mmsc_url) {
        (Some(path), _) => from_file(path, args.listen)?,
        (None, Some(url)) => from_flags(args, url)?,
        (None, None) => {
            return Err(CliError::Input(
                "give --mmsc-url (one account) or --config FILE".into(),
            ));
        }
    };
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    if let Some(addr) = args.mm7_listen {
        config.mm7_listen = Some(addr);
    }
    if args.no_inbox {
        config.inbox = false;
    }
    if let Some(retention) = args.unmatched_report_retention {
        config.unmatched_report_retention = retention;
    }
    if let Some(retention) = args.retention {
        config.retention = retention;
    }
    if let Some(dir) = &args.data_dir {
        config.data_dir.clone_from(dir);
    }
    if let Some(url) = &args.database {
        config
            .set_database(url, std::path::Path::new(""))
            .map_err(|_| {
                CliError::Input(
                    "--database takes sqlite:PATH or a postgres:// URL (default: SQLite in --data-dir)"
                        .into(),
                )
            })?;
    }
    config
        .validate()
        .map_err(|e| CliError::Input(e.to_string()))?;
    Ok(config)
}

/// Runs `mm7 gateway` until SIGINT or SIGTERM (or `mm7 gateway check`).
pub(crate) fn run(args: &GatewayArgs) -> Result<(), CliError> {
    if let Some(GatewayCommand::Check { config }) = &args.command {
        let config = from_file(config, None)?;
        crate::io::stdout(summary(&config).as_bytes())?;
        crate::io::stderr_line("the configuration holds");
        return Ok(());
    }
    let config = configured(args)?;
    let data = data_shown(&config);
    let inbox = config.inbox;
    crate::runtime()?.block_on(async move {
        let running = Gateway::start(config)
            .await
            .map_err(|e| CliError::Local(e.to_string()))?;
        crate::io::stderr_line(&format!(
            "mm7 gateway listening on http://{}/v1/messages (data: {data})",
            running.api_addr(),
        ));
        if let Some(addr) = running.mm7_addr() {
            crate::io::stderr_line(&format!("mm7 gateway MM7 endpoint: http://{addr}/mm7"));
        }
        if inbox {
            crate::io::stderr_line(&format!(
                "mm7 gateway inbox: http://{}/inbox/",
                running.api_addr()
            ));
        }
        crate::serve::stopped().await;
        crate::io::stderr_line("mm7 gateway stopping: finishing what is in flight");
        running.shutdown().await;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;

    /// The gateway's configuration from `mm7 gateway ARGS…`.
    fn configured_by(args: &[&str]) -> Result<GatewayConfig, String> {
        let cli = crate::Cli::try_parse_from(["mm7", "gateway"].iter().chain(args))
            .map_err(|e| e.to_string())?;
        match cli.command {
            crate::Command::Gateway(args) => configured(&args).map_err(|e| e.to_string()),
            other => panic!("not the gateway: {other:?}"),
        }
    }

    #[test]
    fn unmatched_reports_are_kept_a_week_unless_the_flag_says() {
        let url = ["--mmsc-url", "http://127.0.0.1:9/mm7"];
        let retention = |extra: &[&str]| {
            configured_by(&[url.as_slice(), extra].concat())
                .map(|config| config.unmatched_report_retention)
        };
        assert_eq!(
            retention(&[]),
            Ok(mm7_gateway::DEFAULT_UNMATCHED_REPORT_RETENTION)
        );
        assert_eq!(
            retention(&["--unmatched-report-retention", "36h"]),
            Ok(Duration::from_secs(36 * 3600))
        );
        assert_eq!(
            retention(&["--unmatched-report-retention", "2d"]),
            Ok(Duration::from_secs(2 * 86_400))
        );
        let error = retention(&["--unmatched-report-retention", "soon"]).unwrap_err();
        assert!(
            error.contains("--unmatched-report-retention") && error.contains("not a duration"),
            "{error}"
        );
        // Zero would delete each report as it arrives: refused.
        let error = retention(&["--unmatched-report-retention", "0s"]).unwrap_err();
        assert!(error.contains("unmatched_report_retention"), "{error}");
    }

    #[test]
    fn the_flag_overrides_the_file_and_check_shows_the_retention() {
        let dir = std::env::temp_dir().join(format!("mm7-cli-retention-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("gateway.toml");
        std::fs::write(
            &file,
            "[gateway]\nunmatched_report_retention = \"3d\"\nretention = \"45d\"\n\
             [[account]]\nname = \"us\"\nurl = \"http://127.0.0.1:9/mm7\"\n",
        )
        .unwrap();
        let path = file.to_str().unwrap();
        let from_file = configured_by(&["--config", path]).unwrap();
        assert_eq!(
            from_file.unmatched_report_retention,
            Duration::from_secs(3 * 86_400)
        );
        let shown = summary(&from_file);
        assert!(
            shown.contains("reports whose MessageID no message has: kept 3 days"),
            "{shown}"
        );
        let overridden =
            configured_by(&["--config", path, "--unmatched-report-retention", "90m"]).unwrap();
        assert_eq!(
            overridden.unmatched_report_retention,
            Duration::from_secs(90 * 60)
        );
        // The retention of finished work: the file's, shown, and the flag's over it.
        assert_eq!(from_file.retention, Duration::from_secs(45 * 86_400));
        assert!(
            shown.contains(
                "finished submissions, requests received, parts of incoming messages, delivered \
                 webhooks: kept 45 days"
            ),
            "{shown}"
        );
        let overridden = configured_by(&["--config", path, "--retention", "1 week"]).unwrap();
        assert_eq!(overridden.retention, Duration::from_secs(7 * 86_400));
        assert_eq!(
            configured_by(&["--mmsc-url", "http://127.0.0.1:9/mm7"])
                .unwrap()
                .retention,
            mm7_gateway::DEFAULT_RETENTION
        );
        let error = configured_by(&["--config", path, "--retention", "0"]).unwrap_err();
        assert!(error.contains("retention must be above 0"), "{error}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

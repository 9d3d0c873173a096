//! `mm7 gateway`: applications send and receive MMS over a small JSON API; the gateway queues
//! each message durably (SQLite), submits it over MM7 within the account's limits, and calls
//! the application back with signed webhooks.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use mm7_gateway::{Account, Gateway, GatewayConfig, Webhook};

use crate::credentials::{PASSWORD_ENV, read_password_file};
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

POST /v1/messages answers 202 {\"id\", \"status\": \"queued\"} once the message is stored;
GET /v1/messages/ID gives its status (queued, sending, retrying, sent, delivered, read,
expired, rejected, failed, …), the MMSC's MessageID and its history. The MMSC's delivery
reports, read replies and incoming messages (DeliverReq) go to --mm7-listen; each status change
and each incoming message is POSTed to --webhook-url as JSON, signed in X-Mm7-Signature:
t=UNIX,v1=hex(HMAC-SHA256(secret, \"UNIX.BODY\")). Runs until SIGINT or SIGTERM, then finishes
what is in flight; what is queued is sent after the next start.")]
pub(crate) struct GatewayArgs {
    /// Where the JSON API answers.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The MM7 URL of the MMSC to submit to.
    #[arg(long, value_name = "URL")]
    mmsc_url: String,
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
    /// Submissions per second at most.
    #[arg(long, value_name = "N", default_value_t = 10.0)]
    tps: f64,
    /// Requests to the MMSC in flight at most.
    #[arg(long, value_name = "N", default_value_t = 4)]
    max_in_flight: usize,
    /// Tries per message at most (transient failures; permanent ones fail at once).
    #[arg(long, value_name = "N", default_value_t = 10)]
    max_tries: u32,
    /// The first wait after a transient failure (it doubles per try, to 5 minutes).
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = crate::opts::parse_duration)]
    retry_interval: Duration,
    /// How long a message is worth sending when its request names no `expiry`.
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = crate::opts::parse_duration)]
    expiry: Duration,
    /// Where the MMSC sends delivery reports, read replies and incoming messages (MM7).
    #[arg(long, value_name = "ADDR")]
    mm7_listen: Option<SocketAddr>,
    /// Where status changes and incoming messages are POSTed.
    #[arg(long, value_name = "URL", requires = "webhook_secret_file")]
    webhook_url: Option<String>,
    /// A file whose first line is the webhook signing secret (else MM7_WEBHOOK_SECRET).
    #[arg(long, value_name = "FILE")]
    webhook_secret_file: Option<PathBuf>,
    /// Where the SQLite database lives (default: $XDG_DATA_HOME/mm7/gateway, else
    /// ~/.local/share/mm7/gateway).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// sqlite:PATH (a database file of its own), or postgres://USER:PASSWORD@HOST/DB for
    /// several gateways sharing one queue (best given in the environment, not the command line).
    #[arg(
        long,
        value_name = "URL",
        env = "MM7_DATABASE_URL",
        hide_env_values = true
    )]
    database: Option<String>,
}

/// Runs `mm7 gateway` until SIGINT or SIGTERM.
pub(crate) fn run(args: &GatewayArgs) -> Result<(), CliError> {
    let mut account = Account::new(args.mmsc_url.clone());
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
    if !(args.tps > 0.0 && args.tps.is_finite()) {
        return Err(CliError::Input("--tps must be above 0".into()));
    }
    account.tps = args.tps;
    account.max_in_flight = args.max_in_flight.max(1);
    account.max_tries = args.max_tries.max(1);
    account.retry_initial = args.retry_interval;
    account.expiry = args.expiry;
    let data_dir = args
        .data_dir
        .clone()
        .unwrap_or_else(|| crate::io::data_dir().join("gateway"));
    let mut config = GatewayConfig::new(args.listen, data_dir.clone(), account);
    config.mm7_listen = args.mm7_listen;
    let data = match &args.database {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            config.postgres_url = Some(url.clone());
            format!("PostgreSQL {}", crate::credentials::mask_url(url))
        }
        Some(url) if url.starts_with("sqlite:") => {
            let file = PathBuf::from(&url["sqlite:".len()..]);
            let shown = file.display().to_string();
            config.sqlite_file = Some(file);
            shown
        }
        Some(_) => {
            return Err(CliError::Input(
                "--database takes sqlite:PATH or a postgres:// URL (default: SQLite in --data-dir)"
                    .into(),
            ));
        }
        None => data_dir.display().to_string(),
    };
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
        webhook.max_tries = 20;
        config.webhook = Some(webhook);
    }
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
        crate::serve::stopped().await;
        crate::io::stderr_line("mm7 gateway stopping: finishing what is in flight");
        running.shutdown().await;
        Ok(())
    })
}

//! The options of `mm7 mmsc`, and the settings they make.

use std::time::Duration;

use mm7_model::MmStatus;
use mm7_transport::client::CallbackPolicy;
use mm7_transport::profile::Profile;
use mm7_transport::server::DEFAULT_BODY_LIMIT;

use crate::credentials::read_password_file;
use crate::error::CliError;
use crate::opts;
use crate::serve::{ServerArgs, ServerSettings};

/// Where the mock MMSC's inbox answers unless told otherwise (`--ui`, `--no-ui`).
pub(crate) const DEFAULT_UI: &str = "127.0.0.1:8025";

/// Arguments of `mm7 mmsc`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  mm7 mmsc --listen 127.0.0.1:7007
  mm7 mmsc --listen 127.0.0.1:7007 --user vasp --password s3cret --store ./mmsc-store \\
      --dlr-after 2s --dlr-status Retrieved --callback-url http://127.0.0.1:7008/dlr
  mm7 send --url http://127.0.0.1:7007/mm7 --from 63901 --to 15551234567 --text hi --dlr
  mm7 mmsc --listen 127.0.0.1:7007 --profile sinch --dlr-after 1s \\
      --callback-url http://127.0.0.1:7008/dlr

Under --profile NAME (generic, vibes, sinch or mblox, optus, ezitxt) the mock answers as
that provider documents: it refuses a SubmitReq that breaks the provider's rules with the
provider's status (vibes: DeliveryReport true without X-Vibes-DlrCallbackUrl, 2000; sinch:
numbers with '+' or '00', 2002), answers 413 above vibes's 1 MB, prints the rules it lets
through as events, sends delivery reports under the provider's retry policy (sinch: 6
tries, 5 minutes apart, 10 s each) and version (optus, ezitxt: REL-6-MM7-1-4 with 5.3.0),
stores the SMIL presentation optus and ezitxt generate for a message without one
(generated.smil), and listens on the provider's path (vibes: /mms/mm7/submit).

Every request is committed to the store in DIR (default: $XDG_DATA_HOME/mm7/mmsc, else
~/.local/share/mm7/mmsc; one SQLite database, mm7.sqlite3) before it is answered: the
request as received (credentials masked), what `mm7 decode` prints, and its attachments.
`mm7 store list DIR`, `show`, `export` and `outbox` read it. A retry of a request (same user
and TransactionID within --retry-window) gets the first answer again. A delivery report
goes to each recipient's callback: the request's X-Vibes-DlrCallbackUrl header, else
--callback-url; none is sent when the SubmitReq says <DeliveryReport>false</DeliveryReport>.
Reports are outbox rows committed with the submission: they survive a restart, are tried
again after a failure that may pass (doubling waits from --callback-interval), and are kept
as failed after the last try (`mm7 store outbox DIR --retry` sends them again). One line per
answer and event on standard output (--json: JSON). Runs until SIGINT or SIGTERM, then
finishes the requests in flight and exits 0.")]
pub(crate) struct MmscArgs {
    /// The address to listen on (port 0 picks a free one).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7007")]
    listen: String,
    #[command(flatten)]
    server: ServerArgs,
    /// How long after a submission its delivery reports are sent.
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = opts::parse_duration)]
    dlr_after: Duration,
    /// The MMStatus the delivery reports carry (Retrieved, Rejected, Expired, …).
    #[arg(long, value_name = "STATUS", default_value = "Retrieved", value_parser = parse_mm_status)]
    dlr_status: MmStatus,
    /// Where delivery reports go when the request names no X-Vibes-DlrCallbackUrl. A URL
    /// naming a user without a password (`http://mmsc@host/dlr`) takes the password from
    /// --callback-password-file or MM7_CALLBACK_PASSWORD.
    #[arg(long, value_name = "URL")]
    callback_url: Option<String>,
    /// The password for a callback URL that names only its user: the file's first line.
    #[arg(long, value_name = "FILE")]
    callback_password_file: Option<std::path::PathBuf>,
    /// Tries per delivery report [default: 5, the providers' policy; 6 under --profile sinch].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100))]
    callback_tries: Option<u32>,
    /// The wait between tries of a delivery report [default: 5m, the providers' policy].
    #[arg(long, value_name = "DURATION", value_parser = opts::parse_duration)]
    callback_interval: Option<Duration>,
    /// Sends a ReadReplyReq (status Read) this long after a submission that asked for one
    /// (`<ReadReply>true</ReadReply>`); none without this option.
    #[arg(long, value_name = "DURATION", value_parser = opts::parse_duration)]
    read_reply_after: Option<Duration>,
    /// Answers as this provider does: generic, vibes, sinch (or mblox), optus, ezitxt.
    #[arg(long, value_name = "NAME")]
    profile: Option<Profile>,
    /// The largest request accepted, in bytes (413 above it).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_BODY_LIMIT)]
    body_limit: usize,
    /// Prints one JSON object per event.
    #[arg(long)]
    pub(super) json: bool,
}

/// An MMStatus by its name, any case.
fn parse_mm_status(text: &str) -> Result<MmStatus, String> {
    MmStatus::KNOWN
        .iter()
        .find(|k| k.eq_ignore_ascii_case(text.trim()))
        .map(|k| MmStatus::parse(k))
        .ok_or_else(|| format!("expected one of {}", MmStatus::KNOWN.join(", ")))
}

/// How the MMSC runs, whatever started it.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) server: ServerSettings,
    pub(crate) dlr_after: Duration,
    pub(crate) dlr_status: MmStatus,
    pub(crate) callback_url: Option<String>,
    pub(crate) callback: CallbackPolicy,
    pub(crate) profile: Profile,
    pub(crate) read_reply_after: Option<Duration>,
    /// The password of a callback URL that names only its user (never stored, never printed).
    pub(crate) callback_password: Option<String>,
}

/// The environment variable the callbacks' password can come from.
pub(crate) const CALLBACK_PASSWORD_ENV: &str = "MM7_CALLBACK_PASSWORD";

impl Settings {
    /// The settings `args` give, the callback password read from its file or the environment.
    pub(crate) fn new(args: &MmscArgs) -> Result<Settings, CliError> {
        let callback_password = match &args.callback_password_file {
            Some(path) => Some(read_password_file(path)?),
            None => std::env::var(CALLBACK_PASSWORD_ENV).ok(),
        };
        Ok(Settings {
            callback_password,
            ..Settings::from(args)
        })
    }
}

impl From<&MmscArgs> for Settings {
    fn from(args: &MmscArgs) -> Settings {
        Settings {
            callback_password: None,
            server: ServerSettings {
                ui_vasp_url: args.callback_url.clone(),
                ..args
                    .server
                    .settings(&args.listen, args.body_limit, DEFAULT_UI)
            },
            dlr_after: args.dlr_after,
            dlr_status: args.dlr_status.clone(),
            callback_url: args.callback_url.clone(),
            callback: callback_policy(args),
            profile: args.profile.unwrap_or_default(),
            read_reply_after: args.read_reply_after,
        }
    }
}

/// The profile's callback policy (the default one without a profile that documents it), with
/// what the user gave over it.
fn callback_policy(args: &MmscArgs) -> CallbackPolicy {
    let mut policy = args
        .profile
        .and_then(Profile::callback_policy)
        .unwrap_or_default();
    if let Some(tries) = args.callback_tries {
        policy = policy.with_max_tries(tries);
    }
    if let Some(interval) = args.callback_interval {
        policy = policy.with_interval(interval);
    }
    policy
}

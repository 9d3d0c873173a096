//! `mm7 mmsc`: a mock MMSC for integration tests, as MailHog is for SMTP.
//!
//! It accepts `SubmitReq`, `CancelReq` and `ReplaceReq` through the transport's server (so
//! with its authentication, limits and decoding checks), answers with a MessageID, stores
//! every request, and after a delay reports delivery to each recipient with a
//! `DeliveryReportReq` to the callback URL, under the callback retry policy.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use mm7_model::{
    Address, CancelReq, CancelRsp, DeliveryReportReq, Mm7Version, MmStatus, Namespace, Part,
    ReplaceReq, ReplaceRsp, StatusCode, SubmitReq, SubmitRsp,
};
use mm7_transport::client::{CallbackPolicy, Client};
use mm7_transport::profile::{Profile, Violation};
use mm7_transport::server::{
    DEFAULT_BODY_LIMIT, Handler, HandlerError, HandlerResult, Inbound, Mm7Service, Role,
    ServerConfig,
};
use serde_json::json;
use tokio::net::TcpListener;

use crate::client;
use crate::error::CliError;
use crate::events::Events;
use crate::opts;
use crate::serve::{self, Captures};
use crate::store::{Received, Store};

/// The header with which Vibes-style VASPs name their delivery-report URL per request.
const DLR_CALLBACK_HEADER: &str = "x-vibes-dlrcallbackurl";

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

Every request is stored in DIR (default: $XDG_DATA_HOME/mm7/mmsc, else
~/.local/share/mm7/mmsc) as request.http (credentials masked), message.json (what
`mm7 decode` prints) and attachments/. A delivery report goes to each recipient's
callback: the request's X-Vibes-DlrCallbackUrl header, else --callback-url; none is sent
when the SubmitReq says <DeliveryReport>false</DeliveryReport>. The address and store are
printed on standard error at start; one line per event on standard output (--json: JSON).
Runs until interrupted.")]
pub(crate) struct MmscArgs {
    /// The address to listen on (port 0 picks a free one).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7007")]
    listen: String,
    /// Requires HTTP Basic authentication with this user name.
    #[arg(long, value_name = "USER", requires = "password")]
    user: Option<String>,
    /// …and this password.
    #[arg(long, value_name = "PASSWORD", requires = "user")]
    password: Option<String>,
    /// Where to store the received messages.
    #[arg(long, value_name = "DIR")]
    store: Option<PathBuf>,
    /// How long after a submission its delivery reports are sent.
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = opts::parse_duration)]
    dlr_after: Duration,
    /// The MMStatus the delivery reports carry (Retrieved, Rejected, Expired, …).
    #[arg(long, value_name = "STATUS", default_value = "Retrieved", value_parser = parse_mm_status)]
    dlr_status: MmStatus,
    /// Where delivery reports go when the request names no X-Vibes-DlrCallbackUrl.
    #[arg(long, value_name = "URL")]
    callback_url: Option<String>,
    /// Tries per delivery report [default: 5, the providers' policy; 6 under --profile sinch].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100))]
    callback_tries: Option<u32>,
    /// The wait between tries of a delivery report [default: 5m, the providers' policy].
    #[arg(long, value_name = "DURATION", value_parser = opts::parse_duration)]
    callback_interval: Option<Duration>,
    /// Answers as this provider does: generic, vibes, sinch (or mblox), optus, ezitxt.
    #[arg(long, value_name = "NAME")]
    profile: Option<Profile>,
    /// The largest request accepted, in bytes (413 above it).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_BODY_LIMIT)]
    body_limit: usize,
    /// Prints one JSON object per event.
    #[arg(long)]
    json: bool,
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
    pub(crate) listen: String,
    pub(crate) credentials: Option<(String, String)>,
    pub(crate) store: Option<PathBuf>,
    pub(crate) dlr_after: Duration,
    pub(crate) dlr_status: MmStatus,
    pub(crate) callback_url: Option<String>,
    pub(crate) callback: CallbackPolicy,
    pub(crate) body_limit: usize,
    pub(crate) profile: Profile,
}

impl From<&MmscArgs> for Settings {
    fn from(args: &MmscArgs) -> Settings {
        Settings {
            listen: args.listen.clone(),
            credentials: args.user.clone().zip(args.password.clone()),
            store: args.store.clone(),
            dlr_after: args.dlr_after,
            dlr_status: args.dlr_status.clone(),
            callback_url: args.callback_url.clone(),
            callback: callback_policy(args),
            body_limit: args.body_limit,
            profile: args.profile.unwrap_or_default(),
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

/// Runs `mm7 mmsc` until the process is stopped.
pub(crate) fn run(args: &MmscArgs) -> Result<(), CliError> {
    let settings = Settings::from(args);
    let events = Events::print(args.json);
    // The server answers on any path; the one printed is where the provider takes
    // submissions, so that a client checking the provider's URL is satisfied.
    let path = settings.profile.submit_path().unwrap_or("/mm7");
    crate::runtime()?.block_on(async move {
        let running = start(settings, events).await?;
        crate::io::stderr_line(&format!(
            "mm7 mmsc listening on http://{}{path} (store: {})",
            running.addr,
            running.store.display()
        ));
        std::future::pending::<()>().await;
        Ok(())
    })
}

/// A started MMSC.
#[derive(Debug)]
pub(crate) struct Running {
    pub(crate) addr: SocketAddr,
    pub(crate) store: PathBuf,
}

/// Binds, and serves on a task of the current runtime.
pub(crate) async fn start(settings: Settings, events: Events) -> Result<Running, CliError> {
    let store = Store::open(settings.store.as_deref(), "mmsc")?;
    let listener = TcpListener::bind(&settings.listen)
        .await
        .map_err(|e| CliError::Local(format!("cannot listen on {}: {e}", settings.listen)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| CliError::Local(format!("cannot listen on {}: {e}", settings.listen)))?;
    let mut config = settings
        .profile
        .server_config(ServerConfig::new(Role::Mmsc).with_body_limit(settings.body_limit));
    if let Some((user, password)) = &settings.credentials {
        config = config.with_basic_auth(user.clone(), password.clone());
    }
    let root = store.root().to_owned();
    let captures = Arc::new(Captures::default());
    let run_id = client::now()
        .map(|t| format!("{:x}", t.to_unix()))
        .unwrap_or_default();
    let mmsc = Mmsc(Arc::new(State {
        store,
        captures: Arc::clone(&captures),
        events,
        settings,
        run_id,
        next_id: AtomicU64::new(1),
        messages: Mutex::new(HashMap::new()),
    }));
    tokio::spawn(serve::serve(
        listener,
        Mm7Service::new(config, mmsc),
        captures,
    ));
    Ok(Running { addr, store: root })
}

struct State {
    store: Store,
    captures: Arc<Captures>,
    events: Events,
    settings: Settings,
    run_id: String,
    next_id: AtomicU64,
    /// MessageID → whether it was cancelled.
    messages: Mutex<HashMap<String, bool>>,
}

#[derive(Clone)]
struct Mmsc(Arc<State>);

impl State {
    fn store<T: Clone + Into<mm7_model::Message>>(
        &self,
        inbound: &Inbound<T>,
    ) -> HandlerResult<crate::store::Stored> {
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

    /// The profile's judgement of a submission: the rules it lets through, or the provider's
    /// refusal (also printed as an event).
    fn screen(&self, inbound: &Inbound<SubmitReq>) -> HandlerResult<Vec<Violation>> {
        let profile = self.settings.profile;
        profile.screen_submit(inbound).inspect_err(|refusal| {
            let status = refusal.status();
            self.events.emit(
                &format!(
                    "SubmitReq {} refused under the {profile} profile: {}",
                    inbound.transaction_id,
                    client::status_line(status)
                ),
                json!({
                    "event": "SubmitRefused",
                    "profile": profile.name(),
                    "transaction_id": inbound.transaction_id,
                    "status_code": status.code.get(),
                    "status_text": status.text,
                }),
            );
        })
    }

    /// Prints a rule of the profile that a submission breaks without being refused.
    fn note(&self, transaction_id: &str, violation: &Violation) {
        let profile = self.settings.profile;
        self.events.emit(
            &format!("SubmitReq {transaction_id} under the {profile} profile: {violation}"),
            json!({
                "event": "ProfileNote",
                "profile": profile.name(),
                "transaction_id": transaction_id,
                "violation": client::violation_json(violation),
            }),
        );
    }

    /// Stores, next to a submission without SMIL, the presentation its provider's MMSC
    /// would generate for it (optus, ezitxt).
    fn store_generated_smil(&self, inbound: &Inbound<SubmitReq>, dir: &Path) -> HandlerResult<()> {
        let profile = self.settings.profile;
        let tx = &inbound.transaction_id;
        // The presentation references the media parts, not the multipart that holds them.
        let leaves: Vec<Part> = inbound
            .attachments
            .iter()
            .flat_map(Part::leaves)
            .cloned()
            .collect();
        let (human, value) = match profile.generated_smil(&leaves) {
            Ok(None) => return Ok(()),
            Ok(Some(smil)) => {
                let path = dir.join("generated.smil");
                let data = smil.data().map(|d| d.as_ref()).unwrap_or_default();
                crate::io::write_file(&path, data).map_err(|e| {
                    HandlerError::server_error(format!("cannot store the message: {e}"))
                })?;
                (
                    format!("generated a SMIL presentation: {}", path.display()),
                    json!({"event": "GeneratedSmil", "profile": profile.name(),
                           "transaction_id": tx, "generated_smil": path}),
                )
            }
            // The provider's MMSC would deliver the message without a presentation.
            Err(e) => (
                format!("no SMIL presentation generated: {e}"),
                json!({"event": "GeneratedSmil", "profile": profile.name(),
                       "transaction_id": tx, "error": e.to_string()}),
            ),
        };
        self.events.emit(
            &format!("SubmitReq {tx} under the {profile} profile: {human}"),
            value,
        );
        Ok(())
    }

    fn cancelled(&self, message_id: &str) -> bool {
        self.messages
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(message_id)
            .copied()
            .unwrap_or(false)
    }
}

impl Handler for Mmsc {
    async fn submit(&self, inbound: Inbound<SubmitReq>) -> HandlerResult<SubmitRsp> {
        let state = &self.0;
        let notes = state.screen(&inbound)?;
        let stored = state.store(&inbound)?;
        for note in &notes {
            state.note(&inbound.transaction_id, note);
        }
        state.store_generated_smil(&inbound, &stored.dir)?;
        let n = state.next_id.fetch_add(1, Ordering::Relaxed);
        let message_id = format!("{}-{n:04}", state.run_id);
        state
            .messages
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(message_id.clone(), false);
        let req = &inbound.request;
        let recipients: Vec<Address> = req.recipients.iter().cloned().collect();
        let names: Vec<&str> = recipients.iter().map(|a| a.value.as_str()).collect();
        let parts = stored.report["attachments"].as_array().map_or(0, Vec::len);
        state.events.emit(
            &format!(
                "SubmitReq {} to {} ({parts} part{}) → MessageID {message_id}, stored in {}",
                inbound.transaction_id,
                names.join(", "),
                if parts == 1 { "" } else { "s" },
                stored.dir.display()
            ),
            json!({
                "event": "SubmitReq",
                "transaction_id": inbound.transaction_id,
                "message_id": message_id,
                "recipients": names,
                "attachments": parts,
                "store": stored.dir,
            }),
        );
        let callback = inbound
            .headers
            .get(DLR_CALLBACK_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .or_else(|| state.settings.callback_url.clone());
        match callback {
            Some(url) if req.delivery_report != Some(false) => {
                let sender = req
                    .sender_identification
                    .as_ref()
                    .and_then(|s| {
                        s.sender_address.clone().or_else(|| {
                            s.vas_id.clone().or(s.vasp_id.clone()).map(Address::short_code)
                        })
                    })
                    .unwrap_or_else(|| Address::short_code("0"));
                // Without a documented callback version, the report answers in the
                // namespace and version the VASP used.
                let (namespace, mm7_version) = match state.settings.profile.callback_version() {
                    Some(pair) => (
                        Namespace::canonical(pair.schema),
                        Mm7Version::new(pair.mm7_version),
                    ),
                    None => (inbound.namespace.clone(), inbound.mm7_version.clone()),
                };
                let report = Report {
                    state: Arc::clone(&self.0),
                    url,
                    namespace,
                    mm7_version,
                    message_id: message_id.clone(),
                    sender,
                    recipients,
                };
                tokio::spawn(report.send_later());
            }
            Some(_) => {}
            None => state.events.emit(
                &format!(
                    "no delivery report for {message_id}: no X-Vibes-DlrCallbackUrl and no --callback-url"
                ),
                json!({"event": "NoCallback", "message_id": message_id}),
            ),
        }
        Ok(SubmitRsp::success(inbound.mm7_version.clone(), message_id))
    }

    async fn cancel(&self, inbound: Inbound<CancelReq>) -> HandlerResult<CancelRsp> {
        let state = &self.0;
        let stored = state.store(&inbound)?;
        let message_id = &inbound.request.message_id;
        let known = state
            .messages
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_mut(message_id)
            .map(|cancelled| *cancelled = true)
            .is_some();
        state.events.emit(
            &format!(
                "CancelReq {} for {message_id}: {}",
                inbound.transaction_id,
                if known {
                    "cancelled"
                } else {
                    "unknown MessageID (2005)"
                }
            ),
            json!({
                "event": "CancelReq",
                "transaction_id": inbound.transaction_id,
                "message_id": message_id,
                "known": known,
                "store": stored.dir,
            }),
        );
        if !known {
            return Err(HandlerError::from_code(StatusCode::MESSAGE_ID_NOT_FOUND));
        }
        Ok(CancelRsp::success(inbound.mm7_version.clone()))
    }

    async fn replace(&self, inbound: Inbound<ReplaceReq>) -> HandlerResult<ReplaceRsp> {
        let state = &self.0;
        let stored = state.store(&inbound)?;
        let message_id = &inbound.request.message_id;
        let known = state
            .messages
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains_key(message_id);
        state.events.emit(
            &format!(
                "ReplaceReq {} for {message_id}: {}",
                inbound.transaction_id,
                if known {
                    "content replaced"
                } else {
                    "unknown MessageID (2005)"
                }
            ),
            json!({
                "event": "ReplaceReq",
                "transaction_id": inbound.transaction_id,
                "message_id": message_id,
                "known": known,
                "store": stored.dir,
            }),
        );
        if !known {
            return Err(HandlerError::from_code(StatusCode::MESSAGE_ID_NOT_FOUND));
        }
        Ok(ReplaceRsp::success(inbound.mm7_version.clone()))
    }
}

/// The delivery reports of one submission.
struct Report {
    state: Arc<State>,
    url: String,
    namespace: Namespace,
    mm7_version: Mm7Version,
    message_id: String,
    sender: Address,
    recipients: Vec<Address>,
}

impl Report {
    async fn send_later(self) {
        let state = &self.state;
        tokio::time::sleep(state.settings.dlr_after).await;
        if state.cancelled(&self.message_id) {
            state.events.emit(
                &format!("no delivery report for {}: cancelled", self.message_id),
                json!({"event": "DeliveryReportSkipped", "message_id": self.message_id}),
            );
            return;
        }
        let client = Client::builder(&self.url)
            .namespace(self.namespace.uri())
            .mm7_version(self.mm7_version.clone())
            .callback_policy(state.settings.callback.clone())
            .build();
        let client = match client {
            Ok(client) => client,
            Err(error) => {
                state.events.emit(
                    &format!("cannot send delivery reports to {}: {error}", self.url),
                    json!({"event": "DeliveryReportReq", "message_id": self.message_id,
                           "callback_url": self.url, "delivered": false,
                           "error": error.to_string()}),
                );
                return;
            }
        };
        let status = &state.settings.dlr_status;
        for recipient in &self.recipients {
            let Some(date) = client::now() else {
                state.events.emit(
                    "cannot date a delivery report: the system clock is outside 1970-9999",
                    json!({"event": "DeliveryReportReq", "message_id": self.message_id,
                           "delivered": false, "error": "system clock out of range"}),
                );
                return;
            };
            let req = DeliveryReportReq::new(
                self.mm7_version.clone(),
                self.message_id.clone(),
                recipient.clone(),
                self.sender.clone(),
                date,
                status.clone(),
            );
            let outcome = client.delivery_report(req).await;
            let tries = outcome.tries;
            let (human, error) = match &outcome.outcome {
                Ok(rsp) => (client::status_line(&rsp.status), None),
                Err(e) => (format!("failed: {e}"), Some(e.to_string())),
            };
            state.events.emit(
                &format!(
                    "DeliveryReportReq {} for {}: {status} → {}: {human} ({tries} tr{})",
                    self.message_id,
                    recipient.value,
                    self.url,
                    if tries == 1 { "y" } else { "ies" }
                ),
                json!({
                    "event": "DeliveryReportReq",
                    "message_id": self.message_id,
                    "recipient": recipient.value,
                    "mm_status": status.as_str(),
                    "callback_url": self.url,
                    "delivered": outcome.is_delivered(),
                    "tries": tries,
                    "error": error,
                }),
            );
        }
    }
}

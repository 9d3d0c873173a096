//! `mm7 vasp`: a VASP receiver for integration tests. It answers `DeliverReq`,
//! `DeliveryReportReq` and `ReadReplyReq` with success, prints each as a JSON line, and stores
//! it with its attachments.

use std::sync::Arc;

use mm7_model::{
    DeliverReq, DeliverRsp, DeliveryReportReq, DeliveryReportRsp, ReadReplyReq, ReadReplyRsp,
    Status,
};
use mm7_transport::server::{DEFAULT_BODY_LIMIT, Handler, HandlerResult, Inbound, Role};
use serde_json::Value;

use crate::error::CliError;
use crate::events::Events;
use crate::serve::{self, Keeper, Running, ServerArgs, ServerSettings};

/// Where the VASP receiver's inbox answers unless told otherwise (`--ui`, `--no-ui`).
const DEFAULT_UI: &str = "127.0.0.1:8026";

/// Arguments of `mm7 vasp`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  mm7 vasp --listen 127.0.0.1:7008
  mm7 vasp --listen 127.0.0.1:7008 --user mmsc --password s3cret --store ./vasp-store
  mm7 deliver --url http://127.0.0.1:7008/mm7 --from 15551234567 --to 63901 --text hi

Prints on standard output one JSON line per message received: what `mm7 decode` prints for
it, plus \"id\", its row in the store (`mm7 store show DIR ID`), and one JSON line per
answer given (\"event\": \"Answered\", refusals included); --text prints readable lines
instead (one per message and one per answer: peer, HTTP status, MM7 status, reason). Messages are committed to the
store in DIR (default: $XDG_DATA_HOME/mm7/vasp, else ~/.local/share/mm7/vasp; one SQLite
database) before they are answered; `mm7 store list DIR` lists them and `mm7 store export`
writes request.http, message.json and attachments/. The address and store are printed on
standard error at start. Runs until SIGINT or SIGTERM, then finishes the requests in flight
and exits 0.")]
pub(crate) struct VaspArgs {
    /// The address to listen on (port 0 picks a free one).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7008")]
    listen: String,
    #[command(flatten)]
    server: ServerArgs,
    /// The largest request accepted, in bytes (413 above it).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_BODY_LIMIT)]
    body_limit: usize,
    /// Prints readable lines instead of JSON lines.
    #[arg(long)]
    text: bool,
}

/// Runs `mm7 vasp` until the process is stopped.
pub(crate) fn run(args: &VaspArgs) -> Result<(), CliError> {
    let settings = args
        .server
        .settings(&args.listen, args.body_limit, DEFAULT_UI);
    serve::run_until_stopped("vasp", "/mm7", start(settings, Events::print(!args.text)))
}

/// Binds, and serves on a task of the current runtime.
pub(crate) async fn start(settings: ServerSettings, events: Events) -> Result<Running, CliError> {
    let config = settings.config(Role::Vasp);
    serve::start("vasp", &settings, config, &events.clone(), |keeper| {
        Vasp(Arc::new(State { keeper, events }))
    })
    .await
}

struct State {
    keeper: Keeper,
    events: Events,
}

#[derive(Clone)]
struct Vasp(Arc<State>);

impl Vasp {
    /// Stores and reports a request; `summary` is the readable line's text.
    async fn receive<T: Clone + Into<mm7_model::Message>>(
        &self,
        inbound: &Inbound<T>,
        summary: String,
    ) -> HandlerResult<()> {
        let state = &self.0;
        let kept = state
            .keeper
            .keep(inbound, None, Vec::new(), Vec::new())
            .await?;
        let mut line = kept.report;
        let id = kept.accepted.id;
        if let Value::Object(map) = &mut line {
            map.insert("id".to_owned(), Value::from(id));
            map.insert("duplicate".to_owned(), Value::from(kept.accepted.duplicate));
        }
        let note = if kept.accepted.duplicate {
            " (a retry: already stored)"
        } else {
            ""
        };
        state
            .events
            .emit(&format!("{summary}; store id {id}{note}"), line);
        Ok(())
    }
}

impl Handler for Vasp {
    async fn deliver(&self, inbound: Inbound<DeliverReq>) -> HandlerResult<DeliverRsp> {
        let req = &inbound.request;
        let parts: usize = inbound.attachments.iter().map(|p| p.leaves().count()).sum();
        let summary = format!(
            "DeliverReq {} from {}: {:?} ({parts} part{})",
            inbound.transaction_id,
            req.sender
                .as_ref()
                .map_or("an anonymous sender", |s| s.value.as_str()),
            req.subject.as_deref().unwrap_or(""),
            if parts == 1 { "" } else { "s" }
        );
        self.receive(&inbound, summary).await?;
        Ok(DeliverRsp::new(
            inbound.mm7_version.clone(),
            Status::success(),
        ))
    }

    async fn delivery_report(
        &self,
        inbound: Inbound<DeliveryReportReq>,
    ) -> HandlerResult<DeliveryReportRsp> {
        let req = &inbound.request;
        let summary = format!(
            "DeliveryReportReq for MessageID {}: {} to {}",
            req.message_id, req.mm_status, req.recipient.value
        );
        self.receive(&inbound, summary).await?;
        Ok(DeliveryReportRsp::success(inbound.mm7_version.clone()))
    }

    async fn read_reply(&self, inbound: Inbound<ReadReplyReq>) -> HandlerResult<ReadReplyRsp> {
        let req = &inbound.request;
        let summary = format!("ReadReplyReq for MessageID {}", req.message_id);
        self.receive(&inbound, summary).await?;
        Ok(ReadReplyRsp::success(inbound.mm7_version.clone()))
    }
}

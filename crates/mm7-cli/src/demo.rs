//! `mm7 demo`: the whole MM7 loop on loopback, in one process. A mock MMSC and a VASP
//! receiver start on free ports; a picture message with a SMIL presentation is submitted;
//! the MMSC's delivery report reaches the VASP; a subscriber's reply (MO) is delivered to
//! the VASP; and the stores are shown.

use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;
use mm7_model::{Address, DeliverReq, MmStatus, Part, SenderIdentification, SubmitReq};
use mm7_transport::client::{CallbackPolicy, Client, SendOptions};
use mm7_transport::profile::Profile;
use serde_json::Value;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use crate::attach::{self, SmilChoice};
use crate::client;
use crate::error::CliError;
use crate::events::Events;
use crate::serve::ServerSettings;
use crate::{io, mmsc, opts, vasp};

/// The picture the demo sends: 32 × 32 pixels of a ringed planet.
const PICTURE: &[u8] = include_bytes!("../assets/saturn.png");

const VASP_SHORT_CODE: &str = "63901";
const SUBSCRIBER: &str = "15551234567";

/// Arguments of `mm7 demo`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  mm7 demo
  cargo run --release -p mm7-cli -- demo
  mm7 demo --store /tmp/mm7-demo

Starts `mm7 mmsc` and `mm7 vasp` on free 127.0.0.1 ports, sends a picture message with a
SMIL presentation (as `mm7 send --smil auto --dlr` would), shows the SubmitRsp, the
delivery report arriving at the VASP, and a subscriber's reply delivered to the VASP
(as `mm7 deliver` would), then lists the stores and the `mm7 store` commands that read them. Exit status 0 when the
whole loop ran; 1 when a step failed or timed out; 3 when a store cannot be written.")]
pub(crate) struct DemoArgs {
    /// Where the MMSC and the VASP store what they receive (`DIR/mmsc`, `DIR/vasp`; default:
    /// `demo/` in the user's data directory).
    #[arg(long, value_name = "DIR")]
    store: Option<PathBuf>,
    /// How long to wait for each step.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = opts::parse_duration)]
    timeout: Duration,
    /// After the loop, serves the web inbox of the MMSC (and of the VASP on the next free
    /// port) and stays up until Ctrl-C; ADDR defaults to 127.0.0.1:8025.
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = "127.0.0.1:8025")]
    ui: Option<String>,
}

/// Runs `mm7 demo`.
pub(crate) fn run(args: &DemoArgs) -> Result<(), CliError> {
    let root = args
        .store
        .clone()
        .unwrap_or_else(|| io::data_dir().join("demo"));
    crate::runtime()?.block_on(demo(&root, args.timeout, args.ui.as_deref()))
}

fn say(line: &str) -> Result<(), CliError> {
    io::stdout_line(line)
}

async fn demo(root: &Path, timeout: Duration, ui: Option<&str>) -> Result<(), CliError> {
    let (tap, mut seen) = unbounded_channel();
    let vasp = vasp::start(
        ServerSettings::new("127.0.0.1:0", root.join("vasp")),
        Events::labelled("vasp", tap.clone()),
    )
    .await?;
    let vasp_url = format!("http://{}/mm7", vasp.addr);
    let mmsc = mmsc::start(
        mmsc::Settings {
            server: ServerSettings {
                credentials: Some(("demo-vasp".to_owned(), "demo-password".to_owned())),
                ..ServerSettings::new("127.0.0.1:0", root.join("mmsc"))
            },
            dlr_after: Duration::from_millis(500),
            dlr_status: MmStatus::Retrieved,
            callback_url: None,
            callback: CallbackPolicy::default()
                .with_max_tries(3)
                .with_interval(Duration::from_secs(1)),
            profile: Profile::Generic,
            read_reply_after: None,
            callback_password: None,
        },
        Events::labelled("mmsc", tap),
    )
    .await?;
    let mmsc_url = format!("http://{}/mm7", mmsc.addr);
    say(&format!("MMSC (mock) listening on {mmsc_url}"))?;
    say(&format!("VASP receiver listening on {vasp_url}"))?;
    say("")?;

    say(&format!(
        "1. The VASP submits a picture message with SMIL to {SUBSCRIBER}, asking for a delivery report"
    ))?;
    let mut parts =
        vec![Part::new("image/png", Bytes::from_static(PICTURE)).with_content_id("saturn.png")];
    attach::insert_text(&mut parts, "New pictures of Saturn, fresh from the probe.");
    let (content, reference) = attach::content(parts, Some(&SmilChoice::Auto))?
        .ok_or_else(|| CliError::Local("the demo message has no content".to_owned()))?;
    let submitter = Client::builder(&mmsc_url)
        .basic_auth("demo-vasp", "demo-password")
        .timeout(timeout)
        .header("X-Vibes-DlrCallbackUrl", &vasp_url)
        .build()
        .map_err(|e| client::failure(&e, &mmsc_url))?;
    let mut req = SubmitReq::default();
    req.mm7_version = submitter.mm7_version().clone();
    req.subject = Some("Saturn".to_owned());
    req.delivery_report = Some(true);
    req.content = Some(reference);
    req.sender_identification = Some(SenderIdentification {
        vasp_id: Some("demo".to_owned()),
        vas_id: Some("news".to_owned()),
        sender_address: Some(Address::short_code(VASP_SHORT_CODE)),
    });
    req.recipients.to.push(Address::number(SUBSCRIBER));
    let rsp = submitter
        .submit_with(req, vec![content], SendOptions::new())
        .await
        .map_err(|e| client::failure(&e, &mmsc_url))?;
    let message_id = rsp.message.message_id.clone().unwrap_or_default();
    say(&format!(
        "   SubmitRsp: {}, MessageID {message_id}",
        client::status_line(&rsp.status)
    ))?;
    say("")?;

    say("2. The MMSC reports the delivery to the VASP")?;
    wait_for(
        &mut seen,
        "the delivery report reaching the VASP",
        timeout,
        at_vasp("DeliveryReportReq"),
    )
    .await?;
    // …and the MMSC hearing the VASP's answer, so that its line comes before the next step.
    wait_for(
        &mut seen,
        "the VASP's answer to the report",
        timeout,
        |event| event["event"] == "DeliveryReportReq" && event["delivered"] == true,
    )
    .await?;
    say("")?;

    say(&format!(
        "3. The subscriber {SUBSCRIBER} replies; the MMSC delivers the reply (MO) to the VASP"
    ))?;
    let deliverer = Client::builder(&vasp_url)
        .timeout(timeout)
        .callback_policy(CallbackPolicy::once().with_timeout(timeout))
        .build()
        .map_err(|e| client::failure(&e, &vasp_url))?;
    let mut mo = DeliverReq::new(deliverer.mm7_version().clone(), Address::number(SUBSCRIBER));
    mo.recipients.to.push(Address::short_code(VASP_SHORT_CODE));
    mo.subject = Some("Re: Saturn".to_owned());
    mo.linked_id = Some(message_id);
    mo.time_stamp = client::now();
    let text = Part::text("Wonderful! Are there more of these?").with_content_id("reply.txt");
    mo.content = Some(mm7_model::ContentRef::cid("reply.txt"));
    let outcome = deliverer
        .deliver_with(mo, vec![text], SendOptions::new())
        .await;
    let rsp = outcome
        .outcome
        .map_err(|e| client::failure(&e, &vasp_url))?;
    say(&format!(
        "   DeliverRsp: {}",
        client::status_line(&rsp.status)
    ))?;
    wait_for(
        &mut seen,
        "the reply reaching the VASP",
        timeout,
        at_vasp("DeliverReq"),
    )
    .await?;
    say("")?;

    say("4. The stores (SQLite; every message committed before it was acknowledged)")?;
    for (who, dir) in [("MMSC", &mmsc.store), ("VASP", &vasp.store)] {
        let reader = mm7_store::Reader::open(dir).map_err(|e| CliError::Local(e.to_string()))?;
        let messages = reader.list().map_err(|e| CliError::Local(e.to_string()))?;
        say(&format!(
            "   {who}: {} message{} — mm7 store list {}",
            messages.len(),
            if messages.len() == 1 { "" } else { "s" },
            dir.display()
        ))?;
        for m in messages.iter().rev().take(3).rev() {
            say(&format!(
                "     {:>4}  {} {}",
                m.id, m.operation, m.transaction_id
            ))?;
        }
    }
    let last = |dir: &Path| -> Result<i64, CliError> {
        let reader = mm7_store::Reader::open(dir).map_err(|e| CliError::Local(e.to_string()))?;
        let messages = reader.list().map_err(|e| CliError::Local(e.to_string()))?;
        Ok(messages.first().map_or(1, |m| m.id))
    };
    let id = last(&mmsc.store)?;
    let mmsc_dir = mmsc.store.display();
    let out = root.join("exported");
    say("   Read them with:")?;
    say(&format!("     mm7 store show {mmsc_dir} {id}"))?;
    say(&format!(
        "     mm7 store export {mmsc_dir} {id} {}   (request.http, message.json, attachments/)",
        out.display()
    ))?;
    say(&format!(
        "     mm7 decode {}",
        out.join("request.http").display()
    ))?;
    say(&format!("     mm7 store outbox {mmsc_dir} --all"))?;
    if let Some(listen) = ui {
        // The inbox of the demo asks for no credentials: it binds where it is told (loopback
        // by default) and the demo's stores hold nothing but the demo.
        let mmsc_ui =
            crate::ui::start(listen, mmsc.store.clone(), None, Some(vasp_url.clone())).await?;
        let vasp_ui = crate::ui::start("127.0.0.1:0", vasp.store.clone(), None, None).await?;
        say("")?;
        say(&format!("5. The inbox: {}", crate::ui::url(mmsc_ui)))?;
        say(&format!(
            "   (the VASP's: {}); Ctrl-C to stop",
            crate::ui::url(vasp_ui)
        ))?;
        let _ = tokio::signal::ctrl_c().await;
    } else {
        say("   See them in a browser: mm7 demo --ui   (the inbox on http://127.0.0.1:8025/)")?;
    }
    mmsc.stop().await;
    vasp.stop().await;
    Ok(())
}

/// Waits until a server reports an event that `wanted` accepts; fails at once when the
/// MMSC gives up on a delivery report.
async fn wait_for(
    seen: &mut UnboundedReceiver<Value>,
    what: &str,
    timeout: Duration,
    wanted: impl Fn(&Value) -> bool,
) -> Result<(), CliError> {
    let wait = async {
        while let Some(event) = seen.recv().await {
            if wanted(&event) {
                return Ok(());
            }
            if event["event"] == "DeliveryReportReq" && event["delivered"] == false {
                return Err(CliError::Peer(format!(
                    "the MMSC could not deliver its report: {}",
                    event["error"].as_str().unwrap_or("unknown error")
                )));
            }
        }
        Err(CliError::Local("the servers stopped".to_owned()))
    };
    tokio::time::timeout(timeout, wait)
        .await
        .unwrap_or_else(|_| {
            Err(CliError::Peer(format!(
                "{what} did not happen within {timeout:?}"
            )))
        })
}

/// A message of `operation` stored by the VASP.
fn at_vasp(operation: &'static str) -> impl Fn(&Value) -> bool {
    move |event| event["message"] == operation
}

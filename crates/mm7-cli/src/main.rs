//! `mm7`: decode and encode 3GPP MM7 (TS 23.140) messages, send MMS through an MMSC, and run a
//! mock MMSC or VASP for integration tests.
//!
//! Exit statuses: 0 success; 1 the peer refused or failed; 2 bad input; 3 a local failure
//! (see `error.rs`).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod attach;
mod cancel;
mod client;
mod credentials;
mod decode;
mod deliver;
mod demo;
mod encode;
mod error;
mod events;
mod gateway;
mod io;
mod mmsc;
mod opts;
mod replace;
mod report;
mod send;
mod serve;
mod store;
mod ui;
mod vasp;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::CliError;

/// MM7 (3GPP TS 23.140) from the command line: the SOAP interface between applications
/// (VASPs) and MMS centres (MMSCs).
#[derive(Debug, Parser)]
#[command(
    name = "mm7",
    version,
    after_help = "\
Examples:
  mm7 demo                      the whole loop on loopback, files kept in ~/.local/share/mm7/demo
  mm7 send --url https://mmsc.example.com/mm7 --user U --password P \\
      --from 63901 --to 15551234567 --text 'Hello' --attach photo.jpg --smil auto --dlr
  mm7 decode capture.http       a captured request or response as JSON
  mm7 mmsc --listen 127.0.0.1:7007   a mock MMSC to test an application against
  mm7 report --url http://127.0.0.1:7008/mm7 --message-id mmsc-000001 \\
      --recipient 15551234567 --sender 63901 --status Retrieved
                                a delivery report to a VASP, as an MMSC sends it
  mm7 read-reply --url http://127.0.0.1:7008/mm7 --message-id mmsc-000001 \\
      --recipient 15551234567 --sender 63901 --status Read
                                a read reply to a VASP, as an MMSC sends it
  MM7_PASSWORD=P mm7 send --url https://mmsc.example.com/mm7 --user U --cacert ca.pem \\
      --transfer-encoding base64 --from 63901 --to 15551234567 --attach photo.jpg
                                the password from the environment, a private CA, base64 parts

Exit status:
  0  success
  1  the peer refused or failed (MM7 error status, SOAP Fault, HTTP 401/403/413/5xx,
     connection refused, timeout)
  2  bad input (invalid arguments, unreadable file, undecodable message, unknown extension)
  3  local failure (port in use, store not writable)"
)]
struct Cli {
    /// More diagnostics on standard error (-v: info, -vv: debug, -vvv: trace); RUST_LOG
    /// overrides (e.g. RUST_LOG=mm7_transport=debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decodes a captured MM7 HTTP message and prints it as JSON.
    Decode(decode::DecodeArgs),
    /// Encodes a JSON view and attachments as an MM7 HTTP message.
    Encode(encode::EncodeArgs),
    /// Sends a message (SubmitReq) to an MMSC and prints the answer.
    Send(send::SendArgs),
    /// Cancels a message sent earlier (CancelReq).
    Cancel(cancel::CancelArgs),
    /// Replaces the content of a message sent earlier (ReplaceReq).
    Replace(replace::ReplaceArgs),
    /// Runs a mock MMSC for integration tests: stores messages, sends delivery reports.
    Mmsc(mmsc::MmscArgs),
    /// Runs a VASP receiver: answers and stores DeliverReq, DeliveryReportReq, ReadReplyReq.
    Vasp(vasp::VaspArgs),
    /// Posts a mobile-originated message (DeliverReq) to a VASP, as an MMSC does.
    Deliver(deliver::DeliverArgs),
    /// Posts a delivery report (DeliveryReportReq) to a VASP, as an MMSC does.
    Report(report::ReportArgs),
    /// Posts a read reply (ReadReplyReq) to a VASP, as an MMSC does.
    ReadReply(report::ReadReplyArgs),
    /// Runs the whole loop on loopback: MMSC, VASP, a picture message, its report, a reply.
    Demo(demo::DemoArgs),
    /// Reads the store of `mm7 mmsc` / `mm7 vasp`: list, show, export, outbox.
    Store(store::StoreArgs),
    /// Runs a gateway: a JSON API for applications, a durable queue, MM7 to an MMSC, webhooks.
    Gateway(gateway::GatewayArgs),
}

fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Decode(args) => decode::run(&args),
        Command::Encode(args) => encode::run(&args),
        Command::Send(args) => send::run(&args),
        Command::Cancel(args) => cancel::run(&args),
        Command::Replace(args) => replace::run(&args),
        Command::Mmsc(args) => mmsc::run(&args),
        Command::Vasp(args) => vasp::run(&args),
        Command::Deliver(args) => deliver::run(&args),
        Command::Report(args) => report::run_report(&args),
        Command::ReadReply(args) => report::run_read_reply(&args),
        Command::Demo(args) => demo::run(&args),
        Command::Store(args) => store::run(&args),
        Command::Gateway(args) => gateway::run(&args),
    }
}

/// The runtime of the networked subcommands.
fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::Local(format!("cannot start the async runtime: {e}")))
}

/// Diagnostics (`tracing` events of the libraries) on standard error, as `RUST_LOG` or `-v`
/// ask; errors only by default.
fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "error",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colours for a terminal only: a log file or a pipe gets plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        // Its own errors go through `eprintln!`, which panics when standard error is a closed
        // pipe: a server must go on answering when its terminal goes away.
        .log_internal_errors(false)
        .try_init();
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.verbose);
    match run(cli) {
        Ok(()) => ExitCode::from(error::EXIT_OK),
        Err(e) => {
            io::stderr_line(&format!("error: {e}"));
            if let Some(hint) = e.hint() {
                io::stderr_line(&format!("  note: {hint}"));
            }
            ExitCode::from(e.exit_code())
        }
    }
}

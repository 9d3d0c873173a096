//! `mm7 cancel`: a `CancelReq` for a message submitted earlier.

use mm7_model::CancelReq;
use mm7_transport::client::SendOptions;

use crate::client::{self, EndpointArgs, ProfileArgs, VaspIdArgs};
use crate::error::CliError;
use crate::opts::VersionArgs;

/// Arguments of `mm7 cancel`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  mm7 cancel --url https://mmsc.example.com/mm7 --user vasp --password s3cret \\
      --message-id 041502073667
  mm7 cancel --url http://127.0.0.1:7007/mm7 --message-id mmsc-000001 --json

Exit status 0 when the MMSC cancelled the message; 1 when it refused (e.g. 2005 for an
unknown MessageID) or could not be reached.")]
pub(crate) struct CancelArgs {
    #[command(flatten)]
    endpoint: EndpointArgs,
    /// The MessageID the MMSC gave the message.
    #[arg(long, value_name = "ID")]
    message_id: String,
    #[command(flatten)]
    ids: VaspIdArgs,
    #[command(flatten)]
    version: VersionArgs,
    #[command(flatten)]
    profile: ProfileArgs,
}

/// Runs `mm7 cancel`.
pub(crate) fn run(args: &CancelArgs) -> Result<(), CliError> {
    let client = args.endpoint.client(&args.version, &args.profile)?;
    let mut req = CancelReq::default();
    req.mm7_version = client::mm7_version(&client, &args.version);
    req.message_id = args.message_id.clone();
    // Every schema but the oldest requires the element, even empty.
    req.sender_identification = Some(args.ids.identification(None));
    let outcome = crate::runtime()?.block_on(client.cancel_with(req, SendOptions::new()));
    let done = format!("{} cancelled", args.message_id);
    args.endpoint.print_answer(outcome, &args.message_id, &done)
}

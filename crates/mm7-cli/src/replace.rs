//! `mm7 replace`: a `ReplaceReq` giving a message submitted earlier new content.

use mm7_model::ReplaceReq;
use mm7_transport::client::SendOptions;

use crate::client::{self, EndpointArgs, ProfileArgs, VaspIdArgs};
use crate::error::CliError;
use crate::opts::VersionArgs;
use crate::send::ContentArgs;

/// Arguments of `mm7 replace`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  mm7 replace --url https://mmsc.example.com/mm7 --user vasp --password s3cret \\
      --message-id 041502073667 --text 'Corrected: the show starts at 8' --attach poster.png
  mm7 replace --url http://127.0.0.1:7007/mm7 --message-id mmsc-000001 --text new --json

Exit status 0 when the MMSC replaced the content; 1 when it refused or could not be
reached; 2 for bad input.")]
pub(crate) struct ReplaceArgs {
    #[command(flatten)]
    endpoint: EndpointArgs,
    /// The MessageID the MMSC gave the message.
    #[arg(long, value_name = "ID")]
    message_id: String,
    #[command(flatten)]
    content: ContentArgs,
    #[command(flatten)]
    ids: VaspIdArgs,
    #[command(flatten)]
    version: VersionArgs,
    #[command(flatten)]
    profile: ProfileArgs,
}

/// Runs `mm7 replace`.
pub(crate) fn run(args: &ReplaceArgs) -> Result<(), CliError> {
    let (content, attachments) = args.content.load(true)?;
    let client = args.endpoint.client(&args.version, &args.profile)?;
    let mut req = ReplaceReq::default();
    req.mm7_version = client::mm7_version(&client, &args.version);
    req.message_id = args.message_id.clone();
    req.content = content;
    // Every schema but the oldest requires the element, even empty.
    req.sender_identification = Some(args.ids.identification(None));
    let outcome =
        crate::runtime()?.block_on(client.replace_with(req, attachments, SendOptions::new()));
    let done = format!("the content of {} was replaced", args.message_id);
    args.endpoint.print_answer(outcome, &args.message_id, &done)
}

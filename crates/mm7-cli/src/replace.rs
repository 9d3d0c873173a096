//! `mm7 replace`: a `ReplaceReq` giving a message submitted earlier new content.

use mm7_model::{ReplaceReq, SenderIdentification};
use mm7_transport::client::SendOptions;
use serde_json::json;

use crate::client::{self, EndpointArgs, ProfileArgs};
use crate::error::CliError;
use crate::io;
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
    /// VASPID, as the provider assigned it.
    #[arg(long, value_name = "ID")]
    vasp_id: Option<String>,
    /// VASID, as the provider assigned it.
    #[arg(long, value_name = "ID")]
    vas_id: Option<String>,
    #[command(flatten)]
    version: VersionArgs,
    #[command(flatten)]
    profile: ProfileArgs,
}

/// Runs `mm7 replace`.
pub(crate) fn run(args: &ReplaceArgs) -> Result<(), CliError> {
    let content = args.content.content(true)?;
    let client = args.endpoint.client(&args.version, &args.profile)?;
    let mut req = ReplaceReq {
        mm7_version: client::mm7_version(&client, &args.version),
        message_id: args.message_id.clone(),
        ..ReplaceReq::default()
    };
    // Every schema but the oldest requires the element, even empty.
    req.sender_identification = Some(SenderIdentification {
        vasp_id: args.vasp_id.clone(),
        vas_id: args.vas_id.clone(),
        sender_address: None,
    });
    let mut attachments = Vec::new();
    if let Some((part, reference)) = content {
        req.content = Some(reference);
        attachments.push(part);
    }
    let outcome =
        crate::runtime()?.block_on(client.replace_with(req, attachments, SendOptions::new()));
    match outcome {
        Ok(rsp) => {
            if args.endpoint.json {
                let value = json!({
                    "ok": true,
                    "status_code": rsp.status.code.get(),
                    "status_text": rsp.status.text,
                    "message_id": args.message_id,
                    "transaction_id": rsp.transaction_id,
                });
                io::stdout_line(&value.to_string())
            } else {
                io::stdout_line(&format!(
                    "{}: the content of {} was replaced",
                    client::status_line(&rsp.status),
                    args.message_id
                ))
            }
        }
        Err(error) => {
            let cli = client::failure(&error, &args.endpoint.url);
            if args.endpoint.json {
                io::stdout_line(&client::failure_json(&error, &cli).to_string())?;
            }
            Err(cli)
        }
    }
}

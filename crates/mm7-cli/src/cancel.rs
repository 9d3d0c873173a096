//! `mm7 cancel`: a `CancelReq` for a message submitted earlier.

use mm7_model::{CancelReq, SenderIdentification};
use mm7_transport::client::SendOptions;
use serde_json::json;

use crate::client::{self, EndpointArgs, ProfileArgs};
use crate::error::CliError;
use crate::io;
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

/// Runs `mm7 cancel`.
pub(crate) fn run(args: &CancelArgs) -> Result<(), CliError> {
    let client = args.endpoint.client(&args.version, &args.profile)?;
    let mut req = CancelReq {
        mm7_version: client::mm7_version(&client, &args.version),
        message_id: args.message_id.clone(),
        ..CancelReq::default()
    };
    // Every schema but the oldest requires the element, even empty.
    req.sender_identification = Some(SenderIdentification {
        vasp_id: args.vasp_id.clone(),
        vas_id: args.vas_id.clone(),
        sender_address: None,
    });
    let outcome = crate::runtime()?.block_on(client.cancel_with(req, SendOptions::new()));
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
                    "{}: {} cancelled",
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

//! `mm7 send`: a `SubmitReq` to an MMSC, and what it answered.

use std::path::PathBuf;

use mm7_model::{Address, Part, SenderIdentification, SubmitReq};
use mm7_transport::client::SendOptions;
use mm7_transport::profile::Profile;
use serde_json::json;

use crate::attach::{self, SmilChoice};
use crate::client::{self, EndpointArgs, ProfileArgs};
use crate::error::CliError;
use crate::io;
use crate::opts::VersionArgs;

/// The content options shared by `send`, `replace` and `deliver`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct ContentArgs {
    /// A text part (placed after the first picture or video, as its caption).
    #[arg(long, value_name = "TEXT")]
    pub(crate) text: Option<String>,
    /// Files to attach, in order; the media type comes from the extension (jpg, gif, png,
    /// bmp, tiff, heic, amr, mp3, midi, wav, au, mp4, 3gp, avi, mov, txt, vcf, ics, smil).
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub(crate) attach: Vec<PathBuf>,
    /// A SMIL presentation: `auto` makes one (a slide per picture or video, with the text
    /// that follows it), or give a .smil file (it names each attachment as `cid:FILENAME`,
    /// and the --text part as `cid:text.txt`).
    #[arg(long, value_name = "auto|FILE")]
    pub(crate) smil: Option<SmilChoice>,
}

impl ContentArgs {
    /// The content part and its reference, after warning about media types that handsets
    /// may not render (unless `media_warnings` is false: a profile that reports them).
    pub(crate) fn content(
        &self,
        media_warnings: bool,
    ) -> Result<Option<(Part, mm7_model::ContentRef)>, CliError> {
        let mut parts = attach::load_files(&self.attach)?;
        if media_warnings {
            for warning in attach::compatibility_warnings(&parts) {
                io::stderr_line(&format!("warning: {warning}"));
            }
        }
        if let Some(text) = &self.text {
            attach::insert_text(&mut parts, text);
        }
        attach::content(parts, self.smil.as_ref())
    }
}

/// Arguments of `mm7 send`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  mm7 send --url https://mmsc.example.com/mm7 --user vasp --password s3cret \\
      --from 63901 --to 15551234567 --subject 'Saturn' \\
      --text 'New pictures of Saturn' --attach saturn.jpg --smil auto --dlr
  mm7 send --url http://127.0.0.1:7007/mm7 --from 63901 --to 15551234567 --text hi --json
  mm7 send --url $URL --from 63901 --to 15551234567 --attach card.vcf \\
      --mm7-version 5.3.0 --namespace REL-5-MM7-1-3 --header 'X-Vibes-CarrierCode: 102'
  mm7 send --profile vibes --url https://messageapi-mms.vibesapps.com/mms/mm7/submit \\
      --user U --password P --from 63901 --to 15551234567 --text hi --dlr \\
      --header 'X-Vibes-DlrCallbackUrl: https://example.com/dlr'

Prints the status code and text and the MessageID. Exit status 0 on success (1000) and
partial success (1100, with a warning); 1 when the MMSC refused or could not be reached;
2 for bad input (a missing file, an unknown extension, a message the --profile refuses:
each problem is printed on a line of its own, and nothing is sent).

Profiles (--profile NAME): generic (TS 23.140 as is), vibes, sinch (or mblox), optus,
ezitxt. Each sets its provider's namespace and MM7Version and checks the message against
the provider's documents: recipients' number format, required and unsupported elements,
headers, body size.")]
pub(crate) struct SendArgs {
    #[command(flatten)]
    endpoint: EndpointArgs,
    /// The sender: a short code, a number, or an e-mail address.
    #[arg(long, value_name = "SENDER", value_parser = client::parse_address)]
    from: Address,
    /// A recipient (repeatable).
    #[arg(long, value_name = "NUMBER", required = true, value_parser = client::parse_address)]
    to: Vec<Address>,
    /// A Cc recipient (repeatable).
    #[arg(long, value_name = "NUMBER", value_parser = client::parse_address)]
    cc: Vec<Address>,
    /// A Bcc recipient (repeatable).
    #[arg(long, value_name = "NUMBER", value_parser = client::parse_address)]
    bcc: Vec<Address>,
    /// The subject.
    #[arg(long, value_name = "S")]
    subject: Option<String>,
    #[command(flatten)]
    content: ContentArgs,
    /// Asks for delivery reports.
    #[arg(long)]
    dlr: bool,
    /// Asks for read reports.
    #[arg(long)]
    read_reply: bool,
    /// VASPID, as the provider assigned it.
    #[arg(long, value_name = "ID")]
    vasp_id: Option<String>,
    /// VASID, as the provider assigned it.
    #[arg(long, value_name = "ID")]
    vas_id: Option<String>,
    /// ServiceCode (billing), as the provider assigned it.
    #[arg(long, value_name = "CODE")]
    service_code: Option<String>,
    /// The TransactionID (a unique one is made otherwise).
    #[arg(long, value_name = "ID")]
    transaction_id: Option<String>,
    #[command(flatten)]
    version: VersionArgs,
    #[command(flatten)]
    profile: ProfileArgs,
}

/// Whether the profile reports partial-compatibility media types itself (so `send` does not
/// print them twice).
fn profile_reports_media(profile: Option<Profile>) -> bool {
    matches!(profile, Some(Profile::Optus | Profile::Ezitxt))
}

/// Runs `mm7 send`.
pub(crate) fn run(args: &SendArgs) -> Result<(), CliError> {
    let content = args
        .content
        .content(!profile_reports_media(args.profile.profile))?;
    let client = args.endpoint.client(&args.version, &args.profile)?;
    let mut req = SubmitReq {
        mm7_version: client::mm7_version(&client, &args.version),
        subject: args.subject.clone(),
        service_code: args.service_code.clone(),
        delivery_report: args.dlr.then_some(true),
        read_reply: args.read_reply.then_some(true),
        ..SubmitReq::default()
    };
    req.sender_identification = Some(SenderIdentification {
        vasp_id: args.vasp_id.clone(),
        vas_id: args.vas_id.clone(),
        sender_address: Some(args.from.clone()),
    });
    req.recipients.to.clone_from(&args.to);
    req.recipients.cc.clone_from(&args.cc);
    req.recipients.bcc.clone_from(&args.bcc);
    let mut attachments = Vec::new();
    if let Some((part, reference)) = content {
        req.content = Some(reference);
        attachments.push(part);
    }
    let mut options = SendOptions::new();
    if let Some(id) = &args.transaction_id {
        options = options.with_transaction_id(id);
    }
    let url = args.endpoint.url.clone();
    let outcome = crate::runtime()?.block_on(client.submit_with(req, attachments, options));
    match outcome {
        Ok(rsp) => {
            let message_id = rsp.message.message_id.clone();
            if args.endpoint.json {
                let value = json!({
                    "ok": true,
                    "status_code": rsp.status.code.get(),
                    "status_text": rsp.status.text,
                    "message_id": message_id,
                    "transaction_id": rsp.transaction_id,
                    "http_status": rsp.http_status.as_u16(),
                    "partial": rsp.is_partial(),
                    "warnings": rsp.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    "profile_warnings": rsp.profile_warnings.iter().map(client::violation_json).collect::<Vec<_>>(),
                });
                io::stdout_line(&value.to_string())?;
            } else {
                io::stdout_line(&format!(
                    "{} (TransactionID {})",
                    client::status_line(&rsp.status),
                    rsp.transaction_id
                ))?;
                io::stdout_line(&format!(
                    "MessageID: {}",
                    message_id.as_deref().unwrap_or("(none given)")
                ))?;
            }
            client::print_profile_warnings(&rsp.profile_warnings);
            if rsp.is_partial() {
                io::stderr_line(
                    "warning: partial success: the MMSC refused some of the recipients",
                );
            }
            Ok(())
        }
        Err(error) => {
            let cli = client::failure(&error, &url);
            if args.endpoint.json {
                io::stdout_line(&client::failure_json(&error, &cli).to_string())?;
            }
            Err(cli)
        }
    }
}

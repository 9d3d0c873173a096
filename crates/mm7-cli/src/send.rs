//! `mm7 send`: a `SubmitReq` to an MMSC, and what it answered.

use std::path::PathBuf;

use mm7_model::{Address, ContentRef, Part, SubmitReq};
use mm7_transport::client::SendOptions;
use mm7_transport::profile::Profile;
use serde_json::json;

use crate::attach::{self, SmilChoice};
use crate::client::{self, EndpointArgs, ProfileArgs, VaspIdArgs};
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
    /// The content's reference and the attachments that carry it (none without content),
    /// after warning about media types that handsets may not render (unless
    /// `media_warnings` is false: a profile that reports them).
    pub(crate) fn load(
        &self,
        media_warnings: bool,
    ) -> Result<(Option<ContentRef>, Vec<Part>), CliError> {
        let mut parts = attach::load_files(&self.attach)?;
        if media_warnings {
            for warning in attach::compatibility_warnings(&parts) {
                io::stderr_line(&format!("warning: {warning}"));
            }
        }
        if let Some(text) = &self.text {
            attach::insert_text(&mut parts, text);
        }
        Ok(match attach::content(parts, self.smil.as_ref())? {
            Some((part, reference)) => (Some(reference), vec![part]),
            None => (None, Vec::new()),
        })
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
  mm7 send --url https://mmsc.example.com/mm7 --user vasp --password-file ~/.mm7-password \
      --cacert operator-ca.pem --client-cert vasp.crt --client-key vasp.key \
      --transfer-encoding base64 --from 63901 --to 15551234567 --attach saturn.jpg
  mm7 send --url $URL --from 63901 --to 15551234567 --attach card.vcf \\
      --mm7-version 5.3.0 --namespace REL-5-MM7-1-3 --header 'X-Vibes-CarrierCode: 102'
  mm7 send --profile vibes --url https://messageapi-mms.vibesapps.com/mms/mm7/submit \\
      --user U --password P --from 63901 --to 15551234567 --text hi --dlr \\
      --header 'X-Vibes-DlrCallbackUrl: https://example.com/dlr'

The password can also come from the environment variable MM7_PASSWORD; a password in the
URL (https://user:password@host/) is printed masked (user:****) in every message.

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
    #[command(flatten)]
    ids: VaspIdArgs,
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
    let (content, attachments) = args
        .content
        .load(!profile_reports_media(args.profile.profile))?;
    let client = args.endpoint.client(&args.version, &args.profile)?;
    let mut req = SubmitReq::default();
    req.mm7_version = client::mm7_version(&client, &args.version);
    req.subject = args.subject.clone();
    req.service_code = args.service_code.clone();
    req.delivery_report = args.dlr.then_some(true);
    req.read_reply = args.read_reply.then_some(true);
    req.content = content;
    req.sender_identification = Some(args.ids.identification(Some(args.from.clone())));
    req.recipients.to.clone_from(&args.to);
    req.recipients.cc.clone_from(&args.cc);
    req.recipients.bcc.clone_from(&args.bcc);
    let mut options = SendOptions::new();
    if let Some(id) = &args.transaction_id {
        options = options.with_transaction_id(id);
    }
    let outcome = crate::runtime()?.block_on(client.submit_with(req, attachments, options));
    match outcome {
        Ok(rsp) => {
            let message_id = rsp.message.message_id.clone();
            if args.endpoint.json {
                let mut value =
                    client::answer_json(&rsp.status, message_id.as_deref(), &rsp.transaction_id);
                value["http_status"] = json!(rsp.http_status.as_u16());
                value["partial"] = json!(rsp.is_partial());
                value["warnings"] = client::warnings_json(&rsp.warnings);
                value["profile_warnings"] = rsp
                    .profile_warnings
                    .iter()
                    .map(client::violation_json)
                    .collect();
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
            client::print_answer_warnings(&rsp.warnings);
            if rsp.is_partial() {
                io::stderr_line(
                    "warning: partial success: the MMSC refused some of the recipients",
                );
            }
            Ok(())
        }
        Err(error) => args.endpoint.failed(&error),
    }
}

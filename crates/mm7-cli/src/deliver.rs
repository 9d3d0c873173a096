//! `mm7 deliver`: a mobile-originated `DeliverReq` to a VASP, as an MMSC sends it.

use std::time::Duration;

use mm7_model::{Address, DeliverReq};
use mm7_transport::client::{CallbackPolicy, SendOptions};
use serde_json::json;

use crate::client::{self, EndpointArgs};
use crate::error::CliError;
use crate::io;
use crate::opts::{self, VersionArgs};
use crate::send::ContentArgs;

/// Arguments of `mm7 deliver`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  mm7 deliver --url http://127.0.0.1:7008/mm7 --from 15551234567 --to 63901 \\
      --subject 'Re: Saturn' --text 'Wonderful!' --attach reply.jpg
  mm7 deliver --url https://vasp.example.com/mo --from 15551234567 --to 63901 --text STOP \\
      --tries 5 --retry-interval 5m

Exit status 0 when the VASP accepted the message (HTTP 200, StatusCode 1000, the
TransactionID echoed); 1 otherwise, after the tries asked for.")]
pub(crate) struct DeliverArgs {
    #[command(flatten)]
    endpoint: EndpointArgs,
    /// The subscriber who sent the message: a number, a short code or an e-mail address.
    #[arg(long, value_name = "N", value_parser = client::parse_address)]
    from: Address,
    /// The recipient (the VASP's short code or number), repeatable.
    #[arg(long, value_name = "N", required = true, value_parser = client::parse_address)]
    to: Vec<Address>,
    /// The subject.
    #[arg(long, value_name = "S")]
    subject: Option<String>,
    #[command(flatten)]
    content: ContentArgs,
    /// LinkedID: the MessageID of the message this one answers.
    #[arg(long, value_name = "ID")]
    linked_id: Option<String>,
    /// The TransactionID (a unique one is made otherwise).
    #[arg(long, value_name = "ID")]
    transaction_id: Option<String>,
    /// How many times to try, as an MMSC does with callbacks.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100))]
    tries: u32,
    /// The wait between tries.
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = opts::parse_duration)]
    retry_interval: Duration,
    #[command(flatten)]
    version: VersionArgs,
}

/// Runs `mm7 deliver`.
pub(crate) fn run(args: &DeliverArgs) -> Result<(), CliError> {
    let (content, attachments) = args.content.load(true)?;
    let policy = CallbackPolicy::default()
        .with_max_tries(args.tries)
        .with_interval(args.retry_interval)
        .with_timeout(args.endpoint.timeout);
    let builder = args
        .endpoint
        .builder(&args.version)?
        .callback_policy(policy);
    let client = args.endpoint.build(builder)?;
    let mut req = DeliverReq::new(
        client::mm7_version(&client, &args.version),
        args.from.clone(),
    );
    req.recipients.to.clone_from(&args.to);
    req.subject.clone_from(&args.subject);
    req.linked_id.clone_from(&args.linked_id);
    req.time_stamp = client::now();
    req.content = content;
    let options = match &args.transaction_id {
        Some(id) => SendOptions::new().with_transaction_id(id),
        None => SendOptions::new(),
    };
    let outcome = crate::runtime()?.block_on(client.deliver_with(req, attachments, options));
    let tries = outcome.tries;
    for failure in &outcome.failures {
        io::stderr_line(&format!(
            "warning: a try failed: {}",
            args.endpoint.failure(failure)
        ));
    }
    match outcome.outcome {
        Ok(rsp) => {
            client::print_answer_warnings(&rsp.warnings);
            if args.endpoint.json {
                let value = json!({
                    "ok": true,
                    "status_code": rsp.status.code.get(),
                    "status_text": rsp.status.text,
                    "transaction_id": rsp.transaction_id,
                    "http_status": rsp.http_status.as_u16(),
                    "tries": tries,
                    "warnings": client::warnings_json(&rsp.warnings),
                });
                io::stdout_line(&value.to_string())
            } else {
                io::stdout_line(&format!(
                    "{}: the VASP accepted the message (TransactionID {}, {tries} tr{})",
                    client::status_line(&rsp.status),
                    rsp.transaction_id,
                    if tries == 1 { "y" } else { "ies" }
                ))
            }
        }
        Err(error) => args.endpoint.failed(&error),
    }
}

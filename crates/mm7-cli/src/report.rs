//! `mm7 report` and `mm7 read-reply`: a `DeliveryReportReq` or a `ReadReplyReq` to a VASP,
//! as an MMSC sends them, under the same options and exit statuses as `mm7 deliver`.

use std::time::Duration;

use mm7_model::{Address, DateTime, DeliveryReportReq, MmStatus, ReadReplyReq};
use mm7_transport::client::{CallbackOutcome, CallbackPolicy, Client, Response, SendOptions};
use serde_json::json;

use crate::client::{self, EndpointArgs};
use crate::error::CliError;
use crate::io;
use crate::opts::{self, VersionArgs};

/// What the two reports share: the message reported on, who it is about, and the tries.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct ReportCommon {
    #[command(flatten)]
    endpoint: EndpointArgs,
    /// MessageID: the message reported on, as the MMSC gave it in its SubmitRsp.
    #[arg(long, value_name = "ID")]
    message_id: String,
    /// Recipient: the subscriber the report is about (a number, a short code or an e-mail
    /// address).
    #[arg(long, value_name = "N", value_parser = client::parse_address)]
    recipient: Address,
    /// Sender: who sent the message reported on (the VASP's short code or number).
    #[arg(long, value_name = "N", value_parser = client::parse_address)]
    sender: Address,
    /// StatusText, free text beside MMStatus.
    #[arg(long, value_name = "TEXT")]
    status_text: Option<String>,
    /// When the status was reached, e.g. 2026-12-03T09:00:00Z (now by default).
    #[arg(long, value_name = "DATETIME", value_parser = parse_date_time)]
    date: Option<DateTime>,
    /// MMSRelayServerID: the MMSC's identity.
    #[arg(long, value_name = "ID")]
    relay_server_id: Option<String>,
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

/// Arguments of `mm7 report`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  mm7 report --url http://127.0.0.1:7008/mm7 --message-id mmsc-000001 \\
      --recipient 15551234567 --sender 63901 --status Retrieved
  mm7 report --url https://vasp.example.com/dlr --user mmsc --password-file ./pw \\
      --message-id 041502073667 --recipient 15551234567 --sender 63901 \\
      --status Rejected --status-text 'handset full' --tries 5 --retry-interval 5m

Statuses: Expired, Retrieved, Rejected, Deferred, Unrecognised, Indeterminate, Forwarded,
DeliveryConditionNotMet. Exit status 0 when the VASP accepted the report (HTTP 200,
StatusCode 1000, the TransactionID echoed); 1 otherwise, after the tries asked for; 2 for
bad input.")]
pub(crate) struct ReportArgs {
    #[command(flatten)]
    common: ReportCommon,
    /// MMStatus: what became of the message.
    #[arg(long, value_name = "STATUS", default_value = "Retrieved", value_parser = parse_delivery_status)]
    status: MmStatus,
}

/// Arguments of `mm7 read-reply`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  mm7 read-reply --url http://127.0.0.1:7008/mm7 --message-id mmsc-000001 \\
      --recipient 15551234567 --sender 63901
  mm7 read-reply --url https://vasp.example.com/rr --message-id 041502073667 \\
      --recipient 15551234567 --sender 63901 --status Deleted --json

Statuses: Read, Deleted, Indeterminate. Exit status 0 when the VASP accepted the read reply
(HTTP 200, StatusCode 1000, the TransactionID echoed); 1 otherwise, after the tries asked
for; 2 for bad input.")]
pub(crate) struct ReadReplyArgs {
    #[command(flatten)]
    common: ReportCommon,
    /// MMStatus: what the recipient did with the message.
    #[arg(long, value_name = "STATUS", default_value = "Read", value_parser = parse_read_status)]
    status: MmStatus,
}

/// The statuses of `mmDeliveryStatusType`.
const DELIVERY_STATUSES: [MmStatus; 8] = [
    MmStatus::Expired,
    MmStatus::Retrieved,
    MmStatus::Rejected,
    MmStatus::Deferred,
    MmStatus::Unrecognised,
    MmStatus::Indeterminate,
    MmStatus::Forwarded,
    MmStatus::DeliveryConditionNotMet,
];

/// The statuses of `mmReadStatusType`.
const READ_STATUSES: [MmStatus; 3] = [MmStatus::Read, MmStatus::Deleted, MmStatus::Indeterminate];

fn parse_status(text: &str, valid: &[MmStatus]) -> Result<MmStatus, String> {
    valid
        .iter()
        .find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
        .cloned()
        .ok_or_else(|| {
            let names: Vec<&str> = valid.iter().map(MmStatus::as_str).collect();
            format!("expected one of {}", names.join(", "))
        })
}

fn parse_delivery_status(text: &str) -> Result<MmStatus, String> {
    parse_status(text, &DELIVERY_STATUSES)
}

fn parse_read_status(text: &str) -> Result<MmStatus, String> {
    parse_status(text, &READ_STATUSES)
}

fn parse_date_time(text: &str) -> Result<DateTime, String> {
    DateTime::parse(text.trim()).map_err(|e| e.to_string())
}

impl ReportCommon {
    fn client(&self) -> Result<Client, CliError> {
        let policy = CallbackPolicy::default()
            .with_max_tries(self.tries)
            .with_interval(self.retry_interval)
            .with_timeout(self.endpoint.timeout);
        let builder = self
            .endpoint
            .builder(&self.version)?
            .callback_policy(policy);
        self.endpoint.build(builder)
    }

    fn date(&self) -> Result<DateTime, CliError> {
        self.date
            .clone()
            .or_else(client::now)
            .ok_or_else(|| CliError::Local("the system clock is before 1970".to_owned()))
    }

    fn options(&self) -> SendOptions {
        match &self.transaction_id {
            Some(id) => SendOptions::new().with_transaction_id(id),
            None => SendOptions::new(),
        }
    }

    /// Prints what the VASP answered, as `mm7 deliver` does.
    fn print<T>(&self, outcome: CallbackOutcome<T>, what: &str) -> Result<(), CliError> {
        for failure in &outcome.failures {
            io::stderr_line(&format!(
                "warning: a try failed: {}",
                self.endpoint.failure(failure)
            ));
        }
        let tries = outcome.tries;
        let rsp: Response<T> = match outcome.outcome {
            Ok(rsp) => rsp,
            Err(error) => return self.endpoint.failed(&error),
        };
        client::print_answer_warnings(&rsp.warnings);
        if self.endpoint.json {
            let mut value =
                client::answer_json(&rsp.status, Some(&self.message_id), &rsp.transaction_id);
            value["http_status"] = json!(rsp.http_status.as_u16());
            value["tries"] = json!(tries);
            value["warnings"] = client::warnings_json(&rsp.warnings);
            io::stdout_line(&value.to_string())
        } else {
            io::stdout_line(&format!(
                "{}: the VASP accepted the {what} (TransactionID {}, {tries} tr{})",
                client::status_line(&rsp.status),
                rsp.transaction_id,
                if tries == 1 { "y" } else { "ies" }
            ))
        }
    }
}

/// Runs `mm7 report`.
pub(crate) fn run_report(args: &ReportArgs) -> Result<(), CliError> {
    let common = &args.common;
    let client = common.client()?;
    let mut req = DeliveryReportReq::new(
        client::mm7_version(&client, &common.version),
        common.message_id.clone(),
        common.recipient.clone(),
        common.sender.clone(),
        common.date()?,
        args.status.clone(),
    );
    req.status_text.clone_from(&common.status_text);
    req.mms_relay_server_id.clone_from(&common.relay_server_id);
    let outcome = crate::runtime()?.block_on(client.delivery_report_with(req, common.options()));
    common.print(outcome, "delivery report")
}

/// Runs `mm7 read-reply`.
pub(crate) fn run_read_reply(args: &ReadReplyArgs) -> Result<(), CliError> {
    let common = &args.common;
    let client = common.client()?;
    let mut req = ReadReplyReq::new(
        client::mm7_version(&client, &common.version),
        common.message_id.clone(),
        common.recipient.clone(),
        common.sender.clone(),
        common.date()?,
        args.status.clone(),
    );
    req.status_text.clone_from(&common.status_text);
    req.mms_relay_server_id.clone_from(&common.relay_server_id);
    let outcome = crate::runtime()?.block_on(client.read_reply_with(req, common.options()));
    common.print(outcome, "read reply")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_by_kind() {
        assert_eq!(parse_delivery_status("retrieved"), Ok(MmStatus::Retrieved));
        assert_eq!(parse_read_status("Deleted"), Ok(MmStatus::Deleted));
        assert!(parse_delivery_status("Read").is_err());
        let error = parse_read_status("Retrieved").unwrap_err();
        assert_eq!(error, "expected one of Read, Deleted, Indeterminate");
        assert!(parse_date_time("2026-12-03T09:00:00Z").is_ok());
        assert!(parse_date_time("yesterday").is_err());
    }
}

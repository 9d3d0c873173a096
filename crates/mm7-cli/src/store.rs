//! `mm7 store`: reads the store of `mm7 mmsc` and `mm7 vasp` (a SQLite database in the store
//! folder), while they run or not.

use std::path::PathBuf;

use mm7_store::{MessageSummary, OutboxRow, OutboxState, Reader};
use serde_json::json;

use crate::credentials::mask_url;
use crate::error::CliError;
use crate::io;

/// Arguments of `mm7 store`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  mm7 store list ./mmsc-store
  mm7 store list ./mmsc-store --json | jq 'select(.operation == \"SubmitReq\")'
  mm7 store show ./mmsc-store 3
  mm7 store export ./mmsc-store 3 ./message-3 && mm7 decode ./message-3/request.http
  mm7 store outbox ./mmsc-store
  mm7 store outbox ./mmsc-store --retry all

ID is a message's row (the first column of `list`) or its MessageID.")]
pub(crate) struct StoreArgs {
    #[command(subcommand)]
    command: StoreCommand,
}

#[derive(Debug, clap::Subcommand)]
enum StoreCommand {
    /// Lists the messages, one line each, oldest first.
    List {
        /// The store folder.
        dir: PathBuf,
        /// One JSON object per line: id, operation, transaction_id, message_id, peer,
        /// received_at, parts, outbox (each row's id, kind, state, tries).
        #[arg(long)]
        json: bool,
    },
    /// Prints a message's JSON view (what `mm7 decode` prints for it).
    Show {
        /// The store folder.
        dir: PathBuf,
        /// The message's row or MessageID.
        id: String,
    },
    /// Writes a message as files: request.http, message.json, attachments/.
    Export {
        /// The store folder.
        dir: PathBuf,
        /// The message's row or MessageID.
        id: String,
        /// The folder to write into (created).
        out: PathBuf,
    },
    /// Lists the callbacks not sent yet and those that failed (every row with --all).
    Outbox {
        /// The store folder.
        dir: PathBuf,
        /// Every row, sent and cancelled ones too.
        #[arg(long)]
        all: bool,
        /// Makes failed rows pending again (a row's id, or `all`); a running server sends
        /// them within a second.
        #[arg(long, value_name = "ID|all")]
        retry: Option<String>,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
}

/// Runs `mm7 store`.
pub(crate) fn run(args: &StoreArgs) -> Result<(), CliError> {
    match &args.command {
        StoreCommand::List { dir, json } => {
            for message in open(dir)?.list().map_err(local)? {
                let line = if *json {
                    serde_json::to_string(&message).map_err(|e| CliError::Local(e.to_string()))?
                } else {
                    list_line(&message)
                };
                io::stdout_line(&line)?;
            }
            Ok(())
        }
        StoreCommand::Show { dir, id } => {
            let view = open(dir)?.show(id).map_err(input_or_local)?;
            let text =
                serde_json::to_string_pretty(&view).map_err(|e| CliError::Local(e.to_string()))?;
            io::stdout_line(&text)
        }
        StoreCommand::Export { dir, id, out } => {
            for path in open(dir)?.export(id, out).map_err(input_or_local)? {
                io::stdout_line(&path.display().to_string())?;
            }
            Ok(())
        }
        StoreCommand::Outbox {
            dir,
            all,
            retry,
            json,
        } => {
            let reader = open(dir)?;
            if let Some(which) = retry {
                let id = match which.as_str() {
                    "all" => None,
                    n => Some(n.parse::<i64>().map_err(|_| {
                        CliError::Input(format!("--retry takes a row id or `all`, not {n:?}"))
                    })?),
                };
                let n = reader.retry_failed(id).map_err(local)?;
                io::stderr_line(&format!("{n} failed row{} made pending", plural(n)));
            }
            let states: &[OutboxState] = if *all {
                &[]
            } else {
                &[OutboxState::Pending, OutboxState::Failed]
            };
            for row in reader.outbox(states).map_err(local)? {
                let line = if *json {
                    outbox_json(&row).to_string()
                } else {
                    outbox_line(&row)
                };
                io::stdout_line(&line)?;
            }
            Ok(())
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn open(dir: &std::path::Path) -> Result<Reader, CliError> {
    Reader::open(dir).map_err(|e| match e {
        mm7_store::StoreError::Open { .. } => {
            CliError::Input(format!("{}: no mm7 store here ({e})", dir.display()))
        }
        other => local(other),
    })
}

fn local(error: mm7_store::StoreError) -> CliError {
    CliError::Local(error.to_string())
}

fn input_or_local(error: mm7_store::StoreError) -> CliError {
    match error {
        mm7_store::StoreError::NotFound(_) => CliError::Input(error.to_string()),
        other => local(other),
    }
}

fn list_line(m: &MessageSummary) -> String {
    let outbox: Vec<String> = m
        .outbox
        .iter()
        .map(|o| format!("{} {}", o.kind, o.state.as_str()))
        .collect();
    format!(
        "{:>6}  {}  {:<17}  tx {}{}  from {}  {} part{}{}",
        m.id,
        m.received_at,
        m.operation,
        m.transaction_id,
        m.message_id
            .as_deref()
            .map(|id| format!("  MessageID {id}"))
            .unwrap_or_default(),
        m.peer.as_deref().unwrap_or("-"),
        m.parts,
        plural(m.parts as usize),
        if outbox.is_empty() {
            String::new()
        } else {
            format!("  outbox: {}", outbox.join(", "))
        }
    )
}

fn outbox_json(row: &OutboxRow) -> serde_json::Value {
    json!({
        "id": row.id,
        "message": row.message,
        "kind": row.kind,
        "destination": mask_url(&row.destination),
        "state": row.state,
        "tries": row.tries,
        "next_at": rfc3339_ms(row.next_ms),
        "last_error": row.last_error,
        "message_id": row.payload["message_id"],
        "recipient": row.payload["to"],
    })
}

fn outbox_line(row: &OutboxRow) -> String {
    format!(
        "{:>6}  {:<9}  {} {} for {} → {}  ({} tr{}{}){}",
        row.id,
        row.state.as_str(),
        row.kind,
        row.payload["message_id"].as_str().unwrap_or("-"),
        row.payload["to"].as_str().unwrap_or("-"),
        mask_url(&row.destination),
        row.tries,
        if row.tries == 1 { "y" } else { "ies" },
        if row.state == OutboxState::Pending {
            format!(", next {}", rfc3339_ms(row.next_ms))
        } else {
            String::new()
        },
        row.last_error
            .as_deref()
            .map(|e| format!(": {e}"))
            .unwrap_or_default()
    )
}

/// Milliseconds since the Unix epoch as the store prints times.
fn rfc3339_ms(ms: i64) -> String {
    mm7_model::DateTime::from_unix(ms.div_euclid(1000))
        .map_or_else(|| ms.to_string(), |t| t.as_str().to_owned())
}

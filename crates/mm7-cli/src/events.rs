//! What the servers report as they work: a readable line, or a JSON line for scripts, and
//! for the demo a copy to watch.

use serde_json::Value;
use tokio::sync::mpsc::UnboundedSender;

use crate::io;

/// Where a server's reports go.
#[derive(Debug, Clone)]
pub(crate) struct Events {
    json: bool,
    label: Option<&'static str>,
    tap: Option<UnboundedSender<Value>>,
}

impl Events {
    /// Printed on standard output, as JSON lines or readable lines.
    pub(crate) fn print(json: bool) -> Events {
        Events {
            json,
            label: None,
            tap: None,
        }
    }

    /// Readable lines prefixed with `[label]`, each report also sent to `tap`.
    pub(crate) fn labelled(label: &'static str, tap: UnboundedSender<Value>) -> Events {
        Events {
            json: false,
            label: Some(label),
            tap: Some(tap),
        }
    }

    /// Reports one thing. Output that cannot be written is dropped: a server must not stop
    /// answering because its terminal went away.
    pub(crate) fn emit(&self, human: &str, json: Value) {
        let line = if self.json {
            json.to_string()
        } else {
            match self.label {
                Some(label) => format!("[{label}] {human}"),
                None => human.to_owned(),
            }
        };
        let _ = io::stdout_line(&line);
        if let Some(tap) = &self.tap {
            let _ = tap.send(json);
        }
    }
}

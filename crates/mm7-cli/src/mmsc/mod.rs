//! `mm7 mmsc`: a mock MMSC for integration tests, as MailHog is for SMTP.
//!
//! It accepts `SubmitReq`, `CancelReq` and `ReplaceReq` through the transport's server (so
//! with its authentication, limits and decoding checks), answers with a MessageID, stores
//! every request, and after a delay reports delivery to each recipient with a
//! `DeliveryReportReq` to the callback URL, under the callback retry policy.
//!
//! [`options`] reads the command line, [`handler`] answers the requests, [`report`] says
//! which callbacks a submission owes (outbox rows committed with it), and [`outbox`] sends
//! them.

mod handler;
mod options;
mod outbox;
mod report;

use mm7_transport::server::Role;

use crate::error::CliError;
use crate::events::Events;
use crate::serve::{self, Running};

pub(crate) use options::{MmscArgs, Settings};

/// Runs `mm7 mmsc` until the process is stopped.
pub(crate) fn run(args: &MmscArgs) -> Result<(), CliError> {
    let settings = Settings::new(args)?;
    let events = Events::print(args.json);
    // The server answers on any path; the one printed is where the provider takes
    // submissions, so that a client checking the provider's URL is satisfied.
    let path = settings.profile.submit_path().unwrap_or("/mm7");
    serve::run_until_stopped("mmsc", path, start(settings, events))
}

/// Binds, and serves on a task of the current runtime.
pub(crate) async fn start(settings: Settings, events: Events) -> Result<Running, CliError> {
    let server = settings.server.clone();
    let config = settings.profile.server_config(server.config(Role::Mmsc));
    serve::start("mmsc", &server, config, &events.clone(), |keeper| {
        let mmsc = handler::Mmsc::new(keeper, events, settings);
        // The outbox sender resumes what the store holds pending, from an earlier run too.
        tokio::spawn(outbox::run(std::sync::Arc::clone(&mmsc.0)));
        mmsc
    })
    .await
}

//! `mm7 mmsc`: a mock MMSC for integration tests, as MailHog is for SMTP.
//!
//! It accepts `SubmitReq`, `CancelReq` and `ReplaceReq` through the transport's server (so
//! with its authentication, limits and decoding checks), answers with a MessageID, stores
//! every request, and after a delay reports delivery to each recipient with a
//! `DeliveryReportReq` to the callback URL, under the callback retry policy.
//!
//! [`options`] reads the command line, [`handler`] answers the requests, and [`report`]
//! pushes the delivery reports.

mod handler;
mod options;
mod report;

use mm7_transport::server::Role;

use crate::error::CliError;
use crate::events::Events;
use crate::serve::{self, Running};

pub(crate) use options::{MmscArgs, Settings};

/// Runs `mm7 mmsc` until the process is stopped.
pub(crate) fn run(args: &MmscArgs) -> Result<(), CliError> {
    let settings = Settings::from(args);
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
    serve::start("mmsc", &server, config, |keeper| {
        handler::Mmsc::new(keeper, events, settings)
    })
    .await
}

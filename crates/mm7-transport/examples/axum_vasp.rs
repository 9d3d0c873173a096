//! A VASP receiver mounted at `/mm7` in an axum application, beside routes of its own, with
//! the IP allow-list and HTTP Basic authentication on.
//!
//! ```text
//! MM7_PASSWORD=secret cargo run -p mm7-transport --features axum --example axum_vasp -- 127.0.0.1:8080
//! ```
//!
//! The app is served with `into_make_service_with_connect_info::<SocketAddr>()`: axum then
//! puts `ConnectInfo<SocketAddr>` in each request's extensions, which `Mm7Service` (with the
//! `axum` feature) reads for the allow-list.

use std::net::SocketAddr;

use axum::Router;
use axum::routing::get;
use mm7_model::{DeliverReq, DeliverRsp, DeliveryReportReq, DeliveryReportRsp, Status};
use mm7_transport::server::{
    Handler, HandlerResult, Inbound, IpRange, Mm7Service, Role, ServerConfig,
};

/// The VASP's MM7 side: accepts messages and delivery reports.
pub(crate) struct Vasp;

impl Handler for Vasp {
    async fn deliver(&self, inbound: Inbound<DeliverReq>) -> HandlerResult<DeliverRsp> {
        tracing::info!(from = ?inbound.request.sender, "message delivered");
        Ok(DeliverRsp::new(inbound.mm7_version, Status::success()))
    }

    async fn delivery_report(
        &self,
        inbound: Inbound<DeliveryReportReq>,
    ) -> HandlerResult<DeliveryReportRsp> {
        Ok(DeliveryReportRsp::success(inbound.mm7_version))
    }
}

/// The application: `/health` of its own, MM7 at `/mm7` for peers in `allowed` that give
/// `user` and `password`.
pub(crate) fn app(allowed: IpRange, user: &str, password: &str) -> Router {
    let config = ServerConfig::new(Role::Vasp)
        .with_allowed(allowed)
        .with_basic_auth(user, password);
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route_service("/mm7", Mm7Service::new(config, Vasp))
}

/// Serves `app` on `listener` until the task is dropped.
pub(crate) async fn serve(listener: tokio::net::TcpListener, app: Router) -> std::io::Result<()> {
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}

#[allow(
    dead_code,
    reason = "the test includes this file for `app` and `serve`"
)]
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().init();
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let password = std::env::var("MM7_PASSWORD").map_err(|_| "MM7_PASSWORD is not set")?;
    let listener = tokio::net::TcpListener::bind(&address).await?;
    tracing::info!("MM7 at http://{}/mm7", listener.local_addr()?);
    serve(listener, app("127.0.0.0/8".parse()?, "mmsc", &password)).await?;
    Ok(())
}

//! Runs `examples/axum_vasp.rs` on loopback: the MM7 route answers an MMSC that gives the
//! credentials from an allowed address, refuses one that gives none and one outside the
//! allow-list, and the app's own route still answers.

#[path = "../examples/axum_vasp.rs"]
mod example;

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use mm7_model::{Address, DateTime, DeliveryReportReq, MmStatus, StatusCode};
use mm7_transport::client::{CallbackPolicy, Client};

async fn start(allowed: &str) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let app = example::app(allowed.parse().expect("range"), "mmsc", "secret");
    tokio::spawn(example::serve(listener, app));
    address
}

fn report() -> DeliveryReportReq {
    DeliveryReportReq::new(
        "",
        "msg-1",
        Address::number("15551234567"),
        Address::short_code("63901"),
        DateTime::parse("2024-05-01T10:00:00Z").expect("date"),
        MmStatus::Retrieved,
    )
}

fn client(url: &str, credentials: bool) -> Client {
    let mut builder = Client::builder(url).callback_policy(CallbackPolicy::once());
    if credentials {
        builder = builder.basic_auth("mmsc", "secret");
    }
    builder.build().expect("client")
}

#[tokio::test]
async fn the_axum_vasp_answers_allowed_authenticated_peers_only() {
    tokio::time::timeout(Duration::from_secs(30), async {
        let address = start("127.0.0.1/32").await;
        let url = format!("http://{address}/mm7");

        let rsp = client(&url, true)
            .delivery_report(report())
            .await
            .into_result()
            .expect("answered through ConnectInfo");
        assert_eq!(rsp.status.code, StatusCode::SUCCESS);

        let refused = client(&url, false)
            .delivery_report(report())
            .await
            .into_result();
        let error = refused.expect_err("no credentials");
        assert_eq!(error.http_status(), Some(http::StatusCode::UNAUTHORIZED));

        let health = tokio::net::TcpStream::connect(address)
            .await
            .expect("connect");
        let (mut read, mut write) = health.into_split();
        write
            .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .expect("write");
        let mut answer = String::new();
        read.read_to_string(&mut answer).await.expect("read");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.ends_with("ok"), "{answer}");

        // An allow-list without the peer: 403 before the credentials are looked at.
        let address = start("192.0.2.0/24").await;
        let refused = client(&format!("http://{address}/mm7"), true)
            .delivery_report(report())
            .await
            .into_result();
        assert_eq!(
            refused.expect_err("not allowed").http_status(),
            Some(http::StatusCode::FORBIDDEN)
        );
    })
    .await
    .expect("bounded");
}

/// What an outer layer put in the request, as the handler sees it.
#[derive(Debug, Clone, PartialEq)]
struct Tenant(&'static str);

/// The tenant and the body length a delivery report came with.
type Seen = (Option<Tenant>, usize);

/// Records what each delivery report came with.
#[derive(Clone, Default)]
struct Recorder(std::sync::Arc<std::sync::Mutex<Vec<Seen>>>);

impl mm7_transport::server::Handler for Recorder {
    async fn delivery_report(
        &self,
        inbound: mm7_transport::server::Inbound<DeliveryReportReq>,
    ) -> mm7_transport::server::HandlerResult<mm7_model::DeliveryReportRsp> {
        let tenant = inbound.extensions.get::<Tenant>().cloned();
        self.0
            .lock()
            .expect("lock")
            .push((tenant, inbound.raw_body.len()));
        Ok(mm7_model::DeliveryReportRsp::success(inbound.mm7_version))
    }
}

#[tokio::test]
async fn a_handler_sees_what_an_outer_layer_put_in_the_request() {
    use mm7_transport::server::{Mm7Service, Role, ServerConfig};
    tokio::time::timeout(Duration::from_secs(30), async {
        let recorder = Recorder::default();
        let app = axum::Router::new()
            .route_service(
                "/mm7",
                Mm7Service::new(ServerConfig::new(Role::Vasp), recorder.clone()),
            )
            .layer(axum::Extension(Tenant("acme")));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        tokio::spawn(example::serve(listener, app));

        let rsp = client(&format!("http://{address}/mm7"), false)
            .delivery_report(report())
            .await
            .into_result()
            .expect("answered");
        assert_eq!(rsp.status.code, StatusCode::SUCCESS);
        let seen = recorder.0.lock().expect("lock").clone();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].0, Some(Tenant("acme")));
        assert!(seen[0].1 > 100, "raw body of {} bytes", seen[0].1);
    })
    .await
    .expect("bounded");
}

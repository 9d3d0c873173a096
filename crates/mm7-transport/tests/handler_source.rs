//! A handler's refusal carries its cause: the server logs it and the peer sees the status
//! alone.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use mm7_model::{
    Address, DateTime, DeliveryReportReq, DeliveryReportRsp, Envelope, MmStatus, SchemaId,
};
use mm7_transport::server::ServerConfig;
use mm7_transport::server::{Handler, HandlerError, HandlerResult, Inbound, Mm7Service, Role};

/// A writer into a shared buffer, for the subscriber.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("not poisoned").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Refuses every report, because of an I/O error.
struct Failing;

impl Handler for Failing {
    async fn delivery_report(
        &self,
        _inbound: Inbound<DeliveryReportReq>,
    ) -> HandlerResult<DeliveryReportRsp> {
        let cause = std::io::Error::other("disk /srv/reports-private full");
        Err(HandlerError::server_error("cannot store the report").with_source(cause))
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_cause_is_logged_and_never_sent() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let report = DeliveryReportReq::new(
        "6.8.0",
        "msg-1",
        Address::number("15551234567"),
        Address::short_code("63901"),
        DateTime::parse("2024-05-01T10:00:00Z").expect("date"),
        MmStatus::Retrieved,
    );
    let envelope = Envelope::new("tx-1", SchemaId::Rel6Mm7_1_4, report);
    let xml = mm7_soap::encode_xml(&envelope, &mm7_soap::EncodeOptions::default()).expect("xml");
    let request = http::Request::post("/mm7")
        .header("Content-Type", "text/xml")
        .body(Full::new(bytes::Bytes::from(xml)))
        .expect("request");

    let service = Mm7Service::new(ServerConfig::new(Role::Vasp), Failing);
    let response = tokio::time::timeout(Duration::from_secs(10), service.answer(request))
        .await
        .expect("bounded");
    assert_eq!(response.status(), 500);
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let body = String::from_utf8_lossy(&body);
    assert!(body.contains("<StatusCode>3000</StatusCode>"), "{body}");
    assert!(body.contains("cannot store the report"), "{body}");
    assert!(
        !body.contains("reports-private"),
        "the cause reached the peer: {body}"
    );

    let log = String::from_utf8_lossy(&captured.0.lock().expect("not poisoned")).into_owned();
    assert!(log.contains("disk /srv/reports-private full"), "{log}");
}

//! Retries: the opt-in policy of the VASP's requests and the callback policy of an MMSC,
//! against scripted peers, with millisecond waits.

mod peer;

use std::time::Duration;

use mm7_model::{
    Address, DateTime, DeliverReq, DeliveryReportReq, DeliveryReportRsp, MmStatus, Part,
    ReadReplyReq, ReadReplyRsp, SenderIdentification, SoapFault, Status, StatusCode, SubmitReq,
    SubmitRsp,
};
use mm7_transport::client::{CallbackPolicy, Client, ClientError, RetryPolicy};
use peer::{Peer, Reply, bounded};

fn submit_req() -> SubmitReq {
    let mut req = SubmitReq::default();
    req.sender_identification = Some(SenderIdentification::default());
    req.recipients.to.push(Address::number("15551234567"));
    req
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

fn quick_retry() -> RetryPolicy {
    RetryPolicy::exponential(4)
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(20))
}

fn quick_callbacks(max_tries: u32) -> CallbackPolicy {
    CallbackPolicy::default()
        .with_interval(Duration::from_millis(10))
        .with_timeout(Duration::from_millis(400))
        .with_max_tries(max_tries)
}

fn callback_client(peer: &Peer, max_tries: u32) -> Client {
    Client::builder(&peer.url())
        .callback_policy(quick_callbacks(max_tries))
        .build()
        .expect("client")
}

#[tokio::test]
async fn retry_policy_waits_as_long_as_retry_after_asks() {
    bounded(async {
        let peer = Peer::start(|i, seen| match i {
            0 => Reply::plain(503, "text/plain", "busy").with_header("retry-after", "1"),
            _ => Reply::mm7(&seen.transaction_id(), SubmitRsp::success("6.8.0", "m")),
        })
        .await;
        // The policy alone would wait at most 20 ms.
        let client = Client::builder(&peer.url())
            .retry(quick_retry())
            .build()
            .expect("client");
        let started = std::time::Instant::now();
        let rsp = client
            .submit(submit_req(), Vec::new())
            .await
            .expect("second try");
        assert_eq!(rsp.tries, 2);
        assert!(
            started.elapsed() >= Duration::from_millis(950),
            "retried after {:?}, before the peer's Retry-After",
            started.elapsed()
        );
    })
    .await;
}

#[tokio::test]
async fn retry_policy_retries_503_then_succeeds() {
    bounded(async {
        let peer = Peer::start(|i, seen| match i {
            0 | 1 => Reply::plain(503, "text/plain", "busy"),
            _ => Reply::mm7(&seen.transaction_id(), SubmitRsp::success("6.8.0", "m")),
        })
        .await;
        let client = Client::builder(&peer.url())
            .retry(quick_retry())
            .build()
            .expect("client");
        let rsp = client
            .submit(submit_req(), Vec::new())
            .await
            .expect("third try");
        assert_eq!(rsp.tries, 3);
        let seen = peer.seen();
        assert_eq!(seen.len(), 3);
        // Every try carries the same TransactionID, so a deduplicating MMSC sees one message.
        assert!(
            seen.iter()
                .all(|s| s.transaction_id() == rsp.transaction_id)
        );
    })
    .await;
}

#[tokio::test]
async fn submit_is_not_retried_by_default() {
    bounded(async {
        let peer = Peer::start(|_, _| Reply::plain(503, "text/plain", "busy")).await;
        let client = Client::builder(&peer.url()).build().expect("client");
        let error = client.submit(submit_req(), Vec::new()).await.unwrap_err();
        assert_eq!(
            error.http_status(),
            Some(http::StatusCode::SERVICE_UNAVAILABLE)
        );
        assert_eq!(peer.requests(), 1);
    })
    .await;
}

#[tokio::test]
async fn retry_policy_stops_at_max_tries_and_on_permanent_errors() {
    bounded(async {
        let peer = Peer::start(|i, seen| match i {
            // 4006 Service unavailable, in a Fault: transient.
            0..=3 => Reply::mm7_status(
                500,
                &seen.transaction_id(),
                SoapFault::rs_error("6.8.0", Status::from_code(StatusCode::SERVICE_UNAVAILABLE)),
            ),
            // 2002: permanent.
            _ => Reply::mm7(
                &seen.transaction_id(),
                SubmitRsp::new("6.8.0", Status::from_code(StatusCode::ADDRESS_ERROR)),
            ),
        })
        .await;
        let client = Client::builder(&peer.url())
            .retry(quick_retry())
            .build()
            .expect("client");
        let error = client.submit(submit_req(), Vec::new()).await.unwrap_err();
        assert_eq!(error.status_code(), Some(StatusCode::SERVICE_UNAVAILABLE));
        assert_eq!(peer.requests(), 4, "max_tries");
        let error = client.submit(submit_req(), Vec::new()).await.unwrap_err();
        assert_eq!(error.status_code(), Some(StatusCode::ADDRESS_ERROR));
        assert_eq!(peer.requests(), 5, "a 2002 is not retried");
    })
    .await;
}

#[tokio::test]
async fn retry_policy_leaves_timeouts_alone_unless_told() {
    bounded(async {
        let peer = Peer::start(|i, seen| match i {
            0 | 2 => Reply::Hang,
            _ => Reply::mm7(&seen.transaction_id(), SubmitRsp::success("6.8.0", "m")),
        })
        .await;
        let careful = Client::builder(&peer.url())
            .timeout(Duration::from_millis(200))
            .retry(quick_retry())
            .build()
            .expect("client");
        let error = careful.submit(submit_req(), Vec::new()).await.unwrap_err();
        assert!(matches!(error, ClientError::Timeout { .. }));
        assert_eq!(peer.requests(), 1);
        careful
            .submit(submit_req(), Vec::new())
            .await
            .expect("answered");
        let deduplicating = Client::builder(&peer.url())
            .timeout(Duration::from_millis(200))
            .retry(quick_retry().with_retry_after_send_failures(true))
            .build()
            .expect("client");
        let rsp = deduplicating
            .submit(submit_req(), Vec::new())
            .await
            .expect("second try");
        assert_eq!(rsp.tries, 2);
        assert_eq!(peer.requests(), 4);
    })
    .await;
}

#[tokio::test]
async fn callback_retries_on_500_and_stops_on_success() {
    bounded(async {
        let peer = Peer::start(|i, seen| match i {
            0 | 1 => Reply::plain(500, "text/html", "<h1>oops</h1>"),
            _ => Reply::mm7(&seen.transaction_id(), DeliveryReportRsp::success("6.8.0")),
        })
        .await;
        let client = callback_client(&peer, 5);
        let outcome = client.delivery_report(report()).await;
        assert_eq!(outcome.tries, 3);
        assert_eq!(outcome.failures.len(), 2);
        assert!(
            outcome
                .failures
                .iter()
                .all(|f| f.http_status() == Some(http::StatusCode::INTERNAL_SERVER_ERROR))
        );
        let rsp = outcome.into_result().expect("delivered");
        assert_eq!(rsp.tries, 3);
        assert_eq!(peer.requests(), 3, "no try after the success");
        // The client's MM7Version went into the report, which had none.
        let seen = peer.seen();
        let sent = seen[0].envelope.as_ref().expect("decodes");
        assert_eq!(sent.mm7_version().map(|v| v.as_str()), Some("6.8.0"));
    })
    .await;
}

#[tokio::test]
async fn callback_retries_on_a_timeout() {
    bounded(async {
        let peer = Peer::start(|i, seen| match i {
            0 => Reply::Hang,
            _ => Reply::mm7(&seen.transaction_id(), ReadReplyRsp::success("6.8.0")),
        })
        .await;
        let client = callback_client(&peer, 5);
        let req = ReadReplyReq::new(
            "6.8.0",
            "msg-1",
            Address::number("15551234567"),
            Address::short_code("63901"),
            DateTime::parse("2024-05-01T10:00:00Z").expect("date"),
            MmStatus::Read,
        );
        let outcome = client.read_reply(req).await;
        assert_eq!(outcome.tries, 2);
        assert!(matches!(
            outcome.failures.as_slice(),
            [ClientError::Timeout { after }] if *after == Duration::from_millis(400)
        ));
        assert!(outcome.is_delivered());
        assert_eq!(peer.requests(), 2);
    })
    .await;
}

#[tokio::test]
async fn callback_retries_on_a_wrong_transaction_id_a_non_1000_status_or_a_non_200() {
    bounded(async {
        let peer = Peer::start(|i, seen| {
            let tx = seen.transaction_id();
            match i {
                0 => Reply::mm7("not-the-request", DeliveryReportRsp::success("6.8.0")),
                1 => Reply::mm7(
                    &tx,
                    DeliveryReportRsp::new("6.8.0", Status::from_code(StatusCode::new(1100))),
                ),
                2 => Reply::mm7_status(202, &tx, DeliveryReportRsp::success("6.8.0")),
                3 => Reply::mm7(
                    &tx,
                    DeliveryReportRsp::new(
                        "6.8.0",
                        Status::from_code(StatusCode::SERVICE_UNAVAILABLE),
                    ),
                ),
                _ => Reply::mm7(&tx, DeliveryReportRsp::success("6.8.0")),
            }
        })
        .await;
        let client = callback_client(&peer, 5);
        let outcome = client.delivery_report(report()).await;
        assert_eq!(outcome.tries, 5);
        let kinds: Vec<_> = outcome
            .failures
            .iter()
            .map(|f| match f {
                ClientError::TransactionMismatch { received, .. } => format!("tx {received}"),
                ClientError::Mm7 { status, .. } => format!("mm7 {}", status.code),
                ClientError::Http { status, .. } => format!("http {}", status.as_u16()),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            kinds,
            ["tx not-the-request", "mm7 1100", "http 202", "mm7 4006"]
        );
        assert!(outcome.is_delivered());
        assert_eq!(peer.requests(), 5);
        let seen = peer.seen();
        let first = seen[0].transaction_id();
        assert!(
            seen.iter().all(|s| s.transaction_id() == first),
            "one TransactionID"
        );
    })
    .await;
}

#[tokio::test]
async fn callback_gives_up_after_max_tries() {
    bounded(async {
        let peer = Peer::start(|_, _| Reply::plain(500, "text/plain", "down")).await;
        let client = callback_client(&peer, 3);
        let mut req = DeliverReq::new("6.8.0", Address::number("15551234567"));
        req.content = Some(mm7_model::ContentRef::cid("mo"));
        let outcome = client
            .deliver(req, vec![Part::text("hello").with_content_id("mo")])
            .await;
        assert_eq!(outcome.tries, 3);
        assert_eq!(outcome.failures.len(), 2);
        assert!(!outcome.is_delivered());
        assert_eq!(
            outcome.into_result().unwrap_err().http_status(),
            Some(http::StatusCode::INTERNAL_SERVER_ERROR)
        );
        assert_eq!(peer.requests(), 3);
    })
    .await;
}

#[tokio::test]
async fn callback_that_cannot_be_encoded_is_not_sent() {
    bounded(async {
        let peer = Peer::start(|_, _| Reply::plain(500, "text/plain", "down")).await;
        let client = Client::builder(&peer.url())
            .schema(mm7_model::SchemaId::Rel5Mm7_1_0)
            .callback_policy(quick_callbacks(3))
            .build()
            .expect("client");
        let mut req = report();
        // UACapabilities came with REL-6: REL-5-MM7-1-0 cannot carry it.
        req.ua_capabilities = Some(mm7_model::UaCapabilities::default());
        let outcome = client.delivery_report(req).await;
        assert_eq!(outcome.tries, 0);
        assert!(matches!(outcome.outcome, Err(ClientError::Encode(_))));
        assert_eq!(peer.requests(), 0);
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn callback_waits_the_interval_between_tries() {
    // With the clock paused, the default five-minute interval passes at once; the try
    // count and the clock's advance show the schedule.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    drop(listener);
    let client = Client::builder(&format!("http://{addr}/mm7"))
        .build()
        .expect("client");
    let started = tokio::time::Instant::now();
    let outcome = client.delivery_report(report()).await;
    assert_eq!(outcome.tries, 5);
    // The refusal comes at once; should the paused clock run ahead of the socket, the try
    // ends in its timeout instead. Either way it failed and was tried again.
    assert!(
        outcome
            .failures
            .iter()
            .all(|f| matches!(f, ClientError::Connect { .. } | ClientError::Timeout { .. }))
    );
    assert!(started.elapsed() >= Duration::from_secs(4 * 5 * 60));
}

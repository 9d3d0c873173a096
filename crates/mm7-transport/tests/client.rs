//! The client against scripted bare-hyper peers: every outcome told apart, what is sent
//! (credentials, headers, versions, attachments), TLS trust.

mod peer;

use std::time::{Duration, Instant};

use bytes::Bytes;
use mm7_model::{
    Address, CancelReq, CancelRsp, ContentRef, DeliverRsp, Message, Part, SchemaId,
    SenderIdentification, SoapFault, Status, StatusCode, SubmitReq, SubmitRsp,
};
use mm7_transport::client::{Client, ClientError, EXCERPT_LIMIT, SendOptions};
use peer::{Peer, Reply, TestPki, bounded};

const NS14: &str = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4";

fn submit_req() -> SubmitReq {
    let mut req = SubmitReq::default();
    req.sender_identification = Some(SenderIdentification {
        vasp_id: Some("TNN".into()),
        ..SenderIdentification::default()
    });
    req.subject = Some("Saturn".into());
    req.content = Some(ContentRef::cid("msg"));
    req.recipients.to.push(Address::number("15551234567"));
    req
}

fn content() -> Vec<Part> {
    let png = Bytes::from_static(b"\x89PNG\r\n\x1a\n\x00\x00binary\r\n--not-a-boundary\x00\xff");
    vec![
        Part::multipart(
            "multipart/mixed",
            vec![
                Part::text("New pictures of Saturn"),
                Part::new("image/png", png).with_content_id("saturn.png"),
            ],
        )
        .with_content_id("msg"),
    ]
}

fn client(peer: &Peer) -> Client {
    Client::builder(&peer.url())
        .system_roots(false)
        .build()
        .expect("client")
}

#[tokio::test]
async fn success_and_partial_success() {
    bounded(async {
        let peer = Peer::start(|i, seen| {
            let code = if i == 0 { 1000 } else { 1100 };
            let mut rsp = SubmitRsp::new("5.3.0", Status::from_code(StatusCode::new(code)));
            rsp.message_id = Some(format!("msg-{i}"));
            Reply::mm7(&seen.transaction_id(), rsp)
        })
        .await;
        let client = Client::builder(&peer.url())
            .schema(SchemaId::Rel5Mm7_1_3)
            .mm7_version("5.3.0")
            .system_roots(false)
            .build()
            .expect("client");

        let ok = client.submit(submit_req(), content()).await.expect("1000");
        assert_eq!(ok.status.code, StatusCode::SUCCESS);
        assert!(!ok.is_partial());
        assert_eq!(ok.message.message_id.as_deref(), Some("msg-0"));
        assert_eq!(ok.http_status, http::StatusCode::OK);
        assert_eq!(ok.tries, 1);

        let partial = client.submit(submit_req(), content()).await.expect("1100");
        assert!(partial.is_partial());
        assert_eq!(partial.message.message_id.as_deref(), Some("msg-1"));
        assert_ne!(
            partial.transaction_id, ok.transaction_id,
            "generated ids are unique"
        );

        let seen = peer.seen();
        assert_eq!(seen.len(), 2);
        let first = &seen[0];
        assert_eq!(first.method, http::Method::POST);
        assert_eq!(first.uri.path(), "/mm7");
        assert_eq!(first.transaction_id(), ok.transaction_id);
        assert!(
            first
                .header("content-type")
                .is_some_and(|ct| ct.starts_with("multipart/related")),
            "{:?}",
            first.header("content-type")
        );
        assert_eq!(
            first.header("content-length"),
            Some(first.body.len().to_string())
        );
        let envelope = first.envelope.as_ref().expect("the request decodes");
        assert_eq!(envelope.namespace.schema(), SchemaId::Rel5Mm7_1_3);
        assert_eq!(envelope.mm7_version().map(|v| v.as_str()), Some("5.3.0"));
        let sent = envelope.content().expect("content part");
        let png = sent.parts()[1].data().expect("png bytes");
        assert_eq!(png, content()[0].parts()[1].data().expect("png"));
        // Both requests went over one kept-alive connection.
        assert_eq!(peer.connections(), 1);
    })
    .await;
}

#[tokio::test]
async fn mm7_error_status_in_the_response() {
    bounded(async {
        let peer = Peer::start(|_, seen| {
            let rsp = SubmitRsp::new(
                "6.8.0",
                Status::new(StatusCode::ADDRESS_ERROR, "Invalid recipient 1555"),
            );
            Reply::mm7(&seen.transaction_id(), rsp)
        })
        .await;
        match client(&peer).submit(submit_req(), content()).await {
            Err(ClientError::Mm7 { status, response }) => {
                assert_eq!(status.code, StatusCode::ADDRESS_ERROR);
                assert_eq!(status.text.as_deref(), Some("Invalid recipient 1555"));
                assert!(matches!(response.message, Message::SubmitRsp(_)));
            }
            other => panic!("expected Mm7, got {other:?}"),
        }
    })
    .await;
}

fn rs_error_fault(tx: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
 <soapenv:Header><mm7:TransactionID xmlns:mm7="{NS14}" soapenv:mustUnderstand="1">{tx}</mm7:TransactionID></soapenv:Header>
 <soapenv:Body><soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>Server Error</faultstring>
  <detail><mm7:RSErrorRsp xmlns:mm7="{NS14}"><mm7:MM7Version>6.8.0</mm7:MM7Version>
   <mm7:Status><mm7:StatusCode>3000</mm7:StatusCode><mm7:StatusText>Database down</mm7:StatusText></mm7:Status>
  </mm7:RSErrorRsp></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"#
    )
}

#[tokio::test]
async fn faults_with_and_without_detail() {
    bounded(async {
        let peer = Peer::start(|i, seen| match i {
            0 => Reply::xml(500, rs_error_fault(&seen.transaction_id())),
            1 => Reply::xml(
                500,
                r#"<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>
                <S:Fault><faultcode>S:Client</faultcode><faultstring>no such service</faultstring></S:Fault>
                </S:Body></S:Envelope>"#,
            ),
            _ => Reply::mm7_status(
                500,
                &seen.transaction_id(),
                SoapFault::vasp_error("6.8.0", Status::from_code(StatusCode::SERVICE_UNAVAILABLE)),
            ),
        })
        .await;
        let client = client(&peer);
        match client.submit(submit_req(), content()).await {
            Err(e @ ClientError::Fault { .. }) => {
                assert_eq!(e.status_code(), Some(StatusCode::SERVER_ERROR));
                assert_eq!(e.http_status(), Some(http::StatusCode::INTERNAL_SERVER_ERROR));
                // 3000 is what a server answers a request it could not carry out now.
                assert!(e.is_retryable());
                assert!(e.to_string().contains("Database down"), "{e}");
            }
            other => panic!("expected a Fault, got {other:?}"),
        }
        match client.submit(submit_req(), content()).await {
            Err(ClientError::Fault { fault, http_status }) => {
                assert_eq!(http_status, http::StatusCode::INTERNAL_SERVER_ERROR);
                assert!(fault.is_client() && fault.detail.is_none());
                assert_eq!(fault.faultstring, "no such service");
            }
            other => panic!("expected a plain Fault, got {other:?}"),
        }
        let unavailable = client.submit(submit_req(), content()).await.unwrap_err();
        assert_eq!(unavailable.status_code(), Some(StatusCode::SERVICE_UNAVAILABLE));
        assert!(unavailable.is_retryable());
    })
    .await;
}

#[tokio::test]
async fn http_401_403_413_and_other_statuses() {
    bounded(async {
        let page = format!("<html><body>{}</body></html>", "Bad Gateway ".repeat(300));
        let page2 = page.clone();
        let peer = Peer::start(move |i, _| match i {
            0 => Reply::plain(401, "text/plain", "no")
                .with_header("www-authenticate", "Basic realm=\"MM7\""),
            1 => Reply::plain(403, "text/plain", "not from there"),
            2 => Reply::plain(413, "text/html", "too big"),
            _ => Reply::plain(502, "text/html", page2.clone()),
        })
        .await;
        let client = client(&peer);
        match client.submit(submit_req(), content()).await {
            Err(ClientError::Unauthorized {
                challenge,
                credentials_sent,
            }) => {
                assert_eq!(challenge.as_deref(), Some("Basic realm=\"MM7\""));
                assert!(!credentials_sent);
            }
            other => panic!("expected 401, got {other:?}"),
        }
        assert!(matches!(
            client.submit(submit_req(), content()).await,
            Err(ClientError::Forbidden)
        ));
        match client.submit(submit_req(), content()).await {
            Err(ClientError::PayloadTooLarge { sent }) => {
                assert_eq!(sent, peer.seen()[2].body.len() as u64);
            }
            other => panic!("expected 413, got {other:?}"),
        }
        match client.submit(submit_req(), content()).await {
            Err(e @ ClientError::Http { .. }) => {
                let ClientError::Http {
                    status,
                    content_type,
                    excerpt,
                    ..
                } = &e
                else {
                    unreachable!()
                };
                assert_eq!(*status, http::StatusCode::BAD_GATEWAY);
                assert_eq!(content_type, "text/html");
                // The message is the page's text, on one line and shortened, not its markup.
                let message = e.to_string();
                assert!(
                    message.starts_with("HTTP 502 Bad Gateway (text/html): Bad Gateway Bad"),
                    "{message}"
                );
                assert!(!message.contains('<'), "{message}");
                assert!(message.chars().count() < 260, "{message}");
                assert_eq!(excerpt.len(), EXCERPT_LIMIT);
                assert!(page.starts_with(excerpt.as_str()));
                assert!(e.is_retryable());
            }
            other => panic!("expected 502, got {other:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn a_peer_that_never_answers_times_out() {
    bounded(async {
        let peer = Peer::start(|_, _| Reply::Hang).await;
        let client = Client::builder(&peer.url())
            .timeout(Duration::from_millis(300))
            .system_roots(false)
            .build()
            .expect("client");
        let started = Instant::now();
        match client.submit(submit_req(), content()).await {
            Err(ClientError::Timeout { after }) => assert_eq!(after, Duration::from_millis(300)),
            other => panic!("expected a timeout, got {other:?}"),
        }
        assert!(started.elapsed() < Duration::from_secs(3));
        assert_eq!(peer.requests(), 1, "the request reached the peer");
    })
    .await;
}

#[tokio::test]
async fn connection_refused() {
    bounded(async {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("address");
        drop(listener);
        let client = Client::new(&format!("http://{addr}/mm7")).expect("client");
        let error = client.submit(submit_req(), content()).await.unwrap_err();
        assert!(matches!(error, ClientError::Connect { .. }), "{error:?}");
        assert!(error.is_unsent() && error.is_retryable());
        // The cause is kept typed: hyper's error, with the refused connection's I/O error
        // somewhere below it.
        let mut cause = std::error::Error::source(&error);
        let mut refused = false;
        while let Some(e) = cause {
            refused |= e
                .downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused);
            cause = e.source();
        }
        assert!(refused, "no io::Error in the chain of {error:?}");
    })
    .await;
}

#[tokio::test]
async fn garbage_is_undecodable_and_kept() {
    bounded(async {
        let garbage = b"<html>this is no SOAP<<<\xff".to_vec();
        let answer = garbage.clone();
        let peer = Peer::start(move |_, _| Reply::plain(200, "text/xml", answer.clone())).await;
        match client(&peer).submit(submit_req(), content()).await {
            Err(ClientError::Undecodable {
                body,
                content_type,
                error,
            }) => {
                assert_eq!(body, garbage);
                assert_eq!(content_type, "text/xml");
                assert_eq!(error.status_code(), StatusCode::MESSAGE_FORMAT_CORRUPT);
            }
            other => panic!("expected Undecodable, got {other:?}"),
        }
    })
    .await;
}

const NO_TRANSACTION_ID: &str = r#"<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">
<env:Body><SubmitRsp xmlns="http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4">
<MM7Version>6.8.0</MM7Version><Status><StatusCode>1000</StatusCode><StatusText>Success</StatusText></Status>
<MessageID>m2</MessageID></SubmitRsp></env:Body></env:Envelope>"#;

#[tokio::test]
async fn answers_of_the_wrong_kind() {
    bounded(async {
        let peer = Peer::start(|i, seen| match i {
            0 => Reply::mm7(
                &seen.transaction_id(),
                DeliverRsp::new("6.8.0", Status::success()),
            ),
            1 => Reply::mm7("someone-else", SubmitRsp::success("6.8.0", "m1")),
            2 => Reply::xml(200, NO_TRANSACTION_ID),
            _ => Reply::plain(200, "text/xml", vec![b'x'; 4096]),
        })
        .await;
        let client = Client::builder(&peer.url())
            .max_response_size(1024)
            .build()
            .expect("client");
        match client.submit(submit_req(), content()).await {
            Err(
                e @ ClientError::UnexpectedOperation {
                    expected, received, ..
                },
            ) => {
                assert_eq!((expected, received), ("SubmitRsp", "DeliverRsp"));
                assert_eq!(e.http_status(), Some(http::StatusCode::OK));
                assert_eq!(e.received_operation(), Some("DeliverRsp"));
                assert_eq!(e.status_code(), Some(mm7_model::StatusCode::SUCCESS));
                assert!(
                    e.to_string()
                        .ends_with("(HTTP 200 OK, MM7 status 1000 Success)"),
                    "{e}"
                );
            }
            other => panic!("expected UnexpectedOperation, got {other:?}"),
        }
        let options = SendOptions::new().with_transaction_id("tx-mine");
        match client.submit_with(submit_req(), content(), options).await {
            Err(e @ ClientError::TransactionMismatch { .. }) => {
                let ClientError::TransactionMismatch { sent, received, .. } = &e else {
                    unreachable!()
                };
                assert_eq!(
                    (sent.as_str(), received.as_str()),
                    ("tx-mine", "someone-else")
                );
                assert_eq!(e.http_status(), Some(http::StatusCode::OK));
                assert_eq!(e.received_operation(), Some("SubmitRsp"));
                assert_eq!(e.status_code(), Some(mm7_model::StatusCode::SUCCESS));
            }
            other => panic!("expected TransactionMismatch, got {other:?}"),
        }
        // Some MMSCs leave the TransactionID out of the answer: tolerated for a submit, with
        // the decoder's warning.
        let rsp = client
            .submit(submit_req(), content())
            .await
            .expect("no TransactionID");
        assert_eq!(rsp.message.message_id.as_deref(), Some("m2"));
        assert!(!rsp.warnings.is_empty());
        assert!(matches!(
            client.submit(submit_req(), content()).await,
            Err(ClientError::ResponseTooLarge { limit: 1024, .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn basic_auth_from_the_builder_and_from_the_url() {
    bounded(async {
        let peer = Peer::start(|_, seen| {
            Reply::mm7(&seen.transaction_id(), SubmitRsp::success("6.8.0", "m"))
        })
        .await;
        let from_builder = Client::builder(&peer.url())
            .basic_auth("vasp", "s3cret")
            .build()
            .expect("client");
        from_builder
            .submit(submit_req(), content())
            .await
            .expect("sent");
        let url = format!("http://us%40er:p%3Ass%20w%C3%B6rd@{}/mm7", peer.addr);
        let from_url = Client::new(&url).expect("client");
        assert!(!format!("{from_url:?}").contains("p%3A"));
        from_url
            .submit(submit_req(), content())
            .await
            .expect("sent");
        let anonymous = client(&peer);
        anonymous
            .submit(submit_req(), content())
            .await
            .expect("sent");

        let seen = peer.seen();
        assert_eq!(
            seen[0].header("authorization").as_deref(),
            Some("Basic dmFzcDpzM2NyZXQ=")
        );
        // "us@er" : "p:ss wörd", percent-decoded, UTF-8.
        assert_eq!(
            seen[1].header("authorization").as_deref(),
            Some("Basic dXNAZXI6cDpzcyB3w7ZyZA==")
        );
        assert_eq!(seen[1].header("host"), Some(peer.addr.to_string()));
        assert_eq!(seen[1].uri.path(), "/mm7");
        assert_eq!(seen[2].header("authorization"), None);
    })
    .await;
}

#[tokio::test]
async fn extra_headers_and_soapaction() {
    bounded(async {
        let peer = Peer::start(|_, seen| {
            Reply::mm7(
                &seen.transaction_id(),
                CancelRsp::new("6.8.0", Status::success()),
            )
        })
        .await;
        let client = Client::builder(&peer.url())
            .header("X-Vibes-CarrierCode", "102")
            .header("X-Vibes-DlrCallbackUrl", "https://vasp.example/dlr")
            .header("X-Mblox-Carrier-Id", "31002")
            .header("X-Custom", "one")
            .header("X-Custom", "two")
            .header("User-Agent", "MyVasp/2.0")
            .build()
            .expect("client");
        let mut req = CancelReq::default();
        req.sender_identification = Some(SenderIdentification::default());
        req.message_id = "msg-1".into();
        let options = SendOptions::new().with_header(
            http::HeaderName::from_static("x-mbuni-transactionid"),
            http::HeaderValue::from_static("Mbuni-msg.1759.x9.99.16"),
        );
        client
            .cancel_with(req.clone(), options)
            .await
            .expect("cancelled");
        client.cancel(req).await.expect("cancelled");

        let seen = peer.seen();
        let first = &seen[0];
        assert_eq!(first.header("soapaction").as_deref(), Some("\"\""));
        assert_eq!(first.header("x-vibes-carriercode").as_deref(), Some("102"));
        assert_eq!(
            first.header("x-vibes-dlrcallbackurl").as_deref(),
            Some("https://vasp.example/dlr")
        );
        assert_eq!(first.header("x-mblox-carrier-id").as_deref(), Some("31002"));
        let custom: Vec<_> = first.headers.get_all("x-custom").iter().collect();
        assert_eq!(custom, ["one", "two"]);
        assert_eq!(first.header("user-agent").as_deref(), Some("MyVasp/2.0"));
        assert_eq!(
            first.header("x-mbuni-transactionid").as_deref(),
            Some("Mbuni-msg.1759.x9.99.16")
        );
        assert_eq!(
            first.header("content-type").as_deref(),
            Some("text/xml; charset=utf-8")
        );
        assert_eq!(seen[1].header("x-mbuni-transactionid"), None);
    })
    .await;
}

#[tokio::test]
async fn send_returns_any_answer() {
    bounded(async {
        let peer = Peer::start(|_, seen| {
            Reply::mm7(
                &seen.transaction_id(),
                SubmitRsp::new("6.8.0", Status::from_code(StatusCode::new(2003))),
            )
        })
        .await;
        let client = Client::builder(&peer.url())
            .namespace(
                "https://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4/",
            )
            .build()
            .expect("client");
        let envelope = mm7_model::Envelope::new("", client.namespace().clone(), submit_req());
        let answer = client.send(envelope).await.expect("an answer");
        assert_eq!(answer.message.status().map(|s| s.code.get()), Some(2003));
        let seen = peer.seen();
        assert!(!seen[0].transaction_id().is_empty());
        assert_eq!(answer.transaction_id, seen[0].transaction_id());
        let sent = seen[0].envelope.as_ref().expect("decodes");
        assert!(sent.namespace.uri().starts_with("https://"));
        assert_eq!(sent.mm7_version().map(|v| v.as_str()), Some("6.8.0"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_connections_caps_the_open_connections() {
    bounded(async {
        let peer = Peer::start(|_, seen| {
            Reply::mm7(&seen.transaction_id(), SubmitRsp::success("6.8.0", "m"))
        })
        .await;
        let client = Client::builder(&peer.url())
            .max_connections(3)
            .build()
            .expect("client");
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..200 {
            let client = client.clone();
            tasks.spawn(async move { client.submit(submit_req(), content()).await });
        }
        while let Some(done) = tasks.join_next().await {
            done.expect("task").expect("accepted");
        }
        assert_eq!(peer.requests(), 200);
        assert!(
            (1..=3).contains(&peer.connections()),
            "{}",
            peer.connections()
        );
    })
    .await;
}

#[tokio::test]
async fn builder_errors() {
    let invalid = |r: Result<Client, ClientError>| r.unwrap_err();
    assert!(matches!(
        invalid(Client::new("ftp://h/")),
        ClientError::InvalidUrl { .. }
    ));
    assert!(matches!(
        invalid(Client::builder("http://h/").header("Bad Name", "v").build()),
        ClientError::InvalidHeader { .. }
    ));
    assert!(matches!(
        invalid(
            Client::builder("http://h/")
                .header("X-A", "line\nbreak")
                .build()
        ),
        ClientError::InvalidHeader { .. }
    ));
    assert!(matches!(
        invalid(
            Client::builder("https://h/")
                .add_root_certificate(b"-----BEGIN CERTIFICATE-----\n!!")
                .build()
        ),
        ClientError::Tls { .. }
    ));
    assert!(matches!(
        invalid(
            Client::builder("http://h/")
                .namespace("urn:not-mm7")
                .build()
        ),
        ClientError::InvalidNamespace { .. }
    ));
}

#[tokio::test]
async fn https_with_an_extra_root_a_pin_and_an_untrusted_peer() {
    bounded(async {
        let pki = TestPki::new();
        let peer = Peer::start_tls(pki.server_config(), |_, seen| {
            Reply::mm7(&seen.transaction_id(), SubmitRsp::success("6.8.0", "tls"))
        })
        .await;
        let trusted = Client::builder(&peer.url())
            .system_roots(false)
            .add_root_certificate(pki.ca_pem.as_bytes())
            .build()
            .expect("client");
        let rsp = trusted
            .submit(submit_req(), content())
            .await
            .expect("over TLS");
        assert_eq!(rsp.message.message_id.as_deref(), Some("tls"));

        let pinned = Client::builder(&peer.url())
            .pin_certificate(pki.server_der.as_ref())
            .build()
            .expect("client");
        pinned
            .submit(submit_req(), content())
            .await
            .expect("pinned");

        let untrusted = Client::builder(&peer.url())
            .system_roots(false)
            .build()
            .expect("client");
        let error = untrusted.submit(submit_req(), content()).await.unwrap_err();
        assert!(matches!(error, ClientError::Tls { .. }), "{error:?}");

        // Pinning the CA is not pinning the server's certificate.
        let wrong_pin = Client::builder(&peer.url())
            .pin_certificate(pki.ca_der.as_ref())
            .build()
            .expect("client");
        let error = wrong_pin.submit(submit_req(), content()).await.unwrap_err();
        assert!(matches!(error, ClientError::Tls { .. }), "{error:?}");
        assert_eq!(peer.requests(), 2);
    })
    .await;
}

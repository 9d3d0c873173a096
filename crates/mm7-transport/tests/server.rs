//! The server against a hand-written HTTP client: authentication, the allow-list, body limits,
//! malformed bodies, unsupported operations, handler failures, answers that echo the request.
//! Timeouts, shutdown and the connection cap are in `server_lifecycle.rs`.

mod server_support;

use std::sync::Arc;

use mm7_model::Message;
use mm7_transport::server::{Role, RunningServer, ServerConfig};
use server_support::*;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

async fn start(config: ServerConfig) -> (RunningServer, Arc<Recorder>) {
    let recorder = Arc::new(Recorder::default());
    (start_with(config, Arc::clone(&recorder)).await, recorder)
}

#[tokio::test]
async fn success_echoes_the_request() {
    let (server, recorder) = start(ServerConfig::new(Role::Mmsc)).await;
    // An `https://` namespace and an old MM7Version, as some MMSCs send them.
    let namespace = "https://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-5-MM7-1-3";
    let body = soap(namespace, "tx-echo", &submit_body(namespace, "5.3.0"));
    let request = post(
        "text/xml",
        &[("X-Vibes-CarrierCode", "102")],
        body.as_bytes(),
    );
    let response = exchange(server.local_addr(), &request).await;
    assert_eq!(response.status, 200, "{}", response.text());
    let envelope = response.envelope();
    assert_eq!(envelope.transaction_id, "tx-echo");
    assert_eq!(envelope.namespace.uri(), namespace);
    let Message::SubmitRsp(rsp) = &envelope.message else {
        panic!("{}", response.text());
    };
    assert_eq!(rsp.status.code.get(), 1000);
    // The handler left the MM7Version empty; the answer carries the request's.
    assert_eq!(rsp.mm7_version.as_str(), "5.3.0");
    assert_eq!(rsp.message_id.as_deref(), Some("msg-tx-echo"));
    assert!(
        response.text().contains("<SubmitRsp xmlns="),
        "default namespace"
    );

    let seen = recorder.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].operation, "SubmitReq");
    assert_eq!(seen[0].mm7_version, "5.3.0");
    assert_eq!(seen[0].namespace, namespace);
    assert_eq!(seen[0].headers["x-vibes-carriercode"], "102");
    assert!(seen[0].peer.is_some_and(|p| p.ip().is_loopback()));
    server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn prefixed_answers_when_configured() {
    let (server, _) = start(ServerConfig::new(Role::Vasp).with_prefix("mm7")).await;
    let body = soap(NS_REL6, "tx-p", &deliver_body(NS_REL6));
    let response = exchange(server.local_addr(), &post_xml(&body)).await;
    assert_eq!(response.status, 200, "{}", response.text());
    assert!(response.text().contains("<mm7:DeliverRsp xmlns:mm7="));
    assert_eq!(response.mm7_status(), 1000);
}

#[tokio::test]
async fn basic_auth() {
    let config = ServerConfig::new(Role::Mmsc)
        .with_basic_auth("other", "x")
        .with_basic_auth("vasp", "s3cret");
    let (server, recorder) = start(config).await;
    let addr = server.local_addr();
    let body = soap(NS_REL6, "tx-auth", &submit_body(NS_REL6, "6.8.0"));

    let none = exchange(addr, &post_xml(&body)).await;
    assert_eq!(none.status, 401);
    assert_eq!(
        none.header("www-authenticate"),
        Some(r#"Basic realm="mm7", charset="UTF-8""#)
    );
    // "vasp:wrong", "nobody:s3cret", and a scheme that is not Basic.
    for authorization in [
        "Basic dmFzcDp3cm9uZw==",
        "Basic bm9ib2R5OnMzY3JldA==",
        "Bearer dmFzcDpzM2NyZXQ=",
    ] {
        let request = post(
            "text/xml",
            &[("Authorization", authorization)],
            body.as_bytes(),
        );
        assert_eq!(
            exchange(addr, &request).await.status,
            401,
            "{authorization}"
        );
    }
    assert_eq!(recorder.calls(), 0);

    // "vasp:s3cret"
    let request = post(
        "text/xml",
        &[("Authorization", "Basic dmFzcDpzM2NyZXQ=")],
        body.as_bytes(),
    );
    let ok = exchange(addr, &request).await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    let seen = recorder.seen();
    assert_eq!(seen[0].user.as_deref(), Some("vasp"));
    assert!(!seen[0].headers.contains_key("authorization"));
}

#[tokio::test]
async fn allow_list() {
    let outside = ServerConfig::new(Role::Mmsc).with_allowed("10.0.0.0/8".parse().unwrap());
    let (server, recorder) = start(outside).await;
    // The body is never sent: the refusal comes from the headers alone.
    let mut stream = TcpStream::connect(server.local_addr()).await.unwrap();
    stream
        .write_all(b"POST /mm7 HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: 500\r\n\r\n")
        .await
        .unwrap();
    let response = tokio::time::timeout(STEP, read_response(&mut stream))
        .await
        .expect("in time")
        .expect("read")
        .expect("answer");
    assert_eq!(response.status, 403);
    assert_eq!(recorder.calls(), 0);

    let inside = ServerConfig::new(Role::Mmsc)
        .with_allowed("10.0.0.0/8".parse().unwrap())
        .with_allowed("127.0.0.0/8".parse().unwrap());
    let (server, _) = start(inside).await;
    assert_eq!(
        exchange(server.local_addr(), &submit("tx-in")).await.status,
        200
    );
}

#[tokio::test]
async fn method_other_than_post() {
    let (server, _) = start(ServerConfig::new(Role::Mmsc)).await;
    let response = exchange(server.local_addr(), b"GET /mm7 HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert_eq!(response.status, 405);
    assert_eq!(response.header("allow"), Some("POST"));
}

const LIMIT: usize = 1024 * 1024;

#[tokio::test]
async fn too_large_by_content_length() {
    let (server, recorder) = start(ServerConfig::new(Role::Mmsc)).await;
    // Only the headers: the 413 must come without the server waiting for a byte of body.
    let mut stream = TcpStream::connect(server.local_addr()).await.unwrap();
    let head = format!(
        "POST /mm7 HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n",
        LIMIT + 1
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let response = tokio::time::timeout(STEP, read_response(&mut stream))
        .await
        .expect("in time")
        .expect("read")
        .expect("answer");
    assert_eq!(response.status, 413);
    assert_eq!(response.header("connection"), Some("close"));

    // Exactly the limit is read (and refused by the decoder, not by the limit).
    let mut body = b"<x>".to_vec();
    body.resize(LIMIT, b' ');
    let response = exchange(server.local_addr(), &post("text/xml", &[], &body)).await;
    response.expect_fault(2007);
    assert_eq!(recorder.calls(), 0);
}

#[tokio::test]
async fn too_large_by_streamed_bytes() {
    let (server, _) = start(ServerConfig::new(Role::Mmsc)).await;
    // Chunked: no length is declared, the limit is found by counting.
    let mut stream = TcpStream::connect(server.local_addr()).await.unwrap();
    stream
        .write_all(b"POST /mm7 HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n")
        .await
        .unwrap();
    let chunk = vec![b'a'; 64 * 1024];
    let mut sent = 0;
    while sent <= LIMIT {
        let n = chunk.len().min(LIMIT + 1 - sent).max(1);
        let framed = [format!("{n:x}\r\n").as_bytes(), &chunk[..n], b"\r\n"].concat();
        stream.write_all(&framed).await.unwrap();
        sent += n;
    }
    let response = tokio::time::timeout(STEP, read_response(&mut stream))
        .await
        .expect("in time")
        .expect("read")
        .expect("answer");
    assert_eq!(response.status, 413);
}

/// A client that writes its whole body before reading (Python's http.client, Mbuni without
/// `Expect: 100-continue`) must see the 413, not a broken pipe: the server reads and discards
/// the rest of the body (up to a bound) before closing.
#[tokio::test]
async fn too_large_is_read_by_a_client_that_writes_everything_first() {
    let limit = 64 * 1024;
    let (server, recorder) = start(ServerConfig::new(Role::Mmsc).with_body_limit(limit)).await;
    let body = vec![b'a'; 4 * 1024 * 1024];
    for chunked in [false, true] {
        let mut stream = TcpStream::connect(server.local_addr()).await.unwrap();
        let head = if chunked {
            "POST /mm7 HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n"
                .to_string()
        } else {
            format!(
                "POST /mm7 HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n",
                body.len()
            )
        };
        let written = tokio::time::timeout(STEP, async {
            stream.write_all(head.as_bytes()).await?;
            if chunked {
                for chunk in body.chunks(64 * 1024) {
                    stream
                        .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                        .await?;
                    stream.write_all(chunk).await?;
                    stream.write_all(b"\r\n").await?;
                }
                stream.write_all(b"0\r\n\r\n").await
            } else {
                stream.write_all(&body).await
            }
        })
        .await
        .expect("written in time");
        written.unwrap_or_else(|e| panic!("chunked {chunked}: the whole body is taken: {e}"));
        let response = tokio::time::timeout(STEP, read_response(&mut stream))
            .await
            .expect("in time")
            .unwrap_or_else(|e| panic!("chunked {chunked}: {e}"))
            .expect("an answer");
        assert_eq!(response.status, 413, "chunked {chunked}");
        assert_eq!(response.header("connection"), Some("close"));
    }
    assert_eq!(recorder.calls(), 0);
}

#[tokio::test]
async fn content_length_that_lies() {
    let (server, recorder) = start(ServerConfig::new(Role::Mmsc)).await;
    let mut stream = TcpStream::connect(server.local_addr()).await.unwrap();
    // 64 bytes declared, 2 MiB sent: the server reads 64, and the rest is not a request.
    let xml = soap(NS_REL6, "tx-lie", &submit_body(NS_REL6, "6.8.0"));
    let head =
        "POST /mm7 HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: 64\r\n\r\n";
    let mut wire = head.as_bytes().to_vec();
    wire.extend_from_slice(xml.as_bytes());
    wire.resize(head.len() + 2 * LIMIT, b'x');
    let (mut reader, mut writer) = stream.split();
    let write = async {
        // The server may close before all is written: that is the point.
        let _ = writer.write_all(&wire).await;
    };
    let read = async {
        let first = read_response(&mut reader).await.ok().flatten();
        let rest = read_until_closed(&mut reader).await;
        (first, rest)
    };
    let ((), (first, rest)) = tokio::time::timeout(STEP, async { tokio::join!(write, read) })
        .await
        .expect("the connection is closed in time");
    // The 64 bytes are cut XML: a 2007 fault, never a success; then the connection ends.
    let first = first.expect("an answer to the declared body");
    first.expect_fault(2007);
    assert!(!String::from_utf8_lossy(&rest).contains("1000"));
    assert!(rest.len() < 4096, "no second MM7 answer");
    assert_eq!(recorder.calls(), 0);
}

#[tokio::test]
async fn malformed_bodies() {
    let (server, recorder) = start(ServerConfig::new(Role::Mmsc)).await;
    let addr = server.local_addr();

    // Not XML at all: 2007, nothing to echo.
    let response = exchange(addr, &post_xml("this is not xml")).await;
    let envelope = response.expect_fault(2007);
    assert_eq!(envelope.transaction_id, "");
    assert!(response.text().contains("RSErrorRsp"));

    // Broken after the header was read: 2007 with the TransactionID and namespace echoed.
    let broken = soap(
        NS_REL6,
        "tx-broken",
        &format!(
            r#"<SubmitReq xmlns="{NS_REL6}"><MM7Version>6.8.0</MM7Version></Subject></SubmitReq>"#
        ),
    );
    let response = exchange(addr, &post_xml(&broken)).await;
    let envelope = response.expect_fault(2007);
    assert_eq!(envelope.transaction_id, "tx-broken");
    assert_eq!(envelope.namespace.uri(), NS_REL6);

    // A required element missing: 4004, with the TransactionID and MM7Version.
    let missing = soap(
        NS_REL6,
        "tx-missing",
        &format!(r#"<CancelReq xmlns="{NS_REL6}"><MM7Version>6.5.0</MM7Version></CancelReq>"#),
    );
    let response = exchange(addr, &post_xml(&missing)).await;
    let envelope = response.expect_fault(4004);
    assert_eq!(envelope.transaction_id, "tx-missing");
    assert_eq!(
        envelope.message.mm7_version().map(|v| v.as_str()),
        Some("6.5.0")
    );

    // MIME nested deeper than the limit (8 levels): 2004, found after the envelope was read.
    let xml = soap(NS_REL6, "tx-deep", &submit_body(NS_REL6, "6.8.0"));
    let mut inner = "--b9\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b9--\r\n".to_string();
    for level in (1..9).rev() {
        let next = level + 1;
        inner = format!(
            "--b{level}\r\nContent-Type: multipart/mixed; boundary=b{next}\r\n\r\n{inner}\r\n--b{level}--\r\n"
        );
    }
    let body = format!(
        "--b0\r\nContent-Type: text/xml\r\nContent-ID: <soap>\r\n\r\n{xml}\r\n--b0\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n{inner}\r\n--b0--\r\n"
    );
    let request = post(
        r#"multipart/related; type="text/xml"; start="<soap>"; boundary=b0"#,
        &[],
        body.as_bytes(),
    );
    let response = exchange(addr, &request).await;
    let envelope = response.expect_fault(2004);
    assert_eq!(envelope.transaction_id, "tx-deep");

    // A Content-Type that is neither XML nor multipart.
    let response = exchange(addr, &post("image/png", &[], b"\x89PNG")).await;
    response.expect_fault(2007);

    assert_eq!(
        recorder.calls(),
        0,
        "no malformed request reached the handler"
    );
}

/// SOAP 1.1 §4.4 fault codes, and documents that are not well-formed after the Body.
#[tokio::test]
async fn soap_fault_codes_and_whole_document_checks() {
    let (server, recorder) = start(ServerConfig::new(Role::Mmsc)).await;
    let addr = server.local_addr();
    let fault = |response: &RawResponse| {
        let envelope = response.envelope();
        let Message::Fault(fault) = envelope.message else {
            panic!("not a fault: {}", response.text());
        };
        fault
    };

    // A header entry with mustUnderstand="1" we do not know: MustUnderstand, and no detail.
    let xml = format!(
        r#"<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Header>
<w:Security xmlns:w="urn:wsse" env:mustUnderstand="1"/></env:Header><env:Body>{}</env:Body></env:Envelope>"#,
        submit_body(NS_REL6, "6.8.0")
    );
    let response = exchange(addr, &post_xml(&xml)).await;
    assert_eq!(response.status, 500);
    let f = fault(&response);
    assert_eq!(f.faultcode, "MustUnderstand", "{}", response.text());
    assert_eq!(f.detail, None, "{}", response.text());

    // A SOAP 1.2 envelope: VersionMismatch.
    let xml = r#"<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><X/></e:Body></e:Envelope>"#;
    let response = exchange(addr, &post_xml(xml)).await;
    assert_eq!(fault(&response).faultcode, "VersionMismatch");
    response.expect_fault(2007);

    // A root element other than Envelope: a Client fault.
    let response = exchange(addr, &post_xml("<SubmitReq/>")).await;
    assert!(fault(&response).is_client(), "{}", response.text());

    // A mismatched </Body> after a valid SubmitReq: 2007 with the position, not 1000.
    let xml = soap(NS_REL6, "tx-bdy", &submit_body(NS_REL6, "6.8.0"))
        .replace("</env:Body>", "</env:Bdy>");
    let response = exchange(addr, &post_xml(&xml)).await;
    let envelope = response.expect_fault(2007);
    assert_eq!(envelope.transaction_id, "tx-bdy");
    assert!(response.text().contains("env:Bdy"), "{}", response.text());

    // No TransactionID: 4004, and the answer carries none.
    let xml = format!(
        r#"<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Body>{}</env:Body></env:Envelope>"#,
        submit_body(NS_REL6, "6.8.0")
    );
    let response = exchange(addr, &post_xml(&xml)).await;
    let envelope = response.expect_fault(4004);
    assert_eq!(envelope.transaction_id, "");
    assert!(!response.text().contains("Header>"), "{}", response.text());

    // Two TransactionIDs: 4004 naming the second, and the answer carries neither.
    let xml = soap(NS_REL6, "tx-first", &submit_body(NS_REL6, "6.8.0")).replace(
        "</env:Header>",
        &format!(
            r#"<TransactionID xmlns="{NS_REL6}" env:mustUnderstand="1">tx-second</TransactionID></env:Header>"#
        ),
    );
    let response = exchange(addr, &post_xml(&xml)).await;
    response.expect_fault(4004);
    assert!(response.text().contains("repeated"), "{}", response.text());
    assert!(!response.text().contains("Header>"), "{}", response.text());

    // Content after the root element: 2007 saying so, with the position.
    let xml = soap(NS_REL6, "tx-after", &submit_body(NS_REL6, "6.8.0")) + "<x/>";
    let response = exchange(addr, &post_xml(&xml)).await;
    response.expect_fault(2007);
    assert!(
        response
            .text()
            .contains("content outside the root element at "),
        "{}",
        response.text()
    );

    // The real cause, and what was skipped before it, reach the peer in the StatusText.
    let body = submit_body(NS_REL6, "6.8.0")
        .replace("<Number>", "<number>")
        .replace("</Number>", "</number>");
    let xml = soap(NS_REL6, "tx-number", &body);
    let response = exchange(addr, &post_xml(&xml)).await;
    let envelope = response.expect_fault(4004);
    let status = fault(&response).status().cloned().expect("a status");
    let text = status.text.unwrap_or_default();
    assert!(
        text.contains("unknown element <number>, did you mean <Number>?"),
        "{text}"
    );
    assert!(
        text.contains("(after: unknown element <number> in <To> skipped"),
        "{text}"
    );
    assert_eq!(envelope.transaction_id, "tx-number");

    assert_eq!(recorder.calls(), 0, "nothing reached the handler");
}

#[tokio::test]
async fn mime_limits_from_the_configuration() {
    let mut options = mm7_soap::DecodeOptions::default();
    options.mime.limits = options.mime.limits.with_max_parts(2);
    let (server, recorder) =
        start(ServerConfig::new(Role::Mmsc).with_decode_options(options)).await;
    let xml = soap(NS_REL6, "tx-parts", &submit_body(NS_REL6, "6.8.0"));
    let body = format!(
        "--b\r\nContent-Type: text/xml\r\n\r\n{xml}\r\n--b\r\nContent-Type: text/plain\r\n\r\none\r\n--b\r\nContent-Type: text/plain\r\n\r\ntwo\r\n--b--\r\n"
    );
    let request = post(
        r#"multipart/related; type="text/xml"; boundary=b"#,
        &[],
        body.as_bytes(),
    );
    exchange(server.local_addr(), &request)
        .await
        .expect_fault(2004);
    assert_eq!(recorder.calls(), 0);
}

#[tokio::test]
async fn unsupported_operations() {
    let (server, recorder) = start(ServerConfig::new(Role::Mmsc)).await;
    let addr = server.local_addr();
    // An element no MM7 release defines.
    let unknown = soap(
        NS_REL6,
        "tx-unknown",
        &format!(r#"<TeleportReq xmlns="{NS_REL6}"><MM7Version>6.8.0</MM7Version></TeleportReq>"#),
    );
    let envelope = exchange(addr, &post_xml(&unknown)).await.expect_fault(4003);
    assert_eq!(envelope.transaction_id, "tx-unknown");

    // A real operation this handler does not implement (Recorder has no `replace`).
    let replace = soap(
        NS_REL6,
        "tx-replace",
        &format!(
            r#"<ReplaceReq xmlns="{NS_REL6}"><MM7Version>6.8.0</MM7Version><MessageID>m-1</MessageID></ReplaceReq>"#
        ),
    );
    let envelope = exchange(addr, &post_xml(&replace)).await.expect_fault(4003);
    assert_eq!(envelope.transaction_id, "tx-replace");

    // A response posted as if it were a request.
    let response_body = format!(
        r#"<SubmitRsp xmlns="{NS_REL6}"><MM7Version>6.8.0</MM7Version><Status><StatusCode>1000</StatusCode><StatusText>ok</StatusText></Status></SubmitRsp>"#
    );
    let misdirected = soap(NS_REL6, "tx-rsp", &response_body);
    exchange(addr, &post_xml(&misdirected))
        .await
        .expect_fault(4003);

    // The operations it does serve still work on the same server.
    let cancel = soap(NS_REL6, "tx-cancel", &cancel_body(NS_REL6));
    assert_eq!(exchange(addr, &post_xml(&cancel)).await.mm7_status(), 1000);
    assert_eq!(recorder.calls(), 1);
}

#[tokio::test]
async fn handler_errors_are_faults() {
    let (server, recorder) = start(ServerConfig::new(Role::Mmsc)).await;
    let addr = server.local_addr();
    let response = exchange(addr, &submit("refuse")).await;
    let envelope = response.expect_fault(2002);
    assert_eq!(envelope.transaction_id, "refuse");
    let Message::Fault(fault) = &envelope.message else {
        unreachable!()
    };
    assert!(fault.is_client());
    assert_eq!(
        fault.status().and_then(|s| s.text.as_deref()),
        Some("no such subscriber")
    );
    assert!(response.text().contains("RSErrorRsp"));
    assert!(!response.text().contains("1000"));

    // An "error" carrying a success code is not a success.
    exchange(addr, &submit("success-as-error"))
        .await
        .expect_fault(3000);
    assert_eq!(recorder.calls(), 2);
}

#[tokio::test]
async fn vasp_role_answers_with_vasp_error_rsp() {
    let (server, _) = start(ServerConfig::new(Role::Vasp)).await;
    let response = exchange(server.local_addr(), &post_xml("<broken")).await;
    response.expect_fault(2007);
    assert!(response.text().contains("VASPErrorRsp"));
    assert!(!response.text().contains("RSErrorRsp"));
}

/// A handler whose `cancel` panics while making its future, before anything is polled.
struct PanicsWhenCalled;

impl mm7_transport::server::Handler for PanicsWhenCalled {
    #[allow(clippy::manual_async_fn)]
    fn cancel(
        &self,
        _inbound: mm7_transport::server::Inbound<mm7_model::CancelReq>,
    ) -> impl std::future::Future<
        Output = Result<mm7_model::CancelRsp, mm7_transport::server::HandlerError>,
    > + Send {
        panic!("the handler failed before its future");
        #[allow(unreachable_code)]
        async {
            unreachable!()
        }
    }
}

#[tokio::test]
async fn a_handler_that_panics_when_called_is_answered_3000() {
    let server = start_with(ServerConfig::new(Role::Mmsc), PanicsWhenCalled).await;
    let addr = server.local_addr();
    let cancel = post_xml(&soap(NS_REL6, "early-boom", &cancel_body(NS_REL6)));
    for _ in 0..2 {
        let envelope = exchange(addr, &cancel).await.expect_fault(3000);
        assert_eq!(envelope.transaction_id, "early-boom");
    }
    server
        .shutdown()
        .await
        .expect("the server task did not panic");
}

#[tokio::test]
async fn a_panicking_handler_does_not_stop_the_server() {
    let (server, recorder) = start(ServerConfig::new(Role::Mmsc)).await;
    let addr = server.local_addr();
    let response = exchange(addr, &submit("boom")).await;
    let envelope = response.expect_fault(3000);
    assert_eq!(envelope.transaction_id, "boom");
    let Message::Fault(fault) = &envelope.message else {
        unreachable!()
    };
    assert!(fault.is_server());

    // Several panics in a row, then a request that succeeds.
    for _ in 0..3 {
        exchange(addr, &submit("boom")).await.expect_fault(3000);
    }
    assert_eq!(exchange(addr, &submit("tx-after")).await.mm7_status(), 1000);
    assert_eq!(recorder.calls(), 5);
    server
        .shutdown()
        .await
        .expect("the server task did not panic");
}

//! The inbox's pages on a backend: escaping, keyset pages, filters, parts, secrets.

use std::time::Duration;

use axum::body::Body;
use base64::Engine as _;
use http_body_util::BodyExt as _;
use serde_json::json;
use tower_service::Service as _;

use super::html::{encode, without_secrets};
use super::*;
use crate::config::Account;
use crate::store::WebhookOutcome;
use crate::store::{NewSubmission, Outcome, Received};

const HOSTILE: &str = "<script>alert(1)</script> & \"quoted\" 'single'";
const HOSTILE_FILE: &str = "\"><img src=x onerror=alert(2)>.png";
/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
    0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x08, 0xd7, 0x63, 0xf8, 0xcf, 0xc0, 0x00,
    0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xdd, 0x8d, 0xb0, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
    0x44, 0xae, 0x42, 0x60, 0x82,
];

struct Page {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
    bytes: Vec<u8>,
}

async fn get(app: &mut Router, path: &str) -> Page {
    let request = axum::http::Request::builder()
        .uri(path)
        .body(Body::empty())
        .unwrap();
    let response = app.call(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Page {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes,
    }
}

/// The ids a list links to, in order.
fn linked(body: &str, prefix: &str) -> Vec<String> {
    body.split(&format!("<td><a href=\"{prefix}"))
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

/// The `Older` link, unescaped.
fn next(body: &str) -> Option<String> {
    let rest = body.split("id=\"next\" rel=\"next\" href=\"").nth(1)?;
    Some(rest.split('"').next()?.replace("&amp;", "&"))
}

fn submission(id: &str, account: &str, request: Value) -> NewSubmission {
    NewSubmission {
        id: id.into(),
        account: account.into(),
        idempotency_key: None,
        reference: None,
        request,
        transaction_id: format!("tx-{id}"),
        expires_at: None,
    }
}

/// Every page follows its pager to the end: the whole list, once each, in order.
async fn walk(app: &mut Router, first: &str, prefix: &str) -> Vec<String> {
    let mut seen = Vec::new();
    let mut path = Some(first.to_owned());
    let mut pages = 0;
    while let Some(at) = path {
        let page = get(app, &at).await;
        assert_eq!(page.status, StatusCode::OK, "{at}: {}", page.body);
        seen.extend(linked(&page.body, prefix));
        path = next(&page.body);
        pages += 1;
        assert!(pages < 50, "the pager does not end");
    }
    seen
}

/// What the inbox's pages must show, and hide, on every backend; run on SQLite here and
/// on PostgreSQL by its module.
pub(crate) async fn pages_escape_page_and_filter<S: Storage>(storage: S) {
    let png = base64::engine::general_purpose::STANDARD.encode(PNG);
    let svg = base64::engine::general_purpose::STANDARD.encode("<svg onload=\"alert(3)\"/>");
    storage
        .enqueue(submission(
            "msg_hostile",
            "us",
            json!({
                "to": ["15551230000"], "from": "63901", "subject": HOSTILE,
                "text": "<b>not bold</b>",
                "attachments": [
                    {"content_type": "image/png", "filename": HOSTILE_FILE, "data": png},
                    {"content_type": "image/svg+xml", "file_name": "evil.svg", "data": svg},
                ],
            }),
        ))
        .await
        .unwrap();
    // The next ones come at least one millisecond later, so that the newest-first order
    // puts this one last whatever its id.
    tokio::time::sleep(Duration::from_millis(3)).await;
    // Eleven more, most in the same millisecond: the id orders those.
    for n in 0..11 {
        let account = if n % 3 == 0 { "au" } else { "us" };
        storage
            .enqueue(submission(
                &format!("msg_{n:02}"),
                account,
                json!({"to": format!("1555123{n:04}"), "text": "hi"}),
            ))
            .await
            .unwrap();
    }
    // The `au` ones fail.
    let claimed = storage
        .claim("au", 10, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(claimed.len(), 4);
    storage
        .settle(
            claimed
                .iter()
                .map(|c| {
                    (
                        c.id.clone(),
                        Outcome::Failed {
                            error: "2001 <refused>".into(),
                        },
                    )
                })
                .collect(),
            true,
        )
        .await
        .unwrap();

    let mut config = GatewayConfig::new(
        "127.0.0.1:0".parse().unwrap(),
        std::env::temp_dir(),
        Account::named("us", "http://127.0.0.1:9/mm7"),
    );
    config
        .accounts
        .push(Account::named("au", "http://127.0.0.1:9/mm7"));
    let mut app = router(storage.clone(), Arc::new(config));

    // Paging: pages of 5 give all twelve, once each, newest first.
    let all = walk(&mut app, "/inbox/?limit=5", "/inbox/messages/").await;
    assert_eq!(all.len(), 12, "{all:?}");
    let mut unique = all.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 12, "{all:?}");
    let whole = get(&mut app, "/inbox/?limit=200").await;
    assert_eq!(linked(&whole.body, "/inbox/messages/"), all);
    assert!(next(&whole.body).is_none());
    assert_eq!(all.last().map(String::as_str), Some("msg_hostile"));

    // Filters, kept across pages.
    let failed = walk(
        &mut app,
        "/inbox/?status=failed&limit=3",
        "/inbox/messages/",
    )
    .await;
    assert_eq!(failed, ["msg_09", "msg_06", "msg_03", "msg_00"]);
    let us = walk(&mut app, "/inbox/?account=us&limit=2", "/inbox/messages/").await;
    assert_eq!(us.len(), 8, "{us:?}");
    let none = get(&mut app, "/inbox/?account=%3Cb%3Exx&status=sent").await;
    assert!(none.body.contains("id=\"empty\""));
    assert!(none.body.contains("&lt;b&gt;xx"), "{}", none.body);
    assert!(!none.body.contains("<b>xx"));

    // Every answer is locked down.
    let list = get(&mut app, "/inbox/").await;
    assert_eq!(list.headers[header::CONTENT_SECURITY_POLICY], CSP);
    assert_eq!(list.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(list.headers[header::REFERRER_POLICY], "no-referrer");
    assert_eq!(list.headers[header::X_FRAME_OPTIONS], "DENY");
    assert_eq!(list.headers[header::CACHE_CONTROL], "no-store");
    assert!(
        list.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(list.body.contains(
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot; &#39;single&#39;"
    ));
    assert!(!list.body.contains("<script"), "{}", list.body);

    // The message: escaped subject, text and file names; the picture inline, the SVG a
    // download.
    let page = get(&mut app, "/inbox/messages/msg_hostile").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("<script"), "{}", page.body);
    assert!(!page.body.contains("<img src=x"), "{}", page.body);
    assert!(!page.body.contains("<b>not"), "{}", page.body);
    assert!(page.body.contains("&lt;b&gt;not bold&lt;/b&gt;"));
    assert!(page.body.contains(
        "<img src=\"/inbox/messages/msg_hostile/parts/0\" alt=\"&quot;&gt;&lt;img src=x onerror=alert(2)&gt;.png\">"
    ), "{}", page.body);
    assert!(
        page.body
            .contains("<a href=\"/inbox/messages/msg_hostile/parts/1\" download>evil.svg</a>")
    );
    assert!(
        page.body
            .contains("<ol class=\"timeline\" id=\"history\">\n<li><time>")
    );
    let picture = get(&mut app, "/inbox/messages/msg_hostile/parts/0").await;
    assert_eq!(picture.headers[header::CONTENT_TYPE], "image/png");
    assert_eq!(picture.bytes, PNG);
    let disposition = picture.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap();
    assert!(
        disposition.starts_with("inline; filename=\""),
        "{disposition}"
    );
    assert!(
        !disposition[18..disposition.len() - 1].contains('"'),
        "{disposition}"
    );
    let drawing = get(&mut app, "/inbox/messages/msg_hostile/parts/1").await;
    assert_eq!(
        drawing.headers[header::CONTENT_TYPE],
        "application/octet-stream"
    );
    assert_eq!(
        drawing.headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"evil.svg\""
    );
    assert_eq!(drawing.headers[header::CONTENT_SECURITY_POLICY], CSP);
    assert_eq!(
        get(&mut app, "/inbox/messages/msg_hostile/parts/2")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let unknown = get(&mut app, "/inbox/nowhere/%3Cscript%3E").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.headers[header::CONTENT_SECURITY_POLICY], CSP);
    let missing = get(&mut app, "/inbox/messages/%3Cscript%3E").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(!missing.body.contains("<script"));
    let failed_page = get(&mut app, "/inbox/messages/msg_00").await;
    assert!(
        failed_page.body.contains("2001 &lt;refused&gt;"),
        "{}",
        failed_page.body
    );

    // What peers sent in: an MO message with a hostile subject and a picture, and a
    // webhook (to a URL with secrets in it) that failed for good.
    for n in 0..3 {
        storage
            .receive(
                Received {
                    operation: "DeliverReq".into(),
                    transaction_id: format!("mo-{n}"),
                    raw: b"Authorization: Basic c2VjcmV0".to_vec(),
                    view: json!({
                        "from": "15559870000", "to": ["63901"], "subject": HOSTILE,
                        "text": "<i>hello</i>",
                        "attachments": [
                            {"content_type": "text/plain", "content_id": "t", "data": "PGk+aGVsbG88L2k+"},
                            {"content_type": "image/png", "content_id": HOSTILE_FILE, "data": png},
                        ],
                    }),
                    status: None,
                    webhook: Some(json!({"type": "message.received", "transaction_id": format!("mo-{n}")})),
                    webhook_url: Some("http://user:pa55word@127.0.0.1:9/hook?token=t0ken".into()),
                    parts: Vec::new(),
                },
                true,
            )
            .await
            .unwrap();
    }
    let received = walk(&mut app, "/inbox/received?limit=2", "/inbox/received/").await;
    assert_eq!(received.len(), 3, "{received:?}");
    // How long they are kept: the default retention.
    let list = get(&mut app, "/inbox/received").await;
    assert!(
        list.body.contains("Each is kept 30 days after it arrived"),
        "{}",
        list.body
    );
    let newest = &received[0];
    let page = get(&mut app, &format!("/inbox/received/{newest}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("<script"), "{}", page.body);
    assert!(!page.body.contains("<i>hello"), "{}", page.body);
    assert!(!page.body.contains("c2VjcmV0"));
    assert!(page.body.contains("&lt;i&gt;hello&lt;/i&gt;"));
    // The text part is the text; the picture is inline.
    assert!(
        page.body
            .contains(&format!("<img src=\"/inbox/received/{newest}/parts/1\""))
    );
    let picture = get(&mut app, &format!("/inbox/received/{newest}/parts/1")).await;
    assert_eq!(picture.bytes, PNG);

    let hooks = storage
        .claim_webhooks(100, Duration::from_secs(60))
        .await
        .unwrap();
    for hook in &hooks {
        storage
            .settle_webhook(
                hook.id,
                WebhookOutcome::Failed {
                    error: "HTTP 500 <oops>".into(),
                },
            )
            .await
            .unwrap();
    }
    let failed = get(&mut app, "/inbox/failed?limit=2").await;
    assert_eq!(failed.status, StatusCode::OK);
    assert!(failed.body.contains("id=\"failed-messages\""));
    assert!(failed.body.contains("HTTP 500 &lt;oops&gt;"));
    // How long reports ahead of their message are kept: the default retention.
    assert!(
        failed.body.contains("Each is kept 7 days after it arrived"),
        "{}",
        failed.body
    );
    assert!(
        failed.body.contains("http://127.0.0.1:9/hook"),
        "{}",
        failed.body
    );
    assert!(!failed.body.contains("pa55word") && !failed.body.contains("t0ken"));
    // Seven failed webhooks (four status changes, three MO messages), in pages of two.
    let mut path = Some("/inbox/failed?limit=2".to_owned());
    let (mut rows, mut pages) = (0, 0);
    while let Some(at) = path {
        let page = get(&mut app, &at).await;
        rows += page.body.matches("HTTP 500 &lt;oops&gt;").count();
        path = next(&page.body);
        pages += 1;
    }
    assert_eq!((rows, pages), (7, 4));
    // A delivery report links to its message through the MessageID filter.
    let claimed = storage
        .claim("us", 100, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(claimed.len(), 8);
    storage
        .settle(
            claimed
                .iter()
                .map(|c| {
                    let message_id = format!("MID <{}>", c.id);
                    (c.id.clone(), Outcome::Sent { message_id })
                })
                .collect(),
            false,
        )
        .await
        .unwrap();
    storage
        .receive(
            Received {
                operation: "DeliveryReportReq".into(),
                transaction_id: "dr-1".into(),
                raw: Vec::new(),
                view: json!({"message_id": "MID <msg_01>", "mm_status": "Retrieved",
                             "recipient": "15551230001"}),
                status: Some((
                    "MID <msg_01>".into(),
                    "delivered".into(),
                    Some("Retrieved for 15551230001".into()),
                )),
                webhook: None,
                webhook_url: None,
                parts: Vec::new(),
            },
            false,
        )
        .await
        .unwrap();
    // Filtered by operation, kept across pages.
    let mo = walk(
        &mut app,
        "/inbox/received?operation=DeliverReq&limit=2",
        "/inbox/received/",
    )
    .await;
    assert_eq!(mo, received);
    let only = get(&mut app, "/inbox/received?operation=DeliveryReportReq").await;
    assert_eq!(
        linked(&only.body, "/inbox/received/").len(),
        1,
        "{}",
        only.body
    );
    let reports = get(&mut app, "/inbox/received?limit=1").await;
    let link = "<a href=\"/inbox/?message_id=MID%20%3Cmsg_01%3E\">MID &lt;msg_01&gt;</a>";
    assert!(reports.body.contains(link), "{}", reports.body);
    let report = linked(&reports.body, "/inbox/received/");
    let page = get(&mut app, &format!("/inbox/received/{}", report[0])).await;
    assert!(page.body.contains(link), "{}", page.body);
    let found = get(&mut app, "/inbox/?message_id=MID%20%3Cmsg_01%3E").await;
    assert_eq!(linked(&found.body, "/inbox/messages/"), ["msg_01"]);
    assert!(found.body.contains("status-delivered"), "{}", found.body);
    assert!(
        found.body.contains("value=\"MID &lt;msg_01&gt;\""),
        "{}",
        found.body
    );
    let style = get(&mut app, "/inbox/style.css").await;
    assert!(
        style.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_pages_escape_page_and_filter() {
    let dir = std::env::temp_dir().join(format!("mm7-gateway-inbox-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    pages_escape_page_and_filter(crate::SqliteStorage::open(&dir).unwrap()).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn urls_lose_their_secrets() {
    assert_eq!(
        without_secrets("https://u:p@hooks.example.com:8443/a/b?key=k#f"),
        "https://hooks.example.com:8443/a/b"
    );
    assert_eq!(without_secrets("http://h"), "http://h");
    assert_eq!(encode("a b/<é>"), "a%20b%2F%3C%C3%A9%3E");
}

/// The status of `GET path` on a running gateway, over loopback.
async fn status_of(addr: std::net::SocketAddr, path: &str) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("an answer within 10 s")
        .unwrap();
    String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The inbox is on the API's address unless the configuration turns it off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_is_served_unless_turned_off() {
    for on in [true, false] {
        let dir = std::env::temp_dir().join(format!(
            "mm7-gateway-inbox-switch-{}-{on}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let mut config = GatewayConfig::new(
            "127.0.0.1:0".parse().unwrap(),
            dir.clone(),
            Account::new("http://127.0.0.1:9/mm7"),
        );
        config.inbox = on;
        let running = crate::Gateway::start(config).await.unwrap();
        let addr = running.api_addr();
        let expected = if on { "200" } else { "404" };
        assert!(
            status_of(addr, "/inbox/").await.contains(expected),
            "inbox {on}"
        );
        assert!(status_of(addr, "/healthz").await.contains("200"));
        assert!(status_of(addr, "/readyz").await.contains("200"));
        assert!(status_of(addr, "/readyz/no").await.contains("404"));
        running.shutdown().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}

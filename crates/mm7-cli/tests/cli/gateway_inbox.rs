//! The gateway's inbox (`/inbox/` on its API listener) in a real browser: headless Chromium
//! driven over WebDriver, as the mock MMSC's inbox is tested.

use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

use crate::browser::{Browser, programs, runtime};
use crate::gateway_support::GatewayRun;
use crate::inbox::{png_of, request};
use crate::support::{Server, TempDir};

/// A message sent through the gateway to `mm7 mmsc` is listed with its status, then opened:
/// its hostile subject shown as text, its picture displayed, its history complete.
#[test]
fn a_message_sent_through_the_gateway_is_listed_with_its_status_and_opened() {
    const TEST: &str = "gateway_inbox::browser";
    let Some(programs) = programs(TEST) else {
        return;
    };
    let dir = TempDir::new("gateway-inbox");
    let run = GatewayRun::new(&dir).with_api_port(0).with_mm7_listen();
    let mmsc = Server::mmsc(
        &dir.join("mmsc"),
        &["--dlr-after", "300ms", "--callback-url", &run.mm7_url()],
    );
    let gateway = run.with_mmsc_url(&mmsc.url).start();
    let base = gateway
        .url
        .strip_suffix("/v1/messages")
        .expect("the API's URL")
        .to_owned();
    let port = gateway.api;

    let subject = "<b>Saturn</b> & <script>alert(1)</script>";
    let message = json!({
        "from": "63901", "to": ["15551234567"], "subject": subject, "text": "Rings of Saturn",
        "delivery_report": true,
        "attachments": [{
            "content_type": "image/png", "filename": "\"><img src=x onerror=alert(2)>.png",
            "data": base64::engine::general_purpose::STANDARD.encode(png_of([0, 0, 0xff])),
        }],
    });
    let answer = request(
        port,
        "POST",
        "/v1/messages",
        "Content-Type: application/json\r\n",
        message.to_string().as_bytes(),
    );
    assert_eq!(
        answer.status,
        202,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    let id = answer.json()["id"].as_str().expect("an id").to_owned();

    runtime().block_on(async {
        let driver = Browser::start(&programs).await;
        // The list, reloaded until the MMSC's delivery report came back.
        let row = format!(
            "const a = document.querySelector('#messages a[href=\"/inbox/messages/{id}\"]'); \
             return a ? a.closest('tr').querySelector('.status').textContent : null;"
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            driver
                .client
                .goto(&format!("{base}/inbox/"))
                .await
                .expect("open the inbox");
            let status = driver.script(&row).await;
            if status == json!("delivered") {
                break;
            }
            if Instant::now() > deadline {
                driver.screenshot("gateway-failed").await;
                panic!("the message is not listed as delivered: {status}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        // Its subject as text in the list: no element made of it.
        let cells = driver
            .script(
                "const c = document.querySelector('#messages td.subject'); \
                 return [c.textContent, c.children.length, document.querySelectorAll('main script, main b').length];",
            )
            .await;
        assert_eq!(cells, json!([subject, 0, 0]));
        driver.screenshot("gateway-1-list").await;

        driver
            .click(&format!("#messages a[href=\"/inbox/messages/{id}\"]"))
            .await;
        driver
            .until(
                "the message page",
                "return !!document.getElementById('subject') && !!document.getElementById('history');",
            )
            .await;
        let shown = driver
            .script(
                "const h = document.getElementById('subject'); \
                 return [h.textContent, h.children.length, document.querySelectorAll('main script, main b').length, \
                         document.querySelector('#content .text').textContent];",
            )
            .await;
        assert_eq!(shown, json!([subject, 0, 0, "Rings of Saturn"]));
        driver
            .until(
                "the picture displayed",
                "const i = document.querySelector('#content img'); return !!i && i.complete && i.naturalWidth === 4;",
            )
            .await;
        let history: Value = driver
            .script(
                "return Array.from(document.querySelectorAll('#history .status')).map(s => s.textContent);",
            )
            .await;
        assert_eq!(history, json!(["queued", "sent", "delivered"]));
        driver.screenshot("gateway-2-message").await;

        // The MMSC's delivery report, among what it sent in, leads back to the message.
        driver.click("header a[href=\"/inbox/received\"]").await;
        driver
            .until(
                "the delivery report listed",
                "return Array.from(document.querySelectorAll('#received tr')).some(r => r.textContent.includes('DeliveryReportReq'));",
            )
            .await;
        driver.screenshot("gateway-3-received").await;
        driver.click("#received a[href^=\"/inbox/?message_id=\"]").await;
        driver
            .until(
                "the message found by its MessageID",
                &format!(
                    "const rows = document.querySelectorAll('#messages tbody tr'); \
                     return rows.length === 1 && !!rows[0].querySelector('a[href=\"/inbox/messages/{id}\"]');"
                ),
            )
            .await;
        driver.close().await;
    });
    drop(gateway);
    drop(mmsc);
}

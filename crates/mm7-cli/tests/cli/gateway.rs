//! `mm7 gateway` end to end, against the real `mm7 mmsc`: the JSON API, retries of what may
//! pass, delivery reports correlated, signed webhooks, idempotency, permanent refusals.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::gateway_support::{
    Database, GatewayRun, SECRET, mmsc_rows, postgres, signed, webhook_receiver,
};
use crate::inbox::request;
use crate::support::{Server, TempDir, closed_port, run, s};

fn post(port: u16, body: &Value, key: Option<&str>) -> (u16, Value) {
    let extra = match key {
        Some(key) => format!("Content-Type: application/json\r\nIdempotency-Key: {key}\r\n"),
        None => "Content-Type: application/json\r\n".to_owned(),
    };
    let answer = request(
        port,
        "POST",
        "/v1/messages",
        &extra,
        body.to_string().as_bytes(),
    );
    (answer.status, answer.json())
}

/// Polls the message until `done` says so (30 s at most).
fn until(port: u16, id: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let answer = request(port, "GET", &format!("/v1/messages/{id}"), "", b"");
        assert_eq!(answer.status, 200);
        let view = answer.json();
        if done(&view) {
            return view;
        }
        assert!(Instant::now() < deadline, "{what} did not happen: {view}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_message_is_retried_until_the_mmsc_is_up_then_reported_and_webhooks_are_signed() {
    let dir = TempDir::new("gateway");
    let (hook_port, hooks) = webhook_receiver();
    let mmsc_port = closed_port();
    let gateway = GatewayRun::new(&dir)
        .with_mmsc_url(&format!("http://127.0.0.1:{mmsc_port}/mm7"))
        .with_mm7_listen()
        .with_webhook(&format!("http://127.0.0.1:{hook_port}/hook"))
        .with_args(&["--retry-interval", "200ms", "--tps", "20"])
        .start();
    let api = gateway.api;
    assert!(gateway.url.ends_with("/v1/messages"), "{}", gateway.url);

    // Bad input: 400 naming the field, nothing queued.
    let (status, answer) = post(api, &json!({"text": "no recipient"}), None);
    assert_eq!(status, 400);
    assert!(
        answer["error"].as_str().unwrap().contains("`to`"),
        "{answer}"
    );

    let message = json!({
        "from": "63901", "to": ["15551234567"], "subject": "Saturn", "text": "Rings",
        "delivery_report": true, "reference": "order-7",
    });
    let (status, answer) = post(api, &message, Some("order-7"));
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["status"], "queued");
    let id = answer["id"].as_str().unwrap().to_owned();

    // The MMSC is down: a transient failure, tried again.
    let view = until(api, &id, "a retry", |v| v["status"] == "retrying");
    assert!(
        view["last_error"].as_str().unwrap().contains("connect"),
        "{view}"
    );

    // The same key and request: the same message; the same key, another request: 409.
    let (status, again) = post(api, &message, Some("order-7"));
    assert_eq!((status, again["id"].as_str()), (202, Some(id.as_str())));
    assert_eq!(again["duplicate"], true);
    let (status, _) = post(
        api,
        &json!({"to": "15551234567", "text": "other"}),
        Some("order-7"),
    );
    assert_eq!(status, 409);

    // The MMSC comes up: the message is sent, then reported delivered.
    let mmsc = Server::start(&[
        "mmsc",
        "--listen",
        &format!("127.0.0.1:{mmsc_port}"),
        "--store",
        s(&dir.join("mmsc")),
        "--dlr-after",
        "500ms",
        "--callback-url",
        &gateway.mm7_url(),
    ]);
    let view = until(api, &id, "the delivery report", |v| {
        v["status"] == "delivered"
    });
    let message_id = view["message_id"].as_str().expect("a MessageID").to_owned();
    let statuses: Vec<&str> = view["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses.first(), Some(&"queued"), "{statuses:?}");
    assert!(statuses.contains(&"retrying"), "{statuses:?}");
    assert_eq!(
        &statuses[statuses.len() - 2..],
        ["sent", "delivered"],
        "{statuses:?}"
    );
    assert_eq!(view["reference"], "order-7");

    // The MMSC got it once, with the TransactionID every try carried.
    let listed = run(&["store", "list", s(&dir.join("mmsc")), "--json"]);
    let rows: Vec<Value> = listed
        .stdout_text()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["transaction_id"], view["transaction_id"]);
    assert_eq!(rows[0]["message_id"], message_id.as_str());

    // Webhooks: each status change, signed.
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !seen.iter().any(|b: &Value| b["status"] == "delivered") {
        let left = deadline.saturating_duration_since(Instant::now());
        let (signature, body) = hooks.recv_timeout(left).expect("a webhook");
        assert!(signed(&signature, &body), "{signature} {body}");
        assert!(!signed(&signature, &body.replace("order-7", "order-8")));
        seen.push(serde_json::from_str(&body).unwrap());
    }
    assert!(
        seen.iter()
            .all(|b| b["id"] == id.as_str() && b["reference"] == "order-7")
    );
    assert!(
        seen.iter()
            .any(|b| b["status"] == "sent" && b["message_id"] == message_id.as_str())
    );

    // The metrics tell the same story.
    let metrics = request(api, "GET", "/metrics", "", b"");
    assert_eq!(metrics.status, 200);
    let text = String::from_utf8_lossy(&metrics.body).into_owned();
    for line in [
        "mm7_gateway_tries_total{outcome=\"sent\"} 1",
        "mm7_gateway_tries_total{outcome=\"failed\"} 0",
        "mm7_gateway_received_total{operation=\"DeliveryReportReq\"} 1",
        "mm7_gateway_queue_messages{account=\"default\",status=\"queued\"} 0",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
    }
    assert!(
        !text.contains("mm7_gateway_tries_total{outcome=\"retried\"} 0"),
        "{text}"
    );

    // A message from a subscriber reaches the application.
    let out = gateway.deliver("63901", "Wonderful");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let (signature, body) = hooks
        .recv_timeout(Duration::from_secs(20))
        .expect("the MO webhook");
    assert!(signed(&signature, &body));
    let mo: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(mo["type"], "message.received");
    assert_eq!(mo["from"], "15551234567");
    assert_eq!(mo["text"], "Wonderful");
    drop(mmsc);
    drop(gateway);
}

#[test]
fn a_refusal_that_cannot_pass_fails_at_once() {
    let dir = TempDir::new("gateway-refused");
    let wrong = dir.write("password", "wrong");
    let mmsc = Server::mmsc(
        &dir.join("mmsc"),
        &["--user", "vasp", "--password", "right"],
    );
    let gateway = GatewayRun::new(&dir)
        .with_mmsc_url(&mmsc.url)
        .with_args(&["--user", "vasp", "--password-file", s(&wrong)])
        .with_args(&["--retry-interval", "100ms"])
        .start();
    let api = gateway.api;
    let (status, answer) = post(api, &json!({"to": "15551234567", "text": "hi"}), None);
    assert_eq!(status, 202, "{answer}");
    let id = answer["id"].as_str().unwrap();
    let view = until(api, id, "the failure", |v| v["status"] == "failed");
    assert_eq!(view["tries"], 1, "a 401 is not tried again: {view}");
    let error = view["last_error"].as_str().unwrap();
    assert!(error.contains("credentials"), "{error}");
    assert!(!error.contains("wrong"), "no password in errors: {error}");
    drop(gateway);
}

/// The gateway of the rate and queue tests: one account on `mmsc_url`, `tps` submissions a
/// second, tried again 100 ms after a failure.
fn paced(dir: &TempDir, mmsc_url: &str, tps: &str) -> GatewayRun {
    GatewayRun::new(dir).with_mmsc_url(mmsc_url).with_args(&[
        "--tps",
        tps,
        "--retry-interval",
        "100ms",
    ])
}

/// POSTs until a 202 (a refused connection while the gateway restarts is retried with the
/// same Idempotency-Key, as an application would); gives the id.
fn post_until_accepted(port: u16, body: &Value, key: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let attempt = std::panic::catch_unwind(|| post(port, body, Some(key)));
        if let Ok((202, answer)) = attempt {
            return answer["id"].as_str().expect("an id").to_owned();
        }
        assert!(Instant::now() < deadline, "{key} was never accepted");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Arrival times at the MMSC (milliseconds of its `received_at`), sorted.
fn arrival_ms(rows: &[Value]) -> Vec<i64> {
    let mut at: Vec<i64> = rows
        .iter()
        .map(|r| {
            let t = r["received_at"].as_str().unwrap();
            // 2026-12-04T00:41:40.449Z: the day, hours, minutes, seconds and milliseconds.
            let day: i64 = t[8..10].parse().unwrap();
            let (h, m, s) = (&t[11..13], &t[14..16], &t[17..23]);
            let secs: f64 = s.parse().unwrap();
            ((day * 24 + h.parse::<i64>().unwrap()) * 3600 + m.parse::<i64>().unwrap() * 60) * 1000
                + (secs * 1000.0).round() as i64
        })
        .collect();
    at.sort_unstable();
    at
}

#[test]
fn the_rate_limit_is_never_exceeded() {
    let dir = TempDir::new("gateway-tps");
    let mmsc = Server::mmsc(&dir.join("mmsc"), &["--dlr-after", "1h"]);
    let gateway = paced(&dir, &mmsc.url, "4").start();
    let api = gateway.api;
    let ids: Vec<String> = (0..12)
        .map(|n| {
            let body = json!({"to": "15551234567", "text": format!("m{n}")});
            post_until_accepted(api, &body, &format!("tps-{n}"))
        })
        .collect();
    for id in &ids {
        until(api, id, "the message sent", |v| v["status"] == "sent");
    }
    let at = arrival_ms(&mmsc_rows(&dir.join("mmsc")));
    assert_eq!(at.len(), 12);
    // At 4 per second (one saved up at most), no second holds more than 5.
    for (i, start) in at.iter().enumerate() {
        let within = at[i..].iter().take_while(|t| **t < start + 1000).count();
        assert!(within <= 5, "{within} submissions within a second: {at:?}");
    }
    // And the 12 took about 11 intervals of 250 ms.
    assert!(at[11] - at[0] >= 2500, "{at:?}");
    drop(gateway);
    drop(mmsc);
}

#[test]
fn two_gateways_share_one_postgres_queue_and_send_each_message_once() {
    let Some(admin) = postgres("gateway::postgres") else {
        return;
    };
    let database = Database::create(&admin);
    let dir = TempDir::new("gateway-pg");
    let mmsc = Server::mmsc(&dir.join("mmsc"), &["--dlr-after", "1h"]);
    let start = |data: &str| {
        paced(&dir, &mmsc.url, "10")
            .with_data_dir(data)
            .with_database(&database.url)
            .start()
    };
    let mut first = start("a");
    let second = start("b");
    let (a, b) = (first.api, second.api);
    let mut accepted = Vec::new();
    for n in 0..30 {
        let port = if n % 2 == 0 { a } else { b };
        let body = json!({"to": "15551234567", "text": format!("m{n}")});
        accepted.push(post_until_accepted(port, &body, &format!("pg-{n}")));
    }
    // Either gateway answers for any message: one queue.
    for id in &accepted {
        until(b, id, "the message sent", |v| v["status"] == "sent");
    }
    // One gateway killed: the other goes on alone.
    first.kill();
    for n in 30..36 {
        let body = json!({"to": "15551234567", "text": format!("m{n}")});
        accepted.push(post_until_accepted(b, &body, &format!("pg-{n}")));
    }
    for id in &accepted[30..] {
        until(b, id, "the message sent", |v| v["status"] == "sent");
    }
    // Each message reached the MMSC exactly once (claims skip what another gateway holds).
    let rows = mmsc_rows(&dir.join("mmsc"));
    let mut transaction_ids: Vec<&str> = rows
        .iter()
        .map(|r| r["transaction_id"].as_str().unwrap())
        .collect();
    transaction_ids.sort_unstable();
    transaction_ids.dedup();
    assert_eq!((rows.len(), transaction_ids.len()), (36, 36));
    // 10 per second for both nodes together: no second holds more than 11.
    let at = arrival_ms(&rows);
    for (i, start) in at.iter().enumerate() {
        let within = at[i..].iter().take_while(|t| **t < start + 1000).count();
        assert!(within <= 11, "{within} submissions within a second: {at:?}");
    }
    drop(second);
    drop(mmsc);
}

/// The operations and TransactionIDs an `mm7 mmsc` store holds, in order.
fn operations(store: &std::path::Path) -> Vec<(String, String)> {
    mmsc_rows(store)
        .iter()
        .map(|r| {
            (
                r["operation"].as_str().unwrap_or_default().to_owned(),
                r["transaction_id"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// A gateway configured with two accounts, `us` (the default) and `au` (numbers starting
/// +61), each on its own mock MMSC.
fn two_accounts(dir: &TempDir, us: &str, au: &str) -> GatewayRun {
    dir.write("us.password", "s3cret\n");
    GatewayRun::new(dir).with_config(&format!(
        r#"default_account = "us"

[[account]]
name = "us"
url = "{us}"
user = "vasp"
password_file = "us.password"
tps = 50
retry_initial = "100ms"

[[account]]
name = "au"
url = "{au}"
profile = "generic"
tps = 50
retry_initial = "100ms"

[[route]]
prefix = "+61"
account = "au"
"#
    ))
}

#[test]
fn two_accounts_route_by_prefix_and_by_name_each_to_its_own_mmsc() {
    let dir = TempDir::new("gateway-accounts");
    let us = Server::mmsc(&dir.join("us"), &["--dlr-after", "1h"]);
    let au = Server::mmsc(&dir.join("au"), &["--dlr-after", "1h"]);
    let gateway = two_accounts(&dir, &us.url, &au.url).start();
    let api = gateway.api;

    let send = |body: Value| {
        let (status, answer) = post(api, &body, None);
        assert_eq!(status, 202, "{body}: {answer}");
        let id = answer["id"].as_str().unwrap().to_owned();
        until(api, &id, "the message sent", |v| v["status"] == "sent")
    };
    // By prefix (with or without the +), by default, and by name against the prefix.
    let to_au = send(json!({"to": ["61412345678"], "text": "g'day"}));
    let to_us = send(json!({"to": "+15551234567", "text": "hi"}));
    let named = send(json!({"account": "au", "to": "15551234567", "text": "named"}));
    assert_eq!(to_au["account"], "au");
    assert_eq!(to_us["account"], "us");
    assert_eq!(named["account"], "au");

    let transactions = |store: &str| -> Vec<String> {
        operations(&dir.join(store))
            .into_iter()
            .map(|(_, tx)| tx)
            .collect()
    };
    let (at_us, at_au) = (transactions("us"), transactions("au"));
    assert_eq!(at_us, [to_us["transaction_id"].as_str().unwrap()]);
    assert_eq!(at_au.len(), 2, "{at_au:?}");
    for view in [&to_au, &named] {
        assert!(at_au.iter().any(|tx| view["transaction_id"] == tx.as_str()));
    }

    // An account that is not configured: 400 naming it, nothing queued.
    let (status, answer) = post(
        api,
        &json!({"account": "nz", "to": "6421000000", "text": "x"}),
        None,
    );
    assert_eq!(status, 400);
    assert!(
        answer["error"].as_str().unwrap().contains("\"nz\""),
        "{answer}"
    );

    // The queue depth by account.
    let metrics = request(api, "GET", "/metrics", "", b"");
    let text = String::from_utf8_lossy(&metrics.body).into_owned();
    for line in [
        "mm7_gateway_queue_messages{account=\"us\",status=\"queued\"} 0",
        "mm7_gateway_queue_messages{account=\"au\",status=\"queued\"} 0",
        "mm7_gateway_tries_total{outcome=\"sent\"} 3",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
    }
    drop(gateway);
    drop((us, au));
}

#[test]
fn check_prints_a_summary_without_secrets_and_refuses_what_does_not_hold() {
    let dir = TempDir::new("gateway-check");
    let config =
        two_accounts(&dir, "http://127.0.0.1:1/mm7", "http://127.0.0.1:2/mm7").write_config();
    let out = run(&["gateway", "check", "--config", s(&config)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let summary = out.stdout_text();
    for needle in [
        "account us (default): http://127.0.0.1:1/mm7",
        "account au: http://127.0.0.1:2/mm7",
        "user vasp (password set)",
        "route +61* -> au",
        "attachments by URL: 2097152 bytes at most, 5 seconds to connect, 20 seconds in all, 5 redirects",
        "reports whose MessageID no message has: kept 7 days, then deleted and counted",
        "parts of incoming messages: inline",
    ] {
        assert!(summary.contains(needle), "{needle} in\n{summary}");
    }
    assert!(!summary.contains("s3cret"), "{summary}");

    // Passwords written into URLs are masked too.
    dir.write("hook.secret", "k3y\n");
    let in_urls = dir.write(
        "in-urls.toml",
        "[[account]]\nname = \"a\"\nurl = \"http://u:urlpass@127.0.0.1:1/mm7\"\n\
         [webhook]\nurl = \"http://hook:hookpass@127.0.0.1:3/hook\"\nsecret_file = \"hook.secret\"\n\
         [mo]\nparts = \"url\"\npublic_url = \"https://gw:gwpass@gw.example\"\n",
    );
    let out = run(&["gateway", "check", "--config", s(&in_urls)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let shown = format!("{}{}", out.stdout_text(), out.stderr);
    assert!(
        shown.contains("http://u:****@127.0.0.1:1/mm7")
            && shown.contains("http://hook:****@127.0.0.1:3/hook")
            && !shown.contains("urlpass")
            && !shown.contains("hookpass")
            && !shown.contains("gwpass")
            && shown.contains("parts of incoming messages: as URLs"),
        "{shown}"
    );

    // A misspelt key: named with its line, exit status 2, for check and for the gateway.
    let bad = dir.write(
        "bad.toml",
        "[[account]]\nname = \"a\"\nurl = \"http://127.0.0.1:1/mm7\"\ntsp = 5\n",
    );
    for args in [
        &["gateway", "check", "--config", s(&bad)][..],
        &["gateway", "--config", s(&bad)][..],
    ] {
        let out = run(args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains("tsp") && out.stderr.contains("line 4"),
            "{}",
            out.stderr
        );
    }
    // A route to an account that does not exist, an unknown profile, an unreadable secret.
    for (name, text, needle) in [
        (
            "route.toml",
            "[[account]]\nname = \"a\"\nurl = \"http://127.0.0.1:1/mm7\"\n[[route]]\nprefix = \"1\"\naccount = \"b\"\n",
            "\"b\"",
        ),
        (
            "profile.toml",
            "[[account]]\nname = \"a\"\nurl = \"http://127.0.0.1:1/mm7\"\nprofile = \"vibez\"\n",
            "vibez",
        ),
        (
            "secret.toml",
            "[[account]]\nname = \"a\"\nurl = \"http://127.0.0.1:1/mm7\"\nuser = \"u\"\npassword_file = \"nope.txt\"\n",
            "nope.txt",
        ),
    ] {
        let path = dir.write(name, text);
        let out = run(&["gateway", "check", "--config", s(&path)]);
        assert_eq!(out.code, 2, "{name}: {}", out.stderr);
        assert!(out.stderr.contains(needle), "{name}: {}", out.stderr);
    }
    // A config file and an account flag: refused.
    let out = run(&[
        "gateway",
        "--config",
        s(&config),
        "--mmsc-url",
        "http://127.0.0.1:1/mm7",
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
}

#[test]
fn the_example_configs_pass_the_check() {
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/gateway");
    for name in ["vibes", "sinch", "optus", "ezitxt"] {
        let path = examples.join(format!("{name}.toml"));
        let out = crate::support::mm7()
            .args(["gateway", "check", "--config", s(&path)])
            .env("EXAMPLE_VIBES_PASSWORD", "x")
            .env("EXAMPLE_SINCH_PASSWORD", "x")
            .env("EXAMPLE_OPTUS_PASSWORD", "x")
            .env("EXAMPLE_INTERNATIONAL_PASSWORD", "x")
            .env("EXAMPLE_EZITXT_PASSWORD", "x")
            .env("EXAMPLE_MM7_ENDPOINT_PASSWORD", "x")
            .env("EXAMPLE_WEBHOOK_SECRET", "x")
            .env(
                "EXAMPLE_DATABASE_URL",
                "postgres://mm7:pgsecret@127.0.0.1/mm7",
            )
            .output()
            .expect("run mm7");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains(&format!("profile {name}")), "{stdout}");
        assert!(!stdout.contains("pgsecret"), "{stdout}");
    }
}

#[test]
fn cancel_and_replace_through_the_api() {
    let dir = TempDir::new("gateway-cancel");
    let mmsc = Server::mmsc(&dir.join("mmsc"), &["--dlr-after", "1h"]);
    let down = closed_port();
    // Two accounts: the MMSC, and one that is down (its messages wait for a retry).
    let gateway = GatewayRun::new(&dir)
        .with_config(&format!(
            r#"
[[account]]
name = "up"
url = "{}"
tps = 50
retry_initial = "100ms"

[[account]]
name = "down"
url = "http://127.0.0.1:{down}/mm7"
retry_initial = "30s"
"#,
            mmsc.url
        ))
        .start();
    let api = gateway.api;
    let queue = |body: Value| -> String {
        let (status, answer) = post(api, &body, None);
        assert_eq!(status, 202, "{answer}");
        answer["id"].as_str().unwrap().to_owned()
    };

    // Not sent yet: cancelled in the queue, at once.
    let waiting = queue(json!({"account": "down", "to": "15551234567", "text": "later"}));
    until(api, &waiting, "a retry", |v| v["status"] == "retrying");
    let answer = request(api, "DELETE", &format!("/v1/messages/{waiting}"), "", b"");
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["status"], "cancelled");
    let view = until(api, &waiting, "cancelled", |v| v["status"] == "cancelled");
    assert_eq!(view["tries"], 1, "not tried again: {view}");

    // Sent: a CancelReq to the MMSC, with a TransactionID of its own.
    let sent = queue(json!({"account": "up", "to": "15551234567", "text": "oops"}));
    let view = until(api, &sent, "sent", |v| v["status"] == "sent");
    let answer = request(api, "DELETE", &format!("/v1/messages/{sent}"), "", b"");
    assert_eq!(answer.status, 202, "{:?}", answer.json());
    assert_eq!(answer.json()["status"], "cancelling");
    let cancelled = until(api, &sent, "cancelled", |v| v["status"] == "cancelled");
    let history: Vec<&str> = cancelled["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status"].as_str().unwrap())
        .collect();
    assert_eq!(history, ["queued", "sent", "cancelling", "cancelled"]);
    assert_eq!(cancelled["message_id"], view["message_id"]);
    // Twice: refused, the message is cancelled already.
    let answer = request(api, "DELETE", &format!("/v1/messages/{sent}"), "", b"");
    assert_eq!(answer.status, 409);

    // Replaced: a ReplaceReq with the new content.
    let replaced = queue(json!({"account": "up", "to": "15551234567", "text": "first"}));
    until(api, &replaced, "sent", |v| v["status"] == "sent");
    let path = format!("/v1/messages/{replaced}/replace");
    let answer = request(
        api,
        "POST",
        &path,
        "Content-Type: application/json\r\n",
        br#"{"text": "second"}"#,
    );
    assert_eq!(answer.status, 202);
    assert_eq!(answer.json()["status"], "replacing");
    until(api, &replaced, "replaced", |v| v["status"] == "replaced");
    let bad = request(
        api,
        "POST",
        &path,
        "Content-Type: application/json\r\n",
        br#"{"to": "1"}"#,
    );
    assert_eq!(bad.status, 400);
    let unknown = request(api, "DELETE", "/v1/messages/msg_nope", "", b"");
    assert_eq!(unknown.status, 404);

    let kinds: Vec<String> = operations(&dir.join("mmsc"))
        .into_iter()
        .map(|(op, _)| op)
        .collect();
    assert_eq!(
        kinds,
        ["SubmitReq", "CancelReq", "SubmitReq", "ReplaceReq"],
        "the cancelled-in-the-queue message never reached the MMSC"
    );
    drop(gateway);
    drop(mmsc);
}

#[test]
fn a_form_upload_sends_its_files_as_attachments() {
    let dir = TempDir::new("gateway-form");
    let mmsc = Server::mmsc(&dir.join("mmsc"), &["--dlr-after", "1h"]);
    let gateway = paced(&dir, &mmsc.url, "50").start();
    let api = gateway.api;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";
    let boundary = "XyZ-boundary";
    let mut body = Vec::new();
    for (name, value) in [
        ("to", "15551234567"),
        ("to", "15557654321"),
        ("from", "63901"),
        ("subject", "Photo"),
        ("text", "See this"),
        ("delivery_report", "true"),
        ("reference", "form-1"),
    ] {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"dot.png\"\r\nContent-Type: image/png\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(png);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let answer = request(
        api,
        "POST",
        "/v1/messages",
        &format!("Content-Type: multipart/form-data; boundary={boundary}\r\n"),
        &body,
    );
    assert_eq!(answer.status, 202, "{:?}", answer.json());
    let id = answer.json()["id"].as_str().unwrap().to_owned();
    let view = until(api, &id, "sent", |v| v["status"] == "sent");
    assert_eq!(view["reference"], "form-1");
    let rows = mmsc_rows(&dir.join("mmsc"));
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["transaction_id"], view["transaction_id"]);
    // The picture and the text, each a part.
    assert!(rows[0]["parts"].as_u64().unwrap() >= 2, "{:?}", rows[0]);

    // A form field that is not a submission's: 400 naming it.
    let bad = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"too\"\r\n\r\n1555\r\n--{boundary}--\r\n"
    );
    let answer = request(
        api,
        "POST",
        "/v1/messages",
        &format!("Content-Type: multipart/form-data; boundary={boundary}\r\n"),
        bad.as_bytes(),
    );
    assert_eq!(answer.status, 400);
    assert!(
        answer.json()["error"].as_str().unwrap().contains("`too`"),
        "{:?}",
        answer.json()
    );
    drop(gateway);
    drop(mmsc);
}

#[test]
fn messages_from_subscribers_are_routed_to_webhooks_by_keyword() {
    let dir = TempDir::new("gateway-mo");
    let secret = dir.write("secret", SECRET);
    let (default_port, default_hooks) = webhook_receiver();
    let (stop_port, stop_hooks) = webhook_receiver();
    let gateway = GatewayRun::new(&dir)
        .with_mm7_listen()
        .with_config(&format!(
            r#"
[[account]]
name = "only"
url = "http://127.0.0.1:{}/mm7"

[webhook]
url = "http://127.0.0.1:{default_port}/hook"
secret_file = "{}"

[[mo_route]]
short_code = "63901"
keyword = "stop"
webhook_url = "http://127.0.0.1:{stop_port}/stop"
"#,
            closed_port(),
            s(&secret)
        ))
        .start();
    let deliver = |to: &str, text: &str| {
        let out = gateway.deliver(to, text);
        assert_eq!(out.code, 0, "{}", out.stderr);
    };
    deliver("63901", "STOP please");
    let (signature, body) = stop_hooks
        .recv_timeout(Duration::from_secs(20))
        .expect("the STOP webhook");
    assert!(signed(&signature, &body));
    assert!(body.contains("STOP please"), "{body}");
    // Another short code, or another first word: the default webhook.
    deliver("63902", "STOP please");
    deliver("63901", "stopping by");
    for _ in 0..2 {
        let (signature, body) = default_hooks
            .recv_timeout(Duration::from_secs(20))
            .expect("a default webhook");
        assert!(signed(&signature, &body));
        let mo: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(mo["type"], "message.received");
    }
    assert!(
        stop_hooks.try_recv().is_err(),
        "only the first went to /stop"
    );
    drop(gateway);
}

#[test]
fn two_gateways_on_postgres_keep_each_accounts_rate() {
    let Some(admin) = postgres("gateway::postgres_accounts") else {
        return;
    };
    let database = Database::create(&admin);
    let dir = TempDir::new("gateway-pg-accounts");
    let fast = Server::mmsc(&dir.join("fast"), &["--dlr-after", "1h"]);
    let slow = Server::mmsc(&dir.join("slow"), &["--dlr-after", "1h"]);
    let config = dir.write(
        "gateway.toml",
        format!(
            r#"
[[account]]
name = "fast"
url = "{}"
tps = 40
retry_initial = "100ms"

[[account]]
name = "slow"
url = "{}"
tps = 4
retry_initial = "100ms"

[[route]]
prefix = "61"
account = "slow"
"#,
            fast.url, slow.url
        ),
    );
    let start = |data: &str| {
        GatewayRun::new(&dir)
            .with_config_file(&config)
            .with_data_dir(data)
            .with_database(&database.url)
            .start()
    };
    let first = start("a");
    let second = start("b");
    let (a, b) = (first.api, second.api);
    let mut accepted = Vec::new();
    for n in 0..24 {
        let port = if n % 2 == 0 { a } else { b };
        let to = if n < 12 { "61412345678" } else { "15551234567" };
        let body = json!({"to": to, "text": format!("m{n}")});
        accepted.push(post_until_accepted(port, &body, &format!("pga-{n}")));
    }
    for id in &accepted {
        until(a, id, "the message sent", |v| v["status"] == "sent");
    }
    let slow_at = arrival_ms(&mmsc_rows(&dir.join("slow")));
    let fast_at = arrival_ms(&mmsc_rows(&dir.join("fast")));
    assert_eq!((slow_at.len(), fast_at.len()), (12, 12));
    // 4 per second for the slow account, both nodes together: no second holds more than 5,
    // and the 12 took about 11 intervals of 250 ms.
    for (i, start) in slow_at.iter().enumerate() {
        let within = slow_at[i..]
            .iter()
            .take_while(|t| **t < start + 1000)
            .count();
        assert!(within <= 5, "{within} within a second: {slow_at:?}");
    }
    assert!(slow_at[11] - slow_at[0] >= 2500, "{slow_at:?}");
    // The fast account kept its own pace, not the slow one's.
    assert!(
        fast_at[11] - fast_at[0] < slow_at[11] - slow_at[0],
        "{fast_at:?} {slow_at:?}"
    );
    drop((first, second));
    drop((fast, slow));
}

/// A PNG of one pixel.
const PIXEL: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde";

/// A file server on 127.0.0.1 for attachments by URL: `/pic.png` (a picture), `/missing`
/// (404), `/big` (5000 bytes, said in Content-Length), `/stream` (5000 bytes, no length),
/// `/slow` (answers after 5 s), `/hop` (a redirect to `/pic.png`), `/loop` (redirects to
/// itself), `/secret` (the picture for Basic `user:s3cret` only).
fn file_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut head = Vec::new();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    head.push(line);
                }
                let path = head
                    .first()
                    .and_then(|l| l.split_whitespace().nth(1))
                    .unwrap_or("/")
                    .split('?')
                    .next()
                    .unwrap_or("/")
                    .to_owned();
                let authorized = head.iter().any(|l| {
                    l.to_ascii_lowercase().starts_with("authorization:")
                        && l.trim_end().ends_with("Basic dXNlcjpzM2NyZXQ=")
                });
                let ok = |kind: &str, body: &[u8]| {
                    let mut out = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    out.extend_from_slice(body);
                    out
                };
                let redirect = |to: &str| {
                    format!("HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                        .into_bytes()
                };
                let answer = match path.as_str() {
                    "/pic.png" => ok("image/png", PIXEL),
                    "/secret" if authorized => ok("image/png", PIXEL),
                    "/secret" => b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
                    "/big" => ok("image/jpeg", &[b'x'; 5000]),
                    "/stream" => {
                        let mut out = b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nConnection: close\r\n\r\n".to_vec();
                        out.extend_from_slice(&[b'x'; 5000]);
                        out
                    }
                    "/slow" => {
                        std::thread::sleep(Duration::from_secs(5));
                        ok("image/png", PIXEL)
                    }
                    "/hop" => redirect("/pic.png"),
                    "/loop" => redirect("/loop"),
                    _ => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
                };
                let _ = stream.write_all(&answer);
            });
        }
    });
    port
}

#[test]
fn attachments_by_url_are_fetched_before_the_202_within_limits() {
    let dir = TempDir::new("gateway-url");
    let mmsc = Server::mmsc(&dir.join("mmsc"), &["--dlr-after", "1h"]);
    let files = file_server();
    let gateway = GatewayRun::new(&dir)
        .with_config(&format!(
            r#"
[[account]]
name = "only"
url = "{}"
tps = 50

[attachments]
max_size = 1000
timeout = "1s"
max_redirects = 2
allow_private_addresses = true     # the file server is on loopback
"#,
            mmsc.url
        ))
        .start();
    let api = gateway.api;
    let url = |path: &str| format!("http://127.0.0.1:{files}{path}");
    let with = |attachments: Value| {
        post(
            api,
            &json!({"to": "15551234567", "text": "see", "attachments": attachments}),
            None,
        )
    };

    // Fetched, one by a redirect, one with credentials: queued complete, then sent.
    let (status, answer) = with(json!([
        {"url": url("/pic.png")},
        {"content_type": "image/png", "filename": "b.png", "url": url("/hop")},
    ]));
    assert_eq!(status, 202, "{answer}");
    let first = answer["id"].as_str().unwrap().to_owned();
    let secret = format!("http://user:s3cret@127.0.0.1:{files}/secret?token=t0ken");
    let (status, answer) = with(json!([{"content_type": "image/png", "url": secret}]));
    assert_eq!(status, 202, "{answer}");
    let second = answer["id"].as_str().unwrap().to_owned();
    until(api, &first, "sent", |v| v["status"] == "sent");
    until(api, &second, "sent", |v| v["status"] == "sent");
    let rows = mmsc_rows(&dir.join("mmsc"));
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows.iter().all(|r| r["parts"].as_u64().unwrap() >= 2),
        "{rows:?}"
    );

    // Refusals name the attachment and the cause, never the URL's secrets.
    let wrong = format!("http://user:wr0ng@127.0.0.1:{files}/secret?token=t0ken");
    let started = Instant::now();
    let cases = [
        (json!([{"url": url("/missing")}]), 502, 1, "HTTP 404"),
        (
            json!([{"url": url("/pic.png")}, {"url": url("/big")}]),
            413,
            2,
            "1000 bytes",
        ),
        (json!([{"url": url("/stream")}]), 413, 1, "1000 bytes"),
        (json!([{"url": url("/slow")}]), 502, 1, "within 1 s"),
        (
            json!([{"url": url("/loop")}]),
            502,
            1,
            "redirects more than 2",
        ),
        (json!([{"url": "file:///etc/passwd"}]), 400, 1, "only http"),
        (json!([{"url": "ftp://127.0.0.1/x"}]), 400, 1, "only http"),
        (
            json!([{"content_type": "image/png", "url": wrong}]),
            502,
            1,
            "HTTP 401",
        ),
        (
            json!([{"url": url("/pic.png"), "data": "AA=="}]),
            400,
            1,
            "not both",
        ),
    ];
    for (attachments, want, index, cause) in cases {
        let (status, answer) = with(attachments.clone());
        assert_eq!(status, want, "{attachments}: {answer}");
        assert_eq!(answer["attachment"], index, "{answer}");
        let text = answer["error"].as_str().unwrap();
        assert!(text.starts_with(&format!("attachment {index}: ")), "{text}");
        assert!(text.contains(cause), "{attachments}: {text}");
        for secret in ["wr0ng", "t0ken", "/secret"] {
            assert!(!text.contains(secret), "{text}");
        }
    }
    // The slow one waited for its timeout only.
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    // Nothing refused was queued.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(mmsc_rows(&dir.join("mmsc")).len(), 2);
    drop(gateway);
    drop(mmsc);
}

/// A webhook receiver that answers 503 until `up` turns true, then 200 with each body sent on.
fn flaky_receiver(up: std::sync::Arc<std::sync::atomic::AtomicBool>) -> (u16, Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            if reader.read_exact(&mut body).is_err() {
                continue;
            }
            if !up.load(std::sync::atomic::Ordering::SeqCst) {
                let _ = stream.write_all(
                    b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
                continue;
            }
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            if tx
                .send(String::from_utf8_lossy(&body).into_owned())
                .is_err()
            {
                return;
            }
        }
    });
    (port, rx)
}

#[test]
fn an_expired_webhook_is_kept_visible_and_tried_again_with_its_parts_served_by_url() {
    let dir = TempDir::new("gateway-expiry");
    let secret = dir.write("secret", SECRET);
    let up = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (hook_port, hooks) = flaky_receiver(std::sync::Arc::clone(&up));
    let gateway = GatewayRun::new(&dir)
        .with_mm7_listen()
        .with_config(&format!(
            r#"
[[account]]
name = "only"
url = "http://127.0.0.1:{}/mm7"

[webhook]
url = "http://127.0.0.1:{hook_port}/hook"
secret_file = "{}"
expiry = "2s"

[mo]
parts = "auto"
inline_max = 4
"#,
            closed_port(),
            s(&secret)
        ))
        .start();
    let api = gateway.api;
    let text = "hello there, a longer text";
    let out = gateway.deliver("63901", text);
    assert_eq!(out.code, 0, "{}", out.stderr);

    // The application is down past the expiry: the webhook is kept as expired, listed, counted.
    let deadline = Instant::now() + Duration::from_secs(20);
    let listed = loop {
        let answer = request(api, "GET", "/v1/webhooks?state=expired", "", b"");
        assert_eq!(answer.status, 200);
        let listed = answer.json()["webhooks"].as_array().unwrap().clone();
        if !listed.is_empty() {
            break listed;
        }
        assert!(Instant::now() < deadline, "the webhook never expired");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["event"], "message.received");
    assert!(listed[0]["tries"].as_u64().unwrap() >= 1, "{listed:?}");
    assert!(
        listed[0]["last_error"].as_str().unwrap().contains("503"),
        "{listed:?}"
    );
    let metrics = String::from_utf8(request(api, "GET", "/metrics", "", b"").body).unwrap();
    assert!(
        metrics.contains("mm7_gateway_webhooks_kept{state=\"expired\"} 1\n"),
        "{metrics}"
    );
    assert!(metrics.contains("mm7_gateway_webhooks_total{outcome=\"expired\"} 1\n"));
    assert!(hooks.try_recv().is_err(), "nothing was acknowledged");
    let bad = request(api, "POST", "/v1/webhooks/999999/retry", "", b"");
    assert_eq!(bad.status, 404);
    assert_eq!(
        request(api, "GET", "/v1/webhooks?state=lost", "", b"").status,
        400
    );

    // Up again, tried again by hand: delivered, its text part a URL the API serves.
    up.store(true, std::sync::atomic::Ordering::SeqCst);
    let id = listed[0]["id"].as_i64().unwrap();
    let answer = request(api, "POST", &format!("/v1/webhooks/{id}/retry"), "", b"");
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["retried"], 1);
    let body = hooks
        .recv_timeout(Duration::from_secs(20))
        .expect("the webhook, tried again");
    let mo: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(mo["type"], "message.received");
    assert_eq!(mo["text"], text);
    let part = &mo["attachments"][0];
    assert!(part.get("data").is_none(), "{mo}");
    assert_eq!(part["size"], text.len());
    let url = part["url"].as_str().unwrap();
    let prefix = format!("http://127.0.0.1:{api}/v1/mo/mo_");
    assert!(url.starts_with(&prefix), "{url}");
    let path = &url[format!("http://127.0.0.1:{api}").len()..];
    let served = request(api, "GET", path, "", b"");
    assert_eq!(served.status, 200);
    assert!(
        served
            .header("content-type")
            .unwrap()
            .starts_with("text/plain"),
        "{:?}",
        served.header("content-type")
    );
    assert_eq!(served.body, text.as_bytes());
    // Another id, another part: not found.
    let guessed = path.replace("/mo/mo_", "/mo/mo_0");
    assert_eq!(request(api, "GET", &guessed, "", b"").status, 404);
    assert_eq!(
        request(api, "GET", &path.replace("/parts/1", "/parts/2"), "", b"").status,
        404
    );
    let metrics = String::from_utf8(request(api, "GET", "/metrics", "", b"").body).unwrap();
    assert!(
        metrics.contains("mm7_gateway_webhooks_kept{state=\"expired\"} 0\n"),
        "{metrics}"
    );
    let answer = request(api, "GET", "/v1/webhooks", "", b"");
    assert_eq!(answer.json()["webhooks"], json!([]));
    drop(gateway);
}

#[test]
fn a_replacement_passes_the_profile_as_a_submission_does() {
    use base64::Engine as _;
    let dir = TempDir::new("gateway-replace-profile");
    let password = dir.write("password", "vasp-secret");
    let gateway = GatewayRun::new(&dir)
        .with_config(&format!(
            r#"
[[account]]
name = "vibes"
url = "http://127.0.0.1:{}/mm7"
profile = "vibes"
user = "vasp"
password_file = "{}"
retry_initial = "30s"
"#,
            closed_port(),
            s(&password)
        ))
        .start();
    let api = gateway.api;
    let (status, answer) = post(
        api,
        &json!({"from": "63901", "to": "+15551234567", "text": "first"}),
        None,
    );
    assert_eq!(status, 202, "{answer}");
    let id = answer["id"].as_str().unwrap().to_owned();
    until(api, &id, "a retry", |v| v["status"] == "retrying");
    let path = format!("/v1/messages/{id}/replace");
    // More than the Vibes MMSC takes in one request: refused, as a submission would be.
    let big = base64::engine::general_purpose::STANDARD.encode(vec![0xffu8; 1_100_000]);
    let body = json!({"attachments": [{"content_type": "image/jpeg", "data": big}]});
    let answer = request(
        api,
        "POST",
        &path,
        "Content-Type: application/json\r\n",
        body.to_string().as_bytes(),
    );
    assert_eq!(answer.status, 400);
    let refused = answer.json();
    assert!(
        refused["error"].as_str().unwrap().contains("vibes"),
        "{refused}"
    );
    assert!(
        refused["violations"].to_string().contains("HTTP body"),
        "{refused}"
    );
    let (status, _) = post(
        api,
        &json!({"from": "63901", "to": "+15551234567", "attachments": body["attachments"]}),
        None,
    );
    assert_eq!(status, 400, "the same content in a submission");
    // Content it takes: replaced in the queue.
    let answer = request(
        api,
        "POST",
        &path,
        "Content-Type: application/json\r\n",
        br#"{"text": "second"}"#,
    );
    assert_eq!(answer.status, 200, "{:?}", answer.json());
    assert_eq!(answer.json()["status"], "replaced");
    drop(gateway);
}

#[test]
fn webhook_expiry_from_the_command_line() {
    let dir = TempDir::new("gateway-expiry-flag");
    let gateway = GatewayRun::new(&dir)
        .with_mmsc_url(&format!("http://127.0.0.1:{}/mm7", closed_port()))
        .with_mm7_listen()
        .with_webhook(&format!("http://127.0.0.1:{}/hook", closed_port()))
        .with_args(&["--webhook-expiry", "1s"])
        .start();
    let api = gateway.api;
    let out = gateway.deliver("63901", "hi");
    assert_eq!(out.code, 0, "{}", out.stderr);
    // Nobody listens at the webhook: kept as expired after a second, not tried for a day.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let listed = request(api, "GET", "/v1/webhooks", "", b"").json();
        if let Some(first) = listed["webhooks"].as_array().and_then(|l| l.first()) {
            assert_eq!(first["state"], "expired", "{listed}");
            assert!(
                first["last_error"]
                    .as_str()
                    .unwrap()
                    .contains("cannot reach"),
                "{listed}"
            );
            break;
        }
        assert!(Instant::now() < deadline, "the webhook never expired");
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(gateway);
}

#[test]
fn a_report_for_a_message_id_never_recorded_is_answered_1000_kept_and_listed() {
    let dir = TempDir::new("gateway-early-report");
    let gateway = GatewayRun::new(&dir)
        .with_mmsc_url(&format!("http://127.0.0.1:{}/mm7", closed_port()))
        .with_mm7_listen()
        .start();
    let api = gateway.api;
    gateway.report_retrieved("other<&>1");
    let metrics = String::from_utf8(request(api, "GET", "/metrics", "", b"").body).unwrap();
    assert!(
        metrics.contains("\nmm7_gateway_unmatched_reports 1\n"),
        "{metrics}"
    );
    let page = request(api, "GET", "/inbox/failed", "", b"");
    assert_eq!(page.status, 200);
    let page = String::from_utf8(page.body).unwrap();
    assert!(page.contains("id=\"early-reports\""), "{page}");
    assert!(page.contains("other&lt;&amp;&gt;1"), "{page}");
    assert!(!page.contains("other<&>1"), "{page}");
    drop(gateway);
}

#[test]
fn unmatched_reports_are_deleted_past_their_retention_and_counted() {
    let dir = TempDir::new("gateway-early-retention");
    let gateway = GatewayRun::new(&dir)
        .with_mm7_listen()
        .with_config(&format!(
            r#"unmatched_report_retention = "2s"

[[account]]
name = "us"
url = "http://127.0.0.1:{}/mm7"
"#,
            closed_port()
        ))
        .start();
    let api = gateway.api;
    gateway.report_retrieved("never-sent-1");
    let metrics = || String::from_utf8(request(api, "GET", "/metrics", "", b"").body).unwrap();
    let page = String::from_utf8(request(api, "GET", "/inbox/failed", "", b"").body).unwrap();
    assert!(page.contains("never-sent-1"), "{page}");
    assert!(
        page.contains("Each is kept 2 seconds after it arrived"),
        "{page}"
    );
    // Kept for its two seconds, then deleted by the sweep and counted.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let text = metrics();
        if text.contains("\nmm7_gateway_unmatched_reports_expired_total 1\n") {
            assert!(
                text.contains("\nmm7_gateway_unmatched_reports 0\n"),
                "{text}"
            );
            break;
        }
        assert!(
            text.contains("\nmm7_gateway_unmatched_reports_expired_total 0\n"),
            "{text}"
        );
        assert!(Instant::now() < deadline, "never deleted: {text}");
        std::thread::sleep(Duration::from_millis(200));
    }
    let page = String::from_utf8(request(api, "GET", "/inbox/failed", "", b"").body).unwrap();
    assert!(page.contains("id=\"no-early-reports\""), "{page}");
    // The request it came in is still in the inbox of what the MMSC sent.
    let received = String::from_utf8(request(api, "GET", "/inbox/received", "", b"").body).unwrap();
    assert!(received.contains("DeliveryReportReq"), "{received}");
    drop(gateway);
}

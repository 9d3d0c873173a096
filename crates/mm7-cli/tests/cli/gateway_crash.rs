//! The gateway's crash guarantees (issue 19), end to end: gateways killed with SIGKILL under
//! load while `mm7 mmsc` sends delivery reports back; every message answered 202 reaches the
//! MMSC (a repeat only across a kill, with the same TransactionID), every delivery report
//! answered 1000 reaches the webhook, nothing is left stuck, and the TPS limit holds by the
//! MMSC's arrival times. Two nodes on PostgreSQL, one node on SQLite.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::gateway_support::{
    Database, Gateway, GatewayRun, SECRET, mmsc_rows, postgres, signed, webhook_receiver,
};
use crate::support::{Server, TempDir, run, s};

/// Submissions per second for the account, all nodes together.
const TPS: usize = 30;
/// Messages each of the two load generators posts.
const PER_GENERATOR: usize = 90;
/// Gateway kills during the load.
const KILLS: usize = 4;

/// One HTTP/1.1 request on its own connection; `None` when the gateway is not there or goes
/// away before it answers (a kill), as an application would see it.
fn try_request(
    port: u16,
    method: &str,
    path: &str,
    extra: &str,
    body: &[u8],
) -> Option<(u16, Value)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{extra}Content-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).ok()?;
    stream.write_all(body).ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, serde_json::from_str(body).unwrap_or(Value::Null)))
}

/// Posts `body` under `key` until a 202, to the first port that answers (a node being killed
/// or restarting is skipped, the same Idempotency-Key tried on the next); gives the id.
fn post_accepted(ports: &[u16], body: &Value, key: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    let extra = format!("Content-Type: application/json\r\nIdempotency-Key: {key}\r\n");
    for port in ports.iter().cycle() {
        if let Some((status, answer)) = try_request(
            *port,
            "POST",
            "/v1/messages",
            &extra,
            body.to_string().as_bytes(),
        ) {
            if status == 202 {
                return answer["id"].as_str().expect("an id").to_owned();
            }
            assert!(status >= 500, "{key}: HTTP {status} {answer}");
        }
        assert!(Instant::now() < deadline, "{key} was never accepted");
        std::thread::sleep(Duration::from_millis(20));
    }
    unreachable!("a cycle over a non-empty list never ends")
}

/// A TCP front for the gateways' MM7 endpoints, as a load balancer would be: each connection
/// goes to the first node that accepts it, starting with the next one in turn; none, and the
/// connection is closed (the MMSC tries its report again later).
fn mm7_front(nodes: Vec<u16>, stop: Arc<AtomicBool>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    listener.set_nonblocking(true).expect("nonblocking");
    std::thread::spawn(move || {
        let mut turn = 0usize;
        while !stop.load(Ordering::Relaxed) {
            let Ok((client, _)) = listener.accept() else {
                std::thread::sleep(Duration::from_millis(5));
                continue;
            };
            let _ = client.set_nonblocking(false);
            turn += 1;
            let node = (0..nodes.len()).find_map(|i| {
                TcpStream::connect(("127.0.0.1", nodes[(turn + i) % nodes.len()])).ok()
            });
            let Some(node) = node else { continue };
            for (mut from, mut to) in [
                (
                    client.try_clone().expect("clone"),
                    node.try_clone().expect("clone"),
                ),
                (node, client),
            ] {
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut from, &mut to);
                    let _ = to.shutdown(std::net::Shutdown::Both);
                });
            }
        }
    });
    port
}

/// Milliseconds since the Unix epoch of an RFC 3339 UTC time (`2026-12-04T00:41:40.449Z`).
fn epoch_ms(t: &str) -> i64 {
    let n = |range: std::ops::Range<usize>| t[range].parse::<i64>().expect("a number");
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    // Days from civil (proleptic Gregorian), March-based years.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs: f64 = t[17..23].parse().expect("seconds");
    ((days * 24 + n(11..13)) * 60 + n(14..16)) * 60_000 + (secs * 1000.0).round() as i64
}

fn now_epoch_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The run: `nodes` gateways (one data directory each; `database` shared when given) under
/// two load generators, one node killed and restarted `KILLS` times (in turn), `mm7 mmsc`
/// reporting delivery through [`mm7_front`]; then every guarantee checked.
fn crash_run(label: &str, nodes: usize, database: Option<&str>) {
    let dir = TempDir::new(label);
    let secret = dir.write("secret", SECRET);
    let (hook_port, hooks) = webhook_receiver();
    // One data directory each, the addresses picked now: a node restarted after a kill is
    // the same node. The configuration they share is written once the MMSC runs.
    let runs: Vec<GatewayRun> = (0..nodes)
        .map(|i| {
            let run = GatewayRun::new(&dir)
                .with_config_file(&dir.join("gateway.toml"))
                .with_mm7_listen()
                .with_data_dir(&format!("gw{i}"));
            match database {
                Some(url) => run.with_database(url),
                None => run,
            }
        })
        .collect();
    let apis: Vec<u16> = runs.iter().map(GatewayRun::api_port).collect();
    let mm7s: Vec<u16> = runs.iter().map(GatewayRun::mm7_port).collect();
    let stop = Arc::new(AtomicBool::new(false));
    let front = mm7_front(mm7s.clone(), Arc::clone(&stop));
    let mmsc = Server::mmsc(
        &dir.join("mmsc"),
        &[
            "--dlr-after",
            "300ms",
            "--callback-url",
            &format!("http://127.0.0.1:{front}/mm7"),
            "--callback-interval",
            "200ms",
            "--callback-tries",
            "100",
        ],
    );
    // A short try timeout and webhook timeout: a killed node's claims are taken over within
    // seconds (the leases follow from them).
    dir.write(
        "gateway.toml",
        format!(
            r#"
[[account]]
name = "default"
url = "{}"
tps = {TPS}
max_in_flight = 4
timeout = "2s"
retry_initial = "100ms"

[webhook]
url = "http://127.0.0.1:{hook_port}/hook"
secret_file = "{}"
timeout = "1s"
"#,
            mmsc.url,
            s(&secret)
        ),
    );
    let start = |i: usize| runs[i].start();
    let mut gateways: Vec<Gateway> = (0..nodes).map(start).collect();

    // Two load generators, each posting to its own node first (the other when it is down).
    let generators: Vec<_> = (0..2)
        .map(|g| {
            let mut ports = apis.clone();
            ports.rotate_left(g % nodes);
            std::thread::spawn(move || {
                (0..PER_GENERATOR)
                    .map(|n| {
                        let key = format!("g{g}-m{n}");
                        let body = json!({"to": "15551234567", "text": key, "reference": key,
                                          "delivery_report": true});
                        // Paced at the TPS limit, both together: the posts go on while
                        // the nodes are killed.
                        std::thread::sleep(Duration::from_millis(2000 / TPS as u64));
                        (key.clone(), post_accepted(&ports, &body, &key))
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    // Killed in turn under the load: no chance to finish anything, then started again.
    let mut kills = Vec::new();
    for k in 0..KILLS {
        std::thread::sleep(Duration::from_millis(1200));
        let victim = k % nodes;
        kills.push(now_epoch_ms());
        gateways[victim].kill();
        std::thread::sleep(Duration::from_millis(150));
        gateways[victim] = start(victim);
    }
    let accepted: Vec<(String, String)> = generators
        .into_iter()
        .flat_map(|g| g.join().expect("a load generator"))
        .collect();
    assert_eq!(accepted.len(), 2 * PER_GENERATOR);

    // Nothing stuck: every message ends delivered (sent, then reported), whichever node is
    // asked; a killed node's claims are taken over.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut views: HashMap<String, Value> = HashMap::new();
    for (key, id) in &accepted {
        loop {
            let view = try_request(apis[0], "GET", &format!("/v1/messages/{id}"), "", b"")
                .map(|(_, v)| v)
                .unwrap_or(Value::Null);
            if view["status"] == "delivered" {
                views.insert(id.clone(), view);
                break;
            }
            assert!(Instant::now() < deadline, "{key} ({id}) stuck: {view}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    // Every accepted message reached the MMSC, under its own TransactionID; a TransactionID
    // twice only across a kill (sent, then the node died before recording it).
    let rows = mmsc_rows(&dir.join("mmsc"));
    let mut arrivals: HashMap<String, Vec<i64>> = HashMap::new();
    for row in &rows {
        arrivals
            .entry(row["transaction_id"].as_str().unwrap().to_owned())
            .or_default()
            .push(epoch_ms(row["received_at"].as_str().unwrap()));
    }
    let transaction_ids: HashSet<String> = views
        .values()
        .map(|v| v["transaction_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        transaction_ids.len(),
        accepted.len(),
        "one TransactionID per message"
    );
    for tx in &transaction_ids {
        assert!(arrivals.contains_key(tx), "{tx} never reached the MMSC");
    }
    let retried: HashSet<&str> = views
        .values()
        .filter(|v| {
            let history = v["history"].as_array().unwrap();
            history.iter().any(|h| h["status"] == "retrying")
        })
        .map(|v| v["transaction_id"].as_str().unwrap())
        .collect();
    let mut repeats = 0;
    for (tx, at) in &arrivals {
        assert!(
            transaction_ids.contains(tx),
            "{tx}: sent by no accepted message"
        );
        for pair in at.windows(2) {
            repeats += 1;
            // Sent before a kill (the MMSC may store it a little after), sent again after it;
            // or tried again after a try that failed (a timeout on a busy machine).
            let across_a_kill = kills.iter().any(|k| pair[0] <= k + 2000 && *k <= pair[1]);
            assert!(
                across_a_kill || retried.contains(tx.as_str()),
                "{tx} sent twice with no kill between: {at:?} (kills at {kills:?})"
            );
        }
    }
    assert!(repeats <= KILLS * 8, "{repeats} repeats for {KILLS} kills");

    // The TPS limit held, by arrival times: no second holds more than TPS (+1 saved up).
    let mut at: Vec<i64> = arrivals.values().flatten().copied().collect();
    at.sort_unstable();
    for (i, start) in at.iter().enumerate() {
        let within = at[i..].iter().take_while(|t| **t < start + 1000).count();
        assert!(within <= TPS + 1, "{within} submissions within a second");
    }

    // Every delivery report the gateways answered 1000 reached the webhook, signed.
    let outbox = run(&["store", "outbox", s(&dir.join("mmsc")), "--all", "--json"]);
    assert_eq!(outbox.code, 0, "{}", outbox.stderr);
    let reported: HashSet<String> = outbox
        .stdout_text()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|r| r["kind"] == "DeliveryReportReq" && r["state"] == "sent")
        .map(|r| r["message_id"].as_str().unwrap().to_owned())
        .collect();
    let message_ids: HashSet<String> = views
        .values()
        .map(|v| v["message_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(reported, message_ids, "a report answered 1000 per message");
    let mut delivered = HashSet::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while delivered.len() < reported.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok((signature, body)) = hooks.recv_timeout(left) else {
            let missing: Vec<_> = reported.difference(&delivered).collect();
            panic!(
                "{} reports never reached the webhook: {missing:?}",
                missing.len()
            );
        };
        assert!(signed(&signature, &body), "unsigned: {body}");
        let event: Value = serde_json::from_str(&body).unwrap();
        if event["status"] == "delivered" {
            delivered.insert(event["message_id"].as_str().unwrap().to_owned());
        }
    }
    assert!(delivered.is_subset(&reported));
    stop.store(true, Ordering::Relaxed);
    drop(gateways);
    drop(mmsc);
}

#[test]
fn two_gateways_on_postgres_killed_under_load_lose_nothing() {
    let Some(admin) = postgres("gateway_crash::postgres") else {
        return;
    };
    let database = Database::create(&admin);
    crash_run("gateway-crash-pg", 2, Some(&database.url));
}

#[test]
fn a_gateway_on_sqlite_killed_under_load_loses_nothing() {
    crash_run("gateway-crash-sqlite", 1, None);
}

#[test]
fn epoch_ms_reads_the_mmsc_times() {
    assert_eq!(epoch_ms("1970-01-01T00:00:01.250Z"), 1250);
    assert_eq!(epoch_ms("2000-03-01T00:00:00.000Z"), 951_868_800_000);
}

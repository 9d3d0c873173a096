//! The mock MMSC's outbox: reports survive SIGKILL and are sent after a restart; a receiver
//! that is down or answers badly is tried again as the policy says, one that refuses for good
//! is not, and failed rows stay listed and can be retried. Plus the server's bounds, its
//! graceful stop, its answer lines, and HTTPS.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mm7_model::{DeliveryReportRsp, Envelope, Message, SchemaId, SoapFault, Status, StatusCode};
use serde_json::Value;

use crate::support::{CREDENTIALS, Server, TempDir, closed_port, json_line, run, s, send};

const WAIT: Duration = Duration::from_secs(20);

/// `mm7 store outbox DIR ARGS --json`, one object per row.
fn outbox(dir: &std::path::Path, args: &[&str]) -> Vec<Value> {
    let out = run(&[&["store", "outbox", s(dir), "--json"][..], args].concat());
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout_text().lines().map(json_line).collect()
}

/// Waits until `check` holds (polling), at most `WAIT`.
fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !check() {
        assert!(
            Instant::now() < deadline,
            "{what} did not happen within {WAIT:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn pending_reports_survive_kill_9_and_are_sent_after_the_restart() {
    let dir = TempDir::new("survive");
    let store = dir.join("mmsc");
    let port = closed_port();
    let callback = format!("http://127.0.0.1:{port}/mm7");
    let args = [
        "--dlr-after",
        "100ms",
        "--callback-url",
        &callback,
        "--callback-interval",
        "100ms",
        "--callback-tries",
        "100",
        "--json",
    ];
    let mut mmsc = Server::mmsc(&store, &args);
    for i in 0..20 {
        let to = format!("155500000{i:02}");
        let out = send(&mmsc.url, &["--to", &to, "--text", "hi", "--json"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    // The receiver is down: the reports are tried and stay pending.
    eventually("tries against the closed port", || {
        outbox(&store, &[])
            .iter()
            .all(|r| r["tries"].as_u64() >= Some(1))
    });
    mmsc.kill();
    let rows = outbox(&store, &[]);
    assert_eq!(rows.len(), 20);
    assert!(rows.iter().all(|r| r["state"] == "pending"), "{rows:?}");

    let listen = format!("127.0.0.1:{port}");
    let vasp = Server::start(&["vasp", "--listen", &listen, "--store", s(&dir.join("vasp"))]);
    let _mmsc = Server::mmsc(&store, &args);
    let mut recipients: Vec<String> = (0..20)
        .map(|_| {
            let received = json_line(&vasp.next_line(WAIT));
            assert_eq!(received["message"], "DeliveryReportReq", "{received}");
            received["body"]["Recipient"]["Number"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), 20);
    eventually("every row sent", || outbox(&store, &[]).is_empty());
    let all = outbox(&store, &["--all"]);
    assert_eq!(all.len(), 20);
    assert!(all.iter().all(|r| r["state"] == "sent"), "{all:?}");
}

/// A scripted VASP: `/flaky` answers 500, a 3000 Fault, nothing, the wrong TransactionID,
/// then success; `/gone` answers a 2005 Fault (Message ID not found) every time.
struct Scripted {
    port: u16,
    hits: Arc<Mutex<Vec<(String, Instant)>>>,
}

fn transaction_id(body: &str) -> String {
    body.split("TransactionID")
        .nth(1)
        .and_then(|rest| rest.split('>').nth(1))
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_default()
        .to_owned()
}

fn answer(envelope: &Envelope, status: &str) -> Vec<u8> {
    let encoded = mm7_soap::encode(envelope, &mm7_soap::EncodeOptions::default()).unwrap();
    let body = encoded.to_bytes();
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        encoded.content_type,
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(&body);
    out
}

impl Scripted {
    fn start() -> Scripted {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
        let seen = Arc::clone(&hits);
        std::thread::spawn(move || {
            let mut flaky = 0;
            let mut busy = 0;
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { break };
                let Some((path, body)) = read_request(&stream) else {
                    continue;
                };
                let tx = transaction_id(&body);
                seen.lock().unwrap().push((path.clone(), Instant::now()));
                let ns = SchemaId::NEWEST;
                let fault = |code| {
                    Envelope::new(
                        tx.clone(),
                        ns,
                        Message::Fault(SoapFault::vasp_error("6.8.0", Status::from_code(code))),
                    )
                };
                let success = || {
                    answer(
                        &Envelope::new(tx.clone(), ns, DeliveryReportRsp::success("6.8.0")),
                        "200 OK",
                    )
                };
                let reply = match path.as_str() {
                    "/busy" => {
                        busy += 1;
                        if busy == 1 {
                            b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy".to_vec()
                        } else {
                            success()
                        }
                    }
                    "/gone" => answer(
                        &fault(StatusCode::MESSAGE_ID_NOT_FOUND),
                        "500 Internal Server Error",
                    ),
                    _ => {
                        flaky += 1;
                        match flaky {
                            1 => b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\nConnection: close\r\n\r\noops".to_vec(),
                            2 => answer(&fault(StatusCode::SERVER_ERROR), "500 Internal Server Error"),
                            3 => Vec::new(),
                            4 => answer(
                                &Envelope::new("not-the-request", ns, DeliveryReportRsp::success("6.8.0")),
                                "200 OK",
                            ),
                            _ => answer(
                                &Envelope::new(tx.clone(), ns, DeliveryReportRsp::success("6.8.0")),
                                "200 OK",
                            ),
                        }
                    }
                };
                let _ = stream.write_all(&reply);
            }
        });
        Scripted { port, hits }
    }

    fn hits(&self, path: &str) -> usize {
        self.times(path).len()
    }

    fn times(&self, path: &str) -> Vec<Instant> {
        let hits = self.hits.lock().unwrap();
        hits.iter()
            .filter(|(p, _)| p == path)
            .map(|(_, t)| *t)
            .collect()
    }
}

fn read_request(stream: &TcpStream) -> Option<(String, String)> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1)?.to_owned();
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        if header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((path, String::from_utf8_lossy(&body).into_owned()))
}

#[test]
fn callbacks_are_retried_only_when_they_may_pass_and_failures_are_kept() {
    let dir = TempDir::new("policy");
    let store = dir.join("mmsc");
    let vasp = Scripted::start();
    let mmsc = Server::mmsc(
        &store,
        &[
            "--dlr-after",
            "0s",
            "--callback-interval",
            "50ms",
            "--callback-tries",
            "8",
            "--json",
        ],
    );
    let flaky = format!(
        "X-Vibes-DlrCallbackUrl: http://127.0.0.1:{}/flaky",
        vasp.port
    );
    let gone = format!(
        "X-Vibes-DlrCallbackUrl: http://mmsc:hunter2@127.0.0.1:{}/gone",
        vasp.port
    );
    for header in [&flaky, &gone] {
        let out = send(
            &mmsc.url,
            &["--to", "15551234567", "--text", "hi", "--header", header],
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    // 500, a 3000 Fault, no answer and the wrong TransactionID are tried again; the fifth
    // try is answered 1000.
    let mut events = Vec::new();
    eventually("the flaky receiver's success", || {
        while let Ok(line) = mmsc.try_line() {
            events.push(line);
        }
        events.iter().any(|l| {
            let e = json_line(l);
            e["event"] == "DeliveryReportReq" && e["delivered"] == true
        })
    });
    assert_eq!(vasp.hits("/flaky"), 5);
    // The 2005 is not tried again: failed after one try, kept, listed, password masked.
    let failed = outbox(&store, &[]);
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["state"], "failed");
    assert_eq!(failed[0]["tries"], 1);
    assert!(
        failed[0]["last_error"].as_str().unwrap().contains("2005"),
        "{failed:?}"
    );
    let shown = failed[0]["destination"].as_str().unwrap();
    assert_eq!(
        shown,
        format!("http://mmsc:****@127.0.0.1:{}/gone", vasp.port)
    );
    assert_eq!(vasp.hits("/gone"), 1);
    let all = events.join("\n");
    assert!(!all.contains("hunter2"), "{all}");
    let human = run(&["store", "outbox", s(&store)]);
    assert!(!human.stdout_text().contains("hunter2") && human.stdout_text().contains("failed"));
    // Retried on request: tried once more, failed again, still kept.
    let out = run(&["store", "outbox", s(&store), "--retry", "all"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("1 failed row made pending"),
        "{}",
        out.stderr
    );
    eventually("the retried row's try", || vasp.hits("/gone") == 2);
    eventually("the retried row failing again", || {
        outbox(&store, &[])
            .first()
            .is_some_and(|r| r["state"] == "failed")
    });
}

#[test]
fn a_retry_after_is_honoured() {
    let dir = TempDir::new("retry-after");
    let vasp = Scripted::start();
    let mmsc = Server::mmsc(
        &dir.join("mmsc"),
        &["--dlr-after", "0s", "--callback-interval", "50ms", "--json"],
    );
    let busy = format!(
        "X-Vibes-DlrCallbackUrl: http://127.0.0.1:{}/busy",
        vasp.port
    );
    let out = send(
        &mmsc.url,
        &["--to", "15551234567", "--text", "hi", "--header", &busy],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    eventually("the second try", || vasp.hits("/busy") == 2);
    let times = vasp.times("/busy");
    let gap = times[1] - times[0];
    assert!(
        gap >= Duration::from_millis(950),
        "tried again after {gap:?}, asked for 1 s"
    );
    eventually("the row sent", || outbox(&dir.join("mmsc"), &[]).is_empty());
}

#[test]
fn a_full_outbox_refuses_with_4006() {
    let dir = TempDir::new("bounded");
    let store = dir.join("mmsc");
    let mmsc = Server::mmsc(
        &store,
        &[
            "--dlr-after",
            "1h",
            "--callback-url",
            "http://127.0.0.1:9/x",
            "--max-pending",
            "3",
        ],
    );
    for _ in 0..3 {
        let out = send(&mmsc.url, &["--to", "15551234567", "--text", "hi"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    let out = send(
        &mmsc.url,
        &["--to", "15551234567", "--text", "hi", "--json"],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(out.json()["status_code"], 4006, "{}", out.stdout_text());
    // Nothing of the refused request was kept.
    assert_eq!(crate::support::folders(&store).len(), 3);
    assert_eq!(outbox(&store, &[]).len(), 3);
}

#[test]
fn sigterm_stops_gracefully_with_exit_0_and_every_answer_is_printed() {
    let dir = TempDir::new("sigterm");
    let mut mmsc = Server::mmsc(&dir.join("mmsc"), &[&CREDENTIALS[..], &["--json"]].concat());
    // Refusals are printed too: here a 401.
    let out = send(&mmsc.url, &["--to", "15551234567", "--text", "hi"]);
    assert_eq!(out.code, 1);
    let line = json_line(&mmsc.next_any_line(WAIT));
    assert_eq!(line["event"], "Answered", "{line}");
    assert_eq!(line["http_status"], 401, "{line}");
    assert!(
        line["peer"].as_str().unwrap().starts_with("127.0.0.1:"),
        "{line}"
    );
    assert!(!line["reason"].as_str().unwrap().is_empty());
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &mmsc.pid().to_string()])
        .status();
    if killed.is_err() {
        crate::support::skipped("sigterm", "no `kill` command");
        return;
    }
    assert_eq!(mmsc.wait_exit(Duration::from_secs(15)), Some(0));
}

#[test]
fn the_mock_mmsc_serves_https() {
    let dir = TempDir::new("https");
    let generated = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let cert = dir.write("cert.pem", generated.cert.pem());
    let key = dir.write("key.pem", generated.signing_key.serialize_pem());
    let mmsc = Server::mmsc(
        &dir.join("mmsc"),
        &["--tls-cert", s(&cert), "--tls-key", s(&key), "--json"],
    );
    assert!(mmsc.url.starts_with("https://127.0.0.1:"), "{}", mmsc.url);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = runtime.block_on(async {
        let client = mm7_transport::client::Client::builder(&mmsc.url)
            .add_root_certificate(generated.cert.pem())
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        let mut req = mm7_model::SubmitReq::default();
        req.mm7_version = client.mm7_version().clone();
        req.recipients
            .to
            .push(mm7_model::Address::number("15551234567"));
        req.sender_identification = Some(mm7_model::SenderIdentification {
            vasp_id: Some("tls".to_owned()),
            vas_id: None,
            sender_address: None,
        });
        client
            .submit(req, Vec::new())
            .await
            .map(|rsp| rsp.status.code.get())
    });
    assert_eq!(status.unwrap(), 1000);
    let event = json_line(&mmsc.next_line(WAIT));
    assert_eq!(event["event"], "SubmitReq", "{event}");
}

#[test]
fn the_mock_vasp_serves_https_to_mm7_deliver() {
    let dir = TempDir::new("https-vasp");
    let generated = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let cert = dir.write("cert.pem", generated.cert.pem());
    let key = dir.write("key.pem", generated.signing_key.serialize_pem());
    let vasp = Server::vasp(
        &dir.join("vasp"),
        &["--tls-cert", s(&cert), "--tls-key", s(&key)],
    );
    assert!(vasp.url.starts_with("https://127.0.0.1:"), "{}", vasp.url);
    let deliver = |extra: &[&str]| {
        run(&[
            &[
                "deliver",
                "--url",
                &vasp.url,
                "--from",
                "15551234567",
                "--to",
                "63901",
                "--text",
                "over TLS",
            ][..],
            extra,
        ]
        .concat())
    };
    // Not trusted without the certificate; accepted with it.
    let untrusted = deliver(&[]);
    assert_ne!(untrusted.code, 0, "{}", untrusted.stdout_text());
    let out = deliver(&["--cacert", s(&cert)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let received = json_line(&vasp.next_line(WAIT));
    assert_eq!(received["message"], "DeliverReq", "{received}");
}

/// The resident memory of process `pid` in KiB (Linux), if it can be read.
fn resident_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn refusals_of_a_full_outbox_keep_memory_flat() {
    let dir = TempDir::new("flat");
    let store = dir.join("mmsc");
    let mmsc = Server::mmsc(
        &store,
        &[
            "--dlr-after",
            "1h",
            "--callback-url",
            "http://127.0.0.1:9/x",
            "--max-pending",
            "1",
        ],
    );
    let out = send(&mmsc.url, &["--to", "15551234567", "--text", "hi"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let picture = dir.write("p.jpg", vec![0x5a; 200_000]);
    let refuse = |n: usize| {
        for _ in 0..n {
            let out = send(
                &mmsc.url,
                &["--to", "15551234567", "--attach", s(&picture), "--json"],
            );
            assert_eq!(out.code, 1, "{}", out.stderr);
            assert_eq!(out.json()["status_code"], 4006, "{}", out.stdout_text());
        }
    };
    refuse(10);
    let Some(before) = resident_kib(mmsc.pid()) else {
        crate::support::skipped("memory flat", "/proc/PID/status");
        return;
    };
    refuse(60);
    let after = resident_kib(mmsc.pid()).unwrap();
    // 60 refused 200 kB requests kept would be 12 MB at least.
    assert!(
        after < before + 8_000,
        "resident memory grew from {before} KiB to {after} KiB"
    );
    assert_eq!(outbox(&store, &[]).len(), 1);
}

#[test]
fn callbacks_to_one_destination_share_a_few_connections() {
    // A receiver that takes connections and never answers: each try holds its connection.
    let receiver = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = receiver.local_addr().unwrap().port();
    let held: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
    let keep = Arc::clone(&held);
    std::thread::spawn(move || {
        for stream in receiver.incoming().flatten() {
            keep.lock().unwrap().push(stream);
        }
    });
    let dir = TempDir::new("per-destination");
    let store = dir.join("mmsc");
    let callback = format!("http://127.0.0.1:{port}/dlr");
    let mmsc = Server::mmsc(&store, &["--dlr-after", "0s", "--callback-url", &callback]);
    for i in 0..12 {
        let to = format!("155500001{i:02}");
        let out = send(&mmsc.url, &["--to", &to, "--text", "hi"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    // Twelve reports are due at once; the destination gets no more than its 4 connections.
    eventually("the first connections", || held.lock().unwrap().len() >= 4);
    std::thread::sleep(Duration::from_secs(2));
    let connections = held.lock().unwrap().len();
    assert_eq!(
        connections, 4,
        "{connections} connections to one destination"
    );
    assert_eq!(outbox(&store, &[]).len(), 12);
}

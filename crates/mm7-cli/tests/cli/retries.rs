//! The mock servers as a client retrying, a VASP asking for read replies, a callback receiver
//! wanting a password kept off the command line, a crowd of idle connections, a signal with a
//! request in flight, and requests refused for every reason meet them.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{CREDENTIALS, Server, TempDir, json_line, run, s, send, skipped};

const WAIT: Duration = Duration::from_secs(20);

/// `mm7 store list DIR --json`, one object per message.
fn list(dir: &std::path::Path) -> Vec<Value> {
    let out = run(&["store", "list", s(dir), "--json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout_text().lines().map(json_line).collect()
}

#[test]
fn a_retried_transaction_gets_the_first_answer_and_no_new_row() {
    let dir = TempDir::new("idempotent");
    let store = dir.join("mmsc");
    let mmsc = Server::mmsc(
        &store,
        &[
            &CREDENTIALS[..],
            &[
                "--dlr-after",
                "1h",
                "--callback-url",
                "http://127.0.0.1:9/dlr",
            ],
        ]
        .concat(),
    );
    let submit = |tx: &str| {
        let out = send(
            &mmsc.url,
            &[
                &CREDENTIALS[..],
                &[
                    "--to",
                    "15551234567",
                    "--text",
                    "hi",
                    "--transaction-id",
                    tx,
                    "--json",
                ],
            ]
            .concat(),
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
        out.json()["message_id"].as_str().unwrap().to_owned()
    };
    let first = submit("tx-retried");
    let again = submit("tx-retried");
    let other = submit("tx-other");
    assert_eq!(first, again, "a retry got another MessageID");
    assert_ne!(first, other);
    let rows = list(&store);
    assert_eq!(rows.len(), 2, "{rows:?}");
    let row = rows
        .iter()
        .find(|r| r["transaction_id"] == "tx-retried")
        .expect("the retried request's row");
    assert_eq!(row["operation"], "SubmitReq", "{row}");
    assert_eq!(row["message_id"], first.as_str(), "{row}");
    assert!(row["id"].is_i64(), "{row}");
    assert!(
        row["peer"].as_str().unwrap().starts_with("127.0.0.1"),
        "{row}"
    );
    assert!(!row["received_at"].as_str().unwrap().is_empty(), "{row}");
    // Its delivery report (one, not two) is pending in the outbox.
    let outbox = row["outbox"].as_array().expect("outbox rows");
    assert_eq!(outbox.len(), 1, "{row}");
    assert_eq!(outbox[0]["state"], "pending", "{row}");
}

#[test]
fn a_read_reply_is_sent_when_asked_and_read_reply_after_is_set() {
    let dir = TempDir::new("read-reply");
    let vasp = Server::vasp(&dir.join("vasp"), &[]);
    let mmsc = Server::mmsc(
        &dir.join("mmsc"),
        &[
            "--dlr-after",
            "1h",
            "--read-reply-after",
            "100ms",
            "--callback-url",
            &vasp.url,
        ],
    );
    let asked = send(
        &mmsc.url,
        &[
            "--to",
            "15551234567",
            "--text",
            "hi",
            "--read-reply",
            "--json",
        ],
    );
    assert_eq!(asked.code, 0, "{}", asked.stderr);
    let message_id = asked.json()["message_id"].as_str().unwrap().to_owned();
    let not_asked = send(&mmsc.url, &["--to", "15557654321", "--text", "hi"]);
    assert_eq!(not_asked.code, 0, "{}", not_asked.stderr);
    let received = json_line(&vasp.next_line(WAIT));
    assert_eq!(received["message"], "ReadReplyReq", "{received}");
    assert_eq!(received["body"]["MessageID"], message_id.as_str());
    assert_eq!(received["body"]["MMStatus"], "Read", "{received}");
    // The message that did not ask has only its delivery report waiting, no read reply.
    std::thread::sleep(Duration::from_millis(500));
    let kinds: Vec<String> = list(&dir.join("mmsc"))
        .iter()
        .flat_map(|m| m["outbox"].as_array().cloned().unwrap_or_default())
        .map(|r| format!("{} {}", r["kind"].as_str().unwrap_or("?"), r["state"]))
        .collect();
    assert_eq!(
        kinds
            .iter()
            .filter(|k| k.starts_with("ReadReplyReq"))
            .count(),
        1,
        "{kinds:?}"
    );
    while let Ok(line) = vasp.try_line() {
        let again =
            serde_json::from_str::<Value>(&line).is_ok_and(|v| v["message"] == "ReadReplyReq");
        assert!(!again, "a second read reply was received: {line}");
    }
}

#[test]
fn the_callback_password_comes_from_the_environment_or_a_file_and_is_never_printed() {
    let dir = TempDir::new("callback-password");
    let vasp = Server::vasp(
        &dir.join("vasp"),
        &["--user", "mmsc", "--password", "hunter2"],
    );
    let url = vasp.url.replacen("http://", "http://mmsc@", 1);
    let file = dir.write("password", "hunter2\n");
    for source in ["env", "file"] {
        let store = dir.join(&format!("mmsc-{source}"));
        let mut args = vec![
            "mmsc",
            "--listen",
            "127.0.0.1:0",
            "--store",
            s(&store),
            "--dlr-after",
            "0s",
            "--callback-url",
            &url,
            "--json",
        ];
        let program = if source == "env" {
            args.insert(0, env!("CARGO_BIN_EXE_mm7"));
            args.insert(0, "MM7_CALLBACK_PASSWORD=hunter2");
            "env"
        } else {
            args.extend(["--callback-password-file", s(&file)]);
            env!("CARGO_BIN_EXE_mm7")
        };
        let mmsc = Server::start_command(program, &args);
        let out = send(&mmsc.url, &["--to", "15551234567", "--text", "hi"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let received = json_line(&vasp.next_line(WAIT));
        assert_eq!(received["message"], "DeliveryReportReq", "{received}");
        let mut printed = Vec::new();
        let deadline = Instant::now() + WAIT;
        while !printed
            .iter()
            .any(|l: &String| l.contains("DeliveryReportReq"))
        {
            assert!(Instant::now() < deadline, "no report event: {printed:?}");
            if let Ok(line) = mmsc.try_line() {
                printed.push(line);
            } else {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        let listed = run(&["store", "outbox", s(&store), "--json"]);
        let shown = format!("{printed:?}{}{}", listed.stdout_text(), listed.stderr);
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}

/// The soft limit on open files of this process, from /proc (Linux).
fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

#[test]
fn a_request_is_answered_at_once_while_2000_idle_connections_are_held() {
    // This process holds 2,000 sockets and the server (which inherits the limit) as many.
    if open_files_limit().is_none_or(|n| n < 4_500) {
        skipped(
            "2,000 idle connections",
            "an open-files limit (ulimit -n) of 4,500 or more",
        );
        return;
    }
    let dir = TempDir::new("idle");
    let mmsc = Server::mmsc(&dir.join("mmsc"), &["--dlr-after", "1h"]);
    let addr: SocketAddr = mmsc
        .url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    // 250 connections from each of 127.0.0.2 … 127.0.0.9: under the per-peer limit, so the
    // server holds them all. None sends a byte.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let idle = runtime.block_on(async {
        let mut idle = Vec::new();
        for host in 2..=9u8 {
            for _ in 0..250 {
                let socket = tokio::net::TcpSocket::new_v4().unwrap();
                socket
                    .bind(SocketAddr::from(([127, 0, 0, host], 0)))
                    .unwrap();
                let stream = tokio::time::timeout(Duration::from_secs(5), socket.connect(addr))
                    .await
                    .expect("connect timed out")
                    .expect("connect");
                idle.push(stream);
            }
        }
        idle
    });
    assert_eq!(idle.len(), 2000);
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    let out = send(
        &mmsc.url,
        &["--to", "15551234567", "--text", "hi", "--json"],
    );
    let took = started.elapsed();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.json()["status_code"], 1000);
    // The whole `mm7 send` process, start to end (about 20 ms on an idle machine; with the
    // connections over the server's cap, half a second or more).
    assert!(took < Duration::from_secs(1), "answered after {took:?}");
    // The idle connections are still open (not closed to make room): no EOF yet.
    let probe = idle.last().unwrap();
    let mut buf = [0u8; 1];
    assert!(
        matches!(probe.try_read(&mut buf), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "the server closed an idle connection within its header timeout"
    );
    drop(idle);
    drop(runtime);
    let _ = TcpStream::connect_timeout(&addr, Duration::from_secs(1));
}

#[test]
fn sigint_stops_accepting_finishes_the_request_in_flight_and_exits_0() {
    let dir = TempDir::new("sigint");
    let mut mmsc = Server::mmsc(&dir.join("mmsc"), &["--dlr-after", "1h"]);
    let addr: SocketAddr = mmsc
        .url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let request = captured_submit();
    let half = request.len() / 2;
    // A request in flight: its head and half its body sent when the signal comes.
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    stream.write_all(&request[..half]).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let signalled = std::process::Command::new("kill")
        .args(["-INT", &mmsc.pid().to_string()])
        .status();
    if signalled.is_err() {
        skipped("sigint", "no `kill` command");
        return;
    }
    // No new connection is taken once the server stops.
    let deadline = Instant::now() + WAIT;
    while TcpStream::connect_timeout(&addr, Duration::from_millis(500))
        .is_ok_and(|mut c| c.write_all(b"GET / HTTP/1.1\r\n\r\n").is_ok() && answered(&mut c))
    {
        assert!(Instant::now() < deadline, "still accepting after SIGINT");
        std::thread::sleep(Duration::from_millis(50));
    }
    // The request in flight is finished and answered 1000.
    stream.write_all(&request[half..]).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains(">1000<"), "{answer}");
    assert_eq!(mmsc.wait_exit(WAIT), Some(0));
    // And it was stored.
    assert_eq!(list(&dir.join("mmsc")).len(), 1);
}

/// Whether something answers on `stream` within a second.
fn answered(stream: &mut TcpStream) -> bool {
    stream
        .set_read_timeout(Some(Duration::from_secs(1)))
        .unwrap();
    let mut buf = [0u8; 16];
    stream.read(&mut buf).is_ok_and(|n| n > 0)
}

/// A SubmitReq as `mm7 send` puts it on the wire, caught by a listener that answers nothing.
fn captured_submit() -> Vec<u8> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/mm7", listener.local_addr().unwrap());
    let catcher = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream.set_read_timeout(Some(WAIT)).unwrap();
        let mut data = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .expect("a Content-Length");
                if data.len() >= end + 4 + length {
                    data.truncate(end + 4 + length);
                    return data;
                }
            }
            let n = stream.read(&mut buf).expect("the request");
            assert!(n > 0, "the request was cut short");
            data.extend_from_slice(&buf[..n]);
        }
    });
    let out = crate::support::run_for(
        &[
            "send",
            "--url",
            &url,
            "--from",
            "63901",
            "--to",
            "15551234567",
            "--text",
            "hi",
            "--timeout",
            "2s",
        ],
        Duration::from_secs(20),
    );
    let request = catcher.join().expect("the caught request");
    assert_ne!(out.code, 0, "nothing answered, yet: {}", out.stdout_text());
    request
}

/// Sends `request` from `from` to `addr` and reads until the server closes (or 5 s).
fn exchange_raw(from: [u8; 4], addr: SocketAddr, request: &[u8], pause: Option<Duration>) {
    let mut stream = connect_from(from, addr);
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    // The server may close before the whole request is written (413, 431).
    let _ = stream.write_all(request);
    if let Some(pause) = pause {
        std::thread::sleep(pause);
    }
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
}

/// A connection to `addr` from the loopback address `from`.
fn connect_from(from: [u8; 4], addr: SocketAddr) -> TcpStream {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(SocketAddr::from((from, 0))).unwrap();
        let stream = tokio::time::timeout(Duration::from_secs(5), socket.connect(addr))
            .await
            .expect("connect timed out")
            .expect("connect");
        let stream = stream.into_std().unwrap();
        stream.set_nonblocking(false).unwrap();
        stream
    })
}

#[test]
fn every_answer_is_printed_refusals_too_human_and_json() {
    let dir = TempDir::new("refusals");
    let common = [
        "--user",
        "mmsc",
        "--password",
        "s3cret",
        "--body-limit",
        "2000",
        "--request-timeout",
        "1s",
        "--allow",
        "127.0.0.1/32",
    ];
    let auth = "Authorization: Basic bW1zYzpzM2NyZXQ=\r\n";
    let post = |headers: &str, body: &[u8]| {
        [
            format!(
                "POST /mm7 HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nConnection: close\r\n\
                 {headers}Content-Length: {}\r\n\r\n",
                body.len()
            )
            .as_bytes(),
            body,
        ]
        .concat()
    };
    // `mm7 mmsc` prints readable lines (JSON with --json); `mm7 vasp` JSON lines (readable
    // with --text).
    for (command, json) in [
        ("mmsc", false),
        ("mmsc", true),
        ("vasp", true),
        ("vasp", false),
    ] {
        let mut args = common.to_vec();
        match (command, json) {
            ("mmsc", true) => args.push("--json"),
            ("vasp", false) => args.push("--text"),
            _ => {}
        }
        let store = dir.join(&format!("{command}-{json}"));
        let vasp = if command == "vasp" {
            Server::vasp(&store, &args)
        } else {
            Server::mmsc(&store, &args)
        };
        let addr: SocketAddr = vasp
            .url
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let local = [127, 0, 0, 1];
        exchange_raw(local, addr, &post("", b"<x/>"), None);
        exchange_raw([127, 0, 0, 2], addr, &post(auth, b"<x/>"), None);
        exchange_raw(
            local,
            addr,
            format!("GET /mm7 HTTP/1.1\r\nHost: x\r\n{auth}Connection: close\r\n\r\n").as_bytes(),
            None,
        );
        let whole = post(auth, &[b'x'; 1500]);
        exchange_raw(
            local,
            addr,
            &whole[..whole.len() - 700],
            Some(Duration::from_millis(1500)),
        );
        exchange_raw(local, addr, &post(auth, &[b'x'; 5000]), None);
        exchange_raw(
            local,
            addr,
            format!(
                "POST /mm7 HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
                "a".repeat(600_000)
            )
            .as_bytes(),
            None,
        );
        exchange_raw(local, addr, &post(auth, b"<not-soap/>"), None);
        let expected = [401, 403, 405, 408, 413, 431, 500];
        let lines = answer_lines(&vasp, expected.len());
        // Each line is printed when its answer is done, so not always in the order sent.
        let mut statuses = Vec::new();
        for line in &lines {
            let status = if json {
                let event = json_line(line);
                assert_eq!(event["event"], "Answered", "{line}");
                assert!(
                    event["peer"].as_str().unwrap().starts_with("127.0.0."),
                    "{line}"
                );
                assert!(!event["reason"].as_str().unwrap().is_empty(), "{line}");
                let status = event["http_status"].as_u64().unwrap();
                if status == 500 {
                    assert!(event["mm7_status"].as_u64().is_some(), "{line}");
                }
                status
            } else {
                assert!(line.starts_with("127.0.0."), "{lines:#?}");
                let status: u64 = line
                    .split("→ HTTP ")
                    .nth(1)
                    .and_then(|rest| rest.get(..3))
                    .and_then(|code| code.parse().ok())
                    .unwrap_or_else(|| panic!("no HTTP status in {line}"));
                assert!(
                    line.split(": ").nth(1).is_some_and(|r| !r.is_empty()),
                    "{line}"
                );
                if status == 500 {
                    assert!(line.contains(", MM7 "), "{line}");
                }
                status
            };
            statuses.push(status);
        }
        statuses.sort_unstable();
        assert_eq!(statuses, expected, "{lines:#?}");
    }
}

/// The next `n` answer lines a server prints, waiting at most `WAIT` in all.
fn answer_lines(server: &Server, n: usize) -> Vec<String> {
    let deadline = Instant::now() + WAIT;
    let mut lines = Vec::new();
    while lines.len() < n {
        assert!(
            Instant::now() < deadline,
            "only these answer lines: {lines:#?}"
        );
        match server.try_line() {
            Ok(line)
                if line.contains(" → HTTP ")
                    || serde_json::from_str::<Value>(&line)
                        .is_ok_and(|v| v["event"] == "Answered") =>
            {
                lines.push(line);
            }
            Ok(_) => {}
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    lines
}

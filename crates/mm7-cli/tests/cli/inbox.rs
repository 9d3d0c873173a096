//! The web inbox and its JSON API (`--ui`), through real HTTP on loopback.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::support::{
    Server, TempDir, closed_port, exported, mm7, s, send, vectors_dir, wait, wait_for_port,
};

/// An answer: status, headers (names lowercased), body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Answer {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
}

/// One HTTP/1.1 request on its own connection, bounded in time (10 s).
pub(crate) fn request(port: u16, method: &str, path: &str, extra: &str, body: &[u8]) -> Answer {
    request_within(port, method, path, extra, body, Duration::from_secs(10))
}

/// One HTTP/1.1 request on its own connection, answered within `limit`.
fn request_within(
    port: u16,
    method: &str,
    path: &str,
    extra: &str,
    body: &[u8],
    limit: Duration,
) -> Answer {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(limit)).expect("timeout");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{extra}Content-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("write");
    stream.write_all(body).expect("write");
    // Read until the body is complete by its Content-Length (a peer may keep the connection
    // open), its last chunk, or the close.
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        if let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok());
            if length.is_some_and(|n| raw.len() >= split + 4 + n)
                || (head.contains("transfer-encoding: chunked") && raw.ends_with(b"0\r\n\r\n"))
            {
                break;
            }
        }
        let n = stream.read(&mut buf).expect("read the answer");
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
    }
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect::<Vec<_>>();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"))
    {
        body = unchunk(&body);
    }
    Answer {
        status,
        headers,
        body,
    }
}

fn unchunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&data[..end]).trim(), 16)
            .expect("a chunk size");
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 2 + size + 2..];
    }
    out
}

fn get(port: u16, path: &str) -> Answer {
    request(port, "GET", path, "", b"")
}

/// Waits until the inbox on `port` answers (it starts with its server).
fn wait_for_inbox(port: u16) {
    wait_for_port(port, "the inbox");
}

/// Polls `path` until `done` holds for its JSON (10 s at most).
fn until(port: u16, path: &str, done: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let value = get(port, path).json();
        if done(&value) {
            return value;
        }
        assert!(Instant::now() < deadline, "{path} never matched: {value}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A 4×4 red PNG.
fn png() -> Vec<u8> {
    png_of([0xff, 0, 0])
}

/// A 4×4 PNG of one colour.
pub(crate) fn png_of(rgb: [u8; 3]) -> Vec<u8> {
    // Built by hand: signature, IHDR, IDAT (zlib stored block), IEND, with their CRCs.
    let mut raw = Vec::new();
    for _ in 0..4 {
        raw.push(0u8);
        raw.extend_from_slice(&rgb.repeat(4));
    }
    let mut zlib = vec![0x78, 0x01, 0x01];
    let len = u16::try_from(raw.len()).unwrap();
    zlib.extend_from_slice(&len.to_le_bytes());
    zlib.extend_from_slice(&(!len).to_le_bytes());
    zlib.extend_from_slice(&raw);
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &raw {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    zlib.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        out.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
        let mut crc = 0xffff_ffffu32;
        for &byte in kind.iter().chain(data) {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&(!crc).to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&4u32.to_be_bytes());
    ihdr.extend_from_slice(&4u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(b"IHDR", &ihdr);
    chunk(b"IDAT", &zlib);
    chunk(b"IEND", b"");
    out
}

#[test]
fn api_lists_filters_serves_parts_deletes_and_reports_to_the_vasp() {
    let dir = TempDir::new("inbox-api");
    let vasp = Server::vasp(&dir.join("vasp"), &[]);
    let port = closed_port();
    let ui = format!("127.0.0.1:{port}");
    let mmsc = Server::mmsc(&dir.join("mmsc"), &["--ui", &ui, "--dlr-after", "60s"]);
    wait_for_inbox(port);
    let picture = png();
    let file = dir.write("saturn.png", &picture);
    let callback = format!("X-Vibes-DlrCallbackUrl: {}", vasp.url);
    let out = send(
        &mmsc.url,
        &[
            "--to",
            "15551234567",
            "--subject",
            "<script>alert(1)</script>",
            "--text",
            "Rings of Saturn",
            "--attach",
            s(&file),
            "--smil",
            "auto",
            "--dlr",
            "--header",
            &callback,
        ],
    );
    assert!(out.code == 0, "{}", out.stderr);
    let out = send(&mmsc.url, &["--to", "15550000000", "--text", "other"]);
    assert!(out.code == 0);

    // Newest first, and each filter selects.
    let all = get(port, "/api/v1/messages").json();
    assert_eq!(all.as_array().unwrap().len(), 2, "{all}");
    assert!(all[0]["id"].as_i64() > all[1]["id"].as_i64(), "{all}");
    let id = all[1]["id"].as_i64().unwrap();
    let count = |query: &str| {
        get(port, &format!("/api/v1/messages?{query}"))
            .json()
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(count("q=rings%20of"), 1);
    assert_eq!(count("q=%3Cscript%3E"), 1);
    assert_eq!(count("q=nowhere"), 0);
    assert_eq!(count("sender=63901"), 2);
    assert_eq!(count("sender=99999"), 0);
    assert_eq!(count("recipient=15550000000"), 1);
    assert_eq!(count("operation=DeliverReq"), 0);
    assert_eq!(count("operation=SubmitReq&limit=1"), 1);
    let message_id = all[1]["message_id"].as_str().unwrap();
    assert_eq!(count(&format!("message_id={message_id}")), 1);
    let transaction_id = all[1]["transaction_id"].as_str().unwrap();
    assert_eq!(count(&format!("transaction_id={transaction_id}")), 1);

    // One message: its view with the subject as sent (text, never markup), its parts, its
    // outbox row.
    let one = get(port, &format!("/api/v1/messages/{id}")).json();
    assert_eq!(one["view"]["body"]["Subject"], "<script>alert(1)</script>");
    assert_eq!(one["summary"]["outbox"][0]["kind"], "DeliveryReportReq");
    let parts = one["parts"].as_array().unwrap();
    let png_part = parts
        .iter()
        .find(|p| p["content_type"] == "image/png")
        .expect("the picture");
    let answer = get(
        port,
        &format!("/api/v1/messages/{id}/parts/{}", png_part["position"]),
    );
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, picture, "the part comes back byte-identical");
    assert_eq!(answer.header("content-type"), Some("image/png"));
    assert_eq!(answer.header("x-content-type-options"), Some("nosniff"));
    let smil = parts
        .iter()
        .find(|p| p["content_type"] == "application/smil")
        .expect("SMIL");
    let answer = get(
        port,
        &format!("/api/v1/messages/{id}/parts/{}", smil["position"]),
    );
    assert!(
        answer
            .header("content-disposition")
            .unwrap()
            .starts_with("attachment")
    );
    let raw = get(port, &format!("/api/v1/messages/{id}/raw"));
    assert!(String::from_utf8_lossy(&raw.body).starts_with("POST "));
    assert_eq!(get(port, "/api/v1/messages/999").status, 404);

    // The delivery report, now, with the status chosen, reaches the VASP.
    let queued = request(
        port,
        "POST",
        &format!("/api/v1/messages/{id}/actions/delivery-report"),
        "Content-Type: application/json\r\n",
        br#"{"status":"Rejected"}"#,
    );
    assert_eq!(
        queued.status,
        200,
        "{}",
        String::from_utf8_lossy(&queued.body)
    );
    let bad = request(
        port,
        "POST",
        &format!("/api/v1/messages/{id}/actions/delivery-report"),
        "",
        br#"{"status":"Bogus"}"#,
    );
    assert_eq!(bad.status, 400);
    // The read reply too.
    let queued = request(
        port,
        "POST",
        &format!("/api/v1/messages/{id}/actions/read-reply"),
        "",
        b"{}",
    );
    assert_eq!(queued.status, 200);
    let line_deadline = Instant::now() + Duration::from_secs(15);
    let mut seen = Vec::new();
    while !(seen
        .iter()
        .any(|l: &String| l.contains("\"MMStatus\":\"Rejected\""))
        && seen.iter().any(|l| l.contains("ReadReplyReq")))
    {
        assert!(
            Instant::now() < line_deadline,
            "the VASP did not get both: {seen:?}"
        );
        seen.push(vasp.next_line(Duration::from_secs(15)));
    }

    // An MO reply needs somewhere to go: the second message caused no callback, and this mock
    // runs without --callback-url.
    let other = all[0]["id"].as_i64().unwrap();
    let nowhere = request(
        port,
        "POST",
        &format!("/api/v1/messages/{other}/actions/mo-reply"),
        "",
        br#"{"text":"hi"}"#,
    );
    assert_eq!(
        nowhere.status,
        409,
        "{}",
        String::from_utf8_lossy(&nowhere.body)
    );
    assert!(
        nowhere.json()["error"]
            .as_str()
            .unwrap()
            .contains("--callback-url")
    );

    // Delete one, then all.
    assert_eq!(
        request(port, "DELETE", &format!("/api/v1/messages/{id}"), "", b"").status,
        200
    );
    assert_eq!(get(port, &format!("/api/v1/messages/{id}")).status, 404);
    until(port, "/api/v1/messages", |v| {
        v.as_array().is_some_and(|a| a.len() == 1)
    });
    let deleted = request(port, "DELETE", "/api/v1/messages", "", b"").json();
    assert_eq!(deleted["deleted"], 1);
    assert_eq!(get(port, "/api/v1/messages").json(), serde_json::json!([]));
    drop(mmsc);
}

/// The MO reply action: a DeliverReq from the submission's recipient to its sender, with the
/// text and the attachment given, reaches a real VASP receiver through the mock's outbox.
#[test]
fn an_mo_reply_reaches_the_vasp_with_its_text_and_attachment() {
    use base64::Engine as _;
    let dir = TempDir::new("inbox-mo");
    let vasp = Server::vasp(&dir.join("vasp"), &[]);
    let port = closed_port();
    let ui = format!("127.0.0.1:{port}");
    let mmsc = Server::mmsc(
        &dir.join("mmsc"),
        &[
            "--ui",
            &ui,
            "--dlr-after",
            "60s",
            "--callback-url",
            &vasp.url,
        ],
    );
    wait_for_inbox(port);
    let out = send(
        &mmsc.url,
        &[
            "--to",
            "15551234567",
            "--subject",
            "Saturn",
            "--text",
            "Rings",
        ],
    );
    assert!(out.code == 0, "{}", out.stderr);
    let listed = get(port, "/api/v1/messages").json();
    let id = listed[0]["id"].as_i64().unwrap();
    let message_id = listed[0]["message_id"].as_str().unwrap().to_owned();
    let action = |body: &[u8]| {
        request(
            port,
            "POST",
            &format!("/api/v1/messages/{id}/actions/mo-reply"),
            "Content-Type: application/json\r\n",
            body,
        )
    };

    // What cannot be sent is refused, naming the field.
    let refused = action(b"{}");
    assert_eq!(refused.status, 400);
    assert!(refused.json()["error"].as_str().unwrap().contains("text"));
    let refused = action(br#"{"attachment":{"content_type":"image/png","data":"not base64!"}}"#);
    assert_eq!(refused.status, 400);
    assert!(refused.json()["error"].as_str().unwrap().contains("base64"));
    let refused = action(br#"{"attachment":{"content_type":"png\r\nX: y","data":"AA=="}}"#);
    assert_eq!(refused.status, 400);
    assert!(
        refused.json()["error"]
            .as_str()
            .unwrap()
            .contains("media type")
    );

    // A text and a picture, under a file name that tries to climb out of the store.
    let picture = png_of([200, 40, 40]);
    let body = serde_json::json!({
        "text": "Lovely rings",
        "attachment": {
            "content_type": "image/png",
            "file_name": "../../reply.png",
            "data": base64::engine::general_purpose::STANDARD.encode(&picture),
        },
    });
    let queued = action(body.to_string().as_bytes());
    assert_eq!(
        queued.status,
        200,
        "{}",
        String::from_utf8_lossy(&queued.body)
    );
    assert_eq!(queued.json()["operation"], "DeliverReq");

    let deadline = Instant::now() + Duration::from_secs(20);
    let received = loop {
        assert!(Instant::now() < deadline, "no DeliverReq reached the VASP");
        let line = vasp.next_line(Duration::from_secs(20));
        if let Ok(event) = serde_json::from_str::<serde_json::Value>(&line)
            && event["message"] == "DeliverReq"
        {
            break event;
        }
    };
    let body = &received["body"];
    assert_eq!(body["Sender"]["Number"], "15551234567", "{received}");
    assert_eq!(
        body["Recipients"]["To"][0]["ShortCode"], "63901",
        "{received}"
    );
    assert_eq!(body["Subject"], "Re: Saturn");
    assert_eq!(body["LinkedID"], message_id.as_str());
    let store = exported(&dir.join("vasp"), &received);
    let files: Vec<String> = std::fs::read_dir(store.join("attachments"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let png_file = files
        .iter()
        .find(|f| f.ends_with("reply.png"))
        .unwrap_or_else(|| panic!("no picture among {files:?}"));
    assert!(!png_file.contains(".."), "{png_file}");
    assert_eq!(
        std::fs::read(store.join("attachments").join(png_file)).unwrap(),
        picture,
        "the picture arrives byte-identical"
    );
    let text_file = files
        .iter()
        .find(|f| f.ends_with(".txt"))
        .expect("the text");
    assert_eq!(
        std::fs::read_to_string(store.join("attachments").join(text_file)).unwrap(),
        "Lovely rings"
    );
    // The row stays in the message's outbox, sent.
    let one = until(port, &format!("/api/v1/messages/{id}"), |m| {
        m["summary"]["outbox"].as_array().is_some_and(|rows| {
            rows.iter()
                .any(|r| r["kind"] == "DeliverReq" && r["state"] == "sent")
        })
    });
    assert!(one["summary"]["outbox"].as_array().unwrap().len() >= 2);
    drop(mmsc);
}

/// `mm7 mmsc` and `mm7 vasp` serve their inbox by default on fixed loopback ports, say where,
/// refuse clearly when the port is taken, and serve none with `--no-ui`. (The only test that
/// uses the default ports: 8025 and 8026 must be free on the machine.)
#[test]
fn the_inbox_is_on_by_default_on_fixed_ports() {
    let dir = TempDir::new("inbox-default");
    let store = dir.join("mmsc");
    let mmsc = Server::start_with_default_inbox(&[
        "mmsc",
        "--listen",
        "127.0.0.1:0",
        "--store",
        s(&store),
    ]);
    assert_eq!(
        mmsc.stderr_line(Duration::from_secs(10)).as_deref(),
        Some("mm7 mmsc inbox: http://127.0.0.1:8025/"),
        "is port 8025 taken on this machine?"
    );
    wait_for_inbox(8025);
    assert_eq!(get(8025, "/api/v1/messages").json(), serde_json::json!([]));

    // A second one on the same default port says what to do.
    let second = mm7()
        .env_remove("MM7_UI")
        .args([
            "mmsc",
            "--listen",
            "127.0.0.1:0",
            "--store",
            s(&dir.join("second")),
        ])
        .spawn()
        .expect("spawn mm7");
    let out = wait(second, Duration::from_secs(30));
    assert_ne!(out.code, 0);
    for needle in ["127.0.0.1:8025", "--ui", "--no-ui"] {
        assert!(out.stderr.contains(needle), "{needle} in {}", out.stderr);
    }

    // The VASP receiver's is on the next port; `--no-ui` and `--ui off` turn it off.
    let vasp = Server::start_with_default_inbox(&[
        "vasp",
        "--listen",
        "127.0.0.1:0",
        "--store",
        s(&dir.join("vasp")),
    ]);
    assert_eq!(
        vasp.stderr_line(Duration::from_secs(10)).as_deref(),
        Some("mm7 vasp inbox: http://127.0.0.1:8026/"),
        "is port 8026 taken on this machine?"
    );
    for off in [&["--no-ui"][..], &["--ui", "off"][..]] {
        let mut args = vec!["mmsc", "--listen", "127.0.0.1:0", "--store"];
        let other = dir.join(&format!("off{}", off.len()));
        args.push(s(&other));
        args.extend_from_slice(off);
        let quiet = Server::start_with_default_inbox(&args);
        assert_eq!(
            quiet.stderr_line(Duration::from_millis(500)),
            None,
            "{off:?}"
        );
    }
    drop(vasp);
    drop(mmsc);
}

#[test]
fn page_is_locked_down_and_markup_parts_are_downloads() {
    let dir = TempDir::new("inbox-safety");
    let port = closed_port();
    let ui = format!("127.0.0.1:{port}");
    let mmsc = Server::mmsc(
        &dir.join("mmsc"),
        &["--ui", &ui, "--user", "u", "--password", "p"],
    );
    wait_for_inbox(port);
    // The same credentials as the MM7 port.
    assert_eq!(get(port, "/").status, 401);
    assert_eq!(get(port, "/api/v1/messages").status, 401);
    let auth = "Authorization: Basic dTpw\r\n"; // u:p
    let page = request(port, "GET", "/", auth, b"");
    assert_eq!(page.status, 200);
    // `curl -I`: the page's head, no body.
    let head = request(port, "HEAD", "/", auth, b"");
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-type"), page.header("content-type"));
    assert!(head.body.is_empty());
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains("default-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let html = String::from_utf8_lossy(&page.body);
    assert!(
        html.contains("src=\"/app.js\"") && !html.contains("<script>"),
        "no inline script"
    );
    let script =
        String::from_utf8_lossy(&request(port, "GET", "/app.js", auth, b"").body).into_owned();
    assert!(!script.contains(".innerHTML") && !script.contains("insertAdjacentHTML"));

    // An SVG picture, as a peer could send it: served as a download, never inline.
    let vector = std::fs::read(vectors_dir().join("ezitxt_smil_submit_req.http")).unwrap();
    let text = String::from_utf8_lossy(&vector).replace("image/png", "image/svg+xml");
    let (head, body) = text
        .split_once("\r\n\r\n")
        .or_else(|| text.split_once("\n\n"))
        .unwrap();
    let head: String = head
        .lines()
        .skip(1)
        .filter(|l| {
            !l.to_ascii_lowercase().starts_with("content-length")
                && !l.to_ascii_lowercase().starts_with("host")
                && !l.to_ascii_lowercase().starts_with("authorization")
        })
        .map(|l| format!("{l}\r\n"))
        .collect();
    let mm7_port: u16 = mmsc
        .url
        .rsplit(':')
        .next()
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let answer = request(
        mm7_port,
        "POST",
        "/mm7",
        &format!("{head}{auth}"),
        body.as_bytes(),
    );
    assert_eq!(
        answer.status,
        200,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    let list = request(port, "GET", "/api/v1/messages", auth, b"").json();
    let id = list[0]["id"].as_i64().unwrap();
    let one = request(port, "GET", &format!("/api/v1/messages/{id}"), auth, b"").json();
    let svg = one["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["content_type"] == "image/svg+xml")
        .expect("the SVG part");
    let part = request(
        port,
        "GET",
        &format!("/api/v1/messages/{id}/parts/{}", svg["position"]),
        auth,
        b"",
    );
    assert_eq!(part.status, 200);
    assert_eq!(part.header("content-type"), Some("image/svg+xml"));
    assert!(
        part.header("content-disposition")
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(part.header("x-content-type-options"), Some("nosniff"));
    // No credential is ever in what the inbox serves.
    assert!(
        !String::from_utf8_lossy(
            &request(port, "GET", &format!("/api/v1/messages/{id}"), auth, b"").body
        )
        .contains("dTpw")
    );
    drop(mmsc);
}

#[test]
fn live_updates_arrive_as_server_sent_events() {
    let dir = TempDir::new("inbox-sse");
    let port = closed_port();
    let ui = format!("127.0.0.1:{port}");
    let mmsc = Server::mmsc(&dir.join("mmsc"), &["--ui", &ui]);
    wait_for_inbox(port);
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(b"GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    let mut read_until = |stream: &mut TcpStream, seen: &mut String, needle: &str| {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !seen.contains(needle) {
            assert!(Instant::now() < deadline, "no {needle:?} in {seen:?}");
            let n = stream.read(&mut buf).expect("read events");
            assert!(n > 0, "the event stream ended: {seen:?}");
            seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    };
    read_until(&mut stream, &mut seen, "\"count\":0");
    assert!(seen.contains("text/event-stream"));
    let out = send(&mmsc.url, &["--to", "2", "--text", "hi"]);
    assert!(out.code == 0);
    read_until(&mut stream, &mut seen, "\"count\":1");
    drop(mmsc);
}

/// The page in a real browser (see [`crate::browser`]).
mod browser {
    use std::time::{Duration, Instant};

    use fantoccini::Locator;
    use serde_json::json;

    use super::{png_of, wait_for_inbox};
    use crate::browser::{Browser, programs, runtime};
    use crate::support::{Server, TempDir, closed_port, s, send};

    #[test]
    fn a_picture_message_shows_live_as_slides_and_its_report_reaches_the_vasp() {
        const TEST: &str = "inbox::browser";
        let Some(programs) = programs(TEST) else {
            return;
        };
        let dir = TempDir::new("inbox-browser");
        let vasp = Server::vasp(&dir.join("vasp"), &[]);
        let port = closed_port();
        let ui = format!("127.0.0.1:{port}");
        let mmsc = Server::mmsc(&dir.join("mmsc"), &["--ui", &ui, "--dlr-after", "60s"]);
        wait_for_inbox(port);
        runtime().block_on(async {
            let driver = Browser::start(&programs).await;
            driver.client.goto(&format!("http://{ui}/")).await.expect("open the inbox");
            driver.until(
                "the empty inbox",
                "return !document.getElementById('empty').hidden;",
            ).await;
            driver.screenshot("1-empty").await;

            let red = dir.write("red.png", png_of([0xff, 0, 0]));
            let blue = dir.write("blue.png", png_of([0, 0, 0xff]));
            let subject = "<b>Saturn</b> & <script>alert(1)</script>";
            let callback = format!("X-Vibes-DlrCallbackUrl: {}", vasp.url);
            let out = send(
                &mmsc.url,
                &[
                    "--to",
                    "15551234567",
                    "--subject",
                    subject,
                    "--text",
                    "Rings of Saturn",
                    "--attach",
                    s(&red),
                    "--attach",
                    s(&blue),
                    "--smil",
                    "auto",
                    "--dlr",
                    "--header",
                    &callback,
                ],
            );
            assert!(out.code == 0, "{}", out.stderr);

            // It appears without a reload.
            driver.until(
                "the message in the list",
                "return document.querySelectorAll('#list li').length === 1;",
            ).await;
            driver.screenshot("2-listed").await;
            driver.click("#list li").await;
            driver.until(
                "the message view",
                "return document.querySelectorAll('.slide').length > 0 && !!document.getElementById('subject');",
            ).await;
            // The subject as text: the markup shown literally, no element made of it.
            let shown = driver.script(
                "const h = document.getElementById('subject'); return [h.textContent, h.children.length, document.querySelectorAll('#detail-pane script, #detail-pane b').length];",
            ).await;
            assert_eq!(shown, json!([subject, 0, 0]));
            // The slides in the SMIL's order, each picture displayed.
            driver.until(
                "the pictures loaded",
                "return Array.from(document.querySelectorAll('.slide img')).every(i => i.complete && i.naturalWidth > 0) && document.querySelectorAll('.slide img').length === 2;",
            ).await;
            let order = driver
                .script("return Array.from(document.querySelectorAll('.slide img')).map(i => i.alt);")
                .await;
            let order: Vec<String> = serde_json::from_value(order).unwrap();
            assert!(
                order.len() == 2 && order[0].contains("red") && order[1].contains("blue"),
                "{order:?}"
            );
            let width = driver.script("return document.querySelector('.slide img').naturalWidth;").await;
            assert_eq!(width, json!(4));
            driver.until(
                "the text",
                "return Array.from(document.querySelectorAll('.slide .text')).some(t => t.textContent === 'Rings of Saturn');",
            ).await;
            driver.screenshot("3-message").await;

            // Deliver report, with the status chosen: the VASP receives it.
            driver.script("document.getElementById('report-status').value = 'Rejected'; return true;").await;
            driver.click("#deliver-report").await;
            let deadline = Instant::now() + Duration::from_secs(15);
            loop {
                let line = vasp.next_line(Duration::from_secs(15));
                if line.contains("DeliveryReportReq") && line.contains("\"MMStatus\":\"Rejected\"") {
                    break;
                }
                assert!(Instant::now() < deadline, "the VASP got no report");
            }
            driver.until(
                "the action acknowledged",
                "return document.getElementById('action-status').textContent.startsWith('queued');",
            ).await;
            driver.screenshot("4-reported").await;

            // Reply as the handset: the VASP receives the MO message with the text typed.
            driver
                .client
                .find(Locator::Css("#mo-text"))
                .await
                .expect("the reply text field")
                .send_keys("Beautiful")
                .await
                .expect("type the reply");
            driver.click("#mo-reply").await;
            let deadline = Instant::now() + Duration::from_secs(15);
            loop {
                let line = vasp.next_line(Duration::from_secs(15));
                if line.contains("\"DeliverReq\"") && line.contains("Re: ") {
                    break;
                }
                assert!(Instant::now() < deadline, "the VASP got no MO reply");
            }
            driver.screenshot("5-replied").await;
            driver.close().await;
        });
        drop(mmsc);
    }
}

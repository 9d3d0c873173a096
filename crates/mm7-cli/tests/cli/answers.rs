//! What the senders make of what peers answer, and what they put on the wire: answers in
//! another namespace or of another operation, HTML error pages, keep-alive captures given to
//! `mm7 decode`, and the Content-Transfer-Encoding of attachments. The peer is a canned one
//! on 127.0.0.1.

use crate::support::{TempDir, run, s, send};

/// A vector with its `Content-Length: nnnn` placeholder made the body's real length.
fn with_real_length(name: &str) -> Vec<u8> {
    let data = std::fs::read(crate::support::vectors_dir().join(name)).expect("vector");
    let head_end = data
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header block")
        + 4;
    let head = String::from_utf8(data[..head_end].to_vec()).expect("ASCII head");
    let head = head.replace(
        "Content-Length: nnnn",
        &format!("Content-Length: {}", data.len() - head_end),
    );
    [head.as_bytes(), &data[head_end..]].concat()
}

#[test]
fn decode_tells_of_every_message_in_a_keep_alive_capture() {
    let dir = TempDir::new("keep-alive");
    let unauthorized: &[u8] =
        b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"MM7\"\r\n\
        Content-Type: text/plain\r\nContent-Length: 23\r\n\r\nbad user name or secret";
    let capture = [
        with_real_length("ezitxt_submit_req.http"),
        unauthorized.to_vec(),
        b"\r\n".to_vec(),
        with_real_length("ezitxt_submit_req.http"),
        with_real_length("ezitxt_submit_rsp.http"),
    ]
    .concat();
    let path = dir.write("keep-alive.http", &capture);

    // Without --all: the first, and a warning that three more follow.
    let out = run(&["decode", s(&path), "--compact"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.json()["message"], "SubmitReq");
    assert!(
        out.stderr
            .contains("warning: the capture holds 4 HTTP messages"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("--all"), "{}", out.stderr);

    // --all: an array of four, the 401 told by its status.
    let out = run(&["decode", s(&path), "--all"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let all = out.json();
    let kinds: Vec<&serde_json::Value> = all
        .as_array()
        .expect("an array")
        .iter()
        .map(|m| &m["message"])
        .collect();
    assert_eq!(
        kinds,
        [
            &serde_json::json!("SubmitReq"),
            &serde_json::Value::Null,
            &serde_json::json!("SubmitReq"),
            &serde_json::json!("SubmitRsp")
        ]
    );
    assert_eq!(all[1]["http_status"], 401);
    assert_eq!(all[1]["content_type"], "text/plain");
    assert_eq!(all[1]["body_excerpt"], "bad user name or secret");
    assert_eq!(
        all[1]["summary"],
        "HTTP 401 Unauthorized (text/plain): bad user name or secret"
    );
    // Each message decodes as it does alone.
    let alone = run(&[
        "decode",
        s(&crate::support::vectors_dir().join("ezitxt_submit_rsp.http")),
    ]);
    assert_eq!(all[3]["body"], alone.json()["body"]);

    // The 401 alone: its status and text, not 2007.
    let path = dir.write("401.http", unauthorized);
    let out = run(&["decode", s(&path)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.json()["http_status"], 401);
    assert!(
        out.stderr
            .starts_with("warning: not an MM7 message: HTTP 401 Unauthorized (text/plain)"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("2007"), "{}", out.stderr);

    // An HTML error page: its title.
    let page = b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html\r\n\r\n\
        <html><head><title>Gateway exploded</title></head><body><h1>Oops</h1></body></html>";
    let path = dir.write("500.http", page);
    let out = run(&["decode", s(&path), "--compact"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.json()["summary"],
        "HTTP 500 Internal Server Error (text/html): Gateway exploded"
    );

    // A corrupt message in the middle of an --all capture: exit status 2, which message said.
    let broken = [
        with_real_length("ezitxt_submit_rsp.http"),
        b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n\r\n<a></b>".to_vec(),
    ]
    .concat();
    let path = dir.write("broken.http", &broken);
    let out = run(&["decode", s(&path), "--all"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("in HTTP message 2 of 2, at byte "),
        "{}",
        out.stderr
    );
}

/// A peer on 127.0.0.1 that gives each connection the next of `answers` (an HTTP response
/// without its Content-Length, which is added) after reading the request, then closes it.
fn canned(answers: Vec<(&'static str, &'static str, String)>) -> String {
    canned_recording(answers).0
}

/// [`canned`], also giving each request it read.
fn canned_recording(
    answers: Vec<(&'static str, &'static str, String)>,
) -> (String, std::sync::mpsc::Receiver<Vec<u8>>) {
    let (tx, rx) = std::sync::mpsc::channel();
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/mm7", listener.local_addr().expect("address"));
    std::thread::spawn(move || {
        for (status, content_type, body) in answers {
            let Ok((mut stream, _)) = listener.accept() else {
                return;
            };
            let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(10)));
            // The request: its head, then Content-Length bytes of body.
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            let complete = |request: &[u8]| {
                let text = String::from_utf8_lossy(request);
                let Some(head_end) = text.find("\r\n\r\n") else {
                    return false;
                };
                let length = text[..head_end]
                    .lines()
                    .find_map(|l| {
                        let (name, value) = l.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(0);
                request.len() >= head_end + 4 + length
            };
            while !complete(&request) {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let response = format!(
                "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes());
            let _ = tx.send(request);
        }
    });
    (url, rx)
}

/// A SOAP answer: `operation` with `inner` in the namespace of `schema`, TransactionID `tx`.
fn soap(schema: &str, tx: &str, operation: &str, inner: &str) -> String {
    let ns = format!("http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/{schema}");
    format!(
        "<?xml version=\"1.0\"?><env:Envelope xmlns:env=\"http://schemas.xmlsoap.org/soap/envelope/\">\
         <env:Header><mm7:TransactionID xmlns:mm7=\"{ns}\" env:mustUnderstand=\"1\">{tx}\
         </mm7:TransactionID></env:Header><env:Body><{operation} xmlns=\"{ns}\">{inner}\
         </{operation}></env:Body></env:Envelope>"
    )
}

const SUCCESS: &str =
    "<Status><StatusCode>1000</StatusCode><StatusText>Success</StatusText></Status>";

#[test]
fn answers_are_judged_and_what_was_received_is_reported() {
    let xml = "text/xml; charset=utf-8";
    let rel5 = "REL-5-MM7-1-3";
    let odd_submit_rsp = soap(
        rel5,
        "t1",
        "SubmitRsp",
        &format!(
            "<MM7Version>5.3.0</MM7Version>{SUCCESS}<MessageID>m1</MessageID><Colour>red</Colour>"
        ),
    );
    let deliver_rsp = soap(
        "REL-6-MM7-1-4",
        "t2",
        "DeliverRsp",
        &format!("<MM7Version>6.8.0</MM7Version>{SUCCESS}"),
    );
    let odd_deliver_rsp = soap(
        rel5,
        "t3",
        "DeliverRsp",
        &format!("<MM7Version>5.3.0</MM7Version>{SUCCESS}"),
    );
    let page = "<!DOCTYPE html><html><head><title>Service Temporarily Down</title>\
                <style>p { color: red }</style></head><body><p>Please &amp; retry</p></body></html>"
        .to_owned();
    let url = canned(vec![
        ("200 OK", xml, odd_submit_rsp.clone()),
        ("200 OK", xml, odd_submit_rsp),
        ("200 OK", xml, deliver_rsp),
        ("200 OK", xml, odd_deliver_rsp),
        ("500 Internal Server Error", "text/html", page),
    ]);
    let submit = |json: bool| {
        let mut args = vec![
            "--to",
            "15551234567",
            "--text",
            "hi",
            "--transaction-id",
            "t1",
        ];
        if json {
            args.push("--json");
        }
        send(&url, &args)
    };

    // Another namespace, another MM7Version, an undefined element: accepted, each said.
    let out = submit(false);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for needle in [
        "warning: in the answer: the answer is in the namespace",
        "REL-5-MM7-1-3",
        "warning: in the answer: the answer's MM7Version is 5.3.0, the request's 6.8.0",
        "<Colour>",
    ] {
        assert!(out.stderr.contains(needle), "{needle}: {}", out.stderr);
    }
    let out = submit(true);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let warnings = out.json()["warnings"].as_array().expect("warnings").len();
    assert_eq!(warnings, 3, "{}", out.stdout_text());

    // A DeliverRsp to a SubmitReq: what was received, not nulls.
    let out = send(&url, &["--to", "15551234567", "--text", "hi", "--json"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let value = out.json();
    assert_eq!(value["ok"], false);
    assert_eq!(value["received_operation"], "DeliverRsp");
    assert_eq!(value["http_status"], 200);
    assert_eq!(value["status_code"], 1000);
    assert!(
        out.stderr
            .contains("expected a SubmitRsp, received a DeliverRsp (HTTP 200 OK, MM7 status 1000"),
        "{}",
        out.stderr
    );

    // deliver: the same judging, and --json has the warnings.
    let out = run(&[
        "deliver",
        "--url",
        &url,
        "--from",
        "15551234567",
        "--to",
        "63901",
        "--text",
        "hi",
        "--transaction-id",
        "t3",
        "--json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let value = out.json();
    assert_eq!(value["http_status"], 200);
    let warnings: Vec<&str> = value["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter_map(serde_json::Value::as_str)
        .collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings[0].contains("namespace"), "{warnings:?}");
    assert!(warnings[1].contains("MM7Version is 5.3.0"), "{warnings:?}");

    // An HTML error page: status, type and title, not escaped markup.
    let out = send(&url, &["--to", "15551234567", "--text", "hi"]);
    out.assert_failed(
        1,
        "error: HTTP 500 Internal Server Error (text/html): Service Temporarily Down",
    );
    assert!(!out.stderr.contains("<html"), "{}", out.stderr);
}

#[test]
fn send_writes_attachments_in_the_transfer_encoding_asked_for() {
    let dir = TempDir::new("transfer-encoding");
    let gif: Vec<u8> = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00"
        .iter()
        .copied()
        .chain((0..=255u8).cycle().take(2000))
        .collect();
    let picture = dir.write("saturn.gif", &gif);
    let answer = || {
        (
            "200 OK",
            "text/xml",
            soap(
                "REL-6-MM7-1-4",
                "te1",
                "SubmitRsp",
                &format!("<MM7Version>6.8.0</MM7Version>{SUCCESS}<MessageID>m</MessageID>"),
            ),
        )
    };
    let (url, requests) = canned_recording(vec![answer(), answer(), answer(), answer()]);
    let cases: [(&[&str], &str, &str); 4] = [
        (&[], "binary", "binary"),
        (&["--transfer-encoding", "base64"], "base64", "base64"),
        (
            &["--transfer-encoding", "quoted-printable"],
            "base64",
            "quoted-printable",
        ),
        (&["--transfer-encoding", "8bit"], "base64", "8bit"),
    ];
    for (index, (extra, picture_encoding, text_encoding)) in cases.into_iter().enumerate() {
        let mut args = vec![
            "--to",
            "15551234567",
            "--text",
            "Grüße",
            "--attach",
            s(&picture),
            "--transaction-id",
            "te1",
        ];
        args.extend_from_slice(extra);
        let out = send(&url, &args);
        assert_eq!(out.code, 0, "{extra:?}: {}", out.stderr);
        let request = requests
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("the request");
        let text = String::from_utf8_lossy(&request);
        let encodings: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("Content-Transfer-Encoding: "))
            .collect();
        // The SOAP part, the picture, the text.
        assert_eq!(
            encodings[1..],
            [picture_encoding, text_encoding],
            "{extra:?}: {encodings:?}"
        );
        // What the peer decodes is what was attached.
        let capture = dir.write(&format!("request-{index}.http"), &request);
        let parts = dir.join(&format!("parts-{index}"));
        let out = run(&["decode", s(&capture), "--extract", s(&parts)]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let names = crate::support::folders(&parts);
        assert_eq!(names.len(), 2, "{names:?}");
        assert_eq!(std::fs::read(parts.join(&names[0])).unwrap(), gif);
        assert_eq!(
            std::fs::read(parts.join(&names[1])).unwrap(),
            "Grüße".as_bytes()
        );
    }
    let out = send(&url, &["--to", "1555", "--transfer-encoding", "uuencode"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("binary, 8bit, base64 or quoted-printable"),
        "{}",
        out.stderr
    );
}

#[test]
fn encode_writes_attachments_in_the_transfer_encoding_asked_for() {
    let dir = TempDir::new("encode-te");
    let vector = crate::support::vectors_dir().join("vibes_6_8_0_submit_req.http");
    let first = dir.join("first");
    let out = run(&["decode", s(&vector), "--extract", s(&first), "--compact"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json = dir.write("message.json", &out.stdout);
    let mut attach: Vec<String> = crate::support::folders(&first)
        .into_iter()
        .map(|name| s(&first.join(name)).to_owned())
        .collect();
    attach.sort();
    assert!(!attach.is_empty());
    for encoding in ["base64", "quoted-printable", "8bit", "binary"] {
        let mut args = vec![
            "encode",
            s(&json),
            "--transfer-encoding",
            encoding,
            "--attach",
        ];
        args.extend(attach.iter().map(String::as_str));
        let out = run(&args);
        assert_eq!(out.code, 0, "{encoding}: {}", out.stderr);
        let text = out.stdout_text();
        let written: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("Content-Transfer-Encoding: "))
            .skip(1)
            .collect();
        assert!(!written.is_empty(), "{text}");
        match encoding {
            "base64" | "binary" => assert!(written.iter().all(|w| *w == encoding), "{written:?}"),
            _ => assert!(written.iter().all(|w| *w != "binary"), "{written:?}"),
        }
        let capture = dir.write(&format!("{encoding}.http"), &out.stdout);
        let again = dir.join(encoding);
        let out = run(&["decode", s(&capture), "--extract", s(&again), "--compact"]);
        assert_eq!(out.code, 0, "{encoding}: {}", out.stderr);
        for name in crate::support::folders(&first) {
            assert_eq!(
                std::fs::read(first.join(&name)).unwrap(),
                std::fs::read(again.join(&name)).unwrap(),
                "{encoding}: {name}"
            );
        }
    }
}

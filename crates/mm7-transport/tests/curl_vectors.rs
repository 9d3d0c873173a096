//! Every request in `tests/vectors/` sent to the server by curl, a client nobody here wrote,
//! exactly as `curl --data-binary @body -H 'Content-Type: …'` would send it from a shell; the
//! answer is checked against the vector's golden decoded view (`NAME.json`).
//!
//! curl is needed: without it the test prints a loud SKIPPED line and passes, unless the
//! environment variable `CI` is set (CI sets it and installs curl), where it fails rather than
//! pass without having sent anything.

mod server_support;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use mm7_model::{FaultDetail, Message};
use mm7_transport::auth::Credentials;
use mm7_transport::server::{Role, Server, ServerConfig};
use server_support::*;

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors")
}

/// A captured HTTP request: its path, its header fields (folded lines unfolded), its body.
struct Vector {
    name: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// `None` when the file holds a response. The body is the rest of the file after the blank
/// line (the vectors' README: Content-Length is not to be trusted).
fn read_vector(path: &Path) -> Option<Vector> {
    let bytes = std::fs::read(path).expect("readable vector");
    let head_end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a blank line after the headers");
    let head = std::str::from_utf8(&bytes[..head_end]).expect("ASCII headers");
    let mut lines = head.split("\r\n");
    let start = lines.next().unwrap_or_default();
    let mut start_fields = start.split(' ');
    let method = start_fields.next().unwrap_or_default();
    if !matches!(method, "POST" | "GET" | "PUT") {
        return None;
    }
    let target = start_fields.next().expect("a request target").to_string();
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            // RFC 9112 §5.2 obsolete line folding: the continuation joins the previous value.
            let last = headers.last_mut().expect("a folded line follows a field");
            last.1.push(' ');
            last.1.push_str(line.trim());
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    let name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("a UTF-8 file name")
        .to_string();
    Some(Vector {
        name,
        path: target,
        headers,
        body: bytes[head_end + 4..].to_vec(),
    })
}

fn header<'a>(vector: &'a Vector, name: &str) -> Option<&'a str> {
    vector
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The HTTP status, Content-Type and body curl received.
struct CurlAnswer {
    status: u16,
    content_type: String,
    body: Vec<u8>,
}

/// Whether curl can be run. Without it: a SKIPPED line and `false` on a developer's
/// machine, a failure under `CI`.
fn curl_available() -> bool {
    let problem = match Command::new("curl").arg("--version").output() {
        Ok(output) if output.status.success() => return true,
        Ok(output) => format!("`curl --version` failed: {output:?}"),
        Err(e) => format!(
            "curl is needed to run tests/curl_vectors.rs and could not be run ({e}): \
             install curl (e.g. `apt-get install curl`)"
        ),
    };
    if std::env::var_os("CI").is_some() {
        panic!("{problem} (CI is set, so it is required)");
    }
    // Straight to the process's standard error: the test harness captures `eprintln!` of a
    // passing test, and a skip must be seen.
    let _ = writeln!(
        std::io::stderr(),
        "\n*** SKIPPED curl_vectors: {problem} ***\n"
    );
    false
}

/// Sends the vector with curl from a shell-like command line.
fn curl(vector: &Vector, url: &str, scratch: &Path) -> CurlAnswer {
    let body_file = scratch.join(format!("{}.body", vector.name));
    let answer_file = scratch.join(format!("{}.answer", vector.name));
    std::fs::write(&body_file, &vector.body).expect("scratch file");
    let mut command = Command::new("curl");
    command
        .args(["--silent", "--show-error", "--max-time", "10"])
        .arg("--data-binary")
        .arg(format!("@{}", body_file.display()))
        .arg("--output")
        .arg(&answer_file)
        .args(["--write-out", "%{http_code}\n%{content_type}"]);
    for (name, value) in &vector.headers {
        // curl computes the length and the host itself; the vectors' lengths are placeholders.
        if name.eq_ignore_ascii_case("content-length") || name.eq_ignore_ascii_case("host") {
            continue;
        }
        // `-H 'Name:'` would remove the header; `-H 'Name;'` sends it empty (curl(1)).
        let argument = if value.is_empty() {
            format!("{name};")
        } else {
            format!("{name}: {value}")
        };
        command.arg("-H").arg(argument);
    }
    command.arg(url);
    let output = command.output().expect("curl runs");
    assert!(
        output.status.success(),
        "{}: curl failed: {}",
        vector.name,
        String::from_utf8_lossy(&output.stderr)
    );
    let written = String::from_utf8_lossy(&output.stdout).into_owned();
    let (status, content_type) = written.split_once('\n').unwrap_or((&written, ""));
    CurlAnswer {
        status: status.trim().parse().expect("an HTTP status"),
        content_type: content_type.trim().to_string(),
        body: std::fs::read(&answer_file).unwrap_or_default(),
    }
}

fn role_for(operation: &str) -> Role {
    match operation {
        "SubmitReq" | "CancelReq" | "ReplaceReq" | "extendedCancelReq" | "extendedReplaceReq" => {
            Role::Mmsc
        }
        _ => Role::Vasp,
    }
}

/// Sends `vector` to a new server of `role`, and checks the answer against `golden`.
async fn check(vector: &Vector, golden: &serde_json::Value, role: Role, scratch: &Path) {
    let mut config = ServerConfig::new(role);
    let credentials = header(vector, "authorization")
        .map(|v| Credentials::from_header_value(v.as_bytes()).expect("Basic credentials"));
    if let Some(c) = &credentials {
        config = config.with_basic_auth(c.user(), c.password());
    }
    let recorder = Arc::new(Recorder::default());
    let server = Server::bind("127.0.0.1:0", config, Arc::clone(&recorder))
        .await
        .expect("bind")
        .spawn();
    let url = format!("http://{}{}", server.local_addr(), vector.path);
    let answer = {
        let vector = Vector {
            name: format!("{}-{role:?}", vector.name),
            path: vector.path.clone(),
            headers: vector.headers.clone(),
            body: vector.body.clone(),
        };
        let scratch = scratch.to_path_buf();
        tokio::time::timeout(
            STEP * 2,
            tokio::task::spawn_blocking(move || curl(&vector, &url, &scratch)),
        )
        .await
        .expect("curl finished in time")
        .expect("curl task")
    };
    let name = &vector.name;
    let text = String::from_utf8_lossy(&answer.body).into_owned();
    let decoded = mm7_soap::decode(
        &answer.content_type,
        bytes::Bytes::from(answer.body.clone()),
        &Default::default(),
    )
    .unwrap_or_else(|e| panic!("{name}: undecodable answer ({e}): {text}"))
    .envelope;

    if let Some(error) = golden.get("error") {
        assert_eq!(answer.status, 500, "{name}: {text}");
        let Message::Fault(fault) = &decoded.message else {
            panic!("{name}: not a fault: {text}");
        };
        let status = fault.status().expect("an error response in the fault");
        assert_eq!(
            u64::from(status.code.get()),
            error["status_code"].as_u64().expect("a golden status code"),
            "{name}"
        );
        match (role, &fault.detail) {
            (Role::Mmsc, Some(FaultDetail::RsErrorRsp(_)))
            | (Role::Vasp, Some(FaultDetail::VaspErrorRsp(_))) => {}
            other => panic!("{name}: detail {other:?} for this role"),
        }
        let expected_id = error["transaction_id"].as_str().unwrap_or_default();
        assert_eq!(decoded.transaction_id, expected_id, "{name}");
        assert_eq!(recorder.calls(), 0, "{name}: the handler was not called");
    } else {
        assert_eq!(answer.status, 200, "{name}: {text}");
        let status = decoded.message.status().expect("a response status");
        assert_eq!(status.code.get(), 1000, "{name}: {text}");
        let operation = golden["message"].as_str().expect("golden operation");
        let expected_response = operation.replace("Req", "Rsp");
        assert_eq!(
            decoded.message.operation_name(),
            expected_response,
            "{name}"
        );
        assert_eq!(decoded.transaction_id, golden["transaction_id"], "{name}");
        assert_eq!(decoded.namespace.uri(), golden["namespace"], "{name}");
        assert_eq!(
            decoded.message.mm7_version().map(|v| v.as_str()),
            golden["mm7_version"].as_str(),
            "{name}"
        );

        let seen = recorder.seen();
        assert_eq!(seen.len(), 1, "{name}: one call");
        let seen = &seen[0];
        assert_eq!(seen.operation, operation, "{name}");
        assert_eq!(seen.transaction_id, golden["transaction_id"], "{name}");
        let attachments = golden["attachments"]
            .as_array()
            .expect("golden attachments");
        assert_eq!(seen.leaves, attachments.len(), "{name}");
        let bytes: u64 = attachments
            .iter()
            .map(|a| a["size"].as_u64().expect("size"))
            .sum();
        assert_eq!(seen.attachment_bytes as u64, bytes, "{name}");
        assert_eq!(
            seen.user.as_deref(),
            credentials.as_ref().map(Credentials::user),
            "{name}"
        );
        // The providers' own headers reach the handler.
        for (header, value) in &vector.headers {
            if header.to_ascii_lowercase().starts_with("x-") {
                assert_eq!(seen.headers[header.as_str()], value.as_str(), "{name}");
            }
        }
    }
    server.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn every_request_vector_through_curl() {
    init_tracing();
    if !curl_available() {
        return;
    }
    let scratch = std::env::temp_dir().join(format!("mm7-curl-vectors-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("scratch dir");

    let mut files: Vec<PathBuf> = std::fs::read_dir(vectors_dir())
        .expect("tests/vectors")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "http"))
        .collect();
    files.sort();
    let mut requests = 0;
    let mut negatives = 0;
    for file in &files {
        let Some(vector) = read_vector(file) else {
            continue;
        };
        requests += 1;
        let golden_path = file.with_extension("json");
        let golden: serde_json::Value = serde_json::from_slice(
            &std::fs::read(&golden_path).expect("a golden view beside the vector"),
        )
        .expect("golden JSON");
        match golden["message"].as_str() {
            Some(operation) => check(&vector, &golden, role_for(operation), &scratch).await,
            None => {
                // A request that cannot be decoded: both roles answer it, each with its own
                // error response.
                negatives += 1;
                check(&vector, &golden, Role::Mmsc, &scratch).await;
                check(&vector, &golden, Role::Vasp, &scratch).await;
            }
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    assert!(requests >= 7, "found {requests} request vectors");
    assert!(negatives >= 1, "the corrupt DeliverReq is among them");
}

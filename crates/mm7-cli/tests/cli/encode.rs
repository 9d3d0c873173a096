//! `mm7 encode`: encode → decode round trips and the options that change what is written.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::support::{TempDir, run, s, vectors};

/// The report without what a round trip may legitimately change: lenient-reading warnings
/// (the re-encoded message has none of the capture's quirks), and the Content-IDs the MIME
/// writer gives to parts that had none.
fn comparable(mut report: Value, original: &Value) -> Value {
    report.as_object_mut().unwrap().remove("warnings");
    if let (Some(now), Some(before)) = (
        report["attachments"].as_array_mut(),
        original["attachments"].as_array(),
    ) {
        for (entry, was) in now.iter_mut().zip(before) {
            if was["content_id"].is_null() {
                entry["content_id"] = Value::Null;
            }
        }
    }
    report
}

fn sorted_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
}

#[test]
fn every_decodable_vector_survives_encode_and_decode() {
    let mut round_trips = 0;
    for path in vectors() {
        let dir = TempDir::new("roundtrip");
        let parts = dir.join("parts");
        let out = run(&["decode", s(&path), "--extract", s(&parts)]);
        if out.code != 0 {
            continue;
        }
        let first = out.json();
        let json_path = dir.join("first.json");
        std::fs::write(&json_path, &out.stdout).unwrap();

        let files = sorted_files(&parts);
        let mut args = vec!["encode", s(&json_path)];
        if !files.is_empty() {
            args.push("--attach");
            args.extend(files.iter().map(|f| s(f)));
        }
        let encoded = run(&args);
        assert_eq!(encoded.code, 0, "{}: {}", path.display(), encoded.stderr);
        let again_path = dir.join("again.http");
        std::fs::write(&again_path, &encoded.stdout).unwrap();

        let again = run(&["decode", s(&again_path)]);
        assert_eq!(again.code, 0, "{}: {}", path.display(), again.stderr);
        let second = again.json();
        assert_eq!(second["warnings"], json!([]), "{}", path.display());
        let before = comparable(first.clone(), &first);
        assert_eq!(comparable(second, &first), before, "{}", path.display());
        round_trips += 1;
    }
    assert!(round_trips >= 12, "only {round_trips} round trips");
}

fn submit_json(dir: &TempDir) -> PathBuf {
    let path = dir.join("submit.json");
    let view = json!({
        "message": "SubmitReq",
        "transaction_id": "tx-encode-1",
        "namespace": null,
        "mm7_version": null,
        "body": {
            "MM7Version": "5.3.0",
            "SenderIdentification": {"VASPID": "TNN", "SenderAddress": {"ShortCode": "63901"}},
            "Recipients": {"To": [{"Number": "15551234567"}]},
            "Subject": "Saturn"
        },
        "attachments": [],
        "warnings": []
    });
    std::fs::write(&path, serde_json::to_vec_pretty(&view).unwrap()).unwrap();
    path
}

#[test]
fn files_become_content_and_versions_can_be_chosen() {
    let dir = TempDir::new("encode-opts");
    let json_path = submit_json(&dir);
    let gif = dir.join("saturn.gif");
    std::fs::write(&gif, b"GIF89a\x01\x00\x01\x00\x00\x00\x00;").unwrap();
    let text = dir.join("caption.txt");
    std::fs::write(&text, "Saturn, by night").unwrap();

    let out = run(&[
        "encode",
        s(&json_path),
        "--attach",
        s(&gif),
        s(&text),
        "--mm7-version",
        "6.8.0",
        "--namespace",
        "REL-6-MM7-1-4",
        "--prefix-style",
        "prefixed:mm7",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let http = out.stdout_text();
    assert!(http.starts_with("POST /mm7 HTTP/1.1\r\n"), "{http}");
    assert!(http.contains("<mm7:SubmitReq"), "{http}");
    let message = dir.join("message.http");
    std::fs::write(&message, &out.stdout).unwrap();

    let decoded = run(&["decode", s(&message)]);
    assert_eq!(decoded.code, 0, "{}", decoded.stderr);
    let report = decoded.json();
    assert_eq!(report["mm7_version"], "6.8.0");
    assert!(
        report["namespace"]
            .as_str()
            .unwrap()
            .ends_with("REL-6-MM7-1-4")
    );
    assert_eq!(report["transaction_id"], "tx-encode-1");
    assert_eq!(report["body"]["Content"]["href"], "cid:mm7-content");
    let kinds: Vec<_> = report["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["media_type"].as_str().unwrap(),
                a["content_id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [("image/gif", "saturn.gif"), ("text/plain", "caption.txt")]
    );
}

#[test]
fn body_only_puts_the_content_type_on_stderr() {
    let dir = TempDir::new("body-only");
    let json_path = submit_json(&dir);
    let out = run(&["encode", s(&json_path), "--body-only"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let content_type = out.stderr.lines().next().unwrap();
    assert!(content_type.starts_with("text/xml"), "{content_type}");
    assert!(out.stdout.starts_with(b"<?xml"));
    let body = dir.join("body.xml");
    std::fs::write(&body, &out.stdout).unwrap();
    let decoded = run(&["decode", "--content-type", content_type, s(&body)]);
    assert_eq!(decoded.code, 0, "{}", decoded.stderr);
    assert_eq!(decoded.json()["body"]["Subject"], "Saturn");
}

#[test]
fn responses_are_written_with_a_status_line() {
    let path = crate::support::vectors_dir().join("vibes_6_8_0_submit_rsp_2002.json");
    let out = run(&["encode", s(&path)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout_text().starts_with("HTTP/1.1 200 OK\r\n"));
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let dir = TempDir::new("encode-bad");
    let json_path = submit_json(&dir);

    let broken = dir.write("broken.json", "{\n  \"message\": \"SubmitReq\",\n  oops\n}");
    let out = run(&["encode", s(&broken)]);
    out.assert_bad_input(&format!("error: {}:3:", broken.display()));

    let encode_with = |file: &Path| run(&["encode", s(&json_path), "--attach", s(file)]);
    let unknown = dir.write("notes.docx", b"PK");
    encode_with(&unknown).assert_failed(2, "unknown file extension .docx");
    encode_with(&dir.join("missing.gif")).assert_failed(2, "cannot read ");

    // A report that lists two attachments needs two files.
    let report = crate::support::vectors_dir().join("ezitxt_submit_req.json");
    let gif = dir.write("a.gif", b"GIF89a");
    let out = run(&["encode", s(&report), "--attach", s(&gif)]);
    out.assert_failed(2, "lists 2 attachments but 1 --attach file was given");

    let out = run(&["encode", s(&json_path), "--namespace", "urn:not-mm7"]);
    out.assert_failed(2, "--namespace");
}

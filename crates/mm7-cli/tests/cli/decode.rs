//! `mm7 decode` over every captured vector, against the goldens of `tests/soap_vectors.rs`.

use std::io::Write;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::support::{Output, TempDir, mm7, run, s, vectors, wait};

fn golden(path: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(path.with_extension("json")).expect("golden json");
    serde_json::from_str(&text).expect("golden is JSON")
}

#[test]
fn every_vector_decodes_to_its_golden_json() {
    let mut checked = 0;
    for path in vectors() {
        let expected = golden(&path);
        let out = run(&["decode", s(&path)]);
        if let Some(error) = expected.get("error") {
            assert_eq!(out.code, 2, "{}: {}", path.display(), out.stderr);
            assert!(
                out.stdout.is_empty(),
                "{}: stdout not empty",
                path.display()
            );
            let first = out.stderr.lines().next().unwrap_or_default();
            let message = error["message"].as_str().expect("golden error message");
            // The CLI names the status code an answer would carry, then the decoder's text.
            let code = error["status_code"].as_u64().expect("golden status code");
            assert!(
                first.starts_with(&format!("error: {code} "))
                    && first.ends_with(&format!(": {message}")),
                "{}: {first}",
                path.display()
            );
        } else {
            assert_eq!(out.code, 0, "{}: {}", path.display(), out.stderr);
            assert_eq!(out.json(), expected, "{}", path.display());
        }
        checked += 1;
    }
    assert!(checked >= 12);
}

/// The first line of standard error of a decode refused as a corrupt message (2007, exit
/// status 2).
fn corrupt(out: &Output) -> &str {
    assert_eq!(out.code, 2);
    let first = out.stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("error: 2007 Message format corrupt: "),
        "{first}"
    );
    first
}

#[test]
fn the_corrupt_vector_names_code_and_position() {
    let path = crate::support::vectors_dir().join("ezitxt_deliver_req_corrupt.http");
    let out = run(&["decode", s(&path)]);
    let first = corrupt(&out);
    let (_, position) = first.rsplit_once(" at ").expect("a position");
    let (line, column) = position.split_once(':').expect("line:column");
    assert!(
        line.parse::<u32>().is_ok() && column.parse::<u32>().is_ok(),
        "{position}"
    );
}

#[test]
fn standard_input_and_a_bare_body() {
    let path = crate::support::vectors_dir().join("ezitxt_submit_rsp.http");
    let raw = std::fs::read(&path).unwrap();
    let expected = golden(&path);

    let mut child = mm7()
        .args(["decode", "-", "--compact"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&raw).unwrap();
    let out = wait(child, Duration::from_secs(30));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout_text().trim_end().lines().count(),
        1,
        "--compact is one line"
    );
    assert_eq!(out.json(), expected);

    // The same body alone, with its Content-Type given.
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let dir = TempDir::new("bare");
    let body = dir.join("body.xml");
    std::fs::write(&body, &raw[split..]).unwrap();
    let out = run(&[
        "decode",
        "--content-type",
        "text/xml; charset=utf-8",
        s(&body),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.json(), expected);

    // Without --content-type, a bare body is not an HTTP message.
    let out = run(&["decode", s(&body)]);
    out.assert_bad_input("error: 2007 Message format corrupt: ");
    assert!(out.stderr.contains("--content-type"), "{}", out.stderr);
}

#[test]
fn extract_writes_the_decoded_attachments_in_order() {
    let path = crate::support::vectors_dir().join("ezitxt_submit_req.http");
    let dir = TempDir::new("extract");
    let parts = dir.join("parts");
    let out = run(&["decode", s(&path), "--extract", s(&parts)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report = out.json();
    let mut files: Vec<_> = std::fs::read_dir(&parts)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let names: Vec<_> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["01-part.txt", "02-saturn.gif"]);
    let listed = report["attachments"].as_array().unwrap();
    for (file, entry) in files.iter().zip(listed) {
        let data = std::fs::read(file).unwrap();
        assert_eq!(data.len() as u64, entry["size"].as_u64().unwrap());
        let digest: String = Sha256::digest(&data)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(digest, entry["sha256"].as_str().unwrap());
    }
}

#[test]
fn unreadable_input_exits_2_with_the_reason() {
    let out = run(&["decode", "/nonexistent/capture.http"]);
    out.assert_bad_input("error: cannot read /nonexistent/capture.http: ");

    let dir = TempDir::new("garbage");
    let file = dir.join("broken.http");
    std::fs::write(
        &file,
        b"POST /mm7 HTTP/1.1\r\nContent-Type: multipart/related; boundary=zz\r\n\r\nno delimiter here",
    )
    .unwrap();
    let out = run(&["decode", s(&file)]);
    let first = corrupt(&out);
    assert!(first.contains(" at byte "), "{first}");
}

#[test]
fn help_has_an_example_for_every_subcommand() {
    let out = run(&["--help"]);
    assert_eq!(out.code, 0);
    let help = out.stdout_text();
    assert!(help.contains("Exit status:"), "{help}");
    let commands: Vec<String> = help
        .split("Commands:")
        .nth(1)
        .unwrap()
        .lines()
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .filter(|c| c != "help")
        .collect();
    assert!(commands.len() >= 2, "{commands:?}");
    for command in commands {
        let out = run(&[&command, "--help"]);
        assert_eq!(out.code, 0, "{command}");
        let text = out.stdout_text();
        assert!(
            text.contains("Examples:") && text.contains(&format!("mm7 {command}")),
            "{command} --help has no example:\n{text}"
        );
    }
}

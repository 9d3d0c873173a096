//! Golden test of the whole decode path over every captured message in `tests/vectors/`.
//!
//! For `NAME.http`, the HTTP message is split, its body decoded with its Content-Type, and the
//! JSON report (`mm7::json::report`, what `mm7 decode` prints) compared with `NAME.json`; a
//! message that must fail has an `{"error": …}` golden with its status code and position. On a
//! mismatch `NAME.json.failed` is written beside the golden; `MM7_BLESS=1` rewrites goldens.
//! Every message that decodes is also encoded again and decoded once more, which must give
//! the same envelope.

use std::fs;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use mm7::mime::HttpMessage;
use mm7::soap::{DecodeOptions, decode};
use serde_json::{Value, json};

fn vectors() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("tests/vectors")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "http"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 12,
        "expected the provider vectors, found {}",
        files.len()
    );
    files
}

fn actual(path: &Path) -> (Value, Option<mm7::soap::Decoded>) {
    let raw = fs::read(path).expect("read vector");
    let http = HttpMessage::parse(Bytes::from(raw)).expect("a captured HTTP message");
    let content_type = http
        .header("Content-Type")
        .map(|v| v.into_owned())
        .unwrap_or_default();
    match decode(
        &content_type,
        http.body().clone(),
        &DecodeOptions::default(),
    ) {
        Ok(decoded) => (mm7::json::report(&decoded), Some(decoded)),
        Err(e) => (
            json!({"error": {
                "status_code": e.status_code().get(),
                "message": e.to_string(),
                "position": e.position.map(|p| p.to_string()),
                "transaction_id": e.transaction_id,
            }}),
            None,
        ),
    }
}

#[test]
fn every_vector_matches_its_golden_json() {
    let bless = std::env::var_os("MM7_BLESS").is_some();
    let mut failures = Vec::new();
    for path in vectors() {
        let (value, _) = actual(&path);
        let golden = path.with_extension("json");
        let text = serde_json::to_string_pretty(&value).expect("json") + "\n";
        if bless {
            fs::write(&golden, &text).expect("write golden");
            continue;
        }
        let expected = fs::read_to_string(&golden).unwrap_or_default();
        let failed = path.with_extension("json.failed");
        if expected == text {
            let _ = fs::remove_file(&failed);
        } else {
            fs::write(&failed, &text).expect("write .failed");
            failures.push(golden.display().to_string());
        }
    }
    assert!(
        failures.is_empty(),
        "golden mismatch (see NAME.json.failed): {failures:#?}"
    );
}

#[test]
fn every_decodable_vector_survives_encode_and_decode() {
    let mut decodable = 0;
    for path in vectors() {
        if let (_, Some(decoded)) = actual(&path) {
            mm7::fuzz::check_reencode(&decoded);
            decodable += 1;
        }
    }
    assert!(decodable >= 12, "only {decodable} vectors decode");
}

#[test]
fn the_corrupt_deliver_req_fails_with_2007_and_a_position() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/ezitxt_deliver_req_corrupt.http");
    let (value, decoded) = actual(&path);
    assert!(decoded.is_none());
    assert_eq!(value["error"]["status_code"], 2007);
    let position = value["error"]["position"].as_str().expect("a line:column");
    let (line, column) = position.split_once(':').expect("line:column");
    assert!(line.parse::<u32>().unwrap() >= 2 && column.parse::<u32>().unwrap() >= 1);
}

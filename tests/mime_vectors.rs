//! Golden MIME summaries of the captured HTTP messages in `tests/vectors/`.
//!
//! For every `NAME.http`: split the capture with `HttpMessage`, parse the body
//! as a multipart when its Content-Type says so, and compare a JSON summary of
//! the part tree with `NAME.mime.json`. A mismatch writes
//! `NAME.mime.json.failed` beside it; `MM7_BLESS=1` rewrites the golden file.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use mm7::mime::{HttpMessage, Multipart, Part};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("vectors")
}

fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn summarize_multipart(multipart: &Multipart) -> Value {
    let parts: Vec<Value> = multipart.parts().iter().map(summarize_part).collect();
    let warnings: Vec<Value> = multipart
        .warnings()
        .iter()
        .map(|w| json!({ "warning": w.kind().to_string(), "offset": w.offset() }))
        .collect();
    json!({
        "media_type": multipart.content_type().mime_type(),
        "boundary": multipart.boundary(),
        "root": multipart.root_index(),
        "warnings": warnings,
        "parts": parts,
    })
}

fn summarize_part(part: &Part) -> Value {
    let mut summary = json!({
        "media_type": part.content_type().mime_type(),
        "content_id": part.content_id(),
        "content_location": part.content_location(),
        "filename": part.filename(),
        "transfer_encoding": part.transfer_encoding().as_str(),
    });
    match part.decoded() {
        Ok(decoded) => {
            summary["decoded_size"] = json!(decoded.len());
            summary["sha256"] = json!(sha256_hex(&decoded));
        }
        Err(e) => summary["decode_error"] = json!(e.to_string()),
    }
    match part.multipart() {
        Some(Ok(nested)) => summary["children"] = summarize_multipart(&nested),
        Some(Err(e)) => summary["children_error"] = json!(e.to_string()),
        None => {}
    }
    summary
}

fn summarize(capture: Bytes) -> Value {
    let message = match HttpMessage::parse(capture) {
        Ok(message) => message,
        Err(e) => return json!({ "http_error": e.to_string() }),
    };
    let mut summary = json!({
        "start_line": message.start_line(),
        "content_type": message.content_type(),
        "body_size": message.body().len(),
    });
    match message.multipart() {
        Some(Ok(multipart)) => summary["multipart"] = summarize_multipart(&multipart),
        Some(Err(e)) => summary["multipart_error"] = json!(e.to_string()),
        None => summary["body_sha256"] = json!(sha256_hex(message.body())),
    }
    summary
}

#[test]
fn mime_summaries_match_golden_files() {
    let bless = std::env::var_os("MM7_BLESS").is_some_and(|v| v == "1");
    let mut captures: Vec<PathBuf> = std::fs::read_dir(vectors_dir())
        .expect("tests/vectors exists")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "http"))
        .collect();
    captures.sort();
    assert!(!captures.is_empty(), "no *.http vectors in tests/vectors");

    let mut failures = Vec::new();
    for capture in &captures {
        let data = std::fs::read(capture).expect("readable vector");
        let actual = summarize(Bytes::from(data));
        let pretty = serde_json::to_string_pretty(&actual).expect("JSON") + "\n";
        let golden = capture.with_extension("mime.json");
        let failed = capture.with_extension("mime.json.failed");
        if bless {
            std::fs::write(&golden, &pretty).expect("golden written");
            let _ = std::fs::remove_file(&failed);
            continue;
        }
        let expected: Option<Value> = std::fs::read(&golden)
            .ok()
            .and_then(|text| serde_json::from_slice(&text).ok());
        if expected.as_ref() == Some(&actual) {
            let _ = std::fs::remove_file(&failed);
        } else {
            std::fs::write(&failed, &pretty).expect("failure written");
            failures.push(golden.display().to_string());
        }
    }
    assert!(
        failures.is_empty(),
        "MIME summaries differ from (or lack) golden files; see *.failed beside: {failures:#?}"
    );
}

fn vector(name: &str) -> Multipart {
    let path = vectors_dir().join(format!("{name}.http"));
    let message = HttpMessage::parse(Bytes::from(std::fs::read(path).expect("vector exists")))
        .expect("capture parses");
    message
        .multipart()
        .expect("multipart body")
        .expect("multipart parses")
}

/// Facts checked by hand against the provider documents, so that a wrong
/// re-bless of the golden files cannot go unnoticed.
#[test]
fn hand_checked_facts() {
    let vibes = vector("vibes_5_5_0_submit_req");
    assert_eq!(
        vibes.root().and_then(Part::content_id),
        Some("soap-part@vibes.com")
    );
    let attachments = vibes
        .part_by_content_id("cid:attachment.cid")
        .expect("Content href target");
    let nested = attachments.multipart().expect("nested").expect("parses");
    let types: Vec<&str> = nested
        .parts()
        .iter()
        .map(|p| p.content_type().mime_type())
        .collect();
    assert_eq!(types, ["image/gif", "text/plain"]);
    assert_eq!(nested.parts()[0].filename().as_deref(), Some("sample.gif"));
    assert!(nested.parts()[0].body().starts_with(b"GIF89a"));

    for name in ["ezitxt_submit_req", "optus_submit_req"] {
        let submit = vector(name);
        assert_eq!(
            submit.root().and_then(Part::content_id),
            Some("/tnn-200102/mm7-submit")
        );
        let content = submit
            .part_by_content_id("cid:SaturnPics-01020930@news.tnn.com")
            .expect(name);
        let story = content.multipart().expect("nested").expect("parses");
        assert_eq!(story.boundary(), "StoryParts 74526 8432 2002-77645");
        let gif = story
            .part_by_content_id("saturn.gif")
            .expect("gif")
            .decoded()
            .expect("base64");
        assert_eq!(gif.len(), 57, "{name}");
        assert!(gif.starts_with(b"GIF87a"), "{name}");
    }

    let smil = vector("ezitxt_smil_submit_req");
    let content = smil.parts()[1]
        .multipart()
        .expect("nested")
        .expect("parses");
    assert_eq!(
        content.root().map(|p| p.content_type().mime_type()),
        Some("application/smil")
    );
}

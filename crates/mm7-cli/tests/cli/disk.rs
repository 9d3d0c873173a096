//! A full disk (here: a file size limit, `ulimit -f`, which needs no privileges): the mock
//! MMSC answers 3000 with a generic text, keeps nothing partial, goes on serving what fits,
//! and once the limit is gone (a restart without it) takes everything again.

use std::path::Path;

use crate::support::{Server, TempDir, json_line, run, s, send, skipped};

/// Sends a picture of `size` bytes; the JSON answer of `mm7 send`.
fn send_picture(url: &str, dir: &TempDir, name: &str, size: usize) -> serde_json::Value {
    let data: Vec<u8> = (0..size).map(|i| (i * 31 % 251) as u8).collect();
    let picture = dir.write(name, data);
    let out = send(
        url,
        &["--to", "15551234567", "--attach", s(&picture), "--json"],
    );
    assert!(out.code == 0 || out.code == 1, "{}", out.stderr);
    out.json()
}

fn stored(store: &Path) -> Vec<String> {
    let out = run(&["store", "list", s(store), "--json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout_text()
        .lines()
        .map(|l| json_line(l)["message_id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_full_disk_answers_3000_keeps_nothing_partial_and_recovers() {
    if std::process::Command::new("bash")
        .arg("-c")
        .arg("ulimit -f 2048")
        .status()
        .map_or(true, |s| !s.success())
    {
        skipped("full disk", "bash with ulimit -f");
        return;
    }
    let dir = TempDir::new("disk");
    let store = dir.join("mmsc");
    // 2 MiB per file (bash counts in KiB): three 300 kB pictures fit, not ten.
    let script = format!(
        "ulimit -f 2048; exec {} mmsc --listen 127.0.0.1:0 --store {} --dlr-after 1h --json",
        env!("CARGO_BIN_EXE_mm7"),
        s(&store)
    );
    let mmsc = Server::start_command("bash", &["-c", &script]);
    let mut acked = Vec::new();
    let mut refused = None;
    for i in 0..10 {
        let answer = send_picture(&mmsc.url, &dir, &format!("p{i}.jpg"), 300_000);
        if answer["ok"] == true {
            acked.push(answer["message_id"].as_str().unwrap().to_owned());
        } else {
            refused = Some(answer);
            break;
        }
    }
    let refused = refused.expect("the file size limit was never reached");
    assert_eq!(refused["status_code"], 3000, "{refused}");
    let text = refused.to_string();
    assert!(text.contains("could not be stored"), "{text}");
    assert!(
        !text.contains(s(dir.path())),
        "a local path reached the peer: {text}"
    );
    // Exactly what was acknowledged is stored: nothing of the refused message.
    assert!(!acked.is_empty());
    assert_eq!(stored(&store), acked);
    // Still serving: a small message fits.
    let small = send(
        &mmsc.url,
        &["--to", "15551234567", "--text", "small", "--json"],
    );
    assert_eq!(small.code, 0, "{}", small.stderr);
    acked.push(small.json()["message_id"].as_str().unwrap().to_owned());
    drop(mmsc);

    // The space is back: the same store takes the large message, and kept the others.
    let mmsc = Server::mmsc(&store, &["--dlr-after", "1h"]);
    let answer = send_picture(&mmsc.url, &dir, "again.jpg", 300_000);
    assert_eq!(answer["status_code"], 1000, "{answer}");
    acked.push(answer["message_id"].as_str().unwrap().to_owned());
    assert_eq!(stored(&store), acked);
    let out = run(&[
        "store",
        "export",
        s(&store),
        &acked[0],
        s(&dir.join("first")),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let first = std::fs::read(dir.join("first/attachments/01-p0.jpg")).unwrap();
    assert_eq!(first, std::fs::read(dir.join("p0.jpg")).unwrap());
}

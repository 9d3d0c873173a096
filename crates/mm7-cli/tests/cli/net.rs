//! The networked subcommands against each other on 127.0.0.1: send → mmsc → delivery report
//! → vasp, deliver → vasp, cancel and replace, the demo, and the failures a user meets.

use std::time::Duration;

use serde_json::Value;

use crate::support::{
    CREDENTIALS, Server, TempDir, closed_port, exported, folders, json_line, run, s, send,
};

const WAIT: Duration = Duration::from_secs(20);

fn write_gif(dir: &TempDir) -> std::path::PathBuf {
    dir.write("saturn.gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
}

#[test]
fn send_to_the_mmsc_and_the_delivery_report_reaches_the_vasp() {
    let dir = TempDir::new("loop");
    let vasp = Server::vasp(&dir.join("vasp"), &[]);
    let mmsc = Server::mmsc(
        &dir.join("mmsc"),
        &[
            &CREDENTIALS[..],
            &[
                "--dlr-after",
                "100ms",
                "--dlr-status",
                "retrieved",
                "--callback-url",
                &vasp.url,
                "--callback-interval",
                "200ms",
                "--json",
            ],
        ]
        .concat(),
    );
    let gif = write_gif(&dir);
    let out = send(
        &mmsc.url,
        &[
            &CREDENTIALS[..],
            &[
                "--to",
                "15551234567",
                "--to",
                "15557654321",
                "--subject",
                "Saturn",
                "--text",
                "New pictures",
                "--attach",
                s(&gif),
                "--smil",
                "auto",
                "--dlr",
                "--json",
            ],
        ]
        .concat(),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let answer = out.json();
    assert_eq!(answer["ok"], true);
    assert_eq!(answer["status_code"], 1000);
    let message_id = answer["message_id"]
        .as_str()
        .expect("a MessageID")
        .to_owned();

    // The MMSC reports the submission, then one delivery report per recipient.
    let events: Vec<Value> = mmsc.lines(3, WAIT).iter().map(|l| json_line(l)).collect();
    assert_eq!(events[0]["event"], "SubmitReq");
    assert_eq!(events[0]["message_id"], message_id.as_str());
    for event in &events[1..] {
        assert_eq!(event["event"], "DeliveryReportReq");
        assert_eq!(event["delivered"], true, "{event}");
        assert_eq!(event["mm_status"], "Retrieved");
    }
    let stored = exported(&dir.join("mmsc"), &events[0]);
    let report: Value =
        serde_json::from_slice(&std::fs::read(stored.join("message.json")).unwrap()).unwrap();
    assert_eq!(report["body"]["Subject"], "Saturn");
    let kinds: Vec<&str> = report["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["media_type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["application/smil", "image/gif", "text/plain"]);
    let smil = std::fs::read_to_string(stored.join("attachments/01-presentation.smil")).unwrap();
    assert!(
        smil.contains("cid:saturn.gif") && smil.contains("cid:text.txt"),
        "{smil}"
    );
    // The raw request decodes to the stored report, and holds no password.
    let raw = std::fs::read_to_string(stored.join("request.http")).unwrap_or_default();
    assert!(!raw.contains("s3cret") && !raw.contains("dmFzcDpzM2NyZXQ="));
    let again = run(&["decode", s(&stored.join("request.http"))]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.json(), report);

    // The VASP receives both reports, each as one JSON line, and stores them.
    let mut recipients = Vec::new();
    for line in vasp.lines(2, WAIT) {
        let received = json_line(&line);
        assert_eq!(received["message"], "DeliveryReportReq");
        assert_eq!(received["body"]["MessageID"], message_id.as_str());
        assert_eq!(received["body"]["MMStatus"], "Retrieved");
        assert!(
            exported(&dir.join("vasp"), &received)
                .join("request.http")
                .is_file()
        );
        recipients.push(
            received["body"]["Recipient"]["Number"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    recipients.sort();
    assert_eq!(recipients, ["15551234567", "15557654321"]);
    assert_eq!(folders(&dir.join("vasp")).len(), 2);
}

#[test]
fn deliver_reaches_the_vasp_with_its_attachments() {
    let dir = TempDir::new("deliver");
    let vasp = Server::vasp(&dir.join("vasp"), &["--user", "mmsc", "--password", "pw"]);
    let gif = write_gif(&dir);
    let out = run(&[
        "deliver",
        "--url",
        &vasp.url,
        "--user",
        "mmsc",
        "--password",
        "pw",
        "--from",
        "15551234567",
        "--to",
        "63901",
        "--subject",
        "Re: Saturn",
        "--text",
        "Wonderful",
        "--attach",
        s(&gif),
        "--mm7-version",
        "5.3.0",
        "--namespace",
        "REL-5-MM7-1-3",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout_text().starts_with("1000 Success"),
        "{}",
        out.stdout_text()
    );
    let received = json_line(&vasp.next_line(WAIT));
    assert_eq!(received["message"], "DeliverReq");
    assert_eq!(received["mm7_version"], "5.3.0");
    assert!(
        received["namespace"]
            .as_str()
            .unwrap()
            .ends_with("REL-5-MM7-1-3")
    );
    assert_eq!(received["body"]["Sender"]["Number"], "15551234567");
    assert_eq!(received["body"]["Subject"], "Re: Saturn");
    let store = exported(&dir.join("vasp"), &received);
    assert_eq!(
        std::fs::read(store.join("attachments/01-saturn.gif")).unwrap(),
        std::fs::read(&gif).unwrap()
    );
    assert_eq!(
        std::fs::read_to_string(store.join("attachments/02-text.txt")).unwrap(),
        "Wonderful"
    );

    // Without the credentials, the VASP refuses with 401.
    let out = run(&[
        "deliver", "--url", &vasp.url, "--from", "1555", "--to", "63901", "--text", "x",
    ]);
    out.assert_failed(1, "401");
}

#[test]
fn cancel_and_replace_a_submitted_message() {
    let dir = TempDir::new("cancel");
    let mmsc = Server::mmsc(&dir.join("mmsc"), &["--dlr-after", "1m", "--json"]);
    let out = send(
        &mmsc.url,
        &["--to", "15551234567", "--text", "v1", "--json"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let message_id = out.json()["message_id"].as_str().unwrap().to_owned();

    let out = run(&[
        "replace",
        "--url",
        &mmsc.url,
        "--message-id",
        &message_id,
        "--text",
        "v2",
        "--json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.json()["status_code"], 1000);
    let out = run(&["cancel", "--url", &mmsc.url, "--message-id", &message_id]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout_text().contains("cancelled"),
        "{}",
        out.stdout_text()
    );

    let out = run(&[
        "cancel",
        "--url",
        &mmsc.url,
        "--message-id",
        "no-such-id",
        "--json",
    ]);
    out.assert_failed(1, "2005");
    assert_eq!(out.json()["status_code"], 2005);

    let kinds: Vec<String> = mmsc
        .lines(5, WAIT)
        .iter()
        .map(|l| {
            json_line(l)["event"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "SubmitReq",
            "NoCallback",
            "ReplaceReq",
            "CancelReq",
            "CancelReq"
        ]
    );
    let stored = folders(&dir.join("mmsc"));
    assert_eq!(stored.len(), 4, "{stored:?}");
    assert!(stored[1].ends_with("-ReplaceReq"), "{stored:?}");
}

#[test]
fn failures_have_clear_messages_and_exit_codes() {
    let dir = TempDir::new("failures");
    let url = format!("http://127.0.0.1:{}/mm7", closed_port());
    let out = send(&url, &["--to", "1555", "--text", "x"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .starts_with(&format!("error: cannot connect to {url}")),
        "{}",
        out.stderr
    );

    let mmsc = Server::mmsc(
        &dir.join("mmsc"),
        &["--user", "u", "--password", "p", "--body-limit", "2000"],
    );
    let to = |args: &[&str]| send(&mmsc.url, &[&["--to", "1555"], args].concat());
    let authorized = |args: &[&str]| to(&[&["--user", "u", "--password", "p"], args].concat());
    let out = to(&["--text", "x"]);
    out.assert_failed(1, "401 Unauthorized");
    assert!(
        out.stderr.contains("--user and --password"),
        "{}",
        out.stderr
    );

    let long = "x".repeat(3000);
    let out = authorized(&["--text", &long, "--json"]);
    out.assert_failed(1, "413 Payload Too Large");
    assert_eq!(out.json()["http_status"], 413);

    let out = to(&["--attach", s(&dir.join("missing.jpg"))]);
    out.assert_failed(2, "cannot read ");

    let odd = dir.write("notes.docx", b"PK");
    let out = to(&["--attach", s(&odd)]);
    out.assert_failed(2, "unknown file extension .docx");

    let out = run(&[
        "send",
        "--url",
        &mmsc.url,
        "--from",
        "not a number",
        "--to",
        "1555",
    ]);
    assert_eq!(out.code, 2);

    let heic = dir.write("photo.heic", b"\0\0\0\x18ftypheic");
    let out = authorized(&["--attach", s(&heic)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "warning: photo.heic is image/heic: Compatibility depends upon receiving device"
        ),
        "{}",
        out.stderr
    );

    // A port in use is a local failure.
    let port = mmsc
        .url
        .trim_start_matches("http://")
        .trim_end_matches("/mm7")
        .to_owned();
    let out = run(&["mmsc", "--listen", &port, "--store", s(&dir.join("other"))]);
    assert_eq!(out.code, 3);
    assert!(
        out.stderr
            .starts_with(&format!("error: cannot listen on {port}")),
        "{}",
        out.stderr
    );
}

#[test]
fn the_demo_runs_the_whole_loop() {
    let dir = TempDir::new("demo");
    let out = crate::support::run_for(&["demo", "--store", s(dir.path())], Duration::from_secs(60));
    assert_eq!(out.code, 0, "{}\n{}", out.stdout_text(), out.stderr);
    let text = out.stdout_text();
    assert!(
        text.contains("SubmitRsp: 1000 Success, MessageID "),
        "{text}"
    );
    assert!(
        text.contains("[vasp] DeliveryReportReq for MessageID "),
        "{text}"
    );
    assert!(text.contains("[vasp] DeliverReq "), "{text}");
    assert!(text.contains("DeliverRsp: 1000 Success"), "{text}");
    // It names the store commands, not folders, and the commands it prints work.
    for command in ["list", "show", "export", "outbox"] {
        let line = text
            .lines()
            .find(|l| l.contains(&format!("mm7 store {command} ")))
            .unwrap_or_else(|| panic!("no `mm7 store {command}` in {text}"));
        if command == "show" {
            let args: Vec<&str> = line
                .split("mm7 ")
                .nth(1)
                .unwrap()
                .split_whitespace()
                .collect();
            let shown = run(&args);
            assert_eq!(shown.code, 0, "{line}: {}", shown.stderr);
            assert_eq!(shown.json()["message"], "SubmitReq", "{line}");
        }
    }
    let mmsc = folders(&dir.join("mmsc"));
    assert_eq!(mmsc.len(), 1);
    assert!(mmsc[0].ends_with("-SubmitReq"));
    let vasp = folders(&dir.join("vasp"));
    assert!(
        vasp[0].ends_with("-DeliveryReportReq") && vasp[1].ends_with("-DeliverReq"),
        "{vasp:?}"
    );
    let submitted = dir.join("mmsc").join(&mmsc[0]).join("attachments");
    assert_eq!(
        folders(&submitted),
        ["01-presentation.smil", "02-saturn.png", "03-text.txt"]
    );
}

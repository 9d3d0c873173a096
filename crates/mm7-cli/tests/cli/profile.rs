//! `--profile`: `mm7 send` refusing what a provider refuses before a byte is sent, and
//! `mm7 mmsc` answering as the provider documents.

use std::net::TcpListener;
use std::time::Duration;

use crate::support::{CREDENTIALS, Output, Server, TempDir, folders, json_line, s, send};

const WAIT: Duration = Duration::from_secs(20);

/// A listener that is never served: whether anything connected to it tells whether a
/// request was sent.
struct Witness {
    listener: TcpListener,
    url: String,
}

impl Witness {
    fn new() -> Witness {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("non-blocking");
        let port = listener.local_addr().expect("address").port();
        Witness {
            listener,
            url: format!("http://127.0.0.1:{port}/mm7"),
        }
    }

    fn assert_nothing_connected(&self) {
        match self.listener.accept() {
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("accept failed: {e}"),
            Ok((_, peer)) => panic!("{peer} connected although nothing was to be sent"),
        }
    }
}

/// The violations of a `--json` refusal, by field.
fn violation_fields(out: &Output) -> Vec<String> {
    out.json()["violations"]
        .as_array()
        .expect("a violations array")
        .iter()
        .filter(|v| v["severity"] == "error")
        .map(|v| v["field"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// `mm7 send` of a text with `--json`, under the provider `profile`.
fn send_hi(url: &str, profile: &str, extra: &[&str]) -> Output {
    send(
        url,
        &[&["--text", "hi", "--json", "--profile", profile], extra].concat(),
    )
}

/// `mm7 send` under the generic profile in a provider's own namespace and version, so that
/// the client checks nothing the provider's rules would.
fn send_unchecked(url: &str, namespace: &str, mm7_version: &str, extra: &[&str]) -> Output {
    let version = ["--namespace", namespace, "--mm7-version", mm7_version];
    send_hi(url, "generic", &[&version, extra].concat())
}

#[test]
fn sinch_refuses_a_plus_number_before_sending() {
    let witness = Witness::new();
    let out = send_hi(
        &witness.url,
        "sinch",
        &["--vasp-id", "api-key", "--to", "+15551234567"],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(violation_fields(&out), ["Recipients/To[0]/Number"]);
    let first = out.stderr.lines().next().unwrap_or_default();
    assert!(
        first.contains("sinch profile refuses") && first.contains("nothing was sent"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.lines().any(|l| l
            .starts_with("error: Recipients/To[0]/Number = \"+15551234567\": '+' is not allowed")
            && l.contains("Sinch MM7 API, Special Considerations")),
        "{}",
        out.stderr
    );
    witness.assert_nothing_connected();

    // `mblox` is Sinch's former name; without --json every violation is on its own line.
    let out = send(
        &witness.url,
        &[
            "--profile",
            "mblox",
            "--to",
            "0015551234567",
            "--text",
            "hi",
        ],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    let errors: Vec<&str> = out
        .stderr
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 2, "VASPID and the 00 prefix: {}", out.stderr);
    assert!(
        errors[0].contains("SenderIdentification/VASPID"),
        "{errors:?}"
    );
    assert!(errors[1].contains("Recipients/To[0]/Number"), "{errors:?}");
    assert!(out.stdout.is_empty());
    witness.assert_nothing_connected();
}

#[test]
fn vibes_refuses_a_delivery_report_without_its_callback_header() {
    let witness = Witness::new();
    let out = send_hi(
        &witness.url,
        "vibes",
        &[&CREDENTIALS[..], &["--to", "15551234567", "--dlr"]].concat(),
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(violation_fields(&out), ["header X-Vibes-DlrCallbackUrl"]);
    assert_eq!(out.json()["profile"], "vibes");
    witness.assert_nothing_connected();
}

#[test]
fn the_mock_mmsc_answers_as_vibes() {
    let dir = TempDir::new("vibes");
    let store = dir.join("mmsc");
    let mmsc = Server::mmsc(
        &store,
        &[
            &CREDENTIALS[..],
            &["--profile", "vibes", "--dlr-after", "1h", "--json"],
        ]
        .concat(),
    );
    assert!(mmsc.url.ends_with("/mms/mm7/submit"), "{}", mmsc.url);
    let dlr = [&CREDENTIALS[..], &["--to", "15551234567", "--dlr"]].concat();

    // With the header, the client's check and the mock both accept it.
    let callback = ["--header", "X-Vibes-DlrCallbackUrl: http://127.0.0.1:1/x"];
    let out = send_hi(&mmsc.url, "vibes", &[&dlr[..], &callback].concat());
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.json()["status_code"], 1000);
    let event = json_line(&mmsc.next_line(WAIT));
    assert_eq!(event["event"], "SubmitReq", "{event}");
    assert_eq!(folders(&store).len(), 1);

    // Without the client's profile the request goes out, and the mock refuses it as Vibes
    // documents: the whole request, with a client error.
    let out = send_unchecked(&mmsc.url, "REL-5-MM7-1-2", "5.3.0", &dlr);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(out.json()["status_code"], 2000, "{}", out.stdout_text());
    assert!(
        out.stderr.contains("X-Vibes-DlrCallbackUrl"),
        "{}",
        out.stderr
    );
    let event = json_line(&mmsc.next_line(WAIT));
    assert_eq!(event["event"], "SubmitRefused", "{event}");
    assert_eq!(event["status_code"], 2000);
    assert_eq!(folders(&store).len(), 1, "a refused request is not stored");
}

#[test]
fn the_mock_mmsc_answers_as_sinch() {
    let dir = TempDir::new("sinch");
    let store = dir.join("mmsc");
    let mmsc = Server::mmsc(
        &store,
        &["--profile", "sinch", "--dlr-after", "1h", "--json"],
    );
    let unchecked = |to: &str| {
        let to = ["--vasp-id", "api-key", "--to", to];
        send_unchecked(&mmsc.url, "REL-6-MM7-1-4", "6.8.0", &to)
    };
    let out = unchecked("+15551234567");
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(out.json()["status_code"], 2002, "{}", out.stdout_text());
    let event = json_line(&mmsc.next_line(WAIT));
    assert_eq!(event["event"], "SubmitRefused", "{event}");
    assert!(folders(&store).is_empty());

    let out = unchecked("15551234567");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.json()["status_code"], 1000);
    assert_eq!(folders(&store).len(), 1);
}

#[test]
fn the_mock_mmsc_stores_the_smil_optus_generates() {
    let dir = TempDir::new("optus");
    let store = dir.join("mmsc");
    let mmsc = Server::mmsc(&store, &["--profile", "optus", "--dlr-after", "1h"]);
    let card = dir.write(
        "card.vcf",
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEND:VCARD\r\n",
    );
    let to = ["--profile", "optus", "--to", "+61412345678", "--text", "hi"];
    let out = send(
        &mmsc.url,
        &[&CREDENTIALS[..], &to, &["--attach", s(&card)]].concat(),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    // The profile reports the partial-compatibility type; `send` does not repeat it.
    let vcard_lines = out
        .stderr
        .lines()
        .filter(|l| l.contains("text/vcard"))
        .count();
    assert_eq!(vcard_lines, 1, "{}", out.stderr);
    let stored = folders(&store);
    assert_eq!(stored.len(), 1, "{stored:?}");
    let smil = std::fs::read_to_string(store.join(&stored[0]).join("attachments/generated.smil"))
        .expect("a generated presentation");
    assert!(
        smil.contains("cid:card.vcf") && smil.contains("cid:text.txt"),
        "{smil}"
    );
}

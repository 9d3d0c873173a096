//! The sending subcommands as operators meet them: no secret printed, credentials from the
//! command line, a file or the environment, 401s that say whether any were sent, and
//! `mm7 report` and `mm7 read-reply` against `mm7 vasp`.

use crate::support::{Output, Server, TempDir, closed_port, run, run_env, s, send};

/// A password no output may contain.
const SECRET: &str = "Sup3r-s3cret-pw";

/// Asserts that `SECRET` appears nowhere in what a run printed.
fn assert_no_secret(out: &Output) {
    assert!(
        !out.stdout_text().contains(SECRET) && !out.stderr.contains(SECRET),
        "the password was printed:\n{}\n{}",
        out.stdout_text(),
        out.stderr
    );
}

fn mmsc_with_secret(dir: &TempDir) -> Server {
    Server::mmsc(&dir.join("mmsc"), &["--user", "vasp", "--password", SECRET])
}

/// `http://vasp:PASSWORD@127.0.0.1:PORT/mm7` for a server's URL.
fn with_userinfo(url: &str, password: &str) -> String {
    url.replacen("http://", &format!("http://vasp:{password}@"), 1)
}

#[test]
fn passwords_in_urls_are_masked_in_errors_and_json() {
    let dir = TempDir::new("mask");
    let mmsc = mmsc_with_secret(&dir);
    // A wrong password in the URL: the refusal names the URL, masked.
    let wrong = format!("{SECRET}-wrong");
    let url = with_userinfo(&mmsc.url, &wrong);
    for json in [false, true] {
        let mut args = vec!["--to", "15551234567", "--text", "hi"];
        if json {
            args.push("--json");
        }
        let out = send(&url, &args);
        out.assert_failed(1, "401 Unauthorized: the credentials sent were refused");
        assert!(
            out.stderr.contains("http://vasp:****@127.0.0.1"),
            "{}",
            out.stderr
        );
        assert_no_secret(&out);
        if json {
            let value = out.json();
            assert_eq!(value["http_status"], 401);
            assert!(
                value["error"].as_str().unwrap().contains("vasp:****@"),
                "{value}"
            );
        }
    }
    // Nothing listening: the connection error names the URL, masked.
    let closed = format!("http://vasp:{SECRET}@127.0.0.1:{}/mm7", closed_port());
    for command in ["send", "cancel", "deliver"] {
        let args: Vec<&str> = match command {
            "send" => vec![
                "send", "--url", &closed, "--from", "1", "--to", "2", "--json",
            ],
            "cancel" => vec!["cancel", "--url", &closed, "--message-id", "m1", "--json"],
            _ => vec![
                "deliver",
                "--url",
                &closed,
                "--from",
                "15551234567",
                "--to",
                "1",
            ],
        };
        let out = run(&args);
        out.assert_failed(1, "cannot connect to http://vasp:****@127.0.0.1:");
        assert_no_secret(&out);
    }
    // The URL's credentials are the right ones: accepted.
    let out = send(
        &with_userinfo(&mmsc.url, SECRET),
        &["--to", "15551234567", "--text", "hi"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_no_secret(&out);
}

#[test]
fn passwords_come_from_a_file_or_the_environment() {
    let dir = TempDir::new("password-sources");
    let mmsc = mmsc_with_secret(&dir);
    let to = ["--to", "15551234567", "--text", "hi"];
    let send_env = |extra: &[&str], env: &[(&str, &str)]| {
        let mut args = vec!["send", "--url", &mmsc.url, "--from", "63901"];
        args.extend_from_slice(&to);
        args.extend_from_slice(extra);
        run_env(&args, env)
    };

    let out = send_env(&["--user", "vasp"], &[("MM7_PASSWORD", SECRET)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout_text().starts_with("1000 "),
        "{}",
        out.stdout_text()
    );

    let file = dir.write("password", format!("{SECRET}\n"));
    let out = send_env(&["--user", "vasp", "--password-file", s(&file)], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // The file wins over the environment.
    let out = send_env(
        &["--user", "vasp", "--password-file", s(&file)],
        &[("MM7_PASSWORD", "other")],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);

    let wrong = dir.write("wrong", format!("{SECRET}x\r\n"));
    let out = send_env(&["--user", "vasp", "--password-file", s(&wrong)], &[]);
    out.assert_failed(1, "the credentials sent were refused");
    assert_no_secret(&out);

    let out = send_env(&["--user", "vasp"], &[]);
    out.assert_bad_input("error: --user vasp needs a password");
    assert!(out.stderr.contains("MM7_PASSWORD"), "{}", out.stderr);

    let out = send_env(&["--password", "x"], &[]);
    out.assert_bad_input("error: a password needs --user");

    let out = send_env(
        &["--user", "vasp", "--password-file", s(&dir.join("missing"))],
        &[],
    );
    out.assert_bad_input("error: cannot read ");
}

#[test]
fn a_401_says_whether_credentials_were_sent() {
    let dir = TempDir::new("401");
    let mmsc = mmsc_with_secret(&dir);
    let out = send(&mmsc.url, &["--to", "15551234567", "--text", "hi"]);
    out.assert_failed(
        1,
        "401 Unauthorized: the peer asks for credentials and none were sent",
    );
    assert!(!out.stderr.contains("refused"), "{}", out.stderr);
    assert!(
        out.stderr.contains("give them with --user"),
        "{}",
        out.stderr
    );

    let out = send(
        &mmsc.url,
        &[
            "--to",
            "15551234567",
            "--text",
            "hi",
            "--user",
            "vasp",
            "--password",
            "nope",
        ],
    );
    out.assert_failed(1, "401 Unauthorized: the credentials sent were refused");
    assert!(out.stderr.contains("check --user"), "{}", out.stderr);
}

#[test]
fn report_and_read_reply_reach_the_vasp() {
    let dir = TempDir::new("report");
    let vasp = Server::vasp(&dir.join("vasp"), &["--user", "mmsc", "--password", SECRET]);
    let common = |command: &'static str| {
        vec![
            command,
            "--url",
            vasp.url.as_str(),
            "--user",
            "mmsc",
            "--message-id",
            "mmsc-000042",
            "--recipient",
            "15551234567",
            "--sender",
            "63901",
        ]
    };
    let env = [("MM7_PASSWORD", SECRET)];

    let mut args = common("report");
    args.extend(["--status", "rejected", "--status-text", "handset full"]);
    let out = run_env(&args, &env);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout_text()
            .starts_with("1000 Success: the VASP accepted the delivery report (TransactionID "),
        "{}",
        out.stdout_text()
    );
    let seen = crate::support::json_line(&vasp.next_line(std::time::Duration::from_secs(10)));
    assert_eq!(seen["message"], "DeliveryReportReq");
    assert_eq!(seen["body"]["MessageID"], "mmsc-000042");
    assert_eq!(seen["body"]["MMStatus"], "Rejected");
    assert_eq!(seen["body"]["StatusText"], "handset full");
    assert_eq!(seen["body"]["Recipient"]["Number"], "15551234567");
    assert_eq!(seen["body"]["Sender"]["ShortCode"], "63901");

    let mut args = common("read-reply");
    args.extend([
        "--json",
        "--transaction-id",
        "rr-1",
        "--date",
        "2026-12-03T09:00:00Z",
    ]);
    let out = run_env(&args, &env);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let value = out.json();
    assert_eq!(value["ok"], true);
    assert_eq!(value["status_code"], 1000);
    assert_eq!(value["transaction_id"], "rr-1");
    assert_eq!(value["tries"], 1);
    assert_eq!(value["warnings"], serde_json::json!([]));
    let seen = crate::support::json_line(&vasp.next_line(std::time::Duration::from_secs(10)));
    assert_eq!(seen["message"], "ReadReplyReq");
    assert_eq!(seen["transaction_id"], "rr-1");
    assert_eq!(seen["body"]["MMStatus"], "Read");
    assert_eq!(seen["body"]["TimeStamp"], "2026-12-03T09:00:00Z");

    // Refused: exit status 1, as for deliver.
    let mut args = common("report");
    args.retain(|a| *a != "--user" && *a != "mmsc");
    let out = run(&args);
    out.assert_failed(1, "none were sent");
    // A status of the other kind is bad input.
    let mut args = common("read-reply");
    args.extend(["--status", "Retrieved"]);
    let out = run_env(&args, &env);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("expected one of Read, Deleted, Indeterminate"),
        "{}",
        out.stderr
    );
    // Nothing listening, two tries: each failure said, then exit status 1.
    let closed = format!("http://127.0.0.1:{}/mm7", closed_port());
    let out = run(&[
        "report",
        "--url",
        &closed,
        "--message-id",
        "m",
        "--recipient",
        "1555",
        "--sender",
        "63901",
        "--tries",
        "2",
        "--retry-interval",
        "10ms",
    ]);
    out.assert_failed(1, "cannot connect to");
    assert!(
        out.stderr.contains("warning: a try failed"),
        "{}",
        out.stderr
    );
}

#[test]
fn help_lists_the_new_commands() {
    let out = run(&["--help"]);
    assert_eq!(out.code, 0);
    let text = out.stdout_text();
    for needle in [
        "report ",
        "read-reply ",
        "mm7 report --url",
        "mm7 read-reply --url",
    ] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
    let out = run(&["send", "--help"]);
    let text = out.stdout_text();
    for needle in ["--password-file", "MM7_PASSWORD"] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
}

#[test]
fn diagnostics_follow_v_and_rust_log_as_plain_text_without_secrets() {
    let url = with_userinfo(&format!("http://127.0.0.1:{}/mm7", closed_port()), SECRET);
    let args = [
        "send",
        "--url",
        &url,
        "--from",
        "63901",
        "--to",
        "15551234567",
        "--text",
        "hi",
    ];
    // Errors only by default: the exchange's debug events are not printed.
    let quiet = run(&args);
    assert_eq!(quiet.code, 1, "{}", quiet.stderr);
    assert!(!quiet.stderr.contains("DEBUG"), "{}", quiet.stderr);
    let verbose = run(&[&args[..], &["-vv"]].concat());
    assert!(verbose.stderr.contains("DEBUG"), "{}", verbose.stderr);
    let from_env = run_env(&args, &[("RUST_LOG", "mm7_transport=debug")]);
    assert!(from_env.stderr.contains("DEBUG"), "{}", from_env.stderr);
    for out in [&verbose, &from_env] {
        assert!(
            !out.stderr.contains('\u{1b}'),
            "colours in a pipe: {}",
            out.stderr
        );
        assert_no_secret(out);
    }
}

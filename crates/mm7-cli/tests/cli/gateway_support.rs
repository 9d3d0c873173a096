//! Running `mm7 gateway` for a test ([`GatewayRun`]), and what the gateway tests share: a
//! PostgreSQL database of their own, a webhook receiver that checks signatures, the rows an
//! `mm7 mmsc` stored.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use crate::support::{Output, Server, TempDir, closed_port, run, run_for, s, skipped};

/// The webhook signing secret of the tests.
pub(crate) const SECRET: &str = "webhook-secret";

/// How one `mm7 gateway` is started: on a 127.0.0.1 port picked when the run is made, with its
/// data in `DIR/gw`, and whatever the test adds. Kept, it starts the same gateway
/// again (same ports, same data) after a kill.
///
/// Without a configuration, everything is a flag: `--listen`, `--data-dir`, and (when asked
/// for) `--mmsc-url`, `--mm7-listen`, `--database`. With [`GatewayRun::with_config`], the
/// addresses and the data directory are written in the file's `[gateway]` table instead; with
/// [`GatewayRun::with_config_file`], a file the test wrote is read and they stay flags (as for
/// several nodes sharing one file).
#[derive(Debug)]
pub(crate) struct GatewayRun {
    dir: PathBuf,
    api: u16,
    mm7: Option<u16>,
    data: String,
    mmsc_url: Option<String>,
    database: Option<String>,
    config: Config,
    args: Vec<String>,
}

/// Where the gateway's configuration comes from.
#[derive(Debug)]
enum Config {
    /// Flags only.
    Flags,
    /// `DIR/gateway.toml`, written from a `[gateway]` table (the addresses and the data
    /// directory) followed by this text.
    Written(String),
    /// A file of the test's, the addresses and data directory as flags.
    File(PathBuf),
}

impl GatewayRun {
    /// A gateway whose files (its data directory, a configuration written for it) go in `dir`.
    pub(crate) fn new(dir: &TempDir) -> GatewayRun {
        GatewayRun {
            dir: dir.path().to_owned(),
            api: closed_port(),
            mm7: None,
            data: "gw".to_owned(),
            mmsc_url: None,
            database: None,
            config: Config::Flags,
            args: Vec::new(),
        }
    }

    /// The API on `port` (0: one the system picks, read from the gateway's start line).
    pub(crate) fn with_api_port(mut self, port: u16) -> GatewayRun {
        self.api = port;
        self
    }

    /// An MM7 endpoint (delivery reports, incoming messages) on a port picked now.
    pub(crate) fn with_mm7_listen(mut self) -> GatewayRun {
        self.mm7 = Some(closed_port());
        self
    }

    /// The data directory `DIR/NAME` instead of `DIR/gw`.
    pub(crate) fn with_data_dir(mut self, name: &str) -> GatewayRun {
        name.clone_into(&mut self.data);
        self
    }

    /// One account, submitting to `url` (`--mmsc-url`).
    pub(crate) fn with_mmsc_url(mut self, url: &str) -> GatewayRun {
        self.mmsc_url = Some(url.to_owned());
        self
    }

    /// The queue in `url` (`--database`), e.g. a PostgreSQL one several gateways share.
    pub(crate) fn with_database(mut self, url: &str) -> GatewayRun {
        self.database = Some(url.to_owned());
        self
    }

    /// Signed webhooks to `url`, with [`SECRET`] written to `DIR/secret`
    /// (`--webhook-url`, `--webhook-secret-file`).
    pub(crate) fn with_webhook(self, url: &str) -> GatewayRun {
        let secret = self.dir.join("secret");
        std::fs::write(&secret, SECRET).expect("write the webhook secret");
        self.with_args(&["--webhook-url", url, "--webhook-secret-file", s(&secret)])
    }

    /// A configuration file `DIR/gateway.toml`: a `[gateway]` table with the API address,
    /// the MM7 address (if any) and the data directory, then `toml`, whose lines before its
    /// first table belong to that `[gateway]` table.
    pub(crate) fn with_config(mut self, toml: &str) -> GatewayRun {
        self.config = Config::Written(toml.to_owned());
        self
    }

    /// The configuration file `path`, the addresses and data directory given as flags.
    pub(crate) fn with_config_file(mut self, path: &Path) -> GatewayRun {
        self.config = Config::File(path.to_owned());
        self
    }

    /// More arguments, after the others.
    pub(crate) fn with_args(mut self, args: &[&str]) -> GatewayRun {
        self.args.extend(args.iter().map(|a| (*a).to_owned()));
        self
    }

    /// The port of the API, picked when the run was made.
    pub(crate) fn api_port(&self) -> u16 {
        self.api
    }

    /// The port of the MM7 endpoint.
    pub(crate) fn mm7_port(&self) -> u16 {
        self.mm7.expect("an MM7 endpoint (with_mm7_listen)")
    }

    /// The URL of the MM7 endpoint, where an MMSC sends delivery reports.
    pub(crate) fn mm7_url(&self) -> String {
        format!("http://127.0.0.1:{}/mm7", self.mm7_port())
    }

    /// Writes the configuration file of [`GatewayRun::with_config`] and gives its path.
    pub(crate) fn write_config(&self) -> PathBuf {
        let Config::Written(toml) = &self.config else {
            panic!("no configuration to write (with_config)");
        };
        let mut text = format!("[gateway]\nlisten = \"127.0.0.1:{}\"\n", self.api);
        if let Some(port) = self.mm7 {
            text.push_str(&format!("mm7_listen = \"127.0.0.1:{port}\"\n"));
        }
        text.push_str(&format!("data_dir = \"{}\"\n", self.data));
        text.push_str(toml);
        let path = self.dir.join("gateway.toml");
        std::fs::write(&path, text).expect("write the gateway's configuration");
        path
    }

    /// The arguments of `mm7`: `gateway` and the rest.
    fn command_line(&self) -> Vec<String> {
        let mut args = vec!["gateway".to_owned()];
        let mut flag = |name: &str, value: String| args.extend([name.to_owned(), value]);
        if let Config::Written(_) = self.config {
            flag("--config", s(&self.write_config()).to_owned());
        } else {
            if let Config::File(path) = &self.config {
                flag("--config", s(path).to_owned());
            }
            flag("--listen", format!("127.0.0.1:{}", self.api));
            if let Some(port) = self.mm7 {
                flag("--mm7-listen", format!("127.0.0.1:{port}"));
            }
            flag("--data-dir", s(&self.dir.join(&self.data)).to_owned());
        }
        if let Some(url) = &self.mmsc_url {
            flag("--mmsc-url", url.clone());
        }
        if let Some(url) = &self.database {
            flag("--database", url.clone());
        }
        args.extend(self.args.iter().cloned());
        args
    }

    /// Starts the gateway and waits (10 s at most) for its start line.
    pub(crate) fn start(&self) -> Gateway {
        let args = self.command_line();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let server = Server::start(&args);
        let api = server
            .url
            .strip_prefix("http://127.0.0.1:")
            .and_then(|rest| rest.split('/').next())
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("the API's address in {}", server.url));
        if self.api != 0 {
            assert_eq!(api, self.api, "the API's port in {}", server.url);
        }
        Gateway {
            server,
            api,
            mm7: self.mm7,
        }
    }

    /// Runs the gateway as a command that must end by itself within `limit` (one refused at
    /// its start), and gives what it left.
    pub(crate) fn run_for(&self, limit: Duration) -> Output {
        let args = self.command_line();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_for(&args, limit)
    }
}

/// A running `mm7 gateway` (a [`Server`], killed on drop) and its ports.
pub(crate) struct Gateway {
    server: Server,
    /// The port of the JSON API (and of the inbox, and of `/metrics`).
    pub(crate) api: u16,
    mm7: Option<u16>,
}

impl Gateway {
    /// The URL of the MM7 endpoint, where an MMSC sends delivery reports.
    pub(crate) fn mm7_url(&self) -> String {
        let port = self.mm7.expect("an MM7 endpoint (with_mm7_listen)");
        format!("http://127.0.0.1:{port}/mm7")
    }

    /// Sends `text` from the subscriber 15551234567 to `to` at the MM7 endpoint, as an MMSC
    /// would (`mm7 deliver`).
    pub(crate) fn deliver(&self, to: &str, text: &str) -> Output {
        let url = self.mm7_url();
        run(&[
            "deliver",
            "--url",
            &url,
            "--from",
            "15551234567",
            "--to",
            to,
            "--text",
            text,
        ])
    }

    /// Sends a delivery report (`Retrieved`, for the subscriber 15551234567) for `message_id`
    /// to the MM7 endpoint, as an MMSC would (`mm7 report`), and checks it was answered 1000.
    pub(crate) fn report_retrieved(&self, message_id: &str) {
        let out = run(&[
            "report",
            "--url",
            &self.mm7_url(),
            "--message-id",
            message_id,
            "--recipient",
            "15551234567",
            "--sender",
            "63901",
            "--status",
            "Retrieved",
        ]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(
            out.stdout_text().starts_with("1000 "),
            "{}",
            out.stdout_text()
        );
    }
}

impl Deref for Gateway {
    type Target = Server;

    fn deref(&self) -> &Server {
        &self.server
    }
}

impl DerefMut for Gateway {
    fn deref_mut(&mut self) -> &mut Server {
        &mut self.server
    }
}

/// The PostgreSQL server of `MM7_TEST_POSTGRES_URL`; without one, says loudly that `test` did
/// not run (failing under CI) and gives `None`.
pub(crate) fn postgres(test: &str) -> Option<String> {
    let admin = std::env::var("MM7_TEST_POSTGRES_URL").ok();
    if admin.is_none() {
        skipped(
            test,
            "MM7_TEST_POSTGRES_URL (a PostgreSQL server; .ci/run installs and starts one)",
        );
    }
    admin
}

/// A database of its own on the PostgreSQL server of `MM7_TEST_POSTGRES_URL`, dropped on drop.
pub(crate) struct Database {
    admin: String,
    name: String,
    pub(crate) url: String,
}

impl Database {
    pub(crate) fn create(admin: &str) -> Database {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!("mm7_gw_{}_{nanos}", std::process::id());
        psql(admin, &format!("CREATE DATABASE {name}"));
        let base = admin.rsplit_once('/').map_or(admin, |(base, _)| base);
        Database {
            admin: admin.to_owned(),
            url: format!("{base}/{name}"),
            name,
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let _ = std::process::Command::new("psql")
            .args([
                &self.admin,
                "-c",
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            ])
            .output();
    }
}

fn psql(url: &str, sql: &str) {
    let out = std::process::Command::new("psql")
        .args([url, "-v", "ON_ERROR_STOP=1", "-c", sql])
        .output()
        .expect("psql (apt-get install postgresql-client)");
    assert!(
        out.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A webhook receiver on a free port: each POST's `X-Mm7-Signature` and body, answered 200.
pub(crate) fn webhook_receiver() -> (u16, Receiver<(String, String)>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let (mut length, mut signature, mut whole) = (0usize, String::new(), false);
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                if line == "\r\n" {
                    whole = true;
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                if lower.starts_with("x-mm7-signature:") {
                    signature = line["x-mm7-signature:".len()..].trim().to_owned();
                }
            }
            // A sender killed before its request was whole: nothing received.
            let mut body = vec![0; length];
            if !whole || reader.read_exact(&mut body).is_err() {
                continue;
            }
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            if tx
                .send((signature, String::from_utf8_lossy(&body).into_owned()))
                .is_err()
            {
                return;
            }
        }
    });
    (port, rx)
}

/// Checks `t=…,v1=…` against an HMAC-SHA256 of `t.body` computed here.
pub(crate) fn signed(signature: &str, body: &str) -> bool {
    let Some((t, v1)) = signature
        .strip_prefix("t=")
        .and_then(|rest| rest.split_once(",v1="))
    else {
        return false;
    };
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(SECRET.as_bytes()).expect("key");
    mac.update(format!("{t}.{body}").as_bytes());
    hex::decode(v1).is_ok_and(|tag| mac.verify_slice(&tag).is_ok())
}

/// The messages an `mm7 mmsc` store holds (`mm7 store list --json`), in order.
pub(crate) fn mmsc_rows(store: &Path) -> Vec<Value> {
    let listed = run(&["store", "list", s(store), "--json"]);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    listed
        .stdout_text()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

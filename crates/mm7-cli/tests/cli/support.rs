//! Running the built `mm7` binary with a time bound, and temporary directories.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

/// What a finished run left.
#[derive(Debug)]
pub(crate) struct Output {
    pub(crate) code: i32,
    pub(crate) stdout: Vec<u8>,
    pub(crate) stderr: String,
}

impl Output {
    pub(crate) fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout_text()))
    }

    /// Asserts that the run was refused as bad input: exit status 2, nothing on standard
    /// output, and standard error starting with `prefix`.
    pub(crate) fn assert_bad_input(&self, prefix: &str) {
        assert_eq!(self.code, 2, "{}", self.stderr);
        assert!(self.stdout.is_empty(), "{}", self.stdout_text());
        assert!(self.stderr.starts_with(prefix), "{}", self.stderr);
    }

    /// Asserts that the run exited with `code` and said `needle` on standard error.
    pub(crate) fn assert_failed(&self, code: i32, needle: &str) {
        assert_eq!(self.code, code, "{}", self.stderr);
        assert!(self.stderr.contains(needle), "{}", self.stderr);
    }
}

/// A line of a server's standard output, as the JSON it must be.
pub(crate) fn json_line(line: &str) -> serde_json::Value {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"))
}

/// The names in the folder `dir`, which must exist, sorted. For a store folder (of `mm7 mmsc`
/// or `mm7 vasp`), each message is first exported with `mm7 store export` into a folder of
/// that store named `NNNN-Operation`, and those names are returned.
pub(crate) fn folders(dir: &Path) -> Vec<String> {
    if dir.join("mm7.sqlite3").is_file() {
        let out = run(&["store", "list", s(dir), "--json"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        return out
            .stdout_text()
            .lines()
            .map(|line| {
                let message = json_line(line);
                let id = message["id"].as_i64().expect("an id");
                let name = format!("{id:04}-{}", message["operation"].as_str().unwrap());
                export(dir, id, &dir.join(&name));
                name
            })
            .collect();
    }
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Exports the message `id` of the store `dir` into `out` with `mm7 store export`, and gives
/// `out`.
pub(crate) fn export(dir: &Path, id: i64, out: &Path) -> PathBuf {
    let done = run(&["store", "export", s(dir), &id.to_string(), s(out)]);
    assert_eq!(done.code, 0, "{}", done.stderr);
    out.to_owned()
}

/// Exports the message a server's event names by its `id` into a folder beside the store.
pub(crate) fn exported(dir: &Path, event: &serde_json::Value) -> PathBuf {
    let id = event["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no id in {event}"));
    export(dir, id, &dir.with_extension(format!("export-{id}")))
}

/// Whether a server's output line reports an answer (`Answered`), which the tests reading the
/// servers' own events pass over.
fn is_answer_line(line: &str) -> bool {
    line.contains(" → HTTP ")
        || serde_json::from_str::<serde_json::Value>(line).is_ok_and(|v| v["event"] == "Answered")
}

/// The `mm7` command, with no user data directory of its own.
pub(crate) fn mm7() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mm7"));
    command
        .env_remove("XDG_DATA_HOME")
        .env_remove("MM7_PASSWORD")
        // No inbox on its fixed default port, which servers started together would share;
        // the inbox tests ask for one with `--ui`.
        .env("MM7_UI", "off")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Runs `mm7 ARGS`, killing it after `limit`.
pub(crate) fn run_for(args: &[&str], limit: Duration) -> Output {
    let child = mm7().args(args).spawn().expect("spawn mm7");
    wait(child, limit)
}

/// Runs `mm7 ARGS` with the environment variables `env` set, for at most 30 seconds.
pub(crate) fn run_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let child = mm7()
        .args(args)
        .envs(env.iter().copied())
        .spawn()
        .expect("spawn mm7");
    wait(child, Duration::from_secs(30))
}

/// Runs `mm7 ARGS` for at most 30 seconds.
pub(crate) fn run(args: &[&str]) -> Output {
    run_for(args, Duration::from_secs(30))
}

/// The credentials the tests give a mock MMSC and its clients.
pub(crate) const CREDENTIALS: [&str; 4] = ["--user", "vasp", "--password", "s3cret"];

/// Runs `mm7 send --url URL --from 63901 ARGS`: a VASP's short code sending.
pub(crate) fn send(url: &str, args: &[&str]) -> Output {
    let mut all = vec!["send", "--url", url, "--from", "63901"];
    all.extend_from_slice(args);
    run(&all)
}

/// Waits for a child, reading its output, and kills it after `limit`.
pub(crate) fn wait(mut child: Child, limit: Duration) -> Output {
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let err = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "mm7 did not finish within {limit:?}: {}",
                err.join().unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        code: status.code().unwrap_or(-1),
        stdout: out.join().expect("stdout reader"),
        stderr: err.join().expect("stderr reader"),
    }
}

/// The workspace's `tests/vectors`.
pub(crate) fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors")
}

/// Every `NAME.http` vector, sorted.
pub(crate) fn vectors() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(vectors_dir())
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

/// A directory under the system's temporary directory, removed on drop.
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    pub(crate) fn new(label: &str) -> TempDir {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("mm7-cli-test-{}-{label}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }

    pub(crate) fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Writes the file `name` in the directory, and gives its path.
    pub(crate) fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.join(name);
        std::fs::write(&path, contents).expect("write a test file");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A path as the `&str` an argument list wants.
pub(crate) fn s(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// A long-running `mm7 mmsc` or `mm7 vasp`, killed on drop.
pub(crate) struct Server {
    child: Child,
    pub(crate) url: String,
    stdout: Receiver<String>,
    /// Kept so that standard error is read for as long as the server runs: a server whose
    /// standard error is closed fails its writes there.
    stderr: Receiver<String>,
}

impl Server {
    /// Starts `mm7 mmsc` on a free 127.0.0.1 port, storing in `store`, with `args`.
    pub(crate) fn mmsc(store: &Path, args: &[&str]) -> Server {
        Server::on_free_port("mmsc", store, args)
    }

    /// Starts `mm7 vasp` on a free 127.0.0.1 port, storing in `store`, with `args`.
    pub(crate) fn vasp(store: &Path, args: &[&str]) -> Server {
        Server::on_free_port("vasp", store, args)
    }

    fn on_free_port(command: &str, store: &Path, args: &[&str]) -> Server {
        let mut all = vec![command, "--listen", "127.0.0.1:0", "--store", s(store)];
        all.extend_from_slice(args);
        Server::start(&all)
    }

    /// Starts `mm7 ARGS` and waits (10 s at most) for its `listening on URL` line.
    pub(crate) fn start(args: &[&str]) -> Server {
        Server::spawned(mm7().args(args).spawn().expect("spawn mm7"), args)
    }

    /// Starts `mm7 ARGS` as [`Server::start`], but with the inbox where the command puts it
    /// by default (`MM7_UI` unset).
    pub(crate) fn start_with_default_inbox(args: &[&str]) -> Server {
        let child = mm7()
            .env_remove("MM7_UI")
            .args(args)
            .spawn()
            .expect("spawn mm7");
        Server::spawned(child, args)
    }

    /// The next line on standard error after the start line, if one comes within `limit`.
    pub(crate) fn stderr_line(&self, limit: Duration) -> Option<String> {
        self.stderr.recv_timeout(limit).ok()
    }

    /// Starts `PROGRAM ARGS` (which runs `mm7`, e.g. through a shell) as [`Server::start`].
    pub(crate) fn start_command(program: &str, args: &[&str]) -> Server {
        let child = Command::new(program)
            .args(args)
            .env("MM7_UI", "off")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        Server::spawned(child, args)
    }

    fn spawned(mut child: Child, args: &[&str]) -> Server {
        let stdout = lines_of(child.stdout.take().expect("piped stdout"));
        let stderr = lines_of(child.stderr.take().expect("piped stderr"));
        let mut server = Server {
            child,
            url: String::new(),
            stdout,
            stderr,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut seen = Vec::new();
        while server.url.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            match server.stderr.recv_timeout(left) {
                Ok(line) => {
                    if let Some(rest) = line.split(" listening on ").nth(1) {
                        server.url = rest
                            .split_whitespace()
                            .next()
                            .unwrap_or_default()
                            .to_owned();
                    }
                    seen.push(line);
                }
                Err(_) => panic!("mm7 {args:?} did not start: {seen:?}"),
            }
        }
        server
    }

    /// The next line on standard output that is not an answer line, waiting at most
    /// `limit`.
    pub(crate) fn next_line(&self, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let line = self.next_any_line(deadline.saturating_duration_since(Instant::now()));
            if !is_answer_line(&line) {
                return line;
            }
        }
    }

    /// The next line on standard output if one is there already.
    pub(crate) fn try_line(&self) -> Result<String, std::sync::mpsc::TryRecvError> {
        self.stdout.try_recv()
    }

    /// The next line on standard output, answer lines included, waiting at most `limit`.
    pub(crate) fn next_any_line(&self, limit: Duration) -> String {
        self.stdout
            .recv_timeout(limit)
            .unwrap_or_else(|_| panic!("no output from the server within {limit:?}"))
    }

    /// The next `n` lines on standard output, waiting at most `limit` in all.
    pub(crate) fn lines(&self, n: usize, limit: Duration) -> Vec<String> {
        let deadline = Instant::now() + limit;
        (0..n)
            .map(|_| self.next_line(deadline.saturating_duration_since(Instant::now())))
            .collect()
    }
}

impl Server {
    /// Kills the server with SIGKILL (no chance to finish anything) and waits for it.
    pub(crate) fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The server's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits (at most `limit`) for the server to exit by itself, and gives its exit status.
    pub(crate) fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The lines `reader` gives, read on a thread of their own until it ends.
fn lines_of(reader: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(reader).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// A 127.0.0.1 port nothing listens on (bound, then released), never one this process
/// handed out before: the system may give a port just released to the next bind, and two
/// calls in a row then named the same port (a gateway told to listen on it twice).
pub(crate) fn closed_port() -> u16 {
    static HANDED_OUT: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    let mut handed_out = HANDED_OUT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    // A port given out before stays bound until a new one is found, so that the system
    // picks another.
    let mut held = Vec::new();
    loop {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        if !handed_out.contains(&port) {
            handed_out.push(port);
            return port;
        }
        held.push(listener);
    }
}

/// Says loudly that a test (or part of one) did not run for lack of `what`; fails under CI.
#[allow(clippy::print_stderr)] // the SKIPPED line is the point: it must be seen
pub(crate) fn skipped(test: &str, what: &str) {
    eprintln!("SKIPPED {test}: {what}");
    assert!(
        std::env::var_os("CI").is_none(),
        "{test} needs {what} under CI"
    );
}

/// Waits until something listens on 127.0.0.1:`port` (10 s at most); `what` names it.
pub(crate) fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} on {port} did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}

//! The pages in a real browser: headless Chromium driven over the W3C WebDriver protocol
//! (plain JSON over HTTP to chromedriver on loopback), shared by the mock MMSC's inbox test and
//! the gateway's.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

use crate::support::{closed_port, skipped, wait_for_port};

/// Chromium and chromedriver, found on the PATH.
pub(crate) struct Programs {
    chromium: PathBuf,
    chromedriver: PathBuf,
}

/// Chromium and chromedriver on the PATH, or `None` once `test` has said loudly that it
/// skipped (which fails under CI).
pub(crate) fn programs(test: &str) -> Option<Programs> {
    let (Some(chromium), Some(chromedriver)) = (
        program(&["chromium", "chromium-browser", "google-chrome"]),
        program(&["chromedriver"]),
    ) else {
        skipped(
            test,
            "chromium and chromedriver (apt-get install chromium chromium-driver)",
        );
        return None;
    };
    Some(Programs {
        chromium,
        chromedriver,
    })
}

/// The runtime a browser test drives its WebDriver client on.
pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

/// A program on the PATH.
fn program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// chromedriver, killed when dropped.
struct Chromedriver(Child);

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A headless Chromium driven over WebDriver (fantoccini), saving screenshots in `shots`.
pub(crate) struct Browser {
    pub(crate) client: Client,
    shots: PathBuf,
    _driver: Chromedriver,
}

impl Browser {
    /// Starts chromedriver on a free loopback port and opens a headless Chromium session
    /// through it; screenshots go to [`screenshots`].
    pub(crate) async fn start(programs: &Programs) -> Browser {
        let port = closed_port();
        let driver = Chromedriver(
            Command::new(&programs.chromedriver)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start chromedriver"),
        );
        wait_for_port(port, "chromedriver");
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": programs.chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1280,900"]
            },
            "timeouts": {"script": 10_000, "pageLoad": 20_000}
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!("a JSON object")
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a WebDriver session");
        Browser {
            client,
            shots: screenshots(),
            _driver: driver,
        }
    }

    pub(crate) async fn script(&self, script: &str) -> Value {
        self.client
            .execute(script, Vec::new())
            .await
            .unwrap_or_else(|e| panic!("{script}: {e}"))
    }

    /// Polls `script` until it returns true (15 s at most).
    pub(crate) async fn until(&self, what: &str, script: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while self.script(script).await != json!(true) {
            if Instant::now() > deadline {
                self.screenshot("failed").await;
                panic!("{what} did not happen");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub(crate) async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    pub(crate) async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("a screenshot");
        std::fs::create_dir_all(&self.shots).expect("screenshot folder");
        std::fs::write(self.shots.join(format!("{name}.png")), png).expect("write a screenshot");
    }

    pub(crate) async fn close(self) {
        let _ = self.client.close().await;
    }
}

/// Where the screenshots go: target/ui-screenshots.
fn screenshots() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/ui-screenshots")
}

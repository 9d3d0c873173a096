//! The configuration file (`mm7 gateway --config FILE`): TOML, every key known (a misspelt
//! one is an error naming it and its line), secrets read from files or the environment, never
//! written in it.
//!
//! ```toml
//! [gateway]
//! listen = "127.0.0.1:8080"
//! mm7_listen = "0.0.0.0:8081"
//! data_dir = "/var/lib/mm7-gateway"
//!
//! [[account]]
//! name = "us"
//! url = "https://mmsc.example.com/mm7"
//! user = "vasp"
//! password_env = "US_MMSC_PASSWORD"
//! profile = "vibes"
//! tps = 5
//!
//! [[route]]
//! prefix = "+1"
//! account = "us"
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::config::{Account, GatewayConfig, MoParts, MoRoute, Route, Webhook};
use crate::error::GatewayError;

/// The file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    gateway: Option<GatewaySection>,
    #[serde(default)]
    account: Vec<AccountSection>,
    #[serde(default)]
    route: Vec<RouteSection>,
    webhook: Option<WebhookSection>,
    #[serde(default)]
    mo_route: Vec<MoRouteSection>,
    attachments: Option<AttachmentsSection>,
    mo: Option<MoSection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AttachmentsSection {
    max_size: Option<usize>,
    connect_timeout: Option<String>,
    timeout: Option<String>,
    max_redirects: Option<u32>,
    allow_private_addresses: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MoSection {
    parts: Option<String>,
    inline_max: Option<usize>,
    public_url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct GatewaySection {
    listen: Option<SocketAddr>,
    mm7_listen: Option<SocketAddr>,
    mm7_user: Option<String>,
    mm7_password_file: Option<PathBuf>,
    mm7_password_env: Option<String>,
    data_dir: Option<PathBuf>,
    database: Option<String>,
    database_env: Option<String>,
    database_ca_certificate: Option<PathBuf>,
    database_client_certificate: Option<PathBuf>,
    database_client_key: Option<PathBuf>,
    default_account: Option<String>,
    inbox: Option<bool>,
    unmatched_report_retention: Option<String>,
    retention: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountSection {
    name: String,
    url: String,
    user: Option<String>,
    password_file: Option<PathBuf>,
    password_env: Option<String>,
    profile: Option<String>,
    vasp_id: Option<String>,
    vas_id: Option<String>,
    tps: Option<f64>,
    max_in_flight: Option<usize>,
    max_tries: Option<u32>,
    retry_initial: Option<String>,
    max_backoff: Option<String>,
    expiry: Option<String>,
    timeout: Option<String>,
    namespace: Option<String>,
    mm7_version: Option<String>,
    client_certificate: Option<PathBuf>,
    client_key: Option<PathBuf>,
    ca_certificate: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RouteSection {
    prefix: String,
    account: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WebhookSection {
    url: String,
    secret_file: Option<PathBuf>,
    secret_env: Option<String>,
    max_tries: Option<u32>,
    expiry: Option<String>,
    timeout: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MoRouteSection {
    short_code: Option<String>,
    keyword: Option<String>,
    webhook_url: String,
}

/// Where the gateway keeps its data when the file names no `data_dir` nor `database`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FileDefaults {
    /// The API's address.
    pub listen: SocketAddr,
    /// The data directory.
    pub data_dir: PathBuf,
}

impl FileDefaults {
    /// `listen` and `data_dir` for a file that names neither.
    pub fn new(listen: SocketAddr, data_dir: PathBuf) -> FileDefaults {
        FileDefaults { listen, data_dir }
    }
}

fn config_error(text: String) -> GatewayError {
    GatewayError::Config(text)
}

/// A duration ([`crate::parse_duration`]), its error naming `what` it is for.
fn duration(text: &str, what: &str) -> Result<Duration, GatewayError> {
    crate::parse_duration(text).map_err(|e| config_error(format!("{what}: {e}")))
}

/// The first line of a secret file, relative to the configuration's directory.
fn secret_file(base: &Path, path: &Path, what: &str) -> Result<String, GatewayError> {
    let path = base.join(path);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| config_error(format!("{what}: cannot read {}: {e}", path.display())))?;
    let line = text
        .lines()
        .next()
        .unwrap_or_default()
        .trim_end()
        .to_owned();
    if line.is_empty() {
        return Err(config_error(format!("{what}: {} is empty", path.display())));
    }
    Ok(line)
}

/// How the environment is read (the process's, or a test's).
type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// A secret from a file or an environment variable (one of them).
fn secret(
    base: &Path,
    file: Option<&Path>,
    env: Option<&str>,
    what: &str,
    vars: Env<'_>,
) -> Result<Option<String>, GatewayError> {
    match (file, env) {
        (Some(_), Some(_)) => Err(config_error(format!(
            "{what}: give a file or an environment variable, not both"
        ))),
        (Some(path), None) => secret_file(base, path, what).map(Some),
        (None, Some(name)) => match vars(name) {
            Some(value) if !value.is_empty() => Ok(Some(value)),
            _ => Err(config_error(format!(
                "{what}: the environment variable {name} is not set"
            ))),
        },
        (None, None) => Ok(None),
    }
}

fn read_file(base: &Path, path: &Path, what: &str) -> Result<Vec<u8>, GatewayError> {
    let path = base.join(path);
    std::fs::read(&path)
        .map_err(|e| config_error(format!("{what}: cannot read {}: {e}", path.display())))
}

impl AccountSection {
    fn resolve(self, base: &Path, vars: Env<'_>) -> Result<Account, GatewayError> {
        let what = format!("account {:?}", self.name);
        let mut account = Account::named(self.name, self.url);
        let password = secret(
            base,
            self.password_file.as_deref(),
            self.password_env.as_deref(),
            &format!("{what}: password"),
            vars,
        )?;
        account.credentials = match (self.user, password) {
            (Some(user), Some(password)) => Some((user, password)),
            (None, None) => None,
            (Some(_), None) => {
                return Err(config_error(format!(
                    "{what}: `user` needs `password_file` or `password_env`"
                )));
            }
            (None, Some(_)) => {
                return Err(config_error(format!("{what}: a password needs a `user`")));
            }
        };
        if let Some(profile) = self.profile {
            account.profile = Some(
                profile
                    .parse()
                    .map_err(|e| config_error(format!("{what}: {e}")))?,
            );
        }
        account.vasp_id = self.vasp_id;
        account.vas_id = self.vas_id;
        if let Some(tps) = self.tps {
            account.tps = tps;
        }
        if let Some(n) = self.max_in_flight {
            account.max_in_flight = n.max(1);
        }
        if let Some(n) = self.max_tries {
            account.max_tries = n.max(1);
        }
        for (text, field, name) in [
            (
                &self.retry_initial,
                &mut account.retry_initial,
                "retry_initial",
            ),
            (&self.max_backoff, &mut account.max_backoff, "max_backoff"),
            (&self.expiry, &mut account.expiry, "expiry"),
            (&self.timeout, &mut account.timeout, "timeout"),
        ] {
            if let Some(text) = text {
                *field = duration(text, &format!("{what}: {name}"))?;
            }
        }
        account.namespace = self.namespace;
        account.mm7_version = self.mm7_version;
        account.client_certificate = match (self.client_certificate, self.client_key) {
            (Some(cert), Some(key)) => Some((
                read_file(base, &cert, &format!("{what}: client_certificate"))?,
                read_file(base, &key, &format!("{what}: client_key"))?,
            )),
            (None, None) => None,
            _ => {
                return Err(config_error(format!(
                    "{what}: `client_certificate` and `client_key` go together"
                )));
            }
        };
        if let Some(ca) = self.ca_certificate {
            account.root_certificate =
                Some(read_file(base, &ca, &format!("{what}: ca_certificate"))?);
        }
        // The client is built here so that a bad certificate or key is a configuration error.
        account.client()?;
        Ok(account)
    }
}

impl GatewayConfig {
    /// Reads a configuration file: secrets and certificates from the files it names (relative
    /// to its directory) or the environment, and checks it ([`validate`](Self::validate)).
    ///
    /// ```no_run
    /// use std::path::Path;
    /// use mm7_gateway::{FileDefaults, Gateway, GatewayConfig};
    ///
    /// # async fn run() -> Result<(), mm7_gateway::GatewayError> {
    /// let defaults = FileDefaults::new(
    ///     "127.0.0.1:8080".parse().unwrap(),
    ///     "/var/lib/mm7-gateway".into(),
    /// );
    /// let config = GatewayConfig::from_file(Path::new("/etc/mm7/gateway.toml"), defaults)?;
    /// for account in &config.accounts {
    ///     println!("{}: {} per second", account.name, account.tps);
    /// }
    /// let running = Gateway::start(config).await?;
    /// # running.shutdown().await;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`GatewayError::Config`]: the file cannot be read, a key is unknown or has the wrong
    /// type (with its line and column), a secret or certificate cannot be read, or the whole
    /// does not hold together.
    pub fn from_file(path: &Path, defaults: FileDefaults) -> Result<GatewayConfig, GatewayError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| config_error(format!("cannot read {}: {e}", path.display())))?;
        let base = path.parent().unwrap_or(Path::new("."));
        GatewayConfig::from_toml(&text, base, defaults)
            .map_err(|e| config_error(format!("{}: {}", path.display(), message(&e))))
    }

    /// As [`from_file`](Self::from_file), from the text of one, with files relative to
    /// `base`.
    ///
    /// # Errors
    /// As [`from_file`](Self::from_file).
    pub fn from_toml(
        text: &str,
        base: &Path,
        defaults: FileDefaults,
    ) -> Result<GatewayConfig, GatewayError> {
        GatewayConfig::from_toml_env(text, base, defaults, &|name| std::env::var(name).ok())
    }

    fn from_toml_env(
        text: &str,
        base: &Path,
        defaults: FileDefaults,
        vars: Env<'_>,
    ) -> Result<GatewayConfig, GatewayError> {
        let file: File = toml::from_str(text).map_err(|e| config_error(e.to_string()))?;
        let gateway = file.gateway.unwrap_or_default();
        if file.account.is_empty() {
            return Err(config_error(
                "no [[account]]: the gateway needs at least one MMSC account".into(),
            ));
        }
        let accounts = file
            .account
            .into_iter()
            .map(|a| a.resolve(base, vars))
            .collect::<Result<Vec<_>, _>>()?;
        let data_dir = gateway
            .data_dir
            .map_or(defaults.data_dir, |dir| base.join(dir));
        let mut config = GatewayConfig::new(
            gateway.listen.unwrap_or(defaults.listen),
            data_dir,
            accounts[0].clone(),
        );
        config.accounts = accounts;
        config.mm7_listen = gateway.mm7_listen;
        config.inbox = gateway.inbox.unwrap_or(true);
        if let Some(text) = &gateway.unmatched_report_retention {
            config.unmatched_report_retention =
                duration(text, "[gateway] unmatched_report_retention")?;
        }
        if let Some(text) = &gateway.retention {
            config.retention = duration(text, "[gateway] retention")?;
        }
        let mm7_password = secret(
            base,
            gateway.mm7_password_file.as_deref(),
            gateway.mm7_password_env.as_deref(),
            "[gateway] mm7 password",
            vars,
        )?;
        config.mm7_credentials = match (gateway.mm7_user, mm7_password) {
            (Some(user), Some(password)) => Some((user, password)),
            (None, None) => None,
            _ => {
                return Err(config_error(
                    "[gateway]: `mm7_user` and `mm7_password_file` (or `mm7_password_env`) go \
                     together"
                        .into(),
                ));
            }
        };
        let database = match (gateway.database, gateway.database_env) {
            (Some(_), Some(_)) => {
                return Err(config_error(
                    "[gateway]: `database` or `database_env`, not both".into(),
                ));
            }
            (Some(url), None) => Some(url),
            (None, Some(name)) => Some(vars(&name).ok_or_else(|| {
                config_error(format!(
                    "[gateway] database_env: the environment variable {name} is not set"
                ))
            })?),
            (None, None) => None,
        };
        if let Some(url) = database {
            config.set_database(&url, base)?;
        }
        if let Some(path) = &gateway.database_ca_certificate {
            config.database_tls.ca_certificate =
                Some(read_file(base, path, "[gateway] database_ca_certificate")?);
        }
        config.database_tls.client_certificate = match (
            &gateway.database_client_certificate,
            &gateway.database_client_key,
        ) {
            (Some(cert), Some(key)) => Some((
                read_file(base, cert, "[gateway] database_client_certificate")?,
                read_file(base, key, "[gateway] database_client_key")?,
            )),
            (None, None) => None,
            _ => {
                return Err(config_error(
                    "[gateway]: `database_client_certificate` and `database_client_key` go \
                     together"
                        .into(),
                ));
            }
        };
        config.default_account = gateway.default_account;
        config.routes = file
            .route
            .into_iter()
            .map(|r| Route::new(r.prefix, r.account))
            .collect();
        if let Some(section) = file.webhook {
            let secret = secret(
                base,
                section.secret_file.as_deref(),
                section.secret_env.as_deref(),
                "[webhook] secret",
                vars,
            )?
            .ok_or_else(|| {
                config_error("[webhook]: `secret_file` or `secret_env` is required".into())
            })?;
            let mut webhook = Webhook::new(section.url, secret.into_bytes());
            webhook.max_tries = section.max_tries.unwrap_or(u32::MAX).max(1);
            if let Some(text) = &section.expiry {
                webhook.expiry = duration(text, "[webhook] expiry")?;
            }
            if let Some(timeout) = &section.timeout {
                webhook.timeout = duration(timeout, "[webhook] timeout")?;
            }
            config.webhook = Some(webhook);
        }
        config.mo_routes = file
            .mo_route
            .into_iter()
            .map(|r| {
                let mut route = MoRoute::new(r.webhook_url);
                route.short_code = r.short_code;
                route.keyword = r.keyword;
                route
            })
            .collect();
        if let Some(section) = file.attachments {
            let fetch = &mut config.fetch;
            if let Some(n) = section.max_size {
                fetch.max_size = n;
            }
            if let Some(text) = &section.connect_timeout {
                fetch.connect_timeout = duration(text, "[attachments] connect_timeout")?;
            }
            if let Some(text) = &section.timeout {
                fetch.timeout = duration(text, "[attachments] timeout")?;
            }
            if let Some(n) = section.max_redirects {
                fetch.max_redirects = n;
            }
            if let Some(allow) = section.allow_private_addresses {
                fetch.allow_private_addresses = allow;
            }
        }
        if let Some(section) = file.mo {
            config.mo.parts = match (section.parts.as_deref(), section.inline_max) {
                (None | Some("inline"), None) => MoParts::Inline,
                (Some("url"), None) => MoParts::Url,
                (None | Some("auto"), Some(n)) => MoParts::InlineUpTo(n),
                (Some("auto"), None) => MoParts::InlineUpTo(64 * 1024),
                (Some("inline" | "url"), Some(_)) => {
                    return Err(config_error(
                        "[mo] inline_max goes with parts = \"auto\"".into(),
                    ));
                }
                (Some(other), _) => {
                    return Err(config_error(format!(
                        "[mo] parts: {other:?} is not \"inline\", \"url\" or \"auto\""
                    )));
                }
            };
            config.mo.public_url = section.public_url;
        }
        config.validate()?;
        Ok(config)
    }

    /// Sets the database: `sqlite:PATH` (relative to `base`) or a `postgres://` URL.
    ///
    /// # Errors
    /// Any other form.
    pub fn set_database(&mut self, url: &str, base: &Path) -> Result<(), GatewayError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            self.postgres_url = Some(url.to_owned());
            self.sqlite_file = None;
        } else if let Some(path) = url.strip_prefix("sqlite:") {
            self.sqlite_file = Some(base.join(path));
            self.postgres_url = None;
        } else {
            return Err(config_error(
                "the database is sqlite:PATH or a postgres:// URL".into(),
            ));
        }
        Ok(())
    }
}

/// A configuration error's text without the `configuration: ` its display starts with.
fn message(error: &GatewayError) -> String {
    match error {
        GatewayError::Config(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> FileDefaults {
        FileDefaults::new("127.0.0.1:8080".parse().unwrap(), "/tmp/gw".into())
    }

    fn dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("mm7-gw-file-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    const TWO: &str = r#"
[gateway]
listen = "127.0.0.1:9000"
mm7_listen = "127.0.0.1:9001"
data_dir = "data"
default_account = "us"

[[account]]
name = "us"
url = "http://127.0.0.1:7001/mm7"
user = "vasp"
password_file = "us.pw"
profile = "vibes"
tps = 5
retry_initial = "500ms"
expiry = "2d"

[[account]]
name = "au"
url = "http://127.0.0.1:7002/mm7"
profile = "optus"
mm7_version = "5.3.0"

[[route]]
prefix = "+61"
account = "au"

[webhook]
url = "http://127.0.0.1:7003/hook"
secret_file = "hook.secret"

[[mo_route]]
keyword = "STOP"
webhook_url = "http://127.0.0.1:7003/stop"
"#;

    #[test]
    fn two_accounts_routes_and_secrets_from_files() {
        let base = dir("two");
        std::fs::write(base.join("us.pw"), "s3cret\n").unwrap();
        std::fs::write(base.join("hook.secret"), "hooksecret").unwrap();
        let config = GatewayConfig::from_toml(TWO, &base, defaults()).unwrap();
        assert_eq!(config.listen, "127.0.0.1:9000".parse().unwrap());
        assert_eq!(config.data_dir, base.join("data"));
        let names: Vec<&str> = config.accounts.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["us", "au"]);
        let us = &config.accounts[0];
        assert_eq!(
            us.credentials,
            Some(("vasp".to_owned(), "s3cret".to_owned()))
        );
        assert_eq!(us.tps, 5.0);
        assert_eq!(us.retry_initial, Duration::from_millis(500));
        assert_eq!(us.expiry, Duration::from_secs(2 * 86_400));
        assert_eq!(config.accounts[1].mm7_version.as_deref(), Some("5.3.0"));
        assert_eq!(config.route(None, Some("61412345678")).unwrap().name, "au");
        assert_eq!(config.webhook.as_ref().unwrap().secret, b"hooksecret");
        assert_eq!(
            config.mo_webhook(&["63901"], "stop"),
            Some("http://127.0.0.1:7003/stop")
        );
        let shown = format!("{config:?}");
        assert!(
            !shown.contains("s3cret") && !shown.contains("hooksecret"),
            "{shown}"
        );
        let _ = std::fs::remove_dir_all(&base);
    }

    #[test]
    fn the_database_tls_files_and_the_webhook_timeout() {
        let base = dir("database-tls");
        std::fs::write(base.join("ca.pem"), "CA").unwrap();
        std::fs::write(base.join("gw.crt"), "CERT").unwrap();
        std::fs::write(base.join("gw.key"), "KEY-SECRET").unwrap();
        let account = "[[account]]\nname = \"a\"\nurl = \"http://127.0.0.1:1/mm7\"\n";
        let text = format!(
            "[gateway]\ndatabase = \"postgres://gw@db/mm7?sslmode=verify-full\"\n\
             database_ca_certificate = \"ca.pem\"\n\
             database_client_certificate = \"gw.crt\"\ndatabase_client_key = \"gw.key\"\n\
             {account}\n[webhook]\nurl = \"http://127.0.0.1:2/\"\nsecret_env = \"S\"\n\
             timeout = \"2s\"\n"
        );
        let config =
            GatewayConfig::from_toml_env(&text, &base, defaults(), &|_| Some("secret".to_owned()))
                .unwrap();
        assert_eq!(
            config.database_tls.ca_certificate.as_deref(),
            Some(&b"CA"[..])
        );
        assert_eq!(
            config.database_tls.client_certificate,
            Some((b"CERT".to_vec(), b"KEY-SECRET".to_vec()))
        );
        assert_eq!(
            config.webhook.as_ref().unwrap().timeout,
            Duration::from_secs(2)
        );
        assert!(!format!("{config:?}").contains("KEY-SECRET"));
        let alone = format!("[gateway]\ndatabase_client_certificate = \"gw.crt\"\n{account}");
        let error = GatewayConfig::from_toml(&alone, &base, defaults())
            .unwrap_err()
            .to_string();
        assert!(error.contains("go together"), "{error}");
        let _ = std::fs::remove_dir_all(&base);
    }

    #[test]
    fn errors_name_the_key_and_its_line() {
        let base = dir("errors");
        let cases = [
            (
                "[[account]]\nname = \"a\"\nurl = \"http://h/mm7\"\ntsp = 5\n",
                &["tsp", "line 4"][..],
            ),
            ("[gateway]\nlisten = 5\n", &["listen", "line 2"][..]),
            ("[gatway]\n", &["gatway", "line 1"][..]),
            ("", &["no [[account]]"][..]),
            (
                "[[account]]\nname = \"a\"\nurl = \"http://h/mm7\"\nprofile = \"vibez\"\n",
                &["unknown profile", "vibez"][..],
            ),
            (
                "[[account]]\nname = \"a\"\nurl = \"http://h/mm7\"\nuser = \"u\"\npassword_file = \"missing.pw\"\n",
                &["missing.pw", "account \"a\""][..],
            ),
            (
                "[[account]]\nname = \"a\"\nurl = \"http://h/mm7\"\n[[route]]\nprefix = \"1\"\naccount = \"b\"\n",
                &["\"b\""][..],
            ),
            (
                "[[account]]\nname = \"a\"\nurl = \"http://h/mm7\"\nexpiry = \"2 fortnights\"\n",
                &["expiry", "2 fortnights"][..],
            ),
            (
                "[[account]]\nname = \"a\"\nurl = \"http://h/mm7\"\n[webhook]\nurl = \"http://h/\"\n",
                &["secret_file"][..],
            ),
            (
                "[[account]]\nname = \"a\"\nurl = \"http://h/mm7\"\n[attachments]\nmax_size = 9000000\n",
                &["max_size", "2097152"][..],
            ),
            (
                "[[account]]\nname = \"a\"\nurl = \"http://h/mm7\"\n[attachments]\ntimeout = \"0s\"\n",
                &["timeouts"][..],
            ),
            (
                "[[account]]\nname = \"a\"\nurl = \"http://h/mm7\"\n[mo]\nparts = \"links\"\n",
                &["[mo] parts", "links"][..],
            ),
            (
                "[[account]]\nname = \"a\"\nurl = \"http://h/mm7\"\n[mo]\nparts = \"url\"\ninline_max = 5\n",
                &["inline_max", "auto"][..],
            ),
            (
                "[[account]]\nname = \"a\"\nurl = \"http://h/mm7\"\n[mo]\npublic_url = \"file:///x\"\n",
                &["public_url"][..],
            ),
            (
                "[[account]]\nname = \"a\"\nurl = \"http://h/mm7\"\n[mo]\nlinks = true\n",
                &["links", "line 5"][..],
            ),
        ];
        for (text, needles) in cases {
            let error = GatewayConfig::from_toml(text, &base, defaults())
                .expect_err(text)
                .to_string();
            for needle in needles {
                assert!(error.contains(needle), "{needle:?} in {error:?}");
            }
        }
        let _ = std::fs::remove_dir_all(&base);
    }

    #[test]
    fn a_certificate_that_does_not_parse_is_a_configuration_error() {
        let base = dir("tls");
        std::fs::write(base.join("client.crt"), "not a certificate").unwrap();
        std::fs::write(base.join("client.key"), "not a key").unwrap();
        let text = "[[account]]\nname = \"tls\"\nurl = \"https://127.0.0.1:1/mm7\"\n\
                    client_certificate = \"client.crt\"\nclient_key = \"client.key\"\n";
        let error = GatewayConfig::from_toml(text, &base, defaults())
            .unwrap_err()
            .to_string();
        assert!(error.contains("account \"tls\""), "{error}");
        assert!(!error.contains("not a key"), "{error}");
        let lone = "[[account]]\nname = \"tls\"\nurl = \"https://127.0.0.1:1/mm7\"\n\
                    client_certificate = \"client.crt\"\n";
        let error = GatewayConfig::from_toml(lone, &base, defaults())
            .unwrap_err()
            .to_string();
        assert!(error.contains("go together"), "{error}");
        let _ = std::fs::remove_dir_all(&base);
    }

    #[test]
    fn the_inbox_is_on_unless_the_file_turns_it_off() {
        let base = dir("inbox");
        let one = "[[account]]\nname = \"us\"\nurl = \"http://127.0.0.1:1/mm7\"\n";
        assert!(
            GatewayConfig::from_toml(one, &base, defaults())
                .unwrap()
                .inbox
        );
        let off = format!("[gateway]\ninbox = false\n{one}");
        assert!(
            !GatewayConfig::from_toml(&off, &base, defaults())
                .unwrap()
                .inbox
        );
        let _ = std::fs::remove_dir_all(&base);
    }

    #[test]
    fn unmatched_reports_are_kept_a_week_unless_the_file_says() {
        let base = dir("retention");
        let one = "[[account]]\nname = \"us\"\nurl = \"http://127.0.0.1:1/mm7\"\n";
        let read = |text: &str| GatewayConfig::from_toml(text, &base, defaults());
        assert_eq!(
            read(one).unwrap().unmatched_report_retention,
            Duration::from_secs(7 * 86_400)
        );
        let two_days = format!("[gateway]\nunmatched_report_retention = \"2d\"\n{one}");
        assert_eq!(
            read(&two_days).unwrap().unmatched_report_retention,
            Duration::from_secs(2 * 86_400)
        );
        let error = read(&format!(
            "[gateway]\nunmatched_report_retention = \"a fortnight\"\n{one}"
        ))
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("[gateway] unmatched_report_retention")
                && error.contains("not a duration"),
            "{error}"
        );
        // Zero would delete every report as it comes: refused.
        let error = read(&format!(
            "[gateway]\nunmatched_report_retention = \"0s\"\n{one}"
        ))
        .unwrap_err()
        .to_string();
        assert!(error.contains("unmatched_report_retention"), "{error}");
        let _ = std::fs::remove_dir_all(&base);
    }

    #[test]
    fn finished_work_is_kept_30_days_unless_the_file_says() {
        let base = dir("kept");
        let one = "[[account]]\nname = \"us\"\nurl = \"http://127.0.0.1:1/mm7\"\n";
        let read = |text: &str| GatewayConfig::from_toml(text, &base, defaults());
        assert_eq!(
            read(one).unwrap().retention,
            Duration::from_secs(30 * 86_400)
        );
        let quarter = format!("[gateway]\nretention = \"90 days\"\n{one}");
        assert_eq!(
            read(&quarter).unwrap().retention,
            Duration::from_secs(90 * 86_400)
        );
        let error = read(&format!("[gateway]\nretention = \"forever\"\n{one}"))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("[gateway] retention") && error.contains("not a duration"),
            "{error}"
        );
        // Zero would delete what the MMSC sends as it arrives: refused.
        let error = read(&format!("[gateway]\nretention = \"0s\"\n{one}"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("retention must be above 0"), "{error}");
        let _ = std::fs::remove_dir_all(&base);
    }

    #[test]
    fn the_readme_reference_parses() {
        let readme =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
                .unwrap();
        let section = &readme[readme.find("### Several accounts").expect("the section")..];
        let start = section.find("```toml\n").expect("a toml block") + "```toml\n".len();
        let text = &section[start..start + section[start..].find("```").unwrap()];
        let base = dir("readme");
        std::fs::write(base.join("mm7.password"), "mm7-secret").unwrap();
        std::fs::write(base.join("webhook.secret"), "hook-secret").unwrap();
        let config = GatewayConfig::from_toml_env(text, &base, defaults(), &|name| {
            Some(format!("secret of {name}"))
        })
        .unwrap();
        let names: Vec<&str> = config.accounts.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["us", "au"]);
        assert_eq!(config.route(None, Some("+61412345678")).unwrap().name, "au");
        assert_eq!(config.mo_routes.len(), 1);
        assert!(config.mm7_credentials.is_some());
        let webhook = config.webhook.as_ref().unwrap();
        assert_eq!(webhook.expiry, Duration::from_secs(86_400));
        assert_eq!(webhook.max_tries, u32::MAX);
        assert_eq!(config.fetch.max_size, 2_097_152);
        assert_eq!(config.fetch.timeout, Duration::from_secs(20));
        assert_eq!(config.fetch.max_redirects, 5);
        assert!(!config.fetch.allow_private_addresses);
        assert_eq!(config.mo.parts, MoParts::InlineUpTo(65_536));
        assert_eq!(config.public_url(), "https://gw.example.com");
        let _ = std::fs::remove_dir_all(&base);
    }

    #[test]
    fn the_example_configs_parse() {
        let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/gateway");
        let mut seen = Vec::new();
        for name in ["vibes", "sinch", "optus", "ezitxt"] {
            let text = std::fs::read_to_string(examples.join(format!("{name}.toml"))).unwrap();
            // Their secrets come from the environment: any value does here.
            let config = GatewayConfig::from_toml_env(&text, &examples, defaults(), &|name| {
                Some(if name.ends_with("DATABASE_URL") {
                    "postgres://mm7:secret@127.0.0.1/mm7".to_owned()
                } else {
                    format!("secret of {name}")
                })
            })
            .unwrap_or_else(|e| panic!("{name}.toml: {e}"));
            assert!(
                config.accounts.iter().all(|a| a.credentials.is_some()),
                "{name}.toml: {config:?}"
            );
            let profile = config.accounts[0].profile.expect("a profile").name();
            seen.push(profile);
        }
        assert_eq!(seen, ["vibes", "sinch", "optus", "ezitxt"]);
    }
}

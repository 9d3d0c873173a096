//! What the sending subcommands share: the endpoint and credentials, the client built from
//! them, addresses from the command line, and the reading of every way a request can fail.

use std::time::Duration;

use mm7_model::{Address, DateTime, Mm7Version, SchemaId, Status};
use mm7_transport::client::{Client, ClientBuilder, ClientError};
use serde_json::{Value, json};

use crate::error::CliError;
use crate::opts::{self, VersionArgs};

/// The endpoint and how to talk to it.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct EndpointArgs {
    /// The peer's MM7 endpoint (`http://` or `https://`; `user:password@` in it works too).
    #[arg(long, value_name = "URL")]
    pub(crate) url: String,
    /// HTTP Basic user name.
    #[arg(long, value_name = "USER", requires = "password")]
    pub(crate) user: Option<String>,
    /// HTTP Basic password.
    #[arg(long, value_name = "PASSWORD", requires = "user")]
    pub(crate) password: Option<String>,
    /// Extra HTTP headers (`Name: value`), repeatable, e.g. 'X-Vibes-CarrierCode: 102'.
    #[arg(long, value_name = "'K: V'", value_parser = opts::parse_header)]
    pub(crate) header: Vec<(String, String)>,
    /// How long to wait for the answer.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = opts::parse_duration)]
    pub(crate) timeout: Duration,
    /// Prints the result as one JSON object.
    #[arg(long)]
    pub(crate) json: bool,
}

impl EndpointArgs {
    /// A client of the endpoint speaking the version and namespace asked for.
    pub(crate) fn client(&self, version: &VersionArgs) -> Result<Client, CliError> {
        self.builder(version)
            .build()
            .map_err(|e| failure(&e, &self.url))
    }

    /// The builder of [`client`](Self::client), for more settings.
    pub(crate) fn builder(&self, version: &VersionArgs) -> ClientBuilder {
        let namespace = version.namespace_or(SchemaId::NEWEST);
        let mm7_version = version
            .mm7_version
            .clone()
            .unwrap_or_else(|| namespace.schema().default_mm7_version().to_owned());
        let mut builder = Client::builder(&self.url)
            .namespace(namespace.uri())
            .mm7_version(mm7_version)
            .timeout(self.timeout);
        if let (Some(user), Some(password)) = (&self.user, &self.password) {
            builder = builder.basic_auth(user, password);
        }
        if let Some(style) = &version.prefix_style {
            builder = builder.prefix_style(style.clone());
        }
        for (name, value) in &self.header {
            builder = builder.header(name, value);
        }
        builder
    }
}

/// The `MM7Version` a request is sent with.
pub(crate) fn mm7_version(client: &Client, version: &VersionArgs) -> Mm7Version {
    version
        .mm7_version
        .as_deref()
        .map_or_else(|| client.mm7_version().clone(), Mm7Version::new)
}

/// An address from the command line: an e-mail address (with `@`), a short code (up to 8
/// digits), or a number (with or without `+`).
pub(crate) fn parse_address(text: &str) -> Result<Address, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("an empty address".to_owned());
    }
    if text.contains('@') {
        return Ok(Address::rfc2822(text));
    }
    let digits = text.strip_prefix('+').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "{text:?} is not a number, a short code or an e-mail address"
        ));
    }
    if !text.starts_with('+') && digits.len() <= 8 {
        Ok(Address::short_code(text))
    } else {
        Ok(Address::number(text))
    }
}

/// The CLI error for a failed request, with what to do about it where that is clear.
pub(crate) fn failure(error: &ClientError, url: &str) -> CliError {
    let message = match error {
        ClientError::Connect { reason } => {
            format!("cannot connect to {url}: {reason} (is the server running, and the URL right?)")
        }
        ClientError::Unauthorized { .. } => {
            format!("{error}; check --user and --password for {url}")
        }
        ClientError::Forbidden => format!("{error} ({url})"),
        ClientError::PayloadTooLarge { .. } => {
            format!("{error}: the peer accepts less; send fewer or smaller attachments")
        }
        ClientError::Timeout { .. } => format!("{error} from {url} (see --timeout)"),
        _ => error.to_string(),
    };
    match error {
        ClientError::InvalidUrl { .. }
        | ClientError::InvalidHeader { .. }
        | ClientError::Encode(_) => CliError::Input(message),
        _ => CliError::Peer(message),
    }
}

/// The current time as an MM7 date-time (UTC).
pub(crate) fn now() -> Option<DateTime> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    DateTime::from_unix(i64::try_from(secs).ok()?)
}

/// A status as `1000 Success`.
pub(crate) fn status_line(status: &Status) -> String {
    let text = status
        .text
        .as_deref()
        .or_else(|| status.code.name())
        .unwrap_or_default();
    format!("{} {text}", status.code)
}

/// The JSON of a failed request: what scripts need to tell the cases apart.
pub(crate) fn failure_json(error: &ClientError, cli: &CliError) -> Value {
    json!({
        "ok": false,
        "error": cli.to_string(),
        "status_code": error.status_code().map(|c| c.get()),
        "http_status": error.http_status().map(|s| s.as_u16()),
        "retryable": error.is_retryable(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use mm7_model::AddressKind;

    #[test]
    fn addresses() {
        assert_eq!(parse_address("63901").unwrap().kind, AddressKind::ShortCode);
        assert_eq!(
            parse_address("15551234567").unwrap().kind,
            AddressKind::Number
        );
        assert_eq!(
            parse_address("+61412345678").unwrap().kind,
            AddressKind::Number
        );
        assert_eq!(parse_address("+123").unwrap().kind, AddressKind::Number);
        assert_eq!(
            parse_address("a@b.example").unwrap().kind,
            AddressKind::Rfc2822
        );
        assert!(parse_address("12ab").is_err());
        assert!(parse_address("+").is_err());
        assert!(parse_address(" ").is_err());
    }

    #[test]
    fn failures_say_what_to_do() {
        let refused = ClientError::Connect {
            reason: "connection refused".into(),
        };
        let e = failure(&refused, "http://127.0.0.1:9/mm7");
        assert_eq!(e.exit_code(), crate::error::EXIT_PEER);
        assert!(
            e.to_string()
                .contains("cannot connect to http://127.0.0.1:9/mm7")
        );
        let e = failure(&ClientError::Unauthorized { challenge: None }, "u");
        assert!(e.to_string().contains("--user and --password"), "{e}");
        let e = failure(&ClientError::PayloadTooLarge { sent: 2_000_000 }, "u");
        assert!(e.to_string().contains("413"), "{e}");
        let e = failure(
            &ClientError::InvalidUrl {
                reason: "no host".into(),
            },
            "u",
        );
        assert_eq!(e.exit_code(), crate::error::EXIT_INPUT);
        let json = failure_json(&refused, &failure(&refused, "u"));
        assert_eq!(json["ok"], false);
        assert_eq!(json["retryable"], true);
    }
}

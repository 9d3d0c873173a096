//! What the sending subcommands share: the endpoint and credentials, the client built from
//! them, addresses from the command line, and the reading of every way a request can fail.

use std::path::PathBuf;
use std::time::Duration;

use mm7_model::{Address, DateTime, Mm7Version, SchemaId, SenderIdentification, Status};
use mm7_soap::{TransferEncodingPolicy, Warning};
use mm7_transport::client::{Client, ClientBuilder, ClientError, Response};
use mm7_transport::profile::{Profile, Violation};
use serde_json::{Value, json};

use crate::credentials::{PASSWORD_ENV, mask_url, read_file, read_password_file, url_has_userinfo};
use crate::error::CliError;
use crate::opts::{self, VersionArgs};

/// The endpoint and how to talk to it.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct EndpointArgs {
    /// The peer's MM7 endpoint (`http://` or `https://`; `user:password@` in it works too).
    #[arg(long, value_name = "URL")]
    pub(crate) url: String,
    /// HTTP Basic user name (its password comes from --password, --password-file or the
    /// environment variable MM7_PASSWORD).
    #[arg(long, value_name = "USER")]
    pub(crate) user: Option<String>,
    /// HTTP Basic password. Other processes can read a command line: prefer --password-file
    /// or MM7_PASSWORD.
    #[arg(long, value_name = "PASSWORD", conflicts_with = "password_file")]
    pub(crate) password: Option<String>,
    /// A file whose first line is the HTTP Basic password.
    #[arg(long, value_name = "FILE")]
    pub(crate) password_file: Option<PathBuf>,
    /// Also trusts the certificate authorities in FILE (PEM or DER), as curl's --cacert: for
    /// a peer whose certificate a private CA issued, or a self-signed one.
    #[arg(long, value_name = "FILE")]
    pub(crate) cacert: Option<PathBuf>,
    /// A client certificate (PEM chain, own certificate first, or DER) for peers that
    /// require mutual TLS; with --client-key.
    #[arg(long, value_name = "FILE", requires = "client_key")]
    pub(crate) client_cert: Option<PathBuf>,
    /// The private key of --client-cert (PEM or DER).
    #[arg(long, value_name = "FILE", requires = "client_cert")]
    pub(crate) client_key: Option<PathBuf>,
    /// The Content-Transfer-Encoding of attachment parts: binary (the default), 8bit (text
    /// parts; others base64), base64, or quoted-printable (text parts; others base64). For
    /// peers that read the body as text, base64. A --profile may set its provider's.
    #[arg(long, value_name = "ENCODING")]
    pub(crate) transfer_encoding: Option<TransferEncodingPolicy>,
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

/// A provider's rules, for the subcommands that send a `SubmitReq` or act on one.
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct ProfileArgs {
    /// A provider's rules: generic, vibes, sinch (or mblox), optus, ezitxt. Sets the
    /// provider's namespace and MM7Version (--namespace and --mm7-version still win) and
    /// checks a SubmitReq against its documents before sending: every problem is listed and
    /// nothing is sent (exit status 2). E.g. --profile sinch.
    #[arg(long, value_name = "NAME")]
    pub(crate) profile: Option<Profile>,
}

/// The IDs the provider assigned to the VASP, for the subcommands that send to an MMSC.
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct VaspIdArgs {
    /// VASPID, as the provider assigned it.
    #[arg(long, value_name = "ID")]
    pub(crate) vasp_id: Option<String>,
    /// VASID, as the provider assigned it.
    #[arg(long, value_name = "ID")]
    pub(crate) vas_id: Option<String>,
}

impl VaspIdArgs {
    /// The `SenderIdentification` with these IDs and `sender_address`.
    pub(crate) fn identification(&self, sender_address: Option<Address>) -> SenderIdentification {
        SenderIdentification {
            vasp_id: self.vasp_id.clone(),
            vas_id: self.vas_id.clone(),
            sender_address,
        }
    }
}

impl EndpointArgs {
    /// A client of the endpoint speaking the version and namespace asked for, under the
    /// provider profile asked for.
    pub(crate) fn client(
        &self,
        version: &VersionArgs,
        profile: &ProfileArgs,
    ) -> Result<Client, CliError> {
        let mut builder = self.builder(version)?;
        if let Some(profile) = profile.profile {
            builder = with_profile(builder, profile, version);
            // The user's choice wins over the profile's.
            if let Some(policy) = self.transfer_encoding {
                builder = builder.transfer_encoding(policy);
            }
        }
        self.build(builder)
    }

    /// The client `builder` makes. Whatever it refuses (the URL, a header, a certificate or
    /// key file) is bad input.
    pub(crate) fn build(&self, builder: ClientBuilder) -> Result<Client, CliError> {
        builder.build().map_err(|e| match e {
            ClientError::Tls { reason, .. } => CliError::Input(format!(
                "TLS: {reason} (see --cacert, --client-cert and --client-key)"
            )),
            ClientError::Profile { .. } => self.failure(&e),
            other => CliError::Input(failure_with(&other, &self.url, false).to_string()),
        })
    }

    /// The CLI error for a failed request to this endpoint.
    pub(crate) fn failure(&self, error: &ClientError) -> CliError {
        failure_with(error, &self.url, self.sends_credentials())
    }

    /// The HTTP Basic credentials asked for: --user with the password of --password,
    /// --password-file or `MM7_PASSWORD` (in that order).
    pub(crate) fn credentials(&self) -> Result<Option<(String, String)>, CliError> {
        let password = match (&self.password, &self.password_file) {
            (Some(password), _) => Some(password.clone()),
            (None, Some(path)) => Some(read_password_file(path)?),
            (None, None) => None,
        };
        match (&self.user, password) {
            (Some(user), Some(password)) => Ok(Some((user.clone(), password))),
            (Some(user), None) => match std::env::var(PASSWORD_ENV) {
                Ok(password) => Ok(Some((user.clone(), password))),
                Err(_) => Err(CliError::Input(format!(
                    "--user {user} needs a password: give --password, --password-file FILE \
                     or the environment variable {PASSWORD_ENV}"
                ))),
            },
            (None, Some(_)) => Err(CliError::Input(
                "a password needs --user (or give both in the URL: http://user:password@host/)"
                    .to_owned(),
            )),
            (None, None) => Ok(None),
        }
    }

    /// Whether the request carries credentials (--user, or `user:password@` in the URL).
    fn sends_credentials(&self) -> bool {
        self.user.is_some() || url_has_userinfo(&self.url)
    }

    /// The builder of [`client`](Self::client) without a profile, for more settings.
    pub(crate) fn builder(&self, version: &VersionArgs) -> Result<ClientBuilder, CliError> {
        let namespace = version.namespace_or(SchemaId::NEWEST);
        let mm7_version = version
            .mm7_version
            .clone()
            .unwrap_or_else(|| namespace.schema().default_mm7_version().to_owned());
        let mut builder = Client::builder(&self.url)
            .namespace(namespace.uri())
            .mm7_version(mm7_version)
            .timeout(self.timeout);
        if let Some((user, password)) = self.credentials()? {
            builder = builder.basic_auth(user, password);
        }
        if let Some(style) = &version.prefix_style {
            builder = builder.prefix_style(style.clone());
        }
        for (name, value) in &self.header {
            builder = builder.header(name, value);
        }
        if let Some(policy) = self.transfer_encoding {
            builder = builder.transfer_encoding(policy);
        }
        if let Some(path) = &self.cacert {
            builder = builder.add_root_certificate(read_file(path)?);
        }
        if let (Some(cert), Some(key)) = (&self.client_cert, &self.client_key) {
            builder = builder.client_certificate(read_file(cert)?, read_file(key)?);
        }
        Ok(builder)
    }

    /// The CLI error for a failed request, after printing the failure as JSON on standard
    /// output under `--json`.
    pub(crate) fn failed<T>(&self, error: &ClientError) -> Result<T, CliError> {
        let cli = self.failure(error);
        if self.json {
            crate::io::stdout_line(&failure_json(error, &cli).to_string())?;
        }
        Err(cli)
    }

    /// Prints the answer to a request about the message `message_id` sent earlier: its
    /// status and `done`, or under `--json` one object with the status and both IDs. A
    /// failure is [`failed`](Self::failed).
    pub(crate) fn print_answer<T>(
        &self,
        outcome: Result<Response<T>, ClientError>,
        message_id: &str,
        done: &str,
    ) -> Result<(), CliError> {
        let rsp = match outcome {
            Ok(rsp) => rsp,
            Err(error) => return self.failed(&error),
        };
        print_answer_warnings(&rsp.warnings);
        if self.json {
            let mut value = answer_json(&rsp.status, Some(message_id), &rsp.transaction_id);
            value["http_status"] = json!(rsp.http_status.as_u16());
            value["warnings"] = warnings_json(&rsp.warnings);
            crate::io::stdout_line(&value.to_string())
        } else {
            crate::io::stdout_line(&format!("{}: {done}", status_line(&rsp.status)))
        }
    }
}

/// `builder` under `profile`, with the namespace and `MM7Version` the user gave (only those)
/// put back over the profile's.
fn with_profile(builder: ClientBuilder, profile: Profile, version: &VersionArgs) -> ClientBuilder {
    let mut builder = builder.profile(profile);
    if let Some(mm7_version) = &version.mm7_version {
        builder = builder.mm7_version(mm7_version.clone());
        // The profile's schema stays when it goes with the version given (ezitxt's
        // REL-5-MM7-1-3 with 5.3.0); otherwise the version names its own schema.
        let kept = profile.default_version().is_some_and(|pair| {
            profile.accepts_version(pair.schema, &Mm7Version::new(mm7_version.clone()))
        });
        if !kept && version.namespace.is_none() {
            builder = builder.namespace(version.namespace_or(SchemaId::NEWEST).uri());
        }
    }
    if let Some(namespace) = &version.namespace {
        builder = builder.namespace(namespace.uri());
    }
    builder
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

/// The CLI error for a failed request to `url` (with credentials when it has
/// `user:password@`), with what to do about it where that is clear.
pub(crate) fn failure(error: &ClientError, url: &str) -> CliError {
    failure_with(error, url, url_has_userinfo(url))
}

/// The CLI error for a failed request to `url`, with what to do about it where that is
/// clear; `sends_credentials` says whether credentials were given. The URL is printed
/// masked.
pub(crate) fn failure_with(error: &ClientError, url: &str, sends_credentials: bool) -> CliError {
    let url = &mask_url(url);
    let message = match error {
        ClientError::Profile {
            profile,
            violations,
        } => return profile_refusal(*profile, violations),
        ClientError::Connect { reason, .. } => {
            format!("cannot connect to {url}: {reason} (is the server running, and the URL right?)")
        }
        ClientError::Unauthorized {
            credentials_sent: true,
            ..
        } => format!(
            "{error}; check --user and the password (--password, --password-file or \
             {PASSWORD_ENV}) for {url}"
        ),
        ClientError::Unauthorized { .. } if sends_credentials => format!(
            "{error}, though credentials were given; check --user and the password for {url}"
        ),
        ClientError::Unauthorized { .. } => format!(
            "{error}; give them with --user and --password, --password-file or {PASSWORD_ENV} \
             for {url}"
        ),
        ClientError::Forbidden => format!("{error} ({url})"),
        ClientError::PayloadTooLarge { .. } => {
            format!("{error}: the peer accepts less; send fewer or smaller attachments")
        }
        ClientError::Timeout { .. } => format!("{error} from {url} (see --timeout)"),
        ClientError::Tls { .. } => format!(
            "{error} ({url}; a peer whose certificate a private CA issued needs --cacert, and \
             one that requires mutual TLS --client-cert and --client-key)"
        ),
        _ => error.to_string(),
    };
    match error {
        ClientError::InvalidUrl { .. }
        | ClientError::InvalidHeader { .. }
        | ClientError::Encode(_) => CliError::Input(message),
        _ => CliError::Peer(message),
    }
}

/// A message the client's profile refused: a first line saying so, then every violation on a
/// line of its own.
fn profile_refusal(profile: Profile, violations: &[Violation]) -> CliError {
    let errors = violations.iter().filter(|v| v.is_error()).count();
    let warnings = violations.len() - errors;
    let mut message = format!(
        "the {profile} profile refuses this message, nothing was sent ({errors} error{}, \
         {warnings} warning{}):",
        plural(errors),
        plural(warnings)
    );
    for violation in violations {
        message.push('\n');
        message.push_str(&violation.to_string());
    }
    CliError::Input(message)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A profile violation as JSON: each field of it, and its one-line text.
pub(crate) fn violation_json(violation: &Violation) -> Value {
    json!({
        "severity": violation.severity.to_string(),
        "field": violation.field,
        "value": violation.value,
        "rule": violation.rule,
        "source": {
            "document": violation.source.document,
            "section": violation.source.section,
            "seed": violation.source.seed,
        },
        "refusal": violation.refusal.map(|r| r.to_string()),
        "text": violation.to_string(),
    })
}

/// Prints what was odd in an answer that was accepted (an element the schema does not
/// define, another namespace or MM7Version than the request's), one warning a line.
pub(crate) fn print_answer_warnings(warnings: &[Warning]) {
    for warning in warnings {
        crate::io::stderr_line(&format!("warning: in the answer: {warning}"));
    }
}

/// The warnings about an answer, as the JSON `warnings` array.
pub(crate) fn warnings_json(warnings: &[Warning]) -> Value {
    warnings.iter().map(ToString::to_string).collect()
}

/// Prints the warnings of the client's profile about a request that was sent.
pub(crate) fn print_profile_warnings(warnings: &[Violation]) {
    for warning in warnings {
        crate::io::stderr_line(&warning.to_string());
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

/// The JSON of an answer: `ok`, its status, the MessageID and the TransactionID (what
/// scripts read first; a subcommand adds what else it knows).
pub(crate) fn answer_json(
    status: &Status,
    message_id: Option<&str>,
    transaction_id: &str,
) -> Value {
    json!({
        "ok": true,
        "status_code": status.code.get(),
        "status_text": status.text,
        "message_id": message_id,
        "transaction_id": transaction_id,
    })
}

/// The JSON of a failed request: what scripts need to tell the cases apart.
pub(crate) fn failure_json(error: &ClientError, cli: &CliError) -> Value {
    let mut value = json!({
        "ok": false,
        "error": cli.to_string().lines().next().unwrap_or_default(),
        "status_code": error.status_code().map(|c| c.get()),
        "http_status": error.http_status().map(|s| s.as_u16()),
        "received_operation": error.received_operation(),
        "retryable": error.is_retryable(),
    });
    if let ClientError::Profile {
        profile,
        violations,
    } = error
    {
        value["profile"] = json!(profile.name());
        value["violations"] = violations.iter().map(violation_json).collect();
    }
    value
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
    fn a_profile_sets_the_version_unless_the_user_gave_one() {
        let endpoint = EndpointArgs {
            url: "http://127.0.0.1:9/mm7".into(),
            user: None,
            password: None,
            password_file: None,
            cacert: None,
            client_cert: None,
            client_key: None,
            transfer_encoding: None,
            header: Vec::new(),
            timeout: std::time::Duration::from_secs(1),
            json: false,
        };
        let version = |v: Option<&str>, ns: Option<&str>| VersionArgs {
            mm7_version: v.map(str::to_owned),
            namespace: ns.map(|n| opts::parse_namespace(n).unwrap()),
            prefix_style: None,
        };
        let profile = |p: Profile| ProfileArgs { profile: Some(p) };
        let pair = |client: Client| {
            (
                client.namespace().schema(),
                client.mm7_version().as_str().to_owned(),
            )
        };
        let client = endpoint
            .client(&version(None, None), &profile(Profile::Ezitxt))
            .unwrap();
        assert_eq!(pair(client), (SchemaId::Rel5Mm7_1_3, "5.3.0".to_owned()));
        // 5.3.0 goes with ezitxt's own schema, which stays.
        let client = endpoint
            .client(&version(Some("5.3.0"), None), &profile(Profile::Ezitxt))
            .unwrap();
        assert_eq!(pair(client), (SchemaId::Rel5Mm7_1_3, "5.3.0".to_owned()));
        // Vibes's other pair: the version names its schema.
        let client = endpoint
            .client(&version(Some("6.8.0"), None), &profile(Profile::Vibes))
            .unwrap();
        assert_eq!(pair(client), (SchemaId::Rel6Mm7_1_4, "6.8.0".to_owned()));
        let client = endpoint
            .client(
                &version(None, Some("REL-6-MM7-1-4")),
                &profile(Profile::Sinch),
            )
            .unwrap();
        assert_eq!(pair(client).0, SchemaId::Rel6Mm7_1_4);
        let client = endpoint
            .client(&version(None, None), &ProfileArgs::default())
            .unwrap();
        assert_eq!(client.profile(), None);
    }

    #[test]
    fn failures_say_what_to_do() {
        let refused = ClientError::Connect {
            reason: "connection refused".into(),
            source: None,
        };
        let e = failure_with(&refused, "http://127.0.0.1:9/mm7", false);
        assert_eq!(e.exit_code(), crate::error::EXIT_PEER);
        assert!(
            e.to_string()
                .contains("cannot connect to http://127.0.0.1:9/mm7")
        );
        let refused_credentials = ClientError::Unauthorized {
            challenge: None,
            credentials_sent: true,
        };
        let e = failure_with(&refused_credentials, "u", true);
        assert!(
            e.to_string().contains("credentials sent were refused"),
            "{e}"
        );
        assert!(e.to_string().contains("check --user"), "{e}");
        let none_sent = ClientError::Unauthorized {
            challenge: None,
            credentials_sent: false,
        };
        let e = failure_with(&none_sent, "u", false);
        assert!(e.to_string().contains("none were sent"), "{e}");
        assert!(e.to_string().contains("give them with --user"), "{e}");
        let e = failure_with(
            &ClientError::PayloadTooLarge { sent: 2_000_000 },
            "u",
            false,
        );
        assert!(e.to_string().contains("413"), "{e}");
        let e = failure_with(
            &ClientError::InvalidUrl {
                reason: "no host".into(),
            },
            "u",
            false,
        );
        assert_eq!(e.exit_code(), crate::error::EXIT_INPUT);
        let json = failure_json(&refused, &failure_with(&refused, "u", false));
        assert_eq!(json["ok"], false);
        assert_eq!(json["retryable"], true);
    }
}

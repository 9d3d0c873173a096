//! [`ClientBuilder`]: the endpoint, credentials, headers, timeouts, TLS and MM7 settings of a
//! [`Client`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::header::{HeaderMap, HeaderName, HeaderValue};
use http::uri::{Authority, Uri};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use mm7_model::{Mm7Version, Namespace, SchemaId};
use mm7_soap::{DecodeOptions, EncodeOptions, PrefixStyle, TransferEncodingPolicy};

use super::error::ClientError;
use super::limit::LimitedConnector;
use super::retry::{CallbackPolicy, RetryPolicy};
use super::tls::{self, TlsSettings};
use super::{Client, Inner};
use crate::auth::Credentials;
use crate::profile::Profile;

/// The default whole-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default limit on an answer's body: MM7 answers are a few kilobytes; an error page
/// larger than this is not worth reading.
pub const DEFAULT_MAX_RESPONSE_SIZE: usize = 1024 * 1024;

/// Builds a [`Client`]. Start with [`Client::builder`].
///
/// Setters never fail; what they were given is checked by [`build`](Self::build).
#[must_use]
pub struct ClientBuilder {
    url: String,
    credentials: Option<Credentials>,
    headers: Vec<(String, String)>,
    connect_timeout: Duration,
    timeout: Duration,
    pool_idle_timeout: Duration,
    max_connections: Option<usize>,
    max_response_size: usize,
    tls: TlsSettings,
    errors: Vec<ClientError>,
    schema: SchemaId,
    namespace: Option<String>,
    mm7_version: Option<Mm7Version>,
    encode: EncodeOptions,
    decode: DecodeOptions,
    retry: RetryPolicy,
    callback: CallbackPolicy,
    profile: Option<Profile>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("url", &redact_userinfo(&self.url))
            .field("credentials", &self.credentials)
            .field("headers", &self.headers.len())
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("schema", &self.schema)
            .field("namespace", &self.namespace)
            .field("mm7_version", &self.mm7_version)
            .field("retry", &self.retry)
            .field("callback", &self.callback)
            .field("profile", &self.profile)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    pub(crate) fn new(url: &str) -> ClientBuilder {
        ClientBuilder {
            url: url.trim().to_string(),
            credentials: None,
            headers: Vec::new(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            pool_idle_timeout: Duration::from_secs(90),
            max_connections: None,
            max_response_size: DEFAULT_MAX_RESPONSE_SIZE,
            tls: TlsSettings::default(),
            errors: Vec::new(),
            schema: SchemaId::NEWEST,
            namespace: None,
            mm7_version: None,
            encode: EncodeOptions::default(),
            decode: DecodeOptions::default(),
            retry: RetryPolicy::none(),
            callback: CallbackPolicy::default(),
            profile: None,
        }
    }

    /// HTTP Basic credentials, sent with every request (they take the place of any
    /// `user:pass@` in the URL).
    pub fn basic_auth(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.credentials = Some(Credentials::new(user, password));
        self
    }

    /// A header sent with every request, e.g. `X-Vibes-CarrierCode`,
    /// `X-Vibes-DlrCallbackUrl`, `X-Mbuni-TransactionID` or `X-Mblox-Carrier-Id`. Call again
    /// for more; the same name twice sends both values. A name the client sets itself
    /// (`SOAPAction`, `User-Agent`, `Authorization`) is replaced; `Content-Type` and
    /// `Content-Length` always describe the body.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// How long to wait for the TCP connection; 10 s by default. (The TLS handshake that
    /// follows counts against the whole-request [`timeout`](Self::timeout).)
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long a whole request may take, connection to the answer's last byte; 30 s by
    /// default.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long an idle pooled connection is kept; 90 s by default.
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// At most `n` connections open at once (at least one), and so, with HTTP/1.1, at most
    /// `n` requests in flight; further requests wait for a free connection (the timeout
    /// starts once they have one). Unlimited by default.
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = Some(n.max(1));
        self
    }

    /// The largest answer body read; 1 MiB by default.
    pub fn max_response_size(mut self, bytes: usize) -> Self {
        self.max_response_size = bytes;
        self
    }

    /// Also trusts this certificate authority (PEM, one or more certificates, or DER).
    pub fn add_root_certificate(mut self, certificate: impl AsRef<[u8]>) -> Self {
        match tls::parse_certificates(certificate.as_ref()) {
            Ok(certs) => self.tls.roots.extend(certs),
            Err(e) => self.errors.push(e),
        }
        self
    }

    /// Trusts exactly this end-entity certificate (PEM or DER), whatever its issuer, name
    /// or dates, and nothing else: once a certificate is pinned, the roots are not used.
    /// Call again to accept several (e.g. across a peer's certificate change).
    pub fn pin_certificate(mut self, certificate: impl AsRef<[u8]>) -> Self {
        match tls::parse_certificates(certificate.as_ref()) {
            Ok(certs) => self.tls.pins.extend(certs),
            Err(e) => self.errors.push(e),
        }
        self
    }

    /// A client certificate for peers that require mutual TLS: the certificate chain (PEM,
    /// the client's certificate first, or one DER certificate) and its private key (PEM
    /// `PRIVATE KEY`, `RSA PRIVATE KEY` or `EC PRIVATE KEY`, or DER). [`build`](Self::build)
    /// fails with [`ClientError::Tls`] if they do not parse or do not match.
    ///
    /// ```no_run
    /// use mm7_transport::client::Client;
    ///
    /// let client = Client::builder("https://mmsc.example.com/mm7")
    ///     .add_root_certificate(std::fs::read("operator-ca.pem")?)
    ///     .client_certificate(std::fs::read("vasp.crt")?, std::fs::read("vasp.key")?)
    ///     .build()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn client_certificate(
        mut self,
        certificate_chain: impl AsRef<[u8]>,
        private_key: impl AsRef<[u8]>,
    ) -> Self {
        let chain = tls::parse_certificates(certificate_chain.as_ref());
        let key = tls::parse_private_key(private_key.as_ref());
        match (chain, key) {
            (Ok(chain), Ok(key)) => self.tls.identity = Some(tls::ClientIdentity { chain, key }),
            (Err(e), _) | (_, Err(e)) => self.errors.push(e),
        }
        self
    }

    /// A rustls configuration built by the caller (a custom verifier, a hardware key, other
    /// cipher suites), used as it is: the trust and client-certificate setters above are
    /// then ignored. Its `alpn_protocols` should offer only `http/1.1`, or be empty.
    pub fn tls_config(mut self, config: impl Into<Arc<rustls::ClientConfig>>) -> Self {
        self.tls.custom = Some(config.into());
        self
    }

    /// Whether to trust the operating system's certificate authorities (yes by default).
    pub fn system_roots(mut self, enabled: bool) -> Self {
        self.tls.system_roots = enabled;
        self
    }

    /// The schema to speak: its canonical namespace and default `MM7Version` are sent
    /// unless [`namespace`](Self::namespace) or [`mm7_version`](Self::mm7_version) say
    /// otherwise. `REL-6-MM7-1-4` by default.
    pub fn schema(mut self, schema: SchemaId) -> Self {
        self.schema = schema;
        self
    }

    /// The exact namespace URI to send (e.g. the `https://` spelling a provider insists on);
    /// the schema is the one its last segment names.
    pub fn namespace(mut self, uri: impl Into<String>) -> Self {
        self.namespace = Some(uri.into());
        self
    }

    /// The `MM7Version` to send in messages that have none (many MMSCs want `5.3.0`,
    /// whatever the namespace).
    pub fn mm7_version(mut self, version: impl Into<Mm7Version>) -> Self {
        self.mm7_version = Some(version.into());
        self
    }

    /// How MM7 elements are qualified (some MMSCs accept only one style).
    pub fn prefix_style(mut self, style: PrefixStyle) -> Self {
        self.encode.prefix_style = style;
        self
    }

    /// The Content-Transfer-Encoding of attachment parts (`binary` by default; a
    /// [`profile`](Self::profile) may set its provider's): for peers that read the body as
    /// text, `base64` (or `quoted-printable` for text parts).
    ///
    /// ```
    /// use mm7_soap::TransferEncodingPolicy;
    /// use mm7_transport::client::Client;
    ///
    /// let client = Client::builder("http://127.0.0.1:7007/mm7")
    ///     .transfer_encoding(TransferEncodingPolicy::Base64)
    ///     .build()?;
    /// # Ok::<(), mm7_transport::client::ClientError>(())
    /// ```
    pub fn transfer_encoding(mut self, policy: TransferEncodingPolicy) -> Self {
        self.encode.transfer_encoding = policy;
        self
    }

    /// All the encoder's options (prefix style, SOAP envelope prefix, dropping elements the
    /// schema lacks, transfer encodings).
    pub fn encode_options(mut self, options: EncodeOptions) -> Self {
        self.encode = options;
        self
    }

    /// The decoder's options for answers (limits).
    pub fn decode_options(mut self, options: DecodeOptions) -> Self {
        self.decode = options;
        self
    }

    /// The retry policy of `submit`, `cancel` and `replace`; none by default.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The retry policy of `deliver`, `delivery_report` and `read_reply`.
    pub fn callback_policy(mut self, policy: CallbackPolicy) -> Self {
        self.callback = policy;
        self
    }

    /// A provider's rules: sets the profile's schema (its canonical namespace) and
    /// `MM7Version` ([`Profile::default_version`]), callback policy
    /// ([`Profile::callback_policy`]) and transfer encoding
    /// ([`Profile::transfer_encoding`]), replacing what earlier setters gave and replaced by
    /// later ones, and makes every `SubmitReq` pass
    /// [`Profile::check_submit`] before a byte is sent: a request with errors fails with
    /// [`ClientError::Profile`], and warnings are logged and returned in
    /// [`Response::profile_warnings`](super::Response::profile_warnings).
    ///
    /// ```
    /// use mm7_model::SchemaId;
    /// use mm7_transport::client::Client;
    /// use mm7_transport::profile::Profile;
    ///
    /// let client = Client::builder("https://eziapi.com/mm7")
    ///     .basic_auth("app", "secret")
    ///     .profile(Profile::Ezitxt)
    ///     .build()?;
    /// assert_eq!(client.namespace().schema(), SchemaId::Rel5Mm7_1_3);
    /// assert_eq!(client.mm7_version().as_str(), "5.3.0");
    /// assert_eq!(client.profile(), Some(Profile::Ezitxt));
    /// # Ok::<(), mm7_transport::client::ClientError>(())
    /// ```
    pub fn profile(mut self, profile: Profile) -> Self {
        if let Some(pair) = profile.default_version() {
            // The profile's canonical namespace replaces one set before, as any later setter
            // replaces the profile's.
            self.schema = pair.schema;
            self.namespace = None;
            self.mm7_version = Some(Mm7Version::new(pair.mm7_version));
        }
        if let Some(policy) = profile.callback_policy() {
            self.callback = policy;
        }
        if let Some(policy) = profile.transfer_encoding() {
            self.encode.transfer_encoding = policy;
        }
        self.profile = Some(profile);
        self
    }

    /// Checks the settings and builds the client.
    ///
    /// # Errors
    /// [`ClientError::InvalidUrl`] (not `http`/`https`, no host, bad percent-encoding in the
    /// user information), [`ClientError::InvalidNamespace`], [`ClientError::InvalidHeader`],
    /// or [`ClientError::Tls`] (a certificate that does not
    /// parse or cannot be a trust anchor).
    pub fn build(mut self) -> Result<Client, ClientError> {
        if !self.errors.is_empty() {
            return Err(self.errors.remove(0));
        }
        let (uri, url_credentials) = parse_endpoint(&self.url)?;
        let https = uri.scheme_str() == Some("https");
        let credentials = self.credentials.or(url_credentials);

        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::HeaderName::from_static("soapaction"),
            HeaderValue::from_static("\"\""),
        );
        headers.insert(
            http::header::USER_AGENT,
            HeaderValue::from_static(concat!("mm7-transport/", env!("CARGO_PKG_VERSION"))),
        );
        if let Some(credentials) = &credentials {
            headers.insert(http::header::AUTHORIZATION, credentials.to_header_value());
        }
        let mut replaced = Vec::new();
        for (name, value) in &self.headers {
            let header_name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|e| {
                ClientError::InvalidHeader {
                    name: name.clone(),
                    reason: e.to_string(),
                }
            })?;
            let header_value =
                HeaderValue::from_str(value).map_err(|e| ClientError::InvalidHeader {
                    name: name.clone(),
                    reason: e.to_string(),
                })?;
            if !replaced.contains(&header_name) {
                headers.remove(&header_name);
                replaced.push(header_name.clone());
            }
            headers.append(header_name, header_value);
        }

        let namespace = match &self.namespace {
            Some(uri) => Namespace::parse(uri).map_err(|e| ClientError::InvalidNamespace {
                reason: e.to_string(),
            })?,
            None => Namespace::canonical(self.schema),
        };
        let mm7_version = self
            .mm7_version
            .unwrap_or_else(|| Mm7Version::for_schema(namespace.schema()));

        let tls_config = tls::client_config(&self.tls, https)?;
        let mut connector = HttpConnector::new();
        connector.enforce_http(false);
        connector.set_connect_timeout(Some(self.connect_timeout));
        connector.set_nodelay(true);
        let connection_permits = self
            .max_connections
            .map(|n| Arc::new(tokio::sync::Semaphore::new(n)));
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls_config)
            .https_or_http()
            .enable_http1()
            .wrap_connector(LimitedConnector::new(connector, connection_permits));
        let mut pool = hyper_util::client::legacy::Client::builder(TokioExecutor::new());
        pool.pool_timer(TokioTimer::new())
            .pool_idle_timeout(self.pool_idle_timeout);
        if let Some(n) = self.max_connections {
            pool.pool_max_idle_per_host(n);
        }
        let http = pool.build(connector);

        Ok(Client {
            inner: Arc::new(Inner {
                http,
                display_url: uri.to_string(),
                uri,
                headers,
                timeout: self.timeout,
                max_response_size: self.max_response_size,
                limiter: self
                    .max_connections
                    .map(|n| Arc::new(tokio::sync::Semaphore::new(n))),
                namespace,
                mm7_version,
                encode: self.encode,
                decode: self.decode,
                retry: self.retry,
                callback: self.callback,
                profile: self.profile,
            }),
        })
    }
}

/// Splits `user:pass@` off an endpoint URL: the URI to send (without it) and the
/// percent-decoded credentials.
pub(crate) fn parse_endpoint(url: &str) -> Result<(Uri, Option<Credentials>), ClientError> {
    let invalid = |reason: String| ClientError::InvalidUrl { reason };
    let uri: Uri = url.parse().map_err(|e: http::uri::InvalidUri| {
        invalid(format!("{e} in {:?}", redact_userinfo(url)))
    })?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        Some(other) => return Err(invalid(format!("scheme {other:?} is not http or https"))),
        None => return Err(invalid("no scheme (http:// or https://)".into())),
    }
    let authority = uri
        .authority()
        .ok_or_else(|| invalid("no host".into()))?
        .clone();
    if authority.host().is_empty() {
        return Err(invalid("no host".into()));
    }
    let Some((userinfo, host_port)) = authority.as_str().rsplit_once('@') else {
        return Ok((uri, None));
    };
    let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
    let credentials = Credentials::new(percent_decode(user)?, percent_decode(password)?);
    let mut parts = uri.into_parts();
    parts.authority =
        Some(Authority::try_from(host_port).map_err(|e| invalid(format!("{e} in the host")))?);
    let uri = Uri::from_parts(parts).map_err(|e| invalid(e.to_string()))?;
    Ok((uri, Some(credentials)))
}

/// RFC 3986 §2.1 percent-decoding of user information, which must decode to UTF-8.
fn percent_decode(text: &str) -> Result<String, ClientError> {
    let invalid = |reason: String| ClientError::InvalidUrl { reason };
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| {
                    invalid(format!(
                        "bad percent-encoding at byte {i} of the user information"
                    ))
                })?;
            out.push(hex);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|e| {
        invalid(format!(
            "user information is not UTF-8 after percent-decoding (byte {})",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// The URL with any user information replaced, for messages and logs.
pub(crate) fn redact_userinfo(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = url.get(scheme_end + 3..).unwrap_or_default();
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..authority_end).unwrap_or_default();
    match authority.rsplit_once('@') {
        Some((_, host)) => format!(
            "{}***@{host}{}",
            url.get(..scheme_end + 3).unwrap_or_default(),
            rest.get(authority_end..).unwrap_or_default()
        ),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_is_decoded_and_stripped() {
        let (uri, credentials) =
            parse_endpoint("https://us%40er:p%3Ass%20w@mmsc.example:8443/mm7?x=1").unwrap();
        assert_eq!(uri.to_string(), "https://mmsc.example:8443/mm7?x=1");
        let credentials = credentials.unwrap();
        assert_eq!(credentials.user(), "us@er");
        assert_eq!(credentials.password(), "p:ss w");
        let (uri, credentials) = parse_endpoint("http://127.0.0.1:8080/").unwrap();
        assert_eq!(uri.to_string(), "http://127.0.0.1:8080/");
        assert!(credentials.is_none());
        let (_, credentials) = parse_endpoint("http://only@h/").unwrap();
        assert_eq!(
            credentials.map(|c| c.password().to_string()),
            Some(String::new())
        );
    }

    #[test]
    fn bad_urls() {
        for url in [
            "ftp://h/",
            "h/mm7",
            "/mm7",
            "http://u:%zz@h/",
            "http://u:%f@h/",
            "http://u:%ff@h/",
            "",
        ] {
            assert!(
                matches!(parse_endpoint(url), Err(ClientError::InvalidUrl { .. })),
                "{url}"
            );
        }
    }

    #[test]
    fn redaction() {
        assert_eq!(
            redact_userinfo("http://u:secret@h:1/p@q"),
            "http://***@h:1/p@q"
        );
        assert_eq!(redact_userinfo("http://h/p"), "http://h/p");
        let error = parse_endpoint("http://u:s ecret@h/").unwrap_err();
        assert!(!error.to_string().contains("ecret"), "{error}");
    }
}

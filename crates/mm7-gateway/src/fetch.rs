//! Attachments given by URL in `POST /v1/messages` (`{"url": "https://…"}`): fetched before
//! the API answers 202, so that what is queued is the whole message. Only `http://` and
//! `https://` (never a local path), within a connect and a total timeout, a size limit and a
//! number of redirects, and to public addresses only unless allowed (a URL must not reach into
//! the gateway's own network: the address is checked after resolution, at connect time, so a
//! name that resolves differently the second time gains nothing). Errors name the attachment
//! and the cause, never the URL's credentials, path or query (a signed URL's token stays out of
//! answers and logs).

use axum::http::StatusCode;
use base64::Engine as _;
use bytes::Bytes;
use futures_util::StreamExt as _;
use http::Uri;
use http_body_util::{BodyExt as _, Empty, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::dns::{GaiResolver, Name};
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};

use crate::config::AttachmentFetch;

/// Attachments fetched at the same time, at most, for one request.
pub(crate) const PARALLEL_FETCHES: usize = 4;

type Https = hyper_rustls::HttpsConnector<HttpConnector<Guarded>>;

/// Whether an address is one the Internet at large reaches: not loopback, private, link-local,
/// shared (CGNAT), unique-local, documentation, multicast or unspecified.
fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b)))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

/// What a refused address says (the error is found by it in the connect error's chain).
const NOT_PUBLIC: &str = "the host is a loopback, private or local address, not fetched \
                          (`allow_private_addresses` allows it)";

/// The system's resolver, keeping public addresses only unless private ones are allowed.
#[derive(Clone)]
struct Guarded {
    inner: GaiResolver,
    allow_private: bool,
}

impl tower_service::Service<Name> for Guarded {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = std::io::Error;
    type Future =
        std::pin::Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let allow = self.allow_private;
        let resolving = self.inner.call(name);
        Box::pin(async move {
            let kept: Vec<SocketAddr> = resolving
                .await?
                .filter(|addr| allow || is_public(addr.ip()))
                .collect();
            if kept.is_empty() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    NOT_PUBLIC,
                ));
            }
            Ok(kept.into_iter())
        })
    }
}

/// The HTTP client of attachment fetches.
#[derive(Clone)]
pub(crate) struct Fetcher {
    client: Client<Https, Empty<Bytes>>,
    limits: AttachmentFetch,
}

/// Why an attachment could not be taken: the answer's status and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FetchError {
    /// 400 (the URL), 413 (too large) or 502 (the server's answer, or none).
    pub(crate) status: StatusCode,
    /// What went wrong, naming the attachment (from 1).
    pub(crate) text: String,
    /// The attachment's number (from 1).
    pub(crate) attachment: usize,
}

/// What a fetch brought.
struct Fetched {
    content_type: Option<String>,
    body: Bytes,
    file_name: Option<String>,
}

/// The scheme and host of a URL, which is all an error shows of it.
fn origin(uri: &Uri) -> String {
    format!(
        "{}://{}",
        uri.scheme_str().unwrap_or("?"),
        uri.host().unwrap_or("?")
    )
}

/// A URL without its user information, and that information (for Basic authentication).
fn split_credentials(uri: &Uri) -> Result<(Uri, Option<String>), String> {
    let Some(authority) = uri.authority() else {
        return Err("the URL has no host".into());
    };
    let Some((userinfo, host)) = authority.as_str().rsplit_once('@') else {
        return Ok((uri.clone(), None));
    };
    let mut parts = uri.clone().into_parts();
    parts.authority = Some(
        host.parse()
            .map_err(|_| "the URL's host is not valid".to_owned())?,
    );
    let bare = Uri::from_parts(parts).map_err(|_| "the URL is not valid".to_owned())?;
    let header = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(userinfo.as_bytes())
    );
    Ok((bare, Some(header)))
}

/// Where a `Location` points from `base`.
fn resolve(base: &Uri, location: &str) -> Option<Uri> {
    if let Ok(uri) = location.parse::<Uri>()
        && uri.scheme().is_some()
    {
        return Some(uri);
    }
    let scheme = base.scheme_str()?;
    let authority = base.authority()?.as_str();
    if location.starts_with("//") {
        return format!("{scheme}:{location}").parse().ok();
    }
    if location.starts_with('/') {
        return format!("{scheme}://{authority}{location}").parse().ok();
    }
    let path = base.path();
    let dir = &path[..=path.rfind('/').unwrap_or(0)];
    format!("{scheme}://{authority}{dir}{location}")
        .parse()
        .ok()
}

impl Fetcher {
    /// A client within `limits`, trusting the system's certificate authorities.
    ///
    /// # Errors
    /// The TLS configuration cannot be built.
    pub(crate) fn new(limits: AttachmentFetch) -> Result<Fetcher, crate::GatewayError> {
        let mut roots = rustls::RootCertStore::empty();
        let native = rustls_native_certs::load_native_certs();
        let (added, _) = roots.add_parsable_certificates(native.certs);
        tracing::debug!(added, "trust anchors for attachment fetches");
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| crate::GatewayError::Internal(format!("TLS for attachments: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let mut http = HttpConnector::new_with_resolver(Guarded {
            inner: GaiResolver::new(),
            allow_private: limits.allow_private_addresses,
        });
        http.enforce_http(false);
        http.set_connect_timeout(Some(limits.connect_timeout));
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new()).build(connector);
        Ok(Fetcher { client, limits })
    }

    /// Replaces each attachment of `request` given by `url` with its content (`data`, its
    /// `content_type` if the request gave none, a `filename` if none), in place: the URL is
    /// not kept. The URLs are checked first, then fetched side by side (at most
    /// [`PARALLEL_FETCHES`] at a time); the first fetch to fail ends the others. `Err` is the
    /// answer to give.
    pub(crate) async fn resolve(&self, request: &mut Value) -> Result<(), FetchError> {
        let Some(Value::Array(list)) = request.get_mut("attachments") else {
            return Ok(());
        };
        let mut urls = Vec::new();
        for (i, item) in list.iter().enumerate() {
            let n = i + 1;
            let Some(object) = item.as_object() else {
                continue;
            };
            let Some(url) = object.get("url") else {
                continue;
            };
            let bad = |text: &str| FetchError {
                status: StatusCode::BAD_REQUEST,
                text: format!("attachment {n}: {text}"),
                attachment: n,
            };
            let Some(url) = url.as_str().map(str::to_owned) else {
                return Err(bad("`url` must be a string"));
            };
            if object.contains_key("data") {
                return Err(bad("give `data` or `url`, not both"));
            }
            urls.push((i, url));
        }
        let mut fetches = futures_util::stream::iter(urls)
            .map(|(i, url)| async move {
                let n = i + 1;
                let fetched =
                    match tokio::time::timeout(self.limits.timeout, self.fetch(&url)).await {
                        Ok(result) => result,
                        Err(_) => Err((
                            StatusCode::BAD_GATEWAY,
                            format!(
                                "no complete answer within {} s",
                                self.limits.timeout.as_secs_f64()
                            ),
                        )),
                    }
                    .map_err(|(status, text)| FetchError {
                        status,
                        text: format!("attachment {n}: {text}"),
                        attachment: n,
                    })?;
                Ok::<_, FetchError>((i, fetched))
            })
            .buffer_unordered(PARALLEL_FETCHES);
        let mut done = Vec::new();
        while let Some(result) = fetches.next().await {
            // An error returns at once: the fetches still running are dropped, so cancelled.
            done.push(result?);
        }
        drop(fetches);
        // In the attachments' order, whatever order the fetches ended in.
        done.sort_by_key(|(i, _)| *i);
        for (i, fetched) in done {
            let n = i + 1;
            let Some(object) = list.get_mut(i).and_then(Value::as_object_mut) else {
                continue;
            };
            object.remove("url");
            if !object.get("content_type").is_some_and(Value::is_string) {
                let Some(content_type) = fetched.content_type else {
                    return Err(FetchError {
                        status: StatusCode::BAD_GATEWAY,
                        text: format!(
                            "attachment {n}: no `content_type` given and the server sent none"
                        ),
                        attachment: n,
                    });
                };
                object.insert("content_type".into(), Value::String(content_type));
            }
            if !object.contains_key("filename")
                && !object.contains_key("file_name")
                && let Some(name) = fetched.file_name
            {
                object.insert("filename".into(), Value::String(name));
            }
            object.insert(
                "data".into(),
                Value::String(base64::engine::general_purpose::STANDARD.encode(&fetched.body)),
            );
        }
        Ok(())
    }

    /// One URL's body, following redirects. `Err` is the status to answer and the cause.
    async fn fetch(&self, url: &str) -> Result<Fetched, (StatusCode, String)> {
        let bad = |text: &str| (StatusCode::BAD_REQUEST, text.to_owned());
        let lower = url.trim().to_ascii_lowercase();
        if !(lower.starts_with("http://") || lower.starts_with("https://")) {
            return Err(bad("only http:// and https:// URLs are fetched"));
        }
        let parsed: Uri = url.trim().parse().map_err(|_| bad("`url` is not a URL"))?;
        let (mut uri, mut authorization) = split_credentials(&parsed).map_err(|e| bad(&e))?;
        let max = self.limits.max_size;
        let mut redirects = 0;
        loop {
            if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
                return Err(bad("only http:// and https:// URLs are fetched"));
            }
            // An address written in the URL is not resolved: checked here.
            let literal = uri
                .host()
                .unwrap_or_default()
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<IpAddr>();
            if !self.limits.allow_private_addresses && literal.is_ok_and(|ip| !is_public(ip)) {
                return Err(bad(&format!("{}: {NOT_PUBLIC}", origin(&uri))));
            }
            let mut request = http::Request::get(uri.clone());
            if let Some(value) = &authorization {
                request = request.header(http::header::AUTHORIZATION, value);
            }
            let request = request
                .body(Empty::new())
                .map_err(|_| bad("`url` is not a URL"))?;
            let response = self.client.request(request).await.map_err(|e| {
                let cause = std::error::Error::source(&e)
                    .map_or_else(|| e.to_string(), |source| source.to_string());
                let mut chain: Option<&(dyn std::error::Error + 'static)> = Some(&e);
                let mut refused = false;
                while let Some(error) = chain {
                    refused |= error.to_string().contains(NOT_PUBLIC);
                    chain = error.source();
                }
                if refused {
                    return bad(&format!("{}: {NOT_PUBLIC}", origin(&uri)));
                }
                (
                    StatusCode::BAD_GATEWAY,
                    format!("cannot fetch from {}: {cause}", origin(&uri)),
                )
            })?;
            let status = response.status();
            if status.is_redirection()
                && let Some(location) = response
                    .headers()
                    .get(http::header::LOCATION)
                    .and_then(|v| v.to_str().ok())
            {
                redirects += 1;
                if redirects > self.limits.max_redirects {
                    return Err((
                        StatusCode::BAD_GATEWAY,
                        format!(
                            "{} redirects more than {} times",
                            origin(&parsed),
                            self.limits.max_redirects
                        ),
                    ));
                }
                let next = resolve(&uri, location).ok_or_else(|| {
                    (
                        StatusCode::BAD_GATEWAY,
                        format!("{} redirects to an invalid URL", origin(&uri)),
                    )
                })?;
                let (next, credentials) = split_credentials(&next).map_err(|e| bad(&e))?;
                // Credentials go to the origin they were given for, not where it redirects.
                if credentials.is_some() || next.authority() != uri.authority() {
                    authorization = credentials;
                }
                uri = next;
                continue;
            }
            if !status.is_success() {
                return Err((
                    StatusCode::BAD_GATEWAY,
                    format!("{} answered HTTP {status}", origin(&uri)),
                ));
            }
            let too_large = || {
                (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("larger than the limit of {max} bytes"),
                )
            };
            let length = response
                .headers()
                .get(http::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            if length.is_some_and(|n| n > max as u64) {
                return Err(too_large());
            }
            let content_type = response
                .headers()
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.split(';').next().unwrap_or_default().trim().to_owned())
                .filter(|v| mm7_model::media::is_media_type(v));
            let body = Limited::new(response.into_body(), max)
                .collect()
                .await
                .map_err(|e| {
                    if e.is::<http_body_util::LengthLimitError>() {
                        too_large()
                    } else {
                        (
                            StatusCode::BAD_GATEWAY,
                            format!("the body from {} broke off: {e}", origin(&uri)),
                        )
                    }
                })?
                .to_bytes();
            if body.is_empty() {
                return Err((
                    StatusCode::BAD_GATEWAY,
                    format!("{} sent an empty body", origin(&uri)),
                ));
            }
            let file_name = uri
                .path()
                .rsplit('/')
                .next()
                .filter(|name| !name.is_empty())
                .and_then(mm7_model::media::safe_file_name);
            return Ok(Fetched {
                content_type,
                body,
                file_name,
            });
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    /// A local file server that counts: every path is a `image/png` body naming the path and
    /// the request's number (so the content changes with every download), `/slow…` after a
    /// delay, `/missing` a 404.
    pub(crate) struct Files {
        port: u16,
        served: Arc<AtomicUsize>,
        max_in_flight: Arc<AtomicUsize>,
        slow_done: Arc<AtomicUsize>,
    }

    impl Files {
        /// Listening on 127.0.0.1, its `/slow…` paths answering after `delay`.
        pub(crate) async fn start(delay: std::time::Duration) -> Files {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let port = listener.local_addr().unwrap().port();
            let served = Arc::new(AtomicUsize::new(0));
            let in_flight = Arc::new(AtomicUsize::new(0));
            let max_in_flight = Arc::new(AtomicUsize::new(0));
            let slow_done = Arc::new(AtomicUsize::new(0));
            let files = Files {
                port,
                served: served.clone(),
                max_in_flight: max_in_flight.clone(),
                slow_done: slow_done.clone(),
            };
            tokio::spawn(async move {
                while let Ok((mut stream, _)) = listener.accept().await {
                    let (served, in_flight, max_in_flight, slow_done) = (
                        served.clone(),
                        in_flight.clone(),
                        max_in_flight.clone(),
                        slow_done.clone(),
                    );
                    tokio::spawn(async move {
                        let mut head = Vec::new();
                        let mut buffer = [0u8; 1024];
                        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                            match stream.read(&mut buffer).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => head.extend_from_slice(&buffer[..n]),
                            }
                            if head.len() > 16 * 1024 {
                                return;
                            }
                        }
                        let head = String::from_utf8_lossy(&head).into_owned();
                        let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
                        let number = served.fetch_add(1, Ordering::SeqCst) + 1;
                        let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                        max_in_flight.fetch_max(now, Ordering::SeqCst);
                        if path.starts_with("/slow") {
                            tokio::time::sleep(delay).await;
                            slow_done.fetch_add(1, Ordering::SeqCst);
                        }
                        in_flight.fetch_sub(1, Ordering::SeqCst);
                        let answer = if path == "/missing" {
                            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\
                             Connection: close\r\n\r\n"
                                .to_owned()
                        } else {
                            let body = format!("{path} #{number}");
                            format!(
                                "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\
                                 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                                body.len()
                            )
                        };
                        let _ = stream.write_all(answer.as_bytes()).await;
                    });
                }
            });
            files
        }

        /// The URL of `path` on it.
        pub(crate) fn url(&self, path: &str) -> String {
            format!("http://127.0.0.1:{}{path}", self.port)
        }

        /// Requests received so far.
        pub(crate) fn served(&self) -> usize {
            self.served.load(Ordering::SeqCst)
        }
    }

    /// A fetcher that may reach the loopback test server.
    pub(crate) fn local_fetcher() -> Fetcher {
        Fetcher::new(AttachmentFetch {
            allow_private_addresses: true,
            ..AttachmentFetch::default()
        })
        .unwrap()
    }

    fn decoded(item: &Value) -> String {
        let data = base64::engine::general_purpose::STANDARD
            .decode(item["data"].as_str().unwrap())
            .unwrap();
        String::from_utf8(data).unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn several_urls_are_fetched_side_by_side_in_their_order() {
        let files = Files::start(std::time::Duration::from_millis(300)).await;
        let fetcher = local_fetcher();
        let mut request = serde_json::json!({"attachments": [
            {"url": files.url("/slow-a.png")},
            {"content_type": "text/plain", "data": "aGk="},
            {"url": files.url("/slow-b.png")},
            {"url": files.url("/slow-c.png")},
        ]});
        fetcher.resolve(&mut request).await.unwrap();
        assert_eq!(files.served(), 3);
        let max = files.max_in_flight.load(Ordering::SeqCst);
        assert!(max >= 2, "at most {max} fetch at a time");
        let list = request["attachments"].as_array().unwrap();
        assert!(decoded(&list[0]).starts_with("/slow-a.png #"), "{list:?}");
        assert_eq!(list[1]["data"], "aGk=");
        assert!(decoded(&list[2]).starts_with("/slow-b.png #"), "{list:?}");
        assert!(decoded(&list[3]).starts_with("/slow-c.png #"), "{list:?}");
        assert_eq!(list[3]["filename"], "slow-c.png");
        assert!(list.iter().all(|item| item.get("url").is_none()));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_first_failure_names_its_attachment_and_ends_the_others() {
        // The slow ones would take long: the failure does not wait for them.
        let files = Files::start(std::time::Duration::from_secs(3)).await;
        let fetcher = local_fetcher();
        let mut request = serde_json::json!({"attachments": [
            {"url": files.url("/slow-a.png")},
            {"url": files.url("/missing")},
            {"url": files.url("/slow-c.png")},
        ]});
        let error = fetcher.resolve(&mut request).await.unwrap_err();
        assert_eq!(error.status, StatusCode::BAD_GATEWAY, "{error:?}");
        assert_eq!(error.attachment, 2, "{error:?}");
        assert!(error.text.starts_with("attachment 2: "), "{error:?}");
        assert_eq!(files.slow_done.load(Ordering::SeqCst), 0);
        // A URL that is wrong is named before anything is fetched.
        let served = files.served();
        let mut request = serde_json::json!({"attachments": [
            {"url": files.url("/slow-a.png")},
            {"url": 7},
        ]});
        let error = fetcher.resolve(&mut request).await.unwrap_err();
        assert_eq!(error.attachment, 2, "{error:?}");
        assert_eq!(error.status, StatusCode::BAD_REQUEST, "{error:?}");
        assert_eq!(files.served(), served);
    }

    #[test]
    fn redirects_resolve_against_the_url() {
        let base: Uri = "http://127.0.0.1:8/a/b.png?x=1".parse().unwrap();
        assert_eq!(
            resolve(&base, "/c.png").unwrap().to_string(),
            "http://127.0.0.1:8/c.png"
        );
        assert_eq!(
            resolve(&base, "c.png").unwrap().to_string(),
            "http://127.0.0.1:8/a/c.png"
        );
        assert_eq!(
            resolve(&base, "https://h.example/d").unwrap().to_string(),
            "https://h.example/d"
        );
        assert_eq!(
            resolve(&base, "//h.example/e").unwrap().to_string(),
            "http://h.example/e"
        );
    }

    #[test]
    fn only_public_addresses_by_default() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["93.184.216.34", "8.8.8.8", "2606:4700::1111"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[tokio::test]
    async fn a_private_address_is_refused_before_any_connection() {
        let fetcher = Fetcher::new(AttachmentFetch::default()).unwrap();
        for url in [
            "http://127.0.0.1:9/a.png",
            "http://[::1]:9/a.png",
            "http://localhost:9/a.png",
        ] {
            let mut request = serde_json::json!({"attachments": [{"url": url}]});
            let error = fetcher.resolve(&mut request).await.unwrap_err();
            assert_eq!(error.status, StatusCode::BAD_REQUEST, "{url}: {error:?}");
            assert!(error.text.contains("private"), "{url}: {error:?}");
            assert_eq!(error.attachment, 1);
        }
    }

    #[test]
    fn credentials_leave_the_url() {
        let uri: Uri = "https://user:pa55@h.example:8443/p?q".parse().unwrap();
        let (bare, auth) = split_credentials(&uri).unwrap();
        assert_eq!(bare.to_string(), "https://h.example:8443/p?q");
        assert_eq!(auth.unwrap(), "Basic dXNlcjpwYTU1");
        assert_eq!(origin(&bare), "https://h.example");
    }
}

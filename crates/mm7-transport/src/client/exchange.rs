//! One HTTP exchange, its outcome told apart, and the two ways of trying again.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{
    AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderValue, WWW_AUTHENTICATE,
};
use mm7_model::{Envelope, Message, Mm7Version, Part, StatusCode};
use mm7_soap::{Decoded, EncodeError, Warning};
use tracing::Instrument;

use super::body::{RequestBody, excerpt, read_limited};
use super::error::{ClientError, EXCERPT_LIMIT};
use super::response::{Operation, Response};
use super::retry::CallbackOutcome;
use super::transaction::new_transaction_id;
use super::{Client, SendOptions};
use crate::profile::{SubmitContext, Violation};

/// A request encoded once, sent as many times as the policy says.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub(crate) transaction_id: String,
    operation: &'static str,
    content_type: HeaderValue,
    body: RequestBody,
    headers: HeaderMap,
    /// The profile's warnings about the request.
    profile_warnings: Vec<Violation>,
    /// The namespace URI and `MM7Version` the request was sent in, to compare the answer's.
    namespace: String,
    mm7_version: Option<Mm7Version>,
}

/// A decoded answer that is not a Fault.
pub(crate) struct Answer {
    pub(crate) http_status: http::StatusCode,
    pub(crate) decoded: Decoded,
    body: Bytes,
    content_type: String,
}

/// How strictly an answer is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Judge {
    /// A VASP's request: any 2xx; 1000 or 1100; a missing TransactionID tolerated.
    Request,
    /// A callback, as providers define its success: HTTP 200, the request's TransactionID,
    /// StatusCode 1000.
    Callback,
}

impl Client {
    pub(crate) fn prepare<R: Operation>(
        &self,
        mut request: R,
        attachments: Vec<Part>,
        options: SendOptions,
    ) -> Result<Prepared, ClientError> {
        if request.mm7_version_mut().is_empty() {
            *request.mm7_version_mut() = self.inner.mm7_version.clone();
        }
        let envelope = Envelope {
            transaction_id: options
                .transaction_id
                .filter(|id| !id.trim().is_empty())
                .unwrap_or_else(new_transaction_id),
            namespace: self.inner.namespace.clone(),
            message: request.into(),
            attachments,
        };
        self.prepare_envelope(&envelope, options.headers)
    }

    pub(crate) fn prepare_envelope(
        &self,
        envelope: &Envelope,
        headers: HeaderMap,
    ) -> Result<Prepared, ClientError> {
        let encoded = mm7_soap::encode(envelope, &self.inner.encode)?;
        for warning in &encoded.warnings {
            tracing::debug!(%warning, "encoding");
        }
        let content_type = HeaderValue::from_str(&encoded.content_type)
            .map_err(|e| EncodeError::Content(format!("Content-Type: {e}")))?;
        let body = RequestBody::new(encoded.body);
        let profile_warnings = self.check_profile(envelope, &headers, body.len())?;
        Ok(Prepared {
            transaction_id: envelope.transaction_id.clone(),
            operation: envelope.message.operation_name(),
            content_type,
            body,
            headers,
            profile_warnings,
            namespace: envelope.namespace.uri().to_owned(),
            mm7_version: envelope.message.mm7_version().cloned(),
        })
    }

    /// The client's profile over an encoded request, before anything is sent: its warnings,
    /// or [`ClientError::Profile`] when it finds errors.
    fn check_profile(
        &self,
        envelope: &Envelope,
        request_headers: &HeaderMap,
        body_len: u64,
    ) -> Result<Vec<Violation>, ClientError> {
        let Some(profile) = self.inner.profile else {
            return Ok(Vec::new());
        };
        // The headers as `exchange_once` will send them: per-request ones replace the
        // client's of the same name.
        let mut headers = self.inner.headers.clone();
        for name in request_headers.keys() {
            headers.remove(name);
        }
        for (name, value) in request_headers {
            headers.append(name.clone(), value.clone());
        }
        let context = SubmitContext::new()
            .with_headers(headers)
            .with_body_len(body_len)
            .with_url(self.inner.uri.clone());
        let violations = profile.check_envelope(envelope, &context);
        if crate::profile::has_errors(&violations) {
            for violation in &violations {
                tracing::debug!(%violation, %profile, "profile");
            }
            return Err(ClientError::Profile {
                profile,
                violations,
            });
        }
        for violation in &violations {
            tracing::warn!(%violation, %profile, transaction_id = %envelope.transaction_id, "profile");
        }
        Ok(violations)
    }

    /// A VASP's request under the client's [`RetryPolicy`](super::RetryPolicy).
    pub(crate) async fn request<R: Operation>(
        &self,
        request: R,
        attachments: Vec<Part>,
        options: SendOptions,
    ) -> Result<Response<R::Rsp>, ClientError> {
        let prepared = self.prepare(request, attachments, options)?;
        self.request_prepared::<R>(prepared).await
    }

    /// A VASP's request sent as built: the envelope's TransactionID (a generated one when
    /// blank) and namespace, the client's `MM7Version` when it has none; then as
    /// [`request`](Self::request).
    pub(crate) async fn request_envelope<R: Operation>(
        &self,
        mut envelope: Envelope,
        options: SendOptions,
    ) -> Result<Response<R::Rsp>, ClientError> {
        if envelope.message.operation() != Some(R::REQ) {
            return Err(ClientError::WrongOperation {
                expected: R::REQ.element_name(),
                found: envelope.message.operation_name(),
            });
        }
        if let Some(id) = options.transaction_id.filter(|id| !id.trim().is_empty()) {
            envelope.transaction_id = id;
        } else if envelope.transaction_id.trim().is_empty() {
            envelope.transaction_id = new_transaction_id();
        }
        fill_mm7_version(&mut envelope.message, &self.inner.mm7_version);
        let prepared = self.prepare_envelope(&envelope, options.headers)?;
        self.request_prepared::<R>(prepared).await
    }

    async fn request_prepared<R: Operation>(
        &self,
        prepared: Prepared,
    ) -> Result<Response<R::Rsp>, ClientError> {
        let policy = &self.inner.retry;
        let mut tries = 0;
        loop {
            tries += 1;
            let outcome = self
                .exchange(&prepared, self.inner.timeout, tries)
                .await
                .and_then(|answer| judge::<R>(answer, &prepared, Judge::Request));
            match outcome {
                Ok(mut response) => {
                    response.tries = tries;
                    response
                        .profile_warnings
                        .clone_from(&prepared.profile_warnings);
                    return Ok(response);
                }
                Err(error) if tries < policy.max_tries() && policy.should_retry(&error) => {
                    // The peer's Retry-After, when longer than the backoff, is honoured.
                    let wait = policy
                        .backoff(tries)
                        .max(error.retry_after().unwrap_or_default());
                    tracing::warn!(
                        operation = prepared.operation,
                        transaction_id = %prepared.transaction_id,
                        tries,
                        ?wait,
                        %error,
                        "retrying"
                    );
                    tokio::time::sleep(wait).await;
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// A callback under the client's [`CallbackPolicy`](super::CallbackPolicy).
    pub(crate) async fn callback<R: Operation>(
        &self,
        request: R,
        attachments: Vec<Part>,
        options: SendOptions,
    ) -> CallbackOutcome<R::Rsp> {
        let prepared = match self.prepare(request, attachments, options) {
            Ok(prepared) => prepared,
            Err(error) => {
                return CallbackOutcome {
                    outcome: Err(error),
                    tries: 0,
                    failures: Vec::new(),
                };
            }
        };
        let policy = &self.inner.callback;
        let max_tries = policy.max_tries.max(1);
        let mut failures = Vec::new();
        let mut tries = 0;
        loop {
            tries += 1;
            let outcome = self
                .exchange(&prepared, policy.timeout, tries)
                .await
                .and_then(|answer| judge::<R>(answer, &prepared, Judge::Callback));
            match outcome {
                Ok(mut response) => {
                    response.tries = tries;
                    return CallbackOutcome {
                        outcome: Ok(response),
                        tries,
                        failures,
                    };
                }
                Err(error) if tries < max_tries => {
                    tracing::warn!(
                        operation = prepared.operation,
                        transaction_id = %prepared.transaction_id,
                        tries,
                        wait = ?policy.interval,
                        %error,
                        "callback not accepted; will try again"
                    );
                    failures.push(error);
                    tokio::time::sleep(policy.interval).await;
                }
                Err(error) => {
                    return CallbackOutcome {
                        outcome: Err(error),
                        tries,
                        failures,
                    };
                }
            }
        }
    }

    /// One HTTP exchange within `timeout`, in its own span.
    pub(crate) async fn exchange(
        &self,
        prepared: &Prepared,
        timeout: Duration,
        try_number: u32,
    ) -> Result<Answer, ClientError> {
        let span = tracing::info_span!(
            "mm7_request",
            operation = prepared.operation,
            transaction_id = %prepared.transaction_id,
            url = %self.inner.display_url,
            try_number,
            http_status = tracing::field::Empty,
            mm7_status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        async move {
            // Waiting for a free connection slot is not the peer's slowness: the timeout
            // starts once the request can go.
            let _permit = match &self.inner.limiter {
                Some(limiter) => limiter.clone().acquire_owned().await.ok(),
                None => None,
            };
            let started = Instant::now();
            let outcome = tokio::time::timeout(timeout, self.exchange_once(prepared))
                .await
                .unwrap_or(Err(ClientError::Timeout { after: timeout }));
            let span = tracing::Span::current();
            span.record("duration_ms", started.elapsed().as_millis());
            match &outcome {
                Ok(answer) => {
                    span.record("http_status", answer.http_status.as_u16());
                    if let Some(status) = answer.decoded.envelope.message.status() {
                        span.record("mm7_status", status.code.get());
                    }
                    tracing::debug!("answered");
                }
                Err(error) => {
                    if let Some(status) = error.http_status() {
                        span.record("http_status", status.as_u16());
                    }
                    if let Some(code) = error.status_code() {
                        span.record("mm7_status", code.get());
                    }
                    tracing::debug!(%error, "failed");
                }
            }
            outcome
        }
        .instrument(span)
        .await
    }

    async fn exchange_once(&self, prepared: &Prepared) -> Result<Answer, ClientError> {
        let inner = &self.inner;
        let mut request = http::Request::post(inner.uri.clone())
            .body(prepared.body.clone())
            .map_err(|e| ClientError::InvalidUrl {
                reason: e.to_string(),
            })?;
        let headers = request.headers_mut();
        headers.clone_from(&inner.headers);
        for name in prepared.headers.keys() {
            headers.remove(name);
        }
        for (name, value) in &prepared.headers {
            headers.append(name.clone(), value.clone());
        }
        headers.insert(CONTENT_TYPE, prepared.content_type.clone());
        headers.insert(CONTENT_LENGTH, HeaderValue::from(prepared.body.len()));
        let credentials_sent = headers.contains_key(AUTHORIZATION);

        let response = inner.http.request(request).await.map_err(from_hyper)?;
        let (parts, body) = response.into_parts();
        let status = parts.status;
        let content_type = parts
            .headers
            .get(CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .unwrap_or_default();
        match status {
            http::StatusCode::UNAUTHORIZED => Err(ClientError::Unauthorized {
                challenge: parts
                    .headers
                    .get(WWW_AUTHENTICATE)
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
                credentials_sent,
            }),
            http::StatusCode::FORBIDDEN => Err(ClientError::Forbidden),
            http::StatusCode::PAYLOAD_TOO_LARGE => Err(ClientError::PayloadTooLarge {
                sent: prepared.body.len(),
            }),
            // TS 23.140 §9.2: MM7 errors travel as a SOAP Fault with HTTP 500.
            s if s.is_success() || s == http::StatusCode::INTERNAL_SERVER_ERROR => {
                let read = read_limited(body, inner.max_response_size)
                    .await
                    .map_err(transport)?;
                if read.truncated {
                    return Err(ClientError::ResponseTooLarge {
                        status,
                        limit: inner.max_response_size,
                    });
                }
                match mm7_soap::decode(&content_type, read.bytes.clone(), &inner.decode) {
                    Ok(Decoded {
                        envelope:
                            Envelope {
                                message: Message::Fault(fault),
                                ..
                            },
                        ..
                    }) => Err(ClientError::Fault {
                        fault: Box::new(fault),
                        http_status: status,
                    }),
                    Ok(decoded) => Ok(Answer {
                        http_status: status,
                        decoded,
                        body: read.bytes,
                        content_type,
                    }),
                    Err(error) if status.is_success() => Err(ClientError::Undecodable {
                        body: read.bytes,
                        content_type,
                        error,
                    }),
                    // A 500 without an MM7 body is the peer failing, not an MM7 answer.
                    Err(_) => Err(ClientError::Http {
                        status,
                        content_type,
                        excerpt: excerpt(&read.bytes, EXCERPT_LIMIT),
                        retry_after: retry_after(&parts.headers),
                    }),
                }
            }
            _ => {
                let read = read_limited(body, EXCERPT_LIMIT).await.map_err(transport)?;
                Err(ClientError::Http {
                    status,
                    content_type,
                    excerpt: excerpt(&read.bytes, EXCERPT_LIMIT),
                    retry_after: retry_after(&parts.headers),
                })
            }
        }
    }
}

/// A `Retry-After` header's delay in seconds (RFC 9110 §10.2.3), at most a day.
fn retry_after(headers: &http::HeaderMap) -> Option<std::time::Duration> {
    let seconds: u64 = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(std::time::Duration::from_secs(seconds.min(86_400)))
}

/// Tells a decoded answer's outcome: the expected operation, the TransactionID, the status.
fn judge<R: Operation>(
    answer: Answer,
    prepared: &Prepared,
    judge: Judge,
) -> Result<Response<R::Rsp>, ClientError> {
    let Answer {
        http_status,
        decoded,
        body,
        content_type,
    } = answer;
    let Decoded {
        envelope,
        mut warnings,
        ..
    } = decoded;
    let Envelope {
        transaction_id,
        namespace,
        message,
        attachments,
    } = envelope;
    let rebuild = |message: Message| {
        Box::new(Envelope {
            transaction_id: transaction_id.clone(),
            namespace: namespace.clone(),
            message,
            attachments: attachments.clone(),
        })
    };
    let rsp = match R::answer(message) {
        Ok(rsp) => rsp,
        Err(other) => {
            if let (Message::RsErrorRsp(_) | Message::VaspErrorRsp(_), Some(status)) =
                (&*other, other.status().cloned())
            {
                return Err(ClientError::Mm7 {
                    status,
                    response: rebuild(*other),
                });
            }
            return Err(ClientError::UnexpectedOperation {
                expected: R::RSP_NAME,
                received: other.operation_name(),
                response: rebuild(*other),
                http_status,
            });
        }
    };
    let status = R::status(&rsp).clone();
    let id_matches = transaction_id == prepared.transaction_id
        || (judge == Judge::Request && transaction_id.is_empty());
    let success = match judge {
        Judge::Request => status.is_success(),
        Judge::Callback => status.code == StatusCode::SUCCESS,
    };
    let http_ok = match judge {
        Judge::Request => http_status.is_success(),
        Judge::Callback => http_status == http::StatusCode::OK,
    };
    if !success {
        return Err(ClientError::Mm7 {
            status,
            response: rebuild(rsp.into()),
        });
    }
    if !http_ok {
        // A success status under an error HTTP status (or, for a callback, a 2xx that is not
        // 200): the peer contradicts itself; report the HTTP side.
        return Err(ClientError::Http {
            status: http_status,
            content_type,
            excerpt: excerpt(&body, EXCERPT_LIMIT),
            retry_after: None,
        });
    }
    if !id_matches {
        return Err(ClientError::TransactionMismatch {
            sent: prepared.transaction_id.clone(),
            received: transaction_id.clone(),
            response: rebuild(rsp.into()),
            http_status,
        });
    }
    // A peer that answers in another namespace or MM7Version than it was asked in often
    // speaks another release than the client was set up for: said, not refused.
    if namespace.uri() != prepared.namespace {
        warnings.push(Warning::Lenient(format!(
            "the answer is in the namespace {:?}, the request was in {:?}",
            namespace.uri(),
            prepared.namespace
        )));
    }
    let received = R::rsp_version(&rsp);
    if let Some(sent) = &prepared.mm7_version
        && sent != received
        && !received.is_empty()
    {
        warnings.push(Warning::Lenient(format!(
            "the answer's MM7Version is {received}, the request's {sent}"
        )));
    }
    Ok(Response {
        status,
        message: rsp,
        transaction_id: prepared.transaction_id.clone(),
        http_status,
        warnings,
        tries: 1,
        profile_warnings: Vec::new(),
    })
}

/// Sets the `MM7Version` of a request that has none.
pub(crate) fn fill_mm7_version(message: &mut Message, version: &Mm7Version) {
    if !message.is_request() {
        return;
    }
    if let Some(slot) = message.mm7_version_mut()
        && slot.is_empty()
    {
        *slot = version.clone();
    }
}

/// Tells a failed connection (nothing sent) from a failed exchange, and TLS from the rest.
fn from_hyper(error: hyper_util::client::legacy::Error) -> ClientError {
    let reason = chain(&error);
    let tls = find_tls_error(&error);
    let connect = error.is_connect();
    let source: Option<super::error::BoxError> = Some(Box::new(error));
    if tls {
        return ClientError::Tls { reason, source };
    }
    if connect {
        ClientError::Connect { reason, source }
    } else {
        ClientError::Transport { reason, source }
    }
}

fn transport(error: hyper::Error) -> ClientError {
    ClientError::Transport {
        reason: chain(&error),
        source: Some(Box::new(error)),
    }
}

/// The error and its causes, `: `-separated, each once.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = next_cause(error);
    while let Some(e) = cause {
        let more = e.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = next_cause(e);
    }
    text
}

/// The cause of `error`. `io::Error::source` skips the error it wraps, and the TLS
/// connector wraps the handshake's `rustls::Error` in two of them, so look inside directly.
fn next_cause<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a (dyn std::error::Error + 'static)> {
    if let Some(inner) = error
        .downcast_ref::<std::io::Error>()
        .and_then(std::io::Error::get_ref)
    {
        return Some(inner);
    }
    error.source()
}

fn find_tls_error(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(e) = cause {
        if e.is::<rustls::Error>() {
            return true;
        }
        cause = next_cause(e);
    }
    false
}

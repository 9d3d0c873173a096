//! [`Mm7Service`]: one request in, one answer out. Usable as a hyper service (which
//! [`Server`](crate::server::Server) does) or as a `tower` service (to mount in axum).

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use futures_util::FutureExt as _;
use http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};
use http::{Method, Request, Response, StatusCode as HttpStatus};
use hyper::body::Body;
use mm7_model::{Envelope, Status, StatusCode};
use tracing::Instrument;
use tracing::field::Empty;

use crate::server::answer::{self, AnswerBody, Echo};
use crate::server::body::{self, BodyError};
use crate::server::dispatch::{self, Failure, RequestParts};
use crate::server::layer::{self, AuthFailure, AuthenticatedUser, peer_from_extensions};
use crate::server::observe::{self, Answered, Outcome};
use crate::server::{Handler, ServerConfig};

/// The MM7 request service: checks the peer's address, its credentials, the method and the
/// body size, decodes the body, calls the [`Handler`], and encodes the answer.
///
/// It implements both `hyper::service::Service` and `tower_service::Service` for a request
/// with any body, so it can be served by [`Server`](crate::server::Server), by a hyper
/// connection of one's own, or mounted in a tower-based framework such as axum
/// (`Router::new().route_service("/mm7", service)`).
///
/// The allow-list needs the peer's address: [`Mm7Service::with_peer`] gives it, or else a
/// [`SocketAddr`] in the request's extensions, or (with the `axum` feature) axum's
/// `ConnectInfo<SocketAddr>`, which `Router::into_make_service_with_connect_info::<SocketAddr>()`
/// sets. When none is there and an allow-list is configured, the request is refused (403).
///
/// The allow-list and authentication may also come from outside, as tower layers
/// ([`layer`](crate::server::layer)): an [`AuthenticatedUser`] extension set by one is the
/// handler's [`Inbound::user`](crate::server::Inbound::user) when the configuration has no
/// accounts of its own.
///
/// ```
/// use http_body_util::{BodyExt, Full};
/// use mm7_transport::server::{Handler, Mm7Service, Role, ServerConfig};
///
/// struct Nothing;
/// impl Handler for Nothing {}
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let service = Mm7Service::new(ServerConfig::new(Role::Mmsc), Nothing);
/// let request = http::Request::post("/mm7")
///     .header("Content-Type", "text/xml")
///     .body(Full::new(bytes::Bytes::from_static(b"<not-soap/>")))
///     .unwrap();
/// let response = service.answer(request).await;
/// // Whatever reached the decoder is answered with an MM7 fault.
/// assert_eq!(response.status(), 500);
/// let body = response.into_body().collect().await.unwrap().to_bytes();
/// assert!(std::str::from_utf8(&body).unwrap().contains("<StatusCode>2007</StatusCode>"));
/// # });
/// ```
pub struct Mm7Service<H> {
    shared: Arc<Shared<H>>,
    peer: Option<SocketAddr>,
}

struct Shared<H> {
    config: ServerConfig,
    handler: H,
}

impl<H> Clone for Mm7Service<H> {
    fn clone(&self) -> Self {
        Mm7Service {
            shared: Arc::clone(&self.shared),
            peer: self.peer,
        }
    }
}

impl<H> fmt::Debug for Mm7Service<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mm7Service")
            .field("config", &self.shared.config)
            .field("peer", &self.peer)
            .finish_non_exhaustive()
    }
}

impl<H: Handler> Mm7Service<H> {
    /// A service answering with `handler` under `config`.
    pub fn new(config: ServerConfig, handler: H) -> Mm7Service<H> {
        Mm7Service {
            shared: Arc::new(Shared { config, handler }),
            peer: None,
        }
    }

    /// The same service, for requests from `peer` (one per connection).
    #[must_use]
    pub fn with_peer(&self, peer: SocketAddr) -> Mm7Service<H> {
        Mm7Service {
            shared: Arc::clone(&self.shared),
            peer: Some(peer),
        }
    }

    /// The peer this service answers, when set.
    pub(crate) fn peer(&self) -> Option<SocketAddr> {
        self.peer
    }

    /// The configuration.
    pub fn config(&self) -> &ServerConfig {
        &self.shared.config
    }

    /// The handler.
    pub fn handler(&self) -> &H {
        &self.shared.handler
    }

    /// Answers one request. Never fails: every outcome is an HTTP answer (an MM7 envelope,
    /// a SOAP Fault, or a bare 401/403/405/408/413 for what never reached the decoder).
    pub fn answer<B>(
        &self,
        request: Request<B>,
    ) -> impl Future<Output = Response<AnswerBody>> + Send + 'static
    where
        B: Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let shared = Arc::clone(&self.shared);
        let peer = self
            .peer
            .or_else(|| peer_from_extensions(request.extensions()));
        let span = tracing::info_span!(
            "mm7_request",
            peer = peer.map(tracing::field::display),
            path = %request.uri().path(),
            operation = Empty,
            transaction_id = Empty,
            status = Empty,
            http_status = Empty,
            duration_ms = Empty,
        );
        async move {
            let started = Instant::now();
            let mut outcome = Outcome {
                observed: shared.config.observer.is_some(),
                ..Outcome::default()
            };
            let response = respond(&shared, peer, request, &mut outcome).await;
            let span = tracing::Span::current();
            span.record("http_status", response.status().as_u16());
            span.record(
                "duration_ms",
                u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            );
            tracing::info!("answered");
            if let Some(observer) = &shared.config.observer {
                let status = response.status();
                (observer.0)(&Answered {
                    peer,
                    operation: outcome.operation,
                    transaction_id: outcome.transaction_id,
                    http_status: status.as_u16(),
                    mm7_status: outcome.mm7_status,
                    reason: outcome
                        .reason
                        .unwrap_or_else(|| status.canonical_reason().unwrap_or("").to_owned()),
                    duration: started.elapsed(),
                });
            }
            response
        }
        .instrument(span)
    }
}

async fn respond<H, B>(
    shared: &Shared<H>,
    peer: Option<SocketAddr>,
    request: Request<B>,
    outcome: &mut Outcome,
) -> Response<AnswerBody>
where
    H: Handler,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let config = &shared.config;
    let deadline = tokio::time::Instant::now() + config.request_timeout;
    let span = tracing::Span::current();

    // Who may call is settled before a byte of the body is read.
    if !config.allowed.is_empty() && !layer::allowed(&config.allowed, peer) {
        tracing::warn!("address not in the allow-list");
        outcome.reason = Some("address not in the allow-list".into());
        return answer::refusal(HttpStatus::FORBIDDEN, "address not allowed\n");
    }
    let raw_head = observe::head_text(&request);
    let (mut parts, body) = request.into_parts();
    let user = if config.requires_auth() {
        match layer::authenticate(&config.credentials, &parts.headers) {
            Ok(account) => Some(account.user().to_string()),
            Err(failure) => {
                // Neither the header nor the user name is logged: both are credentials.
                let presented = failure == AuthFailure::Mismatch;
                tracing::warn!(presented, "authentication failed");
                outcome.reason = Some(
                    if presented {
                        "authentication failed"
                    } else {
                        "no credentials"
                    }
                    .into(),
                );
                return answer::unauthorized(&config.realm);
            }
        }
    } else {
        // An outer layer's authentication (BasicAuthLayer, or the application's own).
        parts
            .extensions
            .get::<AuthenticatedUser>()
            .map(|user| user.0.clone())
    };
    parts.headers.remove(AUTHORIZATION);
    if parts.method != Method::POST {
        outcome.reason = Some(format!("method {} is not POST", parts.method));
        return answer::method_not_allowed();
    }
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let mut body = Box::pin(body);
    if declared.is_some_and(|n| n > config.body_limit as u64) {
        tracing::warn!(declared, limit = config.body_limit, "body too large");
        outcome.reason = Some(format!(
            "body too large (limit {} bytes)",
            config.body_limit
        ));
        body::linger(body);
        return answer::refusal(HttpStatus::PAYLOAD_TOO_LARGE, "body too large\n");
    }
    let collected = body::collect(body.as_mut(), config.body_limit);
    let body = match tokio::time::timeout_at(deadline, collected).await {
        Ok(Ok(body)) => body,
        Ok(Err(BodyError::TooLarge)) => {
            tracing::warn!(limit = config.body_limit, "body too large");
            outcome.reason = Some(format!(
                "body too large (limit {} bytes)",
                config.body_limit
            ));
            body::linger(body);
            return answer::refusal(HttpStatus::PAYLOAD_TOO_LARGE, "body too large\n");
        }
        Ok(Err(BodyError::Read(error))) => {
            tracing::warn!(%error, "body could not be read");
            outcome.reason = Some(format!("body could not be read: {error}"));
            return answer::refusal(HttpStatus::BAD_REQUEST, "body could not be read\n");
        }
        Err(_) => {
            tracing::warn!("body not received in time");
            outcome.reason = Some("body not received in time".into());
            return answer::refusal(HttpStatus::REQUEST_TIMEOUT, "request timed out\n");
        }
    };

    // Decoded and handed to the handler in a block of its own: the decoded message moves
    // into the handler's (boxed) future, and nothing of it stays in this request's state
    // beside that future while the handler runs (the state is copied whole into its box).
    let (dispatched, mut echo) = {
        let content_type = parts
            .headers
            .get(CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()))
            .unwrap_or_default();
        let raw_body = body.clone();
        let decoded = match mm7_soap::decode(&content_type, body, &config.decode) {
            Ok(decoded) => decoded,
            Err(error) => {
                let echo = Echo {
                    transaction_id: error.transaction_id.clone(),
                    namespace: error.namespace.clone(),
                    mm7_version: error.mm7_version.clone().map(Into::into),
                };
                record_request(
                    &span,
                    outcome,
                    error.operation.as_deref(),
                    echo.transaction_id.as_deref(),
                );
                let code = error.status_code();
                span.record("status", code.get());
                outcome.mm7_status = Some(code.get());
                outcome.reason = Some(error.to_string());
                tracing::warn!(%error, "request could not be decoded");
                return answer::fault(
                    config.role,
                    Status::new(code, error.to_string()),
                    Some(error.fault_code()),
                    &echo,
                    &config.encode,
                );
            }
        };
        for warning in &decoded.warnings {
            tracing::debug!(%warning, "request read leniently");
        }
        let envelope = decoded.envelope;
        let echo = Echo {
            transaction_id: Some(envelope.transaction_id.clone()),
            namespace: Some(envelope.namespace.clone()),
            mm7_version: envelope.mm7_version().cloned(),
        };
        record_request(
            &span,
            outcome,
            Some(envelope.message.operation_name()),
            Some(&envelope.transaction_id),
        );
        let request_parts = RequestParts {
            peer,
            user,
            headers: parts.headers,
            extensions: parts.extensions,
            warnings: decoded.warnings,
            raw_head,
            raw_body,
        };
        (
            dispatch::dispatch(&shared.handler, envelope, request_parts),
            echo,
        )
    };
    let handled = match dispatched {
        Ok(dispatched) => tokio::time::timeout_at(deadline, dispatched)
            .await
            .map(dispatch::outcome),
        Err(failure) => Ok(Err(failure)),
    };
    let error_status = match handled {
        Ok(Ok(mut message)) => {
            if let Some(version) = &echo.mm7_version {
                dispatch::echo_version(&mut message, version);
            }
            let code = message.status().map(|s| s.code);
            if let Some(status) = message.status().filter(|_| outcome.observed) {
                outcome.reason =
                    Some(status.text.clone().unwrap_or_else(|| {
                        status.code.name().map_or_else(String::new, str::to_owned)
                    }));
            }
            // The TransactionID moves into the reply, and back when a Fault must echo it.
            let reply = Envelope::new(
                echo.transaction_id.take().unwrap_or_default(),
                echo.namespace.clone().unwrap_or_default(),
                message,
            );
            let answered = answer::envelope(HttpStatus::OK, &reply, &config.encode);
            echo.transaction_id = Some(reply.transaction_id);
            match answered {
                Ok(response) => {
                    if let Some(code) = code {
                        span.record("status", code.get());
                        outcome.mm7_status = Some(code.get());
                    }
                    return response;
                }
                Err(error) => {
                    tracing::error!(%error, "the handler's response could not be encoded");
                    Status::new(
                        StatusCode::SERVER_ERROR,
                        "the response could not be encoded",
                    )
                }
            }
        }
        Ok(Err(Failure::Refused(error))) => {
            if let Some(cause) = std::error::Error::source(&error) {
                // The cause stays here: the peer sees the status alone.
                tracing::warn!(cause = %Chain(cause), "handler refusal caused by");
            }
            let status = error.into_status();
            if status.is_success() {
                tracing::error!(
                    code = status.code.get(),
                    "handler error with a success code"
                );
                Status::from_code(StatusCode::SERVER_ERROR)
            } else {
                tracing::info!(code = status.code.get(), "handler refused the request");
                status
            }
        }
        Ok(Err(Failure::Panicked(message))) => {
            tracing::error!(panic = %message, "handler panicked");
            Status::from_code(StatusCode::SERVER_ERROR)
        }
        Err(_) => {
            tracing::error!("handler did not answer in time");
            Status::new(StatusCode::SERVER_ERROR, "the request timed out")
        }
    };
    span.record("status", error_status.code.get());
    outcome.mm7_status = Some(error_status.code.get());
    outcome.reason = Some(error_status.text.clone().unwrap_or_else(|| {
        error_status
            .code
            .name()
            .map_or_else(String::new, str::to_owned)
    }));
    answer::fault(config.role, error_status, None, &echo, &config.encode)
}

fn record_request(
    span: &tracing::Span,
    outcome: &mut Outcome,
    operation: Option<&str>,
    transaction_id: Option<&str>,
) {
    if let Some(operation) = operation {
        span.record("operation", operation);
        if outcome.observed {
            outcome.operation = Some(operation.to_owned());
        }
    }
    if let Some(transaction_id) = transaction_id {
        span.record("transaction_id", transaction_id);
        if outcome.observed {
            outcome.transaction_id = Some(transaction_id.to_owned());
        }
    }
}

/// The answer's future, boxed once: mapped by a combinator rather than awaited in an `async`
/// block, which would hold it twice (3 448 bytes instead of 1 720 for a request from hyper).
type AnswerFuture = Pin<Box<dyn Future<Output = Result<Response<AnswerBody>, Infallible>> + Send>>;

impl<H, B> hyper::service::Service<Request<B>> for Mm7Service<H>
where
    H: Handler,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = Response<AnswerBody>;
    type Error = Infallible;
    type Future = AnswerFuture;

    fn call(&self, request: Request<B>) -> Self::Future {
        Box::pin(self.answer(request).map(Ok))
    }
}

impl<H, B> tower_service::Service<Request<B>> for Mm7Service<H>
where
    H: Handler,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = Response<AnswerBody>;
    type Error = Infallible;
    type Future = AnswerFuture;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        Box::pin(self.answer(request).map(Ok))
    }
}

/// An error and its sources, `: `-separated, for the log.
struct Chain<'a>(&'a (dyn std::error::Error + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut next = self.0.source();
        while let Some(cause) = next {
            write!(f, ": {cause}")?;
            next = cause.source();
        }
        Ok(())
    }
}

//! What comes before MM7, as tower layers: the IP allow-list and Basic authentication.
//!
//! [`Mm7Service`](super::Mm7Service) applies a [`ServerConfig`](super::ServerConfig)'s
//! allow-list and accounts itself, which is what [`Server`](super::Server) wants. An
//! application with its own stack configures neither there and composes instead:
//!
//! * [`AllowListLayer`] answers 403 to a peer outside its ranges (the peer's address comes
//!   from a [`SocketAddr`] extension, or axum's `ConnectInfo<SocketAddr>` with the `axum`
//!   feature);
//! * [`BasicAuthLayer`] answers 401 with its realm unless the request carries one of its
//!   accounts, compared in constant time; it removes the `Authorization` header and leaves
//!   the user in an [`AuthenticatedUser`] extension;
//! * an application's own authentication (a token, mutual TLS, a tenant lookup) goes in
//!   front the same way and inserts an [`AuthenticatedUser`], which the handler sees as
//!   [`Inbound::user`](super::Inbound::user).
//!
//! The body limit and the deadline stay in the MM7 service (reading the body is part of
//! reading an MM7 request); `tower-http`'s `RequestBodyLimitLayer` and `TimeoutLayer` may
//! be put in front as well.
//!
//! ```
//! use std::net::SocketAddr;
//! use http_body_util::{BodyExt, Full};
//! use mm7_transport::server::layer::{AllowListLayer, BasicAuthLayer};
//! use mm7_transport::server::{Handler, Mm7Service, Role, ServerConfig};
//! use tower_layer::Layer;
//! use tower_service::Service;
//!
//! struct Nothing;
//! impl Handler for Nothing {}
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
//! let mm7 = Mm7Service::new(ServerConfig::new(Role::Mmsc), Nothing);
//! let auth = BasicAuthLayer::new("vasp", "s3cret").layer(mm7);
//! let mut service = AllowListLayer::new(["127.0.0.0/8".parse()?]).layer(auth);
//!
//! let mut request = http::Request::post("/mm7").body(Full::new(bytes::Bytes::new()))?;
//! request.extensions_mut().insert("127.0.0.1:40000".parse::<SocketAddr>()?);
//! let response = service.call(request).await?;
//! assert_eq!(response.status(), 401); // no credentials
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::header::AUTHORIZATION;
use http::{HeaderMap, Request, Response, StatusCode as HttpStatus};
use http_body_util::Full;

use crate::auth::Credentials;
use crate::server::IpRange;
use crate::server::answer;

/// The user a request authenticated as, left in its extensions by [`BasicAuthLayer`] (or an
/// application's own layer); the handler sees it as [`Inbound::user`](super::Inbound::user).
#[derive(Clone, PartialEq, Eq)]
pub struct AuthenticatedUser(pub String);

impl fmt::Debug for AuthenticatedUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AuthenticatedUser").field(&self.0).finish()
    }
}

type BoxFuture<T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send>>;

/// The peer's address from a request's extensions: a bare [`SocketAddr`], or axum's
/// `ConnectInfo<SocketAddr>` with the `axum` feature.
pub(crate) fn peer_from_extensions(extensions: &http::Extensions) -> Option<SocketAddr> {
    if let Some(peer) = extensions.get::<SocketAddr>() {
        return Some(*peer);
    }
    #[cfg(feature = "axum")]
    if let Some(axum::extract::ConnectInfo(peer)) =
        extensions.get::<axum::extract::ConnectInfo<SocketAddr>>()
    {
        return Some(*peer);
    }
    None
}

/// Whether `peer` is in one of `ranges` (an unknown peer is not).
pub(crate) fn allowed(ranges: &[IpRange], peer: Option<SocketAddr>) -> bool {
    peer.is_some_and(|p| ranges.iter().any(|r| r.contains(p.ip())))
}

/// Why a request did not authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthFailure {
    /// No (readable) `Authorization: Basic` header.
    NoCredentials,
    /// Credentials that match no account.
    Mismatch,
}

/// The account of `accounts` the request's `Authorization` header matches, compared in
/// constant time against every account (no early exit, so timing does not tell which one
/// nearly matched).
pub(crate) fn authenticate<'a>(
    accounts: &'a [Credentials],
    headers: &HeaderMap,
) -> Result<&'a Credentials, AuthFailure> {
    let given = headers
        .get(AUTHORIZATION)
        .and_then(|v| Credentials::from_header_value(v.as_bytes()).ok())
        .ok_or(AuthFailure::NoCredentials)?;
    let mut found = None;
    for account in accounts {
        if account.matches(&given) && found.is_none() {
            found = Some(account);
        }
    }
    found.ok_or(AuthFailure::Mismatch)
}

/// A [`tower_layer::Layer`] that answers 403 to a peer outside its ranges.
#[derive(Debug, Clone)]
pub struct AllowListLayer {
    ranges: Arc<[IpRange]>,
}

impl AllowListLayer {
    /// Peers in these ranges may call; others (and a request whose peer is unknown) get 403.
    pub fn new(ranges: impl IntoIterator<Item = IpRange>) -> AllowListLayer {
        AllowListLayer {
            ranges: ranges.into_iter().collect(),
        }
    }
}

impl<S> tower_layer::Layer<S> for AllowListLayer {
    type Service = AllowList<S>;

    fn layer(&self, inner: S) -> AllowList<S> {
        AllowList {
            inner,
            ranges: Arc::clone(&self.ranges),
        }
    }
}

/// The service of an [`AllowListLayer`].
#[derive(Debug, Clone)]
pub struct AllowList<S> {
    inner: S,
    ranges: Arc<[IpRange]>,
}

impl<S, B> tower_service::Service<Request<B>> for AllowList<S>
where
    S: tower_service::Service<Request<B>, Response = Response<Full<Bytes>>>,
    S::Future: Send + 'static,
{
    type Response = Response<Full<Bytes>>;
    type Error = S::Error;
    type Future = BoxFuture<Self::Response, Self::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        if !allowed(&self.ranges, peer_from_extensions(request.extensions())) {
            tracing::warn!("address not in the allow-list");
            let refusal = answer::refusal(HttpStatus::FORBIDDEN, "address not allowed\n");
            return Box::pin(async move { Ok(refusal) });
        }
        Box::pin(self.inner.call(request))
    }
}

/// A [`tower_layer::Layer`] that answers 401 unless the request carries one of its accounts
/// (HTTP Basic, compared in constant time). It removes the `Authorization` header and leaves
/// an [`AuthenticatedUser`] in the request's extensions.
#[derive(Clone)]
pub struct BasicAuthLayer {
    accounts: Arc<[Credentials]>,
    realm: Arc<str>,
}

impl fmt::Debug for BasicAuthLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The passwords are not shown.
        f.debug_struct("BasicAuthLayer")
            .field("accounts", &self.accounts.len())
            .field("realm", &self.realm)
            .finish()
    }
}

impl BasicAuthLayer {
    /// One account, realm `mm7`.
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> BasicAuthLayer {
        BasicAuthLayer {
            accounts: Arc::new([Credentials::new(user, password)]),
            realm: Arc::from("mm7"),
        }
    }

    /// Another account that may call.
    #[must_use]
    pub fn account(self, user: impl Into<String>, password: impl Into<String>) -> BasicAuthLayer {
        let mut accounts = self.accounts.to_vec();
        accounts.push(Credentials::new(user, password));
        BasicAuthLayer {
            accounts: accounts.into(),
            realm: self.realm,
        }
    }

    /// The realm named in `WWW-Authenticate`.
    #[must_use]
    pub fn realm(self, realm: impl Into<String>) -> BasicAuthLayer {
        BasicAuthLayer {
            accounts: self.accounts,
            realm: Arc::from(realm.into()),
        }
    }
}

impl<S> tower_layer::Layer<S> for BasicAuthLayer {
    type Service = BasicAuth<S>;

    fn layer(&self, inner: S) -> BasicAuth<S> {
        BasicAuth {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service of a [`BasicAuthLayer`].
#[derive(Debug, Clone)]
pub struct BasicAuth<S> {
    inner: S,
    layer: BasicAuthLayer,
}

impl<S, B> tower_service::Service<Request<B>> for BasicAuth<S>
where
    S: tower_service::Service<Request<B>, Response = Response<Full<Bytes>>>,
    S::Future: Send + 'static,
{
    type Response = Response<Full<Bytes>>;
    type Error = S::Error;
    type Future = BoxFuture<Self::Response, Self::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        match authenticate(&self.layer.accounts, request.headers()) {
            Ok(account) => {
                let user = AuthenticatedUser(account.user().to_owned());
                request.headers_mut().remove(AUTHORIZATION);
                request.extensions_mut().insert(user);
                Box::pin(self.inner.call(request))
            }
            Err(failure) => {
                // Neither the header nor the user name is logged: both are credentials.
                tracing::warn!(
                    presented = failure == AuthFailure::Mismatch,
                    "authentication failed"
                );
                let refusal = answer::unauthorized(&self.layer.realm);
                Box::pin(async move { Ok(refusal) })
            }
        }
    }
}

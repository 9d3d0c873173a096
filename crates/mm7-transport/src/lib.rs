//! # mm7-transport
//!
//! MM7 over HTTP (hyper 1.x): a [`client`] for either role (a VASP submitting to an MMSC, an
//! MMSC pushing callbacks to a VASP) and a [`server`] for either role, with Basic
//! authentication, limits, TLS through rustls, and the callback retry policy MMSCs use.
//!
//! ## Features
//!
//! - `axum` (off by default): [`server::Mm7Service`] also reads the peer's address for the
//!   allow-list from axum's `ConnectInfo<SocketAddr>` extension. `examples/axum_vasp.rs`
//!   mounts a VASP receiver at `/mm7` in an axum app beside its own routes, allow-list and
//!   Basic authentication on (`cargo run -p mm7-transport --features axum --example
//!   axum_vasp`); `tests/axum_vasp.rs` runs it.
//!
//! Handlers see the request's extensions ([`server::Inbound::extensions`]: what an outer
//! layer set, a request id or an authenticated tenant) and its raw body
//! ([`server::Inbound::raw_body`]).
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod auth;
pub mod client;
pub mod profile;
pub mod server;

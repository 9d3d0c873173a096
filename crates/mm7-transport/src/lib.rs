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
//!
//! ## A VASP sending to an MMSC, both on loopback
//!
//! ```
//! use mm7_model::{Address, ContentRef, Part, SenderIdentification, SubmitReq, SubmitRsp};
//! use mm7_transport::client::Client;
//! use mm7_transport::server::{Handler, HandlerError, Inbound, Role, Server, ServerConfig};
//!
//! struct Mmsc;
//!
//! impl Handler for Mmsc {
//!     async fn submit(&self, inbound: Inbound<SubmitReq>) -> Result<SubmitRsp, HandlerError> {
//!         Ok(SubmitRsp::success(inbound.mm7_version, "msg-1"))
//!     }
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
//! let config = ServerConfig::new(Role::Mmsc).with_basic_auth("vasp", "s3cret");
//! let mmsc = Server::bind("127.0.0.1:0", config, Mmsc).await?.spawn();
//!
//! let url = format!("http://vasp:s3cret@{}/mm7", mmsc.local_addr());
//! let client = Client::builder(&url).build()?;
//! let mut req = SubmitReq::default();
//! let mut sender = SenderIdentification::default();
//! sender.vasp_id = Some("TNN".into());
//! req.sender_identification = Some(sender);
//! req.recipients.to.push(Address::number("15551234567"));
//! req.content = Some(ContentRef::cid("msg"));
//! let answer = client.submit(req, vec![Part::text("Hello").with_content_id("msg")]).await?;
//! assert_eq!(answer.message.message_id.as_deref(), Some("msg-1"));
//!
//! mmsc.shutdown().await?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod auth;
pub mod client;
pub mod profile;
pub mod server;

/// The model the client and the server speak (the messages, addresses, status codes), so that
/// one dependency on `mm7-transport` is enough.
pub use mm7_model;
/// The codec under the client and the server (its options, errors and warnings appear in
/// theirs).
pub use mm7_soap;

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

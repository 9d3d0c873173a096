//! The MM7 HTTP server, for either role: an MMSC receiving `SubmitReq`, `CancelReq` and
//! `ReplaceReq` from VASPs, or a VASP receiving `DeliverReq`, `DeliveryReportReq` and
//! `ReadReplyReq` from an MMSC.
//!
//! A request goes through, in order:
//!
//! 1. the IP allow-list ([`ServerConfig::with_allowed`]): 403 otherwise;
//! 2. Basic authentication ([`ServerConfig::with_basic_auth`]): 401 with
//!    `WWW-Authenticate: Basic realm="mm7"` otherwise;
//! 3. the method: 405 for anything but POST;
//! 4. the body limit ([`ServerConfig::with_body_limit`], 1 MiB by default): 413 as soon as the
//!    Content-Length or the bytes received pass it, without keeping the rest: what is left
//!    is read and discarded (up to 8 MiB or 5 s) before the connection closes, so that a
//!    client that writes its whole body before reading sees the 413, not a reset;
//! 5. the decoder: a body it refuses is answered with a SOAP Fault (HTTP 500) carrying
//!    `RSErrorRsp` (MMSC) or `VASPErrorRsp` (VASP) with the mapped status code (2007, 2004,
//!    4002, 4003, 4004, …) and the TransactionID, namespace and MM7Version when they were read;
//! 6. the [`Handler`]: its response is answered with HTTP 200, its [`HandlerError`] with a
//!    Fault, and its panic or timeout with a 3000 Server Error Fault, so that no 1000 Success
//!    is ever sent for a request the handler did not accept.
//!
//! Answers echo the request's TransactionID, namespace URI (as received) and MM7Version.
//! Each request runs in a `tracing` span `mm7_request` with the peer, operation,
//! TransactionID, MM7 status, HTTP status and duration; credentials are never logged.
//!
//! ```
//! use mm7_model::{SubmitReq, SubmitRsp};
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
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let config = ServerConfig::new(Role::Mmsc)
//!     .with_basic_auth("vasp", "s3cret")
//!     .with_allowed("127.0.0.0/8".parse().unwrap());
//! let running = Server::bind("127.0.0.1:0", config, Mmsc).await?.spawn();
//! let endpoint = format!("http://{}/mm7", running.local_addr());
//! # let _ = endpoint;
//! running.shutdown().await.expect("clean shutdown");
//! # Ok::<(), std::io::Error>(())
//! # }).unwrap();
//! ```

mod answer;
mod body;
mod cidr;
mod config;
mod dispatch;
mod handler;
pub mod layer;
mod observe;
mod page;
mod run;
mod service;
pub mod tls;

pub use cidr::{IpRange, IpRangeError};
pub use config::{DEFAULT_BODY_LIMIT, Role, ServerConfig};
pub use handler::{Handler, HandlerError, HandlerResult, Inbound, RequestVersion};
pub use observe::Answered;
pub use page::lock_down_page;
pub use run::{RunningServer, Server, ShutdownHandle};
pub use service::Mm7Service;

/// The body of every answer the server writes.
pub type Mm7Body = http_body_util::Full<bytes::Bytes>;

//! The MM7 client, for either role: a VASP sending `SubmitReq`, `CancelReq` and `ReplaceReq`
//! to an MMSC, or an MMSC sending the callbacks `DeliverReq`, `DeliveryReportReq` and
//! `ReadReplyReq` to a VASP.
//!
//! A [`Client`] holds one endpoint, its credentials and headers, a pool of keep-alive
//! connections (HTTP/1.1, over rustls for `https`), and the schema version, namespace and
//! prefix style to send. Each operation returns its typed answer in a [`Response`], or a
//! [`ClientError`] that tells every other outcome apart: an MM7 error status, a SOAP Fault,
//! HTTP 401/403/413 or any other status, a timeout, a connection failure, an answer that
//! cannot be decoded.
//!
//! ```no_run
//! use mm7_model::{Address, Part, SchemaId, StatusCode, SubmitReq};
//! use mm7_transport::client::{Client, ClientError};
//!
//! # async fn run() -> Result<(), ClientError> {
//! // Credentials in the URL are percent-decoded and sent as Basic auth, never in the URL.
//! let client = Client::builder("https://vasp:s3cr%40t@mmsc.example.com/mm7")
//!     .schema(SchemaId::Rel5Mm7_1_3)
//!     .mm7_version("5.3.0")
//!     .header("X-Vibes-CarrierCode", "102")
//!     .build()?;
//!
//! let mut req = SubmitReq::default();
//! req.recipients.to.push(Address::number("15551234567"));
//! req.subject = Some("Hello".into());
//! req.content = Some(mm7_model::ContentRef::cid("msg"));
//! let parts = vec![Part::text("Hello from MM7").with_content_id("msg")];
//!
//! match client.submit(req, parts).await {
//!     Ok(rsp) if rsp.is_partial() => println!("some recipients refused: {:?}", rsp.status),
//!     Ok(rsp) => println!("accepted as {:?}", rsp.message.message_id),
//!     Err(ClientError::Mm7 { status, .. }) if status.code == StatusCode::ADDRESS_ERROR => {
//!         println!("bad address: {:?}", status.text)
//!     }
//!     Err(e) if e.is_retryable() => println!("try later: {e}"),
//!     Err(e) => return Err(e),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Nothing is retried unless asked: [`RetryPolicy`] for the VASP's requests, and for
//! callbacks the [`CallbackPolicy`] providers document (a try fails on a timeout, an HTTP
//! status other than 200, or an answer without the request's TransactionID and status
//! 1000; tries every 5 minutes, 5 at most).
//!
//! Credentials never appear in logs, in `Debug` output or in errors. Each try runs in a
//! `tracing` span `mm7_request` with the operation, TransactionID, URL, try number, HTTP
//! status, MM7 status and duration.

mod body;
mod builder;
mod error;
mod exchange;
mod limit;
mod response;
mod retry;
mod tls;
mod transaction;
mod verify;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::header::{HeaderMap, HeaderName, HeaderValue};
use http::uri::Uri;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use mm7_model::{
    CancelReq, CancelRsp, DeliverReq, DeliverRsp, DeliveryReportReq, DeliveryReportRsp, Envelope,
    ExtendedCancelReq, ExtendedCancelRsp, ExtendedReplaceReq, ExtendedReplaceRsp, Mm7Version,
    Namespace, Part, ReadReplyReq, ReadReplyRsp, ReplaceReq, ReplaceRsp, SubmitReq, SubmitRsp,
};
use mm7_soap::{DecodeOptions, EncodeOptions};

pub use builder::{
    ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_SIZE, DEFAULT_TIMEOUT,
};
pub use error::{BoxError, ClientError, EXCERPT_LIMIT};
pub use response::Response;
pub use retry::{CallbackOutcome, CallbackPolicy, RetryPolicy};
pub use transaction::new_transaction_id;
pub use verify::ServerVerifier;

use body::RequestBody;
use limit::LimitedConnector;

/// An MM7 client for one endpoint. Cheap to clone: clones share the connection pool.
///
/// Build it with [`Client::builder`]. Against this crate's [`server`](crate::server):
///
/// ```
/// use mm7_model::{Address, SenderIdentification, SubmitReq, SubmitRsp};
/// use mm7_transport::client::Client;
/// use mm7_transport::server::{Handler, HandlerError, Inbound, Role, Server, ServerConfig};
///
/// struct Mmsc;
///
/// impl Handler for Mmsc {
///     async fn submit(&self, inbound: Inbound<SubmitReq>) -> Result<SubmitRsp, HandlerError> {
///         Ok(SubmitRsp::success(inbound.mm7_version, "msg-1"))
///     }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
/// let config = ServerConfig::new(Role::Mmsc).with_basic_auth("vasp", "s3cret");
/// let server = Server::bind("127.0.0.1:0", config, Mmsc).await?.spawn();
///
/// let url = format!("http://vasp:s3cret@{}/mm7", server.local_addr());
/// let client = Client::builder(&url).mm7_version("5.3.0").build()?;
/// let mut req = SubmitReq::default();
/// req.sender_identification = Some(SenderIdentification::default());
/// req.recipients.to.push(Address::number("15551234567"));
///
/// let rsp = client.submit(req, Vec::new()).await?;
/// assert!(rsp.status.is_success());
/// assert_eq!(rsp.message.message_id.as_deref(), Some("msg-1"));
/// assert_eq!(rsp.message.mm7_version.as_str(), "5.3.0");
///
/// server.shutdown().await?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    http: hyper_util::client::legacy::Client<
        HttpsConnector<LimitedConnector<HttpConnector>>,
        RequestBody,
    >,
    uri: Uri,
    display_url: String,
    headers: HeaderMap,
    timeout: Duration,
    max_response_size: usize,
    limiter: Option<Arc<tokio::sync::Semaphore>>,
    namespace: Namespace,
    mm7_version: Mm7Version,
    encode: EncodeOptions,
    decode: DecodeOptions,
    retry: RetryPolicy,
    callback: CallbackPolicy,
    profile: Option<crate::profile::Profile>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("url", &self.inner.display_url)
            .field(
                "basic_auth",
                &self.inner.headers.contains_key(http::header::AUTHORIZATION),
            )
            .field("namespace", &self.inner.namespace.uri())
            .field("mm7_version", &self.inner.mm7_version.as_str())
            .field("timeout", &self.inner.timeout)
            .field("retry", &self.inner.retry)
            .field("callback", &self.inner.callback)
            .field("profile", &self.inner.profile)
            .finish_non_exhaustive()
    }
}

/// Per-request options: the TransactionID to use (a unique one is generated otherwise) and
/// headers for this request only (e.g. an `X-Mbuni-TransactionID`).
///
/// ```
/// use mm7_transport::client::SendOptions;
///
/// let options = SendOptions::new()
///     .with_transaction_id("vas00001-sub")
///     .with_header(
///         http::HeaderName::from_static("x-mbuni-transactionid"),
///         http::HeaderValue::from_static("Mbuni-msg.1759.x9.99.16"),
///     );
/// assert_eq!(options.transaction_id.as_deref(), Some("vas00001-sub"));
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct SendOptions {
    /// The TransactionID; `None` (or blank) for a generated one.
    pub transaction_id: Option<String>,
    /// Headers for this request; a name given here replaces the client's headers of that
    /// name.
    pub headers: HeaderMap,
}

impl SendOptions {
    /// No options: a generated TransactionID, the client's headers.
    pub fn new() -> SendOptions {
        SendOptions::default()
    }

    /// Uses this TransactionID (e.g. to send the same request again to a peer that
    /// deduplicates on it).
    #[must_use]
    pub fn with_transaction_id(mut self, id: impl Into<String>) -> SendOptions {
        self.transaction_id = Some(id.into());
        self
    }

    /// Adds a header to this request.
    #[must_use]
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> SendOptions {
        self.headers.append(name, value);
        self
    }
}

impl Client {
    /// A builder for a client of the endpoint `url` (`http://` or `https://`, optionally
    /// with `user:password@`, percent-encoded).
    pub fn builder(url: &str) -> ClientBuilder {
        ClientBuilder::new(url)
    }

    /// A client of `url` with every default.
    ///
    /// # Errors
    /// As [`ClientBuilder::build`].
    pub fn new(url: &str) -> Result<Client, ClientError> {
        ClientBuilder::new(url).build()
    }

    /// The endpoint requests go to (without user information).
    pub fn endpoint(&self) -> &Uri {
        &self.inner.uri
    }

    /// The namespace messages are sent in.
    pub fn namespace(&self) -> &Namespace {
        &self.inner.namespace
    }

    /// The `MM7Version` given to messages that have none.
    pub fn mm7_version(&self) -> &Mm7Version {
        &self.inner.mm7_version
    }

    /// The provider profile whose rules every `SubmitReq` is checked against, if any.
    pub fn profile(&self) -> Option<crate::profile::Profile> {
        self.inner.profile
    }

    /// Submits a message (VASP → MMSC). `content` holds the attachments, the part that
    /// `req.content` names among them. Under a [`profile`](ClientBuilder::profile), the
    /// encoded request is checked first and not sent when it breaks the provider's rules.
    ///
    /// # Errors
    /// Any [`ClientError`]; success and partial success are `Ok`.
    pub async fn submit(
        &self,
        req: SubmitReq,
        content: Vec<Part>,
    ) -> Result<Response<SubmitRsp>, ClientError> {
        self.request(req, content, SendOptions::default()).await
    }

    /// As [`submit`](Self::submit), with per-request options.
    ///
    /// # Errors
    /// As [`submit`](Self::submit).
    pub async fn submit_with(
        &self,
        req: SubmitReq,
        content: Vec<Part>,
        options: SendOptions,
    ) -> Result<Response<SubmitRsp>, ClientError> {
        self.request(req, content, options).await
    }

    /// Submits an envelope as built, by [`SubmitReq::builder`](mm7_model::SubmitReq::builder)
    /// say: its TransactionID (a generated one when blank), its namespace and attachments are
    /// sent as they are, its `MM7Version` when it has one (the client's otherwise). Retries,
    /// the profile check and the answer's checks are those of [`submit`](Self::submit).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use mm7_model::{Address, SchemaId, SubmitReq};
    /// use mm7_transport::client::Client;
    ///
    /// let client = Client::new("http://mmsc.example.com/mm7")?;
    /// let envelope = SubmitReq::builder(SchemaId::Rel6Mm7_1_4)
    ///     .vasp_id("TNN")
    ///     .to(Address::number("15551234567"))
    ///     .text("Hello")
    ///     .build("vas00001-sub")?;
    /// let answer = client.submit_envelope(envelope).await?;
    /// println!("{:?}", answer.message.message_id);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`ClientError::WrongOperation`] when the envelope holds another operation (nothing is
    /// sent); otherwise as [`submit`](Self::submit).
    pub async fn submit_envelope(
        &self,
        envelope: Envelope,
    ) -> Result<Response<SubmitRsp>, ClientError> {
        self.request_envelope::<SubmitReq>(envelope, SendOptions::default())
            .await
    }

    /// As [`submit_envelope`](Self::submit_envelope), with per-request options (a
    /// TransactionID given here wins over the envelope's).
    ///
    /// # Errors
    /// As [`submit_envelope`](Self::submit_envelope).
    pub async fn submit_envelope_with(
        &self,
        envelope: Envelope,
        options: SendOptions,
    ) -> Result<Response<SubmitRsp>, ClientError> {
        self.request_envelope::<SubmitReq>(envelope, options).await
    }

    /// Cancels a submitted message (VASP → MMSC).
    ///
    /// # Errors
    /// Any [`ClientError`].
    pub async fn cancel(&self, req: CancelReq) -> Result<Response<CancelRsp>, ClientError> {
        self.request(req, Vec::new(), SendOptions::default()).await
    }

    /// As [`cancel`](Self::cancel), with per-request options.
    ///
    /// # Errors
    /// Any [`ClientError`].
    pub async fn cancel_with(
        &self,
        req: CancelReq,
        options: SendOptions,
    ) -> Result<Response<CancelRsp>, ClientError> {
        self.request(req, Vec::new(), options).await
    }

    /// Cancels a message under the extended operation of REL-6-MM7-1-4 (VASP → MMSC): by
    /// its `CancelID`, the MessageID of the message to cancel. The client's schema must define
    /// the operation (REL-6-MM7-1-4 or later), or the request is refused before it is sent.
    ///
    /// # Errors
    /// Any [`ClientError`].
    pub async fn extended_cancel(
        &self,
        req: ExtendedCancelReq,
    ) -> Result<Response<ExtendedCancelRsp>, ClientError> {
        self.request(req, Vec::new(), SendOptions::default()).await
    }

    /// As [`extended_cancel`](Self::extended_cancel), with per-request options.
    ///
    /// # Errors
    /// As [`extended_cancel`](Self::extended_cancel).
    pub async fn extended_cancel_with(
        &self,
        req: ExtendedCancelReq,
        options: SendOptions,
    ) -> Result<Response<ExtendedCancelRsp>, ClientError> {
        self.request(req, Vec::new(), options).await
    }

    /// Replaces a message under the extended operation of REL-6-MM7-1-4 (VASP → MMSC): by its
    /// `ReplaceID`, with `content` as its new attachments; the answer names the replacing
    /// message's MessageID.
    ///
    /// # Errors
    /// Any [`ClientError`].
    pub async fn extended_replace(
        &self,
        req: ExtendedReplaceReq,
        content: Vec<Part>,
    ) -> Result<Response<ExtendedReplaceRsp>, ClientError> {
        self.request(req, content, SendOptions::default()).await
    }

    /// As [`extended_replace`](Self::extended_replace), with per-request options.
    ///
    /// # Errors
    /// As [`extended_replace`](Self::extended_replace).
    pub async fn extended_replace_with(
        &self,
        req: ExtendedReplaceReq,
        content: Vec<Part>,
        options: SendOptions,
    ) -> Result<Response<ExtendedReplaceRsp>, ClientError> {
        self.request(req, content, options).await
    }

    /// Replaces a submitted message's content (VASP → MMSC).
    ///
    /// # Errors
    /// Any [`ClientError`].
    pub async fn replace(
        &self,
        req: ReplaceReq,
        content: Vec<Part>,
    ) -> Result<Response<ReplaceRsp>, ClientError> {
        self.request(req, content, SendOptions::default()).await
    }

    /// As [`replace`](Self::replace), with per-request options.
    ///
    /// # Errors
    /// Any [`ClientError`].
    pub async fn replace_with(
        &self,
        req: ReplaceReq,
        content: Vec<Part>,
        options: SendOptions,
    ) -> Result<Response<ReplaceRsp>, ClientError> {
        self.request(req, content, options).await
    }

    /// Delivers a message to a VASP (MMSC → VASP) under the [`CallbackPolicy`].
    pub async fn deliver(
        &self,
        req: DeliverReq,
        content: Vec<Part>,
    ) -> CallbackOutcome<DeliverRsp> {
        self.callback(req, content, SendOptions::default()).await
    }

    /// As [`deliver`](Self::deliver), with per-request options.
    pub async fn deliver_with(
        &self,
        req: DeliverReq,
        content: Vec<Part>,
        options: SendOptions,
    ) -> CallbackOutcome<DeliverRsp> {
        self.callback(req, content, options).await
    }

    /// Reports a message's delivery to a VASP (MMSC → VASP) under the [`CallbackPolicy`].
    pub async fn delivery_report(
        &self,
        req: DeliveryReportReq,
    ) -> CallbackOutcome<DeliveryReportRsp> {
        self.callback(req, Vec::new(), SendOptions::default()).await
    }

    /// As [`delivery_report`](Self::delivery_report), with per-request options.
    pub async fn delivery_report_with(
        &self,
        req: DeliveryReportReq,
        options: SendOptions,
    ) -> CallbackOutcome<DeliveryReportRsp> {
        self.callback(req, Vec::new(), options).await
    }

    /// Reports that a message was read to a VASP (MMSC → VASP) under the [`CallbackPolicy`].
    pub async fn read_reply(&self, req: ReadReplyReq) -> CallbackOutcome<ReadReplyRsp> {
        self.callback(req, Vec::new(), SendOptions::default()).await
    }

    /// As [`read_reply`](Self::read_reply), with per-request options.
    pub async fn read_reply_with(
        &self,
        req: ReadReplyReq,
        options: SendOptions,
    ) -> CallbackOutcome<ReadReplyRsp> {
        self.callback(req, Vec::new(), options).await
    }

    /// Sends any envelope once and returns the decoded answer, whatever its status: the
    /// lower level under the operations above (no retry, no check of the answer's operation,
    /// TransactionID or status). A blank TransactionID is replaced by a generated one, an
    /// empty `MM7Version` by the client's; the envelope's namespace is sent as it is. A
    /// `SubmitReq` is still checked against the client's profile.
    ///
    /// # Errors
    /// [`ClientError::Fault`] for a SOAP Fault, and every HTTP, connection and decoding error.
    pub async fn send(&self, mut envelope: Envelope) -> Result<Envelope, ClientError> {
        if envelope.transaction_id.trim().is_empty() {
            envelope.transaction_id = new_transaction_id();
        }
        exchange::fill_mm7_version(&mut envelope.message, &self.inner.mm7_version);
        let prepared = self.prepare_envelope(&envelope, HeaderMap::new())?;
        let answer = self.exchange(&prepared, self.inner.timeout, 1).await?;
        Ok(answer.decoded.envelope)
    }
}

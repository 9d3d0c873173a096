//! [`Handler`]: what the application does with each MM7 request.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::HeaderMap;
use mm7_model::{
    CancelReq, CancelRsp, DeliverReq, DeliverRsp, DeliveryReportReq, DeliveryReportRsp,
    ExtendedCancelReq, ExtendedCancelRsp, ExtendedReplaceReq, ExtendedReplaceRsp, Mm7Version,
    Namespace, Part, ReadReplyReq, ReadReplyRsp, ReplaceReq, ReplaceRsp, Status, StatusCode,
    SubmitReq, SubmitRsp,
};
use mm7_soap::Warning;

/// One decoded request and what came with it.
///
/// ```
/// use mm7_model::{Address, DeliverReq, SchemaId};
/// use mm7_transport::server::Inbound;
///
/// // Handlers can be tested without a server.
/// let request = DeliverReq::new("6.8.0", Address::number("15551234567"));
/// let inbound = Inbound::new(request, "tx-1", SchemaId::Rel6Mm7_1_4);
/// assert_eq!(inbound.transaction_id, "tx-1");
/// assert_eq!(inbound.mm7_version.as_str(), "6.8.0");
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Inbound<T> {
    /// The typed request.
    pub request: T,
    /// The `TransactionID` header entry (empty when the request had none).
    pub transaction_id: String,
    /// The MM7 namespace, as received.
    pub namespace: Namespace,
    /// The request's `MM7Version`, as received.
    pub mm7_version: Mm7Version,
    /// The MIME parts after the SOAP part (the content, for submit, deliver and replace).
    pub attachments: Vec<Part>,
    /// The peer's address, when the server knows it.
    pub peer: Option<SocketAddr>,
    /// The authenticated user name, when the server requires authentication.
    pub user: Option<String>,
    /// The HTTP request headers (`X-Vibes-CarrierCode`, `X-Mbuni-TransactionID`, …). The
    /// `Authorization` header is removed once checked.
    pub headers: HeaderMap,
    /// The HTTP request's extensions: what an outer layer set (a request id, an
    /// authenticated tenant), and what the server put there (axum's `ConnectInfo`).
    pub extensions: http::Extensions,
    /// What the decoder accepted leniently.
    pub warnings: Vec<Warning>,
    /// The request line and headers as received, as text, with the credentials of an
    /// `Authorization` header masked (`Basic ********`): with [`Inbound::raw_body`], the
    /// request byte for byte, for a server that keeps what it received.
    pub raw_head: String,
    /// The request body as received (the buffer the attachments are slices of: keeping it
    /// costs no copy).
    pub raw_body: Bytes,
}

impl<T: RequestVersion> Inbound<T> {
    /// A request with its TransactionID and namespace, and nothing else (no attachments, no
    /// peer, no headers): for testing a [`Handler`] without a server.
    pub fn new(
        request: T,
        transaction_id: impl Into<String>,
        namespace: impl Into<Namespace>,
    ) -> Inbound<T> {
        let mm7_version = request.mm7_version().clone();
        Inbound {
            request,
            transaction_id: transaction_id.into(),
            namespace: namespace.into(),
            mm7_version,
            attachments: Vec::new(),
            peer: None,
            user: None,
            headers: HeaderMap::new(),
            extensions: http::Extensions::new(),
            warnings: Vec::new(),
            raw_head: String::new(),
            raw_body: Bytes::new(),
        }
    }
}

impl<T> Inbound<T> {
    /// The attachment a `Content@href` names (matched by Content-ID or Content-Location, in
    /// nested parts too).
    pub fn attachment(&self, href: &str) -> Option<&Part> {
        self.attachments.iter().find_map(|p| p.find(href))
    }
}

/// A request type whose `MM7Version` can be read (every request of [`Handler`]).
pub trait RequestVersion {
    /// The `MM7Version`.
    fn mm7_version(&self) -> &Mm7Version;
}

macro_rules! request_version {
    ($($ty:ty),*) => {
        $(impl RequestVersion for $ty {
            fn mm7_version(&self) -> &Mm7Version {
                &self.mm7_version
            }
        })*
    };
}

request_version!(
    SubmitReq,
    CancelReq,
    ReplaceReq,
    DeliverReq,
    DeliveryReportReq,
    ReadReplyReq,
    ExtendedCancelReq,
    ExtendedReplaceReq
);

/// A handler's refusal: answered with a SOAP Fault (HTTP 500) carrying `RSErrorRsp` or
/// `VASPErrorRsp` with this status, so that the peer knows the request was not accepted.
///
/// A success code (1xxx) is not an error: a `HandlerError` carrying one is answered as 3000
/// Server Error.
///
/// A peer retries 3000 Server Error ([`HandlerError::server_error`]: valid, but not now) and
/// 4006 Service unavailable, both sent as `Server` Faults; every other code is a refusal it
/// would meet again ([`ClientError::is_retryable`](crate::client::ClientError::is_retryable)
/// is that rule on the client side).
///
/// ```
/// use mm7_model::StatusCode;
/// use mm7_transport::server::HandlerError;
///
/// let e = HandlerError::new(StatusCode::ADDRESS_ERROR, "unknown recipient");
/// assert_eq!(e.status().code, StatusCode::ADDRESS_ERROR);
/// assert_eq!(e.to_string(), "unknown recipient");
/// ```
///
/// The cause of a refusal (a database error, an I/O error) can travel with it
/// ([`HandlerError::with_source`]): the server logs it, with its chain, and never sends it to
/// the peer, who sees the status alone.
///
/// ```
/// use std::error::Error as _;
/// use mm7_transport::server::HandlerError;
///
/// let io = std::io::Error::other("disk full");
/// let e = HandlerError::server_error("cannot store the message").with_source(io);
/// assert_eq!(e.to_string(), "cannot store the message");
/// assert_eq!(e.status_code().get(), 3000);
/// assert_eq!(e.source().unwrap().to_string(), "disk full");
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", status_text(.status))]
pub struct HandlerError {
    status: Status,
    #[source]
    source: Option<Arc<dyn std::error::Error + Send + Sync + 'static>>,
}

/// The text of the error: the status text, or the code's TS 23.140 name without one (the code
/// itself is [`HandlerError::status_code`]).
fn status_text(status: &Status) -> String {
    match &status.text {
        Some(text) => text.clone(),
        None => status
            .code
            .name()
            .map_or_else(|| format!("status {}", status.code), str::to_owned),
    }
}

/// Two errors are equal when their statuses are (the sources are not compared).
impl PartialEq for HandlerError {
    fn eq(&self, other: &HandlerError) -> bool {
        self.status == other.status
    }
}

impl Eq for HandlerError {}

impl HandlerError {
    /// An error with a code and a text.
    pub fn new(code: StatusCode, text: impl Into<String>) -> HandlerError {
        HandlerError::from(Status::new(code, text))
    }

    /// An error with the TS 23.140 name of the code as its text.
    pub fn from_code(code: StatusCode) -> HandlerError {
        HandlerError::from(Status::from_code(code))
    }

    /// 4003 Unsupported Operation: what the default methods of [`Handler`] answer.
    pub fn unsupported_operation() -> HandlerError {
        HandlerError::from_code(StatusCode::UNSUPPORTED_OPERATION)
    }

    /// 3000 Server Error: the request was valid but could not be carried out now.
    pub fn server_error(text: impl Into<String>) -> HandlerError {
        HandlerError::new(StatusCode::SERVER_ERROR, text)
    }

    /// The same refusal, caused by `source`: logged by the server, never sent to the peer.
    #[must_use]
    pub fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> HandlerError {
        self.source = Some(Arc::from(source.into()));
        self
    }

    /// The status to answer with.
    pub fn status(&self) -> &Status {
        &self.status
    }

    /// The MM7 status code the peer is answered with.
    pub fn status_code(&self) -> StatusCode {
        self.status.code
    }

    /// The status, owned.
    pub fn into_status(self) -> Status {
        self.status
    }
}

impl From<Status> for HandlerError {
    fn from(status: Status) -> HandlerError {
        HandlerError {
            status,
            source: None,
        }
    }
}

impl From<StatusCode> for HandlerError {
    fn from(code: StatusCode) -> HandlerError {
        HandlerError::from_code(code)
    }
}

/// What a handler method returns.
pub type HandlerResult<T> = Result<T, HandlerError>;

/// The application side of an MM7 server: one method per operation, each given the decoded
/// request and returning the typed response, or a [`HandlerError`] to answer with a Fault.
///
/// Every method has a default that answers 4003 Unsupported Operation, so an MMSC implements
/// `submit` (and perhaps `cancel`, `replace`) and a VASP `deliver`, `delivery_report` and
/// `read_reply`. Methods may be written as `async fn`.
///
/// The server answers with what the method returned, and only then: a method that fails,
/// runs out of time or panics never lets a 1000 Success reach the peer, so the peer retries
/// and nothing is lost. The response's `MM7Version` is set to the request's, and the answer
/// carries the request's TransactionID and namespace.
///
/// ```
/// use mm7_model::{StatusCode, SubmitReq, SubmitRsp};
/// use mm7_transport::server::{Handler, HandlerError, Inbound};
///
/// struct Mmsc;
///
/// impl Handler for Mmsc {
///     async fn submit(&self, inbound: Inbound<SubmitReq>) -> Result<SubmitRsp, HandlerError> {
///         if inbound.request.recipients.is_empty() {
///             return Err(HandlerError::from_code(StatusCode::ADDRESS_ERROR));
///         }
///         // Store the message before answering: the answer promises it was taken.
///         Ok(SubmitRsp::success(inbound.mm7_version, format!("msg-{}", inbound.transaction_id)))
///     }
/// }
/// ```
pub trait Handler: Send + Sync + 'static {
    /// `SubmitReq` (VASP → MMSC).
    fn submit(
        &self,
        inbound: Inbound<SubmitReq>,
    ) -> impl Future<Output = HandlerResult<SubmitRsp>> + Send {
        unsupported(inbound)
    }

    /// `CancelReq` (VASP → MMSC).
    fn cancel(
        &self,
        inbound: Inbound<CancelReq>,
    ) -> impl Future<Output = HandlerResult<CancelRsp>> + Send {
        unsupported(inbound)
    }

    /// `ReplaceReq` (VASP → MMSC).
    fn replace(
        &self,
        inbound: Inbound<ReplaceReq>,
    ) -> impl Future<Output = HandlerResult<ReplaceRsp>> + Send {
        unsupported(inbound)
    }

    /// `extendedCancelReq` (VASP → MMSC, REL-6-MM7-1-4 on).
    fn extended_cancel(
        &self,
        inbound: Inbound<ExtendedCancelReq>,
    ) -> impl Future<Output = HandlerResult<ExtendedCancelRsp>> + Send {
        unsupported(inbound)
    }

    /// `extendedReplaceReq` (VASP → MMSC, REL-6-MM7-1-4 on).
    fn extended_replace(
        &self,
        inbound: Inbound<ExtendedReplaceReq>,
    ) -> impl Future<Output = HandlerResult<ExtendedReplaceRsp>> + Send {
        unsupported(inbound)
    }

    /// `DeliverReq` (MMSC → VASP): a message from a subscriber.
    fn deliver(
        &self,
        inbound: Inbound<DeliverReq>,
    ) -> impl Future<Output = HandlerResult<DeliverRsp>> + Send {
        unsupported(inbound)
    }

    /// `DeliveryReportReq` (MMSC → VASP).
    fn delivery_report(
        &self,
        inbound: Inbound<DeliveryReportReq>,
    ) -> impl Future<Output = HandlerResult<DeliveryReportRsp>> + Send {
        unsupported(inbound)
    }

    /// `ReadReplyReq` (MMSC → VASP).
    fn read_reply(
        &self,
        inbound: Inbound<ReadReplyReq>,
    ) -> impl Future<Output = HandlerResult<ReadReplyRsp>> + Send {
        unsupported(inbound)
    }
}

fn unsupported<T, R>(inbound: Inbound<T>) -> std::future::Ready<HandlerResult<R>> {
    drop(inbound);
    std::future::ready(Err(HandlerError::unsupported_operation()))
}

impl<H: Handler> Handler for std::sync::Arc<H> {
    fn submit(
        &self,
        inbound: Inbound<SubmitReq>,
    ) -> impl Future<Output = HandlerResult<SubmitRsp>> + Send {
        (**self).submit(inbound)
    }

    fn cancel(
        &self,
        inbound: Inbound<CancelReq>,
    ) -> impl Future<Output = HandlerResult<CancelRsp>> + Send {
        (**self).cancel(inbound)
    }

    fn replace(
        &self,
        inbound: Inbound<ReplaceReq>,
    ) -> impl Future<Output = HandlerResult<ReplaceRsp>> + Send {
        (**self).replace(inbound)
    }

    fn extended_cancel(
        &self,
        inbound: Inbound<ExtendedCancelReq>,
    ) -> impl Future<Output = HandlerResult<ExtendedCancelRsp>> + Send {
        (**self).extended_cancel(inbound)
    }

    fn extended_replace(
        &self,
        inbound: Inbound<ExtendedReplaceReq>,
    ) -> impl Future<Output = HandlerResult<ExtendedReplaceRsp>> + Send {
        (**self).extended_replace(inbound)
    }

    fn deliver(
        &self,
        inbound: Inbound<DeliverReq>,
    ) -> impl Future<Output = HandlerResult<DeliverRsp>> + Send {
        (**self).deliver(inbound)
    }

    fn delivery_report(
        &self,
        inbound: Inbound<DeliveryReportReq>,
    ) -> impl Future<Output = HandlerResult<DeliveryReportRsp>> + Send {
        (**self).delivery_report(inbound)
    }

    fn read_reply(
        &self,
        inbound: Inbound<ReadReplyReq>,
    ) -> impl Future<Output = HandlerResult<ReadReplyRsp>> + Send {
        (**self).read_reply(inbound)
    }
}

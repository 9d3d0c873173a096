//! From a decoded envelope to the handler method for its operation, and back to the response
//! message, with panics caught.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::FutureExt as _;
use mm7_model::{Envelope, Message, Mm7Version};

use crate::server::{Handler, HandlerError, Inbound};

/// What the request carried besides its body, copied into every [`Inbound`].
pub(crate) struct RequestParts {
    pub(crate) peer: Option<std::net::SocketAddr>,
    pub(crate) user: Option<String>,
    pub(crate) headers: http::HeaderMap,
    pub(crate) extensions: http::Extensions,
    pub(crate) warnings: Vec<mm7_soap::Warning>,
    pub(crate) raw_head: String,
    pub(crate) raw_body: bytes::Bytes,
}

/// Why a handler gave no response.
#[derive(Debug)]
pub(crate) enum Failure {
    /// It returned an error.
    Refused(HandlerError),
    /// It panicked (the message, when it was a string).
    Panicked(String),
}

/// The handler's answer to one request: its method's future, boxed once, polled with panics
/// caught.
pub(crate) type Dispatched<'a> =
    CatchUnwind<dyn Future<Output = Result<Message, HandlerError>> + Send + 'a>;

/// The handler method for the envelope's operation, not yet polled. A message that is not a
/// request the [`Handler`] has a method for (a response, a Fault) is refused with 4003, like a
/// method the handler does not implement.
///
/// Built without an `async fn` of its own: the envelope and the request's parts move into the
/// method's future, which is boxed once, and what the server's request keeps while the handler
/// runs is that box, not a second copy of the envelope beside it. The method is called here,
/// inside `catch_unwind` (a method that panics before it returns its future is answered like
/// one whose future panics), and its future is boxed with its answer mapped by a combinator:
/// an `async` block around it would hold the future twice (its capture, and the future it
/// awaits), doubling the box past the allocator's per-thread cache.
pub(crate) fn dispatch<H: Handler>(
    handler: &H,
    envelope: Envelope,
    parts: RequestParts,
) -> Result<Dispatched<'_>, Failure> {
    let Envelope {
        transaction_id,
        namespace,
        message,
        attachments,
    } = envelope;
    let mm7_version = message.mm7_version().cloned().unwrap_or_default();
    // A macro rather than a closure: each arm builds an `Inbound` of another request type.
    macro_rules! call {
        ($method:ident, $request:expr) => {{
            let inbound = Inbound {
                request: $request,
                transaction_id,
                namespace,
                mm7_version,
                attachments,
                peer: parts.peer,
                user: parts.user,
                headers: parts.headers,
                extensions: parts.extensions,
                warnings: parts.warnings,
                raw_head: parts.raw_head,
                raw_body: parts.raw_body,
            };
            let called = std::panic::catch_unwind(AssertUnwindSafe(|| handler.$method(inbound)));
            let future = called.map_err(|payload| Failure::Panicked(panic_message(&*payload)))?;
            let answer: Pin<Box<dyn Future<Output = Result<Message, HandlerError>> + Send + '_>> =
                Box::pin(future.map(|answer| answer.map(Message::from)));
            answer
        }};
    }
    let inner = match message {
        Message::SubmitReq(r) => call!(submit, r),
        Message::CancelReq(r) => call!(cancel, r),
        Message::ReplaceReq(r) => call!(replace, r),
        Message::ExtendedCancelReq(r) => call!(extended_cancel, r),
        Message::ExtendedReplaceReq(r) => call!(extended_replace, r),
        Message::DeliverReq(r) => call!(deliver, r),
        Message::DeliveryReportReq(r) => call!(delivery_report, r),
        Message::ReadReplyReq(r) => call!(read_reply, r),
        _ => return Err(Failure::Refused(HandlerError::unsupported_operation())),
    };
    Ok(CatchUnwind { inner })
}

/// What a [`Dispatched`] future gave: the response message, or why there is none.
pub(crate) fn outcome(
    answered: Result<Result<Message, HandlerError>, String>,
) -> Result<Message, Failure> {
    match answered {
        Ok(Ok(message)) => Ok(message),
        Ok(Err(error)) => Err(Failure::Refused(error)),
        Err(panic) => Err(Failure::Panicked(panic)),
    }
}

/// Polls a future inside `catch_unwind`, so that a handler's panic becomes an answer (3000)
/// instead of a dropped connection. The future is boxed, so no pin projection is needed.
pub(crate) struct CatchUnwind<F: ?Sized> {
    inner: Pin<Box<F>>,
}

impl<F: Future + ?Sized> Future for CatchUnwind<F> {
    type Output = Result<F::Output, String>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.inner.as_mut();
        // After a panic the future is never polled again (this future completes with the
        // panic), so observing it in a broken state is not possible: AssertUnwindSafe holds.
        match std::panic::catch_unwind(AssertUnwindSafe(move || inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Err(payload) => Poll::Ready(Err(panic_message(&*payload))),
        }
    }
}

/// The message of a caught panic, when it was a string.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a non-string panic payload".to_string())
}

/// Sets the response's `MM7Version` to the request's, as the answer must echo it (and a
/// handler may have built its response from a default).
pub(crate) fn echo_version(message: &mut Message, version: &Mm7Version) {
    if version.is_empty() {
        return;
    }
    if let Some(slot) = message.mm7_version_mut() {
        slot.clone_from(version);
    }
}

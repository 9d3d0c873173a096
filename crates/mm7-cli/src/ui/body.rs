//! The body of the inbox's answers: whole, or a stream of server-sent events.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::sync::mpsc::Receiver;

/// A whole body, or chunks as they come.
#[derive(Debug)]
pub(crate) enum UiBody {
    /// All of it (taken when sent).
    Full(Option<Bytes>),
    /// Chunks until the sender goes away.
    Stream(Receiver<Bytes>),
}

impl Body for UiBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.get_mut() {
            UiBody::Full(data) => Poll::Ready(data.take().map(|d| Ok(Frame::data(d)))),
            UiBody::Stream(receiver) => receiver
                .poll_recv(cx)
                .map(|c| c.map(|d| Ok(Frame::data(d)))),
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, UiBody::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            UiBody::Full(Some(d)) => SizeHint::with_exact(d.len() as u64),
            UiBody::Full(None) => SizeHint::with_exact(0),
            UiBody::Stream(_) => SizeHint::default(),
        }
    }
}

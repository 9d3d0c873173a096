//! A cap on the connections a client keeps open at once.
//!
//! The pool of `hyper_util`'s client opens a connection whenever no idle one is at hand, and
//! a connection goes back to the pool a moment after its answer was read; capping only the
//! requests in flight therefore still lets a few extra connections open in that moment. Here
//! each connection holds a permit for as long as it lives, so opening one more waits until
//! one closes, while the pool hands the request the connection that comes free.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::Uri;
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::client::legacy::connect::{Connected, Connection};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower_service::Service;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A connector whose connections each hold a permit of a shared semaphore.
#[derive(Debug, Clone)]
pub(crate) struct LimitedConnector<C> {
    inner: C,
    permits: Option<Arc<Semaphore>>,
}

impl<C> LimitedConnector<C> {
    /// `permits`: `None` for no cap.
    pub(crate) fn new(inner: C, permits: Option<Arc<Semaphore>>) -> LimitedConnector<C> {
        LimitedConnector { inner, permits }
    }
}

impl<C> Service<Uri> for LimitedConnector<C>
where
    C: Service<Uri> + Clone + Send + 'static,
    C::Future: Send + 'static,
    C::Response: Send + 'static,
    C::Error: Into<BoxError>,
{
    type Response = LimitedConnection<C::Response>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        // The readied service is the one that is called (tower's contract); a clone stays.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let permits = self.permits.clone();
        Box::pin(async move {
            let permit = match permits {
                Some(permits) => Some(permits.acquire_owned().await.map_err(Box::new)?),
                None => None,
            };
            let io = inner.call(uri).await.map_err(Into::into)?;
            Ok(LimitedConnection {
                io,
                _permit: permit,
            })
        })
    }
}

/// A connection and the permit it holds until it is dropped.
#[derive(Debug)]
pub(crate) struct LimitedConnection<T> {
    io: T,
    _permit: Option<OwnedSemaphorePermit>,
}

impl<T: Read + Unpin> Read for LimitedConnection<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<T: Write + Unpin> Write for LimitedConnection<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }
}

impl<T: Connection> Connection for LimitedConnection<T> {
    fn connected(&self) -> Connected {
        self.io.connected()
    }
}

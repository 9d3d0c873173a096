//! Reading a request body under a byte limit, from any `http_body::Body`.

use bytes::{Buf, Bytes};
use http_body_util::BodyExt;
use hyper::body::Body;

/// Why a body could not be read.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// The body passed the limit (by its declared size or by the bytes that came).
    TooLarge,
    /// The body stream failed (the peer went away, or sent broken chunked framing).
    Read(Box<dyn std::error::Error + Send + Sync>),
}

/// Reads `body` whole, stopping as soon as more than `limit` bytes came: a peer cannot make
/// the server hold more than the limit and one frame, whatever its Content-Length said.
/// A body of one frame is returned without a copy.
pub(crate) async fn collect<B>(body: B, limit: usize) -> Result<Bytes, BodyError>
where
    B: Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    // hyper reports a Content-Length as the exact size hint: refuse before reading a byte.
    let hint = body.size_hint();
    if usize::try_from(hint.lower()).map_or(true, |lower| lower > limit) {
        return Err(BodyError::TooLarge);
    }
    let expected = hint
        .upper()
        .and_then(|upper| usize::try_from(upper).ok())
        .unwrap_or(0)
        .min(limit);
    let mut body = std::pin::pin!(body);
    let mut first: Option<Bytes> = None;
    let mut rest: Vec<u8> = Vec::new();
    let mut total: usize = 0;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| BodyError::Read(e.into()))?;
        let Ok(mut data) = frame.into_data() else {
            // Trailers carry nothing MM7 uses.
            continue;
        };
        let len = data.remaining();
        total = total.saturating_add(len);
        if total > limit {
            return Err(BodyError::TooLarge);
        }
        let chunk = data.copy_to_bytes(len);
        match &first {
            None if rest.is_empty() => first = Some(chunk),
            _ => {
                if let Some(first) = first.take() {
                    rest.reserve(expected.max(first.len() + chunk.len()));
                    rest.extend_from_slice(&first);
                }
                rest.extend_from_slice(&chunk);
            }
        }
    }
    Ok(first.unwrap_or_else(|| Bytes::from(rest)))
}

/// The most of a refused body read and discarded after the 413 (a lingering close).
pub(crate) const LINGER_BYTES: usize = 8 * 1024 * 1024;

/// The longest a refused body is read after the 413.
pub(crate) const LINGER_TIME: std::time::Duration = std::time::Duration::from_secs(5);

/// Reads and discards what is left of a refused body, up to [`LINGER_BYTES`] or
/// [`LINGER_TIME`], whichever comes first, in a task of its own; the 413 is answered at once.
///
/// A client that writes its whole body before reading the answer (Python's `http.client`,
/// Mbuni without `Expect: 100-continue`) would otherwise find the connection closed under
/// it with unread data, which the kernel answers with a reset: it sees a broken pipe, not
/// the 413, and retries. Holding the body keeps the connection reading; dropping it at the
/// bound closes the connection (`Connection: close` was answered).
pub(crate) fn linger<B>(body: std::pin::Pin<Box<B>>)
where
    B: Body + Send + 'static,
    B::Data: Send,
{
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    runtime.spawn(async move {
        let mut body = body;
        let mut discarded = 0usize;
        let drain = async {
            while discarded <= LINGER_BYTES {
                let len = match body.frame().await {
                    Some(Ok(frame)) => frame.data_ref().map_or(0, Buf::remaining),
                    _ => break,
                };
                discarded = discarded.saturating_add(len);
            }
        };
        let _ = tokio::time::timeout(LINGER_TIME, drain).await;
    });
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use http_body_util::Full;
    use hyper::body::Frame;

    use super::*;

    /// A body of several frames with no size hint, as a chunked request arrives.
    struct Chunks(VecDeque<Bytes>, usize);

    impl Body for Chunks {
        type Data = Bytes;
        type Error = std::convert::Infallible;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
            let next = self.0.pop_front();
            if next.is_some() {
                self.1 += 1;
            }
            Poll::Ready(next.map(|b| Ok(Frame::data(b))))
        }
    }

    fn chunks(sizes: &[usize]) -> Chunks {
        Chunks(
            sizes.iter().map(|&n| Bytes::from(vec![b'x'; n])).collect(),
            0,
        )
    }

    /// An endless body of 1 MiB frames that counts what was read and says when it is dropped.
    struct Endless(
        std::sync::Arc<std::sync::atomic::AtomicUsize>,
        Option<tokio::sync::oneshot::Sender<()>>,
    );

    impl Body for Endless {
        type Data = Bytes;
        type Error = std::convert::Infallible;

        fn poll_frame(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Poll::Ready(Some(Ok(Frame::data(Bytes::from(vec![0; 1024 * 1024])))))
        }
    }

    impl Drop for Endless {
        fn drop(&mut self) {
            if let Some(done) = self.1.take() {
                let _ = done.send(());
            }
        }
    }

    #[tokio::test]
    async fn lingering_stops_at_its_byte_bound() {
        let read = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (done, dropped) = tokio::sync::oneshot::channel();
        linger(Box::pin(Endless(std::sync::Arc::clone(&read), Some(done))));
        tokio::time::timeout(LINGER_TIME, dropped)
            .await
            .expect("the body is dropped at the bound, before the time bound")
            .expect("dropped");
        let frames = read.load(std::sync::atomic::Ordering::SeqCst);
        assert_eq!(
            frames,
            LINGER_BYTES / (1024 * 1024) + 1,
            "{frames} MiB read"
        );
    }

    #[tokio::test]
    async fn declared_size_refused_before_reading() {
        let full = |n: usize| Full::new(Bytes::from(vec![b'x'; n]));
        assert_eq!(collect(full(10), 10).await.unwrap().len(), 10);
        assert!(matches!(
            collect(full(11), 10).await,
            Err(BodyError::TooLarge)
        ));
    }

    #[tokio::test]
    async fn streamed_bytes_stop_at_the_limit() {
        let body = collect(chunks(&[4, 3, 3]), 10).await.unwrap();
        assert_eq!(body.len(), 10);
        let mut body = chunks(&[4, 4, 4, 4, 4]);
        let result = collect(&mut body, 10).await;
        assert!(matches!(result, Err(BodyError::TooLarge)));
        // The third frame passed the limit; the last two were never asked for.
        assert_eq!(body.1, 3);
        assert_eq!(collect(chunks(&[]), 10).await.unwrap().len(), 0);
    }
}

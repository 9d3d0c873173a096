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

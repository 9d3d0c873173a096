//! The request body (the encoded chunks, sent without joining them) and bounded reading of
//! the answer's body.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming, SizeHint};

/// An encoded MM7 body: the chunks of [`mm7_soap::Encoded`], attachments included as the
/// `Bytes` the caller gave, so a retry resends them without a copy.
#[derive(Debug, Clone, Default)]
pub(crate) struct RequestBody {
    chunks: VecDeque<Bytes>,
    remaining: u64,
}

impl RequestBody {
    pub(crate) fn new(chunks: Vec<Bytes>) -> RequestBody {
        let remaining = chunks.iter().map(|c| c.len() as u64).sum();
        RequestBody {
            chunks: chunks.into_iter().filter(|c| !c.is_empty()).collect(),
            remaining,
        }
    }

    /// The length in bytes.
    pub(crate) fn len(&self) -> u64 {
        self.remaining
    }
}

impl Body for RequestBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.chunks.pop_front() {
            Some(chunk) => {
                self.remaining = self.remaining.saturating_sub(chunk.len() as u64);
                Poll::Ready(Some(Ok(Frame::data(chunk))))
            }
            None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.chunks.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

/// A body read up to a limit.
pub(crate) struct ReadBody {
    /// The bytes read (at most the limit).
    pub(crate) bytes: Bytes,
    /// Whether the body went on past the limit (the rest was not read).
    pub(crate) truncated: bool,
}

/// Reads `body` until its end or until `limit` bytes; what lies past the limit is left
/// unread (the connection is then closed rather than drained).
pub(crate) async fn read_limited(
    mut body: Incoming,
    limit: usize,
) -> Result<ReadBody, hyper::Error> {
    let mut out = BytesMut::new();
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame?.into_data() else {
            continue;
        };
        let room = limit.saturating_sub(out.len());
        if data.len() > room {
            out.extend_from_slice(data.get(..room).unwrap_or_default());
            return Ok(ReadBody {
                bytes: out.freeze(),
                truncated: true,
            });
        }
        if out.is_empty() && body.is_end_stream() {
            // A body in one frame (the common case for a small answer): no copy.
            return Ok(ReadBody {
                bytes: data,
                truncated: false,
            });
        }
        out.extend_from_slice(&data);
    }
    Ok(ReadBody {
        bytes: out.freeze(),
        truncated: false,
    })
}

/// The start of a body as text, at most `limit` bytes, invalid UTF-8 replaced.
pub(crate) fn excerpt(bytes: &[u8], limit: usize) -> String {
    let cut = bytes.get(..limit).unwrap_or(bytes);
    String::from_utf8_lossy(cut).into_owned()
}

/// The most characters of a body's text an error message shows.
const SUMMARY_CHARS: usize = 200;

/// The gist of an error body on one line, at most [`SUMMARY_CHARS`] characters: an HTML
/// page's `<title>` (else its text without the markup), or a text body with its
/// whitespace collapsed.
pub(crate) fn body_summary(content_type: &str, body: &str) -> String {
    let looks_html = content_type.to_ascii_lowercase().contains("html")
        || body.trim_start().starts_with('<') && body.to_ascii_lowercase().contains("<html");
    let text = if looks_html {
        html_title(body).unwrap_or_else(|| html_text(body))
    } else {
        body.to_owned()
    };
    shorten(&collapse_whitespace(&text), SUMMARY_CHARS)
}

/// The text of the first `<title>` element, if there is a non-empty one.
fn html_title(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let open = lower.find("<title")?;
    let start = open + lower.get(open..)?.find('>')? + 1;
    let end = start
        + lower
            .get(start..)?
            .find("</title")
            .unwrap_or(lower.len() - start);
    let title = decode_entities(html.get(start..end)?);
    (!title.trim().is_empty()).then_some(title)
}

/// The text of an HTML fragment: the markup, scripts and styles dropped, the common
/// entities decoded.
fn html_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(rest.get(..open).unwrap_or_default());
        out.push(' ');
        let tag = rest.get(open..).unwrap_or_default();
        let lower = tag
            .get(..tag.len().min(8))
            .unwrap_or_default()
            .to_ascii_lowercase();
        let skip_to = ["script", "style"].iter().find_map(|name| {
            lower
                .starts_with(&format!("<{name}"))
                .then(|| format!("</{name}"))
        });
        let after = match skip_to {
            Some(close) => tag
                .to_ascii_lowercase()
                .find(&close)
                .and_then(|i| tag.get(i..)?.find('>').map(|j| i + j + 1)),
            None => tag.find('>').map(|i| i + 1),
        };
        match after {
            Some(after) => rest = tag.get(after..).unwrap_or_default(),
            None => {
                rest = "";
                break;
            }
        }
    }
    out.push_str(rest);
    decode_entities(&out)
}

fn decode_entities(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn shorten(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or_default().trim_end()),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_body_frames_and_length() {
        let body = RequestBody::new(vec![
            Bytes::from_static(b"ab"),
            Bytes::new(),
            Bytes::from_static(b"cde"),
        ]);
        assert_eq!(body.len(), 5);
        assert_eq!(body.size_hint().exact(), Some(5));
        let collected = futures_collect(body);
        assert_eq!(collected, b"abcde");
    }

    fn futures_collect(body: RequestBody) -> Vec<u8> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let collected = body.collect().await.map(|c| c.to_bytes());
            collected.map(|b| b.to_vec()).unwrap_or_default()
        })
    }

    #[test]
    fn excerpts_are_bounded_and_lossy() {
        assert_eq!(excerpt(b"hello", 3), "hel");
        assert_eq!(excerpt(b"hi", 512), "hi");
        assert_eq!(excerpt(b"a\xff", 512), "a\u{fffd}");
        // A cut inside a multi-byte character is replaced, not a panic.
        assert_eq!(excerpt("é".as_bytes(), 1), "\u{fffd}");
    }
}

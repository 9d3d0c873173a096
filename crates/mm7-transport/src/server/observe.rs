//! [`Answered`]: what a server tells an observer of each answer it gives, and the text of a
//! request head as received.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http::Request;

/// One answer a server gave (or, for 431, hyper gave for it), for an observer set with
/// [`ServerConfig::with_observer`](crate::server::ServerConfig::with_observer): refusals
/// before the decoder (401, 403, 405, 408, 413, 431), decode Faults, handler Faults and
/// successes alike.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Answered {
    /// The peer's address, when known.
    pub peer: Option<SocketAddr>,
    /// The MM7 operation, when the request was read that far.
    pub operation: Option<String>,
    /// The TransactionID, when the request was read that far.
    pub transaction_id: Option<String>,
    /// The HTTP status answered.
    pub http_status: u16,
    /// The MM7 status code answered (in an envelope or a Fault), if any.
    pub mm7_status: Option<u32>,
    /// Why: the status text of the MM7 status, or of the HTTP refusal.
    pub reason: String,
    /// How long the request took.
    pub duration: Duration,
}

/// The observer of a server's answers.
#[derive(Clone)]
pub(crate) struct Observer(pub(crate) Arc<dyn Fn(&Answered) + Send + Sync>);

impl fmt::Debug for Observer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Observer")
    }
}

/// What `respond` learns of a request on its way, for the observer.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// Whether an observer will read it: without one, what a request that succeeds would
    /// copy here (its operation, TransactionID and status text) is not copied.
    pub(crate) observed: bool,
    pub(crate) operation: Option<String>,
    pub(crate) transaction_id: Option<String>,
    pub(crate) mm7_status: Option<u32>,
    pub(crate) reason: Option<String>,
}

/// The request line and headers as an HTTP capture, with the credentials of an
/// `Authorization` header masked (a store must not keep passwords).
pub(crate) fn head_text<B>(request: &Request<B>) -> String {
    use std::fmt::Write as _;
    // Sized once: the request line's parts and every `name: value\r\n` (a masked value is
    // shorter than the one it replaces).
    let uri = request.uri();
    let size = request.method().as_str().len()
        + uri.path().len()
        + uri.query().map_or(0, |q| q.len() + 1)
        + uri.authority().map_or(0, |a| a.as_str().len() + 16)
        + 16
        + request
            .headers()
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + 4)
            .sum::<usize>()
        + 2;
    let mut head = String::with_capacity(size);
    // The request line as `Uri`'s and `Version`'s formatting write it, without the formatter.
    head.push_str(request.method().as_str());
    head.push(' ');
    if let Some(scheme) = uri.scheme_str() {
        head.push_str(scheme);
        head.push_str("://");
    }
    if let Some(authority) = uri.authority() {
        head.push_str(authority.as_str());
    }
    head.push_str(uri.path());
    if let Some(query) = uri.query() {
        head.push('?');
        head.push_str(query);
    }
    head.push(' ');
    match request.version() {
        http::Version::HTTP_10 => head.push_str("HTTP/1.0"),
        http::Version::HTTP_11 => head.push_str("HTTP/1.1"),
        version => {
            let _ = write!(head, "{version:?}");
        }
    }
    head.push_str("\r\n");
    for (name, value) in request.headers() {
        head.push_str(name.as_str());
        head.push_str(": ");
        if name == http::header::AUTHORIZATION {
            let scheme = value
                .to_str()
                .ok()
                .and_then(|v| v.split_whitespace().next())
                .unwrap_or("");
            head.push_str(scheme);
            head.push_str(" ********");
        } else {
            match std::str::from_utf8(value.as_bytes()) {
                Ok(text) => head.push_str(text),
                Err(_) => head.push_str(&String::from_utf8_lossy(value.as_bytes())),
            }
        }
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    head
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_head_masks_credentials() {
        let request = Request::post("/mm7")
            .header("Content-Type", "text/xml")
            .header("Authorization", "Basic dmFzcDpzM2NyZXQ=")
            .body(())
            .unwrap();
        let head = head_text(&request);
        assert!(head.starts_with("POST /mm7 HTTP/1.1\r\n"), "{head}");
        assert!(head.contains("content-type: text/xml\r\n"), "{head}");
        assert!(head.contains("authorization: Basic ********\r\n"), "{head}");
        assert!(!head.contains("dmFzcDpzM2NyZXQ="));
        assert!(head.ends_with("\r\n\r\n"));
    }

    #[test]
    fn the_request_line_is_written_as_http_formats_it() {
        for (uri, version) in [
            ("/mm7", http::Version::HTTP_11),
            ("/mm7/vasp?x=1&y=%20", http::Version::HTTP_10),
            ("http://mmsc.example:8080/mm7?q", http::Version::HTTP_11),
            ("*", http::Version::HTTP_2),
            ("https://example.net", http::Version::HTTP_09),
        ] {
            let request = Request::post(uri).version(version).body(()).unwrap();
            let head = head_text(&request);
            let line = format!("POST {} {:?}\r\n", request.uri(), request.version());
            assert_eq!(head, format!("{line}\r\n"), "{uri}");
        }
    }
}

//! The headers of an operator's HTML page.

use http::header::{self, HeaderMap, HeaderValue};

/// Sets the headers every page of an operator's web view carries: the page's
/// Content-Security-Policy `csp`, `X-Content-Type-Options: nosniff`,
/// `Referrer-Policy: no-referrer` (no message URL leaks in a `Referer`),
/// `X-Frame-Options: DENY` (no framing, for browsers without `frame-ancestors`) and
/// `Cache-Control: no-store` (message content is not kept in caches). Headers already set
/// under these names are replaced.
///
/// # Panics
///
/// If `csp` holds a byte a header value cannot (a control character such as a line break):
/// the policy is meant to be a constant of the program, so such a bug shows at once.
///
/// ```
/// use http::header::{CONTENT_SECURITY_POLICY, HeaderMap, X_FRAME_OPTIONS};
/// use mm7_transport::server::lock_down_page;
///
/// let mut headers = HeaderMap::new();
/// lock_down_page(&mut headers, "default-src 'self'; script-src 'none'");
/// assert_eq!(headers[CONTENT_SECURITY_POLICY], "default-src 'self'; script-src 'none'");
/// assert_eq!(headers[X_FRAME_OPTIONS], "DENY");
/// assert_eq!(headers.len(), 5);
/// ```
pub fn lock_down_page(headers: &mut HeaderMap, csp: &'static str) {
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_five_headers_replace_what_was_set() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("max-age=60"),
        );
        headers.append(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("SAMEORIGIN"),
        );
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
        lock_down_page(&mut headers, "default-src 'none'");
        let values = |name| {
            headers
                .get_all(name)
                .iter()
                .map(|v| v.to_str().unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            values(header::CONTENT_SECURITY_POLICY),
            ["default-src 'none'"]
        );
        assert_eq!(values(header::X_CONTENT_TYPE_OPTIONS), ["nosniff"]);
        assert_eq!(values(header::REFERRER_POLICY), ["no-referrer"]);
        assert_eq!(values(header::X_FRAME_OPTIONS), ["DENY"]);
        assert_eq!(values(header::CACHE_CONTROL), ["no-store"]);
        // What is not its own is left alone.
        assert_eq!(values(header::CONTENT_TYPE), ["text/html"]);
        assert_eq!(headers.len(), 6);
    }
}

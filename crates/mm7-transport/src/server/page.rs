//! The headers of an operator's HTML page.

use http::header::{self, HeaderMap, HeaderValue};

/// Sets the headers every page of an operator's web view carries: the page's
/// Content-Security-Policy `csp`, `X-Content-Type-Options: nosniff`,
/// `Referrer-Policy: no-referrer` (no message URL leaks in a `Referer`),
/// `X-Frame-Options: DENY` (no framing, for browsers without `frame-ancestors`) and
/// `Cache-Control: no-store` (message content is not kept in caches). Headers already set
/// under these names are replaced.
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

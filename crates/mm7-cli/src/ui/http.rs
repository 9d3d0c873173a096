//! The answers of the inbox, with the headers every one of them carries, its Basic
//! authentication, and its query strings.

use base64::Engine as _;
use bytes::Bytes;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Response, StatusCode};
use serde::Serialize;
use tokio::sync::mpsc::Receiver;

use super::body::UiBody;

/// What the page may load: its own script, style, images and media, nothing else; no
/// inline script, no framing, no plugins.
pub(crate) const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self'; media-src 'self'; connect-src 'self'; object-src 'none'; \
    frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// Builders of the inbox's answers.
pub(crate) struct Answer;

impl Answer {
    fn with(status: StatusCode, content_type: &str, body: UiBody) -> Response<UiBody> {
        let mut response = Response::new(body);
        *response.status_mut() = status;
        let headers = response.headers_mut();
        let value = HeaderValue::from_str(content_type)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
        headers.insert(header::CONTENT_TYPE, value);
        mm7_transport::server::lock_down_page(headers, CSP);
        response
    }

    /// An embedded asset.
    pub(crate) fn asset(content_type: &str, text: &'static str) -> Response<UiBody> {
        Answer::with(
            StatusCode::OK,
            content_type,
            UiBody::Full(Some(Bytes::from_static(text.as_bytes()))),
        )
    }

    /// `value` as JSON.
    pub(crate) fn json<T: Serialize + ?Sized>(value: &T) -> Response<UiBody> {
        match serde_json::to_vec(value) {
            Ok(body) => Answer::with(
                StatusCode::OK,
                "application/json",
                UiBody::Full(Some(body.into())),
            ),
            Err(_) => Answer::error(StatusCode::INTERNAL_SERVER_ERROR, "cannot write JSON"),
        }
    }

    /// An error as `{"error": …}`.
    pub(crate) fn error(status: StatusCode, text: &str) -> Response<UiBody> {
        let body = serde_json::json!({ "error": text }).to_string();
        Answer::with(status, "application/json", UiBody::Full(Some(body.into())))
    }

    /// 401 with the challenge.
    pub(crate) fn unauthorized() -> Response<UiBody> {
        let mut response = Answer::error(StatusCode::UNAUTHORIZED, "authentication required");
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"mm7 inbox\", charset=\"UTF-8\""),
        );
        response
    }

    /// Bytes to save as `file_name`.
    pub(crate) fn download(content_type: &str, file_name: &str, data: Vec<u8>) -> Response<UiBody> {
        let mut response = Answer::with(
            StatusCode::OK,
            content_type,
            UiBody::Full(Some(data.into())),
        );
        response.headers_mut().insert(
            header::CONTENT_DISPOSITION,
            disposition("attachment", file_name),
        );
        response
    }

    /// A part with its own type: inline when a browser only displays that type, else (or
    /// when asked) as a download.
    pub(crate) fn part(
        content_type: &str,
        file_name: &str,
        data: Vec<u8>,
        download: bool,
    ) -> Response<UiBody> {
        let kind = if download || !displayable(content_type) {
            "attachment"
        } else {
            "inline"
        };
        let mut response = Answer::with(
            StatusCode::OK,
            content_type,
            UiBody::Full(Some(data.into())),
        );
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, disposition(kind, file_name));
        response
    }

    /// A stream of chunks (server-sent events).
    pub(crate) fn stream(content_type: &str, receiver: Receiver<Bytes>) -> Response<UiBody> {
        Answer::with(StatusCode::OK, content_type, UiBody::Stream(receiver))
    }
}

/// Whether a browser shows `content_type` without running anything: raster images, audio,
/// video, plain text. SVG, HTML, XML and anything else go out as downloads.
pub(crate) fn displayable(content_type: &str) -> bool {
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    matches!(
        media.as_str(),
        "image/jpeg"
            | "image/jpg"
            | "image/png"
            | "image/gif"
            | "image/webp"
            | "image/bmp"
            | "text/plain"
    ) || ((media.starts_with("audio/") || media.starts_with("video/")) && !media.contains("xml"))
}

/// `attachment; filename="…"` with a name reduced to safe ASCII.
fn disposition(kind: &str, file_name: &str) -> HeaderValue {
    let name = mm7_model::media::safe_file_name(file_name).unwrap_or_else(|| "part".into());
    HeaderValue::from_str(&format!("{kind}; filename=\"{name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// Whether the request carries the credentials required (always, when none are).
pub(crate) fn authorized(credentials: Option<&(String, String)>, headers: &HeaderMap) -> bool {
    let Some((user, password)) = credentials else {
        return true;
    };
    let expected = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        })
        .is_some_and(|given| {
            let given = given.trim().as_bytes();
            // The same time whatever prefix matches.
            given.len() == expected.len()
                && given
                    .iter()
                    .zip(expected.as_bytes())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
        })
}

/// The `key=value` pairs of a query string, percent-decoded (`+` is a space).
pub(crate) fn query_pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_are_decoded() {
        assert_eq!(
            query_pairs("q=a%20b+c&x=%zz&empty"),
            vec![
                ("q".into(), "a b c".into()),
                ("x".into(), "%zz".into()),
                ("empty".into(), String::new())
            ]
        );
    }

    #[test]
    fn only_inert_types_are_inline() {
        assert!(displayable("image/png"));
        assert!(displayable("text/plain; charset=utf-8"));
        assert!(!displayable("image/svg+xml"));
        assert!(!displayable("text/html"));
        assert!(!displayable("application/smil"));
        assert!(!displayable("application/octet-stream"));
    }
}

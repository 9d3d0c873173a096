//! The inbox's HTML: escaping, the page around every body, the pieces the pages share, and the
//! answers with a part's bytes.

use std::fmt::Write as _;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::Value;

/// Rows per page unless `limit` says otherwise.
pub(super) const PAGE: usize = 50;

/// `text` escaped for HTML text and for attribute values in double quotes.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `text` percent-encoded for a path segment or a query value.
pub(super) fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The `key=value` pairs of a query string, percent-decoded (`+` is a space).
pub(super) fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub(super) fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, v)| k == name && !v.is_empty())
        .map(|(_, v)| v.as_str())
}

pub(super) fn limit(pairs: &[(String, String)]) -> usize {
    param(pairs, "limit")
        .and_then(|v| v.parse::<usize>().ok())
        .map_or(PAGE, |n| n.clamp(1, 200))
}

/// A whole page: the header with its navigation, `title`, and `body`.
pub(super) fn page(title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} · mm7 gateway</title>\n\
         <link rel=\"stylesheet\" href=\"/inbox/style.css\">\n</head>\n<body>\n\
         <header><h1>mm7 gateway</h1><nav><a href=\"/inbox/\">Messages</a>\
         <a href=\"/inbox/received\">Received</a><a href=\"/inbox/failed\">Failed</a></nav>\
         </header>\n<main>\n{body}</main>\n</body>\n</html>\n",
        title = escape(title),
    );
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

/// An error page.
pub(super) fn problem(status: StatusCode, text: &str) -> Response {
    let mut response = page(text, &format!("<p class=\"hint\">{}</p>\n", escape(text)));
    *response.status_mut() = status;
    response
}

pub(super) fn unreadable(error: &crate::error::GatewayError) -> Response {
    tracing::error!(%error, "inbox: reading the store");
    problem(
        StatusCode::SERVICE_UNAVAILABLE,
        "The store could not be read; try again.",
    )
}

/// A status as a label, with a class of its own (letters and dashes only).
pub(super) fn status_label(status: &str) -> String {
    let class: String = status
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    format!(
        "<span class=\"status status-{class}\">{}</span>",
        escape(status)
    )
}

pub(super) fn opt(text: Option<&str>) -> String {
    text.map_or_else(String::new, escape)
}

/// A list of addresses from a JSON string or array.
pub(super) fn addresses(value: &Value) -> String {
    match value {
        Value::String(one) => escape(one),
        Value::Array(many) => escape(
            &many
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        _ => String::new(),
    }
}

/// A message's content as a handset shows it: the text, then the pictures inline (from
/// `href/N`), then the other parts as downloads.
pub(super) fn content(text: Option<&str>, parts: &[Value], href: &str) -> String {
    let mut out = String::from("<div class=\"phone\" id=\"content\">\n");
    if let Some(text) = text.filter(|t| !t.is_empty()) {
        let _ = writeln!(out, "<div class=\"text\">{}</div>", escape(text));
    }
    let mut files = String::new();
    for (n, part) in parts.iter().enumerate() {
        let content_type = part["content_type"].as_str().unwrap_or("");
        let label = part_name(part).map_or_else(|| format!("part {}", n + 1), str::to_owned);
        if part["data"].is_string() && is_picture(content_type) {
            let _ = writeln!(out, "<img src=\"{href}/{n}\" alt=\"{}\">", escape(&label));
        } else if part["data"].is_string() {
            let _ = writeln!(
                files,
                "<li><a href=\"{href}/{n}\" download>{}</a> ({})</li>",
                escape(&label),
                escape(content_type)
            );
        } else if let Some(url) = part["url"].as_str() {
            let _ = writeln!(
                files,
                "<li>{} ({}), from <code>{}</code></li>",
                escape(&label),
                escape(content_type),
                escape(&without_secrets(url))
            );
        }
    }
    out.push_str("</div>\n");
    if !files.is_empty() {
        let _ = write!(out, "<ul class=\"files\" id=\"files\">\n{files}</ul>\n");
    }
    out
}

/// The name of a part: its file name as the API took it (`filename` or `file_name`), else its
/// Content-ID (an incoming message's).
pub(super) fn part_name(part: &Value) -> Option<&str> {
    ["filename", "file_name", "content_id"]
        .iter()
        .find_map(|field| part[*field].as_str())
}

/// Whether a browser only displays `content_type` (a raster picture): shown inline. SVG and
/// anything else is a download.
pub(super) fn is_picture(content_type: &str) -> bool {
    matches!(
        media_type(content_type).as_str(),
        "image/jpeg" | "image/jpg" | "image/png" | "image/gif" | "image/webp" | "image/bmp"
    )
}

pub(super) fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// A part's bytes: a picture inline with its type, anything else a download as
/// `application/octet-stream` (never run or rendered by the browser).
pub(super) fn part_answer(part: Option<&Value>) -> Response {
    let Some(part) = part else {
        return problem(StatusCode::NOT_FOUND, "No such part.");
    };
    let Some(bytes) = part["data"].as_str().and_then(|d| {
        base64::engine::general_purpose::STANDARD
            .decode(d.trim())
            .ok()
    }) else {
        return problem(StatusCode::NOT_FOUND, "No such part.");
    };
    let content_type = media_type(part["content_type"].as_str().unwrap_or(""));
    let file = part_name(part)
        .and_then(mm7_model::media::safe_file_name)
        .unwrap_or_else(|| "part".to_owned());
    let (content_type, disposition) = if is_picture(&content_type) {
        (content_type, "inline")
    } else {
        ("application/octet-stream".to_owned(), "attachment")
    };
    let content_type = HeaderValue::from_str(&content_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    let disposition = HeaderValue::from_str(&format!("{disposition}; filename=\"{file}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// A URL without what may be a secret in it: the user and password, the query, the fragment.
pub(super) fn without_secrets(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let path = if path.is_empty() {
        String::new()
    } else {
        format!("/{path}")
    };
    if scheme.is_empty() {
        format!("{host}{path}")
    } else {
        format!("{scheme}://{host}{path}")
    }
}

/// The `before` cursor of a list by row id.
pub(super) fn before(pairs: &[(String, String)]) -> Option<i64> {
    param(pairs, "before").and_then(|v| v.parse().ok())
}

/// A MessageID linked to the messages the MMSC gave it.
pub(super) fn message_link(message_id: Option<&str>) -> String {
    message_id.map_or_else(String::new, |id| {
        format!(
            "<a href=\"/inbox/?message_id={}\">{}</a>",
            encode(id),
            escape(id)
        )
    })
}

/// The links between pages of a list by row id, keeping its `filter` (a name and value).
pub(super) fn pager(
    path: &str,
    filter: Option<(&str, &str)>,
    cursor: Option<i64>,
    more: bool,
    last: Option<i64>,
    size: usize,
) -> String {
    let mut kept = String::new();
    if let Some((name, value)) = filter {
        let _ = write!(kept, "{name}={}&amp;", encode(value));
    }
    if size != PAGE {
        let _ = write!(kept, "limit={size}&amp;");
    }
    let mut out = String::from("<nav class=\"pager\">");
    if cursor.is_some() {
        let _ = write!(
            out,
            "<a id=\"first\" href=\"{path}?{}\">Newest</a>",
            kept.trim_end_matches("&amp;")
        );
    }
    if more && let Some(last) = last {
        let _ = write!(
            out,
            "<a id=\"next\" rel=\"next\" href=\"{path}?{kept}before={last}\">Older</a>"
        );
    }
    out.push_str("</nav>\n");
    out
}

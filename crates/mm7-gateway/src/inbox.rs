//! The operator's web inbox, on the API listener under `/inbox/`: the submissions (filtered by
//! status and account, in keyset pages), each with its status history and content, the
//! messages and reports the MMSC sent in, and the failed work.
//!
//! The pages are HTML written by the server, with no script at all: everything that came from
//! an application or a peer is escaped, every answer carries the same strict
//! Content-Security-Policy as `mm7 mmsc`'s inbox (without even its own script), `nosniff` and `no-store`, and a part a browser
//! could run (SVG, HTML, XML, script) is only ever a download. The raw requests peers sent,
//! which may carry their credentials, are not shown.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine as _;
use serde_json::Value;

use crate::config::GatewayConfig;
use crate::store::{MessageQuery, Storage, rfc3339};

/// What the pages may load: `mm7 mmsc`'s inbox policy, with no script at all: their own style
/// and images, nothing else; no framing, no plugins.
pub(crate) const CSP: &str = "default-src 'self'; script-src 'none'; style-src 'self'; \
    img-src 'self'; media-src 'self'; connect-src 'self'; object-src 'none'; \
    frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const STYLE: &str = include_str!("../assets/inbox.css");

/// Rows per page unless `limit` says otherwise.
const PAGE: usize = 50;

/// The statuses offered by the filter.
const STATUSES: &[&str] = &[
    "queued",
    "sending",
    "retrying",
    "sent",
    "delivered",
    "read",
    "expired",
    "rejected",
    "failed",
    "cancelling",
    "cancelled",
    "cancel-failed",
    "replacing",
    "replaced",
    "replace-failed",
];

#[derive(Clone)]
struct Inbox<S> {
    storage: S,
    config: Arc<GatewayConfig>,
}

/// The inbox's routes, under `/inbox`.
pub(crate) fn router<S: Storage>(storage: S, config: Arc<GatewayConfig>) -> Router {
    Router::new()
        .route("/inbox", get(list::<S>))
        .route("/inbox/", get(list::<S>))
        .route("/inbox/style.css", get(style))
        .route("/inbox/messages/{id}", get(message::<S>))
        .route("/inbox/messages/{id}/parts/{n}", get(message_part::<S>))
        .route("/inbox/received", get(received_list::<S>))
        .route("/inbox/received/{id}", get(received::<S>))
        .route("/inbox/received/{id}/parts/{n}", get(received_part::<S>))
        .route("/inbox/failed", get(failed::<S>))
        .layer(axum::middleware::map_response(locked_down))
        .with_state(Inbox { storage, config })
}

/// The headers every answer of the inbox carries.
async fn locked_down(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
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
    response
}

async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response()
}

/// `text` escaped for HTML text and for attribute values in double quotes.
pub(crate) fn escape(text: &str) -> String {
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
fn encode(text: &str) -> String {
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
fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    fn decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match (bytes[i], hex) {
                (b'+', _) => out.push(b' '),
                (b'%', Some(b)) => {
                    out.push(b);
                    i += 2;
                }
                (b, _) => out.push(b),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, v)| k == name && !v.is_empty())
        .map(|(_, v)| v.as_str())
}

fn limit(pairs: &[(String, String)]) -> usize {
    param(pairs, "limit")
        .and_then(|v| v.parse::<usize>().ok())
        .map_or(PAGE, |n| n.clamp(1, 200))
}

/// A whole page: the header with its navigation, `title`, and `body`.
fn page(title: &str, body: &str) -> Response {
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
fn problem(status: StatusCode, text: &str) -> Response {
    let mut response = page(text, &format!("<p class=\"hint\">{}</p>\n", escape(text)));
    *response.status_mut() = status;
    response
}

fn unreadable(error: &crate::error::GatewayError) -> Response {
    tracing::error!(%error, "inbox: reading the store");
    problem(
        StatusCode::SERVICE_UNAVAILABLE,
        "The store could not be read; try again.",
    )
}

/// A status as a label, with a class of its own (letters and dashes only).
fn status_label(status: &str) -> String {
    let class: String = status
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    format!(
        "<span class=\"status status-{class}\">{}</span>",
        escape(status)
    )
}

fn opt(text: Option<&str>) -> String {
    text.map_or_else(String::new, escape)
}

/// A list of addresses from a JSON string or array.
fn addresses(value: &Value) -> String {
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

async fn list<S: Storage>(State(inbox): State<Inbox<S>>, RawQuery(query): RawQuery) -> Response {
    let pairs = query_pairs(query.as_deref());
    let size = limit(&pairs);
    let status = param(&pairs, "status").map(str::to_owned);
    let account = param(&pairs, "account").map(str::to_owned);
    let message_id = param(&pairs, "message_id").map(str::to_owned);
    let after = param(&pairs, "after").and_then(|cursor| {
        let (at, id) = cursor.split_once('.')?;
        Some((at.parse::<i64>().ok()?, id.to_owned()))
    });
    let filter = MessageQuery {
        status: status.clone(),
        account: account.clone(),
        message_id: message_id.clone(),
        after: after.clone(),
        limit: size + 1,
    };
    let mut rows = match inbox.storage.list_messages(filter).await {
        Ok(rows) => rows,
        Err(error) => return unreadable(&error),
    };
    let more = rows.len() > size;
    rows.truncate(size);

    let mut body = String::from("<h2>Messages</h2>\n");
    body.push_str("<form class=\"filters\" method=\"get\" action=\"/inbox/\">\n");
    body.push_str(
        "<label>Status <select id=\"status\" name=\"status\"><option value=\"\">all</option>",
    );
    let mut statuses: Vec<&str> = STATUSES.to_vec();
    if let Some(s) = status.as_deref().filter(|s| !statuses.contains(s)) {
        statuses.push(s);
    }
    for s in statuses {
        let selected = if status.as_deref() == Some(s) {
            " selected"
        } else {
            ""
        };
        let _ = write!(
            body,
            "<option value=\"{0}\"{selected}>{0}</option>",
            escape(s)
        );
    }
    body.push_str("</select></label>\n");
    body.push_str(
        "<label>Account <select id=\"account\" name=\"account\"><option value=\"\">all</option>",
    );
    let mut accounts: Vec<&str> = inbox
        .config
        .accounts
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    if let Some(a) = account.as_deref().filter(|a| !accounts.contains(a)) {
        accounts.push(a);
    }
    for a in accounts {
        let selected = if account.as_deref() == Some(a) {
            " selected"
        } else {
            ""
        };
        let _ = write!(
            body,
            "<option value=\"{0}\"{selected}>{0}</option>",
            escape(a)
        );
    }
    let _ = write!(
        body,
        "</select></label>\n<label>MessageID <input id=\"message_id\" name=\"message_id\" \
         value=\"{}\"></label>\n<button type=\"submit\">Filter</button>\n</form>\n",
        opt(message_id.as_deref())
    );

    if rows.is_empty() {
        body.push_str("<p class=\"hint\" id=\"empty\">No messages.</p>\n");
    } else {
        body.push_str(
            "<table class=\"list\" id=\"messages\">\n<thead><tr><th>Id</th><th>Account</th>\
             <th>To</th><th>Subject</th><th>Status</th><th>MessageID</th><th>Updated</th></tr>\
             </thead>\n<tbody>\n",
        );
        for row in &rows {
            let _ = writeln!(
                body,
                "<tr><td><a href=\"/inbox/messages/{href}\">{id}</a></td><td>{account}</td>\
                 <td>{to}</td><td class=\"subject\">{subject}</td><td>{status}</td>\
                 <td>{message_id}</td><td><time>{updated}</time></td></tr>",
                href = encode(&row.id),
                id = escape(&row.id),
                account = escape(&row.account),
                to = escape(&row.to.join(", ")),
                subject = opt(row.subject.as_deref()),
                status = status_label(&row.status),
                message_id = opt(row.message_id.as_deref()),
                updated = rfc3339(row.updated_at),
            );
        }
        body.push_str("</tbody>\n</table>\n");
    }
    // The filters, kept in the pager's links.
    let mut kept = String::new();
    for (name, value) in [
        ("status", &status),
        ("account", &account),
        ("message_id", &message_id),
    ] {
        if let Some(value) = value {
            let _ = write!(kept, "{name}={}&amp;", encode(value));
        }
    }
    if size != PAGE {
        let _ = write!(kept, "limit={size}&amp;");
    }
    body.push_str("<nav class=\"pager\">");
    if after.is_some() {
        let _ = write!(
            body,
            "<a id=\"first\" href=\"/inbox/?{}\">Newest</a>",
            kept.trim_end_matches("&amp;")
        );
    }
    if more && let Some(last) = rows.last() {
        let cursor = format!("{}.{}", last.created_at, last.id);
        let _ = write!(
            body,
            "<a id=\"next\" rel=\"next\" href=\"/inbox/?{kept}after={}\">Older</a>",
            encode(&cursor)
        );
    }
    body.push_str("</nav>\n");
    page("Messages", &body)
}

async fn message<S: Storage>(State(inbox): State<Inbox<S>>, Path(id): Path<String>) -> Response {
    let view = match inbox.storage.message(&id).await {
        Ok(Some(view)) => view,
        Ok(None) => return problem(StatusCode::NOT_FOUND, "No such message."),
        Err(error) => return unreadable(&error),
    };
    let request = match inbox.storage.message_request(&id).await {
        Ok(request) => request.unwrap_or(Value::Null),
        Err(error) => return unreadable(&error),
    };
    let subject = request["subject"].as_str();
    let mut body = format!(
        "<h2 class=\"subject\" id=\"subject\">{}</h2>\n<table class=\"headers\">\n",
        subject.map_or_else(|| "(no subject)".to_owned(), escape)
    );
    let rows: [(&str, String); 11] = [
        ("Id", escape(&view.id)),
        ("Account", escape(&view.account)),
        ("Status", status_label(&view.status)),
        ("MessageID", opt(view.message_id.as_deref())),
        ("TransactionID", escape(&view.transaction_id)),
        ("Reference", opt(view.reference.as_deref())),
        ("From", addresses(&request["from"])),
        ("To", addresses(&request["to"])),
        ("Cc", addresses(&request["cc"])),
        ("Tries", view.tries.to_string()),
        ("Last error", opt(view.last_error.as_deref())),
    ];
    for (name, value) in rows {
        if !value.is_empty() {
            let _ = writeln!(body, "<tr><th>{name}</th><td>{value}</td></tr>");
        }
    }
    body.push_str("</table>\n");
    let href = format!("/inbox/messages/{}/parts", encode(&view.id));
    body.push_str(&content(
        request["text"].as_str(),
        request["attachments"]
            .as_array()
            .map_or(&[][..], Vec::as_slice),
        &href,
    ));
    body.push_str("<h3>History</h3>\n<ol class=\"timeline\" id=\"history\">\n");
    for entry in &view.history {
        let _ = writeln!(
            body,
            "<li><time>{}</time> {} {}</li>",
            escape(&entry.at),
            status_label(&entry.status),
            opt(entry.detail.as_deref())
        );
    }
    body.push_str("</ol>\n");
    page(subject.unwrap_or(&view.id), &body)
}

/// A message's content as a handset shows it: the text, then the pictures inline (from
/// `href/N`), then the other parts as downloads.
fn content(text: Option<&str>, parts: &[Value], href: &str) -> String {
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
fn part_name(part: &Value) -> Option<&str> {
    ["filename", "file_name", "content_id"]
        .iter()
        .find_map(|field| part[*field].as_str())
}

/// Whether a browser only displays `content_type` (a raster picture): shown inline. SVG and
/// anything else is a download.
fn is_picture(content_type: &str) -> bool {
    matches!(
        media_type(content_type).as_str(),
        "image/jpeg" | "image/jpg" | "image/png" | "image/gif" | "image/webp" | "image/bmp"
    )
}

fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// A part's bytes: a picture inline with its type, anything else a download as
/// `application/octet-stream` (never run or rendered by the browser).
fn part_answer(part: Option<&Value>) -> Response {
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

async fn message_part<S: Storage>(
    State(inbox): State<Inbox<S>>,
    Path((id, n)): Path<(String, usize)>,
) -> Response {
    match inbox.storage.message_request(&id).await {
        Ok(Some(request)) => part_answer(request["attachments"].get(n)),
        Ok(None) => problem(StatusCode::NOT_FOUND, "No such message."),
        Err(error) => unreadable(&error),
    }
}

/// A URL without what may be a secret in it: the user and password, the query, the fragment.
fn without_secrets(url: &str) -> String {
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
fn before(pairs: &[(String, String)]) -> Option<i64> {
    param(pairs, "before").and_then(|v| v.parse().ok())
}

async fn received_list<S: Storage>(
    State(inbox): State<Inbox<S>>,
    RawQuery(query): RawQuery,
) -> Response {
    let pairs = query_pairs(query.as_deref());
    let size = limit(&pairs);
    let cursor = before(&pairs);
    let mut rows = match inbox.storage.list_received(cursor, size + 1).await {
        Ok(rows) => rows,
        Err(error) => return unreadable(&error),
    };
    let more = rows.len() > size;
    rows.truncate(size);
    let mut body = String::from(
        "<h2>Received</h2>\n<p class=\"hint\">Messages from subscribers (DeliverReq), delivery \
         reports and read replies the MMSC sent to the gateway's MM7 endpoint.</p>\n",
    );
    if rows.is_empty() {
        body.push_str("<p class=\"hint\" id=\"empty\">Nothing received.</p>\n");
    } else {
        body.push_str(
            "<table class=\"list\" id=\"received\">\n<thead><tr><th>#</th><th>Operation</th>\
             <th>From</th><th>To</th><th>Subject or status</th><th>MessageID</th>\
             <th>Received</th></tr></thead>\n<tbody>\n",
        );
        for row in &rows {
            let view = &row.view;
            let to = if view["to"].is_null() {
                addresses(&view["recipient"])
            } else {
                addresses(&view["to"])
            };
            let what = match view["subject"].as_str() {
                Some(subject) => escape(subject),
                None => view["mm_status"]
                    .as_str()
                    .map(status_label)
                    .unwrap_or_default(),
            };
            let _ = writeln!(
                body,
                "<tr><td><a href=\"/inbox/received/{id}\">{id}</a></td><td>{operation}</td>\
                 <td>{from}</td><td>{to}</td><td class=\"subject\">{what}</td>\
                 <td>{message_id}</td><td><time>{at}</time></td></tr>",
                id = row.id,
                operation = escape(&row.operation),
                from = addresses(&view["from"]),
                message_id = message_link(view["message_id"].as_str()),
                at = rfc3339(row.received_at),
            );
        }
        body.push_str("</tbody>\n</table>\n");
    }
    body.push_str(&pager(
        "/inbox/received",
        cursor,
        more,
        rows.last().map(|r| r.id),
        size,
    ));
    page("Received", &body)
}

/// A MessageID linked to the messages the MMSC gave it.
fn message_link(message_id: Option<&str>) -> String {
    message_id.map_or_else(String::new, |id| {
        format!(
            "<a href=\"/inbox/?message_id={}\">{}</a>",
            encode(id),
            escape(id)
        )
    })
}

/// The links between pages of a list by row id.
fn pager(path: &str, cursor: Option<i64>, more: bool, last: Option<i64>, size: usize) -> String {
    let kept = if size == PAGE {
        String::new()
    } else {
        format!("limit={size}&amp;")
    };
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

async fn received<S: Storage>(State(inbox): State<Inbox<S>>, Path(id): Path<i64>) -> Response {
    let row = match inbox.storage.received(id).await {
        Ok(Some(row)) => row,
        Ok(None) => return problem(StatusCode::NOT_FOUND, "Nothing was received as this."),
        Err(error) => return unreadable(&error),
    };
    let view = &row.view;
    let subject = view["subject"].as_str();
    let title = subject.map_or_else(|| row.operation.clone(), str::to_owned);
    let mut body = format!(
        "<h2 class=\"subject\" id=\"subject\">{}</h2>\n<table class=\"headers\">\n",
        escape(&title)
    );
    let fields: [(&str, String); 9] = [
        ("Operation", escape(&row.operation)),
        ("TransactionID", escape(&row.transaction_id)),
        ("Received", rfc3339(row.received_at)),
        ("From", addresses(&view["from"])),
        ("To", addresses(&view["to"])),
        ("LinkedID", opt(view["linked_id"].as_str())),
        ("MessageID", message_link(view["message_id"].as_str())),
        ("Recipient", addresses(&view["recipient"])),
        (
            "Status",
            view["mm_status"]
                .as_str()
                .map(status_label)
                .unwrap_or_default(),
        ),
    ];
    for (name, value) in fields {
        if !value.is_empty() {
            let _ = writeln!(body, "<tr><th>{name}</th><td>{value}</td></tr>");
        }
    }
    body.push_str("</table>\n");
    if row.operation == "DeliverReq" {
        // The text parts are shown as the text; the others as pictures or downloads.
        let parts: Vec<Value> = view["attachments"]
            .as_array()
            .map(|parts| {
                parts
                    .iter()
                    .map(|p| {
                        if media_type(p["content_type"].as_str().unwrap_or("")) == "text/plain" {
                            Value::Null
                        } else {
                            p.clone()
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        body.push_str(&content(
            view["text"].as_str(),
            &parts,
            &format!("/inbox/received/{}/parts", row.id),
        ));
    }
    page(&title, &body)
}

async fn received_part<S: Storage>(
    State(inbox): State<Inbox<S>>,
    Path((id, n)): Path<(i64, usize)>,
) -> Response {
    match inbox.storage.received(id).await {
        Ok(Some(row)) => part_answer(row.view["attachments"].get(n)),
        Ok(None) => problem(StatusCode::NOT_FOUND, "Nothing was received as this."),
        Err(error) => unreadable(&error),
    }
}

async fn failed<S: Storage>(State(inbox): State<Inbox<S>>, RawQuery(query): RawQuery) -> Response {
    let pairs = query_pairs(query.as_deref());
    let size = limit(&pairs);
    let cursor = before(&pairs);
    let messages = inbox
        .storage
        .list_messages(MessageQuery {
            status: Some("failed".into()),
            limit: size,
            ..MessageQuery::default()
        })
        .await;
    let hooks = inbox.storage.list_failed_webhooks(cursor, size + 1).await;
    let (messages, mut hooks) = match (messages, hooks) {
        (Ok(m), Ok(h)) => (m, h),
        (Err(error), _) | (_, Err(error)) => return unreadable(&error),
    };
    let more = hooks.len() > size;
    hooks.truncate(size);
    let mut body = String::from(
        "<h2>Failed work</h2>\n<p class=\"hint\">The gateway does not try these again: a failed \
         message was refused for good or ran out of tries (submit it again through the API); a \
         failed webhook ran out of tries.</p>\n<h3>Messages</h3>\n",
    );
    if messages.is_empty() {
        body.push_str("<p class=\"hint\" id=\"no-failed-messages\">No failed messages.</p>\n");
    } else {
        body.push_str(
            "<table class=\"list\" id=\"failed-messages\">\n<thead><tr><th>Id</th>\
             <th>Account</th><th>To</th><th>Subject</th><th>Updated</th></tr></thead>\n<tbody>\n",
        );
        for row in &messages {
            let _ = writeln!(
                body,
                "<tr><td><a href=\"/inbox/messages/{}\">{}</a></td><td>{}</td><td>{}</td>\
                 <td class=\"subject\">{}</td><td><time>{}</time></td></tr>",
                encode(&row.id),
                escape(&row.id),
                escape(&row.account),
                escape(&row.to.join(", ")),
                opt(row.subject.as_deref()),
                rfc3339(row.updated_at)
            );
        }
        body.push_str("</tbody>\n</table>\n");
        body.push_str("<p><a href=\"/inbox/?status=failed\">All failed messages</a></p>\n");
    }
    body.push_str("<h3>Webhooks</h3>\n");
    if hooks.is_empty() {
        body.push_str("<p class=\"hint\" id=\"no-failed-webhooks\">No failed webhooks.</p>\n");
    } else {
        body.push_str(
            "<table class=\"list\" id=\"failed-webhooks\">\n<thead><tr><th>#</th><th>Event</th>\
             <th>About</th><th>To</th><th>Tries</th><th>Last error</th><th>Queued</th></tr>\
             </thead>\n<tbody>\n",
        );
        for hook in &hooks {
            let about = match hook.summary["id"].as_str() {
                Some(id) => format!(
                    "<a href=\"/inbox/messages/{}\">{}</a> {}",
                    encode(id),
                    escape(id),
                    hook.summary["status"]
                        .as_str()
                        .map(status_label)
                        .unwrap_or_default()
                ),
                None => opt(hook.summary["transaction_id"].as_str()),
            };
            let _ = writeln!(
                body,
                "<tr><td>{}</td><td>{}</td><td>{about}</td><td>{}</td><td>{}</td><td>{}</td>\
                 <td><time>{}</time></td></tr>",
                hook.id,
                opt(hook.summary["type"].as_str()),
                hook.url.as_deref().map_or_else(
                    || "the webhook URL".to_owned(),
                    |u| escape(&without_secrets(u))
                ),
                hook.tries,
                opt(hook.last_error.as_deref()),
                rfc3339(hook.created_at)
            );
        }
        body.push_str("</tbody>\n</table>\n");
    }
    body.push_str(&pager(
        "/inbox/failed",
        cursor,
        more,
        hooks.last().map(|h| h.id),
        size,
    ));
    page("Failed work", &body)
}

#[cfg(test)]
pub(crate) mod tests {
    use std::time::Duration;

    use axum::body::Body;
    use http_body_util::BodyExt as _;
    use serde_json::json;
    use tower_service::Service as _;

    use super::*;
    use crate::config::Account;
    use crate::store::{NewSubmission, Outcome, Received};

    const HOSTILE: &str = "<script>alert(1)</script> & \"quoted\" 'single'";
    const HOSTILE_FILE: &str = "\"><img src=x onerror=alert(2)>.png";
    /// A 1×1 PNG.
    const PNG: &[u8] = &[
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90,
        0x77, 0x53, 0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x08, 0xd7, 0x63, 0xf8,
        0xcf, 0xc0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xdd, 0x8d, 0xb0, 0x00, 0x00, 0x00,
        0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ];

    struct Page {
        status: StatusCode,
        headers: axum::http::HeaderMap,
        body: String,
        bytes: Vec<u8>,
    }

    async fn get(app: &mut Router, path: &str) -> Page {
        let request = axum::http::Request::builder()
            .uri(path)
            .body(Body::empty())
            .unwrap();
        let response = app.call(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Page {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        }
    }

    /// The ids a list links to, in order.
    fn linked(body: &str, prefix: &str) -> Vec<String> {
        body.split(&format!("<td><a href=\"{prefix}"))
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .map(str::to_owned)
            .collect()
    }

    /// The `Older` link, unescaped.
    fn next(body: &str) -> Option<String> {
        let rest = body.split("id=\"next\" rel=\"next\" href=\"").nth(1)?;
        Some(rest.split('"').next()?.replace("&amp;", "&"))
    }

    fn submission(id: &str, account: &str, request: Value) -> NewSubmission {
        NewSubmission {
            id: id.into(),
            account: account.into(),
            idempotency_key: None,
            reference: None,
            request,
            transaction_id: format!("tx-{id}"),
            expires_at: None,
        }
    }

    /// Every page follows its pager to the end: the whole list, once each, in order.
    async fn walk(app: &mut Router, first: &str, prefix: &str) -> Vec<String> {
        let mut seen = Vec::new();
        let mut path = Some(first.to_owned());
        let mut pages = 0;
        while let Some(at) = path {
            let page = get(app, &at).await;
            assert_eq!(page.status, StatusCode::OK, "{at}: {}", page.body);
            seen.extend(linked(&page.body, prefix));
            path = next(&page.body);
            pages += 1;
            assert!(pages < 50, "the pager does not end");
        }
        seen
    }

    /// What the inbox's pages must show, and hide, on every backend; run on SQLite here and
    /// on PostgreSQL by its module.
    pub(crate) async fn pages_escape_page_and_filter<S: Storage>(storage: S) {
        let png = base64::engine::general_purpose::STANDARD.encode(PNG);
        let svg = base64::engine::general_purpose::STANDARD.encode("<svg onload=\"alert(3)\"/>");
        storage
            .enqueue(submission(
                "msg_hostile",
                "us",
                json!({
                    "to": ["15551230000"], "from": "63901", "subject": HOSTILE,
                    "text": "<b>not bold</b>",
                    "attachments": [
                        {"content_type": "image/png", "filename": HOSTILE_FILE, "data": png},
                        {"content_type": "image/svg+xml", "file_name": "evil.svg", "data": svg},
                    ],
                }),
            ))
            .await
            .unwrap();
        // Eleven more, most in the same millisecond: the id orders those.
        for n in 0..11 {
            let account = if n % 3 == 0 { "au" } else { "us" };
            storage
                .enqueue(submission(
                    &format!("msg_{n:02}"),
                    account,
                    json!({"to": format!("1555123{n:04}"), "text": "hi"}),
                ))
                .await
                .unwrap();
        }
        // The `au` ones fail.
        let claimed = storage
            .claim("au", 10, Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(claimed.len(), 4);
        storage
            .settle(
                claimed
                    .iter()
                    .map(|c| {
                        (
                            c.id.clone(),
                            Outcome::Failed {
                                error: "2001 <refused>".into(),
                            },
                        )
                    })
                    .collect(),
                true,
            )
            .await
            .unwrap();

        let mut config = GatewayConfig::new(
            "127.0.0.1:0".parse().unwrap(),
            std::env::temp_dir(),
            Account::named("us", "http://127.0.0.1:9/mm7"),
        );
        config
            .accounts
            .push(Account::named("au", "http://127.0.0.1:9/mm7"));
        let mut app = router(storage.clone(), Arc::new(config));

        // Paging: pages of 5 give all twelve, once each, newest first.
        let all = walk(&mut app, "/inbox/?limit=5", "/inbox/messages/").await;
        assert_eq!(all.len(), 12, "{all:?}");
        let mut unique = all.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 12, "{all:?}");
        let whole = get(&mut app, "/inbox/?limit=200").await;
        assert_eq!(linked(&whole.body, "/inbox/messages/"), all);
        assert!(next(&whole.body).is_none());
        assert_eq!(all.last().map(String::as_str), Some("msg_hostile"));

        // Filters, kept across pages.
        let failed = walk(
            &mut app,
            "/inbox/?status=failed&limit=3",
            "/inbox/messages/",
        )
        .await;
        assert_eq!(failed, ["msg_09", "msg_06", "msg_03", "msg_00"]);
        let us = walk(&mut app, "/inbox/?account=us&limit=2", "/inbox/messages/").await;
        assert_eq!(us.len(), 8, "{us:?}");
        let none = get(&mut app, "/inbox/?account=%3Cb%3Exx&status=sent").await;
        assert!(none.body.contains("id=\"empty\""));
        assert!(none.body.contains("&lt;b&gt;xx"), "{}", none.body);
        assert!(!none.body.contains("<b>xx"));

        // Every answer is locked down.
        let list = get(&mut app, "/inbox/").await;
        assert_eq!(list.headers[header::CONTENT_SECURITY_POLICY], CSP);
        assert_eq!(list.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(
            list.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(list.body.contains(
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot; &#39;single&#39;"
        ));
        assert!(!list.body.contains("<script"), "{}", list.body);

        // The message: escaped subject, text and file names; the picture inline, the SVG a
        // download.
        let page = get(&mut app, "/inbox/messages/msg_hostile").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains("<script"), "{}", page.body);
        assert!(!page.body.contains("<img src=x"), "{}", page.body);
        assert!(!page.body.contains("<b>not"), "{}", page.body);
        assert!(page.body.contains("&lt;b&gt;not bold&lt;/b&gt;"));
        assert!(page.body.contains(
            "<img src=\"/inbox/messages/msg_hostile/parts/0\" alt=\"&quot;&gt;&lt;img src=x onerror=alert(2)&gt;.png\">"
        ), "{}", page.body);
        assert!(
            page.body
                .contains("<a href=\"/inbox/messages/msg_hostile/parts/1\" download>evil.svg</a>")
        );
        assert!(
            page.body
                .contains("<ol class=\"timeline\" id=\"history\">\n<li><time>")
        );
        let picture = get(&mut app, "/inbox/messages/msg_hostile/parts/0").await;
        assert_eq!(picture.headers[header::CONTENT_TYPE], "image/png");
        assert_eq!(picture.bytes, PNG);
        let disposition = picture.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap();
        assert!(
            disposition.starts_with("inline; filename=\""),
            "{disposition}"
        );
        assert!(
            !disposition[18..disposition.len() - 1].contains('"'),
            "{disposition}"
        );
        let drawing = get(&mut app, "/inbox/messages/msg_hostile/parts/1").await;
        assert_eq!(
            drawing.headers[header::CONTENT_TYPE],
            "application/octet-stream"
        );
        assert_eq!(
            drawing.headers[header::CONTENT_DISPOSITION],
            "attachment; filename=\"evil.svg\""
        );
        assert_eq!(drawing.headers[header::CONTENT_SECURITY_POLICY], CSP);
        assert_eq!(
            get(&mut app, "/inbox/messages/msg_hostile/parts/2")
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let missing = get(&mut app, "/inbox/messages/%3Cscript%3E").await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert!(!missing.body.contains("<script"));
        let failed_page = get(&mut app, "/inbox/messages/msg_00").await;
        assert!(
            failed_page.body.contains("2001 &lt;refused&gt;"),
            "{}",
            failed_page.body
        );

        // What peers sent in: an MO message with a hostile subject and a picture, and a
        // webhook (to a URL with secrets in it) that failed for good.
        for n in 0..3 {
            storage
                .receive(
                    Received {
                        operation: "DeliverReq".into(),
                        transaction_id: format!("mo-{n}"),
                        raw: b"Authorization: Basic c2VjcmV0".to_vec(),
                        view: json!({
                            "from": "15559870000", "to": ["63901"], "subject": HOSTILE,
                            "text": "<i>hello</i>",
                            "attachments": [
                                {"content_type": "text/plain", "content_id": "t", "data": "PGk+aGVsbG88L2k+"},
                                {"content_type": "image/png", "content_id": HOSTILE_FILE, "data": png},
                            ],
                        }),
                        status: None,
                        webhook: Some(json!({"type": "message.received", "transaction_id": format!("mo-{n}")})),
                        webhook_url: Some("http://user:pa55word@127.0.0.1:9/hook?token=t0ken".into()),
                    },
                    true,
                )
                .await
                .unwrap();
        }
        let received = walk(&mut app, "/inbox/received?limit=2", "/inbox/received/").await;
        assert_eq!(received.len(), 3, "{received:?}");
        let newest = &received[0];
        let page = get(&mut app, &format!("/inbox/received/{newest}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains("<script"), "{}", page.body);
        assert!(!page.body.contains("<i>hello"), "{}", page.body);
        assert!(!page.body.contains("c2VjcmV0"));
        assert!(page.body.contains("&lt;i&gt;hello&lt;/i&gt;"));
        // The text part is the text; the picture is inline.
        assert!(
            page.body
                .contains(&format!("<img src=\"/inbox/received/{newest}/parts/1\""))
        );
        let picture = get(&mut app, &format!("/inbox/received/{newest}/parts/1")).await;
        assert_eq!(picture.bytes, PNG);

        let hooks = storage
            .claim_webhooks(100, Duration::from_secs(60))
            .await
            .unwrap();
        for hook in &hooks {
            storage
                .settle_webhook(hook.id, Some("HTTP 500 <oops>".into()), None)
                .await
                .unwrap();
        }
        let failed = get(&mut app, "/inbox/failed?limit=2").await;
        assert_eq!(failed.status, StatusCode::OK);
        assert!(failed.body.contains("id=\"failed-messages\""));
        assert!(failed.body.contains("HTTP 500 &lt;oops&gt;"));
        assert!(
            failed.body.contains("http://127.0.0.1:9/hook"),
            "{}",
            failed.body
        );
        assert!(!failed.body.contains("pa55word") && !failed.body.contains("t0ken"));
        // Seven failed webhooks (four status changes, three MO messages), in pages of two.
        let mut path = Some("/inbox/failed?limit=2".to_owned());
        let (mut rows, mut pages) = (0, 0);
        while let Some(at) = path {
            let page = get(&mut app, &at).await;
            rows += page.body.matches("HTTP 500 &lt;oops&gt;").count();
            path = next(&page.body);
            pages += 1;
        }
        assert_eq!((rows, pages), (7, 4));
        // A delivery report links to its message through the MessageID filter.
        let claimed = storage
            .claim("us", 100, Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(claimed.len(), 8);
        storage
            .settle(
                claimed
                    .iter()
                    .map(|c| {
                        let message_id = format!("MID <{}>", c.id);
                        (c.id.clone(), Outcome::Sent { message_id })
                    })
                    .collect(),
                false,
            )
            .await
            .unwrap();
        storage
            .receive(
                Received {
                    operation: "DeliveryReportReq".into(),
                    transaction_id: "dr-1".into(),
                    raw: Vec::new(),
                    view: json!({"message_id": "MID <msg_01>", "mm_status": "Retrieved",
                                 "recipient": "15551230001"}),
                    status: Some((
                        "MID <msg_01>".into(),
                        "delivered".into(),
                        Some("Retrieved for 15551230001".into()),
                    )),
                    webhook: None,
                    webhook_url: None,
                },
                false,
            )
            .await
            .unwrap();
        let reports = get(&mut app, "/inbox/received?limit=1").await;
        let link = "<a href=\"/inbox/?message_id=MID%20%3Cmsg_01%3E\">MID &lt;msg_01&gt;</a>";
        assert!(reports.body.contains(link), "{}", reports.body);
        let report = linked(&reports.body, "/inbox/received/");
        let page = get(&mut app, &format!("/inbox/received/{}", report[0])).await;
        assert!(page.body.contains(link), "{}", page.body);
        let found = get(&mut app, "/inbox/?message_id=MID%20%3Cmsg_01%3E").await;
        assert_eq!(linked(&found.body, "/inbox/messages/"), ["msg_01"]);
        assert!(found.body.contains("status-delivered"), "{}", found.body);
        assert!(
            found.body.contains("value=\"MID &lt;msg_01&gt;\""),
            "{}",
            found.body
        );
        let style = get(&mut app, "/inbox/style.css").await;
        assert!(
            style.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/css")
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_pages_escape_page_and_filter() {
        let dir = std::env::temp_dir().join(format!("mm7-gateway-inbox-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        pages_escape_page_and_filter(crate::SqliteStorage::open(&dir).unwrap()).await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn urls_lose_their_secrets() {
        assert_eq!(
            without_secrets("https://u:p@hooks.example.com:8443/a/b?key=k#f"),
            "https://hooks.example.com:8443/a/b"
        );
        assert_eq!(without_secrets("http://h"), "http://h");
        assert_eq!(encode("a b/<é>"), "a%20b%2F%3C%C3%A9%3E");
    }
}

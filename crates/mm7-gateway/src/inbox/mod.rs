//! The operator's web inbox, on the API listener under `/inbox/`: the submissions (filtered by
//! status and account, in keyset pages), each with its status history and content, the
//! messages and reports the MMSC sent in, and the failed work.
//!
//! The pages are HTML written by the server, with no script at all: everything that came from
//! an application or a peer is escaped, every answer carries the same strict
//! Content-Security-Policy as `mm7 mmsc`'s inbox (without even its script), `nosniff` and
//! `no-store`, and a part a browser could run (SVG, HTML, XML, script) is only ever a
//! download. The raw requests peers sent, which may carry their credentials, are not shown.

mod html;

use std::fmt::Write as _;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::Value;

use crate::config::GatewayConfig;
use crate::store::{MessageQuery, Storage, rfc3339};
use html::{
    PAGE, addresses, before, content, encode, escape, limit, media_type, message_link, opt, page,
    pager, param, part_answer, problem, query_pairs, status_label, unreadable, without_secrets,
};

/// What the pages may load: `mm7 mmsc`'s inbox policy, with no script at all: their own style
/// and images, nothing else; no framing, no plugins.
pub(crate) const CSP: &str = "default-src 'self'; script-src 'none'; style-src 'self'; \
    img-src 'self'; media-src 'self'; connect-src 'self'; object-src 'none'; \
    frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const STYLE: &str = include_str!("../../assets/inbox.css");

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

/// The operations a peer sends in, as the received list's filter offers them.
const OPERATIONS: [(&str, &str); 3] = [
    ("DeliverReq", "messages from subscribers"),
    ("DeliveryReportReq", "delivery reports"),
    ("ReadReplyReq", "read replies"),
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
        .route(
            "/inbox/{*rest}",
            get(|| async { problem(StatusCode::NOT_FOUND, "No such page.") }),
        )
        .layer(axum::middleware::map_response(locked_down))
        .with_state(Inbox { storage, config })
}

/// The headers every answer of the inbox carries.
async fn locked_down(mut response: Response) -> Response {
    mm7_transport::server::lock_down_page(response.headers_mut(), CSP);
    response
}

async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response()
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
        Ok(request) => request.map_or(Value::Null, |(_, request)| request),
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

async fn message_part<S: Storage>(
    State(inbox): State<Inbox<S>>,
    Path((id, n)): Path<(String, usize)>,
) -> Response {
    match inbox.storage.message_request(&id).await {
        Ok(Some((_, request))) => part_answer(request["attachments"].get(n)),
        Ok(None) => problem(StatusCode::NOT_FOUND, "No such message."),
        Err(error) => unreadable(&error),
    }
}

async fn received_list<S: Storage>(
    State(inbox): State<Inbox<S>>,
    RawQuery(query): RawQuery,
) -> Response {
    let pairs = query_pairs(query.as_deref());
    let size = limit(&pairs);
    let cursor = before(&pairs);
    let operation = param(&pairs, "operation").map(str::to_owned);
    let mut rows = match inbox
        .storage
        .list_received(operation.clone(), cursor, size + 1)
        .await
    {
        Ok(rows) => rows,
        Err(error) => return unreadable(&error),
    };
    let more = rows.len() > size;
    rows.truncate(size);
    let mut body = format!(
        "<h2>Received</h2>\n<p class=\"hint\">Messages from subscribers (DeliverReq), delivery \
         reports and read replies the MMSC sent to the gateway's MM7 endpoint. Each is kept {} \
         after it arrived, then deleted and counted (<code>mm7_gateway_expired_total</code>; \
         <code>retention</code> sets how long), unless a report still waits for its \
         message.</p>\n\
         <form class=\"filters\" method=\"get\" action=\"/inbox/received\">\n\
         <label>Operation <select id=\"operation\" name=\"operation\">\
         <option value=\"\">all</option>",
        crate::format_duration(inbox.config.retention)
    );
    for (value, label) in OPERATIONS {
        let selected = if operation.as_deref() == Some(value) {
            " selected"
        } else {
            ""
        };
        let _ = write!(body, "<option value=\"{value}\"{selected}>{label}</option>");
    }
    body.push_str("</select></label>\n<button type=\"submit\">Filter</button>\n</form>\n");
    if rows.is_empty() {
        body.push_str("<p class=\"hint\" id=\"empty\">Nothing received.</p>\n");
    } else {
        body.push_str(
            "<table class=\"list\" id=\"received\">\n<thead><tr><th>#</th><th>Operation</th>\
             <th>From</th><th>To or recipient</th><th>Subject or status</th><th>MessageID</th>\
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
        operation.as_deref().map(|o| ("operation", o)),
        cursor,
        more,
        rows.last().map(|r| r.id),
        size,
    ));
    page("Received", &body)
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
    let early = inbox.storage.list_early_reports(size).await;
    let (messages, mut hooks, early) = match (messages, hooks, early) {
        (Ok(m), Ok(h), Ok(e)) => (m, h, e),
        (Err(error), _, _) | (_, Err(error), _) | (_, _, Err(error)) => {
            return unreadable(&error);
        }
    };
    let more = hooks.len() > size;
    hooks.truncate(size);
    let mut body = String::from(
        "<h2>Failed work</h2>\n<p class=\"hint\">The gateway does not try these again: a failed \
         message was refused for good or ran out of tries (submit it again through the API); a \
         webhook here ran out of tries or expired (<code>POST /v1/webhooks/ID/retry</code> or \
         <code>POST /v1/webhooks/retry</code> tries it again).</p>\n<h3>Messages</h3>\n",
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
    let _ = writeln!(
        body,
        "<h3>Reports ahead of their message</h3>\n<p class=\"hint\">Delivery reports and read \
         replies naming a MessageID no message has: kept, and applied when a message with that \
         MessageID is recorded (they may be another system's on the same account). Each is kept \
         {} after it arrived, then deleted and counted \
         (<code>mm7_gateway_unmatched_reports_expired_total</code>; \
         <code>unmatched_report_retention</code> sets how long).</p>",
        crate::format_duration(inbox.config.unmatched_report_retention)
    );
    if early.is_empty() {
        body.push_str("<p class=\"hint\" id=\"no-early-reports\">No unmatched reports.</p>\n");
    } else {
        body.push_str(
            "<table class=\"list\" id=\"early-reports\">\n<thead><tr><th>MessageID</th>\
             <th>Recipient</th><th>Status</th><th>Received</th></tr></thead>\n<tbody>\n",
        );
        for report in &early {
            let _ = writeln!(
                body,
                "<tr><td>{}</td><td>{}</td><td>{}</td>\
                 <td><a href=\"/inbox/received/{}\"><time>{}</time></a></td></tr>",
                escape(&report.message_id),
                opt(report.recipient.as_deref()),
                escape(&report.status),
                report.received,
                rfc3339(report.received_at)
            );
        }
        body.push_str("</tbody>\n</table>\n");
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
        None,
        cursor,
        more,
        hooks.last().map(|h| h.id),
        size,
    ));
    page("Failed work", &body)
}

#[cfg(test)]
pub(crate) mod tests;

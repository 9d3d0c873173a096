//! The web inbox: a JSON API under `/api/v1/`, live updates by server-sent events, and a
//! hand-written page (embedded, nothing fetched at run time) that lists what a mock server
//! stored and renders a message as a handset would.
//!
//! It reads the store with a [`Reader`] of its own per request (WAL lets it read while the
//! server writes). Everything from a message is untrusted: the page builds its DOM with
//! `textContent`, every answer carries a strict Content-Security-Policy and `nosniff`, and
//! a part that a browser could run (SVG, HTML, XML, script) is only ever a download.

mod body;
mod http;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use mm7_store::{Query, Reader, StoreError};
use serde_json::json;
use tokio::net::TcpListener;

use crate::error::CliError;
use body::UiBody;
use http::{Answer, authorized, query_pairs};

const INDEX_HTML: &str = include_str!("assets/index.html");
const APP_JS: &str = include_str!("assets/app.js");
const APP_CSS: &str = include_str!("assets/app.css");

/// The inbox of one store.
#[derive(Debug, Clone)]
pub(crate) struct Ui {
    store: PathBuf,
    credentials: Option<(String, String)>,
    /// Where an MO reply goes when the message caused no callback to learn it from: the mock
    /// MMSC's `--callback-url`.
    vasp_url: Option<String>,
}

/// Binds `listen` and serves the inbox of `store` on a task of the current runtime; returns
/// the bound address.
pub(crate) async fn start(
    listen: &str,
    store: PathBuf,
    credentials: Option<(String, String)>,
    vasp_url: Option<String>,
) -> Result<SocketAddr, CliError> {
    let listener = TcpListener::bind(listen).await.map_err(|e| {
        CliError::Local(format!(
            "cannot listen on {listen} for the inbox: {e} (move it with --ui ADDR, or turn it off with --no-ui)"
        ))
    })?;
    let addr = listener
        .local_addr()
        .map_err(|e| CliError::Local(format!("the inbox address: {e}")))?;
    let ui = Arc::new(Ui {
        store,
        credentials,
        vasp_url,
    });
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            let ui = Arc::clone(&ui);
            tokio::spawn(async move {
                let service = service_fn(move |request| {
                    let ui = Arc::clone(&ui);
                    async move { Ok::<_, Infallible>(ui.answer(request).await) }
                });
                let connection = http1::Builder::new()
                    .header_read_timeout(Duration::from_secs(10))
                    .timer(hyper_util::rt::TokioTimer::new())
                    .serve_connection(TokioIo::new(stream), service);
                if let Err(error) = connection.await {
                    tracing::debug!(%error, "inbox connection");
                }
            });
        }
    });
    Ok(addr)
}

/// The URL to print for an inbox bound on `addr`.
pub(crate) fn url(addr: SocketAddr) -> String {
    format!("http://{addr}/")
}

impl Ui {
    async fn answer(&self, request: Request<Incoming>) -> Response<UiBody> {
        if !authorized(self.credentials.as_ref(), request.headers()) {
            return Answer::unauthorized();
        }
        let path = request.uri().path().to_owned();
        let query = query_pairs(request.uri().query().unwrap_or(""));
        let method = request.method().clone();
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        // HEAD on a page asset answers as GET does; hyper sends the head without the body.
        let asset_method = method == Method::GET || method == Method::HEAD;
        match (&method, segments.as_slice()) {
            (_, [""]) if asset_method => Answer::asset("text/html; charset=utf-8", INDEX_HTML),
            (_, ["app.js"]) if asset_method => {
                Answer::asset("text/javascript; charset=utf-8", APP_JS)
            }
            (_, ["app.css"]) if asset_method => Answer::asset("text/css; charset=utf-8", APP_CSS),
            (&Method::GET, ["api", "v1", "events"]) => self.events(),
            (&Method::GET, ["api", "v1", "messages"]) => {
                let query = to_query(&query);
                self.read(move |r| Ok(Answer::json(&r.page(&query)?))).await
            }
            (&Method::DELETE, ["api", "v1", "messages"]) => {
                self.read(|r| Ok(Answer::json(&json!({"deleted": r.delete_all()?}))))
                    .await
            }
            (&Method::GET, ["api", "v1", "messages", key]) => {
                let key = (*key).to_owned();
                self.read(move |r| {
                    let summary = r.summary(&key)?;
                    let view = r.show(&key)?;
                    let parts = r.parts(&key)?;
                    Ok(Answer::json(&json!({
                        "summary": summary,
                        "view": view,
                        "parts": parts,
                    })))
                })
                .await
            }
            (&Method::DELETE, ["api", "v1", "messages", key]) => {
                let key = (*key).to_owned();
                self.read(move |r| {
                    r.delete(&key)?;
                    Ok(Answer::json(&json!({"deleted": 1})))
                })
                .await
            }
            (&Method::GET, ["api", "v1", "messages", key, "raw"]) => {
                let key = (*key).to_owned();
                self.read(move |r| {
                    let (head, body) = r.raw(&key)?;
                    Ok(Answer::download(
                        "message/http",
                        "request.http",
                        [head, body].concat(),
                    ))
                })
                .await
            }
            (&Method::GET, ["api", "v1", "messages", key, "parts", position]) => {
                let key = (*key).to_owned();
                let Ok(position) = position.parse::<u32>() else {
                    return Answer::error(StatusCode::NOT_FOUND, "no such part");
                };
                let download = query.iter().any(|(k, _)| k == "download");
                self.read(move |r| {
                    let part = r.parts(&key)?.into_iter().find(|p| p.position == position);
                    Ok(match part {
                        Some(p) => Answer::part(&p.content_type, &p.file_name, p.data, download),
                        None => Answer::error(StatusCode::NOT_FOUND, "no such part"),
                    })
                })
                .await
            }
            (&Method::POST, ["api", "v1", "messages", key, "actions", kind]) => {
                let key = (*key).to_owned();
                let kind = (*kind).to_owned();
                // An MO reply may carry an attachment (base64 in the JSON).
                let limit = if kind == "mo-reply" {
                    MO_REPLY_LIMIT
                } else {
                    64 * 1024
                };
                let Some(body) = small_json(request, limit).await else {
                    return Answer::error(
                        StatusCode::BAD_REQUEST,
                        &format!("expected a JSON object of at most {} KiB", limit / 1024),
                    );
                };
                let vasp_url = self.vasp_url.clone();
                self.read(move |r| {
                    if kind == "mo-reply" {
                        mo_reply(r, &key, &body, vasp_url.as_deref())
                    } else {
                        action(r, &key, &kind, &body)
                    }
                })
                .await
            }
            (_, ["api", ..]) | (_, ["" | "app.js" | "app.css"]) if method != Method::GET => {
                Answer::error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
            }
            _ => Answer::error(StatusCode::NOT_FOUND, "not found"),
        }
    }

    /// Runs `f` on a reader of the store, off the async threads.
    async fn read<F>(&self, f: F) -> Response<UiBody>
    where
        F: FnOnce(&Reader) -> Result<Response<UiBody>, StoreError> + Send + 'static,
    {
        let store = self.store.clone();
        let result = tokio::task::spawn_blocking(move || {
            let reader = Reader::open(&store)?;
            f(&reader)
        })
        .await;
        match result {
            Ok(Ok(response)) => response,
            Ok(Err(StoreError::NotFound(_))) => {
                Answer::error(StatusCode::NOT_FOUND, "no such message")
            }
            Ok(Err(error)) => {
                tracing::error!(%error, "inbox: reading the store");
                Answer::error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the store could not be read",
                )
            }
            Err(_) => Answer::error(StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
        }
    }

    /// Server-sent events: `change` with the newest row and the count whenever they change
    /// (checked twice a second), a comment every 15 s to keep the connection open.
    fn events(&self) -> Response<UiBody> {
        let (sender, receiver) = tokio::sync::mpsc::channel::<Bytes>(4);
        let store = self.store.clone();
        tokio::spawn(async move {
            let mut last = None;
            let mut quiet = 0u32;
            loop {
                let store = store.clone();
                let now = tokio::task::spawn_blocking(move || Reader::open(&store)?.newest())
                    .await
                    .ok()
                    .and_then(Result::ok);
                let frame = if now.is_some() && now != last {
                    last = now;
                    quiet = 0;
                    let (newest, count) = now.unwrap_or_default();
                    Some(format!(
                        "event: change\ndata: {}\n\n",
                        json!({"newest": newest, "count": count})
                    ))
                } else {
                    quiet += 1;
                    quiet
                        .is_multiple_of(30)
                        .then(|| ": keep-alive\n\n".to_owned())
                };
                if let Some(frame) = frame {
                    if sender.send(Bytes::from(frame)).await.is_err() {
                        return;
                    }
                } else if sender.is_closed() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        });
        Answer::stream("text/event-stream", receiver)
    }
}

/// The largest body of an MO reply action: a picture of a few hundred KB in base64.
const MO_REPLY_LIMIT: usize = 2 * 1024 * 1024;

/// The JSON object of a request body of at most `limit` bytes.
async fn small_json(request: Request<Incoming>, limit: usize) -> Option<serde_json::Value> {
    use http_body_util::BodyExt as _;
    let limited = http_body_util::Limited::new(request.into_body(), limit);
    let bytes = tokio::time::timeout(Duration::from_secs(10), limited.collect())
        .await
        .ok()?
        .ok()?
        .to_bytes();
    if bytes.is_empty() {
        return Some(json!({}));
    }
    serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .filter(serde_json::Value::is_object)
}

/// The statuses a delivery report may carry.
const REPORT_STATUSES: &[&str] = &[
    "Expired",
    "Retrieved",
    "Rejected",
    "Indeterminate",
    "Forwarded",
    "Deferred",
    "Unrecognised",
];

/// The callbacks whose rows say where a submission's reports go and for which recipients.
const REPORT_KINDS: &[&str] = &["DeliveryReportReq", "ReadReplyReq"];

/// The statuses a read reply may carry.
const READ_STATUSES: &[&str] = &["Read", "Deleted", "Indeterminate"];

/// Queues a delivery report (`delivery-report`) or read reply (`read-reply`) per recipient of
/// the message, to where its own callbacks go, in the outbox the server sends (and retries).
fn action(
    reader: &Reader,
    key: &str,
    kind: &str,
    body: &serde_json::Value,
) -> Result<Response<UiBody>, StoreError> {
    let (operation, statuses, default) = match kind {
        "delivery-report" => ("DeliveryReportReq", REPORT_STATUSES, "Retrieved"),
        "read-reply" => ("ReadReplyReq", READ_STATUSES, "Read"),
        _ => return Ok(Answer::error(StatusCode::NOT_FOUND, "no such action")),
    };
    let status = body["status"].as_str().unwrap_or(default);
    if !statuses.contains(&status) {
        return Ok(Answer::error(
            StatusCode::BAD_REQUEST,
            &format!("status must be one of {}", statuses.join(", ")),
        ));
    }
    // The callbacks the message caused say where its reports go, in which version, and for
    // which recipients.
    let mut seen = Vec::new();
    let mut queued = Vec::new();
    for template in reader.outbox_rows(key)? {
        if !REPORT_KINDS.contains(&template.kind.as_str()) {
            continue;
        }
        let recipient = template.payload["to"].clone();
        if seen.contains(&recipient) {
            continue;
        }
        seen.push(recipient);
        let mut payload = template.payload.clone();
        payload["mm_status"] = json!(status);
        let row = mm7_store::NewOutbox::new(operation, template.destination.clone(), payload);
        queued.push(reader.enqueue(key, &row)?);
    }
    if queued.is_empty() {
        return Ok(Answer::error(
            StatusCode::CONFLICT,
            "this message has no callback to answer (no delivery report URL was known for it)",
        ));
    }
    Ok(Answer::json(
        &json!({"operation": operation, "status": status, "outbox": queued}),
    ))
}

/// Queues an MO reply to a submission: a `DeliverReq` from the submission's (first) recipient
/// to its sender, linked to it, with `text` and an optional `attachment` (`content_type`,
/// `file_name`, `data` in base64), sent by the outbox to where the submission's callbacks go
/// (else the mock MMSC's `--callback-url`), and retried like them.
fn mo_reply(
    reader: &Reader,
    key: &str,
    body: &serde_json::Value,
    vasp_url: Option<&str>,
) -> Result<Response<UiBody>, StoreError> {
    let refuse = |text: &str| Ok(Answer::error(StatusCode::BAD_REQUEST, text));
    let summary = reader.summary(key)?;
    if summary.operation != "SubmitReq" {
        return refuse("an MO reply answers a SubmitReq");
    }
    let text = match &body["text"] {
        serde_json::Value::Null => None,
        serde_json::Value::String(text) if text.is_empty() => None,
        serde_json::Value::String(text) => Some(text.clone()),
        _ => return refuse("`text` must be a string"),
    };
    let subject = match &body["subject"] {
        serde_json::Value::Null => None,
        serde_json::Value::String(subject) => Some(subject.clone()),
        _ => return refuse("`subject` must be a string"),
    };
    let attachment = match &body["attachment"] {
        serde_json::Value::Null => None,
        value => match mo_attachment(value) {
            Ok(attachment) => Some(attachment),
            Err(reason) => return refuse(&reason),
        },
    };
    if text.is_none() && attachment.is_none() {
        return refuse("an MO reply needs a `text` or an `attachment`");
    }
    let view = reader.show(key)?;
    let message = &view["body"];
    // Who replies to whom, in which version, and where the VASP listens: from the callbacks
    // the submission caused when there are some (what its delivery reports used), else from
    // the submission itself and the mock's --callback-url.
    let template = reader
        .outbox_rows(key)?
        .into_iter()
        .find(|row| REPORT_KINDS.contains(&row.kind.as_str()));
    let (namespace, mm7_version, subscriber, vasp, destination) = match template {
        Some(row) => (
            row.payload["namespace"].clone(),
            row.payload["mm7_version"].clone(),
            row.payload["recipient"].clone(),
            row.payload["sender"].clone(),
            row.destination,
        ),
        None => {
            let Some(url) = vasp_url else {
                return Ok(Answer::error(
                    StatusCode::CONFLICT,
                    "no URL is known for the VASP: this message caused no callback and the mock \
                     MMSC runs without --callback-url",
                ));
            };
            let recipients = &message["Recipients"];
            let subscriber = ["To", "Cc", "Bcc"]
                .iter()
                .find_map(|field| recipients[*field].get(0).cloned())
                .unwrap_or(serde_json::Value::Null);
            let identification = &message["SenderIdentification"];
            let vasp = match &identification["SenderAddress"] {
                serde_json::Value::Null => {
                    let code = identification["VASID"]
                        .as_str()
                        .or(identification["VASPID"].as_str())
                        .unwrap_or("0");
                    serde_json::to_value(mm7_model::Address::short_code(code)).unwrap_or_default()
                }
                address => address.clone(),
            };
            (
                view["namespace"].clone(),
                view["mm7_version"].clone(),
                subscriber,
                vasp,
                url.to_owned(),
            )
        }
    };
    let address = |value: &serde_json::Value| {
        serde_json::from_value::<mm7_model::Address>(value.clone()).ok()
    };
    let (Some(_), Some(vasp_address)) = (address(&subscriber), address(&vasp)) else {
        return Ok(Answer::error(
            StatusCode::CONFLICT,
            "the submission names no recipient or sender to reply between",
        ));
    };
    if !namespace.is_string() || !mm7_version.is_string() {
        return Ok(Answer::error(
            StatusCode::CONFLICT,
            "the submission's schema version is not known",
        ));
    }
    let message_id = summary
        .message_id
        .clone()
        .unwrap_or_else(|| summary.transaction_id.clone());
    let subject = subject.or_else(|| {
        message["Subject"]
            .as_str()
            .map(|original| format!("Re: {original}"))
    });
    let payload = json!({
        "namespace": namespace,
        "mm7_version": mm7_version,
        "message_id": message_id,
        // The subscriber answers the VASP: the submission's recipient is the reply's sender.
        "sender": subscriber,
        "recipient": vasp,
        "to": vasp_address.value,
        "subject": subject,
        "text": text,
        "attachment": attachment,
    });
    let row = mm7_store::NewOutbox::new("DeliverReq", destination, payload);
    let queued = reader.enqueue(key, &row)?;
    Ok(Answer::json(
        &json!({"operation": "DeliverReq", "outbox": [queued]}),
    ))
}

/// The attachment of an MO reply, checked: a media type, a file name safe in a header, and
/// base64 data (kept as base64 in the outbox row).
fn mo_attachment(value: &serde_json::Value) -> Result<serde_json::Value, String> {
    use base64::Engine as _;
    let content_type = value["content_type"]
        .as_str()
        .ok_or("`attachment.content_type` is required (e.g. image/png)")?;
    let well_formed = mm7_model::media::is_media_type(content_type);
    if !well_formed {
        return Err(format!(
            "`attachment.content_type` is not a media type: {content_type:?}"
        ));
    }
    let data = value["data"]
        .as_str()
        .ok_or("`attachment.data` is required (the bytes in base64)")?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .map_err(|e| format!("`attachment.data` is not base64: {e}"))?;
    if bytes.is_empty() {
        return Err("`attachment.data` is empty".to_owned());
    }
    // A name safe in a Content-ID and a Content-Location: no path, no quotes, no controls.
    let name = mm7_model::media::safe_file_name(value["file_name"].as_str().unwrap_or_default())
        .unwrap_or_else(|| "attachment".to_owned());
    Ok(json!({"content_type": content_type, "file_name": name, "data": data.trim()}))
}

/// The list filters from the query string.
fn to_query(pairs: &[(String, String)]) -> Query {
    let mut query = Query::default();
    for (key, value) in pairs {
        let text = (!value.is_empty()).then(|| value.clone());
        match key.as_str() {
            "operation" => query.operation = text,
            "sender" => query.sender = text,
            "recipient" => query.recipient = text,
            "message_id" => query.message_id = text,
            "transaction_id" => query.transaction_id = text,
            "q" => query.text = text,
            "before" => query.before = value.parse().ok(),
            "limit" => query.limit = value.parse().unwrap_or(0),
            _ => {}
        }
    }
    query
}

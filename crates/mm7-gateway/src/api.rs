//! The JSON API applications call: `POST /v1/messages` (JSON or `multipart/form-data`;
//! answered 202 once the message is durably queued), `GET /v1/messages/{id}` (its status and
//! history), `DELETE /v1/messages/{id}` (cancel), `POST /v1/messages/{id}/replace` (new
//! content), `GET /v1/webhooks` (webhooks kept: `failed`, `expired`), `POST /v1/webhooks/retry`
//! and `POST /v1/webhooks/{id}/retry` (try them again), `GET /v1/mo/{id}/parts/{n}` (a part of
//! a message from a subscriber), `GET /healthz` (the process answers), `GET /readyz` (and its
//! store can be read), `GET /metrics`.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use serde_json::{Value, json};

use crate::config::GatewayConfig;
use crate::error::GatewayError;
use crate::request;
use crate::store::{Changed, Enqueued, NewSubmission, Operation, Storage, now_ms};

/// The largest request body: a few attachments of up to 2 MiB, in base64.
const BODY_LIMIT: usize = 12 * 1024 * 1024;

#[derive(Clone)]
struct Api<S> {
    storage: S,
    config: std::sync::Arc<GatewayConfig>,
    metrics: std::sync::Arc<crate::metrics::Metrics>,
    fetcher: crate::fetch::Fetcher,
}

fn error(status: StatusCode, text: &str) -> Response {
    (status, axum::Json(json!({ "error": text }))).into_response()
}

/// The API's router over a storage, for a configuration's accounts and routes.
pub(crate) fn router<S: Storage>(
    storage: S,
    config: std::sync::Arc<GatewayConfig>,
    metrics: std::sync::Arc<crate::metrics::Metrics>,
    fetcher: crate::fetch::Fetcher,
) -> Router {
    Router::new()
        .route("/v1/messages", post(create::<S>))
        .route("/v1/messages/{id}", get(show::<S>).delete(cancel::<S>))
        .route("/v1/messages/{id}/replace", post(replace::<S>))
        .route("/v1/webhooks", get(webhooks::<S>))
        .route("/v1/webhooks/retry", post(retry_webhooks::<S>))
        .route("/v1/webhooks/{id}/retry", post(retry_webhook::<S>))
        .route("/v1/mo/{id}/parts/{n}", get(mo_part::<S>))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(ready::<S>))
        .route("/metrics", get(metrics_text::<S>))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(Api {
            storage,
            fetcher,
            config,
            metrics,
        })
}

/// 128 random bits as hex, prefixed: the gateway's message id.
fn new_id() -> Result<String, GatewayError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| GatewayError::Internal(format!("randomness: {e}")))?;
    Ok(format!("msg_{}", hex::encode(bytes)))
}

/// The body's media type, lower case, without parameters (`application/json` when none).
fn media_type(headers: &HeaderMap) -> String {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map_or("application/json", |v| {
            v.split(';').next().unwrap_or_default()
        })
        .trim()
        .to_ascii_lowercase()
}

/// A JSON body as a value; `Err` is the 4xx answer.
async fn json_body(request: Request) -> Result<Value, Response> {
    if media_type(request.headers()) != "application/json" {
        return Err(error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the body must be JSON (Content-Type: application/json)",
        ));
    }
    let body = Bytes::from_request(request, &())
        .await
        .map_err(IntoResponse::into_response)?;
    serde_json::from_slice(&body).map_err(|e| {
        error(
            StatusCode::BAD_REQUEST,
            &format!("the body is not JSON: {e}"),
        )
    })
}

/// The fields of a form that may be given more than once (one recipient each, or several
/// separated by commas).
const FORM_LISTS: &[&str] = &["to", "cc", "bcc"];
/// The fields of a form that are true or false.
const FORM_BOOLS: &[&str] = &["delivery_report", "read_report"];

/// A `multipart/form-data` submission as the JSON one: the same fields as text parts, and each
/// part with a file name an attachment (its Content-Type, else `application/octet-stream`).
async fn form_body(request: Request) -> Result<Value, Response> {
    let bad = |text: String| error(StatusCode::BAD_REQUEST, &text);
    let mut form = Multipart::from_request(request, &())
        .await
        .map_err(|e| bad(format!("the form cannot be read: {e}")))?;
    let mut map = serde_json::Map::new();
    let mut attachments = Vec::new();
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| bad(format!("the form cannot be read: {e}")))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if let Some(filename) = field.file_name().map(str::to_owned) {
            let content_type = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_owned();
            let data = field
                .bytes()
                .await
                .map_err(|e| bad(format!("the file {filename:?} cannot be read: {e}")))?;
            attachments.push(json!({
                "content_type": content_type,
                "filename": filename,
                "data": base64::engine::general_purpose::STANDARD.encode(&data),
            }));
            continue;
        }
        let text = field
            .text()
            .await
            .map_err(|e| bad(format!("the field `{name}` cannot be read: {e}")))?;
        if FORM_LISTS.contains(&name.as_str()) {
            let list = map.entry(name).or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(list) = list {
                list.extend(
                    text.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| Value::String(s.to_owned())),
                );
            }
        } else if FORM_BOOLS.contains(&name.as_str()) {
            let value = match text.trim() {
                "true" | "1" | "yes" | "on" => true,
                "false" | "0" | "no" | "off" => false,
                other => {
                    return Err(bad(format!(
                        "`{name}` must be true or false, not {other:?}"
                    )));
                }
            };
            map.insert(name, Value::Bool(value));
        } else if name == "expiry" {
            let seconds: u64 = text
                .trim()
                .parse()
                .map_err(|_| bad("`expiry` must be a number of seconds".into()))?;
            map.insert(name, json!(seconds));
        } else if map.insert(name.clone(), Value::String(text)).is_some() {
            return Err(bad(format!("the field `{name}` is given twice")));
        }
    }
    if !attachments.is_empty() {
        map.insert("attachments".into(), Value::Array(attachments));
    }
    Ok(Value::Object(map))
}

async fn create<S: Storage>(State(api): State<Api<S>>, http: Request) -> Response {
    let headers = http.headers().clone();
    let parsed = if media_type(&headers) == "multipart/form-data" {
        form_body(http).await
    } else {
        json_body(http).await
    };
    let mut request = match parsed {
        Ok(request) => request,
        Err(answer) => return answer,
    };
    let key = match headers.get("idempotency-key").map(|v| v.to_str()) {
        None => None,
        Some(Ok(key)) if !key.is_empty() && key.len() <= 255 => Some(key.to_owned()),
        Some(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "Idempotency-Key must be 1 to 255 visible characters",
            );
        }
    };
    // A retry is compared with the first request as the application sent it, before anything
    // is fetched: the same body is answered as the first was, without fetching again.
    let digest = key
        .as_ref()
        .map(|_| crate::store::received_digest(&request));
    if let (Some(key), Some(digest)) = (&key, &digest) {
        match api.storage.by_idempotency_key(key).await {
            Ok(Some((id, stored))) => match stored.get(crate::store::RECEIVED_DIGEST) {
                Some(Value::String(first)) if first == digest => {
                    return duplicate(&api, id).await;
                }
                Some(_) => return conflict(&id),
                // Queued before digests were kept: compared when queueing, as it was then.
                None => {}
            },
            Ok(None) => {}
            Err(e) => {
                tracing::error!(error = %e, "cannot look up an idempotency key");
                return error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the store could not be read; nothing was queued, try again",
                );
            }
        }
    }
    if let Err(answer) = fetch_attachments(&api, &mut request).await {
        return answer;
    }
    if let Err(text) = request::check(&request) {
        return error(StatusCode::BAD_REQUEST, &text);
    }
    let first = request::first_recipient(&request);
    let account = match api
        .config
        .route(request["account"].as_str(), first.as_deref())
    {
        Ok(account) => account,
        Err(text) => return error(StatusCode::BAD_REQUEST, &text),
    };
    // The provider's rules, now rather than at the MMSC: what it would refuse is a 400.
    if let Some(answer) = profile_refusal(&request, account) {
        return answer;
    }
    if let (Some(digest), Value::Object(map)) = (digest, &mut request) {
        map.insert(
            crate::store::RECEIVED_DIGEST.to_owned(),
            Value::String(digest),
        );
    }
    let (id, transaction_id) = match (new_id(), new_id()) {
        (Ok(id), Ok(tx)) => (id, format!("gw-{}", &tx[4..])),
        _ => return error(StatusCode::INTERNAL_SERVER_ERROR, "no randomness"),
    };
    let expiry =
        request::expiry_seconds(&request).map_or(account.expiry, std::time::Duration::from_secs);
    let new = NewSubmission {
        id,
        account: account.name.clone(),
        idempotency_key: key,
        reference: request["reference"].as_str().map(str::to_owned),
        request,
        transaction_id,
        expires_at: Some(now_ms() + i64::try_from(expiry.as_millis()).unwrap_or(i64::MAX)),
    };
    match api.storage.enqueue(new).await {
        Ok(Enqueued::New(id)) => (
            StatusCode::ACCEPTED,
            axum::Json(json!({"id": id, "status": "queued"})),
        )
            .into_response(),
        Ok(Enqueued::Existing(id)) => duplicate(&api, id).await,
        Err(GatewayError::IdempotencyConflict(id)) => conflict(&id),
        Err(e) => {
            // The detail goes to the log; the application learns that nothing was queued.
            tracing::error!(error = %e, "cannot queue a message");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the message could not be stored; nothing was queued, try again",
            )
        }
    }
}

/// The answer to a retry: the first submission's id and status, as a duplicate.
async fn duplicate<S: Storage>(api: &Api<S>, id: String) -> Response {
    let status = match api.storage.message(&id).await {
        Ok(Some(view)) => view.status,
        _ => "queued".to_owned(),
    };
    (
        StatusCode::ACCEPTED,
        axum::Json(json!({"id": id, "status": status, "duplicate": true})),
    )
        .into_response()
}

/// The answer to another request under an `Idempotency-Key` already used.
fn conflict(id: &str) -> Response {
    error(
        StatusCode::CONFLICT,
        &format!("this Idempotency-Key was used for another request (message {id})"),
    )
}

async fn show<S: Storage>(State(api): State<Api<S>>, Path(id): Path<String>) -> Response {
    match api.storage.message(&id).await {
        Ok(Some(view)) => axum::Json(view).into_response(),
        Ok(None) => error(StatusCode::NOT_FOUND, "no such message"),
        Err(e) => {
            tracing::error!(error = %e, "cannot read a message");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the store could not be read",
            )
        }
    }
}

/// Fetches the attachments given by URL into the request; `Err` is the answer (400, 413 or
/// 502, naming the attachment).
async fn fetch_attachments<S>(api: &Api<S>, request: &mut Value) -> Result<(), Response> {
    api.fetcher.resolve(request).await.map_err(|e| {
        tracing::info!(error = %e.text, "an attachment could not be fetched");
        (
            e.status,
            axum::Json(json!({ "error": e.text, "attachment": e.attachment })),
        )
            .into_response()
    })
}

/// The account's profile's pre-flight checks on a submission (as it would be sent): the 400
/// listing what its MMSC would refuse, if it would.
fn profile_refusal(request: &Value, account: &crate::config::Account) -> Option<Response> {
    let profile = account.profile?;
    let violations = match request::build(request, account) {
        Ok((mut req, content)) => {
            // The version and namespace the account's client sends, as the MMSC sees them.
            let pair = profile.default_version();
            let namespace = account
                .namespace
                .as_deref()
                .and_then(|uri| mm7_model::Namespace::parse(uri).ok())
                .or_else(|| pair.map(|p| mm7_model::Namespace::canonical(p.schema)));
            req.mm7_version = match (&account.mm7_version, pair, &namespace) {
                (Some(version), _, _) => version.as_str().into(),
                (None, Some(pair), _) => pair.mm7_version.into(),
                (None, None, Some(namespace)) => namespace.schema().into(),
                (None, None, None) => req.mm7_version,
            };
            // The body is at least its parts' bytes: a limit they pass already is refused here.
            let bytes: usize = content
                .iter()
                .flat_map(mm7_model::Part::leaves)
                .map(|leaf| match &leaf.body {
                    mm7_model::PartBody::Data(data) => data.len(),
                    _ => 0,
                })
                .sum();
            let mut context = mm7_transport::profile::SubmitContext::new()
                .with_body_len(u64::try_from(bytes).unwrap_or(u64::MAX));
            if let Some(namespace) = namespace {
                context = context.with_namespace(namespace);
            }
            profile.check_submit_server_side(&req, &content, &context)
        }
        Err(text) => return Some(error(StatusCode::BAD_REQUEST, &text)),
    };
    if violations.is_empty() {
        return None;
    }
    let listed: Vec<String> = violations.iter().map(ToString::to_string).collect();
    Some(
        (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({
                "error": format!("the {} profile's rules refuse this message", profile.name()),
                "violations": listed,
            })),
        )
            .into_response(),
    )
}

/// A fresh TransactionID for a cancel or replace.
fn new_transaction_id() -> Option<String> {
    new_id().ok().map(|id| format!("gw-{}", &id[4..]))
}

async fn cancel<S: Storage>(State(api): State<Api<S>>, Path(id): Path<String>) -> Response {
    let Some(transaction_id) = new_transaction_id() else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "no randomness");
    };
    change(&api, &id, Operation::Cancel { transaction_id }).await
}

async fn replace<S: Storage>(
    State(api): State<Api<S>>,
    Path(id): Path<String>,
    http: Request,
) -> Response {
    let mut content = match json_body(http).await {
        Ok(content) => content,
        Err(answer) => return answer,
    };
    // The message first: nothing is fetched for one that does not exist.
    let (name, stored) = match api.storage.message_request(&id).await {
        Ok(Some(found)) => found,
        Ok(None) => return error(StatusCode::NOT_FOUND, "no such message"),
        Err(e) => {
            tracing::error!(error = %e, "cannot read a message");
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the store could not be read",
            );
        }
    };
    if let Err(answer) = fetch_attachments(&api, &mut content).await {
        return answer;
    }
    if let Err(text) = request::check_replacement(&content) {
        return error(StatusCode::BAD_REQUEST, &text);
    }
    // The new content passes the account's profile as a submission would (the recipients and
    // sender stay the stored ones: a replacement changes the content only).
    if let Some(account) = api.config.accounts.iter().find(|a| a.name == name) {
        let merged = request::merge(&stored.to_string(), &content);
        if let Some(answer) = profile_refusal(&merged, account) {
            return answer;
        }
    }
    let Some(transaction_id) = new_transaction_id() else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "no randomness");
    };
    change(
        &api,
        &id,
        Operation::Replace {
            transaction_id,
            content,
        },
    )
    .await
}

/// A cancel or replace: 200 when done in the queue, 202 when queued for the MMSC, 409 when
/// the message cannot be changed now.
async fn change<S: Storage>(api: &Api<S>, id: &str, operation: Operation) -> Response {
    let webhooks = api.config.webhook.is_some();
    match api.storage.change(id, operation, webhooks).await {
        Ok(Changed::Done(status)) => (
            StatusCode::OK,
            axum::Json(json!({"id": id, "status": status})),
        )
            .into_response(),
        Ok(Changed::Queued(status)) => (
            StatusCode::ACCEPTED,
            axum::Json(json!({"id": id, "status": status})),
        )
            .into_response(),
        Ok(Changed::Refused(status)) => (
            StatusCode::CONFLICT,
            axum::Json(json!({
                "id": id,
                "status": status,
                "error": format!("a message that is {status} cannot be changed now"),
            })),
        )
            .into_response(),
        Ok(Changed::NotFound) => error(StatusCode::NOT_FOUND, "no such message"),
        Err(e) => {
            tracing::error!(error = %e, "cannot change a message");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the change could not be stored; nothing was changed, try again",
            )
        }
    }
}

/// Ready when the store answers: 200 `ready`, else 503 (the detail goes to the log).
async fn ready<S: Storage>(State(api): State<Api<S>>) -> Response {
    match api.storage.queue_depth().await {
        Ok(_) => "ready\n".into_response(),
        Err(e) => {
            tracing::error!(error = %e, "not ready: the store cannot be read");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the store could not be read",
            )
        }
    }
}

async fn metrics_text<S: Storage>(State(api): State<Api<S>>) -> Response {
    match api.storage.queue_depth().await {
        Ok(depth) => (
            [(
                axum::http::header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            api.metrics.render(
                &depth,
                &api.config
                    .accounts
                    .iter()
                    .map(|a| a.name.clone())
                    .collect::<Vec<_>>(),
            ),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot read the queue depth");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the store could not be read",
            )
        }
    }
}

/// The states `GET /v1/webhooks?state=` lists.
const WEBHOOK_STATES: &[&str] = &["failed", "expired", "pending", "delivered"];

/// `GET /v1/webhooks[?state=failed|expired|pending|delivered]`: the webhooks in that state
/// (by default those no longer tried: failed and expired), oldest first, 100 at most each.
async fn webhooks<S: Storage>(State(api): State<Api<S>>, uri: axum::http::Uri) -> Response {
    let asked = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .find_map(|pair| pair.strip_prefix("state="));
    let states: Vec<&str> = match asked {
        None => vec!["failed", "expired"],
        Some(state) if WEBHOOK_STATES.contains(&state) => vec![state],
        Some(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "`state` is failed, expired, pending or delivered",
            );
        }
    };
    let mut listed = Vec::new();
    for state in states {
        match api.storage.webhooks(state, 100).await {
            Ok(rows) => listed.extend(rows),
            Err(e) => {
                tracing::error!(error = %e, "cannot list webhooks");
                return error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the store could not be read",
                );
            }
        }
    }
    listed.sort_by_key(|w| w.id);
    axum::Json(json!({ "webhooks": listed })).into_response()
}

/// The answer of a retry of webhooks.
async fn retried<S: Storage>(api: &Api<S>, id: Option<i64>) -> Response {
    match api.storage.retry_webhooks(id).await {
        Ok(0) if id.is_some() => error(
            StatusCode::NOT_FOUND,
            "no failed or expired webhook has this id",
        ),
        Ok(n) => axum::Json(json!({ "retried": n })).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot try webhooks again");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the store could not be written; try again",
            )
        }
    }
}

/// `POST /v1/webhooks/retry`: every failed and expired webhook is due again.
async fn retry_webhooks<S: Storage>(State(api): State<Api<S>>) -> Response {
    retried(&api, None).await
}

/// `POST /v1/webhooks/{id}/retry`: that failed or expired webhook is due again.
async fn retry_webhook<S: Storage>(State(api): State<Api<S>>, Path(id): Path<String>) -> Response {
    match id.parse::<i64>() {
        Ok(id) => retried(&api, Some(id)).await,
        Err(_) => error(StatusCode::NOT_FOUND, "no such webhook"),
    }
}

/// `GET /v1/mo/{id}/parts/{n}`: a part of a message from a subscriber, with its media type.
async fn mo_part<S: Storage>(
    State(api): State<Api<S>>,
    Path((id, n)): Path<(String, String)>,
) -> Response {
    let Ok(n) = n.parse::<u32>() else {
        return error(StatusCode::NOT_FOUND, "no such part");
    };
    match api.storage.mo_part(&id, n).await {
        Ok(Some((content_type, data))) => (
            [
                (axum::http::header::CONTENT_TYPE, content_type),
                (
                    axum::http::header::CACHE_CONTROL,
                    "private, max-age=86400".to_owned(),
                ),
            ],
            data,
        )
            .into_response(),
        Ok(None) => error(StatusCode::NOT_FOUND, "no such part"),
        Err(e) => {
            tracing::error!(error = %e, "cannot read a part");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the store could not be read",
            )
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::fetch::tests::{Files, local_fetcher};
    use axum::body::Body;
    use tower_service::Service as _;

    /// The API over `storage`, one account, attachments fetched from loopback.
    fn app<S: Storage>(storage: S) -> Router {
        let account = crate::config::Account::new("http://127.0.0.1:9/mm7");
        let config = GatewayConfig::new(
            "127.0.0.1:0".parse().unwrap(),
            std::env::temp_dir(),
            account,
        );
        router(
            storage,
            std::sync::Arc::new(config),
            std::sync::Arc::new(crate::metrics::Metrics::default()),
            local_fetcher(),
        )
    }

    /// `POST /v1/messages` with `body` (of `content_type`) and an `Idempotency-Key`: the
    /// status and the JSON answer.
    async fn post(app: &Router, content_type: &str, body: String, key: &str) -> (u16, Value) {
        let request = axum::http::Request::post("/v1/messages")
            .header("content-type", content_type)
            .header("idempotency-key", key)
            .body(Body::from(body))
            .unwrap();
        let response = app.clone().call(request).await.unwrap();
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    async fn post_json(app: &Router, body: &Value, key: &str) -> (u16, Value) {
        post(app, "application/json", body.to_string(), key).await
    }

    /// What every backend must give the API: a retry with the same `Idempotency-Key` and body
    /// is answered as a duplicate without fetching its URLs again (whatever they hold now);
    /// another body under the key is a conflict; inline and form submissions as before.
    pub(crate) async fn idempotent_retries_fetch_nothing<S: Storage>(storage: S) {
        let files = Files::start(std::time::Duration::from_millis(100)).await;
        let app = app(storage.clone());
        let body = json!({
            "to": "15551234567",
            "text": "see",
            "attachments": [{"url": files.url("/a.png")}, {"url": files.url("/b.png")}],
        });
        let (status, first) = post_json(&app, &body, "url-key").await;
        assert_eq!(status, 202, "{first}");
        assert!(first.get("duplicate").is_none(), "{first}");
        assert_eq!(files.served(), 2);
        let id = first["id"].as_str().unwrap().to_owned();

        // The server would now send other bytes: the retry fetches nothing and is the same.
        let (status, again) = post_json(&app, &body, "url-key").await;
        assert_eq!(status, 202, "{again}");
        assert_eq!(again["id"], id.as_str(), "{again}");
        assert_eq!(again["duplicate"], true, "{again}");
        assert_eq!(files.served(), 2);
        // The same body with its fields in another order is the same request.
        let reordered = format!(
            r#"{{"attachments": [{{"url": "{}"}}, {{"url": "{}"}}], "text": "see", "to": "15551234567"}}"#,
            files.url("/a.png"),
            files.url("/b.png")
        );
        let (status, again) = post(&app, "application/json", reordered, "url-key").await;
        assert_eq!((status, &again["id"]), (202, &json!(id)), "{again}");
        assert_eq!(files.served(), 2);

        // Another body under the key: 409, and nothing fetched for it either.
        let mut other = body.clone();
        other["text"] = json!("something else");
        let (status, answer) = post_json(&app, &other, "url-key").await;
        assert_eq!(status, 409, "{answer}");
        assert!(answer["error"].as_str().unwrap().contains(&id), "{answer}");
        assert_eq!(files.served(), 2);

        // Two first tries at once (both fetching, the content differing): one message.
        let racing =
            json!({"to": "15551234567", "attachments": [{"url": files.url("/slow-r.png")}]});
        let (one, two) = tokio::join!(
            post_json(&app, &racing, "race-key"),
            post_json(&app, &racing, "race-key")
        );
        assert_eq!((one.0, two.0), (202, 202), "{one:?} {two:?}");
        assert_eq!(one.1["id"], two.1["id"], "{one:?} {two:?}");
        let before = files.served();

        // What was queued is the fetched content, as received by the dispatcher: no digest.
        let (_, queued) = storage.message_request(&id).await.unwrap().unwrap();
        assert!(
            queued.get(crate::store::RECEIVED_DIGEST).is_none(),
            "{queued}"
        );
        let attachments = queued["attachments"].as_array().unwrap();
        assert_eq!(attachments.len(), 2);
        assert!(
            attachments
                .iter()
                .all(|a| a["data"].is_string() && a["url"].is_null())
        );

        // Inline data: the same body is a duplicate, another a conflict.
        let inline = json!({
            "to": "15551234567",
            "attachments": [{"content_type": "text/plain", "data": "aGk="}],
        });
        let (status, first) = post_json(&app, &inline, "inline-key").await;
        assert_eq!(status, 202, "{first}");
        let (status, again) = post_json(&app, &inline, "inline-key").await;
        assert_eq!((status, &again["id"]), (202, &first["id"]), "{again}");
        assert_eq!(again["duplicate"], true, "{again}");
        let mut changed = inline.clone();
        changed["attachments"][0]["data"] = json!("aG8=");
        let (status, answer) = post_json(&app, &changed, "inline-key").await;
        assert_eq!(status, 409, "{answer}");

        // A form with a file: the same.
        let form = |text: &str| {
            format!(
                "--XyZ\r\nContent-Disposition: form-data; name=\"to\"\r\n\r\n15551234567\r\n\
                 --XyZ\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n{text}\r\n\
                 --XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n\
                 Content-Type: text/plain\r\n\r\nhello\r\n--XyZ--\r\n"
            )
        };
        let multipart = "multipart/form-data; boundary=XyZ";
        let (status, first) = post(&app, multipart, form("hi"), "form-key").await;
        assert_eq!(status, 202, "{first}");
        let (status, again) = post(&app, multipart, form("hi"), "form-key").await;
        assert_eq!((status, &again["id"]), (202, &first["id"]), "{again}");
        let (status, answer) = post(&app, multipart, form("ho"), "form-key").await;
        assert_eq!(status, 409, "{answer}");
        assert_eq!(files.served(), before);
    }
}

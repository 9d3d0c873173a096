//! The JSON API applications call: `POST /v1/messages` (answered 202 once the message is
//! durably queued), `GET /v1/messages/{id}` (its status and history), `GET /healthz`.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::config::Account;
use crate::error::GatewayError;
use crate::request;
use crate::store::{Enqueued, NewSubmission, Storage, now_ms};

/// The largest request body: a few attachments of up to 2 MiB, in base64.
const BODY_LIMIT: usize = 12 * 1024 * 1024;

#[derive(Clone)]
struct Api<S> {
    storage: S,
    account: std::sync::Arc<Account>,
    metrics: std::sync::Arc<crate::metrics::Metrics>,
}

fn error(status: StatusCode, text: &str) -> Response {
    (status, axum::Json(json!({ "error": text }))).into_response()
}

/// The API's router over a storage, for an account.
pub(crate) fn router<S: Storage>(
    storage: S,
    account: Account,
    metrics: std::sync::Arc<crate::metrics::Metrics>,
) -> Router {
    Router::new()
        .route("/v1/messages", post(create::<S>))
        .route("/v1/messages/{id}", get(show::<S>))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/metrics", get(metrics_text::<S>))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(Api {
            storage,
            account: std::sync::Arc::new(account),
            metrics,
        })
}

/// 128 random bits as hex, prefixed: the gateway's message id.
fn new_id() -> Result<String, GatewayError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| GatewayError::Internal(format!("randomness: {e}")))?;
    Ok(format!("msg_{}", hex::encode(bytes)))
}

async fn create<S: Storage>(
    State(api): State<Api<S>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let json_body = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/json")
        });
    if !json_body {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the body must be JSON (Content-Type: application/json)",
        );
    }
    let request: Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                &format!("the body is not JSON: {e}"),
            );
        }
    };
    if let Err(text) = request::check(&request) {
        return error(StatusCode::BAD_REQUEST, &text);
    }
    // The provider's rules, now rather than at the MMSC: what it would refuse is a 400.
    if let Some(profile) = api.account.profile {
        let violations = match request::build(&request, &api.account) {
            Ok((req, content)) => profile.check_submit_server_side(
                &req,
                &content,
                &mm7_transport::profile::SubmitContext::new(),
            ),
            Err(text) => return error(StatusCode::BAD_REQUEST, &text),
        };
        if !violations.is_empty() {
            let listed: Vec<String> = violations.iter().map(ToString::to_string).collect();
            return (
                StatusCode::BAD_REQUEST,
                axum::Json(json!({
                    "error": format!("the {} profile's rules refuse this message", profile.name()),
                    "violations": listed,
                })),
            )
                .into_response();
        }
    }
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
    let (id, transaction_id) = match (new_id(), new_id()) {
        (Ok(id), Ok(tx)) => (id, format!("gw-{}", &tx[4..])),
        _ => return error(StatusCode::INTERNAL_SERVER_ERROR, "no randomness"),
    };
    let expiry = request::expiry_seconds(&request)
        .map_or(api.account.expiry, std::time::Duration::from_secs);
    let new = NewSubmission {
        id,
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
        Ok(Enqueued::Existing(id)) => {
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
        Err(GatewayError::IdempotencyConflict(id)) => error(
            StatusCode::CONFLICT,
            &format!("this Idempotency-Key was used for another request (message {id})"),
        ),
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

async fn metrics_text<S: Storage>(State(api): State<Api<S>>) -> Response {
    match api.storage.queue_depth().await {
        Ok(depth) => (
            [(
                axum::http::header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            api.metrics.render(&depth),
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

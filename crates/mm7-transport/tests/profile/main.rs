//! Every rule of every provider profile, each accepted and refused, and the providers' own
//! example requests (tests/vectors) under their profiles.

mod ezitxt;
mod sinch;
mod vectors;
mod vibes;

use http::header::{AUTHORIZATION, HeaderName, HeaderValue};
use mm7_model::{Part, SchemaId, StatusCode};
use mm7_transport::profile::{Refusal, Severity, SubmitContext, Violation};

pub(crate) const ERROR: Severity = Severity::Error;
pub(crate) const WARNING: Severity = Severity::Warning;

pub(crate) fn basic_auth() -> (HeaderName, HeaderValue) {
    (
        AUTHORIZATION,
        HeaderValue::from_static("Basic Y2xpZW50QHZpYmVzLmNvbTpwYXNzd29yZA=="),
    )
}

pub(crate) fn context(schema: SchemaId, url: &str) -> SubmitContext {
    let (name, value) = basic_auth();
    SubmitContext::new()
        .with_namespace(schema)
        .with_header(name, value)
        .with_url(url.parse().expect("a URL"))
        .with_body_len(47_384)
}

/// `(severity, field)` of each violation, in order.
pub(crate) fn found(violations: &[Violation]) -> Vec<(Severity, &str)> {
    violations
        .iter()
        .map(|v| (v.severity, v.field.as_str()))
        .collect()
}

pub(crate) fn refusal(violations: &[Violation], field: &str) -> Option<Refusal> {
    violations
        .iter()
        .find(|v| v.field == field)
        .and_then(|v| v.refusal)
}

pub(crate) fn status(code: StatusCode) -> Option<Refusal> {
    Some(Refusal::Status(code))
}

pub(crate) fn text_content() -> Vec<Part> {
    vec![Part::text("Hello Vibes").with_content_id("msg")]
}

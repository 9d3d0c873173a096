//! [`ClientError`]: every way an MM7 exchange can end other than in success, told apart.

use std::time::Duration;

use bytes::Bytes;
use mm7_model::{Envelope, SoapFault, Status, StatusCode};
use mm7_soap::{DecodeError, EncodeError};

use super::body::body_summary;
use crate::profile::{Profile, Violation};

/// The cause a [`ClientError`] carries: another library's error, typed.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The most of a body an [`ClientError::Http`] keeps, in bytes: enough for the `<title>` of
/// the error pages web servers and gateways send.
pub const EXCERPT_LIMIT: usize = 2048;

/// Why an MM7 request did not end in success (1000) or partial success (1100).
///
/// Each HTTP and MM7 outcome has its own variant, so a caller can tell a credentials problem
/// (401) from a refused address (2002 in the response) from an MMSC that is down (503,
/// connection refused), and decide whether to try again ([`ClientError::is_retryable`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The endpoint URL cannot be used.
    #[error("invalid endpoint URL: {reason}")]
    InvalidUrl {
        /// Why.
        reason: String,
    },
    /// The namespace given to the builder names no MM7 schema.
    #[error("invalid MM7 namespace: {reason}")]
    InvalidNamespace {
        /// Why.
        reason: String,
    },
    /// A header given to the builder is not a valid HTTP header.
    #[error("invalid header {name:?}: {reason}")]
    InvalidHeader {
        /// The header name as given.
        name: String,
        /// Why.
        reason: String,
    },
    /// A TLS setting could not be applied (a certificate that does not parse), or the TLS
    /// handshake failed (an untrusted or mismatched certificate).
    #[error("TLS: {reason}")]
    Tls {
        /// Why.
        reason: String,
        /// The TLS library's error, when there was one (a handshake failure).
        #[source]
        source: Option<BoxError>,
    },
    /// The message breaks rules of the client's [`Profile`]: nothing was sent. `violations`
    /// holds every problem found, warnings included, each printable on one line.
    #[error("{} under the {profile} profile, nothing sent: {}", count_errors(.violations), first_error(.violations))]
    Profile {
        /// The profile.
        profile: Profile,
        /// Every violation found, in the order checked.
        violations: Vec<Violation>,
    },
    /// An envelope given to a typed send holds another operation (a `CancelReq` given to
    /// [`submit_envelope`](super::Client::submit_envelope)): nothing was sent.
    #[error("the envelope holds a {found}, not a {expected}: nothing sent")]
    WrongOperation {
        /// The operation the method sends.
        expected: &'static str,
        /// The operation the envelope holds.
        found: &'static str,
    },
    /// The message cannot be encoded for the configured schema.
    #[error("cannot encode the request: {0}")]
    Encode(#[from] EncodeError),
    /// No connection could be made (refused, unreachable, DNS, connect timeout): the request
    /// was not sent.
    #[error("cannot connect to the endpoint: {reason}")]
    Connect {
        /// Why, with the underlying causes.
        reason: String,
        /// The underlying error (hyper's, with the I/O error below it).
        #[source]
        source: Option<BoxError>,
    },
    /// The connection failed after the request was (perhaps) sent: the peer closed it
    /// without answering, or answered with malformed HTTP. The peer may have processed the
    /// request.
    #[error("the connection failed during the exchange: {reason}")]
    Transport {
        /// Why, with the underlying causes.
        reason: String,
        /// The underlying error (hyper's).
        #[source]
        source: Option<BoxError>,
    },
    /// No complete answer within the whole-request timeout. The peer may have processed the
    /// request.
    #[error("no answer within {after:?}")]
    Timeout {
        /// The timeout that passed.
        after: Duration,
    },
    /// HTTP 401: the credentials were refused, or none were sent and the peer wants some.
    #[error("HTTP 401 Unauthorized: {}{}", unauthorized_text(*.credentials_sent), challenge_text(.challenge))]
    Unauthorized {
        /// The `WWW-Authenticate` challenge, if the peer sent one.
        challenge: Option<String>,
        /// Whether the request carried credentials (an `Authorization` header).
        credentials_sent: bool,
    },
    /// HTTP 403: the peer refuses this client, often because its IP address is not on the
    /// provider's allow-list.
    #[error("HTTP 403 Forbidden: the peer refuses this client (IP address not allowed?)")]
    Forbidden,
    /// HTTP 413: the request body is larger than the peer accepts (1 MiB at many providers).
    #[error("HTTP 413 Payload Too Large: the peer refused a {sent}-byte request")]
    PayloadTooLarge {
        /// The size of the request body that was refused, in bytes.
        sent: u64,
    },
    /// Any other HTTP status with no MM7 answer in its body. The message shows the status,
    /// the Content-Type and the body's gist: an HTML page's title (or its text), or the
    /// start of a text body, on one line and shortened.
    #[error("HTTP {status}{}{}", content_type_text(.content_type), body_summary_text(.content_type, .excerpt))]
    Http {
        /// The HTTP status.
        status: http::StatusCode,
        /// The Content-Type as received (empty when absent).
        content_type: String,
        /// The start of the body (at most [`EXCERPT_LIMIT`] bytes, read as UTF-8 lossily).
        excerpt: String,
        /// The wait the peer asked for in a `Retry-After` header (in seconds; an HTTP date
        /// is not read), if any.
        retry_after: Option<Duration>,
    },
    /// The answer's body is larger than the client accepts.
    #[error("HTTP {status}: the answer is larger than {limit} bytes")]
    ResponseTooLarge {
        /// The HTTP status.
        status: http::StatusCode,
        /// The limit that was passed.
        limit: usize,
    },
    /// A successful HTTP status whose body is not a readable MM7 message. The bytes are kept
    /// for diagnosis.
    #[error("HTTP answer with Content-Type {content_type:?} cannot be decoded: {error}")]
    Undecodable {
        /// The body as received.
        body: Bytes,
        /// The Content-Type as received (empty when absent).
        content_type: String,
        /// Why it cannot be read.
        error: DecodeError,
    },
    /// A SOAP Fault: usually HTTP 500 with an `RSErrorRsp` (from an MMSC) or a
    /// `VASPErrorRsp` (from a VASP) in its detail, or a plain Fault.
    #[error("SOAP Fault {}: {} (HTTP {http_status}){}", .fault.faultcode, .fault.faultstring, fault_status_text(.fault))]
    Fault {
        /// The fault as received.
        fault: Box<SoapFault>,
        /// The HTTP status it came with.
        http_status: http::StatusCode,
    },
    /// A well-formed MM7 answer whose status is an error (e.g. 2002 Address Error in a
    /// `SubmitRsp`, or an `RSErrorRsp` outside a Fault).
    #[error("MM7 status {}: {}", .status.code, status_text(.status))]
    Mm7 {
        /// The answer's status.
        status: Status,
        /// The whole answer.
        response: Box<Envelope>,
    },
    /// The answer is an MM7 message of another operation than the one expected.
    #[error("expected a {expected}, received a {received} (HTTP {http_status}{})", received_status_text(.response))]
    UnexpectedOperation {
        /// The operation expected (`SubmitRsp`, …).
        expected: &'static str,
        /// The operation received.
        received: &'static str,
        /// The whole answer.
        response: Box<Envelope>,
        /// The HTTP status it came with.
        http_status: http::StatusCode,
    },
    /// The answer's TransactionID is not the request's (or is missing where it is required).
    #[error("the answer's TransactionID {received:?} is not the request's {sent:?}")]
    TransactionMismatch {
        /// The request's TransactionID.
        sent: String,
        /// The answer's (empty when missing).
        received: String,
        /// The whole answer.
        response: Box<Envelope>,
        /// The HTTP status it came with.
        http_status: http::StatusCode,
    },
}

fn count_errors(violations: &[Violation]) -> String {
    match violations.iter().filter(|v| v.is_error()).count() {
        1 => "1 error".to_owned(),
        n => format!("{n} errors"),
    }
}

fn first_error(violations: &[Violation]) -> String {
    let mut errors = violations.iter().filter(|v| v.is_error());
    let first = errors.next().map(ToString::to_string).unwrap_or_default();
    match errors.count() {
        0 => first,
        more => format!("{first} (and {more} more)"),
    }
}

fn unauthorized_text(credentials_sent: bool) -> &'static str {
    if credentials_sent {
        "the credentials sent were refused"
    } else {
        "the peer asks for credentials and none were sent"
    }
}

fn content_type_text(content_type: &str) -> String {
    if content_type.is_empty() {
        String::new()
    } else {
        format!(" ({content_type})")
    }
}

fn body_summary_text(content_type: &str, excerpt: &str) -> String {
    let summary = body_summary(content_type, excerpt);
    if summary.is_empty() {
        ": (empty body)".to_owned()
    } else {
        format!(": {summary}")
    }
}

fn challenge_text(challenge: &Option<String>) -> String {
    challenge
        .as_deref()
        .map(|c| format!(" (challenge: {c})"))
        .unwrap_or_default()
}

fn status_text(status: &Status) -> &str {
    status
        .text
        .as_deref()
        .or_else(|| status.code.name())
        .unwrap_or("(no StatusText)")
}

fn received_status_text(response: &Envelope) -> String {
    response
        .message
        .status()
        .map(|s| format!(", MM7 status {} {}", s.code, status_text(s)))
        .unwrap_or_default()
}

/// The MM7 codes that say "not now" rather than "not this": 3000 Server Error and 4006
/// Service unavailable.
fn is_transient(code: StatusCode) -> bool {
    code == StatusCode::SERVER_ERROR || code == StatusCode::SERVICE_UNAVAILABLE
}

fn fault_status_text(fault: &SoapFault) -> String {
    fault
        .status()
        .map(|s| format!(", MM7 status {} {}", s.code, status_text(s)))
        .unwrap_or_default()
}

impl ClientError {
    /// Whether trying the same request again later may succeed: a connection error, a
    /// timeout, an answer cut off, HTTP 5xx (other than a SOAP Fault) or 429, or MM7 status
    /// 3000 (Server Error) or 4006 (Service unavailable) in a response or a Fault, or a
    /// `Server` Fault without an MM7 status (SOAP 1.1 §4.4.1: "the message could succeed at
    /// a later point in time").
    ///
    /// This is what the server of this crate tells a peer to retry (see
    /// [`HandlerError`](crate::server::HandlerError)): it answers a handler that failed for
    /// now, timed out or panicked with 3000, and a handler may answer 4006 when it cannot
    /// take requests now, both as `Server` Faults; every other code is a refusal that a
    /// retry would meet again (3001 Not possible, 3002 Message rejected, 2xxx, 4xxx).
    ///
    /// This says nothing of whether a retry is *safe*: after a timeout or a cut connection
    /// the peer may have accepted the message already. [`RetryPolicy`](super::RetryPolicy)
    /// weighs that.
    pub fn is_retryable(&self) -> bool {
        match self {
            ClientError::Connect { .. }
            | ClientError::Timeout { .. }
            | ClientError::Transport { .. } => true,
            // 429: the throughput limits providers publish answer "retry the request".
            ClientError::Http { status, .. } | ClientError::ResponseTooLarge { status, .. } => {
                status.is_server_error() || *status == http::StatusCode::TOO_MANY_REQUESTS
            }
            ClientError::Fault { fault, .. } => match fault.status() {
                Some(status) => is_transient(status.code),
                None => fault.is_server(),
            },
            ClientError::Mm7 { status, .. } => is_transient(status.code),
            _ => false,
        }
    }

    /// Whether the same request sent later may pass: the policy of queues that own their
    /// retries (the callbacks of an MMSC, a gateway's submissions), wider than
    /// [`is_retryable`](Self::is_retryable)'s. A network failure, a timeout, HTTP 5xx or 429
    /// without a permanent MM7 status, any MM7 3xxx (the server's side) and 4006 may pass; so
    /// may an answer that does not match the request (another TransactionID or operation, or
    /// one that cannot be read: a peer in trouble). A 2xxx or 4xxx refusal, a 401, 403 or
    /// 413, a request the profile refuses, cannot.
    pub fn may_pass_later(&self) -> bool {
        let code_may_pass = |code: StatusCode| {
            code == StatusCode::SERVICE_UNAVAILABLE || (3000..4000).contains(&code.get())
        };
        match self {
            ClientError::Connect { .. }
            | ClientError::Transport { .. }
            | ClientError::Timeout { .. }
            | ClientError::TransactionMismatch { .. }
            | ClientError::UnexpectedOperation { .. }
            | ClientError::Undecodable { .. } => true,
            ClientError::Http { status, .. } | ClientError::ResponseTooLarge { status, .. } => {
                status.is_server_error() || *status == http::StatusCode::TOO_MANY_REQUESTS
            }
            ClientError::Fault { http_status, .. } => match self.status_code() {
                Some(code) => code_may_pass(code),
                None => http_status.is_server_error(),
            },
            ClientError::Mm7 { status, .. } => code_may_pass(status.code),
            _ => false,
        }
    }

    /// Whether the request surely never reached the peer, so sending it again cannot make a
    /// duplicate.
    pub fn is_unsent(&self) -> bool {
        matches!(
            self,
            ClientError::Connect { .. } | ClientError::Profile { .. }
        )
    }

    /// The operation of the answer, when an MM7 answer was received (an error status, a
    /// Fault, another operation than expected, another TransactionID).
    pub fn received_operation(&self) -> Option<&'static str> {
        match self {
            ClientError::Mm7 { response, .. }
            | ClientError::UnexpectedOperation { response, .. }
            | ClientError::TransactionMismatch { response, .. } => {
                Some(response.message.operation_name())
            }
            ClientError::Fault { .. } => Some("Fault"),
            _ => None,
        }
    }

    /// The profile violations of a [`ClientError::Profile`].
    pub fn violations(&self) -> &[Violation] {
        match self {
            ClientError::Profile { violations, .. } => violations,
            _ => &[],
        }
    }

    /// The wait before trying again that the peer asked for (`Retry-After` on a 503 or 429).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ClientError::Http { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The MM7 status code of an MM7 error, of a Fault's error response, or of an answer of
    /// another operation than the one expected.
    pub fn status_code(&self) -> Option<StatusCode> {
        match self {
            ClientError::Mm7 { status, .. } => Some(status.code),
            ClientError::Fault { fault, .. } => fault.status().map(|s| s.code),
            ClientError::UnexpectedOperation { response, .. }
            | ClientError::TransactionMismatch { response, .. } => {
                response.message.status().map(|s| s.code)
            }
            _ => None,
        }
    }

    /// The HTTP status of the answer, when there was one.
    pub fn http_status(&self) -> Option<http::StatusCode> {
        match self {
            ClientError::Unauthorized { .. } => Some(http::StatusCode::UNAUTHORIZED),
            ClientError::Forbidden => Some(http::StatusCode::FORBIDDEN),
            ClientError::PayloadTooLarge { .. } => Some(http::StatusCode::PAYLOAD_TOO_LARGE),
            ClientError::Http { status, .. } | ClientError::ResponseTooLarge { status, .. } => {
                Some(*status)
            }
            ClientError::Fault { http_status, .. }
            | ClientError::UnexpectedOperation { http_status, .. }
            | ClientError::TransactionMismatch { http_status, .. } => Some(*http_status),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mm7_model::SchemaId;

    #[test]
    fn retryable_and_messages() {
        let fault = |code| ClientError::Fault {
            fault: Box::new(SoapFault::rs_error("6.8.0", Status::from_code(code))),
            http_status: http::StatusCode::INTERNAL_SERVER_ERROR,
        };
        assert!(fault(StatusCode::SERVICE_UNAVAILABLE).is_retryable());
        // What the server answers a handler's failure, timeout or panic with.
        assert!(fault(StatusCode::SERVER_ERROR).is_retryable());
        assert!(!fault(StatusCode::new(3002)).is_retryable());
        assert!(!fault(StatusCode::ADDRESS_ERROR).is_retryable());
        let bare = |code: &str| ClientError::Fault {
            fault: Box::new(SoapFault {
                faultcode: code.into(),
                faultstring: String::new(),
                faultactor: None,
                detail: None,
            }),
            http_status: http::StatusCode::INTERNAL_SERVER_ERROR,
        };
        assert!(bare("Server").is_retryable());
        assert!(!bare("Client").is_retryable());
        assert_eq!(
            fault(StatusCode::ADDRESS_ERROR).to_string(),
            "SOAP Fault Client: Address Error (HTTP 500 Internal Server Error), \
             MM7 status 2002 Address Error"
        );
        let http = |status| ClientError::Http {
            status,
            content_type: String::new(),
            excerpt: String::new(),
            retry_after: None,
        };
        assert!(http(http::StatusCode::BAD_GATEWAY).is_retryable());
        assert!(http(http::StatusCode::TOO_MANY_REQUESTS).is_retryable());
        assert!(!http(http::StatusCode::NOT_FOUND).is_retryable());
        assert!(!ClientError::Forbidden.is_retryable());
        let mm7 = ClientError::Mm7 {
            status: Status::new(StatusCode::ADDRESS_ERROR, "bad number"),
            response: Box::new(Envelope::new(
                "t",
                SchemaId::NEWEST,
                mm7_model::SubmitRsp::new("6.8.0", Status::success()),
            )),
        };
        assert_eq!(mm7.to_string(), "MM7 status 2002: bad number");
        assert_eq!(mm7.status_code(), Some(StatusCode::ADDRESS_ERROR));
        assert!(
            ClientError::Connect {
                reason: "refused".into(),
                source: None,
            }
            .is_unsent()
        );
        assert_eq!(
            ClientError::PayloadTooLarge { sent: 3 }.http_status(),
            Some(http::StatusCode::PAYLOAD_TOO_LARGE)
        );
    }

    #[test]
    fn error_pages_are_summarised() {
        let page = format!(
            "<!DOCTYPE html><html><head><style>body {{ color: red }}</style>\
             <title>500 Internal  Server\nError</title></head><body>{}</body></html>",
            "<p>stack &amp; trace</p>".repeat(50)
        );
        let error = ClientError::Http {
            status: http::StatusCode::INTERNAL_SERVER_ERROR,
            content_type: "text/html; charset=utf-8".into(),
            excerpt: page,
            retry_after: None,
        };
        assert_eq!(
            error.to_string(),
            "HTTP 500 Internal Server Error (text/html; charset=utf-8): \
             500 Internal Server Error"
        );
        let untitled = "<html><body><script>var x = '<b>';</script><h1>Bad &amp; gone</h1>\
                        <p>try later</p></body></html>";
        assert_eq!(body_summary("text/html", untitled), "Bad & gone try later");
        let long = "x ".repeat(300);
        let summary = body_summary("text/plain", &long);
        assert_eq!(summary.chars().count(), 200);
        assert!(summary.ends_with('…'), "{summary}");
        let empty = ClientError::Http {
            status: http::StatusCode::BAD_GATEWAY,
            content_type: String::new(),
            excerpt: String::new(),
            retry_after: None,
        };
        assert_eq!(empty.to_string(), "HTTP 502 Bad Gateway: (empty body)");
        // A cut-off page: no closing tag, no panic.
        assert_eq!(body_summary("text/html", "<html><title>Down"), "Down");
        assert_eq!(body_summary("text/html", "<p>a <b"), "a");
    }

    #[test]
    fn unauthorized_says_whether_credentials_were_sent() {
        let sent = ClientError::Unauthorized {
            challenge: None,
            credentials_sent: true,
        };
        assert!(
            sent.to_string().contains("credentials sent were refused"),
            "{sent}"
        );
        let none = ClientError::Unauthorized {
            challenge: Some("Basic realm=\"MM7\"".into()),
            credentials_sent: false,
        };
        assert!(none.to_string().contains("none were sent"), "{none}");
        assert!(!none.to_string().contains("refused"), "{none}");
    }
}

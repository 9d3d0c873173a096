//! The answers a server writes: MM7 envelopes (HTTP 200), SOAP Faults (HTTP 500), and the
//! bare HTTP refusals given before a request reaches the decoder.

use bytes::Bytes;
use http::header::{ALLOW, CONNECTION, CONTENT_TYPE, HeaderValue, WWW_AUTHENTICATE};
use http::{Response, StatusCode as HttpStatus};
use http_body_util::Full;
use mm7_model::{Envelope, Message, Mm7Version, Namespace, SoapFault, Status};
use mm7_soap::{EncodeOptions, FaultCode};

use crate::server::Role;

/// The body of every answer.
pub(crate) type AnswerBody = Full<Bytes>;

/// What the request said of itself, for echoing in the answer.
#[derive(Debug, Clone, Default)]
pub(crate) struct Echo {
    pub(crate) transaction_id: Option<String>,
    pub(crate) namespace: Option<Namespace>,
    pub(crate) mm7_version: Option<Mm7Version>,
}

impl Echo {
    /// The MM7Version to write: the request's, else the one its namespace's schema uses.
    fn version(&self) -> Mm7Version {
        match &self.mm7_version {
            Some(v) if !v.is_empty() => v.clone(),
            _ => Mm7Version::for_schema(self.namespace.clone().unwrap_or_default().schema()),
        }
    }
}

/// An encoded MM7 envelope, or `None` when the encoder refused it.
pub(crate) fn envelope(
    http_status: HttpStatus,
    envelope: &Envelope,
    options: &EncodeOptions,
) -> Result<Response<AnswerBody>, mm7_soap::EncodeError> {
    let encoded = mm7_soap::encode(envelope, options)?;
    for warning in &encoded.warnings {
        tracing::debug!(%warning, "answer encoded leniently");
    }
    let mut response = Response::new(Full::new(encoded.to_bytes()));
    *response.status_mut() = http_status;
    // Every answer without attachments has the same Content-Type: no copy of it.
    const XML: &str = "text/xml; charset=utf-8";
    let value = if encoded.content_type == XML {
        Ok(HeaderValue::from_static(XML))
    } else {
        HeaderValue::from_str(&encoded.content_type)
    };
    if let Ok(value) = value {
        response.headers_mut().insert(CONTENT_TYPE, value);
    }
    Ok(response)
}

/// A SOAP Fault (HTTP 500, TS 23.140 §9.2) carrying `RSErrorRsp` (MMSC) or `VASPErrorRsp`
/// (VASP) with `status`, echoing what is known of the request.
pub(crate) fn fault(
    role: Role,
    status: Status,
    fault_code: Option<FaultCode>,
    echo: &Echo,
    options: &EncodeOptions,
) -> Response<AnswerBody> {
    let version = echo.version();
    let mut fault = match role {
        Role::Mmsc => SoapFault::rs_error(version, status),
        Role::Vasp => SoapFault::vasp_error(version, status),
    };
    // The decoder's SOAP fault code (MustUnderstand, VersionMismatch) takes precedence over
    // the Client/Server choice made from the status class.
    if let Some(code) = fault_code
        && !matches!(code, FaultCode::Client)
    {
        fault.faultcode = code.local_name().to_string();
        // SOAP 1.1 §4.4: `detail` carries errors of the Body only; a header entry not
        // understood is reported by the faultcode and faultstring alone.
        if code == FaultCode::MustUnderstand {
            fault.detail = None;
        }
    }
    let envelope = Envelope::new(
        echo.transaction_id.clone().unwrap_or_default(),
        echo.namespace.clone().unwrap_or_default(),
        Message::Fault(fault),
    );
    let encoded = envelope_or_default(&envelope, options);
    let mut response = match encoded {
        Ok(response) => response,
        // The Fault is built here from known-good parts; only a bad configured prefix could
        // fail above, and the default options cannot.
        Err(error) => {
            tracing::error!(%error, "a fault could not be encoded");
            plain(
                HttpStatus::INTERNAL_SERVER_ERROR,
                "MM7 fault could not be encoded",
            )
        }
    };
    *response.status_mut() = HttpStatus::INTERNAL_SERVER_ERROR;
    response
}

fn envelope_or_default(
    envelope: &Envelope,
    options: &EncodeOptions,
) -> Result<Response<AnswerBody>, mm7_soap::EncodeError> {
    self::envelope(HttpStatus::INTERNAL_SERVER_ERROR, envelope, options).or_else(|error| {
        tracing::warn!(%error, "fault encoding with the configured options failed; using the defaults");
        self::envelope(
            HttpStatus::INTERNAL_SERVER_ERROR,
            envelope,
            &EncodeOptions::default().with_drop_undefined(true),
        )
    })
}

/// A short `text/plain` answer.
pub(crate) fn plain(status: HttpStatus, text: &'static str) -> Response<AnswerBody> {
    let mut response = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// A refusal given before the body was read: the connection is closed after it, since the
/// unread body would otherwise be taken for the next request.
pub(crate) fn refusal(status: HttpStatus, text: &'static str) -> Response<AnswerBody> {
    let mut response = plain(status, text);
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

/// 401 with the challenge (RFC 7617 §2).
pub(crate) fn unauthorized(realm: &str) -> Response<AnswerBody> {
    let mut response = refusal(HttpStatus::UNAUTHORIZED, "authentication required\n");
    // The realm is a quoted-string (RFC 9110 §5.6.4): escape `"` and `\`.
    let mut challenge = String::from("Basic realm=\"");
    for c in realm.chars() {
        if c == '"' || c == '\\' {
            challenge.push('\\');
        }
        challenge.push(c);
    }
    challenge.push_str("\", charset=\"UTF-8\"");
    let value = HeaderValue::from_str(&challenge)
        .unwrap_or(HeaderValue::from_static("Basic realm=\"mm7\""));
    response.headers_mut().insert(WWW_AUTHENTICATE, value);
    response
}

/// 405 with the one method MM7 uses.
pub(crate) fn method_not_allowed() -> Response<AnswerBody> {
    let mut response = refusal(
        HttpStatus::METHOD_NOT_ALLOWED,
        "MM7 requests are HTTP POST\n",
    );
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static("POST"));
    response
}

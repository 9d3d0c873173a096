//! Running a profile's rules over a `SubmitReq`: [`SubmitContext`], the entry points on
//! [`Profile`], and the checks several providers share.

use http::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use http::uri::Uri;
use mm7_model::number::NumberFormat;
use mm7_model::{AddressKind, Envelope, Message, Namespace, Part, SchemaId, SubmitReq};

use super::rules;
use super::violation::{Refusal, Severity, Source, Violation};
use super::{Profile, Versions};
use crate::server::{HandlerError, Inbound};

/// What travels with a `SubmitReq`: its namespace, the HTTP headers, the encoded body's size
/// and the URL. Without a namespace, body size or URL, the rules about them are skipped;
/// headers are always checked (no headers means none are sent: no `Authorization`, no
/// `X-Vibes-DlrCallbackUrl`).
///
/// ```
/// use mm7_transport::profile::SubmitContext;
///
/// let context = SubmitContext::new()
///     .with_header(
///         http::HeaderName::from_static("x-vibes-dlrcallbackurl"),
///         http::HeaderValue::from_static("https://vasp.example.com/dlr"),
///     )
///     .with_body_len(47_384)
///     .with_url("https://messageapi-mms.vibesapps.com/mms/mm7/submit".parse().expect("a URL"));
/// assert_eq!(context.body_len, Some(47_384));
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct SubmitContext {
    /// The namespace the body is qualified with (`None`: only `MM7Version` is checked).
    pub namespace: Option<Namespace>,
    /// The HTTP headers sent with the request (`Authorization` included, on the client).
    pub headers: HeaderMap,
    /// The size of the HTTP body in bytes, once encoded.
    pub body_len: Option<u64>,
    /// The URL the request is posted to.
    pub url: Option<Uri>,
}

impl SubmitContext {
    /// Nothing known but the message.
    pub fn new() -> SubmitContext {
        SubmitContext::default()
    }

    /// With the namespace.
    #[must_use]
    pub fn with_namespace(mut self, namespace: impl Into<Namespace>) -> SubmitContext {
        self.namespace = Some(namespace.into());
        self
    }

    /// With all the headers.
    #[must_use]
    pub fn with_headers(mut self, headers: HeaderMap) -> SubmitContext {
        self.headers = headers;
        self
    }

    /// With one more header.
    #[must_use]
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> SubmitContext {
        self.headers.append(name, value);
        self
    }

    /// With the body's size.
    #[must_use]
    pub fn with_body_len(mut self, bytes: u64) -> SubmitContext {
        self.body_len = Some(bytes);
        self
    }

    /// With the URL.
    #[must_use]
    pub fn with_url(mut self, url: Uri) -> SubmitContext {
        self.url = Some(url);
        self
    }
}

/// Which end runs the rules: the client checks everything it knows; the MMSC cannot see the
/// `Authorization` header (the server removes it once checked) or the client's URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Client,
    Server,
}

impl Profile {
    /// Every rule of the profile that `req` (with its content `attachments`, in `context`)
    /// breaks, errors and warnings, in the order checked (version, credentials,
    /// identification, recipients, elements, headers, content, body, URL). Empty for
    /// [`Profile::Generic`].
    pub fn check_submit(
        self,
        req: &SubmitReq,
        attachments: &[Part],
        context: &SubmitContext,
    ) -> Vec<Violation> {
        self.evaluate(Side::Client, req, attachments, context)
    }

    /// [`check_submit`](Self::check_submit) for an envelope, whose namespace replaces the
    /// context's. Profiles have rules for `SubmitReq` only: other messages pass.
    pub fn check_envelope(self, envelope: &Envelope, context: &SubmitContext) -> Vec<Violation> {
        let Message::SubmitReq(req) = &envelope.message else {
            return Vec::new();
        };
        let context = SubmitContext {
            namespace: Some(envelope.namespace.clone()),
            ..context.clone()
        };
        self.check_submit(req, &envelope.attachments, &context)
    }

    /// What the provider's MMSC refuses in `req`: the violations that carry a [`Refusal`],
    /// leaving out what only the client can know (its credentials and URL).
    pub fn check_submit_server_side(
        self,
        req: &SubmitReq,
        attachments: &[Part],
        context: &SubmitContext,
    ) -> Vec<Violation> {
        let mut found = self.evaluate(Side::Server, req, attachments, context);
        found.retain(|v| v.refusal.is_some());
        found
    }

    /// A mock MMSC's judgement of a decoded `SubmitReq` under the profile: `Err` with the
    /// provider's status for the first violation it refuses with an MM7 status (its text
    /// names the field and the rule), else `Ok` with the violations it lets through (to log).
    ///
    /// The body limit is not judged here: [`server_config`](Self::server_config) makes the
    /// server answer HTTP 413 before decoding.
    ///
    /// ```
    /// use mm7_model::{Address, SchemaId, StatusCode, SubmitReq};
    /// use mm7_transport::profile::Profile;
    /// use mm7_transport::server::Inbound;
    ///
    /// let mut req = SubmitReq::default();
    /// req.mm7_version = "6.8.0".into();
    /// req.sender_identification = Some(Default::default());
    /// req.recipients.to.push(Address::number("+15553199144"));
    /// let inbound = Inbound::new(req, "tx-1", SchemaId::Rel6Mm7_1_4);
    ///
    /// let refused = Profile::Sinch.screen_submit(&inbound).unwrap_err();
    /// assert_eq!(refused.status().code, StatusCode::IMPROPER_IDENTIFICATION);
    /// assert!(Profile::Generic.screen_submit(&inbound).is_ok());
    /// ```
    ///
    /// # Errors
    /// The [`HandlerError`] to answer with.
    pub fn screen_submit(
        self,
        inbound: &Inbound<SubmitReq>,
    ) -> Result<Vec<Violation>, HandlerError> {
        let context = SubmitContext::new()
            .with_namespace(inbound.namespace.clone())
            .with_headers(inbound.headers.clone());
        let found = self.evaluate(
            Side::Server,
            &inbound.request,
            &inbound.attachments,
            &context,
        );
        let refused = found.iter().find_map(|v| match v.refusal {
            Some(Refusal::Status(code)) => Some((code, status_text(v))),
            _ => None,
        });
        match refused {
            Some((code, text)) => Err(HandlerError::new(code, text)),
            None => Ok(found),
        }
    }

    fn evaluate(
        self,
        side: Side,
        req: &SubmitReq,
        attachments: &[Part],
        context: &SubmitContext,
    ) -> Vec<Violation> {
        let mut check = Check {
            profile: self,
            side,
            req,
            attachments,
            context,
            schema: context.namespace.as_ref().map(Namespace::schema),
            out: Vec::new(),
        };
        match self {
            Profile::Generic => {}
            Profile::Vibes => rules::vibes(&mut check),
            Profile::Sinch => rules::sinch(&mut check),
            Profile::Optus | Profile::Ezitxt => rules::ezitxt(&mut check),
        }
        check.out
    }
}

/// A refusal's `StatusText`, in the shape of Vibes's own ("SenderAddress value
/// 'YOUR_SHORTCODE' invalid, Reason: Invalid SenderAddress").
fn status_text(v: &Violation) -> String {
    match &v.value {
        Some(value) => format!("{} value '{value}' invalid, Reason: {}", v.field, v.rule),
        None => format!("{}: {}", v.field, v.rule),
    }
}

/// One run of a profile's rules.
pub(crate) struct Check<'a> {
    pub(crate) profile: Profile,
    pub(crate) side: Side,
    pub(crate) req: &'a SubmitReq,
    pub(crate) attachments: &'a [Part],
    pub(crate) context: &'a SubmitContext,
    /// The schema the namespace names, when known.
    pub(crate) schema: Option<SchemaId>,
    pub(crate) out: Vec<Violation>,
}

impl Check<'_> {
    pub(crate) fn push(&mut self, violation: Violation) {
        self.out.push(violation);
    }

    /// The schema and `MM7Version` against [`Profile::versions`]: `severity` when they are not
    /// accepted.
    pub(crate) fn version(&mut self, severity: Severity, source: Source, refusal: Option<Refusal>) {
        let version = &self.req.mm7_version;
        let accepted = match (self.schema, self.profile.versions()) {
            (Some(schema), _) => self.profile.accepts_version(schema, version),
            // No namespace to go by: any accepted pair with this MM7Version will do.
            (None, Versions::Pairs(pairs)) => pairs
                .iter()
                .any(|p| self.profile.accepts_version(p.schema, version)),
            (None, _) => self.profile.accepts_version(SchemaId::NEWEST, version),
        };
        if accepted {
            return;
        }
        let wanted = match self.profile.versions() {
            Versions::Any => return,
            Versions::Pairs(pairs) => pairs
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", or "),
            Versions::Range { min, max } => format!(
                "an MM7Version from {}.{}.{} to {}.{}.{}",
                min.0, min.1, min.2, max.0, max.1, max.2
            ),
        };
        let sent = match self.schema {
            Some(schema) => format!("{} in {schema}", version.as_str()),
            None => version.as_str().to_owned(),
        };
        let mut v = Violation::new(severity, "MM7Version", format!("expected {wanted}"), source)
            .with_value(sent);
        v.refusal = refusal;
        self.push(v);
    }

    /// Every recipient written as a number against `format`; `RFC2822Address` values that
    /// are numbers (`+1555…/TYPE=PLMN`) count too.
    pub(crate) fn numbers(&mut self, format: NumberFormat, source: Source, refusal: Refusal) {
        let lists = [
            ("To", &self.req.recipients.to),
            ("Cc", &self.req.recipients.cc),
            ("Bcc", &self.req.recipients.bcc),
        ];
        let mut found = Vec::new();
        for (list, addresses) in lists {
            for (i, address) in addresses.iter().enumerate() {
                let is_number = match address.kind {
                    AddressKind::Number => true,
                    AddressKind::Rfc2822 => address.normalized_number().is_some(),
                    _ => false,
                };
                if !is_number {
                    continue;
                }
                if let Err(e) = format.normalize(&address.value) {
                    let field = format!("Recipients/{list}[{i}]/{}", address.kind.element_name());
                    let rule =
                        format!("{} (at byte {}); expected {}", e.kind, e.offset, e.expected);
                    found.push(
                        Violation::error(field, rule, source)
                            .with_value(address.value.clone())
                            .refused_with(refusal),
                    );
                }
            }
        }
        self.out.extend(found);
    }

    /// HTTP Basic credentials, on the client (the server checks them itself: 401).
    pub(crate) fn basic_auth(&mut self, source: Source) {
        if self.side == Side::Client && !self.context.headers.contains_key(AUTHORIZATION) {
            self.push(
                Violation::error(
                    "header Authorization",
                    "HTTP Basic authentication is required for every request",
                    source,
                )
                .refused_with(Refusal::Http(http::StatusCode::UNAUTHORIZED)),
            );
        }
    }

    /// `Content` names one of the attachments.
    pub(crate) fn content_resolves(&mut self, source: Source, refusal: Refusal) {
        let Some(content) = &self.req.content else {
            return;
        };
        if !self
            .attachments
            .iter()
            .any(|p| p.find(&content.href).is_some())
        {
            self.push(
                Violation::error("Content@href", "names no part of the content", source)
                    .with_value(content.href.clone())
                    .refused_with(refusal),
            );
        }
    }

    /// The body against the profile's limit (an error, with HTTP 413) and advice (a warning).
    pub(crate) fn body_size(&mut self, source: Source) {
        let Some(len) = self.context.body_len else {
            return;
        };
        if let Some(max) = self.profile.max_body_size().filter(|max| len > *max) {
            self.push(
                Violation::error(
                    "HTTP body",
                    format!("at most {max} bytes, base64 and MIME included"),
                    source,
                )
                .with_value(format!("{len} bytes"))
                .refused_with(Refusal::Http(http::StatusCode::PAYLOAD_TOO_LARGE)),
            );
        } else if let Some(advised) = self.profile.recommended_body_size().filter(|a| len > *a) {
            self.push(
                Violation::warning(
                    "HTTP body",
                    format!("under {advised} bytes is recommended: size affects performance"),
                    source,
                )
                .with_value(format!("{len} bytes")),
            );
        }
    }

    /// The URL against the documented one: on the provider's host its scheme and path must
    /// match; elsewhere (a gateway, a mock) another path is only worth a warning.
    pub(crate) fn url(&mut self, source: Source) {
        let (Side::Client, Some(url), Some(documented)) =
            (self.side, &self.context.url, self.profile.submit_url())
        else {
            return;
        };
        let Ok(documented) = documented.parse::<Uri>() else {
            return;
        };
        let on_provider = match (url.host(), documented.host()) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => false,
        };
        let same_path = url.path().trim_end_matches('/') == documented.path().trim_end_matches('/');
        let value = url.to_string();
        if on_provider && url.scheme() != documented.scheme() {
            self.push(
                Violation::error("URL", format!("the API is reached at {documented}"), source)
                    .with_value(value.clone()),
            );
        }
        if !same_path {
            let rule = format!("submissions go to {}", documented.path());
            let v = if on_provider {
                Violation::error("URL", rule, source)
            } else {
                Violation::warning("URL", format!("{rule} at the provider"), source)
            };
            self.push(v.with_value(value));
        }
    }

    /// The leaf parts of the content, in order.
    pub(crate) fn leaves(&self) -> impl Iterator<Item = &Part> {
        self.attachments.iter().flat_map(Part::leaves)
    }
}

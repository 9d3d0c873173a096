//! [`Violation`]: one rule of a provider that a message breaks, with the document that says so.

use std::fmt;

use mm7_model::StatusCode;

/// How serious a [`Violation`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Severity {
    /// The provider advises against it, or it may not work everywhere: the message is sent.
    Warning,
    /// The provider refuses it, ignores it, or it will not do what was asked: nothing is sent.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// Where a rule comes from: the provider's document and its section (or element row).
///
/// `seed` is the document's number among the provider documents the project's test vectors
/// come from (`tests/vectors/README.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Source {
    /// The document, e.g. `Vibes MM7 6.8.0`.
    pub document: &'static str,
    /// The section, or the row of an element table, e.g. `Recipients`.
    pub section: &'static str,
    /// The document's seed number, e.g. `000`.
    pub seed: &'static str,
}

impl Source {
    pub(crate) const fn new(
        document: &'static str,
        section: &'static str,
        seed: &'static str,
    ) -> Source {
        Source {
            document,
            section,
            seed,
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, {}", self.document, self.section)
    }
}

/// How the provider's MMSC answers a request that breaks a rule (and so how the mock MMSC
/// answers under the provider's profile).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Refusal {
    /// An HTTP status without an MM7 answer (Vibes: 413 for a body over 1 MB).
    Http(http::StatusCode),
    /// An MM7 error status, in a Fault's `RSErrorRsp`.
    Status(StatusCode),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Http(status) => write!(f, "HTTP {status}"),
            Refusal::Status(code) => match code.name() {
                Some(name) => write!(f, "{code} {name}"),
                None => write!(f, "{code}"),
            },
        }
    }
}

/// The most characters of a value a [`Violation`] shows.
const VALUE_SHOWN: usize = 60;

/// One rule a message breaks: the field, its value, the rule, the document that states it,
/// how serious it is, and how the provider's MMSC answers it.
///
/// Its `Display` is one line, for a terminal:
///
/// ```
/// use mm7_model::{Address, SubmitReq};
/// use mm7_transport::profile::{Profile, SubmitContext};
///
/// let mut req = SubmitReq::default();
/// req.mm7_version = "6.8.0".into();
/// req.sender_identification = Some(Default::default());
/// req.recipients.to.push(Address::number("+15553199144"));
/// let violations = Profile::Sinch.check_submit(&req, &[], &SubmitContext::new());
/// let line = violations
///     .iter()
///     .find(|v| v.field == "Recipients/To[0]/Number")
///     .map(ToString::to_string)
///     .unwrap_or_default();
/// assert!(line.starts_with("error: Recipients/To[0]/Number = \"+15553199144\": '+' is not allowed"), "{line}");
/// assert!(line.ends_with("(Sinch MM7 API, Special Considerations; answered with 2002 Address Error)"), "{line}");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Violation {
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong: an element path (`Recipients/To[0]/Number`), an HTTP header
    /// (`header X-Vibes-DlrCallbackUrl`), `HTTP body`, `URL`, or a content part.
    pub field: String,
    /// The offending value as given (`None` when the problem is an absence).
    pub value: Option<String>,
    /// What the provider wants.
    pub rule: String,
    /// The document that says so.
    pub source: Source,
    /// How the provider's MMSC answers (`None` when its documents do not say it refuses:
    /// the rule is then checked before sending only).
    pub refusal: Option<Refusal>,
}

impl Violation {
    /// A violation of `rule` by `field`.
    pub fn new(
        severity: Severity,
        field: impl Into<String>,
        rule: impl Into<String>,
        source: Source,
    ) -> Violation {
        Violation {
            severity,
            field: field.into(),
            value: None,
            rule: rule.into(),
            source,
            refusal: None,
        }
    }

    /// An [`Error`](Severity::Error).
    pub fn error(field: impl Into<String>, rule: impl Into<String>, source: Source) -> Violation {
        Violation::new(Severity::Error, field, rule, source)
    }

    /// A [`Warning`](Severity::Warning).
    pub fn warning(field: impl Into<String>, rule: impl Into<String>, source: Source) -> Violation {
        Violation::new(Severity::Warning, field, rule, source)
    }

    /// With the offending value.
    #[must_use]
    pub fn with_value(mut self, value: impl Into<String>) -> Violation {
        self.value = Some(value.into());
        self
    }

    /// With the provider's answer.
    #[must_use]
    pub fn refused_with(mut self, refusal: Refusal) -> Violation {
        self.refusal = Some(refusal);
        self
    }

    /// With the provider's MM7 status.
    #[must_use]
    pub(crate) fn refused(self, code: StatusCode) -> Violation {
        self.refused_with(Refusal::Status(code))
    }

    /// Whether it stops the message from being sent.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.severity, self.field)?;
        if let Some(value) = &self.value {
            f.write_str(" = ")?;
            if value.chars().count() > VALUE_SHOWN {
                let shown: String = value.chars().take(VALUE_SHOWN).collect();
                write!(f, "{shown:?}…")?;
            } else {
                write!(f, "{value:?}")?;
            }
        }
        write!(f, ": {} ({}", one_line(&self.rule), self.source)?;
        if let Some(refusal) = &self.refusal {
            write!(f, "; answered with {refusal}")?;
        }
        f.write_str(")")
    }
}

/// The text with line breaks and tabs turned into spaces, so a violation stays on one line.
fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains(['\n', '\r', '\t']) {
        text.replace(['\n', '\r', '\t'], " ").into()
    } else {
        text.into()
    }
}

/// Whether any violation is an error.
pub fn has_errors(violations: &[Violation]) -> bool {
    violations.iter().any(Violation::is_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: Source = Source::new("Vibes MM7 6.8.0", "Recipients", "000");

    #[test]
    fn display_is_one_line() {
        let v = Violation::error("Recipients/Cc[0]", "no Cc\nor Bcc", SOURCE)
            .with_value("a\nb")
            .refused(StatusCode::MULTIPLE_ADDRESSES_NOT_SUPPORTED);
        assert_eq!(
            v.to_string(),
            "error: Recipients/Cc[0] = \"a\\nb\": no Cc or Bcc (Vibes MM7 6.8.0, Recipients; \
             answered with 3003 Multiple addresses not supported)"
        );
        let w = Violation::warning("HTTP body", "under 300 KB", SOURCE)
            .refused_with(Refusal::Http(http::StatusCode::PAYLOAD_TOO_LARGE));
        assert_eq!(
            w.to_string(),
            "warning: HTTP body: under 300 KB (Vibes MM7 6.8.0, Recipients; answered with \
             HTTP 413 Payload Too Large)"
        );
        let long = Violation::error("Subject", "short", SOURCE).with_value("é".repeat(100));
        let text = long.to_string();
        assert!(
            text.contains(&format!("{:?}…", "é".repeat(VALUE_SHOWN))),
            "{text}"
        );
        assert!(!text.contains('\n'));
        assert!(has_errors(&[w.clone(), long]));
        assert!(!has_errors(&[w]));
        assert_eq!(
            Refusal::Status(StatusCode::new(9999)).to_string(),
            "9999",
            "vendor codes have no name"
        );
    }
}

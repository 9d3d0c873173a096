//! MM7 status codes (TS 23.140 §8.7.4 table "Status code values") and the `Status` element.

use std::fmt;

/// An MM7 `StatusCode`: an open newtype, so vendor codes (2500, 5000, …) survive decoding
/// and re-encoding unchanged.
///
/// ```
/// use mm7_model::{StatusClass, StatusCode};
/// let code = StatusCode::parse("2007")?;
/// assert_eq!(code, StatusCode::MESSAGE_FORMAT_CORRUPT);
/// assert_eq!(code.name(), Some("Message format corrupt"));
/// assert_eq!(code.class(), StatusClass::Client);
///
/// let vendor = StatusCode::new(5000);
/// assert_eq!(vendor.name(), None);
/// assert_eq!(vendor.to_string(), "5000");
/// # Ok::<(), mm7_model::StatusCodeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StatusCode(u32);

/// The class of a status code, from its thousands digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusClass {
    /// 1xxx: the operation succeeded (fully or partly).
    Success,
    /// 2xxx: the request was wrong.
    Client,
    /// 3xxx: the server could not carry out a valid request.
    Server,
    /// 4xxx: a service-level refusal (identification, version, authorisation).
    Service,
    /// Anything else (vendor codes such as 5000).
    Other,
}

/// A `StatusCode` text that is not a non-negative integer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("status code: {reason} at byte {offset}")]
pub struct StatusCodeError {
    /// Byte offset in the text where parsing failed.
    pub offset: usize,
    /// What was wrong.
    pub reason: &'static str,
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $name:ident = $value:literal, $text:literal; )*) => {
        impl StatusCode {
            $( $(#[$doc])* pub const $name: StatusCode = StatusCode($value); )*

            /// Every code TS 23.140 names, ascending.
            pub const STANDARD: &'static [StatusCode] = &[$(StatusCode::$name),*];

            /// The TS 23.140 name of a standard code, `None` for vendor codes.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $( $value => Some($text), )*
                    _ => None,
                }
            }
        }
    };
}

codes! {
    /// 1000 Success.
    SUCCESS = 1000, "Success";
    /// 1100 Partial success: some recipients were accepted.
    PARTIAL_SUCCESS = 1100, "Partial success";
    /// 2000 Client error.
    CLIENT_ERROR = 2000, "Client error";
    /// 2001 Operation restricted.
    OPERATION_RESTRICTED = 2001, "Operation restricted";
    /// 2002 Address Error.
    ADDRESS_ERROR = 2002, "Address Error";
    /// 2003 Address Not Found.
    ADDRESS_NOT_FOUND = 2003, "Address Not Found";
    /// 2004 Multimedia content refused.
    MULTIMEDIA_CONTENT_REFUSED = 2004, "Multimedia content refused";
    /// 2005 Message ID Not found.
    MESSAGE_ID_NOT_FOUND = 2005, "Message ID Not found";
    /// 2006 LinkedID not found.
    LINKED_ID_NOT_FOUND = 2006, "LinkedID not found";
    /// 2007 Message format corrupt.
    MESSAGE_FORMAT_CORRUPT = 2007, "Message format corrupt";
    /// 2008 Application ID not found.
    APPLICATION_ID_NOT_FOUND = 2008, "Application ID not found";
    /// 2009 Reply Application ID not found.
    REPLY_APPLICATION_ID_NOT_FOUND = 2009, "Reply Application ID not found";
    /// 3000 Server Error.
    SERVER_ERROR = 3000, "Server Error";
    /// 3001 Not Possible.
    NOT_POSSIBLE = 3001, "Not Possible";
    /// 3002 Message rejected.
    MESSAGE_REJECTED = 3002, "Message rejected";
    /// 3003 Multiple addresses not supported.
    MULTIPLE_ADDRESSES_NOT_SUPPORTED = 3003, "Multiple addresses not supported";
    /// 3004 Application Addressing not supported.
    APPLICATION_ADDRESSING_NOT_SUPPORTED = 3004, "Application Addressing not supported";
    /// 4000 General service error.
    GENERAL_SERVICE_ERROR = 4000, "General service error";
    /// 4001 Improper identification.
    IMPROPER_IDENTIFICATION = 4001, "Improper identification";
    /// 4002 Unsupported version.
    UNSUPPORTED_VERSION = 4002, "Unsupported version";
    /// 4003 Unsupported Operation.
    UNSUPPORTED_OPERATION = 4003, "Unsupported Operation";
    /// 4004 Validation error.
    VALIDATION_ERROR = 4004, "Validation error";
    /// 4005 Service error.
    SERVICE_ERROR = 4005, "Service error";
    /// 4006 Service unavailable.
    SERVICE_UNAVAILABLE = 4006, "Service unavailable";
    /// 4007 Service denied.
    SERVICE_DENIED = 4007, "Service denied";
    /// 4008 Application denied.
    APPLICATION_DENIED = 4008, "Application denied";
}

impl StatusCode {
    /// Any code, standard or not.
    pub const fn new(code: u32) -> StatusCode {
        StatusCode(code)
    }

    /// The number.
    pub const fn get(self) -> u32 {
        self.0
    }

    /// Parses the text of a `StatusCode` element; surrounding XML whitespace is allowed.
    ///
    /// # Errors
    /// [`StatusCodeError`] with the offset of the first bad byte, or of the end for empty
    /// text, or of the first digit when the number does not fit in 32 bits.
    pub fn parse(text: &str) -> Result<StatusCode, StatusCodeError> {
        let start = text.len() - text.trim_start().len();
        let digits = text.trim();
        if digits.is_empty() {
            return Err(StatusCodeError {
                offset: text.len(),
                reason: "empty",
            });
        }
        let mut value: u32 = 0;
        for (i, b) in digits.bytes().enumerate() {
            if !b.is_ascii_digit() {
                return Err(StatusCodeError {
                    offset: start + i,
                    reason: "not a digit",
                });
            }
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(u32::from(b - b'0')))
                .ok_or(StatusCodeError {
                    offset: start,
                    reason: "too large",
                })?;
        }
        Ok(StatusCode(value))
    }

    /// The class from the thousands digit.
    pub fn class(self) -> StatusClass {
        match self.0 / 1000 {
            1 => StatusClass::Success,
            2 => StatusClass::Client,
            3 => StatusClass::Server,
            4 => StatusClass::Service,
            _ => StatusClass::Other,
        }
    }

    /// Whether the class is [`StatusClass::Success`].
    pub fn is_success(self) -> bool {
        self.class() == StatusClass::Success
    }

    /// Whether TS 23.140 names this code.
    pub fn is_standard(self) -> bool {
        self.name().is_some()
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl From<u32> for StatusCode {
    fn from(code: u32) -> Self {
        StatusCode(code)
    }
}

impl From<StatusCode> for u32 {
    fn from(code: StatusCode) -> Self {
        code.0
    }
}

impl std::str::FromStr for StatusCode {
    type Err = StatusCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        StatusCode::parse(s)
    }
}

/// The `Status` element of a response: `StatusCode`, `StatusText`, `Details?`.
///
/// `StatusText` is mandatory in `responseStatusType` but optional here, because the
/// extended cancel/replace responses carry a status without text and some MMSCs omit it;
/// [`crate::validate`] requires it where the schema does.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Status {
    /// `StatusCode`.
    #[cfg_attr(feature = "serde", serde(rename = "StatusCode"))]
    pub code: StatusCode,
    /// `StatusText`.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "StatusText",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub text: Option<String>,
    /// `Details` (`anyDataType`): the element's inner XML, verbatim, so that whatever a peer
    /// put there can be logged and re-encoded.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "Details", default, skip_serializing_if = "Option::is_none")
    )]
    pub details: Option<String>,
}

/// `1000 Success`: what a response says unless told otherwise.
impl Default for Status {
    fn default() -> Status {
        Status::success()
    }
}

impl Status {
    /// A status with a code and a text.
    pub fn new(code: StatusCode, text: impl Into<String>) -> Status {
        Status {
            code,
            text: Some(text.into()),
            details: None,
        }
    }

    /// A status whose text is the TS 23.140 name of the code (or `"Status <n>"` for vendor codes).
    pub fn from_code(code: StatusCode) -> Status {
        let text = code
            .name()
            .map_or_else(|| format!("Status {code}"), str::to_owned);
        Status {
            code,
            text: Some(text),
            details: None,
        }
    }

    /// `1000 Success`.
    pub fn success() -> Status {
        Status::from_code(StatusCode::SUCCESS)
    }

    /// Adds `Details`.
    pub fn with_details(mut self, details: impl Into<String>) -> Status {
        self.details = Some(details.into());
        self
    }

    /// Whether the code is of the success class.
    pub fn is_success(&self) -> bool {
        self.code.is_success()
    }
}

impl From<StatusCode> for Status {
    fn from(code: StatusCode) -> Self {
        Status::from_code(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_standard_code_has_name_and_class() {
        let expected = [
            (1000, StatusClass::Success),
            (1100, StatusClass::Success),
            (2000, StatusClass::Client),
            (2009, StatusClass::Client),
            (3000, StatusClass::Server),
            (3004, StatusClass::Server),
            (4000, StatusClass::Service),
            (4008, StatusClass::Service),
        ];
        for (n, class) in expected {
            let c = StatusCode::new(n);
            assert!(c.is_standard(), "{n}");
            assert_eq!(c.class(), class, "{n}");
        }
        assert_eq!(StatusCode::STANDARD.len(), 2 + 10 + 5 + 9);
        for (i, c) in StatusCode::STANDARD.iter().enumerate() {
            assert!(c.name().is_some_and(|n| !n.is_empty()));
            if let Some(next) = StatusCode::STANDARD.get(i + 1) {
                assert!(c < next, "ascending");
            }
        }
        assert_eq!(StatusCode::ADDRESS_ERROR.name(), Some("Address Error"));
        assert_eq!(
            StatusCode::APPLICATION_DENIED.name(),
            Some("Application denied")
        );
        assert!(StatusCode::PARTIAL_SUCCESS.is_success());
        assert!(!StatusCode::CLIENT_ERROR.is_success());
    }

    #[test]
    fn vendor_codes_survive() {
        for n in [2500, 5000, 999, 0, 10_000, u32::MAX] {
            let c = StatusCode::parse(&n.to_string()).unwrap();
            assert_eq!(c.get(), n);
            assert_eq!(c.to_string(), n.to_string());
            assert_eq!(c.name(), None);
        }
        assert_eq!(StatusCode::new(2500).class(), StatusClass::Client);
        assert_eq!(StatusCode::new(5000).class(), StatusClass::Other);
        assert_eq!(StatusCode::new(999).class(), StatusClass::Other);
    }

    #[test]
    fn parse_errors_carry_offsets() {
        assert_eq!(StatusCode::parse(" 1000\n"), Ok(StatusCode::SUCCESS));
        assert_eq!(StatusCode::parse("  10x0").unwrap_err().offset, 4);
        assert_eq!(StatusCode::parse("").unwrap_err().offset, 0);
        assert_eq!(StatusCode::parse("   ").unwrap_err().offset, 3);
        assert_eq!(StatusCode::parse("-1").unwrap_err().offset, 0);
        let big = StatusCode::parse(" 99999999999").unwrap_err();
        assert_eq!((big.offset, big.reason), (1, "too large"));
    }

    #[test]
    fn status_helpers() {
        let s = Status::from_code(StatusCode::new(4321));
        assert_eq!(s.text.as_deref(), Some("Status 4321"));
        assert_eq!(Status::success().text.as_deref(), Some("Success"));
        assert!(Status::success().is_success());
    }
}

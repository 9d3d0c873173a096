//! HTTP Basic authentication (RFC 7617), as MM7 peers use it: building the `Authorization`
//! header a client sends, reading the one a server receives, and comparing credentials in
//! constant time.
//!
//! ```
//! use mm7_transport::auth::Credentials;
//!
//! let sent = Credentials::new("vasp", "s3cret");
//! let header = sent.to_header_value();
//! assert_eq!(header.to_str().unwrap(), "Basic dmFzcDpzM2NyZXQ=");
//!
//! let received = Credentials::from_header_value(header.as_bytes())?;
//! assert_eq!(received.user(), "vasp");
//! assert!(received.matches(&sent));
//! # Ok::<(), mm7_transport::auth::AuthError>(())
//! ```

use std::fmt;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use http::HeaderValue;
use subtle::ConstantTimeEq as _;

/// A user name and password for HTTP Basic authentication.
///
/// `Debug` never shows the password, and there is deliberately no `PartialEq`: compare with
/// [`Credentials::matches`], which takes the same time wherever the inputs differ.
#[derive(Clone)]
pub struct Credentials {
    user: String,
    password: String,
}

/// An `Authorization` header value that is not usable Basic credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The scheme is not `Basic` (or the value has no credentials after it).
    #[error("the authorization scheme is not Basic")]
    NotBasic,
    /// The credentials are not valid base64.
    #[error("invalid base64 in Basic credentials at byte {offset}")]
    Base64 {
        /// Byte offset in the header value.
        offset: usize,
    },
    /// The decoded credentials have no `:` between user and password.
    #[error("Basic credentials have no ':' between user and password")]
    NoColon,
    /// The decoded credentials are not UTF-8 (RFC 7617 §2.1: the charset is UTF-8).
    #[error("Basic credentials are not UTF-8 (byte {offset} of the decoded value)")]
    NotUtf8 {
        /// Byte offset in the decoded value.
        offset: usize,
    },
}

impl Credentials {
    /// Credentials from a user name and a password.
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> Credentials {
        Credentials {
            user: user.into(),
            password: password.into(),
        }
    }

    /// The user name.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The password.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// The `Authorization` header value, `Basic <base64(user:password)>`, marked sensitive so
    /// that hyper and `http` never print it.
    pub fn to_header_value(&self) -> HeaderValue {
        let mut joined = Vec::with_capacity(self.user.len() + 1 + self.password.len());
        joined.extend_from_slice(self.user.as_bytes());
        joined.push(b':');
        joined.extend_from_slice(self.password.as_bytes());
        let mut value = String::from("Basic ");
        BASE64.encode_string(&joined, &mut value);
        // Base64 output and "Basic " are visible ASCII, always a valid header value.
        let mut header = HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static(""));
        header.set_sensitive(true);
        header
    }

    /// Reads the value of an `Authorization` header carrying Basic credentials. The scheme
    /// name is case-insensitive (RFC 7617 §2, RFC 9110 §11.1); the user name ends at the first
    /// colon (RFC 7617 §2: a user-id cannot contain one).
    ///
    /// # Errors
    /// [`AuthError`] when the scheme is another one, or the credentials cannot be decoded.
    pub fn from_header_value(value: &[u8]) -> Result<Credentials, AuthError> {
        let scheme_end = value
            .iter()
            .position(|&b| b == b' ')
            .ok_or(AuthError::NotBasic)?;
        let (scheme, rest) = value.split_at(scheme_end);
        if !scheme.eq_ignore_ascii_case(b"Basic") {
            return Err(AuthError::NotBasic);
        }
        let start = scheme_end + rest.iter().take_while(|&&b| b == b' ').count();
        let token = value.get(start..).unwrap_or_default();
        let token = token.trim_ascii_end();
        if token.is_empty() {
            return Err(AuthError::NotBasic);
        }
        let decoded =
            base64_decode(token).map_err(|at| AuthError::Base64 { offset: start + at })?;
        let colon = decoded
            .iter()
            .position(|&b| b == b':')
            .ok_or(AuthError::NoColon)?;
        let (user, password) = decoded.split_at(colon);
        let password = password.get(1..).unwrap_or_default();
        let utf8 = |bytes: &[u8], base: usize| {
            String::from_utf8(bytes.to_vec()).map_err(|e| AuthError::NotUtf8 {
                offset: base + e.utf8_error().valid_up_to(),
            })
        };
        Ok(Credentials {
            user: utf8(user, 0)?,
            password: utf8(password, colon + 1)?,
        })
    }

    /// Whether both the user name and the password equal `other`'s, compared in constant time
    /// (both are always compared, and neither comparison stops at the first difference).
    pub fn matches(&self, other: &Credentials) -> bool {
        let user = self.user.as_bytes().ct_eq(other.user.as_bytes());
        let password = self.password.as_bytes().ct_eq(other.password.as_bytes());
        // `Choice` has no short circuit: a wrong user takes as long as a wrong password.
        (user & password).into()
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Compares two byte strings in time that depends on their lengths only, never on where they
/// differ, so that a peer guessing a password learns nothing from how long a refusal takes
/// (`subtle`'s constant-time equality).
///
/// ```
/// use mm7_transport::auth::constant_time_eq;
/// assert!(constant_time_eq(b"secret", b"secret"));
/// assert!(!constant_time_eq(b"secret", b"secreT"));
/// assert!(!constant_time_eq(b"secret", b"secret2"));
/// ```
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// Standard base64 (RFC 4648 §4) as RFC 7617 uses it: padding written, optional when read
/// (some clients leave it out), stray low bits in the last symbol tolerated.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Decodes the credentials token; on error, the offset of the offending byte in `input`.
fn base64_decode(input: &[u8]) -> Result<Vec<u8>, usize> {
    BASE64.decode(input).map_err(|e| match e {
        base64::DecodeError::InvalidByte(at, _) | base64::DecodeError::InvalidLastSymbol(at, _) => {
            at
        }
        // A length no whole bytes make, or misplaced padding: the end of the data.
        base64::DecodeError::InvalidLength(_) | base64::DecodeError::InvalidPadding => {
            input.iter().position(|&b| b == b'=').unwrap_or(input.len())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for input in [&b""[..], b"f", b"fo", b"foo", b"foob", b"fooba", b"foobar"] {
            let encoded = BASE64.encode(input);
            assert_eq!(base64_decode(encoded.as_bytes()), Ok(input.to_vec()));
        }
        assert_eq!(BASE64.encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64_decode(b"Zm9vYg"), Ok(b"foob".to_vec()));
        assert_eq!(base64_decode(b"Zm9v!mFy"), Err(4));
        assert_eq!(base64_decode(b"Zm9vY"), Err(5));
    }

    #[test]
    fn reads_the_providers_headers() {
        // tests/vectors/ezitxt_submit_req.http
        let c = Credentials::from_header_value(
            b"Basic eW91ci11c2VybmFtZS1oZXJlOnlvdXItcGFzc3dvcmQtaGVyZQ==",
        )
        .unwrap();
        assert_eq!(
            (c.user(), c.password()),
            ("your-username-here", "your-password-here")
        );
        // tests/vectors/vibes_5_5_0_submit_req.http
        let c = Credentials::from_header_value(b"basic  Y2xpZW50QHZpYmVzLmNvbTpwYXNzd29yZA== ")
            .unwrap();
        assert_eq!((c.user(), c.password()), ("client@vibes.com", "password"));
    }

    #[test]
    fn refuses_what_is_not_basic() {
        let err = |v: &[u8]| Credentials::from_header_value(v).unwrap_err();
        assert_eq!(err(b"Bearer abc"), AuthError::NotBasic);
        assert_eq!(err(b"Basic"), AuthError::NotBasic);
        assert_eq!(err(b"Basic   "), AuthError::NotBasic);
        assert_eq!(err(b"Basic dm@z"), AuthError::Base64 { offset: 8 });
        assert_eq!(err(b"Basic dmFzcA=="), AuthError::NoColon);
        // "a:\xFF"
        assert_eq!(err(b"Basic YTr/"), AuthError::NotUtf8 { offset: 2 });
    }

    #[test]
    fn password_colons_belong_to_the_password() {
        let c = Credentials::new("u", "p:a:ss");
        let back = Credentials::from_header_value(c.to_header_value().as_bytes()).unwrap();
        assert_eq!(back.password(), "p:a:ss");
        assert!(back.matches(&c));
        assert!(!back.matches(&Credentials::new("u", "p:a:sS")));
        assert!(!back.matches(&Credentials::new("U", "p:a:ss")));
        assert!(!format!("{c:?}").contains("p:a:ss"));
        assert!(c.to_header_value().is_sensitive());
    }
}

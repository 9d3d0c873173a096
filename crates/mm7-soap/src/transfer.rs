//! How attachment parts are written on the wire: the `Content-Transfer-Encoding` of each
//! part, by a policy for all of them and a choice per part.
//!
//! MM7 peers usually send every part `binary` (HTTP is 8-bit clean, RFC 2387 allows it), and
//! that costs nothing. Some read the body as text and fail on the first byte that is not
//! UTF-8 (a Python gateway answered 500 on an image's 0xFF; the same message with the image
//! in base64 was taken), and some providers' documents show base64 parts: for those the
//! encoding is a choice.

use std::fmt;
use std::str::FromStr;

use mm7_mime::TransferEncoding;

/// The `Content-Transfer-Encoding` of attachment parts without a choice of their own
/// ([`EncodeOptions::part_transfer_encodings`](crate::EncodeOptions::part_transfer_encodings)).
/// The SOAP part itself is always sent as it is.
///
/// ```
/// use mm7_soap::TransferEncodingPolicy;
///
/// let policy: TransferEncodingPolicy = "quoted-printable".parse()?;
/// assert_eq!(policy, TransferEncodingPolicy::QuotedPrintable);
/// assert_eq!(policy.to_string(), "quoted-printable");
/// # Ok::<(), mm7_soap::UnknownTransferEncoding>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum TransferEncodingPolicy {
    /// Every part as it is, labelled `binary` (the default).
    #[default]
    Binary,
    /// Text parts (`text/*`) as they are, labelled `8bit`, unless a line is longer than
    /// RFC 2045's 998 bytes or the text holds a NUL or a lone CR or LF, then
    /// `quoted-printable`; other parts `base64`.
    EightBit,
    /// Every part `base64`.
    Base64,
    /// Text parts `quoted-printable`, other parts `base64`.
    QuotedPrintable,
}

impl TransferEncodingPolicy {
    /// Every policy, in the order of its names.
    pub const ALL: [TransferEncodingPolicy; 4] = [
        TransferEncodingPolicy::Binary,
        TransferEncodingPolicy::EightBit,
        TransferEncodingPolicy::Base64,
        TransferEncodingPolicy::QuotedPrintable,
    ];

    /// The name: `binary`, `8bit`, `base64` or `quoted-printable`.
    pub fn as_str(self) -> &'static str {
        match self {
            TransferEncodingPolicy::Binary => "binary",
            TransferEncodingPolicy::EightBit => "8bit",
            TransferEncodingPolicy::Base64 => "base64",
            TransferEncodingPolicy::QuotedPrintable => "quoted-printable",
        }
    }

    /// The encoding of a leaf part of media type `media_type` (lower-case, no parameters)
    /// holding `content`.
    pub fn encoding_for(self, media_type: &str, content: &[u8]) -> TransferEncoding {
        let text = media_type.starts_with("text/");
        match self {
            TransferEncodingPolicy::Binary => TransferEncoding::Binary,
            TransferEncodingPolicy::Base64 => TransferEncoding::Base64,
            TransferEncodingPolicy::QuotedPrintable if text => TransferEncoding::QuotedPrintable,
            TransferEncodingPolicy::EightBit if text && fits_8bit(content) => {
                TransferEncoding::EightBit
            }
            TransferEncodingPolicy::EightBit if text => TransferEncoding::QuotedPrintable,
            TransferEncodingPolicy::QuotedPrintable | TransferEncodingPolicy::EightBit => {
                TransferEncoding::Base64
            }
        }
    }
}

/// RFC 2045 §2.8 8bit data: lines of at most 998 bytes, CR and LF only together as CRLF, no
/// NUL.
fn fits_8bit(content: &[u8]) -> bool {
    let mut line = 0usize;
    let mut previous = 0u8;
    for (i, &b) in content.iter().enumerate() {
        match b {
            0 => return false,
            b'\r' if content.get(i + 1) != Some(&b'\n') => return false,
            b'\n' if previous != b'\r' => return false,
            b'\n' => line = 0,
            b'\r' => {}
            _ => {
                line += 1;
                if line > 998 {
                    return false;
                }
            }
        }
        previous = b;
    }
    true
}

impl fmt::Display for TransferEncodingPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not one of the [`TransferEncodingPolicy`] names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown transfer encoding {0:?}: use binary, 8bit, base64 or quoted-printable")]
pub struct UnknownTransferEncoding(pub String);

impl FromStr for TransferEncodingPolicy {
    type Err = UnknownTransferEncoding;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = s.trim();
        TransferEncodingPolicy::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(name))
            .ok_or_else(|| UnknownTransferEncoding(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for policy in TransferEncodingPolicy::ALL {
            assert_eq!(policy.as_str().parse(), Ok(policy));
        }
        assert_eq!("BASE64".parse(), Ok(TransferEncodingPolicy::Base64));
        assert!("7bit".parse::<TransferEncodingPolicy>().is_err());
    }

    #[test]
    fn text_and_other_parts() {
        use TransferEncoding as T;
        use TransferEncodingPolicy as P;
        let gif = b"GIF89a\xff\x00";
        let text = "Grüße\r\nline two".as_bytes();
        let cases = [
            (P::Binary, "image/gif", &gif[..], T::Binary),
            (P::Binary, "text/plain", text, T::Binary),
            (P::Base64, "text/plain", text, T::Base64),
            (P::QuotedPrintable, "text/plain", text, T::QuotedPrintable),
            (P::QuotedPrintable, "image/gif", &gif[..], T::Base64),
            (P::EightBit, "text/plain", text, T::EightBit),
            (P::EightBit, "image/gif", &gif[..], T::Base64),
            (P::EightBit, "text/plain", b"bare\nLF", T::QuotedPrintable),
            (P::EightBit, "text/plain", b"NUL\0", T::QuotedPrintable),
        ];
        for (policy, media, content, expected) in cases {
            assert_eq!(
                policy.encoding_for(media, content),
                expected,
                "{policy} {media}"
            );
        }
        let long = vec![b'x'; 999];
        assert_eq!(
            P::EightBit.encoding_for("text/plain", &long),
            T::QuotedPrintable
        );
        assert_eq!(
            P::EightBit.encoding_for("text/plain", &long[..998]),
            T::EightBit
        );
    }
}

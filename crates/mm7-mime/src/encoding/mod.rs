//! Content-Transfer-Encoding (RFC 2045 §6): the typed header value and the
//! base64 and quoted-printable codecs.

mod base64;
mod qp;

use std::fmt;

use bytes::Bytes;

pub use self::base64::{Base64Report, decode_base64, decode_base64_checked, encode_base64};
pub use self::qp::{decode_quoted_printable, encode_quoted_printable};
use crate::error::{Error, ErrorKind};

/// A Content-Transfer-Encoding value.
///
/// ```
/// use bytes::Bytes;
/// use mm7_mime::TransferEncoding;
///
/// let te = TransferEncoding::parse(" BASE64 ");
/// assert_eq!(te, TransferEncoding::Base64);
/// assert_eq!(te.decode(&Bytes::from_static(b"R0lG\r\nODdh\r\n"))?, &b"GIF87a"[..]);
///
/// let raw = Bytes::from_static(b"\x00\x01binary");
/// let same = TransferEncoding::Binary.decode(&raw)?;
/// assert_eq!(same.as_ptr(), raw.as_ptr()); // identity encodings do not copy
/// # Ok::<(), mm7_mime::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum TransferEncoding {
    /// `7bit`, the default when the header is absent.
    #[default]
    SevenBit,
    /// `8bit`.
    EightBit,
    /// `binary`.
    Binary,
    /// `quoted-printable`.
    QuotedPrintable,
    /// `base64`.
    Base64,
    /// Anything else, lower-cased (e.g. `x-uuencode`); cannot be decoded.
    Other(String),
}

impl TransferEncoding {
    /// Reads a header value; names are case-insensitive (`BASE64` occurs).
    pub fn parse(value: &str) -> Self {
        let value = value.trim();
        let known = [
            ("7bit", Self::SevenBit),
            ("8bit", Self::EightBit),
            ("binary", Self::Binary),
            ("quoted-printable", Self::QuotedPrintable),
            ("base64", Self::Base64),
        ];
        known
            .into_iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(value))
            .map_or_else(|| Self::Other(value.to_ascii_lowercase()), |(_, te)| te)
    }

    /// One of the five names, in any case, as the bytes of a header value (white space
    /// around it ignored); `None` for anything else, which [`parse`](Self::parse) reads.
    pub(crate) fn known_name(value: &[u8]) -> Option<Self> {
        let value = value.trim_ascii();
        let (name, encoding) = match value.len() {
            4 if value[0] == b'7' => ("7bit", Self::SevenBit),
            4 => ("8bit", Self::EightBit),
            6 if value[1].eq_ignore_ascii_case(&b'i') => ("binary", Self::Binary),
            6 => ("base64", Self::Base64),
            16 => ("quoted-printable", Self::QuotedPrintable),
            _ => return None,
        };
        value
            .eq_ignore_ascii_case(name.as_bytes())
            .then_some(encoding)
    }

    /// The canonical (lower-case) name.
    pub fn as_str(&self) -> &str {
        match self {
            Self::SevenBit => "7bit",
            Self::EightBit => "8bit",
            Self::Binary => "binary",
            Self::QuotedPrintable => "quoted-printable",
            Self::Base64 => "base64",
            Self::Other(name) => name,
        }
    }

    /// Whether the body is the content as is (7bit, 8bit, binary).
    pub fn is_identity(&self) -> bool {
        matches!(self, Self::SevenBit | Self::EightBit | Self::Binary)
    }

    /// Decodes a body. Identity encodings return the same bytes without a
    /// copy; base64 and quoted-printable allocate once.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnsupportedTransferEncoding`] for [`TransferEncoding::Other`]
    /// (offset 0: the start of `body`).
    pub fn decode(&self, body: &Bytes) -> Result<Bytes, Error> {
        match self {
            Self::SevenBit | Self::EightBit | Self::Binary => Ok(body.clone()),
            Self::Base64 => Ok(Bytes::from(decode_base64(body))),
            Self::QuotedPrintable => Ok(Bytes::from(decode_quoted_printable(body))),
            Self::Other(name) => Err(Error::new(
                ErrorKind::UnsupportedTransferEncoding(name.clone()),
                0,
            )),
        }
    }

    /// Encodes content for the wire. Identity encodings return the same bytes
    /// without a copy (the caller vouches that 7bit/8bit content fits them).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnsupportedTransferEncoding`] for [`TransferEncoding::Other`].
    pub fn encode(&self, content: &Bytes) -> Result<Bytes, Error> {
        match self {
            Self::SevenBit | Self::EightBit | Self::Binary => Ok(content.clone()),
            Self::Base64 => Ok(Bytes::from(encode_base64(content))),
            Self::QuotedPrintable => Ok(Bytes::from(encode_quoted_printable(content))),
            Self::Other(name) => Err(Error::new(
                ErrorKind::UnsupportedTransferEncoding(name.clone()),
                0,
            )),
        }
    }
}

impl fmt::Display for TransferEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_name_reads_as_parse_reads_it() {
        let values = [
            "7bit",
            "8BIT",
            " Binary ",
            "BASE64",
            "base64\r\n",
            "quoted-printable",
            "Quoted-Printable",
            "\t7bit",
            "9bit",
            "binarx",
            "base65",
            "bInArY",
            "quoted_printable",
            "x-uuencode",
            "",
            "  ",
            "bit7",
            "7bi",
            "binary base64",
        ];
        for value in values {
            let known = TransferEncoding::known_name(value.as_bytes());
            let parsed = TransferEncoding::parse(value);
            match known {
                Some(known) => assert_eq!(known, parsed, "{value:?}"),
                None => assert!(
                    matches!(parsed, TransferEncoding::Other(_)),
                    "{value:?} is {parsed:?}"
                ),
            }
        }
    }

    #[test]
    fn names_are_case_insensitive_and_unknown_kept() {
        assert_eq!(
            TransferEncoding::parse("Quoted-Printable"),
            TransferEncoding::QuotedPrintable
        );
        assert_eq!(TransferEncoding::parse("8BIT"), TransferEncoding::EightBit);
        assert_eq!(
            TransferEncoding::parse("X-UUEncode"),
            TransferEncoding::Other("x-uuencode".into())
        );
        let err = TransferEncoding::parse("x-uuencode")
            .decode(&Bytes::new())
            .unwrap_err();
        assert_eq!(
            err.kind(),
            &ErrorKind::UnsupportedTransferEncoding("x-uuencode".into())
        );
    }
}

//! Standard base64 (RFC 4648 §4) for the JSON view of binary parts, through the `base64`
//! crate; this module only adds the whitespace skipping and the error offset the view reports.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Standard alphabet; padding written, optional when read; stray low bits accepted (a
/// hand-written view may end in a symbol whose unused bits are set).
const ENGINE: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Encodes with `=` padding.
pub(crate) fn encode(data: &[u8]) -> String {
    ENGINE.encode(data)
}

/// Decodes, skipping ASCII whitespace; padding is optional but nothing may follow it.
/// The error is the byte offset in `text` of the first offending character.
pub(crate) fn decode(text: &str) -> Result<Vec<u8>, usize> {
    // The symbols without whitespace, and where each one was in `text`.
    let (symbols, at): (Vec<u8>, Vec<usize>) = text
        .bytes()
        .enumerate()
        .filter(|(_, c)| !c.is_ascii_whitespace())
        .map(|(i, c)| (c, i))
        .unzip();
    let position = |index: usize| at.get(index).copied().unwrap_or(text.len());
    ENGINE.decode(&symbols).map_err(|e| match e {
        base64::DecodeError::InvalidByte(index, _)
        | base64::DecodeError::InvalidLastSymbol(index, _) => position(index),
        // A length no whole bytes make, or padding where it cannot be: point at the end of
        // the data, where the first `=` (if any) is.
        base64::DecodeError::InvalidLength(_) | base64::DecodeError::InvalidPadding => position(
            symbols
                .iter()
                .position(|&c| c == b'=')
                .unwrap_or(symbols.len()),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4648_vectors() {
        let vectors = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, coded) in vectors {
            assert_eq!(encode(plain.as_bytes()), coded);
            assert_eq!(decode(coded).unwrap(), plain.as_bytes());
        }
        assert_eq!(decode("Zm9v\r\nYg").unwrap(), b"foob");
        assert_eq!(decode("Zm9v!"), Err(4));
        // Offsets count the skipped whitespace.
        assert_eq!(decode("Zm9v\r\n!"), Err(6));
        assert!(decode("Zg==Zg").is_err());
        assert_eq!(decode("Z"), Err(1));
    }

    #[test]
    fn all_bytes_round_trip() {
        let data: Vec<u8> = (0..=255).collect();
        for n in 0..data.len() {
            assert_eq!(decode(&encode(&data[..n])).unwrap(), &data[..n]);
        }
    }
}

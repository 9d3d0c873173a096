//! Quoted-printable (RFC 2045 §6.7).

use crate::header::is_wsp;
use crate::params::hex_value;

/// Longest encoded line, the soft-break `=` included (RFC 2045 §6.7 rule 5).
const MAX_LINE: usize = 76;

/// Decodes quoted-printable. Hard line breaks are kept as written (CRLF or
/// LF); soft breaks (`=` at the end of a line) are removed; whitespace at the
/// end of a line is transport padding and is dropped (rule 3). An `=` not
/// followed by two hex digits is kept literally, as §6.7 recommends; lower-case
/// hex digits are accepted.
///
/// ```
/// let decoded = mm7_mime::encoding::decode_quoted_printable(b"caf=C3=A9 =\r\nau lait  \r\n=3D");
/// assert_eq!(decoded, "café au lait\r\n=".as_bytes());
/// ```
pub fn decode_quoted_printable(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut rest = input;
    loop {
        let (line, line_break, next) = match memchr::memchr(b'\n', rest) {
            Some(i) => {
                let line = &rest[..i];
                match line.strip_suffix(b"\r") {
                    Some(line) => (line, &b"\r\n"[..], Some(&rest[i + 1..])),
                    None => (line, &b"\n"[..], Some(&rest[i + 1..])),
                }
            }
            None => (rest, &b""[..], None),
        };
        let keep = line.iter().rposition(|&b| !is_wsp(b)).map_or(0, |i| i + 1);
        let line = &line[..keep];
        match line.strip_suffix(b"=") {
            Some(soft) => decode_segment(soft, &mut out),
            None => {
                decode_segment(line, &mut out);
                out.extend_from_slice(line_break);
            }
        }
        match next {
            Some(next) => rest = next,
            None => break,
        }
    }
    out
}

fn decode_segment(mut segment: &[u8], out: &mut Vec<u8>) {
    while let Some(i) = memchr::memchr(b'=', segment) {
        out.extend_from_slice(&segment[..i]);
        let hex = (
            segment.get(i + 1).and_then(|&c| hex_value(c)),
            segment.get(i + 2).and_then(|&c| hex_value(c)),
        );
        if let (Some(high), Some(low)) = hex {
            out.push(high << 4 | low);
            segment = &segment[i + 3..];
        } else {
            out.push(b'=');
            segment = &segment[i + 1..];
        }
    }
    out.extend_from_slice(segment);
}

/// Encodes as quoted-printable that [`decode_quoted_printable`] turns back
/// into exactly `input`: CRLF stays a hard line break, a lone CR or LF is
/// escaped, whitespace before a line end is escaped, and lines are kept
/// within 76 characters by soft breaks.
///
/// ```
/// use mm7_mime::encoding::{decode_quoted_printable, encode_quoted_printable};
/// let text = "naïve = \r\nline\nend ".as_bytes();
/// let encoded = encode_quoted_printable(text);
/// assert_eq!(encoded, b"na=C3=AFve =3D=20\r\nline=0Aend=20");
/// assert_eq!(decode_quoted_printable(&encoded), text);
/// ```
pub fn encode_quoted_printable(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() + input.len() / 8 + 8);
    let mut line_len = 0;
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        if b == b'\r' && input.get(i + 1) == Some(&b'\n') {
            out.extend_from_slice(b"\r\n");
            line_len = 0;
            i += 2;
            continue;
        }
        let at_line_end = match input.get(i + 1..i + 3) {
            Some(b"\r\n") => true,
            _ => i + 1 == input.len(),
        };
        let literal = match b {
            b'=' => false,
            b' ' | b'\t' => !at_line_end,
            33..=126 => true,
            _ => false,
        };
        let width = if literal { 1 } else { 3 };
        // Leave room for the soft-break `=` unless this is the last character
        // of the line.
        let room = if at_line_end { MAX_LINE } else { MAX_LINE - 1 };
        if line_len + width > room {
            out.extend_from_slice(b"=\r\n");
            line_len = 0;
        }
        if literal {
            out.push(b);
        } else {
            out.extend_from_slice(&[b'=', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
        }
        line_len += width;
        i += 1;
    }
    out
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lf_only_hard_breaks_are_kept() {
        assert_eq!(decode_quoted_printable(b"a=\nb\nc"), b"ab\nc");
    }

    #[test]
    fn invalid_escapes_stay_literal() {
        assert_eq!(decode_quoted_printable(b"=4=G1=\t\r\nx=3d"), b"=4=G1x=");
    }

    #[test]
    fn long_lines_get_soft_breaks_within_76() {
        let input = vec![b'a'; 300];
        let encoded = encode_quoted_printable(&input);
        for line in encoded.split(|&b| b == b'\n') {
            assert!(line.len() <= 77, "{} > 76 + CR", line.len());
        }
        assert_eq!(decode_quoted_printable(&encoded), input);
    }

    #[test]
    fn every_byte_round_trips() {
        let input: Vec<u8> = (0..=255u8).cycle().take(2000).collect();
        assert_eq!(
            decode_quoted_printable(&encode_quoted_printable(&input)),
            input
        );
        let spaces = b"  \r\n\t\t\r\n \n ".to_vec();
        assert_eq!(
            decode_quoted_printable(&encode_quoted_printable(&spaces)),
            spaces
        );
    }
}

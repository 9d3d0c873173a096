//! Base64 for MIME bodies (RFC 2045 §6.8).
//!
//! Decoding does one allocation of the decoded size. The fast path strips
//! line breaks into a stack buffer and hands whole blocks to `base64-simd`;
//! any other character outside the alphabet sends the body to a scalar
//! fallback that ignores such characters, as §6.8 asks (a provider document's
//! example body has a literal `...` line inside base64).

use base64_simd::{AsOut, STANDARD};

const INVALID: u8 = 0xFF;
const PAD: u8 = 0xFE;

/// Sextet value of each byte, or [`INVALID`] / [`PAD`].
static TABLE: [u8; 256] = {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 64 {
        table[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    table[b'=' as usize] = PAD;
    table
};

/// Characters per block handed to the SIMD decoder (a multiple of 4).
const BLOCK: usize = 4096;

/// Input bytes per encoded line: 57 bytes make the 76 characters RFC 2045 allows.
const LINE_INPUT: usize = 57;

/// Decodes a base64 body, tolerating line breaks, whitespace and any other
/// character outside the alphabet (ignored, RFC 2045 §6.8). Missing padding
/// is accepted; `=` ends a quantum and decoding continues after it; a single
/// dangling character, which carries no whole byte, is dropped.
///
/// ```
/// let body = b"R0lGODdh\r\nZAAw\r\n...\r\nAOMA\r\n";
/// assert_eq!(&mm7_mime::encoding::decode_base64(body)[..6], b"GIF87a");
/// ```
pub fn decode_base64(input: &[u8]) -> Vec<u8> {
    decode_base64_checked(input).0
}

/// What a base64 body held besides its alphabet, its final padding and line breaks, as
/// [`decode_base64_checked`] found it.
///
/// RFC 2045 §6.8 has a decoder ignore characters outside the alphabet, and adds that they
/// "may indicate a transmission error, about which a warning message or even a message
/// rejection might be appropriate". Real encoders insert spaces and leave out the final `=`;
/// anything else (a `...` line, a byte of another encoding, data after the final padding, a
/// lone trailing character) means the content is not what was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Base64Report {
    /// Spaces and tabs skipped.
    pub stray_whitespace: usize,
    /// The last quantum lacks its `=` padding.
    pub missing_padding: bool,
    /// Byte offset in the body of the first byte that is neither alphabet, padding nor white
    /// space, of alphabet after the final padding, or of a lone last character (which carries
    /// no whole byte).
    pub invalid_at: Option<usize>,
}

impl Base64Report {
    /// No stray white space, padding complete, nothing invalid.
    pub fn is_clean(&self) -> bool {
        *self == Base64Report::default()
    }
}

/// As [`decode_base64`] (the same bytes, as leniently), and a [`Base64Report`] of what was
/// skipped. The report costs nothing on the usual body (alphabet in lines); a body the fast
/// path refuses is scanned once more.
///
/// ```
/// use mm7_mime::encoding::decode_base64_checked;
/// let (data, report) = decode_base64_checked(b"QUJD REU");
/// assert_eq!(data, b"ABCDE");
/// assert_eq!((report.stray_whitespace, report.missing_padding), (1, true));
/// assert_eq!(decode_base64_checked(b"QUJD\r\n...\r\n").1.invalid_at, Some(6));
/// ```
pub fn decode_base64_checked(input: &[u8]) -> (Vec<u8>, Base64Report) {
    let core_len = input
        .iter()
        .rposition(|&b| !matches!(b, b'=' | b' ' | b'\t' | b'\r' | b'\n'))
        .map_or(0, |i| i + 1);
    let core = input.get(..core_len).unwrap_or_default();
    // The symbol counts below are exact when the body is alphabet plus line
    // breaks (the fast paths) and an upper bound otherwise, since every other
    // character decodes to nothing: one allocation either way.
    let (mut out, decoded, symbols) = match Layout::of(core) {
        Some(layout) => {
            let mut out = vec![0u8; decoded_len(layout.symbols)];
            let decoded = decode_regular(core, &layout, &mut out);
            (out, decoded, layout.symbols)
        }
        None => {
            let symbols = core_len - count_line_breaks(core);
            let mut out = vec![0u8; decoded_len(symbols)];
            let decoded = decode_segments(core, &mut out);
            (out, decoded, symbols)
        }
    };
    if !decoded {
        let written = decode_lenient(input, &mut out);
        out.truncate(written);
        return (out, scan(input));
    }
    // The fast paths took only alphabet and line breaks up to `core_len`: what is left to
    // judge is the tail of padding and white space, and the count of symbols.
    let tail = input.get(core_len..).unwrap_or_default();
    let mut report = Base64Report {
        stray_whitespace: tail.iter().filter(|&&b| matches!(b, b' ' | b'\t')).count(),
        ..Base64Report::default()
    };
    match symbols % 4 {
        1 => report.invalid_at = Some(core_len - 1),
        2 | 3 => report.missing_padding = !tail.contains(&b'='),
        _ => {}
    }
    (out, report)
}

/// Judges a body byte by byte (see [`Base64Report`]).
fn scan(input: &[u8]) -> Base64Report {
    let mut report = Base64Report::default();
    let mut symbols = 0usize;
    let mut last_symbol = 0;
    let mut padded = false;
    for (i, &c) in input.iter().enumerate() {
        match (TABLE[usize::from(c)], c) {
            (PAD, _) => padded = true,
            (INVALID, b' ' | b'\t') => report.stray_whitespace += 1,
            (INVALID, b'\r' | b'\n') => {}
            (INVALID, _) => {
                report.invalid_at = Some(i);
                return report;
            }
            _ if padded => {
                report.invalid_at = Some(i);
                return report;
            }
            _ => {
                symbols += 1;
                last_symbol = i;
            }
        }
    }
    match symbols % 4 {
        1 => report.invalid_at = Some(last_symbol),
        2 | 3 => report.missing_padding = !padded,
        _ => {}
    }
    report
}

fn decoded_len(symbols: usize) -> usize {
    symbols / 4 * 3 + [0, 0, 1, 2][symbols % 4]
}

fn count_line_breaks(data: &[u8]) -> usize {
    // Byte-wide counters over short chunks let the loop vectorise.
    data.chunks(127)
        .map(|chunk| {
            let n = chunk
                .iter()
                .fold(0u8, |n, &b| n + u8::from(b == b'\r') + u8::from(b == b'\n'));
            usize::from(n)
        })
        .sum()
}

/// Lines of one length, each ended by the same line break, the last one
/// possibly shorter: what every encoder writes.
struct Layout {
    /// Characters per line (the whole body when there is no line break).
    line: usize,
    /// Line and line break.
    stride: usize,
    /// Characters that are not line breaks.
    symbols: usize,
}

impl Layout {
    /// Checks the layout at the expected line-break positions only; any other
    /// character out of place is caught by the decoder, which then fails.
    fn of(core: &[u8]) -> Option<Layout> {
        let Some(first) = memchr::memchr(b'\n', core) else {
            return Some(Layout {
                line: core.len(),
                stride: core.len(),
                symbols: core.len(),
            });
        };
        let crlf = first > 0 && core.get(first - 1) == Some(&b'\r');
        let eol_len = if crlf { 2 } else { 1 };
        let line = first + 1 - eol_len;
        if line == 0 || line > BLOCK / 4 {
            return None;
        }
        let stride = line + eol_len;
        let mut lines = core.chunks_exact(stride);
        let regular = if crlf {
            lines.all(|chunk| chunk.last_chunk::<2>() == Some(b"\r\n"))
        } else {
            lines.all(|chunk| chunk.last() == Some(&b'\n'))
        };
        if !regular {
            return None;
        }
        let last = lines.remainder();
        if last.len() > line || memchr::memchr2(b'\r', b'\n', last).is_some() {
            return None;
        }
        let breaks = core.len() / stride;
        Some(Layout {
            line,
            stride,
            symbols: core.len() - breaks * eol_len,
        })
    }
}

fn decode_regular(core: &[u8], layout: &Layout, out: &mut [u8]) -> bool {
    if layout.line == core.len() {
        // One line: straight from the input, nothing to strip.
        return finish(core, out, 0);
    }
    // Constant line lengths let the per-line copy compile to a few moves.
    match layout.line {
        76 => decode_lines(core, 76, layout.stride, out),
        64 => decode_lines(core, 64, layout.stride, out),
        72 => decode_lines(core, 72, layout.stride, out),
        line => decode_lines(core, line, layout.stride, out),
    }
}

/// Gathers whole lines into a stack block whose length is a multiple of 4
/// and decodes it with `base64-simd`.
#[inline(always)]
fn decode_lines(core: &[u8], line: usize, stride: usize, out: &mut [u8]) -> bool {
    // A multiple of 4 lines holds whole quanta whatever the line length.
    let block_len = (BLOCK / line) / 4 * 4 * line;
    let mut block = [0u8; BLOCK];
    let mut fill = 0;
    let mut written = 0;
    let mut lines = core.chunks_exact(stride);
    for chunk in &mut lines {
        let (Some(src), Some(dst)) = (chunk.get(..line), block.get_mut(fill..fill + line)) else {
            return false;
        };
        dst.copy_from_slice(src);
        fill += line;
        if fill == block_len {
            if !decode_block(&block[..fill], out, &mut written) {
                return false;
            }
            fill = 0;
        }
    }
    let last = lines.remainder();
    let Some(dst) = block.get_mut(fill..fill + last.len()) else {
        return false;
    };
    dst.copy_from_slice(last);
    finish(&block[..fill + last.len()], out, written)
}

/// Any layout of alphabet characters and line breaks: strips the breaks
/// into a stack block segment by segment.
fn decode_segments(core: &[u8], out: &mut [u8]) -> bool {
    let mut block = [0u8; BLOCK];
    let mut fill = 0;
    let mut written = 0;
    let mut rest = core;
    while !rest.is_empty() {
        let (mut segment, next) = match memchr::memchr2(b'\r', b'\n', rest) {
            Some(i) => {
                let skip = if rest.get(i..i + 2) == Some(b"\r\n") {
                    2
                } else {
                    1
                };
                (&rest[..i], rest.get(i + skip..).unwrap_or_default())
            }
            None => (rest, &[][..]),
        };
        while !segment.is_empty() {
            let n = (BLOCK - fill).min(segment.len());
            block[fill..fill + n].copy_from_slice(&segment[..n]);
            fill += n;
            segment = &segment[n..];
            if fill == BLOCK {
                if !decode_block(&block, out, &mut written) {
                    return false;
                }
                fill = 0;
            }
        }
        rest = next;
    }
    finish(&block[..fill], out, written)
}

/// Decodes the last characters (any count) into `out[written..]` and checks
/// that `out` is then exactly full.
fn finish(rest: &[u8], out: &mut [u8], mut written: usize) -> bool {
    let tail_len = rest.len() % 4;
    let (full, tail) = rest.split_at(rest.len() - tail_len);
    if !full.is_empty() && !decode_block(full, out, &mut written) {
        return false;
    }
    let mut acc = 0u32;
    for &c in tail {
        let v = TABLE[usize::from(c)];
        if v >= 64 {
            return false;
        }
        acc = acc << 6 | u32::from(v);
    }
    let (bytes, len) = match tail.len() {
        2 => ([(acc >> 4) as u8, 0], 1),
        3 => ([(acc >> 10) as u8, (acc >> 2) as u8], 2),
        _ => ([0, 0], 0),
    };
    let Some(dst) = out.get_mut(written..written + len) else {
        return false;
    };
    dst.copy_from_slice(&bytes[..len]);
    written + len == out.len()
}

/// Decodes whole quanta (no padding) with `base64-simd` into `out[written..]`.
fn decode_block(src: &[u8], out: &mut [u8], written: &mut usize) -> bool {
    let n = src.len() / 4 * 3;
    let Some(dst) = out.get_mut(*written..*written + n) else {
        return false;
    };
    match STANDARD.decode(src, dst.as_out()) {
        Ok(decoded) if decoded.len() == n => {
            *written += n;
            true
        }
        _ => false,
    }
}

/// The slow, correct decoder: skips every character outside the alphabet.
/// Writes at most `out.len()` bytes and returns how many it wrote.
fn decode_lenient(input: &[u8], out: &mut [u8]) -> usize {
    let mut written = 0;
    let mut put = |byte: u32| {
        if let Some(slot) = out.get_mut(written) {
            *slot = byte as u8;
            written += 1;
        }
    };
    let mut acc = 0u32;
    let mut count = 0;
    for &c in input {
        match TABLE[usize::from(c)] {
            PAD => {
                flush(acc, count, &mut put);
                acc = 0;
                count = 0;
            }
            INVALID => {}
            v => {
                acc = acc << 6 | u32::from(v);
                count += 1;
                if count == 4 {
                    put(acc >> 16);
                    put(acc >> 8);
                    put(acc);
                    acc = 0;
                    count = 0;
                }
            }
        }
    }
    flush(acc, count, &mut put);
    written
}

/// Emits the bytes of an incomplete quantum of `count` sextets.
fn flush(acc: u32, count: usize, put: &mut impl FnMut(u32)) {
    match count {
        2 => put(acc >> 4),
        3 => {
            put(acc >> 10);
            put(acc >> 2);
        }
        _ => {}
    }
}

/// Encodes as base64 in lines of 76 characters, each ended by CRLF
/// (RFC 2045 §6.8), with one allocation of the exact output size.
///
/// ```
/// use mm7_mime::encoding::{decode_base64, encode_base64};
/// let data: Vec<u8> = (0..=255).collect();
/// let encoded = encode_base64(&data);
/// assert!(encoded.split(|&b| b == b'\n').all(|line| line.len() <= 77));
/// assert_eq!(decode_base64(&encoded), data);
/// ```
pub fn encode_base64(input: &[u8]) -> Vec<u8> {
    let lines = input.len().div_ceil(LINE_INPUT);
    let mut out = vec![0u8; STANDARD.encoded_length(input.len()) + 2 * lines];
    let mut at = 0;
    for line in input.chunks(LINE_INPUT) {
        let len = STANDARD.encoded_length(line.len());
        if let Some(dst) = out.get_mut(at..at + len) {
            let _encoded = STANDARD.encode(line, dst.as_out());
        }
        if let Some(crlf) = out.get_mut(at + len..at + len + 2) {
            crlf.copy_from_slice(b"\r\n");
        }
        at += len + 2;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(data: &[u8]) -> Vec<u8> {
        STANDARD.decode_to_vec(data).unwrap()
    }

    #[test]
    fn fast_path_matches_reference_across_block_edges() {
        let data: Vec<u8> = (0..20_000u32).map(|i| (i * 7 + i / 13) as u8).collect();
        let plain = STANDARD.encode_to_string(&data);
        assert_eq!(reference(plain.as_bytes()), data);
        for line in [4, 64, 76, 77, 4095, 4097] {
            let mut wrapped = Vec::new();
            for chunk in plain.as_bytes().chunks(line) {
                wrapped.extend_from_slice(chunk);
                wrapped.extend_from_slice(if line % 2 == 0 { b"\r\n" } else { b"\n" });
            }
            assert_eq!(decode_base64(&wrapped), data, "line length {line}");
        }
    }

    #[test]
    fn every_layout_decodes_the_same() {
        let data: Vec<u8> = (0..3000u32).map(|i| (i * 31 % 251) as u8).collect();
        let plain = STANDARD.encode_to_string(&data);
        let plain = plain.as_bytes();
        // One line, no break at all.
        assert_eq!(decode_base64(plain), data);
        // Irregular line lengths, mixed line ends.
        let mut irregular = Vec::new();
        for (i, chunk) in plain.chunks(50).enumerate() {
            let (a, b) = chunk.split_at(chunk.len().min(10 + i % 30));
            irregular.extend_from_slice(a);
            irregular.extend_from_slice(if i % 3 == 0 { b"\n" } else { b"\r\n" });
            irregular.extend_from_slice(b);
            irregular.extend_from_slice(b"\r\n");
        }
        assert!(Layout::of(&irregular).is_none());
        assert_eq!(decode_base64(&irregular), data);
        // Regular lines, then a last line longer than the others.
        let mut longer_last = Vec::new();
        let (head, tail) = plain.split_at(plain.len() - 100);
        for chunk in head.chunks(76) {
            longer_last.extend_from_slice(chunk);
            longer_last.extend_from_slice(b"\r\n");
        }
        longer_last.extend_from_slice(tail);
        assert_eq!(decode_base64(&longer_last), data);
        // Regular lines with a space inside one: the lenient decoder takes over.
        let mut spaced = encode_base64(&data);
        spaced[200] = b' ';
        let mut expected = spaced.clone();
        expected.remove(200);
        assert_eq!(decode_base64(&spaced), decode_base64(&expected));
    }

    #[test]
    fn regular_layout_is_detected() {
        let layout = Layout::of(b"QUJD\r\nREVG\r\nR0g").unwrap();
        assert_eq!((layout.line, layout.stride, layout.symbols), (4, 6, 11));
        assert!(Layout::of(b"QUJD\nREVGR0hJ\n").is_none());
        assert!(Layout::of(b"\nQUJD").is_none());
    }

    #[test]
    fn non_alphabet_characters_are_ignored() {
        assert_eq!(decode_base64(b"QUJD\r\n...\r\nREVG\r\n"), b"ABCDEF");
        assert_eq!(decode_base64(b" QU JD\tRA == "), b"ABCD");
    }

    #[test]
    fn reports_judge_what_was_skipped() {
        let data: Vec<u8> = (0..3000u32).map(|i| (i * 31 % 251) as u8).collect();
        let clean = encode_base64(&data);
        let check = |body: &[u8]| decode_base64_checked(body).1;
        assert!(check(&clean).is_clean());
        assert!(check(b"").is_clean());
        assert!(check(b"QUJD\nREVG\nRw==\n").is_clean());
        // Stray spaces (fast path tail, and inside the body).
        assert_eq!(check(b"QUJD \r\n").stray_whitespace, 1);
        let mut spaced = clean.clone();
        spaced[200] = b' ';
        let report = check(&spaced);
        assert_eq!((report.stray_whitespace, report.invalid_at), (1, None));
        // Missing final padding, on both paths.
        assert!(check(b"QUJDRA").missing_padding);
        assert!(check(b"QU JDRA").missing_padding);
        assert!(!check(b"QUJDRA==").missing_padding);
        // Anything else is invalid, with its offset.
        assert_eq!(check(b"QUJD\r\n...\r\nREVG\r\n").invalid_at, Some(6));
        assert_eq!(check(b"QUJD\xE9REVG").invalid_at, Some(4));
        assert_eq!(check(b"QQ==QkM=").invalid_at, Some(4));
        assert_eq!(check(b"QUJDR").invalid_at, Some(4));
        assert_eq!(check(b"QU JDR").invalid_at, Some(5));
        // The bytes are those of the lenient decoder.
        assert_eq!(decode_base64_checked(&spaced).0, decode_base64(&spaced));
    }

    #[test]
    fn padding_mid_stream_ends_a_quantum() {
        assert_eq!(decode_base64(b"QQ==QkM="), b"ABC");
    }

    #[test]
    fn missing_padding_and_dangling_character() {
        assert_eq!(decode_base64(b"QUJDRA"), b"ABCD");
        assert_eq!(decode_base64(b"QUJDR"), b"ABC");
        assert_eq!(decode_base64(b""), b"");
        assert_eq!(decode_base64(b"\r\n==\r\n"), b"");
    }

    #[test]
    fn encode_line_lengths() {
        let encoded = encode_base64(&[0u8; 58]);
        assert_eq!(encoded.len(), 76 + 2 + 4 + 2);
        assert_eq!(&encoded[76..78], b"\r\n");
        assert!(encode_base64(b"").is_empty());
    }
}

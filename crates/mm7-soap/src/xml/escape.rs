//! XML character escaping and entity decoding.

use std::borrow::Cow;

/// Decodes the five predefined entities and character references in `raw`.
///
/// Borrows when there is nothing to decode (the common case in MM7 traffic). On a bad
/// reference, returns the reference text (up to 16 bytes) and its byte offset within `raw`.
pub fn unescape(raw: &str) -> Result<Cow<'_, str>, (String, usize)> {
    let Some(first) = memchr::memchr(b'&', raw.as_bytes()) else {
        return Ok(Cow::Borrowed(raw));
    };
    let mut out = String::with_capacity(raw.len());
    out.push_str(&raw[..first]);
    let mut rest = &raw[first..];
    let mut consumed = first;
    while let Some(amp) = memchr::memchr(b'&', rest.as_bytes()) {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let bad = || {
            let end = after.len().min(16);
            let mut end = end;
            while !after.is_char_boundary(end) {
                end -= 1;
            }
            (format!("&{}", &after[..end]), consumed + amp)
        };
        let semi = memchr::memchr(b';', after.as_bytes())
            .filter(|&i| i <= 10)
            .ok_or_else(bad)?;
        let name = &after[..semi];
        let ch = match name {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) =
                    name.strip_prefix("#x").or_else(|| name.strip_prefix("#X"))
                {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = name.strip_prefix('#') {
                    dec.parse::<u32>().ok()
                } else {
                    None
                };
                code.and_then(char::from_u32)
                    .filter(|&c| is_xml_char(c))
                    .ok_or_else(bad)?
            }
        };
        out.push(ch);
        consumed += amp + 1 + semi + 1;
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    Ok(Cow::Owned(out))
}

/// True for the characters XML 1.0 allows in a document.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// Appends `text` to `out` escaped for element content: `&`, `<`, `>`, and `\r` (so that a
/// carriage return survives a parser's line-end normalisation).
///
/// Characters XML 1.0 cannot carry at all (most C0 controls, U+FFFE and U+FFFF) are dropped:
/// there is no way to send them, and sending them would make the whole message unreadable to
/// the peer.
pub fn escape_text_into(out: &mut String, text: &str) {
    escape_into(out, text, false);
}

/// Appends `text` to `out` escaped for a double-quoted attribute value: as
/// [`escape_text_into`], plus `"`, tab and newline (which attribute normalisation would turn
/// into spaces).
pub fn escape_attr_into(out: &mut String, text: &str) {
    escape_into(out, text, true);
}

/// What [`escape_into`] must look at: `TEXT` marks the bytes that element content cannot
/// carry as they are (`&`, `<`, `>`, `\r`, the C0 controls XML forbids, and `0xEF`, which
/// starts U+FFFE and U+FFFF as well as characters XML allows), `ATTR` those that a
/// double-quoted attribute value cannot (the same, `"`, tab and newline).
const TEXT: u8 = 1;
const ATTR: u8 = 2;
static SPECIAL: [u8; 256] = {
    let mut table = super::forbidden_controls(TEXT | ATTR);
    table[b'\r' as usize] = TEXT | ATTR;
    table[b'\t' as usize] = ATTR;
    table[b'\n' as usize] = ATTR;
    table[b'"' as usize] = ATTR;
    table[b'&' as usize] = TEXT | ATTR;
    table[b'<' as usize] = TEXT | ATTR;
    table[b'>' as usize] = TEXT | ATTR;
    table[0xEF] = TEXT | ATTR;
    table
};

fn escape_into(out: &mut String, text: &str, attr: bool) {
    let mask = if attr { ATTR } else { TEXT };
    let bytes = text.as_bytes();
    // Plain runs are copied whole; `copied` is where the next one starts (always at a
    // character boundary: only ASCII bytes and whole three-byte characters end a run).
    let mut copied = 0;
    let mut from = 0;
    while let Some(i) = bytes
        .get(from..)
        .and_then(|rest| {
            rest.iter()
                .position(|&b| SPECIAL[usize::from(b)] & mask != 0)
        })
        .map(|at| from + at)
    {
        let (replacement, len) = match bytes.get(i).copied().unwrap_or(0) {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'\r' => ("&#13;", 1),
            b'"' => ("&quot;", 1),
            b'\t' => ("&#9;", 1),
            b'\n' => ("&#10;", 1),
            // U+FFFE and U+FFFF are dropped; U+F000..U+FFFD are plain.
            0xEF => match bytes.get(i + 1..i + 3) {
                Some([0xBF, 0xBE | 0xBF]) => ("", 3),
                _ => {
                    from = i + 1;
                    continue;
                }
            },
            // The other C0 controls: XML 1.0 cannot carry them at all.
            _ => ("", 1),
        };
        out.push_str(text.get(copied..i).unwrap_or(""));
        out.push_str(replacement);
        from = i + len;
        copied = from;
    }
    out.push_str(text.get(copied..).unwrap_or(""));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescape_borrows_plain_text() {
        assert!(matches!(
            unescape("plain text"),
            Ok(Cow::Borrowed("plain text"))
        ));
    }

    #[test]
    fn unescape_predefined_and_character_references() {
        assert_eq!(
            unescape("a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos; &#65;&#x42;&#X43;").unwrap(),
            "a <b> & \"c\" 'd' ABC"
        );
    }

    #[test]
    fn unescape_refuses_unknown_entities() {
        assert_eq!(
            unescape("x &nbsp; y").unwrap_err(),
            ("&nbsp; y".to_string(), 2)
        );
        assert!(unescape("x & y").is_err());
        assert!(unescape("&#0;").is_err());
        assert!(unescape("&#xD800;").is_err());
        assert!(unescape("&#99999999999;").is_err());
    }

    #[test]
    fn escape_round_trips_through_unescape() {
        let original = "a<b>&\"c\" 'd'\r\n\tend é";
        let mut text = String::new();
        escape_text_into(&mut text, original);
        assert_eq!(unescape(&text).unwrap(), original);
        let mut attr = String::new();
        escape_attr_into(&mut attr, original);
        assert!(!attr.contains('"') && !attr.contains('\n'));
        assert_eq!(unescape(&attr).unwrap(), original);
    }

    #[test]
    fn escape_drops_characters_xml_cannot_carry() {
        let mut out = String::new();
        escape_text_into(&mut out, "a\u{1}b\u{0}c");
        assert_eq!(out, "abc");
        let mut out = String::new();
        escape_attr_into(&mut out, "\u{FFFE}x\u{FFFF}\u{FFFD}\u{F000}\u{EFFF}");
        assert_eq!(out, "x\u{FFFD}\u{F000}\u{EFFF}");
    }

    /// Character by character, as the table-driven escape must agree with.
    fn reference(text: &str, attr: bool) -> String {
        let mut out = String::new();
        for c in text.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '\r' => out.push_str("&#13;"),
                '"' if attr => out.push_str("&quot;"),
                '\t' if attr => out.push_str("&#9;"),
                '\n' if attr => out.push_str("&#10;"),
                c if is_xml_char(c) => out.push(c),
                _ => {}
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn escape_agrees_with_the_character_rules(
            text in "([\\x00-\\x7F]|[\u{80}-\u{7FF}]|[\u{E000}-\u{FFFF}]|[\u{FFF0}-\u{FFFF}]|[\u{10000}-\u{10FFFF}]|[&<>\"\r\n\t]){0,40}",
        ) {
            for attr in [false, true] {
                let mut out = String::from("kept ");
                escape_into(&mut out, &text, attr);
                proptest::prop_assert_eq!(&out[5..], reference(&text, attr));
            }
        }
    }
}

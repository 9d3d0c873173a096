//! Phone numbers (MSISDNs) as MMS providers want them written, and their comparison form.
//!
//! TS 23.140 leaves the format of a `Number` to the operator, and each provider picks its own:
//! Vibes takes 10-digit, 11-digit or E.164 numbers; ezitxt and Optus take E.164 with or
//! without `+` but not the `00` international prefix; Sinch takes the country code and number
//! as digits only. [`Msisdn::parse`] takes a number apart (prefix, digits, separators, the
//! `/TYPE=PLMN` suffix of MMS addressing removed), and a [`NumberFormat`] says whether it is
//! written as a provider wants, with an error that names the expected format and the byte
//! where the value went wrong.
//!
//! ```
//! use mm7_model::number::{Msisdn, NumberFormat, NumberPrefix};
//!
//! let n = Msisdn::parse("+64211234567/TYPE=PLMN")?;
//! assert_eq!((n.prefix(), n.digits()), (NumberPrefix::Plus, "64211234567"));
//! assert!(n.is_e164());
//!
//! // ezitxt and Optus: E.164 with or without `+`; both compare equal.
//! assert_eq!(NumberFormat::E164.normalize("64211234567")?, "+64211234567");
//! assert_eq!(NumberFormat::E164.normalize("+64211234567")?, "+64211234567");
//! let refused = NumberFormat::E164.normalize("0064211234567").unwrap_err();
//! assert_eq!(refused.offset, 0);
//! assert!(refused.to_string().contains("without '00'"), "{refused}");
//!
//! // Sinch: digits only.
//! assert!(NumberFormat::InternationalDigits.normalize("+15553199144").is_err());
//! assert_eq!(NumberFormat::InternationalDigits.normalize("15553199144")?, "+15553199144");
//! # Ok::<(), mm7_model::number::NumberError>(())
//! ```

use std::fmt;

/// The most digits an E.164 number has (ITU-T E.164 §6).
pub const E164_MAX_DIGITS: usize = 15;
/// The fewest digits taken for an international number: a country code and a short
/// subscriber number (Niue and Saint Helena have 3-digit codes and 4-digit numbers).
pub const E164_MIN_DIGITS: usize = 7;

/// What came before a number's digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NumberPrefix {
    /// `+`: the international prefix symbol of E.164.
    Plus,
    /// `00`: the international call prefix dialled in most countries (`001` and the like
    /// included: the digits after `00` are kept).
    DoubleZero,
    /// A single leading `0`: a national trunk prefix, so not an international number.
    Trunk,
    /// Digits from the start.
    None,
}

/// A phone number taken apart. The value it came from may carry `/TYPE=PLMN` (OMA MMS
/// addressing, which MMSCs copy into MM7), surrounding whitespace, and `-`, `.`, space and
/// parentheses between digits; none of them is part of the number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Msisdn {
    prefix: NumberPrefix,
    digits: String,
}

/// A parsed number with where things were in the value, for error offsets.
struct Parsed {
    number: Msisdn,
    /// The offset of the prefix (or of the first digit).
    start: usize,
    /// The first separator and its offset.
    separator: Option<(usize, char)>,
}

/// The format a provider wants numbers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NumberFormat {
    /// Any number [`Msisdn::parse`] accepts (TS 23.140 as is).
    Any,
    /// A 10-digit or 11-digit number, or E.164 with `+` (Vibes: "10-digit, 11-digit, or
    /// E.164 format"; the 10-digit form is a North American number without its `1`).
    TenElevenOrE164,
    /// E.164 with or without `+`, never after `00` (ezitxt, Optus).
    E164,
    /// The country code and number as digits only: no `+`, no `00` or other dialling prefix,
    /// no separators (Sinch).
    InternationalDigits,
}

/// Why a value is not a number in the wanted format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?}: {kind} (at byte {offset}); expected {expected}")]
pub struct NumberError {
    /// The value as given.
    pub value: String,
    /// The byte offset in `value` where it went wrong.
    pub offset: usize,
    /// What was wrong.
    pub kind: NumberErrorKind,
    /// The format wanted, in words with an example.
    pub expected: &'static str,
}

/// What is wrong with a number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NumberErrorKind {
    /// Nothing but whitespace (or a bare `+` or `/TYPE=PLMN`).
    #[error("no digits")]
    Empty,
    /// A character that is neither a digit nor a separator.
    #[error("{0:?} is not part of a phone number")]
    InvalidCharacter(char),
    /// A `/TYPE=` suffix other than `PLMN` (an IPv4 address, an e-mail address).
    #[error("a /TYPE={0} address is not a phone number")]
    NotPlmn(String),
    /// More digits than E.164 allows.
    #[error("{0} digits, more than the {E164_MAX_DIGITS} of E.164")]
    TooLong(usize),
    /// Too few digits for a country code and a number.
    #[error("{0} digits, too few for a country code and number")]
    TooShort(usize),
    /// The `+` the format forbids.
    #[error("'+' is not allowed")]
    PlusNotAllowed,
    /// The `00` prefix the format forbids.
    #[error("the '00' international prefix is not allowed")]
    DoubleZeroNotAllowed,
    /// A national trunk `0`, or `+` followed by `0`: no country code starts with 0.
    #[error("a leading '0' is a national prefix, not a country code")]
    NationalPrefix,
    /// A separator the format forbids.
    #[error("{0:?} is not allowed: digits only")]
    Separator(char),
    /// A digit count the format does not take.
    #[error("{0} digits without '+'")]
    WrongLength(usize),
}

impl NumberPrefix {
    /// How the prefix is written.
    pub fn as_str(self) -> &'static str {
        match self {
            NumberPrefix::Plus => "+",
            NumberPrefix::DoubleZero => "00",
            NumberPrefix::Trunk => "0",
            NumberPrefix::None => "",
        }
    }
}

impl Msisdn {
    /// Takes `value` apart: surrounding whitespace and a `/TYPE=PLMN` suffix (any case) are
    /// removed, a `+`, `00` or `0` prefix is recognised, and `-`, `.`, spaces and parentheses
    /// between the digits are set aside.
    ///
    /// # Errors
    /// [`NumberError`] (with [`NumberFormat::Any`]'s expectation) for a value with no digits,
    /// another `/TYPE=`, a character that belongs to no number, or more than 15 digits.
    pub fn parse(value: &str) -> Result<Msisdn, NumberError> {
        parse(value)
            .map(|p| p.number)
            .map_err(|(offset, kind)| NumberFormat::Any.error(value, offset, kind))
    }

    /// The prefix.
    pub fn prefix(&self) -> NumberPrefix {
        self.prefix
    }

    /// The digits after the prefix.
    pub fn digits(&self) -> &str {
        &self.digits
    }

    /// Whether the number is written as 10 digits with no prefix.
    pub fn is_ten_digit(&self) -> bool {
        self.prefix == NumberPrefix::None && self.digits.len() == 10
    }

    /// Whether the number is written as 11 digits with no prefix.
    pub fn is_eleven_digit(&self) -> bool {
        self.prefix == NumberPrefix::None && self.digits.len() == 11
    }

    /// Whether the number is E.164, with `+` or without a prefix: 7 to 15 digits, the first
    /// not 0.
    pub fn is_e164(&self) -> bool {
        matches!(self.prefix, NumberPrefix::Plus | NumberPrefix::None)
            && (E164_MIN_DIGITS..=E164_MAX_DIGITS).contains(&self.digits.len())
            && !self.digits.starts_with('0')
    }

    /// The comparison form when the writing says the number is international (`+` or `00`):
    /// `+` and the digits.
    pub fn international(&self) -> Option<String> {
        matches!(self.prefix, NumberPrefix::Plus | NumberPrefix::DoubleZero)
            .then(|| format!("+{}", self.digits))
    }
}

impl fmt::Display for Msisdn {
    /// The prefix and digits, without separators or suffix.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.prefix.as_str(), self.digits)
    }
}

impl NumberFormat {
    /// The format in words, with an example: what an error message asks for.
    pub fn expected(self) -> &'static str {
        match self {
            NumberFormat::Any => "a phone number: digits, optionally after '+' or '00'",
            NumberFormat::TenElevenOrE164 => {
                "a 10-digit or 11-digit number, or E.164 with '+' \
                 (e.g. 3127536330, 13127536330 or +13127536330)"
            }
            NumberFormat::E164 => {
                "E.164: country code and number, with or without '+', without '00' \
                 (e.g. +64211234567 or 64211234567)"
            }
            NumberFormat::InternationalDigits => {
                "international format: country code and number as digits only, \
                 without '+', '00' or another prefix (e.g. 15553199144)"
            }
        }
    }

    /// Checks that `value` is written in this format and returns its comparison form: `+` and
    /// the international digits when the format makes the number international (a 10-digit
    /// number under [`TenElevenOrE164`](Self::TenElevenOrE164) is North American and gets
    /// `+1`), else the digits as written. The value itself is not changed: this is for
    /// comparing numbers (a report's recipient with a submission's), not for rewriting them.
    ///
    /// # Errors
    /// [`NumberError`] naming the offending byte and the expected format.
    pub fn normalize(self, value: &str) -> Result<String, NumberError> {
        let parsed = parse(value).map_err(|(offset, kind)| self.error(value, offset, kind))?;
        self.accept(&parsed)
            .map_err(|(offset, kind)| self.error(value, offset, kind))
    }

    fn accept(self, parsed: &Parsed) -> Result<String, (usize, NumberErrorKind)> {
        let n = &parsed.number;
        let count = n.digits.len();
        let strict = !matches!(self, NumberFormat::Any);
        if let (true, Some((at, c))) = (strict, parsed.separator) {
            return Err((at, NumberErrorKind::Separator(c)));
        }
        let prefix_at = parsed.start;
        match (self, n.prefix) {
            (NumberFormat::Any, NumberPrefix::Plus | NumberPrefix::DoubleZero) => {
                Ok(format!("+{}", n.digits))
            }
            (NumberFormat::Any, NumberPrefix::Trunk) => Ok(format!("0{}", n.digits)),
            (NumberFormat::Any, _) => Ok(n.digits.clone()),
            (_, NumberPrefix::DoubleZero) => {
                Err((prefix_at, NumberErrorKind::DoubleZeroNotAllowed))
            }
            (_, NumberPrefix::Trunk) => Err((prefix_at, NumberErrorKind::NationalPrefix)),
            (NumberFormat::InternationalDigits, NumberPrefix::Plus) => {
                Err((prefix_at, NumberErrorKind::PlusNotAllowed))
            }
            (NumberFormat::TenElevenOrE164, NumberPrefix::None) => match count {
                10 => Ok(format!("+1{}", n.digits)),
                11 => Ok(format!("+{}", n.digits)),
                _ => Err((prefix_at, NumberErrorKind::WrongLength(count))),
            },
            _ => {
                if n.digits.starts_with('0') {
                    Err((prefix_at, NumberErrorKind::NationalPrefix))
                } else if count < E164_MIN_DIGITS {
                    Err((prefix_at, NumberErrorKind::TooShort(count)))
                } else {
                    Ok(format!("+{}", n.digits))
                }
            }
        }
    }

    fn error(self, value: &str, offset: usize, kind: NumberErrorKind) -> NumberError {
        NumberError {
            value: value.to_owned(),
            offset,
            kind,
            expected: self.expected(),
        }
    }
}

fn parse(value: &str) -> Result<Parsed, (usize, NumberErrorKind)> {
    let lead = value.len() - value.trim_start().len();
    let mut body = value.trim();
    if let Some(slash) = body.rfind('/') {
        let suffix = body.get(slash + 1..).unwrap_or_default();
        let kind = suffix
            .get(..5)
            .filter(|t| t.eq_ignore_ascii_case("TYPE="))
            .and(suffix.get(5..));
        match kind {
            Some(k) if k.eq_ignore_ascii_case("PLMN") => {
                body = body.get(..slash).unwrap_or_default().trim_end();
            }
            Some(k) => return Err((lead + slash, NumberErrorKind::NotPlmn(k.to_owned()))),
            None => return Err((lead + slash, NumberErrorKind::InvalidCharacter('/'))),
        }
    }
    let (prefix, skip) = if body.starts_with('+') {
        (NumberPrefix::Plus, 1)
    } else if body.starts_with("00") {
        (NumberPrefix::DoubleZero, 2)
    } else if body.starts_with('0') {
        (NumberPrefix::Trunk, 1)
    } else {
        (NumberPrefix::None, 0)
    };
    let mut digits = String::new();
    let mut separator = None;
    for (i, c) in body.char_indices().skip(skip) {
        match c {
            '0'..='9' => {
                if digits.len() == E164_MAX_DIGITS {
                    let total = digits.len() + 1 + count_digits(body.get(i + 1..));
                    return Err((lead, NumberErrorKind::TooLong(total)));
                }
                digits.push(c);
            }
            '-' | '.' | ' ' | '(' | ')' => {
                separator.get_or_insert((lead + i, c));
            }
            other => return Err((lead + i, NumberErrorKind::InvalidCharacter(other))),
        }
    }
    if digits.is_empty() {
        return Err((lead, NumberErrorKind::Empty));
    }
    Ok(Parsed {
        number: Msisdn { prefix, digits },
        start: lead,
        separator,
    })
}

fn count_digits(rest: Option<&str>) -> usize {
    rest.unwrap_or_default()
        .bytes()
        .filter(u8::is_ascii_digit)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use NumberErrorKind as K;
    use NumberFormat as F;

    #[test]
    fn parse_takes_numbers_apart() {
        let cases: &[(&str, NumberPrefix, &str)] = &[
            ("+15551234567", NumberPrefix::Plus, "15551234567"),
            ("+15551234567/TYPE=PLMN", NumberPrefix::Plus, "15551234567"),
            (" 15551234567/type=plmn ", NumberPrefix::None, "15551234567"),
            ("0064211234567", NumberPrefix::DoubleZero, "64211234567"),
            ("0015553199144", NumberPrefix::DoubleZero, "15553199144"),
            ("0211234567", NumberPrefix::Trunk, "211234567"),
            ("(555)-319-9144", NumberPrefix::None, "5553199144"),
            ("+1 555.319.9144", NumberPrefix::Plus, "15553199144"),
            ("63901", NumberPrefix::None, "63901"),
        ];
        for (value, prefix, digits) in cases {
            let n = Msisdn::parse(value).unwrap_or_else(|e| panic!("{value}: {e}"));
            assert_eq!((n.prefix(), n.digits()), (*prefix, *digits), "{value}");
        }
        assert_eq!(
            Msisdn::parse("+1 (555) 319-9144").unwrap(),
            Msisdn::parse("+15553199144/TYPE=PLMN").unwrap(),
            "separators and the suffix are not part of the number"
        );
        assert_eq!(Msisdn::parse("00 1 555").unwrap().to_string(), "001555");
    }

    #[test]
    fn parse_refuses_what_is_no_number() {
        let cases: &[(&str, usize, NumberErrorKind)] = &[
            ("", 0, K::Empty),
            ("   ", 3, K::Empty),
            ("+", 0, K::Empty),
            ("/TYPE=PLMN", 0, K::Empty),
            ("a@example.com", 0, K::InvalidCharacter('a')),
            ("1555x", 4, K::InvalidCharacter('x')),
            ("1.2.3.4/TYPE=IPv4", 7, K::NotPlmn("IPv4".into())),
            ("12/34", 2, K::InvalidCharacter('/')),
            ("1234567890123456", 0, K::TooLong(16)),
            (" +12345678901234567", 1, K::TooLong(17)),
        ];
        for (value, offset, kind) in cases {
            let e = Msisdn::parse(value).unwrap_err();
            assert_eq!((&e.kind, e.offset), (kind, *offset), "{value:?}");
            assert_eq!(e.value, *value);
            assert_eq!(e.expected, F::Any.expected());
        }
        // Multi-byte input: offsets stay on character boundaries.
        let e = Msisdn::parse("15٣").unwrap_err();
        assert_eq!((e.kind, e.offset), (K::InvalidCharacter('٣'), 2));
    }

    #[test]
    fn classification() {
        let n = |v| Msisdn::parse(v).unwrap();
        assert!(n("3127536330").is_ten_digit());
        assert!(!n("+3127536330").is_ten_digit());
        assert!(n("13127536330").is_eleven_digit());
        assert!(n("13127536330").is_e164());
        assert!(n("+13127536330").is_e164());
        assert!(!n("0013127536330").is_e164());
        assert!(!n("0211234567").is_e164());
        assert!(!n("+0211234567").is_e164());
        assert!(!n("123456").is_e164());
        assert!(n("1234567").is_e164());
        assert_eq!(
            n("0064211234567").international().as_deref(),
            Some("+64211234567")
        );
        assert_eq!(n("64211234567").international(), None);
    }

    /// One row per (format, value): the comparison form, or the error and its offset.
    #[test]
    fn formats_table() {
        type Row = (
            F,
            &'static str,
            Result<&'static str, (NumberErrorKind, usize)>,
        );
        let rows: &[Row] = &[
            // Vibes: 10-digit, 11-digit, E.164 with '+'.
            (F::TenElevenOrE164, "3127536330", Ok("+13127536330")),
            (F::TenElevenOrE164, "13127536330", Ok("+13127536330")),
            (F::TenElevenOrE164, "+13127536330", Ok("+13127536330")),
            (
                F::TenElevenOrE164,
                "+13127536330/TYPE=PLMN",
                Ok("+13127536330"),
            ),
            (F::TenElevenOrE164, "+447911123456", Ok("+447911123456")),
            (
                F::TenElevenOrE164,
                "447911123456",
                Err((K::WrongLength(12), 0)),
            ),
            (F::TenElevenOrE164, "312753633", Err((K::WrongLength(9), 0))),
            (
                F::TenElevenOrE164,
                "0013127536330",
                Err((K::DoubleZeroNotAllowed, 0)),
            ),
            (
                F::TenElevenOrE164,
                "(312) 753-6330",
                Err((K::Separator('('), 0)),
            ),
            // ezitxt, Optus: E.164 with or without '+', no '00'.
            (F::E164, "+64211234567", Ok("+64211234567")),
            (F::E164, "64211234567", Ok("+64211234567")),
            (F::E164, "7255441234", Ok("+7255441234")),
            (F::E164, "0064211234567", Err((K::DoubleZeroNotAllowed, 0))),
            (F::E164, " 0211234567", Err((K::NationalPrefix, 1))),
            (F::E164, "+0211234567", Err((K::NationalPrefix, 0))),
            (F::E164, "+64 21 123 4567", Err((K::Separator(' '), 3))),
            (F::E164, "+123456", Err((K::TooShort(6), 0))),
            // Sinch: digits only.
            (F::InternationalDigits, "15553199144", Ok("+15553199144")),
            (F::InternationalDigits, "642111111", Ok("+642111111")),
            (
                F::InternationalDigits,
                "15553199144/TYPE=PLMN",
                Ok("+15553199144"),
            ),
            (
                F::InternationalDigits,
                "+642111111",
                Err((K::PlusNotAllowed, 0)),
            ),
            (
                F::InternationalDigits,
                "00642111111",
                Err((K::DoubleZeroNotAllowed, 0)),
            ),
            (
                F::InternationalDigits,
                "0015553199144",
                Err((K::DoubleZeroNotAllowed, 0)),
            ),
            (
                F::InternationalDigits,
                "1-555-319-9144",
                Err((K::Separator('-'), 1)),
            ),
            // Any: separators tolerated, '00' read as '+'.
            (F::Any, "0064211234567", Ok("+64211234567")),
            (F::Any, "+1 (555) 319-9144", Ok("+15553199144")),
            (F::Any, "0211234567", Ok("0211234567")),
            (F::Any, "63901", Ok("63901")),
            (F::Any, "tel:+1555", Err((K::InvalidCharacter('t'), 0))),
        ];
        for (format, value, want) in rows {
            let got = format.normalize(value);
            match (want, got) {
                (Ok(w), Ok(g)) => assert_eq!(&g, w, "{format:?} {value:?}"),
                (Err((kind, offset)), Err(e)) => {
                    assert_eq!((&e.kind, e.offset), (kind, *offset), "{format:?} {value:?}");
                    assert_eq!(e.expected, format.expected());
                }
                (w, g) => panic!("{format:?} {value:?}: wanted {w:?}, got {g:?}"),
            }
        }
    }

    proptest::proptest! {
        /// Any text: no panic, and an error's offset is a character boundary of the value.
        #[test]
        fn never_panics(value in "\\PC{0,24}|[+0-9 ()./TYPEPLMN-]{0,24}") {
            for format in [F::Any, F::TenElevenOrE164, F::E164, F::InternationalDigits] {
                match format.normalize(&value) {
                    Ok(n) => proptest::prop_assert!(n.len() <= E164_MAX_DIGITS + 2),
                    Err(e) => proptest::prop_assert!(value.is_char_boundary(e.offset)),
                }
            }
        }
    }

    #[test]
    fn errors_name_the_expected_format() {
        let e = F::InternationalDigits
            .normalize("+15553199144")
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "\"+15553199144\": '+' is not allowed (at byte 0); expected international \
             format: country code and number as digits only, without '+', '00' or another \
             prefix (e.g. 15553199144)"
        );
        let e = F::TenElevenOrE164.normalize("447911123456").unwrap_err();
        assert!(e.to_string().contains("12 digits without '+'"), "{e}");
        assert!(e.to_string().contains("10-digit or 11-digit"), "{e}");
    }
}

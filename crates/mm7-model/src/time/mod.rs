//! Date-times and durations as MM7 carries them: `xs:dateTime` (RFC 3339 profile) for
//! `TimeStamp` and `Date`, and `relativeOrAbsoluteDateType` (an `xs:dateTime` or an
//! `xs:duration` such as `P1D`) for `EarliestDeliveryTime`, `ExpiryDate` and `replyDeadline`.
//!
//! Every value keeps the text it was parsed from, so re-encoding writes exactly what was
//! received (`2014-04-14T16:15:23.414Z` does not become `…23.414000Z`); values built from
//! numbers get a canonical text.

mod datetime;
mod duration;

pub use datetime::DateTime;
pub use duration::Duration;

use std::fmt;

/// Why a date-time or duration did not parse, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what} at byte {offset}: {reason}")]
pub struct TimeError {
    /// `"date-time"` or `"duration"`.
    pub what: &'static str,
    /// Byte offset in the input text.
    pub offset: usize,
    /// What was wrong there.
    pub reason: &'static str,
}

/// A small cursor over ASCII input, shared by both parsers.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    base: usize,
    what: &'static str,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str, base: usize, what: &'static str) -> Cursor<'a> {
        Cursor {
            bytes: text.as_bytes(),
            pos: 0,
            base,
            what,
        }
    }

    fn err(&self, reason: &'static str) -> TimeError {
        TimeError {
            what: self.what,
            offset: self.base + self.pos,
            reason,
        }
    }

    fn err_at(&self, pos: usize, reason: &'static str) -> TimeError {
        TimeError {
            what: self.what,
            offset: self.base + pos,
            reason,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, b: u8, reason: &'static str) -> Result<(), TimeError> {
        if self.eat(b) {
            Ok(())
        } else {
            Err(self.err(reason))
        }
    }

    /// Exactly `n` ASCII digits.
    fn fixed(&mut self, n: usize, reason: &'static str) -> Result<u32, TimeError> {
        let mut v = 0u32;
        for _ in 0..n {
            match self.peek() {
                Some(b @ b'0'..=b'9') => {
                    v = v * 10 + u32::from(b - b'0');
                    self.pos += 1;
                }
                _ => return Err(self.err(reason)),
            }
        }
        Ok(v)
    }

    /// One or more digits as a `u64`; `None` when there is no digit here.
    fn number(&mut self) -> Result<Option<u64>, TimeError> {
        let start = self.pos;
        let mut v = 0u64;
        while let Some(b @ b'0'..=b'9') = self.peek() {
            v = v
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(b - b'0')))
                .ok_or_else(|| self.err_at(start, "number too large"))?;
            self.pos += 1;
        }
        Ok((self.pos > start).then_some(v))
    }

    /// The digits after a decimal point, as nanoseconds (extra digits are ignored but
    /// consumed, as `xs:decimal` allows any precision).
    fn fraction(&mut self) -> Result<u32, TimeError> {
        let start = self.pos;
        let mut nanos = 0u32;
        let mut scale = 100_000_000u32;
        while let Some(b @ b'0'..=b'9') = self.peek() {
            nanos += u32::from(b - b'0') * scale;
            scale /= 10;
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.err("expected digits after '.'"));
        }
        Ok(nanos)
    }

    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }
}

/// Splits surrounding XML whitespace off: `(leading length, trimmed)`.
fn trim_xml(text: &str) -> (usize, &str) {
    let is_ws = |c: char| matches!(c, ' ' | '\t' | '\r' | '\n');
    let start = text.len() - text.trim_start_matches(is_ws).len();
    (start, text.trim_matches(is_ws))
}

/// `relativeOrAbsoluteDateType`: an absolute date-time or a duration relative to the time
/// the message is handled.
///
/// ```
/// use mm7_model::RelativeOrAbsolute;
/// let rel = RelativeOrAbsolute::parse("P1D")?;
/// assert!(matches!(rel, RelativeOrAbsolute::Relative(ref d) if d.exact_seconds() == Some(86_400)));
/// let abs = RelativeOrAbsolute::parse("2020-01-20T09:30:47-05:00")?;
/// assert_eq!(abs.as_str(), "2020-01-20T09:30:47-05:00");
/// # Ok::<(), mm7_model::TimeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RelativeOrAbsolute {
    /// An `xs:dateTime`.
    Absolute(DateTime),
    /// An `xs:duration`.
    Relative(Duration),
}

impl RelativeOrAbsolute {
    /// A duration when the text (after whitespace) starts with `P` or `-P`, else a date-time.
    ///
    /// # Errors
    /// [`TimeError`] from whichever parser applies.
    pub fn parse(text: &str) -> Result<RelativeOrAbsolute, TimeError> {
        let (_, t) = trim_xml(text);
        if t.starts_with('P') || t.starts_with("-P") {
            Duration::parse(text).map(RelativeOrAbsolute::Relative)
        } else {
            DateTime::parse(text).map(RelativeOrAbsolute::Absolute)
        }
    }

    /// The text (as received, or canonical when built from numbers).
    pub fn as_str(&self) -> &str {
        match self {
            RelativeOrAbsolute::Absolute(d) => d.as_str(),
            RelativeOrAbsolute::Relative(d) => d.as_str(),
        }
    }

    /// The instant as Unix seconds: the date-time itself, or `now_unix` plus the duration
    /// when it is exact (no years or months). `None` for a duration with years or months,
    /// whose length depends on the calendar, or on overflow.
    pub fn resolve(&self, now_unix: i64) -> Option<i64> {
        match self {
            RelativeOrAbsolute::Absolute(d) => Some(d.to_unix()),
            RelativeOrAbsolute::Relative(d) => {
                let secs = i64::try_from(d.exact_seconds()?).ok()?;
                if d.is_negative() {
                    now_unix.checked_sub(secs)
                } else {
                    now_unix.checked_add(secs)
                }
            }
        }
    }
}

impl fmt::Display for RelativeOrAbsolute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<DateTime> for RelativeOrAbsolute {
    fn from(d: DateTime) -> Self {
        RelativeOrAbsolute::Absolute(d)
    }
}

impl From<Duration> for RelativeOrAbsolute {
    fn from(d: Duration) -> Self {
        RelativeOrAbsolute::Relative(d)
    }
}

impl std::str::FromStr for RelativeOrAbsolute {
    type Err = TimeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RelativeOrAbsolute::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispatches_on_p() {
        assert!(matches!(
            RelativeOrAbsolute::parse(" PT1H "),
            Ok(RelativeOrAbsolute::Relative(_))
        ));
        assert!(matches!(
            RelativeOrAbsolute::parse("-P1D"),
            Ok(RelativeOrAbsolute::Relative(_))
        ));
        assert!(matches!(
            RelativeOrAbsolute::parse("2002-01-02T09:30:47Z"),
            Ok(RelativeOrAbsolute::Absolute(_))
        ));
        let e = RelativeOrAbsolute::parse("tomorrow").unwrap_err();
        assert_eq!((e.what, e.offset), ("date-time", 0));
    }

    #[test]
    fn resolves() {
        let now = 1_000_000;
        let r = RelativeOrAbsolute::parse("PT1H30M").unwrap();
        assert_eq!(r.resolve(now), Some(now + 5400));
        let r = RelativeOrAbsolute::parse("-P1D").unwrap();
        assert_eq!(r.resolve(now), Some(now - 86_400));
        assert_eq!(RelativeOrAbsolute::parse("P1M").unwrap().resolve(now), None);
        let a = RelativeOrAbsolute::parse("1970-01-02T00:00:00Z").unwrap();
        assert_eq!(a.resolve(now), Some(86_400));
    }
}

//! `xs:duration`.

use std::fmt;

use super::{Cursor, TimeError, trim_xml};

/// An `xs:duration` (`P1D`, `PT2H30M`, `-P1Y2M3DT4H5M6.7S`), with the text it came from.
///
/// ```
/// use mm7_model::Duration;
/// let d = Duration::parse("PT2H30M")?;
/// assert_eq!(d.exact_seconds(), Some(9000));
/// assert_eq!(Duration::days(1).as_str(), "P1D");
/// assert_eq!(Duration::parse("P1M")?.exact_seconds(), None);
/// # Ok::<(), mm7_model::TimeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Duration {
    text: String,
    negative: bool,
    years: u64,
    months: u64,
    days: u64,
    hours: u64,
    minutes: u64,
    seconds: u64,
    nanos: u32,
}

impl Duration {
    /// Parses `text`, keeping it for re-encoding. Surrounding XML whitespace is allowed.
    ///
    /// # Errors
    /// [`TimeError`] with the byte offset of the problem: no `P`, a component out of order
    /// or repeated, a `T` without time components, nothing after `P`, overflow.
    pub fn parse(text: &str) -> Result<Duration, TimeError> {
        let (lead, t) = trim_xml(text);
        let mut c = Cursor::new(t, lead, "duration");
        let mut d = Duration {
            text: text.to_owned(),
            negative: c.eat(b'-'),
            years: 0,
            months: 0,
            days: 0,
            hours: 0,
            minutes: 0,
            seconds: 0,
            nanos: 0,
        };
        c.expect(b'P', "expected 'P'")?;
        // Designators in the order xs:duration requires; `rank` only grows.
        let mut rank = 0u8;
        let mut any = false;
        let mut in_time = false;
        let mut time_any = false;
        while !c.at_end() {
            if c.eat(b'T') {
                if in_time {
                    return Err(c.err_at(c.pos - 1, "second 'T'"));
                }
                in_time = true;
                rank = rank.max(3);
                continue;
            }
            let at = c.pos;
            let value = c.number()?.ok_or_else(|| c.err("expected a number"))?;
            let nanos = if c.eat(b'.') {
                Some(c.fraction()?)
            } else {
                None
            };
            let unit_at = c.pos;
            let unit = c
                .peek()
                .ok_or_else(|| c.err("expected a designator after the number"))?;
            c.pos += 1;
            let (r, slot) = match (in_time, unit) {
                (false, b'Y') => (1, &mut d.years),
                (false, b'M') => (2, &mut d.months),
                (false, b'D') => (3, &mut d.days),
                (true, b'H') => (4, &mut d.hours),
                (true, b'M') => (5, &mut d.minutes),
                (true, b'S') => (6, &mut d.seconds),
                _ => return Err(c.err_at(unit_at, "unexpected designator")),
            };
            if r <= rank {
                return Err(c.err_at(at, "component out of order or repeated"));
            }
            if nanos.is_some() && r != 6 {
                return Err(c.err_at(at, "only seconds may have a fraction"));
            }
            rank = r;
            *slot = value;
            d.nanos = nanos.unwrap_or(0);
            any = true;
            time_any |= in_time;
        }
        if in_time && !time_any {
            return Err(c.err("'T' must be followed by hours, minutes or seconds"));
        }
        if !any {
            return Err(c.err("a duration needs at least one component"));
        }
        Ok(d)
    }

    fn canonical(text: String, days: u64, hours: u64, minutes: u64, seconds: u64) -> Duration {
        Duration {
            text,
            negative: false,
            years: 0,
            months: 0,
            days,
            hours,
            minutes,
            seconds,
            nanos: 0,
        }
    }

    /// `P<n>D`.
    pub fn days(n: u64) -> Duration {
        Duration::canonical(format!("P{n}D"), n, 0, 0, 0)
    }

    /// `PT<n>H`.
    pub fn hours(n: u64) -> Duration {
        Duration::canonical(format!("PT{n}H"), 0, n, 0, 0)
    }

    /// `PT<n>M`.
    pub fn minutes(n: u64) -> Duration {
        Duration::canonical(format!("PT{n}M"), 0, 0, n, 0)
    }

    /// `PT<n>S`.
    pub fn seconds(n: u64) -> Duration {
        Duration::canonical(format!("PT{n}S"), 0, 0, 0, n)
    }

    /// The text as received (or canonical).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the duration has a leading `-`.
    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// `(years, months, days, hours, minutes, seconds, nanoseconds)` as written.
    pub fn components(&self) -> (u64, u64, u64, u64, u64, u64, u32) {
        (
            self.years,
            self.months,
            self.days,
            self.hours,
            self.minutes,
            self.seconds,
            self.nanos,
        )
    }

    /// The length in whole seconds (fraction dropped, sign ignored) when it does not depend
    /// on the calendar, i.e. when there are no years or months; `None` otherwise or on overflow.
    pub fn exact_seconds(&self) -> Option<u64> {
        if self.years != 0 || self.months != 0 {
            return None;
        }
        self.days
            .checked_mul(86_400)?
            .checked_add(self.hours.checked_mul(3600)?)?
            .checked_add(self.minutes.checked_mul(60)?)?
            .checked_add(self.seconds)
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for Duration {
    type Err = TimeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Duration::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_components() {
        let cases = [
            ("P1D", (0, 0, 1, 0, 0, 0, 0), false),
            ("PT1H", (0, 0, 0, 1, 0, 0, 0), false),
            ("P1M", (0, 1, 0, 0, 0, 0, 0), false),
            ("PT1M", (0, 0, 0, 0, 1, 0, 0), false),
            ("-P1Y2M3DT4H5M6.7S", (1, 2, 3, 4, 5, 6, 700_000_000), true),
            ("P0D", (0, 0, 0, 0, 0, 0, 0), false),
            (" PT36H \n", (0, 0, 0, 36, 0, 0, 0), false),
            ("PT0.5S", (0, 0, 0, 0, 0, 0, 500_000_000), false),
        ];
        for (text, comps, neg) in cases {
            let d = Duration::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(d.components(), comps, "{text}");
            assert_eq!(d.is_negative(), neg, "{text}");
            assert_eq!(d.as_str(), text);
        }
    }

    #[test]
    fn refuses_with_positions() {
        let cases = [
            ("", 0),
            ("1D", 0),
            ("P", 1),
            ("PT", 2),
            ("P1H", 2),
            ("PT1D", 3),
            ("P1D1Y", 3),
            ("P1DT1H1H", 6),
            ("P1.5D", 1),
            ("P1", 2),
            ("PTT1H", 2),
            ("PD", 1),
            ("P99999999999999999999D", 1),
            ("  P1DX", 5),
        ];
        for (text, offset) in cases {
            let e = Duration::parse(text).unwrap_err();
            assert_eq!(e.offset, offset, "{text:?}: {e}");
            assert_eq!(e.what, "duration");
        }
    }

    #[test]
    fn canonical_constructors_round_trip() {
        for d in [
            Duration::days(1),
            Duration::hours(36),
            Duration::minutes(5),
            Duration::seconds(0),
        ] {
            assert_eq!(Duration::parse(d.as_str()).unwrap(), d);
        }
        assert_eq!(Duration::days(2).exact_seconds(), Some(172_800));
        assert_eq!(Duration::parse("P1Y").unwrap().exact_seconds(), None);
        assert_eq!(
            Duration::parse("P999999999999999D")
                .unwrap()
                .exact_seconds(),
            None
        );
    }
}

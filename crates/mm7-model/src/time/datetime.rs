//! `xs:dateTime`.

use std::fmt;

use super::{Cursor, TimeError, trim_xml};

/// An `xs:dateTime` (`2002-01-02T09:30:47-05:00`), with the text it came from.
///
/// Parsing is lenient where MMSCs are sloppy and strict where a value would be wrong:
/// a space or lowercase `t` may separate date and time, seconds may be missing,
/// the offset may be `Z`, `±hh:mm`, `±hhmm`, `±hh` or absent (then read as UTC);
/// fields out of range (month 13, 30 February, minute 60) are refused.
///
/// ```
/// use mm7_model::DateTime;
/// let t = DateTime::parse("2014-04-14T16:15:23.414Z")?;
/// assert_eq!((t.year(), t.month(), t.day()), (2014, 4, 14));
/// assert_eq!(t.nanosecond(), 414_000_000);
/// assert_eq!(t.as_str(), "2014-04-14T16:15:23.414Z");
/// assert_eq!(DateTime::from_unix(0).map(|d| d.to_string()), Some("1970-01-01T00:00:00Z".into()));
/// # Ok::<(), mm7_model::TimeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DateTime {
    text: String,
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    nanos: u32,
    offset_minutes: Option<i16>,
}

const WHAT: &str = "date-time";

/// The Unix epoch, `1970-01-01T00:00:00Z` (a message's default holds it where a date is
/// required, to be filled in).
impl Default for DateTime {
    fn default() -> DateTime {
        DateTime {
            text: "1970-01-01T00:00:00Z".to_owned(),
            year: 1970,
            month: 1,
            day: 1,
            hour: 0,
            minute: 0,
            second: 0,
            nanos: 0,
            offset_minutes: Some(0),
        }
    }
}

impl DateTime {
    /// Parses `text`, keeping it for re-encoding. Surrounding XML whitespace is allowed.
    ///
    /// # Errors
    /// [`TimeError`] with the byte offset of the offending field.
    pub fn parse(text: &str) -> Result<DateTime, TimeError> {
        let (lead, t) = trim_xml(text);
        let mut c = Cursor::new(t, lead, WHAT);
        if t.is_empty() {
            return Err(c.err("empty"));
        }
        let year = c.fixed(4, "expected a four-digit year")?;
        c.expect(b'-', "expected '-' after the year")?;
        let month_at = c.pos;
        let month = c.fixed(2, "expected a two-digit month")?;
        c.expect(b'-', "expected '-' after the month")?;
        let day_at = c.pos;
        let day = c.fixed(2, "expected a two-digit day")?;
        if !(c.eat(b'T') || c.eat(b't') || c.eat(b' ')) {
            return Err(c.err("expected 'T' between date and time"));
        }
        let hour_at = c.pos;
        let hour = c.fixed(2, "expected a two-digit hour")?;
        c.expect(b':', "expected ':' after the hour")?;
        let minute_at = c.pos;
        let minute = c.fixed(2, "expected two-digit minutes")?;
        let second_at = c.pos;
        let second = if c.eat(b':') {
            c.fixed(2, "expected two-digit seconds")?
        } else {
            0
        };
        let nanos = if c.eat(b'.') { c.fraction()? } else { 0 };
        let offset_at = c.pos;
        let offset_minutes = match c.peek() {
            Some(b'Z' | b'z') => {
                c.pos += 1;
                Some(0)
            }
            Some(sign @ (b'+' | b'-')) => {
                c.pos += 1;
                let hh = c.fixed(2, "expected two-digit offset hours")?;
                let mm = if c.eat(b':') || matches!(c.peek(), Some(b'0'..=b'9')) {
                    c.fixed(2, "expected two-digit offset minutes")?
                } else {
                    0
                };
                if hh > 23 || mm > 59 {
                    return Err(c.err_at(offset_at, "offset out of range"));
                }
                // hh <= 23 and mm <= 59, so the total fits an i16.
                let total = (hh * 60 + mm) as i16;
                Some(if sign == b'-' { -total } else { total })
            }
            _ => None,
        };
        if !c.at_end() {
            return Err(c.err("unexpected character after the date-time"));
        }
        let fields = Fields {
            year,
            month,
            day,
            hour,
            minute,
            second,
            nanos,
        };
        fields
            .check()
            .map_err(|(field, reason)| {
                let at = match field {
                    Field::Month => month_at,
                    Field::Day => day_at,
                    Field::Hour => hour_at,
                    Field::Minute => minute_at,
                    Field::Second => second_at,
                };
                c.err_at(at, reason)
            })
            .map(|()| fields.build(text.to_owned(), offset_minutes))
    }

    /// A UTC date-time from its fields, with the canonical text `YYYY-MM-DDThh:mm:ssZ`.
    ///
    /// # Errors
    /// [`TimeError`] (offset 0) when a field is out of range.
    pub fn utc(
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
    ) -> Result<DateTime, TimeError> {
        let fields = Fields {
            year: u32::from(year),
            month: u32::from(month),
            day: u32::from(day),
            hour: u32::from(hour),
            minute: u32::from(minute),
            second: u32::from(second),
            nanos: 0,
        };
        if year > 9999 {
            return Err(TimeError {
                what: WHAT,
                offset: 0,
                reason: "year out of range",
            });
        }
        fields.check().map_err(|(_, reason)| TimeError {
            what: WHAT,
            offset: 0,
            reason,
        })?;
        let text = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z");
        Ok(fields.build(text, Some(0)))
    }

    /// The UTC date-time `secs` seconds after 1970-01-01T00:00:00Z; `None` outside years
    /// 0000–9999.
    pub fn from_unix(secs: i64) -> Option<DateTime> {
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let year = u16::try_from(y).ok().filter(|y| *y <= 9999)?;
        // rem < 86400, so each part fits a u8; m and d come from the calendar.
        let (h, mi, s) = ((rem / 3600) as u8, (rem / 60 % 60) as u8, (rem % 60) as u8);
        DateTime::utc(year, m as u8, d as u8, h, mi, s).ok()
    }

    /// The text as received (or canonical).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Year.
    pub fn year(&self) -> u16 {
        self.year
    }
    /// Month, 1–12.
    pub fn month(&self) -> u8 {
        self.month
    }
    /// Day of the month, 1–31.
    pub fn day(&self) -> u8 {
        self.day
    }
    /// Hour, 0–24 (24 only as `24:00:00`).
    pub fn hour(&self) -> u8 {
        self.hour
    }
    /// Minute, 0–59.
    pub fn minute(&self) -> u8 {
        self.minute
    }
    /// Second, 0–60 (60 for a leap second).
    pub fn second(&self) -> u8 {
        self.second
    }
    /// Fraction of the second in nanoseconds.
    pub fn nanosecond(&self) -> u32 {
        self.nanos
    }
    /// The offset from UTC in minutes; `None` when the text has none.
    pub fn offset_minutes(&self) -> Option<i16> {
        self.offset_minutes
    }

    /// Seconds since 1970-01-01T00:00:00Z (fraction dropped); a date-time without offset is
    /// read as UTC.
    pub fn to_unix(&self) -> i64 {
        let days = days_from_civil(
            i64::from(self.year),
            u32::from(self.month),
            u32::from(self.day),
        );
        let secs = days * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second);
        secs - i64::from(self.offset_minutes.unwrap_or(0)) * 60
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for DateTime {
    type Err = TimeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DateTime::parse(s)
    }
}

#[derive(Clone, Copy)]
enum Field {
    Month,
    Day,
    Hour,
    Minute,
    Second,
}

#[derive(Clone, Copy)]
struct Fields {
    year: u32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
}

impl Fields {
    fn check(&self) -> Result<(), (Field, &'static str)> {
        if !(1..=12).contains(&self.month) {
            return Err((Field::Month, "month out of range"));
        }
        if self.day < 1 || self.day > days_in_month(self.year, self.month) {
            return Err((Field::Day, "day out of range"));
        }
        if self.hour > 24 {
            return Err((Field::Hour, "hour out of range"));
        }
        if self.hour == 24 && (self.minute, self.second, self.nanos) != (0, 0, 0) {
            return Err((Field::Hour, "hour 24 is only allowed as 24:00:00"));
        }
        if self.minute > 59 {
            return Err((Field::Minute, "minute out of range"));
        }
        if self.second > 60 {
            return Err((Field::Second, "second out of range"));
        }
        Ok(())
    }

    /// Only called after [`Fields::check`], so every field fits its narrower type.
    fn build(self, text: String, offset_minutes: Option<i16>) -> DateTime {
        DateTime {
            text,
            year: self.year as u16,
            month: self.month as u8,
            day: self.day as u8,
            hour: self.hour as u8,
            minute: self.minute as u8,
            second: self.second as u8,
            nanos: self.nanos,
            offset_minutes,
        }
    }
}

fn is_leap(year: u32) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (counting years from March, so the
/// leap day is the last day of the counted year).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`]: `(year, month, day)`.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_the_epoch_as_parsed() {
        assert_eq!(DateTime::default(), DateTime::from_unix(0).unwrap());
        assert_eq!(
            DateTime::default(),
            DateTime::parse("1970-01-01T00:00:00Z").unwrap()
        );
    }

    #[test]
    fn parses_what_mmscs_send() {
        let cases = [
            (
                "2020-01-02T09:30:47-05:00",
                (2020, 1, 2, 9, 30, 47, 0, Some(-300)),
            ),
            (
                "2014-04-14T16:15:23.414Z",
                (2014, 4, 14, 16, 15, 23, 414_000_000, Some(0)),
            ),
            (
                "2015-03-16T14:03:51.749Z",
                (2015, 3, 16, 14, 3, 51, 749_000_000, Some(0)),
            ),
            ("2002-01-02 09:30:47", (2002, 1, 2, 9, 30, 47, 0, None)),
            ("2002-01-02t09:30+0130", (2002, 1, 2, 9, 30, 0, 0, Some(90))),
            (
                "2004-02-29T23:59:60+05",
                (2004, 2, 29, 23, 59, 60, 0, Some(300)),
            ),
            ("2000-12-31T24:00:00Z", (2000, 12, 31, 24, 0, 0, 0, Some(0))),
            (
                "\n 2002-01-02T09:30:47.123456789123Z \n",
                (2002, 1, 2, 9, 30, 47, 123_456_789, Some(0)),
            ),
        ];
        for (text, (y, mo, d, h, mi, s, n, off)) in cases {
            let t = DateTime::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(
                (
                    t.year(),
                    t.month(),
                    t.day(),
                    t.hour(),
                    t.minute(),
                    t.second()
                ),
                (y, mo, d, h, mi, s),
                "{text}"
            );
            assert_eq!(t.nanosecond(), n, "{text}");
            assert_eq!(t.offset_minutes(), off, "{text}");
            assert_eq!(t.as_str(), text, "the text is kept");
            assert_eq!(t.to_string(), text);
        }
    }

    #[test]
    fn refuses_with_positions() {
        let cases = [
            ("", 0),
            ("20-01-02T09:30:47Z", 2),
            ("2002-13-02T09:30:47Z", 5),
            ("2001-02-29T09:30:47Z", 8),
            ("2002-01-02X09:30:47Z", 10),
            ("2002-01-02T25:30:47Z", 11),
            ("2002-01-02T24:30:00Z", 11),
            ("2002-01-02T09:60:47Z", 14),
            ("2002-01-02T09:30:61Z", 16),
            ("2002-01-02T09:30:47.Z", 20),
            ("2002-01-02T09:30:47+25:00", 19),
            ("2002-01-02T09:30:47Zjunk", 20),
            ("  2002-01-02T09:30:47Q", 21),
        ];
        for (text, offset) in cases {
            let e = DateTime::parse(text).unwrap_err();
            assert_eq!(e.offset, offset, "{text}: {e}");
            assert_eq!(e.what, "date-time");
        }
    }

    #[test]
    fn unix_round_trip() {
        for secs in [
            0,
            86_399,
            951_782_400, // 2000-02-29
            1_397_492_123,
            253_402_300_799, // 9999-12-31T23:59:59Z
            -62_167_219_200, // 0000-01-01T00:00:00Z
            -1,
        ] {
            let d = DateTime::from_unix(secs).unwrap();
            assert_eq!(d.to_unix(), secs, "{d}");
            assert_eq!(DateTime::parse(d.as_str()).unwrap(), d);
        }
        assert!(DateTime::from_unix(253_402_300_800).is_none());
        assert!(DateTime::from_unix(i64::MIN).is_none());
        assert_eq!(
            DateTime::from_unix(951_782_400).unwrap().as_str(),
            "2000-02-29T00:00:00Z"
        );
        let t = DateTime::parse("2020-01-02T09:30:47-05:00").unwrap();
        assert_eq!(
            t.to_unix(),
            DateTime::parse("2020-01-02T14:30:47Z").unwrap().to_unix()
        );
    }

    #[test]
    fn utc_constructor_validates() {
        assert_eq!(
            DateTime::utc(2024, 2, 29, 12, 0, 0).unwrap().as_str(),
            "2024-02-29T12:00:00Z"
        );
        assert!(DateTime::utc(2023, 2, 29, 12, 0, 0).is_err());
        assert!(DateTime::utc(10_000, 1, 1, 0, 0, 0).is_err());
        assert!(DateTime::utc(2023, 1, 1, 0, 60, 0).is_err());
    }
}

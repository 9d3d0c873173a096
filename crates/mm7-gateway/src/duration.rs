//! Durations as operators write them (the configuration file, the command line) and as the
//! gateway shows them (the inbox, `mm7 gateway check`).

use std::time::Duration;

/// A duration that could not be read (see [`parse_duration`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{text:?} is not a duration such as 500ms, 2s, 5m, 1h, 7d or 1h 30m (a bare number is seconds): {reason}"
)]
pub struct DurationError {
    /// The text as given.
    pub text: String,
    /// What is wrong with it.
    pub reason: String,
}

/// Reads a duration: numbers with units (`500ms`, `2s`, `1.5s`, `5m` or `5min`, `1h`, `7d`,
/// and the other units of [`humantime::parse_duration`]: `2 weeks`, `M` for months…), several
/// of them added up (`1h 30m`), or a bare whole number of seconds (`30`). White space around
/// it is ignored.
///
/// # Errors
/// A [`DurationError`] naming the text and what is wrong with it: no number, an unknown unit,
/// a sign, or a duration too long to hold.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use mm7_gateway::parse_duration;
///
/// assert_eq!(parse_duration("7d")?, Duration::from_secs(7 * 86_400));
/// assert_eq!(parse_duration("1h 30m")?, Duration::from_secs(5_400));
/// assert_eq!(parse_duration("30")?, Duration::from_secs(30));
/// assert!(parse_duration("soon").is_err());
/// # Ok::<(), mm7_gateway::DurationError>(())
/// ```
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let text = text.trim();
    let error = |reason: String| DurationError {
        text: text.to_owned(),
        reason,
    };
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse::<u64>()
            .map(Duration::from_secs)
            .map_err(|_| error("too long".to_owned()));
    }
    humantime::parse_duration(text).map_err(|e| error(e.to_string()))
}

/// A duration in its largest whole unit, as the gateway shows one to operators: `7 days`,
/// `1 hour`, `90 seconds`, `1500 milliseconds`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use mm7_gateway::format_duration;
///
/// assert_eq!(format_duration(Duration::from_secs(7 * 86_400)), "7 days");
/// assert_eq!(format_duration(Duration::from_secs(90)), "90 seconds");
/// ```
pub fn format_duration(duration: Duration) -> String {
    let millis = duration.as_millis();
    let (n, unit) = [
        (86_400_000, "day"),
        (3_600_000, "hour"),
        (60_000, "minute"),
        (1_000, "second"),
    ]
    .into_iter()
    .find(|(size, _)| millis >= *size && millis.is_multiple_of(*size))
    .map_or((millis, "millisecond"), |(size, unit)| {
        (millis / size, unit)
    });
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_read_in_every_form_the_docs_name() {
        let read = |text| parse_duration(text).unwrap();
        assert_eq!(read("2s"), Duration::from_secs(2));
        assert_eq!(read("500ms"), Duration::from_millis(500));
        assert_eq!(read("5m"), Duration::from_secs(300));
        assert_eq!(read("10min"), Duration::from_secs(600));
        assert_eq!(read("1h"), Duration::from_secs(3600));
        assert_eq!(read("24h"), Duration::from_secs(86_400));
        assert_eq!(read("7d"), Duration::from_secs(7 * 86_400));
        assert_eq!(read("1h 30m"), Duration::from_secs(5_400));
        assert_eq!(read(" 7 "), Duration::from_secs(7));
        assert_eq!(read("0s"), Duration::ZERO);
        assert_eq!(read("0"), Duration::ZERO);
        assert_eq!(read("1.5s"), Duration::from_millis(1_500));
        assert_eq!(read("2 weeks"), Duration::from_secs(14 * 86_400));
    }

    #[test]
    fn what_is_not_a_duration_is_refused_with_the_text() {
        for bad in [
            "",
            "s",
            "-1s",
            "soon",
            "2 fortnights",
            "99999999999999999999",
            "99999999999999999999s",
            "18446744073709551615d",
        ] {
            let error = parse_duration(bad).unwrap_err();
            assert_eq!(error.text, bad.trim());
            let shown = error.to_string();
            assert!(shown.contains("500ms, 2s, 5m"), "{shown}");
            assert!(!error.reason.is_empty(), "{bad:?}");
        }
    }

    #[test]
    fn durations_are_shown_in_their_largest_whole_unit() {
        let shown = |millis| format_duration(Duration::from_millis(millis));
        assert_eq!(shown(7 * 86_400_000), "7 days");
        assert_eq!(shown(86_400_000), "1 day");
        assert_eq!(shown(36 * 3_600_000), "36 hours");
        assert_eq!(shown(90_000), "90 seconds");
        assert_eq!(shown(120_000), "2 minutes");
        assert_eq!(shown(1_000), "1 second");
        assert_eq!(shown(1_500), "1500 milliseconds");
        assert_eq!(shown(1), "1 millisecond");
    }
}

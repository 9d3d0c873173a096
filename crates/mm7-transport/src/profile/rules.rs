//! Each provider's `SubmitReq` rules, with the document and section that state them.

use http::header::HeaderName;
use mm7_model::media::{self, Category, Compatibility};
use mm7_model::schema::MessageElements as _;
use mm7_model::{AddressKind, Operation, RelativeOrAbsolute, SchemaId, StatusCode};

use super::Profile;
use super::check::Check;
use super::violation::{Refusal, Severity, Source, Violation};

/// The `SubmitReq` elements Vibes marks "Not supported, do not set" (seed 000, both element
/// tables; `ChargedPartyID` and `DeliveryCondition` exist in 6.8.0 only).
pub(crate) const VIBES_UNSUPPORTED: &[&str] = &[
    "ServiceCode",
    "LinkedID",
    "TimeStamp",
    "ReplyCharging",
    "EarliestDeliveryTime",
    "ExpiryDate",
    "ChargedParty",
    "ChargedPartyID",
    "DeliveryCondition",
];

/// ezitxt's and Optus's "Supported MM7_Submit Parameters" (their `MM7Schema` is the
/// namespace, not an element).
pub(crate) const EZITXT_PARAMETERS: &[&str] = &[
    "MM7Version",
    "SenderIdentification",
    "Recipients",
    "TimeStamp",
    "ExpiryDate",
    "DeliveryReport",
    "Subject",
    "Content",
    "Priority",
];

const VIBES_SUBMIT: &str = "Vibes MM7 SubmitReq";
const VIBES_API: &str = "Vibes MMS Message APIs (MM7)";
const SINCH: &str = "Sinch MM7 API";
const EZITXT: &str = "ezitxt MMS MM7 API";
const OPTUS: &str = "Optus MMS MM7 API";

const VIBES_SIZE: Source = Source::new(VIBES_SUBMIT, "Requests and Responses", "000");
const VIBES_HEADERS: Source = Source::new(VIBES_SUBMIT, "Custom Headers", "000");
const VIBES_AUTH: Source = Source::new(VIBES_SUBMIT, "Authorization Header", "000");
const VIBES_VERSIONS: Source = Source::new(VIBES_API, "Versions", "001");
const VIBES_URL: Source = Source::new(VIBES_API, "Supported Requests", "001");
const SINCH_INTRO: Source = Source::new(SINCH, "Introduction", "004");
const SINCH_VASID: Source = Source::new(SINCH, "Finding your VASID", "004");
const SINCH_NUMBERS: Source = Source::new(SINCH, "Special Considerations", "004");
const SINCH_URL: Source = Source::new(SINCH, "Base URL", "004");
/// The notes under ezitxt's example request, which Optus's copy of the page lacks.
const EZITXT_NOTES: Source = Source::new(EZITXT, "MM7_Submit Request", "002");

/// The row of a Vibes element table: the 6.8.0 table for a REL-6 namespace, else 5.5.0's.
fn vibes_row(schema: Option<SchemaId>, element: &'static str) -> Source {
    let document = match schema {
        Some(s) if s.release() >= 6 => "Vibes MM7 6.8.0",
        _ => "Vibes MM7 5.5.0",
    };
    Source::new(document, element, "000")
}

/// A section of ezitxt's or Optus's page.
fn ezitxt_doc(profile: Profile, section: &'static str) -> Source {
    match profile {
        Profile::Optus => Source::new(OPTUS, section, "003"),
        _ => Source::new(EZITXT, section, "002"),
    }
}

fn status(code: StatusCode) -> Option<Refusal> {
    Some(Refusal::Status(code))
}

/// Vibes (seeds 000, 001).
pub(crate) fn vibes(c: &mut Check<'_>) {
    let schema = c.schema;
    let row = |element| vibes_row(schema, element);
    let version = c.req.mm7_version.as_str().trim();
    if version == "5.5.0" && c.schema.is_none_or(|s| s == SchemaId::Rel5Mm7_1_2) {
        c.push(
            Violation::warning(
                "MM7Version",
                "should be 5.3.0 because of a bug in the 5.5.0 XSD",
                row("MM7Version"),
            )
            .with_value(version),
        );
    } else {
        c.version(
            Severity::Error,
            VIBES_VERSIONS,
            status(StatusCode::UNSUPPORTED_VERSION),
        );
    }
    c.basic_auth(VIBES_AUTH);

    let identification = c.req.sender_identification.as_ref();
    for (element, value) in [
        ("VASPID", identification.and_then(|s| s.vasp_id.as_ref())),
        ("VASID", identification.and_then(|s| s.vas_id.as_ref())),
    ] {
        if let Some(value) = value {
            c.push(
                Violation::warning(
                    format!("SenderIdentification/{element}"),
                    "not used: authentication is based on the Authorization header",
                    row(element),
                )
                .with_value(value.clone()),
            );
        }
    }
    match identification.and_then(|s| s.sender_address.as_ref()) {
        None => c.push(
            Violation::error(
                "SenderIdentification/SenderAddress",
                "required by the Vibes MMSC: the short code sending the message",
                row("SenderAddress"),
            )
            .refused(StatusCode::ADDRESS_ERROR),
        ),
        Some(a) if a.kind != AddressKind::ShortCode => c.push(
            Violation::error(
                format!(
                    "SenderIdentification/SenderAddress/{}",
                    a.kind.element_name()
                ),
                "the short code must be wrapped in a <ShortCode> element",
                row("SenderAddress"),
            )
            .with_value(a.value.clone())
            .refused(StatusCode::ADDRESS_ERROR),
        ),
        Some(_) => {}
    }

    vibes_recipients(c);

    let not_supported = row("ServiceCode");
    for name in present(c, |name| VIBES_UNSUPPORTED.contains(&name)) {
        c.push(Violation::error(
            name,
            "not supported, do not set",
            Source {
                section: name,
                ..not_supported
            },
        ));
    }
    vibes_values(c);

    let callback = HeaderName::from_static("x-vibes-dlrcallbackurl");
    let callback_url = c
        .context
        .headers
        .get(&callback)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_owned());
    match (c.req.delivery_report, callback_url) {
        (Some(true), None) => c.push(
            Violation::error(
                "header X-Vibes-DlrCallbackUrl",
                "required when DeliveryReport is true: without it the whole request is rejected",
                row("DeliveryReport"),
            )
            .refused(StatusCode::CLIENT_ERROR),
        ),
        (_, Some(url)) if !is_http_url(&url) => c.push(
            Violation::warning(
                "header X-Vibes-DlrCallbackUrl",
                "the URL to which delivery reports are sent",
                VIBES_HEADERS,
            )
            .with_value(url),
        ),
        _ => {}
    }

    match &c.req.content {
        None => c.push(
            Violation::error("Content", "required by the Vibes MMSC", row("Content"))
                .refused(StatusCode::VALIDATION_ERROR),
        ),
        Some(content) => {
            if !content.href.trim_start().starts_with("cid:") {
                c.push(
                    Violation::warning("Content@href", "formatted \"cid:<filename>\"", row("href"))
                        .with_value(content.href.clone()),
                );
            }
            c.content_resolves(
                row("Content"),
                Refusal::Status(StatusCode::MULTIMEDIA_CONTENT_REFUSED),
            );
        }
    }
    c.body_size(VIBES_SIZE);
    c.url(VIBES_URL);
}

fn vibes_recipients(c: &mut Check<'_>) {
    let row = vibes_row(c.schema, "Recipients");
    let recipients = &c.req.recipients;
    let mut found = Vec::new();
    if recipients.len() > 1 {
        found.push(
            Violation::error(
                "Recipients",
                "exactly one recipient: multiple MDNs are not supported",
                row,
            )
            .with_value(format!("{} addresses", recipients.len()))
            .refused(StatusCode::MULTIPLE_ADDRESSES_NOT_SUPPORTED),
        );
    }
    if recipients.to.is_empty() {
        found.push(
            Violation::error(
                "Recipients/To",
                "the MDN to deliver to, in <To>, is required",
                row,
            )
            .refused(StatusCode::ADDRESS_ERROR),
        );
    }
    for (list, addresses) in [("Cc", &recipients.cc), ("Bcc", &recipients.bcc)] {
        for (i, a) in addresses.iter().enumerate() {
            found.push(
                Violation::error(
                    format!("Recipients/{list}[{i}]"),
                    "the <Cc> and <Bcc> elements are not supported",
                    row,
                )
                .with_value(a.value.clone()),
            );
        }
    }
    for (i, a) in recipients.to.iter().enumerate() {
        if a.kind != AddressKind::Number {
            found.push(
                Violation::error(
                    format!("Recipients/To[{i}]/{}", a.kind.element_name()),
                    "the MDN must be wrapped in a <Number> element",
                    row,
                )
                .with_value(a.value.clone())
                .refused(StatusCode::ADDRESS_ERROR),
            );
        }
    }
    if recipients.iter().any(|a| a.display_only.is_some()) {
        found.push(Violation::warning(
            "Recipients@displayOnly",
            "not used: the Vibes MMSC allows one recipient per message",
            row,
        ));
    }
    c.out.extend(found);
    c.numbers(
        c.profile.number_format(),
        row,
        Refusal::Status(StatusCode::ADDRESS_ERROR),
    );
}

/// The enumerations whose values Vibes lists.
fn vibes_values(c: &mut Check<'_>) {
    let mut found = Vec::new();
    let mut push = |field: &'static str, known: bool, value: Option<&str>, allowed: &str| {
        if let (false, Some(value)) = (known, value) {
            found.push(
                Violation::error(
                    field,
                    format!("one of {allowed}"),
                    vibes_row(c.schema, field),
                )
                .with_value(value)
                .refused(StatusCode::MESSAGE_FORMAT_CORRUPT),
            );
        }
    };
    let req = c.req;
    if let Some(m) = &req.message_class {
        push(
            "MessageClass",
            m.is_known(),
            Some(m.as_str()),
            "Personal, Informational, Advertisement, Auto",
        );
    }
    if let Some(p) = &req.priority {
        push(
            "Priority",
            p.is_known(),
            Some(p.as_str()),
            "Normal, High, Low",
        );
    }
    if let Some(k) = &req.content_class {
        push(
            "ContentClass",
            k.is_known(),
            Some(k.as_str()),
            "text, image-basic, image-rich, video-basic, video-rich, megapixel, content-basic, \
             content-rich",
        );
    }
    c.out.extend(found);
}

/// Sinch, formerly mblox (seed 004).
pub(crate) fn sinch(c: &mut Check<'_>) {
    c.version(
        Severity::Error,
        SINCH_INTRO,
        status(StatusCode::UNSUPPORTED_VERSION),
    );
    let identification = c.req.sender_identification.as_ref();
    let vasp_id = identification.and_then(|s| s.vasp_id.as_deref());
    if vasp_id.is_none_or(|v| v.trim().is_empty()) {
        let mut v = Violation::error(
            "SenderIdentification/VASPID",
            "your VASPID is your API key: Sinch authenticates the account with it",
            SINCH_INTRO,
        )
        .refused(StatusCode::IMPROPER_IDENTIFICATION);
        v.value = vasp_id.map(str::to_owned);
        c.push(v);
    }
    if identification.and_then(|s| s.vas_id.as_ref()).is_none() {
        c.push(Violation::warning(
            "SenderIdentification/VASID",
            "Sinch issues a VASID per short code (usually SHORTCODEmms) to submit with each \
             message; leave it out only if yours is configured empty",
            SINCH_VASID,
        ));
    }
    c.numbers(
        c.profile.number_format(),
        SINCH_NUMBERS,
        Refusal::Status(StatusCode::ADDRESS_ERROR),
    );
    c.url(SINCH_URL);
}

/// ezitxt (seed 002) and Optus (seed 003), one platform.
pub(crate) fn ezitxt(c: &mut Check<'_>) {
    let p = c.profile;
    c.version(Severity::Warning, ezitxt_doc(p, "Versions"), None);
    if let Some(last) = c.out.last_mut().filter(|v| v.field == "MM7Version") {
        last.rule
            .push_str(": other versions should work but are unsupported");
    }
    c.basic_auth(ezitxt_doc(p, "Authentication"));
    c.numbers(
        p.number_format(),
        EZITXT_NOTES,
        Refusal::Status(StatusCode::ADDRESS_ERROR),
    );
    if c.req.recipients.len() > 1 {
        c.push(
            Violation::warning(
                "Recipients",
                "3003 Multiple addresses not supported is among the documented answers: \
                 one recipient per request is safest",
                ezitxt_doc(p, "Response Status Codes"),
            )
            .with_value(format!("{} addresses", c.req.recipients.len())),
        );
    }
    let parameters = ezitxt_doc(p, "Supported MM7_Submit Parameters");
    for name in present(c, |name| !EZITXT_PARAMETERS.contains(&name)) {
        c.push(Violation::error(
            name,
            "not a supported MM7_Submit parameter: the MMSC ignores it",
            parameters,
        ));
    }
    timestamps(c);
    c.content_resolves(
        ezitxt_doc(p, "Response Status Codes"),
        Refusal::Status(StatusCode::MULTIMEDIA_CONTENT_REFUSED),
    );
    media_types(c, ezitxt_doc(p, "Known Supported File Formats"));
    if p.mmsc_generates_smil() {
        let leaves: Vec<_> = c.leaves().collect();
        let has_smil = leaves
            .iter()
            .any(|l| Category::of(l.media_type()) == Category::Presentation);
        let needs_layout = leaves
            .iter()
            .any(|l| Category::of(l.media_type()) != Category::Text);
        if !has_smil && needs_layout {
            c.push(Violation::warning(
                "Content",
                "no SMIL presentation: the MMSC generates one, but some file types need one \
                 submitted",
                ezitxt_doc(p, "SMIL File"),
            ));
        }
    }
    c.url(ezitxt_doc(p, "Base URI"));
}

/// `TimeStamp` and `ExpiryDate` as RFC 3339 timestamps (ezitxt: "All timestamps should
/// follow the RFC3339 standard").
fn timestamps(c: &mut Check<'_>) {
    let refusal = StatusCode::MESSAGE_FORMAT_CORRUPT;
    let mut found = Vec::new();
    if let Some(t) = &c.req.time_stamp
        && let Some(problem) = rfc3339_problem(t.as_str())
    {
        found.push(
            Violation::error(
                "TimeStamp",
                format!("an RFC 3339 timestamp: {problem}"),
                EZITXT_NOTES,
            )
            .with_value(t.as_str())
            .refused(refusal),
        );
    }
    let problem = match &c.req.expiry_date {
        Some(RelativeOrAbsolute::Absolute(t)) => rfc3339_problem(t.as_str()),
        Some(RelativeOrAbsolute::Relative(_)) => Some("a duration is not a timestamp"),
        _ => None,
    };
    if let (Some(problem), Some(value)) = (problem, &c.req.expiry_date) {
        found.push(
            Violation::error(
                "ExpiryDate",
                format!("an RFC 3339 timestamp: {problem}"),
                EZITXT_NOTES,
            )
            .with_value(value.as_str())
            .refused(refusal),
        );
    }
    c.out.extend(found);
}

/// What keeps an `xs:dateTime` (already parsed, so its fields are in range) from being an
/// RFC 3339 `date-time`: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
pub(crate) fn rfc3339_problem(text: &str) -> Option<&'static str> {
    let t = text.trim().as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        t.get(range)
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    if !(digits(0..4) && t.get(4) == Some(&b'-') && digits(5..7) && t.get(7) == Some(&b'-')) {
        return Some("the date is not YYYY-MM-DD");
    }
    if !matches!(t.get(10), Some(b'T' | b't')) {
        return Some("the date and time are not separated by 'T'");
    }
    if !(digits(11..13) && t.get(13) == Some(&b':') && digits(14..16)) {
        return Some("the time is not HH:MM:SS");
    }
    if t.get(16) != Some(&b':') || !digits(17..19) {
        return Some("seconds are required");
    }
    let mut i = 19;
    if t.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while t.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return Some("a '.' without fraction digits");
        }
    }
    match t.get(i..) {
        Some(b"Z" | b"z") => None,
        Some([b'+' | b'-', h1, h2, b':', m1, m2])
            if [h1, h2, m1, m2].iter().all(|b| b.is_ascii_digit()) =>
        {
            None
        }
        Some([]) | None => Some("the UTC offset (Z or ±hh:mm) is required"),
        Some(_) => Some("the UTC offset is not Z or ±hh:mm"),
    }
}

/// Each content part against the provider's tested media types.
fn media_types(c: &mut Check<'_>, source: Source) {
    let mut found = Vec::new();
    for (i, leaf) in c.leaves().enumerate() {
        let media_type = leaf.media_type();
        let rule = match media::by_media_type(media_type) {
            Some(row) => match row.compatibility {
                Compatibility::Partial(note) => format!("partial compatibility: {note}"),
                _ => continue,
            },
            None if Category::of(media_type) == Category::Presentation => continue,
            None => "not among the tested media types: results may vary".to_owned(),
        };
        let field = match &leaf.content_id {
            Some(id) => format!("content part <{id}>"),
            None => format!("content part {i}"),
        };
        found.push(Violation::warning(field, rule, source).with_value(media_type));
    }
    c.out.extend(found);
}

/// The `SubmitReq` elements present that `select` picks, in schema order.
fn present(c: &Check<'_>, select: impl Fn(&str) -> bool) -> Vec<&'static str> {
    Operation::SubmitReq
        .elements()
        .iter()
        .map(|spec| spec.name)
        .filter(|name| select(name) && c.req.has_element(name))
        .collect()
}

fn is_http_url(text: &str) -> bool {
    text.parse::<http::Uri>().is_ok_and(|u| {
        matches!(u.scheme_str(), Some("http" | "https")) && u.host().is_some_and(|h| !h.is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_shapes() {
        for ok in [
            "2020-01-02T09:30:47-05:00",
            "2014-04-14T16:15:23.414Z",
            " 2014-04-14t16:15:23z ",
            "2020-01-02T09:30:47+00:00",
        ] {
            assert_eq!(rfc3339_problem(ok), None, "{ok}");
        }
        for (bad, why) in [
            (
                "2020-01-02 09:30:47Z",
                "the date and time are not separated by 'T'",
            ),
            ("2020-01-02T09:30Z", "seconds are required"),
            (
                "2020-01-02T09:30:47",
                "the UTC offset (Z or ±hh:mm) is required",
            ),
            (
                "2020-01-02T09:30:47-0500",
                "the UTC offset is not Z or ±hh:mm",
            ),
            ("2020-01-02T09:30:47.Z", "a '.' without fraction digits"),
            ("20-01-02T09:30:47Z", "the date is not YYYY-MM-DD"),
            ("2020-01-02T9:30:47Z", "the time is not HH:MM:SS"),
            ("", "the date is not YYYY-MM-DD"),
        ] {
            assert_eq!(rfc3339_problem(bad), Some(why), "{bad}");
        }
    }

    #[test]
    fn callback_urls() {
        assert!(is_http_url("https://vasp.example.com/dlr"));
        assert!(is_http_url("http://127.0.0.1:8080/"));
        assert!(!is_http_url("vasp.example.com/dlr"));
        assert!(!is_http_url("ftp://vasp.example.com/"));
        assert!(!is_http_url(""));
    }
}

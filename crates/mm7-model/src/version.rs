//! MM7 schema identifiers, namespaces and `MM7Version` strings.
//!
//! TS 23.140 published one XML schema per MM7 revision, each in its own namespace
//! `http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/<ID>`. Every message also
//! carries an `MM7Version` element (the TS 23.140 version, e.g. `6.8.0`). Peers pair the two
//! inconsistently (`REL-5-MM7-1-3` with `5.3.0`, `REL-6-MM7-1-4` with `6.7.0` or even `5.3.0`),
//! so this crate keeps them apart: [`Namespace`] is what the body element was qualified with,
//! [`Mm7Version`] is the text of `MM7Version`, and either can be chosen on its own when sending.

use std::borrow::Cow;
use std::fmt;

/// The common prefix of every MM7 schema namespace.
pub const NAMESPACE_PREFIX: &str = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/";

/// One of the eleven MM7 schemas of TS 23.140 Release 5 and Release 6.
///
/// Ordered by publication, so `a < b` means `a` is older; element tables in
/// [`crate::schema`] use that order to say which schema first defines an element.
///
/// ```
/// use mm7_model::SchemaId;
/// let id = SchemaId::Rel6Mm7_1_4;
/// assert_eq!(id.id(), "REL-6-MM7-1-4");
/// assert_eq!(id.default_mm7_version(), "6.8.0");
/// assert!(SchemaId::Rel5Mm7_1_2 < id);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum SchemaId {
    /// `REL-5-MM7-1-0`.
    Rel5Mm7_1_0,
    /// `REL-5-MM7-1-1`.
    Rel5Mm7_1_1,
    /// `REL-5-MM7-1-2`.
    Rel5Mm7_1_2,
    /// `REL-5-MM7-1-3`.
    Rel5Mm7_1_3,
    /// `REL-5-MM7-1-4`.
    Rel5Mm7_1_4,
    /// `REL-5-MM7-1-5`.
    Rel5Mm7_1_5,
    /// `REL-6-MM7-1-0`.
    Rel6Mm7_1_0,
    /// `REL-6-MM7-1-1`.
    Rel6Mm7_1_1,
    /// `REL-6-MM7-1-2`.
    Rel6Mm7_1_2,
    /// `REL-6-MM7-1-3`.
    Rel6Mm7_1_3,
    /// `REL-6-MM7-1-4`.
    Rel6Mm7_1_4,
}

macro_rules! ns {
    ($id:literal) => {
        concat!(
            "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/",
            $id
        )
    };
}

/// `(id, release, major, minor, default MM7Version, namespace)`, in [`SchemaId`] order.
const TABLE: [(SchemaId, &str, u8, u8, u8, &str, &str); 11] = [
    (
        SchemaId::Rel5Mm7_1_0,
        "REL-5-MM7-1-0",
        5,
        1,
        0,
        "5.3.0",
        ns!("REL-5-MM7-1-0"),
    ),
    (
        SchemaId::Rel5Mm7_1_1,
        "REL-5-MM7-1-1",
        5,
        1,
        1,
        "5.4.0",
        ns!("REL-5-MM7-1-1"),
    ),
    (
        SchemaId::Rel5Mm7_1_2,
        "REL-5-MM7-1-2",
        5,
        1,
        2,
        "5.5.0",
        ns!("REL-5-MM7-1-2"),
    ),
    (
        SchemaId::Rel5Mm7_1_3,
        "REL-5-MM7-1-3",
        5,
        1,
        3,
        "5.6.0",
        ns!("REL-5-MM7-1-3"),
    ),
    (
        SchemaId::Rel5Mm7_1_4,
        "REL-5-MM7-1-4",
        5,
        1,
        4,
        "5.7.0",
        ns!("REL-5-MM7-1-4"),
    ),
    (
        SchemaId::Rel5Mm7_1_5,
        "REL-5-MM7-1-5",
        5,
        1,
        5,
        "5.8.0",
        ns!("REL-5-MM7-1-5"),
    ),
    (
        SchemaId::Rel6Mm7_1_0,
        "REL-6-MM7-1-0",
        6,
        1,
        0,
        "6.3.0",
        ns!("REL-6-MM7-1-0"),
    ),
    (
        SchemaId::Rel6Mm7_1_1,
        "REL-6-MM7-1-1",
        6,
        1,
        1,
        "6.4.0",
        ns!("REL-6-MM7-1-1"),
    ),
    (
        SchemaId::Rel6Mm7_1_2,
        "REL-6-MM7-1-2",
        6,
        1,
        2,
        "6.5.0",
        ns!("REL-6-MM7-1-2"),
    ),
    (
        SchemaId::Rel6Mm7_1_3,
        "REL-6-MM7-1-3",
        6,
        1,
        3,
        "6.6.0",
        ns!("REL-6-MM7-1-3"),
    ),
    (
        SchemaId::Rel6Mm7_1_4,
        "REL-6-MM7-1-4",
        6,
        1,
        4,
        "6.8.0",
        ns!("REL-6-MM7-1-4"),
    ),
];

impl SchemaId {
    /// All eleven schemas, oldest first.
    pub const ALL: [SchemaId; 11] = [
        SchemaId::Rel5Mm7_1_0,
        SchemaId::Rel5Mm7_1_1,
        SchemaId::Rel5Mm7_1_2,
        SchemaId::Rel5Mm7_1_3,
        SchemaId::Rel5Mm7_1_4,
        SchemaId::Rel5Mm7_1_5,
        SchemaId::Rel6Mm7_1_0,
        SchemaId::Rel6Mm7_1_1,
        SchemaId::Rel6Mm7_1_2,
        SchemaId::Rel6Mm7_1_3,
        SchemaId::Rel6Mm7_1_4,
    ];

    /// The oldest schema, `REL-5-MM7-1-0`.
    pub const OLDEST: SchemaId = SchemaId::Rel5Mm7_1_0;
    /// The newest schema, `REL-6-MM7-1-4`.
    pub const NEWEST: SchemaId = SchemaId::Rel6Mm7_1_4;

    fn row(
        self,
    ) -> &'static (
        SchemaId,
        &'static str,
        u8,
        u8,
        u8,
        &'static str,
        &'static str,
    ) {
        // The table is in declaration order, so the discriminant is the index.
        &TABLE[self as usize]
    }

    /// The schema id as written in the namespace, e.g. `REL-6-MM7-1-4`.
    pub fn id(self) -> &'static str {
        self.row().1
    }

    /// The 3GPP release: 5 or 6.
    pub fn release(self) -> u8 {
        self.row().2
    }

    /// The canonical namespace URI of this schema.
    pub fn namespace(self) -> &'static str {
        self.row().6
    }

    /// The `MM7Version` of the TS 23.140 version that published this schema.
    ///
    /// This is the value to send when nothing else is configured; peers that expect
    /// another value (many expect `5.3.0` whatever the namespace) are served by setting
    /// the message's [`Mm7Version`] explicitly.
    pub fn default_mm7_version(self) -> &'static str {
        self.row().5
    }

    /// The schema whose [`default_mm7_version`](Self::default_mm7_version) is exactly `version`.
    pub fn for_mm7_version(version: &Mm7Version) -> Option<SchemaId> {
        let v = version.as_str().trim();
        TABLE.iter().find(|row| row.5 == v).map(|row| row.0)
    }

    /// Looks a schema up by its id (`REL-6-MM7-1-4`), ASCII case-insensitively.
    pub fn from_id(id: &str) -> Option<SchemaId> {
        TABLE
            .iter()
            .find(|row| row.1.eq_ignore_ascii_case(id))
            .map(|row| row.0)
    }

    /// Whether this schema is `since` or a later one.
    pub fn at_least(self, since: SchemaId) -> bool {
        self >= since
    }

    /// The schema nearest to an id this crate does not know, such as `REL-6-MM7-6-7`:
    /// the newest known schema of the same release that is not newer than the id, the oldest
    /// of the release when the id is older than all of them, and the oldest or newest schema
    /// overall for releases before 5 or after 6.
    pub fn nearest(release: u32, major: u32, minor: u32) -> SchemaId {
        match release {
            0..=4 => SchemaId::OLDEST,
            5 | 6 => {
                let mut best = None;
                let mut first = None;
                for row in TABLE.iter().filter(|r| u32::from(r.2) == release) {
                    first.get_or_insert(row.0);
                    if (u32::from(row.3), u32::from(row.4)) <= (major, minor) {
                        best = Some(row.0);
                    }
                }
                best.or(first).unwrap_or(SchemaId::NEWEST)
            }
            _ => SchemaId::NEWEST,
        }
    }
}

impl fmt::Display for SchemaId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// How a received namespace URI was matched to a [`SchemaId`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NamespaceMatch {
    /// The URI is the schema's canonical namespace, byte for byte.
    Exact,
    /// The id is known but the URI differs from the canonical one (https, a trailing slash,
    /// another host, a `.xsd` suffix, other letter case). Real MMSCs do all of these.
    Lenient,
    /// The id is not one of the eleven (e.g. `REL-6-MM7-6-7`) and was mapped with
    /// [`SchemaId::nearest`]; worth a warning.
    Nearest,
}

/// The MM7 namespace of a message: the URI as received plus the schema it names.
///
/// ```
/// use mm7_model::{Namespace, NamespaceMatch, SchemaId};
/// let ns = Namespace::parse(
///     "https://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-5-MM7-1-3/",
/// )?;
/// assert_eq!(ns.schema(), SchemaId::Rel5Mm7_1_3);
/// assert_eq!(ns.matched(), NamespaceMatch::Lenient);
///
/// let odd = Namespace::parse("http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-6-7")?;
/// assert_eq!(odd.schema(), SchemaId::Rel6Mm7_1_4);
/// assert!(odd.is_nearest_match());
/// # Ok::<(), mm7_model::NamespaceError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Namespace {
    // The canonical URIs, which nearly every message uses, are kept as the table's `'static`
    // strings: reading or writing a namespace allocates only for another spelling.
    uri: Cow<'static, str>,
    schema: SchemaId,
    matched: NamespaceMatch,
}

/// A namespace URI that names no MM7 schema.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("namespace {uri:?} names no MM7 schema (expected a last path segment like REL-6-MM7-1-4)")]
pub struct NamespaceError {
    /// The URI as received.
    pub uri: String,
}

impl Namespace {
    /// The canonical namespace of `schema`.
    pub fn canonical(schema: SchemaId) -> Namespace {
        Namespace {
            uri: Cow::Borrowed(schema.namespace()),
            schema,
            matched: NamespaceMatch::Exact,
        }
    }

    /// Parses a namespace URI leniently: only its last path segment (the schema id) matters.
    ///
    /// # Errors
    /// [`NamespaceError`] when the last segment is not of the form `REL-<r>-MM7-<a>-<b>`.
    pub fn parse(uri: &str) -> Result<Namespace, NamespaceError> {
        let (schema, matched) = match_namespace(uri).ok_or_else(|| NamespaceError {
            uri: uri.to_owned(),
        })?;
        let uri = match matched {
            // Exact: `uri` is the schema's canonical URI, byte for byte.
            NamespaceMatch::Exact => Cow::Borrowed(schema.namespace()),
            _ => Cow::Owned(uri.to_owned()),
        };
        Ok(Namespace {
            uri,
            schema,
            matched,
        })
    }

    /// The URI as received (or the canonical one when built with [`Namespace::canonical`]).
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The same as [`uri`](Self::uri).
    pub fn as_str(&self) -> &str {
        &self.uri
    }

    /// The schema the URI names.
    pub fn schema(&self) -> SchemaId {
        self.schema
    }

    /// How the URI was matched.
    pub fn matched(&self) -> NamespaceMatch {
        self.matched
    }

    /// Whether the id was unknown and mapped to the nearest known schema.
    pub fn is_nearest_match(&self) -> bool {
        self.matched == NamespaceMatch::Nearest
    }
}

impl Default for Namespace {
    fn default() -> Self {
        Namespace::canonical(SchemaId::NEWEST)
    }
}

impl From<SchemaId> for Namespace {
    fn from(schema: SchemaId) -> Self {
        Namespace::canonical(schema)
    }
}

impl fmt::Display for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.uri)
    }
}

fn match_namespace(uri: &str) -> Option<(SchemaId, NamespaceMatch)> {
    // Nearly every message names a canonical URI: found as written, without taking it apart
    // (each row's schema id is its own, so the general path below would find the same row).
    if let Some(row) = TABLE.iter().find(|r| same_uri(r.6, uri)) {
        return Some((row.0, NamespaceMatch::Exact));
    }
    let trimmed = uri.trim();
    let path = trimmed.trim_end_matches('/');
    let last = path.rsplit('/').next().unwrap_or(path);
    let last = strip_suffix_ignore_case(last, ".xsd").unwrap_or(last);
    let (release, major, minor) = parse_schema_id(last)?;
    let known = TABLE
        .iter()
        .find(|r| (u32::from(r.2), u32::from(r.3), u32::from(r.4)) == (release, major, minor));
    Some(match known {
        Some(row) if uri == row.6 => (row.0, NamespaceMatch::Exact),
        Some(row) => (row.0, NamespaceMatch::Lenient),
        None => (
            SchemaId::nearest(release, major, minor),
            NamespaceMatch::Nearest,
        ),
    })
}

/// `canonical == uri`, the schema ids at the end compared first: the canonical URIs differ
/// only there, so each row that is not the one is told apart without comparing its whole
/// (about eighty bytes of) common prefix.
fn same_uri(canonical: &str, uri: &str) -> bool {
    let (a, b) = (canonical.as_bytes(), uri.as_bytes());
    let tail =
        |s: &[u8]| -> Option<[u8; 16]> { s.get(s.len().checked_sub(16)?..)?.try_into().ok() };
    a.len() == b.len() && tail(a) == tail(b) && a == b
}

fn strip_suffix_ignore_case<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(suffix.len())?;
    let (head, tail) = (s.get(..cut)?, s.get(cut..)?);
    tail.eq_ignore_ascii_case(suffix).then_some(head)
}

/// Parses `REL-<r>-MM7-<a>-<b>` (ASCII case-insensitive) into `(r, a, b)`.
fn parse_schema_id(s: &str) -> Option<(u32, u32, u32)> {
    let mut it = s.split('-');
    let rel = it.next()?;
    let r = it.next()?;
    let mm7 = it.next()?;
    let a = it.next()?;
    let b = it.next()?;
    if it.next().is_some() || !rel.eq_ignore_ascii_case("REL") || !mm7.eq_ignore_ascii_case("MM7") {
        return None;
    }
    Some((parse_small(r)?, parse_small(a)?, parse_small(b)?))
}

fn parse_small(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// The text of an `MM7Version` element, kept as received, with its numbers when it has them.
///
/// ```
/// use mm7_model::Mm7Version;
/// let v = Mm7Version::new("6.8.0");
/// assert_eq!(v.parts(), Some((6, 8, 0)));
/// assert_eq!(Mm7Version::new("five").parts(), None);
/// assert_eq!(Mm7Version::new("five").as_str(), "five");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Mm7Version {
    // A schema's default version is the table's `'static` text: no copy.
    raw: Cow<'static, str>,
    parts: Option<(u16, u16, u16)>,
}

impl Mm7Version {
    /// Keeps `raw` as is and parses `major.minor.patch` out of it when it has that form.
    pub fn new(raw: impl Into<String>) -> Mm7Version {
        let raw = raw.into();
        let parts = parse_version(raw.trim());
        Mm7Version {
            raw: Cow::Owned(raw),
            parts,
        }
    }

    /// As [`new`](Self::new) from borrowed text, which is copied only when it is not the
    /// default version of one of the schemas (what a decoder reads from nearly every message).
    ///
    /// ```
    /// use mm7_model::Mm7Version;
    /// assert_eq!(Mm7Version::from_text("6.8.0"), Mm7Version::new("6.8.0"));
    /// assert_eq!(Mm7Version::from_text(" 6.9.1 ").as_str(), " 6.9.1 ");
    /// ```
    pub fn from_text(text: &str) -> Mm7Version {
        let parts = parse_version(text.trim());
        let raw = match TABLE.iter().find(|row| row.5 == text) {
            Some(row) => Cow::Borrowed(row.5),
            None => Cow::Owned(text.to_owned()),
        };
        Mm7Version { raw, parts }
    }

    /// The default `MM7Version` of `schema`.
    pub fn for_schema(schema: SchemaId) -> Mm7Version {
        let raw = schema.default_mm7_version();
        Mm7Version {
            raw: Cow::Borrowed(raw),
            parts: parse_version(raw),
        }
    }

    /// The text as received.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// Whether the text is empty (a message without `MM7Version`).
    pub fn is_empty(&self) -> bool {
        self.raw.trim().is_empty()
    }

    /// `(major, minor, patch)` when the text is three dot-separated numbers.
    pub fn parts(&self) -> Option<(u16, u16, u16)> {
        self.parts
    }

    /// The major number (the 3GPP release for well-formed values).
    pub fn major(&self) -> Option<u16> {
        self.parts.map(|p| p.0)
    }
}

impl fmt::Display for Mm7Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl From<&str> for Mm7Version {
    fn from(s: &str) -> Self {
        Mm7Version::new(s)
    }
}

impl From<String> for Mm7Version {
    fn from(s: String) -> Self {
        Mm7Version::new(s)
    }
}

impl From<SchemaId> for Mm7Version {
    fn from(schema: SchemaId) -> Self {
        Mm7Version::for_schema(schema)
    }
}

fn parse_version(s: &str) -> Option<(u16, u16, u16)> {
    // One pass over the bytes: every message has an `MM7Version`, and splitting it and parsing
    // each part as a string cost several times more.
    let mut parts = [0u16; 3];
    let mut part = 0;
    let mut digits = 0;
    for &b in s.as_bytes() {
        match b {
            b'0'..=b'9' if digits < 4 => {
                let slot = parts.get_mut(part)?;
                *slot = *slot * 10 + u16::from(b - b'0');
                digits += 1;
            }
            b'.' if digits > 0 && part < 2 => {
                part += 1;
                digits = 0;
            }
            _ => return None,
        }
    }
    (part == 2 && digits > 0).then_some((parts[0], parts[1], parts[2]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_declaration_order() {
        for (i, s) in SchemaId::ALL.iter().enumerate() {
            assert_eq!(TABLE[i].0, *s);
            assert!(s.namespace().starts_with(NAMESPACE_PREFIX));
            assert!(s.namespace().ends_with(s.id()));
            assert_eq!(SchemaId::from_id(s.id()), Some(*s));
        }
    }

    #[test]
    fn schema_ids_are_distinct() {
        // The canonical URI's fast path in `match_namespace` relies on it.
        for (i, a) in TABLE.iter().enumerate() {
            for b in &TABLE[i + 1..] {
                assert_ne!((a.2, a.3, a.4), (b.2, b.3, b.4), "{} and {}", a.1, b.1);
            }
        }
    }

    #[test]
    fn exact_namespace() {
        for s in SchemaId::ALL {
            let ns = Namespace::parse(s.namespace()).unwrap();
            assert_eq!(ns.schema(), s);
            assert_eq!(ns.matched(), NamespaceMatch::Exact);
        }
    }

    #[test]
    fn lenient_namespaces() {
        let cases = [
            "https://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-5-MM7-1-3",
            "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4/",
            " http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/rel-5-mm7-1-2 ",
            "http://example.com/schema/REL-6-MM7-1-0.xsd",
        ];
        let want = [
            SchemaId::Rel5Mm7_1_3,
            SchemaId::Rel6Mm7_1_4,
            SchemaId::Rel5Mm7_1_2,
            SchemaId::Rel6Mm7_1_0,
        ];
        for (uri, want) in cases.iter().zip(want) {
            let ns = Namespace::parse(uri).unwrap();
            assert_eq!(ns.schema(), want, "{uri}");
            assert_eq!(ns.matched(), NamespaceMatch::Lenient, "{uri}");
            assert_eq!(ns.uri(), *uri);
        }
    }

    #[test]
    fn unknown_ids_map_to_nearest() {
        let p = |id: &str| Namespace::parse(&format!("{NAMESPACE_PREFIX}{id}")).unwrap();
        assert_eq!(p("REL-6-MM7-6-7").schema(), SchemaId::Rel6Mm7_1_4);
        assert!(p("REL-6-MM7-6-7").is_nearest_match());
        assert_eq!(p("REL-5-MM7-1-9").schema(), SchemaId::Rel5Mm7_1_5);
        assert_eq!(p("REL-5-MM7-0-9").schema(), SchemaId::Rel5Mm7_1_0);
        assert_eq!(p("REL-6-MM7-1-7").schema(), SchemaId::Rel6Mm7_1_4);
        assert_eq!(p("REL-7-MM7-1-0").schema(), SchemaId::Rel6Mm7_1_4);
        assert_eq!(p("REL-4-MM7-1-0").schema(), SchemaId::Rel5Mm7_1_0);
    }

    #[test]
    fn non_mm7_namespaces_are_refused() {
        for uri in [
            "",
            "http://schemas.xmlsoap.org/soap/envelope/",
            "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7",
            "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-x",
            "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4-1",
            "REL-6-MM7-99999999-1",
        ] {
            assert!(Namespace::parse(uri).is_err(), "{uri}");
        }
    }

    #[test]
    fn mm7_versions() {
        assert_eq!(Mm7Version::new("5.3.0").parts(), Some((5, 3, 0)));
        assert_eq!(Mm7Version::new(" 6.10.1 ").parts(), Some((6, 10, 1)));
        assert_eq!(Mm7Version::new(" 6.10.1 ").as_str(), " 6.10.1 ");
        assert_eq!(Mm7Version::new("6.8").parts(), None);
        assert_eq!(Mm7Version::new("6.8.0.1").parts(), None);
        assert_eq!(Mm7Version::new("6.-8.0").parts(), None);
        // Each part is one to four digits.
        assert_eq!(Mm7Version::new("9999.0.12").parts(), Some((9999, 0, 12)));
        for bad in [
            "10000.0.0",
            "6..0",
            ".6.0",
            "6.8.",
            "6.8.0.",
            "",
            "6.8.0a",
            "+6.8.0",
        ] {
            assert_eq!(Mm7Version::new(bad).parts(), None, "{bad:?}");
        }
        assert!(Mm7Version::default().is_empty());
        assert_eq!(
            SchemaId::for_mm7_version(&Mm7Version::new("5.5.0")),
            Some(SchemaId::Rel5Mm7_1_2)
        );
        assert_eq!(SchemaId::for_mm7_version(&Mm7Version::new("5.9.9")), None);
    }
}

//! The JSON view (feature `serde`): hand-written impls for the types whose JSON shape is
//! not a plain struct. The rest derive with `rename`s to the MM7 element names.
//!
//! Conventions, so the JSON reads like the XML:
//! * keys are element names (`SenderIdentification`, `MessageID`) and attribute names
//!   (`displayOnly`, `href`) exactly as the schema spells them;
//! * an address is an object with one of `Number`, `ShortCode`, `RFC2822Address` and its
//!   attributes: `{"Number": "15551234567", "displayOnly": true}`;
//! * `StatusCode` and other integers are JSON numbers, booleans JSON booleans, dates and
//!   durations strings as received;
//! * repeatable elements are arrays; absent optional elements are omitted;
//! * an element with both text and attributes (`DateTime sequence="1"`) puts the text under
//!   `value`;
//! * a MIME part is `{"ContentType", "ContentID"?, "ContentLocation"?, "Filename"?}` plus its
//!   body: `Text` (textual media types with UTF-8 bodies), `Base64`, or `Parts` (multipart).

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::address::{Address, AddressKind, UserAgent};
use crate::content::{Part, PartBody};
use crate::enums::AddressCoding;
use crate::status::StatusCode;
use crate::time::{DateTime, Duration, RelativeOrAbsolute};
use crate::version::{Mm7Version, Namespace};

impl Serialize for StatusCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(self.get())
    }
}

impl<'de> Deserialize<'de> for StatusCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        u32::deserialize(d).map(StatusCode::new)
    }
}

/// Serializes as the text; deserializes by parsing the text.
macro_rules! as_string {
    ($ty:ty, $parse:expr) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = Cow::<'de, str>::deserialize(d)?;
                #[allow(clippy::redundant_closure_call)]
                ($parse)(text.as_ref()).map_err(de::Error::custom)
            }
        }
    };
}

as_string!(DateTime, DateTime::parse);
as_string!(Duration, Duration::parse);
as_string!(RelativeOrAbsolute, RelativeOrAbsolute::parse);
as_string!(Namespace, Namespace::parse);
as_string!(Mm7Version, |t: &str| Ok::<_, std::convert::Infallible>(
    Mm7Version::new(t)
));

fn serialize_address_fields<M: SerializeMap>(map: &mut M, a: &Address) -> Result<(), M::Error> {
    map.serialize_entry(a.kind.element_name(), &a.value)?;
    if let Some(d) = a.display_only {
        map.serialize_entry("displayOnly", &d)?;
    }
    if let Some(c) = &a.address_coding {
        map.serialize_entry("addressCoding", c)?;
    }
    Ok(())
}

impl Serialize for Address {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        serialize_address_fields(&mut map, self)?;
        map.end()
    }
}

impl Serialize for UserAgent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        serialize_address_fields(&mut map, &self.address)?;
        if let Some(seq) = self.sequence {
            map.serialize_entry("sequence", &seq)?;
        }
        map.end()
    }
}

/// Reads an address object; with `sequence` allowed, the `UserAgent` form.
fn address_from_map<'de, A: MapAccess<'de>>(
    mut map: A,
    allow_sequence: bool,
) -> Result<(Address, Option<u64>), A::Error> {
    let mut kind_value: Option<(AddressKind, String)> = None;
    let mut display_only = None;
    let mut address_coding = None;
    let mut sequence = None;
    while let Some(key) = map.next_key::<Cow<'de, str>>()? {
        match key.as_ref() {
            "displayOnly" => display_only = Some(map.next_value::<bool>()?),
            "addressCoding" => address_coding = Some(map.next_value::<AddressCoding>()?),
            "sequence" if allow_sequence => sequence = Some(map.next_value::<u64>()?),
            // Derived from `Number` by reports (`mm7 decode`); the number itself is what is
            // read back.
            "normalized" => {
                map.next_value::<de::IgnoredAny>()?;
            }
            other => {
                let Some(kind) = AddressKind::from_element_name(other) else {
                    return Err(de::Error::unknown_field(other, ADDRESS_FIELDS));
                };
                if kind_value.is_some() {
                    return Err(de::Error::custom(
                        "an address has exactly one of Number, ShortCode, RFC2822Address",
                    ));
                }
                kind_value = Some((kind, map.next_value::<String>()?));
            }
        }
    }
    let (kind, value) = kind_value
        .ok_or_else(|| de::Error::custom("an address needs Number, ShortCode or RFC2822Address"))?;
    Ok((
        Address {
            kind,
            value,
            display_only,
            address_coding,
        },
        sequence,
    ))
}

const ADDRESS_FIELDS: &[&str] = &[
    "Number",
    "ShortCode",
    "RFC2822Address",
    "displayOnly",
    "addressCoding",
];

struct AddressVisitor {
    user_agent: bool,
}

impl<'de> Visitor<'de> for AddressVisitor {
    type Value = (Address, Option<u64>);
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an address object such as {\"Number\": \"15551234567\"}")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        address_from_map(map, self.user_agent)
    }
}

impl<'de> Deserialize<'de> for Address {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(AddressVisitor { user_agent: false })
            .map(|(a, _)| a)
    }
}

impl<'de> Deserialize<'de> for UserAgent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(AddressVisitor { user_agent: true })
            .map(|(address, sequence)| UserAgent { address, sequence })
    }
}

/// Whether a part's body is shown as `Text`: a textual media type and a UTF-8 body.
fn text_body<'a>(part: &Part, data: &'a Bytes) -> Option<&'a str> {
    let media = part.media_type();
    let textual = media
        .get(..5)
        .is_some_and(|p| p.eq_ignore_ascii_case("text/"))
        || media.eq_ignore_ascii_case("application/smil")
        || media.eq_ignore_ascii_case("application/xml")
        || media
            .rsplit_once('+')
            .is_some_and(|(_, suffix)| suffix.eq_ignore_ascii_case("xml"));
    textual.then(|| std::str::from_utf8(data).ok()).flatten()
}

impl Serialize for Part {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("ContentType", &self.content_type)?;
        if let Some(v) = &self.content_id {
            map.serialize_entry("ContentID", v)?;
        }
        if let Some(v) = &self.content_location {
            map.serialize_entry("ContentLocation", v)?;
        }
        if let Some(v) = &self.filename {
            map.serialize_entry("Filename", v)?;
        }
        match &self.body {
            PartBody::Multipart(parts) => map.serialize_entry("Parts", parts)?,
            PartBody::Data(data) => match text_body(self, data) {
                Some(text) => map.serialize_entry("Text", text)?,
                None => map.serialize_entry("Base64", &crate::base64::encode(data))?,
            },
        }
        map.end()
    }
}

const PART_FIELDS: &[&str] = &[
    "ContentType",
    "ContentID",
    "ContentLocation",
    "Filename",
    "Text",
    "Base64",
    "Parts",
];

struct PartVisitor;

impl<'de> Visitor<'de> for PartVisitor {
    type Value = Part;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a MIME part object with ContentType and one of Text, Base64, Parts")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Part, A::Error> {
        let mut content_type = None;
        let mut content_id = None;
        let mut content_location = None;
        let mut filename = None;
        let mut body = None;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "ContentType" => content_type = Some(map.next_value::<String>()?),
                "ContentID" => content_id = Some(map.next_value::<String>()?),
                "ContentLocation" => content_location = Some(map.next_value::<String>()?),
                "Filename" => filename = Some(map.next_value::<String>()?),
                kind @ ("Text" | "Base64" | "Parts") => {
                    if body.is_some() {
                        return Err(de::Error::custom(
                            "a part has exactly one of Text, Base64, Parts",
                        ));
                    }
                    body = Some(match kind {
                        "Text" => PartBody::Data(Bytes::from(map.next_value::<String>()?)),
                        "Base64" => {
                            let text = map.next_value::<Cow<'de, str>>()?;
                            let data = crate::base64::decode(&text).map_err(|at| {
                                de::Error::custom(format_args!(
                                    "Base64: invalid character at byte {at}"
                                ))
                            })?;
                            PartBody::Data(Bytes::from(data))
                        }
                        _ => PartBody::Multipart(map.next_value::<Vec<Part>>()?),
                    });
                }
                other => return Err(de::Error::unknown_field(other, PART_FIELDS)),
            }
        }
        Ok(Part {
            content_type: content_type.ok_or_else(|| de::Error::missing_field("ContentType"))?,
            content_id,
            content_location,
            filename,
            body: body
                .ok_or_else(|| de::Error::custom("a part needs one of Text, Base64, Parts"))?,
        })
    }
}

impl<'de> Deserialize<'de> for Part {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(PartVisitor)
    }
}

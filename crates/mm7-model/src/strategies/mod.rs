//! proptest strategies for every MM7 type (feature `proptest`), for round-trip tests of
//! this crate's JSON view and of codecs built on the model.
//!
//! The values are chosen to survive a faithful XML codec:
//! * text has no leading or trailing whitespace and no control characters, but does contain
//!   `&`, `<`, `>`, quotes and non-ASCII letters, to exercise escaping;
//! * `Status/Details` (kept as raw inner XML) is plain text without markup characters;
//! * dates and durations are well-formed, with their text in the canonical shapes peers send
//!   (fractions, `Z`, `±hh:mm`, no offset);
//! * open enumerations are either a known value or an `Other` that cannot be mistaken for
//!   one (`x-…`).
//!
//! Use [`message`] / [`envelope`] for anything, or [`message_for`] / [`envelope_for`] for
//! values a given schema can carry (elements and operations the schema lacks removed).
//!
//! ```
//! use mm7_model::strategies;
//! use proptest::prelude::*;
//! use proptest::test_runner::TestRunner;
//!
//! let mut runner = TestRunner::default();
//! runner
//!     .run(&strategies::envelope(), |env| {
//!         prop_assert!(!env.message.operation_name().is_empty());
//!         Ok(())
//!     })
//!     .expect("every generated envelope has an operation name");
//! ```

mod messages;

pub use messages::*;

use bytes::Bytes;
use proptest::collection::vec;
use proptest::option::of;
use proptest::prelude::*;

use crate::address::{Address, AddressKind, Recipients, SenderIdentification};
use crate::content::{ContentRef, Part};
use crate::enums::{
    AddressCoding, Channel, ChargedParty, ContentClass, MessageClass, MmStatus, MmStatusExtension,
    Priority,
};
use crate::envelope::Envelope;
use crate::messages::Message;
use crate::messages::common::{
    AdditionalInformation, ExtraDataElement, MessageExtraData, UaCapabilities,
};
use crate::schema::ADDRESS_CODING_SINCE;
use crate::status::{Status, StatusCode};
use crate::time::{DateTime, Duration, RelativeOrAbsolute};
use crate::version::{Mm7Version, Namespace, SchemaId};

const TEXT: &str =
    "[A-Za-z0-9&<>\"'@._+é-]([A-Za-z0-9 &<>\"'@._+é-]{0,14}[A-Za-z0-9&<>\"'@._+é-])?";

/// Non-empty text without surrounding whitespace, with characters XML must escape.
pub fn text() -> impl Strategy<Value = String> {
    TEXT
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    of(text())
}

/// Any schema id.
pub fn schema_id() -> impl Strategy<Value = SchemaId> {
    proptest::sample::select(SchemaId::ALL.to_vec())
}

/// A namespace: canonical, or a lenient spelling peers use.
pub fn namespace() -> impl Strategy<Value = Namespace> {
    (schema_id(), 0..3u8).prop_filter_map("namespace", |(s, style)| match style {
        0 => Some(Namespace::canonical(s)),
        1 => Namespace::parse(&s.namespace().replacen("http:", "https:", 1)).ok(),
        _ => Namespace::parse(&format!("{}/", s.namespace())).ok(),
    })
}

/// An `MM7Version`: a schema default or another `x.y.z`.
pub fn mm7_version() -> impl Strategy<Value = Mm7Version> {
    prop_oneof![
        schema_id().prop_map(Mm7Version::for_schema),
        (5..7u16, 0..12u16, 0..3u16).prop_map(|(a, b, c)| Mm7Version::new(format!("{a}.{b}.{c}"))),
    ]
}

macro_rules! open_enum_strategy {
    ($(#[$doc:meta])* $fn:ident, $ty:ident) => {
        $(#[$doc])*
        pub fn $fn() -> impl Strategy<Value = $ty> {
            prop_oneof![
                4 => proptest::sample::select($ty::KNOWN).prop_map($ty::parse),
                1 => "x-[a-z]{1,6}".prop_map(|s| $ty::parse(&s)),
            ]
        }
    };
}

open_enum_strategy!(
    /// A `MessageClass`.
    message_class, MessageClass);
open_enum_strategy!(
    /// A `Priority`.
    priority, Priority);
open_enum_strategy!(
    /// A `ChargedParty`.
    charged_party, ChargedParty);
open_enum_strategy!(
    /// An `MMStatus`.
    mm_status, MmStatus);
open_enum_strategy!(
    /// An `MMStatusExtension`.
    mm_status_extension, MmStatusExtension);
open_enum_strategy!(
    /// A `ContentClass`.
    content_class, ContentClass);
open_enum_strategy!(
    /// An `addressCoding`.
    address_coding, AddressCoding);
open_enum_strategy!(
    /// A `DeliverUsing` channel.
    channel, Channel);

/// An address of any kind, with or without attributes.
pub fn address() -> impl Strategy<Value = Address> {
    let kind = prop_oneof![
        Just(AddressKind::Number),
        Just(AddressKind::ShortCode),
        Just(AddressKind::Rfc2822)
    ];
    (
        kind,
        "\\+?[0-9]{4,15}",
        text(),
        of(any::<bool>()),
        of(address_coding()),
    )
        .prop_map(
            |(kind, number, other, display_only, address_coding)| Address {
                value: match kind {
                    AddressKind::Rfc2822 => format!("{other}@example.com"),
                    _ => number,
                },
                kind,
                display_only,
                address_coding,
            },
        )
}

/// `Recipients` with at least one address.
pub fn recipients() -> impl Strategy<Value = Recipients> {
    (
        vec(address(), 0..3),
        vec(address(), 0..2),
        vec(address(), 0..2),
    )
        .prop_filter("a recipient", |(t, c, b)| {
            !(t.is_empty() && c.is_empty() && b.is_empty())
        })
        .prop_map(|(to, cc, bcc)| Recipients { to, cc, bcc })
}

/// `SenderIdentification`.
pub fn sender_identification() -> impl Strategy<Value = SenderIdentification> {
    (opt_text(), opt_text(), of(address())).prop_map(|(vasp_id, vas_id, sender_address)| {
        SenderIdentification {
            vasp_id,
            vas_id,
            sender_address,
        }
    })
}

/// An `xs:dateTime` in the shapes MMSCs send.
pub fn date_time() -> impl Strategy<Value = DateTime> {
    let date = (1970..2100u16, 1..=12u8, 1..=28u8);
    let time = (0..24u8, 0..60u8, 0..60u8);
    let frac = of("[0-9]{1,3}");
    let offset = prop_oneof![
        Just(String::from("Z")),
        Just(String::new()),
        (any::<bool>(), 0..15u8, prop_oneof![Just(0u8), Just(30u8)])
            .prop_map(|(neg, h, m)| format!("{}{h:02}:{m:02}", if neg { '-' } else { '+' })),
    ];
    (date, time, frac, offset).prop_filter_map("date-time", |((y, mo, d), (h, mi, s), f, o)| {
        let frac = f.map(|f| format!(".{f}")).unwrap_or_default();
        DateTime::parse(&format!(
            "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{frac}{o}"
        ))
        .ok()
    })
}

/// An `xs:duration`.
pub fn duration() -> impl Strategy<Value = Duration> {
    let parts = (
        of(0..5u32),
        of(0..13u32),
        of(0..40u32),
        of(0..48u32),
        of(0..90u32),
        of(0..90u32),
    );
    (any::<bool>(), parts).prop_filter_map("duration", |(neg, (y, mo, d, h, mi, s))| {
        let mut t = String::from(if neg { "-P" } else { "P" });
        let push = |t: &mut String, v: Option<u32>, unit: char| {
            if let Some(v) = v {
                t.push_str(&format!("{v}{unit}"));
            }
        };
        push(&mut t, y, 'Y');
        push(&mut t, mo, 'M');
        push(&mut t, d, 'D');
        if h.is_some() || mi.is_some() || s.is_some() {
            t.push('T');
            push(&mut t, h, 'H');
            push(&mut t, mi, 'M');
            push(&mut t, s, 'S');
        }
        Duration::parse(&t).ok()
    })
}

/// A `relativeOrAbsoluteDateType` value.
pub fn relative_or_absolute() -> impl Strategy<Value = RelativeOrAbsolute> {
    prop_oneof![
        date_time().prop_map(RelativeOrAbsolute::Absolute),
        duration().prop_map(RelativeOrAbsolute::Relative),
    ]
}

/// A status code: mostly standard, sometimes a vendor code.
pub fn status_code() -> impl Strategy<Value = StatusCode> {
    prop_oneof![
        4 => proptest::sample::select(StatusCode::STANDARD.to_vec()),
        1 => (1..10_000u32).prop_map(StatusCode::new),
    ]
}

/// A `Status` with `StatusText` (as `responseStatusType` requires).
pub fn status() -> impl Strategy<Value = Status> {
    (status_code(), text(), of("[A-Za-z0-9 ]{1,12}")).prop_map(|(code, text, details)| Status {
        code,
        text: Some(text),
        details: details
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty()),
    })
}

fn content_ref() -> impl Strategy<Value = ContentRef> {
    ("[a-z0-9]{1,8}", of(any::<bool>())).prop_map(|(id, allow_adaptations)| ContentRef {
        href: format!("cid:{id}@mm7"),
        allow_adaptations,
    })
}

/// A MIME part tree, up to three levels deep.
pub fn part() -> impl Strategy<Value = Part> {
    let media = proptest::sample::select(vec![
        "text/plain; charset=utf-8",
        "image/gif",
        "image/jpeg",
        "application/smil",
        "audio/amr",
    ]);
    let leaf = (
        media,
        vec(any::<u8>(), 0..64),
        text(),
        of("[a-z0-9]{1,8}"),
        of("[a-z0-9]{1,8}\\.[a-z]{3}"),
        of("[a-z0-9]{1,8}\\.[a-z]{3}"),
    )
        .prop_map(|(media, bytes, words, id, location, filename)| {
            let data = if media.starts_with("text/") || media == "application/smil" {
                Bytes::from(words)
            } else {
                Bytes::from(bytes)
            };
            Part {
                content_type: media.to_owned(),
                content_id: id,
                content_location: location,
                filename,
                body: crate::content::PartBody::Data(data),
            }
        });
    leaf.prop_recursive(3, 12, 4, |inner| {
        (
            proptest::sample::select(vec![
                "multipart/mixed",
                "multipart/related; type=\"application/smil\"",
            ]),
            vec(inner, 0..4),
            of("[a-z0-9]{1,8}"),
        )
            .prop_map(|(media, parts, id)| Part {
                content_id: id,
                ..Part::multipart(media, parts)
            })
    })
}

fn extra_data() -> impl Strategy<Value = MessageExtraData> {
    vec((text(), text()), 1..3).prop_map(|kv| MessageExtraData {
        elements: kv
            .into_iter()
            .map(|(key, value)| ExtraDataElement { key, value })
            .collect(),
    })
}

fn additional_information() -> impl Strategy<Value = Vec<AdditionalInformation>> {
    vec("[a-z0-9]{1,8}", 0..3).prop_map(|ids| {
        ids.into_iter()
            .map(|id| AdditionalInformation {
                href: format!("cid:{id}"),
            })
            .collect()
    })
}

fn ua_capabilities() -> impl Strategy<Value = UaCapabilities> {
    (opt_text(), of(relative_or_absolute())).prop_map(|(ua_prof, time_stamp)| UaCapabilities {
        ua_prof,
        time_stamp,
    })
}

/// Three REL-6 application-addressing strings.
fn applic() -> impl Strategy<Value = (Option<String>, Option<String>, Option<String>)> {
    (opt_text(), opt_text(), opt_text())
}

/// Any message, every operation and the Fault equally likely.
pub fn message() -> impl Strategy<Value = Message> {
    prop_oneof![
        submit_req().prop_map(Message::from),
        submit_rsp().prop_map(Message::from),
        deliver_req().prop_map(Message::from),
        deliver_rsp().prop_map(Message::from),
        cancel_req().prop_map(Message::from),
        cancel_rsp().prop_map(Message::from),
        replace_req().prop_map(Message::from),
        replace_rsp().prop_map(Message::from),
        delivery_report_req().prop_map(Message::from),
        delivery_report_rsp().prop_map(Message::from),
        read_reply_req().prop_map(Message::from),
        read_reply_rsp().prop_map(Message::from),
        rs_error_rsp().prop_map(Message::from),
        vasp_error_rsp().prop_map(Message::from),
        extended_cancel_req().prop_map(Message::from),
        extended_cancel_rsp().prop_map(Message::from),
        extended_replace_req().prop_map(Message::from),
        extended_replace_rsp().prop_map(Message::from),
        soap_fault().prop_map(Message::from),
    ]
}

/// A message `schema` can carry: its operation is defined there, optional elements the
/// schema lacks are removed, and so is `addressCoding` before REL-6.
pub fn message_for(schema: SchemaId) -> impl Strategy<Value = Message> {
    message()
        .prop_filter("operation defined in the schema", move |m| {
            m.operation().is_none_or(|op| op.defined_in(schema))
        })
        .prop_map(move |mut m| {
            m.retain_schema(schema);
            if schema < ADDRESS_CODING_SINCE {
                m.for_each_address_mut(|a| a.address_coding = None);
            }
            m
        })
}

/// An envelope with any message and zero to two attachments.
pub fn envelope() -> impl Strategy<Value = Envelope> {
    (text(), namespace(), message(), vec(part(), 0..3)).prop_map(
        |(transaction_id, namespace, message, attachments)| Envelope {
            transaction_id,
            namespace,
            message,
            attachments,
        },
    )
}

/// An envelope whose message `schema` can carry (see [`message_for`]), in `schema`'s
/// canonical namespace.
pub fn envelope_for(schema: SchemaId) -> impl Strategy<Value = Envelope> {
    (text(), message_for(schema), vec(part(), 0..3)).prop_map(
        move |(transaction_id, message, attachments)| Envelope {
            transaction_id,
            namespace: Namespace::canonical(schema),
            message,
            attachments,
        },
    )
}

//! # mm7-model
//!
//! The typed model of 3GPP MM7 (TS 23.140), the SOAP interface between a value-added
//! service provider (VASP) and an MMS relay/server (MMSC): every operation of Release 5 and
//! Release 6 as an owned struct, addresses, status codes, the eleven schema versions, the
//! content tree, per-version element tables, validation and a JSON view. No I/O and no XML:
//! `mm7-soap` decodes XML into these types and encodes them back.
//!
//! | module | what |
//! |---|---|
//! | [`version`] | [`SchemaId`] (the 11 schemas), [`Namespace`] (as received), [`Mm7Version`] |
//! | [`messages`] | one struct per operation, [`Message`] over all, [`SoapFault`] |
//! | [`envelope`] | [`Envelope`]: TransactionID, namespace, body, attachments |
//! | [`address`] | [`Address`], [`Recipients`], [`SenderIdentification`] |
//! | [`number`] | phone numbers: the formats providers want, the comparison form |
//! | [`status`] | [`StatusCode`] (open, with every standard code) and [`Status`] |
//! | [`enums`] | open enumerations ([`MmStatus`], [`MessageClass`], …) and [`parse_bool`] |
//! | [`time`] | [`DateTime`], [`Duration`], [`RelativeOrAbsolute`], text kept as received |
//! | [`content`] | the [`Part`] tree (bodies are `Bytes`) and the [`ContentRef`] |
//! | [`schema`] | per operation, the elements in schema order and the schema that added each |
//! | [`validate`] | what a schema requires and lacks |
//! | [`builder`] | [`SubmitReqBuilder`] |
//! | [`media`] | media types by file extension, with handset compatibility |
//! | [`smil`] | SMIL presentations generated from the content parts |
//!
//! ## Sending a picture with text
//!
//! ```
//! use mm7_model::{Address, Duration, Part, SchemaId, SubmitReq};
//!
//! let jpeg = bytes::Bytes::from_static(b"\xFF\xD8\xFF\xE0...");
//! let envelope = SubmitReq::builder(SchemaId::Rel5Mm7_1_3)
//!     .mm7_version("5.3.0") // what many MMSCs expect, whatever the namespace
//!     .vasp_id("TNN")
//!     .vas_id("News")
//!     .sender(Address::short_code("63901"))
//!     .to(Address::number("15551234567"))
//!     .subject("News for today")
//!     .delivery_report(true)
//!     .expiry(Duration::days(1))
//!     .text("Science news, new Saturn pictures...")
//!     .part(Part::new("image/jpeg", jpeg).with_content_id("saturn.jpg"))
//!     .build("vas00001-sub")?;
//!
//! assert_eq!(envelope.message.operation_name(), "SubmitReq");
//! # Ok::<(), mm7_model::ValidationErrors>(())
//! ```
//!
//! ## Messages grow: building one by hand
//!
//! Each schema release adds elements, so the operation structs are `#[non_exhaustive]`: a new
//! field is not a breaking change. Start from `Default` (or an operation's `new` with its
//! required elements) and set fields:
//!
//! ```
//! use mm7_model::{Address, DeliveryReportReq, MmStatus, SenderIdentification, SubmitReq};
//!
//! let mut req = SubmitReq::default();
//! req.mm7_version = "6.8.0".into();
//! req.sender_identification = Some(SenderIdentification::default());
//! req.recipients.to.push(Address::number("15551234567"));
//! req.subject = Some("Hi".into());
//!
//! let report = DeliveryReportReq::new(
//!     "6.8.0",
//!     "msg-1",
//!     Address::number("15551234567"),
//!     Address::short_code("63901"),
//!     mm7_model::DateTime::from_unix(1_700_000_000).expect("in range"),
//!     MmStatus::Retrieved,
//! );
//! assert_eq!(report.mm_status, MmStatus::Retrieved);
//! ```
//!
//! ## The JSON view
//!
//! With the `serde` feature, every type has a JSON form that mirrors the XML (element names
//! as keys, attributes as plain keys, repeatable elements as arrays; see the `serde_view` module
//! for the conventions), readable next to a provider's MM7 documentation:
//!
//! ```
//! # #[cfg(feature = "serde")]
//! # {
//! use mm7_model::{Address, SchemaId, SubmitReq};
//!
//! let envelope = SubmitReq::builder(SchemaId::Rel6Mm7_1_4)
//!     .sender(Address::short_code("63901"))
//!     .to(Address::number("15551234567"))
//!     .subject("Hello")
//!     .build("tx-1")
//!     .expect("valid");
//! let json = serde_json::to_value(&envelope).expect("serializable");
//! assert_eq!(json["SubmitReq"]["Recipients"]["To"][0]["Number"], "15551234567");
//! assert_eq!(json["SubmitReq"]["MM7Version"], "6.8.0");
//! println!("{}", serde_json::to_string_pretty(&envelope).expect("serializable"));
//!
//! let back: mm7_model::Envelope = serde_json::from_value(json).expect("deserializable");
//! assert_eq!(back, envelope);
//! # }
//! ```
//!
//! ## Features
//!
//! * `serde`: the JSON view (`Serialize`/`Deserialize` for everything).
//! * `proptest`: the `strategies` module, proptest strategies for every message, to test codecs.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod address;
#[cfg(feature = "serde")]
mod base64;
pub mod builder;
pub mod content;
pub mod enums;
pub mod envelope;
pub mod media;
pub mod messages;
pub mod number;
pub mod schema;
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
pub mod serde_view;
pub mod smil;
pub mod status;
#[cfg(feature = "proptest")]
#[cfg_attr(docsrs, doc(cfg(feature = "proptest")))]
pub mod strategies;
pub mod time;
pub mod validate;
pub mod version;

pub use address::{Address, AddressKind, Recipients, SenderIdentification, UserAgent};
pub use builder::SubmitReqBuilder;
pub use content::{ContentRef, Part, PartBody};
pub use enums::{
    AddressCoding, Channel, ChargedParty, ContentClass, MessageClass, MmStatus, MmStatusExtension,
    OpenEnumeration, Priority, parse_bool,
};
pub use envelope::Envelope;
pub use messages::cancel::{CancelReq, CancelRsp};
pub use messages::common::{
    AdditionalInformation, DeliveryCondition, ExtraDataElement, MessageExtraData,
    PreferredChannels, PreviouslySentBy, PreviouslySentDateAndTime, ReplyCharging,
    SequencedDateTime, UaCapabilities,
};
pub use messages::deliver::{DeliverReq, DeliverRsp};
pub use messages::extended::{
    ExtendedCancelReq, ExtendedCancelRsp, ExtendedReplaceReq, ExtendedReplaceRsp,
};
pub use messages::fault::{FaultDetail, RsErrorRsp, SoapFault, VaspErrorRsp};
pub use messages::read_reply::{ReadReplyReq, ReadReplyRsp};
pub use messages::replace::{ReplaceReq, ReplaceRsp};
pub use messages::report::{DeliveryReportReq, DeliveryReportRsp};
pub use messages::submit::{SubmitReq, SubmitRsp};
pub use messages::{Message, UnexpectedMessage};
pub use schema::{ElementSpec, MessageElements, Operation};
pub use status::{Status, StatusClass, StatusCode, StatusCodeError};
pub use time::{DateTime, Duration, RelativeOrAbsolute, TimeError};
pub use validate::{ValidationError, ValidationErrors};
pub use version::{Mm7Version, Namespace, NamespaceError, NamespaceMatch, SchemaId};

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

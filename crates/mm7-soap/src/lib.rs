//! # mm7-soap
//!
//! The SOAP 1.1 codec of MM7 (3GPP TS 23.140): XML to and from the typed messages of
//! [`mm7_model`], for every schema version, through a streaming reader that reads the common
//! markup itself and leaves the rest to the `xmlparser` tokenizer; and SOAP with attachments
//! (a `multipart/related` HTTP body, through [`mm7_mime`]).
//!
//! Reading is lenient, as real MMSCs require: any prefixes, `https://` or trailing-slash
//! namespaces, unknown releases mapped to the nearest known one, elements in any order,
//! unknown elements skipped with a [`Warning`], values outside an enumeration kept, schema-required
//! elements a handler can do without read as absent (the table below), every WHATWG charset. It is strict where leniency would lose or invent
//! data: the whole document must be well-formed XML, a request carries exactly one
//! TransactionID (see [`DecodeOptions::allow_missing_transaction_id`]), an envelope in another
//! namespace than SOAP 1.1's is a `VersionMismatch`, and an attachment's base64 must be
//! base64 (spaces and a missing final `=` aside). Writing is exact: the schema's element order,
//! only the elements the target schema defines, escaped text, `mustUnderstand="1"` on the
//! TransactionID, and the namespace URI and MM7Version carried by the [`Envelope`] (so an
//! answer echoes the pair the peer used).
//!
//! ## What a request may lack
//!
//! A request without an element its schema requires is refused with
//! [`DecodeErrorKind::MissingElement`] (4004) only when a handler cannot act on the message
//! without it; the others are read as absent, with a [`Warning`] naming the element (a
//! required value present but empty, such as `<MessageID/>`, counts as absent):
//!
//! | operation | refused without | read without, with a warning |
//! |---|---|---|
//! | `SubmitReq` | `Recipients` (whom to send to) | `MM7Version`, `SenderIdentification` |
//! | `DeliverReq` | — | `MM7Version`, `Sender` (an anonymous message from a terminal: real MMSCs send it) |
//! | `CancelReq`, `ReplaceReq` | `MessageID` (which message) | `MM7Version`, `SenderIdentification` |
//! | `DeliveryReportReq` | `MessageID`, `Recipient`, `Sender`, `Date`, `MMStatus` | `MM7Version` |
//! | `ReadReplyReq` | `MessageID`, `Recipient`, `Sender`, `TimeStamp`, `MMStatus` | `MM7Version` |
//! | `extendedCancelReq` | `CancelID` | `MM7Version`, `SenderIdentification` |
//! | `extendedReplaceReq` | `ReplaceID` | `MM7Version` |
//!
//! `MM7Version` is read as empty (nothing else depends on it); `SenderIdentification`'s
//! children are all optional anyway. A report's `Sender` and `Date` are still needed, as the
//! model holds them. A response is refused only when it lacks its `Status` (or `Status` its
//! `StatusCode`). A `To`, `Cc` or `Bcc` with no address is named as the cause, with what it
//! held instead ([`DecodeErrorKind::NoAddress`]).
//!
//! Every decode error maps to the MM7 status code to answer it with
//! ([`DecodeError::status_code`]), and carries the TransactionID when it was read first.
//!
//! ```
//! let xml = br#"<?xml version="1.0"?>
//! <env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">
//!   <env:Header>
//!     <mm7:TransactionID xmlns:mm7="http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"
//!       env:mustUnderstand="1">tx-1</mm7:TransactionID>
//!   </env:Header>
//!   <env:Body>
//!     <DeliveryReportRsp xmlns="http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4">
//!       <MM7Version>6.8.0</MM7Version>
//!       <Status><StatusCode>1000</StatusCode><StatusText>Success</StatusText></Status>
//!     </DeliveryReportRsp>
//!   </env:Body>
//! </env:Envelope>"#;
//! let decoded = mm7_soap::decode_xml(xml, &mm7_soap::DecodeOptions::default())?;
//! assert_eq!(decoded.envelope.transaction_id, "tx-1");
//! assert_eq!(decoded.envelope.message.operation_name(), "DeliveryReportRsp");
//!
//! // Encoding it again gives XML that decodes to the same envelope.
//! let xml = mm7_soap::encode_xml(&decoded.envelope, &mm7_soap::EncodeOptions::default())?;
//! let again = mm7_soap::decode_xml(xml.as_bytes(), &Default::default())?;
//! assert_eq!(again.envelope, decoded.envelope);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod decode;
mod encode;
mod envelope;
mod error;
mod package;
mod transfer;
pub mod xml;

use mm7_model::{Envelope, Message, Mm7Version, Namespace, NamespaceMatch, Operation, SchemaId};

pub use encode::is_xml_prefix;
pub use envelope::{EnvelopeLimits, SOAP_ENVELOPE_NS, is_soap_envelope_ns};
pub use error::{
    DecodeError, DecodeErrorDetails, DecodeErrorKind, EncodeError, FaultCode, MimeError, Warning,
};
pub use mm7_mime::TransferEncoding;
/// The typed messages this codec reads and writes: one dependency suffices for decoding.
pub use mm7_model;
pub use package::{Encoded, decode, encode};
pub use transfer::{TransferEncodingPolicy, UnknownTransferEncoding};

use error::Context;

/// Options of the decoder.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct DecodeOptions {
    /// Limits of the XML reader and the envelope.
    pub limits: EnvelopeLimits,
    /// Options of the MIME parser (limits, strictness), for SOAP with attachments.
    pub mime: mm7_mime::ParseOptions,
    /// Accept a request without a TransactionID header entry, with a
    /// [`Warning::MissingTransactionId`] (its TransactionID is then empty). `false` (the
    /// default) refuses it with [`DecodeErrorKind::MissingTransactionId`] (4004): TS 23.140
    /// makes the TransactionID mandatory, and the answer must echo it. A response or a Fault
    /// without one is always read, with the warning: it reports what the peer did.
    pub allow_missing_transaction_id: bool,
}

/// A decoded message and what was accepted leniently on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Decoded {
    /// The message. Its `attachments` hold the content parts of a SOAP-with-attachments body
    /// (empty for a bare `text/xml` body).
    pub envelope: Envelope,
    /// What was read leniently: worth logging, never a reason to refuse.
    pub warnings: Vec<Warning>,
}

/// How the MM7 elements are qualified when encoding. Some MMSCs accept only one style.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum PrefixStyle {
    /// `<mm7:SubmitReq xmlns:mm7="…"><mm7:MM7Version>…`: every element prefixed.
    Prefixed(String),
    /// `<SubmitReq xmlns="…"><MM7Version>…`: a default namespace on the operation element and
    /// on the TransactionID.
    #[default]
    DefaultNamespace,
}

/// Options of the encoder.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EncodeOptions {
    /// How MM7 elements are qualified.
    pub prefix_style: PrefixStyle,
    /// The SOAP envelope's prefix (`env` by default; `soapenv`, `SOAP-ENV` and `S` are common).
    pub envelope_prefix: String,
    /// When the message has an element the target schema lacks: `false` (the default) makes
    /// that an [`EncodeError::NotInSchema`]; `true` drops the element and reports a
    /// [`Warning`] instead.
    pub drop_undefined: bool,
    /// The `Content-Transfer-Encoding` of attachment parts without a choice of their own
    /// (`binary` by default).
    pub transfer_encoding: TransferEncodingPolicy,
    /// The `Content-Transfer-Encoding` of single parts, by Content-ID (without angle
    /// brackets): these win over [`transfer_encoding`](Self::transfer_encoding). A
    /// [`TransferEncoding::Other`] cannot be written ([`EncodeError::Content`]).
    pub part_transfer_encodings: Vec<(String, TransferEncoding)>,
}

impl Default for EncodeOptions {
    fn default() -> Self {
        EncodeOptions {
            prefix_style: PrefixStyle::default(),
            envelope_prefix: "env".to_string(),
            drop_undefined: false,
            transfer_encoding: TransferEncodingPolicy::Binary,
            part_transfer_encodings: Vec::new(),
        }
    }
}

impl DecodeOptions {
    /// These limits of the XML reader and the envelope.
    #[must_use]
    pub fn with_limits(mut self, limits: EnvelopeLimits) -> DecodeOptions {
        self.limits = limits;
        self
    }

    /// These options of the MIME parser.
    #[must_use]
    pub fn with_mime(mut self, mime: mm7_mime::ParseOptions) -> DecodeOptions {
        self.mime = mime;
        self
    }

    /// See [`allow_missing_transaction_id`](Self::allow_missing_transaction_id).
    #[must_use]
    pub fn with_allow_missing_transaction_id(mut self, allow: bool) -> DecodeOptions {
        self.allow_missing_transaction_id = allow;
        self
    }
}

impl Decoded {
    /// A decoded message with what was accepted leniently on the way.
    pub fn new(envelope: Envelope, warnings: Vec<Warning>) -> Decoded {
        Decoded { envelope, warnings }
    }
}

impl EncodeOptions {
    /// Qualifies the MM7 elements this way.
    #[must_use]
    pub fn with_prefix_style(mut self, style: PrefixStyle) -> EncodeOptions {
        self.prefix_style = style;
        self
    }

    /// Writes the SOAP envelope with this prefix.
    #[must_use]
    pub fn with_envelope_prefix(mut self, prefix: impl Into<String>) -> EncodeOptions {
        self.envelope_prefix = prefix.into();
        self
    }

    /// See [`drop_undefined`](Self::drop_undefined).
    #[must_use]
    pub fn with_drop_undefined(mut self, drop: bool) -> EncodeOptions {
        self.drop_undefined = drop;
        self
    }

    /// The `Content-Transfer-Encoding` of attachment parts without a choice of their own.
    #[must_use]
    pub fn with_transfer_encoding(mut self, policy: TransferEncodingPolicy) -> EncodeOptions {
        self.transfer_encoding = policy;
        self
    }

    /// The `Content-Transfer-Encoding` of the part with this Content-ID (without angle
    /// brackets), over [`transfer_encoding`](Self::transfer_encoding).
    #[must_use]
    pub fn with_part_transfer_encoding(
        mut self,
        content_id: impl Into<String>,
        encoding: TransferEncoding,
    ) -> EncodeOptions {
        self.part_transfer_encodings
            .push((content_id.into(), encoding));
        self
    }
}

/// Decodes a SOAP envelope (the bytes of a `text/xml` body, or of the root part of a
/// multipart one).
///
/// # Errors
/// A [`DecodeError`] with the status code to answer, the position, and the TransactionID,
/// namespace, MM7Version and operation when they were read before the error.
pub fn decode_xml(xml: &[u8], options: &DecodeOptions) -> Result<Decoded, DecodeError> {
    decode_xml_with_charset(xml, None, options)
}

/// As [`decode_xml`], for a document that came with a `charset` parameter (of the HTTP
/// Content-Type, or of the SOAP part's): that charset is authoritative over a byte order
/// mark and the XML declaration (RFC 7303 §3; see [`xml::document_text_with_charset`]).
///
/// # Errors
/// As [`decode_xml`]; a charset that names no encoding is 2007 naming it.
pub fn decode_xml_with_charset(
    xml: &[u8],
    charset: Option<&str>,
    options: &DecodeOptions,
) -> Result<Decoded, DecodeError> {
    let mut warnings = Vec::new();
    // The message is decoded in this slot and moved once, into the answer: built further down
    // and returned, it (about a kilobyte) was copied at each step.
    let mut message = None;
    match decode_document(xml, charset, options, &mut warnings, &mut message) {
        Ok(head) => match message {
            Some(message) => Ok(Decoded {
                envelope: Envelope {
                    transaction_id: head.transaction_id,
                    namespace: head.namespace,
                    message,
                    attachments: Vec::new(),
                },
                warnings,
            }),
            // `decode_document` answers an error when its slot is empty.
            None => Err(DecodeError::new(DecodeErrorKind::EmptyBody)),
        },
        Err(mut error) => {
            error.warnings = warnings;
            Err(error)
        }
    }
}

/// What [`decode_document`] read besides the message.
struct Head {
    transaction_id: String,
    namespace: Namespace,
}

/// [`decode_xml_with_charset`], the warnings gathered in `warnings` either way and the
/// message decoded into `decoded_message` (never left empty when this answers `Ok`).
fn decode_document(
    xml: &[u8],
    charset: Option<&str>,
    options: &DecodeOptions,
    warnings: &mut Vec<Warning>,
    decoded_message: &mut Option<Message>,
) -> Result<Head, DecodeError> {
    let text = xml::document_text_with_charset(xml, charset)?;
    let envelope = envelope::read_envelope(&text, &options.limits, warnings, decoded_message)?;
    // What is known so far, for the errors past this point.
    let mut context = Context {
        transaction_id: envelope.transaction_id.as_deref(),
        ..Context::default()
    };
    let namespace = match envelope.body {
        envelope::Body::Fault(tree) => {
            let root = tree.root();
            context.operation = Some("Fault");
            let (fault, detail_namespace) = decode::decode_fault(root, &context, warnings)
                .map_err(|e| e.with_context(&context))?;
            let namespace = detail_namespace
                .or(envelope.transaction_namespace)
                .and_then(|uri| Namespace::parse(uri).ok())
                .unwrap_or_else(|| {
                    let version = fault.detail.as_ref().and_then(|d| d.mm7_version());
                    Namespace::canonical(schema_for_version(version))
                });
            *decoded_message = Some(Message::Fault(fault));
            namespace
        }
        envelope::Body::Operation(streamed) => {
            let root = streamed.element;
            let Some(decoded) = streamed.decoded else {
                return Err(DecodeError::at(
                    DecodeErrorKind::UnknownOperation(root.local.to_string()),
                    xml::Position::at(&text, root.offset),
                )
                .with_context(&context));
            };
            let operation = decoded.operation;
            if decoded.case_folded {
                warnings.push(Warning::Lenient(format!(
                    "operation <{}> read as <{}>",
                    root.local,
                    operation.element_name()
                )));
            }
            context.operation = Some(operation.element_name());
            if envelope.transaction_id.is_none()
                && operation.is_request()
                && !options.allow_missing_transaction_id
            {
                // Positioned at the request's element: the Header it should be in may not exist.
                return Err(DecodeError::at(
                    DecodeErrorKind::MissingTransactionId,
                    xml::Position::at(&text, root.offset),
                )
                .with_context(&context));
            }
            let version_text = streamed.version.as_deref();
            context.mm7_version = version_text;
            let namespace = namespace_for(
                operation,
                root.namespace,
                envelope.transaction_namespace,
                version_text,
                warnings,
            )
            .map_err(|e| {
                DecodeError::at(e, xml::Position::at(&text, root.offset)).with_context(&context)
            })?;
            let context = Context {
                namespace: Some(namespace.uri()),
                ..context
            };
            // The decoder's warnings come after those of the envelope and the namespace, as
            // they were found when the message was decoded after reading the envelope.
            let mut decode_warnings = decoded.warnings;
            if warnings.is_empty() {
                *warnings = decode_warnings;
            } else {
                warnings.append(&mut decode_warnings);
            }
            decoded.message.map_err(|e| e.with_context(&context))?;
            // A message decoded without error is in the slot; an empty slot would be a
            // decoder that read nothing, reported as the element it could not read.
            if decoded_message.is_none() {
                return Err(DecodeError::at(
                    DecodeErrorKind::UnknownOperation(root.local.to_string()),
                    xml::Position::at(&text, root.offset),
                )
                .with_context(&context));
            }
            namespace
        }
    };

    Ok(Head {
        transaction_id: envelope
            .transaction_id
            .map(std::borrow::Cow::into_owned)
            .unwrap_or_default(),
        namespace,
    })
}

/// The MM7 namespace of a message: the operation element's, else the TransactionID's, else
/// (with a warning) the canonical namespace of the schema the MM7Version names.
fn namespace_for(
    operation: Operation,
    element_namespace: Option<&str>,
    transaction_namespace: Option<&str>,
    mm7_version: Option<&str>,
    warnings: &mut Vec<Warning>,
) -> Result<Namespace, DecodeErrorKind> {
    let parsed = element_namespace
        .and_then(|uri| Namespace::parse(uri).ok())
        .or_else(|| transaction_namespace.and_then(|uri| Namespace::parse(uri).ok()));
    if let Some(namespace) = parsed {
        if namespace.matched() == NamespaceMatch::Nearest {
            warnings.push(Warning::NearestSchema {
                uri: namespace.uri().to_string(),
                schema: namespace.schema().id().to_string(),
            });
        }
        return Ok(namespace);
    }
    let version = mm7_version.map(Mm7Version::new);
    if let Some(version) = &version {
        match version.major() {
            Some(5 | 6) => {}
            _ => {
                return Err(DecodeErrorKind::UnsupportedVersion(
                    version.as_str().to_string(),
                ));
            }
        }
    }
    let schema = schema_for_version(version.as_ref());
    warnings.push(Warning::NoMm7Namespace {
        operation: operation.element_name().to_string(),
        uri: element_namespace.map(str::to_string),
        schema: schema.id().to_string(),
    });
    Ok(Namespace::canonical(schema))
}

fn schema_for_version(version: Option<&Mm7Version>) -> SchemaId {
    version
        .and_then(SchemaId::for_mm7_version)
        .unwrap_or(SchemaId::NEWEST)
}

/// Encodes an envelope as a SOAP 1.1 document (UTF-8, with an XML declaration).
///
/// The MM7 namespace is the envelope's namespace URI exactly as it stands (so an answer echoes
/// the request's); the elements written are those of the schema that namespace names, in that
/// schema's order.
///
/// # Errors
/// [`EncodeError`] when the message has an element its schema lacks (unless
/// [`EncodeOptions::drop_undefined`]), or lacks a required one.
pub fn encode_xml(envelope: &Envelope, options: &EncodeOptions) -> Result<String, EncodeError> {
    encode_xml_with_warnings(envelope, options).map(|(xml, _)| xml)
}

/// As [`encode_xml`], also returning what was dropped under [`EncodeOptions::drop_undefined`].
///
/// # Errors
/// As [`encode_xml`].
pub fn encode_xml_with_warnings(
    envelope: &Envelope,
    options: &EncodeOptions,
) -> Result<(String, Vec<Warning>), EncodeError> {
    let mut warnings = Vec::new();
    let xml = encode::encode_envelope(envelope, options, &mut warnings)?;
    Ok((xml, warnings))
}

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

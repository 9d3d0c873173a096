//! Decode and encode errors, warnings, and the one place that maps an error to the MM7 status
//! code a peer is answered with.
//!
//! | error | status code | why |
//! |---|---|---|
//! | XML that is not well-formed, a refused DOCTYPE, an encoding we cannot read, XML limits | 2007 Message format corrupt | the SOAP part cannot be read at all |
//! | MIME that cannot be split (no boundary, no root part, bad headers) | 2007 Message format corrupt | the same, one layer down |
//! | MIME limits (parts, nesting, header size), content that `Content@href` names but the message lacks, an undecodable transfer encoding | 2004 Multimedia content refused | TS 23.140: "the content … indicated by the Content element" could not be parsed or was unacceptable |
//! | not a SOAP envelope (another root element), no Body, an empty Body | 2007 Message format corrupt, faultcode `Client` | |
//! | an `Envelope` in another namespace than SOAP 1.1's | 2007 Message format corrupt, faultcode `VersionMismatch` | SOAP 1.1 §4.4 |
//! | no TransactionID (unless [`DecodeOptions::allow_missing_transaction_id`](crate::DecodeOptions::allow_missing_transaction_id)), two TransactionIDs | 4004 Validation error | TS 23.140: TransactionID is mandatory; with two, which to answer is unknowable (the answer carries none) |
//! | an operation element this codec does not know | 4003 Unsupported Operation | |
//! | an MM7Version or namespace release that cannot be handled | 4002 Unsupported version | |
//! | an attachment whose base64 holds bytes outside the alphabet other than spaces (a `...` line, data after the padding) | 2007 Message format corrupt, naming the part and the byte | the content is not what was sent; spaces and a missing final `=` are read with a warning |
//! | a required element missing, an address container with no address (named with what it held instead) | 4004 Validation error | TS 23.140: "a required field is missing" |
//! | an element whose value has the wrong form (a date, a boolean, a number) | 2007 Message format corrupt | TS 23.140 and the providers' tables: "an element value format is inappropriate or incorrect"; 4004 stays for what is absent |
//! | a header entry with `mustUnderstand="1"` in a namespace we do not know | 4000 General service error, SOAP faultcode `MustUnderstand` | SOAP 1.1 §4.2.3 asks for the MustUnderstand fault; the MM7 code only travels in its detail |

use mm7_model::{Namespace, StatusCode};

use crate::xml::{Position, XmlError, XmlErrorKind};

/// What went wrong while decoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The XML cannot be read.
    #[error("{0}")]
    Xml(XmlErrorKind),
    /// The MIME structure cannot be read, or passes a limit.
    #[error("{0}")]
    Mime(MimeError),
    /// The HTTP Content-Type is neither XML nor multipart.
    #[error("content type {0:?} is neither text/xml nor multipart/related")]
    UnsupportedContentType(String),
    /// The root element is not a SOAP `Envelope`.
    #[error("the root element <{0}> is not a SOAP Envelope")]
    NotAnEnvelope(String),
    /// The `Envelope` is in a namespace other than SOAP 1.1's (SOAP 1.1 §4.4:
    /// `VersionMismatch`).
    #[error("envelope namespace {0:?} is not SOAP 1.1's")]
    EnvelopeVersion(String),
    /// The SOAP Header has no `TransactionID` entry (see
    /// [`DecodeOptions::allow_missing_transaction_id`](crate::DecodeOptions::allow_missing_transaction_id)).
    #[error("missing required element <TransactionID> in the SOAP Header")]
    MissingTransactionId,
    /// The SOAP Header has two `TransactionID` entries: which one to answer is unknowable.
    #[error("repeated <TransactionID> in the SOAP Header")]
    RepeatedTransactionId,
    /// The envelope has no `Body`, or the Body has no element.
    #[error("the SOAP Body is missing or empty")]
    EmptyBody,
    /// The Body's element is not an MM7 operation this codec knows.
    #[error("unsupported operation <{0}>")]
    UnknownOperation(String),
    /// A version that cannot be handled.
    #[error("unsupported MM7 version: {0}")]
    UnsupportedVersion(String),
    /// A required element is missing.
    #[error("missing required element <{element}> in <{parent}>")]
    MissingElement {
        /// The element that is missing.
        element: &'static str,
        /// The element it belongs in.
        parent: String,
    },
    /// An address container (`To`, `Cc`, `Bcc`, `Sender`, …) holds no address; what it
    /// held instead is named, with the address element it most likely meant.
    #[error("no address in <{element}>{}", no_address_detail(.unknown.as_deref(), *.suggestion))]
    NoAddress {
        /// The container.
        element: String,
        /// The first child that is not an address element, if any.
        unknown: Option<String>,
        /// The address element that child's name matches but for case (`Number` for
        /// `number`).
        suggestion: Option<&'static str>,
    },
    /// An element's value has the wrong form.
    #[error("invalid <{element}> value {value:?}: {reason}")]
    InvalidValue {
        /// The element (or `Element@attribute`).
        element: String,
        /// The value as received (cut to 64 characters).
        value: String,
        /// What was expected.
        reason: String,
    },
    /// A SOAP header entry we must understand but do not.
    #[error(
        "header entry <{element}> in namespace {namespace:?} has mustUnderstand=\"1\" and is not understood"
    )]
    MustUnderstand {
        /// The entry's local name.
        element: String,
        /// Its namespace.
        namespace: String,
    },
    /// `Content@href` names a part the message does not have.
    #[error("content {0:?} named by Content@href is not in the message")]
    ContentNotFound(String),
    /// An attachment's base64 holds bytes that are not base64 (other than the spaces and
    /// missing padding real encoders produce): its content is not what was sent.
    #[error("attachment {content_id:?} is corrupt: {reason}")]
    CorruptAttachment {
        /// The part's Content-ID (or its index when it has none).
        content_id: String,
        /// What is wrong, and where in the part's body.
        reason: String,
    },
    /// An attachment's transfer encoding could not be undone.
    #[error("attachment {content_id:?} cannot be decoded: {reason}")]
    BadAttachment {
        /// The part's Content-ID (or its index when it has none).
        content_id: String,
        /// Why.
        reason: String,
    },
}

/// A decode error: what, where, and what was already known of the message, so that a server
/// can still answer with the request's TransactionID, namespace and MM7Version.
///
/// Its text says what went wrong and where; the MM7 status code an answer to it carries is
/// [`status_code`](DecodeError::status_code), not part of the text.
///
/// The details live behind one box so that every `Result` on the decode path stays small;
/// [`DecodeErrorDetails`]' fields read directly on the error (`error.kind`,
/// `error.transaction_id`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(Box<DecodeErrorDetails>);

/// The contents of a [`DecodeError`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeErrorDetails {
    /// What went wrong.
    pub kind: DecodeErrorKind,
    /// Where in the SOAP XML, when the error is there.
    pub position: Option<Position>,
    /// Byte offset in the HTTP body, when the error is in the MIME structure.
    pub mime_offset: Option<usize>,
    /// The TransactionID, when it was read before the error.
    pub transaction_id: Option<String>,
    /// The MM7 namespace, when it was read before the error.
    pub namespace: Option<Namespace>,
    /// The MM7Version, when it was read before the error.
    pub mm7_version: Option<String>,
    /// The operation element's name, when it was read before the error.
    pub operation: Option<String>,
    /// What was read leniently before the error: often the clue to it (an unknown element
    /// skipped before a required one was found missing). The error's text names the first
    /// few.
    pub warnings: Vec<Warning>,
}

impl std::ops::Deref for DecodeError {
    type Target = DecodeErrorDetails;

    fn deref(&self) -> &DecodeErrorDetails {
        &self.0
    }
}

impl std::ops::DerefMut for DecodeError {
    fn deref_mut(&mut self) -> &mut DecodeErrorDetails {
        &mut self.0
    }
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The status code is a method, not part of the text: a caller that wants it shows it.
        write!(f, "{}", self.kind)?;
        match (self.position, self.mime_offset) {
            (Some(p), _) => write!(f, " at {p}")?,
            (None, Some(offset)) => write!(f, " at byte {offset}")?,
            (None, None) => {}
        }
        // The warnings gathered before the error go with it: a peer answered with this text
        // learns what was skipped on the way (a misspelt element, say).
        const SHOWN: usize = 3;
        let relevant = || {
            self.warnings
                .iter()
                .filter(|w| !matches!(w, Warning::MissingTransactionId))
        };
        for (i, warning) in relevant().take(SHOWN).enumerate() {
            f.write_str(if i == 0 { " (after: " } else { "; " })?;
            write!(f, "{warning}")?;
        }
        match relevant().count() {
            0 => Ok(()),
            n if n > SHOWN => write!(f, "; {} more)", n - SHOWN),
            _ => f.write_str(")"),
        }
    }
}

/// The source is the layer below that failed: the MIME error or the XML error.
impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            DecodeErrorKind::Mime(mime) => Some(mime),
            DecodeErrorKind::Xml(xml) => Some(xml),
            _ => None,
        }
    }
}

/// A failure of the MIME layer (the multipart structure cannot be read, or passes a limit),
/// wrapped so that this crate's API does not depend on the MIME crate's error types.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MimeError(mm7_mime::ErrorKind);

impl MimeError {
    /// Whether the content passes a limit or uses an encoding that cannot be read (answered
    /// with 2004 Multimedia content refused), rather than being unreadable (2007).
    pub fn is_refused_content(&self) -> bool {
        matches!(
            self.0,
            mm7_mime::ErrorKind::HeaderBlockTooLarge { .. }
                | mm7_mime::ErrorKind::TooManyParts { .. }
                | mm7_mime::ErrorKind::TooDeep { .. }
                | mm7_mime::ErrorKind::UnsupportedTransferEncoding(_)
        )
    }

    /// Whether the multipart body has no boundary, or none the body uses.
    pub fn is_missing_boundary(&self) -> bool {
        matches!(
            self.0,
            mm7_mime::ErrorKind::MissingBoundary | mm7_mime::ErrorKind::BoundaryNotFound
        )
    }

    pub(crate) fn new(kind: mm7_mime::ErrorKind) -> MimeError {
        MimeError(kind)
    }
}

fn no_address_detail(unknown: Option<&str>, suggestion: Option<&str>) -> String {
    match (unknown, suggestion) {
        (Some(unknown), Some(meant)) => {
            format!("; unknown element <{unknown}>, did you mean <{meant}>?")
        }
        (Some(unknown), None) => format!(
            "; unknown element <{unknown}> (an address is <Number>, <ShortCode> or <RFC2822Address>)"
        ),
        (None, _) => String::new(),
    }
}

/// The SOAP 1.1 fault code that goes with an error answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultCode {
    /// `Client`: the request was wrong.
    Client,
    /// `Server`: the receiver failed.
    Server,
    /// `MustUnderstand`: a mandatory header entry was not understood.
    MustUnderstand,
    /// `VersionMismatch`: not a SOAP 1.1 envelope.
    VersionMismatch,
}

impl FaultCode {
    /// The local name (`Client`, `Server`, …) to qualify with the envelope's prefix.
    pub fn local_name(self) -> &'static str {
        match self {
            FaultCode::Client => "Client",
            FaultCode::Server => "Server",
            FaultCode::MustUnderstand => "MustUnderstand",
            FaultCode::VersionMismatch => "VersionMismatch",
        }
    }
}

impl DecodeError {
    /// An error with no position or context yet.
    pub fn new(kind: DecodeErrorKind) -> DecodeError {
        DecodeError(Box::new(DecodeErrorDetails {
            kind,
            position: None,
            mime_offset: None,
            transaction_id: None,
            namespace: None,
            mm7_version: None,
            operation: None,
            warnings: Vec::new(),
        }))
    }

    /// An error at a position in the XML.
    pub fn at(kind: DecodeErrorKind, position: Position) -> DecodeError {
        let mut error = DecodeError::new(kind);
        error.position = Some(position);
        error
    }

    /// The MM7 status code to answer this error with. This is the one place where decode
    /// errors meet status codes; the table in the module documentation explains each choice.
    pub fn status_code(&self) -> StatusCode {
        match &self.kind {
            DecodeErrorKind::Xml(_)
            | DecodeErrorKind::NotAnEnvelope(_)
            | DecodeErrorKind::EnvelopeVersion(_)
            | DecodeErrorKind::CorruptAttachment { .. }
            | DecodeErrorKind::EmptyBody
            | DecodeErrorKind::InvalidValue { .. }
            | DecodeErrorKind::UnsupportedContentType(_) => StatusCode::MESSAGE_FORMAT_CORRUPT,
            DecodeErrorKind::Mime(mime) => {
                if mime.is_refused_content() {
                    StatusCode::MULTIMEDIA_CONTENT_REFUSED
                } else {
                    StatusCode::MESSAGE_FORMAT_CORRUPT
                }
            }
            DecodeErrorKind::ContentNotFound(_) | DecodeErrorKind::BadAttachment { .. } => {
                StatusCode::MULTIMEDIA_CONTENT_REFUSED
            }
            DecodeErrorKind::UnknownOperation(_) => StatusCode::UNSUPPORTED_OPERATION,
            DecodeErrorKind::UnsupportedVersion(_) => StatusCode::UNSUPPORTED_VERSION,
            DecodeErrorKind::MissingElement { .. }
            | DecodeErrorKind::NoAddress { .. }
            | DecodeErrorKind::MissingTransactionId
            | DecodeErrorKind::RepeatedTransactionId => StatusCode::VALIDATION_ERROR,
            DecodeErrorKind::MustUnderstand { .. } => StatusCode::GENERAL_SERVICE_ERROR,
        }
    }

    /// The SOAP fault code to answer this error with.
    pub fn fault_code(&self) -> FaultCode {
        match self.kind {
            DecodeErrorKind::MustUnderstand { .. } => FaultCode::MustUnderstand,
            DecodeErrorKind::EnvelopeVersion(_) => FaultCode::VersionMismatch,
            _ => FaultCode::Client,
        }
    }

    pub(crate) fn with_context(mut self, context: &Context<'_>) -> DecodeError {
        if self.transaction_id.is_none() {
            self.transaction_id = context.transaction_id.map(str::to_owned);
        }
        if self.namespace.is_none() {
            self.namespace = context.namespace.and_then(|uri| Namespace::parse(uri).ok());
        }
        if self.mm7_version.is_none() {
            self.mm7_version = context.mm7_version.map(str::to_owned);
        }
        if self.operation.is_none() {
            self.operation = context.operation.map(str::to_owned);
        }
        self
    }
}

impl From<XmlError> for DecodeError {
    fn from(e: XmlError) -> DecodeError {
        DecodeError::at(DecodeErrorKind::Xml(e.kind), e.position)
    }
}

impl From<mm7_mime::Error> for DecodeError {
    fn from(e: mm7_mime::Error) -> DecodeError {
        let mut error = DecodeError::new(DecodeErrorKind::Mime(MimeError(e.kind().clone())));
        error.mime_offset = Some(e.offset());
        error
    }
}

/// What a decoder has learnt of a message so far; attached to any error it returns. Borrowed,
/// and copied into the error only when there is one, so that decoding a valid message pays
/// nothing for it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Context<'c> {
    pub(crate) transaction_id: Option<&'c str>,
    /// The namespace URI, parsed again into a [`Namespace`] for the error (the same URI gives
    /// the same namespace, matched the same way).
    pub(crate) namespace: Option<&'c str>,
    pub(crate) mm7_version: Option<&'c str>,
    pub(crate) operation: Option<&'c str>,
}

/// Something accepted leniently that the caller may want to log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Warning {
    /// An element the schema does not define there; skipped.
    #[error("unknown element <{element}> in <{parent}> skipped at {position}")]
    UnknownElement {
        /// Its local name.
        element: String,
        /// The parent's local name.
        parent: String,
        /// Where.
        position: Position,
    },
    /// The namespace names an unknown release; read as the nearest known one.
    #[error("namespace {uri:?} names an unknown MM7 release; read as {schema}")]
    NearestSchema {
        /// The namespace as received.
        uri: String,
        /// The schema used.
        schema: String,
    },
    /// The operation element has no MM7 namespace (or a foreign one); the schema was chosen
    /// from the MM7Version.
    #[error("operation <{operation}> is not in an MM7 namespace ({uri:?}); read as {schema}")]
    NoMm7Namespace {
        /// The operation.
        operation: String,
        /// The namespace found, if any.
        uri: Option<String>,
        /// The schema used.
        schema: String,
    },
    /// The SOAP `Envelope` has no namespace (one in another namespace is refused with
    /// [`DecodeErrorKind::EnvelopeVersion`]); read as SOAP 1.1.
    #[error("envelope namespace {0:?} is not SOAP 1.1's; read anyway")]
    EnvelopeNamespace(String),
    /// The message has no TransactionID header entry.
    #[error("no TransactionID in the SOAP Header")]
    MissingTransactionId,
    /// A warning from the MIME layer.
    #[error("{0}")]
    Mime(String),
    /// A value was accepted in a lenient form.
    #[error("{0}")]
    Lenient(String),
    /// Encoding left out an element (or attribute) the target schema does not define
    /// ([`EncodeOptions::drop_undefined`](crate::EncodeOptions::drop_undefined), and the
    /// `StatusText`/`Details` of the extended responses, whose status is a code only).
    #[error("<{element}> of {operation} left out: {schema} does not define it")]
    Dropped {
        /// The operation.
        operation: &'static str,
        /// The element (`@name` for an attribute).
        element: &'static str,
        /// The target schema id.
        schema: &'static str,
    },
}

/// What went wrong while encoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// The message has an element the target schema does not define.
    #[error("<{element}> of {operation} is not defined by {schema} (defined from {since} on)")]
    NotInSchema {
        /// The operation.
        operation: &'static str,
        /// The element.
        element: &'static str,
        /// The target schema id.
        schema: &'static str,
        /// The first schema id that defines it.
        since: &'static str,
    },
    /// The operation does not exist in the target schema at all.
    #[error("{operation} is not defined by {schema}")]
    OperationNotInSchema {
        /// The operation.
        operation: &'static str,
        /// The target schema id.
        schema: &'static str,
    },
    /// A required element is missing from the message.
    #[error("{operation} needs <{element}>")]
    MissingElement {
        /// The operation.
        operation: &'static str,
        /// The missing element.
        element: &'static str,
    },
    /// A value that cannot be written (e.g. a prefix that is not an XML name).
    #[error("invalid {what}: {value:?}")]
    InvalidValue {
        /// What it is.
        what: &'static str,
        /// The value.
        value: String,
    },
    /// The content could not be packaged.
    #[error("content: {0}")]
    Content(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_what_and_where_and_the_code_is_a_method() {
        let e = DecodeError::at(
            DecodeErrorKind::Xml(XmlErrorKind::MismatchedEndTag {
                expected: "a".into(),
                found: "b".into(),
            }),
            Position {
                line: 1,
                column: 412,
                offset: 411,
            },
        );
        assert_eq!(
            e.to_string(),
            "mismatched end tag: expected </a>, found </b> at 1:412"
        );
        assert_eq!(e.status_code().get(), 2007);
    }

    #[test]
    fn status_code_map() {
        let code = |kind| DecodeError::new(kind).status_code().get();
        assert_eq!(code(DecodeErrorKind::EmptyBody), 2007);
        assert_eq!(code(DecodeErrorKind::UnknownOperation("X".into())), 4003);
        assert_eq!(
            code(DecodeErrorKind::UnsupportedVersion("9.0.0".into())),
            4002
        );
        assert_eq!(
            code(DecodeErrorKind::MissingElement {
                element: "Recipients",
                parent: "SubmitReq".into()
            }),
            4004
        );
        assert_eq!(code(DecodeErrorKind::ContentNotFound("cid:x".into())), 2004);
        assert_eq!(
            code(DecodeErrorKind::Mime(MimeError::new(
                mm7_mime::ErrorKind::TooManyParts { limit: 1 }
            ))),
            2004
        );
        assert_eq!(
            code(DecodeErrorKind::Mime(MimeError::new(
                mm7_mime::ErrorKind::MissingBoundary
            ))),
            2007
        );
        let mu = DecodeError::new(DecodeErrorKind::MustUnderstand {
            element: "Security".into(),
            namespace: "urn:x".into(),
        });
        assert_eq!(mu.fault_code(), FaultCode::MustUnderstand);
    }

    #[test]
    fn the_layer_below_is_the_source() {
        use std::error::Error as _;
        let error = DecodeError::new(DecodeErrorKind::Mime(MimeError::new(
            mm7_mime::ErrorKind::TooManyParts { limit: 1 },
        )));
        let mime = error
            .source()
            .and_then(|e| e.downcast_ref::<MimeError>())
            .expect("a MimeError source");
        assert!(mime.is_refused_content() && !mime.is_missing_boundary());
        let xml = DecodeError::new(DecodeErrorKind::Xml(XmlErrorKind::NoRootElement));
        assert!(
            xml.source()
                .is_some_and(|e| e.downcast_ref::<XmlErrorKind>().is_some())
        );
        assert!(
            DecodeError::new(DecodeErrorKind::EmptyBody)
                .source()
                .is_none()
        );
    }
}

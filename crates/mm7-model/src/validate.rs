//! Checks a message against what a schema defines and requires, before sending it.
//!
//! Structure only: every element set must exist in the target schema, every element the
//! schema requires must be there, required text must not be empty, `Recipients` must name
//! someone, and the `Content` reference must resolve. Values outside an enumeration
//! (`MmStatus::Other`, …) are not errors: they are how vendor extensions travel.
//! Decoders should not call this; received messages are taken as they come.

use std::fmt;

use crate::address::{Address, SenderIdentification};
use crate::envelope::Envelope;
use crate::messages::Message;
use crate::schema::{ADDRESS_CODING_SINCE, Operation};
use crate::version::SchemaId;

/// One problem found by validation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// The schema does not define the operation at all.
    #[error("{operation} is not defined by {schema} (first in {since})")]
    OperationNotInSchema {
        /// The operation.
        operation: Operation,
        /// The target schema.
        schema: SchemaId,
        /// The first schema defining it.
        since: SchemaId,
    },
    /// The content's presentation cannot be made (SMIL generation asked for parts that it
    /// cannot present).
    #[error("content: {0}")]
    Presentation(#[from] crate::smil::SmilError),
    /// A required element is missing or empty.
    #[error("{operation}/{element}: required by {schema} but missing or empty")]
    Missing {
        /// The operation.
        operation: Operation,
        /// The element path below the body element, e.g. `Status/StatusText`.
        element: &'static str,
        /// The target schema.
        schema: SchemaId,
    },
    /// An element is set that the schema does not define.
    #[error("{operation}/{element}: not defined by {schema} (first in {since})")]
    NotInSchema {
        /// The operation.
        operation: Operation,
        /// The element path below the body element.
        element: &'static str,
        /// The target schema.
        schema: SchemaId,
        /// The first schema defining it.
        since: SchemaId,
    },
    /// An address uses `addressCoding`, which the schema does not define.
    #[error("{operation}/{element}: attribute addressCoding is not defined by {schema}")]
    AddressCodingNotInSchema {
        /// The operation.
        operation: Operation,
        /// The element holding the address.
        element: &'static str,
        /// The target schema.
        schema: SchemaId,
    },
    /// `Content href` names no attachment.
    #[error("Content href {href:?} names no attachment")]
    UnresolvedContent {
        /// The `href`.
        href: String,
    },
    /// A Fault's `faultcode` or `faultstring` is empty.
    #[error("Fault/{0}: empty")]
    EmptyFault(&'static str),
}

/// Every problem found, in element order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationErrors(pub Vec<ValidationError>);

impl ValidationErrors {
    /// The problems.
    pub fn errors(&self) -> &[ValidationError] {
        &self.0
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

fn finish(errors: Vec<ValidationError>) -> Result<(), ValidationErrors> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ValidationErrors(errors))
    }
}

/// Validates a message for `schema`.
///
/// ```
/// use mm7_model::{validate, Address, Message, Recipients, SchemaId, SubmitReq};
/// let mut req = SubmitReq::default();
/// req.mm7_version = "6.8.0".into();
/// req.sender_identification = Some(Default::default());
/// req.recipients = Recipients::to(Address::number("15551234567"));
/// req.applic_id = Some("com.example.app".into());
/// let msg = Message::from(req);
/// assert!(validate::message(&msg, SchemaId::Rel6Mm7_1_4).is_ok());
/// assert!(validate::message(&msg, SchemaId::Rel5Mm7_1_2).is_err());
/// ```
///
/// # Errors
/// [`ValidationErrors`] listing every problem.
pub fn message(message: &Message, schema: SchemaId) -> Result<(), ValidationErrors> {
    let mut errors = Vec::new();
    check_message(message, schema, &mut errors);
    finish(errors)
}

/// Validates an envelope for the schema its namespace names, including that the
/// `Content` reference resolves to an attachment (when there are attachments at all: a
/// `Content href` may also point outside the message).
///
/// # Errors
/// [`ValidationErrors`] listing every problem.
pub fn envelope(envelope: &Envelope) -> Result<(), ValidationErrors> {
    let mut errors = Vec::new();
    check_message(&envelope.message, envelope.schema(), &mut errors);
    if let Some(href) = envelope.content_href()
        && !envelope.attachments.is_empty()
        && envelope.content().is_none()
    {
        errors.push(ValidationError::UnresolvedContent {
            href: href.to_owned(),
        });
    }
    finish(errors)
}

fn check_message(message: &Message, schema: SchemaId, errors: &mut Vec<ValidationError>) {
    let Some(body) = message.elements() else {
        if let Message::Fault(f) = message {
            if f.faultcode.trim().is_empty() {
                errors.push(ValidationError::EmptyFault("faultcode"));
            }
            if f.faultstring.trim().is_empty() {
                errors.push(ValidationError::EmptyFault("faultstring"));
            }
            if let Some(detail) = &f.detail
                && let Some(status) = detail.status()
                && status.text.is_none()
            {
                let operation = match detail {
                    crate::messages::fault::FaultDetail::VaspErrorRsp(_) => Operation::VaspErrorRsp,
                    _ => Operation::RsErrorRsp,
                };
                errors.push(ValidationError::Missing {
                    operation,
                    element: "Status/StatusText",
                    schema,
                });
            }
        }
        return;
    };
    let operation = body.operation();
    if !operation.defined_in(schema) {
        errors.push(ValidationError::OperationNotInSchema {
            operation,
            schema,
            since: operation.since(),
        });
        return;
    }
    for spec in operation.elements() {
        let present = body.has_element(spec.name);
        if present && !spec.defined_in(schema) {
            errors.push(ValidationError::NotInSchema {
                operation,
                element: spec.name,
                schema,
                since: spec.since,
            });
        } else if !present && spec.required_in(schema) {
            errors.push(ValidationError::Missing {
                operation,
                element: spec.name,
                schema,
            });
        }
    }
    check_details(message, operation, schema, errors);
}

/// The checks below the body's children: status text, address attributes.
fn sender_address(s: &Option<SenderIdentification>) -> Option<&Address> {
    s.as_ref().and_then(|s| s.sender_address.as_ref())
}

fn check_details(
    message: &Message,
    operation: Operation,
    schema: SchemaId,
    errors: &mut Vec<ValidationError>,
) {
    if let Some(status) = message.status() {
        let needs_text = operation
            .status_elements()
            .iter()
            .any(|e| e.name == "StatusText" && e.required_in(schema));
        if needs_text && status.text.is_none() {
            errors.push(ValidationError::Missing {
                operation,
                element: "Status/StatusText",
                schema,
            });
        }
    }
    let mut check = |element: &'static str, address: &Address| {
        if address.address_coding.is_some() && schema < ADDRESS_CODING_SINCE {
            errors.push(ValidationError::AddressCodingNotInSchema {
                operation,
                element,
                schema,
            });
        }
    };
    match message {
        Message::SubmitReq(m) => {
            m.recipients.iter().for_each(|a| check("Recipients", a));
            if let Some(a) = sender_address(&m.sender_identification) {
                check("SenderIdentification/SenderAddress", a);
            }
            if let Some(a) = &m.third_party_payer {
                check("ThirdPartyPayer", a);
            }
        }
        Message::DeliverReq(m) => {
            if let Some(a) = &m.sender {
                check("Sender", a);
            }
            m.recipients.iter().for_each(|a| check("Recipients", a));
        }
        Message::CancelReq(m) => {
            m.recipients.iter().for_each(|a| check("Recipients", a));
            if let Some(a) = sender_address(&m.sender_identification) {
                check("SenderIdentification/SenderAddress", a);
            }
        }
        Message::ReplaceReq(m) => {
            if let Some(a) = sender_address(&m.sender_identification) {
                check("SenderIdentification/SenderAddress", a);
            }
        }
        Message::DeliveryReportReq(m) => {
            check("Recipient", &m.recipient);
            check("Sender", &m.sender);
        }
        Message::ReadReplyReq(m) => {
            check("Recipient", &m.recipient);
            check("Sender", &m.sender);
        }
        _ => {}
    }
}

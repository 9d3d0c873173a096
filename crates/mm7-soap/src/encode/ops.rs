//! The children of an operation element, written by walking the model's element table
//! ([`Operation::elements`]): the table is the one source of both the order and the schema
//! that first defines each element, so the output cannot drift from it.
//!
//! What each element looks like is in [`bodies`]; the shared shapes (addresses, `Status`,
//! `Details`, numbers) are here.

mod bodies;

use mm7_model::schema::ADDRESS_CODING_SINCE;
use mm7_model::{Address, Operation, Recipients, SchemaId, SenderIdentification, Status};

use super::Names;
use crate::EncodeOptions;
use crate::error::{EncodeError, Warning};
use crate::xml::{Event, XmlLimits, XmlReader, XmlWriter};
pub(crate) use bodies::WriteBody;

/// Writes the children of the operation element of `message` (the element itself is written
/// by the caller).
pub(crate) fn encode_body(
    w: &mut XmlWriter,
    message: &mm7_model::Message,
    schema: SchemaId,
    names: &mut Names,
    options: &EncodeOptions,
    warnings: &mut Vec<Warning>,
) -> Result<(), EncodeError> {
    use mm7_model::Message as M;
    let body: &dyn WriteBody = match message {
        M::SubmitReq(m) => m,
        M::SubmitRsp(m) => m,
        M::DeliverReq(m) => m,
        M::DeliverRsp(m) => m,
        M::CancelReq(m) => m,
        M::CancelRsp(m) => m,
        M::ReplaceReq(m) => m,
        M::ReplaceRsp(m) => m,
        M::DeliveryReportReq(m) => m,
        M::DeliveryReportRsp(m) => m,
        M::ReadReplyReq(m) => m,
        M::ReadReplyRsp(m) => m,
        M::RsErrorRsp(m) => m,
        M::VaspErrorRsp(m) => m,
        M::ExtendedCancelReq(m) => m,
        M::ExtendedCancelRsp(m) => m,
        M::ExtendedReplaceReq(m) => m,
        M::ExtendedReplaceRsp(m) => m,
        other => {
            return Err(EncodeError::InvalidValue {
                what: "message",
                value: other.operation_name().to_string(),
            });
        }
    };
    encode_children(w, body, schema, names, options, warnings)
}

/// Writes the children of one operation body in the order of its table.
pub(crate) fn encode_children(
    w: &mut XmlWriter,
    body: &dyn WriteBody,
    schema: SchemaId,
    names: &mut Names,
    options: &EncodeOptions,
    warnings: &mut Vec<Warning>,
) -> Result<(), EncodeError> {
    let operation = body.operation();
    let mut out = Out {
        w,
        names,
        schema,
        operation,
        options,
        warnings,
    };
    for spec in operation.elements() {
        let present = body.has_element(spec.name);
        if !spec.defined_in(schema) {
            if present {
                out.undefined(spec.name, spec.since)?;
            }
        } else if present {
            body.write_element(spec.name, &mut out)?;
        } else if spec.required {
            return Err(out.missing(spec.name));
        }
    }
    Ok(())
}

/// The writer with what every element needs to know: the schema, the operation, the
/// options, and where to report what was left out.
pub(crate) struct Out<'a> {
    w: &'a mut XmlWriter,
    names: &'a mut Names,
    schema: SchemaId,
    operation: Operation,
    options: &'a EncodeOptions,
    warnings: &'a mut Vec<Warning>,
}

impl Out<'_> {
    /// `<name>` (MM7-qualified), attributes may follow.
    pub(crate) fn start(&mut self, name: &str) {
        self.w.start(self.names.mm7(name));
    }

    /// An unqualified attribute of the element just started.
    pub(crate) fn attr(&mut self, name: &str, value: &str) {
        self.w.attr(name, value);
    }

    /// An attribute with a boolean value, written `true`/`false` as `xs:boolean` prefers.
    pub(crate) fn bool_attr(&mut self, name: &str, value: bool) {
        self.w.attr(name, bool_text(value));
    }

    /// An attribute with an integer value.
    pub(crate) fn number_attr(&mut self, name: &str, value: u64) {
        let mut buf = [0u8; 20];
        self.w.attr(name, u64_text(value, &mut buf));
    }

    /// Closes the innermost element.
    pub(crate) fn end(&mut self) {
        self.w.end();
    }

    /// Escaped text in the element just started.
    pub(crate) fn text_content(&mut self, text: &str) {
        self.w.text(text);
    }

    /// `<name>text</name>`.
    pub(crate) fn text(&mut self, name: &str, text: &str) {
        self.w.text_element(self.names.mm7(name), text);
    }

    /// `<name>text</name>` when there is a value.
    pub(crate) fn opt_text(&mut self, name: &str, text: Option<&str>) {
        if let Some(text) = text {
            self.text(name, text);
        }
    }

    /// `<name>true</name>` or `<name>false</name>` when there is a value.
    pub(crate) fn opt_bool(&mut self, name: &str, value: Option<bool>) {
        if let Some(value) = value {
            self.text(name, bool_text(value));
        }
    }

    /// `<name>123</name>`.
    pub(crate) fn number(&mut self, name: &str, value: u64) {
        let mut buf = [0u8; 20];
        self.w
            .text_element(self.names.mm7(name), u64_text(value, &mut buf));
    }

    /// The error for a required element the message lacks.
    pub(crate) fn missing(&self, element: &'static str) -> EncodeError {
        EncodeError::MissingElement {
            operation: self.operation.element_name(),
            element,
        }
    }

    /// An element (or `@attribute`) set in the message that the target schema lacks: an
    /// error, or left out with a warning under [`EncodeOptions::drop_undefined`].
    pub(crate) fn undefined(
        &mut self,
        element: &'static str,
        since: SchemaId,
    ) -> Result<(), EncodeError> {
        if self.options.drop_undefined {
            self.dropped(element);
            Ok(())
        } else {
            Err(EncodeError::NotInSchema {
                operation: self.operation.element_name(),
                element,
                schema: self.schema.id(),
                since: since.id(),
            })
        }
    }

    /// Reports an element left out.
    pub(crate) fn dropped(&mut self, element: &'static str) {
        self.warnings.push(Warning::Dropped {
            operation: self.operation.element_name(),
            element,
            schema: self.schema.id(),
        });
    }

    /// `<container><Number …>value</Number></container>`.
    pub(crate) fn address_in(
        &mut self,
        container: &str,
        address: &Address,
    ) -> Result<(), EncodeError> {
        self.start(container);
        self.address(address)?;
        self.end();
        Ok(())
    }

    /// One address element (`RFC2822Address`, `Number` or `ShortCode`) with its attributes;
    /// `addressCoding` only where the schema defines it.
    pub(crate) fn address(&mut self, address: &Address) -> Result<(), EncodeError> {
        self.start(address.kind.element_name());
        if let Some(display_only) = address.display_only {
            self.bool_attr("displayOnly", display_only);
        }
        if let Some(coding) = &address.address_coding {
            if self.schema >= ADDRESS_CODING_SINCE {
                self.w.attr("addressCoding", coding.as_str());
            } else {
                self.undefined("@addressCoding", ADDRESS_CODING_SINCE)?;
            }
        }
        self.w.text(&address.value);
        self.end();
        Ok(())
    }

    /// `SenderIdentification`, its children in the order of their table. The element is
    /// required where it appears; all its children are optional, so an empty one is
    /// `<SenderIdentification/>`.
    pub(crate) fn sender_identification(
        &mut self,
        name: &str,
        sender: Option<&SenderIdentification>,
    ) -> Result<(), EncodeError> {
        let Some(sender) = sender else {
            return Ok(());
        };
        self.start(name);
        for spec in mm7_model::schema::children("SenderIdentification").unwrap_or_default() {
            if !spec.defined_in(self.schema) {
                continue;
            }
            match spec.name {
                "VASPID" => self.opt_text(spec.name, sender.vasp_id.as_deref()),
                "VASID" => self.opt_text(spec.name, sender.vas_id.as_deref()),
                "SenderAddress" => {
                    if let Some(address) = &sender.sender_address {
                        self.address_in(spec.name, address)?;
                    }
                }
                _ => {}
            }
        }
        self.end();
        Ok(())
    }

    /// `Recipients`: each non-empty list once, `To`, `Cc`, `Bcc`.
    pub(crate) fn recipients(
        &mut self,
        name: &str,
        recipients: &Recipients,
    ) -> Result<(), EncodeError> {
        if recipients.is_empty() {
            return Ok(());
        }
        self.start(name);
        for spec in mm7_model::schema::children("Recipients").unwrap_or_default() {
            let list = match spec.name {
                "To" => &recipients.to,
                "Cc" => &recipients.cc,
                "Bcc" => &recipients.bcc,
                _ => continue,
            };
            if list.is_empty() || !spec.defined_in(self.schema) {
                continue;
            }
            self.start(spec.name);
            for address in list {
                self.address(address)?;
            }
            self.end();
        }
        self.end();
        Ok(())
    }

    /// `Status`, with the children the operation's status has ([`Operation::status_elements`]).
    /// The extended responses' status is a `StatusCode` only; the model's constructors give
    /// every status a text, so there a text or details are left out with a warning rather
    /// than refused.
    pub(crate) fn status(&mut self, name: &str, status: &Status) -> Result<(), EncodeError> {
        self.start(name);
        let specs = self.operation.status_elements();
        for spec in specs {
            if !spec.defined_in(self.schema) {
                continue;
            }
            match spec.name {
                "StatusCode" => self.number(spec.name, u64::from(status.code.get())),
                "StatusText" => match &status.text {
                    Some(text) => self.text(spec.name, text),
                    None if spec.required => return Err(self.missing("Status/StatusText")),
                    None => {}
                },
                "Details" => {
                    if let Some(details) = &status.details {
                        self.start(spec.name);
                        write_any_content(self.w, details);
                        self.end();
                    }
                }
                _ => {}
            }
        }
        let has = |name: &str| specs.iter().any(|s| s.name == name);
        if status.text.is_some() && !has("StatusText") {
            self.dropped("Status/StatusText");
        }
        if status.details.is_some() && !has("Details") {
            self.dropped("Status/Details");
        }
        self.end();
        Ok(())
    }
}

/// Writes content kept as raw inner XML (`Details`, a Fault's `detail`): verbatim when it is
/// well-formed on its own, so that markup a peer sent is passed on as markup; otherwise as
/// escaped text, so that the document stays well-formed whatever the value holds.
pub(crate) fn write_any_content(w: &mut XmlWriter, content: &str) {
    if is_well_formed_content(content) {
        w.raw(content);
    } else {
        w.text(content);
    }
}

/// Whether `content` is well-formed XML element content by itself: it parses inside a dummy
/// element with the crate's reader, with every prefix it uses declared within it and every
/// entity reference one of XML's own.
pub(crate) fn is_well_formed_content(content: &str) -> bool {
    // Plain text is the common case (a status explanation); it needs no parse.
    if !content.bytes().any(|b| matches!(b, b'<' | b'&' | b'>')) {
        return content.chars().all(is_xml_char);
    }
    if !content.chars().all(is_xml_char) {
        return false;
    }
    let wrapped = format!("<d>{content}</d>");
    let mut reader = XmlReader::new(&wrapped, XmlLimits::default());
    loop {
        match reader.next_event() {
            Ok(Event::Eof) => return true,
            Ok(Event::Start(_)) => {
                if reader
                    .attributes()
                    .iter()
                    .any(|a| reader.attribute_value(a).is_err())
                {
                    return false;
                }
            }
            Ok(Event::Text(text)) => {
                // `]]>` may not appear in character data (XML 1.0 §2.4).
                if !text.cdata && (text.raw.contains("]]>") || reader.text_value(&text).is_err()) {
                    return false;
                }
            }
            Ok(Event::End(_)) => {}
            Err(_) => return false,
        }
    }
}

/// The characters XML 1.0 allows in a document.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

pub(crate) fn bool_text(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

/// The decimal digits of `value`, written into `buf` (20 bytes hold any `u64`).
pub(crate) fn u64_text(mut value: u64, buf: &mut [u8; 20]) -> &str {
    let mut start = buf.len();
    for slot in buf.iter_mut().rev() {
        // `value % 10` is below 10, so the cast cannot truncate.
        *slot = b'0' + (value % 10) as u8;
        start -= 1;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    buf.get(start..)
        .and_then(|digits| std::str::from_utf8(digits).ok())
        .unwrap_or("0")
}

#[cfg(test)]
mod tests;

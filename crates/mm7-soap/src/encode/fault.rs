//! The SOAP 1.1 Fault that carries an MM7 error response (TS 23.140 §9.2: HTTP 500, a Fault
//! whose `detail` holds an `RSErrorRsp` or `VASPErrorRsp`).

use mm7_model::{Envelope, FaultDetail, SoapFault};

use super::Names;
use super::ops::{self, WriteBody};
use crate::error::{EncodeError, Warning};
use crate::xml::XmlWriter;
use crate::{EncodeOptions, SOAP_ENVELOPE_NS};

/// Writes `<env:Fault>` with `faultcode`, `faultstring`, `faultactor?` and `detail?`.
///
/// The Fault's children are unqualified (SOAP 1.1 §4.4). The error response in `detail` is
/// an MM7 element, qualified like the operation elements (the namespace declared on it) and
/// written from the same tables.
pub(crate) fn encode_fault(
    w: &mut XmlWriter,
    fault: &SoapFault,
    envelope: &Envelope,
    names: &mut Names,
    options: &EncodeOptions,
    warnings: &mut Vec<Warning>,
) -> Result<(), EncodeError> {
    w.start(names.env("Fault"));
    write_faultcode(w, fault.faultcode.trim(), names)?;
    w.text_element("faultstring", &fault.faultstring);
    if let Some(actor) = &fault.faultactor {
        w.text_element("faultactor", actor);
    }
    if let Some(detail) = &fault.detail {
        w.start("detail");
        let response: &dyn WriteBody = match detail {
            FaultDetail::RsErrorRsp(r) => r,
            FaultDetail::VaspErrorRsp(r) => r,
            FaultDetail::Other(xml) => {
                ops::write_any_content(w, xml);
                w.end();
                w.end();
                return Ok(());
            }
            other => {
                return Err(EncodeError::InvalidValue {
                    what: "fault detail",
                    value: format!("{other:?}"),
                });
            }
        };
        w.start(names.mm7(response.operation().element_name()));
        w.attr(names.mm7_declaration(), envelope.namespace.uri());
        ops::encode_children(w, response, envelope.schema(), names, options, warnings)?;
        w.end();
        w.end();
    }
    w.end();
    Ok(())
}

/// `faultcode` is an `xs:QName` (SOAP 1.1 §4.4.1), kept by meaning in the model: an
/// unprefixed code (`Client`) gets the envelope's prefix; a code written `{namespace}local`
/// is written with a prefix bound to that namespace on the element; a code with a prefix
/// (written by hand) keeps its text, with that prefix bound to the envelope namespace on the
/// element unless it is the envelope's own, so that the QName resolves to what it says.
fn write_faultcode(w: &mut XmlWriter, code: &str, names: &mut Names) -> Result<(), EncodeError> {
    if code.is_empty() {
        return Err(EncodeError::MissingElement {
            operation: "Fault",
            element: "faultcode",
        });
    }
    let invalid = || EncodeError::InvalidValue {
        what: "faultcode",
        value: code.to_string(),
    };
    w.start("faultcode");
    if let Some((ns, local)) = code.strip_prefix('{').and_then(|c| c.rsplit_once('}')) {
        if !super::declarable(ns) || !is_nc_name(local) {
            return Err(invalid());
        }
        w.attr("xmlns:fc", ns);
        let mut text = String::with_capacity(3 + local.len());
        text.push_str("fc:");
        text.push_str(local);
        w.text(&text);
        w.end();
        return Ok(());
    }
    match code.split_once(':') {
        None => {
            if !is_nc_name(code) {
                return Err(invalid());
            }
            w.text(names.env(code));
        }
        Some((prefix, local)) => {
            if !is_nc_name(prefix)
                || !is_nc_name(local)
                || prefix.eq_ignore_ascii_case("xml")
                || prefix.eq_ignore_ascii_case("xmlns")
            {
                return Err(invalid());
            }
            if names.env("").strip_suffix(':') != Some(prefix) {
                let mut attr = String::with_capacity(6 + prefix.len());
                attr.push_str("xmlns:");
                attr.push_str(prefix);
                w.attr(&attr, SOAP_ENVELOPE_NS);
            }
            w.text(code);
        }
    }
    w.end();
    Ok(())
}

/// An XML `NCName` (no colon), restricted to ASCII letters, digits, `_`, `-` and `.`, which
/// is what SOAP fault codes (`Client`, `Server.Busy`, `Client.Authentication`) use.
fn is_nc_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

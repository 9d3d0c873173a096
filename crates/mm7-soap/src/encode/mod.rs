//! Model to XML: the envelope here, the operations in the submodules.

use mm7_model::{Envelope, Message};

use crate::error::{EncodeError, Warning};
use crate::xml::XmlWriter;
use crate::{EncodeOptions, PrefixStyle, SOAP_ENVELOPE_NS};

/// Qualified names for the elements being written.
#[derive(Debug)]
pub(crate) struct Names {
    /// The names that stay the same through a document, one after the other (one allocation
    /// for all): see [`Fixed`].
    fixed: String,
    /// Where each of them ends in `fixed`.
    ends: [usize; 5],
    buffer: String,
}

/// The names in [`Names::fixed`], in order.
#[derive(Debug, Clone, Copy)]
enum Fixed {
    /// `"env:"`.
    EnvPrefix,
    /// `"mm7:"` or `""`.
    Mm7Prefix,
    /// The attribute declaring the MM7 namespace: `"xmlns:mm7"` or `"xmlns"`.
    Mm7Declaration,
    /// `"env:mustUnderstand"`.
    MustUnderstand,
    /// The attribute declaring the SOAP envelope's namespace: `"xmlns:env"`.
    EnvDeclaration,
}

impl Names {
    /// The names for an envelope prefix and an MM7 prefix (`None`: the MM7 namespace is the
    /// default one).
    fn new(env: &str, mm7: Option<&str>) -> Names {
        let mut fixed = String::with_capacity(2 * env.len() + 2 * mm7.map_or(0, str::len) + 40);
        let mut ends = [0; 5];
        let (mm7_prefix, mm7_colon, xmlns) = match mm7 {
            Some(p) => (p, ":", "xmlns:"),
            None => ("", "", "xmlns"),
        };
        let parts: [[&str; 2]; 5] = [
            [env, ":"],
            [mm7_prefix, mm7_colon],
            [xmlns, mm7_prefix],
            [env, ":mustUnderstand"],
            ["xmlns:", env],
        ];
        for (end, [a, b]) in ends.iter_mut().zip(parts) {
            fixed.push_str(a);
            fixed.push_str(b);
            *end = fixed.len();
        }
        Names {
            fixed,
            ends,
            buffer: String::with_capacity(64),
        }
    }

    /// Where `which` is in `fixed`.
    fn span(&self, which: Fixed) -> std::ops::Range<usize> {
        let i = which as usize;
        let start = i.checked_sub(1).and_then(|j| self.ends.get(j)).copied();
        start.unwrap_or(0)..self.ends.get(i).copied().unwrap_or_default()
    }

    fn fixed(&self, which: Fixed) -> &str {
        self.fixed.get(self.span(which)).unwrap_or_default()
    }

    /// `prefix` (a [`Fixed`] prefix) then `local`, in the buffer.
    fn qualified(&mut self, prefix: Fixed, local: &str) -> &str {
        let span = self.span(prefix);
        self.buffer.clear();
        self.buffer
            .push_str(self.fixed.get(span).unwrap_or_default());
        self.buffer.push_str(local);
        &self.buffer
    }

    /// The qualified name of an MM7 element.
    pub(crate) fn mm7(&mut self, local: &str) -> &str {
        self.qualified(Fixed::Mm7Prefix, local)
    }

    /// The qualified name of a SOAP envelope element.
    pub(crate) fn env(&mut self, local: &str) -> &str {
        self.qualified(Fixed::EnvPrefix, local)
    }

    /// The attribute that declares the MM7 namespace on an element.
    pub(crate) fn mm7_declaration(&self) -> &str {
        self.fixed(Fixed::Mm7Declaration)
    }
}

/// Whether `name` can be a namespace prefix the encoder writes: an ASCII XML name (letters,
/// digits, `_`, `-`, `.`; not starting with a digit, `-` or `.`) without a colon, and not
/// starting with `xml` in any case (reserved by Namespaces in XML §3).
///
/// ```
/// assert!(mm7_soap::is_xml_prefix("mm7"));
/// assert!(mm7_soap::is_xml_prefix("SOAP-ENV"));
/// assert!(!mm7_soap::is_xml_prefix("7up"));
/// assert!(!mm7_soap::is_xml_prefix("xmlns"));
/// assert!(!mm7_soap::is_xml_prefix("a:b"));
/// ```
pub fn is_xml_prefix(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !name.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("xml"))
}

/// Writes the whole SOAP document for `envelope`.
pub(crate) fn encode_envelope(
    envelope: &Envelope,
    options: &EncodeOptions,
    warnings: &mut Vec<Warning>,
) -> Result<String, EncodeError> {
    if !is_xml_prefix(&options.envelope_prefix) {
        return Err(EncodeError::InvalidValue {
            what: "envelope prefix",
            value: options.envelope_prefix.clone(),
        });
    }
    let mm7_prefix = match &options.prefix_style {
        PrefixStyle::Prefixed(prefix) => {
            if !is_xml_prefix(prefix) || *prefix == options.envelope_prefix {
                return Err(EncodeError::InvalidValue {
                    what: "MM7 prefix",
                    value: prefix.clone(),
                });
            }
            Some(prefix.as_str())
        }
        PrefixStyle::DefaultNamespace => None,
    };
    let mut names = Names::new(&options.envelope_prefix, mm7_prefix);
    let namespace = envelope.namespace.uri();
    // A URI has no quotes, angle brackets, ampersands, spaces or controls (RFC 3986).
    if !namespace_uri(namespace) {
        return Err(EncodeError::InvalidValue {
            what: "namespace URI",
            value: namespace.to_string(),
        });
    }

    let mut w = XmlWriter::with_declaration();
    w.start(names.env("Envelope"));
    w.attr_verbatim(names.fixed(Fixed::EnvDeclaration), SOAP_ENVELOPE_NS);
    // Without a TransactionID (a Fault answering a request whose TransactionID was missing,
    // repeated or never read), the answer carries none: no Header at all, rather than an empty
    // TransactionID a peer could take for one.
    if !envelope.transaction_id.is_empty() {
        w.start(names.env("Header"));
        w.start(names.mm7("TransactionID"));
        w.attr_verbatim(names.mm7_declaration(), namespace);
        w.attr_verbatim(names.fixed(Fixed::MustUnderstand), "1");
        w.text(&envelope.transaction_id);
        w.end();
        w.end();
    }
    w.start(names.env("Body"));
    match &envelope.message {
        Message::Fault(fault) => {
            fault::encode_fault(&mut w, fault, envelope, &mut names, options, warnings)?;
        }
        message => {
            let operation = message
                .operation()
                .ok_or(EncodeError::Content("message has no operation".into()))?;
            let schema = envelope.schema();
            if !operation.defined_in(schema) {
                return Err(EncodeError::OperationNotInSchema {
                    operation: operation.element_name(),
                    schema: schema.id(),
                });
            }
            w.start(names.mm7(operation.element_name()));
            w.attr_verbatim(names.mm7_declaration(), namespace);
            ops::encode_body(&mut w, message, schema, &mut names, options, warnings)?;
            w.end();
        }
    }
    Ok(w.finish())
}

mod fault;
mod ops;

/// Whether `uri` can be written in a namespace declaration and read back as itself: not blank,
/// and nothing the writer would have to escape in the attribute (quotes, angle brackets,
/// ampersands; tabs, line breaks and other controls, written as character references), since
/// the decoder refuses entity and character references in namespace declarations; and none of
/// the characters XML cannot carry (which escaping would drop).
pub(crate) fn declarable(uri: &str) -> bool {
    if plain_uri(uri) {
        return true;
    }
    // U+FFFE and U+FFFF: characters XML cannot carry at all.
    !uri.trim().is_empty()
        && !uri.chars().any(|c| {
            matches!(c, '"' | '<' | '>' | '&' | '\'' | '\u{FFFE}' | '\u{FFFF}') || c.is_control()
        })
}

/// Whether `uri` can be the namespace of the MM7 elements: [`declarable`], without white
/// space (RFC 3986 has none in a URI).
fn namespace_uri(uri: &str) -> bool {
    plain_uri(uri) || (declarable(uri) && !uri.chars().any(char::is_whitespace))
}

/// Whether `uri` is what namespace URIs are: not empty, printable ASCII without spaces,
/// quotes, angle brackets or ampersands. One pass; such a URI passes both rules above.
fn plain_uri(uri: &str) -> bool {
    !uri.is_empty()
        && uri
            .bytes()
            .all(|b| matches!(b, b'!'..=b'~') && !matches!(b, b'"' | b'<' | b'>' | b'&' | b'\''))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{declarable, namespace_uri};
    use crate::xml::XmlWriter;

    /// The rule character by character, as the byte-wise path must agree with.
    fn declarable_by_chars(uri: &str) -> bool {
        !uri.trim().is_empty()
            && !uri.chars().any(|c| {
                matches!(c, '"' | '<' | '>' | '&' | '\'' | '\u{FFFE}' | '\u{FFFF}')
                    || c.is_control()
            })
    }

    #[test]
    fn namespaces_that_cannot_be_declared() {
        for uri in [
            "",
            " ",
            "urn:a b\t",
            "urn:\u{0}",
            "urn:\u{7F}",
            "urn:\u{85}",
            "a\"b",
        ] {
            assert!(!namespace_uri(uri), "{uri:?}");
        }
        for uri in [
            "urn:\u{FFFE}",
            "urn:\u{FFFF}",
            "urn:<x>",
            "urn:a&b",
            "urn:'",
        ] {
            assert!(!declarable(uri), "{uri:?}");
        }
        assert!(namespace_uri(
            "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"
        ));
        assert!(namespace_uri("urn:é\u{FFFD}"));
        assert!(!namespace_uri("urn:a\u{A0}b"));
    }

    proptest! {
        #[test]
        fn declarable_agrees_with_the_character_rule(
            uri in "([\\x00-\\x7F]|[\u{80}-\u{FF}]|[\u{FFF0}-\u{FFFF}]|[\u{2000}-\u{200B}]){0,12}",
        ) {
            prop_assert_eq!(declarable(&uri), declarable_by_chars(&uri), "{:?}", uri);
            prop_assert_eq!(
                namespace_uri(&uri),
                declarable_by_chars(&uri) && !uri.chars().any(char::is_whitespace),
                "{:?}",
                uri
            );
            // What may be declared is written as it is.
            if declarable(&uri) {
                let mut w = XmlWriter::new();
                w.start("a");
                w.attr("xmlns", &uri);
                let escaped = w.finish();
                let mut w = XmlWriter::new();
                w.start("a");
                w.attr_verbatim("xmlns", &uri);
                prop_assert_eq!(w.finish(), escaped);
            }
        }
    }
}

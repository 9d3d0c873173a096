//! The SOAP 1.1 envelope around an MM7 message: the Header's TransactionID and the Body's one
//! element, read leniently.

use std::borrow::Cow;

use crate::error::{Context, DecodeError, DecodeErrorKind, Warning};
use crate::xml::{Event, Tree, XmlLimits, XmlReader};

/// The SOAP 1.1 envelope namespace.
pub const SOAP_ENVELOPE_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";

/// True for the SOAP 1.1 envelope namespace, leniently: either scheme, with or without the
/// trailing slash, host in any case. Providers' documents print `https://schemas.xmlsoap.org/…`.
pub fn is_soap_envelope_ns(uri: &str) -> bool {
    let uri = uri.trim();
    let rest = strip_prefix_ignore_case(uri, "http://")
        .or_else(|| strip_prefix_ignore_case(uri, "https://"))
        .unwrap_or(uri);
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    rest.eq_ignore_ascii_case("schemas.xmlsoap.org/soap/envelope")
}

fn strip_prefix_ignore_case<'s>(s: &'s str, prefix: &str) -> Option<&'s str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// The parts of an envelope the MM7 layer needs.
#[derive(Debug)]
pub(crate) struct Envelope<'a> {
    /// The TransactionID, trimmed (borrowed from the document unless entities were decoded).
    pub(crate) transaction_id: Option<Cow<'a, str>>,
    /// The TransactionID's namespace, used when the Body's element has none.
    pub(crate) transaction_namespace: Option<&'a str>,
    /// The Body's first element and its descendants.
    pub(crate) body: Tree<'a>,
}

/// Limits of the envelope reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnvelopeLimits {
    /// Limits of the XML reader.
    pub xml: XmlLimits,
    /// Most elements in the Body's element (a SubmitReq with a thousand recipients has about
    /// three thousand). Default 16 384.
    pub max_elements: usize,
}

impl Default for EnvelopeLimits {
    fn default() -> Self {
        EnvelopeLimits {
            xml: XmlLimits::default(),
            max_elements: 16 * 1024,
        }
    }
}

impl EnvelopeLimits {
    /// These limits of the XML reader.
    #[must_use]
    pub fn with_xml(mut self, xml: XmlLimits) -> EnvelopeLimits {
        self.xml = xml;
        self
    }

    /// At most this many elements in the Body's element.
    #[must_use]
    pub fn with_max_elements(mut self, max_elements: usize) -> EnvelopeLimits {
        self.max_elements = max_elements;
        self
    }
}

/// Reads the envelope of `text`. An error found after the TransactionID carries it.
pub(crate) fn read_envelope<'a>(
    text: &'a str,
    limits: &EnvelopeLimits,
    warnings: &mut Vec<Warning>,
) -> Result<Envelope<'a>, DecodeError> {
    let mut reader = XmlReader::new(text, limits.xml);
    let root = loop {
        match reader.next_event()? {
            Event::Start(element) => break element,
            Event::Eof => return Err(DecodeError::new(DecodeErrorKind::EmptyBody)),
            _ => {}
        }
    };
    if root.local != "Envelope" {
        return Err(DecodeError::at(
            DecodeErrorKind::NotAnEnvelope(root.local.to_string()),
            reader.position(root.offset),
        ));
    }
    // SOAP 1.1 §4.4: an Envelope in another namespace (SOAP 1.2's, say) is a VersionMismatch.
    // One in no namespace at all is read with a warning: it is a sloppy SOAP 1.1 envelope
    // rather than another version's.
    match root.namespace {
        Some(ns) if is_soap_envelope_ns(ns) => {}
        Some(ns) => {
            return Err(DecodeError::at(
                DecodeErrorKind::EnvelopeVersion(ns.to_string()),
                reader.position(root.offset),
            ));
        }
        None => warnings.push(Warning::EnvelopeNamespace(String::new())),
    }

    let mut transaction_id = None;
    let mut transaction_namespace = None;
    let mut body = None;
    let with_id = |e: DecodeError, id: &Option<Cow<'_, str>>| {
        e.with_context(&Context {
            transaction_id: id.as_deref(),
            ..Context::default()
        })
    };
    loop {
        let element = match reader.next_event() {
            Ok(Event::Start(element)) => element,
            Ok(Event::End(_) | Event::Eof) => break,
            Ok(Event::Text(_)) => continue,
            Err(e) => return Err(with_id(e.into(), &transaction_id)),
        };
        let read = match element.local {
            "Header" if reader.depth() == 2 => {
                read_header(&mut reader, &mut transaction_id, &mut transaction_namespace)
            }
            "Body" if reader.depth() == 2 && body.is_none() => {
                body = read_body(&mut reader, limits).map_err(|e| with_id(e, &transaction_id))?;
                // Further Body entries (SOAP 1.1 §4.3 allows them; MM7 has one) and whatever
                // follows the Body are not used, but the whole document must be well-formed:
                // the rest is read to its end, so that a mismatched `</Body>`, a document cut
                // off or content after the root element is refused, not answered 1000.
                Ok(())
            }
            _ => reader.skip_element().map_err(DecodeError::from),
        };
        read.map_err(|e| with_id(e, &transaction_id))?;
    }
    // After the root element only comments, processing instructions and white space may
    // follow (XML 1.0 §2.1): the reader refuses anything else.
    loop {
        match reader.next_event() {
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(with_id(e.into(), &transaction_id)),
        }
    }
    // A request without one is refused once its operation is known (see `decode_xml`). An
    // empty TransactionID is none: an answer could not echo it, and the encoder writes none.
    if transaction_id.as_deref().is_some_and(str::is_empty) {
        transaction_id = None;
    }
    if transaction_id.is_none() {
        warnings.push(Warning::MissingTransactionId);
    }
    let body = body.ok_or_else(|| {
        with_id(
            DecodeError::new(DecodeErrorKind::EmptyBody),
            &transaction_id,
        )
    })?;
    Ok(Envelope {
        transaction_id,
        transaction_namespace,
        body,
    })
}

fn read_header<'a>(
    reader: &mut XmlReader<'a>,
    transaction_id: &mut Option<Cow<'a, str>>,
    transaction_namespace: &mut Option<&'a str>,
) -> Result<(), DecodeError> {
    loop {
        let entry = match reader.next_event()? {
            Event::Start(element) => element,
            Event::End(_) | Event::Eof => return Ok(()),
            Event::Text(_) => continue,
        };
        let must_understand = reader
            .attribute("mustUnderstand")
            .is_some_and(|a| matches!(a.raw_value.trim(), "1" | "true"));
        if entry.local == "TransactionID" {
            // Two TransactionIDs leave the answer's TransactionID unknowable: refused, and the
            // error carries neither.
            if transaction_id.is_some() {
                *transaction_id = None;
                return Err(DecodeError::at(
                    DecodeErrorKind::RepeatedTransactionId,
                    reader.position(entry.offset),
                ));
            }
            // Documents in the wild pretty-print the value onto its own indented line.
            *transaction_id = Some(trim_cow(reader.read_text()?));
            *transaction_namespace = entry.namespace;
            continue;
        }
        let namespace = entry.namespace.unwrap_or("");
        let known =
            mm7_model::Namespace::parse(namespace).is_ok() || is_soap_envelope_ns(namespace);
        if must_understand && !known {
            return Err(DecodeError::at(
                DecodeErrorKind::MustUnderstand {
                    element: entry.local.to_string(),
                    namespace: namespace.to_string(),
                },
                reader.position(entry.offset),
            ));
        }
        reader.skip_element()?;
    }
}

/// `value` without its surrounding white space, still borrowed when it was.
fn trim_cow(value: Cow<'_, str>) -> Cow<'_, str> {
    match value {
        Cow::Borrowed(value) => Cow::Borrowed(value.trim()),
        Cow::Owned(value) if value.trim().len() == value.len() => Cow::Owned(value),
        Cow::Owned(value) => Cow::Owned(value.trim().to_owned()),
    }
}

fn read_body<'a>(
    reader: &mut XmlReader<'a>,
    limits: &EnvelopeLimits,
) -> Result<Option<Tree<'a>>, DecodeError> {
    loop {
        match reader.next_event()? {
            Event::Start(element) => {
                // A Fault's `faultcode` is a QName whose prefix is bound outside the Body.
                let tree = if element.local == "Fault" {
                    Tree::read_in_scope(reader, element, limits.max_elements)?
                } else {
                    Tree::read(reader, element, limits.max_elements)?
                };
                return Ok(Some(tree));
            }
            Event::End(_) | Event::Eof => return Ok(None),
            Event::Text(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(doc: &str) -> Result<(Envelope<'_>, Vec<Warning>), DecodeError> {
        let mut warnings = Vec::new();
        read_envelope(doc, &EnvelopeLimits::default(), &mut warnings).map(|e| (e, warnings))
    }

    #[test]
    fn soap_namespace_is_matched_leniently() {
        assert!(is_soap_envelope_ns(
            "http://schemas.xmlsoap.org/soap/envelope/"
        ));
        assert!(is_soap_envelope_ns(
            "https://schemas.xmlsoap.org/soap/envelope/"
        ));
        assert!(is_soap_envelope_ns(
            "http://schemas.xmlsoap.org/soap/envelope"
        ));
        assert!(is_soap_envelope_ns(
            "HTTP://Schemas.XMLSoap.org/soap/envelope/"
        ));
        assert!(!is_soap_envelope_ns(
            "http://www.w3.org/2003/05/soap-envelope"
        ));
    }

    #[test]
    fn transaction_id_is_trimmed_and_body_read() {
        let doc = r#"<env:Envelope xmlns:env="https://schemas.xmlsoap.org/soap/envelope/">
  <env:Header>
    <mm7:TransactionID xmlns:mm7="urn:mm7" env:mustUnderstand="1">
        vas00001-sub
    </mm7:TransactionID>
  </env:Header>
  <env:Body><SubmitReq xmlns="urn:mm7"><MM7Version>5.3.0</MM7Version></SubmitReq></env:Body>
</env:Envelope>"#;
        let (env, warnings) = read(doc).unwrap();
        assert_eq!(env.transaction_id.as_deref(), Some("vas00001-sub"));
        assert_eq!(env.transaction_namespace, Some("urn:mm7"));
        assert_eq!(env.body.root().local(), "SubmitReq");
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn unknown_must_understand_header_is_refused() {
        let doc = r#"<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Header>
<w:Security xmlns:w="urn:wsse" S:mustUnderstand="1"/></S:Header><S:Body><X/></S:Body></S:Envelope>"#;
        let err = read(doc).unwrap_err();
        assert!(matches!(err.kind, DecodeErrorKind::MustUnderstand { .. }));
        assert_eq!(err.position.unwrap().line, 2);
    }

    #[test]
    fn other_header_entries_are_skipped() {
        let doc = r#"<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Header>
<w:Trace xmlns:w="urn:trace"><w:hop/></w:Trace></S:Header><S:Body><X/></S:Body></S:Envelope>"#;
        let (env, warnings) = read(doc).unwrap();
        assert_eq!(env.body.root().local(), "X");
        assert_eq!(warnings, [Warning::MissingTransactionId]);
    }

    #[test]
    fn not_an_envelope_and_empty_body() {
        assert!(matches!(
            read("<SubmitReq/>").unwrap_err().kind,
            DecodeErrorKind::NotAnEnvelope(_)
        ));
        let doc = r#"<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body> </S:Body></S:Envelope>"#;
        assert_eq!(read(doc).unwrap_err().kind, DecodeErrorKind::EmptyBody);
    }

    const HEAD: &str = r#"<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Header><TransactionID>t1</TransactionID></S:Header>
<S:Body><X/>"#;

    #[test]
    fn the_whole_document_must_be_well_formed() {
        assert!(read(&format!("{HEAD}</S:Body></S:Envelope>\n<!-- ok -->\n")).is_ok());
        for (tail, line) in [
            ("</S:Bdy></S:Envelope>", 2),
            ("</S:Body></S:Envelop>", 2),
            ("</S:Body>", 2),
            ("</S:Body></S:Envelope><more/>", 2),
            ("</S:Body></S:Envelope>\ntrailing text", 3),
            ("</S:Body><S:Extra></S:Envelope>", 2),
        ] {
            let err = read(&format!("{HEAD}{tail}")).unwrap_err();
            assert!(matches!(err.kind, DecodeErrorKind::Xml(_)), "{tail}: {err}");
            assert_eq!(err.status_code().get(), 2007, "{tail}");
            assert_eq!(err.position.map(|p| p.line), Some(line), "{tail}: {err}");
            assert_eq!(err.transaction_id.as_deref(), Some("t1"), "{tail}");
        }
    }

    #[test]
    fn transaction_id_repeated_is_refused() {
        let body = r#"<S:Body><X/></S:Body></S:Envelope>"#;
        let env = r#"<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/">"#;
        let twice = format!(
            "{env}<S:Header><TransactionID>a</TransactionID>\n<TransactionID>b</TransactionID></S:Header>{body}"
        );
        let err = read(&twice).unwrap_err();
        assert_eq!(err.kind, DecodeErrorKind::RepeatedTransactionId);
        assert_eq!(err.status_code().get(), 4004);
        assert_eq!(
            err.transaction_id, None,
            "the answer carries no TransactionID"
        );
        assert_eq!(err.position.map(|p| p.line), Some(2));
    }

    #[test]
    fn envelope_in_another_namespace_is_a_version_mismatch() {
        let doc = r#"<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><X/></e:Body></e:Envelope>"#;
        let err = read(doc).unwrap_err();
        assert_eq!(
            err.kind,
            DecodeErrorKind::EnvelopeVersion("http://www.w3.org/2003/05/soap-envelope".into())
        );
        assert_eq!(err.fault_code(), crate::FaultCode::VersionMismatch);
        let err = read("<SubmitReq/>").unwrap_err();
        assert_eq!(err.fault_code(), crate::FaultCode::Client);
        assert_eq!(err.status_code().get(), 2007);
        // No namespace at all: a sloppy SOAP 1.1 envelope, read with a warning.
        let (_, warnings) = read("<Envelope><Body><X/></Body></Envelope>").unwrap();
        assert!(warnings.contains(&Warning::EnvelopeNamespace(String::new())));
    }
}

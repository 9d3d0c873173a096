use super::*;

fn events(doc: &str) -> Result<Vec<String>, XmlError> {
    let mut reader = XmlReader::new(doc, XmlLimits::default());
    let mut out = Vec::new();
    loop {
        match reader.next_event()? {
            Event::Start(e) => out.push(format!("<{}|{}", e.namespace.unwrap_or("-"), e.local)),
            Event::End(e) => out.push(format!(">{}", e.local)),
            Event::Text(t) if t.is_whitespace() => {}
            Event::Text(t) => out.push(format!("'{}", reader.text_value(&t)?)),
            Event::Eof => return Ok(out),
        }
    }
}

#[test]
fn resolves_prefixes_and_default_namespaces() {
    let doc = r#"<e:Envelope xmlns:e="urn:env"><e:Body xmlns="urn:mm7"><A><e:B/></A></e:Body></e:Envelope>"#;
    assert_eq!(
        events(doc).unwrap(),
        [
            "<urn:env|Envelope",
            "<urn:env|Body",
            "<urn:mm7|A",
            "<urn:env|B",
            ">B",
            ">A",
            ">Body",
            ">Envelope"
        ]
    );
}

#[test]
fn namespace_scope_ends_with_its_element() {
    let doc = r#"<r><a xmlns="urn:a"><x/></a><y/></r>"#;
    assert_eq!(
        events(doc).unwrap(),
        [
            "<-|r", "<urn:a|a", "<urn:a|x", ">x", ">a", "<-|y", ">y", ">r"
        ]
    );
}

#[test]
fn text_joins_cdata_and_skips_comments() {
    let doc = "<r>a &amp; <!-- c --><![CDATA[<b>]]>\r\nz</r>";
    let mut reader = XmlReader::new(doc, XmlLimits::default());
    assert!(matches!(reader.next_event().unwrap(), Event::Start(_)));
    assert_eq!(reader.read_text().unwrap(), "a & <b>\nz");
    assert_eq!(reader.next_event().unwrap(), Event::Eof);
}

#[test]
fn mismatched_end_tag_has_a_position() {
    let err = events("<a>\n  <b></c></a>").unwrap_err();
    assert!(matches!(err.kind, XmlErrorKind::MismatchedEndTag { .. }));
    assert_eq!(err.position.to_string(), "2:6");
}

#[test]
fn undeclared_prefix_is_refused() {
    let err = events("<x:a/>").unwrap_err();
    assert_eq!(err.kind, XmlErrorKind::UndeclaredPrefix("x".into()));
    let err = events("<a x:attr='1'/>").unwrap_err();
    assert_eq!(err.kind, XmlErrorKind::UndeclaredPrefix("x".into()));
}

#[test]
fn doctype_is_refused_before_any_expansion() {
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<lolz>&lol2;</lolz>"#;
    assert_eq!(
        events(laughs).unwrap_err().kind,
        XmlErrorKind::DoctypeRefused
    );
    let xxe = r#"<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>"#;
    assert_eq!(events(xxe).unwrap_err().kind, XmlErrorKind::DoctypeRefused);
}

#[test]
fn limits_are_enforced() {
    let limits = XmlLimits {
        max_depth: 3,
        max_text: 8,
        max_attributes: 2,
    };
    let run = |doc: &str| {
        let mut r = XmlReader::new(doc, limits);
        loop {
            match r.next_event() {
                Ok(Event::Eof) => return Ok(()),
                Ok(_) => {}
                Err(e) => return Err(e.kind),
            }
        }
    };
    assert_eq!(run("<a><b><c/></b></a>"), Ok(()));
    assert_eq!(
        run("<a><b><c><d/></c></b></a>"),
        Err(XmlErrorKind::DepthLimit(3))
    );
    assert_eq!(run("<a>123456789</a>"), Err(XmlErrorKind::TextLimit(8)));
    assert_eq!(
        run("<a x='1' y='2' z='3'/>"),
        Err(XmlErrorKind::AttributeLimit(2))
    );
}

#[test]
fn deep_nesting_fails_fast_without_recursion() {
    let doc = "<a>".repeat(100_000);
    assert_eq!(events(&doc).unwrap_err().kind, XmlErrorKind::DepthLimit(32));
}

#[test]
fn content_outside_root_and_unclosed_elements() {
    let err = events("<a/><b/>").unwrap_err();
    assert!(matches!(
        err.kind,
        XmlErrorKind::Syntax(_) | XmlErrorKind::ContentOutsideRoot
    ));
    assert_eq!(err.position.to_string(), "1:5");
    let err = events("<a/>junk").unwrap_err();
    assert!(matches!(
        err.kind,
        XmlErrorKind::Syntax(_) | XmlErrorKind::ContentOutsideRoot
    ));
    assert_eq!(err.position.to_string(), "1:5");
    assert!(matches!(
        events("<a><b>").unwrap_err().kind,
        XmlErrorKind::UnclosedElement(_)
    ));
    assert_eq!(events("  ").unwrap_err().kind, XmlErrorKind::NoRootElement);
}

#[test]
fn tokenizer_errors_carry_line_and_column() {
    // A double colon, as in a provider document's `soap-env::Header`.
    let err = events("<r xmlns:p='urn:p'>\n<p::Header/></r>").unwrap_err();
    assert!(matches!(
        err.kind,
        XmlErrorKind::Syntax(_) | XmlErrorKind::UndeclaredPrefix(_)
    ));
    assert_eq!(err.position.line, 2);
    assert!(!err.to_string().contains(" at 2:2 at "), "{err}");
}

#[test]
fn attributes_are_available_after_start() {
    let doc = r#"<Content href="cid:a&amp;b" allowAdaptations="true"/>"#;
    let mut reader = XmlReader::new(doc, XmlLimits::default());
    assert!(matches!(reader.next_event().unwrap(), Event::Start(_)));
    let href = *reader.attribute("href").unwrap();
    assert_eq!(reader.attribute_value(&href).unwrap(), "cid:a&b");
    assert_eq!(
        reader.attribute("allowAdaptations").unwrap().raw_value,
        "true"
    );
    assert!(matches!(reader.next_event().unwrap(), Event::End(_)));
}

#[test]
fn inner_xml_of_the_element_closed_last() {
    let doc = "<S><Details><a x='1'>t &amp; u</a>tail</Details><E/></S>";
    let mut reader = XmlReader::new(doc, XmlLimits::default());
    let mut inners = Vec::new();
    loop {
        match reader.next_event().unwrap() {
            Event::End(e) => inners.push((e.local, reader.last_inner_xml())),
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(inners[1], ("Details", "<a x='1'>t &amp; u</a>tail"));
    assert_eq!(inners[2], ("E", ""));
}

#[test]
fn entity_in_namespace_uri_is_refused() {
    let err = events(r#"<a xmlns="http:&gt;/x"/>"#).unwrap_err();
    assert_eq!(
        err.kind,
        XmlErrorKind::EntityInNamespace("http:&gt;/x".into())
    );
    assert_eq!(err.position.to_string(), "1:4");
}

#[test]
fn deeper_than_the_inline_stacks_reads_the_same() {
    // Twelve levels, each binding its own default namespace, and one start tag with more
    // attributes than the stacks keep inline: everything moves to the heap mid-document.
    let mut doc = String::new();
    for i in 0..12 {
        doc.push_str(&format!("<e{i} xmlns=\"urn:{i}\">"));
    }
    doc.push_str("<many");
    for i in 0..10 {
        doc.push_str(&format!(" a{i}=\"{i}\""));
    }
    doc.push_str("/>");
    for i in (0..12).rev() {
        doc.push_str(&format!("</e{i}>"));
    }
    let mut reader = XmlReader::new(&doc, XmlLimits::default());
    let mut starts = Vec::new();
    loop {
        match reader.next_event().unwrap() {
            Event::Start(e) => {
                starts.push((e.local.to_string(), e.namespace.map(str::to_string)));
                if e.local == "many" {
                    let names: Vec<_> = reader.attributes().iter().map(|a| a.local).collect();
                    assert_eq!(names.len(), 10);
                    assert_eq!(reader.attribute("a9").map(|a| a.raw_value), Some("9"));
                }
            }
            Event::End(e) if e.local == "e5" => {
                // e5's binding ended with it: e4's is in scope again.
                assert_eq!(reader.namespace_of(""), Some("urn:4"));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(starts.len(), 13);
    assert_eq!(starts[11], ("e11".to_string(), Some("urn:11".to_string())));
    assert_eq!(starts[12], ("many".to_string(), Some("urn:11".to_string())));
}

#[test]
fn cr_and_amp_are_found_at_every_position() {
    // Every length around the word size and past the `memchr2` cut, every position, and
    // bytes one off from the two searched (the word test must not confuse them).
    for len in 0..80 {
        let plain: Vec<u8> = (0..len)
            .map(|i| [b'a', b'%', b'\x0c', b'\'', b'\x0e'][i % 5])
            .collect();
        assert!(!super::has_cr_or_amp(&plain), "len {len}");
        for at in 0..len {
            for byte in [b'\r', b'&'] {
                let mut bytes = plain.clone();
                bytes[at] = byte;
                assert!(super::has_cr_or_amp(&bytes), "len {len}, {byte} at {at}");
            }
        }
    }
}

/// `read_text` of `<r>` in `doc` read event by event (the path `simple_content` stands in for),
/// with where the reader is afterwards.
fn read_text_by_events(
    doc: &str,
    limits: XmlLimits,
) -> Result<(String, Event<'_>, (usize, usize)), XmlError> {
    let mut reader = XmlReader::new(doc, limits);
    reader.next_event()?;
    let mut value = String::new();
    loop {
        match reader.next_event()? {
            Event::Text(text) if reader.depth() == 1 => value.push_str(&reader.text_value(&text)?),
            Event::End(_) if reader.depth() == 0 => break,
            Event::Eof => return Err(reader.error(XmlErrorKind::NoRootElement, doc.len())),
            _ => {}
        }
    }
    let inner = reader.last_inner_span();
    Ok((value, reader.next_event()?, inner))
}

#[test]
fn one_text_run_reads_as_its_events_do() {
    let contents = [
        "",
        "plain",
        "  spaced  ",
        " \n\t ",
        "a &amp; b &#x41;",
        "line\r\nend\r",
        "bad &nope; entity",
        "<!-- c -->after",
        "before<!-- c -->",
        "<![CDATA[x<y]]>",
        "t<![CDATA[x]]>u",
        "<c>child</c>text",
        "text<c/>",
        "0123456789abcdefXYZ",
    ];
    let limits = XmlLimits::default().with_max_text(16);
    for content in contents {
        for end in ["</r>", "</q>", "", "</r><extra/>"] {
            let doc = format!("<r>{content}{end}");
            let expected = read_text_by_events(&doc, limits);
            let mut reader = XmlReader::new(&doc, limits);
            reader.next_event().unwrap();
            let got = reader.read_text().and_then(|value| {
                let inner = reader.last_inner_span();
                Ok((value.into_owned(), reader.next_event()?, inner))
            });
            match (got, expected) {
                (Ok(got), Ok(expected)) => assert_eq!(got, expected, "{doc:?}"),
                (Err(got), Err(expected)) => assert_eq!(got, expected, "{doc:?}"),
                (got, expected) => panic!("{doc:?}: {got:?} against {expected:?}"),
            }
        }
    }
    // An empty-element tag has no content.
    let mut reader = XmlReader::new("<r/>", limits);
    reader.next_event().unwrap();
    assert_eq!(reader.read_text().unwrap(), "");
    assert_eq!(reader.next_event().unwrap(), Event::Eof);
}

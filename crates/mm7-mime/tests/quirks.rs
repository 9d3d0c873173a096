//! One test per quirk of real MM7 traffic and provider documents that the
//! parser must read, named after the quirk.

use bytes::Bytes;
use mm7_mime::{ErrorKind, Multipart, ParseOptions, TransferEncoding, WarningKind};

fn parse(body: &'static [u8], content_type: &str) -> Multipart {
    match Multipart::parse(Bytes::from_static(body), content_type) {
        Ok(multipart) => multipart,
        Err(e) => panic!("parse failed: {e}"),
    }
}

fn bodies(multipart: &Multipart) -> Vec<&[u8]> {
    multipart.parts().iter().map(|p| &p.body()[..]).collect()
}

#[test]
fn boundary_with_spaces() {
    let m = parse(
        b"--StoryParts 74526 8432 2002-77645\r\n\r\none\r\n--StoryParts 74526 8432 2002-77645\r\n\r\ntwo\r\n--StoryParts 74526 8432 2002-77645--\r\n",
        r#"multipart/mixed; boundary="StoryParts 74526 8432 2002-77645""#,
    );
    assert_eq!(bodies(&m), [&b"one"[..], b"two"]);
}

#[test]
fn boundary_with_equals_dots_and_underscores() {
    let m = parse(
        b"------=_Part_1_735700397.1414682699327\r\n\r\ngif\r\n------=_Part_1_735700397.1414682699327--\r\n",
        r#"multipart/mixed;  boundary="----=_Part_1_735700397.1414682699327""#,
    );
    assert_eq!(bodies(&m), [&b"gif"[..]]);
}

#[test]
fn unquoted_boundary_with_equals_sign() {
    let m = parse(
        b"--Nokia-mm-messageHandler-BoUnDaRy-=_-735647067\r\n\r\nx\r\n--Nokia-mm-messageHandler-BoUnDaRy-=_-735647067--",
        "multipart/related; boundary=Nokia-mm-messageHandler-BoUnDaRy-=_-735647067; type=text/xml",
    );
    assert_eq!(
        m.boundary(),
        "Nokia-mm-messageHandler-BoUnDaRy-=_-735647067"
    );
    assert_eq!(bodies(&m), [&b"x"[..]]);
}

#[test]
fn parameter_names_in_any_case() {
    let m = parse(
        b"--b\r\nContent-ID: <a>\r\n\r\nA\r\n--b\r\nContent-ID: <root>\r\n\r\nR\r\n--b--\r\n",
        r#"Multipart/Related; Type="text/xml"; Start="<root>"; BOUNDARY=b"#,
    );
    assert_eq!(m.content_type().related_type(), Some("text/xml"));
    assert_eq!(m.root_index(), Some(1));
}

#[test]
fn rfc2231_filename() {
    let m = parse(
        b"--b\r\nContent-Type: image/gif\r\nContent-Disposition: attachment;\r\n filename*0*=utf-8''na%C3%AF;\r\n filename*1=ve.gif\r\n\r\nGIF\r\n--b--\r\n",
        "multipart/mixed; boundary=b",
    );
    assert_eq!(m.parts()[0].filename().as_deref(), Some("naïve.gif"));
}

#[test]
fn folded_header_lines() {
    let m = parse(
        b"--b\r\nContent-Type: text/xml;\r\n\tcharset=\"utf-8\"\r\nContent-ID:\r\n  <folded@x>\r\n\r\n<x/>\r\n--b--\r\n",
        "multipart/related; boundary=b",
    );
    let part = &m.parts()[0];
    assert_eq!(part.content_type().charset(), Some("utf-8"));
    assert_eq!(part.content_id(), Some("folded@x"));
}

#[test]
fn folded_content_type_parameter_of_the_message() {
    // A provider document folds the message Content-Type before `start=`.
    let m = parse(
        b"--b\r\nContent-ID: <s>\r\n\r\nS\r\n--b--\r\n",
        "multipart/related; boundary=\"b\"; type=text/xml;\r\n    start=\"<s>\"",
    );
    assert_eq!(m.content_type().start(), Some("<s>"));
    assert!(m.warnings().is_empty());
}

#[test]
fn lf_only_line_ends() {
    let m = parse(
        b"--b\nContent-Type: text/plain\n\nline one\nline two\n--b\n\nsecond\n--b--\n",
        "multipart/mixed; boundary=b",
    );
    assert_eq!(bodies(&m), [&b"line one\nline two"[..], b"second"]);
    assert_eq!(m.parts()[0].content_type().mime_type(), "text/plain");
}

#[test]
fn mixed_line_ends() {
    let m = parse(
        b"--b\r\nContent-Type: text/plain\n\r\nbody\r\n--b\nContent-ID: <x>\r\n\nsecond\n--b--\r\n",
        "multipart/mixed; boundary=b",
    );
    assert_eq!(bodies(&m), [&b"body"[..], b"second"]);
    assert_eq!(m.parts()[1].content_id(), Some("x"));
}

#[test]
fn preamble_and_epilogue() {
    let m = parse(
        b"This is a preamble.\r\n--b\r\n\r\nbody\r\n--b--\r\nThis is the epilogue.\r\n",
        "multipart/mixed; boundary=b",
    );
    assert_eq!(m.preamble(), &b"This is a preamble."[..]);
    assert_eq!(m.epilogue(), &b"This is the epilogue.\r\n"[..]);
    assert_eq!(bodies(&m), [&b"body"[..]]);
}

#[test]
fn transport_padding_after_boundary() {
    let m = parse(
        b"--b \t \r\n\r\none\r\n--b\t\r\n\r\ntwo\r\n--b--  \r\n",
        "multipart/mixed; boundary=b",
    );
    assert_eq!(bodies(&m), [&b"one"[..], b"two"]);
    assert!(m.warnings().is_empty());
}

#[test]
fn part_with_no_headers() {
    let m = parse(
        b"--b\r\n\r\nplain text\r\n--b--\r\n",
        "multipart/mixed; boundary=b",
    );
    let part = &m.parts()[0];
    assert!(part.headers().is_empty());
    assert_eq!(part.content_type().mime_type(), "text/plain");
    assert_eq!(part.content_type().charset(), Some("us-ascii"));
    assert_eq!(part.body(), &b"plain text"[..]);
}

#[test]
fn header_names_in_any_case() {
    let m = parse(
        b"--b\r\ncontent-type: image/GIF\r\nCONTENT-ID: <x>\r\ncOnTeNt-TrAnSfEr-EnCoDiNg: 8bit\r\n\r\nGIF\r\n--b--\r\n",
        "multipart/mixed; boundary=b",
    );
    let part = &m.parts()[0];
    assert_eq!(part.content_type().mime_type(), "image/gif");
    assert_eq!(part.content_id(), Some("x"));
    assert_eq!(part.transfer_encoding(), TransferEncoding::EightBit);
}

#[test]
fn content_id_without_space() {
    let m = parse(
        b"--b\r\nContent-ID:<SaturnPics-01020930@news.tnn.com>\r\n\r\nx\r\n--b--\r\n",
        "multipart/related; boundary=b",
    );
    assert_eq!(
        m.parts()[0].content_id(),
        Some("SaturnPics-01020930@news.tnn.com")
    );
}

#[test]
fn content_id_without_angle_brackets() {
    let m = parse(
        b"--b\r\nContent-ID: bare@x\r\n\r\nR\r\n--b--\r\n",
        "multipart/related; boundary=b; start=\"<bare@x>\"",
    );
    assert_eq!(m.parts()[0].content_id(), Some("bare@x"));
    assert_eq!(m.root_index(), Some(0));
    assert!(m.warnings().is_empty());
    assert!(m.part_by_content_id("<bare@x>").is_some());
    assert!(m.part_by_content_id("cid:bare%40x").is_some());
}

#[test]
fn content_location() {
    let m = parse(
        b"--b\r\nContent-Location: http://www.example.com/images/saturn.gif\r\n\r\nx\r\n--b--\r\n",
        "multipart/related; boundary=b",
    );
    assert_eq!(
        m.parts()[0].content_location().as_deref(),
        Some("http://www.example.com/images/saturn.gif")
    );
}

#[test]
fn filename_from_content_type_name() {
    let m = parse(
        b"--b\r\nContent-Type: text/plain; name=Simple.txt\r\n\r\nx\r\n--b--\r\n",
        "multipart/mixed; boundary=b",
    );
    assert_eq!(m.parts()[0].filename().as_deref(), Some("Simple.txt"));
    assert!(m.parts()[0].content_disposition().is_none());
    // The parameter's name in any case; `n` elsewhere in the value is not it.
    let m = parse(
        b"--b\r\nContent-Type: image/png; NAME=\"Up.png\"\r\n\r\nx\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\ny\r\n--b--\r\n",
        "multipart/mixed; boundary=b",
    );
    assert_eq!(m.parts()[0].filename().as_deref(), Some("Up.png"));
    assert_eq!(m.parts()[1].filename(), None);
}

#[test]
fn root_named_by_start() {
    let m = parse(
        b"--b\r\nContent-ID: <att>\r\n\r\nA\r\n--b\r\nContent-ID: <root>\r\n\r\nR\r\n--b--\r\n",
        "multipart/related; boundary=b; start=root",
    );
    assert_eq!(m.root().map(|p| &p.body()[..]), Some(&b"R"[..]));
}

#[test]
fn root_is_first_part_without_start() {
    let m = parse(
        b"--b\r\nContent-Type: image/gif\r\n\r\nA\r\n--b\r\nContent-Type: text/xml\r\n\r\nR\r\n--b--\r\n",
        "multipart/related; boundary=b; type=text/xml",
    );
    assert_eq!(m.root_index(), Some(0));
    assert!(m.warnings().is_empty());
}

#[test]
fn start_naming_no_part_falls_back_to_type_with_warning() {
    let m = parse(
        b"--b\r\nContent-Type: text/xml\r\n\r\nX\r\n--b\r\nContent-Type: application/soap+xml\r\n\r\nS\r\n--b--\r\n",
        "multipart/related; boundary=b; type=\"application/soap+xml\"; start=\"<[email protected]>\"",
    );
    assert_eq!(m.root_index(), Some(1));
    assert_eq!(
        m.warnings()[0].kind(),
        &WarningKind::StartNotFound {
            start: "<[email protected]>".into()
        }
    );
}

#[test]
fn start_naming_no_part_falls_back_to_first_xml_part() {
    let m = parse(
        b"--b\r\nContent-Type: image/gif\r\n\r\nG\r\n--b\r\nContent-Type: application/xml\r\n\r\nX\r\n--b--\r\n",
        "multipart/related; boundary=b; start=\"<gone>\"",
    );
    assert_eq!(m.root_index(), Some(1));
    assert_eq!(m.warnings().len(), 1);
}

#[test]
fn nested_multipart_parsed_on_demand() {
    let m = parse(
        b"--o\r\nContent-Type: text/xml\r\n\r\n<x/>\r\n--o\r\nContent-Type: multipart/mixed; boundary=\"i i\"\r\n\r\n\
          --i i\r\nContent-Type: text/plain\r\n\r\ntext\r\n--i i\r\nContent-Type: image/gif\r\n\r\nGIF\r\n--i i--\r\n--o--\r\n",
        "multipart/related; boundary=o",
    );
    assert_eq!(m.parts().len(), 2);
    assert!(m.parts()[0].multipart().is_none());
    let nested = m.parts()[1].multipart().unwrap().unwrap();
    assert_eq!(nested.depth(), 2);
    assert_eq!(bodies(&nested), [&b"text"[..], b"GIF"]);
    let leaves: Vec<_> = m.leaves().map(|leaf| leaf.unwrap()).collect();
    let types: Vec<&str> = leaves
        .iter()
        .map(|p| p.content_type().mime_type())
        .collect();
    assert_eq!(types, ["text/xml", "text/plain", "image/gif"]);
}

#[test]
fn base64_with_line_breaks_and_whitespace() {
    let m = parse(
        b"--b\r\nContent-Transfer-Encoding: base64\r\n\r\nSGVs bG8s\r\n\tIHdv\ncmxk IQ==  \r\n--b--\r\n",
        "multipart/mixed; boundary=b",
    );
    assert_eq!(m.parts()[0].decoded().unwrap(), &b"Hello, world!"[..]);
}

#[test]
fn base64_ignores_non_alphabet_characters() {
    // The ezitxt document's example body: one line of base64, then `...`.
    let m = parse(
        b"--b\r\nContent-Type: image/gif;\r\nContent-Transfer-Encoding: base64\r\n\r\n\
          R0lGODdhZAAwAOMAAAAAAIGJjGltcDE0OOfWo6Ochbi1n1pmcbGojpKbnP/lpW54fBMTE1RYXEFO\r\n...\r\n--b--\r\n",
        "multipart/mixed; boundary=b",
    );
    let gif = m.parts()[0].decoded().unwrap();
    assert_eq!(gif.len(), 57);
    assert!(gif.starts_with(b"GIF87a"));
}

#[test]
fn uppercase_base64_encoding_name() {
    let m = parse(
        b"--b\r\nContent-Transfer-Encoding: BASE64\r\n\r\nR0lGODlh\r\n--b--\r\n",
        "multipart/mixed; boundary=b",
    );
    assert_eq!(m.parts()[0].transfer_encoding(), TransferEncoding::Base64);
    assert_eq!(m.parts()[0].decoded().unwrap(), &b"GIF89a"[..]);
}

#[test]
fn quoted_printable_body() {
    let m = parse(
        b"--b\r\nContent-Transfer-Encoding: Quoted-Printable\r\n\r\ncaf=C3=A9 au=\r\n lait\r\n--b--\r\n",
        "multipart/mixed; boundary=b",
    );
    assert_eq!(m.parts()[0].decoded().unwrap(), "café au lait".as_bytes());
}

#[test]
fn identity_encodings_are_not_copied() {
    for encoding in ["7bit", "8bit", "binary", "bInArY"] {
        let body = format!(
            "--b\r\nContent-Transfer-Encoding: {encoding}\r\n\r\n\x00\x01\x02\r\n--b--\r\n"
        );
        let input = Bytes::from(body);
        let m = Multipart::parse(input.clone(), "multipart/mixed; boundary=b").unwrap();
        let part = &m.parts()[0];
        let decoded = part.decoded().unwrap();
        assert_eq!(decoded, &b"\x00\x01\x02"[..]);
        let start = input.as_ptr() as usize;
        let at = decoded.as_ptr() as usize;
        assert!(
            at >= start && at < start + input.len(),
            "{encoding}: decoded bytes are a copy"
        );
        assert_eq!(part.headers().as_bytes().as_ptr() as usize - start, 5);
    }
}

#[test]
fn unsupported_transfer_encoding_is_an_error_at_the_body() {
    let m = parse(
        b"--b\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin\r\n--b--\r\n",
        "multipart/mixed; boundary=b",
    );
    let err = m.parts()[0].decoded().unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::UnsupportedTransferEncoding("x-uuencode".into())
    );
    assert_eq!(err.offset(), 46);
}

#[test]
fn whitespace_only_line_ends_header_block() {
    // Provider documents render the blank line as a space (or two).
    let m = parse(
        b"--b\r\nContent-Type: text/xml\r\n  \r\n<x/>\r\n--b\r\nContent-ID: <a>\r\n \r\nA\r\n--b--\r\n",
        "multipart/related; boundary=b",
    );
    assert_eq!(bodies(&m), [&b"<x/>"[..], b"A"]);
    assert!(m.warnings().is_empty());
}

#[test]
fn missing_blank_line_after_part_headers() {
    let m = parse(
        b"--b\r\nContent-Type: image/gif;\r\nContent-ID:<saturn.gif>\r\nContent-Transfer-Encoding: base64\r\nR0lGODdh\r\n--b--\r\n",
        "multipart/mixed; boundary=b",
    );
    assert_eq!(m.parts()[0].decoded().unwrap(), &b"GIF87a"[..]);
    assert_eq!(m.warnings()[0].kind(), &WarningKind::MissingBlankLine);
    assert_eq!(m.warnings()[0].offset(), 91);

    let strict = Multipart::parse_with(
        Bytes::from_static(b"--b\r\nContent-Type: text/plain\r\nno blank line\r\n--b--\r\n"),
        "multipart/mixed; boundary=b",
        &ParseOptions::strict(),
    )
    .unwrap_err();
    assert!(matches!(strict.kind(), ErrorKind::HeaderSyntax(_)));
    assert_eq!(strict.offset(), 31);
}

#[test]
fn boundary_prefix_at_line_start_is_content() {
    let m = parse(
        b"--b\r\n\r\n--bx is not a delimiter\r\n--b-- neither\r\n--b--\r\n",
        "multipart/mixed; boundary=b",
    );
    // `--b--` with text after it on the line still closes (lenient).
    assert_eq!(bodies(&m), [&b"--bx is not a delimiter"[..]]);
    assert_eq!(m.epilogue(), &b"neither\r\n--b--\r\n"[..]);
}

#[test]
fn boundary_inside_a_line_is_content() {
    let m = parse(
        b"--b\r\n\r\nx--b\r\ny --b--\r\n--b--",
        "multipart/mixed; boundary=b",
    );
    assert_eq!(bodies(&m), [&b"x--b\r\ny --b--"[..]]);
}

#[test]
fn missing_close_delimiter() {
    let body = b"--b\r\n\r\none\r\n--b\r\n\r\ntwo, truncated";
    let m = parse(body, "multipart/mixed; boundary=b");
    assert_eq!(bodies(&m), [&b"one"[..], b"two, truncated"]);
    assert_eq!(m.warnings()[0].kind(), &WarningKind::MissingCloseDelimiter);
    assert_eq!(m.warnings()[0].offset(), body.len());

    let err = Multipart::parse_with(
        Bytes::from_static(body),
        "multipart/mixed; boundary=b",
        &ParseOptions::strict(),
    )
    .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::MissingCloseDelimiter);
    assert_eq!(err.offset(), body.len());
}

#[test]
fn final_delimiter_without_dashes_adds_no_empty_part() {
    let m = parse(b"--b\r\n\r\none\r\n--b\r\n", "multipart/mixed; boundary=b");
    assert_eq!(bodies(&m), [&b"one"[..]]);
    assert_eq!(m.warnings().len(), 1);
}

#[test]
fn missing_boundary_parameter() {
    let err = Multipart::parse(
        Bytes::from_static(b"--b\r\n"),
        "multipart/related; type=text/xml",
    )
    .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::MissingBoundary);
}

#[test]
fn boundary_never_found() {
    let err = Multipart::parse(
        Bytes::from_static(b"no delimiter\r\n-- b\r\n"),
        "multipart/mixed; boundary=b",
    )
    .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::BoundaryNotFound);
}

#[test]
fn not_multipart_content_type() {
    let err = Multipart::parse(Bytes::new(), "text/xml; boundary=b").unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::NotMultipart("text/xml".into()));
    let err = Multipart::parse(Bytes::new(), "garbage").unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::InvalidContentType(_)));
}

#[test]
fn empty_part_between_adjacent_delimiters() {
    let m = parse(
        b"--b\r\n--b\r\n\r\nx\r\n--b--",
        "multipart/mixed; boundary=b",
    );
    assert_eq!(bodies(&m), [&b""[..], b"x"]);
}

#[test]
fn multipart_digest_parts_default_to_message_rfc822() {
    let m = parse(
        b"--d\r\n\r\nSubject: hi\r\n\r\nbody\r\n--d--\r\n",
        "multipart/digest; boundary=d",
    );
    assert_eq!(m.parts()[0].content_type().mime_type(), "message/rfc822");
}

#[test]
fn unparseable_part_content_type_defaults_to_text_plain_with_warning() {
    let m = parse(
        b"--b\r\nContent-Type: ???\r\n\r\nx\r\n--b--",
        "multipart/mixed; boundary=b",
    );
    assert_eq!(m.parts()[0].content_type().mime_type(), "text/plain");
    assert_eq!(m.warnings()[0].kind(), &WarningKind::InvalidContentType);
}

//! Decoding through the public API: the lenient readings real MMSCs need (each test is named
//! after the quirk it covers), prefix styles, XML lexical forms, errors and their positions.
//! The providers' captured messages are checked in `decode/vectors.rs`, and that no Body makes
//! the decoder panic in `decode/robust.rs`.

#[path = "decode/robust.rs"]
mod robust;
#[path = "decode/vectors.rs"]
mod vectors;

use bytes::Bytes;
use mm7_model::{
    AddressKind, FaultDetail, Message, MessageClass, MmStatus, Priority, SchemaId, StatusCode,
};
use mm7_soap::xml::Position;
use mm7_soap::{DecodeError, DecodeErrorKind, DecodeOptions, Decoded, Warning, decode_xml};

const NS: &str = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4";
const NS5: &str = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-5-MM7-1-3";

/// A SOAP envelope with TransactionID `tx-1` whose Body holds `body`; the Body's element
/// starts on line 5, column 1.
fn envelope(body: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<env:Envelope xmlns:env=\"http://schemas.xmlsoap.org/soap/envelope/\">\n\
         <env:Header><mm7:TransactionID xmlns:mm7=\"{NS}\" env:mustUnderstand=\"1\">tx-1</mm7:TransactionID></env:Header>\n\
         <env:Body>\n{body}\n</env:Body></env:Envelope>"
    )
}

/// `<name xmlns=NS>inner</name>`.
fn op(name: &str, inner: &str) -> String {
    format!("<{name} xmlns=\"{NS}\">{inner}</{name}>")
}

fn decode(xml: &str) -> Decoded {
    decode_xml(xml.as_bytes(), &DecodeOptions::default()).unwrap_or_else(|e| panic!("{e}\n{xml}"))
}

fn decode_err(xml: &str) -> DecodeError {
    match decode_xml(xml.as_bytes(), &DecodeOptions::default()) {
        Ok(d) => panic!("decoded, expected an error: {:?}", d.envelope.message),
        Err(e) => e,
    }
}

fn lenient(warnings: &[Warning]) -> Vec<&str> {
    warnings
        .iter()
        .filter_map(|w| match w {
            Warning::Lenient(text) => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

const SENDER_ID: &str = "<MM7Version>6.8.0</MM7Version><SenderIdentification/>";
const STATUS: &str = "<MM7Version>6.8.0</MM7Version><Status><StatusCode>1000</StatusCode><StatusText>Success</StatusText></Status>";

fn deliver_req(inner: &str) -> Decoded {
    decode(&envelope(&op(
        "DeliverReq",
        &format!("<MM7Version>5.3.0</MM7Version>{inner}"),
    )))
}

#[test]
fn plain_text_address() {
    let d = deliver_req(
        "<Sender> +15551234567 </Sender><Recipients><To>joe@example.com</To><Cc>NEWS</Cc></Recipients>",
    );
    let Message::DeliverReq(m) = &d.envelope.message else {
        panic!()
    };
    let sender = m.sender.as_ref().expect("Sender");
    assert_eq!(
        (sender.kind, sender.value.as_str()),
        (AddressKind::Number, "+15551234567")
    );
    assert_eq!(
        (m.recipients.to[0].kind, m.recipients.to[0].value.as_str()),
        (AddressKind::Rfc2822, "joe@example.com")
    );
    assert_eq!(m.recipients.cc[0].kind, AddressKind::ShortCode);
    let notes = lenient(&d.warnings);
    assert_eq!(notes.len(), 3, "{notes:?}");
    assert_eq!(
        notes[0],
        "plain-text address in <Sender> read as <Number> at 5:127"
    );

    // Plain text directly in Recipients, and an address element without a list, go to To.
    let d = decode(&envelope(&op(
        "SubmitReq",
        &format!(
            "{SENDER_ID}<Recipients>15551230000</Recipients><Recipients><Number>2</Number></Recipients>"
        ),
    )));
    let Message::SubmitReq(m) = &d.envelope.message else {
        panic!()
    };
    let to: Vec<_> = m
        .recipients
        .to
        .iter()
        .map(|a| (a.kind, a.value.as_str()))
        .collect();
    assert_eq!(
        to,
        [
            (AddressKind::Number, "15551230000"),
            (AddressKind::Number, "2")
        ]
    );
}

#[test]
fn vaspid_directly_under_deliver_req() {
    let xml = envelope(&format!(
        "<DeliverReq xmlns=\"{NS5}\"><MM7Version>5.3.0</MM7Version><VASPID>TNN</VASPID>\
         <VASID>News</VASID><Sender><Number>1</Number></Sender></DeliverReq>"
    ));
    let d = decode(&xml);
    assert_eq!(d.envelope.schema(), SchemaId::Rel5Mm7_1_3);
    let Message::DeliverReq(m) = &d.envelope.message else {
        panic!()
    };
    assert_eq!(
        (m.vasp_id.as_deref(), m.vas_id.as_deref()),
        (Some("TNN"), Some("News"))
    );
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

#[test]
fn type_plmn_suffix_kept() {
    let d = deliver_req("<Sender><Number>+15551234567/TYPE=PLMN</Number></Sender>");
    let Message::DeliverReq(m) = &d.envelope.message else {
        panic!()
    };
    let sender = m.sender.as_ref().expect("Sender");
    assert_eq!(sender.value, "+15551234567/TYPE=PLMN");
    assert_eq!(sender.normalized_number(), Some("+15551234567"));
    // And in plain text, where it still reads as a number.
    let d = deliver_req("<Sender>4512345678/TYPE=PLMN</Sender>");
    let Message::DeliverReq(m) = &d.envelope.message else {
        panic!()
    };
    let sender = m.sender.as_ref().expect("Sender");
    assert_eq!(
        (sender.kind, sender.value.as_str()),
        (AddressKind::Number, "4512345678/TYPE=PLMN")
    );
}

#[test]
fn content_with_whitespace_inside() {
    let d = deliver_req(
        "<Sender><Number>1</Number></Sender><Content href=\" cid:part1@x \" allowAdaptations=\" true \">\n   \n</Content>",
    );
    let Message::DeliverReq(m) = &d.envelope.message else {
        panic!()
    };
    let content = m.content.as_ref().expect("Content");
    assert_eq!(
        (content.href.as_str(), content.allow_adaptations),
        ("cid:part1@x", Some(true))
    );
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

#[test]
fn content_href_as_text_is_taken() {
    let d = deliver_req("<Sender><Number>1</Number></Sender><Content>cid:text-href</Content>");
    let Message::DeliverReq(m) = &d.envelope.message else {
        panic!()
    };
    assert_eq!(
        m.content.as_ref().map(|c| c.href.as_str()),
        Some("cid:text-href")
    );
    assert_eq!(lenient(&d.warnings).len(), 1);
}

fn fault_envelope(fault: &str) -> String {
    format!(
        "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body>{fault}</soapenv:Body></soapenv:Envelope>"
    )
}

#[test]
fn fault_with_namespaced_children() {
    let xml = fault_envelope(&format!(
        "<soapenv:Fault><soapenv:faultcode>soapenv:Server.Busy</soapenv:faultcode>\
         <soapenv:faultstring>\n  Server Error\n</soapenv:faultstring><soapenv:faultactor>mmsc</soapenv:faultactor>\
         <soapenv:detail><mm7:RSErrorRsp xmlns:mm7=\"{NS5}\"><mm7:MM7Version>5.3.0</mm7:MM7Version>\
         <mm7:Status><mm7:StatusCode>3000</mm7:StatusCode><mm7:StatusText>Server Error</mm7:StatusText></mm7:Status>\
         </mm7:RSErrorRsp></soapenv:detail></soapenv:Fault>"
    ));
    let d = decode(&xml);
    let Message::Fault(f) = &d.envelope.message else {
        panic!()
    };
    assert_eq!(f.faultcode, "Server.Busy", "kept by meaning, not prefix");
    assert!(f.is_server());
    assert_eq!(f.faultstring, "Server Error");
    assert_eq!(f.faultactor.as_deref(), Some("mmsc"));
    let Some(FaultDetail::RsErrorRsp(r)) = &f.detail else {
        panic!("{:?}", f.detail)
    };
    assert_eq!(
        (r.mm7_version.as_str(), r.status.code),
        ("5.3.0", StatusCode::SERVER_ERROR)
    );
    assert_eq!(d.envelope.namespace.uri(), NS5, "the detail's namespace");
    assert!(
        d.warnings
            .iter()
            .all(|w| matches!(w, Warning::MissingTransactionId)),
        "{:?}",
        d.warnings
    );
}

#[test]
fn fault_detail_in_default_namespace() {
    let https = NS.replacen("http:", "https:", 1);
    let xml = fault_envelope(&format!(
        "<soapenv:Fault><faultcode>soapenv:Client</faultcode><faultstring>Address Error</faultstring>\
         <detail><VASPErrorRsp xmlns=\"{https}\"><MM7Version>6.8.0</MM7Version><Status>\
         <StatusCode>2002</StatusCode><StatusText>Address Error</StatusText><Details><a>b</a></Details>\
         </Status></VASPErrorRsp></detail></soapenv:Fault>"
    ));
    let d = decode(&xml);
    assert_eq!(d.envelope.namespace.uri(), https);
    assert_eq!(d.envelope.schema(), SchemaId::Rel6Mm7_1_4);
    let Message::Fault(f) = &d.envelope.message else {
        panic!()
    };
    assert!(f.is_client());
    let status = f.status().expect("status");
    assert_eq!(
        (status.code, status.details.as_deref()),
        (StatusCode::ADDRESS_ERROR, Some("<a>b</a>"))
    );
}

#[test]
fn fault_with_text_detail() {
    let d = decode(&fault_envelope(
        "<soapenv:Fault><faultcode>Client</faultcode><faultstring>bad</faultstring><detail> quota &amp; more </detail></soapenv:Fault>",
    ));
    let Message::Fault(f) = &d.envelope.message else {
        panic!()
    };
    assert_eq!(
        f.detail,
        Some(FaultDetail::Other(" quota &amp; more ".into())),
        "raw inner XML"
    );
}

#[test]
fn unknown_element_skipped_with_warning() {
    let xml = envelope(&op(
        "SubmitRsp",
        &format!("{STATUS}\n<Vendor><Nested>x</Nested></Vendor><MessageID>m</MessageID>"),
    ));
    let d = decode(&xml);
    let Message::SubmitRsp(m) = &d.envelope.message else {
        panic!()
    };
    assert_eq!(m.message_id.as_deref(), Some("m"));
    let offset = xml.find("<Vendor>").expect("in the document");
    assert_eq!(
        d.warnings,
        [Warning::UnknownElement {
            element: "Vendor".into(),
            parent: "SubmitRsp".into(),
            position: Position {
                line: 6,
                column: 1,
                offset
            },
        }]
    );
}

#[test]
fn elements_out_of_order() {
    let in_order = "<MM7Version>6.8.0</MM7Version><SenderIdentification><VASPID>v</VASPID></SenderIdentification>\
        <Recipients><To><Number>1</Number></To></Recipients><MessageClass>Personal</MessageClass>\
        <DeliveryReport>true</DeliveryReport><Subject>s</Subject><Content href=\"cid:c\"/>";
    let shuffled = "<Content href=\"cid:c\"/><Subject>s</Subject><Recipients><To><Number>1</Number></To></Recipients>\
        <DeliveryReport>true</DeliveryReport><SenderIdentification><VASPID>v</VASPID></SenderIdentification>\
        <MessageClass>Personal</MessageClass><MM7Version>6.8.0</MM7Version>";
    let a = decode(&envelope(&op("SubmitReq", in_order)));
    let b = decode(&envelope(&op("SubmitReq", shuffled)));
    assert_eq!(a.envelope, b.envelope);
    assert!(b.warnings.is_empty(), "{:?}", b.warnings);
    let Message::SubmitReq(m) = &b.envelope.message else {
        panic!()
    };
    assert_eq!(
        (m.message_class.clone(), m.delivery_report),
        (Some(MessageClass::Personal), Some(true))
    );
}

#[test]
fn unknown_mm_status_kept() {
    for status in ["NotSupported", "Unrecognized", "Unreachable"] {
        let d = decode(&envelope(&op(
            "DeliveryReportReq",
            &format!(
                "<MM7Version>5.3.0</MM7Version><MessageID>m</MessageID><Recipient><Number>1</Number></Recipient>\
                 <Sender><Number>2</Number></Sender><Date>2015-03-16T14:03:51.749Z</Date><MMStatus> {status} </MMStatus>"
            ),
        )));
        let Message::DeliveryReportReq(m) = &d.envelope.message else {
            panic!()
        };
        assert_eq!(m.mm_status, MmStatus::Other(status.into()));
        assert_eq!(m.mm_status.as_str(), status);
    }
}

#[test]
fn vendor_status_code_kept() {
    let d = decode(&envelope(&op(
        "SubmitRsp",
        "<MM7Version>6.8.0</MM7Version><Status><StatusCode>\n 5001 \n</StatusCode><StatusText>Throttled</StatusText></Status>",
    )));
    let status = d.envelope.message.status().expect("status");
    assert_eq!(status.code, StatusCode::new(5001));
    assert_eq!(status.code.name(), None);
}

#[test]
fn unknown_enumeration_values_kept() {
    let d = decode(&envelope(&op(
        "SubmitReq",
        &format!(
            "{SENDER_ID}<Recipients><To><Number>1</Number></To></Recipients><MessageClass>personal</MessageClass><Priority>Urgent</Priority>"
        ),
    )));
    let Message::SubmitReq(m) = &d.envelope.message else {
        panic!()
    };
    assert_eq!(
        m.message_class,
        Some(MessageClass::Other("personal".into()))
    );
    assert_eq!(m.priority, Some(Priority::Other("Urgent".into())));
}

#[test]
fn missing_required_element_is_4004() {
    let xml = envelope(&op(
        "DeliveryReportReq",
        "<MM7Version>5.3.0</MM7Version><Recipient><Number>1</Number></Recipient>\
         <Sender><Number>2</Number></Sender><Date>2015-03-16T14:03:51Z</Date><MMStatus>Retrieved</MMStatus>",
    ));
    let e = decode_err(&xml);
    assert_eq!(
        e.kind,
        DecodeErrorKind::MissingElement {
            element: "MessageID",
            parent: "DeliveryReportReq".into()
        }
    );
    assert_eq!(e.status_code(), StatusCode::VALIDATION_ERROR);
    assert_eq!(
        e.position.map(|p| p.to_string()).as_deref(),
        Some("5:1"),
        "the parent's position"
    );
    assert_eq!(e.transaction_id.as_deref(), Some("tx-1"));
    assert_eq!(e.operation.as_deref(), Some("DeliveryReportReq"));
    assert_eq!(e.mm7_version.as_deref(), Some("5.3.0"));

    let e = decode_err(&envelope(&op("CancelReq", SENDER_ID)));
    assert_eq!(
        e.kind,
        DecodeErrorKind::MissingElement {
            element: "MessageID",
            parent: "CancelReq".into()
        }
    );
}

#[test]
fn missing_mm7_version_and_sender_identification_are_lenient() {
    let d = decode(&envelope(&op(
        "SubmitReq",
        "<Recipients><To><Number>1</Number></To></Recipients>",
    )));
    let Message::SubmitReq(m) = &d.envelope.message else {
        panic!()
    };
    assert!(m.mm7_version.is_empty());
    assert_eq!(m.sender_identification, None);
    assert_eq!(
        lenient(&d.warnings),
        [
            "<SubmitReq> without <MM7Version> read as is at 5:1",
            "<SubmitReq> without <SenderIdentification> read as is at 5:1"
        ]
    );
}

fn submit_with(element: &str) -> DecodeError {
    decode_err(&envelope(&op(
        "SubmitReq",
        &format!("{SENDER_ID}<Recipients><To><Number>1</Number></To></Recipients>\n{element}"),
    )))
}

#[test]
fn bad_boolean_is_2007() {
    let e = submit_with("<DeliveryReport>yes</DeliveryReport>");
    assert_eq!(e.status_code(), StatusCode::MESSAGE_FORMAT_CORRUPT);
    let DecodeErrorKind::InvalidValue { element, value, .. } = &e.kind else {
        panic!("{e}")
    };
    assert_eq!(
        (element.as_str(), value.as_str()),
        ("DeliveryReport", "yes")
    );
    assert_eq!(e.position.map(|p| (p.line, p.column)), Some((6, 1)));
    assert_eq!(e.transaction_id.as_deref(), Some("tx-1"));
}

#[test]
fn bad_date_duration_and_status_code_are_2007() {
    for (element, name) in [
        ("<TimeStamp>yesterday</TimeStamp>", "TimeStamp"),
        ("<ExpiryDate>P1DT</ExpiryDate>", "ExpiryDate"),
        (
            "<EarliestDeliveryTime>2020-02-30T00:00:00Z</EarliestDeliveryTime>",
            "EarliestDeliveryTime",
        ),
    ] {
        let e = submit_with(element);
        assert_eq!(e.status_code().get(), 2007, "{e}");
        assert!(
            matches!(&e.kind, DecodeErrorKind::InvalidValue { element, .. } if element == name),
            "{e}"
        );
        assert_eq!(e.position.map(|p| (p.line, p.column)), Some((6, 1)), "{e}");
    }
    let e = decode_err(&envelope(&op(
        "DeliverRsp",
        "<MM7Version>5.3.0</MM7Version><Status>\n  <StatusCode>OK</StatusCode></Status>",
    )));
    assert_eq!(e.status_code().get(), 2007);
    assert_eq!(e.position.map(|p| p.to_string()).as_deref(), Some("6:3"));
    assert!(
        e.to_string()
            .starts_with("invalid <StatusCode> value \"OK\""),
        "{e}"
    );
}

const PREFIXED_SUBMIT: &str = "<{p}SubmitReq {decl}><{p}MM7Version>5.3.0</{p}MM7Version><{p}SenderIdentification>\
    <{p}VASPID>TNN</{p}VASPID></{p}SenderIdentification><{p}Recipients><{p}To><{p}Number>1</{p}Number>\
    </{p}To></{p}Recipients><{p}Subject>s</{p}Subject></{p}SubmitReq>";

#[test]
fn every_prefix_style() {
    let reference = decode(&envelope(&op(
        "SubmitReq",
        "<MM7Version>5.3.0</MM7Version><SenderIdentification><VASPID>TNN</VASPID></SenderIdentification>\
         <Recipients><To><Number>1</Number></To></Recipients><Subject>s</Subject>",
    )))
    .envelope
    .message;
    for env in ["env", "soapenv", "SOAP-ENV", "soap-env", "S"] {
        for mm7 in ["", "mm7", "ns3", "mm7p6a0"] {
            let (p, decl) = if mm7.is_empty() {
                (String::new(), format!("xmlns=\"{NS}\""))
            } else {
                (format!("{mm7}:"), format!("xmlns:{mm7}=\"{NS}\""))
            };
            let body = PREFIXED_SUBMIT.replace("{p}", &p).replace("{decl}", &decl);
            let xml = format!(
                "<{env}:Envelope xmlns:{env}=\"http://schemas.xmlsoap.org/soap/envelope/\"><{env}:Header>\
                 <TransactionID xmlns=\"{NS}\" {env}:mustUnderstand=\"1\">t</TransactionID></{env}:Header>\
                 <{env}:Body>{body}</{env}:Body></{env}:Envelope>"
            );
            let d = decode(&xml);
            assert_eq!(d.envelope.message, reference, "{env} / {mm7}");
            assert_eq!(d.envelope.namespace.uri(), NS);
            assert!(d.warnings.is_empty(), "{env} / {mm7}: {:?}", d.warnings);
        }
    }
}

#[test]
fn default_namespace_on_the_envelope_or_mixed_per_element() {
    // The MM7 namespace declared once, as the Envelope's default (ezitxt's documents).
    let xml = format!(
        "<S:Envelope xmlns:S=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns=\"{NS}\"><S:Header>\
         <TransactionID S:mustUnderstand=\"1\">t</TransactionID></S:Header><S:Body><CancelRsp>{STATUS}</CancelRsp>\
         </S:Body></S:Envelope>"
    );
    let d = decode(&xml);
    assert_eq!(d.envelope.namespace.uri(), NS);
    assert_eq!(d.envelope.message.operation_name(), "CancelRsp");
    // Children in another namespace than their parent, or in none: matched by local name.
    let xml = envelope(&format!(
        "<a:ReplaceRsp xmlns:a=\"{NS}\" xmlns:b=\"urn:other\"><b:MM7Version>6.8.0</b:MM7Version>\
         <Status xmlns=\"\"><StatusCode>1000</StatusCode><a:StatusText>ok</a:StatusText></Status></a:ReplaceRsp>"
    ));
    let d = decode(&xml);
    assert_eq!(
        d.envelope.message.status().and_then(|s| s.text.as_deref()),
        Some("ok")
    );
}

#[test]
fn cdata_entities_and_comments() {
    let d = decode(&envelope(&op(
        "SubmitReq",
        "<!-- a comment before --><MM7Version><!-- inside -->6.8.0</MM7Version><SenderIdentification/>\
         <Recipients><To><Number>&#43;1&#x32;3</Number></To></Recipients>\
         <Subject><![CDATA[Tom & Jerry <3]]></Subject><ServiceCode>a&amp;b&lt;c&gt;&quot;&apos;&#233;</ServiceCode>\
         <LinkedID><![CDATA[  spaced  ]]></LinkedID>",
    )));
    let Message::SubmitReq(m) = &d.envelope.message else {
        panic!()
    };
    assert_eq!(m.mm7_version.as_str(), "6.8.0");
    assert_eq!(m.recipients.to[0].value, "+123");
    assert_eq!(m.subject.as_deref(), Some("Tom & Jerry <3"));
    assert_eq!(m.service_code.as_deref(), Some("a&b<c>\"'é"));
    assert_eq!(
        m.linked_id.as_deref(),
        Some("spaced"),
        "token values are trimmed, CDATA or not"
    );
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

#[test]
fn subject_and_status_text_kept_exactly() {
    let d = decode(&envelope(&op(
        "ReadReplyReq",
        "<MM7Version>5.3.0</MM7Version><MessageID>\n  m-1\n</MessageID><Recipient><Number>1</Number></Recipient>\
         <Sender><Number>2</Number></Sender><TimeStamp> 2020-01-01T00:00:00Z </TimeStamp><MMStatus>Read</MMStatus>\
         <StatusText>  read by user  </StatusText>",
    )));
    let Message::ReadReplyReq(m) = &d.envelope.message else {
        panic!()
    };
    assert_eq!(m.message_id, "m-1");
    assert_eq!(m.time_stamp.as_str(), "2020-01-01T00:00:00Z");
    assert_eq!(m.status_text.as_deref(), Some("  read by user  "));
}

#[test]
fn errors_before_the_transaction_id_lack_it() {
    let xml = "<env:Envelope xmlns:env=\"http://schemas.xmlsoap.org/soap/envelope/\"><env:Body>\
        <CancelRsp xmlns=\"urn:nowhere\"><MM7Version>9.9.9</MM7Version></CancelRsp></env:Body></env:Envelope>";
    let e = decode_err(xml);
    assert_eq!(e.kind, DecodeErrorKind::UnsupportedVersion("9.9.9".into()));
    assert_eq!(e.transaction_id, None);
}

#[test]
fn unknown_release_id_is_read_as_the_nearest_with_a_warning() {
    // A Java library emits REL-6-MM7-6-7, which no 3GPP schema has.
    let ns = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-6-7";
    let xml = format!(
        r#"<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Header>
<TransactionID xmlns="{ns}">t-67</TransactionID></env:Header><env:Body>
<DeliveryReportRsp xmlns="{ns}"><MM7Version>6.7.0</MM7Version>
<Status><StatusCode>1000</StatusCode><StatusText>ok</StatusText></Status></DeliveryReportRsp>
</env:Body></env:Envelope>"#
    );
    let decoded = decode(&xml);
    assert_eq!(
        decoded.envelope.namespace.uri(),
        ns,
        "the URI is kept as received"
    );
    assert_eq!(
        decoded.envelope.namespace.schema(),
        mm7_model::SchemaId::Rel6Mm7_1_4
    );
    assert!(
        decoded.warnings.iter().any(
            |w| matches!(w, Warning::NearestSchema { schema, .. } if schema == "REL-6-MM7-1-4")
        ),
        "{:?}",
        decoded.warnings
    );
}

#[test]
fn must_understand_header_in_an_unknown_namespace_is_refused() {
    let xml = format!(
        r#"<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Header>
<TransactionID xmlns="{NS}">t-mu</TransactionID>
<sec:Security xmlns:sec="urn:example:security" S:mustUnderstand="1"/></S:Header>
<S:Body>{}</S:Body></S:Envelope>"#,
        op(
            "DeliveryReportRsp",
            "<MM7Version>6.8.0</MM7Version><Status><StatusCode>1000</StatusCode></Status>"
        )
    );
    let err = decode_err(&xml);
    assert_eq!(err.fault_code(), mm7_soap::FaultCode::MustUnderstand);
    assert_eq!(err.transaction_id.as_deref(), Some("t-mu"));
    assert_eq!(err.position.map(|p| p.line), Some(3));
}

#[test]
fn request_without_transaction_id_is_refused_unless_allowed() {
    let xml = format!(
        "<env:Envelope xmlns:env=\"http://schemas.xmlsoap.org/soap/envelope/\"><env:Body>\n\
         <CancelReq xmlns=\"{NS}\"><MM7Version>6.8.0</MM7Version><MessageID>m1</MessageID></CancelReq>\
         </env:Body></env:Envelope>"
    );
    let e = decode_err(&xml);
    assert_eq!(e.kind, DecodeErrorKind::MissingTransactionId);
    assert_eq!(e.status_code().get(), 4004);
    assert_eq!(e.position.map(|p| p.line), Some(2));
    assert_eq!(e.transaction_id, None);
    let mut options = DecodeOptions::default();
    options.allow_missing_transaction_id = true;
    let d = decode_xml(xml.as_bytes(), &options).expect("allowed");
    assert_eq!(d.envelope.transaction_id, "");
    assert_eq!(d.warnings.first(), Some(&Warning::MissingTransactionId));
}

#[test]
fn deliver_req_without_sender_is_read_with_a_warning() {
    // A real MMSC's anonymous message from a terminal: refusing it would lose the message.
    let d = deliver_req("<Recipients><To><ShortCode>63901</ShortCode></To></Recipients>");
    let Message::DeliverReq(m) = &d.envelope.message else {
        panic!()
    };
    assert_eq!(m.sender, None);
    assert_eq!(m.recipients.to[0].value, "63901");
    assert!(
        d.warnings
            .iter()
            .any(|w| w.to_string().contains("<DeliverReq> without <Sender>")),
        "{:?}",
        d.warnings
    );
}

/// A DeliverReq whose Subject is `subject`, as text (the XML declaration has no encoding).
fn deliver_with_subject(subject: &str) -> String {
    envelope(&op(
        "DeliverReq",
        &format!(
            "<MM7Version>6.8.0</MM7Version><Sender><Number>1</Number></Sender><Subject>{subject}</Subject>"
        ),
    ))
}

fn subject_of(decoded: &Decoded) -> String {
    let Message::DeliverReq(m) = &decoded.envelope.message else {
        panic!("{:?}", decoded.envelope.message)
    };
    m.subject.clone().unwrap_or_default()
}

#[test]
fn charset_of_the_content_type_is_authoritative() {
    let text = deliver_with_subject("caf\u{e9} 5\u{20ac}");
    // windows-1252 bytes, declared only by the HTTP Content-Type.
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!unmappable);
    for label in ["ISO-8859-1", "windows-1252", "cp1252"] {
        let d = mm7_soap::decode(
            &format!("text/xml; charset={label}"),
            Bytes::from(bytes.to_vec()),
            &DecodeOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(subject_of(&d), "caf\u{e9} 5\u{20ac}", "{label}");
    }
    // UTF-16 with a byte order mark, no charset.
    let utf16: Vec<u8> = std::iter::once('\u{feff}')
        .chain(text.chars())
        .collect::<String>()
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let d = mm7_soap::decode("text/xml", Bytes::from(utf16), &DecodeOptions::default())
        .expect("UTF-16");
    assert_eq!(subject_of(&d), "caf\u{e9} 5\u{20ac}");
    // Shift_JIS in the SOAP part of a multipart, declared by the part's Content-Type.
    let text = deliver_with_subject("\u{3042}");
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
    let mut body = b"--b\r\nContent-Type: text/xml; charset=Shift_JIS\r\n\r\n".to_vec();
    body.extend_from_slice(&sjis);
    body.extend_from_slice(b"\r\n--b--\r\n");
    let d = mm7_soap::decode(
        "multipart/related; type=\"text/xml\"; boundary=b",
        Bytes::from(body),
        &DecodeOptions::default(),
    )
    .expect("Shift_JIS");
    assert_eq!(subject_of(&d), "\u{3042}");
    // An unknown label: 2007 naming it.
    let e = mm7_soap::decode(
        "text/xml; charset=klingon",
        Bytes::from(deliver_with_subject("x")),
        &DecodeOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e.status_code(), StatusCode::MESSAGE_FORMAT_CORRUPT);
    assert!(e.to_string().contains("klingon"), "{e}");
}

#[test]
fn an_error_keeps_the_warnings_gathered_before_it() {
    let xml = envelope(&op(
        "SubmitReq",
        "<MM7Version>6.8.0</MM7Version><Priorty>High</Priorty>\
         <Recipients><To><number>15551234567</number></To></Recipients>",
    ));
    let e = decode_err(&xml);
    assert_eq!(e.status_code(), StatusCode::VALIDATION_ERROR);
    assert_eq!(e.warnings.len(), 3, "{:?}", e.warnings);
    let text = e.to_string();
    assert!(
        text.starts_with(
            "no address in <To>; unknown element <number>, did you mean <Number>? at 5:"
        ),
        "{text}"
    );
    assert!(
        text.contains("(after: unknown element <Priorty> in <SubmitReq> skipped at 5:"),
        "{text}"
    );
    assert!(
        text.contains("unknown element <number> in <To> skipped"),
        "{text}"
    );
}

#[test]
fn values_outside_an_enumeration_are_kept_with_a_warning() {
    let d = decode(&envelope(&op(
        "SubmitReq",
        "<MM7Version>6.8.0</MM7Version><SenderIdentification><VASPID>v</VASPID></SenderIdentification>\
         <Recipients><To><Number>1</Number></To></Recipients>\
         <Priority>normal</Priority><MessageClass/>",
    )));
    let Message::SubmitReq(m) = &d.envelope.message else {
        panic!()
    };
    assert_eq!(m.priority.as_ref().map(|p| p.as_str()), Some("normal"));
    assert_eq!(m.message_class.as_ref().map(|c| c.as_str()), Some(""));
    let warnings = lenient(&d.warnings);
    assert!(
        warnings.iter().any(|w| w.starts_with(
            "<Priority> value \"normal\" is not one of Normal, High, Low (did you mean Normal?)"
        )),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().any(|w| w.starts_with(
            "<MessageClass> value \"\" is not one of Personal, Informational, Advertisement, Auto;"
        )),
        "{warnings:?}"
    );
}

#[test]
fn content_after_the_root_element_is_named() {
    let whole = envelope(&op(
        "DeliveryReportRsp",
        "<MM7Version>6.8.0</MM7Version><Status><StatusCode>1000</StatusCode></Status>",
    ));
    for trailing in ["<x/>", "text", "<Envelope/>"] {
        let err = decode_err(&format!("{whole}\n{trailing}"));
        assert_eq!(
            err.kind,
            DecodeErrorKind::Xml(mm7_soap::xml::XmlErrorKind::ContentOutsideRoot),
            "{trailing}: {err}"
        );
        assert_eq!(err.status_code().get(), 2007);
        assert_eq!(err.position.map(|p| p.line), Some(7), "{trailing}: {err}");
        assert!(
            err.to_string().contains("content outside the root element"),
            "{err}"
        );
    }
    // Comments and spaces after the root are XML.
    decode(&format!("{whole}\n<!-- end -->\n  "));
}

#[test]
fn a_fault_without_transaction_id_is_written_without_a_header() {
    let fault = mm7_model::SoapFault::rs_error(
        "6.8.0",
        mm7_model::Status::from_code(StatusCode::VALIDATION_ERROR),
    );
    let envelope = mm7_model::Envelope::new(
        "",
        mm7_model::Namespace::parse(NS).expect("a namespace"),
        fault,
    );
    let xml = mm7_soap::encode_xml(&envelope, &Default::default()).expect("encodes");
    assert!(!xml.contains("Header"), "{xml}");
    assert!(!xml.contains("TransactionID"), "{xml}");
    // Read back: the same Fault, and a warning that it carries no TransactionID.
    let d = decode(&xml);
    assert_eq!(d.envelope, envelope);
    assert!(
        d.warnings.contains(&Warning::MissingTransactionId),
        "{:?}",
        d.warnings
    );
}

#[test]
fn an_empty_transaction_id_is_none() {
    let xml = envelope(&op(
        "CancelReq",
        "<MM7Version>6.8.0</MM7Version><MessageID>m1</MessageID>",
    ))
    .replace(">tx-1<", ">  <");
    assert_eq!(decode_err(&xml).kind, DecodeErrorKind::MissingTransactionId);
    let mut options = DecodeOptions::default();
    options.allow_missing_transaction_id = true;
    let d = decode_xml(xml.as_bytes(), &options).expect("allowed");
    assert_eq!(d.envelope.transaction_id, "");
    assert!(
        d.warnings.contains(&Warning::MissingTransactionId),
        "{:?}",
        d.warnings
    );
}

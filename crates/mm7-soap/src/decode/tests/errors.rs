//! Refusals, lenient readings and their warnings, the Fault.

use mm7_model::{AddressKind, FaultDetail, Message, Operation, StatusCode};

use super::{decode, with_tree};
use crate::decode::MAX_REPORTED;
use crate::decode::address::infer_kind;
use crate::decode::{decode_fault, parse_u64};
use crate::error::{Context, DecodeErrorKind, Warning};

#[test]
fn responses_are_lenient_about_all_but_status() {
    let (result, warnings) = decode(
        Operation::ExtendedReplaceRsp,
        "<extendedReplaceRsp><Status><StatusCode>2005</StatusCode></Status></extendedReplaceRsp>",
    );
    let Ok(Message::ExtendedReplaceRsp(m)) = result else {
        panic!("{result:?}")
    };
    assert_eq!((m.message_id.as_str(), m.status.code.get()), ("", 2005));
    assert!(m.mm7_version.is_empty());
    assert_eq!(
        warnings.len(),
        2,
        "MM7Version and MessageID reported: {warnings:?}"
    );

    let (result, _) = decode(
        Operation::SubmitRsp,
        "<SubmitRsp><MM7Version>5.3.0</MM7Version></SubmitRsp>",
    );
    let e = result.expect_err("no Status");
    assert_eq!(
        e.kind,
        DecodeErrorKind::MissingElement {
            element: "Status",
            parent: "SubmitRsp".into()
        }
    );
    let (result, _) = decode(
        Operation::CancelRsp,
        "<CancelRsp><Status><StatusText>x</StatusText></Status></CancelRsp>",
    );
    assert!(matches!(
        result.map_err(|e| e.kind.clone()),
        Err(DecodeErrorKind::MissingElement {
            element: "StatusCode",
            ..
        })
    ));
}

#[test]
fn missing_status_text_is_reported_except_in_extended_responses() {
    let (result, warnings) = decode(
        Operation::CancelRsp,
        "<CancelRsp><MM7Version>5.3.0</MM7Version><Status><StatusCode>1000</StatusCode></Status></CancelRsp>",
    );
    assert!(result.is_ok());
    assert!(
        matches!(&warnings[..], [Warning::Lenient(w)] if w.contains("StatusText")),
        "{warnings:?}"
    );
    let (result, warnings) = decode(
        Operation::ExtendedCancelRsp,
        "<extendedCancelRsp><MM7Version>6.8.0</MM7Version><Status><StatusCode>1000</StatusCode></Status></extendedCancelRsp>",
    );
    assert!(result.is_ok());
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn structural_errors() {
    let cases = [
        (
            Operation::SubmitReq,
            "<SubmitReq><MM7Version>5.3.0</MM7Version><Recipients/><Content/></SubmitReq>",
            "href",
        ),
        (
            Operation::SubmitReq,
            "<SubmitReq><MM7Version>5.3.0</MM7Version><Recipients/></SubmitReq>",
            "Recipients",
        ),
        (
            Operation::ExtendedCancelReq,
            "<extendedCancelReq><MM7Version>6.8.0</MM7Version></extendedCancelReq>",
            "CancelID",
        ),
        (
            Operation::SubmitReq,
            "<SubmitReq><Recipients><To><Number>1</Number></To></Recipients><MessageExtraData><element><key>k</key></element></MessageExtraData></SubmitReq>",
            "value",
        ),
    ];
    for (op, doc, missing) in cases {
        let (result, _) = decode(op, doc);
        match result.map_err(|e| e.kind.clone()) {
            Err(DecodeErrorKind::MissingElement { element, .. }) => {
                assert_eq!(element, missing, "{doc}");
            }
            other => panic!("{doc}: {other:?}"),
        }
    }
}

#[test]
fn containers_without_an_address_name_what_they_held() {
    let submit = |to: &str| {
        format!(
            "<SubmitReq><MM7Version>6.8.0</MM7Version><Recipients>{to}</Recipients></SubmitReq>"
        )
    };
    let cases = [
        // The misspelt element is named, at its position, with the one it meant.
        (
            Operation::SubmitReq,
            submit("<To>\n<number>15551234567</number></To>"),
            "no address in <To>; unknown element <number>, did you mean <Number>?",
            2,
        ),
        (
            Operation::SubmitReq,
            submit("<Cc><Phone>1</Phone></Cc>"),
            "no address in <Cc>; unknown element <Phone> (an address is <Number>, <ShortCode> or <RFC2822Address>)",
            1,
        ),
        (
            Operation::SubmitReq,
            submit("<To/>"),
            "no address in <To>",
            1,
        ),
        (
            Operation::DeliverReq,
            "<DeliverReq><MM7Version>5.3.0</MM7Version><Sender/></DeliverReq>".to_string(),
            "no address in <Sender>",
            1,
        ),
    ];
    for (op, doc, text, line) in cases {
        let (result, warnings) = decode(op, &doc);
        let error = result.expect_err(&doc);
        assert_eq!(error.status_code().get(), 4004, "{doc}");
        assert_eq!(error.kind.to_string(), text, "{doc}");
        assert_eq!(error.position.map(|p| p.line), Some(line), "{doc}");
        // The unknown element was also reported as it was skipped.
        if text.contains("unknown") {
            assert!(
                warnings
                    .iter()
                    .any(|w| matches!(w, Warning::UnknownElement { .. })),
                "{warnings:?}"
            );
        }
    }
    // One list with an address is enough: the empty one is not the cause.
    let (result, _) = decode(
        Operation::SubmitReq,
        &submit("<To><number>1</number></To><Cc><Number>2</Number></Cc>"),
    );
    assert!(result.is_ok());
}

#[test]
fn invalid_values_name_element_or_attribute() {
    let cases = [
        (
            "<Content href='cid:x' allowAdaptations='maybe'/>",
            "Content@allowAdaptations",
            "maybe",
        ),
        (
            "<ReplyCharging replyChargingSize='-5'/>",
            "ReplyCharging@replyChargingSize",
            "-5",
        ),
        (
            "<ReplyCharging replyDeadline='soon'/>",
            "ReplyCharging@replyDeadline",
            "soon",
        ),
        (
            "<DeliveryCondition><DC>x</DC></DeliveryCondition>",
            "DC",
            "x",
        ),
        ("<ExpiryDate> P1X </ExpiryDate>", "ExpiryDate", "P1X"),
        (
            "<TimeStamp>2020-13-01T00:00:00Z</TimeStamp>",
            "TimeStamp",
            "2020-13-01T00:00:00Z",
        ),
        (
            "<Recipients><To><Number displayOnly='yes'>1</Number></To></Recipients>",
            "Number@displayOnly",
            "yes",
        ),
    ];
    for (element, name, value) in cases {
        let doc = format!(
            "<SubmitReq><Recipients><To><Number>1</Number></To></Recipients>{element}</SubmitReq>"
        );
        let (result, _) = decode(Operation::SubmitReq, &doc);
        match result {
            Err(e) if matches!(e.kind, DecodeErrorKind::InvalidValue { .. }) => {
                let DecodeErrorKind::InvalidValue {
                    element: got,
                    value: v,
                    ..
                } = &e.kind
                else {
                    unreachable!()
                };
                assert_eq!((got.as_str(), v.as_str()), (name, value), "{doc}");
                assert_eq!(e.status_code(), StatusCode::MESSAGE_FORMAT_CORRUPT);
                assert!(
                    e.position.is_some_and(|p| p.line == 1 && p.column > 1),
                    "{e}"
                );
            }
            other => panic!("{doc}: {other:?}"),
        }
    }
    let long = "x".repeat(200);
    let (result, _) = decode(
        Operation::CancelRsp,
        &format!("<CancelRsp><Status><StatusCode>{long}</StatusCode></Status></CancelRsp>"),
    );
    let Err(DecodeErrorKind::InvalidValue { value, .. }) = result.map_err(|e| e.kind.clone())
    else {
        panic!()
    };
    assert_eq!(value.len(), 64, "the value is cut");
}

#[test]
fn repeated_elements_keep_the_first() {
    let (result, warnings) = decode(
        Operation::SubmitRsp,
        "<SubmitRsp><MM7Version>5.3.0</MM7Version><MM7Version>9</MM7Version>
         <Status><StatusCode>1000</StatusCode><StatusText>a</StatusText></Status>
         <MessageID>first</MessageID><MessageID>second</MessageID></SubmitRsp>",
    );
    let Ok(Message::SubmitRsp(m)) = result else {
        panic!("{result:?}")
    };
    assert_eq!(
        (m.mm7_version.as_str(), m.message_id.as_deref()),
        ("5.3.0", Some("first"))
    );
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert_eq!(
        warnings,
        [
            Warning::Lenient("repeated <MM7Version> ignored at 1:42".into()),
            Warning::Lenient("repeated <MessageID> ignored at 3:38".into()),
        ]
    );
}

#[test]
fn warnings_are_capped() {
    let doc = format!(
        "<CancelRsp><MM7Version>5.3.0</MM7Version><Status><StatusCode>1000</StatusCode><StatusText>x</StatusText></Status>{}</CancelRsp>",
        "<junk/>".repeat(1000)
    );
    let (result, warnings) = decode(Operation::CancelRsp, &doc);
    assert!(result.is_ok());
    assert_eq!(warnings.len(), MAX_REPORTED + 1);
    assert!(
        matches!(&warnings[0], Warning::UnknownElement { element, parent, .. } if element == "junk" && parent == "CancelRsp")
    );
    assert_eq!(
        warnings.last(),
        Some(&Warning::Lenient(format!(
            "{} further lenient readings not reported",
            1000 - MAX_REPORTED
        )))
    );
}

#[test]
fn plain_text_address_kinds() {
    assert_eq!(infer_kind("+15551234567"), AddressKind::Number);
    assert_eq!(infer_kind("15551234567/TYPE=PLMN"), AddressKind::Number);
    assert_eq!(infer_kind("+1 (555) 123-4567"), AddressKind::Number);
    assert_eq!(infer_kind("63901"), AddressKind::Number);
    assert_eq!(infer_kind("joe@example.com"), AddressKind::Rfc2822);
    assert_eq!(
        infer_kind("+4512345678/TYPE=PLMN@mmsc"),
        AddressKind::Rfc2822
    );
    assert_eq!(infer_kind("NEWS"), AddressKind::ShortCode);
    assert_eq!(infer_kind(""), AddressKind::ShortCode);
}

#[test]
fn integers() {
    assert_eq!(parse_u64(" 42\n"), Some(42));
    assert_eq!(parse_u64("+7"), Some(7));
    for bad in ["", " ", "-1", "1.0", "0x10", "99999999999999999999", "+"] {
        assert_eq!(parse_u64(bad), None, "{bad:?}");
    }
}

fn fault(doc: &str) -> (mm7_model::SoapFault, Option<String>, Vec<Warning>) {
    with_tree(doc, |tree| {
        let mut warnings = Vec::new();
        let (fault, ns) =
            decode_fault(tree.root(), &Context::default(), &mut warnings).expect("lenient");
        (fault, ns.map(str::to_owned), warnings)
    })
}

#[test]
fn fault_detail_that_cannot_be_read_is_kept_as_text() {
    let doc = "<Fault><faultcode>Server</faultcode><faultstring>x</faultstring>
        <detail><RSErrorRsp xmlns='urn:ns'><Status><StatusCode>oops</StatusCode></Status></RSErrorRsp></detail></Fault>";
    let (f, ns, warnings) = fault(doc);
    assert_eq!(ns, None);
    let Some(FaultDetail::Other(raw)) = f.detail else {
        panic!("{:?}", f.detail)
    };
    assert!(raw.contains("<StatusCode>oops</StatusCode>"), "{raw}");
    assert!(
        matches!(&warnings[..], [Warning::Lenient(w)] if w.contains("kept as text") && w.contains("byte")),
        "{warnings:?}"
    );
}

#[test]
fn fault_without_code_or_string_is_read() {
    let (f, ns, warnings) = fault(
        "<Fault><faultactor> http://mmsc </faultactor><detail>busy</detail><x:extra xmlns:x='u'/></Fault>",
    );
    assert_eq!((f.faultcode.as_str(), f.faultstring.as_str()), ("", ""));
    assert_eq!(f.faultactor.as_deref(), Some("http://mmsc"));
    assert_eq!(f.detail, Some(FaultDetail::Other("busy".into())));
    assert_eq!(ns, None);
    assert_eq!(warnings.len(), 2, "{warnings:?}");
}

#[test]
fn fault_detail_response_name_ignores_case() {
    let (f, ns, warnings) = fault(
        "<Fault xmlns:env='http://schemas.xmlsoap.org/soap/envelope/'><FaultCode>env:Client</FaultCode><faultstring>x</faultstring><Detail><VaspErrorRsp xmlns='urn:v'>
         <MM7Version>5.3.0</MM7Version><Status><StatusCode>4001</StatusCode><StatusText>who</StatusText></Status>
         </VaspErrorRsp></Detail></Fault>",
    );
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(f.faultcode, "Client");
    assert_eq!(ns.as_deref(), Some("urn:v"));
    let Some(FaultDetail::VaspErrorRsp(r)) = f.detail else {
        panic!()
    };
    assert_eq!(r.status.code, StatusCode::IMPROPER_IDENTIFICATION);
}

#[test]
fn faultcode_is_kept_by_meaning() {
    let env = "xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'";
    for (doc, code, warned) in [
        (
            format!("<Fault {env}><faultcode>Client</faultcode></Fault>"),
            "Client",
            false,
        ),
        (
            format!("<Fault {env}><faultcode> s:Server.Busy </faultcode></Fault>"),
            "Server.Busy",
            false,
        ),
        (
            "<Fault><faultcode xmlns:q='urn:vendor'>q:Throttled</faultcode></Fault>".to_string(),
            "{urn:vendor}Throttled",
            false,
        ),
        (
            "<Fault><faultcode>nowhere:Client</faultcode></Fault>".to_string(),
            "Client",
            true,
        ),
        (
            "<Fault><faultcode>z:v:Busy</faultcode></Fault>".to_string(),
            "z:v:Busy",
            false,
        ),
    ] {
        let (f, _, warnings) = fault(&doc);
        assert_eq!(f.faultcode, code, "{doc}");
        let prefix_warning = warnings
            .iter()
            .any(|w| matches!(w, Warning::Lenient(w) if w.contains("bound nowhere")));
        assert_eq!(prefix_warning, warned, "{doc}: {warnings:?}");
    }
}

//! Validation per schema version, and the element tables against the message types.

use mm7_model::{
    Address, AddressCoding, CancelReq, ContentRef, DateTime, DeliverReq, DeliveryReportReq,
    Envelope, ExtendedCancelReq, Message, MmStatus, MmStatusExtension, Namespace, Operation, Part,
    Recipients, SchemaId, SenderIdentification, Status, SubmitReq, SubmitRsp, ValidationError,
    validate,
};

fn submit(applic: bool) -> SubmitReq {
    {
        let mut msg_ = SubmitReq::default();
        msg_.mm7_version = "6.8.0".into();
        msg_.sender_identification = Some(SenderIdentification::default());
        msg_.recipients = Recipients::to(Address::number("15551234567"));
        msg_.applic_id = applic.then(|| "com.example".to_owned());
        msg_
    }
}

#[test]
fn applic_id_depends_on_the_schema() {
    let msg = Message::from(submit(true));
    let err = validate::message(&msg, SchemaId::Rel5Mm7_1_2).unwrap_err();
    assert_eq!(
        err.errors(),
        [ValidationError::NotInSchema {
            operation: Operation::SubmitReq,
            element: "ApplicID",
            schema: SchemaId::Rel5Mm7_1_2,
            since: SchemaId::Rel6Mm7_1_2,
        }]
    );
    assert!(validate::message(&msg, SchemaId::Rel6Mm7_1_4).is_ok());
    assert!(validate::message(&Message::from(submit(false)), SchemaId::Rel5Mm7_1_0).is_ok());
}

#[test]
fn missing_required_elements_are_refused() {
    let mut req = submit(false);
    req.recipients = Recipients::default();
    req.sender_identification = None;
    req.mm7_version = "".into();
    let err = validate::message(&req.into(), SchemaId::Rel6Mm7_1_4).unwrap_err();
    let missing: Vec<_> = err
        .errors()
        .iter()
        .filter_map(|e| match e {
            ValidationError::Missing { element, .. } => Some(*element),
            _ => None,
        })
        .collect();
    assert_eq!(
        missing,
        ["MM7Version", "SenderIdentification", "Recipients"]
    );
    assert!(err.to_string().contains("SubmitReq/Recipients"));

    let mut cancel = CancelReq::default();
    cancel.mm7_version = "5.3.0".into();
    cancel.sender_identification = Some(SenderIdentification::default());
    let err = validate::message(&cancel.into(), SchemaId::Rel5Mm7_1_0).unwrap_err();
    assert!(matches!(
        err.errors(),
        [ValidationError::Missing {
            element: "MessageID",
            ..
        }]
    ));
}

#[test]
fn status_text_required_except_in_extended_responses() {
    let rsp = SubmitRsp::new(
        "6.8.0",
        Status {
            code: 1000.into(),
            text: None,
            details: None,
        },
    );
    let err = validate::message(&rsp.into(), SchemaId::Rel6Mm7_1_4).unwrap_err();
    assert!(matches!(
        err.errors(),
        [ValidationError::Missing {
            element: "Status/StatusText",
            ..
        }]
    ));
    let x = mm7_model::ExtendedCancelRsp::new(
        "6.8.0",
        Status {
            code: 1000.into(),
            text: None,
            details: None,
        },
    );
    assert!(validate::message(&x.into(), SchemaId::Rel6Mm7_1_4).is_ok());
}

#[test]
fn extended_operations_need_rel6_1_4() {
    let mut x = ExtendedCancelReq::default();
    x.mm7_version = "6.8.0".into();
    x.sender_identification = Some(SenderIdentification::default());
    x.cancel_id = "c1".into();
    let msg = Message::from(x);
    assert!(validate::message(&msg, SchemaId::Rel6Mm7_1_4).is_ok());
    let err = validate::message(&msg, SchemaId::Rel6Mm7_1_3).unwrap_err();
    assert!(matches!(
        err.errors(),
        [ValidationError::OperationNotInSchema { .. }]
    ));
}

#[test]
fn address_coding_needs_rel6() {
    let mut req = submit(false);
    req.recipients.to[0].address_coding = Some(AddressCoding::Encrypted);
    let msg = Message::from(req);
    assert!(validate::message(&msg, SchemaId::Rel6Mm7_1_0).is_ok());
    let err = validate::message(&msg, SchemaId::Rel5Mm7_1_5).unwrap_err();
    assert!(matches!(
        err.errors(),
        [ValidationError::AddressCodingNotInSchema {
            element: "Recipients",
            ..
        }]
    ));
}

#[test]
fn unresolved_content_is_refused() {
    let mut req = submit(false);
    req.content = Some(ContentRef::cid("nothing"));
    let mut env = Envelope::new("t", SchemaId::Rel6Mm7_1_4, req);
    assert!(
        validate::envelope(&env).is_ok(),
        "no attachments: href may point outside"
    );
    env.attachments
        .push(Part::text("x").with_content_id("something"));
    let err = validate::envelope(&env).unwrap_err();
    assert!(matches!(
        err.errors(),
        [ValidationError::UnresolvedContent { .. }]
    ));
    env.attachments[0].content_id = Some("nothing".into());
    assert!(validate::envelope(&env).is_ok());
}

#[test]
fn retain_schema_drops_what_the_schema_lacks() {
    let mut dr = DeliveryReportReq::new(
        "6.8.0",
        "m1",
        Address::number("1"),
        Address::number("2"),
        DateTime::parse("2015-03-16T14:03:51Z").unwrap(),
        MmStatus::Rejected,
    );
    dr.mm_status_extension = Some(MmStatusExtension::RejectionByMmsRecipient);
    dr.status_text = Some("no".into());
    dr.applic_id = Some("app".into());
    let mut msg = Message::from(dr);
    assert!(validate::message(&msg, SchemaId::Rel5Mm7_1_3).is_err());
    let removed = msg.retain_schema(SchemaId::Rel5Mm7_1_3);
    assert_eq!(removed, ["MMStatusExtension", "ApplicID"]);
    assert!(validate::message(&msg, SchemaId::Rel5Mm7_1_3).is_ok());
    let Message::DeliveryReportReq(dr) = &msg else {
        panic!("operation changed")
    };
    assert_eq!(
        dr.status_text.as_deref(),
        Some("no"),
        "REL-5 elements are kept"
    );
    assert!(msg.retain_schema(SchemaId::Rel5Mm7_1_3).is_empty());
}

#[test]
fn deliver_req_vasp_id_is_rel6_1_4() {
    let mut d = DeliverReq::new("6.8.0", Address::number("1"));
    d.vasp_id = Some("v".into());
    let msg = Message::from(d);
    assert!(validate::message(&msg, SchemaId::Rel6Mm7_1_4).is_ok());
    assert!(validate::message(&msg, SchemaId::Rel5Mm7_1_2).is_err());
}

#[test]
fn envelope_reply_echoes_transaction_and_namespace() {
    let ns = Namespace::parse(
        "https://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
    )
    .unwrap();
    let env = Envelope::new("tx-9", ns.clone(), submit(false));
    let reply = env.reply(SubmitRsp::success("6.8.0", "mid"));
    assert_eq!(reply.transaction_id, "tx-9");
    assert_eq!(reply.namespace, ns);
    assert_eq!(reply.message.operation_name(), "SubmitRsp");
}

/// Every element the tables list is known to its message type, and every optional one can
/// be cleared: checked on generated messages, which set each optional element often.
#[cfg(feature = "proptest")]
#[test]
fn tables_match_the_message_types() {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;
    use std::collections::{HashMap, HashSet};

    let mut runner = TestRunner::deterministic();
    let strategy = mm7_model::strategies::message();
    let mut seen: HashMap<Operation, HashSet<&'static str>> = HashMap::new();
    for _ in 0..4000 {
        let mut msg = strategy.new_tree(&mut runner).unwrap().current();
        let Some(op) = msg.operation() else { continue };
        let names = seen.entry(op).or_default();
        for spec in op.elements() {
            let body = msg.elements().unwrap();
            if body.has_element(spec.name) {
                names.insert(spec.name);
            }
        }
        let body = msg.elements_mut().unwrap();
        for spec in op.elements() {
            let cleared = body.clear_element(spec.name);
            if spec.required {
                assert!(!cleared, "{op}.{} is required", spec.name);
            } else {
                assert!(!body.has_element(spec.name), "{op}.{} still set", spec.name);
                let _ = cleared;
            }
        }
    }
    for op in Operation::ALL {
        let names = seen
            .get(&op)
            .unwrap_or_else(|| panic!("{op} never generated"));
        for spec in op.elements() {
            assert!(
                names.contains(spec.name),
                "{op}.{} never present",
                spec.name
            );
        }
    }
}

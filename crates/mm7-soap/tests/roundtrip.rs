//! The round-trip law: `decode_xml(encode_xml(e)) == e` for every operation and every schema
//! version, whatever the prefix style and envelope prefix.
//!
//! Two things are outside the law, by design:
//! * attachments, which travel in the MIME layer (`encode`/`decode`), not in the XML;
//! * the prefix of a Fault's `faultcode`: the model keeps the code as received, and an
//!   unprefixed `Client` is written qualified with the envelope's prefix (SOAP 1.1 wants a
//!   QName), so codes are compared by their local part.
//!
//! A generated message that lacks a required element (the strategies sometimes leave out
//! `SenderIdentification`) cannot be encoded; for those the test checks that the encoder
//! refuses with [`EncodeError::MissingElement`] exactly when the model's validation reports
//! the element missing.

mod support;

use mm7_model::strategies;
use mm7_model::validate::{self, ValidationError};
use mm7_model::{Envelope, Message, Namespace, SchemaId};
use mm7_soap::{DecodeOptions, EncodeError, EncodeOptions, PrefixStyle, decode_xml, encode_xml};
use proptest::prelude::*;

fn style(index: usize) -> EncodeOptions {
    let (prefix_style, envelope_prefix) = match index % 4 {
        0 => (PrefixStyle::DefaultNamespace, "env"),
        1 => (PrefixStyle::Prefixed("mm7".into()), "soapenv"),
        2 => (PrefixStyle::Prefixed("m".into()), "SOAP-ENV"),
        _ => (PrefixStyle::DefaultNamespace, "S"),
    };
    {
        let mut msg_ = EncodeOptions::default();
        msg_.prefix_style = prefix_style;
        msg_.envelope_prefix = envelope_prefix.into();
        msg_
    }
}

fn local_faultcode(envelope: &mut Envelope) {
    if let Message::Fault(f) = &mut envelope.message {
        f.faultcode = f.local_code().to_string();
    }
}

fn round_trip(mut envelope: Envelope, options: &EncodeOptions) -> Result<(), TestCaseError> {
    envelope.attachments.clear();
    if let Err(errors) = validate::message(&envelope.message, envelope.schema()) {
        prop_assert!(
            errors
                .errors()
                .iter()
                .all(|e| matches!(e, ValidationError::Missing { .. })),
            "the strategies fit messages to their schema: {errors}"
        );
        let result = encode_xml(&envelope, options);
        prop_assert!(
            matches!(result, Err(EncodeError::MissingElement { .. })),
            "{errors} but encoding gave {result:?}"
        );
        return Ok(());
    }
    let xml =
        encode_xml(&envelope, options).map_err(|e| TestCaseError::fail(format!("encode: {e}")))?;
    let decoded = decode_xml(xml.as_bytes(), &DecodeOptions::default())
        .map_err(|e| TestCaseError::fail(format!("decode: {e}\n{xml}")))?;
    let mut got = decoded.envelope;
    local_faultcode(&mut got);
    local_faultcode(&mut envelope);
    prop_assert_eq!(got, envelope, "{}", xml);
    Ok(())
}

macro_rules! per_schema {
    ($($name:ident => $schema:ident),* $(,)?) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(96))]
            $(
                #[test]
                fn $name(envelope in strategies::envelope_for(SchemaId::$schema), style_index in 0..4usize) {
                    round_trip(envelope, &style(style_index))?;
                }
            )*
        }
    };
}

per_schema! {
    rel5_mm7_1_0 => Rel5Mm7_1_0,
    rel5_mm7_1_1 => Rel5Mm7_1_1,
    rel5_mm7_1_2 => Rel5Mm7_1_2,
    rel5_mm7_1_3 => Rel5Mm7_1_3,
    rel5_mm7_1_4 => Rel5Mm7_1_4,
    rel5_mm7_1_5 => Rel5Mm7_1_5,
    rel6_mm7_1_0 => Rel6Mm7_1_0,
    rel6_mm7_1_1 => Rel6Mm7_1_1,
    rel6_mm7_1_2 => Rel6Mm7_1_2,
    rel6_mm7_1_3 => Rel6Mm7_1_3,
    rel6_mm7_1_4 => Rel6Mm7_1_4,
}

/// Every operation with every element its schema defines, in every schema and style.
#[test]
fn maximal_messages_round_trip() {
    for schema in SchemaId::ALL {
        for message in support::maximal_for(schema) {
            for index in 0..4 {
                let envelope = Envelope::new(
                    "tx <1> & \"2\"",
                    Namespace::canonical(schema),
                    message.clone(),
                );
                if let Err(e) = round_trip(envelope, &style(index)) {
                    panic!("{} {}: {e}", schema.id(), message.operation_name());
                }
            }
        }
    }
}

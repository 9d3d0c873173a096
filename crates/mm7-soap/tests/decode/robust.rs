//! Whatever the Body holds, decoding returns (a message or an error) and never panics: random
//! trees over the MM7 element and attribute names, with random text, under every operation.

use mm7_model::Operation;
use mm7_soap::{DecodeOptions, decode_xml};
use proptest::prelude::*;

const NAMES: &[&str] = &[
    "MM7Version",
    "SenderIdentification",
    "VASPID",
    "VASID",
    "SenderAddress",
    "Recipients",
    "To",
    "Cc",
    "Bcc",
    "Number",
    "ShortCode",
    "RFC2822Address",
    "Sender",
    "Recipient",
    "Status",
    "StatusCode",
    "StatusText",
    "Details",
    "MessageID",
    "Content",
    "ReplyCharging",
    "ExpiryDate",
    "TimeStamp",
    "Date",
    "DeliveryReport",
    "MMStatus",
    "Priority",
    "Subject",
    "DeliveryCondition",
    "DC",
    "PreferredChannels",
    "DeliverUsing",
    "UACapabilities",
    "Previouslysentby",
    "UserAgent",
    "Previouslysentdateandtime",
    "DateTime",
    "MessageExtraData",
    "element",
    "key",
    "value",
    "AdditionalInformation",
    "ThirdPartyPayer",
    "CancelID",
    "ReplaceID",
    "faultcode",
    "detail",
    "RSErrorRsp",
    "Unknown",
];
const ATTRIBUTES: &[&str] = &[
    "href",
    "allowAdaptations",
    "displayOnly",
    "addressCoding",
    "sequence",
    "replyChargingSize",
    "replyDeadline",
    "UAProf",
    "TimeStamp",
];
const TEXT: &str = "[ a-zA-Z0-9:+.@/=-]{0,12}|true|1|P1D|2020-01-01T00:00:00Z|1000";

fn element() -> impl Strategy<Value = String> {
    let leaf = (
        proptest::sample::select(NAMES),
        proptest::option::of((proptest::sample::select(ATTRIBUTES), TEXT)),
        TEXT,
    )
        .prop_map(|(name, attr, text)| {
            let attr = attr
                .map(|(a, v)| format!(" {a}=\"{v}\""))
                .unwrap_or_default();
            format!("<{name}{attr}>{text}</{name}>")
        });
    leaf.prop_recursive(3, 40, 6, |inner| {
        (
            proptest::sample::select(NAMES),
            proptest::collection::vec(inner, 0..6),
        )
            .prop_map(|(name, children)| format!("<{name}>{}</{name}>", children.concat()))
    })
}

proptest! {
    #[test]
    fn decoding_never_panics(
        op in proptest::sample::select(Operation::ALL.iter().map(|op| op.element_name()).chain(["Fault"]).collect::<Vec<_>>()),
        children in proptest::collection::vec(element(), 0..8),
    ) {
        let xml = format!(
            "<e:Envelope xmlns:e=\"http://schemas.xmlsoap.org/soap/envelope/\"><e:Body><{op} \
             xmlns=\"http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4\">{}</{op}></e:Body></e:Envelope>",
            children.concat()
        );
        if let Err(e) = decode_xml(xml.as_bytes(), &DecodeOptions::default()) {
            // Every refusal names its place in the document.
            prop_assert!(e.position.is_some(), "{}", e);
        }
    }
}

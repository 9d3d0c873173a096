//! Per operation, the child elements of the body element in schema order, with the first
//! schema that defines each and whether it is required.
//!
//! An encoder walks [`Operation::elements`] to write children in the order the XSD's
//! `xs:sequence` demands and skips those [`ElementSpec::defined_in`] says the target schema
//! lacks; [`crate::validate`] uses the same tables.
//!
//! The 3GPP schema files were not at hand; the tables follow TS 23.140's message
//! definitions, provider documentation and public transcriptions of `REL-6-MM7-1-4`, and
//! agree with the project's `xsd/` (whose README records the evidence and confidence for
//! each release). Where a release added an element is a guess for several REL-6 elements;
//! the guesses err towards the later schema, so nothing is sent to a peer whose schema
//! lacks it. Elements found only in one `REL-6-MM7-1-4` transcription (`PreferredChannels`,
//! `ThirdPartyPayer`, `AdditionalInformation`, `MessageExtraData`) are listed from that
//! schema on, as they are in `xsd/REL-6-MM7-1-4.xsd`.

use crate::version::{Mm7Version, SchemaId};

/// An MM7 operation: the name of a SOAP body element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// `SubmitReq` (VASP → MMSC).
    SubmitReq,
    /// `SubmitRsp`.
    SubmitRsp,
    /// `DeliverReq` (MMSC → VASP).
    DeliverReq,
    /// `DeliverRsp`.
    DeliverRsp,
    /// `CancelReq` (VASP → MMSC).
    CancelReq,
    /// `CancelRsp`.
    CancelRsp,
    /// `ReplaceReq` (VASP → MMSC).
    ReplaceReq,
    /// `ReplaceRsp`.
    ReplaceRsp,
    /// `DeliveryReportReq` (MMSC → VASP).
    DeliveryReportReq,
    /// `DeliveryReportRsp`.
    DeliveryReportRsp,
    /// `ReadReplyReq` (MMSC → VASP).
    ReadReplyReq,
    /// `ReadReplyRsp`.
    ReadReplyRsp,
    /// `RSErrorRsp`: the MMSC's error response (in a SOAP Fault's `detail`).
    RsErrorRsp,
    /// `VASPErrorRsp`: the VASP's error response (in a SOAP Fault's `detail`).
    VaspErrorRsp,
    /// `extendedCancelReq` (REL-6).
    ExtendedCancelReq,
    /// `extendedCancelRsp` (REL-6).
    ExtendedCancelRsp,
    /// `extendedReplaceReq` (REL-6).
    ExtendedReplaceReq,
    /// `extendedReplaceRsp` (REL-6).
    ExtendedReplaceRsp,
}

impl Operation {
    /// Every operation.
    pub const ALL: [Operation; 18] = [
        Operation::SubmitReq,
        Operation::SubmitRsp,
        Operation::DeliverReq,
        Operation::DeliverRsp,
        Operation::CancelReq,
        Operation::CancelRsp,
        Operation::ReplaceReq,
        Operation::ReplaceRsp,
        Operation::DeliveryReportReq,
        Operation::DeliveryReportRsp,
        Operation::ReadReplyReq,
        Operation::ReadReplyRsp,
        Operation::RsErrorRsp,
        Operation::VaspErrorRsp,
        Operation::ExtendedCancelReq,
        Operation::ExtendedCancelRsp,
        Operation::ExtendedReplaceReq,
        Operation::ExtendedReplaceRsp,
    ];

    /// The body element name, exactly as the schema spells it (`extendedCancelReq` starts
    /// lowercase).
    pub fn element_name(self) -> &'static str {
        match self {
            Operation::SubmitReq => "SubmitReq",
            Operation::SubmitRsp => "SubmitRsp",
            Operation::DeliverReq => "DeliverReq",
            Operation::DeliverRsp => "DeliverRsp",
            Operation::CancelReq => "CancelReq",
            Operation::CancelRsp => "CancelRsp",
            Operation::ReplaceReq => "ReplaceReq",
            Operation::ReplaceRsp => "ReplaceRsp",
            Operation::DeliveryReportReq => "DeliveryReportReq",
            Operation::DeliveryReportRsp => "DeliveryReportRsp",
            Operation::ReadReplyReq => "ReadReplyReq",
            Operation::ReadReplyRsp => "ReadReplyRsp",
            Operation::RsErrorRsp => "RSErrorRsp",
            Operation::VaspErrorRsp => "VASPErrorRsp",
            Operation::ExtendedCancelReq => "extendedCancelReq",
            Operation::ExtendedCancelRsp => "extendedCancelRsp",
            Operation::ExtendedReplaceReq => "extendedReplaceReq",
            Operation::ExtendedReplaceRsp => "extendedReplaceRsp",
        }
    }

    /// The operation for a body element name (exact spelling).
    pub fn from_element_name(name: &str) -> Option<Operation> {
        Operation::ALL
            .into_iter()
            .find(|op| op.element_name() == name)
    }

    /// The first schema that defines the operation.
    pub fn since(self) -> SchemaId {
        match self {
            Operation::ExtendedCancelReq
            | Operation::ExtendedCancelRsp
            | Operation::ExtendedReplaceReq
            | Operation::ExtendedReplaceRsp => R6_14,
            _ => R5,
        }
    }

    /// Whether `schema` defines the operation.
    pub fn defined_in(self, schema: SchemaId) -> bool {
        schema >= self.since()
    }

    /// Whether this is a request (`…Req`).
    pub fn is_request(self) -> bool {
        self.element_name().ends_with("Req")
    }

    /// The response that answers this request, `None` for responses.
    pub fn response(self) -> Option<Operation> {
        Some(match self {
            Operation::SubmitReq => Operation::SubmitRsp,
            Operation::DeliverReq => Operation::DeliverRsp,
            Operation::CancelReq => Operation::CancelRsp,
            Operation::ReplaceReq => Operation::ReplaceRsp,
            Operation::DeliveryReportReq => Operation::DeliveryReportRsp,
            Operation::ReadReplyReq => Operation::ReadReplyRsp,
            Operation::ExtendedCancelReq => Operation::ExtendedCancelRsp,
            Operation::ExtendedReplaceReq => Operation::ExtendedReplaceRsp,
            _ => return None,
        })
    }

    /// The body's child elements in schema order.
    pub fn elements(self) -> &'static [ElementSpec] {
        match self {
            Operation::SubmitReq => SUBMIT_REQ,
            Operation::SubmitRsp => SUBMIT_RSP,
            Operation::DeliverReq => DELIVER_REQ,
            Operation::DeliverRsp => DELIVER_RSP,
            Operation::CancelReq => CANCEL_REQ,
            Operation::ReplaceReq => REPLACE_REQ,
            Operation::DeliveryReportReq => DELIVERY_REPORT_REQ,
            Operation::ReadReplyReq => READ_REPLY_REQ,
            Operation::CancelRsp
            | Operation::ReplaceRsp
            | Operation::DeliveryReportRsp
            | Operation::ReadReplyRsp
            | Operation::RsErrorRsp
            | Operation::VaspErrorRsp => GENERIC_RSP,
            Operation::ExtendedCancelRsp => EXTENDED_CANCEL_RSP,
            Operation::ExtendedCancelReq => EXTENDED_CANCEL_REQ,
            Operation::ExtendedReplaceReq => EXTENDED_REPLACE_REQ,
            Operation::ExtendedReplaceRsp => EXTENDED_REPLACE_RSP,
        }
    }

    /// The spec of one child element.
    pub fn element(self, name: &str) -> Option<&'static ElementSpec> {
        self.elements().iter().find(|e| e.name == name)
    }

    /// The children of the `Status` element of this response: `StatusCode` only for the
    /// extended responses, `StatusCode`, `StatusText`, `Details?` otherwise.
    pub fn status_elements(self) -> &'static [ElementSpec] {
        match self {
            Operation::ExtendedCancelRsp | Operation::ExtendedReplaceRsp => EXTENDED_STATUS,
            _ => STATUS,
        }
    }
}

impl std::fmt::Display for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.element_name())
    }
}

/// One child element of an operation (or of a container such as `Status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ElementSpec {
    /// The element name.
    pub name: &'static str,
    /// The first schema that defines it.
    pub since: SchemaId,
    /// Whether the schema requires it (`minOccurs` 1).
    pub required: bool,
    /// Whether it may repeat (`maxOccurs` above 1).
    pub repeatable: bool,
}

impl ElementSpec {
    /// Whether `schema` defines the element.
    pub fn defined_in(&self, schema: SchemaId) -> bool {
        schema >= self.since
    }

    /// Whether `schema` requires the element.
    pub fn required_in(&self, schema: SchemaId) -> bool {
        self.required && self.defined_in(schema)
    }
}

const R5: SchemaId = SchemaId::Rel5Mm7_1_0;
const R6: SchemaId = SchemaId::Rel6Mm7_1_0;
/// `DeliveryCondition`, `UACapabilities`.
const R6_11: SchemaId = SchemaId::Rel6Mm7_1_1;
/// Application addressing: `ApplicID`, `ReplyApplicID`, `AuxApplicInfo`.
const R6_12: SchemaId = SchemaId::Rel6Mm7_1_2;
/// `ContentClass`, `DRMContent`.
const R6_13: SchemaId = SchemaId::Rel6Mm7_1_3;
const R6_14: SchemaId = SchemaId::Rel6Mm7_1_4;

const fn req(name: &'static str, since: SchemaId) -> ElementSpec {
    ElementSpec {
        name,
        since,
        required: true,
        repeatable: false,
    }
}

const fn opt(name: &'static str, since: SchemaId) -> ElementSpec {
    ElementSpec {
        name,
        since,
        required: false,
        repeatable: false,
    }
}

const fn many(name: &'static str, since: SchemaId) -> ElementSpec {
    ElementSpec {
        name,
        since,
        required: false,
        repeatable: true,
    }
}

/// When the `addressCoding` attribute of addresses appeared.
pub const ADDRESS_CODING_SINCE: SchemaId = R6;

const SUBMIT_REQ: &[ElementSpec] = &[
    req("MM7Version", R5),
    req("SenderIdentification", R5),
    req("Recipients", R5),
    opt("PreferredChannels", R6_14),
    opt("ServiceCode", R5),
    opt("LinkedID", R5),
    opt("MessageClass", R5),
    opt("TimeStamp", R5),
    opt("ReplyCharging", R5),
    opt("EarliestDeliveryTime", R5),
    opt("ExpiryDate", R5),
    opt("DeliveryReport", R5),
    opt("ReadReply", R5),
    opt("Priority", R5),
    opt("Subject", R5),
    opt("ChargedParty", R5),
    opt("ChargedPartyID", R6),
    opt("ThirdPartyPayer", R6_14),
    opt("DistributionIndicator", R5),
    opt("DeliveryCondition", R6_11),
    opt("ApplicID", R6_12),
    opt("ReplyApplicID", R6_12),
    opt("AuxApplicInfo", R6_12),
    opt("ContentClass", R6_13),
    opt("DRMContent", R6_13),
    opt("Content", R5),
    many("AdditionalInformation", R6_14),
    opt("MessageExtraData", R6_14),
];

const SUBMIT_RSP: &[ElementSpec] = &[
    req("MM7Version", R5),
    req("Status", R5),
    opt("MessageID", R5),
];

const DELIVER_REQ: &[ElementSpec] = &[
    req("MM7Version", R5),
    opt("MMSRelayServerID", R5),
    opt("VASPID", R6_14),
    opt("VASID", R6_14),
    opt("LinkedID", R5),
    req("Sender", R5),
    opt("Recipients", R5),
    opt("Previouslysentby", R5),
    opt("Previouslysentdateandtime", R5),
    opt("SenderSPI", R5),
    opt("RecipientSPI", R5),
    opt("TimeStamp", R5),
    opt("ReplyChargingID", R5),
    opt("Priority", R5),
    opt("Subject", R5),
    opt("ApplicID", R6_12),
    opt("ReplyApplicID", R6_12),
    opt("AuxApplicInfo", R6_12),
    opt("UACapabilities", R6_11),
    opt("Content", R5),
    many("AdditionalInformation", R6_14),
    opt("MessageExtraData", R6_14),
];

const DELIVER_RSP: &[ElementSpec] = &[
    req("MM7Version", R5),
    req("Status", R5),
    opt("ServiceCode", R5),
];

const CANCEL_REQ: &[ElementSpec] = &[
    req("MM7Version", R5),
    req("SenderIdentification", R5),
    req("MessageID", R5),
    opt("Recipients", R6_14),
    opt("ApplicID", R6_12),
    opt("ReplyApplicID", R6_12),
    opt("AuxApplicInfo", R6_12),
];

const REPLACE_REQ: &[ElementSpec] = &[
    req("MM7Version", R5),
    req("SenderIdentification", R5),
    req("MessageID", R5),
    opt("ServiceCode", R5),
    opt("TimeStamp", R5),
    opt("ReadReply", R5),
    opt("EarliestDeliveryTime", R5),
    opt("DistributionIndicator", R5),
    opt("ContentClass", R6_13),
    opt("DRMContent", R6_13),
    opt("ApplicID", R6_12),
    opt("ReplyApplicID", R6_12),
    opt("AuxApplicInfo", R6_12),
    opt("Content", R5),
    many("AdditionalInformation", R6_14),
    opt("MessageExtraData", R6_14),
];

const DELIVERY_REPORT_REQ: &[ElementSpec] = &[
    req("MM7Version", R5),
    opt("MMSRelayServerID", R5),
    req("MessageID", R5),
    req("Recipient", R5),
    req("Sender", R5),
    req("Date", R5),
    req("MMStatus", R5),
    opt("MMStatusExtension", R6),
    opt("StatusText", R5),
    opt("ApplicID", R6_12),
    opt("ReplyApplicID", R6_12),
    opt("AuxApplicInfo", R6_12),
    opt("UACapabilities", R6_11),
];

const READ_REPLY_REQ: &[ElementSpec] = &[
    req("MM7Version", R5),
    opt("MMSRelayServerID", R5),
    req("MessageID", R5),
    req("Recipient", R5),
    req("Sender", R5),
    req("TimeStamp", R5),
    req("MMStatus", R5),
    opt("StatusText", R5),
    opt("ApplicID", R6_12),
    opt("ReplyApplicID", R6_12),
    opt("AuxApplicInfo", R6_12),
];

const GENERIC_RSP: &[ElementSpec] = &[req("MM7Version", R5), req("Status", R5)];

const EXTENDED_CANCEL_REQ: &[ElementSpec] = &[
    req("MM7Version", R6_14),
    req("SenderIdentification", R6_14),
    req("CancelID", R6_14),
];

const EXTENDED_CANCEL_RSP: &[ElementSpec] = &[req("MM7Version", R6_14), req("Status", R6_14)];

const EXTENDED_REPLACE_REQ: &[ElementSpec] = &[
    req("MM7Version", R6_14),
    opt("VASPID", R6_14),
    opt("VASID", R6_14),
    opt("ServiceCode", R6_14),
    req("ReplaceID", R6_14),
    opt("TimeStamp", R6_14),
    opt("EarliestDeliveryTime", R6_14),
    opt("ExpiryDate", R6_14),
    opt("ReadReply", R6_14),
    opt("DeliveryReport", R6_14),
    opt("Content", R6_14),
    many("AdditionalInformation", R6_14),
    opt("MessageExtraData", R6_14),
];

const EXTENDED_REPLACE_RSP: &[ElementSpec] = &[
    req("MM7Version", R6_14),
    req("MessageID", R6_14),
    req("Status", R6_14),
];

const STATUS: &[ElementSpec] = &[
    req("StatusCode", R5),
    req("StatusText", R5),
    opt("Details", R5),
];

const EXTENDED_STATUS: &[ElementSpec] = &[req("StatusCode", R6_14)];

const SENDER_IDENTIFICATION: &[ElementSpec] = &[
    opt("VASPID", R5),
    opt("VASID", R5),
    opt("SenderAddress", R5),
];

const RECIPIENTS: &[ElementSpec] = &[opt("To", R5), opt("Cc", R5), opt("Bcc", R5)];

/// The children of the container elements shared by several operations:
/// `SenderIdentification`, `Recipients`, `Status`, in schema order.
pub fn children(container: &str) -> Option<&'static [ElementSpec]> {
    match container {
        "SenderIdentification" => Some(SENDER_IDENTIFICATION),
        "Recipients" => Some(RECIPIENTS),
        "Status" => Some(STATUS),
        _ => None,
    }
}

/// What every message body type offers for schema-driven code (encoders, validation):
/// which of its operation's elements are set, and removing them.
pub trait MessageElements {
    /// The operation this body is.
    fn operation(&self) -> Operation;

    /// The `MM7Version` element.
    fn mm7_version(&self) -> &Mm7Version;

    /// The `MM7Version` element, to set it.
    fn mm7_version_mut(&mut self) -> &mut Mm7Version;

    /// Whether element `name` (a name from [`Operation::elements`]) is present. Required
    /// text elements count as present when non-empty; `Recipients` when it has an address.
    fn has_element(&self, name: &str) -> bool;

    /// Removes optional element `name`; returns whether it was present. Required elements
    /// are left alone (and `false` returned).
    fn clear_element(&mut self, name: &str) -> bool;

    /// Removes every optional element that `schema` does not define (to send a message to
    /// a peer on an older schema); returns the names removed.
    fn retain_schema(&mut self, schema: SchemaId) -> Vec<&'static str> {
        let op = self.operation();
        op.elements()
            .iter()
            .filter(|e| !e.defined_in(schema) && self.clear_element(e.name))
            .map(|e| e.name)
            .collect()
    }
}

/// Implements [`MessageElements`] from a list of `"Element" => kind field` entries, where
/// kind is `opt` (an `Option`), `vec` (a `Vec`), `text` (a required value with `is_empty`),
/// `id` (a required identifier such as `MessageID`, present when non-empty, as `text`),
/// `dflt` (an optional value with `is_empty` and `Default`, such as an optional `Recipients`),
/// `reqopt` (a required element held in an `Option`, so that a peer omitting it can still be
/// decoded) or `req` (a required value always present).
macro_rules! impl_elements {
    ($ty:ty, $op:expr, { $($name:literal => $kind:ident $field:ident),* $(,)? }) => {
        impl $crate::schema::MessageElements for $ty {
            fn operation(&self) -> $crate::schema::Operation {
                $op
            }
            fn mm7_version(&self) -> &$crate::version::Mm7Version {
                &self.mm7_version
            }
            fn mm7_version_mut(&mut self) -> &mut $crate::version::Mm7Version {
                &mut self.mm7_version
            }
            fn has_element(&self, name: &str) -> bool {
                match name {
                    $( $name => $crate::schema::impl_elements!(@has $kind self.$field), )*
                    _ => false,
                }
            }
            fn clear_element(&mut self, name: &str) -> bool {
                match name {
                    $( $name => $crate::schema::impl_elements!(@clear $kind self.$field), )*
                    _ => false,
                }
            }
        }
    };
    (@has opt $e:expr) => { $e.is_some() };
    (@has vec $e:expr) => { !$e.is_empty() };
    (@has text $e:expr) => { !$e.is_empty() };
    (@has id $e:expr) => { !$e.is_empty() };
    (@has req $e:expr) => { true };
    (@has dflt $e:expr) => { !$e.is_empty() };
    (@has reqopt $e:expr) => { $e.is_some() };
    (@clear opt $e:expr) => {{
        let had = $e.is_some();
        $e = None;
        had
    }};
    (@clear vec $e:expr) => {{
        let had = !$e.is_empty();
        $e.clear();
        had
    }};
    (@clear text $e:expr) => { false };
    (@clear id $e:expr) => { false };
    (@clear req $e:expr) => { false };
    (@clear reqopt $e:expr) => { false };
    (@clear dflt $e:expr) => {{
        let had = !$e.is_empty();
        $e = Default::default();
        had
    }};
}
pub(crate) use impl_elements;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for op in Operation::ALL {
            assert_eq!(Operation::from_element_name(op.element_name()), Some(op));
            assert_eq!(op.elements().first().map(|e| e.name), Some("MM7Version"));
            if let Some(rsp) = op.response() {
                assert!(op.is_request() && !rsp.is_request(), "{op}");
            }
        }
        assert_eq!(Operation::from_element_name("submitreq"), None);
        assert!(Operation::RsErrorRsp.response().is_none());
    }

    #[test]
    fn tables_are_consistent() {
        for op in Operation::ALL {
            let els = op.elements();
            for (i, e) in els.iter().enumerate() {
                assert!(e.since >= op.since(), "{op}.{}", e.name);
                assert!(
                    !els[i + 1..].iter().any(|o| o.name == e.name),
                    "{op}.{} twice",
                    e.name
                );
            }
        }
    }

    #[test]
    fn versions_differ_where_rel6_added_elements() {
        let applic = Operation::SubmitReq.element("ApplicID").unwrap();
        assert!(!applic.defined_in(SchemaId::Rel5Mm7_1_2));
        assert!(applic.defined_in(SchemaId::Rel6Mm7_1_4));
        let content = Operation::SubmitReq.element("Content").unwrap();
        assert!(content.defined_in(SchemaId::Rel5Mm7_1_0));
        assert!(!Operation::ExtendedCancelReq.defined_in(SchemaId::Rel6Mm7_1_3));
        assert!(
            Operation::SubmitReq
                .element("Recipients")
                .unwrap()
                .required_in(SchemaId::Rel5Mm7_1_0)
        );
        assert_eq!(children("Status").map(<[_]>::len), Some(3));
        assert!(children("Nope").is_none());
    }
}

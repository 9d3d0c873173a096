//! What the encoder writes validates against the MM7 XML Schemas: for every schema id, every
//! operation it defines and the Fault (with `RSErrorRsp`, `VASPErrorRsp` and other detail),
//! generated messages and a hand-built message with every element the schema defines, in
//! both prefix styles.
//!
//! The schemas are the project's (`xsd/envelope-<ID>.xsd`), or the official 3GPP files when
//! `MM7_OFFICIAL_XSD_DIR` names a folder holding them as `<ID>.xsd` (the same wrapper as
//! `xsd/validate.sh` builds). `xmllint` (libxml2-utils) is needed: without it the test prints a
//! loud SKIPPED line and passes, unless the environment variable `CI` is set (CI sets it), where
//! it fails rather than pass without checking anything.
//!
//! The project's schemas are strict about values on purpose, while the model's strategies
//! also produce what a lenient codec must carry (enumeration values outside the schema,
//! vendor status codes outside 1000–4999, `xs:dateTime` offsets past ±14:00, required
//! elements a peer left out); those are
//! mapped into the schema's value space first (see [`to_value_space`]). Structure is never
//! adjusted: every element and attribute the model can hold must validate as encoded.

mod support;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use mm7_model::strategies;
use mm7_model::{
    AddressCoding, Channel, ChargedParty, ContentClass, DateTime, FaultDetail, Message,
    MessageClass, MmStatus, MmStatusExtension, Operation, Priority, RelativeOrAbsolute, SchemaId,
    Status, StatusCode,
};
use mm7_soap::{EncodeOptions, PrefixStyle, encode_xml};
use proptest::strategy::{BoxedStrategy, Strategy, ValueTree};
use proptest::test_runner::TestRunner;

/// Generated messages per operation (or Fault detail kind) and schema.
const CASES: usize = 8;

fn xsd_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../xsd")
}

/// Whether xmllint can be run. Without it: a SKIPPED line and `false` on a developer's
/// machine, a failure under `CI`.
fn xmllint_available() -> bool {
    let found = Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let advice = "xmllint not found: install libxml2-utils (apt-get install libxml2-utils; CI \
                  installs it) to check the encoder's output against the MM7 schemas";
    if !found && std::env::var_os("CI").is_some() {
        panic!("{advice} (CI is set, so it is required)");
    }
    if !found {
        // Straight to the process's standard error: the test harness captures `eprintln!`
        // of a passing test, and a skip must be seen.
        let _ = writeln!(std::io::stderr(), "\n*** SKIPPED xsd_valid: {advice} ***\n");
    }
    found
}

/// The schema to give xmllint for `schema`, written into `dir` when the official files are used.
fn schema_file(schema: SchemaId, dir: &Path) -> PathBuf {
    let xsd = xsd_dir();
    let Some(official) = std::env::var_os("MM7_OFFICIAL_XSD_DIR").filter(|d| !d.is_empty()) else {
        return xsd.join(format!("envelope-{}.xsd", schema.id()));
    };
    let official = Path::new(&official).join(format!("{}.xsd", schema.id()));
    let official = official
        .canonicalize()
        .unwrap_or_else(|e| panic!("{} (MM7_OFFICIAL_XSD_DIR): {e}", official.display()));
    let soap = xsd
        .join("soap-envelope.xsd")
        .canonicalize()
        .expect("xsd/soap-envelope.xsd");
    // As xsd/validate.sh: the local SOAP schema first, so an official schema's own import of the
    // SOAP namespace is skipped rather than fetched.
    let wrapper = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">\n\
         <xs:import namespace=\"http://schemas.xmlsoap.org/soap/envelope/\" schemaLocation=\"{}\"/>\n\
         <xs:import namespace=\"{}\" schemaLocation=\"{}\"/>\n\
         </xs:schema>\n",
        soap.display(),
        schema.namespace(),
        official.display()
    );
    let path = dir.join(format!("envelope-{}.xsd", schema.id()));
    std::fs::write(&path, wrapper).expect("write the wrapper schema");
    path
}

/// A fresh directory under the system's temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let path =
            std::env::temp_dir().join(format!("mm7-soap-xsd-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).expect("create a temporary directory");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn known<T>(value: &mut Option<T>, is_known: impl Fn(&T) -> bool, replacement: T) {
    if value.as_ref().is_some_and(|v| !is_known(v)) {
        *value = Some(replacement);
    }
}

fn status_code(status: &mut Status) {
    let code = status.code.get();
    if !(1000..=4999).contains(&code) {
        status.code = StatusCode::new(1000 + code % 4000);
    }
}

/// `xs:dateTime` offsets stop at ±14:00; the strategies also write ±14:30.
fn date(value: &mut DateTime) {
    if value.offset_minutes().is_some_and(|m| m.abs() > 14 * 60) {
        let text = value.as_str();
        let fixed = format!("{}14:00", &text[..text.len() - 5]);
        *value = DateTime::parse(&fixed).unwrap_or_else(|e| panic!("{fixed}: {e}"));
    }
}

fn date_or_duration(value: &mut RelativeOrAbsolute) {
    if let RelativeOrAbsolute::Absolute(d) = value {
        date(d);
    }
}

/// Maps the values the schemas' enumerations and ranges refuse into them, and fills in the
/// required `SenderIdentification` the strategies sometimes leave out.
fn to_value_space(message: &mut Message, schema: SchemaId) {
    let rel6 = schema >= SchemaId::Rel6Mm7_1_0;
    let delivery_condition = schema >= SchemaId::Rel6Mm7_1_1;
    message.for_each_address_mut(|a| {
        known(
            &mut a.address_coding,
            AddressCoding::is_known,
            AddressCoding::Encrypted,
        )
    });
    let charged = |c: &ChargedParty| c.is_known() && (rel6 || *c != ChargedParty::ThirdParty);
    match message {
        Message::SubmitReq(m) => {
            m.sender_identification.get_or_insert_with(Default::default);
            m.time_stamp.iter_mut().for_each(date);
            m.earliest_delivery_time
                .iter_mut()
                .for_each(date_or_duration);
            m.expiry_date.iter_mut().for_each(date_or_duration);
            if let Some(r) = &mut m.reply_charging {
                r.reply_deadline.iter_mut().for_each(date_or_duration);
            }
            known(
                &mut m.message_class,
                MessageClass::is_known,
                MessageClass::Personal,
            );
            known(&mut m.priority, Priority::is_known, Priority::Normal);
            known(&mut m.charged_party, charged, ChargedParty::Sender);
            known(
                &mut m.content_class,
                ContentClass::is_known,
                ContentClass::Text,
            );
            if let Some(p) = &mut m.preferred_channels {
                for c in &mut p.deliver_using {
                    if !c.is_known() {
                        *c = Channel::Mms;
                    }
                }
            }
        }
        Message::DeliverReq(m) => {
            known(&mut m.priority, Priority::is_known, Priority::Normal);
            m.time_stamp.iter_mut().for_each(date);
            if let Some(p) = &mut m.previously_sent_date_and_time {
                p.date_times
                    .iter_mut()
                    .for_each(|d| date_or_duration(&mut d.value));
            }
            if let Some(u) = &mut m.ua_capabilities {
                u.time_stamp.iter_mut().for_each(date_or_duration);
            }
        }
        Message::CancelReq(m) => {
            m.sender_identification.get_or_insert_with(Default::default);
        }
        Message::ReplaceReq(m) => {
            m.sender_identification.get_or_insert_with(Default::default);
            known(
                &mut m.content_class,
                ContentClass::is_known,
                ContentClass::Text,
            );
            m.time_stamp.iter_mut().for_each(date);
            m.earliest_delivery_time
                .iter_mut()
                .for_each(date_or_duration);
        }
        Message::ExtendedReplaceReq(m) => {
            m.time_stamp.iter_mut().for_each(date);
            m.earliest_delivery_time
                .iter_mut()
                .for_each(date_or_duration);
            m.expiry_date.iter_mut().for_each(date_or_duration);
        }
        Message::ExtendedCancelReq(m) => {
            m.sender_identification.get_or_insert_with(Default::default);
        }
        Message::DeliveryReportReq(m) => {
            date(&mut m.date);
            if let Some(u) = &mut m.ua_capabilities {
                u.time_stamp.iter_mut().for_each(date_or_duration);
            }
            let delivery = matches!(
                m.mm_status,
                MmStatus::Expired
                    | MmStatus::Retrieved
                    | MmStatus::Rejected
                    | MmStatus::Indeterminate
                    | MmStatus::Forwarded
                    | MmStatus::Unrecognised
                    | MmStatus::Deferred
            ) || (delivery_condition
                && m.mm_status == MmStatus::DeliveryConditionNotMet);
            if !delivery {
                m.mm_status = MmStatus::Retrieved;
            }
            known(
                &mut m.mm_status_extension,
                MmStatusExtension::is_known,
                MmStatusExtension::RejectionByOtherRs,
            );
        }
        Message::ReadReplyReq(m) => {
            date(&mut m.time_stamp);
            if !matches!(
                m.mm_status,
                MmStatus::Indeterminate | MmStatus::Read | MmStatus::Deleted
            ) {
                m.mm_status = MmStatus::Read;
            }
        }
        Message::SubmitRsp(m) => status_code(&mut m.status),
        Message::DeliverRsp(m) => status_code(&mut m.status),
        Message::CancelRsp(m) => status_code(&mut m.status),
        Message::ReplaceRsp(m) => status_code(&mut m.status),
        Message::DeliveryReportRsp(m) => status_code(&mut m.status),
        Message::ReadReplyRsp(m) => status_code(&mut m.status),
        Message::RsErrorRsp(m) => status_code(&mut m.status),
        Message::VaspErrorRsp(m) => status_code(&mut m.status),
        Message::ExtendedCancelRsp(m) => status_code(&mut m.status),
        Message::ExtendedReplaceRsp(m) => status_code(&mut m.status),
        Message::Fault(f) => match &mut f.detail {
            Some(FaultDetail::RsErrorRsp(r)) => status_code(&mut r.status),
            Some(FaultDetail::VaspErrorRsp(r)) => status_code(&mut r.status),
            _ => {}
        },
        _ => {}
    }
}

/// A strategy per operation, and per kind of Fault detail.
fn kinds() -> Vec<(&'static str, BoxedStrategy<Message>)> {
    fn boxed<T: Into<Message> + std::fmt::Debug + 'static>(
        s: impl Strategy<Value = T> + 'static,
    ) -> BoxedStrategy<Message> {
        s.prop_map(Into::into).boxed()
    }
    fn fault(detail: fn(&Option<FaultDetail>) -> bool) -> BoxedStrategy<Message> {
        boxed(strategies::soap_fault().prop_filter("detail kind", move |f| detail(&f.detail)))
    }
    vec![
        ("SubmitReq", boxed(strategies::submit_req())),
        ("SubmitRsp", boxed(strategies::submit_rsp())),
        ("DeliverReq", boxed(strategies::deliver_req())),
        ("DeliverRsp", boxed(strategies::deliver_rsp())),
        ("CancelReq", boxed(strategies::cancel_req())),
        ("CancelRsp", boxed(strategies::cancel_rsp())),
        ("ReplaceReq", boxed(strategies::replace_req())),
        ("ReplaceRsp", boxed(strategies::replace_rsp())),
        (
            "DeliveryReportReq",
            boxed(strategies::delivery_report_req()),
        ),
        (
            "DeliveryReportRsp",
            boxed(strategies::delivery_report_rsp()),
        ),
        ("ReadReplyReq", boxed(strategies::read_reply_req())),
        ("ReadReplyRsp", boxed(strategies::read_reply_rsp())),
        ("RSErrorRsp", boxed(strategies::rs_error_rsp())),
        ("VASPErrorRsp", boxed(strategies::vasp_error_rsp())),
        (
            "extendedCancelReq",
            boxed(strategies::extended_cancel_req()),
        ),
        (
            "extendedCancelRsp",
            boxed(strategies::extended_cancel_rsp()),
        ),
        (
            "extendedReplaceReq",
            boxed(strategies::extended_replace_req()),
        ),
        (
            "extendedReplaceRsp",
            boxed(strategies::extended_replace_rsp()),
        ),
        (
            "Fault/RSErrorRsp",
            fault(|d| matches!(d, Some(FaultDetail::RsErrorRsp(_)))),
        ),
        (
            "Fault/VASPErrorRsp",
            fault(|d| matches!(d, Some(FaultDetail::VaspErrorRsp(_)))),
        ),
        (
            "Fault/other",
            fault(|d| matches!(d, None | Some(FaultDetail::Other(_)))),
        ),
    ]
}

/// [`CASES`] generated messages of every kind `schema` can carry, fitted to it as
/// [`strategies::message_for`] fits them (one strategy per kind rather than `message_for`
/// itself, so that every kind gets its cases without drawing hundreds of messages).
fn generated(schema: SchemaId) -> Vec<Message> {
    let mut runner = TestRunner::deterministic();
    let mut messages = Vec::new();
    let kinds = kinds();
    assert_eq!(
        kinds.len(),
        Operation::ALL.len() + 3,
        "a strategy for every operation"
    );
    for (name, strategy) in kinds {
        for _ in 0..CASES {
            let message = strategy
                .new_tree(&mut runner)
                .expect("a generated message")
                .current();
            assert!(
                message.operation_name() == name || name.starts_with("Fault"),
                "{name}"
            );
            let Some(mut message) = support::for_schema(message, schema) else {
                break;
            };
            to_value_space(&mut message, schema);
            messages.push(message);
        }
    }
    messages
}

fn styles() -> [EncodeOptions; 2] {
    [EncodeOptions::default(), {
        let mut msg_ = EncodeOptions::default();
        msg_.prefix_style = PrefixStyle::Prefixed("mm7".into());
        msg_.envelope_prefix = "soapenv".into();
        msg_
    }]
}

#[test]
fn encoded_messages_validate_against_the_schemas() {
    if !xmllint_available() {
        return;
    }
    let dir = TempDir::new();
    let mut failures = Vec::new();
    for schema in SchemaId::ALL {
        let messages: Vec<Message> = support::maximal_for(schema)
            .into_iter()
            .chain(generated(schema))
            .collect();
        let mut files = Vec::new();
        for (i, message) in messages.iter().enumerate() {
            let envelope = mm7_model::Envelope::new(
                format!("tx-{i} & <{}>", schema.id()),
                mm7_model::Namespace::canonical(schema),
                message.clone(),
            );
            for (s, options) in styles().iter().enumerate() {
                let xml = encode_xml(&envelope, options)
                    .unwrap_or_else(|e| panic!("{}: {e}\n{message:#?}", schema.id()));
                let path = dir.0.join(format!("{}-{i:03}-{s}.xml", schema.id()));
                std::fs::write(&path, xml).expect("write a message");
                files.push(path);
            }
        }
        let output = Command::new("xmllint")
            .args(["--noout", "--nonet", "--schema"])
            .arg(schema_file(schema, &dir.0))
            .args(&files)
            .output()
            .expect("run xmllint");
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let failed: Vec<&str> = stderr
                .lines()
                .filter(|l| !l.ends_with(" validates"))
                .collect();
            let first_file = failed
                .iter()
                .find_map(|l| files.iter().find(|f| l.starts_with(&*f.to_string_lossy())));
            let sample = first_file
                .map(|f| std::fs::read_to_string(f).unwrap_or_default())
                .unwrap_or_default();
            failures.push(format!(
                "{} ({} files): xmllint exit {:?}\n{}\nfirst failing document:\n{sample}",
                schema.id(),
                files.len(),
                output.status.code(),
                failed
                    .iter()
                    .take(20)
                    .copied()
                    .collect::<Vec<_>>()
                    .join("\n"),
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

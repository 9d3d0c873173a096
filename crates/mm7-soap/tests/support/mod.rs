//! Hand-built messages with every element of their operation set, shared by the
//! schema-validity and round-trip tests.

use mm7_model::messages::common::{
    AdditionalInformation, DeliveryCondition, ExtraDataElement, MessageExtraData,
    PreferredChannels, PreviouslySentBy, PreviouslySentDateAndTime, ReplyCharging,
    SequencedDateTime, UaCapabilities,
};
use mm7_model::{
    Address, AddressCoding, CancelReq, CancelRsp, Channel, ChargedParty, ContentClass, ContentRef,
    DateTime, DeliverReq, DeliverRsp, DeliveryReportReq, DeliveryReportRsp, Duration,
    ExtendedCancelReq, ExtendedCancelRsp, ExtendedReplaceReq, ExtendedReplaceRsp, FaultDetail,
    Message, MessageClass, MmStatus, MmStatusExtension, Operation, Priority, ReadReplyReq,
    ReadReplyRsp, Recipients, RelativeOrAbsolute, ReplaceReq, ReplaceRsp, RsErrorRsp, SchemaId,
    SenderIdentification, SoapFault, Status, StatusCode, SubmitReq, SubmitRsp, UserAgent,
    VaspErrorRsp,
};

fn date(text: &str) -> DateTime {
    DateTime::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn some(text: &str) -> Option<String> {
    Some(text.to_string())
}

fn content() -> Option<ContentRef> {
    Some(ContentRef {
        href: "cid:content-1@example.com".into(),
        allow_adaptations: Some(false),
    })
}

fn sender_identification() -> Option<SenderIdentification> {
    Some(SenderIdentification {
        vasp_id: some("VASP & Co"),
        vas_id: some("News <daily>"),
        sender_address: Some(Address::short_code("63901").with_display_only(false)),
    })
}

fn recipients() -> Recipients {
    Recipients {
        to: vec![
            Address::number("+15551234567").with_address_coding(AddressCoding::Encrypted),
            Address::rfc2822("\"Ann\" <ann@example.com>"),
        ],
        cc: vec![Address::short_code("1234").with_display_only(true)],
        bcc: vec![Address::number("15557654321")],
    }
}

fn extras() -> (Vec<AdditionalInformation>, Option<MessageExtraData>) {
    (
        vec![
            AdditionalInformation {
                href: "cid:extra-1".into(),
            },
            AdditionalInformation {
                href: "cid:extra-2".into(),
            },
        ],
        Some(MessageExtraData {
            elements: vec![ExtraDataElement {
                key: "campaign".into(),
                value: "spring & summer".into(),
            }],
        }),
    )
}

fn ua_capabilities() -> Option<UaCapabilities> {
    Some(UaCapabilities {
        ua_prof: some("http://example.com/uaprof.xml"),
        time_stamp: Some(RelativeOrAbsolute::Absolute(date(
            "2024-03-01T10:00:00+01:00",
        ))),
    })
}

fn status(code: StatusCode) -> Status {
    Status::from_code(code).with_details("<Reason>see <b>docs</b></Reason>")
}

/// The message of `op` with every element its table lists set, for the newest schema; apply
/// [`for_schema`] to fit it to an older one.
pub(crate) fn maximal(op: Operation) -> Message {
    let v = "6.8.0";
    let (additional_information, message_extra_data) = extras();
    match op {
        Operation::SubmitReq => {
            let mut msg_ = SubmitReq::default();
            msg_.mm7_version = v.into();
            msg_.sender_identification = sender_identification();
            msg_.recipients = recipients();
            msg_.preferred_channels = Some(PreferredChannels {
                deliver_using: vec![Channel::Mms, Channel::Sms],
            });
            msg_.service_code = some("gold-sp33-im42");
            msg_.linked_id = some("mms00016666");
            msg_.message_class = Some(MessageClass::Informational);
            msg_.time_stamp = Some(date("2002-01-02T09:30:47-05:00"));
            msg_.reply_charging = Some(ReplyCharging {
                reply_charging_size: Some(32000),
                reply_deadline: Some(RelativeOrAbsolute::Relative(Duration::days(14))),
            });
            msg_.earliest_delivery_time =
                Some(RelativeOrAbsolute::Absolute(date("2002-02-02T09:30:47Z")));
            msg_.expiry_date = Some(RelativeOrAbsolute::Relative(Duration::days(1)));
            msg_.delivery_report = Some(true);
            msg_.read_reply = Some(false);
            msg_.priority = Some(Priority::High);
            msg_.subject = some("News for today: \"Saturn\" & <rings>");
            msg_.charged_party = Some(ChargedParty::Sender);
            msg_.charged_party_id = some("acct-42");
            msg_.third_party_payer = Some(Address::number("15550000000"));
            msg_.distribution_indicator = Some(true);
            msg_.delivery_condition = Some(DeliveryCondition { dc: vec![1, 20] });
            msg_.applic_id = some("com.example.app");
            msg_.reply_applic_id = some("com.example.reply");
            msg_.aux_applic_info = some("aux-info");
            msg_.content_class = Some(ContentClass::ImageRich);
            msg_.drm_content = Some(false);
            msg_.content = content();
            msg_.additional_information = additional_information;
            msg_.message_extra_data = message_extra_data;
            msg_
        }
        .into(),
        Operation::SubmitRsp => {
            let mut msg_ = SubmitRsp::new(v, status(StatusCode::SUCCESS));
            msg_.message_id = some("041502073667");
            msg_
        }
        .into(),
        Operation::DeliverReq => {
            let mut msg_ = DeliverReq::new(v, Address::number("+15551234567"));
            msg_.mms_relay_server_id = some("mmsc.example.com");
            msg_.vasp_id = some("VASP");
            msg_.vas_id = some("VAS");
            msg_.linked_id = some("mms00016666");
            msg_.recipients = recipients();
            msg_.previously_sent_by = Some(PreviouslySentBy {
                user_agents: vec![
                    UserAgent {
                        address: Address::number("15551110000"),
                        sequence: Some(1),
                    },
                    UserAgent {
                        address: Address::rfc2822("b@example.com"),
                        sequence: None,
                    },
                ],
            });
            msg_.previously_sent_date_and_time = Some(PreviouslySentDateAndTime {
                date_times: vec![SequencedDateTime {
                    value: RelativeOrAbsolute::Absolute(date("2024-01-01T00:00:00Z")),
                    sequence: Some(1),
                }],
            });
            msg_.sender_spi = some("sender-spi");
            msg_.recipient_spi = some("recipient-spi");
            msg_.time_stamp = Some(date("2024-01-01T00:00:01.250Z"));
            msg_.reply_charging_id = some("rc-1");
            msg_.priority = Some(Priority::Low);
            msg_.subject = some("Re: hello");
            msg_.applic_id = some("com.example.app");
            msg_.reply_applic_id = some("com.example.reply");
            msg_.aux_applic_info = some("aux");
            msg_.ua_capabilities = ua_capabilities();
            msg_.content = content();
            msg_.additional_information = additional_information;
            msg_.message_extra_data = message_extra_data;
            msg_
        }
        .into(),
        Operation::DeliverRsp => {
            let mut msg_ = DeliverRsp::new(v, status(StatusCode::SUCCESS));
            msg_.service_code = some("svc");
            msg_
        }
        .into(),
        Operation::CancelReq => {
            let mut msg_ = CancelReq::default();
            msg_.mm7_version = v.into();
            msg_.sender_identification = sender_identification();
            msg_.message_id = "041502073667".into();
            msg_.recipients = recipients();
            msg_.applic_id = some("com.example.app");
            msg_.reply_applic_id = some("com.example.reply");
            msg_.aux_applic_info = some("aux");
            msg_
        }
        .into(),
        Operation::ReplaceReq => {
            let mut msg_ = ReplaceReq::default();
            msg_.mm7_version = v.into();
            msg_.sender_identification = sender_identification();
            msg_.message_id = "041502073667".into();
            msg_.service_code = some("svc");
            msg_.time_stamp = Some(date("2024-01-01T00:00:00Z"));
            msg_.read_reply = Some(true);
            msg_.earliest_delivery_time = Some(RelativeOrAbsolute::Relative(Duration::hours(2)));
            msg_.distribution_indicator = Some(false);
            msg_.content_class = Some(ContentClass::Text);
            msg_.drm_content = Some(true);
            msg_.applic_id = some("com.example.app");
            msg_.reply_applic_id = some("com.example.reply");
            msg_.aux_applic_info = some("aux");
            msg_.content = content();
            msg_.additional_information = additional_information;
            msg_.message_extra_data = message_extra_data;
            msg_
        }
        .into(),
        Operation::DeliveryReportReq => {
            let mut msg_ = DeliveryReportReq::new(
                v,
                "041502073667",
                Address::number("+15551234567"),
                Address::short_code("63901"),
                date("2024-01-01T00:00:00Z"),
                MmStatus::Rejected,
            );
            msg_.mms_relay_server_id = some("mmsc.example.com");
            msg_.mm_status_extension = Some(MmStatusExtension::RejectionByMmsRecipient);
            msg_.status_text = some("Rejected by the recipient");
            msg_.applic_id = some("com.example.app");
            msg_.reply_applic_id = some("com.example.reply");
            msg_.aux_applic_info = some("aux");
            msg_.ua_capabilities = ua_capabilities();
            msg_
        }
        .into(),
        Operation::ReadReplyReq => {
            let mut msg_ = ReadReplyReq::new(
                v,
                "041502073667",
                Address::number("+15551234567"),
                Address::short_code("63901"),
                date("2024-01-01T00:00:00Z"),
                MmStatus::Read,
            );
            msg_.mms_relay_server_id = some("mmsc.example.com");
            msg_.status_text = some("Read");
            msg_.applic_id = some("com.example.app");
            msg_.reply_applic_id = some("com.example.reply");
            msg_.aux_applic_info = some("aux");
            msg_
        }
        .into(),
        Operation::ExtendedCancelReq => {
            let mut msg_ = ExtendedCancelReq::default();
            msg_.mm7_version = v.into();
            msg_.sender_identification = sender_identification();
            msg_.cancel_id = "vasp-msg-1".into();
            msg_
        }
        .into(),
        Operation::ExtendedReplaceReq => {
            let mut msg_ = ExtendedReplaceReq::default();
            msg_.mm7_version = v.into();
            msg_.vasp_id = some("VASP");
            msg_.vas_id = some("VAS");
            msg_.service_code = some("svc");
            msg_.replace_id = "vasp-msg-1".into();
            msg_.time_stamp = Some(date("2024-01-01T00:00:00Z"));
            msg_.earliest_delivery_time = Some(RelativeOrAbsolute::Relative(Duration::minutes(30)));
            msg_.expiry_date = Some(RelativeOrAbsolute::Absolute(date("2024-01-02T00:00:00Z")));
            msg_.read_reply = Some(false);
            msg_.delivery_report = Some(true);
            msg_.content = content();
            msg_.additional_information = additional_information;
            msg_.message_extra_data = message_extra_data;
            msg_
        }
        .into(),
        Operation::ExtendedReplaceRsp => {
            ExtendedReplaceRsp::new(v, "041502073667", code_only()).into()
        }
        Operation::ExtendedCancelRsp => ExtendedCancelRsp::new(v, code_only()).into(),
        Operation::CancelRsp => CancelRsp::new(v, status(StatusCode::SUCCESS)).into(),
        Operation::ReplaceRsp => ReplaceRsp::new(v, status(StatusCode::PARTIAL_SUCCESS)).into(),
        Operation::DeliveryReportRsp => {
            DeliveryReportRsp::new(v, status(StatusCode::SUCCESS)).into()
        }
        Operation::ReadReplyRsp => ReadReplyRsp::new(v, status(StatusCode::SUCCESS)).into(),
        Operation::RsErrorRsp => RsErrorRsp::new(v, status(StatusCode::ADDRESS_ERROR)).into(),
        Operation::VaspErrorRsp => VaspErrorRsp::new(v, status(StatusCode::SERVICE_DENIED)).into(),
        other => panic!("no maximal message for {other}"),
    }
}

fn code_only() -> Status {
    Status {
        code: StatusCode::SUCCESS,
        text: None,
        details: None,
    }
}

/// Faults carrying each kind of detail, with every Fault child set.
pub(crate) fn maximal_faults() -> Vec<Message> {
    let mut rs = SoapFault::rs_error("6.8.0", status(StatusCode::ADDRESS_NOT_FOUND));
    rs.faultactor = Some("http://mmsc.example.com/mm7".into());
    let mut vasp = SoapFault::vasp_error("6.8.0", status(StatusCode::SERVER_ERROR));
    vasp.faultactor = Some("http://vasp.example.com/mm7".into());
    let mut other = SoapFault::rs_error("6.8.0", Status::success());
    other.faultcode = "Server.Busy".into();
    other.detail = Some(FaultDetail::Other(
        "<busy xmlns=\"urn:x\">retry later</busy>".into(),
    ));
    vec![rs.into(), vasp.into(), other.into()]
}

/// `message` fitted to `schema`: the elements and attributes the schema lacks removed, as
/// [`mm7_model::strategies::message_for`] does. Returns `None` when the schema lacks the
/// operation.
pub(crate) fn for_schema(mut message: Message, schema: SchemaId) -> Option<Message> {
    if message.operation().is_some_and(|op| !op.defined_in(schema)) {
        return None;
    }
    message.retain_schema(schema);
    if schema < mm7_model::schema::ADDRESS_CODING_SINCE {
        message.for_each_address_mut(|a| a.address_coding = None);
    }
    Some(message)
}

/// Every maximal message that `schema` can carry: one per operation it defines, then the
/// Faults. Each has every element `schema` defines for its operation.
pub(crate) fn maximal_for(schema: SchemaId) -> Vec<Message> {
    let messages: Vec<Message> = Operation::ALL
        .into_iter()
        .filter_map(|op| for_schema(maximal(op), schema))
        .chain(maximal_faults())
        .collect();
    for m in &messages {
        if let Some(body) = m.elements() {
            for spec in body.operation().elements() {
                assert_eq!(
                    body.has_element(spec.name),
                    spec.defined_in(schema),
                    "maximal {} for {}: {}",
                    body.operation(),
                    schema.id(),
                    spec.name
                );
            }
        }
    }
    messages
}

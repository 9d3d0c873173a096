//! Every operation, every element: what each decoder reads.

use mm7_model::{
    AddressCoding, AddressKind, Channel, ChargedParty, ContentClass, Message, MessageClass,
    MmStatus, MmStatusExtension, Operation, Priority, RelativeOrAbsolute, StatusCode,
};

use super::{decode, ok};
use crate::error::Warning;

#[test]
fn submit_req_every_element() {
    let doc = r#"<SubmitReq>
  <MM7Version>6.8.0</MM7Version>
  <SenderIdentification><VASPID>vasp</VASPID><VASID>vas</VASID>
    <SenderAddress><ShortCode displayOnly="1">1234</ShortCode></SenderAddress></SenderIdentification>
  <Recipients><To><Number addressCoding="obfuscated">+111</Number><RFC2822Address>a@b.c</RFC2822Address></To>
    <Cc><Number>222</Number></Cc><Bcc><ShortCode>333</ShortCode></Bcc><To><Number>444</Number></To></Recipients>
  <PreferredChannels><DeliverUsing>SMS</DeliverUsing><DeliverUsing>x-fax</DeliverUsing></PreferredChannels>
  <ServiceCode>svc</ServiceCode><LinkedID>link</LinkedID><MessageClass>Auto</MessageClass>
  <TimeStamp>2020-01-02T09:30:47Z</TimeStamp>
  <ReplyCharging replyChargingSize="1000" replyDeadline="P2D"/>
  <EarliestDeliveryTime>2020-01-03T00:00:00+01:00</EarliestDeliveryTime><ExpiryDate>PT1H</ExpiryDate>
  <DeliveryReport>true</DeliveryReport><ReadReply>0</ReadReply><Priority>High</Priority>
  <Subject>Hi</Subject><ChargedParty>ThirdParty</ChargedParty><ChargedPartyID>payer</ChargedPartyID>
  <ThirdPartyPayer><Number>555</Number></ThirdPartyPayer><DistributionIndicator>false</DistributionIndicator>
  <DeliveryCondition><DC>1</DC><DC>20</DC></DeliveryCondition>
  <ApplicID>app</ApplicID><ReplyApplicID>rapp</ReplyApplicID><AuxApplicInfo>aux</AuxApplicInfo>
  <ContentClass>image-rich</ContentClass><DRMContent>1</DRMContent>
  <Content href="cid:c1" allowAdaptations="false"/>
  <AdditionalInformation href="cid:a1"/><AdditionalInformation href="cid:a2"/>
  <MessageExtraData><element><key>k</key><value>v</value></element></MessageExtraData>
</SubmitReq>"#;
    // The one value outside its enumeration is kept, with a warning naming the valid set.
    let (result, warnings) = decode(Operation::SubmitReq, doc);
    assert!(
        matches!(&warnings[..], [Warning::Lenient(w)]
            if w.contains("<DeliverUsing> value \"x-fax\" is not one of SMS, MMS, WAPPUSH")),
        "{warnings:?}"
    );
    let Ok(Message::SubmitReq(m)) = result else {
        panic!("not a SubmitReq");
    };
    assert_eq!(m.mm7_version.as_str(), "6.8.0");
    let id = m.sender_identification.expect("SenderIdentification");
    assert_eq!(
        (id.vasp_id.as_deref(), id.vas_id.as_deref()),
        (Some("vasp"), Some("vas"))
    );
    let sender = id.sender_address.expect("SenderAddress");
    assert_eq!(
        (sender.kind, sender.value.as_str(), sender.display_only),
        (AddressKind::ShortCode, "1234", Some(true))
    );
    let to: Vec<_> = m.recipients.to.iter().map(|a| a.value.as_str()).collect();
    assert_eq!(
        to,
        ["+111", "a@b.c", "444"],
        "repeated To lists are concatenated in order"
    );
    assert_eq!(
        m.recipients.to[0].address_coding,
        Some(AddressCoding::Obfuscated)
    );
    assert_eq!(m.recipients.to[1].kind, AddressKind::Rfc2822);
    assert_eq!(m.recipients.cc[0].value, "222");
    assert_eq!(m.recipients.bcc[0].kind, AddressKind::ShortCode);
    let channels = m
        .preferred_channels
        .expect("PreferredChannels")
        .deliver_using;
    assert_eq!(channels, [Channel::Sms, Channel::Other("x-fax".into())]);
    assert_eq!(m.service_code.as_deref(), Some("svc"));
    assert_eq!(m.linked_id.as_deref(), Some("link"));
    assert_eq!(m.message_class, Some(MessageClass::Auto));
    assert_eq!(m.time_stamp.map(|t| t.to_unix()), Some(1_577_957_447));
    let charging = m.reply_charging.expect("ReplyCharging");
    assert_eq!(charging.reply_charging_size, Some(1000));
    assert_eq!(
        charging
            .reply_deadline
            .map(|d| d.as_str().to_owned())
            .as_deref(),
        Some("P2D")
    );
    assert!(matches!(
        m.earliest_delivery_time,
        Some(RelativeOrAbsolute::Absolute(_))
    ));
    assert!(matches!(
        m.expiry_date,
        Some(RelativeOrAbsolute::Relative(_))
    ));
    assert_eq!((m.delivery_report, m.read_reply), (Some(true), Some(false)));
    assert_eq!(m.priority, Some(Priority::High));
    assert_eq!(m.subject.as_deref(), Some("Hi"));
    assert_eq!(m.charged_party, Some(ChargedParty::ThirdParty));
    assert_eq!(m.charged_party_id.as_deref(), Some("payer"));
    assert_eq!(m.third_party_payer.map(|a| a.value), Some("555".into()));
    assert_eq!(m.distribution_indicator, Some(false));
    assert_eq!(m.delivery_condition.map(|d| d.dc), Some(vec![1, 20]));
    assert_eq!(
        (
            m.applic_id.as_deref(),
            m.reply_applic_id.as_deref(),
            m.aux_applic_info.as_deref()
        ),
        (Some("app"), Some("rapp"), Some("aux"))
    );
    assert_eq!(m.content_class, Some(ContentClass::ImageRich));
    assert_eq!(m.drm_content, Some(true));
    let content = m.content.expect("Content");
    assert_eq!(
        (content.href.as_str(), content.allow_adaptations),
        ("cid:c1", Some(false))
    );
    let hrefs: Vec<_> = m
        .additional_information
        .iter()
        .map(|a| a.href.as_str())
        .collect();
    assert_eq!(hrefs, ["cid:a1", "cid:a2"]);
    let extra = m.message_extra_data.expect("MessageExtraData").elements;
    assert_eq!((extra[0].key.as_str(), extra[0].value.as_str()), ("k", "v"));
}

#[test]
fn deliver_req_every_element() {
    let doc = r#"<DeliverReq><MM7Version>6.8.0</MM7Version><MMSRelayServerID>mmsc</MMSRelayServerID>
  <VASPID>vasp</VASPID><VASID>vas</VASID><LinkedID>l</LinkedID><Sender><Number>+1</Number></Sender>
  <Recipients><To><ShortCode>63901</ShortCode></To></Recipients>
  <Previouslysentby><UserAgent sequence="1"><Number>+2</Number></UserAgent>
    <UserAgent><RFC2822Address>x@y</RFC2822Address></UserAgent></Previouslysentby>
  <Previouslysentdateandtime><DateTime sequence="1">2020-01-01T00:00:00Z</DateTime></Previouslysentdateandtime>
  <SenderSPI>s</SenderSPI><RecipientSPI>r</RecipientSPI><TimeStamp>2020-01-01T00:00:01Z</TimeStamp>
  <ReplyChargingID>rc</ReplyChargingID><Priority>Low</Priority><Subject> spaced </Subject>
  <ApplicID>a</ApplicID><ReplyApplicID>ra</ReplyApplicID><AuxApplicInfo>x</AuxApplicInfo>
  <UACapabilities UAProf="http://ua/prof.xml" TimeStamp="2020-01-01T00:00:02Z"/>
  <Content href="cid:m"/><AdditionalInformation href="cid:i"/>
  <MessageExtraData><element><key>a</key><value>b</value></element></MessageExtraData></DeliverReq>"#;
    let Message::DeliverReq(m) = ok(Operation::DeliverReq, doc) else {
        panic!("not a DeliverReq");
    };
    assert_eq!(m.mms_relay_server_id.as_deref(), Some("mmsc"));
    assert_eq!(
        (m.vasp_id.as_deref(), m.vas_id.as_deref()),
        (Some("vasp"), Some("vas"))
    );
    let sender = m.sender.as_ref().expect("Sender");
    assert_eq!(
        (sender.kind, sender.value.as_str()),
        (AddressKind::Number, "+1")
    );
    assert_eq!(m.recipients.to[0].value, "63901");
    let agents = m.previously_sent_by.expect("Previouslysentby").user_agents;
    assert_eq!(agents.len(), 2);
    assert_eq!(
        (agents[0].sequence, agents[0].address.value.as_str()),
        (Some(1), "+2")
    );
    assert_eq!(
        (agents[1].sequence, agents[1].address.kind),
        (None, AddressKind::Rfc2822)
    );
    let dates = m.previously_sent_date_and_time.expect("dates").date_times;
    assert_eq!(
        (dates[0].sequence, dates[0].value.as_str()),
        (Some(1), "2020-01-01T00:00:00Z")
    );
    assert_eq!(
        (m.sender_spi.as_deref(), m.recipient_spi.as_deref()),
        (Some("s"), Some("r"))
    );
    assert_eq!(m.reply_charging_id.as_deref(), Some("rc"));
    assert_eq!(m.priority, Some(Priority::Low));
    assert_eq!(
        m.subject.as_deref(),
        Some(" spaced "),
        "Subject is kept exactly"
    );
    let ua = m.ua_capabilities.expect("UACapabilities");
    assert_eq!(ua.ua_prof.as_deref(), Some("http://ua/prof.xml"));
    assert_eq!(
        ua.time_stamp.map(|t| t.as_str().to_owned()).as_deref(),
        Some("2020-01-01T00:00:02Z")
    );
    assert_eq!(m.content.map(|c| c.href).as_deref(), Some("cid:m"));
    assert_eq!(m.additional_information.len(), 1);
    assert!(m.message_extra_data.is_some());
}

#[test]
fn cancel_replace_and_extended_requests() {
    let doc = "<CancelReq><MM7Version>6.8.0</MM7Version><SenderIdentification/><MessageID> m1 </MessageID>
        <Recipients><To><Number>1</Number></To></Recipients><ApplicID>a</ApplicID></CancelReq>";
    let Message::CancelReq(m) = ok(Operation::CancelReq, doc) else {
        panic!()
    };
    assert_eq!(m.message_id, "m1");
    assert_eq!(m.sender_identification, Some(Default::default()));
    assert_eq!(m.recipients.len(), 1);
    assert_eq!(m.applic_id.as_deref(), Some("a"));

    let doc = "<ReplaceReq><MM7Version>6.8.0</MM7Version><SenderIdentification><VASPID>v</VASPID></SenderIdentification>
        <MessageID>m2</MessageID><ServiceCode>s</ServiceCode><TimeStamp>2020-01-01T00:00:00Z</TimeStamp>
        <ReadReply>true</ReadReply><EarliestDeliveryTime>P1D</EarliestDeliveryTime>
        <DistributionIndicator>1</DistributionIndicator><ContentClass>text</ContentClass><DRMContent>false</DRMContent>
        <Content href='cid:new'/></ReplaceReq>";
    let Message::ReplaceReq(m) = ok(Operation::ReplaceReq, doc) else {
        panic!()
    };
    assert_eq!(m.message_id, "m2");
    assert_eq!(
        (m.read_reply, m.distribution_indicator, m.drm_content),
        (Some(true), Some(true), Some(false))
    );
    assert_eq!(m.content_class, Some(ContentClass::Text));
    assert_eq!(m.content.map(|c| c.href).as_deref(), Some("cid:new"));

    let doc = "<extendedCancelReq><MM7Version>6.8.0</MM7Version><SenderIdentification><VASID>v</VASID></SenderIdentification>
        <CancelID>c1</CancelID></extendedCancelReq>";
    let Message::ExtendedCancelReq(m) = ok(Operation::ExtendedCancelReq, doc) else {
        panic!()
    };
    assert_eq!(m.cancel_id, "c1");

    let doc = "<extendedReplaceReq><MM7Version>6.8.0</MM7Version><VASPID>p</VASPID><VASID>s</VASID>
        <ServiceCode>c</ServiceCode><ReplaceID>r1</ReplaceID><TimeStamp>2020-01-01T00:00:00Z</TimeStamp>
        <EarliestDeliveryTime>PT5M</EarliestDeliveryTime><ExpiryDate>P7D</ExpiryDate><ReadReply>0</ReadReply>
        <DeliveryReport>1</DeliveryReport><Content href='cid:r'/></extendedReplaceReq>";
    let Message::ExtendedReplaceReq(m) = ok(Operation::ExtendedReplaceReq, doc) else {
        panic!()
    };
    assert_eq!(
        (m.replace_id.as_str(), m.vasp_id.as_deref()),
        ("r1", Some("p"))
    );
    assert_eq!((m.read_reply, m.delivery_report), (Some(false), Some(true)));
    assert_eq!(
        m.expiry_date.map(|d| d.as_str().to_owned()).as_deref(),
        Some("P7D")
    );
}

#[test]
fn report_and_read_reply_requests() {
    let doc = "<DeliveryReportReq><MM7Version>6.8.0</MM7Version><MMSRelayServerID>r</MMSRelayServerID>
        <MessageID>m</MessageID><Recipient><Number>1</Number></Recipient><Sender><ShortCode>2</ShortCode></Sender>
        <Date>2020-01-01T00:00:00Z</Date><MMStatus>Rejected</MMStatus>
        <MMStatusExtension>RejectionByOtherRS</MMStatusExtension><StatusText>No</StatusText>
        <UACapabilities UAProf='p'/></DeliveryReportReq>";
    let Message::DeliveryReportReq(m) = ok(Operation::DeliveryReportReq, doc) else {
        panic!()
    };
    assert_eq!(m.mm_status, MmStatus::Rejected);
    assert_eq!(
        m.mm_status_extension,
        Some(MmStatusExtension::RejectionByOtherRs)
    );
    assert_eq!(
        (m.recipient.value.as_str(), m.sender.kind),
        ("1", AddressKind::ShortCode)
    );
    assert_eq!(m.status_text.as_deref(), Some("No"));

    let doc = "<ReadReplyReq><MM7Version>6.8.0</MM7Version><MessageID>m</MessageID>
        <Recipient><Number>1</Number></Recipient><Sender><Number>2</Number></Sender>
        <TimeStamp>2020-01-01T00:00:00Z</TimeStamp><MMStatus>Read</MMStatus><ReplyApplicID>x</ReplyApplicID></ReadReplyReq>";
    let Message::ReadReplyReq(m) = ok(Operation::ReadReplyReq, doc) else {
        panic!()
    };
    assert_eq!(
        (m.mm_status, m.reply_applic_id.as_deref()),
        (MmStatus::Read, Some("x"))
    );
}

#[test]
fn every_response() {
    let status = "<Status><StatusCode>1000</StatusCode><StatusText>Success</StatusText></Status>";
    for op in Operation::ALL.into_iter().filter(|op| !op.is_request()) {
        let extra = match op {
            Operation::SubmitRsp | Operation::ExtendedReplaceRsp => "<MessageID>id-1</MessageID>",
            Operation::DeliverRsp => "<ServiceCode>sc</ServiceCode>",
            _ => "",
        };
        let name = op.element_name();
        let doc = format!("<{name}><MM7Version>6.8.0</MM7Version>{status}{extra}</{name}>");
        let message = ok(op, &doc);
        assert_eq!(message.operation(), Some(op));
        assert_eq!(
            message.mm7_version().map(|v| v.as_str()),
            Some("6.8.0"),
            "{name}"
        );
        let s = message.status().expect("status");
        assert_eq!(
            (s.code, s.text.as_deref()),
            (StatusCode::SUCCESS, Some("Success")),
            "{name}"
        );
        match message {
            Message::SubmitRsp(m) => assert_eq!(m.message_id.as_deref(), Some("id-1")),
            Message::ExtendedReplaceRsp(m) => assert_eq!(m.message_id, "id-1"),
            Message::DeliverRsp(m) => assert_eq!(m.service_code.as_deref(), Some("sc")),
            _ => {}
        }
    }
}

#[test]
fn details_are_raw_inner_xml() {
    let doc = "<SubmitRsp><MM7Version>5.3.0</MM7Version><Status><StatusCode> 4004 </StatusCode>
        <StatusText> Bad </StatusText><Details><why a='1'>no &amp; never</why></Details></Status></SubmitRsp>";
    let message = ok(Operation::SubmitRsp, doc);
    let status = message.status().expect("status");
    assert_eq!(status.code, StatusCode::VALIDATION_ERROR);
    assert_eq!(
        status.text.as_deref(),
        Some(" Bad "),
        "StatusText is kept exactly"
    );
    assert_eq!(
        status.details.as_deref(),
        Some("<why a='1'>no &amp; never</why>")
    );
}

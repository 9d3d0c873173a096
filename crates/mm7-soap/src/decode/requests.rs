//! The request operations: `SubmitReq`, `DeliverReq`, `CancelReq`, `ReplaceReq`,
//! `DeliveryReportReq`, `ReadReplyReq`, `extendedCancelReq`, `extendedReplaceReq`.
//!
//! Each walks the operation element's children once, in document order, and dispatches on
//! the local name; what the table of [`mm7_model::Operation::elements`] requires is checked
//! afterwards.

use mm7_model::{
    Address, CancelReq, DeliverReq, DeliveryReportReq, ExtendedCancelReq, ExtendedReplaceReq,
    Mm7Version, ReadReplyReq, ReplaceReq, SubmitReq,
};

use super::{Cx, Failure, Node};

/// `SubmitReq`.
pub(super) fn submit_req(cx: &mut Cx<'_, '_>, root: Node<'_, '_>) -> Result<SubmitReq, Failure> {
    let mut m = SubmitReq::default();
    for c in root.children() {
        match c.local() {
            "MM7Version" => cx.version(&mut m.mm7_version, c),
            "SenderIdentification" => {
                cx.once(&mut m.sender_identification, c, Cx::sender_identification)?;
            }
            "Recipients" => cx.recipients(c, &mut m.recipients)?,
            "PreferredChannels" => cx.once(&mut m.preferred_channels, c, Cx::preferred_channels)?,
            "ServiceCode" => cx.once(&mut m.service_code, c, Cx::token)?,
            "LinkedID" => cx.once(&mut m.linked_id, c, Cx::token)?,
            "MessageClass" => cx.once(&mut m.message_class, c, Cx::open)?,
            "TimeStamp" => cx.once(&mut m.time_stamp, c, Cx::date_time)?,
            "ReplyCharging" => cx.once(&mut m.reply_charging, c, Cx::reply_charging)?,
            "EarliestDeliveryTime" => cx.once(&mut m.earliest_delivery_time, c, Cx::rel_abs)?,
            "ExpiryDate" => cx.once(&mut m.expiry_date, c, Cx::rel_abs)?,
            "DeliveryReport" => cx.once(&mut m.delivery_report, c, Cx::boolean)?,
            "ReadReply" => cx.once(&mut m.read_reply, c, Cx::boolean)?,
            "Priority" => cx.once(&mut m.priority, c, Cx::open)?,
            "Subject" => cx.once(&mut m.subject, c, Cx::exact)?,
            "ChargedParty" => cx.once(&mut m.charged_party, c, Cx::open)?,
            "ChargedPartyID" => cx.once(&mut m.charged_party_id, c, Cx::token)?,
            "ThirdPartyPayer" => cx.once(&mut m.third_party_payer, c, Cx::address)?,
            "DistributionIndicator" => cx.once(&mut m.distribution_indicator, c, Cx::boolean)?,
            "DeliveryCondition" => cx.once(&mut m.delivery_condition, c, Cx::delivery_condition)?,
            "ApplicID" => cx.once(&mut m.applic_id, c, Cx::token)?,
            "ReplyApplicID" => cx.once(&mut m.reply_applic_id, c, Cx::token)?,
            "AuxApplicInfo" => cx.once(&mut m.aux_applic_info, c, Cx::token)?,
            "ContentClass" => cx.once(&mut m.content_class, c, Cx::open)?,
            "DRMContent" => cx.once(&mut m.drm_content, c, Cx::boolean)?,
            "Content" => cx.once(&mut m.content, c, Cx::content)?,
            "AdditionalInformation" => m.additional_information.push(cx.additional_information(c)?),
            "MessageExtraData" => cx.once(&mut m.message_extra_data, c, Cx::message_extra_data)?,
            _ => cx.unknown(c, root),
        }
    }
    cx.check_required(&m, root)?;
    Ok(m)
}

/// `DeliverReq`. `VASPID` and `VASID` directly under it are read in every release: the
/// REL-6-MM7-1-4 schema has them, and REL-5 MMSCs send them too.
pub(super) fn deliver_req(cx: &mut Cx<'_, '_>, root: Node<'_, '_>) -> Result<DeliverReq, Failure> {
    // `Sender` is held apart until it is seen; the placeholder allocates nothing.
    let mut m = DeliverReq::new(Mm7Version::default(), Address::number(""));
    let mut sender = None;
    for c in root.children() {
        match c.local() {
            "MM7Version" => cx.version(&mut m.mm7_version, c),
            "MMSRelayServerID" => cx.once(&mut m.mms_relay_server_id, c, Cx::token)?,
            "VASPID" => cx.once(&mut m.vasp_id, c, Cx::token)?,
            "VASID" => cx.once(&mut m.vas_id, c, Cx::token)?,
            "LinkedID" => cx.once(&mut m.linked_id, c, Cx::token)?,
            "Sender" => cx.once(&mut sender, c, Cx::address)?,
            "Recipients" => cx.recipients(c, &mut m.recipients)?,
            "Previouslysentby" => cx.once(&mut m.previously_sent_by, c, Cx::previously_sent_by)?,
            "Previouslysentdateandtime" => {
                cx.once(
                    &mut m.previously_sent_date_and_time,
                    c,
                    Cx::previously_sent_date_and_time,
                )?;
            }
            "SenderSPI" => cx.once(&mut m.sender_spi, c, Cx::token)?,
            "RecipientSPI" => cx.once(&mut m.recipient_spi, c, Cx::token)?,
            "TimeStamp" => cx.once(&mut m.time_stamp, c, Cx::date_time)?,
            "ReplyChargingID" => cx.once(&mut m.reply_charging_id, c, Cx::token)?,
            "Priority" => cx.once(&mut m.priority, c, Cx::open)?,
            "Subject" => cx.once(&mut m.subject, c, Cx::exact)?,
            "ApplicID" => cx.once(&mut m.applic_id, c, Cx::token)?,
            "ReplyApplicID" => cx.once(&mut m.reply_applic_id, c, Cx::token)?,
            "AuxApplicInfo" => cx.once(&mut m.aux_applic_info, c, Cx::token)?,
            "UACapabilities" => cx.once(&mut m.ua_capabilities, c, Cx::ua_capabilities)?,
            "Content" => cx.once(&mut m.content, c, Cx::content)?,
            "AdditionalInformation" => m.additional_information.push(cx.additional_information(c)?),
            "MessageExtraData" => cx.once(&mut m.message_extra_data, c, Cx::message_extra_data)?,
            _ => cx.unknown(c, root),
        }
    }
    m.sender = sender.ok_or_else(|| Failure::missing("Sender", root))?;
    cx.check_required(&m, root)?;
    Ok(m)
}

/// `CancelReq`.
pub(super) fn cancel_req(cx: &mut Cx<'_, '_>, root: Node<'_, '_>) -> Result<CancelReq, Failure> {
    let mut m = CancelReq::default();
    let mut message_id = None;
    for c in root.children() {
        match c.local() {
            "MM7Version" => cx.version(&mut m.mm7_version, c),
            "SenderIdentification" => {
                cx.once(&mut m.sender_identification, c, Cx::sender_identification)?;
            }
            "MessageID" => cx.once(&mut message_id, c, Cx::token)?,
            "Recipients" => cx.recipients(c, &mut m.recipients)?,
            "ApplicID" => cx.once(&mut m.applic_id, c, Cx::token)?,
            "ReplyApplicID" => cx.once(&mut m.reply_applic_id, c, Cx::token)?,
            "AuxApplicInfo" => cx.once(&mut m.aux_applic_info, c, Cx::token)?,
            _ => cx.unknown(c, root),
        }
    }
    m.message_id = message_id.unwrap_or_default();
    cx.check_required(&m, root)?;
    Ok(m)
}

/// `ReplaceReq`.
pub(super) fn replace_req(cx: &mut Cx<'_, '_>, root: Node<'_, '_>) -> Result<ReplaceReq, Failure> {
    let mut m = ReplaceReq::default();
    let mut message_id = None;
    for c in root.children() {
        match c.local() {
            "MM7Version" => cx.version(&mut m.mm7_version, c),
            "SenderIdentification" => {
                cx.once(&mut m.sender_identification, c, Cx::sender_identification)?;
            }
            "MessageID" => cx.once(&mut message_id, c, Cx::token)?,
            "ServiceCode" => cx.once(&mut m.service_code, c, Cx::token)?,
            "TimeStamp" => cx.once(&mut m.time_stamp, c, Cx::date_time)?,
            "ReadReply" => cx.once(&mut m.read_reply, c, Cx::boolean)?,
            "EarliestDeliveryTime" => cx.once(&mut m.earliest_delivery_time, c, Cx::rel_abs)?,
            "DistributionIndicator" => cx.once(&mut m.distribution_indicator, c, Cx::boolean)?,
            "ContentClass" => cx.once(&mut m.content_class, c, Cx::open)?,
            "DRMContent" => cx.once(&mut m.drm_content, c, Cx::boolean)?,
            "ApplicID" => cx.once(&mut m.applic_id, c, Cx::token)?,
            "ReplyApplicID" => cx.once(&mut m.reply_applic_id, c, Cx::token)?,
            "AuxApplicInfo" => cx.once(&mut m.aux_applic_info, c, Cx::token)?,
            "Content" => cx.once(&mut m.content, c, Cx::content)?,
            "AdditionalInformation" => m.additional_information.push(cx.additional_information(c)?),
            "MessageExtraData" => cx.once(&mut m.message_extra_data, c, Cx::message_extra_data)?,
            _ => cx.unknown(c, root),
        }
    }
    m.message_id = message_id.unwrap_or_default();
    cx.check_required(&m, root)?;
    Ok(m)
}

/// `DeliveryReportReq`.
pub(super) fn delivery_report_req(
    cx: &mut Cx<'_, '_>,
    root: Node<'_, '_>,
) -> Result<DeliveryReportReq, Failure> {
    let mut mm7_version = Mm7Version::default();
    let (mut relay, mut message_id, mut recipient, mut sender) = (None, None, None, None);
    let (mut date, mut mm_status, mut extension, mut status_text) = (None, None, None, None);
    let (mut applic_id, mut reply_applic_id, mut aux, mut ua) = (None, None, None, None);
    for c in root.children() {
        match c.local() {
            "MM7Version" => cx.version(&mut mm7_version, c),
            "MMSRelayServerID" => cx.once(&mut relay, c, Cx::token)?,
            "MessageID" => cx.once(&mut message_id, c, Cx::token)?,
            "Recipient" => cx.once(&mut recipient, c, Cx::address)?,
            "Sender" => cx.once(&mut sender, c, Cx::address)?,
            "Date" => cx.once(&mut date, c, Cx::date_time)?,
            "MMStatus" => cx.once(&mut mm_status, c, Cx::open)?,
            "MMStatusExtension" => cx.once(&mut extension, c, Cx::open)?,
            "StatusText" => cx.once(&mut status_text, c, Cx::exact)?,
            "ApplicID" => cx.once(&mut applic_id, c, Cx::token)?,
            "ReplyApplicID" => cx.once(&mut reply_applic_id, c, Cx::token)?,
            "AuxApplicInfo" => cx.once(&mut aux, c, Cx::token)?,
            "UACapabilities" => cx.once(&mut ua, c, Cx::ua_capabilities)?,
            _ => cx.unknown(c, root),
        }
    }
    let m = DeliveryReportReq {
        mm7_version,
        mms_relay_server_id: relay,
        message_id: message_id.unwrap_or_default(),
        recipient: recipient.ok_or_else(|| Failure::missing("Recipient", root))?,
        sender: sender.ok_or_else(|| Failure::missing("Sender", root))?,
        date: date.ok_or_else(|| Failure::missing("Date", root))?,
        mm_status: mm_status.ok_or_else(|| Failure::missing("MMStatus", root))?,
        mm_status_extension: extension,
        status_text,
        applic_id,
        reply_applic_id,
        aux_applic_info: aux,
        ua_capabilities: ua,
    };
    cx.check_required(&m, root)?;
    Ok(m)
}

/// `ReadReplyReq`.
pub(super) fn read_reply_req(
    cx: &mut Cx<'_, '_>,
    root: Node<'_, '_>,
) -> Result<ReadReplyReq, Failure> {
    let mut mm7_version = Mm7Version::default();
    let (mut relay, mut message_id, mut recipient, mut sender) = (None, None, None, None);
    let (mut time_stamp, mut mm_status, mut status_text) = (None, None, None);
    let (mut applic_id, mut reply_applic_id, mut aux) = (None, None, None);
    for c in root.children() {
        match c.local() {
            "MM7Version" => cx.version(&mut mm7_version, c),
            "MMSRelayServerID" => cx.once(&mut relay, c, Cx::token)?,
            "MessageID" => cx.once(&mut message_id, c, Cx::token)?,
            "Recipient" => cx.once(&mut recipient, c, Cx::address)?,
            "Sender" => cx.once(&mut sender, c, Cx::address)?,
            "TimeStamp" => cx.once(&mut time_stamp, c, Cx::date_time)?,
            "MMStatus" => cx.once(&mut mm_status, c, Cx::open)?,
            "StatusText" => cx.once(&mut status_text, c, Cx::exact)?,
            "ApplicID" => cx.once(&mut applic_id, c, Cx::token)?,
            "ReplyApplicID" => cx.once(&mut reply_applic_id, c, Cx::token)?,
            "AuxApplicInfo" => cx.once(&mut aux, c, Cx::token)?,
            _ => cx.unknown(c, root),
        }
    }
    let m = ReadReplyReq {
        mm7_version,
        mms_relay_server_id: relay,
        message_id: message_id.unwrap_or_default(),
        recipient: recipient.ok_or_else(|| Failure::missing("Recipient", root))?,
        sender: sender.ok_or_else(|| Failure::missing("Sender", root))?,
        time_stamp: time_stamp.ok_or_else(|| Failure::missing("TimeStamp", root))?,
        mm_status: mm_status.ok_or_else(|| Failure::missing("MMStatus", root))?,
        status_text,
        applic_id,
        reply_applic_id,
        aux_applic_info: aux,
    };
    cx.check_required(&m, root)?;
    Ok(m)
}

/// `extendedCancelReq`.
pub(super) fn extended_cancel_req(
    cx: &mut Cx<'_, '_>,
    root: Node<'_, '_>,
) -> Result<ExtendedCancelReq, Failure> {
    let mut m = ExtendedCancelReq::default();
    let mut cancel_id = None;
    for c in root.children() {
        match c.local() {
            "MM7Version" => cx.version(&mut m.mm7_version, c),
            "SenderIdentification" => {
                cx.once(&mut m.sender_identification, c, Cx::sender_identification)?;
            }
            "CancelID" => cx.once(&mut cancel_id, c, Cx::token)?,
            _ => cx.unknown(c, root),
        }
    }
    m.cancel_id = cancel_id.unwrap_or_default();
    cx.check_required(&m, root)?;
    Ok(m)
}

/// `extendedReplaceReq`.
pub(super) fn extended_replace_req(
    cx: &mut Cx<'_, '_>,
    root: Node<'_, '_>,
) -> Result<ExtendedReplaceReq, Failure> {
    let mut m = ExtendedReplaceReq::default();
    let mut replace_id = None;
    for c in root.children() {
        match c.local() {
            "MM7Version" => cx.version(&mut m.mm7_version, c),
            "VASPID" => cx.once(&mut m.vasp_id, c, Cx::token)?,
            "VASID" => cx.once(&mut m.vas_id, c, Cx::token)?,
            "ServiceCode" => cx.once(&mut m.service_code, c, Cx::token)?,
            "ReplaceID" => cx.once(&mut replace_id, c, Cx::token)?,
            "TimeStamp" => cx.once(&mut m.time_stamp, c, Cx::date_time)?,
            "EarliestDeliveryTime" => cx.once(&mut m.earliest_delivery_time, c, Cx::rel_abs)?,
            "ExpiryDate" => cx.once(&mut m.expiry_date, c, Cx::rel_abs)?,
            "ReadReply" => cx.once(&mut m.read_reply, c, Cx::boolean)?,
            "DeliveryReport" => cx.once(&mut m.delivery_report, c, Cx::boolean)?,
            "Content" => cx.once(&mut m.content, c, Cx::content)?,
            "AdditionalInformation" => m.additional_information.push(cx.additional_information(c)?),
            "MessageExtraData" => cx.once(&mut m.message_extra_data, c, Cx::message_extra_data)?,
            _ => cx.unknown(c, root),
        }
    }
    m.replace_id = replace_id.unwrap_or_default();
    cx.check_required(&m, root)?;
    Ok(m)
}

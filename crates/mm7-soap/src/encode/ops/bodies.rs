//! What each element of each operation looks like on the wire. [`super`] decides which
//! elements are written and in what order (from the model's tables); here each body only
//! maps a name from its table to its value.

use mm7_model::messages::common::{
    AdditionalInformation, DeliveryCondition, MessageExtraData, PreferredChannels,
    PreviouslySentBy, PreviouslySentDateAndTime, ReplyCharging, UaCapabilities,
};
use mm7_model::{
    CancelReq, CancelRsp, ContentRef, DeliverReq, DeliverRsp, DeliveryReportReq, DeliveryReportRsp,
    ExtendedCancelReq, ExtendedCancelRsp, ExtendedReplaceReq, ExtendedReplaceRsp, MessageElements,
    ReadReplyReq, ReadReplyRsp, ReplaceReq, ReplaceRsp, RsErrorRsp, SubmitReq, SubmitRsp,
    VaspErrorRsp,
};

use super::Out;
use crate::error::EncodeError;

/// A message body that can write any element of its operation's table.
pub(crate) trait WriteBody: MessageElements {
    /// Writes element `name` (a name from the operation's table that the body has).
    fn write_element(&self, name: &str, out: &mut Out<'_>) -> Result<(), EncodeError>;
}

impl Out<'_> {
    fn content(&mut self, name: &str, content: Option<&ContentRef>) {
        if let Some(content) = content {
            self.start(name);
            self.attr("href", &content.href);
            if let Some(allow) = content.allow_adaptations {
                self.bool_attr("allowAdaptations", allow);
            }
            self.end();
        }
    }

    fn reply_charging(&mut self, name: &str, charging: Option<&ReplyCharging>) {
        if let Some(charging) = charging {
            self.start(name);
            if let Some(size) = charging.reply_charging_size {
                self.number_attr("replyChargingSize", size);
            }
            if let Some(deadline) = &charging.reply_deadline {
                self.attr("replyDeadline", deadline.as_str());
            }
            self.end();
        }
    }

    fn ua_capabilities(&mut self, name: &str, caps: Option<&UaCapabilities>) {
        if let Some(caps) = caps {
            self.start(name);
            if let Some(profile) = &caps.ua_prof {
                self.attr("UAProf", profile);
            }
            if let Some(time) = &caps.time_stamp {
                self.attr("TimeStamp", time.as_str());
            }
            self.end();
        }
    }

    fn delivery_condition(&mut self, name: &str, condition: Option<&DeliveryCondition>) {
        if let Some(condition) = condition {
            self.start(name);
            for dc in &condition.dc {
                self.number("DC", *dc);
            }
            self.end();
        }
    }

    fn preferred_channels(&mut self, name: &str, channels: Option<&PreferredChannels>) {
        if let Some(channels) = channels {
            self.start(name);
            for channel in &channels.deliver_using {
                self.text("DeliverUsing", channel.as_str());
            }
            self.end();
        }
    }

    fn additional_information(&mut self, name: &str, items: &[AdditionalInformation]) {
        for item in items {
            self.start(name);
            self.attr("href", &item.href);
            self.end();
        }
    }

    fn message_extra_data(&mut self, name: &str, data: Option<&MessageExtraData>) {
        if let Some(data) = data {
            self.start(name);
            for element in &data.elements {
                self.start("element");
                self.text("key", &element.key);
                self.text("value", &element.value);
                self.end();
            }
            self.end();
        }
    }

    fn previously_sent_by(
        &mut self,
        name: &str,
        by: Option<&PreviouslySentBy>,
    ) -> Result<(), EncodeError> {
        if let Some(by) = by {
            self.start(name);
            for agent in &by.user_agents {
                self.start("UserAgent");
                if let Some(sequence) = agent.sequence {
                    self.number_attr("sequence", sequence);
                }
                self.address(&agent.address)?;
                self.end();
            }
            self.end();
        }
        Ok(())
    }

    fn previously_sent_at(&mut self, name: &str, at: Option<&PreviouslySentDateAndTime>) {
        if let Some(at) = at {
            self.start(name);
            for date in &at.date_times {
                self.start("DateTime");
                if let Some(sequence) = date.sequence {
                    self.number_attr("sequence", sequence);
                }
                self.text_content(date.value.as_str());
                self.end();
            }
            self.end();
        }
    }
}

impl WriteBody for SubmitReq {
    fn write_element(&self, name: &str, out: &mut Out<'_>) -> Result<(), EncodeError> {
        match name {
            "MM7Version" => out.text(name, self.mm7_version.as_str()),
            "SenderIdentification" => {
                out.sender_identification(name, self.sender_identification.as_ref())?
            }
            "Recipients" => out.recipients(name, &self.recipients)?,
            "PreferredChannels" => out.preferred_channels(name, self.preferred_channels.as_ref()),
            "ServiceCode" => out.opt_text(name, self.service_code.as_deref()),
            "LinkedID" => out.opt_text(name, self.linked_id.as_deref()),
            "MessageClass" => out.opt_text(name, self.message_class.as_ref().map(|c| c.as_str())),
            "TimeStamp" => out.opt_text(name, self.time_stamp.as_ref().map(|t| t.as_str())),
            "ReplyCharging" => out.reply_charging(name, self.reply_charging.as_ref()),
            "EarliestDeliveryTime" => out.opt_text(
                name,
                self.earliest_delivery_time.as_ref().map(|t| t.as_str()),
            ),
            "ExpiryDate" => out.opt_text(name, self.expiry_date.as_ref().map(|t| t.as_str())),
            "DeliveryReport" => out.opt_bool(name, self.delivery_report),
            "ReadReply" => out.opt_bool(name, self.read_reply),
            "Priority" => out.opt_text(name, self.priority.as_ref().map(|p| p.as_str())),
            "Subject" => out.opt_text(name, self.subject.as_deref()),
            "ChargedParty" => out.opt_text(name, self.charged_party.as_ref().map(|c| c.as_str())),
            "ChargedPartyID" => out.opt_text(name, self.charged_party_id.as_deref()),
            "ThirdPartyPayer" => {
                if let Some(payer) = &self.third_party_payer {
                    out.address_in(name, payer)?;
                }
            }
            "DistributionIndicator" => out.opt_bool(name, self.distribution_indicator),
            "DeliveryCondition" => out.delivery_condition(name, self.delivery_condition.as_ref()),
            "ApplicID" => out.opt_text(name, self.applic_id.as_deref()),
            "ReplyApplicID" => out.opt_text(name, self.reply_applic_id.as_deref()),
            "AuxApplicInfo" => out.opt_text(name, self.aux_applic_info.as_deref()),
            "ContentClass" => out.opt_text(name, self.content_class.as_ref().map(|c| c.as_str())),
            "DRMContent" => out.opt_bool(name, self.drm_content),
            "Content" => out.content(name, self.content.as_ref()),
            "AdditionalInformation" => {
                out.additional_information(name, &self.additional_information)
            }
            "MessageExtraData" => out.message_extra_data(name, self.message_extra_data.as_ref()),
            _ => {}
        }
        Ok(())
    }
}

impl WriteBody for SubmitRsp {
    fn write_element(&self, name: &str, out: &mut Out<'_>) -> Result<(), EncodeError> {
        match name {
            "MM7Version" => out.text(name, self.mm7_version.as_str()),
            "Status" => out.status(name, &self.status)?,
            "MessageID" => out.opt_text(name, self.message_id.as_deref()),
            _ => {}
        }
        Ok(())
    }
}

impl WriteBody for DeliverReq {
    fn write_element(&self, name: &str, out: &mut Out<'_>) -> Result<(), EncodeError> {
        match name {
            "MM7Version" => out.text(name, self.mm7_version.as_str()),
            "MMSRelayServerID" => out.opt_text(name, self.mms_relay_server_id.as_deref()),
            "VASPID" => out.opt_text(name, self.vasp_id.as_deref()),
            "VASID" => out.opt_text(name, self.vas_id.as_deref()),
            "LinkedID" => out.opt_text(name, self.linked_id.as_deref()),
            "Sender" => out.address_in(name, &self.sender)?,
            "Recipients" => out.recipients(name, &self.recipients)?,
            "Previouslysentby" => out.previously_sent_by(name, self.previously_sent_by.as_ref())?,
            "Previouslysentdateandtime" => {
                out.previously_sent_at(name, self.previously_sent_date_and_time.as_ref());
            }
            "SenderSPI" => out.opt_text(name, self.sender_spi.as_deref()),
            "RecipientSPI" => out.opt_text(name, self.recipient_spi.as_deref()),
            "TimeStamp" => out.opt_text(name, self.time_stamp.as_ref().map(|t| t.as_str())),
            "ReplyChargingID" => out.opt_text(name, self.reply_charging_id.as_deref()),
            "Priority" => out.opt_text(name, self.priority.as_ref().map(|p| p.as_str())),
            "Subject" => out.opt_text(name, self.subject.as_deref()),
            "ApplicID" => out.opt_text(name, self.applic_id.as_deref()),
            "ReplyApplicID" => out.opt_text(name, self.reply_applic_id.as_deref()),
            "AuxApplicInfo" => out.opt_text(name, self.aux_applic_info.as_deref()),
            "UACapabilities" => out.ua_capabilities(name, self.ua_capabilities.as_ref()),
            "Content" => out.content(name, self.content.as_ref()),
            "AdditionalInformation" => {
                out.additional_information(name, &self.additional_information)
            }
            "MessageExtraData" => out.message_extra_data(name, self.message_extra_data.as_ref()),
            _ => {}
        }
        Ok(())
    }
}

impl WriteBody for DeliverRsp {
    fn write_element(&self, name: &str, out: &mut Out<'_>) -> Result<(), EncodeError> {
        match name {
            "MM7Version" => out.text(name, self.mm7_version.as_str()),
            "Status" => out.status(name, &self.status)?,
            "ServiceCode" => out.opt_text(name, self.service_code.as_deref()),
            _ => {}
        }
        Ok(())
    }
}

impl WriteBody for CancelReq {
    fn write_element(&self, name: &str, out: &mut Out<'_>) -> Result<(), EncodeError> {
        match name {
            "MM7Version" => out.text(name, self.mm7_version.as_str()),
            "SenderIdentification" => {
                out.sender_identification(name, self.sender_identification.as_ref())?
            }
            "MessageID" => out.text(name, &self.message_id),
            "Recipients" => out.recipients(name, &self.recipients)?,
            "ApplicID" => out.opt_text(name, self.applic_id.as_deref()),
            "ReplyApplicID" => out.opt_text(name, self.reply_applic_id.as_deref()),
            "AuxApplicInfo" => out.opt_text(name, self.aux_applic_info.as_deref()),
            _ => {}
        }
        Ok(())
    }
}

impl WriteBody for ReplaceReq {
    fn write_element(&self, name: &str, out: &mut Out<'_>) -> Result<(), EncodeError> {
        match name {
            "MM7Version" => out.text(name, self.mm7_version.as_str()),
            "SenderIdentification" => {
                out.sender_identification(name, self.sender_identification.as_ref())?
            }
            "MessageID" => out.text(name, &self.message_id),
            "ServiceCode" => out.opt_text(name, self.service_code.as_deref()),
            "TimeStamp" => out.opt_text(name, self.time_stamp.as_ref().map(|t| t.as_str())),
            "ReadReply" => out.opt_bool(name, self.read_reply),
            "EarliestDeliveryTime" => out.opt_text(
                name,
                self.earliest_delivery_time.as_ref().map(|t| t.as_str()),
            ),
            "DistributionIndicator" => out.opt_bool(name, self.distribution_indicator),
            "ContentClass" => out.opt_text(name, self.content_class.as_ref().map(|c| c.as_str())),
            "DRMContent" => out.opt_bool(name, self.drm_content),
            "ApplicID" => out.opt_text(name, self.applic_id.as_deref()),
            "ReplyApplicID" => out.opt_text(name, self.reply_applic_id.as_deref()),
            "AuxApplicInfo" => out.opt_text(name, self.aux_applic_info.as_deref()),
            "Content" => out.content(name, self.content.as_ref()),
            "AdditionalInformation" => {
                out.additional_information(name, &self.additional_information)
            }
            "MessageExtraData" => out.message_extra_data(name, self.message_extra_data.as_ref()),
            _ => {}
        }
        Ok(())
    }
}

impl WriteBody for DeliveryReportReq {
    fn write_element(&self, name: &str, out: &mut Out<'_>) -> Result<(), EncodeError> {
        match name {
            "MM7Version" => out.text(name, self.mm7_version.as_str()),
            "MMSRelayServerID" => out.opt_text(name, self.mms_relay_server_id.as_deref()),
            "MessageID" => out.text(name, &self.message_id),
            "Recipient" => out.address_in(name, &self.recipient)?,
            "Sender" => out.address_in(name, &self.sender)?,
            "Date" => out.text(name, self.date.as_str()),
            "MMStatus" => out.text(name, self.mm_status.as_str()),
            "MMStatusExtension" => {
                out.opt_text(name, self.mm_status_extension.as_ref().map(|e| e.as_str()))
            }
            "StatusText" => out.opt_text(name, self.status_text.as_deref()),
            "ApplicID" => out.opt_text(name, self.applic_id.as_deref()),
            "ReplyApplicID" => out.opt_text(name, self.reply_applic_id.as_deref()),
            "AuxApplicInfo" => out.opt_text(name, self.aux_applic_info.as_deref()),
            "UACapabilities" => out.ua_capabilities(name, self.ua_capabilities.as_ref()),
            _ => {}
        }
        Ok(())
    }
}

impl WriteBody for ReadReplyReq {
    fn write_element(&self, name: &str, out: &mut Out<'_>) -> Result<(), EncodeError> {
        match name {
            "MM7Version" => out.text(name, self.mm7_version.as_str()),
            "MMSRelayServerID" => out.opt_text(name, self.mms_relay_server_id.as_deref()),
            "MessageID" => out.text(name, &self.message_id),
            "Recipient" => out.address_in(name, &self.recipient)?,
            "Sender" => out.address_in(name, &self.sender)?,
            "TimeStamp" => out.text(name, self.time_stamp.as_str()),
            "MMStatus" => out.text(name, self.mm_status.as_str()),
            "StatusText" => out.opt_text(name, self.status_text.as_deref()),
            "ApplicID" => out.opt_text(name, self.applic_id.as_deref()),
            "ReplyApplicID" => out.opt_text(name, self.reply_applic_id.as_deref()),
            "AuxApplicInfo" => out.opt_text(name, self.aux_applic_info.as_deref()),
            _ => {}
        }
        Ok(())
    }
}

impl WriteBody for ExtendedCancelReq {
    fn write_element(&self, name: &str, out: &mut Out<'_>) -> Result<(), EncodeError> {
        match name {
            "MM7Version" => out.text(name, self.mm7_version.as_str()),
            "SenderIdentification" => {
                out.sender_identification(name, self.sender_identification.as_ref())?
            }
            "CancelID" => out.text(name, &self.cancel_id),
            _ => {}
        }
        Ok(())
    }
}

impl WriteBody for ExtendedReplaceReq {
    fn write_element(&self, name: &str, out: &mut Out<'_>) -> Result<(), EncodeError> {
        match name {
            "MM7Version" => out.text(name, self.mm7_version.as_str()),
            "VASPID" => out.opt_text(name, self.vasp_id.as_deref()),
            "VASID" => out.opt_text(name, self.vas_id.as_deref()),
            "ServiceCode" => out.opt_text(name, self.service_code.as_deref()),
            "ReplaceID" => out.text(name, &self.replace_id),
            "TimeStamp" => out.opt_text(name, self.time_stamp.as_ref().map(|t| t.as_str())),
            "EarliestDeliveryTime" => out.opt_text(
                name,
                self.earliest_delivery_time.as_ref().map(|t| t.as_str()),
            ),
            "ExpiryDate" => out.opt_text(name, self.expiry_date.as_ref().map(|t| t.as_str())),
            "ReadReply" => out.opt_bool(name, self.read_reply),
            "DeliveryReport" => out.opt_bool(name, self.delivery_report),
            "Content" => out.content(name, self.content.as_ref()),
            "AdditionalInformation" => {
                out.additional_information(name, &self.additional_information)
            }
            "MessageExtraData" => out.message_extra_data(name, self.message_extra_data.as_ref()),
            _ => {}
        }
        Ok(())
    }
}

impl WriteBody for ExtendedReplaceRsp {
    fn write_element(&self, name: &str, out: &mut Out<'_>) -> Result<(), EncodeError> {
        match name {
            "MM7Version" => out.text(name, self.mm7_version.as_str()),
            "MessageID" => out.text(name, &self.message_id),
            "Status" => out.status(name, &self.status)?,
            _ => {}
        }
        Ok(())
    }
}

/// The responses of `genericResponseType`: `MM7Version` and `Status`.
macro_rules! generic_response {
    ($($ty:ty),* $(,)?) => {
        $(
            impl WriteBody for $ty {
                fn write_element(&self, name: &str, out: &mut Out<'_>) -> Result<(), EncodeError> {
                    match name {
                        "MM7Version" => out.text(name, self.mm7_version.as_str()),
                        "Status" => out.status(name, &self.status)?,
                        _ => {}
                    }
                    Ok(())
                }
            }
        )*
    };
}

generic_response!(
    CancelRsp,
    ReplaceRsp,
    DeliveryReportRsp,
    ReadReplyRsp,
    RsErrorRsp,
    VaspErrorRsp,
    ExtendedCancelRsp,
);

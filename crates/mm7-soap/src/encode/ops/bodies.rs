//! What each element of each operation looks like on the wire. [`super`] decides which
//! elements are written and in what order (from the model's tables); here each body only
//! maps a name from its table to its field, and each field type says how it is written
//! ([`WriteField`]), so an element shared by several operations is written one way.

use mm7_model::messages::common::{
    AdditionalInformation, DeliveryCondition, MessageExtraData, PreferredChannels,
    PreviouslySentBy, PreviouslySentDateAndTime, ReplyCharging, UaCapabilities,
};
use mm7_model::{
    Address, CancelReq, CancelRsp, ChargedParty, ContentClass, ContentRef, DateTime, DeliverReq,
    DeliverRsp, DeliveryReportReq, DeliveryReportRsp, ExtendedCancelReq, ExtendedCancelRsp,
    ExtendedReplaceReq, ExtendedReplaceRsp, MessageClass, MessageElements, Mm7Version, MmStatus,
    MmStatusExtension, Priority, ReadReplyReq, ReadReplyRsp, Recipients, RelativeOrAbsolute,
    ReplaceReq, ReplaceRsp, RsErrorRsp, SenderIdentification, Status, SubmitReq, SubmitRsp,
    VaspErrorRsp,
};

use super::Out;
use crate::error::EncodeError;

/// A message body that can write any element of its operation's table.
pub(crate) trait WriteBody: MessageElements {
    /// Writes element `name` (a name from the operation's table that the body has).
    fn write_element(&self, name: &str, out: &mut Out<'_>) -> Result<(), EncodeError>;
}

/// A field of a body, written as the element `name`; an absent optional field writes
/// nothing.
trait WriteField {
    fn write_field(&self, name: &str, out: &mut Out<'_>) -> Result<(), EncodeError>;
}

/// Implements [`WriteBody`] for each body from the table of its elements other than
/// `MM7Version` (`"Element" => field`); bodies with the same table share one.
macro_rules! write_bodies {
    ($($($ty:ident),+ { $($rows:tt)* })*) => {
        $(write_bodies!(@each [$($ty),+] { $($rows)* });)*
    };
    (@each [$ty:ident $(, $rest:ident)*] $rows:tt) => {
        write_bodies!(@impl $ty $rows);
        write_bodies!(@each [$($rest),*] $rows);
    };
    (@each [] $rows:tt) => {};
    (@impl $ty:ident { $($elem:literal => $field:ident,)* }) => {
        impl WriteBody for $ty {
            fn write_element(&self, name: &str, out: &mut Out<'_>) -> Result<(), EncodeError> {
                match name {
                    "MM7Version" => self.mm7_version.write_field(name, out),
                    $($elem => self.$field.write_field(name, out),)*
                    _ => Ok(()),
                }
            }
        }
    };
}

write_bodies! {
    SubmitReq {
        "SenderIdentification" => sender_identification,
        "Recipients" => recipients,
        "PreferredChannels" => preferred_channels,
        "ServiceCode" => service_code,
        "LinkedID" => linked_id,
        "MessageClass" => message_class,
        "TimeStamp" => time_stamp,
        "ReplyCharging" => reply_charging,
        "EarliestDeliveryTime" => earliest_delivery_time,
        "ExpiryDate" => expiry_date,
        "DeliveryReport" => delivery_report,
        "ReadReply" => read_reply,
        "Priority" => priority,
        "Subject" => subject,
        "ChargedParty" => charged_party,
        "ChargedPartyID" => charged_party_id,
        "ThirdPartyPayer" => third_party_payer,
        "DistributionIndicator" => distribution_indicator,
        "DeliveryCondition" => delivery_condition,
        "ApplicID" => applic_id,
        "ReplyApplicID" => reply_applic_id,
        "AuxApplicInfo" => aux_applic_info,
        "ContentClass" => content_class,
        "DRMContent" => drm_content,
        "Content" => content,
        "AdditionalInformation" => additional_information,
        "MessageExtraData" => message_extra_data,
    }
    SubmitRsp {
        "Status" => status,
        "MessageID" => message_id,
    }
    DeliverReq {
        "MMSRelayServerID" => mms_relay_server_id,
        "VASPID" => vasp_id,
        "VASID" => vas_id,
        "LinkedID" => linked_id,
        "Sender" => sender,
        "Recipients" => recipients,
        "Previouslysentby" => previously_sent_by,
        "Previouslysentdateandtime" => previously_sent_date_and_time,
        "SenderSPI" => sender_spi,
        "RecipientSPI" => recipient_spi,
        "TimeStamp" => time_stamp,
        "ReplyChargingID" => reply_charging_id,
        "Priority" => priority,
        "Subject" => subject,
        "ApplicID" => applic_id,
        "ReplyApplicID" => reply_applic_id,
        "AuxApplicInfo" => aux_applic_info,
        "UACapabilities" => ua_capabilities,
        "Content" => content,
        "AdditionalInformation" => additional_information,
        "MessageExtraData" => message_extra_data,
    }
    DeliverRsp {
        "Status" => status,
        "ServiceCode" => service_code,
    }
    CancelReq {
        "SenderIdentification" => sender_identification,
        "MessageID" => message_id,
        "Recipients" => recipients,
        "ApplicID" => applic_id,
        "ReplyApplicID" => reply_applic_id,
        "AuxApplicInfo" => aux_applic_info,
    }
    ReplaceReq {
        "SenderIdentification" => sender_identification,
        "MessageID" => message_id,
        "ServiceCode" => service_code,
        "TimeStamp" => time_stamp,
        "ReadReply" => read_reply,
        "EarliestDeliveryTime" => earliest_delivery_time,
        "DistributionIndicator" => distribution_indicator,
        "ContentClass" => content_class,
        "DRMContent" => drm_content,
        "ApplicID" => applic_id,
        "ReplyApplicID" => reply_applic_id,
        "AuxApplicInfo" => aux_applic_info,
        "Content" => content,
        "AdditionalInformation" => additional_information,
        "MessageExtraData" => message_extra_data,
    }
    DeliveryReportReq {
        "MMSRelayServerID" => mms_relay_server_id,
        "MessageID" => message_id,
        "Recipient" => recipient,
        "Sender" => sender,
        "Date" => date,
        "MMStatus" => mm_status,
        "MMStatusExtension" => mm_status_extension,
        "StatusText" => status_text,
        "ApplicID" => applic_id,
        "ReplyApplicID" => reply_applic_id,
        "AuxApplicInfo" => aux_applic_info,
        "UACapabilities" => ua_capabilities,
    }
    ReadReplyReq {
        "MMSRelayServerID" => mms_relay_server_id,
        "MessageID" => message_id,
        "Recipient" => recipient,
        "Sender" => sender,
        "TimeStamp" => time_stamp,
        "MMStatus" => mm_status,
        "StatusText" => status_text,
        "ApplicID" => applic_id,
        "ReplyApplicID" => reply_applic_id,
        "AuxApplicInfo" => aux_applic_info,
    }
    ExtendedCancelReq {
        "SenderIdentification" => sender_identification,
        "CancelID" => cancel_id,
    }
    ExtendedReplaceReq {
        "VASPID" => vasp_id,
        "VASID" => vas_id,
        "ServiceCode" => service_code,
        "ReplaceID" => replace_id,
        "TimeStamp" => time_stamp,
        "EarliestDeliveryTime" => earliest_delivery_time,
        "ExpiryDate" => expiry_date,
        "ReadReply" => read_reply,
        "DeliveryReport" => delivery_report,
        "Content" => content,
        "AdditionalInformation" => additional_information,
        "MessageExtraData" => message_extra_data,
    }
    ExtendedReplaceRsp {
        "MessageID" => message_id,
        "Status" => status,
    }
    // `genericResponseType`.
    CancelRsp, ReplaceRsp, DeliveryReportRsp, ReadReplyRsp, RsErrorRsp, VaspErrorRsp,
    ExtendedCancelRsp {
        "Status" => status,
    }
}

/// The values written as the element's text, required (`T`) or optional (`Option<T>`).
macro_rules! text_fields {
    ($($ty:ty),* $(,)?) => {
        $(
            impl WriteField for $ty {
                fn write_field(&self, name: &str, out: &mut Out<'_>) -> Result<(), EncodeError> {
                    out.text(name, self.as_str());
                    Ok(())
                }
            }

            impl WriteField for Option<$ty> {
                fn write_field(&self, name: &str, out: &mut Out<'_>) -> Result<(), EncodeError> {
                    out.opt_text(name, self.as_ref().map(|v| v.as_str()));
                    Ok(())
                }
            }
        )*
    };
}

text_fields!(
    String,
    Mm7Version,
    DateTime,
    RelativeOrAbsolute,
    MessageClass,
    Priority,
    ChargedParty,
    ContentClass,
    MmStatus,
    MmStatusExtension,
);

impl WriteField for Option<bool> {
    fn write_field(&self, name: &str, out: &mut Out<'_>) -> Result<(), EncodeError> {
        out.opt_bool(name, *self);
        Ok(())
    }
}

impl WriteField for Address {
    fn write_field(&self, name: &str, out: &mut Out<'_>) -> Result<(), EncodeError> {
        out.address_in(name, self)
    }
}

impl WriteField for Option<Address> {
    fn write_field(&self, name: &str, out: &mut Out<'_>) -> Result<(), EncodeError> {
        match self {
            Some(address) => out.address_in(name, address),
            None => Ok(()),
        }
    }
}

impl WriteField for Recipients {
    fn write_field(&self, name: &str, out: &mut Out<'_>) -> Result<(), EncodeError> {
        out.recipients(name, self)
    }
}

impl WriteField for Option<SenderIdentification> {
    fn write_field(&self, name: &str, out: &mut Out<'_>) -> Result<(), EncodeError> {
        out.sender_identification(name, self.as_ref())
    }
}

impl WriteField for Status {
    fn write_field(&self, name: &str, out: &mut Out<'_>) -> Result<(), EncodeError> {
        out.status(name, self)
    }
}

/// A structured element: what is written between its start and its end (attributes, then
/// children).
trait Element {
    fn write_inside(&self, out: &mut Out<'_>) -> Result<(), EncodeError>;
}

impl<T: Element> WriteField for Option<T> {
    fn write_field(&self, name: &str, out: &mut Out<'_>) -> Result<(), EncodeError> {
        if let Some(value) = self {
            out.start(name);
            value.write_inside(out)?;
            out.end();
        }
        Ok(())
    }
}

impl<T: Element> WriteField for Vec<T> {
    fn write_field(&self, name: &str, out: &mut Out<'_>) -> Result<(), EncodeError> {
        for value in self {
            out.start(name);
            value.write_inside(out)?;
            out.end();
        }
        Ok(())
    }
}

impl Element for ContentRef {
    fn write_inside(&self, out: &mut Out<'_>) -> Result<(), EncodeError> {
        out.attr("href", &self.href);
        if let Some(allow) = self.allow_adaptations {
            out.bool_attr("allowAdaptations", allow);
        }
        Ok(())
    }
}

impl Element for ReplyCharging {
    fn write_inside(&self, out: &mut Out<'_>) -> Result<(), EncodeError> {
        if let Some(size) = self.reply_charging_size {
            out.number_attr("replyChargingSize", size);
        }
        if let Some(deadline) = &self.reply_deadline {
            out.attr("replyDeadline", deadline.as_str());
        }
        Ok(())
    }
}

impl Element for UaCapabilities {
    fn write_inside(&self, out: &mut Out<'_>) -> Result<(), EncodeError> {
        if let Some(profile) = &self.ua_prof {
            out.attr("UAProf", profile);
        }
        if let Some(time) = &self.time_stamp {
            out.attr("TimeStamp", time.as_str());
        }
        Ok(())
    }
}

impl Element for DeliveryCondition {
    fn write_inside(&self, out: &mut Out<'_>) -> Result<(), EncodeError> {
        for dc in &self.dc {
            out.number("DC", *dc);
        }
        Ok(())
    }
}

impl Element for PreferredChannels {
    fn write_inside(&self, out: &mut Out<'_>) -> Result<(), EncodeError> {
        for channel in &self.deliver_using {
            out.text("DeliverUsing", channel.as_str());
        }
        Ok(())
    }
}

impl Element for AdditionalInformation {
    fn write_inside(&self, out: &mut Out<'_>) -> Result<(), EncodeError> {
        out.attr("href", &self.href);
        Ok(())
    }
}

impl Element for MessageExtraData {
    fn write_inside(&self, out: &mut Out<'_>) -> Result<(), EncodeError> {
        for element in &self.elements {
            out.start("element");
            out.text("key", &element.key);
            out.text("value", &element.value);
            out.end();
        }
        Ok(())
    }
}

impl Element for PreviouslySentBy {
    fn write_inside(&self, out: &mut Out<'_>) -> Result<(), EncodeError> {
        for agent in &self.user_agents {
            start_sequenced(out, "UserAgent", agent.sequence);
            out.address(&agent.address)?;
            out.end();
        }
        Ok(())
    }
}

impl Element for PreviouslySentDateAndTime {
    fn write_inside(&self, out: &mut Out<'_>) -> Result<(), EncodeError> {
        for date in &self.date_times {
            start_sequenced(out, "DateTime", date.sequence);
            out.text_content(date.value.as_str());
            out.end();
        }
        Ok(())
    }
}

/// The start of an item of `Previouslysentby` or `Previouslysentdateandtime`, with its
/// `sequence` attribute when it has one.
fn start_sequenced(out: &mut Out<'_>, name: &str, sequence: Option<u64>) {
    out.start(name);
    if let Some(sequence) = sequence {
        out.number_attr("sequence", sequence);
    }
}

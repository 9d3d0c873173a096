//! Element types shared by several operations.

use crate::address::UserAgent;
use crate::enums::Channel;
use crate::time::RelativeOrAbsolute;

/// `ReplyCharging`: the VASP pays for the reply; both attributes are optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct ReplyCharging {
    /// `replyChargingSize`: the largest reply paid for, in octets.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "replyChargingSize",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub reply_charging_size: Option<u64>,
    /// `replyDeadline`: until when a reply is paid for.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "replyDeadline",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub reply_deadline: Option<RelativeOrAbsolute>,
}

/// `DeliveryCondition` (REL-6): the `DC` values (operator-defined conditions).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct DeliveryCondition {
    /// `DC`, in order.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "DC", default, skip_serializing_if = "Vec::is_empty")
    )]
    pub dc: Vec<u64>,
}

/// `PreferredChannels` (REL-6): the channels to deliver with, in order of preference.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct PreferredChannels {
    /// `DeliverUsing`, in order.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "DeliverUsing",
            default,
            skip_serializing_if = "Vec::is_empty"
        )
    )]
    pub deliver_using: Vec<Channel>,
}

/// `UACapabilities` (REL-6): what the recipient's terminal can do.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct UaCapabilities {
    /// The `UAProf` attribute: the terminal's UAProf URL.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "UAProf", default, skip_serializing_if = "Option::is_none")
    )]
    pub ua_prof: Option<String>,
    /// The `TimeStamp` attribute: when the capabilities were last known.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "TimeStamp", default, skip_serializing_if = "Option::is_none")
    )]
    pub time_stamp: Option<RelativeOrAbsolute>,
}

/// An `AdditionalInformation` element (REL-6-MM7-1-4): a reference to a further attachment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct AdditionalInformation {
    /// The `href` attribute.
    pub href: String,
}

/// `MessageExtraData` (REL-6-MM7-1-4): free key/value pairs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct MessageExtraData {
    /// The `element` children, in order.
    #[cfg_attr(feature = "serde", serde(rename = "element", default))]
    pub elements: Vec<ExtraDataElement>,
}

/// One `element` of [`MessageExtraData`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct ExtraDataElement {
    /// `key`.
    pub key: String,
    /// `value`.
    pub value: String,
}

/// `Previouslysentby` of a `DeliverReq`: the user agents that forwarded the message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct PreviouslySentBy {
    /// `UserAgent`, in order.
    #[cfg_attr(feature = "serde", serde(rename = "UserAgent", default))]
    pub user_agents: Vec<UserAgent>,
}

/// `Previouslysentdateandtime` of a `DeliverReq`: when each forward happened.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct PreviouslySentDateAndTime {
    /// `DateTime`, in order.
    #[cfg_attr(feature = "serde", serde(rename = "DateTime", default))]
    pub date_times: Vec<SequencedDateTime>,
}

/// A `DateTime` of [`PreviouslySentDateAndTime`]: a date with its `sequence` attribute.
///
/// In the JSON view the text is under `value`, the attribute under `sequence`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct SequencedDateTime {
    /// The element's text.
    pub value: RelativeOrAbsolute,
    /// The `sequence` attribute.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub sequence: Option<u64>,
}

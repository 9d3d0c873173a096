//! Enumerated element values, each open: a value outside the schema's enumeration is kept
//! in an `Other` variant, so what a peer sent is what is re-encoded.
//!
//! Matching is exact (case-sensitive): `personal` is `Other("personal")`, not `Personal`,
//! which keeps the received text byte for byte. Use `eq_ignore_ascii_case` on
//! [`as_str`](MessageClass::as_str) for tolerant comparisons.

/// What every enumeration of this module shares: the schema's values, and whether a value
/// is one of them (a decoder warns of one that is not).
pub trait OpenEnumeration: for<'s> From<&'s str> {
    /// The element's name in MM7 XML (`Priority`, `MessageClass`…), for messages.
    const TYPE_NAME: &'static str;
    /// The values the schema enumerates.
    const VALUES: &'static [&'static str];
    /// The value as written in MM7 XML.
    fn text(&self) -> &str;
    /// Whether the value is one the schema enumerates.
    fn known(&self) -> bool;
}

macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vdoc:meta])* $variant:ident => $text:literal, )* }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vdoc])* $variant, )*
            /// A value outside the schema's enumeration, as received.
            Other(String),
        }

        impl $name {
            /// The values the schema enumerates.
            pub const KNOWN: &'static [&'static str] = &[$($text),*];

            /// The value as written in MM7 XML.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $text, )*
                    $name::Other(s) => s,
                }
            }

            /// The known variant for `text`, or [`Other`](Self::Other) with the text.
            pub fn parse(text: &str) -> $name {
                match text {
                    $( $text => $name::$variant, )*
                    other => $name::Other(other.to_owned()),
                }
            }

            /// Whether the value is one the schema enumerates.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Other(_))
            }
        }

        impl $crate::enums::OpenEnumeration for $name {
            const TYPE_NAME: &'static str = stringify!($name);
            const VALUES: &'static [&'static str] = $name::KNOWN;
            fn text(&self) -> &str {
                self.as_str()
            }
            fn known(&self) -> bool {
                self.is_known()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                $name::parse(text)
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                match $name::parse(&text) {
                    $name::Other(_) => $name::Other(text),
                    known => known,
                }
            }
        }

        #[cfg(feature = "serde")]
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        #[cfg(feature = "serde")]
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                Ok($name::from(s.into_owned()))
            }
        }
    };
}

open_enum! {
    /// `MessageClass` (`messageClassType`).
    MessageClass {
        /// `Personal`.
        Personal => "Personal",
        /// `Informational`.
        Informational => "Informational",
        /// `Advertisement`.
        Advertisement => "Advertisement",
        /// `Auto`.
        Auto => "Auto",
    }
}

open_enum! {
    /// `Priority` (`priorityType`).
    Priority {
        /// `Normal`.
        Normal => "Normal",
        /// `High`.
        High => "High",
        /// `Low`.
        Low => "Low",
    }
}

open_enum! {
    /// `ChargedParty` (`chargedPartyType`).
    ChargedParty {
        /// `Sender`.
        Sender => "Sender",
        /// `Recipient`.
        Recipient => "Recipient",
        /// `Both`.
        Both => "Both",
        /// `Neither`.
        Neither => "Neither",
        /// `ThirdParty` (REL-6).
        ThirdParty => "ThirdParty",
    }
}

open_enum! {
    /// `MMStatus` of a delivery report (`mmDeliveryStatusType`) or a read reply
    /// (`mmReadStatusType`).
    ///
    /// Real MMSCs also send `NotSupported`, `Unreachable` and the US spelling `Unrecognized`;
    /// those stay [`Other`](MmStatus::Other).
    ///
    /// ```
    /// use mm7_model::MmStatus;
    /// assert_eq!(MmStatus::parse("Retrieved"), MmStatus::Retrieved);
    /// let odd = MmStatus::parse("Unrecognized");
    /// assert_eq!(odd, MmStatus::Other("Unrecognized".into()));
    /// assert_eq!(odd.as_str(), "Unrecognized");
    /// ```
    MmStatus {
        /// `Expired`.
        Expired => "Expired",
        /// `Retrieved`.
        Retrieved => "Retrieved",
        /// `Rejected`.
        Rejected => "Rejected",
        /// `Deferred`.
        Deferred => "Deferred",
        /// `Unrecognised`.
        Unrecognised => "Unrecognised",
        /// `Indeterminate`.
        Indeterminate => "Indeterminate",
        /// `Forwarded`.
        Forwarded => "Forwarded",
        /// `Read` (read reply).
        Read => "Read",
        /// `Deleted` (read reply).
        Deleted => "Deleted",
        /// `DeliveryConditionNotMet` (REL-6, with `DeliveryCondition`).
        DeliveryConditionNotMet => "DeliveryConditionNotMet",
    }
}

/// `Indeterminate`: nothing is known of the message yet.
impl Default for MmStatus {
    fn default() -> MmStatus {
        MmStatus::Indeterminate
    }
}

open_enum! {
    /// `MMStatusExtension` (REL-6): who rejected the message.
    MmStatusExtension {
        /// `RejectionByMMSRecipient`.
        RejectionByMmsRecipient => "RejectionByMMSRecipient",
        /// `RejectionByOtherRS`.
        RejectionByOtherRs => "RejectionByOtherRS",
    }
}

open_enum! {
    /// `ContentClass` (REL-6, `contentClassType`).
    ContentClass {
        /// `text`.
        Text => "text",
        /// `image-basic`.
        ImageBasic => "image-basic",
        /// `image-rich`.
        ImageRich => "image-rich",
        /// `video-basic`.
        VideoBasic => "video-basic",
        /// `video-rich`.
        VideoRich => "video-rich",
        /// `megapixel`.
        Megapixel => "megapixel",
        /// `content-basic`.
        ContentBasic => "content-basic",
        /// `content-rich`.
        ContentRich => "content-rich",
    }
}

open_enum! {
    /// The `addressCoding` attribute of an address (REL-6, `addressCodingType`).
    AddressCoding {
        /// `encrypted`.
        Encrypted => "encrypted",
        /// `obfuscated`.
        Obfuscated => "obfuscated",
    }
}

open_enum! {
    /// A `DeliverUsing` channel of `PreferredChannels` (REL-6).
    Channel {
        /// `SMS`.
        Sms => "SMS",
        /// `MMS`.
        Mms => "MMS",
        /// `WAPPUSH`.
        WapPush => "WAPPUSH",
    }
}

/// Parses an `xs:boolean` as MM7 peers send it: `true`, `false`, `1`, `0`, with surrounding
/// whitespace; `True`/`FALSE` too, because some MMSCs write them. `None` for anything else.
///
/// ```
/// assert_eq!(mm7_model::parse_bool(" 1 "), Some(true));
/// assert_eq!(mm7_model::parse_bool("False"), Some(false));
/// assert_eq!(mm7_model::parse_bool("yes"), None);
/// ```
pub fn parse_bool(text: &str) -> Option<bool> {
    let t = text.trim();
    if t == "1" || t.eq_ignore_ascii_case("true") {
        Some(true)
    } else if t == "0" || t.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_round_trip() {
        for v in MmStatus::KNOWN {
            let s = MmStatus::parse(v);
            assert!(s.is_known());
            assert_eq!(s.as_str(), *v);
        }
        for v in ContentClass::KNOWN {
            assert_eq!(ContentClass::parse(v).as_str(), *v);
        }
        assert_eq!(MessageClass::parse("Auto"), MessageClass::Auto);
        assert_eq!(Priority::from("High"), Priority::High);
        assert_eq!(ChargedParty::parse("ThirdParty"), ChargedParty::ThirdParty);
        assert_eq!(
            MmStatusExtension::parse("RejectionByOtherRS"),
            MmStatusExtension::RejectionByOtherRs
        );
        assert_eq!(Channel::parse("WAPPUSH"), Channel::WapPush);
        assert_eq!(
            AddressCoding::parse("obfuscated"),
            AddressCoding::Obfuscated
        );
    }

    #[test]
    fn unknown_values_survive() {
        for v in [
            "NotSupported",
            "Unreachable",
            "Unrecognized",
            "retrieved",
            "",
        ] {
            let s = MmStatus::from(v.to_owned());
            assert_eq!(s, MmStatus::Other(v.to_owned()));
            assert_eq!(s.as_str(), v);
            assert!(!s.is_known());
        }
        assert_eq!(MessageClass::parse("personal").as_str(), "personal");
        assert_eq!(Priority::parse("Urgent").to_string(), "Urgent");
    }

    #[test]
    fn booleans() {
        for (t, want) in [
            ("true", Some(true)),
            ("false", Some(false)),
            ("1", Some(true)),
            ("0", Some(false)),
            ("\n true\t", Some(true)),
            ("TRUE", Some(true)),
            ("", None),
            ("2", None),
            ("truee", None),
        ] {
            assert_eq!(parse_bool(t), want, "{t:?}");
        }
    }
}

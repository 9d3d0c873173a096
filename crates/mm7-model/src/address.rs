//! Addresses (`addressType`: `RFC2822Address` | `Number` | `ShortCode`), `Recipients` and
//! `SenderIdentification`.

use crate::enums::AddressCoding;

/// Which element an address is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AddressKind {
    /// `Number`: an MSISDN.
    Number,
    /// `ShortCode`.
    ShortCode,
    /// `RFC2822Address`: an e-mail style address.
    Rfc2822,
}

impl AddressKind {
    /// The element name.
    pub fn element_name(self) -> &'static str {
        match self {
            AddressKind::Number => "Number",
            AddressKind::ShortCode => "ShortCode",
            AddressKind::Rfc2822 => "RFC2822Address",
        }
    }

    /// The kind for an element name (exact, as the schema spells it).
    pub fn from_element_name(name: &str) -> Option<AddressKind> {
        match name {
            "Number" => Some(AddressKind::Number),
            "ShortCode" => Some(AddressKind::ShortCode),
            "RFC2822Address" => Some(AddressKind::Rfc2822),
            _ => None,
        }
    }
}

/// One address, with its attributes.
///
/// The value is kept as received (`+15551234567/TYPE=PLMN` stays so); use
/// [`normalized_number`](Address::normalized_number) to compare numbers.
///
/// ```
/// use mm7_model::Address;
/// let a = Address::number("+15551234567/TYPE=PLMN");
/// assert_eq!(a.value, "+15551234567/TYPE=PLMN");
/// assert_eq!(a.normalized_number(), Some("+15551234567"));
/// assert_eq!(Address::rfc2822("a@example.com").normalized_number(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Address {
    /// Which element.
    pub kind: AddressKind,
    /// The element's text, as received.
    pub value: String,
    /// The `displayOnly` attribute (`None` when absent; the schema default is `false`).
    pub display_only: Option<bool>,
    /// The `addressCoding` attribute (REL-6).
    pub address_coding: Option<AddressCoding>,
}

/// An empty `Number`, to be filled in (a message's default holds one where an address is
/// required).
impl Default for Address {
    fn default() -> Address {
        Address::new(AddressKind::Number, "")
    }
}

impl Address {
    /// An address of the given kind without attributes.
    pub fn new(kind: AddressKind, value: impl Into<String>) -> Address {
        Address {
            kind,
            value: value.into(),
            display_only: None,
            address_coding: None,
        }
    }

    /// A `Number`.
    pub fn number(value: impl Into<String>) -> Address {
        Address::new(AddressKind::Number, value)
    }

    /// A `ShortCode`.
    pub fn short_code(value: impl Into<String>) -> Address {
        Address::new(AddressKind::ShortCode, value)
    }

    /// An `RFC2822Address`.
    pub fn rfc2822(value: impl Into<String>) -> Address {
        Address::new(AddressKind::Rfc2822, value)
    }

    /// Sets `displayOnly`.
    pub fn with_display_only(mut self, display_only: bool) -> Address {
        self.display_only = Some(display_only);
        self
    }

    /// Sets `addressCoding`.
    pub fn with_address_coding(mut self, coding: AddressCoding) -> Address {
        self.address_coding = Some(coding);
        self
    }

    /// Whether the address is only to be displayed, not delivered to.
    pub fn is_display_only(&self) -> bool {
        self.display_only.unwrap_or(false)
    }

    /// The phone number in the value, without the `/TYPE=PLMN` suffix of MMS addressing
    /// (OMA MMS ENC §8; MMSCs copy it into MM7 `Number` and even `RFC2822Address` elements)
    /// and without surrounding whitespace; `None` when what remains is not a number
    /// (an optional `+` then digits; `-`, `.`, spaces and parentheses are tolerated inside).
    pub fn normalized_number(&self) -> Option<&str> {
        let v = self.value.trim();
        let v = match v.rfind('/') {
            Some(i) if v.get(i + 1..)?.eq_ignore_ascii_case("TYPE=PLMN") => v.get(..i)?.trim(),
            _ => v,
        };
        let digits = v.strip_prefix('+').unwrap_or(v);
        let ok = digits.bytes().any(|b| b.is_ascii_digit())
            && digits
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'.' | b' ' | b'(' | b')'));
        ok.then_some(v)
    }
}

/// `Recipients`: the `To`, `Cc` and `Bcc` lists.
///
/// A peer that repeats `<To>` has its lists concatenated in order; encoding writes each
/// non-empty list once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Recipients {
    /// `To`.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "To", default, skip_serializing_if = "Vec::is_empty")
    )]
    pub to: Vec<Address>,
    /// `Cc`.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "Cc", default, skip_serializing_if = "Vec::is_empty")
    )]
    pub cc: Vec<Address>,
    /// `Bcc`.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "Bcc", default, skip_serializing_if = "Vec::is_empty")
    )]
    pub bcc: Vec<Address>,
}

impl Recipients {
    /// Recipients with a single `To` address.
    pub fn to(address: Address) -> Recipients {
        Recipients {
            to: vec![address],
            ..Recipients::default()
        }
    }

    /// Whether there is no address at all.
    pub fn is_empty(&self) -> bool {
        self.to.is_empty() && self.cc.is_empty() && self.bcc.is_empty()
    }

    /// The number of addresses.
    pub fn len(&self) -> usize {
        self.to.len() + self.cc.len() + self.bcc.len()
    }

    /// All addresses: `To`, then `Cc`, then `Bcc`.
    pub fn iter(&self) -> impl Iterator<Item = &Address> {
        self.to.iter().chain(&self.cc).chain(&self.bcc)
    }

    /// All addresses, mutably, in the same order.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Address> {
        self.to
            .iter_mut()
            .chain(self.cc.iter_mut())
            .chain(self.bcc.iter_mut())
    }
}

/// `SenderIdentification`: `VASPID?`, `VASID?`, `SenderAddress?`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct SenderIdentification {
    /// `VASPID`.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "VASPID", default, skip_serializing_if = "Option::is_none")
    )]
    pub vasp_id: Option<String>,
    /// `VASID`.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "VASID", default, skip_serializing_if = "Option::is_none")
    )]
    pub vas_id: Option<String>,
    /// `SenderAddress`.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "SenderAddress",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub sender_address: Option<Address>,
}

impl SenderIdentification {
    /// Whether no child is set (it encodes as an empty element).
    pub fn is_empty(&self) -> bool {
        self.vasp_id.is_none() && self.vas_id.is_none() && self.sender_address.is_none()
    }
}

/// A `UserAgent` of `Previouslysentby`: an address with its `sequence` attribute.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UserAgent {
    /// The address.
    pub address: Address,
    /// The `sequence` attribute.
    pub sequence: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_strips_plmn_suffix_only() {
        let cases = [
            ("+15551234567/TYPE=PLMN", Some("+15551234567")),
            ("15551234567/type=plmn", Some("15551234567")),
            (" 15551234567 ", Some("15551234567")),
            ("+1 (555) 123-4567", Some("+1 (555) 123-4567")),
            ("63901", Some("63901")),
            ("a@example.com", None),
            ("+", None),
            ("", None),
            ("123/TYPE=IPv4", None),
            ("/TYPE=PLMN", None),
        ];
        for (value, want) in cases {
            let a = Address::number(value);
            assert_eq!(a.normalized_number(), want, "{value:?}");
            assert_eq!(a.value, value, "the received value is kept");
        }
        // MMSCs also put MMS-style numbers in RFC2822Address.
        assert_eq!(
            Address::rfc2822("+4512345678/TYPE=PLMN").normalized_number(),
            Some("+4512345678")
        );
    }

    #[test]
    fn kinds_and_attributes() {
        for k in [
            AddressKind::Number,
            AddressKind::ShortCode,
            AddressKind::Rfc2822,
        ] {
            assert_eq!(AddressKind::from_element_name(k.element_name()), Some(k));
        }
        assert_eq!(AddressKind::from_element_name("number"), None);
        let a = Address::short_code("1234").with_display_only(true);
        assert!(a.is_display_only());
        assert!(!Address::number("1").is_display_only());
    }

    #[test]
    fn recipients_iterate_in_order() {
        let r = Recipients {
            to: vec![Address::number("1")],
            cc: vec![Address::number("2")],
            bcc: vec![Address::rfc2822("c@d")],
        };
        let v: Vec<_> = r.iter().map(|a| a.value.as_str()).collect();
        assert_eq!(v, ["1", "2", "c@d"]);
        assert_eq!(r.len(), 3);
        assert!(Recipients::default().is_empty());
    }
}

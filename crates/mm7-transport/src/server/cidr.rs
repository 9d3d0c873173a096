//! CIDR ranges (RFC 4632 for IPv4, RFC 4291 §2.3 for IPv6) for the server's allow-list: an
//! [`ipnet::IpNet`] underneath, with parse errors that carry offsets and IPv4-mapped peers
//! matched as IPv4.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;

/// A range of IP addresses, `192.0.2.0/24` or `2001:db8::/32`; a bare address is a range
/// of one.
///
/// An IPv4 range also matches the IPv4-mapped IPv6 form of its addresses (`::ffff:192.0.2.7`),
/// which is how a dual-stack listener reports IPv4 peers.
///
/// ```
/// use mm7_transport::server::IpRange;
///
/// let range: IpRange = "10.1.0.0/16".parse()?;
/// assert!(range.contains("10.1.200.3".parse().unwrap()));
/// assert!(range.contains("::ffff:10.1.0.1".parse().unwrap()));
/// assert!(!range.contains("10.2.0.1".parse().unwrap()));
/// # Ok::<(), mm7_transport::server::IpRangeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IpRange {
    /// Host bits cleared; an IPv4-mapped IPv6 range kept as the IPv4 range it is.
    net: IpNet,
}

/// A text that is not a CIDR range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid IP range {text:?} at byte {offset}: {reason}")]
pub struct IpRangeError {
    /// The text as given.
    pub text: String,
    /// Byte offset of the part that is wrong (the address, or the prefix length).
    pub offset: usize,
    /// What is wrong.
    pub reason: &'static str,
}

impl IpRange {
    /// A range from an address and a prefix length; the host bits of `address` are cleared.
    ///
    /// # Errors
    /// [`IpRangeError`] when `prefix` is longer than the address (32 for IPv4, 128 for IPv6).
    pub fn new(address: IpAddr, prefix: u8) -> Result<IpRange, IpRangeError> {
        IpNet::new(address, prefix)
            .map(IpRange::from)
            .map_err(|_| IpRangeError {
                text: format!("{address}/{prefix}"),
                offset: address.to_string().len() + 1,
                reason: "prefix length longer than the address",
            })
    }

    /// The range holding `address` alone.
    pub fn single(address: IpAddr) -> IpRange {
        IpRange::from(IpNet::from(address))
    }

    /// The first address of the range.
    pub fn network(&self) -> IpAddr {
        self.net.network()
    }

    /// The prefix length.
    pub fn prefix(&self) -> u8 {
        self.net.prefix_len()
    }

    /// The range as an [`ipnet::IpNet`].
    pub fn as_ipnet(&self) -> IpNet {
        self.net
    }

    /// Whether `address` is in the range.
    pub fn contains(&self, address: IpAddr) -> bool {
        match self.net {
            // `to_canonical` turns an IPv4-mapped IPv6 address back into IPv4.
            IpNet::V4(_) => self.net.contains(&address.to_canonical()),
            IpNet::V6(_) => address.is_ipv6() && self.net.contains(&address),
        }
    }
}

/// Host bits cleared; an IPv4-mapped IPv6 range within `::ffff:0:0/96` kept as the IPv4
/// range it is, so that `contains` compares like with like.
impl From<IpNet> for IpRange {
    fn from(net: IpNet) -> IpRange {
        let net = net.trunc();
        match (net, net.network().to_canonical()) {
            (IpNet::V6(_), v4 @ IpAddr::V4(_)) if net.prefix_len() >= 96 => IpRange {
                // 0..=32 after the subtraction: always a valid IPv4 prefix.
                net: IpNet::new(v4, net.prefix_len() - 96).map_or(net, |n| n.trunc()),
            },
            _ => IpRange { net },
        }
    }
}

fn max_prefix(address: IpAddr) -> u8 {
    match address {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    }
}

impl FromStr for IpRange {
    type Err = IpRangeError;

    fn from_str(text: &str) -> Result<IpRange, IpRangeError> {
        let error = |offset, reason| IpRangeError {
            text: text.to_string(),
            offset,
            reason,
        };
        let trimmed = text.trim();
        let lead = text.len() - text.trim_start().len();
        let (address, prefix) = match trimmed.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (trimmed, None),
        };
        let address: IpAddr = address
            .parse()
            .map_err(|_| error(lead, "not an IP address"))?;
        let Some(prefix) = prefix else {
            return Ok(IpRange::single(address));
        };
        let prefix_offset = lead + trimmed.len() - prefix.len();
        // `u8::from_str` accepts a leading `+`, which no CIDR notation has.
        if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) {
            return Err(error(prefix_offset, "prefix length is not a number"));
        }
        let prefix: u8 = prefix
            .parse()
            .map_err(|_| error(prefix_offset, "prefix length longer than the address"))?;
        if prefix > max_prefix(address) {
            return Err(error(
                prefix_offset,
                "prefix length longer than the address",
            ));
        }
        IpRange::new(address, prefix)
            .map_err(|_| error(prefix_offset, "prefix length longer than the address"))
    }
}

impl fmt::Display for IpRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.net.network(), self.net.prefix_len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ipv4_ranges() {
        let r: IpRange = "192.168.10.77/24".parse().unwrap();
        assert_eq!(r.to_string(), "192.168.10.0/24");
        assert!(r.contains(ip("192.168.10.0")));
        assert!(r.contains(ip("192.168.10.255")));
        assert!(!r.contains(ip("192.168.11.0")));
        assert!(!r.contains(ip("::1")));
        let all: IpRange = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("203.0.113.9")));
        assert!(!all.contains(ip("2001:db8::1")));
        let one: IpRange = "127.0.0.1".parse().unwrap();
        assert_eq!(one.prefix(), 32);
        assert!(one.contains(ip("127.0.0.1")) && !one.contains(ip("127.0.0.2")));
        assert!(one.contains(ip("::ffff:127.0.0.1")));
        let mapped: IpRange = "::ffff:10.0.0.0/104".parse().unwrap();
        assert_eq!(mapped.to_string(), "10.0.0.0/8");
        assert!(mapped.contains(ip("10.9.9.9")) && mapped.contains(ip("::ffff:10.1.1.1")));
        let wide: IpRange = "::/64".parse().unwrap();
        assert!(wide.contains(ip("::ffff:10.1.1.1")) && !wide.contains(ip("10.1.1.1")));
    }

    #[test]
    fn ipv6_ranges() {
        let r: IpRange = " 2001:db8:abcd::/48 ".parse().unwrap();
        assert!(r.contains(ip("2001:db8:abcd:ffff::1")));
        assert!(!r.contains(ip("2001:db8:abce::1")));
        assert!(!r.contains(ip("10.0.0.1")));
        let all: IpRange = "::/0".parse().unwrap();
        assert!(all.contains(ip("::1")));
        assert_eq!("::1".parse::<IpRange>().unwrap().prefix(), 128);
        assert_eq!(
            IpRange::new(ip("fe80::1"), 10).unwrap().network(),
            ip("fe80::")
        );
    }

    #[test]
    fn errors_carry_offsets() {
        let e = "10.0.0.0/33".parse::<IpRange>().unwrap_err();
        assert_eq!(e.offset, 9);
        let e = " 10.0.0.0/+8".parse::<IpRange>().unwrap_err();
        assert_eq!((e.offset, e.reason), (10, "prefix length is not a number"));
        let e = "10.0.0/8".parse::<IpRange>().unwrap_err();
        assert_eq!((e.offset, e.reason), (0, "not an IP address"));
        assert!("::/129".parse::<IpRange>().is_err());
        assert!("::/999".parse::<IpRange>().is_err());
        assert!("10.0.0.0/".parse::<IpRange>().is_err());
        assert!(IpRange::new(ip("10.0.0.0"), 33).is_err());
    }
}

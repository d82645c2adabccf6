//! The client's network address: the peer of the connection, or, when that peer is a trusted
//! reverse proxy, the address the proxies recorded in `X-Forwarded-For`.
//!
//! Without trusted proxies (the default) `X-Forwarded-For` is ignored: anyone can send it, so
//! believing it would let a client pick the address it is throttled under.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

use axum::http::HeaderMap;

/// Most `X-Forwarded-For` entries looked at, from the right; proxy chains are short.
pub const MAX_FORWARDED_HOPS: usize = 16;

/// A network: an address and a prefix length (`10.0.0.0/8`, `2001:db8::/32`, or one address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNetwork {
    address: IpAddr,
    prefix: u8,
}

/// Why a network could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProxyError {
    /// Neither an address nor an address with a prefix length.
    #[error("{0:?} is not an IP address or network (use e.g. 10.0.0.1 or 10.0.0.0/8)")]
    NotANetwork(String),
}

impl FromStr for IpNetwork {
    type Err = ProxyError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let wrong = || ProxyError::NotANetwork(raw.to_owned());
        let (address, prefix) = match raw.trim().split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (raw.trim(), None),
        };
        let address = IpAddr::from_str(address).map_err(|_| wrong())?;
        let max = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(prefix) => prefix.parse::<u8>().map_err(|_| wrong())?,
            None => max,
        };
        if prefix > max {
            return Err(wrong());
        }
        Ok(Self { address, prefix })
    }
}

impl fmt::Display for IpNetwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.address, self.prefix)
    }
}

impl IpNetwork {
    /// Whether `ip` lies in this network (IPv4-mapped IPv6 addresses count as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.address.to_canonical(), ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                same_prefix(&net.octets(), &ip.octets(), self.prefix)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                same_prefix(&net.octets(), &ip.octets(), self.prefix)
            }
            _ => false,
        }
    }
}

fn same_prefix(a: &[u8], b: &[u8], prefix: u8) -> bool {
    let mut bits = usize::from(prefix);
    for (x, y) in a.iter().zip(b) {
        if bits == 0 {
            return true;
        }
        let take = bits.min(8);
        let mask = u8::MAX << (8 - take);
        if (x ^ y) & mask != 0 {
            return false;
        }
        bits -= take;
    }
    true
}

/// The client's address: `peer` itself unless it is in `trusted`; then the rightmost entry of
/// `X-Forwarded-For` that is not a trusted proxy (each proxy appends the address it was
/// connected from). An unreadable entry ends the walk at the proxy that wrote it.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNetwork]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(peer) {
        return peer.to_canonical();
    }
    let mut client = peer;
    let entries = headers
        .get_all("x-forwarded-for")
        .iter()
        .rev()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.rsplit(','))
        .take(MAX_FORWARDED_HOPS);
    for entry in entries {
        let Some(ip) = parse_forwarded(entry) else {
            break;
        };
        client = ip;
        if !is_trusted(ip) {
            break;
        }
    }
    client.to_canonical()
}

fn parse_forwarded(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    IpAddr::from_str(entry)
        .ok()
        .or_else(|| SocketAddr::from_str(entry).ok().map(|s| s.ip()))
}

/// The key a client address is throttled under: the address for IPv4, its /64 network for
/// IPv6 (one subscriber usually holds a whole /64).
pub fn address_key(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            let net = Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
            format!("{net}/64")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use proptest::prelude::*;

    fn nets(raw: &[&str]) -> Vec<IpNetwork> {
        raw.iter().map(|n| n.parse().unwrap()).collect()
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    fn ip(raw: &str) -> IpAddr {
        raw.parse().unwrap()
    }

    #[test]
    fn networks_parse_and_contain() {
        let net: IpNetwork = "10.1.0.0/16".parse().unwrap();
        assert!(net.contains(ip("10.1.200.3")));
        assert!(!net.contains(ip("10.2.0.1")));
        assert!(net.contains(ip("::ffff:10.1.0.9")));
        let one: IpNetwork = "192.0.2.7".parse().unwrap();
        assert!(one.contains(ip("192.0.2.7")) && !one.contains(ip("192.0.2.8")));
        let v6: IpNetwork = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains(ip("2001:db8:1::1")) && !v6.contains(ip("2001:db9::1")));
        assert!(!v6.contains(ip("10.1.0.1")));
        let all: IpNetwork = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("203.0.113.1")));
        for bad in [
            "",
            "10.0.0.0/33",
            "::/129",
            "nonsense",
            "10.0.0.0/x",
            "10.0.0/8",
        ] {
            assert!(bad.parse::<IpNetwork>().is_err(), "{bad}");
        }
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let headers = forwarded(&["198.51.100.9, 203.0.113.5"]);
        // an untrusted peer: the header is anyone's guess
        assert_eq!(client_ip(ip("192.0.2.1"), &headers, &[]), ip("192.0.2.1"));
        assert_eq!(
            client_ip(ip("192.0.2.1"), &headers, &nets(&["10.0.0.0/8"])),
            ip("192.0.2.1")
        );
        // a trusted peer: the rightmost address it did not add itself
        let trusted = nets(&["10.0.0.0/8"]);
        assert_eq!(
            client_ip(ip("10.0.0.2"), &headers, &trusted),
            ip("203.0.113.5")
        );
        // a chain of trusted proxies is walked through; a forged left part is not believed
        let headers = forwarded(&["1.1.1.1, 198.51.100.9", "10.0.0.7"]);
        assert_eq!(
            client_ip(ip("10.0.0.2"), &headers, &trusted),
            ip("198.51.100.9")
        );
        // garbage ends the walk at the proxy that wrote it
        let headers = forwarded(&["198.51.100.9, nonsense, 10.0.0.7"]);
        assert_eq!(
            client_ip(ip("10.0.0.2"), &headers, &trusted),
            ip("10.0.0.7")
        );
        // no header: the proxy itself
        assert_eq!(
            client_ip(ip("10.0.0.2"), &HeaderMap::new(), &trusted),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64() {
        assert_eq!(address_key(ip("192.0.2.1")), "192.0.2.1");
        assert_eq!(address_key(ip("::ffff:192.0.2.1")), "192.0.2.1");
        assert_eq!(
            address_key(ip("2001:db8:1:2:aaaa::1")),
            address_key(ip("2001:db8:1:2:bbbb::2"))
        );
        assert_ne!(
            address_key(ip("2001:db8:1:2::1")),
            address_key(ip("2001:db8:1:3::1"))
        );
    }

    proptest! {
        #[test]
        fn any_header_gives_an_address_without_panicking(value in "[ -~]{0,200}", peer in any::<[u8; 4]>()) {
            let mut headers = HeaderMap::new();
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert("x-forwarded-for", value);
            }
            let peer = IpAddr::from(peer);
            let trusted = nets(&["0.0.0.0/0"]);
            let _ = client_ip(peer, &headers, &trusted);
            prop_assert_eq!(client_ip(peer, &headers, &[]), peer);
        }

        #[test]
        fn a_network_contains_its_own_address(octets in any::<[u8; 16]>(), prefix in 0u8..=128) {
            let address = IpAddr::from(octets);
            let net: IpNetwork = format!("{address}/{prefix}").parse().unwrap();
            prop_assert!(net.contains(address));
        }
    }
}

//! Where webhooks may go: the outbound address policy, free of IO.
//!
//! A webhook is a request the server makes on behalf of a chair, so without a policy it reaches
//! whatever the server can reach: the loopback interface, the database, the cloud metadata
//! service, the office network. [`AddressPolicy::permits`] refuses every address that is not
//! globally routable:
//!
//! - IPv4: `0.0.0.0/8` ("this network", with the unspecified address), `10/8`, `100.64/10`
//!   (carrier-grade NAT), `127/8`, `169.254/16` (link-local, metadata services), `172.16/12`,
//!   `192.0.0/24` (protocol assignments), `192.0.2/24`, `198.51.100/24`, `203.0.113/24`
//!   (documentation), `192.88.99/24` (old 6to4 relays), `192.168/16`, `198.18/15`
//!   (benchmarking), `224/4` (multicast), `240/4` (reserved) and `255.255.255.255`
//!   (broadcast).
//! - IPv6: `::` and `::1`, IPv4-mapped `::ffff:0:0/96` and IPv4-compatible `::/96` (judged by
//!   the IPv4 address inside), NAT64 `64:ff9b::/96` and `64:ff9b:1::/48`, 6to4 `2002::/16`
//!   (judged by the embedded IPv4 address), `100::/64` (discard), `2001:db8::/32`
//!   (documentation), `2001::/23` (protocol assignments, Teredo among them), `fc00::/7`
//!   (unique-local), `fe80::/10` (link-local), `fec0::/10` (old site-local) and `ff00::/8`
//!   (multicast).
//!
//! An administrator who runs a receiver on the internal network allows it with
//! `--webhook-allow-internal`; the policy then permits every address.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The outbound address policy for webhooks. The default refuses internal addresses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AddressPolicy {
    /// Whether internal (loopback, private, link-local, …) receivers are allowed. Default
    /// off; `--webhook-allow-internal` / `POLDER_WEBHOOK_ALLOW_INTERNAL`.
    pub allow_internal: bool,
}

impl AddressPolicy {
    /// The policy that allows internal receivers too.
    pub const ALLOW_INTERNAL: Self = Self {
        allow_internal: true,
    };

    /// Whether a connection to `ip` is allowed.
    pub fn permits(self, ip: IpAddr) -> bool {
        self.allow_internal || is_global(ip)
    }

    /// Whether a URL may be registered as a webhook: an absolute `http`/`https` URL with a
    /// host, without user information, whose host is neither an address the policy refuses nor
    /// a name that always means this machine (`localhost` and its kin). A name is resolved only
    /// when a delivery is made, and the addresses it resolves to are checked then.
    ///
    /// # Errors
    /// [`TargetError`] saying what is wrong, in words fit for the person registering.
    pub fn check_url(self, url: &str) -> Result<reqwest::Url, TargetError> {
        let parsed = reqwest::Url::parse(url).map_err(|_| TargetError::NotHttp)?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(TargetError::NotHttp);
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(TargetError::Credentials);
        }
        let Some(host) = parsed.host_str() else {
            return Err(TargetError::NotHttp);
        };
        match literal_ip(host) {
            Some(ip) => self.check_ip(ip).map(|()| parsed),
            None if !self.allow_internal && is_local_name(host) => Err(TargetError::Internal),
            None => Ok(parsed),
        }
    }

    fn check_ip(self, ip: IpAddr) -> Result<(), TargetError> {
        if self.permits(ip) {
            Ok(())
        } else {
            Err(TargetError::Internal)
        }
    }
}

/// Why a webhook URL is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// Not an absolute `http` or `https` URL with a host.
    #[error("must be an http(s) URL")]
    NotHttp,
    /// The URL carries a user name or password.
    #[error("must not contain a user name or password")]
    Credentials,
    /// The host is an internal address or a name for this machine.
    #[error("must point to a public address (internal addresses are not allowed)")]
    Internal,
}

/// The address of a URL host that is an IP literal (`[…]` for IPv6), as the URL parser
/// normalised it (so `2130706433` and `0x7f.1` are already `127.0.0.1`).
pub fn literal_ip(host: &str) -> Option<IpAddr> {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
        .parse()
        .ok()
}

/// Names that resolve to this machine or the local network whatever DNS says.
pub(super) fn is_local_name(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name == "localhost.localdomain"
        || name == "ip6-localhost"
        || name == "ip6-loopback"
        || name.ends_with(".local")
        || name.ends_with(".internal")
        || name.ends_with(".home.arpa")
}

/// Whether `ip` is globally routable (see the module documentation for the ranges).
pub fn is_global(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_global_v4(v4),
        IpAddr::V6(v6) => is_global_v6(v6),
    }
}

fn in_v4(ip: Ipv4Addr, net: [u8; 4], prefix: u32) -> bool {
    let mask = u32::MAX.checked_shl(32 - prefix).unwrap_or(0);
    u32::from(ip) & mask == u32::from(Ipv4Addr::from(net)) & mask
}

fn is_global_v4(ip: Ipv4Addr) -> bool {
    const REFUSED: [([u8; 4], u32); 16] = [
        ([0, 0, 0, 0], 8),
        ([10, 0, 0, 0], 8),
        ([100, 64, 0, 0], 10),
        ([127, 0, 0, 0], 8),
        ([169, 254, 0, 0], 16),
        ([172, 16, 0, 0], 12),
        ([192, 0, 0, 0], 24),
        ([192, 0, 2, 0], 24),
        ([192, 88, 99, 0], 24),
        ([192, 168, 0, 0], 16),
        ([198, 18, 0, 0], 15),
        ([198, 51, 100, 0], 24),
        ([203, 0, 113, 0], 24),
        ([224, 0, 0, 0], 4),
        ([240, 0, 0, 0], 4),
        ([255, 255, 255, 255], 32),
    ];
    !REFUSED.iter().any(|(net, prefix)| in_v4(ip, *net, *prefix))
}

fn in_v6(ip: Ipv6Addr, net: [u16; 8], prefix: u32) -> bool {
    let mask = u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
    u128::from(ip) & mask == u128::from(Ipv6Addr::from(net)) & mask
}

/// The IPv4 address in the low 32 bits.
fn low_v4(ip: Ipv6Addr) -> Ipv4Addr {
    let [.., a, b] = ip.segments();
    let [a1, a2] = a.to_be_bytes();
    let [b1, b2] = b.to_be_bytes();
    Ipv4Addr::new(a1, a2, b1, b2)
}

fn is_global_v6(ip: Ipv6Addr) -> bool {
    if ip.is_unspecified() || ip.is_loopback() {
        return false;
    }
    // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d): the IPv4 address decides.
    if in_v6(ip, [0, 0, 0, 0, 0, 0xffff, 0, 0], 96) || in_v6(ip, [0; 8], 96) {
        return is_global_v4(low_v4(ip));
    }
    // NAT64: the well-known prefix carries the IPv4 address in its low 32 bits.
    if in_v6(ip, [0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96) {
        return is_global_v4(low_v4(ip));
    }
    // 6to4: 2002:AABB:CCDD::/48 stands for the IPv4 address AA.BB.CC.DD.
    if in_v6(ip, [0x2002, 0, 0, 0, 0, 0, 0, 0], 16) {
        let [_, a, b, ..] = ip.segments();
        let [a1, a2] = a.to_be_bytes();
        let [b1, b2] = b.to_be_bytes();
        return is_global_v4(Ipv4Addr::new(a1, a2, b1, b2));
    }
    const REFUSED: [([u16; 8], u32); 8] = [
        ([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48),
        ([0x100, 0, 0, 0, 0, 0, 0, 0], 64),
        ([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32),
        ([0x2001, 0, 0, 0, 0, 0, 0, 0], 23),
        ([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7),
        ([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10),
        ([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10),
        ([0xff00, 0, 0, 0, 0, 0, 0, 0], 8),
    ];
    !REFUSED.iter().any(|(net, prefix)| in_v6(ip, *net, *prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn ipv4_internal_ranges_are_refused() {
        for refused in [
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "10.255.255.255",
            "100.64.0.1",
            "100.127.255.254",
            "127.0.0.1",
            "127.8.9.10",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "192.88.99.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
        ] {
            assert!(!is_global(ip(refused)), "{refused} must be refused");
            assert!(!AddressPolicy::default().permits(ip(refused)), "{refused}");
            assert!(
                AddressPolicy::ALLOW_INTERNAL.permits(ip(refused)),
                "{refused}"
            );
        }
    }

    #[test]
    fn ipv4_public_addresses_and_range_edges_are_allowed() {
        for allowed in [
            "1.1.1.1",
            "8.8.8.8",
            "9.255.255.255",
            "11.0.0.0",
            "100.63.255.255",
            "100.128.0.0",
            "126.255.255.255",
            "128.0.0.1",
            "169.253.255.255",
            "172.15.255.255",
            "172.32.0.0",
            "192.0.1.1",
            "192.167.255.255",
            "192.169.0.0",
            "198.17.255.255",
            "198.20.0.0",
            "223.255.255.255",
            "145.97.39.155",
        ] {
            assert!(is_global(ip(allowed)), "{allowed} must be allowed");
        }
    }

    #[test]
    fn ipv6_internal_ranges_are_refused() {
        for refused in [
            "::",
            "::1",
            "fe80::1",
            "febf::1",
            "fec0::1",
            "fc00::1",
            "fd12:3456::1",
            "ff02::1",
            "ff05::2",
            "2001:db8::1",
            "2001::1",
            "100::1",
            "64:ff9b:1::1",
        ] {
            assert!(!is_global(ip(refused)), "{refused} must be refused");
        }
    }

    #[test]
    fn ipv6_forms_embedding_ipv4_are_judged_by_the_ipv4_address() {
        for refused in [
            "::ffff:127.0.0.1",
            "::ffff:7f00:1",
            "::ffff:169.254.169.254",
            "::ffff:10.0.0.1",
            "::ffff:0.0.0.0",
            "::127.0.0.1",
            "::10.1.2.3",
            "64:ff9b::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::1",
            "2002:c0a8:101::",
            "2002:a9fe:a9fe::1",
        ] {
            assert!(!is_global(ip(refused)), "{refused} must be refused");
        }
        for allowed in [
            "::ffff:8.8.8.8",
            "64:ff9b::8.8.8.8",
            "2002:808:808::1",
            "2a00:1450:4001:82a::200e",
            "2606:4700:4700::1111",
        ] {
            assert!(is_global(ip(allowed)), "{allowed} must be allowed");
        }
    }

    #[test]
    fn registration_refuses_internal_literals_and_local_names() {
        let policy = AddressPolicy::default();
        for url in [
            "http://127.0.0.1/hook",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]:5432/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://0.0.0.0:8080/",
            "http://10.1.2.3/",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://localhost/hook",
            "http://LOCALHOST./hook",
            "http://api.localhost/hook",
            "http://printer.local/",
            "http://metadata.google.internal/",
        ] {
            assert_eq!(
                policy.check_url(url).err(),
                Some(TargetError::Internal),
                "{url}"
            );
        }
        for url in [
            "ftp://hooks.example/x",
            "geen url",
            "/relatief",
            "file:///etc",
        ] {
            assert_eq!(
                policy.check_url(url).err(),
                Some(TargetError::NotHttp),
                "{url}"
            );
        }
        assert_eq!(
            policy.check_url("https://user:pw@hooks.example/x").err(),
            Some(TargetError::Credentials)
        );
        assert!(policy.check_url("https://hooks.example/x?token=1").is_ok());
        assert!(policy.check_url("http://8.8.8.8:8080/x").is_ok());
        assert!(AddressPolicy::ALLOW_INTERNAL
            .check_url("http://127.0.0.1:9/x")
            .is_ok());
        assert!(AddressPolicy::ALLOW_INTERNAL
            .check_url("http://localhost/x")
            .is_ok());
    }
}

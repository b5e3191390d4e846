//! Which client a request comes from, for counting: the peer's address, or behind a trusted
//! proxy (`--trusted-proxy`) the right-most address of `Forwarded` / `X-Forwarded-For` that is
//! not a trusted proxy itself (what a client writes there comes before its proxy's entry, so it
//! cannot pick its own address). IPv6 clients count per /64, the block one host usually has.

use std::net::{IpAddr, Ipv6Addr};

use axum::http::HeaderMap;

use crate::config::{canonical, Cidr};

/// The address that a request from `peer` counts against.
pub(crate) fn client_key(peer: IpAddr, headers: &HeaderMap, trusted: &[Cidr]) -> IpAddr {
    per_64(client_ip(peer, headers, trusted))
}

/// The client's address: `peer`, or behind trusted proxies the first untrusted hop from the
/// right.
fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[Cidr]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|range| range.contains(ip));
    let mut client = canonical(peer);
    if !is_trusted(client) {
        return client;
    }
    for hop in forwarded_hops(headers).into_iter().rev() {
        // An unreadable hop ("unknown", an obfuscated name) ends the chain at the proxy before.
        let Some(ip) = hop else { break };
        client = canonical(ip);
        if !is_trusted(client) {
            break;
        }
    }
    client
}

/// The hops a request passed, left (the client) to right (the nearest proxy): from `Forwarded`
/// if present (RFC 7239), else from `X-Forwarded-For`.
fn forwarded_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let lines = |name| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect::<Vec<_>>()
    };
    let forwarded = lines("forwarded");
    if !forwarded.is_empty() {
        return forwarded.into_iter().map(forwarded_for).collect();
    }
    lines("x-forwarded-for").into_iter().map(node).collect()
}

/// The `for=` node of one `Forwarded` element.
fn forwarded_for(element: &str) -> Option<IpAddr> {
    element.split(';').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("for")
            .then(|| node(value))?
    })
}

/// An address, perhaps quoted, bracketed or with a port: `192.0.2.1`, `"192.0.2.1:443"`,
/// `"[2001:db8::1]:443"`, `2001:db8::1`.
fn node(text: &str) -> Option<IpAddr> {
    let text = text.trim().trim_matches('"');
    if let Some(v6) = text.strip_prefix('[') {
        return v6.split(']').next()?.parse().ok();
    }
    text.parse()
        .ok()
        .or_else(|| text.rsplit_once(':')?.0.parse().ok())
}

/// IPv6 addresses cut to their /64; IPv4 as it is.
fn per_64(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & (u128::MAX << 64);
            IpAddr::V6(Ipv6Addr::from(bits))
        }
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn forwarded_headers_count_only_from_trusted_proxies() {
        let proxy: Vec<Cidr> = vec!["10.0.0.0/8".parse().unwrap()];
        let xff = headers(&[("x-forwarded-for", "198.51.100.1, 203.0.113.5")]);
        assert_eq!(client_key(ip("10.0.0.2"), &xff, &proxy), ip("203.0.113.5"));
        assert_eq!(client_key(ip("192.0.2.9"), &xff, &proxy), ip("192.0.2.9"));
        assert_eq!(client_key(ip("10.0.0.2"), &xff, &[]), ip("10.0.0.2"));
        // Two proxies in a row: the client is left of both.
        let chain = headers(&[("x-forwarded-for", "203.0.113.5, 10.0.0.7")]);
        assert_eq!(
            client_key(ip("10.0.0.2"), &chain, &proxy),
            ip("203.0.113.5")
        );
        // No header: the proxy itself.
        assert_eq!(
            client_key(ip("10.0.0.2"), &HeaderMap::new(), &proxy),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn forwarded_is_read_before_x_forwarded_for() {
        let proxy: Vec<Cidr> = vec!["10.0.0.1".parse().unwrap()];
        let both = headers(&[
            (
                "forwarded",
                r#"for=192.0.2.60;proto=http, for="[2001:db8:cafe::17]:4711""#,
            ),
            ("x-forwarded-for", "198.51.100.1"),
        ]);
        assert_eq!(
            client_key(ip("10.0.0.1"), &both, &proxy),
            ip("2001:db8:cafe::")
        );
        let port = headers(&[("forwarded", r#"for="192.0.2.43:47011""#)]);
        assert_eq!(client_key(ip("10.0.0.1"), &port, &proxy), ip("192.0.2.43"));
        let unknown = headers(&[("forwarded", "for=unknown")]);
        assert_eq!(client_key(ip("10.0.0.1"), &unknown, &proxy), ip("10.0.0.1"));
    }

    #[test]
    fn ipv6_counts_per_64() {
        assert_eq!(
            client_key(ip("2001:db8:1:2:3:4:5:6"), &HeaderMap::new(), &[]),
            ip("2001:db8:1:2::")
        );
        assert_eq!(
            client_key(ip("::ffff:192.0.2.1"), &HeaderMap::new(), &[]),
            ip("192.0.2.1")
        );
    }
}

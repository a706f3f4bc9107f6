//! The client's address, for rate limits, stream caps, sign-in throttling and the audit trail.
//!
//! Behind our own proxies (`security.trust_forwarded_for`), the address is read from
//! `X-Forwarded-For`, `security.trusted_proxies` entries from the right: each of our proxies appends the
//! address it received the connection from, so the right-most entries are ours and cannot be forged,
//! while a client can put anything on the left.

use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// The client's IP address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// The address `trusted` hops from the right of `X-Forwarded-For`, else the peer.
pub fn client_ip(
    trust: bool,
    trusted: usize,
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
) -> IpAddr {
    if trust
        && let Some(ip) = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect::<Vec<_>>()
            .iter()
            .rev()
            .nth(trusted.max(1) - 1)
            .and_then(|v| v.trim().parse().ok())
    {
        return ip;
    }
    peer.map(|p| p.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
}

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let sec = &state.config.security;
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        Ok(ClientIp(client_ip(
            sec.trust_forwarded_for,
            sec.trusted_proxies,
            &parts.headers,
            peer,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_for_is_read_from_the_right_by_the_number_of_our_proxies() {
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            "6.6.6.6, 10.0.0.1, 10.0.0.2".parse().unwrap(),
        );
        let peer = Some("127.0.0.9:1000".parse().unwrap());
        assert_eq!(client_ip(true, 1, &h, peer).to_string(), "10.0.0.2");
        assert_eq!(client_ip(true, 2, &h, peer).to_string(), "10.0.0.1");
        // Not trusted: the peer, whatever the header says.
        assert_eq!(client_ip(false, 1, &h, peer).to_string(), "127.0.0.9");
        // Fewer entries than proxies: the peer.
        assert_eq!(client_ip(true, 5, &h, peer).to_string(), "127.0.0.9");
    }
}

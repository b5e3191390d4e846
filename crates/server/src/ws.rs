//! The WebSocket endpoint clients keep open to the relay; [`crate::connection`] runs each one.
//! Before the upgrade: the page's `Origin` is checked and the guest is counted against its
//! client address.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::ws::{close_code, CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use hush_protocol::relay::{ErrorCode, ServerFrame, MAX_FRAME};

use crate::client_addr::client_key;
use crate::AppState;

pub(crate) async fn upgrade(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    uri: Uri,
    ws: WebSocketUpgrade,
) -> Response {
    if !origin_allowed(&headers, &uri, &state.allowed_origins) {
        state.metrics.origins_refused.inc();
        return (
            StatusCode::FORBIDDEN,
            "pages of this origin may not open the relay's WebSocket",
        )
            .into_response();
    }
    // Served without connect info (a router in a unit test), there is no address to count.
    let client = peer.map(|Extension(ConnectInfo(addr))| {
        client_key(addr.ip(), &headers, &state.trusted_proxies)
    });
    let pass = match client.map(|client| state.guests.admit(client)) {
        Some(Ok(pass)) => Some(pass),
        Some(Err(why)) => {
            state.metrics.guests_refused.inc();
            return ws.on_upgrade(move |socket| refuse(socket, why));
        }
        None => None,
    };
    let client = client.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let connections = state.connections.clone();
    // tungstenite's default 128 KiB read buffer per socket is most of an idle connection's
    // memory; frames grow it on demand.
    ws.read_buffer_size(4 * 1024)
        .max_message_size(MAX_FRAME)
        .max_frame_size(MAX_FRAME)
        .on_upgrade(move |socket| {
            connections.track_future(crate::connection::run(socket, state, pass, client))
        })
}

/// Tells a refused guest why (a frame the app shows), then closes. An HTTP status before the
/// upgrade would reach no script: browsers hide it.
async fn refuse(mut socket: WebSocket, why: &'static str) {
    let frame = ServerFrame::Error {
        request: 0,
        code: ErrorCode::RateLimited,
        message: why.to_owned(),
    };
    let _ = socket.send(Message::Binary(frame.encode().into())).await;
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code: close_code::AGAIN,
            reason: "try again later".into(),
        })))
        .await;
}

/// Whether the page (if any) that opens the WebSocket may: no `Origin` (a native client), an
/// origin whose host is the request's own, or one listed with `--allowed-origin`. Browsers
/// send `Origin` on every WebSocket, so another site's page cannot use a visitor's browser as
/// a client of this relay.
fn origin_allowed(headers: &HeaderMap, uri: &Uri, allowed: &[String]) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    if allowed
        .iter()
        .any(|a| a.trim_end_matches('/').eq_ignore_ascii_case(origin))
    {
        return true;
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| uri.authority().map(|a| a.as_str()));
    let origin_host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(origin: Option<&str>, host: &str, list: &[&str]) -> bool {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, host.parse().unwrap());
        if let Some(origin) = origin {
            headers.insert(header::ORIGIN, origin.parse().unwrap());
        }
        let list: Vec<String> = list.iter().map(|s| (*s).to_owned()).collect();
        origin_allowed(&headers, &Uri::from_static("/ws"), &list)
    }

    #[test]
    fn only_own_listed_or_absent_origins_may_open_the_websocket() {
        assert!(allowed(None, "hush.example", &[]));
        assert!(allowed(Some("https://hush.example"), "hush.example", &[]));
        assert!(allowed(
            Some("http://127.0.0.1:8080"),
            "127.0.0.1:8080",
            &[]
        ));
        assert!(allowed(
            Some("https://app.example"),
            "relay",
            &["https://app.example/"]
        ));
        assert!(!allowed(Some("https://evil.example"), "hush.example", &[]));
        assert!(!allowed(Some("null"), "hush.example", &[]));
        assert!(!allowed(
            Some("https://hush.example.evil"),
            "hush.example",
            &[]
        ));
        assert!(!allowed(
            Some("http://127.0.0.1:9999"),
            "127.0.0.1:8080",
            &[]
        ));
    }
}

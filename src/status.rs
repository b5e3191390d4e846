//! What the user is told about the link to the relay.

use crate::text;

/// The state of the relay connection, as shown in the `role="status"` element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectionStatus {
    /// A WebSocket is being opened.
    Connecting,
    /// The WebSocket is open.
    Connected,
    /// No WebSocket: waiting before the next attempt (or the browser itself is offline).
    Offline,
}

impl ConnectionStatus {
    /// The exact text shown to people and read by screen readers and tests.
    pub fn label(self) -> &'static str {
        match self {
            Self::Connecting => text::CONNECTING,
            Self::Connected => text::CONNECTED,
            Self::Offline => text::OFFLINE,
        }
    }

    /// A stable lowercase key, used as a styling hook.
    pub fn key(self) -> &'static str {
        match self {
            Self::Connecting => "connecting",
            Self::Connected => "connected",
            Self::Offline => "offline",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ConnectionStatus;

    #[test]
    fn labels_are_the_documented_accessible_texts() {
        assert_eq!(ConnectionStatus::Connecting.label(), "Connecting…");
        assert_eq!(ConnectionStatus::Connected.label(), "Connected");
        assert_eq!(ConnectionStatus::Offline.label(), "Offline");
    }
}

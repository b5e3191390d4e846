//! The frames client and relay exchange over the WebSocket (one binary message each). Same
//! rules as [`crate::wire`]: version byte, type byte, big-endian, every length bounded, strict
//! decoding. The relay sees only these envelopes; payloads are end-to-end encrypted messages.
//!
//! - `limits`: the bounds every frame is checked against.
//! - `auth`: what a device signs to authenticate a connection.
//! - `client_frames` and `server_frames`: the frames of each direction and their encodings.
//! - `fields`: the field encodings both directions share.
//! - `group_order`: the frames by which the relay orders group changes.
//! - `presence_visibility`: the account setting of who sees its presence, and its frames.
//! - `outcomes`: what became of a send, and the relay's error codes.

mod auth;
mod client_frames;
mod fields;
mod group_order;
mod limits;
mod outcomes;
mod presence_visibility;
mod server_frames;
mod visibility_frames;

pub use auth::auth_message;
pub use client_frames::{ClientFrame, OutgoingEnvelope};
pub use group_order::MAX_ORDERED;
pub use limits::{
    LOW_PREKEYS, MAX_ACKS, MAX_ANNOUNCEMENT, MAX_FRAME, MAX_PAYLOAD, MAX_PREKEYS_PER_UPLOAD,
    MAX_PROVISIONING, MAX_PUSH_ENDPOINT, MAX_SUBSCRIPTIONS,
};
pub use outcomes::{ErrorCode, SendOutcome};
pub use presence_visibility::PresenceVisibility;
pub use server_frames::ServerFrame;

pub use crate::devices::MAX_DEVICE_LIST;

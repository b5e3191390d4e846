//! The bounds every relay frame is checked against.

use crate::devices::MAX_DEVICE_LIST;
pub use crate::limits::MAX_PAYLOAD;

/// The largest frame either side sends.
pub const MAX_FRAME: usize = 256 * 1024;
/// One-time prekeys per upload.
pub const MAX_PREKEYS_PER_UPLOAD: usize = 100;
/// Envelope ids per ack.
pub const MAX_ACKS: usize = 1000;
/// Accounts per presence subscription.
pub const MAX_SUBSCRIPTIONS: usize = 256;
/// Below this many one-time prekeys on the relay a device uploads more (the relay says
/// `PreKeysLow` under it, and a device checks it on each connection).
pub const LOW_PREKEYS: u32 = 20;
/// The largest link announcement (`crate::linking::Announcement`).
pub const MAX_ANNOUNCEMENT: usize = 256;
/// The largest sealed provisioning message.
pub const MAX_PROVISIONING: usize = 1024 + MAX_DEVICE_LIST;
/// The longest push endpoint URL.
pub const MAX_PUSH_ENDPOINT: usize = 1024;
/// The longest error text (longer ones are cut when encoded).
pub(super) const MAX_ERROR_TEXT: usize = 256;
/// The largest encoded prekey bundle.
pub(super) const MAX_BUNDLE: usize = 300;

//! hush-client: the messaging engine (accounts, devices, sessions, conversations, outbox and
//! sync) over a [`Store`] and a transport of relay frames, with no DOM: it runs in the browser
//! and natively (tests, load tools, bots).
//!
//! The engine is sans-IO: the caller feeds it the relay's frames ([`Engine::handle`]) and the
//! user's actions ([`Engine::send_text`]), and sends the frames it returns. Every step that
//! changes state writes one [`Changes`] batch in one store transaction *before* any frame that
//! depends on it leaves: a ratchet step is on disk before its ciphertext is sent, and a received
//! message is on disk before the relay hears the ack.
//!
//! - [`model`]: messages, statuses, chats, the outbox, pinned lists and groups.
//! - [`store`]: the [`Store`] trait, [`Changes`] and the record encodings (with the
//!   `testing` feature: the memory store and the conformance suite every store passes).
//! - [`error`]: why a step failed, by concern.
//! - [`content`]: what travels inside an encrypted message.

mod account;
pub mod content;
pub mod devices;
mod engine;
pub mod error;
pub mod history;
#[cfg(any(test, feature = "testing"))]
pub mod loopback;
pub mod model;
pub mod notices;
pub mod search;
pub mod store;

pub use account::LocalAccount;
pub use engine::{
    forward_media, ChatAction, Engine, Event, ForwardMedia, Forwarded, Output, FORWARD_AS_IS_MS,
    MAX_FORWARD_CHATS,
};
pub use error::EngineError;
pub use hush_protocol::Username;
pub use model::{
    ChatId, ChatMessage, ChatSummary, ContactProfile, GroupId, GroupLine, GroupRecord, Kind,
    MessageId, OutboxEntry, PinnedDevices, Status, UPDATE_NEEDED, UPDATE_TO_SEE,
};
pub use store::{Changes, Store, StoreError};

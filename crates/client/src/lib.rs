//! hush-client: the messaging engine (accounts, devices, sessions, conversations, outbox and
//! sync) over a [`Store`] and a transport of relay frames, with no DOM: it runs in the browser
//! and natively (tests, load tools, bots).
//!
//! The engine is sans-IO: the caller feeds it the relay's frames ([`Engine::handle`]) and the
//! user's actions ([`Engine::send_text`]), and sends the frames it returns. Every step that
//! changes state writes one [`Changes`] batch in one store transaction *before* any frame that
//! depends on it leaves: a ratchet step is on disk before its ciphertext is sent, and a received
//! message is on disk before the relay hears the ack.

mod account;
pub mod content;
pub mod devices;
mod engine;
pub mod history;
pub mod loopback;
pub mod notices;
pub mod store;

pub use account::LocalAccount;
pub use engine::{Engine, EngineError, Event, Output};
pub use store::{
    group_chat, group_id, Changes, ChatMessage, ChatSummary, GroupLine, GroupRecord, Kind,
    MessageId, OutboxEntry, PinnedDevices, Status, Store, StoreError,
};

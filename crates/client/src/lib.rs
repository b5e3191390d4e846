//! hush-client: the messaging engine (accounts, devices, sessions, conversations, outbox, sync)
//! over a `Store` trait and a transport of frames, with no DOM: it runs in the browser and
//! natively (tests, load tools, bots).
//!
//! The engine is tracked by its own issue; this crate fixes its place in the workspace.

pub use hush_protocol::WIRE_VERSION;

//! The IndexedDB schema: every object store's name in one place, and one function per schema
//! version. rexie creates what a version adds when the browser's copy is older; a version that
//! changes data rather than adding stores gets its own function here.

use rexie::{Index, ObjectStore, Rexie, RexieBuilder};

/// The current schema version.
pub(crate) const VERSION: u32 = 2;

/// This device's account (one record, key [`ACCOUNT_KEY`]): encoded, secrets included.
pub(crate) const ACCOUNT: &str = "account";
pub(crate) const ACCOUNT_KEY: &str = "self";
/// Session records, key `[account, device]`.
pub(crate) const SESSIONS: &str = "sessions";
/// One-time prekeys not used yet, key: prekey id.
pub(crate) const PREKEYS: &str = "prekeys";
/// Messages `{id, chat, seq, bytes}` by id (hex), indexed by chat and arrival.
pub(crate) const MESSAGES: &str = "messages";
pub(crate) const MESSAGES_BY_CHAT: &str = "by_chat";
/// The outbox `{id, seq, bytes}` by id (hex), indexed by arrival.
pub(crate) const OUTBOX: &str = "outbox";
pub(crate) const OUTBOX_BY_SEQ: &str = "by_seq";
/// Counters (key `next_seq`: the arrival order of messages and outbox entries).
pub(crate) const META: &str = "meta";
pub(crate) const NEXT_SEQ: &str = "next_seq";
/// Contacts' verified identity keys (64 bytes), key: account name. Since version 2.
pub(crate) const VERIFIED: &str = "verified";

/// Every store, for transactions that write them all.
pub(crate) const ALL: [&str; 7] = [ACCOUNT, SESSIONS, PREKEYS, MESSAGES, OUTBOX, META, VERIFIED];

/// Version 1: the first schema.
fn v1(builder: RexieBuilder) -> RexieBuilder {
    builder
        .add_object_store(ObjectStore::new(ACCOUNT))
        .add_object_store(ObjectStore::new(SESSIONS))
        .add_object_store(ObjectStore::new(PREKEYS))
        .add_object_store(
            ObjectStore::new(MESSAGES)
                .key_path("id")
                .add_index(Index::new_array(MESSAGES_BY_CHAT, ["chat", "seq"])),
        )
        .add_object_store(
            ObjectStore::new(OUTBOX)
                .key_path("id")
                .add_index(Index::new(OUTBOX_BY_SEQ, "seq")),
        )
        .add_object_store(ObjectStore::new(META))
}

/// Version 2: verified contacts (safety numbers compared).
fn v2(builder: RexieBuilder) -> RexieBuilder {
    builder.add_object_store(ObjectStore::new(VERIFIED))
}

/// Opens (creating or upgrading) the database `name`.
pub(crate) async fn open(name: &str) -> rexie::Result<Rexie> {
    v2(v1(Rexie::builder(name).version(VERSION))).build().await
}

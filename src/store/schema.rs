//! The IndexedDB schema: every object store's name in one place, and one function per schema
//! version. rexie creates what a version adds when the browser's copy is older; a version that
//! changes data rather than adding stores gets its own function here.

use rexie::{Index, ObjectStore, Rexie, RexieBuilder};

/// The current schema version.
pub(crate) const VERSION: u32 = 7;

/// This device's account (one record, key [`ACCOUNT_KEY`]): encoded, secrets included.
pub(crate) const ACCOUNT: &str = "account";
pub(crate) const ACCOUNT_KEY: &str = "self";
/// Session records, key `[account, device]`.
pub(crate) const SESSIONS: &str = "sessions";
/// One-time prekeys not used yet, key: prekey id.
pub(crate) const PREKEYS: &str = "prekeys";
/// Messages `{id, chat, seq, bytes, unread?}` by id (hex), indexed by chat and arrival.
pub(crate) const MESSAGES: &str = "messages";
pub(crate) const MESSAGES_BY_CHAT: &str = "by_chat";
/// Since version 3: the chat of a message still unread, a field only unread messages have, so
/// this index holds nothing else (counting a chat's unread messages never reads the chat).
pub(crate) const UNREAD: &str = "unread";
pub(crate) const MESSAGES_UNREAD: &str = "unread";
/// The outbox `{id, seq, bytes}` by id (hex), indexed by arrival.
pub(crate) const OUTBOX: &str = "outbox";
pub(crate) const OUTBOX_BY_SEQ: &str = "by_seq";
/// Counters (key `next_seq`: the arrival order of messages and outbox entries; key
/// `data_version`: the newest version whose data migration ran).
pub(crate) const META: &str = "meta";
pub(crate) const NEXT_SEQ: &str = "next_seq";
pub(crate) const DATA_VERSION: &str = "data_version";
/// Since version 3: each chat's newest message `{seq, id}`, key: the chat (the chat list
/// without reading every message).
pub(crate) const CHATS: &str = "chats";
/// Since version 4: contacts' display names (strings), key: account name.
pub(crate) const NAMES: &str = "names";
/// Since version 5: chats muted on this device (value `true`), key: the chat.
pub(crate) const MUTED: &str = "muted";
/// Since version 6: contacts' pinned account keys and device lists (encoded
/// `PinnedDevices`), key: account name.
pub(crate) const PINNED: &str = "pinned_devices";
/// Since version 7: groups (encoded `GroupRecord`, keys included), key: the group chat name.
pub(crate) const GROUPS: &str = "groups";
/// Contacts' verified identity keys (64 bytes), key: account name. Since version 2.
pub(crate) const VERIFIED: &str = "verified";

/// Every store, for transactions that write them all.
pub(crate) const ALL: [&str; 12] = [
    ACCOUNT, SESSIONS, PREKEYS, MESSAGES, OUTBOX, META, VERIFIED, CHATS, NAMES, MUTED, PINNED,
    GROUPS,
];

/// The messages store as of version 1.
fn messages_v1() -> ObjectStore {
    ObjectStore::new(MESSAGES)
        .key_path("id")
        .add_index(Index::new_array(MESSAGES_BY_CHAT, ["chat", "seq"]))
}

/// Version 1: the first schema.
fn v1(builder: RexieBuilder) -> RexieBuilder {
    builder
        .add_object_store(ObjectStore::new(ACCOUNT))
        .add_object_store(ObjectStore::new(SESSIONS))
        .add_object_store(ObjectStore::new(PREKEYS))
        .add_object_store(messages_v1())
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

/// Version 3: the chat list and unread counts kept up to date, not computed from every
/// message. Messages stored before it get their `unread` field and chats their record from
/// [`super::migrate_v3`], run after opening.
fn v3(builder: RexieBuilder) -> RexieBuilder {
    // Re-adding a store replaces its definition: the index is added to the existing store.
    builder
        .add_object_store(messages_v1().add_index(Index::new(MESSAGES_UNREAD, UNREAD)))
        .add_object_store(ObjectStore::new(CHATS))
}

/// Version 4: contacts' display names.
fn v4(builder: RexieBuilder) -> RexieBuilder {
    builder.add_object_store(ObjectStore::new(NAMES))
}

/// Version 5: muted chats (they never notify).
fn v5(builder: RexieBuilder) -> RexieBuilder {
    builder.add_object_store(ObjectStore::new(MUTED))
}

/// Version 6: contacts' pinned account keys and device lists.
fn v6(builder: RexieBuilder) -> RexieBuilder {
    builder.add_object_store(ObjectStore::new(PINNED))
}

/// Version 7: groups.
fn v7(builder: RexieBuilder) -> RexieBuilder {
    builder.add_object_store(ObjectStore::new(GROUPS))
}

/// Opens (creating or upgrading) the database `name`.
pub(crate) async fn open(name: &str) -> rexie::Result<Rexie> {
    v7(v6(v5(v4(v3(v2(
        v1(Rexie::builder(name).version(VERSION)),
    ))))))
    .build()
    .await
}

//! The IndexedDB schema: the database's name and version, and every object store's, index's
//! and fixed key's name in one place. How each version came about is in `migrations/`.

/// This browser's Hush database (the tabs and the service worker open the same one).
pub const DATABASE: &str = "hush";

/// The current schema version.
pub const VERSION: u32 = 13;

/// This device's account (one record, key [`ACCOUNT_KEY`]): encoded, secrets included.
pub const ACCOUNT: &str = "account";
/// The account record's key.
pub const ACCOUNT_KEY: &str = "self";
/// Session records, key `[account, device]`.
pub const SESSIONS: &str = "sessions";
/// One-time prekeys not used yet, key: prekey id.
pub const PREKEYS: &str = "prekeys";
/// Messages `{id, chat, seq, bytes, unread?}` by id (hex), indexed by chat and arrival.
pub const MESSAGES: &str = "messages";
/// The messages' index by `[chat, seq]`: a chat's pages in arrival order.
pub const MESSAGES_BY_CHAT: &str = "by_chat";
/// Since version 3: the chat of a message still unread, a field only unread messages have, so
/// this index holds nothing else (counting a chat's unread messages never reads the chat).
pub const UNREAD: &str = "unread";
/// The messages' index on [`UNREAD`].
pub const MESSAGES_UNREAD: &str = "unread";
/// The outbox `{id, seq, bytes}` by id (hex), indexed by arrival.
pub const OUTBOX: &str = "outbox";
/// The outbox's index by `seq`: entries in the order they were written.
pub const OUTBOX_BY_SEQ: &str = "by_seq";
/// Counters: [`NEXT_SEQ`] and [`DATA_VERSION`].
pub const META: &str = "meta";
/// The arrival order of messages and outbox entries: the last place handed out.
pub const NEXT_SEQ: &str = "next_seq";
/// The newest version whose data migration ran.
pub const DATA_VERSION: &str = "data_version";
/// Since version 3: each chat's newest message `{seq, id}`, key: the chat (the chat list
/// without reading every message).
pub const CHATS: &str = "chats";
/// Since version 4: contacts' display names (strings), key: account name.
pub const NAMES: &str = "names";
/// Since version 13: contacts' About lines and photos (encoded `ContactProfile`, the photo's
/// key included), key: account name.
pub const PROFILES: &str = "profiles";
/// Since version 5: chats muted on this device (value `true`), key: the chat.
pub const MUTED: &str = "muted";
/// Since version 6: contacts' pinned account keys and device lists (encoded
/// `PinnedDevices`), key: account name.
pub const PINNED: &str = "pinned_devices";
/// Since version 7: groups (encoded `GroupRecord`, keys included), key: the group chat name.
pub const GROUPS: &str = "groups";
/// Since version 8: each chat's disappearing-message timer (encoded `ChatTimer`), key: the
/// chat.
pub const TIMERS: &str = "timers";
/// Since version 8: when a message disappears (ms), a field only messages with a timer have.
pub const EXPIRES: &str = "expires";
/// The messages' index on [`EXPIRES`]: what ran out, without reading every message.
pub const MESSAGES_EXPIRES: &str = "expires";
/// Since version 8: on a starred message (a field only those have), its time (ms), so the
/// index lists the newest first; written as `1` before that (`migrations::star_times`).
pub const STARRED: &str = "starred";
/// The messages' index on [`STARRED`]: the "Starred messages" list without reading every
/// message.
pub const MESSAGES_STARRED: &str = "starred";
/// Since version 12 (replacing version 11's `terms` store, one record per term of a message):
/// the search index, one record `{seq, id, chat, terms}` per message with a
/// term, key: `seq`, its place in arrival order (the message's), written in the same
/// transaction as the message.
pub const SEARCH: &str = "search";
/// The search index's index on its records' `terms` (multi-entry: one entry per term), so a
/// term's keys are the places of the messages it is in.
pub const SEARCH_BY_TERM: &str = "by_term";
/// The field of [`SEARCH`] records [`SEARCH_BY_TERM`] indexes.
pub const SEARCH_TERMS: &str = "terms";
/// Since version 9: each chat's place in the chat list (encoded `ChatState`: pinned,
/// archived, marked unread, cleared, deleted), key: the chat.
pub const CHAT_STATES: &str = "chat_states";
/// Contacts' verified identity keys (64 bytes), key: account name. Since version 2.
pub const VERIFIED: &str = "verified";

/// Every store, for transactions that write them all.
pub const ALL: [&str; 16] = [
    ACCOUNT,
    SESSIONS,
    PREKEYS,
    MESSAGES,
    OUTBOX,
    META,
    VERIFIED,
    CHATS,
    NAMES,
    PROFILES,
    MUTED,
    PINNED,
    GROUPS,
    TIMERS,
    SEARCH,
    CHAT_STATES,
];

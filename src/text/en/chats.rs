//! The chat list: its rows, a chat's actions, search over every chat, and starred messages.

// ui/chat_actions.rs
pub const PIN_CHAT: &str = "Pin chat";
pub const UNPIN_CHAT: &str = "Unpin chat";
pub const ARCHIVE_CHAT: &str = "Archive chat";
pub const UNARCHIVE_CHAT: &str = "Unarchive chat";
pub const MARK_AS_UNREAD: &str = "Mark as unread";
pub const MARK_AS_READ: &str = "Mark as read";
pub const CLEAR_CHAT: &str = "Clear chat";
pub const DELETE_CHAT: &str = "Delete chat";
pub const CHAT_ACTIONS: &str = "Chat actions";
pub const DELETE_THIS_CHAT: &str = "Delete this chat?";
pub const CLEAR_THIS_CHAT: &str = "Clear this chat?";
pub const DELETE_CHAT_EXPLAINED: &str = "Its messages and the chat go from this account's devices.";
pub const CLEAR_CHAT_EXPLAINED: &str =
    "Its messages go from this account's devices; the chat stays.";

// ui/chats.rs
pub const ARCHIVED: &str = "Archived";
pub const ARCHIVED_CHATS: &str = "Archived chats";
pub const STORAGE_NOT_PERSISTENT: &str = "This browser may clear Hush's data when space runs low. Installing Hush or allowing storage keeps it.";
pub const START_CHAT: &str = "Start chat";
pub const PINNED: &str = "Pinned";
pub const MARKED_UNREAD: &str = "Marked unread";

// ui/search.rs
pub const ALL_CHATS: &str = "All chats";
pub const SEARCH_RESULTS: &str = "Search results";
pub const NOTHING_FOUND: &str = "No chats or messages found.";
pub const MORE_RESULTS_HINT: &str = "Showing the newest matches: type more to narrow the search.";

// ui/starred.rs
pub const NO_STARRED_MESSAGES_YET: &str = "No starred messages yet.";

/// The name of a chat row's unread count.
pub fn unread_in_chat(unread: u32) -> String {
    format!("{unread} unread")
}

// unread.rs
/// The divider above the first unread message of a chat.
pub fn unread_messages(count: u32) -> String {
    match count {
        1 => "1 unread message".to_owned(),
        n => format!("{n} unread messages"),
    }
}

//! Texts several areas share: the same words, said the same way.

pub const SEARCH_MESSAGES: &str = "Search messages";
pub const NEW_CHAT: &str = "New chat";
pub const CANCEL: &str = "Cancel";
pub const CHATS: &str = "Chats";
pub const BACK_TO_CHATS: &str = "Back to chats";
pub const USERNAME: &str = "Username";
pub const LINKED_DEVICES: &str = "Linked devices";
pub const RENAME: &str = "Rename";
pub const YOU: &str = "You";
pub const CHAT: &str = "Chat";
pub const KEYBOARD_SHORTCUTS: &str = "Keyboard shortcuts";
pub const STARRED_MESSAGES: &str = "Starred messages";
pub const STARRED: &str = "Starred";
pub const PROFILE: &str = "Profile";
pub const SETTINGS: &str = "Settings";
pub const ABOUT: &str = "About";
pub const MESSAGES: &str = "Messages";
pub const MEDIA: &str = "Media";
pub const REPLY: &str = "Reply";
pub const CLOSE: &str = "Close";

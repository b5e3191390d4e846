//! Keyboard shortcuts: the keys as shown, what each does, and the dialog listing them.

// shortcuts.rs
pub const SEARCH_KEYS: &str = "Ctrl+K";
pub const NEW_CHAT_KEYS: &str = "Ctrl+Alt+N";
pub const PREVIOUS_CHAT_KEYS: &str = "Alt+↑";
pub const PREVIOUS_CHAT: &str = "Previous chat";
pub const NEXT_CHAT_KEYS: &str = "Alt+↓";
pub const NEXT_CHAT: &str = "Next chat";
pub const MARK_UNREAD_KEYS: &str = "Ctrl+Alt+Shift+U";
pub const MARK_OPEN_CHAT_UNREAD: &str = "Mark the open chat as unread";
pub const HELP_KEYS: &str = "Ctrl+/";
pub const SHOW_THESE_SHORTCUTS: &str = "Show these shortcuts";
pub const CLOSE_KEYS: &str = "Escape";
pub const CLOSE_PANEL_OR_MENU: &str = "Close a panel or menu";
pub const NEW_LINE_KEYS: &str = "Shift+Enter";
pub const NEW_LINE_IN_MESSAGE: &str = "New line in a message (Ctrl+Enter sends)";

// ui/shortcuts.rs
pub const KEYS: &str = "Keys";
pub const DOES: &str = "Does";
pub const CLOSE_SHORTCUTS: &str = "Close shortcuts";

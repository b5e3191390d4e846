//! The app around the screens: its name, the one-tab notice, the top bar and its menu.

// app.rs
pub const APP_NAME: &str = "Hush";
pub const OPENING_HUSH: &str = "Opening Hush…";
pub const OPEN_IN_ANOTHER_TAB: &str = "Hush is open in another tab";
pub const ONE_TAB_AT_A_TIME: &str =
    "Only one tab can use Hush at a time, so messages are never handled twice.";
pub const USE_HERE: &str = "Use here";

// ui/pwa.rs: InstallButton
pub const INSTALL_HUSH: &str = "Install Hush";

// ui/pwa.rs: UpdateBanner
pub const UPDATE_AVAILABLE: &str = "Update available";
pub const RELOAD: &str = "Reload";

// platform/preferences.rs (keep_notice_texts): what the service worker writes in a
// notification when it may not show a message's words.
pub const NEW_MESSAGE: &str = "New message";
/// `{count}` is replaced by the service worker with the number of messages.
pub const NEW_MESSAGES: &str = "{count} new messages";

// ui/shell/menu.rs
pub const NEW_GROUP: &str = "New group";
pub const MENU: &str = "Menu";

// platform/badge.rs
/// The tab's title with `unread` messages (the bare [`APP_NAME`] at none).
pub fn title_with_unread(unread: u32) -> String {
    format!("({unread}) Hush")
}

//! The app around the screens: its name, the one-tab notice, the top bar and its menu.

// app.rs
pub const APP_NAME: &str = "Hush";
pub const OPENING_HUSH: &str = "Opening Hush…";
pub const OPEN_IN_ANOTHER_TAB: &str = "Hush is open in another tab";
pub const ONE_TAB_AT_A_TIME: &str =
    "Only one tab can use Hush at a time, so messages are never handled twice.";
pub const USE_HERE: &str = "Use here";

// ui/shell/menu.rs
pub const NEW_GROUP: &str = "New group";
pub const MENU: &str = "Menu";

// platform/badge.rs
/// The tab's title with `unread` messages (the bare [`APP_NAME`] at none).
pub fn title_with_unread(unread: u32) -> String {
    format!("({unread}) Hush")
}

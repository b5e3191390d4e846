//! Settings: profile, privacy, notifications, chats, storage, about and the account.

// ui/notify_switch.rs
pub const NOTIFICATIONS: &str = "Notifications";

// ui/settings/account.rs
pub const DELETE_MY_ACCOUNT: &str = "Delete my account";
pub const DELETE_ACCOUNT_NOTE: &str =
    "Deletes the account on every device, with its messages here. Nobody can take its name.";
pub const DELETE_ACCOUNT_WARNING: &str =
    "Your contacts will see it was deleted. Your linked devices, chats and media on \
                 this relay and in this browser go, for good.";
pub const DELETING: &str = "Deleting…";
pub const DELETE_ACCOUNT: &str = "Delete account";

// ui/settings/chats.rs
pub const SYSTEM: &str = "System";
pub const LIGHT: &str = "Light";
pub const DARK: &str = "Dark";
pub const THEME: &str = "Theme";
pub const ENTER_SENDS: &str = "Enter sends";
pub const ENTER_SENDS_OFF_NOTE: &str = "Off: Enter starts a new line, and Ctrl+Enter sends.";
pub const DEFAULT_MESSAGE_TIMER: &str = "Default message timer";
pub const DEFAULT_TIMER_NOTE: &str = "New chats you start get this timer.";

// ui/settings/mod.rs
pub const PRIVACY: &str = "Privacy";
pub const STORAGE: &str = "Storage";
pub const ACCOUNT: &str = "Account";
pub const BUILD_LABEL: &str = "Build ";

// ui/settings/notices.rs
pub const MESSAGE_PREVIEW: &str = "Message preview";
pub const MESSAGE_PREVIEW_OFF_NOTE: &str = "Off: notifications say “New message”.";
pub const NOTIFICATION_SOUND: &str = "Notification sound";

// ui/settings/privacy.rs
pub const LAST_SEEN_AND_ONLINE: &str = "Last seen and online";
pub const EVERYONE: &str = "Everyone";
pub const NOBODY: &str = "Nobody";
pub const LAST_SEEN_NOBODY_NOTE: &str = "Nobody: no one sees yours, and you see no one's.";
pub const READ_RECEIPTS: &str = "Read receipts";
pub const READ_RECEIPTS_OFF_NOTE: &str =
    "Off: no one sees when you read their messages, and you see no one's.";

// ui/settings/profile.rs
pub const DISPLAY_NAME: &str = "Display name";
pub const SAVE_NAME: &str = "Save name";
pub const DISPLAY_NAME_NOTE: &str = "Contacts see this name; left empty, your username.";
pub const ABOUT_PLACEHOLDER: &str = "Say something about yourself";
pub const SAVE_ABOUT: &str = "Save about";
pub const CHANGE_PHOTO: &str = "Change photo";
pub const REMOVE_PHOTO: &str = "Remove photo";
pub const PHOTO_FILE: &str = "Photo file";
pub const PHOTO_NOTE: &str = "Only your contacts can see it: it is encrypted for them.";

// ui/settings/storage.rs
pub const MEDIA_SIZE_UNKNOWN: &str = "Media on this device: unknown";
pub const DOWNLOAD_AUTOMATICALLY: &str = "Download automatically";
pub const PHOTOS: &str = "Photos";
pub const VOICE_NOTES: &str = "Voice notes";
pub const VIDEOS_AND_FILES: &str = "Videos and files up to 16 MB";
pub const CLEAR_MEDIA: &str = "Clear media";
pub const STORAGE_PER_CHAT: &str = "Storage per chat";
pub const CLEAR: &str = "Clear";

// platform/push.rs
pub const NOTIFICATIONS_UNAVAILABLE: &str = "This browser cannot show Hush notifications.";
pub const NOTIFICATIONS_BLOCKED: &str =
    "Notifications are blocked for Hush in this browser's site settings.";
pub const NOTIFICATIONS_NOT_ALLOWED: &str =
    "Notifications stay off: the browser was not allowed to show them.";
pub const PUSH_SUBSCRIBE_FAILED: &str =
    "This browser could not subscribe to push messages: Hush cannot notify here.";
pub const NO_PUSH_SUBSCRIPTION: &str = "The browser gave no usable push subscription.";
pub const NOTIFICATIONS_FAILED: &str = "Notifications could not be turned on.";

// runner/profile.rs
pub const NOT_A_PHOTO: &str = "That file is not a photo Hush can show.";
pub const PHOTO_UNREADABLE: &str = "Hush could not read that photo.";
pub const PHOTO_UPLOAD_FAILED: &str = "Your photo could not be uploaded. Try again.";

/// How much media this device keeps, `size` as [`crate::size::readable`] says it.
pub fn media_on_this_device(size: &str) -> String {
    format!("Media on this device: {size}")
}

/// The name of the button clearing one chat's media.
pub fn clear_media_of(name: &str) -> String {
    format!("Clear media of {name}")
}

/// A control's name `label` again, told apart as the `nth` of that name on the screen.
pub fn nth_of_name(label: &str, nth: usize) -> String {
    format!("{label} ({nth})")
}

/// The same, when two chats show one name: the username tells them apart.
pub fn clear_media_of_account(name: &str, account: &str) -> String {
    format!("Clear media of {name} ({account})")
}

/// The title of the dialog confirming the account `name`'s deletion.
pub fn delete_the_account(name: &str) -> String {
    format!("Delete the account {name}?")
}

/// Which Hush this is, `version` being its version number.
pub fn hush_version(version: &str) -> String {
    format!("Hush {version}")
}

//! This device's own choices in Settings (not the account's: a linked device makes its own),
//! as the app holds them; `platform/preferences.rs` keeps them in the browser.

/// What downloads by itself when it arrives (this device's choice). The rest downloads on
/// click.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AutoDownload {
    pub(crate) photos: bool,
    pub(crate) voice_notes: bool,
    /// Videos and other files, up to 16 MiB.
    pub(crate) videos_and_files: bool,
}

impl Default for AutoDownload {
    fn default() -> Self {
        Self {
            photos: true,
            voice_notes: true,
            videos_and_files: true,
        }
    }
}

/// How notifications look on this device (Settings' `Message preview` and `Notification
/// sound`); the service worker reads it too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NoticeStyle {
    /// The message's words in the notification (off: "New message").
    pub(crate) preview: bool,
    /// A sound (off: silent).
    pub(crate) sound: bool,
}

impl Default for NoticeStyle {
    fn default() -> Self {
        Self {
            preview: true,
            sound: true,
        }
    }
}

/// How Hush looks on this device: as the system says, or always light or dark.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    pub(crate) const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    /// The name it is kept (and offered) under.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// The theme kept as `name`; the system's for anything else.
    pub(crate) fn from_name(name: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|t| t.name() == name)
            .unwrap_or_default()
    }
}

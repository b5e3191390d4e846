//! The sidebar's frame: its header (Profile, New chat, Menu) and the panels they open.

mod head;
mod menu;

pub(crate) use head::SidebarHead;

use leptos::prelude::*;

/// What the sidebar's header and Menu open above the chat list.
#[derive(Clone, Copy)]
pub(crate) struct Panels {
    /// "New chat": the username form.
    pub(crate) adding: RwSignal<bool>,
    /// "New group": the group form.
    pub(crate) grouping: RwSignal<bool>,
    /// "Linked devices".
    pub(crate) devices: RwSignal<bool>,
    /// The `Settings` dialog (Profile opens it too).
    pub(crate) settings: RwSignal<bool>,
    /// "Starred messages".
    pub(crate) starred: RwSignal<bool>,
    /// "Keyboard shortcuts".
    pub(crate) shortcuts: RwSignal<bool>,
}

impl Panels {
    /// All closed, but Linked devices when `devices` (a link code in the URL).
    pub(crate) fn new(devices: bool) -> Self {
        Self {
            adding: RwSignal::new(false),
            grouping: RwSignal::new(false),
            devices: RwSignal::new(devices),
            settings: RwSignal::new(false),
            starred: RwSignal::new(false),
            shortcuts: RwSignal::new(false),
        }
    }
}

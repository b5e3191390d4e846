//! Opening a message's menu from the message itself: right-click (and a long press on a touch
//! screen, which the browser, or the page's glue where it does not, turns into a
//! `contextmenu` event), and Shift+F10 or the context-menu key while focus is in it. The
//! menu opens as if its button were pressed, so Escape gives focus back to the button.

use leptos::ev::{KeyboardEvent, MouseEvent};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::menu_keys::{self, MenuRef};

/// A message's `Message actions` button and menu, for the row to open and close.
#[derive(Clone, Copy)]
pub(crate) struct Opener {
    pub(crate) button: NodeRef<leptos::html::Button>,
    pub(crate) menu: MenuRef,
}

impl Opener {
    pub(crate) fn new() -> Self {
        Self {
            button: NodeRef::new(),
            menu: MenuRef::new(),
        }
    }

    /// Focuses the button (if it is still on the page: this may run a frame later).
    pub(crate) fn focus_button(self) {
        if let Some(Some(button)) = self.button.try_get_untracked() {
            let _ = button.focus();
        }
    }

    /// Opens the menu (unless open) through its button.
    pub(crate) fn open(self) {
        if !menu_keys::is_open(self.menu) {
            if let Some(button) = self.button.get_untracked() {
                let _ = button.focus();
                button.click();
            }
        }
    }

    /// Closes the menu and its submenu; focus goes back to the button.
    pub(crate) fn close(self) {
        if let Some(menu) = self.menu.get_untracked() {
            let _ = menu.hide_popover();
        }
        self.focus_button();
    }

    /// Right-click or a long press; a link keeps the browser's own menu.
    pub(crate) fn context_menu(self, event: MouseEvent) {
        let on_link = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("a").ok().flatten())
            .is_some();
        if !on_link {
            event.prevent_default();
            self.open();
        }
    }

    /// Shift+F10 or the context-menu key.
    pub(crate) fn key(self, event: KeyboardEvent) {
        if menu_keys::opens_menu(&event) {
            event.prevent_default();
            self.open();
        }
    }
}

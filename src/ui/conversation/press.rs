//! Opening a message's menu from the message itself: right-click (and a long press on a touch
//! screen, which the browser, or the page's glue where it does not, turns into a
//! `contextmenu` event), and Shift+F10 or the context-menu key while focus is in it.

use leptos::ev::{KeyboardEvent, MouseEvent};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::actions::Face;
use super::menu_keys::opens_menu;

/// The handlers a message's row puts on itself to open its menu (`face`).
#[derive(Clone, Copy)]
pub(super) struct Opener(pub(super) RwSignal<Face>);

impl Opener {
    fn open(self) {
        if self.0.get_untracked() == Face::Closed {
            self.0.set(Face::Actions);
        }
    }

    /// Right-click or a long press; a link keeps the browser's own menu.
    pub(super) fn context_menu(self, event: MouseEvent) {
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
    pub(super) fn key(self, event: KeyboardEvent) {
        if opens_menu(&event) && self.0.get_untracked() == Face::Closed {
            event.prevent_default();
            self.open();
        }
    }
}

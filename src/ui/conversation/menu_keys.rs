//! Moving focus through a popover `menu`'s items from the keyboard, as the ARIA menu pattern
//! asks: the first item when it opens, then the arrow keys (wrapping), Home and End. (The
//! browser closes it on Escape.)

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// A menu's element.
pub(crate) type MenuRef = NodeRef<leptos::html::Div>;

/// Whether the key opens a context menu (the context-menu key, or Shift+F10).
pub(crate) fn opens_menu(event: &KeyboardEvent) -> bool {
    event.key() == "ContextMenu" || (event.shift_key() && event.key() == "F10")
}

/// The menu's items (its children), in order.
fn items(menu: MenuRef) -> Vec<web_sys::HtmlElement> {
    let mut items = Vec::new();
    let mut next = menu.get_untracked().and_then(|m| m.first_element_child());
    while let Some(child) = next {
        next = child.next_element_sibling();
        if let Ok(item) = child.dyn_into::<web_sys::HtmlElement>() {
            items.push(item);
        }
    }
    items
}

/// Focuses item `at` (the last one if past the end).
fn focus_item(menu: MenuRef, at: usize) {
    let items = items(menu);
    if let Some(item) = items.get(at.min(items.len().saturating_sub(1))) {
        let _ = item.focus();
    }
}

/// Arrow keys (up and down, or left and right for a row of emoji), Home and End move focus
/// through the items; true if the key was one of them.
fn move_focus(menu: MenuRef, event: &KeyboardEvent) -> bool {
    let items = items(menu);
    let Some(last) = items.len().checked_sub(1) else {
        return false;
    };
    let active = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element());
    let at = items.iter().position(|item| {
        active
            .as_ref()
            .is_some_and(|a| a == item.unchecked_ref::<web_sys::Element>())
    });
    let next = match (event.key().as_str(), at) {
        ("ArrowDown" | "ArrowRight", Some(i)) if i < last => i + 1,
        ("ArrowUp" | "ArrowLeft", Some(i)) if i > 0 => i - 1,
        ("ArrowDown" | "ArrowRight" | "Home", _) => 0,
        ("ArrowUp" | "ArrowLeft" | "End", _) => last,
        _ => return false,
    };
    focus_item(menu, next);
    true
}

/// Whether the menu is open.
pub(crate) fn is_open(menu: MenuRef) -> bool {
    menu.get_untracked()
        .is_some_and(|m| m.matches(":popover-open").unwrap_or(false))
}

/// The menu opened or closed: once open, its first item takes focus.
pub(crate) fn opened(menu: MenuRef) {
    if is_open(menu) {
        focus_item(menu, 0);
    }
}

/// A key pressed in the menu.
pub(crate) fn keydown(menu: MenuRef, event: &KeyboardEvent) {
    if move_focus(menu, event) {
        event.prevent_default();
    }
}

//! `Menu`: a disclosure (not an ARIA menu) whose entries are plain buttons. Escape closes it
//! and gives the focus back to `Menu`; choosing an entry closes it.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use super::Panels;
use crate::text;
use crate::ui::focus_back::return_focus;

/// The entries: each name, and the panel it opens or closes.
fn entries(panels: Panels) -> [(&'static str, RwSignal<bool>); 5] {
    [
        (text::NEW_GROUP, panels.grouping),
        (text::LINKED_DEVICES, panels.devices),
        (text::STARRED_MESSAGES, panels.starred),
        (text::SETTINGS, panels.settings),
        (text::KEYBOARD_SHORTCUTS, panels.shortcuts),
    ]
}

/// The `Menu` button and, while it is open, its entries.
#[component]
pub(super) fn Menu(panels: Panels) -> impl IntoView {
    let open = RwSignal::new(false);
    let button = NodeRef::new();
    return_focus(move || open.get(), button);
    let escape = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" && open.get_untracked() {
            ev.stop_propagation();
            open.set(false);
            if let Some(button) = button.get_untracked() {
                let _ = button.focus();
            }
        }
    };
    view! {
        <div class="app-menu" on:keydown=escape>
            <button
                type="button"
                class="icon"
                node_ref=button
                aria-label=text::MENU
                title=text::MENU
                aria-controls="app-menu"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <span aria-hidden="true">"⋮"</span>
            </button>
            <div id="app-menu" class="app-menu-entries" hidden=move || !open.get()>
                {entries(panels)
                    .into_iter()
                    .map(|(name, panel)| view! {
                        <button
                            type="button"
                            aria-expanded=move || panel.get().to_string()
                            on:click=move |_| {
                                open.set(false);
                                panel.update(|shown| *shown = !*shown);
                            }
                        >
                            {name}
                        </button>
                    })
                    .collect_view()}
            </div>
        </div>
    }
}

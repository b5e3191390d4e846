//! The sidebar's header: your avatar on `Profile` (opening Settings), and the icon buttons
//! `New chat` and `Menu`.

use leptos::prelude::*;

use super::menu::Menu;
use super::Panels;
use crate::state::Ui;
use crate::text;
use crate::ui::avatar::Avatar;

/// The header above the search field and the chat list.
#[component]
pub(crate) fn SidebarHead(panels: Panels) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let initial = Signal::derive(move || ui.me.get().map(|me| me.to_string()).unwrap_or_default());
    // Our display name if we chose one, else the username.
    let me = move || {
        let chosen = ui.my_name.get();
        match chosen.is_empty() {
            true => ui.me.get().map(|me| me.to_string()),
            false => Some(chosen),
        }
    };
    view! {
        <div class="sidebar-head">
            <button
                type="button"
                class="profile"
                aria-label=text::PROFILE
                title=text::PROFILE
                aria-expanded=move || panels.settings.get().to_string()
                on:click=move |_| panels.settings.update(|open| *open = !*open)
            >
                <Avatar account=ui.me initial />
            </button>
            // Beside the button, not in it: its name is `Profile` alone.
            <p class="me">{me}</p>
            <button
                type="button"
                class="icon"
                aria-label=text::NEW_CHAT
                title=text::NEW_CHAT
                aria-expanded=move || panels.adding.get().to_string()
                on:click=move |_| panels.adding.update(|open| *open = !*open)
            >
                <span aria-hidden="true">"✎"</span>
            </button>
            <Menu panels />
        </div>
    }
}

//! Contact info and Group info: a panel beside the conversation (the whole screen on phones),
//! named by its title, closed by `Close` or Escape (the focus goes back to the header's button).

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use super::contact_info::ContactInfo;
use super::gallery::Gallery;
use super::timer::DisappearingMessages;
use crate::state::Ui;
use crate::text;
use crate::ui::groups::GroupInfo;

/// Whether the open chat's panel shows: Group info in a group, else Contact info (once its
/// safety number is read).
pub(super) fn panel_open(ui: Ui) -> bool {
    match ui.group_open() {
        true => ui.group_info.get(),
        false => ui.safety.with(Option::is_some),
    }
}

/// Closes the panel.
pub(super) fn close_panel(ui: Ui) {
    ui.safety.set(None);
    ui.group_info.set(false);
}

/// The panel, while open.
#[component]
pub(super) fn SidePanel() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let escape = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" && !ev.default_prevented() {
            ev.prevent_default();
            close_panel(ui);
        }
    };
    let title = move || match ui.group_open() {
        true => text::GROUP_INFO,
        false => text::CONTACT_INFO,
    };
    view! {
        <Show when=move || panel_open(ui)>
            <section class="side-panel" aria-labelledby="side-panel-title" on:keydown=escape>
                <div class="side-panel-head">
                    <h2 id="side-panel-title">{title}</h2>
                    <button
                        type="button"
                        class="icon"
                        aria-label=text::CLOSE
                        title=text::CLOSE
                        on:click=move |_| close_panel(ui)
                    >
                        <span aria-hidden="true">"✕"</span>
                    </button>
                </div>
                {move || match ui.group_open() {
                    true => view! {
                        <GroupInfo>
                            <DisappearingMessages />
                            <Gallery />
                        </GroupInfo>
                    }
                    .into_any(),
                    false => view! { <ContactInfo /> }.into_any(),
                }}
            </section>
        </Show>
    }
}

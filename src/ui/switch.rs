//! A switch: a button with `role="switch"` whose name says what it turns on, and the note
//! that explains it (its description), if any.

use leptos::prelude::*;

/// `name` on or off as `on` says; a click asks `set` for the other. `note`, below it, is
/// read out as its description.
#[component]
pub(crate) fn Switch(
    name: &'static str,
    #[prop(into)] on: Signal<bool>,
    #[prop(into)] set: Callback<bool>,
    #[prop(optional)] note: Option<&'static str>,
) -> impl IntoView {
    // Unique while no two switches share a name (which the accessibility rules forbid).
    let note_id = note.map(|_| format!("{}-note", name.to_ascii_lowercase().replace(' ', "-")));
    view! {
        <button
            type="button"
            role="switch"
            class="switch"
            aria-checked=move || on.get().to_string()
            aria-describedby=note_id.clone()
            on:click=move |_| set.run(!on.get_untracked())
        >
            {name}
        </button>
        {note.map(|text| view! { <p class="settings-note" id=note_id>{text}</p> })}
    }
}

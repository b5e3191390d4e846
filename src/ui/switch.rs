//! A switch: a button with `role="switch"` whose name says what it turns on.

use leptos::prelude::*;

/// `name` on or off as `on` says; a click asks `set` for the other.
#[component]
pub(crate) fn Switch(
    name: &'static str,
    #[prop(into)] on: Signal<bool>,
    #[prop(into)] set: Callback<bool>,
    /// The id of what explains it (`aria-describedby`).
    #[prop(optional)]
    described_by: Option<&'static str>,
) -> impl IntoView {
    view! {
        <button
            type="button"
            role="switch"
            class="switch"
            aria-checked=move || on.get().to_string()
            aria-describedby=described_by
            on:click=move |_| set.run(!on.get_untracked())
        >
            {name}
        </button>
    }
}

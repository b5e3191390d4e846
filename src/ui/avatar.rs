//! An account's avatar: its profile photo once fetched, else its initial. Decoration for
//! assistive technology (`alt=""`, `aria-hidden`): what it belongs to is named beside it.

use hush_protocol::Username;
use leptos::prelude::*;

use crate::state::Ui;

/// The avatar of `account` (None: a group, or nobody yet), with `initial` as the fallback.
#[component]
pub(crate) fn Avatar(
    #[prop(into)] account: Signal<Option<Username>>,
    #[prop(into)] initial: Signal<String>,
) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let photo = move || {
        let account = account.get()?;
        ui.photos.with(|photos| photos.get(&account).cloned())
    };
    move || match photo() {
        Some(url) => {
            view! { <img class="avatar photo" src=url alt="" aria-hidden="true" /> }.into_any()
        }
        // Capitalised by the stylesheet: no case tables in the app.
        None => view! {
            <span class="avatar" aria-hidden="true">
                {move || initial.get().chars().next().unwrap_or('?').to_string()}
            </span>
        }
        .into_any(),
    }
}

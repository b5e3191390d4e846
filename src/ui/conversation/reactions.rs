//! The reactions under a message: a `group` named `Reactions` with a button per emoji named
//! `<emoji> <count>`, which shows (and hides) who reacted with it, "You" for us.

use hush_client::model::{tally, Reaction};
use leptos::prelude::*;

use crate::state::Ui;

/// The message's reactions, if it has any.
#[component]
pub(super) fn Reactions(reactions: Vec<Reaction>) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let counts: Vec<(String, usize)> = tally(&reactions)
        .into_iter()
        .map(|(emoji, count)| (emoji.to_owned(), count))
        .collect();
    if counts.is_empty() {
        return ().into_any();
    }
    let who = StoredValue::new(reactors(ui, &reactions));
    // The emoji whose reactors show.
    let shown = RwSignal::new(None::<String>);
    let buttons = counts
        .into_iter()
        .map(|(emoji, count)| {
            let is_shown = {
                let emoji = emoji.clone();
                move || shown.with(|s| s.as_ref() == Some(&emoji))
            };
            let toggle = {
                let emoji = emoji.clone();
                move |_| shown.update(|s| *s = (s.as_ref() != Some(&emoji)).then(|| emoji.clone()))
            };
            view! {
                <button
                    type="button"
                    class="reaction"
                    aria-expanded=move || is_shown().to_string()
                    on:click=toggle
                >
                    {format!("{emoji} {count}")}
                </button>
            }
        })
        .collect_view();
    let list = move || {
        let emoji = shown.get()?;
        let names = who.with_value(|who| names_for(who, &emoji));
        Some(view! {
            <ul class="reacted-by" aria-label=format!("Reacted with {emoji}")>
                {names.into_iter().map(|name| view! { <li>{name}</li> }).collect_view()}
            </ul>
        })
    };
    view! {
        <div role="group" aria-label="Reactions" class="reactions">
            {buttons}
            {list}
        </div>
    }
    .into_any()
}

/// Each reaction's emoji and who gave it, as the user knows them ("You" for us).
fn reactors(ui: Ui, reactions: &[Reaction]) -> Vec<(String, String)> {
    let me = ui.me.get_untracked();
    reactions
        .iter()
        .filter(|r| !r.emoji.is_empty())
        .map(|r| {
            let name = if me.as_ref() == Some(&r.by) {
                "You".to_owned()
            } else {
                ui.name_of(&r.by)
            };
            (r.emoji.clone(), name)
        })
        .collect()
}

/// The names of those who reacted with `emoji`.
fn names_for(who: &[(String, String)], emoji: &str) -> Vec<String> {
    who.iter()
        .filter(|(e, _)| e == emoji)
        .map(|(_, name)| name.clone())
        .collect()
}

//! The reactions under a message: a `group` named `Reactions` with a button per emoji named
//! `<emoji> <count>`, which shows who reacted with it ("You" for us) in a popover the browser
//! opens and closes.

use hush_client::model::{tally, Reaction};
use hush_client::MessageId;
use leptos::prelude::*;

use super::actions::popover_id;
use crate::state::Ui;
use crate::text;

/// Message `id`'s reactions, if it has any.
#[component]
pub(super) fn Reactions(id: MessageId, reactions: Vec<Reaction>) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let counts = tally(&reactions);
    if counts.is_empty() {
        return ().into_any();
    }
    let who = reactors(ui, &reactions);
    let buttons = counts
        .into_iter()
        .enumerate()
        .map(|(at, (emoji, count))| {
            let list_id = popover_id(&format!("w{at}-"), &id);
            let names = who
                .iter()
                .filter(|(e, _)| e == emoji)
                .map(|(_, name)| view! { <li>{name.clone()}</li> })
                .collect_view();
            view! {
                <button type="button" class="reaction" popovertarget=list_id.clone()>
                    {format!("{emoji} {count}")}
                </button>
                <ul popover="auto" id=list_id class="reacted-by" aria-label=text::reacted_with(emoji)>
                    {names}
                </ul>
            }
        })
        .collect_view();
    view! {
        <div role="group" aria-label=text::REACTIONS class="reactions">
            {buttons}
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
                text::YOU.to_owned()
            } else {
                ui.name_of(&r.by)
            };
            (r.emoji.clone(), name)
        })
        .collect()
}

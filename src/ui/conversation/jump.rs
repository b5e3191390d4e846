//! What `Jump to newest` shows beside it: how many messages came in while the log was scrolled
//! away from the newest (read out as its description).

use hush_client::MessageId;
use leptos::prelude::*;

use crate::state::Ui;
use crate::text;

/// The id of the count `Jump to newest` is described by.
pub(super) const COUNT_ID: &str = "jump-newest-count";

/// The messages received since `away` last became true: counted after the newest message
/// shown at that moment.
pub(super) fn new_since_away(ui: Ui, away: RwSignal<bool>) -> Memo<usize> {
    let newest_then = RwSignal::new(None::<MessageId>);
    Effect::new(move |_| {
        let newest = match away.get() {
            true => ui.messages.with_untracked(|list| list.last().map(|m| m.id)),
            false => None,
        };
        newest_then.set(newest);
    });
    Memo::new(move |_| {
        let Some(then) = newest_then.get() else {
            return 0;
        };
        ui.messages
            .with(|list| match list.iter().position(|m| m.id == then) {
                Some(at) => list[at + 1..].iter().filter(|m| !m.from_me).count(),
                None => 0,
            })
    })
}

/// The count beside `Jump to newest`, when there is one.
#[component]
pub(super) fn NewCount(count: Memo<usize>) -> impl IntoView {
    view! {
        <Show when=move || { count.get() > 0 }>
            <span class="jump-count" id=COUNT_ID>
                {move || count.get()}
                <span class="visually-hidden">
                    {move || text::new_messages_after_count(count.get())}
                </span>
            </span>
        </Show>
    }
}

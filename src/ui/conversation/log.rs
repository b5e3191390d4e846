//! The messages of the open chat, as a live log: a day separator before each new day, older
//! pages loaded when scrolling to the top, new messages followed at the bottom. A stretch
//! further back (a search result's) loads newer pages when scrolling to its bottom, and
//! `Jump to newest` goes back to the newest. A chat opened with unread messages shows the
//! `N unread messages` divider before the oldest of them, and starts there.

use hush_client::{ChatMessage, MessageId};
use leptos::prelude::*;

use super::actions::Refocus;
use super::extras::message_key;
use super::jump::{new_since_away, NewCount, COUNT_ID};
use super::media_names::LogMedia;
use super::row::MessageRow;
use super::transfer::Transfers;
use crate::command::{Command, Messenger};
use crate::platform::reveal::reveal_message;
use crate::platform::reveal::reveal_start;
use crate::runs;
use crate::state::Ui;
use crate::text;
use crate::ui::time::{day, day_key, now};
use crate::unread;

/// The id of the `N unread messages` divider.
const UNREAD_ID: &str = "unread-divider";

/// How close to the bottom (px) the log must be to follow new messages.
const FOLLOW_WITHIN_PX: i32 = 240;

/// How close to the top (px) scrolling must come to load older messages.
const EARLIER_WITHIN_PX: i32 = 120;

/// A line of the log: a day separator, the unread divider (with its count) or a message.
#[derive(Clone)]
enum Row {
    Day(String),
    Unread(u32),
    /// A message, and whether it continues the run of the one drawn before it.
    Message(ChatMessage, bool),
}

impl Row {
    /// A message keeps its row while its status moves on (the tick follows a signal of its
    /// own), so a status change redraws one tick, not the log; a change of its reactions, an
    /// edit, a delete or a star draws it again.
    fn key(&self) -> (MessageId, String) {
        match self {
            Row::Day(label) => ([0; 16], label.clone()),
            Row::Unread(count) => ([0; 16], format!("unread {count}")),
            Row::Message(m, continued) => (m.id, change_key(m, *continued)),
        }
    }
}

/// What a message's reactions, kind, edit and star are, as short as can tell two apart.
fn change_key(message: &ChatMessage, continued: bool) -> String {
    let meta = &message.meta;
    let mut key = format!(
        "{:?} {} {} {} ",
        message.kind,
        meta.edited_ms.unwrap_or(0),
        u8::from(meta.starred),
        u8::from(continued)
    );
    for reaction in &message.reactions {
        key.push_str(reaction.by.as_str());
        key.push(' ');
        key.push_str(&reaction.emoji);
        key.push(' ');
    }
    key
}

/// The messages with a separator before each new day and the unread divider before the
/// message `unread` names, each marked when it continues a run.
fn rows(messages: Vec<ChatMessage>, unread: Option<(MessageId, u32)>) -> Vec<Row> {
    let now = now();
    let mut rows = Vec::with_capacity(messages.len() + 4);
    let continued = runs::marks(&messages, day_key);
    let mut last_day = None;
    for (message, continued) in messages.into_iter().zip(continued) {
        let key = day_key(message.sent_ms);
        if last_day != Some(key) {
            last_day = Some(key);
            rows.push(Row::Day(day(message.sent_ms, now)));
        }
        match unread {
            Some((first, count)) if first == message.id => {
                rows.push(Row::Unread(count));
                rows.push(Row::Message(message, false));
            }
            _ => rows.push(Row::Message(message, continued)),
        }
    }
    rows
}

/// The log of the open chat.
#[component]
pub(super) fn MessageLog() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    provide_context(Refocus(StoredValue::new(None)));
    provide_context(LogMedia::new(ui));
    // New messages scroll into view, unless the user scrolled up to read older ones (then the
    // position is kept); opening a chat starts at the bottom. Scrolling waits for the next
    // frame, when the list on screen has the new messages.
    let log = NodeRef::<leptos::html::Div>::new();
    // Whether the view was at (near) the bottom when last scrolled.
    let following = StoredValue::new(true);
    // While an earlier page loads: the distance from the bottom to keep, so older messages
    // appear above what the user is reading instead of pushing it away.
    let anchor = StoredValue::new(None::<i32>);
    keep_scroll_place(ui, log, following, anchor);
    reveal_when_shown(ui, following);
    start_at_unread(ui, following);
    let load_earlier = move || {
        if anchor.get_value().is_some() || !ui.earlier.get_untracked() {
            return;
        }
        if let Some(list) = log.get_untracked() {
            anchor.set_value(Some(list.scroll_height() - list.scroll_top()));
        }
        messenger.tell(Command::LoadEarlier);
    };
    // The newest message shown when the page after it was asked for (asked once).
    let asked_after = StoredValue::new(None::<MessageId>);
    let load_later = move || {
        let newest = ui.messages.with_untracked(|list| list.last().map(|m| m.id));
        if !ui.later.get_untracked() || newest.is_none() || asked_after.get_value() == newest {
            return;
        }
        asked_after.set_value(newest);
        messenger.tell(Command::LoadLater);
    };
    // Scrolled away from the newest messages (or showing a stretch further back).
    let away = RwSignal::new(false);
    // Where the last scroll left the view: only scrolling down loads newer pages (a shorter
    // stretch replacing the log moves the view up to its bottom, and must not load them).
    let last_top = StoredValue::new(0);
    // Scrolling near the top loads the page before; scrolling down near the bottom of a
    // stretch further back, the page after.
    let on_scroll = move |_| {
        if let Some(list) = log.get_untracked() {
            let down = list.scroll_top() > last_top.get_value();
            last_top.set_value(list.scroll_top());
            let from_bottom = list.scroll_height() - list.scroll_top() - list.client_height();
            let at_newest = from_bottom < FOLLOW_WITHIN_PX && !ui.later.get_untracked();
            following.set_value(at_newest);
            if away.get_untracked() == at_newest {
                away.set(!at_newest);
            }
            if list.scroll_top() < EARLIER_WITHIN_PX {
                load_earlier();
            }
            if down && from_bottom < EARLIER_WITHIN_PX {
                load_later();
            }
        }
    };
    let new_count = new_since_away(ui, away);
    let jump = move |_| {
        following.set_value(true);
        away.set(false);
        match ui.later.get_untracked() {
            true => messenger.tell(Command::JumpToNewest),
            false => {
                if let Some(list) = log.get_untracked() {
                    list.set_scroll_top(list.scroll_height());
                }
            }
        }
    };
    view! {
        // The log holds a list (a `log` is not a list, so its items would have none).
        <div role="log" aria-label=text::MESSAGES class="messages" node_ref=log on:scroll=on_scroll>
        <ol class="message-list">
            <Show when=move || ui.earlier.get()>
                <li class="earlier">
                    <button type="button" on:click=move |_| load_earlier()>
                        {text::LOAD_EARLIER_MESSAGES}
                    </button>
                </li>
            </Show>
            <For each=move || rows(ui.messages.get(), ui.unread_from.get()) key=|row| row.key() let:row>
                {match row {
                    Row::Day(label) => view! { <li class="day"><h3 class="day-label">{label}</h3></li> }.into_any(),
                    Row::Unread(count) => view! {
                        <li class="unread-divider" id=UNREAD_ID><span>{unread::label(count)}</span></li>
                    }.into_any(),
                    Row::Message(message, continued) => view! { <MessageRow message continued /> }.into_any(),
                }}
            </For>
            <Transfers />
            <Show when=move || ui.later.get()>
                <li class="later">
                    <button type="button" on:click=move |_| load_later()>
                        {text::LOAD_NEWER_MESSAGES}
                    </button>
                </li>
            </Show>
        </ol>
        </div>
        <Show when=move || away.get() || ui.later.get()>
            <div class="jump-newest">
                <button
                    type="button"
                    on:click=jump
                    aria-describedby=move || (new_count.get() > 0).then_some(COUNT_ID)
                >
                    {text::JUMP_TO_NEWEST}
                </button>
                <NewCount count=new_count />
            </div>
        </Show>
    }
}

/// A search result asked for: once its row is drawn (two frames on, after the scroll place is
/// kept), brought into view and marked; the log stops following new messages meanwhile.
fn reveal_when_shown(ui: Ui, following: StoredValue<bool>) {
    Effect::new(move |_| {
        let Some((id, focus)) = ui.search.reveal.get() else {
            return;
        };
        // Gone from the log (another chat opened meanwhile): nothing to show.
        if !ui.messages.with(|list| list.iter().any(|m| m.id == id)) {
            ui.search.reveal.set(None);
            return;
        }
        following.set_value(false);
        let key = message_key(&id);
        request_animation_frame(move || {
            request_animation_frame(move || {
                if reveal_message(&key, focus) {
                    ui.search.reveal.set(None);
                }
            })
        });
    });
}

/// A chat opened with unread messages starts at their divider (two frames on, after the
/// scroll place is kept at the bottom).
fn start_at_unread(ui: Ui, following: StoredValue<bool>) {
    Effect::new(move |_| {
        if ui.unread_from.get().is_some() {
            // Not following the bottom meanwhile: messages coming in must not scroll away.
            following.set_value(false);
            request_animation_frame(|| request_animation_frame(|| reveal_start(UNREAD_ID)));
        }
    });
}

/// After the messages change, on the next frame: the bottom stays in view while following, and
/// the place kept by `anchor` stays put while an earlier page comes in. A new chat starts
/// following.
fn keep_scroll_place(
    ui: Ui,
    log: NodeRef<leptos::html::Div>,
    following: StoredValue<bool>,
    anchor: StoredValue<Option<i32>>,
) {
    Effect::new(move |_| {
        ui.current.track();
        following.set_value(true);
        anchor.set_value(None);
    });
    Effect::new(move |_| {
        ui.messages.track();
        ui.transfers.track();
        // The chat may close before the frame comes (closed right after it changed): then
        // the log and its places are gone, and nothing is left to scroll.
        request_animation_frame(move || {
            let Some(Some(list)) = log.try_get_untracked() else {
                return;
            };
            if let Some(from_bottom) = anchor.try_get_value().flatten() {
                anchor.try_set_value(None);
                list.set_scroll_top(list.scroll_height() - from_bottom);
            } else if following.try_get_value() == Some(true) {
                list.set_scroll_top(list.scroll_height());
            }
        });
    });
}

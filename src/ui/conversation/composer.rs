//! Writing a message: the composer (Enter sends, Shift+Enter is a new line), the typing
//! notices it sends, and why a group may not take messages from us.

use hush_client::ChatId;
use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::prelude::*;

use super::record::{RecordButton, Recorder, RecordingBar, Stage};
use crate::command::{Command, Messenger};
use crate::state::Ui;
use crate::ui::time::now;

/// While typing, the other side is told again this often (its notice fades after 6 s).
const TYPING_REPEAT_MS: f64 = 3000.0;

/// Why we cannot send in the open group, if we cannot.
#[component]
pub(super) fn SendingNote() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let open_group = move || {
        let group = ui.current.get().and_then(|chat| ui.group(&chat));
        let me = ui.me.get().map(|me| me.to_string()).unwrap_or_default();
        (group, me)
    };
    view! {
        <Show when=move || {
            let (group, me) = open_group();
            group.is_some_and(|g| !g.may_send(&me))
        }>
            <p class="note" role="note">
                {move || match open_group() {
                    (Some(g), me) if g.member(&me).is_none() => "You are no longer a member of this group.",
                    _ => "Only admins can send messages in this group.",
                }}
            </p>
        </Show>
    }
}

/// The message being written, and Send; or the voice note being recorded.
#[component]
pub(super) fn Composer() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let draft = RwSignal::new(String::new());
    let recorder = Recorder::new();
    // A voice note being made is dropped when its chat closes or another opens.
    Effect::new(move |opened: Option<()>| {
        ui.current.track();
        if opened.is_some() && recorder.stage.get_untracked() != Stage::Idle {
            recorder.cancel();
        }
    });
    on_cleanup(move || {
        if recorder.stage.try_get_untracked() != Some(Stage::Idle) {
            crate::platform::voice::cancel();
        }
    });
    // When we last told the other side we are typing (repeated every few seconds while we are).
    let typing_told = StoredValue::new(0.0f64);
    let send = move || {
        let body = draft.get_untracked();
        if body.trim().is_empty() {
            return;
        }
        if let Some(to) = ui.current.get_untracked() {
            messenger.tell(Command::Send { to, body });
            draft.set(String::new());
            typing_told.set_value(0.0);
        }
    };
    let on_input = move |ev| {
        let text = event_target_value(&ev);
        if let Some(to) = ui.current.get_untracked() {
            tell_typing(messenger, typing_told, to, !text.trim().is_empty());
        }
        draft.set(text);
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        send();
    };
    // Enter sends; Shift+Enter is a new line.
    let on_key = move |ev: KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            send();
        }
    };
    let empty = move || draft.with(|text| text.trim().is_empty());
    view! {
        <Show
            when=move || recorder.stage.get() == Stage::Idle
            fallback=move || view! { <RecordingBar recorder /> }
        >
        <form class="composer" on:submit=on_submit>
            <label for="composer" class="visually-hidden">"Message"</label>
            <textarea
                id="composer"
                rows="1"
                placeholder="Message"
                prop:value=draft
                on:input=on_input
                on:keydown=on_key
            ></textarea>
            <Show when=empty>
                <RecordButton recorder />
            </Show>
            <button type="submit">"Send"</button>
        </form>
        </Show>
    }
}

/// Tells `to` we are typing (again every [`TYPING_REPEAT_MS`]), or that we stopped once the
/// draft is empty; `told` is when we last said we were.
fn tell_typing(messenger: Messenger, told: StoredValue<f64>, to: ChatId, typing: bool) {
    let now = now();
    if !typing {
        if told.get_value() > 0.0 {
            messenger.tell(Command::Typing { to, typing: false });
            told.set_value(0.0);
        }
    } else if now - told.get_value() > TYPING_REPEAT_MS {
        messenger.tell(Command::Typing { to, typing: true });
        told.set_value(now);
    }
}

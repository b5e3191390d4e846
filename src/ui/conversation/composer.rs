//! Writing a message: the composer (Enter sends, Shift+Enter is a new line; Settings can make
//! Enter a new line and Ctrl+Enter send), a reply (with
//! `Replying to <name>` and `Cancel reply`) or an edit (`Save edit`, `Cancel edit`), the typing
//! notices it sends, and why a group may not take messages from us. In a group, `@` offers the
//! members to mention (`mention`).

use hush_client::ChatId;
use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::prelude::*;

use super::hold::{Hold, RecordButton};
use super::mention::{MentionList, Mentions};
use super::record::{Recorder, RecordingBar, Stage};
use crate::command::{Command, MessageCommand, Messenger};
use crate::state::{Composing, Ui};
use crate::text;
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
                    (Some(g), me) if g.member(&me).is_none() => text::NO_LONGER_A_MEMBER,
                    _ => text::ONLY_ADMINS_SEND_HERE,
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
    let mentions = Mentions::new();
    let recorder = Recorder::new();
    let hold = Hold::new();
    super::hold::watch(recorder, hold);
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
    // Editing puts the message's text in the box; leaving the chat drops a reply or edit.
    Effect::new(move |_| {
        if let Composing::Edit(message) = ui.composing.get() {
            // An attachment's text is its caption (its body may just say "Photo").
            let text = match &message.attachment {
                Some(pointer) => pointer.caption.clone(),
                None => message.body.clone(),
            };
            // Whom it mentions stays mentioned while its `@Name` stays in the text (names
            // read untracked: a contact's new name must not reset the edit being typed).
            untrack(|| mentions.keep(ui, &message.meta.mentions));
            draft.set(text);
        }
    });
    Effect::new(move |opened: Option<()>| {
        ui.current.track();
        if opened.is_some() {
            ui.composing.set(Composing::New);
            mentions.clear();
        }
    });
    let send = move || {
        let body = draft.get_untracked();
        if body.trim().is_empty() {
            return;
        }
        let Some(to) = ui.current.get_untracked() else {
            return;
        };
        let mentioned = mentions.take(&body);
        messenger.tell(match ui.composing.get_untracked() {
            Composing::New if !mentioned.is_empty() => Command::Message(MessageCommand::Mention {
                to,
                body,
                mentions: mentioned,
            }),
            Composing::New => Command::Send { to, body },
            Composing::Reply(quoted) => Command::Message(MessageCommand::Reply {
                quoted: quoted.id,
                body,
                mentions: mentioned,
            }),
            Composing::Edit(message) => Command::Message(MessageCommand::Edit {
                id: message.id,
                body,
                mentions: mentioned,
            }),
        });
        ui.composing.set(Composing::New);
        draft.set(String::new());
        typing_told.set_value(0.0);
    };
    let on_input = move |ev| {
        let text = event_target_value(&ev);
        if let Some(to) = ui.current.get_untracked() {
            tell_typing(messenger, typing_told, to, !text.trim().is_empty());
        }
        mentions.follow(ui, &text);
        draft.set(text);
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        send();
    };
    // Enter sends and Shift+Enter is a new line; with `Enter sends` off, Enter is a new line
    // and Ctrl+Enter (⌘+Enter) sends.
    let on_key = move |ev: KeyboardEvent| {
        if mentions.key(&ev, draft) || ev.key() != "Enter" || ev.is_composing() {
            return;
        }
        let sends = match ui.enter_sends.get_untracked() {
            true => !ev.shift_key(),
            false => ev.ctrl_key() || ev.meta_key(),
        };
        if sends {
            ev.prevent_default();
            send();
        }
    };
    let empty = move || draft.with(|text| text.trim().is_empty());
    let editing = move || matches!(ui.composing.get(), Composing::Edit(_));
    let cancel_edit = move |_| {
        ui.composing.set(Composing::New);
        draft.set(String::new());
        mentions.clear();
    };
    view! {
        <Show
            when=move || recorder.stage.get() == Stage::Idle
            fallback=move || view! { <RecordingBar recorder /> }
        >
        <ReplyingTo />
        <form class="composer" on:submit=on_submit>
            <label for="composer" class="visually-hidden">{text::MESSAGE_FIELD}</label>
            <MentionList mentions draft />
            <textarea
                id="composer"
                rows="1"
                dir="auto"
                placeholder=text::MESSAGE_FIELD
                aria-activedescendant=move || mentions.active_id()
                prop:value=draft
                on:input=on_input
                on:keydown=on_key
            ></textarea>
            <Show when=move || empty() && !editing()>
                <RecordButton recorder hold />
            </Show>
            <Show
                when=editing
                fallback=|| view! { <button type="submit">{text::SEND}</button> }
            >
                <button type="button" on:click=cancel_edit>{text::CANCEL_EDIT}</button>
                <button type="submit">{text::SAVE_EDIT}</button>
            </Show>
        </form>
        </Show>
    }
}

/// While replying: whom to, their words, and `Cancel reply`.
#[component]
fn ReplyingTo() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let quoted = move || match ui.composing.get() {
        Composing::Reply(message) => Some(message),
        _ => None,
    };
    move || {
        quoted().map(|message| {
            let me = ui.me.get_untracked();
            let author = me.as_ref().map(|me| message.author(me));
            let name = match (&author, &me) {
                (Some(author), Some(me)) if author == me => text::YOU.to_owned(),
                (Some(author), _) => ui.name_of(author),
                _ => String::new(),
            };
            view! {
                <div class="replying" role="group" aria-label=text::REPLY>
                    <p class="replying-to">{text::replying_to(&name)}</p>
                    <p class="quote-preview" dir="auto">{hush_client::model::preview(&message.body)}</p>
                    <button type="button" on:click=move |_| ui.composing.set(Composing::New)>
                        {text::CANCEL_REPLY}
                    </button>
                </div>
            }
        })
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

//! One message in the log: a notice (a changed security code, a linked device, a group change)
//! or a bubble (with its attachment, if any) with its time, its reactions, its `Message
//! actions`, and on ours a tick and Retry.

use hush_client::{ChatMessage, Kind, Status};
use leptos::prelude::*;

use super::actions::MessageActions;
use super::extras::{message_key, Forwarded, Marks, QuoteView};
use super::linked::Linked;
use super::media::Attachment;
use super::press::Opener;
use super::reactions::Reactions;
use crate::command::{Command, Messenger};
use crate::state::Ui;
use crate::text;
use crate::ui::groups::MessageInfo;
use crate::ui::time::clock;

/// What a tick says, to the eye and to screen readers.
fn tick(status: Status) -> (&'static str, &'static str) {
    match status {
        Status::Sending => ("🕓", text::MESSAGE_SENDING),
        Status::Sent => ("✓", text::MESSAGE_SENT),
        Status::Delivered => ("✓✓", text::MESSAGE_DELIVERED),
        Status::Read => ("✓✓", text::MESSAGE_READ),
        Status::Failed => ("!", text::MESSAGE_FAILED),
    }
}

/// The notice a message of another kind than text shows instead of a bubble.
fn notice(ui: Ui, message: &ChatMessage) -> Option<String> {
    match message.kind {
        // A message deleted for everyone keeps its bubble, which says so.
        Kind::Text | Kind::Attachment | Kind::Deleted | Kind::Hidden => None,
        Kind::SecurityCodeChanged => Some(text::security_code_changed(&message.chat)),
        Kind::DeviceLinked => Some(text::linked_a_new_device(&ui.display(&message.chat))),
        Kind::AccountDeleted => Some(text::deleted_their_account(&ui.display(&message.chat))),
        Kind::GroupChange | Kind::UpdateNeeded | Kind::TimerChanged => Some(ui.text_of(message)),
    }
}

/// A message's row; `continued` when it continues its sender's run (see [`crate::runs`]).
#[component]
pub(super) fn MessageRow(message: ChatMessage, continued: bool) -> impl IntoView {
    let ui = expect_context::<Ui>();
    if message.kind == Kind::Hidden {
        // Deleted for me: nothing shows.
        return ().into_any();
    }
    if let Some(text) = notice(ui, &message) {
        return view! { <li class="notice">{text}</li> }.into_any();
    }
    view! { <Bubble message continued /> }.into_any()
}

/// A text message: who wrote it (in a group, once per run), what, when, how far ours got, its
/// reactions, and its actions. The message itself takes focus, so the keyboard can open its
/// menu. Text in any script runs its own way (`dir="auto"`).
#[component]
fn Bubble(message: ChatMessage, continued: bool) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let status = ui.status_of(&message);
    let mine = message.from_me;
    let author = message
        .group
        .as_ref()
        .filter(|_| !mine && !continued)
        .map(|g| ui.name_of(&g.author));
    let info = (mine && message.group.is_some()).then_some(message.id);
    let id = message.id;
    let opener = Opener::new();
    let side = if mine { "bubble mine" } else { "bubble theirs" };
    let deleted = if message.kind == Kind::Deleted {
        " deleted"
    } else {
        ""
    };
    let run = if continued { " continued" } else { "" };
    let class = format!("{side}{deleted}{run}");
    let meta = message.meta.clone();
    // Only a plain text is sent again as it was (`ChatMessage::can_retry`).
    let retryable = message.is_plain_text_of_ours();
    view! {
        <li
            class=class
            data-message=message_key(&id)
            tabindex="0"
            on:contextmenu=move |event| opener.context_menu(event)
            on:keydown=move |event| opener.key(event)
        >
            {author.map(|name| view! { <p class="author" dir="auto">{name}</p> })}
            <Forwarded forwards=meta.forwards />
            {meta.quote.clone().map(|quote| view! { <QuoteView quote=*quote /> })}
            {message.attachment.clone().map(|pointer| view! {
                <Attachment id pointer=*pointer caption=message.body.clone() />
            })}
            <p class="body" dir="auto"><Linked text=ui.text_of(&message) mentions=mention_names(ui, &meta) /></p>
            <p class="meta">
                <Marks meta />
                <time>{clock(message.sent_ms)}</time>
                {mine.then(|| view! { <Tick status /> })}
                {move || (retryable && status.get() == Status::Failed).then(|| view! {
                    <button
                        type="button"
                        class="retry"
                        on:click=move |_| messenger.tell(Command::Retry(id))
                    >
                        {text::RETRY}
                    </button>
                })}
            </p>
            <Reactions id reactions=message.reactions.clone() />
            <MessageActions message=message.clone() opener />
            {info.map(|id| view! { <MessageInfo id /> })}
        </li>
    }
}

/// Our message's status, redrawn alone when it moves on.
#[component]
fn Tick(status: RwSignal<Status>) -> impl IntoView {
    move || {
        let (glyph, label) = tick(status.get());
        view! {
            <span class="tick" data-status=label>
                <span aria-hidden="true">{glyph}</span>
                <span class="visually-hidden">{label}</span>
            </span>
        }
    }
}

/// The names a message's mentions may appear under in its text: as we know each member, and
/// their username.
fn mention_names(ui: Ui, meta: &hush_client::model::MessageMeta) -> Vec<String> {
    (meta.mentions.iter())
        .flat_map(|account| [ui.name_of(account.as_str()), account.to_string()])
        .collect()
}

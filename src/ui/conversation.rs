//! One conversation: the messages (a live log) and the composer. Text is always rendered as
//! text: a message holding HTML shows the HTML.

use hush_client::{ChatMessage, Kind, MessageId, Status};
use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::prelude::*;

use super::groups::{GroupInfo, MessageInfo};
use super::qr::QrImage;
use super::time::{clock, day, day_key};
use crate::messenger::{Command, Messenger, Safety, Ui};

/// A line of the log: a day separator or a message.
#[derive(Clone)]
enum Row {
    Day(String),
    Message(ChatMessage),
}

impl Row {
    /// A message keeps its row while its status moves on (the tick follows a signal of its
    /// own), so a status change redraws one tick, not the log.
    fn key(&self) -> (MessageId, String) {
        match self {
            Row::Day(label) => ([0; 16], label.clone()),
            Row::Message(m) => (m.id, String::new()),
        }
    }
}

/// The messages with a separator before each new day.
fn rows(messages: Vec<ChatMessage>) -> Vec<Row> {
    let now = js_sys::Date::now();
    let mut rows = Vec::with_capacity(messages.len() + 4);
    let mut last_day = None;
    for message in messages {
        let key = day_key(message.sent_ms);
        if last_day != Some(key) {
            last_day = Some(key);
            rows.push(Row::Day(day(message.sent_ms, now)));
        }
        rows.push(Row::Message(message));
    }
    rows
}

/// How close to the bottom (px) the log must be to follow new messages.
const FOLLOW_WITHIN_PX: i32 = 240;

/// How close to the top (px) scrolling must come to load older messages.
const EARLIER_WITHIN_PX: i32 = 120;

/// While typing, the other side is told again this often (its notice fades after 6 s).
const TYPING_REPEAT_MS: f64 = 3000.0;

/// What a tick says, to the eye and to screen readers.
fn tick(status: Status) -> (&'static str, &'static str) {
    match status {
        Status::Sending => ("🕓", "Sending"),
        Status::Sent => ("✓", "Sent"),
        Status::Delivered => ("✓✓", "Delivered"),
        Status::Read => ("✓✓", "Read"),
        Status::Failed => ("!", "Failed"),
    }
}

#[component]
pub(crate) fn Conversation() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let draft = RwSignal::new(String::new());
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
        let now = js_sys::Date::now();
        if let Some(to) = ui.current.get_untracked() {
            if text.trim().is_empty() {
                if typing_told.get_value() > 0.0 {
                    messenger.tell(Command::Typing { to, typing: false });
                    typing_told.set_value(0.0);
                }
            } else if now - typing_told.get_value() > TYPING_REPEAT_MS {
                messenger.tell(Command::Typing { to, typing: true });
                typing_told.set_value(now);
            }
        }
        draft.set(text);
    };
    // New messages scroll into view, unless the user scrolled up to read older ones (then the
    // position is kept); opening a chat starts at the bottom. Scrolling waits for the next
    // frame, when the list on screen has the new messages.
    let log = NodeRef::<leptos::html::Ol>::new();
    // Whether the view was at (near) the bottom when last scrolled.
    let following = StoredValue::new(true);
    // While an earlier page loads: the distance from the bottom to keep, so older messages
    // appear above what the user is reading instead of pushing it away.
    let anchor = StoredValue::new(None::<i32>);
    Effect::new(move |_| {
        ui.current.track();
        following.set_value(true);
        anchor.set_value(None);
    });
    Effect::new(move |_| {
        ui.messages.track();
        request_animation_frame(move || {
            let Some(list) = log.get_untracked() else {
                return;
            };
            if let Some(from_bottom) = anchor.get_value() {
                anchor.set_value(None);
                list.set_scroll_top(list.scroll_height() - from_bottom);
            } else if following.get_value() {
                list.set_scroll_top(list.scroll_height());
            }
        });
    });
    let load_earlier = move || {
        if anchor.get_value().is_some() || !ui.earlier.get_untracked() {
            return;
        }
        if let Some(list) = log.get_untracked() {
            anchor.set_value(Some(list.scroll_height() - list.scroll_top()));
        }
        messenger.tell(Command::LoadEarlier);
    };
    // Scrolling near the top loads the page before.
    let on_scroll = move |_| {
        if let Some(list) = log.get_untracked() {
            let from_bottom = list.scroll_height() - list.scroll_top() - list.client_height();
            following.set_value(from_bottom < FOLLOW_WITHIN_PX);
            if list.scroll_top() < EARLIER_WITHIN_PX {
                load_earlier();
            }
        }
    };
    let in_group = move || {
        ui.current
            .get()
            .and_then(|c| hush_client::group_id(&c))
            .is_some()
    };
    // The header's second line: typing, online, or last seen (in a group: who is typing, or
    // how many members).
    let about = move || {
        let chat = ui.current.get()?;
        if let Some(group) = crate::groups::state(&ui, &chat) {
            let prefix = format!("{chat} ");
            let typists: Vec<String> = ui.typing.with(|list| {
                list.iter()
                    .filter_map(|(key, _)| key.strip_prefix(&prefix))
                    .map(|who| ui.display(who))
                    .collect()
            });
            return Some(match typists.is_empty() {
                true => format!("{} members", group.members.len()),
                false => format!("{} typing…", typists.join(", ")),
            });
        }
        if ui.typing.get().iter().any(|(who, _)| *who == chat) {
            return Some("typing…".to_owned());
        }
        let presence = ui.presence.get();
        let (_, online, seen) = presence.iter().find(|(who, _, _)| *who == chat)?;
        if *online {
            Some("online".to_owned())
        } else if *seen > 0 {
            Some(format!("last seen {}", clock(*seen)))
        } else {
            None
        }
    };
    let muted = move || {
        let chat = ui.current.get();
        ui.muted
            .with(|list| chat.is_some_and(|c| list.contains(&c)))
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
    view! {
        <section class="conversation" aria-label="Conversation">
            <Show
                when=move || ui.current.get().is_some()
                fallback=|| view! { <p class="empty">"Choose a chat, or start a new one."</p> }
            >
                <header class="conversation-head">
                    <button
                        type="button"
                        class="back"
                        aria-label="Back to chats"
                        on:click=move |_| messenger.tell(Command::Close)
                    >
                        "‹"
                    </button>
                    <div class="who">
                        <h2>
                            {move || ui.current.get().map(|chat| ui.display(&chat))}
                            <span class="handle">
                                {move || {
                                    ui.current
                                        .get()
                                        .filter(|chat| ui.display(chat) != *chat)
                                }}
                            </span>
                        </h2>
                        <p class="about" aria-live="polite">{about}</p>
                    </div>
                    <button
                        type="button"
                        class="info"
                        on:click=move |_| {
                            if in_group() {
                                ui.group_info.update(|open| *open = !*open);
                            } else if let Some(chat) = ui.current.get_untracked() {
                                messenger.tell(Command::ContactInfo(chat));
                            }
                        }
                    >
                        {move || if in_group() { "Group info" } else { "Contact info" }}
                    </button>
                    <button
                        type="button"
                        class="mute"
                        aria-pressed=move || muted().to_string()
                        on:click=move |_| {
                            if let Some(chat) = ui.current.get_untracked() {
                                messenger.tell(Command::Mute { chat, muted: !muted() });
                            }
                        }
                    >
                        "Mute"
                    </button>
                </header>
                <ContactInfo />
                <Show when=move || in_group() && ui.group_info.get()>
                    <GroupInfo />
                </Show>
                <p role="alert" class="problem">{move || ui.problem.get()}</p>
                <ol
                    role="log"
                    aria-label="Messages"
                    class="messages"
                    node_ref=log
                    on:scroll=on_scroll
                >
                    <Show when=move || ui.earlier.get()>
                        <li class="earlier">
                            <button type="button" on:click=move |_| load_earlier()>
                                "Load earlier messages"
                            </button>
                        </li>
                    </Show>
                    <For
                        each=move || rows(ui.messages.get())
                        key=|row| row.key()
                        let:row
                    >
                        {
                            let message = match row {
                                Row::Day(label) => {
                                    return view! {
                                        <li class="day" role="separator">{label}</li>
                                    }
                                    .into_any();
                                }
                                Row::Message(message) => message,
                            };
                            let status = ui.status_of(&message);
                            let mine = message.from_me;
                            let notice = match message.kind {
                                Kind::Text => None,
                                Kind::SecurityCodeChanged => Some(format!(
                                    "{}'s security code changed. Compare safety numbers to be sure it is still them.",
                                    message.chat,
                                )),
                                Kind::DeviceLinked => {
                                    Some(format!("{} linked a new device.", ui.display(&message.chat)))
                                }
                                Kind::GroupChange => Some(message.body.clone()),
                            };
                            if let Some(text) = notice {
                                return view! { <li class="notice">{text}</li> }.into_any();
                            }
                            let author = message.group.as_ref().filter(|_| !mine).map(|g| ui.display(&g.author));
                            let info = (mine && message.group.is_some()).then_some(message.id);
                            view! {
                                <li class=if mine { "bubble mine" } else { "bubble theirs" }>
                                    {author.map(|name| view! { <p class="author">{name}</p> })}
                                    <p class="body">{message.body.clone()}</p>
                                    <p class="meta">
                                        <time>{clock(message.sent_ms)}</time>
                                        {mine.then_some(move || {
                                            let (glyph, label) = tick(status.get());
                                            view! {
                                                <span class="tick" data-status=label>
                                                    <span aria-hidden="true">{glyph}</span>
                                                    <span class="visually-hidden">{label}</span>
                                                </span>
                                            }
                                        })}
                                        {move || (mine && status.get() == Status::Failed).then(|| {
                                            let id = message.id;
                                            view! {
                                                <button
                                                    type="button"
                                                    class="retry"
                                                    on:click=move |_| messenger.tell(Command::Retry(id))
                                                >
                                                    "Retry"
                                                </button>
                                            }
                                        })}
                                        {info.map(|id| view! { <MessageInfo id /> })}
                                    </p>
                                </li>
                            }
                            .into_any()
                        }
                    </For>
                </ol>
                <Show when=move || {
                    let chat = ui.current.get().unwrap_or_default();
                    let me = ui.me.get().unwrap_or_default();
                    crate::groups::state(&ui, &chat).is_some_and(|g| !g.may_send(&me))
                }>
                    <p class="note" role="note">
                        {move || {
                            let chat = ui.current.get().unwrap_or_default();
                            let me = ui.me.get().unwrap_or_default();
                            match crate::groups::state(&ui, &chat) {
                                Some(g) if g.member(&me).is_none() => "You are no longer a member of this group.",
                                _ => "Only admins can send messages in this group.",
                            }
                        }}
                    </p>
                </Show>
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
                    <button type="submit">"Send"</button>
                </form>
            </Show>
        </section>
    }
}

/// The safety number to compare with the contact, and "Mark as verified".
#[component]
fn ContactInfo() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    view! {
        <Show when=move || ui.safety.get().is_some()>
            <section class="contact-info" aria-label="Contact info">
                <h3>"Safety number"</h3>
                <p class="safety-number">
                    {move || ui.safety.get().map(|safety| safety.groups.join(" "))}
                </p>
                {move || {
                    ui.safety.get().and_then(|safety| safety.qr).map(|(width, path)| {
                        view! { <QrImage width path label="Safety number QR code" /> }
                    })
                }}
                <p>
                    "Compare it with the one on their screen, or scan their code. If they match, nobody is in the middle."
                </p>
                {move || match ui.safety.get() {
                    Some(Safety { verified: true, .. }) => {
                        view! { <p class="verified">"Verified"</p> }.into_any()
                    }
                    _ => view! {
                        <button
                            type="button"
                            on:click=move |_| {
                                if let Some(chat) = ui.current.get_untracked() {
                                    messenger.tell(Command::MarkVerified(chat));
                                }
                            }
                        >
                            "Mark as verified"
                        </button>
                    }
                    .into_any(),
                }}
            </section>
        </Show>
    }
}

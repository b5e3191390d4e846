//! Group screens: "New group" (a name and members by username), Group info (members and
//! roles, and what admins may do), and a message's info (who got it, who read it).

use hush_client::{ChatId, MessageId, Status, Username};
use hush_protocol::groups::Role;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::avatar::Avatar;
use crate::command::{Command, GroupCommand, Messenger};
use crate::state::Ui;
use crate::text;

/// The form behind "New group".
#[component]
pub(crate) fn NewGroup(open: RwSignal<bool>) -> impl IntoView {
    let messenger = expect_context::<Messenger>();
    let name = RwSignal::new(String::new());
    let member = RwSignal::new(String::new());
    let members = RwSignal::new(Vec::<String>::new());
    // Enter in "Add member" (or its button) puts the name on the list.
    let add = move || {
        let who = member.get_untracked().trim().to_ascii_lowercase();
        if !who.is_empty() {
            members.update(|list| {
                if !list.contains(&who) {
                    list.push(who);
                }
            });
            member.set(String::new());
        }
    };
    let create = move |ev: SubmitEvent| {
        ev.prevent_default();
        add();
        let group = name.get_untracked();
        if group.trim().is_empty() {
            return;
        }
        let chosen = members.get_untracked();
        messenger.tell(Command::Group(GroupCommand::Create {
            name: group,
            members: chosen,
        }));
        name.set(String::new());
        members.set(Vec::new());
        open.set(false);
    };
    view! {
        <form class="new-chat" on:submit=create>
            <label for="group-name">{text::GROUP_NAME}</label>
            <input
                id="group-name"
                required
                maxlength="100"
                prop:value=name
                on:input=move |ev| name.set(event_target_value(&ev))
            />
            <MemberInput id="new-group-member" member on_add=add />
            <ul class="chosen" aria-label=text::MEMBERS>
                <For each=move || members.get() key=|m| m.clone() let:who>
                    <li>{who}</li>
                </For>
            </ul>
            <button type="submit">{text::CREATE_GROUP}</button>
        </form>
    }
}

/// The textbox "Add member" (element id `id`) and its button; Enter adds too.
#[component]
fn MemberInput(
    id: &'static str,
    member: RwSignal<String>,
    on_add: impl Fn() + Copy + 'static,
) -> impl IntoView {
    view! {
        <label for=id>{text::ADD_MEMBER}</label>
        <input
            id=id
            autocapitalize="none"
            spellcheck="false"
            prop:value=member
            on:input=move |ev| member.set(event_target_value(&ev))
            on:keydown=move |ev| {
                if ev.key() == "Enter" {
                    ev.prevent_default();
                    on_add();
                }
            }
        />
        <button type="button" on:click=move |_| on_add()>{text::ADD}</button>
    }
}

/// The open group's members, roles and actions.
#[component]
pub(crate) fn GroupInfo(
    /// What the conversation adds below (its media and files).
    children: Children,
) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let me = move || ui.me.get().map(|me| me.to_string()).unwrap_or_default();
    let group = move || ui.current.get().and_then(|chat| ui.group(&chat));
    let admin = move || ui.admin_here();
    let may_edit = move || group().is_some_and(|g| !g.only_admins_edit || g.is_admin(&me()));
    // Kept while the forms come and go with the user's role.
    let member = RwSignal::new(String::new());
    let rename = RwSignal::new(String::new());
    view! {
        <div class="contact-info">
            <h3>{move || group().map(|g| g.name)}</h3>
            <p>{move || group().map(|g| text::member_count(g.members.len()))}</p>
            <ul class="members" aria-label=text::GROUP_MEMBERS>
                <For
                    each=move || group().map(|g| g.members).unwrap_or_default()
                    key=|m| (m.account.clone(), m.role == Role::Admin)
                    let:person
                >
                    <MemberRow account=person.account is_admin=person.role == Role::Admin />
                </For>
            </ul>
            <Show when=admin>
                <AdminSettings member />
            </Show>
            <Show when=may_edit>
                <RenameGroup rename />
            </Show>
            <Show when=move || group().is_some_and(|g| g.member(&me()).is_some())>
                <LeaveGroup />
            </Show>
            {children()}
        </div>
    }
}

/// A member of the open group: their name and role, and for admins, their actions.
#[component]
fn MemberRow(account: String, is_admin: bool) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let mine = ui.me.get().is_some_and(|me| me == account);
    let shown = ui.name_of(&account);
    // A member's name, as the group state holds it, names an account.
    let member = Username::parse(&account).ok();
    let pictured = member.clone();
    let tell = move |command: fn(ChatId, Username) -> GroupCommand| {
        if let (Some(chat), Some(member)) = (ui.current.get_untracked(), member.clone()) {
            messenger.tell(Command::Group(command(chat, member)));
        }
    };
    let initial = shown.clone();
    view! {
        <li>
            <Avatar account=pictured initial />
            <span class="name">{if mine { text::YOU.to_owned() } else { shown }}</span>
            {is_admin.then_some(view! { <span class="role">{text::ADMIN}</span> })}
            {move || (ui.admin_here() && !mine).then(|| {
                let tell = tell.clone();
                let tell_too = tell.clone();
                view! {
                    <button
                        type="button"
                        on:click=move |_| tell(if is_admin { dismiss } else { promote })
                    >
                        {if is_admin { text::DISMISS_AS_ADMIN } else { text::MAKE_ADMIN }}
                    </button>
                    <button
                        type="button"
                        on:click=move |_| tell_too(remove)
                    >
                        {text::REMOVE}
                    </button>
                }
            })}
        </li>
    }
}

/// What only admins see: adding members (the name typed in `member`), and who may send and
/// edit.
#[component]
fn AdminSettings(member: RwSignal<String>) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let chat = move || ui.current.get();
    let group = move || chat().and_then(|chat| ui.group(&chat));
    let add = move || {
        let who = member.get_untracked();
        if let (false, Some(chat)) = (who.trim().is_empty(), chat()) {
            messenger.tell(Command::Group(GroupCommand::Add { chat, member: who }));
            member.set(String::new());
        }
    };
    let permission = move |send: bool| {
        move |_| {
            if let (Some(g), Some(chat)) = (group(), chat()) {
                let (s, e) = (g.only_admins_send, g.only_admins_edit);
                let (only_admins_send, only_admins_edit) = if send { (!s, e) } else { (s, !e) };
                messenger.tell(Command::Group(GroupCommand::Permissions {
                    chat,
                    only_admins_send,
                    only_admins_edit,
                }));
            }
        }
    };
    view! {
        <MemberInput id="add-member" member on_add=add />
        {[(true, text::ONLY_ADMINS_CAN_SEND), (false, text::ONLY_ADMINS_CAN_EDIT_INFO)]
            .map(|(send, label)| {
                let on = move || {
                    group().is_some_and(|g| if send { g.only_admins_send } else { g.only_admins_edit })
                };
                view! {
                    <label>
                        <input type="checkbox" prop:checked=on on:change=permission(send) />
                        {label}
                    </label>
                }
            })}
    }
}

/// Renaming the open group (the new name typed in `rename`).
#[component]
fn RenameGroup(rename: RwSignal<String>) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let save_name = move |ev: SubmitEvent| {
        ev.prevent_default();
        let name = rename.get_untracked();
        let Some(chat) = ui.current.get_untracked() else {
            return;
        };
        let description = ui.group(&chat).map(|g| g.description).unwrap_or_default();
        if !name.trim().is_empty() {
            messenger.tell(Command::Group(GroupCommand::Rename {
                chat,
                name,
                description,
            }));
        }
    };
    view! {
        <form on:submit=save_name>
            <label for="rename-group">{text::NEW_GROUP_NAME}</label>
            <input
                id="rename-group"
                maxlength="100"
                prop:value=rename
                on:input=move |ev| rename.set(event_target_value(&ev))
            />
            <button type="submit">{text::RENAME}</button>
        </form>
    }
}

/// Leaving the open group.
#[component]
fn LeaveGroup() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let leave = move |_| {
        if let Some(chat) = ui.current.get_untracked() {
            messenger.tell(Command::Group(GroupCommand::Leave(chat)));
        }
    };
    view! {
        <button
            type="button"
            class="danger"
            on:click=leave
        >
            {text::LEAVE_GROUP}
        </button>
    }
}

/// Shows (or hides again) who one of our group messages reached, from its menu's `Info`.
pub(crate) fn toggle_message_info(ui: Ui, messenger: Messenger, id: MessageId) {
    if ui
        .message_info
        .with_untracked(|info| info.as_ref().is_some_and(|(i, _)| *i == id))
    {
        ui.message_info.set(None);
    } else {
        messenger.tell(Command::Group(GroupCommand::MessageInfo(id)));
    }
}

/// Who one of our group messages reached, and who read it, while its `Info` is shown.
#[component]
pub(crate) fn MessageInfo(id: MessageId) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let open = move || {
        ui.message_info
            .with(|info| info.as_ref().is_some_and(|(i, _)| *i == id))
    };
    let line = move |status: Status| {
        ui.message_info.with(|info| {
            let receipts = info.as_ref().map(|(_, r)| r.as_slice()).unwrap_or_default();
            let names: Vec<String> = receipts_by_status(receipts, status)
                .iter()
                .map(|m| ui.name_of(m))
                .collect();
            if names.is_empty() {
                text::NOBODY_YET.to_owned()
            } else {
                names.join(", ")
            }
        })
    };
    view! {
        <Show when=open>
            <dl class="message-info" aria-label=text::MESSAGE_INFO>
                <dt>{text::READ_BY}</dt>
                <dd>{move || line(Status::Read)}</dd>
                <dt>{text::DELIVERED_TO}</dt>
                <dd>{move || line(Status::Delivered)}</dd>
            </dl>
        </Show>
    }
}

/// How far a message got with each member, for its info: the members whose receipt is
/// `wanted`.
fn receipts_by_status(receipts: &[(Username, Status)], wanted: Status) -> Vec<Username> {
    receipts
        .iter()
        .filter(|(_, s)| *s == wanted)
        .map(|(m, _)| m.clone())
        .collect()
}

/// Make `member` an admin of the group `chat`.
fn promote(chat: ChatId, member: Username) -> GroupCommand {
    GroupCommand::SetAdmin {
        chat,
        member,
        admin: true,
    }
}

/// Make `member` a plain member of the group `chat`.
fn dismiss(chat: ChatId, member: Username) -> GroupCommand {
    GroupCommand::SetAdmin {
        chat,
        member,
        admin: false,
    }
}

/// Remove `member` from the group `chat`.
fn remove(chat: ChatId, member: Username) -> GroupCommand {
    GroupCommand::Remove { chat, member }
}

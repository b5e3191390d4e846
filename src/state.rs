//! What the screens show: the signals the runner writes and the components read. Nothing here
//! talks to the engine or the browser; the runner (`runner/`) is the only writer.

use hush_client::{ChatId, ChatMessage, ChatSummary, MessageId, Status, Username};
use hush_protocol::groups::GroupState;
use hush_protocol::relay::PresenceVisibility;
use leptos::prelude::*;

use crate::choices::{AutoDownload, NoticeStyle, Theme};
use crate::platform::push::Notifications;
use crate::status::ConnectionStatus;

/// Where the app is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Opening the database and the engine.
    Loading,
    /// No account on this browser yet: make one, or link to one.
    Onboarding,
    /// Signed in: the chats.
    Ready,
    /// Storage cannot be used (private mode without IndexedDB, a damaged profile).
    Broken,
    /// Hush is open in another tab of this browser, which owns it.
    Elsewhere,
}

/// A safety number as Contact info shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Safety {
    /// Twelve groups of five digits.
    pub(crate) groups: Vec<String>,
    /// The same as a QR code: width in modules and the SVG path of the dark ones.
    pub(crate) qr: Option<(i32, String)>,
    /// The user marked this contact verified (and its key has not changed since).
    pub(crate) verified: bool,
}

/// Where a link is, on either side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Link {
    /// No link in progress.
    Idle,
    /// The new browser shows its code (as text, QR and URL) and waits.
    Showing {
        code: String,
        url: String,
        qr: Option<(i32, String)>,
    },
    /// A device of the account asks the user to allow the browser that gave its name.
    Asking { device_name: String },
    /// A step is running (what it is, for the user).
    Working(String),
    /// Finished (what happened).
    Done(String),
    /// Stopped (why).
    Failed(String),
}

/// One row of the device list.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct DeviceRow {
    pub(crate) id: u32,
    pub(crate) name: String,
    /// When it was linked (ms since the epoch; 0 for the account's first device).
    pub(crate) linked_ms: u64,
    /// The browser this page runs in.
    pub(crate) this: bool,
    /// When it was last connected, as the relay said (ms since the epoch; 0 if unknown).
    pub(crate) last_active_ms: u64,
}

/// One of our group messages and each member's receipt for it.
pub(crate) type MessageReceipts = (MessageId, Vec<(Username, Status)>);

/// Who is typing where: in a chat with one account, that account; in a group, a member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Typist {
    /// The chat the notice shows in.
    pub(crate) chat: ChatId,
    /// Who types.
    pub(crate) who: Username,
}

/// The UI's state, written only by the runner.
#[derive(Clone, Copy)]
pub(crate) struct Ui {
    pub(crate) phase: RwSignal<Phase>,
    /// This device's account name, once it has one.
    pub(crate) me: RwSignal<Option<Username>>,
    /// The last problem to show (a taken name, a storage failure).
    pub(crate) problem: RwSignal<Option<String>>,
    /// The chat list, most recent first.
    pub(crate) chats: RwSignal<Vec<ChatSummary>>,
    /// Contacts' display names, by account.
    /// (Lists, not maps: each map type costs the wasm a copy of the hash table code.)
    pub(crate) names: RwSignal<Vec<(Username, String)>>,
    /// The open chat.
    pub(crate) current: RwSignal<Option<ChatId>>,
    /// The open chat's messages on screen, oldest first.
    pub(crate) messages: RwSignal<Vec<ChatMessage>>,
    /// The open chat may have messages older than those shown.
    pub(crate) earlier: RwSignal<bool>,
    /// The log shows a stretch further back (a search result's): newer messages are not on
    /// screen, and new ones are not added until the user comes back to the newest.
    pub(crate) later: RwSignal<bool>,
    /// The open chat's `N unread messages` divider: the message it goes before, and N (set
    /// when the chat is opened, before its messages are marked read).
    pub(crate) unread_from: RwSignal<Option<(MessageId, u32)>>,
    pub(crate) connection: RwSignal<ConnectionStatus>,
    /// Who is typing to us, each until when (ms since the epoch).
    pub(crate) typing: RwSignal<Vec<(Typist, f64)>>,
    /// Presence of the people we chat with: online, last seen (ms since the epoch).
    pub(crate) presence: RwSignal<Vec<(Username, bool, u64)>>,
    /// Who may see our presence (the account's setting).
    pub(crate) presence_visibility: RwSignal<PresenceVisibility>,
    /// Whether this device sends and sees read receipts.
    pub(crate) read_receipts: RwSignal<bool>,
    /// How contacts see us named (empty: by our username).
    pub(crate) my_name: RwSignal<String>,
    /// Our About line, as contacts see it.
    pub(crate) my_about: RwSignal<String>,
    /// Contacts' About lines.
    pub(crate) abouts: RwSignal<std::collections::BTreeMap<Username, String>>,
    /// Profile photos on screen (`blob:` URLs), ours included, by account.
    pub(crate) photos: RwSignal<std::collections::BTreeMap<Username, String>>,
    /// The blob of each account's newest photo, the one to show (a fetch that finds another
    /// wanted by then is dropped).
    pub(crate) photo_blobs: StoredValue<std::collections::BTreeMap<Username, [u8; 32]>>,
    /// This device's theme, and whether Enter sends (off: Ctrl+Enter does).
    pub(crate) theme: RwSignal<Theme>,
    pub(crate) enter_sends: RwSignal<bool>,
    /// How this device's notifications look.
    pub(crate) notice_style: RwSignal<NoticeStyle>,
    /// Whether the browser promised to keep Hush's data (None until it answers).
    pub(crate) persisted: RwSignal<Option<bool>>,
    /// The open contact's safety number, when Contact info is open.
    pub(crate) safety: RwSignal<Option<Safety>>,
    /// The status of each message on screen, one signal per row (see [`Ui::status_of`]).
    ticks: StoredValue<Vec<(MessageId, RwSignal<Status>)>>,
    /// Chats that never notify on this device.
    pub(crate) muted: RwSignal<Vec<ChatId>>,
    pub(crate) notifications: RwSignal<Notifications>,
    /// A link in progress, on either side.
    pub(crate) link: RwSignal<Link>,
    /// The account's devices.
    pub(crate) devices: RwSignal<Vec<DeviceRow>>,
    /// Every group's state as this device holds it.
    pub(crate) groups: RwSignal<Vec<GroupState>>,
    /// Group info is open (for the open group chat).
    pub(crate) group_info: RwSignal<bool>,
    /// One of our group messages and the members' receipts for it, while its info is open.
    pub(crate) message_info: RwSignal<Option<MessageReceipts>>,
    /// Media (photos, videos, audio) downloaded and checked, as `blob:` URLs, by message.
    pub(crate) media: RwSignal<Vec<(MessageId, String)>>,
    /// What downloads by itself when it arrives.
    pub(crate) auto_download: RwSignal<AutoDownload>,
    /// The open chat's messages with a file, newest first, while its info is open.
    pub(crate) gallery: RwSignal<Vec<ChatMessage>>,
    /// Bytes of media kept on this device (None until asked).
    pub(crate) media_bytes: RwSignal<Option<u64>>,
    /// What this browser keeps per chat, largest first (Settings' Storage; measured there).
    pub(crate) storage: RwSignal<Vec<ChatStorage>>,
    /// Files of ours on their way, each shown in its chat until its message is sent.
    pub(crate) transfers: RwSignal<Vec<Transfer>>,
    /// Files coming in now, by message, with how much of each arrived (percent).
    pub(crate) downloads: RwSignal<Vec<(MessageId, RwSignal<u32>)>>,
    /// The voice note playing (one at a time; when it ends, the chat's next one plays).
    pub(crate) voice_playing: RwSignal<Option<MessageId>>,
    /// The open chat's disappearing-message timer (ms, 0: off).
    pub(crate) timer: RwSignal<u64>,
    /// What the composer writes: a new message, a reply, or an edit.
    pub(crate) composing: RwSignal<Composing>,
    /// The message whose delete for everyone waits for confirmation.
    pub(crate) deleting: RwSignal<Option<MessageId>>,
    /// The message being forwarded (its `Forward to` dialog is open).
    pub(crate) forwarding: RwSignal<Option<MessageId>>,
    /// The timer new chats start with on this device (ms, 0: off).
    pub(crate) default_timer: RwSignal<u64>,
    /// The starred messages, newest first (read when "Starred messages" opens).
    pub(crate) starred: RwSignal<Vec<ChatMessage>>,
    /// Searches and their results.
    pub(crate) search: crate::search::SearchState,
    /// Each chat's place in the chat list (pinned, archived, marked unread, deleted).
    pub(crate) chat_states: RwSignal<Vec<(ChatId, hush_client::model::ChatState)>>,
    /// The chat whose clearing (false) or deleting (true) waits for confirmation.
    pub(crate) chat_confirm: RwSignal<Option<(ChatId, bool)>>,
}

/// What the composer writes.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) enum Composing {
    /// A new message.
    #[default]
    New,
    /// A reply to this message.
    Reply(Box<ChatMessage>),
    /// A new text for this message of ours.
    Edit(Box<ChatMessage>),
}

/// A file of ours on its way to the relay (uploads go one at a time, in order).
#[derive(Clone)]
pub(crate) struct Transfer {
    /// The request its grant was asked with (what `Cancel upload` names).
    pub(crate) request: u32,
    pub(crate) chat: ChatId,
    pub(crate) name: String,
    /// A photo's thumbnail, as a `blob:` URL.
    pub(crate) thumbnail: Option<String>,
    /// How much of it the relay holds, in percent.
    pub(crate) percent: RwSignal<u32>,
    /// It is the one uploading now (the others wait their turn).
    pub(crate) active: RwSignal<bool>,
}

impl Ui {
    /// The state at start: loading, nothing known yet; notifications as the browser has them.
    pub(crate) fn new(notifications: Notifications) -> Self {
        Self {
            phase: RwSignal::new(Phase::Loading),
            me: RwSignal::new(None),
            problem: RwSignal::new(None),
            chats: RwSignal::new(Vec::new()),
            names: RwSignal::new(Vec::new()),
            current: RwSignal::new(None),
            messages: RwSignal::new(Vec::new()),
            earlier: RwSignal::new(false),
            later: RwSignal::new(false),
            unread_from: RwSignal::new(None),
            connection: RwSignal::new(ConnectionStatus::Connecting),
            typing: RwSignal::new(Vec::new()),
            presence: RwSignal::new(Vec::new()),
            presence_visibility: RwSignal::new(PresenceVisibility::default()),
            read_receipts: RwSignal::new(true),
            my_name: RwSignal::new(String::new()),
            my_about: RwSignal::new(String::new()),
            abouts: RwSignal::new(Default::default()),
            photos: RwSignal::new(Default::default()),
            photo_blobs: StoredValue::new(Default::default()),
            theme: RwSignal::new(Theme::System),
            enter_sends: RwSignal::new(true),
            notice_style: RwSignal::new(NoticeStyle::default()),
            persisted: RwSignal::new(None),
            safety: RwSignal::new(None),
            ticks: StoredValue::new(Vec::new()),
            muted: RwSignal::new(Vec::new()),
            notifications: RwSignal::new(notifications),
            link: RwSignal::new(Link::Idle),
            devices: RwSignal::new(Vec::new()),
            groups: RwSignal::new(Vec::new()),
            group_info: RwSignal::new(false),
            message_info: RwSignal::new(None),
            media: RwSignal::new(Vec::new()),
            auto_download: RwSignal::new(AutoDownload::default()),
            media_bytes: RwSignal::new(None),
            storage: RwSignal::new(Vec::new()),
            gallery: RwSignal::new(Vec::new()),
            transfers: RwSignal::new(Vec::new()),
            downloads: RwSignal::new(Vec::new()),
            voice_playing: RwSignal::new(None),
            timer: RwSignal::new(0),
            composing: RwSignal::new(Composing::New),
            deleting: RwSignal::new(None),
            forwarding: RwSignal::new(None),
            starred: RwSignal::new(Vec::new()),
            default_timer: RwSignal::new(0),
            search: crate::search::SearchState::new(),
            chat_states: RwSignal::new(Vec::new()),
            chat_confirm: RwSignal::new(None),
        }
    }

    /// What to call a chat: the group's name, or the other account's ([`Ui::name_of`]).
    pub(crate) fn display(&self, chat: &ChatId) -> String {
        match chat {
            ChatId::Group(_) => self.group(chat).map(|g| g.name).unwrap_or_default(),
            ChatId::Direct(account) => self.name_of(account),
        }
    }

    /// What to call an account: its display name if it told us one, else its username.
    pub(crate) fn name_of(&self, account: &str) -> String {
        self.names
            .with(|names| {
                names
                    .iter()
                    .find(|(a, _)| a.as_str() == account)
                    .map(|(_, n)| n.clone())
            })
            .unwrap_or_else(|| account.to_owned())
    }

    /// What `message` says, in the log, the chat list, search and starred: a notice worded
    /// for this account from the catalogue, or its body ([`crate::lines::message_text`]).
    pub(crate) fn text_of(&self, message: &ChatMessage) -> String {
        let me = self.me.with(|me| me.as_ref().map(|m| m.to_string()));
        // Notices name accounts by username, never by display name: a display name is its
        // owner's choice, and a member calling themselves "You" or another member's name
        // could make a line say someone else removed or added people.
        let name = |account: &str| account.to_owned();
        crate::lines::message_text(message, me.as_deref().unwrap_or_default(), &name)
    }

    /// The state of the group `chat`, if it is one.
    pub(crate) fn group(&self, chat: &ChatId) -> Option<GroupState> {
        let id = chat.group()?;
        self.groups
            .with(|groups| groups.iter().find(|g| g.group == id).cloned())
    }

    /// Whether we are an admin of the open chat's group (tracked).
    pub(crate) fn admin_here(&self) -> bool {
        let (Some(chat), Some(me)) = (self.current.get(), self.me.get()) else {
            return false;
        };
        self.group(&chat).is_some_and(|g| g.is_admin(&me))
    }

    /// Whether the open chat is a group (tracked).
    pub(crate) fn group_open(&self) -> bool {
        self.current
            .with(|chat| chat.as_ref().and_then(ChatId::group).is_some())
    }

    /// The status signal of a message's row, made when the row is: a status change sets it
    /// and redraws that tick alone.
    pub(crate) fn status_of(&self, message: &ChatMessage) -> RwSignal<Status> {
        let status = RwSignal::new(message.status);
        self.ticks.update_value(|ticks| {
            ticks.retain(|(id, _)| *id != message.id);
            ticks.push((message.id, status));
        });
        status
    }

    /// A message's status moves on: kept in the list without redrawing it (a later redraw
    /// shows it), and shown by the row's own signal.
    pub(crate) fn set_status(&self, id: MessageId, status: Status) {
        let moved = self.messages.try_update_untracked(|list| {
            let message = list.iter_mut().rev().find(|m| m.id == id)?;
            message
                .status
                .can_become(status)
                .then(|| message.status = status)
        });
        if moved.flatten().is_some() {
            self.ticks.with_value(|ticks| {
                if let Some((_, signal)) = ticks.iter().find(|(i, _)| *i == id) {
                    signal.try_set(status);
                }
            });
        }
    }

    /// Rows gone with an earlier chat took their status signals with them. (Not all are
    /// cleared: reopening the chat shown keeps its rows, and their signals.)
    pub(crate) fn forget_gone_rows(&self) {
        self.ticks
            .update_value(|ticks| ticks.retain(|(_, signal)| !signal.is_disposed()));
    }

    /// Adds a message to the open chat's log, unless it is not that chat's, already there
    /// (drawn before its commit), or the log shows a stretch further back (it comes with the
    /// newer pages).
    pub(crate) fn show_in_chat(&self, message: &ChatMessage) {
        if self.current.get_untracked().as_ref() != Some(&message.chat)
            || self.later.get_untracked()
            || self
                .messages
                .with_untracked(|list| list.iter().rev().any(|m| m.id == message.id))
        {
            return;
        }
        self.messages.update(|list| list.push(message.clone()));
    }

    /// The `blob:` URL of message `id`'s media, once it is here (tracked).
    pub(crate) fn media_url(&self, id: MessageId) -> Option<String> {
        self.media.with(|all| {
            all.iter()
                .find(|(m, _)| *m == id)
                .map(|(_, url)| url.clone())
        })
    }

    /// How much of message `id`'s file arrived (percent), while it downloads (tracked).
    pub(crate) fn download_of(&self, id: MessageId) -> Option<RwSignal<u32>> {
        self.downloads.with(|all| {
            all.iter()
                .find(|(m, _)| *m == id)
                .map(|(_, percent)| *percent)
        })
    }

    /// A message of the open chat changed (its reactions): its row is drawn again.
    pub(crate) fn replace_in_chat(&self, message: ChatMessage) {
        self.messages.update(|list| {
            if let Some(shown) = list.iter_mut().rev().find(|m| m.id == message.id) {
                // The status the row shows may be newer than the stored one read here.
                let status = shown.status;
                *shown = message;
                if !shown.status.can_become(status) {
                    return;
                }
                shown.status = status;
            }
        });
    }

    /// The chat's messages were just marked read: no unread count in the list.
    pub(crate) fn read_in_list(&self, chat: &ChatId) {
        self.chats.update(|chats| {
            if let Some(summary) = chats.iter_mut().find(|c| c.chat == *chat) {
                summary.unread = 0;
            }
        });
    }
}

/// One chat's share of what this browser keeps.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ChatStorage {
    /// The chat.
    pub(crate) chat: ChatId,
    /// How many messages it keeps.
    pub(crate) messages: u32,
    /// Their stored bytes.
    pub(crate) bytes: u64,
    /// The media kept for its messages: their keys (hex ids), and bytes in all.
    pub(crate) media: Vec<String>,
    /// Bytes of media kept.
    pub(crate) media_bytes: u64,
}

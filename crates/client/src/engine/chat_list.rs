//! The chat list's actions (issue 21): pin (up to [`MAX_PINNED`]), archive, mark unread, clear
//! and delete a chat. Ours alone: each action changes the chat's [`ChatState`] here and sends
//! it whole to our other devices ([`Content::ChatState`]), where the newest setting of each
//! field wins. Clearing removes the chat's messages sent up to the clear (on every device, by
//! the same time); deleting clears and takes the chat off the list until a new message comes.
//! An archived chat comes back when someone writes in it, unless it is muted.

use hush_protocol::Rng;

use super::receive::Batch;
use super::{Engine, Event, Output};
use crate::content::Content;
use crate::error::{EngineError, InputError};
use crate::model::{Amendment, ChatId, ChatState, Flag, Kind, MessageId, MAX_PINNED};
use crate::store::{Changes, Store};

/// Messages read at a time while clearing a chat.
const CLEAR_PAGE: usize = 500;

/// A chat-list action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChatAction {
    /// Pin to the top (true) or unpin.
    Pin(bool),
    /// Archive (true) or unarchive.
    Archive(bool),
    /// Mark unread (true) or read.
    MarkUnread(bool),
    /// Remove the chat's messages; the chat stays.
    Clear,
    /// Remove the chat's messages and the chat from the list.
    Delete,
}

impl<S: Store, R: Rng> Engine<S, R> {
    /// Every chat's state in the list that was ever set.
    pub async fn chat_states(&self) -> Result<Vec<(ChatId, ChatState)>, EngineError> {
        Ok(self.store.chat_states().await?)
    }

    /// Does `action` to `chat` at `now_ms`, here and on our other devices. A fourth pin is
    /// refused ([`InputError::TooManyPinned`]).
    pub async fn chat_action(
        &mut self,
        chat: &ChatId,
        action: ChatAction,
        now_ms: u64,
    ) -> Result<Output, EngineError> {
        let states = self.store.chat_states().await?;
        let mut state = state_in(&states, chat);
        if action == ChatAction::Pin(true) && !state.pinned.on {
            let pinned = states.iter().filter(|(_, s)| s.pinned.on).count();
            if pinned >= MAX_PINNED {
                return Err(InputError::TooManyPinned.into());
            }
        }
        // Ours wins over what we hold, even if our clock is behind the last setter's.
        let at = now_ms.max(state.newest_ms().saturating_add(1));
        let set = |on| Flag { on, set_ms: at };
        match action {
            ChatAction::Pin(on) => state.pinned = set(on),
            ChatAction::Archive(on) => {
                state.archived = set(on);
                state.pinned = set(false);
            }
            ChatAction::MarkUnread(on) => state.unread = set(on),
            ChatAction::Clear | ChatAction::Delete => {
                let deleted = action == ChatAction::Delete;
                let newest = self.store.messages(chat, None, 1).await?;
                state.cleared_ms = newest.iter().map(|m| m.sent_ms).fold(at, u64::max);
                state.deleted = set(deleted);
                state.unread = set(false);
                if deleted {
                    (state.pinned, state.archived) = (set(false), set(false));
                }
            }
        }
        let clears = matches!(action, ChatAction::Clear | ChatAction::Delete);
        self.save_state(chat, state, clears).await
    }

    /// Stores `state`, forgetting what it cleared if `clears`, and sends it to our other
    /// devices.
    async fn save_state(
        &mut self,
        chat: &ChatId,
        state: ChatState,
        clears: bool,
    ) -> Result<Output, EngineError> {
        let mut changes = Changes::default();
        let cleared = match clears {
            true => Some(
                self.forget_cleared(chat, state.cleared_ms, &mut changes)
                    .await?,
            ),
            false => None,
        };
        changes.chat_states.push((chat.clone(), state));
        let content = Content::ChatState {
            chat: chat.to_string(),
            state,
        };
        self.queue_for_own_devices(content, &mut changes);
        self.store.commit(changes).await?;
        let mut out = Output::default();
        out.events.push(Event::ChatState {
            chat: chat.clone(),
            cleared,
        });
        self.dispatch_own(&mut out).await?;
        Ok(out)
    }

    /// Forgets every message of `chat` sent up to `cleared_ms` (none if 0); returns the ids
    /// of the attachments among them (whose kept files go too).
    async fn forget_cleared(
        &self,
        chat: &ChatId,
        cleared_ms: u64,
        changes: &mut Changes,
    ) -> Result<Vec<MessageId>, EngineError> {
        let mut attachments = Vec::new();
        if cleared_ms == 0 {
            return Ok(attachments);
        }
        let mut before = None;
        loop {
            let page = self
                .store
                .messages(chat, before.as_ref(), CLEAR_PAGE)
                .await?;
            let cleared = page
                .iter()
                .filter(|m| m.kind != Kind::Hidden && m.sent_ms <= cleared_ms);
            for message in cleared {
                changes.amendments.push((message.id, Amendment::Forget));
                if message.attachment.is_some() {
                    attachments.push(message.id);
                }
            }
            match page.first() {
                Some(oldest) if page.len() == CLEAR_PAGE => before = Some(oldest.id),
                _ => return Ok(attachments),
            }
        }
    }

    /// A chat's state from one of our other devices: merged field by field.
    pub(super) async fn receive_chat_state(
        &mut self,
        batch: &mut Batch,
        chat: &str,
        theirs: ChatState,
    ) -> Result<(), EngineError> {
        let Ok(chat) = ChatId::parse(chat) else {
            return Ok(());
        };
        if self.is_own(&chat.to_string()) {
            return Ok(());
        }
        let mut state = self.state_for(batch, &chat).await?;
        let cleared_before = state.cleared_ms;
        if !state.merge(&theirs) {
            return Ok(());
        }
        let cleared = match state.cleared_ms > cleared_before {
            true => Some(
                self.forget_cleared(&chat, state.cleared_ms, &mut batch.changes)
                    .await?,
            ),
            false => None,
        };
        batch.changes.chat_states.push((chat.clone(), state));
        batch.events.push(Event::ChatState { chat, cleared });
        Ok(())
    }

    /// A batch's new messages from others bring their archived chats back, unless muted
    /// (every device does this on its own, by its own clock).
    pub(super) async fn unarchive_on_message(&self, batch: &mut Batch) -> Result<(), EngineError> {
        let chats: Vec<ChatId> = (batch.changes.received.iter())
            .filter(|m| !m.from_me && m.is_reactable())
            .map(|m| m.chat.clone())
            .collect();
        let mut muted = None;
        for chat in chats {
            let mut state = self.state_for(batch, &chat).await?;
            if !state.archived.on {
                continue;
            }
            if muted.is_none() {
                muted = Some(self.store.muted().await?);
            }
            if muted.as_ref().is_some_and(|m| m.contains(&chat)) {
                continue;
            }
            let at = batch.now_ms.max(state.newest_ms().saturating_add(1));
            state.archived = Flag {
                on: false,
                set_ms: at,
            };
            batch.changes.chat_states.push((chat.clone(), state));
            let cleared = None;
            batch.events.push(Event::ChatState { chat, cleared });
        }
        Ok(())
    }

    /// `chat`'s state as the batch leaves it.
    async fn state_for(&self, batch: &Batch, chat: &ChatId) -> Result<ChatState, EngineError> {
        let mut written = batch.changes.chat_states.iter().rev();
        if let Some((_, state)) = written.find(|(c, _)| c == chat) {
            return Ok(*state);
        }
        Ok(state_in(&self.store.chat_states().await?, chat))
    }
}

/// `chat`'s state among `states` (the default if never set).
fn state_in(states: &[(ChatId, ChatState)], chat: &ChatId) -> ChatState {
    let found = states.iter().find(|(c, _)| c == chat);
    found.map(|(_, s)| *s).unwrap_or_default()
}

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
use crate::model::{
    Amendment, ChatId, ChatMessage, ChatState, Flag, Kind, MessageId, CLOCK_MARGIN_MS, MAX_PINNED,
};
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
            true => {
                let mut gone =
                    (self.forget_cleared(&chat, state.cleared_ms, &mut batch.changes)).await?;
                gone.extend(clear_in_batch(batch, &chat, state.cleared_ms));
                Some(gone)
            }
            false => None,
        };
        let pinned = state.pinned.on;
        batch.changes.chat_states.push((chat.clone(), state));
        batch.events.push(Event::ChatState { chat, cleared });
        if pinned {
            self.unpin_past_limit(batch).await?;
        }
        Ok(())
    }

    /// Two of our devices may each pin a chat at once, each within [`MAX_PINNED`], and
    /// together past it. A device that sees more keeps the first chats pinned (by when) up to
    /// the limit and unpins the later ones (as a 4th pin is refused here), stamped just after
    /// their pin, and tells our other devices: an unpin is a setting like any other, so every
    /// device ends in the same state whatever order settings arrive in (the same unpin made on
    /// two devices is the same setting), and a later pin still wins.
    async fn unpin_past_limit(&mut self, batch: &mut Batch) -> Result<(), EngineError> {
        let mut states = self.store.chat_states().await?;
        states.extend(batch.changes.chat_states.iter().cloned());
        let mut pinned: Vec<(ChatId, ChatState)> = Vec::new();
        for (chat, _) in &states {
            let state = state_in(&states, chat);
            if state.pinned.on && !pinned.iter().any(|(c, _)| c == chat) {
                pinned.push((chat.clone(), state));
            }
        }
        if pinned.len() <= MAX_PINNED {
            return Ok(());
        }
        // Ties (the same millisecond) go by the chat's name, the same on every device.
        pinned.sort_by_cached_key(|(chat, state)| (state.pinned.set_ms, chat.to_string()));
        for (chat, mut state) in pinned.into_iter().skip(MAX_PINNED) {
            state.pinned = Flag {
                on: false,
                set_ms: state.pinned.set_ms.saturating_add(1),
            };
            batch.changes.chat_states.push((chat.clone(), state));
            let content = Content::ChatState {
                chat: chat.to_string(),
                state,
            };
            self.queue_for_own_devices(content, &mut batch.changes);
            let cleared = None;
            batch.events.push(Event::ChatState { chat, cleared });
        }
        Ok(())
    }

    /// What a batch's new messages do to the chat list: one sent before its chat was
    /// cleared is cleared too ([`clear_late_arrivals`]), and one from others brings its
    /// archived chat back, unless muted (every device does this on its own, by its own
    /// clock).
    pub(super) async fn list_on_messages(&self, batch: &mut Batch) -> Result<(), EngineError> {
        if batch.changes.received.is_empty() {
            return Ok(());
        }
        let mut states = self.store.chat_states().await?;
        // The batch's own settings come after the stored ones, so they win in `state_in`.
        states.extend(batch.changes.chat_states.iter().cloned());
        clear_late_arrivals(batch, &states);
        self.unarchive_on_message(batch, &states).await
    }

    /// Brings back the archived chats of the batch's new messages from others, unless muted.
    async fn unarchive_on_message(
        &self,
        batch: &mut Batch,
        states: &[(ChatId, ChatState)],
    ) -> Result<(), EngineError> {
        let mut chats: Vec<ChatId> = Vec::new();
        for message in &batch.changes.received {
            let theirs = !message.from_me && message.is_reactable();
            if theirs && !chats.contains(&message.chat) {
                chats.push(message.chat.clone());
            }
        }
        let mut muted = None;
        for chat in chats {
            let mut state = state_in(states, &chat);
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

/// `chat`'s state among `states` (the default if never set; the last one if several).
fn state_in(states: &[(ChatId, ChatState)], chat: &ChatId) -> ChatState {
    let found = states.iter().rev().find(|(c, _)| c == chat);
    found.map(|(_, s)| *s).unwrap_or_default()
}

/// A clear from our other device also clears what came earlier in the same batch (not
/// stored yet, so [`Engine::forget_cleared`] does not see it): it was here before the clear
/// was, as the stored messages were. Returns the attachments among them.
fn clear_in_batch(batch: &mut Batch, chat: &ChatId, cleared_ms: u64) -> Vec<MessageId> {
    forget_received(batch, |m| m.chat == *chat && m.sent_ms <= cleared_ms)
}

/// A message that arrives after its chat was cleared (delayed, or from a sender who was
/// offline) but was sent well before the clear is cleared too: kept only as the mark that it
/// came, and not shown, so a clear holds on every device whatever order things arrive in.
/// "Well before": by more than [`CLOCK_MARGIN_MS`], since the sender's clock may be behind
/// ours, and a message written after the clear must never be lost.
fn clear_late_arrivals(batch: &mut Batch, states: &[(ChatId, ChatState)]) {
    forget_received(batch, |m| {
        let cleared_ms = state_in(states, &m.chat).cleared_ms;
        m.sent_ms.saturating_add(CLOCK_MARGIN_MS) < cleared_ms
    });
}

/// Forgets the batch's new messages that `cleared` picks (they are stored only as the mark
/// that they came) and takes them out of its events; returns the attachments among them.
fn forget_received(batch: &mut Batch, cleared: impl Fn(&ChatMessage) -> bool) -> Vec<MessageId> {
    let (mut gone, mut attachments) = (Vec::new(), Vec::new());
    for message in &mut batch.changes.received {
        if message.kind != Kind::Hidden && cleared(message) {
            if message.attachment.is_some() {
                attachments.push(message.id);
            }
            crate::model::amend(message, &Amendment::Forget);
            gone.push(message.id);
        }
    }
    if !gone.is_empty() {
        let shown = |e: &Event| matches!(e, Event::Message(m) if gone.contains(&m.id));
        batch.events.retain(|e| !shown(e));
    }
    attachments
}

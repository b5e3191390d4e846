//! Actions on messages that came before their message (a reaction, edit or delete overtaking
//! it on another path, say from another device of the sender): held here, bounded and in
//! memory only, and applied when the message arrives.

use hush_protocol::{Rng, Username};

use super::receive::Batch;
use super::Engine;
use crate::content::Amend;
use crate::error::EngineError;
use crate::model::{ChatId, ChatMessage, MessageId, MessageRef, Reaction};
use crate::store::Store;

/// Actions held for messages not here yet; the oldest goes when more come.
const MAX_HELD: usize = 256;

/// One held action.
pub(super) enum HeldAction {
    /// Someone's reaction to the message `target` names.
    Reaction(MessageRef, Reaction),
    /// Its author's edit or delete, written at `sent_ms`.
    Amend {
        /// Who sent it (only the message's author may).
        author: Username,
        /// The change.
        amend: Amend,
        /// When (the author's clock).
        sent_ms: u64,
    },
}

/// Held actions, each with the chat it came in and the message it is for.
#[derive(Default)]
pub(super) struct Held(Vec<(ChatId, MessageId, HeldAction)>);

impl Held {
    /// Whether nothing is held.
    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Held {
    pub(super) fn hold(&mut self, chat: ChatId, id: MessageId, action: HeldAction) {
        if self.0.len() >= MAX_HELD {
            self.0.remove(0);
        }
        self.0.push((chat, id, action));
    }

    /// The held actions for message `id`, taken out, in the order they came.
    pub(super) fn take(&mut self, id: &MessageId) -> Vec<(ChatId, HeldAction)> {
        let (taken, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut self.0)
            .into_iter()
            .partition(|(_, held, _)| held == id);
        self.0 = kept;
        taken.into_iter().map(|(chat, _, a)| (chat, a)).collect()
    }
}

impl<S: Store, R: Rng> Engine<S, R> {
    /// Message `id` as this batch leaves it so far: received in it, else as stored.
    pub(super) async fn message_for(
        &self,
        batch: &Batch,
        id: &MessageId,
    ) -> Result<Option<ChatMessage>, EngineError> {
        match batch.changes.received.iter().find(|m| m.id == *id) {
            Some(message) => Ok(Some(message.clone())),
            None => Ok(self.store.message(id).await?),
        }
    }
}

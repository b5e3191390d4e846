//! Actions on messages that came before their message (a reaction, edit or delete overtaking
//! it on another path, say from another device of the sender): held here, bounded and in
//! memory only, and applied when the message arrives. An action held longer than
//! [`HELD_MS`] (the engine's clock) is dropped, and one chat holds at most
//! [`MAX_HELD_PER_CHAT`], so a single chat cannot push every other chat's actions out.

use hush_protocol::{Rng, Username};

use super::receive::Batch;
use super::Engine;
use crate::content::Amend;
use crate::error::EngineError;
use crate::model::{ChatId, ChatMessage, MessageId, MessageRef, Reaction};
use crate::store::Store;

/// Actions held for messages not here yet; the oldest goes when more come.
const MAX_HELD: usize = 256;
/// Actions one chat may hold; its own oldest goes when more come.
pub(super) const MAX_HELD_PER_CHAT: usize = 64;
/// How long an action is held: a message that has not come by then is not coming.
pub(super) const HELD_MS: u64 = 10 * 60 * 1000;

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

/// One held action, with the chat it came in, the message it is for and when it came (the
/// engine's clock).
struct Entry {
    chat: ChatId,
    id: MessageId,
    at_ms: u64,
    action: HeldAction,
}

/// Held actions, oldest first.
#[derive(Default)]
pub(super) struct Held(Vec<Entry>);

impl Held {
    /// Whether nothing is held.
    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Held {
    /// Holds `action` for message `id` of `chat`, come at `now_ms`.
    pub(super) fn hold(&mut self, chat: ChatId, id: MessageId, action: HeldAction, now_ms: u64) {
        self.age_out(now_ms);
        let in_chat = self.0.iter().filter(|e| e.chat == chat).count();
        if in_chat >= MAX_HELD_PER_CHAT {
            if let Some(oldest) = self.0.iter().position(|e| e.chat == chat) {
                self.0.remove(oldest);
            }
        } else if self.0.len() >= MAX_HELD {
            self.0.remove(0);
        }
        self.0.push(Entry {
            chat,
            id,
            at_ms: now_ms,
            action,
        });
    }

    /// The held actions for message `id`, taken out, in the order they came; at `now_ms`,
    /// so one held too long is dropped instead.
    pub(super) fn take(&mut self, id: &MessageId, now_ms: u64) -> Vec<(ChatId, HeldAction)> {
        self.age_out(now_ms);
        let (taken, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut self.0)
            .into_iter()
            .partition(|e| e.id == *id);
        self.0 = kept;
        taken.into_iter().map(|e| (e.chat, e.action)).collect()
    }

    /// Drops what was held longer than [`HELD_MS`] by `now_ms`.
    fn age_out(&mut self, now_ms: u64) {
        self.0.retain(|e| now_ms.saturating_sub(e.at_ms) <= HELD_MS);
    }

    /// How many actions are held.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.0.len()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn reaction(n: u8) -> HeldAction {
        let by = Username::parse("bob").unwrap();
        let target = MessageRef {
            author: by.clone(),
            id: [n; 16],
        };
        let reaction = Reaction {
            by,
            emoji: "👍".into(),
            sent_ms: 1,
        };
        HeldAction::Reaction(target, reaction)
    }

    fn chat(name: &str) -> ChatId {
        ChatId::parse(name).unwrap()
    }

    #[test]
    fn an_action_held_too_long_is_dropped_not_applied() {
        let mut held = Held::default();
        held.hold(chat("bob"), [1; 16], reaction(1), 1000);
        held.hold(chat("bob"), [2; 16], reaction(2), 1000 + HELD_MS);
        assert_eq!(held.take(&[1; 16], 1001 + HELD_MS).len(), 0);
        assert_eq!(held.len(), 1, "the younger one stays");
        assert_eq!(held.take(&[2; 16], 1000 + 2 * HELD_MS).len(), 1);
        assert!(held.is_empty());
    }

    #[test]
    fn one_chat_cannot_push_out_the_others() {
        let mut held = Held::default();
        held.hold(chat("carol"), [7; 16], reaction(7), 5);
        for n in 0..=255u8 {
            held.hold(chat("mallory"), [n; 16], reaction(n), 5);
        }
        assert_eq!(held.len(), MAX_HELD_PER_CHAT + 1);
        assert_eq!(held.take(&[7; 16], 5).len(), 1, "carol's is still there");
        // Mallory's newest are the ones kept.
        assert_eq!(held.take(&[255; 16], 5).len(), 1);
        assert_eq!(held.take(&[0; 16], 5).len(), 0);
    }

    #[test]
    fn many_chats_together_stay_within_the_bound() {
        let mut held = Held::default();
        for n in 0..=255u8 {
            for name in ["ann", "ben", "cat", "dan", "eve"] {
                held.hold(chat(name), [n; 16], reaction(n), 5);
            }
        }
        assert_eq!(held.len(), MAX_HELD);
    }
}

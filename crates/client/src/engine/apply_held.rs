//! Applying held actions (reactions, edits, deletes that came before their message) once the
//! batch brings their message: each checked as if it came now. Apart from `held`, which only
//! keeps them, so the rules' rooms (`reactions`, `amend`) and the store of held actions do not
//! import each other.

use hush_protocol::Rng;

use super::amend::accept_amend;
use super::held::HeldAction;
use super::reactions::accept_reaction;
use super::receive::Batch;
use super::Engine;
use crate::error::EngineError;
use crate::model::MessageId;
use crate::store::Store;

impl<S: Store, R: Rng> Engine<S, R> {
    /// Held actions whose messages this batch brings, applied with it (each checked as if it
    /// came now).
    pub(super) fn apply_held(&mut self, batch: &mut Batch) -> Result<(), EngineError> {
        if self.held.is_empty() {
            return Ok(());
        }
        let me = self.account_name()?;
        let ids: Vec<MessageId> = batch.changes.received.iter().map(|m| m.id).collect();
        for id in ids {
            for (chat, action) in self.held.take(&id, batch.now_ms) {
                let found = batch.changes.received.iter().find(|m| m.id == id);
                let Some(message) = found.cloned() else {
                    continue;
                };
                match action {
                    HeldAction::Reaction(target, reaction) => {
                        accept_reaction(batch, &me, &message, &chat, &target, reaction);
                    }
                    HeldAction::Amend {
                        author,
                        amend,
                        sent_ms,
                    } => accept_amend(batch, &me, &message, (&chat, &author), amend, sent_ms),
                }
            }
        }
        Ok(())
    }
}

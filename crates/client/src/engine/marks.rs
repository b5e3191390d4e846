//! Stars and deletes for me (issue 21): ours alone, kept on this account's devices only (each
//! tells the others with [`Content::Marks`]); nobody else learns of them.

use hush_protocol::Rng;

use super::receive::Batch;
use super::{Engine, Event, Output};
use crate::content::{Content, Mark, MAX_RECEIPT_IDS};
use crate::error::{EngineError, InputError};
use crate::model::{Amendment, ChatMessage, Kind, MessageId};
use crate::store::{Changes, Store};

impl<S: Store, R: Rng> Engine<S, R> {
    /// Stars (or unstars) message `id` on this account.
    pub async fn star(&mut self, id: &MessageId, starred: bool) -> Result<Output, EngineError> {
        let message = self.store.message(id).await?;
        let message = message
            .filter(ChatMessage::is_reactable)
            .ok_or(InputError::NotReactable)?;
        let mark = match starred {
            true => Mark::Star,
            false => Mark::Unstar,
        };
        self.mark(vec![message], mark).await
    }

    /// Deletes messages `ids` from this account's devices (not from anyone else's).
    pub async fn delete_for_me(&mut self, ids: &[MessageId]) -> Result<Output, EngineError> {
        if ids.len() > MAX_RECEIPT_IDS {
            return Err(InputError::TooMany.into());
        }
        let mut messages = Vec::with_capacity(ids.len());
        for id in ids {
            let message = self.store.message(id).await?;
            messages.extend(message.filter(|m| m.kind != Kind::Hidden));
        }
        self.mark(messages, Mark::Forget).await
    }

    async fn mark(
        &mut self,
        messages: Vec<ChatMessage>,
        mark: Mark,
    ) -> Result<Output, EngineError> {
        let mut changes = Changes::default();
        let mut out = Output::default();
        for message in &messages {
            changes.amendments.push((message.id, amendment(mark)));
            out.events.push(Event::Amended {
                chat: message.chat.clone(),
                id: message.id,
            });
        }
        let ids = messages.iter().map(|m| m.id).collect();
        self.queue_for_own_devices(Content::Marks { mark, ids }, &mut changes);
        self.store.commit(changes).await?;
        self.dispatch_own(&mut out).await?;
        Ok(out)
    }

    /// Marks one of our other devices made: applied to the messages held here (a message not
    /// here is not held for: a star or delete of ours is ours to make again).
    pub(super) async fn receive_marks(
        &mut self,
        batch: &mut Batch,
        mark: Mark,
        ids: Vec<MessageId>,
    ) -> Result<(), EngineError> {
        for id in ids {
            if let Some(message) = self.message_for(batch, &id).await? {
                batch.changes.amendments.push((id, amendment(mark)));
                batch.events.push(Event::Amended {
                    chat: message.chat,
                    id,
                });
            }
        }
        Ok(())
    }
}

fn amendment(mark: Mark) -> Amendment {
    match mark {
        Mark::Star => Amendment::Star(true),
        Mark::Unstar => Amendment::Star(false),
        Mark::Forget => Amendment::Forget,
    }
}

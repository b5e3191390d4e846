//! Reactions (issue 21): ours sent to the chat (a contact's devices with a transcript to our
//! other devices, or the group with our sender key), theirs checked and put on the message.
//! A reaction names its message by author and id; one whose message is another chat's, or
//! another author's, is refused before it changes anything. One that comes before its message
//! is held (`held`) and applied when the message arrives.

use hush_protocol::{Rng, Username};

use super::held::HeldAction;
use super::receive::Batch;
use super::{Engine, Event, Output};
use crate::content::Content;
use crate::error::{EngineError, InputError};
use crate::model::{is_reaction, ChatId, ChatMessage, MessageId, MessageRef, Reaction};
use crate::store::{Changes, Store};

impl<S: Store, R: Rng> Engine<S, R> {
    /// Reacts to message `id` with `emoji` (an empty one takes ours back): shown here at
    /// once, sent to everyone in its chat and to our other devices.
    pub async fn react(
        &mut self,
        id: &MessageId,
        emoji: &str,
        now_ms: u64,
    ) -> Result<Output, EngineError> {
        if !is_reaction(emoji) {
            return Err(InputError::Reaction.into());
        }
        let me = self.account_name()?;
        let message = (self.store.message(id).await?)
            .filter(ChatMessage::is_reactable)
            .ok_or(InputError::NotReactable)?;
        let target = MessageRef {
            author: message.author(&me),
            id: *id,
        };
        let reaction = Reaction {
            by: me,
            emoji: emoji.to_owned(),
            sent_ms: now_ms,
        };
        let changes = Changes {
            reactions: vec![(*id, reaction)],
            ..Changes::default()
        };
        let content = Content::Reaction {
            target,
            emoji: emoji.to_owned(),
            sent_ms: now_ms,
        };
        let mut out = self.send_action(&message.chat, changes, content).await?;
        out.events.push(Event::Reacted {
            chat: message.chat,
            id: *id,
        });
        Ok(out)
    }

    /// A reaction that came in `chat` from `reaction.by`: put on its message if that message
    /// is of this chat and by the author it names, held if the message is not here yet.
    pub(super) async fn receive_reaction(
        &mut self,
        batch: &mut Batch,
        chat: ChatId,
        target: MessageRef,
        reaction: Reaction,
    ) -> Result<(), EngineError> {
        let me = self.account_name()?;
        match self.message_for(batch, &target.id).await? {
            Some(message) => accept_reaction(batch, &me, &message, &chat, &target, reaction),
            None => {
                let id = target.id;
                let action = HeldAction::Reaction(target, reaction);
                self.held.hold(chat, id, action, batch.now_ms);
            }
        }
        Ok(())
    }
}

/// Puts `reaction` on `message` if the message is one people react to, of `chat`, and by the
/// author the reaction names; anything else is refused, changing nothing.
pub(super) fn accept_reaction(
    batch: &mut Batch,
    me: &Username,
    message: &ChatMessage,
    chat: &ChatId,
    target: &MessageRef,
    reaction: Reaction,
) {
    let fits =
        message.is_reactable() && message.chat == *chat && message.author(me) == target.author;
    if !fits {
        return;
    }
    batch.changes.reactions.push((message.id, reaction));
    batch.events.push(Event::Reacted {
        chat: chat.clone(),
        id: message.id,
    });
}

//! Reactions (issue 21): ours sent to the chat (a contact's devices with a transcript to our
//! other devices, or the group with our sender key), theirs checked and put on the message.
//! A reaction names its message by author and id; one whose message is another chat's, or
//! another author's, is refused before it changes anything. One that comes before its message
//! is held here (bounded) and applied when the message arrives.

use hush_protocol::{Rng, Username};

use super::receive::Batch;
use super::{Engine, Event, Output};
use crate::content::Content;
use crate::error::{EngineError, InputError};
use crate::model::{is_reaction, ChatId, ChatMessage, MessageId, MessageRef, Reaction};
use crate::store::{Changes, Store};

/// Reactions held for messages not here yet; the oldest goes when more come.
const MAX_HELD: usize = 256;

/// Reactions that came before their message, with the chat they came in.
#[derive(Default)]
pub(super) struct HeldReactions(Vec<(ChatId, MessageRef, Reaction)>);

impl HeldReactions {
    fn hold(&mut self, chat: ChatId, target: MessageRef, reaction: Reaction) {
        if self.0.len() >= MAX_HELD {
            self.0.remove(0);
        }
        self.0.push((chat, target, reaction));
    }

    /// The held reactions to message `id`, taken out.
    fn take(&mut self, id: &MessageId) -> Vec<(ChatId, MessageRef, Reaction)> {
        let (taken, kept) = std::mem::take(&mut self.0)
            .into_iter()
            .partition(|(_, target, _)| target.id == *id);
        self.0 = kept;
        taken
    }
}

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

    /// Sends `content` (an action on a message, not a message of its own) to `chat`, storing
    /// `changes` with it: to a contact's devices with a transcript to our other devices, or to
    /// a group, whose members' devices (ours among them) all get it.
    async fn send_action(
        &mut self,
        chat: &ChatId,
        mut changes: Changes,
        content: Content,
    ) -> Result<Output, EngineError> {
        let mut out = Output::default();
        match chat {
            ChatId::Group(group) => {
                self.sendable_group(*group).await?;
                let mut entry = self.entry(&self.account_name()?, content);
                entry.to = chat.clone();
                changes.outbox.push(entry);
                self.store.commit(changes).await?;
                if self.connection.authenticated {
                    self.dispatch_group(*group, &mut out).await?;
                }
            }
            ChatId::Direct(contact) => {
                if let Some(transcript) = sent_transcript(chat, &content) {
                    self.queue_for_own_devices(transcript, &mut changes);
                }
                let entry = self.entry(contact, content);
                self.send_entry(contact, entry, changes, &mut out).await?;
                self.dispatch_own(&mut out).await?;
            }
        }
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
        let in_batch = batch.changes.received.iter().find(|m| m.id == target.id);
        let message = match in_batch.cloned() {
            Some(message) => Some(message),
            None => self.store.message(&target.id).await?,
        };
        match message {
            Some(message) => accept_reaction(batch, &me, &message, &chat, &target, reaction),
            None => self.held_reactions.hold(chat, target, reaction),
        }
        Ok(())
    }

    /// Held reactions whose messages this batch brings, applied with it.
    pub(super) fn apply_held_reactions(&mut self, batch: &mut Batch) -> Result<(), EngineError> {
        if self.held_reactions.0.is_empty() {
            return Ok(());
        }
        let me = self.account_name()?;
        let ids: Vec<MessageId> = batch.changes.received.iter().map(|m| m.id).collect();
        for id in ids {
            for (chat, target, reaction) in self.held_reactions.take(&id) {
                let found = batch.changes.received.iter().find(|m| m.id == id);
                if let Some(message) = found.cloned() {
                    accept_reaction(batch, &me, &message, &chat, &target, reaction);
                }
            }
        }
        Ok(())
    }
}

/// Puts `reaction` on `message` if the message is one people react to, of `chat`, and by the
/// author the reaction names; anything else is refused, changing nothing.
fn accept_reaction(
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

/// What our other devices get of an action sent in a 1:1 chat.
fn sent_transcript(chat: &ChatId, content: &Content) -> Option<Content> {
    match content {
        Content::Reaction {
            target,
            emoji,
            sent_ms,
        } => Some(Content::SentReaction {
            to: chat.to_string(),
            target: target.clone(),
            emoji: emoji.clone(),
            sent_ms: *sent_ms,
        }),
        _ => None,
    }
}

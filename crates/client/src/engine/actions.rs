//! Sending an action on a message (a reaction, an edit, a delete): not a message of its own,
//! but content for everyone in the message's chat, stored with what it changes here.

use hush_protocol::Rng;

use super::{Engine, Output};
use crate::content::Content;
use crate::error::EngineError;
use crate::model::ChatId;
use crate::store::{Changes, Store};

impl<S: Store, R: Rng> Engine<S, R> {
    /// Sends `content` to `chat`, storing `changes` with it: to a contact's devices with a
    /// transcript to our other devices, or to a group, whose members' devices (ours among
    /// them) all get it.
    pub(super) async fn send_action(
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
}

/// What our other devices get of an action or message sent in a 1:1 chat (a group's members'
/// devices, ours included, get the group's own copy).
pub(super) fn sent_transcript(chat: &ChatId, content: &Content) -> Option<Content> {
    if matches!(chat, ChatId::Group(_)) {
        return None;
    }
    match content {
        Content::Text { id, sent_ms, body } => Some(Content::Sent {
            to: chat.to_string(),
            id: *id,
            sent_ms: *sent_ms,
            body: body.clone(),
        }),
        Content::Attachment {
            id,
            sent_ms,
            pointer,
        } => Some(Content::SentAttachment {
            to: chat.to_string(),
            id: *id,
            sent_ms: *sent_ms,
            pointer: pointer.clone(),
        }),
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
        Content::Rich(_) | Content::Amend { .. } | Content::Timer { .. } => Some(Content::Mirror {
            to: chat.to_string(),
            inner: Box::new(content.clone()),
        }),
        _ => None,
    }
}

//! Forwards (issue 21): one message sent again to up to five chats, each its own new message
//! marked forwarded. A chat that cannot take it (one we left, say) does not stop the others:
//! the forward goes everywhere it can and says where it could not.

use hush_protocol::attachment::AttachmentPointer;
use hush_protocol::Rng;

use super::attachments::attachment_message;
use super::rich::content_of;
use super::{Engine, Output};
use crate::error::{EngineError, InputError};
use crate::model::{next_hop, ChatId, ChatMessage, MessageId};
use crate::store::Store;

/// The most chats one forward goes to.
pub const MAX_FORWARD_CHATS: usize = 5;

/// What one forward did.
#[derive(Debug, Default)]
pub struct Forwarded {
    /// The new messages, one per chat it went to, in the order the chats were given.
    pub sent: Vec<ChatMessage>,
    /// The chats it could not go to, each with why.
    pub failed: Vec<(ChatId, EngineError)>,
}

impl<S: Store, R: Rng> Engine<S, R> {
    /// Sends message `id` again, as a new message of ours marked forwarded, to each of `chats`
    /// (at most [`MAX_FORWARD_CHATS`]): a text's words, or an attachment's pointer (the same
    /// blob and key, encrypted again for each chat: nothing is uploaded again). Fails as a
    /// whole only if there is nothing to forward or the chats are too many or none; a chat
    /// that fails on its own is named in [`Forwarded::failed`] and the rest still get it.
    pub async fn forward(
        &mut self,
        id: &MessageId,
        chats: &[ChatId],
        now_ms: u64,
    ) -> Result<(Forwarded, Output), EngineError> {
        self.forward_with(id, None, chats, now_ms).await
    }

    /// Forwards attachment message `id` as [`Engine::forward`] does, but pointing at `copy`:
    /// the same file uploaded again as a new blob under a fresh key (its blob was too old to
    /// point at, see [`super::forward_media`]). Refused unless `copy` is the same file (its
    /// SHA-256 and type).
    pub async fn forward_copy(
        &mut self,
        id: &MessageId,
        copy: AttachmentPointer,
        chats: &[ChatId],
        now_ms: u64,
    ) -> Result<(Forwarded, Output), EngineError> {
        self.forward_with(id, Some(copy), chats, now_ms).await
    }

    async fn forward_with(
        &mut self,
        id: &MessageId,
        copy: Option<AttachmentPointer>,
        chats: &[ChatId],
        now_ms: u64,
    ) -> Result<(Forwarded, Output), EngineError> {
        if chats.is_empty() || chats.len() > MAX_FORWARD_CHATS {
            return Err(InputError::ForwardChats.into());
        }
        let mut original = (self.store.message(id).await?)
            .filter(ChatMessage::is_reactable)
            .ok_or(InputError::NotForwardable)?;
        if let Some(copy) = copy {
            let same = original
                .attachment
                .as_deref()
                .is_some_and(|pointer| pointer.sha256 == copy.sha256 && pointer.mime == copy.mime);
            if !same || copy.check().is_err() {
                return Err(InputError::NotForwardable.into());
            }
            original.attachment = Some(Box::new(copy));
        }
        let mut done = Forwarded::default();
        let mut out = Output::default();
        for chat in chats {
            match self.forward_to(&original, chat, now_ms).await {
                Ok((message, more)) => {
                    out.frames.extend(more.frames);
                    out.events.extend(more.events);
                    done.sent.push(message);
                }
                Err(error) => done.failed.push((chat.clone(), error)),
            }
        }
        Ok((done, out))
    }

    /// `original` sent again to `chat` as a new message of ours, one hop further.
    async fn forward_to(
        &mut self,
        original: &ChatMessage,
        chat: &ChatId,
        now_ms: u64,
    ) -> Result<(ChatMessage, Output), EngineError> {
        let mut message = match &original.attachment {
            Some(pointer) => {
                let mut id = [0u8; 16];
                self.rng.fill_bytes(&mut id);
                let pointer = (**pointer).clone();
                attachment_message(id, chat.clone(), true, now_ms, pointer)
            }
            None => self.new_message(chat, &original.body, now_ms),
        };
        message.meta.forwards = next_hop(original.meta.forwards);
        let content = content_of(&message);
        self.send_message(chat, message, content).await
    }
}

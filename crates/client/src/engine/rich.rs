//! Replies and forwards (issue 21; the forward itself is in `forward.rs`): a text or attachment that quotes another message (with a
//! preview kept with it), or that was forwarded (with how many hops it made, so a message
//! forwarded often shows it). Plain messages keep their own forms on the wire.

use hush_protocol::{Rng, Username};

use super::attachments::{attachment_body, attachment_message};
use super::{Engine, Output};
use crate::content::{Content, Rich, MAX_TEXT};
use crate::error::{EngineError, InputError};
use crate::model::{preview, ChatId, ChatMessage, Kind, MessageId, MessageMeta, Quote, Status};
use crate::store::Store;

impl<S: Store, R: Rng> Engine<S, R> {
    /// Sends `body` in the chat of message `quoted`, as a reply to it.
    pub async fn reply(
        &mut self,
        quoted: &MessageId,
        body: &str,
        now_ms: u64,
    ) -> Result<(ChatMessage, Output), EngineError> {
        self.reply_mentioning(quoted, body, &[], now_ms).await
    }

    /// [`Engine::reply`], the reply mentioning `mentions` (those who are members of the
    /// group, as [`Engine::send_mentioning`] keeps them).
    pub async fn reply_mentioning(
        &mut self,
        quoted: &MessageId,
        body: &str,
        mentions: &[Username],
        now_ms: u64,
    ) -> Result<(ChatMessage, Output), EngineError> {
        if body.trim().is_empty() || body.len() > MAX_TEXT {
            return Err(InputError::TextLength.into());
        }
        let me = self.account_name()?;
        let original = (self.store.message(quoted).await?)
            .filter(ChatMessage::is_reactable)
            .ok_or(InputError::NotReactable)?;
        let quote = Quote {
            target: original.reference(&me),
            preview: preview(&original.body),
        };
        let mut message = self.new_message(&original.chat, body, now_ms);
        message.meta.quote = Some(Box::new(quote));
        message.meta.mentions = self.members_among(&original.chat, mentions).await?;
        let content = content_of(&message);
        self.send_message(&original.chat, message, content).await
    }

    /// A received reply's quote as far as we can vouch for it: naming a message we hold, it
    /// must be of the same chat and by the author it names (else it is dropped), and shows
    /// that message's own words; naming one we do not hold (gone, or never came), the
    /// sender's preview stands.
    pub(super) async fn check_quote(
        &self,
        batch: &super::receive::Batch,
        message: &mut ChatMessage,
    ) -> Result<(), EngineError> {
        let Some(target) = message.meta.quote.as_ref().map(|q| q.target.clone()) else {
            return Ok(());
        };
        let me = self.account_name()?;
        match self.message_for(batch, &target.id).await? {
            Some(original)
                if original.chat == message.chat && original.author(&me) == target.author =>
            {
                if let (Some(quote), true) = (&mut message.meta.quote, original.is_reactable()) {
                    quote.preview = preview(&original.body);
                }
            }
            Some(_) => message.meta.quote = None,
            None => {}
        }
        Ok(())
    }

    /// A new text of ours in `chat`, with a fresh id, not sent yet.
    pub(super) fn new_message(&mut self, chat: &ChatId, body: &str, now_ms: u64) -> ChatMessage {
        let mut id = [0u8; 16];
        self.rng.fill_bytes(&mut id);
        ChatMessage {
            id,
            group: None,
            kind: Kind::Text,
            chat: chat.clone(),
            from_me: true,
            body: body.to_owned(),
            sent_ms: now_ms,
            status: Status::Sending,
            attachment: None,
            reactions: Vec::new(),
            meta: MessageMeta::default(),
        }
    }
}

/// How a message of ours travels: a plain text or attachment in its own form, anything with a
/// quote or forwards as [`Content::Rich`], anything mentioning members as
/// [`Content::Mentioned`].
pub(crate) fn content_of(message: &ChatMessage) -> Content {
    let (id, sent_ms) = (message.id, message.sent_ms);
    let pointer = message.attachment.as_deref().cloned();
    let meta = &message.meta;
    if meta.quote.is_none() && meta.forwards == 0 && meta.mentions.is_empty() {
        return match pointer {
            Some(pointer) => Content::Attachment {
                id,
                sent_ms,
                pointer,
            },
            None => Content::Text {
                id,
                sent_ms,
                body: message.body.clone(),
            },
        };
    }
    let body = match &pointer {
        Some(pointer) => pointer.caption.clone(),
        None => message.body.clone(),
    };
    let rich = Rich {
        id,
        sent_ms,
        body,
        attachment: pointer,
        quote: meta.quote.as_deref().cloned(),
        forwards: meta.forwards,
    };
    match meta.mentions.is_empty() {
        true => Content::Rich(Box::new(rich)),
        false => Content::Mentioned(Box::new(crate::content::Mentioned {
            rich,
            mentions: meta.mentions.clone(),
        })),
    }
}

/// A received (or transcribed) rich message as its chat shows it.
pub(crate) fn rich_message(rich: Rich, chat: ChatId, from_me: bool) -> ChatMessage {
    let meta = MessageMeta {
        quote: rich.quote.map(Box::new),
        forwards: rich.forwards,
        ..MessageMeta::default()
    };
    let mut message = match rich.attachment {
        Some(pointer) => attachment_message(rich.id, chat, from_me, rich.sent_ms, pointer),
        None => ChatMessage {
            id: rich.id,
            group: None,
            kind: Kind::Text,
            chat,
            from_me,
            body: rich.body,
            sent_ms: rich.sent_ms,
            status: Status::Delivered,
            attachment: None,
            reactions: Vec::new(),
            meta: MessageMeta::default(),
        },
    };
    if message.kind == Kind::Attachment {
        message.body = message
            .attachment
            .as_deref()
            .map(attachment_body)
            .unwrap_or_default();
    }
    message.meta = meta;
    message
}

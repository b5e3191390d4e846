//! Edits and deletes for everyone (issue 21): only a message's author may make them, an edit
//! within 15 minutes of sending and a delete within 48 hours (the author's clock, checked
//! again on receipt with a margin). Ours are sent to the message's chat; theirs are checked
//! (chat, author, window) before they change anything, and held if their message is not here.

use hush_protocol::{Rng, Username};

use super::held::HeldAction;
use super::receive::Batch;
use super::{Engine, Event, Output};
use crate::content::{Amend, Content, MAX_TEXT};
use crate::error::{EngineError, InputError};
use crate::model::{
    within, Amendment, ChatId, ChatMessage, MessageId, DELETE_WINDOW_MS, EDIT_WINDOW_MS,
};
use crate::store::{Changes, Store};
use hush_protocol::limits::MAX_CAPTION;

impl<S: Store, R: Rng> Engine<S, R> {
    /// Replaces the text (or caption) of our message `id` with `body`, here and for everyone
    /// in its chat; within [`EDIT_WINDOW_MS`] of sending it.
    pub async fn edit(
        &mut self,
        id: &MessageId,
        body: &str,
        now_ms: u64,
    ) -> Result<Output, EngineError> {
        self.edit_mentioning(id, body, &[], now_ms).await
    }

    /// [`Engine::edit`], the new text mentioning `mentions` (those who are members of the
    /// message's group, as [`Engine::send_mentioning`] keeps them).
    pub async fn edit_mentioning(
        &mut self,
        id: &MessageId,
        body: &str,
        mentions: &[Username],
        now_ms: u64,
    ) -> Result<Output, EngineError> {
        if body.trim().is_empty() || body.len() > MAX_TEXT {
            return Err(InputError::TextLength.into());
        }
        let message = self.own_message(id).await?;
        let caption_fits = message.attachment.is_none() || body.len() <= MAX_CAPTION;
        if !in_time(&message, now_ms, EDIT_WINDOW_MS) || !caption_fits {
            return Err(InputError::NotEditable.into());
        }
        let mentions = self.members_among(&message.chat, mentions).await?;
        let amend = Amend::Edit {
            body: body.to_owned(),
            mentions,
        };
        self.send_amend(message, amend, now_ms).await
    }

    /// Deletes our message `id` for everyone in its chat; within [`DELETE_WINDOW_MS`] of
    /// sending it.
    pub async fn delete_for_everyone(
        &mut self,
        id: &MessageId,
        now_ms: u64,
    ) -> Result<Output, EngineError> {
        let message = self.own_message(id).await?;
        if !in_time(&message, now_ms, DELETE_WINDOW_MS) {
            return Err(InputError::NotDeletable.into());
        }
        self.send_amend(message, Amend::Delete, now_ms).await
    }

    /// Our text or attachment `id`, not deleted.
    async fn own_message(&self, id: &MessageId) -> Result<ChatMessage, EngineError> {
        let me = self.account_name()?;
        let message = self.store.message(id).await?;
        message
            .filter(|m| m.is_reactable() && m.author(&me) == me)
            .ok_or_else(|| InputError::NotYours.into())
    }

    async fn send_amend(
        &mut self,
        message: ChatMessage,
        amend: Amend,
        now_ms: u64,
    ) -> Result<Output, EngineError> {
        let changes = Changes {
            amendments: vec![(message.id, amendment(&amend, now_ms))],
            ..Changes::default()
        };
        let content = Content::Amend {
            id: message.id,
            amend,
            sent_ms: now_ms,
        };
        let mut out = self.send_action(&message.chat, changes, content).await?;
        out.events.push(Event::Amended {
            chat: message.chat,
            id: message.id,
        });
        Ok(out)
    }

    /// An edit or delete that came in `chat` from `author`: applied if message `id` is
    /// theirs, of this chat, and it came in time; held if the message is not here yet.
    pub(super) async fn receive_amend(
        &mut self,
        batch: &mut Batch,
        (chat, author): (ChatId, Username),
        id: MessageId,
        amend: Amend,
        sent_ms: u64,
    ) -> Result<(), EngineError> {
        let me = self.account_name()?;
        match self.message_for(batch, &id).await? {
            Some(message) => accept_amend(batch, &me, &message, (&chat, &author), amend, sent_ms),
            None => {
                let action = HeldAction::Amend {
                    author,
                    amend,
                    sent_ms,
                };
                self.held.hold(chat, id, action, batch.now_ms);
            }
        }
        Ok(())
    }
}

/// Puts an edit or delete on `message` if it came from the message's author, in its chat, in
/// time; anything else is refused, changing nothing.
pub(super) fn accept_amend(
    batch: &mut Batch,
    me: &Username,
    message: &ChatMessage,
    (chat, author): (&ChatId, &Username),
    amend: Amend,
    sent_ms: u64,
) {
    let (window, fits_message) = match &amend {
        // A caption has its own, smaller, limit.
        Amend::Edit { body, .. } => (
            EDIT_WINDOW_MS,
            message.attachment.is_none() || body.len() <= MAX_CAPTION,
        ),
        Amend::Delete => (DELETE_WINDOW_MS, true),
    };
    let fits = fits_message
        && message.chat == *chat
        && message.author(me) == *author
        && message.is_reactable()
        && within(message.sent_ms, sent_ms, window);
    if !fits {
        return;
    }
    let mut change = amendment(&amend, sent_ms);
    // Mentions are of group members: as a `Mentioned` message, an edit's are kept in groups
    // only.
    if let (Amendment::Edit { mentions, .. }, None) = (&mut change, chat.group()) {
        mentions.clear();
    }
    batch.changes.amendments.push((message.id, change));
    batch.events.push(Event::Amended {
        chat: chat.clone(),
        id: message.id,
    });
}

/// Whether our own message may still be changed at `now_ms` (no margin: the margin is for
/// other devices' clocks).
fn in_time(message: &ChatMessage, now_ms: u64, window_ms: u64) -> bool {
    now_ms >= message.sent_ms && now_ms - message.sent_ms <= window_ms
}

fn amendment(amend: &Amend, sent_ms: u64) -> Amendment {
    match amend {
        Amend::Edit { body, mentions } => Amendment::Edit {
            body: body.clone(),
            edited_ms: sent_ms,
            mentions: mentions.clone(),
        },
        Amend::Delete => Amendment::Delete,
    }
}

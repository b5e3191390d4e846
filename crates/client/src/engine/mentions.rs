//! Mentions in groups (issue 21): a text naming members (`@Name`, picked from the members),
//! sent as [`Content::Mentioned`] with their usernames so each receiver knows whom it means,
//! whatever names it knows them by. A mention of the receiver notifies even in a muted group
//! ([`crate::notices`]).

use hush_protocol::{Rng, Username};

use super::{Engine, Output};
use crate::content::{Mentioned, MAX_MENTIONS, MAX_TEXT};
use crate::error::{EngineError, InputError};
use crate::model::{ChatId, ChatMessage};
use crate::store::Store;

impl<S: Store, R: Rng> Engine<S, R> {
    /// Sends `body` in `chat` mentioning `mentions`: those who are members of the group
    /// (ourselves left out, each once, at most [`MAX_MENTIONS`]). Mentioning no member (or a
    /// chat that is no group) sends a plain text.
    pub async fn send_mentioning(
        &mut self,
        chat: &ChatId,
        body: &str,
        mentions: &[Username],
        now_ms: u64,
    ) -> Result<(ChatMessage, Output), EngineError> {
        if body.trim().is_empty() || body.len() > MAX_TEXT {
            return Err(InputError::TextLength.into());
        }
        let mut message = self.new_message(chat, body, now_ms);
        message.meta.mentions = self.members_among(chat, mentions).await?;
        let content = super::rich::content_of(&message);
        self.send_message(chat, message, content).await
    }

    /// Those of `wanted` who are members of group `chat` other than us, each once, at most
    /// [`MAX_MENTIONS`].
    pub(super) async fn members_among(
        &self,
        chat: &ChatId,
        wanted: &[Username],
    ) -> Result<Vec<Username>, EngineError> {
        let Some(id) = chat.group() else {
            return Ok(Vec::new());
        };
        let Some(group) = self.store.group(&id).await? else {
            return Ok(Vec::new());
        };
        let me = self.account_name()?;
        let state = group.log.state();
        let mut kept: Vec<Username> = Vec::new();
        for account in wanted {
            let member = state.member(account.as_str()).is_some();
            if member && *account != me && !kept.contains(account) {
                kept.push(account.clone());
            }
        }
        kept.truncate(MAX_MENTIONS);
        Ok(kept)
    }
}

/// A received (or our other device's) mentioning message as its group shows it.
pub(crate) fn mentioned_message(mentioned: Mentioned, chat: ChatId, from_me: bool) -> ChatMessage {
    let mut message = super::rich::rich_message(mentioned.rich, chat, from_me);
    message.meta.mentions = mentioned.mentions;
    message
}

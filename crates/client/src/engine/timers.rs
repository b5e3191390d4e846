//! Disappearing messages (issue 21): a chat's timer is set by a message of its own (a notice
//! in the chat, the newest setting by its sender's clock winning on every device), each text
//! or attachment that comes after it expires that long after it was sent, and [`Engine::expire`]
//! (run at start and on a timer by the app) removes what ran out, also what ran out while the
//! app was closed.

use hush_protocol::{Rng, Username};

use super::receive::Batch;
use super::{Engine, Event, Output};
use crate::content::Content;
use crate::error::{EngineError, InputError};
use crate::model::{
    expiry, is_timer_choice, Amendment, ChatId, ChatMessage, ChatTimer, Kind, MessageId, Notice,
    CLOCK_MARGIN_MS,
};
use crate::store::{Changes, Store};

/// Makes `message` the notice that `setter` set the timer to `timer_ms`, as `me` reads it: the
/// notice as data, and in English as the body (for rows and builds without notices).
fn timer_line(message: &mut ChatMessage, me: &str, setter: Username, timer_ms: u64) {
    let notice = Notice::Timer { setter, timer_ms };
    message.kind = Kind::TimerChanged;
    message.body = notice.english(me);
    message.meta.notice = Some(notice);
}

/// The most messages one [`Engine::expire`] removes (it runs again until none are left).
const EXPIRE_BATCH: usize = 256;

impl<S: Store, R: Rng> Engine<S, R> {
    /// Sets `chat`'s timer to `timer_ms` (one of [`crate::model::TIMER_CHOICES`]), for
    /// everyone in it: a notice here, the setting sent to the chat and our other devices.
    pub async fn set_timer(
        &mut self,
        chat: &ChatId,
        timer_ms: u64,
        now_ms: u64,
    ) -> Result<(ChatMessage, Output), EngineError> {
        if !is_timer_choice(timer_ms) {
            return Err(InputError::Timer.into());
        }
        if !self.may_set_timer(chat, &self.account_name()?).await? {
            return Err(crate::error::GroupActionError::OnlyAdmins.into());
        }
        let me = self.account_name()?;
        let mut message = self.new_message(chat, "", now_ms);
        timer_line(&mut message, &me, me.clone(), timer_ms);
        // Ours wins over what we hold, even if our clock is behind the last setter's.
        let held = self.timer_of(chat).await?;
        let set_ms = held.map_or(now_ms, |t| now_ms.max(t.set_ms.saturating_add(1)));
        let timer = ChatTimer { timer_ms, set_ms };
        let content = Content::Timer {
            id: message.id,
            sent_ms: set_ms,
            timer_ms,
        };
        let changes = Changes {
            timers: vec![(chat.clone(), timer)],
            ..Changes::default()
        };
        self.send_message_with(chat, message, content, changes)
            .await
    }

    /// `chat`'s timer, if one was ever set.
    pub async fn timer_of(&self, chat: &ChatId) -> Result<Option<ChatTimer>, EngineError> {
        let timers = self.store.timers().await?;
        Ok(timers.into_iter().find(|(c, _)| c == chat).map(|(_, t)| t))
    }

    /// Removes up to a batch of messages whose time ran out by `now_ms`, on this device (every
    /// device does the same on its own clock). Call it until it returns no events.
    pub async fn expire(&mut self, now_ms: u64) -> Result<Output, EngineError> {
        let ids = self.store.expired(now_ms, EXPIRE_BATCH).await?;
        let mut changes = Changes::default();
        let mut out = Output::default();
        for id in ids {
            let Some(message) = self.store.message(&id).await? else {
                continue;
            };
            changes.amendments.push((id, Amendment::Forget));
            out.events.push(Event::Amended {
                chat: message.chat,
                id,
            });
        }
        if !changes.is_empty() {
            self.store.commit(changes).await?;
        }
        Ok(out)
    }

    /// A timer setting that came in `chat` (message `id`, set by `setter`, maybe us): its
    /// notice, and the setting itself if it is newer than the one held.
    pub(super) async fn receive_timer(
        &mut self,
        batch: &mut Batch,
        chat: &ChatId,
        (id, sent_ms, timer_ms): (MessageId, u64, u64),
        setter: Username,
    ) -> Result<ChatMessage, EngineError> {
        let held = match batch.changes.timers.iter().rev().find(|(c, _)| c == chat) {
            Some((_, timer)) => Some(*timer),
            None => self.timer_of(chat).await?,
        };
        // A setting from the future would lock the timer against every later one.
        let plausible = sent_ms <= batch.now_ms.saturating_add(CLOCK_MARGIN_MS);
        if plausible && held.is_none_or(|t| t.set_ms < sent_ms) {
            let timer = ChatTimer {
                timer_ms,
                set_ms: sent_ms,
            };
            batch.changes.timers.push((chat.clone(), timer));
        }
        let me = self.account_name()?;
        let mut notice = self.new_message(chat, "", sent_ms);
        notice.id = id;
        timer_line(&mut notice, &me, setter, timer_ms);
        Ok(notice)
    }

    /// Gives each text and attachment the batch brings its expiry under its chat's timer (as
    /// the batch leaves the timers).
    pub(super) async fn stamp_expiry(&self, batch: &mut Batch) -> Result<(), EngineError> {
        if batch.changes.received.is_empty() {
            return Ok(());
        }
        let mut timers = self.store.timers().await?;
        timers.extend(batch.changes.timers.iter().cloned());
        for message in batch.changes.received.iter_mut() {
            let timer = timers.iter().rev().find(|(c, _)| *c == message.chat);
            // A message written before the timer was set (late, or earlier in this batch)
            // keeps the terms it was sent under.
            let timer = timer
                .map(|(_, t)| t)
                .filter(|t| message.sent_ms >= t.set_ms);
            if message.is_reactable() {
                message.meta.expires_ms = expiry(timer, message.sent_ms);
            }
        }
        Ok(())
    }
}

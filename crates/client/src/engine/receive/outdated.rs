//! A message in another wire version than ours (`hush_protocol::WIRE_VERSION`): the sender
//! runs an older or newer Hush. It is acked like any other, nothing of it is taken (no session
//! step, no key), and the chat it came from says so instead of dropping it silently.

use hush_protocol::{DecodeError, Rng};

use super::Batch;
use crate::engine::{Engine, Event};
use crate::model::{ChatId, Kind, Notice, UPDATE_NEEDED};
use crate::store::Store;

/// Whether a decoding error means "another version" (not garbage).
pub(in crate::engine) fn is_outdated<T>(result: &Result<T, DecodeError>) -> bool {
    matches!(result, Err(DecodeError::Outdated(_)))
}

impl<S: Store, R: Rng> Engine<S, R> {
    /// Puts "Update Hush to read this message" in `chat` (once per chat and batch).
    pub(in crate::engine) fn update_needed(&mut self, batch: &mut Batch, chat: ChatId) {
        let said =
            (batch.changes.messages.iter()).any(|m| m.chat == chat && m.kind == Kind::UpdateNeeded);
        if said {
            return;
        }
        let mut line = self.notice(&chat, Kind::UpdateNeeded, batch.now_ms, &mut batch.changes);
        // The English body stays for rows and builds without notices.
        line.body = UPDATE_NEEDED.to_owned();
        line.meta.notice = Some(Notice::UpdateNeeded);
        if let Some(stored) = batch.changes.messages.iter_mut().find(|m| m.id == line.id) {
            stored.clone_from(&line);
        }
        batch.events.push(Event::Message(line));
    }
}

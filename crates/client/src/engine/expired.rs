//! The relay's expiry notices: an envelope of ours was dropped before its recipient device took
//! it, because it outlived the relay's envelope lifetime or because the recipient's account
//! was deleted.

use hush_protocol::relay::{ClientFrame, ServerFrame, MAX_ACKS};
use hush_protocol::{Rng, Username};

use super::{Engine, Event, Output};
use crate::error::EngineError;
use crate::model::{MessageId, Status};
use crate::store::{Changes, Store};

/// One `Expired` frame's fields.
pub(super) struct ExpiryNotice {
    id: u64,
    message: MessageId,
    recipient: Username,
}

impl ExpiryNotice {
    /// The notice an `Expired` frame carries; any other frame is given back.
    pub(super) fn from_frame(frame: ServerFrame) -> Result<Self, ServerFrame> {
        match frame {
            ServerFrame::Expired {
                id,
                client_id,
                recipient,
                ..
            } => Ok(Self {
                id,
                message: client_id,
                recipient,
            }),
            other => Err(other),
        }
    }
}

impl<S: Store, R: Rng> Engine<S, R> {
    /// A one-to-one message of ours that no device of its recipient has acknowledged (still
    /// `Sent`) fails, so the chat shows it was not delivered (a plain text can be sent again).
    /// One notice is taken to speak for the message: a recipient's devices get their envelopes
    /// at once and usually expire together. If another device did take it and its Delivered
    /// receipt comes later, the message moves on from Failed to Delivered. A `Delivered` one
    /// stays so, and a group's messages are left as they are (other members may still get
    /// them). The notices are acknowledged only after that commit, so a crash before it hears
    /// them again.
    pub(super) async fn envelopes_expired(
        &mut self,
        notices: Vec<ExpiryNotice>,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        let mut failed = Vec::new();
        for notice in &notices {
            let Some(message) = self.store.message(&notice.message).await? else {
                continue;
            };
            let undelivered = message.from_me
                && message.status == Status::Sent
                && message.chat.is_with(notice.recipient.as_str());
            if undelivered && !failed.contains(&message.id) {
                failed.push(message.id);
            }
        }
        if !failed.is_empty() {
            self.store
                .commit(Changes {
                    statuses: failed.iter().map(|id| (*id, Status::Failed)).collect(),
                    ..Changes::default()
                })
                .await?;
            out.events
                .extend(failed.iter().map(|id| Event::Status(*id, Status::Failed)));
        }
        let ids: Vec<u64> = notices.iter().map(|n| n.id).collect();
        out.frames
            .extend(ids.chunks(MAX_ACKS).map(|chunk| ClientFrame::AckExpired {
                ids: chunk.to_vec(),
            }));
        Ok(())
    }
}

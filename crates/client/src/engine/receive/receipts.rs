//! Receipts in a batch: the delivery receipts (and, to a new contact, our profile) it owes its
//! senders, sealed on the batch's own sessions so that they are stored with what they
//! confirm; and receipts for our messages, which only move a status forward.

use hush_protocol::relay::ClientFrame;
use hush_protocol::{DeviceAddress, Rng, Username};

use super::Batch;
use crate::content::{ReceiptKind, MAX_RECEIPT_IDS};
use crate::engine::{Engine, Event};
use crate::error::EngineError;
use crate::model::{MessageId, OutboxEntry, Status};
use crate::store::Store;

/// The batch's receipts once sealed: frames to send after the commit, and the senders whose
/// receipts wait in the outbox (no session that can send yet, or not connected).
pub(super) struct SealedReceipts {
    pub(super) frames: Vec<ClientFrame>,
    pub(super) unsealed: Vec<Username>,
}

impl<S: Store, R: Rng> Engine<S, R> {
    /// One delivery receipt per sender (and our profile for a new contact), encrypted on the
    /// batch's sessions and put in its changes.
    pub(super) fn seal_receipts(&mut self, batch: &mut Batch) -> SealedReceipts {
        let mut sealed_receipts = SealedReceipts {
            frames: Vec::new(),
            unsealed: Vec::new(),
        };
        for sender in &batch.introduce {
            if !batch.delivered.iter().any(|(who, _)| who == sender) {
                batch.delivered.push((sender.clone(), Vec::new()));
            }
        }
        for (sender, ids) in std::mem::take(&mut batch.delivered) {
            let mut receipts: Vec<OutboxEntry> = ids
                .chunks(MAX_RECEIPT_IDS)
                .map(|chunk| self.receipt(&sender, ReceiptKind::Delivered, chunk.to_vec()))
                .collect();
            if batch.introduce.contains(&sender) {
                receipts.extend(self.profile_for(&sender));
            }
            let sealed = match self.connection.authenticated {
                true => self.seal(&sender, receipts.clone(), &batch.listed_sessions(&sender)),
                false => None,
            };
            match sealed {
                Some(sealed) => {
                    for (address, record) in sealed.sessions {
                        batch.session_changed(address, record);
                    }
                    batch.changes.outbox.extend(sealed.entries);
                    sealed_receipts.frames.extend(sealed.frames);
                }
                None => {
                    batch.changes.outbox.extend(receipts);
                    sealed_receipts.unsealed.push(sender);
                }
            }
        }
        sealed_receipts
    }

    /// `from`'s receipt for messages of ours: only the chat's own messages move (a peer cannot
    /// mark others'), and a group message's per member.
    pub(super) async fn receive_receipt(
        &mut self,
        batch: &mut Batch,
        from: &DeviceAddress,
        kind: ReceiptKind,
        ids: Vec<MessageId>,
    ) -> Result<(), EngineError> {
        let sender = from.username();
        let kind = self.receipt_seen(kind);
        let status = match kind {
            ReceiptKind::Delivered => Status::Delivered,
            ReceiptKind::Read => Status::Read,
        };
        for id in ids {
            let Some(ours) = self.store.message(&id).await?.filter(|m| m.from_me) else {
                continue;
            };
            if ours.chat.group().is_some() {
                // A member's receipt (checked against the group there).
                self.member_receipt(batch, ours, &sender, kind)?;
            } else if ours.chat.is_with(&sender) && ours.status.can_become(status) {
                batch.changes.statuses.push((id, status));
                batch.events.push(Event::Status(id, status));
            }
        }
        Ok(())
    }
}

//! Read receipts, on or off for this device. Mutual, as in WhatsApp: off, we tell no one we
//! read their messages, and a contact's "read" counts only as delivered here.

use hush_protocol::Rng;

use super::{Engine, Output};
use crate::content::{Content, ReceiptKind};
use crate::error::EngineError;
use crate::model::MessageId;
use crate::store::{Changes, Store};

impl<S: Store, R: Rng> Engine<S, R> {
    /// Whether this device sends read receipts (and so sees them); on until chosen.
    pub fn read_receipts(&self) -> bool {
        self.account.as_ref().is_none_or(|a| a.read_receipts)
    }

    /// Turns read receipts on or off for this device; kept with the account. Turned off, the
    /// Read receipts still waiting in the outbox (read while offline) are dropped with it.
    pub async fn set_read_receipts(&mut self, on: bool) -> Result<Output, EngineError> {
        let mut account = self.account.clone().ok_or(EngineError::NoAccount)?;
        account.read_receipts = on;
        let outbox_done = match on {
            true => Vec::new(),
            false => self.queued_read_receipts().await?,
        };
        self.store
            .commit(Changes {
                account: Some(account.clone()),
                outbox_done,
                ..Changes::default()
            })
            .await?;
        self.account = Some(account);
        Ok(Output::default())
    }

    /// The outbox entries that are Read receipts.
    async fn queued_read_receipts(&self) -> Result<Vec<MessageId>, EngineError> {
        let outbox = self.store.outbox().await?;
        Ok(outbox
            .into_iter()
            .filter(|entry| {
                matches!(
                    Content::decode(&entry.content),
                    Ok(Content::Receipt {
                        kind: ReceiptKind::Read,
                        ..
                    })
                )
            })
            .map(|entry| entry.id)
            .collect())
    }

    /// A receipt as this device takes it: with read receipts off, "read" is only "delivered".
    pub(super) fn receipt_seen(&self, kind: ReceiptKind) -> ReceiptKind {
        match kind {
            ReceiptKind::Read if !self.read_receipts() => ReceiptKind::Delivered,
            kind => kind,
        }
    }
}

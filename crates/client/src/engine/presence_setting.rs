//! Who may see our presence (online, last seen): an account setting, chosen on any of its
//! devices and kept and enforced by the relay. Ours is stored first and sent after every
//! authentication until the relay confirms it; otherwise the relay's word (told on every
//! authentication and when another device changes it) is taken.

use hush_protocol::relay::{ClientFrame, PresenceVisibility};
use hush_protocol::Rng;

use super::{Engine, Event, Output};
use crate::account::LocalAccount;
use crate::error::EngineError;
use crate::store::{Changes, Store};

impl<S: Store, R: Rng> Engine<S, R> {
    /// Who may see this account's presence (the default, everyone, until chosen or told).
    pub fn presence_visibility(&self) -> PresenceVisibility {
        self.account
            .as_ref()
            .map(|a| a.presence)
            .unwrap_or_default()
    }

    /// Sets who may see this account's presence; with `Nobody` the relay also shows it no one
    /// else's. Stored, then sent to the relay (now if connected, else once authenticated).
    pub async fn set_presence_visibility(
        &mut self,
        visibility: PresenceVisibility,
    ) -> Result<Output, EngineError> {
        let mut account = self.account.clone().ok_or(EngineError::NoAccount)?;
        account.presence = visibility;
        account.presence_unsent = true;
        self.store_account(account).await?;
        let mut out = Output::default();
        out.events.push(Event::PresenceVisibility(visibility));
        self.send_presence_visibility(&mut out);
        Ok(out)
    }

    /// Sends our own choice if the relay has not confirmed it yet (and we are signed in).
    pub(super) fn send_presence_visibility(&mut self, out: &mut Output) {
        let Some(account) = &self.account else {
            return;
        };
        if !account.presence_unsent || !self.connection.authenticated {
            return;
        }
        out.frames.push(ClientFrame::SetPresenceVisibility {
            request: self.requests.next(),
            visibility: account.presence,
        });
    }

    /// The relay told the account's setting: the answer to our choice (`request` not 0), or
    /// its word on authenticating or after another device changed it.
    pub(super) async fn presence_visibility_told(
        &mut self,
        request: u32,
        visibility: PresenceVisibility,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        let Some(mut account) = self.account.clone() else {
            return Ok(());
        };
        if account.presence_unsent {
            // Only the relay's answer to our latest choice settles it; anything else is
            // older than that choice, which is on its way.
            if request == 0 || visibility != account.presence {
                return Ok(());
            }
            account.presence_unsent = false;
        } else if visibility == account.presence {
            return Ok(());
        } else {
            account.presence = visibility;
            out.events.push(Event::PresenceVisibility(visibility));
        }
        self.store_account(account).await
    }

    pub(super) async fn store_account(&mut self, account: LocalAccount) -> Result<(), EngineError> {
        self.store
            .commit(Changes {
                account: Some(account.clone()),
                ..Changes::default()
            })
            .await?;
        self.account = Some(account);
        Ok(())
    }
}

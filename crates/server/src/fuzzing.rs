//! For `crates/server/fuzz` only (the `fuzzing` feature; hidden from the docs): a relay's state
//! without a listener, and connections fed frames from a list through the same code a
//! WebSocket's frames go through.

use std::path::PathBuf;

use crate::hub::DeviceKey;
use crate::store::Store;
use crate::{connection, store, AppState, Config, Server, StartError};

/// A relay's state over its real store, without a listener or background tasks (no expiry).
pub struct Relay {
    state: AppState,
    /// The database file, reopened by [`Relay::close`].
    database: PathBuf,
}

impl Relay {
    /// The relay `Server::new` would serve with `config`.
    pub fn open(config: &Config) -> Result<Self, StartError> {
        let server = Server::new(config)?;
        Ok(Self {
            state: server.state,
            database: config.data.join("hush.db"),
        })
    }

    /// Serves `frames` as one connection that was challenged with `nonce`: signed in as
    /// `signed_in` (account, device) from the first frame, or a guest until a frame
    /// authenticates it. Returns the binary messages the relay sent, in order.
    pub async fn connection<'f>(
        &self,
        nonce: &[u8; 32],
        signed_in: Option<(&str, u32)>,
        frames: impl IntoIterator<Item = &'f [u8]>,
    ) -> Vec<Vec<u8>> {
        let signed_in = signed_in.map(|(account, device)| DeviceKey {
            account: account.to_owned(),
            device,
        });
        connection::fuzzing::replay(&self.state, nonce, signed_in, frames).await
    }

    /// Closes the relay, reopens its database, and checks that the store counted (in memory,
    /// after each commit) at least the envelopes the reopened database holds. It may count a
    /// few more: an ack cut short by a failure is not subtracted (see the store's writer).
    pub async fn close(self) -> Result<(), String> {
        let counted = (self.state.store.queue_depth().await).map_err(|e| e.to_string())?;
        drop(self.state);
        let reopened = store::sqlite::SqliteStore::open(&self.database)
            .map_err(|e| format!("the database does not open again: {e}"))?;
        let stored = (reopened.queue_depth().await).map_err(|e| e.to_string())?;
        if stored <= counted {
            Ok(())
        } else {
            Err(format!("{counted} envelopes counted, but {stored} stored"))
        }
    }
}

//! Who may change a chat's disappearing-message timer (issue 21): anyone in a 1:1 chat; in a
//! group where only admins may edit its settings (the signed permission `only_admins_edit`,
//! which covers the name, the description and the timer, as group settings go), its admins
//! only. Our own change is refused before it is sent; a member's is refused on receipt.

use hush_protocol::{Rng, Username};

use super::Engine;
use crate::error::EngineError;
use crate::model::ChatId;
use crate::store::Store;

impl<S: Store, R: Rng> Engine<S, R> {
    /// Whether `who` may change `chat`'s timer, as this device holds the group now.
    pub(super) async fn may_set_timer(
        &self,
        chat: &ChatId,
        who: &Username,
    ) -> Result<bool, EngineError> {
        let Some(id) = chat.group() else {
            return Ok(true);
        };
        let Some(group) = self.store.group(&id).await? else {
            // Not a group we hold: sending to it fails on its own.
            return Ok(true);
        };
        let state = group.log.state();
        Ok(!state.only_admins_edit || state.is_admin(who.as_str()))
    }
}

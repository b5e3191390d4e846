//! One [`Changes`] batch written on an open transaction, in the memory store's order.

use hush_client::model::{add_reaction, amend};
use hush_client::store::encoding::{
    encode_account, encode_chat_state, encode_group, encode_outbox, encode_pinned, encode_profile,
    encode_timer,
};
use hush_client::{Changes, StoreError};
use rusqlite::Connection;
use zeroize::Zeroizing;

use crate::rows::*;
use crate::SqliteStore;

impl SqliteStore {
    /// Everything in `changes` on the open transaction `db` (the caller commits it, or drops
    /// it on an error, which rolls all of it back).
    pub(crate) fn apply(&self, db: &Connection, mut changes: Changes) -> Result<(), StoreError> {
        self.apply_keys(db, &mut changes)?;
        self.apply_messages(db, &mut changes)?;
        self.apply_others(db, changes)
    }

    /// The account, sessions and prekeys.
    fn apply_keys(&self, db: &Connection, changes: &mut Changes) -> Result<(), StoreError> {
        if let Some(account) = changes.account.take() {
            self.put_record(db, ACCOUNT, b"", None, 0, &encode_account(&account))?;
        }
        for (peer, record) in std::mem::take(&mut changes.sessions) {
            let owner = self.tag(OWNER, peer.account().as_bytes())?;
            let rest =
                Zeroizing::new([&peer.device().to_be_bytes()[..], &record.to_bytes()].concat());
            let value = Zeroizing::new(framed(peer.account().as_bytes(), &rest)?);
            self.put_record(db, SESSION, &session_key(&peer), Some(&owner), 0, &value)?;
        }
        for prekey in std::mem::take(&mut changes.new_prekeys) {
            let id = prekey.id().to_be_bytes();
            self.put_record(db, PREKEY, &id, None, 0, &prekey.to_bytes())?;
        }
        for id in std::mem::take(&mut changes.used_prekeys) {
            self.delete_record(db, PREKEY, &id.to_be_bytes())?;
        }
        Ok(())
    }

    /// Messages, then statuses, reactions and amendments of stored ones.
    fn apply_messages(&self, db: &Connection, changes: &mut Changes) -> Result<(), StoreError> {
        for message in std::mem::take(&mut changes.messages) {
            let seq = match self.message_at(db, &message.id)? {
                Some((seq, _)) => seq,
                None => self.next_seq(db)?,
            };
            self.put_message(db, seq, &message)?;
        }
        for message in std::mem::take(&mut changes.received) {
            if self.message_at(db, &message.id)?.is_none() {
                let seq = self.next_seq(db)?;
                self.put_message(db, seq, &message)?;
            }
        }
        for (id, status) in std::mem::take(&mut changes.statuses) {
            if let Some((seq, mut message)) = self.message_at(db, &id)? {
                if message.status.can_become(status) {
                    message.status = status;
                    self.put_message(db, seq, &message)?;
                }
            }
        }
        for (id, reaction) in std::mem::take(&mut changes.reactions) {
            if let Some((seq, mut message)) = self.message_at(db, &id)? {
                if add_reaction(&mut message.reactions, reaction) {
                    self.put_message(db, seq, &message)?;
                }
            }
        }
        for (id, amendment) in std::mem::take(&mut changes.amendments) {
            if let Some((seq, mut message)) = self.message_at(db, &id)? {
                if amend(&mut message, &amendment) {
                    self.put_message(db, seq, &message)?;
                }
            }
        }
        Ok(())
    }

    /// Timers, the outbox, contacts, mutes, device lists, groups and chat states.
    fn apply_others(&self, db: &Connection, changes: Changes) -> Result<(), StoreError> {
        for (chat, timer) in changes.timers {
            let chat = chat.to_string();
            let value = framed(chat.as_bytes(), &encode_timer(&timer))?;
            self.put_record(db, TIMER, chat.as_bytes(), None, 0, &value)?;
        }
        for entry in changes.outbox {
            let seq = match self.record_seq(db, OUTBOX, &entry.id)? {
                Some(seq) => seq,
                None => self.next_seq(db)?,
            };
            self.put_record(db, OUTBOX, &entry.id, None, seq, &encode_outbox(&entry))?;
        }
        for id in changes.outbox_done {
            self.delete_record(db, OUTBOX, &id)?;
        }
        for (account, key) in changes.verified {
            match key {
                Some(key) => {
                    let value = Zeroizing::new(framed(account.as_bytes(), &key)?);
                    self.put_record(db, VERIFIED, account.as_bytes(), None, 0, &value)?;
                }
                None => self.delete_record(db, VERIFIED, account.as_bytes())?,
            }
        }
        for (account, name) in changes.names {
            let value = framed(account.as_bytes(), name.as_bytes())?;
            self.put_record(db, NAME, account.as_bytes(), None, 0, &value)?;
        }
        for (account, profile) in changes.profiles {
            let value = Zeroizing::new(framed(account.as_bytes(), &encode_profile(&profile))?);
            self.put_record(db, PROFILE, account.as_bytes(), None, 0, &value)?;
        }
        for (chat, muted) in changes.muted {
            let chat = chat.to_string();
            match muted {
                true => self.put_record(db, MUTED, chat.as_bytes(), None, 0, chat.as_bytes())?,
                false => self.delete_record(db, MUTED, chat.as_bytes())?,
            }
        }
        for pinned in changes.pinned_devices {
            let account = pinned.list.account.clone();
            self.put_record(
                db,
                PINNED,
                account.as_bytes(),
                None,
                0,
                &encode_pinned(&pinned),
            )?;
        }
        for group in changes.groups {
            self.put_record(db, GROUP, &group.id(), None, 0, &encode_group(&group))?;
        }
        for (chat, state) in changes.chat_states {
            let chat = chat.to_string();
            let value = framed(chat.as_bytes(), &encode_chat_state(&state))?;
            self.put_record(db, CHAT_STATE, chat.as_bytes(), None, 0, &value)?;
        }
        Ok(())
    }
}

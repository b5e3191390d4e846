//! [`Store`] and the search's [`TermIndex`] over the rows of `rows.rs`.

use hush_client::model::{
    ChatId, ChatMessage, ChatState, ChatSummary, ChatTimer, ContactProfile, GroupRecord, MessageId,
    OutboxEntry, PinnedDevices,
};
use hush_client::search::{self, Found, Query, QueryTerm, TermIndex};
use hush_client::store::encoding::{
    decode_account, decode_chat_state, decode_group, decode_outbox, decode_pinned, decode_profile,
    decode_timer,
};
use hush_client::{Changes, LocalAccount, Store, StoreError};
use hush_protocol::keys::OneTimePreKeyPair;
use hush_protocol::record::SessionRecord;
use hush_protocol::{DeviceAddress, Username};
use rusqlite::params;

use crate::rows::*;
use crate::SqliteStore;

impl TermIndex for SqliteStore {
    async fn some_places(&self, term: &QueryTerm, cap: usize) -> Result<Vec<f64>, StoreError> {
        let (exact, longer) = self.term_tags(term)?;
        self.places(
            "SELECT seq FROM terms WHERE term = ?1 OR term = ?2 LIMIT ?3",
            params![exact, longer, sql_limit(cap)],
        )
    }

    async fn newest_places(&self, term: &QueryTerm, cap: usize) -> Result<Vec<f64>, StoreError> {
        // Past the cap, the newest entries of all the terms a prefix starts (the keyed hashes
        // do not sort as the terms do).
        let (exact, longer) = self.term_tags(term)?;
        self.places(
            "SELECT seq FROM terms WHERE term = ?1 OR term = ?2 ORDER BY seq DESC LIMIT ?3",
            params![exact, longer, sql_limit(cap)],
        )
    }

    async fn longer_places(&self, text: &str, cap: usize) -> Result<Vec<f64>, StoreError> {
        let longer = self.tag(LONGER_TERM, text.as_bytes())?;
        self.places(
            "SELECT seq FROM terms WHERE term = ?1 LIMIT ?2",
            params![longer, sql_limit(cap)],
        )
    }

    async fn load(
        &self,
        places: &[f64],
        chat: Option<&str>,
    ) -> Result<Vec<Option<ChatMessage>>, StoreError> {
        let mut found = Vec::with_capacity(places.len());
        for place in places {
            // Places are whole numbers this store handed out.
            let messages = self.load_messages(
                &self.db,
                "SELECT id, value FROM messages WHERE seq = ?1",
                [*place as i64],
            )?;
            let message = messages.into_iter().next();
            found.push(message.filter(|m| chat.is_none_or(|chat| m.chat.to_string() == chat)));
        }
        Ok(found)
    }
}

impl Store for SqliteStore {
    async fn account(&self) -> Result<Option<LocalAccount>, StoreError> {
        let found = self.record(ACCOUNT, b"")?;
        found
            .map(|bytes| decode_account(&bytes).map_err(corrupt))
            .transpose()
    }

    async fn session(&self, peer: &DeviceAddress) -> Result<Option<SessionRecord>, StoreError> {
        let Some(value) = self.record(SESSION, &session_key(peer))? else {
            return Ok(None);
        };
        let (_, rest) = unframe(&value)?;
        let (_, record) = rest
            .split_first_chunk::<4>()
            .ok_or_else(|| corrupt("a session too short"))?;
        Ok(Some(SessionRecord::from_bytes(record).map_err(corrupt)?))
    }

    async fn sessions_with(
        &self,
        account: &str,
    ) -> Result<Vec<(DeviceAddress, SessionRecord)>, StoreError> {
        let owner = self.tag(OWNER, account.as_bytes())?;
        let mut found = Vec::new();
        for value in self.records(SESSION, Some(&owner))? {
            let (name, rest) = unframe(&value)?;
            let (device, record) = rest
                .split_first_chunk::<4>()
                .ok_or_else(|| corrupt("a session too short"))?;
            let address = DeviceAddress::new(text(name)?.to_owned(), u32::from_be_bytes(*device))
                .map_err(corrupt)?;
            if address.account() == account {
                found.push((address, SessionRecord::from_bytes(record).map_err(corrupt)?));
            }
        }
        found.sort_by_key(|(address, _)| address.device());
        Ok(found)
    }

    async fn prekey(&self, id: u32) -> Result<Option<OneTimePreKeyPair>, StoreError> {
        let found = self.record(PREKEY, &id.to_be_bytes())?;
        found
            .map(|bytes| OneTimePreKeyPair::from_bytes(&bytes).map_err(corrupt))
            .transpose()
    }

    async fn message(&self, id: &MessageId) -> Result<Option<ChatMessage>, StoreError> {
        Ok(self.message_at(&self.db, id)?.map(|(_, m)| m))
    }

    async fn messages(
        &self,
        chat: &ChatId,
        before: Option<&MessageId>,
        limit: usize,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        let end = match before {
            Some(id) => match self.message_at(&self.db, id)? {
                Some((seq, m)) if m.chat == *chat => seq,
                _ => return Ok(Vec::new()),
            },
            None => i64::MAX,
        };
        let mut found = self.load_messages(
            &self.db,
            "SELECT id, value FROM messages WHERE chat = ?1 AND seq < ?2 \
             ORDER BY seq DESC LIMIT ?3",
            params![self.chat_tag(chat)?, end, sql_limit(limit)],
        )?;
        found.reverse();
        Ok(found)
    }

    async fn messages_after(
        &self,
        chat: &ChatId,
        after: &MessageId,
        limit: usize,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        let start = match self.message_at(&self.db, after)? {
            Some((seq, m)) if m.chat == *chat => seq,
            _ => return Ok(Vec::new()),
        };
        self.load_messages(
            &self.db,
            "SELECT id, value FROM messages WHERE chat = ?1 AND seq > ?2 \
             ORDER BY seq LIMIT ?3",
            params![self.chat_tag(chat)?, start, sql_limit(limit)],
        )
    }

    async fn unread(&self, chat: &ChatId) -> Result<Vec<MessageId>, StoreError> {
        let mut statement = (self.db)
            .prepare_cached("SELECT id FROM messages WHERE chat = ?1 AND unread = 1")
            .map_err(backend)?;
        let rows = statement
            .query_map([self.chat_tag(chat)?], |row| blob(row, 0))
            .map_err(backend)?;
        message_ids(rows)
    }

    async fn verified(&self, account: &Username) -> Result<Option<[u8; 64]>, StoreError> {
        let Some(value) = self.record(VERIFIED, account.as_bytes())? else {
            return Ok(None);
        };
        let (_, key) = unframe(&value)?;
        Ok(Some(key.try_into().map_err(|_| corrupt("a verified key"))?))
    }

    async fn names(&self) -> Result<Vec<(Username, String)>, StoreError> {
        self.keyed(NAME, |account, name| {
            Ok((username(account)?, text(name)?.to_owned()))
        })
    }

    async fn profiles(&self) -> Result<Vec<(Username, ContactProfile)>, StoreError> {
        self.keyed(PROFILE, |account, profile| {
            Ok((
                username(account)?,
                decode_profile(profile).map_err(corrupt)?,
            ))
        })
    }

    async fn timers(&self) -> Result<Vec<(ChatId, ChatTimer)>, StoreError> {
        self.keyed(TIMER, |chat, timer| {
            Ok((chat_id(chat)?, decode_timer(timer).map_err(corrupt)?))
        })
    }

    async fn expired(&self, now_ms: u64, limit: usize) -> Result<Vec<MessageId>, StoreError> {
        let now = i64::try_from(now_ms).unwrap_or(i64::MAX);
        let mut statement = (self.db)
            .prepare_cached(
                "SELECT id FROM messages WHERE expires_ms IS NOT NULL AND expires_ms <= ?1 \
                 ORDER BY id LIMIT ?2",
            )
            .map_err(backend)?;
        let rows = statement
            .query_map(params![now, sql_limit(limit)], |row| blob(row, 0))
            .map_err(backend)?;
        message_ids(rows)
    }

    async fn starred(&self, limit: usize) -> Result<Vec<ChatMessage>, StoreError> {
        // Only starred rows are read; their time is inside the sealed value.
        let mut starred = self.load_messages(
            &self.db,
            "SELECT id, value FROM messages WHERE starred = 1",
            [],
        )?;
        starred.sort_unstable_by_key(|m| std::cmp::Reverse((m.sent_ms, m.id)));
        starred.truncate(limit);
        Ok(starred)
    }

    async fn search(
        &self,
        query: &Query,
        chat: Option<&ChatId>,
        limit: usize,
    ) -> Result<Found, StoreError> {
        let chat = chat.map(ChatId::to_string);
        search::run(self, query, chat.as_deref(), limit).await
    }

    async fn muted(&self) -> Result<Vec<ChatId>, StoreError> {
        let mut chats = Vec::new();
        for value in self.records(MUTED, None)? {
            chats.push(text(&value)?.to_owned());
        }
        chats.sort();
        chats.iter().map(|chat| chat_id(chat.as_bytes())).collect()
    }

    async fn pinned_devices(&self, account: &str) -> Result<Option<PinnedDevices>, StoreError> {
        let found = self.record(PINNED, account.as_bytes())?;
        found
            .map(|bytes| decode_pinned(&bytes).map_err(corrupt))
            .transpose()
    }

    async fn group(&self, id: &[u8; 16]) -> Result<Option<GroupRecord>, StoreError> {
        let found = self.record(GROUP, id)?;
        found
            .map(|bytes| decode_group(&bytes).map_err(corrupt))
            .transpose()
    }

    async fn groups(&self) -> Result<Vec<GroupRecord>, StoreError> {
        let mut groups = (self.records(GROUP, None)?.iter())
            .map(|bytes| decode_group(bytes).map_err(corrupt))
            .collect::<Result<Vec<_>, _>>()?;
        groups.sort_by_key(GroupRecord::id);
        Ok(groups)
    }

    async fn chats(&self) -> Result<Vec<ChatSummary>, StoreError> {
        // Per chat its newest place and unread count from the index, then one message each.
        let mut statement = (self.db)
            .prepare_cached(
                "SELECT MAX(seq) AS last, SUM(unread) FROM messages \
                 GROUP BY chat ORDER BY last DESC",
            )
            .map_err(backend)?;
        let rows = statement
            .query_map([], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?)))
            .map_err(backend)?;
        let mut chats = Vec::new();
        for row in rows {
            let (last, unread) = row.map_err(backend)?;
            let found = self.load_messages(
                &self.db,
                "SELECT id, value FROM messages WHERE seq = ?1",
                [last],
            )?;
            let last = found
                .into_iter()
                .next()
                .ok_or_else(|| corrupt("a chat's last message"))?;
            chats.push(ChatSummary {
                chat: last.chat.clone(),
                last,
                unread: u32::try_from(unread).map_err(corrupt)?,
            });
        }
        Ok(chats)
    }

    async fn chat_states(&self) -> Result<Vec<(ChatId, ChatState)>, StoreError> {
        self.keyed(CHAT_STATE, |chat, state| {
            Ok((chat_id(chat)?, decode_chat_state(state).map_err(corrupt)?))
        })
    }

    async fn outbox(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        (self.records(OUTBOX, None)?.iter())
            .map(|bytes| decode_outbox(bytes).map_err(corrupt))
            .collect()
    }

    async fn outbox_entry(&self, id: &MessageId) -> Result<Option<OutboxEntry>, StoreError> {
        let found = self.record(OUTBOX, id)?;
        found
            .map(|bytes| decode_outbox(&bytes).map_err(corrupt))
            .transpose()
    }

    async fn commit(&self, changes: Changes) -> Result<(), StoreError> {
        // One transaction: an error drops it unfinished, which rolls everything back.
        let tx = self.db.unchecked_transaction().map_err(backend)?;
        self.apply(&tx, changes)?;
        tx.commit().map_err(backend)
    }
}

/// The message ids a query of one `blob` column gave.
fn message_ids(
    rows: impl Iterator<Item = rusqlite::Result<Result<Vec<u8>, StoreError>>>,
) -> Result<Vec<MessageId>, StoreError> {
    let mut found = Vec::new();
    for id in rows {
        let id = id.map_err(backend)??;
        found.push(
            id.as_slice()
                .try_into()
                .map_err(|_| corrupt("a message id"))?,
        );
    }
    Ok(found)
}

//! [`Store`] and the search's [`TermIndex`] over the tables of `migrations/v1.rs`.

use hush_client::model::{
    add_reaction, amend, is_unread, ChatId, ChatMessage, ChatState, ChatSummary, ChatTimer,
    ContactProfile, GroupRecord, Kind, MessageId, OutboxEntry, PinnedDevices,
};
use hush_client::search::{self, terms_of, Found, Query, QueryTerm, TermIndex};
use hush_client::store::encoding::{
    decode_account, decode_chat_state, decode_group, decode_message, decode_outbox, decode_pinned,
    decode_profile, decode_timer, encode_account, encode_chat_state, encode_group, encode_message,
    encode_outbox, encode_pinned, encode_profile, encode_timer,
};
use hush_client::{Changes, LocalAccount, Store, StoreError};
use hush_protocol::keys::OneTimePreKeyPair;
use hush_protocol::record::SessionRecord;
use hush_protocol::{DeviceAddress, Username};
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension, Row};
use zeroize::Zeroizing;

use crate::SqliteStore;

/// Kinds of keyed record (`records.kind`); each is also its tags' domain.
const ACCOUNT: u8 = 1;
const SESSION: u8 = 2;
const PREKEY: u8 = 3;
const VERIFIED: u8 = 4;
const NAME: u8 = 5;
const PROFILE: u8 = 6;
const TIMER: u8 = 7;
const MUTED: u8 = 8;
const PINNED: u8 = 9;
const GROUP: u8 = 10;
const CHAT_STATE: u8 = 11;
const OUTBOX: u8 = 12;
/// Tag domains of other lookups.
const CHAT: u8 = 100;
const OWNER: u8 = 101;
/// A search term itself, and a strict prefix of one (what a prefix query finds beyond it).
const EXACT_TERM: u8 = 102;
const LONGER_TERM: u8 = 103;

/// The largest value read back; past it the row is damaged (a message with its attachment's
/// metadata is a few KB, a group with its sender keys at most a few hundred).
const MAX_VALUE: usize = 16 << 20;

fn backend(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn corrupt(e: impl core::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

fn crypto(e: String) -> StoreError {
    StoreError::Backend(e)
}

/// A count for SQL's LIMIT.
fn sql_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// A blob column, refused past [`MAX_VALUE`] before it is copied.
fn blob(row: &Row<'_>, at: usize) -> rusqlite::Result<Result<Vec<u8>, StoreError>> {
    Ok(match row.get_ref(at)? {
        ValueRef::Blob(bytes) if bytes.len() <= MAX_VALUE => Ok(bytes.to_vec()),
        ValueRef::Blob(bytes) => Err(corrupt(format!("a value of {} bytes", bytes.len()))),
        _ => Err(corrupt("a value is not bytes")),
    })
}

/// What a record's value is sealed for: its table, kind and tag.
fn record_aad(kind: u8, tag: &[u8]) -> Vec<u8> {
    [b"records/".as_slice(), &[kind], tag].concat()
}

fn message_aad(id: &MessageId) -> Vec<u8> {
    [b"messages/".as_slice(), id].concat()
}

/// `key` (length first) and then `rest`: a record's own key travels inside its sealed value.
fn framed(key: &[u8], rest: &[u8]) -> Result<Vec<u8>, StoreError> {
    let len = u16::try_from(key.len()).map_err(|_| corrupt("a key over 64 KB"))?;
    Ok([&len.to_be_bytes(), key, rest].concat())
}

fn unframe(bytes: &[u8]) -> Result<(&[u8], &[u8]), StoreError> {
    let (len, rest) = bytes
        .split_first_chunk::<2>()
        .ok_or_else(|| corrupt("a framed value too short"))?;
    rest.split_at_checked(usize::from(u16::from_be_bytes(*len)))
        .ok_or_else(|| corrupt("a framed value too short"))
}

fn text(bytes: &[u8]) -> Result<&str, StoreError> {
    core::str::from_utf8(bytes).map_err(corrupt)
}

fn username(bytes: &[u8]) -> Result<Username, StoreError> {
    Username::parse(text(bytes)?).map_err(corrupt)
}

fn chat_id(bytes: &[u8]) -> Result<ChatId, StoreError> {
    ChatId::parse(text(bytes)?).map_err(corrupt)
}

/// A session's row key: the account, a zero byte, the device.
fn session_key(peer: &DeviceAddress) -> Vec<u8> {
    [
        peer.account().as_bytes(),
        &[0],
        &peer.device().to_be_bytes(),
    ]
    .concat()
}

/// Strict prefixes of `term`, by character.
fn strict_prefixes(term: &str) -> impl Iterator<Item = &str> {
    term.char_indices().skip(1).map(move |(at, _)| &term[..at])
}

impl SqliteStore {
    fn tag(&self, domain: u8, bytes: &[u8]) -> Result<Vec<u8>, StoreError> {
        self.vault.tag(domain, bytes).map_err(crypto)
    }

    /// The value of record `key` of `kind`, opened.
    fn record(&self, kind: u8, key: &[u8]) -> Result<Option<Zeroizing<Vec<u8>>>, StoreError> {
        let tag = self.tag(kind, key)?;
        let found = (self.db)
            .prepare_cached("SELECT value FROM records WHERE kind = ?1 AND tag = ?2")
            .and_then(|mut s| {
                s.query_row(params![kind, tag], |row| blob(row, 0))
                    .optional()
            })
            .map_err(backend)?;
        let Some(value) = found.transpose()? else {
            return Ok(None);
        };
        let aad = record_aad(kind, &tag);
        Ok(Some(self.vault.open(&aad, &value).map_err(corrupt)?))
    }

    /// Every record of `kind` (of `owner`'s, when given), opened, in `seq` order.
    fn records(
        &self,
        kind: u8,
        owner: Option<&[u8]>,
    ) -> Result<Vec<Zeroizing<Vec<u8>>>, StoreError> {
        let sql = match owner {
            Some(_) => {
                "SELECT tag, value FROM records WHERE kind = ?1 AND owner = ?2 \
                        ORDER BY seq, tag"
            }
            None => {
                "SELECT tag, value FROM records WHERE kind = ?1 AND ?2 IS NULL \
                     ORDER BY seq, tag"
            }
        };
        let mut statement = self.db.prepare_cached(sql).map_err(backend)?;
        let rows = statement
            .query_map(params![kind, owner], |row| {
                Ok((blob(row, 0)?, blob(row, 1)?))
            })
            .map_err(backend)?;
        let mut found = Vec::new();
        for row in rows {
            let (tag, value) = row.map_err(backend)?;
            let aad = record_aad(kind, &tag?);
            found.push(self.vault.open(&aad, &value?).map_err(corrupt)?);
        }
        Ok(found)
    }

    /// Puts record `key` of `kind`, replacing what was there.
    fn put_record(
        &self,
        db: &Connection,
        kind: u8,
        key: &[u8],
        owner: Option<&[u8]>,
        seq: i64,
        value: &[u8],
    ) -> Result<(), StoreError> {
        let tag = self.tag(kind, key)?;
        let sealed = (self.vault)
            .seal(&record_aad(kind, &tag), value)
            .map_err(crypto)?;
        db.prepare_cached(
            "INSERT OR REPLACE INTO records (kind, tag, owner, seq, value) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .and_then(|mut s| s.execute(params![kind, tag, owner, seq, sealed]))
        .map_err(backend)?;
        Ok(())
    }

    fn delete_record(&self, db: &Connection, kind: u8, key: &[u8]) -> Result<(), StoreError> {
        let tag = self.tag(kind, key)?;
        db.prepare_cached("DELETE FROM records WHERE kind = ?1 AND tag = ?2")
            .and_then(|mut s| s.execute(params![kind, tag]))
            .map_err(backend)?;
        Ok(())
    }

    /// The `seq` of record `key` of `kind`, if it is there.
    fn record_seq(&self, db: &Connection, kind: u8, key: &[u8]) -> Result<Option<i64>, StoreError> {
        let tag = self.tag(kind, key)?;
        db.prepare_cached("SELECT seq FROM records WHERE kind = ?1 AND tag = ?2")
            .and_then(|mut s| s.query_row(params![kind, tag], |row| row.get(0)).optional())
            .map_err(backend)
    }

    /// The next place in arrival order (messages and outbox entries share it).
    fn next_seq(&self, db: &Connection) -> Result<i64, StoreError> {
        db.prepare_cached(
            "UPDATE header SET next_seq = next_seq + 1 WHERE id = 1 RETURNING next_seq",
        )
        .and_then(|mut s| s.query_row([], |row| row.get(0)))
        .map_err(backend)
    }

    /// A message row's value opened and decoded.
    fn decode_row(&self, id: &[u8], value: &[u8]) -> Result<ChatMessage, StoreError> {
        let id: MessageId = id.try_into().map_err(|_| corrupt("a message id"))?;
        let plain = self.vault.open(&message_aad(&id), value).map_err(corrupt)?;
        let message = decode_message(&plain).map_err(corrupt)?;
        match message.id == id {
            true => Ok(message),
            false => Err(corrupt("a message under another id")),
        }
    }

    /// Messages from a query selecting `id, value`, in its order.
    fn load_messages(
        &self,
        db: &Connection,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        let mut statement = db.prepare_cached(sql).map_err(backend)?;
        let rows = statement
            .query_map(params, |row| Ok((blob(row, 0)?, blob(row, 1)?)))
            .map_err(backend)?;
        let mut found = Vec::new();
        for row in rows {
            let (id, value) = row.map_err(backend)?;
            found.push(self.decode_row(&id?, &value?)?);
        }
        Ok(found)
    }

    /// One message with its place.
    fn message_at(
        &self,
        db: &Connection,
        id: &MessageId,
    ) -> Result<Option<(i64, ChatMessage)>, StoreError> {
        let found = db
            .prepare_cached("SELECT seq, value FROM messages WHERE id = ?1")
            .and_then(|mut s| {
                s.query_row(params![id.as_slice()], |row| {
                    Ok((row.get(0)?, blob(row, 1)?))
                })
                .optional()
            })
            .map_err(backend)?;
        let Some((seq, value)) = found else {
            return Ok(None);
        };
        Ok(Some((seq, self.decode_row(id, &value?)?)))
    }

    fn chat_tag(&self, chat: &ChatId) -> Result<Vec<u8>, StoreError> {
        self.tag(CHAT, chat.to_string().as_bytes())
    }

    /// Stores `message` at `seq`, its search terms replacing those of what was there.
    fn put_message(
        &self,
        db: &Connection,
        seq: i64,
        message: &ChatMessage,
    ) -> Result<(), StoreError> {
        let expires = match message.kind {
            Kind::Hidden => None,
            _ => (message.meta.expires_ms).map(|at| i64::try_from(at).unwrap_or(i64::MAX)),
        };
        let plain = Zeroizing::new(encode_message(message));
        let sealed = (self.vault)
            .seal(&message_aad(&message.id), &plain)
            .map_err(crypto)?;
        let chat = self.chat_tag(&message.chat)?;
        db.prepare_cached(
            "INSERT INTO messages (id, seq, chat, expires_ms, starred, unread, value) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO UPDATE SET \
             seq = excluded.seq, chat = excluded.chat, expires_ms = excluded.expires_ms, \
             starred = excluded.starred, unread = excluded.unread, value = excluded.value",
        )
        .and_then(|mut s| {
            s.execute(params![
                message.id.as_slice(),
                seq,
                chat,
                expires,
                message.meta.starred,
                is_unread(message),
                sealed,
            ])
        })
        .map_err(backend)?;
        db.prepare_cached("DELETE FROM terms WHERE seq = ?1")
            .and_then(|mut s| s.execute([seq]))
            .map_err(backend)?;
        let mut insert = db
            .prepare_cached("INSERT OR IGNORE INTO terms (term, seq) VALUES (?1, ?2)")
            .map_err(backend)?;
        for term in terms_of(message) {
            let exact = self.tag(EXACT_TERM, term.as_bytes())?;
            insert.execute(params![exact, seq]).map_err(backend)?;
            for prefix in strict_prefixes(&term) {
                let longer = self.tag(LONGER_TERM, prefix.as_bytes())?;
                insert.execute(params![longer, seq]).map_err(backend)?;
            }
        }
        Ok(())
    }

    /// Places from a query selecting `seq`.
    fn places(&self, sql: &str, params: impl rusqlite::Params) -> Result<Vec<f64>, StoreError> {
        let mut statement = self.db.prepare_cached(sql).map_err(backend)?;
        let rows = statement
            .query_map(params, |row| row.get::<_, i64>(0))
            .map_err(backend)?;
        // Places are counters far below 2^53.
        rows.map(|seq| seq.map(|seq| seq as f64).map_err(backend))
            .collect()
    }

    /// The tags a term matches: itself, and for a prefix the longer terms it starts.
    fn term_tags(&self, term: &QueryTerm) -> Result<(Vec<u8>, Option<Vec<u8>>), StoreError> {
        let exact = self.tag(EXACT_TERM, term.text.as_bytes())?;
        let longer = match term.prefix {
            true => Some(self.tag(LONGER_TERM, term.text.as_bytes())?),
            false => None,
        };
        Ok((exact, longer))
    }

    /// Everything in `changes`, in the memory store's order, on the open transaction `db`.
    fn apply(&self, db: &Connection, changes: Changes) -> Result<(), StoreError> {
        if let Some(account) = changes.account {
            self.put_record(db, ACCOUNT, b"", None, 0, &encode_account(&account))?;
        }
        for (peer, record) in changes.sessions {
            let owner = self.tag(OWNER, peer.account().as_bytes())?;
            let rest =
                Zeroizing::new([&peer.device().to_be_bytes()[..], &record.to_bytes()].concat());
            let value = Zeroizing::new(framed(peer.account().as_bytes(), &rest)?);
            self.put_record(db, SESSION, &session_key(&peer), Some(&owner), 0, &value)?;
        }
        for prekey in changes.new_prekeys {
            let id = prekey.id().to_be_bytes();
            self.put_record(db, PREKEY, &id, None, 0, &prekey.to_bytes())?;
        }
        for id in changes.used_prekeys {
            self.delete_record(db, PREKEY, &id.to_be_bytes())?;
        }
        for message in changes.messages {
            let seq = match self.message_at(db, &message.id)? {
                Some((seq, _)) => seq,
                None => self.next_seq(db)?,
            };
            self.put_message(db, seq, &message)?;
        }
        for message in changes.received {
            if self.message_at(db, &message.id)?.is_none() {
                let seq = self.next_seq(db)?;
                self.put_message(db, seq, &message)?;
            }
        }
        for (id, status) in changes.statuses {
            if let Some((seq, mut message)) = self.message_at(db, &id)? {
                if message.status.can_become(status) {
                    message.status = status;
                    self.put_message(db, seq, &message)?;
                }
            }
        }
        for (id, reaction) in changes.reactions {
            if let Some((seq, mut message)) = self.message_at(db, &id)? {
                if add_reaction(&mut message.reactions, reaction) {
                    self.put_message(db, seq, &message)?;
                }
            }
        }
        for (id, amendment) in changes.amendments {
            if let Some((seq, mut message)) = self.message_at(db, &id)? {
                if amend(&mut message, &amendment) {
                    self.put_message(db, seq, &message)?;
                }
            }
        }
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

    /// Keyed records of `kind` whose value is `framed` with their own key, decoded and sorted
    /// by that key's spelling.
    fn keyed<T>(
        &self,
        kind: u8,
        decode: impl Fn(&[u8], &[u8]) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let mut found = Vec::new();
        for value in self.records(kind, None)? {
            let (key, rest) = unframe(&value)?;
            found.push((key.to_vec(), decode(key, rest)?));
        }
        found.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(found.into_iter().map(|(_, item)| item).collect())
    }
}

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

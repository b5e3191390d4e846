//! Rows of the tables of `migrations/v1.rs`: sealed, tagged, read back bounded.

use hush_client::model::{is_unread, ChatId, ChatMessage, Kind, MessageId};
use hush_client::search::{terms_of, QueryTerm};
use hush_client::store::encoding::{decode_message, encode_message};
use hush_client::StoreError;
use hush_protocol::{DeviceAddress, Username};
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension, Row};
use zeroize::Zeroizing;

use crate::SqliteStore;

/// Kinds of keyed record (`records.kind`); each is also its tags' domain.
pub(crate) const ACCOUNT: u8 = 1;
pub(crate) const SESSION: u8 = 2;
pub(crate) const PREKEY: u8 = 3;
pub(crate) const VERIFIED: u8 = 4;
pub(crate) const NAME: u8 = 5;
pub(crate) const PROFILE: u8 = 6;
pub(crate) const TIMER: u8 = 7;
pub(crate) const MUTED: u8 = 8;
pub(crate) const PINNED: u8 = 9;
pub(crate) const GROUP: u8 = 10;
pub(crate) const CHAT_STATE: u8 = 11;
pub(crate) const OUTBOX: u8 = 12;
/// Tag domains of other lookups.
pub(crate) const CHAT: u8 = 100;
pub(crate) const OWNER: u8 = 101;
/// A search term itself, and a strict prefix of one (what a prefix query finds beyond it).
pub(crate) const EXACT_TERM: u8 = 102;
pub(crate) const LONGER_TERM: u8 = 103;

/// The largest value read back; past it the row is damaged (a message with its attachment's
/// metadata is a few KB, a group with its sender keys at most a few hundred).
pub(crate) const MAX_VALUE: usize = 16 << 20;

pub(crate) fn backend(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

pub(crate) fn corrupt(e: impl core::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

pub(crate) fn crypto(e: String) -> StoreError {
    StoreError::Backend(e)
}

/// A count for SQL's LIMIT.
pub(crate) fn sql_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// A blob column, refused past [`MAX_VALUE`] before it is copied.
pub(crate) fn blob(row: &Row<'_>, at: usize) -> rusqlite::Result<Result<Vec<u8>, StoreError>> {
    Ok(match row.get_ref(at)? {
        ValueRef::Blob(bytes) if bytes.len() <= MAX_VALUE => Ok(bytes.to_vec()),
        ValueRef::Blob(bytes) => Err(corrupt(format!("a value of {} bytes", bytes.len()))),
        _ => Err(corrupt("a value is not bytes")),
    })
}

/// What a record's value is sealed for: its table, kind and tag.
pub(crate) fn record_aad(kind: u8, tag: &[u8]) -> Vec<u8> {
    [b"records/".as_slice(), &[kind], tag].concat()
}

pub(crate) fn message_aad(id: &MessageId) -> Vec<u8> {
    [b"messages/".as_slice(), id].concat()
}

/// `key` (length first) and then `rest`: a record's own key travels inside its sealed value.
pub(crate) fn framed(key: &[u8], rest: &[u8]) -> Result<Vec<u8>, StoreError> {
    let len = u16::try_from(key.len()).map_err(|_| corrupt("a key over 64 KB"))?;
    Ok([&len.to_be_bytes(), key, rest].concat())
}

pub(crate) fn unframe(bytes: &[u8]) -> Result<(&[u8], &[u8]), StoreError> {
    let (len, rest) = bytes
        .split_first_chunk::<2>()
        .ok_or_else(|| corrupt("a framed value too short"))?;
    rest.split_at_checked(usize::from(u16::from_be_bytes(*len)))
        .ok_or_else(|| corrupt("a framed value too short"))
}

pub(crate) fn text(bytes: &[u8]) -> Result<&str, StoreError> {
    core::str::from_utf8(bytes).map_err(corrupt)
}

pub(crate) fn username(bytes: &[u8]) -> Result<Username, StoreError> {
    Username::parse(text(bytes)?).map_err(corrupt)
}

pub(crate) fn chat_id(bytes: &[u8]) -> Result<ChatId, StoreError> {
    ChatId::parse(text(bytes)?).map_err(corrupt)
}

/// A session's row key: the account, a zero byte, the device.
pub(crate) fn session_key(peer: &DeviceAddress) -> Vec<u8> {
    [
        peer.account().as_bytes(),
        &[0],
        &peer.device().to_be_bytes(),
    ]
    .concat()
}

/// Strict prefixes of `term`, by character.
pub(crate) fn strict_prefixes(term: &str) -> impl Iterator<Item = &str> {
    term.char_indices().skip(1).map(move |(at, _)| &term[..at])
}

impl SqliteStore {
    pub(crate) fn tag(&self, domain: u8, bytes: &[u8]) -> Result<Vec<u8>, StoreError> {
        self.vault.tag(domain, bytes).map_err(crypto)
    }

    /// The value of record `key` of `kind`, opened.
    pub(crate) fn record(
        &self,
        kind: u8,
        key: &[u8],
    ) -> Result<Option<Zeroizing<Vec<u8>>>, StoreError> {
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
    pub(crate) fn records(
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
    pub(crate) fn put_record(
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

    pub(crate) fn delete_record(
        &self,
        db: &Connection,
        kind: u8,
        key: &[u8],
    ) -> Result<(), StoreError> {
        let tag = self.tag(kind, key)?;
        db.prepare_cached("DELETE FROM records WHERE kind = ?1 AND tag = ?2")
            .and_then(|mut s| s.execute(params![kind, tag]))
            .map_err(backend)?;
        Ok(())
    }

    /// The `seq` of record `key` of `kind`, if it is there.
    pub(crate) fn record_seq(
        &self,
        db: &Connection,
        kind: u8,
        key: &[u8],
    ) -> Result<Option<i64>, StoreError> {
        let tag = self.tag(kind, key)?;
        db.prepare_cached("SELECT seq FROM records WHERE kind = ?1 AND tag = ?2")
            .and_then(|mut s| s.query_row(params![kind, tag], |row| row.get(0)).optional())
            .map_err(backend)
    }

    /// The next place in arrival order (messages and outbox entries share it).
    pub(crate) fn next_seq(&self, db: &Connection) -> Result<i64, StoreError> {
        db.prepare_cached(
            "UPDATE header SET next_seq = next_seq + 1 WHERE id = 1 RETURNING next_seq",
        )
        .and_then(|mut s| s.query_row([], |row| row.get(0)))
        .map_err(backend)
    }

    /// A message row's value opened and decoded.
    pub(crate) fn decode_row(&self, id: &[u8], value: &[u8]) -> Result<ChatMessage, StoreError> {
        let id: MessageId = id.try_into().map_err(|_| corrupt("a message id"))?;
        let plain = self.vault.open(&message_aad(&id), value).map_err(corrupt)?;
        let message = decode_message(&plain).map_err(corrupt)?;
        match message.id == id {
            true => Ok(message),
            false => Err(corrupt("a message under another id")),
        }
    }

    /// Messages from a query selecting `id, value`, in its order.
    pub(crate) fn load_messages(
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
    pub(crate) fn message_at(
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

    pub(crate) fn chat_tag(&self, chat: &ChatId) -> Result<Vec<u8>, StoreError> {
        self.tag(CHAT, chat.to_string().as_bytes())
    }

    /// Stores `message` at `seq`, its search terms replacing those of what was there.
    pub(crate) fn put_message(
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
    pub(crate) fn places(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<f64>, StoreError> {
        let mut statement = self.db.prepare_cached(sql).map_err(backend)?;
        let rows = statement
            .query_map(params, |row| row.get::<_, i64>(0))
            .map_err(backend)?;
        // Places are counters far below 2^53.
        rows.map(|seq| seq.map(|seq| seq as f64).map_err(backend))
            .collect()
    }

    /// The tags a term matches: itself, and for a prefix the longer terms it starts.
    pub(crate) fn term_tags(
        &self,
        term: &QueryTerm,
    ) -> Result<(Vec<u8>, Option<Vec<u8>>), StoreError> {
        let exact = self.tag(EXACT_TERM, term.text.as_bytes())?;
        let longer = match term.prefix {
            true => Some(self.tag(LONGER_TERM, term.text.as_bytes())?),
            false => None,
        };
        Ok((exact, longer))
    }

    /// Keyed records of `kind` whose value is `framed` with their own key, decoded and sorted
    /// by that key's spelling.
    pub(crate) fn keyed<T>(
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

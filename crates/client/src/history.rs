//! The history a device sends to one it links (`docs/protocol.md`, "History transfer"): the
//! last 30 days of every chat, newest first up to 8 MiB, contacts' display names, and what the
//! device trusts of them (pinned account keys and device lists, verified keys), so the new
//! device does not start trusting on first use again. Messages travel as stored, so their
//! reactions, edits, deletes, stars, quotes, forwards and expiry go along; so do the chats'
//! disappearing-message timers (from [`HISTORY_V2`] on) and their places in the chat list
//! (pinned, archived, cleared...: from [`HISTORY_V3`] on). Encrypted
//! under a fresh key that travels only inside the provisioning message. The relay stores the
//! ciphertext as a blob it cannot read.

use hush_protocol::codec::{Reader, Writer};
use hush_protocol::crypto;
use hush_protocol::{DecodeError, Username};
use zeroize::Zeroizing;

use crate::model::{ChatId, ChatMessage, ChatState, ChatTimer, PinnedDevices};
use crate::store::encoding::{
    decode_message, decode_pinned, decode_timer, encode_message, encode_pinned, encode_timer,
};

/// How far back the history goes.
pub const HISTORY_MS: u64 = 30 * 24 * 3600 * 1000;
/// The most plaintext one history holds (older messages past it are left out).
pub const MAX_HISTORY_BYTES: usize = 8 * 1024 * 1024;
/// The first form: no timers.
const HISTORY: u8 = 0xB0;
/// With the chats' timers after the groups.
const HISTORY_V2: u8 = 0xB4;
/// With the chats' list states after the timers.
const HISTORY_V3: u8 = 0xB6;
const AD: &[u8] = b"Hush history v1";
/// Messages one history may hold (a bound for decoding; the size bound comes first).
const MAX_MESSAGES: usize = 200_000;

/// What a history holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    /// Messages, oldest first.
    pub messages: Vec<ChatMessage>,
    /// Contacts' display names.
    pub names: Vec<(Username, String)>,
    /// Contacts' pinned account keys and device lists.
    pub pins: Vec<PinnedDevices>,
    /// Contacts whose safety number the user verified, with the key verified.
    pub verified: Vec<(Username, [u8; 64])>,
    /// The groups' logs (encoded [`hush_protocol::groups::GroupLog`]s; no keys).
    pub groups: Vec<Vec<u8>>,
    /// The chats' disappearing-message timers.
    pub timers: Vec<(ChatId, ChatTimer)>,
    /// The chats' places in the chat list.
    pub chat_states: Vec<(ChatId, ChatState)>,
}

impl History {
    /// The history to send from `messages` (any order) at `now_ms`: the last 30 days, newest
    /// first while the total stays under [`MAX_HISTORY_BYTES`], then put back in order. A
    /// message already expired at `now_ms` is left out.
    pub fn recent(
        mut messages: Vec<ChatMessage>,
        names: Vec<(Username, String)>,
        now_ms: u64,
    ) -> Self {
        let since = now_ms.saturating_sub(HISTORY_MS);
        messages.retain(|m| m.sent_ms >= since && m.meta.expires_ms.is_none_or(|e| e > now_ms));
        // Stable: messages of the same time keep the store's order.
        messages.sort_by_key(|m| m.sent_ms);
        let mut total = 0usize;
        let keep = messages
            .iter()
            .rev()
            .take_while(|m| {
                // As encoded (a file's pointer, its thumbnail included, counts too), with
                // the length before it.
                total += 4 + encode_message(m).len();
                total <= MAX_HISTORY_BYTES
            })
            .count();
        messages.drain(..messages.len() - keep);
        Self {
            messages,
            names,
            ..Self::default()
        }
    }

    fn encode(&self) -> Zeroizing<Vec<u8>> {
        let mut w = Writer::default();
        w.header(HISTORY_V3).u32(self.messages.len() as u32);
        for message in &self.messages {
            w.var(&encode_message(message));
        }
        w.u32(self.names.len() as u32);
        for (account, name) in &self.names {
            w.var(account.as_bytes()).var(name.as_bytes());
        }
        w.u32(self.pins.len() as u32);
        for pinned in &self.pins {
            w.var(&encode_pinned(pinned));
        }
        w.u32(self.verified.len() as u32);
        for (account, key) in &self.verified {
            w.var(account.as_bytes()).raw(key);
        }
        w.u32(self.groups.len() as u32);
        for group in &self.groups {
            w.var(group);
        }
        w.u32(self.timers.len() as u32);
        for (chat, timer) in &self.timers {
            w.var(chat.to_string().as_bytes()).var(&encode_timer(timer));
        }
        w.u32(self.chat_states.len() as u32);
        for (chat, state) in &self.chat_states {
            w.var(chat.to_string().as_bytes());
            state.write(&mut w);
        }
        Zeroizing::new(w.into_bytes())
    }

    fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let form = bytes.get(1).copied();
        let expected = match form {
            Some(HISTORY) => HISTORY,
            Some(HISTORY_V2) => HISTORY_V2,
            _ => HISTORY_V3,
        };
        r.stored_header(expected)?;
        let n = r.count("messages", MAX_MESSAGES, 40)?;
        let messages = (0..n)
            .map(|_| decode_message(r.var("message", MAX_HISTORY_BYTES)?))
            .collect::<Result<Vec<_>, _>>()?;
        let n = r.count("names", MAX_MESSAGES, 8)?;
        let names = (0..n)
            .map(|_| {
                let account = Username::new(r.string("account", 64)?)?;
                Ok((account, r.string("display name", 256)?))
            })
            .collect::<Result<Vec<_>, DecodeError>>()?;
        let n = r.count("pins", MAX_MESSAGES, 40)?;
        let pins = (0..n)
            .map(|_| decode_pinned(r.var("pin", 16 * 1024)?))
            .collect::<Result<Vec<_>, _>>()?;
        let n = r.count("verified", MAX_MESSAGES, 68)?;
        let verified = (0..n)
            .map(|_| Ok((Username::new(r.string("account", 64)?)?, r.array()?)))
            .collect::<Result<Vec<_>, DecodeError>>()?;
        let n = r.count("groups", MAX_MESSAGES, 40)?;
        let groups = (0..n)
            .map(|_| Ok(r.var("group", MAX_HISTORY_BYTES)?.to_vec()))
            .collect::<Result<Vec<_>, DecodeError>>()?;
        let timers = match form {
            Some(HISTORY) => Vec::new(),
            _ => decode_timers(&mut r)?,
        };
        let chat_states = match form {
            Some(HISTORY | HISTORY_V2) => Vec::new(),
            _ => decode_chat_states(&mut r)?,
        };
        r.finish()?;
        Ok(Self {
            messages,
            names,
            pins,
            verified,
            groups,
            timers,
            chat_states,
        })
    }

    /// Encrypts under a fresh `key` (used for this one blob, so the nonce is fixed).
    pub fn seal(&self, key: &[u8; 32]) -> Vec<u8> {
        crypto::seal(key, &[0; 12], &self.encode(), AD)
    }

    /// Decrypts and decodes a blob; a wrong key, a changed byte or a bad encoding fails.
    pub fn open(key: &[u8; 32], blob: &[u8]) -> Result<Self, HistoryError> {
        let plaintext =
            Zeroizing::new(crypto::open(key, &[0; 12], blob, AD).map_err(|_| HistoryError)?);
        Self::decode(&plaintext).map_err(|_| HistoryError)
    }
}

/// The timers [`History::encode`] wrote: each a chat and its encoded timer.
fn decode_timers(r: &mut Reader<'_>) -> Result<Vec<(ChatId, ChatTimer)>, DecodeError> {
    let n = r.count("timers", MAX_MESSAGES, 8)?;
    (0..n)
        .map(|_| {
            let chat = ChatId::parse(&r.string("chat", 64)?)?;
            Ok((chat, decode_timer(r.var("timer", 64)?)?))
        })
        .collect()
}

/// The chat states [`History::encode`] wrote: each a chat and its state.
fn decode_chat_states(r: &mut Reader<'_>) -> Result<Vec<(ChatId, ChatState)>, DecodeError> {
    let n = r.count("chat states", MAX_MESSAGES, 48)?;
    (0..n)
        .map(|_| {
            let chat = ChatId::parse(&r.string("chat", 64)?)?;
            Ok((chat, ChatState::read(r)?))
        })
        .collect()
}

/// The history could not be read (a wrong key, a changed byte, or a bad encoding).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HistoryError;

impl core::fmt::Display for HistoryError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("the history from the other device could not be read")
    }
}

impl std::error::Error for HistoryError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ChatId, Kind, Status};

    fn bob() -> Username {
        Username::parse("bob").unwrap()
    }

    fn text(id: u8, sent_ms: u64, body: &str) -> ChatMessage {
        ChatMessage {
            id: [id; 16],
            group: None,
            kind: Kind::Text,
            chat: ChatId::parse("bob").unwrap(),
            from_me: id.is_multiple_of(2),
            body: body.into(),
            sent_ms,
            status: Status::Read,
            attachment: None,
            reactions: Vec::new(),
            meta: Default::default(),
        }
    }

    #[test]
    fn the_last_30_days_newest_first_within_the_size_bound() {
        let now = 100 * 24 * 3600 * 1000;
        let old = text(1, now - HISTORY_MS - 1, "too old");
        let big = "x".repeat(MAX_HISTORY_BYTES / 2);
        let kept = vec![
            text(2, now - 1000, &big),
            text(3, now - 10, &big[1..]),
            text(4, now, "newest"),
        ];
        let mut all = kept.clone();
        all.insert(0, old);
        let history = History::recent(all, vec![(bob(), "Bob".into())], now);
        // The oldest half-sized text does not fit next to the two newer ones.
        assert_eq!(history.messages, kept[1..].to_vec());
        assert_eq!(history.names, vec![(bob(), "Bob".into())]);
    }

    /// A photo's message carries a thumbnail of up to 8 KiB: the bound counts it.
    #[test]
    fn messages_with_files_count_their_pointers_against_the_size_bound() {
        use hush_protocol::attachment::{AttachmentKey, AttachmentPointer, Mime};
        use hush_protocol::limits::MAX_THUMBNAIL;
        let now = 100 * 24 * 3600 * 1000;
        let id = |n: u32| {
            let mut id = [0u8; 16];
            id[..4].copy_from_slice(&n.to_le_bytes());
            id
        };
        let photo = |n: u32| ChatMessage {
            id: id(n),
            kind: Kind::Attachment,
            attachment: Some(Box::new(AttachmentPointer {
                blob: [1; 32],
                key: AttachmentKey::from_bytes(&[2; AttachmentKey::LEN]),
                sha256: [3; 32],
                ciphertext_len: 1000,
                mime: Mime::Jpeg,
                file_name: "photo.jpg".into(),
                dimensions: None,
                duration_ms: None,
                thumbnail: vec![9; MAX_THUMBNAIL],
                waveform: Vec::new(),
                caption: String::new(),
            })),
            ..text(0, now - u64::from(n), "")
        };
        let many = (0..2 * MAX_HISTORY_BYTES as u32 / MAX_THUMBNAIL as u32).map(photo);
        let history = History::recent(many.collect(), Vec::new(), now);
        assert!(!history.messages.is_empty());
        assert!(history.encode().len() <= MAX_HISTORY_BYTES + 64);
    }

    #[test]
    fn sealed_history_opens_only_untouched_and_with_its_key() {
        let history = History {
            messages: vec![text(1, 5, "hello"), text(2, 6, "hi")],
            names: vec![(bob(), "Bob".into())],
            pins: Vec::new(),
            verified: vec![(bob(), [3; 64])],
            groups: vec![vec![4; 50]],
            timers: vec![(
                ChatId::parse("bob").unwrap(),
                ChatTimer {
                    timer_ms: 86_400_000,
                    set_ms: 9,
                },
            )],
            chat_states: vec![(
                ChatId::parse("bob").unwrap(),
                ChatState {
                    pinned: crate::model::Flag {
                        on: true,
                        set_ms: 4,
                    },
                    cleared_ms: 3,
                    ..ChatState::default()
                },
            )],
        };
        let blob = history.seal(&[7; 32]);
        assert_eq!(History::open(&[7; 32], &blob), Ok(history));
        assert_eq!(History::open(&[8; 32], &blob), Err(HistoryError));
        for i in [0, blob.len() / 2, blob.len() - 1] {
            let mut bad = blob.clone();
            bad[i] ^= 1;
            assert_eq!(History::open(&[7; 32], &bad), Err(HistoryError));
        }
        assert_eq!(History::open(&[7; 32], &blob[..10]), Err(HistoryError));
    }

    /// A message's reactions and meta travel with it; an expired one stays behind.
    #[test]
    fn reactions_and_meta_travel_and_expired_messages_stay_behind() {
        use crate::model::{MessageMeta, MessageRef, Quote, Reaction};
        let now = 100 * 24 * 3600 * 1000;
        let mut rich = text(1, now - 5, "edited words");
        rich.meta = MessageMeta {
            quote: Some(Box::new(Quote {
                target: MessageRef {
                    author: bob(),
                    id: [9; 16],
                },
                preview: "the question".into(),
            })),
            forwards: 2,
            edited_ms: Some(now - 1),
            starred: true,
            expires_ms: Some(now + 1000),
            mentions: vec![bob()],
            notice: None,
        };
        rich.reactions = vec![Reaction {
            by: bob(),
            emoji: "👍".into(),
            sent_ms: now - 2,
        }];
        let mut deleted = text(2, now - 4, "");
        deleted.kind = Kind::Deleted;
        let mut expired = text(3, now - 3, "gone");
        expired.meta.expires_ms = Some(now);
        // A notice line's notice goes along too (issue 22).
        let mut timer = text(4, now - 2, "bob set disappearing messages to 24 hours");
        timer.kind = Kind::TimerChanged;
        timer.meta.notice = Some(crate::model::Notice::Timer {
            setter: bob(),
            timer_ms: 24 * 3600 * 1000,
        });
        let all = vec![rich.clone(), deleted.clone(), expired, timer.clone()];
        let history = History::recent(all, Vec::new(), now);
        assert_eq!(history.messages, vec![rich, deleted, timer]);
        let blob = history.seal(&[1; 32]);
        assert_eq!(History::open(&[1; 32], &blob), Ok(history));
    }

    /// A device of an older build sends the first form (no timers) or the second (no chat
    /// states): it still opens.
    #[test]
    fn the_first_form_without_timers_still_opens() {
        let history = History {
            messages: vec![text(1, 5, "hello")],
            names: vec![(bob(), "Bob".into())],
            ..History::default()
        };
        let mut old = history.encode().to_vec();
        // The same bytes with the second form's type and no chat-state count at the end,
        old[1] = HISTORY_V2;
        old.truncate(old.len() - 4);
        assert_eq!(History::decode(&old), Ok(history.clone()));
        // and with the first form's type and no timer count either.
        old[1] = HISTORY;
        old.truncate(old.len() - 4);
        assert_eq!(History::decode(&old), Ok(history.clone()));
        // A first form with a timer count after it has bytes left over: refused.
        let mut padded = old.clone();
        padded.extend_from_slice(&[0; 4]);
        assert!(History::decode(&padded).is_err());
        // A bounded count: a huge one is refused, not allocated.
        let mut huge = history.encode().to_vec();
        let at = huge.len() - 4;
        huge[at..].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(History::decode(&huge).is_err());
    }
}

//! Byte encodings of the records a persistent store keeps (IndexedDB stores these bytes), each
//! versioned and bounded like the wire formats: stored bytes are untrusted input too (a damaged
//! profile, a newer build), so decoding never panics and says what is wrong.

use hush_protocol::attachment::AttachmentPointer;
use hush_protocol::codec::{Reader, Writer};
use hush_protocol::devices::DeviceList;
use hush_protocol::groups::{Change, GroupError, GroupLog, MAX_CHANGE, MAX_MEMBERS};
use hush_protocol::sender_key::{OwnSenderKey, SenderKeyRecord};
use hush_protocol::DeviceAddress;
use hush_protocol::{DecodeError, Username, WIRE_VERSION};
use zeroize::Zeroizing;

use hush_protocol::relay::MAX_DEVICE_LIST;

use crate::content::{Content, MAX_TEXT};
// An outbox entry holds up to the longest content (`hush_protocol::limits`).
use crate::model::{
    ChatId, ChatMessage, ChatTimer, GroupLine, GroupRecord, Kind, MessageMeta, MessageRef,
    OutboxEntry, PinnedDevices, Quote, Reaction, Status, MAX_PREVIEW, MAX_REACTION, MAX_REACTIONS,
};
use hush_protocol::limits::MAX_CONTENT;

mod account;

pub use account::{decode_account, encode_account};
#[cfg(test)]
use account::{ACCOUNT_V1, ACCOUNT_V3, ACCOUNT_V4};

const MESSAGE: u8 = 0xA1;
const OUTBOX: u8 = 0xA2;
const PINNED_DEVICES: u8 = 0xA4;
/// A message with its group line (if any) at the end.
const MESSAGE_V2: u8 = 0xA6;
/// A message with an attachment: [`MESSAGE_V2`] and the pointer after it (messages without
/// one keep the second form, which older builds read).
const MESSAGE_V3: u8 = 0xAB;
/// A message with reactions: [`MESSAGE_V2`], a flag and the pointer if it has one, then its
/// reactions (messages without any keep the earlier forms).
const MESSAGE_V4: u8 = 0xAC;
/// A message with a quote, forwards, an edit or a star: [`MESSAGE_V4`] and then those
/// (messages without any keep the earlier forms).
const MESSAGE_V5: u8 = 0xAD;
/// A message that mentions group members: [`MESSAGE_V5`] and then their usernames (messages
/// mentioning no one keep the earlier forms).
const MESSAGE_V6: u8 = 0xB5;
/// A notice line with its notice as data ([`crate::model::Notice`]): [`MESSAGE_V6`] and then
/// the notice (messages without one keep the earlier forms). Its body still holds the line in
/// English, as in every earlier form: rows stored before this form have only that, and the
/// app shows it for them. A build before this form cannot read it at all (as with
/// [`MESSAGE_V6`]): a history this build sends to one fails to decode there.
const MESSAGE_V7: u8 = 0xBA;
/// A chat's disappearing-message timer.
const TIMER: u8 = 0xAE;
/// A contact's About line and photo.
const PROFILE: u8 = 0xB9;
/// A chat's place in the chat list.
const CHAT_STATE: u8 = 0xB0;
/// A group record whose log holds its chain from the creation (relay-ordered changes).
const GROUP: u8 = 0xA8;
/// The first form: a log of up to 8 states, pending changes of the first form (migrated on
/// read: the log keeps its state, old-form pending changes are dropped).
const GROUP_V1: u8 = 0xA7;
/// The largest stored group log (a full chain and the head's state).
const MAX_GROUP_LOG: usize = hush_protocol::groups::MAX_LOG;
/// The most members' changes a group holds until the relay's order says which apply.
pub const MAX_PENDING: usize = 64;
/// The most changes of ours a group keeps waiting for the relay.
pub const MAX_PROPOSED: usize = 8;
/// The most member devices a group record keeps keys of.
const MAX_GROUP_DEVICES: usize = MAX_MEMBERS * 8;
/// An account name is at most 64 bytes (the relay allows 32).
pub(super) const MAX_NAME: usize = 64;

fn status_byte(status: Status) -> u8 {
    match status {
        Status::Sending => 0,
        Status::Sent => 1,
        Status::Delivered => 2,
        Status::Read => 3,
        Status::Failed => 4,
    }
}

/// A status from its stored byte.
pub fn status_from_byte(byte: u8) -> Result<Status, DecodeError> {
    Ok(match byte {
        0 => Status::Sending,
        1 => Status::Sent,
        2 => Status::Delivered,
        3 => Status::Read,
        4 => Status::Failed,
        _ => return Err(DecodeError::Invalid("status")),
    })
}

/// One message.
pub fn encode_message(message: &ChatMessage) -> Vec<u8> {
    let mut w = Writer::default();
    let form = match (&message.attachment, message.reactions.is_empty()) {
        _ if message.meta.notice.is_some() => MESSAGE_V7,
        _ if !message.meta.mentions.is_empty() => MESSAGE_V6,
        _ if message.meta != MessageMeta::default() => MESSAGE_V5,
        (_, false) => MESSAGE_V4,
        (Some(_), true) => MESSAGE_V3,
        (None, true) => MESSAGE_V2,
    };
    w.header(form)
        .raw(&message.id)
        .u8(match message.kind {
            Kind::Text => 0,
            Kind::SecurityCodeChanged => 1,
            Kind::DeviceLinked => 2,
            Kind::GroupChange => 3,
            Kind::UpdateNeeded => 4,
            Kind::Attachment => 5,
            Kind::Deleted => 6,
            Kind::Hidden => 7,
            Kind::TimerChanged => 8,
            Kind::AccountDeleted => 9,
        })
        .var(message.chat.to_string().as_bytes())
        .u8(u8::from(message.from_me))
        .var(message.body.as_bytes())
        .u64(message.sent_ms)
        .u8(status_byte(message.status));
    match &message.group {
        None => {
            w.u8(0);
        }
        Some(line) => {
            w.u8(1)
                .var(line.author.as_bytes())
                .u32(line.receipts.len() as u32);
            for (member, status) in &line.receipts {
                w.var(member.as_bytes()).u8(status_byte(*status));
            }
        }
    }
    let flagged = matches!(form, MESSAGE_V4 | MESSAGE_V5 | MESSAGE_V6 | MESSAGE_V7);
    if flagged {
        w.u8(u8::from(message.attachment.is_some()));
    }
    if let Some(pointer) = &message.attachment {
        pointer.write(&mut w);
    }
    if flagged {
        write_reactions(&mut w, &message.reactions);
    }
    if matches!(form, MESSAGE_V5 | MESSAGE_V6 | MESSAGE_V7) {
        write_meta(&mut w, &message.meta);
    }
    if matches!(form, MESSAGE_V6 | MESSAGE_V7) {
        crate::store::mentions::write_mentions(&mut w, &message.meta.mentions);
    }
    if let Some(notice) = message.meta.notice.as_ref().filter(|_| form == MESSAGE_V7) {
        crate::store::notices::write_notice(&mut w, notice);
    }
    w.into_bytes()
}

fn write_meta(w: &mut Writer, meta: &MessageMeta) {
    match &meta.quote {
        Some(quote) => w
            .u8(1)
            .var(quote.target.author.as_bytes())
            .raw(&quote.target.id)
            .var(quote.preview.as_bytes()),
        None => w.u8(0),
    };
    w.u8(meta.forwards);
    match meta.edited_ms {
        Some(at) => w.u8(1).u64(at),
        None => w.u8(0),
    };
    w.u8(u8::from(meta.starred));
    match meta.expires_ms {
        Some(at) => w.u8(1).u64(at),
        None => w.u8(0),
    };
}

fn read_meta(r: &mut Reader<'_>) -> Result<MessageMeta, DecodeError> {
    let quote = match r.bool("quote flag")? {
        true => Some(Box::new(Quote {
            target: MessageRef {
                author: Username::new(r.string("quoted author", MAX_NAME)?)?,
                id: r.array()?,
            },
            preview: r.string("quote", MAX_PREVIEW)?,
        })),
        false => None,
    };
    let forwards = r.u8()?;
    let edited_ms = match r.bool("edit flag")? {
        true => Some(r.u64()?),
        false => None,
    };
    let starred = r.bool("star flag")?;
    let expires_ms = match r.bool("expiry flag")? {
        true => Some(r.u64()?),
        false => None,
    };
    Ok(MessageMeta {
        quote,
        forwards,
        edited_ms,
        starred,
        expires_ms,
        mentions: Vec::new(),
        notice: None,
    })
}

fn write_reactions(w: &mut Writer, reactions: &[Reaction]) {
    w.u32(reactions.len() as u32);
    for reaction in reactions {
        w.var(reaction.by.as_bytes())
            .var(reaction.emoji.as_bytes())
            .u64(reaction.sent_ms);
    }
}

fn read_reactions(r: &mut Reader<'_>) -> Result<Vec<Reaction>, DecodeError> {
    let n = r.count("reactions", MAX_REACTIONS, 17)?;
    let mut reactions = Vec::with_capacity(n);
    for _ in 0..n {
        reactions.push(Reaction {
            by: Username::new(r.string("reactor", MAX_NAME)?)?,
            emoji: r.string("reaction", MAX_REACTION)?,
            sent_ms: r.u64()?,
        });
    }
    Ok(reactions)
}

/// Restores [`encode_message`]'s bytes.
pub fn decode_message(bytes: &[u8]) -> Result<ChatMessage, DecodeError> {
    let mut r = Reader::new(bytes);
    let version = bytes.get(1).copied().ok_or(DecodeError::Truncated)?;
    let form = match version {
        MESSAGE | MESSAGE_V3 | MESSAGE_V4 | MESSAGE_V5 | MESSAGE_V6 | MESSAGE_V7 => version,
        _ => MESSAGE_V2,
    };
    r.stored_header(form)?;
    let mut message = ChatMessage {
        id: r.array()?,
        kind: match r.u8()? {
            0 => Kind::Text,
            1 => Kind::SecurityCodeChanged,
            2 => Kind::DeviceLinked,
            3 => Kind::GroupChange,
            4 => Kind::UpdateNeeded,
            5 => Kind::Attachment,
            6 => Kind::Deleted,
            7 => Kind::Hidden,
            8 => Kind::TimerChanged,
            9 => Kind::AccountDeleted,
            _ => return Err(DecodeError::Invalid("message kind")),
        },
        chat: ChatId::parse(&r.string("chat", MAX_NAME)?)?,
        group: None,
        from_me: r.bool("from-me flag")?,
        body: r.string("text", MAX_TEXT)?,
        sent_ms: r.u64()?,
        status: status_from_byte(r.u8()?)?,
        attachment: None,
        reactions: Vec::new(),
        meta: Default::default(),
    };
    if version != MESSAGE && r.bool("group flag")? {
        let author = Username::new(r.string("author", MAX_NAME)?)?;
        let n = r.count("receipts", MAX_MEMBERS, 2)?;
        let mut receipts = Vec::with_capacity(n);
        for _ in 0..n {
            let member = Username::new(r.string("member", MAX_NAME)?)?;
            receipts.push((member, status_from_byte(r.u8()?)?));
        }
        message.group = Some(GroupLine { author, receipts });
    }
    let has_pointer = match form {
        MESSAGE_V3 => true,
        MESSAGE_V4 | MESSAGE_V5 | MESSAGE_V6 | MESSAGE_V7 => r.bool("attachment flag")?,
        _ => false,
    };
    if has_pointer {
        message.attachment = Some(Box::new(AttachmentPointer::read(&mut r)?));
    }
    if matches!(form, MESSAGE_V4 | MESSAGE_V5 | MESSAGE_V6 | MESSAGE_V7) {
        message.reactions = read_reactions(&mut r)?;
    }
    if matches!(form, MESSAGE_V5 | MESSAGE_V6 | MESSAGE_V7) {
        message.meta = read_meta(&mut r)?;
    }
    if matches!(form, MESSAGE_V6 | MESSAGE_V7) {
        message.meta.mentions = crate::store::mentions::read_mentions(&mut r)?;
    }
    if form == MESSAGE_V7 {
        message.meta.notice = Some(crate::store::notices::read_notice(&mut r)?);
    }
    r.finish()?;
    Ok(message)
}

/// A chat's timer.
pub fn encode_timer(timer: &ChatTimer) -> Vec<u8> {
    let mut w = Writer::default();
    w.header(TIMER).u64(timer.timer_ms).u64(timer.set_ms);
    w.into_bytes()
}

/// Restores [`encode_timer`]'s bytes.
pub fn decode_timer(bytes: &[u8]) -> Result<ChatTimer, DecodeError> {
    let mut r = Reader::new(bytes);
    r.stored_header(TIMER)?;
    let timer = ChatTimer {
        timer_ms: r.u64()?,
        set_ms: r.u64()?,
    };
    r.finish()?;
    Ok(timer)
}

/// A contact's About line and photo (the photo's key included).
pub fn encode_profile(profile: &crate::model::ContactProfile) -> Zeroizing<Vec<u8>> {
    let mut w = Writer::default();
    w.header(PROFILE).var(profile.about.as_bytes());
    AttachmentPointer::write_optional(profile.photo.as_ref(), &mut w);
    Zeroizing::new(w.into_bytes())
}

/// Restores [`encode_profile`]'s bytes.
pub fn decode_profile(bytes: &[u8]) -> Result<crate::model::ContactProfile, DecodeError> {
    let mut r = Reader::new(bytes);
    r.stored_header(PROFILE)?;
    let about = r.string("about", crate::model::MAX_ABOUT_BYTES)?;
    let photo = AttachmentPointer::read_optional(&mut r, "profile photo flag")?;
    r.finish()?;
    Ok(crate::model::ContactProfile { about, photo })
}

/// A chat's place in the chat list.
pub fn encode_chat_state(state: &crate::model::ChatState) -> Vec<u8> {
    let mut w = Writer::default();
    w.header(CHAT_STATE);
    state.write(&mut w);
    w.into_bytes()
}

/// Restores [`encode_chat_state`]'s bytes.
pub fn decode_chat_state(bytes: &[u8]) -> Result<crate::model::ChatState, DecodeError> {
    let mut r = Reader::new(bytes);
    r.stored_header(CHAT_STATE)?;
    let state = crate::model::ChatState::read(&mut r)?;
    r.finish()?;
    Ok(state)
}

/// One outbox entry.
pub fn encode_outbox(entry: &OutboxEntry) -> Vec<u8> {
    let to = entry.to.to_string();
    // Sized up front: the content may be a sender key, and a growing buffer leaves copies.
    let mut w = Writer::with_capacity(2 + 16 + 4 + to.len() + 4 + entry.content.len() + 4);
    w.header(OUTBOX)
        .raw(&entry.id)
        .var(to.as_bytes())
        .var(&entry.content)
        .u32(entry.attempts);
    w.into_bytes()
}

/// Restores [`encode_outbox`]'s bytes.
pub fn decode_outbox(bytes: &[u8]) -> Result<OutboxEntry, DecodeError> {
    let mut r = Reader::new(bytes);
    r.stored_header(OUTBOX)?;
    let entry = OutboxEntry {
        id: r.array()?,
        to: ChatId::parse(&r.string("recipient", MAX_NAME)?)?,
        content: Content::upgrade(r.var("content", MAX_CONTENT)?),
        attempts: r.u32()?,
    };
    r.finish()?;
    Ok(entry)
}

/// A contact's pinned account key and device list.
pub fn encode_pinned(pinned: &PinnedDevices) -> Vec<u8> {
    let mut w = Writer::default();
    w.header(PINNED_DEVICES)
        .raw(&pinned.account_key)
        .var(&pinned.list.encode());
    w.into_bytes()
}

/// Restores [`encode_pinned`]'s bytes (the list is decoded, not verified again).
pub fn decode_pinned(bytes: &[u8]) -> Result<PinnedDevices, DecodeError> {
    let mut r = Reader::new(bytes);
    r.stored_header(PINNED_DEVICES)?;
    let account_key = r.array()?;
    let list = DeviceList::decode(r.var("device list", MAX_DEVICE_LIST)?)
        .map_err(|_| DecodeError::Invalid("device list"))?;
    r.finish()?;
    Ok(PinnedDevices { account_key, list })
}

fn write_address(w: &mut Writer, address: &DeviceAddress) {
    w.var(address.account().as_bytes()).u32(address.device());
}

fn read_address(r: &mut Reader<'_>) -> Result<DeviceAddress, DecodeError> {
    let account = r.string("account", MAX_NAME)?;
    DeviceAddress::new(account, r.u32()?).map_err(|_| DecodeError::Invalid("device address"))
}

/// A group record, keys included (zeroized when dropped).
pub fn encode_group(group: &GroupRecord) -> Zeroizing<Vec<u8>> {
    let mut w = Writer::default();
    w.header(GROUP).var(&group.log.encode());
    match &group.own_key {
        Some(key) => w.u8(1).var(&key.to_bytes()),
        None => w.u8(0),
    };
    w.u32(group.shared_with.len() as u32);
    for address in &group.shared_with {
        write_address(&mut w, address);
    }
    w.u32(group.senders.len() as u32);
    for (address, record) in &group.senders {
        write_address(&mut w, address);
        w.var(&record.to_bytes());
    }
    for changes in [&group.pending, &group.proposed] {
        w.u32(changes.len() as u32);
        for change in changes {
            w.var(&change.encode());
        }
    }
    Zeroizing::new(w.into_bytes())
}

/// Restores [`encode_group`]'s bytes (the log is decoded, not verified again).
pub fn decode_group(bytes: &[u8]) -> Result<GroupRecord, DecodeError> {
    let mut r = Reader::new(bytes);
    let first_form = bytes.get(1) == Some(&GROUP_V1);
    match first_form {
        true => r.stored_header(GROUP_V1)?,
        false => r.stored_header(GROUP)?,
    };
    let log = GroupLog::decode(r.var("group log", MAX_GROUP_LOG)?)
        .map_err(|_| DecodeError::Invalid("group log"))?;
    let own_key = match r.bool("sender key flag")? {
        true => Some(r.var("sender key", 256)?),
        false => None,
    };
    let n = r.count("devices", MAX_GROUP_DEVICES, 5)?;
    let mut shared_with: Vec<DeviceAddress> = (0..n)
        .map(|_| read_address(&mut r))
        .collect::<Result<_, _>>()?;
    // A key stored by a build before WIRE_VERSION 2 went out in the unbound form (possibly
    // still in the outbox): a new one goes to every member in the bound form.
    let own_key = match own_key {
        Some(bytes) if bytes.first() == Some(&WIRE_VERSION) => {
            Some(OwnSenderKey::from_bytes(bytes)?)
        }
        Some(bytes) => {
            OwnSenderKey::from_bytes(bytes)?;
            shared_with.clear();
            None
        }
        None => None,
    };
    let n = r.count("sender keys", MAX_GROUP_DEVICES, 9)?;
    let mut senders = Vec::with_capacity(n);
    for _ in 0..n {
        let address = read_address(&mut r)?;
        let record = SenderKeyRecord::from_bytes(r.var("sender key record", 1 << 20)?)?;
        senders.push((address, record));
    }
    let n = r.count("pending changes", MAX_PENDING, 1)?;
    let mut pending = Vec::with_capacity(n);
    for _ in 0..n {
        match Change::decode(r.var("change", MAX_CHANGE)?) {
            Ok(change) => pending.push(change),
            // Held from a peer on an older build: it can never apply now.
            Err(GroupError::Outdated) => {}
            Err(_) => return Err(DecodeError::Invalid("pending change")),
        }
    }
    let n = match first_form {
        true => 0,
        false => r.count("proposed changes", MAX_PROPOSED, 1)?,
    };
    let proposed = (0..n)
        .map(|_| Change::decode(r.var("change", MAX_CHANGE)?))
        .collect::<Result<_, _>>()
        .map_err(|_| DecodeError::Invalid("proposed change"))?;
    r.finish()?;
    Ok(GroupRecord {
        log,
        own_key,
        shared_with,
        senders,
        pending,
        proposed,
    })
}

#[cfg(test)]
#[path = "encoding_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "encoding_notice_tests.rs"]
mod notice_tests;

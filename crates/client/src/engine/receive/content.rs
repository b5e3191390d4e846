//! What an accepted pairwise message carries, applied to the batch: a text, receipts, a
//! profile, group changes or a sender key; from our own devices also transcripts and read
//! state (`own_devices`).

use hush_protocol::attachment::AttachmentPointer;
use hush_protocol::{DecodeError, DeviceAddress, Rng};

use super::Batch;
use crate::content::{clean_display_name, Content};
use crate::engine::attachments::attachment_message;
use crate::engine::rich::rich_message;
use crate::engine::{Engine, Event};
use crate::error::EngineError;
use crate::model::{
    clean_about, photo_fits, ChatId, ChatMessage, ContactProfile, Kind, MessageId, MessageMeta,
    Notice, Reaction, Status, UPDATE_TO_SEE,
};
use crate::store::Store;

impl<S: Store, R: Rng> Engine<S, R> {
    /// Content from a contact's device.
    pub(super) async fn apply_content(
        &mut self,
        batch: &mut Batch,
        from: &DeviceAddress,
        content: Content,
    ) -> Result<(), EngineError> {
        match content {
            // A message stored already (a sender's retry on a new session) is confirmed
            // again, never shown twice.
            Content::Text { id, .. }
            | Content::Attachment { id, .. }
            | Content::Unknown { id, .. }
            | Content::Timer { id, .. }
                if self.store.message(&id).await?.is_some() =>
            {
                batch.deliver(&from.username(), id);
            }
            Content::Rich(ref rich) if self.store.message(&rich.id).await?.is_some() => {
                batch.deliver(&from.username(), rich.id);
            }
            Content::Rich(rich) => {
                let chat = ChatId::Direct(from.username());
                let mut message = rich_message(*rich, chat, false);
                self.check_quote(batch, &mut message).await?;
                receive_message(batch, from, message);
            }
            Content::Timer {
                id,
                sent_ms,
                timer_ms,
            } => {
                let (chat, setter) = (ChatId::Direct(from.username()), from.username());
                let setting = (id, sent_ms, timer_ms);
                let mut notice = (self.receive_timer(batch, &chat, setting, setter)).await?;
                (notice.from_me, notice.status) = (false, Status::Delivered);
                receive_message(batch, from, notice);
            }
            Content::Amend { id, amend, sent_ms } => {
                let author = from.username();
                let chat = ChatId::Direct(author.clone());
                (self.receive_amend(batch, (chat, author), id, amend, sent_ms)).await?;
            }
            Content::Text { id, sent_ms, body } => {
                let chat = ChatId::Direct(from.username());
                let message = ChatMessage {
                    id,
                    group: None,
                    kind: Kind::Text,
                    chat,
                    from_me: false,
                    body,
                    sent_ms,
                    status: Status::Delivered,
                    attachment: None,
                    reactions: Vec::new(),
                    meta: Default::default(),
                };
                receive_message(batch, from, message);
            }
            Content::Attachment {
                id,
                sent_ms,
                pointer,
            } => {
                let chat = ChatId::Direct(from.username());
                let message = attachment_message(id, chat, false, sent_ms, pointer);
                receive_message(batch, from, message);
            }
            // A kind of message a later build added: shown as such and confirmed, never lost.
            Content::Unknown { id, sent_ms, .. } => {
                let chat = ChatId::Direct(from.username());
                receive_message(batch, from, update_to_see(id, chat, sent_ms));
            }
            Content::Receipt { kind, ids } => {
                self.receive_receipt(batch, from, kind, ids).await?;
            }
            group @ (Content::GroupUpdate { .. } | Content::SenderKey { .. }) => {
                let key = batch.pins.key(from.account());
                self.receive_group_content(batch, &group, from, key).await?;
            }
            Content::Profile {
                display_name,
                about,
                photo,
            } => receive_profile(batch, from, &display_name, &about, photo),
            Content::Reaction {
                target,
                emoji,
                sent_ms,
            } => {
                let by = from.username();
                let chat = ChatId::Direct(by.clone());
                let reaction = Reaction { by, emoji, sent_ms };
                self.receive_reaction(batch, chat, target, reaction).await?;
            }
            // Mentions are for groups only.
            Content::Mentioned(_) => {}
            // Only our own devices send these; attested content was unwrapped before.
            Content::Sent { .. }
            | Content::Mirror { .. }
            | Content::Marks { .. }
            | Content::ChatState { .. }
            | Content::SentAttachment { .. }
            | Content::SentReaction { .. }
            | Content::ReadSync { .. }
            | Content::Attested { .. } => {}
        }
        Ok(())
    }

    /// Content from one of our own other devices.
    pub(super) async fn apply_own(
        &mut self,
        batch: &mut Batch,
        from: &DeviceAddress,
        content: Result<Content, DecodeError>,
    ) -> Result<(), EngineError> {
        match content {
            Ok(group @ (Content::GroupUpdate { .. } | Content::SenderKey { .. })) => {
                let key = self.account.as_ref().map(|a| a.account_key.public());
                self.receive_group_content(batch, &group, from, key).await?;
            }
            Ok(content) => self.receive_from_own_device(batch, content).await?,
            Err(_) => batch.undecryptable(from),
        }
        Ok(())
    }
}

/// A contact's message (a text or an attachment): stored once (a repeat of a stored id is
/// dropped by the store, in the same transaction) and confirmed as delivered.
fn receive_message(batch: &mut Batch, from: &DeviceAddress, message: ChatMessage) {
    if batch.new_ids.contains(&message.id) {
        return;
    }
    batch.new_ids.push(message.id);
    let id = message.id;
    batch.changes.received.push(message.clone());
    batch.events.push(Event::Message(message));
    batch.deliver(&from.username(), id);
}

/// The line a message of an unknown kind shows (from a contact, delivered).
pub(in crate::engine) fn update_to_see(id: MessageId, chat: ChatId, sent_ms: u64) -> ChatMessage {
    // The English body stays for rows and builds without notices.
    let body = UPDATE_TO_SEE.to_owned();
    let mut line = received_line(id, chat, Kind::UpdateNeeded, body, sent_ms);
    line.meta.notice = Some(Notice::UpdateToSee);
    line
}

/// A line of `kind` saying `body` from a contact, delivered, with nothing else to it.
pub(in crate::engine) fn received_line(
    id: MessageId,
    chat: ChatId,
    kind: Kind,
    body: String,
    sent_ms: u64,
) -> ChatMessage {
    ChatMessage {
        id,
        group: None,
        kind,
        chat,
        from_me: false,
        body,
        sent_ms,
        status: Status::Delivered,
        attachment: None,
        reactions: Vec::new(),
        meta: MessageMeta::default(),
    }
}

/// A contact's profile: what of it cannot be shown safely (a name or About line with control
/// characters, a photo that is no small image) is left out.
fn receive_profile(
    batch: &mut Batch,
    from: &DeviceAddress,
    display_name: &str,
    about: &str,
    photo: Option<Box<AttachmentPointer>>,
) {
    let sender = from.username();
    let name = clean_display_name(display_name).unwrap_or_default();
    if !name.is_empty() {
        batch
            .changes
            .names
            .retain(|(account, _)| *account != sender);
        batch.changes.names.push((sender.clone(), name.clone()));
    }
    let profile = ContactProfile {
        about: clean_about(about).unwrap_or_default(),
        photo: photo.map(|p| *p).filter(photo_fits),
    };
    batch
        .changes
        .profiles
        .retain(|(account, _)| *account != sender);
    batch
        .changes
        .profiles
        .push((sender.clone(), profile.clone()));
    batch.events.push(Event::Profile {
        account: sender,
        display_name: name,
        profile,
    });
}

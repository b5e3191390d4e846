//! Attachments, the engine's part: a grant to upload one encrypted file, and the message that
//! carries its pointer (to a contact, a group, and our own other devices). The file is
//! encrypted ([`hush_protocol::attachment::seal`] or its streaming form), uploaded and
//! downloaded by the platform, which owns HTTP; the engine never holds the file.

use hush_protocol::attachment::{AttachmentPointer, Mime};
use hush_protocol::relay::ClientFrame;
use hush_protocol::Rng;

use super::{Engine, Event, Output};
use crate::content::Content;
use crate::error::{EngineError, InputError};
use crate::model::{ChatId, ChatMessage, Kind, MessageId, Status};
use crate::store::Store;

/// Upload grants one connection waits for at once (the relay gives a device at most 8).
pub(super) const MAX_UPLOADS_ASKED: usize = 16;

impl<S: Store, R: Rng> Engine<S, R> {
    /// Asks the relay for a grant to upload one encrypted file of `ciphertext_len` bytes. The
    /// answer is [`Event::UploadGranted`] with the returned request id (or a relay error with
    /// it: too large, too many uploads waiting, quota reached).
    pub fn request_upload(&mut self, ciphertext_len: u64) -> Result<(u32, Output), EngineError> {
        if !self.connection.authenticated {
            return Err(EngineError::NotConnected);
        }
        let size = u32::try_from(ciphertext_len)
            .ok()
            .filter(|&size| u64::from(size) <= hush_protocol::limits::MAX_ATTACHMENT)
            .ok_or(InputError::AttachmentSize)?;
        let uploads = &mut self.connection.uploads_asked;
        if uploads.len() >= MAX_UPLOADS_ASKED {
            return Err(InputError::TooManyUploads.into());
        }
        let request = self.requests.next();
        uploads.push(request);
        let mut out = Output::default();
        out.frames
            .push(ClientFrame::RequestUpload { request, size });
        Ok((request, out))
    }

    /// The relay's grant for an upload asked with [`Engine::request_upload`]; false if the
    /// request was not one.
    pub(super) fn attachment_granted(
        &mut self,
        request: u32,
        id: [u8; 32],
        out: &mut Output,
    ) -> bool {
        let uploads = &mut self.connection.uploads_asked;
        let Some(at) = uploads.iter().position(|&r| r == request) else {
            return false;
        };
        uploads.swap_remove(at);
        out.events.push(Event::UploadGranted { request, id });
        true
    }

    /// The relay's refusal of an upload asked with [`Engine::request_upload`]; false if the
    /// request was not one.
    pub(super) fn attachment_refused(
        &mut self,
        request: u32,
        reason: &str,
        out: &mut Output,
    ) -> bool {
        let uploads = &mut self.connection.uploads_asked;
        let Some(at) = uploads.iter().position(|&r| r == request) else {
            return false;
        };
        uploads.swap_remove(at);
        out.events.push(Event::UploadRefused {
            request,
            reason: reason.to_owned(),
        });
        true
    }

    /// Sends an uploaded file to `to`: the message shows at once (body: its caption, or what
    /// it is), goes to every device of the chat, and a transcript to our other devices.
    pub async fn send_attachment(
        &mut self,
        to: &ChatId,
        pointer: AttachmentPointer,
        now_ms: u64,
    ) -> Result<(ChatMessage, Output), EngineError> {
        pointer.check().map_err(|_| InputError::AttachmentSize)?;
        let mut id = [0u8; 16];
        self.rng.fill_bytes(&mut id);
        let content = Content::Attachment {
            id,
            sent_ms: now_ms,
            pointer: pointer.clone(),
        };
        let message = attachment_message(id, to.clone(), true, now_ms, pointer);
        self.send_message(to, message, content).await
    }
}

/// How an attachment message shows: its caption, or what it is.
pub(crate) fn attachment_body(pointer: &AttachmentPointer) -> String {
    if !pointer.caption.is_empty() {
        return pointer.caption.clone();
    }
    let what = match pointer.mime {
        mime if mime.is_image() => "Photo",
        mime if mime.is_video() => "Video",
        Mime::OggAudio | Mime::WebmAudio | Mime::Mp4Audio => "Voice note",
        _ if !pointer.file_name.is_empty() => return pointer.file_name.clone(),
        _ => "File",
    };
    what.to_owned()
}

/// An attachment as its chat shows it (status: ours sending, theirs delivered).
pub(crate) fn attachment_message(
    id: MessageId,
    chat: ChatId,
    from_me: bool,
    sent_ms: u64,
    pointer: AttachmentPointer,
) -> ChatMessage {
    ChatMessage {
        id,
        group: None,
        kind: Kind::Attachment,
        chat,
        from_me,
        body: attachment_body(&pointer),
        sent_ms,
        status: if from_me {
            Status::Sending
        } else {
            Status::Delivered
        },
        attachment: Some(Box::new(pointer)),
        reactions: Vec::new(),
        meta: Default::default(),
    }
}

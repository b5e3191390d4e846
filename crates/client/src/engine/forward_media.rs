//! Forwarding older media (issue 20): a blob expires a while after its upload unless its
//! uploader renews it, so a forward must not point at one about to go. Before forwarding an
//! attachment, the platform asks [`Engine::forward_media`] what it needs:
//! - [`ForwardMedia::Reuse`]: the blob is young; [`Engine::forward`] sends the same pointer.
//! - [`ForwardMedia::Renew`]: ours and old: [`Engine::renew_blob`], and once the relay says
//!   [`Event::BlobRenewed`], forward as usual. If it says [`Event::RenewRefused`] (another
//!   device of ours uploaded it, or it already expired), re-upload as below.
//! - [`ForwardMedia::Reupload`]: someone else's and old: the platform downloads the file (or
//!   has it), encrypts it again under a fresh key, uploads it as a new blob and forwards that
//!   pointer with [`Engine::forward_copy`].
//!
//! A message's age is its sent time; a forwarded message's blob may be older than the
//! forward, so its age is unknown and it counts as old.

use hush_protocol::attachment::AttachmentPointer;
use hush_protocol::relay::ClientFrame;
use hush_protocol::Rng;

use super::{Engine, Event, Output};
use crate::error::{EngineError, InputError};
use crate::model::{ChatMessage, MessageId};
use crate::store::Store;

/// How old a blob may be and still be forwarded as it is: half the relay's default life of
/// 30 days, so a forward always has at least 15 days before it expires.
pub const FORWARD_AS_IS_MS: u64 = 15 * 24 * 60 * 60 * 1000;

/// Renewals one connection waits for at once.
pub(super) const MAX_RENEWALS_ASKED: usize = 16;

/// What forwarding a message needs first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ForwardMedia {
    /// Nothing: a text, or a blob young enough to point at again.
    Reuse,
    /// Our old blob: renew it first (see [`Engine::renew_blob`]).
    Renew([u8; 32]),
    /// Someone else's old blob: upload the file again as a new blob, then
    /// [`Engine::forward_copy`] with its pointer.
    Reupload(Box<AttachmentPointer>),
}

/// What forwarding `message` at `now_ms` needs (see [`ForwardMedia`]).
pub fn forward_media(message: &ChatMessage, now_ms: u64) -> ForwardMedia {
    let Some(pointer) = &message.attachment else {
        return ForwardMedia::Reuse;
    };
    let young =
        message.meta.forwards == 0 && now_ms.saturating_sub(message.sent_ms) <= FORWARD_AS_IS_MS;
    if young {
        ForwardMedia::Reuse
    } else if message.from_me && message.meta.forwards == 0 {
        ForwardMedia::Renew(pointer.blob)
    } else {
        ForwardMedia::Reupload(pointer.clone())
    }
}

impl<S: Store, R: Rng> Engine<S, R> {
    /// What forwarding message `id` at `now_ms` needs first (see [`ForwardMedia`]).
    pub async fn forward_media(
        &self,
        id: &MessageId,
        now_ms: u64,
    ) -> Result<ForwardMedia, EngineError> {
        let message = (self.store.message(id).await?)
            .filter(ChatMessage::is_reactable)
            .ok_or(InputError::NotForwardable)?;
        Ok(forward_media(&message, now_ms))
    }

    /// Asks the relay to keep `blob` (uploaded by this device) for another life from now. The
    /// answer is [`Event::BlobRenewed`] or [`Event::RenewRefused`] with the returned request.
    pub fn renew_blob(&mut self, blob: [u8; 32]) -> Result<(u32, Output), EngineError> {
        if !self.connection.authenticated {
            return Err(EngineError::NotConnected);
        }
        let asked = &mut self.connection.renewals_asked;
        if asked.len() >= MAX_RENEWALS_ASKED {
            return Err(InputError::TooManyUploads.into());
        }
        let request = self.requests.next();
        asked.push(request);
        let mut out = Output::default();
        out.frames
            .push(ClientFrame::RenewBlob { request, id: blob });
        Ok((request, out))
    }

    /// The relay renewed a blob; false if `request` was no renewal of ours.
    pub(super) fn blob_renewed(&mut self, request: u32, out: &mut Output) -> bool {
        if !self.connection.renewal_answered(request) {
            return false;
        }
        out.events.push(Event::BlobRenewed { request });
        true
    }

    /// The relay refused a renewal; false if `request` was none of ours.
    pub(super) fn renewal_refused(&mut self, request: u32, out: &mut Output) -> bool {
        if !self.connection.renewal_answered(request) {
            return false;
        }
        out.events.push(Event::RenewRefused { request });
        true
    }
}

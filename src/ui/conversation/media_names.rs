//! The log's attachments told apart: two files of one name, or two voice notes, get numbered
//! names ("Download report.pdf (2)", "Play voice note (2)"), so no two controls of one role on
//! the screen share a name (`crate::names::MediaNames` does the numbering).

use hush_protocol::attachment::AttachmentPointer;
use leptos::prelude::*;

use crate::names::MediaNames;
use crate::state::Ui;

/// The log's attachments told apart ([`MediaNames`]), from the messages it shows.
#[derive(Clone, Copy)]
pub(super) struct LogMedia(pub(super) Memo<MediaNames>);

impl LogMedia {
    /// For the messages `ui` shows.
    pub(super) fn new(ui: Ui) -> Self {
        Self(Memo::new(move |_| {
            ui.messages.with(|list| {
                MediaNames::of(list.iter().map(|message| {
                    let attachment = message.attachment.as_deref();
                    let named =
                        attachment.map(|p| (shown_name(p, &message.body), is_voice_note(p)));
                    (message.id, named)
                }))
            })
        }))
    }
}

/// The name a file shows under: its own, else its message's caption.
pub(super) fn shown_name<'a>(pointer: &'a AttachmentPointer, caption: &'a str) -> &'a str {
    match pointer.file_name.as_str() {
        "" => caption,
        name => name,
    }
}

/// Whether it plays as a voice note (audio with a waveform).
pub(super) fn is_voice_note(pointer: &AttachmentPointer) -> bool {
    pointer.mime.is_audio() && !pointer.waveform.is_empty()
}

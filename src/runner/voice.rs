//! Voice notes sent from this tab: a recording goes as an audio file with its duration and
//! waveform, through the same path as any file ([`super::uploads`]).

use hush_client::error::InputError;
use hush_client::{ChatId, EngineError, Output};
use hush_protocol::attachment::Mime;
use hush_protocol::limits::{MAX_ATTACHMENT, MAX_WAVEFORM};
use leptos::prelude::*;

use super::tab::Tab;
use super::uploads;
use crate::platform::clock::{self, LocalTime};
use crate::platform::files::{FileBlob, PickedFile};
use crate::platform::voice::Recording;
use crate::text;

/// The longest voice note: the recorder stops by itself then.
pub(crate) const MAX_VOICE_MS: u32 = 15 * 60 * 1000;

/// The most bytes a recording may have: with its padding and tags it stays under the largest
/// attachment (the recorder stops before passing it; larger ones are refused).
pub(crate) const MAX_VOICE_BYTES: u64 = MAX_ATTACHMENT / 8 * 7;

/// `Send voice note`: `recording` encrypted, uploaded and sent to `to` as an audio file.
pub(super) fn send(tab: &mut Tab, to: ChatId, recording: Recording) -> Result<Output, EngineError> {
    if recording.bytes.len() as u64 > MAX_VOICE_BYTES {
        return Err(InputError::AttachmentSize.into());
    }
    let Some(mime) = audio_kind(&recording.mime) else {
        tab.ui
            .problem
            .set(Some(text::RECORDING_FORMAT_UNSUPPORTED.to_owned()));
        return Ok(Output::default());
    };
    let Some(blob) = FileBlob::of_bytes(mime.as_str(), &recording.bytes) else {
        return Err(InputError::AttachmentSize.into());
    };
    let file = PickedFile {
        name: file_name(mime),
        mime: mime.as_str().to_owned(),
        blob,
        dimensions: None,
        thumbnail: Vec::new(),
        duration_ms: Some(recording.duration_ms.clamp(1, MAX_VOICE_MS)),
        waveform: if recording.waveform.len() <= MAX_WAVEFORM {
            recording.waveform
        } else {
            Vec::new()
        },
    };
    uploads::start(tab, to, vec![file], String::new())
}

/// The protocol's audio type for what the recorder says it made (some browsers name audio-only
/// WebM `video/webm`), or None for a kind Hush does not play.
fn audio_kind(recorded: &str) -> Option<Mime> {
    match Mime::parse(recorded) {
        audio @ (Mime::OggAudio | Mime::WebmAudio | Mime::Mp4Audio) => Some(audio),
        Mime::WebmVideo => Some(Mime::WebmAudio),
        Mime::Mp4Video => Some(Mime::Mp4Audio),
        _ => None,
    }
}

/// "Voice note 14.05.09.ogg": the time it was sent, so two notes in a gallery differ.
fn file_name(mime: Mime) -> String {
    let extension = match mime {
        Mime::OggAudio => "ogg",
        Mime::Mp4Audio => "m4a",
        _ => "webm",
    };
    let now = LocalTime::at(clock::now());
    text::voice_note_file_name(now.hours, now.minutes, now.seconds, extension)
}

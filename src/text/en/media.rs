//! Media: photos, videos, files and voice notes, sent, shown, uploaded and downloaded.

use core::fmt::Display;

// ui/conversation/attach.rs
pub const ATTACH: &str = "Attach";
pub const FILES_TO_SEND: &str = "Files to send";
pub const SEND_FILES: &str = "Send files";
pub const CAPTION: &str = "Caption";
pub const SEND_PHOTOS_AS_FILES: &str = "Send photos as files";

// ui/conversation/gallery.rs
/// A document without a name, in the gallery's list ("file, 1.2 MB").
pub const UNNAMED_FILE: &str = "file";
pub const MEDIA_LINKS_AND_DOCS: &str = "Media, links and docs";
pub const NO_MEDIA_YET: &str = "No media or files in this chat yet.";
pub const DOCS: &str = "Docs";
pub const VIDEO: &str = "Video";
pub const PHOTO: &str = "Photo";

// ui/conversation/hold.rs
pub const RECORD_VOICE_NOTE: &str = "Record voice note";

// ui/conversation/media.rs

// ui/conversation/record.rs
pub const STARTING_THE_MICROPHONE: &str = "Starting the microphone";
pub const RECORDING_A_VOICE_NOTE: &str = "Recording a voice note";
pub const VOICE_NOTE: &str = "Voice note";
pub const CANCEL_RECORDING: &str = "Cancel recording";
pub const SEND_VOICE_NOTE: &str = "Send voice note";
pub const STOP_RECORDING: &str = "Stop recording";

// ui/conversation/transfer.rs
pub const CANCEL_UPLOAD: &str = "Cancel upload";
pub const WAITING_TO_UPLOAD: &str = "Waiting to upload";

// ui/conversation/viewer.rs
pub const PHOTO_VIEWER: &str = "Photo viewer";
pub const PREVIOUS: &str = "Previous";
pub const NEXT: &str = "Next";
pub const DOWNLOAD: &str = "Download";

// ui/conversation/voice.rs
pub const PAUSE: &str = "Pause";
pub const PLAY_VOICE_NOTE: &str = "Play voice note";
pub const POSITION: &str = "Position";

// runner/downloads.rs
pub const FILE_GONE: &str = "This file is no longer available.";
pub const FILE_UNREACHABLE: &str = "This file could not be downloaded. Try again.";
pub const FILE_NOT_INTACT: &str = "This file did not arrive intact.";
pub const CLEAR_MEDIA_FAILED: &str = "Hush could not clear its media.";

// runner/voice.rs
pub const RECORDING_FORMAT_UNSUPPORTED: &str =
    "This browser records sound in a format Hush cannot send.";

/// Where a voice note is: `position` of `length` (both as "0:42").
pub fn position_of(position: &str, length: &str) -> String {
    format!("{position} of {length}")
}

/// The microphone could not be started, and why.
pub fn cannot_record(why: impl Display) -> String {
    format!("Hush cannot record a voice note: {why}")
}

/// The recording could not be kept, and why.
pub fn could_not_keep_voice_note(why: impl Display) -> String {
    format!("Hush could not keep the voice note: {why}")
}

/// The recorder's status once a note is recorded, `length` as "0:42".
pub fn voice_note_recorded(length: &str) -> String {
    format!("Voice note recorded, {length}")
}

/// The name of the button downloading the file `name`.
pub fn download_file(name: &str) -> String {
    format!("Download {name}")
}

/// The name of the progress of the file `name` arriving.
pub fn downloading_file(name: &str) -> String {
    format!("Downloading {name}")
}

/// The name of the progress of the file `name` going up.
pub fn uploading_file(name: &str) -> String {
    format!("Uploading {name}")
}

// platform/voice.rs (after `cannot_record` or `could_not_keep_voice_note`)
pub const RECORDER_UNREADABLE: &str = "the recorder gave an unreadable recording";
pub const RECORDER_FAILED: &str = "the recorder failed";

// runner/voice.rs
/// A voice note's file name: the time it was recorded, so two notes in a gallery differ.
pub fn voice_note_file_name(hours: u32, minutes: u32, seconds: u32, extension: &str) -> String {
    format!("Voice note {hours:02}.{minutes:02}.{seconds:02}.{extension}")
}

// runner/uploads.rs
/// The file `name` was not sent, and why.
pub fn not_sent(name: &str, why: impl Display) -> String {
    format!("{name} was not sent: {why}")
}

/// The file `name` was not sent: the tab lost its connection while it went up.
pub fn not_sent_connection_lost(name: &str) -> String {
    format!("{name} was not sent: the connection was lost. Attach it again.")
}

/// The file `name` waited too long: the relay dropped what was uploaded.
pub fn upload_dropped_by_relay(name: &str) -> String {
    format!("{name} could not be sent: the relay no longer holds it. Attach it again.")
}

/// The file `name` waits to be uploaded on the next connection.
pub fn not_uploaded_yet(name: &str) -> String {
    format!("{name} could not be uploaded yet. Hush tries again when it reconnects.")
}

// size.rs
/// A size under a megabyte.
pub fn kilobytes(kilobytes: u64) -> String {
    format!("{kilobytes} KB")
}

/// A size under ten megabytes, with one decimal.
pub fn megabytes_and_tenths(megabytes: u64, tenths: u64) -> String {
    format!("{megabytes}.{tenths} MB")
}

/// A larger size (and nothing: "0 MB").
pub fn megabytes(megabytes: u64) -> String {
    format!("{megabytes} MB")
}

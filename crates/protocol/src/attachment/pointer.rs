//! What a message carries for an attachment: where the blob is, its key, the file's SHA-256,
//! how it may be shown, and an optional caption. Decoded strictly: an over-long or malformed
//! field, or a field the type cannot have, is a [`DecodeError`], never a panic.
//!
//! ```text
//! blob id (32) ‖ key (39) ‖ SHA-256 (32) ‖ ciphertext length (u64) ‖ MIME type (u8)
//! ‖ file name (var) ‖ dimensions: 0, or 1 ‖ width (u32) ‖ height (u32)
//! ‖ duration: 0, or 1 ‖ milliseconds (u32) ‖ thumbnail (var) ‖ waveform (var) ‖ caption (var)
//! ```
//!
//! An empty file name, thumbnail, waveform or caption is none.

use core::fmt;

use zeroize::Zeroizing;

use super::{padding, stream, AttachmentKey};
use crate::codec::{DecodeError, Reader, Writer};
use crate::limits::{MAX_ATTACHMENT, MAX_CAPTION, MAX_FILE_NAME, MAX_THUMBNAIL, MAX_WAVEFORM};

/// The widest or tallest image or video a pointer may describe, in pixels.
pub const MAX_DIMENSION: u32 = 65_535;

/// The types a file may be shown or played as: a short allow-list. Anything else (HTML, SVG,
/// scripts, archives...) is [`Mime::File`], offered for saving only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mime {
    /// Any other file (`application/octet-stream`).
    File,
    /// `image/jpeg`.
    Jpeg,
    /// `image/png`.
    Png,
    /// `image/webp`.
    Webp,
    /// `image/gif`.
    Gif,
    /// `video/mp4`.
    Mp4Video,
    /// `video/webm`.
    WebmVideo,
    /// `audio/ogg` (voice notes: Opus).
    OggAudio,
    /// `audio/webm` (voice notes: Opus).
    WebmAudio,
    /// `audio/mp4` (voice notes: AAC).
    Mp4Audio,
    /// `application/pdf`.
    Pdf,
}

impl Mime {
    /// Every type, by its wire code (its index).
    pub const ALL: [Mime; 11] = [
        Mime::File,
        Mime::Jpeg,
        Mime::Png,
        Mime::Webp,
        Mime::Gif,
        Mime::Mp4Video,
        Mime::WebmVideo,
        Mime::OggAudio,
        Mime::WebmAudio,
        Mime::Mp4Audio,
        Mime::Pdf,
    ];

    /// The type's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::File => "application/octet-stream",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
            Self::Gif => "image/gif",
            Self::Mp4Video => "video/mp4",
            Self::WebmVideo => "video/webm",
            Self::OggAudio => "audio/ogg",
            Self::WebmAudio => "audio/webm",
            Self::Mp4Audio => "audio/mp4",
            Self::Pdf => "application/pdf",
        }
    }

    /// The allowed type `mime` names (any case, parameters such as `; codecs=opus` ignored),
    /// or [`Mime::File`].
    pub fn parse(mime: &str) -> Self {
        let essence = mime.split(';').next().unwrap_or_default().trim();
        Self::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(essence))
            .unwrap_or(Self::File)
    }

    /// An image (it may have dimensions and a thumbnail).
    pub fn is_image(self) -> bool {
        matches!(self, Self::Jpeg | Self::Png | Self::Webp | Self::Gif)
    }

    /// A video (dimensions, a duration and a thumbnail).
    pub fn is_video(self) -> bool {
        matches!(self, Self::Mp4Video | Self::WebmVideo)
    }

    /// Audio (a duration and a waveform).
    pub fn is_audio(self) -> bool {
        matches!(self, Self::OggAudio | Self::WebmAudio | Self::Mp4Audio)
    }

    fn code(self) -> u8 {
        Self::ALL.iter().position(|&m| m == self).unwrap_or(0) as u8
    }

    /// A code this build does not know (a newer type) is a generic file.
    fn from_code(code: u8) -> Self {
        Self::ALL
            .get(usize::from(code))
            .copied()
            .unwrap_or(Self::File)
    }
}

/// An image's or video's size in pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dimensions {
    /// 1 to [`MAX_DIMENSION`].
    pub width: u32,
    /// 1 to [`MAX_DIMENSION`].
    pub height: u32,
}

/// One attachment, as a message carries it.
#[derive(Clone, PartialEq, Eq)]
pub struct AttachmentPointer {
    /// The relay's blob id.
    pub blob: [u8; 32],
    /// The file's key (secret).
    pub key: AttachmentKey,
    /// The file's SHA-256, checked before anything of it is shown or saved.
    pub sha256: [u8; 32],
    /// The blob's length, padding included: at most [`MAX_ATTACHMENT`], and a length a
    /// padded stream has.
    pub ciphertext_len: u64,
    /// How it may be shown.
    pub mime: Mime,
    /// Empty, or a name [`crate::text::clean_file_name`] leaves as it is.
    pub file_name: String,
    /// An image's or video's size.
    pub dimensions: Option<Dimensions>,
    /// A video's or audio's length, in milliseconds (not 0).
    pub duration_ms: Option<u32>,
    /// Empty, or an image's or video's small preview (a JPEG of at most [`MAX_THUMBNAIL`]
    /// bytes).
    pub thumbnail: Vec<u8>,
    /// Empty, or a voice note's amplitudes (one byte each, at most [`MAX_WAVEFORM`]).
    pub waveform: Vec<u8>,
    /// Empty, or a text shown with it (at most [`MAX_CAPTION`] bytes).
    pub caption: String,
}

impl AttachmentPointer {
    /// The encoding's length.
    pub fn encoded_len(&self) -> usize {
        let dimensions = if self.dimensions.is_some() { 9 } else { 1 };
        let duration = if self.duration_ms.is_some() { 5 } else { 1 };
        32 + AttachmentKey::LEN
            + 32
            + 8
            + 1
            + 4
            + self.file_name.len()
            + dimensions
            + duration
            + 4
            + self.thumbnail.len()
            + 4
            + self.waveform.len()
            + 4
            + self.caption.len()
    }

    /// The encoding alone (it travels inside a message's content, after its header).
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(self.encoded_len());
        self.write(&mut w);
        w.into_bytes()
    }

    /// Decodes exactly one pointer (nothing after it).
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let pointer = Self::read(&mut r)?;
        r.finish()?;
        Ok(pointer)
    }

    /// Appends the encoding. Callers write pointers that [`Self::check`] accepts.
    pub fn write(&self, w: &mut Writer) {
        w.raw(&self.blob)
            .raw(&*self.key.to_bytes())
            .raw(&self.sha256)
            .u64(self.ciphertext_len)
            .u8(self.mime.code())
            .var(self.file_name.as_bytes());
        match self.dimensions {
            Some(d) => w.u8(1).u32(d.width).u32(d.height),
            None => w.u8(0),
        };
        w.opt_u32(self.duration_ms)
            .var(&self.thumbnail)
            .var(&self.waveform)
            .var(self.caption.as_bytes());
    }

    /// Appends a flag (u8: 0 none, 1 one) and the pointer if there is one.
    pub fn write_optional(pointer: Option<&Self>, w: &mut Writer) {
        match pointer {
            Some(pointer) => {
                w.u8(1);
                pointer.write(w);
            }
            None => {
                w.u8(0);
            }
        }
    }

    /// Reads what [`Self::write_optional`] wrote (`flag` names the flag in errors).
    pub fn read_optional(
        r: &mut Reader<'_>,
        flag: &'static str,
    ) -> Result<Option<Self>, DecodeError> {
        match r.bool(flag)? {
            true => Self::read(r).map(Some),
            false => Ok(None),
        }
    }

    /// Reads one pointer and checks it ([`Self::check`]).
    pub fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let blob = r.array()?;
        let key = AttachmentKey::from_bytes(&Zeroizing::new(r.array()?));
        let sha256 = r.array()?;
        let ciphertext_len = r.u64()?;
        let mime = Mime::from_code(r.u8()?);
        let file_name = r.string("file name", MAX_FILE_NAME)?;
        let dimensions = match r.bool("dimensions flag")? {
            true => Some(Dimensions {
                width: r.u32()?,
                height: r.u32()?,
            }),
            false => None,
        };
        let pointer = Self {
            blob,
            key,
            sha256,
            ciphertext_len,
            mime,
            file_name,
            dimensions,
            duration_ms: r.opt_u32("duration flag")?,
            thumbnail: r.var("thumbnail", MAX_THUMBNAIL)?.to_vec(),
            waveform: r.var("waveform", MAX_WAVEFORM)?.to_vec(),
            caption: r.string("caption", MAX_CAPTION)?,
        };
        pointer.check()?;
        Ok(pointer)
    }

    /// Whether every field is one a sender may send: the limits, a length some padded stream
    /// has, a clean file name, and only the fields its type may have (dimensions and a
    /// thumbnail for images and videos, a duration for videos and audio, a waveform for audio).
    pub fn check(&self) -> Result<(), DecodeError> {
        let too_long = |field, limit| Err(DecodeError::TooLong { field, limit });
        if self.ciphertext_len > MAX_ATTACHMENT {
            return too_long("attachment", MAX_ATTACHMENT as usize);
        }
        if self.file_name.len() > MAX_FILE_NAME {
            return too_long("file name", MAX_FILE_NAME);
        }
        if self.thumbnail.len() > MAX_THUMBNAIL {
            return too_long("thumbnail", MAX_THUMBNAIL);
        }
        if self.waveform.len() > MAX_WAVEFORM {
            return too_long("waveform", MAX_WAVEFORM);
        }
        if self.caption.len() > MAX_CAPTION {
            return too_long("caption", MAX_CAPTION);
        }
        // The blob holds a framed, padded file: its length says so.
        let framed = stream::plaintext_len(self.ciphertext_len);
        let padded =
            framed.is_some_and(|f| f >= padding::HEADER_LEN as u64 && padding::padme(f) == Some(f));
        if !padded {
            return Err(DecodeError::Invalid("attachment length"));
        }
        let name = &self.file_name;
        if !name.is_empty() && crate::text::clean_file_name(name).as_ref() != Some(name) {
            return Err(DecodeError::Invalid("file name"));
        }
        let visual = self.mime.is_image() || self.mime.is_video();
        let timed = self.mime.is_video() || self.mime.is_audio();
        let size_ok = |n: u32| (1..=MAX_DIMENSION).contains(&n);
        match self.dimensions {
            Some(d) if !visual || !size_ok(d.width) || !size_ok(d.height) => {
                return Err(DecodeError::Invalid("dimensions"));
            }
            _ => {}
        }
        if self.duration_ms.is_some_and(|ms| !timed || ms == 0) {
            return Err(DecodeError::Invalid("duration"));
        }
        if !self.thumbnail.is_empty() && !visual {
            return Err(DecodeError::Invalid("thumbnail"));
        }
        if !self.waveform.is_empty() && !self.mime.is_audio() {
            return Err(DecodeError::Invalid("waveform"));
        }
        Ok(())
    }
}

impl fmt::Debug for AttachmentPointer {
    /// The key stays out; bytes are shown by their length.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AttachmentPointer")
            .field("blob", &crate::hex::encode(&self.blob[..4]))
            .field("key", &self.key)
            .field("ciphertext_len", &self.ciphertext_len)
            .field("mime", &self.mime)
            .field("file_name", &self.file_name)
            .field("dimensions", &self.dimensions)
            .field("duration_ms", &self.duration_ms)
            .field("thumbnail", &self.thumbnail.len())
            .field("waveform", &self.waveform.len())
            .field("caption", &self.caption.len())
            .finish_non_exhaustive()
    }
}

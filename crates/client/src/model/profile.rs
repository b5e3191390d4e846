//! What a contact says about themselves besides their name: an "About" line and a photo.

use hush_protocol::attachment::AttachmentPointer;
use hush_protocol::text::has_blocked;

/// The longest "About" line, in characters (WhatsApp's).
pub const MAX_ABOUT: usize = 139;
/// The longest "About" line, in bytes.
pub const MAX_ABOUT_BYTES: usize = MAX_ABOUT * 4;
/// The largest profile photo blob (a 512 px JPEG is far smaller).
pub const MAX_PHOTO_BLOB: u64 = 1024 * 1024;

/// A contact's About line and photo, as they last sent them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactProfile {
    /// Empty, or a line [`clean_about`] leaves as it is.
    pub about: String,
    /// Their photo: an encrypted image blob on the relay, whose key only contacts hold.
    pub photo: Option<AttachmentPointer>,
}

/// An About line fit to show: trimmed, at most [`MAX_ABOUT`] characters on one line, with
/// no control or direction-override characters (the display name's rules); empty stays empty.
pub fn clean_about(about: &str) -> Option<String> {
    let about = about.trim();
    if about.is_empty() {
        return Some(String::new());
    }
    if about.chars().count() > MAX_ABOUT {
        return None;
    }
    (!has_blocked(about)).then(|| about.to_owned())
}

/// Whether `photo` can be a profile photo: a still image, small.
pub fn photo_fits(photo: &AttachmentPointer) -> bool {
    photo.mime.is_image() && photo.ciphertext_len <= MAX_PHOTO_BLOB && photo.check().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn about_lines_are_trimmed_bounded_and_plain() {
        assert_eq!(clean_about("  Out hiking "), Some("Out hiking".to_owned()));
        assert_eq!(clean_about("   "), Some(String::new()));
        assert_eq!(
            clean_about("مرحبا بالعالم"),
            Some("مرحبا بالعالم".to_owned())
        );
        assert_eq!(
            clean_about(&"x".repeat(MAX_ABOUT)).map(|a| a.len()),
            Some(MAX_ABOUT)
        );
        assert_eq!(clean_about(&"x".repeat(MAX_ABOUT + 1)), None);
        assert_eq!(clean_about("two\nlines"), None);
        assert_eq!(clean_about("evil\u{202e}txt"), None);
    }
}

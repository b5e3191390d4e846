//! Names a peer chooses and other people see: display names, device names, group names and
//! group descriptions. One rule for what any of them may hold, each with its own length limit.
//!
//! A name is shown inside other text ("Alice's phone linked a new device", a chat list, a
//! member list), so it must not be able to change that text: no control characters (line
//! breaks, tabs, escapes), and no bidirectional formatting characters, which would reorder the
//! text around the name (a name ending in U+202E shows what follows it backwards).

/// The longest display name, in characters.
pub const MAX_DISPLAY_NAME: usize = 64;
/// The most bytes a display name takes on the wire (a character is at most 4 bytes of UTF-8).
pub const MAX_DISPLAY_NAME_BYTES: usize = MAX_DISPLAY_NAME * 4;
/// The longest device name ("Chrome on Linux"), in bytes.
pub const MAX_DEVICE_NAME: usize = 64;
/// The longest group name, in bytes.
pub const MAX_GROUP_NAME: usize = 100;
/// The longest group description, in bytes.
pub const MAX_DESCRIPTION: usize = 1024;

/// Whether `c` may not appear in any name: a control character (line breaks and tabs
/// included) or a bidirectional formatting character.
pub fn is_blocked(c: char) -> bool {
    c.is_control() || is_bidi_format(c)
}

/// The bidirectional formatting characters: the embeddings and overrides (U+202A to U+202E),
/// the isolates (U+2066 to U+2069) and the marks (U+200E, U+200F and U+061C). Any of them can
/// reorder the text shown around a name.
fn is_bidi_format(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
    )
}

/// Whether `text` has a character no one-line text may have (see [`is_blocked`]).
pub fn has_blocked(text: &str) -> bool {
    text.chars().any(is_blocked)
}

/// A display name fit to show: trimmed, 1 to [`MAX_DISPLAY_NAME`] characters, nothing
/// blocked (see [`is_blocked`]). `None` for anything else.
pub fn clean_display_name(name: &str) -> Option<String> {
    let name = name.trim();
    let fits = !name.is_empty() && name.chars().count() <= MAX_DISPLAY_NAME;
    (fits && !has_blocked(name)).then(|| name.to_owned())
}

/// A device name fit to show: trimmed, 1 to [`MAX_DEVICE_NAME`] bytes, nothing blocked (see
/// [`is_blocked`]). `None` for anything else.
pub fn clean_device_name(name: &str) -> Option<String> {
    let name = name.trim();
    let fits = !name.is_empty() && name.len() <= MAX_DEVICE_NAME;
    (fits && !has_blocked(name)).then(|| name.to_owned())
}

/// An attachment's file name fit to show and to save under: trimmed, 1 to
/// [`MAX_FILE_NAME`](crate::limits::MAX_FILE_NAME) bytes, nothing blocked (see [`is_blocked`]),
/// and no path: no `/` or `\`, and not `.` or `..`. `None` for anything else.
pub fn clean_file_name(name: &str) -> Option<String> {
    let name = name.trim();
    let fits = !name.is_empty() && name.len() <= crate::limits::MAX_FILE_NAME;
    let path = name.contains(['/', '\\']) || name == "." || name == "..";
    (fits && !path && !has_blocked(name)).then(|| name.to_owned())
}

/// Whether `name` may name a group: not blank, at most [`MAX_GROUP_NAME`] bytes, nothing
/// blocked (see [`is_blocked`]). Checked as it is, not trimmed: group names are signed.
pub fn is_clean_group_name(name: &str) -> bool {
    !name.trim().is_empty() && name.len() <= MAX_GROUP_NAME && !has_blocked(name)
}

/// Whether `description` may describe a group: empty, or at most [`MAX_DESCRIPTION`] bytes
/// with nothing blocked (see [`is_blocked`]) but line breaks (`\n`): a description is shown
/// as a block of its own, in paragraphs. Checked as it is, not trimmed: it is signed.
pub fn is_clean_description(description: &str) -> bool {
    description.len() <= MAX_DESCRIPTION && !description.chars().any(|c| c != '\n' && is_blocked(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind of name, as a yes/no check of `text` taken as it is.
    fn accepted_as(text: &str) -> [(&'static str, bool); 4] {
        [
            (
                "display name",
                clean_display_name(text).as_deref() == Some(text),
            ),
            (
                "device name",
                clean_device_name(text).as_deref() == Some(text),
            ),
            ("group name", is_clean_group_name(text)),
            ("description", is_clean_description(text)),
        ]
    }

    fn refused_everywhere(blocked: &[char]) {
        for &c in blocked {
            for text in [
                format!("{c}"),
                format!("Ada{c}"),
                format!("{c}Ada"),
                format!("Ada{c} Lovelace"),
            ] {
                assert!(is_blocked(c), "U+{:04X}", u32::from(c));
                for (kind, ok) in accepted_as(&text) {
                    assert!(!ok, "{kind} {text:?} was accepted");
                }
            }
        }
    }

    #[test]
    fn control_characters_and_line_breaks_are_refused() {
        refused_everywhere(&['\r', '\t', '\0', '\u{1B}', '\u{7F}', '\u{85}', '\u{9F}']);
    }

    #[test]
    fn only_a_description_may_break_lines() {
        let text = "first\nsecond";
        for (kind, ok) in accepted_as(text) {
            assert_eq!(ok, kind == "description", "{kind} {text:?}");
        }
        assert!(!is_clean_description("first\r\nsecond"));
        assert!(!is_clean_description("first\n\u{202E}second"));
    }

    #[test]
    fn bidi_embeddings_and_overrides_are_refused() {
        refused_everywhere(&['\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}']);
    }

    #[test]
    fn bidi_isolates_are_refused() {
        refused_everywhere(&['\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}']);
    }

    #[test]
    fn bidi_marks_are_refused() {
        refused_everywhere(&['\u{200E}', '\u{200F}', '\u{061C}']);
    }

    #[test]
    fn ordinary_names_in_any_script_pass() {
        for name in [
            "Ada Lovelace",
            "Zoë 🌻",
            "Chrome on Linux",
            "محمد",
            "שלום עליכם",
            "李小龙",
            "Ñandú",
            "Ελένη",
            "नमस्ते",
            "👩‍💻 team",
            "🇫🇷 Paris",
            "O'Brien-Smith (work)",
        ] {
            for (kind, ok) in accepted_as(name) {
                assert!(ok, "{kind} {name:?} was refused");
            }
        }
    }

    #[test]
    fn each_kind_keeps_its_length_limit() {
        // Display names count characters; the others count bytes.
        let e_acute = "é".repeat(MAX_DISPLAY_NAME);
        assert!(clean_display_name(&e_acute).is_some());
        assert!(clean_display_name(&format!("{e_acute}é")).is_none());
        assert!(clean_device_name(&e_acute).is_none());
        let at = |n: usize| "x".repeat(n);
        assert!(clean_device_name(&at(MAX_DEVICE_NAME)).is_some());
        assert!(clean_device_name(&at(MAX_DEVICE_NAME + 1)).is_none());
        assert!(is_clean_group_name(&at(MAX_GROUP_NAME)));
        assert!(!is_clean_group_name(&at(MAX_GROUP_NAME + 1)));
        assert!(is_clean_description(&at(MAX_DESCRIPTION)));
        assert!(!is_clean_description(&at(MAX_DESCRIPTION + 1)));
        assert_eq!(MAX_DISPLAY_NAME_BYTES, 256);
    }

    #[test]
    fn file_names_are_cleaned_and_never_name_a_path() {
        assert_eq!(clean_file_name(" report.pdf "), Some("report.pdf".into()));
        assert_eq!(clean_file_name("Zoë 🌻.jpg"), Some("Zoë 🌻.jpg".into()));
        for bad in [
            "",
            "  ",
            ".",
            "..",
            "../etc/passwd",
            "dir/file",
            "C:\\file",
            "a\nb",
            "photo\u{202E}gpj.exe",
        ] {
            assert_eq!(clean_file_name(bad), None, "{bad:?}");
        }
        let max = crate::limits::MAX_FILE_NAME;
        assert!(clean_file_name(&"x".repeat(max)).is_some());
        assert!(clean_file_name(&"x".repeat(max + 1)).is_none());
    }

    #[test]
    fn blank_names_are_refused_and_only_people_chosen_names_are_trimmed() {
        for blank in ["", "   "] {
            assert_eq!(clean_display_name(blank), None);
            assert_eq!(clean_device_name(blank), None);
            assert!(!is_clean_group_name(blank));
        }
        assert!(is_clean_description(""));
        assert_eq!(clean_display_name("  Ada L. "), Some("Ada L.".into()));
        assert_eq!(clean_device_name(" Firefox "), Some("Firefox".into()));
        // Signed group texts are checked as they are.
        assert!(is_clean_group_name(" Hush "));
    }
}

//! Word segmentation for search, following the main rules of Unicode word boundaries
//! (UAX #29): letters and digits of any script run together into a word; an apostrophe
//! between letters ("don't") or a point or comma between digits ("3.14") stays inside it;
//! each ideograph or hiragana character is a word of its own, as UAX #29 leaves them
//! (Chinese and Japanese have no spaces), while katakana runs together. Punctuation, spaces,
//! emoji and symbols separate words. Words come out folded ([`super::fold`]), without their
//! apostrophes, so "Don't" is found by "dont".

use super::fold::{is_accent, push_folded};

/// The longest term kept, in characters: a longer word is cut (queries are cut alike).
pub const MAX_TERM_CHARS: usize = 40;

/// How a character takes part in a word.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    /// A letter or digit that runs with its neighbours.
    Word,
    /// A word on its own.
    Single,
    /// An apostrophe: inside a word between letters.
    MidLetter,
    /// A point or comma: inside a number between digits.
    MidNumber,
    /// Anything else.
    Other,
}

fn class(c: char) -> Class {
    match c {
        '\'' | '\u{2019}' => Class::MidLetter,
        '.' | ',' => Class::MidNumber,
        _ if is_single(c) => Class::Single,
        _ if c.is_alphanumeric() || is_accent(c) => Class::Word,
        _ => Class::Other,
    }
}

/// Ideographs (CJK unified, extensions, compatibility) and hiragana.
fn is_single(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x309F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF)
}

/// The folded words of `text`, in order (repeats included).
pub fn words(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut word = String::new();
    for (at, &c) in chars.iter().enumerate() {
        let joins = match class(c) {
            Class::Word => true,
            Class::MidLetter => between(&chars, at, char::is_alphabetic),
            Class::MidNumber => between(&chars, at, |c| c.is_ascii_digit()),
            Class::Single => {
                finish(&mut found, &mut word);
                let mut single = String::new();
                push_folded(&mut single, c);
                found.push(single);
                false
            }
            Class::Other => false,
        };
        if joins {
            if class(c) != Class::MidLetter {
                push_folded(&mut word, c);
            }
        } else {
            finish(&mut found, &mut word);
        }
    }
    finish(&mut found, &mut word);
    found
}

/// Whether the characters on both sides of `at` satisfy `side`.
fn between(chars: &[char], at: usize, side: impl Fn(char) -> bool) -> bool {
    let before = at.checked_sub(1).and_then(|i| chars.get(i));
    let after = chars.get(at + 1);
    matches!((before, after), (Some(b), Some(a)) if side(*b) && side(*a))
}

/// Ends the word being built, keeping it (cut to [`MAX_TERM_CHARS`]) if it holds anything.
fn finish(found: &mut Vec<String>, word: &mut String) {
    if word.is_empty() {
        return;
    }
    let cut = match word.char_indices().nth(MAX_TERM_CHARS) {
        Some((at, _)) => word[..at].to_owned(),
        None => word.clone(),
    };
    found.push(cut);
    word.clear();
}

//! Case and accent folding for search: "Café" and "cafe" are one term. Lowercase first, then
//! an accented Latin, Greek or Cyrillic letter becomes its base letter, by small tables rather
//! than full Unicode normalization (whose tables would cost the web app tens of kilobytes).

/// Base letters of U+00C0..U+017F (Latin-1 Supplement and Latin Extended-A), lowercase;
/// `.` where a letter has no one-letter base (those are in [`special`]).
const LATIN: &[u8; 192] = b"aaaaaa.ceeeeiiii.nooooo..uuuuy..aaaaaa.ceeeeiiii.nooooo..uuuuy.yaaaaaaccccccccdd..eeeeeeeeeegggggggghh..iiiiiiii....jjkk.llllll....nnnnnn...oooooo..rrrrrrsssssssstttt..uuuuuuuuuuuuwwyyyzzzzzz.";

/// Base letters of U+1E00..U+1EFF (Latin Extended Additional: Vietnamese and more).
const LATIN_ADDITIONAL: &[u8; 256] = b"aabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmmmmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvvwwwwwwwwwwxxxxyyzzzzzzhtwy......aaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyy......";

/// Whether `c` is a combining accent (U+0300..U+036F), dropped: text typed decomposed
/// ("e" + U+0301) folds like the composed letter.
pub fn is_accent(c: char) -> bool {
    ('\u{300}'..='\u{36f}').contains(&c)
}

/// `text` folded (chat names are matched so, as message words are).
pub fn folded(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    text.chars().for_each(|c| push_folded(&mut out, c));
    out
}

/// Appends `c`, folded, to `out`.
pub fn push_folded(out: &mut String, c: char) {
    for lower in c.to_lowercase() {
        if is_accent(lower) {
            continue;
        }
        match base(lower) {
            Some(base) => out.push(base),
            None => match special(lower) {
                Some(spelled) => out.push_str(spelled),
                None => out.push(lower),
            },
        }
    }
}

/// The one-letter base of an accented lowercase letter, if it has one.
fn base(c: char) -> Option<char> {
    let code = c as u32;
    let from_table = |table: &[u8], start: u32| {
        let at = usize::try_from(code - start).ok()?;
        table
            .get(at)
            .filter(|b| **b != b'.')
            .map(|b| char::from(*b))
    };
    match code {
        0xC0..=0x17F => from_table(LATIN, 0xC0),
        0x1E00..=0x1EFF => from_table(LATIN_ADDITIONAL, 0x1E00),
        _ => greek_or_cyrillic(c),
    }
}

fn greek_or_cyrillic(c: char) -> Option<char> {
    Some(match c {
        'ά' => 'α',
        'έ' => 'ε',
        'ή' => 'η',
        'ί' | 'ϊ' | 'ΐ' => 'ι',
        'ό' => 'ο',
        'ύ' | 'ϋ' | 'ΰ' => 'υ',
        'ώ' => 'ω',
        'ς' => 'σ',
        'ё' => 'е',
        _ => return None,
    })
}

/// Letters spelled with two where people search with two ("strasse", "aeroe").
fn special(c: char) -> Option<&'static str> {
    Some(match c {
        'æ' => "ae",
        'œ' => "oe",
        'ß' => "ss",
        'ø' => "o",
        'đ' | 'ð' => "d",
        'ł' => "l",
        'þ' => "th",
        'ı' => "i",
        'ħ' => "h",
        _ => return None,
    })
}

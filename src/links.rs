//! Finding links in message text: `http://`, `https://` and `mailto:` addresses, and nothing
//! else (no `javascript:`, no `data:`, no bare domains). The pieces are shown as text and
//! links; nothing is fetched for a preview (that would tell the linked site who reads it).

/// A piece of a message's text.
#[derive(Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Plain text, shown as text.
    Text(&'a str),
    /// A link: its text is also its address.
    Link(&'a str),
}

/// The schemes that become links, lower case.
const SCHEMES: [&str; 3] = ["https://", "http://", "mailto:"];

/// Punctuation that ends a sentence around a link rather than belonging to it.
const TRAILING: [char; 12] = ['.', ',', ';', ':', '!', '?', '\'', '"', ')', ']', '}', '>'];

/// Splits `text` into text and links, in order; joined again they are `text`.
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some((start, len)) = next_link(rest) {
        if start > 0 {
            out.push(Piece::Text(&rest[..start]));
        }
        out.push(Piece::Link(&rest[start..start + len]));
        rest = &rest[start + len..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// Where the first link in `text` starts and how long it is (bytes).
fn next_link(text: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(start) = scheme_start(text, from) {
        let len = link_len(&text[start..]);
        if len > 0 {
            return Some((start, len));
        }
        from = start + 1;
    }
    None
}

/// The byte index of the next scheme at or after `from` that starts a word.
fn scheme_start(text: &str, from: usize) -> Option<usize> {
    (from..text.len()).find(|&at| {
        text.is_char_boundary(at)
            && scheme_len(&text[at..]) > 0
            && !text[..at].chars().next_back().is_some_and(is_word_char)
    })
}

/// The length of the scheme `text` starts with (any case), 0 if none.
fn scheme_len(text: &str) -> usize {
    SCHEMES
        .iter()
        .find(|s| {
            text.get(..s.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(s))
        })
        .map_or(0, |s| s.len())
}

/// How long the link at the start of `text` is, 0 if what follows its scheme is no address.
fn link_len(text: &str) -> usize {
    let scheme_len = scheme_len(text);
    let end = text
        .find(|c: char| c.is_whitespace() || c.is_control() || matches!(c, '<' | '"' | '`'))
        .unwrap_or(text.len());
    let candidate = trim_trailing(&text[..end]);
    let address = &candidate[scheme_len.min(candidate.len())..];
    let is_mail = text
        .get(..scheme_len)
        .is_some_and(|s| s.eq_ignore_ascii_case("mailto:"));
    if is_address(address, is_mail) {
        candidate.len()
    } else {
        0
    }
}

/// `link` without the punctuation that ends the sentence around it; a closing bracket stays
/// while it closes one opened in the link (as in Wikipedia's addresses).
fn trim_trailing(mut link: &str) -> &str {
    while let Some(last) = link.chars().next_back().filter(|c| TRAILING.contains(c)) {
        let opener = match last {
            ')' => Some('('),
            ']' => Some('['),
            '}' => Some('{'),
            _ => None,
        };
        let balanced =
            opener.is_some_and(|open| link.matches(open).count() >= link.matches(last).count());
        if balanced {
            break;
        }
        link = &link[..link.len() - last.len_utf8()];
    }
    link
}

/// Whether what follows the scheme names somewhere: a host for the web, `who@where` for mail.
fn is_address(address: &str, is_mail: bool) -> bool {
    if is_mail {
        let (who, domain) = address.split_once('@').unwrap_or_default();
        return !who.is_empty() && !domain.is_empty() && !domain.contains('@');
    }
    address
        .chars()
        .next()
        .is_some_and(|c| is_word_char(c) || c == '[')
}

/// Whether `c` may be part of a word: an ASCII letter or digit, or any non-ASCII character
/// (cheaper than Unicode's letter tables, and the same for telling where a scheme starts).
fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || !c.is_ascii()
}

#[cfg(test)]
#[path = "links_tests.rs"]
mod tests;

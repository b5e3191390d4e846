//! Mentions in a group's text (issue 21), the pure parts: which `@Name` the composer is
//! typing (to offer members), putting the chosen name in, and where a shown text names
//! someone it mentions (to mark it).

/// The longest name typed after `@` that still offers members.
const MAX_QUERY_CHARS: usize = 40;

/// What is typed after the last `@` at the end of `draft`, if the `@` starts a word and the
/// rest is one line: the composer offers the members whose names start with it.
pub fn query(draft: &str) -> Option<&str> {
    let at = draft.rfind('@')?;
    let before = &draft[..at];
    let after = &draft[at + 1..];
    let starts_word = before.chars().next_back().is_none_or(char::is_whitespace);
    let one_line = !after.contains('\n') && after.chars().count() <= MAX_QUERY_CHARS;
    (starts_word && one_line).then_some(after)
}

/// Whether `name` (or `username`) is offered for `query`: either starts with it, whatever the
/// case.
pub fn offered(query: &str, name: &str, username: &str) -> bool {
    let query = query.to_lowercase();
    name.to_lowercase().starts_with(&query) || username.to_lowercase().starts_with(&query)
}

/// `draft` with the `@query` it ends in replaced by `@name ` (as typed further on).
pub fn insert(draft: &str, name: &str) -> String {
    let at = draft.rfind('@').unwrap_or(draft.len());
    format!("{}@{name} ", &draft[..at])
}

/// A piece of a shown text: plain, or a mention to mark.
#[derive(Debug, PartialEq, Eq)]
pub enum Marked<'a> {
    /// Plain text.
    Text(&'a str),
    /// `@Name` naming someone the message mentions.
    Mention(&'a str),
}

/// Splits `text` at each `@Name` for a name in `names` (longest first where two start alike);
/// joined again the pieces are `text`.
pub fn marked<'a>(text: &'a str, names: &[String]) -> Vec<Marked<'a>> {
    let mut names: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| !n.is_empty())
        .collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    let mut out = Vec::new();
    let (mut plain_from, mut at) = (0, 0);
    while let Some(found) = text[at..].find('@') {
        let start = at + found;
        let rest = &text[start + 1..];
        match names.iter().find(|n| rest.starts_with(**n)) {
            Some(name) => {
                if start > plain_from {
                    out.push(Marked::Text(&text[plain_from..start]));
                }
                let end = start + 1 + name.len();
                out.push(Marked::Mention(&text[start..end]));
                (plain_from, at) = (end, end);
            }
            None => at = start + 1,
        }
    }
    if plain_from < text.len() {
        out.push(Marked::Text(&text[plain_from..]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_is_the_word_after_the_last_at() {
        assert_eq!(query("hi @Ca"), Some("Ca"));
        assert_eq!(query("@"), Some(""));
        assert_eq!(query("mail me@example"), None, "inside a word");
        assert_eq!(query("@Carol\nand"), None, "on another line");
        assert_eq!(query("no mention"), None);
    }

    #[test]
    fn members_are_offered_by_name_or_username() {
        assert!(offered("car", "Carol C.", "carol"));
        assert!(offered("CC", "Someone", "cc_1"));
        assert!(!offered("x", "Carol", "carol"));
    }

    #[test]
    fn the_chosen_name_replaces_the_query() {
        assert_eq!(insert("hi @Ca", "Carol C."), "hi @Carol C. ");
        assert_eq!(insert("@", "dave"), "@dave ");
    }

    #[test]
    fn mentions_are_marked_and_the_rest_stays_text() {
        let names = ["Carol".to_owned(), "Carol C.".to_owned(), "dave".to_owned()];
        let got = marked("hi @Carol C. and @dave, not @erin or a@b", &names);
        assert_eq!(
            got,
            [
                Marked::Text("hi "),
                Marked::Mention("@Carol C."),
                Marked::Text(" and "),
                Marked::Mention("@dave"),
                Marked::Text(", not @erin or a@b"),
            ]
        );
        assert_eq!(marked("plain", &names), [Marked::Text("plain")]);
        assert_eq!(marked("@dave", &names), [Marked::Mention("@dave")]);
    }
}

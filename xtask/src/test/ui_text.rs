//! Interface texts live in the catalogue (`src/text/`), so the app can be translated without
//! touching components: this check fails on a string literal elsewhere in the web app's
//! `src/` that reads like English shown to people (a capitalised word, or words with a space
//! between them). Tests (`*_tests.rs`, and a file's `#[cfg(test)]` part) are not looked at.

use std::path::Path;

use super::literals::{literals, Literal};
use crate::Result;

/// Parts of `src/` whose literals are not interface text.
const NOT_UI_FILES: [&str; 4] = [
    // The catalogue itself.
    "src/text/",
    // IndexedDB names and error details for developers.
    "src/store/",
    // The service worker's steps, said on its console.
    "src/platform/wake.rs",
    // The native binary's hint to developers.
    "src/main.rs",
];

/// Literals that look like words but are not shown: key names and CSS classes.
const NOT_UI_TEXT: [&str; 18] = [
    "AltGraph",
    "ArrowDown",
    "ArrowLeft",
    "ArrowRight",
    "ArrowUp",
    "ContextMenu",
    "End",
    "Enter",
    "Escape",
    "Home",
    "Key{c}",
    "Slash",
    "Tab",
    "bubble mine",
    "bubble theirs",
    "photo preview",
    "quick-reaction chosen",
    "noopener noreferrer",
];

/// Every literal of the app's `src/` outside the catalogue that looks like interface text, as
/// `path:line: "text"`; an error when there is one.
pub(crate) fn check(root: &Path) -> Result {
    let found = scan(root)?;
    if found.is_empty() {
        return Ok(());
    }
    for line in &found {
        eprintln!("{line}");
    }
    Err(format!(
        "{} interface text(s) outside src/text/: add them to the catalogue",
        found.len()
    )
    .into())
}

fn scan(root: &Path) -> Result<Vec<String>> {
    let mut found = Vec::new();
    for path in crate::web::files(&root.join("src"), &["rs"])? {
        let name = path
            .strip_prefix(root)?
            .to_string_lossy()
            .replace('\\', "/");
        if name.ends_with("_tests.rs") || NOT_UI_FILES.iter().any(|p| name.starts_with(p)) {
            continue;
        }
        let source = std::fs::read_to_string(&path)?;
        let code = source.split("#[cfg(test)]").next().unwrap_or_default();
        for literal in literals(code) {
            if is_interface_text(code, &literal) {
                found.push(format!("{name}:{}: \"{}\"", literal.line, literal.text));
            }
        }
    }
    Ok(found)
}

/// Whether a literal reads like English for people: not a listed key name or class, not a
/// `class=` value, and with a capitalised word or a space between letters.
fn is_interface_text(code: &str, literal: &Literal<'_>) -> bool {
    let text = literal.text;
    if NOT_UI_TEXT.contains(&text) || code[..literal.start].trim_end().ends_with("class=") {
        return false;
    }
    let chars: Vec<char> = text.chars().collect();
    let starts_capitalised = chars.len() > 2 && chars[0].is_uppercase() && chars[1].is_lowercase();
    starts_capitalised
        || chars.windows(3).any(|w| {
            let capitalised = !is_word(w[0]) && w[1].is_uppercase() && w[2].is_lowercase();
            let spaced = w[0].is_alphabetic() && w[1] == ' ' && w[2].is_alphabetic();
            capitalised || spaced
        })
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flagged(source: &str) -> Vec<&str> {
        literals(source)
            .into_iter()
            .filter(|l| is_interface_text(source, l))
            .map(|l| l.text)
            .collect()
    }

    #[test]
    fn finds_english_but_not_keys_classes_or_names() {
        let source = r#"view! { <button class="secondary danger" aria-label="New chat">"Send"</button> }
            if key == "Escape" {} let id = "chat-menu"; let s = "hushFiles";
            let a = format!("{} was not sent", name); let b = " wants to join"; let c = "Ctrl+K";"#;
        assert_eq!(
            flagged(source),
            [
                "New chat",
                "Send",
                "{} was not sent",
                " wants to join",
                "Ctrl+K"
            ]
        );
    }
}

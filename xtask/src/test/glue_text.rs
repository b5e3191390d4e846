//! The page's plain-JS glue (`public/*.js`) shows nothing in words of its own: the app words
//! what it reports (install offers, updates, refusals as codes), so translating the catalogue
//! translates those too. This check fails on a line of the glue that puts a string literal
//! where people read it: an element's text or label, a notification's body, or a thrown
//! error's message written as a sentence.

use std::path::Path;

use crate::Result;

/// Where a literal on the same line would be read by people.
const SHOWN_AT: [&str; 6] = [
    ".textContent =",
    ".innerText =",
    "setAttribute('aria-label'",
    "setAttribute(\"aria-label\"",
    "body:",
    "new Error(",
];

/// The glue's lines that show a literal, as `path:line: code`.
pub(crate) fn scan(root: &Path) -> Result<Vec<String>> {
    let mut found = Vec::new();
    for path in crate::web::files(&root.join("public"), &["js"])? {
        let name = path
            .strip_prefix(root)?
            .to_string_lossy()
            .replace('\\', "/");
        let source = std::fs::read_to_string(&path)?;
        for (at, line) in source.lines().enumerate() {
            if shows_literal(line) {
                found.push(format!("{name}:{}: {}", at + 1, line.trim()));
            }
        }
    }
    Ok(found)
}

/// Whether `line` puts a literal where people read it: after one of [`SHOWN_AT`], a quote
/// whose text starts with a capital followed by a small letter ('Reload', `Hush is …`).
fn shows_literal(line: &str) -> bool {
    let code = line.trim_start();
    if code.starts_with("//") || code.starts_with('*') || code.contains("console.") {
        return false;
    }
    SHOWN_AT.iter().any(|shown| {
        line.match_indices(shown).any(|(at, _)| {
            let after = &line[at + shown.len()..];
            after.match_indices(['\'', '"', '`']).any(|(quote, _)| {
                let mut text = after[quote + 1..].chars();
                matches!((text.next(), text.next()), (Some(a), Some(b)) if a.is_uppercase() && b.is_lowercase())
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_words_shown_but_not_codes_or_logs() {
        let shown = [
            "    install.textContent = 'Install Hush';",
            "  body: count > 1 ? `${count} new messages` : 'New message',",
            "        if (!supported) throw new Error('This browser cannot show Hush notifications.');",
            "  reload.setAttribute('aria-label', \"Reload\");",
        ];
        let not_shown = [
            "        if (!supported) throw refused('unsupported');",
            "      if (!response.ok) throw new Error('the relay offers no push key');",
            "    console.warn('Hush could not read the new messages:', error);",
            "  // install.textContent = 'Install Hush';",
            "      body: (await texts()).one, tag: 'hush-new',",
            "    const refused = (code, detail) => Object.assign(new Error(detail ?? code), { code });",
        ];
        for line in shown {
            assert!(shows_literal(line), "{line}");
        }
        for line in not_shown {
            assert!(!shows_literal(line), "{line}");
        }
    }
}

//! The string literals of Rust source, with their lines: enough of a lexer to skip comments and
//! char literals and to read plain, raw and byte strings (the bytes as written, escapes kept).

/// One string literal: the line it starts on and its text between the quotes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Literal<'a> {
    pub(crate) line: usize,
    pub(crate) text: &'a str,
    /// Where the literal (its prefix or opening quote) starts in the source.
    pub(crate) start: usize,
}

/// Every string literal of `source`, in order.
pub(crate) fn literals(source: &str) -> Vec<Literal<'_>> {
    let bytes = source.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let rest = &source[at..];
        let next = if rest.starts_with("//") {
            rest.find('\n').map_or(bytes.len(), |end| at + end)
        } else if rest.starts_with("/*") {
            rest.find("*/").map_or(bytes.len(), |end| at + end + 2)
        } else if let Some((open, hashes)) = raw_opening(source, at) {
            let body = at + open;
            let close = format!("\"{}", "#".repeat(hashes));
            let end = source[body..]
                .find(&close)
                .map_or(bytes.len(), |e| body + e);
            found.push(literal(source, at, body, end));
            end + close.len()
        } else if bytes[at] == b'"' {
            let end = closing_quote(bytes, at + 1);
            found.push(literal(source, at, at + 1, end));
            end + 1
        } else if bytes[at] == b'\'' {
            at + char_literal_len(rest).unwrap_or(1)
        } else {
            at + rest.chars().next().map_or(1, char::len_utf8)
        };
        at = next.min(bytes.len());
    }
    found
}

fn literal(source: &str, start: usize, body: usize, end: usize) -> Literal<'_> {
    Literal {
        line: source[..start].matches('\n').count() + 1,
        text: &source[body..end.min(source.len())],
        start,
    }
}

/// For `r"`, `r#"`, `br"`... at `at` (not inside a word): the length up to the body, and the
/// number of `#`s.
fn raw_opening(source: &str, at: usize) -> Option<(usize, usize)> {
    let before = source[..at].chars().next_back();
    if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    let rest = &source[at..];
    let after_r = rest.strip_prefix("br").or_else(|| rest.strip_prefix('r'))?;
    let hashes = after_r.len() - after_r.trim_start_matches('#').len();
    after_r[hashes..]
        .starts_with('"')
        .then(|| (rest.len() - after_r.len() + hashes + 1, hashes))
}

/// The index of the quote closing a plain string whose body starts at `from`.
fn closing_quote(bytes: &[u8], from: usize) -> usize {
    let mut at = from;
    while at < bytes.len() && bytes[at] != b'"' {
        at += if bytes[at] == b'\\' { 2 } else { 1 };
    }
    at.min(bytes.len())
}

/// The length of a char literal (`'a'`, `'\''`, `'\u{1F600}'`) at the start of `rest`, or None
/// for a lifetime.
fn char_literal_len(rest: &str) -> Option<usize> {
    let mut chars = rest.char_indices().skip(1);
    let (_, first) = chars.next()?;
    if first == '\\' {
        return rest[2..].find('\'').map(|end| end + 3);
    }
    let (close, c) = chars.next()?;
    (c == '\'').then_some(close + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(source: &str) -> Vec<&str> {
        literals(source).into_iter().map(|l| l.text).collect()
    }

    #[test]
    fn reads_plain_raw_and_byte_strings_and_skips_the_rest() {
        let source = "// \"comment\"\nlet a = \"New chat\"; /* \"no\" */ let c = '\"';\n\
                      let r = r#\"say \"hi\"\"#; let b = b\"bytes\"; fn f<'a>(x: &'a str) {}\n\
                      let e = \"a \\\" quote\";";
        assert_eq!(
            texts(source),
            ["New chat", "say \"hi\"", "bytes", "a \\\" quote"]
        );
        assert_eq!(literals(source)[0].line, 2);
    }
}

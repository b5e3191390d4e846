use super::{pieces, Piece};

/// The links found in `text`.
fn links(text: &str) -> Vec<&str> {
    pieces(text)
        .into_iter()
        .filter_map(|p| match p {
            Piece::Link(link) => Some(link),
            Piece::Text(_) => None,
        })
        .collect()
}

#[test]
fn web_and_mail_addresses_become_links_between_text() {
    assert_eq!(
        pieces("see https://example.com/a?b=c#d and mailto:bob@example.org now"),
        vec![
            Piece::Text("see "),
            Piece::Link("https://example.com/a?b=c#d"),
            Piece::Text(" and "),
            Piece::Link("mailto:bob@example.org"),
            Piece::Text(" now"),
        ]
    );
    assert_eq!(links("HTTP://Example.com"), vec!["HTTP://Example.com"]);
    assert_eq!(links("http://[::1]:8080/x"), vec!["http://[::1]:8080/x"]);
}

#[test]
fn other_schemes_never_become_links() {
    for text in [
        "javascript:alert(1)",
        "data:text/html,<b>x</b>",
        "file:///etc/passwd",
        "example.com",
        "www.example.com",
        "ftp://example.com",
        "vbscript:msgbox",
    ] {
        assert_eq!(pieces(text), vec![Piece::Text(text)], "{text}");
    }
}

#[test]
fn a_scheme_inside_a_word_or_without_an_address_is_text() {
    assert!(links("xhttps://example.com").is_empty());
    assert!(links("éhttps://example.com").is_empty());
    assert!(links("javascript:https://example.com").len() == 1);
    assert!(links("https:// example").is_empty());
    assert!(links("https:///path").is_empty());
    assert!(links("mailto:").is_empty());
    assert!(links("mailto:@example.com").is_empty());
    assert!(links("mailto:bob@").is_empty());
}

#[test]
fn trailing_punctuation_stays_outside_the_link() {
    assert_eq!(
        links("go to https://example.com."),
        vec!["https://example.com"]
    );
    assert_eq!(
        links("(https://example.com/a)"),
        vec!["https://example.com/a"]
    );
    assert_eq!(
        links("is it https://example.com?!"),
        vec!["https://example.com"]
    );
    assert_eq!(
        links("\"https://example.com\","),
        vec!["https://example.com"]
    );
    assert_eq!(
        links("https://en.wikipedia.org/wiki/Rust_(language)."),
        vec!["https://en.wikipedia.org/wiki/Rust_(language)"]
    );
}

#[test]
fn a_link_ends_at_a_space_a_quote_or_an_angle_bracket() {
    assert_eq!(
        links("<https://example.com>\"x\"https://a.b\nhttps://c.d"),
        vec!["https://example.com", "https://a.b", "https://c.d"]
    );
    assert_eq!(links("https://a.b/\"onmouseover=x"), vec!["https://a.b/"]);
}

#[test]
fn the_pieces_join_back_into_the_text() {
    for text in [
        "",
        "plain",
        "ünïcödé https://ex.ample/ü 😀 mailto:a@b.c.",
        "https://a.b https://c.d",
        "<b>https://x.y</b>",
    ] {
        let joined: String = pieces(text)
            .into_iter()
            .map(|p| match p {
                Piece::Text(t) | Piece::Link(t) => t,
            })
            .collect();
        assert_eq!(joined, text);
    }
}

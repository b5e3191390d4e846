use super::*;
use crate::model::{ChatId, ChatMessage, Kind, MessageMeta, Status};

fn text(body: &str) -> ChatMessage {
    ChatMessage {
        id: [1; 16],
        kind: Kind::Text,
        chat: ChatId::parse("bob").expect("a chat"),
        group: None,
        from_me: false,
        body: body.to_owned(),
        sent_ms: 1,
        status: Status::Delivered,
        attachment: None,
        reactions: Vec::new(),
        meta: MessageMeta::default(),
    }
}

#[test]
fn words_fold_case_and_accents() {
    assert_eq!(words("Café CRÈME brûlée"), ["cafe", "creme", "brulee"]);
    assert_eq!(words("Straße Æther Łódź"), ["strasse", "aether", "lodz"]);
    assert_eq!(words("Tiếng Việt"), ["tieng", "viet"]);
    // Decomposed accents fold like composed ones.
    assert_eq!(words("Cafe\u{301}"), ["cafe"]);
    assert_eq!(words("Ελληνικά ёлка"), ["ελληνικα", "елка"]);
}

#[test]
fn words_follow_word_boundaries() {
    assert_eq!(
        words("don't stop, 3.14 or 1,000!"),
        ["dont", "stop", "3.14", "or", "1,000"]
    );
    assert_eq!(words("end. Next"), ["end", "next"]);
    assert_eq!(words("'quoted'"), ["quoted"]);
    assert_eq!(words("東京タワー へ"), ["東", "京", "タワー", "へ"]);
    assert_eq!(words("hi 👋🏽 there"), ["hi", "there"]);
    assert_eq!(words(""), Vec::<String>::new());
}

#[test]
fn a_long_word_is_cut_alike_in_text_and_query() {
    let long = "a".repeat(100);
    assert_eq!(words(&long), ["a".repeat(MAX_TERM_CHARS)]);
    assert!(Query::parse(&long).matches(&text(&format!("x {long} y"))));
}

#[test]
fn terms_of_a_message_are_distinct_and_only_of_what_shows() {
    assert_eq!(
        terms_of(&text("the cat and the hat")),
        ["and", "cat", "hat", "the"]
    );
    let mut deleted = text("secret plans");
    deleted.kind = Kind::Deleted;
    assert!(terms_of(&deleted).is_empty());
    let mut hidden = text("secret plans");
    hidden.kind = Kind::Hidden;
    assert!(terms_of(&hidden).is_empty());
    let mut notice = text("alice added carol");
    notice.kind = Kind::GroupChange;
    assert!(terms_of(&notice).is_empty());
    let many: String = (0..2_000).map(|n| format!("w{n} ")).collect();
    assert_eq!(terms_of(&text(&many)).len(), MAX_TERMS_PER_MESSAGE);
}

#[test]
fn a_query_needs_every_word_and_the_last_as_a_prefix() {
    let message = text("Lunch at the café tomorrow?");
    assert!(Query::parse("cafe").matches(&message));
    assert!(Query::parse("CAF").matches(&message));
    assert!(Query::parse("lunch tomo").matches(&message));
    assert!(
        !Query::parse("lun tomorrow").matches(&message),
        "only the last word is a prefix"
    );
    assert!(!Query::parse("lunch dinner").matches(&message));
    assert!(!Query::parse("  ?! ").matches(&message));
    assert!(Query::parse("  ?! ").is_empty());
    let many = "a b c d e f g h i j k";
    assert_eq!(Query::parse(many).terms.len(), MAX_QUERY_TERMS);
}

/// Past the cap on entries read, a search still gives the newest matches, and says it did not
/// read them all; a lone word's newest are found from its newest entries, exactly.
#[test]
fn past_the_cap_the_newest_matches_are_found() {
    use crate::store::{memory::MemoryStore, Changes, Store};
    let store = MemoryStore::new();
    let many = MAX_CANDIDATES + 10;
    let received = (0..many)
        .map(|n| {
            let mut message = text(&format!("common word {n}"));
            message.id[..8].copy_from_slice(&(n as u64).to_be_bytes());
            message
        })
        .collect();
    let commit = store.commit(Changes {
        received,
        ..Changes::default()
    });
    futures_lite(commit).expect("stored");
    let newest: Vec<u64> = (many as u64 - 3..many as u64).rev().collect();
    let ids = |found: &Found| -> Vec<u64> {
        let ids = found.messages.iter().map(|m| m.id[..8].try_into());
        ids.map(|id| u64::from_be_bytes(id.expect("8 bytes")))
            .collect()
    };
    let found = futures_lite(store.search(&Query::parse("common word"), None, 3)).expect("found");
    assert_eq!(ids(&found), newest);
    assert!(!found.complete);
    let found = futures_lite(store.search(&Query::parse("common"), None, 3)).expect("found");
    assert_eq!(ids(&found), newest);
    assert!(found.complete);
}

/// Runs a future that never waits (the memory store's).
fn futures_lite<T>(future: impl core::future::Future<Output = T>) -> T {
    let waker = std::task::Waker::noop();
    let mut context = std::task::Context::from_waker(waker);
    let mut future = std::pin::pin!(future);
    match future.as_mut().poll(&mut context) {
        std::task::Poll::Ready(value) => value,
        std::task::Poll::Pending => panic!("the memory store never waits"),
    }
}

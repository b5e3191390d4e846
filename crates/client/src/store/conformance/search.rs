//! Issue 21: the search index follows every write in the same commit: new messages, edits
//! (in the commit that received the message too), deletes for everyone and for us, expiry.

use super::{ensure, message, store_error, Outcome};
use crate::model::{Amendment, ChatMessage, MessageId, Status};
use crate::search::Query;
use crate::store::{Changes, Store};

fn text(id: u8, chat: &str, body: &str) -> Result<ChatMessage, String> {
    let mut m = message(id, chat, Status::Delivered)?;
    m.body = body.to_owned();
    Ok(m)
}

async fn found(store: &impl Store, query: &str, chat: Option<&str>) -> Result<Vec<u8>, String> {
    let chat = chat.map(super::chat).transpose()?;
    let found = store
        .search(&Query::parse(query), chat.as_ref(), 10)
        .await
        .map_err(store_error)?;
    Ok(found.messages.iter().map(|m| m.id[0]).collect())
}

/// Search finds words, prefixes and folded accents, newest first, in one chat or all; edits,
/// deletes and expiry change what it finds in the same commit.
pub async fn search(store: &impl Store) -> Outcome {
    let edit = |body: &str| Amendment::Edit {
        body: body.to_owned(),
        edited_ms: 5,
        mentions: Vec::new(),
    };
    let changes = Changes {
        received: vec![
            text(1, "ann", "Lunch at the Café?")?,
            text(2, "ben", "the cafe is closed")?,
            text(3, "ann", "see you at lunch")?,
            text(4, "ann", "a typo here")?,
        ],
        amendments: vec![([4; 16], edit("a fixed text"))],
        ..Changes::default()
    };
    store.commit(changes).await.map_err(store_error)?;
    ensure(
        found(store, "café", None).await? == [2, 1],
        "accents fold, newest first",
    )?;
    ensure(
        found(store, "LUN", None).await? == [3, 1],
        "the last word is a prefix",
    )?;
    ensure(
        found(store, "lun caf", None).await?.is_empty(),
        "only the last word is a prefix",
    )?;
    ensure(
        found(store, "cafe", Some("ben")).await? == [2],
        "search within one chat",
    )?;
    ensure(
        found(store, "typo", None).await?.is_empty(),
        "an edit in the receiving commit",
    )?;
    ensure(
        found(store, "fixed", None).await? == [4],
        "the edited text is found",
    )?;
    ensure(
        found(store, "nothing", None).await?.is_empty(),
        "an unknown word finds nothing",
    )?;

    let changes = Changes {
        amendments: vec![
            ([2; 16], edit("the bar is open")),
            ([3; 16], Amendment::Delete),
            ([1; 16], Amendment::Forget),
        ],
        ..Changes::default()
    };
    store.commit(changes).await.map_err(store_error)?;
    ensure(
        found(store, "cafe", None).await?.is_empty(),
        "edited-out words are gone",
    )?;
    ensure(
        found(store, "bar open", None).await? == [2],
        "a later edit is found",
    )?;
    ensure(
        found(store, "lunch", None).await?.is_empty(),
        "deleted and expired are gone",
    )?;

    // Our own message, replaced as its status moves, is found once.
    let mut ours = text(9, "ann", "bring the tickets")?;
    store
        .commit(Changes {
            messages: vec![ours.clone()],
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    ours.status = Status::Read;
    let changes = Changes {
        messages: vec![ours],
        statuses: vec![([9; 16], Status::Read)],
        ..Changes::default()
    };
    store.commit(changes).await.map_err(store_error)?;
    ensure(
        found(store, "tickets", None).await? == [9],
        "a replaced message is found once",
    )?;
    limits(store).await
}

/// A search gives no more than asked, the newest.
async fn limits(store: &impl Store) -> Outcome {
    let many: Vec<ChatMessage> = (100..130)
        .map(|id| text(id, "cyd", "same words again"))
        .collect::<Result<_, _>>()?;
    store
        .commit(Changes {
            received: many,
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    let found = store
        .search(&Query::parse("same words"), None, 5)
        .await
        .map_err(store_error)?;
    let ids: Vec<MessageId> = found.messages.iter().map(|m| m.id).collect();
    let newest: Vec<MessageId> = (125..130).rev().map(|id| [id; 16]).collect();
    ensure(
        ids == newest && found.complete,
        "the newest `limit` matches",
    )?;
    many_matches(store).await
}

/// The `n`th of many messages: in chat `dee` or `eve` by turns of two, saying `zeta` (or, one
/// in five, the longer `zetas`), `omega0`, `omega1` or `omega2` by turns, and `pair` when `n`
/// is even.
fn numbered(n: u16) -> Result<ChatMessage, String> {
    let chat = if n % 4 < 2 { "dee" } else { "eve" };
    let pair = if n.is_multiple_of(2) { " pair" } else { "" };
    let zeta = if n % 5 == 3 { "zetas" } else { "zeta" };
    let mut m = text(200, chat, &format!("{zeta} omega{}{pair}", n % 3))?;
    m.id[14..].copy_from_slice(&n.to_be_bytes());
    Ok(m)
}

/// Many matches, over several pages and several terms of a prefix: still the newest first,
/// every word checked, one chat's alone, however far behind the other chats' its are.
async fn many_matches(store: &impl Store) -> Outcome {
    const MANY: u16 = 600;
    // Before them all, in chat `fay`: a `zetas` between two `zeta`.
    let mut received = [
        (140, "zeta early"),
        (141, "zetas early"),
        (142, "zeta early"),
    ]
    .into_iter()
    .map(|(id, body)| text(id, "fay", body))
    .collect::<Result<Vec<_>, _>>()?;
    received.extend((0..MANY).map(numbered).collect::<Result<Vec<_>, _>>()?);
    store
        .commit(Changes {
            received,
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    let newest = |limit: usize, keep: &dyn Fn(u16) -> bool| -> Result<Vec<MessageId>, String> {
        let wanted = (0..MANY).rev().filter(|n| keep(*n)).take(limit);
        wanted.map(|n| Ok(numbered(n)?.id)).collect()
    };
    let search = |query: &'static str, chat: Option<&'static str>, limit: usize| async move {
        let chat = chat.map(super::chat).transpose()?;
        let found = (store
            .search(&Query::parse(query), chat.as_ref(), limit)
            .await)
            .map_err(store_error)?;
        let ids: Vec<MessageId> = found.messages.iter().map(|m| m.id).collect();
        Ok::<_, String>((ids, found.complete))
    };
    ensure(
        search("omeg", None, 250).await? == (newest(250, &|_| true)?, true),
        "a prefix's terms merge newest first",
    )?;
    ensure(
        search("pair zet", None, 120).await? == (newest(120, &|n| n % 2 == 0)?, true),
        "two words: the newest messages with both",
    )?;
    ensure(
        search("omega1 pair", None, 500).await? == (newest(500, &|n| n % 6 == 4)?, true),
        "two exact words: every message with both, and no more",
    )?;
    ensure(
        search("zeta", Some("eve"), 70).await? == (newest(70, &|n| n % 4 >= 2)?, true),
        "one chat's newest, past pages of others'",
    )?;
    ensure(
        search("zeta", None, 30).await? == (newest(30, &|_| true)?, true),
        "a common word's newest, its own and its longer terms' merged",
    )?;
    let early = |ids: &[u8]| ids.iter().map(|id| [*id; 16]).collect::<Vec<_>>();
    ensure(
        search("zeta", Some("fay"), 3).await? == (early(&[142, 141, 140]), true),
        "one chat's matches far behind the newest of the word",
    )?;
    ensure(
        search("zeta", Some("fay"), 1).await? == (early(&[142]), true),
        "a longer term's old entry is not taken for the word's newest",
    )
}

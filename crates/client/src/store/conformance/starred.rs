//! Issue 21: the "Starred messages" list reads the newest starred messages, newest first, not
//! whichever the store happens to keep first.

use super::{ensure, message, store_error, Outcome};
use crate::model::{Amendment, Status};
use crate::store::{Changes, Store};

/// `starred(limit)` gives the `limit` newest starred messages (by their time), newest first.
pub async fn starred_newest(store: &impl Store) -> Outcome {
    // Ids rise with time, so a store listing by id (or as written) gives the oldest.
    let timed = |id: u8, sent_ms: u64| -> Result<_, String> {
        let mut m = message(id, "heidi", Status::Delivered)?;
        m.sent_ms = sent_ms;
        Ok(m)
    };
    let changes = Changes {
        received: vec![
            timed(0x90, 100)?,
            timed(0x91, 200)?,
            timed(0x92, 300)?,
            timed(0x93, 400)?,
        ],
        amendments: [0x92u8, 0x90, 0x91]
            .iter()
            .map(|id| ([*id; 16], Amendment::Star(true)))
            .collect(),
        ..Changes::default()
    };
    store.commit(changes).await.map_err(store_error)?;
    let ids = |list: Vec<crate::model::ChatMessage>| list.iter().map(|m| m.id[0]).collect();
    let two: Vec<u8> = ids(store.starred(2).await.map_err(store_error)?);
    ensure(
        two == [0x92, 0x91],
        "the two newest starred messages, newest first",
    )?;
    let all: Vec<u8> = ids(store.starred(10).await.map_err(store_error)?);
    ensure(
        all == [0x92, 0x91, 0x90],
        "every starred message, newest first, and no other",
    )?;
    let changes = Changes {
        amendments: vec![([0x92; 16], Amendment::Star(false))],
        ..Changes::default()
    };
    store.commit(changes).await.map_err(store_error)?;
    let after: Vec<u8> = ids(store.starred(1).await.map_err(store_error)?);
    ensure(after == [0x91], "an unstarred message leaves the list")
}

//! Issue 21: chats' places in the chat list, and a chat cleared of its messages.

use super::{chat, ensure, message, store_error, Outcome};
use crate::model::{Amendment, ChatState, Flag, Kind, Status};
use crate::store::{Changes, Store};

/// Each chat keeps the last state written for it; a chat whose messages were all forgotten
/// (cleared) stays in the chat list with nothing unread, its newest message hidden.
pub async fn chat_states(store: &impl Store) -> Outcome {
    let state = |pinned_ms, cleared_ms| ChatState {
        pinned: Flag {
            on: true,
            set_ms: pinned_ms,
        },
        cleared_ms,
        ..ChatState::default()
    };
    let mut unread = message(90, "heidi", Status::Delivered)?;
    unread.from_me = false;
    let changes = Changes {
        chat_states: vec![
            (chat("heidi")?, state(1, 0)),
            (chat("heidi")?, state(2, 5)),
            (chat("#000102030405060708090a0b0c0d0e0f")?, state(3, 0)),
        ],
        received: vec![unread, message(91, "heidi", Status::Sent)?],
        ..Changes::default()
    };
    store.commit(changes).await.map_err(store_error)?;
    let mut states = store.chat_states().await.map_err(store_error)?;
    states.sort_by_key(|(_, s)| s.pinned.set_ms);
    let expected = [
        (chat("heidi")?, state(2, 5)),
        (chat("#000102030405060708090a0b0c0d0e0f")?, state(3, 0)),
    ];
    ensure(states == expected, "each chat keeps its last state")?;
    let clear = Changes {
        amendments: vec![([90; 16], Amendment::Forget), ([91; 16], Amendment::Forget)],
        ..Changes::default()
    };
    store.commit(clear).await.map_err(store_error)?;
    let chats = store.chats().await.map_err(store_error)?;
    let heidi_chat = chat("heidi")?;
    let heidi = chats.iter().find(|c| c.chat == heidi_chat);
    ensure(
        heidi.is_some_and(|c| c.unread == 0 && c.last.kind == Kind::Hidden),
        "a cleared chat stays listed, nothing unread",
    )?;
    let left = store.unread(&chat("heidi")?).await.map_err(store_error)?;
    ensure(left.is_empty(), "a cleared chat has nothing unread")
}

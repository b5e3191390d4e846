//! The storage contract as checks any [`Store`] must pass: the memory store runs them natively,
//! the IndexedDB store in headless Chromium. Each check takes a fresh, empty store and says
//! what went wrong, if anything.

mod chat_states;
mod contacts;
mod groups;
mod keys;
mod messages;
mod outbox;
mod search;
mod starred;

use std::future::Future;

use hush_protocol::{Rng, Username};

use super::{Store, StoreError};
use crate::model::{ChatId, ChatMessage, Kind, Status};

/// What a failed check says.
pub type Outcome = Result<(), String>;

fn ensure(condition: bool, what: &str) -> Outcome {
    if condition {
        Ok(())
    } else {
        Err(what.to_owned())
    }
}

fn store_error(e: StoreError) -> String {
    e.to_string()
}

/// The account `name`.
fn user(name: &str) -> Result<Username, String> {
    Username::parse(name).map_err(|e| e.to_string())
}

/// The chat `name` (an account's, or `#` and a group id in hex).
fn chat(name: &str) -> Result<ChatId, String> {
    ChatId::parse(name).map_err(|e| e.to_string())
}

/// A text of ours in `chat`, its id all `id`.
fn message(id: u8, chat: &str, status: Status) -> Result<ChatMessage, String> {
    Ok(ChatMessage {
        id: [id; 16],
        group: None,
        kind: Kind::Text,
        chat: self::chat(chat)?,
        from_me: true,
        body: format!("message {id}"),
        sent_ms: u64::from(id),
        status,
        attachment: None,
        reactions: Vec::new(),
        meta: Default::default(),
    })
}

/// Every check, each on a new empty store from `fresh` (which may have to open a database).
pub async fn run_all<S, F, Opened>(mut fresh: F, rng: &mut impl Rng) -> Outcome
where
    S: Store,
    F: FnMut() -> Opened,
    Opened: Future<Output = Result<S, StoreError>>,
{
    account_and_prekeys(&fresh().await.map_err(store_error)?, rng).await?;
    sessions(&fresh().await.map_err(store_error)?, rng).await?;
    messages_and_statuses(&fresh().await.map_err(store_error)?).await?;
    pages(&fresh().await.map_err(store_error)?).await?;
    verified(&fresh().await.map_err(store_error)?).await?;
    names(&fresh().await.map_err(store_error)?).await?;
    profiles(&fresh().await.map_err(store_error)?).await?;
    muted(&fresh().await.map_err(store_error)?).await?;
    pinned_devices(&fresh().await.map_err(store_error)?, rng).await?;
    groups(&fresh().await.map_err(store_error)?, rng).await?;
    outbox(&fresh().await.map_err(store_error)?).await?;
    search(&fresh().await.map_err(store_error)?).await?;
    starred_newest(&fresh().await.map_err(store_error)?).await?;
    chat_states(&fresh().await.map_err(store_error)?).await?;
    largest_update(&fresh().await.map_err(store_error)?).await
}

pub use chat_states::chat_states;

pub use contacts::{muted, names, pinned_devices, profiles, verified};
pub use groups::groups;
pub use keys::{account_and_prekeys, sessions};
pub use messages::{messages_and_statuses, pages};
pub use outbox::{largest_update, outbox};
pub use search::search;
pub use starred::starred_newest;

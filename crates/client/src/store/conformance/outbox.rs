//! The outbox.

use super::{chat, ensure, store_error, Outcome};
use crate::model::OutboxEntry;
use crate::store::{Changes, Store};

/// The outbox keeps entries in order until they are done.
pub async fn outbox(store: &impl Store) -> Outcome {
    let bob = chat("bob")?;
    let entry = |id: u8| OutboxEntry {
        id: [id; 16],
        to: bob.clone(),
        content: vec![id],
        attempts: 0,
    };
    store
        .commit(Changes {
            outbox: vec![entry(2), entry(1), entry(3)],
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    let mut retried = entry(2);
    retried.attempts = 1;
    store
        .commit(Changes {
            outbox: vec![retried.clone()],
            outbox_done: vec![[1; 16]],
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    ensure(
        store.outbox().await.map_err(store_error)? == vec![retried.clone(), entry(3)],
        "the outbox keeps order, updates in place and drops what is done",
    )?;
    ensure(
        store.outbox_entry(&[2; 16]).await.map_err(store_error)? == Some(retried)
            && store
                .outbox_entry(&[1; 16])
                .await
                .map_err(store_error)?
                .is_none(),
        "one outbox entry reads as stored, and not once it is done",
    )
}

/// The largest group update we send is stored and read back from the outbox as it was (an
/// update the outbox cannot decode would wedge every connection).
pub async fn largest_update(store: &impl Store) -> Outcome {
    let group = chat(&format!("#{}", "ab".repeat(16)))?;
    let entry = OutboxEntry {
        id: [9; 16],
        to: group,
        content: vec![0x5A; hush_protocol::limits::MAX_UPDATE],
        attempts: 0,
    };
    store
        .commit(Changes {
            outbox: vec![entry.clone()],
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    let read = store.outbox().await.map_err(store_error)?;
    ensure(
        read == vec![entry.clone()],
        "the largest group update is read back from the outbox",
    )?;
    ensure(
        store.outbox_entry(&entry.id).await.map_err(store_error)? == Some(entry),
        "the largest group update is read back by its id",
    )
}

//! A queue bounded in bytes, not items: what a connection may hold for a peer that reads slowly
//! or not at all. A frame count would let a queue of envelopes (up to ~75 KB each) grow to tens
//! of megabytes. An item heavier than the whole budget still passes, alone.

use std::sync::Arc;

use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};

/// What an item is charged, in bytes (an estimate of what it holds in memory).
pub(crate) trait Weight {
    fn weight(&self) -> usize;
}

/// What every item is charged besides its bytes: a burst of tiny frames is bounded too.
pub(crate) const ITEM_OVERHEAD: usize = 64;

/// A queue for at most `budget` bytes of items.
pub(crate) fn channel<T: Weight>(budget: usize) -> (Sender<T>, Receiver<T>) {
    let budget = budget.clamp(1, u32::MAX as usize);
    let permits = Arc::new(Semaphore::new(budget));
    let (items, queue) = mpsc::unbounded_channel();
    (
        Sender {
            items,
            budget: permits.clone(),
            capacity: budget,
        },
        Receiver {
            items: queue,
            budget: permits,
        },
    )
}

/// The item was not queued: the receiver is gone, or (`try_send`) there is no room.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Refused;

/// Queues items; cheap to clone.
pub(crate) struct Sender<T> {
    /// Each item travels with the bytes of budget it holds until it is taken.
    items: mpsc::UnboundedSender<(T, OwnedSemaphorePermit)>,
    budget: Arc<Semaphore>,
    capacity: usize,
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        Self {
            items: self.items.clone(),
            budget: self.budget.clone(),
            capacity: self.capacity,
        }
    }
}

impl<T: Weight> Sender<T> {
    /// Bytes of budget `item` takes: at most all of it.
    fn cost(&self, item: &T) -> u32 {
        // `capacity` fits a u32 (see `channel`).
        item.weight().clamp(1, self.capacity) as u32
    }

    /// Queues `item`, waiting for room; refused once the receiver is gone.
    pub(crate) async fn send(&self, item: T) -> Result<(), Refused> {
        let cost = self.cost(&item);
        let permit = self
            .budget
            .clone()
            .acquire_many_owned(cost)
            .await
            .map_err(|_| Refused)?;
        self.items.send((item, permit)).map_err(|_| Refused)
    }

    /// Queues `item` if there is room now.
    pub(crate) fn try_send(&self, item: T) -> Result<(), Refused> {
        let cost = self.cost(&item);
        let permit = self
            .budget
            .clone()
            .try_acquire_many_owned(cost)
            .map_err(|_| Refused)?;
        self.items.send((item, permit)).map_err(|_| Refused)
    }

    /// Waits until the receiver is gone.
    pub(crate) async fn closed(&self) {
        self.items.closed().await;
    }
}

/// Takes items in order; each frees its bytes as it is taken.
pub(crate) struct Receiver<T> {
    items: mpsc::UnboundedReceiver<(T, OwnedSemaphorePermit)>,
    budget: Arc<Semaphore>,
}

impl<T> Receiver<T> {
    /// The next item; `None` once every sender is gone and the queue is empty.
    pub(crate) async fn recv(&mut self) -> Option<T> {
        self.items.recv().await.map(|(item, _freed)| item)
    }

    /// The next item if one is queued.
    pub(crate) fn try_recv(&mut self) -> Option<T> {
        self.items.try_recv().ok().map(|(item, _freed)| item)
    }
}

impl<T> Drop for Receiver<T> {
    /// A sender waiting for room is refused at once instead of waiting for ever.
    fn drop(&mut self) {
        self.budget.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Weight for Vec<u8> {
        fn weight(&self) -> usize {
            self.len()
        }
    }

    #[tokio::test]
    async fn the_budget_counts_bytes_not_items() {
        let (tx, mut rx) = channel::<Vec<u8>>(100);
        assert_eq!(tx.try_send(vec![0; 60]), Ok(()));
        assert_eq!(tx.try_send(vec![0; 60]), Err(Refused));
        assert_eq!(tx.try_send(vec![0; 40]), Ok(()));
        assert_eq!(rx.recv().await.map(|v| v.len()), Some(60));
        assert_eq!(tx.try_send(vec![0; 60]), Ok(()));
    }

    #[tokio::test]
    async fn an_item_larger_than_the_budget_passes_alone() {
        let (tx, mut rx) = channel::<Vec<u8>>(100);
        assert_eq!(tx.try_send(vec![0; 1000]), Ok(()));
        assert_eq!(tx.try_send(vec![0; 1]), Err(Refused));
        assert_eq!(rx.try_recv().map(|v| v.len()), Some(1000));
        assert_eq!(tx.try_send(vec![0; 1]), Ok(()));
    }

    #[tokio::test]
    async fn a_waiting_sender_is_refused_when_the_receiver_goes() {
        let (tx, rx) = channel::<Vec<u8>>(10);
        assert_eq!(tx.try_send(vec![0; 10]), Ok(()));
        let waiting = tokio::spawn({
            let tx = tx.clone();
            async move { tx.send(vec![0; 10]).await }
        });
        drop(rx);
        assert_eq!(waiting.await.ok(), Some(Err(Refused)));
        tx.closed().await;
    }
}

//! The outcome of a write that commits later.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::sync::oneshot;

use super::StoreError;

/// A write's outcome, ready once the write has committed (or failed): a future, to await. The
/// write itself was queued when the `Pending` was made, so dropping it does not undo the write.
/// A backend sends the outcome on the channel of [`Pending::channel`] from wherever its write
/// runs (the SQLite writer thread; a task of an async backend).
#[must_use = "a write's outcome says whether it was stored"]
pub struct Pending<T>(State<T>);

enum State<T> {
    Ready(Option<Result<T, StoreError>>),
    Waiting(oneshot::Receiver<Result<T, StoreError>>),
}

// Nothing is pinned structurally: the receiver is `Unpin` and a ready value is only moved out.
impl<T> Unpin for Pending<T> {}

impl<T> Pending<T> {
    /// An outcome known already (nothing to write, or the write was refused up front).
    pub fn ready(outcome: Result<T, StoreError>) -> Self {
        Self(State::Ready(Some(outcome)))
    }

    /// An outcome the backend will send on the other end of `reply` (from any thread or task).
    pub fn channel() -> (oneshot::Sender<Result<T, StoreError>>, Self) {
        let (reply, answer) = oneshot::channel();
        (reply, Self(State::Waiting(answer)))
    }
}

impl<T> Future for Pending<T> {
    type Output = Result<T, StoreError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().0 {
            State::Ready(outcome) => Poll::Ready(outcome.take().unwrap_or_else(|| Err(gone()))),
            State::Waiting(answer) => Pin::new(answer)
                .poll(cx)
                .map(|received| received.unwrap_or_else(|_| Err(gone()))),
        }
    }
}

fn gone() -> StoreError {
    StoreError::Backend("the store stopped before the write was answered".to_owned())
}

//! The store's submission task: `submit_…` calls queue their write on a bounded channel, in
//! call order, and this one task commits them one after the other, so one connection's writes
//! commit in the order it made them. The listener hears of new envelopes right after their
//! commit, in that order.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use super::{envelopes, in_tx, Inner};
use crate::store::{NewEnvelope, Pending, QueueLimits, StoreError, StoredEnvelope};

enum Job {
    Envelopes {
        envelopes: Vec<NewEnvelope>,
        limits: QueueLimits,
        reply: oneshot::Sender<Result<Vec<u64>, StoreError>>,
    },
    Ack {
        name: String,
        device: u32,
        ids: Vec<u64>,
        reply: oneshot::Sender<Result<usize, StoreError>>,
    },
}

/// The sending side; the task ends when the store (and so this) is dropped, after the writes
/// queued before.
pub(super) struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the task on the current tokio runtime.
    pub(super) fn start(inner: Arc<Inner>, capacity: usize) -> Self {
        let (jobs, queue) = mpsc::channel(capacity.max(1));
        tokio::spawn(run(inner, queue));
        Self { jobs }
    }

    pub(super) fn submit_envelopes(
        &self,
        envelopes: Vec<NewEnvelope>,
        limits: QueueLimits,
    ) -> Pending<Vec<u64>> {
        let (reply, pending) = Pending::channel();
        self.send(
            Job::Envelopes {
                envelopes,
                limits,
                reply,
            },
            pending,
        )
    }

    pub(super) fn submit_ack(&self, name: String, device: u32, ids: Vec<u64>) -> Pending<usize> {
        let (reply, pending) = Pending::channel();
        self.send(
            Job::Ack {
                name,
                device,
                ids,
                reply,
            },
            pending,
        )
    }

    /// Queues `job` without waiting: a full queue refuses it (the database is not keeping up;
    /// the caller reports a storage failure rather than the relay buffering without bound).
    fn send<T>(&self, job: Job, pending: Pending<T>) -> Pending<T> {
        match self.jobs.try_send(job) {
            Ok(()) => pending,
            Err(mpsc::error::TrySendError::Full(_)) => Pending::ready(Err(StoreError::Backend(
                "postgres: too many writes waiting for the database".to_owned(),
            ))),
            Err(mpsc::error::TrySendError::Closed(_)) => Pending::ready(Err(StoreError::Backend(
                "postgres: the store's writer stopped".to_owned(),
            ))),
        }
    }
}

async fn run(inner: Arc<Inner>, mut queue: mpsc::Receiver<Job>) {
    while let Some(job) = queue.recv().await {
        match job {
            Job::Envelopes {
                envelopes,
                limits,
                reply,
            } => {
                let outcome: Result<Vec<(u64, bool)>, StoreError> =
                    in_tx!(inner, |tx| envelopes::insert(tx, &envelopes, limits)
                        .await?);
                let outcome = outcome.map(|ids| {
                    if let Some(listener) = &inner.listener {
                        let stored: Vec<StoredEnvelope> = envelopes
                            .iter()
                            .zip(&ids)
                            .filter(|(_, (_, new))| *new)
                            .map(|(envelope, &(id, _))| StoredEnvelope {
                                id,
                                envelope: envelope.clone(),
                            })
                            .collect();
                        if !stored.is_empty() {
                            listener.stored(stored);
                        }
                    }
                    ids.into_iter().map(|(id, _)| id).collect()
                });
                // The caller may have stopped waiting: the write stands either way.
                let _ = reply.send(outcome);
            }
            Job::Ack {
                name,
                device,
                ids,
                reply,
            } => {
                let outcome = in_tx!(inner, |tx| envelopes::ack(tx, &name, device, &ids).await?);
                let _ = reply.send(outcome);
            }
        }
    }
}

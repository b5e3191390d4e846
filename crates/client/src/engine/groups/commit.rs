//! Our group changes and the relay's order (`docs/protocol.md`, "Groups"): signed on the state
//! we hold, kept in the group's record as proposed and submitted (`GroupCommit`); once
//! accepted, applied and sent to the members; once refused (another change took that epoch),
//! signed again on the new head when we hold the relay's head, while it still applies.

use hush_protocol::groups::Change;
use hush_protocol::relay::ClientFrame;
use hush_protocol::Rng;

use crate::engine::{Engine, Output};
use crate::error::EngineError;
use crate::model::GroupRecord;
use crate::store::encoding::MAX_PROPOSED;
use crate::store::{Changes, Store};

/// Times one change of ours is signed again after a refusal before it is given up.
const MAX_ATTEMPTS: u8 = 8;
/// Refused changes of ours tracked at most.
const MAX_TRACKED: usize = 64;

/// How a proposed change of ours stands with the relay (in memory).
pub(in crate::engine) struct Attempt {
    /// The proposed change's hash.
    hash: [u8; 32],
    /// Refused, and the newest epoch the relay had then ordered.
    refused: Option<u64>,
    /// Refusals of this op so far.
    attempts: u8,
}

/// The frame that submits `change`.
fn commit_frame(change: &Change) -> ClientFrame {
    ClientFrame::GroupCommit {
        group: change.group,
        epoch: change.epoch,
        hash: change.hash(),
    }
}

impl<S: Store, R: Rng> Engine<S, R> {
    /// Keeps `change` as proposed in `record` (stored) and submits it to the relay.
    pub(super) async fn submit_change(
        &mut self,
        mut record: GroupRecord,
        change: Change,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        if record.proposed.len() >= MAX_PROPOSED {
            record.proposed.remove(0);
        }
        record.proposed.push(change.clone());
        let changes = Changes {
            groups: vec![record],
            ..Changes::default()
        };
        self.store.commit(changes).await?;
        out.frames.push(commit_frame(&change));
        Ok(())
    }

    /// On a new connection: our proposed changes are submitted again (one the relay accepted
    /// already is accepted again), and the order is asked for what waits.
    pub(in crate::engine) async fn resume_ordering(
        &mut self,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        for record in self.store.groups().await? {
            out.frames.extend(record.proposed.iter().map(commit_frame));
        }
        self.ask_waiting(out).await
    }

    /// The relay accepted a change: ours is applied and sent to the members.
    pub(in crate::engine) async fn group_committed(
        &mut self,
        group: [u8; 16],
        hash: [u8; 32],
        now_ms: u64,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        let Some(mut record) = self.store.group(&group).await? else {
            return Ok(());
        };
        let Some(i) = record.proposed.iter().position(|c| c.hash() == hash) else {
            return Ok(());
        };
        let change = record.proposed.remove(i);
        self.ordering.attempts.retain(|a| a.hash != hash);
        let before = record.log.state().clone();
        let key = self.account.as_ref().map(|a| a.account_key.public());
        let Some(Ok(())) = key.map(|k| record.log.accept(change.clone(), &k)) else {
            // Not on our head (the relay ordered around what we hold): dropped.
            let changes = Changes {
                groups: vec![record],
                ..Changes::default()
            };
            return Ok(self.store.commit(changes).await?);
        };
        let more = self
            .publish_change(record, Some(&before), &change, now_ms)
            .await?;
        out.frames.extend(more.frames);
        out.events.extend(more.events);
        Ok(())
    }

    /// The relay refused a change of ours (another took its epoch): signed again once we hold
    /// the relay's head; meanwhile its order is asked for.
    pub(in crate::engine) async fn group_commit_refused(
        &mut self,
        group: [u8; 16],
        epoch: u64,
        head: u64,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        let Some(record) = self.store.group(&group).await? else {
            return Ok(());
        };
        for change in record.proposed.iter().filter(|c| c.epoch == epoch) {
            let hash = change.hash();
            match self.ordering.attempts.iter_mut().find(|a| a.hash == hash) {
                Some(attempt) => attempt.refused = Some(head),
                None => self.ordering.attempts.push(Attempt {
                    hash,
                    refused: Some(head),
                    attempts: 0,
                }),
            }
        }
        // Bounded: the oldest (of changes long given up) go first.
        let extra = self.ordering.attempts.len().saturating_sub(MAX_TRACKED);
        self.ordering.attempts.drain(..extra);
        let after = record.log.state().epoch;
        out.frames.push(ClientFrame::GroupOrder { group, after });
        self.rebase(group, out).await
    }

    /// Our refused changes for `group`, signed again on our head once it reaches the relay's
    /// head; one that no longer applies (or was refused too often) is given up.
    pub(super) async fn rebase(
        &mut self,
        group: [u8; 16],
        out: &mut Output,
    ) -> Result<(), EngineError> {
        let Some(mut record) = self.store.group(&group).await? else {
            return Ok(());
        };
        let head = record.log.state().epoch;
        let mut kept = Vec::with_capacity(record.proposed.len());
        let mut changed = false;
        for change in std::mem::take(&mut record.proposed) {
            let hash = change.hash();
            let at = self.ordering.attempts.iter().position(|a| a.hash == hash);
            let due = at.filter(|i| {
                self.ordering.attempts[*i]
                    .refused
                    .is_some_and(|h| head >= h)
            });
            let Some(i) = due else {
                kept.push(change);
                continue;
            };
            let attempts = self.ordering.attempts.remove(i).attempts + 1;
            changed = true;
            let again = self.sign_change(&record, change.op)?.ok();
            let Some(again) = again.filter(|_| attempts <= MAX_ATTEMPTS) else {
                continue;
            };
            out.frames.push(commit_frame(&again));
            self.ordering.attempts.push(Attempt {
                hash: again.hash(),
                refused: None,
                attempts,
            });
            kept.push(again);
        }
        if !changed {
            return Ok(());
        }
        record.proposed = kept;
        let changes = Changes {
            groups: vec![record],
            ..Changes::default()
        };
        Ok(self.store.commit(changes).await?)
    }
}

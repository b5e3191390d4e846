//! The chain a member holds: applying the change the relay ordered next, proving a chain from
//! its group's creation, and its stored form.

use super::change::Change;
use super::error::GroupError;
use super::limits::{MAX_CHAIN, MAX_CHANGE, MAX_STATE};
use super::state::GroupState;
use crate::codec::{Reader, Writer};

/// The first stored form: up to 8 changes, each with the state after it.
const TYPE_LOG_V1: u8 = 11;
const KEPT_V1: usize = 8;
/// The chain (from the creation unless it grew past [`MAX_CHAIN`]) and the head's state.
const TYPE_LOG: u8 = 13;

/// What the relay accepted for one epoch of a group: the hash of the change it ordered there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ordered {
    /// The epoch.
    pub epoch: u64,
    /// The hash of the one change accepted for it.
    pub hash: [u8; 32],
}

/// A group's chain as a member holds it, and the state it made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupLog {
    /// Oldest first, each the parent of the next; at most [`MAX_CHAIN`]; empty for a log
    /// migrated from the first form.
    chain: Vec<Change>,
    /// The state after the last change.
    state: GroupState,
}

/// What [`GroupLog::take`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Taken {
    /// Changes now in our chain that were not, in order.
    pub applied: Vec<Change>,
    /// Changes after our head that the relay has not ordered for us yet, or that come after a
    /// change we lack: to be offered again later.
    pub held: Vec<Change>,
}

impl GroupLog {
    /// A log starting at a creation (whose group id must be derived from it).
    pub fn create(change: Change, author_key: &[u8; 32]) -> Result<Self, GroupError> {
        let state = GroupState::create(&change, author_key)?;
        Ok(Self {
            chain: vec![change],
            state,
        })
    }

    /// A log proven from scratch: `chain` starts at its group's creation and each change is
    /// signed by its author (`key_of`: account keys as this member pinned them) and allowed
    /// in the state before it. What an invitation carries: the inviter's word counts for
    /// nothing, only signed changes do. Nothing of the chain is trusted beyond that; which
    /// changes the relay ordered is checked by the caller.
    pub fn prove(
        chain: &[Change],
        key_of: &dyn Fn(&str) -> Option<[u8; 32]>,
    ) -> Result<Self, GroupError> {
        let (first, rest) = chain.split_first().ok_or(GroupError::Unproven)?;
        if chain.len() > MAX_CHAIN || !first.creates_its_group() {
            return Err(GroupError::Unproven);
        }
        let key = key_of(&first.author).ok_or(GroupError::Unproven)?;
        let mut log = Self::create(first.clone(), &key)?;
        for change in rest {
            let key = key_of(&change.author).ok_or(GroupError::Unproven)?;
            log.accept(change.clone(), &key)?;
        }
        Ok(log)
    }

    /// The changes held, oldest first.
    pub fn changes(&self) -> &[Change] {
        &self.chain
    }

    /// Whether the chain held starts at the group's creation (so it can prove the group to a
    /// new member).
    pub fn from_creation(&self) -> bool {
        self.chain.first().is_some_and(Change::creates_its_group)
    }

    /// Whether `other` (a chain proven from the creation) holds our head at its epoch: it
    /// extends what we hold rather than replacing it.
    pub fn extended_by(&self, other: &GroupLog) -> bool {
        let head = &self.state;
        head.group == other.state.group
            && other
                .chain
                .iter()
                .any(|c| c.epoch == head.epoch && c.hash() == head.head)
    }

    /// The current state.
    pub fn state(&self) -> &GroupState {
        &self.state
    }

    /// Applies the change that comes next (epoch head + 1, parent our head), signed by its
    /// author (`author_key`, as this member pinned it) and allowed in our state. Only for a
    /// change the relay ordered (ours once accepted, or one checked against the relay's order
    /// by [`GroupLog::take`]). On any error nothing changes.
    pub fn accept(&mut self, change: Change, author_key: &[u8; 32]) -> Result<(), GroupError> {
        let next = self.state.apply(&change, author_key)?;
        self.chain.push(change);
        if self.chain.len() > MAX_CHAIN {
            self.chain.remove(0);
        }
        self.state = next;
        Ok(())
    }

    /// Takes the changes other members sent, in the relay's order only: the change for epoch
    /// head + 1 applies if its hash is the one `order` names for that epoch and it checks (see
    /// [`GroupLog::accept`]); then the next, and so on. Changes at or below our head, or
    /// that the relay ordered otherwise, are dropped; later ones are held. `key_of` gives an
    /// author's account key as this member pinned it. Nothing that fails changes anything.
    pub fn take(
        &mut self,
        changes: &[Change],
        order: &[Ordered],
        key_of: &dyn Fn(&str) -> Option<[u8; 32]>,
    ) -> Taken {
        let mut taken = Taken::default();
        let group = self.state.group;
        let ordered = |c: &Change| order.iter().find(|o| o.epoch == c.epoch).map(|o| o.hash);
        while let Some(next) = self.state.epoch.checked_add(1) {
            let candidate = changes
                .iter()
                .find(|c| c.group == group && c.epoch == next && ordered(c) == Some(c.hash()));
            let Some(change) = candidate else {
                break;
            };
            let Some(key) = key_of(&change.author) else {
                break;
            };
            if self.accept(change.clone(), &key).is_err() {
                break;
            }
            taken.applied.push(change.clone());
        }
        for change in changes {
            let later = change.group == group && change.epoch > self.state.epoch;
            let refused = ordered(change).is_some_and(|hash| hash != change.hash());
            if later && !refused && !taken.held.contains(change) {
                taken.held.push(change.clone());
            }
        }
        taken
    }

    /// For storage: the chain and the head's state.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.header(TYPE_LOG).u32(self.chain.len() as u32);
        for change in &self.chain {
            w.var(&change.encode());
        }
        w.var(&self.state.encode());
        w.into_bytes()
    }

    /// Restores [`GroupLog::encode`]'s bytes (stored data: decoded, not verified again), or a
    /// log of the first form (its changes become the chain held, its last state the head).
    pub fn decode(bytes: &[u8]) -> Result<Self, GroupError> {
        if bytes.get(1) == Some(&TYPE_LOG_V1) {
            return Self::decode_v1(bytes);
        }
        let mut r = Reader::new(bytes);
        r.stored_header(TYPE_LOG)?;
        let n = r.count("group changes", MAX_CHAIN, 2)?;
        let mut chain = Vec::with_capacity(n);
        for _ in 0..n {
            chain.push(Change::decode(r.var("change", MAX_CHANGE)?)?);
        }
        let state = GroupState::decode(r.var("group state", MAX_STATE)?)?;
        r.finish()?;
        Self::held(chain, state)
    }

    /// A log of the first form: its state is kept as the head, its changes are not (their
    /// form is refused now, and they cannot prove the group to a new member anyway).
    fn decode_v1(bytes: &[u8]) -> Result<Self, GroupError> {
        let mut r = Reader::new(bytes);
        r.stored_header(TYPE_LOG_V1)?;
        let n = r.count("group states", KEPT_V1, 2)?;
        let mut last = None;
        for _ in 0..n {
            r.var("change", MAX_CHANGE)?;
            last = Some(GroupState::decode(r.var("group state", MAX_STATE)?)?);
        }
        r.finish()?;
        Self::held(Vec::new(), last.ok_or(GroupError::Invalid)?)
    }

    /// A stored chain and state, if they fit together (the last change made the state).
    fn held(chain: Vec<Change>, state: GroupState) -> Result<Self, GroupError> {
        if let Some(last) = chain.last() {
            let fits =
                last.hash() == state.head && last.epoch == state.epoch && last.group == state.group;
            if !fits {
                return Err(GroupError::Invalid);
            }
        }
        Ok(Self { chain, state })
    }
}

//! The recent chain a member holds: applying the next change, replacing a branch that lost a
//! fork, and taking the changes other members hold.

use super::change::Change;
use super::error::GroupError;
use super::forks::wins;
use super::limits::{MAX_CHANGE, MAX_STATE};
use super::state::GroupState;
use crate::codec::{Reader, Writer};

/// States kept behind the head, so a concurrent change that wins can replace the head.
const KEPT: usize = 8;
const TYPE_LOG: u8 = 11;

/// What [`GroupLog::accept`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Accepted {
    /// It came next and is applied.
    Applied,
    /// It was concurrent with a change held (same parent) and won (see [`GroupLog::take`]):
    /// that change and any built on it were undone and this applied instead. The undone ones are
    /// returned, oldest first; the ones we made, we issue again on top.
    Replaced(Vec<Change>),
}

/// A group's recent states: the head and a few before it, so a concurrent change that wins
/// can take the head's place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupLog {
    /// Oldest first; the last is the head. Each with the change that made it.
    states: Vec<(Change, GroupState)>,
}

impl GroupLog {
    /// A log starting at a creation.
    pub fn create(change: Change, author_key: &[u8; 32]) -> Result<Self, GroupError> {
        let state = GroupState::create(&change, author_key)?;
        Ok(Self {
            states: vec![(change, state)],
        })
    }

    /// A log starting where an invitation puts a new member: `change` (signed by its author,
    /// whose key is `author_key`) and the state after it, as the inviter sent them. Earlier
    /// changes are not known to the new member; the inviter vouches for the state.
    pub fn joined(
        change: Change,
        state: GroupState,
        author_key: &[u8; 32],
    ) -> Result<Self, GroupError> {
        change.verify(author_key)?;
        let fits = change.group == state.group
            && change.epoch == state.epoch
            && change.hash() == state.head
            && state.member(&change.author).is_some();
        if !fits {
            return Err(GroupError::Invalid);
        }
        Ok(Self {
            states: vec![(change, state)],
        })
    }

    /// The changes held, oldest first (sent along with a new one, so a member that missed
    /// one can catch up).
    pub fn changes(&self) -> impl Iterator<Item = &Change> {
        self.states.iter().map(|(change, _)| change)
    }

    /// For storage: each change held with the state after it.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.header(TYPE_LOG).u32(self.states.len() as u32);
        for (change, state) in &self.states {
            w.var(&change.encode()).var(&state.encode());
        }
        w.into_bytes()
    }

    /// Restores [`GroupLog::encode`]'s bytes (stored data: decoded, not verified again).
    pub fn decode(bytes: &[u8]) -> Result<Self, GroupError> {
        let mut r = Reader::new(bytes);
        r.header(TYPE_LOG)?;
        let n = r.count("group states", KEPT, 2)?;
        let mut states = Vec::with_capacity(n);
        for _ in 0..n {
            let change = Change::decode(r.var("change", MAX_CHANGE)?)?;
            let state = GroupState::decode(r.var("group state", MAX_STATE)?)?;
            states.push((change, state));
        }
        r.finish()?;
        if states.is_empty() {
            return Err(GroupError::Invalid);
        }
        Ok(Self { states })
    }

    /// The current state.
    pub fn state(&self) -> &GroupState {
        // Never empty: made with one state, and `accept` only ever replaces the last.
        &self.states[self.states.len() - 1].1
    }

    /// Takes a change: the next one is applied; one concurrent with the head (same parent)
    /// replaces it if its hash is smaller. `author_key` is the change author's account key
    /// as this member pinned it. On any error nothing changes.
    pub fn accept(
        &mut self,
        change: Change,
        author_key: &[u8; 32],
    ) -> Result<Accepted, GroupError> {
        let head = self.state();
        if change.group != head.group {
            return Err(GroupError::WrongGroup);
        }
        if change.epoch <= head.epoch {
            // Concurrent with one we hold: decided the same way everywhere (see `wins`).
            let Some(i) = self
                .states
                .iter()
                .position(|(c, _)| c.epoch == change.epoch)
            else {
                return Err(GroupError::Stale);
            };
            let held = &self.states[i].0;
            if i == 0 || change.parent != held.parent || *held == change {
                return Err(GroupError::Stale);
            }
            let ours: Vec<&Change> = self.states[i..].iter().map(|(c, _)| c).collect();
            if !wins(&[&change], &ours) {
                return Err(GroupError::Stale);
            }
            let next = self.states[i - 1].1.apply(&change, author_key)?;
            let undone = self
                .states
                .split_off(i)
                .into_iter()
                .map(|(c, _)| c)
                .collect();
            self.states.push((change, next));
            return Ok(Accepted::Replaced(undone));
        }
        let next = head.apply(&change, author_key)?;
        self.push(change, next);
        Ok(Accepted::Applied)
    }

    fn push(&mut self, change: Change, state: GroupState) {
        self.states.push((change, state));
        if self.states.len() > KEPT {
            self.states.remove(0);
        }
    }

    /// Takes the changes another member holds (oldest first, as [`GroupLog::changes`] gives
    /// them): those we hold are skipped, those that follow our head are applied, and a run that
    /// forks from our chain (a concurrent change at an epoch we hold, and what it carries built
    /// on it) replaces our branch if it wins (see [`Accepted::Replaced`]). `key_of` gives an
    /// author's account key as this member pinned it. Nothing that fails its checks changes
    /// anything; changes that come before the ones they build on are handed back to hold.
    pub fn take(&mut self, changes: &[Change], key_of: &dyn Fn(&str) -> Option<[u8; 32]>) -> Taken {
        let mut taken = Taken::default();
        let mut next = 0;
        while let Some(change) = changes.get(next) {
            next += 1;
            let head = self.state();
            let Some(key) = key_of(&change.author).filter(|_| change.group == head.group) else {
                if change.group == head.group && change.epoch > head.epoch {
                    taken.held.push(change.clone());
                }
                continue;
            };
            if change.epoch > head.epoch {
                match head.apply(change, &key) {
                    Ok(state) => {
                        self.push(change.clone(), state);
                        taken.applied.push(change.clone());
                    }
                    Err(GroupError::Gap) => taken.held.push(change.clone()),
                    Err(_) => {}
                }
                continue;
            }
            let Some(at) = self
                .states
                .iter()
                .position(|(c, _)| c.epoch == change.epoch)
            else {
                continue;
            };
            let held = &self.states[at].0;
            if at == 0 || held == change || held.parent != change.parent {
                continue;
            }
            // A fork: this change and the ones after it that build on it, each checked.
            let Ok(first) = self.states[at - 1].1.apply(change, &key) else {
                continue;
            };
            let mut branch = vec![(change.clone(), first)];
            while let Some(following) = changes.get(next) {
                let (last, state) = &branch[branch.len() - 1];
                if following.parent != last.hash() {
                    break;
                }
                let Some(key) = key_of(&following.author) else {
                    break;
                };
                let Ok(after) = state.apply(following, &key) else {
                    break;
                };
                branch.push((following.clone(), after));
                next += 1;
            }
            let theirs: Vec<&Change> = branch.iter().map(|(c, _)| c).collect();
            let ours: Vec<&Change> = self.states[at..].iter().map(|(c, _)| c).collect();
            if !wins(&theirs, &ours) {
                continue;
            }
            let undone = self.states.split_off(at);
            taken.undone.extend(undone.into_iter().map(|(c, _)| c));
            for (change, state) in branch {
                taken.applied.push(change.clone());
                self.push(change, state);
            }
        }
        taken
    }
}

/// What [`GroupLog::take`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Taken {
    /// Changes now in our chain that were not, in order.
    pub applied: Vec<Change>,
    /// Changes of ours a winning branch undid (their authors issue them again on top).
    pub undone: Vec<Change>,
    /// Changes that came before the ones they build on (or whose author we cannot check
    /// yet): to be offered again later.
    pub held: Vec<Change>,
}

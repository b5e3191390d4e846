//! Group membership authorised end to end (`docs/protocol.md`, "Groups"): a group is a chain of
//! changes, each signed by its author's account key and checked by every member against the
//! state before it (who is admin, what the settings allow). The relay carries changes but
//! cannot make one: it has no member's account key.
//!
//! Concurrent changes (two admins acting on the same state) fork the chain; every member picks
//! the same branch (one that removes or demotes an author of the other wins, else the smaller
//! hash), so every member converges on the same chain. The loser comes back in
//! [`Accepted::Replaced`] or [`Taken::undone`]: its author issues it again on top.

use sha2::{Digest, Sha256};

use crate::codec::{DecodeError, Reader, Writer};
use crate::devices::AccountKey;
use crate::keys::MAX_ACCOUNT_LEN;
use crate::text::{is_clean_description, is_clean_group_name};
pub use crate::text::{MAX_DESCRIPTION, MAX_GROUP_NAME};

/// The most members of one group.
pub const MAX_MEMBERS: usize = 1024;
/// The longest encoded change (a creation naming every member).
pub const MAX_CHANGE: usize =
    256 + MAX_GROUP_NAME + MAX_DESCRIPTION + MAX_MEMBERS * (MAX_ACCOUNT_LEN + 4);
/// The longest encoded state.
const MAX_STATE: usize = MAX_CHANGE + 64;
/// States kept behind the head, so a concurrent change that wins can replace the head.
const KEPT: usize = 8;
const TYPE_CHANGE: u8 = 9;
const TYPE_STATE: u8 = 10;
const TYPE_LOG: u8 = 11;
const CHANGE_LABEL: &[u8] = b"Hush group change v1";

/// A member's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// May change the group.
    Admin,
    /// May send (unless only admins may) and leave.
    Member,
}

/// One member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// The account.
    pub account: String,
    /// Its role.
    pub role: Role,
}

/// What one change does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// Makes the group: the author is its first admin, `members` the others.
    Create {
        /// The name.
        name: String,
        /// The description (may be empty).
        description: String,
        /// The other members.
        members: Vec<String>,
    },
    /// Adds a member (admins).
    Add(String),
    /// Removes a member (admins).
    Remove(String),
    /// Makes a member admin (admins).
    Promote(String),
    /// Makes an admin a member again (admins; never the last admin).
    Demote(String),
    /// Changes the name and description (admins, or anyone unless only admins may).
    EditInfo {
        /// The new name.
        name: String,
        /// The new description.
        description: String,
    },
    /// Restricts sending or editing the info to admins (admins).
    Permissions {
        /// Only admins may send.
        only_admins_send: bool,
        /// Only admins may edit the name and description.
        only_admins_edit: bool,
    },
    /// The author leaves (anyone). If the last admin leaves, the longest-standing member
    /// becomes admin.
    Leave,
}

/// A signed change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The group.
    pub group: [u8; 16],
    /// 1 for the creation, then one more per change.
    pub epoch: u64,
    /// The hash of the change before it (zeros for the creation).
    pub parent: [u8; 32],
    /// Who made it (an account; its account key signs).
    pub author: String,
    /// What it does.
    pub op: Op,
    /// Ed25519 by the author's account key over the label and everything above.
    pub signature: [u8; 64],
}

/// The group as its chain of changes made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupState {
    /// The group.
    pub group: [u8; 16],
    /// The epoch of the last change.
    pub epoch: u64,
    /// The hash of the last change.
    pub head: [u8; 32],
    /// The name.
    pub name: String,
    /// The description.
    pub description: String,
    /// The members, in the order they joined.
    pub members: Vec<Member>,
    /// Only admins may send.
    pub only_admins_send: bool,
    /// Only admins may edit the name and description.
    pub only_admins_edit: bool,
}

/// Why a change was refused (the state is unchanged).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupError {
    /// Not a valid encoding, or names and sizes out of bounds.
    Decode(DecodeError),
    /// The author's account key did not sign it.
    BadSignature,
    /// The author may not do this in the state it applies to.
    NotAllowed,
    /// It does not make sense in that state (adding a member twice, removing a stranger,
    /// demoting the last admin, too many members).
    Invalid,
    /// For another group.
    WrongGroup,
    /// It builds on changes not seen yet (ask for them).
    Gap,
    /// Older than what is held, or a concurrent change that lost: nothing to do.
    Stale,
}

impl core::fmt::Display for GroupError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Decode(e) => write!(f, "group change: {e}"),
            Self::BadSignature => f.write_str("the group change was not signed by its author"),
            Self::NotAllowed => f.write_str("the author may not make that group change"),
            Self::Invalid => f.write_str("that group change does not apply"),
            Self::WrongGroup => f.write_str("a change for another group"),
            Self::Gap => f.write_str("earlier group changes are missing"),
            Self::Stale => f.write_str("an older group change"),
        }
    }
}

impl std::error::Error for GroupError {}

impl From<DecodeError> for GroupError {
    fn from(e: DecodeError) -> Self {
        Self::Decode(e)
    }
}

fn valid_account(account: &str) -> bool {
    !account.is_empty() && account.len() <= MAX_ACCOUNT_LEN
}

impl Op {
    fn write(&self, w: &mut Writer) {
        match self {
            Self::Create {
                name,
                description,
                members,
            } => {
                w.u8(0)
                    .var(name.as_bytes())
                    .var(description.as_bytes())
                    .u32(members.len() as u32);
                for member in members {
                    w.var(member.as_bytes());
                }
            }
            Self::Add(a) => {
                w.u8(1).var(a.as_bytes());
            }
            Self::Remove(a) => {
                w.u8(2).var(a.as_bytes());
            }
            Self::Promote(a) => {
                w.u8(3).var(a.as_bytes());
            }
            Self::Demote(a) => {
                w.u8(4).var(a.as_bytes());
            }
            Self::EditInfo { name, description } => {
                w.u8(5).var(name.as_bytes()).var(description.as_bytes());
            }
            Self::Permissions {
                only_admins_send,
                only_admins_edit,
            } => {
                w.u8(6)
                    .u8(u8::from(*only_admins_send))
                    .u8(u8::from(*only_admins_edit));
            }
            Self::Leave => {
                w.u8(7);
            }
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let account = |r: &mut Reader<'_>| r.string("member", MAX_ACCOUNT_LEN);
        Ok(match r.u8()? {
            0 => {
                let name = r.string("group name", MAX_GROUP_NAME)?;
                let description = r.string("description", MAX_DESCRIPTION)?;
                let n = r.count("members", MAX_MEMBERS, 5)?;
                let members = (0..n).map(|_| account(r)).collect::<Result<_, _>>()?;
                Self::Create {
                    name,
                    description,
                    members,
                }
            }
            1 => Self::Add(account(r)?),
            2 => Self::Remove(account(r)?),
            3 => Self::Promote(account(r)?),
            4 => Self::Demote(account(r)?),
            5 => Self::EditInfo {
                name: r.string("group name", MAX_GROUP_NAME)?,
                description: r.string("description", MAX_DESCRIPTION)?,
            },
            6 => Self::Permissions {
                only_admins_send: r.bool("permission")?,
                only_admins_edit: r.bool("permission")?,
            },
            7 => Self::Leave,
            _ => return Err(DecodeError::Invalid("group change")),
        })
    }
}

impl Change {
    /// A change by `author`, signed with its account key, on top of `state` (`None` for a
    /// creation).
    pub fn sign(
        state: Option<&GroupState>,
        group: [u8; 16],
        author: &str,
        op: Op,
        key: &AccountKey,
    ) -> Self {
        let mut change = Self {
            group,
            epoch: state.map_or(1, |s| s.epoch.saturating_add(1)),
            parent: state.map_or([0; 32], |s| s.head),
            author: author.to_owned(),
            op,
            signature: [0; 64],
        };
        change.signature = key.sign(&change.message());
        change
    }

    fn signed_bytes(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(128);
        w.header(TYPE_CHANGE)
            .raw(&self.group)
            .u64(self.epoch)
            .raw(&self.parent)
            .var(self.author.as_bytes());
        self.op.write(&mut w);
        w.into_bytes()
    }

    fn message(&self) -> Vec<u8> {
        let mut message = CHANGE_LABEL.to_vec();
        message.extend_from_slice(&self.signed_bytes());
        message
    }

    /// The encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = self.signed_bytes();
        bytes.extend_from_slice(&self.signature);
        bytes
    }

    /// Decodes untrusted bytes (the signature is checked when the change is applied).
    pub fn decode(bytes: &[u8]) -> Result<Self, GroupError> {
        let mut r = Reader::new(bytes);
        r.header(TYPE_CHANGE)?;
        let change = Self {
            group: r.array()?,
            epoch: r.u64()?,
            parent: r.array()?,
            author: r.string("author", MAX_ACCOUNT_LEN)?,
            op: Op::read(&mut r)?,
            signature: r.array()?,
        };
        r.finish()?;
        Ok(change)
    }

    /// What later changes name as their parent.
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.encode()).into()
    }

    /// Whether `author_key` (the author's account key, as the member pinned it) signed it.
    pub fn verify(&self, author_key: &[u8; 32]) -> Result<(), GroupError> {
        crate::devices::verify_signature(author_key, &self.message(), &self.signature)
            .map_err(|_| GroupError::BadSignature)
    }
}

impl GroupState {
    /// The group as its creation makes it.
    pub fn create(change: &Change, author_key: &[u8; 32]) -> Result<Self, GroupError> {
        change.verify(author_key)?;
        let Op::Create {
            name,
            description,
            members,
        } = &change.op
        else {
            return Err(GroupError::Invalid);
        };
        if change.epoch != 1 || change.parent != [0; 32] {
            return Err(GroupError::Invalid);
        }
        if !is_clean_group_name(name) || !is_clean_description(description) {
            return Err(GroupError::Invalid);
        }
        let mut state = Self {
            group: change.group,
            epoch: 1,
            head: change.hash(),
            name: name.clone(),
            description: description.clone(),
            members: vec![Member {
                account: change.author.clone(),
                role: Role::Admin,
            }],
            only_admins_send: false,
            only_admins_edit: false,
        };
        for member in members {
            if !valid_account(member) || state.member(member).is_some() {
                return Err(GroupError::Invalid);
            }
            state.members.push(Member {
                account: member.clone(),
                role: Role::Member,
            });
        }
        if state.members.len() > MAX_MEMBERS {
            return Err(GroupError::Invalid);
        }
        Ok(state)
    }

    /// The member `account`, if it is one.
    pub fn member(&self, account: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.account == account)
    }

    /// Whether `account` is an admin.
    pub fn is_admin(&self, account: &str) -> bool {
        self.member(account).is_some_and(|m| m.role == Role::Admin)
    }

    /// Whether `account` may send to the group now.
    pub fn may_send(&self, account: &str) -> bool {
        self.member(account)
            .is_some_and(|m| !self.only_admins_send || m.role == Role::Admin)
    }

    /// The encoding (for storage, and for inviting a member: the inviter vouches for it).
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(128 + self.members.len() * 16);
        w.header(TYPE_STATE)
            .raw(&self.group)
            .u64(self.epoch)
            .raw(&self.head)
            .var(self.name.as_bytes())
            .var(self.description.as_bytes())
            .u8(u8::from(self.only_admins_send))
            .u8(u8::from(self.only_admins_edit))
            .u32(self.members.len() as u32);
        for member in &self.members {
            w.var(member.account.as_bytes())
                .u8(u8::from(member.role == Role::Admin));
        }
        w.into_bytes()
    }

    /// Decodes untrusted bytes: sizes and names are checked, a member named twice or a group
    /// without an admin is refused.
    pub fn decode(bytes: &[u8]) -> Result<Self, GroupError> {
        let mut r = Reader::new(bytes);
        r.header(TYPE_STATE)?;
        let mut state = Self {
            group: r.array()?,
            epoch: r.u64()?,
            head: r.array()?,
            name: r.string("group name", MAX_GROUP_NAME)?,
            description: r.string("description", MAX_DESCRIPTION)?,
            only_admins_send: r.bool("permission")?,
            only_admins_edit: r.bool("permission")?,
            members: Vec::new(),
        };
        let n = r.count("members", MAX_MEMBERS, 6)?;
        for _ in 0..n {
            let account = r.string("member", MAX_ACCOUNT_LEN)?;
            let role = if r.bool("role")? {
                Role::Admin
            } else {
                Role::Member
            };
            if !valid_account(&account) || state.member(&account).is_some() {
                return Err(GroupError::Invalid);
            }
            state.members.push(Member { account, role });
        }
        r.finish()?;
        let admin = state.members.iter().any(|m| m.role == Role::Admin);
        if (!state.members.is_empty() && !admin) || !is_clean_group_name(&state.name) {
            return Err(GroupError::Invalid);
        }
        Ok(state)
    }

    /// The state after `change`, which must come right after this one and be signed by its
    /// author (`author_key`, as this member pinned it) and allowed to it.
    pub fn apply(&self, change: &Change, author_key: &[u8; 32]) -> Result<Self, GroupError> {
        if change.group != self.group {
            return Err(GroupError::WrongGroup);
        }
        if change.epoch <= self.epoch {
            return Err(GroupError::Stale);
        }
        if Some(change.epoch) != self.epoch.checked_add(1) || change.parent != self.head {
            return Err(GroupError::Gap);
        }
        change.verify(author_key)?;
        let author = self.member(&change.author).ok_or(GroupError::NotAllowed)?;
        let admin = author.role == Role::Admin;
        let mut next = self.clone();
        let position =
            |state: &Self, account: &str| state.members.iter().position(|m| m.account == account);
        match &change.op {
            Op::Create { .. } => return Err(GroupError::Invalid),
            Op::Add(account) => {
                if !admin {
                    return Err(GroupError::NotAllowed);
                }
                if !valid_account(account)
                    || next.member(account).is_some()
                    || next.members.len() >= MAX_MEMBERS
                {
                    return Err(GroupError::Invalid);
                }
                next.members.push(Member {
                    account: account.clone(),
                    role: Role::Member,
                });
            }
            Op::Remove(account) => {
                if !admin {
                    return Err(GroupError::NotAllowed);
                }
                let i = position(&next, account).ok_or(GroupError::Invalid)?;
                if *account == change.author {
                    return Err(GroupError::Invalid);
                }
                next.members.remove(i);
            }
            Op::Promote(account) | Op::Demote(account) => {
                if !admin {
                    return Err(GroupError::NotAllowed);
                }
                let promote = matches!(change.op, Op::Promote(_));
                let i = position(&next, account).ok_or(GroupError::Invalid)?;
                let admins = next
                    .members
                    .iter()
                    .filter(|m| m.role == Role::Admin)
                    .count();
                if !promote && next.members[i].role == Role::Admin && admins == 1 {
                    return Err(GroupError::Invalid);
                }
                next.members[i].role = if promote { Role::Admin } else { Role::Member };
            }
            Op::EditInfo { name, description } => {
                if next.only_admins_edit && !admin {
                    return Err(GroupError::NotAllowed);
                }
                if !is_clean_group_name(name) || !is_clean_description(description) {
                    return Err(GroupError::Invalid);
                }
                next.name = name.clone();
                next.description = description.clone();
            }
            Op::Permissions {
                only_admins_send,
                only_admins_edit,
            } => {
                if !admin {
                    return Err(GroupError::NotAllowed);
                }
                next.only_admins_send = *only_admins_send;
                next.only_admins_edit = *only_admins_edit;
            }
            Op::Leave => {
                let i = position(&next, &change.author).ok_or(GroupError::NotAllowed)?;
                next.members.remove(i);
                // A group always has an admin while it has members.
                if !next.members.is_empty() && !next.members.iter().any(|m| m.role == Role::Admin) {
                    next.members[0].role = Role::Admin;
                }
            }
        }
        next.epoch = change.epoch;
        next.head = change.hash();
        Ok(next)
    }
}

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

/// Whether a branch removes or demotes an author of the other.
fn hits(branch: &[&Change], other: &[&Change]) -> bool {
    branch.iter().any(|c| match &c.op {
        Op::Remove(a) | Op::Demote(a) => other.iter().any(|o| o.author == *a),
        _ => false,
    })
}

/// Whether `theirs` replaces `ours` (two branches from the same state): a branch that removes
/// or demotes an author of the other wins, so a removed or demoted member cannot undo that by
/// racing a change of its own; otherwise (both or neither do) the smaller hash of the first
/// change, the same on every member.
fn wins(theirs: &[&Change], ours: &[&Change]) -> bool {
    let (they_hit, we_hit) = (hits(theirs, ours), hits(ours, theirs));
    if they_hit != we_hit {
        return they_hit;
    }
    match (theirs.first(), ours.first()) {
        (Some(t), Some(o)) => t.hash() < o.hash(),
        _ => false,
    }
}

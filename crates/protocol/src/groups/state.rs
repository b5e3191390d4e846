//! The group as its chain of changes made it: members, roles, name and settings.

use super::error::GroupError;
use super::limits::MAX_MEMBERS;
use crate::codec::{Reader, Writer};
use crate::keys::MAX_ACCOUNT_LEN;
use crate::text::{is_clean_group_name, MAX_DESCRIPTION, MAX_GROUP_NAME};

const TYPE_STATE: u8 = 10;

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

impl GroupState {
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

    /// The encoding (for storage).
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(128 + self.members.len() * 16);
        w.signed_header(TYPE_STATE)
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

    /// Decodes stored bytes: sizes and names are checked, a member named twice or a group
    /// without an admin is refused. (A state is never taken from a peer: members rebuild it
    /// from signed changes.)
    pub fn decode(bytes: &[u8]) -> Result<Self, GroupError> {
        let mut r = Reader::new(bytes);
        r.signed_header(TYPE_STATE)?;
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
}

/// Whether `account` can name a member: 1 to [`MAX_ACCOUNT_LEN`] bytes.
pub(super) fn valid_account(account: &str) -> bool {
    !account.is_empty() && account.len() <= MAX_ACCOUNT_LEN
}

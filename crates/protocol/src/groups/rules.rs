//! What each change does to a state, and who may make it: the checks every member runs on
//! every change before applying it.

use super::change::{Change, Op};
use super::error::GroupError;
use super::limits::MAX_MEMBERS;
use super::state::{valid_account, GroupState, Member, Role};
use crate::text::{is_clean_description, is_clean_group_name};

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
        // Only the creator's own creation starts a chain under its group id.
        if !change.creates_its_group() {
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
        match &change.op {
            Op::Create { .. } => return Err(GroupError::Invalid),
            Op::Add(account) => next.add(account, admin)?,
            Op::Remove(account) => next.remove(account, &change.author, admin)?,
            Op::Promote(account) => next.set_role(account, Role::Admin, admin)?,
            Op::Demote(account) => next.set_role(account, Role::Member, admin)?,
            Op::EditInfo { name, description } => next.edit_info(name, description, admin)?,
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
            Op::Leave => next.leave(&change.author)?,
        }
        next.epoch = change.epoch;
        next.head = change.hash();
        Ok(next)
    }

    fn position(&self, account: &str) -> Option<usize> {
        self.members.iter().position(|m| m.account == account)
    }

    /// An admin adds a new member (never one already in, nor past [`MAX_MEMBERS`]).
    fn add(&mut self, account: &str, by_admin: bool) -> Result<(), GroupError> {
        if !by_admin {
            return Err(GroupError::NotAllowed);
        }
        if !valid_account(account)
            || self.member(account).is_some()
            || self.members.len() >= MAX_MEMBERS
        {
            return Err(GroupError::Invalid);
        }
        self.members.push(Member {
            account: account.to_owned(),
            role: Role::Member,
        });
        Ok(())
    }

    /// An admin removes another member (leaving is [`Op::Leave`]).
    fn remove(&mut self, account: &str, author: &str, by_admin: bool) -> Result<(), GroupError> {
        if !by_admin {
            return Err(GroupError::NotAllowed);
        }
        let i = self.position(account).ok_or(GroupError::Invalid)?;
        if account == author {
            return Err(GroupError::Invalid);
        }
        self.members.remove(i);
        Ok(())
    }

    /// An admin promotes or demotes a member; the last admin is never demoted.
    fn set_role(&mut self, account: &str, role: Role, by_admin: bool) -> Result<(), GroupError> {
        if !by_admin {
            return Err(GroupError::NotAllowed);
        }
        let i = self.position(account).ok_or(GroupError::Invalid)?;
        let admins = self
            .members
            .iter()
            .filter(|m| m.role == Role::Admin)
            .count();
        if role == Role::Member && self.members[i].role == Role::Admin && admins == 1 {
            return Err(GroupError::Invalid);
        }
        self.members[i].role = role;
        Ok(())
    }

    /// A new name and description, clean (see [`crate::text`]), by an admin or by anyone unless
    /// only admins may edit.
    fn edit_info(
        &mut self,
        name: &str,
        description: &str,
        by_admin: bool,
    ) -> Result<(), GroupError> {
        if self.only_admins_edit && !by_admin {
            return Err(GroupError::NotAllowed);
        }
        if !is_clean_group_name(name) || !is_clean_description(description) {
            return Err(GroupError::Invalid);
        }
        self.name = name.to_owned();
        self.description = description.to_owned();
        Ok(())
    }

    /// The author leaves; a group always has an admin while it has members, so when the last
    /// admin leaves, the longest-standing member becomes one.
    fn leave(&mut self, author: &str) -> Result<(), GroupError> {
        let i = self.position(author).ok_or(GroupError::NotAllowed)?;
        self.members.remove(i);
        if !self.members.is_empty() && !self.members.iter().any(|m| m.role == Role::Admin) {
            self.members[0].role = Role::Admin;
        }
        Ok(())
    }
}

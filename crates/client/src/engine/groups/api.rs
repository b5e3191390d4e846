//! What the user does to a group: create it, add and remove members, promote and demote,
//! edit the info and permissions, leave. Each change is signed with our account key on the
//! group's current state and submitted to the relay to be ordered (see `order`); once the
//! relay accepted it, it is applied here and sent to every member: the newest changes to
//! those in the group, the whole chain from the creation to a new member, who proves it.

use hush_protocol::groups::{Change, GroupLog, GroupState, Op};
use hush_protocol::{Rng, Username};

use super::{describe, forget_keys, refused, MAX_UPDATE};
use crate::content::Content;
use crate::engine::{Engine, Event, Output};
use crate::error::{EngineError, GroupActionError, InputError};
use crate::model::{ChatId, ChatMessage, GroupRecord, Kind, Notice};
use crate::store::encoding::MAX_PENDING;
use crate::store::{Changes, Store};

impl<S: Store, R: Rng> Engine<S, R> {
    /// Makes a group with us as its admin and `members` in it; returns its chat.
    pub async fn create_group(
        &mut self,
        name: &str,
        description: &str,
        members: &[Username],
        now_ms: u64,
    ) -> Result<(ChatId, Output), EngineError> {
        let account = self.account.as_ref().ok_or(EngineError::NoAccount)?;
        let mut others: Vec<String> = Vec::with_capacity(members.len());
        for member in members {
            if *member != account.name && !others.iter().any(|o| o == member) {
                others.push(member.to_string());
            }
        }
        // The group id is derived from the creation and this salt.
        let mut salt = [0u8; 32];
        self.rng.fill_bytes(&mut salt);
        let op = Op::Create {
            name: name.trim().to_owned(),
            description: description.trim().to_owned(),
            members: others,
        };
        let change = Change::create(&account.name, op, salt, &account.account_key);
        let id = change.group;
        let log = GroupLog::create(change.clone(), &account.account_key.public())
            .map_err(|_| InputError::NewGroup)?;
        let record = GroupRecord {
            log,
            own_key: None,
            shared_with: Vec::new(),
            senders: Vec::new(),
            pending: Vec::new(),
            proposed: Vec::new(),
        };
        let out = self.publish_change(record, None, &change, now_ms).await?;
        Ok((ChatId::Group(id), out))
    }

    /// Adds `member` (admins).
    pub async fn add_member(
        &mut self,
        chat: &ChatId,
        member: &Username,
        now_ms: u64,
    ) -> Result<Output, EngineError> {
        self.change_group(chat, Op::Add(member.to_string()), now_ms)
            .await
    }

    /// Removes `member` (admins); everyone left uses a new sender key from then on.
    pub async fn remove_member(
        &mut self,
        chat: &ChatId,
        member: &Username,
        now_ms: u64,
    ) -> Result<Output, EngineError> {
        self.change_group(chat, Op::Remove(member.to_string()), now_ms)
            .await
    }

    /// Makes `member` an admin, or a member again (admins).
    pub async fn set_admin(
        &mut self,
        chat: &ChatId,
        member: &Username,
        admin: bool,
        now_ms: u64,
    ) -> Result<Output, EngineError> {
        let op = match admin {
            true => Op::Promote(member.to_string()),
            false => Op::Demote(member.to_string()),
        };
        self.change_group(chat, op, now_ms).await
    }

    /// Changes the name and description.
    pub async fn edit_group(
        &mut self,
        chat: &ChatId,
        name: &str,
        description: &str,
        now_ms: u64,
    ) -> Result<Output, EngineError> {
        let op = Op::EditInfo {
            name: name.trim().to_owned(),
            description: description.trim().to_owned(),
        };
        self.change_group(chat, op, now_ms).await
    }

    /// Restricts sending or editing the info to admins (admins).
    pub async fn set_group_permissions(
        &mut self,
        chat: &ChatId,
        only_admins_send: bool,
        only_admins_edit: bool,
        now_ms: u64,
    ) -> Result<Output, EngineError> {
        let op = Op::Permissions {
            only_admins_send,
            only_admins_edit,
        };
        self.change_group(chat, op, now_ms).await
    }

    /// Leaves the group (its chat stays, read-only).
    pub async fn leave_group(&mut self, chat: &ChatId, now_ms: u64) -> Result<Output, EngineError> {
        self.change_group(chat, Op::Leave, now_ms).await
    }

    /// A group's state as this device holds it.
    pub async fn group(&self, chat: &ChatId) -> Result<Option<GroupState>, EngineError> {
        let Some(id) = chat.group() else {
            return Ok(None);
        };
        Ok(self.store.group(&id).await?.map(|r| r.log.state().clone()))
    }

    /// Signs `op` on the group's current state and submits it to the relay (it is applied and
    /// sent to the members once the relay accepted it; see `order`).
    pub(super) async fn change_group(
        &mut self,
        chat: &ChatId,
        op: Op,
        _now_ms: u64,
    ) -> Result<Output, EngineError> {
        let id = chat.group().ok_or(GroupActionError::NotAGroup)?;
        if !self.connection.authenticated {
            return Err(EngineError::NotConnected);
        }
        let record = self
            .store
            .group(&id)
            .await?
            .ok_or(GroupActionError::NotAGroup)?;
        if matches!(op, Op::Add(_)) {
            invitable(&record)?;
        }
        let change = self.sign_change(&record, op)?.map_err(refused)?;
        let mut out = Output::default();
        self.submit_change(record, change, &mut out).await?;
        Ok(out)
    }

    /// `op` signed by us on the group's current state, if it applies there (checked here
    /// first, as every member will).
    pub(super) fn sign_change(
        &self,
        record: &GroupRecord,
        op: Op,
    ) -> Result<Result<Change, hush_protocol::groups::GroupError>, EngineError> {
        let account = self.account.as_ref().ok_or(EngineError::NoAccount)?;
        let change = Change::sign(record.log.state(), &account.name, op, &account.account_key);
        let key = account.account_key.public();
        Ok(record
            .log
            .clone()
            .accept(change.clone(), &key)
            .map(|()| change))
    }

    /// Stores a change of ours (already in `record`) with its chat line, and sends it to
    /// everyone in the group before or after it: those already in it get the newest changes,
    /// a new member the whole chain from the creation (it proves the group from it).
    pub(super) async fn publish_change(
        &mut self,
        mut record: GroupRecord,
        before: Option<&GroupState>,
        change: &Change,
        now_ms: u64,
    ) -> Result<Output, EngineError> {
        let me = self.account_name()?;
        let after = record.log.state().clone();
        let chat = ChatId::Group(after.group);
        let mut changes = Changes::default();
        let line = self.group_line(&chat, describe(change, &me), now_ms, &mut changes);
        let (newest, whole) = updates(&record)?;
        let recipients = self.update_recipients(before, &after, &me);
        for to in &recipients {
            let new = before.is_none_or(|b| b.member(to).is_none());
            let update = if new { whole.clone() } else { newest.clone() };
            let entry = self.entry(to, update);
            changes.outbox.push(entry);
        }
        if after.member(&me).is_none() {
            forget_keys(&mut record);
        }
        changes.groups.push(record);
        self.store.commit(changes).await?;
        let mut out = Output::default();
        out.events.push(Event::Message(line));
        out.events.push(Event::GroupChanged { chat });
        if self.connection.authenticated {
            for to in recipients {
                self.dispatch_direct(&to, &mut out).await?;
            }
        }
        Ok(out)
    }

    /// Every member before or after a change, once each; our own account only if it has
    /// other devices.
    fn update_recipients(
        &self,
        before: Option<&GroupState>,
        after: &GroupState,
        me: &Username,
    ) -> Vec<Username> {
        let mut recipients: Vec<Username> = Vec::new();
        let everyone = before.iter().flat_map(|b| &b.members).chain(&after.members);
        for member in everyone.filter_map(|m| Username::parse(&m.account).ok()) {
            let skip = member == *me && !self.has_other_devices();
            if !skip && !recipients.contains(&member) {
                recipients.push(member);
            }
        }
        recipients
    }

    /// A line in a group chat that says what changed: `line` is its English body and its
    /// notice ([`describe`]).
    pub(super) fn group_line(
        &mut self,
        chat: &ChatId,
        (body, notice): (String, Notice),
        now_ms: u64,
        changes: &mut Changes,
    ) -> ChatMessage {
        let mut line = self.notice(chat, Kind::GroupChange, now_ms, changes);
        line.body = body;
        line.meta.notice = Some(notice);
        if let Some(stored) = changes.messages.iter_mut().find(|m| m.id == line.id) {
            stored.clone_from(&line);
        }
        line
    }
}

/// What a change of ours sends: the newest changes that fit one update (for members, who
/// hold the rest) and the whole chain from the creation (for a new member, who proves the
/// group from it; [`invitable`] checked that it fits before the change was submitted).
fn updates(record: &GroupRecord) -> Result<(Content, Content), EngineError> {
    let update = |changes: &[Change]| Content::GroupUpdate {
        changes: changes.iter().map(Change::encode).collect(),
        state: None,
    };
    let chain = record.log.changes();
    let mut tail = chain.len().saturating_sub(MAX_PENDING);
    let newest = loop {
        let newest = update(&chain[tail..]);
        if newest.encode().len() <= MAX_UPDATE {
            break newest;
        }
        if tail + 1 >= chain.len() {
            return Err(GroupActionError::TooLarge.into());
        }
        tail += 1;
    };
    let whole = update(chain);
    let fits = record.log.from_creation() && whole.encode().len() <= MAX_UPDATE;
    Ok((newest.clone(), if fits { whole } else { newest }))
}

/// Whether a new member could prove the group from what we would send it: our chain starts at
/// the creation (not so for a group kept from the first version) and fits one update with
/// room for one more change.
fn invitable(record: &GroupRecord) -> Result<(), GroupActionError> {
    if !record.log.from_creation() {
        return Err(GroupActionError::DoesNotApply);
    }
    let chain: usize = record
        .log
        .changes()
        .iter()
        .map(|c| c.encode().len() + 4)
        .sum();
    match chain + 2 * hush_protocol::groups::MAX_LATER_CHANGE <= MAX_UPDATE {
        true => Ok(()),
        false => Err(GroupActionError::TooLarge),
    }
}

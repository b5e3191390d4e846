//! Groups: their records and their chats' lines.

use hush_protocol::devices::AccountKey;
use hush_protocol::groups::{Change, GroupLog, Op};
use hush_protocol::sender_key::{OwnSenderKey, SenderKeyRecord};
use hush_protocol::{DeviceAddress, Rng};

use super::{ensure, message, store_error, user, Outcome};
use crate::model::{ChatId, GroupLine, GroupNotice, GroupRecord, Kind, Notice, Status};
use crate::store::{Changes, Store};

/// Two groups of Alice's, the first with our sender key, who has it, and Bob's key.
fn two_groups(rng: &mut impl Rng) -> Result<(GroupRecord, GroupRecord), String> {
    let key = AccountKey::generate(rng);
    let log = |id: u8| {
        let op = Op::Create {
            name: format!("group {id}"),
            description: String::new(),
            members: vec!["bob".into()],
        };
        let change = Change::create("alice", op, [id; 32], &key);
        GroupLog::create(change, &key.public()).map_err(|e| e.to_string())
    };
    let own = OwnSenderKey::generate([1; 16], rng);
    let bob = DeviceAddress::new("bob", 2).map_err(|e| e.to_string())?;
    let mut theirs = SenderKeyRecord::new();
    let distribution = OwnSenderKey::generate([1; 16], rng).distribution(&bob);
    theirs
        .process(&[1; 16], &bob, &distribution)
        .map_err(|e| e.to_string())?;
    let first = GroupRecord {
        log: log(1)?,
        own_key: Some(own.clone()),
        shared_with: vec![bob.clone()],
        senders: vec![(bob.clone(), theirs)],
        pending: Vec::new(),
        proposed: Vec::new(),
    };
    let second = GroupRecord {
        log: log(2)?,
        own_key: None,
        shared_with: Vec::new(),
        senders: Vec::new(),
        pending: Vec::new(),
        proposed: Vec::new(),
    };
    Ok((first, second))
}

/// Groups: kept per id with their keys, replaced whole, listed; a group chat's messages keep
/// their author and receipts, and a replaced message keeps its place.
pub async fn groups(store: &impl Store, rng: &mut impl Rng) -> Outcome {
    let (first, second) = two_groups(rng)?;
    let (one, two) = (first.id(), second.id());
    let own = first.own_key.clone().ok_or("no sender key")?;
    let bob = DeviceAddress::new("bob", 2).map_err(|e| e.to_string())?;
    ensure(
        store.group(&one).await.map_err(store_error)?.is_none(),
        "an unknown group was found",
    )?;
    store
        .commit(Changes {
            groups: vec![first.clone(), second],
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    let back = store.group(&one).await.map_err(store_error)?;
    let back = back.ok_or("a stored group was not found")?;
    ensure(back.log == first.log, "a group's log changed in storage")?;
    ensure(
        back.own_key.map(|k| k.to_bytes()) == Some(own.to_bytes()),
        "our sender key changed in storage",
    )?;
    ensure(
        back.shared_with == vec![bob.clone()],
        "who has our key changed",
    )?;
    ensure(
        back.senders.len() == 1 && back.senders[0].0 == bob,
        "a member's sender key was lost",
    )?;
    let mut replaced = first.clone();
    replaced.own_key = None;
    replaced.shared_with.clear();
    store
        .commit(Changes {
            groups: vec![replaced],
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    let again = store.group(&one).await.map_err(store_error)?;
    ensure(
        again.is_some_and(|g| g.own_key.is_none() && g.shared_with.is_empty()),
        "a group was not replaced whole",
    )?;
    let mut ids: Vec<[u8; 16]> = store
        .groups()
        .await
        .map_err(store_error)?
        .iter()
        .map(GroupRecord::id)
        .collect();
    ids.sort_unstable();
    let mut both = vec![one, two];
    both.sort_unstable();
    ensure(ids == both, "the groups are not all listed")?;
    group_lines(store, one).await
}

/// A group chat's line: the author, then receipts as members confirm; a replaced message
/// keeps its place. A change's line keeps its notice (issue 22).
async fn group_lines(store: &impl Store, id: [u8; 16]) -> Outcome {
    let chat = ChatId::Group(id);
    let mut line = message(9, &chat.to_string(), Status::Sent)?;
    line.group = Some(GroupLine {
        author: user("alice")?,
        receipts: Vec::new(),
    });
    let mut other = message(10, &chat.to_string(), Status::Read)?;
    (other.kind, other.body) = (Kind::GroupChange, "alice made bob an admin".into());
    other.meta.notice = Some(Notice::Group {
        author: "alice".into(),
        change: GroupNotice::Promoted("bob".into()),
    });
    store
        .commit(Changes {
            messages: vec![line.clone(), other.clone()],
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    line.group = Some(GroupLine {
        author: user("alice")?,
        receipts: vec![
            (user("bob")?, Status::Read),
            (user("carol")?, Status::Delivered),
        ],
    });
    store
        .commit(Changes {
            messages: vec![line.clone()],
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    ensure(
        store.message(&line.id).await.map_err(store_error)? == Some(line.clone()),
        "a group message's receipts were not kept",
    )?;
    let page = store.messages(&chat, None, 10).await.map_err(store_error)?;
    ensure(
        page == vec![line, other],
        "a group message lost its place when its receipts changed",
    )
}

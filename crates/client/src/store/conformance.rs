//! The storage contract as checks any [`Store`] must pass: the memory store runs them natively,
//! the IndexedDB store in headless Chromium. Each check takes a fresh, empty store and says
//! what went wrong, if anything.

use std::future::Future;

use hush_protocol::devices::{AccountKey, DeviceList, ListedDevice};
use hush_protocol::keys::{OneTimePreKeyPair, SignedPreKeyPair};
use hush_protocol::record::SessionRecord;
use hush_protocol::wire::PreKeyBundle;
use hush_protocol::{x3dh, DeviceAddress, IdentityKeyPair, Rng};

use super::{Changes, Store, StoreError};
use crate::account::LocalAccount;
use crate::model::{
    group_chat, ChatMessage, GroupLine, GroupRecord, Kind, MessageId, OutboxEntry, PinnedDevices,
    Status,
};

/// What a failed check says.
pub type Outcome = Result<(), String>;

fn ensure(condition: bool, what: &str) -> Outcome {
    if condition {
        Ok(())
    } else {
        Err(what.to_owned())
    }
}

fn store_error(e: StoreError) -> String {
    e.to_string()
}

fn message(id: u8, chat: &str, status: Status) -> ChatMessage {
    ChatMessage {
        id: [id; 16],
        group: None,
        kind: Kind::Text,
        chat: chat.to_owned(),
        from_me: true,
        body: format!("message {id}"),
        sent_ms: u64::from(id),
        status,
    }
}

/// Every check, each on a new empty store from `fresh` (which may have to open a database).
pub async fn run_all<S, F, Opened>(mut fresh: F, rng: &mut impl Rng) -> Outcome
where
    S: Store,
    F: FnMut() -> Opened,
    Opened: Future<Output = Result<S, StoreError>>,
{
    account_and_prekeys(&fresh().await.map_err(store_error)?, rng).await?;
    sessions(&fresh().await.map_err(store_error)?, rng).await?;
    messages_and_statuses(&fresh().await.map_err(store_error)?).await?;
    pages(&fresh().await.map_err(store_error)?).await?;
    verified(&fresh().await.map_err(store_error)?).await?;
    names(&fresh().await.map_err(store_error)?).await?;
    muted(&fresh().await.map_err(store_error)?).await?;
    pinned_devices(&fresh().await.map_err(store_error)?, rng).await?;
    groups(&fresh().await.map_err(store_error)?, rng).await?;
    outbox(&fresh().await.map_err(store_error)?).await
}

/// Groups: kept per id with their keys, replaced whole, listed; a group chat's messages keep
/// their author and receipts, and a replaced message keeps its place.
pub async fn groups(store: &impl Store, rng: &mut impl Rng) -> Outcome {
    use hush_protocol::groups::{Change, GroupLog, Op};
    use hush_protocol::sender_key::{OwnSenderKey, SenderKeyRecord};
    let key = AccountKey::generate(rng);
    let log = |id: u8| {
        let op = Op::Create {
            name: format!("group {id}"),
            description: String::new(),
            members: vec!["bob".into()],
        };
        let change = Change::sign(None, [id; 16], "alice", op, &key);
        GroupLog::create(change, &key.public()).map_err(|e| e.to_string())
    };
    let own = OwnSenderKey::generate([1; 16], rng);
    let mut theirs = SenderKeyRecord::new();
    theirs.process(&OwnSenderKey::generate([1; 16], rng).distribution());
    let bob = DeviceAddress::new("bob", 2).map_err(|e| e.to_string())?;
    let first = GroupRecord {
        log: log(1)?,
        own_key: Some(own.clone()),
        shared_with: vec![bob.clone()],
        senders: vec![(bob.clone(), theirs)],
        pending: Vec::new(),
    };
    let second = GroupRecord {
        log: log(2)?,
        own_key: None,
        shared_with: Vec::new(),
        senders: Vec::new(),
        pending: Vec::new(),
    };
    ensure(
        store.group(&[1; 16]).await.map_err(store_error)?.is_none(),
        "an unknown group was found",
    )?;
    store
        .commit(Changes {
            groups: vec![first.clone(), second],
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    let back = store.group(&[1; 16]).await.map_err(store_error)?;
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
    let again = store.group(&[1; 16]).await.map_err(store_error)?;
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
    ensure(
        ids == vec![[1; 16], [2; 16]],
        "the groups are not all listed",
    )?;

    // A group chat's line: the author, then receipts as members confirm.
    let chat = group_chat(&[1; 16]);
    let mut line = message(9, &chat, Status::Sent);
    line.group = Some(GroupLine {
        author: "alice".into(),
        receipts: Vec::new(),
    });
    let other = message(10, &chat, Status::Sent);
    store
        .commit(Changes {
            messages: vec![line.clone(), other.clone()],
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    line.group = Some(GroupLine {
        author: "alice".into(),
        receipts: vec![
            ("bob".into(), Status::Read),
            ("carol".into(), Status::Delivered),
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

/// Contacts' pinned account keys and device lists: kept per account, the latest one holding.
pub async fn pinned_devices(store: &impl Store, rng: &mut impl Rng) -> Outcome {
    let key = AccountKey::generate(rng);
    let mut device = |id| {
        let identity = IdentityKeyPair::generate(rng).public();
        ListedDevice::certify("bob", id, identity, "Chrome on Linux", 0, &key)
    };
    let (one, two) = (
        device(1).map_err(|e| e.to_string())?,
        device(2).map_err(|e| e.to_string())?,
    );
    let first = DeviceList::sign("bob", 1, vec![one.clone()], &key).map_err(|e| e.to_string())?;
    let second = DeviceList::sign("bob", 2, vec![one, two], &key).map_err(|e| e.to_string())?;
    let pinned = |list: &DeviceList| PinnedDevices {
        account_key: key.public(),
        list: list.clone(),
    };
    ensure(
        store
            .pinned_devices("bob")
            .await
            .map_err(store_error)?
            .is_none(),
        "a fresh store has pinned no devices",
    )?;
    for list in [&first, &second] {
        store
            .commit(Changes {
                pinned_devices: vec![pinned(list)],
                ..Changes::default()
            })
            .await
            .map_err(store_error)?;
    }
    ensure(
        store.pinned_devices("bob").await.map_err(store_error)? == Some(pinned(&second)),
        "the newest pinned list is kept whole",
    )?;
    ensure(
        store
            .pinned_devices("carol")
            .await
            .map_err(store_error)?
            .is_none(),
        "pinned lists are per account",
    )
}

/// Contacts' display names: kept per account, the latest one holding.
pub async fn names(store: &impl Store) -> Outcome {
    ensure(
        store.names().await.map_err(store_error)?.is_empty(),
        "a fresh store knows no names",
    )?;
    let named = |pairs: &[(&str, &str)]| Changes {
        names: pairs
            .iter()
            .map(|(a, n)| ((*a).to_owned(), (*n).to_owned()))
            .collect(),
        ..Changes::default()
    };
    store
        .commit(named(&[("carol", "Carol C."), ("bob", "Bob")]))
        .await
        .map_err(store_error)?;
    store
        .commit(named(&[("bob", "Bobby B.")]))
        .await
        .map_err(store_error)?;
    let names = store.names().await.map_err(store_error)?;
    ensure(
        names
            == [
                ("bob".to_owned(), "Bobby B.".to_owned()),
                ("carol".to_owned(), "Carol C.".to_owned()),
            ],
        "names are listed by account, the latest kept",
    )
}

/// Muted chats: listed sorted, the last change for a chat holding, unmuting removes.
pub async fn muted(store: &impl Store) -> Outcome {
    ensure(
        store.muted().await.map_err(store_error)?.is_empty(),
        "a fresh store has no muted chat",
    )?;
    let change = |pairs: &[(&str, bool)]| Changes {
        muted: pairs.iter().map(|(c, m)| ((*c).to_owned(), *m)).collect(),
        ..Changes::default()
    };
    store
        .commit(change(&[("dave", true), ("bob", true), ("carol", true)]))
        .await
        .map_err(store_error)?;
    store
        .commit(change(&[("carol", false), ("erin", true), ("erin", false)]))
        .await
        .map_err(store_error)?;
    ensure(
        store.muted().await.map_err(store_error)? == ["bob".to_owned(), "dave".to_owned()],
        "muted chats are listed sorted, unmuted ones gone",
    )
}

/// Verified keys are kept per contact until cleared.
pub async fn verified(store: &impl Store) -> Outcome {
    ensure(
        store.verified("bob").await.map_err(store_error)?.is_none(),
        "nobody is verified in a fresh store",
    )?;
    let set = |account: &str, key: Option<[u8; 64]>| Changes {
        verified: vec![(account.to_owned(), key)],
        ..Changes::default()
    };
    store
        .commit(set("bob", Some([7; 64])))
        .await
        .map_err(store_error)?;
    store
        .commit(set("carol", Some([8; 64])))
        .await
        .map_err(store_error)?;
    ensure(
        store.verified("bob").await.map_err(store_error)? == Some([7; 64]),
        "a verified key comes back",
    )?;
    store.commit(set("bob", None)).await.map_err(store_error)?;
    ensure(
        store.verified("bob").await.map_err(store_error)?.is_none()
            && store.verified("carol").await.map_err(store_error)? == Some([8; 64]),
        "clearing one contact's key leaves the others",
    )
}

/// The account and one-time prekeys come back as written; used prekeys are gone.
pub async fn account_and_prekeys(store: &impl Store, rng: &mut impl Rng) -> Outcome {
    ensure(
        store.account().await.map_err(store_error)?.is_none(),
        "a fresh store has no account",
    )?;
    let mut account = LocalAccount::generate("alice", "Firefox on Linux", rng);
    let prekeys = account.new_prekeys(rng);
    let ids: Vec<u32> = prekeys.iter().map(OneTimePreKeyPair::id).collect();
    let first_public = prekeys.first().map(OneTimePreKeyPair::public);
    store
        .commit(Changes {
            account: Some(account.clone()),
            new_prekeys: prekeys,
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    let stored = store.account().await.map_err(store_error)?;
    let stored = stored.ok_or("the account was not stored")?;
    ensure(
        stored.name == account.name
            && stored.identity.public() == account.identity.public()
            && stored.account_key.public() == account.account_key.public()
            && stored.signed_prekey.public() == account.signed_prekey.public()
            && stored.next_prekey_id == account.next_prekey_id,
        "the account came back different",
    )?;
    let first = ids.first().copied().ok_or("no prekeys were made")?;
    let prekey = store.prekey(first).await.map_err(store_error)?;
    ensure(
        prekey.map(|k| k.public()) == first_public,
        "a prekey came back different",
    )?;
    store
        .commit(Changes {
            used_prekeys: vec![first],
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    ensure(
        store.prekey(first).await.map_err(store_error)?.is_none(),
        "a used prekey is still there",
    )?;
    ensure(
        store.prekey(ids[1]).await.map_err(store_error)?.is_some(),
        "an unused prekey went missing",
    )
}

/// A record holding one real session (Alice's side of X3DH with a made-up Bob).
fn some_record(rng: &mut impl Rng) -> Result<SessionRecord, String> {
    let alice = IdentityKeyPair::generate(rng);
    let bob = IdentityKeyPair::generate(rng);
    let bundle = PreKeyBundle {
        identity: bob.public(),
        address: DeviceAddress::new("bob", 1).map_err(|e| e.to_string())?,
        signed_prekey: SignedPreKeyPair::generate(1, &bob, rng).public(),
        one_time_prekey: None,
    };
    let from = DeviceAddress::new("alice", 1).map_err(|e| e.to_string())?;
    let session = x3dh::initiate(&alice, &from, &bundle, rng).map_err(|e| e.to_string())?;
    let mut record = SessionRecord::new();
    record.promote(session);
    Ok(record)
}

/// Sessions are kept per device and listed per account.
pub async fn sessions(store: &impl Store, rng: &mut impl Rng) -> Outcome {
    let bob1 = DeviceAddress::new("bob", 1).map_err(|e| e.to_string())?;
    let bob2 = DeviceAddress::new("bob", 2).map_err(|e| e.to_string())?;
    let carol = DeviceAddress::new("carol", 1).map_err(|e| e.to_string())?;
    ensure(
        store.session(&bob1).await.map_err(store_error)?.is_none(),
        "a fresh store has no session",
    )?;
    let record = some_record(rng)?;
    store
        .commit(Changes {
            sessions: vec![
                (bob1.clone(), record.clone()),
                (bob2.clone(), SessionRecord::new()),
                (carol, record.clone()),
            ],
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    let back = store.session(&bob1).await.map_err(store_error)?;
    ensure(
        back.map(|r| r.to_bytes()) == Some(record.to_bytes()),
        "a session came back different",
    )?;
    let bobs = store.sessions_with("bob").await.map_err(store_error)?;
    let devices: Vec<u32> = bobs.iter().map(|(a, _)| a.device()).collect();
    ensure(
        devices == [1, 2],
        "sessions_with lists each device of that account once",
    )?;
    // Read once, then changed: what is read next is what was committed last (a store that
    // keeps sessions in memory must follow its own commits).
    let newer = some_record(rng)?;
    let bob3 = DeviceAddress::new("bob", 3).map_err(|e| e.to_string())?;
    store
        .commit(Changes {
            sessions: vec![(bob3, record.clone()), (bob1.clone(), newer.clone())],
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    let back = store.session(&bob1).await.map_err(store_error)?;
    ensure(
        back.map(|r| r.to_bytes()) == Some(newer.to_bytes()),
        "a session committed again did not replace the old one",
    )?;
    let bobs = store.sessions_with("bob").await.map_err(store_error)?;
    let devices: Vec<u32> = bobs.iter().map(|(a, _)| a.device()).collect();
    ensure(
        devices == [1, 2, 3] && bobs[0].1.to_bytes() == newer.to_bytes(),
        "sessions_with does not follow the sessions committed since it was last read",
    )
}

/// Messages list per chat, oldest first, newest `limit`; statuses never move back.
pub async fn messages_and_statuses(store: &impl Store) -> Outcome {
    let written = vec![
        message(1, "bob", Status::Sending),
        message(2, "carol", Status::Sending),
        message(3, "bob", Status::Sending),
        message(4, "bob", Status::Sending),
    ];
    store
        .commit(Changes {
            messages: written,
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    let ids = |list: Vec<ChatMessage>| list.iter().map(|m| m.id[0]).collect::<Vec<u8>>();
    ensure(
        ids(store.messages("bob", None, 10).await.map_err(store_error)?) == [1, 3, 4],
        "a chat lists its messages oldest first",
    )?;
    ensure(
        ids(store.messages("bob", None, 2).await.map_err(store_error)?) == [3, 4],
        "a limit keeps the newest",
    )?;
    ensure(
        ids(store
            .messages("bob", Some(&[4; 16]), 10)
            .await
            .map_err(store_error)?)
            == [1, 3],
        "a page before a message holds what arrived before it",
    )?;
    ensure(
        ids(store
            .messages("bob", Some(&[4; 16]), 1)
            .await
            .map_err(store_error)?)
            == [3],
        "a page before a message keeps the newest of them",
    )?;
    ensure(
        store
            .messages("bob", Some(&[2; 16]), 10)
            .await
            .map_err(store_error)?
            .is_empty(),
        "a page before another chat's message is empty",
    )?;
    let set = |id: u8, status| Changes {
        statuses: vec![([id; 16], status)],
        ..Changes::default()
    };
    for status in [Status::Delivered, Status::Sent, Status::Failed] {
        store.commit(set(1, status)).await.map_err(store_error)?;
    }
    let status_of = |id: MessageId| async move {
        store
            .message(&id)
            .await
            .map_err(store_error)?
            .map(|m| m.status)
            .ok_or_else(|| "a message went missing".to_owned())
    };
    ensure(
        status_of([1; 16]).await? == Status::Delivered,
        "a status never moves back",
    )?;
    store
        .commit(set(3, Status::Failed))
        .await
        .map_err(store_error)?;
    store
        .commit(set(3, Status::Sending))
        .await
        .map_err(store_error)?;
    ensure(
        status_of([3; 16]).await? == Status::Sending,
        "a failed message can be retried",
    )?;
    // A received message is only inserted where no message has its id.
    let mut repeat = message(1, "bob", Status::Delivered);
    repeat.body = "a repeat".into();
    store
        .commit(Changes {
            received: vec![repeat, message(9, "bob", Status::Delivered)],
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    let kept = store.message(&[1; 16]).await.map_err(store_error)?;
    ensure(
        kept.is_some_and(|m| m.body == "message 1" && m.status == Status::Delivered),
        "a received repeat leaves the stored message alone",
    )?;
    ensure(
        ids(store.messages("bob", None, 10).await.map_err(store_error)?) == [1, 3, 4, 9],
        "a received message goes to the end of its chat",
    )?;
    // Replacing a message keeps its place in the chat.
    store
        .commit(Changes {
            messages: vec![message(1, "bob", Status::Read)],
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    ensure(
        ids(store.messages("bob", None, 10).await.map_err(store_error)?) == [1, 3, 4, 9],
        "a replaced message keeps its place",
    )?;
    // The chat list: most recently active first, with the newest message and unread count.
    let mut incoming = message(5, "carol", Status::Delivered);
    incoming.from_me = false;
    store
        .commit(Changes {
            messages: vec![incoming],
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    let summary = || async {
        let chats = store.chats().await.map_err(store_error)?;
        Ok::<_, String>(
            chats
                .iter()
                .map(|c| (c.chat.clone(), c.last.id[0], c.unread))
                .collect::<Vec<_>>(),
        )
    };
    ensure(
        summary().await? == [("carol".into(), 5, 1), ("bob".into(), 9, 0)],
        "the chat list is newest first with last message and unread count",
    )?;
    ensure(
        store.unread("carol").await.map_err(store_error)? == [[5; 16]],
        "a received text not read yet is unread",
    )?;
    store
        .commit(set(5, Status::Read))
        .await
        .map_err(store_error)?;
    ensure(
        store.unread("carol").await.map_err(store_error)?.is_empty(),
        "a text read is no longer unread",
    )?;
    ensure(
        summary().await? == [("carol".into(), 5, 0), ("bob".into(), 9, 0)],
        "reading a chat clears its unread count and keeps its place",
    )?;
    // A status change is not activity: the chat list keeps its order.
    store
        .commit(set(9, Status::Read))
        .await
        .map_err(store_error)?;
    ensure(
        summary().await?.first().is_some_and(|c| c.0 == "carol"),
        "a status change does not move a chat up",
    )
}

/// A long chat read page by page from the newest back: every message once, in order.
pub async fn pages(store: &impl Store) -> Outcome {
    let chat: Vec<ChatMessage> = (1..=25).map(|i| message(i, "bob", Status::Sent)).collect();
    // Another chat's messages interleaved, which pages must skip.
    for (i, m) in chat.iter().enumerate() {
        let mut other = vec![m.clone()];
        if i % 3 == 0 {
            other.push(message(100 + i as u8, "carol", Status::Sent));
        }
        store
            .commit(Changes {
                messages: other,
                ..Changes::default()
            })
            .await
            .map_err(store_error)?;
    }
    let mut seen: Vec<u8> = Vec::new();
    let mut before: Option<MessageId> = None;
    for _ in 0..10 {
        let page = store
            .messages("bob", before.as_ref(), 10)
            .await
            .map_err(store_error)?;
        let Some(first) = page.first() else { break };
        before = Some(first.id);
        let mut ids: Vec<u8> = page.iter().map(|m| m.id[0]).collect();
        ids.append(&mut seen);
        seen = ids;
    }
    ensure(
        seen == (1..=25).collect::<Vec<u8>>(),
        "paging back from the newest lists every message once, in order",
    )
}

/// The outbox keeps entries in order until they are done.
pub async fn outbox(store: &impl Store) -> Outcome {
    let entry = |id: u8| OutboxEntry {
        id: [id; 16],
        to: "bob".into(),
        content: vec![id],
        attempts: 0,
    };
    store
        .commit(Changes {
            outbox: vec![entry(2), entry(1), entry(3)],
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    let mut retried = entry(2);
    retried.attempts = 1;
    store
        .commit(Changes {
            outbox: vec![retried.clone()],
            outbox_done: vec![[1; 16]],
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    ensure(
        store.outbox().await.map_err(store_error)? == vec![retried.clone(), entry(3)],
        "the outbox keeps order, updates in place and drops what is done",
    )?;
    ensure(
        store.outbox_entry(&[2; 16]).await.map_err(store_error)? == Some(retried)
            && store
                .outbox_entry(&[1; 16])
                .await
                .map_err(store_error)?
                .is_none(),
        "one outbox entry reads as stored, and not once it is done",
    )
}

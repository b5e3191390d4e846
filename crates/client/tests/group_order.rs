//! Group membership against a malicious member, over the real relay on loopback: members apply
//! changes only in the relay's order and never take a state a sender made up, so a removed
//! member stays removed, everyone ends in the same state, and a group we left is re-entered
//! only through an admin of the real group.
// clippy.toml's allow-*-in-tests does not reach the helpers outside #[test] functions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use hush_client::{ChatId, Event, Kind, Output, Store};
use hush_protocol::devices::AccountKey;
use hush_protocol::groups::{Change, GroupState, Member, Op, Role};
use hush_protocol::relay::ClientFrame;
use support::*;

/// Runs every device until two passes in a row hear nothing new and leave no outbox entry.
async fn quiet(devices: &mut [&mut Device]) {
    let mut calm = 0;
    for _ in 0..40 {
        let mut busy = false;
        for device in devices.iter_mut() {
            let heard = device.events.len();
            let idle = device
                .pump_until(|_| false, Duration::from_millis(40))
                .await;
            assert!(idle.is_none());
            busy |= device.events.len() != heard;
            busy |= !device.store.outbox().await.unwrap().is_empty();
        }
        calm = if busy { 0 } else { calm + 1 };
        if calm == 2 {
            return;
        }
    }
    panic!("devices did not go quiet");
}

/// Waits until the relay answered everything each device asked (it answers a connection's
/// requests in order), so a refusal is not a request still in flight.
async fn settle(devices: &mut [&mut Device]) {
    for device in devices.iter_mut() {
        device.settle().await;
    }
}

async fn state(device: &Device, chat: &ChatId) -> GroupState {
    device.engine.group(chat).await.unwrap().unwrap()
}

fn key(device: &Device) -> AccountKey {
    device.engine.account().unwrap().account_key.clone()
}

/// `op` by `author` on `on`, signed with `key`.
fn sign(on: &GroupState, author: &str, op: Op, key: &AccountKey) -> Change {
    Change::sign(on, author, op, key)
}

/// An edit by `author` on `on` whose hash is ground below `below` (what let an author win a
/// fork before the relay ordered changes).
fn ground_edit(on: &GroupState, author: &str, key: &AccountKey, below: [u8; 32]) -> Change {
    (0u32..)
        .map(|n| {
            let op = Op::EditInfo {
                name: "Ours now".into(),
                description: format!("{n}"),
            };
            sign(on, author, op, key)
        })
        .find(|c| c.hash() < below)
        .unwrap()
}

/// `from` sends `changes` (and `state`) straight to each of `to`, without the relay's order.
async fn send_raw(from: &mut Device, to: &[&str], changes: &[Change], state: Option<Vec<u8>>) {
    for name in to {
        let out = (from.engine)
            .send_raw_group_update(
                &user(name),
                changes.iter().map(Change::encode).collect(),
                state.clone(),
            )
            .await
            .unwrap();
        from.output(out).await;
    }
}

async fn act(device: &mut Device, out: Result<Output, hush_client::error::EngineError>) {
    device.output(out.unwrap()).await;
}

async fn group_of_four(relay: &Relay, seed: u64) -> (Device, Device, Device, Device, ChatId) {
    let mut alice = Device::register(relay, "alice", seed).await;
    let mut bob = Device::register(relay, "bob", seed + 1).await;
    let mut carol = Device::register(relay, "carol", seed + 2).await;
    let mut mallory = Device::register(relay, "mallory", seed + 3).await;
    let members = [user("bob"), user("carol"), user("mallory")];
    let (chat, out) = (alice.engine)
        .create_group("Climbing", "", &members, now())
        .await
        .unwrap();
    alice.output(out).await;
    quiet(&mut [&mut alice, &mut bob, &mut carol, &mut mallory]).await;
    (alice, bob, carol, mallory, chat)
}

#[tokio::test]
async fn a_removed_admin_cannot_undo_its_removal() {
    let relay = relay().await;
    let (mut alice, mut bob, mut carol, mut mallory, chat) = group_of_four(&relay, 51).await;
    let out = alice
        .engine
        .set_admin(&chat, &user("mallory"), true, now())
        .await;
    act(&mut alice, out).await;
    quiet(&mut [&mut alice, &mut bob, &mut carol, &mut mallory]).await;
    let before = state(&mallory, &chat).await;
    assert!(before.is_admin("mallory"));
    let out = alice
        .engine
        .remove_member(&chat, &user("mallory"), now())
        .await;
    act(&mut alice, out).await;
    quiet(&mut [&mut alice, &mut bob, &mut carol, &mut mallory]).await;
    let removal = state(&bob, &chat).await.head;

    // Mallory signs [EditInfo(ground), Remove(alice)] on the state before its removal, asks
    // the relay to order the first (it holds Alice's removal for that epoch) and sends both
    // to every member anyway.
    let key = key(&mallory);
    let ground = ground_edit(&before, "mallory", &key, removal);
    let after = before.apply(&ground, &key.public()).unwrap();
    let hit = sign(&after, "mallory", Op::Remove("alice".into()), &key);
    let commit = ClientFrame::GroupCommit {
        group: ground.group,
        epoch: ground.epoch,
        hash: ground.hash(),
    };
    let out = Output {
        frames: vec![commit],
        events: Vec::new(),
    };
    mallory.output(out).await;
    send_raw(
        &mut mallory,
        &["alice", "bob", "carol"],
        &[ground, hit],
        None,
    )
    .await;
    quiet(&mut [&mut alice, &mut bob, &mut carol, &mut mallory]).await;
    settle(&mut [&mut alice, &mut bob, &mut carol]).await;

    let held = state(&alice, &chat).await;
    for device in [&bob, &carol] {
        assert_eq!(state(device, &chat).await, held);
    }
    assert!(held.member("mallory").is_none(), "{:?}", held.members);
    assert!(held.is_admin("alice"));
    assert_eq!(held.name, "Climbing");
}

#[tokio::test]
async fn a_member_who_may_edit_cannot_undo_an_admins_removal_of_a_colluder() {
    let relay = relay().await;
    let (mut alice, mut bob, mut carol, mut mallory, chat) = group_of_four(&relay, 61).await;
    let before = state(&bob, &chat).await;
    let out = alice
        .engine
        .remove_member(&chat, &user("mallory"), now())
        .await;
    act(&mut alice, out).await;
    quiet(&mut [&mut alice, &mut bob, &mut carol, &mut mallory]).await;
    let removal = state(&carol, &chat).await.head;
    // Bob, a plain member allowed to edit the info, grinds an edit on the state before.
    let ground = ground_edit(&before, "bob", &key(&bob), removal);
    send_raw(&mut bob, &["alice", "carol"], &[ground], None).await;
    quiet(&mut [&mut alice, &mut bob, &mut carol, &mut mallory]).await;
    settle(&mut [&mut alice, &mut carol]).await;
    let held = state(&alice, &chat).await;
    assert_eq!(state(&carol, &chat).await, held);
    assert!(held.member("mallory").is_none(), "{:?}", held.members);
    assert_eq!(held.name, "Climbing");
}

#[tokio::test]
async fn two_admins_at_once_and_a_late_member_end_in_one_state() {
    let relay = relay().await;
    let (mut alice, mut bob, mut carol, mut mallory, chat) = group_of_four(&relay, 71).await;
    let out = alice
        .engine
        .set_admin(&chat, &user("bob"), true, now())
        .await;
    act(&mut alice, out).await;
    quiet(&mut [&mut alice, &mut bob, &mut carol, &mut mallory]).await;
    // Alice and Bob change the group on the same state; Carol hears nothing meanwhile.
    for round in 0..3 {
        let a = alice
            .engine
            .edit_group(&chat, &format!("A{round}"), "", now())
            .await;
        let b = (bob.engine)
            .set_group_permissions(&chat, round % 2 == 0, false, now())
            .await;
        act(&mut alice, a).await;
        act(&mut bob, b).await;
        quiet(&mut [&mut alice, &mut bob, &mut mallory]).await;
    }
    quiet(&mut [&mut alice, &mut bob, &mut carol, &mut mallory]).await;
    let held = state(&alice, &chat).await;
    for device in [&bob, &carol, &mallory] {
        assert_eq!(state(device, &chat).await, held);
    }
    assert_eq!(held.name, "A2");
    assert!(held.only_admins_send);
}

#[tokio::test]
async fn a_catch_up_state_made_up_by_an_admin_is_refused() {
    let relay = relay().await;
    let (mut alice, mut bob, mut carol, mut mallory, chat) = group_of_four(&relay, 81).await;
    let before = state(&bob, &chat).await;
    // Alice (an admin) sends a change that does not apply (epoch = head + 5) with a state of
    // her making: Eve in, Carol out.
    let mut far = before.clone();
    far.epoch += 4;
    let change = sign(&far, "alice", Op::Add("eve".into()), &key(&alice));
    let mut made_up = before.clone();
    made_up.epoch = change.epoch;
    made_up.head = change.hash();
    made_up.members.retain(|m| m.account != "carol");
    made_up.members.push(Member {
        account: "eve".into(),
        role: Role::Member,
    });
    send_raw(&mut alice, &["bob"], &[change], Some(made_up.encode())).await;
    quiet(&mut [&mut alice, &mut bob, &mut carol, &mut mallory]).await;
    settle(&mut [&mut bob]).await;
    assert_eq!(state(&bob, &chat).await, before);
}

#[tokio::test]
async fn a_group_we_left_is_re_entered_only_through_its_admin() {
    let relay = relay().await;
    let (mut alice, mut bob, mut carol, mut mallory, chat) = group_of_four(&relay, 91).await;
    let out = bob.engine.leave_group(&chat, now()).await;
    act(&mut bob, out).await;
    quiet(&mut [&mut alice, &mut bob, &mut carol, &mut mallory]).await;
    let left = state(&bob, &chat).await;
    assert!(left.member("bob").is_none());

    // Mallory, no admin, "re-invites" Bob into a copy of the group where she is admin.
    let mut counterfeit = left.clone();
    for member in &mut counterfeit.members {
        member.role = if member.account == "mallory" {
            Role::Admin
        } else {
            Role::Member
        };
    }
    let add = sign(
        &counterfeit,
        "mallory",
        Op::Add("bob".into()),
        &key(&mallory),
    );
    let mut after = counterfeit.clone();
    after.epoch = add.epoch;
    after.head = add.hash();
    after.members.push(Member {
        account: "bob".into(),
        role: Role::Member,
    });
    send_raw(&mut mallory, &["bob"], &[add], Some(after.encode())).await;
    quiet(&mut [&mut alice, &mut bob, &mut carol, &mut mallory]).await;
    settle(&mut [&mut bob]).await;
    assert_eq!(
        state(&bob, &chat).await,
        left,
        "a counterfeit invitation was taken"
    );

    // Alice, the real admin, adds Bob again: he is back and reads what follows.
    let out = alice.engine.add_member(&chat, &user("bob"), now()).await;
    act(&mut alice, out).await;
    quiet(&mut [&mut alice, &mut bob, &mut carol, &mut mallory]).await;
    let back = state(&bob, &chat).await;
    assert!(back.member("bob").is_some());
    assert_eq!(back, state(&alice, &chat).await);
    let (_, out) = alice
        .engine
        .send_text(&chat, "welcome back", now())
        .await
        .unwrap();
    alice.output(out).await;
    quiet(&mut [&mut alice, &mut bob, &mut carol, &mut mallory]).await;
    bob.expect(|e| matches!(e, Event::Message(m) if m.chat == chat && m.body == "welcome back" && m.kind == Kind::Text))
        .await;
}

#[tokio::test]
async fn a_new_member_proves_a_long_chain_from_the_creation() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 101).await;
    let mut bob = Device::register(&relay, "bob", 102).await;
    let mut carol = Device::register(&relay, "carol", 103).await;
    let (chat, out) = (alice.engine)
        .create_group("Climbing", "", &[user("bob")], now())
        .await
        .unwrap();
    alice.output(out).await;
    // More changes than one update carried before (8).
    for n in 0..12 {
        let out = alice
            .engine
            .edit_group(&chat, &format!("Climbing {n}"), "", now())
            .await;
        act(&mut alice, out).await;
        alice
            .expect(|e| matches!(e, Event::Message(m) if m.body.ends_with(&format!("Climbing {n}\u{201d}"))))
            .await;
    }
    let out = alice.engine.add_member(&chat, &user("carol"), now()).await;
    act(&mut alice, out).await;
    quiet(&mut [&mut alice, &mut bob, &mut carol]).await;
    let held = state(&alice, &chat).await;
    assert_eq!(held.epoch, 14);
    assert_eq!(state(&bob, &chat).await, held);
    assert_eq!(state(&carol, &chat).await, held);
    // Carol's chat starts at her invitation, not with the history before it.
    let lines: Vec<&str> = (carol.events.iter())
        .filter_map(|e| match e {
            Event::Message(m) if m.kind == Kind::GroupChange => Some(m.body.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(lines, ["alice added you"]);
    // The same as data (issue 22): Carol's app words it ("you") from the usernames.
    let notices: Vec<_> = (carol.events.iter())
        .filter_map(|e| match e {
            Event::Message(m) if m.kind == Kind::GroupChange => m.meta.notice.clone(),
            _ => None,
        })
        .collect();
    let added = hush_client::model::Notice::Group {
        author: "alice".into(),
        change: hush_client::model::GroupNotice::Added("carol".into()),
    };
    assert_eq!(notices, [added]);
}

#[tokio::test]
async fn an_invitation_carrying_a_change_the_relay_did_not_order_is_refused() {
    let relay = relay().await;
    let (mut alice, mut bob, mut carol, mut mallory, chat) = group_of_four(&relay, 111).await;
    let mut dave = Device::register(&relay, "dave", 115).await;
    let out = alice
        .engine
        .set_admin(&chat, &user("mallory"), true, now())
        .await;
    act(&mut alice, out).await;
    quiet(&mut [&mut alice, &mut bob, &mut carol, &mut mallory]).await;
    // Mallory, an admin, has the relay order her adding Dave, then appends a change of hers
    // that nobody submitted (removing Alice) to the chain she sends him.
    let id = chat.group().unwrap();
    let mut chain = mallory
        .store
        .group(&id)
        .await
        .unwrap()
        .unwrap()
        .log
        .changes()
        .to_vec();
    let head = state(&mallory, &chat).await;
    let key = key(&mallory);
    let add = sign(&head, "mallory", Op::Add("dave".into()), &key);
    let commit = ClientFrame::GroupCommit {
        group: id,
        epoch: add.epoch,
        hash: add.hash(),
    };
    let out = Output {
        frames: vec![commit],
        events: Vec::new(),
    };
    mallory.output(out).await;
    let added = head.apply(&add, &key.public()).unwrap();
    let unordered = sign(&added, "mallory", Op::Remove("alice".into()), &key);
    chain.push(add);
    send_raw(
        &mut mallory,
        &["dave"],
        &[chain.clone(), vec![unordered]].concat(),
        None,
    )
    .await;
    quiet(&mut [&mut mallory, &mut dave]).await;
    settle(&mut [&mut dave]).await;
    assert!(dave.engine.group(&chat).await.unwrap().is_none());
    // The chain as the relay ordered it is taken.
    send_raw(&mut mallory, &["dave"], &chain, None).await;
    quiet(&mut [&mut mallory, &mut dave]).await;
    assert_eq!(state(&dave, &chat).await, added);
}

#[tokio::test]
async fn a_change_the_relay_accepted_reaches_the_members_after_its_author_restarts() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 121).await;
    let mut bob = Device::register(&relay, "bob", 122).await;
    let (chat, out) = (alice.engine)
        .create_group("Climbing", "", &[user("bob")], now())
        .await
        .unwrap();
    alice.output(out).await;
    quiet(&mut [&mut alice, &mut bob]).await;
    // Alice submits a change and closes before the relay's answer reaches her.
    let out = alice
        .engine
        .edit_group(&chat, "Bouldering", "", now())
        .await;
    act(&mut alice, out).await;
    let store = alice.store.clone();
    drop(alice);
    let mut alice = Device::open(&relay, store, 123).await;
    alice.expect(|e| matches!(e, Event::Authenticated)).await;
    quiet(&mut [&mut alice, &mut bob]).await;
    assert_eq!(state(&alice, &chat).await.name, "Bouldering");
    assert_eq!(state(&bob, &chat).await, state(&alice, &chat).await);
}

#[tokio::test]
async fn a_message_right_after_an_add_reaches_the_new_member() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 131).await;
    let mut bob = Device::register(&relay, "bob", 132).await;
    let mut dave = Device::register(&relay, "dave", 133).await;
    let (chat, out) = (alice.engine)
        .create_group("Climbing", "", &[user("bob")], now())
        .await
        .unwrap();
    alice.output(out).await;
    quiet(&mut [&mut alice, &mut bob]).await;
    let out = alice.engine.add_member(&chat, &user("dave"), now()).await;
    act(&mut alice, out).await;
    // Alice speaks as soon as the relay accepted the add; Dave is offline meanwhile.
    alice
        .expect(|e| matches!(e, Event::GroupChanged { .. }))
        .await;
    let (_, out) = alice
        .engine
        .send_text(&chat, "welcome, dave", now())
        .await
        .unwrap();
    alice.output(out).await;
    quiet(&mut [&mut alice, &mut bob]).await;
    quiet(&mut [&mut alice, &mut bob, &mut dave]).await;
    dave.expect(|e| matches!(e, Event::Message(m) if m.body == "welcome, dave"))
        .await;
    // And Dave's first message reaches the others at once too.
    let (_, out) = dave.engine.send_text(&chat, "hi all", now()).await.unwrap();
    dave.output(out).await;
    quiet(&mut [&mut alice, &mut bob, &mut dave]).await;
    bob.expect(|e| matches!(e, Event::Message(m) if m.body == "hi all"))
        .await;
}

#[tokio::test]
async fn an_invitation_cannot_make_us_fetch_accounts_of_the_senders_choosing() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 141).await;
    let mut bob = Device::register(&relay, "bob", 142).await;
    let mut mallory = Device::register(&relay, "mallory", 143).await;
    // Mallory's own group without Alice, then an add "by Alice" that Mallory signed.
    let key = key(&mallory);
    let op = Op::Create {
        name: "Trap".into(),
        description: String::new(),
        members: vec!["carol".into()],
    };
    let creation = Change::create("mallory", op, [9; 32], &key);
    let created = GroupState::create(&creation, &key.public()).unwrap();
    let forged = sign(&created, "alice", Op::Add("bob".into()), &key);
    send_raw(&mut mallory, &["bob"], &[creation, forged], None).await;
    quiet(&mut [&mut alice, &mut bob, &mut mallory]).await;
    // The relay answers in order: once this probe is answered, Bob has the group's order.
    bob.settle().await;
    let asked = (bob.sent.iter()).any(|f| matches!(f, ClientFrame::GroupOrder { .. }));
    assert!(asked, "the invitation did not reach Bob");
    let fetched_alice = (bob.sent.iter()).any(
        |f| matches!(f, ClientFrame::FetchBundles { account, .. } if account.as_str() == "alice"),
    );
    assert!(
        !fetched_alice,
        "an invitation made Bob fetch Alice's bundles"
    );
}

#[tokio::test]
async fn a_change_of_the_first_form_is_reported_not_dropped() {
    let relay = relay().await;
    let (mut alice, mut bob, mut carol, mut mallory, chat) = group_of_four(&relay, 151).await;
    let before = state(&bob, &chat).await;
    // A change as a build before the relay's order wrote it (type 9).
    let edit = Op::EditInfo {
        name: "Old".into(),
        description: String::new(),
    };
    let mut old = sign(&before, "alice", edit, &key(&alice)).encode();
    old[1] = 9;
    let out = (alice.engine)
        .send_raw_group_update(&user("bob"), vec![old], None)
        .await
        .unwrap();
    alice.output(out).await;
    quiet(&mut [&mut alice, &mut bob, &mut carol, &mut mallory]).await;
    bob.expect(|e| matches!(e, Event::Undecryptable { from } if from == "alice"))
        .await;
    assert_eq!(state(&bob, &chat).await, before);
}

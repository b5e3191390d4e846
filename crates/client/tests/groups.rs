//! Groups over the real relay on loopback: membership signed by admins' account keys and
//! checked by every member, messages encrypted once with sender keys and fanned out by the
//! relay, and new sender keys whenever someone leaves.
// clippy.toml's allow-*-in-tests does not reach the helpers outside #[test] functions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use hush_client::{ChatId, Event, GroupLine, Kind, Status, Store, Username};
use hush_protocol::groups::Role;
use hush_protocol::relay::ClientFrame;
use support::*;

/// Runs every device until none has anything left to send or receive: two passes in a row
/// in which no outbox holds anything and no device heard anything new.
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

/// A text (no notice with it) saying `body` in `chat`.
fn text_in<'a>(chat: &'a ChatId, body: &'a str) -> impl Fn(&Event) -> bool + 'a {
    move |e| {
        matches!(e, Event::Message(m) if m.chat == *chat && m.body == body
            && m.kind == Kind::Text && m.meta.notice.is_none())
    }
}

fn line_in<'a>(chat: &'a ChatId, body: &'a str) -> impl Fn(&Event) -> bool + 'a {
    move |e| matches!(e, Event::Message(m) if m.chat == *chat && m.kind == Kind::GroupChange && m.body == body)
}

async fn members(device: &Device, chat: &ChatId) -> Vec<String> {
    let state = device.engine.group(chat).await.unwrap().unwrap();
    state.members.into_iter().map(|m| m.account).collect()
}

async fn create(admin: &mut Device, name: &str, members: &[&str]) -> ChatId {
    let members: Vec<Username> = members.iter().map(|m| user(m)).collect();
    let (chat, out) = admin
        .engine
        .create_group(name, "", &members, now())
        .await
        .unwrap();
    admin.output(out).await;
    chat
}

async fn say(device: &mut Device, chat: &ChatId, body: &str) -> [u8; 16] {
    let (message, out) = device.engine.send_text(chat, body, now()).await.unwrap();
    device.output(out).await;
    message.id
}

#[tokio::test]
async fn three_members_chat_see_receipts_and_a_removed_member_reads_nothing_new() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let mut bob = Device::register(&relay, "bob", 2).await;
    let mut carol = Device::register(&relay, "carol", 3).await;

    let chat = create(&mut alice, "Climbing", &["bob", "carol"]).await;
    quiet(&mut [&mut alice, &mut bob, &mut carol]).await;
    for device in [&mut bob, &mut carol] {
        device
            .expect(line_in(
                &chat,
                "alice created the group \u{201c}Climbing\u{201d}",
            ))
            .await;
        assert_eq!(members(device, &chat).await, ["alice", "bob", "carol"]);
    }

    // One message, encrypted once, reaches both; each tells Alice it arrived.
    let hello = say(&mut alice, &chat, "hello group").await;
    quiet(&mut [&mut alice, &mut bob, &mut carol]).await;
    for device in [&mut bob, &mut carol] {
        let Event::Message(got) = device.expect(text_in(&chat, "hello group")).await else {
            unreachable!()
        };
        assert_eq!(got.group.unwrap().author, "alice");
        assert!(!got.from_me);
    }
    quiet(&mut [&mut alice, &mut bob, &mut carol]).await;
    alice.expect(status(hello, Status::Delivered)).await;

    // Read by one: per member; by both: the message is read.
    let out = bob.engine.mark_read(&chat).await.unwrap();
    bob.output(out).await;
    quiet(&mut [&mut alice, &mut bob, &mut carol]).await;
    let mine = alice.store.message(&hello).await.unwrap().unwrap();
    let receipts = mine.group.unwrap().receipts;
    assert!(
        receipts.contains(&(user("bob"), Status::Read)),
        "{receipts:?}"
    );
    assert!(
        receipts.contains(&(user("carol"), Status::Delivered)),
        "{receipts:?}"
    );
    assert_eq!(mine.status, Status::Delivered);
    let out = carol.engine.mark_read(&chat).await.unwrap();
    carol.output(out).await;
    quiet(&mut [&mut alice, &mut bob, &mut carol]).await;
    alice.expect(status(hello, Status::Read)).await;

    // Bob writes too (his own sender key, given to each of them first).
    say(&mut bob, &chat, "hi from bob").await;
    quiet(&mut [&mut alice, &mut bob, &mut carol]).await;
    alice.expect(text_in(&chat, "hi from bob")).await;
    carol.expect(text_in(&chat, "hi from bob")).await;

    // Carol is removed. She sees it; the others do too.
    let id = chat.group().unwrap();
    let carols_keys = carol.store.group(&id).await.unwrap().unwrap();
    assert_eq!(carols_keys.senders.len(), 2);
    let out = alice
        .engine
        .remove_member(&chat, &user("carol"), now())
        .await
        .unwrap();
    alice.output(out).await;
    quiet(&mut [&mut alice, &mut bob, &mut carol]).await;
    carol.expect(line_in(&chat, "alice removed you")).await;
    bob.expect(line_in(&chat, "alice removed carol")).await;
    assert_eq!(members(&bob, &chat).await, ["alice", "bob"]);
    let error = carol.engine.send_text(&chat, "still here?", now()).await;
    assert!(error.is_err());

    // Alice's next message goes out under a new sender key. Even handed the ciphertext (a
    // relay that kept her in the fan-out), Carol's keys from before cannot open it.
    let (message, out) = alice
        .engine
        .send_text(&chat, "after carol left", now())
        .await
        .unwrap();
    alice.output(out).await;
    alice.expect(status(message.id, Status::Sent)).await;
    let mut forged = None;
    for frame in &alice.sent {
        if let ClientFrame::GroupSend {
            client_id,
            members,
            payload,
        } = frame
        {
            if *client_id == message.id {
                assert!(!members.contains(&user("carol")));
                forged = Some(payload.clone());
            }
        }
    }
    let payload = forged.expect("a group send");
    let ciphertext = hush_protocol::wire::SenderKeyMessage::decode(&payload).unwrap();
    for (sender, mut keys) in carols_keys.senders.clone() {
        assert!(keys.decrypt(&sender, &ciphertext).is_err());
    }
    quiet(&mut [&mut alice, &mut bob, &mut carol]).await;
    bob.expect(text_in(&chat, "after carol left")).await;
    // Nothing reaches Carol, and what the relay could hand her does not open.
    assert!(carol
        .pump_until(
            text_in(&chat, "after carol left"),
            Duration::from_millis(300)
        )
        .await
        .is_none());
    let resend = ClientFrame::GroupSend {
        client_id: [9; 16],
        members: vec![user("carol")],
        payload: payload.clone(),
    };
    alice
        .output(hush_client::Output {
            frames: vec![resend],
            events: Vec::new(),
        })
        .await;
    carol
        .expect(|e| matches!(e, Event::Undecryptable { from } if from == "alice"))
        .await;

    // Bob rotates too before he sends again.
    say(&mut bob, &chat, "bob after carol").await;
    quiet(&mut [&mut alice, &mut bob, &mut carol]).await;
    alice.expect(text_in(&chat, "bob after carol")).await;
    let mut bobs_key = bob
        .store
        .group(&id)
        .await
        .unwrap()
        .unwrap()
        .own_key
        .unwrap();
    let bob_device = bob.engine.account().unwrap().address().unwrap();
    let probe = bobs_key.encrypt(&bob_device, b"probe").unwrap();
    let (bob_at, carol_had) = carols_keys
        .senders
        .iter()
        .find(|(a, _)| a.account() == "bob")
        .unwrap();
    assert!(carol_had.clone().decrypt(bob_at, &probe).is_err());

    // Re-added, Carol reads what comes next, not what was said while she was out.
    let out = alice
        .engine
        .add_member(&chat, &user("carol"), now())
        .await
        .unwrap();
    alice.output(out).await;
    quiet(&mut [&mut alice, &mut bob, &mut carol]).await;
    carol.expect(line_in(&chat, "alice added you")).await;
    assert_eq!(members(&carol, &chat).await, ["alice", "bob", "carol"]);
    say(&mut alice, &chat, "welcome back").await;
    say(&mut bob, &chat, "hi again carol").await;
    quiet(&mut [&mut alice, &mut bob, &mut carol]).await;
    carol.expect(text_in(&chat, "welcome back")).await;
    carol.expect(text_in(&chat, "hi again carol")).await;
    let readmitted = carol.store.group(&id).await.unwrap().unwrap();
    for (address, keys) in &readmitted.senders {
        if address.account() == "alice" {
            assert!(keys.clone().decrypt(address, &ciphertext).is_err());
        }
    }
    let history = carol.store.messages(&chat, None, 100).await.unwrap();
    assert!(!history.iter().any(|m| m.body == "after carol left"));
    assert!(!history.iter().any(|m| m.body == "bob after carol"));
    // Read by everyone it went to (Bob alone, while Carol was out): read, whoever joined since.
    let out = bob.engine.mark_read(&chat).await.unwrap();
    bob.output(out).await;
    quiet(&mut [&mut alice, &mut bob, &mut carol]).await;
    let while_out = alice.store.message(&message.id).await.unwrap().unwrap();
    assert_eq!(while_out.status, Status::Read);
    say(&mut carol, &chat, "glad to be back").await;
    quiet(&mut [&mut alice, &mut bob, &mut carol]).await;
    alice.expect(text_in(&chat, "glad to be back")).await;
    bob.expect(text_in(&chat, "glad to be back")).await;
}

fn seeded() -> rand_chacha::ChaCha20Rng {
    use rand_chacha::rand_core::SeedableRng;
    rand_chacha::ChaCha20Rng::seed_from_u64(99)
}

#[tokio::test]
async fn ten_members_each_send_and_everyone_reads_everything() {
    let relay = relay().await;
    let names: Vec<String> = (0..10).map(|i| format!("member{i}")).collect();
    let mut devices = Vec::new();
    for (i, name) in names.iter().enumerate() {
        devices.push(Device::register(&relay, name, 100 + i as u64).await);
    }
    let others: Vec<&str> = names[1..].iter().map(String::as_str).collect();
    let chat = create(&mut devices[0], "Ten", &others).await;
    let mut all: Vec<&mut Device> = devices.iter_mut().collect();
    quiet(&mut all).await;
    for (i, device) in all.iter_mut().enumerate() {
        say(device, &chat, &format!("hello from {i}")).await;
    }
    quiet(&mut all).await;
    for (i, device) in all.iter_mut().enumerate() {
        let history = device.store.messages(&chat, None, 100).await.unwrap();
        for (j, name) in names.iter().enumerate() {
            let body = format!("hello from {j}");
            let found = history.iter().find(|m| m.body == body);
            let found = found.unwrap_or_else(|| panic!("{i} lacks {body:?}"));
            assert_eq!(found.from_me, i == j);
            assert_eq!(
                found.group.as_ref().map(|g: &GroupLine| g.author.clone()),
                Some(user(name))
            );
        }
        let state = device.engine.group(&chat).await.unwrap().unwrap();
        assert_eq!(state.members.len(), 10);
        assert_eq!(state.members[0].role, Role::Admin);
    }
}

#[tokio::test]
async fn concurrent_changes_by_two_admins_converge_on_every_member() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 11).await;
    let mut bob = Device::register(&relay, "bob", 12).await;
    let mut carol = Device::register(&relay, "carol", 13).await;
    let _dave = Device::register(&relay, "dave", 14).await;
    let _erin = Device::register(&relay, "erin", 15).await;
    let chat = create(&mut alice, "Admins", &["bob", "carol"]).await;
    quiet(&mut [&mut alice, &mut bob, &mut carol]).await;
    let out = alice
        .engine
        .set_admin(&chat, &user("bob"), true, now())
        .await
        .unwrap();
    alice.output(out).await;
    quiet(&mut [&mut alice, &mut bob, &mut carol]).await;
    assert!(bob
        .engine
        .group(&chat)
        .await
        .unwrap()
        .unwrap()
        .is_admin("bob"));

    // Both admins act on the same state before hearing of each other.
    let a = alice
        .engine
        .add_member(&chat, &user("dave"), now())
        .await
        .unwrap();
    let b = bob
        .engine
        .add_member(&chat, &user("erin"), now())
        .await
        .unwrap();
    alice.output(a).await;
    bob.output(b).await;
    quiet(&mut [&mut alice, &mut bob, &mut carol]).await;
    quiet(&mut [&mut alice, &mut bob, &mut carol]).await;
    let states = [
        alice.engine.group(&chat).await.unwrap().unwrap(),
        bob.engine.group(&chat).await.unwrap().unwrap(),
        carol.engine.group(&chat).await.unwrap().unwrap(),
    ];
    assert_eq!(states[0], states[1]);
    assert_eq!(states[0], states[2]);
    // The change that lost was issued again on top: both new members are in.
    let names: Vec<&str> = states[0]
        .members
        .iter()
        .map(|m| m.account.as_str())
        .collect();
    assert!(
        names.contains(&"dave") && names.contains(&"erin"),
        "{names:?}"
    );
}

#[tokio::test]
async fn a_membership_change_the_relay_forges_is_refused() {
    use hush_client::content::Content;
    use hush_protocol::devices::AccountKey;
    use hush_protocol::groups::{Change, Op};
    use hush_server::store::sqlite::SqliteStore;
    use hush_server::store::{NewEnvelope, Store as _};

    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 21).await;
    let mut bob = Device::register(&relay, "bob", 22).await;
    let chat = create(&mut alice, "Private", &["bob"]).await;
    quiet(&mut [&mut alice, &mut bob]).await;
    let before = bob.engine.group(&chat).await.unwrap().unwrap();

    // The relay writes envelopes "from Alice" into Bob's queue: a change adding Mallory as
    // plain content, signed by a key of its own, and a group message it cannot sign.
    let relay_key = AccountKey::generate(&mut seeded());
    let change = Change::sign(&before, "alice", Op::Add("mallory".into()), &relay_key);
    let update = Content::GroupUpdate {
        changes: vec![change.encode()],
        state: None,
    }
    .encode();
    let mut fake_group_message = vec![
        hush_protocol::WIRE_VERSION,
        hush_protocol::wire::TYPE_SENDER_KEY,
    ];
    fake_group_message.extend_from_slice(&before.group);
    fake_group_message.extend_from_slice(&[0; 100]);
    let path = relay.data.path().join("hush.db");
    {
        let db = SqliteStore::open(&path).unwrap();
        let envelope = |n: u8, payload: Vec<u8>| NewEnvelope {
            recipient: "bob".into(),
            recipient_device: 1,
            sender: "alice".into(),
            sender_device: 1,
            client_id: [n; 16],
            payload: payload.into(),
            received_ms: now(),
        };
        db.insert_envelopes(&[envelope(1, update), envelope(2, fake_group_message)])
            .await
            .unwrap();
    }
    let relay = restart(relay).await;
    let mut bob = Device::open(&relay, bob.store.clone(), 23).await;
    bob.expect(|e| matches!(e, Event::Authenticated)).await;
    bob.expect(|e| matches!(e, Event::Undecryptable { from } if from == "alice"))
        .await;
    bob.expect(|e| matches!(e, Event::Undecryptable { from } if from == "alice"))
        .await;
    assert_eq!(bob.engine.group(&chat).await.unwrap().unwrap(), before);
    assert!(bob.store.outbox().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_newly_linked_device_has_the_groups_and_chats_in_them() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 31).await;
    let mut bob = Device::register(&relay, "bob", 32).await;
    let chat = create(&mut alice, "Family", &["bob"]).await;
    say(&mut alice, &chat, "before the new browser").await;
    quiet(&mut [&mut alice, &mut bob]).await;
    bob.expect(text_in(&chat, "before the new browser")).await;
    // Bob's sender key is with Alice's first browser from here on.
    say(&mut bob, &chat, "bob, before the new browser").await;
    quiet(&mut [&mut alice, &mut bob]).await;
    alice
        .expect(text_in(&chat, "bob, before the new browser"))
        .await;

    // Alice's new browser comes with the group (from the history), and its sender key goes
    // to Bob (and to her first device) before its first message.
    let (mut second, _) = Device::link(&relay, &mut alice, "Firefox on Linux", 33).await;
    assert_eq!(members(&second, &chat).await, ["alice", "bob"]);
    let history = second.store.messages(&chat, None, 10).await.unwrap();
    assert!(history.iter().any(|m| m.body == "before the new browser"));

    // It makes itself known to the members at once (its key, over pairwise sessions): Bob's
    // next message reaches it before it has said anything in the group.
    quiet(&mut [&mut alice, &mut bob, &mut second]).await;
    say(&mut bob, &chat, "welcome, new browser").await;
    quiet(&mut [&mut alice, &mut bob, &mut second]).await;
    second.expect(text_in(&chat, "welcome, new browser")).await;
    alice.expect(text_in(&chat, "welcome, new browser")).await;

    say(&mut second, &chat, "from the new browser").await;
    quiet(&mut [&mut alice, &mut bob, &mut second]).await;
    bob.expect(text_in(&chat, "from the new browser")).await;
    let Event::Message(own) = alice.expect(text_in(&chat, "from the new browser")).await else {
        unreachable!()
    };
    assert!(own.from_me);

    // Bob's next message reaches both of Alice's devices.
    say(&mut bob, &chat, "to both of you").await;
    quiet(&mut [&mut alice, &mut bob, &mut second]).await;
    alice.expect(text_in(&chat, "to both of you")).await;
    second.expect(text_in(&chat, "to both of you")).await;
}

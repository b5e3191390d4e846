//! The engine over the real relay on loopback: two (or more) devices, each an engine on a
//! memory store with its own WebSocket, exchanging real frames.

mod support;

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use hush_client::store::memory::MemoryStore;
use hush_client::store::Store;
use hush_client::{Engine, Event, Status};
use hush_protocol::relay::{ClientFrame, ServerFrame};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use support::{chat, message_from, now, relay, relay_with, status, user, Device, WAIT};
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn two_people_chat_with_delivery_and_read_receipts() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let mut bob = Device::register(&relay, "bob", 2).await;

    let id = alice.send("bob", "hello bob").await;
    alice.expect(status(id, Status::Sent)).await;
    let Event::Message(got) = bob.expect(message_from("hello bob")).await else {
        unreachable!()
    };
    assert_eq!(
        (got.chat.to_string().as_str(), got.from_me, got.id),
        ("alice", false, id)
    );
    alice.expect(status(id, Status::Delivered)).await;

    let out = bob.engine.mark_read(&chat("alice")).await.unwrap();
    bob.output(out).await;
    alice.expect(status(id, Status::Read)).await;

    // And back, on the session Bob's side now has.
    let reply = bob.send("alice", "hi alice").await;
    alice.expect(message_from("hi alice")).await;
    bob.expect(status(reply, Status::Delivered)).await;

    let chat = alice.store.messages(&chat("bob"), None, 10).await.unwrap();
    let bodies: Vec<(&str, bool, Status)> = chat
        .iter()
        .map(|m| (m.body.as_str(), m.from_me, m.status))
        .collect();
    assert_eq!(
        bodies,
        [
            ("hello bob", true, Status::Read),
            ("hi alice", false, Status::Delivered)
        ]
    );
}

#[tokio::test]
async fn messages_wait_for_an_offline_device_and_survive_its_restart() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 3).await;
    let bob = Device::register(&relay, "bob", 4).await;
    let bob_store = bob.store.clone();
    drop(bob);

    let mut ids = Vec::new();
    for n in 0..3 {
        let id = alice.send("bob", &format!("note {n}")).await;
        alice.expect(status(id, Status::Sent)).await;
        ids.push(id);
    }
    // Bob's browser comes back: a new engine on what the old one stored.
    let mut bob = Device::open(&relay, bob_store, 5).await;
    for n in 0..3 {
        bob.expect(message_from(&format!("note {n}"))).await;
    }
    let stored = bob.store.messages(&chat("alice"), None, 10).await.unwrap();
    assert_eq!(stored.iter().map(|m| m.id).collect::<Vec<_>>(), ids);
    for id in ids {
        alice.expect(status(id, Status::Delivered)).await;
    }
}

#[tokio::test]
async fn the_outbox_survives_a_restart_and_is_sent_once() {
    let relay = relay().await;
    let mut bob = Device::register(&relay, "bob", 6).await;
    let alice = Device::register(&relay, "alice", 7).await;
    let alice_store = alice.store.clone();
    drop(alice);

    // Written while offline: stored as "sending", in the outbox.
    let mut offline = Engine::open(alice_store.clone(), ChaCha20Rng::seed_from_u64(8))
        .await
        .unwrap();
    let (message, out) = offline
        .send_text(&chat("bob"), "written offline", now())
        .await
        .unwrap();
    let id = message.id;
    assert!(
        out.frames.is_empty(),
        "nothing goes out before authentication"
    );
    assert_eq!(
        alice_store.message(&id).await.unwrap().map(|m| m.status),
        Some(Status::Sending)
    );
    drop(offline);

    let mut alice = Device::open(&relay, alice_store, 9).await;
    alice.expect(status(id, Status::Sent)).await;
    bob.expect(message_from("written offline")).await;
    assert!(alice
        .store
        .outbox()
        .await
        .unwrap()
        .iter()
        .all(|e| e.id != id));
    // Exactly once, even after everything settles.
    assert!(bob
        .pump_until(message_from("written offline"), Duration::from_millis(500))
        .await
        .is_none());
    assert_eq!(
        bob.store
            .messages(&chat("alice"), None, 10)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_failed_commit_is_not_acked_and_the_message_comes_again() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 10).await;
    let mut bob = Device::register(&relay, "bob", 11).await;

    bob.store.fail_next_commit();
    // A screen may draw a message before its commit ends...
    let previewed = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let seen = previewed.clone();
    bob.engine
        .preview_received(move |m| seen.borrow_mut().push(m.body.clone()));
    let id = alice.send("bob", "first try fails").await;
    alice.expect(status(id, Status::Sent)).await;
    // Bob's engine reports the failure; no ack goes out, the session is unchanged.
    let bytes = loop {
        match tokio::time::timeout(WAIT, bob.ws.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap()
        {
            Message::Binary(bytes) => break bytes,
            _ => continue,
        }
    };
    let frame = ServerFrame::decode(&bytes).unwrap();
    assert!(matches!(frame, ServerFrame::Envelope { .. }));
    assert!(bob.engine.handle(frame, now()).await.is_err());
    assert_eq!(*previewed.borrow(), ["first try fails"]);
    // ...but nothing else follows from it when the commit fails.
    assert!(bob
        .store
        .messages(&chat("alice"), None, 10)
        .await
        .unwrap()
        .is_empty());

    // The relay still has it: after a reconnect it arrives and decrypts.
    let store = bob.store.clone();
    drop(bob);
    let mut bob = Device::open(&relay, store, 12).await;
    bob.expect(message_from("first try fails")).await;
    assert_eq!(
        bob.store
            .messages(&chat("alice"), None, 10)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_taken_name_is_reported_and_another_can_be_chosen() {
    let relay = relay().await;
    let _alice = Device::register(&relay, "alice", 13).await;
    let mut other = Device::open(&relay, MemoryStore::new(), 14).await;
    let out = other.engine.create_account(&user("alice")).await.unwrap();
    other.output(out).await;
    other.expect(|e| matches!(e, Event::NameTaken)).await;
    // The relay closes after a refused registration: a new connection (which does not try the
    // refused name again by itself), another name.
    let store = other.store.clone();
    drop(other);
    let mut other = Device::open(&relay, store, 15).await;
    assert!(other.events.is_empty(), "{:?}", other.events);
    let out = other.engine.create_account(&user("alicia")).await.unwrap();
    other.output(out).await;
    other.expect(|e| matches!(e, Event::Registered)).await;
}

#[test]
fn memory_store_passes_the_conformance_suite() {
    let mut rng = ChaCha20Rng::seed_from_u64(16);
    let outcome = futures::executor::block_on(hush_client::store::conformance::run_all(
        || async { Ok(MemoryStore::new()) },
        &mut rng,
    ));
    assert_eq!(outcome, Ok(()));
}

#[tokio::test]
async fn typing_and_presence_reach_the_other_side() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 17).await;
    let mut bob = Device::register(&relay, "bob", 18).await;

    let out = alice.engine.watch(&user("bob"));
    alice.output(out).await;
    alice
        .expect(|e| matches!(e, Event::Presence { account, online: true, .. } if account == "bob"))
        .await;

    // Typing reaches an account only from accounts it exchanged an envelope with.
    let id = alice.send("bob", "hi").await;
    alice.expect(status(id, Status::Sent)).await;
    let out = bob.engine.typing(&user("alice"), true);
    bob.output(out).await;
    alice
        .expect(|e| matches!(e, Event::Typing { from, typing: true } if from == "bob"))
        .await;

    drop(bob);
    let Event::Presence { last_seen_ms, .. } = alice
        .expect(|e| matches!(e, Event::Presence { account, online: false, .. } if account == "bob"))
        .await
    else {
        unreachable!()
    };
    assert!(last_seen_ms > 0);

    // A chat partner's presence is followed again after a reconnect, without asking.
    let id = alice.send("bob", "are you there?").await;
    alice.expect(status(id, Status::Sent)).await;
    let store = alice.store.clone();
    drop(alice);
    let mut alice = Device::open(&relay, store, 19).await;
    alice
        .expect(|e| matches!(e, Event::Presence { account, online: false, .. } if account == "bob"))
        .await;
}

#[tokio::test]
async fn an_unknown_user_is_reported_and_a_failed_message_can_be_retried() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 20).await;

    let out = alice.engine.prepare_chat(&user("nobody")).await.unwrap();
    alice.output(out).await;
    alice
        .expect(|e| matches!(e, Event::UnknownUser(name) if name == "nobody"))
        .await;

    // Written to someone who is not there yet: it fails, and stays in the chat as failed.
    let id = alice.send("ghost", "boo").await;
    alice.expect(status(id, Status::Failed)).await;
    alice
        .expect(|e| matches!(e, Event::UnknownUser(name) if name == "ghost"))
        .await;

    // Once they exist, the same message (same id) goes through on retry.
    let mut ghost = Device::register(&relay, "ghost", 21).await;
    let out = alice.engine.retry(id).await.unwrap();
    alice.output(out).await;
    alice.expect(status(id, Status::Sent)).await;
    let Event::Message(got) = ghost.expect(message_from("boo")).await else {
        unreachable!()
    };
    assert_eq!(got.id, id);
    alice.expect(status(id, Status::Delivered)).await;
}

/// Issue 19: a send the relay refuses for storage (`QuotaExceeded`: here bob's queue can hold
/// nothing) is shown as failed and leaves the outbox: it is not sent again by itself, the user
/// can retry.
#[tokio::test]
async fn a_send_refused_for_storage_fails_and_is_not_retried() {
    let relay = relay_with(|config| config.max_queued_bytes_per_device = 1).await;
    let mut alice = Device::register(&relay, "alice", 40).await;
    let _bob = Device::register(&relay, "bob", 41).await;
    let id = alice.send("bob", "too much for the relay").await;
    alice.expect(status(id, Status::Failed)).await;
    assert!(alice.store.outbox().await.unwrap().is_empty());
}

/// Bob reinstalls (a new identity key for his device, in a device list his account key signs):
/// Alice's chat shows a notice, her safety number with him changes and he is no longer
/// verified.
#[tokio::test]
async fn a_device_set_up_again_under_the_same_account_key_keeps_the_safety_number() {
    use hush_client::{Kind, LocalAccount};
    use hush_protocol::devices::{DeviceList, ListedDevice};
    use hush_protocol::keys::SignedPreKeyPair;
    use hush_protocol::IdentityKeyPair;

    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 22).await;
    let mut bob = Device::register(&relay, "bob", 23).await;
    let hi = alice.send("bob", "hi").await;
    alice.expect(status(hi, Status::Sent)).await;
    bob.expect(message_from("hi")).await;
    let before = alice
        .engine
        .safety_number(&user("bob"))
        .await
        .unwrap()
        .unwrap();
    assert!(alice.engine.mark_verified(&user("bob")).await.unwrap());
    assert!(alice.engine.is_verified(&user("bob")).await.unwrap());

    // Bob's browser is wiped; his account key (kept elsewhere) signs the new device.
    let old: LocalAccount = bob.store.account().await.unwrap().unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(24);
    let identity = IdentityKeyPair::generate(&mut rng);
    let list = DeviceList::sign(
        "bob",
        2,
        vec![
            ListedDevice::certify("bob", 1, identity.public(), "Browser", 0, &old.account_key)
                .unwrap(),
        ],
        &old.account_key,
    )
    .unwrap();
    let publish = ClientFrame::PublishDeviceList {
        request: 5,
        device_list: list.encode(),
    };
    bob.ws
        .send(Message::binary(publish.encode()))
        .await
        .unwrap();
    loop {
        let message = tokio::time::timeout(WAIT, bob.ws.next()).await.unwrap();
        let Message::Binary(bytes) = message.unwrap().unwrap() else {
            continue;
        };
        if matches!(
            ServerFrame::decode(&bytes).unwrap(),
            ServerFrame::DeviceListPublished { request: 5, .. }
        ) {
            break;
        }
    }
    drop(bob);
    let reinstalled = MemoryStore::new();
    reinstalled
        .commit(hush_client::Changes {
            account: Some(LocalAccount {
                signed_prekey: SignedPreKeyPair::generate(1, &identity, &mut rng),
                signed_prekey_since_ms: None,
                retired_prekeys: Vec::new(),
                identity,
                registered: true,
                next_prekey_id: 1,
                ..old
            }),
            ..hush_client::Changes::default()
        })
        .await
        .unwrap();
    let mut bob = Device::open(&relay, reinstalled, 25).await;
    bob.expect(|e| matches!(e, Event::Authenticated)).await;
    let id = bob.send("alice", "new phone, same bob").await;
    bob.expect(status(id, Status::Sent)).await;

    // The account key signed it: the chat says Bob set up a device, and the safety number
    // (over account keys) and "Verified" stay.
    let Event::Message(notice) = alice
        .expect(|e| matches!(e, Event::Message(m) if m.kind == Kind::DeviceLinked))
        .await
    else {
        unreachable!()
    };
    assert_eq!(notice.chat, chat("bob"));
    alice.expect(message_from("new phone, same bob")).await;
    let after = alice
        .engine
        .safety_number(&user("bob"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(before.digits(), after.digits());
    assert!(alice.engine.is_verified(&user("bob")).await.unwrap());
    // The notice stays in the chat, before the message that revealed the change.
    let kinds: Vec<Kind> = alice
        .store
        .messages(&chat("bob"), None, 10)
        .await
        .unwrap()
        .iter()
        .map(|m| m.kind)
        .collect();
    assert_eq!(kinds, [Kind::Text, Kind::DeviceLinked, Kind::Text]);
}

#[tokio::test]
async fn three_people_keep_their_conversations_apart_and_in_order() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 11).await;
    let mut bob = Device::register(&relay, "bob", 12).await;
    let mut carol = Device::register(&relay, "carol", 13).await;

    // Alice writes to both, interleaved; Carol writes to Bob too.
    let mut sent = Vec::new();
    for i in 0..5 {
        sent.push(alice.send("bob", &format!("to bob {i}")).await);
        sent.push(alice.send("carol", &format!("to carol {i}")).await);
    }
    // Alice's side fetches both bundles, starts both sessions and sends everything.
    for id in &sent {
        alice.expect(status(*id, Status::Sent)).await;
    }
    let carols = carol.send("bob", "carol to bob").await;
    for i in 0..5 {
        bob.expect(message_from(&format!("to bob {i}"))).await;
        carol.expect(message_from(&format!("to carol {i}"))).await;
    }
    carol.expect(status(carols, Status::Sent)).await;
    bob.expect(message_from("carol to bob")).await;
    bob.send("alice", "bob to alice").await;
    alice.expect(message_from("bob to alice")).await;
    carol.send("alice", "carol to alice").await;
    alice.expect(message_from("carol to alice")).await;
    for id in sent {
        alice.expect(status(id, Status::Delivered)).await;
    }

    let bodies = |list: Vec<hush_client::ChatMessage>| {
        list.into_iter()
            .map(|m| (m.from_me, m.body))
            .collect::<Vec<_>>()
    };
    let from = |me: bool, prefix: &str| {
        (0..5)
            .map(|i| (me, format!("{prefix} {i}")))
            .collect::<Vec<_>>()
    };
    let mut expected = from(false, "to bob");
    expected.push((true, "bob to alice".to_owned()));
    assert_eq!(
        bodies(bob.store.messages(&chat("alice"), None, 50).await.unwrap()),
        expected
    );
    assert_eq!(
        bodies(bob.store.messages(&chat("carol"), None, 50).await.unwrap()),
        [(false, "carol to bob".to_owned())]
    );
    let mut expected = from(true, "to carol");
    expected.push((false, "carol to alice".to_owned()));
    assert_eq!(
        bodies(
            alice
                .store
                .messages(&chat("carol"), None, 50)
                .await
                .unwrap()
        ),
        expected
    );
    let chats: Vec<String> = alice
        .store
        .chats()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.chat.to_string())
        .collect();
    assert_eq!(chats, ["carol", "bob"], "most recently active first");
}

fn profile_of<'a>(account: &'a str, name: &'a str) -> impl Fn(&Event) -> bool + 'a {
    move |e| matches!(e, Event::Profile { account: a, display_name: n, .. } if a == account && n == name)
}

#[tokio::test]
async fn display_names_travel_end_to_end_when_a_session_starts_and_on_a_change() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 31).await;
    let mut bob = Device::register(&relay, "bob", 32).await;
    assert!(alice.engine.set_display_name("two\nlines").await.is_err());
    for (device, name) in [(&mut alice, "Alice A."), (&mut bob, "Bob B.")] {
        let out = device.engine.set_display_name(name).await.unwrap();
        device.output(out).await;
    }

    // Alice starts the chat: Bob learns her name with her first message, and answers with his.
    let hello = alice.send("bob", "hello").await;
    alice.expect(status(hello, Status::Sent)).await;
    bob.expect(message_from("hello")).await;
    bob.expect(profile_of("alice", "Alice A.")).await;
    alice.expect(profile_of("bob", "Bob B.")).await;
    assert_eq!(
        bob.store.names().await.unwrap(),
        [(user("alice"), "Alice A.".to_owned())]
    );
    assert_eq!(
        alice.store.names().await.unwrap(),
        [(user("bob"), "Bob B.".to_owned())]
    );

    // A new name reaches everyone she chats with, and survives a restart on her side.
    let out = alice.engine.set_display_name("  Alice Z. ").await.unwrap();
    alice.output(out).await;
    bob.expect(profile_of("alice", "Alice Z.")).await;
    assert_eq!(
        alice.store.account().await.unwrap().unwrap().display_name,
        "Alice Z."
    );
}

#[tokio::test]
async fn a_device_the_relay_adds_without_the_accounts_signature_gets_nothing() {
    use hush_client::devices::Refusal;
    use hush_protocol::keys::SignedPreKeyPair;
    use hush_protocol::IdentityKeyPair;
    use hush_server::store::sqlite::SqliteStore;
    use hush_server::store::{DeviceRecord, Store as _};

    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 40).await;
    let _bob = Device::register(&relay, "bob", 41).await;
    // The relay (its database, written beside it) gives Bob's account a device of its own:
    // listed, with a signed prekey, but not in the list Bob's account key signed.
    let path = relay.data.path().join("hush.db");
    let db_path = path.clone();
    {
        let db = SqliteStore::open(&db_path).unwrap();
        let mut list = db.device_list("bob").await.unwrap().unwrap();
        let mut rng = ChaCha20Rng::seed_from_u64(42);
        let mallory = IdentityKeyPair::generate(&mut rng);
        let spk = SignedPreKeyPair::generate(1, &mallory, &mut rng).public();
        list.version += 1;
        list.devices.push(DeviceRecord {
            device_id: 2,
            identity: mallory.public().to_bytes(),
        });
        db.replace_device_list("bob", &list).await.unwrap();
        let mut encoded = spk.id.to_be_bytes().to_vec();
        encoded.extend_from_slice(spk.public.as_bytes());
        encoded.extend_from_slice(&spk.signature);
        db.set_signed_prekey("bob", 2, &encoded).await.unwrap();
    }

    let id = alice.send("bob", "for Bob's own devices").await;
    let refused = alice
        .expect(|e| matches!(e, Event::DevicesRefused { .. }))
        .await;
    assert_eq!(
        refused,
        Event::DevicesRefused {
            account: user("bob"),
            reason: Refusal::Unlisted(2),
        }
    );
    // No session with it, so nothing is ever encrypted to it; whatever the relay then answers
    // (stored for device 1, or a mismatch until the message fails), it never gets an envelope.
    let injected = hush_protocol::DeviceAddress::new("bob", 2).unwrap();
    assert!(alice.store.session(&injected).await.unwrap().is_none());
    alice
        .expect(|e| matches!(e, Event::Status(i, Status::Sent | Status::Failed) if *i == id))
        .await;
    let queued = SqliteStore::open(&path)
        .unwrap()
        .pending("bob", 2, 0, 10)
        .await
        .unwrap();
    assert!(queued.is_empty());
}

#[tokio::test]
async fn a_device_the_relay_adds_cannot_send_as_the_account() {
    use hush_client::devices::Refusal;
    use hush_client::{Changes, LocalAccount};
    use hush_protocol::devices::{AccountKey, DeviceList, ListedDevice};
    use hush_protocol::keys::SignedPreKeyPair;
    use hush_protocol::IdentityKeyPair;
    use hush_server::store::sqlite::SqliteStore;
    use hush_server::store::{DeviceRecord, Store as _};

    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 50).await;
    let mut bob = Device::register(&relay, "bob", 51).await;
    // Bob has written to Alice: her account key and list are pinned.
    bob.deliver("alice", "hi alice").await;
    alice.expect(message_from("hi alice")).await;

    // The relay lists a device of its own in Alice's account and signs in as it.
    let mut rng = ChaCha20Rng::seed_from_u64(52);
    let mallory = IdentityKeyPair::generate(&mut rng);
    let spk = SignedPreKeyPair::generate(1, &mallory, &mut rng);
    let (identity, public) = (mallory.public(), spk.public());
    let db_path = relay.data.path().join("hush.db");
    {
        let db = SqliteStore::open(&db_path).unwrap();
        let mut list = db.device_list("alice").await.unwrap().unwrap();
        list.version += 1;
        list.devices.push(DeviceRecord {
            device_id: 2,
            identity: identity.to_bytes(),
        });
        db.replace_device_list("alice", &list).await.unwrap();
        let mut encoded = public.id.to_be_bytes().to_vec();
        encoded.extend_from_slice(public.public.as_bytes());
        encoded.extend_from_slice(&public.signature);
        db.set_signed_prekey("alice", 2, &encoded).await.unwrap();
    }
    // Started again on that database, as a relay that did this itself would run.
    let relay = support::restart(relay).await;
    let (alice_store, bob_store) = (alice.store.clone(), bob.store.clone());
    drop((alice, bob));
    let mut alice = Device::open(&relay, alice_store, 54).await;
    let mut bob = Device::open(&relay, bob_store, 55).await;
    let fake_key = AccountKey::generate(&mut rng);
    let store = MemoryStore::new();
    let forged = LocalAccount {
        name: user("alice"),
        device_id: 2,
        account_key: fake_key.clone(),
        identity: mallory,
        signed_prekey: spk,
        signed_prekey_since_ms: None,
        retired_prekeys: Vec::new(),
        registered: true,
        next_prekey_id: 1,
        display_name: String::new(),
        device_name: "Mallory".into(),
        presence: Default::default(),
        presence_unsent: false,
        read_receipts: true,
        about: String::new(),
        photo: None,
    };
    store
        .commit(Changes {
            account: Some(forged),
            ..Changes::default()
        })
        .await
        .unwrap();
    let mut fake = Device::open(&relay, store, 53).await;

    // Without a list: refused, unread.
    fake.deliver("bob", "it is me, alice").await;
    let unlisted = Event::DevicesRefused {
        account: user("alice"),
        reason: Refusal::Unlisted(2),
    };
    bob.expect(|e| *e == unlisted).await;

    // With a list the relay signed under a key of its own: refused as another key.
    let alice_identity = alice.engine.account().unwrap().identity.public();
    let devices = vec![
        ListedDevice::certify("alice", 1, alice_identity, "Browser", 0, &fake_key).unwrap(),
        ListedDevice::certify("alice", 2, identity, "Mallory", 0, &fake_key).unwrap(),
    ];
    let list = DeviceList::sign("alice", 9, devices, &fake_key).unwrap();
    let out = fake
        .engine
        .handle(
            ServerFrame::OwnDevices {
                device_list: list.encode(),
                last_active: Vec::new(),
            },
            now(),
        )
        .await
        .unwrap();
    fake.output(out).await;
    fake.deliver("bob", "really, it is alice").await;
    let key_changed = Event::DevicesRefused {
        account: user("alice"),
        reason: Refusal::KeyChanged,
    };
    bob.expect(|e| *e == key_changed).await;

    // Bob shows neither, has no session with it, and Alice still gets through.
    let chat = bob.store.messages(&chat("alice"), None, 10).await.unwrap();
    assert!(chat.iter().all(|m| !m.body.contains("it is")), "{chat:?}");
    let injected = hush_protocol::DeviceAddress::new("alice", 2).unwrap();
    assert!(bob.store.session(&injected).await.unwrap().is_none());
    alice.deliver("bob", "the real alice").await;
    bob.expect(message_from("the real alice")).await;
}

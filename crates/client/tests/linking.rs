//! Linked devices over the real relay on loopback: linking by code with history, fan-out to
//! every device of both sides, sent and read sync between one's own devices, unlinking, and
//! codes that are used, abandoned or wrong.

mod support;

use std::time::Duration;

use hush_client::store::memory::MemoryStore;
use hush_client::store::Store;
use hush_client::{Event, Kind, Status};
use hush_protocol::linking::LinkCode;
use hush_protocol::relay::ServerFrame;
use rand_chacha::rand_core::SeedableRng;
use support::{chat, message_from, now, relay, status, user, Device};

/// A message shown as sent by me in `chat` (a transcript from another of our devices).
fn sent_by_me<'a>(chat: &'a str, body: &'a str) -> impl Fn(&Event) -> bool + 'a {
    move |e| matches!(e, Event::Message(m) if m.from_me && m.chat.to_string() == chat && m.body == body)
}

#[tokio::test]
async fn a_linked_browser_gets_history_receives_and_sends_and_both_stay_in_sync() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let mut bob = Device::register(&relay, "bob", 2).await;
    // Bob writes first: he fetched (and pinned) Alice's signed device list.
    bob.deliver("alice", "hi from bob").await;
    alice.expect(message_from("hi from bob")).await;
    let before = alice.deliver("bob", "before the link").await;
    bob.expect(message_from("before the link")).await;
    alice.expect(status(before, Status::Delivered)).await;

    let before_link = alice.engine.own_devices().unwrap().encode();
    let (mut second, imported) = Device::link(&relay, &mut alice, "Firefox on Linux", 3).await;
    assert_eq!(imported, 2);
    // It trusts Bob as the first browser does (no trust on first use again).
    assert_eq!(
        second.store.pinned_devices("bob").await.unwrap(),
        alice.store.pinned_devices("bob").await.unwrap()
    );
    // The list from before the link (signed, but older than the one it was given) cannot
    // make it believe it was unlinked.
    let out = second
        .engine
        .handle(
            ServerFrame::OwnDevices {
                device_list: before_link,
                last_active: Vec::new(),
            },
            now(),
        )
        .await
        .unwrap();
    assert!(!out.events.contains(&Event::Unlinked), "{:?}", out.events);
    let history = second.store.messages(&chat("bob"), None, 10).await.unwrap();
    let seen: Vec<(&str, bool)> = history
        .iter()
        .map(|m| (m.body.as_str(), m.from_me))
        .collect();
    assert_eq!(seen, [("hi from bob", false), ("before the link", true)]);
    let account = second.engine.account().unwrap();
    assert_eq!((account.name.as_str(), account.device_id), ("alice", 2));
    let devices = second.engine.own_devices().unwrap();
    let names: Vec<(u32, &str)> = devices
        .devices
        .iter()
        .map(|d| (d.device_id, d.name.as_str()))
        .collect();
    assert_eq!(names, [(1, "Browser"), (2, "Firefox on Linux")]);

    // Both of Alice's browsers show Bob the same safety number, the one he shows.
    let at_bob = bob
        .engine
        .safety_number(&user("alice"))
        .await
        .unwrap()
        .unwrap();
    let at_first = alice
        .engine
        .safety_number(&user("bob"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(at_first.digits(), at_bob.digits());

    // Bob → Alice reaches both of her browsers; Bob's chat says she linked a device.
    bob.deliver("alice", "to both of you").await;
    alice.expect(message_from("to both of you")).await;
    second.expect(message_from("to both of you")).await;
    // The first browser heard when the second connected.
    assert!(alice.engine.last_active(2) > 0);
    let bobs_chat = bob.store.messages(&chat("alice"), None, 10).await.unwrap();
    assert!(bobs_chat.iter().any(|m| m.kind == Kind::DeviceLinked));
    let at_second = second
        .engine
        .safety_number(&user("bob"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(at_second.digits(), at_bob.digits());

    // The second browser sends like any other; the first shows it as sent by me.
    let from_second = second.deliver("bob", "from my other browser").await;
    bob.expect(message_from("from my other browser")).await;
    alice
        .expect(sent_by_me("bob", "from my other browser"))
        .await;
    second.expect(status(from_second, Status::Delivered)).await;
    // Bob's receipt reaches the first browser too, which moves its copy on.
    alice.expect(status(from_second, Status::Delivered)).await;

    // And the other way round.
    alice.deliver("bob", "from my first browser").await;
    bob.expect(message_from("from my first browser")).await;
    second
        .expect(sent_by_me("bob", "from my first browser"))
        .await;

    // Reading on one browser marks the chat read on the other.
    let unread = alice.store.unread(&chat("bob")).await.unwrap();
    assert!(!unread.is_empty());
    let out = second.engine.mark_read(&chat("bob")).await.unwrap();
    second.output(out).await;
    alice
        .expect(|e| matches!(e, Event::ReadElsewhere { chat: c } if *c == chat("bob")))
        .await;
    assert!(alice.store.unread(&chat("bob")).await.unwrap().is_empty());
}

#[tokio::test]
async fn every_message_fans_out_to_two_plus_two_devices() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 11).await;
    let mut bob = Device::register(&relay, "bob", 12).await;
    let (mut alice2, _) = Device::link(&relay, &mut alice, "Alice's laptop", 13).await;
    let (mut bob2, _) = Device::link(&relay, &mut bob, "Bob's phone", 14).await;

    alice.deliver("bob", "one").await;
    bob.expect(message_from("one")).await;
    bob2.expect(message_from("one")).await;
    alice2.expect(sent_by_me("bob", "one")).await;

    bob2.deliver("alice", "two").await;
    alice.expect(message_from("two")).await;
    alice2.expect(message_from("two")).await;
    bob.expect(sent_by_me("alice", "two")).await;

    // Nothing arrived twice anywhere.
    for device in [&alice, &alice2, &bob, &bob2] {
        let chat = if device.engine.account().unwrap().name == "alice" {
            "bob"
        } else {
            "alice"
        };
        let texts: Vec<String> = device
            .store
            .messages(&self::chat(chat), None, 20)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.kind == Kind::Text)
            .map(|m| m.body)
            .collect();
        assert_eq!(texts, ["one", "two"]);
    }
}

#[tokio::test]
async fn an_unlinked_browser_is_told_and_receives_nothing_more() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 21).await;
    let mut bob = Device::register(&relay, "bob", 22).await;
    let (mut second, _) = Device::link(&relay, &mut alice, "Old laptop", 23).await;
    bob.deliver("alice", "while linked").await;
    second.expect(message_from("while linked")).await;

    // Renaming is a new signed list, which every device of the account takes.
    second.events.clear();
    alice.events.clear();
    let out = alice.engine.rename_device(2, "Work laptop").unwrap();
    alice.output(out).await;
    let name_of_2 = |d: &Device| {
        d.engine
            .own_devices()
            .unwrap()
            .device(2)
            .unwrap()
            .name
            .clone()
    };
    for device in [&mut alice, &mut second] {
        // Lists come again as devices come and go; wait for the renamed one.
        while name_of_2(device) != "Work laptop" {
            device
                .expect(|e| matches!(e, Event::OwnDevicesChanged))
                .await;
        }
    }

    let out = alice.engine.unlink(2).unwrap();
    alice.output(out).await;
    second.expect(|e| matches!(e, Event::Unlinked)).await;
    while alice.engine.own_devices().unwrap().devices.len() != 1 {
        alice
            .expect(|e| matches!(e, Event::OwnDevicesChanged))
            .await;
    }

    // Bob's next message goes to the first browser only.
    bob.deliver("alice", "after the unlink").await;
    alice.expect(message_from("after the unlink")).await;
    let store = second.store.clone();
    drop(second);
    // Coming back, the old browser is shown the signed list without it, and told again.
    let mut again = Device::open(&relay, store.clone(), 24).await;
    again.expect(|e| matches!(e, Event::Unlinked)).await;
    let chat = store.messages(&chat("alice"), None, 10).await.unwrap();
    assert!(chat.iter().all(|m| m.body != "after the unlink"));
    assert!(again
        .pump_until(message_from("after the unlink"), Duration::from_millis(300))
        .await
        .is_none());
    // A browser linked next gets a new device number, never the unlinked one's.
    let (next, _) = Device::link(&relay, &mut alice, "New laptop", 25).await;
    let id = next.engine.account().unwrap().device_id;
    assert!(id > 2, "{id}");
}

#[tokio::test]
async fn used_abandoned_and_mistyped_codes_and_a_tampered_provisioning_fail_clearly() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 31).await;

    // A browser shows a code, then leaves: its address is gone.
    let mut gone = Device::open(&relay, MemoryStore::new(), 32).await;
    let (code, out) = gone.engine.start_link().unwrap();
    gone.output(out).await;
    gone.expect(|e| matches!(e, Event::LinkOpened { .. })).await;
    drop(gone);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let out = alice.engine.fetch_link(&code).unwrap();
    alice.output(out).await;
    let failed = alice.expect(|e| matches!(e, Event::LinkFailed(_))).await;
    assert!(
        matches!(&failed, Event::LinkFailed(m) if m.contains("expired or was already used")),
        "{failed:?}"
    );

    // A code with the right address and a wrong secret: the announcement does not verify.
    let mut waiting = Device::open(&relay, MemoryStore::new(), 33).await;
    let (code, out) = waiting.engine.start_link().unwrap();
    waiting.output(out).await;
    waiting
        .expect(|e| matches!(e, Event::LinkOpened { .. }))
        .await;
    let real = LinkCode::parse(&code).unwrap();
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(34);
    let mut wrong = LinkCode::generate(&mut rng);
    wrong.address = real.address;
    let out = alice.engine.fetch_link(&wrong.to_text()).unwrap();
    alice.output(out).await;
    let failed = alice.expect(|e| matches!(e, Event::LinkFailed(_))).await;
    assert!(
        matches!(&failed, Event::LinkFailed(m) if m.contains("does not match")),
        "{failed:?}"
    );
    assert!(alice.engine.fetch_link("not a code").is_err());

    // A provisioning message that does not open leaves the browser without an account.
    let out = waiting
        .engine
        .handle(
            ServerFrame::Provisioning {
                sealed: vec![7; 200],
            },
            now(),
        )
        .await
        .unwrap();
    assert!(matches!(&out.events[..], [Event::LinkFailed(_)]));
    assert!(waiting.engine.account().is_none());
    assert!(waiting.store.account().await.unwrap().is_none());
    // And it still waits: its code is still good.
    let out = alice.engine.fetch_link(&code).unwrap();
    alice.output(out).await;
    alice
        .expect(|e| matches!(e, Event::LinkRequest { .. }))
        .await;
    alice.engine.cancel_link();

    // A code used once does not work again.
    let (_linked, _, code) = Device::link_by_code(&relay, &mut alice, "Tablet", 35).await;
    let out = alice.engine.fetch_link(&code).unwrap();
    alice.output(out).await;
    let used = alice.expect(|e| matches!(e, Event::LinkFailed(_))).await;
    assert!(
        matches!(&used, Event::LinkFailed(m) if m.contains("expired or was already used")),
        "{used:?}"
    );
}

#[tokio::test]
async fn a_browser_that_leaves_before_it_is_provisioned_comes_off_the_list_again() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 41).await;
    let mut leaving = Device::open(&relay, MemoryStore::new(), 42).await;
    let (code, out) = leaving.engine.start_link().unwrap();
    leaving.output(out).await;
    leaving
        .expect(|e| matches!(e, Event::LinkOpened { .. }))
        .await;
    let out = alice.engine.fetch_link(&code).unwrap();
    alice.output(out).await;
    alice
        .expect(|e| matches!(e, Event::LinkRequest { .. }))
        .await;
    // It closes its tab while Alice reads the prompt.
    drop(leaving);
    let out = alice.engine.allow_link(now()).await.unwrap();
    alice.output(out).await;
    let Event::UploadHistory { id, blob } = alice
        .expect(|e| matches!(e, Event::UploadHistory { .. }))
        .await
    else {
        unreachable!()
    };
    support::put_blob(relay.addr, &id, blob).await;
    let out = alice.engine.history_uploaded(true, now()).unwrap();
    alice.output(out).await;
    let failed = alice.expect(|e| matches!(e, Event::LinkFailed(_))).await;
    assert!(
        matches!(&failed, Event::LinkFailed(m) if m.contains("expired or was already used")),
        "{failed:?}"
    );
    // The device listed for it is unlisted again.
    while alice.engine.own_devices().unwrap().devices.len() != 1 {
        alice
            .expect(|e| matches!(e, Event::OwnDevicesChanged))
            .await;
    }
    assert_eq!(alice.engine.own_devices().unwrap().version, 3);
}

//! Delete my account (issue 22), over the real relay: the account's last device list names no
//! device and is signed by its key; the relay then keeps none of its devices, prekeys, queues,
//! blobs or settings (only the reserved name and that list, and removed devices' identity keys),
//! every device of the account wipes itself, and a contact sees it gone.
// clippy.toml's allow-*-in-tests does not reach the helpers outside #[test] functions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use hush_client::{Event, Kind, Status, Store};
use support::*;

#[tokio::test]
async fn a_deleted_account_leaves_only_its_name_and_contacts_see_it_gone() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let mut bob = Device::register(&relay, "bob", 2).await;
    let (phone, _) = Device::link(&relay, &mut bob, "Phone", 3).await;
    alice.deliver("bob", "hello").await;
    bob.expect(message_from("hello")).await;
    let (blob, _) = upload_sealed(&relay, &mut bob, b"a photo of bob", 4).await;
    let out = bob
        .engine
        .set_presence_visibility(hush_protocol::relay::PresenceVisibility::Nobody)
        .await
        .unwrap();
    bob.output(out).await;
    bob.settle().await;
    // Waiting for Bob while he is gone: a message queued to each of his devices.
    drop(phone.ws);
    alice.deliver("bob", "are you there?").await;
    for (table, column) in [
        ("devices", "account"),
        ("blobs", "account"),
        ("envelopes", "recipient"),
        ("presence_settings", "account"),
    ] {
        assert!(relay.rows(table, column, "bob") > 0, "{table} before");
    }

    let out = bob.engine.delete_account().unwrap();
    bob.output(out).await;
    bob.expect(|e| *e == Event::AccountDeleted).await;

    // The relay keeps Bob's name and closing list, and nothing else of his.
    for (table, column) in [
        ("devices", "account"),
        ("signed_prekeys", "account"),
        ("one_time_prekeys", "account"),
        ("envelopes", "recipient"),
        ("push_subscriptions", "account"),
        ("blobs", "account"),
        ("presence_settings", "account"),
    ] {
        assert_eq!(relay.rows(table, column, "bob"), 0, "{table} after");
    }
    assert_eq!(relay.rows("accounts", "name", "bob"), 1);
    let blob_status = reqwest::get(format!(
        "http://{}/blobs/{}",
        relay.addr,
        hush_protocol::hex::encode(&blob)
    ))
    .await
    .unwrap()
    .status();
    assert_eq!(blob_status.as_u16(), 404);

    // His other device, back online, learns it and wipes itself too.
    let mut phone = Device::open(&relay, phone.store.clone(), 5).await;
    phone.expect(|e| *e == Event::AccountDeleted).await;

    // Alice's next message fails, and her chat says why, once.
    let late = alice.send("bob", "still there?").await;
    alice.expect(status(late, Status::Failed)).await;
    let again = alice.send("bob", "hello?").await;
    alice.expect(status(again, Status::Failed)).await;
    let said: Vec<_> = alice
        .store
        .messages(&chat("bob"), None, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == Kind::AccountDeleted)
        .collect();
    assert_eq!(said.len(), 1);

    // Nobody can take the name.
    let mut thief = Device::open(&relay, hush_client::store::memory::MemoryStore::new(), 6).await;
    let out = thief.engine.create_account(&user("bob")).await.unwrap();
    thief.output(out).await;
    thief.expect(|e| *e == Event::NameTaken).await;
}

#[tokio::test]
async fn a_group_goes_on_without_a_member_who_deleted_their_account() {
    let relay = relay().await;
    let (mut devices, group) = group_of(&relay, 3, "Book club").await;
    let out = devices[2].engine.delete_account().unwrap();
    devices[2].output(out).await;
    devices[2].expect(|e| *e == Event::AccountDeleted).await;
    let _gone = devices.pop();

    let (message, out) = devices[0]
        .engine
        .send_text(&group, "still here?", now())
        .await
        .unwrap();
    devices[0].output(out).await;
    devices[0].expect(status(message.id, Status::Sent)).await;
    devices[1].expect(message_from("still here?")).await;
    // member0 never chatted with member2 alone: no chat is made just to say it.
    let chats = devices[0].store.chats().await.unwrap();
    assert!(
        chats.iter().all(|c| c.chat != chat("member2")),
        "{:?}",
        chats.iter().map(|c| c.chat.to_string()).collect::<Vec<_>>()
    );
    // member1's Delivered comes back (the deleted member's never will).
    for _ in 0..20 {
        settle_all(&mut devices).await;
        let mine = devices[0]
            .store
            .message(&message.id)
            .await
            .unwrap()
            .unwrap();
        if mine
            .group
            .unwrap()
            .receipts
            .contains(&(user("member1"), Status::Delivered))
        {
            return;
        }
    }
    panic!("member1's receipt did not come");
}

/// What a contact had queued for the account when it was deleted will never be delivered: the
/// relay tells the sender, whose message fails instead of staying at Sent for good, and the
/// notice is acknowledged (the relay keeps none). A message that reached the account stays
/// Delivered.
#[tokio::test]
async fn a_message_waiting_for_a_deleted_account_fails_for_its_sender() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let mut bob = Device::register(&relay, "bob", 2).await;
    let hello = alice.deliver("bob", "hello").await;
    bob.expect(message_from("hello")).await;
    alice.expect(status(hello, Status::Delivered)).await;
    // Bob does not read his socket now: Alice's next message waits on the relay.
    let waiting = alice.deliver("bob", "are you there?").await;
    let out = bob.engine.delete_account().unwrap();
    bob.output(out).await;

    alice.expect(status(waiting, Status::Failed)).await;
    alice.settle().await;
    assert_eq!(relay.rows("expiry_notices", "account", "alice"), 0);
    let status_of = |id| {
        let store = alice.store.clone();
        async move { store.message(&id).await.unwrap().unwrap().status }
    };
    assert_eq!(status_of(waiting).await, Status::Failed);
    assert_eq!(status_of(hello).await, Status::Delivered);
}

//! Profiles (issue 22), over the real relay: the About line and the photo travel inside the
//! encrypted `Profile` content, the photo as an encrypted blob whose key only contacts get;
//! what a contact could not show safely is left out.
// clippy.toml's allow-*-in-tests does not reach the helpers outside #[test] functions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use hush_client::content::Content;
use hush_client::{ContactProfile, Event, Status, Store};
use hush_protocol::attachment::{AttachmentPointer, Dimensions, Mime};
use support::*;

fn told<'a>(account: &'a str) -> impl Fn(&Event) -> bool + 'a {
    move |e| matches!(e, Event::Profile { account: a, .. } if a == account)
}

/// A photo as the app sends it, uploaded to `device`'s relay.
async fn upload_photo(relay: &Relay, device: &mut Device, jpeg: &[u8]) -> AttachmentPointer {
    let (blob, sealed) = upload_sealed(relay, device, jpeg, 7).await;
    AttachmentPointer {
        blob,
        key: sealed.key,
        sha256: sealed.sha256,
        ciphertext_len: sealed.ciphertext.len() as u64,
        mime: Mime::Jpeg,
        file_name: String::new(),
        dimensions: Some(Dimensions {
            width: 512,
            height: 512,
        }),
        duration_ms: None,
        thumbnail: Vec::new(),
        waveform: Vec::new(),
        caption: String::new(),
    }
}

#[tokio::test]
async fn about_and_photo_reach_a_contact_who_alone_can_open_the_photo() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let mut bob = Device::register(&relay, "bob", 2).await;
    assert!(alice.engine.set_about("two\nlines").await.is_err());
    let out = alice
        .engine
        .set_about("  مرحبا، out hiking ")
        .await
        .unwrap();
    alice.output(out).await;
    let jpeg = b"\xff\xd8\xff\xe0 a small jpeg of alice".to_vec();
    let photo = upload_photo(&relay, &mut alice, &jpeg).await;
    let out = alice.engine.set_photo(Some(photo.clone())).await.unwrap();
    alice.output(out).await;

    // With her first message Bob learns both, and the relay's blob opens only with the key.
    let hello = alice.send("bob", "hello").await;
    alice.expect(status(hello, Status::Sent)).await;
    bob.expect(message_from("hello")).await;
    let expected = ContactProfile {
        about: "مرحبا، out hiking".to_owned(),
        photo: Some(photo.clone()),
    };
    let Event::Profile { profile, .. } = bob.expect(told("alice")).await else {
        unreachable!()
    };
    assert_eq!(profile, expected);
    assert_eq!(
        bob.store.profiles().await.unwrap(),
        [(user("alice"), expected)]
    );
    let blob = get_blob(relay.addr, &photo.blob).await;
    assert_ne!(blob, jpeg);
    let opened = hush_protocol::attachment::open(&photo.key, &blob, &photo.sha256).unwrap();
    assert_eq!(opened, jpeg);

    // A new photo, and then none, reach him too; both survive a restart on her side.
    let newer = upload_photo(&relay, &mut alice, b"\xff\xd8\xff\xe0 another").await;
    let out = alice.engine.set_photo(Some(newer.clone())).await.unwrap();
    alice.output(out).await;
    let Event::Profile { profile, .. } = bob.expect(told("alice")).await else {
        unreachable!()
    };
    assert_eq!(profile.photo, Some(newer));
    let out = alice.engine.set_photo(None).await.unwrap();
    alice.output(out).await;
    let Event::Profile { profile, .. } = bob.expect(told("alice")).await else {
        unreachable!()
    };
    assert_eq!(profile.photo, None);
    let stored = alice.store.account().await.unwrap().unwrap();
    assert_eq!(
        (stored.about.as_str(), stored.photo),
        ("مرحبا، out hiking", None)
    );

    // With no name, no photo and the About line cleared, there is nothing left to say: the
    // change is still told.
    let out = alice.engine.set_about("").await.unwrap();
    alice.output(out).await;
    let Event::Profile { profile, .. } = bob.expect(told("alice")).await else {
        unreachable!()
    };
    assert_eq!(profile, ContactProfile::default());
}

#[tokio::test]
async fn a_profile_a_contact_could_not_show_safely_is_left_out() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 3).await;
    let mut bob = Device::register(&relay, "bob", 4).await;
    let mut photo = upload_photo(&relay, &mut alice, b"%PDF not a photo").await;
    (photo.mime, photo.dimensions) = (Mime::Pdf, None);
    assert!(alice.engine.set_photo(Some(photo.clone())).await.is_err());

    // A modified client sends it anyway, with an About line that reorders text around it.
    queue_raw(
        &mut alice,
        "bob",
        [9; 16],
        Content::Profile {
            display_name: "Alice".to_owned(),
            about: "evil\u{202e}txt".to_owned(),
            photo: Some(Box::new(photo)),
        },
    )
    .await;
    alice.deliver("bob", "hello").await;
    let Event::Profile { profile, .. } = bob.expect(told("alice")).await else {
        unreachable!()
    };
    assert_eq!(profile, ContactProfile::default());
    assert_eq!(
        bob.store.names().await.unwrap(),
        [(user("alice"), "Alice".to_owned())]
    );
}

#[tokio::test]
async fn our_other_devices_keep_the_accounts_about_line_and_photo() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 5).await;
    let mut bob = Device::register(&relay, "bob", 6).await;
    let out = alice.engine.set_about("Out hiking").await.unwrap();
    alice.output(out).await;
    // Linking carries the display name only: the new device learns the rest once Alice's
    // first device starts a session with it (here, sending a transcript).
    let (mut phone, _) = Device::link(&relay, &mut alice, "Phone", 7).await;
    let hello = alice.send("bob", "hello").await;
    alice.expect(status(hello, Status::Sent)).await;
    phone.expect(|e| *e == Event::OwnProfile).await;
    assert_eq!(phone.engine.account().unwrap().about, "Out hiking");

    // A new photo set on the phone reaches the first device, and contacts.
    let photo = upload_photo(&relay, &mut phone, b"\xff\xd8\xff\xe0 from the phone").await;
    let out = phone.engine.set_photo(Some(photo.clone())).await.unwrap();
    phone.output(out).await;
    // (The phone fetches Bob's devices first: its answers are handled here.)
    phone.settle().await;
    phone.settle().await;
    alice.expect(|e| *e == Event::OwnProfile).await;
    assert_eq!(alice.engine.account().unwrap().photo, Some(photo.clone()));
    assert_eq!(
        alice.store.account().await.unwrap().unwrap().photo,
        Some(photo.clone())
    );
    bob.expect(message_from("hello")).await;
    let with_photo =
        |e: &Event| matches!(e, Event::Profile { profile, .. } if profile.photo.is_some());
    let Event::Profile { profile, .. } = bob.expect(with_photo).await else {
        unreachable!()
    };
    assert_eq!(profile.photo, Some(photo));
}

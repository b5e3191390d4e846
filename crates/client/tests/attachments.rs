//! Attachments over the real relay on loopback (issue 20, the engine's part): a file encrypted
//! once, uploaded with the relay's grant, its pointer sent in a message; a contact, every
//! member of a group and our own linked device download the same blob and open identical bytes
//! (SHA-256 checked). The relay's data directory never holds a plaintext run of the file.
// clippy.toml's allow-*-in-tests does not reach the helpers outside #[test] functions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use hush_client::{ChatId, ChatMessage, Event, Kind, Status, Store};
use hush_protocol::attachment::{open, seal, AttachmentPointer, Mime, Sealed};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use support::*;

/// A file nothing else could contain by chance.
fn file(len: usize) -> Vec<u8> {
    let mut rng = ChaCha20Rng::seed_from_u64(len as u64);
    let mut bytes = vec![0u8; len];
    rand_chacha::rand_core::RngCore::fill_bytes(&mut rng, &mut bytes);
    bytes
}

/// Encrypts `plaintext`, asks `device`'s relay for a grant, uploads it: the pointer to send.
async fn upload(
    relay: &Relay,
    device: &mut Device,
    plaintext: &[u8],
    name: &str,
) -> AttachmentPointer {
    let (id, sealed) = upload_sealed(relay, device, plaintext, 7).await;
    pointer_to(id, sealed, name)
}

/// The pointer to `sealed`, uploaded as blob `id`, a plain file named `name`.
fn pointer_to(id: [u8; 32], sealed: Sealed, name: &str) -> AttachmentPointer {
    AttachmentPointer {
        blob: id,
        ciphertext_len: sealed.ciphertext.len() as u64,
        key: sealed.key,
        sha256: sealed.sha256,
        mime: Mime::File,
        file_name: name.to_owned(),
        dimensions: None,
        duration_ms: None,
        thumbnail: Vec::new(),
        waveform: Vec::new(),
        caption: String::new(),
    }
}

fn attachment_in(chat: &ChatId) -> impl Fn(&Event) -> bool + '_ {
    move |e| matches!(e, Event::Message(m) if m.chat == *chat && m.kind == Kind::Attachment)
}

/// Downloads and opens what `message` points to.
async fn download(relay: &Relay, message: &ChatMessage) -> Vec<u8> {
    let pointer = message.attachment.as_deref().expect("an attachment");
    let blob = get_blob(relay.addr, &pointer.blob).await;
    assert_eq!(blob.len() as u64, pointer.ciphertext_len);
    open(&pointer.key, &blob, &pointer.sha256).unwrap()
}

/// Whether any file under `dir` holds `needle`.
fn holds(dir: &std::path::Path, needle: &[u8]) -> bool {
    std::fs::read_dir(dir).unwrap().flatten().any(|entry| {
        let path = entry.path();
        if path.is_dir() {
            return holds(&path, needle);
        }
        let bytes = std::fs::read(&path).unwrap_or_default();
        bytes.windows(needle.len()).any(|w| w == needle)
    })
}

async fn received(device: &mut Device, chat: &ChatId) -> ChatMessage {
    let Event::Message(message) = device.expect(attachment_in(chat)).await else {
        unreachable!()
    };
    message
}

#[tokio::test]
async fn a_contact_and_our_linked_device_open_the_same_file() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let mut bob = Device::register(&relay, "bob", 2).await;
    let (mut laptop, _) = Device::link(&relay, &mut alice, "laptop", 3).await;
    let plaintext = file(300_000);
    let pointer = upload(&relay, &mut alice, &plaintext, "report.pdf").await;
    let (sent, out) = alice
        .engine
        .send_attachment(&chat("bob"), pointer, now())
        .await
        .unwrap();
    alice.output(out).await;
    assert_eq!(
        (sent.kind, sent.body.as_str()),
        (Kind::Attachment, "report.pdf")
    );
    alice.expect(status(sent.id, Status::Sent)).await;

    let got = received(&mut bob, &chat("alice")).await;
    assert!(!got.from_me);
    assert_eq!(got.id, sent.id);
    assert_eq!(download(&relay, &got).await, plaintext);
    // Kept across a reload: the store holds the pointer.
    let stored = bob.store.message(&got.id).await.unwrap().unwrap();
    assert_eq!(stored.attachment, got.attachment);

    let mine = received(&mut laptop, &chat("bob")).await;
    assert!(mine.from_me);
    assert_eq!(download(&relay, &mine).await, plaintext);

    // The relay saw ciphertext only.
    assert!(!holds(relay.data.path(), &plaintext[1_000..1_064]));
}

#[tokio::test]
async fn every_member_of_a_group_of_ten_opens_a_file_uploaded_once() {
    let relay = relay().await;
    let (mut devices, group) = group_of(&relay, 10, "Photos").await;

    let plaintext = file(200_001);
    let pointer = upload(&relay, &mut devices[0], &plaintext, "trip.mov").await;
    let (_, out) = devices[0]
        .engine
        .send_attachment(&group, pointer, now())
        .await
        .unwrap();
    devices[0].output(out).await;
    settle_all(&mut devices).await;
    for device in &mut devices[1..] {
        let got = received(device, &group).await;
        assert_eq!(got.group.as_ref().unwrap().author, "member0");
        assert_eq!(download(&relay, &got).await, plaintext);
    }
}

#[tokio::test]
async fn an_upload_too_large_is_refused_before_it_is_asked() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let too_large = hush_protocol::limits::MAX_ATTACHMENT + 1;
    assert!(alice.engine.request_upload(too_large).is_err());
}

/// Issue 20: a message of a kind a later build adds (an installed app that has not reloaded
/// yet) is stored as "Update Hush to see this message", acknowledged and confirmed: never lost,
/// and what follows it is read as usual.
#[tokio::test]
async fn a_message_of_a_kind_a_later_build_added_is_shown_and_confirmed() {
    use hush_client::{Changes, OutboxEntry, UPDATE_TO_SEE};
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let mut bob = Device::register(&relay, "bob", 2).await;
    // What a later build sends: a type in the range kept for messages people see, starting
    // with its id and time, then fields this build does not know.
    let id = [0x41; 16];
    let mut content = vec![hush_protocol::WIRE_VERSION, 0x41];
    content.extend_from_slice(&id);
    content.extend_from_slice(&now().to_be_bytes());
    content.extend_from_slice(b"a later build's fields");
    let entry = OutboxEntry {
        id,
        to: chat("bob"),
        content,
        attempts: 0,
    };
    // As the later build shows it on its own side, to follow its receipts.
    let mine = ChatMessage {
        id,
        group: None,
        kind: Kind::Text,
        chat: chat("bob"),
        from_me: true,
        body: "something new".to_owned(),
        sent_ms: now(),
        status: Status::Sending,
        attachment: None,
        reactions: Vec::new(),
        meta: Default::default(),
    };
    alice
        .store
        .commit(Changes {
            messages: vec![mine],
            outbox: vec![entry],
            ..Changes::default()
        })
        .await
        .unwrap();
    // Sent in order, ahead of a text.
    alice.deliver("bob", "and a text after it").await;
    let Event::Message(shown) = bob
        .expect(|e| matches!(e, Event::Message(m) if m.id == id))
        .await
    else {
        unreachable!()
    };
    assert_eq!(
        (shown.kind, shown.body.as_str(), shown.chat.clone()),
        (Kind::UpdateNeeded, UPDATE_TO_SEE, chat("alice"))
    );
    let stored = bob.store.message(&id).await.unwrap().expect("stored");
    let notice = Some(hush_client::model::Notice::UpdateToSee);
    assert_eq!(
        (&shown.meta.notice, &stored.meta.notice),
        (&notice, &notice)
    );
    bob.expect(message_from("and a text after it")).await;
    alice.expect(status(id, Status::Delivered)).await;
}

/// Issue 20: forwarding sends the same blob and key again; nothing is uploaded again.
#[tokio::test]
async fn a_forwarded_file_opens_without_a_new_upload() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let mut bob = Device::register(&relay, "bob", 2).await;
    let mut carol = Device::register(&relay, "carol", 3).await;
    let plaintext = file(70_000);
    let pointer = upload(&relay, &mut alice, &plaintext, "song.ogg").await;
    let (sent, out) = alice
        .engine
        .send_attachment(&chat("bob"), pointer, now())
        .await
        .unwrap();
    alice.output(out).await;
    alice.expect(status(sent.id, Status::Sent)).await;
    let got = received(&mut bob, &chat("alice")).await;

    let (forwarded, out) = bob
        .engine
        .forward(&got.id, &[chat("carol")], now())
        .await
        .unwrap();
    bob.output(out).await;
    let forwarded = &forwarded.sent[0];
    assert_ne!(forwarded.id, got.id, "a new message of Bob's");
    bob.expect(status(forwarded.id, Status::Sent)).await;
    let at_carol = received(&mut carol, &chat("bob")).await;
    assert_eq!(at_carol.attachment, got.attachment);
    assert_eq!(at_carol.meta.forwards, 1, "shown as forwarded");
    assert_eq!(download(&relay, &at_carol).await, plaintext);
    let blobs = std::fs::read_dir(relay.data.path().join("blobs"))
        .unwrap()
        .count();
    assert_eq!(blobs, 1, "one blob on the relay");
    // Only texts and attachments can be forwarded.
    assert!(bob
        .engine
        .forward(&[0; 16], &[chat("carol")], now())
        .await
        .is_err());
}

/// One request on `/uploads/<id>`: its status and `Upload-Offset`.
async fn piece(
    relay: &Relay,
    method: reqwest::Method,
    tail: &str,
    header: (&str, u64),
    body: Vec<u8>,
) -> (u16, Option<u64>) {
    let response = reqwest::Client::new()
        .request(method, format!("http://{}/uploads/{tail}", relay.addr))
        .header(header.0, header.1)
        .body(body)
        .send()
        .await
        .unwrap();
    let offset = response
        .headers()
        .get("upload-offset")
        .map(|v| v.to_str().unwrap().parse().unwrap());
    (response.status().as_u16(), offset)
}

/// Issue 20: an upload in pieces goes on after the relay restarts mid-upload, and the file
/// then reaches its recipient whole.
#[tokio::test]
async fn an_upload_resumes_after_the_relay_restarts_mid_upload() {
    use reqwest::Method;
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let bob = Device::register(&relay, "bob", 2).await;
    let plaintext = file(300_000);
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    let sealed = seal(&mut rng, &plaintext).unwrap();
    let total = sealed.ciphertext.len() as u64;
    let (request, out) = alice.engine.request_upload(total).unwrap();
    alice.output(out).await;
    let Event::UploadGranted { id, .. } = alice
        .expect(|e| matches!(e, Event::UploadGranted { request: r, .. } if *r == request))
        .await
    else {
        unreachable!()
    };
    let hex = hush_protocol::hex::encode(&id);
    let half = sealed.ciphertext[..100_000].to_vec();
    let first = piece(&relay, Method::PATCH, &hex, ("upload-offset", 0), half).await;
    assert_eq!(first, (204, Some(100_000)));

    let (alice_store, bob_store) = (alice.store.clone(), bob.store.clone());
    drop((alice, bob));
    let relay = restart(relay).await;
    let mut alice = Device::open(&relay, alice_store, 11).await;
    let mut bob = Device::open(&relay, bob_store, 12).await;
    let held = piece(&relay, Method::HEAD, &hex, ("x-none", 0), Vec::new()).await;
    assert_eq!(held, (204, Some(100_000)));
    let rest = sealed.ciphertext[100_000..].to_vec();
    let second = piece(
        &relay,
        Method::PATCH,
        &hex,
        ("upload-offset", 100_000),
        rest,
    )
    .await;
    assert_eq!(second, (204, Some(total)));
    let commit = format!("{hex}/commit");
    let done = piece(
        &relay,
        Method::POST,
        &commit,
        ("upload-length", total),
        Vec::new(),
    )
    .await;
    assert_eq!(done.0, 201);

    let pointer = pointer_to(id, sealed, "big.bin");
    let (sent, out) = alice
        .engine
        .send_attachment(&chat("bob"), pointer, now())
        .await
        .unwrap();
    alice.output(out).await;
    alice.expect(status(sent.id, Status::Sent)).await;
    let got = received(&mut bob, &chat("alice")).await;
    assert_eq!(download(&relay, &got).await, plaintext);
}

#[tokio::test]
async fn a_device_linked_later_gets_the_files_of_the_last_30_days_in_its_history() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let mut bob = Device::register(&relay, "bob", 2).await;
    let plaintext = file(70_000);
    let pointer = upload(&relay, &mut alice, &plaintext, "plan.pdf").await;
    let (sent, out) = alice
        .engine
        .send_attachment(&chat("bob"), pointer, now())
        .await
        .unwrap();
    alice.output(out).await;
    alice.expect(status(sent.id, Status::Sent)).await;
    received(&mut bob, &chat("alice")).await;

    // Linked after the file was sent: the history carries its pointer (blob and key), and
    // the blob is still on the relay.
    let (tablet, _) = Device::link(&relay, &mut alice, "tablet", 3).await;
    let history = tablet.store.messages(&chat("bob"), None, 10).await.unwrap();
    let carried = history
        .iter()
        .find(|m| m.id == sent.id)
        .expect("the file's message is in the history");
    assert_eq!(carried.kind, Kind::Attachment);
    assert_eq!(download(&relay, carried).await, plaintext);
}

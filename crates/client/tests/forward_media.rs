//! Forwarding older media over the real relay on loopback (issue 20): a young blob is pointed
//! at again; an old one of ours is renewed first (the relay agrees: we uploaded it); an old
//! one of someone else's cannot be renewed by us (the relay refuses), so it is uploaded again
//! under a fresh key and the forward points at the new blob, which opens to the same bytes.
// clippy.toml's allow-*-in-tests does not reach the helpers outside #[test] functions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use hush_client::{ChatId, ChatMessage, Event, ForwardMedia, Kind, Status, FORWARD_AS_IS_MS};
use hush_protocol::attachment::{open, AttachmentPointer, Mime};
use support::*;

/// Sixteen days on: past half a blob's life.
const LATER: u64 = FORWARD_AS_IS_MS + 24 * 60 * 60 * 1000;

/// Encrypts `plaintext` under a key from `seed`, uploads it with `device`'s grant: its pointer.
async fn upload(
    relay: &Relay,
    device: &mut Device,
    plaintext: &[u8],
    seed: u64,
) -> AttachmentPointer {
    let (id, sealed) = upload_sealed(relay, device, plaintext, seed).await;
    AttachmentPointer {
        blob: id,
        ciphertext_len: sealed.ciphertext.len() as u64,
        key: sealed.key,
        sha256: sealed.sha256,
        mime: Mime::File,
        file_name: "old.bin".to_owned(),
        dimensions: None,
        duration_ms: None,
        thumbnail: Vec::new(),
        waveform: Vec::new(),
        caption: String::new(),
    }
}

async fn received(device: &mut Device, chat: &ChatId) -> ChatMessage {
    let wanted =
        |e: &Event| matches!(e, Event::Message(m) if m.chat == *chat && m.kind == Kind::Attachment);
    let Event::Message(message) = device.expect(wanted).await else {
        unreachable!()
    };
    message
}

/// Asks `device`'s relay to renew `blob`: whether it did.
async fn renew(device: &mut Device, blob: [u8; 32]) -> bool {
    let (request, out) = device.engine.renew_blob(blob).unwrap();
    device.output(out).await;
    let answer = device
        .expect(|e| {
            matches!(e, Event::BlobRenewed { request: r } | Event::RenewRefused { request: r }
                if *r == request)
        })
        .await;
    matches!(answer, Event::BlobRenewed { .. })
}

#[tokio::test]
async fn old_media_is_renewed_by_its_uploader_or_uploaded_again_before_it_is_forwarded() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let mut bob = Device::register(&relay, "bob", 2).await;
    let mut carol = Device::register(&relay, "carol", 3).await;
    let plaintext: Vec<u8> = (0..50_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let pointer = upload(&relay, &mut alice, &plaintext, 7).await;
    let (sent, out) = alice
        .engine
        .send_attachment(&chat("bob"), pointer.clone(), now())
        .await
        .unwrap();
    alice.output(out).await;
    alice.expect(status(sent.id, Status::Sent)).await;
    let got = received(&mut bob, &chat("alice")).await;

    // Young: forwarded as it is, by anyone.
    let young = bob.engine.forward_media(&got.id, now() + 1000).await;
    assert_eq!(young.unwrap(), ForwardMedia::Reuse);

    // Old and ours: renewed by the relay (we uploaded it), then forwarded as it is.
    let ours = alice.engine.forward_media(&sent.id, now() + LATER).await;
    assert_eq!(ours.unwrap(), ForwardMedia::Renew(pointer.blob));
    assert!(renew(&mut alice, pointer.blob).await, "the uploader renews");

    // Old and Alice's: Bob cannot renew it (the relay refuses), so he uploads it again.
    let theirs = bob
        .engine
        .forward_media(&got.id, now() + LATER)
        .await
        .unwrap();
    let ForwardMedia::Reupload(old) = theirs else {
        panic!("someone else's old blob is uploaded again: {theirs:?}")
    };
    assert!(!renew(&mut bob, old.blob).await, "only the uploader renews");
    let opened = open(
        &old.key,
        &get_blob(relay.addr, &old.blob).await,
        &old.sha256,
    )
    .unwrap();
    let mut copy = upload(&relay, &mut bob, &opened, 8).await;
    assert_ne!(copy.blob, old.blob);
    assert!(copy.key != old.key, "a fresh key");
    // Not the same file: refused.
    let other = upload(&relay, &mut bob, b"another file", 9).await;
    let later = now() + LATER;
    assert!(bob
        .engine
        .forward_copy(&got.id, other, &[chat("carol")], later)
        .await
        .is_err());

    copy.file_name = old.file_name.clone();
    let (forwarded, out) = bob
        .engine
        .forward_copy(&got.id, copy.clone(), &[chat("carol")], later)
        .await
        .unwrap();
    bob.output(out).await;
    bob.expect(status(forwarded.sent[0].id, Status::Sent)).await;
    let at_carol = received(&mut carol, &chat("bob")).await;
    let pointer_at_carol = at_carol.attachment.as_deref().unwrap();
    assert_eq!(pointer_at_carol.blob, copy.blob, "the new blob");
    assert_eq!(at_carol.meta.forwards, 1, "shown as forwarded");
    let blob = get_blob(relay.addr, &pointer_at_carol.blob).await;
    let bytes = open(&pointer_at_carol.key, &blob, &pointer_at_carol.sha256).unwrap();
    assert_eq!(bytes, plaintext);

    // A forward's blob may be older than the forward: it never counts as young.
    let again = carol.engine.forward_media(&at_carol.id, later + 1000).await;
    assert!(matches!(again.unwrap(), ForwardMedia::Reupload(_)));
}

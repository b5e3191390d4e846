use rand_chacha::rand_core::SeedableRng;

use super::*;
use crate::account::LocalAccount;
use hush_protocol::devices::AccountKey;

/// The fields every earlier account form starts with (registered, next prekey id 101), under
/// `header`.
fn earlier_account(header: u8, account: &LocalAccount) -> Writer {
    let mut w = Writer::default();
    w.header(header)
        .var(account.name.as_bytes())
        .u32(account.device_id)
        .raw(account.account_key.to_bytes().as_slice())
        .raw(account.identity.to_bytes().as_slice())
        .var(&account.signed_prekey.to_bytes())
        .u8(1)
        .u32(101);
    w
}

#[test]
fn records_round_trip_and_damage_is_an_error() {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    let mut account = LocalAccount::generate(
        &Username::parse("alice").unwrap(),
        "Firefox on Linux",
        &mut rng,
    );
    account.registered = true;
    account.next_prekey_id = 101;
    account.display_name = "Alice A.".into();
    let bytes = encode_account(&account);
    let back = decode_account(&bytes).unwrap();
    assert_eq!(encode_account(&back), bytes);
    assert_eq!(back.identity.public(), account.identity.public());
    assert_eq!(back.display_name, "Alice A.");
    // An account stored before display names existed reads back without one.
    let old = decode_account(&earlier_account(ACCOUNT_V1, &account).into_bytes()).unwrap();
    // Stored before signed prekeys were rotated: its key is due at once.
    assert_eq!(old.signed_prekey_since_ms, Some(0));
    assert!(old.retired_prekeys.is_empty());
    assert_eq!(
        (old.name.as_str(), old.display_name.as_str()),
        ("alice", "")
    );
    assert_eq!(old.identity.public(), account.identity.public());

    let message = ChatMessage {
        id: [7; 16],
        group: None,
        kind: Kind::SecurityCodeChanged,
        chat: ChatId::parse("bob").unwrap(),
        from_me: true,
        body: "hi".into(),
        sent_ms: 5,
        status: Status::Read,
        attachment: None,
        reactions: Vec::new(),
        meta: Default::default(),
    };
    assert_eq!(
        decode_message(&encode_message(&message)),
        Ok(message.clone())
    );
    let entry = OutboxEntry {
        id: [8; 16],
        to: ChatId::parse("bob").unwrap(),
        content: vec![1, 2, 3],
        attempts: 2,
    };
    assert_eq!(decode_outbox(&encode_outbox(&entry)), Ok(entry.clone()));

    for bytes in [
        bytes.to_vec(),
        encode_message(&message),
        encode_outbox(&entry),
    ] {
        for cut in 0..bytes.len() {
            assert!(decode_account(&bytes[..cut]).is_err());
            assert!(decode_message(&bytes[..cut]).is_err());
            assert!(decode_outbox(&bytes[..cut]).is_err());
        }
    }
    let mut bad = encode_message(&message);
    let at = bad.len() - 2;
    bad[at] = 9;
    assert_eq!(decode_message(&bad), Err(DecodeError::Invalid("status")));
    // A group line reads back; a message stored before groups reads back without one.
    let mut in_group = message.clone();
    in_group.group = Some(GroupLine {
        author: Username::parse("carol").unwrap(),
        receipts: vec![(Username::parse("bob").unwrap(), Status::Delivered)],
    });
    assert_eq!(decode_message(&encode_message(&in_group)), Ok(in_group));
    let mut v1 = encode_message(&message);
    v1.pop();
    v1[1] = MESSAGE;
    assert_eq!(decode_message(&v1), Ok(message));
}

/// `bytes` as a build of wire version 1 wrote them (same layout, version byte 1).
fn as_v1(bytes: &[u8]) -> Vec<u8> {
    let mut bytes = bytes.to_vec();
    bytes[0] = 1;
    bytes
}

#[test]
fn records_an_earlier_build_stored_still_load() {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(2);
    let account = LocalAccount::generate(&Username::parse("alice").unwrap(), "Phone", &mut rng);
    let back = decode_account(&as_v1(&encode_account(&account))).unwrap();
    assert_eq!(back.identity.public(), account.identity.public());
    let message = ChatMessage {
        id: [7; 16],
        group: None,
        kind: Kind::UpdateNeeded,
        chat: ChatId::parse("bob").unwrap(),
        from_me: false,
        body: crate::model::UPDATE_NEEDED.into(),
        sent_ms: 5,
        status: Status::Read,
        attachment: None,
        reactions: Vec::new(),
        meta: Default::default(),
    };
    assert_eq!(
        decode_message(&encode_message(&message)),
        Ok(message.clone())
    );
    assert_eq!(
        decode_message(&as_v1(&encode_message(&message))),
        Ok(message)
    );
    // An outbox entry's content of version 1 is rewritten in ours (a peer reads it).
    let text = Content::Text {
        id: [8; 16],
        sent_ms: 9,
        body: "queued before the update".into(),
    };
    let entry = OutboxEntry {
        id: [8; 16],
        to: ChatId::parse("bob").unwrap(),
        content: as_v1(&text.encode()),
        attempts: 0,
    };
    let back = decode_outbox(&as_v1(&encode_outbox(&entry))).unwrap();
    assert_eq!(back.content, text.encode());
    assert_eq!(Content::decode(&back.content), Ok(text));
}

#[test]
fn a_group_record_of_the_first_form_reads_back_migrated() {
    use hush_protocol::groups::Op;
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(2);
    let key = AccountKey::generate(&mut rng);
    let op = Op::Create {
        name: "Climbing".into(),
        description: String::new(),
        members: vec!["bob".into()],
    };
    let creation = Change::create("alice", op, [3; 32], &key);
    let log = GroupLog::create(creation.clone(), &key.public()).unwrap();
    // Its log of the first form (type 11: changes with their states) and a held change of
    // the first form (type 9).
    let mut old_log = Writer::default();
    old_log.u8(1).u8(11).u32(1);
    old_log.var(&creation.encode()).var(&log.state().encode());
    let mut old_change = creation.encode();
    old_change[1] = 9;
    let mut v1 = Writer::default();
    v1.u8(1).u8(GROUP_V1).var(&old_log.into_bytes());
    v1.u8(0).u32(0).u32(0).u32(1).var(&old_change);
    let old = decode_group(&v1.into_bytes()).unwrap();
    assert_eq!(old.log.state(), log.state());
    assert!(old.pending.is_empty() && old.own_key.is_none());
    // Written back in the new form, it reads back the same.
    let again = decode_group(&encode_group(&old)).unwrap();
    assert_eq!(again.log, old.log);
    let new = GroupRecord {
        log,
        own_key: None,
        shared_with: Vec::new(),
        senders: Vec::new(),
        pending: vec![creation.clone()],
        proposed: vec![creation],
    };
    let back = decode_group(&encode_group(&new)).unwrap();
    assert_eq!(
        (back.log, back.pending, back.proposed),
        (new.log, new.pending, new.proposed)
    );
}

#[test]
fn an_account_keeps_its_rotation_and_one_of_the_third_form_reads_as_due() {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(2);
    let mut account = LocalAccount::generate(&Username::parse("bob").unwrap(), "Browser", &mut rng);
    let first = account.signed_prekey.public();
    assert_eq!(
        account.rotate_signed_prekey(5, &mut rng),
        crate::account::Rotation::Stored
    );
    let week = crate::account::SIGNED_PREKEY_LIFETIME_MS;
    assert_eq!(
        account.rotate_signed_prekey(5 + week, &mut rng),
        crate::account::Rotation::Replaced
    );
    let back = decode_account(&encode_account(&account)).unwrap();
    assert_eq!(back.signed_prekey_since_ms, Some(5 + week));
    assert_eq!(back.signed_prekey.id(), 2);
    let kept: Vec<_> = back
        .retired_prekeys
        .iter()
        .map(|r| r.key.public())
        .collect();
    assert_eq!(kept, [first]);
    assert_eq!(back.signed_prekey_by_id(1).map(|k| k.public()), Some(first));
    // The form before (0xA5): no rotation fields.
    let mut v3 = earlier_account(ACCOUNT_V3, &account);
    v3.var(b"Bob").var(b"Firefox");
    let old = decode_account(&v3.into_bytes()).unwrap();
    assert_eq!(
        (old.device_name.as_str(), old.signed_prekey_since_ms),
        ("Firefox", Some(0))
    );
    // More replaced keys than are ever kept is damage.
    let mut bytes = encode_account(&account).to_vec();
    // The count, then one key (a length and 100 bytes) and its time, then the presence setting
    // and read receipts (3), then an empty About line and no photo (5).
    let count_at = bytes.len() - (1 + 4 + 100 + 8 + 3 + 5);
    bytes[count_at] = 4;
    assert!(decode_account(&bytes).is_err());
}

/// Issue 19, finding 11: the presence setting is kept with the account; an account stored
/// before it existed reads back with the relay's default and nothing to send, and a setting
/// byte this build does not know is damage.
#[test]
fn the_presence_setting_is_kept_and_earlier_accounts_read_back_with_the_default() {
    use hush_protocol::relay::PresenceVisibility;
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
    let mut account = LocalAccount::generate(&Username::parse("bob").unwrap(), "Firefox", &mut rng);
    account.presence = PresenceVisibility::Nobody;
    account.presence_unsent = true;
    let bytes = encode_account(&account);
    let back = decode_account(&bytes).unwrap();
    assert_eq!(
        (back.presence, back.presence_unsent),
        (PresenceVisibility::Nobody, true)
    );
    // The form before (0xA9) is the same without the last three bytes (and the later forms'
    // About line and photo).
    let mut v4 = bytes[..bytes.len() - 3 - 5].to_vec();
    v4[1] = ACCOUNT_V4;
    let old = decode_account(&v4).unwrap();
    assert_eq!(
        (old.presence, old.presence_unsent),
        (PresenceVisibility::Everyone, false)
    );
    let mut damaged = bytes.to_vec();
    let at = damaged.len() - 3 - 5;
    damaged[at] = 7;
    assert_eq!(
        decode_account(&damaged).err(),
        Some(DecodeError::Invalid("presence visibility"))
    );
}

/// Issue 22: whether this device sends (and sees) read receipts is kept with the account; an
/// account stored before the choice existed reads back with them on.
#[test]
fn the_read_receipts_choice_is_kept_and_earlier_accounts_have_it_on() {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(4);
    let mut account = LocalAccount::generate(&Username::parse("bob").unwrap(), "Firefox", &mut rng);
    assert!(account.read_receipts);
    account.read_receipts = false;
    let bytes = encode_account(&account);
    assert!(!decode_account(&bytes).unwrap().read_receipts);
    // The form before (0xAA) is the same without the last byte (and the About line and photo).
    let mut v5 = bytes[..bytes.len() - 1 - 5].to_vec();
    v5[1] = 0xAA;
    assert!(decode_account(&v5).unwrap().read_receipts);
    let mut damaged = bytes.to_vec();
    let at = damaged.len() - 1 - 5;
    damaged[at] = 2;
    assert!(decode_account(&damaged).is_err());
}

/// Issue 22: the About line and profile photo are kept with the account (the photo's key
/// included); an account of the form before reads back with neither.
#[test]
fn the_about_line_and_photo_are_kept_and_earlier_accounts_have_none() {
    use hush_protocol::attachment::{padding, stream, AttachmentKey, Mime};
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
    let mut account = LocalAccount::generate(&Username::parse("bob").unwrap(), "Firefox", &mut rng);
    let plain = encode_account(&account);
    account.about = "عن حسابي".to_owned();
    account.photo = Some(AttachmentPointer {
        blob: [1; 32],
        key: AttachmentKey::from_bytes(&[2; AttachmentKey::LEN]),
        sha256: [3; 32],
        ciphertext_len: stream::ciphertext_len(padding::framed_len(40_000).unwrap()).unwrap(),
        mime: Mime::Jpeg,
        file_name: String::new(),
        dimensions: None,
        duration_ms: None,
        thumbnail: Vec::new(),
        waveform: Vec::new(),
        caption: String::new(),
    });
    let back = decode_account(&encode_account(&account)).unwrap();
    assert_eq!((back.about, back.photo), (account.about, account.photo));
    // The form before (0xB7) is the plain account without its last five bytes.
    let mut v6 = plain[..plain.len() - 5].to_vec();
    v6[1] = 0xB7;
    let old = decode_account(&v6).unwrap();
    assert_eq!((old.about.as_str(), old.photo), ("", None));
    let mut damaged = plain.to_vec();
    let at = damaged.len() - 1;
    damaged[at] = 2;
    assert!(decode_account(&damaged).is_err());
}

/// Issue 20: a message with an attachment keeps its pointer (a third form); one without keeps
/// the second form, which earlier builds read. A cut record is an error.
#[test]
fn a_message_with_an_attachment_keeps_its_pointer() {
    use hush_protocol::attachment::{padding, stream, AttachmentKey};
    let framed = padding::framed_len(5_000).unwrap();
    let pointer = AttachmentPointer {
        blob: [1; 32],
        key: AttachmentKey::from_bytes(&[2; AttachmentKey::LEN]),
        sha256: [3; 32],
        ciphertext_len: stream::ciphertext_len(framed).unwrap(),
        mime: hush_protocol::attachment::Mime::File,
        file_name: "notes.txt".into(),
        dimensions: None,
        duration_ms: None,
        thumbnail: Vec::new(),
        waveform: Vec::new(),
        caption: String::new(),
    };
    let mut message = ChatMessage {
        id: [7; 16],
        group: None,
        kind: Kind::Attachment,
        chat: ChatId::parse("bob").unwrap(),
        from_me: false,
        body: "notes.txt".into(),
        sent_ms: 5,
        status: Status::Delivered,
        attachment: Some(Box::new(pointer)),
        reactions: Vec::new(),
        meta: Default::default(),
    };
    let bytes = encode_message(&message);
    assert_eq!(bytes[1], MESSAGE_V3);
    assert_eq!(decode_message(&bytes), Ok(message.clone()));
    for cut in 0..bytes.len() {
        assert!(decode_message(&bytes[..cut]).is_err());
    }
    message.attachment = None;
    assert_eq!(encode_message(&message)[1], MESSAGE_V2);
}

/// Issue 21: a message with reactions keeps them (a fourth form, with or without an
/// attachment); one without any keeps its earlier form. A cut or damaged record is an error.
#[test]
fn a_message_with_reactions_keeps_them() {
    let reaction = |by: &str, emoji: &str| crate::model::Reaction {
        by: Username::parse(by).unwrap(),
        emoji: emoji.into(),
        sent_ms: 9,
    };
    let mut message = ChatMessage {
        id: [8; 16],
        group: None,
        kind: Kind::Text,
        chat: ChatId::parse("bob").unwrap(),
        from_me: true,
        body: "lunch?".into(),
        sent_ms: 5,
        status: Status::Read,
        attachment: None,
        reactions: vec![reaction("bob", "👍"), reaction("alice", "")],
        meta: Default::default(),
    };
    let bytes = encode_message(&message);
    assert_eq!(bytes[1], MESSAGE_V4);
    assert_eq!(decode_message(&bytes), Ok(message.clone()));
    for cut in 0..bytes.len() {
        assert!(decode_message(&bytes[..cut]).is_err());
    }
    // A reactor that is no account name is damage, not a panic.
    let mut damaged = bytes.clone();
    let at = damaged.len() - 8 - 4 - "alice".len();
    damaged[at] = b'!';
    assert!(decode_message(&damaged).is_err());
    message.reactions.clear();
    assert_eq!(encode_message(&message)[1], MESSAGE_V2);
}

/// Issue 21: a reply's quote, its forwards, its edit and its star are kept (a fifth form), and
/// so are the kinds a delete leaves.
#[test]
fn a_message_keeps_its_quote_forwards_edit_and_star() {
    use crate::model::{MessageMeta, MessageRef, Quote};
    let mut message = ChatMessage {
        id: [9; 16],
        group: None,
        kind: Kind::Text,
        chat: ChatId::parse("bob").unwrap(),
        from_me: false,
        body: "yes!".into(),
        sent_ms: 5,
        status: Status::Delivered,
        attachment: None,
        reactions: Vec::new(),
        meta: MessageMeta {
            quote: Some(Box::new(Quote {
                target: MessageRef {
                    author: Username::parse("alice").unwrap(),
                    id: [8; 16],
                },
                preview: "lunch?".into(),
            })),
            forwards: 2,
            edited_ms: Some(70),
            starred: true,
            expires_ms: Some(86_400_070),
            mentions: Vec::new(),
            notice: None,
        },
    };
    let bytes = encode_message(&message);
    assert_eq!(bytes[1], MESSAGE_V5);
    assert_eq!(decode_message(&bytes), Ok(message.clone()));
    for cut in 0..bytes.len() {
        assert!(decode_message(&bytes[..cut]).is_err());
    }
    let mut bad_flag = bytes.clone();
    let flag = bad_flag.len() - 9;
    bad_flag[flag] = 2;
    assert!(decode_message(&bad_flag).is_err());
    for kind in [
        Kind::Deleted,
        Kind::Hidden,
        Kind::TimerChanged,
        Kind::AccountDeleted,
    ] {
        message.kind = kind;
        message.meta = MessageMeta::default();
        let bytes = encode_message(&message);
        assert_eq!(bytes[1], MESSAGE_V2);
        assert_eq!(decode_message(&bytes), Ok(message.clone()));
    }
}

/// Issue 21: a group text's mentions are kept (a sixth form); one mentioning no one keeps the
/// earlier forms.
#[test]
fn a_message_keeps_its_mentions() {
    let mut message = ChatMessage {
        id: [4; 16],
        group: None,
        kind: Kind::Text,
        chat: ChatId::parse("bob").unwrap(),
        from_me: false,
        body: "@Carol and @dave, lunch?".into(),
        sent_ms: 5,
        status: Status::Delivered,
        attachment: None,
        reactions: Vec::new(),
        meta: Default::default(),
    };
    message.meta.mentions = vec![
        Username::parse("carol").unwrap(),
        Username::parse("dave").unwrap(),
    ];
    let bytes = encode_message(&message);
    assert_eq!(bytes[1], MESSAGE_V6);
    assert_eq!(decode_message(&bytes), Ok(message.clone()));
    for cut in 0..bytes.len() {
        assert!(decode_message(&bytes[..cut]).is_err());
    }
    let mut too_many = bytes.clone();
    // The count before "carol" (4 + 5 bytes) and "dave" (4 + 4).
    let count = bytes.len() - (4 + 5) - (4 + 4) - 1;
    assert_eq!(too_many[count], 2);
    too_many[count] = 200;
    assert!(decode_message(&too_many).is_err());
    message.meta.mentions.clear();
    assert_eq!(encode_message(&message)[1], MESSAGE_V2);
}

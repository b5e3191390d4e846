//! The seventh message form: notice lines kept as data (issue 22).

use rand_chacha::rand_core::SeedableRng;

use super::*;

/// Issue 22: a notice line keeps its notice as data (a seventh form) with its English body;
/// a line without one keeps the earlier forms.
#[test]
fn a_notice_line_keeps_its_notice() {
    use crate::model::{GroupNotice, Notice, UPDATE_NEEDED};
    let group = |change| Notice::Group {
        author: "alice".into(),
        change,
    };
    let notices = [
        group(GroupNotice::Created {
            name: "Climbing “club”".into(),
        }),
        group(GroupNotice::Added("bob".into())),
        group(GroupNotice::Removed("bob".into())),
        group(GroupNotice::Promoted("bob".into())),
        group(GroupNotice::Demoted("bob".into())),
        group(GroupNotice::InfoEdited { name: "".into() }),
        group(GroupNotice::Permissions {
            only_admins_send: true,
            only_admins_edit: false,
        }),
        group(GroupNotice::Left),
        Notice::Timer {
            setter: Username::parse("dora").unwrap(),
            timer_ms: 7 * 24 * 3600 * 1000,
        },
        Notice::UpdateNeeded,
        Notice::UpdateToSee,
    ];
    let mut message = ChatMessage {
        id: [5; 16],
        group: None,
        kind: Kind::GroupChange,
        chat: ChatId::parse("bob").unwrap(),
        from_me: false,
        body: UPDATE_NEEDED.into(),
        sent_ms: 5,
        status: Status::Read,
        attachment: None,
        reactions: Vec::new(),
        meta: Default::default(),
    };
    for notice in notices {
        message.meta.notice = Some(notice);
        let bytes = encode_message(&message);
        assert_eq!(bytes[1], MESSAGE_V7);
        assert_eq!(decode_message(&bytes), Ok(message.clone()));
        for cut in 0..bytes.len() {
            assert_eq!(decode_message(&bytes[..cut]), Err(DecodeError::Truncated));
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(decode_message(&longer), Err(DecodeError::TrailingBytes));
    }
    message.meta.notice = None;
    assert_eq!(encode_message(&message)[1], MESSAGE_V2);
}

/// A damaged notice is refused with what is wrong, never a panic.
#[test]
fn a_damaged_notice_is_refused() {
    use crate::model::{GroupNotice, Notice};
    use rand_chacha::rand_core::RngCore;
    let mut message = ChatMessage {
        id: [6; 16],
        group: None,
        kind: Kind::GroupChange,
        chat: ChatId::parse("bob").unwrap(),
        from_me: false,
        body: "alice left".into(),
        sent_ms: 5,
        status: Status::Read,
        attachment: None,
        reactions: Vec::new(),
        meta: Default::default(),
    };
    message.meta.notice = Some(Notice::Group {
        author: "alice".into(),
        change: GroupNotice::Left,
    });
    let bytes = encode_message(&message);
    // The notice is the last 1 + (4 + 5) + 1 bytes: its tag, the author, the change's tag.
    let (tag, op) = (bytes.len() - 11, bytes.len() - 1);
    let mut bad = bytes.clone();
    bad[tag] = 9;
    assert_eq!(decode_message(&bad), Err(DecodeError::Invalid("notice")));
    let mut bad = bytes.clone();
    bad[op] = 9;
    assert_eq!(
        decode_message(&bad),
        Err(DecodeError::Invalid("group notice"))
    );
    // An author of no bytes, or longer than any account.
    let mut empty = bytes[..tag + 1].to_vec();
    empty.extend_from_slice(&[0, 0, 0, 0, 7]);
    assert_eq!(
        decode_message(&empty),
        Err(DecodeError::Invalid("notice author"))
    );
    let mut long = bytes[..tag + 1].to_vec();
    long.extend_from_slice(&[0, 0, 1, 0]);
    assert!(matches!(
        decode_message(&long),
        Err(DecodeError::TooLong { .. })
    ));
    // Permission flags are 0 or 1.
    message.meta.notice = Some(Notice::Group {
        author: "alice".into(),
        change: GroupNotice::Permissions {
            only_admins_send: false,
            only_admins_edit: true,
        },
    });
    let mut bad = encode_message(&message);
    let last = bad.len() - 1;
    bad[last] = 2;
    assert_eq!(
        decode_message(&bad),
        Err(DecodeError::Invalid("edit permission"))
    );
    // A timer's setter is a username.
    message.meta.notice = Some(Notice::Timer {
        setter: Username::parse("dora").unwrap(),
        timer_ms: 0,
    });
    let mut bad = encode_message(&message);
    let first = bad.len() - 8 - 4;
    bad[first] = b'D';
    assert!(decode_message(&bad).is_err());
    // Random damage to the notice's bytes: an error or a message, never a panic.
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(22);
    let bytes = encode_message(&message);
    for _ in 0..2000 {
        let mut damaged = bytes.clone();
        let at = bytes.len() - 13 + (rng.next_u32() as usize % 13);
        damaged[at] = rng.next_u32() as u8;
        let _ = decode_message(&damaged);
    }
}

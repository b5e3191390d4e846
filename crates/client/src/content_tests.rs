//! Tests of `content.rs`.

use super::*;
use hush_protocol::attachment::pointer::Dimensions;
use hush_protocol::attachment::{padding, stream, AttachmentKey, Mime};

/// A photo's pointer (a valid padded length; the blob itself is not needed here).
fn pointer() -> AttachmentPointer {
    let framed = padding::framed_len(123_456).unwrap();
    AttachmentPointer {
        blob: [0x21; 32],
        key: AttachmentKey::from_bytes(&[0xAB; AttachmentKey::LEN]),
        sha256: [0x22; 32],
        ciphertext_len: stream::ciphertext_len(framed).unwrap(),
        mime: Mime::Png,
        file_name: "diagram.png".into(),
        dimensions: Some(Dimensions {
            width: 800,
            height: 600,
        }),
        duration_ms: None,
        thumbnail: vec![0x23; 2000],
        waveform: Vec::new(),
        caption: "the plan".into(),
    }
}

#[test]
fn the_largest_attachment_attested_fits_one_message_and_decodes() {
    use hush_protocol::limits::{
        MAX_CAPTION, MAX_CONTENT, MAX_FILE_NAME, MAX_PLAINTEXT, MAX_THUMBNAIL,
    };
    let mut largest = pointer();
    largest.file_name = "x".repeat(MAX_FILE_NAME);
    largest.thumbnail = vec![1; MAX_THUMBNAIL];
    largest.caption = "c".repeat(MAX_CAPTION);
    let sent = Content::SentAttachment {
        to: "x".repeat(MAX_CHAT_NAME),
        id: [1; 16],
        sent_ms: 2,
        pointer: largest,
    };
    let bytes = sent.encode();
    assert!(bytes.len() <= MAX_CONTENT, "{} bytes", bytes.len());
    let attested = Content::Attested {
        account_key: [1; 32],
        device_list: vec![2; hush_protocol::relay::MAX_DEVICE_LIST],
        inner: Secret(zeroize::Zeroizing::new(bytes)),
    };
    let attested_bytes = attested.encode();
    assert!(attested_bytes.len() <= MAX_PLAINTEXT);
    assert!(Content::decode(&attested_bytes).is_ok_and(|c| c == attested));
    let Content::Attested { inner, .. } = attested else {
        unreachable!()
    };
    assert_eq!(Content::decode(&inner.0), Ok(sent));
}

#[test]
fn attachments_stay_out_of_debug_output_and_bad_pointers_are_refused() {
    let content = Content::Attachment {
        id: [3; 16],
        sent_ms: 4,
        pointer: pointer(),
    };
    let shown = format!("{content:?}");
    assert!(shown.contains("AttachmentKey(<secret>)"), "{shown}");
    assert!(
        !shown.contains("171") && !shown.to_lowercase().contains("abab"),
        "{shown}"
    );
    // A file name that names a path is refused with the whole message.
    let mut bad = pointer();
    bad.file_name = "../../x".into();
    let bytes = Content::Attachment {
        id: [3; 16],
        sent_ms: 4,
        pointer: bad,
    }
    .encode();
    assert_eq!(
        Content::decode(&bytes),
        Err(DecodeError::Invalid("file name"))
    );
}

#[test]
fn the_largest_update_attested_fits_one_message_and_decodes() {
    use hush_protocol::limits::{MAX_PLAINTEXT, MAX_UPDATE};
    let attested = Content::Attested {
        account_key: [1; 32],
        device_list: vec![2; hush_protocol::relay::MAX_DEVICE_LIST],
        inner: Secret(zeroize::Zeroizing::new(vec![3; MAX_UPDATE])),
    };
    let bytes = attested.encode();
    assert!(bytes.len() <= MAX_PLAINTEXT, "{} bytes", bytes.len());
    assert!(Content::decode(&bytes).is_ok_and(|c| c == attested));
}

#[test]
fn contents_round_trip_and_garbage_is_an_error() {
    for content in [
        Content::Text {
            id: [1; 16],
            sent_ms: 42,
            body: "héllo".into(),
        },
        Content::Receipt {
            kind: ReceiptKind::Read,
            ids: vec![[2; 16], [3; 16]],
        },
        Content::Profile {
            display_name: "Zoë Q.".into(),
            about: String::new(),
            photo: None,
        },
        Content::Profile {
            display_name: String::new(),
            about: "مرحبا، أنا هنا".into(),
            photo: Some(Box::new(pointer())),
        },
        Content::Profile {
            display_name: "Zoë".into(),
            about: "Out hiking".into(),
            photo: None,
        },
        Content::Sent {
            to: "bob".into(),
            id: [4; 16],
            sent_ms: 43,
            body: "sent from my other browser".into(),
        },
        Content::ReadSync {
            chat: "bob".into(),
            ids: vec![[5; 16]],
        },
        Content::Attested {
            account_key: [6; 32],
            device_list: vec![7; 300],
            inner: Secret(zeroize::Zeroizing::new(vec![8; 40])),
        },
        Content::GroupUpdate {
            changes: vec![vec![9; 120], vec![10; 90]],
            state: Some(vec![11; 200]),
        },
        Content::GroupUpdate {
            changes: vec![vec![12; 50]],
            state: None,
        },
        Content::SenderKey {
            distribution: Secret(zeroize::Zeroizing::new(vec![13; 120])),
        },
        Content::Attachment {
            id: [14; 16],
            sent_ms: 44,
            pointer: pointer(),
        },
        Content::SentAttachment {
            to: "bob".into(),
            id: [15; 16],
            sent_ms: 45,
            pointer: pointer(),
        },
        Content::Reaction {
            target: target(),
            emoji: "👍🏽".into(),
            sent_ms: 46,
        },
        Content::SentReaction {
            to: "bob".into(),
            target: target(),
            emoji: String::new(),
            sent_ms: 47,
        },
    ] {
        let bytes = content.encode();
        assert_eq!(Content::decode(&bytes), Ok(content));
        for cut in 0..bytes.len() {
            assert!(Content::decode(&bytes[..cut]).is_err());
        }
    }
    assert!(Content::decode(&[1, 0x11, 7, 0, 0, 0, 0]).is_err());
    assert!(Content::decode(&[1, 0x99]).is_err());
}

fn target() -> MessageRef {
    MessageRef {
        author: Username::parse("alice").unwrap(),
        id: [16; 16],
    }
}

/// Issue 21: a reaction that is not an emoji (text, a direction override) or names no
/// account is refused as it is decoded.
#[test]
fn a_reaction_that_is_no_emoji_is_refused() {
    for emoji in ["ok", "\u{202E}👍", "👍 "] {
        let bytes = Content::Reaction {
            target: target(),
            emoji: emoji.into(),
            sent_ms: 1,
        }
        .encode();
        assert_eq!(
            Content::decode(&bytes),
            Err(DecodeError::Invalid("reaction"))
        );
    }
    let mut w = Writer::default();
    w.header(REACTION)
        .var(b"Not A Name")
        .raw(&[0; 16])
        .var("👍".as_bytes())
        .u64(1);
    assert!(Content::decode(&w.into_bytes()).is_err());
}

#[test]
fn secret_bytes_stay_out_of_debug_output() {
    // A sender key, alone or inside an attestation, decodes into `Secret` (zeroized on
    // drop) and never shows in logs.
    let key = Content::SenderKey {
        distribution: Secret(zeroize::Zeroizing::new(vec![0xAB; 40])),
    };
    let attested = Content::Attested {
        account_key: [1; 32],
        device_list: vec![2; 8],
        inner: Secret(zeroize::Zeroizing::new(key.encode())),
    };
    for content in [key, attested] {
        let decoded = Content::decode(&content.encode()).unwrap();
        assert_eq!(decoded, content);
        let shown = format!("{decoded:?}");
        assert!(shown.contains("Secret(..)"), "{shown}");
        assert!(!shown.contains("171"), "{shown}");
    }
}

#[test]
fn display_names_are_cleaned_or_refused() {
    assert_eq!(clean_display_name("  Ada L. "), Some("Ada L.".into()));
    assert_eq!(clean_display_name("Zoë 🌻"), Some("Zoë 🌻".into()));
    for bad in ["", "   ", "two\nlines", "evil\u{202E}txt", "tab\there"] {
        assert_eq!(clean_display_name(bad), None, "{bad:?}");
    }
    assert!(clean_display_name(&"x".repeat(MAX_DISPLAY_NAME)).is_some());
    assert!(clean_display_name(&"x".repeat(MAX_DISPLAY_NAME + 1)).is_none());
}

/// A kind of message a later build adds is read as far as every such kind goes (its id and
/// time); other unknown types stay errors, and so does a cut one.
#[test]
fn a_later_kind_of_message_reads_as_unknown() {
    let mut bytes = vec![hush_protocol::WIRE_VERSION, 0x41];
    bytes.extend_from_slice(&[5; 16]);
    bytes.extend_from_slice(&9u64.to_be_bytes());
    bytes.extend_from_slice(b"fields of a later build");
    assert_eq!(
        Content::decode(&bytes),
        Ok(Content::Unknown {
            kind: 0x41,
            id: [5; 16],
            sent_ms: 9
        })
    );
    assert!(Content::decode(&bytes[..20]).is_err());
    bytes[1] = 0x3F;
    assert_eq!(
        Content::decode(&bytes),
        Err(DecodeError::UnexpectedType(0x3F))
    );
}

/// Issue 21: a reply, a forwarded attachment, an edit, a delete, their transcripts and marks.
fn rich_contents() -> Vec<Content> {
    use crate::model::Quote;
    let reply = Rich {
        id: [20; 16],
        sent_ms: 50,
        body: "yes, at noon".into(),
        attachment: None,
        quote: Some(Quote {
            target: target(),
            preview: "lunch?".into(),
        }),
        forwards: 0,
    };
    let forwarded = Rich {
        id: [21; 16],
        sent_ms: 51,
        body: pointer().caption,
        attachment: Some(pointer()),
        quote: None,
        forwards: 3,
    };
    let edit = Content::Amend {
        id: [22; 16],
        amend: Amend::edit("fixed"),
        sent_ms: 52,
    };
    vec![
        Content::Rich(Box::new(reply.clone())),
        Content::Rich(Box::new(forwarded)),
        edit.clone(),
        Content::Amend {
            id: [23; 16],
            amend: Amend::Delete,
            sent_ms: 53,
        },
        Content::Amend {
            id: [24; 16],
            amend: Amend::Edit {
                body: "@Carol fixed".into(),
                mentions: vec![hush_protocol::Username::parse("carol").unwrap()],
            },
            sent_ms: 54,
        },
        Content::Mirror {
            to: "bob".into(),
            inner: Box::new(Content::Rich(Box::new(reply))),
        },
        Content::Mirror {
            to: "bob".into(),
            inner: Box::new(edit),
        },
        Content::Timer {
            id: [26; 16],
            sent_ms: 54,
            timer_ms: crate::model::TIMER_CHOICES[2],
        },
        Content::Mirror {
            to: "bob".into(),
            inner: Box::new(Content::Timer {
                id: [27; 16],
                sent_ms: 55,
                timer_ms: 0,
            }),
        },
        Content::Marks {
            mark: Mark::Forget,
            ids: vec![[24; 16], [25; 16]],
        },
        Content::ChatState {
            chat: "#000102030405060708090a0b0c0d0e0f".into(),
            state: crate::model::ChatState {
                archived: crate::model::Flag {
                    on: true,
                    set_ms: 56,
                },
                cleared_ms: 57,
                ..Default::default()
            },
        },
    ]
}

#[test]
fn a_chat_state_with_a_flag_neither_on_nor_off_is_refused() {
    let content = Content::ChatState {
        chat: "bob".into(),
        state: crate::model::ChatState::default(),
    };
    let mut bytes = content.encode();
    // After the header (2), the chat's length (4) and name (3): the pinned flag.
    bytes[9] = 7;
    assert!(Content::decode(&bytes).is_err());
    let long = Content::ChatState {
        chat: "b".repeat(65),
        state: crate::model::ChatState::default(),
    };
    assert!(Content::decode(&long.encode()).is_err());
}

#[test]
fn replies_forwards_edits_deletes_and_marks_round_trip() {
    for content in rich_contents() {
        let bytes = content.encode();
        assert_eq!(Content::decode(&bytes), Ok(content));
        for cut in 0..bytes.len() {
            assert!(Content::decode(&bytes[..cut]).is_err());
        }
    }
}

#[test]
fn malformed_rich_contents_are_refused() {
    let plain = Rich {
        id: [1; 16],
        sent_ms: 1,
        body: "plain".into(),
        attachment: None,
        quote: None,
        forwards: 0,
    };
    // A plain message has its own form.
    assert!(Content::decode(&Content::Rich(Box::new(plain.clone())).encode()).is_err());
    // A caption said twice, differently.
    let mut twice = plain.clone();
    twice.forwards = 1;
    twice.attachment = Some(pointer());
    assert!(Content::decode(&Content::Rich(Box::new(twice)).encode()).is_err());
    // An empty edit, and a mirror of what is no action.
    let empty = Content::Amend {
        id: [1; 16],
        amend: Amend::edit(" "),
        sent_ms: 1,
    };
    assert!(Content::decode(&empty.encode()).is_err());
    let mirror = Content::Mirror {
        to: "bob".into(),
        inner: Box::new(Content::Profile {
            display_name: "x".into(),
            about: String::new(),
            photo: None,
        }),
    };
    assert!(Content::decode(&mirror.encode()).is_err());
    // A timer that is none of the choices.
    let odd = Content::Timer {
        id: [1; 16],
        sent_ms: 1,
        timer_ms: 5,
    };
    assert!(Content::decode(&odd.encode()).is_err());
}

#[test]
fn the_longest_reply_mirrored_fits_one_message() {
    use crate::model::{Quote, MAX_PREVIEW_CHARS};
    let reply = Rich {
        id: [1; 16],
        sent_ms: 1,
        body: "x".repeat(MAX_TEXT),
        attachment: None,
        quote: Some(Quote {
            target: MessageRef {
                author: Username::parse(&"a".repeat(32)).unwrap(),
                id: [2; 16],
            },
            preview: "😀".repeat(MAX_PREVIEW_CHARS),
        }),
        forwards: 0,
    };
    let mirror = Content::Mirror {
        to: "x".repeat(MAX_CHAT_NAME),
        inner: Box::new(Content::Rich(Box::new(reply))),
    };
    let bytes = mirror.encode();
    assert!(bytes.len() <= hush_protocol::limits::MAX_CONTENT);
    assert_eq!(Content::decode(&bytes), Ok(mirror));
}

/// An edit naming no one under change 2, or someone twice, is refused (change 0 is for an
/// edit mentioning no one).
#[test]
fn an_edit_mentioning_no_one_or_someone_twice_under_change_2_is_refused() {
    let carol = hush_protocol::Username::parse("carol").unwrap();
    let edit = |mentions: Vec<hush_protocol::Username>| Content::Amend {
        id: [24; 16],
        amend: Amend::Edit {
            body: "@Carol hi".into(),
            mentions,
        },
        sent_ms: 54,
    };
    let mut bytes = edit(vec![carol.clone()]).encode();
    assert!(Content::decode(&bytes).is_ok());
    // The count (1) and the one name (its length, 4 bytes, and 5 letters) at the end.
    bytes.truncate(bytes.len() - 10);
    bytes.push(0);
    assert!(Content::decode(&bytes).is_err(), "no one");
    let twice = edit(vec![carol.clone(), carol]).encode();
    assert!(Content::decode(&twice).is_err(), "twice");
}

//! Messages: lists and pages per chat, statuses, received repeats, the chat list.

use super::{chat, ensure, message, store_error, Outcome};
use crate::model::{ChatMessage, MessageId, Status};
use crate::store::{Changes, Store};

/// Messages list per chat, oldest first, newest `limit`; statuses never move back; a received
/// repeat changes nothing; the chat list follows activity.
pub async fn messages_and_statuses(store: &impl Store) -> Outcome {
    lists(store).await?;
    statuses(store).await?;
    received(store).await?;
    chat_list(store).await?;
    attachment(store).await?;
    reactions(store).await?;
    amendments(store).await?;
    timers(store).await
}

/// Issue 21: timers are kept per chat (the last change to one holds), and `expired` finds
/// exactly the messages whose time ran out, not those deleted for us already.
async fn timers(store: &impl Store) -> Outcome {
    use crate::model::{Amendment, ChatTimer};
    let timer = |timer_ms, set_ms| ChatTimer { timer_ms, set_ms };
    let expiring = |id: u8, at: Option<u64>| -> Result<_, String> {
        let mut m = message(id, "frank", Status::Delivered)?;
        m.meta.expires_ms = at;
        Ok(m)
    };
    let changes = Changes {
        timers: vec![
            (chat("frank")?, timer(1, 1)),
            (chat("frank")?, timer(2, 2)),
            (chat("grace")?, timer(3, 3)),
        ],
        received: vec![
            expiring(80, Some(100))?,
            expiring(81, Some(200))?,
            expiring(82, None)?,
            expiring(83, Some(50))?,
        ],
        ..Changes::default()
    };
    store.commit(changes).await.map_err(store_error)?;
    let mut timers = store.timers().await.map_err(store_error)?;
    timers.sort_by_key(|(_, t)| t.set_ms);
    ensure(
        timers == [(chat("frank")?, timer(2, 2)), (chat("grace")?, timer(3, 3))],
        "each chat keeps its last timer",
    )?;
    let forget = Changes {
        amendments: vec![([83; 16], Amendment::Forget)],
        ..Changes::default()
    };
    store.commit(forget).await.map_err(store_error)?;
    let mut expired = store.expired(150, 10).await.map_err(store_error)?;
    ensure(
        expired == [[80; 16]],
        "only a message whose time ran out has expired",
    )?;
    expired = store.expired(1_000, 1).await.map_err(store_error)?;
    ensure(
        expired.len() == 1,
        "no more expired messages than asked for",
    )?;
    expired = store.expired(1_000, 10).await.map_err(store_error)?;
    expired.sort();
    ensure(
        expired == [[80; 16], [81; 16]],
        "later, both timed messages have",
    )
}

/// Issue 21: edits, deletes and stars land on the message as the same commit leaves it; the
/// newest edit wins; a delete leaves nothing but the notice; one to a message not held stores
/// nothing.
async fn amendments(store: &impl Store) -> Outcome {
    use crate::model::{Amendment, Kind, DELETED};
    let edit = |body: &str, edited_ms: u64| Amendment::Edit {
        body: body.to_owned(),
        edited_ms,
        mentions: Vec::new(),
    };
    let received = message(70, "erin", Status::Delivered)?;
    let changes = Changes {
        received: vec![received],
        amendments: vec![
            ([70; 16], edit("newest", 9)),
            ([70; 16], edit("older", 8)),
            ([70; 16], Amendment::Star(true)),
            ([71; 16], Amendment::Delete),
        ],
        ..Changes::default()
    };
    store.commit(changes).await.map_err(store_error)?;
    let stored = store.message(&[70; 16]).await.map_err(store_error)?;
    let stored = stored.ok_or_else(|| "a message went missing".to_owned())?;
    ensure(
        stored.body == "newest" && stored.meta.edited_ms == Some(9) && stored.meta.starred,
        "the newest edit and a star of a message received in the same commit hold",
    )?;
    let starred = store.starred(10).await.map_err(store_error)?;
    ensure(
        starred.iter().map(|m| m.id).collect::<Vec<_>>() == [[70; 16]],
        "the starred messages are listed",
    )?;
    let nothing = store.message(&[71; 16]).await.map_err(store_error)?;
    ensure(
        nothing.is_none(),
        "a delete of a message not held stores nothing",
    )?;
    let changes = Changes {
        amendments: vec![([70; 16], Amendment::Delete), ([70; 16], edit("back", 10))],
        ..Changes::default()
    };
    store.commit(changes).await.map_err(store_error)?;
    let stored = store.message(&[70; 16]).await.map_err(store_error)?;
    ensure(
        stored.is_some_and(|m| {
            m.kind == Kind::Deleted
                && m.body == DELETED
                && !m.meta.starred
                && m.meta.edited_ms.is_none()
        }),
        "a message deleted for everyone keeps nothing and takes no later edit",
    )?;
    let starred = store.starred(10).await.map_err(store_error)?;
    ensure(starred.is_empty(), "a deleted message is no longer starred")
}

/// Issue 21: reactions land on the message as the same commit leaves it (received in it, its
/// status moved in it); the reactor's newest wins; one to a message not held changes nothing.
async fn reactions(store: &impl Store) -> Outcome {
    use crate::model::Reaction;
    let react = |id: u8, by: &str, emoji: &str, sent_ms: u64| -> Result<_, String> {
        let by = hush_protocol::Username::parse(by).map_err(|e| e.to_string())?;
        let emoji = emoji.to_owned();
        Ok(([id; 16], Reaction { by, emoji, sent_ms }))
    };
    let received = message(60, "erin", Status::Delivered)?;
    store
        .commit(Changes {
            received: vec![received],
            statuses: vec![([60; 16], Status::Read)],
            reactions: vec![react(60, "erin", "👍", 5)?, react(61, "erin", "👍", 5)?],
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    let stored = store.message(&[60; 16]).await.map_err(store_error)?;
    let stored = stored.ok_or_else(|| "a message went missing".to_owned())?;
    ensure(
        stored.status == Status::Read && stored.reactions == [react(60, "erin", "👍", 5)?.1],
        "a reaction and a status change of a message received in one commit both hold",
    )?;
    ensure(
        store
            .message(&[61; 16])
            .await
            .map_err(store_error)?
            .is_none(),
        "a reaction to a message not held stores nothing",
    )?;
    let later = vec![react(60, "erin", "🙏", 7)?, react(60, "erin", "😮", 6)?];
    store
        .commit(Changes {
            reactions: later,
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    let stored = store.message(&[60; 16]).await.map_err(store_error)?;
    let newest = react(60, "erin", "🙏", 7)?.1;
    ensure(
        stored.is_some_and(|m| m.reactions == [newest]),
        "the reactor's newest reaction wins, whatever order they come in",
    )
}

/// A message with an attachment keeps its pointer (issue 20).
async fn attachment(store: &impl Store) -> Outcome {
    use hush_protocol::attachment::{padding, stream, AttachmentKey, AttachmentPointer, Mime};
    let framed = padding::framed_len(1_000).ok_or_else(|| "no padded length".to_owned())?;
    let pointer = AttachmentPointer {
        blob: [9; 32],
        key: AttachmentKey::from_bytes(&[8; AttachmentKey::LEN]),
        sha256: [7; 32],
        ciphertext_len: stream::ciphertext_len(framed)
            .ok_or_else(|| "no stream length".to_owned())?,
        mime: Mime::Pdf,
        file_name: "plan.pdf".to_owned(),
        dimensions: None,
        duration_ms: None,
        thumbnail: Vec::new(),
        waveform: Vec::new(),
        caption: "the plan".to_owned(),
    };
    let mut sent = message(40, "dave", Status::Sending)?;
    sent.kind = crate::model::Kind::Attachment;
    sent.attachment = Some(Box::new(pointer));
    store
        .commit(Changes {
            messages: vec![sent.clone()],
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    let stored = store.message(&sent.id).await.map_err(store_error)?;
    ensure(
        stored == Some(sent),
        "a message keeps its attachment's pointer",
    )
}

/// The ids (first byte) of `list`, in order.
fn ids(list: Vec<ChatMessage>) -> Vec<u8> {
    list.iter().map(|m| m.id[0]).collect()
}

/// A change of one message's status.
fn set(id: u8, status: Status) -> Changes {
    Changes {
        statuses: vec![([id; 16], status)],
        ..Changes::default()
    }
}

/// Where message `id` stands.
async fn status_of(store: &impl Store, id: MessageId) -> Result<Status, String> {
    store
        .message(&id)
        .await
        .map_err(store_error)?
        .map(|m| m.status)
        .ok_or_else(|| "a message went missing".to_owned())
}

/// Chats list their messages oldest first, the newest `limit`, a page before a message.
async fn lists(store: &impl Store) -> Outcome {
    let bob = chat("bob")?;
    let written = vec![
        message(1, "bob", Status::Sending)?,
        message(2, "carol", Status::Sending)?,
        message(3, "bob", Status::Sending)?,
        message(4, "bob", Status::Sending)?,
    ];
    store
        .commit(Changes {
            messages: written,
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    ensure(
        ids(store.messages(&bob, None, 10).await.map_err(store_error)?) == [1, 3, 4],
        "a chat lists its messages oldest first",
    )?;
    ensure(
        ids(store.messages(&bob, None, 2).await.map_err(store_error)?) == [3, 4],
        "a limit keeps the newest",
    )?;
    ensure(
        ids(store
            .messages(&bob, Some(&[4; 16]), 10)
            .await
            .map_err(store_error)?)
            == [1, 3],
        "a page before a message holds what arrived before it",
    )?;
    ensure(
        ids(store
            .messages(&bob, Some(&[4; 16]), 1)
            .await
            .map_err(store_error)?)
            == [3],
        "a page before a message keeps the newest of them",
    )?;
    ensure(
        store
            .messages(&bob, Some(&[2; 16]), 10)
            .await
            .map_err(store_error)?
            .is_empty(),
        "a page before another chat's message is empty",
    )?;
    pages_after(store, &bob).await
}

/// Pages forward from a message: what arrived after it in its chat, oldest first.
async fn pages_after(store: &impl Store, bob: &crate::model::ChatId) -> Outcome {
    let after = |id: u8, limit| async move {
        let id: MessageId = [id; 16];
        store.messages_after(bob, &id, limit).await
    };
    ensure(
        ids(after(1, 10).await.map_err(store_error)?) == [3, 4],
        "a page after a message holds what arrived after it",
    )?;
    ensure(
        ids(after(1, 1).await.map_err(store_error)?) == [3],
        "a page after a message keeps the oldest of them",
    )?;
    ensure(
        after(4, 10).await.map_err(store_error)?.is_empty(),
        "nothing comes after the newest message",
    )?;
    ensure(
        after(2, 10).await.map_err(store_error)?.is_empty(),
        "a page after another chat's message is empty",
    )
}

/// Statuses never move back, but a failed message can be retried.
async fn statuses(store: &impl Store) -> Outcome {
    for status in [Status::Delivered, Status::Sent, Status::Failed] {
        store.commit(set(1, status)).await.map_err(store_error)?;
    }
    ensure(
        status_of(store, [1; 16]).await? == Status::Delivered,
        "a status never moves back",
    )?;
    store
        .commit(set(3, Status::Failed))
        .await
        .map_err(store_error)?;
    store
        .commit(set(3, Status::Sending))
        .await
        .map_err(store_error)?;
    ensure(
        status_of(store, [3; 16]).await? == Status::Sending,
        "a failed message can be retried",
    )
}

/// A received message is only inserted where no message has its id; replacing a message keeps
/// its place.
async fn received(store: &impl Store) -> Outcome {
    let bob = chat("bob")?;
    let mut repeat = message(1, "bob", Status::Delivered)?;
    repeat.body = "a repeat".into();
    store
        .commit(Changes {
            received: vec![repeat, message(9, "bob", Status::Delivered)?],
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    let kept = store.message(&[1; 16]).await.map_err(store_error)?;
    ensure(
        kept.is_some_and(|m| m.body == "message 1" && m.status == Status::Delivered),
        "a received repeat leaves the stored message alone",
    )?;
    ensure(
        ids(store.messages(&bob, None, 10).await.map_err(store_error)?) == [1, 3, 4, 9],
        "a received message goes to the end of its chat",
    )?;
    // Replacing a message keeps its place in the chat.
    store
        .commit(Changes {
            messages: vec![message(1, "bob", Status::Read)?],
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    ensure(
        ids(store.messages(&bob, None, 10).await.map_err(store_error)?) == [1, 3, 4, 9],
        "a replaced message keeps its place",
    )
}

/// The chat list: most recently active first, with the newest message and unread count; a
/// status change is not activity.
async fn chat_list(store: &impl Store) -> Outcome {
    let carol = chat("carol")?;
    let mut incoming = message(5, "carol", Status::Delivered)?;
    incoming.from_me = false;
    store
        .commit(Changes {
            messages: vec![incoming],
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    let summary = || async {
        let chats = store.chats().await.map_err(store_error)?;
        Ok::<_, String>(
            chats
                .iter()
                .map(|c| (c.chat.to_string(), c.last.id[0], c.unread))
                .collect::<Vec<_>>(),
        )
    };
    ensure(
        summary().await? == [("carol".into(), 5, 1), ("bob".into(), 9, 0)],
        "the chat list is newest first with last message and unread count",
    )?;
    ensure(
        store.unread(&carol).await.map_err(store_error)? == [[5; 16]],
        "a received text not read yet is unread",
    )?;
    store
        .commit(set(5, Status::Read))
        .await
        .map_err(store_error)?;
    ensure(
        store.unread(&carol).await.map_err(store_error)?.is_empty(),
        "a text read is no longer unread",
    )?;
    ensure(
        summary().await? == [("carol".into(), 5, 0), ("bob".into(), 9, 0)],
        "reading a chat clears its unread count and keeps its place",
    )?;
    // A status change is not activity: the chat list keeps its order.
    store
        .commit(set(9, Status::Read))
        .await
        .map_err(store_error)?;
    ensure(
        summary().await?.first().is_some_and(|c| c.0 == "carol"),
        "a status change does not move a chat up",
    )
}

/// A long chat read page by page from the newest back: every message once, in order.
pub async fn pages(store: &impl Store) -> Outcome {
    let bob = chat("bob")?;
    let chat: Vec<ChatMessage> = (1..=25)
        .map(|i| message(i, "bob", Status::Sent))
        .collect::<Result<_, _>>()?;
    // Another chat's messages interleaved, which pages must skip.
    for (i, m) in chat.iter().enumerate() {
        let mut other = vec![m.clone()];
        if i % 3 == 0 {
            other.push(message(100 + i as u8, "carol", Status::Sent)?);
        }
        store
            .commit(Changes {
                messages: other,
                ..Changes::default()
            })
            .await
            .map_err(store_error)?;
    }
    let mut seen: Vec<u8> = Vec::new();
    let mut before: Option<MessageId> = None;
    for _ in 0..10 {
        let page = store
            .messages(&bob, before.as_ref(), 10)
            .await
            .map_err(store_error)?;
        let Some(first) = page.first() else { break };
        before = Some(first.id);
        let mut ids: Vec<u8> = page.iter().map(|m| m.id[0]).collect();
        ids.append(&mut seen);
        seen = ids;
    }
    ensure(
        seen == (1..=25).collect::<Vec<u8>>(),
        "paging back from the newest lists every message once, in order",
    )
}

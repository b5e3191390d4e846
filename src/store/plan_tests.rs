//! Tests of `plan.rs`.

use hush_client::store::{Changes, StoreError};
use hush_client::{ChatMessage, Kind, Status, Username};

use super::*;

fn user(name: &str) -> Username {
    Username::parse(name).unwrap()
}

fn chat(name: &str) -> ChatId {
    ChatId::parse(name).unwrap()
}

/// A stored message record, as the first round finds it.
struct Row {
    seq: f64,
    message: ChatMessage,
}

impl Stored for Row {
    fn seq(&self) -> Result<f64, StoreError> {
        Ok(self.seq)
    }

    fn message(&self) -> Result<ChatMessage, StoreError> {
        Ok(self.message.clone())
    }
}

fn text(id: u8, chat: &str, status: Status) -> ChatMessage {
    ChatMessage {
        id: [id; 16],
        kind: Kind::Text,
        chat: self::chat(chat),
        group: None,
        from_me: false,
        body: format!("text {id}"),
        sent_ms: u64::from(id),
        status,
        attachment: None,
        reactions: Vec::new(),
        meta: Default::default(),
    }
}

fn stored(seq: f64, message: ChatMessage) -> Option<Row> {
    Some(Row { seq, message })
}

/// Found with `message` alone stored, at place 2 (the newest).
fn found_at_2(message: &ChatMessage) -> Found<Row> {
    Found {
        next_seq: Some(2.0),
        messages: vec![stored(2.0, message.clone())],
        outbox: Vec::new(),
    }
}

/// Found with nothing stored under any id the changes name.
fn nothing_found(changes: &Changes, next_seq: Option<f64>) -> Found<Row> {
    Found {
        next_seq,
        messages: message_ids(changes).map(|_| None).collect(),
        outbox: changes.outbox.iter().map(|_| None).collect(),
    }
}

/// The message puts: (first id byte, place, status).
fn messages(plan: &Plan<'_>) -> Vec<(u8, f64, Status)> {
    plan.puts
        .iter()
        .filter_map(|put| match &put.record {
            Record::Message { message, seq } => Some((message.id[0], *seq, message.status)),
            _ => None,
        })
        .collect()
}

/// The chat puts: (chat, newest's place, newest's first id byte).
fn chats(plan: &Plan<'_>) -> Vec<(String, f64, u8)> {
    plan.puts
        .iter()
        .filter_map(|put| match (&put.key, &put.record) {
            (Some(Key::Text(chat)), Record::Chat { seq, newest }) => {
                Some((chat.to_string(), *seq, newest[0]))
            }
            _ => None,
        })
        .collect()
}

fn next_seq(plan: &Plan<'_>) -> Option<f64> {
    plan.puts.iter().find_map(|put| match put.record {
        Record::NextSeq(seq) => Some(seq),
        _ => None,
    })
}

/// The keys put into `store` (as text), in order.
fn keys_put(plan: &Plan<'_>, store: &str) -> Vec<String> {
    plan.puts
        .iter()
        .filter(|put| put.store == store)
        .map(|put| format!("{:?}", put.key))
        .collect()
}

fn keys_deleted(plan: &Plan<'_>, store: &str) -> Vec<String> {
    plan.deletes
        .iter()
        .filter(|delete| delete.store == store)
        .map(|delete| format!("{:?}", delete.key))
        .collect()
}

#[test]
fn new_messages_take_the_next_places_and_become_their_chats_newest() {
    let changes = Changes {
        messages: vec![text(1, "bob", Status::Sending)],
        received: vec![
            text(2, "carol", Status::Delivered),
            text(3, "bob", Status::Delivered),
        ],
        ..Changes::default()
    };
    let plan = plan(&changes, nothing_found(&changes, Some(10.0)), true).unwrap();
    assert_eq!(
        messages(&plan),
        [
            (1, 11.0, Status::Sending),
            (2, 12.0, Status::Delivered),
            (3, 13.0, Status::Delivered)
        ]
    );
    assert_eq!(
        chats(&plan),
        [("carol".to_owned(), 12.0, 2), ("bob".to_owned(), 13.0, 3)]
    );
    assert_eq!(next_seq(&plan), Some(13.0));
}

#[test]
fn a_first_commit_starts_counting_after_one() {
    let changes = Changes {
        received: vec![text(1, "bob", Status::Delivered)],
        ..Changes::default()
    };
    let plan = plan(&changes, nothing_found(&changes, None), true).unwrap();
    assert_eq!(messages(&plan), [(1, 2.0, Status::Delivered)]);
    assert_eq!(next_seq(&plan), Some(2.0));
}

#[test]
fn a_replaced_message_keeps_its_place_and_its_chat_keeps_its_newest() {
    let changes = Changes {
        messages: vec![text(1, "bob", Status::Sent)],
        ..Changes::default()
    };
    let found = Found {
        next_seq: Some(7.0),
        messages: vec![stored(3.0, text(1, "bob", Status::Sending))],
        outbox: Vec::new(),
    };
    let plan = plan(&changes, found, true).unwrap();
    assert_eq!(messages(&plan), [(1, 3.0, Status::Sent)]);
    assert_eq!(chats(&plan), []);
    assert_eq!(next_seq(&plan), Some(7.0));
}

#[test]
fn a_senders_repeat_changes_nothing() {
    let changes = Changes {
        received: vec![
            text(1, "bob", Status::Delivered),
            text(2, "bob", Status::Delivered),
            // Twice in one batch: the first holds.
            text(2, "bob", Status::Read),
        ],
        ..Changes::default()
    };
    let found = Found {
        next_seq: Some(5.0),
        messages: vec![stored(4.0, text(1, "bob", Status::Read)), None, None],
        outbox: Vec::new(),
    };
    let plan = plan(&changes, found, true).unwrap();
    assert_eq!(messages(&plan), [(2, 6.0, Status::Delivered)]);
    assert_eq!(chats(&plan), [("bob".to_owned(), 6.0, 2)]);
}

#[test]
fn statuses_only_move_on_and_land_where_the_message_is() {
    let changes = Changes {
        messages: vec![text(1, "bob", Status::Sending)],
        statuses: vec![
            // Onto the message written in this commit, at its new place.
            (([1; 16]), Status::Sent),
            // Onto a stored message, at its stored place.
            ([2; 16], Status::Read),
            // Back from Read: ignored.
            ([3; 16], Status::Delivered),
            // An id nobody knows: ignored.
            ([4; 16], Status::Read),
            // Again for a message this commit moved on: it goes on from Read, so not
            // back to Delivered.
            ([2; 16], Status::Delivered),
        ],
        ..Changes::default()
    };
    let found = Found {
        next_seq: Some(8.0),
        messages: vec![
            None,
            None,
            stored(2.0, text(2, "bob", Status::Delivered)),
            stored(3.0, text(3, "bob", Status::Read)),
            None,
            stored(2.0, text(2, "bob", Status::Delivered)),
        ],
        outbox: Vec::new(),
    };
    let plan = plan(&changes, found, true).unwrap();
    assert_eq!(
        messages(&plan),
        [
            (1, 9.0, Status::Sending),
            (1, 9.0, Status::Sent),
            (2, 2.0, Status::Read)
        ]
    );
}

#[test]
fn outbox_entries_share_the_arrival_order_and_keep_their_place() {
    let entry = |id: u8| OutboxEntry {
        id: [id; 16],
        to: chat("bob"),
        content: vec![id],
        attempts: 0,
    };
    let changes = Changes {
        received: vec![text(1, "bob", Status::Delivered)],
        outbox: vec![entry(7), entry(8)],
        outbox_done: vec![[9; 16]],
        ..Changes::default()
    };
    let mut found = nothing_found(&changes, Some(1.0));
    found.outbox[0] = stored(0.5, text(7, "bob", Status::Sending));
    let plan = plan(&changes, found, true).unwrap();
    let places: Vec<(u8, f64)> = plan
        .puts
        .iter()
        .filter_map(|put| match put.record {
            Record::Outbox { entry, seq } => Some((entry.id[0], seq)),
            _ => None,
        })
        .collect();
    assert_eq!(places, [(7, 0.5), (8, 3.0)]);
    assert_eq!(next_seq(&plan), Some(3.0));
    assert_eq!(
        keys_deleted(&plan, schema::OUTBOX),
        [format!("Text({:?})", "09".repeat(16))]
    );
}

#[test]
fn the_last_change_to_a_verified_key_or_a_muted_chat_holds() {
    let changes = Changes {
        verified: vec![
            (user("bob"), Some([1; 64])),
            (user("carol"), Some([2; 64])),
            (user("bob"), None),
        ],
        muted: vec![
            (chat("dave"), false),
            (chat("erin"), true),
            (chat("dave"), true),
            (chat("erin"), false),
        ],
        names: vec![(user("bob"), "Bob".to_owned())],
        ..Changes::default()
    };
    let plan = plan(&changes, nothing_found(&changes, Some(1.0)), true).unwrap();
    assert_eq!(keys_put(&plan, schema::VERIFIED), ["Some(Text(\"carol\"))"]);
    assert_eq!(keys_deleted(&plan, schema::VERIFIED), ["Text(\"bob\")"]);
    assert_eq!(keys_put(&plan, schema::MUTED), ["Some(Text(\"dave\"))"]);
    assert_eq!(keys_deleted(&plan, schema::MUTED), ["Text(\"erin\")"]);
    assert_eq!(keys_put(&plan, schema::NAMES), ["Some(Text(\"bob\"))"]);
    // Nothing placed: the counter is written back as it was.
    assert_eq!(next_seq(&plan), Some(1.0));
    assert_eq!(plan.puts.last().map(|put| put.store), Some(schema::META));
}

#[test]
fn prekeys_used_up_are_deleted() {
    let changes = Changes {
        used_prekeys: vec![4, 5],
        ..Changes::default()
    };
    let plan = plan(&changes, nothing_found(&changes, None), true).unwrap();
    assert_eq!(
        keys_deleted(&plan, schema::PREKEYS),
        ["Prekey(4)", "Prekey(5)"]
    );
    assert_eq!(keys_put(&plan, schema::PREKEYS), Vec::<String>::new());
}

/// A search index record put: (place, first id byte, terms).
type Indexed = (f64, u8, Vec<String>);

/// The search index records a plan puts, and the places of those it deletes.
fn indexed(plan: &Plan<'_>) -> (Vec<Indexed>, Vec<f64>) {
    let put = plan.puts.iter().filter_map(|p| match &p.record {
        Record::Search { seq, id, terms, .. } => Some((*seq, id[0], terms.clone())),
        _ => None,
    });
    let deleted = plan.deletes.iter().filter_map(|d| match d.key {
        Key::Place(seq) if d.store == schema::SEARCH => Some(seq),
        _ => None,
    });
    (put.collect(), deleted.collect())
}

fn owned(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| (*w).to_owned()).collect()
}

#[test]
fn a_message_s_terms_are_indexed_with_it_and_only_a_change_of_terms_writes_them() {
    use hush_client::model::Amendment;
    let mut received = text(4, "bob", Status::Delivered);
    received.body = "Lunch at the Café".to_owned();
    let changes = Changes {
        received: vec![received.clone()],
        ..Changes::default()
    };
    let planned = plan(&changes, nothing_found(&changes, Some(1.0)), true).unwrap();
    let (put, deleted) = indexed(&planned);
    assert_eq!(put, [(2.0, 4, owned(&["at", "cafe", "lunch", "the"]))]);
    assert!(deleted.is_empty());

    // Edited twice in one commit: one record, with the last edit's terms.
    let edit = |body: &str, edited_ms| Amendment::Edit {
        body: body.to_owned(),
        edited_ms,
        mentions: Vec::new(),
    };
    let stored_twice = |message: &ChatMessage| Found {
        next_seq: Some(2.0),
        messages: vec![stored(2.0, message.clone()), stored(2.0, message.clone())],
        outbox: Vec::new(),
    };
    let changes = Changes {
        amendments: vec![
            ([4; 16], edit("Dinner at the bar", 9)),
            ([4; 16], edit("Dinner at the Café", 10)),
        ],
        ..Changes::default()
    };
    let planned = plan(&changes, stored_twice(&received), true).unwrap();
    let (put, deleted) = indexed(&planned);
    assert_eq!(put, [(2.0, 4, owned(&["at", "cafe", "dinner", "the"]))]);
    assert!(deleted.is_empty());

    // A status change leaves the terms as they were: nothing is written to the index.
    let changes = Changes {
        statuses: vec![([4; 16], Status::Read)],
        ..Changes::default()
    };
    let found = found_at_2(&received);
    let planned = plan(&changes, found, true).unwrap();
    assert_eq!(
        keys_put(&planned, schema::MESSAGES).len(),
        1,
        "the status moved"
    );
    assert_eq!(indexed(&planned), (Vec::new(), Vec::new()));

    // Deleted for everyone: no term is left, the record goes.
    let changes = Changes {
        amendments: vec![([4; 16], Amendment::Delete)],
        ..Changes::default()
    };
    let found = found_at_2(&received);
    let planned = plan(&changes, found, true).unwrap();
    assert_eq!(indexed(&planned), (Vec::new(), vec![2.0]));

    // Without the index (a benchmark's reference) nothing is written.
    let changes = Changes {
        received: vec![received],
        ..Changes::default()
    };
    let planned = plan(&changes, nothing_found(&changes, Some(1.0)), false).unwrap();
    assert_eq!(indexed(&planned), (Vec::new(), Vec::new()));
}

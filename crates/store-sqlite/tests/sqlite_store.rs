//! The SQLite store: the whole conformance suite sealed and plain, reopening, a wrong
//! passphrase, values moved between rows, file modes, and no plaintext in the file.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cell::Cell;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use futures::executor::block_on;
use hush_client::model::{ChatId, ChatMessage, Kind, Status};
use hush_client::search::Query;
use hush_client::store::conformance;
use hush_client::{Changes, Store, StoreError, Username};
use hush_store_sqlite::{KdfParams, OpenError, Protection, SqliteStore, SCHEMA_VERSION};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zeroize::Zeroizing;

/// Argon2id made cheap for tests (the default is 64 MiB, 3 passes).
const SMALL: KdfParams = KdfParams {
    memory_kib: 64,
    iterations: 1,
    parallelism: 1,
};
const PASSPHRASE: &str = "correct horse battery staple";
const MARKER: &str = "zebra-marker-8271 lunch plans";

fn sealed() -> Protection {
    Protection::Passphrase {
        passphrase: Zeroizing::new(PASSPHRASE.to_owned()),
        kdf: SMALL,
    }
}

fn text(id: u8, chat: &str, body: &str) -> ChatMessage {
    ChatMessage {
        id: [id; 16],
        group: None,
        kind: Kind::Text,
        chat: ChatId::parse(chat).unwrap(),
        from_me: false,
        body: body.to_owned(),
        sent_ms: u64::from(id),
        status: Status::Delivered,
        attachment: None,
        reactions: Vec::new(),
        meta: Default::default(),
    }
}

fn user(name: &str) -> Username {
    Username::parse(name).unwrap()
}

fn run_conformance(protection: impl Fn() -> Protection) {
    let dir = tempfile::tempdir().unwrap();
    let made = Cell::new(0);
    let mut rng = ChaCha20Rng::seed_from_u64(24);
    let fresh = || {
        made.set(made.get() + 1);
        let path = dir.path().join(format!("store-{}.db", made.get()));
        let store = SqliteStore::create(&path, protection());
        async move { store.map_err(|e| StoreError::Backend(e.to_string())) }
    };
    let outcome = block_on(conformance::run_all(fresh, &mut rng));
    assert_eq!(outcome, Ok(()));
    assert!(made.get() > 10, "every check ran on its own store");
}

#[test]
fn a_sealed_store_passes_the_conformance_suite() {
    run_conformance(sealed);
}

#[test]
fn a_plain_store_passes_the_conformance_suite() {
    run_conformance(|| Protection::NoPassphrase);
}

/// A store with an account, prekeys, two messages (one with `MARKER`), a name and a verified key.
/// (The account is the conformance check's: "alice" on "Firefox on Linux", with sessions.)
fn filled(path: &Path, protection: Protection) {
    let store = SqliteStore::create(path, protection).unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    block_on(conformance::account_and_prekeys(&store, &mut rng)).unwrap();
    block_on(conformance::sessions(&store, &mut rng)).unwrap();
    block_on(store.commit(Changes {
        received: vec![text(1, "bob", MARKER), text(2, "bob", "second")],
        names: vec![(user("bob"), "Bob Marker-Name".to_owned())],
        verified: vec![(user("bob"), Some([9; 64]))],
        ..Changes::default()
    }))
    .unwrap();
}

fn bob() -> ChatId {
    ChatId::parse("bob").unwrap()
}

#[test]
fn reopening_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hush.db");
    filled(&path, sealed());
    let store = SqliteStore::open(&path, Some(PASSPHRASE)).unwrap();
    assert!(store.is_encrypted());
    let stored = block_on(store.account()).unwrap().unwrap();
    assert_eq!(stored.name, user("alice"));
    assert!(!block_on(store.sessions_with("bob")).unwrap().is_empty());
    let messages = block_on(store.messages(&bob(), None, 10)).unwrap();
    let bodies: Vec<&str> = messages.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, [MARKER, "second"]);
    let found = block_on(store.search(&Query::parse("zebra-mark"), None, 10)).unwrap();
    assert_eq!(found.messages.len(), 1);
    assert_eq!(block_on(store.unread(&bob())).unwrap().len(), 2);
    assert_eq!(
        block_on(store.names()).unwrap(),
        [(user("bob"), "Bob Marker-Name".to_owned())]
    );
    assert_eq!(
        block_on(store.verified(&user("bob"))).unwrap(),
        Some([9; 64])
    );
    let chats = block_on(store.chats()).unwrap();
    assert_eq!(chats.len(), 1);
    assert_eq!(chats[0].unread, 2);
    assert_eq!(chats[0].last.body, "second");
}

/// The main file's bytes, with nothing left in its write-ahead log (the store was closed).
fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn a_wrong_passphrase_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hush.db");
    filled(&path, sealed());
    let before = bytes(&path);
    let wrong = SqliteStore::open(&path, Some("Correct horse battery staple"));
    assert_eq!(wrong.err(), Some(OpenError::WrongPassphrase));
    assert_eq!(
        SqliteStore::open(&path, None).err(),
        Some(OpenError::PassphraseNeeded)
    );
    assert!(bytes(&path) == before, "the file changed");
    // And the right one still opens it.
    let store = SqliteStore::open(&path, Some(PASSPHRASE)).unwrap();
    assert_eq!(block_on(store.messages(&bob(), None, 10)).unwrap().len(), 2);
}

#[test]
fn a_plain_store_opens_only_without_a_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hush.db");
    filled(&path, Protection::NoPassphrase);
    assert_eq!(
        SqliteStore::open(&path, Some(PASSPHRASE)).err(),
        Some(OpenError::NotEncrypted)
    );
    let store = SqliteStore::open(&path, None).unwrap();
    assert!(!store.is_encrypted());
    assert_eq!(block_on(store.messages(&bob(), None, 10)).unwrap().len(), 2);
}

#[test]
fn a_new_store_never_replaces_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hush.db");
    std::fs::write(&path, b"mine").unwrap();
    let made = SqliteStore::create(&path, Protection::NoPassphrase);
    assert_eq!(made.err(), Some(OpenError::AlreadyExists));
    assert_eq!(bytes(&path), b"mine");
}

fn tamper(path: &Path, sql: &str) {
    let db = rusqlite::Connection::open(path).unwrap();
    db.execute_batch(sql).unwrap();
}

#[test]
fn a_value_moved_to_another_row_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hush.db");
    filled(&path, sealed());
    // Message 2's sealed value put in message 1's row.
    tamper(
        &path,
        "UPDATE messages SET value = (SELECT value FROM messages WHERE seq = 2) WHERE seq = 1",
    );
    let store = SqliteStore::open(&path, Some(PASSPHRASE)).unwrap();
    let moved = block_on(store.message(&[1; 16]));
    assert!(matches!(moved, Err(StoreError::Corrupt(_))), "{moved:?}");
    assert_eq!(
        block_on(store.message(&[2; 16])).unwrap().unwrap().body,
        "second"
    );
    drop(store);
    // A record moved between kinds: the verified key's value in the name's row.
    tamper(
        &path,
        "UPDATE records SET value = (SELECT value FROM records WHERE kind = 4) WHERE kind = 5",
    );
    let store = SqliteStore::open(&path, Some(PASSPHRASE)).unwrap();
    let moved = block_on(store.names());
    assert!(matches!(moved, Err(StoreError::Corrupt(_))), "{moved:?}");
}

#[test]
fn damaged_bytes_are_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hush.db");
    filled(&path, Protection::NoPassphrase);
    tamper(&path, "UPDATE messages SET value = x'0102' WHERE seq = 1");
    tamper(&path, "UPDATE records SET value = x'ff' WHERE kind = 5");
    let store = SqliteStore::open(&path, None).unwrap();
    let damaged = block_on(store.message(&[1; 16]));
    assert!(
        matches!(damaged, Err(StoreError::Corrupt(_))),
        "{damaged:?}"
    );
    let damaged = block_on(store.names());
    assert!(
        matches!(damaged, Err(StoreError::Corrupt(_))),
        "{damaged:?}"
    );
}

#[test]
fn a_newer_schema_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hush.db");
    filled(&path, sealed());
    tamper(
        &path,
        &format!("PRAGMA user_version = {}", SCHEMA_VERSION + 1),
    );
    let before = bytes(&path);
    assert_eq!(
        SqliteStore::open(&path, Some(PASSPHRASE)).err(),
        Some(OpenError::SchemaTooNew {
            found: SCHEMA_VERSION + 1,
            supported: SCHEMA_VERSION,
        })
    );
    assert!(bytes(&path) == before, "the file changed");
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn beside(path: &Path, end: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(end);
    PathBuf::from(name)
}

#[test]
fn files_are_made_for_the_owner_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hush.db");
    let store = SqliteStore::create(&path, sealed()).unwrap();
    block_on(store.commit(Changes {
        received: vec![text(1, "bob", "hello")],
        ..Changes::default()
    }))
    .unwrap();
    // Open, with a write in its log: the database, its WAL and its shared memory file.
    for file in [path.clone(), beside(&path, "-wal"), beside(&path, "-shm")] {
        assert!(
            file.exists(),
            "{} missing (not in WAL mode?)",
            file.display()
        );
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
}

/// Every file of the store, read while it is open (the log holds the latest writes).
fn all_bytes(path: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for file in [path.to_owned(), beside(path, "-wal")] {
        all.extend(std::fs::read(file).unwrap_or_default());
    }
    all
}

fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[test]
fn a_sealed_store_holds_no_plaintext() {
    let dir = tempfile::tempdir().unwrap();
    let sealed_path = dir.path().join("sealed.db");
    let plain_path = dir.path().join("plain.db");
    filled(&sealed_path, sealed());
    filled(&plain_path, Protection::NoPassphrase);
    for word in [
        "zebra-marker-8271",
        "Marker-Name",
        "alice",
        "Firefox on Linux",
    ] {
        // The plain store shows the test would see it.
        assert!(
            holds(&all_bytes(&plain_path), word),
            "{word} not in the plain store"
        );
        assert!(
            !holds(&all_bytes(&sealed_path), word),
            "{word} in the sealed store"
        );
    }
    // Nor while it is open and written to.
    let store = SqliteStore::open(&sealed_path, Some(PASSPHRASE)).unwrap();
    block_on(store.commit(Changes {
        received: vec![text(3, "carol", "open-marker-5519")],
        ..Changes::default()
    }))
    .unwrap();
    assert!(!holds(&all_bytes(&sealed_path), "open-marker-5519"));
    assert!(!holds(&all_bytes(&sealed_path), "carol"));
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let shown = format!("{:?}", sealed());
    assert!(!shown.contains(PASSPHRASE), "{shown}");
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::create(&dir.path().join("hush.db"), sealed()).unwrap();
    let shown = format!("{store:?}");
    assert!(shown.contains("redacted"), "{shown}");
}

#[test]
fn a_failed_commit_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hush.db");
    filled(&path, sealed());
    // A trigger makes the batch's last write fail, after its messages went in.
    tamper(
        &path,
        "CREATE TRIGGER refuse BEFORE INSERT ON records WHEN NEW.kind = 5 \
         BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
    );
    let store = SqliteStore::open(&path, Some(PASSPHRASE)).unwrap();
    let failed = block_on(store.commit(Changes {
        received: vec![text(5, "bob", "lost")],
        names: vec![(user("bob"), "Robert".to_owned())],
        ..Changes::default()
    }));
    assert!(matches!(failed, Err(StoreError::Backend(_))), "{failed:?}");
    assert_eq!(block_on(store.message(&[5; 16])).unwrap(), None);
    assert_eq!(block_on(store.messages(&bob(), None, 10)).unwrap().len(), 2);
}

#[test]
fn a_header_asking_for_too_much_memory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hush.db");
    filled(&path, sealed());
    // The header is read before the passphrase can be checked: its cost must be bounded.
    tamper(&path, "UPDATE header SET memory_kib = 2147483647");
    let refused = SqliteStore::open(&path, Some(PASSPHRASE));
    assert!(matches!(refused, Err(OpenError::Crypto(_))), "{refused:?}");
    let made = SqliteStore::create(
        &dir.path().join("other.db"),
        Protection::Passphrase {
            passphrase: Zeroizing::new(PASSPHRASE.to_owned()),
            kdf: KdfParams {
                iterations: 0,
                ..SMALL
            },
        },
    );
    assert!(matches!(made, Err(OpenError::Crypto(_))), "{made:?}");
    assert!(
        !dir.path().join("other.db").exists(),
        "half a store was left"
    );
}

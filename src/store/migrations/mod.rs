//! How the database came to its current schema, one version at a time, and the data
//! migrations that go with some versions.
//!
//! The browser tracks the schema version: rexie creates what a version adds when the browser's
//! copy is older. A version that changes data rather than adding stores also gets a data
//! migration, in its own file here (`v3`), run after opening; `data_version` in the meta store
//! says which ran. Never change a released version: add one.

mod star_times;
mod v12;
mod v3;

use hush_client::store::StoreError;
use rexie::{Index, ObjectStore, Rexie, RexieBuilder};

use super::error::OpenError;
use super::records::backend;
use super::schema::{self, VERSION};

/// The messages store as of version 1.
fn messages_v1() -> ObjectStore {
    ObjectStore::new(schema::MESSAGES)
        .key_path("id")
        .add_index(Index::new_array(schema::MESSAGES_BY_CHAT, ["chat", "seq"]))
}

/// Version 1: the first schema.
fn v1(builder: RexieBuilder) -> RexieBuilder {
    builder
        .add_object_store(ObjectStore::new(schema::ACCOUNT))
        .add_object_store(ObjectStore::new(schema::SESSIONS))
        .add_object_store(ObjectStore::new(schema::PREKEYS))
        .add_object_store(messages_v1())
        .add_object_store(
            ObjectStore::new(schema::OUTBOX)
                .key_path("id")
                .add_index(Index::new(schema::OUTBOX_BY_SEQ, "seq")),
        )
        .add_object_store(ObjectStore::new(schema::META))
}

/// Version 2: verified contacts (safety numbers compared).
fn v2(builder: RexieBuilder) -> RexieBuilder {
    builder.add_object_store(ObjectStore::new(schema::VERIFIED))
}

/// Version 3: the chat list and unread counts kept up to date, not computed from every
/// message. Messages stored before it get their `unread` field and chats their record from
/// the data migration [`v3::apply`].
fn v3(builder: RexieBuilder) -> RexieBuilder {
    // Re-adding a store replaces its definition: the index is added to the existing store.
    builder
        .add_object_store(
            messages_v1().add_index(Index::new(schema::MESSAGES_UNREAD, schema::UNREAD)),
        )
        .add_object_store(ObjectStore::new(schema::CHATS))
}

/// Version 4: contacts' display names.
fn v4(builder: RexieBuilder) -> RexieBuilder {
    builder.add_object_store(ObjectStore::new(schema::NAMES))
}

/// Version 5: muted chats (they never notify).
fn v5(builder: RexieBuilder) -> RexieBuilder {
    builder.add_object_store(ObjectStore::new(schema::MUTED))
}

/// Version 6: contacts' pinned account keys and device lists.
fn v6(builder: RexieBuilder) -> RexieBuilder {
    builder.add_object_store(ObjectStore::new(schema::PINNED))
}

/// Version 7: groups.
fn v7(builder: RexieBuilder) -> RexieBuilder {
    builder.add_object_store(ObjectStore::new(schema::GROUPS))
}

/// Version 8: disappearing messages and stars: each chat's timer, and messages indexed by when
/// they expire and whether they are starred (messages stored before it have neither, so no
/// field to index).
fn v8(builder: RexieBuilder) -> RexieBuilder {
    let messages = messages_v1()
        .add_index(Index::new(schema::MESSAGES_UNREAD, schema::UNREAD))
        .add_index(Index::new(schema::MESSAGES_EXPIRES, schema::EXPIRES))
        .add_index(Index::new(schema::MESSAGES_STARRED, schema::STARRED));
    builder
        .add_object_store(messages)
        .add_object_store(ObjectStore::new(schema::TIMERS))
}

// Version 11 added a search index store `terms` (one record per term of a message, key
// `[term, seq, chat, id]`), indexed by a data migration; version 12 replaced both. rexie
// deletes the stores a builder does not name, so leaving it out of the chain drops it.

/// Version 12: the search index ([`schema::SEARCH`]): one record per message, its terms under
/// a multi-entry index; messages stored before it are indexed by the data migration
/// [`v12::apply`].
fn v12(builder: RexieBuilder) -> RexieBuilder {
    let by_term = Index::new(schema::SEARCH_BY_TERM, schema::SEARCH_TERMS).multi_entry(true);
    builder.add_object_store(
        ObjectStore::new(schema::SEARCH)
            .key_path("seq")
            .add_index(by_term),
    )
}

/// Version 13: contacts' About lines and photos.
fn v13(builder: RexieBuilder) -> RexieBuilder {
    builder.add_object_store(ObjectStore::new(schema::PROFILES))
}

/// Version 9: each chat's place in the chat list (pinned, archived, ...).
fn v9(builder: RexieBuilder) -> RexieBuilder {
    builder.add_object_store(ObjectStore::new(schema::CHAT_STATES))
}

/// Opens (creating or upgrading) the database `name` at [`VERSION`], and runs the data
/// migrations it has not had. A database of a newer version is refused untouched.
pub(super) async fn open(name: &str) -> Result<Rexie, OpenError> {
    let builder = v13(v12(v9(v8(v7(v6(v5(v4(v3(v2(v1(Rexie::builder(
        name,
    )
    .version(VERSION))))))))))));
    let db = match builder.build().await {
        Ok(db) => db,
        Err(error) => {
            // The browser refuses to open a database at a version older than its own.
            return Err(match stored_version(name).await {
                Some(current_version) if current_version > VERSION => OpenError::SchemaTooNew {
                    current_version,
                    max_supported_version: VERSION,
                },
                _ => OpenError::Store(backend(error)),
            });
        }
    };
    run_data_migrations(&db).await?;
    Ok(db)
}

/// The version the database `name` has, opened without asking for one (so nothing is
/// upgraded); None if it cannot be opened.
async fn stored_version(name: &str) -> Option<u32> {
    let db = Rexie::builder(name).build().await.ok()?;
    let version = db.version().ok();
    db.close();
    version
}

/// Every data migration, in order; each checks `data_version` and does nothing if it ran.
async fn run_data_migrations(db: &Rexie) -> Result<(), StoreError> {
    v3::apply(db).await?;
    v12::apply(db).await?;
    star_times::apply(db).await
}

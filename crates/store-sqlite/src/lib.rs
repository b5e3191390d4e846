//! The Hush engine's [`hush_client::Store`] in one SQLite file (bundled SQLite), for the
//! command line and bots: it passes the same conformance suite as the memory and IndexedDB
//! stores, and keeps the same record encodings (`hush_client::store::encoding`).
//!
//! At rest, unless the user made the store with [`Protection::NoPassphrase`], every value
//! (keys, sessions, group sender keys, messages, contacts, the outbox) is sealed with
//! XChaCha20-Poly1305 under a key derived from a passphrase by Argon2id (its parameters and
//! salt kept in the header), each bound to its table and row so no value can be moved to
//! another row; row keys, chats and search terms are stored as keyed hashes. A key check in
//! the header makes a wrong passphrase [`OpenError::WrongPassphrase`] before anything is
//! written. What stays readable is listed in `migrations/v1.rs`.
//!
//! The file is created mode 0600 (SQLite gives its `-wal` and `-shm` files the same mode),
//! in WAL mode; the schema is versioned (`PRAGMA user_version`, one file per migration);
//! every [`hush_client::Changes`] batch is one transaction.
//!
//! The trait's methods are `async`, but this store runs its (short) SQLite work inline on the
//! calling task: a CLI or bot owns its store and its engine on one thread, and the trait is
//! not `Send` anyway. A caller on a multi-threaded runtime that minds a blocked worker can
//! wrap the engine in `spawn_blocking`/`LocalSet` itself.

mod commit;
mod migrations;
mod rows;
mod store;
mod vault;

use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

pub use migrations::LATEST as SCHEMA_VERSION;
pub use vault::{KdfParams, Protection};
use vault::{Vault, SALT_LEN};

/// Why a store could not be created or opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenError {
    /// The passphrase does not open this store (nothing was written).
    WrongPassphrase,
    /// The store is sealed and no passphrase was given.
    PassphraseNeeded,
    /// The store was made without a passphrase, yet one was given: it protects nothing here.
    NotEncrypted,
    /// The file was written by a newer build (nothing was written).
    SchemaTooNew {
        /// Its schema version.
        found: u32,
        /// The newest this build reads.
        supported: u32,
    },
    /// There is already a file where a new store was to be made.
    AlreadyExists,
    /// The file is not a Hush store.
    NotAStore(String),
    /// The file system failed.
    Io(String),
    /// SQLite failed.
    Sqlite(String),
    /// Key derivation or randomness failed.
    Crypto(String),
}

impl core::fmt::Display for OpenError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::WrongPassphrase => f.write_str("wrong passphrase for this store"),
            Self::PassphraseNeeded => f.write_str("this store needs its passphrase"),
            Self::NotEncrypted => {
                f.write_str("this store was made without a passphrase; open it without one")
            }
            Self::SchemaTooNew { found, supported } => write!(
                f,
                "the store's schema version {found} is newer than this build reads ({supported}); \
                 update Hush"
            ),
            Self::AlreadyExists => f.write_str("a file is already there"),
            Self::NotAStore(why) => write!(f, "not a Hush store: {why}"),
            Self::Io(why) => write!(f, "file system: {why}"),
            Self::Sqlite(why) => write!(f, "SQLite: {why}"),
            Self::Crypto(why) => write!(f, "key derivation: {why}"),
        }
    }
}

impl std::error::Error for OpenError {}

impl From<rusqlite::Error> for OpenError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Sqlite(e.to_string())
    }
}

/// The engine's store in an SQLite file.
pub struct SqliteStore {
    db: Connection,
    vault: Vault,
}

impl core::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.db.path())
            .field("vault", &self.vault)
            .finish()
    }
}

/// How long a write waits for another connection's lock before failing.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

fn connect(path: &Path) -> Result<Connection, OpenError> {
    // Never creates the file: `create` made it with the right mode, `open` needs it there.
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let db = Connection::open_with_flags(path, flags)?;
    db.busy_timeout(BUSY_TIMEOUT)?;
    Ok(db)
}

/// WAL, and deleted rows overwritten rather than left in free pages.
fn configure(db: &Connection) -> Result<(), OpenError> {
    let mode: String = db.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(OpenError::Sqlite(format!("journal mode {mode}, not WAL")));
    }
    db.pragma_update(None, "secure_delete", "ON")?;
    Ok(())
}

impl SqliteStore {
    /// Makes a new, empty store at `path` (a file that must not exist yet), created mode 0600.
    pub fn create(path: &Path, protection: Protection) -> Result<Self, OpenError> {
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => OpenError::AlreadyExists,
                _ => OpenError::Io(e.to_string()),
            })?;
        let made = Self::initialize(path, &protection);
        if made.is_err() {
            // Half a store is no store: the next attempt starts clean.
            for end in ["", "-wal", "-shm"] {
                let mut file = path.as_os_str().to_owned();
                file.push(end);
                let _ = std::fs::remove_file(file);
            }
        }
        made
    }

    fn initialize(path: &Path, protection: &Protection) -> Result<Self, OpenError> {
        let db = connect(path)?;
        configure(&db)?;
        migrations::migrate(&db)?;
        let salt = vault::random::<SALT_LEN>().map_err(OpenError::Crypto)?;
        let (vault, kdf) = match protection {
            Protection::Passphrase { passphrase, kdf } => {
                (Vault::derive(passphrase, &salt, *kdf)?, Some(*kdf))
            }
            Protection::NoPassphrase => (Vault::Plain, None),
        };
        let check = match vault.is_sealed() {
            true => Some(vault.key_check().map_err(OpenError::Crypto)?),
            false => None,
        };
        db.execute(
            "INSERT INTO header (id, sealed, salt, memory_kib, iterations, parallelism, \
             key_check, next_seq) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, 0)",
            rusqlite::params![
                vault.is_sealed(),
                kdf.map(|_| salt.to_vec()),
                kdf.map(|k| k.memory_kib),
                kdf.map(|k| k.iterations),
                kdf.map(|k| k.parallelism),
                check,
            ],
        )?;
        Ok(Self { db, vault })
    }

    /// Opens the store at `path`, with its passphrase (None for a store made without one).
    /// A wrong passphrase, a missing one or a schema newer than this build's is an error
    /// before anything in the file changes.
    pub fn open(path: &Path, passphrase: Option<&str>) -> Result<Self, OpenError> {
        if !path.is_file() {
            return Err(OpenError::Io(format!("no store at {}", path.display())));
        }
        let db = connect(path)?;
        let version = migrations::version(&db)?;
        if version > migrations::LATEST {
            return Err(OpenError::SchemaTooNew {
                found: version,
                supported: migrations::LATEST,
            });
        }
        if version == 0 {
            return Err(OpenError::NotAStore("no schema".to_owned()));
        }
        let vault = Self::unlock(&db, passphrase)?;
        configure(&db)?;
        migrations::migrate(&db)?;
        Ok(Self { db, vault })
    }

    /// The keys of the store in `db`, checked against its header (read only).
    fn unlock(db: &Connection, passphrase: Option<&str>) -> Result<Vault, OpenError> {
        type Header = (bool, Option<Vec<u8>>, Option<u32>, Option<u32>, Option<u32>);
        let header: Option<(Header, Option<Vec<u8>>)> = db
            .query_row(
                "SELECT sealed, salt, memory_kib, iterations, parallelism, key_check \
                 FROM header WHERE id = 1",
                [],
                |row| {
                    Ok((
                        (
                            row.get(0)?,
                            row.get(1)?,
                            row.get(2)?,
                            row.get(3)?,
                            row.get(4)?,
                        ),
                        row.get(5)?,
                    ))
                },
            )
            .optional()?;
        let Some(((sealed, salt, memory_kib, iterations, parallelism), check)) = header else {
            return Err(OpenError::NotAStore("no header".to_owned()));
        };
        if !sealed {
            return match passphrase {
                Some(_) => Err(OpenError::NotEncrypted),
                None => Ok(Vault::Plain),
            };
        }
        let Some(passphrase) = passphrase else {
            return Err(OpenError::PassphraseNeeded);
        };
        let (Some(salt), Some(memory_kib), Some(iterations), Some(parallelism), Some(check)) =
            (salt, memory_kib, iterations, parallelism, check)
        else {
            return Err(OpenError::NotAStore("incomplete header".to_owned()));
        };
        let kdf = KdfParams {
            memory_kib,
            iterations,
            parallelism,
        };
        let vault = Vault::derive(passphrase, &salt, kdf)?;
        match vault.checks(&check) {
            true => Ok(vault),
            false => Err(OpenError::WrongPassphrase),
        }
    }

    /// Whether values are sealed under a passphrase.
    pub fn is_encrypted(&self) -> bool {
        self.vault.is_sealed()
    }
}

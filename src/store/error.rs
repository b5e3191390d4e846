//! Why the database could not be opened.

use core::fmt;

use hush_client::store::StoreError;

use crate::text;

/// What the user is told when another tab's newer build has upgraded the database.
const TOO_NEW: &str = text::DATA_FROM_NEWER_VERSION;

/// Why [`super::IdbStore`] could not open the database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpenError {
    /// The database has a schema version newer than this build knows: another tab runs a newer
    /// build, which upgraded it, and this one must not touch it (two builds never write at
    /// once).
    SchemaTooNew {
        /// The version the database has.
        current_version: u32,
        /// The newest version this build knows.
        max_supported_version: u32,
    },
    /// The storage failed, or a data migration did.
    Store(StoreError),
}

impl From<StoreError> for OpenError {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

/// For the engine, whose errors carry a [`StoreError`]: the same words as [`OpenError`]'s.
impl From<OpenError> for StoreError {
    fn from(error: OpenError) -> Self {
        match error {
            OpenError::SchemaTooNew { .. } => StoreError::Backend(TOO_NEW.to_owned()),
            OpenError::Store(error) => error,
        }
    }
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        StoreError::from(self.clone()).fmt(f)
    }
}

impl std::error::Error for OpenError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_too_new_says_to_reload() {
        let error = OpenError::SchemaTooNew {
            current_version: 9,
            max_supported_version: 7,
        };
        assert_eq!(
            error.to_string(),
            "storage failed: a newer version of Hush has updated this browser's data: reload \
             to use it"
        );
        assert_eq!(
            StoreError::from(error).to_string(),
            OpenError::SchemaTooNew {
                current_version: 9,
                max_supported_version: 7,
            }
            .to_string()
        );
    }
}

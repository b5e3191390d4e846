//! The schema version a backend's database holds, checked the same way for every backend:
//! a version this build cannot migrate from (damaged, or written by a newer hush-server) is
//! refused before anything is touched.

use super::StoreError;

/// `stored` as a version this build can migrate from, knowing `known` migrations; `elsewhere`
/// says what else the operator could point the relay at ("another database").
pub(super) fn checked(stored: i64, known: usize, elsewhere: &str) -> Result<usize, StoreError> {
    let current = usize::try_from(stored).map_err(|_| {
        StoreError::Backend(format!(
            "the database has an invalid schema version {stored}"
        ))
    })?;
    if current > known {
        return Err(StoreError::Backend(format!(
            "database is from a newer hush-server (schema version {current}; this build knows \
             up to {known}): upgrade hush-server, or point it at {elsewhere}"
        )));
    }
    Ok(current)
}

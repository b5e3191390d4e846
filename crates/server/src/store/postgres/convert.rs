//! Conversions between the store's types and PostgreSQL values, and error mapping. Bad data
//! read back (a negative id, a key of the wrong length) is a [`StoreError::Backend`], never a
//! panic.

use tokio_postgres::error::SqlState;
use tokio_postgres::Row;

use crate::store::StoreError;

/// What an operation inside a transaction can fail with: a store outcome to report as it is,
/// or a database error (which the transaction runner may retry: a deadlock or a serialization
/// failure between nodes is not the caller's fault).
#[derive(Debug)]
pub(super) enum Failure {
    Store(StoreError),
    Db(tokio_postgres::Error),
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

impl From<tokio_postgres::Error> for Failure {
    fn from(error: tokio_postgres::Error) -> Self {
        Self::Db(error)
    }
}

impl Failure {
    /// Whether running the whole transaction again may succeed.
    pub(super) fn retryable(&self) -> bool {
        match self {
            Self::Db(error) => matches!(
                error.code(),
                Some(code) if *code == SqlState::T_R_DEADLOCK_DETECTED
                    || *code == SqlState::T_R_SERIALIZATION_FAILURE
            ),
            Self::Store(_) => false,
        }
    }

    pub(super) fn into_store(self) -> StoreError {
        match self {
            Self::Store(error) => error,
            Self::Db(error) => backend(&error),
        }
    }
}

pub(super) type Outcome<T> = Result<T, Failure>;

/// A database failure as a store error.
pub(super) fn backend(error: &tokio_postgres::Error) -> StoreError {
    StoreError::Backend(format!("postgres: {error}"))
}

/// Whether `error` is a foreign key violation (the referenced account or device is missing).
pub(super) fn is_foreign_key_violation(error: &tokio_postgres::Error) -> bool {
    error.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION)
}

/// Device list versions are client-chosen `u64`s, compared in SQL (`WHERE version < $2`): the
/// sign bit flipped maps them onto `i64` keeping their order (0 → `i64::MIN`).
pub(super) fn version_to_sql(version: u64) -> i64 {
    i64::from_ne_bytes((version ^ (1 << 63)).to_ne_bytes())
}

/// The inverse of [`version_to_sql`].
pub(super) fn version_from_sql(stored: i64) -> u64 {
    u64::from_ne_bytes(stored.to_ne_bytes()) ^ (1 << 63)
}

/// A `u64` that must fit a BIGINT as it is (timestamps, sizes, quotas are clamped by callers).
pub(super) fn to_sql(value: u64, what: &str) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::Backend(format!("{what} {value} is out of range")))
}

/// Device numbers are `u32`s, stored in a BIGINT (INTEGER is signed).
pub(super) fn device_to_sql(device: u32) -> i64 {
    i64::from(device)
}

/// Column `index` of `row` as a `u64` (it must be a non-negative BIGINT).
pub(super) fn get_u64(row: &Row, index: usize) -> Outcome<u64> {
    let value: i64 = row.try_get(index)?;
    u64::try_from(value)
        .map_err(|_| bad_data(format!("a negative value {value} in column {index}")).into())
}

/// Column `index` of `row` as a device number.
pub(super) fn get_device(row: &Row, index: usize) -> Outcome<u32> {
    let value: i64 = row.try_get(index)?;
    u32::try_from(value).map_err(|_| bad_data(format!("device number {value} out of range")).into())
}

/// Column `index` of `row` as a byte array of exactly `N` bytes.
pub(super) fn get_array<const N: usize>(row: &Row, index: usize) -> Outcome<[u8; N]> {
    let bytes: &[u8] = row.try_get(index)?;
    <[u8; N]>::try_from(bytes).map_err(|_| {
        bad_data(format!(
            "a stored value of {} bytes where {N} belong",
            bytes.len()
        ))
        .into()
    })
}

pub(super) fn bad_data(message: String) -> StoreError {
    StoreError::Backend(format!("postgres: bad stored data: {message}"))
}

/// A `usize` limit as a BIGINT `LIMIT`.
pub(super) fn limit_to_sql(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

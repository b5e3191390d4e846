//! The order of each group's changes: the first hash submitted for the epoch after a group's
//! head is kept, any other refused; the newest [`MAX_ORDERED`] epochs are kept per group.

use hush_protocol::relay::MAX_ORDERED;
use rusqlite::{params, Connection, OptionalExtension};

use super::convert::OrBackend;
use crate::store::{GroupCommit, StoreError};

fn epoch_from_sql(stored: i64) -> u64 {
    u64::try_from(stored).unwrap_or(0)
}

/// The newest epoch ordered for `group`, if any.
fn head(conn: &Connection, group: &[u8; 16]) -> Result<Option<u64>, StoreError> {
    let head: Option<i64> = conn
        .prepare_cached("SELECT MAX(epoch) FROM group_order WHERE group_id = ?1")
        .db()?
        .query_row([&group[..]], |row| row.get(0))
        .db()?;
    Ok(head.map(epoch_from_sql))
}

/// Orders `hash` as `group`'s change for `epoch`: accepted if the epoch holds that hash
/// already, or if it is the first epoch the relay sees for the group or the one after its
/// head; refused otherwise (with the head). Runs in the writer's transaction.
pub(super) fn commit(
    conn: &Connection,
    group: [u8; 16],
    epoch: u64,
    hash: [u8; 32],
) -> Result<GroupCommit, StoreError> {
    let head = head(conn, &group)?;
    let refused = GroupCommit::Refused {
        head: head.unwrap_or(0),
    };
    // Epochs past SQLite's integers are never reached by a group (one per change).
    let Ok(at) = i64::try_from(epoch) else {
        return Ok(refused);
    };
    let held: Option<Vec<u8>> = conn
        .prepare_cached("SELECT hash FROM group_order WHERE group_id = ?1 AND epoch = ?2")
        .db()?
        .query_row(params![&group[..], at], |row| row.get(0))
        .optional()
        .db()?;
    if let Some(held) = held {
        return Ok(if held == hash {
            GroupCommit::Accepted
        } else {
            refused
        });
    }
    let follows = head.is_none_or(|h| h.checked_add(1) == Some(epoch));
    if !follows {
        return Ok(refused);
    }
    conn.prepare_cached("INSERT INTO group_order (group_id, epoch, hash) VALUES (?1, ?2, ?3)")
        .db()?
        .execute(params![&group[..], at, &hash[..]])
        .db()?;
    let oldest_kept = at.saturating_sub(MAX_ORDERED as i64 - 1);
    conn.prepare_cached("DELETE FROM group_order WHERE group_id = ?1 AND epoch < ?2")
        .db()?
        .execute(params![&group[..], oldest_kept])
        .db()?;
    Ok(GroupCommit::Accepted)
}

/// The epochs ordered for `group` after `after`, oldest first, with their hashes.
pub(super) fn order(
    conn: &Connection,
    group: &[u8; 16],
    after: u64,
) -> Result<Vec<(u64, [u8; 32])>, StoreError> {
    let after = i64::try_from(after).unwrap_or(i64::MAX);
    let rows = conn
        .prepare_cached(
            "SELECT epoch, hash FROM group_order WHERE group_id = ?1 AND epoch > ?2
             ORDER BY epoch LIMIT ?3",
        )
        .db()?
        .query_map(params![&group[..], after, MAX_ORDERED as i64], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, Vec<u8>>(1)?))
        })
        .db()?
        .collect::<rusqlite::Result<Vec<_>>>()
        .db()?;
    let mut entries = Vec::with_capacity(rows.len());
    for (epoch, hash) in rows {
        let hash = <[u8; 32]>::try_from(hash.as_slice())
            .map_err(|_| StoreError::Backend("a stored group hash is not 32 bytes".to_owned()))?;
        entries.push((epoch_from_sql(epoch), hash));
    }
    Ok(entries)
}

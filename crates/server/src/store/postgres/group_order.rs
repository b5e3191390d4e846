//! The order of each group's changes: the first hash submitted for the epoch after a group's
//! head is kept, any other refused; the newest [`MAX_ORDERED`] epochs are kept per group. The
//! group's head row is locked (`SELECT … FOR UPDATE`) while a change is ordered, so two relays
//! ordering one group take turns.

use hush_protocol::relay::MAX_ORDERED;
use tokio_postgres::{GenericClient, Transaction};

use super::convert::{get_array, get_u64, limit_to_sql, Outcome};
use crate::store::GroupCommit;

pub(super) async fn commit(
    tx: &Transaction<'_>,
    group: [u8; 16],
    epoch: u64,
    hash: [u8; 32],
) -> Outcome<GroupCommit> {
    let group_sql = &group[..];
    tx.execute(
        "INSERT INTO group_heads (group_id, head) VALUES ($1, NULL) ON CONFLICT DO NOTHING",
        &[&group_sql],
    )
    .await?;
    let row = tx
        .query_one(
            "SELECT head FROM group_heads WHERE group_id = $1 FOR UPDATE",
            &[&group_sql],
        )
        .await?;
    let head: Option<u64> = match row.try_get::<_, Option<i64>>(0)? {
        Some(_) => Some(get_u64(&row, 0)?),
        None => None,
    };
    let refused = GroupCommit::Refused {
        head: head.unwrap_or(0),
    };
    // Epochs past BIGINT are never reached by a group (one per change).
    let Ok(at) = i64::try_from(epoch) else {
        return Ok(refused);
    };
    let held = tx
        .query_opt(
            "SELECT hash FROM group_order WHERE group_id = $1 AND epoch = $2",
            &[&group_sql, &at],
        )
        .await?;
    if let Some(held) = held {
        let held: &[u8] = held.try_get(0)?;
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
    tx.execute(
        "INSERT INTO group_order (group_id, epoch, hash) VALUES ($1, $2, $3)",
        &[&group_sql, &at, &&hash[..]],
    )
    .await?;
    tx.execute(
        "UPDATE group_heads SET head = $2 WHERE group_id = $1",
        &[&group_sql, &at],
    )
    .await?;
    let oldest_kept = at.saturating_sub(limit_to_sql(MAX_ORDERED) - 1);
    tx.execute(
        "DELETE FROM group_order WHERE group_id = $1 AND epoch < $2",
        &[&group_sql, &oldest_kept],
    )
    .await?;
    Ok(GroupCommit::Accepted)
}

/// The epochs ordered for `group` after `after`, oldest first, with their hashes.
pub(super) async fn order(
    c: &impl GenericClient,
    group: &[u8; 16],
    after: u64,
) -> Outcome<Vec<(u64, [u8; 32])>> {
    let after = i64::try_from(after).unwrap_or(i64::MAX);
    let rows = c
        .query(
            "SELECT epoch, hash FROM group_order WHERE group_id = $1 AND epoch > $2
             ORDER BY epoch LIMIT $3",
            &[&&group[..], &after, &limit_to_sql(MAX_ORDERED)],
        )
        .await?;
    rows.iter()
        .map(|row| Ok((get_u64(row, 0)?, get_array(row, 1)?)))
        .collect()
}

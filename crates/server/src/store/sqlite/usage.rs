//! What the queue holds (envelopes, and payload bytes per recipient device, per sender account
//! and in all), kept in memory rather than by triggers. The writer thread is the only writer,
//! so it can keep these exact: a quota check then costs no query, and a 1:1 envelope costs one
//! statement to store and one to delete. Counted from the tables when the store opens.
//!
//! A job records its changes in a [`Tally`] as its statements succeed; they join the group's
//! when the job's savepoint is released, and reach the [`Usage`] others read only when the
//! group's transaction commits. A rolled-back job or a lost transaction leaves no trace.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use rusqlite::Connection;

use super::convert::OrBackend;
use crate::store::StoreError;

/// Whose bytes a count is.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Holder {
    /// Bytes queued for a device (each envelope's payload, shared or not).
    Device(String, u32),
    /// Bytes an account stored for others (each payload once).
    Sender(String),
}

/// Changes not yet committed.
#[derive(Default)]
struct Changes {
    bytes: HashMap<Holder, i64>,
    payload_bytes: i64,
    envelopes: i64,
}

impl Changes {
    fn add(&mut self, holder: Holder, delta: i64) {
        *self.bytes.entry(holder).or_default() += delta;
    }

    fn get(&self, holder: &Holder) -> i64 {
        self.bytes.get(holder).copied().unwrap_or_default()
    }

    fn absorb(&mut self, other: Changes) {
        for (holder, delta) in other.bytes {
            self.add(holder, delta);
        }
        self.payload_bytes += other.payload_bytes;
        self.envelopes += other.envelopes;
    }
}

/// The committed counts. Only holders with bytes have an entry, so the maps are bounded by
/// what is queued.
#[derive(Default)]
pub(super) struct Usage {
    bytes: HashMap<Holder, u64>,
    payload_bytes: u64,
    envelopes: u64,
}

impl Usage {
    /// Counts what the tables hold (at open: the writer has not started).
    pub(super) fn count(conn: &Connection) -> Result<Self, StoreError> {
        let mut usage = Self::default();
        let mut changes = Changes::default();
        for_each_row(
            conn,
            "SELECT recipient, recipient_device, sum(size), count(*) FROM envelopes
             GROUP BY recipient, recipient_device",
            |row| {
                changes.add(Holder::Device(row.get(0)?, row.get(1)?), row.get(2)?);
                changes.envelopes += row.get::<_, i64>(3)?;
                Ok(())
            },
        )?;
        // Payloads stored inline are the envelope's own; shared ones are counted once.
        for sql in [
            "SELECT sender, sum(size) FROM envelopes WHERE payload_id IS NULL GROUP BY sender",
            "SELECT sender, sum(size) FROM payloads GROUP BY sender",
        ] {
            for_each_row(conn, sql, |row| {
                let size: i64 = row.get(1)?;
                changes.add(Holder::Sender(row.get(0)?), size);
                changes.payload_bytes += size;
                Ok(())
            })?;
        }
        usage.apply(changes);
        Ok(usage)
    }

    pub(super) fn device(&self, name: &str, device: u32) -> u64 {
        self.get(&Holder::Device(name.to_owned(), device))
    }

    pub(super) fn sender(&self, name: &str) -> u64 {
        self.get(&Holder::Sender(name.to_owned()))
    }

    pub(super) fn payload_bytes(&self) -> u64 {
        self.payload_bytes
    }

    pub(super) fn envelopes(&self) -> u64 {
        self.envelopes
    }

    fn get(&self, holder: &Holder) -> u64 {
        self.bytes.get(holder).copied().unwrap_or_default()
    }

    fn apply(&mut self, changes: Changes) {
        for (holder, delta) in changes.bytes {
            let now = add_signed(self.get(&holder), delta);
            if now == 0 {
                self.bytes.remove(&holder);
            } else {
                self.bytes.insert(holder, now);
            }
        }
        self.payload_bytes = add_signed(self.payload_bytes, changes.payload_bytes);
        self.envelopes = add_signed(self.envelopes, changes.envelopes);
    }
}

/// Never below zero, whatever a miscount says.
fn add_signed(value: u64, delta: i64) -> u64 {
    if delta >= 0 {
        value.saturating_add(delta.unsigned_abs())
    } else {
        value.saturating_sub(delta.unsigned_abs())
    }
}

fn for_each_row(
    conn: &Connection,
    sql: &str,
    mut each: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<()>,
) -> Result<(), StoreError> {
    let mut statement = conn.prepare(sql).db()?;
    let mut rows = statement.query([]).db()?;
    while let Some(row) = rows.next().db()? {
        each(row).db()?;
    }
    Ok(())
}

/// Reads `usage` even if a thread panicked holding it (the counts stay usable).
pub(super) fn read<T>(usage: &Mutex<Usage>, read: impl FnOnce(&Usage) -> T) -> T {
    read(&usage.lock().unwrap_or_else(PoisonError::into_inner))
}

/// The writer's view while a group runs: the committed counts, the group's changes so far and
/// the running job's.
pub(super) struct Tally<'a> {
    committed: &'a Mutex<Usage>,
    group: Changes,
    job: Changes,
}

impl<'a> Tally<'a> {
    pub(super) fn new(committed: &'a Mutex<Usage>) -> Self {
        Self {
            committed,
            group: Changes::default(),
            job: Changes::default(),
        }
    }

    /// An envelope of `size` bytes queued for a device (`gone`: deleted).
    pub(super) fn envelope(&mut self, (name, device): (&str, u32), size: i64, gone: bool) {
        let sign = if gone { -1 } else { 1 };
        self.job
            .add(Holder::Device(name.to_owned(), device), sign * size);
        self.job.envelopes += sign;
    }

    /// A payload of `size` bytes stored by `sender` (`gone`: deleted).
    pub(super) fn payload(&mut self, sender: &str, size: i64, gone: bool) {
        let delta = if gone { -size } else { size };
        self.job.add(Holder::Sender(sender.to_owned()), delta);
        self.job.payload_bytes += delta;
    }

    /// Bytes queued for the device, counting what this group has done so far.
    pub(super) fn device_bytes(&self, name: &str, device: u32) -> u64 {
        self.current(Holder::Device(name.to_owned(), device))
    }

    /// Bytes the account has stored for others, counting what this group has done so far.
    pub(super) fn sender_bytes(&self, name: &str) -> u64 {
        self.current(Holder::Sender(name.to_owned()))
    }

    fn current(&self, holder: Holder) -> u64 {
        let committed = read(self.committed, |usage| usage.get(&holder));
        let pending = self.group.get(&holder) + self.job.get(&holder);
        add_signed(committed, pending)
    }

    /// The running job's changes are in the transaction (it succeeded, or it has no savepoint
    /// and what it did before failing stays).
    pub(super) fn keep_job(&mut self) {
        let job = std::mem::take(&mut self.job);
        self.group.absorb(job);
    }

    /// The running job was rolled back to its savepoint.
    pub(super) fn drop_job(&mut self) {
        self.job = Changes::default();
    }

    /// The group's transaction committed: others now see its changes.
    pub(super) fn commit(self) {
        let Self {
            committed, group, ..
        } = self;
        committed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .apply(group);
    }
}

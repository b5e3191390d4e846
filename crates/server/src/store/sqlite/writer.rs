//! Group commit: one thread owns the only write connection and runs every write.
//!
//! Callers send a job and block on its reply. The writer thread takes everything queued (up to
//! [`GROUP_LIMIT`] envelopes' worth), runs each job in its own savepoint inside one
//! `BEGIN IMMEDIATE` transaction and commits once. A job that fails is rolled back to its
//! savepoint alone; the rest of the group still commits.
//!
//! The commit writes the group to the WAL without waiting for the disk (`synchronous=NORMAL`);
//! the group then goes to the sync thread, which fdatasyncs the WAL once for every group that
//! committed since its last sync and only then answers the callers. So an answer still means
//! "on disk" (as with `synchronous=FULL`), but the writer runs the next group while the disk
//! flushes the previous one. If the transaction is lost (commit failure, I/O error) or the sync
//! fails, every job that had succeeded is answered with that failure: no caller is told "stored"
//! for something that is not. After a failed sync the store refuses further writes (the kernel
//! may have dropped the unsynced pages).

use std::fs::OpenOptions;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;

use rusqlite::Connection;

use crate::store::StoreError;

/// The most envelopes (or acknowledged ids) one transaction takes from the queue. A single
/// bigger call still runs, alone.
pub(super) const GROUP_LIMIT: usize = 4096;

/// A write waiting for the writer thread.
trait Job: Send {
    /// How much it counts towards [`GROUP_LIMIT`].
    fn weight(&self) -> usize;
    /// Runs it inside the open transaction (again, if the group is retried); whether it
    /// succeeded.
    fn run(&mut self, conn: &Connection) -> bool;
    /// Sends the outcome to the caller. `lost` is why the group is not durably committed, if it
    /// is not: it replaces a success.
    fn answer(self: Box<Self>, lost: Option<&str>);
}

struct Call<T, F> {
    work: F,
    weight: usize,
    outcome: Option<Result<T, StoreError>>,
    reply: SyncSender<Result<T, StoreError>>,
}

impl<T, F> Job for Call<T, F>
where
    T: Send,
    F: Fn(&Connection) -> Result<T, StoreError> + Send,
{
    fn weight(&self) -> usize {
        self.weight
    }

    fn run(&mut self, conn: &Connection) -> bool {
        let outcome = (self.work)(conn);
        let succeeded = outcome.is_ok();
        self.outcome = Some(outcome);
        succeeded
    }

    fn answer(self: Box<Self>, lost: Option<&str>) {
        let outcome = match (self.outcome, lost) {
            (Some(Err(error)), _) => Err(error),
            (Some(Ok(_)) | None, Some(why)) => Err(StoreError::Backend(why.to_owned())),
            (Some(Ok(value)), None) => Ok(value),
            (None, None) => Err(StoreError::Backend("a write never ran".to_owned())),
        };
        // The caller only goes away if its thread died; nothing to tell then.
        let _ = self.reply.send(outcome);
    }
}

/// A group on its way from the writer thread to the sync thread.
struct Committed {
    jobs: Vec<Box<dyn Job>>,
    /// Why the group did not commit, if it did not.
    lost: Option<String>,
}

/// The handle on the writer and sync threads. Dropping it lets them finish what is queued,
/// close the connection, and waits for that.
pub(super) struct Writer {
    jobs: Option<Sender<Box<dyn Job>>>,
    threads: Vec<JoinHandle<()>>,
}

impl Writer {
    /// Starts the threads; the writer owns `conn` from now on. `wal` is the database's
    /// write-ahead log, which the sync thread flushes.
    pub(super) fn start(conn: Connection, wal: PathBuf) -> Result<Self, StoreError> {
        let (jobs, queue) = mpsc::channel::<Box<dyn Job>>();
        let (to_sync, committed) = mpsc::channel::<Committed>();
        let broken = Arc::new(AtomicBool::new(false));
        let sync_broken = Arc::clone(&broken);
        let syncer = spawn("hush-store-sync", move || {
            sync(&wal, &committed, &sync_broken)
        })?;
        let writer = spawn("hush-store-writer", move || {
            write(&conn, &queue, &to_sync, &broken);
        })?;
        Ok(Self {
            jobs: Some(jobs),
            threads: vec![writer, syncer],
        })
    }

    /// Runs `work` in the next group and returns its outcome once the group is on disk.
    /// `work` runs again if its group is retried, so it must not depend on anything but the
    /// database.
    pub(super) fn call<T, F>(&self, weight: usize, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: Fn(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply, answer) = mpsc::sync_channel(1);
        let job = Box::new(Call {
            work,
            weight,
            outcome: None,
            reply,
        });
        let jobs = self.jobs.as_ref().ok_or_else(stopped)?;
        jobs.send(job).map_err(|_| stopped())?;
        answer.recv().map_err(|_| stopped())?
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        drop(self.jobs.take());
        // The writer first (it stops the syncer by going away).
        for thread in self.threads.drain(..) {
            // A panic in a thread has already failed its callers; nothing more to do here.
            let _ = thread.join();
        }
    }
}

fn spawn(name: &str, body: impl FnOnce() + Send + 'static) -> Result<JoinHandle<()>, StoreError> {
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(body)
        .map_err(|error| StoreError::Backend(format!("cannot start the thread {name}: {error}")))
}

fn stopped() -> StoreError {
    StoreError::Backend("the store's writer thread has stopped".to_owned())
}

/// The writer thread: group after group until every sender is gone.
fn write(
    conn: &Connection,
    queue: &Receiver<Box<dyn Job>>,
    to_sync: &Sender<Committed>,
    broken: &AtomicBool,
) {
    while let Ok(first) = queue.recv() {
        let mut weight = first.weight();
        let mut jobs = vec![first];
        while weight < GROUP_LIMIT {
            match queue.try_recv() {
                Ok(job) => {
                    weight = weight.saturating_add(job.weight());
                    jobs.push(job);
                }
                Err(_) => break,
            }
        }
        let lost = if broken.load(Ordering::Acquire) {
            Some("an earlier sync of the database failed; restart the server".to_owned())
        } else {
            commit_group(conn, &mut jobs).err()
        };
        if let Err(mpsc::SendError(group)) = to_sync.send(Committed { jobs, lost }) {
            for job in group.jobs {
                job.answer(Some("the store's sync thread has stopped"));
            }
        }
    }
}

/// The sync thread: flushes the WAL once for everything committed since the last flush, then
/// answers.
fn sync(wal: &PathBuf, committed: &Receiver<Committed>, broken: &AtomicBool) {
    while let Ok(first) = committed.recv() {
        let mut groups = vec![first];
        while let Ok(group) = committed.try_recv() {
            groups.push(group);
        }
        let mut failure = None;
        if groups.iter().any(|group| group.lost.is_none()) {
            let flushed = OpenOptions::new()
                .write(true)
                .open(wal)
                .and_then(|file| file.sync_data());
            if let Err(error) = flushed {
                broken.store(true, Ordering::Release);
                failure = Some(format!("cannot sync {}: {error}", wal.display()));
            }
        }
        for group in groups {
            let lost = group.lost.as_deref().or(failure.as_deref());
            for job in group.jobs {
                job.answer(lost);
            }
        }
    }
}

/// Runs every job of the group in one transaction and commits it; `Err` says why the
/// transaction did not commit (then nothing of it is stored).
///
/// Jobs first run without savepoints (they cost a page copy per page touched); if one fails,
/// the transaction is rolled back and the group runs again, each job in its own savepoint.
fn commit_group(conn: &Connection, jobs: &mut [Box<dyn Job>]) -> Result<(), String> {
    let outcome = match run_group(conn, jobs, false) {
        Err(Retry::WithSavepoints) => run_group(conn, jobs, true),
        outcome => outcome,
    };
    outcome.map_err(|retry| match retry {
        Retry::WithSavepoints => "a write failed twice".to_owned(),
        Retry::Lost(why) => format!("the write was not committed: {why}"),
    })
}

enum Retry {
    /// A job failed without a savepoint: the whole transaction had to be rolled back.
    WithSavepoints,
    /// The transaction cannot commit.
    Lost(String),
}

fn run_group(conn: &Connection, jobs: &mut [Box<dyn Job>], savepoints: bool) -> Result<(), Retry> {
    let outcome = run_jobs(conn, jobs, savepoints).and_then(|()| exec(conn, "COMMIT"));
    if outcome.is_err() && !conn.is_autocommit() {
        // Best effort: if even ROLLBACK fails, SQLite rolls back when the next BEGIN fails or
        // the connection closes.
        let _ = conn.execute_batch("ROLLBACK");
    }
    outcome
}

fn run_jobs(conn: &Connection, jobs: &mut [Box<dyn Job>], savepoints: bool) -> Result<(), Retry> {
    exec(conn, "BEGIN IMMEDIATE")?;
    for job in jobs.iter_mut() {
        if savepoints {
            exec(conn, "SAVEPOINT job")?;
        }
        let succeeded = job.run(conn);
        if conn.is_autocommit() {
            // Some errors (I/O, full disk) make SQLite roll back the whole transaction.
            return Err(Retry::Lost("SQLite rolled the transaction back".to_owned()));
        }
        if savepoints {
            if !succeeded {
                exec(conn, "ROLLBACK TO job")?;
            }
            exec(conn, "RELEASE job")?;
        } else if !succeeded {
            return Err(Retry::WithSavepoints);
        }
    }
    Ok(())
}

fn exec(conn: &Connection, sql: &str) -> Result<(), Retry> {
    conn.prepare_cached(sql)
        .and_then(|mut statement| statement.execute([]))
        .map(drop)
        .map_err(|error| Retry::Lost(format!("{sql}: {error}")))
}

//! Group commit: one thread owns the only write connection and runs every write.
//!
//! Callers submit a job and get a [`Pending`] outcome without blocking. The thread takes everything queued (up to
//! [`GROUP_LIMIT`] envelopes' worth), runs each job in its own savepoint inside one
//! `BEGIN IMMEDIATE` transaction, commits once (one fsync for the whole group) and only then
//! answers. A job that fails is rolled back to its savepoint alone; the rest of the group still
//! commits. If the transaction itself is lost (commit failure, I/O error), every job that had
//! succeeded is answered with that failure: no caller is told "stored" for something that is not.
//! After a commit, newly stored envelopes go to the [`StoredListener`], in commit order, and
//! the counts in [`Usage`] take the group's changes.

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use rusqlite::Connection;
use tokio::sync::oneshot;

use super::envelopes;
use super::usage::{Tally, Usage};
use crate::store::{NewEnvelope, Pending, QueueLimits, StoreError, StoredEnvelope, StoredListener};

/// The most envelopes (or acknowledged ids) one transaction takes from the queue. A single
/// bigger call still runs, alone.
pub(super) const GROUP_LIMIT: usize = 4096;

/// A write waiting for the writer thread.
trait Job: Send {
    /// How much it counts towards [`GROUP_LIMIT`].
    fn weight(&self) -> usize;
    /// Whether a failure must undo the job's earlier statements (a savepoint of its own). Not
    /// needed for one statement (SQLite undoes a failed statement itself) or for work whose
    /// partial effect is harmless (a retry reaches the same end state).
    fn needs_savepoint(&self) -> bool;
    /// Runs it inside the open transaction, noting what it stored and deleted in `tally`;
    /// whether it succeeded.
    fn run(&mut self, conn: &Connection, tally: &mut Tally<'_>) -> bool;
    /// Sends the outcome to the caller. `lost` is why the transaction did not commit, if it did
    /// not: it replaces a success.
    fn answer(self: Box<Self>, lost: Option<&str>, listener: Option<&dyn StoredListener>);
}

/// What a job's caller is told: its own failure, else the transaction's, else its value.
fn settle<T>(outcome: Option<Result<T, StoreError>>, lost: Option<&str>) -> Result<T, StoreError> {
    match (outcome, lost) {
        (Some(Err(error)), _) => Err(error),
        (Some(Ok(_)) | None, Some(why)) => Err(StoreError::Backend(why.to_owned())),
        (Some(Ok(value)), None) => Ok(value),
        (None, None) => Err(StoreError::Backend("a write never ran".to_owned())),
    }
}

struct Call<T, F> {
    work: Option<F>,
    weight: usize,
    savepoint: bool,
    outcome: Option<Result<T, StoreError>>,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<T, F> Job for Call<T, F>
where
    T: Send,
    F: FnOnce(&Connection, &mut Tally<'_>) -> Result<T, StoreError> + Send,
{
    fn weight(&self) -> usize {
        self.weight
    }

    fn needs_savepoint(&self) -> bool {
        self.savepoint
    }

    fn run(&mut self, conn: &Connection, tally: &mut Tally<'_>) -> bool {
        let outcome = match self.work.take() {
            Some(work) => work(conn, tally),
            None => Err(StoreError::Backend("a write ran twice".to_owned())),
        };
        let succeeded = outcome.is_ok();
        self.outcome = Some(outcome);
        succeeded
    }

    fn answer(self: Box<Self>, lost: Option<&str>, _: Option<&dyn StoredListener>) {
        // A caller that stopped waiting (its connection closed) needs no answer.
        let _ = self.reply.send(settle(self.outcome, lost));
    }
}

/// Stores envelopes; once they are committed, the new ones go to the listener.
struct Insert {
    envelopes: Vec<NewEnvelope>,
    limits: QueueLimits,
    /// Each envelope's id and whether this job stored it.
    outcome: Option<Result<Vec<(u64, bool)>, StoreError>>,
    reply: oneshot::Sender<Result<Vec<u64>, StoreError>>,
}

impl Job for Insert {
    fn weight(&self) -> usize {
        self.envelopes.len()
    }

    fn needs_savepoint(&self) -> bool {
        // Several envelopes are stored all or none, and a quota refusal undoes them. One is one
        // INSERT, its quota checked before it runs.
        self.envelopes.len() > 1
    }

    fn run(&mut self, conn: &Connection, tally: &mut Tally<'_>) -> bool {
        let outcome = envelopes::insert_envelopes(conn, tally, &self.envelopes, self.limits);
        let succeeded = outcome.is_ok();
        self.outcome = Some(outcome);
        succeeded
    }

    fn answer(self: Box<Self>, lost: Option<&str>, listener: Option<&dyn StoredListener>) {
        let Self {
            envelopes,
            outcome,
            reply,
            ..
        } = *self;
        let answer = settle(outcome, lost).map(|stored| {
            let ids = stored.iter().map(|&(id, _)| id).collect();
            if let Some(listener) = listener {
                let new: Vec<StoredEnvelope> = stored
                    .into_iter()
                    .zip(envelopes)
                    .filter(|((_, new), _)| *new)
                    .map(|((id, _), envelope)| StoredEnvelope { id, envelope })
                    .collect();
                if !new.is_empty() {
                    listener.stored(new);
                }
            }
            ids
        });
        let _ = reply.send(answer);
    }
}

/// The handle on the writer thread. Dropping it lets the thread finish what is queued, close
/// the connection, and waits for that.
pub(super) struct Writer {
    jobs: Option<Sender<Box<dyn Job>>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    /// Starts the thread; it owns `conn` from now on and keeps `usage` (what the queue holds)
    /// up to date.
    pub(super) fn start(
        conn: Connection,
        listener: Option<Arc<dyn StoredListener>>,
        usage: Arc<Mutex<Usage>>,
    ) -> Result<Self, StoreError> {
        let (jobs, queue) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("hush-store-writer".to_owned())
            .spawn(move || run(&conn, &queue, listener.as_deref(), &usage))
            .map_err(|error| {
                StoreError::Backend(format!("cannot start the store's writer thread: {error}"))
            })?;
        Ok(Self {
            jobs: Some(jobs),
            thread: Some(thread),
        })
    }

    /// Queues `work` for the next group; its outcome is ready once the group has committed.
    /// Jobs run in the order they were submitted.
    pub(super) fn submit<T, F>(&self, weight: usize, work: F) -> Pending<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.submit_call(weight, true, move |conn, _: &mut Tally<'_>| work(conn))
    }

    /// [`Writer::submit`] for work that stores or deletes envelopes or payloads: it notes
    /// them in the tally.
    pub(super) fn submit_counted<T, F>(&self, weight: usize, work: F) -> Pending<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &mut Tally<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        self.submit_call(weight, true, work)
    }

    fn submit_call<T, F>(&self, weight: usize, savepoint: bool, work: F) -> Pending<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &mut Tally<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply, outcome) = Pending::channel();
        self.enqueue(
            Box::new(Call {
                work: Some(work),
                weight,
                savepoint,
                outcome: None,
                reply,
            }),
            outcome,
        )
    }

    /// Queues envelopes to store within `limits`; the listener hears of the new ones after the
    /// commit.
    pub(super) fn submit_envelopes(
        &self,
        envelopes: Vec<NewEnvelope>,
        limits: QueueLimits,
    ) -> Pending<Vec<u64>> {
        let (reply, outcome) = Pending::channel();
        self.enqueue(
            Box::new(Insert {
                envelopes,
                limits,
                outcome: None,
                reply,
            }),
            outcome,
        )
    }

    fn enqueue<T>(&self, job: Box<dyn Job>, outcome: Pending<T>) -> Pending<T> {
        match &self.jobs {
            Some(jobs) if jobs.send(job).is_ok() => outcome,
            _ => Pending::ready(Err(stopped())),
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        drop(self.jobs.take());
        if let Some(thread) = self.thread.take() {
            // A panic in the thread has already failed its callers; nothing more to do here.
            let _ = thread.join();
        }
    }
}

fn stopped() -> StoreError {
    StoreError::Backend("the store's writer thread has stopped".to_owned())
}

/// The writer thread: group after group until every sender is gone.
fn run(
    conn: &Connection,
    queue: &Receiver<Box<dyn Job>>,
    listener: Option<&dyn StoredListener>,
    usage: &Mutex<Usage>,
) {
    let mut group: Vec<Box<dyn Job>> = Vec::new();
    while let Ok(first) = queue.recv() {
        let mut weight = first.weight();
        group.push(first);
        while weight < GROUP_LIMIT {
            match queue.try_recv() {
                Ok(job) => {
                    weight = weight.saturating_add(job.weight());
                    group.push(job);
                }
                Err(_) => break,
            }
        }
        let mut tally = Tally::new(usage);
        let lost = commit_group(conn, &mut group, &mut tally).err();
        if lost.is_none() {
            tally.commit();
        }
        for job in group.drain(..) {
            job.answer(lost.as_deref(), listener);
        }
    }
}

/// Runs every job of the group in one transaction and commits it; `Err` says why the
/// transaction did not commit (then nothing of it is stored).
fn commit_group(
    conn: &Connection,
    group: &mut [Box<dyn Job>],
    tally: &mut Tally<'_>,
) -> Result<(), String> {
    exec(conn, "BEGIN IMMEDIATE")?;
    let mut outcome = Ok(());
    for job in group.iter_mut() {
        outcome = run_in_savepoint(conn, job.as_mut(), tally);
        if outcome.is_err() {
            break;
        }
    }
    if outcome.is_ok() {
        outcome = exec(conn, "COMMIT");
    }
    if outcome.is_err() && !conn.is_autocommit() {
        // Best effort: if even ROLLBACK fails, SQLite rolls back when the next BEGIN fails or
        // the connection closes.
        let _ = conn.execute_batch("ROLLBACK");
    }
    outcome.map_err(|error| format!("the write was not committed: {error}"))
}

/// Runs one job so that its failure undoes its own changes only.
fn run_in_savepoint(
    conn: &Connection,
    job: &mut dyn Job,
    tally: &mut Tally<'_>,
) -> Result<(), String> {
    if !job.needs_savepoint() {
        // A failed statement undoes itself; those before it stay, and so do their counts.
        job.run(conn, tally);
        tally.keep_job();
        return if conn.is_autocommit() {
            Err("SQLite rolled the transaction back".to_owned())
        } else {
            Ok(())
        };
    }
    exec(conn, "SAVEPOINT job")?;
    let succeeded = job.run(conn, tally);
    if conn.is_autocommit() {
        // Some errors (I/O, full disk) make SQLite roll back the whole transaction.
        return Err("SQLite rolled the transaction back".to_owned());
    }
    if succeeded {
        tally.keep_job();
    } else {
        tally.drop_job();
        exec(conn, "ROLLBACK TO job")?;
    }
    exec(conn, "RELEASE job")
}

fn exec(conn: &Connection, sql: &str) -> Result<(), String> {
    conn.prepare_cached(sql)
        .and_then(|mut statement| statement.execute([]))
        .map(drop)
        .map_err(|error| format!("{sql}: {error}"))
}

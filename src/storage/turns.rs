//! Who may use a store when: one writer at a time (`WriterLock`), and the commit gate
//! (`CommitGate`) that lets any number of read-only statements run beside that writer.
//!
//! A writer's transaction buffers its writes (see `overlay`), so the engine's keys
//! change only while a commit applies its batch. A reader holds a read turn of the gate
//! for as long as it reads, and a commit applies only while no reader holds one; so a
//! reader sees the state of the last commit before it began, consistently, without the
//! writer's turn and without copying anything. A commit that wants to apply waits for
//! the readers running then; readers that arrive after it wait behind it, so a stream of
//! reads cannot keep a commit out. A bulk import, which writes the engine batch by batch
//! before it commits, holds the apply turn for all of its run.
//!
//! Both guards are `Send`, unlike a `MutexGuard`, so a transaction may move between
//! threads. A thread must not ask for the apply turn while it holds a read turn (it
//! would wait for itself): readers never commit.

use super::lock;
use crate::error::{Error, ErrorClass, Result};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

/// Lets one transaction at a time through. A thread that asks again while its own
/// transaction is open gets an error instead of waiting for itself forever.
#[derive(Default)]
pub(super) struct WriterLock {
    holder: Mutex<Option<ThreadId>>,
    freed: Condvar,
}

pub(super) struct WriterGuard<'a>(&'a WriterLock);

/// The error of a turn that did not come within `wait`.
fn busy(wait: Option<Duration>, what: &str) -> Error {
    Error::new(
        ErrorClass::TransactionError,
        "LockTimeout",
        format!(
            "the database stayed busy with {what} for {} ms; try again",
            wait.unwrap_or_default().as_millis()
        ),
    )
}

/// Waits on `changed` until `done` says so, at most until `deadline` when there is one;
/// `Err(())` when the deadline passed first.
fn wait_until<'m, T>(
    mut guard: MutexGuard<'m, T>,
    changed: &Condvar,
    deadline: Option<Instant>,
    mut done: impl FnMut(&T) -> bool,
) -> std::result::Result<MutexGuard<'m, T>, MutexGuard<'m, T>> {
    while !done(&guard) {
        match deadline {
            None => guard = changed.wait(guard).unwrap_or_else(|e| e.into_inner()),
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(guard);
                }
                guard = changed
                    .wait_timeout(guard, left)
                    .map(|(guard, _)| guard)
                    .unwrap_or_else(|e| e.into_inner().0);
            }
        }
    }
    Ok(guard)
}

impl WriterLock {
    /// Waits for the turn, at most `wait` when one is given (then a `TransactionError`
    /// `LockTimeout` says the database stayed busy).
    pub(super) fn acquire(&self, wait: Option<Duration>) -> Result<WriterGuard<'_>> {
        let me = std::thread::current().id();
        let holder = lock(&self.holder);
        if *holder == Some(me) {
            return Err(Error::new(
                ErrorClass::TransactionError,
                "",
                "this thread already has a transaction open on this database; commit or roll it back first",
            ));
        }
        let deadline = wait.map(|w| Instant::now() + w);
        let mut holder = wait_until(holder, &self.freed, deadline, Option::is_none)
            .map_err(|_| busy(wait, "another transaction"))?;
        *holder = Some(me);
        Ok(WriterGuard(self))
    }
}

impl Drop for WriterGuard<'_> {
    fn drop(&mut self) {
        *lock(&self.0.holder) = None;
        self.0.freed.notify_one();
    }
}

/// Read turns and the apply turn (see the module comment).
#[derive(Default)]
pub(super) struct CommitGate {
    state: Mutex<GateState>,
    changed: Condvar,
}

#[derive(Default)]
struct GateState {
    /// Read turns held.
    readers: usize,
    /// Whether a commit is applying.
    applying: bool,
    /// Commits waiting for the readers to finish.
    waiting: usize,
}

/// While held, no commit applies.
pub(super) struct ReadTurn<'a>(&'a CommitGate);

/// While held, no reader reads and no other commit applies.
pub(super) struct ApplyTurn<'a>(&'a CommitGate);

impl CommitGate {
    /// A read turn, once no commit applies or waits to; at most `wait` when given.
    pub(super) fn read(&self, wait: Option<Duration>) -> Result<ReadTurn<'_>> {
        let deadline = wait.map(|w| Instant::now() + w);
        let mut state = wait_until(lock(&self.state), &self.changed, deadline, |s| {
            !s.applying && s.waiting == 0
        })
        .map_err(|_| busy(wait, "a commit"))?;
        state.readers += 1;
        Ok(ReadTurn(self))
    }

    /// The apply turn, once the readers running now have finished.
    pub(super) fn apply(&self) -> ApplyTurn<'_> {
        let mut state = lock(&self.state);
        state.waiting += 1;
        while state.applying || state.readers > 0 {
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        state.waiting -= 1;
        state.applying = true;
        ApplyTurn(self)
    }
}

impl Drop for ReadTurn<'_> {
    fn drop(&mut self) {
        let mut state = lock(&self.0.state);
        state.readers -= 1;
        if state.readers == 0 {
            self.0.changed.notify_all();
        }
    }
}

impl Drop for ApplyTurn<'_> {
    fn drop(&mut self) {
        lock(&self.0.state).applying = false;
        self.0.changed.notify_all();
    }
}

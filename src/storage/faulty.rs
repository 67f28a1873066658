//! A fault-injecting engine for tests: an in-memory disk that fails the n-th write, flush
//! or read with an I/O error, or "crashes" at the n-th write or flush. It stands behind
//! the `KvEngine` boundary like sled, so the graph layer above it is the real one.
//!
//! The disk keeps two images: what reads see (every applied write) and what the last
//! successful flush made durable. A crash stops the world at its point: that operation
//! and every later one fail, and `Disk::survivor` keeps either the durable image (a
//! power cut) or every write applied before the crash (a killed process whose writes
//! the OS had). Without a crash the survivor is every applied write, as a clean close
//! leaves it. Counting is per operation: a batch is one write, each write of
//! `apply_each` is one (a crash in the middle keeps a part of it, as sled may), a `get`
//! and a `scan` are one read each (a failing scan fails at its first item).

use super::kv::{Batch, Bytes, Key, KvEngine, KvScan};
use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::{Arc, Mutex};

/// What goes wrong, and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The n-th write fails with an I/O error and writes nothing.
    WriteError,
    /// The n-th flush fails with an I/O error and makes nothing durable.
    FlushError,
    /// The n-th read fails with an I/O error.
    ReadError,
    /// The world stops at the n-th write or flush; what was flushed before survives.
    CrashKeepingFlushed,
    /// The world stops at the n-th write or flush; every write before it survives.
    CrashKeepingWrites,
}

impl Fault {
    pub const ALL: [Fault; 5] = [
        Fault::WriteError,
        Fault::FlushError,
        Fault::ReadError,
        Fault::CrashKeepingFlushed,
        Fault::CrashKeepingWrites,
    ];

    /// How many points of this kind a run with `counts` has.
    pub fn points(self, counts: Counts) -> u64 {
        match self {
            Fault::WriteError => counts.writes,
            Fault::FlushError => counts.flushes,
            Fault::ReadError => counts.reads,
            Fault::CrashKeepingFlushed | Fault::CrashKeepingWrites => {
                counts.writes + counts.flushes
            }
        }
    }

    fn is_crash(self) -> bool {
        matches!(self, Fault::CrashKeepingFlushed | Fault::CrashKeepingWrites)
    }
}

/// Operations counted since the disk was last armed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub writes: u64,
    pub flushes: u64,
    pub reads: u64,
}

#[derive(Default)]
struct DiskState {
    live: BTreeMap<Key, Bytes>,
    durable: BTreeMap<Key, Bytes>,
    counts: Counts,
    plan: Option<(Fault, u64)>,
    /// Whether the planned fault happened.
    fired: bool,
    crashed: Option<Fault>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Write,
    Flush,
    Read,
}

fn io_error(what: &str) -> Error {
    Error::storage(format!(
        "the database could not be read or written: injected I/O error on {what}"
    ))
}

fn crashed_error() -> Error {
    Error::storage("the database could not be read or written: the disk is gone (injected crash)")
}

impl DiskState {
    /// Counts `op` and says whether it fails.
    fn enter(&mut self, op: Op) -> Result<()> {
        if self.crashed.is_some() {
            return Err(crashed_error());
        }
        match op {
            Op::Write => self.counts.writes += 1,
            Op::Flush => self.counts.flushes += 1,
            Op::Read => self.counts.reads += 1,
        }
        let Some((fault, at)) = self.plan else {
            return Ok(());
        };
        let (hit, what) = match (fault, op) {
            (Fault::WriteError, Op::Write) => (self.counts.writes == at, "write"),
            (Fault::FlushError, Op::Flush) => (self.counts.flushes == at, "flush"),
            (Fault::ReadError, Op::Read) => (self.counts.reads == at, "read"),
            (f, Op::Write | Op::Flush) if f.is_crash() => {
                (self.counts.writes + self.counts.flushes == at, "crash")
            }
            _ => (false, ""),
        };
        if !hit {
            return Ok(());
        }
        self.fired = true;
        if fault.is_crash() {
            self.crashed = Some(fault);
            return Err(crashed_error());
        }
        Err(io_error(what))
    }

    fn write(&mut self, key: Key, value: Option<Bytes>) {
        match value {
            Some(v) => {
                self.live.insert(key, v);
            }
            None => {
                self.live.remove(&key);
            }
        }
    }
}

/// A simulated disk, shared by the engine over it and the test that plans its faults.
#[derive(Clone, Default)]
pub struct Disk {
    state: Arc<Mutex<DiskState>>,
}

impl Disk {
    /// An empty disk with no fault planned.
    pub fn new() -> Disk {
        Disk::default()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, DiskState> {
        super::lock(&self.state)
    }

    /// Plans `fault` at the `at`-th operation of its kind (from 1), counting from now.
    pub fn arm(&self, fault: Fault, at: u64) {
        let mut state = self.state();
        state.counts = Counts::default();
        state.plan = Some((fault, at));
        state.fired = false;
    }

    /// Counts from now, with no fault planned.
    pub fn count(&self) {
        let mut state = self.state();
        state.counts = Counts::default();
        state.plan = None;
        state.fired = false;
    }

    /// The operations counted since `arm` or `count`.
    pub fn counts(&self) -> Counts {
        self.state().counts
    }

    /// Whether the planned fault happened.
    pub fn fired(&self) -> bool {
        self.state().fired
    }

    /// A new disk holding what survives this one (see the module comment), with no
    /// fault planned.
    pub fn survivor(&self) -> Disk {
        let state = self.state();
        let data = match state.crashed {
            Some(Fault::CrashKeepingFlushed) => state.durable.clone(),
            _ => state.live.clone(),
        };
        Disk {
            state: Arc::new(Mutex::new(DiskState {
                live: data.clone(),
                durable: data,
                ..DiskState::default()
            })),
        }
    }

    /// Changes the stored data directly, past every check (for tests that damage a
    /// store on purpose).
    pub fn write_raw(&self, key: &[u8], value: Option<&[u8]>) {
        let mut state = self.state();
        state.write(key.to_vec(), value.map(<[u8]>::to_vec));
        state.durable = state.live.clone();
    }

    /// Every stored key with its value, in key order.
    pub fn entries(&self) -> Vec<(Key, Bytes)> {
        self.state()
            .live
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    pub(super) fn engine(&self) -> FaultyEngine {
        FaultyEngine { disk: self.clone() }
    }
}

/// The engine over a [`Disk`].
pub(super) struct FaultyEngine {
    disk: Disk,
}

impl KvEngine for FaultyEngine {
    fn get(&self, key: &[u8]) -> Result<Option<Bytes>> {
        let mut state = self.disk.state();
        state.enter(Op::Read)?;
        Ok(state.live.get(key).cloned())
    }

    fn scan(&self, start: Key, end: Option<Key>) -> KvScan<'_> {
        let mut state = self.disk.state();
        if let Err(e) = state.enter(Op::Read) {
            return Box::new(std::iter::once(Err(e)));
        }
        if end.as_ref().is_some_and(|end| *end <= start) {
            return Box::new(std::iter::empty());
        }
        let upper = match end {
            Some(e) => Bound::Excluded(e),
            None => Bound::Unbounded,
        };
        let items: Vec<Result<(Key, Bytes)>> = state
            .live
            .range((Bound::Included(start), upper))
            .map(|(k, v)| Ok((k.clone(), v.clone())))
            .collect();
        Box::new(items.into_iter())
    }

    fn apply(&self, batch: Batch) -> Result<()> {
        let mut state = self.disk.state();
        state.enter(Op::Write)?;
        for (key, value) in batch {
            state.write(key, value);
        }
        Ok(())
    }

    fn apply_each(&self, batch: Batch) -> Result<()> {
        let mut state = self.disk.state();
        for (key, value) in batch {
            state.enter(Op::Write)?;
            state.write(key, value);
        }
        Ok(())
    }

    fn flush(&self) -> Result<()> {
        let mut state = self.disk.state();
        state.enter(Op::Flush)?;
        state.durable = state.live.clone();
        Ok(())
    }

    fn size_on_disk(&self) -> Result<Option<u64>> {
        Ok(None)
    }
}

//! The durable engine: one sled tree. This is the only file that names sled.
//!
//! A batch is one `apply_batch` on the tree (atomic: after a crash it is there whole or
//! not at all) and `flush` waits until sled's log is on disk.
//!
//! After an I/O error (a full disk, a failing device) sled's log never becomes stable
//! again, and sled flushes when it is dropped, which would then wait forever: an engine
//! that has seen one is closed without that flush (what was committed before it is on
//! disk already) and takes no more writes.

use super::kv::{Batch, Bytes, Key, KvEngine, KvScan};
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

pub struct SledEngine {
    db: sled::Db,
    /// The folder as the user wrote it, for messages.
    shown: PathBuf,
    /// sled has reported an I/O error.
    broken: AtomicBool,
}

impl SledEngine {
    /// `e` as skein's error, naming the folder; an I/O error marks the engine broken.
    fn error(&self, e: sled::Error) -> Error {
        let at = self.shown.display();
        match &e {
            sled::Error::Io(io) => {
                self.broken.store(true, Ordering::SeqCst);
                if io.kind() == std::io::ErrorKind::StorageFull {
                    Error::storage(format!(
                        "the disk holding the database at {at} is full (no space left on the \
                         device); what was committed before is kept: free some space and \
                         open the database again"
                    ))
                } else {
                    Error::storage(format!(
                        "the database at {at} could not be read or written: {io}"
                    ))
                }
            }
            _ => Error::storage(format!("the database at {at} could not be read: {e}")),
        }
    }

    /// Writes are refused once sled has failed one: its log would not take them.
    fn writable(&self) -> Result<()> {
        if self.broken.load(Ordering::SeqCst) {
            return Err(Error::storage(format!(
                "the database at {} had an I/O error and takes no more writes until it \
                 is opened again",
                self.shown.display()
            )));
        }
        Ok(())
    }
}

impl Drop for SledEngine {
    fn drop(&mut self) {
        if self.broken.load(Ordering::SeqCst) {
            // The last handle's drop would flush a log that cannot become stable, and
            // wait for ever: one handle is kept (with the folder's lock) until the
            // process exits.
            std::mem::forget(self.db.clone());
        }
    }
}

/// sled reports a folder locked by another process as an I/O error whose text names the
/// lock (the OS error underneath is `WouldBlock`).
fn is_lock_conflict(e: &sled::Error) -> bool {
    match e {
        sled::Error::Io(io) => {
            io.kind() == std::io::ErrorKind::WouldBlock
                || io.to_string().contains("could not acquire lock")
        }
        _ => false,
    }
}

/// How much memory sled may use to cache pages.
const CACHE_BYTES: u64 = 256 * 1024 * 1024;

impl SledEngine {
    /// Opens the sled database in `folder`. `shown` is the path as the user wrote it, for
    /// messages. `Ok(None)` when the folder is locked by an open database.
    pub fn open(folder: &Path, shown: &Path) -> Result<Option<SledEngine>> {
        match sled::Config::new()
            .path(folder)
            .cache_capacity(CACHE_BYTES)
            // Every commit flushes before it returns; sled's own timer flush would only
            // compete with the statement that runs meanwhile.
            .flush_every_ms(None)
            .open()
        {
            Ok(db) => Ok(Some(SledEngine {
                db,
                shown: shown.to_path_buf(),
                broken: AtomicBool::new(false),
            })),
            Err(e) if is_lock_conflict(&e) => Ok(None),
            Err(e) => Err(Error::storage(format!(
                "cannot open the database at {}: {e}",
                shown.display()
            ))),
        }
    }
}

impl KvEngine for SledEngine {
    fn get(&self, key: &[u8]) -> Result<Option<Bytes>> {
        self.db
            .get(key)
            .map(|v| v.map(|v| v.to_vec()))
            .map_err(|e| self.error(e))
    }

    fn scan(&self, start: Key, end: Option<Key>) -> KvScan<'_> {
        let iter = match end {
            Some(end) if end <= start => return Box::new(std::iter::empty()),
            Some(end) => self.db.range(start..end),
            None => self.db.range(start..),
        };
        Box::new(iter.map(|item| {
            item.map(|(k, v)| (k.to_vec(), v.to_vec()))
                .map_err(|e| self.error(e))
        }))
    }

    fn last_key(&self, prefix: &[u8]) -> Result<Option<Key>> {
        match self.db.scan_prefix(prefix).next_back() {
            Some(entry) => entry
                .map(|(k, _)| Some(k.to_vec()))
                .map_err(|e| self.error(e)),
            None => Ok(None),
        }
    }

    fn apply(&self, batch: Batch) -> Result<()> {
        self.writable()?;
        let mut sled_batch = sled::Batch::default();
        for (key, value) in batch {
            match value {
                Some(v) => sled_batch.insert(key, v),
                None => sled_batch.remove(key),
            }
        }
        self.db.apply_batch(sled_batch).map_err(|e| self.error(e))
    }

    fn apply_each(&self, mut batch: Batch) -> Result<()> {
        self.writable()?;
        // One `apply_batch` keeps sled's epoch pinned for the whole batch, so none of the
        // tree nodes the inserts replace can be freed before it ends: memory grows with
        // the batch. Single writes let them go as they go. In key order, consecutive
        // inserts land in the same leaf (a stable sort keeps two writes of a key in
        // order).
        batch.sort_by(|a, b| a.0.cmp(&b.0));
        for (key, value) in batch {
            match value {
                Some(v) => self.db.insert(key, v),
                None => self.db.remove(key),
            }
            .map_err(|e| self.error(e))?;
        }
        Ok(())
    }

    fn flush(&self) -> Result<()> {
        self.writable()?;
        self.db.flush().map(|_| ()).map_err(|e| self.error(e))
    }

    fn size_on_disk(&self) -> Result<Option<u64>> {
        self.db.size_on_disk().map(Some).map_err(|e| self.error(e))
    }
}

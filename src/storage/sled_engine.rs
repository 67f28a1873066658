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

/// What sled found wrong with a damaged folder, when `e` says damage.
fn damage(e: &sled::Error) -> Option<String> {
    match e {
        sled::Error::Corruption { at: Some(at), .. } => {
            Some(format!("sled found data that fails its checksum at {at:?}"))
        }
        sled::Error::Corruption { at: None, .. } => {
            Some("sled found data that fails its checksum".to_string())
        }
        // A damaged `conf` file reads as a store of an old sled version.
        sled::Error::Unsupported(why) => Some(format!("sled cannot read it: {why}")),
        sled::Error::ReportableBug(why) => Some(format!("sled cannot make sense of it: {why}")),
        _ => None,
    }
}

fn damaged(shown: &Path, why: &str) -> Error {
    Error::storage(format!(
        "the database at {} is damaged: {why}; restore it from a copy",
        shown.display()
    ))
}

impl SledEngine {
    /// A panic of sled while reading: the store is damaged.
    fn panicked(&self, why: String) -> Error {
        damaged(
            &self.shown,
            &format!("sled failed while reading it ({why})"),
        )
    }

    /// `e` as skein's error, naming the folder; an I/O error marks the engine broken.
    fn error(&self, e: sled::Error) -> Error {
        if let Some(why) = damage(&e) {
            return damaged(&self.shown, &why);
        }
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

thread_local! {
    /// Set while this thread runs sled code under `guarded`: its panics are reported as
    /// errors, so the panic hook keeps quiet about them.
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

static QUIET_HOOK: std::sync::Once = std::sync::Once::new();

/// Runs `f` (sled code), turning a panic into `Err` with its message. The process's panic
/// hook is wrapped once so that it stays silent for panics caught here and speaks as
/// before for every other.
fn guarded<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !GUARDED.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    let was = GUARDED.with(|g| g.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(was));
    result.map_err(|panic| {
        panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no reason given".to_string())
    })
}

/// How much memory sled may use to cache pages.
const CACHE_BYTES: u64 = 256 * 1024 * 1024;

impl SledEngine {
    /// Opens the sled database in `folder`. `shown` is the path as the user wrote it, for
    /// messages. `Ok(None)` when the folder is locked by an open database.
    pub fn open(folder: &Path, shown: &Path) -> Result<Option<SledEngine>> {
        let opened = guarded(|| {
            sled::Config::new()
                .path(folder)
                .cache_capacity(CACHE_BYTES)
                // Every commit flushes before it returns; sled's own timer flush would
                // only compete with the statement that runs meanwhile.
                .flush_every_ms(None)
                .open()
        })
        .map_err(|why| damaged(shown, &format!("sled failed while opening it ({why})")))?;
        match opened {
            Ok(db) => Ok(Some(SledEngine {
                db,
                shown: shown.to_path_buf(),
                broken: AtomicBool::new(false),
            })),
            Err(e) if is_lock_conflict(&e) => Ok(None),
            Err(e) => match damage(&e) {
                Some(why) => Err(damaged(shown, &why)),
                None => Err(Error::storage(format!(
                    "cannot open the database at {}: {e}",
                    shown.display()
                ))),
            },
        }
    }
}

impl KvEngine for SledEngine {
    fn get(&self, key: &[u8]) -> Result<Option<Bytes>> {
        guarded(|| self.db.get(key))
            .map_err(|why| self.panicked(why))?
            .map(|v| v.map(|v| v.to_vec()))
            .map_err(|e| self.error(e))
    }

    fn scan(&self, start: Key, end: Option<Key>) -> KvScan<'_> {
        let mut iter = match end {
            Some(end) if end <= start => return Box::new(std::iter::empty()),
            Some(end) => self.db.range(start..end),
            None => self.db.range(start..),
        };
        // After a panic sled's iterator is in no known state: the scan ends with the error.
        let mut failed = false;
        Box::new(std::iter::from_fn(move || {
            if failed {
                return None;
            }
            match guarded(|| iter.next()) {
                Ok(item) => item.map(|item| {
                    item.map(|(k, v)| (k.to_vec(), v.to_vec()))
                        .map_err(|e| self.error(e))
                }),
                Err(why) => {
                    failed = true;
                    Some(Err(self.panicked(why)))
                }
            }
        }))
    }

    fn last_key(&self, prefix: &[u8]) -> Result<Option<Key>> {
        match guarded(|| self.db.scan_prefix(prefix).next_back())
            .map_err(|why| self.panicked(why))?
        {
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

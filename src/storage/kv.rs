//! The ordered key-value engine the graph layer stands on, and its in-memory
//! implementation. The engine knows bytes only: keys sort bytewise, a scan walks a key
//! range in order, and a batch applies all of its writes or none.
//!
//! Consistency: the graph layer serializes transactions per store (one `Txn` at a time),
//! so the data an open transaction reads only changes by its own commit; an engine with
//! concurrent writers (FoundationDB, TiKV) would hand out a snapshot here and report a
//! retryable conflict from `apply`.

use crate::error::Result;
use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::RwLock;

pub type Key = Vec<u8>;
pub type Bytes = Vec<u8>;

/// An ordered scan over `(key, value)` pairs.
pub type KvScan<'a> = Box<dyn Iterator<Item = Result<(Key, Bytes)>> + 'a>;

/// Writes applied together: `None` deletes the key.
pub type Batch = Vec<(Key, Option<Bytes>)>;

pub trait KvEngine: Send + Sync {
    fn get(&self, key: &[u8]) -> Result<Option<Bytes>>;
    /// Keys `start <= k < end` (no upper bound when `end` is `None`), in key order.
    fn scan(&self, start: Key, end: Option<Key>) -> KvScan<'_>;
    /// Applies every write of `batch` atomically.
    fn apply(&self, batch: Batch) -> Result<()>;
    /// Applies the writes of `batch` one by one, not atomically: after a crash any subset
    /// of them may be there. For writes that something else makes atomic (the import
    /// journal); an engine may do them more cheaply than a batch.
    fn apply_each(&self, batch: Batch) -> Result<()> {
        self.apply(batch)
    }
    /// The greatest key that starts with `prefix`, if any.
    fn last_key(&self, prefix: &[u8]) -> Result<Option<Key>> {
        let mut last = None;
        for entry in self.scan(prefix.to_vec(), super::keys::prefix_end(prefix)) {
            last = Some(entry?.0);
        }
        Ok(last)
    }
    /// Makes every applied batch durable.
    fn flush(&self) -> Result<()>;
    /// Bytes the data occupies on disk; `None` for an engine that keeps nothing there.
    fn size_on_disk(&self) -> Result<Option<u64>>;
}

/// A `BTreeMap` engine: the in-memory database and the model tests' stand-in for sled.
#[derive(Default)]
pub struct MemoryEngine {
    map: RwLock<BTreeMap<Key, Bytes>>,
}

impl MemoryEngine {
    pub fn new() -> MemoryEngine {
        MemoryEngine::default()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<Key, Bytes>> {
        // A poisoned lock only means another thread panicked mid-read; the map itself is
        // only changed inside `apply`, which cannot panic half-way.
        self.map.read().unwrap_or_else(|e| e.into_inner())
    }
}

/// How many entries a memory scan copies out per visit to the map, so that no lock is
/// held between `next` calls.
const SCAN_CHUNK: usize = 256;

struct MemoryScan<'a> {
    engine: &'a MemoryEngine,
    from: Bound<Key>,
    end: Option<Key>,
    buffer: std::vec::IntoIter<(Key, Bytes)>,
    done: bool,
}

impl Iterator for MemoryScan<'_> {
    type Item = Result<(Key, Bytes)>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.buffer.next() {
                return Some(Ok(item));
            }
            if self.done {
                return None;
            }
            let map = self.engine.read();
            let upper = match &self.end {
                Some(e) => Bound::Excluded(e.as_slice()),
                None => Bound::Unbounded,
            };
            let lower = match &self.from {
                Bound::Included(k) => Bound::Included(k.as_slice()),
                Bound::Excluded(k) => Bound::Excluded(k.as_slice()),
                Bound::Unbounded => Bound::Unbounded,
            };
            if let (Bound::Included(l) | Bound::Excluded(l), Bound::Excluded(u)) = (lower, upper) {
                if l >= u {
                    self.done = true;
                    return None;
                }
            }
            let chunk: Vec<(Key, Bytes)> = map
                .range::<[u8], _>((lower, upper))
                .take(SCAN_CHUNK)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            drop(map);
            if chunk.len() < SCAN_CHUNK {
                self.done = true;
            }
            match chunk.last() {
                Some((k, _)) => self.from = Bound::Excluded(k.clone()),
                None => return None,
            }
            self.buffer = chunk.into_iter();
        }
    }
}

impl KvEngine for MemoryEngine {
    fn get(&self, key: &[u8]) -> Result<Option<Bytes>> {
        Ok(self.read().get(key).cloned())
    }

    fn scan(&self, start: Key, end: Option<Key>) -> KvScan<'_> {
        Box::new(MemoryScan {
            engine: self,
            from: Bound::Included(start),
            end,
            buffer: Vec::new().into_iter(),
            done: false,
        })
    }

    fn apply(&self, batch: Batch) -> Result<()> {
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        for (k, v) in batch {
            match v {
                Some(v) => {
                    map.insert(k, v);
                }
                None => {
                    map.remove(&k);
                }
            }
        }
        Ok(())
    }

    fn last_key(&self, prefix: &[u8]) -> Result<Option<Key>> {
        let map = self.read();
        let upper = match super::keys::prefix_end(prefix) {
            Some(end) => Bound::Excluded(end),
            None => Bound::Unbounded,
        };
        Ok(map
            .range::<[u8], _>((Bound::Included(prefix), upper.as_ref().map(Vec::as_slice)))
            .next_back()
            .map(|(k, _)| k.clone()))
    }

    fn flush(&self) -> Result<()> {
        Ok(())
    }

    fn size_on_disk(&self) -> Result<Option<u64>> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_scan_crosses_chunks_in_order() {
        let engine = MemoryEngine::new();
        let batch: Batch = (0u32..1000)
            .map(|i| (i.to_be_bytes().to_vec(), Some(vec![1])))
            .collect();
        assert!(engine.apply(batch).is_ok());
        let keys: Vec<Key> = engine
            .scan(
                10u32.to_be_bytes().to_vec(),
                Some(700u32.to_be_bytes().to_vec()),
            )
            .filter_map(|r| r.ok().map(|(k, _)| k))
            .collect();
        assert_eq!(keys.len(), 690);
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
        let last = engine.last_key(&[0, 0, 1]).ok().flatten();
        assert_eq!(last, Some(511u32.to_be_bytes().to_vec()));
        assert_eq!(engine.last_key(&[0, 1, 0]).ok().flatten(), None);
    }
}

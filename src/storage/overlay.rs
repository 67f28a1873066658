//! A transaction's write buffer: the writes not yet applied to the engine, layered over
//! the engine's data so that the transaction reads its own writes, with an undo log for
//! savepoints (rolling back pops the log; nothing is cloned wholesale).

use super::kv::{Batch, Bytes, Key, KvScan};
use crate::error::Result;
use std::collections::BTreeMap;
use std::iter::Peekable;
use std::ops::Bound;

#[derive(Default)]
pub struct Overlay {
    /// Pending writes; `None` is a deletion.
    writes: BTreeMap<Key, Option<Bytes>>,
    /// For each write, in order: the key and what `writes` held for it before
    /// (`None` when the key was not buffered).
    undo: Vec<(Key, Option<Option<Bytes>>)>,
}

impl Overlay {
    /// `Some(None)` when the key is buffered as deleted; `None` when it is not buffered.
    pub fn get(&self, key: &[u8]) -> Option<Option<&Bytes>> {
        self.writes.get(key).map(Option::as_ref)
    }

    pub fn put(&mut self, key: Key, value: Option<Bytes>) {
        let previous = self.writes.insert(key.clone(), value);
        self.undo.push((key, previous));
    }

    /// The first buffered write at or after `start` and before `end`.
    pub fn first_from(&self, start: &[u8], end: Option<&[u8]>) -> Option<(&Key, Option<&Bytes>)> {
        self.writes
            .range::<[u8], _>((Bound::Included(start), Bound::Unbounded))
            .next()
            .filter(|(key, _)| end.is_none_or(|end| key.as_slice() < end))
            .map(|(key, value)| (key, value.as_ref()))
    }

    /// Whether some buffered write's key starts with `prefix`.
    pub fn has_prefix(&self, prefix: &[u8]) -> bool {
        self.writes
            .range::<[u8], _>((Bound::Included(prefix), Bound::Unbounded))
            .next()
            .is_some_and(|(k, _)| k.starts_with(prefix))
    }

    /// The buffered keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &Key> {
        self.writes.keys()
    }

    pub fn is_empty(&self) -> bool {
        self.writes.is_empty()
    }

    pub fn savepoint(&self) -> usize {
        self.undo.len()
    }

    /// Undoes every write made after `savepoint` was taken.
    pub fn rollback_to(&mut self, savepoint: usize) {
        while self.undo.len() > savepoint {
            let Some((key, previous)) = self.undo.pop() else {
                break;
            };
            match previous {
                Some(value) => {
                    self.writes.insert(key, value);
                }
                None => {
                    self.writes.remove(&key);
                }
            }
        }
    }

    pub fn into_batch(self) -> Batch {
        self.writes.into_iter().collect()
    }

    /// The engine's scan of `[start, end)` with this buffer's writes merged in.
    pub fn merge<'a>(
        &'a self,
        base: KvScan<'a>,
        start: &[u8],
        end: Option<&[u8]>,
    ) -> MergedScan<'a> {
        let upper = match end {
            Some(e) => Bound::Excluded(e),
            None => Bound::Unbounded,
        };
        let buffered = if end.is_some_and(|e| e <= start) {
            // An empty range (`BTreeMap::range` panics on an inverted one).
            self.writes
                .range::<[u8], _>((Bound::Included(start), Bound::Excluded(start)))
        } else {
            self.writes
                .range::<[u8], _>((Bound::Included(start), upper))
        };
        MergedScan {
            base: base.peekable(),
            buffered: buffered.peekable(),
        }
    }
}

pub struct MergedScan<'a> {
    base: Peekable<KvScan<'a>>,
    buffered: Peekable<std::collections::btree_map::Range<'a, Key, Option<Bytes>>>,
}

impl Iterator for MergedScan<'_> {
    type Item = Result<(Key, Bytes)>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let from_buffer = match (self.base.peek(), self.buffered.peek()) {
                (None, None) => return None,
                (Some(Err(_)), _) | (Some(Ok(_)), None) => false,
                (None, Some(_)) => true,
                (Some(Ok((base_key, _))), Some((buffered_key, _))) => {
                    if *buffered_key == base_key {
                        // The buffered write shadows the engine's value.
                        self.base.next();
                        true
                    } else {
                        *buffered_key < base_key
                    }
                }
            };
            if !from_buffer {
                return self.base.next();
            }
            let (key, value) = self.buffered.next()?;
            if let Some(value) = value {
                return Some(Ok((key.clone(), value.clone())));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::kv::{KvEngine, MemoryEngine};

    #[test]
    fn merge_shadows_deletes_and_inserts_in_order() {
        let engine = MemoryEngine::new();
        let base: Batch = vec![
            (vec![1], Some(vec![10])),
            (vec![2], Some(vec![20])),
            (vec![4], Some(vec![40])),
        ];
        assert!(engine.apply(base).is_ok());
        let mut overlay = Overlay::default();
        overlay.put(vec![2], None);
        overlay.put(vec![3], Some(vec![30]));
        let sp = overlay.savepoint();
        overlay.put(vec![4], Some(vec![41]));
        overlay.put(vec![5], Some(vec![50]));
        let scan: Vec<(Key, Bytes)> = overlay
            .merge(engine.scan(vec![0], None), &[0], None)
            .filter_map(|r| r.ok())
            .collect();
        assert_eq!(
            scan,
            vec![
                (vec![1], vec![10]),
                (vec![3], vec![30]),
                (vec![4], vec![41]),
                (vec![5], vec![50])
            ]
        );
        overlay.rollback_to(sp);
        let scan: Vec<Key> = overlay
            .merge(engine.scan(vec![0], Some(vec![5])), &[0], Some(&[5]))
            .filter_map(|r| r.ok().map(|(k, _)| k))
            .collect();
        assert_eq!(scan, vec![vec![1], vec![3], vec![4]]);
        assert_eq!(overlay.get(&[4]), None);
        assert_eq!(overlay.get(&[2]), Some(None));
    }
}

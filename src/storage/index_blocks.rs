//! Property index entries kept in sorted blocks, many entries to a key.
//!
//! An index entry is `value node` (the value in `index_key`'s order-preserving encoding,
//! the node id big-endian) under its index's prefix `INDEX label key`. The entries of one
//! index are kept sorted in blocks of at most `BLOCK_CAP`, each under the key
//! `INDEX label key bound`: a block holds the entries greater than the previous block's
//! bound and at most its own. The last block's bound is `TAIL`, above every entry. So
//! the block that holds, or would take, entry `e` is the first block whose key is at
//! least `INDEX label key e`: finding it is one forward seek, and a range of entries is
//! a run of consecutive blocks.
//!
//! Inserting into a full block splits it: the lower half goes under a new key (its
//! largest entry), the upper half keeps the old one. Removing an entry leaves the bound
//! as it is (still an upper bound); a block left empty is removed, and an entry above
//! every bound starts a new last block. One key per block rather than per entry is what
//! makes writing many indexed nodes cheap: the engine's cost is per key.

use super::codec;
use super::keys::{self, Token};
use super::kv::{Batch, Bytes, Key, KvScan};
use super::Txn;
use crate::error::Result;

/// The most entries a block holds.
pub const BLOCK_CAP: usize = 64;

/// The bound of an index's last block: above every entry (an encoded value starts with
/// a family byte below `0xFF`).
const TAIL: u8 = 0xFF;

/// Bytes before the entry in a block key: the keyspace byte, the label and key tokens.
pub const INDEX_PREFIX_LEN: usize = 9;

/// The prefix of every block of the index on (label, key).
pub fn index_prefix(label: Token, key: Token) -> Vec<u8> {
    let mut k = Vec::with_capacity(48);
    k.push(keys::INDEX);
    k.extend_from_slice(&label.to_be_bytes());
    k.extend_from_slice(&key.to_be_bytes());
    k
}

fn block_key(prefix: &[u8], bound: &[u8]) -> Key {
    let mut k = prefix.to_vec();
    k.extend_from_slice(bound);
    k
}

fn tail_key(prefix: &[u8]) -> Key {
    block_key(prefix, &[TAIL])
}

/// The node id at the end of an entry.
pub fn entry_node(entry: &[u8]) -> Result<u64> {
    keys::trailing_id(entry).ok_or_else(|| codec::corrupt("an index entry is malformed"))
}

/// The writes that store `entries` (sorted, distinct) as the blocks of an index that
/// has none: full blocks, then the last one.
pub fn new_blocks(prefix: &[u8], entries: &[Vec<u8>], batch: &mut Batch) {
    let mut blocks = entries.chunks(BLOCK_CAP).peekable();
    while let Some(block) = blocks.next() {
        let key = match (blocks.peek(), block.last()) {
            (Some(_), Some(last)) => block_key(prefix, last),
            _ => tail_key(prefix),
        };
        let refs: Vec<&[u8]> = block.iter().map(Vec::as_slice).collect();
        batch.push((key, Some(codec::encode_index_block(&refs))));
    }
}

/// The entries in `from..to` (`to` `None`: to the end of the index) of the blocks
/// `blocks` yields in key order, starting with the block that may hold `from`.
pub fn entries_in<'a>(
    blocks: impl Iterator<Item = Result<(Key, Bytes)>> + 'a,
    from: Vec<u8>,
    to: Option<Vec<u8>>,
) -> impl Iterator<Item = Result<Vec<u8>>> + 'a {
    let mut done = false;
    blocks
        .map_while(move |block| {
            if done {
                return None;
            }
            let found = block.and_then(|(key, bytes)| {
                let bound = key.get(INDEX_PREFIX_LEN..).unwrap_or_default();
                // Entries at or past `to` lie in this block or later ones: stop here.
                done = to.as_deref().is_none_or(|to| bound >= to);
                let entries = codec::decode_index_block(&bytes)?;
                Ok(entries
                    .into_iter()
                    .filter(|e| *e >= from.as_slice() && to.as_deref().is_none_or(|to| *e < to))
                    .map(<[u8]>::to_vec)
                    .collect::<Vec<_>>())
            });
            Some(match found {
                Ok(entries) => entries.into_iter().map(Ok).collect::<Vec<_>>(),
                Err(e) => vec![Err(e)],
            })
        })
        .flatten()
}

/// The engine's answer to a seek for an index block: the first block key at or after
/// `from` (with its block), or none before `end`. Nothing changes in the engine while a
/// transaction runs (a bulk writer's transaction seeks only once its batches are in), so
/// the answer holds for every seek from `from` up to the key found: consecutive inserts
/// into one region of an index ask the engine once. A transaction keeps the last answer
/// per index.
pub struct EngineSeek {
    from: Key,
    end: Option<Key>,
    found: Option<(Key, Bytes)>,
}

impl EngineSeek {
    fn answers(&self, start: &[u8], end: &Option<Key>) -> bool {
        self.end == *end
            && self.from.as_slice() <= start
            && self
                .found
                .as_ref()
                .is_none_or(|(key, _)| start <= key.as_slice())
    }
}

impl<'s> Txn<'s> {
    /// The engine's blocks from `start` (below `end`) on, the first one from the last
    /// seek when it answers for `start`; the engine is scanned for the rest only if the
    /// caller reads past the first.
    fn engine_blocks_from(&mut self, start: &Key, end: &Option<Key>) -> Result<KvScan<'s>> {
        let store = self.store;
        let seeks = &mut self.last_block_seeks;
        let found = match seeks.iter().find(|seek| seek.answers(start, end)) {
            Some(seek) => seek.found.clone(),
            None => {
                let found = store
                    .engine
                    .scan(start.clone(), end.clone())
                    .next()
                    .transpose()?;
                let seek = EngineSeek {
                    from: start.clone(),
                    end: end.clone(),
                    found: found.clone(),
                };
                match seeks.iter_mut().find(|s| s.end == *end) {
                    Some(slot) => *slot = seek,
                    None => seeks.push(seek),
                }
                found
            }
        };
        let Some((key, block)) = found else {
            return Ok(Box::new(std::iter::empty()));
        };
        // The smallest key after `key`.
        let mut after = key.clone();
        after.push(0);
        let end = end.clone();
        let mut rest: Option<KvScan<'s>> = None;
        let later = std::iter::from_fn(move || {
            rest.get_or_insert_with(|| store.engine.scan(after.clone(), end.clone()))
                .next()
        });
        Ok(Box::new(std::iter::once(Ok((key, block))).chain(later)))
    }

    /// The blocks of the index `prefix` in key order, from the one that holds or would
    /// take `from` on: as committed, or as this transaction sees them.
    fn blocks_from(
        &self,
        prefix: &[u8],
        from: &[u8],
        committed: bool,
    ) -> Box<dyn Iterator<Item = Result<(Key, Bytes)>> + '_> {
        let start = block_key(prefix, from);
        let end = keys::prefix_end(prefix);
        let base = self.store.engine.scan(start.clone(), end.clone());
        if committed {
            return base;
        }
        Box::new(self.overlay.merge(base, &start, end.as_deref()))
    }

    /// The block of the index `prefix` that holds or would take `entry`, as this
    /// transaction sees it; `None` when the entry is above every block.
    fn block_for(&mut self, prefix: &[u8], entry: &[u8]) -> Result<Option<(Key, Bytes)>> {
        let start = block_key(prefix, entry);
        let end = keys::prefix_end(prefix);
        let base = self.engine_blocks_from(&start, &end)?;
        self.overlay
            .merge(base, &start, end.as_deref())
            .next()
            .transpose()
    }

    /// Adds `entry` to the index `prefix` (nothing when it is there).
    pub(super) fn insert_index_entry(&mut self, prefix: &[u8], entry: &[u8]) -> Result<()> {
        let Some((key, bytes)) = self.block_for(prefix, entry)? else {
            self.put(tail_key(prefix), codec::encode_index_block(&[entry]));
            return Ok(());
        };
        let mut entries = codec::decode_index_block(&bytes)?;
        let Err(at) = entries.binary_search(&entry) else {
            return Ok(());
        };
        entries.insert(at, entry);
        if entries.len() <= BLOCK_CAP {
            let block = codec::encode_index_block(&entries);
            self.put(key, block);
            return Ok(());
        }
        let upper = entries.split_off(entries.len() / 2);
        let lower_bound = entries.last().copied().unwrap_or_default();
        let (lower_key, lower, upper) = (
            block_key(prefix, lower_bound),
            codec::encode_index_block(&entries),
            codec::encode_index_block(&upper),
        );
        self.put(lower_key, lower);
        self.put(key, upper);
        Ok(())
    }

    /// Removes `entry` from the index `prefix` (nothing when it is not there).
    pub(super) fn remove_index_entry(&mut self, prefix: &[u8], entry: &[u8]) -> Result<()> {
        let Some((key, bytes)) = self.block_for(prefix, entry)? else {
            return Ok(());
        };
        let mut entries = codec::decode_index_block(&bytes)?;
        let Ok(at) = entries.binary_search(&entry) else {
            return Ok(());
        };
        entries.remove(at);
        if entries.is_empty() {
            self.remove(key);
        } else {
            let block = codec::encode_index_block(&entries);
            self.put(key, block);
        }
        Ok(())
    }

    /// The entries of the index `prefix` in `from..to` (`None`: to its end), in order:
    /// as committed, or as this transaction sees them.
    pub(super) fn index_entries(
        &self,
        prefix: &[u8],
        from: Vec<u8>,
        to: Option<Vec<u8>>,
        committed: bool,
    ) -> impl Iterator<Item = Result<Vec<u8>>> + '_ {
        entries_in(self.blocks_from(prefix, &from, committed), from, to)
    }
}

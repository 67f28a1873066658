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
use super::kv::{Batch, Bytes, Key};
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

/// Writes to blocks: `None` removes one.
type BlockWrites = Vec<(Key, Option<Bytes>)>;

impl Txn<'_> {
    /// Where the remembered engine answer for a seek from `start` (below `end`) is,
    /// asking the engine when none answers.
    fn engine_seek(&mut self, start: &Key, end: &Option<Key>) -> Result<usize> {
        let seeks = &mut self.last_block_seeks;
        Ok(
            match seeks.iter().position(|seek| seek.answers(start, end)) {
                Some(at) => at,
                None => {
                    let found = self
                        .store
                        .engine
                        .scan(start.clone(), end.clone())
                        .next()
                        .transpose()?;
                    let seek = EngineSeek {
                        from: start.clone(),
                        end: end.clone(),
                        found,
                    };
                    match seeks.iter().position(|s| s.end == *end) {
                        Some(at) => {
                            if let Some(slot) = seeks.get_mut(at) {
                                *slot = seek;
                            }
                            at
                        }
                        None => {
                            seeks.push(seek);
                            seeks.len() - 1
                        }
                    }
                }
            },
        )
    }

    /// Hands `look` the block of the index `prefix` that holds or would take `entry`, as
    /// this transaction sees it (`None` when the entry is above every block), where it
    /// lies: in this transaction's writes or in the remembered engine answer.
    fn with_block_for<T>(
        &mut self,
        prefix: &[u8],
        entry: &[u8],
        look: impl FnOnce(Option<(&[u8], &[u8])>) -> Result<T>,
    ) -> Result<T> {
        let start = block_key(prefix, entry);
        let end = keys::prefix_end(prefix);
        let at = self.engine_seek(&start, &end)?;
        let engine = self
            .last_block_seeks
            .get(at)
            .and_then(|seek| seek.found.as_ref());
        let buffered = self.overlay.first_from(&start, end.as_deref());
        match (buffered, engine) {
            (Some((key, value)), found) if found.is_none_or(|(k, _)| key <= k) => match value {
                Some(block) => look(Some((key, block))),
                None => {
                    // A block this transaction deleted: the one after it, the long way.
                    let next = self.blocks_from(prefix, entry, false).next().transpose()?;
                    look(next.as_ref().map(|(k, b)| (k.as_slice(), b.as_slice())))
                }
            },
            (_, Some((key, block))) => look(Some((key, block))),
            (_, None) => look(None),
        }
    }

    fn apply_block_writes(&mut self, writes: BlockWrites) {
        for (key, block) in writes {
            match block {
                Some(block) => self.put(key, block),
                None => self.remove(key),
            }
        }
    }

    /// The blocks of the index `prefix` in key order, from the one that holds or would
    /// take `from` on: as committed, or as this transaction sees them.
    fn blocks_from(
        &self,
        prefix: &[u8],
        from: &[u8],
        committed: bool,
    ) -> Box<dyn Iterator<Item = Result<(Key, Bytes)>> + '_> {
        self.scan_range(block_key(prefix, from), keys::prefix_end(prefix), committed)
    }

    /// Adds `entry` to the index `prefix` (nothing when it is there).
    pub(super) fn insert_index_entry(&mut self, prefix: &[u8], entry: &[u8]) -> Result<()> {
        let writes = self.with_block_for(prefix, entry, |block| {
            let Some((key, bytes)) = block else {
                let block = codec::encode_index_block(&[entry]);
                return Ok(vec![(tail_key(prefix), Some(block))]);
            };
            let mut entries = codec::decode_index_block(bytes)?;
            let Err(at) = entries.binary_search(&entry) else {
                return Ok(Vec::new());
            };
            entries.insert(at, entry);
            if entries.len() <= BLOCK_CAP {
                let block = codec::encode_index_block(&entries);
                return Ok(vec![(key.to_vec(), Some(block))]);
            }
            let upper = entries.split_off(entries.len() / 2);
            let lower_bound = entries.last().copied().unwrap_or_default();
            Ok(vec![
                (
                    block_key(prefix, lower_bound),
                    Some(codec::encode_index_block(&entries)),
                ),
                (key.to_vec(), Some(codec::encode_index_block(&upper))),
            ])
        })?;
        self.apply_block_writes(writes);
        Ok(())
    }

    /// Removes `entry` from the index `prefix` (nothing when it is not there).
    pub(super) fn remove_index_entry(&mut self, prefix: &[u8], entry: &[u8]) -> Result<()> {
        let writes = self.with_block_for(prefix, entry, |block| {
            let Some((key, bytes)) = block else {
                return Ok(Vec::new());
            };
            let mut entries = codec::decode_index_block(bytes)?;
            let Ok(at) = entries.binary_search(&entry) else {
                return Ok(Vec::new());
            };
            entries.remove(at);
            let block = (!entries.is_empty()).then(|| codec::encode_index_block(&entries));
            Ok(vec![(key.to_vec(), block)])
        })?;
        self.apply_block_writes(writes);
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

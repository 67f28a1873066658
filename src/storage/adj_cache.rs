//! A store's in-memory cache of committed adjacency: for (node, direction), every
//! (type, other node, relationship), sorted by type then relationship id. Traversals
//! read it instead of decoding chunks again; the chunks in the engine stay the truth.
//!
//! Invariant: an entry equals what the engine holds for its (node, direction). Entries
//! are filled from engine reads only (never from a transaction's buffer) and every
//! commit drops the entries of the (node, direction) groups it wrote, after applying.
//! When the cache outgrows its budget it starts over empty.

use super::keys::{self, Token};
use crate::value::{NodeId, RelId};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

pub type AdjList = Arc<[(Token, NodeId, RelId)]>;

/// At most this many (type, other, rel) entries are kept (24 bytes each).
const MAX_CACHED_ENTRIES: usize = 8 << 20;

#[derive(Default)]
struct Inner {
    lists: HashMap<(NodeId, u8), AdjList, foldhash::fast::RandomState>,
    entries: usize,
}

#[derive(Default)]
pub struct AdjacencyCache {
    inner: RwLock<Inner>,
}

impl AdjacencyCache {
    pub fn get(&self, node: NodeId, dir: u8) -> Option<AdjList> {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        inner.lists.get(&(node, dir)).cloned()
    }

    pub fn insert(&self, node: NodeId, dir: u8, list: AdjList) {
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        if inner.entries + list.len() > MAX_CACHED_ENTRIES {
            inner.lists.clear();
            inner.entries = 0;
        }
        inner.entries += list.len();
        if let Some(old) = inner.lists.insert((node, dir), list) {
            inner.entries -= old.len();
        }
    }

    /// Drops the entries of every adjacency group among `written` keys.
    pub fn invalidate<'k>(&self, written: impl Iterator<Item = &'k [u8]>) {
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        if inner.lists.is_empty() {
            return;
        }
        for key in written {
            if let Some((node, dir, _, _)) = keys::parse_adj(key) {
                if let Some(old) = inner.lists.remove(&(node, dir)) {
                    inner.entries -= old.len();
                }
            }
        }
    }
}

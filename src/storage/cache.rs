//! A store's in-memory caches of committed data, read instead of the engine:
//! - adjacency: for (node, direction), every (type, other node, relationship), sorted by
//!   type then relationship id, so a traversal decodes no chunk twice;
//! - node records: a node's labels and properties decoded once, so a scan that reads a
//!   few properties of each node neither goes to the engine nor deserializes per read.
//!
//! Invariant: an entry equals what the engine holds for its key. Entries are filled from
//! engine reads only (never from a transaction's buffer), and every commit drops the
//! entries of the keys it wrote, after applying them; one transaction at a time runs on a
//! store, so no read sees an entry the running commit has made stale. A cache that
//! outgrows its budget starts over empty.

use super::codec::NodeRecord;
use super::keys::{self, Token};
use crate::value::{NodeId, RelId};
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, RwLock};

pub type AdjList = Arc<[(Token, NodeId, RelId)]>;

/// At most this many (type, other, rel) adjacency entries are kept (24 bytes each).
const MAX_ADJACENCY_ENTRIES: usize = 8 << 20;
/// At most this many node records, weighed as one plus their property count.
const MAX_NODE_WEIGHT: usize = 16 << 20;

/// Values by key with a total weight bound.
struct Bounded<K, V> {
    map: HashMap<K, (V, usize), foldhash::fast::RandomState>,
    weight: usize,
    budget: usize,
}

impl<K: Hash + Eq, V: Clone> Bounded<K, V> {
    fn new(budget: usize) -> Self {
        Bounded {
            map: HashMap::default(),
            weight: 0,
            budget,
        }
    }

    fn insert(&mut self, key: K, value: V, weight: usize) {
        if self.weight + weight > self.budget {
            self.map.clear();
            self.weight = 0;
        }
        self.weight += weight;
        if let Some((_, old)) = self.map.insert(key, (value, weight)) {
            self.weight -= old;
        }
    }

    fn remove(&mut self, key: &K) {
        if let Some((_, old)) = self.map.remove(key) {
            self.weight -= old;
        }
    }
}

struct Inner {
    adjacency: Bounded<(NodeId, u8), AdjList>,
    nodes: Bounded<NodeId, Arc<NodeRecord>>,
}

pub struct CommittedCache {
    inner: RwLock<Inner>,
}

impl Default for CommittedCache {
    fn default() -> Self {
        CommittedCache {
            inner: RwLock::new(Inner {
                adjacency: Bounded::new(MAX_ADJACENCY_ENTRIES),
                nodes: Bounded::new(MAX_NODE_WEIGHT),
            }),
        }
    }
}

impl CommittedCache {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }

    pub fn adjacency(&self, node: NodeId, dir: u8) -> Option<AdjList> {
        self.read()
            .adjacency
            .map
            .get(&(node, dir))
            .map(|(l, _)| l.clone())
    }

    pub fn insert_adjacency(&self, node: NodeId, dir: u8, list: AdjList) {
        let weight = list.len();
        self.write().adjacency.insert((node, dir), list, weight);
    }

    pub fn node(&self, id: NodeId) -> Option<Arc<NodeRecord>> {
        self.read().nodes.map.get(&id).map(|(r, _)| r.clone())
    }

    pub fn insert_node(&self, id: NodeId, record: Arc<NodeRecord>) {
        let weight = 1 + record.props.len();
        self.write().nodes.insert(id, record, weight);
    }

    /// Drops the entries of every node and adjacency group among `written` keys.
    pub fn invalidate<'k>(&self, written: impl Iterator<Item = &'k [u8]>) {
        let mut inner = self.write();
        if inner.adjacency.map.is_empty() && inner.nodes.map.is_empty() {
            return;
        }
        for key in written {
            match key.first() {
                Some(&keys::ADJ) => {
                    if let Some((node, dir, _, _)) = keys::parse_adj(key) {
                        inner.adjacency.remove(&(node, dir));
                    }
                }
                Some(&keys::NODE) => {
                    if let Some(id) = keys::trailing_id(key) {
                        inner.nodes.remove(&id);
                    }
                }
                _ => {}
            }
        }
    }
}

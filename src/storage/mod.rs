//! The storage boundary: a property graph over an ordered, transactional key-value engine.
//!
//! API CONTRACT (draft written by the lead; the storage owner implements it and may refine
//! it, keeping the other modules compiling). Only this module names sled.
//!
//! - `Store` is one open database (sled-backed or in memory).
//! - `Txn` is a read snapshot plus a write buffer; reads see the buffer's own writes;
//!   `commit` applies the buffer atomically and durably (flush), `drop` without commit
//!   discards it. One writing `Txn` at a time per `Store`.
//! - `Txn::savepoint` / `rollback_to` give statement-level atomicity inside an explicit
//!   transaction.

use crate::error::Result;
use crate::value::{NodeId, PropertyMap, RelId, Value};
use std::path::Path;

/// Direction of an expansion, seen from the node being expanded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    Outgoing,
    Incoming,
    Both,
}

/// One relationship seen from a node during expansion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    pub rel: RelId,
    pub rel_type: String,
    /// The relationship's own start and end (not relative to the expanded node).
    pub start: NodeId,
    pub end: NodeId,
}

/// A relationship's identity and endpoints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelInfo {
    pub id: RelId,
    pub rel_type: String,
    pub start: NodeId,
    pub end: NodeId,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SchemaKind {
    Index,
    UniqueConstraint,
}

/// An index or a uniqueness constraint on (label, key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaEntry {
    pub name: String,
    pub kind: SchemaKind,
    pub label: String,
    pub key: String,
}

pub struct Store {}

impl Store {
    /// Opens (creating if absent) the database in folder `path`; a path already open in
    /// this process returns the same store.
    pub fn open_shared(_path: &Path) -> Result<std::sync::Arc<Store>> {
        todo!("storage")
    }
    /// A database that lives in memory only.
    pub fn in_memory() -> Store {
        todo!("storage")
    }
    /// Starts a transaction (serialized with other writers of this store).
    pub fn begin(&self) -> Result<Txn<'_>> {
        todo!("storage")
    }
}

pub struct Txn<'s> {
    _store: &'s Store,
}

pub type Scan<'t, T> = Box<dyn Iterator<Item = Result<T>> + 't>;

impl<'s> Txn<'s> {
    pub fn commit(self) -> Result<()> {
        todo!("storage")
    }
    pub fn savepoint(&self) -> usize {
        todo!("storage")
    }
    pub fn rollback_to(&mut self, _savepoint: usize) {
        todo!("storage")
    }

    // ---- nodes
    pub fn create_node(&mut self, _labels: &[String], _props: PropertyMap) -> Result<NodeId> {
        todo!("storage")
    }
    pub fn node_exists(&self, _id: NodeId) -> Result<bool> {
        todo!("storage")
    }
    pub fn node_labels(&self, _id: NodeId) -> Result<Vec<String>> {
        todo!("storage")
    }
    pub fn node_has_label(&self, _id: NodeId, _label: &str) -> Result<bool> {
        todo!("storage")
    }
    pub fn node_property(&self, _id: NodeId, _key: &str) -> Result<Option<Value>> {
        todo!("storage")
    }
    pub fn node_properties(&self, _id: NodeId) -> Result<PropertyMap> {
        todo!("storage")
    }
    /// `None` removes the property. Returns the previous value.
    pub fn set_node_property(
        &mut self,
        _id: NodeId,
        _key: &str,
        _value: Option<Value>,
    ) -> Result<Option<Value>> {
        todo!("storage")
    }
    /// Returns whether the label was newly added.
    pub fn add_label(&mut self, _id: NodeId, _label: &str) -> Result<bool> {
        todo!("storage")
    }
    /// Returns whether the label was there.
    pub fn remove_label(&mut self, _id: NodeId, _label: &str) -> Result<bool> {
        todo!("storage")
    }
    /// Fails if the node still has relationships.
    pub fn delete_node(&mut self, _id: NodeId) -> Result<()> {
        todo!("storage")
    }
    pub fn all_nodes(&self) -> Scan<'_, NodeId> {
        todo!("storage")
    }
    pub fn nodes_with_label(&self, _label: &str) -> Scan<'_, NodeId> {
        todo!("storage")
    }
    pub fn node_count(&self) -> Result<u64> {
        todo!("storage")
    }
    pub fn label_count(&self, _label: &str) -> Result<u64> {
        todo!("storage")
    }

    // ---- relationships
    pub fn create_relationship(
        &mut self,
        _start: NodeId,
        _end: NodeId,
        _rel_type: &str,
        _props: PropertyMap,
    ) -> Result<RelId> {
        todo!("storage")
    }
    pub fn relationship(&self, _id: RelId) -> Result<Option<RelInfo>> {
        todo!("storage")
    }
    pub fn rel_property(&self, _id: RelId, _key: &str) -> Result<Option<Value>> {
        todo!("storage")
    }
    pub fn rel_properties(&self, _id: RelId) -> Result<PropertyMap> {
        todo!("storage")
    }
    pub fn set_rel_property(
        &mut self,
        _id: RelId,
        _key: &str,
        _value: Option<Value>,
    ) -> Result<Option<Value>> {
        todo!("storage")
    }
    pub fn delete_relationship(&mut self, _id: RelId) -> Result<()> {
        todo!("storage")
    }
    /// Relationships of `node` in direction `dir` whose type is one of `types` (all when
    /// empty). A self-loop appears once, also for `Dir::Both`.
    pub fn expand(&self, _node: NodeId, _dir: Dir, _types: &[String]) -> Scan<'_, Edge> {
        todo!("storage")
    }
    pub fn degree(&self, _node: NodeId, _dir: Dir, _types: &[String]) -> Result<u64> {
        todo!("storage")
    }
    pub fn all_relationships(&self) -> Scan<'_, RelInfo> {
        todo!("storage")
    }
    pub fn relationship_count(&self) -> Result<u64> {
        todo!("storage")
    }
    pub fn rel_type_count(&self, _rel_type: &str) -> Result<u64> {
        todo!("storage")
    }

    // ---- catalogue
    pub fn labels(&self) -> Result<Vec<String>> {
        todo!("storage")
    }
    pub fn relationship_types(&self) -> Result<Vec<String>> {
        todo!("storage")
    }
    pub fn property_keys(&self) -> Result<Vec<String>> {
        todo!("storage")
    }

    // ---- schema
    pub fn create_index(
        &mut self,
        _name: Option<&str>,
        _label: &str,
        _key: &str,
    ) -> Result<String> {
        todo!("storage")
    }
    pub fn create_unique_constraint(
        &mut self,
        _name: Option<&str>,
        _label: &str,
        _key: &str,
    ) -> Result<String> {
        todo!("storage")
    }
    pub fn drop_schema(&mut self, _name: &str) -> Result<bool> {
        todo!("storage")
    }
    pub fn schema(&self) -> Result<Vec<SchemaEntry>> {
        todo!("storage")
    }
    /// Nodes with `label` whose `key` equals `value`, when an index or constraint covers
    /// (label, key); `None` when none does.
    pub fn index_seek(&self, _label: &str, _key: &str, _value: &Value) -> Option<Scan<'_, NodeId>> {
        todo!("storage")
    }
    /// Nodes with `label` whose `key` lies in the range (bounds inclusive when the flag is set).
    pub fn index_range(
        &self,
        _label: &str,
        _key: &str,
        _lower: Option<(&Value, bool)>,
        _upper: Option<(&Value, bool)>,
    ) -> Option<Scan<'_, NodeId>> {
        todo!("storage")
    }
}

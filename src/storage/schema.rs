//! Property indexes and uniqueness constraints on (label, key): their definitions, the
//! index entries every node write keeps in step, and the lookups the planner uses.
//!
//! One definition at most per (label, key): a uniqueness constraint is backed by its own
//! index entries, so an index beside it would be the same index twice. An entry is
//! `value node` with the value in `index_key`'s order-preserving encoding, kept in its
//! index's blocks (`index_blocks`); every node with the label and the property has
//! exactly one.

use super::codec::{self, NodeRecord, StoredValue};
use super::index_blocks::{self, index_prefix};
use super::index_key::{self, IndexedValue};
use super::keys::{self, Token, TokenKind};
use super::{Scan, SchemaEntry, SchemaKind, Txn};
use crate::error::{Error, ErrorClass, Result};
use crate::value::{NodeId, Value};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::sync::Arc;

/// A definition as stored (under `SCHEMA name`) and as kept in memory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaDef {
    pub name: String,
    pub unique: bool,
    pub label: Token,
    pub key: Token,
}

fn schema_key(name: &str) -> Vec<u8> {
    let mut k = vec![keys::SCHEMA];
    k.extend_from_slice(name.as_bytes());
    k
}

/// The index entry of `node` with `value`.
pub(super) fn index_entry(value: &StoredValue, node: NodeId) -> Vec<u8> {
    let mut entry = value_prefix(value);
    entry.extend_from_slice(&node.to_be_bytes());
    entry
}

/// The start of the index entries with `value`.
fn value_prefix(value: &StoredValue) -> Vec<u8> {
    let mut prefix = Vec::with_capacity(32);
    index_key::encode(&mut prefix, value);
    prefix
}

/// The entries that start with `prefix`, as a range.
fn prefix_range(prefix: &[u8]) -> (Vec<u8>, Option<Vec<u8>>) {
    (prefix.to_vec(), keys::prefix_end(prefix))
}

/// Starts of the index entries equal to `value`: integers and floats equal by value share
/// the number prefix up to the kind byte.
pub(super) fn equal_prefixes(value: &StoredValue) -> Vec<Vec<u8>> {
    match value {
        StoredValue::Float(f) => vec![index_key::number_prefix(*f)],
        StoredValue::Int(i) => {
            let mut floats = index_key::number_prefix(*i as f64);
            // A float equals this integer only if the integer converts exactly
            // (2^63 converts to a float but not back).
            let f = *i as f64;
            let exact_float = f < 9_223_372_036_854_775_808.0 && f as i64 == *i;
            let mut out = vec![value_prefix(value)];
            if exact_float {
                floats.push(0); // the float kind byte
                out.push(floats);
            }
            out
        }
        other => vec![value_prefix(other)],
    }
}

/// Reads every definition from a scan of the `SCHEMA` keyspace.
pub fn decode_defs(
    entries: impl Iterator<Item = Result<(Vec<u8>, Vec<u8>)>>,
) -> Result<Vec<SchemaDef>> {
    entries
        .map(|entry| {
            let (_, bytes) = entry?;
            codec::decode_record(&bytes)
        })
        .collect()
}

pub fn schema_prefix() -> Vec<u8> {
    vec![keys::SCHEMA]
}

fn equivalent_exists(label: &str, key: &str, existing: &SchemaDef) -> Error {
    let what = if existing.unique {
        "a uniqueness constraint"
    } else {
        "an index"
    };
    Error::new(
        ErrorClass::SemanticError,
        "EquivalentSchemaRuleAlreadyExists",
        format!(
            "{what} named `{}` already covers :{label}({key})",
            existing.name
        ),
    )
}

impl Txn<'_> {
    fn def_for(&self, label: Token, key: Token) -> Option<&SchemaDef> {
        self.schema
            .iter()
            .find(|d| d.label == label && d.key == key)
    }

    /// Remembers the definitions as they are, so `rollback_to` can restore them.
    fn save_schema(&mut self) {
        let at = self.savepoint();
        self.schema_undo.push((at, Arc::clone(&self.schema)));
    }

    /// Adds the index entry of `node` for (`label`, `key`) = `value`, after checking a
    /// uniqueness constraint.
    fn add_index_entry(
        &mut self,
        def: &SchemaDef,
        node: NodeId,
        value: &StoredValue,
    ) -> Result<()> {
        let prefix = index_prefix(def.label, def.key);
        if def.unique {
            if let Some(other) = self.equal_entry(&prefix, value, Some(node))? {
                return Err(self.unique_violation(def, other, value));
            }
        }
        self.insert_index_entry(&prefix, &index_entry(value, node))
    }

    /// A node other than `except` with an entry equal to `value` in the index `prefix`.
    pub(super) fn equal_entry(
        &self,
        prefix: &[u8],
        value: &StoredValue,
        except: Option<NodeId>,
    ) -> Result<Option<NodeId>> {
        for start in equal_prefixes(value) {
            let (from, to) = prefix_range(&start);
            for entry in self.index_entries(prefix, from, to, false) {
                let other = index_blocks::entry_node(&entry?)?;
                if Some(other) != except {
                    return Ok(Some(other));
                }
            }
        }
        Ok(None)
    }

    pub(super) fn unique_violation(
        &self,
        def: &SchemaDef,
        other: NodeId,
        value: &StoredValue,
    ) -> Error {
        let label = self
            .token_name(TokenKind::Label, def.label)
            .unwrap_or("?")
            .to_string();
        let key = self
            .token_name(TokenKind::PropertyKey, def.key)
            .unwrap_or("?")
            .to_string();
        let shown = codec::from_stored(value)
            .map(|v| v.to_string())
            .unwrap_or_default();
        Error::new(
            ErrorClass::ConstraintValidationFailed,
            "UniquenessViolation",
            format!(
                "node {other} already exists with label `{label}` and property `{key}` = {shown}"
            ),
        )
    }

    /// Keeps the index entries of `node` in step with a change from `before` to `after`
    /// (either may be absent: a created or deleted node).
    pub(super) fn update_node_indexes(
        &mut self,
        node: NodeId,
        before: Option<&NodeRecord>,
        after: Option<&NodeRecord>,
    ) -> Result<()> {
        if self.schema.is_empty() {
            return Ok(());
        }
        let defs = Arc::clone(&self.schema);
        for def in defs.iter() {
            let old = before.and_then(|r| indexed_value(r, def));
            let new = after.and_then(|r| indexed_value(r, def));
            if old == new {
                continue;
            }
            let prefix = index_prefix(def.label, def.key);
            if let Some(old) = old {
                self.remove_index_entry(&prefix, &index_entry(old, node))?;
            }
            if let Some(new) = new {
                self.add_index_entry(def, node, new)?;
            }
        }
        Ok(())
    }

    fn create_schema(
        &mut self,
        name: Option<&str>,
        label: &str,
        key: &str,
        unique: bool,
    ) -> Result<String> {
        let label_token = self.tokens.intern(TokenKind::Label, label);
        let key_token = self.tokens.intern(TokenKind::PropertyKey, key);
        if let Some(existing) = self.def_for(label_token, key_token) {
            return Err(equivalent_exists(label, key, existing));
        }
        let name = match name {
            Some(n) => n.to_string(),
            None => format!(
                "{}_{label}_{key}",
                if unique { "constraint" } else { "index" }
            ),
        };
        if self.schema.iter().any(|d| d.name == name) {
            return Err(Error::new(
                ErrorClass::SemanticError,
                "SchemaNameAlreadyInUse",
                format!("an index or constraint named `{name}` already exists"),
            ));
        }
        let def = SchemaDef {
            name: name.clone(),
            unique,
            label: label_token,
            key: key_token,
        };
        let savepoint = self.savepoint();
        match self.build_index(&def) {
            Ok(()) => {
                self.save_schema();
                self.put(schema_key(&name), codec::encode_record(&def)?);
                Arc::make_mut(&mut self.schema).push(def);
                Ok(name)
            }
            Err(e) => {
                self.rollback_to(savepoint);
                Err(e)
            }
        }
    }

    /// Writes the entries of every node that already has the label and the key.
    fn build_index(&mut self, def: &SchemaDef) -> Result<()> {
        let nodes: Vec<NodeId> = self.label_nodes(def.label).collect::<Result<_>>()?;
        for node in nodes {
            let Some(record) = self.read_node(node)? else {
                continue;
            };
            if let Some(value) = indexed_value(&record, def) {
                self.add_index_entry(def, node, value).map_err(|e| {
                    if e.class == ErrorClass::ConstraintValidationFailed {
                        Error::new(
                            ErrorClass::ConstraintValidationFailed,
                            "ExistingDataViolation",
                            format!("cannot create the constraint `{}`: {}", def.name, e.message),
                        )
                    } else {
                        e
                    }
                })?;
            }
        }
        Ok(())
    }

    /// Creates an index on (label, key) and fills it from the existing nodes; returns
    /// its name.
    pub fn create_index(&mut self, name: Option<&str>, label: &str, key: &str) -> Result<String> {
        self.create_schema(name, label, key, false)
    }

    /// Creates a uniqueness constraint on (label, key); refused when existing nodes
    /// already break it.
    pub fn create_unique_constraint(
        &mut self,
        name: Option<&str>,
        label: &str,
        key: &str,
    ) -> Result<String> {
        self.create_schema(name, label, key, true)
    }

    /// Drops the index or constraint called `name`; returns whether there was one.
    pub fn drop_schema(&mut self, name: &str) -> Result<bool> {
        let Some(def) = self.schema.iter().find(|d| d.name == name).cloned() else {
            return Ok(false);
        };
        self.save_schema();
        let entries: Vec<Vec<u8>> = self
            .scan_prefix(index_prefix(def.label, def.key))
            .map(|e| e.map(|(k, _)| k))
            .collect::<Result<_>>()?;
        for key in entries {
            self.remove(key);
        }
        self.remove(schema_key(name));
        Arc::make_mut(&mut self.schema).retain(|d| d.name != name);
        Ok(true)
    }

    /// Which schema this transaction sees: equal versions mean the same indexes and
    /// constraints (a version keeps its definitions alive, so it is never reused).
    pub fn schema_version(&self) -> SchemaVersion {
        SchemaVersion(Arc::clone(&self.schema))
    }

    /// Every index and constraint, sorted by name.
    pub fn schema(&self) -> Result<Vec<SchemaEntry>> {
        let mut entries = self
            .schema
            .iter()
            .map(|d| {
                Ok(SchemaEntry {
                    name: d.name.clone(),
                    kind: if d.unique {
                        SchemaKind::UniqueConstraint
                    } else {
                        SchemaKind::Index
                    },
                    label: self.token_name(TokenKind::Label, d.label)?.to_string(),
                    key: self.token_name(TokenKind::PropertyKey, d.key)?.to_string(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(entries)
    }

    fn covering_def(&self, label: &str, key: &str) -> Option<&SchemaDef> {
        let label = self.token(TokenKind::Label, label)?;
        let key = self.token(TokenKind::PropertyKey, key)?;
        self.def_for(label, key)
    }

    /// The nodes of the entries of index `prefix` that start with `start`.
    fn ids_of(&self, prefix: Vec<u8>, start: Vec<u8>) -> Scan<'_, NodeId> {
        let mut cache_key = prefix.clone();
        cache_key.extend_from_slice(&start);
        let collect = {
            let prefix = prefix.clone();
            move |committed: bool| {
                let (from, to) = prefix_range(&start);
                self.index_entries(&prefix, from, to, committed)
                    .map(|entry| index_blocks::entry_node(&entry?))
                    .collect()
            }
        };
        self.node_list(cache_key, &prefix, collect)
    }

    /// Nodes with `label` whose `key` equals `value`, when an index or constraint covers
    /// (label, key); `None` when none does.
    pub fn index_seek(&self, label: &str, key: &str, value: &Value) -> Option<Scan<'_, NodeId>> {
        let def = self.covering_def(label, key)?;
        let Some(stored) = index_key::lookup_value(value) else {
            return Some(Box::new(std::iter::empty()));
        };
        let prefix = index_prefix(def.label, def.key);
        Some(
            self.shown_nodes(Box::new(
                equal_prefixes(&stored)
                    .into_iter()
                    .flat_map(move |start| self.ids_of(prefix.clone(), start)),
            )),
        )
    }

    /// Nodes with `label` whose `key` lies in the range (bounds inclusive when the flag
    /// is set); `None` when no index covers (label, key) or the bounds have no order in
    /// an index (temporal values, lists).
    pub fn index_range(
        &self,
        label: &str,
        key: &str,
        lower: Option<(&Value, bool)>,
        upper: Option<(&Value, bool)>,
    ) -> Option<Scan<'_, NodeId>> {
        let def = self.covering_def(label, key)?;
        let nan = |b: Option<(&Value, bool)>| matches!(b, Some((Value::Float(f), _)) if f.is_nan());
        let null = |b: Option<(&Value, bool)>| matches!(b, Some((Value::Null, _)));
        if nan(lower) || nan(upper) || null(lower) || null(upper) {
            return Some(Box::new(std::iter::empty()));
        }
        let low = match lower {
            Some((v, _)) => Some(index_key::range_start(v)?),
            None => None,
        };
        let high = match upper {
            Some((v, _)) => Some(index_key::range_start(v)?),
            None => None,
        };
        let family = match (&low, &high) {
            (Some((a, _)), Some((b, _))) if a != b => return Some(Box::new(std::iter::empty())),
            (Some((f, _)), _) | (_, Some((f, _))) => *f,
            (None, None) => return None,
        };
        let start = match low {
            Some((_, p)) => p,
            None => index_key::family_prefix(family),
        };
        let end = match high {
            Some((_, p)) => keys::prefix_end(&p),
            None => keys::prefix_end(&index_key::family_prefix(family)),
        };
        let lower = lower.map(|(v, inc)| (v.clone(), inc));
        let upper = upper.map(|(v, inc)| (v.clone(), inc));
        let in_range = move |v: &IndexedValue| {
            lower
                .as_ref()
                .is_none_or(|b| within(v, b, Ordering::Greater))
                && upper.as_ref().is_none_or(|b| within(v, b, Ordering::Less))
        };
        let prefix = index_prefix(def.label, def.key);
        let scan = self.index_entries(&prefix, start, end, false);
        Some(self.shown_nodes(Box::new(scan.filter_map(move |entry| {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => return Some(Err(e)),
            };
            match (index_key::decode(&entry), keys::trailing_id(&entry)) {
                (Some(v), Some(id)) => in_range(&v).then_some(Ok(id)),
                _ => Some(Err(codec::corrupt("an index entry is malformed"))),
            }
        }))))
    }
}

/// Whether `v` lies on the `side` of `bound` (or on it, when the bound is inclusive).
fn within(v: &IndexedValue, bound: &(Value, bool), side: Ordering) -> bool {
    match index_key::compare(v, &bound.0) {
        Some(Ordering::Equal) => bound.1,
        Some(o) => o == side,
        None => false,
    }
}

/// The value a node contributes to a definition's index, if it has both label and key.
pub(super) fn indexed_value<'r>(
    record: &'r NodeRecord,
    def: &SchemaDef,
) -> Option<&'r StoredValue> {
    if record.labels.binary_search(&def.label).is_err() {
        return None;
    }
    record
        .props
        .binary_search_by_key(&def.key, |(k, _)| *k)
        .ok()
        .and_then(|i| record.props.get(i))
        .map(|(_, v)| v)
}

/// One state of a store's indexes and constraints, compared by identity.
#[derive(Clone, Debug)]
pub struct SchemaVersion(Arc<Vec<SchemaDef>>);

impl PartialEq for SchemaVersion {
    fn eq(&self, other: &SchemaVersion) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

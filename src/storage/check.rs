//! The store's consistency check (`skein check`, `CALL db.check()`): reads every key of
//! the committed state and reports each place where the records the graph layer keeps in
//! step disagree, naming the element and what is wrong. It changes nothing.
//!
//! What it verifies, as `graph`, `schema`, `index_blocks`, `sources` and `history`
//! keep it:
//! - every record chunk, record kept apart, adjacency chunk, label bitmap, counter,
//!   index block and commit record decodes, with a known record version;
//! - node and relationship ids are below the next ids; a relationship's ends exist;
//!   names (labels, types, property keys) in records are interned;
//! - adjacency: each relationship is listed once under its start node (outgoing) and
//!   once under its end node (incoming), with its type and other end, and every entry
//!   names a relationship that says so;
//! - the label bitmaps hold exactly the nodes that have each label; the counts per
//!   label and type and the node and relationship totals match the records;
//! - each index holds exactly one entry per node with its label and key, and no other;
//!   a uniqueness constraint's values are distinct; no entries under a dropped index;
//! - no unfinished import journal is left; the commit records are numbered 1 to the
//!   last without a gap, and the oldest readable transaction is not after the last;
//! - provenance: every assertion and claim names an existing element, and the list
//!   of what each source asserts (`BY_SOURCE`) agrees with the assertions and claims.

use super::codec::{self, NodeRecord, RelHeader};
use super::keys::{self, Token, TokenKind, DIR_IN, DIR_OUT};
use super::kv::{Bytes, Key, KvEngine};
use super::schema::{index_entry, indexed_value};
use super::Txn;
use crate::error::Result;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One thing found wrong: what kind of record, which element, and the problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub kind: &'static str,
    pub element: String,
    pub problem: String,
}

/// Collects violations.
#[derive(Default)]
struct Report(Vec<Violation>);

impl Report {
    fn add(&mut self, kind: &'static str, element: impl Into<String>, problem: impl Into<String>) {
        self.0.push(Violation {
            kind,
            element: element.into(),
            problem: problem.into(),
        });
    }
}

fn node(id: u64) -> String {
    format!("node {id}")
}

fn rel(id: u64) -> String {
    format!("relationship {id}")
}

fn hex(key: &[u8]) -> String {
    key.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every key of one keyspace.
fn keyspace(engine: &dyn KvEngine, space: u8) -> Result<Vec<(Key, Bytes)>> {
    engine
        .scan(vec![space], keys::prefix_end(&[space]))
        .collect()
}

/// Records of one kind (`NODE`, `REL`), by id, decoded with `decode`; chunks and
/// records that do not decode are reported.
fn records<T>(
    engine: &dyn KvEngine,
    chunk_space: u8,
    apart_space: u8,
    name: fn(u64) -> String,
    decode: impl Fn(&[u8]) -> Result<T>,
    report: &mut Report,
) -> Result<BTreeMap<u64, T>> {
    let mut out = BTreeMap::new();
    let mut apart_used = BTreeSet::new();
    for (key, chunk) in keyspace(engine, chunk_space)? {
        let Some(chunk_no) = keys::trailing_id(&key).filter(|_| key.len() == 9) else {
            report.add(
                "record",
                format!("key {}", hex(&key)),
                "a malformed chunk key",
            );
            continue;
        };
        let entries = match codec::chunk_records(&chunk) {
            Ok(entries) => entries,
            Err(e) => {
                report.add(
                    "record",
                    format!(
                        "{} to {}",
                        name(chunk_no << keys::CHUNK_BITS),
                        name(((chunk_no + 1) << keys::CHUNK_BITS) - 1)
                    ),
                    format!("the record chunk does not decode: {}", e.message),
                );
                continue;
            }
        };
        for (offset, entry) in entries {
            let id = keys::id_in_chunk(chunk_no, offset);
            let bytes = if entry.is_empty() {
                apart_used.insert(id);
                match engine.get(&keys::record_apart(apart_space, id))? {
                    Some(bytes) => bytes,
                    None => {
                        report.add("record", name(id), "its record kept apart is missing");
                        continue;
                    }
                }
            } else {
                entry.to_vec()
            };
            match decode(&bytes) {
                Ok(record) => {
                    out.insert(id, record);
                }
                Err(e) => report.add(
                    "record",
                    name(id),
                    format!("the record does not decode: {}", e.message),
                ),
            }
        }
    }
    for (key, _) in keyspace(engine, apart_space)? {
        match keys::trailing_id(&key) {
            Some(id) if apart_used.contains(&id) => {}
            Some(id) => report.add(
                "record",
                name(id),
                "a record kept apart that its chunk does not point to",
            ),
            None => report.add(
                "record",
                format!("key {}", hex(&key)),
                "a malformed key of a record kept apart",
            ),
        }
    }
    Ok(out)
}

impl Txn<'_> {
    /// Verifies the committed state's invariants (see the module comment); an empty
    /// answer means none is broken. `Err` only when the engine cannot be read.
    pub fn check(&self) -> Result<Vec<Violation>> {
        let engine = self.engine();
        let mut report = Report::default();
        let name_of = |kind: TokenKind, token: Token| self.tokens.name(kind, token).is_some();

        // Unfinished import.
        if engine.get(&keys::meta(keys::META_IMPORT))?.is_some() {
            report.add(
                "journal",
                "the import journal",
                "an unfinished import's journal record is still there",
            );
        }

        let nodes: BTreeMap<u64, NodeRecord> = records(
            engine,
            keys::NODE,
            keys::NODE_APART,
            node,
            codec::decode_node,
            &mut report,
        )?;
        let rels: BTreeMap<u64, RelHeader> = records(
            engine,
            keys::REL,
            keys::REL_APART,
            rel,
            codec::decode_rel_header,
            &mut report,
        )?;

        for (&id, record) in &nodes {
            if id >= self.next_node {
                report.add(
                    "record",
                    node(id),
                    format!("its id is not below the next node id {}", self.next_node),
                );
            }
            for &label in &record.labels {
                if !name_of(TokenKind::Label, label) {
                    report.add(
                        "record",
                        node(id),
                        format!("label token {label} has no name"),
                    );
                }
            }
            for (key, _) in &record.props {
                if !name_of(TokenKind::PropertyKey, *key) {
                    report.add(
                        "record",
                        node(id),
                        format!("property key token {key} has no name"),
                    );
                }
            }
        }
        for (&id, header) in &rels {
            if id >= self.next_rel {
                report.add(
                    "record",
                    rel(id),
                    format!(
                        "its id is not below the next relationship id {}",
                        self.next_rel
                    ),
                );
            }
            if !name_of(TokenKind::RelType, header.rel_type) {
                report.add(
                    "record",
                    rel(id),
                    format!("type token {} has no name", header.rel_type),
                );
            }
            for (end, what) in [(header.start, "start"), (header.end, "end")] {
                if !nodes.contains_key(&end) {
                    report.add(
                        "record",
                        rel(id),
                        format!("its {what} node {end} does not exist"),
                    );
                }
            }
        }

        self.check_adjacency(engine, &rels, &mut report)?;
        self.check_labels_and_counts(engine, &nodes, &rels, &mut report)?;
        self.check_indexes(engine, &nodes, &mut report)?;
        check_history(engine, self.clock, &mut report)?;
        check_provenance(engine, &nodes, &rels, &mut report)?;
        Ok(report.0)
    }

    fn check_adjacency(
        &self,
        engine: &dyn KvEngine,
        rels: &BTreeMap<u64, RelHeader>,
        report: &mut Report,
    ) -> Result<()> {
        // (node, direction, relationship) → (type, other node), as listed.
        let mut listed: HashMap<(u64, u8, u64), (Token, u64)> = HashMap::new();
        for (key, chunk) in keyspace(engine, keys::ADJ)? {
            let Some((owner, _)) = keys::parse_adj(&key) else {
                report.add(
                    "adjacency",
                    format!("key {}", hex(&key)),
                    "a malformed adjacency key",
                );
                continue;
            };
            let entries: Vec<_> = match codec::adj_entries(&chunk) {
                Ok(entries) => entries.collect(),
                Err(e) => {
                    report.add(
                        "adjacency",
                        node(owner),
                        format!("an adjacency chunk does not decode: {}", e.message),
                    );
                    continue;
                }
            };
            for (dir, rel_type, other, id) in entries {
                if listed.insert((owner, dir, id), (rel_type, other)).is_some() {
                    report.add(
                        "adjacency",
                        node(owner),
                        format!("relationship {id} is listed twice"),
                    );
                }
                let Some(header) = rels.get(&id) else {
                    report.add(
                        "adjacency",
                        node(owner),
                        format!("lists relationship {id}, which does not exist"),
                    );
                    continue;
                };
                let expected = match dir {
                    DIR_OUT => (header.start, header.end),
                    DIR_IN => (header.end, header.start),
                    _ => {
                        report.add(
                            "adjacency",
                            node(owner),
                            format!("relationship {id} has direction byte {dir}"),
                        );
                        continue;
                    }
                };
                if (owner, other) != expected || rel_type != header.rel_type {
                    report.add(
                        "adjacency",
                        node(owner),
                        format!("its entry of relationship {id} does not match the relationship's record"),
                    );
                }
            }
        }
        for (&id, header) in rels {
            for (owner, dir, what) in [
                (header.start, DIR_OUT, "outgoing"),
                (header.end, DIR_IN, "incoming"),
            ] {
                if !listed.contains_key(&(owner, dir, id)) {
                    report.add(
                        "adjacency",
                        rel(id),
                        format!("missing from the {what} adjacency of node {owner}"),
                    );
                }
            }
        }
        Ok(())
    }

    fn check_labels_and_counts(
        &self,
        engine: &dyn KvEngine,
        nodes: &BTreeMap<u64, NodeRecord>,
        rels: &BTreeMap<u64, RelHeader>,
        report: &mut Report,
    ) -> Result<()> {
        let mut in_bitmaps: BTreeSet<(Token, u64)> = BTreeSet::new();
        for (key, bits) in keyspace(engine, keys::LABEL)? {
            let (Some(label), Some(chunk)) = (
                keys::label_of_prefix(&key),
                keys::trailing_id(&key).filter(|_| key.len() == keys::LABEL_PREFIX_LEN + 8),
            ) else {
                report.add(
                    "label",
                    format!("key {}", hex(&key)),
                    "a malformed label bitmap key",
                );
                continue;
            };
            let bits = match codec::decode_u64(&bits) {
                Ok(bits) => bits,
                Err(e) => {
                    report.add(
                        "label",
                        format!("label token {label}"),
                        format!("a bitmap does not decode: {}", e.message),
                    );
                    continue;
                }
            };
            for id in keys::label_chunk_nodes(chunk, bits) {
                in_bitmaps.insert((label, id));
                let has = nodes.get(&id).is_some_and(|r| r.labels.contains(&label));
                if !has {
                    report.add(
                        "label",
                        node(id),
                        format!(
                            "is in the bitmap of {} but its record lacks the label",
                            self.label_text(label)
                        ),
                    );
                }
            }
        }
        let mut label_counts: BTreeMap<Token, u64> = BTreeMap::new();
        for (&id, record) in nodes {
            for &label in &record.labels {
                *label_counts.entry(label).or_default() += 1;
                if !in_bitmaps.contains(&(label, id)) {
                    report.add(
                        "label",
                        node(id),
                        format!(
                            "has label {} but is not in its bitmap",
                            self.label_text(label)
                        ),
                    );
                }
            }
        }
        let mut type_counts: BTreeMap<Token, u64> = BTreeMap::new();
        for header in rels.values() {
            *type_counts.entry(header.rel_type).or_default() += 1;
        }
        let mut stored: BTreeMap<(u8, Token), u64> = BTreeMap::new();
        for (key, value) in keyspace(engine, keys::COUNT)? {
            let parsed = key.get(1).copied().zip(key.get(2..).and_then(keys::be_u32));
            let (Some((kind, token)), Ok(value)) = (parsed, codec::decode_u64(&value)) else {
                report.add(
                    "count",
                    format!("key {}", hex(&key)),
                    "a count record is malformed",
                );
                continue;
            };
            stored.insert((kind, token), value);
        }
        let label_kind = TokenKind::Label as u8;
        let type_kind = TokenKind::RelType as u8;
        let kinds = [
            (label_kind, &label_counts, "label"),
            (type_kind, &type_counts, "relationship type"),
        ];
        for (kind, actual, what) in kinds {
            let tokens: BTreeSet<Token> = actual
                .keys()
                .copied()
                .chain(stored.keys().filter(|(k, _)| *k == kind).map(|(_, t)| *t))
                .collect();
            for token in tokens {
                let have = actual.get(&token).copied().unwrap_or(0);
                let says = stored.get(&(kind, token)).copied().unwrap_or(0);
                if have != says {
                    let name = if kind == label_kind {
                        self.label_text(token)
                    } else {
                        self.tokens
                            .name(TokenKind::RelType, token)
                            .map_or_else(|| format!("token {token}"), |n| format!(":{n}"))
                    };
                    report.add(
                        "count",
                        format!("{what} {name}"),
                        format!("the count says {says}, the records hold {have}"),
                    );
                }
            }
        }
        for (sub, have, what) in [
            (keys::META_NODE_COUNT, nodes.len(), "nodes"),
            (keys::META_REL_COUNT, rels.len(), "relationships"),
        ] {
            let says = match engine.get(&keys::meta(sub))? {
                Some(bytes) => codec::decode_u64(&bytes).ok(),
                None => Some(0),
            };
            if says != Some(have as u64) {
                let says = says.map_or_else(|| "nothing readable".to_string(), |n| n.to_string());
                report.add(
                    "count",
                    format!("all {what}"),
                    format!("the count says {says}, the records hold {have}"),
                );
            }
        }
        Ok(())
    }

    fn label_text(&self, label: Token) -> String {
        self.tokens
            .name(TokenKind::Label, label)
            .map_or_else(|| format!("token {label}"), |n| format!(":{n}"))
    }

    fn check_indexes(
        &self,
        engine: &dyn KvEngine,
        nodes: &BTreeMap<u64, NodeRecord>,
        report: &mut Report,
    ) -> Result<()> {
        let mut prefixes = BTreeSet::new();
        for def in self.schema.iter() {
            let prefix = super::index_blocks::index_prefix(def.label, def.key);
            prefixes.insert(prefix.clone());
            let mut expected: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
            let mut classes: HashMap<Vec<u8>, u64> = HashMap::new();
            for (&id, record) in nodes {
                let Some(value) = indexed_value(record, def) else {
                    continue;
                };
                expected.insert(index_entry(value, id), id);
                if def.unique {
                    if let Some(other) = classes.insert(super::bulk::equality_class(value), id) {
                        report.add(
                            "constraint",
                            node(id),
                            format!("has the same value as node {other} under the uniqueness constraint `{}`", def.name),
                        );
                    }
                }
            }
            let mut found: BTreeSet<Vec<u8>> = BTreeSet::new();
            for entry in engine.scan(prefix.clone(), keys::prefix_end(&prefix)) {
                let (key, block) = entry?;
                let entries = match codec::decode_index_block(&block) {
                    Ok(entries) => entries,
                    Err(e) => {
                        report.add(
                            "index",
                            format!("index `{}`", def.name),
                            format!("a block does not decode: {}", e.message),
                        );
                        continue;
                    }
                };
                let bound = key.get(prefix.len()..).unwrap_or_default();
                for entry in entries {
                    if entry > bound && bound != [0xFF] {
                        report.add(
                            "index",
                            format!("index `{}`", def.name),
                            "an entry lies above its block's bound",
                        );
                    }
                    if !found.insert(entry.to_vec()) {
                        report.add(
                            "index",
                            format!("index `{}`", def.name),
                            "an entry is stored twice",
                        );
                    }
                }
            }
            for (entry, id) in &expected {
                if !found.contains(entry) {
                    report.add(
                        "index",
                        node(*id),
                        format!("its value is missing from index `{}`", def.name),
                    );
                }
            }
            for entry in found.iter().filter(|e| !expected.contains_key(*e)) {
                let who = keys::trailing_id(entry).map_or_else(|| "an entry".to_string(), node);
                report.add(
                    "index",
                    who,
                    format!("index `{}` holds an entry that no record has", def.name),
                );
            }
        }
        for (key, _) in keyspace(engine, keys::INDEX)? {
            let prefix = key
                .get(..super::index_blocks::INDEX_PREFIX_LEN)
                .unwrap_or_default();
            if !prefixes.contains(prefix) {
                report.add(
                    "index",
                    format!("key {}", hex(&key)),
                    "an index block of no index or constraint",
                );
            }
        }
        Ok(())
    }
}

fn check_history(
    engine: &dyn KvEngine,
    clock: super::history::Clock,
    report: &mut Report,
) -> Result<()> {
    let mut expected = 1;
    for (key, value) in keyspace(engine, keys::COMMIT)? {
        let Some(tx) = keys::trailing_id(&key).filter(|_| key.len() == 9) else {
            report.add(
                "history",
                format!("key {}", hex(&key)),
                "a malformed commit key",
            );
            continue;
        };
        if tx != expected {
            report.add(
                "history",
                format!("transaction {tx}"),
                format!("commit records jump from {} to {tx}", expected - 1),
            );
        }
        expected = tx + 1;
        if let Err(e) = super::history::check_commit(&value) {
            report.add(
                "history",
                format!("transaction {tx}"),
                format!("its commit record does not decode: {}", e.message),
            );
        }
    }
    if expected - 1 != clock.last_tx {
        report.add(
            "history",
            format!("transaction {}", clock.last_tx),
            format!("the last commit record is {}", expected - 1),
        );
    }
    if clock.oldest_tx > clock.last_tx {
        report.add(
            "history",
            format!("transaction {}", clock.oldest_tx),
            format!(
                "the oldest readable transaction is after the last, {}",
                clock.last_tx
            ),
        );
    }
    Ok(())
}

/// An element as provenance keys write it: kind byte and id.
fn element_at(key: &[u8], at: usize) -> Option<(u8, u64)> {
    Some((*key.get(at)?, keys::be_u64(key.get(at + 1..at + 9)?)?))
}

fn check_provenance(
    engine: &dyn KvEngine,
    nodes: &BTreeMap<u64, NodeRecord>,
    rels: &BTreeMap<u64, RelHeader>,
    report: &mut Report,
) -> Result<()> {
    let exists = |(kind, id): (u8, u64)| match kind {
        0 => nodes.contains_key(&id),
        1 => rels.contains_key(&id),
        _ => false,
    };
    let describe = |(kind, id): (u8, u64)| if kind == 0 { node(id) } else { rel(id) };
    // (source, element, property key) as the assertions and claims give them.
    let mut rows: BTreeSet<(u32, (u8, u64), Option<u32>)> = BTreeSet::new();
    for (space, with_key, what) in [
        (keys::ASSERT, false, "assertion"),
        (keys::CLAIM, true, "claim"),
    ] {
        for (key, _) in keyspace(engine, space)? {
            let element = element_at(&key, 1);
            let property = if with_key {
                key.get(10..14).and_then(keys::be_u32).map(Some)
            } else {
                Some(None)
            };
            let source = key
                .get(key.len().saturating_sub(4)..)
                .and_then(keys::be_u32);
            let expected_len = if with_key { 18 } else { 14 };
            let (Some(element), Some(property), Some(source)) = (element, property, source) else {
                report.add(
                    "provenance",
                    format!("key {}", hex(&key)),
                    format!("a malformed {what} key"),
                );
                continue;
            };
            if key.len() != expected_len {
                report.add(
                    "provenance",
                    format!("key {}", hex(&key)),
                    format!("a malformed {what} key"),
                );
                continue;
            }
            if !exists(element) {
                report.add(
                    "provenance",
                    describe(element),
                    format!("an {what} of source {source} names an element that does not exist"),
                );
            }
            if source != 0 {
                rows.insert((source, element, property));
            }
        }
    }
    let mut listed = BTreeSet::new();
    for (key, _) in keyspace(engine, keys::BY_SOURCE)? {
        let source = key.get(1..5).and_then(keys::be_u32);
        let element = element_at(&key, 5);
        let property = match key.len() {
            14 => Some(None),
            18 => key.get(14..18).and_then(keys::be_u32).map(Some),
            _ => None,
        };
        let (Some(source), Some(element), Some(property)) = (source, element, property) else {
            report.add(
                "provenance",
                format!("key {}", hex(&key)),
                "a malformed key of a source's list",
            );
            continue;
        };
        listed.insert((source, element, property));
    }
    for (source, element, property) in rows.difference(&listed) {
        let what = property.map_or("an assertion", |_| "a claim");
        report.add(
            "provenance",
            describe(*element),
            format!("{what} of source {source} is missing from that source's list"),
        );
    }
    for (source, element, property) in listed.difference(&rows) {
        let what = property.map_or("an assertion", |_| "a claim");
        report.add(
            "provenance",
            describe(*element),
            format!("source {source}'s list names {what} that does not exist"),
        );
    }
    Ok(())
}

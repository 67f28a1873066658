//! Model-based test of provenance ("sources"): random sequences of fact-file loads (new,
//! changed and unchanged versions of three files, one at a time or as a folder),
//! unloads, statements under a named source, unsourced writes, removals and deletions,
//! and close-and-reopen of an on-disk database, applied to the database and to a plain
//! model of the rules in `src/storage/sources.rs`. After every step the graph (which
//! nodes and relationships exist, their property values), `sources()`, `claims()`, the
//! assertions `db.provenance()` lists (with the unsourced writer's, and whether each says
//! the element exists), `db.conflicts()` and `db.sources()` must match what the model
//! computes, and every load and unload must report what the model says it kept and
//! withdrew.
//!
//! The model's rules:
//! - Each new or changed load of a source, each transaction under a named source and
//!   each unsourced write takes the next sequence number; a property's stored value is
//!   its newest claim's (highest sequence).
//! - A fact statement asserts the elements it creates or its MERGE matches, claims the
//!   properties it creates them with, the keys of the MERGE pattern's map and every
//!   property it SETs, and asserts both endpoints of a relationship it creates or
//!   merges. Within one load an assertion keeps the line of the first statement that
//!   made it, a claim the line of the last.
//! - An assertion either says the element exists (`exists`: the statement CREATEs it, or
//!   it is an element of a MERGE pattern the MERGE itself found or made, a variable not
//!   bound before that MERGE clause) or only refers to it (the endpoints of a
//!   relationship it creates or merges that were bound before, by MATCH or an earlier
//!   MERGE clause; an element it SETs or REMOVEs a property of without creating or
//!   merging it). Within one load a reference and an assertion of existence make an
//!   assertion of existence (with the first line). The unsourced writer's assertions
//!   follow the same rule, each transaction's replacing the one before.
//! - A source that first asserts (or refers to) an element nobody asserts records the
//!   element as it is as the unsourced writer's assertion (of existence) and claims,
//!   older than every load.
//! - An unsourced write to an asserted element asserts it and claims what it writes; to
//!   an element nobody asserts it records nothing (the element stays until deleted).
//! - Withdrawing (unload, or a changed load not repeating it) deletes every element it
//!   leaves with no assertion of existence (a node with all its relationships, with every
//!   assertion and claim of them), and so does a changed load for every element its new
//!   version only referred to; then it gives each withdrawn property of an element that
//!   stays its newest remaining claim's value or removes it. It counts every element it
//!   deletes, the properties it changes on elements that stay, and the source's rows it
//!   withdraws; a changed load keeps the previous version's rows it made again that still
//!   exist at the end.
//! - The other sources whose assertions such a deletion takes (of the element, or of a
//!   deleted node's relationships) become stale, listed by the withdrawal in the order of
//!   the sources' ids (one more than the highest of the others when each came): a stale
//!   file's next load runs in full, a changed load even with the same text.
//! - REMOVE, SET to null and DELETE drop every claim (and, for DELETE, assertion).
//!
//! Nodes and relationships have no identity the queries could name (a node whose `id`
//! claims are all withdrawn keeps existing without it), so the rows are compared as
//! multisets.

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

mod model_runner;
use sha2::{Digest, Sha256};
use skein::{Database, ErrorClass, LoadOutcome, Params, QueryOptions, Value, Withdrawn};
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::error::Error;
use std::path::{Path, PathBuf};

type TestResult<T = ()> = Result<T, Box<dyn Error>>;

/// The `id`s of the `:E` nodes are `0..NODES`.
const NODES: u8 = 4;
/// The `:E` node property keys the facts write.
const KEYS: [&str; 2] = ["p", "q"];
/// The source statements run under with `QueryOptions::source`.
const NAMED: &str = "w";
const FILES: [&str; 3] = ["a.cypher", "b.cypher", "c.cypher"];

// ---- the steps

#[derive(Clone, Copy, Debug)]
enum SetForm {
    /// `SET n.p = 1, n.q = 2`
    Dot,
    /// `SET n += {p: 1, q: 2}`
    Plus,
    /// `SET n = {id: 3, p: 1}`: removes the keys it does not name.
    Replace,
}

#[derive(Clone, Debug)]
enum Fact {
    /// `MERGE (n:E {id: …})` and the SET of `sets` (key index, value).
    Node {
        id: u8,
        form: SetForm,
        sets: Vec<(usize, i64)>,
    },
    /// `(a)-[:R]->(b)` merged between the `:E` nodes `from` and `to`, with `r.w` set
    /// when `w` is given; the endpoints are merged too, or (`matched`) matched.
    Rel {
        from: u8,
        to: u8,
        w: Option<i64>,
        matched: bool,
    },
    /// `MATCH (n:E {id: …}) REMOVE n.k` (or `SET n.k = null`).
    Remove { id: u8, key: usize, as_null: bool },
    /// `CREATE (:F {k: …})`: a new node at every load.
    Create { k: i64 },
    /// `MERGE (n:E {id: …}) SET n.p = 1 / 0`: fails, so the file loads nothing.
    Fail { id: u8 },
}

#[derive(Clone, Debug)]
enum Step {
    /// Writes file `file` (a header comment, then one fact a line) and loads it.
    Load {
        file: usize,
        header: Option<u8>,
        facts: Vec<Fact>,
    },
    /// Loads file `file` as it is (unchanged, or new after an unload; an error when it
    /// was never written).
    Reload { file: usize },
    /// Loads the folder of the files: each written file in name order.
    LoadFolder,
    /// Unloads file 0..3 or (3) the named source; an error when it is not loaded.
    Unload { source: usize },
    /// `MERGE (n:E {id: …}) SET n.k = v` without a source.
    Unsourced { id: u8, key: usize, value: i64 },
    /// `MATCH (a:E {id: …}), (b:E {id: …}) MERGE (a)-[r:R]->(b) SET r.w = v` without a
    /// source.
    UnsourcedRel { from: u8, to: u8, w: Option<i64> },
    /// `MATCH (n:E {id: …}) REMOVE n.k` without a source.
    UnsourcedRemove { id: u8, key: usize },
    /// `MATCH (n:E {id: …}) DETACH DELETE n` without a source.
    UnsourcedDelete { id: u8 },
    /// `MERGE (n:E {id: …}) SET n.k = v` for each write, in one transaction under the
    /// named source.
    Named { writes: Vec<(u8, usize, i64)> },
    /// Closes and reopens the database (on disk only).
    Reopen,
}

fn fact() -> impl Strategy<Value = Fact> {
    let id = 0u8..NODES;
    let form = prop_oneof![
        4 => Just(SetForm::Dot),
        2 => Just(SetForm::Plus),
        1 => Just(SetForm::Replace),
    ];
    prop_oneof![
        12 => (id.clone(), form, prop::collection::vec((0usize..2, 0i64..3), 0..3))
            .prop_map(|(id, form, sets)| Fact::Node { id, form, sets }),
        8 => (id.clone(), id.clone(), prop::option::of(0i64..2), prop::bool::weighted(0.3))
            .prop_map(|(from, to, w, matched)| Fact::Rel { from, to, w, matched }),
        2 => (id.clone(), 0usize..2, any::<bool>())
            .prop_map(|(id, key, as_null)| Fact::Remove { id, key, as_null }),
        2 => (0i64..2).prop_map(|k| Fact::Create { k }),
        1 => id.prop_map(|id| Fact::Fail { id }),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    let id = 0u8..NODES;
    let write = (id.clone(), 0usize..2, 0i64..3);
    prop_oneof![
        8 => (0usize..3, prop::option::of(0u8..3), prop::collection::vec(fact(), 0..6))
            .prop_map(|(file, header, facts)| Step::Load { file, header, facts }),
        3 => (0usize..3).prop_map(|file| Step::Reload { file }),
        1 => Just(Step::LoadFolder),
        3 => (0usize..4).prop_map(|source| Step::Unload { source }),
        3 => write.clone().prop_map(|(id, key, value)| Step::Unsourced { id, key, value }),
        2 => (id.clone(), id.clone(), prop::option::of(0i64..2))
            .prop_map(|(from, to, w)| Step::UnsourcedRel { from, to, w }),
        1 => (id.clone(), 0usize..2).prop_map(|(id, key)| Step::UnsourcedRemove { id, key }),
        1 => id.prop_map(|id| Step::UnsourcedDelete { id }),
        2 => prop::collection::vec(write, 1..3).prop_map(|writes| Step::Named { writes }),
        1 => Just(Step::Reopen),
    ]
}

/// The keys and values a map literal of `sets` holds: each key once, its last value.
fn deduped(sets: &[(usize, i64)]) -> BTreeMap<&'static str, i64> {
    sets.iter().map(|&(k, v)| (KEYS[k], v)).collect()
}

fn map_literal(entries: impl IntoIterator<Item = (&'static str, i64)>) -> String {
    let items: Vec<String> = entries
        .into_iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    format!("{{{}}}", items.join(", "))
}

fn fact_text(fact: &Fact) -> String {
    match fact {
        Fact::Node { id, form, sets } => {
            let merge = format!("MERGE (n:E {{id: {id}}})");
            match form {
                SetForm::Dot if sets.is_empty() => merge,
                SetForm::Dot => {
                    let items: Vec<String> = sets
                        .iter()
                        .map(|&(k, v)| format!("n.{} = {v}", KEYS[k]))
                        .collect();
                    format!("{merge} SET {}", items.join(", "))
                }
                SetForm::Plus => format!("{merge} SET n += {}", map_literal(deduped(sets))),
                SetForm::Replace => {
                    let entries = std::iter::once(("id", i64::from(*id))).chain(deduped(sets));
                    format!("{merge} SET n = {}", map_literal(entries))
                }
            }
        }
        Fact::Rel {
            from,
            to,
            w,
            matched,
        } => {
            let nodes = if *matched {
                format!("MATCH (a:E {{id: {from}}}), (b:E {{id: {to}}})")
            } else {
                format!("MERGE (a:E {{id: {from}}}) MERGE (b:E {{id: {to}}})")
            };
            match w {
                Some(w) => format!("{nodes} MERGE (a)-[r:R]->(b) SET r.w = {w}"),
                None => format!("{nodes} MERGE (a)-[:R]->(b)"),
            }
        }
        Fact::Remove { id, key, as_null } => {
            let key = KEYS[*key];
            if *as_null {
                format!("MATCH (n:E {{id: {id}}}) SET n.{key} = null")
            } else {
                format!("MATCH (n:E {{id: {id}}}) REMOVE n.{key}")
            }
        }
        Fact::Create { k } => format!("CREATE (:F {{k: {k}}})"),
        Fact::Fail { id } => format!("MERGE (n:E {{id: {id}}}) SET n.p = 1 / 0"),
    }
}

/// A file's text and the line each fact is on.
fn file_text(header: Option<u8>, facts: &[Fact]) -> (String, Vec<i64>) {
    let mut text = String::new();
    let mut line = 1;
    if let Some(h) = header {
        text.push_str(&format!("// version {h}\n"));
        line += 1;
    }
    let mut lines = Vec::new();
    for fact in facts {
        text.push_str(&fact_text(fact));
        text.push_str(";\n");
        lines.push(line);
        line += 1;
    }
    (text, lines)
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

// ---- the model

/// A node of the model, numbered in creation order.
type Handle = u32;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum El {
    Node(Handle),
    /// MERGE keeps one `:R` relationship per (start, end).
    Rel(Handle, Handle),
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Writer {
    Unsourced,
    Source(String),
}

#[derive(Clone, Copy, Debug)]
struct Mark {
    line: Option<i64>,
    seq: u64,
    /// The writer says the element exists, rather than only referring to it.
    exists: bool,
}

#[derive(Clone, Copy, Debug)]
struct Claim {
    value: i64,
    line: Option<i64>,
    seq: u64,
}

/// Who writes a statement, with which sequence number, at which line.
#[derive(Clone, Debug)]
struct Ctx {
    writer: Writer,
    seq: u64,
    line: Option<i64>,
}

/// One assertion or claim a source holds, as `db.sources()` counts them.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Entry {
    Element(El),
    Property(El, &'static str),
}

#[derive(Clone, Debug, Default)]
struct Model {
    /// Each node's label.
    nodes: BTreeMap<Handle, &'static str>,
    next_node: Handle,
    rels: BTreeSet<(Handle, Handle)>,
    props: BTreeMap<(El, &'static str), i64>,
    asserts: BTreeMap<El, BTreeMap<Writer, Mark>>,
    claims: BTreeMap<(El, &'static str), BTreeMap<Writer, Claim>>,
    /// Loaded sources: the text of a file's last load, `None` for the named source.
    loaded: BTreeMap<String, Option<String>>,
    /// Each loaded source's id: one more than the highest of the others when it came.
    ids: BTreeMap<String, u32>,
    /// The sources that lost facts in another's withdrawal: their next load runs in full.
    stale: BTreeSet<String>,
    seq: u64,
}

/// Events the generated cases should reach.
#[derive(Default)]
struct Coverage {
    conflicts: Cell<u64>,
    reverted: Cell<u64>,
    removed: Cell<u64>,
    nodes_withdrawn: Cell<u64>,
    rels_withdrawn: Cell<u64>,
    unchanged: Cell<u64>,
    changed: Cell<u64>,
    folder_loads: Cell<u64>,
    failed_loads: Cell<u64>,
    unsourced_node_state: Cell<u64>,
    unsourced_rel_state: Cell<u64>,
    unsourced_claims: Cell<u64>,
    unsourced_wins: Cell<u64>,
    unknown_unloads: Cell<u64>,
    reopens: Cell<u64>,
    /// A withdrawal deleted an element that some writer still referred to.
    only_references_left: Cell<u64>,
    /// A changed load deleted an element its new version only referred to.
    referred_deleted: Cell<u64>,
    /// A changed load kept fewer rows than it made again (some were deleted).
    kept_rows_deleted: Cell<u64>,
    /// A withdrawal deleted assertions of another source, making it stale.
    stale_sources: Cell<u64>,
    /// A stale source's file loaded in full with the same text.
    stale_reloads: Cell<u64>,
}

fn bump(cell: &Cell<u64>) {
    cell.set(cell.get() + 1);
}

impl Model {
    fn exists(&self, el: El) -> bool {
        match el {
            El::Node(n) => self.nodes.contains_key(&n),
            El::Rel(a, b) => self.rels.contains(&(a, b)),
        }
    }

    fn asserted(&self, el: El) -> bool {
        self.asserts.get(&el).is_some_and(|m| !m.is_empty())
    }

    /// Whether some writer says `el` exists: what keeps it in the graph.
    fn is_kept(&self, el: El) -> bool {
        self.asserts
            .get(&el)
            .is_some_and(|m| m.values().any(|mark| mark.exists))
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// A new load of source `name` (its text: `None` for the named source) begins.
    fn begin(&mut self, name: &str, text: Option<&str>) {
        if !self.ids.contains_key(name) {
            let id = self.ids.values().max().map_or(1, |id| id + 1);
            self.ids.insert(name.to_string(), id);
        }
        self.stale.remove(name);
        self.loaded
            .insert(name.to_string(), text.map(str::to_string));
    }

    /// The sources (other than `except`) that assert `el`, or (a node) one of its
    /// relationships.
    fn asserters(&self, el: El, except: &Writer) -> BTreeSet<String> {
        let touching = |e: &El| match (el, e) {
            (El::Node(n), El::Rel(a, b)) => *a == n || *b == n,
            _ => *e == el,
        };
        self.asserts
            .iter()
            .filter(|(e, _)| touching(e))
            .flat_map(|(_, marks)| marks.keys())
            .filter(|w| *w != except)
            .filter_map(|w| match w {
                Writer::Source(name) => Some(name.clone()),
                Writer::Unsourced => None,
            })
            .collect()
    }

    /// The `:E` node whose `id` is `id`.
    fn node_by_id(&self, id: u8) -> Option<Handle> {
        self.nodes
            .iter()
            .filter(|(_, label)| **label == "E")
            .map(|(n, _)| *n)
            .find(|n| self.props.get(&(El::Node(*n), "id")) == Some(&i64::from(id)))
    }

    /// Records that the writer asserts `el` (`exists`: says it exists, else refers to it).
    fn write_assertion(&mut self, ctx: &Ctx, el: El, exists: bool) {
        let marks = self.asserts.entry(el).or_default();
        match marks.get_mut(&ctx.writer) {
            // The unsourced writer is one writer throughout: what it said exists (or
            // what was there before any source) stays so.
            Some(mark) if ctx.writer == Writer::Unsourced && mark.exists && !exists => {}
            // Asserted before in this load: the first statement keeps the line, and a
            // reference becomes an assertion of existence.
            Some(mark) if mark.seq == ctx.seq => mark.exists |= exists,
            _ => {
                let mark = Mark {
                    line: ctx.line,
                    seq: ctx.seq,
                    exists,
                };
                marks.insert(ctx.writer.clone(), mark);
            }
        }
    }

    /// The unsourced writer's assertion and claims of `el` as it is now, older than
    /// every load.
    fn record_unsourced(&mut self, el: El, cov: &Coverage) {
        bump(match el {
            El::Node(_) => &cov.unsourced_node_state,
            El::Rel(..) => &cov.unsourced_rel_state,
        });
        let before = Mark {
            line: None,
            seq: 0,
            exists: true,
        };
        self.asserts
            .entry(el)
            .or_default()
            .insert(Writer::Unsourced, before);
        let props: Vec<(&'static str, i64)> = self
            .props
            .iter()
            .filter(|((e, _), _)| *e == el)
            .map(|((_, k), v)| (*k, *v))
            .collect();
        for (k, value) in props {
            let claim = Claim {
                value,
                line: None,
                seq: 0,
            };
            self.claims
                .entry((el, k))
                .or_default()
                .insert(Writer::Unsourced, claim);
        }
    }

    /// The writer asserts `el` (`exists`) or refers to it.
    fn assert_el(&mut self, ctx: &Ctx, el: El, exists: bool, cov: &Coverage) {
        if !self.asserted(el) {
            if ctx.writer == Writer::Unsourced {
                return;
            }
            self.record_unsourced(el, cov);
        }
        self.write_assertion(ctx, el, exists);
    }

    fn claim(&mut self, ctx: &Ctx, el: El, key: &'static str, value: i64, cov: &Coverage) {
        if ctx.writer == Writer::Unsourced {
            if !self.asserted(el) {
                return;
            }
            bump(&cov.unsourced_claims);
        }
        self.assert_el(ctx, el, false, cov);
        let claim = Claim {
            value,
            line: ctx.line,
            seq: ctx.seq,
        };
        self.claims
            .entry((el, key))
            .or_default()
            .insert(ctx.writer.clone(), claim);
    }

    /// `SET el.key = value` (`None`: REMOVE, a deletion: it drops every claim of the
    /// property and asserts nothing).
    fn set(&mut self, ctx: &Ctx, el: El, key: &'static str, value: Option<i64>, cov: &Coverage) {
        match value {
            Some(v) => {
                self.claim(ctx, el, key, v, cov);
                self.props.insert((el, key), v);
            }
            None => {
                self.claims.remove(&(el, key));
                self.props.remove(&(el, key));
            }
        }
    }

    fn create_node(
        &mut self,
        ctx: &Ctx,
        label: &'static str,
        props: &[(&'static str, i64)],
        cov: &Coverage,
    ) -> Handle {
        let n = self.next_node;
        self.next_node += 1;
        self.nodes.insert(n, label);
        let el = El::Node(n);
        if ctx.writer != Writer::Unsourced {
            self.write_assertion(ctx, el, true);
        }
        for &(k, v) in props {
            self.claim(ctx, el, k, v, cov);
            self.props.insert((el, k), v);
        }
        n
    }

    fn merge_node(&mut self, ctx: &Ctx, id: u8, cov: &Coverage) -> Handle {
        let Some(n) = self.node_by_id(id) else {
            return self.create_node(ctx, "E", &[("id", i64::from(id))], cov);
        };
        self.assert_el(ctx, El::Node(n), true, cov);
        self.claim(ctx, El::Node(n), "id", i64::from(id), cov);
        n
    }

    /// `MERGE (a)-[:R]->(b)` with `a` and `b` bound before: it asserts the relationship
    /// and refers to its endpoints.
    fn merge_rel(&mut self, ctx: &Ctx, a: Handle, b: Handle, cov: &Coverage) {
        let el = El::Rel(a, b);
        if self.rels.insert((a, b)) {
            if ctx.writer != Writer::Unsourced {
                self.write_assertion(ctx, el, true);
            }
        } else {
            self.assert_el(ctx, el, true, cov);
        }
        self.assert_el(ctx, El::Node(a), false, cov);
        self.assert_el(ctx, El::Node(b), false, cov);
    }

    /// MERGE of `(a)-[r:R]->(b)` (`SET r.w = w`) between existing nodes.
    fn merge_rel_between(&mut self, ctx: &Ctx, from: u8, to: u8, w: Option<i64>, cov: &Coverage) {
        if let (Some(a), Some(b)) = (self.node_by_id(from), self.node_by_id(to)) {
            self.merge_rel(ctx, a, b, cov);
            if let Some(w) = w {
                self.set(ctx, El::Rel(a, b), "w", Some(w), cov);
            }
        }
    }

    fn node_keys(&self, n: Handle) -> Vec<&'static str> {
        self.props
            .keys()
            .filter(|(e, _)| *e == El::Node(n))
            .map(|(_, k)| *k)
            .collect()
    }

    fn apply_fact(&mut self, ctx: &Ctx, fact: &Fact, cov: &Coverage) {
        match fact {
            Fact::Node { id, form, sets } => {
                let n = self.merge_node(ctx, *id, cov);
                let el = El::Node(n);
                match form {
                    SetForm::Dot => {
                        for &(k, v) in sets {
                            self.set(ctx, el, KEYS[k], Some(v), cov);
                        }
                    }
                    SetForm::Plus => {
                        for (k, v) in deduped(sets) {
                            self.set(ctx, el, k, Some(v), cov);
                        }
                    }
                    SetForm::Replace => {
                        let entries = deduped(sets);
                        for k in self.node_keys(n) {
                            if k != "id" && !entries.contains_key(k) {
                                self.set(ctx, el, k, None, cov);
                            }
                        }
                        self.set(ctx, el, "id", Some(i64::from(*id)), cov);
                        for (k, v) in entries {
                            self.set(ctx, el, k, Some(v), cov);
                        }
                    }
                }
            }
            Fact::Rel {
                from,
                to,
                w,
                matched,
            } => {
                if !matched {
                    self.merge_node(ctx, *from, cov);
                    self.merge_node(ctx, *to, cov);
                }
                self.merge_rel_between(ctx, *from, *to, *w, cov);
            }
            Fact::Remove { id, key, .. } => {
                if let Some(n) = self.node_by_id(*id) {
                    self.set(ctx, El::Node(n), KEYS[*key], None, cov);
                }
            }
            Fact::Create { k } => {
                self.create_node(ctx, "F", &[("k", *k)], cov);
            }
            Fact::Fail { .. } => {}
        }
    }

    /// Deletes an element with everything recorded about it (a node with its
    /// relationships); returns how many relationships that deleted.
    fn delete(&mut self, el: El) -> u64 {
        let mut rels_deleted = 0;
        match el {
            El::Node(n) => {
                let touching: Vec<(Handle, Handle)> = self
                    .rels
                    .iter()
                    .filter(|(a, b)| *a == n || *b == n)
                    .copied()
                    .collect();
                for (a, b) in touching {
                    rels_deleted += self.delete(El::Rel(a, b));
                }
                self.nodes.remove(&n);
            }
            El::Rel(a, b) => {
                self.rels.remove(&(a, b));
                rels_deleted += 1;
            }
        }
        self.asserts.remove(&el);
        self.claims.retain(|(e, _), _| *e != el);
        self.props.retain(|(e, _), _| *e != el);
        rels_deleted
    }

    /// What source `name` asserts and claims, with the sequence numbers.
    fn entries(&self, name: &str) -> BTreeMap<Entry, u64> {
        let writer = Writer::Source(name.to_string());
        let elements = self.asserts.iter().filter_map(|(el, marks)| {
            marks
                .get(&writer)
                .map(|mark| (Entry::Element(*el), mark.seq))
        });
        let properties = self.claims.iter().filter_map(|((el, key), claims)| {
            claims
                .get(&writer)
                .map(|claim| (Entry::Property(*el, key), claim.seq))
        });
        elements.chain(properties).collect()
    }

    fn newest(&self, el: El, key: &str) -> Option<(&Writer, &Claim)> {
        self.claims
            .iter()
            .filter(|((e, k), _)| *e == el && *k == key)
            .flat_map(|(_, claims)| claims.iter())
            .max_by_key(|(_, c)| c.seq)
    }

    /// Gives `el.key` its newest remaining claim's value, or removes it.
    fn settle(&mut self, el: El, key: &'static str, done: &mut Withdrawn) {
        if !self.exists(el) {
            return;
        }
        let newest = self.newest(el, key).map(|(_, c)| c.value);
        if self.props.get(&(el, key)).copied() == newest {
            return;
        }
        match newest {
            Some(v) => {
                done.properties_reverted += 1;
                self.props.insert((el, key), v);
            }
            None => {
                done.properties_removed += 1;
                self.props.remove(&(el, key));
            }
        }
    }

    /// Withdraws what `name` asserts, all of it or (`keep`) what it did not assert in
    /// the load with that sequence number; that load's references are checked too.
    fn withdraw(&mut self, name: &str, keep: Option<u64>, cov: &Coverage) -> Withdrawn {
        let writer = Writer::Source(name.to_string());
        let mut done = Withdrawn::default();
        let mut properties = Vec::new();
        let mut elements = Vec::new();
        let mut referred = Vec::new();
        for (entry, seq) in self.entries(name) {
            if Some(seq) == keep {
                if let Entry::Element(el) = entry {
                    let exists = self.asserts.get(&el).and_then(|m| m.get(&writer));
                    if exists.is_some_and(|mark| !mark.exists) {
                        referred.push(el);
                    }
                }
                continue;
            }
            done.assertions += 1;
            match entry {
                Entry::Property(el, key) => properties.push((el, key)),
                Entry::Element(el) => elements.push(el),
            }
        }
        for el in &elements {
            if let Some(marks) = self.asserts.get_mut(el) {
                marks.remove(&writer);
            }
        }
        for key in &properties {
            if let Some(claims) = self.claims.get_mut(key) {
                claims.remove(&writer);
                if claims.is_empty() {
                    self.claims.remove(key);
                }
            }
        }
        // Elements first: the properties of one that goes are not counted.
        let mut lost = BTreeSet::new();
        let checked = elements.iter().map(|el| (el, false));
        for (&el, only_referred) in checked.chain(referred.iter().map(|el| (el, true))) {
            if !self.exists(el) || self.is_kept(el) {
                continue;
            }
            if self.asserted(el) {
                bump(&cov.only_references_left);
            }
            if only_referred {
                bump(&cov.referred_deleted);
            }
            lost.extend(self.asserters(el, &writer));
            if let El::Node(_) = el {
                done.nodes_deleted += 1;
            }
            done.relationships_deleted += self.delete(el);
        }
        for (el, key) in properties {
            self.settle(el, key, &mut done);
        }
        // In the order of the sources' ids.
        let mut stale: Vec<(u32, String)> = lost
            .into_iter()
            .filter_map(|name| Some((*self.ids.get(&name)?, name)))
            .collect();
        stale.sort();
        if !stale.is_empty() {
            bump(&cov.stale_sources);
        }
        done.stale_sources = stale.into_iter().map(|(_, name)| name).collect();
        self.stale.extend(done.stale_sources.iter().cloned());
        for (happened, cell) in [
            (done.properties_reverted, &cov.reverted),
            (done.properties_removed, &cov.removed),
            (done.nodes_deleted, &cov.nodes_withdrawn),
            (done.relationships_deleted, &cov.rels_withdrawn),
        ] {
            if happened > 0 {
                bump(cell);
            }
        }
        done
    }

    /// Loads file source `name` with `text` (its facts at `lines`); the outcome, `None`
    /// when a statement fails and nothing is loaded.
    fn load(
        &mut self,
        name: &str,
        text: &str,
        facts: &[Fact],
        lines: &[i64],
        cov: &Coverage,
    ) -> Option<LoadOutcome> {
        if facts.iter().any(|f| matches!(f, Fact::Fail { .. })) {
            bump(&cov.failed_loads);
            return None;
        }
        let previous = self.loaded.get(name).cloned();
        if previous
            .as_ref()
            .is_some_and(|p| p.as_deref() == Some(text))
        {
            if !self.stale.contains(name) {
                bump(&cov.unchanged);
                return Some(LoadOutcome::Unchanged);
            }
            bump(&cov.stale_reloads);
        }
        self.begin(name, Some(text));
        let before = self.entries(name);
        let seq = self.next_seq();
        for (fact, line) in facts.iter().zip(lines) {
            let ctx = Ctx {
                writer: Writer::Source(name.to_string()),
                seq,
                line: Some(*line),
            };
            self.apply_fact(&ctx, fact, cov);
        }
        let made_again = |model: &Model| {
            model
                .entries(name)
                .iter()
                .filter(|(entry, s)| **s == seq && before.contains_key(entry))
                .count() as u64
        };
        let asserted_again = made_again(self);
        let withdrawn = self.withdraw(name, Some(seq), cov);
        // Kept: what the previous version asserted, this one asserted again and is still
        // there.
        let kept = made_again(self);
        if kept < asserted_again {
            bump(&cov.kept_rows_deleted);
        }
        Some(match previous {
            None => LoadOutcome::New,
            Some(_) => {
                bump(&cov.changed);
                LoadOutcome::Changed { kept, withdrawn }
            }
        })
    }

    /// Unloads `name`: what was withdrawn, `None` when it is not a source.
    fn unload(&mut self, name: &str, cov: &Coverage) -> Option<Withdrawn> {
        self.loaded.remove(name)?;
        let withdrawn = self.withdraw(name, None, cov);
        self.ids.remove(name);
        self.stale.remove(name);
        Some(withdrawn)
    }

    /// An unsourced transaction's writer.
    fn unsourced(&mut self) -> Ctx {
        Ctx {
            writer: Writer::Unsourced,
            seq: self.next_seq(),
            line: None,
        }
    }

    /// `MERGE (n:E {id}) SET n.key = value` for each write, as one transaction.
    fn write(&mut self, writer: Writer, writes: &[(u8, usize, i64)], cov: &Coverage) {
        let ctx = Ctx {
            writer,
            seq: self.next_seq(),
            line: None,
        };
        for &(id, key, value) in writes {
            let n = self.merge_node(&ctx, id, cov);
            self.set(&ctx, El::Node(n), KEYS[key], Some(value), cov);
        }
    }

    /// The model's own invariant: an asserted element's stored values are its newest
    /// claims'.
    fn self_check(&self) -> TestResult {
        for ((el, key), value) in &self.props {
            if !self.asserted(*el) {
                continue;
            }
            let newest = self.newest(*el, key).map(|(_, c)| c.value);
            if newest != Some(*value) {
                return Err(format!(
                    "model: {el:?}.{key} = {value} but its newest claim is {newest:?}"
                )
                .into());
            }
        }
        Ok(())
    }

    // ---- what the queries should return

    fn writer_value(writer: &Writer) -> Value {
        match writer {
            Writer::Unsourced => Value::Null,
            Writer::Source(name) => Value::String(name.clone()),
        }
    }

    /// `[[source, line, loaded_at IS NULL], …]` of `sources(el)`, by source name.
    fn sources_of(&self, el: El) -> Value {
        let marks = self.asserts.get(&el).into_iter().flatten();
        Value::List(
            marks
                .filter(|(w, _)| **w != Writer::Unsourced)
                .map(|(w, mark)| {
                    Value::List(vec![
                        Self::writer_value(w),
                        opt_int(mark.line),
                        Value::Bool(false),
                    ])
                })
                .collect(),
        )
    }

    /// `[[source, line, exists], …]` of `db.provenance(el)`'s assertions, by source with
    /// the unsourced writer (line 0) last.
    fn assertions_value(&self, el: El) -> Value {
        let mut marks: Vec<(&Writer, &Mark)> =
            self.asserts.get(&el).into_iter().flatten().collect();
        marks.sort_by_key(|(w, _)| (**w == Writer::Unsourced, (*w).clone()));
        Value::List(
            marks
                .into_iter()
                .map(|(w, mark)| {
                    Value::List(vec![
                        Self::writer_value(w),
                        Value::Int(mark.line.unwrap_or(0)),
                        Value::Bool(mark.exists),
                    ])
                })
                .collect(),
        )
    }

    /// The claims on `el.key`, most recent first.
    fn claims_of(&self, el: El, key: &str) -> Vec<(&Writer, &Claim)> {
        let mut claims: Vec<(&Writer, &Claim)> = self
            .claims
            .iter()
            .filter(|((e, k), _)| *e == el && *k == key)
            .flat_map(|(_, claims)| claims.iter())
            .collect();
        claims.sort_by(|a, b| b.1.seq.cmp(&a.1.seq).then_with(|| a.0.cmp(b.0)));
        claims
    }

    /// `[[value, source, line, loaded_at IS NULL], …]` of `claims(el, key)`.
    fn claims_value(&self, el: El, key: &str) -> Value {
        Value::List(
            self.claims_of(el, key)
                .into_iter()
                .map(|(w, c)| {
                    Value::List(vec![
                        Value::Int(c.value),
                        Self::writer_value(w),
                        opt_int(c.line),
                        Value::Bool(*w == Writer::Unsourced),
                    ])
                })
                .collect(),
        )
    }

    /// `[[source, line, loaded_at IS NULL], …]` of `sources(el, key)`, by source name.
    fn property_sources(&self, el: El, key: &str) -> Value {
        let mut named: Vec<(&Writer, &Claim)> = self
            .claims_of(el, key)
            .into_iter()
            .filter(|(w, _)| **w != Writer::Unsourced)
            .collect();
        named.sort_by(|a, b| a.0.cmp(b.0));
        Value::List(
            named
                .into_iter()
                .map(|(w, c)| {
                    Value::List(vec![
                        Self::writer_value(w),
                        opt_int(c.line),
                        Value::Bool(false),
                    ])
                })
                .collect(),
        )
    }

    fn prop(&self, el: El, key: &'static str) -> Value {
        opt_int(self.props.get(&(el, key)).copied())
    }

    /// A node as the queries show it: `[labels, id, k]`.
    fn node_value(&self, n: Handle) -> Value {
        let label = self.nodes.get(&n).copied().unwrap_or("?");
        Value::List(vec![
            Value::List(vec![Value::String(label.into())]),
            self.prop(El::Node(n), "id"),
            self.prop(El::Node(n), "k"),
        ])
    }

    fn node_rows(&self) -> Vec<Vec<Value>> {
        self.nodes
            .keys()
            .map(|&n| {
                let el = El::Node(n);
                vec![
                    self.node_value(n),
                    self.prop(el, "p"),
                    self.prop(el, "q"),
                    self.sources_of(el),
                    self.assertions_value(el),
                    self.claims_value(el, "id"),
                    self.claims_value(el, "k"),
                    self.claims_value(el, "p"),
                    self.claims_value(el, "q"),
                    self.property_sources(el, "p"),
                ]
            })
            .collect()
    }

    fn rel_rows(&self) -> Vec<Vec<Value>> {
        self.rels
            .iter()
            .map(|&(a, b)| {
                let el = El::Rel(a, b);
                vec![
                    self.node_value(a),
                    self.node_value(b),
                    Value::String("R".into()),
                    self.prop(el, "w"),
                    self.sources_of(el),
                    self.assertions_value(el),
                    self.claims_value(el, "w"),
                ]
            })
            .collect()
    }

    fn element_value(&self, el: El) -> Value {
        match el {
            El::Node(n) => self.node_value(n),
            El::Rel(a, b) => Value::List(vec![self.node_value(a), self.node_value(b)]),
        }
    }

    fn conflict_rows(&self) -> Vec<Vec<Value>> {
        self.claims
            .iter()
            .filter(|(_, claims)| {
                let values: BTreeSet<i64> = claims.values().map(|c| c.value).collect();
                values.len() > 1
            })
            .map(|((el, key), _)| {
                let claims = self
                    .claims_of(*el, key)
                    .into_iter()
                    .map(|(w, c)| {
                        Value::List(vec![
                            Value::Int(c.value),
                            Self::writer_value(w),
                            opt_int(c.line),
                        ])
                    })
                    .collect();
                vec![
                    self.element_value(*el),
                    Value::String((*key).to_string()),
                    Value::List(claims),
                ]
            })
            .collect()
    }

    fn source_rows(&self) -> Vec<Vec<Value>> {
        self.loaded
            .iter()
            .map(|(name, text)| {
                let entries = self.entries(name);
                let count = |f: fn(&Entry) -> bool| {
                    Value::Int(entries.keys().filter(|e| f(e)).count() as i64)
                };
                vec![
                    Value::String(name.clone()),
                    text.as_deref()
                        .map_or(Value::Null, |t| Value::String(sha256_hex(t))),
                    Value::Bool(false),
                    count(|e| matches!(e, Entry::Element(El::Node(_)))),
                    count(|e| matches!(e, Entry::Element(El::Rel(..)))),
                    count(|e| matches!(e, Entry::Property(..))),
                ]
            })
            .collect()
    }

    fn note_coverage(&self, cov: &Coverage) {
        if !self.conflict_rows().is_empty() {
            bump(&cov.conflicts);
        }
        let unsourced_wins = self.claims.iter().any(|((el, key), claims)| {
            claims.len() > 1
                && self
                    .newest(*el, key)
                    .is_some_and(|(w, _)| *w == Writer::Unsourced)
        });
        if unsourced_wins {
            bump(&cov.unsourced_wins);
        }
    }
}

fn opt_int(v: Option<i64>) -> Value {
    v.map_or(Value::Null, Value::Int)
}

/// Rows as text, sorted: the rows of a query without a usable order, as a multiset.
fn render(rows: &[Vec<Value>]) -> Vec<String> {
    let mut out: Vec<String> = rows
        .iter()
        .map(|row| {
            row.iter()
                .map(Value::to_string)
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect();
    out.sort();
    out
}

// ---- the database side

/// The assertions of `x` (with the unsourced writer's) as `db.provenance(x)` lists them:
/// `[source, line, exists]`, by source (the unsourced writer last).
macro_rules! assertions_of {
    ($x:literal) => {
        concat!(
            "CALL { WITH ",
            $x,
            " CALL db.provenance(",
            $x,
            ") YIELD key, source, line, exists WHERE key IS NULL \
             WITH [source, line, exists] AS a ORDER BY a[0] RETURN collect(a) AS asserts } "
        )
    };
}

const NODE_QUERY: &str = concat!(
    "MATCH (n) ",
    assertions_of!("n"),
    "RETURN [labels(n), n.id, n.k], n.p, n.q, \
     [s IN sources(n) | [s.source, s.line, s.loaded_at IS NULL]], asserts, \
     [c IN claims(n, 'id') | [c.value, c.source, c.line, c.loaded_at IS NULL]], \
     [c IN claims(n, 'k') | [c.value, c.source, c.line, c.loaded_at IS NULL]], \
     [c IN claims(n, 'p') | [c.value, c.source, c.line, c.loaded_at IS NULL]], \
     [c IN claims(n, 'q') | [c.value, c.source, c.line, c.loaded_at IS NULL]], \
     [s IN sources(n, 'p') | [s.source, s.line, s.loaded_at IS NULL]]"
);

const REL_QUERY: &str = concat!(
    "MATCH (a)-[r]->(b) ",
    assertions_of!("r"),
    "RETURN [labels(a), a.id, a.k], [labels(b), b.id, b.k], type(r), r.w, \
     [s IN sources(r) | [s.source, s.line, s.loaded_at IS NULL]], asserts, \
     [c IN claims(r, 'w') | [c.value, c.source, c.line, c.loaded_at IS NULL]]"
);

const CONFLICT_QUERY: &str = "CALL db.conflicts() YIELD element, key, claims \
     RETURN CASE WHEN element:E|F THEN [labels(element), element.id, element.k] \
     ELSE [[labels(startNode(element)), startNode(element).id, startNode(element).k], \
     [labels(endNode(element)), endNode(element).id, endNode(element).k]] END, key, \
     [c IN claims | [c.value, c.source, c.line]]";

/// In the order `db.sources()` gives them, which must be by name.
const SOURCE_QUERY: &str = "CALL db.sources() \
     YIELD source, sha256, loaded_at, nodes, relationships, properties \
     RETURN source, sha256, loaded_at IS NULL, nodes, relationships, properties";

fn query(db: &Database, text: &str) -> TestResult<Vec<String>> {
    let result = db
        .execute(text, &Params::new())
        .map_err(|e| format!("{text}: {e}"))?;
    Ok(render(&result.rows))
}

fn same(what: &str, got: &[String], expected: &[String]) -> TestResult {
    if got == expected {
        return Ok(());
    }
    Err(format!(
        "{what} differ\n  database:\n    {}\n  model:\n    {}",
        got.join("\n    "),
        expected.join("\n    ")
    )
    .into())
}

/// Compares everything the database says about the graph and its provenance with the
/// model.
fn check(db: &Database, model: &Model) -> TestResult {
    model.self_check()?;
    same(
        "nodes",
        &query(db, NODE_QUERY)?,
        &render(&model.node_rows()),
    )?;
    same(
        "relationships",
        &query(db, REL_QUERY)?,
        &render(&model.rel_rows()),
    )?;
    same(
        "conflicts",
        &query(db, CONFLICT_QUERY)?,
        &render(&model.conflict_rows()),
    )?;
    let sources = db
        .execute(SOURCE_QUERY, &Params::new())
        .map_err(|e| format!("{SOURCE_QUERY}: {e}"))?;
    let got: Vec<String> = sources
        .rows
        .iter()
        .map(|row| render(std::slice::from_ref(row)).join(""))
        .collect();
    let expected: Vec<String> = model
        .source_rows()
        .iter()
        .map(|row| render(std::slice::from_ref(row)).join(""))
        .collect();
    same("db.sources()", &got, &expected)?;
    // Found through the indexes when the case made them: a withdrawal's writes keep
    // them up to date.
    let e_nodes = || {
        model
            .nodes
            .iter()
            .filter(|(_, l)| **l == "E")
            .map(|(n, _)| *n)
    };
    for (key, values) in [("id", 0..i64::from(NODES)), ("p", 0..3)] {
        for v in values {
            let found = query(
                db,
                &format!("MATCH (n:E) WHERE n.{key} = {v} RETURN count(n)"),
            )?;
            let count = e_nodes()
                .filter(|n| model.props.get(&(El::Node(*n), key)) == Some(&v))
                .count();
            same(
                &format!(":E nodes with {key} = {v}"),
                &found,
                &[count.to_string()],
            )?;
        }
    }
    Ok(())
}

/// What `load` names the source of `file`: its path relative to the working directory
/// when it lies under it, else the path itself.
fn source_name(file: &Path) -> TestResult<String> {
    let cwd = std::env::current_dir()?;
    let shown = file.strip_prefix(&cwd).unwrap_or(file);
    Ok(shown.to_string_lossy().into_owned())
}

/// A file as last written: its text, facts and their lines.
type Written = (String, Vec<Fact>, Vec<i64>);

/// The three fact files.
struct Files {
    folder: PathBuf,
    paths: Vec<PathBuf>,
    names: Vec<String>,
    written: Vec<Option<Written>>,
}

fn compare_withdrawn(what: &str, got: &Withdrawn, expected: &Withdrawn) -> TestResult {
    if got == expected {
        Ok(())
    } else {
        Err(format!("{what}: withdrew {got:?}, the model {expected:?}").into())
    }
}

fn compare_outcome(got: &LoadOutcome, expected: &LoadOutcome) -> TestResult {
    match (got, expected) {
        (LoadOutcome::New, LoadOutcome::New) | (LoadOutcome::Unchanged, LoadOutcome::Unchanged) => {
            Ok(())
        }
        (
            LoadOutcome::Changed { kept, withdrawn },
            LoadOutcome::Changed {
                kept: model_kept,
                withdrawn: model_withdrawn,
            },
        ) => {
            compare_withdrawn("changed load", withdrawn, model_withdrawn)?;
            if kept == model_kept {
                Ok(())
            } else {
                Err(format!("changed load: kept {kept}, the model {model_kept}").into())
            }
        }
        _ => Err(format!("load outcome {got:?}, the model {expected:?}").into()),
    }
}

/// The model's load of file `file`: its name, the outcome and the statements run, or
/// `None` when it fails (or was never written).
fn model_load(
    model: &mut Model,
    files: &Files,
    file: usize,
    cov: &Coverage,
) -> Option<(String, LoadOutcome, usize)> {
    let name = &files.names[file];
    let (text, facts, lines) = files.written[file].as_ref()?;
    let outcome = model.load(name, text, facts, lines, cov)?;
    let statements = if outcome == LoadOutcome::Unchanged {
        0
    } else {
        facts.len()
    };
    Some((name.clone(), outcome, statements))
}

/// Compares one file's load report with the model's load of it.
fn compare_report(
    report: &skein::FileReport,
    expected: &(String, LoadOutcome, usize),
) -> TestResult {
    let (name, outcome, statements) = expected;
    if &report.source != name {
        return Err(format!("source {:?}, expected {name:?}", report.source).into());
    }
    compare_outcome(&report.outcome, outcome)?;
    if report.statements != *statements {
        return Err(format!("{} statements, expected {statements}", report.statements).into());
    }
    Ok(())
}

fn load_file(
    db: &Database,
    model: &mut Model,
    files: &Files,
    file: usize,
    cov: &Coverage,
) -> TestResult {
    let path = &files.paths[file];
    let result = db.load(path, &mut |_, _| {});
    match (model_load(model, files, file, cov), result) {
        (None, Err(_)) => Ok(()),
        (Some(expected), Ok(reports)) => match reports.as_slice() {
            [report] => compare_report(report, &expected),
            _ => Err(format!("one file gave {} reports", reports.len()).into()),
        },
        (expected, result) => Err(format!(
            "load {}: {:?}, the model {expected:?}",
            path.display(),
            result.map_err(|e| e.to_string())
        )
        .into()),
    }
}

/// Loads the folder: the written files in name order, up to the first that fails.
fn load_folder(db: &Database, model: &mut Model, files: &Files, cov: &Coverage) -> TestResult {
    let result = db.load(&files.folder, &mut |_, _| {});
    let written: Vec<usize> = (0..FILES.len())
        .filter(|&f| files.written[f].is_some())
        .collect();
    let mut expected = Vec::new();
    for &file in &written {
        match model_load(model, files, file, cov) {
            Some(load) => expected.push(load),
            None => break,
        }
    }
    // A folder without fact files is an error too.
    let fails = written.is_empty() || expected.len() < written.len();
    match result {
        Err(_) if fails => Ok(()),
        Ok(reports) if !fails && reports.len() == expected.len() => {
            bump(&cov.folder_loads);
            for (report, expected) in reports.iter().zip(&expected) {
                compare_report(report, expected)?;
            }
            Ok(())
        }
        result => Err(format!(
            "folder load: {:?}, the model {expected:?} (fails: {fails})",
            result.map_err(|e| e.to_string())
        )
        .into()),
    }
}

fn apply_step(
    db: &mut Database,
    open: &dyn Fn() -> skein::Result<Database>,
    model: &mut Model,
    files: &mut Files,
    step: &Step,
    cov: &Coverage,
) -> TestResult {
    let params = Params::new();
    match step {
        Step::Load {
            file,
            header,
            facts,
        } => {
            let (text, lines) = file_text(*header, facts);
            std::fs::write(&files.paths[*file], &text)?;
            files.written[*file] = Some((text, facts.clone(), lines));
            load_file(db, model, files, *file, cov)?;
        }
        Step::Reload { file } => load_file(db, model, files, *file, cov)?,
        Step::LoadFolder => load_folder(db, model, files, cov)?,
        Step::Unload { source } => {
            let name = files.names.get(*source).map_or(NAMED, String::as_str);
            let got = db.unload(name);
            match (model.unload(name, cov), got) {
                (Some(expected), Ok(got)) => compare_withdrawn("unload", &got, &expected)?,
                (None, Err(e)) if e.class == ErrorClass::ProcedureError => {
                    bump(&cov.unknown_unloads);
                }
                (expected, got) => {
                    return Err(format!("unload {name}: {got:?}, the model {expected:?}").into())
                }
            }
        }
        Step::Unsourced { id, key, value } => {
            let text = format!("MERGE (n:E {{id: {id}}}) SET n.{} = {value}", KEYS[*key]);
            db.execute(&text, &params)?;
            model.write(Writer::Unsourced, &[(*id, *key, *value)], cov);
        }
        Step::UnsourcedRel { from, to, w } => {
            let set = w.map(|w| format!(" SET r.w = {w}")).unwrap_or_default();
            let text =
                format!("MATCH (a:E {{id: {from}}}), (b:E {{id: {to}}}) MERGE (a)-[r:R]->(b){set}");
            db.execute(&text, &params)?;
            let ctx = model.unsourced();
            model.merge_rel_between(&ctx, *from, *to, *w, cov);
        }
        Step::UnsourcedRemove { id, key } => {
            let text = format!("MATCH (n:E {{id: {id}}}) REMOVE n.{}", KEYS[*key]);
            db.execute(&text, &params)?;
            if let Some(n) = model.node_by_id(*id) {
                let ctx = model.unsourced();
                model.set(&ctx, El::Node(n), KEYS[*key], None, cov);
            }
        }
        Step::UnsourcedDelete { id } => {
            let text = format!("MATCH (n:E {{id: {id}}}) DETACH DELETE n");
            db.execute(&text, &params)?;
            if let Some(n) = model.node_by_id(*id) {
                model.delete(El::Node(n));
            }
        }
        Step::Named { writes } => {
            let options = QueryOptions {
                source: Some(NAMED.to_string()),
                ..QueryOptions::default()
            };
            let mut txn = db.begin()?;
            for &(id, key, value) in writes {
                let text = format!("MERGE (n:E {{id: {id}}}) SET n.{} = {value}", KEYS[key]);
                txn.execute_with(&text, &params, &options)?;
            }
            txn.commit()?;
            model.begin(NAMED, None);
            model.write(Writer::Source(NAMED.into()), writes, cov);
        }
        Step::Reopen => {
            // The old handle (the only one) is dropped, closing the store, before the
            // folder is opened again.
            *db = Database::open_temporary()?;
            *db = open()?;
            bump(&cov.reopens);
        }
    }
    Ok(())
}

/// Runs `steps` (with indexes on `:E(id)` and `:E(p)` when `indexed`), checking the
/// database against the model after each.
fn run(indexed: bool, steps: &[Step], on_disk: bool, cov: &Coverage) -> TestResult {
    let dir = tempfile::tempdir()?;
    let paths: Vec<PathBuf> = FILES.iter().map(|f| dir.path().join(f)).collect();
    let names = paths
        .iter()
        .map(|p| source_name(p))
        .collect::<TestResult<Vec<_>>>()?;
    let mut files = Files {
        folder: dir.path().to_path_buf(),
        paths,
        names,
        written: vec![None, None, None],
    };
    // A subfolder of the files' folder: loading the folder does not look into it.
    let store = dir.path().join("db");
    let open = || {
        if on_disk {
            Database::open(&store)
        } else {
            Database::open_temporary()
        }
    };
    let mut db = open()?;
    if indexed {
        for key in ["id", "p"] {
            db.execute(
                &format!("CREATE INDEX FOR (n:E) ON (n.{key})"),
                &Params::new(),
            )?;
        }
    }
    let mut model = Model::default();
    for (i, step) in steps.iter().enumerate() {
        if matches!(step, Step::Reopen) && !on_disk {
            continue;
        }
        apply_step(&mut db, &open, &mut model, &mut files, step, cov)
            .map_err(|e| format!("step {i} ({step:?}): {e}"))?;
        check(&db, &model).map_err(|e| format!("after step {i} ({step:?}): {e}"))?;
        model.note_coverage(cov);
    }
    if on_disk {
        drop(db);
        check(&open()?, &model).map_err(|e| format!("after the last reopen: {e}"))?;
    }
    Ok(())
}

/// Runs `cases` random step sequences (`PROPTEST_CASES` overrides it, as for
/// `proptest!` tests); a failure panics with the shrunk sequence.
fn run_cases(cases: u32, max_steps: usize, on_disk: bool) -> Coverage {
    let cov = Coverage::default();
    let mut runner = model_runner::runner(cases, file!());
    let case = (any::<bool>(), prop::collection::vec(step(), 1..max_steps));
    let result = runner.run(&case, |(indexed, steps)| {
        run(indexed, &steps, on_disk, &cov).map_err(|e| TestCaseError::fail(e.to_string()))
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    cov
}

#[test]
fn memory_database_matches_the_model() {
    let cov = run_cases(1024, 20, false);
    // The generated cases must reach the interesting parts of the model.
    for (what, count) in [
        ("a conflict", &cov.conflicts),
        ("a withdrawal reverting a property", &cov.reverted),
        ("a withdrawal removing a property", &cov.removed),
        ("a withdrawal deleting a node", &cov.nodes_withdrawn),
        ("a withdrawal deleting a relationship", &cov.rels_withdrawn),
        ("an unchanged load", &cov.unchanged),
        ("a changed load", &cov.changed),
        ("a folder load", &cov.folder_loads),
        ("a failing load", &cov.failed_loads),
        (
            "a node's recorded unsourced state",
            &cov.unsourced_node_state,
        ),
        (
            "a relationship's recorded unsourced state",
            &cov.unsourced_rel_state,
        ),
        ("an unsourced claim", &cov.unsourced_claims),
        (
            "an unsourced claim winning over a source",
            &cov.unsourced_wins,
        ),
        ("an unload of an unknown source", &cov.unknown_unloads),
        (
            "an element deleted because only references remained",
            &cov.only_references_left,
        ),
        (
            "a changed load deleting an element it only referred to",
            &cov.referred_deleted,
        ),
        (
            "a changed load whose rows made again were deleted",
            &cov.kept_rows_deleted,
        ),
        (
            "a withdrawal deleting another source's assertions",
            &cov.stale_sources,
        ),
        (
            "a stale source's same text loaded in full",
            &cov.stale_reloads,
        ),
    ] {
        assert!(count.get() > 0, "no generated case reached {what}");
    }
}

#[test]
fn disk_database_matches_the_model_across_reopens() {
    let cov = run_cases(96, 16, true);
    assert!(
        cov.reopens.get() > 0,
        "no generated case reopened the database"
    );
    assert!(
        cov.changed.get() > 0,
        "no generated case changed a loaded file"
    );
}

/// A changed load whose statement removes a property the previous version claimed: that
/// claim is dropped (a deletion), neither asserted again nor withdrawn, so it is not
/// counted as kept. The random cases reach this too; this is the smallest of them.
#[test]
fn a_reload_removing_a_claimed_property_does_not_keep_the_claim() -> TestResult {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("a.cypher");
    let db = Database::open_temporary()?;
    std::fs::write(&file, "MERGE (n:E {id: 1}) SET n.p = 1;\n")?;
    db.load(&file, &mut |_, _| {})?;
    std::fs::write(&file, "MERGE (n:E {id: 1}) REMOVE n.p;\n")?;
    let reports = db.load(&file, &mut |_, _| {})?;
    let source = reports
        .first()
        .map(|r| r.source.clone())
        .unwrap_or_default();
    // The node and its `id` are asserted again; `p` is gone.
    let counts = query(
        &db,
        "CALL db.sources() YIELD nodes, relationships, properties \
         RETURN nodes, relationships, properties",
    )?;
    assert_eq!(counts, ["1 | 0 | 1"], "what {source} asserts now");
    let outcome = reports.first().map(|r| r.outcome.clone());
    assert_eq!(
        outcome,
        Some(LoadOutcome::Changed {
            kept: 2,
            withdrawn: Withdrawn::default()
        })
    );
    Ok(())
}

/// Loads `text` as file `name` of `dir`: the one report's outcome.
fn load_text(db: &Database, dir: &Path, name: &str, text: &str) -> TestResult<LoadOutcome> {
    let file = dir.join(name);
    std::fs::write(&file, text)?;
    let reports = db.load(&file, &mut |_, _| {})?;
    match reports.as_slice() {
        [report] => Ok(report.outcome.clone()),
        _ => Err(format!("one file gave {} reports", reports.len()).into()),
    }
}

/// A changed load that only refers to the node its previous version merged deletes the
/// node: the rows it made again (the reference and the `id` claim) went with it, so
/// none of them is kept.
#[test]
fn a_reload_keeps_no_row_of_a_node_it_only_refers_to() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = Database::open_temporary()?;
    load_text(&db, dir.path(), "a.cypher", "MERGE (n:E {id: 1});\n")?;
    let outcome = load_text(
        &db,
        dir.path(),
        "a.cypher",
        "MATCH (n:E {id: 1}) SET n.id = 1;\n",
    )?;
    assert_eq!(query(&db, "MATCH (n) RETURN count(n)")?, ["0"]);
    let withdrawn = Withdrawn {
        nodes_deleted: 1,
        ..Withdrawn::default()
    };
    assert_eq!(outcome, LoadOutcome::Changed { kept: 0, withdrawn });
    Ok(())
}

/// The withdrawn `id` claim of a node the changed load deletes (it only refers to it)
/// is not counted as a removed property: only properties of elements that stay are.
#[test]
fn a_reload_does_not_count_the_properties_of_a_node_it_deletes() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = Database::open_temporary()?;
    load_text(&db, dir.path(), "a.cypher", "MERGE (n:E {id: 1});\n")?;
    let outcome = load_text(
        &db,
        dir.path(),
        "a.cypher",
        "MATCH (n:E {id: 1}) SET n.p = 1;\n",
    )?;
    assert_eq!(query(&db, "MATCH (n) RETURN count(n)")?, ["0"]);
    let withdrawn = Withdrawn {
        assertions: 1,
        nodes_deleted: 1,
        ..Withdrawn::default()
    };
    assert_eq!(outcome, LoadOutcome::Changed { kept: 0, withdrawn });
    Ok(())
}

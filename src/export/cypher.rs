//! The Cypher script export: a file of `;`-terminated statements that recreates the
//! graph in an empty skein (`skein load FILE`, `skein run FILE`) or in Neo4j.
//!
//! Nodes and relationships arrive one at a time (every node before the first
//! relationship) and leave in batches, one per label set (or relationship type), each
//! row a list of values: `UNWIND [[0, 0, 'Ann', '1970-05-04'], …] AS row CREATE
//! (:_SkeinImport:Person {_skein_export_id: row[0], name: row[2], born: date(row[3])})`
//! and `UNWIND [[0, 5, 0, 2001], …] AS row MATCH (a:_SkeinImport {_skein_export_id:
//! row[0]}), (b:_SkeinImport {_skein_export_id: row[1]}) CREATE (a)-[:KNOWS {since:
//! row[3]}]->(b)`. The number after the ids is the row's shape, its set of property
//! keys: a batch of several shapes picks each row's map with `CASE row[1] WHEN 0 THEN
//! {…} WHEN 1 THEN {…} END`, so nodes that differ in their keys still share batches.
//! Lists rather than maps, because parsing is most of what loading a script costs, and
//! key names repeated on every row were most of its text; temporal values are their
//! text in the row and made by their constructor in the statement, because a function
//! call in a literal costs the parser a hundred plain values. While the script runs,
//! every node it made carries the label [`IMPORT_LABEL`] and its exported id as
//! [`IMPORT_KEY`], with an index on them (created first), so each endpoint lookup is an
//! index seek and a load takes time linear in the graph; the last statements drop the
//! index and remove label and key.
//!
//! A graph with sources (see `storage::sources`) also carries them: relationships get
//! the temporary key too, and after the graph come `CALL db.restoreSource(…)` per
//! source and batches of `db.restoreProvenance` rows per node and per relationship
//! (every relationship has one, which also removes its temporary key), so that a run of
//! the script recreates every assertion and claim with its source, line and load
//! sequence. Loaded as a fact file, such a script is not a source of its own.
//!
//! Invariants: values are written by [`cypher_literal`], which keeps each value's type
//! (temporal values in lists as constructor calls, non-finite floats as arithmetic,
//! -0.0 and the smallest integer spelled so that they come back); a batch holds at most
//! [`BATCH_ROWS`] rows, [`BATCH_SHAPES`] shapes and about [`BATCH_BYTES`] of text, and
//! all pending batches together at most [`BUFFERED_BYTES`], so the writer's memory does
//! not grow with the graph however many label sets, types or shapes it has.

use super::formats::{cypher_literal, cypher_name};
use crate::value::{Node, PropertyMap, Relationship, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

/// The label and property that identify exported nodes while the script runs.
pub const IMPORT_LABEL: &str = "_SkeinImport";
pub const IMPORT_KEY: &str = "_skein_export_id";
/// The temporary index on (`IMPORT_LABEL`, `IMPORT_KEY`).
pub const IMPORT_INDEX: &str = "skein_import_id";

/// Rows per statement: large enough that the per-statement cost (a parse, a commit when
/// each statement commits on its own) vanishes, small enough that a statement's text and
/// its transaction stay small.
pub const BATCH_ROWS: usize = 1_000;
/// A batch is written once its text passes this many bytes, whatever its row count.
pub const BATCH_BYTES: usize = 1 << 20;
/// When the pending batches of all groups together pass this many bytes, all are written.
pub const BUFFERED_BYTES: usize = 16 << 20;
/// Nodes whose temporary label and key one cleanup statement removes.
pub const CLEANUP_ROWS: u64 = 10_000;
/// Shapes (sets of property keys) one batch may hold: each is a branch of the
/// statement's `CASE`.
pub const BATCH_SHAPES: usize = 64;

/// What a batch creates.
enum Creates {
    /// Nodes with these labels (as Cypher writes them, each after `:`).
    Nodes(String),
    /// Relationships of this type (as Cypher writes it).
    Relationships(String),
}

/// The rows waiting for one statement: each `[id, shape, values…]` for a node or
/// `[start, end, shape, values…]` for a relationship, `shape` indexing `shapes`, the
/// property maps the rows' values fill.
struct Batch {
    creates: Creates,
    rows: String,
    count: usize,
    shapes: Vec<String>,
    shape_of: BTreeMap<String, usize>,
}

impl Batch {
    /// Where the property values start in a row.
    fn first_value(&self) -> usize {
        match self.creates {
            Creates::Nodes(_) => 2,
            Creates::Relationships(_) => 3,
        }
    }

    /// The statement after `UNWIND [...] AS row`: with one shape its map is written in
    /// the CREATE, with several a `CASE` on the row's shape picks the map.
    fn tail(&self) -> String {
        let key = format!("{{{IMPORT_KEY}: row[0]}}");
        let picked = |on: usize| {
            let mut case = format!("CASE row[{on}]");
            for (i, map) in self.shapes.iter().enumerate() {
                let _ = write!(case, " WHEN {i} THEN {map}");
            }
            case.push_str(" END");
            case
        };
        let single = match self.shapes.as_slice() {
            [only] => Some(only.as_str()),
            _ => None,
        };
        match (&self.creates, single) {
            (Creates::Nodes(labels), Some(map)) => {
                let map = match map {
                    "{}" => key,
                    _ => format!("{{{IMPORT_KEY}: row[0], {}", &map[1..]),
                };
                format!("CREATE (:{IMPORT_LABEL}{labels} {map})")
            }
            (Creates::Nodes(labels), None) => {
                format!(
                    "CREATE (n:{IMPORT_LABEL}{labels} {key}) SET n += {}",
                    picked(1)
                )
            }
            (Creates::Relationships(name), single) => {
                let endpoints = format!(
                    "MATCH (a:{IMPORT_LABEL} {{{IMPORT_KEY}: row[0]}}), \
                     (b:{IMPORT_LABEL} {{{IMPORT_KEY}: row[1]}})"
                );
                match single {
                    Some("{}") => format!("{endpoints} CREATE (a)-[:{name}]->(b)"),
                    Some(map) => format!("{endpoints} CREATE (a)-[:{name} {map}]->(b)"),
                    None => format!(
                        "{endpoints} CREATE (a)-[r:{name}]->(b) SET r = {}",
                        picked(2)
                    ),
                }
            }
        }
    }

    /// Writes the batch as one statement (nothing when it is empty) and empties it.
    fn write(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if self.count == 0 {
            return Ok(());
        }
        writeln!(out, "UNWIND [\n{}\n] AS row {};", self.rows, self.tail())?;
        self.rows.clear();
        self.count = 0;
        self.shapes.clear();
        self.shape_of.clear();
        Ok(())
    }

    /// The text the batch holds.
    fn size(&self) -> usize {
        self.rows.len() + self.shapes.iter().map(String::len).sum::<usize>()
    }
}

/// Pending batches by group (a label set or a relationship type), in a stable order so
/// the script is deterministic.
#[derive(Default)]
struct Groups {
    batches: BTreeMap<String, Batch>,
    buffered: usize,
}

/// One row for [`Groups::push`].
struct Row<'a> {
    /// The group: labels or type, as the statement writes them.
    group: &'a str,
    /// The row's shape: its property keys, each with its constructor.
    shape: String,
    /// The map that shape stands for (see [`row_map`]), made when the batch first
    /// meets the shape.
    map: &'a dyn Fn(usize) -> String,
    /// `id` or `start, end`: what comes before the shape.
    head: &'a str,
    /// `, v1, v2…`: what comes after it.
    values: &'a str,
}

impl Groups {
    /// Adds `row` to its group's batch (writing the batch first when it has no room
    /// for one more shape), then writes the batch when it is full, and every batch
    /// when too much text waits.
    fn push(
        &mut self,
        row: Row<'_>,
        creates: impl FnOnce() -> Creates,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        if !self.batches.contains_key(row.group) {
            self.batches.insert(
                row.group.to_string(),
                Batch {
                    creates: creates(),
                    rows: String::new(),
                    count: 0,
                    shapes: Vec::new(),
                    shape_of: BTreeMap::new(),
                },
            );
        }
        let Some(batch) = self.batches.get_mut(row.group) else {
            return Ok(());
        };
        let before = batch.size();
        if !batch.shape_of.contains_key(&row.shape) && batch.shapes.len() >= BATCH_SHAPES {
            batch.write(out)?;
        }
        let shape = match batch.shape_of.get(&row.shape) {
            Some(&shape) => shape,
            None => {
                let shape = batch.shapes.len();
                batch.shapes.push((row.map)(batch.first_value()));
                batch.shape_of.insert(row.shape, shape);
                shape
            }
        };
        if batch.count > 0 {
            batch.rows.push_str(",\n");
        }
        let _ = write!(batch.rows, "[{}, {shape}{}]", row.head, row.values);
        batch.count += 1;
        if batch.count >= BATCH_ROWS || batch.size() >= BATCH_BYTES {
            batch.write(out)?;
        }
        self.buffered = (self.buffered + batch.size()).saturating_sub(before);
        if self.buffered >= BUFFERED_BYTES {
            self.flush(out)?;
        }
        Ok(())
    }

    /// Writes every pending batch.
    fn flush(&mut self, out: &mut dyn Write) -> io::Result<()> {
        for batch in self.batches.values_mut() {
            batch.write(out)?;
        }
        self.buffered = 0;
        Ok(())
    }
}

/// The constructor a temporal value is made again with from its text, if it is one.
/// Rows hold the text and the statement calls the constructor on the column: a function
/// call in a literal costs the parser and planner about as much as a hundred other
/// values, one on a row's value almost nothing. The constructor is part of the row's
/// shape.
fn constructor(value: &Value) -> Option<&'static str> {
    match value {
        Value::Date(_) => Some("date"),
        Value::LocalTime(_) => Some("localtime"),
        Value::Time(_) => Some("time"),
        Value::LocalDateTime(_) => Some("localdatetime"),
        Value::DateTime(_) => Some("datetime"),
        Value::Duration(_) => Some("duration"),
        _ => None,
    }
}

/// Appends the values of `props` (in key order) to `row`, each after `, `; temporal
/// values as their text (see [`constructor`]).
fn push_values(row: &mut String, props: &PropertyMap) {
    for v in props.values() {
        row.push_str(", ");
        match v.temporal_text().filter(|_| constructor(v).is_some()) {
            Some(text) => row.push_str(&cypher_literal(&Value::String(text))),
            None => row.push_str(&cypher_literal(v)),
        }
    }
}

/// A row's shape: its property keys, each after its length (so that no two key lists
/// give the same text) and with its constructor.
fn shape_key(props: &PropertyMap) -> String {
    let mut key = String::new();
    for (k, v) in props {
        let _ = write!(key, "{}:{k}:{} ", k.len(), constructor(v).unwrap_or(""));
    }
    key
}

/// `{k1: row[2], k2: date(row[3]), …}`: the map a row of `props`' shape stands for, its
/// values counted from `offset`.
fn row_map(props: &PropertyMap, offset: usize) -> String {
    let mut map = String::from("{");
    for (i, (k, v)) in props.iter().enumerate() {
        if i > 0 {
            map.push_str(", ");
        }
        let column = format!("row[{}]", i + offset);
        match constructor(v) {
            Some(function) => {
                let _ = write!(map, "{}: {function}({column})", cypher_name(k));
            }
            None => {
                let _ = write!(map, "{}: {column}", cypher_name(k));
            }
        }
    }
    map.push('}');
    map
}

/// Writes a Cypher script of a graph given node by node, then relationship by
/// relationship; [`CypherScript::finish`] writes the batches still pending and the
/// cleanup, and must be called for the script to be complete.
pub struct CypherScript<'w> {
    out: &'w mut dyn Write,
    nodes: Groups,
    relationships: Groups,
    /// Set once the first relationship came: the node batches are written by then.
    nodes_done: bool,
    nodes_written: u64,
    relationships_written: u64,
    row: String,
    /// Set when the graph has sources: relationships carry the temporary key until
    /// their provenance is restored.
    provenance: bool,
    /// Provenance rows waiting for one statement, and how many.
    pending: String,
    pending_rows: usize,
    /// Whether the pending rows are relationships' (else nodes').
    pending_relationships: bool,
}

impl<'w> CypherScript<'w> {
    /// Says that the graph has sources, so that the script recreates them: call before
    /// the first relationship.
    pub fn with_provenance(&mut self) -> io::Result<()> {
        self.provenance = true;
        writeln!(
            self.out,
            "// This graph has sources, which the script recreates at its end (loaded with \
             `skein load`, the script is not a source itself)."
        )
    }

    /// Writes the statement that recreates a source (call after the last relationship).
    pub fn source(
        &mut self,
        name: &str,
        sha256: &Value,
        loaded_at: &Value,
        seq: &Value,
    ) -> io::Result<()> {
        self.flush_graph()?;
        writeln!(
            self.out,
            "CALL db.restoreSource({}, {}, {}, {});",
            cypher_literal(&Value::String(name.to_string())),
            cypher_literal(sha256),
            cypher_literal(loaded_at),
            cypher_literal(seq)
        )
    }

    /// Adds the provenance rows (`[key, source, line, seq, value, exists]`) of node `id`; call
    /// after every source.
    pub fn node_provenance(&mut self, id: u64, records: &[Value]) -> io::Result<()> {
        if self.pending_relationships {
            self.write_provenance()?;
        }
        let head = id.to_string();
        self.push_provenance(&head, records)
    }

    /// Adds the provenance rows of relationship `id` (from `start`); every relationship
    /// of a graph with sources must be given, rows or not, since this removes its
    /// temporary key.
    pub fn relationship_provenance(
        &mut self,
        start: u64,
        id: u64,
        records: &[Value],
    ) -> io::Result<()> {
        if !self.pending_relationships {
            self.write_provenance()?;
            self.pending_relationships = true;
        }
        let head = format!("{start}, {id}");
        self.push_provenance(&head, records)
    }

    fn push_provenance(&mut self, head: &str, records: &[Value]) -> io::Result<()> {
        self.flush_graph()?;
        if self.pending_rows > 0 {
            self.pending.push_str(",\n");
        }
        let list = cypher_literal(&Value::List(records.to_vec()));
        let _ = write!(self.pending, "[{head}, {list}]");
        self.pending_rows += 1;
        if self.pending_rows >= BATCH_ROWS || self.pending.len() >= BATCH_BYTES {
            self.write_provenance()?;
        }
        Ok(())
    }

    fn write_provenance(&mut self) -> io::Result<()> {
        if self.pending_rows == 0 {
            return Ok(());
        }
        let tail = if self.pending_relationships {
            format!(
                "MATCH (a:{IMPORT_LABEL} {{{IMPORT_KEY}: row[0]}})-[r]->() WHERE r.{IMPORT_KEY} = row[1] \
                 CALL db.restoreProvenance(r, row[2]) REMOVE r.{IMPORT_KEY}"
            )
        } else {
            format!(
                "MATCH (n:{IMPORT_LABEL} {{{IMPORT_KEY}: row[0]}}) CALL db.restoreProvenance(n, row[1])"
            )
        };
        writeln!(self.out, "UNWIND [\n{}\n] AS row {tail};", self.pending)?;
        self.pending.clear();
        self.pending_rows = 0;
        Ok(())
    }

    /// Writes the graph's pending batches (before anything that reads the graph).
    fn flush_graph(&mut self) -> io::Result<()> {
        self.nodes.flush(self.out)?;
        self.relationships.flush(self.out)?;
        self.nodes_done = true;
        Ok(())
    }

    /// Starts the script: a comment saying what it holds (`nodes` and `relationships`,
    /// as the source counts them) and the temporary index.
    pub fn start(
        out: &'w mut dyn Write,
        nodes: u64,
        relationships: u64,
    ) -> io::Result<CypherScript<'w>> {
        writeln!(
            out,
            "// skein export: {nodes} nodes, {relationships} relationships, in batches of up to \
             {BATCH_ROWS} rows."
        )?;
        writeln!(
            out,
            "// Load into an empty database with `skein --db DB run FILE` (a transaction per \
             statement, memory stays flat) or `skein --db DB load FILE` (one transaction, \
             held in memory until it commits). While it loads, nodes carry the label \
             {IMPORT_LABEL} and their exported id as {IMPORT_KEY}; the last statements \
             remove both."
        )?;
        writeln!(
            out,
            "CREATE INDEX {IMPORT_INDEX} IF NOT EXISTS FOR (n:{IMPORT_LABEL}) ON (n.{IMPORT_KEY});"
        )?;
        Ok(CypherScript {
            out,
            nodes: Groups::default(),
            relationships: Groups::default(),
            nodes_done: false,
            nodes_written: 0,
            relationships_written: 0,
            row: String::new(),
            provenance: false,
            pending: String::new(),
            pending_rows: 0,
            pending_relationships: false,
        })
    }

    /// Adds a node. Every node must come before the first relationship.
    pub fn node(&mut self, node: &Node) -> io::Result<()> {
        if self.nodes_done {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a node came after the relationships had begun",
            ));
        }
        if node.properties.contains_key(IMPORT_KEY) || node.labels.iter().any(|l| l == IMPORT_LABEL)
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "node {} already has the label {IMPORT_LABEL} or the property {IMPORT_KEY} \
                     that the script uses while it loads (left by a load that did not finish?)",
                    node.id
                ),
            ));
        }
        let mut labels: Vec<&str> = node.labels.iter().map(String::as_str).collect();
        labels.sort_unstable();
        labels.dedup();
        let labels: String = labels
            .iter()
            .map(|l| format!(":{}", cypher_name(l)))
            .collect();
        self.row.clear();
        push_values(&mut self.row, &node.properties);
        let head = node.id.to_string();
        let map = |offset: usize| row_map(&node.properties, offset);
        let row = Row {
            group: &labels,
            shape: shape_key(&node.properties),
            map: &map,
            head: &head,
            values: &self.row,
        };
        self.nodes
            .push(row, || Creates::Nodes(labels.clone()), self.out)?;
        self.nodes_written += 1;
        Ok(())
    }

    /// Adds a relationship; both its end nodes must have been added.
    pub fn relationship(&mut self, rel: &Relationship) -> io::Result<()> {
        if !self.nodes_done {
            self.nodes.flush(self.out)?;
            self.nodes_done = true;
        }
        let name = cypher_name(&rel.rel_type);
        let tagged;
        let properties = if self.provenance {
            if rel.properties.contains_key(IMPORT_KEY) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "relationship {} already has the property {IMPORT_KEY} that the script uses while it loads",
                        rel.id
                    ),
                ));
            }
            let mut with_key = rel.properties.clone();
            let id = i64::try_from(rel.id).unwrap_or(i64::MAX);
            with_key.insert(IMPORT_KEY.to_string(), Value::Int(id));
            tagged = with_key;
            &tagged
        } else {
            &rel.properties
        };
        self.row.clear();
        push_values(&mut self.row, properties);
        let head = format!("{}, {}", rel.start, rel.end);
        let map = |offset: usize| row_map(properties, offset);
        let row = Row {
            group: &name,
            shape: shape_key(properties),
            map: &map,
            head: &head,
            values: &self.row,
        };
        self.relationships
            .push(row, || Creates::Relationships(name.clone()), self.out)?;
        self.relationships_written += 1;
        Ok(())
    }

    /// Writes what is pending and the cleanup: the index is dropped first, so removing
    /// the key updates no index, then label and key go in statements of
    /// [`CLEANUP_ROWS`] nodes. Returns the nodes and relationships written.
    pub fn finish(mut self) -> io::Result<(u64, u64)> {
        self.flush_graph()?;
        self.write_provenance()?;
        writeln!(self.out, "DROP INDEX {IMPORT_INDEX} IF EXISTS;")?;
        for _ in 0..self.nodes_written.div_ceil(CLEANUP_ROWS) {
            writeln!(
                self.out,
                "MATCH (n:{IMPORT_LABEL}) WITH n LIMIT {CLEANUP_ROWS} \
                 REMOVE n:{IMPORT_LABEL}, n.{IMPORT_KEY};"
            )?;
        }
        writeln!(
            self.out,
            "// end of skein export: {} nodes, {} relationships",
            self.nodes_written, self.relationships_written
        )?;
        Ok((self.nodes_written, self.relationships_written))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: u64, labels: &[&str], props: &[(&str, Value)]) -> Node {
        Node {
            id,
            labels: labels.iter().map(|l| l.to_string()).collect(),
            properties: props
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        }
    }

    fn script(nodes: &[Node], rels: &[Relationship]) -> String {
        let mut out = Vec::new();
        let mut s = CypherScript::start(&mut out, nodes.len() as u64, rels.len() as u64)
            .unwrap_or_else(|e| panic!("{e}"));
        for n in nodes {
            s.node(n).unwrap_or_else(|e| panic!("{e}"));
        }
        for r in rels {
            s.relationship(r).unwrap_or_else(|e| panic!("{e}"));
        }
        s.finish().unwrap_or_else(|e| panic!("{e}"));
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn nodes_are_batched_per_label_set() {
        let nodes: Vec<Node> = (0..2_500)
            .map(|i| match i % 3 {
                0 => node(i, &["B", "A"], &[("x", Value::Int(i as i64))]),
                1 => node(i, &["A", "B"], &[]),
                _ => node(i, &[], &[("s", Value::String("it's".into()))]),
            })
            .collect();
        let text = script(&nodes, &[]);
        let creates: Vec<&str> = text.lines().filter(|l| l.starts_with("] AS row")).collect();
        // 1,667 nodes :A:B of two shapes (1,000 in one batch, the rest at the end) and
        // 833 unlabelled of one, in the order of their labels.
        let two_shapes = "] AS row CREATE (n:_SkeinImport:A:B {_skein_export_id: row[0]}) \
                          SET n += CASE row[1] WHEN 0 THEN {x: row[2]} WHEN 1 THEN {} END;";
        assert_eq!(
            creates,
            [
                two_shapes,
                "] AS row CREATE (:_SkeinImport {_skein_export_id: row[0], s: row[2]});",
                two_shapes,
            ],
            "{text}"
        );
        assert!(
            text.contains("\n[0, 0, 0],\n[1, 1],\n[3, 0, 3],\n"),
            "{text}"
        );
        assert!(text.contains("\n[2, 0, 'it\\'s']"), "{text}");
        assert_eq!(text.matches("REMOVE n:_SkeinImport").count(), 1);
        assert!(text.ends_with("// end of skein export: 2500 nodes, 0 relationships\n"));
    }

    #[test]
    fn relationships_follow_the_nodes_grouped_by_type_and_properties() {
        let nodes = [node(0, &["A"], &[]), node(1, &["A"], &[])];
        let rel = |id, rel_type: &str, props: &[(&str, Value)]| Relationship {
            id,
            rel_type: rel_type.into(),
            start: 0,
            end: 1,
            properties: props
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        };
        let text = script(
            &nodes,
            &[
                rel(0, "T", &[]),
                rel(1, "T", &[("w", Value::Float(f64::NAN))]),
                rel(2, "odd type", &[]),
            ],
        );
        let create_nodes = text.find("CREATE (:").unwrap_or(usize::MAX);
        let first_match = text.find("MATCH (a:").unwrap_or(0);
        assert!(create_nodes < first_match, "{text}");
        assert!(
            text.contains("\n[0, 1, 0],\n[0, 1, 1, 0.0 / 0.0]\n"),
            "{text}"
        );
        assert!(text.contains("\n[0, 1, 0]\n] AS row MATCH"), "{text}");
        assert!(text.contains("CREATE (a)-[:`odd type`]->(b);"), "{text}");
        assert!(
            text.contains(
                "CREATE (a)-[r:T]->(b) SET r = CASE row[2] WHEN 0 THEN {} WHEN 1 THEN {w: row[3]} END;"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "MATCH (a:_SkeinImport {_skein_export_id: row[0]}), \
                 (b:_SkeinImport {_skein_export_id: row[1]})"
            ),
            "{text}"
        );
        let drop = text.find("DROP INDEX").unwrap_or(0);
        assert!(
            drop > text.rfind("MATCH (a:").unwrap_or(usize::MAX),
            "{text}"
        );
    }

    #[test]
    fn temporal_values_are_text_in_rows_and_made_in_the_statement() {
        let date =
            crate::value::temporal::call_function("date", &[Value::String("2020-01-02".into())])
                .and_then(|made| made.ok())
                .unwrap_or(Value::Null);
        let nodes = [
            node(0, &["A"], &[("born", date.clone())]),
            node(1, &["A"], &[("born", Value::String("2020-01-02".into()))]),
            node(2, &["A"], &[("born", Value::List(vec![date]))]),
        ];
        let text = script(&nodes, &[]);
        let wanted = [
            "[0, 0, '2020-01-02'],\n[1, 1, '2020-01-02'],\n[2, 1, [date('2020-01-02')]]\n",
            // A string and a list of dates are literals: they share a shape.
            "] AS row CREATE (n:_SkeinImport:A {_skein_export_id: row[0]}) SET n += \
             CASE row[1] WHEN 0 THEN {born: date(row[2])} WHEN 1 THEN {born: row[2]} END;",
        ];
        for part in wanted {
            assert!(text.contains(part), "{part} not in {text}");
        }
    }

    #[test]
    fn a_batch_holds_at_most_batch_rows() {
        let nodes: Vec<Node> = (0..2_001).map(|i| node(i, &["A"], &[])).collect();
        let text = script(&nodes, &[]);
        assert_eq!(text.matches("] AS row CREATE").count(), 3, "{text}");
    }

    #[test]
    fn a_batch_holds_at_most_batch_shapes() {
        let nodes: Vec<Node> = (0..(BATCH_SHAPES as u64 + 1))
            .map(|i| node(i, &["A"], &[(&format!("k{i}"), Value::Int(1))]))
            .collect();
        let text = script(&nodes, &[]);
        assert_eq!(text.matches("] AS row CREATE").count(), 2, "{text}");
        assert!(text.contains(&format!("\n[{BATCH_SHAPES}, 0, 1]\n] AS row CREATE (:_SkeinImport:A {{_skein_export_id: row[0], k{BATCH_SHAPES}: row[2]}});")), "{text}");
    }

    #[test]
    fn a_node_holding_the_temporary_key_or_label_is_refused() {
        let mut sink = io::sink();
        let mut s = CypherScript::start(&mut sink, 0, 0).unwrap_or_else(|e| panic!("{e}"));
        assert!(s
            .node(&node(0, &[], &[(IMPORT_KEY, Value::Int(1))]))
            .is_err());
        assert!(s.node(&node(1, &[IMPORT_LABEL], &[])).is_err());
    }

    #[test]
    fn pending_text_is_bounded_whatever_the_number_of_groups() {
        let mut sink = io::sink();
        let mut s = CypherScript::start(&mut sink, 0, 0).unwrap_or_else(|e| panic!("{e}"));
        let big = Value::String("x".repeat(10_000));
        for i in 0..5_000u64 {
            let label = format!("L{i}");
            s.node(&node(i, &[&label], &[("big", big.clone())]))
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(s.nodes.buffered < BUFFERED_BYTES + 20_000);
        }
        assert_eq!(s.finish().ok(), Some((5_000, 0)));
    }

    #[test]
    fn a_node_after_the_relationships_is_refused() {
        let mut sink = io::sink();
        let mut s = CypherScript::start(&mut sink, 0, 0).unwrap_or_else(|e| panic!("{e}"));
        let a = node(0, &[], &[]);
        s.node(&a).unwrap_or_else(|e| panic!("{e}"));
        let r = Relationship {
            id: 0,
            rel_type: "T".into(),
            start: 0,
            end: 0,
            properties: PropertyMap::new(),
        };
        s.relationship(&r).unwrap_or_else(|e| panic!("{e}"));
        assert!(s.node(&a).is_err());
    }
}

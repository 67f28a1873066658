//! Writing the graph, or the subgraph a query returns, as DOT, GraphML, JSON or a Cypher
//! script; and `:show`'s picture of a subgraph (SVG through Graphviz, else a text tree).
//!
//! A [`Subgraph`] is collected from query results: every node, relationship and path in
//! the rows (inside lists and maps too), plus the end nodes of each relationship, so an
//! exported subgraph never has a dangling relationship. Everything is keyed by store id
//! and written in id order, so output is deterministic.
//!
//! The whole graph as Cypher is not collected: [`stream_cypher`] reads it in pages of
//! node ids (an id seek per id, so each page costs its own size) inside one transaction,
//! so the script is one consistent state and memory stays bounded by a page and the
//! writer's pending batches. The other formats, and `--query`, hold the subgraph.

pub mod cypher;
mod formats;
pub mod show;

use crate::error::{Error, Result};
use crate::value::{Node, NodeId, RelId, Relationship};
use crate::{Database, Params, QueryResult, Value};
use std::collections::BTreeMap;
use std::path::Path;

pub use cypher::CypherScript;
pub use formats::{write_cypher, write_dot, write_graphml, write_json};

/// Nodes and relationships with their labels, types and properties.
#[derive(Clone, Debug, Default)]
pub struct Subgraph {
    pub nodes: BTreeMap<NodeId, Node>,
    pub relationships: BTreeMap<RelId, Relationship>,
    /// Node ids in the order the results first mentioned them (pictures start there).
    pub first_seen: Vec<NodeId>,
    /// The graph's sources (`db.sources()` rows: source, sha256, loaded_at, seq), for
    /// the formats that carry provenance; empty when it has none.
    pub sources: Vec<Vec<Value>>,
    /// The provenance records (`db.provenance(x)` rows) of nodes and relationships, by
    /// (is a relationship, id).
    pub provenance: BTreeMap<(bool, u64), Vec<Vec<Value>>>,
}

/// The export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Dot,
    GraphMl,
    Json,
    Cypher,
}

impl std::str::FromStr for ExportFormat {
    type Err = String;
    fn from_str(text: &str) -> std::result::Result<ExportFormat, String> {
        match text.to_ascii_lowercase().as_str() {
            "dot" | "graphviz" => Ok(ExportFormat::Dot),
            "graphml" => Ok(ExportFormat::GraphMl),
            "json" => Ok(ExportFormat::Json),
            "cypher" => Ok(ExportFormat::Cypher),
            other => Err(format!(
                "unknown export format '{other}': expected dot, graphml, json or cypher"
            )),
        }
    }
}

impl Subgraph {
    fn add_node(&mut self, node: &Node) {
        if self.nodes.insert(node.id, node.clone()).is_none() {
            self.first_seen.push(node.id);
        }
    }

    /// Adds every entity inside `value`.
    pub fn add_value(&mut self, value: &Value) {
        match value {
            Value::Node(n) => self.add_node(n),
            Value::Relationship(r) => {
                self.relationships.insert(r.id, r.clone());
            }
            Value::Path(p) => {
                for n in &p.nodes {
                    self.add_node(n);
                }
                for r in &p.relationships {
                    self.relationships.insert(r.id, r.clone());
                }
            }
            Value::List(items) => items.iter().for_each(|v| self.add_value(v)),
            Value::Map(map) => map.values().for_each(|v| self.add_value(v)),
            _ => {}
        }
    }

    /// Adds every entity in the rows of `result`.
    pub fn add_result(&mut self, result: &QueryResult) {
        for row in &result.rows {
            for value in row {
                self.add_value(value);
            }
        }
    }

    /// End nodes of relationships that are not in the subgraph yet.
    fn missing_end_nodes(&self) -> Vec<NodeId> {
        let mut missing: Vec<NodeId> = self
            .relationships
            .values()
            .flat_map(|r| [r.start, r.end])
            .filter(|id| !self.nodes.contains_key(id))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        missing
    }

    /// Completes the subgraph with the end nodes of its relationships, read through
    /// `query` (a statement runner: the database or an open transaction).
    pub fn complete(
        &mut self,
        query: &mut dyn FnMut(&str, &Params) -> Result<QueryResult>,
    ) -> Result<()> {
        let missing = self.missing_end_nodes();
        if missing.is_empty() {
            return Ok(());
        }
        let ids: Vec<Value> = missing
            .into_iter()
            .map(|id| Value::Int(i64::try_from(id).unwrap_or(i64::MAX)))
            .collect();
        let mut params = Params::new();
        params.insert("ids".to_string(), Value::List(ids));
        let result = query("MATCH (n) WHERE id(n) IN $ids RETURN n", &params)?;
        self.add_result(&result);
        Ok(())
    }

    /// The subgraph `text` returns, or the whole graph when `text` is `None`.
    pub fn collect(
        query: &mut dyn FnMut(&str, &Params) -> Result<QueryResult>,
        text: Option<&str>,
        params: &Params,
    ) -> Result<Subgraph> {
        let mut subgraph = Subgraph::default();
        match text {
            Some(text) => subgraph.add_result(&query(text, params)?),
            None => {
                subgraph.add_result(&query("MATCH (n) RETURN n", &Params::new())?);
                subgraph.add_result(&query("MATCH ()-[r]->() RETURN r", &Params::new())?);
            }
        }
        subgraph.complete(query)?;
        Ok(subgraph)
    }

    /// Adds the sources and the provenance records of the subgraph's elements.
    pub fn add_provenance(
        &mut self,
        query: &mut dyn FnMut(&str, &Params) -> Result<QueryResult>,
    ) -> Result<()> {
        self.sources = query(
            "CALL db.sources() YIELD source, sha256, loaded_at, seq RETURN source, sha256, loaded_at, seq ORDER BY seq",
            &Params::new(),
        )?
        .rows;
        if self.sources.is_empty() {
            return Ok(());
        }
        let ids = |ids: Vec<u64>| {
            let list = ids
                .into_iter()
                .map(|id| Value::Int(i64::try_from(id).unwrap_or(i64::MAX)))
                .collect();
            Params::from([("ids".to_string(), Value::List(list))])
        };
        for (is_rel, pattern, params) in [
            (
                false,
                "MATCH (x) WHERE id(x) IN $ids",
                ids(self.nodes.keys().copied().collect()),
            ),
            (
                true,
                "MATCH ()-[x]->() WHERE id(x) IN $ids",
                ids(self.relationships.keys().copied().collect()),
            ),
        ] {
            let rows = query(
                &format!(
                    "{pattern} CALL db.provenance(x) YIELD key, source, line, seq, value, exists \
                     RETURN id(x), key, source, line, seq, value, exists"
                ),
                &params,
            )?
            .rows;
            for mut row in rows {
                if let Some(Value::Int(id)) = row.first() {
                    let id = u64::try_from(*id).unwrap_or(0);
                    row.remove(0);
                    self.provenance.entry((is_rel, id)).or_default().push(row);
                }
            }
        }
        Ok(())
    }

    /// Writes the subgraph in `format`.
    pub fn write(&self, format: ExportFormat, out: &mut dyn std::io::Write) -> Result<()> {
        let written = match format {
            ExportFormat::Dot => write_dot(self, out),
            ExportFormat::GraphMl => write_graphml(self, out),
            ExportFormat::Json => write_json(self, out),
            ExportFormat::Cypher => write_cypher(self, out),
        };
        written.map_err(|e| Error::io(format!("cannot write the export: {e}")))
    }
}

/// Node ids one page of [`stream_cypher`] reads for nodes.
const NODE_PAGE: u64 = 10_000;
/// Start nodes one page of [`stream_cypher`] reads the outgoing relationships of: fewer
/// than for nodes, since a node may have many.
const RELATIONSHIP_PAGE: u64 = 1_000;

/// Writes the whole graph `query` reads (a statement runner: best an open transaction,
/// so that every page sees the same graph) as a batched Cypher script to `out`, a page
/// at a time: nodes by id, then the outgoing relationships of each page of nodes, by
/// start node and id. Returns the nodes and relationships written.
pub fn stream_cypher(
    query: &mut dyn FnMut(&str, &Params) -> Result<QueryResult>,
    out: &mut dyn std::io::Write,
) -> Result<(u64, u64)> {
    let written = |e: std::io::Error| Error::io(format!("cannot write the export: {e}"));
    let first = query(
        "MATCH (n) RETURN count(n) AS nodes, max(id(n)) AS last",
        &Params::new(),
    )?;
    let (nodes, last) = match first.rows.first().map(Vec::as_slice) {
        Some([Value::Int(nodes), Value::Int(last)]) => (*nodes, Some(*last)),
        _ => (0, None),
    };
    let relationships = match query("MATCH ()-[r]->() RETURN count(r)", &Params::new())?
        .rows
        .first()
        .map(Vec::as_slice)
    {
        Some([Value::Int(n)]) => *n,
        _ => 0,
    };
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    let mut script =
        CypherScript::start(out, count(nodes), count(relationships)).map_err(written)?;
    let sources = query(
        "CALL db.sources() YIELD source, sha256, loaded_at, seq RETURN source, sha256, loaded_at, seq ORDER BY seq",
        &Params::new(),
    )?
    .rows;
    if !sources.is_empty() {
        script.with_provenance().map_err(written)?;
    }
    let last = last.and_then(|id| u64::try_from(id).ok());
    for (lo, hi) in pages(last, NODE_PAGE) {
        let page = query(
            "UNWIND range($lo, $hi) AS i MATCH (n) WHERE id(n) = i RETURN n",
            &page_params(lo, hi),
        )?;
        for row in &page.rows {
            if let Some(Value::Node(node)) = row.first() {
                script.node(node).map_err(written)?;
            }
        }
    }
    for (lo, hi) in pages(last, RELATIONSHIP_PAGE) {
        let page = query(
            "UNWIND range($lo, $hi) AS i MATCH (a) WHERE id(a) = i MATCH (a)-[r]->() RETURN r",
            &page_params(lo, hi),
        )?;
        let mut rels: Vec<&Relationship> = page
            .rows
            .iter()
            .filter_map(|row| match row.first() {
                Some(Value::Relationship(r)) => Some(r),
                _ => None,
            })
            .collect();
        rels.sort_by_key(|r| (r.start, r.id));
        for rel in rels {
            script.relationship(rel).map_err(written)?;
        }
    }
    if !sources.is_empty() {
        stream_provenance(query, &mut script, &sources, last).map_err(|e| match e {
            Exported::Io(e) => written(e),
            Exported::Query(e) => e,
        })?;
    }
    script.finish().map_err(written)
}

/// What can stop an export part-way.
enum Exported {
    Io(std::io::Error),
    Query(Error),
}

impl From<std::io::Error> for Exported {
    fn from(e: std::io::Error) -> Self {
        Exported::Io(e)
    }
}

impl From<Error> for Exported {
    fn from(e: Error) -> Self {
        Exported::Query(e)
    }
}

/// The sources (rows of source, sha256, loaded_at, seq), then every node's and every
/// relationship's provenance records, a page at a time.
fn stream_provenance(
    query: &mut dyn FnMut(&str, &Params) -> Result<QueryResult>,
    script: &mut CypherScript<'_>,
    sources: &[Vec<Value>],
    last: Option<u64>,
) -> std::result::Result<(), Exported> {
    for row in sources {
        if let [Value::String(name), sha, at, seq] = row.as_slice() {
            script.source(name, sha, at, seq)?;
        }
    }
    // One row per element, its records collected (none: an empty list).
    const RECORDS: &str =
        "CALL { WITH x CALL db.provenance(x) YIELD key, source, line, seq, value, exists \
                           RETURN collect([key, source, line, seq, value, exists]) AS records }";
    for (lo, hi) in pages(last, NODE_PAGE) {
        let page = query(
            &format!(
                "UNWIND range($lo, $hi) AS i MATCH (x) WHERE id(x) = i {RECORDS} \
                 WITH i, records WHERE size(records) > 0 RETURN i, records"
            ),
            &page_params(lo, hi),
        )?;
        for row in &page.rows {
            if let [Value::Int(id), Value::List(records)] = row.as_slice() {
                let id = u64::try_from(*id).unwrap_or(0);
                script.node_provenance(id, records)?;
            }
        }
    }
    for (lo, hi) in pages(last, RELATIONSHIP_PAGE) {
        let page = query(
            &format!(
                "UNWIND range($lo, $hi) AS i MATCH (a) WHERE id(a) = i MATCH (a)-[x]->() \
                 {RECORDS} RETURN i, id(x) AS r, records ORDER BY i, r"
            ),
            &page_params(lo, hi),
        )?;
        for row in &page.rows {
            if let [Value::Int(start), Value::Int(id), Value::List(records)] = row.as_slice() {
                let start = u64::try_from(*start).unwrap_or(0);
                let id = u64::try_from(*id).unwrap_or(0);
                script.relationship_provenance(start, id, records)?;
            }
        }
    }
    Ok(())
}

/// `[lo, hi]` id ranges of `size` ids covering `0..=last` (none when there is no node).
fn pages(last: Option<u64>, size: u64) -> impl Iterator<Item = (u64, u64)> {
    let end = last.map_or(0, |l| l.saturating_add(1));
    (0..end.div_ceil(size)).map(move |page| {
        let lo = page * size;
        (lo, (lo + size - 1).min(end - 1))
    })
}

fn page_params(lo: u64, hi: u64) -> Params {
    let int = |id: u64| Value::Int(i64::try_from(id).unwrap_or(i64::MAX));
    Params::from([("lo".to_string(), int(lo)), ("hi".to_string(), int(hi))])
}

/// `skein export`: writes the whole graph, or the subgraph `query` returns, to `file`
/// (`-` for standard output). Returns what to tell the user. The whole graph as Cypher
/// is streamed ([`stream_cypher`]), in one read transaction; everything else is
/// collected first.
pub fn export_to_file(
    db: &Database,
    format: ExportFormat,
    query: Option<&str>,
    params: &Params,
    file: &Path,
) -> Result<String> {
    let write = |out: &mut dyn std::io::Write| -> Result<(u64, u64)> {
        if format == ExportFormat::Cypher && query.is_none() {
            let mut txn = db.begin()?;
            let mut run = |q: &str, p: &Params| txn.execute(q, p);
            let counts = stream_cypher(&mut run, out)?;
            txn.rollback();
            return Ok(counts);
        }
        let mut run = |q: &str, p: &Params| db.execute(q, p);
        let mut subgraph = Subgraph::collect(&mut run, query, params)?;
        if format == ExportFormat::Json {
            subgraph.add_provenance(&mut run)?;
        }
        subgraph.write(format, out)?;
        Ok((
            subgraph.nodes.len() as u64,
            subgraph.relationships.len() as u64,
        ))
    };
    let (nodes, relationships) = if file == Path::new("-") {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        let counts = write(&mut out)?;
        std::io::Write::flush(&mut out)
            .map_err(|e| Error::io(format!("cannot write the export: {e}")))?;
        counts
    } else {
        let handle = std::fs::File::create(file)
            .map_err(|e| Error::io(format!("cannot create {}: {e}", file.display())))?;
        let mut out = std::io::BufWriter::new(handle);
        let counts = write(&mut out)?;
        std::io::Write::flush(&mut out)
            .map_err(|e| Error::io(format!("cannot write {}: {e}", file.display())))?;
        counts
    };
    Ok(format!(
        "exported {nodes} nodes and {relationships} relationships to {}",
        file.display()
    ))
}
#[cfg(test)]
mod tests {
    use super::pages;

    #[test]
    fn pages_cover_every_id_once() {
        assert_eq!(pages(None, 10).count(), 0);
        assert_eq!(pages(Some(0), 10).collect::<Vec<_>>(), [(0, 0)]);
        assert_eq!(pages(Some(9), 10).collect::<Vec<_>>(), [(0, 9)]);
        assert_eq!(
            pages(Some(20), 10).collect::<Vec<_>>(),
            [(0, 9), (10, 19), (20, 20)]
        );
    }
}

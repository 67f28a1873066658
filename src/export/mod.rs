//! Writing the graph, or the subgraph a query returns, as DOT, GraphML, JSON or a Cypher
//! script; and `:show`'s picture of a subgraph (SVG through Graphviz, else a text tree).
//!
//! A [`Subgraph`] is collected from query results: every node, relationship and path in
//! the rows (inside lists and maps too), plus the end nodes of each relationship, so an
//! exported subgraph never has a dangling relationship. Everything is keyed by store id
//! and written in id order, so output is deterministic.

mod formats;
pub mod show;

use crate::error::{Error, Result};
use crate::value::{Node, NodeId, RelId, Relationship};
use crate::{Database, Params, QueryResult, Value};
use std::collections::BTreeMap;
use std::path::Path;

pub use formats::{write_cypher, write_dot, write_graphml, write_json};

/// Nodes and relationships with their labels, types and properties.
#[derive(Clone, Debug, Default)]
pub struct Subgraph {
    pub nodes: BTreeMap<NodeId, Node>,
    pub relationships: BTreeMap<RelId, Relationship>,
    /// Node ids in the order the results first mentioned them (pictures start there).
    pub first_seen: Vec<NodeId>,
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

/// `skein export`: writes the whole graph, or the subgraph `query` returns, to `file`
/// (`-` for standard output). Returns what to tell the user.
pub fn export_to_file(
    db: &Database,
    format: ExportFormat,
    query: Option<&str>,
    params: &Params,
    file: &Path,
) -> Result<String> {
    let mut run = |q: &str, p: &Params| db.execute(q, p);
    let subgraph = Subgraph::collect(&mut run, query, params)?;
    if file == Path::new("-") {
        let stdout = std::io::stdout();
        subgraph.write(format, &mut stdout.lock())?;
    } else {
        let handle = std::fs::File::create(file)
            .map_err(|e| Error::io(format!("cannot create {}: {e}", file.display())))?;
        let mut out = std::io::BufWriter::new(handle);
        subgraph.write(format, &mut out)?;
        std::io::Write::flush(&mut out)
            .map_err(|e| Error::io(format!("cannot write {}: {e}", file.display())))?;
    }
    Ok(format!(
        "exported {} nodes and {} relationships to {}",
        subgraph.nodes.len(),
        subgraph.relationships.len(),
        file.display()
    ))
}

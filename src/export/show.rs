//! `:show`: a picture of a subgraph. With Graphviz's `dot` on the PATH it is drawn to an
//! SVG file in the temporary folder; without it, the subgraph is printed as an indented
//! tree, each connected part from the first node the results mention, every relationship once.

use super::formats::{cypher_name, write_dot};
use super::Subgraph;
use crate::error::{Error, Result};
use crate::value::NodeId;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What `:show` did: the SVG file it wrote, or the text tree to print.
#[derive(Clone, Debug, PartialEq)]
pub enum Shown {
    Svg(PathBuf),
    Tree(String),
}

/// Draws `subgraph` to an SVG in `folder` when `dot` runs, else gives the text tree.
pub fn show(subgraph: &Subgraph, folder: &Path) -> Result<Shown> {
    if subgraph.nodes.is_empty() {
        return Ok(Shown::Tree(
            "(the query returned no nodes, relationships or paths)".to_string(),
        ));
    }
    match draw_svg(subgraph, folder) {
        Some(path) => Ok(Shown::Svg(path)),
        None => Ok(Shown::Tree(text_tree(subgraph))),
    }
}

/// Runs `dot -Tsvg`; `None` when Graphviz is missing or fails.
fn draw_svg(subgraph: &Subgraph, folder: &Path) -> Option<PathBuf> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let path = folder.join(format!("skein-show-{}-{stamp}.svg", std::process::id()));
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .arg("-o")
        .arg(&path)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let written = child
        .stdin
        .take()
        .map(|mut stdin| write_dot(subgraph, &mut stdin).is_ok())
        .unwrap_or(false);
    let status = child.wait().ok()?;
    (written && status.success()).then_some(path)
}

/// `(:Label name)`, or `(:Label #id)` for a node without a `name`.
fn node_text(subgraph: &Subgraph, id: NodeId) -> String {
    let Some(node) = subgraph.nodes.get(&id) else {
        return format!("(#{id})");
    };
    let labels: String = node
        .labels
        .iter()
        .map(|l| format!(":{}", cypher_name(l)))
        .collect();
    let name = match node.properties.get("name") {
        Some(crate::value::Value::String(s)) => s.clone(),
        Some(v) if !v.is_null() => v.to_string(),
        _ => format!("#{id}"),
    };
    if labels.is_empty() {
        format!("({name})")
    } else {
        format!("({labels} {name})")
    }
}

/// The indented tree: depth first from the first node the results mentioned that is
/// not drawn yet; a node met again
/// is printed with `(see above)` and not expanded twice.
pub fn text_tree(subgraph: &Subgraph) -> String {
    // For each node: (relationship id, other end, outgoing?) in relationship id order.
    let mut edges: BTreeMap<NodeId, Vec<(u64, NodeId, bool)>> = BTreeMap::new();
    for rel in subgraph.relationships.values() {
        edges
            .entry(rel.start)
            .or_default()
            .push((rel.id, rel.end, true));
        if rel.start != rel.end {
            edges
                .entry(rel.end)
                .or_default()
                .push((rel.id, rel.start, false));
        }
    }
    let mut seen_nodes: BTreeSet<NodeId> = BTreeSet::new();
    let mut seen_rels: BTreeSet<u64> = BTreeSet::new();
    let mut out = String::new();
    let roots = subgraph
        .first_seen
        .iter()
        .chain(subgraph.nodes.keys())
        .copied();
    for root in roots {
        if seen_nodes.contains(&root) {
            continue;
        }
        seen_nodes.insert(root);
        out.push_str(&node_text(subgraph, root));
        out.push('\n');
        expand(
            subgraph,
            &edges,
            root,
            1,
            &mut seen_nodes,
            &mut seen_rels,
            &mut out,
        );
    }
    out
}

/// Prints the subtree below `node` (depth first), marking what it visits.
fn expand(
    subgraph: &Subgraph,
    edges: &BTreeMap<NodeId, Vec<(u64, NodeId, bool)>>,
    node: NodeId,
    depth: usize,
    seen_nodes: &mut BTreeSet<NodeId>,
    seen_rels: &mut BTreeSet<u64>,
    out: &mut String,
) {
    // Iterative with an explicit stack so deep chains cannot overflow the call stack.
    let mut stack: Vec<(NodeId, usize, usize)> = vec![(node, depth, 0)];
    while let Some((at, level, next_edge)) = stack.pop() {
        let list = edges.get(&at).map_or(&[][..], Vec::as_slice);
        let Some(&(rel, other, outgoing)) = list.get(next_edge) else {
            continue;
        };
        stack.push((at, level, next_edge + 1));
        if !seen_rels.insert(rel) {
            continue;
        }
        let rel_type = subgraph
            .relationships
            .get(&rel)
            .map_or_else(|| "?".to_string(), |r| cypher_name(&r.rel_type));
        let arrow = if outgoing {
            format!("-[:{rel_type}]->")
        } else {
            format!("<-[:{rel_type}]-")
        };
        let again = !seen_nodes.insert(other);
        let suffix = if again { "  (see above)" } else { "" };
        out.push_str(&format!(
            "{}{arrow} {}{suffix}\n",
            "  ".repeat(level),
            node_text(subgraph, other)
        ));
        if !again {
            stack.push((other, level + 1, 0));
        }
    }
}

/// Collects the subgraph of `query` through `run` and shows it; the message to print.
pub fn show_query(
    run: &mut dyn FnMut(&str, &crate::Params) -> Result<crate::QueryResult>,
    query: &str,
) -> Result<String> {
    let query = query.trim().trim_end_matches(';').trim();
    if query.is_empty() {
        return Err(Error::argument(
            "InvalidArgumentValue",
            "usage: :show QUERY, e.g. :show MATCH p = (:Person)-[*1..2]-() RETURN p",
        ));
    }
    let subgraph = Subgraph::collect(run, Some(query), &crate::Params::new())?;
    Ok(match show(&subgraph, &std::env::temp_dir())? {
        Shown::Svg(path) => format!(
            "drew {} nodes and {} relationships to {}",
            subgraph.nodes.len(),
            subgraph.relationships.len(),
            path.display()
        ),
        Shown::Tree(text) => format!(
            "{}(Graphviz `dot` not found: install graphviz to get an SVG picture)",
            text
        ),
    })
}

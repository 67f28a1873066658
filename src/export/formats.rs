//! The four writers. DOT draws (labels pick shape and colour, `name` is the caption);
//! GraphML and JSON keep every label, type and property; the Cypher script recreates the
//! graph in skein or Neo4j.

use super::cypher::CypherScript;
use super::Subgraph;
use crate::value::{Node, PropertyMap, Value};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// Shapes and fill colours given to labels in order of first appearance.
const SHAPES: &[&str] = &[
    "ellipse", "box", "diamond", "hexagon", "octagon", "house", "note",
];
const COLOURS: &[&str] = &[
    "#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69", "#fccde5",
];

fn dot_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// What a picture calls a node: its `name`, else its first label and id.
pub fn caption(node: &Node) -> String {
    match node.properties.get("name") {
        Some(Value::String(s)) => s.clone(),
        Some(other) if !other.is_null() => other.to_string(),
        _ => match node.labels.first() {
            Some(label) => format!("{label} {}", node.id),
            None => format!("node {}", node.id),
        },
    }
}

pub fn write_dot(g: &Subgraph, out: &mut dyn Write) -> io::Result<()> {
    let mut style_of: BTreeMap<&str, usize> = BTreeMap::new();
    for node in g.nodes.values() {
        if let Some(label) = node.labels.first() {
            let next = style_of.len();
            style_of.entry(label.as_str()).or_insert(next);
        }
    }
    writeln!(out, "digraph skein {{")?;
    writeln!(out, "  graph [rankdir=LR, fontname=\"Helvetica\"];")?;
    writeln!(
        out,
        "  node [style=filled, fontname=\"Helvetica\", fillcolor=\"#eeeeee\"];"
    )?;
    writeln!(out, "  edge [fontname=\"Helvetica\", fontsize=10];")?;
    for node in g.nodes.values() {
        let mut attributes = vec![format!("label={}", dot_string(&caption(node)))];
        if let Some(style) = node
            .labels
            .first()
            .and_then(|l| style_of.get(l.as_str()).copied())
        {
            attributes.push(format!("shape={}", SHAPES[style % SHAPES.len()]));
            attributes.push(format!(
                "fillcolor={}",
                dot_string(COLOURS[style % COLOURS.len()])
            ));
        }
        let labels: String = node.labels.iter().map(|l| format!(":{l}")).collect();
        attributes.push(format!("tooltip={}", dot_string(&labels)));
        writeln!(out, "  n{} [{}];", node.id, attributes.join(", "))?;
    }
    for rel in g.relationships.values() {
        writeln!(
            out,
            "  n{} -> n{} [label={}];",
            rel.start,
            rel.end,
            dot_string(&rel.rel_type)
        )?;
    }
    writeln!(out, "}}")
}

fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot hold at all.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {}
            c => out.push(c),
        }
    }
    out
}

/// The GraphML type of a property key over all its values: one scalar type when they
/// agree (integers and floats meet in `double`), else `string`.
fn graphml_type<'a>(values: impl Iterator<Item = &'a Value>) -> &'static str {
    let mut kind: Option<&'static str> = None;
    for v in values {
        let this = match v {
            Value::Null => continue,
            Value::Bool(_) => "boolean",
            Value::Int(_) => "long",
            Value::Float(_) => "double",
            _ => "string",
        };
        kind = Some(match (kind, this) {
            (None, t) => t,
            (Some(a), b) if a == b => a,
            (Some("long"), "double") | (Some("double"), "long") => "double",
            _ => "string",
        });
    }
    kind.unwrap_or("string")
}

/// A property value as GraphML data text: scalars plainly, anything else as JSON.
fn graphml_text(value: &Value, kind: &str) -> String {
    match (value, kind) {
        (Value::String(s), _) => s.clone(),
        (Value::Int(i), "double") => format!("{:?}", *i as f64),
        (Value::Float(f), _) => format!("{f:?}"),
        (Value::Int(i), _) => i.to_string(),
        (Value::Bool(b), _) => b.to_string(),
        (other, _) => other.to_json().to_string(),
    }
}

/// GraphML keys of one domain (`node` or `edge`): (property key, GraphML type).
fn graphml_keys<'a>(
    props: impl Iterator<Item = &'a PropertyMap>,
) -> BTreeMap<String, &'static str> {
    let mut values: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
    for map in props {
        for (k, v) in map {
            values.entry(k.as_str()).or_default().push(v);
        }
    }
    values
        .into_iter()
        .map(|(k, vs)| (k.to_string(), graphml_type(vs.into_iter())))
        .collect()
}

pub fn write_graphml(g: &Subgraph, out: &mut dyn Write) -> io::Result<()> {
    let node_keys = graphml_keys(g.nodes.values().map(|n| &n.properties));
    let edge_keys = graphml_keys(g.relationships.values().map(|r| &r.properties));
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        out,
        "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns \
         http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">"
    )?;
    // Labels and types are keys of their own; property keys are prefixed so that a
    // property called `labels` or `type` cannot collide with them.
    writeln!(
        out,
        "  <key id=\"labels\" for=\"node\" attr.name=\"labels\" attr.type=\"string\"/>"
    )?;
    writeln!(
        out,
        "  <key id=\"type\" for=\"edge\" attr.name=\"type\" attr.type=\"string\"/>"
    )?;
    for (domain, keys) in [("node", &node_keys), ("edge", &edge_keys)] {
        for (k, kind) in keys {
            writeln!(
                out,
                "  <key id=\"{domain}.{}\" for=\"{domain}\" attr.name=\"{}\" attr.type=\"{kind}\"/>",
                xml_escape(k),
                xml_escape(k)
            )?;
        }
    }
    writeln!(out, "  <graph id=\"skein\" edgedefault=\"directed\">")?;
    for node in g.nodes.values() {
        writeln!(out, "    <node id=\"n{}\">", node.id)?;
        let labels: String = node.labels.iter().map(|l| format!(":{l}")).collect();
        writeln!(
            out,
            "      <data key=\"labels\">{}</data>",
            xml_escape(&labels)
        )?;
        for (k, v) in &node.properties {
            let kind = node_keys.get(k).copied().unwrap_or("string");
            writeln!(
                out,
                "      <data key=\"node.{}\">{}</data>",
                xml_escape(k),
                xml_escape(&graphml_text(v, kind))
            )?;
        }
        writeln!(out, "    </node>")?;
    }
    for rel in g.relationships.values() {
        writeln!(
            out,
            "    <edge id=\"e{}\" source=\"n{}\" target=\"n{}\">",
            rel.id, rel.start, rel.end
        )?;
        writeln!(
            out,
            "      <data key=\"type\">{}</data>",
            xml_escape(&rel.rel_type)
        )?;
        for (k, v) in &rel.properties {
            let kind = edge_keys.get(k).copied().unwrap_or("string");
            writeln!(
                out,
                "      <data key=\"edge.{}\">{}</data>",
                xml_escape(k),
                xml_escape(&graphml_text(v, kind))
            )?;
        }
        writeln!(out, "    </edge>")?;
    }
    writeln!(out, "  </graph>")?;
    writeln!(out, "</graphml>")
}

/// `{name: value, …}` of a row's values under `names`.
fn fields_json(names: &[&str], row: &[Value]) -> serde_json::Value {
    serde_json::Value::Object(
        names
            .iter()
            .zip(row)
            .map(|(n, v)| (n.to_string(), v.to_json()))
            .collect(),
    )
}

fn properties_json(props: &PropertyMap) -> serde_json::Value {
    serde_json::Value::Object(
        props
            .iter()
            .map(|(k, v)| (k.clone(), v.to_json()))
            .collect(),
    )
}

/// `{"nodes": [{id, labels, properties}], "relationships": [{id, type, start, end,
/// properties}]}`; property values in the JSON form the `json` output format uses. A
/// graph with sources also has `"sources": [{source, sha256, loaded_at, seq}]` and, on
/// each element, `"provenance": [{key, source, line, seq, value, exists}]` (`key` null for an
/// assertion of the element itself, `source` null for an unsourced write).
pub fn write_json(g: &Subgraph, out: &mut dyn Write) -> io::Result<()> {
    let with_provenance = !g.sources.is_empty();
    let records = |is_rel: bool, id: u64| {
        let rows = g
            .provenance
            .get(&(is_rel, id))
            .map_or(&[][..], Vec::as_slice);
        serde_json::Value::Array(
            rows.iter()
                .map(|row| fields_json(&["key", "source", "line", "seq", "value", "exists"], row))
                .collect(),
        )
    };
    let nodes: Vec<serde_json::Value> = g
        .nodes
        .values()
        .map(|n| {
            let mut node = serde_json::json!({
                "id": n.id,
                "labels": n.labels,
                "properties": properties_json(&n.properties),
            });
            if with_provenance {
                node["provenance"] = records(false, n.id);
            }
            node
        })
        .collect();
    let relationships: Vec<serde_json::Value> = g
        .relationships
        .values()
        .map(|r| {
            let mut rel = serde_json::json!({
                "id": r.id,
                "type": &*r.rel_type,
                "start": r.start,
                "end": r.end,
                "properties": properties_json(&r.properties),
            });
            if with_provenance {
                rel["provenance"] = records(true, r.id);
            }
            rel
        })
        .collect();
    let mut doc = serde_json::json!({ "nodes": nodes, "relationships": relationships });
    if with_provenance {
        doc["sources"] = g
            .sources
            .iter()
            .map(|row| fields_json(&["source", "sha256", "loaded_at", "seq"], row))
            .collect();
    }
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// A name as Cypher writes it: plain when it is a simple identifier, else in backticks.
pub fn cypher_name(name: &str) -> String {
    let simple = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if simple {
        name.to_string()
    } else {
        format!("`{}`", name.replace('`', "``"))
    }
}

/// A value as a Cypher expression that evaluates to exactly it: temporal values as calls
/// of their constructor functions, non-finite floats as arithmetic, `-0.0` with its sign,
/// strings with every control character escaped (so a script line holds no raw one).
pub fn cypher_literal(value: &Value) -> String {
    match value {
        Value::Float(f) if *f == 0.0 && f.is_sign_negative() => "-0.0".to_string(),
        Value::String(s) => string_literal(s),
        Value::Float(f) if f.is_nan() => "0.0 / 0.0".to_string(),
        Value::Float(f) if f.is_infinite() => {
            if *f > 0.0 { "1.0 / 0.0" } else { "-1.0 / 0.0" }.to_string()
        }
        Value::List(items) => format!(
            "[{}]",
            items
                .iter()
                .map(cypher_literal)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Map(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", cypher_name(k), cypher_literal(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Date(_) => temporal_call("date", value),
        Value::LocalTime(_) => temporal_call("localtime", value),
        Value::Time(_) => temporal_call("time", value),
        Value::LocalDateTime(_) => temporal_call("localdatetime", value),
        Value::DateTime(_) => temporal_call("datetime", value),
        Value::Duration(_) => temporal_call("duration", value),
        other => other.to_string(),
    }
}

/// `'…'` with `\\`, `\'`, `\n`, `\r` and `\t`, other control characters as `\uXXXX`.
fn string_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

fn temporal_call(function: &str, value: &Value) -> String {
    let text = value.temporal_text().unwrap_or_default();
    format!("{function}({})", Value::String(text))
}

/// A script of `;`-terminated statements that recreates the subgraph `g` (see
/// [`super::cypher`]): nodes in id order batched per label set, then relationships in id
/// order batched per type.
pub fn write_cypher(g: &Subgraph, out: &mut dyn Write) -> io::Result<()> {
    let mut script = CypherScript::start(out, g.nodes.len() as u64, g.relationships.len() as u64)?;
    for node in g.nodes.values() {
        script.node(node)?;
    }
    for rel in g.relationships.values() {
        script.relationship(rel)?;
    }
    script.finish().map(|_| ())
}

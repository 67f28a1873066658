//! `.jsonl` fact files: one node or relationship per line, named by label and key, loaded
//! with MERGE so loading a file twice changes nothing. The shape (documented for users in
//! `seed/README.md`):
//!
//! ```text
//! {"node": {"label": "Country", "key": {"name": "Russia"}, "properties": {"aliases": ["Russian Federation"]}}}
//! {"relationship": {"type": "AGREED", "from": {"label": "Country", "key": {"name": "Russia"}},
//!   "to": {"label": "Agreement", "key": {"name": "..."}}, "key": {"paragraph": 3}, "properties": {...}}}
//! ```
//!
//! A node line merges on its label and key, then sets its properties. A relationship
//! line finds both end nodes (each key must name exactly one node), merges on the type,
//! the ends and its optional key, then sets its properties. Property values are JSON
//! scalars or lists of them; temporal values are written `{"$date": "2014-05-05"}` (also
//! `$datetime`, `$localdatetime`, `$time`, `$localtime`, `$duration`). Blank lines are
//! skipped. Every line is turned into Cypher with parameters, so values never need quoting.

use super::report::in_file;
use crate::error::{Error, ErrorClass, Position, Result};
use crate::{Params, Stats, Transaction, Value};
use serde::Deserialize;
use serde_json::{Map as JsonMap, Value as Json};
use std::path::Path;

/// One line of a `.jsonl` fact file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
enum FactLine {
    #[serde(rename = "node")]
    Node(NodeLine),
    #[serde(rename = "relationship")]
    Relationship(RelationshipLine),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NodeLine {
    label: String,
    key: JsonMap<String, Json>,
    #[serde(default)]
    properties: JsonMap<String, Json>,
}

/// A node named by label and key, as a relationship's end.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NodeRef {
    label: String,
    key: JsonMap<String, Json>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RelationshipLine {
    #[serde(rename = "type")]
    rel_type: String,
    from: NodeRef,
    to: NodeRef,
    #[serde(default)]
    key: JsonMap<String, Json>,
    #[serde(default)]
    properties: JsonMap<String, Json>,
}

/// Temporal values written as a one-key object, mapped to the Cypher function that
/// builds them from a string.
const TYPED_VALUES: [(&str, &str); 6] = [
    ("$date", "date"),
    ("$datetime", "datetime"),
    ("$localdatetime", "localdatetime"),
    ("$time", "time"),
    ("$localtime", "localtime"),
    ("$duration", "duration"),
];

/// A Cypher statement with its parameters, built from one line.
#[derive(Debug, Default)]
struct Statement {
    text: String,
    params: Params,
}

impl Statement {
    /// Adds `value` as a fresh parameter and returns the expression that reads it.
    fn value(&mut self, value: &Json) -> std::result::Result<String, String> {
        let name = format!("v{}", self.params.len());
        if let Json::Object(object) = value {
            let (function, text) = typed_value(object)?;
            self.params.insert(name.clone(), Value::String(text));
            return Ok(format!("{function}(${name})"));
        }
        self.params.insert(name.clone(), json_to_value(value)?);
        Ok(format!("${name}"))
    }

    /// `{`k`: $v0, …}` for a key map; a key must name at least one property, none null.
    fn key_map(
        &mut self,
        key: &JsonMap<String, Json>,
        what: &str,
    ) -> std::result::Result<String, String> {
        if key.is_empty() {
            return Err(format!(
                "{what} has an empty \"key\": name at least one property"
            ));
        }
        let mut parts = Vec::with_capacity(key.len());
        for (name, value) in key {
            if value.is_null() {
                return Err(format!("{what}'s key property \"{name}\" is null"));
            }
            parts.push(format!("{}: {}", identifier(name)?, self.value(value)?));
        }
        Ok(format!("{{{}}}", parts.join(", ")))
    }

    /// ` SET x.`p` = $v3, …` for a property map (empty when there are none).
    fn set_properties(
        &mut self,
        variable: &str,
        properties: &JsonMap<String, Json>,
    ) -> std::result::Result<String, String> {
        let mut parts = Vec::with_capacity(properties.len());
        for (name, value) in properties {
            parts.push(format!(
                "{variable}.{} = {}",
                identifier(name)?,
                self.value(value)?
            ));
        }
        Ok(if parts.is_empty() {
            String::new()
        } else {
            format!(" SET {}", parts.join(", "))
        })
    }
}

/// The node pattern `(variable:`Label` {key…})` of a label and key.
fn node_pattern(
    statement: &mut Statement,
    variable: &str,
    label: &str,
    key: &JsonMap<String, Json>,
    what: &str,
) -> std::result::Result<String, String> {
    let label = identifier(label).map_err(|e| format!("{what}'s label: {e}"))?;
    let key = statement.key_map(key, what)?;
    Ok(format!("({variable}:{label} {key})"))
}

/// The node line as one MERGE … SET statement.
fn node_statement(node: &NodeLine) -> std::result::Result<Statement, String> {
    let mut statement = Statement::default();
    let pattern = node_pattern(&mut statement, "n", &node.label, &node.key, "the node")?;
    let set = statement.set_properties("n", &node.properties)?;
    statement.text = format!("MERGE {pattern}{set}");
    Ok(statement)
}

/// The statement that counts the nodes a relationship end names.
fn end_count_statement(end: &NodeRef, what: &str) -> std::result::Result<Statement, String> {
    let mut statement = Statement::default();
    let pattern = node_pattern(&mut statement, "n", &end.label, &end.key, what)?;
    statement.text = format!("MATCH {pattern} RETURN count(n) AS found");
    Ok(statement)
}

/// The relationship line as one MATCH … MERGE … SET statement.
fn relationship_statement(rel: &RelationshipLine) -> std::result::Result<Statement, String> {
    let mut statement = Statement::default();
    let from = node_pattern(
        &mut statement,
        "a",
        &rel.from.label,
        &rel.from.key,
        "\"from\"",
    )?;
    let to = node_pattern(&mut statement, "b", &rel.to.label, &rel.to.key, "\"to\"")?;
    let rel_type = identifier(&rel.rel_type).map_err(|e| format!("the relationship type: {e}"))?;
    let key = if rel.key.is_empty() {
        String::new()
    } else {
        format!(" {}", statement.key_map(&rel.key, "the relationship")?)
    };
    let set = statement.set_properties("r", &rel.properties)?;
    statement.text = format!("MATCH {from}, {to} MERGE (a)-[r:{rel_type}{key}]->(b){set}");
    Ok(statement)
}

/// A label, type or property name as a backtick-quoted Cypher name.
fn identifier(name: &str) -> std::result::Result<String, String> {
    if name.is_empty() {
        return Err("a name must not be empty".to_string());
    }
    Ok(format!("`{}`", name.replace('`', "``")))
}

/// A typed value object such as `{"$date": "2014-05-05"}`: its Cypher function and text.
fn typed_value(
    object: &JsonMap<String, Json>,
) -> std::result::Result<(&'static str, String), String> {
    let mut entries = object.iter();
    if let (Some((tag, Json::String(text))), None) = (entries.next(), entries.next()) {
        if let Some((_, function)) = TYPED_VALUES.iter().find(|(t, _)| t == tag) {
            return Ok((function, text.clone()));
        }
    }
    Err(
        "a property value cannot be a map; write a temporal value as {\"$date\": \"2014-05-05\"} \
         (or $datetime, $localdatetime, $time, $localtime, $duration)"
            .to_string(),
    )
}

/// A JSON scalar or list as a Cypher value.
fn json_to_value(value: &Json) -> std::result::Result<Value, String> {
    Ok(match value {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::String(s.clone()),
        Json::Array(items) => Value::List(
            items
                .iter()
                .map(|item| match item {
                    Json::Object(_) | Json::Array(_) => Err(
                        "a list in a property may hold only numbers, strings and booleans"
                            .to_string(),
                    ),
                    _ => json_to_value(item),
                })
                .collect::<std::result::Result<_, _>>()?,
        ),
        Json::Object(_) => return Err("a list cannot hold a map".to_string()),
    })
}

/// A short description of a relationship end for error messages: `(:Country {"name":"Russia"})`.
fn describe(end: &NodeRef) -> String {
    format!(
        "(:{} {})",
        end.label,
        serde_json::to_string(&end.key).unwrap_or_default()
    )
}

/// Loads every line of `text` (the text of `file`) in one transaction. Returns the number
/// of lines loaded and their summed stats; `progress` gets the bytes done.
pub(super) fn load(
    txn: &mut Transaction<'_>,
    file: &Path,
    text: &str,
    progress: &mut dyn FnMut(u64),
) -> Result<(usize, Stats)> {
    let mut stats = Stats::default();
    let mut loaded = 0;
    let mut line_start = 0;
    for (number, raw_line) in text.split_inclusive('\n').enumerate() {
        let start = line_start;
        line_start += raw_line.len();
        let line = raw_line.trim_end_matches(['\n', '\r']);
        if line.trim().is_empty() {
            continue;
        }
        let fail = |error: Error, column: usize| {
            let at = Position::at(text, start + byte_offset_of_column(line, column));
            in_file(error, file, text, at, start, start + line.len())
        };
        txn.writer()
            .map_err(|e| fail(e, 1))?
            .set_source_line(u32::try_from(number + 1).unwrap_or(u32::MAX));
        let fact: FactLine = serde_json::from_str(line).map_err(|e| {
            // serde's message ends with its own "at line 1 column N": the position
            // is given in the file's terms instead.
            let full = e.to_string();
            let own_position = format!(" at line {} column {}", e.line(), e.column());
            let problem = full.strip_suffix(&own_position).unwrap_or(&full);
            let message = format!("this line is not a fact line: {problem}");
            fail(Error::syntax("", message), e.column())
        })?;
        let line_stats = load_line(txn, &fact).map_err(|e| fail(e, 1))?;
        stats.add(&line_stats);
        loaded += 1;
        progress(line_start as u64);
    }
    Ok((loaded, stats))
}

/// Loads one parsed line inside the file's transaction.
fn load_line(txn: &mut Transaction<'_>, fact: &FactLine) -> Result<Stats> {
    let shape_error =
        |message: String| Error::syntax("", format!("this line is not a fact line: {message}"));
    match fact {
        FactLine::Node(node) => {
            let statement = node_statement(node).map_err(shape_error)?;
            Ok(txn.execute(&statement.text, &statement.params)?.stats)
        }
        FactLine::Relationship(rel) => {
            for (end, what) in [(&rel.from, "from"), (&rel.to, "to")] {
                let count =
                    end_count_statement(end, &format!("\"{what}\"")).map_err(shape_error)?;
                let found = txn.execute(&count.text, &count.params)?;
                let found = match found.rows.first().and_then(|row| row.first()) {
                    Some(Value::Int(n)) => *n,
                    _ => 0,
                };
                if found != 1 {
                    let problem = if found == 0 {
                        "does not exist; load its node line first".to_string()
                    } else {
                        format!("names {found} nodes; a key must name exactly one node")
                    };
                    return Err(Error::new(
                        ErrorClass::EntityNotFound,
                        "",
                        format!("the \"{what}\" node {} {problem}", describe(end)),
                    ));
                }
            }
            let statement = relationship_statement(rel).map_err(shape_error)?;
            Ok(txn.execute(&statement.text, &statement.params)?.stats)
        }
    }
}

/// The byte offset of 1-based character column `column` in `line` (its end if past it).
fn byte_offset_of_column(line: &str, column: usize) -> usize {
    line.char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> std::result::Result<FactLine, String> {
        serde_json::from_str(line).map_err(|e| e.to_string())
    }

    #[test]
    fn node_line_becomes_merge_with_parameters() -> std::result::Result<(), String> {
        let line = r#"{"node": {"label": "Country", "key": {"name": "Russia"}, "properties": {"aliases": ["Russian Federation"], "since": {"$date": "2014-05-05"}}}}"#;
        let FactLine::Node(node) = parse(line)? else {
            return Err("expected a node line".to_string());
        };
        let statement = node_statement(&node)?;
        assert_eq!(
            statement.text,
            "MERGE (n:`Country` {`name`: $v0}) SET n.`aliases` = $v1, n.`since` = date($v2)"
        );
        assert!(matches!(statement.params.get("v0"), Some(Value::String(s)) if s == "Russia"));
        assert!(matches!(statement.params.get("v1"), Some(Value::List(l)) if l.len() == 1));
        assert!(matches!(statement.params.get("v2"), Some(Value::String(s)) if s == "2014-05-05"));
        Ok(())
    }

    #[test]
    fn relationship_line_matches_ends_and_merges_on_key() -> std::result::Result<(), String> {
        let line = r#"{"relationship": {"type": "AGREED", "from": {"label": "Country", "key": {"name": "North Korea"}}, "to": {"label": "Agreement", "key": {"name": "Visas"}}, "key": {"paragraph": 4}, "properties": {"share": 0.9}}}"#;
        let FactLine::Relationship(rel) = parse(line)? else {
            return Err("expected a relationship line".to_string());
        };
        let statement = relationship_statement(&rel)?;
        assert_eq!(
            statement.text,
            "MATCH (a:`Country` {`name`: $v0}), (b:`Agreement` {`name`: $v1}) \
             MERGE (a)-[r:`AGREED` {`paragraph`: $v2}]->(b) SET r.`share` = $v3"
        );
        assert!(matches!(statement.params.get("v2"), Some(Value::Int(4))));
        assert!(matches!(statement.params.get("v3"), Some(Value::Float(f)) if *f == 0.9));
        Ok(())
    }

    #[test]
    fn names_are_backtick_quoted() {
        assert_eq!(identifier("odd`name").ok(), Some("`odd``name`".to_string()));
        assert!(identifier("").is_err());
    }

    #[test]
    fn bad_shapes_are_refused() -> std::result::Result<(), String> {
        assert!(parse(r#"{"nod": {"label": "A", "key": {"name": "x"}}}"#).is_err());
        assert!(parse(r#"{"node": {"label": "A", "key": {"name": "x"}, "colour": 1}}"#).is_err());
        assert!(parse(r#"{"node": {"key": {"name": "x"}}}"#).is_err());
        let FactLine::Node(empty_key) = parse(r#"{"node": {"label": "A", "key": {}}}"#)? else {
            return Err("expected a node line".to_string());
        };
        assert!(node_statement(&empty_key).is_err_and(|e| e.contains("empty \"key\"")));
        let FactLine::Node(map_value) = parse(
            r#"{"node": {"label": "A", "key": {"name": "x"}, "properties": {"m": {"a": 1}}}}"#,
        )?
        else {
            return Err("expected a node line".to_string());
        };
        assert!(node_statement(&map_value).is_err_and(|e| e.contains("cannot be a map")));
        let FactLine::Node(null_key) = parse(r#"{"node": {"label": "A", "key": {"name": null}}}"#)?
        else {
            return Err("expected a node line".to_string());
        };
        assert!(node_statement(&null_key).is_err_and(|e| e.contains("is null")));
        Ok(())
    }

    #[test]
    fn columns_map_to_byte_offsets() {
        assert_eq!(byte_offset_of_column("aé b", 1), 0);
        assert_eq!(byte_offset_of_column("aé b", 3), 3);
        assert_eq!(byte_offset_of_column("ab", 9), 2);
    }
}

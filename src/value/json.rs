//! The JSON form of a value, one mapping for every writer of JSON (the `json`/`jsonl`
//! output formats, the JSON and GraphML exports), so they cannot drift apart.
//!
//! JSON has no non-finite numbers, so those floats become strings; temporal values are
//! their ISO 8601 text (the mapping is on [`Value::to_json`]).

use super::{Node, PropertyMap, Relationship, Value};
use serde_json::{json, Value as Json};

impl Value {
    /// The JSON form of the value: scalars as JSON scalars (non-finite floats as the
    /// strings `"NaN"`, `"Infinity"`, `"-Infinity"`), lists and maps as arrays and
    /// objects (maps keep their key order),
    /// `{"~node": id, "labels": [...], "properties": {...}}`,
    /// `{"~relationship": id, "type": T, "start": id, "end": id, "properties": {...}}`,
    /// `{"~path": [node, relationship, node, ...]}`, temporal values as ISO 8601 strings.
    pub fn to_json(&self) -> Json {
        match self {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => Json::from(*i),
            Value::Float(f) => float_to_json(*f),
            Value::String(s) => Json::String(s.clone()),
            Value::List(items) => Json::Array(items.iter().map(Value::to_json).collect()),
            Value::Map(map) => {
                Json::Object(map.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
            Value::Node(node) => node_to_json(node),
            Value::Relationship(rel) => relationship_to_json(rel),
            Value::Path(path) => {
                let mut elements = Vec::with_capacity(path.nodes.len() * 2);
                for (i, node) in path.nodes.iter().enumerate() {
                    if i > 0 {
                        if let Some(rel) = path.relationships.get(i - 1) {
                            elements.push(relationship_to_json(rel));
                        }
                    }
                    elements.push(node_to_json(node));
                }
                json!({ "~path": elements })
            }
            temporal => Json::String(temporal.temporal_text().unwrap_or_default()),
        }
    }
}

/// Properties as a JSON object, keys in their stored (sorted) order.
fn properties_to_json(properties: &PropertyMap) -> Json {
    Json::Object(
        properties
            .iter()
            .map(|(k, v)| (k.clone(), v.to_json()))
            .collect(),
    )
}

fn float_to_json(f: f64) -> Json {
    if f.is_nan() {
        Json::String("NaN".to_string())
    } else if f.is_infinite() {
        Json::String(if f > 0.0 { "Infinity" } else { "-Infinity" }.to_string())
    } else {
        // serde_json writes finite floats with a fraction or exponent (`4.0`).
        serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number)
    }
}

fn node_to_json(node: &Node) -> Json {
    json!({
        "~node": node.id,
        "labels": node.labels,
        "properties": properties_to_json(&node.properties),
    })
}

fn relationship_to_json(rel: &Relationship) -> Json {
    json!({
        "~relationship": rel.id,
        "type": &*rel.rel_type,
        "start": rel.start,
        "end": rel.end,
        "properties": properties_to_json(&rel.properties),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{Map, Path};

    fn russia() -> Node {
        let mut properties = PropertyMap::new();
        properties.insert("name".into(), Value::from("Russia"));
        Node {
            id: 7,
            labels: vec!["Country".into()],
            properties,
        }
    }

    fn agreed() -> Relationship {
        let mut properties = PropertyMap::new();
        properties.insert("year".into(), Value::Int(2014));
        Relationship {
            id: 3,
            rel_type: "AGREED".into(),
            start: 7,
            end: 9,
            properties,
        }
    }

    #[test]
    fn json_keeps_float_fractions_and_names_entities() {
        assert_eq!(Value::Float(4.0).to_json().to_string(), "4.0");
        assert_eq!(Value::Float(f64::NAN).to_json(), json!("NaN"));
        assert_eq!(
            Value::Float(f64::NEG_INFINITY).to_json(),
            json!("-Infinity")
        );
        assert_eq!(
            Value::Node(russia()).to_json().to_string(),
            r#"{"~node":7,"labels":["Country"],"properties":{"name":"Russia"}}"#
        );
        assert_eq!(
            Value::Relationship(agreed()).to_json().to_string(),
            r#"{"~relationship":3,"type":"AGREED","start":7,"end":9,"properties":{"year":2014}}"#
        );
        let path = Path {
            nodes: vec![russia(), Node::with_id(9)],
            relationships: vec![agreed()],
        };
        let rendered = Value::Path(path).to_json();
        let elements = rendered["~path"].as_array().cloned().unwrap_or_default();
        assert_eq!(elements.len(), 3);
        assert_eq!(elements[1]["~relationship"], json!(3));
        assert_eq!(elements[2]["~node"], json!(9));
    }

    #[test]
    fn json_maps_keep_written_key_order() {
        let mut map = Map::new();
        map.insert("z".into(), Value::Int(1));
        map.insert(
            "a".into(),
            Value::List(vec![Value::Null, Value::Bool(true)]),
        );
        assert_eq!(
            Value::Map(map).to_json().to_string(),
            r#"{"z":1,"a":[null,true]}"#
        );
    }
}

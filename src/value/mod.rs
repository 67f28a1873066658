//! `Value`: every openCypher value, its equality, comparability and ordering, and its
//! rendering in Cypher literal notation (the notation the TCK writes expected values in).
//!
//! Inside the executor, entity values (`Node`, `Relationship`, `Path`) are identities:
//! only `id` (and for relationships `rel_type`, `start`, `end`) is meaningful there, and
//! labels and properties are read from the transaction when an expression asks for them.
//! A `QueryResult` fills labels and properties as of the end of the statement, so results
//! show the entity's final state. Entity equality is by id.

mod json;
mod ops;
pub mod temporal;

pub use ops::{add, divide, modulo, multiply, negate, power, subtract, ComparisonOp, GroupKey};

use indexmap::IndexMap;
use std::collections::BTreeMap;

pub use temporal::{Date, DateTime, Duration, LocalDateTime, LocalTime, Time};

/// A node's identity in the store.
pub type NodeId = u64;
/// A relationship's identity in the store.
pub type RelId = u64;

/// A Cypher map: keys keep the order they were written in (equality ignores order).
pub type Map = IndexMap<String, Value>;

/// Stored properties of an entity, sorted by key.
pub type PropertyMap = BTreeMap<String, Value>;

#[derive(Clone, Debug)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    List(Vec<Value>),
    Map(Map),
    Node(Node),
    Relationship(Relationship),
    Path(Path),
    Date(Date),
    LocalTime(LocalTime),
    Time(Time),
    LocalDateTime(LocalDateTime),
    DateTime(DateTime),
    Duration(Duration),
}

/// A node. See the module comment for when `labels` and `properties` are filled.
#[derive(Clone, Debug, Default)]
pub struct Node {
    pub id: NodeId,
    pub labels: Vec<String>,
    pub properties: PropertyMap,
}

/// A relationship. `rel_type`, `start` and `end` are always filled; `properties` only in
/// results (see the module comment).
#[derive(Clone, Debug, Default)]
pub struct Relationship {
    pub id: RelId,
    /// Shared with the store's name table: cloning a relationship copies no text.
    pub rel_type: std::sync::Arc<str>,
    pub start: NodeId,
    pub end: NodeId,
    pub properties: PropertyMap,
}

/// A path: `nodes.len() == relationships.len() + 1`; relationship `i` joins node `i`
/// and node `i + 1`, in either direction.
#[derive(Clone, Debug, Default)]
pub struct Path {
    pub nodes: Vec<Node>,
    pub relationships: Vec<Relationship>,
}

impl Node {
    /// A node identity with no labels or properties loaded.
    pub fn with_id(id: NodeId) -> Node {
        Node {
            id,
            ..Node::default()
        }
    }
}

/// How deeply lists and maps built by a query may nest. Values are dropped, cloned and
/// compared recursively, so without a bound a query such as
/// `reduce(l = [], x IN range(1, 100000) | [l])` would overflow the stack.
pub const MAX_NESTING: usize = 256;

/// The largest string (in bytes) and list (in elements) that `+` builds, so that a
/// query doubling a value in a loop fails with an error instead of exhausting memory.
pub const MAX_STRING_BYTES: usize = 256 << 20;
pub const MAX_LIST_ELEMENTS: usize = 16 << 20;

impl Value {
    /// Whether lists and maps nest more than `limit` levels deep inside this value.
    pub fn nesting_exceeds(&self, limit: usize) -> bool {
        let inner: Box<dyn Iterator<Item = &Value>> = match self {
            Value::List(items) => Box::new(items.iter()),
            Value::Map(map) => Box::new(map.values()),
            _ => return false,
        };
        if limit == 0 {
            return true;
        }
        let mut inner = inner;
        inner.any(|v| v.nesting_exceeds(limit - 1))
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The openCypher type name, as used in error messages (`INTEGER`, `STRING`, `NODE`, …).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Bool(_) => "BOOLEAN",
            Value::Int(_) => "INTEGER",
            Value::Float(_) => "FLOAT",
            Value::String(_) => "STRING",
            Value::List(_) => "LIST",
            Value::Map(_) => "MAP",
            Value::Node(_) => "NODE",
            Value::Relationship(_) => "RELATIONSHIP",
            Value::Path(_) => "PATH",
            Value::Date(_) => "DATE",
            Value::LocalTime(_) => "LOCAL TIME",
            Value::Time(_) => "TIME",
            Value::LocalDateTime(_) => "LOCAL DATETIME",
            Value::DateTime(_) => "DATETIME",
            Value::Duration(_) => "DURATION",
        }
    }
}

impl Value {
    /// Whether this is one of the temporal types (date, local time, time, local
    /// datetime, datetime or duration).
    pub fn is_temporal(&self) -> bool {
        matches!(
            self,
            Value::Date(_)
                | Value::LocalTime(_)
                | Value::Time(_)
                | Value::LocalDateTime(_)
                | Value::DateTime(_)
                | Value::Duration(_)
        )
    }

    /// A temporal value's ISO 8601 text (its literal without the quotes), as `toString`,
    /// string concatenation and the CSV/JSON renderings use it; `None` for non-temporal
    /// values.
    pub fn temporal_text(&self) -> Option<String> {
        temporal::to_iso_string(self)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Bool(v)
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(v)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::Float(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::String(v.to_string())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::String(v)
    }
}
impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(v: Vec<T>) -> Value {
        Value::List(v.into_iter().map(Into::into).collect())
    }
}

/// Cypher literal notation, as the openCypher TCK writes expected values: `'it\'s'`,
/// `4.0`, `[1, 'a']`, `{k: 1}`, `(:Country {name: 'Russia'})`, `[:AGREED {year: 2014}]`,
/// `<(:A)-[:T]->(:B)>`. Temporal values are rendered by the temporal module.
impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => f.write_str(&format_float(*x)),
            Value::String(s) => f.write_str(&quote_string(s)),
            Value::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Value::Map(map) => write_map(f, map.iter()),
            Value::Node(n) => write!(f, "{n}"),
            Value::Relationship(r) => write!(f, "{r}"),
            Value::Path(p) => write!(f, "{p}"),
            Value::Date(_)
            | Value::LocalTime(_)
            | Value::Time(_)
            | Value::LocalDateTime(_)
            | Value::DateTime(_)
            | Value::Duration(_) => f.write_str(&temporal::render_literal(self)),
        }
    }
}

/// `{k: v, …}`; keys that are not plain identifiers are back-quoted.
fn write_map<'a>(
    f: &mut std::fmt::Formatter<'_>,
    entries: impl Iterator<Item = (&'a String, &'a Value)>,
) -> std::fmt::Result {
    f.write_str("{")?;
    for (i, (k, v)) in entries.enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{}: {v}", quote_key(k))?;
    }
    f.write_str("}")
}

/// A map key, label or type as Cypher writes it: bare when it is an identifier,
/// otherwise in back-quotes.
fn quote_key(k: &str) -> String {
    let mut chars = k.chars();
    let plain = chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_');
    if plain {
        k.to_string()
    } else {
        format!("`{}`", k.replace('`', "``"))
    }
}

/// A string in single quotes with backslash escapes, so a rendered cell never holds a
/// raw quote, tab or line break.
pub fn quote_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// A float as Cypher shows it: always with a fraction or an exponent (`4.0`, `0.00001`,
/// `1e-305`, `1.2635418652381264e305`), and `NaN`, `Infinity`, `-Infinity`. Plain
/// notation is used from 1e-6 up to 1e21, exponent notation outside, which is how the
/// TCK writes its expected floats. Negative zero shows as `0.0` since the TCK expects
/// `-0.0` to come back that way.
pub fn format_float(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    if x == 0.0 {
        return "0.0".to_string();
    }
    let magnitude = x.abs();
    if (1e-6..1e21).contains(&magnitude) {
        let plain = format!("{x}");
        if plain.contains('.') {
            plain
        } else {
            plain + ".0"
        }
    } else {
        format!("{x:e}")
    }
}

impl std::fmt::Display for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("(")?;
        for label in &self.labels {
            write!(f, ":{}", quote_key(label))?;
        }
        if !self.properties.is_empty() {
            if !self.labels.is_empty() {
                f.write_str(" ")?;
            }
            write_map(f, self.properties.iter())?;
        }
        f.write_str(")")
    }
}

impl std::fmt::Display for Relationship {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[:{}", quote_key(&self.rel_type))?;
        if !self.properties.is_empty() {
            f.write_str(" ")?;
            write_map(f, self.properties.iter())?;
        }
        f.write_str("]")
    }
}

impl std::fmt::Display for Path {
    /// Each relationship's arrow points from its start node to its end node, so a
    /// relationship walked against its direction shows as `<-[:T]-`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<")?;
        for (i, node) in self.nodes.iter().enumerate() {
            if i > 0 {
                if let Some(rel) = self.relationships.get(i - 1) {
                    let previous = self.nodes.get(i - 1).map_or(rel.start, |n| n.id);
                    // A self-loop reads forwards; otherwise the arrow follows the
                    // relationship's own direction relative to the walk.
                    if rel.start == previous {
                        write!(f, "-{rel}->")?;
                    } else {
                        write!(f, "<-{rel}-")?;
                    }
                }
            }
            write!(f, "{node}")?;
        }
        f.write_str(">")
    }
}

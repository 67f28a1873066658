//! `Value`: every openCypher value, its equality, comparability and ordering, and its
//! rendering in Cypher literal notation (the notation the TCK writes expected values in).
//!
//! Inside the executor, entity values (`Node`, `Relationship`, `Path`) are identities:
//! only `id` (and for relationships `rel_type`, `start`, `end`) is meaningful there, and
//! labels and properties are read from the transaction when an expression asks for them.
//! A `QueryResult` fills labels and properties as of the end of the statement, so results
//! show the entity's final state. Entity equality is by id.

mod ops;
pub mod temporal;

pub use ops::{add, divide, modulo, multiply, negate, power, subtract, GroupKey};

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
    pub rel_type: String,
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

impl Value {
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
/// `<(:A)-[:T]->(:B)>`. (Contract stub; the values owner implements it.)
impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

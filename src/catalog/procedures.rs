//! The procedure registry: `CALL name(args) YIELD …`, each name with its signature and
//! the body that computes its rows.
//!
//! Built in: `db.labels()`, `db.relationshipTypes()`, `db.propertyKeys()`,
//! `db.procedures()` / `db.functions()` (what `SHOW PROCEDURES` / `SHOW FUNCTIONS` read),
//! the provenance listings `db.sources()`, `db.conflicts()` and `db.provenance(x)` (the
//! raw records an export writes), and the procedures that write, run as write steps on
//! the write transaction: `db.retract(source)`, and `db.restoreSource` /
//! `db.restoreProvenance`, with which an exported script recreates sources and claims;
//! the history listings `db.history([filter])` and `db.changes(x [, kind])` (rows in
//! `catalog::history`).
//! Libraries of native procedures (the graph algorithms) are looked up by name, and
//! listed, through the functions a database installs with [`Registry::with_library`], so
//! this module knows no library.
//! Programs add table procedures (`ProcedureSpec`: rows whose input columns equal the
//! arguments) and native procedures (a function of the transaction and the arguments).

use crate::error::{Error, ErrorClass, Result};
use crate::storage::{Attribution, Element, ProvenanceRecord, Txn};
use crate::value::{temporal, Map, Node, Relationship, Value};
use crate::ProcedureSpec;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// The function behind a native procedure: arguments in, rows of outputs out.
pub type NativeProcedure = Arc<dyn Fn(&Txn<'_>, &[Value]) -> Result<Vec<Vec<Value>>> + Send + Sync>;

/// A procedure's name, inputs and outputs, each `(name, type)` with types as openCypher
/// writes them (`INTEGER?`, `STRING?`, `ANY?`).
#[derive(Clone, Debug, PartialEq)]
pub struct Signature {
    pub name: String,
    pub inputs: Vec<(String, String)>,
    pub outputs: Vec<(String, String)>,
    /// How many trailing inputs a call may leave out (they are passed as null).
    pub optional_inputs: usize,
}

impl Signature {
    /// Whether a call with `count` arguments fits this signature.
    pub fn accepts_argument_count(&self, count: usize) -> bool {
        count <= self.inputs.len() && count + self.optional_inputs >= self.inputs.len()
    }
}

#[derive(Clone)]
enum Body {
    Check,
    Sources,
    Conflicts,
    Provenance,
    Retract,
    RestoreSource,
    RestoreProvenance,
    History,
    Changes,
    Labels,
    RelationshipTypes,
    PropertyKeys,
    Table(Vec<Vec<Value>>),
    Native(NativeProcedure),
}

/// Finds a library's procedure by its dotted name.
pub type Library = fn(&str) -> Option<(Signature, NativeProcedure)>;

/// A library's procedures, each with its signature and a description.
pub type Listing = fn() -> Vec<(Signature, String)>;

/// All procedures callable in one database.
#[derive(Default)]
pub struct Registry {
    /// Looked up after the built-ins, before the registered procedures.
    libraries: Vec<(Library, Listing)>,
    procedures: RwLock<HashMap<String, (Signature, Body)>>,
    /// Counts registrations, so that plans made before one are not reused.
    generation: AtomicU64,
}

/// A built-in procedure: name, outputs (name, type), description.
type Builtin = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
);

const BUILTINS: &[Builtin] = &[
    (
        "db.labels",
        &[("label", "STRING?")],
        "The labels of the nodes in the graph.",
    ),
    (
        "db.relationshipTypes",
        &[("relationshipType", "STRING?")],
        "The types of the relationships in the graph.",
    ),
    (
        "db.propertyKeys",
        &[("propertyKey", "STRING?")],
        "The property keys in the graph.",
    ),
    (
        "db.procedures",
        &[
            ("name", "STRING?"),
            ("signature", "STRING?"),
            ("description", "STRING?"),
            ("mode", "STRING?"),
        ],
        "Every procedure that can be called (SHOW PROCEDURES).",
    ),
    (
        "db.functions",
        &[
            ("name", "STRING?"),
            ("category", "STRING?"),
            ("aggregating", "BOOLEAN?"),
            ("minArguments", "INTEGER?"),
            ("maxArguments", "INTEGER?"),
        ],
        "Every function that can be called (SHOW FUNCTIONS); maxArguments is null when unbounded.",
    ),
    (
        "db.sources",
        &[
            ("source", "STRING?"),
            ("sha256", "STRING?"),
            ("loaded_at", "DATETIME?"),
            ("nodes", "INTEGER?"),
            ("relationships", "INTEGER?"),
            ("properties", "INTEGER?"),
            ("seq", "INTEGER?"),
        ],
        "Every source (a loaded fact file, or a name statements were written under), with the nodes, relationships and property values it asserts and the sequence number of its latest load.",
    ),
    (
        "db.retract",
        &[
            ("source", "STRING?"),
            ("assertions", "INTEGER?"),
            ("nodes_deleted", "INTEGER?"),
            ("relationships_deleted", "INTEGER?"),
            ("properties_removed", "INTEGER?"),
            ("properties_reverted", "INTEGER?"),
        ],
        "Withdraws everything a source asserts (as `skein unload` does) and says what that removed.",
    ),
    (
        "db.provenance",
        &[
            ("key", "STRING?"),
            ("source", "STRING?"),
            ("line", "INTEGER?"),
            ("seq", "INTEGER?"),
            ("value", "ANY?"),
            ("exists", "BOOLEAN?"),
        ],
        "The stored assertions (key null; exists: whether the source says the element exists, or only refers to it) and claims of a node or relationship, each with its source, line and load sequence number.",
    ),
    (
        "db.restoreSource",
        &[],
        "Recreates a source as an export recorded it (used by `export --format cypher`).",
    ),
    (
        "db.restoreProvenance",
        &[],
        "Recreates the assertions and claims of an element as an export recorded them (used by `export --format cypher`).",
    ),
    (
        "db.history",
        &[
            ("tx", "INTEGER?"),
            ("time", "DATETIME?"),
            ("source", "STRING?"),
            ("nodes_created", "INTEGER?"),
            ("nodes_deleted", "INTEGER?"),
            ("relationships_created", "INTEGER?"),
            ("relationships_deleted", "INTEGER?"),
            ("properties_set", "INTEGER?"),
            ("properties_removed", "INTEGER?"),
        ],
        "Every commit, oldest first: its transaction number, time, source and what it changed; an optional map {from, to, source} filters (from and to: transaction numbers or datetimes).",
    ),
    (
        "db.changes",
        &[
            ("tx", "INTEGER?"),
            ("time", "DATETIME?"),
            ("source", "STRING?"),
            ("change", "STRING?"),
            ("key", "STRING?"),
            ("old", "ANY?"),
            ("new", "ANY?"),
        ],
        "Every change history keeps to one node or relationship, oldest first (created, deleted, label_added, label_removed, property_set, property_removed); an id names a node, or a relationship with 'relationship' as second argument, also one since deleted.",
    ),
    (
        "db.check",
        &[("kind", "STRING?"), ("element", "STRING?"), ("problem", "STRING?")],
        "Verifies the store's invariants (adjacency both ways, counts, label bitmaps, index entries, uniqueness, history, provenance): one row per problem found, none when the store is sound.",
    ),
    (
        "db.conflicts",
        &[("element", "ANY?"), ("key", "STRING?"), ("claims", "LIST? OF MAP?")],
        "Every property whose sources claim different values, with the claims, most recent first.",
    ),
];

/// The output columns of a built-in procedure (what `SHOW …` yields).
pub fn builtin_outputs(name: &str) -> Vec<String> {
    BUILTINS
        .iter()
        .find(|(n, ..)| *n == name)
        .map(|(_, outputs, _)| outputs.iter().map(|(o, _)| o.to_string()).collect())
        .unwrap_or_default()
}

/// The inputs of the built-ins that take any.
fn builtin_inputs(name: &str) -> Vec<(String, String)> {
    match name {
        "db.retract" => vec![("source".to_string(), "STRING".to_string())],
        "db.provenance" => vec![("element".to_string(), "ANY?".to_string())],
        "db.history" => vec![("filter".to_string(), "MAP?".to_string())],
        "db.changes" => vec![
            ("element".to_string(), "ANY?".to_string()),
            ("kind".to_string(), "STRING?".to_string()),
        ],
        "db.restoreSource" => ["source", "sha256", "loaded_at", "seq"]
            .iter()
            .zip(["STRING", "STRING?", "DATETIME", "INTEGER"])
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect(),
        "db.restoreProvenance" => vec![
            ("element".to_string(), "ANY".to_string()),
            ("records".to_string(), "LIST OF LIST".to_string()),
        ],
        _ => Vec::new(),
    }
}

fn builtin_signature(name: &str) -> Option<(Signature, &'static str)> {
    let (name, outputs, description) = BUILTINS.iter().find(|(n, ..)| *n == name)?;
    Some((
        Signature {
            name: name.to_string(),
            inputs: builtin_inputs(name),
            outputs: outputs
                .iter()
                .map(|(o, t)| (o.to_string(), t.to_string()))
                .collect(),
            optional_inputs: match *name {
                "db.history" => 1,
                "db.changes" => 1,
                _ => 0,
            },
        },
        description,
    ))
}

/// `name(in :: TYPE, …) :: (out :: TYPE, …)`, as Neo4j shows a signature.
fn signature_text(s: &Signature) -> String {
    let list = |items: &[(String, String)]| {
        items
            .iter()
            .map(|(n, t)| format!("{n} :: {t}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!("{}({}) :: ({})", s.name, list(&s.inputs), list(&s.outputs))
}

/// The rows of `db.functions()`.
fn function_rows() -> Vec<Vec<Value>> {
    let aggregates = super::aggregates::all()
        .iter()
        .map(|n| (n.to_string(), "Aggregating", true, 1, Some(1)));
    let scalars = super::functions::all().into_iter().map(|(n, category)| {
        let (min, max) = super::functions::arity(&n).unwrap_or((0, None));
        (n, category, false, min, max)
    });
    let spelled = |name: String| Value::String(super::functions::documented_spelling(&name));
    let mut rows: Vec<Vec<Value>> = aggregates
        .chain(scalars)
        .map(|(name, category, aggregating, min, max)| {
            vec![
                spelled(name),
                Value::from(category),
                Value::Bool(aggregating),
                Value::Int(min as i64),
                max.map_or(Value::Null, |m| Value::Int(m as i64)),
            ]
        })
        .collect();
    // By name, ignoring case, as the lower-cased names sorted before.
    rows.sort_by_cached_key(|row| row.first().map(|n| n.to_string().to_lowercase()));
    rows
}

impl Registry {
    /// A registry whose procedures include those `library` finds.
    pub fn with_library(library: Library, listing: Listing) -> Registry {
        Registry {
            libraries: vec![(library, listing)],
            ..Registry::default()
        }
    }

    fn lookup(&self, name: &str) -> Option<(Signature, Body)> {
        if let Some((signature, _)) = builtin_signature(name) {
            let body = match name {
                "db.labels" => Body::Labels,
                "db.relationshipTypes" => Body::RelationshipTypes,
                "db.propertyKeys" => Body::PropertyKeys,
                "db.procedures" => Body::Table(self.procedure_rows()),
                "db.check" => Body::Check,
                "db.sources" => Body::Sources,
                "db.conflicts" => Body::Conflicts,
                "db.retract" => Body::Retract,
                "db.provenance" => Body::Provenance,
                "db.history" => Body::History,
                "db.changes" => Body::Changes,
                "db.restoreSource" => Body::RestoreSource,
                "db.restoreProvenance" => Body::RestoreProvenance,
                _ => Body::Table(function_rows()),
            };
            return Some((signature, body));
        }
        if let Some((signature, body)) = self.libraries.iter().find_map(|(find, _)| find(name)) {
            return Some((signature, Body::Native(body)));
        }
        self.procedures
            .read()
            .ok()
            .and_then(|m| m.get(name).cloned())
    }

    /// The rows of `db.procedures()`: every procedure, by name.
    fn procedure_rows(&self) -> Vec<Vec<Value>> {
        let mut all: Vec<(Signature, String)> = BUILTINS
            .iter()
            .filter_map(|(name, ..)| builtin_signature(name))
            .map(|(s, d)| (s, d.to_string()))
            .collect();
        for (_, listing) in &self.libraries {
            all.extend(listing());
        }
        if let Ok(registered) = self.procedures.read() {
            all.extend(registered.values().map(|(s, _)| (s.clone(), String::new())));
        }
        all.sort_by(|a, b| a.0.name.cmp(&b.0.name));
        all.into_iter()
            .map(|(signature, description)| {
                vec![
                    Value::String(signature.name.clone()),
                    Value::String(signature_text(&signature)),
                    if description.is_empty() {
                        Value::Null
                    } else {
                        Value::String(description)
                    },
                    Value::from(
                        if ["db.retract", "db.restoreSource", "db.restoreProvenance"]
                            .contains(&signature.name.as_str())
                        {
                            "WRITE"
                        } else {
                            "READ"
                        },
                    ),
                ]
            })
            .collect()
    }

    /// Adds (or replaces) a table-backed procedure.
    pub fn register(&self, spec: ProcedureSpec) -> Result<()> {
        let width = spec.inputs.len() + spec.outputs.len();
        if let Some(bad) = spec.rows.iter().find(|r| r.len() != width) {
            return Err(Error::argument(
                "InvalidArgumentValue",
                format!(
                    "procedure {}: a row has {} values, expected {width}",
                    spec.name,
                    bad.len()
                ),
            ));
        }
        let signature = Signature {
            name: spec.name.clone(),
            inputs: spec.inputs,
            outputs: spec.outputs,
            optional_inputs: 0,
        };
        self.insert(signature, Body::Table(spec.rows))
    }

    /// Adds (or replaces) a procedure computed by `body`.
    pub fn register_native(&self, signature: Signature, body: NativeProcedure) -> Result<()> {
        self.insert(signature, Body::Native(body))
    }

    fn insert(&self, signature: Signature, body: Body) -> Result<()> {
        let mut map = self.procedures.write().map_err(|_| {
            Error::new(
                ErrorClass::ProcedureError,
                "",
                "procedure registry is unusable",
            )
        })?;
        map.insert(signature.name.clone(), (signature, body));
        self.generation.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Changes whenever a procedure is registered.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Relaxed)
    }

    pub fn signature(&self, name: &str) -> Option<Signature> {
        self.lookup(name).map(|(s, _)| s)
    }

    /// The procedure called `name`, resolved once for a statement's calls.
    pub fn procedure(&self, name: &str) -> Result<Procedure> {
        let (signature, body) = self.lookup(name).ok_or_else(|| {
            Error::new(
                ErrorClass::ProcedureError,
                "ProcedureNotFound",
                format!("there is no procedure named '{name}'"),
            )
        })?;
        Ok(Procedure { signature, body })
    }

    /// Calls `name` with `args`: the output rows.
    pub fn call(&self, txn: &Txn<'_>, name: &str, args: &[Value]) -> Result<Vec<Vec<Value>>> {
        self.procedure(name)?.call(txn, args)
    }
}

/// A procedure found in the registry: its signature and its body.
#[derive(Clone)]
pub struct Procedure {
    pub signature: Signature,
    body: Body,
}

impl Procedure {
    /// Whether the procedure writes (it is then run by `call_write`).
    pub fn is_write(&self) -> bool {
        matches!(
            self.body,
            Body::Retract | Body::RestoreSource | Body::RestoreProvenance
        )
    }

    /// Calls a procedure that writes: the output rows.
    pub fn call_write(&self, txn: &mut Txn<'_>, args: &[Value]) -> Result<Vec<Vec<Value>>> {
        let args = self.checked_args(args)?;
        match (&self.body, args.first()) {
            (Body::Retract, Some(Value::String(source))) => {
                let w = txn.retract_source(source)?;
                let count = |n: u64| Value::Int(i64::try_from(n).unwrap_or(i64::MAX));
                Ok(vec![vec![
                    Value::String(source.clone()),
                    count(w.assertions),
                    count(w.nodes_deleted),
                    count(w.relationships_deleted),
                    count(w.properties_removed),
                    count(w.properties_reverted),
                ]])
            }
            (Body::Retract, _) => Err(Error::argument(
                "InvalidArgumentValue",
                "db.retract() needs the name of a source",
            )),
            (Body::RestoreSource, _) => match args.as_slice() {
                [Value::String(name), sha, Value::DateTime(at), Value::Int(seq)] => {
                    let sha = match sha {
                        Value::String(s) => Some(s.as_str()),
                        _ => None,
                    };
                    let at = temporal::micros_of(at);
                    txn.restore_source(name, sha, at, u64::try_from(*seq).unwrap_or(0))?;
                    Ok(Vec::new())
                }
                _ => Err(Error::argument(
                    "InvalidArgumentValue",
                    "db.restoreSource(source, sha256, loaded_at, seq) takes a name, a digest or null, a datetime and an integer",
                )),
            },
            (Body::RestoreProvenance, _) => {
                let element = args.first().and_then(Element::of_value).ok_or_else(|| {
                    Error::argument(
                        "InvalidArgumentValue",
                        "db.restoreProvenance() needs a node or relationship",
                    )
                })?;
                let records = match args.get(1) {
                    Some(Value::List(rows)) => rows
                        .iter()
                        .map(provenance_record)
                        .collect::<Result<Vec<_>>>()?,
                    _ => Vec::new(),
                };
                txn.restore_provenance(element, &records)?;
                Ok(Vec::new())
            }
            _ => self.call(txn, &args),
        }
    }

    /// `args` checked against the signature, padded with nulls for omitted optional
    /// inputs.
    fn checked_args(&self, args: &[Value]) -> Result<Vec<Value>> {
        let signature = &self.signature;
        let name = &signature.name;
        if !signature.accepts_argument_count(args.len()) {
            return Err(Error::syntax(
                "InvalidNumberOfArguments",
                format!(
                    "procedure {name} takes {} arguments, got {}",
                    signature.inputs.len(),
                    args.len()
                ),
            ));
        }
        for (v, (input, ty)) in args.iter().zip(&signature.inputs) {
            if !type_accepts(ty, v) {
                return Err(Error::syntax(
                    "InvalidArgumentType",
                    format!(
                        "argument `{input}` of {name} must be {ty}, got {}",
                        v.type_name()
                    ),
                ));
            }
        }
        let mut padded = args.to_vec();
        padded.resize(signature.inputs.len(), Value::Null);
        Ok(padded)
    }

    /// Calls the procedure with `args`, checked against its signature: the output rows.
    pub fn call(&self, txn: &Txn<'_>, args: &[Value]) -> Result<Vec<Vec<Value>>> {
        let padded = self.checked_args(args)?;
        let args = padded.as_slice();
        let Procedure { signature, body } = self;
        let strings = |v: Vec<String>| v.into_iter().map(|s| vec![Value::String(s)]).collect();
        Ok(match body {
            Body::Check => txn
                .check()?
                .into_iter()
                .map(|v| {
                    vec![
                        Value::String(v.kind.to_string()),
                        Value::String(v.element),
                        Value::String(v.problem),
                    ]
                })
                .collect(),
            Body::Sources => source_rows(txn)?,
            Body::Conflicts => conflict_rows(txn)?,
            Body::Provenance => provenance_rows(txn, args.first())?,
            Body::History => super::history::history_rows(txn, args.first())?,
            Body::Changes => super::history::change_rows(txn, args.first(), args.get(1))?,
            Body::Retract | Body::RestoreSource | Body::RestoreProvenance => {
                return Err(Error::new(
                    ErrorClass::ProcedureError,
                    "WriteProcedureInReadContext",
                    format!(
                        "procedure {} writes, so it cannot run where only reading is allowed",
                        signature.name
                    ),
                ))
            }
            Body::Labels => strings(txn.labels()?),
            Body::RelationshipTypes => strings(txn.relationship_types()?),
            Body::PropertyKeys => strings(txn.property_keys()?),
            Body::Native(f) => f(txn, args)?,
            Body::Table(rows) => {
                let n = signature.inputs.len();
                rows.iter()
                    .filter(|r| {
                        r.iter()
                            .zip(args)
                            .take(n)
                            .all(|(a, b)| a.equals(b) == Some(true) || (a.is_null() && b.is_null()))
                    })
                    .map(|r| r.iter().skip(n).cloned().collect())
                    .collect()
            }
        })
    }
}

/// The rows of `db.sources()`.
fn source_rows(txn: &Txn<'_>) -> Result<Vec<Vec<Value>>> {
    let count = |n: u64| Value::Int(i64::try_from(n).unwrap_or(i64::MAX));
    txn.sources()?
        .into_iter()
        .map(|s| {
            Ok(vec![
                Value::String(s.name),
                s.sha256.map_or(Value::Null, Value::String),
                temporal::utc_from_micros(s.loaded_at_micros)?,
                count(s.nodes),
                count(s.relationships),
                count(s.properties),
                count(s.seq),
            ])
        })
        .collect()
}

/// The rows of `db.provenance(x)`.
fn provenance_rows(txn: &Txn<'_>, element: Option<&Value>) -> Result<Vec<Vec<Value>>> {
    let element = match element {
        Some(Value::Null) | None => return Ok(Vec::new()),
        Some(value) => match Element::of_value(value) {
            Some(element) => element,
            None => {
                return Err(Error::argument(
                    "InvalidArgumentValue",
                    format!(
                        "db.provenance() needs a node or relationship, got {}",
                        value.type_name()
                    ),
                ))
            }
        },
    };
    let int = |n: u64| Value::Int(i64::try_from(n).unwrap_or(i64::MAX));
    Ok(txn
        .provenance_records(element)?
        .into_iter()
        .map(|r| {
            vec![
                r.key.map_or(Value::Null, Value::String),
                r.source.map_or(Value::Null, Value::String),
                int(u64::from(r.line)),
                int(r.seq),
                r.value.unwrap_or(Value::Null),
                r.exists.map_or(Value::Null, Value::Bool),
            ]
        })
        .collect())
}

/// One `[key, source, line, seq, value, exists]` row of `db.restoreProvenance`.
fn provenance_record(row: &Value) -> Result<ProvenanceRecord> {
    let bad = || {
        Error::argument(
            "InvalidArgumentValue",
            "a provenance record is [key or null, source or null, line, seq, value, exists]",
        )
    };
    let Value::List(items) = row else {
        return Err(bad());
    };
    let text = |v: Option<&Value>| match v {
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Null) => Ok(None),
        _ => Err(bad()),
    };
    let int = |v: Option<&Value>| match v {
        Some(Value::Int(i)) => Ok(*i),
        _ => Err(bad()),
    };
    Ok(ProvenanceRecord {
        key: text(items.first())?,
        source: text(items.get(1))?,
        line: u32::try_from(int(items.get(2))?).map_err(|_| bad())?,
        seq: u64::try_from(int(items.get(3))?).map_err(|_| bad())?,
        value: items.get(4).filter(|v| !v.is_null()).cloned(),
        exists: match items.get(5) {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        },
    })
}

/// The rows of `db.conflicts()`.
fn conflict_rows(txn: &Txn<'_>) -> Result<Vec<Vec<Value>>> {
    txn.conflicts()?
        .into_iter()
        .map(|c| {
            let element = match c.element {
                Element::Node(id) => Value::Node(Node::with_id(id)),
                Element::Relationship(id) => match txn.relationship(id)? {
                    Some(info) => Value::Relationship(Relationship {
                        id,
                        rel_type: info.rel_type,
                        start: info.start,
                        end: info.end,
                        properties: Default::default(),
                    }),
                    None => Value::Null,
                },
            };
            let claims = c
                .claims
                .into_iter()
                .map(|a| claim_map(a, true))
                .collect::<Result<_>>()?;
            Ok(vec![element, Value::String(c.key), Value::List(claims)])
        })
        .collect()
}

/// An assertion or claim as a map: `{value, source, line, loaded_at}` (`value` only for
/// a claim), what `sources()`, `claims()` and `db.conflicts()` return.
pub fn claim_map(a: Attribution, with_value: bool) -> Result<Value> {
    let mut map = Map::new();
    if with_value {
        map.insert("value".into(), a.value.unwrap_or(Value::Null));
    }
    map.insert("source".into(), a.source.map_or(Value::Null, Value::String));
    map.insert(
        "line".into(),
        a.line.map_or(Value::Null, |l| Value::Int(i64::from(l))),
    );
    let loaded_at = match a.loaded_at_micros {
        Some(micros) => temporal::utc_from_micros(micros)?,
        None => Value::Null,
    };
    map.insert("loaded_at".into(), loaded_at);
    Ok(Value::Map(map))
}

/// Whether a value fits an openCypher type name (`INTEGER?`, `NUMBER`, `ANY?` …).
pub fn type_accepts(ty: &str, v: &Value) -> bool {
    let nullable = ty.ends_with('?');
    let base = ty.trim_end_matches('?').trim().to_uppercase();
    match v {
        Value::Null => nullable || base == "ANY",
        Value::Int(_) => matches!(
            base.as_str(),
            "INTEGER" | "INT" | "NUMBER" | "FLOAT" | "ANY"
        ),
        Value::Float(_) => matches!(base.as_str(), "FLOAT" | "NUMBER" | "ANY"),
        Value::String(_) => matches!(base.as_str(), "STRING" | "ANY"),
        Value::Bool(_) => matches!(base.as_str(), "BOOLEAN" | "ANY"),
        Value::List(_) => base.starts_with("LIST") || base == "ANY",
        Value::Map(_) => matches!(base.as_str(), "MAP" | "ANY"),
        Value::Node(_) => matches!(base.as_str(), "NODE" | "ANY"),
        Value::Relationship(_) => matches!(base.as_str(), "RELATIONSHIP" | "ANY"),
        Value::Path(_) => matches!(base.as_str(), "PATH" | "ANY"),
        _ => base == "ANY" || base.replace(' ', "") == v.type_name().replace(' ', ""),
    }
}

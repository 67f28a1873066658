//! The rows of the history procedures: `db.history([filter])` lists the commits and
//! `db.changes(x [, kind])` one node's or relationship's changes (see
//! `storage::history`).

use crate::error::{Error, Result};
use crate::storage::{CommitFilter, Element, Txn};
use crate::value::{temporal, Value};

fn int(n: u64) -> Value {
    Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

/// A transaction bound of a `db.history` filter: a transaction number or a datetime.
fn bound(key: &str, value: &Value, tx: &mut Option<u64>, micros: &mut Option<i64>) -> Result<()> {
    match value {
        Value::Null => {}
        Value::Int(n) => *tx = Some(u64::try_from(*n).unwrap_or(0)),
        Value::DateTime(dt) => {
            // Commit times are whole microseconds: `from` rounds up, `to` down, so that
            // a bound between two microseconds keeps only the commits within it.
            let nanos = temporal::calendar::instant_nanos(dt);
            let whole = if key == "from" {
                nanos.div_euclid(1000) + i128::from(nanos.rem_euclid(1000) != 0)
            } else {
                nanos.div_euclid(1000)
            };
            *micros = Some(i64::try_from(whole).unwrap_or(i64::MAX));
        }
        other => {
            return Err(Error::argument(
                "InvalidArgumentValue",
                format!(
                    "db.history(): `{key}` is a transaction number or a datetime, not {}",
                    other.type_name()
                ),
            ))
        }
    }
    Ok(())
}

/// The filter `{from, to, source}` of `db.history`.
fn filter_of(arg: Option<&Value>) -> Result<CommitFilter> {
    let mut filter = CommitFilter::default();
    let map = match arg {
        None | Some(Value::Null) => return Ok(filter),
        Some(Value::Map(map)) => map,
        Some(other) => {
            return Err(Error::argument(
                "InvalidArgumentValue",
                format!(
                    "db.history() takes a map {{from, to, source}}, not {}",
                    other.type_name()
                ),
            ))
        }
    };
    for (key, value) in map.iter() {
        match key.as_ref() {
            "from" => bound(key, value, &mut filter.from_tx, &mut filter.from_micros)?,
            "to" => bound(key, value, &mut filter.to_tx, &mut filter.to_micros)?,
            "source" => match value {
                Value::String(s) => filter.source = Some(s.clone()),
                Value::Null => {}
                other => {
                    return Err(Error::argument(
                        "InvalidArgumentValue",
                        format!(
                            "db.history(): `source` is a name, not {}",
                            other.type_name()
                        ),
                    ))
                }
            },
            other => {
                return Err(Error::argument(
                    "InvalidArgumentValue",
                    format!("db.history() filters by from, to and source; it has no `{other}`"),
                ))
            }
        }
    }
    Ok(filter)
}

/// The rows of `db.history([filter])`: tx, time, source and the six counts.
pub fn history_rows(txn: &Txn<'_>, arg: Option<&Value>) -> Result<Vec<Vec<Value>>> {
    let filter = filter_of(arg)?;
    txn.commits(&filter)?
        .into_iter()
        .map(|c| {
            Ok(vec![
                int(c.tx),
                temporal::utc_from_micros(c.time_micros)?,
                c.source.map_or(Value::Null, Value::String),
                int(c.counts.nodes_created),
                int(c.counts.nodes_deleted),
                int(c.counts.relationships_created),
                int(c.counts.relationships_deleted),
                int(c.counts.properties_set),
                int(c.counts.properties_removed),
            ])
        })
        .collect()
}

/// The element `db.changes` is asked about: a node or relationship, or an id (of a
/// node, or of a relationship when `kind` is 'relationship').
fn element_of(arg: Option<&Value>, kind: Option<&Value>) -> Result<Option<Element>> {
    let relationship = match kind {
        None | Some(Value::Null) => false,
        Some(Value::String(k)) if k.eq_ignore_ascii_case("node") => false,
        Some(Value::String(k)) if k.eq_ignore_ascii_case("relationship") => true,
        Some(other) => {
            return Err(Error::argument(
                "InvalidArgumentValue",
                format!("db.changes(id, kind): kind is 'node' or 'relationship', not {other}"),
            ))
        }
    };
    match arg {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Int(id)) => {
            let id = u64::try_from(*id).map_err(|_| {
                Error::argument(
                    "InvalidArgumentValue",
                    "db.changes(): an id is not negative",
                )
            })?;
            Ok(Some(if relationship {
                Element::Relationship(id)
            } else {
                Element::Node(id)
            }))
        }
        Some(value) => Element::of_value(value).map(Some).ok_or_else(|| {
            Error::argument(
                "InvalidArgumentValue",
                format!(
                    "db.changes() needs a node, a relationship or an id, got {}",
                    value.type_name()
                ),
            )
        }),
    }
}

/// The rows of `db.changes(x [, kind])`: tx, time, source, change, key, old, new.
pub fn change_rows(
    txn: &Txn<'_>,
    arg: Option<&Value>,
    kind: Option<&Value>,
) -> Result<Vec<Vec<Value>>> {
    let Some(element) = element_of(arg, kind)? else {
        return Ok(Vec::new());
    };
    txn.element_changes(element)?
        .into_iter()
        .map(|c| {
            Ok(vec![
                int(c.tx),
                temporal::utc_from_micros(c.time_micros)?,
                c.source.map_or(Value::Null, Value::String),
                Value::from(c.change),
                c.key.map_or(Value::Null, Value::String),
                c.old.unwrap_or(Value::Null),
                c.new.unwrap_or(Value::Null),
            ])
        })
        .collect()
}

//! Valid time: a node or relationship with a `valid_from` and/or `valid_to` property (a
//! date, local datetime or datetime) is valid in the half-open interval
//! `[valid_from, valid_to)`; a missing bound is open, and an element with neither is
//! always valid.
//!
//! A transaction told an instant (`Txn::set_valid_at`, what `VALID AT` does) hides every
//! element not valid then from every read that finds elements: scans, label and index
//! seeks, id lookups, expansions (so every hop of every pattern, variable-length and
//! shortest paths included) and the counts (computed by scanning while an instant is
//! set, since the stored counts count everything).
//!
//! Comparing instants: a datetime is its instant; a date is its first instant and a
//! local datetime its wall-clock time, both read in the zone of the instant asked about
//! when that is a datetime, and in UTC otherwise.

use super::keys::{Token, TokenKind};
use super::{NodeId, RelId, Txn};
use crate::error::{Error, Result};
use crate::value::temporal::calendar;
use crate::value::Value;

/// The instant a transaction reads the world at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValidAt {
    /// Nanoseconds since the Unix epoch (UTC).
    nanos: i128,
    /// The zone offset dates and local datetimes are read in.
    offset_seconds: i32,
}

impl ValidAt {
    /// The instant `value` (a date, local datetime or datetime) names.
    pub fn of(value: &Value) -> Result<ValidAt> {
        let offset_seconds = match value {
            Value::DateTime(dt) => dt.offset_seconds,
            _ => 0,
        };
        match instant(value, offset_seconds) {
            Some(nanos) => Ok(ValidAt {
                nanos,
                offset_seconds,
            }),
            None => Err(Error::type_error(
                "InvalidArgumentType",
                format!(
                    "VALID AT needs a date, local datetime or datetime, not {}",
                    value.type_name()
                ),
            )),
        }
    }

    /// Microseconds since the Unix epoch.
    pub fn micros(&self) -> i64 {
        i64::try_from(self.nanos.div_euclid(1000)).unwrap_or(i64::MAX)
    }

    /// The instant as a UTC datetime, for EXPLAIN.
    pub fn describe(&self) -> String {
        let micros = i64::try_from(self.nanos.div_euclid(1000)).unwrap_or(i64::MAX);
        crate::value::temporal::utc_from_micros(micros)
            .map(|v| v.to_string())
            .unwrap_or_else(|_| format!("{} ns after the epoch", self.nanos))
    }

    /// Whether an element whose bounds are `from` and `to` is valid at this instant.
    /// `what` names the element for the error a bound of the wrong type gives.
    pub fn admits(&self, from: Option<&Value>, to: Option<&Value>, what: &str) -> Result<bool> {
        let bound = |v: Option<&Value>, key: &str| -> Result<Option<i128>> {
            match v {
                None | Some(Value::Null) => Ok(None),
                Some(v) => instant(v, self.offset_seconds).map(Some).ok_or_else(|| {
                    Error::type_error(
                        "InvalidPropertyType",
                        format!(
                            "{what} has {key} = {v}, a {}; valid time needs a date, local datetime or datetime",
                            v.type_name()
                        ),
                    )
                }),
            }
        };
        let from = bound(from, "valid_from")?;
        let to = bound(to, "valid_to")?;
        Ok(from.is_none_or(|f| f <= self.nanos) && to.is_none_or(|t| self.nanos < t))
    }
}

/// Nanoseconds since the epoch of a temporal value, dates and local datetimes read at
/// `offset_seconds`; `None` for any other value.
fn instant(value: &Value, offset_seconds: i32) -> Option<i128> {
    let local = match value {
        Value::Date(d) => calendar::local_nanos(d.0.to_datetime(jiff::civil::Time::midnight())),
        Value::LocalDateTime(dt) => calendar::local_nanos(dt.0),
        Value::DateTime(dt) => return Some(calendar::instant_nanos(dt)),
        _ => return None,
    };
    Some(local - i128::from(offset_seconds) * 1_000_000_000)
}

/// What a transaction needs to test elements: the instant and the bound keys' tokens
/// (`None` when no element ever had that key).
#[derive(Clone, Copy, Debug)]
pub(super) struct ValidFilter {
    pub at: ValidAt,
    from: Option<Token>,
    to: Option<Token>,
}

impl ValidFilter {
    /// Whether some element may have a bound at all.
    fn bounds_exist(&self) -> bool {
        self.from.is_some() || self.to.is_some()
    }
}

impl Txn<'_> {
    /// Reads only the elements valid at `at` from now on (`None`: every element).
    pub fn set_valid_at(&mut self, at: Option<ValidAt>) {
        self.valid = at.map(|at| ValidFilter {
            at,
            from: self.token(TokenKind::PropertyKey, "valid_from"),
            to: self.token(TokenKind::PropertyKey, "valid_to"),
        });
    }

    /// The instant reads are restricted to, if any.
    pub fn valid_at(&self) -> Option<ValidAt> {
        self.valid.map(|v| v.at)
    }

    /// Whether reads hide elements by valid time (an instant is set, and some element
    /// may have a bound): counts are then computed, not read.
    pub(super) fn filters_valid_time(&self) -> bool {
        self.valid.is_some_and(|v| v.bounds_exist())
    }

    /// Whether node `id` is valid at `at` (its bounds read as this transaction sees
    /// them).
    pub fn node_valid_at(&self, id: NodeId, at: &ValidAt) -> Result<bool> {
        let from = self.node_property(id, "valid_from")?;
        let to = self.node_property(id, "valid_to")?;
        at.admits(from.as_ref(), to.as_ref(), &format!("node {id}"))
    }

    /// Whether relationship `id` is valid at `at`.
    pub fn rel_valid_at(&self, id: RelId, at: &ValidAt) -> Result<bool> {
        let from = self.rel_property(id, "valid_from")?;
        let to = self.rel_property(id, "valid_to")?;
        at.admits(from.as_ref(), to.as_ref(), &format!("relationship {id}"))
    }

    /// Whether reads show node `id`: always, unless an instant is set and the node is
    /// not valid then.
    pub(super) fn shows_node(&self, id: NodeId) -> Result<bool> {
        match self.valid {
            Some(v) if v.bounds_exist() => self.node_valid_at(id, &v.at),
            _ => Ok(true),
        }
    }

    /// Whether reads show relationship `rel` reached from a shown node, whose other end
    /// is `other`.
    pub(super) fn shows_edge(&self, rel: RelId, other: NodeId) -> Result<bool> {
        match self.valid {
            Some(v) if v.bounds_exist() => {
                Ok(self.rel_valid_at(rel, &v.at)? && self.node_valid_at(other, &v.at)?)
            }
            _ => Ok(true),
        }
    }
}

impl<'t> Txn<'t> {
    /// `scan` without the nodes an instant hides.
    pub(super) fn shown_nodes(&'t self, scan: super::Scan<'t, NodeId>) -> super::Scan<'t, NodeId> {
        if !self.filters_valid_time() {
            return scan;
        }
        Box::new(scan.filter_map(move |entry| match entry {
            Ok(id) => match self.shows_node(id) {
                Ok(true) => Some(Ok(id)),
                Ok(false) => None,
                Err(e) => Some(Err(e)),
            },
            Err(e) => Some(Err(e)),
        }))
    }

    /// Whether reads show relationship `id` (with both its ends).
    pub(super) fn shows_rel(&self, id: RelId, start: NodeId, end: NodeId) -> Result<bool> {
        if !self.filters_valid_time() {
            return Ok(true);
        }
        Ok(self.shows_node(start)? && self.shows_edge(id, end)?)
    }

    /// How many of `scan`'s items there are.
    pub(super) fn count_of<T>(scan: super::Scan<'_, T>) -> Result<u64> {
        let mut n = 0;
        for item in scan {
            item?;
            n += 1;
        }
        Ok(n)
    }
}

//! The memory budget of one statement (`QueryOptions::memory_limit`): what its operators
//! hold at once, counted as they hold it. Rows kept between a statement's stages and in
//! its result, ORDER BY's rows, an aggregation's groups and the values `collect`,
//! percentiles and DISTINCT aggregates keep, DISTINCT's seen rows and a hash join's
//! built side are counted; a statement that would hold more than its limit ends with a
//! `TransactionError` `MemoryLimitExceeded` naming what held it, instead of exhausting
//! the machine. A variable-length expansion's depth-first stack (the relationships left
//! to try at each depth) is counted too; shortest-path and quantified-path searches
//! have bounds of their own (`PathSearchTooLarge`).
//!
//! Sizes are estimates: a value's inline size plus the heap it owns (strings, list and
//! map items, an entity's loaded labels and properties). Allocator overhead and
//! capacity slack are not counted, so the process may hold somewhat more than the limit.

use crate::error::{Error, ErrorClass, Result};
use crate::value::{Node, Relationship, Value};
use std::cell::Cell;

/// What a statement may hold and what it holds now.
#[derive(Default)]
pub(crate) struct Budget {
    /// `None`: no limit (the count is still kept).
    limit: Option<usize>,
    held: Cell<usize>,
}

impl Budget {
    pub fn new(limit: Option<usize>) -> Budget {
        Budget {
            limit,
            held: Cell::new(0),
        }
    }

    /// Counts `bytes` more held for `what`; past the limit, the error that ends the
    /// statement (the bytes are not counted then).
    fn hold(&self, bytes: usize, what: &str) -> Result<()> {
        let held = self.held.get().saturating_add(bytes);
        if let Some(limit) = self.limit {
            if held > limit {
                return Err(Error::new(
                    ErrorClass::TransactionError,
                    "MemoryLimitExceeded",
                    format!(
                        "the statement would hold more than its memory limit of {} ({} \
                         held, {} more for {what}): narrow the query (a LIMIT, a filter, \
                         fewer columns) or raise the limit (--memory-limit, \
                         QueryOptions::memory_limit)",
                        size_text(limit),
                        size_text(self.held.get()),
                        size_text(bytes),
                    ),
                ));
            }
        }
        self.held.set(held);
        Ok(())
    }

    fn release(&self, bytes: usize) {
        self.held.set(self.held.get().saturating_sub(bytes));
    }
}

/// What one holder (an operator's buffer) has counted against the budget; dropping it
/// gives that back.
pub(crate) struct Held<'b> {
    budget: &'b Budget,
    what: &'static str,
    bytes: usize,
}

impl<'b> Held<'b> {
    /// A holder of nothing yet; `what` names it in the error (`"ORDER BY"`).
    pub fn new(budget: &'b Budget, what: &'static str) -> Held<'b> {
        Held {
            budget,
            what,
            bytes: 0,
        }
    }

    /// Counts `bytes` more held.
    pub fn grow(&mut self, bytes: usize) -> Result<()> {
        self.budget.hold(bytes, self.what)?;
        self.bytes = self.bytes.saturating_add(bytes);
        Ok(())
    }

    /// Counts `bytes` fewer held (what was counted and is now freed).
    pub fn shrink(&mut self, bytes: usize) {
        let bytes = bytes.min(self.bytes);
        self.budget.release(bytes);
        self.bytes -= bytes;
    }

    /// Counts a row more held.
    pub fn hold_row(&mut self, row: &[Value]) -> Result<()> {
        self.grow(row_bytes(row))
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.budget.release(self.bytes);
    }
}

/// The estimated bytes a row holds: its vector's slots and what its values own.
pub(crate) fn row_bytes(row: &[Value]) -> usize {
    std::mem::size_of::<Vec<Value>>() + row.iter().map(value_bytes).sum::<usize>()
}

/// The estimated bytes a value holds: its inline size and the heap it owns.
pub(crate) fn value_bytes(value: &Value) -> usize {
    std::mem::size_of::<Value>() + heap_bytes(value)
}

fn heap_bytes(value: &Value) -> usize {
    match value {
        Value::String(s) => s.len(),
        Value::List(items) => items.iter().map(value_bytes).sum(),
        Value::Map(map) => map.iter().map(|(k, v)| entry_bytes(k, v)).sum(),
        Value::Node(node) => node_bytes(node),
        Value::Relationship(rel) => rel_bytes(rel),
        Value::Path(path) => {
            let nodes: usize = path
                .nodes
                .iter()
                .map(|n| std::mem::size_of::<Node>() + node_bytes(n))
                .sum();
            let rels: usize = path
                .relationships
                .iter()
                .map(|r| std::mem::size_of::<Relationship>() + rel_bytes(r))
                .sum();
            nodes + rels
        }
        _ => 0,
    }
}

fn entry_bytes(key: &str, value: &Value) -> usize {
    std::mem::size_of::<String>() + key.len() + value_bytes(value)
}

fn node_bytes(node: &Node) -> usize {
    let labels: usize = node
        .labels
        .iter()
        .map(|l| std::mem::size_of::<String>() + l.len())
        .sum();
    labels
        + node
            .properties
            .iter()
            .map(|(k, v)| entry_bytes(k, v))
            .sum::<usize>()
}

fn rel_bytes(rel: &Relationship) -> usize {
    rel.properties.iter().map(|(k, v)| entry_bytes(k, v)).sum()
}

/// `bytes` for people: `512 B`, `64.0 MiB`, `1.0 GiB`.
fn size_text(bytes: usize) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut size = bytes as f64 / 1024.0;
    let mut unit = 0;
    while size >= 1024.0 && unit + 1 < UNITS.len() {
        size /= 1024.0;
        unit += 1;
    }
    format!("{size:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_holder_gives_back_what_it_held() -> Result<()> {
        let budget = Budget::new(Some(100));
        {
            let mut a = Held::new(&budget, "a");
            a.grow(60)?;
            let mut b = Held::new(&budget, "b");
            let e = b.grow(50).err().map(|e| e.detail);
            assert_eq!(e.as_deref(), Some("MemoryLimitExceeded"));
            b.grow(40)?;
        }
        assert_eq!(budget.held.get(), 0);
        Held::new(&budget, "c").grow(100)?;
        Ok(())
    }

    #[test]
    fn sizes_print_as_people_write_them() {
        assert_eq!(size_text(512), "512 B");
        assert_eq!(size_text(64 * 1024 * 1024), "64.0 MiB");
    }
}

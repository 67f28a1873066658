//! DISTINCT: the first row of each set of rows equal in their first `width` columns
//! (the projected ones; hidden sort columns do not count).

use super::{BoxOp, Op};
use crate::error::Result;
use crate::exec::memory::{value_bytes, Budget, Held};
use crate::exec::Row;
use crate::value::{GroupKey, Value};
// foldhash: the rows' group keys are hashed once per row; SipHash's flooding resistance
// buys nothing here.
use foldhash::{HashSet, HashSetExt};

pub(super) struct DistinctOp<'a> {
    input: BoxOp<'a>,
    width: usize,
    seen: HashSet<Vec<GroupKey>>,
    /// What the seen rows hold (counted as the rows' values).
    held: Held<'a>,
}

impl<'a> DistinctOp<'a> {
    pub(super) fn new(input: BoxOp<'a>, width: usize, budget: &'a Budget) -> Self {
        DistinctOp {
            input,
            width,
            seen: HashSet::new(),
            held: Held::new(budget, "DISTINCT"),
        }
    }
}

impl Op for DistinctOp<'_> {
    fn next(&mut self) -> Result<Option<Row>> {
        while let Some(row) = self.input.next()? {
            let key: Vec<GroupKey> = row.iter().take(self.width).map(Value::group_key).collect();
            if self.seen.insert(key) {
                self.held
                    .grow(row.iter().take(self.width).map(value_bytes).sum())?;
                return Ok(Some(row));
            }
        }
        Ok(None)
    }
}

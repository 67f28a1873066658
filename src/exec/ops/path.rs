//! Building a named path from its start node and relationship slots.

use super::{BoxOp, Op};
use crate::error::Result;
use crate::exec::eval::{self};
use crate::exec::Row;
use crate::value::Value;

pub(super) struct BuildPathOp<'a> {
    pub(super) input: BoxOp<'a>,
    pub(super) start: usize,
    pub(super) rels: Vec<usize>,
}

impl Op for BuildPathOp<'_> {
    fn next(&mut self) -> Result<Option<Row>> {
        let Some(mut row) = self.input.next()? else {
            return Ok(None);
        };
        let start = row.get(self.start).cloned().unwrap_or(Value::Null);
        let segs: Vec<&Value> = self.rels.iter().filter_map(|&i| row.get(i)).collect();
        let p = eval::build_path(&start, &segs)?;
        row.push(p);
        Ok(Some(row))
    }
}

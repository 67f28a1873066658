//! `CALL { … }`: the subquery's parts run once per input row, on a row of the variables
//! it imports, and each row they return extends the input row. `Returned` is shared
//! with the write path, which runs a subquery that writes the same way through the
//! statement's step runner.

use super::{build, next_filled, slot, source, BoxOp, Op, Upstream};
use crate::error::Result;
use crate::exec::{Ctx, Row};
use crate::plan::{layout_after, CallSubquerySpec};
use crate::value::{GroupKey, Value};
use foldhash::{HashSet, HashSetExt};
use std::collections::VecDeque;

/// How a subquery's rows are taken from its input rows and given back to them.
pub(crate) struct Returned<'a> {
    spec: &'a CallSubquerySpec,
    /// The input row's slot of each import.
    imports: Vec<usize>,
    /// Per part, the slot of each returned column in the part's rows.
    columns: Vec<Vec<usize>>,
}

impl<'a> Returned<'a> {
    pub(crate) fn new(spec: &'a CallSubquerySpec, layout: &[String]) -> Result<Self> {
        let imports = spec
            .imports
            .iter()
            .map(|name| slot(layout, name))
            .collect::<Result<_>>()?;
        let columns = spec
            .parts
            .iter()
            .map(|part| {
                let inner = layout_after(&part.steps, &spec.imports);
                spec.columns
                    .iter()
                    .map(|name| slot(&inner, name))
                    .collect::<Result<Vec<_>>>()
            })
            .collect::<Result<_>>()?;
        Ok(Returned {
            spec,
            imports,
            columns,
        })
    }

    /// The subquery whose rows these are.
    pub(crate) fn spec(&self) -> &'a CallSubquerySpec {
        self.spec
    }

    /// The row the subquery's parts start from.
    pub(crate) fn import_row(&self, row: &[Value]) -> Row {
        self.imports
            .iter()
            .map(|&i| row.get(i).cloned().unwrap_or(Value::Null))
            .collect()
    }

    /// The output rows for input `row`, given what each part returned for it: the row
    /// extended by each returned row (UNION's duplicates dropped), or the row once for a
    /// subquery that returns nothing.
    pub(crate) fn extend(&self, row: &Row, per_part: Vec<Vec<Row>>, out: &mut VecDeque<Row>) {
        if self.spec.columns.is_empty() {
            out.push_back(row.clone());
            return;
        }
        let mut seen: HashSet<Vec<GroupKey>> = HashSet::new();
        for (rows, columns) in per_part.into_iter().zip(&self.columns) {
            for returned in rows {
                let values: Vec<Value> = columns
                    .iter()
                    .map(|&i| returned.get(i).cloned().unwrap_or(Value::Null))
                    .collect();
                if self.spec.union_distinct
                    && !seen.insert(values.iter().map(Value::group_key).collect())
                {
                    continue;
                }
                let mut extended = row.clone();
                extended.extend(values);
                out.push_back(extended);
            }
        }
    }
}

/// A subquery that only reads, as an operator.
pub(super) struct CallSubqueryOp<'a, 's> {
    ctx: &'a Ctx<'a, 's>,
    input: BoxOp<'a>,
    returned: Returned<'a>,
    pending: VecDeque<Row>,
}

impl<'a, 's> CallSubqueryOp<'a, 's> {
    pub(super) fn new(upstream: Upstream<'a, 's, '_>, spec: &'a CallSubquerySpec) -> Result<Self> {
        let Upstream { ctx, input, layout } = upstream;
        Ok(CallSubqueryOp {
            ctx,
            input,
            returned: Returned::new(spec, layout)?,
            pending: VecDeque::new(),
        })
    }
}

impl Op for CallSubqueryOp<'_, '_> {
    fn next(&mut self) -> Result<Option<Row>> {
        next_filled(&mut self.pending, &mut self.input, |row, pending| {
            let start = self.returned.import_row(&row);
            let spec = self.returned.spec;
            let mut per_part = Vec::with_capacity(spec.parts.len());
            for part in &spec.parts {
                let mut op = build(
                    self.ctx,
                    &part.steps,
                    &spec.imports,
                    source(vec![start.clone()]),
                )?;
                let mut rows = Vec::new();
                while let Some(r) = op.next()? {
                    self.ctx.limits.check()?;
                    rows.push(r);
                }
                per_part.push(rows);
            }
            self.returned.extend(&row, per_part, pending);
            Ok(())
        })
    }
}

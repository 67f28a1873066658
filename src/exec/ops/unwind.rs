//! UNWIND: one row per list element (a `range` call is counted, not built).

use super::{BoxOp, Op};
use crate::error::Result;
use crate::exec::eval::{eval, Env};
use crate::exec::expr::{Compiled, Function, Kind};
use crate::exec::{Ctx, Row};
use crate::value::Value;

pub(super) struct UnwindOp<'a, 's> {
    pub(super) ctx: &'a Ctx<'a, 's>,
    pub(super) input: BoxOp<'a>,
    pub(super) expr: Compiled<'a>,
    pub(super) pending: Unwinding,
}

/// The elements of the current input row still to be emitted.
pub(super) enum Unwinding {
    Nothing,
    List(Row, std::vec::IntoIter<Value>),
    /// `range(…)` streamed without building its list: the next value, how many values
    /// remain, and the step between them.
    Range(Row, i64, u64, i64),
}

/// The arguments of `expr` if it is a call of `range()`, which UNWIND streams.
fn range_call_args<'e, 'p>(expr: &'e Compiled<'p>) -> Option<&'e [Compiled<'p>]> {
    match &expr.kind {
        Kind::Function(Function::Scalar(name), args)
            if name == "range" && (2..=3).contains(&args.len()) =>
        {
            Some(args)
        }
        _ => None,
    }
}

impl UnwindOp<'_, '_> {
    fn start(&mut self, row: Row) -> Result<()> {
        let env = Env::row(&row);
        if let Some(args) = range_call_args(&self.expr) {
            let values = args
                .iter()
                .map(|a| eval(self.ctx, &env, a))
                .collect::<Result<Vec<_>>>()?;
            if let [start, end, step @ ..] = values.as_slice() {
                let (start, end, step) =
                    crate::exec::functions::range_spec(start, end, &step.first().cloned())?;
                let len = crate::exec::functions::range_len(start, end, step);
                self.pending = Unwinding::Range(row, start, len, step);
                return Ok(());
            }
        }
        self.pending = match eval(self.ctx, &env, &self.expr)? {
            Value::Null => Unwinding::Nothing,
            Value::List(items) => Unwinding::List(row, items.into_iter()),
            other => Unwinding::List(row, vec![other].into_iter()),
        };
        Ok(())
    }
}

impl Op for UnwindOp<'_, '_> {
    fn next(&mut self) -> Result<Option<Row>> {
        loop {
            self.ctx.limits.check()?;
            match &mut self.pending {
                Unwinding::Nothing => {}
                Unwinding::List(row, items) => {
                    if let Some(item) = items.next() {
                        return Ok(Some(extended_with(row, item)));
                    }
                }
                Unwinding::Range(row, next, remaining, step) => {
                    if *remaining > 0 {
                        let value = *next;
                        *remaining -= 1;
                        // Within the range while values remain, so this never saturates
                        // before the last value.
                        *next = next.saturating_add(*step);
                        return Ok(Some(extended_with(row, Value::Int(value))));
                    }
                }
            }
            self.pending = Unwinding::Nothing;
            let Some(row) = self.input.next()? else {
                return Ok(None);
            };
            self.start(row)?;
        }
    }
}

/// `row` followed by `item`.
pub(super) fn extended_with(row: &[Value], item: Value) -> Row {
    let mut out = Vec::with_capacity(row.len() + 1);
    out.extend_from_slice(row);
    out.push(item);
    out
}

//! CALL of a procedure per input row, with its YIELD columns.

use super::{next_filled, BoxOp, Op, Upstream};
use crate::catalog::procedures::{Procedure, Signature};
use crate::error::{Error, ErrorClass, Result};
use crate::exec::eval::{eval, is_true, Env};
use crate::exec::expr::{compile_all, compile_opt, Compiled};
use crate::exec::{Ctx, Row};
use crate::plan::CallSpec;
use crate::value::Value;
use std::collections::VecDeque;

pub(super) struct CallOp<'a, 's> {
    ctx: &'a Ctx<'a, 's>,
    input: BoxOp<'a>,
    spec: &'a CallSpec,
    procedure: Procedure,
    /// The arguments as written, or (for `CALL name` without parentheses) the
    /// parameters named like the procedure's inputs.
    args: Vec<Compiled<'a>>,
    /// For each YIELD column, the position of its output in the procedure's rows.
    picks: Vec<usize>,
    /// The YIELD's WHERE, on the input row followed by the yielded columns.
    where_: Option<Compiled<'a>>,
    pending: VecDeque<Row>,
}

impl<'a, 's> CallOp<'a, 's> {
    pub(super) fn new(upstream: Upstream<'a, 's, '_>, spec: &'a CallSpec) -> Result<Self> {
        let Upstream { ctx, input, layout } = upstream;
        let procedure = ctx.registry.procedure(&spec.name)?;
        let signature = &procedure.signature;
        let args = match &spec.args {
            Some(args) => compile_all(ctx, args, layout)?,
            None => signature
                .inputs
                .iter()
                .map(|(n, _)| {
                    let value = ctx.params.get(n).cloned().ok_or_else(|| {
                        Error::new(
                            ErrorClass::ParameterMissing,
                            "MissingParameter",
                            format!("expected a value for parameter ${n}"),
                        )
                    })?;
                    Ok(Compiled::constant_value(value))
                })
                .collect::<Result<_>>()?,
        };
        let picks = yield_picks(spec, signature)?;
        let mut out_layout = layout.to_vec();
        out_layout.extend(spec.yields.iter().map(|(_, v)| v.clone()));
        Ok(CallOp {
            ctx,
            input,
            spec,
            args,
            picks,
            where_: compile_opt(ctx, spec.where_.as_ref(), &out_layout)?,
            procedure,
            pending: VecDeque::new(),
        })
    }
}

/// For each YIELD column of `spec`, the position of its output in the procedure's rows.
pub(crate) fn yield_picks(spec: &CallSpec, signature: &Signature) -> Result<Vec<usize>> {
    spec.yields
        .iter()
        .map(|(field, _)| {
            signature
                .outputs
                .iter()
                .position(|(n, _)| n == field)
                .ok_or_else(|| {
                    Error::syntax(
                        "UndefinedVariable",
                        format!("procedure {} has no output `{field}`", spec.name),
                    )
                })
        })
        .collect()
}

impl Op for CallOp<'_, '_> {
    fn next(&mut self) -> Result<Option<Row>> {
        next_filled(&mut self.pending, &mut self.input, |row, pending| {
            let env = Env::row(&row);
            let args: Vec<Value> = self
                .args
                .iter()
                .map(|a| eval(self.ctx, &env, a))
                .collect::<Result<_>>()?;
            let results = self.procedure.call(self.ctx.txn, &args)?;
            if self.procedure.signature.outputs.is_empty() {
                // A procedure without outputs passes its input row through inside a
                // query, and returns nothing as a statement of its own.
                if !self.spec.standalone {
                    pending.push_back(row);
                }
                return Ok(());
            }
            for result in results {
                let mut out = row.clone();
                out.extend(
                    self.picks
                        .iter()
                        .map(|&i| result.get(i).cloned().unwrap_or(Value::Null)),
                );
                if let Some(w) = &self.where_ {
                    if !is_true(&eval(self.ctx, &Env::row(&out), w)?) {
                        continue;
                    }
                }
                pending.push_back(out);
            }
            Ok(())
        })
    }
}

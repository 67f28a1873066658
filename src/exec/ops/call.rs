//! CALL of a procedure per input row, with its YIELD columns.

use super::{BoxOp, Op};
use crate::error::{Error, ErrorClass, Result};
use crate::exec::eval::{eval, is_true, Env};
use crate::exec::{Ctx, Row};
use crate::plan::CallSpec;
use crate::value::Value;
use std::collections::VecDeque;

pub(super) struct CallOp<'a, 's> {
    pub(super) ctx: &'a Ctx<'a, 's>,
    pub(super) input: BoxOp<'a>,
    pub(super) layout: Vec<String>,
    pub(super) spec: &'a CallSpec,
    pub(super) pending: VecDeque<Row>,
}

impl Op for CallOp<'_, '_> {
    fn next(&mut self) -> Result<Option<Row>> {
        loop {
            if let Some(r) = self.pending.pop_front() {
                return Ok(Some(r));
            }
            let Some(row) = self.input.next()? else {
                return Ok(None);
            };
            let signature = self
                .ctx
                .registry
                .signature(&self.spec.name)
                .ok_or_else(|| {
                    Error::new(
                        ErrorClass::ProcedureError,
                        "ProcedureNotFound",
                        format!("there is no procedure named '{}'", self.spec.name),
                    )
                })?;
            let env = Env::row(&self.layout, &row);
            let args: Vec<Value> = match &self.spec.args {
                Some(args) => args
                    .iter()
                    .map(|a| eval(self.ctx, &env, a))
                    .collect::<Result<_>>()?,
                None => signature
                    .inputs
                    .iter()
                    .map(|(n, _)| {
                        self.ctx.params.get(n).cloned().ok_or_else(|| {
                            Error::new(
                                ErrorClass::ParameterMissing,
                                "MissingParameter",
                                format!("expected a value for parameter ${n}"),
                            )
                        })
                    })
                    .collect::<Result<_>>()?,
            };
            let results = self
                .ctx
                .registry
                .call(self.ctx.txn, &self.spec.name, &args)?;
            let picks: Vec<usize> = self
                .spec
                .yields
                .iter()
                .map(|(field, _)| {
                    signature
                        .outputs
                        .iter()
                        .position(|(n, _)| n == field)
                        .ok_or_else(|| {
                            Error::syntax(
                                "UndefinedVariable",
                                format!("procedure {} has no output `{field}`", self.spec.name),
                            )
                        })
                })
                .collect::<Result<_>>()?;
            if signature.outputs.is_empty() {
                // A procedure without outputs passes its input row through inside a
                // query, and returns nothing as a statement of its own.
                if self.spec.standalone {
                    continue;
                }
                return Ok(Some(row));
            }
            let mut out_layout = self.layout.clone();
            out_layout.extend(self.spec.yields.iter().map(|(_, v)| v.clone()));
            for result in results {
                let mut out = row.clone();
                out.extend(
                    picks
                        .iter()
                        .map(|&i| result.get(i).cloned().unwrap_or(Value::Null)),
                );
                if let Some(w) = &self.spec.where_ {
                    if !is_true(&eval(self.ctx, &Env::row(&out_layout, &out), w)?) {
                        continue;
                    }
                }
                self.pending.push_back(out);
            }
        }
    }
}

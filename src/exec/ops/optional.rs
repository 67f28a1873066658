//! OPTIONAL MATCH: the inner steps per row, or the row once with nulls.

use super::{build, source, BoxOp, Op};
use crate::error::Result;
use crate::exec::{Ctx, Row};
use crate::plan::Step;
use crate::value::Value;

pub(super) struct OptionalOp<'a, 's> {
    pub(super) ctx: &'a Ctx<'a, 's>,
    pub(super) input: BoxOp<'a>,
    pub(super) steps: &'a [Step],
    pub(super) layout: Vec<String>,
    pub(super) new_count: usize,
    pub(super) inner: Option<(BoxOp<'a>, Row, bool)>,
}

impl Op for OptionalOp<'_, '_> {
    fn next(&mut self) -> Result<Option<Row>> {
        loop {
            if let Some((inner, row, produced)) = &mut self.inner {
                if let Some(r) = inner.next()? {
                    *produced = true;
                    return Ok(Some(r));
                }
                let fallback = if *produced {
                    None
                } else {
                    let mut out = row.clone();
                    out.extend(std::iter::repeat_n(Value::Null, self.new_count));
                    Some(out)
                };
                self.inner = None;
                if fallback.is_some() {
                    return Ok(fallback);
                }
            }
            let Some(row) = self.input.next()? else {
                return Ok(None);
            };
            let inner = build(
                self.ctx,
                self.steps,
                &self.layout,
                source(vec![row.clone()]),
            )?;
            self.inner = Some((inner, row, false));
        }
    }
}

//! Node scans: every node of a label, an index seek or range, or one node by id, with the
//! comparisons the planner fused into the scan; and the filter on an already bound node.

use super::{eval_props, extended, node_id, node_matches, Batch, BoxOp, LabelTest, Op, BATCH_ROWS};
use crate::ast::CompareOp;
use crate::error::Result;
use crate::exec::eval::{self, eval, Env, NodeOperand};
use crate::exec::expr::{compile, Compiled};
use crate::exec::{Ctx, Row};
use crate::plan::Access;
use crate::storage::Scan;
use crate::value::{Map, Node, NodeId, Value};

/// A scan in progress: the input row, the node iterator, the evaluated property map and
/// the label the iterator already guarantees.
/// `None` for the label when the scan ensures every node matches (the pattern's one
/// label, no properties): nothing is tested per node.
type OpenScan<'a> = (Row, Scan<'a, NodeId>, Option<Map>, Option<Option<&'a str>>);

pub(super) struct ScanOp<'a, 's> {
    pub(super) ctx: &'a Ctx<'a, 's>,
    pub(super) input: BoxOp<'a>,
    pub(super) access: Seek<'a>,
    pub(super) labels: LabelTest<'a>,
    pub(super) props: Option<Compiled<'a>>,
    /// Comparisons of the scanned node's properties the planner gave the scan.
    pub(super) filters: Vec<(CompareOp, NodeOperand<'a>, NodeOperand<'a>)>,
    pub(super) current: Option<OpenScan<'a>>,
}

/// How a scan finds its nodes: the planner's `Access` with its expressions compiled
/// against the scan's input row.
pub(super) enum Seek<'a> {
    All,
    ById(Compiled<'a>),
    Label(&'a str),
    IndexEq {
        label: &'a str,
        key: &'a str,
        value: Compiled<'a>,
    },
    IndexRange {
        label: &'a str,
        key: &'a str,
        lower: Option<(Compiled<'a>, bool)>,
        upper: Option<(Compiled<'a>, bool)>,
    },
}

impl<'a> Seek<'a> {
    pub(super) fn new(ctx: &Ctx<'a, '_>, access: &'a Access, layout: &[String]) -> Result<Self> {
        let bound = |b: &'a Option<(crate::ast::Expr, bool)>| {
            b.as_ref()
                .map(|(e, inclusive)| compile(ctx, e, layout).map(|c| (c, *inclusive)))
                .transpose()
        };
        Ok(match access {
            Access::All => Seek::All,
            Access::ById(e) => Seek::ById(compile(ctx, e, layout)?),
            Access::Label(l) => Seek::Label(l),
            Access::IndexEq { label, key, value } => Seek::IndexEq {
                label,
                key,
                value: compile(ctx, value, layout)?,
            },
            Access::IndexRange {
                label,
                key,
                lower,
                upper,
            } => Seek::IndexRange {
                label,
                key,
                lower: bound(lower)?,
                upper: bound(upper)?,
            },
        })
    }
}

impl<'a> ScanOp<'a, '_> {
    fn open(&self, row: &[Value]) -> Result<Option<(Scan<'a, NodeId>, Option<&'a str>)>> {
        let ctx = self.ctx;
        let txn = ctx.txn;
        let env = Env::row(row);
        Ok(match &self.access {
            Seek::All => Some((txn.all_nodes(), None)),
            Seek::ById(e) => {
                let found = match eval(ctx, &env, e)? {
                    Value::Int(i) => match u64::try_from(i) {
                        Ok(id) if txn.node_exists(id)? => Some(id),
                        _ => None,
                    },
                    _ => None,
                };
                let scan: Scan<'a, NodeId> = Box::new(found.into_iter().map(Ok));
                Some((scan, None))
            }
            Seek::Label(l) => Some((txn.nodes_with_label(l), Some(*l))),
            Seek::IndexEq { label, key, value } => {
                let v = eval(ctx, &env, value)?;
                if v.is_null() {
                    return Ok(None);
                }
                match txn.index_seek(label, key, &v) {
                    Some(scan) => Some((scan, None)),
                    None => Some((txn.nodes_with_label(label), Some(*label))),
                }
            }
            Seek::IndexRange {
                label,
                key,
                lower,
                upper,
            } => {
                let lo = lower
                    .as_ref()
                    .map(|(e, inc)| eval(ctx, &env, e).map(|v| (v, *inc)))
                    .transpose()?;
                let hi = upper
                    .as_ref()
                    .map(|(e, inc)| eval(ctx, &env, e).map(|v| (v, *inc)))
                    .transpose()?;
                if lo.as_ref().is_some_and(|(v, _)| v.is_null())
                    || hi.as_ref().is_some_and(|(v, _)| v.is_null())
                {
                    return Ok(None);
                }
                match txn.index_range(
                    label,
                    key,
                    lo.as_ref().map(|(v, i)| (v, *i)),
                    hi.as_ref().map(|(v, i)| (v, *i)),
                ) {
                    Some(scan) => Some((scan, None)),
                    None => Some((txn.nodes_with_label(label), Some(*label))),
                }
            }
        })
    }
}

impl ScanOp<'_, '_> {
    /// Finds the next matching nodes, handing each to `emit` with its input row until
    /// `emit` says it wants no more; false when the scan is done.
    fn fill(&mut self, mut emit: impl FnMut(&Row, NodeId) -> Result<bool>) -> Result<bool> {
        loop {
            if let Some((row, scan, props, test)) = &mut self.current {
                for id in scan.by_ref() {
                    let id = id?;
                    self.ctx.limits.check()?;
                    if self.ctx.deleted_nodes.contains(&id) {
                        continue;
                    }
                    let matches = match test {
                        None => true,
                        Some(skip) => {
                            node_matches(self.ctx, id, &self.labels, *skip, props.as_ref())?
                        }
                    };
                    if matches && passes(self.ctx, &self.filters, id)? && !emit(row, id)? {
                        return Ok(true);
                    }
                }
                self.current = None;
            }
            let Some(row) = self.input.next()? else {
                return Ok(false);
            };
            let Some(props) = eval_props(self.ctx, &row, self.props.as_ref())? else {
                continue;
            };
            if let Some((scan, skip)) = self.open(&row)? {
                let ensured = props.is_none()
                    && match self.labels.names {
                        [] => true,
                        [only] => Some(only.as_str()) == skip,
                        _ => false,
                    };
                let test = (!ensured).then_some(skip);
                self.current = Some((row, scan, props, test));
            }
        }
    }
}

impl Op for ScanOp<'_, '_> {
    fn next(&mut self) -> Result<Option<Row>> {
        let mut found = None;
        self.fill(|row, id| {
            let mut out = extended(row, 1);
            out.push(Value::Node(Node::with_id(id)));
            found = Some(out);
            Ok(false)
        })?;
        Ok(found)
    }

    fn next_batch(&mut self, batch: &mut Batch) -> Result<bool> {
        batch.clear();
        self.fill(|row, id| {
            batch.push_extended(row, [Value::Node(Node::with_id(id))]);
            Ok(batch.len() < BATCH_ROWS)
        })?;
        Ok(batch.len() > 0)
    }
}

/// Whether node `id` passes every comparison of `filters`.
pub(super) fn passes(
    ctx: &Ctx<'_, '_>,
    filters: &[(CompareOp, NodeOperand<'_>, NodeOperand<'_>)],
    id: NodeId,
) -> Result<bool> {
    for (op, left, right) in filters {
        let kept = left.with_value(ctx, id, |l| {
            right.with_value(ctx, id, |r| Ok(eval::compare(*op, l, r) == Some(true)))
        })?;
        if !kept {
            return Ok(false);
        }
    }
    Ok(true)
}

pub(super) struct NodeFilterOp<'a, 's> {
    pub(super) ctx: &'a Ctx<'a, 's>,
    pub(super) input: BoxOp<'a>,
    pub(super) slot: usize,
    pub(super) labels: LabelTest<'a>,
    pub(super) props: Option<Compiled<'a>>,
}

impl Op for NodeFilterOp<'_, '_> {
    fn next(&mut self) -> Result<Option<Row>> {
        while let Some(row) = self.input.next()? {
            let Some(id) = row.get(self.slot).and_then(node_id) else {
                continue;
            };
            let Some(props) = eval_props(self.ctx, &row, self.props.as_ref())? else {
                continue;
            };
            if node_matches(self.ctx, id, &self.labels, None, props.as_ref())? {
                return Ok(Some(row));
            }
        }
        Ok(None)
    }
}

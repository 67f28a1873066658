//! The hash join of two independently scanned pattern parts tied by an equality.

use super::{build, source, BoxOp, Op, Upstream};
use crate::ast::CompareOp;
use crate::error::Result;
use crate::exec::eval::{self, eval, Env};
use crate::exec::expr::{compile, Compiled};
use crate::exec::memory::{row_bytes, value_bytes, Held};
use crate::exec::{Ctx, Row};
use crate::plan::HashJoinSpec;
use crate::value::Value;
// foldhash: these sets and maps hash node ids and group keys on the hot paths (DISTINCT,
// grouping, reachability); SipHash's flooding resistance buys nothing there.
use foldhash::{HashMap, HashMapExt};
use std::hash::{BuildHasher, Hasher};

/// The hash of a join key: equal values (as `=` compares them) hash alike. Numbers
/// hash as floats, so `1` meets `1.0`; lists, maps, entities and temporal values share
/// one bucket, where `=` decides. `None` for keys that equal nothing (null, NaN).
pub(super) fn join_hash(v: &Value, hasher: &foldhash::fast::RandomState) -> Option<u64> {
    let mut state = hasher.build_hasher();
    match v {
        Value::Null => return None,
        Value::Float(f) if f.is_nan() => return None,
        Value::Int(i) => number_bits(*i as f64, &mut state),
        Value::Float(f) => number_bits(*f, &mut state),
        Value::String(s) => {
            state.write_u8(1);
            state.write(s.as_bytes());
        }
        Value::Bool(b) => {
            state.write_u8(2);
            state.write_u8(u8::from(*b));
        }
        _ => state.write_u8(3),
    }
    Some(state.finish())
}

pub(super) fn number_bits(f: f64, state: &mut impl Hasher) {
    state.write_u8(0);
    // -0.0 = 0.0
    state.write_u64(if f == 0.0 { 0 } else { f.to_bits() });
}

/// The build side of a hash join: its rows, their keys, and the rows by key hash.
pub(super) struct JoinTable {
    rows: Vec<Row>,
    keys: Vec<Value>,
    by_hash: HashMap<u64, Vec<usize>>,
}

pub(super) struct HashJoinOp<'a, 's> {
    ctx: &'a Ctx<'a, 's>,
    input: BoxOp<'a>,
    spec: &'a HashJoinSpec,
    probe: Compiled<'a>,
    /// The build rows' key, compiled against their layout.
    build_key: Compiled<'a>,
    hasher: foldhash::fast::RandomState,
    table: Option<JoinTable>,
    /// The input row being joined, its key and the build rows left to try.
    current: Option<(Row, Value, std::vec::IntoIter<usize>)>,
    /// What the build side holds.
    held: Held<'a>,
}

impl<'a, 's> HashJoinOp<'a, 's> {
    pub(super) fn new(upstream: Upstream<'a, 's, '_>, spec: &'a HashJoinSpec) -> Result<Self> {
        let Upstream { ctx, input, layout } = upstream;
        Ok(HashJoinOp {
            ctx,
            input,
            spec,
            probe: compile(ctx, &spec.probe_key, layout)?,
            build_key: compile(ctx, &spec.build_key, &spec.build_vars)?,
            hasher: foldhash::fast::RandomState::default(),
            table: None,
            current: None,
            held: Held::new(&ctx.limits.memory, "a hash join's build side"),
        })
    }

    /// Runs the build side once, when the first input row arrives (with no input row,
    /// the build side is not evaluated, as a nested loop would not).
    fn build_table(&mut self) -> Result<()> {
        if self.table.is_none() {
            let mut table = JoinTable {
                rows: Vec::new(),
                keys: Vec::new(),
                by_hash: HashMap::new(),
            };
            let mut build = build(self.ctx, &self.spec.build, &[], source(vec![Vec::new()]))?;
            while let Some(row) = build.next()? {
                self.ctx.limits.check()?;
                let key = eval(self.ctx, &Env::row(&row), &self.build_key)?;
                if let Some(hash) = join_hash(&key, &self.hasher) {
                    self.held.grow(row_bytes(&row) + value_bytes(&key))?;
                    table
                        .by_hash
                        .entry(hash)
                        .or_default()
                        .push(table.rows.len());
                    table.rows.push(row);
                    table.keys.push(key);
                }
            }
            self.table = Some(table);
        }
        Ok(())
    }
}

impl Op for HashJoinOp<'_, '_> {
    fn next(&mut self) -> Result<Option<Row>> {
        loop {
            let Some(table) = &self.table else {
                let Some(row) = self.input.next()? else {
                    return Ok(None);
                };
                self.build_table()?;
                self.start_probe(row)?;
                continue;
            };
            if let Some((row, key, candidates)) = &mut self.current {
                for i in candidates.by_ref() {
                    let (Some(keyed), Some(built)) = (table.keys.get(i), table.rows.get(i)) else {
                        continue;
                    };
                    if eval::compare(CompareOp::Eq, key, keyed) == Some(true) {
                        let mut out = Vec::with_capacity(row.len() + built.len());
                        out.extend(row.iter().cloned());
                        out.extend(built.iter().cloned());
                        return Ok(Some(out));
                    }
                }
                self.current = None;
            }
            let Some(row) = self.input.next()? else {
                return Ok(None);
            };
            self.start_probe(row)?;
        }
    }
}

impl HashJoinOp<'_, '_> {
    /// Makes `row` the input row being joined.
    fn start_probe(&mut self, row: Row) -> Result<()> {
        self.ctx.limits.check()?;
        let key = eval(self.ctx, &Env::row(&row), &self.probe)?;
        let candidates = join_hash(&key, &self.hasher)
            .and_then(|h| self.table.as_ref()?.by_hash.get(&h))
            .cloned()
            .unwrap_or_default();
        self.current = Some((row, key, candidates.into_iter()));
        Ok(())
    }
}

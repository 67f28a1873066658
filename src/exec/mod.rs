//! The executor: binds, plans and runs one statement against a transaction.
//!
//! A statement's plan is a list of steps (see `plan`). Reading steps stream rows through
//! pull operators over a shared `&Txn` (`ops`); a writing step (CREATE, MERGE, SET,
//! REMOVE, DELETE) needs `&mut Txn`, so the rows before it are materialized, the write is
//! applied to each row in order (`write`), and the following steps read from those rows.
//! This gives openCypher's clause-at-a-time semantics for writes while a read-only query
//! streams end to end (`MATCH (n) RETURN n LIMIT 1` stops after one node).
//!
//! Rows hold entity identities only; the final result is filled with labels and
//! properties as of the end of the statement.

pub mod aggregate;
pub(crate) mod eval;
pub(crate) mod expr;
pub mod functions;
pub(crate) mod memory;
pub(crate) mod ops;
mod plans;
mod timed;
pub(crate) mod write;

use crate::ast;
use crate::catalog::procedures::Registry;
use crate::error::{Error, ErrorClass, Result};
use crate::plan::{self, Plan, Step};
use crate::storage::{SchemaKind, Txn};
use crate::value::{Node, Path, Relationship, Value};
use crate::{Params, QueryOptions, QueryResult, Stats};
pub use plans::PlanCache;
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

/// One row: values in the order of the step's layout (a list of variable names).
pub(crate) type Row = Vec<Value>;

/// Entities deleted so far in this statement and what the statement changed.
#[derive(Default)]
pub(crate) struct WriteState {
    pub deleted_nodes: HashSet<u64>,
    pub deleted_rels: HashSet<u64>,
    /// Nodes deleted while they still had relationships: they stay in the store until
    /// the statement ends, when each must have lost them (see `delete_connected_nodes`).
    pub connected_deleted: HashSet<u64>,
    pub stats: Stats,
}

/// Removes the nodes a DELETE left connected, or fails if one still has relationships.
fn delete_connected_nodes(txn: &mut Txn<'_>, state: &mut WriteState) -> Result<()> {
    let mut nodes: Vec<u64> = state.connected_deleted.drain().collect();
    nodes.sort_unstable();
    for n in nodes {
        if txn.degree(n, crate::storage::Dir::Both, &[])? > 0 {
            return Err(Error::new(
                ErrorClass::ConstraintVerificationFailed,
                "DeleteConnectedNode",
                "cannot delete a node that still has relationships; use DETACH DELETE",
            ));
        }
        txn.delete_node(n)?;
    }
    Ok(())
}

/// What every operator and expression of a statement shares while reading.
pub(crate) struct Ctx<'a, 's> {
    pub txn: &'a Txn<'s>,
    pub params: &'a Params,
    pub registry: &'a Registry,
    /// The folder `LOAD CSV` reads below; `None`: `LOAD CSV` is off.
    pub import_dir: Option<&'a std::path::Path>,
    pub deleted_nodes: &'a HashSet<u64>,
    pub deleted_rels: &'a HashSet<u64>,
    pub text: &'a str,
    pub limits: &'a Limits,
    /// Plans of pattern predicates and subqueries, built once per expression.
    pub subplans: &'a plan::SubPlans,
    /// Rows and time per step when profiling (indexed by step id).
    pub profile: Option<&'a RefCell<HashMap<usize, (u64, Duration)>>>,
    pub key_tokens: KeyTokens,
}

/// The property key tokens this statement's `var.key` expressions looked up, so a
/// property read per row compares a short name instead of hashing it. Only found tokens
/// are kept: a key first used by a write later in the statement is looked up again.
#[derive(Default)]
pub(crate) struct KeyTokens(RefCell<Vec<(String, crate::storage::Token)>>);

/// At most this many keys are remembered per statement.
const MAX_KEY_TOKENS: usize = 32;

impl Ctx<'_, '_> {
    /// The token of property key `name`.
    pub fn key_token(&self, name: &str) -> Option<crate::storage::Token> {
        let mut known = self.key_tokens.0.borrow_mut();
        if let Some((_, token)) = known.iter().find(|(k, _)| k == name) {
            return Some(*token);
        }
        let token = self.txn.property_key(name)?;
        if known.len() < MAX_KEY_TOKENS {
            known.push((name.to_string(), token));
        }
        Some(token)
    }

    /// `node.key` (the store keeps committed records decoded in memory).
    pub fn node_property(&self, id: u64, key: &str) -> Result<Option<Value>> {
        self.txn.node_property(id, key)
    }
}

/// Cancellation, timeout and memory budget of one statement.
pub(crate) struct Limits {
    pub cancel: Option<crate::CancelToken>,
    pub deadline: Option<Instant>,
    pub ticks: Cell<u32>,
    pub memory: memory::Budget,
}

impl Limits {
    /// Called in every loop that can run long; looks at the clock every 1024 calls.
    pub fn check(&self) -> Result<()> {
        let t = self.ticks.get().wrapping_add(1);
        self.ticks.set(t);
        if !t.is_multiple_of(1024) {
            return Ok(());
        }
        if let Some(c) = &self.cancel {
            if c.is_cancelled() {
                return Err(Error::new(
                    ErrorClass::TransactionError,
                    "Cancelled",
                    "the statement was cancelled",
                ));
            }
        }
        if let Some(d) = self.deadline {
            if Instant::now() >= d {
                return Err(Error::new(
                    ErrorClass::TransactionError,
                    "Timeout",
                    "the statement ran past its timeout",
                ));
            }
        }
        Ok(())
    }
}

/// The transaction a statement runs in.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum TxnKind {
    /// Its own, committed when it ends (`Database::execute`): the statement may commit
    /// batches of its own on the way (`CALL { … } IN TRANSACTIONS`).
    Implicit,
    /// One that holds other statements too (`Database::begin`, a fact file's load).
    Explicit,
}

/// What a statement uses of the database besides its transaction.
pub(crate) struct DatabaseParts<'d> {
    /// The procedures a statement may call.
    pub registry: &'d Registry,
    /// The plans kept for texts run before (one cache per database).
    pub plans: &'d PlanCache,
    /// The folder `LOAD CSV` reads below; `None`: `LOAD CSV` is off.
    pub import_dir: Option<&'d std::path::Path>,
}

/// Parses, plans and runs `query` in `txn` (of `kind`) with the database's `parts`. On
/// error the caller discards the transaction (or rolls back to its savepoint).
/// What in the statement `query` may write, as far as can be known before it is planned:
/// the name of its first updating clause (also under EXPLAIN or PROFILE, inside CALL
/// subqueries, AS OF or VALID AT) and where it starts, or a schema command (no position).
/// `None`: it only reads, but for write procedures, which show only in the plan. A
/// statement that fails to parse is `None` too, as its error needs no writer's turn.
pub(crate) fn writing_clause(query: &str) -> Option<(&'static str, Option<usize>)> {
    let statement = crate::parse::cached_statement(query).ok()?;
    let inner = match statement.as_ref() {
        ast::Statement::Explain(inner) | ast::Statement::Profile(inner) => inner.as_ref(),
        other => other,
    };
    let found = match inner {
        ast::Statement::Query(q) => q.first_update(false),
        ast::Statement::Timed(t) => t.query.first_update(false),
        _ => return Some(("a schema command", None)),
    };
    found.map(|(name, span)| (name, Some(span.start)))
}

/// The error of a statement that writes where only reading is allowed
/// (`QueryOptions::read_only`); `what` names what writes, `at` where, in `query`.
pub(crate) fn access_mode_error(query: &str, what: &str, at: Option<usize>) -> Error {
    let error = Error::new(
        ErrorClass::TransactionError,
        "AccessMode",
        format!("the statement writes ({what}), but it runs in read access mode"),
    );
    match at {
        Some(offset) => error.at(query, offset),
        None => error,
    }
}

pub(crate) fn execute_cached(
    txn: &mut Txn<'_>,
    kind: TxnKind,
    query: &str,
    params: &Params,
    options: &QueryOptions,
    parts: &DatabaseParts<'_>,
) -> Result<QueryResult> {
    let registry = parts.registry;
    let plans = Some(parts.plans);
    // openCypher reads the clock once per statement: every date(), datetime(), … in it
    // sees the same instant (`*.realtime()` excepted).
    let _statement_clock = crate::value::temporal::StatementClock::start();
    let statement = crate::parse::cached_statement(query)?;
    let limits = Limits {
        cancel: options.cancel.clone(),
        deadline: options.timeout.map(|t| Instant::now() + t),
        ticks: Cell::new(0),
        memory: memory::Budget::new(options.memory_limit),
    };
    let run = StatementEnv {
        text: query,
        params,
        registry,
        import_dir: parts.import_dir,
        limits: &limits,
        kind,
    };
    let (mode, inner) = match statement.as_ref() {
        ast::Statement::Explain(inner) => (Mode::Explain, inner.as_ref()),
        ast::Statement::Profile(inner) => (Mode::Profile, inner.as_ref()),
        other => (Mode::Run, other),
    };
    match inner {
        ast::Statement::Query(q) => match options.as_of {
            Some(tx) => timed::run(&run, txn, timed::Timing::transaction(tx), q, mode),
            None => run.query(txn, q, mode, plans),
        },
        ast::Statement::Timed(t) => {
            let timing = timed::Timing::of(t, options.as_of);
            timed::run(&run, txn, timing, &t.query, mode)
        }
        ast::Statement::Schema(_) if options.as_of.is_some() => Err(Error::syntax(
            "InvalidTimeTravelWrite",
            "a schema command cannot run AS OF an earlier transaction",
        )),
        ast::Statement::Schema(_) if mode == Mode::Explain => Ok(QueryResult {
            plan: Some("SchemaCommand\n".to_string()),
            ..QueryResult::default()
        }),
        ast::Statement::Schema(cmd) => schema_command(txn, cmd),
        ast::Statement::Explain(_) | ast::Statement::Profile(_) => Err(Error::syntax(
            "InvalidSyntax",
            "EXPLAIN and PROFILE apply to one query or schema command",
        )),
    }
}

/// What is done with a query's plan.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Run,
    /// Plan it, run nothing.
    Explain,
    /// Run it, and report rows and time per operator.
    Profile,
}

/// What every stage of one statement's run shares: its text, parameters, procedures,
/// limits and the kind of transaction it runs in.
pub(crate) struct StatementEnv<'r> {
    pub text: &'r str,
    pub params: &'r Params,
    pub registry: &'r Registry,
    pub import_dir: Option<&'r std::path::Path>,
    pub limits: &'r Limits,
    pub kind: TxnKind,
}

impl StatementEnv<'_> {
    /// Plans `q` in `txn` (with the database's plan cache when `plans` is given) and
    /// runs, explains or profiles it.
    pub fn query(
        &self,
        txn: &mut Txn<'_>,
        q: &ast::Query,
        mode: Mode,
        plans: Option<&PlanCache>,
    ) -> Result<QueryResult> {
        let plan = match plans {
            Some(plans) if mode == Mode::Run => {
                let kept = plans.plan(q, self.text, self.params, txn, self.registry)?;
                return self.run_plan(txn, &kept.plan, None);
            }
            _ => plans::make(q, self.text, self.params, txn, self.registry)?.plan,
        };
        self.run_made(txn, &plan, mode)
    }

    /// The plan of `q`, a query that must not write (it reads the past or one instant):
    /// a write procedure in it is refused here, before anything runs.
    pub fn plan_reading(&self, txn: &Txn<'_>, q: &ast::Query) -> Result<Plan> {
        let plan = plans::make(q, self.text, self.params, txn, self.registry)?.plan;
        if let Some(b) = plan.batching() {
            return Err(Error::syntax(
                "InvalidTimeTravelWrite",
                "CALL { … } IN TRANSACTIONS commits batch by batch, so it cannot run under AS OF or VALID AT, which read the graph as it was",
            )
            .at(self.text, b.at));
        }
        if plan.parts.iter().flat_map(|p| &p.steps).any(Step::is_write) {
            return Err(Error::syntax(
                "InvalidTimeTravelWrite",
                "AS OF and VALID AT read the graph as it was, so a statement under them cannot write",
            ));
        }
        Ok(plan)
    }

    /// Runs, explains or profiles a plan made for this statement.
    pub fn run_made(&self, txn: &mut Txn<'_>, plan: &Plan, mode: Mode) -> Result<QueryResult> {
        match mode {
            Mode::Run => self.run_plan(txn, plan, None),
            Mode::Explain => Ok(QueryResult {
                plan: Some(plan::explain(plan, txn, None)),
                ..QueryResult::default()
            }),
            Mode::Profile => {
                let profile = RefCell::new(HashMap::new());
                let mut result = self.run_plan(txn, plan, Some(&profile))?;
                result.plan = Some(plan::explain(plan, txn, Some(&profile.borrow())));
                Ok(result)
            }
        }
    }

    /// A reading context over `txn` as it is now, with what the statement deleted.
    pub fn ctx<'a, 's>(
        &'a self,
        txn: &'a Txn<'s>,
        state: &'a WriteState,
        subplans: &'a plan::SubPlans,
        profile: Option<&'a RefCell<HashMap<usize, (u64, Duration)>>>,
    ) -> Ctx<'a, 's> {
        Ctx {
            txn,
            params: self.params,
            registry: self.registry,
            import_dir: self.import_dir,
            deleted_nodes: &state.deleted_nodes,
            deleted_rels: &state.deleted_rels,
            text: self.text,
            limits: self.limits,
            subplans,
            profile,
            key_tokens: KeyTokens::default(),
        }
    }

    fn run_plan(
        &self,
        txn: &mut Txn<'_>,
        plan: &Plan,
        profile: Option<&RefCell<HashMap<usize, (u64, Duration)>>>,
    ) -> Result<QueryResult> {
        if let Some(b) = plan.batching().filter(|_| self.kind == TxnKind::Explicit) {
            // Neo4j's Neo.DatabaseError.Transaction.TransactionStartFailed.
            return Err(Error::new(
                ErrorClass::TransactionError,
                "TransactionStartFailed",
                "A query with 'CALL { ... } IN TRANSACTIONS' can only be executed in an implicit transaction, but tried to execute in an explicit transaction",
            )
            .at(self.text, b.at));
        }
        let mut state = WriteState::default();
        let subplans = &plan.subplans;
        let mut columns = Vec::new();
        let mut all_rows: Vec<Row> = Vec::new();
        let mut held = memory::Held::new(&self.limits.memory, "the result");
        let mut seen: HashSet<Vec<crate::value::GroupKey>> = HashSet::new();
        for (index, part) in plan.parts.iter().enumerate() {
            let rows = self.run_part(txn, &part.steps, &mut state, subplans, profile)?;
            let layout = plan::layout_after(&part.steps, &[]);
            let visible: Vec<usize> = (0..part.columns.len())
                .filter_map(|i| {
                    part.columns
                        .get(i)
                        .and_then(|c| layout.iter().position(|n| n == c))
                })
                .collect();
            if index == 0 {
                columns = part.columns.clone();
            }
            let distinct = plan.union_distinct;
            for row in rows {
                let out: Row = visible
                    .iter()
                    .map(|&i| row.get(i).cloned().unwrap_or(Value::Null))
                    .collect();
                if distinct && !seen.insert(out.iter().map(Value::group_key).collect()) {
                    continue;
                }
                held.hold_row(&out)?;
                all_rows.push(out);
            }
        }
        delete_connected_nodes(txn, &mut state)?;
        let ctx = self.ctx(txn, &state, subplans, profile);
        for row in &mut all_rows {
            // Entities gain their labels and properties here: what that adds is held too.
            let before = memory::row_bytes(row);
            for v in row.iter_mut() {
                materialize(&ctx, v)?;
            }
            held.grow(memory::row_bytes(row).saturating_sub(before))?;
        }
        if !plan.returns {
            columns.clear();
            all_rows.clear();
        }
        Ok(QueryResult {
            columns,
            rows: all_rows,
            stats: state.stats,
            plan: None,
        })
    }

    /// Runs one single query's steps on the one empty row a query starts from.
    fn run_part(
        &self,
        txn: &mut Txn<'_>,
        steps: &[Step],
        state: &mut WriteState,
        subplans: &plan::SubPlans,
        profile: Option<&RefCell<HashMap<usize, (u64, Duration)>>>,
    ) -> Result<Vec<Row>> {
        self.run_steps(txn, steps, &[], vec![Vec::new()], state, subplans, profile)
    }

    /// Runs `steps` on `rows` (whose variables are `layout`): reading runs stream,
    /// writes break them up.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn run_steps(
        &self,
        txn: &mut Txn<'_>,
        steps: &[Step],
        layout: &[String],
        mut rows: Vec<Row>,
        state: &mut WriteState,
        subplans: &plan::SubPlans,
        profile: Option<&RefCell<HashMap<usize, (u64, Duration)>>>,
    ) -> Result<Vec<Row>> {
        let mut layout: Vec<String> = layout.to_vec();
        // The rows between stages (given back when the next stage has made its own).
        let mut _between = memory::Held::new(
            &self.limits.memory,
            "rows kept between clauses or for the result",
        );
        let mut start = 0;
        while start < steps.len() {
            let end = steps[start..]
                .iter()
                .position(Step::is_write)
                .map_or(steps.len(), |p| start + p);
            if end > start {
                let reading = &steps[start..end];
                let ctx = self.ctx(txn, state, subplans, profile);
                let mut op = ops::build(&ctx, reading, &layout, ops::source(rows))?;
                let mut out = Vec::new();
                let mut out_held = memory::Held::new(
                    &self.limits.memory,
                    "rows kept between clauses or for the result",
                );
                while let Some(row) = op.next()? {
                    self.limits.check()?;
                    out_held.hold_row(&row)?;
                    out.push(row);
                }
                drop(op);
                _between = out_held;
                rows = out;
                layout = plan::layout_after(reading, &layout);
            }
            if let Some(step) = steps.get(end) {
                rows = write::apply(
                    txn,
                    step,
                    &layout,
                    rows,
                    state,
                    &write::WriteEnv {
                        statement: self,
                        subplans,
                    },
                )?;
                layout = plan::layout_after(std::slice::from_ref(step), &layout);
            }
            start = end + 1;
        }
        if steps
            .last()
            .is_some_and(|s| s.is_write() && !matches!(s, Step::Call(c) if !c.yields.is_empty()))
        {
            // A write clause ends the query: no rows are returned (a procedure that
            // writes returns its YIELD rows).
            return Ok(Vec::new());
        }
        Ok(rows)
    }
}

/// Fills labels and properties of every entity inside `v` from the transaction.
pub(crate) fn materialize(ctx: &Ctx<'_, '_>, v: &mut Value) -> Result<()> {
    match v {
        Value::Node(n) => fill_node(ctx, n),
        Value::Relationship(r) => fill_rel(ctx, r),
        Value::Path(p) => fill_path(ctx, p),
        Value::List(items) => items.iter_mut().try_for_each(|x| materialize(ctx, x)),
        Value::Map(m) => m.values_mut().try_for_each(|x| materialize(ctx, x)),
        _ => Ok(()),
    }
}

fn fill_node(ctx: &Ctx<'_, '_>, n: &mut Node) -> Result<()> {
    if ctx.deleted_nodes.contains(&n.id) || !ctx.txn.node_exists(n.id)? {
        return Ok(());
    }
    n.labels = ctx.txn.node_labels(n.id)?;
    n.properties = ctx.txn.node_properties(n.id)?;
    Ok(())
}

fn fill_rel(ctx: &Ctx<'_, '_>, r: &mut Relationship) -> Result<()> {
    if ctx.deleted_rels.contains(&r.id) {
        return Ok(());
    }
    if let Some(info) = ctx.txn.relationship(r.id)? {
        r.rel_type = info.rel_type;
        r.start = info.start;
        r.end = info.end;
        r.properties = ctx.txn.rel_properties(r.id)?;
    }
    Ok(())
}

fn fill_path(ctx: &Ctx<'_, '_>, p: &mut Path) -> Result<()> {
    for n in &mut p.nodes {
        fill_node(ctx, n)?;
    }
    for r in &mut p.relationships {
        fill_rel(ctx, r)?;
    }
    Ok(())
}

/// `CREATE INDEX` or `CREATE CONSTRAINT … IS UNIQUE` on (`label`, `key`); with
/// `IF NOT EXISTS` nothing happens when one of that kind is there already.
fn create_schema(
    txn: &mut Txn<'_>,
    kind: SchemaKind,
    name: &Option<ast::Ident>,
    if_not_exists: bool,
    label: &ast::Ident,
    key: &ast::Ident,
) -> Result<QueryResult> {
    let name = name.as_ref().map(|n| n.name.as_str());
    if if_not_exists
        && txn
            .schema()?
            .iter()
            .any(|e| e.kind == kind && e.label == label.name && e.key == key.name)
    {
        return Ok(QueryResult::default());
    }
    match kind {
        SchemaKind::Index => txn.create_index(name, &label.name, &key.name)?,
        SchemaKind::UniqueConstraint => {
            txn.create_unique_constraint(name, &label.name, &key.name)?
        }
    };
    Ok(QueryResult::default())
}

fn schema_command(txn: &mut Txn<'_>, cmd: &ast::SchemaCommand) -> Result<QueryResult> {
    use ast::SchemaCommand as S;
    match cmd {
        S::CreateIndex {
            name,
            if_not_exists,
            label,
            key,
        } => create_schema(txn, SchemaKind::Index, name, *if_not_exists, label, key),
        S::CreateUniqueConstraint {
            name,
            if_not_exists,
            label,
            key,
        } => create_schema(
            txn,
            SchemaKind::UniqueConstraint,
            name,
            *if_not_exists,
            label,
            key,
        ),
        S::DropIndex { name, if_exists } | S::DropConstraint { name, if_exists } => {
            let dropped = txn.drop_schema(&name.name)?;
            if !dropped && !*if_exists {
                return Err(Error::new(
                    ErrorClass::SemanticError,
                    "SchemaNotFound",
                    format!("there is no index or constraint named '{}'", name.name),
                ));
            }
            Ok(QueryResult::default())
        }
        S::ShowIndexes | S::ShowConstraints => {
            let want = if matches!(cmd, S::ShowIndexes) {
                crate::storage::SchemaKind::Index
            } else {
                crate::storage::SchemaKind::UniqueConstraint
            };
            let rows = txn
                .schema()?
                .into_iter()
                .filter(|e| e.kind == want)
                .map(|e| {
                    vec![
                        Value::String(e.name),
                        Value::String(
                            if want == crate::storage::SchemaKind::Index {
                                "RANGE"
                            } else {
                                "UNIQUENESS"
                            }
                            .to_string(),
                        ),
                        Value::String("NODE".to_string()),
                        Value::List(vec![Value::String(e.label)]),
                        Value::List(vec![Value::String(e.key)]),
                    ]
                })
                .collect();
            Ok(QueryResult {
                columns: ["name", "type", "entityType", "labelsOrTypes", "properties"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
                rows,
                ..QueryResult::default()
            })
        }
    }
}

//! The logical plan: a statement becomes, per single query of a UNION, a list of steps
//! that each take rows and give rows (scan, expand, filter, project, write …).
//!
//! Planning a MATCH picks, per pattern part, the node to start from (a node already
//! bound, else the one with an index seek, else the smallest label), expands from there
//! in both directions along the chain, and places every WHERE conjunct right after the
//! step that binds the last variable it needs (predicate pushdown); a conjunct that reads
//! a shortest path (or its relationships) goes into the shortest-path step, which keeps
//! only the paths that pass it before it counts them. A quantified path pattern is
//! planned apart as the steps of one iteration (its WHERE pushed down among them) that
//! a Repeat step runs iteration after iteration from whichever side of it is bound
//! first. Anonymous nodes and relationships get hidden names (starting with a space) so
//! that relationship uniqueness and paths can refer to them; projections never show
//! hidden names.
//!
//! `explain` prints the plan as an indented tree with estimated rows (and, for PROFILE,
//! the rows and time each step actually took).

use crate::ast::{self, conjuncts, element_vars, mentioned_vars, walk_expr, Expr, ExprKind};
use crate::bound;
use crate::catalog::aggregates::{contains_aggregate, is_aggregate_call};
use crate::catalog::procedures::Registry;
use crate::error::{Error, Result};
use crate::storage::{Dir, Txn};
use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Duration;

/// A planned statement: one part per single query of a UNION.
#[derive(Debug)]
pub struct Plan {
    pub parts: Vec<PlanPart>,
    /// The plans of the statement's subqueries, ordered by where they are written.
    pub subplans: SubPlans,
    /// UNION (not UNION ALL): duplicate rows are removed.
    pub union_distinct: bool,
    /// Whether the statement returns rows (ends in RETURN or CALL).
    pub returns: bool,
    /// The counts the planner's choices rest on, with their values then.
    pub statistics: Vec<(Statistic, u64)>,
}

impl Plan {
    /// The first `CALL { … } IN TRANSACTIONS` of the statement (it stands only in the
    /// statement's own query, never nested).
    pub fn batching(&self) -> Option<&Batching> {
        self.parts
            .iter()
            .flat_map(|p| &p.steps)
            .find_map(|step| match step {
                Step::CallSubquery(c) => c.batches.as_ref(),
                _ => None,
            })
    }
}

/// A count the planner looked at to choose between plans.
#[derive(Clone, Debug, PartialEq)]
pub enum Statistic {
    Nodes,
    Label(String),
}

impl Statistic {
    /// The count now, as `txn` sees it.
    pub fn read(&self, txn: &Txn<'_>) -> u64 {
        match self {
            Statistic::Nodes => txn.node_count(),
            Statistic::Label(label) => txn.label_count(label),
        }
        .unwrap_or(u64::MAX)
    }
}

#[derive(Clone, Debug)]
pub struct PlanPart {
    pub steps: Vec<Step>,
    pub columns: Vec<String>,
}

/// How a node scan finds its nodes.
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)] // built once per statement
pub enum Access {
    All,
    /// `id(n) = expr`: at most one node, looked up directly.
    ById(Expr),
    Label(String),
    IndexEq {
        label: String,
        key: String,
        value: Expr,
    },
    IndexRange {
        label: String,
        key: String,
        lower: Option<(Expr, bool)>,
        upper: Option<(Expr, bool)>,
    },
}

#[derive(Clone, Debug)]
pub struct ExpandSpec {
    pub from: String,
    pub rel: String,
    pub to: String,
    pub dir: Dir,
    pub types: Vec<String>,
    /// `Some((min, max))` for a variable-length relationship.
    pub length: Option<(u64, Option<u64>)>,
    pub rel_props: Option<Expr>,
    pub to_bound: bool,
    pub rel_bound: bool,
    /// Relationships bound earlier in the same MATCH: a match never uses one twice.
    pub unique_with: Vec<String>,
    pub to_labels: Vec<String>,
    pub to_props: Option<Expr>,
    /// The expansion runs against the pattern's written order: a variable-length
    /// relationship list is reversed so it reads in the pattern's order.
    pub reversed: bool,
    /// Only the distinct far nodes matter (the relationships are anonymous and the rows
    /// end up deduplicated): a breadth-first search replaces path enumeration.
    pub distinct_nodes: bool,
    /// Only the number of matching relationships matters (the next step counts rows):
    /// one row per input row carries that number in the relationship's slot instead
    /// of one row per relationship. See `mark_counted_expansions`.
    pub degree_only: bool,
    /// Only the distinct far nodes matter (the next step counts them with
    /// `count(DISTINCT far)`): one row per input row carries the ids of its far nodes,
    /// as a list of integers in the far node's slot. See `mark_counted_expansions`.
    pub far_nodes_only: bool,
    /// With `degree_only`: another single hop from the same node, planned just before
    /// this one, whose relationship and far node nothing later reads. The count is then
    /// of (this hop's, that hop's) relationship pairs, never one relationship twice,
    /// and that hop builds no rows. See `mark_counted_expansions`.
    pub paired: Option<Box<ExpandSpec>>,
}

#[derive(Clone, Debug)]
pub struct ShortestSpec {
    pub from: String,
    pub to: String,
    pub rel: String,
    pub path: Option<String>,
    pub dir: Dir,
    pub types: Vec<String>,
    pub min: u64,
    pub max: Option<u64>,
    pub rel_props: Option<Expr>,
    /// How many paths (or, with `groups`, lengths of paths) to keep per pair of nodes.
    pub count: u64,
    /// Every path of each kept length, not one.
    pub groups: bool,
    /// Conjuncts of the WHERE, over the rows with `rel` and `path` bound, that a path
    /// must pass to be counted.
    pub filters: Vec<Expr>,
    /// Where the pattern is written, for the errors of its search.
    pub at: usize,
}

/// A quantified path pattern between two nodes of a chain, `(x)((a)-[r]->(b)){1,3}(y)`:
/// `steps` match one iteration, on a row of `imports` (the outer variables what is
/// written inside the group reads) then `entry` (the node the iteration starts from);
/// each iteration starts at the node the one before ended at (`exit`), and no
/// relationship is used twice in the whole match (nor one of `unique_with`). A row
/// comes out for each walk of `repetitions` iterations from `from` that ends at `to`
/// (when bound) or binds it, widened by each of `group_vars` as a list in the
/// pattern's order, then `rels` (every relationship, in the path's order), then `to`.
#[derive(Clone, Debug)]
pub struct RepeatSpec {
    pub from: String,
    pub to: String,
    pub to_bound: bool,
    pub repetitions: ast::Repetitions,
    pub imports: Vec<String>,
    pub entry: String,
    pub exit: String,
    pub steps: Vec<Step>,
    /// The group's named variables, each a list outside it.
    pub group_vars: Vec<String>,
    /// The relationships of one iteration (named and hidden), in the pattern's order.
    pub iteration_rels: Vec<String>,
    pub rels: String,
    pub unique_with: Vec<String>,
    /// The walk goes from the pattern's right to its left: `entry` is the group's last
    /// node, and the iterations are put back in the pattern's order.
    pub reversed: bool,
    /// `SHORTEST k [GROUPS]` before the pattern: the walks are searched in order of
    /// length and only those the selector keeps come out.
    pub selector: Option<Box<GroupSelector>>,
    /// The pattern as written, for EXPLAIN.
    pub shown: String,
    /// Where the group is written, for the errors of its search.
    pub at: usize,
}

impl RepeatSpec {
    /// The variables the step adds to its rows, in order (`to` only when it was not
    /// bound before).
    pub fn binds(&self) -> impl Iterator<Item = &String> {
        let path = self.selector.as_ref().and_then(|s| s.path.as_ref());
        let to = (!self.to_bound).then_some(&self.to);
        self.group_vars
            .iter()
            .chain(std::iter::once(&self.rels))
            .chain(to)
            .chain(path)
    }

    /// The variables of the row each iteration's steps start from.
    pub fn iteration_input(&self) -> Vec<String> {
        let mut input = self.imports.clone();
        input.push(self.entry.clone());
        input
    }
}

/// A path selector over a quantified path pattern that is the whole pattern part.
#[derive(Clone, Debug)]
pub struct GroupSelector {
    /// How many paths (or, with `groups`, lengths of paths) to keep per input row.
    pub count: u64,
    pub groups: bool,
    /// Conjuncts of the WHERE a path must pass to be counted, over the output rows.
    pub filters: Vec<Expr>,
    /// The path variable, bound by the search (after `rels`).
    pub path: Option<String>,
    /// The direction and types a search follows backwards from `to` to learn which
    /// nodes can still reach it: every relationship of the group is one of these.
    pub reach: (Dir, Vec<String>),
}

#[derive(Clone, Debug)]
pub struct ProjectSpec {
    /// Output columns: name and expression.
    pub items: Vec<(String, Expr)>,
    /// Columns computed for sorting only (aggregates in ORDER BY), dropped afterwards.
    pub hidden: usize,
    pub distinct: bool,
    pub aggregating: bool,
    pub order_by: Vec<(Expr, bool)>,
    pub skip: Option<Expr>,
    pub limit: Option<Expr>,
    pub where_: Option<Expr>,
    /// ORDER BY / WHERE may also read the variables before the projection.
    pub keep_input: bool,
    /// Each input row stands for as many rows as the integer in this variable (set
    /// with `ExpandSpec::degree_only`).
    pub weight_var: Option<String>,
    /// Each input row stands for one row per node id in the list in this variable (set
    /// with `ExpandSpec::far_nodes_only`).
    pub far_nodes_var: Option<String>,
}

/// A hash join: `build` (steps that read nothing of the input row) runs once; its rows
/// are kept in a hash table by `build_key`, and each input row is joined with the rows
/// whose key equals its `probe_key` (equality as `=` has it: null matches nothing).
#[derive(Clone, Debug)]
pub struct HashJoinSpec {
    pub build: Vec<Step>,
    /// The variables the build rows bind, in their order.
    pub build_vars: Vec<String>,
    pub build_key: Expr,
    pub probe_key: Expr,
}

#[derive(Clone, Debug)]
pub struct CallSpec {
    pub name: String,
    pub args: Option<Vec<Expr>>,
    /// (procedure output, variable).
    pub yields: Vec<(String, String)>,
    pub where_: Option<Expr>,
    /// The whole statement is this call: a procedure without outputs returns no row.
    pub standalone: bool,
    /// The procedure writes: the call runs as a write step.
    pub writes: bool,
}

#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)] // built once per statement
pub enum Step {
    /// Binds a new node variable to each node found by `access` that has `labels` and
    /// `props` and passes `filters`: comparisons that read only the node's properties
    /// and constants, tested before the node's row is built (see `fuse_scan_filters`).
    Scan {
        var: String,
        access: Access,
        labels: Vec<String>,
        props: Option<Expr>,
        filters: Vec<Expr>,
    },
    /// Keeps rows whose (bound) node has `labels` and `props`.
    NodeFilter {
        var: String,
        labels: Vec<String>,
        props: Option<Expr>,
    },
    Expand(Box<ExpandSpec>),
    HashJoin(Box<HashJoinSpec>),
    ShortestPath(Box<ShortestSpec>),
    Repeat(Box<RepeatSpec>),
    Filter(Expr),
    /// Binds a path from a start node and (relationship or relationship list) segments.
    BuildPath {
        var: String,
        start: String,
        rels: Vec<String>,
    },
    /// Runs `steps` per row; a row that they drop comes out once with nulls instead.
    Optional {
        steps: Vec<Step>,
        new_vars: Vec<String>,
    },
    Unwind {
        expr: Expr,
        var: String,
    },
    LoadCsv(Box<LoadCsvSpec>),
    Project(Box<ProjectSpec>),
    Call(Box<CallSpec>),
    Create {
        pattern: ast::Pattern,
        new_vars: Vec<String>,
    },
    Merge {
        clause: Box<ast::MergeClause>,
        new_vars: Vec<String>,
        match_steps: Vec<Step>,
    },
    Set(Vec<ast::SetItem>),
    Remove(Vec<ast::RemoveItem>),
    Delete {
        detach: bool,
        exprs: Vec<Expr>,
    },
    Foreach(Box<ForeachSpec>),
    CallSubquery(Box<CallSubquerySpec>),
}

/// `CALL { … }`: each part of the query runs on a row of `imports` taken from each input
/// row; every row they return extends the input row with `columns` (UNION parts
/// together, without duplicates when `union_distinct`). A subquery that returns nothing
/// (it only writes) passes each input row on once.
#[derive(Clone, Debug)]
pub struct CallSubquerySpec {
    pub imports: Vec<String>,
    pub parts: Vec<PlanPart>,
    pub union_distinct: bool,
    pub columns: Vec<String>,
    /// Whether a part writes, or the subquery runs in transactions of its own: it then
    /// runs as a write step.
    pub writes: bool,
    /// `IN TRANSACTIONS`: the rows are cut into batches, each committed on its own.
    pub batches: Option<Batching>,
}

/// How `CALL { … } IN TRANSACTIONS` cuts its input rows into batches and what a failed
/// batch does.
#[derive(Clone, Debug)]
pub struct Batching {
    /// Rows per batch (`OF n ROWS`), evaluated once before the first batch; `None`:
    /// [`DEFAULT_BATCH_ROWS`].
    pub size: Option<Expr>,
    pub on_error: ast::OnError,
    /// `REPORT STATUS AS s`: the column each row's batch status goes to, after the
    /// subquery's own.
    pub status: Option<String>,
    /// Where `IN TRANSACTIONS` is written.
    pub at: usize,
}

/// Rows per batch of `CALL { … } IN TRANSACTIONS` without `OF n ROWS`, as in Neo4j.
pub const DEFAULT_BATCH_ROWS: usize = 1000;

/// `LOAD CSV`: for each input row, the records of the file `source` names, each
/// binding `var` (a list of fields, or a map when the first record holds `headers`).
#[derive(Clone, Debug)]
pub struct LoadCsvSpec {
    pub source: Expr,
    pub var: String,
    pub headers: bool,
    pub terminator: u8,
}

/// `FOREACH (var IN list | …)`: `steps` (writes, and the reads a MERGE needs) run on
/// each row widened by one element of `list`; the row itself passes on.
#[derive(Clone, Debug)]
pub struct ForeachSpec {
    pub var: String,
    pub list: Expr,
    pub steps: Vec<Step>,
}

impl Step {
    pub fn is_write(&self) -> bool {
        match self {
            Step::CallSubquery(c) => c.writes,
            Step::Call(c) => c.writes,
            _ => matches!(
                self,
                Step::Create { .. }
                    | Step::Merge { .. }
                    | Step::Set(_)
                    | Step::Remove(_)
                    | Step::Delete { .. }
                    | Step::Foreach(_)
            ),
        }
    }
}

/// The variables of the rows after `steps`, starting from `initial`.
pub fn layout_after(steps: &[Step], initial: &[String]) -> Vec<String> {
    let mut layout = initial.to_vec();
    for step in steps {
        let mut push = |name: &String| {
            if !layout.contains(name) {
                layout.push(name.clone());
            }
        };
        match step {
            Step::Scan { var, .. } | Step::Unwind { var, .. } | Step::BuildPath { var, .. } => {
                push(var)
            }
            Step::LoadCsv(l) => push(&l.var),
            Step::Expand(e) => {
                push(&e.rel);
                push(&e.to);
            }
            Step::HashJoin(j) => j.build_vars.iter().for_each(push),
            Step::ShortestPath(s) => {
                push(&s.rel);
                if let Some(p) = &s.path {
                    push(p);
                }
            }
            Step::Repeat(r) => r.binds().for_each(push),
            Step::Optional { new_vars, .. }
            | Step::Create { new_vars, .. }
            | Step::Merge { new_vars, .. } => new_vars.iter().for_each(push),
            Step::Call(c) => c.yields.iter().for_each(|(_, v)| push(v)),
            Step::CallSubquery(c) => {
                c.columns.iter().for_each(&mut push);
                c.batches.iter().flat_map(|b| &b.status).for_each(&mut push);
            }
            Step::Project(p) => {
                layout = p
                    .items
                    .iter()
                    .take(p.items.len() - p.hidden)
                    .map(|(n, _)| n.clone())
                    .collect();
            }
            Step::NodeFilter { .. }
            | Step::Filter(_)
            | Step::Set(_)
            | Step::Remove(_)
            | Step::Delete { .. }
            | Step::Foreach(_) => {}
        }
    }
    layout
}

/// Whether a name is one the planner made up (never shown to the user).
pub fn is_hidden(name: &str) -> bool {
    name.starts_with(' ')
}

struct Planner<'q, 't, 's> {
    text: &'q str,
    /// What binding found: the imports of each subquery.
    bound: &'q bound::Query,
    txn: &'t Txn<'s>,
    registry: &'q Registry,
    anon: usize,
    schema: Vec<crate::storage::SchemaEntry>,
    /// The counts read so far (see `Plan::statistics`).
    statistics: RefCell<Vec<(Statistic, u64)>>,
}

impl<'q, 't, 's> Planner<'q, 't, 's> {
    /// A planner whose made-up names count from `anon` (planners of subqueries start
    /// elsewhere, so their names never meet the outer query's).
    fn new(
        text: &'q str,
        bound: &'q bound::Query,
        txn: &'t Txn<'s>,
        registry: &'q Registry,
        anon: usize,
    ) -> Self {
        Planner {
            text,
            bound,
            txn,
            registry,
            anon,
            schema: txn.schema().unwrap_or_default(),
            statistics: RefCell::default(),
        }
    }
}

/// Plans a whole query (all UNION parts) and its subqueries.
pub fn plan_query(
    query: &ast::Query,
    bound: &bound::Query,
    text: &str,
    txn: &Txn<'_>,
    registry: &Registry,
) -> Result<Plan> {
    let mut planner = Planner::new(text, bound, txn, registry, 0);
    let mut parts = vec![planner.single(&query.first, &[])?];
    let mut union_distinct = false;
    for (all, q) in &query.unions {
        if !all {
            union_distinct = true;
        }
        parts.push(planner.single(q, &[])?);
    }
    let subplans = SubPlans(
        bound
            .subqueries
            .iter()
            .map(|s| planner.subquery(s))
            .collect::<Result<_>>()?,
    );
    refuse_writes_before_batches(&parts, text)?;
    // A statement ending in a call of a procedure that writes and yields nothing
    // (`… CALL db.restoreProvenance(n, r)`) returns nothing, as one ending in a write.
    let ends_in_void_write = parts
        .first()
        .and_then(|p| p.steps.last())
        .is_some_and(|s| matches!(s, Step::Call(c) if c.writes && c.yields.is_empty()));
    let returns = !ends_in_void_write
        && matches!(
            query.first.clauses.last(),
            Some(ast::Clause::Return(_)) | Some(ast::Clause::Call(_))
        );
    Ok(Plan {
        parts,
        subplans,
        union_distinct,
        returns,
        statistics: planner.statistics.into_inner(),
    })
}

/// Each batch of `CALL { … } IN TRANSACTIONS` commits all the transaction holds, so a
/// write before it (other than another such CALL's, committed already) would be
/// committed with its first batch and outlive a later failure of the statement: the
/// rows feeding the batches must be read, not written.
fn refuse_writes_before_batches(parts: &[PlanPart], text: &str) -> Result<()> {
    let mut wrote = false;
    for step in parts.iter().flat_map(|p| &p.steps) {
        let batches = match step {
            Step::CallSubquery(c) => c.batches.as_ref(),
            _ => None,
        };
        match batches {
            Some(b) if wrote => {
                return Err(Error::syntax(
                    "InvalidClauseComposition",
                    "CALL { … } IN TRANSACTIONS commits batch by batch, so the statement cannot write before it (only inside it, or after it)",
                )
                .at(text, b.at))
            }
            Some(_) => {}
            None => wrote |= step.is_write(),
        }
    }
    Ok(())
}

/// The plan of one subquery: its steps run on a row of its imports.
#[derive(Clone, Debug)]
pub struct SubPlan {
    /// Where the subquery expression is written.
    pub at: ast::Span,
    /// The variables of the row the steps start from.
    pub imports: Vec<String>,
    pub steps: Vec<Step>,
    /// The variables of the rows the steps give.
    pub layout: Vec<String>,
    /// The expression as written (white space folded) and its `line:column`, for EXPLAIN.
    pub source: String,
    pub position: String,
}

/// A statement's subquery plans, ordered by where they are written.
#[derive(Clone, Debug, Default)]
pub struct SubPlans(Vec<SubPlan>);

impl SubPlans {
    /// The plan of the subquery expression written at `at`.
    pub fn get(&self, at: ast::Span) -> Option<&SubPlan> {
        self.0
            .binary_search_by_key(&(at.start, at.end), |s| (s.at.start, s.at.end))
            .ok()
            .and_then(|i| self.0.get(i))
    }

    pub fn iter(&self) -> impl Iterator<Item = &SubPlan> {
        self.0.iter()
    }
}

/// One node of a normalized pattern chain.
struct NodeRef<'p> {
    var: String,
    labels: Vec<String>,
    props: Option<&'p Expr>,
}

struct RelRef<'p> {
    var: String,
    types: Vec<String>,
    dir: Dir,
    length: Option<(u64, Option<u64>)>,
    props: Option<&'p Expr>,
}

/// How one step of a normalized chain leads on to its node.
enum LinkRef<'p> {
    Rel(RelRef<'p>),
    Group(GroupRef<'p>),
}

struct GroupRef<'p> {
    group: &'p ast::QuantifiedGroup,
    /// The hidden variable that holds the relationships of all its iterations.
    rels: String,
}

impl LinkRef<'_> {
    /// The variable that holds what the step matched between its nodes (a relationship,
    /// or a list of them): a path's segment, a relationship later steps may not reuse.
    fn rels_var(&self) -> &String {
        match self {
            LinkRef::Rel(r) => &r.var,
            LinkRef::Group(g) => &g.rels,
        }
    }
}

fn dir_of(d: ast::Direction) -> Dir {
    match d {
        ast::Direction::Outgoing => Dir::Outgoing,
        ast::Direction::Incoming => Dir::Incoming,
        ast::Direction::Both => Dir::Both,
    }
}

fn reverse(d: Dir) -> Dir {
    match d {
        Dir::Outgoing => Dir::Incoming,
        Dir::Incoming => Dir::Outgoing,
        Dir::Both => Dir::Both,
    }
}

impl Planner<'_, '_, '_> {
    fn fresh(&mut self, what: &str) -> String {
        self.anon += 1;
        format!("  {what}{}", self.anon)
    }

    /// Replaces the parts of a sort key that repeat a projected variable, property read
    /// or aggregation by the projected column (after grouping only columns remain).
    fn rewrite_projected(&self, e: &Expr, named: &[(String, String)]) -> Expr {
        let src = self.source(e);
        let simple = match &e.kind {
            ExprKind::Variable(_) => true,
            ExprKind::Property(inner, _) => matches!(inner.kind, ExprKind::Variable(_)),
            _ => false,
        };
        if simple || is_aggregate_call(e) {
            if let Some((_, name)) = named.iter().find(|(t, _)| !src.is_empty() && *t == src) {
                return Expr {
                    kind: ExprKind::Variable(name.clone()),
                    span: e.span,
                };
            }
        }
        if is_aggregate_call(e) {
            return e.clone();
        }
        let mut out = e.clone();
        for c in out.outer_children_mut() {
            *c = self.rewrite_projected(c, named);
        }
        out
    }

    fn source(&self, e: &Expr) -> String {
        ast::folded_source(self.text, e.span)
    }

    /// Plans subquery `s` on a row of its imports.
    fn subquery(&mut self, s: &bound::Subquery) -> Result<SubPlan> {
        let mut layout = s.imports.clone();
        let steps = match &s.body {
            bound::Body::Matches { pattern, where_ } => {
                self.pattern(pattern, where_.as_ref(), &mut layout)?
            }
            bound::Body::Comprehension { pattern, predicate } => {
                self.pattern(pattern, predicate.as_ref(), &mut layout)?
            }
            bound::Body::Shortest { pattern } => self.pattern(pattern, None, &mut layout)?,
            // The binder refused writes inside a subquery.
            bound::Body::Query(q) => self.single(q, &s.imports)?.steps,
        };
        let before = self.text.get(..s.at.start).unwrap_or_default();
        let line = before.matches('\n').count() + 1;
        let column = before
            .rsplit('\n')
            .next()
            .unwrap_or_default()
            .chars()
            .count()
            + 1;
        Ok(SubPlan {
            at: s.at,
            source: ast::folded_source(self.text, s.at),
            position: format!("{line}:{column}"),
            imports: s.imports.clone(),
            layout: layout_after(&steps, &s.imports),
            steps,
        })
    }

    /// The variables `e` needs bound before it can be evaluated: those it mentions and
    /// those its subqueries import.
    fn needs(&self, e: &Expr) -> Vec<String> {
        let mut vars = Vec::new();
        mentioned_vars(e, &mut vars);
        walk_expr(e, &mut |x| {
            if let Some(s) = self.bound.subquery(x.span) {
                vars.extend(s.imports.iter().cloned());
            }
        });
        vars
    }

    fn single(&mut self, q: &ast::SingleQuery, initial: &[String]) -> Result<PlanPart> {
        let mut steps = Vec::new();
        let mut layout: Vec<String> = initial.to_vec();
        let mut columns = Vec::new();
        for clause in &q.clauses {
            let new_steps = self.clause(clause, &layout)?;
            layout = layout_after(&new_steps, &layout);
            if let ast::Clause::Return(_) | ast::Clause::Call(_) = clause {
                columns = layout.iter().filter(|n| !is_hidden(n)).cloned().collect();
            }
            steps.extend(new_steps);
        }
        mark_distinct_expansions(&mut steps);
        mark_counted_expansions(&mut steps);
        Ok(PlanPart { steps, columns })
    }

    fn clause(&mut self, clause: &ast::Clause, layout: &[String]) -> Result<Vec<Step>> {
        match clause {
            ast::Clause::Match(m) => {
                let mut inner = layout.to_vec();
                let steps = self.pattern(&m.pattern, m.where_.as_ref(), &mut inner)?;
                if m.optional {
                    let new_vars = inner
                        .iter()
                        .filter(|v| !layout.contains(v))
                        .cloned()
                        .collect();
                    Ok(vec![Step::Optional { steps, new_vars }])
                } else {
                    Ok(steps)
                }
            }
            ast::Clause::LoadCsv(l) => Ok(vec![Step::LoadCsv(Box::new(LoadCsvSpec {
                source: l.source.clone(),
                var: l.alias.name.clone(),
                headers: l.headers,
                terminator: l.terminator,
            }))]),
            ast::Clause::Unwind(u) => Ok(vec![Step::Unwind {
                expr: u.expr.clone(),
                var: u.alias.name.clone(),
            }]),
            ast::Clause::With(p) | ast::Clause::Return(p) => {
                Ok(vec![Step::Project(Box::new(self.projection(p, layout)?))])
            }
            ast::Clause::Create(c) => {
                let new_vars = pattern_new_vars(&c.pattern, layout);
                Ok(vec![Step::Create {
                    pattern: c.pattern.clone(),
                    new_vars,
                }])
            }
            ast::Clause::Merge(m) => {
                // Every element is named, so that the elements a MERGE matched can be
                // recorded as asserted by the statement's source.
                let mut m = m.clone();
                self.name_anonymous(&mut m.part.element);
                let pattern = ast::Pattern {
                    parts: vec![m.part.clone()],
                    span: m.span,
                };
                let new_vars = pattern_new_vars(&pattern, layout);
                let mut inner = layout.to_vec();
                let match_steps = self.pattern(&pattern, None, &mut inner)?;
                Ok(vec![Step::Merge {
                    clause: Box::new(m),
                    new_vars,
                    match_steps,
                }])
            }
            ast::Clause::Set(s) => Ok(vec![Step::Set(s.items.clone())]),
            ast::Clause::Remove(r) => Ok(vec![Step::Remove(r.items.clone())]),
            ast::Clause::Delete(d) => Ok(vec![Step::Delete {
                detach: d.detach,
                exprs: d.exprs.clone(),
            }]),
            ast::Clause::Foreach(f) => {
                let mut inner = layout.to_vec();
                inner.push(f.variable.name.clone());
                let body = ast::SingleQuery {
                    clauses: f.clauses.clone(),
                    span: f.span,
                };
                Ok(vec![Step::Foreach(Box::new(ForeachSpec {
                    var: f.variable.name.clone(),
                    list: f.list.clone(),
                    steps: self.single(&body, &inner)?.steps,
                }))])
            }
            ast::Clause::CallSubquery(c) => {
                let visible: Vec<String> =
                    layout.iter().filter(|n| !is_hidden(n)).cloned().collect();
                let imports = c.imports(&visible);
                let parts = c
                    .query
                    .parts()
                    .map(|part| self.single(part, &imports))
                    .collect::<Result<Vec<_>>>()?;
                let batches = c.in_transactions.as_ref().map(|t| Batching {
                    size: t.batch_size.clone(),
                    on_error: t.on_error,
                    status: t.report_status.as_ref().map(|s| s.name.clone()),
                    at: t.span.start,
                });
                let writes =
                    batches.is_some() || parts.iter().any(|p| p.steps.iter().any(Step::is_write));
                Ok(vec![Step::CallSubquery(Box::new(CallSubquerySpec {
                    imports,
                    columns: parts.first().map(|p| p.columns.clone()).unwrap_or_default(),
                    union_distinct: c.query.unions.iter().any(|(all, _)| !all),
                    parts,
                    writes,
                    batches,
                }))])
            }
            ast::Clause::Call(c) => self.call(c, layout.is_empty()),
        }
    }

    fn call(&mut self, c: &ast::CallClause, standalone: bool) -> Result<Vec<Step>> {
        let name = c.procedure_name();
        let signature = self.registry.signature(&name).ok_or_else(|| {
            Error::new(
                crate::error::ErrorClass::ProcedureError,
                "ProcedureNotFound",
                format!("there is no procedure named '{name}'"),
            )
        })?;
        let yields = match &c.yield_ {
            Some(y) if !y.star => y
                .items
                .iter()
                .map(|(field, alias)| {
                    (
                        field.name.clone(),
                        alias.as_ref().unwrap_or(field).name.clone(),
                    )
                })
                .collect(),
            _ => signature
                .outputs
                .iter()
                .map(|(n, _)| (n.clone(), n.clone()))
                .collect(),
        };
        let writes = self.registry.procedure(&name)?.is_write();
        Ok(vec![Step::Call(Box::new(CallSpec {
            writes,
            name,
            args: c.args.clone(),
            yields,
            where_: c.yield_.as_ref().and_then(|y| y.where_.clone()),
            standalone: standalone && c.yield_.is_none(),
        }))])
    }

    fn projection(&mut self, p: &ast::Projection, layout: &[String]) -> Result<ProjectSpec> {
        let mut items: Vec<(String, Expr)> = Vec::new();
        if p.star {
            let mut names: Vec<&String> = layout.iter().filter(|n| !is_hidden(n)).collect();
            names.sort();
            for n in names {
                items.push((
                    n.clone(),
                    Expr {
                        kind: ExprKind::Variable(n.clone()),
                        span: ast::Span::default(),
                    },
                ));
            }
        }
        for item in &p.items {
            let name = item
                .alias
                .as_ref()
                .map_or_else(|| item.text.clone(), |a| a.name.clone());
            items.push((name, item.expr.clone()));
        }
        let aggregating = items.iter().any(|(_, e)| contains_aggregate(e));
        let texts: Vec<String> = p
            .items
            .iter()
            .map(|i| i.text.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        let star_count = items.len() - p.items.len();
        let mut hidden = 0;
        let named: Vec<(String, String)> = texts
            .iter()
            .enumerate()
            .filter_map(|(i, t)| {
                items
                    .get(i + star_count)
                    .map(|(name, _)| (t.clone(), name.clone()))
            })
            .collect();
        let mut order_by = Vec::new();
        for s in &p.order_by {
            let src = self.source(&s.expr);
            let matching = named.iter().find(|(t, _)| !src.is_empty() && *t == src);
            let rewritten = if aggregating || p.distinct {
                self.rewrite_projected(&s.expr, &named)
            } else {
                s.expr.clone()
            };
            let expr = if let Some((_, name)) = matching {
                Expr {
                    kind: ExprKind::Variable(name.clone()),
                    span: s.expr.span,
                }
            } else if aggregating && contains_aggregate(&rewritten) {
                hidden += 1;
                let name = self.fresh("sort");
                items.push((name.clone(), rewritten));
                Expr {
                    kind: ExprKind::Variable(name),
                    span: s.expr.span,
                }
            } else {
                rewritten
            };
            order_by.push((expr, s.descending));
        }
        let where_ = match &p.where_ {
            Some(w) if aggregating || p.distinct => Some(self.rewrite_projected(w, &named)),
            other => other.clone(),
        };
        Ok(ProjectSpec {
            items,
            hidden,
            distinct: p.distinct,
            aggregating,
            order_by,
            skip: p.skip.clone(),
            limit: p.limit.clone(),
            where_,
            keep_input: !aggregating && !p.distinct,
            weight_var: None,
            far_nodes_var: None,
        })
    }

    /// Plans a MATCH pattern; `layout` grows by the variables the pattern binds.
    fn pattern(
        &mut self,
        pattern: &ast::Pattern,
        where_: Option<&Expr>,
        layout: &mut Vec<String>,
    ) -> Result<Vec<Step>> {
        // A node's label expression (`(n:A|B)`) is tested as a predicate on the node,
        // which is named for it when anonymous; the labels it requires stay on the node
        // for choosing scans.
        let (named, label_tests) = self.label_filters(pattern);
        let pattern = named.as_ref().unwrap_or(pattern);
        let mut steps = Vec::new();
        let mut pending: Vec<&Expr> = where_.map(conjuncts).unwrap_or_default();
        pending.extend(label_tests.iter());
        // Variables this clause binds: a predicate waits until all of them it names are bound.
        let mut clause_vars = Vec::new();
        for part in &pattern.parts {
            element_vars(&part.element, &mut clause_vars);
            if let Some(v) = &part.variable {
                clause_vars.push(v.name.clone());
            }
        }
        clause_vars.retain(|v| !layout.contains(v));
        let mut rels_so_far: Vec<String> = Vec::new();
        let mut remaining: Vec<&ast::PatternPart> = pattern.parts.iter().collect();
        while !remaining.is_empty() {
            let pick = remaining
                .iter()
                .position(|p| part_touches(p, layout))
                .unwrap_or(0);
            let part = remaining.remove(pick);
            if self.hash_join(part, layout, &mut steps, &mut rels_so_far, &mut pending)? {
                self.push_ready(&mut steps, &mut pending, layout, &clause_vars);
                continue;
            }
            self.part(
                part,
                layout,
                &mut steps,
                &mut rels_so_far,
                &mut pending,
                &clause_vars,
            )?;
        }
        for p in pending {
            steps.push(Step::Filter(p.clone()));
        }
        fuse_scan_filters(&mut steps);
        Ok(steps)
    }

    /// Gives every anonymous node and relationship of `element` (in its groups too) a
    /// hidden name.
    fn name_anonymous(&mut self, element: &mut ast::PatternElement) {
        let mut name = |variable: &mut Option<ast::Ident>, span: ast::Span, what: &str| {
            if variable.is_none() {
                self.anon += 1;
                *variable = Some(ast::Ident {
                    name: format!("  {what}{}", self.anon),
                    span,
                });
            }
        };
        name(&mut element.start.variable, element.start.span, "node");
        let mut groups = Vec::new();
        for step in &mut element.chain {
            match &mut step.link {
                ast::PatternLink::Relationship(rel) => name(&mut rel.variable, rel.span, "rel"),
                ast::PatternLink::Group(group) => groups.push(&mut group.element),
            }
            name(&mut step.node.variable, step.node.span, "node");
        }
        for inner in groups {
            self.name_anonymous(inner);
        }
    }

    /// The pattern with its label-filtered anonymous nodes named (`None` when it has no
    /// label filter), and the label predicates to test.
    fn label_filters(&mut self, pattern: &ast::Pattern) -> (Option<ast::Pattern>, Vec<Expr>) {
        // The nodes inside a quantified group are tested by the group's own plan.
        let any =
            (pattern.parts.iter()).any(|p| p.element.nodes().any(|n| n.label_filter.is_some()));
        if !any {
            return (None, Vec::new());
        }
        let mut named = pattern.clone();
        let mut tests = Vec::new();
        for part in &mut named.parts {
            for node in part.element.nodes_mut() {
                let Some(filter) = &node.label_filter else {
                    continue;
                };
                let var = match &node.variable {
                    Some(v) => v.clone(),
                    None => {
                        self.anon += 1;
                        let v = ast::Ident {
                            name: format!("  node{}", self.anon),
                            span: node.span,
                        };
                        node.variable = Some(v.clone());
                        v
                    }
                };
                tests.push(Expr {
                    kind: ExprKind::LabelMatch(
                        Box::new(Expr {
                            kind: ExprKind::Variable(var.name),
                            span: node.span,
                        }),
                        filter.clone(),
                    ),
                    span: node.span,
                });
            }
        }
        (Some(named), tests)
    }

    /// Plans `part` as the build side of a hash join when it shares no variable with
    /// the rows so far, a WHERE conjunct equates an expression of those rows with one
    /// of the part's, and the counts say that scanning the part once and probing is
    /// cheaper than finding its matches again for every row. Returns whether it did.
    fn hash_join(
        &mut self,
        part: &ast::PatternPart,
        layout: &mut Vec<String>,
        steps: &mut Vec<Step>,
        rels_so_far: &mut Vec<String>,
        pending: &mut Vec<&Expr>,
    ) -> Result<bool> {
        if layout.is_empty()
            || part_touches(part, layout)
            || part.function != ast::PathFunction::None
        {
            return Ok(false);
        }
        let mut part_vars = Vec::new();
        element_vars(&part.element, &mut part_vars);
        part_vars.extend(part.variable.iter().map(|v| v.name.clone()));
        // Relationship uniqueness across the two sides is not checked by a join.
        if !part.element.chain.is_empty() && !rels_so_far.is_empty() {
            return Ok(false);
        }
        let side = |e: &Expr, within: &[String]| {
            let vars = self.needs(e);
            !vars.is_empty() && vars.iter().all(|v| within.contains(v))
        };
        let equality = pending.iter().enumerate().find_map(|(i, p)| {
            let ExprKind::Compare(first, rest) = &p.kind else {
                return None;
            };
            let [(ast::CompareOp::Eq, second)] = rest.as_slice() else {
                return None;
            };
            if side(first, layout) && side(second, &part_vars) {
                Some((i, (**first).clone(), second.clone()))
            } else if side(second, layout) && side(first, &part_vars) {
                Some((i, second.clone(), (**first).clone()))
            } else {
                None
            }
        });
        let Some((at, probe_key, build_key)) = equality else {
            return Ok(false);
        };
        // Rows so far: the scans of this pattern (rows from earlier clauses count as
        // more than one).
        let mut left_rows: u64 = 2;
        let mut scanned = false;
        for step in steps.iter() {
            if let Step::Scan { access, .. } = step {
                let rows = match access {
                    Access::IndexEq { .. } | Access::ById(_) => 1,
                    Access::IndexRange { .. } => 100,
                    Access::Label(l) => self.count(Statistic::Label(l.clone())),
                    Access::All => self.count(Statistic::Nodes),
                };
                left_rows = if scanned {
                    left_rows.saturating_mul(rows)
                } else {
                    rows
                };
                scanned = true;
            }
        }
        // The part's cheapest start, found again per row (it may seek on the join key)
        // or once alone.
        let refs: Vec<NodeRef<'_>> = (part.element.nodes())
            .map(|n| NodeRef {
                var: n
                    .variable
                    .as_ref()
                    .map_or_else(|| " estimate".to_string(), |v| v.name.clone()),
                labels: n.labels.iter().map(|l| l.name.clone()).collect(),
                props: n.properties.as_deref(),
            })
            .collect();
        let cheapest = |within: &[String]| {
            refs.iter()
                .map(|n| self.estimate(n, pending, within))
                .min()
                .unwrap_or(1)
        };
        let per_row = cheapest(layout);
        let alone = cheapest(&[]);
        // Building costs about twice a scan (the rows are kept and hashed).
        let nested = left_rows.saturating_mul(per_row);
        let joined = alone.saturating_mul(2).saturating_add(left_rows);
        if joined >= nested {
            return Ok(false);
        }
        pending.remove(at);
        // The conjuncts that read only the part go into the build side.
        let mut build_pending = Vec::new();
        let mut i = 0;
        while i < pending.len() {
            if pending.get(i).is_some_and(|p| side(p, &part_vars)) {
                build_pending.push(pending.remove(i));
            } else {
                i += 1;
            }
        }
        let mut build_vars = Vec::new();
        let mut build = Vec::new();
        let mut build_rels = Vec::new();
        self.part(
            part,
            &mut build_vars,
            &mut build,
            &mut build_rels,
            &mut build_pending,
            &part_vars,
        )?;
        build.extend(build_pending.into_iter().map(|p| Step::Filter(p.clone())));
        fuse_scan_filters(&mut build);
        rels_so_far.extend(build_rels);
        layout.extend(build_vars.iter().cloned());
        steps.push(Step::HashJoin(Box::new(HashJoinSpec {
            build,
            build_vars,
            build_key,
            probe_key,
        })));
        Ok(true)
    }

    fn push_ready(
        &self,
        steps: &mut Vec<Step>,
        pending: &mut Vec<&Expr>,
        layout: &[String],
        clause_vars: &[String],
    ) {
        for p in self.take_ready(pending, layout, clause_vars) {
            steps.push(Step::Filter(p));
        }
    }

    /// The pending conjuncts that read no variable of the clause still to be bound,
    /// taken out of `pending`.
    fn take_ready(
        &self,
        pending: &mut Vec<&Expr>,
        layout: &[String],
        clause_vars: &[String],
    ) -> Vec<Expr> {
        let mut ready = Vec::new();
        let mut i = 0;
        while i < pending.len() {
            let is_ready = pending.get(i).is_some_and(|p| {
                self.needs(p)
                    .iter()
                    .all(|v| !clause_vars.contains(v) || layout.contains(v))
            });
            if is_ready {
                ready.push(pending.remove(i).clone());
            } else {
                i += 1;
            }
        }
        ready
    }

    fn part(
        &mut self,
        part: &ast::PatternPart,
        layout: &mut Vec<String>,
        steps: &mut Vec<Step>,
        rels_so_far: &mut Vec<String>,
        pending: &mut Vec<&Expr>,
        clause_vars: &[String],
    ) -> Result<()> {
        let el = &part.element;
        let mut nodes = vec![self.node_ref(&el.start)];
        let mut links = Vec::new();
        for step in &el.chain {
            links.push(match &step.link {
                ast::PatternLink::Relationship(r) => LinkRef::Rel(RelRef {
                    var: match &r.variable {
                        Some(v) => v.name.clone(),
                        None => self.fresh("rel"),
                    },
                    types: r.types.iter().map(|t| t.name.clone()).collect(),
                    dir: dir_of(r.direction),
                    length: r.length.map(|l| (l.min.unwrap_or(1), l.max)),
                    props: r.properties.as_deref(),
                }),
                ast::PatternLink::Group(group) => LinkRef::Group(GroupRef {
                    group,
                    rels: self.fresh("group"),
                }),
            });
            nodes.push(self.node_ref(&step.node));
        }
        if let ast::PathFunction::Shortest { count, groups } = part.function {
            let selector = (count, groups);
            return self.shortest(
                part,
                selector,
                nodes,
                links,
                layout,
                steps,
                pending,
                clause_vars,
            );
        }
        let start = nodes
            .iter()
            .position(|n| layout.contains(&n.var))
            .unwrap_or_else(|| self.cheapest_start(&nodes, pending, layout));
        if let Some(n) = nodes.get(start) {
            self.bind_node(n, layout, steps, pending);
        }
        self.push_ready(steps, pending, layout, clause_vars);
        // Rightwards from the start, then leftwards.
        for i in start..links.len() {
            if let (Some(link), Some(from), Some(to)) =
                (links.get(i), nodes.get(i), nodes.get(i + 1))
            {
                self.link(from, link, to, false, layout, steps, rels_so_far)?;
                self.push_ready(steps, pending, layout, clause_vars);
            }
        }
        for i in (0..start).rev() {
            if let (Some(link), Some(from), Some(to)) =
                (links.get(i), nodes.get(i + 1), nodes.get(i))
            {
                self.link(from, link, to, true, layout, steps, rels_so_far)?;
                self.push_ready(steps, pending, layout, clause_vars);
            }
        }
        if let Some(p) = &part.variable {
            steps.push(Step::BuildPath {
                var: p.name.clone(),
                start: nodes.first().map(|n| n.var.clone()).unwrap_or_default(),
                rels: links.iter().map(|l| l.rels_var().clone()).collect(),
            });
            layout.push(p.name.clone());
            self.push_ready(steps, pending, layout, clause_vars);
        }
        Ok(())
    }

    /// Plans one step of a chain from the bound node `from` to `to`, against the
    /// pattern's written order when `reversed`.
    #[allow(clippy::too_many_arguments)]
    fn link(
        &mut self,
        from: &NodeRef<'_>,
        link: &LinkRef<'_>,
        to: &NodeRef<'_>,
        reversed: bool,
        layout: &mut Vec<String>,
        steps: &mut Vec<Step>,
        rels_so_far: &mut Vec<String>,
    ) -> Result<()> {
        match link {
            LinkRef::Rel(r) => {
                let dir = if reversed { reverse(r.dir) } else { r.dir };
                self.expand(from, r, to, dir, reversed, layout, steps, rels_so_far);
            }
            LinkRef::Group(g) => {
                let spec = self.repeat(from, g, to, reversed, None, layout, rels_so_far)?;
                steps.push(Step::Repeat(Box::new(spec)));
                // The node after the group is its last iteration's last node: the
                // group's own pattern for it was tested, the chain's is tested here.
                if !to.labels.is_empty() || to.props.is_some() {
                    steps.push(Step::NodeFilter {
                        var: to.var.clone(),
                        labels: to.labels.clone(),
                        props: to.props.cloned(),
                    });
                }
            }
        }
        Ok(())
    }

    /// Plans a quantified group from the bound node `from` to `to`. The group's path is
    /// planned apart, as the steps of one iteration on a row of the outer variables
    /// what is written inside it reads and its entry node (its first node, or its last
    /// when `reversed`), with its WHERE pushed down among them; the Repeat step runs
    /// them iteration after iteration. `layout` and `rels_so_far` grow by what the
    /// step binds.
    #[allow(clippy::too_many_arguments)]
    fn repeat(
        &mut self,
        from: &NodeRef<'_>,
        g: &GroupRef<'_>,
        to: &NodeRef<'_>,
        reversed: bool,
        selector: Option<Box<GroupSelector>>,
        layout: &mut Vec<String>,
        rels_so_far: &mut Vec<String>,
    ) -> Result<RepeatSpec> {
        let group = g.group;
        let mut element = group.element.clone();
        self.name_anonymous(&mut element);
        let named = |n: &ast::NodePattern| n.variable.as_ref().map(|v| v.name.clone());
        let (Some(first), Some(last)) = (
            named(&element.start),
            element.chain.last().and_then(|s| named(&s.node)),
        ) else {
            return Err(Error::syntax(
                "InvalidQuantifiedPathPattern",
                "a quantified path pattern needs at least one relationship",
            )
            .at(self.text, group.span.start));
        };
        let (entry, exit) = if reversed {
            (last, first)
        } else {
            (first, last)
        };
        let mut reads = Vec::new();
        {
            let mut note = |e: &Expr| reads.extend(self.needs(e));
            for n in element.nodes() {
                n.properties.as_deref().into_iter().for_each(&mut note);
            }
            for r in element.relationships() {
                r.properties.as_deref().into_iter().for_each(&mut note);
            }
            group.where_.iter().for_each(&mut note);
        }
        let imports: Vec<String> = layout
            .iter()
            .filter(|v| reads.contains(v))
            .cloned()
            .collect();
        let mut iteration_layout = imports.clone();
        iteration_layout.push(entry.clone());
        let iteration = ast::Pattern::of_part(ast::PatternPart::of_element(
            None,
            ast::PathFunction::None,
            &element,
        ));
        let steps = self.pattern(&iteration, group.where_.as_ref(), &mut iteration_layout)?;
        let iteration_rels = element
            .relationships()
            .filter_map(|r| r.variable.as_ref().map(|v| v.name.clone()))
            .collect();
        let mut group_vars = Vec::new();
        element_vars(&element, &mut group_vars);
        group_vars.retain(|v| !is_hidden(v));
        let mut seen = Vec::new();
        group_vars.retain(|v| {
            let first_time = !seen.contains(v);
            seen.push(v.clone());
            first_time
        });
        let to_bound = layout.contains(&to.var) || to.var == from.var;
        let (left, right) = if reversed { (to, from) } else { (from, to) };
        let mut shown = format!("({}){group}({})", left.var.trim(), right.var.trim());
        if reversed {
            shown.push_str(&format!(" from ({})", from.var.trim()));
        }
        let spec = RepeatSpec {
            from: from.var.clone(),
            to: to.var.clone(),
            to_bound,
            repetitions: group.repetitions,
            imports,
            entry,
            exit,
            steps,
            group_vars,
            iteration_rels,
            rels: g.rels.clone(),
            unique_with: rels_so_far.clone(),
            reversed,
            selector,
            shown,
            at: group.span.start,
        };
        rels_so_far.push(g.rels.clone());
        for v in spec.binds() {
            if !layout.contains(v) {
                layout.push(v.clone());
            }
        }
        Ok(spec)
    }

    #[allow(clippy::too_many_arguments)]
    fn shortest(
        &mut self,
        part: &ast::PatternPart,
        (count, groups): (u64, bool),
        nodes: Vec<NodeRef<'_>>,
        links: Vec<LinkRef<'_>>,
        layout: &mut Vec<String>,
        steps: &mut Vec<Step>,
        pending: &mut Vec<&Expr>,
        clause_vars: &[String],
    ) -> Result<()> {
        let (Some(a), Some(b), Some(link), 1) =
            (nodes.first(), nodes.get(1), links.first(), links.len())
        else {
            return Err(Error::syntax(
                "InvalidShortestPathPattern",
                "a shortest path pattern needs one relationship, or one quantified path pattern, between two nodes",
            )
            .at(self.text, part.span.start));
        };
        for n in [a, b] {
            if !layout.contains(&n.var) || !n.labels.is_empty() || n.props.is_some() {
                self.bind_node(n, layout, steps, pending);
                self.push_ready(steps, pending, layout, clause_vars);
            }
        }
        let r = match link {
            LinkRef::Rel(r) => r,
            LinkRef::Group(g) => {
                return self.shortest_group(
                    part,
                    (count, groups),
                    (a, g, b),
                    layout,
                    steps,
                    pending,
                    clause_vars,
                )
            }
        };
        let (min, max) = r.length.unwrap_or((1, Some(1)));
        // The conjuncts that read the path or its relationships choose among the
        // paths before the selector counts them, as in Neo4j: `SHORTEST 2 … WHERE
        // all(r IN rels WHERE r.w > 1)` is two paths whose relationships all pass.
        let mut with_path = layout.clone();
        with_path.push(r.var.clone());
        with_path.extend(part.variable.iter().map(|v| v.name.clone()));
        let filters = self.take_ready(pending, &with_path, clause_vars);
        steps.push(Step::ShortestPath(Box::new(ShortestSpec {
            from: a.var.clone(),
            to: b.var.clone(),
            rel: r.var.clone(),
            path: part.variable.as_ref().map(|v| v.name.clone()),
            dir: r.dir,
            types: r.types.clone(),
            min,
            max,
            rel_props: r.props.cloned(),
            count,
            groups,
            filters,
            at: part.span.start,
        })));
        *layout = with_path;
        Ok(())
    }

    /// `SHORTEST k [GROUPS] (a)((…)){m,n}(b)`: both ends bound, the group's walks
    /// searched in order of length; the WHERE conjuncts that read its variables or the
    /// path choose among the walks before the selector counts them.
    #[allow(clippy::too_many_arguments)]
    fn shortest_group(
        &mut self,
        part: &ast::PatternPart,
        (count, groups): (u64, bool),
        (a, g, b): (&NodeRef<'_>, &GroupRef<'_>, &NodeRef<'_>),
        layout: &mut Vec<String>,
        steps: &mut Vec<Step>,
        pending: &mut Vec<&Expr>,
        clause_vars: &[String],
    ) -> Result<()> {
        let path = part.variable.as_ref().map(|v| v.name.clone());
        let mut with_path = layout.clone();
        element_vars(&g.group.element, &mut with_path);
        with_path.push(g.rels.clone());
        with_path.extend(path.iter().cloned());
        let selector = GroupSelector {
            count,
            groups,
            filters: self.take_ready(pending, &with_path, clause_vars),
            path,
            reach: reach_of(&g.group.element),
        };
        // As for a shortest relationship, the path is not kept apart from the
        // relationships of the other pattern parts.
        let mut rels_so_far = Vec::new();
        let spec = self.repeat(
            a,
            g,
            b,
            false,
            Some(Box::new(selector)),
            layout,
            &mut rels_so_far,
        )?;
        steps.push(Step::Repeat(Box::new(spec)));
        Ok(())
    }

    fn node_ref<'p>(&mut self, n: &'p ast::NodePattern) -> NodeRef<'p> {
        NodeRef {
            var: match &n.variable {
                Some(v) => v.name.clone(),
                None => self.fresh("node"),
            },
            labels: n.labels.iter().map(|l| l.name.clone()).collect(),
            props: n.properties.as_deref(),
        }
    }

    /// Binds `n` (scan) or checks it (already bound).
    fn bind_node(
        &self,
        n: &NodeRef<'_>,
        layout: &mut Vec<String>,
        steps: &mut Vec<Step>,
        pending: &[&Expr],
    ) {
        if layout.contains(&n.var) {
            if !n.labels.is_empty() || n.props.is_some() {
                steps.push(Step::NodeFilter {
                    var: n.var.clone(),
                    labels: n.labels.clone(),
                    props: n.props.cloned(),
                });
            }
            return;
        }
        let access = self.access_for(n, pending, layout);
        steps.push(Step::Scan {
            var: n.var.clone(),
            access,
            labels: n.labels.clone(),
            props: n.props.cloned(),
            filters: Vec::new(),
        });
        layout.push(n.var.clone());
    }

    fn has_index(&self, label: &str, key: &str) -> bool {
        self.schema.iter().any(|e| e.label == label && e.key == key)
    }

    /// The best way to find the nodes of `n`: an index seek, a label scan or all nodes.
    fn access_for(&self, n: &NodeRef<'_>, pending: &[&Expr], layout: &[String]) -> Access {
        let independent = |e: &Expr| self.needs(e).iter().all(|v| layout.contains(v));
        for p in pending {
            if let Some(value) = id_equality(p, &n.var) {
                if independent(value) {
                    return Access::ById(value.clone());
                }
            }
        }
        for label in &n.labels {
            if let Some(Expr {
                kind: ExprKind::Map(entries),
                ..
            }) = n.props
            {
                for (k, v) in entries {
                    if self.has_index(label, &k.name) && independent(v) {
                        return Access::IndexEq {
                            label: label.clone(),
                            key: k.name.clone(),
                            value: v.clone(),
                        };
                    }
                }
            }
            for p in pending {
                if let Some((key, op, value)) = property_comparison(p, &n.var) {
                    if !self.has_index(label, &key) || !independent(value) {
                        continue;
                    }
                    let bound = Some((
                        value.clone(),
                        matches!(op, ast::CompareOp::Le | ast::CompareOp::Ge),
                    ));
                    let label = label.clone();
                    return match op {
                        ast::CompareOp::Eq => Access::IndexEq {
                            label,
                            key,
                            value: value.clone(),
                        },
                        ast::CompareOp::Gt | ast::CompareOp::Ge => Access::IndexRange {
                            label,
                            key,
                            lower: bound,
                            upper: None,
                        },
                        ast::CompareOp::Lt | ast::CompareOp::Le => Access::IndexRange {
                            label,
                            key,
                            lower: None,
                            upper: bound,
                        },
                        ast::CompareOp::Ne => continue,
                    };
                }
            }
        }
        let mut best: Option<(u64, &String)> = None;
        for label in &n.labels {
            let count = self.count(Statistic::Label(label.clone()));
            if best.is_none_or(|(c, _)| count < c) {
                best = Some((count, label));
            }
        }
        match best {
            Some((_, label)) => Access::Label(label.clone()),
            None => Access::All,
        }
    }

    fn estimate(&self, n: &NodeRef<'_>, pending: &[&Expr], layout: &[String]) -> u64 {
        match self.access_for(n, pending, layout) {
            Access::IndexEq { .. } | Access::ById(_) => 1,
            Access::IndexRange { .. } => 100,
            Access::Label(l) => self.count(Statistic::Label(l)),
            Access::All => self.count(Statistic::Nodes).saturating_add(1),
        }
    }

    /// Reads `statistic` and notes what the plan rests on.
    fn count(&self, statistic: Statistic) -> u64 {
        let count = statistic.read(self.txn);
        let mut seen = self.statistics.borrow_mut();
        if !seen.iter().any(|(s, _)| *s == statistic) {
            seen.push((statistic, count));
        }
        count
    }

    fn cheapest_start(&self, nodes: &[NodeRef<'_>], pending: &[&Expr], layout: &[String]) -> usize {
        let mut best = (u64::MAX, 0);
        for (i, n) in nodes.iter().enumerate() {
            let mut cost = self.estimate(n, pending, layout);
            if n.props.is_some() {
                cost = cost / 2 + 1;
            }
            if cost < best.0 {
                best = (cost, i);
            }
        }
        best.1
    }

    #[allow(clippy::too_many_arguments)]
    fn expand(
        &self,
        from: &NodeRef<'_>,
        r: &RelRef<'_>,
        to: &NodeRef<'_>,
        dir: Dir,
        reversed: bool,
        layout: &mut Vec<String>,
        steps: &mut Vec<Step>,
        rels_so_far: &mut Vec<String>,
    ) {
        let to_bound = layout.contains(&to.var) || to.var == from.var;
        let rel_bound = layout.contains(&r.var);
        steps.push(Step::Expand(Box::new(ExpandSpec {
            from: from.var.clone(),
            rel: r.var.clone(),
            to: to.var.clone(),
            dir,
            types: r.types.clone(),
            length: r.length,
            rel_props: r.props.cloned(),
            to_bound,
            rel_bound,
            unique_with: rels_so_far.clone(),
            to_labels: to.labels.clone(),
            to_props: to.props.cloned(),
            reversed,
            distinct_nodes: false,
            degree_only: false,
            far_nodes_only: false,
            paired: None,
        })));
        rels_so_far.push(r.var.clone());
        if !rel_bound {
            layout.push(r.var.clone());
        }
        if !layout.contains(&to.var) {
            layout.push(to.var.clone());
        }
    }
}

/// The direction and types to follow backwards from a walk's end to find the nodes
/// that can reach it over a group's relationships: their types (all types when one
/// has none), against their direction when they all share one.
fn reach_of(element: &ast::PatternElement) -> (Dir, Vec<String>) {
    let mut types: Vec<String> = Vec::new();
    let mut any_type = false;
    let mut dirs = Vec::new();
    for r in element.relationships() {
        any_type |= r.types.is_empty();
        for t in &r.types {
            if !types.contains(&t.name) {
                types.push(t.name.clone());
            }
        }
        let dir = dir_of(r.direction);
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    if any_type {
        types.clear();
    }
    let dir = match dirs.as_slice() {
        [only] => reverse(*only),
        _ => Dir::Both,
    };
    (dir, types)
}

/// Moves the filters right after a scan that compare only the scanned node's
/// properties with each other or with constants (`n.age > 30`, `n.a = $x`) into the
/// scan, which tests them on the node where the store keeps it, before it builds a row.
fn fuse_scan_filters(steps: &mut Vec<Step>) {
    let mut i = 0;
    while i < steps.len() {
        let fusable = match (steps.get(i), steps.get(i + 1)) {
            (Some(Step::Scan { var, .. }), Some(Step::Filter(pred))) => {
                compares_node_properties(pred, var)
            }
            _ => false,
        };
        if !fusable {
            i += 1;
            continue;
        }
        let filter = steps.remove(i + 1);
        if let (Some(Step::Scan { filters, .. }), Step::Filter(pred)) = (steps.get_mut(i), filter) {
            filters.push(pred);
        }
    }
}

/// Whether `pred` is one comparison whose two sides are each a property of node `var`
/// or a constant (a literal or a parameter).
fn compares_node_properties(pred: &Expr, var: &str) -> bool {
    let ExprKind::Compare(first, rest) = &pred.kind else {
        return false;
    };
    let [(_, second)] = rest.as_slice() else {
        return false;
    };
    let on_node = |e: &Expr| match &e.kind {
        ExprKind::Property(target, _) => {
            matches!(&target.kind, ExprKind::Variable(v) if v == var)
        }
        ExprKind::Literal(_) | ExprKind::Parameter(_) => true,
        _ => false,
    };
    on_node(first) && on_node(second)
}

/// Marks variable-length expansions whose paths are only counted as distinct far
/// nodes: anonymous relationships, at most one hop minimum, nothing later reading the
/// relationship list, and the next projection deduplicating (DISTINCT, or aggregating
/// with only DISTINCT/min/max aggregations). Under these conditions the set of rows
/// after the projection is the same whether paths or reachable nodes are enumerated.
fn mark_distinct_expansions(steps: &mut [Step]) {
    let n = steps.len();
    for i in 0..n {
        let Some(Step::Expand(e)) = steps.get(i) else {
            continue;
        };
        // Undirected: a walk back to the start over the same relationship is not a
        // path, so reachability would overcount the start node.
        let candidate = matches!(e.length, Some((min, _)) if min <= 1)
            && is_hidden(&e.rel)
            && e.dir != Dir::Both;
        if !candidate {
            continue;
        }
        let rel = e.rel.clone();
        let mut ok = false;
        for later in steps.iter().skip(i + 1) {
            match later {
                Step::Expand(x) if x.unique_with.contains(&rel) => break,
                Step::BuildPath { rels, .. } if rels.contains(&rel) => break,
                Step::Project(p) => {
                    ok = deduplicating(p);
                    break;
                }
                Step::Expand(_)
                | Step::Scan { .. }
                | Step::NodeFilter { .. }
                | Step::Filter(_)
                | Step::BuildPath { .. } => {}
                _ => break,
            }
        }
        if ok {
            if let Some(Step::Expand(e)) = steps.get_mut(i) {
                e.distinct_nodes = true;
            }
        }
    }
}

/// An expansion directly followed by an aggregation that only counts rows (`count(*)`,
/// or `count` of the relationship or the far node, which are never null there) and
/// groups by nothing the expansion binds, needs the number of relationships per input
/// row, not the relationships: they are counted without building rows (checking the
/// far node's labels and relationship uniqueness on the way, when the pattern asks).
/// Likewise an aggregation that only counts the distinct far nodes
/// (`count(DISTINCT far)`) needs their ids, not a row per relationship.
///
/// When the step before such a counted expansion is another plain expansion from the
/// same node whose relationship and far node nothing later reads (`MATCH
/// (a)-[:X]->(b)<-[:Y]-(c) RETURN count(*)` planned from `b`), the two hops are counted
/// together: the number of relationship pairs is the product of the two counts less the
/// relationships both hops match (a pattern never uses one relationship twice).
fn mark_counted_expansions(steps: &mut Vec<Step>) {
    // Indexes past the end after a removal just find no step.
    for i in 0..steps.len() {
        let (Some(Step::Expand(e)), Some(Step::Project(p))) = (steps.get(i), steps.get(i + 1))
        else {
            continue;
        };
        if !plain_hop(e) || !p.aggregating || p.distinct {
            continue;
        }
        let bound_here = [e.rel.as_str(), e.to.as_str()];
        let mentions_bound = |expr: &Expr| mentions_any(expr, &bound_here);
        // Whether every aggregate is a plain count, and whether every one is
        // count(DISTINCT far node).
        let (mut plain_counts, mut distinct_far) = (true, true);
        let mut keys_free = true;
        for (_, item) in &p.items {
            if !contains_aggregate(item) {
                keys_free &= !mentions_bound(item);
                continue;
            }
            let (plain_count, far_count) = match &item.kind {
                ExprKind::CountStar => (true, false),
                ExprKind::FunctionCall {
                    name,
                    distinct,
                    args,
                } if name.len() == 1
                    && name
                        .first()
                        .is_some_and(|n| n.name.eq_ignore_ascii_case("count")) =>
                {
                    let counted = match args.as_slice() {
                        [a] => match &a.kind {
                            ExprKind::Variable(v) => Some(v.as_str()),
                            _ => None,
                        },
                        _ => None,
                    };
                    (
                        !distinct && counted.is_some_and(|v| bound_here.contains(&v)),
                        *distinct && counted == Some(e.to.as_str()),
                    )
                }
                _ => (false, false),
            };
            plain_counts &= plain_count;
            distinct_far &= far_count;
        }
        for (sort, _) in &p.order_by {
            keys_free &= !mentions_bound(sort);
        }
        if !keys_free || !(plain_counts || distinct_far) {
            continue;
        }
        // The hop before, counted with this one when nothing later reads what it binds.
        let pairable = plain_counts
            && match i.checked_sub(1).and_then(|b| steps.get(b)) {
                Some(Step::Expand(first)) => {
                    let theirs = [first.rel.as_str(), first.to.as_str()];
                    plain_hop(first)
                        && first.from == e.from
                        && p.items.iter().all(|(_, x)| !mentions_any(x, &theirs))
                        && p.order_by.iter().all(|(x, _)| !mentions_any(x, &theirs))
                        && p.where_.as_ref().is_none_or(|x| !mentions_any(x, &theirs))
                }
                _ => false,
            };
        let (rel, to) = (e.rel.clone(), e.to.clone());
        if let Some(Step::Expand(e)) = steps.get_mut(i) {
            e.degree_only = plain_counts;
            e.far_nodes_only = !plain_counts;
        }
        if let Some(Step::Project(p)) = steps.get_mut(i + 1) {
            if plain_counts {
                p.weight_var = Some(rel);
            } else {
                p.far_nodes_var = Some(to);
            }
        }
        if pairable {
            if let Some(Step::Expand(first)) = i.checked_sub(1).map(|b| steps.remove(b)) {
                if let Some(Step::Expand(e)) = steps.get_mut(i - 1) {
                    // The pair count already keeps the two hops' relationships apart.
                    e.unique_with.retain(|r| *r != first.rel);
                    e.paired = Some(first);
                }
            }
        }
    }
}

/// A single hop to a new node over a new relationship, with no property tests.
fn plain_hop(e: &ExpandSpec) -> bool {
    e.length.is_none()
        && !e.to_bound
        && !e.rel_bound
        && e.to_props.is_none()
        && e.rel_props.is_none()
        && e.from != e.to
}

/// Whether `expr` mentions one of `vars`.
fn mentions_any(expr: &Expr, vars: &[&str]) -> bool {
    let mut mentioned = Vec::new();
    mentioned_vars(expr, &mut mentioned);
    mentioned.iter().any(|v| vars.contains(&v.as_str()))
}

fn deduplicating(p: &ProjectSpec) -> bool {
    if p.distinct {
        return true;
    }
    if !p.aggregating {
        return false;
    }
    let mut all_insensitive = true;
    for (_, e) in &p.items {
        walk_expr(e, &mut |x| {
            if let ExprKind::CountStar = x.kind {
                all_insensitive = false;
            }
            if let ExprKind::FunctionCall { name, distinct, .. } = &x.kind {
                if is_aggregate_call(x) {
                    let n = name
                        .first()
                        .map(|n| n.name.to_lowercase())
                        .unwrap_or_default();
                    if !*distinct && n != "min" && n != "max" {
                        all_insensitive = false;
                    }
                }
            }
        });
    }
    all_insensitive
}

/// `id(var) = value` (either side): the value.
fn id_equality<'e>(e: &'e Expr, var: &str) -> Option<&'e Expr> {
    let ExprKind::Compare(lhs, rest) = &e.kind else {
        return None;
    };
    let [(ast::CompareOp::Eq, rhs)] = rest.as_slice() else {
        return None;
    };
    let is_id_of_var = |x: &Expr| match &x.kind {
        ExprKind::FunctionCall { name, args, .. } => {
            name.len() == 1
                && name
                    .first()
                    .is_some_and(|n| n.name.eq_ignore_ascii_case("id"))
                && matches!(args.as_slice(), [a] if matches!(&a.kind, ExprKind::Variable(v) if v == var))
        }
        _ => false,
    };
    if is_id_of_var(lhs) {
        Some(rhs)
    } else if is_id_of_var(rhs) {
        Some(lhs)
    } else {
        None
    }
}

/// `var.key <op> value` (or mirrored): the key, the operator as seen from `var`, the value.
fn property_comparison<'e>(e: &'e Expr, var: &str) -> Option<(String, ast::CompareOp, &'e Expr)> {
    let ExprKind::Compare(lhs, rest) = &e.kind else {
        return None;
    };
    let [(op, rhs)] = rest.as_slice() else {
        return None;
    };
    let prop_of = |x: &Expr| match &x.kind {
        ExprKind::Property(inner, key) => match &inner.kind {
            ExprKind::Variable(v) if v == var => Some(key.name.clone()),
            _ => None,
        },
        _ => None,
    };
    if let Some(key) = prop_of(lhs) {
        return Some((key, *op, rhs));
    }
    if let Some(key) = prop_of(rhs) {
        let mirrored = match op {
            ast::CompareOp::Lt => ast::CompareOp::Gt,
            ast::CompareOp::Le => ast::CompareOp::Ge,
            ast::CompareOp::Gt => ast::CompareOp::Lt,
            ast::CompareOp::Ge => ast::CompareOp::Le,
            other => *other,
        };
        return Some((key, mirrored, lhs));
    }
    None
}

fn part_touches(p: &ast::PatternPart, layout: &[String]) -> bool {
    let mut vars = Vec::new();
    element_vars(&p.element, &mut vars);
    vars.iter().any(|v| layout.contains(v))
}

/// Named variables of a CREATE/MERGE pattern that are not bound yet (paths included).
pub(crate) fn pattern_new_vars(pattern: &ast::Pattern, layout: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in &pattern.parts {
        let mut vars = Vec::new();
        element_vars(&part.element, &mut vars);
        if let Some(p) = &part.variable {
            vars.push(p.name.clone());
        }
        for v in vars {
            if !layout.contains(&v) && !out.contains(&v) {
                out.push(v);
            }
        }
    }
    out
}

/// Rows and time per step, keyed by the step's address (see `explain`).
pub type Profile = HashMap<usize, (u64, Duration)>;

pub(crate) fn step_key(step: &Step) -> usize {
    step as *const Step as usize
}

/// The plan as an indented tree, the last step at the top, with estimated rows, and the
/// measured rows and time when `profile` is given.
pub fn explain(plan: &Plan, txn: &Txn<'_>, profile: Option<&Profile>) -> String {
    let mut out = String::new();
    for (i, part) in plan.parts.iter().enumerate() {
        if plan.parts.len() > 1 {
            out.push_str(&format!(
                "Union{} part {}\n",
                if plan.union_distinct { "" } else { " all" },
                i + 1
            ));
        }
        let mut lines = Vec::new();
        describe_steps(&part.steps, txn, profile, 0, &mut lines);
        lines.reverse();
        for l in lines {
            out.push_str(&l);
            out.push('\n');
        }
    }
    // Each subquery's plan under a header naming it, where it is written and what it
    // takes from the row it is evaluated on.
    for sub in plan.subplans.iter() {
        out.push_str(&format!("Subquery {} at {}", sub.source, sub.position));
        if !sub.imports.is_empty() {
            out.push_str(&format!(" on {}", sub.imports.join(", ")));
        }
        out.push('\n');
        let mut lines = Vec::new();
        describe_steps(&sub.steps, txn, profile, 1, &mut lines);
        lines.reverse();
        for l in lines {
            out.push_str(&l);
            out.push('\n');
        }
    }
    out
}

fn describe_steps(
    steps: &[Step],
    txn: &Txn<'_>,
    profile: Option<&Profile>,
    depth: usize,
    lines: &mut Vec<String>,
) {
    let mut estimate: f64 = 1.0;
    for step in steps {
        let (name, detail) = describe(step, txn, &mut estimate);
        let indent = "  ".repeat(depth);
        let mut line = format!("{indent}{name}");
        if !detail.is_empty() {
            line.push_str(&format!(" {detail}"));
        }
        line.push_str(&format!(" (estimated rows: {})", estimate.round() as u64));
        if let Some(p) = profile {
            let (rows, time) = p.get(&step_key(step)).copied().unwrap_or_default();
            line.push_str(&format!(
                " (rows: {rows}, time: {:.3} ms)",
                time.as_secs_f64() * 1000.0
            ));
        }
        let nested: Vec<&[Step]> = match step {
            Step::Optional { steps, .. } => vec![steps],
            Step::Repeat(r) => vec![&r.steps],
            Step::HashJoin(j) => vec![&j.build],
            Step::Foreach(f) => vec![&f.steps],
            Step::CallSubquery(c) => c.parts.iter().map(|p| p.steps.as_slice()).collect(),
            _ => Vec::new(),
        };
        // Parts are listed first to last (headed by their number when there are
        // several), each with its last step on top.
        let parts = nested.len();
        for (i, steps) in nested.into_iter().enumerate().rev() {
            let mut inner = Vec::new();
            let inner_depth = if parts > 1 { depth + 2 } else { depth + 1 };
            describe_steps(steps, txn, profile, inner_depth, &mut inner);
            lines.extend(inner);
            if parts > 1 {
                lines.push(format!("{}Part {}", "  ".repeat(depth + 1), i + 1));
            }
        }
        lines.push(line);
    }
}

/// ` {k: v}` for inline properties, nothing without.
fn shown_props(props: Option<&Expr>) -> String {
    props.map(|p| format!(" {p}")).unwrap_or_default()
}

/// `:A:B` for labels.
fn shown_labels(labels: &[String]) -> String {
    labels.iter().map(|l| format!(":{l}")).collect()
}

/// `n:A:B` of a SET or REMOVE item.
fn shown_label_item(variable: &ast::Ident, labels: &[ast::Ident]) -> String {
    let names: Vec<String> = labels.iter().map(|l| l.name.clone()).collect();
    format!("{}{}", variable.name, shown_labels(&names))
}

/// ` WHERE a AND b` for the predicates an operator tests, nothing without.
fn shown_predicates<'e>(predicates: impl IntoIterator<Item = &'e Expr>) -> String {
    let texts: Vec<String> = predicates.into_iter().map(Expr::to_string).collect();
    if texts.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", texts.join(" AND "))
    }
}

fn describe(step: &Step, txn: &Txn<'_>, est: &mut f64) -> (String, String) {
    let count = |c: Result<u64>| c.unwrap_or(0) as f64;
    match step {
        Step::Scan {
            var,
            access,
            labels,
            props,
            filters,
        } => {
            let var = var.trim();
            let node = format!(
                "({var}{}{})",
                shown_labels(labels),
                shown_props(props.as_ref())
            );
            let (name, how, rows) = match access {
                Access::All => ("AllNodesScan", String::new(), count(txn.node_count())),
                Access::ById(id) => ("NodeByIdSeek", format!(" by id {id}"), 1.0),
                Access::Label(l) => (
                    "NodeByLabelScan",
                    format!(" on :{l}"),
                    count(txn.label_count(l)),
                ),
                Access::IndexEq { label, key, value } => (
                    "NodeIndexSeek",
                    format!(" on :{label}({key}) = {value}"),
                    1.0,
                ),
                Access::IndexRange {
                    label,
                    key,
                    lower,
                    upper,
                } => {
                    let bound = |b: &Option<(Expr, bool)>, strict: &str, inclusive: &str| {
                        b.as_ref().map(|(e, incl)| {
                            format!(" {} {e}", if *incl { inclusive } else { strict })
                        })
                    };
                    let range: String = [bound(lower, ">", ">="), bound(upper, "<", "<=")]
                        .into_iter()
                        .flatten()
                        .collect();
                    (
                        "NodeIndexSeekByRange",
                        format!(" on :{label}({key}){range}"),
                        count(txn.label_count(label)) / 3.0,
                    )
                }
            };
            // Each filter halves the rows, as a Filter step does.
            *est *= rows.max(1.0) * 0.5f64.powi(filters.len() as i32);
            (
                name.to_string(),
                format!("{node}{how}{}", shown_predicates(filters)),
            )
        }
        Step::NodeFilter { var, labels, props } => {
            *est *= 0.5;
            (
                "NodeFilter".to_string(),
                format!(
                    "({}{}{})",
                    var.trim(),
                    shown_labels(labels),
                    shown_props(props.as_ref())
                ),
            )
        }
        Step::Expand(e) => {
            let nodes = count(txn.node_count()).max(1.0);
            let rels = if e.types.is_empty() {
                count(txn.relationship_count())
            } else {
                e.types.iter().map(|t| count(txn.rel_type_count(t))).sum()
            };
            let fanout = (rels / nodes).max(0.1);
            let hops = e.length.map_or(1, |(_, max)| max.unwrap_or(3).min(3)) as i32;
            *est *= fanout.powi(hops.max(1));
            let name = match (e.length.is_some(), e.to_bound) {
                _ if e.paired.is_some() => "CountRelationshipPairs",
                _ if e.degree_only => "CountRelationships",
                _ if e.far_nodes_only => "ExpandDistinctNodes",
                (true, _) => "VarLengthExpand",
                (false, true) => "ExpandInto",
                (false, false) => "Expand",
            };
            let hop = |e: &ExpandSpec| {
                let (left, right) = match e.dir {
                    Dir::Outgoing => ("-", "->"),
                    Dir::Incoming => ("<-", "-"),
                    Dir::Both => ("-", "-"),
                };
                let types: String = e
                    .types
                    .iter()
                    .enumerate()
                    .map(|(i, t)| format!("{}{t}", if i == 0 { ":" } else { "|" }))
                    .collect();
                let length = match e.length {
                    None => String::new(),
                    Some((min, Some(max))) => format!("*{min}..{max}"),
                    Some((min, None)) => format!("*{min}.."),
                };
                format!(
                    "({}){left}[{}{types}{length}{}]{right}({}{}{})",
                    e.from.trim(),
                    e.rel.trim(),
                    shown_props(e.rel_props.as_ref()),
                    e.to.trim(),
                    shown_labels(&e.to_labels),
                    shown_props(e.to_props.as_ref()),
                )
            };
            let mut shown = hop(e);
            if let Some(first) = &e.paired {
                shown = format!("{}, {shown}", hop(first));
            }
            (name.to_string(), shown)
        }
        Step::HashJoin(j) => {
            // The build side's rows, matched about once each.
            let mut build = 1.0;
            for step in &j.build {
                describe(step, txn, &mut build);
            }
            *est = est.max(build);
            (
                "HashJoin".to_string(),
                format!("{} = {}", j.probe_key, j.build_key),
            )
        }
        Step::ShortestPath(s) => {
            let ends = format!(
                "({})..({}){}",
                s.from.trim(),
                s.to.trim(),
                shown_predicates(&s.filters)
            );
            // At least one path per kept length; at most `count` without groups.
            *est *= s.count as f64;
            match (s.count, s.groups) {
                (1, false) => ("ShortestPath".to_string(), ends),
                (1, true) => ("AllShortestPaths".to_string(), ends),
                (k, false) => ("Shortest".to_string(), format!("k={k} {ends}")),
                (k, true) => ("Shortest".to_string(), format!("k={k} groups {ends}")),
            }
        }
        Step::Repeat(r) => {
            let nodes = count(txn.node_count()).max(1.0);
            let fanout = (count(txn.relationship_count()) / nodes).max(0.1);
            let hops = r.iteration_rels.len().max(1) as i32;
            let iterations = r.repetitions.max.unwrap_or(3).clamp(1, 3) as i32;
            let mut detail = String::new();
            match &r.selector {
                Some(selector) => {
                    *est *= selector.count as f64;
                    let groups = if selector.groups { " GROUPS" } else { "" };
                    detail.push_str(&format!("SHORTEST {}{groups} ", selector.count));
                    detail.push_str(&r.shown);
                    detail.push_str(&shown_predicates(&selector.filters));
                }
                None => {
                    *est *= fanout.powi(hops * iterations);
                    detail.push_str(&r.shown);
                }
            }
            ("Repeat(Trail)".to_string(), detail)
        }
        Step::Filter(pred) => {
            *est *= 0.5;
            ("Filter".to_string(), pred.to_string())
        }
        Step::BuildPath { var, .. } => ("ProjectPath".to_string(), var.clone()),
        Step::Optional { .. } => ("Optional".to_string(), String::new()),
        Step::Unwind { expr, var } => {
            *est *= 10.0;
            ("Unwind".to_string(), format!("{expr} AS {var}"))
        }
        Step::LoadCsv(l) => {
            *est *= 100.0;
            let headers = if l.headers { " WITH HEADERS" } else { "" };
            (
                "LoadCsv".to_string(),
                format!("{headers} FROM {} AS {}", l.source, l.var)
                    .trim_start()
                    .to_string(),
            )
        }
        Step::Project(p) => {
            let shown: Vec<String> = p
                .items
                .iter()
                .take(p.items.len() - p.hidden)
                .map(|(n, e)| {
                    let text = e.to_string();
                    if text == *n {
                        text
                    } else {
                        format!("{text} AS {n}")
                    }
                })
                .collect();
            let name = if p.aggregating {
                *est = est.sqrt().max(1.0);
                "Aggregation"
            } else if p.distinct {
                "Distinct"
            } else {
                "Projection"
            };
            let mut detail = shown.join(", ");
            detail.push_str(&shown_predicates(&p.where_));
            if !p.order_by.is_empty() {
                let keys: Vec<String> = p
                    .order_by
                    .iter()
                    .map(|(e, desc)| format!("{e}{}", if *desc { " DESC" } else { "" }))
                    .collect();
                let how = if p.limit.is_some() { "Top" } else { "Sort" };
                detail.push_str(&format!(" + {how} {}", keys.join(", ")));
            }
            if let Some(skip) = &p.skip {
                detail.push_str(&format!(" + Skip {skip}"));
            }
            if let Some(limit) = &p.limit {
                detail.push_str(&format!(" + Limit {limit}"));
            }
            (name.to_string(), detail)
        }
        Step::Call(c) => (
            "ProcedureCall".to_string(),
            format!("{}{}", c.name, shown_predicates(&c.where_)),
        ),
        Step::Create { pattern, .. } => (
            "Create".to_string(),
            pattern
                .parts
                .iter()
                .map(|p| p.element.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        Step::Merge { clause, .. } => ("Merge".to_string(), clause.part.element.to_string()),
        Step::Set(items) => {
            let shown: Vec<String> = items
                .iter()
                .map(|item| match item {
                    ast::SetItem::Property { target, key, value } => {
                        format!("{target}.{} = {value}", key.name)
                    }
                    ast::SetItem::Properties {
                        variable,
                        value,
                        merge,
                    } => format!(
                        "{} {} {value}",
                        variable.name,
                        if *merge { "+=" } else { "=" }
                    ),
                    ast::SetItem::Labels { variable, labels } => shown_label_item(variable, labels),
                })
                .collect();
            ("SetProperties".to_string(), shown.join(", "))
        }
        Step::Remove(items) => {
            let shown: Vec<String> = items
                .iter()
                .map(|item| match item {
                    ast::RemoveItem::Property { target, key } => format!("{target}.{}", key.name),
                    ast::RemoveItem::Labels { variable, labels } => {
                        shown_label_item(variable, labels)
                    }
                })
                .collect();
            ("Remove".to_string(), shown.join(", "))
        }
        Step::Delete { detach, exprs } => (
            if *detach { "DetachDelete" } else { "Delete" }.to_string(),
            exprs
                .iter()
                .map(Expr::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        Step::Foreach(f) => ("Foreach".to_string(), format!("{} IN {}", f.var, f.list)),
        Step::CallSubquery(c) => {
            let mut detail = format!("on ({})", c.imports.join(", "));
            if !c.columns.is_empty() {
                detail.push_str(&format!(" returning {}", c.columns.join(", ")));
            }
            if c.parts.len() > 1 {
                let union = if c.union_distinct {
                    "UNION"
                } else {
                    "UNION ALL"
                };
                detail.push_str(&format!(" ({} parts, {union})", c.parts.len()));
            }
            if let Some(b) = &c.batches {
                match &b.size {
                    Some(size) => detail.push_str(&format!(" in transactions of {size} rows")),
                    None => {
                        detail.push_str(&format!(" in transactions of {DEFAULT_BATCH_ROWS} rows"))
                    }
                }
                detail.push_str(match b.on_error {
                    ast::OnError::Fail => " on error fail",
                    ast::OnError::Continue => " on error continue",
                    ast::OnError::Break => " on error break",
                });
                if let Some(s) = &b.status {
                    detail.push_str(&format!(" report status as {s}"));
                }
            }
            ("CallSubquery".to_string(), detail)
        }
    }
}

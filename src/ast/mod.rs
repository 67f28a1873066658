//! The abstract syntax tree of a statement, as the parser hands it to the binder.
//!
//! Every expression, pattern and clause keeps the byte span of its text so that later
//! stages can point at it. Names are kept as written (case preserved); keywords are not
//! in the tree. The tree says what was written, not what it means: scoping, aggregation
//! and type checks belong to `bind`.

/// A byte range in the statement text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// A name (variable, label, type, key, alias) with where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Statement {
    Query(Query),
    Schema(SchemaCommand),
    /// `EXPLAIN statement`: plan it, run nothing.
    Explain(Box<Statement>),
    /// `PROFILE statement`: run it and report rows and time per operator.
    Profile(Box<Statement>),
    /// `AS OF … VALID AT … query`: a read of the past, or of the world at an instant.
    Timed(Box<TimedQuery>),
}

/// A query that reads the graph as an earlier transaction left it (`as_of`) and/or
/// only the elements valid at an instant (`valid_at`).
#[derive(Clone, Debug, PartialEq)]
pub struct TimedQuery {
    pub as_of: Option<AsOf>,
    pub valid_at: Option<Expr>,
    pub query: Query,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AsOf {
    /// `AS OF TRANSACTION n`.
    Transaction(Expr),
    /// `AS OF TIMESTAMP t`: the last commit at or before the datetime `t`.
    Timestamp(Expr),
}

/// A regular query: single queries joined by UNION / UNION ALL.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    pub first: SingleQuery,
    /// Each further part with `true` for UNION ALL, `false` for UNION.
    pub unions: Vec<(bool, SingleQuery)>,
    pub span: Span,
}

impl Query {
    /// The single queries of the query, the first then each UNION part.
    pub fn parts(&self) -> impl Iterator<Item = &SingleQuery> {
        std::iter::once(&self.first).chain(self.unions.iter().map(|(_, q)| q))
    }

    /// The first clause that writes, also inside a CALL subquery: its name and span. A
    /// `CALL { … } IN TRANSACTIONS` is one (it commits) unless `skip_batched`, which
    /// passes over it and what it holds. Write procedures are only known once planned.
    pub fn first_update(&self, skip_batched: bool) -> Option<(&'static str, Span)> {
        for clause in self.parts().flat_map(|single| &single.clauses) {
            let found = match clause {
                Clause::Create(c) => ("CREATE", c.span),
                Clause::Merge(c) => ("MERGE", c.span),
                Clause::Set(c) => ("SET", c.span),
                Clause::Remove(c) => ("REMOVE", c.span),
                Clause::Delete(c) => ("DELETE", c.span),
                Clause::Foreach(c) => ("FOREACH", c.span),
                Clause::CallSubquery(c) if c.in_transactions.is_some() => {
                    if skip_batched {
                        continue;
                    }
                    ("CALL { … } IN TRANSACTIONS", c.span)
                }
                Clause::CallSubquery(c) => match c.query.first_update(skip_batched) {
                    Some(found) => found,
                    None => continue,
                },
                _ => continue,
            };
            return Some(found);
        }
        None
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SingleQuery {
    pub clauses: Vec<Clause>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Clause {
    Match(MatchClause),
    LoadCsv(LoadCsvClause),
    Unwind(UnwindClause),
    With(Projection),
    Return(Projection),
    Create(CreateClause),
    Merge(MergeClause),
    Set(SetClause),
    Remove(RemoveClause),
    Delete(DeleteClause),
    Foreach(ForeachClause),
    CallSubquery(CallSubqueryClause),
    Call(CallClause),
}

#[derive(Clone, Debug, PartialEq)]
pub struct MatchClause {
    pub optional: bool,
    pub pattern: Pattern,
    pub where_: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct UnwindClause {
    pub expr: Expr,
    pub alias: Ident,
    pub span: Span,
}

/// The body of WITH and RETURN.
#[derive(Clone, Debug, PartialEq)]
pub struct Projection {
    pub distinct: bool,
    /// `*` was written (alone or before further items).
    pub star: bool,
    pub items: Vec<ProjectionItem>,
    pub order_by: Vec<SortItem>,
    pub skip: Option<Expr>,
    pub limit: Option<Expr>,
    /// Only for WITH.
    pub where_: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ProjectionItem {
    pub expr: Expr,
    pub alias: Option<Ident>,
    /// The expression's text exactly as written: the column name when there is no alias.
    pub text: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SortItem {
    pub expr: Expr,
    pub descending: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CreateClause {
    pub pattern: Pattern,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MergeClause {
    pub part: PatternPart,
    pub on_create: Vec<SetItem>,
    pub on_match: Vec<SetItem>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SetClause {
    pub items: Vec<SetItem>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SetItem {
    /// `target.key = value`; `target` is any expression that yields an entity or null.
    Property {
        target: Expr,
        key: Ident,
        value: Expr,
    },
    /// `n = map` (replace all properties) or `n += map` (merge).
    Properties {
        variable: Ident,
        value: Expr,
        merge: bool,
    },
    /// `n:A:B`.
    Labels { variable: Ident, labels: Vec<Ident> },
}

#[derive(Clone, Debug, PartialEq)]
pub struct RemoveClause {
    pub items: Vec<RemoveItem>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum RemoveItem {
    Property { target: Expr, key: Ident },
    Labels { variable: Ident, labels: Vec<Ident> },
}

#[derive(Clone, Debug, PartialEq)]
pub struct DeleteClause {
    pub detach: bool,
    pub exprs: Vec<Expr>,
    pub span: Span,
}

/// `FOREACH (variable IN list | clauses)`: the clauses (all of them updating) run for
/// each element of the list, per row; the rows pass on unchanged.
#[derive(Clone, Debug, PartialEq)]
pub struct ForeachClause {
    pub variable: Ident,
    pub list: Expr,
    pub clauses: Vec<Clause>,
    pub span: Span,
}

/// `LOAD CSV [WITH HEADERS] FROM source AS alias [FIELDTERMINATOR 'c']`: one row per
/// record of the file, the record bound to `alias` (a list of strings, or with headers
/// a map from the header's names).
#[derive(Clone, Debug, PartialEq)]
pub struct LoadCsvClause {
    pub headers: bool,
    pub source: Expr,
    pub alias: Ident,
    /// The field separator, one byte (`,` unless given).
    pub terminator: u8,
    pub span: Span,
}

/// `CALL [(scope)] { query }`: the query runs once per row on the variables it imports;
/// each row it returns extends the row (a subquery without RETURN passes the row on).
#[derive(Clone, Debug, PartialEq)]
pub struct CallSubqueryClause {
    pub scope: CallScope,
    pub query: Query,
    pub in_transactions: Option<InTransactions>,
    pub span: Span,
}

/// `IN TRANSACTIONS [OF n ROWS] [ON ERROR …] [REPORT STATUS AS s]`: the input rows are
/// cut into batches and each batch's subquery commits in a transaction of its own.
#[derive(Clone, Debug, PartialEq)]
pub struct InTransactions {
    /// `OF n ROWS`; `None`: 1000 rows, as in Neo4j.
    pub batch_size: Option<Expr>,
    pub on_error: OnError,
    /// `REPORT STATUS AS s`: each row gets the status of its batch's transaction.
    pub report_status: Option<Ident>,
    /// From `IN` to the end of the options.
    pub span: Span,
}

/// What `ON ERROR` does when a batch fails (its writes are rolled back in every case).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnError {
    /// The statement fails with the batch's error (the default).
    Fail,
    /// The next batches run.
    Continue,
    /// No later batch runs; the statement goes on with the rows it has.
    Break,
}

/// What a CALL subquery imports from the outer rows.
#[derive(Clone, Debug, PartialEq)]
pub enum CallScope {
    /// `CALL { … }`: the variables of a leading `WITH a, b` (an importing WITH), if any.
    ImportingWith,
    /// `CALL (*) { … }`: every outer variable.
    All,
    /// `CALL (a, b) { … }`, `CALL () { … }`.
    Variables(Vec<Ident>),
}

/// `CALL ns.name(args) YIELD a, b AS c WHERE …`.
#[derive(Clone, Debug, PartialEq)]
pub struct CallClause {
    /// The dotted name, e.g. `["db", "labels"]`.
    pub procedure: Vec<Ident>,
    /// `None` when written without parentheses (implicit arguments from parameters).
    pub args: Option<Vec<Expr>>,
    pub yield_: Option<YieldSpec>,
    pub span: Span,
}

/// A label expression (GQL's, as Neo4j 5 has it): `A`, `%` (any label), `!e`, `e&f`,
/// `e|f`, with parentheses for grouping.
#[derive(Clone, Debug, PartialEq)]
pub enum LabelExpr {
    Name(Ident),
    Any,
    Not(Box<LabelExpr>),
    And(Vec<LabelExpr>),
    Or(Vec<LabelExpr>),
}

impl LabelExpr {
    /// Whether an element passes, `has(Some(l))` telling whether it has label `l` and
    /// `has(None)` whether it has any.
    pub fn matches<E>(
        &self,
        has: &mut impl FnMut(Option<&str>) -> std::result::Result<bool, E>,
    ) -> std::result::Result<bool, E> {
        Ok(match self {
            LabelExpr::Name(n) => has(Some(&n.name))?,
            LabelExpr::Any => has(None)?,
            LabelExpr::Not(e) => !e.matches(has)?,
            LabelExpr::And(all) => {
                for e in all {
                    if !e.matches(has)? {
                        return Ok(false);
                    }
                }
                true
            }
            LabelExpr::Or(any) => {
                for e in any {
                    if e.matches(has)? {
                        return Ok(true);
                    }
                }
                false
            }
        })
    }

    /// The labels every matching element has (those a conjunction names at its top).
    pub fn required(&self) -> Vec<Ident> {
        match self {
            LabelExpr::Name(n) => vec![n.clone()],
            LabelExpr::And(all) => all.iter().flat_map(LabelExpr::required).collect(),
            LabelExpr::Any | LabelExpr::Not(_) | LabelExpr::Or(_) => Vec::new(),
        }
    }

    /// The labels, when the expression is nothing but a conjunction of them.
    pub fn as_conjunction(&self) -> Option<Vec<Ident>> {
        match self {
            LabelExpr::Name(n) => Some(vec![n.clone()]),
            LabelExpr::And(all) => {
                let mut names = Vec::new();
                for e in all {
                    names.extend(e.as_conjunction()?);
                }
                Some(names)
            }
            _ => None,
        }
    }
}

impl CallSubqueryClause {
    /// The outer variables the subquery imports, given those in scope before it
    /// (`outer`, in scope order): the listed ones, all of them for `(*)`, or those of
    /// each part's importing WITH.
    pub fn imports(&self, outer: &[String]) -> Vec<String> {
        match &self.scope {
            CallScope::All => outer.to_vec(),
            CallScope::Variables(vars) => vars.iter().map(|v| v.name.clone()).collect(),
            CallScope::ImportingWith => {
                let mut names: Vec<String> = Vec::new();
                for part in self.query.parts() {
                    match importing_with(part) {
                        Some(ImportingWith::All) => return outer.to_vec(),
                        Some(ImportingWith::Variables(vars)) => {
                            for v in &vars {
                                if !names.contains(&v.name) {
                                    names.push(v.name.clone());
                                }
                            }
                        }
                        None => {}
                    }
                }
                // In the outer scope's order, like `(*)`.
                outer
                    .iter()
                    .filter(|n| names.contains(n))
                    .cloned()
                    .collect()
            }
        }
    }
}

/// What a `CALL { … }` part's leading WITH imports.
pub enum ImportingWith {
    /// `WITH *`.
    All,
    /// `WITH a, b`.
    Variables(Vec<Ident>),
}

/// The importing WITH a `CALL { … }` part starts with: a WITH of nothing but outer
/// variables by name (`WITH a, b` or `WITH *`), with no WHERE, ORDER BY, SKIP, LIMIT or
/// DISTINCT. Any other leading WITH is an ordinary one and imports nothing.
pub fn importing_with(part: &SingleQuery) -> Option<ImportingWith> {
    let Some(Clause::With(p)) = part.clauses.first() else {
        return None;
    };
    if p.distinct || !p.order_by.is_empty() || p.skip.is_some() || p.limit.is_some() {
        return None;
    }
    if p.where_.is_some() {
        return None;
    }
    if p.star {
        return p.items.is_empty().then_some(ImportingWith::All);
    }
    let mut vars = Vec::new();
    for item in &p.items {
        match (&item.expr.kind, &item.alias) {
            (ExprKind::Variable(name), alias) if alias.as_ref().is_none_or(|a| &a.name == name) => {
                vars.push(alias.as_ref().map_or_else(
                    || Ident {
                        name: name.clone(),
                        span: item.expr.span,
                    },
                    Clone::clone,
                ));
            }
            _ => return None,
        }
    }
    Some(ImportingWith::Variables(vars))
}

impl CallClause {
    /// The procedure's dotted name as written (`db.labels`).
    pub fn procedure_name(&self) -> String {
        self.procedure
            .iter()
            .map(|i| i.name.as_str())
            .collect::<Vec<_>>()
            .join(".")
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct YieldSpec {
    /// `YIELD *`.
    pub star: bool,
    /// (procedure output field, alias).
    pub items: Vec<(Ident, Option<Ident>)>,
    pub where_: Option<Expr>,
}

/// Comma-separated pattern parts, as after MATCH or CREATE.
#[derive(Clone, Debug, PartialEq)]
pub struct Pattern {
    pub parts: Vec<PatternPart>,
    pub span: Span,
}

/// Which of a pattern's paths a match keeps, per pair of start and end nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathFunction {
    /// Every path.
    None,
    /// `SHORTEST count` paths in order of length, or with `groups` every path whose
    /// length is among the `count` smallest (`SHORTEST count GROUPS`).
    Shortest { count: u64, groups: bool },
}

impl PathFunction {
    /// `shortestPath(…)`, `SHORTEST 1`, `ANY SHORTEST`.
    pub const SHORTEST_PATH: PathFunction = PathFunction::Shortest {
        count: 1,
        groups: false,
    };
    /// `allShortestPaths(…)`, `ALL SHORTEST`, `SHORTEST 1 GROUPS`.
    pub const ALL_SHORTEST_PATHS: PathFunction = PathFunction::Shortest {
        count: 1,
        groups: true,
    };
}

/// `p = shortestPath((a)-[*]-(b))` or just `(a)-->(b)`.
#[derive(Clone, Debug, PartialEq)]
pub struct PatternPart {
    pub variable: Option<Ident>,
    pub function: PathFunction,
    pub element: PatternElement,
    pub span: Span,
}

impl PatternPart {
    /// A part of one element written inside an expression (a pattern predicate, a
    /// pattern comprehension, `shortestPath(…)`).
    pub fn of_element(
        variable: Option<Ident>,
        function: PathFunction,
        element: &PatternElement,
    ) -> PatternPart {
        PatternPart {
            variable,
            function,
            element: element.clone(),
            span: element.span,
        }
    }
}

impl Pattern {
    /// The pattern of one part.
    pub fn of_part(part: PatternPart) -> Pattern {
        Pattern {
            span: part.span,
            parts: vec![part],
        }
    }
}

/// The text of `span` in `text` with runs of white space folded to one space, as
/// projection items and sort keys are compared.
pub fn folded_source(text: &str, span: Span) -> String {
    text.get(span.start..span.end)
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A chain: a node, then steps that each lead on from the node before to a node.
#[derive(Clone, Debug, PartialEq)]
pub struct PatternElement {
    pub start: NodePattern,
    pub chain: Vec<PatternStep>,
    pub span: Span,
}

/// One step of a chain: how it leads on from the node before it, and the node it
/// reaches.
#[derive(Clone, Debug, PartialEq)]
pub struct PatternStep {
    pub link: PatternLink,
    pub node: NodePattern,
}

/// What leads from one node of a chain to the next.
#[derive(Clone, Debug, PartialEq)]
pub enum PatternLink {
    /// `-[r:T]->`, also variable-length (`*1..3`) or quantified (`{1,3}`).
    Relationship(RelationshipPattern),
    /// `((a)-[r]->(b) WHERE …){1,3}`: a quantified path pattern.
    Group(Box<QuantifiedGroup>),
}

impl PatternLink {
    pub fn as_relationship(&self) -> Option<&RelationshipPattern> {
        match self {
            PatternLink::Relationship(r) => Some(r),
            PatternLink::Group(_) => None,
        }
    }

    pub fn as_group(&self) -> Option<&QuantifiedGroup> {
        match self {
            PatternLink::Relationship(_) => None,
            PatternLink::Group(g) => Some(g),
        }
    }
}

/// A quantified path pattern, `((a)-[r]->(b) WHERE r.w > 1){1,3}`: its path repeated,
/// each iteration's last node the next one's first; the node before the group is the
/// first iteration's first node and the node after it the last iteration's last node
/// (with no iteration, the two are one node). Outside the group its variables are
/// group variables: lists of one element per iteration. The parser inserts an
/// anonymous node `()` where a group has no node written beside it, which matches the
/// same paths.
#[derive(Clone, Debug, PartialEq)]
pub struct QuantifiedGroup {
    /// The repeated path: at least one relationship, none of them quantified or of a
    /// variable length, no group inside.
    pub element: PatternElement,
    /// Tested on each iteration; it sees the group's variables as single elements.
    pub where_: Option<Expr>,
    pub repetitions: Repetitions,
    pub span: Span,
}

/// How many times a group repeats: `{2}` is `2..=2`, `+` is `1..`, `*` is `0..`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Repetitions {
    pub min: u64,
    /// `None`: no upper bound (a match uses no relationship twice, which bounds it).
    pub max: Option<u64>,
}

impl PatternElement {
    /// The nodes of the chain (not those inside its groups), the start first.
    pub fn nodes(&self) -> impl Iterator<Item = &NodePattern> {
        std::iter::once(&self.start).chain(self.chain.iter().map(|s| &s.node))
    }

    /// `nodes`, to change them.
    pub fn nodes_mut(&mut self) -> impl Iterator<Item = &mut NodePattern> {
        std::iter::once(&mut self.start).chain(self.chain.iter_mut().map(|s| &mut s.node))
    }

    /// The relationships of the chain (not those inside its groups), in order.
    pub fn relationships(&self) -> impl Iterator<Item = &RelationshipPattern> {
        self.chain.iter().filter_map(|s| s.link.as_relationship())
    }

    /// The quantified groups of the chain, in order.
    pub fn groups(&self) -> impl Iterator<Item = &QuantifiedGroup> {
        self.chain.iter().filter_map(|s| s.link.as_group())
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct NodePattern {
    pub variable: Option<Ident>,
    /// `(n:A:B)`: the node has all of these labels (for a label expression, the labels
    /// it requires).
    pub labels: Vec<Ident>,
    /// `(n:A|B)`, `(n:!A)`, `(n:%)`: a label expression that is not only a conjunction
    /// of labels, tested besides `labels`.
    pub label_filter: Option<Box<LabelExpr>>,
    /// A map literal or a parameter.
    pub properties: Option<Box<Expr>>,
    pub span: Span,
}

impl NodePattern {
    /// `()`, standing at `at`: the node the parser puts beside a quantified group that
    /// has none written there.
    pub fn anonymous(at: usize) -> NodePattern {
        NodePattern {
            variable: None,
            labels: Vec::new(),
            label_filter: None,
            properties: None,
            span: Span { start: at, end: at },
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// `-[]->`
    Outgoing,
    /// `<-[]-`
    Incoming,
    /// `-[]-` (or `<-[]->`)
    Both,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RelationshipPattern {
    pub variable: Option<Ident>,
    /// `[:A|B]`: any of these types (`|:B` accepted too).
    pub types: Vec<Ident>,
    pub direction: Direction,
    /// Present for variable-length relationships.
    pub length: Option<VarLength>,
    pub properties: Option<Box<Expr>>,
    pub span: Span,
}

/// `*` is `{min: None, max: None}`, `*3` is `{Some(3), Some(3)}`, `*2..` is `{Some(2), None}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VarLength {
    pub min: Option<u64>,
    pub max: Option<u64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

/// Pushes onto `$out` the direct sub-expressions of `$kind` but those of patterns and
/// subqueries, by reference (`&`) or by mutable reference (`mut`): one definition for
/// both walkers. With `$scoped` false, only those evaluated in the expression's own
/// scope; with it true, also the bodies of comprehensions, quantifiers and `reduce`
/// and a map projection's values, which see variables of their own.
macro_rules! sub_exprs {
    ($kind:expr, $out:ident, $scoped:expr, $iter:ident, $as_deref:ident $(, $m:tt)?) => {{
        use ExprKind as K;
        match $kind {
            K::List(items) => $out.extend(items.$iter()),
            K::Map(entries) => $out.extend(entries.$iter().map(|(_, v)| v)),
            K::Property(x, _)
            | K::Unary(_, x)
            | K::IsNull(x, _)
            | K::HasLabels(x, _)
            | K::LabelMatch(x, _) => {
                $out.push(&$($m)? **x)
            }
            K::Index(a, b) | K::Binary(_, a, b) => {
                $out.push(&$($m)? **a);
                $out.push(&$($m)? **b);
            }
            K::Slice(a, b, c) => {
                $out.push(&$($m)? **a);
                $out.extend(b.$as_deref());
                $out.extend(c.$as_deref());
            }
            K::Compare(a, rest) => {
                $out.push(&$($m)? **a);
                $out.extend(rest.$iter().map(|(_, x)| x));
            }
            K::FunctionCall { args, .. } => $out.extend(args.$iter()),
            K::Case {
                operand,
                whens,
                else_,
            } => {
                $out.extend(operand.$as_deref());
                for (w, t) in whens {
                    $out.push(w);
                    $out.push(t);
                }
                $out.extend(else_.$as_deref());
            }
            K::ListComprehension {
                list,
                predicate,
                projection,
                ..
            } => {
                $out.push(&$($m)? **list);
                if $scoped {
                    $out.extend(predicate.$as_deref());
                    $out.extend(projection.$as_deref());
                }
            }
            K::Quantified {
                list, predicate, ..
            } => {
                $out.push(&$($m)? **list);
                if $scoped {
                    $out.extend(predicate.$as_deref());
                }
            }
            K::Reduce {
                init, list, expr, ..
            } => {
                $out.push(&$($m)? **init);
                $out.push(&$($m)? **list);
                if $scoped {
                    $out.push(&$($m)? **expr);
                }
            }
            K::MapProjection { items, .. } if $scoped => {
                $out.extend(items.$iter().filter_map(|i| match i {
                    MapProjectionItem::Literal(_, x) => Some(x),
                    _ => None,
                }))
            }
            _ => {}
        }
    }};
}

impl Expr {
    /// The direct sub-expressions evaluated in this expression's own scope: everything
    /// but the bodies of comprehensions, quantifiers, `reduce` and map projections, which
    /// see variables of their own, and the patterns and subqueries inside it.
    pub fn outer_children(&self) -> Vec<&Expr> {
        let mut out = Vec::new();
        sub_exprs!(&self.kind, out, false, iter, as_deref);
        out
    }

    /// `outer_children`, to change them.
    pub fn outer_children_mut(&mut self) -> Vec<&mut Expr> {
        let mut out = Vec::new();
        sub_exprs!(&mut self.kind, out, false, iter_mut, as_deref_mut, mut);
        out
    }

    /// All direct sub-expressions but those of patterns and subqueries:
    /// `outer_children` plus the bodies of comprehensions, quantifiers and `reduce`,
    /// and the values of a map projection.
    pub fn children(&self) -> Vec<&Expr> {
        let mut out = Vec::new();
        sub_exprs!(&self.kind, out, true, iter, as_deref);
        out
    }

    /// `children`, to change them.
    pub fn children_mut(&mut self) -> Vec<&mut Expr> {
        let mut out = Vec::new();
        sub_exprs!(&mut self.kind, out, true, iter_mut, as_deref_mut, mut);
        out
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    Xor,
    And,
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
    Power,
    In,
    StartsWith,
    EndsWith,
    Contains,
    RegexMatch,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Negate,
    Plus,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantifier {
    All,
    Any,
    None,
    Single,
}

#[derive(Clone, Debug, PartialEq)]
pub enum MapProjectionItem {
    /// `.name`
    Property(Ident),
    /// `.*`
    AllProperties,
    /// `key: expr`
    Literal(Ident, Expr),
    /// `other` (a variable: key is its name)
    Variable(Ident),
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Literal(Literal),
    Parameter(String),
    Variable(String),
    List(Vec<Expr>),
    Map(Vec<(Ident, Expr)>),
    /// `expr.key`
    Property(Box<Expr>, Ident),
    /// `expr[index]`
    Index(Box<Expr>, Box<Expr>),
    /// `expr[from..to]`
    Slice(Box<Expr>, Option<Box<Expr>>, Option<Box<Expr>>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    Unary(UnaryOp, Box<Expr>),
    /// `a < b <= c` is `Compare(a, [(Lt, b), (Le, c)])`: each pair compared, results ANDed.
    Compare(Box<Expr>, Vec<(CompareOp, Expr)>),
    IsNull(Box<Expr>, bool /* negated: IS NOT NULL */),
    /// `n:A:B` as a predicate.
    HasLabels(Box<Expr>, Vec<Ident>),
    /// `n:A|B`, `n:!A`, `n:%`, `n:(A&B)|C` as a predicate: a label expression that is
    /// not only a conjunction (on a relationship it tests the type).
    LabelMatch(Box<Expr>, Box<LabelExpr>),
    /// `ns.name(DISTINCT? args)`; the name's parts as written.
    FunctionCall {
        name: Vec<Ident>,
        distinct: bool,
        args: Vec<Expr>,
    },
    /// `count(*)`
    CountStar,
    /// `CASE [operand] WHEN … THEN … [ELSE …] END`
    Case {
        operand: Option<Box<Expr>>,
        whens: Vec<(Expr, Expr)>,
        else_: Option<Box<Expr>>,
    },
    /// `[x IN list WHERE pred | proj]`
    ListComprehension {
        variable: Ident,
        list: Box<Expr>,
        predicate: Option<Box<Expr>>,
        projection: Option<Box<Expr>>,
    },
    /// `[p = (a)-->(b) WHERE pred | proj]`
    PatternComprehension {
        variable: Option<Ident>,
        pattern: Box<PatternElement>,
        predicate: Option<Box<Expr>>,
        projection: Box<Expr>,
    },
    /// `all(x IN list WHERE pred)` and friends.
    Quantified {
        quantifier: Quantifier,
        variable: Ident,
        list: Box<Expr>,
        predicate: Option<Box<Expr>>,
    },
    /// `reduce(acc = init, x IN list | expr)`
    Reduce {
        accumulator: Ident,
        init: Box<Expr>,
        variable: Ident,
        list: Box<Expr>,
        expr: Box<Expr>,
    },
    /// `n {.name, .*, k: expr, v}`
    MapProjection {
        variable: Ident,
        items: Vec<MapProjectionItem>,
    },
    /// A pattern used as a predicate, e.g. `WHERE (a)-->(b)`.
    PatternPredicate(PatternElement),
    /// `EXISTS { … }`, `COUNT { … }` or `COLLECT { … }`: what is asked of the matches
    /// of a pattern (with optional WHERE) or of the rows of a whole query.
    Subquery(SubqueryKind, Box<SubqueryBody>),
}

/// What a subquery expression makes of its rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubqueryKind {
    /// `EXISTS { … }`: whether there is one.
    Exists,
    /// `COUNT { … }`: how many there are.
    Count,
    /// `COLLECT { … RETURN x }`: the list of the returned column's values.
    Collect,
}

impl SubqueryKind {
    /// The keyword, for messages.
    pub fn keyword(self) -> &'static str {
        match self {
            SubqueryKind::Exists => "EXISTS",
            SubqueryKind::Count => "COUNT",
            SubqueryKind::Collect => "COLLECT",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum SubqueryBody {
    Pattern {
        pattern: Pattern,
        where_: Option<Expr>,
    },
    Query(Query),
}

/// Schema statements: indexes and uniqueness constraints on (label, property key).
#[derive(Clone, Debug, PartialEq)]
pub enum SchemaCommand {
    /// `CREATE INDEX [name] [IF NOT EXISTS] FOR (n:Label) ON (n.key)`
    CreateIndex {
        name: Option<Ident>,
        if_not_exists: bool,
        label: Ident,
        key: Ident,
    },
    /// `DROP INDEX name [IF EXISTS]`
    DropIndex {
        name: Ident,
        if_exists: bool,
    },
    /// `CREATE CONSTRAINT [name] [IF NOT EXISTS] FOR (n:Label) REQUIRE n.key IS UNIQUE`
    CreateUniqueConstraint {
        name: Option<Ident>,
        if_not_exists: bool,
        label: Ident,
        key: Ident,
    },
    /// `DROP CONSTRAINT name [IF EXISTS]`
    DropConstraint {
        name: Ident,
        if_exists: bool,
    },
    ShowIndexes,
    ShowConstraints,
}

/// The ANDed parts of a predicate.
pub(crate) fn conjuncts(e: &Expr) -> Vec<&Expr> {
    match &e.kind {
        ExprKind::Binary(BinaryOp::And, a, b) => {
            let mut v = conjuncts(a);
            v.extend(conjuncts(b));
            v
        }
        _ => vec![e],
    }
}

/// Every variable name an expression mentions (including names inside patterns and the
/// local names of comprehensions that shadow nothing outside).
pub(crate) fn mentioned_vars(e: &Expr, out: &mut Vec<String>) {
    walk_expr(e, &mut |x| match &x.kind {
        ExprKind::Variable(v) => out.push(v.clone()),
        ExprKind::PatternPredicate(el) => element_vars(el, out),
        ExprKind::PatternComprehension { pattern, .. } => element_vars(pattern, out),
        ExprKind::MapProjection { variable, .. } => out.push(variable.name.clone()),
        _ => {}
    });
}

/// The variables an element binds, in the order written: its nodes' and relationships'
/// and its groups' (group variables).
pub(crate) fn element_vars(el: &PatternElement, out: &mut Vec<String>) {
    if let Some(v) = &el.start.variable {
        out.push(v.name.clone());
    }
    for step in &el.chain {
        match &step.link {
            PatternLink::Relationship(r) => {
                if let Some(v) = &r.variable {
                    out.push(v.name.clone());
                }
            }
            PatternLink::Group(g) => element_vars(&g.element, out),
        }
        if let Some(v) = &step.node.variable {
            out.push(v.name.clone());
        }
    }
}

/// Calls `f` on `e` and every expression inside it (not inside EXISTS subqueries).
pub(crate) fn walk_expr(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    f(e);
    let mut go = |x: &Expr| walk_expr(x, f);
    match &e.kind {
        ExprKind::Literal(_)
        | ExprKind::Parameter(_)
        | ExprKind::Variable(_)
        | ExprKind::CountStar => {}
        ExprKind::List(items) => items.iter().for_each(go),
        ExprKind::Map(entries) => entries.iter().for_each(|(_, v)| go(v)),
        ExprKind::Property(x, _) => go(x),
        ExprKind::Index(a, b) => {
            go(a);
            go(b);
        }
        ExprKind::Slice(a, b, c) => {
            go(a);
            if let Some(b) = b {
                go(b);
            }
            if let Some(c) = c {
                go(c);
            }
        }
        ExprKind::Binary(_, a, b) => {
            go(a);
            go(b);
        }
        ExprKind::Unary(_, a)
        | ExprKind::IsNull(a, _)
        | ExprKind::HasLabels(a, _)
        | ExprKind::LabelMatch(a, _) => go(a),
        ExprKind::Compare(a, rest) => {
            go(a);
            rest.iter().for_each(|(_, x)| go(x));
        }
        ExprKind::FunctionCall { args, .. } => args.iter().for_each(go),
        ExprKind::Case {
            operand,
            whens,
            else_,
        } => {
            if let Some(o) = operand {
                go(o);
            }
            for (w, t) in whens {
                go(w);
                go(t);
            }
            if let Some(x) = else_ {
                go(x);
            }
        }
        ExprKind::ListComprehension {
            list,
            predicate,
            projection,
            ..
        } => {
            go(list);
            if let Some(p) = predicate {
                go(p);
            }
            if let Some(p) = projection {
                go(p);
            }
        }
        ExprKind::PatternComprehension {
            pattern,
            predicate,
            projection,
            ..
        } => {
            element_exprs(pattern, &mut go);
            if let Some(p) = predicate {
                go(p);
            }
            go(projection);
        }
        ExprKind::Quantified {
            list, predicate, ..
        } => {
            go(list);
            if let Some(p) = predicate {
                go(p);
            }
        }
        ExprKind::Reduce {
            init, list, expr, ..
        } => {
            go(init);
            go(list);
            go(expr);
        }
        ExprKind::MapProjection { items, .. } => {
            for item in items {
                if let MapProjectionItem::Literal(_, x) = item {
                    go(x);
                }
            }
        }
        ExprKind::PatternPredicate(el) => element_exprs(el, &mut go),
        ExprKind::Subquery(_, sub) => {
            if let SubqueryBody::Pattern { pattern, where_ } = sub.as_ref() {
                for part in &pattern.parts {
                    element_exprs(&part.element, &mut go);
                }
                if let Some(w) = where_ {
                    go(w);
                }
            }
        }
    }
}

fn element_exprs(el: &PatternElement, go: &mut dyn FnMut(&Expr)) {
    if let Some(p) = &el.start.properties {
        go(p);
    }
    for step in &el.chain {
        match &step.link {
            PatternLink::Relationship(r) => {
                if let Some(p) = &r.properties {
                    go(p);
                }
            }
            PatternLink::Group(g) => {
                element_exprs(&g.element, go);
                if let Some(w) = &g.where_ {
                    go(w);
                }
            }
        }
        if let Some(p) = &step.node.properties {
            go(p);
        }
    }
}

mod text;

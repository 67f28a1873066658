//! Semantic checks before anything runs: variable scoping (undefined, already bound,
//! conflicting kinds; a quantified path pattern's variables as lists outside it, and
//! what may be read inside it), aggregation rules, projection rules (aliases, column names,
//! `*` with nothing in scope), clause composition (UNION columns), pattern rules for
//! CREATE and MERGE, procedure signatures, parameters, and the type errors that can be
//! seen from literals alone. Errors carry the TCK's class and detail code (a compile
//! time error is a `SyntaxError` there) and the position of the offending expression.

use crate::ast::{self, Expr, ExprKind};
use crate::bound;
use crate::catalog::aggregates::{contains_aggregate, is_aggregate_call};
use crate::catalog::procedures::{type_accepts, Registry};
use crate::error::{Error, ErrorClass, Result};
use crate::Params;
use std::cell::RefCell;
use std::rc::Rc;

/// What a variable holds, as far as can be known before running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    Node,
    Rel,
    RelList,
    /// A group variable of nodes: the list of a quantified group's node, one per
    /// iteration.
    NodeGroup,
    /// A group variable of relationships.
    RelGroup,
    Path,
    Bool,
    Int,
    Float,
    Str,
    List,
    Map,
    Null,
    Any,
}

#[derive(Clone, Default)]
struct Scope {
    vars: Vec<(String, Ty)>,
    /// Every name looked up and found, in this scope or one cloned from it: what a
    /// subquery's binding looked up tells which outer variables it imports.
    found: Rc<RefCell<Vec<String>>>,
    /// Variables bound around a quantified group, which what is written inside it
    /// cannot read: named so the error can say why.
    around_group: Vec<String>,
}

impl Scope {
    fn get(&self, name: &str) -> Option<Ty> {
        let ty = self
            .vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, t)| *t);
        if ty.is_some() {
            self.found.borrow_mut().push(name.to_string());
        }
        ty
    }

    /// A scope of no variables whose lookups are logged with this one's (what a
    /// projection leaves in scope: a subquery's imports are still seen after it).
    fn without_variables(&self) -> Scope {
        Scope {
            vars: Vec::new(),
            found: Rc::clone(&self.found),
            around_group: Vec::new(),
        }
    }

    /// How many lookups have been logged: a mark for `imports_since`.
    fn mark(&self) -> usize {
        self.found.borrow().len()
    }

    /// The variables of this scope looked up since `mark`, in the scope's order.
    fn imports_since(&self, mark: usize) -> Vec<String> {
        let found = self.found.borrow();
        let since = found.get(mark..).unwrap_or_default();
        self.vars
            .iter()
            .map(|(n, _)| n)
            .filter(|n| since.contains(n))
            .cloned()
            .collect()
    }
    fn add(&mut self, name: &str, ty: Ty) {
        self.vars.retain(|(n, _)| n != name);
        self.vars.push((name.to_string(), ty));
    }
}

struct Binder<'q> {
    text: &'q str,
    params: &'q Params,
    registry: &'q Registry,
    /// The subqueries bound so far.
    subqueries: RefCell<Vec<bound::Subquery>>,
}

/// `q` with each WITH also passing on the outer variables the subquery imports, so the
/// plan keeps them in its rows as the binder kept them in scope. An import is one value
/// for the whole subquery, so adding it to an aggregating or DISTINCT WITH changes no
/// group.
fn carry_through_with(q: &ast::SingleQuery, imports: &[String]) -> ast::SingleQuery {
    let mut q = q.clone();
    for clause in &mut q.clauses {
        let ast::Clause::With(p) = clause else {
            continue;
        };
        if p.star {
            continue;
        }
        for name in imports {
            let projected = p
                .items
                .iter()
                .any(|item| match (&item.alias, &item.expr.kind) {
                    (Some(alias), _) => &alias.name == name,
                    (None, ExprKind::Variable(v)) => v == name,
                    (None, _) => false,
                });
            if !projected {
                let ident = ast::Ident {
                    name: name.clone(),
                    span: p.span,
                };
                p.items.push(ast::ProjectionItem {
                    expr: Expr {
                        kind: ExprKind::Variable(name.clone()),
                        span: p.span,
                    },
                    alias: Some(ident),
                    text: name.clone(),
                });
            }
        }
    }
    q
}

fn err(detail: &str, message: impl Into<String>) -> Error {
    Error::syntax(detail, message)
}

/// Checks a query and finds what its subqueries import; the first problem found is
/// returned as an error.
pub fn bind_query(
    q: &ast::Query,
    text: &str,
    params: &Params,
    registry: &Registry,
) -> Result<bound::Query> {
    let b = Binder {
        text,
        params,
        registry,
        subqueries: RefCell::new(Vec::new()),
    };
    let first_cols = b.single(&q.first, &Scope::default(), false)?;
    let mut kinds = Vec::new();
    for (all, part) in &q.unions {
        kinds.push(*all);
        let cols = b.single(part, &Scope::default(), false)?;
        if cols != first_cols {
            return Err(err(
                "DifferentColumnsInUnion",
                "all parts of a UNION must return the same column names",
            ));
        }
    }
    if kinds.windows(2).any(|w| w.first() != w.get(1)) {
        return Err(err(
            "InvalidClauseComposition",
            "UNION and UNION ALL cannot be mixed in one query",
        ));
    }
    let mut query = bound::Query {
        subqueries: b.subqueries.into_inner(),
    };
    query.sort();
    Ok(query)
}

impl Binder<'_> {
    fn at(&self, e: Error, offset: usize) -> Error {
        e.at(self.text, offset)
    }

    /// Notes subquery `e` with the variables of `scope` its binding looked up since
    /// `mark`.
    fn record(&self, e: &Expr, scope: &Scope, mark: usize, body: bound::Body) {
        self.subqueries.borrow_mut().push(bound::Subquery {
            at: e.span,
            imports: scope.imports_since(mark),
            body,
        });
    }

    /// Checks a pattern used as an expression (its variables must all be bound) and
    /// returns it as a pattern, its path named by `path` if given.
    fn pattern_predicate(
        &self,
        el: &ast::PatternElement,
        path: Option<(ast::Ident, ast::PathFunction)>,
        scope: &Scope,
    ) -> Result<ast::Pattern> {
        let mut vars = Vec::new();
        let checked = ast::PatternPart::of_element(None, ast::PathFunction::None, el);
        collect_named(el, &mut vars);
        for (name, span) in vars {
            if scope.get(&name).is_none() {
                return Err(self.at(
                    err(
                        "UndefinedVariable",
                        format!("variable `{name}` is not defined"),
                    ),
                    span,
                ));
            }
        }
        let mut inner = scope.clone();
        self.pattern_vars(&ast::Pattern::of_part(checked), &mut inner, scope, false)?;
        let (variable, function) =
            path.map_or((None, ast::PathFunction::None), |(v, f)| (Some(v), f));
        Ok(ast::Pattern::of_part(ast::PatternPart::of_element(
            variable, function, el,
        )))
    }

    /// Checks one single query; returns its column names. With `outer_after_with` the
    /// variables of `outer` stay visible after each WITH (an expression subquery's
    /// imports, as in Neo4j); otherwise a WITH passes on only what it projects.
    fn single(
        &self,
        q: &ast::SingleQuery,
        outer: &Scope,
        outer_after_with: bool,
    ) -> Result<Vec<String>> {
        let mut scope = outer.clone();
        let mut columns = Vec::new();
        let count = q.clauses.len();
        for (i, clause) in q.clauses.iter().enumerate() {
            let last = i + 1 == count;
            match clause {
                ast::Clause::Match(m) => self.match_clause(m, &mut scope)?,
                ast::Clause::LoadCsv(l) => {
                    self.expr(&l.source, &scope, false)?;
                    if scope.get(&l.alias.name).is_some() {
                        return Err(self.at(
                            err(
                                "VariableAlreadyBound",
                                format!("variable `{}` is already bound", l.alias.name),
                            ),
                            l.alias.span.start,
                        ));
                    }
                    let ty = if l.headers { Ty::Map } else { Ty::List };
                    scope.add(&l.alias.name, ty);
                }
                ast::Clause::Unwind(u) => {
                    self.expr(&u.expr, &scope, false)?;
                    if scope.get(&u.alias.name).is_some() {
                        return Err(self.at(
                            err(
                                "VariableAlreadyBound",
                                format!("variable `{}` is already bound", u.alias.name),
                            ),
                            u.alias.span.start,
                        ));
                    }
                    let ty = match self.ty(&u.expr, &scope) {
                        Ty::NodeGroup => Ty::Node,
                        Ty::RelGroup => Ty::Rel,
                        Ty::List | Ty::RelList | Ty::Any => Ty::Any,
                        Ty::Null => Ty::Null,
                        other => other,
                    };
                    scope.add(&u.alias.name, ty);
                }
                ast::Clause::With(p) => {
                    scope = self.projection(p, &scope, false)?.1;
                    for (name, ty) in outer.vars.iter().filter(|_| outer_after_with) {
                        if !scope.vars.iter().any(|(n, _)| n == name) {
                            scope.add(name, *ty);
                        }
                    }
                }
                ast::Clause::Return(p) => {
                    let (cols, s) = self.projection(p, &scope, true)?;
                    columns = cols;
                    scope = s;
                }
                ast::Clause::Create(c) => self.create(&c.pattern, &mut scope)?,
                ast::Clause::Merge(m) => {
                    let pattern = ast::Pattern {
                        parts: vec![m.part.clone()],
                        span: m.span,
                    };
                    self.merge(&pattern, &mut scope)?;
                    for item in m.on_create.iter().chain(&m.on_match) {
                        self.set_item(item, &scope)?;
                    }
                }
                ast::Clause::Set(s) => {
                    for item in &s.items {
                        self.set_item(item, &scope)?;
                    }
                }
                ast::Clause::Remove(r) => {
                    for item in &r.items {
                        match item {
                            ast::RemoveItem::Property { target, .. } => {
                                self.expr(target, &scope, false)?
                            }
                            ast::RemoveItem::Labels { variable, .. } => {
                                self.var(variable, &scope)?
                            }
                        }
                    }
                }
                ast::Clause::Delete(d) => {
                    for e in &d.exprs {
                        self.expr(e, &scope, false)?;
                        match (&e.kind, self.ty(e, &scope)) {
                            (ExprKind::HasLabels(..) | ExprKind::LabelMatch(..), _) => {
                                return Err(self.at(
                                    err("InvalidDelete", "DELETE removes entities, not labels"),
                                    e.span.start,
                                ))
                            }
                            (_, Ty::Int | Ty::Float | Ty::Str | Ty::Bool | Ty::Map) => {
                                return Err(self.at(
                                    err(
                                        "InvalidArgumentType",
                                        "DELETE expects a node, relationship or path",
                                    ),
                                    e.span.start,
                                ))
                            }
                            _ => {}
                        }
                    }
                }
                ast::Clause::Foreach(f) => {
                    self.expr(&f.list, &scope, false)?;
                    let list_type = self.ty(&f.list, &scope);
                    if !matches!(
                        list_type,
                        Ty::List | Ty::RelList | Ty::NodeGroup | Ty::RelGroup | Ty::Null | Ty::Any
                    ) {
                        return Err(self.at(
                            err(
                                "InvalidArgumentType",
                                "FOREACH needs a list to iterate over",
                            ),
                            f.list.span.start,
                        ));
                    }
                    if scope.get(&f.variable.name).is_some() {
                        return Err(self.at(
                            err(
                                "VariableAlreadyBound",
                                format!("variable `{}` is already bound", f.variable.name),
                            ),
                            f.variable.span.start,
                        ));
                    }
                    // The clauses inside see the row and the element; what they bind
                    // stays inside.
                    let mut inner = scope.clone();
                    inner.add(&f.variable.name, Ty::Any);
                    let body = ast::SingleQuery {
                        clauses: f.clauses.clone(),
                        span: f.span,
                    };
                    self.single(&body, &inner, false)?;
                }
                ast::Clause::CallSubquery(c) => {
                    let cols = self.call_subquery(c, &mut scope)?;
                    if last && !cols.is_empty() {
                        return Err(self.at(
                            err(
                                "InvalidClauseComposition",
                                "a query cannot end with a CALL { … } that returns rows: add a RETURN after it",
                            ),
                            c.span.start,
                        ));
                    }
                }
                ast::Clause::Call(c) => {
                    let cols = self.call(c, &mut scope, q.clauses.len() == 1)?;
                    if last {
                        columns = cols;
                    }
                }
            }
        }
        Ok(columns)
    }

    /// Checks `CALL { … }` on the variables it imports from `scope`, and adds the
    /// columns it returns to `scope`; returns them.
    fn call_subquery(&self, c: &ast::CallSubqueryClause, scope: &mut Scope) -> Result<Vec<String>> {
        let mut inner = scope.without_variables();
        match &c.scope {
            ast::CallScope::All => inner.vars = scope.vars.clone(),
            ast::CallScope::Variables(vars) => {
                for v in vars {
                    self.var(v, scope)?;
                    inner.add(&v.name, scope.get(&v.name).unwrap_or(Ty::Any));
                }
            }
            ast::CallScope::ImportingWith => {
                for part in c.query.parts() {
                    match ast::importing_with(part) {
                        Some(ast::ImportingWith::All) => inner.vars = scope.vars.clone(),
                        Some(ast::ImportingWith::Variables(vars)) => {
                            for v in &vars {
                                self.var(v, scope)?;
                                inner.add(&v.name, scope.get(&v.name).unwrap_or(Ty::Any));
                            }
                        }
                        None => self.refuse_outer_in_leading_with(part, scope)?,
                    }
                }
            }
        }
        let mut columns: Option<Vec<String>> = None;
        for part in c.query.parts() {
            // Each part sees only the imports: what it binds stays inside.
            let cols = self.single(part, &inner.clone(), false)?;
            if let Some(ast::Clause::Return(p)) = part.clauses.last() {
                self.refuse_unaliased_returns(p)?;
            }
            match &columns {
                Some(first) if *first != cols => {
                    return Err(self.at(
                        err(
                            "DifferentColumnsInUnion",
                            "all parts of a UNION must return the same column names",
                        ),
                        part.span.start,
                    ))
                }
                _ => columns = Some(cols),
            }
        }
        let mut columns = columns.unwrap_or_default();
        for name in &columns {
            if scope.vars.iter().any(|(n, _)| n == name) {
                return Err(self.at(
                    err(
                        "VariableAlreadyBound",
                        format!(
                            "variable `{name}` is already bound outside the CALL subquery that returns it: return it under another name"
                        ),
                    ),
                    c.span.start,
                ));
            }
        }
        if let Some(t) = &c.in_transactions {
            if let Some(status) = self.in_transactions(t, scope, &columns)? {
                columns.push(status);
            }
        }
        for name in &columns {
            scope.add(name, Ty::Any);
        }
        Ok(columns)
    }

    /// Checks `IN TRANSACTIONS`: its batch size is computed once, before any row, so it
    /// sees no variable (parameters and functions only); the variable of `REPORT STATUS`
    /// is new. Returns that variable.
    fn in_transactions(
        &self,
        t: &ast::InTransactions,
        scope: &Scope,
        returned: &[String],
    ) -> Result<Option<String>> {
        if let Some(size) = &t.batch_size {
            self.expr(size, &scope.without_variables(), false)?;
        }
        let Some(status) = &t.report_status else {
            return Ok(None);
        };
        if scope.get(&status.name).is_some() || returned.contains(&status.name) {
            return Err(self.at(
                err(
                    "VariableAlreadyBound",
                    format!(
                        "variable `{}` of REPORT STATUS is already bound: report the status under another name",
                        status.name
                    ),
                ),
                status.span.start,
            ));
        }
        Ok(Some(status.name.clone()))
    }

    /// A leading WITH of a `CALL { … }` that is not a plain importing WITH (it aliases,
    /// computes or filters) may not read outer variables: Neo4j's rule, which keeps
    /// clear what the subquery imports.
    fn refuse_outer_in_leading_with(&self, part: &ast::SingleQuery, scope: &Scope) -> Result<()> {
        let Some(ast::Clause::With(p)) = part.clauses.first() else {
            return Ok(());
        };
        let mut mentioned = Vec::new();
        for item in &p.items {
            ast::mentioned_vars(&item.expr, &mut mentioned);
        }
        if let Some(name) = mentioned
            .iter()
            .find(|n| scope.vars.iter().any(|(v, _)| v == *n))
        {
            return Err(self.at(
                err(
                    "InvalidImportingWith",
                    format!(
                        "a CALL subquery's importing WITH may only name outer variables (`WITH {name}`); alias, compute or filter in a second WITH, or import with CALL ({name}) {{ … }}"
                    ),
                ),
                p.span.start,
            ));
        }
        Ok(())
    }

    /// The RETURN of a CALL subquery names its columns: an expression needs AS.
    fn refuse_unaliased_returns(&self, p: &ast::Projection) -> Result<()> {
        for item in &p.items {
            if item.alias.is_none() && !matches!(item.expr.kind, ExprKind::Variable(_)) {
                return Err(self.at(
                    err(
                        "NoExpressionAlias",
                        format!(
                            "`{}` returned from a CALL subquery needs a name: write `{} AS name`",
                            item.text, item.text
                        ),
                    ),
                    item.expr.span.start,
                ));
            }
        }
        Ok(())
    }

    fn var(&self, v: &ast::Ident, scope: &Scope) -> Result<()> {
        if scope.get(&v.name).is_none() {
            return Err(self.at(
                err(
                    "UndefinedVariable",
                    format!("variable `{}` is not defined", v.name),
                ),
                v.span.start,
            ));
        }
        Ok(())
    }

    fn set_item(&self, item: &ast::SetItem, scope: &Scope) -> Result<()> {
        match item {
            ast::SetItem::Property { target, value, .. } => {
                self.expr(target, scope, false)?;
                self.expr(value, scope, false)
            }
            ast::SetItem::Properties {
                variable, value, ..
            } => {
                self.var(variable, scope)?;
                self.expr(value, scope, false)
            }
            ast::SetItem::Labels { variable, .. } => self.var(variable, scope),
        }
    }

    fn call(
        &self,
        c: &ast::CallClause,
        scope: &mut Scope,
        standalone: bool,
    ) -> Result<Vec<String>> {
        let name = c.procedure_name();
        let pos = c.span.start;
        let Some(sig) = self.registry.signature(&name) else {
            return Err(self.at(
                Error::new(
                    ErrorClass::ProcedureError,
                    "ProcedureNotFound",
                    format!("there is no procedure named '{name}'"),
                ),
                pos,
            ));
        };
        if let Some(args) = &c.args {
            if !sig.accepts_argument_count(args.len()) {
                return Err(self.at(
                    err(
                        "InvalidNumberOfArguments",
                        format!(
                            "procedure {name} takes {} arguments, got {}",
                            sig.inputs.len(),
                            args.len()
                        ),
                    ),
                    pos,
                ));
            }
            for (a, (input, ty)) in args.iter().zip(&sig.inputs) {
                self.expr(a, scope, false)?;
                if let Some(v) = literal_value(a) {
                    if !type_accepts(ty, &v) {
                        return Err(self.at(
                            err(
                                "InvalidArgumentType",
                                format!("argument `{input}` of {name} must be {ty}"),
                            ),
                            a.span.start,
                        ));
                    }
                }
            }
        } else if !standalone {
            return Err(self.at(
                err(
                    "InvalidArgumentPassingMode",
                    "a procedure call inside a query needs its arguments in parentheses",
                ),
                pos,
            ));
        } else {
            // Implicit arguments come from parameters of the same names: a missing one is
            // known before anything runs.
            let required = sig.inputs.len().saturating_sub(sig.optional_inputs);
            if let Some((input, _)) = sig
                .inputs
                .iter()
                .take(required)
                .find(|(input, _)| !self.params.contains_key(input))
            {
                return Err(self.at(
                    Error::new(
                        ErrorClass::ParameterMissing,
                        "MissingParameter",
                        format!("expected a value for parameter ${input}, the implicit argument of {name}"),
                    ),
                    pos,
                ));
            }
        }
        let mut cols = Vec::new();
        match &c.yield_ {
            Some(y) if !y.star => {
                for (field, alias) in &y.items {
                    if !sig.outputs.iter().any(|(n, _)| *n == field.name) {
                        return Err(self.at(
                            err(
                                "UndefinedVariable",
                                format!("procedure {name} has no output `{}`", field.name),
                            ),
                            field.span.start,
                        ));
                    }
                    let var = alias.as_ref().unwrap_or(field);
                    if scope.get(&var.name).is_some() {
                        return Err(self.at(
                            err(
                                "VariableAlreadyBound",
                                format!("variable `{}` is already bound", var.name),
                            ),
                            var.span.start,
                        ));
                    }
                    scope.add(&var.name, Ty::Any);
                    cols.push(var.name.clone());
                }
                if let Some(w) = &y.where_ {
                    self.expr(w, scope, false)?;
                }
            }
            _ => {
                if !standalone && !sig.outputs.is_empty() && c.yield_.is_none() {
                    return Err(self.at(
                        err(
                            "UndefinedVariable",
                            "a procedure call inside a query needs YIELD to name its outputs",
                        ),
                        pos,
                    ));
                }
                for (n, _) in &sig.outputs {
                    scope.add(n, Ty::Any);
                    cols.push(n.clone());
                }
            }
        }
        Ok(cols)
    }

    /// The property map of a pattern element: a parameter may stand for the whole map
    /// only in CREATE and MERGE (`creating`).
    fn pattern_properties(
        &self,
        props: Option<&Expr>,
        scope: &Scope,
        creating: bool,
    ) -> Result<()> {
        let Some(p) = props else { return Ok(()) };
        if !creating && matches!(p.kind, ExprKind::Parameter(_)) {
            return Err(self.at(
                err(
                    "InvalidParameterUse",
                    "a parameter cannot be used as a property map in a pattern",
                ),
                p.span.start,
            ));
        }
        self.expr(p, scope, false)
    }

    /// Checks a pattern's variables and adds them to `scope`. `creating` is CREATE or
    /// MERGE (new entities); `in_match` forbids parameters as property maps.
    fn pattern_vars(
        &self,
        pattern: &ast::Pattern,
        scope: &mut Scope,
        before: &Scope,
        creating: bool,
    ) -> Result<()> {
        let mut rels_here: Vec<String> = Vec::new();
        // What the pattern binds: inside a group, only the group's own can be read.
        let mut pattern_names = Vec::new();
        for part in &pattern.parts {
            ast::element_vars(&part.element, &mut pattern_names);
            pattern_names.extend(part.variable.iter().map(|v| v.name.clone()));
        }
        pattern_names.retain(|n| before.vars.iter().all(|(b, _)| b != n));
        // The group variables first, so that the rest of the pattern (a property map
        // reading one as a single node, a node of the same name) finds them as lists.
        for part in &pattern.parts {
            for group in part.element.groups() {
                self.group_vars(group, (scope, before), &pattern_names, &mut rels_here)?;
            }
        }
        for part in &pattern.parts {
            let el = &part.element;
            let single = el.chain.is_empty();
            for n in el.nodes() {
                self.pattern_properties(n.properties.as_deref(), scope, creating)?;
                let Some(v) = &n.variable else { continue };
                match scope.get(&v.name) {
                    Some(Ty::NodeGroup | Ty::RelGroup) => {
                        return Err(self.at(group_variable_as_single(&v.name), v.span.start))
                    }
                    Some(Ty::Node | Ty::Any | Ty::Null) => {
                        let redeclared = !n.labels.is_empty() || n.properties.is_some();
                        if creating && (redeclared || (single && before.get(&v.name).is_some())) {
                            return Err(self.at(
                                err(
                                    "VariableAlreadyBound",
                                    format!("variable `{}` is already bound", v.name),
                                ),
                                v.span.start,
                            ));
                        }
                    }
                    Some(_) => {
                        return Err(self.at(
                            err(
                                "VariableTypeConflict",
                                format!("variable `{}` is not a node", v.name),
                            ),
                            v.span.start,
                        ))
                    }
                    None => scope.add(&v.name, Ty::Node),
                }
            }
            for r in el.relationships() {
                self.pattern_properties(r.properties.as_deref(), scope, creating)?;
                if let Some(v) = &r.variable {
                    self.once_in_pattern(v, &mut rels_here)?;
                    let want = if r.length.is_some() {
                        Ty::RelList
                    } else {
                        Ty::Rel
                    };
                    match scope.get(&v.name) {
                        Some(_) if creating && before.get(&v.name).is_some() => {
                            return Err(self.at(
                                err(
                                    "VariableAlreadyBound",
                                    format!("variable `{}` is already bound", v.name),
                                ),
                                v.span.start,
                            ));
                        }
                        Some(Ty::NodeGroup | Ty::RelGroup) => {
                            return Err(self.at(group_variable_as_single(&v.name), v.span.start))
                        }
                        Some(Ty::Any) => {}
                        Some(t) if t == want => {}
                        Some(Ty::List) if want == Ty::RelList => {}
                        Some(Ty::Rel | Ty::RelList) => {
                            return Err(self.at(
                                err(
                                    "VariableTypeConflict",
                                    format!(
                                "variable `{}` is used as a relationship list and a relationship",
                                v.name
                            ),
                                ),
                                v.span.start,
                            ))
                        }
                        Some(_) => {
                            return Err(self.at(
                                err(
                                    "VariableTypeConflict",
                                    format!("variable `{}` is not a relationship", v.name),
                                ),
                                v.span.start,
                            ))
                        }
                        None => scope.add(&v.name, want),
                    }
                }
                if creating {
                    if r.types.len() != 1 {
                        return Err(self.at(
                            err(
                                "NoSingleRelationshipType",
                                "a relationship to create needs exactly one type",
                            ),
                            r.span.start,
                        ));
                    }
                    if r.length.is_some() {
                        return Err(self.at(
                            err(
                                "CreatingVarLength",
                                "a variable-length relationship cannot be created",
                            ),
                            r.span.start,
                        ));
                    }
                }
            }
            if let Some(p) = &part.variable {
                if scope.get(&p.name).is_some() {
                    return Err(self.at(
                        err(
                            "VariableAlreadyBound",
                            format!("variable `{}` is already bound", p.name),
                        ),
                        p.span.start,
                    ));
                }
                scope.add(&p.name, Ty::Path);
            }
        }
        Ok(())
    }

    /// A relationship variable names one relationship of a pattern: it cannot be
    /// written twice in it (a match never uses a relationship twice).
    fn once_in_pattern(&self, v: &ast::Ident, rels_here: &mut Vec<String>) -> Result<()> {
        if rels_here.contains(&v.name) {
            return Err(self.at(
                err(
                    "RelationshipUniquenessViolation",
                    format!("relationship `{}` is used twice in one pattern", v.name),
                ),
                v.span.start,
            ));
        }
        rels_here.push(v.name.clone());
        Ok(())
    }

    /// Checks a quantified group and adds its variables to `scope` as group variables
    /// (lists, one element per iteration). Its variables are new (not bound before, not
    /// written elsewhere in the pattern); inside it, its property maps and its WHERE see
    /// them as single elements, with the variables of `before` (earlier clauses) but
    /// none of the rest of the pattern, which is matched around it.
    fn group_vars(
        &self,
        group: &ast::QuantifiedGroup,
        (scope, before): (&mut Scope, &Scope),
        pattern_names: &[String],
        rels_here: &mut Vec<String>,
    ) -> Result<()> {
        let mut inner = before.clone();
        let mut declared: Vec<(String, Ty)> = Vec::new();
        let mut declare = |v: &ast::Ident, ty: Ty, inner: &mut Scope| -> Result<()> {
            if let Some(&(_, known)) = declared.iter().find(|(n, _)| *n == v.name) {
                if known == ty {
                    return Ok(());
                }
                return Err(self.at(
                    err(
                        "VariableTypeConflict",
                        format!("variable `{}` is used as a node and a relationship", v.name),
                    ),
                    v.span.start,
                ));
            }
            if scope.get(&v.name).is_some() {
                return Err(self.at(
                    err(
                        "VariableAlreadyBound",
                        format!(
                            "variable `{}` is already bound: the variables of a quantified path pattern are new, \
                             and outside it each is a list of what every iteration matched",
                            v.name
                        ),
                    ),
                    v.span.start,
                ));
            }
            declared.push((v.name.clone(), ty));
            inner.add(&v.name, ty);
            Ok(())
        };
        for n in group.element.nodes() {
            if let Some(v) = &n.variable {
                declare(v, Ty::Node, &mut inner)?;
            }
        }
        for r in group.element.relationships() {
            if let Some(v) = &r.variable {
                self.once_in_pattern(v, rels_here)?;
                declare(v, Ty::Rel, &mut inner)?;
            }
        }
        inner.around_group.extend(pattern_names.iter().cloned());
        let maps = (group.element.nodes().map(|n| n.properties.as_deref())).chain(
            group
                .element
                .relationships()
                .map(|r| r.properties.as_deref()),
        );
        for props in maps.flatten() {
            self.pattern_properties(Some(props), &inner, false)?;
        }
        if let Some(w) = &group.where_ {
            self.expr(w, &inner, false)?;
            self.predicate(w, &inner)?;
        }
        for (name, ty) in declared {
            let listed = if ty == Ty::Node {
                Ty::NodeGroup
            } else {
                Ty::RelGroup
            };
            scope.add(&name, listed);
        }
        Ok(())
    }

    fn match_clause(&self, m: &ast::MatchClause, scope: &mut Scope) -> Result<()> {
        let before = scope.clone();
        self.pattern_vars(&m.pattern, scope, &before, false)?;
        for part in &m.pattern.parts {
            if part.function != ast::PathFunction::None && part.element.chain.len() != 1 {
                return Err(self.at(
                    err(
                        "InvalidShortestPathPattern",
                        "a shortest path pattern needs one relationship, or one quantified path pattern, between two nodes",
                    ),
                    part.span.start,
                ));
            }
        }
        if let Some(w) = &m.where_ {
            self.expr(w, scope, false)?;
            self.predicate(w, scope)?;
        }
        Ok(())
    }

    fn create(&self, pattern: &ast::Pattern, scope: &mut Scope) -> Result<()> {
        let before = scope.clone();
        for part in &pattern.parts {
            for r in part.element.relationships() {
                if r.direction == ast::Direction::Both {
                    return Err(self.at(
                        err(
                            "RequiresDirectedRelationship",
                            "a relationship to create needs a direction",
                        ),
                        r.span.start,
                    ));
                }
            }
        }
        self.pattern_vars(pattern, scope, &before, true)
    }

    fn merge(&self, pattern: &ast::Pattern, scope: &mut Scope) -> Result<()> {
        let before = scope.clone();
        for part in &pattern.parts {
            let mut props = Vec::new();
            props.extend(part.element.nodes().filter_map(|n| n.properties.as_deref()));
            props.extend(
                part.element
                    .relationships()
                    .filter_map(|r| r.properties.as_deref()),
            );
            for p in props {
                if matches!(p.kind, ExprKind::Parameter(_)) {
                    return Err(self.at(
                        err(
                            "InvalidParameterUse",
                            "a parameter cannot be used as a property map in MERGE",
                        ),
                        p.span.start,
                    ));
                }
            }
        }
        self.pattern_vars(pattern, scope, &before, true)
    }

    /// RETURN / WITH: checks items and gives the column names and the scope after it.
    fn projection(
        &self,
        p: &ast::Projection,
        scope: &Scope,
        is_return: bool,
    ) -> Result<(Vec<String>, Scope)> {
        let visible: Vec<&(String, Ty)> = scope
            .vars
            .iter()
            .filter(|(n, _)| !crate::plan::is_hidden(n))
            .collect();
        if p.star && visible.is_empty() && is_return {
            return Err(self.at(
                err(
                    "NoVariablesInScope",
                    "`*` needs at least one variable in scope",
                ),
                p.span.start,
            ));
        }
        let mut out = scope.without_variables();
        let mut columns: Vec<String> = Vec::new();
        if p.star {
            let mut names: Vec<&(String, Ty)> = visible.clone();
            names.sort_by(|a, b| a.0.cmp(&b.0));
            for (n, t) in names {
                out.add(n, *t);
                columns.push(n.clone());
            }
        }
        let aggregating = p.items.iter().any(|i| contains_aggregate(&i.expr));
        let mut keys: Vec<&Expr> = Vec::new();
        for item in &p.items {
            self.expr(&item.expr, scope, true)?;
            if !contains_aggregate(&item.expr) {
                keys.push(&item.expr);
            }
        }
        if aggregating {
            for item in &p.items {
                if contains_aggregate(&item.expr) {
                    self.check_grouping(&item.expr, &keys, scope)?;
                }
            }
        }
        // Reported after the ORDER BY checks, which take precedence.
        let mut missing_alias: Option<usize> = None;
        for item in &p.items {
            let name = match &item.alias {
                Some(a) => a.name.clone(),
                None => {
                    if !is_return
                        && !matches!(item.expr.kind, ExprKind::Variable(_))
                        && missing_alias.is_none()
                    {
                        missing_alias = Some(item.expr.span.start);
                    }
                    item.text.clone()
                }
            };
            if columns.contains(&name) {
                return Err(self.at(
                    err(
                        "ColumnNameConflict",
                        format!("column `{name}` is defined twice"),
                    ),
                    item.expr.span.start,
                ));
            }
            columns.push(name.clone());
            out.add(&name, self.ty(&item.expr, scope));
        }
        // ORDER BY and WHERE see the projected names, and the earlier variables unless
        // the projection aggregates or is DISTINCT.
        let mut sort_scope = scope.clone();
        if aggregating || p.distinct {
            sort_scope = out.clone();
        }
        for (n, t) in &out.vars {
            sort_scope.add(n, *t);
        }
        let item_texts: Vec<(String, &Expr)> = p
            .items
            .iter()
            .map(|i| {
                (
                    i.text.split_whitespace().collect::<Vec<_>>().join(" "),
                    &i.expr,
                )
            })
            .collect();
        for s in &p.order_by {
            if aggregating || p.distinct {
                let mut full = scope.clone();
                for (n, t) in &out.vars {
                    full.add(n, *t);
                }
                self.expr(&s.expr, &full, aggregating)?;
                self.sort_after_grouping(&s.expr, &item_texts, &out)?;
            } else if contains_aggregate(&s.expr) {
                return Err(self.at(
                    err(
                        "InvalidAggregation",
                        "ORDER BY can use an aggregation only when the projection aggregates",
                    ),
                    s.expr.span.start,
                ));
            } else {
                self.expr(&s.expr, &sort_scope, false)?;
            }
        }
        for (what, e) in [("SKIP", &p.skip), ("LIMIT", &p.limit)] {
            if let Some(e) = e {
                self.count_expr(e, what)?;
            }
        }
        if let Some(w) = &p.where_ {
            if aggregating || p.distinct {
                let mut full = scope.clone();
                for (n, t) in &out.vars {
                    full.add(n, *t);
                }
                self.expr(w, &full, false)?;
                self.sort_after_grouping(w, &item_texts, &out)?;
            } else {
                self.expr(w, &sort_scope, false)?;
            }
            self.predicate(w, &sort_scope)?;
        }
        if let Some(at) = missing_alias {
            return Err(self.at(
                err(
                    "NoExpressionAlias",
                    "an expression in WITH needs an alias (AS name)",
                ),
                at,
            ));
        }
        Ok((columns, out))
    }

    /// After aggregation or DISTINCT, a sort key may use the projected columns (by
    /// alias, or by repeating a projected variable, property or aggregation) and new
    /// aggregations of projected columns; anything else is undefined there.
    fn sort_after_grouping(&self, e: &Expr, items: &[(String, &Expr)], out: &Scope) -> Result<()> {
        let src = self.source(e);
        let projected = items.iter().any(|(t, _)| !src.is_empty() && *t == src);
        if projected && (is_simple(e) || is_aggregate_call(e)) {
            return Ok(());
        }
        let undefined = |v: &str| {
            self.at(
                err(
                    "UndefinedVariable",
                    format!("variable `{v}` is not projected by this clause"),
                ),
                e.span.start,
            )
        };
        if is_aggregate_call(e) {
            let mut vars = Vec::new();
            crate::ast::mentioned_vars(e, &mut vars);
            if let Some(v) = vars.iter().find(|v| out.get(v).is_none()) {
                return Err(undefined(v));
            }
            return Ok(());
        }
        match &e.kind {
            ExprKind::Variable(v) => {
                if out.get(v).is_none() {
                    return Err(undefined(v));
                }
                Ok(())
            }
            ExprKind::Property(inner, _) if is_simple(e) => {
                self.sort_after_grouping(inner, items, out)
            }
            _ => {
                if projected && contains_aggregate(e) {
                    return Err(self.at(
                        err(
                            "AmbiguousAggregationExpression",
                            "a projected expression cannot be combined with an aggregation here",
                        ),
                        e.span.start,
                    ));
                }
                if projected {
                    return Ok(());
                }
                for c in e.outer_children() {
                    if projected_complex(c, items, self) && contains_aggregate(e) {
                        return Err(self.at(
                            err(
                                "AmbiguousAggregationExpression",
                                "a projected expression cannot be combined with an aggregation here",
                            ),
                            c.span.start,
                        ));
                    }
                    self.sort_after_grouping(c, items, out)?;
                }
                Ok(())
            }
        }
    }

    fn source(&self, e: &Expr) -> String {
        ast::folded_source(self.text, e.span)
    }

    fn count_expr(&self, e: &Expr, what: &str) -> Result<()> {
        let mut vars = Vec::new();
        crate::ast::mentioned_vars(e, &mut vars);
        if !vars.is_empty() || contains_aggregate(e) {
            return Err(self.at(
                err(
                    "NonConstantExpression",
                    format!("{what} must be a constant or a parameter"),
                ),
                e.span.start,
            ));
        }
        match literal_value(e) {
            Some(crate::Value::Int(i)) if i < 0 => Err(self.at(
                err(
                    "NegativeIntegerArgument",
                    format!("{what} must not be negative"),
                ),
                e.span.start,
            )),
            Some(crate::Value::Int(_)) | None => Ok(()),
            Some(_) => Err(self.at(
                err("InvalidArgumentType", format!("{what} must be an integer")),
                e.span.start,
            )),
        }
    }

    /// In an aggregating item, everything outside the aggregation calls must be a
    /// grouping key (or built from grouping keys, literals and parameters).
    fn check_grouping(&self, e: &Expr, keys: &[&Expr], scope: &Scope) -> Result<()> {
        if is_aggregate_call(e) {
            return Ok(());
        }
        let src = self.source(e);
        // Only variables and property reads match a grouping key; a larger expression
        // that happens to equal one is ambiguous.
        if is_simple(e)
            && keys
                .iter()
                .any(|k| is_simple(k) && (*k == e || (!src.is_empty() && self.source(k) == src)))
        {
            return Ok(());
        }
        if let ExprKind::Variable(v) = &e.kind {
            let is_key = keys
                .iter()
                .any(|k| matches!(&k.kind, ExprKind::Variable(x) if x == v));
            if !is_key && scope.get(v).is_some() {
                return Err(self.at(
                    err(
                        "AmbiguousAggregationExpression",
                        format!("`{v}` is neither aggregated nor a grouping key"),
                    ),
                    e.span.start,
                ));
            }
            return Ok(());
        }
        if let ExprKind::Property(inner, _) = &e.kind {
            if matches!(inner.kind, ExprKind::Variable(_)) {
                return self.check_grouping(inner, keys, scope).map_err(|_| {
                    self.at(
                        err(
                            "AmbiguousAggregationExpression",
                            format!("`{src}` is neither aggregated nor a grouping key"),
                        ),
                        e.span.start,
                    )
                });
            }
        }
        for c in e.outer_children() {
            self.check_grouping(c, keys, scope)?;
        }
        Ok(())
    }

    /// A WHERE predicate must not be a node, relationship or other non-boolean.
    fn predicate(&self, e: &Expr, scope: &Scope) -> Result<()> {
        match self.ty(e, scope) {
            Ty::Node
            | Ty::Rel
            | Ty::Path
            | Ty::Int
            | Ty::Float
            | Ty::Str
            | Ty::Map
            | Ty::List
            | Ty::NodeGroup
            | Ty::RelGroup => Err(self.at(
                err("InvalidArgumentType", "a predicate must be a boolean"),
                e.span.start,
            )),
            _ => Ok(()),
        }
    }

    /// The type of every element of a list literal when they all share one, or of a
    /// group variable's.
    fn element_ty(&self, list: &Expr, scope: &Scope) -> Ty {
        match self.ty(list, scope) {
            Ty::NodeGroup => return Ty::Node,
            Ty::RelGroup => return Ty::Rel,
            _ => {}
        }
        let ExprKind::List(items) = &list.kind else {
            return Ty::Any;
        };
        let mut tys = items.iter().map(|i| self.ty(i, scope));
        let Some(first) = tys.next() else {
            return Ty::Any;
        };
        if tys.all(|t| t == first) && first != Ty::Null {
            first
        } else {
            Ty::Any
        }
    }

    fn ty(&self, e: &Expr, scope: &Scope) -> Ty {
        match &e.kind {
            ExprKind::Literal(l) => match l {
                ast::Literal::Null => Ty::Null,
                ast::Literal::Bool(_) => Ty::Bool,
                ast::Literal::Int(_) => Ty::Int,
                ast::Literal::Float(_) => Ty::Float,
                ast::Literal::String(_) => Ty::Str,
            },
            ExprKind::Variable(v) => scope.get(v).unwrap_or(Ty::Any),
            ExprKind::List(_)
            | ExprKind::ListComprehension { .. }
            | ExprKind::Subquery(ast::SubqueryKind::Collect, _) => Ty::List,
            ExprKind::Subquery(ast::SubqueryKind::Count, _) => Ty::Int,
            ExprKind::PatternComprehension { .. } => Ty::List,
            ExprKind::Map(_) | ExprKind::MapProjection { .. } => Ty::Map,
            ExprKind::Compare(..)
            | ExprKind::IsNull(..)
            | ExprKind::HasLabels(..)
            | ExprKind::LabelMatch(..)
            | ExprKind::Quantified { .. }
            | ExprKind::PatternPredicate(_)
            | ExprKind::Subquery(ast::SubqueryKind::Exists, _) => Ty::Bool,
            ExprKind::Binary(
                ast::BinaryOp::And
                | ast::BinaryOp::Or
                | ast::BinaryOp::Xor
                | ast::BinaryOp::In
                | ast::BinaryOp::StartsWith
                | ast::BinaryOp::EndsWith
                | ast::BinaryOp::Contains
                | ast::BinaryOp::RegexMatch,
                _,
                _,
            ) => Ty::Bool,
            ExprKind::Unary(ast::UnaryOp::Not, _) => Ty::Bool,
            ExprKind::Binary(
                ast::BinaryOp::Add
                | ast::BinaryOp::Subtract
                | ast::BinaryOp::Multiply
                | ast::BinaryOp::Divide
                | ast::BinaryOp::Modulo,
                a,
                b,
            ) => match (self.ty(a, scope), self.ty(b, scope)) {
                (Ty::Int, Ty::Int) => Ty::Int,
                (Ty::Int | Ty::Float, Ty::Int | Ty::Float) => Ty::Float,
                _ => Ty::Any,
            },
            _ => Ty::Any,
        }
    }

    /// Checks an expression: variables in scope, functions known, aggregations where
    /// allowed, parameters given, and literal type errors.
    fn expr(&self, e: &Expr, scope: &Scope, agg_allowed: bool) -> Result<()> {
        let here = e.span.start;
        match &e.kind {
            ExprKind::Literal(_) => {}
            ExprKind::Parameter(name) => {
                if !self.params.contains_key(name) {
                    return Err(self.at(
                        Error::new(
                            ErrorClass::ParameterMissing,
                            "MissingParameter",
                            format!("expected a value for parameter ${name}"),
                        ),
                        here,
                    ));
                }
            }
            ExprKind::Variable(v) => {
                if scope.get(v).is_none() {
                    let message = if scope.around_group.contains(v) {
                        format!(
                            "`{v}` is bound by the same pattern: inside a quantified path pattern only \
                             its own variables and those of earlier clauses can be read"
                        )
                    } else {
                        format!("variable `{v}` is not defined")
                    };
                    return Err(self.at(err("UndefinedVariable", message), here));
                }
            }
            ExprKind::Property(target, _) => {
                self.expr(target, scope, agg_allowed)?;
                match self.ty(target, scope) {
                    Ty::NodeGroup | Ty::RelGroup => {
                        let what = ast::folded_source(self.text, target.span);
                        return Err(self.at(group_variable_as_single(&what), here));
                    }
                    Ty::Int | Ty::Float | Ty::Str | Ty::Bool | Ty::List | Ty::RelList => {
                        return Err(self.at(
                            Error::type_error(
                                "InvalidArgumentType",
                                "a property can be read only from a node, relationship or map",
                            ),
                            here,
                        ));
                    }
                    Ty::Path => {
                        return Err(
                            self.at(err("InvalidArgumentType", "a path has no properties"), here)
                        );
                    }
                    _ => {}
                }
            }
            ExprKind::Binary(op, a, b) => {
                self.expr(a, scope, agg_allowed)?;
                self.expr(b, scope, agg_allowed)?;
                match op {
                    ast::BinaryOp::And | ast::BinaryOp::Or | ast::BinaryOp::Xor => {
                        for x in [a, b] {
                            self.boolean_operand(x, scope)?;
                        }
                    }
                    ast::BinaryOp::Subtract
                    | ast::BinaryOp::Multiply
                    | ast::BinaryOp::Divide
                    | ast::BinaryOp::Modulo
                    | ast::BinaryOp::Power => {
                        for x in [a, b] {
                            if matches!(
                                self.ty(x, scope),
                                Ty::Bool | Ty::Str | Ty::Map | Ty::Node | Ty::Rel | Ty::Path
                            ) {
                                return Err(self.at(
                                    err(
                                        "InvalidArgumentType",
                                        "arithmetic needs numbers (or temporal values)",
                                    ),
                                    x.span.start,
                                ));
                            }
                        }
                    }
                    ast::BinaryOp::In => {
                        if matches!(
                            self.ty(b, scope),
                            Ty::Int | Ty::Float | Ty::Str | Ty::Bool | Ty::Map | Ty::Node | Ty::Rel
                        ) {
                            return Err(self.at(
                                err("InvalidArgumentType", "IN expects a list"),
                                b.span.start,
                            ));
                        }
                    }
                    _ => {}
                }
            }
            ExprKind::Unary(op, a) => {
                self.expr(a, scope, agg_allowed)?;
                if *op == ast::UnaryOp::Not {
                    self.boolean_operand(a, scope)?;
                }
            }
            ExprKind::FunctionCall {
                name,
                distinct: _,
                args,
            } => {
                let fname = name
                    .iter()
                    .map(|n| n.name.to_lowercase())
                    .collect::<Vec<_>>()
                    .join(".");
                let is_agg = is_aggregate_call(e);
                if is_agg {
                    if !agg_allowed {
                        return Err(self.at(
                            err(
                                "InvalidAggregation",
                                format!("{fname}() cannot be used here"),
                            ),
                            here,
                        ));
                    }
                    for a in args {
                        let mut random = false;
                        crate::ast::walk_expr(a, &mut |x| {
                            if let ExprKind::FunctionCall { name, .. } = &x.kind {
                                if name.len() == 1
                                    && name
                                        .first()
                                        .is_some_and(|n| n.name.eq_ignore_ascii_case("rand"))
                                {
                                    random = true;
                                }
                            }
                        });
                        if random {
                            return Err(self.at(
                                err(
                                    "NonConstantExpression",
                                    "an aggregation cannot use a random function",
                                ),
                                a.span.start,
                            ));
                        }
                        if contains_aggregate(a) {
                            return Err(self.at(
                                err(
                                    "NestedAggregation",
                                    "an aggregation cannot contain another aggregation",
                                ),
                                a.span.start,
                            ));
                        }
                    }
                } else if !known_function(&fname) {
                    return Err(self.at(
                        err("UnknownFunction", format!("unknown function {fname}()")),
                        here,
                    ));
                }
                match (fname.as_str(), args.as_slice()) {
                    ("shortestpath" | "allshortestpaths", [arg]) => {
                        if let ExprKind::PatternPredicate(el) = &arg.kind {
                            let mark = scope.mark();
                            let function = if fname == "shortestpath" {
                                ast::PathFunction::SHORTEST_PATH
                            } else {
                                ast::PathFunction::ALL_SHORTEST_PATHS
                            };
                            let variable = ast::Ident {
                                name: bound::PATH_VARIABLE.to_string(),
                                span: el.span,
                            };
                            let pattern =
                                self.pattern_predicate(el, Some((variable, function)), scope)?;
                            self.record(e, scope, mark, bound::Body::Shortest { pattern });
                        } else {
                            self.expr(arg, scope, agg_allowed && !is_agg)?;
                        }
                    }
                    _ => {
                        for a in args {
                            self.expr(a, scope, agg_allowed && !is_agg)?;
                        }
                    }
                }
                self.function_args(&fname, args, scope, here)?;
            }
            ExprKind::CountStar => {
                if !agg_allowed {
                    return Err(self.at(
                        err("InvalidAggregation", "count(*) cannot be used here"),
                        here,
                    ));
                }
            }
            ExprKind::ListComprehension {
                variable,
                list,
                predicate,
                projection,
            } => {
                self.expr(list, scope, agg_allowed)?;
                let mut inner = scope.clone();
                inner.add(&variable.name, self.element_ty(list, scope));
                if let Some(p) = predicate {
                    self.expr(p, &inner, false)?;
                }
                if let Some(p) = projection {
                    self.expr(p, &inner, false)?;
                }
            }
            ExprKind::Quantified {
                variable,
                list,
                predicate,
                ..
            } => {
                self.expr(list, scope, agg_allowed)?;
                if matches!(
                    self.ty(list, scope),
                    Ty::Int | Ty::Float | Ty::Str | Ty::Bool | Ty::Map | Ty::Node | Ty::Rel
                ) {
                    return Err(self.at(
                        err("InvalidArgumentType", "a quantifier expects a list"),
                        list.span.start,
                    ));
                }
                let mut inner = scope.clone();
                inner.add(&variable.name, self.element_ty(list, scope));
                if let Some(p) = predicate {
                    self.expr(p, &inner, false)?;
                }
            }
            ExprKind::Reduce {
                accumulator,
                init,
                variable,
                list,
                expr,
            } => {
                self.expr(init, scope, agg_allowed)?;
                self.expr(list, scope, agg_allowed)?;
                let mut inner = scope.clone();
                inner.add(&accumulator.name, Ty::Any);
                inner.add(&variable.name, Ty::Any);
                self.expr(expr, &inner, false)?;
            }
            ExprKind::MapProjection { variable, items } => {
                self.var(variable, scope)?;
                for item in items {
                    match item {
                        ast::MapProjectionItem::Literal(_, x) => {
                            self.expr(x, scope, agg_allowed)?
                        }
                        ast::MapProjectionItem::Variable(v) => self.var(v, scope)?,
                        _ => {}
                    }
                }
            }
            ExprKind::PatternPredicate(el) => {
                let mark = scope.mark();
                let pattern = self.pattern_predicate(el, None, scope)?;
                self.record(
                    e,
                    scope,
                    mark,
                    bound::Body::Matches {
                        pattern,
                        where_: None,
                    },
                );
            }
            ExprKind::PatternComprehension {
                variable,
                pattern,
                predicate,
                projection,
            } => {
                let mark = scope.mark();
                let mut inner = scope.clone();
                let pat = ast::Pattern::of_part(ast::PatternPart::of_element(
                    variable.clone(),
                    ast::PathFunction::None,
                    pattern,
                ));
                self.pattern_vars(&pat, &mut inner, scope, false)?;
                if let Some(p) = predicate {
                    self.expr(p, &inner, false)?;
                }
                self.expr(projection, &inner, false)?;
                self.record(
                    e,
                    scope,
                    mark,
                    bound::Body::Comprehension {
                        pattern: pat,
                        predicate: predicate.as_deref().cloned(),
                    },
                );
            }
            ExprKind::Subquery(_, sub) => match sub.as_ref() {
                ast::SubqueryBody::Pattern { pattern, where_ } => {
                    let mark = scope.mark();
                    let mut inner = scope.clone();
                    self.pattern_vars(pattern, &mut inner, scope, false)?;
                    if let Some(w) = where_ {
                        self.expr(w, &inner, false)?;
                    }
                    self.record(
                        e,
                        scope,
                        mark,
                        bound::Body::Matches {
                            pattern: pattern.clone(),
                            where_: where_.clone(),
                        },
                    );
                }
                ast::SubqueryBody::Query(q) => {
                    let mark = scope.mark();
                    self.single(&q.first, scope, true)?;
                    let imports = scope.imports_since(mark);
                    let body = carry_through_with(&q.first, &imports);
                    self.record(e, scope, mark, bound::Body::Query(body));
                }
            },
            _ => {
                for c in e.outer_children() {
                    self.expr(c, scope, agg_allowed)?;
                }
            }
        }
        Ok(())
    }

    fn boolean_operand(&self, x: &Expr, scope: &Scope) -> Result<()> {
        if matches!(
            self.ty(x, scope),
            Ty::Int
                | Ty::Float
                | Ty::Str
                | Ty::List
                | Ty::NodeGroup
                | Ty::RelGroup
                | Ty::Map
                | Ty::Node
                | Ty::Rel
                | Ty::Path
        ) {
            return Err(self.at(
                err(
                    "InvalidArgumentType",
                    "a boolean operator expects boolean operands",
                ),
                x.span.start,
            ));
        }
        Ok(())
    }

    fn function_args(&self, name: &str, args: &[Expr], scope: &Scope, here: usize) -> Result<()> {
        let tys: Vec<Ty> = args.iter().map(|a| self.ty(a, scope)).collect();
        let bad = |what: &str| {
            Err(self.at(
                err("InvalidArgumentType", format!("{name}() expects {what}")),
                here,
            ))
        };
        match (name, tys.as_slice()) {
            ("labels", [t]) if !matches!(t, Ty::Node | Ty::Any | Ty::Null) => bad("a node"),
            ("type", [t]) if !matches!(t, Ty::Rel | Ty::Any | Ty::Null) => bad("a relationship"),
            ("properties", [t])
                if !matches!(t, Ty::Node | Ty::Rel | Ty::Map | Ty::Any | Ty::Null) =>
            {
                bad("a node, relationship or map")
            }
            ("size", [Ty::Path | Ty::Node | Ty::Rel]) => bad("a list or a string"),
            ("length", [Ty::Node | Ty::Rel | Ty::Int | Ty::Float | Ty::Bool]) => bad("a path"),
            _ => Ok(()),
        }
    }
}

/// The error for a group variable (a list, one element per iteration of its quantified
/// group) used where one node or relationship is meant.
fn group_variable_as_single(name: &str) -> Error {
    err(
        "VariableTypeConflict",
        format!(
            "`{name}` is a group variable of a quantified path pattern: outside the pattern it is \
             a list with one element per iteration, not a single node or relationship (read \
             its elements as [x IN {name} | x.key], or {name}[0])"
        ),
    )
}

/// Whether `e` is a projected expression larger than a variable or property read.
fn projected_complex(e: &Expr, items: &[(String, &Expr)], b: &Binder<'_>) -> bool {
    let src = b.source(e);
    !is_simple(e)
        && !is_aggregate_call(e)
        && !src.is_empty()
        && items.iter().any(|(t, _)| *t == src)
}

/// A variable or a property of a variable.
fn is_simple(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Variable(_) => true,
        ExprKind::Property(inner, _) => matches!(inner.kind, ExprKind::Variable(_)),
        _ => false,
    }
}

fn known_function(name: &str) -> bool {
    matches!(
        name,
        "exists"
            | "coalesce"
            | "id"
            | "type"
            | "labels"
            | "startnode"
            | "endnode"
            | "shortestpath"
            | "allshortestpaths"
    ) || crate::catalog::functions::is_known(name)
        || crate::value::temporal::is_function(name)
}

/// The named variables of an element with where each is written, in the order written.
fn collect_named(el: &ast::PatternElement, out: &mut Vec<(String, usize)>) {
    let named = |v: &Option<ast::Ident>, out: &mut Vec<(String, usize)>| {
        if let Some(v) = v {
            out.push((v.name.clone(), v.span.start));
        }
    };
    named(&el.start.variable, out);
    for step in &el.chain {
        match &step.link {
            ast::PatternLink::Relationship(r) => named(&r.variable, out),
            ast::PatternLink::Group(g) => collect_named(&g.element, out),
        }
        named(&step.node.variable, out);
    }
}

/// The value of a literal expression (including lists and maps of literals and a
/// negated number), or `None` when it is not a literal.
fn literal_value(e: &Expr) -> Option<crate::Value> {
    use crate::Value;
    match &e.kind {
        ExprKind::Literal(l) => Some(match l {
            ast::Literal::Null => Value::Null,
            ast::Literal::Bool(b) => Value::Bool(*b),
            ast::Literal::Int(i) => Value::Int(*i),
            ast::Literal::Float(f) => Value::Float(*f),
            ast::Literal::String(s) => Value::String(s.clone()),
        }),
        ExprKind::Unary(ast::UnaryOp::Negate, x) => match literal_value(x)? {
            Value::Int(i) => Some(Value::Int(i.checked_neg()?)),
            Value::Float(f) => Some(Value::Float(-f)),
            _ => None,
        },
        ExprKind::List(items) => items
            .iter()
            .map(literal_value)
            .collect::<Option<Vec<_>>>()
            .map(Value::List),
        ExprKind::Map(entries) => {
            let mut m = crate::value::Map::new();
            for (k, v) in entries {
                m.insert(k.name.clone(), literal_value(v)?);
            }
            Some(Value::Map(m))
        }
        _ => None,
    }
}

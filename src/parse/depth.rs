//! How deep an expression tree is, measured and taken apart without recursion.
//!
//! Operator chains (`1 + 1 + … + 1`, `- - - 1`, `a.b.c.…`) are parsed by loops, so their
//! trees can be far deeper than the text's bracket nesting. Every later stage walks trees
//! recursively, so the parser refuses trees deeper than `MAX_EXPRESSION_DEPTH`; measuring
//! and dropping a refused tree must not recurse either.

use crate::ast::*;

/// The deepest expression tree a statement may hold.
pub const MAX_EXPRESSION_DEPTH: usize = 500;

/// Every expression directly inside a clause (patterns' property maps included).
fn clause_exprs_mut(clause: &mut Clause) -> Vec<&mut Expr> {
    let mut out = Vec::new();
    match clause {
        Clause::Match(m) => {
            pattern_exprs_mut(&mut m.pattern, &mut out);
            out.extend(m.where_.as_mut());
        }
        Clause::Unwind(u) => out.push(&mut u.expr),
        Clause::LoadCsv(l) => out.push(&mut l.source),
        Clause::With(p) | Clause::Return(p) => {
            out.extend(p.items.iter_mut().map(|i| &mut i.expr));
            out.extend(p.order_by.iter_mut().map(|s| &mut s.expr));
            out.extend(p.skip.as_mut());
            out.extend(p.limit.as_mut());
            out.extend(p.where_.as_mut());
        }
        Clause::Create(c) => pattern_exprs_mut(&mut c.pattern, &mut out),
        Clause::Merge(m) => {
            element_exprs_mut(&mut m.part.element, &mut out);
            for item in m.on_create.iter_mut().chain(m.on_match.iter_mut()) {
                set_item_exprs_mut(item, &mut out);
            }
        }
        Clause::Set(s) => {
            for item in &mut s.items {
                set_item_exprs_mut(item, &mut out);
            }
        }
        Clause::Remove(r) => {
            for item in &mut r.items {
                if let RemoveItem::Property { target, .. } = item {
                    out.push(target);
                }
            }
        }
        Clause::Delete(d) => out.extend(d.exprs.iter_mut()),
        Clause::Foreach(f) => {
            out.push(&mut f.list);
            for inner in &mut f.clauses {
                out.extend(clause_exprs_mut(inner));
            }
        }
        Clause::CallSubquery(c) => {
            out.extend(query_exprs_mut(&mut c.query));
            if let Some(size) = c
                .in_transactions
                .as_mut()
                .and_then(|t| t.batch_size.as_mut())
            {
                out.push(size);
            }
        }
        Clause::Call(c) => {
            out.extend(c.args.iter_mut().flatten());
            if let Some(y) = &mut c.yield_ {
                out.extend(y.where_.as_mut());
            }
        }
    }
    out
}

fn set_item_exprs_mut<'a>(item: &'a mut SetItem, out: &mut Vec<&'a mut Expr>) {
    match item {
        SetItem::Property { target, value, .. } => {
            out.push(target);
            out.push(value);
        }
        SetItem::Properties { value, .. } => out.push(value),
        SetItem::Labels { .. } => {}
    }
}

fn pattern_exprs_mut<'a>(pattern: &'a mut Pattern, out: &mut Vec<&'a mut Expr>) {
    for part in &mut pattern.parts {
        element_exprs_mut(&mut part.element, out);
    }
}

fn element_exprs_mut<'a>(element: &'a mut PatternElement, out: &mut Vec<&'a mut Expr>) {
    out.extend(element.start.properties.as_deref_mut());
    for step in &mut element.chain {
        match &mut step.link {
            PatternLink::Relationship(rel) => out.extend(rel.properties.as_deref_mut()),
            PatternLink::Group(group) => {
                element_exprs_mut(&mut group.element, out);
                out.extend(group.where_.as_mut());
            }
        }
        out.extend(step.node.properties.as_deref_mut());
    }
}

fn query_exprs_mut(query: &mut Query) -> Vec<&mut Expr> {
    let singles = std::iter::once(&mut query.first).chain(query.unions.iter_mut().map(|(_, q)| q));
    singles
        .flat_map(|single| single.clauses.iter_mut())
        .flat_map(clause_exprs_mut)
        .collect()
}

/// The top-level expressions of a statement.
pub fn statement_exprs_mut(statement: &mut Statement) -> Vec<&mut Expr> {
    match statement {
        Statement::Query(q) => query_exprs_mut(q),
        Statement::Timed(t) => {
            let mut exprs = query_exprs_mut(&mut t.query);
            if let Some(AsOf::Transaction(e) | AsOf::Timestamp(e)) = &mut t.as_of {
                exprs.push(e);
            }
            if let Some(e) = &mut t.valid_at {
                exprs.push(e);
            }
            exprs
        }
        Statement::Explain(inner) | Statement::Profile(inner) => statement_exprs_mut(inner),
        Statement::Schema(_) => Vec::new(),
    }
}

/// The expressions directly below `expr`, including those inside its patterns and
/// subqueries.
fn children_mut(expr: &mut Expr) -> Vec<&mut Expr> {
    if !matches!(
        expr.kind,
        ExprKind::PatternComprehension { .. }
            | ExprKind::PatternPredicate(_)
            | ExprKind::Subquery(..)
    ) {
        return expr.children_mut();
    }
    let mut out: Vec<&mut Expr> = Vec::new();
    match &mut expr.kind {
        ExprKind::PatternComprehension {
            pattern,
            predicate,
            projection,
            ..
        } => {
            element_exprs_mut(pattern, &mut out);
            out.extend(predicate.as_deref_mut());
            out.push(projection);
        }
        ExprKind::PatternPredicate(element) => element_exprs_mut(element, &mut out),
        ExprKind::Subquery(_, subquery) => match subquery.as_mut() {
            SubqueryBody::Pattern { pattern, where_ } => {
                pattern_exprs_mut(pattern, &mut out);
                out.extend(where_.as_mut());
            }
            SubqueryBody::Query(query) => out.extend(query_exprs_mut(query)),
        },
        _ => {}
    }
    out
}

/// Where the deepest of these expression trees exceeds `MAX_EXPRESSION_DEPTH`, if it
/// does: the start of the expression node found past the limit.
pub fn too_deep(roots: Vec<&mut Expr>) -> Option<usize> {
    let mut work: Vec<(&mut Expr, usize)> = roots.into_iter().map(|e| (e, 1)).collect();
    while let Some((expr, depth)) = work.pop() {
        if depth > MAX_EXPRESSION_DEPTH {
            return Some(expr.span.start);
        }
        work.extend(
            children_mut(expr)
                .into_iter()
                .map(|child| (child, depth + 1)),
        );
    }
    None
}

/// Drops expression trees one node at a time, so that a tree too deep for the recursive
/// `Drop` is freed without exhausting the stack.
pub fn dismantle(roots: Vec<&mut Expr>) {
    let placeholder = || Expr {
        kind: ExprKind::Literal(Literal::Null),
        span: Span::default(),
    };
    let mut work: Vec<Expr> = roots
        .into_iter()
        .map(|e| std::mem::replace(e, placeholder()))
        .collect();
    while let Some(mut expr) = work.pop() {
        for child in children_mut(&mut expr) {
            work.push(std::mem::replace(child, placeholder()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(length: usize) -> Expr {
        let leaf = || Expr {
            kind: ExprKind::Literal(Literal::Int(1)),
            span: Span::default(),
        };
        let mut expr = leaf();
        for _ in 0..length {
            expr = Expr {
                kind: ExprKind::Binary(BinaryOp::Add, Box::new(expr), Box::new(leaf())),
                span: Span::default(),
            };
        }
        expr
    }

    fn returning(expr: Expr) -> Statement {
        let item = ProjectionItem {
            expr,
            alias: None,
            text: String::new(),
        };
        Statement::Query(Query {
            first: SingleQuery {
                clauses: vec![Clause::Return(Projection {
                    distinct: false,
                    star: false,
                    items: vec![item],
                    order_by: Vec::new(),
                    skip: None,
                    limit: None,
                    where_: None,
                    span: Span::default(),
                })],
                span: Span::default(),
            },
            unions: Vec::new(),
            span: Span::default(),
        })
    }

    #[test]
    fn measures_depth_at_the_limit() {
        let mut shallow = returning(chain(MAX_EXPRESSION_DEPTH - 1));
        assert_eq!(too_deep(statement_exprs_mut(&mut shallow)), None);
        let mut deep = returning(chain(MAX_EXPRESSION_DEPTH));
        assert_eq!(too_deep(statement_exprs_mut(&mut deep)), Some(0));
    }

    #[test]
    fn dismantles_a_very_deep_tree() {
        let mut statement = returning(chain(200_000));
        dismantle(statement_exprs_mut(&mut statement));
    }
}

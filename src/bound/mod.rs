//! What binding learns about a query for the stages after it.
//!
//! Today this is the query's subqueries: every pattern predicate, `EXISTS { … }`,
//! pattern comprehension and `shortestPath(…)` expression, each with the variables it
//! takes from the scope it is written in (its imports, in that scope's order). The
//! planner plans each one before anything runs, on a row of exactly its imports, so a
//! subquery's plan does not depend on where the planner puts the expression, and the
//! planner places it only after its imports are bound. The rest of the query is still
//! read from the syntax tree.

use crate::ast::{self, Expr, Span};

/// A checked query: its subqueries, ordered by where they are written.
#[derive(Clone, Debug, Default)]
pub struct Query {
    pub subqueries: Vec<Subquery>,
}

impl Query {
    /// The subquery written at `at`.
    pub fn subquery(&self, at: Span) -> Option<&Subquery> {
        self.subqueries
            .binary_search_by_key(&(at.start, at.end), |s| (s.at.start, s.at.end))
            .ok()
            .and_then(|i| self.subqueries.get(i))
    }

    /// Keeps the subqueries in the order `subquery` looks them up by.
    pub(crate) fn sort(&mut self) {
        self.subqueries.sort_by_key(|s| (s.at.start, s.at.end));
        self.subqueries.dedup_by_key(|s| (s.at.start, s.at.end));
    }
}

/// One subquery expression: where it is written, what it imports, what it asks.
#[derive(Clone, Debug)]
pub struct Subquery {
    /// The span of the whole expression (the key the evaluator finds its plan by).
    pub at: Span,
    /// The outer variables (and comprehension locals) the subquery mentions.
    pub imports: Vec<String>,
    pub body: Body,
}

/// What a subquery computes from its imports.
#[derive(Clone, Debug)]
pub enum Body {
    /// The matches of `pattern` (with `where_`): a pattern predicate, or
    /// `EXISTS`/`COUNT { pattern [WHERE …] }`.
    Matches {
        pattern: ast::Pattern,
        where_: Option<Expr>,
    },
    /// The rows of the query of `EXISTS`, `COUNT` or `COLLECT { … }`.
    Query(ast::SingleQuery),
    /// The matches of a pattern comprehension's pattern (its projection is evaluated
    /// per match by the expression itself).
    Comprehension {
        pattern: ast::Pattern,
        predicate: Option<Expr>,
    },
    /// `shortestPath(…)` or `allShortestPaths(…)` as an expression: the pattern with
    /// its path bound to `PATH_VARIABLE`.
    Shortest { pattern: ast::Pattern },
}

/// The hidden variable a `shortestPath` expression's plan binds its path to.
pub const PATH_VARIABLE: &str = "  shortest path";

//! The aggregation functions, by name, and how to tell an aggregation call in an
//! expression. `exec::aggregate` computes them.

use crate::ast::{Expr, ExprKind};

const AGGREGATES: &[&str] = &[
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "collect",
    "stdev",
    "stdevp",
    "percentilecont",
    "percentiledisc",
];

/// Every aggregation function's name (lower-cased).
pub fn all() -> &'static [&'static str] {
    AGGREGATES
}

/// Whether `name` (lower-cased) is an aggregation function.
pub fn is_aggregate(name: &str) -> bool {
    AGGREGATES.contains(&name)
}

/// Whether `e` is itself an aggregation call (`count(*)` included).
pub fn is_aggregate_call(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::CountStar => true,
        ExprKind::FunctionCall { name, .. } => {
            name.len() == 1
                && name
                    .first()
                    .is_some_and(|n| is_aggregate(&n.name.to_lowercase()))
        }
        _ => false,
    }
}

/// Whether `e` contains an aggregation call (not looking into nested scopes' queries).
pub fn contains_aggregate(e: &Expr) -> bool {
    let mut found = false;
    crate::ast::walk_expr(e, &mut |x| {
        if is_aggregate_call(x) {
            found = true;
        }
    });
    found
}

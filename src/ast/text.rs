//! Expressions and patterns written back as Cypher text, as EXPLAIN and PROFILE show
//! the predicates of a plan's operators. Names the planner made up for anonymous
//! elements are shown without their leading spaces; a nested operator expression is
//! put in parentheses, so the text reads back with the meaning of the tree.

use super::*;
use std::fmt::{self, Display, Formatter, Write};

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_expr(f, self)
    }
}

impl Display for PatternElement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_element(f, self)
    }
}

/// Whether `e` needs parentheses as the operand of an operator.
fn compound(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Binary(..)
            | ExprKind::Compare(..)
            | ExprKind::Unary(..)
            | ExprKind::IsNull(..)
            | ExprKind::HasLabels(..)
            | ExprKind::LabelMatch(..)
    )
}

fn operand(f: &mut Formatter<'_>, e: &Expr) -> fmt::Result {
    if compound(e) {
        write!(f, "({e})")
    } else {
        write_expr(f, e)
    }
}

fn name(f: &mut Formatter<'_>, n: &str) -> fmt::Result {
    let n = n.trim_start();
    let plain = n
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && n.chars().all(|c| c.is_alphanumeric() || c == '_');
    if plain {
        f.write_str(n)
    } else {
        write!(f, "`{}`", n.replace('`', "``"))
    }
}

fn list<T>(
    f: &mut Formatter<'_>,
    items: &[T],
    mut each: impl FnMut(&mut Formatter<'_>, &T) -> fmt::Result,
) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        each(f, item)?;
    }
    Ok(())
}

fn string_literal(f: &mut Formatter<'_>, s: &str) -> fmt::Result {
    f.write_char('\'')?;
    for c in s.chars() {
        match c {
            '\'' => f.write_str("\\'")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            '\r' => f.write_str("\\r")?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('\'')
}

fn binary_op(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Or => "OR",
        BinaryOp::Xor => "XOR",
        BinaryOp::And => "AND",
        BinaryOp::Add => "+",
        BinaryOp::Subtract => "-",
        BinaryOp::Multiply => "*",
        BinaryOp::Divide => "/",
        BinaryOp::Modulo => "%",
        BinaryOp::Power => "^",
        BinaryOp::In => "IN",
        BinaryOp::StartsWith => "STARTS WITH",
        BinaryOp::EndsWith => "ENDS WITH",
        BinaryOp::Contains => "CONTAINS",
        BinaryOp::RegexMatch => "=~",
    }
}

fn compare_op(op: CompareOp) -> &'static str {
    match op {
        CompareOp::Eq => "=",
        CompareOp::Ne => "<>",
        CompareOp::Lt => "<",
        CompareOp::Le => "<=",
        CompareOp::Gt => ">",
        CompareOp::Ge => ">=",
    }
}

fn write_expr(f: &mut Formatter<'_>, e: &Expr) -> fmt::Result {
    use ExprKind as K;
    match &e.kind {
        K::Literal(Literal::Null) => f.write_str("null"),
        K::Literal(Literal::Bool(b)) => write!(f, "{b}"),
        K::Literal(Literal::Int(i)) => write!(f, "{i}"),
        K::Literal(Literal::Float(x)) => write!(f, "{x:?}"),
        K::Literal(Literal::String(s)) => string_literal(f, s),
        K::Parameter(p) => {
            f.write_char('$')?;
            name(f, p)
        }
        K::Variable(v) => name(f, v),
        K::List(items) => {
            f.write_char('[')?;
            list(f, items, write_expr)?;
            f.write_char(']')
        }
        K::Map(entries) => {
            f.write_char('{')?;
            list(f, entries, |f, (k, v)| {
                name(f, &k.name)?;
                f.write_str(": ")?;
                write_expr(f, v)
            })?;
            f.write_char('}')
        }
        K::Property(target, key) => {
            operand(f, target)?;
            f.write_char('.')?;
            name(f, &key.name)
        }
        K::Index(target, index) => {
            operand(f, target)?;
            write!(f, "[{index}]")
        }
        K::Slice(target, from, to) => {
            operand(f, target)?;
            f.write_char('[')?;
            if let Some(from) = from {
                write_expr(f, from)?;
            }
            f.write_str("..")?;
            if let Some(to) = to {
                write_expr(f, to)?;
            }
            f.write_char(']')
        }
        K::Binary(op, a, b) => {
            operand(f, a)?;
            write!(f, " {} ", binary_op(*op))?;
            operand(f, b)
        }
        K::Unary(op, a) => {
            f.write_str(match op {
                UnaryOp::Not => "NOT ",
                UnaryOp::Negate => "-",
                UnaryOp::Plus => "+",
            })?;
            operand(f, a)
        }
        K::Compare(first, rest) => {
            operand(f, first)?;
            for (op, x) in rest {
                write!(f, " {} ", compare_op(*op))?;
                operand(f, x)?;
            }
            Ok(())
        }
        K::IsNull(a, negated) => {
            operand(f, a)?;
            f.write_str(if *negated { " IS NOT NULL" } else { " IS NULL" })
        }
        K::HasLabels(a, labels) => {
            operand(f, a)?;
            for l in labels {
                f.write_char(':')?;
                name(f, &l.name)?;
            }
            Ok(())
        }
        K::LabelMatch(a, labels) => {
            operand(f, a)?;
            write!(f, ":{labels}")
        }
        K::FunctionCall {
            name: parts,
            distinct,
            args,
        } => {
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    f.write_char('.')?;
                }
                name(f, &part.name)?;
            }
            f.write_char('(')?;
            if *distinct {
                f.write_str("DISTINCT ")?;
            }
            list(f, args, write_expr)?;
            f.write_char(')')
        }
        K::CountStar => f.write_str("count(*)"),
        K::Case {
            operand: subject,
            whens,
            else_,
        } => {
            f.write_str("CASE")?;
            if let Some(s) = subject {
                write!(f, " {s}")?;
            }
            for (w, t) in whens {
                write!(f, " WHEN {w} THEN {t}")?;
            }
            if let Some(x) = else_ {
                write!(f, " ELSE {x}")?;
            }
            f.write_str(" END")
        }
        K::ListComprehension {
            variable,
            list: source,
            predicate,
            projection,
        } => {
            f.write_char('[')?;
            binding(f, variable, source, predicate.as_deref())?;
            if let Some(p) = projection {
                write!(f, " | {p}")?;
            }
            f.write_char(']')
        }
        K::PatternComprehension {
            variable,
            pattern,
            predicate,
            projection,
        } => {
            f.write_char('[')?;
            if let Some(v) = variable {
                name(f, &v.name)?;
                f.write_str(" = ")?;
            }
            write_element(f, pattern)?;
            if let Some(p) = predicate {
                write!(f, " WHERE {p}")?;
            }
            write!(f, " | {projection}]")
        }
        K::Quantified {
            quantifier,
            variable,
            list: source,
            predicate,
        } => {
            f.write_str(match quantifier {
                Quantifier::All => "all(",
                Quantifier::Any => "any(",
                Quantifier::None => "none(",
                Quantifier::Single => "single(",
            })?;
            binding(f, variable, source, predicate.as_deref())?;
            f.write_char(')')
        }
        K::Reduce {
            accumulator,
            init,
            variable,
            list: source,
            expr,
        } => {
            f.write_str("reduce(")?;
            name(f, &accumulator.name)?;
            write!(f, " = {init}, ")?;
            name(f, &variable.name)?;
            write!(f, " IN {source} | {expr})")
        }
        K::MapProjection { variable, items } => {
            name(f, &variable.name)?;
            f.write_str(" {")?;
            list(f, items, |f, item| match item {
                MapProjectionItem::Property(k) => {
                    f.write_char('.')?;
                    name(f, &k.name)
                }
                MapProjectionItem::AllProperties => f.write_str(".*"),
                MapProjectionItem::Literal(k, v) => {
                    name(f, &k.name)?;
                    write!(f, ": {v}")
                }
                MapProjectionItem::Variable(v) => name(f, &v.name),
            })?;
            f.write_char('}')
        }
        K::PatternPredicate(el) => write_element(f, el),
        K::Subquery(kind, sub) => match sub.as_ref() {
            SubqueryBody::Pattern { pattern, where_ } => {
                write!(f, "{} {{ ", kind.keyword())?;
                list(f, &pattern.parts, |f, part| write_element(f, &part.element))?;
                if let Some(w) = where_ {
                    write!(f, " WHERE {w}")?;
                }
                f.write_str(" }")
            }
            SubqueryBody::Query(_) => write!(f, "{} {{ … }}", kind.keyword()),
        },
    }
}

/// `x IN list [WHERE predicate]` of a comprehension or quantifier.
fn binding(
    f: &mut Formatter<'_>,
    variable: &Ident,
    source: &Expr,
    predicate: Option<&Expr>,
) -> fmt::Result {
    name(f, &variable.name)?;
    write!(f, " IN {source}")?;
    if let Some(p) = predicate {
        write!(f, " WHERE {p}")?;
    }
    Ok(())
}

fn write_node(f: &mut Formatter<'_>, n: &NodePattern) -> fmt::Result {
    f.write_char('(')?;
    if let Some(v) = &n.variable {
        name(f, &v.name)?;
    }
    for l in &n.labels {
        f.write_char(':')?;
        name(f, &l.name)?;
    }
    if let Some(p) = &n.properties {
        if n.variable.is_some() || !n.labels.is_empty() {
            f.write_char(' ')?;
        }
        write_expr(f, p)?;
    }
    f.write_char(')')
}

fn write_element(f: &mut Formatter<'_>, el: &PatternElement) -> fmt::Result {
    write_node(f, &el.start)?;
    for step in &el.chain {
        match &step.link {
            PatternLink::Relationship(r) => write_relationship(f, r)?,
            PatternLink::Group(g) => write!(f, "{g}")?,
        }
        write_node(f, &step.node)?;
    }
    Ok(())
}

impl Display for QuantifiedGroup {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_char('(')?;
        write_element(f, &self.element)?;
        if let Some(w) = &self.where_ {
            write!(f, " WHERE {w}")?;
        }
        write!(f, "){}", self.repetitions)
    }
}

impl Display for Repetitions {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match (self.min, self.max) {
            (0, None) => f.write_char('*'),
            (1, None) => f.write_char('+'),
            (min, None) => write!(f, "{{{min},}}"),
            (min, Some(max)) if min == max => write!(f, "{{{min}}}"),
            (min, Some(max)) => write!(f, "{{{min},{max}}}"),
        }
    }
}

fn write_relationship(f: &mut Formatter<'_>, r: &RelationshipPattern) -> fmt::Result {
    f.write_str(if r.direction == Direction::Incoming {
        "<-"
    } else {
        "-"
    })?;
    let inside =
        r.variable.is_some() || !r.types.is_empty() || r.length.is_some() || r.properties.is_some();
    if inside {
        f.write_char('[')?;
        if let Some(v) = &r.variable {
            name(f, &v.name)?;
        }
        for (i, t) in r.types.iter().enumerate() {
            f.write_char(if i == 0 { ':' } else { '|' })?;
            name(f, &t.name)?;
        }
        if let Some(l) = r.length {
            f.write_char('*')?;
            match (l.min, l.max) {
                (Some(a), Some(b)) if a == b => write!(f, "{a}")?,
                (min, max) => {
                    if let Some(a) = min {
                        write!(f, "{a}")?;
                    }
                    f.write_str("..")?;
                    if let Some(b) = max {
                        write!(f, "{b}")?;
                    }
                }
            }
        }
        if let Some(p) = &r.properties {
            write!(f, " {p}")?;
        }
        f.write_char(']')?;
    }
    f.write_str(if r.direction == Direction::Outgoing {
        "->"
    } else {
        "-"
    })
}

impl Display for LabelExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        // Operands that bind more loosely than their operator are parenthesised.
        let grouped = |f: &mut Formatter<'_>, e: &LabelExpr, tighter_than_or: bool| {
            let loose = match e {
                LabelExpr::Or(_) => true,
                LabelExpr::And(_) => !tighter_than_or,
                _ => false,
            };
            if loose {
                write!(f, "({e})")
            } else {
                write!(f, "{e}")
            }
        };
        match self {
            LabelExpr::Name(n) => name(f, &n.name),
            LabelExpr::Any => f.write_char('%'),
            LabelExpr::Not(e) => {
                f.write_char('!')?;
                grouped(f, e, false)
            }
            LabelExpr::And(all) => {
                for (i, e) in all.iter().enumerate() {
                    if i > 0 {
                        f.write_char('&')?;
                    }
                    grouped(f, e, true)?;
                }
                Ok(())
            }
            LabelExpr::Or(any) => {
                for (i, e) in any.iter().enumerate() {
                    if i > 0 {
                        f.write_char('|')?;
                    }
                    write!(f, "{e}")?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    /// `text` parsed as an expression and written back.
    fn again(text: &str) -> String {
        match crate::parse::parse_expression(text) {
            Ok(e) => e.to_string(),
            Err(err) => format!("does not parse: {err}"),
        }
    }

    #[test]
    fn operators_nest_in_parentheses_and_literals_read_back() {
        assert_eq!(
            again("n.a = 1 AND (n.b < 2.5 OR NOT n.c)"),
            "(n.a = 1) AND ((n.b < 2.5) OR (NOT n.c))"
        );
        assert_eq!(
            again("n.s STARTS WITH 'it\\'s'"),
            "n.s STARTS WITH 'it\\'s'"
        );
        assert_eq!(again("1 < n.x <= $max"), "1 < n.x <= $max");
        assert_eq!(
            again("n:A:B AND n.k IS NOT NULL"),
            "(n:A:B) AND (n.k IS NOT NULL)"
        );
        assert_eq!(
            again("[x IN n.l WHERE x > 0 | x * 2]"),
            "[x IN n.l WHERE x > 0 | x * 2]"
        );
    }

    #[test]
    fn patterns_read_back() {
        assert_eq!(
            again("(n)-[:R|S*1..3]->(:A {k: 1}) AND NOT (n)<-[r]-()"),
            "(n)-[:R|S*1..3]->(:A {k: 1}) AND (NOT (n)<-[r]-())"
        );
    }
}

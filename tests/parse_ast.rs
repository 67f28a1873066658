//! The shapes the parser builds: clauses, patterns, expressions and their precedence,
//! literals, projection texts and names. Expressions are compared through a compact
//! prefix rendering so that a test reads like the tree it expects.

use skein::testing::ast::*;
use skein::testing::parse::{parse_expression, parse_statement};

/// Renders an expression as a prefix form, e.g. `(+ 1 (* 2 3))`.
fn show(e: &Expr) -> String {
    let list = |items: &[Expr]| items.iter().map(show).collect::<Vec<_>>().join(" ");
    match &e.kind {
        ExprKind::Literal(Literal::Null) => "null".into(),
        ExprKind::Literal(Literal::Bool(b)) => b.to_string(),
        ExprKind::Literal(Literal::Int(i)) => i.to_string(),
        ExprKind::Literal(Literal::Float(f)) => format!("{f:?}"),
        ExprKind::Literal(Literal::String(s)) => format!("{s:?}"),
        ExprKind::Parameter(p) => format!("${p}"),
        ExprKind::Variable(v) => v.clone(),
        ExprKind::List(items) => format!("[{}]", list(items)),
        ExprKind::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{}: {}", k.name, show(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ExprKind::Property(base, key) => format!("{}.{}", show(base), key.name),
        ExprKind::Index(base, i) => format!("(index {} {})", show(base), show(i)),
        ExprKind::Slice(base, from, to) => format!(
            "(slice {} {} {})",
            show(base),
            from.as_deref().map_or("_".into(), show),
            to.as_deref().map_or("_".into(), show)
        ),
        ExprKind::Binary(op, a, b) => format!("({op:?} {} {})", show(a), show(b)),
        ExprKind::Unary(op, a) => format!("({op:?} {})", show(a)),
        ExprKind::Compare(first, rest) => {
            let rest: Vec<String> = rest
                .iter()
                .map(|(op, e)| format!("{op:?} {}", show(e)))
                .collect();
            format!("(cmp {} {})", show(first), rest.join(" "))
        }
        ExprKind::IsNull(a, negated) => {
            format!(
                "({} {})",
                if *negated { "notnull" } else { "isnull" },
                show(a)
            )
        }
        ExprKind::HasLabels(a, labels) => format!(
            "(labels {} {})",
            show(a),
            labels
                .iter()
                .map(|l| l.name.as_str())
                .collect::<Vec<_>>()
                .join(":")
        ),
        ExprKind::LabelMatch(a, labels) => format!("(label-expr {} {labels})", show(a)),
        ExprKind::FunctionCall {
            name,
            distinct,
            args,
        } => format!(
            "({}{} {})",
            name.iter()
                .map(|n| n.name.as_str())
                .collect::<Vec<_>>()
                .join("."),
            if *distinct { " distinct" } else { "" },
            list(args)
        ),
        ExprKind::CountStar => "count(*)".into(),
        ExprKind::Case {
            operand,
            whens,
            else_,
        } => format!(
            "(case {} {} else {})",
            operand.as_deref().map_or("_".into(), show),
            whens
                .iter()
                .map(|(w, t)| format!("{} => {}", show(w), show(t)))
                .collect::<Vec<_>>()
                .join(", "),
            else_.as_deref().map_or("_".into(), show)
        ),
        ExprKind::ListComprehension {
            variable,
            list: l,
            predicate,
            projection,
        } => format!(
            "[{} in {} where {} | {}]",
            variable.name,
            show(l),
            predicate.as_deref().map_or("_".into(), show),
            projection.as_deref().map_or("_".into(), show)
        ),
        ExprKind::PatternComprehension { .. } => "(pattern-comprehension)".into(),
        ExprKind::Quantified {
            quantifier,
            variable,
            list: l,
            predicate,
        } => format!(
            "({quantifier:?} {} {} {})",
            variable.name,
            show(l),
            predicate.as_deref().map_or("_".into(), show)
        ),
        ExprKind::Reduce {
            accumulator,
            init,
            variable,
            list: l,
            expr,
        } => format!(
            "(reduce {} {} {} {} {})",
            accumulator.name,
            show(init),
            variable.name,
            show(l),
            show(expr)
        ),
        ExprKind::MapProjection { variable, items } => {
            format!("(project {} {})", variable.name, items.len())
        }
        ExprKind::PatternPredicate(element) => format!("(pattern {})", element.chain.len()),
        ExprKind::Subquery(kind, _) => format!("({})", kind.keyword().to_lowercase()),
    }
}

fn expr(text: &str) -> String {
    match parse_expression(text) {
        Ok(e) => show(&e),
        Err(e) => format!("error: {e}"),
    }
}

fn parsed(text: &str) -> Expr {
    parse_expression(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn single(text: &str) -> SingleQuery {
    match parse_statement(text) {
        Ok(Statement::Query(q)) => q.first,
        other => panic!("{text}: expected a query, got {other:?}"),
    }
}

fn error(text: &str) -> skein::Error {
    match parse_statement(text) {
        Err(e) => e,
        Ok(s) => panic!("{text}: expected an error, parsed {s:?}"),
    }
}

#[test]
fn arithmetic_precedence_and_associativity() {
    assert_eq!(expr("1 + 2 * 3"), "(Add 1 (Multiply 2 3))");
    assert_eq!(expr("1 - 2 - 3"), "(Subtract (Subtract 1 2) 3)");
    assert_eq!(expr("2 ^ 3 ^ 2"), "(Power (Power 2 3) 2)");
    assert_eq!(expr("-a ^ 2"), "(Power (Negate a) 2)");
    assert_eq!(expr("-2 ^ 2"), "(Power -2 2)");
    assert_eq!(
        expr("4 % 3 * 2 / 1"),
        "(Divide (Multiply (Modulo 4 3) 2) 1)"
    );
}

#[test]
fn boolean_precedence() {
    assert_eq!(expr("a OR b XOR c"), "(Or a (Xor b c))");
    assert_eq!(expr("a XOR b AND c"), "(Xor a (And b c))");
    assert_eq!(expr("NOT a AND b"), "(And (Not a) b)");
    assert_eq!(expr("NOT a = b"), "(Not (cmp a Eq b))");
    assert_eq!(expr("NOT NOT a"), "(Not (Not a))");
}

#[test]
fn comparisons_chain_and_predicates_bind_tighter() {
    assert_eq!(expr("a < b <= c"), "(cmp a Lt b Le c)");
    assert_eq!(expr("a <> b"), "(cmp a Ne b)");
    assert_eq!(expr("false = true IS NULL"), "(cmp false Eq (isnull true))");
    assert_eq!(expr("x IS NOT NULL"), "(notnull x)");
    assert_eq!(expr("a + 1 IN list"), "(In (Add a 1) list)");
    assert_eq!(
        expr("s STARTS WITH 'a' AND s ENDS WITH 'z' OR s CONTAINS 'm'"),
        "(Or (And (StartsWith s \"a\") (EndsWith s \"z\")) (Contains s \"m\"))"
    );
    assert_eq!(expr("name =~ 'A.*'"), "(RegexMatch name \"A.*\")");
}

#[test]
fn postfix_operators() {
    assert_eq!(expr("n.a.b"), "n.a.b");
    assert_eq!(expr("list[0][1..]"), "(slice (index list 0) 1 _)");
    assert_eq!(expr("list[..-1]"), "(slice list _ -1)");
    assert_eq!(expr("n:A:B"), "(labels n A:B)");
    assert_eq!(expr("{a: 1}.a"), "{a: 1}.a");
    assert_eq!(expr("f(x).key"), "(f x).key");
    assert_eq!(expr("(n).name"), "n.name");
}

#[test]
fn literals() {
    assert_eq!(expr("0x1F"), "31");
    assert_eq!(expr("0o17"), "15");
    assert_eq!(expr("-9223372036854775808"), "-9223372036854775808");
    assert_eq!(expr(".5"), "0.5");
    assert_eq!(expr("1e3"), "1000.0");
    assert_eq!(expr("1.5E-3"), "0.0015");
    assert_eq!(expr("'it\\'s \\u00e9'"), "\"it's é\"");
    assert_eq!(expr("\"a\\tb\""), "\"a\\tb\"");
    assert_eq!(expr("TRUE"), "true");
    assert_eq!(expr("Null"), "null");
    assert_eq!(expr("[1, [2], {k: 'v'}]"), "[1 [2] {k: \"v\"}]");
    assert_eq!(expr("$param"), "$param");
    assert_eq!(expr("$0"), "$0");
}

#[test]
fn lists_and_maps_nest_forty_levels() {
    let list = format!("{}1{}", "[".repeat(40), "]".repeat(40));
    assert!(parse_statement(&format!("RETURN {list} AS l")).is_ok());
    let map = format!("{}1{}", "{k: ".repeat(40), "}".repeat(40));
    assert!(parse_statement(&format!("RETURN {map} AS m")).is_ok());
}

#[test]
fn absurd_nesting_is_an_error_not_a_crash() {
    let text = format!("RETURN {}1{}", "(".repeat(5000), ")".repeat(5000));
    assert_eq!(error(&text).detail, "InvalidSyntax");
}

#[test]
fn function_calls() {
    assert_eq!(expr("count(*)"), "count(*)");
    assert_eq!(expr("count(DISTINCT n.x)"), "(count distinct n.x)");
    assert_eq!(expr("db.labels()"), "(db.labels )");
    assert_eq!(expr("exists(n.name)"), "(exists n.name)");
}

#[test]
fn comprehensions_quantifiers_reduce_and_case() {
    assert_eq!(
        expr("[x IN l WHERE x > 1 | x * 2]"),
        "[x in l where (cmp x Gt 1) | (Multiply x 2)]"
    );
    assert_eq!(expr("[x IN l]"), "[x in l where _ | _]");
    assert_eq!(expr("all(x IN l WHERE x)"), "(All x l x)");
    assert_eq!(expr("none(x IN l WHERE x)"), "(None x l x)");
    assert_eq!(
        expr("reduce(s = 0, x IN l | s + x)"),
        "(reduce s 0 x l (Add s x))"
    );
    assert_eq!(
        expr("CASE WHEN a THEN 1 ELSE 2 END"),
        "(case _ a => 1 else 2)"
    );
    assert_eq!(
        expr("case x when 1 then 'one' end"),
        "(case x 1 => \"one\" else _)"
    );
    assert_eq!(expr("n {.name, .*, k: 1, v}"), "(project n 4)");
    assert_eq!(expr("[(a)-->(b) | b.name]"), "(pattern-comprehension)");
}

#[test]
fn keywords_are_case_insensitive_and_names_keep_case() {
    let q = single("match (N:Person) where N.Name = 'x' return N.Name as `The Name`");
    assert_eq!(q.clauses.len(), 2);
    let Some(Clause::Return(p)) = q.clauses.get(1) else {
        panic!("expected RETURN");
    };
    let item = &p.items[0];
    assert_eq!(
        item.alias.as_ref().map(|a| a.name.as_str()),
        Some("The Name")
    );
    assert_eq!(item.text, "N.Name");
}

#[test]
fn backticks_escape_names() {
    assert_eq!(expr("`weird ``name```.`a b`"), "weird `name`.a b");
}

#[test]
fn projection_text_is_the_source_text() {
    let q = single("MATCH (a) RETURN a + b , count( * ), a.name /* note */ , DISTINCT_ok");
    let Some(Clause::Return(p)) = q.clauses.get(1) else {
        panic!("expected RETURN");
    };
    let texts: Vec<&str> = p.items.iter().map(|i| i.text.as_str()).collect();
    assert_eq!(texts, vec!["a + b", "count( * )", "a.name", "DISTINCT_ok"]);
}

#[test]
fn projection_modifiers() {
    let q = single("WITH DISTINCT a ORDER BY a DESC, b SKIP 1 LIMIT $n WHERE a > 1 RETURN *, a");
    let Some(Clause::With(w)) = q.clauses.first() else {
        panic!("expected WITH");
    };
    assert!(w.distinct);
    assert_eq!(
        w.order_by.iter().map(|s| s.descending).collect::<Vec<_>>(),
        vec![true, false]
    );
    assert_eq!(w.skip.as_ref().map(show).as_deref(), Some("1"));
    assert_eq!(w.limit.as_ref().map(show).as_deref(), Some("$n"));
    assert_eq!(w.where_.as_ref().map(show).as_deref(), Some("(cmp a Gt 1)"));
    let Some(Clause::Return(r)) = q.clauses.get(1) else {
        panic!("expected RETURN");
    };
    assert!(r.star);
    assert_eq!(r.items.len(), 1);
}

#[test]
fn node_and_relationship_patterns() {
    let q = single("MATCH p = (a:A:B {x: 1})<-[r:T|:U*1..3]-(b)-->(), (c) RETURN p");
    let Some(Clause::Match(m)) = q.clauses.first() else {
        panic!("expected MATCH");
    };
    assert_eq!(m.pattern.parts.len(), 2);
    let part = &m.pattern.parts[0];
    assert_eq!(part.variable.as_ref().map(|v| v.name.as_str()), Some("p"));
    assert_eq!(part.function, PathFunction::None);
    let start = &part.element.start;
    assert_eq!(
        start
            .labels
            .iter()
            .map(|l| l.name.as_str())
            .collect::<Vec<_>>(),
        vec!["A", "B"]
    );
    assert_eq!(
        start.properties.as_deref().map(show).as_deref(),
        Some("{x: 1}")
    );
    let rel = part.element.chain[0]
        .link
        .as_relationship()
        .expect("a relationship");
    assert_eq!(rel.direction, Direction::Incoming);
    assert_eq!(
        rel.types
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>(),
        vec!["T", "U"]
    );
    assert_eq!(
        rel.length,
        Some(VarLength {
            min: Some(1),
            max: Some(3)
        })
    );
    let rel = part.element.chain[1]
        .link
        .as_relationship()
        .expect("a relationship");
    assert_eq!(rel.direction, Direction::Outgoing);
    assert_eq!(rel.length, None);
}

#[test]
fn variable_length_forms() {
    let length = |pattern: &str| {
        let q = single(&format!("MATCH (a){pattern}(b) RETURN a"));
        match q.clauses.first() {
            Some(Clause::Match(m)) => m.pattern.parts[0].element.chain[0]
                .link
                .as_relationship()
                .and_then(|r| r.length),
            _ => None,
        }
    };
    assert_eq!(
        length("-[*]-"),
        Some(VarLength {
            min: None,
            max: None
        })
    );
    assert_eq!(
        length("-[*3]->"),
        Some(VarLength {
            min: Some(3),
            max: Some(3)
        })
    );
    assert_eq!(
        length("-[*..5]->"),
        Some(VarLength {
            min: None,
            max: Some(5)
        })
    );
    assert_eq!(
        length("-[*2..]->"),
        Some(VarLength {
            min: Some(2),
            max: None
        })
    );
}

#[test]
fn writing_clauses() {
    let q = single(
        "MATCH (n) SET n.a = 1, n += {b: 2}, n = {}, n:L REMOVE n.a, n:L DETACH DELETE n \
         MERGE (m:M {k: 1}) ON CREATE SET m.c = 1 ON MATCH SET m.d = 2",
    );
    let rules: Vec<&str> = q
        .clauses
        .iter()
        .map(|c| match c {
            Clause::Set(_) => "set",
            Clause::Remove(_) => "remove",
            Clause::Delete(d) if d.detach => "detach-delete",
            Clause::Merge(m) if m.on_create.len() == 1 && m.on_match.len() == 1 => "merge",
            Clause::Match(_) => "match",
            _ => "other",
        })
        .collect();
    assert_eq!(
        rules,
        vec!["match", "set", "remove", "detach-delete", "merge"]
    );
    let Some(Clause::Set(set)) = q.clauses.get(1) else {
        panic!("expected SET");
    };
    assert!(
        matches!(&set.items[0], SetItem::Property { target, key, .. } if show(target) == "n" && key.name == "a")
    );
    assert!(matches!(
        &set.items[1],
        SetItem::Properties { merge: true, .. }
    ));
    assert!(matches!(
        &set.items[2],
        SetItem::Properties { merge: false, .. }
    ));
    assert!(matches!(&set.items[3], SetItem::Labels { labels, .. } if labels.len() == 1));
}

#[test]
fn unwind_union_and_call() {
    let statement = parse_statement("UNWIND [1, 2] AS x RETURN x UNION ALL RETURN 3 AS x");
    let Ok(Statement::Query(q)) = statement else {
        panic!("expected a query");
    };
    assert_eq!(q.unions.len(), 1);
    assert!(q.unions[0].0);
    let q = single("CALL db.labels() YIELD label AS l WHERE l <> 'x' RETURN l");
    let Some(Clause::Call(call)) = q.clauses.first() else {
        panic!("expected CALL");
    };
    assert_eq!(
        call.procedure
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        vec!["db", "labels"]
    );
    assert_eq!(call.args.as_ref().map(Vec::len), Some(0));
    let spec = call.yield_.as_ref().map(|y| {
        let items: Vec<(String, Option<String>)> = y
            .items
            .iter()
            .map(|(field, alias)| (field.name.clone(), alias.as_ref().map(|a| a.name.clone())))
            .collect();
        (items, y.where_.is_some())
    });
    assert_eq!(
        spec,
        Some((vec![("label".to_string(), Some("l".to_string()))], true))
    );
    let q = single("CALL db.labels");
    assert!(matches!(q.clauses.first(), Some(Clause::Call(c)) if c.args.is_none()));
}

#[test]
fn explain_profile_and_schema() {
    assert!(matches!(
        parse_statement("EXPLAIN MATCH (n) RETURN n"),
        Ok(Statement::Explain(_))
    ));
    assert!(matches!(
        parse_statement("profile RETURN 1"),
        Ok(Statement::Profile(_))
    ));
    let schema = |t: &str| match parse_statement(t) {
        Ok(Statement::Schema(s)) => Some(s),
        _ => None,
    };
    assert!(matches!(
        schema("CREATE INDEX person_name IF NOT EXISTS FOR (p:Person) ON (p.name)"),
        Some(SchemaCommand::CreateIndex {
            name: Some(_),
            if_not_exists: true,
            ..
        })
    ));
    assert!(matches!(
        schema("CREATE INDEX ON :Person(name)"),
        Some(SchemaCommand::CreateIndex { label, key, .. }) if label.name == "Person" && key.name == "name"
    ));
    assert!(matches!(
        schema("CREATE CONSTRAINT FOR (p:Person) REQUIRE p.id IS UNIQUE"),
        Some(SchemaCommand::CreateUniqueConstraint { name: None, .. })
    ));
    assert!(matches!(
        schema("DROP INDEX person_name IF EXISTS"),
        Some(SchemaCommand::DropIndex {
            if_exists: true,
            ..
        })
    ));
    assert!(matches!(
        schema("DROP CONSTRAINT c"),
        Some(SchemaCommand::DropConstraint { .. })
    ));
    assert!(matches!(
        schema("SHOW INDEXES"),
        Some(SchemaCommand::ShowIndexes)
    ));
    assert!(matches!(
        schema("show constraints"),
        Some(SchemaCommand::ShowConstraints)
    ));
}

#[test]
fn where_patterns_exists_and_shortest_path() {
    let q = single(
        "MATCH (a), p = shortestPath((a)-[*]-(b)) WHERE (a)-->() AND EXISTS { (a)-[:T]->(c) WHERE c.x } \
         AND exists((a)<--()) RETURN p",
    );
    let Some(Clause::Match(m)) = q.clauses.first() else {
        panic!("expected MATCH");
    };
    assert_eq!(m.pattern.parts[1].function, PathFunction::SHORTEST_PATH);
    assert_eq!(
        m.where_.as_ref().map(show).as_deref(),
        Some("(And (And (pattern 1) (exists)) (exists (pattern 1)))")
    );
}

#[test]
fn comments_anywhere_and_trailing_semicolon() {
    let q = single("MATCH /* c */ (n) // line\nRETURN n; ");
    assert_eq!(q.clauses.len(), 2);
}

#[test]
fn spans_point_into_the_text() {
    let text = "RETURN  a.b + 1";
    let q = single(text);
    let Some(Clause::Return(p)) = q.clauses.first() else {
        panic!("expected RETURN");
    };
    let span = p.items[0].expr.span;
    assert_eq!(&text[span.start..span.end], "a.b + 1");
}

/// A list or map of constants only is read by the grammar's constant rules; it must be
/// the tree the general rules make of the same text, spans included. A trailing
/// variable sends the same values through the general rules.
#[test]
fn constant_lists_and_maps_parse_as_the_general_rules_do() {
    let values =
        "1, -2, - 3, -9223372036854775808, -1.5, 0x1F, 'a\\'b', \"q\", true, NULL, [], {}, \
                  [1, [-3]], {k: -4, `odd key`: [0.5, {j: 'x'}]}";
    let items = |e: Expr| match e.kind {
        ExprKind::List(items) => items,
        other => panic!("expected a list, got {other:?}"),
    };
    let fast = items(parsed(&format!("[{values}]")));
    let mut general = items(parsed(&format!("[{values}, x]")));
    assert_eq!(general.pop().map(|x| show(&x)), Some("x".to_string()));
    assert_eq!(fast, general);
    // One level down: a constant list inside a list of expressions, and a map.
    let inner = |e: Expr| items(items(e).remove(0));
    let fast = inner(parsed(&format!("[[{values}]]")));
    let mut general = inner(parsed(&format!("[[{values}, x]]")));
    general.pop();
    assert_eq!(fast, general);
    let entries = |e: Expr| match e.kind {
        ExprKind::Map(entries) => entries,
        other => panic!("expected a map, got {other:?}"),
    };
    let fast = entries(parsed("{a: 1, b: -2.5, c: [true, 'x'], d: {e: null}}"));
    let mut general = entries(parsed(
        "{a: 1, b: -2.5, c: [true, 'x'], d: {e: null}, z: x}",
    ));
    general.pop();
    assert_eq!(fast, general);
    // What is not a constant still parses through the general rules.
    assert_eq!(
        show(&parsed("[1, +2, 3 + 4, [5][0]]")),
        "[1 (Plus 2) (Add 3 4) (index [5] 0)]"
    );
}

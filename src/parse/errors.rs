//! Syntax errors in user words: pest's expected-rule sets become phrases such as
//! "expected a relationship pattern or ')'", and a few rules that the grammar cannot
//! express (where a pattern may be used as an expression, where `YIELD *` may stand) are
//! checked on the finished tree.

use pest::error::{ErrorVariant, InputLocation};

use super::Rule;
use crate::ast::*;
use crate::error::{Error, Result};

/// The error for a statement that holds nothing but whitespace and comments.
pub fn empty(text: &str) -> Error {
    Error::syntax("InvalidSyntax", "expected a statement, found nothing").at(text, text.len())
}

/// What a rule stands for, in the words a user would use; `None` for rules that only
/// structure the grammar and would add noise to a message.
fn describe(rule: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        EOI => "the end of the statement",
        statement | query | single_query | explain_statement | profile_statement => "a clause",
        match_clause => "MATCH",
        unwind_clause => "UNWIND",
        with_clause => "WITH",
        return_clause => "RETURN",
        create_clause => "CREATE",
        merge_clause => "MERGE",
        set_clause => "SET",
        remove_clause => "REMOVE",
        delete_clause => "DELETE",
        call_clause => "CALL",
        union_part | UNION => "UNION",
        where_part | WHERE => "WHERE",
        order_part | ORDER => "ORDER BY",
        skip_part | SKIP => "SKIP",
        limit_part | LIMIT => "LIMIT",
        AS => "AS",
        BY => "BY",
        MATCH => "MATCH",
        SET => "SET",
        CREATE => "CREATE",
        merge_action | ON => "ON CREATE or ON MATCH",
        yield_part | YIELD => "YIELD",
        THEN => "THEN",
        WHEN | case_alternative => "WHEN",
        ELSE | case_else => "ELSE",
        END => "END",
        IN => "IN",
        WITH => "WITH",
        NULL => "NULL",
        IS => "IS",
        UNIQUE => "UNIQUE",
        FOR => "FOR",
        REQUIRE => "REQUIRE",
        ASSERT => "ASSERT",
        INDEX | INDEXES => "INDEX",
        CONSTRAINT | CONSTRAINTS => "CONSTRAINT",
        pattern | pattern_part | pattern_element | node_pattern | relationships_pattern => {
            "a pattern such as (n)"
        }
        pattern_chain | relationship_pattern => "a relationship pattern",
        relationship_detail => "'['",
        node_labels | label_expression | label_or | label_and | label_not | label_negation
        | label_any | label_name => "a label such as :Person",
        relationship_types | type_name => "a relationship type such as :KNOWS",
        range_literal => "a length such as *1..3",
        pattern_properties => "a property map",
        expression
        | or_expression
        | xor_expression
        | and_expression
        | not_expression
        | comparison_expression
        | predicate_expression
        | add_expression
        | multiply_expression
        | power_expression
        | unary_expression
        | postfix_expression
        | parenthesized
        | function_call
        | variable_expression
        | slice_from
        | slice_to
        | comprehension_projection => "an expression",
        OR | XOR | AND => "a boolean operator",
        comparison_operator => "a comparison",
        add_operator | multiply_operator => "an operator",
        property_key | symbolic_name | procedure_name | function_name | function_namespace
        | schema_name => "a name",
        variable => "a variable",
        projection_items | projection_item | projection_star => "a column to return",
        sort_item => "an expression to sort by",
        sort_direction => "ASC or DESC",
        set_items | set_property | set_properties_merge | set_properties_replace | set_labels => {
            "a property, a variable or a label to set"
        }
        remove_labels | remove_property => "a property or a label to remove",
        integer_literal => "an integer",
        float_literal => "a number",
        string_literal => "a string",
        list_literal => "a list",
        map_literal | map_entry => "a map such as {key: value}",
        parameter => "a parameter such as $name",
        call_arguments => "arguments in parentheses",
        yield_items | yield_item | yield_star => "a procedure output to yield",
        map_projection_all
        | map_projection_property
        | map_projection_literal
        | map_projection_variable => "a map projection item",
        left_arrow | right_arrow => "an arrow",
        schema_node => "a node pattern such as (n:Label)",
        schema_property => "a property such as n.key",
        _ => return None,
    })
}

/// Rules that mean "the expression could go on here": listed one by one they would drown
/// the message, so together they read "an operator".
fn is_operator(rule: Rule) -> bool {
    use Rule::*;
    matches!(
        rule,
        comparison_operator
            | regex_suffix
            | add_operator
            | multiply_operator
            | AND
            | OR
            | XOR
            | IN
            | IS
            | STARTS
            | ENDS
            | CONTAINS
    )
}

/// Rules that start a clause: three or more of them together read "a clause".
fn is_clause_start(rule: Rule) -> bool {
    use Rule::*;
    matches!(
        rule,
        match_clause
            | unwind_clause
            | with_clause
            | return_clause
            | create_clause
            | merge_clause
            | set_clause
            | remove_clause
            | delete_clause
            | foreach_clause
            | call_clause
            | single_query
            | CALL
            | CREATE
            | DELETE
            | DETACH
            | FOREACH
            | MATCH
            | MERGE
            | OPTIONAL
            | REMOVE
            | RETURN
            | SET
            | UNWIND
            | WITH
    )
}

/// Punctuation worth naming when pest would have accepted it where the text went wrong.
const NAMED_PUNCTUATION: [&str; 7] = [")", "]", "}", ",", "|", ":", "="];

/// Turns a pest failure into a `SyntaxError` with a position and an expectation in words.
pub fn from_pest(text: &str, error: &pest::error::Error<Rule>) -> Error {
    // The token-level attempts are more precise than pest's rule-level location, except
    // when they only record a lookahead (such as the reserved-word check) that looked past
    // the offending word.
    let attempts = error.parse_attempts().filter(|a| {
        let at_whitespace = text
            .get(a.max_position..)
            .and_then(|rest| rest.chars().next())
            .is_some_and(char::is_whitespace);
        !a.expected_tokens().is_empty() && !at_whitespace
    });
    let offset = match (&attempts, error.location.clone()) {
        (Some(a), _) => a.max_position,
        (None, InputLocation::Pos(p)) => p,
        (None, InputLocation::Span((start, _))) => start,
    };
    if let Some((start, what)) = unclosed(text) {
        if offset >= start {
            return Error::syntax("UnexpectedSyntax", format!("{what} is never closed"))
                .at(text, start);
        }
    }
    // A dash-like or otherwise unusual character where an operator belongs (`42 — 41`).
    if let Some(c) = text.get(offset..).and_then(|rest| rest.chars().next()) {
        if !c.is_ascii() && !c.is_alphanumeric() && !c.is_whitespace() {
            return Error::syntax(
                "InvalidUnicodeCharacter",
                format!(
                    "unexpected character '{c}' (U+{:04X}); only ASCII operators are allowed",
                    c as u32
                ),
            )
            .at(text, offset);
        }
    }
    let positives: Vec<Rule> = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let rules: Vec<Rule> = positives;
    let operators = rules.iter().any(|r| is_operator(*r));
    let clauses = rules.iter().filter(|r| is_clause_start(**r)).count() >= 3;
    // Inside FOREACH only clauses that write may follow.
    let reading_clauses = rules
        .iter()
        .any(|r| matches!(r, Rule::match_clause | Rule::MATCH | Rule::single_query));
    let mut words: Vec<String> = Vec::new();
    let mut add = |word: &str| {
        if !words.iter().any(|w| w == word) {
            words.push(word.to_string());
        }
    };
    if let Some(a) = &attempts {
        let tokens: Vec<String> = a.expected_tokens().iter().map(|t| t.to_string()).collect();
        for punctuation in NAMED_PUNCTUATION {
            // After an operand, ':' and '=' are operators (labels, equality), not structure.
            let is_operator_token = matches!(punctuation, ":" | "=");
            // ':' before a label is said as "a label".
            let said_otherwise = punctuation == ":"
                && (rules.contains(&Rule::node_labels) || rules.contains(&Rule::label_expression));
            if tokens.iter().any(|t| t == punctuation)
                && !(operators && is_operator_token)
                && !said_otherwise
            {
                add(&format!("'{punctuation}'"));
            }
        }
    }
    let mut ends_statement = false;
    for rule in &rules {
        if *rule == Rule::EOI {
            ends_statement = true;
            continue;
        }
        // In an expression, `:Label` is one of the operators.
        let part_of_operators =
            operators && matches!(rule, Rule::node_labels | Rule::label_expression);
        // `.key` and `[index]` may follow almost anything; naming them only adds noise.
        let postfix = matches!(
            rule,
            Rule::property_lookup | Rule::index_suffix | Rule::slice_suffix
        );
        if postfix || is_operator(*rule) || part_of_operators || (clauses && is_clause_start(*rule))
        {
            continue;
        }
        if let Some(word) = describe(*rule) {
            add(word);
        }
    }
    if operators {
        add("an operator");
    }
    if clauses && reading_clauses {
        add("a clause such as MATCH, WITH or RETURN");
    } else if clauses {
        add("a clause that writes (CREATE, MERGE, SET, REMOVE, DELETE or FOREACH)");
    }
    if ends_statement {
        add("the end of the statement");
    }
    let found = found_at(text, offset);
    let word_refs: Vec<&str> = words.iter().map(String::as_str).collect();
    let message = if word_refs.is_empty() {
        format!("unexpected {found}")
    } else {
        format!("expected {}, found {found}", join_alternatives(&word_refs))
    };
    Error::syntax("UnexpectedSyntax", message).at(text, offset)
}

/// The start of a string, quoted name or block comment that runs to the end of the text,
/// and what it is.
fn unclosed(text: &str) -> Option<(usize, &'static str)> {
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '\'' | '"' | '`' => {
                let mut closed = false;
                while let Some((_, q)) = chars.next() {
                    if q == '\\' && c != '`' {
                        chars.next();
                    } else if q == c {
                        closed = true;
                        break;
                    }
                }
                if !closed {
                    let what = if c == '`' {
                        "this quoted name"
                    } else {
                        "this string"
                    };
                    return Some((at, what));
                }
            }
            '/' if chars.peek().map(|&(_, n)| n) == Some('/') => {
                for (_, n) in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek().map(|&(_, n)| n) == Some('*') => {
                chars.next();
                let mut closed = false;
                while let Some((_, n)) = chars.next() {
                    if n == '*' && chars.peek().map(|&(_, m)| m) == Some('/') {
                        chars.next();
                        closed = true;
                        break;
                    }
                }
                if !closed {
                    return Some((at, "this comment"));
                }
            }
            _ => {}
        }
    }
    None
}

/// "a, b or c".
fn join_alternatives(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The token at `offset`, for "found …" in a message.
fn found_at(text: &str, offset: usize) -> String {
    let rest = text.get(offset..).unwrap_or_default();
    let token: String = match rest.chars().next() {
        None => return "the end of the input".to_string(),
        Some(c) if c.is_alphanumeric() || c == '_' => rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect(),
        Some(c) => c.to_string(),
    };
    let token: String = token.chars().take(30).collect();
    format!("'{token}'")
}

/// Syntax rules checked on the tree, where the grammar would be much harder to read if it
/// had to express them: a pattern may be an expression only as a predicate (in WHERE or as
/// the argument of `exists`); `YIELD *` only in a query that is nothing but the CALL;
/// UNION and UNION ALL are not mixed;
/// CREATE makes directed relationships of one type and fixed length; MATCH and MERGE do
/// not take a parameter as a property map; DELETE does not take labels; an `EXISTS { }`
/// subquery does not write; `CALL { … } IN TRANSACTIONS` is not nested in a subquery.
pub fn check_statement(text: &str, statement: &Statement) -> Result<()> {
    match statement {
        Statement::Query(query) => check_query(text, query),
        Statement::Timed(timed) => {
            check_query(text, &timed.query)?;
            check_reads_only(text, &timed.query, timed.as_of.is_some())
        }
        Statement::Explain(inner) | Statement::Profile(inner) => check_statement(text, inner),
        Statement::Schema(_) => Ok(()),
    }
}

/// A query that reads the past (`AS OF`) or one instant (`VALID AT`) does not write:
/// the first updating clause, also inside a CALL subquery, is a syntax error there.
fn check_reads_only(text: &str, query: &Query, as_of: bool) -> Result<()> {
    // A CALL { … } IN TRANSACTIONS is refused as a whole when the plan is read
    // (`plan_reading`), also under a caller's AS OF.
    let Some((name, span)) = query.first_update(true) else {
        return Ok(());
    };
    let why = if as_of {
        "AS OF reads the graph as an earlier transaction left it, so the statement cannot write"
    } else {
        "VALID AT reads the graph as it was at an instant, so the statement cannot write"
    };
    Err(
        Error::syntax("InvalidTimeTravelWrite", format!("{why}: found {name}"))
            .at(text, span.start),
    )
}

fn check_query(text: &str, query: &Query) -> Result<()> {
    let mut kinds = query.unions.iter().map(|(all, _)| *all);
    if let Some(first_kind) = kinds.next() {
        if kinds.any(|all| all != first_kind) {
            return Err(Error::syntax(
                "InvalidClauseComposition",
                "UNION and UNION ALL cannot be mixed in one query",
            )
            .at(text, query.span.start));
        }
    }
    check_single(text, &query.first)?;
    for (_, single) in &query.unions {
        check_single(text, single)?;
    }
    Ok(())
}

fn check_single(text: &str, single: &SingleQuery) -> Result<()> {
    let standalone = single.clauses.len() == 1;
    for clause in &single.clauses {
        check_clause(text, clause, standalone)?;
    }
    Ok(())
}

fn check_clause(text: &str, clause: &Clause, standalone: bool) -> Result<()> {
    let projection = |e: &Expr| check_expr(text, e, false);
    match clause {
        Clause::Match(m) => {
            check_no_parameter_maps(text, &m.pattern.parts, "MATCH")?;
            check_pattern(text, &m.pattern)?;
            m.where_.iter().try_for_each(|w| check_expr(text, w, true))
        }
        Clause::Unwind(u) => projection(&u.expr),
        Clause::LoadCsv(l) => projection(&l.source),
        Clause::Foreach(f) => {
            projection(&f.list)?;
            f.clauses
                .iter()
                .try_for_each(|inner| check_clause(text, inner, false))
        }
        Clause::With(p) | Clause::Return(p) => check_projection(text, p),
        Clause::CallSubquery(c) => {
            refuse_nested_in_transactions(text, &c.query)?;
            check_query(text, &c.query)
        }
        Clause::Create(c) => {
            for part in &c.pattern.parts {
                refuse_groups_to_write(text, &part.element, "CREATE")?;
                for rel in part.element.relationships() {
                    check_relationship_to_write(text, rel, "CREATE")?;
                    if rel.direction == Direction::Both {
                        return Err(Error::syntax(
                            "RequiresDirectedRelationship",
                            "CREATE needs a direction for each relationship: use -> or <-",
                        )
                        .at(text, rel.span.start));
                    }
                }
            }
            for part in &c.pattern.parts {
                check_labels_to_write(text, &part.element, "CREATE")?;
            }
            check_pattern(text, &c.pattern)
        }
        Clause::Merge(m) => {
            check_labels_to_write(text, &m.part.element, "MERGE")?;
            refuse_groups_to_write(text, &m.part.element, "MERGE")?;
            for rel in m.part.element.relationships() {
                check_relationship_to_write(text, rel, "MERGE")?;
            }
            check_no_parameter_maps(text, std::slice::from_ref(&m.part), "MERGE")?;
            check_pattern_element(text, &m.part.element)?;
            m.on_create
                .iter()
                .chain(&m.on_match)
                .try_for_each(|s| check_set_item(text, s))
        }
        Clause::Set(s) => s.items.iter().try_for_each(|s| check_set_item(text, s)),
        Clause::Remove(r) => r.items.iter().try_for_each(|item| match item {
            RemoveItem::Property { target, .. } => projection(target),
            RemoveItem::Labels { .. } => Ok(()),
        }),
        Clause::Delete(d) => {
            let label = d
                .exprs
                .iter()
                .find(|e| matches!(e.kind, ExprKind::HasLabels(..)));
            if let Some(e) = label {
                return Err(Error::syntax(
                    "InvalidDelete",
                    "DELETE removes nodes and relationships; to remove a label use REMOVE n:Label",
                )
                .at(text, e.span.start));
            }
            d.exprs.iter().try_for_each(projection)
        }
        Clause::Call(c) => {
            c.args.iter().flatten().try_for_each(projection)?;
            if let Some(y) = &c.yield_ {
                if y.star && !standalone {
                    return Err(Error::syntax(
                        "UnexpectedSyntax",
                        "YIELD * is only allowed when the CALL is the whole query; name the outputs to yield",
                    )
                    .at(text, c.span.start));
                }
                y.where_
                    .iter()
                    .try_for_each(|w| check_expr(text, w, true))?;
            }
            Ok(())
        }
    }
}

fn check_projection(text: &str, p: &Projection) -> Result<()> {
    let projection = |e: &Expr| check_expr(text, e, false);
    p.items.iter().try_for_each(|i| projection(&i.expr))?;
    p.order_by.iter().try_for_each(|s| projection(&s.expr))?;
    p.skip
        .iter()
        .chain(p.limit.iter())
        .try_for_each(projection)?;
    p.where_.iter().try_for_each(|w| check_expr(text, w, true))
}

/// A relationship that CREATE or MERGE writes has exactly one type and no length.
/// CREATE and MERGE give a node the labels they name: a label expression that is not
/// a list of labels says nothing they could write.
fn check_labels_to_write(text: &str, element: &PatternElement, clause: &str) -> Result<()> {
    for node in element.nodes() {
        if let Some(filter) = &node.label_filter {
            return Err(Error::syntax(
                "InvalidLabelExpression",
                format!(
                    "{clause} needs the labels to write, as :A:B or :A&B; `:{filter}` does not name them"
                ),
            )
            .at(text, node.span.start));
        }
    }
    Ok(())
}

/// A quantified path pattern matches paths of many lengths: there is no one path to write.
fn refuse_groups_to_write(text: &str, element: &PatternElement, clause: &str) -> Result<()> {
    match element.groups().next() {
        Some(group) => Err(Error::syntax(
            "InvalidQuantifiedPathPattern",
            format!(
                "{clause} cannot write a quantified path pattern such as `{group}`: write each relationship"
            ),
        )
        .at(text, group.span.start)),
        None => Ok(()),
    }
}

fn check_relationship_to_write(text: &str, rel: &RelationshipPattern, clause: &str) -> Result<()> {
    // With no type but a variable, the relationship may be one bound earlier, which the
    // binder reports as VariableAlreadyBound; it also reports the missing type otherwise.
    let missing_type = rel.types.is_empty() && rel.variable.is_none();
    if rel.types.len() > 1 || missing_type {
        return Err(Error::syntax(
            "NoSingleRelationshipType",
            format!("{clause} needs exactly one type for each relationship, such as [:KNOWS]"),
        )
        .at(text, rel.span.start));
    }
    if rel.length.is_some() {
        return Err(Error::syntax(
            "CreatingVarLength",
            format!("{clause} cannot write a variable-length relationship; remove the *"),
        )
        .at(text, rel.span.start));
    }
    Ok(())
}

/// MATCH and MERGE compare properties one by one, so a parameter cannot stand for the map.
fn check_no_parameter_maps(text: &str, parts: &[PatternPart], clause: &str) -> Result<()> {
    for part in parts {
        let mut maps = Vec::new();
        property_maps(&part.element, &mut maps);
        if let Some(param) = maps
            .into_iter()
            .find(|e| matches!(e.kind, ExprKind::Parameter(_)))
        {
            return Err(Error::syntax(
                "InvalidParameterUse",
                format!("{clause} cannot take a parameter as a property map; write {{key: $param.key, …}}"),
            )
            .at(text, param.span.start));
        }
    }
    Ok(())
}

/// The property maps of an element's nodes and relationships, those inside its groups
/// included.
fn property_maps<'e>(element: &'e PatternElement, out: &mut Vec<&'e Expr>) {
    out.extend(element.nodes().filter_map(|n| n.properties.as_deref()));
    out.extend(
        element
            .relationships()
            .filter_map(|r| r.properties.as_deref()),
    );
    for group in element.groups() {
        property_maps(&group.element, out);
    }
}

fn check_set_item(text: &str, item: &SetItem) -> Result<()> {
    match item {
        SetItem::Property { target, value, .. } => {
            check_expr(text, target, false)?;
            check_expr(text, value, false)
        }
        SetItem::Properties { value, .. } => check_expr(text, value, false),
        SetItem::Labels { .. } => Ok(()),
    }
}

fn check_pattern(text: &str, pattern: &Pattern) -> Result<()> {
    pattern
        .parts
        .iter()
        .try_for_each(|p| check_pattern_element(text, &p.element))
}

fn check_pattern_element(text: &str, element: &PatternElement) -> Result<()> {
    let mut maps = Vec::new();
    property_maps(element, &mut maps);
    for props in maps {
        check_expr(text, props, false)?;
    }
    for group in element.groups() {
        if let Some(w) = &group.where_ {
            check_expr(text, w, true)?;
        }
    }
    Ok(())
}

/// `predicate` is true where a pattern may stand as a boolean (inside WHERE).
fn check_expr(text: &str, expr: &Expr, predicate: bool) -> Result<()> {
    let sub = |e: &Expr| check_expr(text, e, predicate);
    match &expr.kind {
        ExprKind::PatternPredicate(element) => {
            if !predicate {
                return Err(Error::syntax(
                    "UnexpectedSyntax",
                    "a pattern can only be used as a predicate (in WHERE or exists(…)); use a pattern comprehension to get its paths",
                )
                .at(text, expr.span.start));
            }
            check_pattern_element(text, element)
        }
        ExprKind::Literal(_)
        | ExprKind::Parameter(_)
        | ExprKind::Variable(_)
        | ExprKind::CountStar => Ok(()),
        ExprKind::List(items) => items.iter().try_for_each(sub),
        ExprKind::Map(entries) => entries.iter().try_for_each(|(_, e)| sub(e)),
        ExprKind::Property(base, _)
        | ExprKind::HasLabels(base, _)
        | ExprKind::LabelMatch(base, _)
        | ExprKind::IsNull(base, _) => sub(base),
        ExprKind::Unary(_, operand) => sub(operand),
        ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
            sub(a)?;
            sub(b)
        }
        ExprKind::Slice(base, from, to) => {
            sub(base)?;
            from.iter().chain(to.iter()).try_for_each(|e| sub(e))
        }
        ExprKind::Compare(first, rest) => {
            sub(first)?;
            rest.iter().try_for_each(|(_, e)| sub(e))
        }
        ExprKind::FunctionCall { name, args, .. } => {
            let is_exists =
                matches!(name.as_slice(), [only] if only.name.eq_ignore_ascii_case("exists"));
            let is_path_function = matches!(name.as_slice(), [only]
                if only.name.eq_ignore_ascii_case("shortestPath") || only.name.eq_ignore_ascii_case("allShortestPaths"));
            if is_exists || is_path_function {
                args.iter().try_for_each(|a| check_expr(text, a, true))
            } else {
                args.iter().try_for_each(sub)
            }
        }
        ExprKind::Case {
            operand,
            whens,
            else_,
        } => {
            operand.iter().try_for_each(|e| sub(e))?;
            whens.iter().try_for_each(|(w, t)| {
                sub(w)?;
                sub(t)
            })?;
            else_.iter().try_for_each(|e| sub(e))
        }
        ExprKind::ListComprehension {
            list,
            predicate: filter,
            projection,
            ..
        } => {
            sub(list)?;
            filter.iter().try_for_each(|e| check_expr(text, e, true))?;
            projection.iter().try_for_each(|e| sub(e))
        }
        ExprKind::PatternComprehension {
            pattern,
            predicate: filter,
            projection,
            ..
        } => {
            check_pattern_element(text, pattern)?;
            filter.iter().try_for_each(|e| check_expr(text, e, true))?;
            sub(projection)
        }
        ExprKind::Quantified {
            list,
            predicate: filter,
            ..
        } => {
            sub(list)?;
            filter.iter().try_for_each(|e| check_expr(text, e, true))
        }
        ExprKind::Reduce {
            init,
            list,
            expr: body,
            ..
        } => {
            sub(init)?;
            sub(list)?;
            sub(body)
        }
        ExprKind::MapProjection { items, .. } => items.iter().try_for_each(|item| match item {
            MapProjectionItem::Literal(_, e) => sub(e),
            _ => Ok(()),
        }),
        ExprKind::Subquery(kind, subquery) => match subquery.as_ref() {
            SubqueryBody::Pattern { pattern, where_ } => {
                check_pattern(text, pattern)?;
                where_.iter().try_for_each(|w| check_expr(text, w, true))
            }
            SubqueryBody::Query(query) => {
                check_subquery_shape(text, *kind, query, expr.span.start)?;
                refuse_nested_in_transactions(text, query)?;
                check_query(text, query)
            }
        },
    }
}

/// `CALL { … } IN TRANSACTIONS` commits as it goes, so it stands only in the statement's
/// own query: not inside a CALL subquery or a subquery expression (`query` is one),
/// whose query runs per row of a query whose transaction is still open.
fn refuse_nested_in_transactions(text: &str, query: &Query) -> Result<()> {
    let nested = query
        .parts()
        .flat_map(|part| &part.clauses)
        .find_map(|clause| match clause {
            Clause::CallSubquery(c) => c.in_transactions.as_ref(),
            _ => None,
        });
    match nested {
        Some(t) => Err(Error::syntax(
            "InvalidClauseComposition",
            "CALL { … } IN TRANSACTIONS cannot be nested inside another subquery: it must stand in the statement's own query",
        )
        .at(text, t.span.start)),
        None => Ok(()),
    }
}

/// What the query of a subquery expression may hold: no writes (as in Neo4j), no
/// UNION (not built yet), and for `COLLECT` a final `RETURN` of exactly one column.
fn check_subquery_shape(text: &str, kind: SubqueryKind, query: &Query, start: usize) -> Result<()> {
    let keyword = kind.keyword();
    let refuse = |message: String, at: usize| {
        Err(Error::syntax("InvalidClauseComposition", message).at(text, at))
    };
    if let Some((_, union)) = query.unions.first() {
        return refuse(
            format!("UNION inside a {keyword} subquery is not supported"),
            union.span.start,
        );
    }
    if let Some(at) = query.first.clauses.iter().find_map(updating_clause_start) {
        return refuse(
            format!(
                "a {keyword} subquery only reads: it cannot CREATE, MERGE, SET, REMOVE or DELETE"
            ),
            at,
        );
    }
    if kind == SubqueryKind::Collect {
        let single_column = matches!(
            query.first.clauses.last(),
            Some(Clause::Return(p)) if !p.star && p.items.len() == 1
        );
        if !single_column {
            return refuse(
                "a COLLECT subquery must end with a RETURN of exactly one column".to_string(),
                start,
            );
        }
    }
    Ok(())
}

/// Where a clause starts, when it writes to the graph.
fn updating_clause_start(clause: &Clause) -> Option<usize> {
    match clause {
        Clause::Create(c) => Some(c.span.start),
        Clause::Merge(m) => Some(m.span.start),
        Clause::Set(s) => Some(s.span.start),
        Clause::Remove(r) => Some(r.span.start),
        Clause::Delete(d) => Some(d.span.start),
        Clause::Foreach(f) => Some(f.span.start),
        Clause::CallSubquery(c) => c
            .query
            .parts()
            .flat_map(|part| &part.clauses)
            .find_map(updating_clause_start),
        _ => None,
    }
}

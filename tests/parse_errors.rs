//! Syntax errors: the TCK detail code, where the error points (line and column), and a
//! message in user words that says what was expected, never a grammar rule's name.

use skein::testing::parse::{parse_expression, parse_statement};
use skein::{Error, ErrorClass};

fn error(text: &str) -> Error {
    match parse_statement(text) {
        Err(e) => e,
        Ok(s) => panic!("{text}: expected an error, parsed {s:?}"),
    }
}

/// (detail, line, column, message)
fn summary(text: &str) -> (String, usize, usize, String) {
    let e = error(text);
    assert_eq!(e.class, ErrorClass::SyntaxError, "{text}");
    let (line, column) = e.position.map_or((0, 0), |p| (p.line, p.column));
    (e.detail, line, column, e.message)
}

#[test]
fn missing_closing_parenthesis_names_what_may_follow() {
    let (detail, line, column, message) = summary("MATCH (a)-[r:T]->(b RETURN a");
    assert_eq!((detail.as_str(), line, column), ("UnexpectedSyntax", 1, 21));
    assert_eq!(
        message,
        "expected ')', a label such as :Person, a property map or WHERE, found 'RETURN'"
    );
}

#[test]
fn misspelt_clause() {
    let (detail, line, column, message) = summary("MATCH (a)\nRETRUN a");
    assert_eq!((detail.as_str(), line, column), ("UnexpectedSyntax", 2, 1));
    assert!(
        message.contains("a clause such as MATCH, WITH or RETURN"),
        "{message}"
    );
    assert!(message.contains("a relationship pattern"), "{message}");
    assert!(message.ends_with("found 'RETRUN'"), "{message}");
}

#[test]
fn missing_pattern_and_unfinished_list() {
    assert_eq!(
        summary("MATCH RETURN 1"),
        (
            "UnexpectedSyntax".into(),
            1,
            7,
            "expected a pattern such as (n), found 'RETURN'".into()
        )
    );
    assert_eq!(
        summary("RETURN [1, 2"),
        (
            "UnexpectedSyntax".into(),
            1,
            13,
            "expected ']', ',' or an operator, found the end of the input".into()
        )
    );
    let (_, _, _, message) = summary("RETURN CASE WHEN 1 THEN 2");
    assert_eq!(
        message,
        "expected ELSE, END, WHEN or an operator, found the end of the input"
    );
}

#[test]
fn messages_never_show_rule_names() {
    let texts = [
        "MATCH (a)-[r:T RETURN a",
        "MATCH (n) RETURN n ORDER n",
        "MATCH (n:) RETURN n",
        "UNWIND [1] x RETURN x",
        "CREATE (a)-[:T]->",
        "RETURN {a 1}",
        "WITH 1 AS x RETURN x ORDER BY",
        "",
        "   // only a comment",
    ];
    for text in texts {
        let message = error(text).message;
        assert!(
            !message.contains('_') && message.starts_with("expected"),
            "{text}: {message}"
        );
    }
}

#[test]
fn unclosed_strings_names_and_comments_point_at_their_start() {
    assert_eq!(
        summary("RETURN 'abc"),
        (
            "UnexpectedSyntax".into(),
            1,
            8,
            "this string is never closed".into()
        )
    );
    assert_eq!(summary("RETURN `a").3, "this quoted name is never closed");
    assert_eq!(summary("RETURN 1 /* x").2, 10);
}

#[test]
fn malformed_lists_and_maps_are_unexpected_syntax() {
    for text in [
        "RETURN [, ] AS literal",
        "RETURN [[[]] AS literal",
        "RETURN {1B2c3e67:1} AS literal",
        "RETURN {k1#k: 1} AS literal",
        "RETURN {k1.k: 1} AS literal",
        "RETURN {1} AS literal",
        "RETURN {{}} AS literal",
        "RETURN 9223372#54775808 AS literal",
    ] {
        assert_eq!(error(text).detail, "UnexpectedSyntax", "{text}");
    }
}

#[test]
fn number_literal_errors() {
    let at = |text: &str| {
        let (detail, _, column, _) = summary(text);
        (detail, column)
    };
    assert_eq!(
        at("RETURN 9223372036854775808 AS literal"),
        ("IntegerOverflow".into(), 8)
    );
    assert_eq!(
        at("RETURN -9223372036854775809 AS literal"),
        ("IntegerOverflow".into(), 8)
    );
    assert_eq!(
        at("RETURN 0x8000000000000000 AS literal"),
        ("IntegerOverflow".into(), 8)
    );
    assert_eq!(
        at("RETURN 0o1000000000000000000000"),
        ("IntegerOverflow".into(), 8)
    );
    assert_eq!(
        at("RETURN 0x AS literal"),
        ("InvalidNumberLiteral".into(), 8)
    );
    assert_eq!(
        at("RETURN 0x1A2b3j4D5E6f7"),
        ("InvalidNumberLiteral".into(), 8)
    );
    assert_eq!(
        at("RETURN 9223372h54775808"),
        ("InvalidNumberLiteral".into(), 8)
    );
    assert_eq!(at("RETURN 1.34E999"), ("FloatingPointOverflow".into(), 8));
    assert!(parse_statement("RETURN -0x8000000000000000 AS literal").is_ok());
}

#[test]
fn unicode_errors() {
    let (detail, _, column, _) = summary("RETURN '\\uH'");
    assert_eq!((detail.as_str(), column), ("InvalidUnicodeLiteral", 9));
    let (detail, _, column, message) = summary("RETURN 42 — 41");
    assert_eq!((detail.as_str(), column), ("InvalidUnicodeCharacter", 11));
    assert!(message.contains("U+2014"), "{message}");
}

#[test]
fn relationship_length_errors() {
    for text in [
        "MATCH (a)-[:LIKES..]->(c) RETURN c",
        "MATCH (a)-[:LIKES*-2]->(c) RETURN c",
    ] {
        assert_eq!(error(text).detail, "InvalidRelationshipPattern", "{text}");
    }
}

#[test]
fn writing_patterns_are_checked() {
    let detail = |text: &str| error(text).detail;
    assert_eq!(
        detail("CREATE (a)-[:FOO]-(b)"),
        "RequiresDirectedRelationship"
    );
    assert_eq!(
        detail("CREATE (a)<-[:FOO]->(b)"),
        "RequiresDirectedRelationship"
    );
    assert_eq!(detail("CREATE ()-[:A|:B]->()"), "NoSingleRelationshipType");
    assert_eq!(detail("CREATE ()-[]->()"), "NoSingleRelationshipType");
    assert_eq!(detail("CREATE ()-[:FOO*2]->()"), "CreatingVarLength");
    assert_eq!(detail("MERGE (a)-[:FOO*2]->(b)"), "CreatingVarLength");
    assert_eq!(detail("MATCH (n $param) RETURN n"), "InvalidParameterUse");
    assert_eq!(
        detail("MERGE (a)-[r:FOO $param]->(b) RETURN r"),
        "InvalidParameterUse"
    );
    assert!(parse_statement("CREATE (n $param) RETURN n").is_ok());
    // A typeless relationship with a variable may be a bound one: the binder decides.
    assert!(parse_statement("MATCH ()-[r]->() CREATE ()-[r]->()").is_ok());
}

#[test]
fn clause_composition_checks() {
    let detail = |text: &str| error(text).detail;
    assert_eq!(
        detail("RETURN 1 AS a UNION RETURN 2 AS a UNION ALL RETURN 3 AS a"),
        "InvalidClauseComposition"
    );
    assert_eq!(
        detail("MATCH (n) WHERE exists { MATCH (n)-->(m) SET m.prop = 'fail' } RETURN n"),
        "InvalidClauseComposition"
    );
    assert_eq!(detail("MATCH (n) DELETE n:Person"), "InvalidDelete");
    assert_eq!(
        detail("CALL test.my.proc('Stefan', 1) YIELD * RETURN city"),
        "UnexpectedSyntax"
    );
    assert!(parse_statement("CALL test.my.proc('Stefan', 1) YIELD *").is_ok());
}

#[test]
fn patterns_are_predicates_only() {
    let e = error("MATCH (n) RETURN (n)-[]->()");
    assert_eq!(e.detail, "UnexpectedSyntax");
    assert_eq!(e.position.map(|p| p.column), Some(18));
    assert_eq!(
        error("MATCH (n) SET n.prop = head(nodes(head((n)-[:REL]->()))).foo").detail,
        "UnexpectedSyntax"
    );
    assert!(parse_statement("MATCH (n) WHERE (n)-->() RETURN n").is_ok());
    assert!(parse_statement("MATCH (n) RETURN exists((n)-->()) AS b").is_ok());
    assert!(parse_statement("MATCH (n) RETURN [(n)-->(m) | m] AS ms").is_ok());
}

#[test]
fn errors_render_with_a_caret() {
    let text = "MATCH (n)\nRETURN n +";
    let rendered = error(text).render(text);
    assert!(
        rendered.ends_with("(line 2, column 11)\n  RETURN n +\n            ^"),
        "{rendered}"
    );
}

#[test]
fn expression_entry_point_reports_too() {
    let e = parse_expression("1 +").err();
    assert_eq!(e.map(|e| e.detail).as_deref(), Some("UnexpectedSyntax"));
    assert!(parse_expression("{a: [1, 2.5, 'x', null, true]}").is_ok());
}

#[test]
fn long_operator_chains_are_bounded() {
    let chain = |n: usize| format!("RETURN 1{}", " + 1".repeat(n));
    assert!(parse_statement(&chain(400)).is_ok());
    let e = error(&chain(600));
    assert_eq!(e.detail, "InvalidSyntax");
    assert!(e.message.contains("at most 500"), "{}", e.message);
    let ors = format!(
        "MATCH (n) WHERE n.id = 0{} RETURN n",
        " OR n.id = 1".repeat(300)
    );
    assert!(parse_statement(&ors).is_ok());
}

//! Label expressions as Neo4j 5 writes them: `:A|B`, `:A&B`, `:!A`, `:%`, grouped with
//! parentheses, in node patterns (MATCH, OPTIONAL MATCH, pattern predicates and
//! comprehensions) and as predicates (`WHERE n:A|B`); on a relationship a label
//! expression tests its type. CREATE and MERGE refuse what does not name labels.

use skein::{Database, ErrorClass, Params};

mod common;
use common::rows_text as run;

/// Nodes numbered 1 to 5: :A, :B, :A:B, no label, :C; 1 and 3 point at 5.
fn graph() -> Database {
    let db = Database::open_temporary().expect("temporary database");
    run(
        &db,
        "CREATE (a:A {n: 1}), (:B {n: 2}), (ab:A:B {n: 3}), ({n: 4}), (c:C {n: 5}), \
         (a)-[:R]->(c), (ab)-[:S]->(c)",
    );
    db
}

#[test]
fn node_patterns_take_label_expressions() {
    let db = graph();
    for (labels, expected) in [
        ("A|B", vec!["1", "2", "3"]),
        ("A&B", vec!["3"]),
        ("A:B", vec!["3"]),
        ("!A", vec!["2", "4", "5"]),
        ("%", vec!["1", "2", "3", "5"]),
        ("!%", vec!["4"]),
        ("(A|B)&!C", vec!["1", "2", "3"]),
        ("A&!B", vec!["1"]),
        ("!!A", vec!["1", "3"]),
        ("A|:C", vec!["1", "3", "5"]),
    ] {
        let query = format!("MATCH (x:{labels}) RETURN x.n ORDER BY x.n");
        assert_eq!(run(&db, &query), expected, "{query}");
    }
}

#[test]
fn anonymous_and_far_nodes_are_tested_too() {
    let db = graph();
    assert_eq!(
        run(&db, "MATCH (:A|B)-->(y:!A) RETURN y.n ORDER BY y.n"),
        ["5", "5"]
    );
    assert_eq!(
        run(&db, "MATCH (x)-->(:B|C) RETURN x.n ORDER BY x.n"),
        ["1", "3"]
    );
    assert_eq!(
        run(&db, "MATCH (x) WHERE (x)-->(:C|B) RETURN x.n ORDER BY x.n"),
        ["1", "3"]
    );
    assert_eq!(
        run(
            &db,
            "MATCH (x:A) OPTIONAL MATCH (x)-->(y:!C) RETURN x.n, y ORDER BY x.n"
        ),
        ["1 | null", "3 | null"]
    );
    assert_eq!(
        run(
            &db,
            "MATCH (x:A) RETURN x.n, [(x)-->(y:C|B) | y.n] AS ys ORDER BY x.n"
        ),
        ["1 | [5]", "3 | [5]"]
    );
}

#[test]
fn predicates_take_label_expressions() {
    let db = graph();
    assert_eq!(
        run(&db, "MATCH (x) WHERE x:A|C RETURN x.n ORDER BY x.n"),
        ["1", "3", "5"]
    );
    assert_eq!(
        run(&db, "MATCH (x) WHERE x:!A&!B RETURN x.n ORDER BY x.n"),
        ["4", "5"]
    );
    assert_eq!(
        run(&db, "MATCH (x) RETURN x.n, x:%|B AS labelled ORDER BY x.n"),
        ["1 | true", "2 | true", "3 | true", "4 | false", "5 | true"]
    );
    // On a relationship a label expression tests the type.
    assert_eq!(
        run(
            &db,
            "MATCH ()-[r]->() RETURN type(r), r:R|T, r:!R, r:% ORDER BY type(r)"
        ),
        ["'R' | true | false | true", "'S' | false | true | true"]
    );
    assert_eq!(run(&db, "RETURN null:A|B AS n"), ["null"]);
}

#[test]
fn a_bar_in_a_list_comprehension_still_starts_its_projection() {
    let db = graph();
    assert_eq!(
        run(
            &db,
            "MATCH (x) WITH collect(x) AS xs \
             RETURN [y IN xs WHERE y:A | y.n] AS a, [y IN xs WHERE y:A|B | y.n] AS ab"
        ),
        ["[1, 3] | [1, 2, 3]"]
    );
}

#[test]
fn explain_shows_the_label_test() {
    let db = graph();
    let result = db
        .execute("EXPLAIN MATCH (x:A&(B|C)) RETURN x", &Params::new())
        .expect("explain");
    let plan = result.plan.expect("a plan");
    assert!(plan.contains("Filter x:A&(B|C)"), "{plan}");
    assert!(plan.contains("NodeByLabelScan (x:A) on :A"), "{plan}");
}

#[test]
fn writes_refuse_what_does_not_name_labels() {
    let db = graph();
    for query in [
        "CREATE (:A|B)",
        "MERGE (x:!A) RETURN x",
        "CREATE (a)-[:R]->(:%)",
    ] {
        let error = db.execute(query, &Params::new()).expect_err("refused");
        assert_eq!(error.class, ErrorClass::SyntaxError, "{query}: {error}");
        assert!(
            error.message.contains("needs the labels to write"),
            "{query}: {error}"
        );
        assert!(error.position.is_some(), "{query}: {error}");
    }
    // A conjunction names them.
    assert_eq!(run(&db, "CREATE (x:D&E) RETURN labels(x)"), ["['D', 'E']"]);
}

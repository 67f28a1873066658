//! Quantified relationships and path selectors as Neo4j 5 writes them:
//! `-[:R]->{2}`, `{1,3}`, `{2,}`, `{,2}`, `+`, `*` (the variable lengths `*2`, `*1..3`, …),
//! and `SHORTEST 1`, `ANY SHORTEST`, `ANY`, `ALL SHORTEST`, `SHORTEST 1 GROUPS`, `ALL`
//! before a pattern (shortestPath / allShortestPaths / every path); more than one
//! path or group per pair is in `engine_path_selectors.rs`.

use skein::{Database, ErrorClass, Params};

mod common;
use common::rows_text as run;

/// 1 → 2 → 3 → 4 and 1 → 5 → 4.
fn graph() -> Database {
    let db = Database::open_temporary().expect("database");
    run(
        &db,
        "CREATE (a:P {n: 1})-[:R]->(:P {n: 2})-[:R]->(:P {n: 3})-[:R]->(d:P {n: 4}), \
         (a)-[:R]->(:P {n: 5})-[:R]->(d)",
    );
    db
}

#[test]
fn quantifiers_are_variable_lengths() {
    let db = graph();
    for (quantifier, same_as) in [
        ("{2}", "*2"),
        ("{1,2}", "*1..2"),
        ("{2,}", "*2.."),
        ("{,1}", "*0..1"),
        ("+", "*1.."),
        ("*", "*0.."),
    ] {
        let quantified = run(
            &db,
            &format!("MATCH (:P {{n: 1}})-[:R]->{quantifier}(y) RETURN y.n ORDER BY y.n"),
        );
        let variable = run(
            &db,
            &format!("MATCH (:P {{n: 1}})-[:R{same_as}]->(y) RETURN y.n ORDER BY y.n"),
        );
        assert_eq!(quantified, variable, "{quantifier} against {same_as}");
        assert!(!quantified.is_empty(), "{quantifier}");
    }
    assert_eq!(
        run(
            &db,
            "MATCH (:P {n: 1})-[r:R]->{2}(y) RETURN y.n, size(r) ORDER BY y.n"
        ),
        ["3 | 2", "4 | 2"]
    );
    assert_eq!(
        run(&db, "MATCH (x:P) WHERE (x)-[:R]->{3}(:P) RETURN x.n"),
        ["1"]
    );
}

#[test]
fn path_selectors_choose_shortest_paths() {
    let db = graph();
    let from_to = "(:P {n: 1})-[:R]->+(:P {n: 4})";
    for (selector, expected) in [
        ("SHORTEST 1", vec!["2"]),
        ("ANY SHORTEST", vec!["2"]),
        ("ANY", vec!["2"]),
        ("ALL SHORTEST", vec!["2"]),
        ("SHORTEST 1 GROUPS", vec!["2"]),
        ("ALL", vec!["2", "3"]),
        ("SHORTEST 1 PATH", vec!["2"]),
    ] {
        let query = format!("MATCH p = {selector} {from_to} RETURN length(p) ORDER BY length(p)");
        assert_eq!(run(&db, &query), expected, "{query}");
    }
    // Two shortest paths of length 2 once 1 → 6 → 4 exists.
    run(
        &db,
        "MATCH (a:P {n: 1}), (d:P {n: 4}) CREATE (a)-[:R]->(:P {n: 6})-[:R]->(d)",
    );
    assert_eq!(
        run(
            &db,
            &format!("MATCH p = ALL SHORTEST {from_to} RETURN count(p)")
        ),
        ["2"]
    );
    assert_eq!(
        run(
            &db,
            &format!("MATCH p = SHORTEST 1 {from_to} RETURN count(p)")
        ),
        ["1"]
    );
}

#[test]
fn what_is_not_supported_or_wrong_says_so_with_its_place() {
    let db = graph();
    for (query, words) in [
        (
            "MATCH (a)-[:R*]->{2}(b) RETURN a",
            "cannot also be quantified",
        ),
        (
            "MATCH (a)-[:R]->{3,2}(b) RETURN a",
            "lower bound 3 is above its upper bound 2",
        ),
        (
            "MATCH p = SHORTEST 1 shortestPath((a)-[:R*]->(b)) RETURN p",
            "cannot be combined with shortestPath",
        ),
    ] {
        let error = db.execute(query, &Params::new()).expect_err("refused");
        assert_eq!(error.class, ErrorClass::SyntaxError, "{query}: {error}");
        assert!(error.message.contains(words), "{query}: {error}");
        assert!(error.position.is_some(), "{query}: {error}");
    }
}

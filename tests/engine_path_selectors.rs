//! The GQL path selectors that keep more than one path per pair of start and end
//! nodes: `SHORTEST k` (k paths in order of length) and `SHORTEST k GROUPS` (every
//! path whose length is among the k smallest), over trails: a path repeats no
//! relationship, but may pass a node twice.

use skein::{Database, ErrorClass, Params};

mod common;
use common::rows_text as run;

/// From a to d: a → d (1); a → b → d, a → c → d (2); a → b → c → d (3);
/// a → e → f → g → d (4). x stands alone.
fn graph() -> Database {
    let db = Database::open_temporary().expect("database");
    run(
        &db,
        "CREATE (a:N {n: 'a'}), (b:N {n: 'b'}), (c:N {n: 'c'}), (d:N {n: 'd'}), \
         (e:N {n: 'e'}), (f:N {n: 'f'}), (g:N {n: 'g'}), (:N {n: 'x'}), \
         (a)-[:R]->(d), (a)-[:R]->(b), (b)-[:R]->(d), (a)-[:R]->(c), (c)-[:R]->(d), \
         (b)-[:R]->(c), (a)-[:R]->(e), (e)-[:R]->(f), (f)-[:R]->(g), (g)-[:R]->(d)",
    );
    db
}

/// The paths `selector` keeps from a to d over `-[:R]->{quantifier}`, as the names of
/// their nodes, in the order they come.
fn paths(db: &Database, selector: &str, quantifier: &str) -> Vec<String> {
    run(
        db,
        &format!(
            "MATCH p = {selector} (:N {{n: 'a'}})-[:R]->{quantifier}(:N {{n: 'd'}}) \
             RETURN reduce(s = '', x IN nodes(p) | s + x.n)"
        ),
    )
}

fn sorted(mut rows: Vec<String>) -> Vec<String> {
    rows.sort();
    rows
}

#[test]
fn shortest_k_keeps_k_paths_in_order_of_length() {
    let db = graph();
    assert_eq!(paths(&db, "SHORTEST 1", "+"), ["'ad'"]);
    // A tie at length 2: one of the two, the same one every time.
    let two = paths(&db, "SHORTEST 2", "+");
    assert_eq!(two.len(), 2);
    assert_eq!(two[0], "'ad'");
    assert!(["'abd'", "'acd'"].contains(&two[1].as_str()), "{two:?}");
    assert_eq!(paths(&db, "SHORTEST 2", "+"), two);
    assert_eq!(paths(&db, "SHORTEST 3", "+"), ["'ad'", "'acd'", "'abd'"]);
    assert_eq!(
        paths(&db, "SHORTEST 4", "+"),
        ["'ad'", "'acd'", "'abd'", "'abcd'"]
    );
    // More than there are: every path, and no more.
    assert_eq!(
        paths(&db, "SHORTEST 10", "+"),
        ["'ad'", "'acd'", "'abd'", "'abcd'", "'aefgd'"]
    );
    // ANY k: any k paths will do, and the shortest are some.
    assert_eq!(paths(&db, "ANY 3", "+"), ["'ad'", "'acd'", "'abd'"]);
}

#[test]
fn the_quantifier_bounds_the_lengths() {
    let db = graph();
    assert_eq!(paths(&db, "SHORTEST 2", "{3,}"), ["'abcd'", "'aefgd'"]);
    assert_eq!(
        sorted(paths(&db, "SHORTEST 5", "{2,3}")),
        ["'abcd'", "'abd'", "'acd'"]
    );
    assert_eq!(paths(&db, "SHORTEST 5", "{5,}"), Vec::<String>::new());
    assert_eq!(paths(&db, "SHORTEST 3 GROUPS", "{,1}"), ["'ad'"]);
}

#[test]
fn shortest_k_groups_keeps_every_path_of_the_k_smallest_lengths() {
    let db = graph();
    assert_eq!(
        sorted(paths(&db, "SHORTEST 2 GROUPS", "+")),
        ["'abd'", "'acd'", "'ad'"]
    );
    assert_eq!(
        run(
            &db,
            "MATCH p = SHORTEST 3 GROUPS (:N {n: 'a'})-[:R]->+(:N {n: 'd'}) \
             RETURN length(p), count(*) ORDER BY length(p)"
        ),
        ["1 | 1", "2 | 2", "3 | 1"]
    );
    assert_eq!(
        run(
            &db,
            "MATCH p = SHORTEST 9 PATHS GROUPS (:N {n: 'a'})-[:R]->+(:N {n: 'd'}) \
             RETURN length(p), count(*) ORDER BY length(p)"
        ),
        ["1 | 1", "2 | 2", "3 | 1", "4 | 1"]
    );
    assert_eq!(
        sorted(paths(&db, "SHORTEST 1 GROUPS", "{2,}")),
        ["'abd'", "'acd'"]
    );
    // The count of groups may be left out (one), GROUP is GROUPS.
    assert_eq!(paths(&db, "SHORTEST GROUPS", "{2,}").len(), 2);
    assert_eq!(paths(&db, "SHORTEST 2 PATH GROUP", "+").len(), 3);
}

#[test]
fn unreachable_pairs_have_no_paths() {
    let db = graph();
    for query in [
        "MATCH p = SHORTEST 3 (:N {n: 'a'})-[:R]->+(:N {n: 'x'}) RETURN p",
        "MATCH p = SHORTEST 3 (:N {n: 'd'})-[:R]->+(:N {n: 'a'}) RETURN p",
        "MATCH p = SHORTEST 2 GROUPS (:N {n: 'x'})-[:R]-+(:N {n: 'a'}) RETURN p",
    ] {
        assert_eq!(run(&db, query), Vec::<String>::new(), "{query}");
    }
}

#[test]
fn the_selector_applies_per_pair_of_start_and_end() {
    let db = graph();
    // From a: 5 paths to d, 2 to c (a→c, a→b→c); from b: 2 to d, 1 to c.
    assert_eq!(
        run(
            &db,
            "MATCH p = SHORTEST 3 (s:N)-[:R]->+(t:N) \
             WHERE s.n IN ['a', 'b'] AND t.n IN ['c', 'd'] \
             RETURN s.n, t.n, collect(length(p)) ORDER BY s.n, t.n"
        ),
        [
            "'a' | 'c' | [1, 2]",
            "'a' | 'd' | [1, 2, 2]",
            "'b' | 'c' | [1]",
            "'b' | 'd' | [1, 2]",
        ]
    );
    assert_eq!(
        run(
            &db,
            "MATCH p = SHORTEST 1 GROUPS (s:N {n: 'a'})-[:R]->+(t:N) \
             RETURN t.n, count(p) ORDER BY t.n"
        ),
        ["'b' | 1", "'c' | 1", "'d' | 1", "'e' | 1", "'f' | 1", "'g' | 1"]
    );
}

#[test]
fn paths_are_trails_a_node_may_come_twice_a_relationship_not() {
    let db = Database::open_temporary().expect("database");
    // a → b → d, and a loop b → c → b.
    run(
        &db,
        "CREATE (a:N {n: 'a'})-[:R]->(b:N {n: 'b'})-[:R]->(:N {n: 'd'}), \
         (b)-[:R]->(c:N {n: 'c'})-[:R]->(b), (a)-[:S]->(b)",
    );
    let query = |selector: &str, pattern: &str| {
        run(
            &db,
            &format!(
                "MATCH p = {selector} (:N {{n: 'a'}}){pattern}(:N {{n: 'd'}}) \
                 RETURN reduce(s = '', x IN nodes(p) | s + x.n), \
                 [r IN relationships(p) | type(r)]"
            ),
        )
    };
    assert_eq!(
        query("SHORTEST 5", "-[:R]->+"),
        ["'abd' | ['R', 'R']", "'abcbd' | ['R', 'R', 'R', 'R']"]
    );
    assert_eq!(
        sorted(query("SHORTEST 3 GROUPS", "-[:R|S]->+")),
        [
            "'abcbd' | ['R', 'R', 'R', 'R']",
            "'abcbd' | ['S', 'R', 'R', 'R']",
            "'abd' | ['R', 'R']",
            "'abd' | ['S', 'R']",
        ]
    );
    // Both ways: a -R- b and back -S- is a trail, twice over one relationship is not:
    // a–b by R or S, then around the loop b–c–b either way, or not.
    assert_eq!(
        sorted(run(
            &db,
            "MATCH p = SHORTEST 9 (:N {n: 'a'})-[:R|S]-+(:N {n: 'b'}) \
             RETURN length(p), type(relationships(p)[0]), \
             [x IN nodes(p) | x.n] = ['a', 'b', 'c', 'b']"
        )),
        [
            "1 | 'R' | false",
            "1 | 'S' | false",
            "3 | 'R' | true",
            "3 | 'R' | true",
            "3 | 'S' | true",
            "3 | 'S' | true",
        ]
    );
}

#[test]
fn the_relationship_variable_is_the_list_of_the_paths_relationships() {
    let db = graph();
    assert_eq!(
        run(
            &db,
            "MATCH SHORTEST 2 GROUPS (:N {n: 'a'})-[r:R]->+(:N {n: 'd'}) \
             RETURN size(r) ORDER BY size(r)"
        ),
        ["1", "2", "2"]
    );
    assert_eq!(
        run(
            &db,
            "MATCH p = SHORTEST 2 (:N {n: 'a'})-[r:R]->+(:N {n: 'd'}) \
             RETURN relationships(p) = r"
        ),
        ["true", "true"]
    );
}

#[test]
fn explain_shows_the_selector() {
    let db = graph();
    let plan = db
        .execute(
            "EXPLAIN MATCH p = SHORTEST 3 GROUPS (a:N {n: 'a'})-[:R]->+(b:N {n: 'd'}) RETURN p",
            &Params::new(),
        )
        .expect("plan")
        .plan
        .unwrap_or_default();
    assert!(plan.contains("Shortest k=3 groups (a)..(b)"), "{plan}");
}

#[test]
fn a_selector_of_no_paths_is_refused_where_it_is_written() {
    let db = graph();
    for query in [
        "MATCH p = SHORTEST 0 (a)-[:R]->+(b) RETURN p",
        "MATCH p = ANY 0 (a)-[:R]->+(b) RETURN p",
        "MATCH p = SHORTEST 0 GROUPS (a)-[:R]->+(b) RETURN p",
    ] {
        let error = db.execute(query, &Params::new()).expect_err("refused");
        assert_eq!(error.class, ErrorClass::SyntaxError, "{query}: {error}");
        assert!(
            error.message.contains("needs at least 1 path, got 0"),
            "{query}: {error}"
        );
        assert_eq!(
            error.position.map(|p| p.column),
            Some(11),
            "{query}: {error}"
        );
    }
}

#[test]
fn a_selector_is_written_as_neo4j_writes_it() {
    let db = graph();
    for query in [
        "MATCH p = SHORTEST (a)-[:R]->+(b) RETURN p",
        "MATCH p = SHORTEST 2 GROUPS PATHS (a)-[:R]->+(b) RETURN p",
        "MATCH p = SHORTEST 2 PATHS PATHS (a)-[:R]->+(b) RETURN p",
    ] {
        let error = db.execute(query, &Params::new()).expect_err("refused");
        assert_eq!(error.class, ErrorClass::SyntaxError, "{query}: {error}");
        assert!(error.position.is_some(), "{query}: {error}");
    }
}

#[test]
fn the_where_of_the_match_chooses_among_paths_before_the_selector_counts() {
    let db = graph();
    let from_to = "(s:N {n: 'a'})-[r:R]->+(t:N {n: 'd'})";
    let names = "reduce(x = '', y IN nodes(p) | x + y.n)";
    for (selector, predicate, expected) in [
        ("SHORTEST 2", "length(p) > 1", vec!["'abd'", "'acd'"]),
        ("SHORTEST 1", "length(p) >= 3", vec!["'abcd'"]),
        ("ANY SHORTEST", "size(r) = 4", vec!["'aefgd'"]),
        (
            "SHORTEST 3 GROUPS",
            "none(x IN nodes(p) WHERE x.n = 'c')",
            vec!["'abd'", "'ad'", "'aefgd'"],
        ),
        ("ALL SHORTEST", "length(p) > 1", vec!["'abd'", "'acd'"]),
        ("SHORTEST 3", "length(p) > 9", vec![]),
    ] {
        let query = format!("MATCH p = {selector} {from_to} WHERE {predicate} RETURN {names}");
        assert_eq!(sorted(run(&db, &query)), expected, "{query}");
    }
    // shortestPath(…) reads its WHERE the same way.
    assert_eq!(
        run(
            &db,
            &format!(
                "MATCH p = shortestPath((s:N {{n: 'a'}})-[r:R*]->(t:N {{n: 'd'}})) \
                 WHERE none(x IN nodes(p) WHERE x.n IN ['b', 'c']) AND size(r) > 1 RETURN {names}"
            )
        ),
        ["'aefgd'"]
    );
    // A WHERE after WITH filters the paths the selector kept.
    assert_eq!(
        run(
            &db,
            &format!("MATCH p = SHORTEST 1 {from_to} WITH p WHERE length(p) > 1 RETURN p")
        ),
        Vec::<String>::new()
    );
    let plan = db
        .execute(
            &format!("EXPLAIN MATCH p = SHORTEST 2 {from_to} WHERE length(p) > 1 RETURN p"),
            &Params::new(),
        )
        .expect("plan")
        .plan
        .unwrap_or_default();
    assert!(
        plan.contains("Shortest k=2 (s)..(t) WHERE length(p) > 1"),
        "{plan}"
    );
}

#[test]
fn a_search_that_would_keep_too_many_paths_stops_with_an_error() {
    let db = Database::open_temporary().expect("database");
    // Every pair of 7 nodes both ways: more trails than a search may keep, none of
    // them longer than 42.
    run(
        &db,
        "UNWIND range(0, 6) AS i CREATE (:K {i: i}) WITH count(*) AS made \
         MATCH (a:K), (b:K) WHERE a <> b CREATE (a)-[:R]->(b)",
    );
    let query =
        "MATCH p = SHORTEST 1 (a:K {i: 0})-[:R]->+(b:K {i: 1}) WHERE length(p) > 50 RETURN p";
    let error = db.execute(query, &Params::new()).expect_err("refused");
    assert_eq!(error.class, ErrorClass::TransactionError, "{error}");
    assert!(error.message.contains("partial paths"), "{error}");
    assert_eq!(error.position.map(|p| p.column), Some(7), "{error}");
}

//! Quantified path patterns over groups, as Neo4j 5 writes them:
//! `(x) ((a)-[r:R]->(b) WHERE …){1,3} (y)`. The group's first node is the node before it,
//! each iteration's last node the next one's first, the last iteration's last node the
//! node after it (no iteration: the two are one node). Outside the group its variables
//! are lists, one element per iteration. A match uses no relationship twice, across the
//! group's iterations and the rest of the pattern. The last test compares groups of one
//! relationship with the quantified relationships they equal on random graphs.

use skein::{Database, ErrorClass, Params};

mod common;
mod model_runner;
use common::rows_text as run;

/// 1 → 2 → 3 → 4 and 1 → 5 → 4, each relationship with a weight `w`.
fn graph() -> Database {
    let db = Database::open_temporary().expect("database");
    run(
        &db,
        "CREATE (a:P {n: 1})-[:R {w: 2}]->(:P {n: 2})-[:R {w: 1}]->(:P {n: 3})-[:R {w: 3}]->(d:P {n: 4}), \
         (a)-[:R {w: 5}]->(:P {n: 5})-[:R {w: 4}]->(d)",
    );
    db
}

#[test]
fn each_quantifier_repeats_the_group_as_often_as_it_says() {
    let db = graph();
    // From node 1: one hop reaches 2 and 5, two reach 3 and 4, three reach 4.
    for (quantifier, ends) in [
        ("{1}", vec!["2", "5"]),
        ("{2}", vec!["3", "4"]),
        ("{3}", vec!["4"]),
        ("{1,2}", vec!["2", "3", "4", "5"]),
        ("{2,}", vec!["3", "4", "4"]),
        ("{,1}", vec!["1", "2", "5"]),
        ("+", vec!["2", "3", "4", "4", "5"]),
        ("*", vec!["1", "2", "3", "4", "4", "5"]),
        ("{4,}", vec![]),
    ] {
        let group = run(
            &db,
            &format!("MATCH (:P {{n: 1}}) ((a)-[:R]->(b)){quantifier} (y) RETURN y.n ORDER BY y.n"),
        );
        assert_eq!(group, ends, "{quantifier}");
        let relationship = run(
            &db,
            &format!("MATCH (:P {{n: 1}})-[:R]->{quantifier}(y) RETURN y.n ORDER BY y.n"),
        );
        assert_eq!(
            group, relationship,
            "{quantifier} as a quantified relationship"
        );
    }
}

#[test]
fn group_variables_are_lists_of_one_element_per_iteration() {
    let db = graph();
    assert_eq!(
        run(
            &db,
            "MATCH (x:P {n: 1}) ((a)-[r:R]->(b)){2} (y) \
             RETURN [n IN a | n.n] AS a, [q IN r | q.w] AS w, [n IN b | n.n] AS b, size(r), \
             a[0].n = x.n AS first, b[-1].n = y.n AS last ORDER BY b"
        ),
        [
            "[1, 2] | [2, 1] | [2, 3] | 2 | true | true",
            "[1, 5] | [5, 4] | [5, 4] | 2 | true | true"
        ]
    );
    // Each iteration's last node is the next one's first.
    assert_eq!(
        run(
            &db,
            "MATCH (:P {n: 1}) ((a)-[:R]->(b)){3} () \
             RETURN all(i IN range(0, 1) WHERE b[i] = a[i + 1]) AS joined"
        ),
        ["true"]
    );
    // Later clauses see lists too.
    assert_eq!(
        run(
            &db,
            "MATCH (:P {n: 1}) ((a)-[:R]->(b)){3} () WITH b UNWIND b AS stop RETURN stop.n"
        ),
        ["2", "3", "4"]
    );
}

#[test]
fn a_group_may_hold_several_relationships() {
    let db = Database::open_temporary().expect("database");
    // 1 -R-> 2 -S-> 3 -R-> 4 -S-> 5, and 1 -R-> 6 -R-> 7.
    run(
        &db,
        "CREATE (a:N {n: 1})-[:R]->(:N {n: 2})-[:S]->(:N {n: 3})-[:R]->(:N {n: 4})-[:S]->(:N {n: 5}), \
         (a)-[:R]->(:N {n: 6})-[:R]->(:N {n: 7})",
    );
    assert_eq!(
        run(
            &db,
            "MATCH p = (:N {n: 1}) ((a)-[:R]->(m)-[:S]->(b)){1,2} (y) \
             RETURN y.n, [n IN m | n.n] AS m, length(p) ORDER BY y.n"
        ),
        ["3 | [2] | 2", "5 | [2, 4] | 4"]
    );
    // The group's pattern is matched whole: 1 -R-> 6 -R-> 7 is no iteration.
    assert_eq!(
        run(
            &db,
            "MATCH (x) ((a)-[:R]->(m)-[:S]->(b)){2} (y) RETURN x.n, y.n"
        ),
        ["1 | 5"]
    );
    // Two groups side by side, and a group next to a quantified relationship.
    assert_eq!(
        run(
            &db,
            "MATCH (:N {n: 1}) ((a)-[:R]->(b)){1} ((c)-[:S]->(d)){1} (y) RETURN y.n"
        ),
        ["3"]
    );
    assert_eq!(
        run(
            &db,
            "MATCH (:N {n: 1})-[:R]->{1}(m) ((c)-[:S]->(d)-[:R]->(e)){1} (y)-[:S]->(z) \
             RETURN m.n, y.n, z.n"
        ),
        ["2 | 4 | 5"]
    );
}

#[test]
fn the_groups_where_and_node_patterns_test_each_iteration() {
    let db = graph();
    // Every relationship of the walk weighs more than 1.
    assert_eq!(
        run(
            &db,
            "MATCH (:P {n: 1}) ((a)-[r:R]->(b) WHERE r.w > 1)+ (y) RETURN y.n ORDER BY y.n"
        ),
        ["2", "4", "5"]
    );
    // The WHERE compares the iteration's own nodes.
    assert_eq!(
        run(
            &db,
            "MATCH (:P {n: 1}) ((a)-[:R]->(b) WHERE b.n = a.n + 1)+ (y) RETURN y.n ORDER BY y.n"
        ),
        ["2", "3", "4"]
    );
    // A node pattern inside the group, with a label expression and properties.
    run(&db, "MATCH (n:P) WHERE n.n IN [2, 3] SET n:Open");
    assert_eq!(
        run(
            &db,
            "MATCH (:P {n: 1}) ((a)-[:R]->(b:Open|Q)){1,3} (y) RETURN y.n ORDER BY y.n"
        ),
        ["2", "3"]
    );
    assert_eq!(
        run(
            &db,
            "MATCH (:P {n: 1}) ((a)-[:R {w: 2}]->(b {n: 2})){1,3} (y) RETURN y.n"
        ),
        ["2"]
    );
    // The WHERE may read variables of earlier clauses.
    assert_eq!(
        run(
            &db,
            "MATCH (stop:P {n: 3}) MATCH (:P {n: 1}) ((a)-[:R]->(b) WHERE b <> stop)+ (y) \
             RETURN y.n ORDER BY y.n"
        ),
        ["2", "4", "5"]
    );
    // And hold a subquery over the iteration's nodes.
    assert_eq!(
        run(
            &db,
            "MATCH (:P {n: 1}) ((a)-[:R]->(b) WHERE EXISTS { (b)-[:R]->(:P {n: 4}) }){1} (y) \
             RETURN y.n ORDER BY y.n"
        ),
        ["5"]
    );
}

#[test]
fn nodes_beside_a_group_are_its_first_and_last_nodes() {
    let db = graph();
    // The node before the group must also match the group's first node pattern, the
    // node after it the last node pattern of the last iteration.
    assert_eq!(
        run(
            &db,
            "MATCH (x) ((a {n: 1})-[:R]->(b)){1} (y:P {n: 5}) RETURN x.n, y.n"
        ),
        ["1 | 5"]
    );
    assert_eq!(
        run(
            &db,
            "MATCH (x:P {n: 2}) ((a {n: 1})-[:R]->(b)){1} (y) RETURN x.n"
        ),
        Vec::<String>::new()
    );
    // With no iteration the two nodes are one and match both patterns.
    run(&db, "MATCH (n:P {n: 4}) SET n:End");
    assert_eq!(
        run(
            &db,
            "MATCH (x:P) ((a)-[:R]->(b)){0,1} (y:End) RETURN x.n, y.n, size(a) ORDER BY x.n"
        ),
        ["3 | 4 | 1", "4 | 4 | 0", "5 | 4 | 1"]
    );
    // A bound node after the group: the walks that end there.
    assert_eq!(
        run(
            &db,
            "MATCH (y:End) MATCH (x:P {n: 1}) ((a)-[:R]->(b))* (y) RETURN size(a) ORDER BY size(a)"
        ),
        ["2", "3"]
    );
    // Planned from the node after the group (found by an index seek), the lists still
    // read in the pattern's order.
    run(&db, "CREATE INDEX FOR (e:End) ON (e.n)");
    let query = "MATCH (x:P {n: 1}) ((a)-[:R]->(b)){2,3} (y:End {n: 4}) \
                 RETURN [n IN a | n.n] AS a ORDER BY a";
    assert_eq!(run(&db, query), ["[1, 2, 3]", "[1, 5]"]);
    let plan = db
        .execute(&format!("EXPLAIN {query}"), &Params::new())
        .expect("plan")
        .plan
        .unwrap_or_default();
    assert!(plan.contains("NodeIndexSeek (y:End {n: 4})"), "{plan}");
    assert!(plan.contains("from (y)"), "{plan}");
}

#[test]
fn a_named_path_holds_every_hop() {
    let db = graph();
    assert_eq!(
        run(
            &db,
            "MATCH p = (x:P {n: 1})-[:R]->(m) ((a)-[:R]->(b)){1,2} (y) \
             RETURN length(p), [n IN nodes(p) | n.n] AS nodes ORDER BY nodes"
        ),
        ["2 | [1, 2, 3]", "3 | [1, 2, 3, 4]", "2 | [1, 5, 4]"]
    );
    assert_eq!(
        run(
            &db,
            "MATCH p = (:P {n: 1}) ((a)-[:R]->(b))* (y:P {n: 1}) RETURN length(p), nodes(p)[0].n"
        ),
        ["0 | 1"]
    );
}

#[test]
fn a_match_uses_no_relationship_twice() {
    let db = Database::open_temporary().expect("database");
    // A cycle 1 → 2 → 3 → 1.
    run(
        &db,
        "CREATE (a:C {n: 1})-[:R]->(:C {n: 2})-[:R]->(:C {n: 3})-[:R]->(a)",
    );
    // `+` is bounded by the relationships: once round the cycle and no more.
    assert_eq!(
        run(
            &db,
            "MATCH (:C {n: 1}) ((a)-[:R]->(b))+ (y) RETURN size(a), y.n ORDER BY size(a)"
        ),
        ["1 | 2", "2 | 3", "3 | 1"]
    );
    // Nor does the rest of the pattern reuse the group's relationships.
    assert_eq!(
        run(
            &db,
            "MATCH (:C {n: 1}) ((a)-[:R]->(b))+ (y)-[:R]->(z) RETURN size(a), z.n ORDER BY size(a)"
        ),
        ["1 | 3", "2 | 1"]
    );
    // Two groups split the walks between them.
    assert_eq!(
        run(
            &db,
            "MATCH (:C {n: 1}) ((a)-->(b))+ (m) ((c)-->(d))+ (y) \
             RETURN size(a), size(c) ORDER BY size(a), size(c)"
        ),
        ["1 | 1", "1 | 2", "2 | 1"]
    );
    // Another part of the pattern uses none of them either.
    assert_eq!(
        run(
            &db,
            "MATCH (:C {n: 1}) ((a)-[r]->(b))+ (y), ()-[s]->() RETURN count(*)"
        ),
        ["3"]
    );
    // Under a selector a walk may come back to where it started: the shortest cycle.
    assert_eq!(
        run(
            &db,
            "MATCH p = SHORTEST 1 (x:C {n: 1}) ((a)-[:R]->(b))+ (x) RETURN length(p)"
        ),
        ["3"]
    );
    // A relationship the group's iterations share with the relationship before it.
    assert_eq!(
        run(
            &db,
            "MATCH (x:C {n: 1})-[s:R]->() ((a)-[:R]->(b)){3} (y) RETURN count(*)"
        ),
        ["0"]
    );
}

#[test]
fn optional_match_and_subqueries_take_groups() {
    let db = graph();
    assert_eq!(
        run(
            &db,
            "MATCH (x:P {n: 4}) OPTIONAL MATCH (x) ((a)-[:R]->(b))+ (y) RETURN x.n, a, y"
        ),
        ["4 | null | null"]
    );
    assert_eq!(
        run(
            &db,
            "MATCH (x:P) RETURN x.n, COUNT { (x) ((a)-[:R]->(b)){1,3} (y) } AS walks ORDER BY x.n"
        ),
        ["1 | 5", "2 | 2", "3 | 1", "4 | 0", "5 | 1"]
    );
    assert_eq!(
        run(
            &db,
            "MATCH (x:P) WHERE EXISTS { (x) ((a)-[:R]->(b)){3} (:P {n: 4}) } RETURN x.n"
        ),
        ["1"]
    );
}

/// Stations and the stops of two trains: each stop calls at a station and the next
/// stop of its train follows it.
fn railway() -> Database {
    let db = Database::open_temporary().expect("database");
    run(
        &db,
        "CREATE (ash:Station {name: 'Ashford'}), (bra:Station {name: 'Bramley'}), \
         (cra:Station {name: 'Crane'}), (dun:Station {name: 'Dunmore'}), (elm:Station {name: 'Elm'}), \
         (s1:Stop {departs: '09:00'})-[:CALLS_AT]->(ash), \
         (s2:Stop {arrives: '09:10', departs: '09:12'})-[:CALLS_AT]->(bra), \
         (s3:Stop {arrives: '09:25', departs: '09:26'})-[:CALLS_AT]->(cra), \
         (s4:Stop {arrives: '09:40'})-[:CALLS_AT]->(dun), \
         (t1:Stop {departs: '09:05'})-[:CALLS_AT]->(ash), \
         (t2:Stop {arrives: '09:20', departs: '09:21'})-[:CALLS_AT]->(elm), \
         (t3:Stop {arrives: '09:35'})-[:CALLS_AT]->(dun), \
         (s1)-[:NEXT {km: 3.0}]->(s2)-[:NEXT {km: 4.5}]->(s3)-[:NEXT {km: 2.5}]->(s4), \
         (t1)-[:NEXT {km: 6.0}]->(t2)-[:NEXT {km: 5.0}]->(t3)",
    );
    db
}

#[test]
fn trains_from_ashford_to_dunmore() {
    let db = railway();
    let from_to = "MATCH (:Station {name: 'Ashford'})<-[:CALLS_AT]-(d:Stop) \
                   ((:Stop)-[n:NEXT]->(:Stop)){1,3} \
                   (a:Stop)-[:CALLS_AT]->(:Station {name: 'Dunmore'})";
    // Both trains: 9:00 over three legs (3 + 4.5 + 2.5 km), 9:05 over two (6 + 5 km).
    assert_eq!(
        run(
            &db,
            &format!(
                "{from_to} RETURN d.departs, a.arrives, size(n) AS legs, \
                 reduce(km = 0.0, leg IN n | km + leg.km) AS km ORDER BY d.departs"
            )
        ),
        [
            "'09:00' | '09:40' | 3 | 10.0",
            "'09:05' | '09:35' | 2 | 11.0"
        ]
    );
    // Only legs under 5 km: the 9:05's first leg is 6 km.
    assert_eq!(
        run(
            &db,
            "MATCH (:Station {name: 'Ashford'})<-[:CALLS_AT]-(d:Stop) \
             ((x:Stop)-[n:NEXT]->(y:Stop) WHERE n.km < 5){1,3} \
             (a:Stop)-[:CALLS_AT]->(:Station {name: 'Dunmore'}) \
             RETURN d.departs, [s IN y | s.arrives] AS arrivals"
        ),
        ["'09:00' | ['09:10', '09:25', '09:40']"]
    );
    // The fewest legs from Ashford to Dunmore.
    assert_eq!(
        run(
            &db,
            "MATCH (d:Stop)-[:CALLS_AT]->(:Station {name: 'Ashford'}), \
                   (a:Stop)-[:CALLS_AT]->(:Station {name: 'Dunmore'}) \
             MATCH p = SHORTEST 1 (d) ((x:Stop)-[:NEXT]->(y:Stop))+ (a) \
             RETURN d.departs, length(p)"
        ),
        ["'09:00' | 3", "'09:05' | 2"]
    );
}

#[test]
fn path_selectors_take_a_group() {
    let db = graph();
    let from_to = "(x:P {n: 1}) ((a)-[r:R]->(b))+ (y:P {n: 4})";
    for (selector, expected) in [
        ("SHORTEST 1", vec!["2 | [5]"]),
        ("ANY SHORTEST", vec!["2 | [5]"]),
        ("ALL SHORTEST", vec!["2 | [5]"]),
        ("SHORTEST 2", vec!["2 | [5]", "3 | [2, 3]"]),
        ("SHORTEST 2 GROUPS", vec!["2 | [5]", "3 | [2, 3]"]),
        ("ALL", vec!["2 | [5]", "3 | [2, 3]"]),
    ] {
        let query = format!(
            "MATCH p = {selector} {from_to} \
             RETURN length(p), [n IN b | n.n][..-1] AS via ORDER BY length(p)"
        );
        assert_eq!(run(&db, &query), expected, "{query}");
    }
    // The WHERE chooses among the walks before the selector counts them.
    assert_eq!(
        run(
            &db,
            &format!(
                "MATCH p = SHORTEST 1 {from_to} WHERE all(q IN r WHERE q.w < 5) \
                 RETURN [n IN nodes(p) | n.n]"
            )
        ),
        ["[1, 2, 3, 4]"]
    );
    // Unreachable: no row, found without growing any walk.
    assert_eq!(
        run(
            &db,
            "MATCH p = SHORTEST 1 (:P {n: 4}) ((a)-[:R]->(b))+ (:P {n: 1}) RETURN p"
        ),
        Vec::<String>::new()
    );
    let plan = db
        .execute(
            &format!("EXPLAIN MATCH p = SHORTEST 2 {from_to} WHERE length(p) > 2 RETURN p"),
            &Params::new(),
        )
        .expect("plan")
        .plan
        .unwrap_or_default();
    assert!(
        plan.contains("Repeat(Trail) SHORTEST 2 (x)((a)-[r:R]->(b))+(y) WHERE length(p) > 2"),
        "{plan}"
    );
}

#[test]
fn a_search_that_would_hold_too_much_stops_with_an_error() {
    let db = Database::open_temporary().expect("database");
    // Every pair of 7 nodes both ways: more walks than a selector's search may keep.
    run(
        &db,
        "UNWIND range(0, 6) AS i CREATE (:K {i: i}) WITH count(*) AS made \
         MATCH (a:K), (b:K) WHERE a <> b CREATE (a)-[:R]->(b)",
    );
    let query = "MATCH p = SHORTEST 1 (a:K {i: 0}) ((x)-[:R]->(y))+ (b:K {i: 1}) \
                 WHERE length(p) > 50 RETURN p";
    let error = db.execute(query, &Params::new()).expect_err("refused");
    assert_eq!(error.class, ErrorClass::TransactionError, "{error}");
    assert_eq!(error.detail, "PathSearchTooLarge", "{error}");
    assert!(error.message.contains("partial walks"), "{error}");
    assert_eq!(error.position.map(|p| p.column), Some(35), "{error}");

    // A chain longer than a depth-first walk may hold at once.
    run(&db, "UNWIND range(0, 140000) AS i CREATE (:Chain {i: i})");
    run(
        &db,
        "MATCH (a:Chain), (b:Chain) WHERE b.i = a.i + 1 CREATE (a)-[:R]->(b)",
    );
    let query = "MATCH (:Chain {i: 0}) ((a)-[:R]->(b)){140000} (y) RETURN y.i";
    let error = db.execute(query, &Params::new()).expect_err("refused");
    assert_eq!(error.detail, "PathSearchTooLarge", "{error}");
    assert!(error.message.contains("iterations at once"), "{error}");
}

#[test]
fn what_cannot_be_written_says_so_with_its_place() {
    let db = graph();
    for (query, detail, words, column) in [
        (
            "MATCH (x) ((a)-->(b)){1,2} (y) WHERE a.n = 1 RETURN x",
            "VariableTypeConflict",
            "`a` is a group variable",
            38,
        ),
        (
            "MATCH (x) ((a)-->(b)){1,2} (y {n: b.n}) RETURN x",
            "VariableTypeConflict",
            "`b` is a group variable",
            35,
        ),
        (
            "MATCH (x) ((a)-->(b)){1,2} (y) MATCH (a)-->(c) RETURN c",
            "VariableTypeConflict",
            "`a` is a group variable",
            39,
        ),
        (
            "MATCH (x) ((a)-[r]->(b)){2} (y) MATCH ()-[r]->() RETURN r",
            "VariableTypeConflict",
            "`r` is a group variable",
            43,
        ),
        (
            "MATCH (x) ((a)-->(b)){1,2} (a) RETURN x",
            "VariableTypeConflict",
            "`a` is a group variable",
            29,
        ),
        (
            "MATCH (a) MATCH (x) ((a)-->(b)){1,2} (y) RETURN x",
            "VariableAlreadyBound",
            "variables of a quantified path pattern are new",
            23,
        ),
        (
            "MATCH (x) ((a)-[r]->(b)){2} (y)-[r]->(z) RETURN x",
            "RelationshipUniquenessViolation",
            "used twice",
            34,
        ),
        (
            "MATCH (x) ((a)-->(b) WHERE b.n > x.n){1,2} (y) RETURN x",
            "UndefinedVariable",
            "`x` is bound by the same pattern",
            34,
        ),
        (
            "MATCH (x) ((a)){1,2} (y) RETURN x",
            "InvalidQuantifiedPathPattern",
            "at least one relationship",
            11,
        ),
        (
            "MATCH (x) ((a)-[:R]->+(b)){1,2} (y) RETURN x",
            "InvalidQuantifiedPathPattern",
            "cannot be quantified",
            15,
        ),
        (
            "MATCH (x) ((a) ((c)-->(d)){2} (b)){1,2} (y) RETURN x",
            "InvalidQuantifiedPathPattern",
            "cannot be nested",
            16,
        ),
        (
            "MATCH (x) ((a)-->(b)) (y) RETURN x",
            "InvalidQuantifiedPathPattern",
            "needs a quantifier",
            11,
        ),
        (
            "MATCH ((a)-->(b)){0,3} RETURN a",
            "InvalidQuantifiedPathPattern",
            "at least one node",
            7,
        ),
        (
            "MATCH (x) ((a)-->(b)){3,1} (y) RETURN x",
            "InvalidRelationshipPattern",
            "lower bound 3 is above its upper bound 1",
            22,
        ),
        (
            "CREATE (x) ((a)-[:R]->(b)){2} (y)",
            "InvalidQuantifiedPathPattern",
            "CREATE cannot write a quantified path pattern",
            12,
        ),
        (
            "MERGE (x) ((a)-[:R]->(b)){2} (y)",
            "InvalidQuantifiedPathPattern",
            "MERGE cannot write a quantified path pattern",
            11,
        ),
        (
            "MATCH p = SHORTEST 1 (x) ((a)-->(b))+ (m)-->(y) RETURN p",
            "InvalidShortestPathPattern",
            "one quantified path pattern, between two nodes",
            7,
        ),
    ] {
        let error = db.execute(query, &Params::new()).expect_err(query);
        assert_eq!(error.class, ErrorClass::SyntaxError, "{query}: {error}");
        assert_eq!(error.detail, detail, "{query}: {error}");
        assert!(error.message.contains(words), "{query}: {error}");
        let at = error.position.map(|p| (p.line, p.column));
        assert_eq!(at, Some((1, column)), "{query}: {error}");
    }
}

/// The equivalence of `((a)-[r:R]->(b)){m,n}` with `-[r:R]->{m,n}`, on random graphs.
mod model {
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::TestCaseError;

    #[derive(Clone, Debug)]
    struct Case {
        nodes: usize,
        /// (from, to, type R or S)
        rels: Vec<(usize, usize, bool)>,
        min: u64,
        /// `None`: no upper bound.
        max: Option<u64>,
        undirected: bool,
    }

    fn case() -> impl Strategy<Value = Case> {
        (2usize..6)
            .prop_flat_map(|nodes| {
                (
                    Just(nodes),
                    prop::collection::vec((0..nodes, 0..nodes, any::<bool>()), 0..9),
                    0u64..3,
                    prop::option::of(0u64..3),
                    any::<bool>(),
                )
            })
            .prop_map(|(nodes, rels, min, extra, undirected)| Case {
                nodes,
                rels,
                min,
                max: extra.map(|e| min + e),
                undirected,
            })
    }

    fn sorted(mut rows: Vec<String>) -> Vec<String> {
        rows.sort();
        rows
    }

    fn check(case: &Case) -> Result<(), String> {
        let db = Database::open_temporary().map_err(|e| e.to_string())?;
        let query = |q: &str| -> Result<Vec<String>, String> {
            db.execute(q, &Params::new())
                .map(|r| sorted(common::texts(&r)))
                .map_err(|e| format!("{q}: {e}"))
        };
        query(&format!(
            "UNWIND range(0, {}) AS i CREATE (:N {{id: i}})",
            case.nodes - 1
        ))?;
        for (from, to, r) in &case.rels {
            let ty = if *r { "R" } else { "S" };
            query(&format!(
                "MATCH (a:N {{id: {from}}}), (b:N {{id: {to}}}) CREATE (a)-[:{ty}]->(b)"
            ))?;
        }
        let quantifier = match case.max {
            Some(max) => format!("{{{},{max}}}", case.min),
            None => format!("{{{},}}", case.min),
        };
        let right = if case.undirected { "-" } else { "->" };
        let group = format!("((a)-[r:R]{right}(b)){quantifier}");
        let relationship = format!("-[r:R]{right}{quantifier}");
        let shown = "x.id, y.id, [q IN r | id(q)]";
        for (by_group, by_relationship) in [
            // From every node.
            (
                format!("MATCH (x:N) {group} (y:N) RETURN {shown}"),
                format!("MATCH (x:N){relationship}(y:N) RETURN {shown}"),
            ),
            // Planned from the node after the group.
            (
                format!("MATCH (y:N) MATCH (x) {group} (y) RETURN {shown}"),
                format!("MATCH (y:N) MATCH (x){relationship}(y) RETURN {shown}"),
            ),
            // The count of walks, and a named path over them.
            (
                format!("MATCH p = (x:N) {group} (y) RETURN x.id, y.id, length(p), count(*)"),
                format!("MATCH p = (x:N){relationship}(y) RETURN x.id, y.id, length(p), count(*)"),
            ),
        ] {
            let (left, right) = (query(&by_group)?, query(&by_relationship)?);
            if left != right {
                return Err(format!(
                    "{case:?}\n{by_group}\n  {left:?}\n{by_relationship}\n  {right:?}"
                ));
            }
        }
        Ok(())
    }

    #[test]
    fn groups_of_one_relationship_match_as_quantified_relationships() {
        let mut runner = model_runner::runner(48, file!());
        let result = runner.run(&case(), |case| check(&case).map_err(TestCaseError::fail));
        if let Err(e) = result {
            panic!("{e}");
        }
    }
}

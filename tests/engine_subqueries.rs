//! Subqueries in expressions (pattern predicates, `EXISTS { … }`, pattern
//! comprehensions, `shortestPath(…)`): binding finds what each one takes from its scope,
//! the planner plans it before the statement runs, on a row of exactly those variables,
//! and places it only once they are bound; EXPLAIN and PROFILE show its plan.

use skein::{Database, Params, Value};

const GRAPH: &str = "CREATE (a1:A {n: 1}), (a2:A {n: 2}), (b1:B {n: 1}), (b2:B {n: 2}), \
                     (a1)-[:R]->(b1), (a2)-[:S]->(a1)";

fn db() -> Database {
    let db = Database::open_temporary().expect("temporary database");
    run(&db, GRAPH);
    db
}

fn run(db: &Database, query: &str) -> Vec<Vec<Value>> {
    match db.execute(query, &Params::new()) {
        Ok(r) => r.rows,
        Err(e) => panic!("{query}: {e}"),
    }
}

/// The rows in literal text, one string per row.
fn text(rows: &[Vec<Value>]) -> Vec<String> {
    rows.iter()
        .map(|r| {
            r.iter()
                .map(Value::to_string)
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect()
}

fn ints(rows: &[Vec<Value>]) -> Vec<Vec<i64>> {
    rows.iter()
        .map(|r| {
            r.iter()
                .map(|v| match v {
                    Value::Int(i) => *i,
                    other => panic!("expected an integer, got {other:?}"),
                })
                .collect()
        })
        .collect()
}

#[test]
fn exists_waits_for_a_variable_bound_by_a_later_pattern_part() {
    let db = db();
    // The subquery mentions `b`, bound by the second part: it must not run before it.
    let rows = run(
        &db,
        "MATCH (a:A), (b:B) WHERE EXISTS { MATCH (a)-->(b) } RETURN a.n, b.n ORDER BY a.n, b.n",
    );
    assert_eq!(ints(&rows), vec![vec![1, 1]]);
    let rows = run(
        &db,
        "MATCH (a:A), (b:B) WHERE EXISTS { MATCH (a)-->(c) WHERE c = b } \
         RETURN a.n, b.n ORDER BY a.n, b.n",
    );
    assert_eq!(ints(&rows), vec![vec![1, 1]]);
    let rows = run(
        &db,
        "MATCH (a:A), (b:B) WHERE NOT EXISTS { (a)-->(b) } RETURN a.n, b.n ORDER BY a.n, b.n",
    );
    assert_eq!(ints(&rows), vec![vec![1, 2], vec![2, 1], vec![2, 2]]);
}

#[test]
fn exists_function_on_a_pattern_asks_whether_it_matches() {
    let db = db();
    let rows = run(
        &db,
        "MATCH (a:A) RETURN a.n, exists((a)-[:R]->()) AS r, exists(a.n) AS n ORDER BY a.n",
    );
    assert_eq!(text(&rows), ["1 | true | true", "2 | false | true"]);
}

#[test]
fn comprehension_and_shortest_path_see_outer_and_local_variables() {
    let db = db();
    let rows = run(
        &db,
        "MATCH (a:A) WITH a, 10 AS k \
         RETURN a.n, [(a)-->(x) | x.n + k] AS near, \
                [i IN [1, 2] | size([(a)<--(y) WHERE y.n = i | y])] AS back \
         ORDER BY a.n",
    );
    // a1 reaches b1 (n 1); a2 reaches a1 (n 1); a1 is reached from a2 (n 2).
    assert_eq!(text(&rows), ["1 | [11] | [0, 1]", "2 | [11] | [0, 0]"]);
    let rows = run(
        &db,
        "MATCH (a:A {n: 2}), (b:B {n: 1}) RETURN length(shortestPath((a)-[*]->(b))) AS l",
    );
    assert_eq!(ints(&rows), vec![vec![2]]);
}

#[test]
fn explain_and_profile_show_each_subquery_plan() {
    let db = db();
    let query = "MATCH (a:A), (b:B) WHERE EXISTS { MATCH (a)-->(c) WHERE c = b } RETURN a.n";
    let explain = db
        .execute(&format!("EXPLAIN {query}"), &Params::new())
        .expect("explain")
        .plan
        .unwrap_or_default();
    let header = explain
        .lines()
        .find(|l| l.starts_with("Subquery "))
        .unwrap_or_else(|| panic!("no subquery in\n{explain}"));
    // The position is in the statement as written, `EXPLAIN ` included.
    assert_eq!(
        header,
        "Subquery EXISTS { MATCH (a)-->(c) WHERE c = b } at 1:34 on a, b"
    );
    assert!(explain.contains("  Expand (a)-"), "{explain}");
    let profile = db
        .execute(&format!("PROFILE {query}"), &Params::new())
        .expect("profile")
        .plan
        .unwrap_or_default();
    let expand = profile
        .lines()
        .find(|l| l.starts_with("  Expand (a)-"))
        .unwrap_or_else(|| panic!("no subquery expand in\n{profile}"));
    // One run of the subquery per (a, b) row: 2 × 2, of which a1 finds its one
    // relationship twice and a2 its one twice.
    assert!(expand.contains("(rows: 4,"), "{profile}");
}

/// The Neo4j Cypher manual's graph for COUNT and COLLECT subqueries.
const PEOPLE: &str = "CREATE (andy:Swedish:Person {name: 'Andy', age: 36}), \
     (timothy:Person {name: 'Timothy', age: 25}), (peter:Person {name: 'Peter', age: 35}), \
     (andy)-[:HAS_DOG {since: 2016}]->(:Dog {name: 'Andy'}), \
     (timothy)-[:HAS_CAT {since: 2019}]->(:Cat {name: 'Mittens'}), \
     (fido:Dog {name: 'Fido'}), (ozzy:Dog {name: 'Ozzy'}), \
     (peter)-[:HAS_DOG {since: 2018}]->(fido), (peter)-[:HAS_DOG {since: 2019}]->(ozzy), \
     (fido)-[:HAS_TOY]->(:Toy {name: 'Banana'}), (timothy)-[:KNOWS]->(peter), \
     (andy)-[:KNOWS]->(peter)";

fn people() -> Database {
    let db = Database::open_temporary().expect("temporary database");
    run(&db, PEOPLE);
    db
}

fn error(db: &Database, query: &str) -> skein::Error {
    match db.execute(query, &Params::new()) {
        Ok(r) => panic!("{query}: expected an error, got {:?}", r.rows),
        Err(e) => e,
    }
}

#[test]
fn count_subqueries_count_pattern_matches_and_query_rows() {
    let db = people();
    let rows = run(
        &db,
        "MATCH (person:Person) WHERE COUNT { (person)-[:HAS_DOG]->(:Dog) } > 1 \
         RETURN person.name AS name",
    );
    assert_eq!(text(&rows), ["'Peter'"]);
    let rows = run(
        &db,
        "MATCH (person:Person) \
         RETURN person.name AS name, COUNT { (person)-[:HAS_DOG]->(:Dog) } AS howManyDogs \
         ORDER BY name",
    );
    assert_eq!(text(&rows), ["'Andy' | 1", "'Peter' | 2", "'Timothy' | 0"]);
    // A WHERE inside, and a whole query importing an outer variable and a WITH.
    let rows = run(
        &db,
        "MATCH (person:Person) WHERE COUNT { (person)-[r:HAS_DOG]->(:Dog) WHERE r.since > 2017 } = 2 \
         RETURN person.name",
    );
    assert_eq!(text(&rows), ["'Peter'"]);
    let rows = run(
        &db,
        "MATCH (person:Person) \
         WHERE COUNT { WITH 'Ozzy' AS dogName MATCH (person)-[:HAS_DOG]->(d:Dog) \
                       WHERE d.name = dogName } = 1 \
         RETURN person.name AS name",
    );
    assert_eq!(text(&rows), ["'Peter'"]);
    let rows = run(
        &db,
        "MATCH (p:Person {name: 'Peter'}) \
         RETURN COUNT { MATCH (p)-[:HAS_DOG]->(d) RETURN d.name } AS dogs, \
                count(*) AS rows",
    );
    assert_eq!(text(&rows), ["2 | 1"]);
    // `count(…)` is still the aggregate.
    let rows = run(&db, "MATCH (d:Dog) RETURN count(d) AS n");
    assert_eq!(ints(&rows), vec![vec![3]]);
}

#[test]
fn collect_subqueries_make_a_list_of_the_returned_column() {
    let db = people();
    let rows = run(
        &db,
        "MATCH (person:Person) \
         WHERE 'Ozzy' IN COLLECT { MATCH (person)-[:HAS_DOG]->(dog:Dog) RETURN dog.name } \
         RETURN person.name AS name",
    );
    assert_eq!(text(&rows), ["'Peter'"]);
    let rows = run(
        &db,
        "MATCH (person:Person) \
         RETURN person.name AS name, \
                COLLECT { MATCH (person)-[r:HAS_DOG]->(d:Dog) RETURN d.name ORDER BY r.since DESC } \
                AS dogs ORDER BY name",
    );
    assert_eq!(
        text(&rows),
        [
            "'Andy' | ['Andy']",
            "'Peter' | ['Ozzy', 'Fido']",
            "'Timothy' | []"
        ]
    );
}

#[test]
fn subqueries_that_break_the_rules_are_refused_before_running() {
    let db = people();
    for (query, words) in [
        (
            "MATCH (p:Person) RETURN COLLECT { MATCH (p)-->(d) RETURN d.name, d.age } AS x",
            "a COLLECT subquery must end with a RETURN of exactly one column",
        ),
        (
            "MATCH (p:Person) RETURN COLLECT { MATCH (p)-->(d) } AS x",
            "a COLLECT subquery must end with a RETURN of exactly one column",
        ),
        (
            "MATCH (p:Person) RETURN COUNT { MATCH (p)-->(d) SET d.seen = true } AS x",
            "a COUNT subquery only reads",
        ),
        (
            "MATCH (p:Person) RETURN COUNT { MATCH (p)-->(d) RETURN d UNION MATCH (d:Dog) RETURN d } AS x",
            "UNION inside a COUNT subquery is not supported",
        ),
    ] {
        let e = error(&db, query);
        assert_eq!(e.class, skein::ErrorClass::SyntaxError, "{query}: {e}");
        assert!(e.message.contains(words), "{query}: {e}");
        assert!(e.position.is_some(), "{query}: {e}");
    }
    // Nothing ran: no node was marked.
    let rows = run(&db, "MATCH (n) WHERE n.seen RETURN count(n)");
    assert_eq!(ints(&rows), vec![vec![0]]);
}

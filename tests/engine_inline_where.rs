//! `WHERE` inside node and relationship patterns, as Neo4j 5 writes it:
//! `(p:Person WHERE p.age > 30)`, `-[k:KNOWS WHERE k.since < 2000]->`. The condition is
//! added (AND, before the clause's own `WHERE`) to the clause or group whose pattern holds
//! it: MATCH, OPTIONAL MATCH, a quantified group (tested on every iteration), the pattern
//! form of EXISTS/COUNT/COLLECT, and a pattern comprehension. CREATE, MERGE, pattern
//! predicates and repeated relationships refuse it with its position.

use skein::{Database, ErrorClass, Params};

mod common;
use common::rows_text as run;

/// Ann (31) -KNOWS{1999}-> Bob (25) -KNOWS{2010}-> Cid (40) -KNOWS{2001}-> Dee (35).
fn people() -> Database {
    let db = Database::open_temporary().expect("temporary database");
    run(
        &db,
        "CREATE (a:Person {name: 'Ann', age: 31}), (b:Person {name: 'Bob', age: 25}), \
         (c:Person {name: 'Cid', age: 40}), (d:Person {name: 'Dee', age: 35}), \
         (a)-[:KNOWS {since: 1999}]->(b), (b)-[:KNOWS {since: 2010}]->(c), \
         (c)-[:KNOWS {since: 2001}]->(d)",
    );
    db
}

#[test]
fn a_node_condition_filters_the_match() {
    let db = people();
    assert_eq!(
        run(
            &db,
            "MATCH (p:Person WHERE p.age > 30) RETURN p.name ORDER BY p.name"
        ),
        ["'Ann'", "'Cid'", "'Dee'"]
    );
    // With the clause's own WHERE, both hold.
    assert_eq!(
        run(
            &db,
            "MATCH (p:Person WHERE p.age > 30) WHERE p.age < 38 RETURN p.name ORDER BY p.name"
        ),
        ["'Ann'", "'Dee'"]
    );
    // Beside a property map, and on both ends of a relationship.
    assert_eq!(
        run(
            &db,
            "MATCH (a:Person {name: 'Ann'} WHERE a.age = 31)-[:KNOWS]->(b WHERE b.age < 30) \
             RETURN b.name"
        ),
        ["'Bob'"]
    );
    // A condition may use a variable bound by an earlier clause.
    assert_eq!(
        run(
            &db,
            "MATCH (x:Person {name: 'Bob'}) MATCH (p:Person WHERE p.age > x.age + 10) \
             RETURN p.name ORDER BY p.name"
        ),
        ["'Cid'"]
    );
}

#[test]
fn a_relationship_condition_filters_the_match() {
    let db = people();
    assert_eq!(
        run(
            &db,
            "MATCH (a)-[k:KNOWS WHERE k.since < 2005]->(b) RETURN a.name, b.name ORDER BY a.name"
        ),
        ["'Ann' | 'Bob'", "'Cid' | 'Dee'"]
    );
    assert_eq!(
        run(
            &db,
            "MATCH (a)<-[k WHERE k.since > 2005]-(b) RETURN a.name, b.name"
        ),
        ["'Cid' | 'Bob'"]
    );
}

#[test]
fn optional_match_keeps_its_row_when_the_condition_fails() {
    let db = people();
    assert_eq!(
        run(
            &db,
            "MATCH (a:Person {name: 'Ann'}) OPTIONAL MATCH (a)-->(b WHERE b.age > 30) \
             RETURN a.name, b"
        ),
        ["'Ann' | null"]
    );
}

#[test]
fn in_a_quantified_group_the_condition_holds_on_every_iteration() {
    let db = people();
    // From Ann: Bob (25) fails `age > 30`, so no walk passes him.
    assert_eq!(
        run(
            &db,
            "MATCH (a:Person {name: 'Ann'}) ((x)-[:KNOWS]->(y WHERE y.age > 30)){1,3} (z) \
             RETURN z.name"
        ),
        Vec::<String>::new()
    );
    // From Bob: Cid (40), then Dee (35).
    assert_eq!(
        run(
            &db,
            "MATCH (b:Person {name: 'Bob'}) ((x)-[k:KNOWS WHERE k.since > 2000]->(y WHERE y.age > 30)){1,3} (z) \
             RETURN z.name, size(k) ORDER BY size(k)"
        ),
        ["'Cid' | 1", "'Dee' | 2"]
    );
}

#[test]
fn subqueries_and_comprehensions_take_the_conditions_of_their_patterns() {
    let db = people();
    assert_eq!(
        run(
            &db,
            "MATCH (p:Person) WHERE EXISTS { (p)-->(q WHERE q.age > 38) } RETURN p.name"
        ),
        ["'Bob'"]
    );
    assert_eq!(
        run(
            &db,
            "MATCH (p:Person) RETURN p.name, COUNT { (p)-[k WHERE k.since < 2005]-() } AS n \
             ORDER BY p.name"
        ),
        ["'Ann' | 1", "'Bob' | 1", "'Cid' | 1", "'Dee' | 1"]
    );
    assert_eq!(
        run(
            &db,
            "MATCH (p:Person {name: 'Cid'}) RETURN [(p)-[]-(q WHERE q.age > 30) | q.name] AS l"
        ),
        ["['Dee']"]
    );
    assert_eq!(
        run(
            &db,
            "MATCH (p:Person {name: 'Cid'}) \
             RETURN [(p)-[]-(q WHERE q.age > 20) WHERE q.name <> 'Dee' | q.name] AS l"
        ),
        ["['Bob']"]
    );
}

#[test]
fn clauses_without_a_place_for_where_refuse_it_with_its_position() {
    let db = people();
    for (query, detail, column) in [
        ("CREATE (n:X WHERE n.a = 1)", "InvalidSyntax", 19),
        ("MERGE (n:X WHERE n.a = 1)", "InvalidSyntax", 18),
        (
            "MATCH (a) WHERE (a)-->(b WHERE b.age = 1) RETURN a",
            "InvalidSyntax",
            32,
        ),
        (
            "MATCH (a)-[k:KNOWS*1..2 WHERE k.since > 1]->(b) RETURN b",
            "InvalidRelationshipPattern",
            25,
        ),
        (
            "MATCH (a)-[k:KNOWS WHERE k.since > 1]->{1,2}(b) RETURN b",
            "InvalidRelationshipPattern",
            26,
        ),
    ] {
        let error = db.execute(query, &Params::new()).expect_err(query);
        assert_eq!(error.class, ErrorClass::SyntaxError, "{query}: {error}");
        assert_eq!(error.detail, detail, "{query}: {error}");
        let at = error.position.map(|p| p.column);
        assert_eq!(at, Some(column), "{query}: {error}");
    }
    // Nothing was written by the refused CREATE and MERGE.
    assert_eq!(run(&db, "MATCH (n:X) RETURN count(n)"), ["0"]);
}

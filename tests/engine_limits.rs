//! Queries that would build values without bound fail with an error instead of
//! overflowing the stack or exhausting memory (review findings E1 and E3).

use skein::{Database, ErrorClass, Params};

fn error_of(query: &str) -> Option<(ErrorClass, String)> {
    let db = Database::open_temporary().ok()?;
    db.execute(query, &Params::new())
        .err()
        .map(|e| (e.class, e.detail))
}

#[test]
fn lists_nested_in_a_loop_stop_at_the_nesting_limit() {
    assert_eq!(
        error_of("WITH reduce(l = [], x IN range(1, 20000) | [l]) AS l RETURN 1"),
        Some((ErrorClass::ArgumentError, "NestingTooDeep".to_string()))
    );
    assert_eq!(
        error_of("WITH reduce(m = {}, x IN range(1, 20000) | {m: m}) AS m RETURN 1"),
        Some((ErrorClass::ArgumentError, "NestingTooDeep".to_string()))
    );
}

#[test]
fn moderate_nesting_still_works() -> skein::Result<()> {
    let db = Database::open_temporary()?;
    let result = db.execute(
        "WITH reduce(l = [], x IN range(1, 200) | [l]) AS l RETURN size(l) AS n",
        &Params::new(),
    )?;
    assert_eq!(result.rows[0][0].to_string(), "1");
    Ok(())
}

#[test]
fn doubling_a_string_or_list_stops_at_the_size_limit() {
    for query in [
        "RETURN size(reduce(s = 'x', i IN range(1, 40) | s + s)) AS n",
        "RETURN size(range(1, 9000000) + range(1, 9000000)) AS n",
    ] {
        assert_eq!(
            error_of(query),
            Some((ErrorClass::ArgumentError, "ValueTooLarge".to_string())),
            "{query}"
        );
    }
}

/// The error class and detail of `query` under a memory limit of `limit` bytes.
fn error_under_memory_limit(db: &Database, query: &str, limit: usize) -> Option<String> {
    let options = skein::QueryOptions {
        memory_limit: Some(limit),
        ..skein::QueryOptions::default()
    };
    db.execute_with(query, &Params::new(), &options)
        .err()
        .map(|e| format!("{}: {}", e.detail, e.message))
}

#[test]
fn what_a_statement_holds_is_bounded_by_its_memory_limit() -> skein::Result<()> {
    let db = Database::open_temporary()?;
    db.execute(
        "UNWIND range(1, 2000) AS i CREATE (:Item {id: i, text: 'item ' + toString(i)})",
        &Params::new(),
    )?;
    // Each of these holds every one of 200,000 rows (or values) at once.
    for (query, holder) in [
        (
            "UNWIND range(1, 200000) AS i RETURN i ORDER BY i DESC",
            "ORDER BY",
        ),
        (
            "UNWIND range(1, 200000) AS i RETURN collect(i) AS xs",
            "aggregation",
        ),
        (
            "UNWIND range(1, 200000) AS i RETURN i % 100000 AS k, count(*) AS n",
            "aggregation",
        ),
        (
            "UNWIND range(1, 200000) AS i WITH DISTINCT i WHERE i < 0 RETURN i",
            "DISTINCT",
        ),
        ("UNWIND range(1, 200000) AS i RETURN i", "the result"),
        (
            "UNWIND range(1, 200000) AS i WITH i CREATE (:Copy {i: i})",
            "between clauses",
        ),
    ] {
        let error = error_under_memory_limit(&db, query, 1 << 20);
        let error = error.unwrap_or_else(|| panic!("{query} ran under a 1 MiB limit"));
        assert!(
            error.starts_with("MemoryLimitExceeded:") && error.contains(holder),
            "{query}: {error}"
        );
    }
    // A failed statement wrote nothing, and the limit is per statement: the same queries
    // run with room to spare, and small ones run under the small limit.
    let copies = db.execute("MATCH (c:Copy) RETURN count(c) AS n", &Params::new())?;
    assert!(matches!(copies.rows[0][0], skein::Value::Int(0)));
    for query in [
        "UNWIND range(1, 200000) AS i RETURN i ORDER BY i DESC",
        "UNWIND range(1, 200000) AS i RETURN collect(i) AS xs",
    ] {
        assert_eq!(
            error_under_memory_limit(&db, query, 256 << 20),
            None,
            "{query}"
        );
    }
    // ORDER BY with a LIMIT keeps only about twice the rows it returns.
    let options = skein::QueryOptions {
        memory_limit: Some(1 << 20),
        ..skein::QueryOptions::default()
    };
    for query in [
        "UNWIND range(1, 200000) AS i RETURN i ORDER BY i DESC SKIP 1 LIMIT 3",
        "UNWIND range(1, 200000) AS i RETURN i ORDER BY -i SKIP 1 LIMIT 3",
    ] {
        let top = db.execute_with(query, &Params::new(), &options)?;
        let got: Vec<String> = top.rows.iter().map(|r| format!("{:?}", r[0])).collect();
        assert_eq!(
            got,
            ["Int(199999)", "Int(199998)", "Int(199997)"],
            "{query}"
        );
    }
    let small = "MATCH (n:Item) WHERE n.id <= 10 RETURN n.text ORDER BY n.id";
    assert_eq!(error_under_memory_limit(&db, small, 1 << 20), None);
    // Streaming needs no memory: a count over many rows holds almost nothing.
    let count = "UNWIND range(1, 1000000) AS i WITH i WHERE i % 2 = 0 RETURN count(*) AS n";
    assert_eq!(error_under_memory_limit(&db, count, 1 << 20), None);
    Ok(())
}

#[test]
fn a_variable_length_walk_and_a_hash_join_count_against_the_limit() -> skein::Result<()> {
    let db = Database::open_temporary()?;
    // A clique: every node's relationships are pushed at every depth of the walk.
    db.execute(
        "UNWIND range(1, 300) AS i CREATE (:K {id: i})",
        &Params::new(),
    )?;
    db.execute(
        "MATCH (a:K), (b:K) WHERE a.id < b.id CREATE (a)-[:E]->(b)",
        &Params::new(),
    )?;
    let walk = "MATCH (a:K {id: 1})-[:E*]-(b) RETURN count(*) AS n";
    let error = error_under_memory_limit(&db, walk, 64 << 10).unwrap_or_default();
    assert!(
        error.starts_with("MemoryLimitExceeded:") && error.contains("variable-length"),
        "{error}"
    );
    let join = "MATCH (a:K), (b:K) WHERE a.id = b.id + 1 RETURN count(*) AS n";
    let error = error_under_memory_limit(&db, join, 4 << 10).unwrap_or_default();
    assert!(error.starts_with("MemoryLimitExceeded:"), "{error}");
    assert_eq!(error_under_memory_limit(&db, join, 64 << 20), None);
    Ok(())
}

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

//! UNWIND over range() streams: no list of the whole range is built, a LIMIT stops it
//! early, and cancellation and timeouts stop it while it runs.

use skein::{CancelToken, Database, Params, QueryOptions, Value};
use std::time::Duration;

fn db() -> Database {
    Database::open_temporary().expect("temporary database")
}

fn single_int(db: &Database, q: &str) -> i64 {
    match db.execute(q, &Params::new()) {
        Ok(r) => match r.rows.first().and_then(|row| row.first()) {
            Some(Value::Int(i)) => *i,
            other => panic!("{q}: expected an integer, got {other:?}"),
        },
        Err(e) => panic!("{q}: {e}"),
    }
}

#[test]
fn unwind_range_beyond_the_list_cap_streams_under_limit() {
    let db = db();
    // range() as a list value is capped at 10M elements; UNWIND is not.
    let r = db
        .execute(
            "UNWIND range(1, 100000000) AS x RETURN x LIMIT 3",
            &Params::new(),
        )
        .expect("streamed range");
    let xs: Vec<i64> = r
        .rows
        .iter()
        .map(|row| match row.first() {
            Some(Value::Int(i)) => *i,
            other => panic!("expected an integer, got {other:?}"),
        })
        .collect();
    assert_eq!(xs, vec![1, 2, 3]);
    assert!(db
        .execute("RETURN size(range(1, 100000000)) AS n", &Params::new())
        .is_err());
}

#[test]
fn unwind_range_with_limit_then_aggregate() {
    let db = db();
    assert_eq!(
        single_int(
            &db,
            "UNWIND range(1000000, 2000000) AS i WITH i LIMIT 3000 RETURN sum(i)"
        ),
        (1_000_000..1_003_000).sum::<i64>()
    );
    assert_eq!(
        single_int(
            &db,
            "UNWIND range(1, 200000000) AS i WITH i LIMIT 5 RETURN sum(i)"
        ),
        15
    );
}

#[test]
fn unwind_range_steps_match_the_list_function() {
    let db = db();
    for (a, b, s) in [(1, 10, 3), (10, 1, -3), (1, 1, 5), (5, 1, 1), (0, -7, -2)] {
        let streamed = db
            .execute(
                &format!("UNWIND range({a}, {b}, {s}) AS x RETURN collect(x) AS l"),
                &Params::new(),
            )
            .expect("streamed");
        let listed = db
            .execute(&format!("RETURN range({a}, {b}, {s}) AS l"), &Params::new())
            .expect("listed");
        assert_eq!(
            format!("{:?}", streamed.rows),
            format!("{:?}", listed.rows),
            "range({a}, {b}, {s})"
        );
    }
    assert!(db
        .execute("UNWIND range(1, 5, 0) AS x RETURN x", &Params::new())
        .is_err());
    assert!(db
        .execute("UNWIND range(1, 'a') AS x RETURN x", &Params::new())
        .is_err());
    assert_eq!(
        single_int(
            &db,
            "UNWIND [2, 3] AS n UNWIND range(1, n) AS x RETURN sum(x)"
        ),
        3 + 6
    );
}

#[test]
fn unwind_range_is_cancellable() {
    let db = db();
    let cancel = CancelToken::new();
    let canceller = cancel.clone();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        canceller.cancel();
    });
    let r = db.execute_with(
        "UNWIND range(1, 100000000000) AS x RETURN count(x)",
        &Params::new(),
        &QueryOptions {
            cancel: Some(cancel),
            timeout: None,
            ..Default::default()
        },
    );
    t.join().expect("canceller thread");
    let e = r.expect_err("cancelled");
    assert_eq!(e.detail, "Cancelled");
}

#[test]
fn unwind_range_stops_at_its_timeout() {
    let db = db();
    let r = db.execute_with(
        "UNWIND range(1, 100000000000) AS x WITH x ORDER BY x DESC RETURN x LIMIT 1",
        &Params::new(),
        &QueryOptions {
            cancel: None,
            timeout: Some(Duration::from_millis(200)),
            ..Default::default()
        },
    );
    let e = r.expect_err("timed out");
    assert_eq!(e.detail, "Timeout");
}

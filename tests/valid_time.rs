//! Valid time: elements with `valid_from` / `valid_to` bounds are valid in the half-open
//! interval `[valid_from, valid_to)`, `VALID AT t` hides every element not valid at `t`
//! from every pattern form (scans, seeks, id lookups, every hop of every path, pattern
//! predicates, subqueries and the counts), and `valid_at(x, t)` is the same test as a
//! function. Small hand-built graphs, exact expected results.

mod common;
mod engine_calls;

use common::texts;
use engine_calls::{db, error, rows, rows_with, run};
use skein::{Database, ErrorClass, Params, Value};

fn int(db: &Database, query: &str) -> i64 {
    match run(db, query).rows.first().and_then(|r| r.first()) {
        Some(Value::Int(n)) => *n,
        other => panic!("{query}: expected an integer, got {other:?}"),
    }
}

fn params(pairs: &[(&str, Value)]) -> Params {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), v.clone()))
        .collect()
}

/// The names of the `:E` nodes valid at `instant` (a Cypher expression), in name order.
fn valid_names(db: &Database, instant: &str) -> Vec<String> {
    rows(
        db,
        &format!("VALID AT {instant} MATCH (n:E) RETURN n.name ORDER BY n.name"),
    )
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|n| format!("'{n}'")).collect()
}

// ---- interval edges and bound types

#[test]
fn a_datetime_interval_is_half_open_to_the_nanosecond() {
    let db = db();
    run(
        &db,
        "CREATE (:E {name: 'x', valid_from: datetime('2020-01-01T00:00:00Z'), \
                              valid_to: datetime('2021-01-01T00:00:00Z')})",
    );
    let at = |t: &str| valid_names(&db, &format!("datetime('{t}')"));
    assert_eq!(at("2019-12-31T23:59:59.999999999Z"), names(&[]));
    assert_eq!(
        at("2020-01-01T00:00:00Z"),
        names(&["x"]),
        "valid_from is valid"
    );
    assert_eq!(at("2020-01-01T00:00:00.000000001Z"), names(&["x"]));
    assert_eq!(at("2020-07-01T12:00:00Z"), names(&["x"]));
    assert_eq!(at("2020-12-31T23:59:59.999999999Z"), names(&["x"]));
    assert_eq!(
        at("2021-01-01T00:00:00Z"),
        names(&[]),
        "valid_to is not valid"
    );
    assert_eq!(at("2021-01-01T00:00:00.000000001Z"), names(&[]));
    // Without VALID AT every element is read.
    assert_eq!(rows(&db, "MATCH (n:E) RETURN n.name"), names(&["x"]));
}

#[test]
fn a_date_interval_is_half_open_to_the_day() {
    let db = db();
    run(
        &db,
        "CREATE (:E {name: 'x', valid_from: date('2020-01-02'), valid_to: date('2020-01-04')})",
    );
    let at = |t: &str| valid_names(&db, &format!("date('{t}')"));
    assert_eq!(at("2020-01-01"), names(&[]));
    assert_eq!(at("2020-01-02"), names(&["x"]));
    assert_eq!(at("2020-01-03"), names(&["x"]));
    assert_eq!(at("2020-01-04"), names(&[]));
    assert_eq!(at("2020-01-05"), names(&[]));
    // A date bound is its day's first instant (in UTC, for a UTC instant).
    let dt = |t: &str| valid_names(&db, &format!("datetime('{t}')"));
    assert_eq!(dt("2020-01-01T23:59:59.999999999Z"), names(&[]));
    assert_eq!(dt("2020-01-02T00:00:00Z"), names(&["x"]));
    assert_eq!(dt("2020-01-03T23:59:59.999999999Z"), names(&["x"]));
    assert_eq!(dt("2020-01-04T00:00:00Z"), names(&[]));
}

#[test]
fn a_local_datetime_interval_is_half_open() {
    let db = db();
    run(
        &db,
        "CREATE (:E {name: 'x', valid_from: localdatetime('2020-03-01T10:00:00'), \
                              valid_to: localdatetime('2020-03-01T12:00:00')})",
    );
    let at = |t: &str| valid_names(&db, &format!("localdatetime('{t}')"));
    assert_eq!(at("2020-03-01T09:59:59.999999999"), names(&[]));
    assert_eq!(at("2020-03-01T10:00:00"), names(&["x"]));
    assert_eq!(at("2020-03-01T11:59:59.999999999"), names(&["x"]));
    assert_eq!(at("2020-03-01T12:00:00"), names(&[]));
    // Dates as instants: the day's first instant.
    assert_eq!(valid_names(&db, "date('2020-03-01')"), names(&[]));
    // A UTC datetime reads the local bounds in UTC.
    assert_eq!(
        valid_names(&db, "datetime('2020-03-01T10:00:00Z')"),
        names(&["x"])
    );
    assert_eq!(
        valid_names(&db, "datetime('2020-03-01T09:59:59Z')"),
        names(&[])
    );
}

#[test]
fn a_missing_bound_is_open_and_an_element_without_bounds_is_always_valid() {
    let db = db();
    run(
        &db,
        "CREATE (:E {name: 'from'  , valid_from: date('2020-01-01')}), \
                (:E {name: 'to'    , valid_to: date('2020-01-01')}), \
                (:E {name: 'both'  , valid_from: date('2019-01-01'), valid_to: date('2021-01-01')}), \
                (:E {name: 'none'})",
    );
    assert_eq!(
        valid_names(&db, "date('1900-01-01')"),
        names(&["none", "to"])
    );
    assert_eq!(
        valid_names(&db, "date('2019-12-31')"),
        names(&["both", "none", "to"])
    );
    assert_eq!(
        valid_names(&db, "date('2020-01-01')"),
        names(&["both", "from", "none"])
    );
    assert_eq!(
        valid_names(&db, "date('2999-01-01')"),
        names(&["from", "none"])
    );
    // A bound set to null is no bound (removing it).
    run(&db, "MATCH (n:E {name: 'to'}) SET n.valid_to = null");
    assert_eq!(
        valid_names(&db, "date('2999-01-01')"),
        names(&["from", "none", "to"])
    );
}

#[test]
fn an_empty_or_reversed_interval_is_never_valid() {
    let db = db();
    run(
        &db,
        "CREATE (:E {name: 'empty', valid_from: date('2020-01-01'), valid_to: date('2020-01-01')}), \
                (:E {name: 'reversed', valid_from: date('2021-01-01'), valid_to: date('2020-01-01')}), \
                (:E {name: 'none'})",
    );
    for instant in [
        "date('2019-06-01')",
        "date('2020-01-01')",
        "date('2020-06-01')",
        "date('2021-06-01')",
    ] {
        assert_eq!(valid_names(&db, instant), names(&["none"]), "{instant}");
    }
}

#[test]
fn bounds_of_mixed_types_compare_as_instants() {
    let db = db();
    // from a date, to a datetime with an offset: [2020-01-01T00:00Z, 2020-01-01T10:00Z).
    run(
        &db,
        "CREATE (:E {name: 'mixed', valid_from: date('2020-01-01'), \
                                    valid_to: datetime('2020-01-01T12:00:00+02:00')})",
    );
    let at = |t: &str| valid_names(&db, t);
    assert_eq!(at("datetime('2019-12-31T23:59:59.999999999Z')"), names(&[]));
    assert_eq!(at("datetime('2020-01-01T00:00:00Z')"), names(&["mixed"]));
    assert_eq!(
        at("datetime('2020-01-01T09:59:59.999999999Z')"),
        names(&["mixed"])
    );
    assert_eq!(at("datetime('2020-01-01T10:00:00Z')"), names(&[]));
    assert_eq!(
        at("datetime('2020-01-01T11:59:59+02:00')"),
        names(&["mixed"])
    );
    assert_eq!(at("datetime('2020-01-01T12:00:00+02:00')"), names(&[]));
    assert_eq!(
        at("localdatetime('2020-01-01T09:59:59')"),
        names(&["mixed"])
    );
    assert_eq!(at("localdatetime('2020-01-01T10:00:00')"), names(&[]));
    assert_eq!(at("date('2020-01-01')"), names(&["mixed"]));
    assert_eq!(at("date('2020-01-02')"), names(&[]));
}

// ---- the zone rule

#[test]
fn dates_and_local_datetimes_are_read_in_the_zone_of_an_offset_instant() {
    let db = db();
    run(
        &db,
        "CREATE (:E {name: 'date', valid_from: date('2020-01-02')}), \
                (:E {name: 'local', valid_from: localdatetime('2020-01-02T00:00:00')}), \
                (:E {name: 'utc', valid_from: datetime('2020-01-02T00:00:00Z')})",
    );
    // 2020-01-02T00:30+02:00 is 2020-01-01T22:30Z: in its zone the date bound has begun,
    // in UTC the datetime bound has not.
    assert_eq!(
        valid_names(&db, "datetime('2020-01-02T00:30:00+02:00')"),
        names(&["date", "local"])
    );
    // 2020-01-01T23:30-02:00 is 2020-01-02T01:30Z: the UTC bound has begun, the zone's
    // local midnight not yet.
    assert_eq!(
        valid_names(&db, "datetime('2020-01-01T23:30:00-02:00')"),
        names(&["utc"])
    );
    // Exactly the local midnight of the instant's zone.
    assert_eq!(
        valid_names(&db, "datetime('2020-01-02T00:00:00+05:30')"),
        names(&["date", "local"])
    );
    assert_eq!(
        valid_names(&db, "datetime('2020-01-01T23:59:59.999999999+05:30')"),
        names(&[])
    );
    // A UTC datetime, a date and a local datetime read them all in UTC.
    assert_eq!(
        valid_names(&db, "datetime('2020-01-02T00:00:00Z')"),
        names(&["date", "local", "utc"])
    );
    assert_eq!(
        valid_names(&db, "localdatetime('2020-01-01T23:59:59')"),
        names(&[])
    );
    assert_eq!(
        valid_names(&db, "date('2020-01-02')"),
        names(&["date", "local", "utc"])
    );
}

#[test]
fn a_named_zone_instant_reads_dates_at_its_offset() {
    let db = db();
    run(
        &db,
        "CREATE (:E {name: 'date', valid_from: date('2020-07-02')}), \
                (:E {name: 'utc', valid_from: datetime('2020-07-02T00:00:00Z')})",
    );
    // Berlin is +02:00 in July: 00:30 there is 22:30Z the day before.
    assert_eq!(
        valid_names(&db, "datetime('2020-07-02T00:30:00[Europe/Berlin]')"),
        names(&["date"])
    );
}

#[test]
fn the_zone_rule_holds_for_valid_at_the_function() {
    let db = db();
    run(
        &db,
        "CREATE (:E {name: 'date', valid_from: date('2020-01-02')})",
    );
    assert_eq!(
        rows(
            &db,
            "MATCH (n:E) RETURN valid_at(n, datetime('2020-01-02T00:30:00+02:00')), \
                                valid_at(n, datetime('2020-01-01T23:30:00-02:00')), \
                                valid_at(n, datetime('2020-01-01T23:30:00Z'))"
        ),
        ["true | false | false"]
    );
}

#[test]
fn explain_names_the_instant_in_utc() {
    let db = db();
    run(
        &db,
        "CREATE (:E {name: 'x', valid_from: date('2020-01-01')})",
    );
    let plan = run(
        &db,
        "EXPLAIN VALID AT datetime('2020-06-01T00:00:00+02:00') MATCH (n:E) RETURN n",
    )
    .plan
    .unwrap_or_default();
    let first = plan.lines().next().unwrap_or_default();
    assert!(first.starts_with("ValidAt "), "{plan}");
    assert!(first.contains("2020-05-31T22:00"), "{plan}");
    assert!(plan.contains("NodeByLabelScan"), "{plan}");
    let plain = run(&db, "EXPLAIN MATCH (n:E) RETURN n")
        .plan
        .unwrap_or_default();
    assert!(!plain.contains("ValidAt"), "{plain}");
    // PROFILE runs it, under the instant.
    let profiled = run(
        &db,
        "PROFILE VALID AT date('2019-01-01') MATCH (n:E) RETURN n.name",
    );
    assert!(profiled.rows.is_empty(), "{:?}", profiled.rows);
    assert!(
        profiled.plan.unwrap_or_default().starts_with("ValidAt "),
        "PROFILE lost the header"
    );
}

#[test]
fn the_instant_may_be_a_parameter_or_an_expression() {
    let db = db();
    run(
        &db,
        "CREATE (:E {name: 'x', valid_from: date('2020-01-01'), valid_to: date('2021-01-01')})",
    );
    let query = "VALID AT $t MATCH (n:E) RETURN n.name";
    let at = |t: &str| {
        let t = run(&db, &format!("RETURN {t}")).rows[0][0].clone();
        rows_with(&db, query, &params(&[("t", t)]))
    };
    assert_eq!(at("date('2020-06-01')"), names(&["x"]));
    assert_eq!(at("date('2021-06-01')"), names(&[]));
    assert_eq!(
        rows(
            &db,
            "VALID AT date('2020-12-01') + duration('P1M') MATCH (n:E) RETURN n.name"
        ),
        names(&[])
    );
    assert_eq!(
        rows(
            &db,
            "VALID AT date('2020-12-01') - duration('P1M') MATCH (n:E) RETURN n.name"
        ),
        names(&["x"])
    );
}

// ---- every pattern form

/// Five `:P` nodes and one `:Q`; valid at 2025-06-01: alive, window, q.
fn nodes_graph() -> Database {
    let db = db();
    run(
        &db,
        "CREATE (:P {name: 'alive', k: 1}), \
                (:P {name: 'gone', k: 2, valid_to: date('2020-01-01')}), \
                (:P {name: 'future', k: 3, valid_from: date('2030-01-01')}), \
                (:P {name: 'window', k: 4, valid_from: date('2025-01-01'), valid_to: date('2026-01-01')}), \
                (:Q {name: 'q', k: 5})",
    );
    db
}

const NOW: &str = "VALID AT date('2025-06-01')";
const PAST: &str = "VALID AT date('2019-01-01')";

#[test]
fn a_node_scan_shows_only_valid_nodes() {
    let db = nodes_graph();
    let q = "MATCH (n) RETURN n.name ORDER BY n.name";
    assert_eq!(
        rows(&db, q),
        names(&["alive", "future", "gone", "q", "window"])
    );
    assert_eq!(
        rows(&db, &format!("{NOW} {q}")),
        names(&["alive", "q", "window"])
    );
    assert_eq!(
        rows(&db, &format!("{PAST} {q}")),
        names(&["alive", "gone", "q"])
    );
}

#[test]
fn a_label_scan_shows_only_valid_nodes() {
    let db = nodes_graph();
    let q = "MATCH (n:P) RETURN n.name ORDER BY n.name";
    assert_eq!(
        rows(&db, &format!("{NOW} {q}")),
        names(&["alive", "window"])
    );
    assert_eq!(rows(&db, &format!("{PAST} {q}")), names(&["alive", "gone"]));
    assert_eq!(
        rows(&db, &format!("VALID AT date('2031-01-01') {q}")),
        names(&["alive", "future"])
    );
}

#[test]
fn an_index_seek_shows_only_valid_nodes() {
    let db = nodes_graph();
    run(&db, "CREATE INDEX FOR (n:P) ON (n.k)");
    let equality = "MATCH (n:P {k: 2}) RETURN n.name";
    let plan = run(&db, &format!("EXPLAIN {NOW} {equality}"))
        .plan
        .unwrap_or_default();
    assert!(plan.contains("NodeIndexSeek"), "{plan}");
    assert_eq!(rows(&db, equality), names(&["gone"]));
    assert_eq!(rows(&db, &format!("{NOW} {equality}")), names(&[]));
    assert_eq!(rows(&db, &format!("{PAST} {equality}")), names(&["gone"]));
    let seek_in = "MATCH (n:P) WHERE n.k IN [1, 2, 3, 4] RETURN n.name ORDER BY n.name";
    assert_eq!(
        rows(&db, &format!("{NOW} {seek_in}")),
        names(&["alive", "window"])
    );
    let range = "MATCH (n:P) WHERE n.k >= 2 RETURN n.name ORDER BY n.name";
    let plan = run(&db, &format!("EXPLAIN {NOW} {range}"))
        .plan
        .unwrap_or_default();
    assert!(plan.contains("Index"), "a range seek is planned: {plan}");
    assert_eq!(rows(&db, &format!("{NOW} {range}")), names(&["window"]));
    assert_eq!(rows(&db, range), names(&["future", "gone", "window"]));
}

#[test]
fn a_unique_constraint_seek_shows_only_valid_nodes() {
    let db = nodes_graph();
    run(
        &db,
        "CREATE CONSTRAINT p_name FOR (n:P) REQUIRE n.name IS UNIQUE",
    );
    assert_eq!(
        rows(
            &db,
            &format!("{NOW} MATCH (n:P {{name: 'gone'}}) RETURN n.k")
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        rows(
            &db,
            &format!("{NOW} MATCH (n:P {{name: 'window'}}) RETURN n.k")
        ),
        ["4"]
    );
}

#[test]
fn an_id_lookup_shows_only_valid_nodes() {
    let db = nodes_graph();
    let id = |name: &str| match &run(&db, &format!("MATCH (n {{name: '{name}'}}) RETURN id(n)"))
        .rows[0][0]
    {
        Value::Int(n) => *n,
        other => panic!("an id: {other:?}"),
    };
    let (gone, alive) = (id("gone"), id("alive"));
    let query = format!("{NOW} MATCH (n) WHERE id(n) = $id RETURN n.name");
    let plan = run(
        &db,
        &format!("EXPLAIN {NOW} MATCH (n) WHERE id(n) = {gone} RETURN n"),
    )
    .plan
    .unwrap_or_default();
    assert!(plan.contains("NodeByIdSeek"), "{plan}");
    assert_eq!(
        rows_with(&db, &query, &params(&[("id", Value::Int(gone))])),
        Vec::<String>::new()
    );
    assert_eq!(
        rows_with(&db, &query, &params(&[("id", Value::Int(alive))])),
        names(&["alive"])
    );
    assert_eq!(
        rows(
            &db,
            &format!("{NOW} MATCH (n) WHERE id(n) IN [{gone}, {alive}] RETURN n.name")
        ),
        names(&["alive"])
    );
    assert_eq!(
        rows(
            &db,
            &format!("{PAST} MATCH (n:P) WHERE id(n) = {gone} RETURN n.name")
        ),
        names(&["gone"])
    );
}

/// `a` with three `R`s: to `b_ok` (valid), to `b_via_gone_rel` through an invalid
/// relationship, to `b_gone` (an invalid node); and `a_gone` (invalid) -[R]-> `b_ok`.
fn hops_graph() -> Database {
    let db = db();
    run(
        &db,
        "CREATE (a:A {name: 'a'}), (g:A {name: 'a_gone', valid_to: date('2020-01-01')}), \
                (b:B {name: 'b_ok'}), (v:B {name: 'b_via_gone_rel'}), \
                (x:B {name: 'b_gone', valid_to: date('2020-01-01')}), \
                (a)-[:R {name: 'r_ok'}]->(b), \
                (a)-[:R {name: 'r_gone', valid_from: date('2018-01-01'), valid_to: date('2020-01-01')}]->(v), \
                (a)-[:R {name: 'r_to_gone'}]->(x), \
                (g)-[:R {name: 'r_from_gone'}]->(b)",
    );
    db
}

#[test]
fn one_hop_skips_an_invalid_relationship_and_an_invalid_far_node() {
    let db = hops_graph();
    let out = "MATCH (a:A {name: 'a'})-[r]->(b) RETURN r.name, b.name ORDER BY r.name";
    assert_eq!(
        rows(&db, out),
        [
            "'r_gone' | 'b_via_gone_rel'",
            "'r_ok' | 'b_ok'",
            "'r_to_gone' | 'b_gone'"
        ]
    );
    assert_eq!(rows(&db, &format!("{NOW} {out}")), ["'r_ok' | 'b_ok'"]);
    assert_eq!(
        rows(&db, &format!("{PAST} {out}")),
        [
            "'r_gone' | 'b_via_gone_rel'",
            "'r_ok' | 'b_ok'",
            "'r_to_gone' | 'b_gone'"
        ]
    );
    // Incoming: the far node a_gone is hidden.
    let incoming = "MATCH (b:B {name: 'b_ok'})<-[r]-(a) RETURN a.name ORDER BY a.name";
    assert_eq!(rows(&db, incoming), names(&["a", "a_gone"]));
    assert_eq!(rows(&db, &format!("{NOW} {incoming}")), names(&["a"]));
    // Undirected, from b_via_gone_rel: its only relationship is invalid.
    let both = "MATCH (b:B {name: 'b_via_gone_rel'})-[r]-(a) RETURN a.name";
    assert_eq!(rows(&db, both), names(&["a"]));
    assert_eq!(rows(&db, &format!("{NOW} {both}")), names(&[]));
    // A typed hop.
    let typed = "MATCH (:A {name: 'a'})-[:R]->(b:B) RETURN count(b)";
    assert_eq!(int(&db, typed), 3);
    assert_eq!(int(&db, &format!("{NOW} {typed}")), 1);
}

#[test]
fn a_relationship_scan_hides_relationships_with_an_invalid_end() {
    let db = hops_graph();
    let q = "MATCH ()-[r]->() RETURN r.name ORDER BY r.name";
    assert_eq!(
        rows(&db, q),
        names(&["r_from_gone", "r_gone", "r_ok", "r_to_gone"])
    );
    assert_eq!(rows(&db, &format!("{NOW} {q}")), names(&["r_ok"]));
    assert_eq!(
        rows(&db, &format!("{PAST} {q}")),
        names(&["r_from_gone", "r_gone", "r_ok", "r_to_gone"])
    );
    let id = int(&db, "MATCH ()-[r {name: 'r_gone'}]->() RETURN id(r)");
    let by_id = format!("MATCH ()-[r]->() WHERE id(r) = {id} RETURN r.name");
    assert_eq!(rows(&db, &format!("{NOW} {by_id}")), names(&[]));
    assert_eq!(rows(&db, &format!("{PAST} {by_id}")), names(&["r_gone"]));
}

#[test]
fn expand_into_between_two_bound_nodes_skips_an_invalid_relationship() {
    let db = hops_graph();
    let q = "MATCH (a:A {name: 'a'}), (b:B {name: 'b_via_gone_rel'}) \
             MATCH (a)-[r]->(b) RETURN r.name";
    let plan = run(&db, &format!("EXPLAIN {NOW} {q}"))
        .plan
        .unwrap_or_default();
    assert!(plan.contains("ExpandInto"), "{plan}");
    assert_eq!(rows(&db, q), names(&["r_gone"]));
    assert_eq!(rows(&db, &format!("{NOW} {q}")), names(&[]));
    let ok = "MATCH (a:A {name: 'a'}), (b:B {name: 'b_ok'}) MATCH (a)-[r]->(b) RETURN r.name";
    assert_eq!(rows(&db, &format!("{NOW} {ok}")), names(&["r_ok"]));
}

/// From `s` to `t`: via `m1` (an invalid node, 2 hops), via `n1 -> n2` whose middle
/// relationship is invalid (3 hops), via `c1 -> c2 -> c3` (all valid, 4 hops).
fn paths_graph() -> Database {
    let db = db();
    run(
        &db,
        "CREATE (s:V {name: 's'}), (t:V {name: 't'}), \
                (m1:V {name: 'm1', valid_from: date('2030-01-01')}), \
                (n1:V {name: 'n1'}), (n2:V {name: 'n2'}), \
                (c1:V {name: 'c1'}), (c2:V {name: 'c2'}), (c3:V {name: 'c3'}), \
                (s)-[:L]->(m1)-[:L]->(t), \
                (s)-[:L]->(n1)-[:L {valid_to: date('2020-01-01')}]->(n2)-[:L]->(t), \
                (s)-[:L]->(c1)-[:L]->(c2)-[:L]->(c3)-[:L]->(t)",
    );
    db
}

#[test]
fn a_variable_length_path_does_not_pass_through_an_invalid_node_or_relationship() {
    let db = paths_graph();
    let paths = "MATCH p = (:V {name: 's'})-[:L*]->(:V {name: 't'}) \
                 RETURN [n IN nodes(p) | n.name] AS names ORDER BY length(p)";
    assert_eq!(
        rows(&db, paths),
        [
            "['s', 'm1', 't']",
            "['s', 'n1', 'n2', 't']",
            "['s', 'c1', 'c2', 'c3', 't']"
        ]
    );
    assert_eq!(
        rows(&db, &format!("{NOW} {paths}")),
        ["['s', 'c1', 'c2', 'c3', 't']"]
    );
    let reachable = "MATCH (:V {name: 's'})-[:L*]->(x) RETURN DISTINCT x.name ORDER BY x.name";
    assert_eq!(
        rows(&db, reachable),
        names(&["c1", "c2", "c3", "m1", "n1", "n2", "t"])
    );
    assert_eq!(
        rows(&db, &format!("{NOW} {reachable}")),
        names(&["c1", "c2", "c3", "n1", "t"])
    );
    // Bounded lengths, and backwards from t.
    let short = "MATCH (:V {name: 's'})-[:L*1..3]->(x:V {name: 't'}) RETURN count(*)";
    assert_eq!(int(&db, short), 2);
    assert_eq!(int(&db, &format!("{NOW} {short}")), 0);
    let back = "MATCH (:V {name: 't'})<-[:L*]-(x) RETURN DISTINCT x.name ORDER BY x.name";
    assert_eq!(
        rows(&db, &format!("{NOW} {back}")),
        names(&["c1", "c2", "c3", "n2", "s"])
    );
    // The relationships of a path are valid too.
    let rels = "MATCH p = (:V {name: 's'})-[rs:L*]->(:V {name: 't'}) \
                RETURN size([r IN rs WHERE r.valid_to IS NOT NULL])";
    assert_eq!(rows(&db, &format!("{NOW} {rels}")), ["0"]);
}

#[test]
fn a_quantified_relationship_does_not_pass_through_an_invalid_element() {
    let db = paths_graph();
    let q = "MATCH p = (:V {name: 's'})-[:L]->{1,4}(:V {name: 't'}) RETURN length(p) ORDER BY length(p)";
    assert_eq!(rows(&db, q), ["2", "3", "4"]);
    assert_eq!(rows(&db, &format!("{NOW} {q}")), ["4"]);
}

#[test]
fn shortest_path_avoids_invalid_nodes_and_relationships() {
    let db = paths_graph();
    let q = "MATCH p = shortestPath((:V {name: 's'})-[:L*]->(:V {name: 't'})) \
             RETURN [n IN nodes(p) | n.name]";
    assert_eq!(rows(&db, q), ["['s', 'm1', 't']"]);
    assert_eq!(
        rows(&db, &format!("{NOW} {q}")),
        ["['s', 'c1', 'c2', 'c3', 't']"]
    );
    let all = "MATCH p = allShortestPaths((:V {name: 's'})-[:L*]->(:V {name: 't'})) \
               RETURN length(p)";
    assert_eq!(rows(&db, &format!("{NOW} {all}")), ["4"]);
    // Under the instant m1 is hidden and the n1 -> n2 hop invalid: n2 is out of reach.
    let none = "MATCH p = shortestPath((:V {name: 's'})-[:L*]->(:V {name: 'n2'})) RETURN length(p)";
    assert_eq!(rows(&db, none), ["2"]);
    assert_eq!(rows(&db, &format!("{NOW} {none}")), Vec::<String>::new());
    // In 2031 m1 is valid again and the n1 -> n2 hop still invalid.
    assert_eq!(
        rows(&db, &format!("VALID AT date('2031-01-01') {q}")),
        ["['s', 'm1', 't']"]
    );
    // Path selectors.
    let selector =
        "MATCH p = ANY SHORTEST (:V {name: 's'})-[:L]->+(:V {name: 't'}) RETURN length(p)";
    assert_eq!(rows(&db, selector), ["2"]);
    assert_eq!(rows(&db, &format!("{NOW} {selector}")), ["4"]);
}

/// `A`s with `R`s to `X`s: a1 → an invalid X, a2 → a valid X, a3 → a valid X through an
/// invalid relationship, a4 → one valid and one invalid X, a5 → nothing.
fn predicates_graph() -> Database {
    let db = db();
    run(
        &db,
        "CREATE (a1:A {name: 'a1'})-[:R]->(:X {valid_to: date('2020-01-01')}), \
                (a2:A {name: 'a2'})-[:R]->(:X), \
                (a3:A {name: 'a3'})-[:R {valid_to: date('2020-01-01')}]->(:X), \
                (a4:A {name: 'a4'})-[:R]->(:X), (a4)-[:R]->(:X {valid_from: date('2030-01-01')}), \
                (:A {name: 'a5'})",
    );
    db
}

#[test]
fn a_pattern_predicate_in_where_sees_only_valid_elements() {
    let db = predicates_graph();
    let q = "MATCH (a:A) WHERE (a)-->(:X) RETURN a.name ORDER BY a.name";
    assert_eq!(rows(&db, q), names(&["a1", "a2", "a3", "a4"]));
    assert_eq!(rows(&db, &format!("{NOW} {q}")), names(&["a2", "a4"]));
    let not = "MATCH (a:A) WHERE NOT (a)-[:R]->(:X) RETURN a.name ORDER BY a.name";
    assert_eq!(rows(&db, not), names(&["a5"]));
    assert_eq!(
        rows(&db, &format!("{NOW} {not}")),
        names(&["a1", "a3", "a5"])
    );
    let exists = "MATCH (a:A) WHERE exists((a)-->(:X)) RETURN a.name ORDER BY a.name";
    assert_eq!(rows(&db, &format!("{NOW} {exists}")), names(&["a2", "a4"]));
}

#[test]
fn exists_and_count_subqueries_see_only_valid_elements() {
    let db = predicates_graph();
    let exists = "MATCH (a:A) WHERE EXISTS { MATCH (a)-[:R]->(x:X) } RETURN a.name ORDER BY a.name";
    assert_eq!(rows(&db, exists), names(&["a1", "a2", "a3", "a4"]));
    assert_eq!(rows(&db, &format!("{NOW} {exists}")), names(&["a2", "a4"]));
    let count = "MATCH (a:A) RETURN a.name, COUNT { (a)-->(:X) } ORDER BY a.name";
    assert_eq!(
        rows(&db, count),
        ["'a1' | 1", "'a2' | 1", "'a3' | 1", "'a4' | 2", "'a5' | 0"]
    );
    assert_eq!(
        rows(&db, &format!("{NOW} {count}")),
        ["'a1' | 0", "'a2' | 1", "'a3' | 0", "'a4' | 1", "'a5' | 0"]
    );
    let any_hop = "MATCH (a:A) RETURN a.name, COUNT { (a)-->() } ORDER BY a.name";
    assert_eq!(
        rows(&db, &format!("{NOW} {any_hop}")),
        ["'a1' | 0", "'a2' | 1", "'a3' | 0", "'a4' | 1", "'a5' | 0"]
    );
}

#[test]
fn optional_match_sees_only_valid_elements() {
    let db = predicates_graph();
    let q = "MATCH (a:A) OPTIONAL MATCH (a)-[:R]->(x:X) RETURN a.name, x IS NULL ORDER BY a.name";
    assert_eq!(
        rows(&db, &format!("{NOW} {q}")),
        [
            "'a1' | true",
            "'a2' | false",
            "'a3' | true",
            "'a4' | false",
            "'a5' | true"
        ]
    );
    let counted = "MATCH (a:A) OPTIONAL MATCH (a)-[r]->(x) RETURN a.name, count(r) ORDER BY a.name";
    assert_eq!(
        rows(&db, counted),
        ["'a1' | 1", "'a2' | 1", "'a3' | 1", "'a4' | 2", "'a5' | 0"]
    );
    assert_eq!(
        rows(&db, &format!("{NOW} {counted}")),
        ["'a1' | 0", "'a2' | 1", "'a3' | 0", "'a4' | 1", "'a5' | 0"]
    );
}

#[test]
fn a_call_subquery_sees_only_valid_elements() {
    let db = predicates_graph();
    let q = "MATCH (a:A) CALL { WITH a MATCH (a)-[r]->(x) RETURN count(x) AS c } \
             RETURN a.name, c ORDER BY a.name";
    assert_eq!(
        rows(&db, &format!("{NOW} {q}")),
        ["'a1' | 0", "'a2' | 1", "'a3' | 0", "'a4' | 1", "'a5' | 0"]
    );
    let uncorrelated = "CALL { MATCH (x:X) RETURN count(x) AS c } RETURN c";
    assert_eq!(rows(&db, uncorrelated), ["5"]);
    assert_eq!(rows(&db, &format!("{NOW} {uncorrelated}")), ["3"]);
}

#[test]
fn a_pattern_comprehension_sees_only_valid_elements() {
    let db = predicates_graph();
    let q = "MATCH (a:A) RETURN a.name, size([(a)-[:R]->(x:X) | x]) ORDER BY a.name";
    assert_eq!(
        rows(&db, &format!("{NOW} {q}")),
        ["'a1' | 0", "'a2' | 1", "'a3' | 0", "'a4' | 1", "'a5' | 0"]
    );
}

#[test]
fn a_union_applies_the_instant_to_every_part() {
    let db = nodes_graph();
    let q = "MATCH (n:P) RETURN n.name AS name UNION MATCH (n:Q) RETURN n.name AS name";
    let mut got = rows(&db, &format!("{PAST} {q}"));
    got.sort();
    assert_eq!(got, names(&["alive", "gone", "q"]));
}

#[test]
fn counts_over_a_label_and_a_type_count_only_valid_elements() {
    let db = hops_graph();
    // Nodes: a, a_gone, b_ok, b_via_gone_rel, b_gone; R: four.
    for (query, all, now) in [
        ("MATCH (n) RETURN count(*)", 5, 3),
        ("MATCH (n) RETURN count(n)", 5, 3),
        ("MATCH (n:A) RETURN count(*)", 2, 1),
        ("MATCH (n:B) RETURN count(n)", 3, 2),
        ("MATCH ()-[r:R]->() RETURN count(r)", 4, 1),
        ("MATCH ()-[r:R]->() RETURN count(*)", 4, 1),
        ("MATCH ()-->() RETURN count(*)", 4, 1),
        ("MATCH ()-[r]-() RETURN count(r)", 8, 2),
        ("MATCH (:A)-[:R]->() RETURN count(*)", 4, 1),
        ("MATCH (:A)-[:R]->(:B) RETURN count(*)", 4, 1),
    ] {
        assert_eq!(int(&db, query), all, "{query}");
        assert_eq!(int(&db, &format!("{NOW} {query}")), now, "{NOW} {query}");
        assert_eq!(int(&db, &format!("{PAST} {query}")), all, "{PAST} {query}");
    }
}

#[test]
fn per_node_degree_counts_count_only_valid_relationships() {
    let db = hops_graph();
    let q = "MATCH (a:A)-[r:R]->() RETURN a.name, count(r) ORDER BY a.name";
    let plan = run(&db, &format!("EXPLAIN {q}")).plan.unwrap_or_default();
    assert!(plan.contains("CountRelationships"), "{plan}");
    assert_eq!(rows(&db, q), ["'a' | 3", "'a_gone' | 1"]);
    assert_eq!(rows(&db, &format!("{NOW} {q}")), ["'a' | 1"]);
    let incoming = "MATCH (b:B)<-[:R]-() RETURN b.name, count(*) ORDER BY b.name";
    assert_eq!(rows(&db, &format!("{NOW} {incoming}")), ["'b_ok' | 1"]);
    assert_eq!(
        rows(&db, incoming),
        ["'b_gone' | 1", "'b_ok' | 2", "'b_via_gone_rel' | 1"]
    );
}

#[test]
fn a_self_loop_is_counted_once_both_ways_with_or_without_an_instant() {
    let db = db();
    run(
        &db,
        "CREATE (n:S {name: 'n'}), (n)-[:L]->(n), (n)-[:L {valid_to: date('2020-01-01')}]->(n)",
    );
    let q = "MATCH (n:S)-[r]-() RETURN count(r)";
    assert_eq!(int(&db, q), 2);
    assert_eq!(int(&db, &format!("{PAST} {q}")), 2);
    assert_eq!(int(&db, &format!("{NOW} {q}")), 1);
    let listed = "MATCH (n:S)-[r]-(m) RETURN count(*)";
    assert_eq!(int(&db, listed), 2);
    assert_eq!(int(&db, &format!("{NOW} {listed}")), 1);
}

#[test]
fn only_to_and_only_from_bounds_on_relationships() {
    let db = db();
    run(
        &db,
        "CREATE (a:A {name: 'a'}), (b:B), \
                (a)-[:R {name: 'from', valid_from: datetime('2020-01-01T00:00:00Z')}]->(b), \
                (a)-[:R {name: 'to', valid_to: datetime('2020-01-01T00:00:00Z')}]->(b), \
                (a)-[:R {name: 'none'}]->(b)",
    );
    let q = |t: &str| {
        rows(
            &db,
            &format!("VALID AT datetime('{t}') MATCH (:A)-[r]->() RETURN r.name ORDER BY r.name"),
        )
    };
    assert_eq!(q("2019-12-31T23:59:59.999999999Z"), names(&["none", "to"]));
    assert_eq!(q("2020-01-01T00:00:00Z"), names(&["from", "none"]));
}

#[test]
fn graph_algorithms_read_only_valid_elements() {
    let db = paths_graph();
    let q = "MATCH (s:V {name: 's'}), (t:V {name: 't'}) CALL algo.shortestPath(s, t) \
             YIELD path RETURN [n IN nodes(path) | n.name]";
    assert_eq!(rows(&db, q), ["['s', 'm1', 't']"]);
    assert_eq!(
        rows(&db, &format!("{NOW} {q}")),
        ["['s', 'c1', 'c2', 'c3', 't']"]
    );
    // Degrees count both directions.
    let degree = "CALL algo.degree() YIELD node, degree \
                  WITH node, degree WHERE node.name IN ['s', 'n1', 'm1'] \
                  RETURN node.name, degree ORDER BY node.name";
    assert_eq!(rows(&db, degree), ["'m1' | 2", "'n1' | 2", "'s' | 3"]);
    assert_eq!(
        rows(&db, &format!("{NOW} {degree}")),
        ["'n1' | 1", "'s' | 2"]
    );
}

// ---- valid_at()

#[test]
fn valid_at_tests_nodes_and_relationships_and_passes_null() {
    let db = hops_graph();
    assert_eq!(
        rows(
            &db,
            "MATCH (a:A)-[r]->(b) RETURN a.name, r.name, b.name, \
                    valid_at(a, date('2025-06-01')), valid_at(r, date('2025-06-01')), \
                    valid_at(b, date('2025-06-01')), valid_at(r, date('2019-01-01')) \
             ORDER BY r.name"
        ),
        [
            "'a_gone' | 'r_from_gone' | 'b_ok' | false | true | true | true",
            "'a' | 'r_gone' | 'b_via_gone_rel' | true | false | true | true",
            "'a' | 'r_ok' | 'b_ok' | true | true | true | true",
            "'a' | 'r_to_gone' | 'b_gone' | true | true | false | true"
        ]
    );
    // r_gone is valid from 2018: not before.
    assert_eq!(
        rows(
            &db,
            "MATCH ()-[r {name: 'r_gone'}]->() RETURN valid_at(r, date('2017-12-31')), \
                    valid_at(r, localdatetime('2018-01-01T00:00:00')), \
                    valid_at(r, datetime('2019-12-31T23:59:59.999999999Z')), \
                    valid_at(r, datetime('2020-01-01T00:00:00Z'))"
        ),
        ["false | true | true | false"]
    );
    assert_eq!(
        rows(
            &db,
            "MATCH (a:A {name: 'a'}) RETURN valid_at(null, date('2020-01-01')), valid_at(a, null)"
        ),
        ["null | null"]
    );
    assert_eq!(
        rows(
            &db,
            "OPTIONAL MATCH (z:Nowhere) RETURN valid_at(z, date('2020-01-01'))"
        ),
        ["null"]
    );
    // Usable as a filter, in a query without VALID AT.
    assert_eq!(
        rows(
            &db,
            "MATCH (n) WHERE valid_at(n, date('2025-06-01')) RETURN n.name ORDER BY n.name"
        ),
        names(&["a", "b_ok", "b_via_gone_rel"])
    );
}

#[test]
fn valid_at_rejects_what_is_not_an_element_or_an_instant() {
    let db = hops_graph();
    let e = error(&db, "RETURN valid_at(1, date('2020-01-01'))");
    assert_eq!(e.class, ErrorClass::TypeError, "{e}");
    assert!(e.message.contains("valid_at"), "{e}");
    let e = error(
        &db,
        "MATCH (a:A {name: 'a'}) RETURN valid_at(a, 'yesterday')",
    );
    assert_eq!(e.class, ErrorClass::TypeError, "{e}");
    let e = error(&db, "MATCH (a:A {name: 'a'}) RETURN valid_at(a)");
    assert_eq!(e.class, ErrorClass::SyntaxError, "{e}");
}

#[test]
fn valid_at_inside_valid_at_agrees_with_the_filter() {
    let db = hops_graph();
    assert_eq!(
        rows(
            &db,
            "VALID AT date('2025-06-01') MATCH (n) \
             RETURN n.name, valid_at(n, date('2025-06-01')), valid_at(n, date('2019-01-01')) \
             ORDER BY n.name"
        ),
        [
            "'a' | true | true",
            "'b_ok' | true | true",
            "'b_via_gone_rel' | true | true"
        ]
    );
}

// ---- with AS OF

#[test]
fn valid_at_combines_with_as_of_transaction_reading_the_bounds_as_they_were() {
    let db = db();
    // tx 1: valid until 2020. tx 2: valid until 2030. tx 3: a second node, always valid.
    run(&db, "CREATE (:E {name: 'x', valid_to: date('2020-01-01')})");
    run(
        &db,
        "MATCH (n:E {name: 'x'}) SET n.valid_to = date('2030-01-01')",
    );
    run(&db, "CREATE (:E {name: 'y'})");
    assert_eq!(db.last_transaction().unwrap_or(0), 3);
    let at = |tx: u64| {
        rows(
            &db,
            &format!("AS OF TRANSACTION {tx} VALID AT date('2025-06-01') MATCH (n:E) RETURN n.name ORDER BY n.name"),
        )
    };
    assert_eq!(at(0), names(&[]));
    assert_eq!(at(1), names(&[]));
    assert_eq!(at(2), names(&["x"]));
    assert_eq!(at(3), names(&["x", "y"]));
    // A bound added later does not hide the element as it was before.
    run(&db, "CREATE (:F {name: 'z'})"); // 4
    run(&db, "MATCH (n:F) SET n.valid_from = date('2030-01-01')"); // 5
    assert_eq!(
        rows(
            &db,
            "AS OF TRANSACTION 4 VALID AT date('2025-06-01') MATCH (n:F) RETURN n.name"
        ),
        names(&["z"])
    );
    assert_eq!(
        rows(&db, "VALID AT date('2025-06-01') MATCH (n:F) RETURN n.name"),
        names(&[])
    );
    assert_eq!(valid_names(&db, "date('2025-06-01')"), names(&["x", "y"]));
    assert_eq!(
        rows(
            &db,
            "AS OF TRANSACTION 1 VALID AT date('2019-06-01') MATCH (n:E) RETURN n.name"
        ),
        names(&["x"])
    );
    let plan = run(
        &db,
        "EXPLAIN AS OF TRANSACTION 2 VALID AT date('2025-06-01') MATCH (n:E) RETURN n",
    )
    .plan
    .unwrap_or_default();
    let mut lines = plan.lines();
    assert_eq!(lines.next(), Some("AsOf transaction 2"), "{plan}");
    assert!(
        lines
            .next()
            .is_some_and(|l| l.starts_with("ValidAt ") && l.contains("2025-06-01")),
        "{plan}"
    );
    // The same through QueryOptions::as_of.
    let options = skein::QueryOptions {
        as_of: Some(1),
        ..Default::default()
    };
    let result = db
        .execute_with(
            "VALID AT date('2025-06-01') MATCH (n:E) RETURN count(n)",
            &Params::new(),
            &options,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(texts(&result), ["0"]);
}

#[test]
fn counts_combine_as_of_and_valid_at() {
    let db = db();
    run(&db, "CREATE (:E {name: 'x'})-[:R]->(:E {name: 'y'})");
    run(
        &db,
        "MATCH (n:E {name: 'y'}) SET n.valid_to = date('2020-01-01')",
    );
    let count = |prefix: &str, q: &str| int(&db, &format!("{prefix} {q}"));
    for q in [
        "MATCH (n:E) RETURN count(*)",
        "MATCH ()-[r:R]->() RETURN count(r)",
    ] {
        let expected_now = if q.contains(":E") { 1 } else { 0 };
        assert_eq!(count(NOW, q), expected_now, "{q}");
        assert_eq!(
            count(&format!("AS OF TRANSACTION 1 {NOW}"), q),
            if q.contains(":E") { 2 } else { 1 },
            "{q}"
        );
        assert_eq!(
            count("AS OF TRANSACTION 2 VALID AT date('2019-01-01')", q),
            if q.contains(":E") { 2 } else { 1 },
            "{q}"
        );
    }
}

// ---- writes and errors

#[test]
fn writes_under_valid_at_are_refused_and_write_nothing() {
    let db = nodes_graph();
    let before = db.last_transaction().unwrap_or(0);
    // (query, the clause the message names, where the error is placed)
    for (query, clause, at) in [
        ("VALID AT date('2025-06-01') CREATE (:P {name: 'new'})", "CREATE", "CREATE"),
        ("VALID AT date('2025-06-01') MATCH (n:P) SET n.k = 0", "SET", "SET"),
        ("VALID AT date('2025-06-01') MERGE (:P {name: 'merged'})", "MERGE", "MERGE"),
        ("VALID AT date('2025-06-01') MATCH (n:P) DETACH DELETE n", "DELETE", "DETACH"),
        ("VALID AT date('2025-06-01') MATCH (n:P) REMOVE n.k", "REMOVE", "REMOVE"),
        (
            "VALID AT date('2025-06-01') MATCH (n:P) CALL { WITH n CREATE (:Copy) }",
            "CREATE",
            "CREATE",
        ),
        (
            "VALID AT date('2025-06-01') FOREACH (i IN [1] | CREATE (:P))",
            "FOREACH",
            "FOREACH",
        ),
        (
            "VALID AT date('2025-06-01') MATCH (n:P) RETURN n.name AS x UNION CREATE (m:P) RETURN 1 AS x",
            "CREATE",
            "CREATE",
        ),
    ] {
        let e = error(&db, query);
        assert_eq!(e.class, ErrorClass::SyntaxError, "{query}: {e}");
        assert_eq!(e.detail, "InvalidTimeTravelWrite", "{query}: {e}");
        assert!(e.message.contains(clause), "{query}: {e}");
        let position = e
            .position
            .unwrap_or_else(|| panic!("{query}: no position: {e}"));
        assert_eq!(position.line, 1, "{query}");
        assert_eq!(
            position.offset,
            query.find(at).unwrap_or(usize::MAX),
            "{query}: {e}"
        );
    }
    // A write procedure is refused too.
    let e = error(
        &db,
        "VALID AT date('2025-06-01') CALL db.retract('nothing')",
    );
    assert_eq!(e.class, ErrorClass::SyntaxError, "{e}");
    assert_eq!(e.detail, "InvalidTimeTravelWrite", "{e}");
    // A write on a later line is placed there.
    let e = error(
        &db,
        "VALID AT date('2025-06-01')\nMATCH (n:P)\n  SET n.k = 0",
    );
    let position = e.position.unwrap_or_else(|| panic!("no position: {e}"));
    assert_eq!((position.line, position.column), (3, 3), "{e}");
    assert_eq!(db.last_transaction().unwrap_or(0), before);
    assert_eq!(int(&db, "MATCH (n) RETURN count(n)"), 5);
    assert_eq!(int(&db, "MATCH (n:P) WHERE n.k = 0 RETURN count(n)"), 0);
}

#[test]
fn a_bound_that_is_not_temporal_is_an_error_naming_the_element() {
    let db = db();
    run(
        &db,
        "CREATE (:E {name: 'ok'}), (:E {name: 'bad', valid_from: '2020-01-01'})",
    );
    let bad = int(&db, "MATCH (n {name: 'bad'}) RETURN id(n)");
    let e = error(&db, "VALID AT date('2025-06-01') MATCH (n:E) RETURN n.name");
    assert_eq!(e.class, ErrorClass::TypeError, "{e}");
    assert!(e.message.contains(&format!("node {bad}")), "{e}");
    assert!(e.message.contains("valid_from"), "{e}");
    assert!(e.message.contains("2020-01-01"), "{e}");
    // valid_at() says the same.
    let e = error(
        &db,
        "MATCH (n:E {name: 'bad'}) RETURN valid_at(n, date('2025-06-01'))",
    );
    assert!(e.message.contains(&format!("node {bad}")), "{e}");
    // Without an instant the property is just a string.
    assert_eq!(
        rows(&db, "MATCH (n:E {name: 'bad'}) RETURN n.valid_from"),
        ["'2020-01-01'"]
    );
}

#[test]
fn a_relationship_bound_that_is_not_temporal_is_an_error_naming_it() {
    let db = db();
    run(&db, "CREATE (:A)-[:R {valid_to: 2020}]->(:B)");
    let rel = int(&db, "MATCH ()-[r:R]->() RETURN id(r)");
    let e = error(
        &db,
        "VALID AT date('2025-06-01') MATCH (:A)-[r]->() RETURN r",
    );
    assert_eq!(e.class, ErrorClass::TypeError, "{e}");
    assert!(e.message.contains(&format!("relationship {rel}")), "{e}");
    assert!(e.message.contains("valid_to"), "{e}");
}

#[test]
fn the_instant_must_be_a_date_a_local_datetime_or_a_datetime() {
    let db = nodes_graph();
    for instant in [
        "'2020-01-01'",
        "42",
        "localtime('10:00')",
        "duration('P1D')",
        "[1]",
    ] {
        let e = error(&db, &format!("VALID AT {instant} MATCH (n) RETURN n"));
        assert_eq!(e.class, ErrorClass::TypeError, "{instant}: {e}");
        assert!(e.message.contains("VALID AT"), "{instant}: {e}");
    }
    let e = error(&db, "VALID AT n.k MATCH (n) RETURN n");
    assert!(
        matches!(e.class, ErrorClass::SyntaxError | ErrorClass::SemanticError),
        "a variable in VALID AT: {e}"
    );
}

#[test]
fn valid_at_null_is_refused_or_reads_everything() {
    // VALID AT null names no instant: either an error or no filter, never a partial one.
    let db = nodes_graph();
    match db.execute("VALID AT null MATCH (n) RETURN count(n)", &Params::new()) {
        Ok(r) => assert_eq!(texts(&r), ["5"]),
        Err(e) => assert_eq!(e.class, ErrorClass::TypeError, "{e}"),
    }
}

#[test]
fn valid_at_inside_an_explicit_transaction_sees_its_own_writes() {
    let db = db();
    let mut txn = db.begin().unwrap_or_else(|e| panic!("{e}"));
    txn.execute(
        "CREATE (:E {name: 'x', valid_to: date('2020-01-01')}), (:E {name: 'y'})",
        &Params::new(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let r = txn
        .execute(
            "VALID AT date('2025-06-01') MATCH (n:E) RETURN n.name",
            &Params::new(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(texts(&r), ["'y'"]);
    let r = txn
        .execute("MATCH (n:E) RETURN count(n)", &Params::new())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(texts(&r), ["2"], "the instant stayed set");
    txn.commit().unwrap_or_else(|e| panic!("{e}"));
}

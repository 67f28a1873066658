//! The `algo.*` procedures as a user meets them: argument checking, options, composing
//! with MATCH/WITH/RETURN, and `algo.list()`.

use skein::{Database, Params};

fn db() -> Database {
    let db = Database::open_temporary().expect("database");
    db.execute(
        "CREATE (a:City {name: 'A'})-[:ROAD {km: 4}]->(b:City {name: 'B'}), \
                (b)-[:ROAD {km: 3}]->(c:City {name: 'C'}), \
                (a)-[:ROAD {km: 10}]->(c), \
                (c)-[:RAIL {km: 1}]->(d:Town {name: 'D'})",
        &Params::new(),
    )
    .expect("graph created");
    db
}

fn run(db: &Database, query: &str) -> Vec<String> {
    db.execute(query, &Params::new())
        .unwrap_or_else(|e| panic!("{query}: {e}"))
        .rows
        .iter()
        .map(|r| {
            r.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect()
}

fn error(db: &Database, query: &str) -> skein::Error {
    db.execute(query, &Params::new())
        .expect_err("the call is rejected")
}

#[test]
fn weighted_shortest_path_returns_the_path_and_its_cost() {
    let db = db();
    assert_eq!(
        run(
            &db,
            "MATCH (a {name: 'A'}), (c {name: 'C'}) \
             CALL algo.shortestPath(a, c, {weight: 'km'}) YIELD path, cost \
             RETURN [n IN nodes(path) | n.name], cost"
        ),
        vec!["['A', 'B', 'C'] | 7.0"]
    );
    assert_eq!(
        run(
            &db,
            "MATCH (a {name: 'A'}), (c {name: 'C'}) \
             CALL algo.shortestPath(a, c) YIELD path, cost \
             RETURN [n IN nodes(path) | n.name], cost"
        ),
        vec!["['A', 'C'] | 1.0"]
    );
}

#[test]
fn path_outputs_are_entities_with_labels_and_properties() {
    let db = db();
    let rows = run(
        &db,
        "MATCH (a {name: 'A'}), (d {name: 'D'}) \
         CALL algo.shortestPath(a, d, {weight: 'km'}) YIELD path RETURN path",
    );
    assert_eq!(rows.len(), 1);
    assert!(rows[0].contains(":Town {name: 'D'}"), "{}", rows[0]);
    assert!(rows[0].contains("[:ROAD {km: 4}]"), "{}", rows[0]);
}

#[test]
fn direction_and_types_restrict_the_projection() {
    let db = db();
    let query = |options: &str| {
        run(
            &db,
            &format!(
                "MATCH (d {{name: 'D'}}), (a {{name: 'A'}}) \
                 CALL algo.shortestPath(d, a, {options}) YIELD cost RETURN cost"
            ),
        )
    };
    assert!(query("{}").is_empty(), "no outgoing route from D");
    assert_eq!(query("{direction: 'BOTH'}"), vec!["2.0"]);
    assert_eq!(query("{direction: 'INCOMING', weight: 'km'}"), vec!["8.0"]);
    assert!(query("{direction: 'BOTH', types: ['ROAD']}").is_empty());
}

#[test]
fn procedures_compose_with_match_with_and_return() {
    let db = db();
    assert_eq!(
        run(
            &db,
            "CALL algo.pageRank() YIELD node, score \
             WITH node, score ORDER BY score DESC LIMIT 1 \
             MATCH (node)<-[r]-() RETURN node.name, count(r)"
        ),
        vec!["'D' | 1"]
    );
    assert_eq!(
        run(
            &db,
            "CALL algo.degree({labels: ['City']}) YIELD node, degree \
             RETURN node.name, degree ORDER BY node.name"
        ),
        vec!["'A' | 2", "'B' | 2", "'C' | 2"]
    );
}

#[test]
fn options_may_be_left_out_or_null() {
    let db = db();
    assert_eq!(
        run(
            &db,
            "CALL algo.connectedComponents() YIELD node RETURN count(node)"
        ),
        vec!["4"]
    );
    assert_eq!(
        run(&db, "CALL algo.connectedComponents(null) YIELD componentId RETURN count(DISTINCT componentId)"),
        vec!["1"]
    );
}

#[test]
fn unknown_option_is_an_argument_error_naming_the_allowed_ones() {
    let e = error(&db(), "CALL algo.pageRank({iteration: 5})");
    assert_eq!(e.class.name(), "ArgumentError");
    assert!(e.message.contains("unknown option `iteration`"), "{e}");
    assert!(e.message.contains("iterations"), "{e}");
}

#[test]
fn option_of_the_wrong_type_is_an_argument_error() {
    let db = db();
    for (query, words) in [
        (
            "CALL algo.pageRank({damping: 'high'})",
            "`damping` must be a finite number",
        ),
        ("CALL algo.pageRank({damping: 2.0})", "between 0 and 1"),
        (
            "CALL algo.degree({direction: 'UP'})",
            "'OUTGOING', 'INCOMING' or 'BOTH'",
        ),
        (
            "CALL algo.degree({types: [1]})",
            "`types` must be a LIST<STRING>",
        ),
        (
            "CALL algo.betweenness({samples: -1})",
            "must not be negative",
        ),
    ] {
        let e = error(&db, query);
        assert_eq!(e.class.name(), "ArgumentError", "{query}: {e}");
        assert!(e.message.contains(words), "{query}: {e}");
    }
}

#[test]
fn missing_or_unprojected_node_is_an_argument_error() {
    let db = db();
    let e = error(
        &db,
        "OPTIONAL MATCH (x:Nowhere) MATCH (a {name: 'A'}) \
         CALL algo.shortestPath(a, x) YIELD cost RETURN cost",
    );
    assert_eq!(e.class.name(), "ArgumentError");
    assert!(e.message.contains("`target` is null"), "{e}");
    let e = error(
        &db,
        "MATCH (a {name: 'A'}), (d {name: 'D'}) \
         CALL algo.shortestPath(a, d, {labels: ['City']}) YIELD cost RETURN cost",
    );
    assert_eq!(e.class.name(), "ArgumentError");
    assert!(e.message.contains("not in the projection"), "{e}");
}

#[test]
fn weights_must_be_numbers_and_not_negative() {
    let db = db();
    db.execute(
        "MATCH (a {name: 'A'})-[r]->(b {name: 'B'}) SET r.km = -1",
        &Params::new(),
    )
    .expect("set");
    let e = error(
        &db,
        "MATCH (a {name: 'A'}), (c {name: 'C'}) \
         CALL algo.shortestPath(a, c, {weight: 'km'}) YIELD cost RETURN cost",
    );
    assert!(e.message.contains("negative weight"), "{e}");
    db.execute(
        "MATCH (a {name: 'A'})-[r]->(b {name: 'B'}) SET r.km = 'far'",
        &Params::new(),
    )
    .expect("set");
    let e = error(
        &db,
        "MATCH (a {name: 'A'}), (c {name: 'C'}) \
         CALL algo.shortestPath(a, c, {weight: 'km'}) YIELD cost RETURN cost",
    );
    assert_eq!(e.class.name(), "ArgumentError");
    assert!(e.message.contains("must be a number"), "{e}");
}

#[test]
fn topological_sort_orders_a_dag_and_rejects_a_cycle() {
    let db = db();
    assert_eq!(
        run(
            &db,
            "CALL algo.topologicalSort() YIELD node, position RETURN node.name ORDER BY position"
        ),
        vec!["'A'", "'B'", "'C'", "'D'"]
    );
    db.execute(
        "MATCH (d {name: 'D'}), (a {name: 'A'}) CREATE (d)-[:BACK]->(a)",
        &Params::new(),
    )
    .expect("cycle");
    let e = error(&db, "CALL algo.topologicalSort()");
    assert_eq!(e.class.name(), "ArgumentError");
    assert!(e.message.contains("cycle"), "{e}");
}

#[test]
fn bfs_stops_at_max_depth() {
    let db = db();
    assert_eq!(
        run(
            &db,
            "MATCH (a {name: 'A'}) CALL algo.bfs(a, {maxDepth: 1}) YIELD node, depth \
             RETURN node.name, depth ORDER BY depth, node.name"
        ),
        vec!["'A' | 0", "'B' | 1", "'C' | 1"]
    );
}

#[test]
fn algo_list_documents_every_procedure_with_its_signature() {
    let rows = run(
        &db(),
        "CALL algo.list() YIELD name, signature RETURN name, signature",
    );
    for name in [
        "algo.shortestPath",
        "algo.allShortestPaths",
        "algo.bfs",
        "algo.pageRank",
        "algo.degree",
        "algo.betweenness",
        "algo.connectedComponents",
        "algo.stronglyConnectedComponents",
        "algo.triangleCount",
        "algo.labelPropagation",
        "algo.topologicalSort",
    ] {
        assert!(
            rows.iter()
                .any(|r| r.starts_with(&format!("'{name}' | '{name}("))),
            "{name} missing from {rows:?}"
        );
    }
}

#[test]
fn too_many_arguments_is_rejected() {
    let e = error(&db(), "CALL algo.pageRank({}, {})");
    assert!(e.message.contains("arguments"), "{e}");
}

#[test]
fn zero_weight_cycles_do_not_trap_all_shortest_paths() {
    let db = Database::open_temporary().expect("database");
    db.execute(
        "CREATE (a:P {name: 'a'})-[:R {w: 0}]->(b:P {name: 'b'})-[:R {w: 0}]->(a), \
                (b)-[:R {w: 1}]->(c:P {name: 'c'}), (a)-[:R {w: 1}]->(c)",
        &Params::new(),
    )
    .expect("graph");
    let rows = run(
        &db,
        "MATCH (a {name: 'a'}), (c {name: 'c'}) \
         CALL algo.allShortestPaths(a, c, {weight: 'w'}) YIELD path, cost \
         RETURN [n IN nodes(path) | n.name], cost ORDER BY size(nodes(path))",
    );
    assert_eq!(rows, vec!["['a', 'c'] | 1.0", "['a', 'b', 'c'] | 1.0"]);
}

//! Compares the engine's values with expected TCK values, as the reference harness does:
//! types must agree (an integer never equals a float), floats are equal when their
//! values are (NaN matches NaN), maps and property maps ignore key order, nodes compare
//! by label set and properties, relationships by type and properties, paths hop by hop
//! including direction. Temporal values are compared through their literal rendering
//! (`Value`'s `Display`) against the ISO string the TCK writes.
//!
//! Also compares whole result tables: in order, in any order (rows as a multiset), and
//! optionally ignoring the order of elements inside lists.

use crate::literal::{Expected, ExpectedNode, ExpectedPath, ExpectedRelationship};
use skein::{Node, Path, PropertyMap, Relationship, Value};

/// How lists inside values are compared.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ListOrder {
    Ordered,
    /// `ignoring element order for lists`: lists are multisets.
    Ignored,
}

/// Whether `actual` is the value `expected` describes.
pub fn matches(expected: &Expected, actual: &Value, lists: ListOrder) -> bool {
    match (expected, actual) {
        (Expected::Null, Value::Null) => true,
        (Expected::Bool(e), Value::Bool(a)) => e == a,
        (Expected::Int(e), Value::Int(a)) => e == a,
        (Expected::Float(e), Value::Float(a)) => floats_equal(*e, *a),
        (Expected::String(e), Value::String(a)) => e == a,
        (Expected::String(e), other) if other.is_temporal() => {
            other.temporal_text().is_some_and(|text| text == *e)
        }
        (Expected::List(e), Value::List(a)) => lists_match(e, a, lists),
        (Expected::Map(e), Value::Map(a)) => {
            e.len() == a.len()
                && e.iter().all(|(key, value)| {
                    a.get(key)
                        .is_some_and(|actual| matches(value, actual, lists))
                })
        }
        (Expected::Node(e), Value::Node(a)) => node_matches(e, a, lists),
        (Expected::Relationship(e), Value::Relationship(a)) => relationship_matches(e, a, lists),
        (Expected::Path(e), Value::Path(a)) => path_matches(e, a, lists),
        _ => false,
    }
}

fn floats_equal(expected: f64, actual: f64) -> bool {
    expected == actual || (expected.is_nan() && actual.is_nan())
}

fn lists_match(expected: &[Expected], actual: &[Value], lists: ListOrder) -> bool {
    if expected.len() != actual.len() {
        return false;
    }
    match lists {
        ListOrder::Ordered => expected
            .iter()
            .zip(actual)
            .all(|(e, a)| matches(e, a, lists)),
        ListOrder::Ignored => multiset_match(expected, actual, |e, a| matches(e, a, lists)),
    }
}

/// Whether every expected item pairs with a distinct actual item.
fn multiset_match<E, A>(expected: &[E], actual: &[A], same: impl Fn(&E, &A) -> bool) -> bool {
    let (missing, unexpected) = pair_up(expected, actual, same);
    missing.is_empty() && unexpected.is_empty()
}

/// Pairs each expected item with a distinct equal actual item; returns the indexes of
/// the expected items left without a partner and of the actual items left over. The
/// equality used is an equivalence, so taking the first free match never blocks a
/// later one.
fn pair_up<E, A>(
    expected: &[E],
    actual: &[A],
    same: impl Fn(&E, &A) -> bool,
) -> (Vec<usize>, Vec<usize>) {
    let mut used = vec![false; actual.len()];
    let mut missing = Vec::new();
    for (expected_index, e) in expected.iter().enumerate() {
        let found = actual
            .iter()
            .enumerate()
            .position(|(i, a)| !used.get(i).copied().unwrap_or(true) && same(e, a));
        match found.and_then(|i| used.get_mut(i)) {
            Some(slot) => *slot = true,
            None => missing.push(expected_index),
        }
    }
    let unexpected = used
        .iter()
        .enumerate()
        .filter(|(_, used)| !**used)
        .map(|(i, _)| i)
        .collect();
    (missing, unexpected)
}

fn properties_match(
    expected: &[(String, Expected)],
    actual: &PropertyMap,
    lists: ListOrder,
) -> bool {
    expected.len() == actual.len()
        && expected.iter().all(|(key, value)| {
            actual
                .get(key)
                .is_some_and(|actual| matches(value, actual, lists))
        })
}

fn node_matches(expected: &ExpectedNode, actual: &Node, lists: ListOrder) -> bool {
    let mut expected_labels: Vec<&str> = expected.labels.iter().map(String::as_str).collect();
    let mut actual_labels: Vec<&str> = actual.labels.iter().map(String::as_str).collect();
    expected_labels.sort_unstable();
    expected_labels.dedup();
    actual_labels.sort_unstable();
    actual_labels.dedup();
    expected_labels == actual_labels
        && properties_match(&expected.properties, &actual.properties, lists)
}

fn relationship_matches(
    expected: &ExpectedRelationship,
    actual: &Relationship,
    lists: ListOrder,
) -> bool {
    *expected.rel_type == *actual.rel_type
        && properties_match(&expected.properties, &actual.properties, lists)
}

fn path_matches(expected: &ExpectedPath, actual: &Path, lists: ListOrder) -> bool {
    if actual.nodes.len() != expected.hops.len() + 1
        || actual.relationships.len() != expected.hops.len()
    {
        return false;
    }
    let Some(first) = actual.nodes.first() else {
        return false;
    };
    if !node_matches(&expected.start, first, lists) {
        return false;
    }
    expected
        .hops
        .iter()
        .zip(actual.relationships.iter())
        .zip(actual.nodes.windows(2))
        .all(|((hop, rel), pair)| {
            let [from, to] = pair else {
                return false;
            };
            let direction_ok = if hop.forward {
                rel.start == from.id && rel.end == to.id
            } else {
                rel.start == to.id && rel.end == from.id
            };
            direction_ok
                && relationship_matches(&hop.relationship, rel, lists)
                && node_matches(&hop.node, to, lists)
        })
}

/// How result rows are compared.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RowOrder {
    InOrder,
    AnyOrder,
}

/// Compares a result against an expected table (header row first). `Err` says what
/// differs, for the failure report.
pub fn compare_table(
    expected: &[Vec<String>],
    columns: &[String],
    rows: &[Vec<Value>],
    row_order: RowOrder,
    lists: ListOrder,
) -> Result<(), String> {
    let Some((header, expected_cells)) = expected.split_first() else {
        return Err("the expected table has no header row".to_string());
    };
    if header != columns {
        return Err(format!(
            "columns differ: expected {header:?}, got {columns:?}"
        ));
    }
    let mut expected_rows = Vec::with_capacity(expected_cells.len());
    for (row_index, cells) in expected_cells.iter().enumerate() {
        if cells.len() != header.len() {
            return Err(format!(
                "expected row {} has {} cells for {} columns",
                row_index + 1,
                cells.len(),
                header.len()
            ));
        }
        let mut row = Vec::with_capacity(cells.len());
        for cell in cells {
            let value = crate::literal::parse(cell)
                .map_err(|e| format!("cannot read expected value {cell:?}: {e}"))?;
            row.push(value);
        }
        expected_rows.push(row);
    }
    if let Some(bad) = rows.iter().position(|row| row.len() != columns.len()) {
        return Err(format!(
            "result row {} has {} values for {} columns",
            bad + 1,
            rows.get(bad).map_or(0, Vec::len),
            columns.len()
        ));
    }
    let row_matches = |e: &Vec<Expected>, a: &Vec<Value>| {
        e.len() == a.len() && e.iter().zip(a).all(|(e, a)| matches(e, a, lists))
    };
    let same = match row_order {
        RowOrder::InOrder => {
            expected_rows.len() == rows.len()
                && expected_rows
                    .iter()
                    .zip(rows)
                    .all(|(e, a)| row_matches(e, a))
        }
        RowOrder::AnyOrder => multiset_match(&expected_rows, rows, row_matches),
    };
    if same {
        return Ok(());
    }
    let mut message = format!(
        "rows differ ({}): expected {} rows, got {}\n  expected:\n{}\n  actual:\n{}",
        match row_order {
            RowOrder::InOrder => "in order",
            RowOrder::AnyOrder => "in any order",
        },
        expected_rows.len(),
        rows.len(),
        render_expected(&expected_rows),
        render_actual(rows)
    );
    let (missing, unexpected) = pair_up(&expected_rows, rows, row_matches);
    if !missing.is_empty() || !unexpected.is_empty() {
        let missing: Vec<Vec<Expected>> = missing
            .iter()
            .filter_map(|&i| expected_rows.get(i).cloned())
            .collect();
        let unexpected: Vec<Vec<Value>> = unexpected
            .iter()
            .filter_map(|&i| rows.get(i).cloned())
            .collect();
        message.push_str(&format!(
            "\n  expected rows not in the result:\n{}\n  result rows not expected:\n{}",
            render_expected(&missing),
            render_actual(&unexpected)
        ));
    }
    Err(message)
}

/// Whether each value reads back, through the TCK's literal notation, as itself: what a
/// runner reading the binary's `--format literal` output relies on.
pub fn check_rendering(rows: &[Vec<Value>]) -> Result<(), String> {
    for value in rows.iter().flatten() {
        let text = value.to_string();
        match crate::literal::parse(&text) {
            Ok(read) if matches(&read, value, ListOrder::Ordered) => {}
            Ok(read) => {
                return Err(format!(
                    "the value rendered as {text} reads back as {read}, a different value"
                ))
            }
            Err(e) => {
                return Err(format!(
                    "the value rendered as {text} is not in literal notation: {e}"
                ))
            }
        }
    }
    Ok(())
}

fn render_expected(rows: &[Vec<Expected>]) -> String {
    if rows.is_empty() {
        return "    (no rows)".to_string();
    }
    rows.iter()
        .map(|row| {
            let cells: Vec<String> = row.iter().map(Expected::to_string).collect();
            format!("    | {} |", cells.join(" | "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Renders result rows for a failure report, through `Value`'s literal `Display`.
pub fn render_actual(rows: &[Vec<Value>]) -> String {
    if rows.is_empty() {
        return "    (no rows)".to_string();
    }
    rows.iter()
        .map(|row| {
            let cells: Vec<String> = row.iter().map(Value::to_string).collect();
            format!("    | {} |", cells.join(" | "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Checks of this module, run by the TCK runner before the scenarios.
pub mod selftest {
    use super::*;

    /// Every check in this module, by name.
    pub const TESTS: &[(&str, fn())] = &[
        (
            "compare::scalars_keep_their_types",
            scalars_keep_their_types,
        ),
        (
            "compare::maps_ignore_key_order_and_lists_keep_it",
            maps_ignore_key_order_and_lists_keep_it,
        ),
        (
            "compare::nodes_by_label_set_and_properties",
            nodes_by_label_set_and_properties,
        ),
        (
            "compare::relationships_by_type_and_properties",
            relationships_by_type_and_properties,
        ),
        ("compare::paths_follow_direction", paths_follow_direction),
        (
            "compare::tables_in_order_and_in_any_order",
            tables_in_order_and_in_any_order,
        ),
        (
            "compare::pairing_reports_leftovers",
            pairing_reports_leftovers,
        ),
    ];
    use skein::Map;

    fn expected(text: &str) -> Expected {
        crate::literal::parse(text).expect("the literal parses")
    }

    fn node(id: u64, labels: &[&str], props: &[(&str, Value)]) -> Node {
        Node {
            id,
            labels: labels.iter().map(|l| l.to_string()).collect(),
            properties: props
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        }
    }

    fn rel(id: u64, rel_type: &str, start: u64, end: u64) -> Relationship {
        Relationship {
            id,
            rel_type: rel_type.into(),
            start,
            end,
            properties: PropertyMap::new(),
        }
    }

    fn scalars_keep_their_types() {
        let ordered = ListOrder::Ordered;
        assert!(matches(&expected("1"), &Value::Int(1), ordered));
        assert!(!matches(&expected("1"), &Value::Float(1.0), ordered));
        assert!(!matches(&expected("1.0"), &Value::Int(1), ordered));
        assert!(matches(&expected("1.0"), &Value::Float(1.0), ordered));
        assert!(matches(&expected("NaN"), &Value::Float(f64::NAN), ordered));
        assert!(matches(&expected("'a'"), &Value::from("a"), ordered));
        assert!(!matches(&expected("'1'"), &Value::Int(1), ordered));
        assert!(matches(&expected("null"), &Value::Null, ordered));
        assert!(!matches(&expected("null"), &Value::Bool(false), ordered));
    }

    fn maps_ignore_key_order_and_lists_keep_it() {
        let mut map = Map::new();
        map.insert("b".into(), Value::Int(2));
        map.insert("a".into(), Value::Int(1));
        let map = Value::Map(map);
        assert!(matches(&expected("{a: 1, b: 2}"), &map, ListOrder::Ordered));
        assert!(!matches(&expected("{a: 1}"), &map, ListOrder::Ordered));
        assert!(!matches(
            &expected("{a: 1, b: 2, c: 3}"),
            &map,
            ListOrder::Ordered
        ));

        let list = Value::from(vec![Value::Int(2), Value::Int(1), Value::Int(1)]);
        assert!(!matches(&expected("[1, 1, 2]"), &list, ListOrder::Ordered));
        assert!(matches(&expected("[1, 1, 2]"), &list, ListOrder::Ignored));
        assert!(!matches(&expected("[1, 2, 2]"), &list, ListOrder::Ignored));
    }

    fn nodes_by_label_set_and_properties() {
        let n = Value::Node(node(7, &["B", "A"], &[("name", Value::from("x"))]));
        assert!(matches(
            &expected("(:A:B {name: 'x'})"),
            &n,
            ListOrder::Ordered
        ));
        assert!(!matches(
            &expected("(:A {name: 'x'})"),
            &n,
            ListOrder::Ordered
        ));
        assert!(!matches(&expected("(:A:B)"), &n, ListOrder::Ordered));
        assert!(!matches(
            &expected("(:A:B {name: 'y'})"),
            &n,
            ListOrder::Ordered
        ));
    }

    fn relationships_by_type_and_properties() {
        let mut r = rel(1, "T", 1, 2);
        r.properties.insert("k".into(), Value::Int(1));
        let r = Value::Relationship(r);
        assert!(matches(&expected("[:T {k: 1}]"), &r, ListOrder::Ordered));
        assert!(!matches(&expected("[:U {k: 1}]"), &r, ListOrder::Ordered));
        assert!(!matches(&expected("[:T]"), &r, ListOrder::Ordered));
    }

    fn paths_follow_direction() {
        let path = Value::Path(Path {
            nodes: vec![
                node(1, &["A"], &[]),
                node(2, &["B"], &[]),
                node(3, &[], &[]),
            ],
            relationships: vec![rel(10, "T", 1, 2), rel(11, "U", 3, 2)],
        });
        assert!(matches(
            &expected("<(:A)-[:T]->(:B)<-[:U]-()>"),
            &path,
            ListOrder::Ordered
        ));
        assert!(!matches(
            &expected("<(:A)-[:T]->(:B)-[:U]->()>"),
            &path,
            ListOrder::Ordered
        ));
        assert!(!matches(
            &expected("<(:A)-[:T]->(:B)>"),
            &path,
            ListOrder::Ordered
        ));
        let single = Value::Path(Path {
            nodes: vec![node(1, &["A"], &[])],
            relationships: vec![],
        });
        assert!(matches(&expected("<(:A)>"), &single, ListOrder::Ordered));
    }

    fn table(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    fn tables_in_order_and_in_any_order() {
        let columns = vec!["x".to_string()];
        let rows = vec![vec![Value::Int(2)], vec![Value::Int(1)]];
        let expected_rows = table(&[&["x"], &["1"], &["2"]]);
        assert!(compare_table(
            &expected_rows,
            &columns,
            &rows,
            RowOrder::AnyOrder,
            ListOrder::Ordered
        )
        .is_ok());
        assert!(compare_table(
            &expected_rows,
            &columns,
            &rows,
            RowOrder::InOrder,
            ListOrder::Ordered
        )
        .is_err());
        let duplicate = table(&[&["x"], &["1"], &["1"]]);
        assert!(compare_table(
            &duplicate,
            &columns,
            &rows,
            RowOrder::AnyOrder,
            ListOrder::Ordered
        )
        .is_err());
        let wrong_header = table(&[&["y"], &["1"], &["2"]]);
        let message = compare_table(
            &wrong_header,
            &columns,
            &rows,
            RowOrder::AnyOrder,
            ListOrder::Ordered,
        )
        .expect_err("the header differs");
        assert!(message.contains("columns differ"));
        let header_only = table(&[&["x"]]);
        assert!(compare_table(
            &header_only,
            &columns,
            &[],
            RowOrder::AnyOrder,
            ListOrder::Ordered
        )
        .is_ok());
        assert!(compare_table(
            &header_only,
            &columns,
            &rows,
            RowOrder::AnyOrder,
            ListOrder::Ordered
        )
        .is_err());
    }

    fn pairing_reports_leftovers() {
        let same = |e: &i32, a: &i32| e == a;
        assert_eq!(
            pair_up(&[1, 2, 2, 3], &[2, 3, 4], same),
            (vec![0, 2], vec![2])
        );
        assert_eq!(pair_up(&[1, 1], &[1, 1], same), (vec![], vec![]));
        let columns = vec!["x".to_string()];
        let rows = vec![vec![Value::Int(1)], vec![Value::Int(5)]];
        let message = compare_table(
            &table(&[&["x"], &["1"], &["2"]]),
            &columns,
            &rows,
            RowOrder::AnyOrder,
            ListOrder::Ordered,
        )
        .expect_err("the rows differ");
        let missing = message
            .split("expected rows not in the result:")
            .nth(1)
            .expect("missing rows are listed");
        assert!(missing.contains("| 2 |"));
        assert!(missing.contains("result rows not expected:"));
    }
}

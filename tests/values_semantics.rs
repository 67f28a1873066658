//! Value semantics: equality, comparison, ORDER BY order, grouping, arithmetic and the
//! literal rendering, with cases taken from what the openCypher TCK expects.

use skein::testing::value::{self, ComparisonOp};
use skein::{ErrorClass, Map, Node, Path, Relationship, Value};
use std::cmp::Ordering;

fn int(i: i64) -> Value {
    Value::Int(i)
}
fn float(f: f64) -> Value {
    Value::Float(f)
}
fn s(text: &str) -> Value {
    Value::String(text.to_string())
}
fn list(items: Vec<Value>) -> Value {
    Value::List(items)
}
fn map(entries: Vec<(&str, Value)>) -> Value {
    let mut m = Map::new();
    for (k, v) in entries {
        m.insert(k.to_string(), v);
    }
    Value::Map(m)
}
fn nan() -> Value {
    float(f64::NAN)
}
fn node(id: u64, labels: &[&str], props: Vec<(&str, Value)>) -> Node {
    Node {
        id,
        labels: labels.iter().map(|l| l.to_string()).collect(),
        properties: props.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
    }
}
fn rel(id: u64, t: &str, start: u64, end: u64, props: Vec<(&str, Value)>) -> Relationship {
    Relationship {
        id,
        rel_type: t.into(),
        start,
        end,
        properties: props.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
    }
}

/// Renders a result so tests compare values and errors in one assertion.
fn shown(r: skein::Result<Value>) -> String {
    match r {
        Ok(v) => v.to_string(),
        Err(e) => format!("{}/{}", e.class, e.detail),
    }
}

#[test]
fn equality_of_numbers_strings_and_nan() {
    assert_eq!(int(1).equals(&float(1.0)), Some(true));
    assert_eq!(float(1.0).equals(&float(1.0)), Some(true));
    assert_eq!(s("1").equals(&int(1)), Some(false));
    assert_eq!(s("1.0").equals(&float(1.0)), Some(false));
    assert_eq!(nan().equals(&nan()), Some(false));
    assert_eq!(nan().equals(&int(1)), Some(false));
    assert_eq!(nan().equals(&s("a")), Some(false));
    assert_eq!(Value::Null.equals(&Value::Null), None);
    // Large integers are not rounded through floats.
    assert_eq!(
        int(4611686018427387905).equals(&int(4611686018427387900)),
        Some(false)
    );
    assert_eq!(
        int(9007199254740993).equals(&float(9007199254740992.0)),
        Some(false)
    );
}

#[test]
fn equality_of_lists_is_three_valued() {
    assert_eq!(
        list(vec![int(1), int(2)]).equals(&list(vec![int(1)])),
        Some(false)
    );
    assert_eq!(list(vec![Value::Null]).equals(&list(vec![int(1)])), None);
    assert_eq!(list(vec![s("a")]).equals(&list(vec![int(1)])), Some(false));
    let l1 = list(vec![list(vec![int(1)]), list(vec![int(2)])]);
    let l2 = list(vec![list(vec![int(1)]), list(vec![Value::Null])]);
    assert_eq!(l1.equals(&l2), None);
    let l3 = list(vec![list(vec![int(1)]), list(vec![int(2), int(3)])]);
    assert_eq!(l3.equals(&l2), Some(false));
    assert_eq!(
        list(vec![int(1), int(2)]).equals(&list(vec![Value::Null, s("foo")])),
        Some(false)
    );
    assert_eq!(list(vec![int(1), int(2)]).equals(&s("foo")), Some(false));
}

#[test]
fn equality_of_maps_is_three_valued() {
    assert_eq!(map(vec![]).equals(&map(vec![])), Some(true));
    assert_eq!(
        map(vec![("k", s("a")), ("l", int(2))]).equals(&map(vec![("l", int(2)), ("k", s("a"))])),
        Some(true)
    );
    assert_eq!(
        map(vec![]).equals(&map(vec![("k", Value::Null)])),
        Some(false)
    );
    assert_eq!(
        map(vec![("k", Value::Null)]).equals(&map(vec![("k", Value::Null), ("l", Value::Null)])),
        Some(false)
    );
    assert_eq!(
        map(vec![("k", Value::Null)]).equals(&map(vec![("k", Value::Null)])),
        None
    );
    assert_eq!(
        map(vec![("k", int(1)), ("l", Value::Null)])
            .equals(&map(vec![("k", Value::Null), ("l", int(1))])),
        None
    );
}

#[test]
fn entities_are_equal_by_identity() {
    let a = Value::Node(node(1, &["A"], vec![]));
    let b = Value::Node(Node::with_id(1));
    assert_eq!(a.equals(&b), Some(true));
    assert_eq!(a.equals(&Value::Node(Node::with_id(2))), Some(false));
    // A loop walked either way is the same path.
    let r = rel(5, "LOOP", 1, 1, vec![]);
    let p = Value::Path(Path {
        nodes: vec![Node::with_id(1), Node::with_id(1)],
        relationships: vec![r.clone()],
    });
    let q = Value::Path(Path {
        nodes: vec![Node::with_id(1), Node::with_id(1)],
        relationships: vec![r],
    });
    assert_eq!(p.equals(&q), Some(true));
}

#[test]
fn comparison_across_types_is_null_except_numbers() {
    assert_eq!(
        int(1).compare_op(ComparisonOp::Less, &float(2.5)),
        Some(true)
    );
    assert_eq!(
        float(2.5).compare_op(ComparisonOp::GreaterOrEqual, &int(1)),
        Some(true)
    );
    assert_eq!(s("1").compare_op(ComparisonOp::Less, &int(1)), None);
    assert_eq!(
        int(1).compare_op(ComparisonOp::Less, &float(1.0)),
        Some(false)
    );
    assert_eq!(
        Value::Bool(false).compare(&Value::Bool(true)),
        Some(Ordering::Less)
    );
    assert_eq!(s("a").compare(&s("b")), Some(Ordering::Less));
    assert_eq!(Value::Bool(true).compare(&int(1)), None);
    assert_eq!(
        Value::Node(Node::with_id(1)).compare(&Value::Node(Node::with_id(2))),
        None
    );
    assert_eq!(map(vec![]).compare(&map(vec![])), None);
}

#[test]
fn comparison_with_nan_is_false() {
    for op in [
        ComparisonOp::Less,
        ComparisonOp::LessOrEqual,
        ComparisonOp::Greater,
        ComparisonOp::GreaterOrEqual,
    ] {
        assert_eq!(nan().compare_op(op, &int(1)), Some(false));
        assert_eq!(nan().compare_op(op, &float(1.0)), Some(false));
        assert_eq!(nan().compare_op(op, &nan()), Some(false));
        assert_eq!(nan().compare_op(op, &s("a")), None);
    }
}

#[test]
fn comparison_of_lists_is_lexicographic() {
    let ge = |a: Value, b: Value| a.compare_op(ComparisonOp::GreaterOrEqual, &b);
    assert_eq!(
        ge(list(vec![int(1), int(0)]), list(vec![int(1)])),
        Some(true)
    );
    assert_eq!(
        ge(list(vec![int(1), Value::Null]), list(vec![int(1)])),
        Some(true)
    );
    assert_eq!(
        ge(list(vec![int(1), int(2)]), list(vec![int(1), Value::Null])),
        None
    );
    assert_eq!(
        ge(list(vec![int(1), s("a")]), list(vec![int(1), Value::Null])),
        None
    );
    assert_eq!(
        ge(list(vec![int(1), int(2)]), list(vec![int(3), Value::Null])),
        Some(false)
    );
}

#[test]
fn order_ranks_types_as_order_by_does() {
    let n = Value::Node(node(1, &["N"], vec![]));
    let r = Value::Relationship(rel(1, "REL", 1, 2, vec![]));
    let p = Value::Path(Path {
        nodes: vec![node(1, &["N"], vec![]), Node::with_id(2)],
        relationships: vec![rel(1, "REL", 1, 2, vec![])],
    });
    let mut values = vec![
        n,
        r,
        p,
        float(1.5),
        list(vec![s("list")]),
        s("text"),
        Value::Null,
        Value::Bool(false),
        nan(),
        map(vec![("a", s("map"))]),
    ];
    values.sort_by(|a, b| a.order(b));
    let shown: Vec<String> = values.iter().map(|v| v.to_string()).collect();
    assert_eq!(
        shown,
        vec![
            "{a: 'map'}",
            "(:N)",
            "[:REL]",
            "['list']",
            "<(:N)-[:REL]->()>",
            "'text'",
            "false",
            "1.5",
            "NaN",
            "null"
        ]
    );
}

#[test]
fn order_of_lists_puts_nulls_last_elementwise() {
    let mut values = [
        list(vec![Value::Null, int(2)]),
        list(vec![int(1), Value::Null]),
        list(vec![]),
        list(vec![int(1), s("a")]),
        list(vec![s("a"), int(1)]),
        list(vec![int(1)]),
        list(vec![Value::Null, int(1)]),
        list(vec![s("a")]),
    ];
    values.sort_by(|a, b| a.order(b));
    let shown: Vec<String> = values.iter().map(|v| v.to_string()).collect();
    assert_eq!(
        shown,
        vec![
            "[]",
            "['a']",
            "['a', 1]",
            "[1]",
            "[1, 'a']",
            "[1, null]",
            "[null, 1]",
            "[null, 2]"
        ]
    );
}

#[test]
fn order_of_mixed_numbers_and_strings() {
    let mut values = [int(3), float(0.1), int(-2), float(2.5), s("B"), s("a")];
    values.sort_by(|a, b| a.order(b));
    let shown: Vec<String> = values.iter().map(|v| v.to_string()).collect();
    assert_eq!(shown, vec!["'B'", "'a'", "-2", "0.1", "2.5", "3"]);
    assert_eq!(int(1).order(&float(1.0)), Ordering::Equal);
}

#[test]
fn group_keys_identify_equivalent_values() {
    assert_eq!(int(1).group_key(), float(1.0).group_key());
    assert_eq!(Value::Null.group_key(), Value::Null.group_key());
    assert_eq!(nan().group_key(), nan().group_key());
    assert_eq!(float(-0.0).group_key(), int(0).group_key());
    assert_ne!(int(1).group_key(), s("1").group_key());
    assert_ne!(float(1.5).group_key(), int(1).group_key());
    assert_eq!(
        list(vec![int(1), map(vec![("a", int(2)), ("b", float(3.0))])]).group_key(),
        list(vec![float(1.0), map(vec![("b", int(3)), ("a", int(2))])]).group_key()
    );
    assert_ne!(
        list(vec![int(1)]).group_key(),
        list(vec![int(1), int(1)]).group_key()
    );
}

/// `same_group` and `hash_group` (grouping without building keys) agree with
/// `group_key` on every pair of a mixed set of values.
#[test]
fn borrowed_grouping_agrees_with_group_keys() {
    use std::hash::{BuildHasher, Hasher};
    let values = vec![
        Value::Null,
        Value::Bool(true),
        int(0),
        float(-0.0),
        int(1),
        float(1.0),
        float(1.5),
        nan(),
        float(1e300),
        s("1"),
        s(""),
        list(vec![int(1)]),
        list(vec![float(1.0)]),
        map(vec![("a", int(1))]),
        map(vec![("a", float(1.0))]),
        Value::Node(node(1, &[], vec![])),
        Value::Node(node(1, &["L"], vec![])),
        Value::Node(node(2, &[], vec![])),
        Value::Relationship(rel(1, "T", 1, 2, vec![])),
    ];
    let state = std::hash::RandomState::new();
    let hash = |v: &Value| {
        let mut h = state.build_hasher();
        v.hash_group(&mut h);
        h.finish()
    };
    for a in &values {
        for b in &values {
            let same = a.group_key() == b.group_key();
            assert_eq!(a.same_group(b), same, "{a:?} and {b:?}");
            if same {
                assert_eq!(hash(a), hash(b), "{a:?} and {b:?} hash apart");
            }
        }
    }
}

#[test]
fn integer_arithmetic() {
    assert_eq!(shown(value::add(&int(2), &int(3))), "5");
    assert_eq!(shown(value::subtract(&int(2), &int(3))), "-1");
    assert_eq!(shown(value::multiply(&int(4), &int(3))), "12");
    assert_eq!(shown(value::divide(&int(7), &int(2))), "3");
    assert_eq!(shown(value::divide(&int(-7), &int(2))), "-3");
    assert_eq!(shown(value::modulo(&int(-7), &int(2))), "-1");
    assert_eq!(shown(value::power(&int(4), &int(3))), "64.0");
    assert_eq!(shown(value::negate(&int(3))), "-3");
    assert_eq!(
        shown(value::add(&int(i64::MAX), &int(1))),
        "ArithmeticError/IntegerOverflow"
    );
    assert_eq!(
        shown(value::negate(&int(i64::MIN))),
        "ArithmeticError/IntegerOverflow"
    );
    assert_eq!(
        shown(value::divide(&int(1), &int(0))),
        "ArithmeticError/DivisionByZero"
    );
    assert_eq!(
        shown(value::modulo(&int(1), &int(0))),
        "ArithmeticError/DivisionByZero"
    );
}

#[test]
fn float_arithmetic_and_promotion() {
    assert_eq!(shown(value::add(&int(1), &float(0.5))), "1.5");
    assert_eq!(shown(value::divide(&int(1), &float(0.0))), "Infinity");
    assert_eq!(shown(value::divide(&float(0.0), &float(0.0))), "NaN");
    assert_eq!(shown(value::divide(&float(-1.0), &int(0))), "-Infinity");
    assert_eq!(shown(value::modulo(&float(7.5), &int(2))), "1.5");
    assert_eq!(shown(value::power(&int(-3), &int(2))), "9.0");
    assert_eq!(shown(value::negate(&float(2.5))), "-2.5");
}

#[test]
fn null_propagates_through_arithmetic() {
    assert_eq!(shown(value::add(&Value::Null, &int(1))), "null");
    assert_eq!(shown(value::multiply(&s("a"), &Value::Null)), "null");
    assert_eq!(shown(value::power(&Value::Null, &Value::Null)), "null");
    assert_eq!(shown(value::negate(&Value::Null)), "null");
}

#[test]
fn concatenation_of_strings_and_lists() {
    assert_eq!(shown(value::add(&s("ab"), &s("c"))), "'abc'");
    assert_eq!(shown(value::add(&s("a"), &int(1))), "'a1'");
    assert_eq!(shown(value::add(&float(1.5), &s("x"))), "'1.5x'");
    assert_eq!(
        shown(value::add(
            &list(vec![int(1), int(10)]),
            &list(vec![int(4)])
        )),
        "[1, 10, 4]"
    );
    assert_eq!(
        shown(value::add(
            &list(vec![Value::Bool(false), Value::Bool(true)]),
            &Value::Bool(false)
        )),
        "[false, true, false]"
    );
    assert_eq!(shown(value::add(&int(0), &list(vec![int(1)]))), "[0, 1]");
}

#[test]
fn wrong_operand_types_are_type_errors() {
    assert_eq!(
        shown(value::add(&Value::Bool(true), &int(1))),
        "TypeError/InvalidArgumentType"
    );
    assert_eq!(
        shown(value::subtract(&s("a"), &int(1))),
        "TypeError/InvalidArgumentType"
    );
    assert_eq!(
        shown(value::multiply(&map(vec![]), &int(1))),
        "TypeError/InvalidArgumentType"
    );
    assert_eq!(
        shown(value::negate(&s("a"))),
        "TypeError/InvalidArgumentType"
    );
    let e = value::add(&s("a"), &map(vec![]));
    assert!(matches!(e, Err(ref err) if err.class == ErrorClass::TypeError));
}

#[test]
fn literal_rendering_of_scalars() {
    assert_eq!(Value::Null.to_string(), "null");
    assert_eq!(Value::Bool(true).to_string(), "true");
    assert_eq!(int(-42).to_string(), "-42");
    assert_eq!(float(4.0).to_string(), "4.0");
    assert_eq!(float(0.1).to_string(), "0.1");
    assert_eq!(float(3985764.3405892687).to_string(), "3985764.3405892686");
    assert_eq!(float(1e9).to_string(), "1000000000.0");
    assert_eq!(float(1e-5).to_string(), "0.00001");
    assert_eq!(float(1e-305).to_string(), "1e-305");
    assert_eq!(
        float(-1.2635418652381264e305).to_string(),
        "-1.2635418652381264e305"
    );
    assert_eq!(float(-0.0).to_string(), "0.0");
    assert_eq!(nan().to_string(), "NaN");
    assert_eq!(float(f64::INFINITY).to_string(), "Infinity");
    assert_eq!(float(f64::NEG_INFINITY).to_string(), "-Infinity");
    assert_eq!(s("it's").to_string(), r"'it\'s'");
    assert_eq!(s("a\\b\tc\nd\"").to_string(), r#"'a\\b\tc\nd"'"#);
}

#[test]
fn literal_rendering_of_collections_and_entities() {
    assert_eq!(list(vec![int(1), s("a")]).to_string(), "[1, 'a']");
    assert_eq!(
        map(vec![("name", s("Popeye")), ("level", int(9001))]).to_string(),
        "{name: 'Popeye', level: 9001}"
    );
    assert_eq!(map(vec![("a b", int(1))]).to_string(), "{`a b`: 1}");
    let n = node(1, &["Foo", "Bar"], vec![("v", int(1)), ("name", s("x"))]);
    assert_eq!(Value::Node(n).to_string(), "(:Foo:Bar {name: 'x', v: 1})");
    assert_eq!(Value::Node(Node::with_id(3)).to_string(), "()");
    assert_eq!(
        Value::Node(node(3, &[], vec![("id", int(0))])).to_string(),
        "({id: 0})"
    );
    assert_eq!(
        Value::Relationship(rel(1, "AGREED", 1, 2, vec![("year", int(2014))])).to_string(),
        "[:AGREED {year: 2014}]"
    );
    let p = Path {
        nodes: vec![
            node(1, &["A"], vec![]),
            node(2, &["B"], vec![]),
            node(3, &["C"], vec![]),
        ],
        relationships: vec![rel(10, "T", 1, 2, vec![]), rel(11, "U", 3, 2, vec![])],
    };
    assert_eq!(Value::Path(p).to_string(), "<(:A)-[:T]->(:B)<-[:U]-(:C)>");
    let single = Path {
        nodes: vec![node(1, &["A"], vec![])],
        relationships: vec![],
    };
    assert_eq!(Value::Path(single).to_string(), "<(:A)>");
}

//! The scalar function library and the aggregations, with cases taken from what the
//! openCypher TCK expects.

use skein::testing::catalog;
use skein::testing::exec::aggregate::{self, Aggregator};
use skein::testing::exec::functions;
use skein::{Map, Node, Path, Relationship, Value};

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

/// Calls a function and shows the answer as a literal, or an error as `Class/Detail`.
fn call(name: &str, args: Vec<Value>) -> String {
    match functions::call(name, args) {
        Ok(v) => v.to_string(),
        Err(e) => format!("{}/{}", e.class, e.detail),
    }
}

fn node() -> Node {
    Node {
        id: 7,
        labels: vec!["Foo".into(), "Bar".into()],
        properties: [
            ("name".to_string(), s("Popeye")),
            ("level".to_string(), int(9001)),
        ]
        .into_iter()
        .collect(),
    }
}

fn relationship() -> Relationship {
    Relationship {
        id: 3,
        rel_type: "KNOWS".into(),
        start: 7,
        end: 9,
        properties: [("year".to_string(), s("2015"))].into_iter().collect(),
    }
}

#[test]
fn entity_accessors() {
    let n = Value::Node(node());
    let r = Value::Relationship(relationship());
    assert_eq!(call("id", vec![n.clone()]), "7");
    assert_eq!(call("labels", vec![n.clone()]), "['Foo', 'Bar']");
    assert_eq!(call("keys", vec![n.clone()]), "['level', 'name']");
    assert_eq!(
        call("properties", vec![n.clone()]),
        "{level: 9001, name: 'Popeye'}"
    );
    assert_eq!(call("type", vec![r.clone()]), "'KNOWS'");
    assert_eq!(call("keys", vec![r.clone()]), "['year']");
    assert_eq!(call("id", vec![r.clone()]), "3");
    match functions::call("startnode", vec![r.clone()]) {
        Ok(Value::Node(start)) => assert_eq!(start.id, 7),
        other => panic!("startNode gave {other:?}"),
    }
    match functions::call("endnode", vec![r.clone()]) {
        Ok(Value::Node(end)) => assert_eq!(end.id, 9),
        other => panic!("endNode gave {other:?}"),
    }
    for f in [
        "labels",
        "type",
        "keys",
        "properties",
        "nodes",
        "length",
        "id",
    ] {
        assert_eq!(call(f, vec![Value::Null]), "null", "{f}(null)");
    }
    assert_eq!(
        call("labels", vec![int(1)]),
        "TypeError/InvalidArgumentValue"
    );
    for bad in [int(0), float(1.0), Value::Bool(true), s(""), list(vec![])] {
        assert_eq!(call("type", vec![bad]), "TypeError/InvalidArgumentValue");
    }
    let mut m = Map::new();
    m.insert("name".into(), s("Popeye"));
    m.insert("level".into(), int(9001));
    assert_eq!(
        call("properties", vec![Value::Map(m.clone())]),
        "{name: 'Popeye', level: 9001}"
    );
    assert_eq!(call("keys", vec![Value::Map(m)]), "['name', 'level']");
}

#[test]
fn path_functions() {
    let a = Node {
        id: 1,
        labels: vec!["A".into()],
        ..Node::default()
    };
    let b = Node {
        id: 2,
        labels: vec!["B".into()],
        ..Node::default()
    };
    let r = Relationship {
        id: 5,
        rel_type: "REL".into(),
        start: 1,
        end: 2,
        properties: [("num".to_string(), int(1))].into_iter().collect(),
    };
    let p = Value::Path(Path {
        nodes: vec![a, b],
        relationships: vec![r],
    });
    assert_eq!(call("nodes", vec![p.clone()]), "[(:A), (:B)]");
    assert_eq!(call("relationships", vec![p.clone()]), "[[:REL {num: 1}]]");
    assert_eq!(call("length", vec![p.clone()]), "1");
    assert_eq!(call("size", vec![p]), "TypeError/InvalidArgumentValue");
    assert_eq!(
        call("length", vec![Value::Node(node())]),
        "TypeError/InvalidArgumentValue"
    );
}

#[test]
fn list_functions() {
    let l = list(vec![int(1), int(2), int(3)]);
    assert_eq!(call("size", vec![l.clone()]), "3");
    assert_eq!(call("size", vec![s("héllo")]), "5");
    assert_eq!(call("size", vec![Value::Null]), "null");
    assert_eq!(call("head", vec![l.clone()]), "1");
    assert_eq!(call("last", vec![l.clone()]), "3");
    assert_eq!(call("tail", vec![l.clone()]), "[2, 3]");
    assert_eq!(call("head", vec![list(vec![])]), "null");
    assert_eq!(call("tail", vec![list(vec![])]), "[]");
    assert_eq!(call("reverse", vec![l]), "[3, 2, 1]");
    assert_eq!(call("reverse", vec![s("raksO")]), "'Oskar'");
    assert_eq!(call("coalesce", vec![Value::Null, s("x"), s("y")]), "'x'");
    assert_eq!(call("coalesce", vec![Value::Null]), "null");
    assert_eq!(call("isempty", vec![list(vec![])]), "true");
    assert_eq!(call("isempty", vec![s("a")]), "false");
}

#[test]
fn range_function() {
    assert_eq!(
        call("range", vec![int(-1236), int(-1234)]),
        "[-1236, -1235, -1234]"
    );
    assert_eq!(call("range", vec![int(0), int(-1)]), "[]");
    assert_eq!(call("range", vec![int(0), int(0)]), "[0]");
    assert_eq!(call("range", vec![int(0), int(10), int(3)]), "[0, 3, 6, 9]");
    assert_eq!(call("range", vec![int(5), int(1), int(-2)]), "[5, 3, 1]");
    assert_eq!(call("range", vec![int(0), int(5), int(-1)]), "[]");
    assert_eq!(
        call("range", vec![int(2), int(8), int(0)]),
        "ArgumentError/NumberOutOfRange"
    );
    for bad in [
        vec![Value::Bool(true), int(1), int(1)],
        vec![float(0.0), int(1), int(1)],
        vec![int(0), s("xyz"), int(1)],
        vec![int(0), int(1), list(vec![int(1)])],
    ] {
        assert_eq!(call("range", bad), "ArgumentError/InvalidArgumentType");
    }
    assert_eq!(
        call("range", vec![int(0), int(i64::MAX)]),
        "ArgumentError/NumberOutOfRange"
    );
    assert_eq!(functions::range_len(i64::MIN, i64::MAX, 1), u64::MAX);
    assert_eq!(functions::range_len(0, 10, 5), 3);
}

#[test]
fn conversions() {
    assert_eq!(call("tointeger", vec![float(82.9)]), "82");
    assert_eq!(call("tointeger", vec![s("foo")]), "null");
    assert_eq!(call("tointeger", vec![s("")]), "null");
    assert_eq!(call("tointeger", vec![s("1.7")]), "1");
    assert_eq!(call("tointeger", vec![s("42")]), "42");
    assert_eq!(call("tointeger", vec![Value::Bool(true)]), "1");
    assert_eq!(call("tointeger", vec![s("NaN")]), "null");
    assert_eq!(
        call("tointeger", vec![list(vec![])]),
        "TypeError/InvalidArgumentValue"
    );
    assert_eq!(call("tointegerornull", vec![list(vec![])]), "null");
    assert_eq!(call("tofloat", vec![int(3)]), "3.0");
    assert_eq!(call("tofloat", vec![s("5")]), "5.0");
    assert_eq!(call("tofloat", vec![s("foo")]), "null");
    assert_eq!(
        call("tofloat", vec![Value::Bool(true)]),
        "TypeError/InvalidArgumentValue"
    );
    assert_eq!(call("tofloatornull", vec![Value::Bool(true)]), "null");
    assert_eq!(call("tostring", vec![int(42)]), "'42'");
    assert_eq!(call("tostring", vec![float(2.3)]), "'2.3'");
    assert_eq!(call("tostring", vec![Value::Bool(true)]), "'true'");
    assert_eq!(call("tostring", vec![Value::Null]), "null");
    assert_eq!(
        call("tostring", vec![Value::Node(node())]),
        "TypeError/InvalidArgumentValue"
    );
    assert_eq!(call("toboolean", vec![s("true")]), "true");
    assert_eq!(call("toboolean", vec![s(" tru ")]), "null");
    assert_eq!(call("toboolean", vec![s("")]), "null");
    assert_eq!(call("toboolean", vec![int(0)]), "false");
    assert_eq!(
        call("toboolean", vec![float(1.0)]),
        "TypeError/InvalidArgumentValue"
    );
    assert_eq!(call("tobooleanornull", vec![float(1.0)]), "null");
    assert_eq!(
        call(
            "tointegerlist",
            vec![list(vec![s("1"), s("x"), float(2.5)])]
        ),
        "[1, null, 2]"
    );
}

#[test]
fn math_functions() {
    assert_eq!(call("abs", vec![int(-1)]), "1");
    assert_eq!(call("abs", vec![float(-1.5)]), "1.5");
    assert_eq!(
        call("abs", vec![int(i64::MIN)]),
        "ArithmeticError/IntegerOverflow"
    );
    assert_eq!(call("sqrt", vec![float(12.96)]), "3.6");
    assert_eq!(call("ceil", vec![float(1.2)]), "2.0");
    assert_eq!(call("floor", vec![int(3)]), "3.0");
    assert_eq!(call("round", vec![float(2.5)]), "3.0");
    assert_eq!(call("round", vec![float(-2.5)]), "-2.0");
    assert_eq!(call("round", vec![float(-2.6)]), "-3.0");
    assert_eq!(call("round", vec![float(2.675), int(2)]), "2.68");
    assert_eq!(call("round", vec![float(-1.55), int(1)]), "-1.6");
    assert_eq!(call("round", vec![float(9.99), int(1)]), "10.0");
    assert_eq!(
        call("round", vec![float(1.25), int(1), s("HALF_EVEN")]),
        "1.2"
    );
    assert_eq!(
        call("round", vec![float(1.21), int(1), s("CEILING")]),
        "1.3"
    );
    assert_eq!(
        call("round", vec![float(-1.21), int(1), s("CEILING")]),
        "-1.2"
    );
    assert_eq!(call("round", vec![float(1.29), int(1), s("DOWN")]), "1.2");
    assert_eq!(call("sign", vec![float(-0.5)]), "-1");
    assert_eq!(call("sign", vec![int(0)]), "0");
    assert_eq!(call("log", vec![float(0.0)]), "-Infinity");
    assert_eq!(call("log10", vec![int(1000)]), "3.0");
    assert_eq!(call("exp", vec![int(0)]), "1.0");
    assert_eq!(call("degrees", vec![call_value("pi")]), "180.0");
    assert_eq!(call("atan2", vec![int(0), int(1)]), "0.0");
    assert_eq!(call("sqrt", vec![s("x")]), "TypeError/InvalidArgumentValue");
    assert_eq!(call("sin", vec![Value::Null]), "null");
    for _ in 0..100 {
        match functions::call("rand", vec![]) {
            Ok(Value::Float(x)) => assert!((0.0..1.0).contains(&x), "rand() gave {x}"),
            other => panic!("rand() gave {other:?}"),
        }
    }
}

fn call_value(name: &str) -> Value {
    functions::call(name, vec![]).unwrap_or(Value::Null)
}

#[test]
fn string_functions() {
    assert_eq!(
        call("substring", vec![s("0123456789"), int(1)]),
        "'123456789'"
    );
    assert_eq!(
        call("substring", vec![s("0123456789"), int(1), int(3)]),
        "'123'"
    );
    assert_eq!(call("substring", vec![s("ab"), int(5)]), "''");
    assert_eq!(
        call("substring", vec![s("ab"), int(-1)]),
        "ArgumentError/NumberOutOfRange"
    );
    assert_eq!(call("left", vec![s("hello"), int(2)]), "'he'");
    assert_eq!(call("right", vec![s("hello"), int(2)]), "'lo'");
    assert_eq!(call("right", vec![s("hello"), int(20)]), "'hello'");
    assert_eq!(call("left", vec![Value::Null, int(2)]), "null");
    assert_eq!(call("trim", vec![s("  a b  ")]), "'a b'");
    assert_eq!(call("ltrim", vec![s("  a ")]), "'a '");
    assert_eq!(call("rtrim", vec![s("  a ")]), "'  a'");
    assert_eq!(call("toupper", vec![s("aBc")]), "'ABC'");
    assert_eq!(call("tolower", vec![s("aBc")]), "'abc'");
    assert_eq!(call("replace", vec![s("hello"), s("l"), s("L")]), "'heLLo'");
    assert_eq!(
        call("replace", vec![s("hello"), Value::Null, s("L")]),
        "null"
    );
    assert_eq!(call("split", vec![s("one1two"), s("1")]), "['one', 'two']");
    assert_eq!(call("split", vec![s("a,b,"), s(",")]), "['a', 'b', '']");
    assert_eq!(call("split", vec![s("abc"), s("")]), "['a', 'b', 'c']");
    assert_eq!(
        call("split", vec![s("a-b_c"), list(vec![s("-"), s("_")])]),
        "['a', 'b', 'c']"
    );
}

#[test]
fn names_and_argument_counts() {
    assert!(catalog::functions::is_known("tointeger"));
    assert!(catalog::functions::is_known("coalesce"));
    assert!(!catalog::functions::is_known("nosuchfunction"));
    assert!(!catalog::functions::is_known("count"));
    assert_eq!(
        call("nosuchfunction", vec![]),
        "SyntaxError/UnknownFunction"
    );
    assert_eq!(
        call("size", vec![int(1), int(2)]),
        "SyntaxError/InvalidNumberOfArguments"
    );
    assert_eq!(
        call("range", vec![int(1)]),
        "SyntaxError/InvalidNumberOfArguments"
    );
    assert_eq!(catalog::functions::arity("substring"), Some((2, Some(3))));
}

/// Feeds rows of one argument to an aggregate and shows the result.
fn aggregate_over(name: &str, distinct: bool, values: Vec<Value>) -> String {
    let Some(mut agg) = aggregate::create(name, distinct, false) else {
        return format!("no aggregate {name}");
    };
    for v in values {
        if let Err(e) = agg.update(&[v]) {
            return format!("{}/{}", e.class, e.detail);
        }
    }
    match agg.finish() {
        Ok(v) => v.to_string(),
        Err(e) => format!("{}/{}", e.class, e.detail),
    }
}

fn percentile(name: &str, values: Vec<Value>, p: Value) -> String {
    let Some(mut agg) = aggregate::create(name, false, false) else {
        return format!("no aggregate {name}");
    };
    for v in values {
        if let Err(e) = agg.update(&[v, p.clone()]) {
            return format!("{}/{}", e.class, e.detail);
        }
    }
    match agg.finish() {
        Ok(v) => v.to_string(),
        Err(e) => format!("{}/{}", e.class, e.detail),
    }
}

#[test]
fn count_and_count_star() {
    assert_eq!(
        aggregate_over("count", false, vec![int(1), Value::Null, int(1)]),
        "2"
    );
    assert_eq!(
        aggregate_over("count", true, vec![int(1), Value::Null, float(1.0)]),
        "1"
    );
    assert_eq!(aggregate_over("count", true, vec![Value::Null]), "0");
    let Some(mut star) = aggregate::create("count", false, true) else {
        panic!("count(*) missing");
    };
    for _ in 0..3 {
        assert!(star.update(&[]).is_ok());
    }
    assert_eq!(star.finish().map(|v| v.to_string()), Ok("3".to_string()));
    assert!(catalog::aggregates::is_aggregate("percentiledisc"));
    assert!(!catalog::aggregates::is_aggregate("size"));
}

#[test]
fn min_and_max_follow_the_order() {
    let ints = || vec![int(1), int(2), int(0), Value::Null, int(-1)];
    assert_eq!(aggregate_over("max", false, ints()), "2");
    assert_eq!(aggregate_over("min", false, ints()), "-1");
    let mixed = || {
        vec![
            int(1),
            float(2.0),
            int(5),
            Value::Null,
            float(3.2),
            float(0.1),
        ]
    };
    assert_eq!(aggregate_over("max", false, mixed()), "5");
    assert_eq!(aggregate_over("min", false, mixed()), "0.1");
    let strings = || vec![s("a"), s("b"), s("B"), Value::Null, s("abc"), s("abc1")];
    assert_eq!(aggregate_over("max", false, strings()), "'b'");
    assert_eq!(aggregate_over("min", false, strings()), "'B'");
    let lists = || {
        vec![
            list(vec![int(1)]),
            list(vec![int(2)]),
            list(vec![int(2), int(1)]),
        ]
    };
    assert_eq!(aggregate_over("max", false, lists()), "[2, 1]");
    assert_eq!(aggregate_over("min", false, lists()), "[1]");
    let any = || {
        vec![
            int(1),
            s("a"),
            Value::Null,
            list(vec![int(1), int(2)]),
            float(0.2),
            s("b"),
        ]
    };
    assert_eq!(aggregate_over("max", false, any()), "1");
    assert_eq!(aggregate_over("min", false, any()), "[1, 2]");
    assert_eq!(aggregate_over("min", false, vec![]), "null");
}

#[test]
fn sum_avg_and_deviation() {
    assert_eq!(
        aggregate_over("sum", false, vec![int(33), Value::Null, int(42)]),
        "75"
    );
    assert_eq!(
        aggregate_over("sum", false, vec![int(1), float(0.5)]),
        "1.5"
    );
    assert_eq!(aggregate_over("sum", false, vec![]), "0");
    assert_eq!(
        aggregate_over("sum", false, vec![int(i64::MAX), int(1)]),
        "ArithmeticError/IntegerOverflow"
    );
    assert_eq!(
        aggregate_over("sum", false, vec![s("a")]),
        "TypeError/InvalidArgumentType"
    );
    assert_eq!(
        aggregate_over("sum", true, vec![int(2), int(2), float(2.0)]),
        "2"
    );
    assert_eq!(aggregate_over("avg", false, vec![int(1), int(2)]), "1.5");
    assert_eq!(aggregate_over("avg", false, vec![Value::Null]), "null");
    assert_eq!(
        aggregate_over("avg", false, vec![int(i64::MAX), int(i64::MAX)]),
        "9223372036854776000.0"
    );
    let data = || {
        vec![
            int(2),
            int(4),
            int(4),
            int(4),
            int(5),
            int(5),
            int(7),
            int(9),
        ]
    };
    assert_eq!(aggregate_over("stdevp", false, data()), "2.0");
    assert_eq!(
        aggregate_over("stdev", false, data()),
        Value::Float((32.0f64 / 7.0).sqrt()).to_string()
    );
    assert_eq!(aggregate_over("stdev", false, vec![int(1)]), "0.0");
}

#[test]
fn collect_ignores_nulls_and_repeats_with_distinct() {
    assert_eq!(
        aggregate_over("collect", false, vec![int(1), Value::Null, int(1)]),
        "[1, 1]"
    );
    assert_eq!(
        aggregate_over("collect", true, vec![Value::Null, int(1), Value::Null]),
        "[1]"
    );
    assert_eq!(
        aggregate_over("collect", true, vec![Value::Null, Value::Null]),
        "[]"
    );
}

#[test]
fn percentiles() {
    let prices = || vec![float(10.0), float(20.0), float(30.0)];
    for (p, expected) in [(0.0, "10.0"), (0.5, "20.0"), (1.0, "30.0")] {
        assert_eq!(percentile("percentiledisc", prices(), float(p)), expected);
        assert_eq!(percentile("percentilecont", prices(), float(p)), expected);
    }
    assert_eq!(percentile("percentilecont", prices(), float(0.25)), "15.0");
    assert_eq!(
        percentile("percentiledisc", vec![int(3), int(1), int(2)], float(0.4)),
        "2"
    );
    for bad in [int(1000), int(-1), float(1.1)] {
        assert_eq!(
            percentile("percentilecont", prices(), bad.clone()),
            "ArgumentError/NumberOutOfRange"
        );
        assert_eq!(
            percentile("percentiledisc", vec![float(10.0)], bad),
            "ArgumentError/NumberOutOfRange"
        );
    }
    assert_eq!(percentile("percentiledisc", vec![], float(0.5)), "null");
}

/// A temporal value built through the function library, as a query would build it.
fn temporal(name: &str, text: &str) -> Value {
    functions::call(name, vec![s(text)]).unwrap_or(Value::Null)
}

#[test]
fn temporal_values_through_the_value_semantics() {
    let d1 = temporal("duration", "PT1H");
    let d2 = temporal("duration", "PT30M");
    assert_eq!(
        aggregate_over("sum", false, vec![d1.clone(), d2.clone()]),
        "'PT1H30M'"
    );
    assert_eq!(
        aggregate_over("avg", false, vec![d1.clone(), d2.clone()]),
        "'PT45M'"
    );
    assert_eq!(
        aggregate_over("avg", false, vec![d1.clone(), int(1)]),
        "TypeError/InvalidArgumentType"
    );
    assert_eq!(
        temporal("duration", "PT70S").equals(&temporal("duration", "PT1M10S")),
        Some(true)
    );
    assert_eq!(
        call("tostring", vec![temporal("date", "2015-07-21")]),
        "'2015-07-21'"
    );
    assert_eq!(
        skein::testing::value::add(&s("on "), &temporal("date", "2015-07-21"))
            .map(|v| v.to_string()),
        Ok("'on 2015-07-21'".to_string())
    );
    // Times order by the instant they denote, whatever their offsets.
    let early = temporal("time", "12:35:15+05:00");
    let late = temporal("time", "12:30:14+01:01");
    assert_eq!(early.order(&late), std::cmp::Ordering::Less);
    assert_eq!(
        aggregate_over("max", false, vec![early, late]),
        "'12:30:14+01:01'"
    );
    assert_eq!(
        temporal("date", "2015-07-21").equals(&temporal("localdatetime", "2015-07-21T00:00")),
        Some(false)
    );
}

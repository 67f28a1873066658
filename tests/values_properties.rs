//! Properties of the value relations over random values: ORDER BY is a total order,
//! `=` is symmetric, equal values group together and sort together, comparison agrees
//! with the order where it answers, and rendering never emits a raw tab or newline.

use proptest::prelude::*;
use skein::testing::value::ComparisonOp;
use skein::{Map, Value};
use std::cmp::Ordering;

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..3).prop_map(Value::Int),
        any::<i64>().prop_map(Value::Int),
        prop_oneof![
            Just(f64::NAN),
            Just(0.5),
            Just(-0.0),
            Just(1.0),
            Just(f64::INFINITY),
            any::<f64>()
        ]
        .prop_map(Value::Float),
        "[a-c\t\n' ]{0,3}".prop_map(Value::String),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::List),
            prop::collection::vec(("[ab]", inner), 0..3).prop_map(|entries| {
                let mut map = Map::new();
                for (k, v) in entries {
                    map.insert(k, v);
                }
                Value::Map(map)
            }),
        ]
    })
}

proptest! {
    #[test]
    fn order_is_antisymmetric(a in value(), b in value()) {
        prop_assert_eq!(a.order(&b), b.order(&a).reverse());
    }

    #[test]
    fn order_is_transitive(a in value(), b in value(), c in value()) {
        if a.order(&b) != Ordering::Greater && b.order(&c) != Ordering::Greater {
            prop_assert_ne!(a.order(&c), Ordering::Greater);
        }
    }

    #[test]
    fn equality_is_symmetric(a in value(), b in value()) {
        prop_assert_eq!(a.equals(&b), b.equals(&a));
    }

    #[test]
    fn equal_values_group_and_sort_together(a in value(), b in value()) {
        if a.equals(&b) == Some(true) {
            prop_assert_eq!(a.group_key(), b.group_key());
            prop_assert_eq!(a.order(&b), Ordering::Equal);
        }
        if a.group_key() == b.group_key() {
            prop_assert_eq!(a.order(&b), Ordering::Equal);
        }
    }

    #[test]
    fn comparison_agrees_with_order(a in value(), b in value()) {
        if let Some(o) = a.compare(&b) {
            prop_assert_eq!(o, a.order(&b));
            prop_assert_eq!(a.compare_op(ComparisonOp::Less, &b), Some(o == Ordering::Less));
        }
    }

    #[test]
    fn rendering_has_no_raw_line_breaks(a in value()) {
        let text = a.to_string();
        prop_assert!(!text.contains('\n') && !text.contains('\t'), "{}", text);
    }
}

proptest! {
    #[test]
    fn floats_render_to_text_that_reads_back(x in any::<f64>()) {
        let text = Value::Float(x).to_string();
        if x.is_finite() {
            prop_assert!(text.contains('.') || text.contains('e'), "{}", text);
            prop_assert_eq!(text.parse::<f64>().ok(), Some(x), "{}", text);
        }
    }
}

//! Property tests: no text, number or zone a user can write makes a temporal function,
//! accessor or operator panic; bad input is an error value.

use super::{add, call_function, divide, multiply, property, subtract, CONSTRUCTORS};
use crate::value::{Map, Value};
use proptest::prelude::*;

fn temporal_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[-+PTWZ0-9:.,\\[\\]/a-zA-Z]{0,30}",
        "[+-]?[0-9]{4,10}(-W?[0-9]{1,3}(-[0-9]{1,2})?)?(T[0-9]{1,2}(:[0-9]{2}){0,2}(\\.[0-9]{1,12})?)?([+-][0-9]{2}(:?[0-9]{2}){0,2}|Z)?(\\[[A-Za-z/_]{0,20}\\])?",
        "-?P(-?[0-9]{1,20}(\\.[0-9]{1,5})?[YMWD]){0,4}(T(-?[0-9]{1,20}(\\.[0-9]{1,12})?[HMS]){0,3})?",
    ]
}

const KEYS: [&str; 20] = [
    "year",
    "month",
    "day",
    "week",
    "dayOfWeek",
    "ordinalDay",
    "quarter",
    "dayOfQuarter",
    "hour",
    "minute",
    "second",
    "millisecond",
    "microsecond",
    "nanosecond",
    "years",
    "months",
    "days",
    "seconds",
    "nanoseconds",
    "epochSeconds",
];

proptest! {
    #[test]
    fn any_text_is_a_value_or_an_error(text in temporal_text()) {
        for name in CONSTRUCTORS {
            if let Some(Ok(value)) = call_function(name, &[Value::String(text.clone())]) {
                for key in ["year", "week", "epochMillis", "offset", "hours", "nanosecondsOfSecond"] {
                    let _ = property(&value, key);
                }
                let _ = super::render_literal(&value);
            }
        }
    }

    #[test]
    fn any_components_are_a_value_or_an_error(
        entries in proptest::collection::vec((0..KEYS.len(), any::<i64>()), 0..5),
        zone in prop_oneof![Just(None), "[-+A-Za-z/0-9:]{0,12}".prop_map(Some)],
    ) {
        let mut map: Map = entries
            .iter()
            .map(|(k, v)| (KEYS[*k].to_string(), Value::Int(*v)))
            .collect();
        if let Some(z) = zone {
            map.insert("timezone".into(), Value::String(z));
        }
        for name in CONSTRUCTORS {
            let _ = call_function(name, &[Value::Map(map.clone())]);
        }
    }

    #[test]
    fn any_arithmetic_is_a_value_or_an_error(
        months in any::<i64>(), days in any::<i64>(), secs in any::<i64>(), factor in any::<f64>(), k in any::<i64>(),
    ) {
        let mut map = Map::new();
        map.insert("months".into(), Value::Int(months));
        map.insert("days".into(), Value::Int(days));
        map.insert("seconds".into(), Value::Int(secs));
        let Some(Ok(dur)) = call_function("duration", &[Value::Map(map)]) else { return Ok(()) };
        let date = call_function("datetime", &[Value::String("2015-07-21T21:40:32.142[Europe/London]".into())]);
        let Some(Ok(date)) = date else { panic!("a valid datetime did not parse") };
        let _ = add(&date, &dur);
        let _ = subtract(&date, &dur);
        let _ = add(&dur, &dur);
        let _ = multiply(&dur, &Value::Float(factor));
        let _ = multiply(&dur, &Value::Int(k));
        let _ = divide(&dur, &Value::Float(factor));
        let _ = divide(&dur, &Value::Int(k));
    }
}

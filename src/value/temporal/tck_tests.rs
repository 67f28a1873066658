//! Tests written the way the TCK writes temporal scenarios: a tiny evaluator for the
//! expression subset those scenarios use (literals, maps, temporal function calls,
//! property access, `+ - * /`, comparisons, `WITH … AS` bindings) drives this module's
//! contract functions, and the results are compared in the TCK's literal notation.
//!
//! With `SKEIN_TCK` pointing at the TCK's `features` folder, `tck_temporal_features`
//! also runs every graph-free temporal scenario from the feature files.

use super::{add, call_function, compare, divide, multiply, property, render_literal, subtract};
use crate::value::{Map, Value};
use std::collections::HashMap;

type Env = HashMap<String, Value>;

struct Parser<'a> {
    text: &'a [u8],
    pos: usize,
}

#[derive(Debug)]
enum Expr {
    Literal(Value),
    Var(String),
    Map(Vec<(String, Expr)>),
    List(Vec<Expr>),
    Call(String, Vec<Expr>),
    Property(Box<Expr>, String),
    Binary(String, Box<Expr>, Box<Expr>),
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Parser<'a> {
        Parser {
            text: text.as_bytes(),
            pos: 0,
        }
    }

    fn skip_ws(&mut self) {
        while self.pos < self.text.len() && self.text[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.text.get(self.pos).copied()
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_ws();
        if self.text[self.pos..].starts_with(token.as_bytes()) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, token: &str) -> Result<(), String> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(format!("expected {token} at {}", self.pos))
        }
    }

    fn ident(&mut self) -> Result<String, String> {
        self.skip_ws();
        let start = self.pos;
        while self.pos < self.text.len()
            && (self.text[self.pos].is_ascii_alphanumeric() || self.text[self.pos] == b'_')
        {
            self.pos += 1;
        }
        if start == self.pos {
            return Err(format!("expected a name at {start}"));
        }
        Ok(String::from_utf8_lossy(&self.text[start..self.pos]).into_owned())
    }

    fn expr(&mut self) -> Result<Expr, String> {
        let left = self.additive()?;
        for op in ["<>", "<=", ">=", "=", "<", ">"] {
            if self.eat(op) {
                let right = self.additive()?;
                return Ok(Expr::Binary(
                    op.to_string(),
                    Box::new(left),
                    Box::new(right),
                ));
            }
        }
        Ok(left)
    }

    fn additive(&mut self) -> Result<Expr, String> {
        let mut left = self.multiplicative()?;
        loop {
            let op = match self.peek() {
                Some(b'+') => "+",
                Some(b'-') => "-",
                _ => return Ok(left),
            };
            self.pos += 1;
            let right = self.multiplicative()?;
            left = Expr::Binary(op.to_string(), Box::new(left), Box::new(right));
        }
    }

    fn multiplicative(&mut self) -> Result<Expr, String> {
        let mut left = self.postfix()?;
        loop {
            let op = match self.peek() {
                Some(b'*') => "*",
                Some(b'/') => "/",
                _ => return Ok(left),
            };
            self.pos += 1;
            let right = self.postfix()?;
            left = Expr::Binary(op.to_string(), Box::new(left), Box::new(right));
        }
    }

    fn postfix(&mut self) -> Result<Expr, String> {
        let mut e = self.primary()?;
        while self.eat(".") {
            let key = self.ident()?;
            e = Expr::Property(Box::new(e), key);
        }
        Ok(e)
    }

    fn primary(&mut self) -> Result<Expr, String> {
        match self.peek() {
            Some(b'{') => {
                self.pos += 1;
                let mut entries = Vec::new();
                if !self.eat("}") {
                    loop {
                        let key = self.ident()?;
                        self.expect(":")?;
                        entries.push((key, self.expr()?));
                        if self.eat("}") {
                            break;
                        }
                        self.expect(",")?;
                    }
                }
                Ok(Expr::Map(entries))
            }
            Some(b'[') => {
                self.pos += 1;
                let mut items = Vec::new();
                if !self.eat("]") {
                    loop {
                        items.push(self.expr()?);
                        if self.eat("]") {
                            break;
                        }
                        self.expect(",")?;
                    }
                }
                Ok(Expr::List(items))
            }
            Some(b'(') => {
                self.pos += 1;
                let e = self.expr()?;
                self.expect(")")?;
                Ok(e)
            }
            Some(b'\'') => {
                self.pos += 1;
                let start = self.pos;
                while self.pos < self.text.len() && self.text[self.pos] != b'\'' {
                    self.pos += 1;
                }
                let s = String::from_utf8_lossy(&self.text[start..self.pos]).into_owned();
                self.expect("'")?;
                Ok(Expr::Literal(Value::String(s)))
            }
            Some(c) if c.is_ascii_digit() || c == b'-' => {
                let start = self.pos;
                self.pos += 1;
                while self.pos < self.text.len()
                    && (self.text[self.pos].is_ascii_digit() || self.text[self.pos] == b'.')
                {
                    self.pos += 1;
                }
                let s = String::from_utf8_lossy(&self.text[start..self.pos]).into_owned();
                if s.contains('.') {
                    s.parse()
                        .map(|f| Expr::Literal(Value::Float(f)))
                        .map_err(|e| e.to_string())
                } else {
                    s.parse()
                        .map(|i| Expr::Literal(Value::Int(i)))
                        .map_err(|e| e.to_string())
                }
            }
            _ => {
                let mut name = self.ident()?;
                if name.eq_ignore_ascii_case("null") {
                    return Ok(Expr::Literal(Value::Null));
                }
                if name == "true" || name == "false" {
                    return Ok(Expr::Literal(Value::Bool(name == "true")));
                }
                // A dotted function name (`date.truncate(`) or a variable with properties.
                let save = self.pos;
                let mut dotted = name.clone();
                while self.eat(".") {
                    dotted.push('.');
                    dotted.push_str(&self.ident()?);
                }
                if self.eat("(") {
                    let mut args = Vec::new();
                    if !self.eat(")") {
                        loop {
                            args.push(self.expr()?);
                            if self.eat(")") {
                                break;
                            }
                            self.expect(",")?;
                        }
                    }
                    return Ok(Expr::Call(dotted.to_ascii_lowercase(), args));
                }
                self.pos = save;
                name = name.trim().to_string();
                Ok(Expr::Var(name))
            }
        }
    }
}

fn eval(e: &Expr, env: &Env) -> Result<Value, String> {
    Ok(match e {
        Expr::Literal(v) => v.clone(),
        Expr::Var(name) => env.get(name).cloned().ok_or(format!("unbound {name}"))?,
        Expr::Map(entries) => {
            let mut map = Map::new();
            for (k, v) in entries {
                map.insert(k.clone(), eval(v, env)?);
            }
            Value::Map(map)
        }
        Expr::List(items) => Value::List(
            items
                .iter()
                .map(|i| eval(i, env))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Expr::Call(name, args) => {
            let args = args
                .iter()
                .map(|a| eval(a, env))
                .collect::<Result<Vec<_>, _>>()?;
            if name == "tostring" {
                return super::to_iso_string(&args[0])
                    .map(Value::String)
                    .ok_or("toString of non-temporal".to_string());
            }
            call_function(name, &args)
                .ok_or(format!("unknown function {name}"))?
                .map_err(|e| format!("{}: {}", e.detail, e.message))?
        }
        Expr::Property(target, key) => {
            let v = eval(target, env)?;
            property(&v, key)
                .ok_or("property of non-temporal".to_string())?
                .map_err(|e| e.message)?
        }
        Expr::Binary(op, l, r) => {
            let (a, b) = (eval(l, env)?, eval(r, env)?);
            let arith = match op.as_str() {
                "+" => add(&a, &b),
                "-" => subtract(&a, &b),
                "*" => multiply(&a, &b),
                "/" => divide(&a, &b),
                _ => {
                    let ord = compare(&a, &b);
                    let result = match op.as_str() {
                        "=" => a.equals(&b),
                        "<>" => a.equals(&b).map(|x| !x),
                        "<" => ord.map(|o| o.is_lt()),
                        ">" => ord.map(|o| o.is_gt()),
                        "<=" => ord.map(|o| o.is_le()),
                        ">=" => ord.map(|o| o.is_ge()),
                        _ => None,
                    };
                    return Ok(result.map_or(Value::Null, Value::Bool));
                }
            };
            arith
                .ok_or("arithmetic on non-temporal".to_string())?
                .map_err(|e| e.message)?
        }
    })
}

/// The TCK's literal notation for the value kinds these scenarios return.
fn literal(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::String(s) => format!("'{s}'"),
        Value::List(items) => format!(
            "[{}]",
            items.iter().map(literal).collect::<Vec<_>>().join(", ")
        ),
        other => render_literal(other),
    }
}

fn evaluate(text: &str, env: &Env) -> Result<Value, String> {
    let mut p = Parser::new(text);
    let e = p.expr()?;
    if p.peek().is_some() {
        return Err(format!("trailing input at {} in {text}", p.pos));
    }
    eval(&e, env)
}

/// Splits at top-level commas (outside brackets and quotes).
fn split_top(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let (mut depth, mut quoted, mut current) = (0i32, false, String::new());
    for c in text.chars() {
        match c {
            '\'' => quoted = !quoted,
            '(' | '{' | '[' if !quoted => depth += 1,
            ')' | '}' | ']' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                parts.push(current.trim().to_string());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.trim().is_empty() {
        parts.push(current.trim().to_string());
    }
    parts
}

/// `expr AS name` → (expr, name); a bare expression is named by its text.
fn projection(item: &str) -> (String, String) {
    match item.rsplit_once(" AS ") {
        Some((e, n)) => (e.trim().to_string(), n.trim().to_string()),
        None => (item.to_string(), item.to_string()),
    }
}

/// Runs `[WITH items] RETURN items` and returns the row as (column, literal) pairs.
fn run_query(query: &str) -> Result<Vec<(String, String)>, String> {
    let query = query.split_whitespace().collect::<Vec<_>>().join(" ");
    let (with, ret) = match query.split_once("RETURN ") {
        Some((w, r)) => (w.trim(), r),
        None => return Err("no RETURN".into()),
    };
    let mut env = Env::new();
    if let Some(items) = with.strip_prefix("WITH ") {
        let mut next = Env::new();
        for item in split_top(items) {
            let (e, name) = projection(&item);
            next.insert(name, evaluate(&e, &env)?);
        }
        env = next;
    }
    let _clock = super::StatementClock::start();
    split_top(ret)
        .iter()
        .map(|item| {
            let (e, name) = projection(item);
            Ok((name, literal(&evaluate(&e, &env)?)))
        })
        .collect()
}

#[track_caller]
fn check(expr: &str, expected: &str) {
    let got = evaluate(expr, &Env::new()).map(|v| literal(&v));
    assert_eq!(got.as_deref(), Ok(expected), "{expr}");
}

#[track_caller]
fn check_query(query: &str, expected: &[&str]) {
    let row = run_query(query).unwrap_or_else(|e| panic!("{query}: {e}"));
    let got: Vec<&str> = row.iter().map(|(_, v)| v.as_str()).collect();
    assert_eq!(got, expected, "{query}");
}

// ---- Temporal1: construct from maps ----

#[test]
fn temporal1_week_dates() {
    check("date({year: 1816, week: 1})", "'1816-01-01'");
    check("date({year: 1817, week: 1})", "'1816-12-30'");
    check("date({year: 1818, week: 53})", "'1818-12-28'");
    check("date({dayOfWeek: 2, year: 1817, week: 1})", "'1816-12-31'");
    check(
        "date({date: date('1816-12-30'), week: 2, dayOfWeek: 3})",
        "'1817-01-08'",
    );
    check("date({date: date('1816-12-31'), week: 2})", "'1817-01-07'");
    check(
        "date({date: date('1816-12-31'), year: 1817, week: 2})",
        "'1817-01-07'",
    );
    check(
        "localdatetime({year: 1817, week: 10})",
        "'1817-03-03T00:00'",
    );
    check("datetime({year: 1819, week: 52})", "'1819-12-27T00:00Z'");
}

#[test]
fn temporal1_dates_times_and_zones() {
    check(
        "date({year: 1984, quarter: 3, dayOfQuarter: 45})",
        "'1984-08-14'",
    );
    check("date({year: 1984, ordinalDay: 202})", "'1984-07-20'");
    check("date({year: 1984, month: 10})", "'1984-10-01'");
    check(
        "localtime({hour: 12, minute: 31, second: 14, nanosecond: 789, millisecond: 123, microsecond: 456})",
        "'12:31:14.123456789'",
    );
    check("localtime({hour: 12})", "'12:00'");
    check(
        "time({hour: 12, minute: 31, second: 14, nanosecond: 3})",
        "'12:31:14.000000003Z'",
    );
    check(
        "time({hour: 12, minute: 31, timezone: '+01:00'})",
        "'12:31+01:00'",
    );
    check(
        "datetime({year: 1984, ordinalDay: 202, hour: 12, timezone: 'Europe/Stockholm'})",
        "'1984-07-20T12:00+02:00[Europe/Stockholm]'",
    );
    check(
        "datetime({year: 1984, week: 10, dayOfWeek: 3, timezone: 'Europe/Stockholm'})",
        "'1984-03-07T00:00+01:00[Europe/Stockholm]'",
    );
    check(
        "time({hour: 12, minute: 34, second: 56, timezone: '-02:05:07'})",
        "'12:34:56-02:05:07'",
    );
    check(
        "time({hour: 12, minute: 34, second: 56, timezone: '+02:05:00'})",
        "'12:34:56+02:05'",
    );
}

#[test]
fn temporal1_epoch_and_durations() {
    check_query(
        "RETURN datetime.fromepoch(416779, 999999999) AS d1, datetime.fromepochmillis(237821673987) AS d2",
        &["'1970-01-05T19:46:19.999999999Z'", "'1977-07-15T13:34:33.987Z'"],
    );
    check(
        "duration({days: 14, hours: 16, minutes: 12})",
        "'P14DT16H12M'",
    );
    check(
        "duration({years: 12, months: 5, days: 14, hours: 16, minutes: 12, seconds: 70})",
        "'P12Y5M14DT16H13M10S'",
    );
    check(
        "duration({days: 14, seconds: 70, nanoseconds: 1})",
        "'P14DT1M10.000000001S'",
    );
}

// ---- Temporal2: parse strings ----

#[test]
fn temporal2_parse() {
    check("localtime('214032.142')", "'21:40:32.142'");
    check("time('2140-00:00')", "'21:40Z'");
    check("time('22+18:00')", "'22:00+18:00'");
    check(
        "localdatetime('2015-W30-2T214032.142')",
        "'2015-07-21T21:40:32.142'",
    );
    check("localdatetime('2015202T21')", "'2015-07-21T21:00'");
    check("datetime('2015-W30T2140-02')", "'2015-07-20T21:40-02:00'");
    check(
        "datetime('2015-07-21T21:40:32.142+0845[Australia/Eucla]')",
        "'2015-07-21T21:40:32.142+08:45[Australia/Eucla]'",
    );
    check(
        "datetime('2015-07-21T21:40:32.142[Europe/London]')",
        "'2015-07-21T21:40:32.142+01:00[Europe/London]'",
    );
    check(
        "datetime('1818-07-21T21:40:32.142[Europe/Stockholm]')",
        "'1818-07-21T21:40:32.142+00:53:28[Europe/Stockholm]'",
    );
    check("duration('P5M1.5D')", "'P5M1DT12H'");
    check("duration('PT0.75M')", "'PT45S'");
    check(
        "duration('P2012-02-02T14:37:21.545')",
        "'P2012Y2M2DT14H37M21.545S'",
    );
}

#[test]
fn temporal2_rejects_malformed_text() {
    for text in [
        "date('2015-13-01')",
        "date('x')",
        "localtime('25:00')",
        "duration('P')",
        "duration('1Y')",
    ] {
        let got = evaluate(text, &Env::new());
        assert!(got.is_err(), "{text} gave {got:?}");
    }
}

// ---- Temporal3: select from other values ----

#[test]
fn temporal3_selection() {
    let other = "WITH datetime({year: 1984, month: 10, day: 11, hour: 12, timezone: 'Europe/Stockholm'}) AS other ";
    check_query(
        &format!("{other} RETURN time({{time: other, second: 42, timezone: '+05:00'}})"),
        &["'16:00:42+05:00'"],
    );
    check_query(
        &format!("{other} RETURN datetime({{datetime: other, day: 28, second: 42, timezone: 'Pacific/Honolulu'}})"),
        &["'1984-10-28T01:00:42-10:00[Pacific/Honolulu]'"],
    );
    check_query(&format!("{other} RETURN localtime(other)"), &["'12:00'"]);
    check_query(
        "WITH date({year: 1984, month: 11, day: 11}) AS other RETURN date({date: other, quarter: 3}), date({date: other, week: 1}), date({date: other, year: 28})",
        &["'1984-08-11'", "'1984-01-08'", "'0028-11-11'"],
    );
    check_query(
        "WITH localdatetime({year: 1984, week: 10, dayOfWeek: 3, hour: 12, minute: 31, second: 14, millisecond: 645}) AS otherDate, \
         datetime({year: 1984, month: 10, day: 11, hour: 12, timezone: 'Europe/Stockholm'}) AS otherTime \
         RETURN datetime({date: otherDate, time: otherTime, day: 28, second: 42})",
        &["'1984-03-28T12:00:42+02:00[Europe/Stockholm]'"],
    );
}

// ---- Temporal5 and 6: accessors and toString ----

#[test]
fn temporal5_accessors() {
    check_query(
        "WITH date({year: 1984, month: 1, day: 1}) AS d RETURN d.year, d.weekYear, d.week, d.weekDay",
        &["1984", "1983", "52", "7"],
    );
    check_query(
        "WITH datetime({year: 1984, month: 11, day: 11, hour: 12, minute: 31, second: 14, nanosecond: 645876123, timezone: 'Europe/Stockholm'}) AS d \
         RETURN d.quarter, d.dayOfQuarter, d.ordinalDay, d.timezone, d.offset, d.offsetMinutes, d.epochSeconds, d.epochMillis",
        &["4", "42", "316", "'Europe/Stockholm'", "'+01:00'", "60", "469020674", "469020674645"],
    );
    check_query(
        "WITH time({hour: 12, minute: 31, second: 14, nanosecond: 645876123, timezone: '+01:00'}) AS d \
         RETURN d.millisecond, d.microsecond, d.timezone, d.offsetSeconds",
        &["645", "645876", "'+01:00'", "3600"],
    );
}

#[test]
fn temporal6_round_trips_through_text() {
    check_query(
        "WITH duration({seconds: -60, milliseconds: -1}) AS d RETURN toString(d), duration(toString(d)) = d",
        &["'PT-1M-0.001S'", "true"],
    );
    check_query(
        "WITH duration({years: 12, months: 5, days: -14, hours: 16}) AS d RETURN toString(d), duration(toString(d)) = d",
        &["'P12Y5M-14DT16H'", "true"],
    );
    check_query(
        "WITH datetime({year: 1984, month: 10, day: 11, hour: 12, minute: 31, second: 14, nanosecond: 645876123, timezone: '+01:00'}) AS d \
         RETURN toString(d), datetime(toString(d)) = d",
        &["'1984-10-11T12:31:14.645876123+01:00'", "true"],
    );
}

// ---- Temporal7: comparison ----

#[test]
fn temporal7_comparison() {
    check_query(
        "WITH time({hour: 10, minute: 0, timezone: '+01:00'}) AS x, time({hour: 9, minute: 35, second: 14, nanosecond: 645876123, timezone: '+00:00'}) AS d \
         RETURN x > d, x < d, x >= d, x <= d, x = d",
        &["false", "true", "false", "true", "false"],
    );
    check_query(
        "WITH duration({years: 12, months: 5, days: 14, hours: 16, minutes: 12, seconds: 70}) AS x, \
         duration({years: 12, months: 5, days: 13, hours: 40, minutes: 13, seconds: 10}) AS d, \
         date({year: 1984, month: 10, day: 11}) AS y RETURN x = d, x = y",
        &["false", "false"],
    );
}

// ---- Temporal8: arithmetic ----

#[test]
fn temporal8_arithmetic() {
    let dur = "duration({years: 12.5, months: 5.5, days: 14.5, hours: 16.5, minutes: 12.5, seconds: 70.5, nanoseconds: 3})";
    check_query(
        &format!(
            "WITH date({{year: 1984, month: 10, day: 11}}) AS x, {dur} AS d RETURN x + d, x - d"
        ),
        &["'1997-10-11'", "'1971-10-12'"],
    );
    check_query(
        &format!("WITH localtime({{hour: 12, minute: 31, second: 14, nanosecond: 1}}) AS x, {dur} AS d RETURN x + d, x - d"),
        &["'22:29:27.500000004'", "'02:33:00.499999998'"],
    );
    check_query(
        "WITH datetime({year: 1984, month: 10, day: 11, hour: 12, minute: 31, second: 14, nanosecond: 1, timezone: '+01:00'}) AS x, \
         duration({months: 1, days: -14, hours: 16, minutes: -12, seconds: 70}) AS d RETURN x + d, x - d",
        &["'1984-10-29T04:20:24.000000001+01:00'", "'1984-09-24T20:42:04.000000001+01:00'"],
    );
    check_query(
        &format!("WITH duration({{years: 12, months: 5, days: 14, hours: 16, minutes: 12, seconds: 70, nanoseconds: 1}}) AS a, {dur} AS b RETURN a + b, a - b"),
        &["'P25Y4M43DT50H11M23.500000004S'", "'P-6M-15DT-17H-45M-3.500000002S'"],
    );
    check_query(
        "WITH duration({years: 12, months: 5, days: 14, hours: 16, minutes: 12, seconds: 70, nanoseconds: 1}) AS d RETURN d * 2, d / 2, d * 0.5, d / 0.5",
        &[
            "'P24Y10M28DT32H26M20.000000002S'",
            "'P6Y2M22DT13H21M8S'",
            "'P6Y2M22DT13H21M8S'",
            "'P24Y10M28DT32H26M20.000000002S'",
        ],
    );
}

// ---- Temporal9: truncation ----

#[test]
fn temporal9_truncation() {
    let dt = "datetime({year: 1984, month: 1, day: 1, hour: 12, minute: 31, second: 14, nanosecond: 645876123, timezone: '-01:00'})";
    check(
        &format!("date.truncate('weekYear', {dt}, {{day: 5}})"),
        "'1983-01-05'",
    );
    check(
        "datetime.truncate('millennium', datetime({year: 2017, month: 10, day: 11, hour: 12, timezone: '-01:00'}), {timezone: 'Europe/Stockholm'})",
        "'2000-01-01T00:00+01:00[Europe/Stockholm]'",
    );
    check(
        &format!("time.truncate('hour', {dt}, {{timezone: '+01:00'}})"),
        "'12:00+01:00'",
    );
    check(
        &format!("localtime.truncate('microsecond', {dt}, {{nanosecond: 2}})"),
        "'12:31:14.645876002'",
    );
    check(
        "date.truncate('week', date({year: 1984, month: 10, day: 11}), {dayOfWeek: 2})",
        "'1984-10-09'",
    );
    check(
        "time.truncate('day', localdatetime({year: 1984, month: 10, day: 11, hour: 12}), {})",
        "'00:00Z'",
    );
    assert!(evaluate("date.truncate('hour', date({year: 1984}), {})", &Env::new()).is_err());
}

// ---- Temporal10: durations between values ----

#[test]
fn temporal10_between() {
    check(
        "duration.between(datetime('2017-10-28T23:00+02:00[Europe/Stockholm]'), datetime('2017-10-29T04:00+01:00[Europe/Stockholm]'))",
        "'PT6H'",
    );
    check("duration.between(localdatetime('2018-01-02T10:00:00.1'), localdatetime('2018-01-01T10:00:00.2'))", "'PT-23H-59M-59.9S'");
    check_query(
        "WITH duration.between(localdatetime('2018-01-02T10:00:00.1'), localdatetime('2018-01-01T10:00:00.2')) AS dur \
         RETURN dur.days, dur.seconds, dur.nanosecondsOfSecond",
        &["0", "-86400", "100000000"],
    );
    check(
        "duration.between(date('1984-10-11'), datetime('2015-07-21T21:40:32.142+0100'))",
        "'P30Y9M10DT21H40M32.142S'",
    );
    check(
        "duration.between(localdatetime('2015-07-21T21:40:32.142'), date('2015-06-24'))",
        "'P-27DT-21H-40M-32.142S'",
    );
    check(
        "duration.between(datetime('2014-07-21T21:40:36.143+0200'), date('2015-06-24'))",
        "'P11M2DT2H19M23.857S'",
    );
    check(
        "duration.between(time('14:30'), datetime('2015-07-21T21:40:32.142+0100'))",
        "'PT6H10M32.142S'",
    );
    check("duration.inMonths(datetime('2018-07-21T21:40:36.143+0500'), datetime('1984-07-21T22:40:36.143+0200'))", "'P-33Y-11M'");
    check(
        "duration.inMonths(date('2018-07-21'), datetime('2016-07-21T21:40:32.142+0100'))",
        "'P-1Y-11M'",
    );
    check("duration.inDays(datetime('2014-07-21T21:40:36.143+0200'), datetime('2015-07-21T21:40:32.142+0100'))", "'P365D'");
    check(
        "duration.inSeconds(date('1984-10-11'), localdatetime('2016-07-21T21:45:22.142'))",
        "'PT278565H45M22.142S'",
    );
    check(
        "duration.inSeconds(localtime({hour: 0}), datetime({year: 2017, month: 10, day: 29, hour: 4, timezone: 'Europe/Stockholm'}))",
        "'PT5H'",
    );
    check(
        "duration.inSeconds(localtime('12:44:54.7'), localtime('12:34:55.3'))",
        "'PT-9M-59.4S'",
    );
    check_query(
        "RETURN duration.inSeconds(datetime(), datetime())",
        &["'PT0S'"],
    );
    check("duration.inDays(null, null)", "null");
}

/// Graph-free temporal rows this module passes (of 952; see `tck_temporal_features`).
const KNOWN_PASSING_ROWS: usize = 950;

/// Every graph-free temporal scenario row of the TCK feature files, when `SKEIN_TCK`
/// names the features folder. Prints the failures and checks the pass count does not
/// fall below what this module is known to pass.
#[test]
fn tck_temporal_features() {
    let Some(root) = std::env::var("SKEIN_TCK").ok().filter(|v| !v.is_empty()) else {
        let in_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty());
        assert!(!in_ci, "SKEIN_TCK must name the TCK features folder in CI");
        eprintln!("SKEIN_TCK is not set; skipping the feature-file sweep");
        return;
    };
    let dir = std::path::Path::new(&root).join("expressions/temporal");
    let (mut passed, mut failed) = (0, 0);
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("SKEIN_TCK features folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    names.sort();
    for path in names {
        let text = std::fs::read_to_string(&path).expect("feature file");
        for (query, expected) in scenario_rows(&text) {
            let got = run_query(&query);
            let ok = matches!(&got, Ok(row) if row.iter().map(|(_, v)| v.as_str()).collect::<Vec<_>>() == expected);
            if ok {
                passed += 1;
            } else {
                failed += 1;
                eprintln!(
                    "FAIL {}: {query}\n  expected {expected:?}\n  got {got:?}",
                    path.display()
                );
            }
        }
    }
    eprintln!("temporal rows: {passed} passed, {failed} failed");
    // All but the two rows with years beyond ±9999 (jiff's civil range).
    assert!(
        passed >= KNOWN_PASSING_ROWS,
        "{passed} temporal rows pass, fewer than the {KNOWN_PASSING_ROWS} known to"
    );
}

/// (query, expected row) for each graph-free scenario (and each Examples row).
fn scenario_rows(feature: &str) -> Vec<(String, Vec<String>)> {
    let mut rows = Vec::new();
    for scenario in feature.split("Scenario").skip(1) {
        let lines: Vec<&str> = scenario.lines().map(str::trim).collect();
        let Some(q_start) = lines.iter().position(|l| *l == "\"\"\"") else {
            continue;
        };
        let Some(q_len) = lines[q_start + 1..].iter().position(|l| *l == "\"\"\"") else {
            continue;
        };
        let query = lines[q_start + 1..q_start + 1 + q_len].join(" ");
        if query.contains("MATCH") || query.contains("CREATE") {
            continue;
        }
        let after = &lines[q_start + 2 + q_len..];
        let table: Vec<Vec<String>> = after
            .iter()
            .skip_while(|l| !l.starts_with("Then the result"))
            .skip(1)
            .take_while(|l| l.starts_with('|'))
            .map(|l| cells(l))
            .collect();
        let Some(expected) = table.get(1) else {
            continue;
        };
        let examples: Vec<Vec<String>> = after
            .iter()
            .skip_while(|l| !l.starts_with("Examples:"))
            .skip(1)
            .take_while(|l| l.starts_with('|'))
            .map(|l| cells(l))
            .collect();
        if examples.is_empty() {
            rows.push((query.clone(), expected.clone()));
            continue;
        }
        let header = &examples[0];
        for example in &examples[1..] {
            let fill = |s: &str| {
                let mut s = s.to_string();
                for (h, v) in header.iter().zip(example) {
                    s = s.replace(&format!("<{h}>"), v);
                }
                s
            };
            rows.push((fill(&query), expected.iter().map(|c| fill(c)).collect()));
        }
    }
    rows
}

fn cells(line: &str) -> Vec<String> {
    line.trim_matches('|')
        .split('|')
        .map(|c| c.trim().to_string())
        .collect()
}

// ---- beyond the TCK ----

#[test]
fn same_instant_in_other_zones_orders_by_zone_and_is_unequal() {
    check_query(
        "WITH datetime('2015-07-21T21:40+01:00') AS a, datetime('2015-07-21T20:40Z') AS b RETURN a = b, a > b",
        &["false", "true"],
    );
    check_query(
        "WITH time('21:40+01:00') AS a, time('20:40Z') AS b, time('20:41Z') AS c RETURN a = b, a < c",
        &["false", "true"],
    );
}

#[test]
fn iso_text_round_trips_every_type() {
    for (kind, text) in [
        ("date", "-0044-03-15"),
        ("localtime", "23:59:59.999999999"),
        ("time", "12:34:56-02:05:07"),
        ("localdatetime", "0001-01-01T00:00"),
        ("datetime", "2017-10-29T02:30+01:00[Europe/Stockholm]"),
        ("datetime", "2017-10-29T02:30+02:00[Europe/Stockholm]"),
        ("duration", "P-1Y-2M3DT-4H-0.5S"),
    ] {
        let value = call_function(kind, &[Value::String(text.into())])
            .expect("a temporal function")
            .expect("valid text");
        let again = call_function(
            kind,
            &[Value::String(
                super::to_iso_string(&value).expect("temporal"),
            )],
        )
        .expect("a temporal function")
        .expect("rendered text parses");
        assert_eq!(value.equals(&again), Some(true), "{kind}('{text}')");
    }
}

#[test]
fn current_values_share_the_statement_instant() {
    check_query(
        "RETURN duration.inSeconds(localtime(), localtime()), date.statement() = date(), datetime({timezone: '+01:00'}).offset",
        &["'PT0S'", "true", "'+01:00'"],
    );
}

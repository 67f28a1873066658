//! Aggregation functions: count, sum, avg, min, max, collect, stDev, stDevP,
//! percentileCont, percentileDisc, each also with DISTINCT.
//!
//! Nulls are ignored by every aggregate (count(*) counts rows). DISTINCT keeps the first
//! value of each equivalence class of [`Value::group_key`], so 1 and 1.0 count once.
//! min and max follow the ORDER BY order across types. sum and avg take numbers (or
//! durations, through the temporal module); an integer sum stays an integer and fails
//! on overflow, any float makes it a float. Percentiles must lie in [0, 1].

use crate::error::{Error, ErrorClass, Result};
use crate::value::{self, temporal, GroupKey, Value};
use std::cmp::Ordering;
// foldhash: DISTINCT aggregation hashes a group key per row.
use foldhash::HashSet;

/// One group's running aggregate.
pub trait Aggregator {
    /// Feeds one row's argument values (for `count(*)` an empty slice).
    fn update(&mut self, args: &[Value]) -> Result<()>;
    /// Feeds the same row `times` times (a row that stands for several, as a counted
    /// expansion gives).
    fn update_times(&mut self, args: &[Value], times: u64) -> Result<()> {
        for _ in 0..times {
            self.update(args)?;
        }
        Ok(())
    }
    /// Feeds one row per node id, each with that node as the argument (the far nodes of
    /// an expansion that built no rows).
    fn update_nodes(&mut self, ids: &[u64]) -> Result<()> {
        update_each_node(self, ids)
    }
    /// The aggregate's value for the rows fed so far.
    fn finish(&self) -> Result<Value>;
}

/// Feeds `agg` one row per node id, the node as the argument.
fn update_each_node<A: Aggregator + ?Sized>(agg: &mut A, ids: &[u64]) -> Result<()> {
    for &id in ids {
        agg.update(&[Value::Node(value::Node::with_id(id))])?;
    }
    Ok(())
}

/// One group's running aggregate, kept inline: an aggregation holds one per group and
/// call in a vector, so a group costs no allocation of its own.
pub enum Accumulator {
    Rows(CountRows),
    Values(Aggregate),
}

impl Aggregator for Accumulator {
    fn update(&mut self, args: &[Value]) -> Result<()> {
        match self {
            Accumulator::Rows(a) => a.update(args),
            Accumulator::Values(a) => a.update(args),
        }
    }
    fn update_times(&mut self, args: &[Value], times: u64) -> Result<()> {
        match self {
            Accumulator::Rows(a) => a.update_times(args, times),
            Accumulator::Values(a) => a.update_times(args, times),
        }
    }
    fn update_nodes(&mut self, ids: &[u64]) -> Result<()> {
        match self {
            Accumulator::Rows(a) => a.update_nodes(ids),
            Accumulator::Values(a) => a.update_nodes(ids),
        }
    }
    fn finish(&self) -> Result<Value> {
        match self {
            Accumulator::Rows(a) => a.finish(),
            Accumulator::Values(a) => a.finish(),
        }
    }
}

/// A fresh aggregator for `name` (lower-cased); `count_star` for `count(*)`.
pub fn create(name: &str, distinct: bool, count_star: bool) -> Option<Accumulator> {
    if count_star {
        return Some(Accumulator::Rows(CountRows(0)));
    }
    let kind = match name {
        "count" => Kind::Count(0),
        "sum" => Kind::Sum(None),
        "avg" => Kind::Avg(Average::default()),
        "min" => Kind::Extreme(None, Ordering::Less),
        "max" => Kind::Extreme(None, Ordering::Greater),
        "collect" => Kind::Collect(Vec::new()),
        "stdev" => Kind::Deviation(Welford::default(), true),
        "stdevp" => Kind::Deviation(Welford::default(), false),
        "percentilecont" => Kind::Percentile(Vec::new(), None, true),
        "percentiledisc" => Kind::Percentile(Vec::new(), None, false),
        _ => return None,
    };
    Some(Accumulator::Values(Aggregate {
        kind,
        seen: distinct.then(Box::default),
    }))
}

/// `count(*)`: every row counts.
pub struct CountRows(i64);

impl Aggregator for CountRows {
    fn update(&mut self, _args: &[Value]) -> Result<()> {
        self.0 = self.0.saturating_add(1);
        Ok(())
    }
    fn update_times(&mut self, _args: &[Value], times: u64) -> Result<()> {
        self.0 = self
            .0
            .saturating_add(i64::try_from(times).unwrap_or(i64::MAX));
        Ok(())
    }
    fn finish(&self) -> Result<Value> {
        Ok(Value::Int(self.0))
    }
}

/// An aggregate over the non-null values of its first argument, optionally DISTINCT.
pub struct Aggregate {
    kind: Kind,
    /// The group keys already fed, when DISTINCT (boxed: most aggregates have none).
    seen: Option<Box<Seen>>,
}

/// The values a DISTINCT aggregate has fed. Nodes, the common case, are kept by id
/// apart from the other values: a node is equal only to a node with its id.
#[derive(Default)]
struct Seen {
    nodes: HashSet<u64>,
    others: HashSet<GroupKey>,
}

impl Seen {
    /// Whether `v` was not fed before (and now is).
    fn insert(&mut self, v: &Value) -> bool {
        match v {
            Value::Node(n) => self.nodes.insert(n.id),
            other => self.others.insert(other.group_key()),
        }
    }
}

enum Kind {
    Count(i64),
    /// The running sum; `None` before the first value.
    Sum(Option<Value>),
    Avg(Average),
    /// The best value so far and which way is better (Less for min).
    Extreme(Option<Value>, Ordering),
    Collect(Vec<Value>),
    /// Running mean and variance; `true` for the sample deviation.
    Deviation(Welford, bool),
    /// Values, the percentile (fixed by the first row), `true` for percentileCont.
    Percentile(Vec<Value>, Option<f64>, bool),
}

#[derive(Default)]
struct Average {
    count: i64,
    /// Integer values are summed exactly; floats are summed apart.
    int_sum: i128,
    float_sum: f64,
    any_float: bool,
    /// The running sum of durations, when the values are durations.
    duration_sum: Option<Value>,
}

/// Welford's running mean and sum of squared deviations.
#[derive(Default)]
struct Welford {
    count: u64,
    mean: f64,
    m2: f64,
}

fn not_a_number(name: &str, v: &Value) -> Error {
    Error::type_error(
        "InvalidArgumentType",
        format!(
            "{name}() expects numbers, got a value of type {}",
            v.type_name()
        ),
    )
}

fn as_number(name: &str, v: &Value) -> Result<f64> {
    match v {
        Value::Int(i) => Ok(*i as f64),
        Value::Float(f) => Ok(*f),
        other => Err(not_a_number(name, other)),
    }
}

impl Aggregator for Aggregate {
    fn update_nodes(&mut self, ids: &[u64]) -> Result<()> {
        match (&mut self.kind, &mut self.seen) {
            (Kind::Count(n), Some(seen)) => {
                for &id in ids {
                    if seen.nodes.insert(id) {
                        *n = n.saturating_add(1);
                    }
                }
                Ok(())
            }
            _ => update_each_node(self, ids),
        }
    }

    fn update_times(&mut self, args: &[Value], times: u64) -> Result<()> {
        match (&mut self.kind, &self.seen, args.first()) {
            (Kind::Count(n), None, Some(v)) if !v.is_null() => {
                *n = n.saturating_add(i64::try_from(times).unwrap_or(i64::MAX));
                Ok(())
            }
            _ => {
                for _ in 0..times {
                    self.update(args)?;
                }
                Ok(())
            }
        }
    }

    fn update(&mut self, args: &[Value]) -> Result<()> {
        let Some(v) = args.first() else {
            return Ok(());
        };
        // The percentile argument is checked on every row, even when the value is null
        // or a repeat, so a bad percentile fails however the data looks.
        if let Kind::Percentile(_, percentile, _) = &mut self.kind {
            let p = check_percentile(args.get(1).unwrap_or(&Value::Null))?;
            percentile.get_or_insert(p);
        }
        if v.is_null() {
            return Ok(());
        }
        if let Some(seen) = &mut self.seen {
            if !seen.insert(v) {
                return Ok(());
            }
        }
        match &mut self.kind {
            Kind::Count(n) => *n = n.saturating_add(1),
            Kind::Sum(sum) => {
                check_summable("sum", v)?;
                *sum = Some(match sum.take() {
                    None => v.clone(),
                    Some(total) => value::add(&total, v)?,
                });
            }
            Kind::Avg(avg) => avg.add(v)?,
            Kind::Extreme(best, better) => {
                let replace = best.as_ref().is_none_or(|b| v.order(b) == *better);
                if replace {
                    *best = Some(v.clone());
                }
            }
            Kind::Collect(items) => items.push(v.clone()),
            Kind::Deviation(w, _) => {
                let x = as_number("stDev", v)?;
                w.count += 1;
                let delta = x - w.mean;
                w.mean += delta / w.count as f64;
                w.m2 += delta * (x - w.mean);
            }
            Kind::Percentile(values, _, _) => {
                as_number("percentile", v)?;
                values.push(v.clone());
            }
        }
        Ok(())
    }

    fn finish(&self) -> Result<Value> {
        Ok(match &self.kind {
            Kind::Count(n) => Value::Int(*n),
            Kind::Sum(sum) => sum.clone().unwrap_or(Value::Int(0)),
            Kind::Avg(avg) => avg.finish()?,
            Kind::Extreme(best, _) => best.clone().unwrap_or(Value::Null),
            Kind::Collect(items) => Value::List(items.clone()),
            Kind::Deviation(w, sample) => {
                let divisor = if *sample {
                    w.count.saturating_sub(1)
                } else {
                    w.count
                };
                if divisor == 0 {
                    Value::Float(0.0)
                } else {
                    Value::Float((w.m2 / divisor as f64).sqrt())
                }
            }
            Kind::Percentile(values, percentile, continuous) => {
                percentile_of(values, percentile.unwrap_or(0.0), *continuous)
            }
        })
    }
}

/// sum() takes numbers and durations.
fn check_summable(name: &str, v: &Value) -> Result<()> {
    match v {
        Value::Int(_) | Value::Float(_) | Value::Duration(_) => Ok(()),
        other => Err(not_a_number(name, other)),
    }
}

impl Average {
    fn add(&mut self, v: &Value) -> Result<()> {
        match v {
            Value::Duration(_) => {
                if self.count > 0 && self.duration_sum.is_none() {
                    return Err(mixed_average());
                }
                self.duration_sum = Some(match self.duration_sum.take() {
                    None => v.clone(),
                    Some(total) => value::add(&total, v)?,
                });
            }
            _ if self.duration_sum.is_some() => return Err(mixed_average()),
            Value::Int(i) => self.int_sum += i128::from(*i),
            Value::Float(f) => {
                self.float_sum += f;
                self.any_float = true;
            }
            other => return Err(not_a_number("avg", other)),
        }
        self.count += 1;
        Ok(())
    }

    fn finish(&self) -> Result<Value> {
        if self.count == 0 {
            return Ok(Value::Null);
        }
        if let Some(total) = &self.duration_sum {
            return temporal::divide(total, &Value::Int(self.count)).unwrap_or_else(|| {
                Err(Error::type_error(
                    "InvalidArgumentType",
                    "avg() of durations needs duration arithmetic, which is not available",
                ))
            });
        }
        let total = self.int_sum as f64 + self.float_sum;
        Ok(Value::Float(total / self.count as f64))
    }
}

fn mixed_average() -> Error {
    Error::type_error(
        "InvalidArgumentType",
        "avg() cannot mix durations and numbers",
    )
}

fn check_percentile(p: &Value) -> Result<f64> {
    let p = match p {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        other => {
            return Err(Error::type_error(
                "InvalidArgumentType",
                format!(
                    "the percentile must be a number between 0.0 and 1.0, got a value of type {}",
                    other.type_name()
                ),
            ))
        }
    };
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(Error::new(
            ErrorClass::ArgumentError,
            "NumberOutOfRange",
            format!("the percentile must be between 0.0 and 1.0, got {p}"),
        ))
    }
}

/// percentileDisc picks the value at rank ceil(p·n) (the smallest value with at least a
/// fraction p of values at or below it); percentileCont interpolates linearly between
/// the two values around position p·(n−1).
fn percentile_of(values: &[Value], p: f64, continuous: bool) -> Value {
    if values.is_empty() {
        return Value::Null;
    }
    let mut sorted: Vec<&Value> = values.iter().collect();
    sorted.sort_by(|a, b| a.order(b));
    let n = sorted.len();
    let at = |i: usize| {
        sorted
            .get(i.min(n - 1))
            .map_or(Value::Null, |v| (*v).clone())
    };
    if continuous {
        let position = p * (n - 1) as f64;
        let lower = position.floor();
        let fraction = position - lower;
        let lower_index = lower as usize;
        let low = to_f64(&at(lower_index));
        let high = to_f64(&at(lower_index + 1));
        Value::Float(low + (high - low) * fraction)
    } else {
        let rank = (p * n as f64).ceil() as usize;
        at(rank.saturating_sub(1))
    }
}

fn to_f64(v: &Value) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        _ => f64::NAN,
    }
}

//! Aggregation functions: count, sum, avg, min, max, collect, stDev, stDevP,
//! percentileCont, percentileDisc, each also with DISTINCT.
//! (Contract stubs; the functions owner implements them.)

use crate::error::Result;
use crate::value::Value;

/// One group's running aggregate.
pub trait Aggregator {
    /// Feeds one row's argument values (for `count(*)` an empty slice).
    fn update(&mut self, args: &[Value]) -> Result<()>;
    /// The aggregate's value for the rows fed so far.
    fn finish(&self) -> Result<Value>;
}

/// Whether `name` (lower-cased) is an aggregation function.
pub fn is_aggregate(_name: &str) -> bool {
    false
}

/// A fresh aggregator for `name` (lower-cased); `count_star` for `count(*)`.
pub fn create(_name: &str, _distinct: bool, _count_star: bool) -> Option<Box<dyn Aggregator>> {
    None
}

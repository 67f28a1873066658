//! Graph algorithms over an in-memory petgraph projection of (part of) the store,
//! exposed to queries as the `algo.*` procedures.
//!
//! - `projection`: the store → petgraph copy, with the mapping back to node ids.
//! - `algorithms`: the algorithms themselves, on graph indices.
//! - `procedures`: signatures, argument checking, `Value` conversion, `algo.list()`.

pub mod algorithms;
pub mod procedures;
pub mod projection;

pub use projection::{Projection, ProjectionSpec};

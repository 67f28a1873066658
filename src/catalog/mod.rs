//! The names every language stage asks about: scalar functions with their arities,
//! aggregation functions, and procedures with their signatures (and the bodies a
//! database registered for them). The parser, binder and planner depend on this module,
//! never on `exec`; `exec` computes what the names stand for.

pub mod aggregates;
pub mod functions;
pub mod history;
pub mod procedures;

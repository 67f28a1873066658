//! The scalar functions skein knows, by name, with the number of arguments each takes.
//! Names are lower-cased and dotted (`date.truncate`). The binder checks calls against
//! this table; `exec::functions` computes them.

use crate::value::temporal;

/// The number of arguments a function takes: `(min, max)`, `max` `None` when unbounded.
/// `None` when `name` is not a known scalar function.
pub fn arity(name: &str) -> Option<(usize, Option<usize>)> {
    let fixed = |n| Some((n, Some(n)));
    match name {
        "e" | "pi" | "rand" | "timestamp" | "randomuuid" => fixed(0),
        "coalesce" => Some((1, None)),
        "range" => Some((2, Some(3))),
        "substring" => Some((2, Some(3))),
        "round" => Some((1, Some(3))),
        "split" | "left" | "right" | "atan2" => fixed(2),
        "replace" => fixed(3),
        "log" | "ln" => fixed(1),
        _ if UNARY.contains(&name) => fixed(1),
        _ if temporal::is_function(name) => Some((0, None)),
        _ => None,
    }
}

/// Functions of exactly one argument.
const UNARY: &[&str] = &[
    "id",
    "elementid",
    "labels",
    "type",
    "keys",
    "properties",
    "startnode",
    "endnode",
    "nodes",
    "relationships",
    "length",
    "size",
    "char_length",
    "character_length",
    "head",
    "last",
    "tail",
    "reverse",
    "isempty",
    "exists",
    "tointeger",
    "tointegerornull",
    "tofloat",
    "tofloatornull",
    "tostring",
    "tostringornull",
    "toboolean",
    "tobooleanornull",
    "tointegerlist",
    "tofloatlist",
    "tostringlist",
    "tobooleanlist",
    "abs",
    "ceil",
    "floor",
    "sign",
    "sqrt",
    "exp",
    "log10",
    "sin",
    "cos",
    "tan",
    "cot",
    "asin",
    "acos",
    "atan",
    "haversin",
    "degrees",
    "radians",
    "trim",
    "ltrim",
    "rtrim",
    "toupper",
    "tolower",
    "upper",
    "lower",
];

/// Whether `name` (lower-cased, dotted) is a known scalar function.
pub fn is_known(name: &str) -> bool {
    arity(name).is_some()
}

//! The scalar functions skein knows, by name, with the number of arguments each takes.
//! Names are lower-cased and dotted (`date.truncate`). The binder checks calls against
//! this table; `exec::functions` computes them.

use crate::value::temporal;

/// The functions of other than one argument: name, fewest and most arguments (`None`:
/// unbounded).
const NOT_UNARY: &[(&str, usize, Option<usize>)] = &[
    ("e", 0, Some(0)),
    ("pi", 0, Some(0)),
    ("rand", 0, Some(0)),
    ("timestamp", 0, Some(0)),
    ("randomuuid", 0, Some(0)),
    ("coalesce", 1, None),
    ("range", 2, Some(3)),
    ("substring", 2, Some(3)),
    ("round", 1, Some(3)),
    ("split", 2, Some(2)),
    ("left", 2, Some(2)),
    ("right", 2, Some(2)),
    ("atan2", 2, Some(2)),
    ("replace", 3, Some(3)),
    // Provenance: `sources(x)`, `sources(x, key)`, `claims(x, key)`.
    ("sources", 1, Some(2)),
    ("claims", 2, Some(2)),
    // Valid time: `valid_at(x, t)`.
    ("valid_at", 2, Some(2)),
];

/// The number of arguments a function takes: `(min, max)`, `max` `None` when unbounded.
/// `None` when `name` is not a known scalar function.
pub fn arity(name: &str) -> Option<(usize, Option<usize>)> {
    if let Some((_, min, max)) = NOT_UNARY.iter().find(|(n, ..)| *n == name) {
        return Some((*min, *max));
    }
    if UNARY.contains(&name) {
        return Some((1, Some(1)));
    }
    temporal::is_function(name).then_some((0, None))
}

/// Every scalar function, with its category (`Scalar` or `Temporal`): what `SHOW
/// FUNCTIONS` lists beside the aggregations.
pub fn all() -> Vec<(String, &'static str)> {
    let scalar = NOT_UNARY
        .iter()
        .map(|(n, ..)| *n)
        .chain(UNARY.iter().copied())
        .map(|n| (n.to_string(), "Scalar"));
    let temporal = temporal::function_names()
        .into_iter()
        .map(|n| (n, "Temporal"));
    let mut all: Vec<(String, &'static str)> = scalar.chain(temporal).collect();
    all.sort();
    all
}

/// The names, lower-cased, that Neo4j's documentation spells with capitals; listings
/// (`SHOW FUNCTIONS`) show these spellings, while calls match any case.
const SPELLINGS: &[&str] = &[
    "elementId",
    "startNode",
    "endNode",
    "isEmpty",
    "toInteger",
    "toIntegerOrNull",
    "toFloat",
    "toFloatOrNull",
    "toString",
    "toStringOrNull",
    "toBoolean",
    "toBooleanOrNull",
    "toIntegerList",
    "toFloatList",
    "toStringList",
    "toBooleanList",
    "toUpper",
    "toLower",
    "randomUUID",
    "stDev",
    "stDevP",
    "percentileCont",
    "percentileDisc",
    "inMonths",
    "inDays",
    "inSeconds",
];

/// `name` (lower-cased, dotted) as Neo4j's documentation spells it: `toupper` is
/// `toUpper`, `duration.inmonths` is `duration.inMonths`.
pub fn documented_spelling(name: &str) -> String {
    let spell = |part: &str| {
        SPELLINGS
            .iter()
            .find(|s| s.eq_ignore_ascii_case(part))
            .map_or_else(|| part.to_string(), |s| s.to_string())
    };
    match name.split_once('.') {
        Some((base, member)) => format!("{}.{}", spell(base), spell(member)),
        None => spell(name),
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
    "log",
    "ln",
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

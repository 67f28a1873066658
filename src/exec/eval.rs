//! Evaluation of compiled expressions (see `expr`) over one row.
//!
//! An `Env` holds what an expression reads: the row, whose slots it reads by index, and
//! the local variables of comprehensions, quantifiers and reduce, by depth. Entity
//! values are identities; property access, labels and pattern predicates read the
//! transaction. Scalar functions
//! get entity arguments with labels and properties filled (the functions module is pure).
//! Aggregation calls are not computed here: the aggregation operator computes them and
//! passes their values in `Env::Row::aggs`, keyed by where the call is written.

use super::expr::{Compiled, Function, Gives, Kind, MapItem};
use super::{materialize, ops, Ctx, Row};
use crate::ast::{self, BinaryOp, CompareOp, UnaryOp};
use crate::error::{Error, ErrorClass, Result};
use crate::storage::{Element, Token};
use crate::value::{self, Map, Node, Path, Relationship, Value};
use std::cell::Cell;
use std::cmp::Ordering;

/// Values of aggregation calls, keyed by where the call is written (a few per group,
/// so a list, not a hash map): a copy of the call the planner made is the same call.
#[derive(Default)]
pub(crate) struct AggValues(Vec<(ast::Span, Value)>);

impl AggValues {
    pub fn insert(&mut self, at: ast::Span, value: Value) {
        self.0.push((at, value));
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    fn get(&self, at: ast::Span) -> Option<&Value> {
        self.0.iter().find(|(k, _)| *k == at).map(|(_, v)| v)
    }
}

/// What an expression reads: the row, the local variables of the comprehensions,
/// quantifiers and reduce it is inside of, and the values of aggregation calls.
pub(crate) enum Env<'r> {
    Row {
        row: &'r [Value],
        aggs: Option<&'r AggValues>,
    },
    Local {
        value: &'r Value,
        parent: &'r Env<'r>,
    },
}

/// What a slot the row lacks reads as.
const NULL: &Value = &Value::Null;

impl<'r> Env<'r> {
    pub fn row(row: &'r [Value]) -> Env<'r> {
        Env::Row { row, aggs: None }
    }

    fn slot(&self, i: usize) -> &Value {
        match self {
            Env::Row { row, .. } => row.get(i).unwrap_or(NULL),
            Env::Local { parent, .. } => parent.slot(i),
        }
    }

    fn local(&self, depth: usize) -> &Value {
        match self {
            Env::Local { value, .. } if depth == 0 => value,
            Env::Local { parent, .. } => parent.local(depth - 1),
            Env::Row { .. } => NULL,
        }
    }

    fn aggs(&self) -> Option<&AggValues> {
        match self {
            Env::Row { aggs, .. } => *aggs,
            Env::Local { parent, .. } => parent.aggs(),
        }
    }
}

fn type_error(message: impl Into<String>) -> Error {
    Error::type_error("InvalidArgumentType", message)
}

/// Cypher truth of a predicate value: only `true` passes.
pub(crate) fn is_true(v: &Value) -> bool {
    matches!(v, Value::Bool(true))
}

fn as_bool(v: Value, what: &str) -> Result<Option<bool>> {
    match v {
        Value::Bool(b) => Ok(Some(b)),
        Value::Null => Ok(None),
        other => Err(type_error(format!(
            "{what} expects a boolean, got {}",
            other.type_name()
        ))),
    }
}

/// Refuses a value that would nest lists and maps deeper than `MAX_NESTING` once it is
/// put inside another list or map.
fn within_nesting_limit(v: Value) -> Result<Value> {
    if v.nesting_exceeds(crate::value::MAX_NESTING - 1) {
        return Err(Error::argument(
            "NestingTooDeep",
            format!(
                "lists and maps may nest at most {} levels deep",
                crate::value::MAX_NESTING
            ),
        ));
    }
    Ok(v)
}

pub(crate) fn eval(ctx: &Ctx<'_, '_>, env: &Env<'_>, e: &Compiled<'_>) -> Result<Value> {
    eval_inner(ctx, env, e).map_err(|err| err.at(ctx.text, e.at))
}

/// Evaluates `e` and hands `look` a reference to its value. Slots, locals, constants
/// and `var.key` of a node are looked at where they lie (the row, the store's decoded
/// node), so reading them copies nothing; other expressions are evaluated first.
pub(crate) fn with_value<T>(
    ctx: &Ctx<'_, '_>,
    env: &Env<'_>,
    e: &Compiled<'_>,
    look: impl FnOnce(&Value) -> Result<T>,
) -> Result<T> {
    match &e.kind {
        Kind::Slot(i) => look(env.slot(*i)),
        Kind::Local(depth) => look(env.local(*depth)),
        Kind::Constant(v) => look(v),
        Kind::Property(target, key) => match in_place(env, target) {
            Some(Value::Node(n)) => {
                check_node_alive(ctx, n.id).map_err(|err| err.at(ctx.text, e.at))?;
                with_node_key(ctx, n.id, key, look)
            }
            _ => look(&eval(ctx, env, e)?),
        },
        _ => look(&eval(ctx, env, e)?),
    }
}

/// The value of `e` where it lies, when it is a slot or a local.
fn in_place<'v>(env: &'v Env<'_>, e: &Compiled<'_>) -> Option<&'v Value> {
    match e.kind {
        Kind::Slot(i) => Some(env.slot(i)),
        Kind::Local(depth) => Some(env.local(depth)),
        _ => None,
    }
}

/// An expression that reads nothing but one node: a property of it, or a constant. A
/// scan tests these on a node before it builds the node's row.
pub(crate) enum NodeOperand<'a> {
    Key(KeyName<'a>),
    Constant(Value),
}

impl<'a> NodeOperand<'a> {
    /// `e` as an operand on the node in `slot`, when it reads nothing else.
    pub fn new(e: Compiled<'a>, slot: usize) -> Option<NodeOperand<'a>> {
        match e.kind {
            Kind::Property(target, key) if target.slot() == Some(slot) => {
                Some(NodeOperand::Key(key))
            }
            Kind::Constant(v) => Some(NodeOperand::Constant(v)),
            _ => None,
        }
    }

    /// Hands `look` the operand's value for live node `id`, in place.
    pub fn with_value<T>(
        &self,
        ctx: &Ctx<'_, '_>,
        id: u64,
        look: impl FnOnce(&Value) -> Result<T>,
    ) -> Result<T> {
        match self {
            NodeOperand::Key(key) => with_node_key(ctx, id, key, look),
            NodeOperand::Constant(v) => look(v),
        }
    }
}

/// A property key named in the syntax tree, with its token once found (a token keeps
/// its meaning for the statement; a key not yet known is looked up again).
pub(crate) struct KeyName<'a> {
    name: &'a str,
    token: Cell<Option<Token>>,
}

impl<'a> KeyName<'a> {
    pub fn new(name: &'a str) -> Self {
        KeyName {
            name,
            token: Cell::new(None),
        }
    }

    fn token(&self, ctx: &Ctx<'_, '_>) -> Option<Token> {
        if self.token.get().is_none() {
            self.token.set(ctx.key_token(self.name));
        }
        self.token.get()
    }
}

/// Hands `look` property `key` of live node `id` where it lies; null when the node
/// lacks it.
fn with_node_key<T>(
    ctx: &Ctx<'_, '_>,
    id: u64,
    key: &KeyName<'_>,
    look: impl FnOnce(&Value) -> Result<T>,
) -> Result<T> {
    let Some(token) = key.token(ctx) else {
        return look(&Value::Null);
    };
    ctx.txn
        .with_node_property(id, token, |v| look(v.unwrap_or(&Value::Null)))
}

/// The items of a list a comprehension, quantifier or reduce runs over; `None` for null.
fn list_items(v: Value, what: &str) -> Result<Option<Vec<Value>>> {
    match v {
        Value::Null => Ok(None),
        Value::List(items) => Ok(Some(items)),
        other => Err(type_error(format!(
            "{what} expects a list, got {}",
            other.type_name()
        ))),
    }
}

fn eval_inner(ctx: &Ctx<'_, '_>, env: &Env<'_>, e: &Compiled<'_>) -> Result<Value> {
    Ok(match &e.kind {
        Kind::Constant(v) => v.clone(),
        Kind::Slot(i) => env.slot(*i).clone(),
        Kind::Local(depth) => env.local(*depth).clone(),
        Kind::List(items) => Value::List(
            items
                .iter()
                .map(|x| eval(ctx, env, x).and_then(within_nesting_limit))
                .collect::<Result<_>>()?,
        ),
        Kind::Map(entries) => {
            let mut m = Map::new();
            for (k, v) in entries {
                m.insert(
                    (*k).to_string(),
                    eval(ctx, env, v).and_then(within_nesting_limit)?,
                );
            }
            Value::Map(m)
        }
        Kind::Property(target, key) => match in_place(env, target) {
            // `var.key`, the common case: read the variable's value in place.
            Some(Value::Node(n)) => {
                check_node_alive(ctx, n.id)?;
                with_node_key(ctx, n.id, key, |v| Ok(v.clone()))?
            }
            Some(t) => property(ctx, t, key.name)?,
            None => property(ctx, &eval(ctx, env, target)?, key.name)?,
        },
        Kind::Index(target, index) => {
            let t = eval(ctx, env, target)?;
            let i = eval(ctx, env, index)?;
            index_value(ctx, t, i)?
        }
        Kind::Slice(target, from, to) => {
            let t = eval(ctx, env, target)?;
            let from = from.as_ref().map(|x| eval(ctx, env, x)).transpose()?;
            let to = to.as_ref().map(|x| eval(ctx, env, x)).transpose()?;
            slice(t, from, to)?
        }
        Kind::Binary(op, a, b) => binary(ctx, env, *op, a, b)?,
        Kind::Unary(op, a) => {
            let v = eval(ctx, env, a)?;
            match op {
                UnaryOp::Not => match as_bool(v, "NOT")? {
                    Some(b) => Value::Bool(!b),
                    None => Value::Null,
                },
                UnaryOp::Negate => value::negate(&v)?,
                UnaryOp::Plus => match v {
                    Value::Int(_) | Value::Float(_) | Value::Null => v,
                    other => {
                        return Err(type_error(format!(
                            "unary plus expects a number, got {}",
                            other.type_name()
                        )))
                    }
                },
            }
        }
        Kind::Compare(first, rest) => match rest.as_slice() {
            // One comparison, the common case: both sides are looked at in place.
            [(op, second)] => with_value(ctx, env, first, |left| {
                with_value(ctx, env, second, |right| {
                    Ok(compare(*op, left, right).map_or(Value::Null, Value::Bool))
                })
            })?,
            _ => {
                let mut left = eval(ctx, env, first)?;
                let mut result = Some(true);
                for (op, x) in rest {
                    let right = eval(ctx, env, x)?;
                    let r = compare(*op, &left, &right);
                    result = match (result, r) {
                        (Some(false), _) | (_, Some(false)) => Some(false),
                        (Some(true), Some(true)) => Some(true),
                        _ => None,
                    };
                    left = right;
                }
                result.map_or(Value::Null, Value::Bool)
            }
        },
        Kind::IsNull(x, negated) => {
            Value::Bool(with_value(ctx, env, x, |v| Ok(v.is_null()))? != *negated)
        }
        Kind::HasLabels(x, labels) => match eval(ctx, env, x)? {
            Value::Null => Value::Null,
            Value::Node(n) => {
                check_node_alive(ctx, n.id)?;
                let mut all = true;
                for l in labels.iter() {
                    if !ctx.txn.node_has_label(n.id, &l.name)? {
                        all = false;
                        break;
                    }
                }
                Value::Bool(all)
            }
            Value::Relationship(r) => {
                // `r:T` on a relationship tests its type.
                let t = rel_type(ctx, &r)?;
                Value::Bool(labels.iter().all(|l| l.name == t))
            }
            other => {
                return Err(type_error(format!(
                    "label predicate expects a node, got {}",
                    other.type_name()
                )))
            }
        },
        Kind::LabelMatch(x, labels) => match eval(ctx, env, x)? {
            Value::Null => Value::Null,
            Value::Node(n) => {
                check_node_alive(ctx, n.id)?;
                Value::Bool(labels.matches(&mut |label| match label {
                    Some(l) => ctx.txn.node_has_label(n.id, l),
                    None => Ok(!ctx.txn.node_labels(n.id)?.is_empty()),
                })?)
            }
            Value::Relationship(r) => {
                let t = rel_type(ctx, &r)?;
                Value::Bool(
                    labels.matches(&mut |label| Ok::<_, Error>(label.is_none_or(|l| l == t)))?,
                )
            }
            other => {
                return Err(type_error(format!(
                    "label expression expects a node or relationship, got {}",
                    other.type_name()
                )))
            }
        },
        Kind::Aggregate(at) => env
            .aggs()
            .and_then(|a| a.get(*at))
            .cloned()
            .ok_or_else(|| {
                Error::syntax(
                    "InvalidAggregation",
                    "an aggregation is not allowed in this place",
                )
            })?,
        Kind::Function(function, args) => call_function(ctx, env, function, args)?,
        Kind::Coalesce(args) => {
            for a in args {
                let v = eval(ctx, env, a)?;
                if !v.is_null() {
                    return Ok(v);
                }
            }
            Value::Null
        }
        Kind::Case {
            operand,
            whens,
            else_,
        } => {
            let subject = operand.as_ref().map(|o| eval(ctx, env, o)).transpose()?;
            for (w, t) in whens {
                let wv = eval(ctx, env, w)?;
                let hit = match &subject {
                    Some(s) => s.equals(&wv) == Some(true),
                    None => is_true(&wv),
                };
                if hit {
                    return eval(ctx, env, t);
                }
            }
            match else_ {
                Some(x) => eval(ctx, env, x)?,
                None => Value::Null,
            }
        }
        Kind::ListComprehension {
            list,
            predicate,
            projection,
        } => {
            let Some(items) = list_items(eval(ctx, env, list)?, "list comprehension")? else {
                return Ok(Value::Null);
            };
            let mut out = Vec::new();
            for item in items {
                let local = Env::Local {
                    value: &item,
                    parent: env,
                };
                if let Some(p) = predicate {
                    if !is_true(&eval(ctx, &local, p)?) {
                        continue;
                    }
                }
                out.push(match projection {
                    Some(p) => eval(ctx, &local, p)?,
                    None => item.clone(),
                });
            }
            Value::List(out)
        }
        Kind::Quantified {
            quantifier,
            list,
            predicate,
        } => quantified(ctx, env, *quantifier, list, predicate.as_deref())?,
        Kind::Reduce { init, list, expr } => {
            let mut acc = eval(ctx, env, init)?;
            let Some(items) = list_items(eval(ctx, env, list)?, "reduce")? else {
                return Ok(Value::Null);
            };
            for item in items {
                let with_acc = Env::Local {
                    value: &acc,
                    parent: env,
                };
                let local = Env::Local {
                    value: &item,
                    parent: &with_acc,
                };
                let next = eval(ctx, &local, expr)?;
                acc = next;
            }
            acc
        }
        Kind::MapProjection { base, items } => {
            let base = eval(ctx, env, base)?;
            if base.is_null() {
                return Ok(Value::Null);
            }
            let mut m = Map::new();
            for item in items {
                match item {
                    MapItem::Property(k) => {
                        m.insert((*k).to_string(), property(ctx, &base, k)?);
                    }
                    MapItem::AllProperties => {
                        for (k, v) in all_properties(ctx, &base)? {
                            m.insert(k, v);
                        }
                    }
                    MapItem::Entry(k, x) => {
                        m.insert((*k).to_string(), eval(ctx, env, x)?);
                    }
                }
            }
            Value::Map(m)
        }
        Kind::Subquery {
            plan,
            imports,
            gives,
        } => {
            let row = imports
                .iter()
                .map(|x| eval(ctx, env, x))
                .collect::<Result<Row>>()?;
            let mut op = ops::build(ctx, &plan.steps, &plan.imports, ops::source(vec![row]))?;
            match gives {
                Gives::Exists => Value::Bool(op.next()?.is_some()),
                Gives::Count => {
                    let mut count = 0i64;
                    while op.next()?.is_some() {
                        count += 1;
                    }
                    Value::Int(count)
                }
                Gives::Column(slot) => {
                    let mut values = Vec::new();
                    while let Some(r) = op.next()? {
                        values.push(r.get(*slot).cloned().unwrap_or(Value::Null));
                    }
                    Value::List(values)
                }
                Gives::List(projection) => {
                    let mut out = Vec::new();
                    while let Some(r) = op.next()? {
                        let inner = Env::Row {
                            row: &r,
                            aggs: env.aggs(),
                        };
                        out.push(eval(ctx, &inner, projection)?);
                    }
                    Value::List(out)
                }
                Gives::Paths { slot, all } => {
                    let mut paths = Vec::new();
                    while let Some(r) = op.next()? {
                        if let Some(p) = slot.and_then(|i| r.get(i)) {
                            paths.push(p.clone());
                        }
                        if !all {
                            break;
                        }
                    }
                    if *all {
                        Value::List(paths)
                    } else {
                        paths.into_iter().next().unwrap_or(Value::Null)
                    }
                }
            }
        }
    })
}

fn check_node_alive(ctx: &Ctx<'_, '_>, id: u64) -> Result<()> {
    if ctx.deleted_nodes.contains(&id) {
        return Err(Error::new(
            ErrorClass::EntityNotFound,
            "DeletedEntityAccess",
            "the node was deleted earlier in this statement",
        ));
    }
    Ok(())
}

fn check_rel_alive(ctx: &Ctx<'_, '_>, id: u64) -> Result<()> {
    if ctx.deleted_rels.contains(&id) {
        return Err(Error::new(
            ErrorClass::EntityNotFound,
            "DeletedEntityAccess",
            "the relationship was deleted earlier in this statement",
        ));
    }
    Ok(())
}

fn rel_type(ctx: &Ctx<'_, '_>, r: &Relationship) -> Result<String> {
    if !r.rel_type.is_empty() {
        return Ok(r.rel_type.to_string());
    }
    Ok(ctx
        .txn
        .relationship(r.id)?
        .map(|i| i.rel_type.to_string())
        .unwrap_or_default())
}

/// `value.key`.
pub(crate) fn property(ctx: &Ctx<'_, '_>, v: &Value, key: &str) -> Result<Value> {
    match v {
        Value::Null => Ok(Value::Null),
        Value::Node(n) => {
            check_node_alive(ctx, n.id)?;
            Ok(ctx.node_property(n.id, key)?.unwrap_or(Value::Null))
        }
        Value::Relationship(r) => {
            check_rel_alive(ctx, r.id)?;
            Ok(ctx.txn.rel_property(r.id, key)?.unwrap_or(Value::Null))
        }
        Value::Map(m) => Ok(m.get(key).cloned().unwrap_or(Value::Null)),
        other => match value::temporal::property(other, key) {
            Some(r) => r,
            None => Err(type_error(format!(
                "cannot read property '{key}' of a {}",
                other.type_name()
            ))),
        },
    }
}

fn all_properties(ctx: &Ctx<'_, '_>, v: &Value) -> Result<Vec<(String, Value)>> {
    Ok(match v {
        Value::Node(n) => {
            check_node_alive(ctx, n.id)?;
            ctx.txn.node_properties(n.id)?.into_iter().collect()
        }
        Value::Relationship(r) => {
            check_rel_alive(ctx, r.id)?;
            ctx.txn.rel_properties(r.id)?.into_iter().collect()
        }
        Value::Map(m) => m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        Value::Null => Vec::new(),
        other => {
            return Err(type_error(format!(
                "a map projection needs a node, relationship or map, got {}",
                other.type_name()
            )))
        }
    })
}

fn list_index(len: usize, i: i64) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let idx = if i < 0 { len + i } else { i };
    if idx < 0 || idx >= len {
        None
    } else {
        usize::try_from(idx).ok()
    }
}

fn index_value(ctx: &Ctx<'_, '_>, t: Value, i: Value) -> Result<Value> {
    match (t, i) {
        (Value::Null, _) | (_, Value::Null) => Ok(Value::Null),
        (Value::List(items), Value::Int(i)) => Ok(list_index(items.len(), i)
            .and_then(|k| items.into_iter().nth(k))
            .unwrap_or(Value::Null)),
        (Value::List(_), other) => Err(type_error(format!(
            "a list index must be an integer, got {}",
            other.type_name()
        ))),
        (Value::Map(m), Value::String(k)) => Ok(m.get(&k).cloned().unwrap_or(Value::Null)),
        (v @ (Value::Node(_) | Value::Relationship(_)), Value::String(k)) => property(ctx, &v, &k),
        (Value::Map(_) | Value::Node(_) | Value::Relationship(_), other) => Err(Error::type_error(
            "MapElementAccessByNonString",
            format!("a map key must be a string, got {}", other.type_name()),
        )),
        (other, _) => Err(type_error(format!(
            "cannot index into a {}",
            other.type_name()
        ))),
    }
}

fn slice(t: Value, from: Option<Value>, to: Option<Value>) -> Result<Value> {
    let items = match t {
        Value::Null => return Ok(Value::Null),
        Value::List(items) => items,
        other => return Err(type_error(format!("cannot slice a {}", other.type_name()))),
    };
    let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
    let bound = |v: Option<Value>, default: i64| -> Result<Option<i64>> {
        match v {
            None => Ok(Some(default)),
            Some(Value::Null) => Ok(None),
            Some(Value::Int(i)) => Ok(Some(if i < 0 { (len + i).max(0) } else { i.min(len) })),
            Some(other) => Err(type_error(format!(
                "a list slice bound must be an integer, got {}",
                other.type_name()
            ))),
        }
    };
    let (Some(a), Some(b)) = (bound(from, 0)?, bound(to, len)?) else {
        return Ok(Value::Null);
    };
    if a >= b {
        return Ok(Value::List(Vec::new()));
    }
    let a = usize::try_from(a).unwrap_or(0);
    let b = usize::try_from(b).unwrap_or(0);
    Ok(Value::List(
        items
            .into_iter()
            .skip(a)
            .take(b.saturating_sub(a))
            .collect(),
    ))
}

pub(crate) fn compare(op: CompareOp, a: &Value, b: &Value) -> Option<bool> {
    let is_nan = |v: &Value| matches!(v, Value::Float(f) if f.is_nan());
    let is_number = |v: &Value| matches!(v, Value::Float(_) | Value::Int(_));
    if (is_nan(a) || is_nan(b)) && is_number(a) && is_number(b) {
        // NaN is not ordered against any number: every ordering comparison is false.
        return match op {
            CompareOp::Eq => Some(false),
            CompareOp::Ne => Some(true),
            _ => Some(false),
        };
    }
    match op {
        CompareOp::Eq => a.equals(b),
        CompareOp::Ne => a.equals(b).map(|x| !x),
        CompareOp::Lt => a.compare(b).map(|o| o == Ordering::Less),
        CompareOp::Le => a.compare(b).map(|o| o != Ordering::Greater),
        CompareOp::Gt => a.compare(b).map(|o| o == Ordering::Greater),
        CompareOp::Ge => a.compare(b).map(|o| o != Ordering::Less),
    }
}

fn binary(
    ctx: &Ctx<'_, '_>,
    env: &Env<'_>,
    op: BinaryOp,
    a: &Compiled<'_>,
    b: &Compiled<'_>,
) -> Result<Value> {
    match op {
        BinaryOp::And | BinaryOp::Or | BinaryOp::Xor => {
            let l = as_bool(eval(ctx, env, a)?, "a boolean operator")?;
            let r = as_bool(eval(ctx, env, b)?, "a boolean operator")?;
            let out = match op {
                BinaryOp::And => match (l, r) {
                    (Some(false), _) | (_, Some(false)) => Some(false),
                    (Some(true), Some(true)) => Some(true),
                    _ => None,
                },
                BinaryOp::Or => match (l, r) {
                    (Some(true), _) | (_, Some(true)) => Some(true),
                    (Some(false), Some(false)) => Some(false),
                    _ => None,
                },
                _ => match (l, r) {
                    (Some(x), Some(y)) => Some(x != y),
                    _ => None,
                },
            };
            return Ok(out.map_or(Value::Null, Value::Bool));
        }
        _ => {}
    }
    let l = eval(ctx, env, a)?;
    let r = eval(ctx, env, b)?;
    match op {
        BinaryOp::Add => value::add(&l, &r),
        BinaryOp::Subtract => value::subtract(&l, &r),
        BinaryOp::Multiply => value::multiply(&l, &r),
        BinaryOp::Divide => value::divide(&l, &r),
        BinaryOp::Modulo => value::modulo(&l, &r),
        BinaryOp::Power => value::power(&l, &r),
        BinaryOp::In => match r {
            Value::Null => Ok(Value::Null),
            Value::List(items) => {
                let mut unknown = false;
                for item in &items {
                    match l.equals(item) {
                        Some(true) => return Ok(Value::Bool(true)),
                        None => unknown = true,
                        Some(false) => {}
                    }
                }
                Ok(if unknown {
                    Value::Null
                } else {
                    Value::Bool(false)
                })
            }
            other => Err(type_error(format!(
                "IN expects a list, got {}",
                other.type_name()
            ))),
        },
        BinaryOp::StartsWith | BinaryOp::EndsWith | BinaryOp::Contains => match (&l, &r) {
            (Value::String(s), Value::String(t)) => Ok(Value::Bool(match op {
                BinaryOp::StartsWith => s.starts_with(t.as_str()),
                BinaryOp::EndsWith => s.ends_with(t.as_str()),
                _ => s.contains(t.as_str()),
            })),
            _ => Ok(Value::Null),
        },
        BinaryOp::RegexMatch => match (&l, &r) {
            (Value::String(s), Value::String(pattern)) => {
                let re = regex::Regex::new(&format!("^(?:{pattern})$")).map_err(|err| {
                    Error::argument(
                        "InvalidArgumentValue",
                        format!("invalid regular expression: {err}"),
                    )
                })?;
                Ok(Value::Bool(re.is_match(s)))
            }
            _ => Ok(Value::Null),
        },
        BinaryOp::And | BinaryOp::Or | BinaryOp::Xor => Ok(Value::Null),
    }
}

fn quantified(
    ctx: &Ctx<'_, '_>,
    env: &Env<'_>,
    q: ast::Quantifier,
    list: &Compiled<'_>,
    predicate: Option<&Compiled<'_>>,
) -> Result<Value> {
    let Some(items) = list_items(eval(ctx, env, list)?, "a quantifier")? else {
        return Ok(Value::Null);
    };
    let (mut trues, mut nulls) = (0usize, 0usize);
    let total = items.len();
    for item in &items {
        let local = Env::Local {
            value: item,
            parent: env,
        };
        let v = match predicate {
            Some(p) => eval(ctx, &local, p)?,
            None => item.clone(),
        };
        match as_bool(v, "a quantifier predicate")? {
            Some(true) => trues += 1,
            None => nulls += 1,
            Some(false) => {}
        }
    }
    let falses = total - trues - nulls;
    let out = match q {
        ast::Quantifier::All => {
            if falses > 0 {
                Some(false)
            } else if nulls > 0 {
                None
            } else {
                Some(true)
            }
        }
        ast::Quantifier::Any => {
            if trues > 0 {
                Some(true)
            } else if nulls > 0 {
                None
            } else {
                Some(false)
            }
        }
        ast::Quantifier::None => {
            if trues > 0 {
                Some(false)
            } else if nulls > 0 {
                None
            } else {
                Some(true)
            }
        }
        ast::Quantifier::Single => {
            if trues > 1 {
                Some(false)
            } else if nulls > 0 {
                None
            } else {
                Some(trues == 1)
            }
        }
    };
    Ok(out.map_or(Value::Null, Value::Bool))
}

fn call_function(
    ctx: &Ctx<'_, '_>,
    env: &Env<'_>,
    function: &Function,
    args: &[Compiled<'_>],
) -> Result<Value> {
    let mut values = Vec::with_capacity(args.len());
    for a in args {
        values.push(eval(ctx, env, a)?);
    }
    match (function, values.as_slice()) {
        (Function::Id, [Value::Node(n)]) => return Ok(Value::Int(n.id as i64)),
        (Function::Id, [Value::Relationship(r)]) => return Ok(Value::Int(r.id as i64)),
        (Function::Type, [Value::Relationship(r)]) => {
            return Ok(Value::String(rel_type(ctx, r)?));
        }
        (Function::Labels, [Value::Node(n)]) => {
            check_node_alive(ctx, n.id)?;
            return Ok(Value::List(
                ctx.txn
                    .node_labels(n.id)?
                    .into_iter()
                    .map(Value::String)
                    .collect(),
            ));
        }
        (Function::StartNode, [Value::Relationship(r)]) => {
            return Ok(Value::Node(Node::with_id(endpoints(ctx, r)?.0)))
        }
        (Function::EndNode, [Value::Relationship(r)]) => {
            return Ok(Value::Node(Node::with_id(endpoints(ctx, r)?.1)))
        }
        (Function::Sources | Function::Claims, [entity, rest @ ..]) => {
            return provenance(ctx, function, entity, rest.first());
        }
        (Function::ValidAt, [entity, instant]) => return valid_at(ctx, entity, instant),
        _ => {}
    }
    let name = match function {
        Function::Id => "id",
        Function::Type => "type",
        Function::Labels => "labels",
        Function::StartNode => "startnode",
        Function::EndNode => "endnode",
        Function::Sources => "sources",
        Function::Claims => "claims",
        Function::ValidAt => "valid_at",
        Function::Scalar(name) => name,
    };
    for v in &mut values {
        if matches!(
            v,
            Value::Node(_)
                | Value::Relationship(_)
                | Value::Path(_)
                | Value::List(_)
                | Value::Map(_)
        ) {
            materialize(ctx, v)?;
        }
    }
    if value::temporal::is_function(name) {
        if let Some(r) = value::temporal::call_function(name, &values) {
            return r;
        }
    }
    super::functions::call(name, values)
}

/// `sources(x)`, `sources(x, key)` and `claims(x, key)`: lists of maps read from the
/// store's provenance records.
fn provenance(
    ctx: &Ctx<'_, '_>,
    function: &Function,
    entity: &Value,
    key: Option<&Value>,
) -> Result<Value> {
    let name = if matches!(function, Function::Claims) {
        "claims"
    } else {
        "sources"
    };
    let element = match (entity, Element::of_value(entity)) {
        (Value::Null, _) => return Ok(Value::Null),
        (_, Some(element)) => element,
        (other, None) => {
            return Err(Error::type_error(
                "InvalidArgumentValue",
                format!(
                    "{name}() expects a node or relationship, got {}",
                    other.type_name()
                ),
            ))
        }
    };
    let key = match key {
        None => None,
        Some(Value::Null) => return Ok(Value::Null),
        Some(Value::String(k)) => Some(k.as_str()),
        Some(other) => {
            return Err(Error::type_error(
                "InvalidArgumentValue",
                format!(
                    "{name}()'s second argument is a property key (a string), got {}",
                    other.type_name()
                ),
            ))
        }
    };
    let attributions = match (function, key) {
        (Function::Claims, Some(key)) => ctx.txn.property_claims(element, key)?,
        (_, Some(key)) => {
            let mut named: Vec<_> = ctx
                .txn
                .property_claims(element, key)?
                .into_iter()
                .filter(|a| a.source.is_some())
                .collect();
            named.sort_by(|a, b| a.source.cmp(&b.source));
            named
        }
        (_, None) => ctx.txn.element_sources(element)?,
    };
    let with_value = matches!(function, Function::Claims);
    let list = attributions
        .into_iter()
        .map(|a| crate::catalog::procedures::claim_map(a, with_value))
        .collect::<Result<_>>()?;
    Ok(Value::List(list))
}

/// `valid_at(x, t)`: whether node or relationship `x` is valid at instant `t` (its
/// `valid_from` / `valid_to` bounds, as `VALID AT` tests them).
fn valid_at(ctx: &Ctx<'_, '_>, entity: &Value, instant: &Value) -> Result<Value> {
    if entity.is_null() || instant.is_null() {
        return Ok(Value::Null);
    }
    let at = crate::storage::ValidAt::of(instant)?;
    match entity {
        Value::Node(n) => Ok(Value::Bool(ctx.txn.node_valid_at(n.id, &at)?)),
        Value::Relationship(r) => Ok(Value::Bool(ctx.txn.rel_valid_at(r.id, &at)?)),
        other => Err(Error::type_error(
            "InvalidArgumentValue",
            format!(
                "valid_at() expects a node or relationship, got {}",
                other.type_name()
            ),
        )),
    }
}

fn endpoints(ctx: &Ctx<'_, '_>, r: &Relationship) -> Result<(u64, u64)> {
    if !r.rel_type.is_empty() {
        return Ok((r.start, r.end));
    }
    Ok(ctx
        .txn
        .relationship(r.id)?
        .map_or((r.start, r.end), |i| (i.start, i.end)))
}

/// A path from a start node and relationships (each a relationship or a list of them).
pub(crate) fn build_path(start: &Value, segments: &[&Value]) -> Result<Value> {
    let Value::Node(first) = start else {
        return Ok(Value::Null);
    };
    let mut path = Path {
        nodes: vec![Node::with_id(first.id)],
        relationships: Vec::new(),
    };
    let mut current = first.id;
    let mut step = |r: &Relationship, path: &mut Path| {
        let next = if r.start == current { r.end } else { r.start };
        path.relationships.push(Relationship {
            properties: Default::default(),
            ..r.clone()
        });
        path.nodes.push(Node::with_id(next));
        current = next;
    };
    for seg in segments {
        match seg {
            Value::Relationship(r) => step(r, &mut path),
            Value::List(rels) => {
                for r in rels {
                    if let Value::Relationship(r) = r {
                        step(r, &mut path);
                    }
                }
            }
            Value::Null => return Ok(Value::Null),
            _ => {}
        }
    }
    Ok(Value::Path(path))
}

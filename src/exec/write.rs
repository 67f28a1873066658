//! Write clauses: CREATE, MERGE, SET, REMOVE, DELETE. Each is applied to every row of
//! its input in order, so a row sees the writes of the rows before it (MERGE relies on
//! that), and the next clause sees all of them. Deleting a node that still has
//! relationships fails at the end of the DELETE clause, after that clause's
//! relationships are gone.

use super::eval::eval;
use super::expr::compile;
use super::{ops, Ctx, Row, StatementEnv, WriteState};
use crate::ast::{self, Expr};
use crate::error::{Error, ErrorClass, Result};
use crate::plan::Step;
use crate::storage::{Dir, Txn};
use crate::value::{Node, NodeId, PropertyMap, Relationship, Value};
use std::collections::HashMap;

/// What write clauses need besides the transaction and the rows.
pub(crate) struct WriteEnv<'r> {
    pub statement: &'r StatementEnv<'r>,
    pub subplans: &'r crate::plan::SubPlans,
}

impl WriteEnv<'_> {
    /// Runs `f` with a reading context over the transaction as it is now.
    fn read<T>(
        &self,
        txn: &Txn<'_>,
        state: &WriteState,
        f: impl FnOnce(&Ctx<'_, '_>) -> Result<T>,
    ) -> Result<T> {
        f(&self.statement.ctx(txn, state, self.subplans, None))
    }

    fn eval(
        &self,
        txn: &Txn<'_>,
        state: &WriteState,
        layout: &[String],
        row: &[Value],
        e: &Expr,
    ) -> Result<Value> {
        // Write clauses are not yet compiled once per clause: each value compiles
        // against the clause's layout where it is needed.
        self.read(txn, state, |ctx| {
            eval(ctx, &super::eval::Env::row(row), &compile(ctx, e, layout)?)
        })
    }
}

/// Applies one write step to `rows` (whose variables are `layout`).
pub(crate) fn apply(
    txn: &mut Txn<'_>,
    step: &Step,
    layout: &[String],
    rows: Vec<Row>,
    state: &mut WriteState,
    env: &WriteEnv<'_>,
) -> Result<Vec<Row>> {
    match step {
        Step::Create { pattern, new_vars } => {
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                env.statement.limits.check()?;
                let mut bound: HashMap<String, Value> = HashMap::new();
                for part in &pattern.parts {
                    create_part(txn, part, layout, &row, &mut bound, state, env)?;
                }
                let mut row = row;
                for v in new_vars {
                    row.push(bound.remove(v).unwrap_or(Value::Null));
                }
                out.push(row);
            }
            Ok(out)
        }
        Step::Merge {
            clause,
            new_vars,
            match_steps,
        } => {
            let mut out_layout = layout.to_vec();
            out_layout.extend(new_vars.iter().cloned());
            let match_layout = crate::plan::layout_after(match_steps, layout);
            let picks: Vec<usize> = out_layout
                .iter()
                .map(|n| {
                    match_layout
                        .iter()
                        .position(|m| m == n)
                        .unwrap_or(usize::MAX)
                })
                .collect();
            let mut out = Vec::new();
            for row in rows {
                env.statement.limits.check()?;
                let found = env.read(txn, state, |ctx| {
                    let mut op =
                        ops::build(ctx, match_steps, layout, ops::source(vec![row.clone()]))?;
                    let mut found = Vec::new();
                    while let Some(r) = op.next()? {
                        found.push(r);
                    }
                    Ok(found)
                })?;
                if found.is_empty() {
                    let mut bound = HashMap::new();
                    check_merge_nulls(txn, &clause.part, layout, &row, state, env)?;
                    create_part(txn, &clause.part, layout, &row, &mut bound, state, env)?;
                    let mut new_row = row;
                    for v in new_vars {
                        new_row.push(bound.remove(v).unwrap_or(Value::Null));
                    }
                    for item in &clause.on_create {
                        set_item(txn, item, &out_layout, &new_row, state, env)?;
                    }
                    out.push(new_row);
                } else {
                    for r in found {
                        let new_row: Row = picks
                            .iter()
                            .map(|&i| r.get(i).cloned().unwrap_or(Value::Null))
                            .collect();
                        for item in &clause.on_match {
                            set_item(txn, item, &out_layout, &new_row, state, env)?;
                        }
                        out.push(new_row);
                    }
                }
            }
            Ok(out)
        }
        Step::Set(items) => {
            for row in &rows {
                env.statement.limits.check()?;
                for item in items {
                    set_item(txn, item, layout, row, state, env)?;
                }
            }
            Ok(rows)
        }
        Step::Remove(items) => {
            for row in &rows {
                for item in items {
                    remove_item(txn, item, layout, row, state, env)?;
                }
            }
            Ok(rows)
        }
        Step::Delete { detach, exprs } => {
            let mut nodes: Vec<NodeId> = Vec::new();
            let mut rels: Vec<u64> = Vec::new();
            for row in &rows {
                for e in exprs {
                    let v = env.eval(txn, state, layout, row, e)?;
                    collect_deletions(&v, &mut nodes, &mut rels)?;
                }
            }
            for r in rels {
                delete_rel(txn, r, state)?;
            }
            // A node deleted earlier in the statement while still connected exists until
            // the statement ends, so DETACH DELETE can still remove its relationships.
            let gone = |state: &WriteState, txn: &Txn<'_>, n: NodeId| -> Result<bool> {
                Ok(
                    (state.deleted_nodes.contains(&n) && !state.connected_deleted.contains(&n))
                        || !txn.node_exists(n)?,
                )
            };
            for n in &nodes {
                if gone(state, txn, *n)? {
                    continue;
                }
                if *detach {
                    let edges: Vec<u64> = txn
                        .expand(*n, Dir::Both, &[])
                        .map(|e| e.map(|e| e.rel))
                        .collect::<Result<_>>()?;
                    for r in edges {
                        delete_rel(txn, r, state)?;
                    }
                }
            }
            for n in nodes {
                if gone(state, txn, n)? {
                    continue;
                }
                if txn.degree(n, Dir::Both, &[])? > 0 {
                    // openCypher checks this when the statement ends: a later clause
                    // may still delete the remaining relationships.
                    if state.deleted_nodes.insert(n) {
                        state.connected_deleted.insert(n);
                        state.stats.nodes_deleted += 1;
                    }
                    continue;
                }
                txn.delete_node(n)?;
                if state.deleted_nodes.insert(n) {
                    state.stats.nodes_deleted += 1;
                }
                state.connected_deleted.remove(&n);
            }
            Ok(rows)
        }
        _ => Ok(rows),
    }
}

fn delete_rel(txn: &mut Txn<'_>, r: u64, state: &mut WriteState) -> Result<()> {
    if state.deleted_rels.contains(&r) || txn.relationship(r)?.is_none() {
        return Ok(());
    }
    txn.delete_relationship(r)?;
    state.deleted_rels.insert(r);
    state.stats.relationships_deleted += 1;
    Ok(())
}

fn collect_deletions(v: &Value, nodes: &mut Vec<NodeId>, rels: &mut Vec<u64>) -> Result<()> {
    match v {
        Value::Null => {}
        Value::Node(n) => nodes.push(n.id),
        Value::Relationship(r) => rels.push(r.id),
        Value::Path(p) => {
            rels.extend(p.relationships.iter().map(|r| r.id));
            nodes.extend(p.nodes.iter().map(|n| n.id));
        }
        Value::List(items) => {
            for i in items {
                collect_deletions(i, nodes, rels)?;
            }
        }
        other => {
            return Err(Error::type_error(
                "InvalidArgumentType",
                format!(
                    "DELETE expects a node, relationship or path, got {}",
                    other.type_name()
                ),
            ))
        }
    }
    Ok(())
}

/// Whether a value may be stored as a property (null aside).
fn check_property_value(v: &Value) -> Result<()> {
    let bad = |what: &str| {
        Err(Error::type_error(
            "InvalidPropertyType",
            format!("a property cannot hold a {what}"),
        ))
    };
    match v {
        Value::Map(_) => bad("map"),
        Value::Node(_) | Value::Relationship(_) | Value::Path(_) => bad(v.type_name()),
        Value::List(items) => {
            for i in items {
                match i {
                    Value::List(_) | Value::Map(_) => return bad("nested collection"),
                    Value::Node(_) | Value::Relationship(_) | Value::Path(_) => {
                        return bad(i.type_name())
                    }
                    _ => {}
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn props_map(
    txn: &Txn<'_>,
    props: Option<&Expr>,
    layout: &[String],
    row: &[Value],
    bound: &HashMap<String, Value>,
    state: &WriteState,
    env: &WriteEnv<'_>,
) -> Result<PropertyMap> {
    let mut out = PropertyMap::new();
    let Some(p) = props else {
        return Ok(out);
    };
    // Variables created earlier in the same clause are visible too.
    let mut wide_layout = layout.to_vec();
    let mut wide_row = row.to_vec();
    for (k, v) in bound {
        wide_layout.push(k.clone());
        wide_row.push(v.clone());
    }
    match env.eval(txn, state, &wide_layout, &wide_row, p)? {
        Value::Map(m) => {
            for (k, v) in m {
                if v.is_null() {
                    continue;
                }
                check_property_value(&v)?;
                out.insert(k, v);
            }
        }
        Value::Null => {}
        other => {
            return Err(Error::type_error(
                "InvalidArgumentType",
                format!("properties must be a map, got {}", other.type_name()),
            ))
        }
    }
    Ok(out)
}

/// `MERGE` cannot create an entity from a null property value.
fn check_merge_nulls(
    txn: &Txn<'_>,
    part: &ast::PatternPart,
    layout: &[String],
    row: &[Value],
    state: &WriteState,
    env: &WriteEnv<'_>,
) -> Result<()> {
    let mut props: Vec<&Expr> = Vec::new();
    props.extend(part.element.start.properties.as_deref());
    for (r, n) in &part.element.chain {
        props.extend(r.properties.as_deref());
        props.extend(n.properties.as_deref());
    }
    for p in props {
        if let Value::Map(m) = env.eval(txn, state, layout, row, p)? {
            if let Some((k, _)) = m.iter().find(|(_, v)| v.is_null()) {
                return Err(Error::new(
                    ErrorClass::SemanticError,
                    "MergeReadOwnWrites",
                    format!("cannot merge an entity with a null value for property '{k}'"),
                ));
            }
        }
    }
    Ok(())
}

fn lookup<'v>(
    name: &str,
    layout: &[String],
    row: &'v [Value],
    bound: &'v HashMap<String, Value>,
) -> Option<&'v Value> {
    bound.get(name).or_else(|| {
        layout
            .iter()
            .rposition(|n| n == name)
            .and_then(|i| row.get(i))
    })
}

fn create_node(
    txn: &mut Txn<'_>,
    n: &ast::NodePattern,
    layout: &[String],
    row: &[Value],
    bound: &mut HashMap<String, Value>,
    state: &mut WriteState,
    env: &WriteEnv<'_>,
) -> Result<NodeId> {
    if let Some(v) = &n.variable {
        if let Some(existing) = lookup(&v.name, layout, row, bound) {
            return match existing {
                Value::Node(node) => {
                    if state.deleted_nodes.contains(&node.id) {
                        return Err(Error::new(
                            ErrorClass::EntityNotFound,
                            "DeletedEntityAccess",
                            "cannot create a relationship to a deleted node",
                        ));
                    }
                    Ok(node.id)
                }
                Value::Null => Err(Error::new(
                    ErrorClass::SemanticError,
                    "CreatingRelationshipWithNullNode",
                    format!("cannot create a relationship to `{}`: it is null", v.name),
                )),
                other => Err(Error::syntax(
                    "VariableTypeConflict",
                    format!("`{}` is a {}, not a node", v.name, other.type_name()),
                )),
            };
        }
    }
    let labels: Vec<String> = n.labels.iter().map(|l| l.name.clone()).collect();
    let props = props_map(txn, n.properties.as_deref(), layout, row, bound, state, env)?;
    let mut unique = labels.clone();
    unique.sort();
    unique.dedup();
    state.stats.nodes_created += 1;
    state.stats.labels_added += unique.len() as u64;
    state.stats.properties_set += props.len() as u64;
    let id = txn.create_node(&unique, props)?;
    if let Some(v) = &n.variable {
        bound.insert(v.name.clone(), Value::Node(Node::with_id(id)));
    }
    Ok(id)
}

fn create_part(
    txn: &mut Txn<'_>,
    part: &ast::PatternPart,
    layout: &[String],
    row: &[Value],
    bound: &mut HashMap<String, Value>,
    state: &mut WriteState,
    env: &WriteEnv<'_>,
) -> Result<()> {
    let el = &part.element;
    let mut prev = create_node(txn, &el.start, layout, row, bound, state, env)?;
    let mut path_nodes = vec![Node::with_id(prev)];
    let mut path_rels = Vec::new();
    for (r, n) in &el.chain {
        let next = create_node(txn, n, layout, row, bound, state, env)?;
        let rel_type = r.types.first().map(|t| t.name.clone()).ok_or_else(|| {
            Error::syntax(
                "NoSingleRelationshipType",
                "a relationship to create needs exactly one type",
            )
        })?;
        let (start, end) = match r.direction {
            ast::Direction::Incoming => (next, prev),
            _ => (prev, next),
        };
        let props = props_map(txn, r.properties.as_deref(), layout, row, bound, state, env)?;
        state.stats.relationships_created += 1;
        state.stats.properties_set += props.len() as u64;
        let id = txn.create_relationship(start, end, &rel_type, props)?;
        let rel = Relationship {
            id,
            rel_type: rel_type.into(),
            start,
            end,
            properties: Default::default(),
        };
        if let Some(v) = &r.variable {
            bound.insert(v.name.clone(), Value::Relationship(rel.clone()));
        }
        path_rels.push(rel);
        path_nodes.push(Node::with_id(next));
        prev = next;
    }
    if let Some(p) = &part.variable {
        bound.insert(
            p.name.clone(),
            Value::Path(crate::value::Path {
                nodes: path_nodes,
                relationships: path_rels,
            }),
        );
    }
    Ok(())
}

fn set_property(
    txn: &mut Txn<'_>,
    target: &Value,
    key: &str,
    value: Value,
    state: &mut WriteState,
) -> Result<()> {
    let new = if value.is_null() {
        None
    } else {
        check_property_value(&value)?;
        Some(value)
    };
    let is_set = new.is_some();
    let old = match target {
        Value::Null => return Ok(()),
        Value::Node(n) => {
            if state.deleted_nodes.contains(&n.id) {
                return Err(deleted());
            }
            txn.set_node_property(n.id, key, new)?
        }
        Value::Relationship(r) => {
            if state.deleted_rels.contains(&r.id) {
                return Err(deleted());
            }
            txn.set_rel_property(r.id, key, new)?
        }
        other => {
            return Err(Error::type_error(
                "InvalidArgumentType",
                format!("cannot set a property on a {}", other.type_name()),
            ))
        }
    };
    if is_set {
        state.stats.properties_set += 1;
    } else if old.is_some() {
        state.stats.properties_removed += 1;
    }
    Ok(())
}

fn deleted() -> Error {
    Error::new(
        ErrorClass::EntityNotFound,
        "DeletedEntityAccess",
        "the entity was deleted earlier in this statement",
    )
}

fn current_keys(txn: &Txn<'_>, target: &Value) -> Result<Vec<String>> {
    Ok(match target {
        Value::Node(n) => txn.node_properties(n.id)?.into_keys().collect(),
        Value::Relationship(r) => txn.rel_properties(r.id)?.into_keys().collect(),
        _ => Vec::new(),
    })
}

fn set_item(
    txn: &mut Txn<'_>,
    item: &ast::SetItem,
    layout: &[String],
    row: &[Value],
    state: &mut WriteState,
    env: &WriteEnv<'_>,
) -> Result<()> {
    match item {
        ast::SetItem::Property { target, key, value } => {
            let t = env.eval(txn, state, layout, row, target)?;
            let v = env.eval(txn, state, layout, row, value)?;
            set_property(txn, &t, &key.name, v, state)
        }
        ast::SetItem::Properties {
            variable,
            value,
            merge,
        } => {
            let var_expr = Expr {
                kind: ast::ExprKind::Variable(variable.name.clone()),
                span: variable.span,
            };
            let t = env.eval(txn, state, layout, row, &var_expr)?;
            if t.is_null() {
                return Ok(());
            }
            let v = env.eval(txn, state, layout, row, value)?;
            let entries: Vec<(String, Value)> = match v {
                Value::Map(m) => m.into_iter().collect(),
                Value::Null => Vec::new(),
                entity @ (Value::Node(_) | Value::Relationship(_)) => env
                    .read(txn, state, |ctx| {
                        let mut e = entity;
                        super::materialize(ctx, &mut e)?;
                        Ok(e)
                    })
                    .map(|e| match e {
                        Value::Node(n) => n.properties.into_iter().collect(),
                        Value::Relationship(r) => r.properties.into_iter().collect(),
                        _ => Vec::new(),
                    })?,
                other => {
                    return Err(Error::type_error(
                        "InvalidArgumentType",
                        format!("SET expects a map, got {}", other.type_name()),
                    ))
                }
            };
            if !merge {
                for k in current_keys(txn, &t)? {
                    if !entries.iter().any(|(key, _)| *key == k) {
                        set_property(txn, &t, &k, Value::Null, state)?;
                    }
                }
            }
            for (k, v) in entries {
                set_property(txn, &t, &k, v, state)?;
            }
            Ok(())
        }
        ast::SetItem::Labels { variable, labels } => {
            let var_expr = Expr {
                kind: ast::ExprKind::Variable(variable.name.clone()),
                span: variable.span,
            };
            match env.eval(txn, state, layout, row, &var_expr)? {
                Value::Null => Ok(()),
                Value::Node(n) => {
                    if state.deleted_nodes.contains(&n.id) {
                        return Err(deleted());
                    }
                    for l in labels {
                        if txn.add_label(n.id, &l.name)? {
                            state.stats.labels_added += 1;
                        }
                    }
                    Ok(())
                }
                other => Err(Error::type_error(
                    "InvalidArgumentType",
                    format!("cannot set labels on a {}", other.type_name()),
                )),
            }
        }
    }
}

fn remove_item(
    txn: &mut Txn<'_>,
    item: &ast::RemoveItem,
    layout: &[String],
    row: &[Value],
    state: &mut WriteState,
    env: &WriteEnv<'_>,
) -> Result<()> {
    match item {
        ast::RemoveItem::Property { target, key } => {
            let t = env.eval(txn, state, layout, row, target)?;
            set_property(txn, &t, &key.name, Value::Null, state)
        }
        ast::RemoveItem::Labels { variable, labels } => {
            let var_expr = Expr {
                kind: ast::ExprKind::Variable(variable.name.clone()),
                span: variable.span,
            };
            match env.eval(txn, state, layout, row, &var_expr)? {
                Value::Node(n) => {
                    for l in labels {
                        if txn.remove_label(n.id, &l.name)? {
                            state.stats.labels_removed += 1;
                        }
                    }
                    Ok(())
                }
                _ => Ok(()),
            }
        }
    }
}

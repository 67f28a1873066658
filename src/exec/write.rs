//! Write clauses: CREATE, MERGE, SET, REMOVE, DELETE, FOREACH, and CALL subqueries that
//! write (in batches of their own transactions with IN TRANSACTIONS, see `batches`).
//! Each is compiled once against
//! the layout of its input rows (variables become slots, like the operators'
//! expressions), then applied to every row in order, so a row sees the writes of the
//! rows before it (MERGE relies on that), and the next clause sees all of them.
//! Deleting a node that still has relationships fails at the end of the DELETE clause,
//! after that clause's relationships are gone.

use super::eval::{eval, is_true, Env};
use super::expr::{Compiled, Scope};
use super::{ops, Ctx, Row, StatementEnv, WriteState};
use crate::ast;
use crate::error::{Error, ErrorClass, Result};
use crate::plan::Step;
use crate::storage::{Dir, Element, Txn};
use crate::value::{Node, NodeId, PropertyMap, Relationship, Value};
use std::collections::VecDeque;

mod batches;

/// What write clauses need besides the transaction and the rows.
pub(crate) struct WriteEnv<'r> {
    pub statement: &'r StatementEnv<'r>,
    pub subplans: &'r crate::plan::SubPlans,
}

impl<'r> WriteEnv<'r> {
    /// Runs `f` with a reading context over the transaction as it is now.
    fn read<T>(
        &self,
        txn: &Txn<'_>,
        state: &WriteState,
        f: impl FnOnce(&Ctx<'_, '_>) -> Result<T>,
    ) -> Result<T> {
        f(&self.statement.ctx(txn, state, self.subplans, None))
    }

    /// The value of `e` on `row`, read from the transaction as it is now.
    fn eval(
        &self,
        txn: &Txn<'_>,
        state: &WriteState,
        row: &[Value],
        e: &Compiled<'_>,
    ) -> Result<Value> {
        self.read(txn, state, |ctx| eval(ctx, &Env::row(row), e))
    }

    fn scope(&self) -> Scope<'r> {
        Scope {
            params: self.statement.params,
            subplans: self.subplans,
            text: self.statement.text,
        }
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
    let scope = env.scope();
    match step {
        Step::Create { pattern, new_vars } => {
            let create = CreatePattern::new(scope, &pattern.parts, layout, new_vars, false)?;
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                env.statement.limits.check()?;
                out.push(create.apply(txn, row, state, env)?);
            }
            Ok(out)
        }
        Step::Merge {
            clause,
            new_vars,
            match_steps,
        } => {
            let create = CreatePattern::new(
                scope,
                std::slice::from_ref(&clause.part),
                layout,
                new_vars,
                true,
            )?;
            let mut out_layout = layout.to_vec();
            out_layout.extend(new_vars.iter().cloned());
            let on_create = SetOp::compile_all(scope, &clause.on_create, &out_layout)?;
            let on_match = SetOp::compile_all(scope, &clause.on_match, &out_layout)?;
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
            let asserted = merge_assertions(&clause.part, layout, &out_layout);
            let mut out = Vec::new();
            for row in rows {
                env.statement.limits.check()?;
                // The match runs on the transaction as the rows before left it, so its
                // operators are built per row.
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
                    let new_row = create.apply(txn, row, state, env)?;
                    for item in &on_create {
                        item.apply(txn, &new_row, state, env)?;
                    }
                    out.push(new_row);
                } else {
                    for r in found {
                        let new_row: Row = picks
                            .iter()
                            .map(|&i| r.get(i).cloned().unwrap_or(Value::Null))
                            .collect();
                        for (slot, keys, found) in &asserted {
                            let Some(element) = new_row.get(*slot).and_then(Element::of_value)
                            else {
                                continue;
                            };
                            txn.assert_matched(element, keys, *found)?;
                        }
                        for item in &on_match {
                            item.apply(txn, &new_row, state, env)?;
                        }
                        out.push(new_row);
                    }
                }
            }
            Ok(out)
        }
        Step::Call(spec) => {
            let procedure = env.statement.registry.procedure(&spec.name)?;
            let args = spec
                .args
                .iter()
                .flatten()
                .map(|e| scope.compile(e, layout))
                .collect::<Result<Vec<_>>>()?;
            let picks = ops::yield_picks(spec, &procedure.signature)?;
            let mut wide = layout.to_vec();
            wide.extend(spec.yields.iter().map(|(_, v)| v.clone()));
            let where_ = scope.compile_opt(spec.where_.as_ref(), &wide)?;
            let mut out = Vec::new();
            for row in rows {
                let values = args
                    .iter()
                    .map(|a| env.eval(txn, state, &row, a))
                    .collect::<Result<Vec<_>>>()?;
                let results = procedure.call_write(txn, &values)?;
                if procedure.signature.outputs.is_empty() {
                    // As in reading: the row passes on inside a query, and a statement
                    // that is only this call returns nothing.
                    if !spec.standalone {
                        out.push(row);
                    }
                    continue;
                }
                for result in results {
                    let mut extended = row.clone();
                    extended.extend(
                        picks
                            .iter()
                            .map(|&i| result.get(i).cloned().unwrap_or(Value::Null)),
                    );
                    if let Some(w) = &where_ {
                        if !is_true(&env.eval(txn, state, &extended, w)?) {
                            continue;
                        }
                    }
                    out.push(extended);
                }
            }
            Ok(out)
        }
        Step::Set(items) => {
            let items = SetOp::compile_all(scope, items, layout)?;
            for row in &rows {
                env.statement.limits.check()?;
                for item in &items {
                    item.apply(txn, row, state, env)?;
                }
            }
            Ok(rows)
        }
        Step::Remove(items) => {
            let items = items
                .iter()
                .map(|item| SetOp::remove(scope, item, layout))
                .collect::<Result<Vec<_>>>()?;
            for row in &rows {
                for item in &items {
                    item.apply(txn, row, state, env)?;
                }
            }
            Ok(rows)
        }
        Step::Delete { detach, exprs } => {
            let exprs = exprs
                .iter()
                .map(|e| scope.compile(e, layout))
                .collect::<Result<Vec<_>>>()?;
            let mut nodes: Vec<NodeId> = Vec::new();
            let mut rels: Vec<u64> = Vec::new();
            for row in &rows {
                for e in &exprs {
                    let v = env.eval(txn, state, row, e)?;
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
        Step::Foreach(f) => {
            let list = scope.compile(&f.list, layout)?;
            let mut inner_layout = layout.to_vec();
            inner_layout.push(f.var.clone());
            // Per row, as Neo4j runs it: the clauses inside see the writes made for
            // the rows before.
            for row in &rows {
                env.statement.limits.check()?;
                let elements = match env.eval(txn, state, row, &list)? {
                    Value::List(items) => items,
                    Value::Null => Vec::new(),
                    other => {
                        return Err(Error::new(
                            ErrorClass::TypeError,
                            "InvalidArgumentType",
                            format!("FOREACH needs a list, got {}", other.type_name()),
                        )
                        .at(env.statement.text, f.list.span.start))
                    }
                };
                let inner: Vec<Row> = elements
                    .into_iter()
                    .map(|element| {
                        let mut widened = row.clone();
                        widened.push(element);
                        widened
                    })
                    .collect();
                env.statement.run_steps(
                    txn,
                    &f.steps,
                    &inner_layout,
                    inner,
                    state,
                    env.subplans,
                    None,
                )?;
            }
            Ok(rows)
        }
        Step::CallSubquery(spec) => match &spec.batches {
            Some(batching) => batches::apply(txn, spec, batching, layout, rows, state, env),
            None => {
                let returned = ops::Returned::new(spec, layout)?;
                let mut out = VecDeque::new();
                call_rows(txn, &returned, &rows, state, env, &mut out)?;
                Ok(out.into())
            }
        },
        _ => Ok(rows),
    }
}

/// Runs a CALL subquery that writes on each of `rows` in order, like FOREACH: a row's
/// subquery sees the writes made for the rows before it. The rows it gives go to `out`.
fn call_rows(
    txn: &mut Txn<'_>,
    returned: &ops::Returned<'_>,
    rows: &[Row],
    state: &mut WriteState,
    env: &WriteEnv<'_>,
    out: &mut VecDeque<Row>,
) -> Result<()> {
    let spec = returned.spec();
    for row in rows {
        env.statement.limits.check()?;
        let start = returned.import_row(row);
        let mut per_part = Vec::with_capacity(spec.parts.len());
        for part in &spec.parts {
            per_part.push(env.statement.run_steps(
                txn,
                &part.steps,
                &spec.imports,
                vec![start.clone()],
                state,
                env.subplans,
                None,
            )?);
        }
        returned.extend(row, per_part, out);
    }
    Ok(())
}

/// A CREATE pattern (or the pattern MERGE creates) compiled against its input rows.
/// The row is widened with a slot per variable the pattern creates, in the order they
/// are created, so an element's properties read the elements created before it.
struct CreatePattern<'p> {
    parts: Vec<CreatePart<'p>>,
    /// The input row's width, and the widened row's.
    width: usize,
    wide: usize,
    /// Where each of the clause's new variables (in their output order) is in the
    /// widened row.
    picks: Vec<Option<usize>>,
    /// MERGE: a null property value is an error, not an absent property.
    merge: bool,
}

struct CreatePart<'p> {
    start: NodeTarget<'p>,
    chain: Vec<(NewRelationship<'p>, NodeTarget<'p>)>,
    /// The slot of the part's path variable.
    path: Option<usize>,
}

enum NodeTarget<'p> {
    /// A node bound before the pattern (or earlier in it), in this slot.
    Bound { slot: usize, name: &'p str },
    /// A node to create, kept in `slot` when it is named.
    New {
        labels: Vec<String>,
        props: Option<Compiled<'p>>,
        slot: Option<usize>,
    },
}

struct NewRelationship<'p> {
    rel_type: &'p str,
    incoming: bool,
    props: Option<Compiled<'p>>,
    slot: Option<usize>,
}

impl<'p> CreatePattern<'p> {
    fn new(
        scope: Scope<'p>,
        parts: &'p [ast::PatternPart],
        layout: &[String],
        new_vars: &[String],
        merge: bool,
    ) -> Result<Self> {
        let mut wide = layout.to_vec();
        let named = |wide: &mut Vec<String>, var: &Option<ast::Ident>| {
            var.as_ref().map(|v| {
                wide.push(v.name.clone());
                wide.len() - 1
            })
        };
        let node = |wide: &mut Vec<String>, n: &'p ast::NodePattern| -> Result<NodeTarget<'p>> {
            if let Some(v) = &n.variable {
                if let Some(slot) = wide.iter().rposition(|w| *w == v.name) {
                    return Ok(NodeTarget::Bound {
                        slot,
                        name: &v.name,
                    });
                }
            }
            let props = scope.compile_opt(n.properties.as_deref(), wide)?;
            Ok(NodeTarget::New {
                labels: sorted_labels(&n.labels),
                props,
                slot: named(wide, &n.variable),
            })
        };
        let mut compiled = Vec::with_capacity(parts.len());
        for part in parts {
            let el = &part.element;
            let start = node(&mut wide, &el.start)?;
            let mut chain = Vec::with_capacity(el.chain.len());
            for step in &el.chain {
                // The parser refuses a quantified group in CREATE and MERGE.
                let Some(r) = step.link.as_relationship() else {
                    return Err(Error::syntax(
                        "InvalidQuantifiedPathPattern",
                        "a quantified path pattern cannot be written",
                    )
                    .at(scope.text, step.node.span.start));
                };
                // The far node is created before the relationship, whose properties
                // may read it.
                let far = node(&mut wide, &step.node)?;
                let rel_type = r.types.first().map(|t| t.name.as_str()).ok_or_else(|| {
                    Error::syntax(
                        "NoSingleRelationshipType",
                        "a relationship to create needs exactly one type",
                    )
                    .at(scope.text, r.span.start)
                })?;
                let props = scope.compile_opt(r.properties.as_deref(), &wide)?;
                let rel = NewRelationship {
                    rel_type,
                    incoming: r.direction == ast::Direction::Incoming,
                    props,
                    slot: named(&mut wide, &r.variable),
                };
                chain.push((rel, far));
            }
            let path = named(&mut wide, &part.variable);
            compiled.push(CreatePart { start, chain, path });
        }
        let picks = new_vars
            .iter()
            .map(|v| wide.iter().rposition(|w| w == v))
            .collect();
        Ok(CreatePattern {
            parts: compiled,
            width: layout.len(),
            wide: wide.len(),
            picks,
            merge,
        })
    }

    /// Creates the pattern for `row`; the row comes back with the new variables after it.
    fn apply(
        &self,
        txn: &mut Txn<'_>,
        mut row: Row,
        state: &mut WriteState,
        env: &WriteEnv<'_>,
    ) -> Result<Row> {
        row.resize(self.wide, Value::Null);
        for part in &self.parts {
            let mut prev = self.node(txn, &part.start, &mut row, state, env)?;
            let mut path_nodes = vec![Node::with_id(prev)];
            let mut path_rels = Vec::new();
            for (r, n) in &part.chain {
                let next = self.node(txn, n, &mut row, state, env)?;
                let (start, end) = if r.incoming {
                    (next, prev)
                } else {
                    (prev, next)
                };
                let props = self.props(txn, r.props.as_ref(), &row, state, env)?;
                state.stats.relationships_created += 1;
                state.stats.properties_set += props.len() as u64;
                let id = txn.create_relationship(start, end, r.rel_type, props)?;
                let rel = Relationship {
                    id,
                    rel_type: r.rel_type.into(),
                    start,
                    end,
                    properties: Default::default(),
                };
                if let Some(slot) = r.slot {
                    row[slot] = Value::Relationship(rel.clone());
                }
                path_rels.push(rel);
                path_nodes.push(Node::with_id(next));
                prev = next;
            }
            if let Some(slot) = part.path {
                row[slot] = Value::Path(crate::value::Path {
                    nodes: path_nodes,
                    relationships: path_rels,
                });
            }
        }
        let new: Vec<Value> = self
            .picks
            .iter()
            .map(|p| p.and_then(|i| row.get(i).cloned()).unwrap_or(Value::Null))
            .collect();
        row.truncate(self.width);
        row.extend(new);
        Ok(row)
    }

    /// The node `target` stands for on `row`, created when it is new.
    fn node(
        &self,
        txn: &mut Txn<'_>,
        target: &NodeTarget<'_>,
        row: &mut Row,
        state: &mut WriteState,
        env: &WriteEnv<'_>,
    ) -> Result<NodeId> {
        match target {
            NodeTarget::Bound { slot, name } => match row.get(*slot) {
                Some(Value::Node(node)) => {
                    if state.deleted_nodes.contains(&node.id) {
                        return Err(Error::new(
                            ErrorClass::EntityNotFound,
                            "DeletedEntityAccess",
                            "cannot create a relationship to a deleted node",
                        ));
                    }
                    Ok(node.id)
                }
                Some(Value::Null) | None => Err(Error::new(
                    ErrorClass::SemanticError,
                    "CreatingRelationshipWithNullNode",
                    format!("cannot create a relationship to `{name}`: it is null"),
                )),
                Some(other) => Err(Error::syntax(
                    "VariableTypeConflict",
                    format!("`{name}` is a {}, not a node", other.type_name()),
                )),
            },
            NodeTarget::New {
                labels,
                props,
                slot,
            } => {
                let props = self.props(txn, props.as_ref(), row, state, env)?;
                state.stats.nodes_created += 1;
                state.stats.labels_added += labels.len() as u64;
                state.stats.properties_set += props.len() as u64;
                let id = txn.create_node(labels, props)?;
                if let Some(slot) = slot {
                    row[*slot] = Value::Node(Node::with_id(id));
                }
                Ok(id)
            }
        }
    }

    /// The properties an element is created with: the map's non-null values.
    fn props(
        &self,
        txn: &Txn<'_>,
        props: Option<&Compiled<'_>>,
        row: &[Value],
        state: &WriteState,
        env: &WriteEnv<'_>,
    ) -> Result<PropertyMap> {
        let mut out = PropertyMap::new();
        let Some(p) = props else {
            return Ok(out);
        };
        match env.eval(txn, state, row, p)? {
            Value::Map(m) => {
                for (k, v) in m {
                    if v.is_null() {
                        if self.merge {
                            return Err(Error::new(
                                ErrorClass::SemanticError,
                                "MergeReadOwnWrites",
                                format!(
                                    "cannot merge an entity with a null value for property '{k}'"
                                ),
                            ));
                        }
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
}

/// A node's labels as they are stored: sorted, each once.
/// The elements of a MERGE pattern (every one named by the planner) as slots of the
/// row after it (`layout`), each with the property keys its map names and whether the
/// pattern found it (rather than it being bound before the MERGE, in `input`): what a
/// match asserts for the statement's source.
fn merge_assertions(
    part: &ast::PatternPart,
    input: &[String],
    layout: &[String],
) -> Vec<(usize, Vec<String>, bool)> {
    let keys = |properties: &Option<Box<ast::Expr>>| match properties.as_deref() {
        Some(ast::Expr {
            kind: ast::ExprKind::Map(items),
            ..
        }) => items.iter().map(|(k, _)| k.name.clone()).collect(),
        _ => Vec::new(),
    };
    let element = &part.element;
    let mut named = vec![(&element.start.variable, keys(&element.start.properties))];
    for step in &element.chain {
        if let Some(rel) = step.link.as_relationship() {
            named.push((&rel.variable, keys(&rel.properties)));
        }
        named.push((&step.node.variable, keys(&step.node.properties)));
    }
    named
        .into_iter()
        .filter_map(|(variable, keys)| {
            let name = &variable.as_ref()?.name;
            let found = !input.contains(name);
            Some((layout.iter().rposition(|n| n == name)?, keys, found))
        })
        .collect()
}

fn sorted_labels(labels: &[ast::Ident]) -> Vec<String> {
    let mut out: Vec<String> = labels.iter().map(|l| l.name.clone()).collect();
    out.sort();
    out.dedup();
    out
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

/// A SET or REMOVE item compiled against its input rows.
enum SetOp<'p> {
    /// `target.key = value`; REMOVE `target.key` sets null.
    Property {
        target: Compiled<'p>,
        key: &'p str,
        value: Option<Compiled<'p>>,
    },
    /// `n = map` (replace all properties) or `n += map` (`merge`).
    Properties {
        target: Compiled<'p>,
        value: Compiled<'p>,
        merge: bool,
    },
    /// `n:A:B`, added or (REMOVE) removed.
    Labels {
        target: Compiled<'p>,
        labels: &'p [ast::Ident],
        remove: bool,
    },
}

impl<'p> SetOp<'p> {
    fn compile_all(
        scope: Scope<'p>,
        items: &'p [ast::SetItem],
        layout: &[String],
    ) -> Result<Vec<Self>> {
        items
            .iter()
            .map(|item| SetOp::set(scope, item, layout))
            .collect()
    }

    fn set(scope: Scope<'p>, item: &'p ast::SetItem, layout: &[String]) -> Result<Self> {
        let variable = |v: &ast::Ident| scope.variable(&v.name, v.span.start, layout);
        Ok(match item {
            ast::SetItem::Property { target, key, value } => SetOp::Property {
                target: scope.compile(target, layout)?,
                key: &key.name,
                value: Some(scope.compile(value, layout)?),
            },
            ast::SetItem::Properties {
                variable: v,
                value,
                merge,
            } => SetOp::Properties {
                target: variable(v)?,
                value: scope.compile(value, layout)?,
                merge: *merge,
            },
            ast::SetItem::Labels {
                variable: v,
                labels,
            } => SetOp::Labels {
                target: variable(v)?,
                labels,
                remove: false,
            },
        })
    }

    fn remove(scope: Scope<'p>, item: &'p ast::RemoveItem, layout: &[String]) -> Result<Self> {
        Ok(match item {
            ast::RemoveItem::Property { target, key } => SetOp::Property {
                target: scope.compile(target, layout)?,
                key: &key.name,
                value: None,
            },
            ast::RemoveItem::Labels { variable, labels } => SetOp::Labels {
                target: scope.variable(&variable.name, variable.span.start, layout)?,
                labels,
                remove: true,
            },
        })
    }

    fn apply(
        &self,
        txn: &mut Txn<'_>,
        row: &[Value],
        state: &mut WriteState,
        env: &WriteEnv<'_>,
    ) -> Result<()> {
        match self {
            SetOp::Property { target, key, value } => {
                let t = env.eval(txn, state, row, target)?;
                let v = match value {
                    Some(value) => env.eval(txn, state, row, value)?,
                    None => Value::Null,
                };
                set_property(txn, &t, key, v, state)
            }
            SetOp::Properties {
                target,
                value,
                merge,
            } => {
                let t = env.eval(txn, state, row, target)?;
                if t.is_null() {
                    return Ok(());
                }
                let v = env.eval(txn, state, row, value)?;
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
            SetOp::Labels {
                target,
                labels,
                remove: true,
            } => {
                if let Value::Node(n) = env.eval(txn, state, row, target)? {
                    for l in labels.iter() {
                        if txn.remove_label(n.id, &l.name)? {
                            state.stats.labels_removed += 1;
                        }
                    }
                }
                Ok(())
            }
            SetOp::Labels {
                target,
                labels,
                remove: false,
            } => match env.eval(txn, state, row, target)? {
                Value::Null => Ok(()),
                Value::Node(n) => {
                    if state.deleted_nodes.contains(&n.id) {
                        return Err(deleted());
                    }
                    for l in labels.iter() {
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
            },
        }
    }
}

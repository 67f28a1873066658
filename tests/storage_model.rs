//! Model-based test: random sequences of graph writes applied to the store and to a plain
//! in-memory model, with close-and-reopen of the sled store at random points, some
//! transactions dropped and some statements rolled back to a savepoint. Contents, counts,
//! adjacency and an index must match the model exactly.

use proptest::prelude::*;
use skein::testing::storage::{Dir, Store, Txn};
use skein::Result;
use skein::{PropertyMap, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

const LABELS: [&str; 3] = ["A", "B", "C"];
const TYPES: [&str; 2] = ["R", "S"];
const KEYS: [&str; 2] = ["k", "m"];

#[derive(Clone, Debug)]
enum Op {
    CreateNode {
        labels: Vec<usize>,
        prop: Option<(usize, i64)>,
    },
    CreateRel {
        from: usize,
        to: usize,
        rel_type: usize,
        prop: Option<i64>,
    },
    SetNodeProp {
        node: usize,
        key: usize,
        value: Option<i64>,
    },
    SetRelProp {
        rel: usize,
        value: Option<i64>,
    },
    AddLabel {
        node: usize,
        label: usize,
    },
    RemoveLabel {
        node: usize,
        label: usize,
    },
    DeleteNode {
        node: usize,
    },
    DetachDelete {
        node: usize,
    },
    DeleteRel {
        rel: usize,
    },
    /// The next op runs in a transaction that is dropped without commit.
    Abort(Box<Op>),
    /// The next op runs after a savepoint that is rolled back, then a node is created.
    RolledBack(Box<Op>),
    Reopen,
}

fn simple_op() -> impl Strategy<Value = Op> {
    let idx = 0usize..64;
    prop_oneof![
        4 => (prop::collection::vec(0usize..3, 0..3), prop::option::of((0usize..2, -3i64..4)))
            .prop_map(|(labels, prop)| Op::CreateNode { labels, prop }),
        4 => (idx.clone(), idx.clone(), 0usize..2, prop::option::of(-3i64..4))
            .prop_map(|(from, to, rel_type, prop)| Op::CreateRel { from, to, rel_type, prop }),
        2 => (idx.clone(), 0usize..2, prop::option::of(-3i64..4))
            .prop_map(|(node, key, value)| Op::SetNodeProp { node, key, value }),
        1 => (idx.clone(), prop::option::of(-3i64..4)).prop_map(|(rel, value)| Op::SetRelProp { rel, value }),
        2 => (idx.clone(), 0usize..3).prop_map(|(node, label)| Op::AddLabel { node, label }),
        1 => (idx.clone(), 0usize..3).prop_map(|(node, label)| Op::RemoveLabel { node, label }),
        1 => idx.clone().prop_map(|node| Op::DeleteNode { node }),
        1 => idx.clone().prop_map(|node| Op::DetachDelete { node }),
        1 => idx.prop_map(|rel| Op::DeleteRel { rel }),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        20 => simple_op(),
        2 => simple_op().prop_map(|o| Op::Abort(Box::new(o))),
        2 => simple_op().prop_map(|o| Op::RolledBack(Box::new(o))),
        1 => Just(Op::Reopen),
    ]
}

#[derive(Clone, Debug, Default, PartialEq)]
struct Model {
    /// id → (labels, properties)
    nodes: BTreeMap<u64, (BTreeSet<String>, BTreeMap<String, i64>)>,
    /// id → (start, end, type, property k)
    rels: BTreeMap<u64, (u64, u64, String, Option<i64>)>,
}

fn pick(ids: Vec<u64>, i: usize) -> Option<u64> {
    if ids.is_empty() {
        None
    } else {
        ids.get(i % ids.len()).copied()
    }
}

impl Model {
    fn node(&self, i: usize) -> Option<u64> {
        pick(self.nodes.keys().copied().collect(), i)
    }
    fn rel(&self, i: usize) -> Option<u64> {
        pick(self.rels.keys().copied().collect(), i)
    }
    fn connected(&self, n: u64) -> Vec<u64> {
        self.rels
            .iter()
            .filter(|(_, r)| r.0 == n || r.1 == n)
            .map(|(id, _)| *id)
            .collect()
    }
}

fn int_props(pairs: impl IntoIterator<Item = (String, i64)>) -> PropertyMap {
    pairs.into_iter().map(|(k, v)| (k, Value::Int(v))).collect()
}

/// Applies `op` to the store and, when the store accepted it, to the model.
fn apply(txn: &mut Txn, model: &mut Model, op: &Op) -> Result<()> {
    match op {
        Op::CreateNode { labels, prop } => {
            let names: Vec<String> = labels.iter().map(|l| LABELS[*l].to_string()).collect();
            let props: Vec<(String, i64)> = prop
                .iter()
                .map(|(k, v)| (KEYS[*k].to_string(), *v))
                .collect();
            let id = txn.create_node(&names, int_props(props.clone()))?;
            model.nodes.insert(
                id,
                (names.into_iter().collect(), props.into_iter().collect()),
            );
        }
        Op::CreateRel {
            from,
            to,
            rel_type,
            prop,
        } => {
            if let (Some(a), Some(b)) = (model.node(*from), model.node(*to)) {
                let props = int_props(prop.map(|v| ("k".to_string(), v)));
                let id = txn.create_relationship(a, b, TYPES[*rel_type], props)?;
                model
                    .rels
                    .insert(id, (a, b, TYPES[*rel_type].to_string(), *prop));
            }
        }
        Op::SetNodeProp { node, key, value } => {
            if let Some(n) = model.node(*node) {
                txn.set_node_property(n, KEYS[*key], value.map(Value::Int))?;
                if let Some(entry) = model.nodes.get_mut(&n) {
                    match value {
                        Some(v) => entry.1.insert(KEYS[*key].to_string(), *v),
                        None => entry.1.remove(KEYS[*key]),
                    };
                }
            }
        }
        Op::SetRelProp { rel, value } => {
            if let Some(r) = model.rel(*rel) {
                txn.set_rel_property(r, "k", value.map(Value::Int))?;
                if let Some(entry) = model.rels.get_mut(&r) {
                    entry.3 = *value;
                }
            }
        }
        Op::AddLabel { node, label } => {
            if let Some(n) = model.node(*node) {
                let added = txn.add_label(n, LABELS[*label])?;
                let entry = model.nodes.get_mut(&n);
                assert_eq!(
                    added,
                    entry.is_some_and(|e| e.0.insert(LABELS[*label].to_string()))
                );
            }
        }
        Op::RemoveLabel { node, label } => {
            if let Some(n) = model.node(*node) {
                let removed = txn.remove_label(n, LABELS[*label])?;
                let entry = model.nodes.get_mut(&n);
                assert_eq!(removed, entry.is_some_and(|e| e.0.remove(LABELS[*label])));
            }
        }
        Op::DeleteNode { node } => {
            if let Some(n) = model.node(*node) {
                let result = txn.delete_node(n);
                if model.connected(n).is_empty() {
                    result?;
                    model.nodes.remove(&n);
                } else {
                    assert!(result.is_err(), "deleting connected node {n} must fail");
                }
            }
        }
        Op::DetachDelete { node } => {
            if let Some(n) = model.node(*node) {
                let rels: Vec<u64> = txn
                    .expand(n, Dir::Both, &[])
                    .map(|e| e.map(|e| e.rel))
                    .collect::<Result<_>>()?;
                for r in rels {
                    txn.delete_relationship(r)?;
                }
                txn.delete_node(n)?;
                for r in model.connected(n) {
                    model.rels.remove(&r);
                }
                model.nodes.remove(&n);
            }
        }
        Op::DeleteRel { rel } => {
            if let Some(r) = model.rel(*rel) {
                txn.delete_relationship(r)?;
                model.rels.remove(&r);
            }
        }
        Op::Abort(_) | Op::RolledBack(_) | Op::Reopen => {}
    }
    Ok(())
}

fn sorted_ids(scan: impl Iterator<Item = Result<u64>>) -> Result<Vec<u64>> {
    let mut v: Vec<u64> = scan.collect::<Result<_>>()?;
    v.sort();
    Ok(v)
}

/// Compares everything the store can say with the model.
fn check(txn: &Txn, model: &Model) -> Result<()> {
    let ids: Vec<u64> = model.nodes.keys().copied().collect();
    assert_eq!(sorted_ids(txn.all_nodes())?, ids);
    assert_eq!(txn.node_count()?, ids.len() as u64);
    for (id, (labels, props)) in &model.nodes {
        let stored: BTreeSet<String> = txn.node_labels(*id)?.into_iter().collect();
        assert_eq!(&stored, labels, "labels of node {id}");
        let stored = format!("{:?}", txn.node_properties(*id)?);
        assert_eq!(
            stored,
            format!("{:?}", int_props(props.clone())),
            "properties of node {id}"
        );
    }
    for label in LABELS {
        let expected: Vec<u64> = model
            .nodes
            .iter()
            .filter(|(_, n)| n.0.contains(label))
            .map(|(id, _)| *id)
            .collect();
        assert_eq!(
            sorted_ids(txn.nodes_with_label(label))?,
            expected,
            "nodes with {label}"
        );
        assert_eq!(txn.label_count(label)?, expected.len() as u64);
    }
    // The index on (A, k) matches a scan of the model.
    for v in -3i64..4 {
        let expected: Vec<u64> = model
            .nodes
            .iter()
            .filter(|(_, n)| n.0.contains("A") && n.1.get("k") == Some(&v))
            .map(|(id, _)| *id)
            .collect();
        let seek = txn
            .index_seek("A", "k", &Value::Int(v))
            .map(sorted_ids)
            .transpose()?;
        assert_eq!(seek, Some(expected), "index seek A.k = {v}");
    }
    let rel_ids: Vec<u64> = model.rels.keys().copied().collect();
    assert_eq!(
        sorted_ids(txn.all_relationships().map(|r| r.map(|r| r.id)))?,
        rel_ids
    );
    assert_eq!(txn.relationship_count()?, rel_ids.len() as u64);
    for t in TYPES {
        let n = model.rels.values().filter(|r| r.2 == t).count() as u64;
        assert_eq!(txn.rel_type_count(t)?, n, "count of {t}");
    }
    for (id, (start, end, t, prop)) in &model.rels {
        let info = txn
            .relationship(*id)?
            .map(|r| (r.start, r.end, r.rel_type.to_string()));
        assert_eq!(info, Some((*start, *end, t.clone())));
        assert_eq!(
            format!("{:?}", txn.rel_property(*id, "k")?),
            format!("{:?}", prop.map(Value::Int))
        );
    }
    for n in model.nodes.keys() {
        for (dir, types) in [
            (Dir::Outgoing, vec![]),
            (Dir::Incoming, vec![]),
            (Dir::Both, vec![]),
            (Dir::Both, vec!["R".to_string()]),
            (Dir::Outgoing, vec!["S".to_string(), "R".to_string()]),
        ] {
            let expected: Vec<u64> = model
                .rels
                .iter()
                .filter(|(_, r)| types.is_empty() || types.contains(&r.2))
                .filter(|(_, r)| match dir {
                    Dir::Outgoing => r.0 == *n,
                    Dir::Incoming => r.1 == *n,
                    Dir::Both => r.0 == *n || r.1 == *n,
                })
                .map(|(id, _)| *id)
                .collect();
            let got = sorted_ids(txn.expand(*n, dir, &types).map(|e| e.map(|e| e.rel)))?;
            assert_eq!(got, expected, "expand {n} {dir:?} {types:?}");
            assert_eq!(txn.degree(*n, dir, &types)?, expected.len() as u64);
        }
    }
    Ok(())
}

fn run(ops: &[Op], on_disk: bool) -> Result<()> {
    let dir = tempfile::tempdir().map_err(|e| skein::Error::io(e.to_string()))?;
    let open = || -> Result<Arc<Store>> {
        if on_disk {
            Store::open_shared(dir.path())
        } else {
            Ok(Arc::new(Store::in_memory()))
        }
    };
    let mut store = open()?;
    let mut model = Model::default();
    {
        let mut txn = store.begin()?;
        txn.create_index(None, "A", "k")?;
        txn.commit()?;
    }
    for op in ops {
        match op {
            Op::Reopen if on_disk => {
                drop(store);
                store = open()?;
                check(&store.begin()?, &model)?;
            }
            Op::Abort(inner) => {
                let mut txn = store.begin()?;
                let mut scratch = model.clone();
                apply(&mut txn, &mut scratch, inner)?;
            }
            Op::RolledBack(inner) => {
                let mut txn = store.begin()?;
                let sp = txn.savepoint();
                let mut scratch = model.clone();
                apply(&mut txn, &mut scratch, inner)?;
                txn.rollback_to(sp);
                apply(
                    &mut txn,
                    &mut model,
                    &Op::CreateNode {
                        labels: vec![0],
                        prop: Some((0, 1)),
                    },
                )?;
                txn.commit()?;
            }
            other => {
                let mut txn = store.begin()?;
                apply(&mut txn, &mut model, other)?;
                txn.commit()?;
            }
        }
        // In memory a check is cheap: check after every step, so a stale cached
        // adjacency cannot hide behind later writes.
        if !on_disk {
            check(&store.begin()?, &model)?;
        }
    }
    check(&store.begin()?, &model)?;
    drop(store);
    if on_disk {
        check(&open()?.begin()?, &model)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn sled_store_matches_the_model(ops in prop::collection::vec(op(), 1..60)) {
        let result = run(&ops, true);
        prop_assert!(result.is_ok(), "{:?}", result.err());
    }

    #[test]
    fn memory_store_matches_the_model(ops in prop::collection::vec(op(), 1..60)) {
        let result = run(&ops, false);
        prop_assert!(result.is_ok(), "{:?}", result.err());
    }
}

//! Behaviour of the graph store through its public API, on the in-memory backend:
//! nodes, labels, properties, relationships, expansion, counts, deletion rules,
//! transaction atomicity and savepoints.

use skein::testing::storage::{Dir, Edge, Store};
use skein::ErrorClass;
use skein::{PropertyMap, Value};

fn props(pairs: &[(&str, Value)]) -> PropertyMap {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn labels(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// Values have no `PartialEq` (Cypher equality is three-valued); compare renderings.
fn show(v: Option<Value>) -> String {
    format!("{v:?}")
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

#[test]
fn nodes_labels_and_properties() -> skein::Result<()> {
    let store = Store::in_memory();
    let mut txn = store.begin()?;
    let a = txn.create_node(
        &labels(&["Person", "Person", "Admin"]),
        props(&[
            ("name", "Ann".into()),
            ("age", 41i64.into()),
            ("gone", Value::Null),
        ]),
    )?;
    assert!(txn.node_exists(a)?);
    assert_eq!(sorted(txn.node_labels(a)?), labels(&["Admin", "Person"]));
    assert!(txn.node_has_label(a, "Person")?);
    assert!(!txn.node_has_label(a, "Nope")?);
    assert_eq!(
        show(txn.node_property(a, "name")?),
        show(Some("Ann".into()))
    );
    assert_eq!(show(txn.node_property(a, "gone")?), "None");
    assert_eq!(txn.node_properties(a)?.len(), 2);

    let old = txn.set_node_property(a, "age", Some(42i64.into()))?;
    assert_eq!(show(old), show(Some(41i64.into())));
    let old = txn.set_node_property(a, "name", None)?;
    assert_eq!(show(old), show(Some("Ann".into())));
    assert_eq!(show(txn.node_property(a, "name")?), "None");
    txn.set_node_property(a, "tags", Some(vec!["x", "y"].into()))?;

    assert!(txn.add_label(a, "Staff")?);
    assert!(!txn.add_label(a, "Staff")?);
    assert!(txn.remove_label(a, "Admin")?);
    assert!(!txn.remove_label(a, "Admin")?);
    assert_eq!(txn.label_count("Staff")?, 1);
    assert_eq!(txn.label_count("Admin")?, 0);
    assert_eq!(txn.labels()?, labels(&["Person", "Staff"]));
    txn.commit()?;

    let txn = store.begin()?;
    assert_eq!(sorted(txn.node_labels(a)?), labels(&["Person", "Staff"]));
    assert_eq!(
        show(txn.node_property(a, "tags")?),
        show(Some(vec!["x", "y"].into()))
    );
    assert_eq!(show(txn.node_property(a, "age")?), show(Some(42i64.into())));
    assert_eq!(txn.node_count()?, 1);
    assert_eq!(
        txn.nodes_with_label("Person")
            .collect::<Result<Vec<_>, _>>()?,
        vec![a]
    );
    assert_eq!(txn.property_keys()?, labels(&["age", "name", "tags"]));
    Ok(())
}

#[test]
fn invalid_property_values_are_type_errors() -> skein::Result<()> {
    let store = Store::in_memory();
    let mut txn = store.begin()?;
    let n = txn.create_node(&[], PropertyMap::new())?;
    for bad in [
        Value::Map(Default::default()),
        Value::List(vec![Value::Int(1), Value::String("a".into())]),
        Value::Node(Default::default()),
    ] {
        let err = txn.set_node_property(n, "k", Some(bad));
        let err = err.err().map(|e| (e.class, e.detail));
        assert_eq!(
            err,
            Some((ErrorClass::TypeError, "InvalidPropertyType".to_string()))
        );
    }
    let err = txn.create_node(&[], props(&[("m", Value::Map(Default::default()))]));
    assert!(err.is_err());
    Ok(())
}

#[test]
fn relationships_expand_by_type_and_direction() -> skein::Result<()> {
    let store = Store::in_memory();
    let mut txn = store.begin()?;
    let a = txn.create_node(&[], PropertyMap::new())?;
    let b = txn.create_node(&[], PropertyMap::new())?;
    let c = txn.create_node(&[], PropertyMap::new())?;
    let ab = txn.create_relationship(a, b, "KNOWS", props(&[("since", 2001i64.into())]))?;
    let ca = txn.create_relationship(c, a, "KNOWS", PropertyMap::new())?;
    let ac = txn.create_relationship(a, c, "LIKES", PropertyMap::new())?;
    let aa = txn.create_relationship(a, a, "SELF", PropertyMap::new())?;

    let edges = |txn: &skein::testing::storage::Txn, dir, types: &[&str]| -> Vec<u64> {
        let types = labels(types);
        sorted(
            txn.expand(a, dir, &types)
                .filter_map(|e| e.ok().map(|e: Edge| e.rel))
                .collect(),
        )
    };
    assert_eq!(edges(&txn, Dir::Outgoing, &[]), sorted(vec![ab, ac, aa]));
    assert_eq!(edges(&txn, Dir::Incoming, &[]), sorted(vec![ca, aa]));
    assert_eq!(edges(&txn, Dir::Both, &[]), sorted(vec![ab, ca, ac, aa]));
    assert_eq!(edges(&txn, Dir::Both, &["KNOWS"]), sorted(vec![ab, ca]));
    assert_eq!(
        edges(&txn, Dir::Outgoing, &["KNOWS", "LIKES"]),
        sorted(vec![ab, ac])
    );
    assert_eq!(edges(&txn, Dir::Outgoing, &["NONE"]), Vec::<u64>::new());
    assert_eq!(txn.degree(a, Dir::Both, &[])?, 4);
    assert_eq!(txn.degree(b, Dir::Incoming, &labels(&["KNOWS"]))?, 1);

    let incoming: Vec<Edge> = txn
        .expand(a, Dir::Incoming, &labels(&["KNOWS"]))
        .collect::<Result<_, _>>()?;
    assert_eq!(
        incoming,
        vec![Edge {
            rel: ca,
            rel_type: "KNOWS".into(),
            start: c,
            end: a
        }]
    );
    let info = txn.relationship(ab)?;
    assert_eq!(
        info.map(|r| (r.rel_type, r.start, r.end)),
        Some(("KNOWS".into(), a, b))
    );
    assert_eq!(
        show(txn.rel_property(ab, "since")?),
        show(Some(2001i64.into()))
    );
    txn.set_rel_property(ab, "since", Some(2002i64.into()))?;
    assert_eq!(txn.rel_properties(ab)?.len(), 1);
    assert_eq!(txn.relationship_count()?, 4);
    assert_eq!(txn.rel_type_count("KNOWS")?, 2);
    assert_eq!(
        txn.relationship_types()?,
        labels(&["KNOWS", "LIKES", "SELF"])
    );
    assert_eq!(txn.all_relationships().count(), 4);

    txn.delete_relationship(ab)?;
    txn.delete_relationship(ab)?;
    assert_eq!(txn.relationship(ab)?, None);
    assert_eq!(txn.rel_properties(ab)?.len(), 0);
    assert_eq!(txn.rel_type_count("KNOWS")?, 1);
    assert_eq!(edges(&txn, Dir::Outgoing, &[]), sorted(vec![ac, aa]));
    txn.commit()?;
    Ok(())
}

#[test]
fn connected_nodes_cannot_be_deleted() -> skein::Result<()> {
    let store = Store::in_memory();
    let mut txn = store.begin()?;
    let a = txn.create_node(&labels(&["A"]), PropertyMap::new())?;
    let b = txn.create_node(&[], PropertyMap::new())?;
    let r = txn.create_relationship(a, b, "T", PropertyMap::new())?;
    let err = txn.delete_node(b).err().map(|e| (e.class, e.detail));
    assert_eq!(
        err,
        Some((
            ErrorClass::ConstraintVerificationFailed,
            "DeleteConnectedNode".into()
        ))
    );
    txn.delete_relationship(r)?;
    txn.delete_node(a)?;
    txn.delete_node(a)?;
    assert!(!txn.node_exists(a)?);
    assert_eq!(txn.node_labels(a)?, Vec::<String>::new());
    assert_eq!(txn.label_count("A")?, 0);
    assert_eq!(txn.node_count()?, 1);
    assert!(txn.set_node_property(a, "k", Some(1i64.into())).is_err());
    assert!(txn
        .create_relationship(a, b, "T", PropertyMap::new())
        .is_err());
    assert_eq!(txn.all_nodes().collect::<Result<Vec<_>, _>>()?, vec![b]);
    Ok(())
}

#[test]
fn dropped_transaction_leaves_nothing() -> skein::Result<()> {
    let store = Store::in_memory();
    {
        let mut txn = store.begin()?;
        let a = txn.create_node(&labels(&["Ghost"]), props(&[("k", 1i64.into())]))?;
        txn.create_relationship(a, a, "HAUNTS", PropertyMap::new())?;
    }
    let txn = store.begin()?;
    assert_eq!(txn.node_count()?, 0);
    assert_eq!(txn.relationship_count()?, 0);
    assert_eq!(txn.all_nodes().count(), 0);
    assert_eq!(txn.labels()?, Vec::<String>::new());
    assert_eq!(txn.property_keys()?, Vec::<String>::new());
    Ok(())
}

#[test]
fn rollback_to_undoes_only_later_writes() -> skein::Result<()> {
    let store = Store::in_memory();
    let mut txn = store.begin()?;
    let a = txn.create_node(&labels(&["A"]), props(&[("k", 1i64.into())]))?;
    let sp = txn.savepoint();
    let b = txn.create_node(&labels(&["A"]), PropertyMap::new())?;
    txn.create_relationship(a, b, "T", PropertyMap::new())?;
    txn.set_node_property(a, "k", Some(2i64.into()))?;
    txn.remove_label(a, "A")?;
    txn.rollback_to(sp);
    assert!(!txn.node_exists(b)?);
    assert_eq!(show(txn.node_property(a, "k")?), show(Some(1i64.into())));
    assert!(txn.node_has_label(a, "A")?);
    assert_eq!(txn.label_count("A")?, 1);
    assert_eq!(txn.relationship_count()?, 0);
    assert_eq!(txn.degree(a, Dir::Both, &[])?, 0);
    txn.commit()?;
    let txn = store.begin()?;
    assert_eq!(txn.node_count()?, 1);
    Ok(())
}

#[test]
fn scans_merge_uncommitted_writes_with_committed_data() -> skein::Result<()> {
    let store = Store::in_memory();
    let mut txn = store.begin()?;
    let ids: Vec<u64> = (0..600)
        .map(|_| txn.create_node(&labels(&["N"]), PropertyMap::new()))
        .collect::<Result<_, _>>()?;
    txn.commit()?;
    let mut txn = store.begin()?;
    for id in ids.iter().step_by(3) {
        txn.delete_node(*id)?;
    }
    let extra = txn.create_node(&labels(&["N"]), PropertyMap::new())?;
    let seen: Vec<u64> = txn.nodes_with_label("N").collect::<Result<_, _>>()?;
    let mut expected: Vec<u64> = ids.iter().copied().filter(|id| id % 3 != 0).collect();
    expected.push(extra);
    assert_eq!(seen, expected);
    assert_eq!(txn.all_nodes().count(), expected.len());
    assert_eq!(txn.label_count("N")?, expected.len() as u64);
    Ok(())
}

#[test]
fn many_in_memory_stores_are_cheap_and_independent() -> skein::Result<()> {
    for i in 0..2000 {
        let store = Store::in_memory();
        let mut txn = store.begin()?;
        let n = txn.create_node(&[], props(&[("i", (i as i64).into())]))?;
        txn.commit()?;
        assert_eq!(store.begin()?.node_count()?, 1);
        assert_eq!(n, 0);
    }
    Ok(())
}

#[test]
fn a_hub_keeps_its_adjacency_across_many_chunks() -> skein::Result<()> {
    let store = Store::in_memory();
    let mut txn = store.begin()?;
    let hub = txn.create_node(&[], PropertyMap::new())?;
    let others: Vec<u64> = (0..50)
        .map(|_| txn.create_node(&[], PropertyMap::new()))
        .collect::<Result<_, _>>()?;
    let mut rels = Vec::new();
    for i in 0..1000usize {
        let other = others[i % others.len()];
        let (t, a, b) = match i % 3 {
            0 => ("A", hub, other),
            1 => ("B", other, hub),
            _ => ("A", hub, hub),
        };
        rels.push((
            txn.create_relationship(a, b, t, PropertyMap::new())?,
            t,
            a,
            b,
        ));
        if i == 500 {
            txn.commit()?;
            txn = store.begin()?;
        }
    }
    // Delete every fourth relationship, some committed, some not.
    for (id, ..) in rels.iter().step_by(4) {
        txn.delete_relationship(*id)?;
    }
    let live: Vec<_> = rels
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 4 != 0)
        .map(|(_, r)| *r)
        .collect();
    let expect = |dir: Dir, t: Option<&str>| -> Vec<u64> {
        sorted(
            live.iter()
                .filter(|(_, ty, a, b)| {
                    t.is_none_or(|t| t == *ty)
                        && match dir {
                            Dir::Outgoing => *a == hub,
                            Dir::Incoming => *b == hub,
                            Dir::Both => *a == hub || *b == hub,
                        }
                })
                .map(|r| r.0)
                .collect(),
        )
    };
    for dir in [Dir::Outgoing, Dir::Incoming, Dir::Both] {
        for t in [None, Some("A"), Some("B")] {
            let types: Vec<String> = t.iter().map(|s| s.to_string()).collect();
            let got: Vec<u64> = sorted(
                txn.expand(hub, dir, &types)
                    .map(|e| e.map(|e| e.rel))
                    .collect::<Result<_, _>>()?,
            );
            assert_eq!(got, expect(dir, t), "{dir:?} {t:?}");
            assert_eq!(txn.degree(hub, dir, &types)?, got.len() as u64);
        }
    }
    txn.commit()?;
    let mut txn = store.begin()?;
    for (id, ..) in &live {
        txn.delete_relationship(*id)?;
    }
    assert_eq!(txn.degree(hub, Dir::Both, &[])?, 0);
    txn.delete_node(hub)?;
    assert_eq!(txn.relationship_count()?, 0);
    assert_eq!(txn.all_relationships().count(), 0);
    Ok(())
}

/// Node records are kept 64 to a key: writing or deleting one node leaves its chunk
/// neighbours as they were, a chunk whose nodes are all deleted goes, and scans see
/// every live node once, before and after commit.
#[test]
fn nodes_in_one_chunk_keep_their_own_records() -> skein::Result<()> {
    let store = Store::in_memory();
    let mut txn = store.begin()?;
    let ids: Vec<u64> = (0..200)
        .map(|i| txn.create_node(&labels(&["N"]), props(&[("i", Value::Int(i))])))
        .collect::<Result<_, _>>()?;
    txn.commit()?;
    // Cache every record, so that the commits below must drop what they change.
    let txn = store.begin()?;
    for id in &ids {
        txn.node_property(*id, "i")?;
    }
    drop(txn);
    let mut txn = store.begin()?;
    // Every third node, and the whole second chunk (ids 64..128).
    let gone = |i: usize| i.is_multiple_of(3) || (64..128).contains(&i);
    for (i, id) in ids.iter().enumerate() {
        if gone(i) {
            txn.delete_node(*id)?;
        } else if i % 3 == 1 {
            txn.set_node_property(*id, "j", Some(Value::Int(i as i64)))?;
        }
    }
    for round in 0..2 {
        let live: Vec<u64> = ids
            .iter()
            .enumerate()
            .filter(|(i, _)| !gone(*i))
            .map(|(_, id)| *id)
            .collect();
        let scanned: Vec<u64> = txn.all_nodes().collect::<Result<_, _>>()?;
        assert_eq!(scanned, live, "round {round}");
        assert_eq!(
            sorted(txn.nodes_with_label("N").collect::<Result<Vec<_>, _>>()?),
            live
        );
        for (i, id) in ids.iter().enumerate() {
            let i_value = txn.node_property(*id, "i")?;
            let j_value = txn.node_property(*id, "j")?;
            if gone(i) {
                assert!(!txn.node_exists(*id)?, "{i}");
                continue;
            }
            assert_eq!(show(i_value), show(Some(Value::Int(i as i64))), "{i}");
            let j = (i % 3 == 1).then_some(Value::Int(i as i64));
            assert_eq!(show(j_value), show(j), "{i}");
        }
        assert_eq!(txn.node_count()?, live.len() as u64);
        txn.commit()?;
        txn = store.begin()?;
    }
    Ok(())
}

/// Records larger than 4 KiB live under their own keys, not in their chunks: they move
/// in and out as they grow and shrink, and reads, scans, caches and deletes follow.
#[test]
fn large_records_live_apart_from_their_chunks() -> skein::Result<()> {
    let store = Store::in_memory();
    let big = |n: usize| Value::String("x".repeat(n));
    let mut txn = store.begin()?;
    let ids: Vec<u64> = (0..6)
        .map(|i| {
            let text = if i % 2 == 0 { big(10_000) } else { big(10) };
            txn.create_node(&labels(&["D"]), props(&[("t", text)]))
        })
        .collect::<Result<_, _>>()?;
    let rel = txn.create_relationship(ids[0], ids[1], "R", props(&[("t", big(9_000))]))?;
    let small_rel = txn.create_relationship(ids[1], ids[2], "R", PropertyMap::new())?;
    txn.commit()?;
    let size_of = |txn: &skein::testing::storage::Txn, id: u64| -> skein::Result<i64> {
        Ok(match txn.node_property(id, "t")? {
            Some(Value::String(s)) => s.len() as i64,
            _ => -1,
        })
    };
    let txn = store.begin()?;
    let sizes: Vec<i64> = ids
        .iter()
        .map(|id| size_of(&txn, *id))
        .collect::<Result<_, _>>()?;
    assert_eq!(sizes, vec![10_000, 10, 10_000, 10, 10_000, 10]);
    drop(txn);
    // Grow a small one, shrink a large one, delete a large one; committed and cached.
    let mut txn = store.begin()?;
    txn.set_node_property(ids[1], "t", Some(big(20_000)))?;
    txn.set_node_property(ids[2], "t", Some(big(5)))?;
    txn.set_node_property(ids[4], "t", Some(big(6_000)))?;
    txn.delete_relationship(rel)?;
    txn.delete_relationship(small_rel)?;
    txn.delete_node(ids[0])?;
    let expect = vec![-1, 20_000, 5, 10, 6_000, 10];
    let sizes: Vec<i64> = ids
        .iter()
        .map(|id| size_of(&txn, *id))
        .collect::<Result<_, _>>()?;
    assert_eq!(sizes, expect);
    txn.commit()?;
    let txn = store.begin()?;
    let sizes: Vec<i64> = ids
        .iter()
        .map(|id| size_of(&txn, *id))
        .collect::<Result<_, _>>()?;
    assert_eq!(sizes, expect);
    assert_eq!(txn.all_nodes().count(), 5);
    assert_eq!(txn.all_relationships().count(), 0);
    drop(txn);
    // A large record replaced by another writes only its own key; the cached node goes.
    let mut txn = store.begin()?;
    txn.set_node_property(ids[4], "t", Some(big(7_000)))?;
    txn.commit()?;
    assert_eq!(size_of(&store.begin()?, ids[4])?, 7_000);
    let mut txn = store.begin()?;
    let rel = txn.create_relationship(ids[1], ids[3], "R", props(&[("t", big(9_000))]))?;
    txn.commit()?;
    let txn = store.begin()?;
    let infos: Vec<_> = txn.all_relationships().collect::<Result<_, _>>()?;
    assert_eq!(infos.len(), 1);
    assert_eq!(
        show(txn.rel_property(rel, "t")?).len(),
        show(Some(big(9_000))).len()
    );
    Ok(())
}

/// A node's chunks hold 128 entries of both directions: a self-loop whose `OUT` entry
/// fills a chunk has its `IN` entry in the next one, and deleting it removes both.
#[test]
fn a_self_loop_across_a_chunk_seal_is_deleted_whole() -> skein::Result<()> {
    let store = Store::in_memory();
    for commit_first in [false, true] {
        let mut txn = store.begin()?;
        let node = txn.create_node(&[], PropertyMap::new())?;
        let other = txn.create_node(&[], PropertyMap::new())?;
        let mut plain = Vec::new();
        for _ in 0..127 {
            plain.push(txn.create_relationship(node, other, "A", PropertyMap::new())?);
        }
        let lp = txn.create_relationship(node, node, "L", PropertyMap::new())?;
        let after = txn.create_relationship(other, node, "A", PropertyMap::new())?;
        if commit_first {
            txn.commit()?;
            txn = store.begin()?;
        }
        assert_eq!(txn.degree(node, Dir::Both, &[])?, 129);
        txn.delete_relationship(lp)?;
        let rels = |txn: &skein::testing::storage::Txn, dir| -> skein::Result<Vec<u64>> {
            Ok(sorted(
                txn.expand(node, dir, &[])
                    .map(|e| e.map(|e| e.rel))
                    .collect::<Result<_, _>>()?,
            ))
        };
        assert_eq!(rels(&txn, Dir::Outgoing)?, plain);
        assert_eq!(rels(&txn, Dir::Incoming)?, vec![after]);
        assert_eq!(txn.degree(node, Dir::Both, &["L".to_string()])?, 0);
        txn.commit()?;
        let mut txn = store.begin()?;
        assert_eq!(rels(&txn, Dir::Both)?.len(), 128);
        for rel in plain.iter().chain([&after]) {
            txn.delete_relationship(*rel)?;
        }
        txn.delete_node(node)?;
        txn.delete_node(other)?;
        txn.commit()?;
    }
    Ok(())
}

#[test]
fn a_second_transaction_on_one_thread_is_an_error_not_a_hang() -> skein::Result<()> {
    let store = std::sync::Arc::new(Store::in_memory());
    let txn = store.begin()?;
    let err = store.begin().err().map(|e| e.class);
    assert_eq!(err, Some(ErrorClass::TransactionError));
    // Another thread waits for the first transaction instead.
    let other = std::sync::Arc::clone(&store);
    let waiter = std::thread::spawn(move || -> skein::Result<u64> {
        let mut txn = other.begin()?;
        let id = txn.create_node(&[], PropertyMap::new())?;
        txn.commit()?;
        Ok(id)
    });
    drop(txn);
    let joined = waiter
        .join()
        .map_err(|_| skein::Error::io("thread panicked"))?;
    assert_eq!(joined?, 0);
    assert_eq!(store.begin()?.node_count()?, 1);
    Ok(())
}

/// The store keeps committed node records and adjacency in memory; a transaction must
/// see its own writes over them, a rolled-back write must not reach them, and a
/// committed write must replace them.
#[test]
fn cached_records_follow_commits_and_rollbacks() -> skein::Result<()> {
    let store = Store::in_memory();
    let mut txn = store.begin()?;
    let a = txn.create_node(&labels(&["P"]), props(&[("v", 1i64.into())]))?;
    let b = txn.create_node(&labels(&["P"]), PropertyMap::new())?;
    txn.commit()?;

    type Seen = (String, (usize, u64), Vec<String>, Vec<u64>, bool);
    let read = |store: &Store| -> skein::Result<Seen> {
        let txn = store.begin()?;
        Ok((
            show(txn.node_property(a, "v")?),
            (
                txn.expand(a, Dir::Outgoing, &[]).count(),
                txn.degree(a, Dir::Outgoing, &["R".to_string()])?,
            ),
            txn.node_labels(a)?,
            txn.nodes_with_label("Q").collect::<skein::Result<_>>()?,
            match txn.resolve_labels(&labels(&["Q"])) {
                Some(q) => txn.node_has_labels(b, &q)?,
                None => false,
            },
        ))
    };
    let before = read(&store)?;
    assert_eq!(
        before,
        (
            show(Some(1i64.into())),
            (0, 0),
            labels(&["P"]),
            vec![],
            false
        )
    );

    let mut txn = store.begin()?;
    txn.set_node_property(a, "v", Some(2i64.into()))?;
    txn.add_label(a, "Q")?;
    txn.create_relationship(a, b, "R", PropertyMap::new())?;
    assert_eq!(show(txn.node_property(a, "v")?), show(Some(2i64.into())));
    assert_eq!(txn.expand(a, Dir::Outgoing, &[]).count(), 1);
    assert_eq!(txn.degree(a, Dir::Outgoing, &["R".to_string()])?, 1);
    drop(txn);
    assert_eq!(
        read(&store)?,
        before,
        "a rolled-back write reached the cache"
    );

    let mut txn = store.begin()?;
    txn.set_node_property(a, "v", Some(3i64.into()))?;
    txn.create_relationship(a, b, "R", PropertyMap::new())?;
    txn.add_label(b, "Q")?;
    assert_eq!(txn.nodes_with_label("Q").count(), 1, "its own label write");
    txn.commit()?;
    assert_eq!(
        read(&store)?,
        (
            show(Some(3i64.into())),
            (1, 1),
            labels(&["P"]),
            vec![b],
            true
        )
    );

    let mut txn = store.begin()?;
    txn.set_node_property(a, "v", None)?;
    txn.commit()?;
    assert_eq!(read(&store)?.0, show(None));

    let mut txn = store.begin()?;
    txn.remove_label(b, "Q")?;
    txn.create_relationship(a, b, "R", PropertyMap::new())?;
    txn.commit()?;
    let after = read(&store)?;
    assert_eq!(after.1, (2, 2), "a cached degree missed a new relationship");
    assert!(
        !after.4,
        "a cached label bitmap still gives b the removed label"
    );
    assert_eq!(after.3, Vec::<u64>::new(), "a removed label still lists b");
    Ok(())
}

/// Transactions on several threads take turns with the store's cache: every increment
/// must read the value the previous commit left, or an update is lost.
#[test]
fn cached_records_stay_fresh_across_threads() -> skein::Result<()> {
    let store = Store::in_memory();
    let mut txn = store.begin()?;
    let counter = txn.create_node(&labels(&["C"]), props(&[("n", 0i64.into())]))?;
    txn.commit()?;
    const PER_THREAD: i64 = 200;
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| -> skein::Result<()> {
                    for _ in 0..PER_THREAD {
                        let mut txn = store.begin()?;
                        let Some(Value::Int(n)) = txn.node_property(counter, "n")? else {
                            panic!("the counter lost its value");
                        };
                        txn.set_node_property(counter, "n", Some((n + 1).into()))?;
                        txn.commit()?;
                    }
                    Ok(())
                })
            })
            .collect();
        for worker in workers {
            worker.join().expect("a worker panicked")?;
        }
        Ok::<(), skein::Error>(())
    })?;
    let txn = store.begin()?;
    assert_eq!(
        show(txn.node_property(counter, "n")?),
        show(Some((2 * PER_THREAD).into()))
    );
    Ok(())
}

//! The bulk-write path: the same creates through `BulkWriter` and through transactions
//! give the same store; a dropped writer writes nothing; constraints and missing
//! endpoints are refused.

use skein::testing::storage::{BulkWriter, Dir, Store, Txn, DEFAULT_MEMORY_BUDGET};
use skein::{ErrorClass, Result};
use skein::{PropertyMap, Value};

/// Everything the store can say, as text.
fn dump(txn: &Txn) -> Result<String> {
    let mut out = String::new();
    for id in txn.all_nodes() {
        let id = id?;
        let mut labels = txn.node_labels(id)?;
        labels.sort();
        out += &format!("node {id} {labels:?} {:?}\n", txn.node_properties(id)?);
        for dir in [Dir::Outgoing, Dir::Incoming, Dir::Both] {
            let mut rels: Vec<u64> = txn
                .expand(id, dir, &[])
                .map(|e| e.map(|e| e.rel))
                .collect::<Result<_>>()?;
            rels.sort();
            out += &format!(
                "  {dir:?} {rels:?} {}\n",
                txn.degree(id, dir, &["T".to_string()])?
            );
        }
    }
    for rel in txn.all_relationships() {
        let rel = rel?;
        out += &format!("rel {rel:?} {:?}\n", txn.rel_properties(rel.id)?);
    }
    out += &format!(
        "counts {} {} {} {} {} {:?} {:?}\n",
        txn.node_count()?,
        txn.relationship_count()?,
        txn.label_count("P")?,
        txn.rel_type_count("T")?,
        txn.rel_type_count("U")?,
        txn.labels()?,
        txn.property_keys()?
    );
    Ok(out)
}

fn props(i: u64) -> PropertyMap {
    let mut p = PropertyMap::new();
    p.insert("i".into(), Value::Int(i as i64));
    if i.is_multiple_of(3) {
        p.insert("name".into(), Value::String(format!("n{i}")));
    }
    if i % 17 == 5 {
        // Too large for a chunk: kept under its own key.
        p.insert("text".into(), Value::String("t".repeat(5000 + i as usize)));
    }
    p
}

/// Node i of `n`, relationships chosen so that some nodes get hundreds (several chunks).
fn graph_ops(nodes: u64, rels: u64) -> Vec<(u64, u64, &'static str)> {
    (0..rels)
        .map(|i| {
            let a = if i.is_multiple_of(2) {
                0
            } else {
                (i * 7) % nodes
            };
            let b = (i * 13 + 5) % nodes;
            (a, b, if i.is_multiple_of(5) { "U" } else { "T" })
        })
        .collect()
}

#[test]
fn bulk_and_transactional_writes_give_the_same_store() -> Result<()> {
    same_store_via_bulk_and_transactions(None, false)
}

/// A budget this small writes a batch every few creates and spills adjacency often.
#[test]
fn many_small_bulk_batches_give_the_same_store() -> Result<()> {
    same_store_via_bulk_and_transactions(Some(600), false)
}

/// Batches applied by the second thread while the writer goes on, with large and small
/// budgets: with the small one, open chunks written early are read back and extended
/// while other batches are still in flight.
#[test]
fn bulk_writes_on_the_applying_thread_give_the_same_store() -> Result<()> {
    for budget in [None, Some(600), Some(4000)] {
        same_store_via_bulk_and_transactions(budget, true)?;
    }
    Ok(())
}

/// Creates the same graph through a transaction and through a bulk writer (its batches
/// applied on the second thread of `Store::bulk_write` when `on_thread`) and compares
/// the stores.
fn same_store_via_bulk_and_transactions(budget: Option<usize>, on_thread: bool) -> Result<()> {
    let (n, r) = (60u64, 700u64);
    let ops = graph_ops(n, r);
    let via_txn = Store::in_memory();
    let via_bulk = Store::in_memory();
    // Some data first, so the bulk writer extends existing chunks and counts.
    for store in [&via_txn, &via_bulk] {
        let mut txn = store.begin()?;
        for i in 0..n {
            txn.create_node(&["P".to_string()], props(i))?;
        }
        for (a, b, t) in &ops[..150] {
            txn.create_relationship(*a, *b, t, PropertyMap::new())?;
        }
        txn.commit()?;
    }
    let mut txn = via_txn.begin()?;
    let mut creates = |bulk: &mut BulkWriter<'_>| -> Result<()> {
        for i in n..2 * n {
            let labels = vec!["P".to_string(), "Q".to_string()];
            assert_eq!(
                txn.create_node(&labels, props(i))?,
                bulk.create_node(&labels, props(i))?
            );
        }
        for (i, (a, b, t)) in ops[150..].iter().enumerate() {
            let mut p = PropertyMap::new();
            p.insert("w".into(), Value::Float(i as f64 / 2.0));
            if i % 97 == 3 {
                p.insert("text".into(), Value::String("r".repeat(4500 + i)));
            }
            let (a, b) = (a + n * (i as u64 % 2), *b);
            assert_eq!(
                txn.create_relationship(a, b, t, p.clone())?,
                bulk.create_relationship(a, b, t, p)?
            );
        }
        Ok(())
    };
    let budget_bytes = budget.unwrap_or(DEFAULT_MEMORY_BUDGET);
    if on_thread {
        via_bulk.bulk_write(budget_bytes, |bulk| creates(bulk))?;
    } else {
        let mut bulk = via_bulk.bulk_writer()?;
        bulk.set_memory_budget(budget_bytes);
        creates(&mut bulk)?;
        bulk.finish()?;
    }
    txn.commit()?;
    let expected = dump(&via_txn.begin()?)?;
    assert_eq!(dump(&via_bulk.begin()?)?, expected);
    assert!(expected.contains("counts 120 700 120"));
    Ok(())
}

#[test]
fn a_dropped_bulk_writer_writes_nothing() -> Result<()> {
    let store = Store::in_memory();
    {
        let mut bulk = store.bulk_writer()?;
        let a = bulk.create_node(&["P".to_string()], props(1))?;
        bulk.create_relationship(a, a, "T", PropertyMap::new())?;
    }
    let txn = store.begin()?;
    assert_eq!((txn.node_count()?, txn.relationship_count()?), (0, 0));
    assert_eq!(txn.property_keys()?, Vec::<String>::new());
    Ok(())
}

#[test]
fn bulk_writes_respect_constraints_and_endpoints() -> Result<()> {
    let store = Store::in_memory();
    let mut txn = store.begin()?;
    txn.create_node(&["P".to_string()], props(3))?;
    txn.create_unique_constraint(None, "P", "i")?;
    txn.commit()?;
    let mut bulk = store.bulk_writer()?;
    let err = bulk.create_node(&["P".to_string()], props(3)).err();
    assert_eq!(
        err.map(|e| e.class),
        Some(ErrorClass::ConstraintValidationFailed)
    );
    let a = bulk.create_node(&["P".to_string()], props(4))?;
    let err = bulk.create_node(&["P".to_string()], props(4)).err();
    assert_eq!(
        err.map(|e| e.class),
        Some(ErrorClass::ConstraintValidationFailed)
    );
    assert!(bulk
        .create_relationship(a, 999, "T", PropertyMap::new())
        .is_err());
    bulk.finish()?;
    let txn = store.begin()?;
    let found: Vec<u64> = txn
        .index_seek("P", "i", &Value::Int(4))
        .map(|s| s.collect::<Result<_>>())
        .transpose()?
        .unwrap_or_default();
    assert_eq!(found, vec![a]);
    Ok(())
}

/// A null is no property, in bulk writes as in transactions: its key is not recorded.
#[test]
fn bulk_null_properties_are_not_keys() -> Result<()> {
    let store = Store::in_memory();
    let mut bulk = store.bulk_writer()?;
    let mut p = props(1);
    p.insert("gone".into(), Value::Null);
    let a = bulk.create_node(&["P".to_string()], p.clone())?;
    bulk.create_relationship(a, a, "T", p)?;
    bulk.finish()?;
    let txn = store.begin()?;
    assert_eq!(txn.property_keys()?, vec!["i".to_string()]);
    assert_eq!(txn.node_properties(a)?.len(), 1);
    Ok(())
}

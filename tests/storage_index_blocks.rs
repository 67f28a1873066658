//! Index entries live in blocks of up to 64 that split when full and go when empty
//! (`storage/index_blocks.rs`). Many nodes sharing few values make runs of equal entries
//! that span blocks; random creates, changes, removals and deletes, some in transactions
//! that are dropped, are checked against a plain model with equality seeks and range
//! scans, in memory and on disk across reopens.

use skein::testing::storage::{Store, Txn};
use skein::Result;
use skein::{PropertyMap, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A small deterministic generator (no dependency on test order or seeds).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// The values nodes take: integers from a small range, some as floats, and strings.
fn value(rng: &mut Lcg) -> Value {
    let n = rng.below(12) as i64 - 4;
    match rng.below(8) {
        0 => Value::Float(n as f64),
        1 => Value::Float(n as f64 + 0.5),
        2 => Value::String(format!("s{}", n.rem_euclid(5))),
        _ => Value::Int(n),
    }
}

fn as_number(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

fn sorted(ids: impl Iterator<Item = Result<u64>>) -> Result<Vec<u64>> {
    let mut ids: Vec<u64> = ids.collect::<Result<_>>()?;
    ids.sort_unstable();
    Ok(ids)
}

fn check(txn: &Txn, model: &BTreeMap<u64, Value>, step: usize) -> Result<()> {
    let mut probes: Vec<Value> = (-5..9).map(Value::Int).collect();
    probes.extend((-5..9).map(|n| Value::Float(n as f64 + 0.5)));
    probes.extend((0..6).map(|n| Value::String(format!("s{n}"))));
    for probe in &probes {
        let expected: Vec<u64> = model
            .iter()
            .filter(|(_, v)| match (as_number(v), as_number(probe)) {
                (Some(a), Some(b)) => a == b,
                _ => matches!((v, probe), (Value::String(a), Value::String(b)) if a == b),
            })
            .map(|(id, _)| *id)
            .collect();
        let Some(seek) = txn.index_seek("P", "v", probe) else {
            panic!("no index");
        };
        assert_eq!(sorted(seek)?, expected, "step {step}: seek {probe:?}");
    }
    for (low, high) in [(-2, 3), (0, 0), (-10, 10), (4, 9)] {
        let (l, h) = (Value::Int(low), Value::Float(high as f64));
        let expected: Vec<u64> = model
            .iter()
            .filter(|(_, v)| as_number(v).is_some_and(|n| n > low as f64 && n <= high as f64))
            .map(|(id, _)| *id)
            .collect();
        let Some(range) = txn.index_range("P", "v", Some((&l, false)), Some((&h, true))) else {
            panic!("no range");
        };
        assert_eq!(
            sorted(range)?,
            expected,
            "step {step}: range {low}..={high}"
        );
    }
    Ok(())
}

fn run(open: &dyn Fn() -> Result<Arc<Store>>, reopen_every: Option<usize>) -> Result<()> {
    let mut store = open()?;
    let mut txn = store.begin()?;
    txn.create_index(None, "P", "v")?;
    txn.commit()?;
    let mut rng = Lcg(7);
    let mut model: BTreeMap<u64, Value> = BTreeMap::new();
    let mut live: Vec<u64> = Vec::new();
    for step in 0..60 {
        let mut txn = store.begin()?;
        let mut pending = model.clone();
        let mut pending_live = live.clone();
        for _ in 0..rng.below(120) + 1 {
            match rng.below(10) {
                0..=4 => {
                    let v = value(&mut rng);
                    let mut props = PropertyMap::new();
                    props.insert("v".into(), v.clone());
                    let id = txn.create_node(&["P".to_string()], props)?;
                    pending.insert(id, v);
                    pending_live.push(id);
                }
                5 | 6 if !pending_live.is_empty() => {
                    let id = pending_live[rng.below(pending_live.len() as u64) as usize];
                    let v = value(&mut rng);
                    txn.set_node_property(id, "v", Some(v.clone()))?;
                    pending.insert(id, v);
                }
                7 if !pending_live.is_empty() => {
                    let id = pending_live[rng.below(pending_live.len() as u64) as usize];
                    txn.set_node_property(id, "v", None)?;
                    pending.remove(&id);
                }
                8 | 9 if !pending_live.is_empty() => {
                    let at = rng.below(pending_live.len() as u64) as usize;
                    let id = pending_live.swap_remove(at);
                    txn.delete_node(id)?;
                    pending.remove(&id);
                }
                _ => {}
            }
        }
        check(&txn, &pending, step)?;
        if rng.below(5) == 0 {
            drop(txn);
        } else {
            txn.commit()?;
            model = pending;
            live = pending_live;
        }
        check(&store.begin()?, &model, step)?;
        if reopen_every.is_some_and(|n| step % n == n - 1) {
            drop(store);
            store = open()?;
            check(&store.begin()?, &model, step)?;
        }
    }
    // Enough entries that equal values span several blocks.
    assert!(model.len() > 300, "{}", model.len());
    Ok(())
}

#[test]
fn index_blocks_follow_writes_in_memory() -> Result<()> {
    let store = Arc::new(Store::in_memory());
    run(&|| Ok(Arc::clone(&store)), None)
}

#[test]
fn index_blocks_follow_writes_on_disk_across_reopens() -> Result<()> {
    let dir = tempfile::tempdir().map_err(|e| skein::Error::io(e.to_string()))?;
    let path = dir.path().join("db");
    run(&|| Store::open_shared(&path), Some(7))
}

/// Emptying a block removes it; an entry below it, written in the same transaction,
/// goes to the next block, which the engine is asked for only then.
#[test]
fn an_entry_below_a_block_emptied_in_the_same_transaction() -> Result<()> {
    let store = Store::in_memory();
    let mut txn = store.begin()?;
    txn.create_index(None, "P", "v")?;
    let mut model: BTreeMap<u64, Value> = BTreeMap::new();
    let mut by_value = Vec::new();
    for v in 0..200 {
        let mut props = PropertyMap::new();
        props.insert("v".into(), Value::Int(v));
        let id = txn.create_node(&["P".to_string()], props)?;
        model.insert(id, Value::Int(v));
        by_value.push(id);
    }
    txn.commit()?;
    let mut txn = store.begin()?;
    // Values 0..=31: the first block (filled in order, it holds those), and no other.
    for id in by_value.iter().take(32) {
        txn.delete_node(*id)?;
        model.remove(id);
    }
    for v in [-5, 10, 35] {
        let mut props = PropertyMap::new();
        props.insert("v".into(), Value::Int(v));
        let id = txn.create_node(&["P".to_string()], props)?;
        model.insert(id, Value::Int(v));
    }
    check(&txn, &model, 0)?;
    txn.commit()?;
    let txn = store.begin()?;
    check(&txn, &model, 1)
}

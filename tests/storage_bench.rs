//! Storage figures for the performance issue, printed, never asserted (timings are not
//! test outcomes). Ignored by default; run in release:
//!
//! `cargo test --release --test storage_bench -- --ignored --nocapture`
//!
//! Sizes come from `SKEIN_BENCH_NODES` / `SKEIN_BENCH_RELS` (default 100k / 1M).

use skein::testing::storage::{Dir, Store};
use skein::Result;
use skein::{PropertyMap, Value};
use std::time::Instant;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A deterministic pseudo-random sequence (xorshift), so every run builds one graph.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn folder_size(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => folder_size(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

#[test]
#[ignore]
fn storage_figures() -> Result<()> {
    let nodes = env_or("SKEIN_BENCH_NODES", 100_000);
    let rels = env_or("SKEIN_BENCH_RELS", 1_000_000);
    let dir = tempfile::tempdir().map_err(|e| skein::Error::io(e.to_string()))?;
    let path = dir.path().join("db");
    let store = Store::open_shared(&path)?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);

    let started = Instant::now();
    let mut bulk = store.bulk_writer()?;
    let mut ids = Vec::with_capacity(nodes as usize);
    for i in 0..nodes {
        let mut props = PropertyMap::new();
        props.insert("id".into(), Value::Int(i as i64));
        ids.push(bulk.create_node(&["Person".to_string()], props)?);
    }
    let hub = ids[0];
    for i in 0..rels {
        // Node 0 is a hub with 1,000 neighbours; the rest are random.
        let (a, b) = if i < 1000 {
            (hub, ids[1 + i as usize])
        } else {
            (
                ids[rng.below(nodes) as usize],
                ids[rng.below(nodes) as usize],
            )
        };
        bulk.create_relationship(a, b, "KNOWS", PropertyMap::new())?;
    }
    bulk.finish()?;
    let bulk_secs = started.elapsed().as_secs_f64();
    println!(
        "bulk write: {nodes} nodes + {rels} relationships in {bulk_secs:.2} s = {:.0} rel/s",
        rels as f64 / bulk_secs
    );

    let started = Instant::now();
    let rounds = 2_000u64;
    for _ in 0..rounds {
        let mut txn = store.begin()?;
        let a = ids[rng.below(nodes) as usize];
        let b = ids[rng.below(nodes) as usize];
        txn.create_relationship(a, b, "KNOWS", PropertyMap::new())?;
        txn.commit()?;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "statement-at-a-time (one durable commit each): {rounds} relationships in {secs:.2} s = {:.0} rel/s",
        rounds as f64 / secs
    );

    let txn = store.begin()?;
    let mut times = Vec::new();
    for _ in 0..21 {
        let started = Instant::now();
        let n = txn.expand(hub, Dir::Outgoing, &[]).count();
        times.push(started.elapsed().as_secs_f64() * 1e3);
        assert!(n >= 1000);
    }
    times.sort_by(f64::total_cmp);
    println!("expand a 1,000-neighbour node: median {:.3} ms", times[10]);
    let mut times = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let mut two_hop = 0usize;
        for edge in txn.expand(hub, Dir::Outgoing, &[]) {
            two_hop += txn.expand(edge?.end, Dir::Outgoing, &[]).count();
        }
        times.push(started.elapsed().as_secs_f64() * 1e3);
        assert!(two_hop > 0);
    }
    times.sort_by(f64::total_cmp);
    println!("two hops from it (~10k edges): median {:.3} ms", times[2]);
    drop(txn);

    let total_rels = rels + rounds;
    let sled_bytes = store.size_on_disk()?.unwrap_or(0);
    drop(store);
    let folder = folder_size(&path);
    println!(
        "on disk: {folder} bytes in the folder ({:.1} bytes per relationship); sled reports {sled_bytes}",
        folder as f64 / total_rels as f64
    );
    Ok(())
}

//! The sled-backed store: durability across reopen, sharing one open folder inside a
//! process, refusing foreign folders and other format versions, the error a second
//! process gets, and a kill -9 crash test.
//!
//! The second-process and crash tests re-run this test binary as a child (selected by
//! `SKEIN_STORAGE_CHILD`), so the child is a real separate process.

use skein::testing::storage::{Dir, Store};
use skein::{ErrorClass, Result};
use skein::{PropertyMap, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

const CHILD_ENV: &str = "SKEIN_STORAGE_CHILD";
const PATH_ENV: &str = "SKEIN_STORAGE_CHILD_PATH";

fn one_prop(key: &str, value: Value) -> PropertyMap {
    let mut m = PropertyMap::new();
    m.insert(key.to_string(), value);
    m
}

fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn committed_writes_survive_reopen() -> Result<()> {
    let dir = tempfile::tempdir().map_err(|e| skein::Error::io(e.to_string()))?;
    let path = dir.path().join("db");
    let (a, b, r) = {
        let store = Store::open_shared(&path)?;
        let mut txn = store.begin()?;
        let a = txn.create_node(&["Person".to_string()], one_prop("name", "Ann".into()))?;
        let b = txn.create_node(&["City".to_string()], PropertyMap::new())?;
        let r = txn.create_relationship(a, b, "LIVES_IN", one_prop("since", 2020i64.into()))?;
        txn.commit()?;
        // Uncommitted: must not survive.
        let mut txn = store.begin()?;
        txn.create_node(&["Ghost".to_string()], PropertyMap::new())?;
        drop(txn);
        (a, b, r)
    };
    let store = Store::open_shared(&path)?;
    let mut txn = store.begin()?;
    assert_eq!(txn.node_count()?, 2);
    assert_eq!(
        txn.labels()?,
        vec!["City".to_string(), "Person".to_string()]
    );
    assert_eq!(
        format!("{:?}", txn.node_property(a, "name")?),
        format!("{:?}", Some(Value::from("Ann")))
    );
    let edges: Vec<_> = txn.expand(b, Dir::Incoming, &[]).collect::<Result<_>>()?;
    assert_eq!(edges.len(), 1);
    assert_eq!((edges[0].rel, edges[0].start), (r, a));
    assert_eq!(txn.rel_type_count("LIVES_IN")?, 1);
    // Ids keep counting after a reopen: nothing is reused.
    let c = txn.create_node(&[], PropertyMap::new())?;
    assert!(c > b);
    txn.commit()?;
    Ok(())
}

#[test]
fn one_folder_is_shared_inside_a_process() -> Result<()> {
    let dir = tempfile::tempdir().map_err(|e| skein::Error::io(e.to_string()))?;
    let first = Store::open_shared(dir.path())?;
    let second = Store::open_shared(&dir.path().join(".").join("x").join(".."))?;
    assert!(Arc::ptr_eq(&first, &second));
    Ok(())
}

#[test]
fn a_foreign_folder_is_refused_untouched() -> Result<()> {
    let dir = tempfile::tempdir().map_err(|e| skein::Error::io(e.to_string()))?;
    std::fs::write(dir.path().join("notes.txt"), "mine")
        .map_err(|e| skein::Error::io(e.to_string()))?;
    let err = Store::open_shared(dir.path()).err();
    let message = err.as_ref().map(|e| e.message.clone()).unwrap_or_default();
    assert_eq!(err.map(|e| e.class), Some(ErrorClass::StorageError));
    assert!(message.contains("is not a skein database"), "{message}");
    assert_eq!(file_names(dir.path()), vec!["notes.txt".to_string()]);
    Ok(())
}

#[test]
fn another_format_version_is_refused_untouched() -> Result<()> {
    let dir = tempfile::tempdir().map_err(|e| skein::Error::io(e.to_string()))?;
    let path = dir.path().join("db");
    drop(Store::open_shared(&path)?);
    let marker = path.join("skein.format");
    std::fs::write(&marker, "skein database format 99\n")
        .map_err(|e| skein::Error::io(e.to_string()))?;
    let before = file_names(&path);
    let err = Store::open_shared(&path).err();
    let message = err.map(|e| e.message).unwrap_or_default();
    assert!(message.contains("format 99"), "{message}");
    assert_eq!(file_names(&path), before);
    Ok(())
}

/// Child side of the process tests; does nothing unless started by a parent test.
#[test]
fn child_process_entry() -> Result<()> {
    let (Ok(mode), Ok(path)) = (std::env::var(CHILD_ENV), std::env::var(PATH_ENV)) else {
        return Ok(());
    };
    let store = Store::open_shared(Path::new(&path))?;
    let mut out = std::io::stdout().lock();
    // libtest has printed `test child_process_entry ... ` without a line end.
    let _ = writeln!(out);
    match mode.as_str() {
        "hold" => {
            let _ = writeln!(out, "open");
            let _ = out.flush();
            // Hold the folder until the parent closes our stdin (or kills us).
            let mut line = String::new();
            let _ = std::io::stdin().read_line(&mut line);
        }
        "write" => {
            let mut previous: Option<u64> = None;
            for i in 0..100_000i64 {
                let mut txn = store.begin()?;
                let node = txn.create_node(&["Item".to_string()], one_prop("i", i.into()))?;
                if let Some(p) = previous {
                    txn.create_relationship(p, node, "NEXT", PropertyMap::new())?;
                }
                txn.commit()?;
                previous = Some(node);
                let _ = writeln!(out, "ack {node} {i}");
                let _ = out.flush();
            }
        }
        _ => {}
    }
    Ok(())
}

fn spawn_child(mode: &str, path: &Path) -> Result<Child> {
    let exe = std::env::current_exe().map_err(|e| skein::Error::io(e.to_string()))?;
    Command::new(exe)
        .args([
            "--exact",
            "child_process_entry",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, mode)
        .env(PATH_ENV, path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| skein::Error::io(e.to_string()))
}

#[test]
fn a_second_process_is_told_the_database_is_in_use() -> Result<()> {
    let dir = tempfile::tempdir().map_err(|e| skein::Error::io(e.to_string()))?;
    let path = dir.path().join("db");
    let mut child = spawn_child("hold", &path)?;
    let mut lines = BufReader::new(
        child
            .stdout
            .take()
            .ok_or_else(|| skein::Error::io("no stdout"))?,
    )
    .lines();
    let opened = lines.by_ref().map_while(|l| l.ok()).any(|l| l == "open");
    assert!(opened, "the child did not open the database");
    let err = Store::open_shared(&path).err();
    drop(child.stdin.take());
    let _ = child.wait();
    let err = err.map(|e| (e.class, e.message));
    assert_eq!(
        err,
        Some((
            ErrorClass::StorageError,
            format!(
                "database at {} is in use by another process",
                path.display()
            )
        ))
    );
    Ok(())
}

#[test]
fn kill_9_loses_no_acknowledged_write() -> Result<()> {
    let dir = tempfile::tempdir().map_err(|e| skein::Error::io(e.to_string()))?;
    let path = dir.path().join("db");
    let mut acknowledged: Vec<(u64, i64)> = Vec::new();
    for round in 0..20usize {
        let mut child = spawn_child("write", &path)?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| skein::Error::io("no stdout"))?;
        let mut lines = BufReader::new(stdout).lines();
        // Kill after a varying number of acknowledgements, mid-stream.
        let wait_for = 3 + (round * 7) % 25;
        let mut seen = 0;
        for line in lines.by_ref().map_while(|l| l.ok()) {
            if let Some(ack) = parse_ack(&line) {
                acknowledged.push(ack);
                seen += 1;
                if seen >= wait_for {
                    break;
                }
            }
        }
        let _ = child.kill();
        assert_eq!(
            seen, wait_for,
            "round {round}: the child stopped acknowledging"
        );
        // Acknowledgements printed before the kill are promises too.
        acknowledged.extend(lines.map_while(|l| l.ok()).filter_map(|l| parse_ack(&l)));
        let _ = child.wait();

        let store = Store::open_shared(&path)?;
        let txn = store.begin()?;
        for (node, i) in &acknowledged {
            assert_eq!(
                format!("{:?}", txn.node_property(*node, "i")?),
                format!("{:?}", Some(Value::Int(*i))),
                "round {round}: acknowledged node {node} is missing"
            );
        }
        check_consistent(&txn)?;
    }
    Ok(())
}

fn parse_ack(line: &str) -> Option<(u64, i64)> {
    let mut parts = line.strip_prefix("ack ")?.split(' ');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// Counts agree with scans and every relationship's adjacency and endpoints exist.
fn check_consistent(txn: &skein::testing::storage::Txn) -> Result<()> {
    let nodes: Vec<u64> = txn.all_nodes().collect::<Result<_>>()?;
    assert_eq!(nodes.len() as u64, txn.node_count()?);
    assert_eq!(txn.label_count("Item")?, nodes.len() as u64);
    let rels: Vec<_> = txn.all_relationships().collect::<Result<_>>()?;
    assert_eq!(rels.len() as u64, txn.relationship_count()?);
    for rel in &rels {
        assert!(txn.node_exists(rel.start)? && txn.node_exists(rel.end)?);
        let out: Vec<_> = txn
            .expand(rel.start, Dir::Outgoing, &[])
            .collect::<Result<_>>()?;
        assert!(out.iter().any(|e| e.rel == rel.id));
    }
    Ok(())
}

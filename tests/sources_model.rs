use skein::{Database, Params, QueryOptions};
use std::error::Error;
mod common;
use common::rows_text as run;

#[test]
fn explore() -> Result<(), Box<dyn Error>> {
    let dir = tempfile::tempdir()?;
    let db = Database::open_temporary()?;
    let a = dir.path().join("a.cypher");
    let b = dir.path().join("b.cypher");
    std::fs::write(&a, "MERGE (n:E {id: 1}) SET n.p = 7;\nMERGE (n:E {id: 2}) SET n += {p: 3, q: 1};\nMERGE (a:E {id: 1}) MERGE (b:E {id: 2}) MERGE (a)-[r:R]->(b) SET r.w = 1;\n")?;
    let r = db.load(&a, &mut |_, _| {})?;
    println!("{:?}", r);
    std::fs::write(&b, "MERGE (n:E {id: 1}) SET n.p = 7;\nMERGE (n:E {id: 2}) SET n.p = 4;\n")?;
    let r = db.load(&b, &mut |_, _| {})?;
    println!("{:?}", r);
    for q in [
        "MATCH (n:E) RETURN n.id, n.p, n.q, [s IN sources(n) | [s.source, s.line]], [c IN claims(n, 'p') | [c.value, c.source, c.line]] ORDER BY n.id",
        "CALL db.conflicts() YIELD element, key, claims RETURN element, element.id, id(element), key, claims",
        "CALL db.sources() YIELD source, sha256, nodes, relationships, properties RETURN *",
        "MATCH (a)-[r]->(b) RETURN a.id, b.id, r.w, [s IN sources(r) | s.source], [c IN claims(r, 'w') | [c.value, c.source]]",
    ] {
        println!("{q}\n{:#?}", run(&db, q));
    }
    let e = dir.path().join("c.cypher");
    std::fs::write(&e, "")?;
    println!("empty: {:?}", db.load(&e, &mut |_, _| {}).map_err(|e| e.to_string()));
    std::fs::write(&e, "// nothing\n")?;
    println!("comment: {:?}", db.load(&e, &mut |_, _| {}).map_err(|e| e.to_string()));
    let w = db.execute_with("MERGE (n:E {id: 5}) SET n.p = 1", &Params::new(), &QueryOptions { source: Some("w".into()), ..Default::default() })?;
    println!("{:?}", w.stats);
    println!("{:#?}", run(&db, "CALL db.sources() YIELD source, sha256, nodes, relationships, properties RETURN *"));
    println!("{:?}", db.unload(&a.to_string_lossy()));
    for q in [
        "MATCH (n:E) RETURN n.id, n.p, n.q, [s IN sources(n) | [s.source, s.line]], [c IN claims(n, 'p') | [c.value, c.source, c.line]] ORDER BY n.id",
        "CALL db.conflicts() YIELD element, key, claims RETURN element, element.id, id(element), key, claims",
    ] {
        println!("{q}\n{:#?}", run(&db, q));
    }
    println!("{:?}", db.unload("nope").map_err(|e| e.to_string()));
    Ok(())
}

//! The seed graph (seed/) through the public API: it loads, loading it twice changes
//! nothing, a broken fact file loads nothing, and each answer of the README walkthrough
//! (README.md, "Asking the seed graph") is what the report says.

use skein::{Database, FileReport, Params, Stats, Value};
use std::path::Path;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn seed_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/seed"))
}

fn load_seed(db: &Database) -> Result<Vec<FileReport>, skein::Error> {
    db.load(seed_dir(), &mut |_, _| {})
}

fn seeded() -> Result<Database, skein::Error> {
    let db = Database::open_temporary()?;
    load_seed(&db)?;
    Ok(db)
}

fn rows(db: &Database, query: &str) -> Result<Vec<Vec<Value>>, skein::Error> {
    Ok(db.execute(query, &Params::new())?.rows)
}

fn single(db: &Database, query: &str) -> Result<Value, Box<dyn std::error::Error>> {
    let rows = rows(db, query)?;
    match rows.as_slice() {
        [row] => row
            .first()
            .cloned()
            .ok_or_else(|| "the row has no column".into()),
        _ => Err(format!("expected one row, got {}: {query}", rows.len()).into()),
    }
}

fn text(value: &Value) -> Option<&str> {
    match value {
        Value::String(s) => Some(s),
        _ => None,
    }
}

fn int(value: &Value) -> Option<i64> {
    match value {
        Value::Int(i) => Some(*i),
        _ => None,
    }
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::List(items) => items
            .iter()
            .map(|v| text(v).unwrap_or("<not a string>").to_string())
            .collect(),
        _ => Vec::new(),
    }
}

/// Nodes, relationships and properties (of nodes and relationships) in the graph.
fn graph_size(db: &Database) -> Result<(i64, i64, i64), Box<dyn std::error::Error>> {
    let nodes = int(&single(db, "MATCH (n) RETURN count(n)")?).ok_or("count")?;
    let rels = int(&single(db, "MATCH ()-[r]->() RETURN count(r)")?).ok_or("count")?;
    let node_props = int(&single(db, "MATCH (n) RETURN sum(size(keys(n)))")?).ok_or("sum")?;
    let rel_props = int(&single(db, "MATCH ()-[r]->() RETURN sum(size(keys(r)))")?).ok_or("sum")?;
    Ok((nodes, rels, node_props + rel_props))
}

#[test]
fn seed_loads_every_file_in_name_order() -> TestResult {
    let db = Database::open_temporary()?;
    let mut last_progress = (0, 0);
    let reports = db.load(seed_dir(), &mut |done, total| last_progress = (done, total))?;
    let names: Vec<String> = reports
        .iter()
        .filter_map(|r| r.file.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert!(names.iter().all(|n| n.ends_with(".cypher")));
    assert_eq!(names.len(), 6);
    let (statements, stats) = total(&reports);
    assert_eq!(stats.nodes_created, 45);
    assert_eq!(stats.relationships_created, 90);
    assert_eq!(statements, 45 + 90);
    assert_eq!(last_progress.0, last_progress.1);
    assert!(last_progress.1 > 0);
    let (nodes, rels, _) = graph_size(&db)?;
    assert_eq!((nodes, rels), (45, 90));
    Ok(())
}

/// The statements and stats of several reports added up.
fn total(reports: &[FileReport]) -> (usize, Stats) {
    let mut stats = Stats::default();
    for report in reports {
        stats.add(&report.stats);
    }
    (reports.iter().map(|r| r.statements).sum(), stats)
}

#[test]
fn loading_the_seed_twice_changes_nothing() -> TestResult {
    let db = Database::open_temporary()?;
    load_seed(&db)?;
    let once = graph_size(&db)?;
    let fingerprint = "MATCH (n) OPTIONAL MATCH (n)-[r]->(m) \
                       RETURN labels(n) AS labels, n.name AS name, type(r) AS type, \
                       r.paragraph AS paragraph, m.name AS to, size(keys(n)) AS keys \
                       ORDER BY name, type, paragraph, to";
    let before = format!("{:?}", rows(&db, fingerprint)?);
    let second = load_seed(&db)?;
    let (_, stats) = total(&second);
    assert_eq!(stats.nodes_created, 0);
    assert_eq!(stats.relationships_created, 0);
    assert_eq!(graph_size(&db)?, once);
    assert_eq!(format!("{:?}", rows(&db, fingerprint)?), before);
    Ok(())
}

#[test]
fn every_relationship_and_fact_node_has_provenance() -> TestResult {
    let db = seeded()?;
    let missing = rows(
        &db,
        "MATCH ()-[r]->() WHERE r.source IS NULL OR r.paragraph IS NULL \
         OR r.reported_by IS NULL OR r.modality IS NULL RETURN type(r)",
    )?;
    assert!(
        missing.is_empty(),
        "relationships without provenance: {missing:?}"
    );
    let missing = rows(
        &db,
        "MATCH (f) WHERE (f:Event OR f:Agreement OR f:Project OR f:Debt OR f:TradeFigure OR f:Target) \
         AND (f.source IS NULL OR f.paragraph IS NULL OR f.reported_by IS NULL OR f.modality IS NULL) \
         RETURN f.name",
    )?;
    assert!(
        missing.is_empty(),
        "fact nodes without provenance: {missing:?}"
    );
    let paragraphs = rows(
        &db,
        "MATCH ()-[r]->() WHERE r.paragraph < 0 OR r.paragraph > 7 RETURN r.paragraph",
    )?;
    assert!(paragraphs.is_empty());
    let unnamed = rows(
        &db,
        "MATCH (n) WHERE n.name IS NULL OR n.aliases IS NULL RETURN n",
    )?;
    assert!(unnamed.is_empty());
    Ok(())
}

#[test]
fn broken_fact_file_loads_nothing_and_names_file_line_column() -> TestResult {
    let dir = tempfile::tempdir()?;
    std::fs::write(
        dir.path().join("01_good.cypher"),
        "MERGE (:Country {name: 'Atlantis'});\n",
    )?;
    let broken = "// the second statement refers to a variable it never bound\n\
                  MERGE (:Country {name: 'Lemuria'});\n\
                  MERGE (:Country {name: 'Mu'});\n\
                  MATCH (c:Country) RETURN c.name AS name, nope;\n\
                  MERGE (:Country {name: 'Hyperborea'});\n";
    std::fs::write(dir.path().join("02_broken.cypher"), broken)?;
    let db = Database::open_temporary()?;
    let error = match db.load(dir.path(), &mut |_, _| {}) {
        Ok(_) => return Err("the broken file loaded".into()),
        Err(error) => error,
    };
    let column = broken
        .lines()
        .nth(3)
        .and_then(|l| l.find("nope"))
        .ok_or("no nope")?
        + 1;
    assert_eq!(
        error.position.map(|p| (p.line, p.column)),
        Some((4, column))
    );
    assert!(
        error
            .message
            .contains(&format!("02_broken.cypher:4:{column}")),
        "{}",
        error.message
    );
    assert!(error.message.contains("RETURN c.name AS name, nope"));
    assert!(
        error.message.contains("kept: ") && error.message.contains("01_good.cypher"),
        "{}",
        error.message
    );
    // The first file loaded in its own transaction; nothing of the broken one did.
    let names = rows(&db, "MATCH (c:Country) RETURN c.name ORDER BY c.name")?;
    let names: Vec<&str> = names
        .iter()
        .filter_map(|r| r.first().and_then(text))
        .collect();
    assert_eq!(names, ["Atlantis"]);
    Ok(())
}

// --- The walkthrough's questions (README.md, "Asking the seed graph") ---------------------------

#[test]
fn who_galushka_is() -> TestResult {
    let db = seeded()?;
    let found = rows(
        &db,
        "MATCH (p:Person)-[o:HOLDS_OFFICE]->(c:Country) \
         WHERE p.name = 'Galushka' OR 'Galushka' IN p.aliases \
         RETURN p.name AS name, o.office AS office, c.name AS country, \
         o.paragraph AS paragraph, o.reported_by AS reported_by",
    )?;
    let [row] = found.as_slice() else {
        return Err(format!("expected one row: {found:?}").into());
    };
    let got: Vec<Option<&str>> = [0, 1, 2, 4]
        .iter()
        .map(|&i| row.get(i).and_then(text))
        .collect();
    assert_eq!(
        got,
        [
            Some("Alexander Galushka"),
            Some("Far East Development Minister"),
            Some("Russia"),
            Some("RIA Novosti")
        ]
    );
    assert_eq!(row.get(3).and_then(int), Some(3));
    Ok(())
}

#[test]
fn what_galushka_said() -> TestResult {
    let db = seeded()?;
    let said = rows(
        &db,
        "MATCH (:Person {name: 'Alexander Galushka'})-[s:STATED]->(f) \
         RETURN s.paragraph AS paragraph, f.name AS about, s.quote AS quote \
         ORDER BY paragraph, about",
    )?;
    let paragraphs: Vec<i64> = said
        .iter()
        .filter_map(|r| r.first().and_then(int))
        .collect();
    assert_eq!(paragraphs, [3, 4, 4, 4, 6, 7]);
    let quotes: Vec<&str> = said
        .iter()
        .filter_map(|r| r.get(2).and_then(text))
        .collect();
    assert_eq!(
        quotes,
        ["significantly ease and accelerate trade and economic cooperation"]
    );
    let about: Vec<&str> = said
        .iter()
        .filter_map(|r| r.get(1).and_then(text))
        .collect();
    assert!(about.contains(&"Russian access to North Korean mines"));
    assert!(about.contains(&"Russia-North Korea trade target for 2020"));
    Ok(())
}

#[test]
fn what_north_korea_agreed_to() -> TestResult {
    let db = seeded()?;
    let agreed = rows(
        &db,
        "MATCH (c:Country)-[r:AGREED|PARTY_TO]->(a:Agreement) WHERE 'DPRK' IN c.aliases \
         RETURN type(r) AS how, a.name AS agreement, r.paragraph AS paragraph \
         ORDER BY how, agreement",
    )?;
    let got: Vec<(String, String)> = agreed
        .iter()
        .map(|r| {
            let field = |i: usize| r.get(i).and_then(text).unwrap_or_default().to_string();
            (field(0), field(1))
        })
        .collect();
    let expected = [
        ("AGREED", "Internet and mobile use for Russian businessmen"),
        ("AGREED", "Simplified visas for Russian businessmen"),
        ("PARTY_TO", "Russia-North Korea packet of deals"),
        ("PARTY_TO", "Trade settlement in rubles"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(got, expected);
    Ok(())
}

#[test]
fn debt_before_and_after_the_write_off() -> TestResult {
    let db = seeded()?;
    let found = rows(
        &db,
        "MATCH (w:Event)-[o:WROTE_OFF]->(before:Debt), (w)-[:LEFT]->(after:Debt)<-[p:REPAYS]-(:Country) \
         RETURN before.amount_usd, o.share, after.amount_usd, w.date, w.year_inferred, \
         p.term_years, p.modality",
    )?;
    let [row] = found.as_slice() else {
        return Err(format!("expected one row: {found:?}").into());
    };
    assert_eq!(row.first().and_then(int), Some(11_000_000_000));
    assert_eq!(row.get(1).and_then(number), Some(0.9));
    assert_eq!(row.get(2).and_then(int), Some(1_100_000_000));
    let date = row.get(3).map(|d| format!("{d}")).unwrap_or_default();
    assert!(date.contains("2014-05-05"), "{date}");
    assert!(matches!(row.get(4), Some(Value::Bool(true))));
    assert_eq!(row.get(5).and_then(int), Some(20));
    assert_eq!(row.get(6).and_then(text), Some("projection"));
    Ok(())
}

#[test]
fn trade_in_2012_2013_and_the_2020_target() -> TestResult {
    let db = seeded()?;
    let found = rows(
        &db,
        "MATCH (t13:TradeFigure {year: 2013})-[g:GREW_FROM]->(t12:TradeFigure), (goal:Target) \
         RETURN t12.year, toInteger(round(t13.amount_usd / (1 + g.growth))), \
         t13.amount_usd, goal.amount_usd, goal.by_year, \
         round(100.0 * goal.amount_usd / t13.amount_usd) / 100",
    )?;
    let [row] = found.as_slice() else {
        return Err(format!("expected one row: {found:?}").into());
    };
    assert_eq!(row.first().and_then(int), Some(2012));
    // 113 million is 64 percent more than 2012's trade: 113 / 1.64 = 68.9 million.
    assert_eq!(row.get(1).and_then(int), Some(68_902_439));
    assert_eq!(row.get(2).and_then(int), Some(113_000_000));
    assert_eq!(row.get(3).and_then(int), Some(1_000_000_000));
    assert_eq!(row.get(4).and_then(int), Some(2020));
    let factor = row.get(5).and_then(number).ok_or("no factor")?;
    assert!((factor - 8.85).abs() < 1e-9, "{factor}");
    Ok(())
}

#[test]
fn events_from_the_sanctions_to_the_agreements() -> TestResult {
    let db = seeded()?;
    let chains = rows(
        &db,
        "MATCH p = (:Event {name: 'Western sanctions against Russia'})-[:LED_TO|INCLUDES*]->(a:Agreement) \
         RETURN [n IN nodes(p) | n.name] AS chain ORDER BY length(p), a.name",
    )?;
    let chains: Vec<Vec<String>> = chains
        .iter()
        .filter_map(|r| r.first().map(strings))
        .collect();
    assert_eq!(chains.len(), 8);
    assert!(chains
        .iter()
        .all(|c| c.get(1).map(String::as_str) == Some("Russia's search for new allies")));
    let to_accounts = [
        "Western sanctions against Russia",
        "Russia's search for new allies",
        "Russia boosting ties with North Korea",
        "Russia-North Korea packet of deals",
        "Accounts for North Korean companies in Russian banks",
    ];
    assert!(chains.iter().any(|c| c == &to_accounts));
    assert!(chains
        .iter()
        .any(|c| c.last().map(String::as_str) == Some("Russia-China gas supply deal")));
    let first = chains.first().map(Vec::len);
    assert_eq!(first, Some(3));
    Ok(())
}

#[test]
fn everything_on_the_authority_of_ria_novosti() -> TestResult {
    let db = seeded()?;
    let said = rows(
        &db,
        "MATCH (a)-[r]->(b) WHERE r.reported_by = 'RIA Novosti' \
         RETURN r.paragraph AS paragraph, a.name AS subject, type(r) AS relationship, b.name AS object \
         ORDER BY paragraph, subject, relationship, object",
    )?;
    assert_eq!(said.len(), 28);
    let paragraphs: Vec<i64> = said
        .iter()
        .filter_map(|r| r.first().and_then(int))
        .collect();
    assert!(paragraphs.iter().all(|p| *p == 3 || *p == 4));
    let has = |subject: &str, rel: &str, object: &str| {
        said.iter().any(|r| {
            r.get(1).and_then(text) == Some(subject)
                && r.get(2).and_then(text) == Some(rel)
                && r.get(3).and_then(text) == Some(object)
        })
    };
    assert!(has(
        "North Korea",
        "AGREED",
        "Simplified visas for Russian businessmen"
    ));
    assert!(has("Alexander Galushka", "HOLDS_OFFICE", "Russia"));
    // The write-off and the trade figures are the report's own, not RIA Novosti's.
    assert!(!said
        .iter()
        .any(|r| r.get(3).and_then(text) == Some("North Korea's debt to Russia")));
    let facts = rows(
        &db,
        "MATCH (f) WHERE f.reported_by = 'RIA Novosti' RETURN f.name ORDER BY f.name",
    )?;
    assert_eq!(facts.len(), 7);
    Ok(())
}

#[test]
fn shortest_connection_between_putin_and_the_mines() -> TestResult {
    let db = seeded()?;
    let found = rows(
        &db,
        "MATCH p = shortestPath((:Person {name: 'Vladimir Putin'})-[*]-(:Place {name: 'North Korean gold and metal mines'})) \
         RETURN [n IN nodes(p) | n.name] AS connection, [r IN relationships(p) | type(r)] AS via",
    )?;
    let [row] = found.as_slice() else {
        return Err(format!("expected one row: {found:?}").into());
    };
    assert_eq!(
        row.first().map(strings).unwrap_or_default(),
        [
            "Vladimir Putin",
            "Russia",
            "North Korea",
            "North Korean gold and metal mines"
        ]
    );
    assert_eq!(
        row.get(1).map(strings).unwrap_or_default(),
        ["HOLDS_OFFICE", "ALLIED_WITH", "LOCATED_IN"]
    );
    let causal = rows(
        &db,
        "MATCH p = shortestPath((:Person {name: 'Vladimir Putin'})-[:CARRIED_OUT|LED_TO|INCLUDES|CONCERNS*]->(:Place {name: 'North Korean gold and metal mines'})) \
         RETURN [n IN nodes(p) | n.name] AS connection",
    )?;
    let [row] = causal.as_slice() else {
        return Err(format!("expected one row: {causal:?}").into());
    };
    assert_eq!(
        row.first().map(strings).unwrap_or_default(),
        [
            "Vladimir Putin",
            "Write-off of North Korean debt",
            "Russia-North Korea packet of deals",
            "Russian access to North Korean mines",
            "North Korean gold and metal mines"
        ]
    );
    Ok(())
}

#[test]
fn intentions_are_told_apart_from_events() -> TestResult {
    let db = seeded()?;
    let found = rows(
        &db,
        "MATCH (f) WHERE f.modality IN ['intention', 'possibility', 'projection'] \
         RETURN f.name, f.modality ORDER BY f.name",
    )?;
    let names: Vec<&str> = found
        .iter()
        .filter_map(|r| r.first().and_then(text))
        .collect();
    assert_eq!(
        names,
        [
            "Exploration projects in North Korean mines",
            "Extraction projects in North Korean mines",
            "Russia-North Korea trade target for 2020",
            "Russian access to North Korean mines"
        ]
    );
    let alias = single(
        &db,
        "MATCH (c:Country) WHERE 'DPRK' IN c.aliases RETURN c.name",
    )?;
    assert_eq!(text(&alias), Some("North Korea"));
    Ok(())
}

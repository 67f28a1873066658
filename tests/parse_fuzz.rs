//! No input may panic the parser: random strings, strings over Cypher's own alphabet and
//! mutated real queries all come back as a statement or as a SyntaxError with a position.

use proptest::prelude::*;
use skein::split_statements;
use skein::testing::parse::{parse_expression, parse_statement};
use skein::ErrorClass;

const SEEDS: &[&str] = &[
    "MATCH (a:A {name: 'x'})-[r:T|:U*1..3]->(b) WHERE a.num > 1 AND b.s STARTS WITH 'a' RETURN a.name AS n, count(*) ORDER BY n DESC SKIP 1 LIMIT 2",
    "OPTIONAL MATCH p = shortestPath((a)-[*]-(b)) WITH p, length(p) AS l WHERE l > 2 RETURN p",
    "UNWIND [1, 2.5e3, 0x1F, 0o7, -3, .5] AS x RETURN [y IN range(0, x) WHERE y % 2 = 0 | y ^ 2] AS l",
    "CREATE (a:Person {name: \"Ann\\u00e9\"})-[:KNOWS {since: 2020}]->(b) SET a += {age: 3}, b:New REMOVE a.age DETACH DELETE b",
    "MERGE (n:N {k: $key}) ON CREATE SET n.c = timestamp() ON MATCH SET n.m = 1 RETURN n {.k, .*, x: 1}",
    "CALL db.labels() YIELD label WHERE label <> 'x' RETURN label UNION ALL RETURN 'y' AS label",
    "RETURN CASE WHEN a IS NULL THEN reduce(s = 0, x IN [1, 2] | s + x) ELSE all(x IN l WHERE x > 0) END, l[1..-1], m.k[0]",
    "MATCH (n) WHERE EXISTS { MATCH (n)-->(m) WHERE m.x IS NOT NULL } AND (n)<--(:B) RETURN DISTINCT n:A:B, `weird``name`",
    "CREATE INDEX idx IF NOT EXISTS FOR (p:Person) ON (p.name)",
    "EXPLAIN MATCH (n) /* comment */ RETURN n // trailing",
];

/// Characters that make up Cypher, so random strings get past the first token more often.
const ALPHABET: &str = "()[]{}<>-=:;,.|*+/%^$'\"`\\ \n\tabnxAB019eE_#—é";

fn assert_well_behaved(text: &str) {
    match parse_statement(text) {
        Ok(_) => {}
        Err(e) => {
            assert_eq!(e.class, ErrorClass::SyntaxError, "{text:?}: {e}");
            assert!(
                e.position.is_some(),
                "{text:?}: error without position: {e}"
            );
            assert!(
                !e.message.contains("please report it"),
                "{text:?}: the parser panicked"
            );
            // Rendering must not fail either (caret under any column).
            let _ = e.render(text);
        }
    }
    let _ = parse_expression(text);
    for statement in split_statements(text) {
        assert_eq!(
            text.get(statement.offset..statement.offset + statement.text.len()),
            Some(statement.text.as_str())
        );
    }
}

fn alphabet_string() -> impl Strategy<Value = String> {
    let chars: Vec<char> = ALPHABET.chars().collect();
    proptest::collection::vec(proptest::sample::select(chars), 0..60)
        .prop_map(|cs| cs.into_iter().collect())
}

/// A seed query with one edit: a byte range deleted, a snippet inserted, or a range
/// duplicated; positions are snapped to character boundaries.
fn mutated_query() -> impl Strategy<Value = String> {
    (
        proptest::sample::select(SEEDS.to_vec()),
        0usize..3,
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        alphabet_string(),
    )
        .prop_map(|(seed, kind, a, b, snippet)| {
            let boundaries: Vec<usize> = seed
                .char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(seed.len()))
                .collect();
            let x = *a.get(&boundaries);
            let y = *b.get(&boundaries);
            let (lo, hi) = (x.min(y), x.max(y));
            let (head, rest) = seed.split_at(lo);
            let (middle, tail) = rest.split_at(hi - lo);
            match kind {
                0 => format!("{head}{tail}"),
                1 => format!("{head}{snippet}{rest}"),
                _ => format!("{head}{middle}{middle}{tail}"),
            }
        })
}

// The number of cases is proptest's default, or PROPTEST_CASES for a longer run.
proptest! {
    #[test]
    fn arbitrary_strings_do_not_panic(text in any::<String>()) {
        assert_well_behaved(&text);
    }

    #[test]
    fn cypher_alphabet_strings_do_not_panic(text in alphabet_string()) {
        assert_well_behaved(&text);
    }

    #[test]
    fn mutated_queries_do_not_panic(text in mutated_query()) {
        assert_well_behaved(&text);
    }
}

#[test]
fn seeds_parse() {
    for seed in SEEDS {
        assert!(
            parse_statement(seed).is_ok(),
            "{seed}: {:?}",
            parse_statement(seed).err()
        );
    }
}

#[test]
fn deep_and_long_inputs_do_not_panic() {
    for text in [
        "[".repeat(10_000),
        "(".repeat(300),
        format!("RETURN {}1", "- ".repeat(5000)),
        format!("RETURN {}", "NOT ".repeat(5000)),
        format!(
            "RETURN {}1{}",
            "CASE WHEN true THEN ".repeat(100),
            " END".repeat(100)
        ),
        format!("RETURN 1{}", " + 1".repeat(5000)),
        "EXPLAIN ".repeat(500),
    ] {
        assert_well_behaved(&text);
    }
}

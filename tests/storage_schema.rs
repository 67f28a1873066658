//! Property indexes and uniqueness constraints: building on existing data, equality and
//! range lookups, keeping entries in step with writes, refusing violations, persistence.

use skein::testing::storage::{SchemaKind, Store, Txn};
use skein::{ErrorClass, Result};
use skein::{PropertyMap, Value};

fn person(txn: &mut Txn, key: &str, value: Value) -> Result<u64> {
    let mut props = PropertyMap::new();
    props.insert(key.to_string(), value);
    txn.create_node(&["Person".to_string()], props)
}

fn sorted(scan: Option<skein::testing::storage::Scan<'_, u64>>) -> Option<Vec<u64>> {
    scan.map(|s| {
        let mut v: Vec<u64> = s.filter_map(|r| r.ok()).collect();
        v.sort();
        v
    })
}

#[test]
fn an_index_is_built_from_existing_nodes_and_answers_lookups() -> Result<()> {
    let store = Store::in_memory();
    let mut txn = store.begin()?;
    let ages: Vec<Value> = vec![
        Value::Int(30),
        Value::Float(30.0),
        Value::Int(41),
        Value::Float(35.5),
        Value::Int(-2),
        Value::String("thirty".into()),
    ];
    let ids: Vec<u64> = ages
        .iter()
        .map(|a| person(&mut txn, "age", a.clone()))
        .collect::<Result<_>>()?;
    let other = txn.create_node(&["Robot".to_string()], {
        let mut p = PropertyMap::new();
        p.insert("age".into(), Value::Int(30));
        p
    })?;
    assert!(txn.index_seek("Person", "age", &Value::Int(30)).is_none());
    let name = txn.create_index(None, "Person", "age")?;
    assert_eq!(
        sorted(txn.index_seek("Person", "age", &Value::Int(30))),
        Some(vec![ids[0], ids[1]])
    );
    assert_eq!(
        sorted(txn.index_seek("Person", "age", &Value::Float(30.0))),
        Some(vec![ids[0], ids[1]])
    );
    assert_eq!(
        sorted(txn.index_seek("Person", "age", &Value::String("thirty".into()))),
        Some(vec![ids[5]])
    );
    assert_eq!(
        sorted(txn.index_seek("Person", "age", &Value::Null)),
        Some(vec![])
    );
    let range = |txn: &Txn, lo: Option<(&Value, bool)>, hi: Option<(&Value, bool)>| {
        sorted(txn.index_range("Person", "age", lo, hi))
    };
    assert_eq!(
        range(&txn, Some((&Value::Int(30), false)), None),
        Some(vec![ids[2], ids[3]])
    );
    assert_eq!(
        range(
            &txn,
            Some((&Value::Int(30), true)),
            Some((&Value::Float(35.5), false))
        ),
        Some(vec![ids[0], ids[1]])
    );
    assert_eq!(
        range(&txn, None, Some((&Value::Float(35.5), true))),
        Some(vec![ids[0], ids[1], ids[3], ids[4]])
    );
    assert_eq!(
        range(
            &txn,
            Some((&Value::Float(-2.5), true)),
            Some((&Value::Int(-2), true))
        ),
        Some(vec![ids[4]])
    );
    assert_eq!(
        range(&txn, Some((&Value::String("a".into()), true)), None),
        Some(vec![ids[5]])
    );
    assert_eq!(
        range(&txn, Some((&Value::String("thirty".into()), false)), None),
        Some(vec![])
    );
    assert_eq!(
        range(
            &txn,
            Some((&Value::Int(1), true)),
            Some((&Value::String("z".into()), true))
        ),
        Some(vec![])
    );
    assert!(txn
        .index_range("Person", "name", Some((&Value::Int(1), true)), None)
        .is_none());

    // Entries follow writes: property change, label removal, deletion, new nodes.
    txn.set_node_property(ids[0], "age", Some(Value::Int(99)))?;
    txn.remove_label(ids[1], "Person")?;
    txn.delete_node(ids[2])?;
    let new = person(&mut txn, "age", Value::Int(30))?;
    txn.add_label(other, "Person")?;
    assert_eq!(
        sorted(txn.index_seek("Person", "age", &Value::Int(30))),
        Some(vec![other.min(new), other.max(new)])
    );
    assert_eq!(
        sorted(txn.index_seek("Person", "age", &Value::Int(99))),
        Some(vec![ids[0]])
    );
    assert_eq!(
        range(
            &txn,
            Some((&Value::Int(40), true)),
            Some((&Value::Int(50), true))
        ),
        Some(vec![])
    );
    txn.set_node_property(ids[0], "age", None)?;
    assert_eq!(
        sorted(txn.index_seek("Person", "age", &Value::Int(99))),
        Some(vec![])
    );

    let schema = txn.schema()?;
    assert_eq!(schema.len(), 1);
    assert_eq!(
        (schema[0].name.as_str(), &schema[0].kind),
        (name.as_str(), &SchemaKind::Index)
    );
    let err = txn.create_index(Some("again"), "Person", "age").err();
    assert!(err.is_some());
    assert!(txn.drop_schema(&name)?);
    assert!(!txn.drop_schema(&name)?);
    assert!(txn.index_seek("Person", "age", &Value::Int(30)).is_none());
    Ok(())
}

#[test]
fn a_uniqueness_constraint_refuses_duplicates() -> Result<()> {
    let store = Store::in_memory();
    let mut txn = store.begin()?;
    let a = person(&mut txn, "email", "a@x".into())?;
    let b = person(&mut txn, "email", "a@x".into())?;
    let err = txn
        .create_unique_constraint(Some("email_unique"), "Person", "email")
        .err();
    assert_eq!(
        err.map(|e| (e.class, e.detail)),
        Some((
            ErrorClass::ConstraintValidationFailed,
            "ExistingDataViolation".to_string()
        ))
    );
    assert!(txn.schema()?.is_empty());

    txn.set_node_property(b, "email", Some("b@x".into()))?;
    txn.create_unique_constraint(Some("email_unique"), "Person", "email")?;
    let err = person(&mut txn, "email", "a@x".into()).err();
    let err = err.map(|e| (e.class, e.message, e.detail)).unwrap_or((
        ErrorClass::SyntaxError,
        String::new(),
        String::new(),
    ));
    assert_eq!(err.0, ErrorClass::ConstraintValidationFailed);
    assert_eq!(err.2, "UniquenessViolation");
    assert!(
        err.1.contains("Person") && err.1.contains("email") && err.1.contains("a@x"),
        "{}",
        err.1
    );
    assert_eq!(
        txn.label_count("Person")?,
        2,
        "the failed create left nothing"
    );

    let err = txn.set_node_property(b, "email", Some("a@x".into())).err();
    assert_eq!(
        err.map(|e| e.class),
        Some(ErrorClass::ConstraintValidationFailed)
    );
    assert_eq!(
        format!("{:?}", txn.node_property(b, "email")?),
        format!("{:?}", Some(Value::from("b@x")))
    );
    // Setting a node's own value again is no violation; freeing a value lets another take it.
    txn.set_node_property(a, "email", Some("a@x".into()))?;
    txn.set_node_property(a, "email", None)?;
    txn.set_node_property(b, "email", Some("a@x".into()))?;
    // Numbers equal by value collide.
    let n = person(&mut txn, "email", Value::Int(1))?;
    assert!(person(&mut txn, "email", Value::Float(1.0)).is_err());
    let plain = txn.create_node(&[], {
        let mut p = PropertyMap::new();
        p.insert("email".into(), Value::Int(1));
        p
    })?;
    let err = txn.add_label(plain, "Person").err();
    assert_eq!(
        err.map(|e| e.class),
        Some(ErrorClass::ConstraintValidationFailed)
    );
    assert!(!txn.node_has_label(plain, "Person")?);
    assert_eq!(
        sorted(txn.index_seek("Person", "email", &Value::Int(1))),
        Some(vec![n])
    );
    assert_eq!(txn.schema()?[0].kind, SchemaKind::UniqueConstraint);
    Ok(())
}

#[test]
fn schema_changes_roll_back_with_the_statement() -> Result<()> {
    let store = Store::in_memory();
    let mut txn = store.begin()?;
    let sp = txn.savepoint();
    txn.create_index(Some("i"), "L", "k")?;
    txn.rollback_to(sp);
    assert!(txn.schema()?.is_empty());
    txn.create_index(Some("i"), "L", "k")?;
    txn.commit()?;
    let txn = store.begin()?;
    assert_eq!(txn.schema()?.len(), 1);
    drop(txn);
    let txn = store.begin()?;
    assert_eq!(txn.schema()?.len(), 1);
    Ok(())
}

#[test]
fn schema_survives_reopen() -> Result<()> {
    let dir = tempfile::tempdir().map_err(|e| skein::Error::io(e.to_string()))?;
    let id = {
        let store = Store::open_shared(dir.path())?;
        let mut txn = store.begin()?;
        let id = person(&mut txn, "name", "Ann".into())?;
        txn.create_unique_constraint(None, "Person", "name")?;
        txn.commit()?;
        id
    };
    let store = Store::open_shared(dir.path())?;
    let mut txn = store.begin()?;
    assert_eq!(
        sorted(txn.index_seek("Person", "name", &"Ann".into())),
        Some(vec![id])
    );
    assert!(person(&mut txn, "name", "Ann".into()).is_err());
    Ok(())
}

/// Committed index lookups and counts are cached by the store; every commit that
/// changes an entry or a count must be seen by the next transaction, and a
/// transaction's own writes must be seen over the cache.
#[test]
fn cached_lookups_and_counts_follow_writes() -> Result<()> {
    let store = Store::in_memory();
    let mut txn = store.begin()?;
    txn.create_index(None, "Person", "age")?;
    let a = person(&mut txn, "age", Value::Int(30))?;
    txn.commit()?;
    let seek = |txn: &Txn, age: i64| sorted(txn.index_seek("Person", "age", &Value::Int(age)));

    let txn = store.begin()?;
    assert_eq!(seek(&txn, 30), Some(vec![a]));
    assert_eq!(txn.label_count("Person")?, 1);
    drop(txn);

    let mut txn = store.begin()?;
    let b = person(&mut txn, "age", Value::Float(30.0))?;
    assert_eq!(seek(&txn, 30), Some(vec![a, b]), "own write over the cache");
    assert_eq!(txn.label_count("Person")?, 2);
    txn.commit()?;

    let mut txn = store.begin()?;
    assert_eq!(seek(&txn, 30), Some(vec![a, b]));
    assert_eq!(txn.label_count("Person")?, 2);
    assert_eq!(txn.node_count()?, 2);
    txn.set_node_property(a, "age", Some(Value::Int(31)))?;
    txn.commit()?;

    let mut txn = store.begin()?;
    assert_eq!(seek(&txn, 30), Some(vec![b]));
    assert_eq!(seek(&txn, 31), Some(vec![a]));
    txn.delete_node(b)?;
    drop(txn);

    let txn = store.begin()?;
    assert_eq!(seek(&txn, 30), Some(vec![b]), "a rolled-back delete");
    assert_eq!(txn.label_count("Person")?, 2);
    Ok(())
}

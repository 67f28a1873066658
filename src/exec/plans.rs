//! The plans of one database, kept by statement text so that a statement run again
//! (a program's parameterised query, a script's repeated line) skips the semantic
//! check and the planner.
//!
//! A kept plan is reused only while everything it was made from is unchanged: the
//! statement text, the names of the parameters given (the check reports a missing
//! one), the schema (indexes decide access paths), the registered procedures, and,
//! within a factor of two, every count the planner based a choice on
//! (`Plan::statistics`). Otherwise the statement is checked and planned again and the
//! new plan replaces the old.

use crate::ast;
use crate::catalog::procedures::Registry;
use crate::error::Result;
use crate::plan::{self, Plan};
use crate::storage::{SchemaVersion, Txn};
use crate::Params;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Statements longer than this are not kept (generated statements with inline data).
const KEPT_TEXT_BYTES: usize = 16 * 1024;
/// Plans kept at most; the cache starts over when it is full.
const KEPT_PLANS: usize = 256;

/// (statement text, sorted names of the parameters given).
type PlanKey = (String, Vec<String>);

#[derive(Default)]
pub struct PlanCache {
    plans: Mutex<HashMap<PlanKey, Arc<KeptPlan>>>,
}

pub struct KeptPlan {
    pub plan: Plan,
    schema: SchemaVersion,
    procedures: u64,
}

impl KeptPlan {
    fn still_fits(&self, txn: &Txn<'_>, registry: &Registry) -> bool {
        self.schema == txn.schema_version()
            && self.procedures == registry.generation()
            && self
                .plan
                .statistics
                .iter()
                .all(|(statistic, then)| magnitude(statistic.read(txn)) == magnitude(*then))
    }
}

/// Counts of one magnitude (the same power of two) give the same plan choices.
fn magnitude(count: u64) -> u32 {
    u64::BITS - count.leading_zeros()
}

impl PlanCache {
    /// The checked plan of `query` (parsed from `text`): the kept one when it still
    /// fits, otherwise a new one, kept for next time.
    pub fn plan(
        &self,
        query: &ast::Query,
        text: &str,
        params: &Params,
        txn: &Txn<'_>,
        registry: &Registry,
    ) -> Result<Arc<KeptPlan>> {
        let keep = text.len() <= KEPT_TEXT_BYTES;
        let mut names: Vec<String> = params.keys().cloned().collect();
        names.sort_unstable();
        let key = (text.to_string(), names);
        if keep {
            let kept = self.lock().get(&key).cloned();
            if let Some(kept) = kept.filter(|k| k.still_fits(txn, registry)) {
                return Ok(kept);
            }
        }
        let fresh = Arc::new(make(query, text, params, txn, registry)?);
        if keep {
            let mut plans = self.lock();
            if plans.len() >= KEPT_PLANS {
                plans.clear();
            }
            plans.insert(key, Arc::clone(&fresh));
        }
        Ok(fresh)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PlanKey, Arc<KeptPlan>>> {
        self.plans
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Checks and plans `query` without keeping the plan.
pub fn make(
    query: &ast::Query,
    text: &str,
    params: &Params,
    txn: &Txn<'_>,
    registry: &Registry,
) -> Result<KeptPlan> {
    let bound = crate::bind::bind_query(query, text, params, registry)?;
    Ok(KeptPlan {
        plan: plan::plan_query(query, &bound, text, txn, registry)?,
        schema: txn.schema_version(),
        procedures: registry.generation(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::procedures::Registry;
    use crate::storage::Store;
    use crate::value::Value;
    use crate::ProcedureSpec;
    use crate::PropertyMap;

    const QUERY: &str = "MATCH (p:P {k: 1}) RETURN count(p)";

    fn query() -> ast::Query {
        match crate::parse::parse_statement(QUERY) {
            Ok(ast::Statement::Query(q)) => q,
            other => panic!("{QUERY}: {other:?}"),
        }
    }

    fn add_nodes(store: &Store, n: usize) {
        let mut txn = store.begin().expect("begin");
        for _ in 0..n {
            txn.create_node(&["P".to_string()], PropertyMap::new())
                .expect("node");
        }
        txn.commit().expect("commit");
    }

    /// Whether planning `QUERY` again gives the plan kept the time before.
    fn kept(
        cache: &PlanCache,
        last: &mut Option<Arc<KeptPlan>>,
        store: &Store,
        params: &Params,
        registry: &Registry,
    ) -> bool {
        let txn = store.begin().expect("begin");
        let plan = cache
            .plan(&query(), QUERY, params, &txn, registry)
            .expect("plan");
        let same = last.as_ref().is_some_and(|l| Arc::ptr_eq(l, &plan));
        *last = Some(plan);
        same
    }

    #[test]
    fn a_plan_is_kept_until_what_it_was_made_from_changes() {
        let store = Store::in_memory();
        let registry = Registry::default();
        let cache = PlanCache::default();
        let mut last = None;
        let none = Params::new();
        add_nodes(&store, 4);
        assert!(!kept(&cache, &mut last, &store, &none, &registry));
        assert!(kept(&cache, &mut last, &store, &none, &registry));

        // Counts within the same power of two keep it; doubling replans.
        add_nodes(&store, 3);
        assert!(kept(&cache, &mut last, &store, &none, &registry));
        add_nodes(&store, 1);
        assert!(!kept(&cache, &mut last, &store, &none, &registry));

        // An index created or dropped replans.
        let mut txn = store.begin().expect("begin");
        txn.create_index(Some("p_k"), "P", "k").expect("index");
        txn.commit().expect("commit");
        assert!(!kept(&cache, &mut last, &store, &none, &registry));
        assert!(kept(&cache, &mut last, &store, &none, &registry));

        // Other parameter names replan (the check depends on them), new values do not.
        let mut params = Params::new();
        params.insert("x".into(), Value::Int(1));
        assert!(!kept(&cache, &mut last, &store, &params, &registry));
        params.insert("x".into(), Value::Int(2));
        assert!(kept(&cache, &mut last, &store, &params, &registry));

        // A procedure registered replans.
        registry
            .register(ProcedureSpec {
                name: "test.one".into(),
                inputs: Vec::new(),
                outputs: vec![("x".into(), "INTEGER?".into())],
                rows: vec![vec![Value::Int(1)]],
            })
            .expect("register");
        assert!(!kept(&cache, &mut last, &store, &params, &registry));
    }
}

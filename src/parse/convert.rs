//! Parse tree → AST: walks the pest pairs of `grammar/cypher.pest` and builds `crate::ast`.
//!
//! The grammar guarantees the shape of each pair; where this code still has to ask for a
//! child, a missing one becomes an `InvalidSyntax` error (never a panic), so a grammar
//! change that breaks an assumption shows up as a failing test, not a crash.

use std::cell::RefCell;
use std::collections::HashMap;

use pest::iterators::{Pair, Pairs};

use super::depth::MAX_EXPRESSION_DEPTH;
use super::literal::{decode_escaped_name, decode_float, decode_integer, decode_string};
use super::Rule;
use crate::ast::*;
use crate::error::{Error, Result};

/// Converts pairs of one statement; `source` is the whole text the spans point into.
pub struct Converter<'s> {
    source: &'s str,
    /// The expressions of the literals `constants::preparse` read, by where they start;
    /// each is taken when its `preparsed_list` or `preparsed_map` pair is converted.
    preparsed: RefCell<HashMap<usize, Expr>>,
    /// The `WHERE` conditions written inside node and relationship patterns
    /// (`(n:P WHERE n.age > 30)`), in the order read; the clause or group whose pattern
    /// holds them takes them (`with_inline_predicates`) and adds them to its own `WHERE`.
    inline_predicates: RefCell<Vec<Expr>>,
}

/// The span of a pair without trailing whitespace and comments: pest counts the skipped
/// whitespace before a trailing optional element that did not match as part of the rule.
fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let start = pair.as_span().start();
    Span {
        start,
        end: start + text_of(pair).len(),
    }
}

/// The text of a pair without trailing whitespace and comments.
fn text_of<'i>(pair: &Pair<'i, Rule>) -> &'i str {
    let mut text = pair.as_str().trim_end();
    loop {
        if let Some(rest) = text.strip_suffix("*/") {
            match rest.rfind("/*") {
                Some(open) => text = rest[..open].trim_end(),
                None => return text,
            }
        } else {
            // A line comment at the end of the last line.
            let line_start = text.rfind('\n').map_or(0, |i| i + 1);
            let last_line = &text[line_start..];
            if !last_line.contains("//") {
                return text;
            }
            match comment_start(last_line) {
                Some(at) => text = text[..line_start + at].trim_end(),
                None => return text,
            }
        }
    }
}

/// Where a `//` comment starts in one line, outside quotes.
fn comment_start(line: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut chars = line.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match quote {
            Some(q) if c == '\\' && q != '`' => {
                chars.next();
            }
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if matches!(c, '\'' | '"' | '`') => quote = Some(c),
            None if c == '/' && chars.peek().map(|&(_, n)| n) == Some('/') => return Some(at),
            None => {}
        }
    }
    None
}

/// The error for a tree shape the grammar should have ruled out.
fn malformed(pair: &Pair<'_, Rule>, what: &str) -> Error {
    Error::syntax(
        "InvalidSyntax",
        format!("could not read {what} near '{}'", pair.as_str()),
    )
}

fn next_pair<'i>(
    pairs: &mut impl Iterator<Item = Pair<'i, Rule>>,
    parent: &Pair<'i, Rule>,
    what: &str,
) -> Result<Pair<'i, Rule>> {
    pairs.next().ok_or_else(|| malformed(parent, what))
}

fn first_child<'i>(pair: &Pair<'i, Rule>, what: &str) -> Result<Pair<'i, Rule>> {
    pair.clone()
        .into_inner()
        .next()
        .ok_or_else(|| malformed(pair, what))
}

impl<'s> Converter<'s> {
    pub fn new(source: &'s str) -> Converter<'s> {
        Converter::with_preparsed(source, HashMap::new())
    }

    /// A converter for a text marked by `constants::preparse`; `source` is the text as
    /// written.
    pub fn with_preparsed(source: &'s str, preparsed: HashMap<usize, Expr>) -> Converter<'s> {
        Converter {
            source,
            preparsed: RefCell::new(preparsed),
            inline_predicates: RefCell::new(Vec::new()),
        }
    }

    /// Runs `convert` (which converts a pattern) and returns what it made with the
    /// conditions written inside the pattern's nodes and relationships.
    fn with_inline_predicates<T>(
        &self,
        convert: impl FnOnce() -> Result<T>,
    ) -> Result<(T, Vec<Expr>)> {
        let mark = self.inline_predicates.borrow().len();
        let made = convert()?;
        let inline = self.inline_predicates.borrow_mut().split_off(mark);
        Ok((made, inline))
    }

    /// Fails on a condition written inside a pattern that no clause took: the pattern of
    /// a CREATE, a MERGE or a pattern predicate, where `WHERE` has no place.
    pub fn check_inline_predicates_taken(&self) -> Result<()> {
        match self.inline_predicates.borrow().first() {
            None => Ok(()),
            Some(left) => Err(self.error_at(
                Error::syntax(
                    "InvalidSyntax",
                    "a WHERE inside a node or relationship pattern is allowed in MATCH, \
                     OPTIONAL MATCH, quantified path patterns, EXISTS/COUNT/COLLECT { } and \
                     pattern comprehensions, not in CREATE, MERGE or a pattern predicate",
                ),
                left.span.start,
            )),
        }
    }

    fn error_at(&self, error: Error, offset: usize) -> Error {
        error.at(self.source, offset)
    }

    // ───────────── statements ─────────────

    pub fn statement(&self, pair: Pair<'_, Rule>) -> Result<Statement> {
        let inner = first_child(&pair, "a statement")?;
        match inner.as_rule() {
            Rule::explain_statement => {
                let body = inner
                    .clone()
                    .into_inner()
                    .find(|p| p.as_rule() == Rule::statement);
                let body = body.ok_or_else(|| malformed(&inner, "EXPLAIN"))?;
                Ok(Statement::Explain(Box::new(self.statement(body)?)))
            }
            Rule::profile_statement => {
                let body = inner
                    .clone()
                    .into_inner()
                    .find(|p| p.as_rule() == Rule::statement);
                let body = body.ok_or_else(|| malformed(&inner, "PROFILE"))?;
                Ok(Statement::Profile(Box::new(self.statement(body)?)))
            }
            Rule::query => Ok(Statement::Query(self.query(inner)?)),
            Rule::timed_query => self.timed_query(inner),
            _ => Ok(Statement::Schema(self.schema(inner)?)),
        }
    }

    fn timed_query(&self, pair: Pair<'_, Rule>) -> Result<Statement> {
        let mut as_of = None;
        let mut valid_at = None;
        let mut query = None;
        for part in pair.clone().into_inner() {
            match part.as_rule() {
                Rule::as_of => {
                    let mut timestamp = false;
                    let mut expr = None;
                    for p in part.clone().into_inner() {
                        match p.as_rule() {
                            Rule::TIMESTAMP => timestamp = true,
                            Rule::expression => expr = Some(self.expression(p)?),
                            _ => {}
                        }
                    }
                    let expr = expr.ok_or_else(|| malformed(&part, "AS OF"))?;
                    as_of = Some(if timestamp {
                        AsOf::Timestamp(expr)
                    } else {
                        AsOf::Transaction(expr)
                    });
                }
                Rule::valid_at => {
                    let expr = part
                        .clone()
                        .into_inner()
                        .find(|p| p.as_rule() == Rule::expression);
                    let expr = expr.ok_or_else(|| malformed(&part, "VALID AT"))?;
                    valid_at = Some(self.expression(expr)?);
                }
                Rule::query => query = Some(self.query(part)?),
                _ => {}
            }
        }
        let query = query.ok_or_else(|| malformed(&pair, "AS OF"))?;
        Ok(Statement::Timed(Box::new(TimedQuery {
            as_of,
            valid_at,
            query,
        })))
    }

    pub fn query(&self, pair: Pair<'_, Rule>) -> Result<Query> {
        let span = span_of(&pair);
        let mut inner = pair.clone().into_inner();
        let first = self.single_query(next_pair(&mut inner, &pair, "a query")?)?;
        let mut unions = Vec::new();
        for part in inner {
            let mut all = false;
            let mut single = None;
            for p in part.clone().into_inner() {
                match p.as_rule() {
                    Rule::ALL => all = true,
                    Rule::single_query => single = Some(self.single_query(p)?),
                    _ => {}
                }
            }
            let single = single.ok_or_else(|| malformed(&part, "UNION"))?;
            unions.push((all, single));
        }
        Ok(Query {
            first,
            unions,
            span,
        })
    }

    fn single_query(&self, pair: Pair<'_, Rule>) -> Result<SingleQuery> {
        let span = span_of(&pair);
        let clauses = pair
            .into_inner()
            .map(|c| self.clause(c))
            .collect::<Result<Vec<_>>>()?;
        Ok(SingleQuery { clauses, span })
    }

    fn clause(&self, pair: Pair<'_, Rule>) -> Result<Clause> {
        let span = span_of(&pair);
        match pair.as_rule() {
            Rule::match_clause => {
                let mut optional = false;
                let mut pattern = None;
                let mut inline = Vec::new();
                let mut where_ = None;
                for p in pair.clone().into_inner() {
                    match p.as_rule() {
                        Rule::OPTIONAL => optional = true,
                        Rule::pattern => {
                            let (converted, conditions) =
                                self.with_inline_predicates(|| self.pattern(p))?;
                            pattern = Some(converted);
                            inline = conditions;
                        }
                        Rule::where_part => where_ = Some(self.where_part(p)?),
                        _ => {}
                    }
                }
                let pattern = pattern.ok_or_else(|| malformed(&pair, "MATCH"))?;
                let where_ = conjunction(inline, where_);
                Ok(Clause::Match(MatchClause {
                    optional,
                    pattern,
                    where_,
                    span,
                }))
            }
            Rule::load_csv_clause => {
                let mut headers = false;
                let mut source = None;
                let mut alias = None;
                let mut terminator = b',';
                for p in pair.clone().into_inner() {
                    match p.as_rule() {
                        Rule::with_headers => headers = true,
                        Rule::expression => source = Some(self.expression(p)?),
                        Rule::variable => alias = Some(self.ident(p)),
                        Rule::field_terminator => terminator = self.field_terminator(p)?,
                        _ => {}
                    }
                }
                match (source, alias) {
                    (Some(source), Some(alias)) => Ok(Clause::LoadCsv(LoadCsvClause {
                        headers,
                        source,
                        alias,
                        terminator,
                        span,
                    })),
                    _ => Err(malformed(&pair, "LOAD CSV")),
                }
            }
            Rule::unwind_clause => {
                let mut expr = None;
                let mut alias = None;
                for p in pair.clone().into_inner() {
                    match p.as_rule() {
                        Rule::expression => expr = Some(self.expression(p)?),
                        Rule::variable => alias = Some(self.ident(p)),
                        _ => {}
                    }
                }
                match (expr, alias) {
                    (Some(expr), Some(alias)) => {
                        Ok(Clause::Unwind(UnwindClause { expr, alias, span }))
                    }
                    _ => Err(malformed(&pair, "UNWIND")),
                }
            }
            Rule::with_clause => {
                let mut projection = None;
                let mut where_ = None;
                for p in pair.clone().into_inner() {
                    match p.as_rule() {
                        Rule::projection_body => projection = Some(self.projection(p, span)?),
                        Rule::where_part => where_ = Some(self.where_part(p)?),
                        _ => {}
                    }
                }
                let mut projection = projection.ok_or_else(|| malformed(&pair, "WITH"))?;
                projection.where_ = where_;
                Ok(Clause::With(projection))
            }
            Rule::return_clause => {
                let body = pair
                    .clone()
                    .into_inner()
                    .find(|p| p.as_rule() == Rule::projection_body)
                    .ok_or_else(|| malformed(&pair, "RETURN"))?;
                Ok(Clause::Return(self.projection(body, span)?))
            }
            Rule::create_clause => {
                let pattern = pair
                    .clone()
                    .into_inner()
                    .find(|p| p.as_rule() == Rule::pattern)
                    .ok_or_else(|| malformed(&pair, "CREATE"))?;
                Ok(Clause::Create(CreateClause {
                    pattern: self.pattern(pattern)?,
                    span,
                }))
            }
            Rule::merge_clause => self.merge(pair),
            Rule::set_clause => {
                let items = pair
                    .clone()
                    .into_inner()
                    .find(|p| p.as_rule() == Rule::set_items)
                    .ok_or_else(|| malformed(&pair, "SET"))?;
                Ok(Clause::Set(SetClause {
                    items: self.set_items(items)?,
                    span,
                }))
            }
            Rule::remove_clause => {
                let mut items = Vec::new();
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::remove_labels => {
                            let (variable, labels) = self.variable_and_labels(p)?;
                            items.push(RemoveItem::Labels { variable, labels });
                        }
                        Rule::remove_property => {
                            let target = first_child(&p, "a property")?;
                            let (target, key) = self.property_target(target)?;
                            items.push(RemoveItem::Property { target, key });
                        }
                        _ => {}
                    }
                }
                Ok(Clause::Remove(RemoveClause { items, span }))
            }
            Rule::delete_clause => {
                let mut detach = false;
                let mut exprs = Vec::new();
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::DETACH => detach = true,
                        Rule::expression => exprs.push(self.expression(p)?),
                        _ => {}
                    }
                }
                Ok(Clause::Delete(DeleteClause {
                    detach,
                    exprs,
                    span,
                }))
            }
            Rule::foreach_clause => {
                let mut variable = None;
                let mut list = None;
                let mut clauses = Vec::new();
                for p in pair.clone().into_inner() {
                    match p.as_rule() {
                        Rule::variable => variable = Some(self.ident(p)),
                        Rule::expression => list = Some(self.expression(p)?),
                        Rule::FOREACH | Rule::IN => {}
                        _ => clauses.push(self.clause(p)?),
                    }
                }
                match (variable, list) {
                    (Some(variable), Some(list)) => Ok(Clause::Foreach(ForeachClause {
                        variable,
                        list,
                        clauses,
                        span,
                    })),
                    _ => Err(malformed(&pair, "FOREACH")),
                }
            }
            Rule::call_subquery => {
                let mut scope = CallScope::ImportingWith;
                let mut query = None;
                let mut in_transactions = None;
                for p in pair.clone().into_inner() {
                    match p.as_rule() {
                        Rule::call_subquery_scope => {
                            let mut variables = Vec::new();
                            let mut all = false;
                            for v in p.into_inner() {
                                match v.as_rule() {
                                    Rule::call_scope_all => all = true,
                                    Rule::variable => variables.push(self.ident(v)),
                                    _ => {}
                                }
                            }
                            scope = if all {
                                CallScope::All
                            } else {
                                CallScope::Variables(variables)
                            };
                        }
                        Rule::query => query = Some(self.query(p)?),
                        Rule::in_transactions => in_transactions = Some(self.in_transactions(p)?),
                        _ => {}
                    }
                }
                let query = query.ok_or_else(|| malformed(&pair, "CALL { … }"))?;
                Ok(Clause::CallSubquery(CallSubqueryClause {
                    scope,
                    query,
                    in_transactions,
                    span,
                }))
            }
            Rule::call_clause => self.call(pair),
            Rule::show_routines => self.show_routines(pair),
            _ => Err(malformed(&pair, "a clause")),
        }
    }

    /// `IN TRANSACTIONS` and its options, each given at most once; `REPORT STATUS` only
    /// with `ON ERROR CONTINUE` or `BREAK` (as in Neo4j: under FAIL there is no status to
    /// report, the statement fails).
    fn in_transactions(&self, pair: Pair<'_, Rule>) -> Result<InTransactions> {
        let span = span_of(&pair);
        let mut batch_size = None;
        let mut on_error = None;
        let mut report_status = None;
        for option in pair.into_inner() {
            let at = option.as_span().start();
            let (given, name) = match option.as_rule() {
                Rule::batch_size => (batch_size.is_some(), "OF … ROWS"),
                Rule::on_error => (on_error.is_some(), "ON ERROR"),
                Rule::report_status => (report_status.is_some(), "REPORT STATUS"),
                _ => continue,
            };
            if given {
                return Err(Error::syntax(
                    "InvalidSyntax",
                    format!("IN TRANSACTIONS takes {name} once"),
                )
                .at(self.source, at));
            }
            match option.as_rule() {
                Rule::batch_size => {
                    let expr = option
                        .clone()
                        .into_inner()
                        .find(|p| p.as_rule() == Rule::expression)
                        .ok_or_else(|| malformed(&option, "OF … ROWS"))?;
                    batch_size = Some(self.expression(expr)?);
                }
                Rule::on_error => {
                    let action = option.clone().into_inner().find_map(|p| match p.as_rule() {
                        Rule::on_error_continue => Some(OnError::Continue),
                        Rule::on_error_break => Some(OnError::Break),
                        Rule::on_error_fail => Some(OnError::Fail),
                        _ => None,
                    });
                    on_error = Some(action.ok_or_else(|| malformed(&option, "ON ERROR"))?);
                }
                _ => {
                    let variable = option
                        .clone()
                        .into_inner()
                        .find(|p| p.as_rule() == Rule::variable)
                        .ok_or_else(|| malformed(&option, "REPORT STATUS"))?;
                    report_status = Some((self.ident(variable), at));
                }
            }
        }
        let on_error = on_error.unwrap_or(OnError::Fail);
        if let Some((_, at)) = &report_status {
            if on_error == OnError::Fail {
                return Err(Error::syntax(
                    "InvalidClauseComposition",
                    "REPORT STATUS needs ON ERROR CONTINUE or ON ERROR BREAK: under ON ERROR FAIL a failed batch fails the statement",
                )
                .at(self.source, *at));
            }
        }
        Ok(InTransactions {
            batch_size,
            on_error,
            report_status: report_status.map(|(v, _)| v),
            span,
        })
    }

    fn where_part(&self, pair: Pair<'_, Rule>) -> Result<Expr> {
        let expr = pair
            .clone()
            .into_inner()
            .find(|p| p.as_rule() == Rule::expression)
            .ok_or_else(|| malformed(&pair, "WHERE"))?;
        self.expression(expr)
    }

    fn projection(&self, pair: Pair<'_, Rule>, span: Span) -> Result<Projection> {
        let mut projection = Projection {
            distinct: false,
            star: false,
            items: Vec::new(),
            order_by: Vec::new(),
            skip: None,
            limit: None,
            where_: None,
            span,
        };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::DISTINCT => projection.distinct = true,
                Rule::projection_items => {
                    for item in p.into_inner() {
                        match item.as_rule() {
                            Rule::projection_star => projection.star = true,
                            Rule::projection_item => {
                                projection.items.push(self.projection_item(item)?)
                            }
                            _ => {}
                        }
                    }
                }
                Rule::order_part => {
                    for sort in p.into_inner().filter(|s| s.as_rule() == Rule::sort_item) {
                        let mut expr = None;
                        let mut descending = false;
                        for s in sort.clone().into_inner() {
                            match s.as_rule() {
                                Rule::expression => expr = Some(self.expression(s)?),
                                Rule::sort_direction => {
                                    let word = s.as_str().to_ascii_lowercase();
                                    descending = word.starts_with("desc");
                                }
                                _ => {}
                            }
                        }
                        let expr = expr.ok_or_else(|| malformed(&sort, "ORDER BY"))?;
                        projection.order_by.push(SortItem { expr, descending });
                    }
                }
                Rule::skip_part => projection.skip = Some(self.keyword_expression(p)?),
                Rule::limit_part => projection.limit = Some(self.keyword_expression(p)?),
                _ => {}
            }
        }
        Ok(projection)
    }

    /// The expression after a keyword (SKIP, LIMIT).
    fn keyword_expression(&self, pair: Pair<'_, Rule>) -> Result<Expr> {
        let expr = pair
            .clone()
            .into_inner()
            .find(|p| p.as_rule() == Rule::expression)
            .ok_or_else(|| malformed(&pair, "an expression"))?;
        self.expression(expr)
    }

    fn projection_item(&self, pair: Pair<'_, Rule>) -> Result<ProjectionItem> {
        let mut expr = None;
        let mut alias = None;
        let mut text = String::new();
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::expression => {
                    // From the text as written: the parsed one may hold markers
                    // (`constants`).
                    let span = span_of(&p);
                    text = self.source[span.start..span.end].to_string();
                    expr = Some(self.expression(p)?);
                }
                Rule::variable => alias = Some(self.ident(p)),
                _ => {}
            }
        }
        let expr = expr.ok_or_else(|| malformed(&pair, "a projection item"))?;
        Ok(ProjectionItem { expr, alias, text })
    }

    fn merge(&self, pair: Pair<'_, Rule>) -> Result<Clause> {
        let span = span_of(&pair);
        let mut part = None;
        let mut on_create = Vec::new();
        let mut on_match = Vec::new();
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::pattern_part => part = Some(self.pattern_part(p)?),
                Rule::merge_action => {
                    for action in p.into_inner() {
                        let target = match action.as_rule() {
                            Rule::merge_on_create => &mut on_create,
                            Rule::merge_on_match => &mut on_match,
                            _ => continue,
                        };
                        let items = action
                            .clone()
                            .into_inner()
                            .find(|i| i.as_rule() == Rule::set_items)
                            .ok_or_else(|| malformed(&action, "ON … SET"))?;
                        target.extend(self.set_items(items)?);
                    }
                }
                _ => {}
            }
        }
        let part = part.ok_or_else(|| malformed(&pair, "MERGE"))?;
        Ok(Clause::Merge(MergeClause {
            part,
            on_create,
            on_match,
            span,
        }))
    }

    fn set_items(&self, pair: Pair<'_, Rule>) -> Result<Vec<SetItem>> {
        let mut items = Vec::new();
        for p in pair.into_inner() {
            let rule = p.as_rule();
            match rule {
                Rule::set_property => {
                    let mut inner = p.clone().into_inner();
                    let target = next_pair(&mut inner, &p, "a property")?;
                    let value = next_pair(&mut inner, &p, "a value")?;
                    let (target, key) = self.property_target(target)?;
                    items.push(SetItem::Property {
                        target,
                        key,
                        value: self.expression(value)?,
                    });
                }
                Rule::set_properties_replace | Rule::set_properties_merge => {
                    let mut inner = p.clone().into_inner();
                    let variable = self.ident(next_pair(&mut inner, &p, "a variable")?);
                    let value = self.expression(next_pair(&mut inner, &p, "a value")?)?;
                    items.push(SetItem::Properties {
                        variable,
                        value,
                        merge: rule == Rule::set_properties_merge,
                    });
                }
                Rule::set_labels => {
                    let (variable, labels) = self.variable_and_labels(p)?;
                    items.push(SetItem::Labels { variable, labels });
                }
                _ => {}
            }
        }
        Ok(items)
    }

    /// Splits `a.b.c` (a `property_expression`) into the target `a.b` and the key `c`.
    fn property_target(&self, pair: Pair<'_, Rule>) -> Result<(Expr, Ident)> {
        let mut inner: Vec<Pair<'_, Rule>> = pair.clone().into_inner().collect();
        let last = inner.pop().ok_or_else(|| malformed(&pair, "a property"))?;
        let key = self.ident(first_child(&last, "a property key")?);
        let mut parts = inner.into_iter();
        let atom = next_pair(&mut parts, &pair, "a property target")?;
        let mut target = self.atom(atom)?;
        for lookup in parts {
            target = self.apply_postfix(target, lookup)?;
        }
        Ok((target, key))
    }

    fn variable_and_labels(&self, pair: Pair<'_, Rule>) -> Result<(Ident, Vec<Ident>)> {
        let mut variable = None;
        let mut labels = Vec::new();
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::variable => variable = Some(self.ident(p)),
                Rule::node_labels => labels = self.labels(p)?,
                _ => {}
            }
        }
        let variable = variable.ok_or_else(|| malformed(&pair, "a variable"))?;
        Ok((variable, labels))
    }

    /// `:e:f…` (a `label_expression`): the conjunction of its segments.
    fn label_expression(&self, pair: Pair<'_, Rule>) -> Result<LabelExpr> {
        let mut segments = pair
            .into_inner()
            .map(|p| self.label_part(p))
            .collect::<Result<Vec<_>>>()?;
        Ok(if segments.len() == 1 {
            segments.remove(0)
        } else {
            LabelExpr::And(segments)
        })
    }

    fn label_part(&self, pair: Pair<'_, Rule>) -> Result<LabelExpr> {
        let rule = pair.as_rule();
        let mut parts = pair.clone().into_inner();
        match rule {
            Rule::label_or | Rule::label_and => {
                let mut all = parts
                    .map(|p| self.label_part(p))
                    .collect::<Result<Vec<_>>>()?;
                Ok(match (all.len(), rule) {
                    (1, _) => all.remove(0),
                    (_, Rule::label_or) => LabelExpr::Or(all),
                    _ => LabelExpr::And(all),
                })
            }
            Rule::label_not => {
                let mut negations = 0;
                let mut atom = None;
                for p in parts {
                    if p.as_rule() == Rule::label_negation {
                        negations += 1;
                    } else {
                        atom = Some(self.label_part(p)?);
                    }
                }
                let mut e = atom.ok_or_else(|| malformed(&pair, "a label"))?;
                for _ in 0..negations {
                    e = LabelExpr::Not(Box::new(e));
                }
                Ok(e)
            }
            Rule::label_any => Ok(LabelExpr::Any),
            Rule::label_name => Ok(LabelExpr::Name(
                self.ident(next_pair(&mut parts, &pair, "a label")?),
            )),
            _ => Err(malformed(&pair, "a label expression")),
        }
    }

    fn labels(&self, pair: Pair<'_, Rule>) -> Result<Vec<Ident>> {
        pair.into_inner()
            .map(|label| Ok(self.ident(first_child(&label, "a label")?)))
            .collect()
    }

    fn call(&self, pair: Pair<'_, Rule>) -> Result<Clause> {
        let span = span_of(&pair);
        let mut procedure = Vec::new();
        let mut args = None;
        let mut yield_ = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::procedure_name => procedure = p.into_inner().map(|n| self.ident(n)).collect(),
                Rule::call_arguments => {
                    args = Some(
                        p.into_inner()
                            .map(|a| self.expression(a))
                            .collect::<Result<Vec<_>>>()?,
                    )
                }
                Rule::yield_part => yield_ = Some(self.yield_part(p)?),
                _ => {}
            }
        }
        Ok(Clause::Call(CallClause {
            procedure,
            args,
            yield_,
            span,
        }))
    }

    /// The one-byte separator of `FIELDTERMINATOR 'c'` (`'\t'` for tabs).
    fn field_terminator(&self, pair: Pair<'_, Rule>) -> Result<u8> {
        let literal = pair
            .clone()
            .into_inner()
            .find(|p| p.as_rule() == Rule::string_literal)
            .ok_or_else(|| malformed(&pair, "FIELDTERMINATOR"))?;
        let at = literal.as_span().start();
        let ExprKind::Literal(Literal::String(text)) = self.atom(literal)?.kind else {
            return Err(malformed(&pair, "FIELDTERMINATOR"));
        };
        match text.as_bytes() {
            [byte] => Ok(*byte),
            _ => Err(Error::syntax(
                "InvalidArgumentValue",
                format!("FIELDTERMINATOR takes one ASCII character, got '{text}'"),
            )
            .at(self.source, at)),
        }
    }

    fn yield_part(&self, pair: Pair<'_, Rule>) -> Result<YieldSpec> {
        let mut spec = YieldSpec {
            star: false,
            items: Vec::new(),
            where_: None,
        };
        for y in pair.into_inner() {
            match y.as_rule() {
                Rule::yield_star => spec.star = true,
                Rule::yield_items => {
                    for item in y.into_inner() {
                        // The pairs are the field, the AS keyword, the alias.
                        let mut inner = item
                            .clone()
                            .into_inner()
                            .filter(|p| p.as_rule() != Rule::AS);
                        let field = self.ident(next_pair(&mut inner, &item, "a field")?);
                        let alias = inner
                            .find(|a| a.as_rule() == Rule::variable)
                            .map(|a| self.ident(a));
                        spec.items.push((field, alias));
                    }
                }
                Rule::where_part => spec.where_ = Some(self.where_part(y)?),
                _ => {}
            }
        }
        Ok(spec)
    }

    /// `SHOW PROCEDURES` / `SHOW FUNCTIONS`: a call of `db.procedures()` or
    /// `db.functions()`; a WHERE without YIELD filters on all their columns.
    fn show_routines(&self, pair: Pair<'_, Rule>) -> Result<Clause> {
        let span = span_of(&pair);
        let mut name = "procedures";
        let mut yield_ = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::show_functions => name = "functions",
                Rule::yield_part => yield_ = Some(self.yield_part(p)?),
                Rule::where_part => {
                    let ident = |name: &str| Ident {
                        name: name.to_string(),
                        span,
                    };
                    let outputs =
                        crate::catalog::procedures::builtin_outputs(&format!("db.{name}"));
                    yield_ = Some(YieldSpec {
                        star: false,
                        items: outputs.iter().map(|o| (ident(o), None)).collect(),
                        where_: Some(self.where_part(p)?),
                    });
                }
                _ => {}
            }
        }
        let ident = |name: &str| Ident {
            name: name.to_string(),
            span,
        };
        Ok(Clause::Call(CallClause {
            procedure: vec![ident("db"), ident(name)],
            args: Some(Vec::new()),
            yield_,
            span,
        }))
    }

    // ───────────── schema ─────────────

    fn schema(&self, pair: Pair<'_, Rule>) -> Result<SchemaCommand> {
        let rule = pair.as_rule();
        let mut name = None;
        let mut if_not_exists = false;
        let mut if_exists = false;
        let mut label = None;
        let mut key = None;
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::schema_name => name = Some(self.ident(first_child(&p, "a name")?)),
                Rule::if_not_exists => if_not_exists = true,
                Rule::if_exists => if_exists = true,
                Rule::index_on_label => {
                    let mut inner = p
                        .clone()
                        .into_inner()
                        .filter(|n| n.as_rule() == Rule::symbolic_name);
                    label = inner.next().map(|n| self.ident(n));
                    key = inner.next().map(|n| self.ident(n));
                }
                Rule::schema_node => {
                    label = p
                        .into_inner()
                        .find(|n| n.as_rule() == Rule::symbolic_name)
                        .map(|n| self.ident(n));
                }
                Rule::schema_property => {
                    key = p
                        .into_inner()
                        .find(|n| n.as_rule() == Rule::symbolic_name)
                        .map(|n| self.ident(n));
                }
                _ => {}
            }
        }
        let label_and_key = || match (label.clone(), key.clone()) {
            (Some(l), Some(k)) => Ok((l, k)),
            _ => Err(malformed(&pair, "a label and a property key")),
        };
        let required_name = || name.clone().ok_or_else(|| malformed(&pair, "a name"));
        match rule {
            Rule::create_index => {
                let (label, key) = label_and_key()?;
                Ok(SchemaCommand::CreateIndex {
                    name,
                    if_not_exists,
                    label,
                    key,
                })
            }
            Rule::create_constraint => {
                let (label, key) = label_and_key()?;
                Ok(SchemaCommand::CreateUniqueConstraint {
                    name,
                    if_not_exists,
                    label,
                    key,
                })
            }
            Rule::drop_index => Ok(SchemaCommand::DropIndex {
                name: required_name()?,
                if_exists,
            }),
            Rule::drop_constraint => Ok(SchemaCommand::DropConstraint {
                name: required_name()?,
                if_exists,
            }),
            Rule::show_indexes => Ok(SchemaCommand::ShowIndexes),
            Rule::show_constraints => Ok(SchemaCommand::ShowConstraints),
            _ => Err(malformed(&pair, "a schema command")),
        }
    }

    // ───────────── patterns ─────────────

    pub fn pattern(&self, pair: Pair<'_, Rule>) -> Result<Pattern> {
        let span = span_of(&pair);
        let parts = pair
            .into_inner()
            .map(|p| self.pattern_part(p))
            .collect::<Result<Vec<_>>>()?;
        Ok(Pattern { parts, span })
    }

    fn pattern_part(&self, pair: Pair<'_, Rule>) -> Result<PatternPart> {
        let span = span_of(&pair);
        let mut variable = None;
        let mut found = None;
        let mut selector = None;
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::variable => variable = Some(self.ident(p)),
                Rule::pattern_element => {
                    found = Some((PathFunction::None, self.pattern_element(p)?))
                }
                Rule::shortest_path_pattern | Rule::all_shortest_paths_pattern => {
                    found = Some(self.path_function(p)?);
                }
                Rule::path_selector => selector = Some(self.path_selector(p)?),
                _ => {}
            }
        }
        let (mut function, element) = found.ok_or_else(|| malformed(&pair, "a pattern"))?;
        if let Some((chosen, at)) = selector {
            if function != PathFunction::None {
                return Err(self.error_at(
                    Error::syntax(
                        "InvalidShortestPathPattern",
                        "a path selector (SHORTEST, ANY, ALL SHORTEST) cannot be combined with shortestPath(…)",
                    ),
                    at,
                ));
            }
            function = chosen;
        }
        Ok(PatternPart {
            variable,
            function,
            element,
            span,
        })
    }

    /// What a GQL path selector asks, and where it is written: `SHORTEST k` (k paths
    /// in order of length), `SHORTEST [k] GROUPS` (the paths of the k smallest lengths),
    /// `ALL SHORTEST` (= `SHORTEST 1 GROUPS`), `ANY SHORTEST` (= `SHORTEST 1`), `ANY k`
    /// (any k paths: the k shortest are as good as any); `ALL` selects every path, as
    /// no selector does.
    fn path_selector(&self, pair: Pair<'_, Rule>) -> Result<(PathFunction, usize)> {
        let at = pair.as_span().start();
        let Some(kind) = pair.clone().into_inner().next() else {
            return Err(malformed(&pair, "a path selector"));
        };
        let mut count = 1;
        let mut groups = false;
        for p in kind.clone().into_inner() {
            match p.as_rule() {
                Rule::selector_count => {
                    let text = p.as_str().trim();
                    count = decode_integer(text, false).map_err(|e| self.error_at(e, at))?;
                }
                Rule::GROUPS | Rule::GROUP => groups = true,
                _ => {}
            }
        }
        let Ok(count @ 1..) = u64::try_from(count) else {
            return Err(self.error_at(
                Error::syntax(
                    "InvalidArgumentValue",
                    format!("a path selector needs at least 1 path, got {count}"),
                ),
                at,
            ));
        };
        let function = match kind.as_rule() {
            Rule::selector_all => PathFunction::None,
            Rule::selector_all_shortest => PathFunction::ALL_SHORTEST_PATHS,
            Rule::selector_any_shortest => PathFunction::SHORTEST_PATH,
            _ => PathFunction::Shortest { count, groups },
        };
        Ok((function, at))
    }

    fn path_function(&self, pair: Pair<'_, Rule>) -> Result<(PathFunction, PatternElement)> {
        let function = if pair.as_rule() == Rule::shortest_path_pattern {
            PathFunction::SHORTEST_PATH
        } else {
            PathFunction::ALL_SHORTEST_PATHS
        };
        let element = pair
            .clone()
            .into_inner()
            .find(|p| p.as_rule() == Rule::pattern_element)
            .ok_or_else(|| malformed(&pair, "a shortest path pattern"))?;
        Ok((function, self.pattern_element(element)?))
    }

    /// A `pattern_element` or a `relationships_pattern`: a node, then chain steps.
    fn pattern_element(&self, pair: Pair<'_, Rule>) -> Result<PatternElement> {
        let span = span_of(&pair);
        let mut inner = pair.clone().into_inner();
        // `((a)-->(b))`: the parenthesised element is the element.
        if let Some(element) = inner.clone().find(|p| p.as_rule() == Rule::pattern_element) {
            return self.pattern_element(element);
        }
        let element = self.path_phrase(&mut inner, span)?;
        // A path matches at least one node: a group alone that may repeat no time
        // would match nothing at all.
        if let [PatternStep {
            link: PatternLink::Group(group),
            ..
        }] = element.chain.as_slice()
        {
            let written_alone =
                element.start.span.start == group.span.start && element.span.end == group.span.end;
            if written_alone && group.repetitions.min == 0 {
                return Err(self.error_at(
                    Error::syntax(
                        "InvalidQuantifiedPathPattern",
                        format!(
                            "a pattern must match at least one node, and `{group}` alone may repeat no time: \
                             write the nodes around it, as (x){group}(y), or a lower bound of 1 or more"
                        ),
                    ),
                    group.span.start,
                ));
            }
        }
        Ok(element)
    }

    /// Nodes, relationship steps and quantified groups as written, with an anonymous
    /// node put where a group has no node written beside it (before the first group of
    /// a phrase that starts with one, after a group followed by another or by nothing).
    fn path_phrase(&self, pairs: &mut Pairs<'_, Rule>, span: Span) -> Result<PatternElement> {
        let mut start: Option<NodePattern> = None;
        let mut chain: Vec<PatternStep> = Vec::new();
        // The last step is a group whose node after it is still the anonymous one.
        let mut open_group = false;
        for p in pairs {
            match p.as_rule() {
                Rule::node_pattern => {
                    let node = self.node_pattern(p.clone())?;
                    match chain.last_mut() {
                        Some(step) if open_group => step.node = node,
                        None if start.is_none() => start = Some(node),
                        _ => return Err(malformed(&p, "a pattern")),
                    }
                    open_group = false;
                }
                Rule::pattern_chain => {
                    let mut inner = p.clone().into_inner();
                    let mut rel =
                        self.relationship_pattern(next_pair(&mut inner, &p, "a relationship")?)?;
                    let mut next = next_pair(&mut inner, &p, "a node")?;
                    if next.as_rule() == Rule::path_quantifier {
                        self.quantify(&mut rel, next)?;
                        next = next_pair(&mut inner, &p, "a node")?;
                    }
                    let node = self.node_pattern(next)?;
                    chain.push(PatternStep {
                        link: PatternLink::Relationship(rel),
                        node,
                    });
                    open_group = false;
                }
                Rule::unquantified_group => {
                    return Err(self.error_at(
                        Error::syntax(
                            "InvalidQuantifiedPathPattern",
                            "a parenthesized path inside a pattern needs a quantifier after it: {2}, {1,3}, {1,}, {,3}, + or *",
                        ),
                        p.as_span().start(),
                    ))
                }
                Rule::quantified_group => {
                    let group = self.quantified_group(p)?;
                    if start.is_none() {
                        start = Some(NodePattern::anonymous(group.span.start));
                    }
                    chain.push(PatternStep {
                        node: NodePattern::anonymous(group.span.end),
                        link: PatternLink::Group(Box::new(group)),
                    });
                    open_group = true;
                }
                _ => {}
            }
        }
        let start = start.ok_or_else(|| {
            self.error_at(
                Error::syntax("InvalidSyntax", "expected a pattern such as (n)"),
                span.start,
            )
        })?;
        Ok(PatternElement { start, chain, span })
    }

    /// `((a)-[r]->(b) WHERE …){m,n}`: the path repeated must hold a relationship, and
    /// nothing inside it is repeated on its own (Neo4j's rules: no nested quantifier).
    fn quantified_group(&self, pair: Pair<'_, Rule>) -> Result<QuantifiedGroup> {
        let span = span_of(&pair);
        let mut element = None;
        let mut inline = Vec::new();
        let mut where_ = None;
        let mut repetitions = None;
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::group_pattern => {
                    let inner_span = span_of(&p);
                    let (converted, conditions) = self.with_inline_predicates(|| {
                        self.path_phrase(&mut p.into_inner(), inner_span)
                    })?;
                    element = Some(converted);
                    inline = conditions;
                }
                Rule::where_part => where_ = Some(self.where_part(p)?),
                Rule::path_quantifier => repetitions = Some(self.repetitions(p)?),
                _ => {}
            }
        }
        let (Some(element), Some(repetitions)) = (element, repetitions) else {
            return Err(malformed(&pair, "a quantified path pattern"));
        };
        let where_ = conjunction(inline, where_);
        let refuse = |message: &str, at: usize| {
            Err(self.error_at(
                Error::syntax("InvalidQuantifiedPathPattern", message.to_string()),
                at,
            ))
        };
        if let Some(inner) = element.groups().next() {
            return refuse(
                "quantified path patterns cannot be nested: quantify the outer group only",
                inner.span.start,
            );
        }
        if let Some(r) = element.relationships().find(|r| r.length.is_some()) {
            return refuse(
                "a relationship inside a quantified path pattern cannot be quantified or have a \
                 variable length (*): the group's quantifier repeats it",
                r.span.start,
            );
        }
        if element.chain.is_empty() {
            return refuse(
                "a quantified path pattern needs at least one relationship, as ((a)-[:R]->(b)){1,3}: \
                 a node alone cannot be repeated",
                span.start,
            );
        }
        Ok(QuantifiedGroup {
            element,
            where_,
            repetitions,
            span,
        })
    }

    fn node_pattern(&self, pair: Pair<'_, Rule>) -> Result<NodePattern> {
        let span = span_of(&pair);
        let mut node = NodePattern {
            variable: None,
            labels: Vec::new(),
            label_filter: None,
            properties: None,
            span,
        };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::variable => node.variable = Some(self.ident(p)),
                Rule::label_expression => {
                    let labels = self.label_expression(p)?;
                    match labels.as_conjunction() {
                        Some(names) => node.labels = names,
                        None => {
                            node.labels = labels.required();
                            node.label_filter = Some(Box::new(labels));
                        }
                    }
                }
                Rule::pattern_properties => {
                    node.properties = Some(Box::new(self.pattern_properties(p)?))
                }
                Rule::where_part => {
                    let condition = self.where_part(p)?;
                    self.inline_predicates.borrow_mut().push(condition);
                }
                _ => {}
            }
        }
        Ok(node)
    }

    fn pattern_properties(&self, pair: Pair<'_, Rule>) -> Result<Expr> {
        let inner = first_child(&pair, "properties")?;
        self.atom(inner)
    }

    fn relationship_pattern(&self, pair: Pair<'_, Rule>) -> Result<RelationshipPattern> {
        let span = span_of(&pair);
        let mut left = false;
        let mut right = false;
        let mut rel = RelationshipPattern {
            variable: None,
            types: Vec::new(),
            direction: Direction::Both,
            length: None,
            properties: None,
            span,
        };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::left_arrow => left = true,
                Rule::right_arrow => right = true,
                Rule::relationship_detail => {
                    for d in p.into_inner() {
                        match d.as_rule() {
                            Rule::variable => rel.variable = Some(self.ident(d)),
                            Rule::relationship_types => {
                                for t in d.into_inner() {
                                    rel.types.push(self.ident(first_child(&t, "a type")?));
                                }
                            }
                            Rule::range_literal => rel.length = Some(self.range(d)?),
                            Rule::invalid_range => {
                                return Err(self.error_at(
                                    Error::syntax(
                                        "InvalidRelationshipPattern",
                                        format!(
                                            "'{}' is not a valid relationship length; write it as *, *2, *1..3, *..3 or *2..",
                                            d.as_str().trim()
                                        ),
                                    ),
                                    d.as_span().start(),
                                ))
                            }
                            Rule::pattern_properties => {
                                rel.properties = Some(Box::new(self.pattern_properties(d)?))
                            }
                            Rule::where_part => {
                                if rel.length.is_some() {
                                    return Err(inline_where_on_repeated(self, d.as_span().start()));
                                }
                                let condition = self.where_part(d)?;
                                self.inline_predicates.borrow_mut().push(condition);
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        rel.direction = match (left, right) {
            (true, false) => Direction::Incoming,
            (false, true) => Direction::Outgoing,
            _ => Direction::Both,
        };
        Ok(rel)
    }

    /// Applies a quantifier (`+`, `*`, `{m,n}`) to the relationship before it.
    fn quantify(&self, rel: &mut RelationshipPattern, pair: Pair<'_, Rule>) -> Result<()> {
        let inline = self.inline_predicates.borrow();
        if let Some(condition) = inline.last().filter(|c| c.span.start >= rel.span.start) {
            return Err(inline_where_on_repeated(self, condition.span.start));
        }
        drop(inline);
        if rel.length.is_some() {
            return Err(self.error_at(
                Error::syntax(
                    "InvalidRelationshipPattern",
                    "a relationship with a variable length (*) cannot also be quantified",
                ),
                pair.as_span().start(),
            ));
        }
        let Repetitions { min, max } = self.repetitions(pair)?;
        rel.length = Some(VarLength {
            min: Some(min),
            max,
        });
        Ok(())
    }

    /// What a quantifier allows: `+` is one or more, `*` any number, `{2}` exactly two,
    /// `{2,}` two or more, `{,3}` up to three.
    fn repetitions(&self, pair: Pair<'_, Rule>) -> Result<Repetitions> {
        let at = pair.as_span().start();
        let form = first_child(&pair, "a quantifier")?;
        let repetitions = match form.as_rule() {
            Rule::quantifier_plus => Repetitions { min: 1, max: None },
            Rule::quantifier_star => Repetitions { min: 0, max: None },
            _ => {
                let mut min = None;
                let mut max = None;
                let mut comma = false;
                for p in form.into_inner() {
                    match p.as_rule() {
                        Rule::range_min => min = Some(self.range_bound(p)?),
                        Rule::range_max => max = Some(self.range_bound(p)?),
                        Rule::range_comma => comma = true,
                        _ => {}
                    }
                }
                // `{2}` is exactly two; `{,3}` starts at zero.
                if !comma {
                    max = min;
                }
                Repetitions {
                    min: min.unwrap_or(0),
                    max,
                }
            }
        };
        if let Some(max) = repetitions.max {
            if repetitions.min > max {
                return Err(self.error_at(
                    Error::syntax(
                        "InvalidRelationshipPattern",
                        format!(
                            "a quantifier's lower bound {} is above its upper bound {max}",
                            repetitions.min
                        ),
                    ),
                    at,
                ));
            }
        }
        Ok(repetitions)
    }

    fn range(&self, pair: Pair<'_, Rule>) -> Result<VarLength> {
        let mut min = None;
        let mut max = None;
        let mut dots = false;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::range_min => min = Some(self.range_bound(p)?),
                Rule::range_max => max = Some(self.range_bound(p)?),
                Rule::range_dots => dots = true,
                _ => {}
            }
        }
        // `*3` is exactly three; `*3..` is three or more.
        if !dots {
            max = min;
        }
        Ok(VarLength { min, max })
    }

    fn range_bound(&self, pair: Pair<'_, Rule>) -> Result<u64> {
        let start = pair.as_span().start();
        let value =
            decode_integer(pair.as_str().trim(), false).map_err(|e| self.error_at(e, start))?;
        u64::try_from(value).map_err(|_| {
            self.error_at(
                Error::syntax("InvalidSyntax", "a relationship length cannot be negative"),
                start,
            )
        })
    }

    // ───────────── expressions ─────────────

    pub fn expression(&self, pair: Pair<'_, Rule>) -> Result<Expr> {
        // Most precedence levels hold a single operand: step down through them without
        // recursing, so that nesting costs few stack frames.
        let mut pair = pair;
        while Self::is_precedence_level(pair.as_rule()) {
            let mut inner = pair.clone().into_inner();
            match (inner.next(), inner.next()) {
                (Some(only), None) if only.as_rule() != Rule::not_operator => pair = only,
                _ => break,
            }
        }
        // A chain of operators becomes a tree as deep as the chain is long: refuse chains
        // that later stages could not walk (see `depth`).
        if Self::is_precedence_level(pair.as_rule()) {
            // Binary operator tokens sit between operands and add no depth of their own.
            let links = pair
                .clone()
                .into_inner()
                .filter(|p| {
                    !matches!(
                        p.as_rule(),
                        Rule::add_operator
                            | Rule::multiply_operator
                            | Rule::comparison_operator
                            | Rule::OR
                            | Rule::XOR
                            | Rule::AND
                    )
                })
                .count();
            if links > MAX_EXPRESSION_DEPTH {
                return Err(self.error_at(
                    Error::syntax(
                        "InvalidSyntax",
                        format!(
                            "this expression chains {links} operations; at most {MAX_EXPRESSION_DEPTH} are allowed (a list with IN may help)"
                        ),
                    ),
                    pair.as_span().start(),
                ));
            }
        }
        match pair.as_rule() {
            Rule::expression
            | Rule::slice_from
            | Rule::slice_to
            | Rule::comprehension_projection => {
                self.expression(first_child(&pair, "an expression")?)
            }
            Rule::or_expression => self.binary_chain(pair, BinaryOp::Or),
            Rule::xor_expression => self.binary_chain(pair, BinaryOp::Xor),
            Rule::and_expression => self.binary_chain(pair, BinaryOp::And),
            Rule::not_expression => self.not_expression(pair),
            Rule::comparison_expression => self.comparison(pair),
            Rule::predicate_expression => self.predicate(pair),
            Rule::add_expression | Rule::multiply_expression => self.arithmetic(pair),
            Rule::power_expression => self.power(pair),
            Rule::unary_expression => self.unary(pair),
            Rule::postfix_expression => self.postfix(pair),
            _ => self.atom(pair),
        }
    }

    fn is_precedence_level(rule: Rule) -> bool {
        matches!(
            rule,
            Rule::expression
                | Rule::or_expression
                | Rule::xor_expression
                | Rule::and_expression
                | Rule::not_expression
                | Rule::comparison_expression
                | Rule::predicate_expression
                | Rule::add_expression
                | Rule::multiply_expression
                | Rule::power_expression
                | Rule::unary_expression
                | Rule::postfix_expression
                | Rule::slice_from
                | Rule::slice_to
                | Rule::comprehension_projection
        )
    }

    fn not_expression(&self, pair: Pair<'_, Rule>) -> Result<Expr> {
        let span = span_of(&pair);
        let mut nots = Vec::new();
        let mut operand = None;
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::not_operator => nots.push(p.as_span().start()),
                _ => operand = Some(self.expression(p)?),
            }
        }
        let mut expr = operand.ok_or_else(|| malformed(&pair, "NOT"))?;
        for start in nots.into_iter().rev() {
            let span = Span {
                start,
                end: span.end,
            };
            expr = Expr {
                kind: ExprKind::Unary(UnaryOp::Not, Box::new(expr)),
                span,
            };
        }
        Ok(expr)
    }

    fn comparison(&self, pair: Pair<'_, Rule>) -> Result<Expr> {
        let span = span_of(&pair);
        let mut inner = pair.clone().into_inner();
        let first = self.expression(next_pair(&mut inner, &pair, "a comparison")?)?;
        let mut rest = Vec::new();
        while let Some(op) = inner.next() {
            let operand = self.expression(next_pair(&mut inner, &pair, "a comparison")?)?;
            let op = match op.as_str() {
                "=" => CompareOp::Eq,
                "<>" | "!=" => CompareOp::Ne,
                "<" => CompareOp::Lt,
                "<=" => CompareOp::Le,
                ">" => CompareOp::Gt,
                ">=" => CompareOp::Ge,
                _ => return Err(malformed(&op, "a comparison operator")),
            };
            rest.push((op, operand));
        }
        if rest.is_empty() {
            Ok(first)
        } else {
            Ok(Expr {
                kind: ExprKind::Compare(Box::new(first), rest),
                span,
            })
        }
    }

    fn predicate(&self, pair: Pair<'_, Rule>) -> Result<Expr> {
        let span = span_of(&pair);
        let mut inner = pair.clone().into_inner();
        let mut expr = self.expression(next_pair(&mut inner, &pair, "an expression")?)?;
        for suffix in inner {
            let end = suffix.as_span().end();
            let whole = Span {
                start: span.start,
                end,
            };
            let kind = match suffix.as_rule() {
                Rule::is_null_suffix => ExprKind::IsNull(Box::new(expr), false),
                Rule::is_not_null_suffix => ExprKind::IsNull(Box::new(expr), true),
                rule => {
                    let op = match rule {
                        Rule::starts_with_suffix => BinaryOp::StartsWith,
                        Rule::ends_with_suffix => BinaryOp::EndsWith,
                        Rule::contains_suffix => BinaryOp::Contains,
                        Rule::regex_suffix => BinaryOp::RegexMatch,
                        _ => BinaryOp::In,
                    };
                    let rhs = suffix
                        .clone()
                        .into_inner()
                        .find(|p| p.as_rule() == Rule::add_expression)
                        .ok_or_else(|| malformed(&suffix, "an operand"))?;
                    ExprKind::Binary(op, Box::new(expr), Box::new(self.expression(rhs)?))
                }
            };
            expr = Expr { kind, span: whole };
        }
        Ok(expr)
    }

    fn arithmetic(&self, pair: Pair<'_, Rule>) -> Result<Expr> {
        let span = span_of(&pair);
        let mut inner = pair.clone().into_inner();
        let mut expr = self.expression(next_pair(&mut inner, &pair, "an operand")?)?;
        while let Some(op) = inner.next() {
            let rhs = self.expression(next_pair(&mut inner, &pair, "an operand")?)?;
            let op = match op.as_str() {
                "+" => BinaryOp::Add,
                "-" => BinaryOp::Subtract,
                "*" => BinaryOp::Multiply,
                "/" => BinaryOp::Divide,
                _ => BinaryOp::Modulo,
            };
            expr = binary(op, expr, rhs, span.start);
        }
        Ok(expr)
    }

    fn power(&self, pair: Pair<'_, Rule>) -> Result<Expr> {
        let span = span_of(&pair);
        // openCypher's `^` is left-associative: 2 ^ 3 ^ 2 is (2 ^ 3) ^ 2.
        let mut inner = pair.clone().into_inner();
        let mut expr = self.expression(next_pair(&mut inner, &pair, "an operand")?)?;
        for p in inner {
            let rhs = self.expression(p)?;
            expr = binary(BinaryOp::Power, expr, rhs, span.start);
        }
        Ok(expr)
    }

    fn binary_chain(&self, pair: Pair<'_, Rule>, op: BinaryOp) -> Result<Expr> {
        let span = span_of(&pair);
        let mut operands = pair
            .clone()
            .into_inner()
            .filter(|p| !matches!(p.as_rule(), Rule::OR | Rule::XOR | Rule::AND));
        let first = operands
            .next()
            .ok_or_else(|| malformed(&pair, "an operand"))?;
        let mut expr = self.expression(first)?;
        for p in operands {
            let rhs = self.expression(p)?;
            expr = binary(op, expr, rhs, span.start);
        }
        Ok(expr)
    }

    fn unary(&self, pair: Pair<'_, Rule>) -> Result<Expr> {
        let span = span_of(&pair);
        let mut operators = Vec::new();
        let mut operand = None;
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::unary_operator => operators.push((p.as_str() == "-", p.as_span().start())),
                _ => operand = Some(p),
            }
        }
        let operand = operand.ok_or_else(|| malformed(&pair, "an operand"))?;
        // A minus directly before an integer literal is part of the literal, so that the
        // most negative integer can be written.
        let negated_literal = match operators.last() {
            Some(&(true, minus_at)) => {
                Self::bare_integer(&operand).map(|literal| (minus_at, literal))
            }
            _ => None,
        };
        let mut expr = match negated_literal {
            Some((minus_at, literal)) => {
                operators.pop();
                let value = decode_integer(literal.as_str(), true)
                    .map_err(|e| self.error_at(e, minus_at))?;
                Expr {
                    kind: ExprKind::Literal(Literal::Int(value)),
                    span: Span {
                        start: minus_at,
                        end: span.end,
                    },
                }
            }
            None => self.expression(operand)?,
        };
        for (negate, start) in operators.into_iter().rev() {
            let op = if negate {
                UnaryOp::Negate
            } else {
                UnaryOp::Plus
            };
            expr = Expr {
                kind: ExprKind::Unary(op, Box::new(expr)),
                span: Span {
                    start,
                    end: span.end,
                },
            };
        }
        Ok(expr)
    }

    /// The integer literal that is the whole of a postfix expression, if it is one.
    fn bare_integer<'i>(pair: &Pair<'i, Rule>) -> Option<Pair<'i, Rule>> {
        let mut inner = pair.clone().into_inner();
        match (inner.next(), inner.next()) {
            (Some(literal), None) if literal.as_rule() == Rule::integer_literal => Some(literal),
            _ => None,
        }
    }

    fn postfix(&self, pair: Pair<'_, Rule>) -> Result<Expr> {
        let mut inner = pair.clone().into_inner();
        let atom = next_pair(&mut inner, &pair, "an expression")?;
        let mut expr = self.atom(atom)?;
        for p in inner {
            expr = self.apply_postfix(expr, p)?;
        }
        Ok(expr)
    }

    fn apply_postfix(&self, base: Expr, pair: Pair<'_, Rule>) -> Result<Expr> {
        let span = Span {
            start: base.span.start,
            end: pair.as_span().end(),
        };
        let kind = match pair.as_rule() {
            Rule::property_lookup => {
                let key = self.ident(first_child(
                    &first_child(&pair, "a property key")?,
                    "a name",
                )?);
                ExprKind::Property(Box::new(base), key)
            }
            Rule::index_suffix => {
                let index = self.expression(first_child(&pair, "an index")?)?;
                ExprKind::Index(Box::new(base), Box::new(index))
            }
            Rule::slice_suffix => {
                let mut from = None;
                let mut to = None;
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::slice_from => from = Some(Box::new(self.expression(p)?)),
                        Rule::slice_to => to = Some(Box::new(self.expression(p)?)),
                        _ => {}
                    }
                }
                ExprKind::Slice(Box::new(base), from, to)
            }
            Rule::label_expression => {
                let labels = self.label_expression(pair)?;
                match labels.as_conjunction() {
                    Some(names) => ExprKind::HasLabels(Box::new(base), names),
                    None => ExprKind::LabelMatch(Box::new(base), Box::new(labels)),
                }
            }
            _ => return Err(malformed(&pair, "an expression")),
        };
        Ok(Expr { kind, span })
    }

    fn atom(&self, pair: Pair<'_, Rule>) -> Result<Expr> {
        let span = span_of(&pair);
        let kind = match pair.as_rule() {
            Rule::preparsed_list | Rule::preparsed_map => {
                let taken = self.preparsed.borrow_mut().remove(&span.start);
                return taken.ok_or_else(|| malformed(&pair, "a constant literal"));
            }
            Rule::integer_literal => {
                let value = decode_integer(pair.as_str(), false)
                    .map_err(|e| self.error_at(e, span.start))?;
                ExprKind::Literal(Literal::Int(value))
            }
            Rule::float_literal => {
                let value =
                    decode_float(pair.as_str()).map_err(|e| self.error_at(e, span.start))?;
                ExprKind::Literal(Literal::Float(value))
            }
            Rule::string_literal => {
                let body = first_child(&pair, "a string")?;
                let body_start = body.as_span().start();
                let value = decode_string(body.as_str())
                    .map_err(|(e, at)| self.error_at(e, body_start + at))?;
                ExprKind::Literal(Literal::String(value))
            }
            Rule::boolean_literal => {
                let value = pair.as_str().eq_ignore_ascii_case("true");
                ExprKind::Literal(Literal::Bool(value))
            }
            Rule::null_literal => ExprKind::Literal(Literal::Null),
            Rule::list_literal => ExprKind::List(
                pair.into_inner()
                    .map(|p| self.expression(p))
                    .collect::<Result<Vec<_>>>()?,
            ),
            Rule::map_literal | Rule::constant_map => {
                let constant = pair.as_rule() == Rule::constant_map;
                let mut entries = Vec::new();
                for entry in pair.into_inner() {
                    let mut inner = entry.clone().into_inner();
                    let key = next_pair(&mut inner, &entry, "a key")?;
                    let key = self.ident(first_child(&key, "a key")?);
                    let value = next_pair(&mut inner, &entry, "a value")?;
                    let value = if constant {
                        self.constant(value)?
                    } else {
                        self.expression(value)?
                    };
                    entries.push((key, value));
                }
                ExprKind::Map(entries)
            }
            Rule::constant_list => ExprKind::List(
                pair.into_inner()
                    .map(|p| self.constant(p))
                    .collect::<Result<Vec<_>>>()?,
            ),
            Rule::parameter => {
                let name = first_child(&pair, "a parameter name")?;
                let name = match name.as_rule() {
                    Rule::symbolic_name => self.ident(name).name,
                    _ => name.as_str().to_string(),
                };
                ExprKind::Parameter(name)
            }
            Rule::parenthesized => return self.expression(first_child(&pair, "an expression")?),
            Rule::variable_expression => {
                ExprKind::Variable(self.ident(first_child(&pair, "a variable")?).name)
            }
            Rule::count_star => ExprKind::CountStar,
            Rule::case_expression => self.case(pair)?,
            Rule::function_call => self.function_call_kind(pair)?,
            Rule::list_comprehension => self.list_comprehension_kind(pair)?,
            Rule::pattern_comprehension => self.pattern_comprehension_kind(pair)?,
            Rule::quantified_expression => self.quantified_kind(pair)?,
            Rule::reduce_expression => self.reduce_kind(pair)?,
            Rule::shortest_path_expression => self.shortest_path_kind(pair, span)?,
            Rule::pattern_predicate => {
                let element = self.pattern_element(first_child(&pair, "a pattern")?)?;
                ExprKind::PatternPredicate(element)
            }
            Rule::exists_subquery => self.subquery_kind(SubqueryKind::Exists, pair)?,
            Rule::count_subquery => self.subquery_kind(SubqueryKind::Count, pair)?,
            Rule::collect_subquery => self.subquery_kind(SubqueryKind::Collect, pair)?,
            Rule::map_projection => self.map_projection_kind(pair)?,
            _ => return Err(malformed(&pair, "an expression")),
        };
        Ok(Expr { kind, span })
    }

    /// A value of a `constant_list` or `constant_map`: the expression the general rules
    /// would have made of the same text (`-1` an integer literal, `-1.5` a negation).
    fn constant(&self, pair: Pair<'_, Rule>) -> Result<Expr> {
        if pair.as_rule() != Rule::constant_negative {
            return self.atom(pair);
        }
        let span = span_of(&pair);
        let number = first_child(&pair, "a number")?;
        if number.as_rule() == Rule::integer_literal {
            let value =
                decode_integer(number.as_str(), true).map_err(|e| self.error_at(e, span.start))?;
            return Ok(Expr {
                kind: ExprKind::Literal(Literal::Int(value)),
                span,
            });
        }
        Ok(Expr {
            kind: ExprKind::Unary(UnaryOp::Negate, Box::new(self.atom(number)?)),
            span,
        })
    }

    fn function_call_kind(&self, pair: Pair<'_, Rule>) -> Result<ExprKind> {
        let mut name = Vec::new();
        let mut distinct = false;
        let mut args = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::function_name => name = p.into_inner().map(|n| self.ident(n)).collect(),
                Rule::DISTINCT => distinct = true,
                Rule::expression => args.push(self.expression(p)?),
                _ => {}
            }
        }
        Ok(ExprKind::FunctionCall {
            name,
            distinct,
            args,
        })
    }

    fn list_comprehension_kind(&self, pair: Pair<'_, Rule>) -> Result<ExprKind> {
        let mut parts = None;
        let mut predicate = None;
        let mut projection = None;
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::id_in_list => parts = Some(self.id_in_list(p)?),
                Rule::where_part => predicate = Some(Box::new(self.where_part(p)?)),
                Rule::comprehension_projection => projection = Some(Box::new(self.expression(p)?)),
                _ => {}
            }
        }
        let (variable, list) = parts.ok_or_else(|| malformed(&pair, "a list comprehension"))?;
        Ok(ExprKind::ListComprehension {
            variable,
            list: Box::new(list),
            predicate,
            projection,
        })
    }

    fn pattern_comprehension_kind(&self, pair: Pair<'_, Rule>) -> Result<ExprKind> {
        let mut variable = None;
        let mut pattern = None;
        let mut inline = Vec::new();
        let mut predicate = None;
        let mut projection = None;
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::variable => variable = Some(self.ident(p)),
                Rule::relationships_pattern => {
                    let (converted, conditions) =
                        self.with_inline_predicates(|| self.pattern_element(p))?;
                    pattern = Some(converted);
                    inline = conditions;
                }
                Rule::where_part => predicate = Some(self.where_part(p)?),
                Rule::comprehension_projection => projection = Some(Box::new(self.expression(p)?)),
                _ => {}
            }
        }
        let predicate = conjunction(inline, predicate).map(Box::new);
        let kind = match (pattern, projection) {
            (Some(pattern), Some(projection)) => ExprKind::PatternComprehension {
                variable,
                pattern: Box::new(pattern),
                predicate,
                projection,
            },
            _ => return Err(malformed(&pair, "a pattern comprehension")),
        };
        Ok(kind)
    }

    fn quantified_kind(&self, pair: Pair<'_, Rule>) -> Result<ExprKind> {
        let mut quantifier = None;
        let mut parts = None;
        let mut predicate = None;
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::quantifier => {
                    quantifier = match p.as_str().to_ascii_lowercase().as_str() {
                        "all" => Some(Quantifier::All),
                        "any" => Some(Quantifier::Any),
                        "none" => Some(Quantifier::None),
                        _ => Some(Quantifier::Single),
                    }
                }
                Rule::id_in_list => parts = Some(self.id_in_list(p)?),
                Rule::where_part => predicate = Some(Box::new(self.where_part(p)?)),
                _ => {}
            }
        }
        let kind = match (quantifier, parts) {
            (Some(quantifier), Some((variable, list))) => ExprKind::Quantified {
                quantifier,
                variable,
                list: Box::new(list),
                predicate,
            },
            _ => return Err(malformed(&pair, "a quantifier")),
        };
        Ok(kind)
    }

    fn reduce_kind(&self, pair: Pair<'_, Rule>) -> Result<ExprKind> {
        let mut accumulator = None;
        let mut init = None;
        let mut parts = None;
        let mut body = None;
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::variable => accumulator = Some(self.ident(p)),
                Rule::expression if init.is_none() => init = Some(self.expression(p)?),
                Rule::expression => body = Some(self.expression(p)?),
                Rule::id_in_list => parts = Some(self.id_in_list(p)?),
                _ => {}
            }
        }
        let kind = match (accumulator, init, parts, body) {
            (Some(accumulator), Some(init), Some((variable, list)), Some(expr)) => {
                ExprKind::Reduce {
                    accumulator,
                    init: Box::new(init),
                    variable,
                    list: Box::new(list),
                    expr: Box::new(expr),
                }
            }
            _ => return Err(malformed(&pair, "reduce")),
        };
        Ok(kind)
    }

    fn shortest_path_kind(&self, pair: Pair<'_, Rule>, span: Span) -> Result<ExprKind> {
        // A shortest path used as an expression: a pattern predicate whose
        // element carries the path function is not expressible in the AST, so
        // it is read as a function call over the pattern.
        let inner = first_child(&pair, "a shortest path")?;
        let name = if inner.as_rule() == Rule::shortest_path_pattern {
            "shortestPath"
        } else {
            "allShortestPaths"
        };
        let (_, element) = self.path_function(inner)?;
        let element_span = element.span;
        Ok(ExprKind::FunctionCall {
            name: vec![Ident {
                name: name.to_string(),
                span,
            }],
            distinct: false,
            args: vec![Expr {
                kind: ExprKind::PatternPredicate(element),
                span: element_span,
            }],
        })
    }

    fn subquery_kind(&self, kind: SubqueryKind, pair: Pair<'_, Rule>) -> Result<ExprKind> {
        let mut query = None;
        let mut pattern = None;
        let mut inline = Vec::new();
        let mut where_ = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::query => query = Some(self.query(p)?),
                Rule::pattern => {
                    let (converted, conditions) =
                        self.with_inline_predicates(|| self.pattern(p))?;
                    pattern = Some(converted);
                    inline = conditions;
                }
                Rule::where_part => where_ = Some(self.where_part(p)?),
                _ => {}
            }
        }
        let sub = match (query, pattern) {
            (Some(query), _) => SubqueryBody::Query(query),
            (None, Some(pattern)) => SubqueryBody::Pattern {
                pattern,
                where_: conjunction(inline, where_),
            },
            _ => {
                return Err(Error::syntax(
                    "InvalidSyntax",
                    format!("{} {{ }} needs a pattern or a query", kind.keyword()),
                ))
            }
        };
        Ok(ExprKind::Subquery(kind, Box::new(sub)))
    }

    fn map_projection_kind(&self, pair: Pair<'_, Rule>) -> Result<ExprKind> {
        let mut variable = None;
        let mut items = Vec::new();
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::variable => variable = Some(self.ident(p)),
                Rule::map_projection_all => items.push(MapProjectionItem::AllProperties),
                Rule::map_projection_property => {
                    let key = first_child(&p, "a property key")?;
                    items.push(MapProjectionItem::Property(
                        self.ident(first_child(&key, "a key")?),
                    ));
                }
                Rule::map_projection_literal => {
                    let mut inner = p.clone().into_inner();
                    let key = next_pair(&mut inner, &p, "a key")?;
                    let key = self.ident(first_child(&key, "a key")?);
                    let value = self.expression(next_pair(&mut inner, &p, "a value")?)?;
                    items.push(MapProjectionItem::Literal(key, value));
                }
                Rule::map_projection_variable => {
                    items.push(MapProjectionItem::Variable(
                        self.ident(first_child(&p, "a variable")?),
                    ));
                }
                _ => {}
            }
        }
        let variable = variable.ok_or_else(|| malformed(&pair, "a map projection"))?;
        Ok(ExprKind::MapProjection { variable, items })
    }

    fn case(&self, pair: Pair<'_, Rule>) -> Result<ExprKind> {
        let mut operand = None;
        let mut whens = Vec::new();
        let mut else_ = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::expression => operand = Some(Box::new(self.expression(p)?)),
                Rule::case_alternative => {
                    let mut inner = p
                        .clone()
                        .into_inner()
                        .filter(|e| e.as_rule() == Rule::expression);
                    let when = self.expression(next_pair(&mut inner, &p, "WHEN … THEN")?)?;
                    let then = self.expression(next_pair(&mut inner, &p, "WHEN … THEN")?)?;
                    whens.push((when, then));
                }
                Rule::case_else => {
                    let value = p
                        .clone()
                        .into_inner()
                        .find(|e| e.as_rule() == Rule::expression)
                        .ok_or_else(|| malformed(&p, "ELSE"))?;
                    else_ = Some(Box::new(self.expression(value)?));
                }
                _ => {}
            }
        }
        Ok(ExprKind::Case {
            operand,
            whens,
            else_,
        })
    }

    fn id_in_list(&self, pair: Pair<'_, Rule>) -> Result<(Ident, Expr)> {
        let mut variable = None;
        let mut list = None;
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::variable => variable = Some(self.ident(p)),
                Rule::expression => list = Some(self.expression(p)?),
                _ => {}
            }
        }
        match (variable, list) {
            (Some(v), Some(l)) => Ok((v, l)),
            _ => Err(malformed(&pair, "`variable IN list`")),
        }
    }

    /// A name as written: backtick quotes removed, case kept.
    fn ident(&self, pair: Pair<'_, Rule>) -> Ident {
        let span = span_of(&pair);
        // `variable` and `symbolic_name` wrap one of the two name forms.
        let inner = pair.clone().into_inner().next().unwrap_or(pair);
        let name = match inner.as_rule() {
            Rule::escaped_name => decode_escaped_name(inner.as_str()),
            Rule::symbolic_name | Rule::variable => {
                let leaf = inner.clone().into_inner().next().unwrap_or(inner);
                if leaf.as_rule() == Rule::escaped_name {
                    decode_escaped_name(leaf.as_str())
                } else {
                    leaf.as_str().to_string()
                }
            }
            _ => inner.as_str().to_string(),
        };
        Ident { name, span }
    }
}

/// The conditions written inside a pattern, then the clause's own `WHERE`, joined by AND.
fn conjunction(inline: Vec<Expr>, where_: Option<Expr>) -> Option<Expr> {
    inline.into_iter().chain(where_).reduce(|all, next| {
        let start = all.span.start;
        binary(BinaryOp::And, all, next, start)
    })
}

/// The error for a `WHERE` inside a relationship that repeats (`*`, `{m,n}`, `+`).
fn inline_where_on_repeated(converter: &Converter<'_>, at: usize) -> Error {
    converter.error_at(
        Error::syntax(
            "InvalidRelationshipPattern",
            "a WHERE inside a repeated relationship is not supported: write the group \
             form, as ((a)-[r:R]->(b) WHERE r.weight > 1){1,3}",
        ),
        at,
    )
}

/// `lhs op rhs`, written from byte `start` to the end of `rhs`.
fn binary(op: BinaryOp, lhs: Expr, rhs: Expr, start: usize) -> Expr {
    let span = Span {
        start,
        end: rhs.span.end,
    };
    Expr {
        kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
        span,
    }
}

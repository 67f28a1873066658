//! Expressions compiled against the rows they read: what the operators evaluate.
//!
//! An operator is built with the layout of its input rows (the variables' order), so
//! every variable an expression names becomes, once, the index of its slot in the row
//! or the depth of a comprehension's local variable; parameters and literals become
//! constants, function names their lower-cased form, subqueries a reference to the plan
//! the planner made for them. Evaluating (see `eval`) then reads slots by index: no name
//! is looked up while rows flow, and a variable that is nowhere to be found is an error
//! before the first row, not in the middle of a run.

use super::eval::KeyName;
use super::Ctx;
use crate::ast::{self, BinaryOp, CompareOp, Expr, ExprKind, SubqueryKind, UnaryOp};
use crate::bound;
use crate::catalog::aggregates::is_aggregate_call;
use crate::error::{Error, ErrorClass, Result};
use crate::plan::{SubPlan, SubPlans};
use crate::value::Value;
use crate::Params;

/// An expression ready to evaluate on rows of one layout.
pub(crate) struct Compiled<'p> {
    pub kind: Kind<'p>,
    /// Where the expression is written (a byte offset), for the position of its errors.
    pub at: usize,
}

pub(crate) enum Kind<'p> {
    Constant(Value),
    /// The value in this slot of the row.
    Slot(usize),
    /// A comprehension's, quantifier's or reduce's variable: 0 is the innermost.
    Local(usize),
    List(Vec<Compiled<'p>>),
    Map(Vec<(&'p str, Compiled<'p>)>),
    Property(Box<Compiled<'p>>, KeyName<'p>),
    Index(Box<Compiled<'p>>, Box<Compiled<'p>>),
    Slice(
        Box<Compiled<'p>>,
        Option<Box<Compiled<'p>>>,
        Option<Box<Compiled<'p>>>,
    ),
    Binary(BinaryOp, Box<Compiled<'p>>, Box<Compiled<'p>>),
    Unary(UnaryOp, Box<Compiled<'p>>),
    Compare(Box<Compiled<'p>>, Vec<(CompareOp, Compiled<'p>)>),
    IsNull(Box<Compiled<'p>>, bool),
    HasLabels(Box<Compiled<'p>>, &'p [ast::Ident]),
    LabelMatch(Box<Compiled<'p>>, &'p ast::LabelExpr),
    /// An aggregation call: its value comes from the aggregation operator, by where
    /// the call is written.
    Aggregate(ast::Span),
    Function(Function, Vec<Compiled<'p>>),
    Coalesce(Vec<Compiled<'p>>),
    Case {
        operand: Option<Box<Compiled<'p>>>,
        whens: Vec<(Compiled<'p>, Compiled<'p>)>,
        else_: Option<Box<Compiled<'p>>>,
    },
    /// `[x IN list WHERE pred | proj]`: the predicate and projection see `x` as local 0.
    ListComprehension {
        list: Box<Compiled<'p>>,
        predicate: Option<Box<Compiled<'p>>>,
        projection: Option<Box<Compiled<'p>>>,
    },
    Quantified {
        quantifier: ast::Quantifier,
        list: Box<Compiled<'p>>,
        predicate: Option<Box<Compiled<'p>>>,
    },
    /// `reduce(acc = init, x IN list | expr)`: `expr` sees `x` as local 0, `acc` as 1.
    Reduce {
        init: Box<Compiled<'p>>,
        list: Box<Compiled<'p>>,
        expr: Box<Compiled<'p>>,
    },
    MapProjection {
        base: Box<Compiled<'p>>,
        items: Vec<MapItem<'p>>,
    },
    /// A pattern predicate, `EXISTS`, a pattern comprehension or `shortestPath` as an
    /// expression: the subquery's plan runs on a row of `imports`.
    Subquery {
        plan: &'p SubPlan,
        imports: Vec<Compiled<'p>>,
        gives: Gives<'p>,
    },
}

/// A function resolved when compiled; the ones that read the store are told apart.
pub(crate) enum Function {
    Id,
    Type,
    Labels,
    StartNode,
    EndNode,
    /// `sources(x)`, `sources(x, key)`: who asserts an element or property.
    Sources,
    /// `claims(x, key)`: every source's value for a property.
    Claims,
    /// `valid_at(x, t)`: whether an element is valid at an instant.
    ValidAt,
    /// Any other scalar function, by its lower-cased dotted name.
    Scalar(String),
}

pub(crate) enum MapItem<'p> {
    Property(&'p str),
    AllProperties,
    Entry(&'p str, Compiled<'p>),
}

/// What a subquery expression makes of the rows its plan gives.
pub(crate) enum Gives<'p> {
    /// Whether there is one.
    Exists,
    /// How many there are.
    Count,
    /// The value in this slot of each.
    Column(usize),
    /// The projection of each (compiled against the subquery's layout).
    List(Box<Compiled<'p>>),
    /// The path in this slot of the first row, or of every row (`all`).
    Paths { slot: Option<usize>, all: bool },
}

/// What compiling reads besides the expression: the parameters (folded in as
/// constants), the subqueries' plans, and the statement's text for error positions.
#[derive(Clone, Copy)]
pub(crate) struct Scope<'p> {
    pub params: &'p Params,
    pub subplans: &'p SubPlans,
    pub text: &'p str,
}

impl<'p> Scope<'p> {
    pub fn of(ctx: &Ctx<'p, '_>) -> Scope<'p> {
        Scope {
            params: ctx.params,
            subplans: ctx.subplans,
            text: ctx.text,
        }
    }

    /// Compiles `e` for rows laid out as `layout`.
    pub fn compile(self, e: &'p Expr, layout: &[String]) -> Result<Compiled<'p>> {
        Compiler {
            scope: self,
            layout,
            locals: Vec::new(),
        }
        .expr(e)
    }

    /// The variable `name` (written at byte `at`) of rows laid out as `layout`.
    pub fn variable(self, name: &str, at: usize, layout: &[String]) -> Result<Compiled<'p>> {
        let compiler = Compiler {
            scope: self,
            layout,
            locals: Vec::new(),
        };
        Ok(Compiled {
            kind: compiler.variable(name).map_err(|e| e.at(self.text, at))?,
            at,
        })
    }

    /// Compiles an optional expression.
    pub fn compile_opt(
        self,
        e: Option<&'p Expr>,
        layout: &[String],
    ) -> Result<Option<Compiled<'p>>> {
        e.map(|e| self.compile(e, layout)).transpose()
    }
}

/// Compiles `e` for rows laid out as `layout`.
pub(crate) fn compile<'p>(
    ctx: &Ctx<'p, '_>,
    e: &'p Expr,
    layout: &[String],
) -> Result<Compiled<'p>> {
    Scope::of(ctx).compile(e, layout)
}

/// Compiles an optional expression.
pub(crate) fn compile_opt<'p>(
    ctx: &Ctx<'p, '_>,
    e: Option<&'p Expr>,
    layout: &[String],
) -> Result<Option<Compiled<'p>>> {
    Scope::of(ctx).compile_opt(e, layout)
}

/// Compiles each expression of `es`.
pub(crate) fn compile_all<'p>(
    ctx: &Ctx<'p, '_>,
    es: &'p [Expr],
    layout: &[String],
) -> Result<Vec<Compiled<'p>>> {
    let scope = Scope::of(ctx);
    es.iter().map(|e| scope.compile(e, layout)).collect()
}

struct Compiler<'c, 'p> {
    scope: Scope<'p>,
    layout: &'c [String],
    /// The local variables in scope, innermost last.
    locals: Vec<&'p str>,
}

fn undefined(name: &str) -> Error {
    Error::syntax(
        "UndefinedVariable",
        format!("variable `{}` is not defined", name.trim()),
    )
}

impl<'p> Compiler<'_, 'p> {
    fn expr(&mut self, e: &'p Expr) -> Result<Compiled<'p>> {
        let kind = self
            .kind(e)
            .map_err(|err| err.at(self.scope.text, e.span.start))?;
        Ok(Compiled {
            kind,
            at: e.span.start,
        })
    }

    fn boxed(&mut self, e: &'p Expr) -> Result<Box<Compiled<'p>>> {
        self.expr(e).map(Box::new)
    }

    fn opt(&mut self, e: Option<&'p Expr>) -> Result<Option<Box<Compiled<'p>>>> {
        e.map(|e| self.boxed(e)).transpose()
    }

    fn all(&mut self, es: &'p [Expr]) -> Result<Vec<Compiled<'p>>> {
        es.iter().map(|e| self.expr(e)).collect()
    }

    /// Compiles `e` with `names` in scope as locals (the last one innermost).
    fn with_locals(&mut self, names: &[&'p str], e: &'p Expr) -> Result<Box<Compiled<'p>>> {
        self.locals.extend_from_slice(names);
        let out = self.boxed(e);
        self.locals.truncate(self.locals.len() - names.len());
        out
    }

    /// A variable: a local when one is in scope by that name, else the row's first
    /// slot of that name (a projection's columns come before, and shadow, the
    /// variables it keeps for ORDER BY).
    fn variable(&self, name: &str) -> Result<Kind<'p>> {
        if let Some(depth) = self.locals.iter().rev().position(|n| *n == name) {
            return Ok(Kind::Local(depth));
        }
        self.layout
            .iter()
            .position(|n| n == name)
            .map(Kind::Slot)
            .ok_or_else(|| undefined(name))
    }

    fn kind(&mut self, e: &'p Expr) -> Result<Kind<'p>> {
        Ok(match &e.kind {
            ExprKind::Literal(l) => Kind::Constant(match l {
                ast::Literal::Null => Value::Null,
                ast::Literal::Bool(b) => Value::Bool(*b),
                ast::Literal::Int(i) => Value::Int(*i),
                ast::Literal::Float(f) => Value::Float(*f),
                ast::Literal::String(s) => Value::String(s.clone()),
            }),
            ExprKind::Parameter(name) => {
                Kind::Constant(self.scope.params.get(name).cloned().ok_or_else(|| {
                    Error::new(
                        ErrorClass::ParameterMissing,
                        "MissingParameter",
                        format!("expected a value for parameter ${name}"),
                    )
                })?)
            }
            ExprKind::Variable(name) => self.variable(name)?,
            ExprKind::List(items) => Kind::List(self.all(items)?),
            ExprKind::Map(entries) => Kind::Map(
                entries
                    .iter()
                    .map(|(k, v)| Ok((k.name.as_str(), self.expr(v)?)))
                    .collect::<Result<_>>()?,
            ),
            ExprKind::Property(target, key) => {
                Kind::Property(self.boxed(target)?, KeyName::new(&key.name))
            }
            ExprKind::Index(target, index) => Kind::Index(self.boxed(target)?, self.boxed(index)?),
            ExprKind::Slice(target, from, to) => Kind::Slice(
                self.boxed(target)?,
                self.opt(from.as_deref())?,
                self.opt(to.as_deref())?,
            ),
            ExprKind::Binary(op, a, b) => Kind::Binary(*op, self.boxed(a)?, self.boxed(b)?),
            ExprKind::Unary(op, a) => Kind::Unary(*op, self.boxed(a)?),
            ExprKind::Compare(first, rest) => Kind::Compare(
                self.boxed(first)?,
                rest.iter()
                    .map(|(op, x)| Ok((*op, self.expr(x)?)))
                    .collect::<Result<_>>()?,
            ),
            ExprKind::IsNull(x, negated) => Kind::IsNull(self.boxed(x)?, *negated),
            ExprKind::HasLabels(x, labels) => Kind::HasLabels(self.boxed(x)?, labels),
            ExprKind::LabelMatch(x, labels) => Kind::LabelMatch(self.boxed(x)?, labels),
            ExprKind::CountStar => Kind::Aggregate(e.span),
            ExprKind::FunctionCall { name, args, .. } => {
                if is_aggregate_call(e) {
                    return Ok(Kind::Aggregate(e.span));
                }
                self.function(e, name, args)?
            }
            ExprKind::Case {
                operand,
                whens,
                else_,
            } => Kind::Case {
                operand: self.opt(operand.as_deref())?,
                whens: whens
                    .iter()
                    .map(|(w, t)| Ok((self.expr(w)?, self.expr(t)?)))
                    .collect::<Result<_>>()?,
                else_: self.opt(else_.as_deref())?,
            },
            ExprKind::ListComprehension {
                variable,
                list,
                predicate,
                projection,
            } => Kind::ListComprehension {
                list: self.boxed(list)?,
                predicate: predicate
                    .as_deref()
                    .map(|p| self.with_locals(&[&variable.name], p))
                    .transpose()?,
                projection: projection
                    .as_deref()
                    .map(|p| self.with_locals(&[&variable.name], p))
                    .transpose()?,
            },
            ExprKind::Quantified {
                quantifier,
                variable,
                list,
                predicate,
            } => Kind::Quantified {
                quantifier: *quantifier,
                list: self.boxed(list)?,
                predicate: predicate
                    .as_deref()
                    .map(|p| self.with_locals(&[&variable.name], p))
                    .transpose()?,
            },
            ExprKind::Reduce {
                accumulator,
                init,
                variable,
                list,
                expr,
            } => Kind::Reduce {
                init: self.boxed(init)?,
                list: self.boxed(list)?,
                expr: self.with_locals(&[&accumulator.name, &variable.name], expr)?,
            },
            ExprKind::MapProjection { variable, items } => Kind::MapProjection {
                base: Box::new(Compiled {
                    kind: self.variable(&variable.name)?,
                    at: variable.span.start,
                }),
                items: items
                    .iter()
                    .map(|item| {
                        Ok(match item {
                            ast::MapProjectionItem::Property(k) => MapItem::Property(&k.name),
                            ast::MapProjectionItem::AllProperties => MapItem::AllProperties,
                            ast::MapProjectionItem::Literal(k, x) => {
                                MapItem::Entry(&k.name, self.expr(x)?)
                            }
                            ast::MapProjectionItem::Variable(v) => MapItem::Entry(
                                &v.name,
                                Compiled {
                                    kind: self.variable(&v.name)?,
                                    at: v.span.start,
                                },
                            ),
                        })
                    })
                    .collect::<Result<_>>()?,
            },
            ExprKind::PatternPredicate(_) | ExprKind::Subquery(SubqueryKind::Exists, _) => {
                self.subquery(e, |_, _| Ok(Gives::Exists))?
            }
            ExprKind::Subquery(SubqueryKind::Count, _) => {
                self.subquery(e, |_, _| Ok(Gives::Count))?
            }
            ExprKind::Subquery(SubqueryKind::Collect, _) => self.subquery(e, |_, plan| {
                // The binder saw to it that the query returns one column.
                Ok(Gives::Column(plan.layout.len().saturating_sub(1)))
            })?,
            ExprKind::PatternComprehension { projection, .. } => {
                self.subquery(e, |compiler, plan| {
                    // The projection reads the subquery's rows (it imports what the
                    // projection needs from outside).
                    let mut inner = Compiler {
                        scope: compiler.scope,
                        layout: &plan.layout,
                        locals: Vec::new(),
                    };
                    Ok(Gives::List(inner.boxed(projection)?))
                })?
            }
        })
    }

    /// A function call that is not an aggregation.
    fn function(&mut self, e: &'p Expr, name: &[ast::Ident], args: &'p [Expr]) -> Result<Kind<'p>> {
        let name = name
            .iter()
            .map(|n| n.name.to_lowercase())
            .collect::<Vec<_>>()
            .join(".");
        let pattern_arg = match args {
            [arg] if matches!(arg.kind, ExprKind::PatternPredicate(_)) => Some(arg),
            _ => None,
        };
        Ok(match (name.as_str(), pattern_arg) {
            ("shortestpath" | "allshortestpaths", Some(_)) => {
                let all = name == "allshortestpaths";
                self.subquery(e, |_, plan| {
                    Ok(Gives::Paths {
                        slot: plan.layout.iter().position(|n| n == bound::PATH_VARIABLE),
                        all,
                    })
                })?
            }
            // `exists(pattern)` asks whether the pattern matches.
            ("exists", Some(arg)) => self.kind(arg)?,
            // `exists(expr)` whether the value is not null.
            ("exists", None) => match args {
                [arg] => Kind::IsNull(self.boxed(arg)?, true),
                _ => {
                    return Err(Error::syntax(
                        "InvalidNumberOfArguments",
                        "exists() takes one argument",
                    ))
                }
            },
            ("coalesce", _) => Kind::Coalesce(self.all(args)?),
            _ => {
                let function = match name.as_str() {
                    "id" => Function::Id,
                    "type" => Function::Type,
                    "labels" => Function::Labels,
                    "startnode" => Function::StartNode,
                    "endnode" => Function::EndNode,
                    "sources" => Function::Sources,
                    "claims" => Function::Claims,
                    "valid_at" => Function::ValidAt,
                    _ => Function::Scalar(name),
                };
                Kind::Function(function, self.all(args)?)
            }
        })
    }

    /// The subquery written as `e`, with its imports compiled in this scope.
    fn subquery(
        &mut self,
        e: &'p Expr,
        gives: impl FnOnce(&mut Self, &'p SubPlan) -> Result<Gives<'p>>,
    ) -> Result<Kind<'p>> {
        let plan = self.scope.subplans.get(e.span).ok_or_else(|| {
            Error::new(
                ErrorClass::SemanticError,
                "UnplannedSubquery",
                "this subquery was not planned (a skein bug: please report the query)",
            )
        })?;
        let imports = plan
            .imports
            .iter()
            .map(|name| {
                Ok(Compiled {
                    kind: self.variable(name)?,
                    at: e.span.start,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Kind::Subquery {
            plan,
            imports,
            gives: gives(self, plan)?,
        })
    }
}

impl<'p> Compiled<'p> {
    /// The slot this expression reads, when it is a bare variable of the row.
    pub fn slot(&self) -> Option<usize> {
        match self.kind {
            Kind::Slot(i) => Some(i),
            _ => None,
        }
    }

    /// An expression that is `value`.
    pub fn constant_value(value: Value) -> Compiled<'p> {
        Compiled {
            kind: Kind::Constant(value),
            at: 0,
        }
    }
}

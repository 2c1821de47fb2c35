//! Loop variables in scope, integer expressions, and the count of the loop iterations a
//! loop nest will expand, computed before expanding it.
//!
//! The count is exact. Where the bounds of the inner loops do not depend on the
//! variable of the loop around them it is found in closed form, as the product of the
//! iteration counts (so `sum(i, 1, 10^11, ...)` or a 10^5 x 10^5 nest is rejected at
//! once); otherwise the outer range is walked, evaluating the inner bounds only, and the
//! walk stops as soon as the count exceeds the budget.

use std::collections::HashMap;
use std::rc::Rc;

use super::ast::{IExpr, IKind, LoopNode, Node, NodeKind};
use super::error::ExprError;
use crate::num::Binary;

/// The loop variables in scope and their current values, innermost last.
pub(crate) type Scope<'n> = Vec<(&'n str, i64)>;

/// The value of the loop variable `name`.
pub(crate) fn lookup(scope: &Scope, name: &str) -> Option<i64> {
    scope
        .iter()
        .rev()
        .find(|(n, _)| *n == name)
        .map(|&(_, v)| v)
}

/// The value of an integer expression (with overflow checks).
pub(crate) fn eval_int(e: &IExpr, scope: &Scope) -> Result<i64, ExprError> {
    let overflow = || {
        ExprError::new(
            e.span,
            "integer overflow: the value of this integer expression does not fit an i64",
        )
    };
    match &e.kind {
        IKind::Lit(k) => Ok(*k),
        IKind::Var(n) => lookup(scope, n)
            .ok_or_else(|| ExprError::new(e.span, format!("undefined loop variable '{n}'"))),
        IKind::Neg(a) => eval_int(a, scope)?.checked_neg().ok_or_else(overflow),
        IKind::Chain(first, rest) => {
            let mut acc = eval_int(first, scope)?;
            for (op, a) in rest {
                let b = eval_int(a, scope)?;
                acc = match op {
                    Binary::Add => acc.checked_add(b),
                    Binary::Sub => acc.checked_sub(b),
                    _ => acc.checked_mul(b),
                }
                .ok_or_else(overflow)?;
            }
            Ok(acc)
        }
    }
}

/// The range `lo..=hi` of a loop in `scope`, `None` when empty.
pub(crate) fn range(l: &LoopNode, scope: &Scope) -> Result<Option<(i64, i64)>, ExprError> {
    let lo = eval_int(&l.from, scope)?;
    let hi = eval_int(&l.to, scope)?;
    Ok((lo <= hi).then_some((lo, hi)))
}

/// What the counter needs to know about a loop.
struct Info<'n> {
    /// the loops directly inside its body (not inside another inner loop)
    children: Vec<&'n LoopNode>,
    /// whether the bounds of a loop inside it use its variable
    dependent: bool,
}

/// Counts the iterations of loop nests.
pub(crate) struct Counter<'n> {
    info: HashMap<*const LoopNode, Rc<Info<'n>>>,
    /// false once a count stopped early (or saturated) because it exceeded the budget
    pub exact: bool,
}

impl<'n> Counter<'n> {
    pub fn new() -> Self {
        Counter {
            info: HashMap::new(),
            exact: true,
        }
    }

    fn info(&mut self, l: &'n LoopNode) -> Rc<Info<'n>> {
        let key = l as *const LoopNode;
        if !self.info.contains_key(&key) {
            self.survey(l, &mut Vec::new(), &mut HashMap::new());
        }
        self.info[&key].clone()
    }

    /// Records the [`Info`] of `l` and of every loop inside it, in one walk over the
    /// nest that takes time and memory in proportion to its size: `path` holds whether
    /// each loop enclosing `l` (outermost first) is dependent so far, and `by_var` the
    /// positions in `path` of the loops of each variable name (innermost last), so that
    /// a name in a bound marks the loop it is the variable of.
    fn survey(
        &mut self,
        l: &'n LoopNode,
        path: &mut Vec<bool>,
        by_var: &mut HashMap<&'n str, Vec<usize>>,
    ) {
        let mut names = Vec::new();
        int_names(&l.from, &mut names);
        int_names(&l.to, &mut names);
        for n in names {
            if let Some(&k) = by_var.get(n).and_then(|v| v.last()) {
                path[k] = true;
            }
        }
        let mut children = Vec::new();
        collect_loops(&l.body, &mut children);
        by_var.entry(l.var.as_str()).or_default().push(path.len());
        path.push(false);
        for c in &children {
            self.survey(c, path, by_var);
        }
        let dependent = path.pop().expect("pushed above");
        by_var.get_mut(l.var.as_str()).expect("pushed above").pop();
        self.info.insert(
            l as *const LoopNode,
            Rc::new(Info {
                children,
                dependent,
            }),
        );
    }

    /// The number of iterations that expanding `l` in `scope` takes, the loops inside it
    /// included: exact when at most `budget`, else some number above `budget` (exact
    /// too if [`Counter::exact`] stays true).
    pub fn cost(
        &mut self,
        l: &'n LoopNode,
        scope: &mut Scope<'n>,
        budget: u128,
    ) -> Result<u128, ExprError> {
        let Some((lo, hi)) = range(l, scope)? else {
            return Ok(0);
        };
        let n = (i128::from(hi) - i128::from(lo) + 1) as u128;
        let info = self.info(l);
        if info.children.is_empty() {
            return Ok(n);
        }
        if !info.dependent {
            // every iteration expands the same inner loops: count them once
            scope.push((l.var.as_str(), lo));
            let per = self.children_cost(&info, scope, budget);
            scope.pop();
            let total = n.checked_mul(per?.saturating_add(1));
            if total.is_none() {
                self.exact = false;
            }
            return Ok(total.unwrap_or(u128::MAX));
        }
        let mut acc: u128 = 0;
        for i in lo..=hi {
            acc += 1;
            scope.push((l.var.as_str(), i));
            let per = self.children_cost(&info, scope, budget.saturating_sub(acc));
            scope.pop();
            acc = acc.saturating_add(per?);
            if acc > budget {
                if i < hi {
                    self.exact = false;
                }
                break;
            }
        }
        Ok(acc)
    }

    /// The iterations of one pass over the loops directly inside a loop's body.
    fn children_cost(
        &mut self,
        info: &Info<'n>,
        scope: &mut Scope<'n>,
        budget: u128,
    ) -> Result<u128, ExprError> {
        let mut sum: u128 = 0;
        for (k, c) in info.children.iter().enumerate() {
            sum = sum.saturating_add(self.cost(c, scope, budget.saturating_sub(sum))?);
            if sum > budget {
                if k + 1 < info.children.len() {
                    self.exact = false;
                }
                break;
            }
        }
        if sum == u128::MAX {
            self.exact = false;
        }
        Ok(sum)
    }
}

/// The loops of `node` that are not inside another loop of `node`.
fn collect_loops<'n>(node: &'n Node, out: &mut Vec<&'n LoopNode>) {
    match &node.kind {
        NodeKind::Num { .. } | NodeKind::Name(_) | NodeKind::Index(_) => {}
        NodeKind::Neg(a) | NodeKind::Powi(a, _) | NodeKind::Call1(_, a) => collect_loops(a, out),
        NodeKind::Pow(a, b) | NodeKind::Call2(_, a, b) => {
            collect_loops(a, out);
            collect_loops(b, out);
        }
        NodeKind::Chain { first, rest } => {
            collect_loops(first, out);
            for (_, _, n) in rest {
                collect_loops(n, out);
            }
        }
        NodeKind::Loop(l) => out.push(l),
    }
}

/// The names used by an integer expression.
fn int_names<'n>(e: &'n IExpr, out: &mut Vec<&'n str>) {
    match &e.kind {
        IKind::Lit(_) => {}
        IKind::Var(n) => out.push(n),
        IKind::Neg(a) => int_names(a, out),
        IKind::Chain(first, rest) => {
            int_names(first, out);
            for (_, a) in rest {
                int_names(a, out);
            }
        }
    }
}

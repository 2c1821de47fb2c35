//! The compiler of the formula language: resolves names and shapes, expands loops with
//! their integer bounds and indices, and emits one hash-consed [`Program`] for all the
//! outputs, within the resource [`Limits`].
//!
//! Compiling an output runs three passes: parsing (syntax, functions, arities, nesting
//! depth), checking (every name is defined and used according to its shape, indices and
//! bounds are integer expressions over loop variables, no loop variable shadows a name;
//! done on the whole formula, also inside loops whose range turns out empty) and
//! expansion (index ranges, loop and program-size limits, instruction emission).

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use super::ast::{constant, function, IExpr, IKind, IndexNode, LoopNode, Node, NodeKind};
use super::env::{Binding, Env, Shape};
use super::error::{ExprError, Span};
use super::loops::{eval_int, lookup, range, Counter, Scope};
use super::parser::{parse, INTEGER_EXPRESSION};
use super::program::{Instr, Program};
use crate::num::{Binary, Unary};

/// Resource limits of a compilation, all checked while compiling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// maximum nesting depth of a formula: parentheses, calls, indices, minus signs and
    /// exponents each add a level (default 200). The parser and the compiler recurse
    /// once per level, using at most a few kilobytes of stack per level: the default
    /// fits easily in a 2 MB thread stack, a much larger limit may need a larger one.
    pub max_depth: usize,
    /// maximum total number of loop iterations expanded by one [`Compiler`], over all its
    /// outputs (default 10^7). A loop is checked against what is left before it is
    /// expanded, so a huge loop fails at once.
    pub max_loop_iterations: u64,
    /// maximum number of instructions of the program (default 10^7)
    pub max_instructions: usize,
    /// maximum number of formula nodes expanded by one [`Compiler`], over all its
    /// outputs (default 10^9): each loop iteration and each generated output expands
    /// its formula anew, and sharing removes the repeated instructions but not the
    /// work of expanding them, which this bounds
    pub max_expanded: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 200,
            max_loop_iterations: 10_000_000,
            max_instructions: 10_000_000,
            max_expanded: 1_000_000_000,
        }
    }
}

/// The loop variables in scope while a formula is checked (a set: no loop variable
/// shadows another, and a set finds one in a deep nest without walking the nest).
type Names<'n> = HashSet<&'n str>;

/// An instruction as a hash key: constants by their bit pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Key {
    Input(usize),
    Const(u64),
    Unary(Unary, usize),
    Binary(Binary, usize, usize),
}

impl Key {
    fn of(ins: Instr) -> Key {
        match ins {
            Instr::Input(k) => Key::Input(k),
            Instr::Const(c) => Key::Const(c.to_bits()),
            Instr::Unary(op, a) => Key::Unary(op, a),
            Instr::Binary(op, a, b) => Key::Binary(op, a, b),
        }
    }
}

/// A fast hasher for the small keys of the hash-consing table: a multiplicative
/// combination of the words, finished with the MurmurHash3 avalanche so that every bit
/// of the keys (e.g. the high bits of small integers as f64) reaches the low bits.
#[derive(Default)]
struct KeyHasher(u64);

impl KeyHasher {
    #[inline]
    fn add(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(23) ^ x).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.add(u64::from(b));
        }
    }
    fn write_u8(&mut self, x: u8) {
        self.add(u64::from(x));
    }
    fn write_u32(&mut self, x: u32) {
        self.add(u64::from(x));
    }
    fn write_i32(&mut self, x: i32) {
        self.add(x as u32 as u64);
    }
    fn write_u64(&mut self, x: u64) {
        self.add(x);
    }
    fn write_usize(&mut self, x: usize) {
        self.add(x as u64);
    }
    fn write_isize(&mut self, x: isize) {
        self.add(x as u64);
    }
}

/// Compiles output formulas into one [`Program`], sharing common subexpressions across
/// outputs.
///
/// Loop variables may not shadow anything: a loop variable (or a binding of
/// [`Compiler::add_output`]) named like an input, a constant, a built-in constant, a
/// function or an enclosing loop variable is an error.
///
/// Each [`Compiler::add_output`] either adds its output or, on error, leaves the
/// compiler as it was.
#[derive(Debug)]
pub struct Compiler<'a> {
    env: &'a Env,
    limits: Limits,
    instrs: Vec<Instr>,
    memo: HashMap<Key, usize, BuildHasherDefault<KeyHasher>>,
    outputs: Vec<usize>,
    /// loop iterations used so far
    iterations: u64,
    /// true while expanding a loop, whose iterations are already counted
    in_loop: bool,
    /// formula nodes expanded so far
    expanded: u64,
}

impl<'a> Compiler<'a> {
    /// A compiler for formulas over the names of `env`.
    pub fn new(env: &'a Env, limits: Limits) -> Self {
        Compiler {
            env,
            limits,
            instrs: Vec::new(),
            memo: HashMap::default(),
            outputs: Vec::new(),
            iterations: 0,
            in_loop: false,
            expanded: 0,
        }
    }

    /// Compiles one output formula; `bindings` are integer loop variables already bound
    /// (used for generated outputs `{ for = "j", from = 1, to = 3, expr = "..." }`).
    ///
    /// Errors carry a byte span into `text`; an error about a binding itself (a name
    /// that shadows another) spans the whole text.
    pub fn add_output(&mut self, text: &str, bindings: &[(&str, i64)]) -> Result<(), ExprError> {
        let node = parse(text, self.limits.max_depth)?;
        let whole = Span::new(0, text.len());
        let mut names = Names::with_capacity(bindings.len());
        for &(name, _) in bindings {
            if let Some(why) = self.binding_error_in(name, &names) {
                return Err(ExprError::new(whole, format!("the binding '{name}' {why}")));
            }
            names.insert(name);
        }
        self.check(&node, &mut names)?;
        let (n_instrs, iterations, expanded) = (self.instrs.len(), self.iterations, self.expanded);
        let mut scope: Scope = bindings.to_vec();
        match self.expand(&node, &mut scope) {
            Ok(out) => {
                self.outputs.push(out);
                Ok(())
            }
            Err(e) => {
                for ins in self.instrs.drain(n_instrs..) {
                    self.memo.remove(&Key::of(ins));
                }
                self.iterations = iterations;
                self.expanded = expanded;
                Err(e)
            }
        }
    }

    /// The program of all outputs added so far, in the order they were added.
    pub fn finish(self) -> Program {
        Program {
            instrs: self.instrs,
            outputs: self.outputs,
            n_inputs: self.env.n_inputs(),
        }
    }

    /// Why `name` cannot be the variable of a generated output (not a name of the
    /// language, or the name of an input, constant or function), or `None`.
    pub fn binding_error(&self, name: &str) -> Option<String> {
        self.binding_error_in(name, &Names::new())
    }

    /// [`Compiler::binding_error`] inside the bindings `scope`.
    fn binding_error_in(&self, name: &str, scope: &Names) -> Option<String> {
        if !super::env::is_identifier(name) {
            return Some(
                "is not a valid name (letters, digits and '_', not starting with a digit)"
                    .to_string(),
            );
        }
        self.shadows(name, scope)
    }

    /// Why a loop variable called `name` is not allowed, if it is not.
    fn shadows(&self, name: &str, scope: &Names) -> Option<String> {
        if scope.contains(name) {
            return Some(format!("shadows the enclosing loop variable '{name}'"));
        }
        match self.env.get(name) {
            Some(Binding::Input { .. }) => return Some(format!("shadows the input '{name}'")),
            Some(Binding::Constant { .. }) => {
                return Some(format!("shadows the constant '{name}'"))
            }
            None => {}
        }
        if constant(name).is_some() {
            return Some(format!("shadows the built-in constant '{name}'"));
        }
        if function(name).is_some() {
            return Some(format!("is named like the function '{name}'"));
        }
        None
    }

    /// Checks names, shapes and integer expressions of the whole formula (`scope`: the
    /// loop variables in scope).
    fn check<'n>(&self, node: &'n Node, scope: &mut Names<'n>) -> Result<(), ExprError> {
        match &node.kind {
            NodeKind::Num { .. } => Ok(()),
            NodeKind::Name(n) => {
                if scope.contains(n.as_str()) {
                    return Ok(());
                }
                match self.env.get(n) {
                    Some(Binding::Input { shape, .. } | Binding::Constant { shape, .. }) => {
                        match shape {
                            Shape::Scalar => Ok(()),
                            Shape::Vector(l) => Err(ExprError::new(
                                node.span,
                                format!(
                                    "'{n}' is a vector of length {l}: use an element, e.g. '{n}[1]'"
                                ),
                            )),
                        }
                    }
                    None if constant(n).is_some() => Ok(()),
                    None if function(n).is_some() => Err(ExprError::new(
                        node.span,
                        format!("'{n}' is a function: call it, e.g. '{n}(...)'"),
                    )),
                    None => Err(ExprError::new(node.span, format!("undefined name '{n}'"))),
                }
            }
            NodeKind::Index(ix) => {
                let IndexNode {
                    name,
                    name_span,
                    index,
                } = &**ix;
                let what = if scope.contains(name.as_str()) {
                    "is a loop variable"
                } else {
                    match self.env.get(name) {
                        Some(
                            Binding::Input {
                                shape: Shape::Vector(l),
                                ..
                            }
                            | Binding::Constant {
                                shape: Shape::Vector(l),
                                ..
                            },
                        ) => {
                            self.check_int(index, &format!("the index of '{name}'"), scope)?;
                            // an index without loop variables is checked here, so that an
                            // error is reported even where no iteration reaches it
                            if is_closed(index) {
                                let k = eval_int(index, &Vec::new())?;
                                check_index(k, *l, name, index.span)?;
                            }
                            return Ok(());
                        }
                        Some(_) => "is a scalar",
                        None if constant(name).is_some() => "is a scalar constant",
                        None => {
                            return Err(ExprError::new(
                                *name_span,
                                format!("undefined name '{name}'"),
                            ))
                        }
                    }
                };
                Err(ExprError::new(
                    node.span,
                    format!("'{name}' {what} and cannot be indexed"),
                ))
            }
            NodeKind::Neg(a) | NodeKind::Powi(a, _) | NodeKind::Call1(_, a) => self.check(a, scope),
            NodeKind::Pow(a, b) | NodeKind::Call2(_, a, b) => {
                self.check(a, scope)?;
                self.check(b, scope)
            }
            NodeKind::Chain { first, rest } => {
                self.check(first, scope)?;
                rest.iter().try_for_each(|(_, _, n)| self.check(n, scope))
            }
            NodeKind::Loop(l) => {
                let LoopNode {
                    prod,
                    var,
                    var_span,
                    from,
                    to,
                    body,
                } = &**l;
                let f = if *prod { "prod" } else { "sum" };
                if let Some(why) = self.shadows(var, scope) {
                    return Err(ExprError::new(
                        *var_span,
                        format!("the loop variable '{var}' {why}"),
                    ));
                }
                self.check_int(from, &format!("the lower bound of '{f}'"), scope)?;
                self.check_int(to, &format!("the upper bound of '{f}'"), scope)?;
                // never already in scope: a loop variable does not shadow
                scope.insert(var);
                let r = self.check(body, scope);
                scope.remove(var.as_str());
                r
            }
        }
    }

    /// Checks that the names of an integer expression are loop variables.
    fn check_int(&self, e: &IExpr, what: &str, scope: &Names) -> Result<(), ExprError> {
        match &e.kind {
            IKind::Lit(_) => Ok(()),
            IKind::Var(n) => {
                if scope.contains(n.as_str()) {
                    return Ok(());
                }
                let found = match self.env.get(n) {
                    Some(Binding::Input { .. }) => format!("the input '{n}'"),
                    Some(Binding::Constant { .. }) => format!("the constant '{n}'"),
                    None if constant(n).is_some() => format!("the constant '{n}'"),
                    None => {
                        return Err(ExprError::new(
                            e.span,
                            format!("undefined name '{n}' ({what} may use loop variables only)"),
                        ))
                    }
                };
                Err(ExprError::new(
                    e.span,
                    format!("{what} must be {INTEGER_EXPRESSION}, found {found}"),
                ))
            }
            IKind::Neg(a) => self.check_int(a, what, scope),
            IKind::Chain(first, rest) => {
                self.check_int(first, what, scope)?;
                rest.iter()
                    .try_for_each(|(_, a)| self.check_int(a, what, scope))
            }
        }
    }

    /// Emits `ins` unless an identical instruction exists; its index either way.
    fn push(&mut self, ins: Instr, span: Span) -> Result<usize, ExprError> {
        let key = Key::of(ins);
        if let Some(&i) = self.memo.get(&key) {
            return Ok(i);
        }
        if self.instrs.len() >= self.limits.max_instructions {
            return Err(ExprError::new(
                span,
                format!(
                    "program too large: more than {} instructions (raise with --limit max_elementals=N)",
                    self.limits.max_instructions
                ),
            ));
        }
        let i = self.instrs.len();
        self.memo.insert(key, i);
        self.instrs.push(ins);
        Ok(i)
    }

    /// Emits the instructions of a checked node; the index of its value.
    fn expand<'n>(&mut self, node: &'n Node, scope: &mut Scope<'n>) -> Result<usize, ExprError> {
        let span = node.span;
        self.expanded += 1;
        if self.expanded > self.limits.max_expanded {
            return Err(ExprError::new(
                span,
                format!(
                    "the formulas expand to more than {} nodes (each loop iteration and each \
                     generated output expands its formula anew; raise with --limit \
                     max_elementals=N, which allows ten times as many)",
                    self.limits.max_expanded
                ),
            ));
        }
        match &node.kind {
            NodeKind::Num { value, .. } => self.push(Instr::Const(*value), span),
            NodeKind::Name(n) => {
                if let Some(i) = lookup(scope, n) {
                    return self.push(Instr::Const(i as f64), span);
                }
                let ins = match self.env.get(n) {
                    Some(Binding::Input { offset, .. }) => Instr::Input(*offset),
                    Some(Binding::Constant { values, .. }) if !values.is_empty() => {
                        Instr::Const(values[0])
                    }
                    _ => match constant(n) {
                        Some(c) => Instr::Const(c),
                        None => return Err(ExprError::new(span, format!("undefined name '{n}'"))),
                    },
                };
                self.push(ins, span)
            }
            NodeKind::Index(ix) => {
                let IndexNode {
                    name,
                    name_span,
                    index,
                } = &**ix;
                let k = eval_int(index, scope)?;
                let (shape, ins) = match self.env.get(name) {
                    Some(Binding::Input { offset, shape }) => (*shape, Ok(*offset)),
                    Some(Binding::Constant { values, shape }) => (*shape, Err(values)),
                    None => {
                        return Err(ExprError::new(
                            *name_span,
                            format!("undefined name '{name}'"),
                        ))
                    }
                };
                check_index(k, shape.len(), name, index.span)?;
                let k = (k - 1) as usize;
                let ins = match ins {
                    Ok(offset) => Instr::Input(offset + k),
                    Err(values) => Instr::Const(values[k]),
                };
                self.push(ins, span)
            }
            NodeKind::Neg(a) => {
                let a = self.expand(a, scope)?;
                self.push(Instr::Unary(Unary::Neg, a), span)
            }
            NodeKind::Powi(a, k) => {
                let a = self.expand(a, scope)?;
                self.push(Instr::Unary(Unary::Powi(*k), a), span)
            }
            NodeKind::Call1(op, a) => {
                let a = self.expand(a, scope)?;
                self.push(Instr::Unary(*op, a), span)
            }
            NodeKind::Pow(a, b) => {
                let a = self.expand(a, scope)?;
                let b = self.expand(b, scope)?;
                self.push(Instr::Binary(Binary::Pow, a, b), span)
            }
            NodeKind::Call2(op, a, b) => {
                let a = self.expand(a, scope)?;
                let b = self.expand(b, scope)?;
                self.push(Instr::Binary(*op, a, b), span)
            }
            NodeKind::Chain { first, rest } => {
                let mut acc = self.expand(first, scope)?;
                for (op, _, n) in rest {
                    let b = self.expand(n, scope)?;
                    acc = self.push(Instr::Binary(*op, acc, b), span)?;
                }
                Ok(acc)
            }
            NodeKind::Loop(l) => {
                let outermost = !self.in_loop;
                if outermost {
                    // count the whole nest before expanding any of it
                    let limit = self.limits.max_loop_iterations;
                    let left = limit.saturating_sub(self.iterations);
                    let mut counter = Counter::new();
                    let need = counter.cost(l, scope, u128::from(left))?;
                    if need > u128::from(left) {
                        let at_least = if counter.exact { "" } else { "at least " };
                        return Err(ExprError::new(
                            span,
                            format!(
                                "too many loop iterations: expanding this loop (with the loops \
                                 inside it) takes {at_least}{need} iterations, but only {left} of \
                                 the limit of {limit} loop iterations are left (raise with --limit \
                                 max_loop_iterations=N)"
                            ),
                        ));
                    }
                    self.iterations += need as u64;
                    self.in_loop = true;
                }
                let r = self.expand_loop(l, span, scope);
                if outermost {
                    self.in_loop = false;
                }
                r
            }
        }
    }

    /// Emits a loop: a left fold of its terms, or the empty sum or product.
    fn expand_loop<'n>(
        &mut self,
        l: &'n LoopNode,
        span: Span,
        scope: &mut Scope<'n>,
    ) -> Result<usize, ExprError> {
        let (op, empty) = if l.prod {
            (Binary::Mul, 1.0)
        } else {
            (Binary::Add, 0.0)
        };
        let Some((lo, hi)) = range(l, scope)? else {
            return self.push(Instr::Const(empty), span);
        };
        let mut acc: Option<usize> = None;
        for i in lo..=hi {
            scope.push((l.var.as_str(), i));
            let t = self.expand(&l.body, scope);
            scope.pop();
            let t = t?;
            acc = Some(match acc {
                None => t,
                Some(a) => self.push(Instr::Binary(op, a, t), span)?,
            });
        }
        acc.ok_or_else(|| ExprError::new(span, "empty loop"))
    }
}

/// The error for an index `k` outside 1..=`l` of the vector `name`.
fn check_index(k: i64, l: usize, name: &str, span: Span) -> Result<(), ExprError> {
    if k < 1 || k as u64 > l as u64 {
        return Err(ExprError::new(
            span,
            format!("index {k} out of range 1..={l} for '{name}'"),
        ));
    }
    Ok(())
}

/// True when an integer expression uses no loop variable.
fn is_closed(e: &IExpr) -> bool {
    match &e.kind {
        IKind::Lit(_) => true,
        IKind::Var(_) => false,
        IKind::Neg(a) => is_closed(a),
        IKind::Chain(first, rest) => is_closed(first) && rest.iter().all(|(_, a)| is_closed(a)),
    }
}

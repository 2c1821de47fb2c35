//! The names a formula can use: differentiated inputs and constant data, each a scalar
//! or a vector, and the layout of the inputs in the flat vector `x`.

use std::collections::HashMap;

use super::ast::{constant, function};

/// The shape of a named value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shape {
    /// one value, used by name: `a`
    Scalar,
    /// `L` values, used by 1-based index: `x[1]` ... `x[L]`
    Vector(usize),
}

impl Shape {
    /// The number of values: 1 for a scalar, L for a vector.
    pub fn len(self) -> usize {
        match self {
            Shape::Scalar => 1,
            Shape::Vector(l) => l,
        }
    }

    /// True for a vector of length 0.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
}

/// A named value of an [`Env`].
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Binding {
    /// inputs `offset .. offset + shape.len()` of the flat vector x
    Input { offset: usize, shape: Shape },
    /// constant data
    Constant { values: Vec<f64>, shape: Shape },
}

/// Names visible to formulas.
///
/// Inputs are laid out in declaration order into one flat vector x (a scalar takes one
/// slot, a vector of length L takes L consecutive slots). Constants are data that is not
/// differentiated; they enter programs as `Const` instructions with their values.
///
/// Names must be identifiers (`[A-Za-z_][A-Za-z0-9_]*`), unique across inputs and
/// constants, and neither a function name (`sin`, ..., `sum`, `prod`) nor a built-in
/// constant (`pi`, `e`).
#[derive(Clone, Debug, Default)]
pub struct Env {
    names: Vec<String>,
    bindings: Vec<Binding>,
    index: HashMap<String, usize>,
    n_inputs: usize,
}

impl Env {
    /// An environment without names.
    pub fn new() -> Self {
        Self::default()
    }

    /// Declares a differentiated input; it takes the next `shape.len()` slots of x.
    /// Fails when the name is taken, reserved or not an identifier.
    pub fn add_input(&mut self, name: &str, shape: Shape) -> Result<(), String> {
        self.check_name(name)?;
        let offset = self.n_inputs;
        self.n_inputs += shape.len();
        self.insert(name, Binding::Input { offset, shape });
        Ok(())
    }

    /// Declares constant data (not differentiated). Fails when the name is taken,
    /// reserved or not an identifier, or when `values` does not have `shape.len()`
    /// entries.
    pub fn add_constant(
        &mut self,
        name: &str,
        values: Vec<f64>,
        shape: Shape,
    ) -> Result<(), String> {
        self.check_name(name)?;
        if values.len() != shape.len() {
            return Err(format!(
                "constant '{name}' has {} value{} but its shape needs {}",
                values.len(),
                if values.len() == 1 { "" } else { "s" },
                shape.len()
            ));
        }
        self.insert(name, Binding::Constant { values, shape });
        Ok(())
    }

    /// The total flat length of the inputs, the length of x.
    pub fn n_inputs(&self) -> usize {
        self.n_inputs
    }

    /// A label per slot of x, in order: `a` for a scalar input, `x[1]` ... `x[L]` for a
    /// vector input.
    pub fn input_labels(&self) -> Vec<String> {
        let mut out = Vec::with_capacity(self.n_inputs);
        for (name, b) in self.names.iter().zip(&self.bindings) {
            match b {
                Binding::Input {
                    shape: Shape::Scalar,
                    ..
                } => out.push(name.clone()),
                Binding::Input {
                    shape: Shape::Vector(l),
                    ..
                } => out.extend((1..=*l).map(|i| format!("{name}[{i}]"))),
                Binding::Constant { .. } => {}
            }
        }
        out
    }

    /// The input or constant called `name`, if any.
    pub(crate) fn get(&self, name: &str) -> Option<&Binding> {
        self.index.get(name).map(|&i| &self.bindings[i])
    }

    fn insert(&mut self, name: &str, binding: Binding) {
        self.index.insert(name.to_string(), self.bindings.len());
        self.names.push(name.to_string());
        self.bindings.push(binding);
    }

    fn check_name(&self, name: &str) -> Result<(), String> {
        if !is_identifier(name) {
            return Err(format!(
                "'{name}' is not a valid name (letters, digits and '_', not starting with a digit)"
            ));
        }
        if function(name).is_some() {
            return Err(format!("'{name}' is reserved: it is a function name"));
        }
        if constant(name).is_some() {
            return Err(format!("'{name}' is reserved: it is a built-in constant"));
        }
        if self.index.contains_key(name) {
            return Err(format!("'{name}' is declared twice"));
        }
        Ok(())
    }
}

/// True for a name of the formula language: ASCII letters, digits and '_', not starting
/// with a digit.
pub(crate) fn is_identifier(name: &str) -> bool {
    let mut bytes = name.bytes();
    match bytes.next() {
        Some(b) => {
            (b.is_ascii_alphabetic() || b == b'_')
                && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_and_labels() {
        let mut env = Env::new();
        env.add_input("a", Shape::Scalar).unwrap();
        env.add_constant("w", vec![1.0, 2.0], Shape::Vector(2))
            .unwrap();
        env.add_input("x", Shape::Vector(3)).unwrap();
        env.add_input("b", Shape::Scalar).unwrap();
        assert_eq!(env.n_inputs(), 5);
        assert_eq!(env.input_labels(), ["a", "x[1]", "x[2]", "x[3]", "b"]);
        assert_eq!(
            env.get("x"),
            Some(&Binding::Input {
                offset: 1,
                shape: Shape::Vector(3)
            })
        );
        assert_eq!(env.get("y"), None);
    }

    #[test]
    fn bad_names() {
        let mut env = Env::new();
        env.add_input("x", Shape::Scalar).unwrap();
        assert!(env
            .add_input("x", Shape::Scalar)
            .unwrap_err()
            .contains("twice"));
        assert!(env
            .add_constant("x", vec![1.0], Shape::Scalar)
            .unwrap_err()
            .contains("twice"));
        assert!(env
            .add_input("sin", Shape::Scalar)
            .unwrap_err()
            .contains("function"));
        assert!(env
            .add_input("sum", Shape::Scalar)
            .unwrap_err()
            .contains("function"));
        assert!(env
            .add_input("pi", Shape::Scalar)
            .unwrap_err()
            .contains("constant"));
        assert!(env
            .add_input("e", Shape::Scalar)
            .unwrap_err()
            .contains("constant"));
        assert!(env
            .add_input("1x", Shape::Scalar)
            .unwrap_err()
            .contains("valid"));
        assert!(env
            .add_input("", Shape::Scalar)
            .unwrap_err()
            .contains("valid"));
        assert!(env
            .add_input("x y", Shape::Scalar)
            .unwrap_err()
            .contains("valid"));
        let e = env
            .add_constant("c", vec![1.0, 2.0], Shape::Vector(3))
            .unwrap_err();
        assert_eq!(e, "constant 'c' has 2 values but its shape needs 3");
        // failed declarations leave no trace
        assert_eq!(env.n_inputs(), 1);
        assert_eq!(env.get("c"), None);
    }
}

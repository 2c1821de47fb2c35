//! The plain data a run produces. Every stage after measurement (CSV, JSON, summary,
//! plots, the regression gate) reads these structs, so reports can be redrawn from a
//! saved `results.json` without recomputing.

use serde::{Deserialize, Serialize};

/// Serde for f64 that keeps NaN and infinities (JSON has no literal for them): finite
/// values are numbers, others the strings `"NaN"`, `"inf"`, `"-inf"`.
pub mod f64s {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Num(f64),
        Text(String),
    }

    fn to_repr(v: f64) -> Repr {
        if v.is_finite() {
            Repr::Num(v)
        } else if v.is_nan() {
            Repr::Text("NaN".into())
        } else if v > 0.0 {
            Repr::Text("inf".into())
        } else {
            Repr::Text("-inf".into())
        }
    }

    fn from_repr<E: serde::de::Error>(r: Repr) -> Result<f64, E> {
        match r {
            Repr::Num(v) => Ok(v),
            Repr::Text(t) => match t.as_str() {
                "NaN" => Ok(f64::NAN),
                "inf" => Ok(f64::INFINITY),
                "-inf" => Ok(f64::NEG_INFINITY),
                _ => Err(E::custom(format!("not a number: {t}"))),
            },
        }
    }

    /// Serializes an f64.
    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        to_repr(*v).serialize(s)
    }

    /// Deserializes an f64.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        from_repr(Repr::deserialize(d)?)
    }

    /// NaN: the value of a field missing from results saved before it was measured.
    pub fn nan() -> f64 {
        f64::NAN
    }

    /// The same for `Option<f64>` (`null` is `None`).
    pub mod opt {
        use super::*;

        /// Serializes an optional f64.
        pub fn serialize<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
            v.map(to_repr).serialize(s)
        }

        /// Deserializes an optional f64.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
            Option::<Repr>::deserialize(d)?.map(from_repr).transpose()
        }
    }
}

/// One row of `accuracy.csv`: one scenario x method x step x Jacobian entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccuracyRow {
    /// scenario name
    pub scenario: String,
    /// method name, with `@auto` for the textbook step
    pub method: String,
    /// the step actually used (FD methods); `Some(0.0)` for a step that vanished
    #[serde(with = "f64s::opt")]
    pub h: Option<f64>,
    /// output index i (0-based)
    pub output: usize,
    /// input index j (0-based)
    pub input: usize,
    /// the method's derivative; `None` when the step vanished
    #[serde(with = "f64s::opt")]
    pub value: Option<f64>,
    /// the reference rounded to f64
    #[serde(with = "f64s")]
    pub reference: f64,
    /// |value - reference| computed in MPFR, then rounded
    #[serde(with = "f64s::opt")]
    pub abs_err: Option<f64>,
    /// abs_err / |reference| (abs_err when the reference is 0)
    #[serde(with = "f64s::opt")]
    pub rel_err: Option<f64>,
    /// log2(1 + f64 steps (ulps) from value to reference), 64 for NaN or Inf
    #[serde(with = "f64s::opt")]
    pub bits_err: Option<f64>,
    /// |FD in MPFR at the same step - reference| (FD methods)
    #[serde(with = "f64s::opt")]
    pub trunc_err: Option<f64>,
    /// |FD in f64 - FD in MPFR| (FD methods)
    #[serde(with = "f64s::opt")]
    pub round_err: Option<f64>,
}

/// One row of `reference.csv`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReferenceRow {
    /// scenario name
    pub scenario: String,
    /// output index i
    pub output: usize,
    /// input index j
    pub input: usize,
    /// the reference rounded to f64
    #[serde(with = "f64s")]
    pub reference: f64,
    /// precision of the reference, in bits
    pub precision_bits: u32,
    /// leading bits on which the last two precisions agreed
    pub agreed_bits: u32,
    /// the reference with at least 40 significant digits
    pub digits: String,
    /// whether the reference settled
    pub settled: bool,
}

/// The classic error model of a difference quotient next to the measurement, for one
/// Jacobian entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FdTheory {
    /// `fd-forward`, `fd-backward` or `fd-central`
    pub method: String,
    /// output index
    pub output: usize,
    /// input index
    pub input: usize,
    /// |f| at the point
    #[serde(with = "f64s")]
    pub f_abs: f64,
    /// |d^2 f / dx_j^2|, from nested dual numbers over MPFR
    #[serde(with = "f64s")]
    pub d2_abs: f64,
    /// |d^3 f / dx_j^3|
    #[serde(with = "f64s")]
    pub d3_abs: f64,
    /// the model's optimal step
    #[serde(with = "f64s::opt")]
    pub predicted_h: Option<f64>,
    /// the model's error at that step
    #[serde(with = "f64s::opt")]
    pub predicted_err: Option<f64>,
    /// the step of the sweep with the smallest measured error
    #[serde(with = "f64s::opt")]
    pub measured_h: Option<f64>,
    /// that smallest measured error
    #[serde(with = "f64s::opt")]
    pub measured_err: Option<f64>,
    /// the measured error at the textbook step
    #[serde(with = "f64s::opt")]
    pub auto_err: Option<f64>,
    /// the textbook step
    #[serde(with = "f64s::opt")]
    pub auto_h: Option<f64>,
    /// the first-order bound on the rounding error of f's f64 evaluation at the point,
    /// u sum_i c_i |df/dv_i| |v_i| over its elementals (absent where the sweeps would exceed
    /// the budget, or it is not finite)
    #[serde(default, with = "f64s::opt")]
    pub round_bound: Option<f64>,
    /// the model's optimal step with each evaluation rounded to within `round_bound`
    /// (or u|f| where that is larger) instead of u|f|
    #[serde(default, with = "f64s::opt")]
    pub bound_h: Option<f64>,
    /// the model's error at that step
    #[serde(default, with = "f64s::opt")]
    pub bound_err: Option<f64>,
}

/// One row of `cost.csv`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CostRow {
    /// scenario name
    pub scenario: String,
    /// `function`, `tangent`, `gradient`, `gradient-statement`, `function-tensor`,
    /// `gradient-tensor`, `jacobian-forward`, `jacobian-reverse`
    pub mode: String,
    /// MOVES
    pub moves: u64,
    /// ADDS
    pub adds: u64,
    /// MULTS
    pub mults: u64,
    /// NLOPS
    pub nlops: u64,
    /// mu*moves + adds + pi*mults + nu*nlops
    #[serde(with = "f64s")]
    pub time: f64,
    /// time / time(function)
    #[serde(with = "f64s")]
    pub ratio: f64,
    /// 2.5 for tangent, 4 for gradient modes, none otherwise
    #[serde(with = "f64s::opt")]
    pub bound: Option<f64>,
    /// ratio <= bound
    pub within: Option<bool>,
    /// bytes of tape at the end of the forward sweep (gradient modes)
    pub tape_bytes: Option<u64>,
    /// median wall time in nanoseconds
    #[serde(with = "f64s")]
    pub wall_ns: f64,
    /// the median over alternating batches of this mode and the function of their time
    /// ratio (`measure::cost::paired_wall`); close to, but not the same as,
    /// wall_ns / wall_ns(function), whose two medians were taken at different moments
    #[serde(with = "f64s")]
    pub wall_ratio: f64,
    /// the lower quartile of the same pairs' ratios: half the pairs lie between it and
    /// `wall_ratio_q3`, the spread to read `wall_ratio` with (NaN in results saved before
    /// it was measured)
    #[serde(with = "f64s", default = "f64s::nan")]
    pub wall_ratio_q1: f64,
    /// the upper quartile of the pairs' ratios
    #[serde(with = "f64s", default = "f64s::nan")]
    pub wall_ratio_q3: f64,
    /// how many pairs of batches the wall ratio and its quartiles are taken over (none
    /// when not timed)
    #[serde(default)]
    pub wall_pairs: Option<u64>,
}

/// Everything measured on one scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScenarioResult {
    /// scenario name
    pub name: String,
    /// family
    pub family: String,
    /// description
    pub description: String,
    /// number of differentiated inputs
    pub n: usize,
    /// number of outputs
    pub m: usize,
    /// the inputs the n-scaling methods evaluated
    pub sampled: Vec<usize>,
    /// accuracy rows
    pub accuracy: Vec<AccuracyRow>,
    /// reference rows
    pub reference: Vec<ReferenceRow>,
    /// FD error model against measurement
    pub fd_theory: Vec<FdTheory>,
    /// cost rows
    pub cost: Vec<CostRow>,
    /// notable findings, one sentence each
    pub notes: Vec<String>,
    /// recurrent families: the last step's gradient with respect to h_0 and the AD and FD error as
    /// the number of steps grows (empty for other families)
    #[serde(default)]
    pub recurrent: Vec<RecurrentPoint>,
    /// formula scenarios: node counts of the function, of its symbolic gradient without
    /// and with sharing, and of the reverse tape
    #[serde(default)]
    pub swell: Option<crate::symbolic::Swell>,
    /// per output, the bits of error of the function's own f64 value at the point
    /// against the reference's value (log2(1 + ulps), 64 where either is not finite):
    /// the rounding that AD differentiates along with the function
    #[serde(default)]
    pub value_bits: Vec<f64>,
    /// networks: `gradient-tensor` timed against `function-tensor` in alternating
    /// batches, the matrix tape's gradient against the function as matrix operations
    /// (absent without wall times, and in results saved before it was measured)
    #[serde(default)]
    pub tensor_wall: Option<WallRatio>,
}

/// A paired wall-time ratio: the median over alternating batches of two programs, with
/// the lower and upper quartile of the pairs' ratios.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct WallRatio {
    /// the median over the pairs
    #[serde(with = "f64s")]
    pub median: f64,
    /// the lower quartile
    #[serde(with = "f64s")]
    pub q1: f64,
    /// the upper quartile
    #[serde(with = "f64s")]
    pub q3: f64,
    /// how many pairs of batches
    pub pairs: u64,
}

/// Expression swell of the lecture's two examples, `prod(i, 1, n, x[i])` and
/// `sum(i, 1, n, x[i]^2)`, over n, with the fitted exponents of each size.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SymbolicGrowth {
    /// (n, sizes) for the product
    pub product: Vec<(usize, crate::symbolic::Swell)>,
    /// (n, sizes) for the sum of squares
    pub sum_of_squares: Vec<(usize, crate::symbolic::Swell)>,
    /// fitted exponents for the product (over n >= 32)
    pub product_exponents: crate::symbolic::Growth,
    /// fitted exponents for the sum of squares (over n >= 32)
    pub sum_of_squares_exponents: crate::symbolic::Growth,
}

/// One point of the recurrent-network series: the same cell unrolled over `steps`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecurrentPoint {
    /// number of time steps T
    pub steps: usize,
    /// Euclidean norm of dL_T/dh_0, the gradient of the last step's loss with respect to
    /// the initial hidden state (reference, rounded to f64)
    #[serde(with = "f64s")]
    pub grad_h0_norm: f64,
    /// worst bits of error of reverse mode over the weight gradient of the loss summed
    /// over the T steps (not of the last step's loss alone)
    #[serde(with = "f64s")]
    pub ad_bits: f64,
    /// worst bits of error of central differences at the textbook step over the sampled
    /// entries of that gradient
    #[serde(with = "f64s")]
    pub fd_bits: f64,
}

/// A scenario that could not be loaded or run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    /// the scenario name or file
    pub what: String,
    /// the error
    pub error: String,
    /// true for a defect of derivbench (a panic while measuring or timing), false for
    /// bad input (a scenario file that does not load)
    #[serde(default)]
    pub internal: bool,
}

impl Failure {
    /// One line for people: the error, prefixed with `what` unless it already starts
    /// with it (a load error names its file, line and column itself).
    pub fn line(&self) -> String {
        if self.error.starts_with(&self.what) {
            self.error.clone()
        } else {
            format!("{}: {}", self.what, self.error)
        }
    }
}

/// The whole run: what `results.json` holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunResults {
    /// crate version that produced the results
    pub version: String,
    /// the settings of the run
    pub settings: RunSettings,
    /// per scenario, in name order
    pub scenarios: Vec<ScenarioResult>,
    /// scenarios that failed
    pub failures: Vec<Failure>,
    /// the symbolic method's expression swell on the lecture's examples (when the
    /// `symbolic` method ran)
    #[serde(default)]
    pub symbolic_growth: Option<SymbolicGrowth>,
}

/// The settings recorded with the results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunSettings {
    /// methods run
    pub methods: Vec<String>,
    /// quick mode
    pub quick: bool,
    /// cost weights (mu, pi, nu)
    pub weights: [f64; 3],
    /// agreement threshold of the reference, bits
    pub agree_bits: u32,
    /// precision cap of the reference, bits
    pub max_precision: u32,
    /// how long each cost mode was timed against the function, in milliseconds (0 with
    /// `--no-wall`; absent in results saved before it was recorded)
    #[serde(default)]
    pub wall_ms: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An `fd_theory` entry written before the rounding bound existed reads with the
    /// three new numbers absent; a new one keeps them, `null` where absent.
    #[test]
    fn fd_theory_without_the_rounding_bound_still_reads() {
        let old = r#"{"method": "fd-forward", "output": 0, "input": 1, "f_abs": 2.0,
            "d2_abs": 1.0, "d3_abs": 0.0, "predicted_h": 1e-8, "predicted_err": 1e-8,
            "measured_h": null, "measured_err": null, "auto_err": null, "auto_h": null}"#;
        let t: FdTheory = serde_json::from_str(old).unwrap();
        assert_eq!((t.round_bound, t.bound_h, t.bound_err), (None, None, None));
        assert_eq!(t.predicted_h, Some(1e-8));
        let new = FdTheory {
            round_bound: Some(4.5e-16),
            bound_h: None,
            ..t
        };
        let text = serde_json::to_string(&new).unwrap();
        assert!(text.contains(r#""round_bound":4.5e-16"#), "{text}");
        assert!(text.contains(r#""bound_h":null"#), "{text}");
        assert_eq!(serde_json::from_str::<FdTheory>(&text).unwrap(), new);
    }
}

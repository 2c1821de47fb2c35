//! Scenario files: one TOML file per scenario, read in name order, parsed with spans
//! (the raw stage) and validated into a [`Scenario`] (the domain stage), so every later
//! stage can trust its input. Every error names the file, line and column and what was
//! expected; one bad file never stops the others.

use super::expr;
use super::families::{
    Activation, DenseJacobian, ElmanRnn, Fanout, GatedRnn, Mlp, Perceptron, Product, SumOfSquares,
};
use super::rng::SplitMix64;
use super::{Model, Scenario, StepSweep, DEFAULT_SAMPLE};
use std::fmt;
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};

/// Resource limits, checked before any evaluation. Raise them with `--limit KEY=VALUE`.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Limits {
    /// largest vector length (inputs, constants, `n`)
    pub max_len: u64,
    /// largest total of loop iterations in one scenario's formulas
    pub max_loop_iterations: u64,
    /// deepest nesting of a formula (formulas are parsed and checked recursively, about
    /// 2 KB of stack per level: the binary runs its commands on a thread with stack for
    /// [`MAX_DEPTH_CEILING`] levels, the highest value [`Limits::set`] accepts)
    pub max_depth: usize,
    /// largest number of elementals one evaluation may record (formulas and networks)
    pub max_elementals: u64,
    /// largest MPFR precision, in bits
    pub max_precision: u32,
    /// largest number of FD steps in a sweep
    pub max_steps: u64,
    /// largest scenario file, in bytes
    pub max_file_bytes: u64,
    /// most nodes the symbolic method's derivative graph may hold (formula scenarios):
    /// past it, `run` leaves the method out of that scenario and says so in a note
    pub max_symbolic_nodes: u64,
}

/// The keys of [`Limits::set`] (`--limit KEY=VALUE`).
pub const LIMIT_KEYS: [&str; 8] = [
    "max_len",
    "max_loop_iterations",
    "max_depth",
    "max_elementals",
    "max_precision",
    "max_steps",
    "max_file_bytes",
    "max_symbolic_nodes",
];

/// The highest `max_depth` that [`Limits::set`] accepts.
pub const MAX_DEPTH_CEILING: usize = 100_000;

/// The stack the binary gives the thread that loads scenarios: room for formulas nested
/// [`MAX_DEPTH_CEILING`] deep (about 2 KB per level), with a margin.
pub const LOADER_STACK_BYTES: usize = 512 << 20;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_len: 1_000_000,
            max_loop_iterations: 4_000_000,
            max_depth: 200,
            max_elementals: 4_000_000,
            max_precision: 65_536,
            max_steps: 1_000,
            max_file_bytes: 4 << 20,
            max_symbolic_nodes: crate::symbolic::MAX_NODES as u64,
        }
    }
}

impl Limits {
    /// Sets one limit by its name (as in `--limit max_len=100000000`).
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        // an unknown key is said as such, whatever its value
        if !LIMIT_KEYS.contains(&key) {
            return Err(format!(
                "unknown limit '{key}' (known: {})",
                LIMIT_KEYS.join(", ")
            ));
        }
        let v: u64 = value.parse().map_err(|e: std::num::ParseIntError| {
            if *e.kind() == std::num::IntErrorKind::PosOverflow {
                format!(
                    "limit {key}: '{value}' is larger than {}, the largest limit (it must fit in 64 bits)",
                    u64::MAX
                )
            } else {
                format!("limit {key}: '{value}' is not a non-negative integer")
            }
        })?;
        match key {
            "max_len" => self.max_len = v,
            "max_loop_iterations" => self.max_loop_iterations = v,
            "max_depth" => {
                if v > MAX_DEPTH_CEILING as u64 {
                    return Err(format!(
                        "limit max_depth: at most {MAX_DEPTH_CEILING} (formulas are parsed \
                         recursively, on a stack sized for that depth)"
                    ));
                }
                self.max_depth = v as usize
            }
            "max_elementals" => self.max_elementals = v,
            "max_precision" => {
                self.max_precision = u32::try_from(v).map_err(|_| {
                    format!(
                        "limit max_precision: '{value}' is larger than {}, the largest precision in bits",
                        u32::MAX
                    )
                })?
            }
            "max_steps" => self.max_steps = v,
            "max_file_bytes" => self.max_file_bytes = v,
            "max_symbolic_nodes" => self.max_symbolic_nodes = v,
            _ => unreachable!("LIMIT_KEYS holds every key matched above"),
        }
        Ok(())
    }
}

/// An error in a scenario file, with its position.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct LoadError {
    /// the file
    pub file: PathBuf,
    /// 1-based line (0 when the error concerns the whole file)
    pub line: usize,
    /// 1-based column
    pub col: usize,
    /// what went wrong and what was expected
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file.display(),
                self.line,
                self.col,
                self.message
            )
        }
    }
}

/// Line and column (1-based, columns in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let mut start = offset;
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let before = &text[..start];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    // a byte-order mark opening the file is not a column an editor shows
    let shown = before[line_start..]
        .strip_prefix('\u{feff}')
        .filter(|_| line_start == 0)
        .unwrap_or(&before[line_start..]);
    let col = shown.chars().count() + 1;
    (line, col)
}

/// The loaded scenarios of a folder and the errors of the files that failed.
#[derive(Debug, Default)]
pub struct Loaded {
    /// valid scenarios, in file-name order
    pub scenarios: Vec<Scenario>,
    /// one error per bad file
    pub errors: Vec<LoadError>,
}

/// Loads every `*.toml` file of `dir`, in name order.
pub fn load_dir(dir: &Path, limits: &Limits) -> Result<Loaded, LoadError> {
    let whole = |m: String| LoadError {
        file: dir.to_path_buf(),
        line: 0,
        col: 0,
        message: m,
    };
    let rd = std::fs::read_dir(dir)
        .map_err(|e| whole(format!("cannot read the scenario folder: {e}")))?;
    let mut files: Vec<PathBuf> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        // everything named *.toml but a folder: a file that cannot be read (a dangling
        // link, no permission, not a regular file) is an error of its own, not silently
        // left out
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && !p.is_dir())
        .collect();
    files.sort();
    let mut out = Loaded::default();
    // name -> file that defined it
    let mut names: Vec<(String, PathBuf)> = Vec::new();
    for f in files {
        match load_file(&f, limits) {
            Ok((sc, name_pos)) => {
                if let Some((_, other)) = names.iter().find(|(n, _)| *n == sc.name) {
                    out.errors.push(LoadError {
                        file: f.clone(),
                        line: name_pos.0,
                        col: name_pos.1,
                        message: format!(
                            "duplicate scenario name '{}' (already defined in {})",
                            sc.name,
                            other.display()
                        ),
                    });
                } else {
                    names.push((sc.name.clone(), f.clone()));
                    out.scenarios.push(sc);
                }
            }
            Err(e) => out.errors.push(e),
        }
    }
    Ok(out)
}

/// Loads one file; returns the scenario and the position of its `name` value.
pub fn load_file(path: &Path, limits: &Limits) -> Result<(Scenario, (usize, usize)), LoadError> {
    let whole = |m: String| LoadError {
        file: path.to_path_buf(),
        line: 0,
        col: 0,
        message: m,
    };
    let meta = std::fs::metadata(path).map_err(|e| whole(format!("cannot read: {e}")))?;
    if !meta.is_file() {
        // a FIFO or a device: reading could block or never end
        return Err(whole("cannot read: not a regular file".into()));
    }
    if meta.len() > limits.max_file_bytes {
        return Err(whole(format!(
            "file of {} bytes exceeds the limit of {} bytes (raise with --limit max_file_bytes=N)",
            meta.len(),
            limits.max_file_bytes
        )));
    }
    // read at most one byte past the limit: a file whose size the metadata does not
    // tell (/proc/self/pagemap says 0) must not be read without bound
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| {
            use std::io::Read;
            f.take(limits.max_file_bytes.saturating_add(1))
                .read_to_end(&mut bytes)
        })
        .map_err(|e| whole(format!("cannot read: {e}")))?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(whole(format!(
            "file of more than {} bytes exceeds the limit (raise with --limit max_file_bytes=N)",
            limits.max_file_bytes
        )));
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let off = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(&e.into_bytes()[..off]).into_owned();
            let (line, col) = line_col(&text, off);
            return Err(LoadError {
                file: path.to_path_buf(),
                line,
                col,
                message: "invalid UTF-8 (scenario files are UTF-8 text)".into(),
            });
        }
    };
    load_str(path, &text, limits)
}

/// Parses and validates the text of one scenario file.
pub fn load_str(
    path: &Path,
    text: &str,
    limits: &Limits,
) -> Result<(Scenario, (usize, usize)), LoadError> {
    let cx = Cx { path, text, limits };
    if text.trim().is_empty() {
        return Err(cx.whole("empty file: a scenario needs at least `name`".into()));
    }
    let doc = DeTable::parse(text).map_err(|e| {
        let msg = format!(
            "TOML syntax error: {}",
            e.message().trim().replace('\n', " ")
        );
        // an error without a position (the parser's recursion limit) concerns the file,
        // not its first character
        match e.span() {
            Some(s) => cx.at(s.start, msg),
            None => cx.whole(msg),
        }
    })?;
    let t = Tab {
        cx: &cx,
        table: doc.get_ref(),
        span: doc.span(),
    };
    build(&t)
}

/// Context for errors.
struct Cx<'a> {
    path: &'a Path,
    text: &'a str,
    limits: &'a Limits,
}

impl Cx<'_> {
    fn at(&self, offset: usize, message: String) -> LoadError {
        let (line, col) = line_col(self.text, offset);
        LoadError {
            file: self.path.to_path_buf(),
            line,
            col,
            message,
        }
    }
    fn whole(&self, message: String) -> LoadError {
        LoadError {
            file: self.path.to_path_buf(),
            line: 0,
            col: 0,
            message,
        }
    }
}

type R<T> = Result<T, LoadError>;

/// A table with its span and the error context.
struct Tab<'a, 'i> {
    cx: &'a Cx<'a>,
    table: &'a DeTable<'i>,
    span: std::ops::Range<usize>,
}

/// A value with its span.
#[derive(Clone, Copy)]
struct Val<'a, 'i> {
    cx: &'a Cx<'a>,
    v: &'a DeValue<'i>,
    span: (usize, usize),
    key: &'a str,
}

impl<'a, 'i> Tab<'a, 'i> {
    fn get(&self, key: &str) -> Option<Val<'a, 'i>> {
        self.table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .map(|(k, v)| {
                let key: &'a str = k.get_ref().as_ref();
                Val {
                    cx: self.cx,
                    v: v.get_ref(),
                    span: (v.span().start, v.span().end),
                    key,
                }
            })
    }
    fn req(&self, key: &str, what: &str) -> R<Val<'a, 'i>> {
        self.get(key).ok_or_else(|| {
            self.cx
                .at(self.span.start, format!("missing key `{key}` ({what})"))
        })
    }
    /// Errors on the first key not in `allowed`.
    fn only(&self, allowed: &[&str], context: &str) -> R<()> {
        for (k, _) in self.table.iter() {
            let name: &str = k.get_ref().as_ref();
            if !allowed.contains(&name) {
                let hint = match closest_key(name, allowed.iter().copied()) {
                    Some(c) => format!(" (did you mean `{c}`?)"),
                    None => String::new(),
                };
                return Err(self.cx.at(
                    k.span().start,
                    format!(
                        "unknown key `{name}` {context}{hint} (allowed: {})",
                        allowed.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl<'a, 'i> Val<'a, 'i> {
    fn err(&self, m: impl Into<String>) -> LoadError {
        self.cx.at(self.span.0, m.into())
    }
    fn str(&self) -> R<&'a str> {
        self.v.as_str().ok_or_else(|| {
            self.err(format!(
                "`{}` must be a string, found {}",
                self.key,
                self.v.type_str()
            ))
        })
    }
    fn f64(&self) -> R<f64> {
        let v = if let Some(i) = self.v.as_integer() {
            i64::from_str_radix(
                i.as_str().replace('_', "").trim_start_matches('+'),
                i.radix(),
            )
            .map(|x| x as f64)
            .map_err(|_| self.err(format!("`{}`: integer out of range", self.key)))?
        } else if let Some(f) = self.v.as_float() {
            let s = f.as_str().replace('_', "");
            match s.as_str() {
                "nan" | "+nan" | "-nan" => f64::NAN,
                "inf" | "+inf" => f64::INFINITY,
                "-inf" => f64::NEG_INFINITY,
                _ => s
                    .parse::<f64>()
                    .map_err(|_| self.err(format!("`{}`: not a number", self.key)))?,
            }
        } else {
            return Err(self.err(format!(
                "`{}` must be a number, found {}",
                self.key,
                self.v.type_str()
            )));
        };
        if !v.is_finite() {
            // a literal such as 1e400 reads as inf: say so in the user's own digits
            let overflow = self
                .v
                .as_float()
                .map(|f| f.as_str().replace('_', ""))
                .filter(|t| !t.contains("inf") && !t.contains("nan"))
                .map(|t| format!("{t}, which overflows f64 (largest about 1.8e308)"));
            let found = overflow.unwrap_or_else(|| v.to_string());
            return Err(self.err(format!("`{}` must be finite, found {found}", self.key)));
        }
        Ok(v)
    }
    fn u64(&self) -> R<u64> {
        let i = self.v.as_integer().ok_or_else(|| {
            self.err(format!(
                "`{}` must be a non-negative integer, found {}",
                self.key,
                self.v.type_str()
            ))
        })?;
        let s = i.as_str().replace('_', "");
        // -0 is zero, as in TOML
        let digits = match s.strip_prefix('-') {
            Some(d) if !d.is_empty() && d.bytes().all(|b| b == b'0') => d,
            _ => s.trim_start_matches('+'),
        };
        u64::from_str_radix(digits, i.radix()).map_err(|_| {
            self.err(format!(
                "`{}` must be a non-negative integer that fits in 64 bits, found {s}",
                self.key
            ))
        })
    }
    /// A size in 1..=max.
    fn size(&self, max: u64, limit_name: &str) -> R<usize> {
        let v = self.u64()?;
        if v == 0 {
            return Err(self.err(format!("`{}` must be at least 1", self.key)));
        }
        if v > max {
            return Err(self.err(format!(
                "`{}` = {v} exceeds the limit of {max} (raise with --limit {limit_name}=N)",
                self.key
            )));
        }
        Ok(v as usize)
    }
    fn bool(&self) -> R<bool> {
        self.v.as_bool().ok_or_else(|| {
            self.err(format!(
                "`{}` must be true or false, found {}",
                self.key,
                self.v.type_str()
            ))
        })
    }
    fn array(&self) -> R<Vec<Val<'a, 'i>>> {
        let a = self.v.as_array().ok_or_else(|| {
            self.err(format!(
                "`{}` must be an array, found {}",
                self.key,
                self.v.type_str()
            ))
        })?;
        Ok(a.iter()
            .map(|e| Val {
                cx: self.cx,
                v: e.get_ref(),
                span: (e.span().start, e.span().end),
                key: self.key,
            })
            .collect())
    }
    fn f64s(&self) -> R<Vec<f64>> {
        let a = self.array()?;
        if a.len() as u64 > self.cx.limits.max_len {
            return Err(self.err(format!(
                "`{}` has {} values, more than the limit of {} (raise with --limit max_len=N)",
                self.key,
                a.len(),
                self.cx.limits.max_len
            )));
        }
        a.iter().map(|v| v.f64()).collect()
    }
    fn matrix(&self) -> R<Vec<Vec<f64>>> {
        self.array()?.iter().map(|r| r.f64s()).collect()
    }
    fn table(&self) -> R<Tab<'a, 'i>> {
        let t = self.v.as_table().ok_or_else(|| {
            self.err(format!(
                "`{}` must be a table, found {}",
                self.key,
                self.v.type_str()
            ))
        })?;
        Ok(Tab {
            cx: self.cx,
            table: t,
            span: self.span.0..self.span.1,
        })
    }
    fn activation(&self) -> R<Activation> {
        match self.str()? {
            "sigmoid" => Ok(Activation::Sigmoid),
            "tanh" => Ok(Activation::Tanh),
            "identity" => Ok(Activation::Identity),
            other => Err(self.err(format!(
                "unknown activation '{other}' (known: sigmoid, tanh, identity)"
            ))),
        }
    }
}

/// Keys every scenario may have.
const COMMON: [&str; 6] = ["name", "description", "family", "fd", "reference", "sample"];

/// Every key of a scenario file: the common ones, then each family's own.
fn every_key() -> impl Iterator<Item = &'static str> {
    COMMON
        .iter()
        .chain(FAMILIES.iter().flat_map(|(_, keys)| keys.iter()))
        .copied()
}

/// The key among `keys` nearest `name` within two edits (letters inserted, deleted,
/// replaced or two neighbours swapped) and fewer edits than `name` has letters, if any:
/// the likely intended key of a misspelt one (`zz` is two edits from `fd` as from any
/// key of two letters, and suggests none).
fn closest_key<'k>(name: &str, keys: impl Iterator<Item = &'k str>) -> Option<&'k str> {
    let letters = name.chars().count();
    keys.map(|k| (strsim::osa_distance(name, k), k))
        .filter(|&(d, _)| d <= 2 && d < letters)
        .min_by_key(|&(d, _)| d)
        .map(|(_, k)| k)
}

/// The families and their own keys.
const FAMILIES: [(&str, &[&str]); 9] = [
    ("expr", &["inputs", "constants", "outputs"]),
    ("sum-of-squares", &["n", "point", "values"]),
    ("product", &["n", "values", "fill", "seed", "low", "high"]),
    ("perceptron", &["x", "w", "activation"]),
    (
        "mlp",
        &[
            "layers",
            "activation",
            "output_activation",
            "bias",
            "x",
            "t",
            "weights",
            "biases",
        ],
    ),
    ("fanout", &["x", "w"]),
    (
        "elman-rnn",
        &["input", "hidden", "output", "steps", "activation", "seed"],
    ),
    ("gated-rnn", &["input", "hidden", "steps", "seed"]),
    ("dense-jacobian", &["n", "m", "seed"]),
];

/// The longest scenario name, in characters.
pub const MAX_NAME_CHARS: usize = 64;

/// True when `name` matches `[a-z0-9][a-z0-9-]*` and has at most [`MAX_NAME_CHARS`]
/// characters.
pub fn valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= MAX_NAME_CHARS
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

fn seed_of(t: &Tab, key: &str) -> R<u64> {
    match t.get(key) {
        Some(v) => v.u64(),
        None => Ok(0),
    }
}

fn build(t: &Tab) -> R<(Scenario, (usize, usize))> {
    let cx = t.cx;
    let limits = cx.limits;
    let name_v = t.req("name", "the scenario's id, [a-z0-9][a-z0-9-]*")?;
    let name = name_v.str()?;
    if !valid_name(name) {
        return Err(name_v.err(format!(
            "invalid scenario name '{name}': use lower-case letters, digits and '-', starting with a letter or digit, at most 64 characters"
        )));
    }
    let name_pos = line_col(cx.text, name_v.span.0);
    let description = match t.get("description") {
        Some(v) => {
            let d = v.str()?;
            // one line: it is a cell of the `list` table and of the reports' tables
            if d.chars().any(char::is_control) {
                return Err(v.err(String::from(
                    "`description` must be one line, without line breaks, tabs or other \
                     control characters",
                )));
            }
            d.to_string()
        }
        None => String::new(),
    };
    let family = match t.get("family") {
        Some(v) => {
            let f = v.str()?;
            if !FAMILIES.iter().any(|(n, _)| *n == f) {
                let known: Vec<&str> = FAMILIES.iter().map(|(n, _)| *n).collect();
                return Err(v.err(format!(
                    "unknown family '{f}' (known: {})",
                    known.join(", ")
                )));
            }
            f
        }
        None if t.get("outputs").is_some() => "expr",
        None => {
            // a misspelt `outputs` or `family` is named where it is, not as a missing key
            for (k, _) in t.table.iter() {
                let name: &str = k.get_ref().as_ref();
                if !every_key().any(|known| known == name) {
                    let hint = match closest_key(name, every_key()) {
                        Some(c) => format!(" (did you mean `{c}`?)"),
                        None => String::new(),
                    };
                    return Err(t.cx.at(
                        k.span().start,
                        format!(
                            "unknown key `{name}`{hint}; the file has neither `family` nor \
                             `outputs` (for a formula scenario)"
                        ),
                    ));
                }
            }
            // a key of some family that is a typing error from `family` or `outputs`
            // (`output`, `input`'s neighbour, is an elman-rnn key)
            for (k, _) in t.table.iter() {
                let name: &str = k.get_ref().as_ref();
                if COMMON.contains(&name) {
                    continue;
                }
                if let Some(c) = closest_key(name, ["family", "outputs"].into_iter()) {
                    return Err(t.cx.at(
                        k.span().start,
                        format!(
                            "key `{name}` in a file with neither `family` nor `outputs`: did \
                             you mean `{c}`? (or give the `family` it belongs to)"
                        ),
                    ));
                }
            }
            return Err(t.cx.at(
                t.span.start,
                "missing key `family` (or `outputs` for a formula scenario)".into(),
            ));
        }
    };
    let own = FAMILIES
        .iter()
        .find(|(n, _)| *n == family)
        .map(|(_, k)| *k)
        .unwrap_or(&[]);
    let allowed: Vec<&str> = COMMON.iter().chain(own.iter()).copied().collect();
    t.only(&allowed, &format!("for family '{family}'"))?;

    let (model, x, labels) = match family {
        "expr" => build_expr(t)?,
        "sum-of-squares" => {
            let x = match (t.get("values"), t.get("n")) {
                (Some(v), n) => {
                    let x = given_values(&v, n.as_ref(), limits)?;
                    if let Some(p) = t.get("point") {
                        return Err(p.err("`point` applies only with `n`, not with `values`"));
                    }
                    x
                }
                (None, Some(n)) => {
                    let k = n.size(limits.max_len, "max_len")?;
                    if let Some(p) = t.get("point") {
                        if p.str()? != "index" {
                            return Err(
                                p.err("`point` must be \"index\" (x_i = i), or give `values`")
                            );
                        }
                    }
                    (1..=k).map(|i| i as f64).collect()
                }
                (None, None) => {
                    return Err(t
                        .cx
                        .at(t.span.start, "missing key `n` (or `values`)".into()))
                }
            };
            let labels = (1..=x.len()).map(|i| format!("x[{i}]")).collect();
            (Model::SumOfSquares(SumOfSquares), x, labels)
        }
        "product" => {
            let x = match (t.get("values"), t.get("n")) {
                (Some(v), n) => {
                    let x = given_values(&v, n.as_ref(), limits)?;
                    if let Some(f) = t.get("fill") {
                        return Err(f.err("`fill` applies only with `n`, not with `values`"));
                    }
                    no_random_keys(t, "`values`")?;
                    x
                }
                (None, Some(n)) => {
                    let k = n.size(limits.max_len, "max_len")?;
                    fill(t, k)?
                }
                (None, None) => {
                    return Err(t
                        .cx
                        .at(t.span.start, "missing key `n` (or `values`)".into()))
                }
            };
            let labels = (1..=x.len()).map(|i| format!("x[{i}]")).collect();
            (Model::Product(Product), x, labels)
        }
        "perceptron" => {
            let xv = t.req("x", "the inputs, an array of numbers")?;
            let wv = t.req("w", "the weights (differentiated), an array of numbers")?;
            let xs = nonempty(&xv, xv.f64s()?)?;
            let w = wv.f64s()?;
            if w.len() != xs.len() {
                return Err(wv.err(format!(
                    "`w` has {} entries but `x` has {}",
                    w.len(),
                    xs.len()
                )));
            }
            let activation = match t.get("activation") {
                Some(a) => a.activation()?,
                None => Activation::Sigmoid,
            };
            let labels = (1..=w.len()).map(|i| format!("w{i}")).collect();
            (
                Model::Perceptron(Perceptron { x: xs, activation }),
                w,
                labels,
            )
        }
        "mlp" => build_mlp(t)?,
        "fanout" => {
            let x = t.req("x", "the input, a number")?.f64()?;
            let wv = t.req("w", "the weights, an array of numbers")?;
            let w = nonempty(&wv, wv.f64s()?)?;
            let (m, p, l) = Fanout::new(x, w);
            (Model::Fanout(m), p, l)
        }
        "elman-rnn" => {
            let input = t
                .req("input", "input width")?
                .size(limits.max_len, "max_len")?;
            let hidden = t
                .req("hidden", "hidden width")?
                .size(limits.max_len, "max_len")?;
            let output = t
                .req("output", "output width")?
                .size(limits.max_len, "max_len")?;
            let sv = t.req("steps", "number of time steps")?;
            let steps = sv.size(limits.max_len, "max_len")?;
            check_work(&sv, elman_work(input, hidden, output, steps), limits)?;
            let activation = match t.get("activation") {
                Some(a) => a.activation()?,
                None => Activation::Tanh,
            };
            let (m, p, l) = ElmanRnn::new(
                input,
                hidden,
                output,
                steps,
                activation,
                seed_of(t, "seed")?,
            );
            (Model::ElmanRnn(m), p, l)
        }
        "gated-rnn" => {
            let input = t
                .req("input", "input width")?
                .size(limits.max_len, "max_len")?;
            let hidden = t
                .req("hidden", "hidden width")?
                .size(limits.max_len, "max_len")?;
            let sv = t.req("steps", "number of time steps")?;
            let steps = sv.size(limits.max_len, "max_len")?;
            check_work(&sv, gated_work(input, hidden, steps), limits)?;
            let (m, p, l) = GatedRnn::new(input, hidden, steps, seed_of(t, "seed")?);
            (Model::GatedRnn(m), p, l)
        }
        "dense-jacobian" => {
            let nv = t.req("n", "number of inputs")?;
            let n = nv.size(limits.max_len, "max_len")?;
            let m = t
                .req("m", "number of outputs")?
                .size(limits.max_len, "max_len")?;
            check_work(&nv, dense_work(n, m), limits)?;
            let (d, p, l) = DenseJacobian::new(n, m, seed_of(t, "seed")?);
            (Model::DenseJacobian(d), p, l)
        }
        _ => unreachable!("family validated above"),
    };
    // the families linear in their length, checked against `max_elementals` like the
    // others
    let linear = linear_work(&model, x.len()).map(|work| {
        let at = match &model {
            Model::Perceptron(_) | Model::Fanout(_) => t.get("w"),
            _ => t.get("values").or_else(|| t.get("n")),
        };
        (work, at)
    });
    if let Some((work, Some(v))) = linear {
        check_work(&v, work as u128, limits)?;
    }

    let mut sc = Scenario::new(name, &description, model, x, labels);
    if let Some(fd) = t.get("fd") {
        let ft = fd.table()?;
        if let Some(s) = ft.get("steps") {
            let st = s.table()?;
            st.only(&["from", "to", "per_decade"], "in `fd.steps`")?;
            let mut sweep = StepSweep::default();
            if let Some(v) = st.get("from") {
                sweep.from = v.f64()?;
            }
            if let Some(v) = st.get("to") {
                sweep.to = v.f64()?;
            }
            if let Some(v) = st.get("per_decade") {
                // any density a u32 holds: the sweep's steps in all are held to max_steps
                // below, and a sweep shorter than a decade has fewer than per_decade
                let d = v.u64()?;
                sweep.per_decade = match u32::try_from(d) {
                    Ok(0) => return Err(v.err("`per_decade` must be at least 1")),
                    Ok(d) => d,
                    Err(_) => {
                        return Err(v.err(format!(
                            "`per_decade` = {d} is beyond {}, the most steps per decade",
                            u32::MAX
                        )))
                    }
                };
            }
            if !(sweep.from > 0.0 && sweep.to > 0.0 && sweep.from >= sweep.to) {
                return Err(s.err("`fd.steps` needs 0 < to <= from"));
            }
            // exactly as many as the sweep gives (1 from 1.0 to 0.5 at one per decade)
            let count = crate::fd::step_count(sweep.from, sweep.to, sweep.per_decade);
            if count > limits.max_steps {
                return Err(s.err(format!(
                    "`fd.steps` gives {count} steps, more than the limit of {} (raise with --limit max_steps=N)",
                    limits.max_steps
                )));
            }
            sc.steps = sweep;
        }
        ft.only(&["steps"], "in `fd`")?;
    }
    if let Some(r) = t.get("reference") {
        let rt = r.table()?;
        rt.only(&["precision"], "in `reference`")?;
        if let Some(p) = rt.get("precision") {
            let bits = p.u64()?;
            if bits < 64 || bits > limits.max_precision as u64 {
                // the limit can be raised, the floor (beyond f64's 53 bits) cannot
                let hint = if bits < 64 {
                    ""
                } else {
                    " (raise with --limit max_precision=N)"
                };
                return Err(p.err(format!(
                    "`reference.precision` must be in 64..={} bits, found {bits}{hint}",
                    limits.max_precision
                )));
            }
            sc.precision = bits as u32;
        }
    }
    if let Some(s) = t.get("sample") {
        sc.sample = s.size(limits.max_len, "max_len")?.min(sc.n());
    } else {
        sc.sample = sc.n().min(DEFAULT_SAMPLE);
    }
    Ok((sc, name_pos))
}

fn nonempty(v: &Val, x: Vec<f64>) -> R<Vec<f64>> {
    if x.is_empty() {
        Err(v.err(format!("`{}` must not be empty", v.key)))
    } else {
        Ok(x)
    }
}

/// The elementals one evaluation of a family linear in its length records, at most:
/// sum of squares a square and a sum per input, product one product per factor, the
/// perceptron a constant, a product and a sum per input and the activation, fanout a
/// constant, a product and the activation per output.
fn linear_work(model: &Model, n: usize) -> Option<usize> {
    match model {
        Model::SumOfSquares(_) => Some(2 * n),
        Model::Product(_) => Some(n),
        Model::Perceptron(_) => Some(3 * n + 2),
        Model::Fanout(f) => Some(3 * f.w.len()),
        _ => None,
    }
}

/// The elementals one evaluation of an MLP records, at most (in u128, so that widths up
/// to `max_len` cannot wrap): per batch row a constant per input, per unit a product and
/// a sum per input (one sum fewer, one more for the bias) and the activation, and per
/// output the squared error (a constant, a difference, the square, the sum into the
/// loss); then the factor 1/2 (a constant and a product).
fn mlp_work(layers: &[usize], bias: bool, rows: usize) -> u128 {
    let units: u128 = layers
        .windows(2)
        .map(|w| (w[1] as u128) * (2 * (w[0] as u128) + u128::from(bias)))
        .sum();
    let (first, last) = (layers[0] as u128, *layers.last().unwrap_or(&0) as u128);
    (rows as u128) * (first + units + 4 * last) + 2
}

/// The elementals one evaluation of an Elman network records, at most: h_0 (a constant
/// per unit); per step and hidden unit a constant, a product and a sum per input, a
/// product and a sum per hidden unit (one sum fewer), the bias and the activation; per
/// step and output a product and a sum per hidden unit, the sigmoid and the squared
/// error (four); then the factor 1/2.
fn elman_work(input: usize, hidden: usize, output: usize, steps: usize) -> u128 {
    let (i, h, o, t) = (input as u128, hidden as u128, output as u128, steps as u128);
    t * (h * (3 * i + 2 * h + 1) + o * (2 * h + 4)) + h + 2
}

/// The elementals one evaluation of the gated cell records, at most: h_0; per step and
/// unit y_t and s_t (each a constant, a product and a sum per input, a product and a sum
/// per unit, the bias and the sigmoid), h_t (five) and the squared error (four); then
/// the factor 1/2.
fn gated_work(input: usize, hidden: usize, steps: usize) -> u128 {
    let (i, h, t) = (input as u128, hidden as u128, steps as u128);
    t * h * (6 * i + 4 * h + 11) + h + 2
}

/// The elementals one evaluation of a dense Jacobian records, at most: per output a
/// constant, a product and a sum per input (one sum fewer), the bias (a constant and a
/// sum) and tanh.
fn dense_work(n: usize, m: usize) -> u128 {
    (m as u128) * (3 * (n as u128) + 2)
}

fn check_work(v: &Val, work: u128, limits: &Limits) -> R<()> {
    if work > limits.max_elementals as u128 {
        return Err(v.err(format!(
            "this scenario would record about {work} elementals per evaluation, more than the limit of {} \
             (raise with --limit max_elementals=N)",
            limits.max_elementals
        )));
    }
    Ok(())
}

/// A number as a message shows it: as written for moderate magnitudes (`1`, `0.25`), in
/// exponent form beyond (`1e308`, not 309 digits).
fn plain(v: f64) -> String {
    let a = v.abs();
    if a != 0.0 && !(1e-4..1e16).contains(&a) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// A seeded generator and the range `[low, high)` of a table with the keys `seed`,
/// `low` and `high` (defaults 0, -1 and 1); errors at `at` when the range is empty.
fn seeded_range(t: &Tab, at: &Val) -> R<(SplitMix64, f64, f64)> {
    let (low_v, high_v) = (t.get("low"), t.get("high"));
    let low = low_v.as_ref().map(|v| v.f64()).transpose()?.unwrap_or(-1.0);
    let high = high_v.as_ref().map(|v| v.f64()).transpose()?.unwrap_or(1.0);
    // the error points at the bound given last in the range, `high`, else `low`
    let blame = high_v.as_ref().or(low_v.as_ref()).unwrap_or(at);
    if low >= high {
        let (low, high) = (plain(low), plain(high));
        return Err(blame.err(format!("`low` = {low} must be below `high` = {high}")));
    }
    if !(high - low).is_finite() {
        // the values are low + (high - low) u: an infinite width would give infinities
        return Err(blame.err(format!(
            "the range from `low` = {low:e} to `high` = {high:e} is wider than f64 holds \
             (high - low overflows); narrow it"
        )));
    }
    Ok((SplitMix64::new(seed_of(t, "seed")?), low, high))
}

/// The `values` of a family's vector, which must agree with `n` when both are given.
fn given_values(v: &Val, n: Option<&Val>, limits: &Limits) -> R<Vec<f64>> {
    let x = nonempty(v, v.f64s()?)?;
    if let Some(n) = n {
        let k = n.size(limits.max_len, "max_len")?;
        if k != x.len() {
            return Err(v.err(format!("`values` has {} entries but `n` = {k}", x.len())));
        }
    }
    Ok(x)
}

/// An error at the first of `seed`, `low`, `high` in `t`: they apply only to
/// `fill = "random"`, and one silently ignored would leave a benchmark other than the
/// one written.
fn no_random_keys(t: &Tab, form: &str) -> R<()> {
    for key in ["seed", "low", "high"] {
        if let Some(v) = t.get(key) {
            return Err(v.err(format!(
                "`{key}` applies only with `fill = \"random\"`, not with {form}"
            )));
        }
    }
    Ok(())
}

/// The values of a `fill` form of length k: "index" (x_i = i) or "random" with `seed`,
/// `low`, `high` from the same table (uniform, SplitMix64).
fn fill_values(t: &Tab, f: &Val, k: usize) -> R<Vec<f64>> {
    match f.str()? {
        "index" => {
            no_random_keys(t, "`fill = \"index\"`")?;
            Ok((1..=k).map(|i| i as f64).collect())
        }
        "random" => {
            let (mut g, low, high) = seeded_range(t, f)?;
            Ok(g.fill(k, low, high))
        }
        other => Err(f.err(format!("unknown fill '{other}' (known: index, random)"))),
    }
}

/// The `fill` forms of a family's vector of length k; x_i = i without `fill`.
fn fill(t: &Tab, k: usize) -> R<Vec<f64>> {
    match t.get("fill") {
        None => {
            no_random_keys(t, "x_i = i (no `fill`)")?;
            Ok((1..=k).map(|i| i as f64).collect())
        }
        Some(f) => fill_values(t, &f, k),
    }
}

fn build_mlp(t: &Tab) -> R<(Model, Vec<f64>, Vec<String>)> {
    let limits = t.cx.limits;
    let lv = t.req("layers", "widths: input, hidden..., output")?;
    let layers: Vec<usize> = lv
        .array()?
        .iter()
        .map(|v| v.size(limits.max_len, "max_len"))
        .collect::<R<_>>()?;
    if layers.len() < 2 {
        return Err(lv.err("`layers` needs at least an input and an output width"));
    }
    let activation = match t.get("activation") {
        Some(a) => a.activation()?,
        None => Activation::Sigmoid,
    };
    let output_activation = match t.get("output_activation") {
        Some(a) => a.activation()?,
        None => activation,
    };
    let bias = match t.get("bias") {
        Some(b) => b.bool()?,
        None => false,
    };
    let xv = t.req("x", "batch rows, N x layers[0]")?;
    let x = data_matrix(&xv, None, layers[0])?;
    let tv = t.req("t", "targets, N x layers[last]")?;
    let tt = data_matrix(
        &tv,
        Some(x.len()),
        *layers.last().expect("two layers at least"),
    )?;
    if x.is_empty() {
        return Err(xv.err("`x` needs at least one batch row"));
    }
    for (r, row) in x.iter().enumerate() {
        if row.len() != layers[0] {
            return Err(row_err(
                &xv,
                r,
                format!(
                    "`x` row {} has {} values but layers[0] = {}",
                    r + 1,
                    row.len(),
                    layers[0]
                ),
            ));
        }
    }
    if tt.len() != x.len() {
        return Err(tv.err(format!("`t` has {} rows but `x` has {}", tt.len(), x.len())));
    }
    let last = *layers.last().expect("two layers at least");
    for (r, row) in tt.iter().enumerate() {
        if row.len() != last {
            return Err(row_err(
                &tv,
                r,
                format!(
                    "`t` row {} has {} values but the output width is {last}",
                    r + 1,
                    row.len()
                ),
            ));
        }
    }
    let mlp = Mlp {
        layers: layers.clone(),
        activation,
        output_activation,
        bias,
        x,
        t: tt,
    };
    check_work(&lv, mlp_work(&layers, bias, mlp.x.len()), limits)?;
    let n = mlp.n_params();
    let wv = t.req(
        "weights",
        "a table { seed, low, high } or one matrix per layer",
    )?;
    let p = if wv.v.is_table() {
        let wt = wv.table()?;
        wt.only(&["seed", "low", "high"], "in `weights`")?;
        let (mut g, low, high) = seeded_range(&wt, &wv)?;
        if t.get("biases").is_some() {
            return Err(wv.err("explicit `biases` need explicit `weights`"));
        }
        g.fill(n, low, high)
    } else {
        let mats = wv.array()?;
        if mats.len() != layers.len() - 1 {
            return Err(wv.err(format!(
                "`weights` has {} matrices but `layers` describes {}",
                mats.len(),
                layers.len() - 1
            )));
        }
        let biases = if bias {
            let bv = t.req(
                "biases",
                "one vector per layer (bias = true with explicit weights)",
            )?;
            let b = bv.array()?;
            if b.len() != layers.len() - 1 {
                return Err(bv.err(format!(
                    "`biases` has {} vectors but `layers` describes {}",
                    b.len(),
                    layers.len() - 1
                )));
            }
            let mut out = Vec::new();
            for (l, v) in b.iter().enumerate() {
                let vals = v.f64s()?;
                if vals.len() != layers[l + 1] {
                    return Err(v.err(format!(
                        "bias vector {} has {} but layer {} has {}",
                        l + 1,
                        crate::check::plural(vals.len(), "value", "values"),
                        l + 1,
                        crate::check::plural(layers[l + 1], "unit", "units")
                    )));
                }
                out.push(vals);
            }
            out
        } else {
            if let Some(b) = t.get("biases") {
                return Err(b.err("`biases` given but `bias` is not true"));
            }
            Vec::new()
        };
        let mut p = Vec::with_capacity(n);
        for (l, m) in mats.iter().enumerate() {
            let rows = m.matrix()?;
            let (nin, nout) = (layers[l], layers[l + 1]);
            if let Some(r) = rows.iter().position(|r| r.len() != nin) {
                // a ragged row, or a whole matrix of another width, named at the row
                return Err(row_err(
                    m,
                    r,
                    format!(
                        "weight matrix {} row {} has {} values but layers [{nin} -> {nout}] need {nout} x {nin} (out x in)",
                        l + 1,
                        r + 1,
                        rows[r].len()
                    ),
                ));
            }
            if rows.len() != nout {
                return Err(m.err(format!(
                    "weight matrix {} is {} x {nin} but layers [{nin} -> {nout}] need {nout} x {nin} (out x in)",
                    l + 1,
                    rows.len()
                )));
            }
            p.extend(rows.into_iter().flatten());
            if bias {
                p.extend(biases[l].iter().copied());
            }
        }
        p
    };
    let labels = mlp.labels();
    Ok((Model::Mlp(mlp), p, labels))
}

/// A data matrix: explicit rows, or `{ rows = N, seed, low, high }` drawn row by row
/// from SplitMix64 (`cols` values per row; `rows` defaults to `default_rows`).
/// An error at row `r` (0-based) of a matrix written out as an array of rows, or at the
/// matrix where it is not (a generated one).
fn row_err(v: &Val, r: usize, m: String) -> LoadError {
    match v.array().ok().and_then(|rows| rows.into_iter().nth(r)) {
        Some(row) => row.err(m),
        None => v.err(m),
    }
}

fn data_matrix(v: &Val, default_rows: Option<usize>, cols: usize) -> R<Vec<Vec<f64>>> {
    if !v.v.is_table() {
        return v.matrix();
    }
    let t = v.table()?;
    t.only(&["rows", "seed", "low", "high"], &format!("in `{}`", v.key))?;
    let rows = match (t.get("rows"), default_rows) {
        (Some(r), _) => r.size(v.cx.limits.max_len, "max_len")?,
        (None, Some(r)) => r,
        (None, None) => return Err(v.err(format!("`{}` needs `rows`", v.key))),
    };
    if (rows as u128) * (cols as u128) > v.cx.limits.max_len as u128 {
        return Err(v.err(format!(
            "`{}` would hold {rows} x {cols} values, more than the limit of {} (raise with --limit max_len=N)",
            v.key, v.cx.limits.max_len
        )));
    }
    let (mut g, low, high) = seeded_range(&t, v)?;
    Ok((0..rows).map(|_| g.fill(cols, low, high)).collect())
}

/// The file offset of byte `k` of a string value whose TOML text spans `span`: exact,
/// escapes included; the start of the string where the text cannot be mapped.
fn string_offset(cx: &Cx, span: (usize, usize), decoded: &str, k: usize) -> usize {
    let raw = &cx.text[span.0..span.1.min(cx.text.len())];
    let (open, close) = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
        (3, 3)
    } else {
        (1, 1)
    };
    if raw.len() < open + close {
        return span.0;
    }
    let mut inner_start = span.0 + open;
    let mut inner = &raw[open..raw.len() - close];
    // a newline right after the opening delimiter of a multi-line string is trimmed
    if open == 3 {
        if let Some(rest) = inner.strip_prefix('\n') {
            inner = rest;
            inner_start += 1;
        } else if let Some(rest) = inner.strip_prefix("\r\n") {
            inner = rest;
            inner_start += 2;
        }
    }
    if inner == decoded {
        return inner_start + k.min(decoded.len());
    }
    // a basic string with escapes: walk its text, decoding as TOML does, and map
    match raw
        .starts_with('"')
        .then(|| decode_offsets(inner))
        .flatten()
    {
        Some((text, offsets)) if text == decoded => inner_start + offsets[k.min(decoded.len())],
        _ => span.0,
    }
}

/// Decodes the inside of a TOML basic string (escapes, and in a multi-line string a
/// backslash ending a line, which drops the line break and the white space after it),
/// returning the text and, for every byte offset of the text (its length included), the
/// offset in `inner` it came from. `None` for a malformed escape.
fn decode_offsets(inner: &str) -> Option<(String, Vec<usize>)> {
    let mut text = String::new();
    let mut offsets = Vec::new();
    let mut push = |text: &mut String, c: char, at: usize| {
        offsets.extend(std::iter::repeat_n(at, c.len_utf8()));
        text.push(c);
    };
    let mut chars = inner.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c != '\\' {
            push(&mut text, c, at);
            continue;
        }
        let (_, e) = chars.next()?;
        let hex = |chars: &mut std::iter::Peekable<std::str::CharIndices>, n: usize| {
            let digits: String = (0..n)
                .filter_map(|_| chars.next().map(|(_, d)| d))
                .collect();
            (digits.len() == n)
                .then(|| u32::from_str_radix(&digits, 16).ok())
                .flatten()
                .and_then(char::from_u32)
        };
        let decoded = match e {
            'b' => '\u{8}',
            't' => '\t',
            'n' => '\n',
            'f' => '\u{c}',
            'r' => '\r',
            'e' => '\u{1b}',
            '"' => '"',
            '\\' => '\\',
            'x' => hex(&mut chars, 2)?,
            'u' => hex(&mut chars, 4)?,
            'U' => hex(&mut chars, 8)?,
            ' ' | '\t' | '\r' | '\n' => {
                // a line-ending backslash: skip white space and line breaks
                while chars.peek().is_some_and(|(_, w)| w.is_whitespace()) {
                    chars.next();
                }
                continue;
            }
            _ => return None,
        };
        push(&mut text, decoded, at);
    }
    offsets.push(inner.len());
    Some((text, offsets))
}

/// Reads one input or constant declaration: `{ name, value }`, `{ name, values }`,
/// `{ name, len, fill = "index" }` or `{ name, len, fill = "random", seed, low, high }`.
/// A declared input or constant: name, shape, values and the span of its name.
type Declaration = (String, expr::Shape, Vec<f64>, (usize, usize));

fn declaration(v: &Val) -> R<Declaration> {
    if !v.v.is_table() {
        // an entry of the list, not the list itself
        return Err(v.err(format!(
            "an entry of `{}` must be a table such as {{ name = \"x\", value = 1.5 }}, found {}",
            v.key,
            v.v.type_str()
        )));
    }
    let t = v.table()?;
    t.only(
        &[
            "name", "value", "values", "len", "fill", "seed", "low", "high",
        ],
        &format!("in an entry of `{}`", v.key),
    )?;
    let nv = t.req("name", "the name used in formulas")?;
    let name = nv.str()?.to_string();
    let forms = [
        t.get("value").is_some(),
        t.get("values").is_some(),
        t.get("len").is_some(),
    ];
    if forms.iter().filter(|f| **f).count() != 1 {
        return Err(t.cx.at(
            t.span.start,
            format!("`{name}` needs exactly one of `value` (scalar), `values` (vector) or `len` with `fill`"),
        ));
    }
    if t.get("len").is_none() {
        if let Some(f) = t.get("fill") {
            return Err(f.err(format!(
                "`fill` applies only with `len`, not with a given value of `{name}`"
            )));
        }
        no_random_keys(&t, "a given value")?;
    }
    if let Some(x) = t.get("value") {
        return Ok((name, expr::Shape::Scalar, vec![x.f64()?], nv.span));
    }
    if let Some(x) = t.get("values") {
        let vals = nonempty(&x, x.f64s()?)?;
        return Ok((name, expr::Shape::Vector(vals.len()), vals, nv.span));
    }
    let lv = t.req("len", "the vector's length")?;
    let len = lv.size(t.cx.limits.max_len, "max_len")?;
    let fv = t.req("fill", "\"index\" or \"random\"")?;
    let vals = fill_values(&t, &fv, len)?;
    Ok((name, expr::Shape::Vector(len), vals, nv.span))
}

fn build_expr(t: &Tab) -> R<(Model, Vec<f64>, Vec<String>)> {
    let cx = t.cx;
    let mut env = expr::Env::new();
    let mut x = Vec::new();
    let iv = t.req(
        "inputs",
        "the differentiated inputs, a list of { name, value } or { name, values }",
    )?;
    let inputs = iv.array()?;
    if inputs.is_empty() {
        return Err(iv.err("`inputs` must not be empty"));
    }
    let mut total: u64 = 0;
    for d in &inputs {
        let (name, shape, vals, pos) = declaration(d)?;
        total += vals.len() as u64;
        if total > cx.limits.max_len {
            return Err(d.err(format!(
                "the inputs hold more than {} values (raise with --limit max_len=N)",
                cx.limits.max_len
            )));
        }
        env.add_input(&name, shape).map_err(|e| cx.at(pos.0, e))?;
        x.extend(vals);
    }
    if let Some(cv) = t.get("constants") {
        let constants = cv.array()?;
        if constants.is_empty() {
            return Err(cv.err("`constants` must not be empty (leave the key out instead)"));
        }
        // each declaration is bounded by its `len`; their sum is bounded as the inputs'
        let mut total: u64 = 0;
        for d in constants {
            let (name, shape, vals, pos) = declaration(&d)?;
            total += vals.len() as u64;
            if total > cx.limits.max_len {
                return Err(d.err(format!(
                    "the constants hold more than {} values (raise with --limit max_len=N)",
                    cx.limits.max_len
                )));
            }
            env.add_constant(&name, vals, shape)
                .map_err(|e| cx.at(pos.0, e))?;
        }
    }
    let limits = expr::Limits {
        max_depth: cx.limits.max_depth,
        max_loop_iterations: cx.limits.max_loop_iterations,
        max_instructions: cx.limits.max_elementals.min(usize::MAX as u64) as usize,
        // the work of expanding loops and generated outputs, which sharing does not
        // show in the instructions: ten nodes expanded per elemental allowed
        max_expanded: cx.limits.max_elementals.saturating_mul(10),
    };
    let mut compiler = expr::Compiler::new(&env, limits);
    let ov = t.req("outputs", "a list of formulas, or { for, from, to, expr }")?;
    let items: Vec<Val> = if ov.v.is_table() {
        vec![ov]
    } else if ov.v.is_array() {
        ov.array()?
    } else {
        return Err(ov.err(format!(
            "`outputs` must be a list of formulas or a generated list \
             {{ for, from, to, expr }}, found {}",
            ov.v.type_str()
        )));
    };
    if items.is_empty() {
        return Err(ov.err("`outputs` must not be empty"));
    }
    let compile = |c: &mut expr::Compiler, text_v: &Val, bindings: &[(&str, i64)]| -> R<()> {
        let text = text_v.str()?;
        c.add_output(text, bindings).map_err(|e| {
            let off = string_offset(cx, text_v.span, text, e.span.start);
            cx.at(off, e.message.clone())
        })
    };
    // the outputs of every item together, generated or written out, against max_len
    let mut outputs: u64 = 0;
    let too_many = |v: &Val| {
        v.err(format!(
            "more than {} outputs (raise with --limit max_len=N)",
            cx.limits.max_len
        ))
    };
    for item in &items {
        if item.v.is_table() {
            let g = item.table()?;
            g.only(&["for", "from", "to", "expr"], "in a generated output")?;
            let fv = g.req("for", "the loop variable")?;
            let var = fv.str()?.to_string();
            if let Some(why) = compiler.binding_error(&var) {
                return Err(fv.err(format!("the loop variable '{var}' {why}")));
            }
            let int = |key: &str| -> R<i64> {
                let v = g.req(key, "an integer bound")?;
                let i =
                    v.v.as_integer()
                        .ok_or_else(|| v.err(format!("`{key}` must be an integer")))?;
                i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
                    .map_err(|_| v.err(format!("`{key}` is out of range")))
            };
            let (from, to) = (int("from")?, int("to")?);
            let ev = g.req("expr", "the formula of each output")?;
            if to < from {
                // at `to`, the bound that ends the range before it starts
                let tv = g.req("to", "an integer bound")?;
                return Err(tv.err(format!("generated outputs from {from} to {to} are empty")));
            }
            outputs = outputs.saturating_add(to.abs_diff(from).saturating_add(1));
            if outputs > cx.limits.max_len {
                return Err(too_many(&g.req("to", "an integer bound")?));
            }
            for k in from..=to {
                compile(&mut compiler, &ev, &[(var.as_str(), k)])?;
            }
        } else {
            if !item.v.is_str() {
                return Err(item.err(format!(
                    "an entry of `outputs` must be a formula (a string) or a generated list \
                     {{ for, from, to, expr }}, found {}",
                    item.v.type_str()
                )));
            }
            outputs += 1;
            if outputs > cx.limits.max_len {
                return Err(too_many(item));
            }
            compile(&mut compiler, item, &[])?;
        }
    }
    let program = compiler.finish();
    let labels = env.input_labels();
    Ok((Model::Expr(program), x, labels))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> R<Scenario> {
        load_str(Path::new("t.toml"), text, &Limits::default()).map(|r| r.0)
    }

    #[test]
    fn a_limit_too_large_is_said_to_be_too_large_and_an_unknown_key_to_be_unknown() {
        let mut l = Limits::default();
        assert_eq!(
            l.set("max_len", "99999999999999999999").unwrap_err(),
            "limit max_len: '99999999999999999999' is larger than 18446744073709551615, the \
             largest limit (it must fit in 64 bits)"
        );
        assert_eq!(
            l.set("max_precision", "4294967296").unwrap_err(),
            "limit max_precision: '4294967296' is larger than 4294967295, the largest \
             precision in bits"
        );
        l.set("max_precision", "4294967295").unwrap();
        assert_eq!(l.max_precision, u32::MAX);
        // the key is judged before its value
        assert!(l
            .set("max_nothing", "lots")
            .unwrap_err()
            .starts_with("unknown limit 'max_nothing' (known: max_len, "),);
        assert_eq!(
            l.set("max_len", "-1").unwrap_err(),
            "limit max_len: '-1' is not a non-negative integer"
        );
    }

    #[test]
    fn a_bias_vector_of_the_wrong_length_counts_in_the_singular_for_one() {
        let text = "name = \"a\"\nfamily = \"mlp\"\nlayers = [2, 1]\nx = [[1.0, 2.0]]\n\
                    t = [[0.5]]\nbias = true\nweights = [[[1.0, 2.0]]]\nbiases = [[0.1, 0.2]]\n";
        let e = load(text).unwrap_err().to_string();
        assert!(
            e.ends_with("bias vector 1 has 2 values but layer 1 has 1 unit"),
            "{e}"
        );
        let text = text
            .replace("[[0.1, 0.2]]", "[[]]")
            .replace("[2, 1]", "[2, 2]");
        let text = text.replace("[[[1.0, 2.0]]]", "[[[1.0, 2.0], [3.0, 4.0]]]");
        let text = text.replace("[[0.5]]", "[[0.5, 0.5]]");
        let e = load(&text).unwrap_err().to_string();
        assert!(
            e.ends_with("bias vector 1 has 0 values but layer 1 has 2 units"),
            "{e}"
        );
    }

    #[test]
    fn a_count_or_seed_of_minus_zero_is_zero() {
        let text = |seed: &str| {
            format!("name = \"a\"\nfamily = \"product\"\nn = 3\nfill = \"random\"\nseed = {seed}\n")
        };
        let zero = load(&text("0")).unwrap();
        let minus = load(&text("-0")).unwrap();
        assert_eq!(zero.x, minus.x);
        let e = load(&text("-1")).unwrap_err().to_string();
        assert!(
            e.ends_with("`seed` must be a non-negative integer that fits in 64 bits, found -1"),
            "{e}"
        );
    }

    #[test]
    fn the_linear_families_record_at_most_their_estimate() {
        for text in [
            "name = \"a\"\nfamily = \"sum-of-squares\"\nn = 7\n",
            "name = \"a\"\nfamily = \"product\"\nn = 7\n",
            "name = \"a\"\nfamily = \"perceptron\"\nx = [1.0, 2.0, 3.0]\nw = [0.5, 0.5, 0.5]\n",
            "name = \"a\"\nfamily = \"perceptron\"\nx = [1.0, 2.0]\nw = [0.5, 0.5]\nactivation = \"tanh\"\n",
            "name = \"a\"\nfamily = \"fanout\"\nx = 1.0\nw = [1.0, 2.0, 3.0]\n",
        ] {
            let sc = load(text).unwrap();
            let tape = crate::ad::Tape::new();
            let xs = tape.vars(&sc.x);
            let _ = sc.eval(&xs);
            let recorded = tape.len() - sc.n();
            let estimate = linear_work(&sc.model, sc.n()).unwrap();
            assert!(recorded <= estimate, "{text}: {recorded} > {estimate}");
            assert!(recorded + 3 >= estimate, "{text}: {recorded} far below {estimate}");
        }
    }

    /// The networks and dense Jacobians are checked against `max_elementals` before
    /// anything is built, from their sizes: the estimate must bound what an evaluation
    /// records, also where the outputs outnumber the inputs (an estimate from the
    /// parameters alone let a dense Jacobian of one input and 10^6 outputs, 5 x 10^6
    /// elementals, past the default limit of 4 x 10^6), and stay close to it.
    #[test]
    fn the_networks_record_at_most_their_estimate() {
        let mlp = |layers: &str, act: &str, bias: bool, rows: usize| {
            format!(
                "name = \"a\"\nfamily = \"mlp\"\nlayers = {layers}\nactivation = \"{act}\"\n\
                 bias = {bias}\nx = {{ rows = {rows} }}\nt = {{ low = 0.0, high = 1.0 }}\n\
                 weights = {{ seed = 1 }}\n"
            )
        };
        let elman = |i: usize, h: usize, o: usize, t: usize, act: &str| {
            format!(
                "name = \"a\"\nfamily = \"elman-rnn\"\ninput = {i}\nhidden = {h}\n\
                 output = {o}\nsteps = {t}\nactivation = \"{act}\"\n"
            )
        };
        let gated = |i: usize, h: usize, t: usize| {
            format!(
                "name = \"a\"\nfamily = \"gated-rnn\"\ninput = {i}\nhidden = {h}\nsteps = {t}\n"
            )
        };
        let dense = |n: usize, m: usize| {
            format!("name = \"a\"\nfamily = \"dense-jacobian\"\nn = {n}\nm = {m}\n")
        };
        let mut cases = Vec::new();
        for act in ["sigmoid", "tanh"] {
            for bias in [false, true] {
                for layers in [
                    "[1, 1]",
                    "[1, 200]",
                    "[200, 1]",
                    "[3, 2, 2, 1]",
                    "[2, 1, 50]",
                ] {
                    for rows in [1, 3] {
                        cases.push(mlp(layers, act, bias, rows));
                    }
                }
            }
            for (i, h, o, t) in [(1, 1, 1, 1), (1, 1, 200, 3), (200, 1, 1, 3), (3, 4, 2, 5)] {
                cases.push(elman(i, h, o, t, act));
            }
        }
        for (i, h, t) in [(1, 1, 1), (200, 1, 3), (1, 20, 3), (3, 4, 5)] {
            cases.push(gated(i, h, t));
        }
        for (n, m) in [(1, 1), (1, 200), (200, 1), (7, 5)] {
            cases.push(dense(n, m));
        }
        for text in cases {
            let sc = load(&text).unwrap();
            let tape = crate::ad::Tape::new();
            let xs = tape.vars(&sc.x);
            let _ = sc.eval(&xs);
            let recorded = (tape.len() - sc.n()) as u128;
            let estimate = match &sc.model {
                Model::Mlp(m) => mlp_work(&m.layers, m.bias, m.x.len()),
                Model::ElmanRnn(r) => elman_work(r.input, r.hidden, r.output, r.steps()),
                Model::GatedRnn(r) => gated_work(r.input, r.hidden, r.steps()),
                Model::DenseJacobian(d) => dense_work(sc.n(), d.b.len()),
                _ => unreachable!(),
            };
            assert!(recorded <= estimate, "{text}: {recorded} > {estimate}");
            // the first sum of a loss and of a pre-activation is a term, not a sum
            assert!(
                recorded + 3 >= estimate,
                "{text}: {recorded} far below {estimate}"
            );
        }
        // 5 x 10^6 elementals: past the default limit
        let e = load(&dense(1, 1_000_000)).unwrap_err();
        assert!(e.message.contains("about 5000000 elementals"), "{e}");
    }

    #[test]
    fn positions_are_one_based() {
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("é\nx", 3), (2, 1));
    }

    #[test]
    fn names_follow_the_pattern() {
        assert!(valid_name("sum-of-squares-1000"));
        assert!(valid_name("0a"));
        assert!(!valid_name("-a"));
        assert!(!valid_name("A"));
        assert!(!valid_name("a/b"));
        assert!(!valid_name(&"a".repeat(65)));
    }

    #[test]
    fn a_family_file_loads() {
        let s = load("name = \"ss\"\nfamily = \"sum-of-squares\"\nn = 10\n").unwrap();
        assert_eq!(s.n(), 10);
        assert_eq!(s.x[9], 10.0);
    }

    #[test]
    fn unknown_key_is_named_with_its_position() {
        let e =
            load("name = \"ss\"\nfamily = \"sum-of-squares\"\nn = 10\nsteps = 3\n").unwrap_err();
        assert_eq!((e.line, e.col), (4, 1));
        assert!(e.message.contains("unknown key `steps`"), "{e}");
    }
}

//! The model matrix of a formula on a dataset: numeric columns, transformed columns (`log`,
//! `I(…)`), factors with treatment contrasts and interactions, named as R names them.
//!
//! A factor is a text column, or `factor(x)` / `C(x)` of any column. Its levels are the distinct
//! values among the rows used in the fit, sorted (text in byte order, which is R's order in the C
//! locale; numbers numerically), and the first level is the reference. A factor in a term is
//! coded by contrasts (one column per non-reference level) when the term without that factor
//! is in the model — the empty term being the intercept — and by indicators of every level
//! otherwise (R's rule; e.g. `y ~ a:b` codes both in full, `y ~ a + a:b` codes `a` in full
//! inside `a:b`). Columns of an interaction vary fastest in its first variable.

use ndarray::{Array2, CowArray, Ix1};
use rayon::prelude::*;

use super::formula::{Expr, FUNCTIONS, Formula};
use crate::data::Dataset;
use crate::error::{Error, Result};

/// How a variable enters the model.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    /// A numeric column or expression.
    Numeric,
    /// A factor with these levels (the first is the reference).
    Factor(Vec<String>),
}

/// The fitted structure of a model matrix, enough to build the matrix of new data.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DesignSpec {
    pub formula: Formula,
    /// Per variable.
    pub kinds: Vec<Kind>,
    /// Per term and per variable in the term: `true` = contrasts, `false` = all indicators.
    pub contrasts: Vec<Vec<bool>>,
    /// Coefficient names (without the intercept).
    pub names: Vec<String>,
    /// Term index of each column (without the intercept).
    pub assign: Vec<usize>,
}

/// A model matrix (without the intercept column) of the complete rows.
#[derive(Debug, Clone)]
pub(crate) struct ModelMatrix {
    pub x: Array2<f64>,
    pub y: Vec<f64>,
    /// Dataset rows used.
    pub rows: Vec<usize>,
    pub spec: DesignSpec,
    /// Largest magnitude in each column of `x`.
    pub col_max: Vec<f64>,
}

/// The dataset's values as row-major rows (when stored so), and per formula variable the
/// position of its column in a row when the variable is a plain numeric column.
struct RowSource<'a> {
    values: &'a [f64],
    width: usize,
    col: Vec<Option<usize>>,
}

impl<'a> RowSource<'a> {
    fn of(data: &'a Dataset, variables: &[Expr]) -> Option<Self> {
        let v = data.values();
        let values = v.as_slice()?;
        let col = variables
            .iter()
            .map(|e| match e {
                Expr::Var(name) if data.is_numeric(name).unwrap_or(false) => {
                    data.index_of(name).ok()
                }
                _ => None,
            })
            .collect();
        Some(RowSource { values, width: v.ncols(), col })
    }

    #[inline]
    fn row(&self, r: usize) -> &'a [f64] {
        &self.values[r * self.width..(r + 1) * self.width]
    }
}

fn is_missing_label(s: &str) -> bool {
    let t = s.trim();
    t.is_empty() || t == "NA"
}

/// Values of one variable per dataset row: numbers (a column of the dataset is borrowed, not
/// copied), or labels for a factor.
enum Raw<'a> {
    Num(CowArray<'a, f64, Ix1>),
    Text(Vec<Option<String>>),
}

fn fmt_level(v: f64) -> String {
    // R's as.character for doubles: 15 significant digits, shortest form.
    let s = format!("{v}");
    if s.len() <= 16 {
        return s;
    }
    let t = format!("{:.*e}", 14, v);
    t.parse::<f64>().map(|x| format!("{x}")).unwrap_or(s)
}

fn eval_num(e: &Expr, data: &Dataset, n: usize) -> Result<Vec<f64>> {
    Ok(match e {
        Expr::Var(name) => data.column(name)?.to_vec(),
        Expr::Num(v) => vec![*v; n],
        Expr::Dot => return Err(Error::invalid("formula", "`.` inside an expression")),
        Expr::Paren(a) => eval_num(a, data, n)?,
        Expr::Neg(a) => eval_num(a, data, n)?.into_iter().map(|v| -v).collect(),
        Expr::Call(f, args) => {
            let a = eval_num(&args[0], data, n)?;
            let g: fn(f64) -> f64 = match f.as_str() {
                "I" => |v| v,
                "log" => f64::ln,
                "exp" => f64::exp,
                "sqrt" => f64::sqrt,
                "abs" => f64::abs,
                "log2" => f64::log2,
                "log10" => f64::log10,
                _ => {
                    return Err(Error::invalid(
                        "formula",
                        format!("`{f}(…)` cannot be used inside an expression"),
                    ));
                }
            };
            debug_assert!(f == "I" || FUNCTIONS.contains(&f.as_str()));
            a.into_iter().map(g).collect()
        }
        Expr::Bin(op, a, b) => {
            let a = eval_num(a, data, n)?;
            let b = eval_num(b, data, n)?;
            let g: fn(f64, f64) -> f64 = match op {
                '+' => |x, y| x + y,
                '-' => |x, y| x - y,
                '*' => |x, y| x * y,
                '/' => |x, y| x / y,
                '^' => f64::powf,
                _ => {
                    return Err(Error::invalid(
                        "formula",
                        format!("`{op}` is not arithmetic (inside I(…) use + - * / ^)"),
                    ));
                }
            };
            a.into_iter().zip(b).map(|(x, y)| g(x, y)).collect()
        }
    })
}

fn eval_raw<'a>(e: &Expr, data: &'a Dataset, n: usize) -> Result<Raw<'a>> {
    match e {
        Expr::Var(name) if data.is_numeric(name)? => Ok(Raw::Num(data.column(name)?.into())),
        Expr::Var(name) if !data.is_numeric(name)? => Ok(Raw::Text(
            data.labels(name)?
                .into_iter()
                .map(|s| if is_missing_label(&s) { None } else { Some(s.trim().to_string()) })
                .collect(),
        )),
        Expr::Call(f, args) if f == "factor" || f == "C" => match eval_raw(&args[0], data, n)? {
            Raw::Text(t) => Ok(Raw::Text(t)),
            Raw::Num(v) => Ok(Raw::Text(
                v.iter().map(|&x| if x.is_nan() { None } else { Some(fmt_level(x)) }).collect(),
            )),
        },
        _ => Ok(Raw::Num(eval_num(e, data, n)?.into())),
    }
}

/// Whether the raw values came from numbers (factor levels then sort numerically).
fn numeric_source(e: &Expr, data: &Dataset) -> bool {
    match e {
        Expr::Var(name) => data.is_numeric(name).unwrap_or(false),
        Expr::Call(f, args) if f == "factor" || f == "C" => numeric_source(&args[0], data),
        _ => true,
    }
}

fn sorted_levels(values: impl Iterator<Item = String>, numeric: bool) -> Vec<String> {
    let mut lv: Vec<String> = values.collect();
    lv.sort();
    lv.dedup();
    if numeric {
        lv.sort_by(|a, b| {
            let x: f64 = a.parse().unwrap_or(f64::NAN);
            let y: f64 = b.parse().unwrap_or(f64::NAN);
            x.total_cmp(&y)
        });
    }
    lv
}

/// A model-matrix column: its name and, per variable, (variable, level index or `None` for a
/// numeric variable).
type Column = (String, Vec<(usize, Option<usize>)>);

impl DesignSpec {
    fn columns_of_term(&self, k: usize) -> Vec<Column> {
        let mut cols: Vec<Column> = vec![(String::new(), vec![])];
        for (pos, &v) in self.formula.terms[k].iter().enumerate() {
            let label = self.formula.variables[v].label();
            let mut next = Vec::new();
            let choices: Vec<(String, Option<usize>)> = match &self.kinds[v] {
                Kind::Numeric => vec![(label.clone(), None)],
                Kind::Factor(levels) => {
                    let start = usize::from(self.contrasts[k][pos]);
                    (start..levels.len())
                        .map(|l| (format!("{label}{}", levels[l]), Some(l)))
                        .collect()
                }
            };
            // The first variable varies fastest.
            for (cname, lvl) in choices {
                for (name, parts) in &cols {
                    let mut p = parts.clone();
                    p.push((v, lvl));
                    let n = if name.is_empty() { cname.clone() } else { format!("{name}:{cname}") };
                    next.push((n, p));
                }
            }
            cols = next;
        }
        cols
    }

    /// The matrix of the given dataset rows (the caller has kept only rows where every model
    /// variable is present). Each column is planned once (its numeric factors and factor-level
    /// indicators); the rows are filled in memory order, in parallel over blocks of rows.
    /// Also returns the largest magnitude of each column.
    fn matrix(
        &self,
        raws: &[Option<RawCodes<'_>>],
        rows: &[usize],
        src: Option<&RowSource<'_>>,
    ) -> (Array2<f64>, Vec<f64>) {
        let p = self.names.len();
        let mut plans: Vec<ColumnPlan<'_>> = Vec::with_capacity(p);
        for k in 0..self.formula.terms.len() {
            for (_, parts) in self.columns_of_term(k) {
                let in_row = match (src, parts.as_slice()) {
                    (Some(s), [(var, None)]) => s.col[*var],
                    _ => None,
                };
                let mut plan =
                    ColumnPlan { in_row, nums: Vec::new(), codes: Vec::new(), missing: false };
                for (var, lvl) in parts {
                    match (&raws[var], lvl) {
                        (Some(RawCodes::Num(a)), None) => plan.nums.push(a),
                        (Some(RawCodes::Codes(c)), Some(l)) => plan.codes.push((c, l)),
                        _ => plan.missing = true,
                    }
                }
                plans.push(plan);
            }
        }
        let mut x = vec![0.0; rows.len() * p];
        let mut col_max = vec![0.0_f64; p];
        if p > 0 {
            let maxima: Vec<Vec<f64>> = x
                .par_chunks_mut(p * FILL_ROWS)
                .zip(rows.par_chunks(FILL_ROWS))
                .map(|(xc, rc)| {
                    let mut m = vec![0.0_f64; p];
                    for (out, &r) in xc.chunks_exact_mut(p).zip(rc) {
                        let d = src.map(|s| s.row(r));
                        for ((o, plan), mj) in out.iter_mut().zip(&plans).zip(m.iter_mut()) {
                            let v = match (plan.in_row, d) {
                                (Some(j), Some(d)) => d[j],
                                _ => plan.value(r),
                            };
                            *o = v;
                            if v.is_finite() {
                                *mj = mj.max(v.abs());
                            }
                        }
                    }
                    m
                })
                .collect();
            for m in &maxima {
                for (c, &v) in col_max.iter_mut().zip(m) {
                    *c = c.max(v);
                }
            }
        }
        let x =
            Array2::from_shape_vec((rows.len(), p), x).unwrap_or_else(|_| Array2::zeros((0, p)));
        (x, col_max)
    }

    /// The model matrix of new data (for prediction): the same columns, with the fitted levels.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a level not seen in the fit; the errors of the column
    /// look-ups.
    pub fn new_data(&self, data: &Dataset) -> Result<(Array2<f64>, Vec<usize>)> {
        let n = data.n_rows();
        let used = self.used_variables();
        let mut raws: Vec<Option<RawCodes<'_>>> =
            (0..self.formula.variables.len()).map(|_| None).collect();
        for &v in &used {
            let e = &self.formula.variables[v];
            raws[v] = Some(match (eval_raw(e, data, n)?, &self.kinds[v]) {
                (Raw::Num(a), Kind::Numeric) => RawCodes::Num(a),
                (Raw::Text(t), Kind::Factor(levels)) => {
                    let mut codes = Vec::with_capacity(n);
                    for s in t {
                        codes.push(match s {
                            None => None,
                            Some(s) => Some(levels.iter().position(|l| *l == s).ok_or_else(|| {
                                Error::invalid(
                                    "new data",
                                    format!(
                                        "factor `{}` has new level `{s}` (levels in the fit: {})",
                                        e.label(),
                                        levels.join(", ")
                                    ),
                                )
                            })?),
                        });
                    }
                    RawCodes::Codes(codes)
                }
                _ => {
                    return Err(Error::invalid(
                        "new data",
                        format!("`{}` changed between numeric and text", e.label()),
                    ));
                }
            });
        }
        let rows: Vec<usize> = (0..n).filter(|&r| complete(&raws, &used, r)).collect();
        let src = RowSource::of(data, &self.formula.variables);
        Ok((self.matrix(&raws, &rows, src.as_ref()).0, rows))
    }

    fn used_variables(&self) -> Vec<usize> {
        let mut used: Vec<usize> = self.formula.terms.iter().flatten().copied().collect();
        used.sort_unstable();
        used.dedup();
        used
    }

    /// Term labels in model order.
    pub fn term_labels(&self) -> Vec<String> {
        (0..self.formula.terms.len()).map(|k| self.formula.term_label(k)).collect()
    }
}

enum RawCodes<'a> {
    Num(CowArray<'a, f64, Ix1>),
    Codes(Vec<Option<usize>>),
}

/// Rows per parallel block of the model-matrix fill.
const FILL_ROWS: usize = 4096;

/// How one model-matrix column is computed at a row: the product of numeric variables times
/// the indicators of factor levels.
struct ColumnPlan<'a> {
    /// The column is this position of the dataset's row (a plain numeric column).
    in_row: Option<usize>,
    nums: Vec<&'a CowArray<'a, f64, Ix1>>,
    codes: Vec<(&'a [Option<usize>], usize)>,
    /// A variable of the column has no values (not reached for complete rows).
    missing: bool,
}

impl ColumnPlan<'_> {
    #[inline]
    fn value(&self, r: usize) -> f64 {
        if self.missing {
            return f64::NAN;
        }
        let mut v = match self.nums.first() {
            Some(a) => a[r],
            None => 1.0,
        };
        for a in self.nums.iter().skip(1) {
            v *= a[r];
        }
        for &(c, l) in &self.codes {
            if c[r] != Some(l) {
                v = 0.0;
            }
        }
        v
    }
}

fn complete(raws: &[Option<RawCodes<'_>>], used: &[usize], r: usize) -> bool {
    used.iter().all(|&v| match &raws[v] {
        Some(RawCodes::Num(a)) => !a[r].is_nan(),
        Some(RawCodes::Codes(c)) => c[r].is_some(),
        None => true,
    })
}

/// Build the model matrix of `formula` on `data`, with `extra` numeric columns (weights,
/// clusters) also required to be present in a row.
///
/// # Errors
/// Unknown columns, text columns in arithmetic, a factor with fewer than two levels among the
/// complete rows ([`Error::InvalidParameter`]), an infinite value ([`Error::NonFinite`]).
pub(crate) fn build(formula: &Formula, data: &Dataset, extra: &[&[f64]]) -> Result<ModelMatrix> {
    if let Some(d) = &formula.dot {
        for e in &d.excluded {
            data.index_of(e)?;
        }
    }
    let mut formula = formula.clone();
    formula.expand_dot(data.names());
    let n = data.n_rows();
    let y = eval_num(&formula.response, data, n)?;
    let mut used: Vec<usize> = formula.terms.iter().flatten().copied().collect();
    used.sort_unstable();
    used.dedup();
    let mut raw: Vec<Option<Raw<'_>>> = (0..formula.variables.len()).map(|_| None).collect();
    for &v in &used {
        raw[v] = Some(eval_raw(&formula.variables[v], data, n)?);
    }
    for (i, yi) in y.iter().enumerate() {
        if yi.is_infinite() {
            return Err(Error::NonFinite {
                what: format!("response `{}` row {}", formula.response.label(), i + 1),
            });
        }
    }
    // Plain numeric columns are read from the dataset's rows in place (`fast`, their positions
    // in a row); other variables through their values (`slow`).
    let src = RowSource::of(data, &formula.variables);
    let (fast, slow): (Vec<usize>, Vec<usize>) = match &src {
        Some(s) => {
            let (f, sl): (Vec<usize>, Vec<usize>) =
                used.iter().copied().partition(|&v| s.col[v].is_some());
            (f.iter().filter_map(|&v| s.col[v]).collect(), sl)
        }
        None => (Vec::new(), used.clone()),
    };
    let rows: Vec<usize> = (0..n)
        .into_par_iter()
        .filter(|&r| {
            !y[r].is_nan()
                && extra.iter().all(|e| !e[r].is_nan())
                && src.as_ref().is_none_or(|s| {
                    let d = s.row(r);
                    fast.iter().all(|&j| !d[j].is_nan())
                })
                && slow.iter().all(|&v| match &raw[v] {
                    Some(Raw::Num(a)) => !a[r].is_nan(),
                    Some(Raw::Text(t)) => t[r].is_some(),
                    None => true,
                })
        })
        .collect();
    // One scan of the complete rows in memory order for an infinite predictor value; the
    // error then names the first such variable and its first such row.
    let slow_nums: Vec<&CowArray<'_, f64, Ix1>> = slow
        .iter()
        .filter_map(|&v| match &raw[v] {
            Some(Raw::Num(a)) => Some(a),
            _ => None,
        })
        .collect();
    let any_infinite = rows.par_iter().any(|&r| {
        src.as_ref().is_some_and(|s| {
            let d = s.row(r);
            fast.iter().any(|&j| d[j].is_infinite())
        }) || slow_nums.iter().any(|a| a[r].is_infinite())
    });
    // Kinds and codes.
    let mut kinds = vec![Kind::Numeric; formula.variables.len()];
    let mut codes: Vec<Option<RawCodes<'_>>> = (0..formula.variables.len()).map(|_| None).collect();
    for &v in &used {
        match raw[v].take() {
            Some(Raw::Num(a)) => {
                if any_infinite && let Some(&r) = rows.iter().find(|&&r| a[r].is_infinite()) {
                    return Err(Error::NonFinite {
                        what: format!("predictor `{}` row {}", formula.variables[v].label(), r + 1),
                    });
                }
                codes[v] = Some(RawCodes::Num(a));
            }
            Some(Raw::Text(t)) => {
                let numeric = numeric_source(&formula.variables[v], data);
                let levels = sorted_levels(rows.iter().filter_map(|&r| t[r].clone()), numeric);
                if levels.len() < 2 {
                    return Err(Error::invalid(
                        "formula",
                        format!(
                            "factor `{}` has {} level(s) among the complete rows; contrasts need at least two",
                            formula.variables[v].label(),
                            levels.len()
                        ),
                    ));
                }
                let c: Vec<Option<usize>> = t
                    .iter()
                    .map(|s| s.as_ref().and_then(|s| levels.iter().position(|l| l == s)))
                    .collect();
                kinds[v] = Kind::Factor(levels);
                codes[v] = Some(RawCodes::Codes(c));
            }
            None => {}
        }
    }
    // Contrasts: R's rule (see the module docs).
    let mut contrasts = Vec::with_capacity(formula.terms.len());
    let mut empty_present = formula.intercept;
    for (k, term) in formula.terms.iter().enumerate() {
        let mut c = Vec::with_capacity(term.len());
        for &v in term {
            if matches!(kinds[v], Kind::Numeric) {
                c.push(true);
                continue;
            }
            let rest: Vec<usize> = term.iter().copied().filter(|&u| u != v).collect();
            let present =
                if rest.is_empty() { empty_present } else { formula.terms[..k].contains(&rest) };
            c.push(present);
        }
        // Without intercept, the first factor main effect takes the intercept's place.
        if term.len() == 1 && !c[0] {
            empty_present = true;
        }
        contrasts.push(c);
    }
    let mut spec = DesignSpec { formula, kinds, contrasts, names: Vec::new(), assign: Vec::new() };
    for k in 0..spec.formula.terms.len() {
        for (name, _) in spec.columns_of_term(k) {
            spec.names.push(name);
            spec.assign.push(k);
        }
    }
    let (x, col_max) = spec.matrix(&codes, &rows, src.as_ref());
    let y = rows.iter().map(|&r| y[r]).collect();
    Ok(ModelMatrix { x, y, rows, spec, col_max })
}

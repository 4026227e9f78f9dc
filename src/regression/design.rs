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

use ndarray::Array2;

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
}

fn is_missing_label(s: &str) -> bool {
    let t = s.trim();
    t.is_empty() || t == "NA"
}

/// Values of one variable per dataset row: numbers, or labels for a factor.
enum Raw {
    Num(Vec<f64>),
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

fn eval_raw(e: &Expr, data: &Dataset, n: usize) -> Result<Raw> {
    match e {
        Expr::Var(name) if !data.is_numeric(name)? => Ok(Raw::Text(
            data.labels(name)?
                .into_iter()
                .map(|s| if is_missing_label(&s) { None } else { Some(s.trim().to_string()) })
                .collect(),
        )),
        Expr::Call(f, args) if f == "factor" || f == "C" => match eval_raw(&args[0], data, n)? {
            Raw::Text(t) => Ok(Raw::Text(t)),
            Raw::Num(v) => Ok(Raw::Text(
                v.into_iter().map(|x| if x.is_nan() { None } else { Some(fmt_level(x)) }).collect(),
            )),
        },
        _ => Ok(Raw::Num(eval_num(e, data, n)?)),
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

    /// Build the matrix for the given rows of `data` (rows with a missing value in any model
    /// variable are skipped). Returns the matrix and the rows used.
    fn matrix(&self, raws: &[Option<RawCodes>], rows: &[usize]) -> Array2<f64> {
        let mut x = Array2::<f64>::zeros((rows.len(), self.names.len()));
        let mut j = 0;
        for k in 0..self.formula.terms.len() {
            for (_, parts) in self.columns_of_term(k) {
                for (i, &r) in rows.iter().enumerate() {
                    let mut v = 1.0;
                    for &(var, lvl) in &parts {
                        match (&raws[var], lvl) {
                            (Some(RawCodes::Num(a)), None) => v *= a[r],
                            (Some(RawCodes::Codes(c)), Some(l)) => {
                                if c[r] != Some(l) {
                                    v = 0.0;
                                }
                            }
                            _ => v = f64::NAN,
                        }
                    }
                    x[[i, j]] = v;
                }
                j += 1;
            }
        }
        x
    }

    /// The model matrix of new data (for prediction): the same columns, with the fitted levels.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a level not seen in the fit; the errors of the column
    /// look-ups.
    pub fn new_data(&self, data: &Dataset) -> Result<(Array2<f64>, Vec<usize>)> {
        let n = data.n_rows();
        let used = self.used_variables();
        let mut raws: Vec<Option<RawCodes>> = vec![None; self.formula.variables.len()];
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
        Ok((self.matrix(&raws, &rows), rows))
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

#[derive(Debug, Clone)]
enum RawCodes {
    Num(Vec<f64>),
    Codes(Vec<Option<usize>>),
}

fn complete(raws: &[Option<RawCodes>], used: &[usize], r: usize) -> bool {
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
    let mut raw: Vec<Option<Raw>> = (0..formula.variables.len()).map(|_| None).collect();
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
    let rows: Vec<usize> = (0..n)
        .filter(|&r| {
            !y[r].is_nan()
                && extra.iter().all(|e| !e[r].is_nan())
                && used.iter().all(|&v| match &raw[v] {
                    Some(Raw::Num(a)) => !a[r].is_nan(),
                    Some(Raw::Text(t)) => t[r].is_some(),
                    None => true,
                })
        })
        .collect();
    // Kinds and codes.
    let mut kinds = vec![Kind::Numeric; formula.variables.len()];
    let mut codes: Vec<Option<RawCodes>> = vec![None; formula.variables.len()];
    for &v in &used {
        match raw[v].take() {
            Some(Raw::Num(a)) => {
                if let Some(&r) = rows.iter().find(|&&r| a[r].is_infinite()) {
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
    let x = spec.matrix(&codes, &rows);
    let y = rows.iter().map(|&r| y[r]).collect();
    Ok(ModelMatrix { x, y, rows, spec })
}

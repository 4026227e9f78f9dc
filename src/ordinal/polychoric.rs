//! [`Polychoric`] → [`PolychoricFit`]: the matrix of polychoric, tetrachoric, polyserial and
//! Pearson correlations of a mixed set of ordinal and continuous columns.

use ndarray::{Array1, Array2, ArrayRef2};

use super::acov::{self, Acov};
use super::pair::{self, RhoEstimate};
use super::smooth::{cor_smooth, min_eigenvalue};
use crate::error::{Error, Result};
use crate::moments::Missing;
use crate::warning::Warning;

/// Whose conventions to follow: they differ in missing data, thresholds and empty cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Convention {
    /// lavaan 0.6's `lavCor(ordered = ...)`: listwise deletion; each item's thresholds from its
    /// own margin (its observed categories); each correlation by ML with the thresholds fixed;
    /// empty cells of a 2 × 2 table get 0.5 with the margins kept (lavaan's `zero.add = 0.5`,
    /// `zero.keep.margins = TRUE` for binary pairs), larger tables nothing; ML polyserial; the
    /// asymptotic covariance matrix.
    #[default]
    Lavaan,
    /// psych 2.2.9's `polychoric` / `tetrachoric` / `polyserial`: pairwise-complete rows.
    /// Polychoric: when every item spans the same highest code (psych's `global = TRUE`), each
    /// item's thresholds from its own margin over the common code range and no correction;
    /// otherwise (`global = FALSE`) per pair, with empty rows and columns dropped, the
    /// correction (0.5 by default) divided by the pair's n added to every empty cell and the
    /// thresholds taken from the margins of the corrected table. Tetrachoric: the correction
    /// added to the empty cells of a 2 × 2 count table, thresholds from each item's margin.
    /// Polyserial: Olsson et al.'s ad hoc estimator.
    Psych,
}

/// Which estimator a correlation came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum PairKind {
    /// Two ordinal items (tetrachoric when both are binary).
    Polychoric,
    /// An ordinal item and a continuous column.
    Polyserial,
    /// Two continuous columns.
    Pearson,
}

/// Polychoric (and tetrachoric, polyserial) correlations by the two-step method.
///
/// Step one: the thresholds of each ordinal item, `τ_k = Φ⁻¹(proportion of responses ≤ k)`.
/// Step two: each correlation by maximum likelihood with the thresholds fixed, the cell
/// probabilities being rectangles of the bivariate normal:
///
/// ```text
/// ℓ(ρ) = Σ_ab n_ab log P_ab(ρ),
/// P_ab(ρ) = Φ₂(τ_a, τ_b; ρ) − Φ₂(τ_{a−1}, τ_b; ρ) − Φ₂(τ_a, τ_{b−1}; ρ) + Φ₂(τ_{a−1}, τ_{b−1}; ρ)
/// ```
///
/// maximised by Brent's root finder on the analytic score to |Δρ| ≤ 1e-13 (psych's `optimize`
/// stops at about 1e-5). Columns named in [`Polychoric::continuous`] are continuous: an ordinal
/// × continuous pair gets the polyserial correlation, two continuous columns Pearson's r.
///
/// # Examples
/// ```
/// use ndarray::array;
/// use surveystat::ordinal::Polychoric;
/// let x = array![[1., 1.], [1., 2.], [2., 2.], [2., 3.], [3., 3.], [3., 2.], [1., 1.], [2., 1.]];
/// let fit = Polychoric::new().fit(&x).unwrap();
/// assert!(fit.correlation()[[0, 1]] > 0.5);
/// ```
///
/// # Errors
/// Fewer than two columns or rows; infinite values; an ordinal column with non-integer codes,
/// only one category, or more than [`Polychoric::max_categories`] categories (or a psych code
/// range that wide); a continuous column that is constant.
///
/// # References
/// - Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation coefficient.
///   *Psychometrika*, 44, 443–460.
/// - Olsson, U., Drasgow, F. & Dorans, N. J. (1982). The polyserial correlation coefficient.
///   *Psychometrika*, 47, 337–347.
/// - Muthén, B. (1984). A general structural equation model with dichotomous, ordered
///   categorical, and continuous latent variable indicators. *Psychometrika*, 49, 115–132.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Polychoric {
    convention: Convention,
    correction: Option<f64>,
    missing: Option<Missing>,
    max_categories: usize,
    continuous: Vec<usize>,
    tetrachoric: bool,
    global: Option<bool>,
    smooth: bool,
    names: Vec<String>,
}

impl Default for Polychoric {
    fn default() -> Self {
        Self::new()
    }
}

impl Polychoric {
    /// lavaan's conventions, at most 50 categories, no smoothing.
    pub fn new() -> Self {
        Polychoric {
            convention: Convention::Lavaan,
            correction: None,
            missing: None,
            max_categories: 50,
            continuous: Vec::new(),
            tetrachoric: false,
            global: None,
            smooth: false,
            names: Vec::new(),
        }
    }

    /// Tetrachoric correlations: every column must hold exactly two codes; under
    /// [`Convention::Psych`] psych's `tetrachoric` rule for empty cells applies.
    pub fn tetrachoric() -> Self {
        Polychoric { tetrachoric: true, ..Self::new() }
    }

    /// Whose conventions to follow (default [`Convention::Lavaan`]).
    pub fn convention(mut self, c: Convention) -> Self {
        self.convention = c;
        self
    }

    /// The value added to empty cells (psych's `correct`); 0 turns the correction off. Default:
    /// 0 under lavaan, 0.5 under psych (applied only where psych applies it, see
    /// [`Convention::Psych`]); an explicit value applies it to every pair's empty cells.
    pub fn correction(mut self, c: f64) -> Self {
        self.correction = Some(c);
        self
    }

    /// Missing values: listwise (lavaan's default) or pairwise (psych's).
    pub fn missing(mut self, m: Missing) -> Self {
        self.missing = Some(m);
        self
    }

    /// Largest number of categories an ordinal column may have (default 50).
    pub fn max_categories(mut self, k: usize) -> Self {
        self.max_categories = k;
        self
    }

    /// Thresholds from each item's own margin (`true`, psych's `global = TRUE`, lavaan's rule)
    /// or, per pair, from the margins of the pair's table after the empty-cell correction
    /// (`false`, psych's `global = FALSE`). Default: always `true` under lavaan; under psych
    /// `true` exactly when every item reaches the same highest code, as psych decides.
    pub fn global(mut self, on: bool) -> Self {
        self.global = Some(on);
        self
    }

    /// Columns (0-based) that are continuous rather than ordinal.
    pub fn continuous(mut self, columns: &[usize]) -> Self {
        self.continuous = columns.to_vec();
        self
    }

    /// Smooth a matrix that is not positive definite as psych's `cor.smooth` (see
    /// [`cor_smooth`](super::cor_smooth)).
    pub fn smooth(mut self, on: bool) -> Self {
        self.smooth = on;
        self
    }

    /// Column names (default `V1`, `V2`, …).
    pub fn names<S: AsRef<str>>(mut self, names: &[S]) -> Self {
        self.names = names.iter().map(|s| s.as_ref().to_string()).collect();
        self
    }

    fn correction_value(&self) -> f64 {
        self.correction.unwrap_or(match self.convention {
            Convention::Lavaan => 0.0,
            Convention::Psych => 0.5,
        })
    }

    /// Estimate the correlation matrix. Rows are observations, columns are variables; NaN is
    /// missing.
    pub fn fit(&self, x: &ArrayRef2<f64>) -> Result<PolychoricFit> {
        let (n_rows, p) = x.dim();
        if p < 2 {
            return Err(Error::TooFewVariables { needed: 2, got: p });
        }
        let names: Vec<String> = if self.names.is_empty() {
            (1..=p).map(|j| format!("V{j}")).collect()
        } else if self.names.len() == p {
            self.names.clone()
        } else {
            return Err(Error::DimensionMismatch {
                what: "names".into(),
                expected: p,
                found: self.names.len(),
            });
        };
        if let Some(&j) = self.continuous.iter().find(|&&j| j >= p) {
            return Err(Error::invalid("continuous", format!("column index {j} out of range")));
        }
        let c = self.correction_value();
        if !(c >= 0.0 && c.is_finite()) {
            return Err(Error::invalid("correction", "must be finite and non-negative"));
        }
        let missing = self.missing.unwrap_or(match self.convention {
            Convention::Lavaan => Missing::Listwise,
            Convention::Psych => Missing::Pairwise,
        });
        let mut warnings = Vec::new();
        // Rows used.
        let rows: Vec<usize> = match missing {
            Missing::Listwise => {
                (0..n_rows).filter(|&i| x.row(i).iter().all(|v| !v.is_nan())).collect()
            }
            Missing::Pairwise => (0..n_rows).collect(),
        };
        if rows.len() < n_rows {
            warnings
                .push(Warning::RowsDropped { dropped: n_rows - rows.len(), remaining: rows.len() });
        }
        if rows.len() < 2 {
            return Err(Error::TooFewObservations { needed: 2, got: rows.len() });
        }
        let continuous: Vec<bool> = (0..p).map(|j| self.continuous.contains(&j)).collect();
        let cols = code_columns(x, &rows, &names, &continuous, self)?;
        let is_psych = self.convention == Convention::Psych;
        // psych's `global`: every polychoric item reaches the same highest code.
        let global = self.global.unwrap_or(
            !is_psych || self.tetrachoric || {
                let tops: Vec<f64> =
                    cols.iter().filter_map(|c| c.as_ref().map(|c| c.top)).collect();
                tops.windows(2).all(|w| w[0] == w[1])
            },
        );
        let mut rho = Array2::<f64>::eye(p);
        let mut kinds = Array2::from_elem((p, p), PairKind::Pearson);
        let mut n_pair = Array2::<usize>::zeros((p, p));
        let mut corrected = 0usize;
        let mut any_bound = false;
        let mut worst = RhoEstimate { rho: 0.0, iterations: 0, converged: true, at_bound: false };
        for i in 0..p {
            n_pair[[i, i]] = count_obs(x, &rows, i);
            for j in 0..i {
                let (r, kind, n, fixed, est) = match (&cols[i], &cols[j]) {
                    (Some(a), Some(b)) => {
                        let t = pair_table(a, b);
                        let (r, fixed, est) = self.polychoric_pair(&t, a, b, global, c);
                        (r, PairKind::Polychoric, t.n, fixed, est)
                    }
                    (Some(a), None) => {
                        let (r, n, e) = self.polyserial_pair(x, &rows, a, j);
                        (r, PairKind::Polyserial, n, 0, e)
                    }
                    (None, Some(b)) => {
                        let (r, n, e) = self.polyserial_pair(x, &rows, b, i);
                        (r, PairKind::Polyserial, n, 0, e)
                    }
                    (None, None) => {
                        let (r, n) = pearson_pair(x, &rows, i, j);
                        (r, PairKind::Pearson, n, 0, None)
                    }
                };
                corrected += fixed;
                if let Some(e) = est {
                    if !e.converged && worst.converged {
                        worst = e;
                    }
                    if e.at_bound {
                        any_bound = true;
                        warnings.push(Warning::Other {
                            message: format!(
                                "the likelihood of the correlation of `{}` and `{}` rises to the \
                                 boundary; reported as {:.6}",
                                names[i], names[j], e.rho
                            ),
                        });
                    }
                }
                rho[[i, j]] = r;
                rho[[j, i]] = r;
                kinds[[i, j]] = kind;
                kinds[[j, i]] = kind;
                n_pair[[i, j]] = n;
                n_pair[[j, i]] = n;
                if n < 2 || !r.is_finite() {
                    any_bound = true;
                    warnings.push(Warning::Other {
                        message: format!(
                            "no correlation for `{}` and `{}`: {n} row(s) observe both",
                            names[i], names[j]
                        ),
                    });
                }
            }
        }
        if !worst.converged {
            warnings.push(Warning::NotConverged {
                what: "polychoric correlation".into(),
                iterations: worst.iterations,
            });
        }
        if corrected > 0 {
            warnings.push(Warning::Other {
                message: format!("{corrected} empty cell(s) were given the correction {c}"),
            });
        }
        let unsmoothed = rho.clone();
        let mut smoothed = false;
        let min_eig =
            if rho.iter().all(|v| v.is_finite()) { min_eigenvalue(&rho)? } else { f64::NAN };
        if min_eig < f64::EPSILON {
            warnings.push(Warning::NotPositiveDefinite { matrix: "polychoric correlation".into() });
            if self.smooth {
                rho = cor_smooth(&rho)?;
                smoothed = true;
            }
        }
        let thresholds: Vec<Vec<f64>> =
            cols.iter().map(|c| c.as_ref().map(|c| c.tau.clone()).unwrap_or_default()).collect();
        let all_ordinal = cols.iter().all(Option::is_some);
        let acov = if !is_psych && missing == Missing::Listwise && all_ordinal && !any_bound {
            match acov::two_step(&cols, &unsmoothed, &names) {
                Ok(a) => Some(a),
                Err(e) => {
                    warnings.push(Warning::Other {
                        message: format!("no asymptotic covariance matrix: {e}"),
                    });
                    None
                }
            }
        } else {
            None
        };
        Ok(PolychoricFit {
            config: self.clone(),
            names,
            continuous,
            correlation: rho,
            unsmoothed,
            smoothed,
            min_eigenvalue: min_eig,
            thresholds,
            kinds,
            pair_n: n_pair,
            n_obs: rows.len(),
            global,
            corrected_cells: corrected,
            acov,
            warnings,
        })
    }

    fn polychoric_pair(
        &self,
        t: &Table,
        a: &Coded,
        b: &Coded,
        global: bool,
        c: f64,
    ) -> (f64, usize, Option<RhoEstimate>) {
        if t.n < 2 {
            return (f64::NAN, 0, None);
        }
        let is_psych = self.convention == Convention::Psych;
        if !global {
            return psych_local(t, c);
        }
        let mut w = t.counts.clone();
        let mut fixed = 0;
        let apply = if is_psych && self.tetrachoric {
            // psych tetrachoric: counts, correction where any cell is empty.
            t.n > 1 && w.contains(&0.0)
        } else {
            self.correction.is_some() && w.contains(&0.0)
        };
        if apply && c > 0.0 {
            for v in w.iter_mut().filter(|v| **v == 0.0) {
                *v = c;
                fixed += 1;
            }
        } else if !is_psych && self.correction.is_none() && t.ka == 2 && t.kb == 2 {
            // lavaan's 2 × 2 rule (zero.add = 0.5, zero.keep.margins = TRUE): 0.5 into each
            // empty cell, taken from the two cells beside it and added to the opposite one.
            for cell in 0..4 {
                if t.counts[cell] == 0.0 {
                    let (i, j) = (cell / 2, cell % 2);
                    w[i * 2 + j] += 0.5;
                    w[i * 2 + (1 - j)] -= 0.5;
                    w[(1 - i) * 2 + j] -= 0.5;
                    w[(1 - i) * 2 + (1 - j)] += 0.5;
                    fixed += 1;
                }
            }
        }
        let ca = pair::cuts(&a.tau);
        let cb = pair::cuts(&b.tau);
        let est = pair::polychoric_ml(&w, &ca, &cb);
        (est.rho, fixed, Some(est))
    }

    fn polyserial_pair(
        &self,
        x: &ArrayRef2<f64>,
        rows: &[usize],
        o: &Coded,
        cont: usize,
    ) -> (f64, usize, Option<RhoEstimate>) {
        // Rows observing both.
        let (mut z, mut cat) = (Vec::new(), Vec::new());
        for (r, &i) in rows.iter().enumerate() {
            let y = x[[i, cont]];
            if let Some(k) = o.code[r]
                && !y.is_nan()
            {
                z.push(y);
                cat.push(k);
            }
        }
        let n = z.len();
        if n < 2 {
            return (f64::NAN, n, None);
        }
        match self.convention {
            Convention::Lavaan => {
                let m = z.iter().sum::<f64>() / n as f64;
                let v = z.iter().map(|y| (y - m) * (y - m)).sum::<f64>() / n as f64;
                let s = v.sqrt();
                if !(s > 0.0) {
                    return (f64::NAN, n, None);
                }
                let zs: Vec<f64> = z.iter().map(|y| (y - m) / s).collect();
                let est = pair::polyserial_ml(&zs, &cat, &pair::cuts(&o.tau));
                (est.rho, n, Some(est))
            }
            Convention::Psych => (psych_polyserial(x, o, cont, rows), n, None),
        }
    }
}

/// An ordinal column: 0-based categories per used row, category count, thresholds.
#[derive(Debug, Clone)]
pub(crate) struct Coded {
    pub code: Vec<Option<usize>>,
    pub k: usize,
    pub tau: Vec<f64>,
    pub freq: Vec<f64>,
    /// Highest observed code.
    pub top: f64,
}

fn count_obs(x: &ArrayRef2<f64>, rows: &[usize], j: usize) -> usize {
    rows.iter().filter(|&&i| !x[[i, j]].is_nan()).count()
}

fn code_columns(
    x: &ArrayRef2<f64>,
    rows: &[usize],
    names: &[String],
    continuous: &[bool],
    cfg: &Polychoric,
) -> Result<Vec<Option<Coded>>> {
    let p = x.ncols();
    let is_psych = cfg.convention == Convention::Psych;
    let mut distinct: Vec<Vec<f64>> = Vec::with_capacity(p);
    for j in 0..p {
        let mut vals: Vec<f64> = Vec::new();
        for &i in rows {
            let v = x[[i, j]];
            if v.is_infinite() {
                return Err(Error::NonFinite { what: format!("column `{}`", names[j]) });
            }
            if v.is_nan() {
                continue;
            }
            if !continuous[j] && v.fract() != 0.0 {
                return Err(Error::invalid(
                    names[j].clone(),
                    format!("ordinal codes must be integers, found {v}"),
                ));
            }
            if !vals.contains(&v) {
                if !continuous[j] && vals.len() >= cfg.max_categories {
                    return Err(Error::invalid(
                        names[j].clone(),
                        format!(
                            "more than {} categories: treat the column as continuous",
                            cfg.max_categories
                        ),
                    ));
                }
                if continuous[j] && vals.len() >= 2 {
                    continue;
                }
                vals.push(v);
            }
        }
        if vals.len() < 2 {
            return Err(Error::ConstantColumn { name: names[j].clone() });
        }
        if cfg.tetrachoric && !continuous[j] && vals.len() != 2 {
            return Err(Error::invalid(
                names[j].clone(),
                format!("tetrachoric correlations need two categories, found {}", vals.len()),
            ));
        }
        vals.sort_by(f64::total_cmp);
        distinct.push(vals);
    }
    // psych's polychoric codes every item on the common range min..max of all items.
    let global_min =
        (0..p).filter(|&j| !continuous[j]).map(|j| distinct[j][0]).fold(f64::INFINITY, f64::min);
    let global_max = (0..p)
        .filter(|&j| !continuous[j])
        .map(|j| *distinct[j].last().unwrap_or(&global_min))
        .fold(f64::NEG_INFINITY, f64::max);
    let psych_range = is_psych && !cfg.tetrachoric;
    if psych_range && global_max - global_min + 1.0 > cfg.max_categories as f64 {
        return Err(Error::invalid(
            "items",
            format!(
                "codes span {global_min}..{global_max}, more than {} categories",
                cfg.max_categories
            ),
        ));
    }
    let mut out = Vec::with_capacity(p);
    for j in 0..p {
        if continuous[j] {
            out.push(None);
            continue;
        }
        let vals = &distinct[j];
        let (k, code): (usize, Vec<Option<usize>>) = if psych_range {
            let k = (global_max - global_min) as usize + 1;
            let code = rows
                .iter()
                .map(|&i| {
                    let v = x[[i, j]];
                    (!v.is_nan()).then_some((v - global_min) as usize)
                })
                .collect();
            (k, code)
        } else {
            let code = rows
                .iter()
                .map(|&i| {
                    let v = x[[i, j]];
                    if v.is_nan() { None } else { vals.iter().position(|&u| u == v) }
                })
                .collect();
            (vals.len(), code)
        };
        let mut freq = vec![0.0; k];
        for c in code.iter().flatten() {
            freq[*c] += 1.0;
        }
        let n: f64 = freq.iter().sum();
        let tau = pair::thresholds(&freq, n);
        let top = *vals.last().unwrap_or(&0.0);
        out.push(Some(Coded { code, k, tau, freq, top }));
    }
    Ok(out)
}

/// A two-way table of counts over rows observing both items (row-major, `ka × kb`).
pub(crate) struct Table {
    pub counts: Vec<f64>,
    pub ka: usize,
    pub kb: usize,
    pub n: usize,
}

pub(crate) fn pair_table(a: &Coded, b: &Coded) -> Table {
    let mut counts = vec![0.0; a.k * b.k];
    let mut n = 0;
    for (ca, cb) in a.code.iter().zip(&b.code) {
        if let (Some(u), Some(v)) = (ca, cb) {
            counts[u * b.k + v] += 1.0;
            n += 1;
        }
    }
    Table { counts, ka: a.k, kb: b.k, n }
}

/// psych's `global = FALSE` rule: drop empty rows and columns, proportions, `correct / n` in
/// empty cells, thresholds from the corrected margins.
fn psych_local(t: &Table, c: f64) -> (f64, usize, Option<RhoEstimate>) {
    let rows: Vec<usize> =
        (0..t.ka).filter(|&i| (0..t.kb).any(|j| t.counts[i * t.kb + j] > 0.0)).collect();
    let cols: Vec<usize> =
        (0..t.kb).filter(|&j| (0..t.ka).any(|i| t.counts[i * t.kb + j] > 0.0)).collect();
    if rows.len() < 2 || cols.len() < 2 {
        return (f64::NAN, 0, None);
    }
    let tot = t.n as f64;
    let mut w = Vec::with_capacity(rows.len() * cols.len());
    let mut fixed = 0;
    for &i in &rows {
        for &j in &cols {
            let v = t.counts[i * t.kb + j] / tot;
            if v == 0.0 && c > 0.0 {
                fixed += 1;
                w.push(c / tot);
            } else {
                w.push(v);
            }
        }
    }
    let nc = cols.len();
    let rsum: Vec<f64> = (0..rows.len()).map(|r| w[r * nc..(r + 1) * nc].iter().sum()).collect();
    let csum: Vec<f64> = (0..nc).map(|q| (0..rows.len()).map(|r| w[r * nc + q]).sum()).collect();
    let ca = pair::cuts(&pair::thresholds(&rsum, 1.0));
    let cb = pair::cuts(&pair::thresholds(&csum, 1.0));
    let est = pair::polychoric_ml(&w, &ca, &cb);
    (est.rho, fixed, Some(est))
}

/// psych's `polyserial`: `r_xy √((n−1)/n) sd(y) / Σ_k φ(τ_k)` with Pearson's r of the codes and
/// the continuous column over pairwise-complete rows, n the number of rows, sd and thresholds of
/// the ordinal item from all its responses; clipped to [−1, 1].
fn psych_polyserial(x: &ArrayRef2<f64>, o: &Coded, cont: usize, rows: &[usize]) -> f64 {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for (r, &i) in rows.iter().enumerate() {
        if let Some(k) = o.code[r]
            && !x[[i, cont]].is_nan()
        {
            a.push(k as f64);
            b.push(x[[i, cont]]);
        }
    }
    let r = pearson(&a, &b);
    let codes: Vec<f64> = o.code.iter().flatten().map(|&k| k as f64).collect();
    let m = codes.iter().sum::<f64>() / codes.len() as f64;
    let sd =
        (codes.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (codes.len() as f64 - 1.0)).sqrt();
    let stau: f64 = o.tau.iter().map(|&t| super::bvn::dnorm(t)).sum();
    let n = rows.len() as f64;
    (r * ((n - 1.0) / n).sqrt() * sd / stau).clamp(-1.0, 1.0)
}

fn pearson_pair(x: &ArrayRef2<f64>, rows: &[usize], i: usize, j: usize) -> (f64, usize) {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for &r in rows {
        let (u, v) = (x[[r, i]], x[[r, j]]);
        if !u.is_nan() && !v.is_nan() {
            a.push(u);
            b.push(v);
        }
    }
    let n = a.len();
    (if n < 2 { f64::NAN } else { pearson(&a, &b) }, n)
}

/// Pearson's r of two equally long slices (two-pass).
pub(crate) fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let ma = a.iter().sum::<f64>() / n;
    let mb = b.iter().sum::<f64>() / n;
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    sab / (saa.sqrt() * sbb.sqrt())
}

/// Polychoric, tetrachoric and polyserial correlations with their thresholds.
#[derive(Debug, Clone)]
pub struct PolychoricFit {
    config: Polychoric,
    names: Vec<String>,
    continuous: Vec<bool>,
    correlation: Array2<f64>,
    unsmoothed: Array2<f64>,
    smoothed: bool,
    min_eigenvalue: f64,
    thresholds: Vec<Vec<f64>>,
    kinds: Array2<PairKind>,
    pair_n: Array2<usize>,
    n_obs: usize,
    global: bool,
    corrected_cells: usize,
    acov: Option<Acov>,
    warnings: Vec<Warning>,
}

impl PolychoricFit {
    /// The configuration that produced the fit.
    pub fn config(&self) -> &Polychoric {
        &self.config
    }
    /// Column names.
    pub fn names(&self) -> &[String] {
        &self.names
    }
    /// Whether each column was treated as continuous.
    pub fn continuous(&self) -> &[bool] {
        &self.continuous
    }
    /// The correlation matrix (smoothed when smoothing was requested and needed).
    pub fn correlation(&self) -> &Array2<f64> {
        &self.correlation
    }
    /// The matrix as estimated, before any smoothing.
    pub fn unsmoothed(&self) -> &Array2<f64> {
        &self.unsmoothed
    }
    /// Whether the matrix was smoothed.
    pub fn smoothed(&self) -> bool {
        self.smoothed
    }
    /// Smallest eigenvalue of the unsmoothed matrix (NaN when a correlation is missing).
    pub fn min_eigenvalue(&self) -> f64 {
        self.min_eigenvalue
    }
    /// Whether the unsmoothed matrix is positive definite (smallest eigenvalue ≥ machine ε, as
    /// psych's `cor.smooth` decides).
    pub fn is_positive_definite(&self) -> bool {
        self.min_eigenvalue >= f64::EPSILON
    }
    /// Thresholds of each ordinal column (empty for continuous columns). Under psych's
    /// conventions they span the common code range, so an unused code gives ±∞ or a tie.
    pub fn thresholds(&self) -> &[Vec<f64>] {
        &self.thresholds
    }
    /// Which estimator produced each correlation.
    pub fn kinds(&self) -> &Array2<PairKind> {
        &self.kinds
    }
    /// Rows behind each correlation (the diagonal: rows observing the column).
    pub fn pair_counts(&self) -> &Array2<usize> {
        &self.pair_n
    }
    /// Rows used (after listwise deletion, if any).
    pub fn n_obs(&self) -> usize {
        self.n_obs
    }
    /// Whether thresholds came from each item's margin (psych's `global = TRUE`; always under
    /// lavaan) rather than from each pair's table.
    pub fn global_thresholds(&self) -> bool {
        self.global
    }
    /// Number of empty cells that received the correction.
    pub fn corrected_cells(&self) -> usize {
        self.corrected_cells
    }
    /// The asymptotic covariance matrix of thresholds and correlations (lavaan conventions,
    /// complete data, all columns ordinal; `None` otherwise).
    pub fn acov(&self) -> Option<&Acov> {
        self.acov.as_ref()
    }
    /// Standard errors of the correlations (zero diagonal), where [`Self::acov`] exists.
    pub fn std_errors(&self) -> Option<Array2<f64>> {
        let a = self.acov.as_ref()?;
        let p = self.names.len();
        let mut se = Array2::zeros((p, p));
        for (k, &(i, j)) in a.pairs().iter().enumerate() {
            let v = a.std_errors()[a.n_thresholds() + k];
            se[[i, j]] = v;
            se[[j, i]] = v;
        }
        Some(se)
    }
    /// Standard errors of the thresholds, in the order of [`Self::thresholds`].
    pub fn threshold_std_errors(&self) -> Option<Vec<Vec<f64>>> {
        let a = self.acov.as_ref()?;
        let se: &Array1<f64> = a.std_errors();
        let mut k = 0;
        Some(
            self.thresholds
                .iter()
                .map(|t| {
                    let v = se.iter().skip(k).take(t.len()).copied().collect();
                    k += t.len();
                    v
                })
                .collect(),
        )
    }
    /// Warnings (not positive definite, empty cells corrected, rows dropped, boundary
    /// estimates).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
}

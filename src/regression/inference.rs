//! Inference on a fitted linear model beyond the coefficient table: prediction with confidence
//! and prediction intervals, Wald/F tests of linear hypotheses (car `linearHypothesis`),
//! nested-model F tests (`anova(m1, m2)`), the sequential and Type II ANOVA tables (`anova`,
//! car `Anova(type = 2)`), influence measures (`hatvalues`, `rstandard`, `rstudent`,
//! `cooks.distance`, `dfbetas`) and the cluster-robust covariance (sandwich `vcovCL`).

use ndarray::{Array1, Array2, Axis};

use super::ols::{FTest, Ols, OlsFit, RankDeficiency, RobustCovariance};
use crate::core::dist;
use crate::core::linalg;
use crate::data::Dataset;
use crate::error::{Error, Result};

/// Predictions for new rows with their intervals (`predict.lm(interval = …)`).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Prediction {
    /// Row of the new data (0-based) for each prediction; rows with a missing model variable
    /// are left out.
    pub rows: Vec<usize>,
    /// Predicted mean.
    pub fit: Vec<f64>,
    /// Standard error of the predicted mean.
    pub se_fit: Vec<f64>,
    /// Confidence interval of the mean.
    pub conf_lower: Vec<f64>,
    /// Upper confidence limit.
    pub conf_upper: Vec<f64>,
    /// Prediction interval of a new observation (weight 1).
    pub pred_lower: Vec<f64>,
    /// Upper prediction limit.
    pub pred_upper: Vec<f64>,
    /// Level of both intervals.
    pub level: f64,
}

/// One row of an ANOVA table.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AnovaRow {
    /// The term (`Residuals` for the last row).
    pub term: String,
    /// Degrees of freedom.
    pub df: usize,
    /// Sum of squares.
    pub sum_sq: f64,
    /// F statistic (NaN for the residual row).
    pub f_value: f64,
    /// Upper-tail p-value (NaN for the residual row).
    pub p_value: f64,
}

/// Influence measures of each observation (`influence.measures`).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Influence {
    /// Leverages `h_ii`.
    pub hat: Array1<f64>,
    /// Internally studentized residuals `e_i / (σ̂ √(1 − h_ii))`.
    pub rstandard: Array1<f64>,
    /// Externally studentized residuals `e_i / (σ̂_(i) √(1 − h_ii))`.
    pub rstudent: Array1<f64>,
    /// Cook's distance `rstandard² h / (p (1 − h))`.
    pub cooks_distance: Array1<f64>,
    /// Scaled change of each coefficient when the row is left out (rows × coefficients).
    pub dfbetas: Array2<f64>,
}

fn f_test(value: f64, df1: f64, df2: f64) -> FTest {
    let p = crate::core::dist::f_sf(value, df1, df2);
    FTest { value, df1, df2, p_value: p }
}

/// Residual sum of squares of the least-squares fit of `y` on columns `cols` of `x` (no added
/// intercept) and its rank.
fn rss_of(x: &Array2<f64>, y: &Array1<f64>, cols: &[usize]) -> Result<(f64, usize)> {
    if cols.is_empty() {
        return Ok((y.iter().map(|v| v * v).sum(), 0));
    }
    let xs = x.select(Axis(1), cols);
    let fit = Ols::new()
        .intercept(false)
        .rank_deficiency(RankDeficiency::Drop)
        .robust_covariance(RobustCovariance::Skip)
        .fit(&xs, y)?;
    Ok((fit.rss(), fit.rank()))
}

/// Parse one side of a restriction: `2*x1 - x2 + 3`, names as coefficient names (back-quotes
/// allowed). Returns (coefficient multipliers, constant).
fn parse_side(s: &str, terms: &[String]) -> Result<(Vec<f64>, f64)> {
    let bad = |m: String| Error::invalid("hypothesis", m);
    let mut coef = vec![0.0; terms.len()];
    let mut constant = 0.0;
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut any = false;
    while i < chars.len() {
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let mut sign = 1.0;
        if chars[i] == '+' || chars[i] == '-' {
            if chars[i] == '-' {
                sign = -1.0;
            }
            i += 1;
        } else if any {
            return Err(bad(format!("expected `+` or `-` in `{s}`")));
        }
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        // Optional number, optionally followed by `*`.
        let start = i;
        while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
            i += 1;
        }
        let mut mult = 1.0;
        let mut has_num = false;
        if i > start {
            mult = chars[start..i]
                .iter()
                .collect::<String>()
                .parse::<f64>()
                .map_err(|_| bad(format!("malformed number in `{s}`")))?;
            has_num = true;
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            if i < chars.len() && chars[i] == '*' {
                i += 1;
                has_num = false;
                while i < chars.len() && chars[i].is_whitespace() {
                    i += 1;
                }
            }
        }
        if has_num {
            constant += sign * mult;
            any = true;
            continue;
        }
        // A coefficient name: back-quoted, or up to the next + or - at top level.
        let name: String = if i < chars.len() && chars[i] == '`' {
            let j = chars[i + 1..].iter().position(|&c| c == '`').map(|k| k + i + 1);
            let Some(j) = j else { return Err(bad(format!("unterminated back-quote in `{s}`"))) };
            let n: String = chars[i + 1..j].iter().collect();
            i = j + 1;
            n
        } else {
            let mut j = i;
            let mut depth = 0i32;
            while j < chars.len() {
                match chars[j] {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    '+' | '-' if depth == 0 => break,
                    _ => {}
                }
                j += 1;
            }
            let n: String = chars[i..j].iter().collect::<String>().trim().to_string();
            i = j;
            n
        };
        if name.is_empty() {
            return Err(bad(format!("expected a coefficient name in `{s}`")));
        }
        let k = terms
            .iter()
            .position(|t| *t == name)
            .ok_or_else(|| Error::UnknownVariable { name: name.clone() })?;
        coef[k] += sign * mult;
        any = true;
    }
    if !any {
        return Err(bad(format!("empty side in `{s}`")));
    }
    Ok((coef, constant))
}

/// The restriction matrix `L` and right-hand side `c` of hypotheses such as `"x1 = x2"`,
/// `"x1 = 0, x3 = 0"` (several restrictions separated by commas; a side without `=` means
/// `= 0`).
pub(crate) fn restrictions(hyp: &str, terms: &[String]) -> Result<(Array2<f64>, Array1<f64>)> {
    let parts: Vec<&str> = hyp.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    if parts.is_empty() {
        return Err(Error::invalid("hypothesis", "no restriction given"));
    }
    let p = terms.len();
    let mut l = Array2::<f64>::zeros((parts.len(), p));
    let mut c = Array1::<f64>::zeros(parts.len());
    for (r, part) in parts.iter().enumerate() {
        let (lhs, rhs) = match part.split_once('=') {
            Some((a, b)) => (a, b),
            None => (*part, "0"),
        };
        if rhs.contains('=') {
            return Err(Error::invalid("hypothesis", format!("more than one `=` in `{part}`")));
        }
        let (a, ca) = parse_side(lhs, terms)?;
        let (b, cb) = parse_side(rhs, terms)?;
        for k in 0..p {
            l[[r, k]] = a[k] - b[k];
        }
        c[r] = cb - ca;
        if l.row(r).iter().all(|&v| v == 0.0) {
            return Err(Error::invalid("hypothesis", format!("`{part}` involves no coefficient")));
        }
    }
    Ok((l, c))
}

/// Wald F test of `L b = c` with covariance `v`: `F = (Lb − c)ᵀ (L V Lᵀ)⁻¹ (Lb − c) / q` on
/// `(q, df2)` degrees of freedom.
pub(crate) fn wald_f(
    b: &Array1<f64>,
    v: &Array2<f64>,
    l: &Array2<f64>,
    c: &Array1<f64>,
    df2: f64,
) -> Result<FTest> {
    let q = l.nrows();
    let d = l.dot(b) - c;
    let m = l.dot(v).dot(&l.t());
    let mi = linalg::spd_inverse(m.view(), "L V L'")?;
    let w = d.dot(&mi.dot(&d));
    Ok(f_test(w / q as f64, q as f64, df2))
}

impl OlsFit {
    /// Wald F test of linear restrictions on the coefficients, as car's `linearHypothesis`
    /// (F form), using the covariance of the coefficient table (classical, HC or cluster).
    ///
    /// `hypothesis`: restrictions separated by commas, each `lhs = rhs` with sums of
    /// `number * coefficient` and numbers, coefficient names as in [`OlsFit::terms`]:
    /// `"x1 = x2"`, `"x1 = 0, x2 = 0"`, `"2*x1 - x2 = 1"`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a malformed hypothesis or dependent restrictions;
    /// [`Error::UnknownVariable`] for a name that is not a coefficient.
    pub fn linear_hypothesis(&self, hypothesis: &str) -> Result<FTest> {
        let (l, c) = restrictions(hypothesis, self.terms())?;
        let v = self.table_vcov();
        wald_f(&self.coefficients().to_owned(), &v, &l, &c, self.df_residual() as f64)
    }

    /// F test of a smaller nested model against this one (`anova(small, self)`):
    /// `F = ((RSS₀ − RSS₁)/(df₀ − df₁)) / (RSS₁/df₁)`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when `small` does not have more residual degrees of freedom
    /// or the two fits have different numbers of observations.
    pub fn anova_nested(&self, small: &OlsFit) -> Result<FTest> {
        if small.n_obs() != self.n_obs() {
            return Err(Error::invalid("anova", "the models were fitted on different rows"));
        }
        if small.df_residual() <= self.df_residual() {
            return Err(Error::invalid("anova", "the first model must be nested in the second"));
        }
        let d = (small.df_residual() - self.df_residual()) as f64;
        let df1 = self.df_residual() as f64;
        let value = ((small.rss() - self.rss()) / d) / (self.rss() / df1);
        Ok(f_test(value, d, df1))
    }

    fn model_or_err(&self) -> Result<(&Array2<f64>, &Array1<f64>)> {
        self.model_matrix()
            .ok_or_else(|| Error::invalid("model", "the model matrix is kept only for fit_dataset"))
    }

    fn anova_table(&self, pairs: Vec<(String, Vec<usize>, Vec<usize>)>) -> Result<Vec<AnovaRow>> {
        let (x, y) = self.model_or_err()?;
        let sigma2 = self.sigma() * self.sigma();
        let df2 = self.df_residual() as f64;
        let mut rows = Vec::new();
        for (term, small, big) in pairs {
            let (r0, k0) = rss_of(x, y, &small)?;
            let (r1, k1) = rss_of(x, y, &big)?;
            let df = k1.saturating_sub(k0);
            let ss = r0 - r1;
            let fv = ss / df as f64 / sigma2;
            let p = crate::core::dist::f_sf(fv, df as f64, df2);
            rows.push(AnovaRow { term, df, sum_sq: ss, f_value: fv, p_value: p });
        }
        rows.push(AnovaRow {
            term: "Residuals".into(),
            df: self.df_residual(),
            sum_sq: self.rss(),
            f_value: f64::NAN,
            p_value: f64::NAN,
        });
        Ok(rows)
    }

    /// The sequential (Type I) ANOVA table of R's `anova(lm)`: each term's sum of squares
    /// given the terms before it.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a fit made with [`Ols::fit`] (the model terms are known
    /// only for formula fits).
    pub fn anova(&self) -> Result<Vec<AnovaRow>> {
        let (labels, assign) = self.term_assign()?;
        let base: Vec<usize> = (0..assign.len()).filter(|&j| assign[j].is_none()).collect();
        let mut pairs = Vec::new();
        let mut prev = base.clone();
        for (k, label) in labels.iter().enumerate() {
            let mut next = prev.clone();
            next.extend((0..assign.len()).filter(|&j| assign[j] == Some(k)));
            pairs.push((label.clone(), prev.clone(), next.clone()));
            prev = next;
        }
        self.anova_table(pairs)
    }

    /// The Type II ANOVA table of car's `Anova(lm, type = 2)`: each term's sum of squares given
    /// every term that does not contain it.
    ///
    /// # Errors
    /// As [`OlsFit::anova`].
    pub fn anova_type2(&self) -> Result<Vec<AnovaRow>> {
        let (labels, assign) = self.term_assign()?;
        let vars = self.term_variables().unwrap_or_default();
        let mut pairs = Vec::new();
        for (k, label) in labels.iter().enumerate() {
            let contains = |m: usize| vars[k].iter().all(|v| vars[m].contains(v));
            let small: Vec<usize> = (0..assign.len())
                .filter(|&j| match assign[j] {
                    None => true,
                    Some(m) => !contains(m),
                })
                .collect();
            let mut big = small.clone();
            big.extend((0..assign.len()).filter(|&j| assign[j] == Some(k)));
            big.sort_unstable();
            pairs.push((label.clone(), small, big));
        }
        self.anova_table(pairs)
    }

    /// Influence measures (R's `hatvalues`, `rstandard`, `rstudent`, `cooks.distance`,
    /// `dfbetas`; weighted residuals for a weighted fit).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a fit made with [`Ols::fit`] (the model matrix is kept
    /// only for formula fits).
    pub fn influence(&self) -> Result<Influence> {
        let (x, _) = self.model_or_err()?;
        let e = self.weighted_residuals();
        let n = e.len();
        let p = self.terms().len();
        let cols = self.kept_columns();
        let xs = x.select(Axis(1), &cols);
        let xtx_inv = self.cov_unscaled().to_owned();
        let s2 = self.sigma() * self.sigma();
        let df = self.df_residual() as f64;
        let mut hat = Array1::zeros(n);
        let mut rstandard = Array1::zeros(n);
        let mut rstudent = Array1::zeros(n);
        let mut cooks = Array1::zeros(n);
        let mut dfbetas = Array2::zeros((n, p));
        let dsd: Vec<f64> = (0..p).map(|k| xtx_inv[[k, k]].sqrt()).collect();
        for i in 0..n {
            let xi = xs.row(i);
            let g = xtx_inv.dot(&xi);
            let h = xi.dot(&g);
            hat[i] = h;
            let ei = e[i];
            let r = ei / (s2 * (1.0 - h)).sqrt();
            rstandard[i] = r;
            let s2i = (self.rss() - ei * ei / (1.0 - h)) / (df - 1.0);
            rstudent[i] = ei / (s2i * (1.0 - h)).sqrt();
            cooks[i] = r * r * h / (p as f64 * (1.0 - h));
            for k in 0..p {
                dfbetas[[i, k]] = g[k] * ei / (1.0 - h) / (s2i.sqrt() * dsd[k]);
            }
        }
        Ok(Influence { hat, rstandard, rstudent, cooks_distance: cooks, dfbetas })
    }

    /// Predictions for the rows of `data` with confidence intervals of the mean and
    /// prediction intervals of a new observation at `level`, as `predict.lm` (classical
    /// covariance; a new observation has weight 1).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a fit made with [`Ols::fit`], a level outside (0, 1) or
    /// a factor level not present in the fit; column look-up errors.
    pub fn predict(&self, data: &Dataset, level: f64) -> Result<Prediction> {
        if !(level > 0.0 && level < 1.0) {
            return Err(Error::invalid("level", format!("must lie in (0, 1), got {level}")));
        }
        let spec = self
            .design_spec()
            .ok_or_else(|| Error::invalid("predict", "prediction needs a formula fit"))?;
        let (x0, rows) = spec.new_data(data)?;
        let intercept = self.has_intercept();
        let full_names: Vec<String> = intercept
            .then(|| "(Intercept)".to_string())
            .into_iter()
            .chain(spec.names.iter().cloned())
            .collect();
        let idx: Vec<usize> = self
            .terms()
            .iter()
            .map(|t| full_names.iter().position(|n| n == t).unwrap_or(0))
            .collect();
        let b = self.coefficients();
        let v = self.vcov();
        let q = dist::t_quantile(0.5 + level / 2.0, self.df_residual() as f64);
        let s2 = self.sigma() * self.sigma();
        let mut out = Prediction {
            rows: rows.clone(),
            fit: Vec::new(),
            se_fit: Vec::new(),
            conf_lower: Vec::new(),
            conf_upper: Vec::new(),
            pred_lower: Vec::new(),
            pred_upper: Vec::new(),
            level,
        };
        for i in 0..rows.len() {
            let xi: Array1<f64> =
                idx.iter()
                    .map(|&j| {
                        if intercept {
                            if j == 0 { 1.0 } else { x0[[i, j - 1]] }
                        } else {
                            x0[[i, j]]
                        }
                    })
                    .collect();
            let fit = xi.dot(&b);
            let se = xi.dot(&v.dot(&xi)).sqrt();
            let sp = (se * se + s2).sqrt();
            out.fit.push(fit);
            out.se_fit.push(se);
            out.conf_lower.push(fit - q * se);
            out.conf_upper.push(fit + q * se);
            out.pred_lower.push(fit - q * sp);
            out.pred_upper.push(fit + q * sp);
        }
        Ok(out)
    }
}

/// Cluster-robust covariance (sandwich `vcovCL`, `cadjust = TRUE`):
/// `V = G/(G−1) · B (Σ_g u_g u_gᵀ) B`, `u_g = Σ_{i∈g} x_i e_i`, `B = (XᵀX)⁻¹`; HC1 multiplies
/// by `(n − 1)/(n − p)` as well. `x` and `e` are the (weighted) design rows and residuals.
pub(crate) fn cluster_vcov(
    x: &Array2<f64>,
    e: &[f64],
    groups: &[usize],
    n_groups: usize,
    bread: &Array2<f64>,
) -> (Array2<f64>, Array2<f64>) {
    let p = x.ncols();
    let n = x.nrows();
    let mut u = Array2::<f64>::zeros((n_groups, p));
    for i in 0..n {
        let g = groups[i];
        for k in 0..p {
            u[[g, k]] += x[[i, k]] * e[i];
        }
    }
    let meat = u.t().dot(&u);
    let mut v = bread.dot(&meat).dot(bread);
    linalg::symmetrize(&mut v);
    let g = n_groups as f64;
    let hc0 = v.mapv(|a| a * g / (g - 1.0));
    let hc1 = hc0.mapv(|a| a * (n as f64 - 1.0) / (n - p) as f64);
    (hc0, hc1)
}

//! Intraclass correlations: the six forms of Shrout and Fleiss (1979) with F tests and
//! confidence intervals (as psych's `ICC`).

use ndarray::ArrayRef2;
use statrs::distribution::{ContinuousCDF, FisherSnedecor};

use crate::error::{Error, Result};

/// The six intraclass correlations of Shrout and Fleiss (psych's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum IccType {
    /// ICC(1,1): one-way random effects, single rater, absolute agreement.
    Icc1,
    /// ICC(2,1): two-way random effects, single random rater, absolute agreement.
    Icc2,
    /// ICC(3,1): two-way mixed effects, single fixed rater, consistency.
    Icc3,
    /// ICC(1,k): the mean of k raters, one-way.
    Icc1k,
    /// ICC(2,k): the mean of k random raters.
    Icc2k,
    /// ICC(3,k): the mean of k fixed raters.
    Icc3k,
}

impl IccType {
    /// psych's label (`ICC1`, `ICC2`, `ICC3`, `ICC1k`, `ICC2k`, `ICC3k`).
    pub fn psych_name(self) -> &'static str {
        match self {
            IccType::Icc1 => "ICC1",
            IccType::Icc2 => "ICC2",
            IccType::Icc3 => "ICC3",
            IccType::Icc1k => "ICC1k",
            IccType::Icc2k => "ICC2k",
            IccType::Icc3k => "ICC3k",
        }
    }
}

/// One row of psych's ICC table.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct IccRow {
    /// Which ICC.
    #[cfg_attr(feature = "serde", serde(rename = "type"))]
    pub kind: IccType,
    /// The intraclass correlation.
    pub icc: f64,
    /// F statistic of the test ICC = 0.
    pub f: f64,
    /// Numerator degrees of freedom.
    pub df1: f64,
    /// Denominator degrees of freedom.
    pub df2: f64,
    /// Upper-tail p-value of F.
    pub p_value: f64,
    /// Lower confidence bound.
    pub lower: f64,
    /// Upper confidence bound.
    pub upper: f64,
}

/// Intraclass correlations of `n` targets rated by `k` judges.
///
/// The ratings are a two-way layout (targets × judges) without replication; mean squares of the
/// ANOVA: targets MSB (df n − 1), judges MSJ (df k − 1), residual MSE (df (n − 1)(k − 1)) and
/// within targets MSW = (SSJ + SSE) / (n(k − 1)).
///
/// # Formula
/// ```text
/// ICC1  = (MSB − MSW) / (MSB + (k − 1) MSW)          F = MSB/MSW, df (n − 1, n(k − 1))
/// ICC2  = (MSB − MSE) / (MSB + (k − 1) MSE + k (MSJ − MSE)/n)   F = MSB/MSE, df (n − 1, (n − 1)(k − 1))
/// ICC3  = (MSB − MSE) / (MSB + (k − 1) MSE)          F = MSB/MSE
/// ICC1k = (MSB − MSW) / MSB,  ICC2k = (MSB − MSE) / (MSB + (MSJ − MSE)/n),  ICC3k = (MSB − MSE) / MSB
/// Intervals (level 1 − a): F_L = F / F_{1−a/2}(df1, df2), F_U = F · F_{1−a/2}(df2, df1);
///   ICC1, ICC3: ((F_L − 1)/(F_L + k − 1), (F_U − 1)/(F_U + k − 1)); ICC1k, ICC3k: (1 − 1/F_L, 1 − 1/F_U)
///   ICC2: Satterthwaite's v for the judges' and residual mean squares (Shrout & Fleiss eq. 13),
///   ICC2k from the ICC2 bounds by Spearman–Brown.
/// ```
///
/// # Examples
/// ```
/// use ndarray::array;
/// use surveystat::reliability::Icc;
/// // Shrout and Fleiss (1979), six targets rated by four judges
/// let x = array![[9., 2., 5., 8.], [6., 1., 3., 2.], [8., 4., 6., 8.],
///                [7., 1., 2., 6.], [10., 5., 6., 9.], [6., 2., 4., 7.]];
/// let fit = Icc::new().fit(&x).unwrap();
/// assert!((fit.rows()[0].icc - 0.1657418).abs() < 1e-6);
/// ```
///
/// # Errors
/// [`Error::NonFinite`] for a missing rating (the two-way layout must be complete: drop the target
/// or impute), [`Error::TooFewObservations`] for fewer than two targets,
/// [`Error::TooFewVariables`] for fewer than two judges, [`Error::InvalidParameter`] for a level
/// outside (0, 1).
///
/// # References
/// Shrout, P. E. & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater
/// reliability. *Psychological Bulletin* 86, 420–428. McGraw, K. O. & Wong, S. P. (1996).
/// Forming inferences about some intraclass correlation coefficients. *Psychological Methods* 1,
/// 30–46. Validated against R psych 2.2.9 `ICC(x, lmer = FALSE)` on the Shrout–Fleiss example and
/// Holzinger–Swineford x4–x6, see `tests/reference/icc.rs`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Icc {
    ci_level: f64,
}

impl Default for Icc {
    fn default() -> Self {
        Self::new()
    }
}

impl Icc {
    /// 95% intervals (psych's `alpha = 0.05`).
    pub fn new() -> Self {
        Self { ci_level: 0.95 }
    }
    /// Confidence level of the intervals.
    pub fn ci_level(mut self, level: f64) -> Self {
        self.ci_level = level;
        self
    }

    /// Fit: rows are targets (subjects), columns are judges (raters).
    ///
    /// # Errors
    /// See [`Icc`].
    pub fn fit(&self, x: &ArrayRef2<f64>) -> Result<IccFit> {
        if !(self.ci_level > 0.0 && self.ci_level < 1.0) {
            return Err(Error::invalid(
                "ci_level",
                format!("must be in (0, 1), got {}", self.ci_level),
            ));
        }
        let (n, k) = x.dim();
        if k < 2 {
            return Err(Error::TooFewVariables { needed: 2, got: k });
        }
        if n < 2 {
            return Err(Error::TooFewObservations { needed: 2, got: n });
        }
        crate::core::scale::check_matrix_scale(x.view(), None)?;
        if let Some(((i, j), _)) = x.indexed_iter().find(|(_, v)| !v.is_finite()) {
            return Err(Error::NonFinite {
                what: format!(
                    "ratings (target {}, judge {}): intraclass correlations need complete ratings",
                    i + 1,
                    j + 1
                ),
            });
        }
        let (nf, kf) = (n as f64, k as f64);
        let grand = x.sum() / (nf * kf);
        let row_means: Vec<f64> = x.rows().into_iter().map(|r| r.sum() / kf).collect();
        let col_means: Vec<f64> = x.columns().into_iter().map(|c| c.sum() / nf).collect();
        let ssb: f64 = row_means.iter().map(|m| (m - grand).powi(2)).sum::<f64>() * kf;
        let ssj: f64 = col_means.iter().map(|m| (m - grand).powi(2)).sum::<f64>() * nf;
        let mut sse = 0.0;
        for i in 0..n {
            for j in 0..k {
                let e = x[[i, j]] - row_means[i] - col_means[j] + grand;
                sse += e * e;
            }
        }
        if ssb + sse == 0.0 {
            // every target has the same ratings up to a judge effect: all six ratios are 0/0
            return Err(Error::invalid(
                "ratings",
                "the ratings do not vary between targets nor within them; intraclass correlations are undefined",
            ));
        }
        let (df_b, df_j, df_e) = (nf - 1.0, kf - 1.0, (nf - 1.0) * (kf - 1.0));
        let msb = ssb / df_b;
        let msj = ssj / df_j;
        let mse = sse / df_e;
        let msw = (ssj + sse) / (nf * (kf - 1.0));
        let a = 1.0 - self.ci_level;
        let q = 1.0 - a / 2.0;

        let icc1 = (msb - msw) / (msb + (kf - 1.0) * msw);
        let icc2 = (msb - mse) / (msb + (kf - 1.0) * mse + kf * (msj - mse) / nf);
        let icc3 = (msb - mse) / (msb + (kf - 1.0) * mse);
        let icc1k = (msb - msw) / msb;
        let icc2k = (msb - mse) / (msb + (msj - mse) / nf);
        let icc3k = (msb - mse) / msb;

        let f1 = msb / msw;
        let (d1n, d1d) = (nf - 1.0, nf * (kf - 1.0));
        let p1 = f_upper(f1, d1n, d1d)?;
        let f2 = msb / mse;
        let (d2n, d2d) = (nf - 1.0, (nf - 1.0) * (kf - 1.0));
        let p2 = f_upper(f2, d2n, d2d)?;

        let f1l = f1 / f_quantile(q, d1n, d1d)?;
        let f1u = f1 * f_quantile(q, d1d, d1n)?;
        let f3l = f2 / f_quantile(q, d2n, d2d)?;
        let f3u = f2 * f_quantile(q, d2d, d2n)?;
        // ICC2: Satterthwaite degrees of freedom of the denominator mean square
        let fj = msj / mse;
        let t = nf * (1.0 + (kf - 1.0) * icc2) - kf * icc2;
        let vn = (kf - 1.0) * (nf - 1.0) * (kf * icc2 * fj + t).powi(2);
        let vd = (nf - 1.0) * kf * kf * icc2 * icc2 * fj * fj + t * t;
        let v = vn / vd;
        let fu = f_quantile(q, nf - 1.0, v)?;
        let fl = f_quantile(q, v, nf - 1.0)?;
        let den = kf * msj + (kf * nf - kf - nf) * mse;
        let l2 = nf * (msb - fu * mse) / (fu * den + nf * msb);
        let u2 = nf * (fl * msb - mse) / (den + nf * fl * msb);
        let sb = |r: f64| r * kf / (1.0 + r * (kf - 1.0));

        let row = |kind, icc, f, df1, df2, p_value, lower, upper| IccRow {
            kind,
            icc,
            f,
            df1,
            df2,
            p_value,
            lower,
            upper,
        };
        let rows = vec![
            row(
                IccType::Icc1,
                icc1,
                f1,
                d1n,
                d1d,
                p1,
                (f1l - 1.0) / (f1l + kf - 1.0),
                (f1u - 1.0) / (f1u + kf - 1.0),
            ),
            row(IccType::Icc2, icc2, f2, d2n, d2d, p2, l2, u2),
            row(
                IccType::Icc3,
                icc3,
                f2,
                d2n,
                d2d,
                p2,
                (f3l - 1.0) / (f3l + kf - 1.0),
                (f3u - 1.0) / (f3u + kf - 1.0),
            ),
            row(IccType::Icc1k, icc1k, f1, d1n, d1d, p1, 1.0 - 1.0 / f1l, 1.0 - 1.0 / f1u),
            row(IccType::Icc2k, icc2k, f2, d2n, d2d, p2, sb(l2), sb(u2)),
            row(IccType::Icc3k, icc3k, f2, d2n, d2d, p2, 1.0 - 1.0 / f3l, 1.0 - 1.0 / f3u),
        ];
        Ok(IccFit {
            rows,
            ms_subjects: msb,
            ms_judges: msj,
            ms_error: mse,
            ms_within: msw,
            n_subjects: n,
            n_judges: k,
            ci_level: self.ci_level,
            judges_f: fj,
            judges_p_value: f_upper(fj, df_j, df_e)?,
        })
    }
}

fn dist(d1: f64, d2: f64) -> Result<FisherSnedecor> {
    FisherSnedecor::new(d1, d2).map_err(|e| Error::invalid("F distribution", e.to_string()))
}

fn f_upper(x: f64, d1: f64, d2: f64) -> Result<f64> {
    Ok(if x.is_finite() {
        dist(d1, d2)?.sf(x)
    } else if x > 0.0 {
        0.0
    } else {
        f64::NAN
    })
}

fn f_quantile(p: f64, d1: f64, d2: f64) -> Result<f64> {
    if !(d1 > 0.0 && d2 > 0.0 && d1.is_finite() && d2.is_finite()) {
        return Ok(f64::NAN);
    }
    Ok(dist(d1, d2)?.inverse_cdf(p))
}

/// Result of [`Icc`]: psych's table of six ICCs and the ANOVA mean squares.
#[derive(Debug, Clone, PartialEq)]
pub struct IccFit {
    rows: Vec<IccRow>,
    ms_subjects: f64,
    ms_judges: f64,
    ms_error: f64,
    ms_within: f64,
    n_subjects: usize,
    n_judges: usize,
    ci_level: f64,
    judges_f: f64,
    judges_p_value: f64,
}

impl IccFit {
    /// The six ICCs in psych's order (ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k).
    pub fn rows(&self) -> &[IccRow] {
        &self.rows
    }
    /// One ICC.
    pub fn get(&self, kind: IccType) -> &IccRow {
        // the six rows are always present, in IccType order
        &self.rows[kind as usize]
    }
    /// Mean square of the targets (subjects).
    pub fn ms_subjects(&self) -> f64 {
        self.ms_subjects
    }
    /// Mean square of the judges.
    pub fn ms_judges(&self) -> f64 {
        self.ms_judges
    }
    /// Residual mean square.
    pub fn ms_error(&self) -> f64 {
        self.ms_error
    }
    /// Within-target mean square (judges and residual pooled).
    pub fn ms_within(&self) -> f64 {
        self.ms_within
    }
    /// F statistic of the judges' effect, MSJ / MSE.
    pub fn judges_f(&self) -> f64 {
        self.judges_f
    }
    /// Upper-tail p-value of [`IccFit::judges_f`] on (k − 1, (n − 1)(k − 1)) degrees of freedom.
    pub fn judges_p_value(&self) -> f64 {
        self.judges_p_value
    }
    /// Number of targets.
    pub fn n_subjects(&self) -> usize {
        self.n_subjects
    }
    /// Number of judges.
    pub fn n_judges(&self) -> usize {
        self.n_judges
    }
    /// Confidence level of the bounds.
    pub fn ci_level(&self) -> f64 {
        self.ci_level
    }
}

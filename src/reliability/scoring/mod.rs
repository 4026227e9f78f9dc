//! Scale scoring as psych `scoreItems`: scores, α per scale, scale intercorrelations raw and
//! corrected for attenuation; automatic reverse keying ([`check_keys`]), a bootstrap interval for
//! α ([`alpha_bootstrap`]) and per-item response frequencies ([`response_frequencies`]).

mod extra;
mod keys;

pub use extra::{AlphaBootstrap, alpha_bootstrap, check_keys, response_frequencies};
pub use keys::{Keys, MAX_SCALES, ScaleKey};

use ndarray::{Array2, Axis};

use super::alpha::{ResponseFrequencies, response_frequencies_of, smc};
use crate::data::{Composite, Dataset, Impute};
use crate::error::{Error, Result};
use crate::moments::{Missing, cov_to_cor, covariance};
use crate::warning::Warning;

/// Scores and reliabilities of several scales at once, as R psych 2.2.9 `scoreItems`.
///
/// Each scale is the mean (or, with [`ScoreItems::totals`], the sum) of its items, reverse-keyed
/// items entering as `min + max − x` with `min` and `max` the smallest and largest answer over
/// all scored items (or the range given). Missing answers are replaced by the item's median
/// (psych's default, [`Impute::Median`]), its mean, or left out ([`Impute::None`]: the score is
/// the mean of the answered items).
///
/// # Formula
/// ```text
/// C = item covariance matrix (divisor n − 1): of the imputed items, or pairwise without imputation
/// K = items × scales key matrix (+1 item, −1 reverse-keyed item, 0 not in the scale)
/// V = Kᵀ C K (covariance of the summed scales), k_s = items in scale s
/// α_s      = (V_ss − Σ_{i∈s} C_ii) / V_ss · k_s / (k_s − 1)
/// av.r_s   = α_s / (k_s − α_s (k_s − 1))          S/N = k_s av.r / (1 − av.r)
/// G6_s     = (V_ss − Σ C_ii + Σ smc_i C_ii) / V_ss (smc over all scored items, as psych)
/// ase_s    = √(Q_s / n), Q as psych `alpha` with Σ_{i,j∈s} C_ij² for Σ(C²)
/// cor      = V scaled to a correlation matrix; corrected: cor below the diagonal, α on it and
///            cor_st / √(α_s α_t) above it (Spearman's correction for attenuation)
/// item.cor = C K scaled by √C_ii √V_ss; item.corrected: with smc_i C_ii on C's diagonal
/// med.r_s  = median of the keyed inter-item correlations of scale s
/// ```
///
/// # Examples
/// ```
/// use surveystat::data::Dataset;
/// use surveystat::reliability::{Keys, ScoreItems};
/// let ds = Dataset::from_csv_str("a,b,c\n1,5,2\n2,4,2\n3,3,4\n4,2,5\n5,1,4\n", "t.csv").unwrap();
/// let keys = Keys::parse("s: a -b c").unwrap();
/// let fit = ScoreItems::new(keys).fit(&ds).unwrap();
/// assert_eq!(fit.scores()[[0, 0]], (1.0 + 1.0 + 2.0) / 3.0);
/// assert!(fit.alpha()[0] > 0.8);
/// ```
///
/// # Errors
/// [`Error::UnknownVariable`] for a key naming no column, [`Error::NonNumericColumn`],
/// [`Error::TooFewObservations`] with fewer than two rows, [`Error::ConstantColumn`] for an item
/// without variance (psych drops it with a warning), [`Error::InvalidParameter`] for a bad range.
/// A one-item scale is scored, with its reliabilities `NaN` and a warning.
///
/// # References
/// Revelle, W. (2022). psych: Procedures for Psychological, Psychometric, and Personality
/// Research, version 2.2.9, `scoreItems` (validated against it on bfi with psych's bfi keys).
/// Spearman, C. (1904). The proof and measurement of association between two things. American
/// Journal of Psychology, 15, 72–101.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreItems {
    keys: Keys,
    impute: Impute,
    totals: bool,
    range: Option<(f64, f64)>,
}

/// The result of [`ScoreItems::fit`].
#[derive(Debug, Clone)]
pub struct ScoreItemsFit {
    scales: Vec<String>,
    items: Vec<String>,
    n_obs: usize,
    n_items: Vec<usize>,
    alpha: Vec<f64>,
    average_r: Vec<f64>,
    signal_noise: Vec<f64>,
    g6: Vec<f64>,
    median_r: Vec<f64>,
    ase: Vec<f64>,
    cor: Array2<f64>,
    corrected: Array2<f64>,
    item_cor: Array2<f64>,
    item_corrected: Array2<f64>,
    scores: Array2<f64>,
    response_frequencies: Option<ResponseFrequencies>,
    warnings: Vec<Warning>,
}

impl ScoreItems {
    /// Score the scales of `keys` with psych's defaults: mean scores, median imputation, the
    /// answer range taken from the data.
    pub fn new(keys: Keys) -> Self {
        Self { keys, impute: Impute::Median, totals: false, range: None }
    }

    /// How missing answers are treated (default [`Impute::Median`], as psych).
    pub fn impute(mut self, impute: Impute) -> Self {
        self.impute = impute;
        self
    }

    /// Sum scores instead of mean scores (psych `totals = TRUE`).
    pub fn totals(mut self, yes: bool) -> Self {
        self.totals = yes;
        self
    }

    /// The answer range used to reverse items (psych `min`, `max`); default: the smallest and
    /// largest answer over all scored items.
    pub fn range(mut self, min: f64, max: f64) -> Self {
        self.range = Some((min, max));
        self
    }

    /// The keys being scored.
    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// Score the scales on the named columns of `data` (rows = respondents, columns = items).
    ///
    /// # Errors
    /// See the type documentation.
    pub fn fit(&self, data: &Dataset) -> Result<ScoreItemsFit> {
        let items = self.keys.items();
        let x = data.select(&items)?;
        let (n, p) = x.dim();
        if n < 2 {
            return Err(Error::TooFewObservations { needed: 2, got: n });
        }
        let scales = self.keys.scales();
        let s = scales.len();
        let mut key = Array2::<f64>::zeros((p, s));
        for (j, sc) in scales.iter().enumerate() {
            for (it, &rev) in sc.items.iter().zip(&sc.reversed) {
                let i = items.iter().position(|v| v == it).unwrap_or(0);
                key[[i, j]] = if rev { -1.0 } else { 1.0 };
            }
        }
        // Imputed item matrix (or the raw one) and its covariance matrix.
        let mut xi = x.clone();
        for (j, mut col) in xi.columns_mut().into_iter().enumerate() {
            let mut obs: Vec<f64> = col.iter().copied().filter(|v| !v.is_nan()).collect();
            if obs.len() < 2 {
                return Err(Error::invalid(
                    format!("item `{}`", items[j]),
                    "fewer than two answers",
                ));
            }
            let fill = match self.impute {
                Impute::Mean => obs.iter().sum::<f64>() / obs.len() as f64,
                Impute::Median => median(&mut obs),
                _ => f64::NAN,
            };
            if !fill.is_nan() {
                col.mapv_inplace(|v| if v.is_nan() { fill } else { v });
            }
        }
        let missing =
            if self.impute == Impute::None { Missing::Pairwise } else { Missing::Listwise };
        let c = covariance(&xi, missing)?;
        for (i, name) in items.iter().enumerate() {
            if c[[i, i]].is_nan() || c[[i, i]] <= 0.0 {
                return Err(Error::ConstantColumn { name: name.clone() });
            }
        }
        let r = cov_to_cor(&c)?;
        let smc_r = smc(&r)?;
        let smc_c: Vec<f64> = (0..p).map(|i| smc_r[i] * c[[i, i]]).collect();

        let ck = c.dot(&key);
        let v = key.t().dot(&ck);
        let mut c_star = c.clone();
        for (i, &v) in smc_c.iter().enumerate() {
            c_star[[i, i]] = v;
        }
        let cks = c_star.dot(&key);
        let v_star = key.t().dot(&cks);

        let mut warnings = Vec::new();
        let mut out = PerScale::default();
        for (j, sc) in scales.iter().enumerate() {
            let members: Vec<usize> = (0..p).filter(|&i| key[[i, j]] != 0.0).collect();
            let k = members.len() as f64;
            let vs = v[[j, j]];
            let sum_var: f64 = members.iter().map(|&i| c[[i, i]]).sum();
            let sum_var2: f64 = members.iter().map(|&i| c[[i, i]] * c[[i, i]]).sum();
            let sum_c2: f64 = members
                .iter()
                .flat_map(|&a| members.iter().map(move |&b| (a, b)))
                .map(|(a, b)| c[[a, b]] * c[[a, b]])
                .sum();
            let sum_smc: f64 = members.iter().map(|&i| smc_c[i]).sum();
            if members.len() < 2 {
                warnings.push(Warning::Other {
                    message: format!(
                        "scale `{}` has a single item: its reliabilities are not defined",
                        sc.name
                    ),
                });
            }
            let (alpha, av_r, sn, g6, ase, med_r) = if members.len() < 2 {
                (f64::NAN, f64::NAN, f64::NAN, f64::NAN, f64::NAN, f64::NAN)
            } else {
                let alpha = (vs - sum_var) / vs * k / (k - 1.0);
                let av_r = alpha / (k - alpha * (k - 1.0));
                let sn = av_r * k / (1.0 - av_r);
                let g6 = (vs - sum_var + sum_smc) / vs;
                let q = 2.0 * k * k / ((k - 1.0).powi(2) * vs.powi(3))
                    * (vs * (sum_var2 + sum_var * sum_var) - 2.0 * sum_var * sum_c2);
                let ase = (q / n as f64).sqrt();
                let mut rs = Vec::with_capacity(members.len() * (members.len() - 1) / 2);
                for (a, &ia) in members.iter().enumerate() {
                    for &ib in &members[..a] {
                        rs.push(r[[ia, ib]] * key[[ia, j]] * key[[ib, j]]);
                    }
                }
                (alpha, av_r, sn, g6, ase, median(&mut rs))
            };
            out.n_items.push(members.len());
            out.alpha.push(alpha);
            out.average_r.push(av_r);
            out.signal_noise.push(sn);
            out.g6.push(g6);
            out.ase.push(ase);
            out.median_r.push(med_r);
        }
        let cor = Array2::from_shape_fn((s, s), |(a, b)| {
            if a == b { 1.0 } else { v[[a, b]] / (v[[a, a]] * v[[b, b]]).sqrt() }
        });
        let corrected = Array2::from_shape_fn((s, s), |(a, b)| match a.cmp(&b) {
            std::cmp::Ordering::Equal => out.alpha[a],
            std::cmp::Ordering::Greater => cor[[a, b]],
            std::cmp::Ordering::Less => cor[[a, b]] / (out.alpha[a] * out.alpha[b]).sqrt(),
        });
        let item_cor =
            Array2::from_shape_fn((p, s), |(i, j)| ck[[i, j]] / (c[[i, i]] * v[[j, j]]).sqrt());
        let item_corrected = Array2::from_shape_fn((p, s), |(i, j)| {
            cks[[i, j]] / (c[[i, i]] * v_star[[j, j]]).sqrt()
        });

        // Scores through the one composite-score routine, with the range of all scored items.
        let range = match self.range {
            Some(r) => r,
            None => x
                .iter()
                .filter(|v| !v.is_nan())
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v))),
        };
        let mut scores = Array2::<f64>::zeros((n, s));
        for (j, sc) in scales.iter().enumerate() {
            let rev: Vec<&String> =
                sc.items.iter().zip(&sc.reversed).filter(|(_, r)| **r).map(|(i, _)| i).collect();
            let col = Composite::new(&sc.items)
                .reverse(&rev)
                .range(range.0, range.1)
                .impute(self.impute)
                .sum(self.totals)
                .score(data)?;
            scores.index_axis_mut(Axis(1), j).assign(&col);
        }
        let all: Vec<usize> = (0..p).collect();
        Ok(ScoreItemsFit {
            scales: scales.iter().map(|s| s.name.clone()).collect(),
            items: items.clone(),
            n_obs: n,
            n_items: out.n_items,
            alpha: out.alpha,
            average_r: out.average_r,
            signal_noise: out.signal_noise,
            g6: out.g6,
            median_r: out.median_r,
            ase: out.ase,
            cor,
            corrected,
            item_cor,
            item_corrected,
            scores,
            response_frequencies: response_frequencies_of(x.view(), &all, &items),
            warnings,
        })
    }
}

#[derive(Default)]
struct PerScale {
    n_items: Vec<usize>,
    alpha: Vec<f64>,
    average_r: Vec<f64>,
    signal_noise: Vec<f64>,
    g6: Vec<f64>,
    median_r: Vec<f64>,
    ase: Vec<f64>,
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 { v[m] } else { 0.5 * (v[m - 1] + v[m]) }
}

impl ScoreItemsFit {
    /// Scale names (columns of [`scores`](Self::scores)).
    pub fn scales(&self) -> &[String] {
        &self.scales
    }
    /// The scored items, in order of first appearance in the keys (rows of the item tables).
    pub fn items(&self) -> &[String] {
        &self.items
    }
    /// Number of respondents (rows).
    pub fn n_obs(&self) -> usize {
        self.n_obs
    }
    /// Items per scale (psych `n.items`).
    pub fn n_items(&self) -> &[usize] {
        &self.n_items
    }
    /// Cronbach's α per scale (psych `alpha`).
    pub fn alpha(&self) -> &[f64] {
        &self.alpha
    }
    /// Average inter-item correlation implied by α (psych `av.r`).
    pub fn average_r(&self) -> &[f64] {
        &self.average_r
    }
    /// Signal/noise ratio per scale (psych `sn`).
    pub fn signal_noise(&self) -> &[f64] {
        &self.signal_noise
    }
    /// Guttman's λ6 per scale (psych `G6`).
    pub fn g6(&self) -> &[f64] {
        &self.g6
    }
    /// Median keyed inter-item correlation per scale (psych `med.r`).
    pub fn median_r(&self) -> &[f64] {
        &self.median_r
    }
    /// Standard error of α per scale (psych `ase`).
    pub fn ase(&self) -> &[f64] {
        &self.ase
    }
    /// Scale intercorrelations (psych `cor`).
    pub fn cor(&self) -> &Array2<f64> {
        &self.cor
    }
    /// Raw correlations below the diagonal, α on it, correlations corrected for attenuation above
    /// it (psych `corrected`).
    pub fn corrected(&self) -> &Array2<f64> {
        &self.corrected
    }
    /// Item × scale correlations (psych `item.cor`).
    pub fn item_cor(&self) -> &Array2<f64> {
        &self.item_cor
    }
    /// Item × scale correlations with SMCs as item communalities (psych `item.corrected`).
    pub fn item_corrected(&self) -> &Array2<f64> {
        &self.item_corrected
    }
    /// Respondents × scales scores (mean or sum of the keyed items).
    pub fn scores(&self) -> &Array2<f64> {
        &self.scores
    }
    /// Per-item response frequencies (psych `response.freq`); `None` with more than ten
    /// distinct answers.
    pub fn response_frequencies(&self) -> Option<&ResponseFrequencies> {
        self.response_frequencies.as_ref()
    }
    /// Warnings (one-item scales).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
}

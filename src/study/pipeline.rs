//! The analysis pipeline: [`Study`] runs every step on a dataset and collects [`StudyResults`].

use ndarray::Array2;

use super::*;
use crate::data::Dataset;
use crate::describe::{Describe, ValueCounts};
use crate::error::{Error, Result};
use crate::factor::{
    CommonMethodFactor, Efa, EfaFit, Extraction, Kmo, MethodLoadings, ParallelAnalysis, Rotation,
    harman_single_factor,
};
use crate::moments::{Missing, complete_rows, correlation};
use crate::regression::{Moderation, Ols, OlsFit, SeType};
use crate::reliability::{Alpha, HtmtMean, fornell_larcker, htmt};
use crate::sem::{BootstrapCi, GroupEqual, MultiGroupSem, Sem, SemBootstrap};

/// Configuration of the study's analysis.
///
/// Defaults: the Chengdu–Chongqing design, 5 000 bootstrap replications with seed 20261126,
/// 95 % intervals, parallel analysis with 20 replications (seed 20261126), HC3 standard errors.
///
/// # Examples
/// ```
/// use surveystat::study::{Study, StudyDesign};
/// let s = Study::with_design(StudyDesign::chengdu_chongqing()).bootstrap(200).seed(7);
/// assert_eq!(s.bootstrap_replications(), 200);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Study {
    pub(super) design: StudyDesign,
    pub(super) bootstrap: usize,
    pub(super) seed: u64,
    pub(super) ci_level: f64,
    pub(super) parallel_reps: usize,
}

impl Default for Study {
    fn default() -> Self {
        Self::new()
    }
}

impl Study {
    /// The Chengdu–Chongqing study with the default settings.
    pub fn new() -> Self {
        Self::with_design(StudyDesign::chengdu_chongqing())
    }
    /// Another design, default settings.
    pub fn with_design(design: StudyDesign) -> Self {
        Self { design, bootstrap: 5000, seed: 20261126, ci_level: 0.95, parallel_reps: 20 }
    }
    /// Number of bootstrap replications for the indirect effects (0 = no bootstrap).
    pub fn bootstrap(mut self, reps: usize) -> Self {
        self.bootstrap = reps;
        self
    }
    /// Seed of the bootstrap and of the parallel analysis.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Confidence level of every interval (default 0.95).
    pub fn ci_level(mut self, level: f64) -> Self {
        self.ci_level = level;
        self
    }
    /// Replications of the parallel analysis (default 20, psych's `n.iter`).
    pub fn parallel_replications(mut self, reps: usize) -> Self {
        self.parallel_reps = reps;
        self
    }
    /// The design.
    pub fn design(&self) -> &StudyDesign {
        &self.design
    }
    /// Bootstrap replications.
    pub fn bootstrap_replications(&self) -> usize {
        self.bootstrap
    }
    /// Seed.
    pub fn seed_value(&self) -> u64 {
        self.seed
    }

    /// Run the whole analysis on `data` (rows = respondents; columns = the design's items and,
    /// optionally, the grouping column). Incomplete rows are dropped listwise by the CFA/SEM and
    /// OLS; α uses pairwise covariances (psych's convention).
    ///
    /// # Errors
    /// [`Error::UnknownVariable`] for a missing item column; [`Error::InvalidParameter`] for a
    /// confidence level outside (0, 1); any error of the estimators (non-positive-definite
    /// correlations, non-convergence of the CFA/SEM, …), unchanged. The bootstrap and the
    /// per-group fits do not fail the run: failed replications are counted, a group that cannot
    /// be fitted is reported with its error.
    pub fn run(&self, data: &Dataset) -> Result<StudyResults> {
        if !(self.ci_level > 0.0 && self.ci_level < 1.0) {
            return Err(Error::invalid("ci_level", "must be strictly between 0 and 1"));
        }
        let d = &self.design;
        let items = d.items();
        for it in &items {
            data.index_of(it)?;
        }
        // 1. sample
        let group = d.group.as_deref().filter(|g| data.index_of(g).is_ok());
        let mut describe = Describe::new().value_counts(ValueCounts::likert(1, 5));
        if let Some(g) = group {
            describe = describe.tabulate(g);
        }
        let descriptives =
            describe.fit(data, &items).or_else(|_| Describe::new().fit(data, &items))?;
        let groups: Vec<(String, usize)> = match group {
            Some(g) => data.split_by(g)?.into_iter().map(|(k, p)| (k, p.n_rows())).collect(),
            None => Vec::new(),
        };
        // 2. reliability
        let mut alpha = Vec::with_capacity(d.constructs.len());
        for c in &d.constructs {
            alpha.push((
                c.name.clone(),
                Alpha::new().ci_level(self.ci_level).fit_dataset(data, &c.items)?,
            ));
        }
        // 3. validity
        let (x, _) = complete_rows(&data.select(&items)?);
        let kmo = Kmo::new().names(&items).fit(&x)?;
        let parallel =
            ParallelAnalysis::new().replications(self.parallel_reps).seed(self.seed).fit(&x)?;
        let efa = Efa::new(d.constructs.len())
            .extraction(Extraction::Ml)
            .rotation(Rotation::Oblimin { gamma: 0.0 })
            .names(&items)
            .fit(&x)?;
        let efa_match = match_factors(&efa, d);
        let cfa = Sem::from_syntax(&d.cfa_syntax())?.ci_level(self.ci_level).fit(data)?;
        let cr = cfa.composite_reliability();
        let ave = cfa.ave();
        let ave_v: Vec<f64> = ave.iter().map(|(_, v)| *v).collect();
        let fl = fornell_larcker(cfa.latent(), &ave_v, cfa.latent_correlation())?;
        let r_items = correlation(&x, Missing::Listwise)?;
        let mut groups_idx = Vec::new();
        let mut pos = 0;
        for c in &d.constructs {
            groups_idx.push((pos..pos + c.items.len()).collect::<Vec<_>>());
            pos += c.items.len();
        }
        let htmt_m = htmt(&r_items, &groups_idx, HtmtMean::Geometric)?;
        let omega = cfa.omega();
        // common method bias: Harman's test and the CLF comparison (equal method loadings, the
        // form that stays identified when there is little method variance)
        let harman = harman_single_factor(&x).map_err(|e| e.to_string());
        let method_factor = CommonMethodFactor::new(&d.cfa_syntax())
            .loadings(MethodLoadings::Equal)
            .fit(data)
            .map_err(|e| e.to_string());
        // 4. structural model
        let sem_cfg = Sem::from_syntax(&d.sem_syntax())?.ci_level(self.ci_level);
        let sem = sem_cfg.fit(data)?;
        let hypotheses = d
            .hypotheses
            .iter()
            .map(|h| {
                let row = sem.parameter(&h.to, "~", &h.from).cloned();
                HypothesisResult::new(h.clone(), row)
            })
            .collect();
        // 5. mediation
        let bootstrap = if self.bootstrap > 0 && !d.effects.is_empty() {
            let cfg = SemBootstrap::new(self.bootstrap)
                .seed(self.seed)
                .ci(BootstrapCi::Bca)
                .level(self.ci_level);
            Some(sem.bootstrap(data, &cfg)?)
        } else {
            None
        };
        let mediation = d
            .effects
            .iter()
            .map(|e| {
                let row = sem.parameter(&e.name, ":=", "").cloned();
                let k =
                    bootstrap.as_ref().and_then(|b| b.names().iter().position(|n| *n == e.name));
                let (boot_se, percentile, bca) = match (&bootstrap, k) {
                    (Some(b), Some(k)) => (
                        b.se().get(k).copied(),
                        b.inner().ci_percentile_one(k, self.ci_level).ok(),
                        b.inner().ci_bca_one(k, self.ci_level).ok(),
                    ),
                    _ => (None, None, None),
                };
                IndirectEffect { effect: e.clone(), row, boot_se, percentile, bca }
            })
            .collect();
        // 6. OLS on composites
        let comp = composites(data, d)?;
        let ols = composite_ols(&comp, d)?;
        // 6b. moderation check on the composites (PROCESS model 1): conditional effects at the
        // moderator's mean ± 1 SD and the Johnson–Neyman region.
        let moderation = match &d.moderation {
            Some(m) => Some(Moderation::fit(&comp, &m.x, &m.w, &m.y, false, self.ci_level)?),
            None => None,
        };
        // 7. groups
        let mut group_fits = Vec::new();
        if let Some(g) = group {
            for (name, part) in data.split_by(g)? {
                let fit = sem_cfg.fit(&part).map_err(|e| e.to_string());
                group_fits.push(GroupFit { group: name, n: part.n_rows(), fit });
            }
        }
        let invariance = match group {
            Some(g) if group_fits.len() >= 2 => {
                let mg = Sem::from_syntax(&d.multigroup_syntax())?.ci_level(self.ci_level);
                let configural =
                    MultiGroupSem::new(mg.clone(), g).fit(data).map_err(|e| e.to_string());
                let metric = MultiGroupSem::new(mg, g)
                    .equal([GroupEqual::Loadings])
                    .fit(data)
                    .map_err(|e| e.to_string());
                let lrt = match (&configural, &metric) {
                    (Ok(c), Ok(m)) => m.lrt(c).ok(),
                    _ => None,
                };
                Some(Invariance { configural, metric, lrt })
            }
            _ => None,
        };
        let latent_means = match group {
            Some(g) if group_fits.len() >= 2 => Some(
                super::latent::LatentMeans::fit(d, data, g, self.ci_level)
                    .map_err(|e| e.to_string()),
            ),
            _ => None,
        };
        Ok(StudyResults {
            config: self.clone(),
            n_rows: data.n_rows(),
            source: data.source().to_string(),
            descriptives,
            groups,
            alpha,
            kmo,
            parallel,
            efa,
            efa_match,
            cfa,
            cr,
            ave,
            fornell_larcker: fl,
            htmt: htmt_m,
            sem,
            hypotheses,
            mediation,
            bootstrap,
            ols,
            moderation,
            group_fits,
            invariance,
            omega,
            harman,
            method_factor,
            latent_means,
        })
    }
}

/// For each EFA factor, the construct whose items carry the largest sum of squared loadings on it.
fn match_factors(efa: &EfaFit, d: &StudyDesign) -> Vec<String> {
    let l = efa.loadings();
    let names = efa.names();
    (0..l.ncols())
        .map(|f| {
            let mut best = (String::new(), -1.0);
            for c in &d.constructs {
                let s: f64 = c
                    .items
                    .iter()
                    .filter_map(|it| names.iter().position(|n| n == it))
                    .map(|i| l[[i, f]] * l[[i, f]])
                    .sum();
                if s > best.1 {
                    best = (c.name.clone(), s);
                }
            }
            best.0
        })
        .collect()
}

/// Composite scores: item means over the answered items, one column per construct.
fn composites(data: &Dataset, d: &StudyDesign) -> Result<Dataset> {
    let n = data.n_rows();
    let k = d.constructs.len();
    let mut comp = Array2::<f64>::zeros((n, k));
    for (j, c) in d.constructs.iter().enumerate() {
        let x = data.select(&c.items)?;
        for i in 0..n {
            let (s, m) = x
                .row(i)
                .iter()
                .filter(|v| !v.is_nan())
                .fold((0.0, 0usize), |(s, m), v| (s + v, m + 1));
            comp[[i, j]] = if m == 0 { f64::NAN } else { s / m as f64 };
        }
    }
    let names: Vec<&str> = d.constructs.iter().map(|c| c.name.as_str()).collect();
    Dataset::from_array(&names, comp)
}

/// The OLS of the outcome composite on the others with HC3 standard errors.
fn composite_ols(ds: &Dataset, d: &StudyDesign) -> Result<OlsFit> {
    let names: Vec<&str> = d.constructs.iter().map(|c| c.name.as_str()).collect();
    let rhs: Vec<&str> = names.iter().copied().filter(|n| *n != d.outcome).collect();
    let formula = format!("{} ~ {}", d.outcome, rhs.join(" + "));
    Ols::from_formula(&formula)?.se_type(SeType::Hc3).fit_dataset(ds)
}

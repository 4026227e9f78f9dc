//! The Chengdu–Chongqing study end to end: design as data, the whole analysis pipeline, and its
//! results as text, Markdown, JSON and a path diagram.
//!
//! [`StudyDesign`] holds the constructs and their items, the hypotheses (structural paths with
//! expected signs and labels) and the indirect effects (lavaan `:=` definitions). [`Study`] is the
//! configuration (design, bootstrap replications, seeds); [`Study::run`] analyses a [`Dataset`]
//! with those columns and returns [`StudyResults`], in the order of a paper's results section:
//!
//! 1. sample: n by region, item descriptives ([`crate::describe`]);
//! 2. reliability per construct: Cronbach's α with Feldt CI and item statistics
//!    ([`crate::reliability::Alpha`]), CR and AVE from the CFA;
//! 3. validity: KMO and Bartlett ([`crate::factor::Kmo`]), parallel analysis (seeded), EFA (ML,
//!    oblimin), the CFA of the measurement model with fit measures and standardized loadings,
//!    Fornell–Larcker and HTMT;
//! 4. structural model: hypothesis table (standardized β, SE, p, supported = sign as expected and
//!    p < .05), R² of the endogenous constructs, fit measures ([`crate::sem::Sem`]);
//! 5. mediation: the defined indirect effects with delta-method and bootstrap (percentile and
//!    BCa) intervals ([`SemFit::bootstrap`]: complete SEM refits on resampled respondents);
//! 6. OLS of the outcome composite (item mean) on the other composites with HC3 standard errors
//!    and VIF ([`crate::regression::Ols`]);
//! 7. comparison of the groups (regions): the structural model fitted per group, and the
//!    multi-group model ([`crate::sem::MultiGroupSem`]) configural and with equal loadings (metric
//!    invariance, χ² difference test), whose paths are compared between the groups by Wald tests.
//!
//! # Examples
//! ```no_run
//! use surveystat::study::Study;
//! let data = surveystat::datasets::study_survey().unwrap();
//! let results = Study::new().bootstrap(1000).seed(1).run(&data).unwrap();
//! println!("{results}");
//! let md = results.to_markdown();
//! assert!(md.contains("Hypotheses"));
//! ```
//!
//! # References
//! Validated against R 4.2.2 with psych 2.2.9, lavaan 0.6.14, semTools 0.5-6, sandwich 3.0-2 and
//! car 3.1-1 on the embedded study survey (`tests/reference_study.rs`).

use std::fmt;

use ndarray::{Array1, Array2};

use crate::data::Dataset;
use crate::describe::{Describe, Descriptives, ValueCounts};
use crate::diagram::{Coefficient, PathDiagram};
use crate::error::{Error, Result};
use crate::factor::{
    Efa, EfaFit, Extraction, Kmo, KmoFit, ParallelAnalysis, ParallelFit, Rotation,
};
use crate::moments::{Missing, complete_rows, correlation};
use crate::regression::{Ols, OlsFit, SeType};
use crate::reliability::{Alpha, AlphaFit, FornellLarcker, HtmtMean, fornell_larcker, htmt};
use crate::report::Report;
use crate::resample::Interval;
use crate::sem::{
    BootstrapCi, ChisqDifference, GroupDifference, GroupEqual, MultiGroupFit, MultiGroupSem, Sem,
    SemBootstrap, SemBootstrapFit, SemFit,
};
use crate::summary::{ParamRow, Summary, Table, fmt_num, fmt_pvalue, signif_stars};

/// Expected sign of a hypothesised path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Sign {
    /// A positive effect.
    Positive,
    /// A negative effect.
    Negative,
}

impl Sign {
    /// `+` or `−`.
    pub fn symbol(self) -> &'static str {
        match self {
            Sign::Positive => "+",
            Sign::Negative => "−",
        }
    }
    /// Whether `x` has this sign (0 has neither).
    pub fn agrees(self, x: f64) -> bool {
        match self {
            Sign::Positive => x > 0.0,
            Sign::Negative => x < 0.0,
        }
    }
}

/// A construct (latent variable) and its items.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Construct {
    /// Short name, used as the latent variable's name (`GS`).
    pub name: String,
    /// Description (`governance-scale unity`).
    pub label: String,
    /// Item column names.
    pub items: Vec<String>,
}

/// A hypothesis: a structural path `from → to` with its expected sign and the label of the
/// path coefficient in the model syntax.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Hypothesis {
    /// Identifier (`H1`).
    pub id: String,
    /// Predictor construct.
    pub from: String,
    /// Outcome construct.
    pub to: String,
    /// Expected sign.
    pub sign: Sign,
    /// Label of the coefficient in the model syntax (`a1`).
    pub label: String,
}

/// A defined parameter (lavaan `name := expression`), e.g. an indirect effect.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DefinedEffect {
    /// Parameter name (`ind_ST_AC_RS`).
    pub name: String,
    /// Readable path (`ST → AC → RS`).
    pub path: String,
    /// Expression over path labels (`a1*b1`).
    pub expression: String,
}

/// The design of a study: constructs, hypotheses, defined (indirect) effects, the outcome of the
/// composite regression, and the grouping column.
///
/// [`StudyDesign::cfa_syntax`] and [`StudyDesign::sem_syntax`] generate the lavaan model text:
/// one `=~` line per construct, one `~` line per outcome (hypotheses grouped by outcome in order
/// of first appearance, each predictor with its label), one `:=` line per defined effect.
///
/// # Examples
/// ```
/// use surveystat::study::StudyDesign;
/// let d = StudyDesign::chengdu_chongqing();
/// assert_eq!(d.constructs().len(), 7);
/// assert_eq!(d.hypotheses().len(), 10);
/// assert!(d.sem_syntax().contains("AC ~ a1*ST + g1*GS + i1*IM"));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StudyDesign {
    title: String,
    constructs: Vec<Construct>,
    hypotheses: Vec<Hypothesis>,
    effects: Vec<DefinedEffect>,
    outcome: String,
    group: Option<String>,
}

impl StudyDesign {
    /// A design from its parts.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for an empty construct list, a construct with fewer than two
    /// items, a hypothesis naming an unknown construct, or an outcome that is not a construct.
    pub fn new(
        title: impl Into<String>,
        constructs: Vec<Construct>,
        hypotheses: Vec<Hypothesis>,
        effects: Vec<DefinedEffect>,
        outcome: impl Into<String>,
        group: Option<String>,
    ) -> Result<Self> {
        let outcome = outcome.into();
        if constructs.len() < 2 {
            return Err(Error::invalid("constructs", "a study needs at least two constructs"));
        }
        for c in &constructs {
            if c.items.len() < 2 {
                return Err(Error::invalid(
                    "constructs",
                    format!("construct {} needs at least two items", c.name),
                ));
            }
        }
        let known = |n: &str| constructs.iter().any(|c| c.name == n);
        for h in &hypotheses {
            for n in [&h.from, &h.to] {
                if !known(n) {
                    return Err(Error::invalid(
                        "hypotheses",
                        format!("{} names the unknown construct {n}", h.id),
                    ));
                }
            }
        }
        if !known(&outcome) {
            return Err(Error::invalid("outcome", format!("{outcome} is not a construct")));
        }
        Ok(Self { title: title.into(), constructs, hypotheses, effects, outcome, group })
    }

    /// The Chengdu–Chongqing study on collaborative standardization of institutional affairs:
    /// seven constructs (GS, ST, AC, MT, LP, IM, RS; 24 five-point items), hypotheses H1–H10,
    /// the six specific indirect effects of ST on RS and their total, outcome RS, groups by
    /// `region`. The generated model text equals the lavaan calls of the reference fixtures
    /// (`tests/fixtures/expected/study_cfa.json`, `study_sem.json`).
    pub fn chengdu_chongqing() -> Self {
        let c = |name: &str, label: &str, items: &[&str]| Construct {
            name: name.into(),
            label: label.into(),
            items: items.iter().map(|s| s.to_string()).collect(),
        };
        let constructs = vec![
            c("GS", "governance-scale unity", &["GS1", "GS2", "GS3"]),
            c("ST", "standardization of institutional affairs", &["ST1", "ST2", "ST3", "ST4"]),
            c("AC", "administrative collaborative governance", &["AC1", "AC2", "AC3", "AC4"]),
            c("MT", "mutual trust / synergy awareness", &["MT1", "MT2", "MT3"]),
            c("LP", "local protectionism", &["LP1", "LP2", "LP3"]),
            c("IM", "cadre incentive mechanism", &["IM1", "IM2", "IM3"]),
            c("RS", "regional synergistic development", &["RS1", "RS2", "RS3", "RS4"]),
        ];
        let h = |id: &str, from: &str, to: &str, sign: Sign, label: &str| Hypothesis {
            id: id.into(),
            from: from.into(),
            to: to.into(),
            sign,
            label: label.into(),
        };
        use Sign::{Negative as N, Positive as P};
        let hypotheses = vec![
            h("H1", "ST", "AC", P, "a1"),
            h("H2", "GS", "AC", P, "g1"),
            h("H3", "IM", "AC", P, "i1"),
            h("H4", "ST", "MT", P, "a2"),
            h("H5", "AC", "MT", P, "m1"),
            h("H6", "ST", "LP", N, "a3"),
            h("H7", "MT", "LP", N, "m2"),
            h("H8", "AC", "RS", P, "b1"),
            h("H9", "MT", "RS", P, "b2"),
            h("H10", "LP", "RS", N, "b3"),
        ];
        let e = |name: &str, path: &str, expression: &str| DefinedEffect {
            name: name.into(),
            path: path.into(),
            expression: expression.into(),
        };
        let effects = vec![
            e("ind_ST_AC_RS", "ST → AC → RS", "a1*b1"),
            e("ind_ST_MT_RS", "ST → MT → RS", "a2*b2"),
            e("ind_ST_LP_RS", "ST → LP → RS", "a3*b3"),
            e("ind_ST_AC_MT_RS", "ST → AC → MT → RS", "a1*m1*b2"),
            e("ind_ST_MT_LP_RS", "ST → MT → LP → RS", "a2*m2*b3"),
            e("ind_ST_AC_MT_LP_RS", "ST → AC → MT → LP → RS", "a1*m1*m2*b3"),
            e(
                "total_ST_RS",
                "total effect ST → RS",
                "a1*b1 + a2*b2 + a3*b3 + a1*m1*b2 + a2*m2*b3 + a1*m1*m2*b3",
            ),
        ];
        Self {
            title: "Collaborative standardization of institutional affairs in the Chengdu–Chongqing economic circle".into(),
            constructs,
            hypotheses,
            effects,
            outcome: "RS".into(),
            group: Some("region".into()),
        }
    }

    /// Title of the study.
    pub fn title(&self) -> &str {
        &self.title
    }
    /// Constructs in questionnaire order.
    pub fn constructs(&self) -> &[Construct] {
        &self.constructs
    }
    /// Hypotheses in order.
    pub fn hypotheses(&self) -> &[Hypothesis] {
        &self.hypotheses
    }
    /// Defined (indirect and total) effects.
    pub fn effects(&self) -> &[DefinedEffect] {
        &self.effects
    }
    /// Outcome construct of the composite regression.
    pub fn outcome(&self) -> &str {
        &self.outcome
    }
    /// Grouping column (region), if any.
    pub fn group(&self) -> Option<&str> {
        self.group.as_deref()
    }
    /// All items, in construct order.
    pub fn items(&self) -> Vec<String> {
        self.constructs.iter().flat_map(|c| c.items.iter().cloned()).collect()
    }

    /// lavaan syntax of the measurement model (`F =~ x1 + x2 + …`, one line per construct).
    pub fn cfa_syntax(&self) -> String {
        self.constructs
            .iter()
            .map(|c| format!("{} =~ {}", c.name, c.items.join(" + ")))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// lavaan syntax of the full model: measurement model, structural regressions with labels,
    /// defined effects.
    pub fn sem_syntax(&self) -> String {
        let mut lines = vec![self.cfa_syntax()];
        lines.extend(self.regression_lines(true));
        for e in &self.effects {
            lines.push(format!("{} := {}", e.name, e.expression));
        }
        lines.join("\n")
    }

    /// One `outcome ~ predictors` line per outcome, hypotheses grouped by outcome in order of
    /// first appearance; with `labelled`, each path carries its hypothesis label.
    fn regression_lines(&self, labelled: bool) -> Vec<String> {
        let mut outcomes: Vec<&str> = Vec::new();
        for h in &self.hypotheses {
            if !outcomes.contains(&h.to.as_str()) {
                outcomes.push(&h.to);
            }
        }
        outcomes
            .into_iter()
            .map(|o| {
                let rhs: Vec<String> = self
                    .hypotheses
                    .iter()
                    .filter(|h| h.to == o)
                    .map(|h| {
                        if labelled && !h.label.is_empty() {
                            format!("{}*{}", h.label, h.from)
                        } else {
                            h.from.clone()
                        }
                    })
                    .collect();
                format!("{o} ~ {}", rhs.join(" + "))
            })
            .collect()
    }
}

impl StudyDesign {
    /// lavaan syntax of the structural model without labels and defined effects, for the
    /// multi-group model: in lavaan (and here) a label in single-group syntax makes the parameter
    /// equal in every group, so the paths to compare must be unlabelled.
    pub fn multigroup_syntax(&self) -> String {
        let mut lines = vec![self.cfa_syntax()];
        lines.extend(self.regression_lines(false));
        lines.join("\n")
    }
}

impl Default for StudyDesign {
    fn default() -> Self {
        Self::chengdu_chongqing()
    }
}

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
    design: StudyDesign,
    bootstrap: usize,
    seed: u64,
    ci_level: f64,
    parallel_reps: usize,
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
        let ols = composite_ols(data, d)?;
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
            group_fits,
            invariance,
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

/// Composite scores (item means over the answered items) and the OLS of the outcome on the
/// others with HC3 standard errors.
fn composite_ols(data: &Dataset, d: &StudyDesign) -> Result<OlsFit> {
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
    let ds = Dataset::from_array(&names, comp)?;
    let rhs: Vec<&str> = names.iter().copied().filter(|n| *n != d.outcome).collect();
    let formula = format!("{} ~ {}", d.outcome, rhs.join(" + "));
    Ols::from_formula(&formula)?.se_type(SeType::Hc3).fit_dataset(&ds)
}

/// One hypothesis with its estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct HypothesisResult {
    hypothesis: Hypothesis,
    row: Option<ParamRow>,
    supported: bool,
}

impl HypothesisResult {
    fn new(hypothesis: Hypothesis, row: Option<ParamRow>) -> Self {
        let supported = row.as_ref().is_some_and(|r| {
            r.pvalue.is_some_and(|p| p < 0.05) && hypothesis.sign.agrees(r.std_all.unwrap_or(r.est))
        });
        Self { hypothesis, row, supported }
    }
    /// The hypothesis.
    pub fn hypothesis(&self) -> &Hypothesis {
        &self.hypothesis
    }
    /// The path's parameter row (estimate, SE, z, p, std.all), if the model has the path.
    pub fn row(&self) -> Option<&ParamRow> {
        self.row.as_ref()
    }
    /// Standardized coefficient (std.all).
    pub fn beta(&self) -> Option<f64> {
        self.row.as_ref().and_then(|r| r.std_all)
    }
    /// Supported: p < .05 and the sign as hypothesised.
    pub fn supported(&self) -> bool {
        self.supported
    }
}

/// One defined (indirect or total) effect with its intervals.
#[derive(Debug, Clone, PartialEq)]
pub struct IndirectEffect {
    effect: DefinedEffect,
    row: Option<ParamRow>,
    boot_se: Option<f64>,
    percentile: Option<Interval>,
    bca: Option<Interval>,
}

impl IndirectEffect {
    /// The effect's definition.
    pub fn effect(&self) -> &DefinedEffect {
        &self.effect
    }
    /// lavaan-style row: estimate, delta-method SE, z, p, Wald CI, std.all.
    pub fn row(&self) -> Option<&ParamRow> {
        self.row.as_ref()
    }
    /// Bootstrap standard error.
    pub fn bootstrap_se(&self) -> Option<f64> {
        self.boot_se
    }
    /// Bootstrap percentile interval.
    pub fn percentile(&self) -> Option<Interval> {
        self.percentile
    }
    /// Bootstrap BCa interval.
    pub fn bca(&self) -> Option<Interval> {
        self.bca
    }
}

/// The structural model fitted to one group (region).
#[derive(Debug, Clone)]
pub struct GroupFit {
    group: String,
    n: usize,
    fit: std::result::Result<SemFit, String>,
}

impl GroupFit {
    /// Group label.
    pub fn group(&self) -> &str {
        &self.group
    }
    /// Rows in the group.
    pub fn n(&self) -> usize {
        self.n
    }
    /// The fit, or the error message if the model could not be fitted in this group.
    pub fn fit(&self) -> std::result::Result<&SemFit, &str> {
        self.fit.as_ref().map_err(String::as_str)
    }
}

/// The structural model fitted jointly to the groups: configural (no constraints) and metric
/// (equal loadings), and the χ² difference test of metric invariance.
#[derive(Debug, Clone)]
pub struct Invariance {
    configural: std::result::Result<MultiGroupFit, String>,
    metric: std::result::Result<MultiGroupFit, String>,
    lrt: Option<ChisqDifference>,
}

impl Invariance {
    /// The configural model (same structure, all parameters free per group), or the error.
    pub fn configural(&self) -> std::result::Result<&MultiGroupFit, &str> {
        self.configural.as_ref().map_err(String::as_str)
    }
    /// The metric model (loadings equal across groups), or the error.
    pub fn metric(&self) -> std::result::Result<&MultiGroupFit, &str> {
        self.metric.as_ref().map_err(String::as_str)
    }
    /// χ² difference test metric vs configural.
    pub fn lrt(&self) -> Option<ChisqDifference> {
        self.lrt
    }
    /// Wald test of the difference of the path `to ~ from` between the first two groups of the
    /// metric model.
    pub fn path_difference(&self, to: &str, from: &str) -> Option<GroupDifference> {
        self.metric.as_ref().ok()?.group_difference(to, "~", from, 0, 1)
    }
}

/// Everything [`Study::run`] computed, with getters, a printable results section, Markdown, JSON
/// and a path diagram.
#[derive(Debug, Clone)]
pub struct StudyResults {
    config: Study,
    n_rows: usize,
    source: String,
    descriptives: Descriptives,
    groups: Vec<(String, usize)>,
    alpha: Vec<(String, AlphaFit)>,
    kmo: KmoFit,
    parallel: ParallelFit,
    efa: EfaFit,
    efa_match: Vec<String>,
    cfa: SemFit,
    cr: Vec<(String, f64)>,
    ave: Vec<(String, f64)>,
    fornell_larcker: FornellLarcker,
    htmt: Array2<f64>,
    sem: SemFit,
    hypotheses: Vec<HypothesisResult>,
    mediation: Vec<IndirectEffect>,
    bootstrap: Option<SemBootstrapFit>,
    ols: OlsFit,
    group_fits: Vec<GroupFit>,
    invariance: Option<Invariance>,
}

const FIT_KEYS: [&str; 10] = [
    "chisq",
    "df",
    "pvalue",
    "cfi",
    "tli",
    "rmsea",
    "rmsea.ci.lower",
    "rmsea.ci.upper",
    "srmr",
    "aic",
];

impl StudyResults {
    /// The configuration that produced the results.
    pub fn config(&self) -> &Study {
        &self.config
    }
    /// Number of rows of the data.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }
    /// Item descriptives (and the group table).
    pub fn descriptives(&self) -> &Descriptives {
        &self.descriptives
    }
    /// Rows per group (region), in order of first appearance.
    pub fn group_counts(&self) -> &[(String, usize)] {
        &self.groups
    }
    /// Cronbach's α per construct.
    pub fn alpha(&self) -> &[(String, AlphaFit)] {
        &self.alpha
    }
    /// KMO and Bartlett on all items.
    pub fn kmo(&self) -> &KmoFit {
        &self.kmo
    }
    /// Parallel analysis.
    pub fn parallel(&self) -> &ParallelFit {
        &self.parallel
    }
    /// EFA (ML, oblimin, one factor per construct).
    pub fn efa(&self) -> &EfaFit {
        &self.efa
    }
    /// The construct each EFA factor was matched to (largest sum of squared loadings).
    pub fn efa_factor_constructs(&self) -> &[String] {
        &self.efa_match
    }
    /// The CFA of the measurement model.
    pub fn cfa(&self) -> &SemFit {
        &self.cfa
    }
    /// Composite reliability per construct (from the CFA's std.all loadings).
    pub fn composite_reliability(&self) -> &[(String, f64)] {
        &self.cr
    }
    /// Average variance extracted per construct.
    pub fn ave(&self) -> &[(String, f64)] {
        &self.ave
    }
    /// Fornell–Larcker table.
    pub fn fornell_larcker(&self) -> &FornellLarcker {
        &self.fornell_larcker
    }
    /// HTMT (geometric-mean version, semTools' default), constructs in design order.
    pub fn htmt(&self) -> &Array2<f64> {
        &self.htmt
    }
    /// The full structural equation model.
    pub fn sem(&self) -> &SemFit {
        &self.sem
    }
    /// Hypothesis table.
    pub fn hypotheses(&self) -> &[HypothesisResult] {
        &self.hypotheses
    }
    /// Indirect and total effects.
    pub fn mediation(&self) -> &[IndirectEffect] {
        &self.mediation
    }
    /// The bootstrap of the defined effects (None if switched off).
    pub fn bootstrap(&self) -> Option<&SemBootstrapFit> {
        self.bootstrap.as_ref()
    }
    /// OLS of the outcome composite (HC3 standard errors in the coefficient table).
    pub fn ols(&self) -> &OlsFit {
        &self.ols
    }
    /// The structural model per group.
    pub fn group_fits(&self) -> &[GroupFit] {
        &self.group_fits
    }

    /// The multi-group models (configural and equal loadings) with their χ² difference test;
    /// `None` without a grouping column or with fewer than two groups.
    pub fn invariance(&self) -> Option<&Invariance> {
        self.invariance.as_ref()
    }
    /// R² of the endogenous constructs in the structural model.
    pub fn r_squared_constructs(&self) -> Vec<(String, f64)> {
        let lv = self.sem.latent();
        self.sem.r_squared().iter().filter(|(k, _)| lv.contains(k)).cloned().collect()
    }

    /// The path diagram of the fitted structural model: standardized coefficients (std.all) with
    /// significance stars on the arrows, non-significant paths dashed, R² of the endogenous
    /// constructs.
    pub fn diagram(&self) -> PathDiagram {
        let mut d = PathDiagram::from_param_rows(self.sem.parameters(), Coefficient::StdAll, 2);
        d.title(format!(
            "{} — standardized estimates (n = {})",
            "Structural model",
            self.sem.n_obs()
        ));
        for (k, v) in self.r_squared_constructs() {
            d.r_squared(&k, v);
        }
        d
    }

    /// The results section: one [`Summary`] per step.
    pub fn sections(&self) -> Vec<Summary> {
        vec![
            self.section_sample(),
            self.section_reliability(),
            self.section_validity(),
            self.section_structural(),
            self.section_mediation(),
            self.section_ols(),
            self.section_groups(),
        ]
    }

    /// The whole results section as one [`Summary`] (sections as text headings).
    pub fn summary(&self) -> Summary {
        let mut s = Summary::new(format!("Results — {}", self.config.design.title));
        for sec in self.sections() {
            s.text(format!("{}\n{}", sec.title, "=".repeat(sec.title.chars().count())));
            s.blocks.extend(sec.blocks);
        }
        s
    }

    /// The results as a Markdown document ([`crate::report`]); `diagram_path`, if given, is
    /// linked as the path diagram image.
    pub fn to_markdown_with_diagram(&self, diagram_path: Option<&str>) -> String {
        let mut r = Report::new();
        r.heading(1, format!("Results — {}", self.config.design.title));
        r.markdown(format!(
            "Data: `{}`, n = {} respondents, {} items in {} constructs. Bootstrap: {} replications, seed {}.",
            self.source,
            self.n_rows,
            self.config.design.items().len(),
            self.config.design.constructs.len(),
            self.config.bootstrap,
            self.config.seed
        ));
        for (i, sec) in self.sections().iter().enumerate() {
            r.heading(2, sec.title.clone());
            for b in &sec.blocks {
                match b {
                    crate::summary::Block::Table(t) => {
                        r.table(t);
                    }
                    crate::summary::Block::Text(t) => {
                        r.text(t.replace('\n', " "));
                    }
                    crate::summary::Block::KeyValues(kv) => {
                        r.bullets(kv.iter().map(|(k, v)| format!("{k}: {v}")));
                    }
                }
            }
            if i == 3 {
                if let Some(p) = diagram_path {
                    r.image("Path diagram of the structural model (standardized estimates)", p);
                }
            }
        }
        r.to_markdown()
    }

    /// The results as a Markdown document (no diagram link).
    pub fn to_markdown(&self) -> String {
        self.to_markdown_with_diagram(None)
    }

    fn section_sample(&self) -> Summary {
        let mut s = Summary::new("1. Sample");
        if !self.groups.is_empty() {
            let mut t = Table::new(Some("Respondents by region"), ["region", "n", "%"]);
            for (g, n) in &self.groups {
                t.push([
                    g.clone(),
                    n.to_string(),
                    fmt_num(100.0 * *n as f64 / self.n_rows as f64, 1),
                ]);
            }
            t.push(["total".to_string(), self.n_rows.to_string(), fmt_num(100.0, 1)]);
            s.table(t);
        }
        let mut t = Table::new(
            Some("Item descriptives (sd with divisor n − 1; frequencies of the answers 1…5)"),
            ["construct", "item", "n", "mean", "sd", "skew", "kurtosis", "1", "2", "3", "4", "5"],
        );
        for c in &self.config.design.constructs {
            for (j, it) in c.items.iter().enumerate() {
                let Some(v) = self.descriptives.variable(it) else { continue };
                let counts: Vec<String> = match v.counts() {
                    Some(f) => f.counts().iter().map(|c| c.to_string()).collect(),
                    None => vec![String::new(); 5],
                };
                let mut row = vec![
                    if j == 0 { c.name.clone() } else { String::new() },
                    it.clone(),
                    v.n().to_string(),
                    fmt_num(v.mean(), 3),
                    fmt_num(v.sd(), 3),
                    fmt_num(v.skew(), 2),
                    fmt_num(v.kurtosis(), 2),
                ];
                row.extend(counts);
                t.push(row);
            }
        }
        s.table(t);
        s
    }

    fn section_reliability(&self) -> Summary {
        let mut s = Summary::new("2. Reliability");
        let lvl = 100.0 * self.config.ci_level;
        let mut t = Table::new(
            Some("Internal consistency and convergent validity"),
            [
                "construct".to_string(),
                "k".into(),
                "alpha".into(),
                format!("{lvl:.0}% CI (Feldt)"),
                "std.alpha".into(),
                "G6(smc)".into(),
                "average r".into(),
                "CR".into(),
                "AVE".into(),
            ],
        );
        for (i, (c, f)) in self.alpha.iter().enumerate() {
            let ci = f.feldt_ci();
            t.push([
                c.clone(),
                f.n_items().to_string(),
                fmt_num(f.raw_alpha(), 3),
                format!("[{}, {}]", fmt_num(ci.lower, 3), fmt_num(ci.upper, 3)),
                fmt_num(f.std_alpha(), 3),
                fmt_num(f.g6(), 3),
                fmt_num(f.average_r(), 3),
                fmt_num(self.cr.get(i).map(|x| x.1), 3),
                fmt_num(self.ave.get(i).map(|x| x.1), 3),
            ]);
        }
        s.table(t);
        let mut t = Table::new(
            Some("Item statistics (r.drop = corrected item–total correlation)"),
            ["construct", "item", "r.drop", "alpha if dropped", "std. loading (CFA)", "mean", "sd"],
        );
        let std_l = self.cfa.std_loadings();
        for (c, f) in &self.alpha {
            for (j, it) in f.items().iter().enumerate() {
                let l = std_l.iter().find(|(fc, i, _)| fc == c && *i == it.item).map(|x| x.2);
                t.push([
                    if j == 0 { c.clone() } else { String::new() },
                    it.item.clone(),
                    fmt_num(it.r_drop, 3),
                    fmt_num(it.if_dropped.as_ref().map(|d| d.raw_alpha), 3),
                    fmt_num(l, 3),
                    fmt_num(it.mean, 2),
                    fmt_num(it.sd, 2),
                ]);
            }
        }
        s.table(t);
        let (lo, hi) = min_max(self.alpha.iter().map(|(c, f)| (c.as_str(), f.raw_alpha())));
        let (clo, chi) = min_max(self.cr.iter().map(|(c, v)| (c.as_str(), *v)));
        let (alo, ahi) = min_max(self.ave.iter().map(|(c, v)| (c.as_str(), *v)));
        s.text(format!(
            "Cronbach's alpha ranged from {} ({}) to {} ({}); composite reliability from {} ({}) to {} ({});\n\
             AVE from {} ({}) to {} ({}). {}",
            fmt_num(lo.1, 2), lo.0, fmt_num(hi.1, 2), hi.0,
            fmt_num(clo.1, 2), clo.0, fmt_num(chi.1, 2), chi.0,
            fmt_num(alo.1, 2), alo.0, fmt_num(ahi.1, 2), ahi.0,
            if lo.1 >= 0.7 && clo.1 >= 0.7 && alo.1 >= 0.5 {
                "All constructs meet the usual thresholds (alpha and CR ≥ .70, AVE ≥ .50)."
            } else {
                "Not every construct meets the usual thresholds (alpha and CR ≥ .70, AVE ≥ .50)."
            }
        ));
        s
    }

    fn section_validity(&self) -> Summary {
        let mut s = Summary::new("3. Validity");
        let b = self.kmo.bartlett();
        let msai = self.kmo.msa_items();
        let (mlo, mhi) =
            msai.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |a, &v| (a.0.min(v), a.1.max(v)));
        s.key_values([
            (
                "KMO (overall MSA)".to_string(),
                format!("{} ({})", fmt_num(self.kmo.msa(), 3), KmoFit::label(self.kmo.msa())),
            ),
            ("Item MSA range".to_string(), format!("{} – {}", fmt_num(mlo, 3), fmt_num(mhi, 3))),
            (
                "Bartlett's test".to_string(),
                format!(
                    "χ²({}) = {}, p {}",
                    fmt_num(b.df, 0),
                    fmt_num(b.chisq, 2),
                    fmt_pvalue(b.p_value)
                ),
            ),
        ]);
        let pa = &self.parallel;
        let k = pa.observed_components().len().min(8);
        let mut t = Table::new(
            Some(
                format!(
                    "Parallel analysis ({} simulated data sets, seed {}; eigenvalues)",
                    pa.replications(),
                    self.config.seed
                )
                .as_str(),
            ),
            ["#", "observed PC", "random PC", "observed FA", "random FA"],
        );
        for i in 0..k {
            t.push([
                (i + 1).to_string(),
                fmt_num(pa.observed_components()[i], 3),
                fmt_num(pa.reference_components().get(i).copied(), 3),
                fmt_num(pa.observed_factors().get(i).copied(), 3),
                fmt_num(pa.reference_factors().get(i).copied(), 3),
            ]);
        }
        s.table(t);
        s.text(format!(
            "Parallel analysis suggests {} factors and {} components; the design has {} constructs.",
            pa.n_factors(),
            pa.n_components(),
            self.config.design.constructs.len()
        ));
        // EFA table: factors ordered by construct order
        let order = self.efa_order();
        let mut cols = vec!["item".to_string()];
        for &f in &order {
            cols.push(format!("{} ({})", self.efa.factor_names()[f], self.efa_match[f]));
        }
        cols.push("h2".into());
        let mut t = Table::new(
            Some(
                "EFA pattern loadings (ML, oblimin; |loading| < .30 blank; factors labelled by the construct they match)",
            ),
            cols,
        );
        let l = self.efa.loadings();
        let signs: Vec<f64> = (0..l.ncols()).map(|f| self.efa_sign(f)).collect();
        for (i, it) in self.efa.names().iter().enumerate() {
            let mut row = vec![it.clone()];
            for &f in &order {
                let v = signs[f] * l[[i, f]];
                row.push(if v.abs() < 0.30 { String::new() } else { fmt_num(v, 2) });
            }
            row.push(fmt_num(self.efa.communalities()[i], 2));
            t.push(row);
        }
        s.table(t);
        let phi = self.efa.phi();
        let mut cols = vec![String::new()];
        cols.extend(order.iter().map(|&f| self.efa_match[f].clone()));
        let mut t = Table::new(
            Some("EFA factor correlations (oblimin Φ; factors labelled by construct)"),
            cols,
        );
        for (a, &fa) in order.iter().enumerate() {
            let mut row = vec![self.efa_match[fa].clone()];
            for &fb in order.iter().take(a + 1) {
                row.push(fmt_num(signs[fa] * signs[fb] * phi[[fa, fb]], 2));
            }
            t.push(row);
        }
        s.table(t);
        let fs = self.efa.fit_statistics();
        s.text(format!(
            "EFA fit: χ²({}) = {}, p {}, RMSEA = {} [{}, {}], TLI = {}.",
            fmt_num(fs.dof, 0),
            fmt_num(fs.chisq, 2),
            fmt_pvalue(fs.p_value),
            fmt_num(fs.rmsea, 3),
            fmt_num(fs.rmsea_lower, 3),
            fmt_num(fs.rmsea_upper, 3),
            fmt_num(fs.tli, 3)
        ));
        s.table(fit_table("CFA fit measures (ML)", &self.cfa));
        let mut t = Table::new(
            Some("CFA standardized loadings"),
            ["construct", "item", "estimate", "SE", "z", "p", "std.all"],
        );
        let mut last = String::new();
        for r in self.cfa.parameters().iter().filter(|r| r.op == "=~") {
            t.push([
                if r.lhs != last { r.lhs.clone() } else { String::new() },
                r.rhs.clone(),
                fmt_num(r.est, 3),
                fmt_num(r.se.filter(|v| *v > 0.0), 3),
                fmt_num(r.z, 2),
                fmt_pvalue(r.pvalue),
                fmt_num(r.std_all, 3),
            ]);
            last = r.lhs.clone();
        }
        s.table(t);
        let names = self.fornell_larcker.names();
        let mut cols = vec![String::new()];
        cols.extend(names.iter().cloned());
        let mut t = Table::new(
            Some("Fornell–Larcker criterion (√AVE on the diagonal, latent correlations below)"),
            cols.clone(),
        );
        let fl = self.fornell_larcker.table();
        for i in 0..names.len() {
            let mut row = vec![names[i].clone()];
            for j in 0..names.len() {
                row.push(if j <= i { fmt_num(fl[[i, j]], 3) } else { String::new() });
            }
            t.push(row);
        }
        s.table(t);
        let failing: Vec<&str> = names
            .iter()
            .zip(self.fornell_larcker.pass())
            .filter(|(_, p)| !**p)
            .map(|(n, _)| n.as_str())
            .collect();
        let mut t = Table::new(Some("HTMT (heterotrait–monotrait ratio, geometric means)"), cols);
        let cn: Vec<&str> = self.config.design.constructs.iter().map(|c| c.name.as_str()).collect();
        let mut hmax: f64 = 0.0;
        for i in 0..cn.len() {
            let mut row = vec![cn[i].to_string()];
            for j in 0..cn.len() {
                if j < i {
                    hmax = hmax.max(self.htmt[[i, j]]);
                }
                row.push(if j < i { fmt_num(self.htmt[[i, j]], 3) } else { String::new() });
            }
            t.push(row);
        }
        s.table(t);
        s.text(format!(
            "Discriminant validity: {}; the largest HTMT is {} ({} .85).",
            if failing.is_empty() {
                "every construct's √AVE exceeds its correlations with the others (Fornell–Larcker)"
                    .to_string()
            } else {
                format!("the Fornell–Larcker criterion fails for {}", failing.join(", "))
            },
            fmt_num(hmax, 3),
            if hmax < 0.85 { "below" } else { "not below" }
        ));
        s
    }

    fn efa_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.efa_match.len()).collect();
        let pos = |c: &str| {
            self.config.design.constructs.iter().position(|x| x.name == c).unwrap_or(usize::MAX)
        };
        order.sort_by_key(|&f| (pos(&self.efa_match[f]), f));
        order
    }

    fn efa_sign(&self, f: usize) -> f64 {
        let l = self.efa.loadings();
        let names = self.efa.names();
        let Some(c) = self.config.design.constructs.iter().find(|c| c.name == self.efa_match[f])
        else {
            return 1.0;
        };
        let s: f64 = c
            .items
            .iter()
            .filter_map(|it| names.iter().position(|n| n == it))
            .map(|i| l[[i, f]])
            .sum();
        if s < 0.0 { -1.0 } else { 1.0 }
    }

    fn section_structural(&self) -> Summary {
        let mut s = Summary::new("4. Structural model and hypotheses");
        let mut t = Table::new(
            Some(
                "Hypotheses (β = standardized coefficient, std.all; supported = expected sign and p < .05)",
            ),
            ["hypothesis", "path", "expected", "β", "estimate", "SE", "z", "p", "supported"],
        );
        for h in &self.hypotheses {
            let hy = &h.hypothesis;
            let r = h.row.as_ref();
            t.push([
                hy.id.clone(),
                format!("{} → {}", hy.from, hy.to),
                hy.sign.symbol().to_string(),
                format!(
                    "{}{}",
                    fmt_num(h.beta(), 3),
                    signif_stars(r.and_then(|r| r.pvalue)).trim_end_matches('.').trim()
                ),
                fmt_num(r.map(|r| r.est), 3),
                fmt_num(r.and_then(|r| r.se), 3),
                fmt_num(r.and_then(|r| r.z), 2),
                fmt_pvalue(r.and_then(|r| r.pvalue)),
                if r.is_none() {
                    "not in model".into()
                } else if h.supported {
                    "yes".into()
                } else {
                    "no".to_string()
                },
            ]);
        }
        s.table(t);
        let mut t = Table::new(Some("R² of the endogenous constructs"), ["construct", "R²"]);
        for (k, v) in self.r_squared_constructs() {
            t.push([k, fmt_num(v, 3)]);
        }
        s.table(t);
        s.table(fit_table("Structural model fit measures (ML)", &self.sem));
        let n_sup = self.hypotheses.iter().filter(|h| h.supported).count();
        let not: Vec<&str> = self
            .hypotheses
            .iter()
            .filter(|h| !h.supported)
            .map(|h| h.hypothesis.id.as_str())
            .collect();
        let mut sentence =
            format!("{} of {} hypotheses are supported.", n_sup, self.hypotheses.len());
        if !not.is_empty() {
            sentence.push_str(&format!(" Not supported: {}.", not.join(", ")));
        }
        s.text(sentence);
        s
    }

    fn section_mediation(&self) -> Summary {
        let mut s = Summary::new("5. Mediation: indirect effects of ST on RS");
        let lvl = format!("{:.0}%", 100.0 * self.config.ci_level);
        let mut t = Table::new(
            Some(
                format!(
                    "Indirect effects (delta method and bootstrap, {} replications, seed {})",
                    self.config.bootstrap, self.config.seed
                )
                .as_str(),
            ),
            [
                "effect".to_string(),
                "estimate".into(),
                "std.all".into(),
                "SE (delta)".into(),
                "p".into(),
                format!("{lvl} CI (delta)"),
                "SE (boot)".into(),
                format!("{lvl} CI (percentile)"),
                format!("{lvl} CI (BCa)"),
            ],
        );
        let ci = |i: Option<Interval>| match i {
            Some(i) => format!("[{}, {}]", fmt_num(i.lower, 4), fmt_num(i.upper, 4)),
            None => "NA".into(),
        };
        for m in &self.mediation {
            let r = m.row.as_ref();
            t.push([
                m.effect.path.clone(),
                fmt_num(r.map(|r| r.est), 4),
                fmt_num(r.and_then(|r| r.std_all), 4),
                fmt_num(r.and_then(|r| r.se), 4),
                fmt_pvalue(r.and_then(|r| r.pvalue)),
                format!(
                    "[{}, {}]",
                    fmt_num(r.and_then(|r| r.ci_lower), 4),
                    fmt_num(r.and_then(|r| r.ci_upper), 4)
                ),
                fmt_num(m.boot_se, 4),
                ci(m.percentile),
                ci(m.bca),
            ]);
        }
        s.table(t);
        match &self.bootstrap {
            Some(b) => {
                let sig: Vec<&str> = self
                    .mediation
                    .iter()
                    .filter(|m| m.bca.is_some_and(|i| i.lower > 0.0 || i.upper < 0.0))
                    .map(|m| m.effect.path.as_str())
                    .collect();
                s.text(format!(
                    "Bootstrap: {} of {} replications succeeded ({} failed: not converged or not positive definite); \
                     every replication refits the whole SEM on resampled respondents.\n\
                     BCa intervals excluding 0: {}.",
                    b.n_used(),
                    b.n_requested(),
                    b.n_requested() - b.n_used(),
                    if sig.is_empty() { "none".to_string() } else { sig.join("; ") }
                ));
            }
            None => {
                s.text("Bootstrap switched off (0 replications): delta-method intervals only.");
            }
        }
        s
    }

    fn section_ols(&self) -> Summary {
        let o = &self.ols;
        let mut s = Summary::new(format!(
            "6. Regression check: OLS of the {} composite on the other composites",
            self.config.design.outcome
        ));
        let mut t = Table::new(
            Some("Coefficients (HC3 robust standard errors; β = standardized coefficient)"),
            ["term", "b", "SE (HC3)", "t", "p", "SE (classical)", "β", "VIF"],
        );
        let off = usize::from(o.has_intercept());
        let classical = o.cov_unscaled().diag().mapv(|v| (v * o.sigma() * o.sigma()).sqrt());
        for (k, term) in o.terms().iter().enumerate() {
            t.push([
                term.clone(),
                fmt_num(o.coefficients()[k], 4),
                fmt_num(o.std_errors()[k], 4),
                fmt_num(o.t_values()[k], 2),
                fmt_pvalue(o.p_values()[k]),
                fmt_num(classical.get(k).copied(), 4),
                if k < off {
                    String::new()
                } else {
                    fmt_num(o.std_coefficients().get(k - off).copied(), 3)
                },
                if k < off { String::new() } else { fmt_num(o.vif().get(k - off).copied(), 2) },
            ]);
        }
        s.table(t);
        let f = o.f_test();
        let bp = o.breusch_pagan();
        s.key_values([
            (
                "R² / adjusted R²".to_string(),
                format!("{} / {}", fmt_num(o.r_squared(), 3), fmt_num(o.adj_r_squared(), 3)),
            ),
            (
                "F test".to_string(),
                match f {
                    Some(f) => format!(
                        "F({}, {}) = {}, p {}",
                        fmt_num(f.df1, 0),
                        fmt_num(f.df2, 0),
                        fmt_num(f.value, 2),
                        fmt_pvalue(f.p_value)
                    ),
                    None => "NA".into(),
                },
            ),
            (
                "Residual SE".to_string(),
                format!("{} on {} df", fmt_num(o.sigma(), 4), o.df_residual()),
            ),
            ("Durbin–Watson".to_string(), fmt_num(o.durbin_watson(), 3)),
            (
                "Breusch–Pagan (studentized)".to_string(),
                format!(
                    "{} on {} df, p {}",
                    fmt_num(bp.statistic, 2),
                    fmt_num(bp.df, 0),
                    fmt_pvalue(bp.p_value)
                ),
            ),
        ]);
        s.text("Composites are item means. The regression ignores measurement error and mixes direct and indirect\n\
                paths, so its coefficients are a robustness check of the signs, not estimates of the structural paths.");
        s
    }

    fn section_groups(&self) -> Summary {
        let mut s = Summary::new("7. Comparison of the regions");
        if self.group_fits.is_empty() {
            s.text("No grouping column in the data: no group comparison.");
            return s;
        }
        let metric = self.invariance.as_ref().and_then(|i| i.metric().ok());
        let fit_line = |fm: &dyn Fn(&str) -> Option<f64>| {
            format!(
                "χ²({}) = {}, CFI = {}, TLI = {}, RMSEA = {}, SRMR = {}",
                fmt_num(fm("df"), 0),
                fmt_num(fm("chisq"), 2),
                fmt_num(fm("cfi"), 3),
                fmt_num(fm("tli"), 3),
                fmt_num(fm("rmsea"), 3),
                fmt_num(fm("srmr"), 3)
            )
        };
        match metric {
            Some(m) if m.groups().len() == 2 => {
                let mut cols = vec!["hypothesis".to_string(), "path".into()];
                for g in m.groups() {
                    cols.push(format!("β {} (n = {})", g.name(), g.n_obs()));
                }
                cols.extend(["Δb".to_string(), "z (Δb)".into(), "p (Δb)".into()]);
                let mut t = Table::new(
                    Some(
                        "Structural paths by region in the multi-group model with equal loadings (β = std.all with stars; Δb = difference of the unstandardized paths, Wald test from the joint model)",
                    ),
                    cols,
                );
                for h in &self.hypotheses {
                    let hy = &h.hypothesis;
                    let mut row = vec![hy.id.clone(), format!("{} → {}", hy.from, hy.to)];
                    for g in m.groups() {
                        let r = g.parameter(&hy.to, "~", &hy.from);
                        row.push(format!(
                            "{}{}",
                            fmt_num(r.and_then(|r| r.std_all), 3),
                            signif_stars(r.and_then(|r| r.pvalue)).trim_end_matches('.').trim()
                        ));
                    }
                    match m.group_difference(&hy.to, "~", &hy.from, 0, 1) {
                        Some(d) => {
                            row.push(fmt_num(d.difference, 3));
                            row.push(fmt_num(d.z, 2));
                            row.push(fmt_pvalue(d.pvalue));
                        }
                        None => row.extend(["NA".to_string(), "NA".into(), "NA".into()]),
                    }
                    t.push(row);
                }
                s.table(t);
            }
            _ => {
                let mut cols = vec!["hypothesis".to_string(), "path".into()];
                for g in &self.group_fits {
                    cols.push(format!("β {} (n = {})", g.group, g.n));
                }
                let mut t = Table::new(
                    Some("Structural paths fitted separately per region (β = std.all with stars)"),
                    cols,
                );
                for h in &self.hypotheses {
                    let hy = &h.hypothesis;
                    let mut row = vec![hy.id.clone(), format!("{} → {}", hy.from, hy.to)];
                    for g in &self.group_fits {
                        let r =
                            g.fit.as_ref().ok().and_then(|f| f.parameter(&hy.to, "~", &hy.from));
                        row.push(match r {
                            Some(r) => format!(
                                "{}{}",
                                fmt_num(r.std_all, 3),
                                signif_stars(r.pvalue).trim_end_matches('.').trim()
                            ),
                            None => "NA".into(),
                        });
                    }
                    t.push(row);
                }
                s.table(t);
            }
        }
        let mut kv = Vec::new();
        if let Some(inv) = &self.invariance {
            for (name, fit) in [("configural", inv.configural()), ("equal loadings", inv.metric())]
            {
                kv.push((
                    format!("Multi-group model, {name}"),
                    match fit {
                        Ok(f) => fit_line(&|k| f.fit_measure(k)),
                        Err(e) => format!("not fitted: {e}"),
                    },
                ));
            }
            if let (Some(l), Ok(c), Ok(m)) = (inv.lrt(), inv.configural(), inv.metric()) {
                let dcfi = m.fit_measure("cfi").unwrap_or(f64::NAN)
                    - c.fit_measure("cfi").unwrap_or(f64::NAN);
                kv.push((
                    "Metric invariance (equal loadings vs configural)".into(),
                    format!(
                        "Δχ²({}) = {}, p = {}, ΔCFI = {}",
                        fmt_num(l.df, 0),
                        fmt_num(l.chisq, 2),
                        fmt_pvalue(l.pvalue),
                        fmt_num(dcfi, 3)
                    ),
                ));
            }
        }
        for g in &self.group_fits {
            kv.push((
                format!("Separate fit, {} (n = {})", g.group, g.n),
                match &g.fit {
                    Ok(f) => fit_line(&|k| f.fit_measure(k)),
                    Err(e) => format!("not fitted: {e}"),
                },
            ));
        }
        s.key_values(kv);
        s.text(
            "The multi-group model (lavaan `group = \"region\"`) is fitted configural and with equal loadings;\n\
             a non-significant Δχ² (and |ΔCFI| ≤ 0.01) supports metric invariance, which makes the paths of the two\n\
             regions comparable. Path differences are Wald tests in the equal-loadings model; the structural paths\n\
             are unlabelled there so that they are free in each region.",
        );
        s
    }
}

fn min_max<'a>(it: impl Iterator<Item = (&'a str, f64)>) -> ((&'a str, f64), (&'a str, f64)) {
    let mut lo = ("", f64::INFINITY);
    let mut hi = ("", f64::NEG_INFINITY);
    for (c, v) in it {
        if v < lo.1 {
            lo = (c, v);
        }
        if v > hi.1 {
            hi = (c, v);
        }
    }
    (lo, hi)
}

fn fit_table(title: &str, f: &SemFit) -> Table {
    let mut t =
        Table::new(Some(title), ["χ²", "df", "p", "CFI", "TLI", "RMSEA", "RMSEA 90% CI", "SRMR"]);
    let m = |k: &str| f.fit_measure(k);
    t.push([
        fmt_num(m("chisq"), 2),
        fmt_num(m("df"), 0),
        fmt_pvalue(m("pvalue")),
        fmt_num(m("cfi"), 3),
        fmt_num(m("tli"), 3),
        fmt_num(m("rmsea"), 3),
        format!("[{}, {}]", fmt_num(m("rmsea.ci.lower"), 3), fmt_num(m("rmsea.ci.upper"), 3)),
        fmt_num(m("srmr"), 3),
    ]);
    let _ = FIT_KEYS;
    t
}

impl fmt::Display for StudyResults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Results — {}", self.config.design.title)?;
        writeln!(f)?;
        for s in self.sections() {
            writeln!(f, "{}", "=".repeat(s.title.chars().count()))?;
            write!(f, "{s}")?;
            writeln!(f)?;
        }
        Ok(())
    }
}

#[cfg(feature = "serde")]
pub mod json {
    //! JSON of the results with the field names of DESIGN.md, shared by the study and the CLI.
    use serde_json::{Map, Value, json};

    use super::*;

    pub(super) fn num(x: f64) -> Value {
        if x.is_finite() { json!(x) } else { Value::Null }
    }
    pub(super) fn opt(x: Option<f64>) -> Value {
        x.map(num).unwrap_or(Value::Null)
    }
    fn matrix(m: &Array2<f64>) -> Value {
        Value::Array(
            m.rows()
                .into_iter()
                .map(|r| Value::Array(r.iter().map(|v| num(*v)).collect()))
                .collect(),
        )
    }
    fn vector(v: &Array1<f64>) -> Value {
        Value::Array(v.iter().map(|x| num(*x)).collect())
    }
    fn named(v: &[(String, f64)]) -> Value {
        Value::Object(v.iter().map(|(k, x)| (k.clone(), num(*x))).collect())
    }
    fn interval(i: Option<Interval>) -> Value {
        match i {
            Some(i) => json!({"level": num(i.level), "lower": num(i.lower), "upper": num(i.upper)}),
            None => Value::Null,
        }
    }

    /// psych::alpha fields (DESIGN.md).
    pub fn alpha(fit: &AlphaFit) -> Value {
        let items: Vec<Value> = fit
            .items()
            .iter()
            .map(|it| {
                let d = it.if_dropped.as_ref();
                json!({
                    "item": it.item,
                    "raw_alpha": opt(d.map(|d| d.raw_alpha)),
                    "std_alpha": opt(d.map(|d| d.std_alpha)),
                    "g6": opt(d.map(|d| d.g6)),
                    "average_r": opt(d.map(|d| d.average_r)),
                    "n": it.n,
                    "raw_r": opt(it.raw_r),
                    "std_r": num(it.std_r),
                    "r_cor": num(it.r_cor),
                    "r_drop": num(it.r_drop),
                    "mean": opt(it.mean),
                    "sd": opt(it.sd),
                })
            })
            .collect();
        let ci = fit.feldt_ci();
        let dci = fit.duhachek_ci();
        json!({
            "raw_alpha": num(fit.raw_alpha()),
            "std_alpha": num(fit.std_alpha()),
            "g6": num(fit.g6()),
            "average_r": num(fit.average_r()),
            "s_n": num(fit.signal_noise()),
            "ase": num(fit.ase()),
            "mean": opt(fit.mean()),
            "sd": opt(fit.sd()),
            "median_r": num(fit.median_r()),
            "n_obs": fit.n_obs(),
            "ci": {"level": num(ci.level), "lower": num(ci.lower), "upper": num(ci.upper)},
            "duhachek_ci": {"level": num(dci.level), "lower": num(dci.lower), "upper": num(dci.upper)},
            "items": items,
            "warnings": fit.warnings().iter().map(|w| w.to_string()).collect::<Vec<_>>(),
        })
    }

    /// KMO fields (DESIGN.md: `msa, msa_items {item: value}, bartlett {chisq, df, pvalue}`, plus
    /// `eigenvalues`, `n_obs`).
    pub fn kmo(fit: &KmoFit) -> Value {
        let items: Map<String, Value> = fit
            .names()
            .iter()
            .zip(fit.msa_items().iter())
            .map(|(n, v)| (n.clone(), num(*v)))
            .collect();
        json!({
            "msa": num(fit.msa()),
            "msa_items": items,
            "bartlett": {"chisq": num(fit.bartlett().chisq), "df": num(fit.bartlett().df), "pvalue": num(fit.bartlett().p_value)},
            "eigenvalues": vector(fit.eigenvalues()),
            "n_obs": fit.n_obs(),
        })
    }

    /// EFA fields (DESIGN.md: `items, factors, loadings, communalities, uniquenesses, phi,
    /// ss_loadings, fit {chisq, df, pvalue, rmsea, tli, bic}` — `fit` for ML only, else null —
    /// plus `n_obs`, `converged`).
    pub fn efa(fit: &EfaFit) -> Value {
        let fs = fit.fit_statistics();
        let fit_block = if fit.config_extraction() == crate::factor::Extraction::Ml {
            json!({
                "chisq": num(fs.chisq), "df": num(fs.dof), "pvalue": num(fs.p_value),
                "rmsea": num(fs.rmsea), "tli": num(fs.tli), "bic": num(fs.bic),
            })
        } else {
            Value::Null
        };
        json!({
            "items": fit.names(),
            "factors": fit.factor_names(),
            "loadings": matrix(fit.loadings()),
            "communalities": vector(fit.communalities()),
            "uniquenesses": vector(fit.uniquenesses()),
            "phi": matrix(fit.phi()),
            "ss_loadings": vector(fit.ss_loadings()),
            "fit": fit_block,
            "n_obs": fit.n_obs(),
            "converged": fit.convergence().converged && fit.rotation_convergence().converged,
        })
    }

    fn param_rows(rows: &[ParamRow]) -> Value {
        Value::Array(
            rows.iter()
                .map(|r| {
                    json!({
                        "lhs": r.lhs, "op": r.op, "rhs": r.rhs, "label": r.label,
                        "est": num(r.est), "se": opt(r.se), "z": opt(r.z), "pvalue": opt(r.pvalue),
                        "ci_lower": opt(r.ci_lower), "ci_upper": opt(r.ci_upper),
                        "std_lv": opt(r.std_lv), "std_all": opt(r.std_all),
                    })
                })
                .collect(),
        )
    }

    /// SEM fields.
    pub fn sem(fit: &SemFit) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("parameters".into(), param_rows(fit.parameters()));
        m.insert("fit".into(), named(fit.fit_measures()));
        m.insert("r_squared".into(), named(fit.r_squared()));
        m.insert("n_obs".into(), json!(fit.n_obs()));
        m.insert("converged".into(), json!(fit.convergence().converged));
        m.insert("iterations".into(), json!(fit.convergence().iterations));
        m.insert(
            "warnings".into(),
            json!(fit.warnings().iter().map(|w| w.to_string()).collect::<Vec<_>>()),
        );
        m
    }

    /// Multi-group SEM fields: `constraints`, `groups` (each with `group`, `n_obs`, `chisq`,
    /// `parameters` in the SEM row format including `~1` rows, `r_squared`), `defined`, `fit`,
    /// `converged`, `iterations`, `warnings`.
    pub fn multigroup(fit: &MultiGroupFit) -> Map<String, Value> {
        let groups: Vec<Value> = fit
            .groups()
            .iter()
            .map(|g| {
                json!({
                    "group": g.name(), "n_obs": g.n_obs(), "chisq": num(g.chisq()),
                    "parameters": param_rows(g.parameters()), "r_squared": named(g.r_squared()),
                })
            })
            .collect();
        let mut m = Map::new();
        m.insert(
            "constraints".into(),
            json!(fit.config().constraints().iter().map(|c| c.name()).collect::<Vec<_>>()),
        );
        m.insert("groups".into(), Value::Array(groups));
        m.insert("defined".into(), param_rows(fit.defined()));
        m.insert("fit".into(), named(fit.fit_measures()));
        m.insert("n_obs".into(), json!(fit.n_obs()));
        m.insert("converged".into(), json!(fit.convergence().converged));
        m.insert("iterations".into(), json!(fit.convergence().iterations));
        m.insert(
            "warnings".into(),
            json!(fit.warnings().iter().map(|w| w.to_string()).collect::<Vec<_>>()),
        );
        m
    }

    /// OLS fields.
    pub fn ols(fit: &OlsFit) -> Value {
        let coefficients: Vec<Value> = fit
            .terms()
            .iter()
            .enumerate()
            .map(|(k, t)| {
                json!({
                    "term": t,
                    "estimate": num(fit.coefficients()[k]),
                    "std_error": num(fit.std_errors()[k]),
                    "t_value": num(fit.t_values()[k]),
                    "p_value": num(fit.p_values()[k]),
                    "ci_lower": num(fit.ci_lower()[k]),
                    "ci_upper": num(fit.ci_upper()[k]),
                })
            })
            .collect();
        let (f, f1, f2, fp) = match fit.f_test() {
            Some(t) => (num(t.value), num(t.df1), num(t.df2), num(t.p_value)),
            None => (Value::Null, Value::Null, Value::Null, Value::Null),
        };
        let off = usize::from(fit.has_intercept());
        let vif: Map<String, Value> = fit
            .vif()
            .iter()
            .enumerate()
            .map(|(j, v)| (fit.terms()[j + off].clone(), num(*v)))
            .collect();
        let classical: Map<String, Value> = fit
            .terms()
            .iter()
            .zip(fit.cov_unscaled().diag().iter())
            .map(|(t, v)| (t.clone(), num((v * fit.sigma() * fit.sigma()).sqrt())))
            .collect();
        let bp = fit.breusch_pagan();
        json!({
            "formula": fit.formula(),
            "se_type": fit.se_type().name(),
            "ci_level": fit.ci_level(),
            "coefficients": coefficients,
            "classical_std_errors": classical,
            "sigma": num(fit.sigma()),
            "r_squared": num(fit.r_squared()),
            "adj_r_squared": num(fit.adj_r_squared()),
            "f_statistic": f, "f_df1": f1, "f_df2": f2, "f_pvalue": fp,
            "df_residual": fit.df_residual(),
            "log_lik": num(fit.log_lik()),
            "aic": num(fit.aic()),
            "bic": num(fit.bic()),
            "n_obs": fit.n_obs(),
            "n_dropped": fit.n_dropped(),
            "aliased": fit.aliased(),
            "vif": vif,
            "durbin_watson": num(fit.durbin_watson()),
            "breusch_pagan": {"statistic": num(bp.statistic), "df": num(bp.df), "p_value": num(bp.p_value)},
            "warnings": fit.warnings().iter().map(|w| w.to_string()).collect::<Vec<_>>(),
        })
    }

    /// The whole study as one JSON object (see [`StudyResults::to_json_value`](super::StudyResults::to_json_value)).
    pub fn results(r: &StudyResults) -> Value {
        let mut out = Map::new();
        out.insert("n_obs".into(), json!(r.n_rows));
        out.insert(
            "groups".into(),
            Value::Object(r.groups.iter().map(|(k, n)| (k.clone(), json!(n))).collect()),
        );
        let desc: Vec<Value> = r
            .descriptives
            .variables()
            .iter()
            .map(|v| {
                json!({
                    "item": v.name(), "n": v.n(), "mean": num(v.mean()), "sd": num(v.sd()),
                    "skew": num(v.skew()), "kurtosis": num(v.kurtosis()),
                    "counts": v.counts().map(|c| c.counts().to_vec()),
                })
            })
            .collect();
        out.insert("descriptives".into(), Value::Array(desc));
        out.insert(
            "reliability".into(),
            Value::Object(r.alpha.iter().map(|(c, f)| (c.clone(), alpha(f))).collect()),
        );
        out.insert("kmo".into(), kmo(&r.kmo));
        let pa = &r.parallel;
        out.insert(
            "parallel".into(),
            json!({
                "n_factors": pa.n_factors(), "n_components": pa.n_components(),
                "replications": pa.replications(), "seed": r.config.seed,
                "observed_components": vector(pa.observed_components()),
                "reference_components": vector(pa.reference_components()),
                "observed_factors": vector(pa.observed_factors()),
                "reference_factors": vector(pa.reference_factors()),
            }),
        );
        let mut e = efa(&r.efa);
        if let Value::Object(m) = &mut e {
            m.insert("factor_constructs".into(), json!(r.efa_match));
        }
        out.insert("efa".into(), e);
        let mut cfa = sem(&r.cfa);
        cfa.insert("cr".into(), named(&r.cr));
        cfa.insert("ave".into(), named(&r.ave));
        cfa.insert("fornell_larcker".into(), matrix(r.fornell_larcker.table()));
        cfa.insert(
            "fornell_larcker_pass".into(),
            Value::Object(
                r.fornell_larcker
                    .names()
                    .iter()
                    .zip(r.fornell_larcker.pass())
                    .map(|(n, p)| (n.clone(), json!(p)))
                    .collect(),
            ),
        );
        cfa.insert("htmt".into(), matrix(&r.htmt));
        cfa.insert("latent".into(), json!(r.cfa.latent()));
        out.insert("cfa".into(), Value::Object(cfa));
        let mut s = sem(&r.sem);
        s.insert(
            "hypotheses".into(),
            Value::Array(
                r.hypotheses
                    .iter()
                    .map(|h| {
                        let row = h.row();
                        json!({
                            "id": h.hypothesis.id, "from": h.hypothesis.from, "to": h.hypothesis.to,
                            "expected_sign": h.hypothesis.sign.symbol(), "label": h.hypothesis.label,
                            "beta": opt(h.beta()), "est": opt(row.map(|r| r.est)), "se": opt(row.and_then(|r| r.se)),
                            "z": opt(row.and_then(|r| r.z)), "pvalue": opt(row.and_then(|r| r.pvalue)),
                            "supported": h.supported,
                        })
                    })
                    .collect(),
            ),
        );
        out.insert("sem".into(), Value::Object(s));
        let boot = r.bootstrap.as_ref();
        out.insert(
            "mediation".into(),
            json!({
                "bootstrap": {
                    "replications": r.config.bootstrap,
                    "successful": boot.map(|b| b.n_used()),
                    "failed": boot.map(|b| b.n_requested() - b.n_used()),
                    "nonconverged": boot.map(|b| b.n_nonconverged()),
                    "inadmissible": boot.map(|b| b.n_inadmissible()),
                    "seed": r.config.seed,
                },
                "effects": r.mediation.iter().map(|m| {
                    let row = m.row();
                    json!({
                        "name": m.effect.name, "path": m.effect.path, "expression": m.effect.expression,
                        "est": opt(row.map(|r| r.est)), "std_all": opt(row.and_then(|r| r.std_all)),
                        "se": opt(row.and_then(|r| r.se)), "z": opt(row.and_then(|r| r.z)),
                        "pvalue": opt(row.and_then(|r| r.pvalue)),
                        "ci_lower": opt(row.and_then(|r| r.ci_lower)), "ci_upper": opt(row.and_then(|r| r.ci_upper)),
                        "boot_se": opt(m.boot_se),
                        "percentile_ci": interval(m.percentile),
                        "bca_ci": interval(m.bca),
                    })
                }).collect::<Vec<_>>(),
            }),
        );
        out.insert("ols".into(), ols(&r.ols));
        out.insert(
            "regions".into(),
            Value::Array(
                r.group_fits
                    .iter()
                    .map(|g| match &g.fit {
                        Ok(f) => {
                            let mut m = sem(f);
                            m.insert("group".into(), json!(g.group));
                            Value::Object(m)
                        }
                        Err(e) => json!({"group": g.group, "n_obs": g.n, "error": e}),
                    })
                    .collect(),
            ),
        );
        let mg = |f: std::result::Result<&MultiGroupFit, &str>| match f {
            Ok(f) => Value::Object(multigroup(f)),
            Err(e) => json!({ "error": e }),
        };
        out.insert(
            "multigroup".into(),
            match &r.invariance {
                None => Value::Null,
                Some(inv) => json!({
                    "configural": mg(inv.configural()),
                    "metric": mg(inv.metric()),
                    "lrt": inv.lrt().map(|l| json!({
                        "chisq_diff": num(l.chisq), "df_diff": num(l.df), "pvalue": num(l.pvalue),
                    })),
                    "path_differences": r.hypotheses.iter().map(|h| {
                        let hy = &h.hypothesis;
                        let d = inv.path_difference(&hy.to, &hy.from);
                        json!({
                            "hypothesis": hy.id, "lhs": hy.to, "op": "~", "rhs": hy.from,
                            "difference": opt(d.map(|d| d.difference)), "se": opt(d.map(|d| d.se)),
                            "z": opt(d.map(|d| d.z)), "pvalue": opt(d.map(|d| d.pvalue)),
                        })
                    }).collect::<Vec<_>>(),
                }),
            },
        );
        Value::Object(out)
    }
}

#[cfg(feature = "serde")]
impl StudyResults {
    /// The whole analysis as one JSON value: `reliability` (construct → the alpha fields of
    /// DESIGN.md), `kmo`, `parallel`, `efa`, `cfa` (SEM fields plus `cr`, `ave`,
    /// `fornell_larcker`, `htmt`), `sem` (SEM fields plus `hypotheses`), `mediation`, `ols`,
    /// `regions`, `descriptives`. Deterministic for a given seed. Requires the `serde` feature.
    pub fn to_json_value(&self) -> serde_json::Value {
        json::results(self)
    }

    /// [`StudyResults::to_json_value`] as pretty-printed text with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut s =
            serde_json::to_string_pretty(&self.to_json_value()).unwrap_or_else(|_| "null".into());
        s.push('\n');
        s
    }
}

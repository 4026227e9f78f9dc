//! What the pipeline computed: per-step result types and their accessors.

use ndarray::Array2;

use super::*;
use crate::describe::Descriptives;
use crate::diagram::{Coefficient, PathDiagram};
use crate::factor::{EfaFit, HarmanTest, KmoFit, MethodFactorFit, ParallelFit};
use crate::regression::{Moderation, OlsFit};
use crate::reliability::{AlphaFit, FornellLarcker};
use crate::resample::Interval;
use crate::sem::{ChisqDifference, GroupDifference, MultiGroupFit, SemBootstrapFit, SemFit};
use crate::summary::ParamRow;

/// One hypothesis with its estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct HypothesisResult {
    pub(super) hypothesis: Hypothesis,
    pub(super) row: Option<ParamRow>,
    pub(super) supported: bool,
}

impl HypothesisResult {
    pub(super) fn new(hypothesis: Hypothesis, row: Option<ParamRow>) -> Self {
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
    pub(super) effect: DefinedEffect,
    pub(super) row: Option<ParamRow>,
    pub(super) boot_se: Option<f64>,
    pub(super) percentile: Option<Interval>,
    pub(super) bca: Option<Interval>,
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
    pub(super) group: String,
    pub(super) n: usize,
    pub(super) fit: std::result::Result<SemFit, String>,
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
    pub(super) configural: std::result::Result<MultiGroupFit, String>,
    pub(super) metric: std::result::Result<MultiGroupFit, String>,
    pub(super) lrt: Option<ChisqDifference>,
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
    pub(super) config: Study,
    pub(super) n_rows: usize,
    pub(super) source: String,
    pub(super) descriptives: Descriptives,
    pub(super) groups: Vec<(String, usize)>,
    pub(super) alpha: Vec<(String, AlphaFit)>,
    pub(super) kmo: KmoFit,
    pub(super) parallel: ParallelFit,
    pub(super) efa: EfaFit,
    pub(super) efa_match: Vec<String>,
    pub(super) cfa: SemFit,
    pub(super) cr: Vec<(String, f64)>,
    pub(super) ave: Vec<(String, f64)>,
    pub(super) fornell_larcker: FornellLarcker,
    pub(super) htmt: Array2<f64>,
    pub(super) sem: SemFit,
    pub(super) hypotheses: Vec<HypothesisResult>,
    pub(super) mediation: Vec<IndirectEffect>,
    pub(super) bootstrap: Option<SemBootstrapFit>,
    pub(super) ols: OlsFit,
    pub(super) moderation: Option<Moderation>,
    pub(super) group_fits: Vec<GroupFit>,
    pub(super) invariance: Option<Invariance>,
    pub(super) omega: Vec<(String, f64)>,
    pub(super) harman: std::result::Result<HarmanTest, String>,
    pub(super) method_factor: std::result::Result<MethodFactorFit, String>,
    pub(super) latent_means: Option<std::result::Result<super::LatentMeans, String>>,
}

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
    /// McDonald's ω of each construct from the CFA ([`SemFit::omega`]).
    pub fn omega(&self) -> &[(String, f64)] {
        &self.omega
    }
    /// Harman's single-factor test on the items (error text if it could not be computed).
    pub fn harman(&self) -> std::result::Result<&HarmanTest, &str> {
        self.harman.as_ref().map_err(|e| e.as_str())
    }
    /// Common-latent-factor comparison (equal method loadings) of the CFA.
    pub fn method_factor(&self) -> std::result::Result<&MethodFactorFit, &str> {
        self.method_factor.as_ref().map_err(|e| e.as_str())
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
    /// The measurement-invariance ladder of the construct CFA by group and the latent mean
    /// comparison (with a grouping column), or why it could not be fitted.
    pub fn latent_means(&self) -> Option<std::result::Result<&super::LatentMeans, &str>> {
        self.latent_means.as_ref().map(|r| r.as_ref().map_err(String::as_str))
    }
    /// The moderation check on composite scores (PROCESS model 1), if the design has one.
    pub fn moderation(&self) -> Option<&Moderation> {
        self.moderation.as_ref()
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
}

//! Fit measures by name: an enum of the common lavaan `fitMeasures` besides their text names.

use super::{MultiGroupFit, SemFit};

/// A fit measure of [`SemFit::fit_measures`] named by a variant instead of lavaan's text name
/// (`FitMeasure::Cfi` is `"cfi"`); [`FitMeasure::Other`] reaches any other lavaan name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FitMeasure {
    /// `chisq`: the model χ².
    Chisq,
    /// `df`: its degrees of freedom.
    Df,
    /// `pvalue`: its p-value.
    Pvalue,
    /// `cfi`: comparative fit index.
    Cfi,
    /// `tli`: Tucker–Lewis index.
    Tli,
    /// `rmsea`: root mean square error of approximation.
    Rmsea,
    /// `rmsea.ci.lower`: lower limit of its 90 % interval.
    RmseaCiLower,
    /// `rmsea.ci.upper`: upper limit of its 90 % interval.
    RmseaCiUpper,
    /// `rmsea.pvalue`: p-value of close fit.
    RmseaPvalue,
    /// `srmr`: standardized root mean square residual.
    Srmr,
    /// `aic`.
    Aic,
    /// `bic`.
    Bic,
    /// `logl`: the log-likelihood.
    Logl,
    /// `chisq.scaled`: the robust (scaled) χ².
    ChisqScaled,
    /// `cfi.robust`.
    CfiRobust,
    /// `tli.robust`.
    TliRobust,
    /// `rmsea.robust`.
    RmseaRobust,
    /// Any other lavaan name.
    Other(&'static str),
}

impl FitMeasure {
    /// lavaan's name of the measure, the key of [`SemFit::fit_measures`] and of the JSON `fit`
    /// object.
    pub fn lavaan_name(self) -> &'static str {
        match self {
            Self::Chisq => "chisq",
            Self::Df => "df",
            Self::Pvalue => "pvalue",
            Self::Cfi => "cfi",
            Self::Tli => "tli",
            Self::Rmsea => "rmsea",
            Self::RmseaCiLower => "rmsea.ci.lower",
            Self::RmseaCiUpper => "rmsea.ci.upper",
            Self::RmseaPvalue => "rmsea.pvalue",
            Self::Srmr => "srmr",
            Self::Aic => "aic",
            Self::Bic => "bic",
            Self::Logl => "logl",
            Self::ChisqScaled => "chisq.scaled",
            Self::CfiRobust => "cfi.robust",
            Self::TliRobust => "tli.robust",
            Self::RmseaRobust => "rmsea.robust",
            Self::Other(name) => name,
        }
    }
}

impl std::fmt::Display for FitMeasure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.lavaan_name())
    }
}

impl SemFit {
    /// A fit measure by variant ([`SemFit::fit_measure`] with its lavaan name); `None` where
    /// the fit does not report it.
    pub fn measure(&self, m: FitMeasure) -> Option<f64> {
        self.fit_measure(m.lavaan_name())
    }
}

impl MultiGroupFit {
    /// A fit measure by variant ([`MultiGroupFit::fit_measure`] with its lavaan name).
    pub fn measure(&self, m: FitMeasure) -> Option<f64> {
        self.fit_measure(m.lavaan_name())
    }
}

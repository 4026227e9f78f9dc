//! A mean structure on complete data (lavaan's `meanstructure = TRUE`).
//!
//! The parameter table then holds one free intercept per observed variable, the latent means
//! fixed at 0 and, with fixed.x covariates, the covariates' means fixed at their sample values
//! (as their (co)variances are); the fit is the one-pattern case of the FIML code
//! (`SemModel::fit_raw`), so χ² is 2(ℓ_h1 − ℓ(θ̂)) with the sample moments as h1 and the SEs come
//! from the expected information.

use super::Sem;

impl Sem {
    /// Add a mean structure on complete data (lavaan's `meanstructure = TRUE`; default false):
    /// free intercepts of the observed variables, latent means fixed at 0, the means of fixed.x
    /// covariates fixed at their sample values. Any `~ 1` in the syntax, and FIML, turn it on
    /// as well. Validated against lavaan 0.6.14 (tests/reference/meanstructure_fixedx.rs).
    ///
    /// # Examples
    /// ```
    /// use surveystat::sem::Sem;
    /// let sem = Sem::from_syntax("f =~ a + b + c").unwrap().meanstructure(true);
    /// let model = sem.compile().unwrap();
    /// assert!(model.partable().iter().any(|r| r.lhs == "a" && r.op.to_string() == "~1"));
    /// ```
    pub fn meanstructure(mut self, yes: bool) -> Self {
        self.meanstructure = yes;
        self
    }
    /// Whether a mean structure was requested with [`Sem::meanstructure`].
    pub fn has_meanstructure(&self) -> bool {
        self.meanstructure
    }
}

//! Warnings: conditions worth reporting that do not stop an analysis.
//!
//! Warnings are data on the fitted value (`fit.warnings()`); estimation code never prints.

use std::fmt;

/// A condition found while fitting that the user should know about.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Warning {
    /// An item correlates negatively with the total of the others: it may need reverse keying.
    NegativeItemTotal {
        /// The item.
        item: String,
        /// Its corrected item–total correlation (`r.drop`).
        r_drop: f64,
    },
    /// Fewer than three items: reliability estimates are fragile.
    FewItems {
        /// Number of items.
        count: usize,
    },
    /// An item has zero variance.
    ZeroVariance {
        /// The item.
        item: String,
    },
    /// Rows with missing values were dropped (listwise deletion).
    RowsDropped {
        /// How many rows were dropped.
        dropped: usize,
        /// How many rows remained.
        remaining: usize,
    },
    /// A communality reached or exceeded one (factor analysis), or a variance is negative (SEM).
    Heywood {
        /// The variable.
        variable: String,
        /// The offending communality or variance.
        value: f64,
    },
    /// A matrix that should be positive definite is not (the analysis went on).
    NotPositiveDefinite {
        /// Which matrix.
        matrix: String,
    },
    /// An iterative procedure stopped without meeting its convergence criterion.
    NotConverged {
        /// The procedure.
        what: String,
        /// Iterations used.
        iterations: usize,
    },
    /// Some replications of a resampling or simulation procedure failed (statistic error,
    /// non-finite value, non-convergence); they are left out and listed on the fit.
    ReplicationsFailed {
        /// Failed replications.
        failed: usize,
        /// Replications requested.
        requested: usize,
    },
    /// A regression column is nearly a linear combination of the columns before it: kept (the
    /// design has full numerical rank) but R's `lm`, with its tolerance 1e-7, would alias it.
    Collinear {
        /// The coefficient.
        term: String,
        /// Norm of the column's component orthogonal to the preceding columns, relative to its
        /// norm.
        relative_distance: f64,
        /// Its variance inflation factor.
        vif: f64,
        /// Condition number of the equilibrated design.
        condition: f64,
    },
    /// Binomial fitted probabilities numerically 0 or 1 (R's glm warning); `complete` when every
    /// observation is fitted exactly (complete separation: the estimates diverge and their
    /// standard errors are meaningless).
    Separation {
        /// Observations with a fitted probability within 10ε of 0 or 1.
        extreme: usize,
        /// Whether the deviance is numerically zero.
        complete: bool,
    },
    /// Anything else, in words.
    Other {
        /// The message.
        message: String,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::NegativeItemTotal { item, r_drop } => write!(
                f,
                "item `{item}` correlates negatively with the rest of the scale (r.drop = {r_drop:.3}); should it be reverse keyed?"
            ),
            Warning::FewItems { count } => {
                write!(f, "only {count} item(s): reliability estimates are fragile")
            }
            Warning::ZeroVariance { item } => write!(f, "item `{item}` has zero variance"),
            Warning::RowsDropped { dropped, remaining } => {
                write!(f, "{dropped} row(s) with missing values dropped, {remaining} remain")
            }
            Warning::Heywood { variable, value } => {
                write!(f, "Heywood case: `{variable}` has communality/variance {value:.4}")
            }
            Warning::NotPositiveDefinite { matrix } => {
                write!(f, "matrix {matrix} is not positive definite")
            }
            Warning::NotConverged { what, iterations } => {
                write!(f, "{what} did not converge after {iterations} iterations")
            }
            Warning::ReplicationsFailed { failed, requested } => {
                write!(f, "{failed} of {requested} replications failed and were left out")
            }
            Warning::Collinear { term, relative_distance, vif, condition } => write!(
                f,
                "`{term}` is nearly collinear with the preceding columns (relative distance {relative_distance:.1e} < 1e-7, where R's lm would alias it): VIF {vif:.3e}, condition number {condition:.3e}"
            ),
            Warning::Separation { extreme, complete } => write!(
                f,
                "fitted probabilities numerically 0 or 1 occurred for {extreme} observation(s){}",
                if *complete {
                    "; perfect separation: estimates diverge, standard errors are not meaningful"
                } else {
                    ""
                }
            ),
            Warning::Other { message } => write!(f, "{message}"),
        }
    }
}

//! Bootstrap of a multi-group model: rows resampled within each group (every resample keeps the
//! group sizes, as lavaan's `bootstrapLavaan`), each resample refitted with the same
//! configuration; bootstrap standard errors and intervals for the parameters of every group.

use ndarray::{Array2, ArrayView2, Axis, concatenate};

use super::super::SemMissing;
use super::super::bootstrap::{BootstrapCi, SemBootstrap, SemBootstrapFit, SemBootstrapKind};
use super::super::bootstrap::{assemble, set_boot};
use super::super::bootstrap_refit::{bollen_stine_rows, run_refits, usable_rows};
use super::super::{Estimator, Likelihood};
use super::MultiGroupFit;
use crate::data::Dataset;
use crate::error::{Error, Result};

impl MultiGroupFit {
    /// Bootstrap this fit on `data` (the data set it was fitted to): rows drawn with replacement
    /// within each group, every resample refitted with the same model, constraints, estimator
    /// and missing-data treatment. Ordinary and Bollen–Stine resampling (the latter transforms
    /// each group's rows to that group's model-implied covariance and, with a structured mean
    /// part, its implied means; it needs complete data).
    ///
    /// The result's names are [`MultiGroupFit::free_parameter_names`], the defined parameters
    /// and `chisq`; [`MultiGroupFit::with_bootstrap`] puts the bootstrap standard errors and
    /// intervals into every group's parameter table.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for zero replications, a level outside (0, 1), or a
    /// Bollen–Stine bootstrap of incomplete data (FIML);
    /// [`Error::UnknownVariable`]; [`Error::DimensionMismatch`] when `data` does not hold the
    /// rows the model was fitted to. Failing replications are counted in the result.
    pub fn bootstrap(&self, data: &Dataset, config: &SemBootstrap) -> Result<SemBootstrapFit> {
        let mg = &self.config;
        let sem = &mg.sem;
        let ov = mg.first_group_sem().compile()?.observed().to_vec();
        let labels = data.labels(&mg.group)?;
        let x = data.select(&ov)?;
        let missing = sem.missing_mode();
        let bollen_stine = config.kind_value() == SemBootstrapKind::BollenStine;
        if bollen_stine && missing == SemMissing::Fiml {
            return Err(Error::invalid(
                "bootstrap",
                "the Bollen–Stine bootstrap of a multi-group model needs complete data; with \
                 missing values (FIML) use the ordinary bootstrap",
            ));
        }
        let ml_normal =
            matches!((sem.estimator, sem.likelihood), (Estimator::Ml, Likelihood::Normal));
        let usable = usable_rows(&x, missing);
        let mut blocks: Vec<Array2<f64>> = Vec::with_capacity(self.groups.len());
        let mut strata = Vec::with_capacity(self.groups.len());
        for g in &self.groups {
            let rows: Vec<usize> =
                usable.iter().copied().filter(|&i| labels[i] == g.name).collect();
            if rows.len() != g.n {
                return Err(Error::DimensionMismatch {
                    what: format!("rows of group `{}` the model was fitted to", g.name),
                    expected: g.n,
                    found: rows.len(),
                });
            }
            let mut xg = x.select(Axis(0), &rows);
            if bollen_stine {
                xg = bollen_stine_rows(&xg, &g.implied, g.implied_mean.as_ref(), ml_normal)?;
            }
            // the group column holds the group's position (1, 2, …): the refit keeps the order
            let code = Array2::from_elem((rows.len(), 1), (strata.len() + 1) as f64);
            blocks.push(concatenate(Axis(1), &[xg.view(), code.view()]).map_err(shape_error)?);
            strata.push(rows.len());
        }
        let views: Vec<ArrayView2<'_, f64>> = blocks.iter().map(|b| b.view()).collect();
        let values = concatenate(Axis(0), &views).map_err(shape_error)?;
        let mut names = ov.clone();
        names.push(mg.group.clone());
        let base = Dataset::from_array(&names, values)?;
        let q = self.theta.len();
        let nd = self.defined.len();
        let n_rows: usize = self.groups.iter().map(|g| g.rows.len()).sum();
        let run = run_refits(&base, strata, config, q + nd + 1, |d| {
            let f = mg.fit(d)?;
            let rows: usize = f.groups.iter().map(|g| g.rows.len()).sum();
            if f.theta.len() != q || f.defined.len() != nd || rows != n_rows {
                return Err(Error::DimensionMismatch {
                    what: "parameters of a bootstrap refit".into(),
                    expected: q,
                    found: f.theta.len(),
                });
            }
            let mut v = f.theta.clone();
            v.extend(f.defined.iter().map(|r| r.est));
            v.push(f.fit_measure("chisq").unwrap_or(f64::NAN));
            let admissible = f
                .groups
                .iter()
                .all(|g| g.rows.iter().all(|r| !(r.op == "~~" && r.lhs == r.rhs && r.est < 0.0)));
            v.push(if admissible { 1.0 } else { 0.0 });
            for g in &f.groups {
                v.extend(g.rows.iter().map(|r| r.est));
            }
            Ok(v)
        })?;
        let mut names = self.names.clone();
        names.extend(self.defined.iter().map(|r| r.lhs.clone()));
        names.push("chisq".into());
        let chisq = self.fit_measure("chisq").unwrap_or(f64::NAN);
        let mut out = assemble(config, run.replicated, names, (q, nd), chisq)?;
        out.set_row_replicates(run.extra);
        Ok(out)
    }

    /// A copy of this fit whose parameter tables use the bootstrap (lavaan's `se = "bootstrap"`):
    /// in every group, each estimated row gets the bootstrap standard error, `z = est / se`,
    /// its normal p-value and the configured bootstrap interval; fixed rows keep theirs.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when `boot` is not a bootstrap of a multi-group fit;
    /// [`Error::DimensionMismatch`] when it was computed for another model.
    pub fn with_bootstrap(&self, boot: &SemBootstrapFit) -> Result<MultiGroupFit> {
        let Some(rows) = boot.row_replicates() else {
            return Err(Error::invalid("bootstrap", "not the bootstrap of a multi-group fit"));
        };
        let n_rows: usize = self.groups.iter().map(|g| g.rows.len()).sum();
        let (q, nd) = (self.theta.len(), self.defined.len());
        if rows.estimate().len() != n_rows || boot.names().len() != q + nd + 1 {
            return Err(Error::DimensionMismatch {
                what: "bootstrap parameters vs model".into(),
                expected: n_rows,
                found: rows.estimate().len(),
            });
        }
        let level = boot.config_level();
        let interval = |j: usize| match boot.config().ci_value() {
            BootstrapCi::Percentile => rows.ci_percentile_one(j, level).ok(),
            BootstrapCi::Bca => rows.ci_bca_one(j, level).ok(),
        };
        let se = rows.se();
        let mut out = self.clone();
        let mut j = 0;
        for g in &mut out.groups {
            for r in &mut g.rows {
                if r.se.is_some_and(|s| s > 0.0) {
                    set_boot(r, se[j], interval(j));
                }
                j += 1;
            }
        }
        let def_se = boot.se();
        let def_ci = boot.intervals();
        for (d, r) in out.defined.iter_mut().enumerate() {
            if r.se.is_some() {
                set_boot(r, def_se[q + d], def_ci[q + d]);
            }
        }
        out.warnings.extend(boot.warnings().iter().cloned());
        Ok(out)
    }
}

fn shape_error(e: ndarray::ShapeError) -> Error {
    Error::LinearAlgebra { operation: "bootstrap data".into(), message: e.to_string() }
}

//! α from the moments of complete rows (means, covariance, counts), as the out-of-core and
//! partitioned routes deliver them.

use ndarray::{Array2, Axis};

use super::{Alpha, AlphaFit, Counts, RawParts, build};
use crate::error::{Error, Result};
use crate::moments::Moments;
use crate::warning::Warning;

impl Alpha {
    /// Fit from listwise moments (the means and covariance of the complete rows, their count and
    /// the number of rows dropped), as a [`crate::moments::MomentAccumulator`] or a streamed file
    /// gives them.
    ///
    /// The result is the listwise raw-data fit ([`Alpha::fit`] with
    /// [`crate::moments::Missing::Listwise`]) up to rounding: α and its family, item means, sds and
    /// item–total correlations, the scale mean and sd. Only the response frequencies need the
    /// answers themselves and are `None`. Reverse keying acts on the moments (the item's mean
    /// becomes `min + max − mean`, its covariances change sign), so values outside the scale range
    /// cannot be detected here.
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use surveystat::moments::{MomentAccumulator, Missing};
    /// use surveystat::reliability::Alpha;
    /// let x = array![[1.0, 2.0, 2.0], [2.0, 2.0, 3.0], [4.0, 5.0, 4.0], [5.0, 4.0, 5.0]];
    /// let mut acc = MomentAccumulator::new(3);
    /// acc.update(&x).unwrap();
    /// let a = Alpha::new().fit_moments(&acc.to_moments().unwrap()).unwrap();
    /// let b = Alpha::new().missing(Missing::Listwise).fit(&x).unwrap();
    /// assert!((a.raw_alpha() - b.raw_alpha()).abs() < 1e-12);
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for pairwise moments (they have no single n) or a bad
    /// confidence level; [`Error::TooFewObservations`] if fewer than two complete rows;
    /// [`Error::TooFewVariables`] for fewer than two items with positive variance.
    pub fn fit_moments(&self, m: &Moments) -> Result<AlphaFit> {
        if m.pair_counts().is_some() {
            return Err(Error::invalid(
                "moments",
                "pairwise moments: α from moments needs the complete rows (listwise)",
            ));
        }
        let n_obs = m.n_obs();
        if n_obs < 2 {
            return Err(Error::TooFewObservations { needed: 2, got: n_obs });
        }
        let k = m.cov().nrows();
        let names = self.validate(k)?;
        let reversed: Vec<bool> = names.iter().map(|n| self.reverse.contains(n)).collect();
        let mut full: Array2<f64> = m.cov().clone();
        let mut mean: Vec<f64> = m.means().to_vec();
        for i in 0..k {
            if reversed[i] {
                mean[i] = self.scale_min + self.scale_max - mean[i];
            }
            for j in 0..k {
                if reversed[i] != reversed[j] {
                    full[[i, j]] = -full[[i, j]];
                }
            }
        }
        let mut warnings = Vec::new();
        if m.n_dropped() > 0 {
            warnings.push(Warning::RowsDropped { dropped: m.n_dropped(), remaining: n_obs });
        }
        let sd: Vec<f64> = (0..k).map(|j| full[[j, j]].max(0.0).sqrt()).collect();
        let keep: Vec<usize> = (0..k).filter(|&j| sd[j] > 0.0).collect();
        for j in (0..k).filter(|j| !keep.contains(j)) {
            warnings.push(Warning::ZeroVariance { item: names[j].clone() });
        }
        if keep.len() < 2 {
            return Err(Error::TooFewVariables { needed: 2, got: keep.len() });
        }
        // The total score (mean of all k items): mean = mean of the item means, variance =
        // 1ᵀC1 / k², covariance with item j = (C1)_j / k.
        let kf = k as f64;
        let total_mean = mean.iter().sum::<f64>() / kf;
        let total_sd = full.sum().sqrt() / kf;
        let colsum = full.sum_axis(Axis(0));
        let raw = RawParts {
            n: vec![n_obs; keep.len()],
            raw_r: keep.iter().map(|&j| colsum[j] / kf / (total_sd * sd[j])).collect(),
            mean: keep.iter().map(|&j| mean[j]).collect(),
            sd: keep.iter().map(|&j| sd[j]).collect(),
            total_mean,
            total_sd,
            freq: None,
        };
        let cov = full.select(Axis(0), &keep).select(Axis(1), &keep);
        let n_rows = n_obs + m.n_dropped();
        build(
            self,
            cov,
            n_obs,
            keep.iter().map(|&j| names[j].clone()).collect(),
            keep.iter().map(|&j| reversed[j]).collect(),
            Some(raw),
            Counts {
                n_rows,
                n_complete: n_obs,
                pair_counts: Some(Array2::from_elem((keep.len(), keep.len()), n_obs)),
            },
            warnings,
        )
    }
}

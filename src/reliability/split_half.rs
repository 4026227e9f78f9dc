//! Guttman's six lower bounds λ1–λ6 and split-half reliabilities over all splits, with the
//! conventions of R psych 2.2.9 `splitHalf` (brute force) and `guttman`.

use ndarray::{Array2, ArrayRef2};

use crate::error::{Error, Result};
use crate::moments::cov_to_cor;

use super::alpha::smc;

/// Most items for which every split is evaluated (psych samples splits beyond 16 items).
pub const MAX_SPLIT_HALF_ITEMS: usize = 16;

/// Guttman's (1945) six lower bounds of reliability.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct GuttmanLambdas {
    /// λ1 = 1 − tr C / ΣC.
    pub lambda1: f64,
    /// λ2 = λ1 + √(k/(k−1) · Σ_{i≠j} c_ij²) / ΣC.
    pub lambda2: f64,
    /// λ3 = k/(k−1) · λ1 (Cronbach's α).
    pub lambda3: f64,
    /// λ4: the largest split-half reliability (see [`SplitHalf::max`]).
    pub lambda4: f64,
    /// λ5 = λ1 + 2 √(max_j Σ_{i≠j} c_ij²) / ΣC.
    pub lambda5: f64,
    /// λ6 = 1 − Σ c_ii (1 − smc_i) / ΣC.
    pub lambda6: f64,
}

/// Split-half reliabilities over the splits psych's brute-force `splitHalf` evaluates.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SplitHalf {
    /// Largest split-half reliability (psych `maxrb`, Guttman's λ4).
    pub max: f64,
    /// Smallest split-half reliability (psych `minrb`, Revelle's β for these splits).
    pub min: f64,
    /// Average split-half reliability (psych `meanr`, with psych's divisor; see [`split_half`]).
    pub mean: f64,
    /// Number of splits evaluated.
    pub n_splits: usize,
    /// Items (0-based, ascending) of one half of the best split.
    pub best_half: Vec<usize>,
    /// Items (0-based, ascending) of one half of the worst split.
    pub worst_half: Vec<usize>,
}

/// Check a square, finite, symmetric-size matrix of at least two items, at most
/// [`MAX_SPLIT_HALF_ITEMS`].
fn check(c: &ArrayRef2<f64>) -> Result<usize> {
    let k = c.nrows();
    if c.ncols() != k {
        return Err(Error::DimensionMismatch {
            what: "covariance matrix columns".into(),
            expected: k,
            found: c.ncols(),
        });
    }
    if k < 2 {
        return Err(Error::TooFewVariables { needed: 2, got: k });
    }
    if k > MAX_SPLIT_HALF_ITEMS {
        return Err(Error::InvalidParameter {
            name: "items".into(),
            reason: format!(
                "{k} items: all splits are evaluated only for at most {MAX_SPLIT_HALF_ITEMS} items"
            ),
        });
    }
    if c.iter().any(|v| !v.is_finite()) {
        return Err(Error::NonFinite { what: "covariance matrix".into() });
    }
    Ok(k)
}

/// Split-half reliabilities of a covariance (or correlation) matrix of k ≤ 16 items.
///
/// For a split into halves A and B the reliability is the Flanagan–Rulon coefficient
/// `4 Σ_{i∈A, j∈B} c_ij / ΣC` (= 2 (1 − (V_A + V_B)/V_T)). As psych 2.2.9 `splitHalf` with all
/// splits, the halves are the combinations of ⌊k/2⌋ items in lexicographic order, and the first
/// M = ⌈C(k, ⌊k/2⌋)/2⌉ of them are evaluated: for even k these are exactly the distinct splits;
/// for odd k psych's convention keeps only the first half of the list (so `max` may fall below
/// the largest split of all). The average is psych's `meanr`: the sum over the M splits divided
/// by C(k, ⌊k/2⌋)/2, which exceeds their plain mean when that count is odd (e.g. k = 7).
/// Pass a correlation matrix for psych's default (`covar = FALSE`).
///
/// # Errors
/// [`Error::DimensionMismatch`] (non-square), [`Error::TooFewVariables`] (< 2 items),
/// [`Error::InvalidParameter`] (> 16 items), [`Error::NonFinite`].
pub fn split_half(c: &ArrayRef2<f64>) -> Result<SplitHalf> {
    let k = check(c)?;
    let total: f64 = c.sum();
    let h = k / 2;
    let n_all = binomial(k, h);
    let n_splits = n_all.div_ceil(2);
    let mut comb: Vec<usize> = (0..h).collect();
    let mut in_a = vec![false; k];
    let (mut max, mut min, mut sum) = (f64::NEG_INFINITY, f64::INFINITY, 0.0);
    let (mut best, mut worst) = (comb.clone(), comb.clone());
    for _ in 0..n_splits {
        in_a.iter_mut().for_each(|v| *v = false);
        comb.iter().for_each(|&i| in_a[i] = true);
        let mut cross = 0.0;
        for &i in &comb {
            for j in (0..k).filter(|&j| !in_a[j]) {
                cross += c[[i, j]];
            }
        }
        let rel = 4.0 * cross / total;
        sum += rel;
        if rel > max {
            max = rel;
            best.clone_from(&comb);
        }
        if rel < min {
            min = rel;
            worst.clone_from(&comb);
        }
        next_combination(&mut comb, k);
    }
    Ok(SplitHalf {
        max,
        min,
        mean: sum / (n_all as f64 / 2.0),
        n_splits,
        best_half: best,
        worst_half: worst,
    })
}

/// Guttman's λ1–λ6 of a covariance (or correlation) matrix of 2 ≤ k ≤ 16 items.
///
/// λ4 is the largest split-half reliability of [`split_half`]; the squared multiple correlations
/// of λ6 come from the correlation matrix (Moore–Penrose inverse, clamped to [0, 1], as psych).
/// Pass a correlation matrix for psych's default.
///
/// # Errors
/// As [`split_half`]; [`Error::ConstantColumn`] for a zero variance.
pub fn guttman(c: &ArrayRef2<f64>) -> Result<GuttmanLambdas> {
    let k = check(c)?;
    let kf = k as f64;
    let total: f64 = c.sum();
    let trace: f64 = c.diag().sum();
    let lambda1 = 1.0 - trace / total;
    let mut off_sq = 0.0;
    let mut col_max: f64 = 0.0;
    for j in 0..k {
        let col: f64 = (0..k).filter(|&i| i != j).map(|i| c[[i, j]] * c[[i, j]]).sum();
        off_sq += col;
        col_max = col_max.max(col);
    }
    let lambda2 = lambda1 + (kf / (kf - 1.0) * off_sq).sqrt() / total;
    let lambda3 = kf / (kf - 1.0) * lambda1;
    let lambda5 = lambda1 + 2.0 * col_max.sqrt() / total;
    let r: Array2<f64> = cov_to_cor(c)?;
    let smc = smc(&r)?;
    let error: f64 = (0..k).map(|i| c[[i, i]] * (1.0 - smc[i])).sum();
    let lambda6 = 1.0 - error / total;
    let lambda4 = split_half(c)?.max;
    Ok(GuttmanLambdas { lambda1, lambda2, lambda3, lambda4, lambda5, lambda6 })
}

fn binomial(n: usize, k: usize) -> usize {
    (0..k).fold(1usize, |acc, i| acc * (n - i) / (i + 1))
}

/// Advance `comb` (ascending indices < n) to the next combination in lexicographic order.
fn next_combination(comb: &mut [usize], n: usize) {
    let h = comb.len();
    let mut i = h;
    while i > 0 {
        i -= 1;
        if comb[i] < n - h + i {
            comb[i] += 1;
            for j in (i + 1)..h {
                comb[j] = comb[j - 1] + 1;
            }
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combinations_in_lexicographic_order() {
        let mut c = vec![0, 1];
        let mut seen = vec![c.clone()];
        for _ in 1..binomial(4, 2) {
            next_combination(&mut c, 4);
            seen.push(c.clone());
        }
        assert_eq!(
            seen,
            vec![vec![0, 1], vec![0, 2], vec![0, 3], vec![1, 2], vec![1, 3], vec![2, 3]]
        );
    }
}

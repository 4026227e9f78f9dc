//! Spearman's rank correlation, as R's `cor(method = "spearman")`.

use ndarray::{Array2, ArrayRef2};

use super::polychoric::pearson;
use crate::error::{Error, Result};
use crate::moments::Missing;

/// Ranks with ties given their average rank (R's `rank(ties.method = "average")`).
fn average_ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut s = 0;
    while s < idx.len() {
        let mut e = s;
        while e + 1 < idx.len() && v[idx[e + 1]] == v[idx[s]] {
            e += 1;
        }
        let avg = (s + e) as f64 / 2.0 + 1.0;
        for &k in &idx[s..=e] {
            r[k] = avg;
        }
        s = e + 1;
    }
    r
}

/// Spearman's rank correlation matrix: Pearson's r of average ranks.
///
/// Rows are observations, columns are variables; NaN is missing. With [`Missing::Listwise`]
/// the complete rows are ranked once (R's `use = "complete.obs"`); with [`Missing::Pairwise`]
/// each pair's complete rows are ranked anew (R's `use = "pairwise.complete.obs"`). Validated
/// against R 4.2.2 `cor(method = "spearman")` on psych's bfi items (many ties).
///
/// # Examples
/// ```
/// use ndarray::array;
/// use surveystat::moments::Missing;
/// use surveystat::ordinal::spearman;
/// let x = array![[1.0, 10.0], [2.0, 20.0], [3.0, 25.0], [4.0, 100.0]];
/// let r = spearman(&x, Missing::Pairwise).unwrap();
/// assert!((r[[0, 1]] - 1.0).abs() < 1e-15);
/// ```
///
/// # Errors
/// Fewer than two rows; infinite values. A pair with fewer than two complete rows or a
/// constant column gives NaN.
pub fn spearman(x: &ArrayRef2<f64>, missing: Missing) -> Result<Array2<f64>> {
    let (n, p) = x.dim();
    if n < 2 {
        return Err(Error::TooFewObservations { needed: 2, got: n });
    }
    if x.iter().any(|v| v.is_infinite()) {
        return Err(Error::NonFinite { what: "data".into() });
    }
    let mut r = Array2::<f64>::eye(p);
    match missing {
        Missing::Listwise => {
            let rows: Vec<usize> =
                (0..n).filter(|&i| x.row(i).iter().all(|v| !v.is_nan())).collect();
            let ranks: Vec<Vec<f64>> = (0..p)
                .map(|j| average_ranks(&rows.iter().map(|&i| x[[i, j]]).collect::<Vec<_>>()))
                .collect();
            for i in 0..p {
                for j in 0..i {
                    let v = if rows.len() < 2 { f64::NAN } else { pearson(&ranks[i], &ranks[j]) };
                    r[[i, j]] = v;
                    r[[j, i]] = v;
                }
            }
        }
        Missing::Pairwise => {
            for i in 0..p {
                for j in 0..i {
                    let (mut a, mut b) = (Vec::new(), Vec::new());
                    for k in 0..n {
                        let (u, v) = (x[[k, i]], x[[k, j]]);
                        if !u.is_nan() && !v.is_nan() {
                            a.push(u);
                            b.push(v);
                        }
                    }
                    let v = if a.len() < 2 {
                        f64::NAN
                    } else {
                        pearson(&average_ranks(&a), &average_ranks(&b))
                    };
                    r[[i, j]] = v;
                    r[[j, i]] = v;
                }
            }
        }
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::average_ranks;

    #[test]
    fn ties_get_average_ranks() {
        assert_eq!(average_ranks(&[3.0, 1.0, 3.0, 2.0]), vec![3.5, 1.0, 3.5, 2.0]);
    }
}

//! Small dense kernels for the SEM inner loop (matrices of tens of rows): Cholesky, inverse,
//! log-determinant and a pivoted Gauss–Jordan inverse. They avoid the conversion and
//! thread-dispatch overhead of the general linear-algebra bridge on tiny matrices.

use ndarray::{Array1, Array2};

/// Lower Cholesky factor of a symmetric matrix; `None` unless positive definite.
pub(crate) fn cholesky(a: &Array2<f64>) -> Option<Array2<f64>> {
    let n = a.nrows();
    let mut l = Array2::<f64>::zeros((n, n));
    for j in 0..n {
        let mut d = a[[j, j]];
        for k in 0..j {
            d -= l[[j, k]] * l[[j, k]];
        }
        if d.is_nan() || d <= 0.0 || !d.is_finite() {
            return None;
        }
        let d = d.sqrt();
        l[[j, j]] = d;
        for i in (j + 1)..n {
            let mut s = a[[i, j]];
            for k in 0..j {
                s -= l[[i, k]] * l[[j, k]];
            }
            l[[i, j]] = s / d;
        }
    }
    Some(l)
}

/// Inverse and log-determinant of a symmetric positive definite matrix.
pub(crate) fn spd_inverse_logdet(a: &Array2<f64>) -> Option<(Array2<f64>, f64)> {
    let n = a.nrows();
    let l = cholesky(a)?;
    let logdet = 2.0 * (0..n).map(|i| l[[i, i]].ln()).sum::<f64>();
    // L⁻¹ (lower triangular)
    let mut li = Array2::<f64>::zeros((n, n));
    for j in 0..n {
        li[[j, j]] = 1.0 / l[[j, j]];
        for i in (j + 1)..n {
            let mut s = 0.0;
            for k in j..i {
                s -= l[[i, k]] * li[[k, j]];
            }
            li[[i, j]] = s / l[[i, i]];
        }
    }
    // A⁻¹ = L⁻ᵀ L⁻¹
    let mut inv = Array2::<f64>::zeros((n, n));
    for i in 0..n {
        for j in 0..=i {
            let mut s = 0.0;
            for k in i..n {
                s += li[[k, i]] * li[[k, j]];
            }
            inv[[i, j]] = s;
            inv[[j, i]] = s;
        }
    }
    Some((inv, logdet))
}

/// Solve A x = b for symmetric positive definite A.
pub(crate) fn spd_solve(a: &Array2<f64>, b: &Array1<f64>) -> Option<Array1<f64>> {
    let n = a.nrows();
    let l = cholesky(a)?;
    let mut y = b.clone();
    for i in 0..n {
        let mut s = y[i];
        for k in 0..i {
            s -= l[[i, k]] * y[k];
        }
        y[i] = s / l[[i, i]];
    }
    for i in (0..n).rev() {
        let mut s = y[i];
        for k in (i + 1)..n {
            s -= l[[k, i]] * y[k];
        }
        y[i] = s / l[[i, i]];
    }
    Some(y)
}

/// Inverse of a general square matrix by Gauss–Jordan elimination with partial pivoting;
/// `None` if (numerically) singular.
pub(crate) fn inverse(a: &Array2<f64>) -> Option<Array2<f64>> {
    let n = a.nrows();
    let mut m = a.clone();
    let mut inv = Array2::<f64>::eye(n);
    let scale = a.iter().fold(0.0f64, |s, v| s.max(v.abs())).max(f64::MIN_POSITIVE);
    for c in 0..n {
        let (mut piv, mut best) = (c, m[[c, c]].abs());
        for r in (c + 1)..n {
            if m[[r, c]].abs() > best {
                best = m[[r, c]].abs();
                piv = r;
            }
        }
        if best.is_nan() || best <= 1e-13 * scale {
            return None;
        }
        if piv != c {
            for k in 0..n {
                m.swap([c, k], [piv, k]);
                inv.swap([c, k], [piv, k]);
            }
        }
        let d = m[[c, c]];
        for k in 0..n {
            m[[c, k]] /= d;
            inv[[c, k]] /= d;
        }
        for r in 0..n {
            if r != c {
                let f = m[[r, c]];
                if f != 0.0 {
                    for k in 0..n {
                        m[[r, k]] -= f * m[[c, k]];
                        inv[[r, k]] -= f * inv[[c, k]];
                    }
                }
            }
        }
    }
    inv.iter().all(|v| v.is_finite()).then_some(inv)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn kernels() {
        let a = array![[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]];
        let (inv, ld) = spd_inverse_logdet(&a).unwrap();
        let id = a.dot(&inv);
        for i in 0..3 {
            for j in 0..3 {
                assert!((id[[i, j]] - if i == j { 1.0 } else { 0.0 }).abs() < 1e-12);
            }
        }
        let det = 4.0 * (3.0 * 2.0 - 0.04) - 1.0 * (2.0 - 0.1) + 0.5 * (0.2 - 1.5);
        assert!((ld - f64::ln(det)).abs() < 1e-12);
        let g = inverse(&array![[0.0, 2.0], [1.0, 1.0]]).unwrap();
        assert!((g[[0, 0]] + 0.5).abs() < 1e-15 && (g[[1, 0]] - 0.5).abs() < 1e-15);
        let x = spd_solve(&a, &array![1.0, 2.0, 3.0]).unwrap();
        let r = a.dot(&x);
        assert!((r[2] - 3.0).abs() < 1e-12);
        assert!(cholesky(&array![[1.0, 2.0], [2.0, 1.0]]).is_none());
    }
}

//! Small dense kernels on flat row-major buffers (matrices of a few to a few dozen rows), where
//! a round trip through the faer bridge, or ndarray allocations, would cost more than the
//! arithmetic. Every kernel writes into caller-owned buffers, so hot loops allocate nothing.
//!
//! Layout: an `n × m` matrix is a slice of length `n·m`, row `i` at `i·m .. (i+1)·m`. The
//! ndarray wrappers ([`cholesky`], [`spd_inverse_logdet`], [`spd_solve`], [`inverse`]) run the
//! same kernels on owned copies, for code outside the innermost loops.

use ndarray::{Array1, Array2};

/// In-place lower Cholesky factor of the q × q matrix whose lower triangle is in `a`;
/// `false` if not (numerically) positive definite. The upper triangle is zeroed.
pub(crate) fn cholesky_in_place(a: &mut [f64], q: usize) -> bool {
    for j in 0..q {
        let (top, rest) = a.split_at_mut((j + 1) * q);
        let rj = &mut top[j * q..];
        let d = rj[j] - dot(&rj[..j], &rj[..j]);
        if !d.is_finite() || d <= 0.0 {
            return false;
        }
        let d = d.sqrt();
        rj[j] = d;
        rj[j + 1..].fill(0.0);
        let rj = &rj[..j];
        for ri in rest.chunks_exact_mut(q) {
            ri[j] = (ri[j] - dot(&ri[..j], rj)) / d;
        }
    }
    true
}

/// `ln det A` from the Cholesky factor `L` of `A`.
pub(crate) fn chol_logdet(l: &[f64], q: usize) -> f64 {
    (0..q).map(|i| l[i * q + i].ln()).sum::<f64>() * 2.0
}

/// Solve `L z = b` in place.
pub(crate) fn forward(l: &[f64], q: usize, z: &mut [f64]) {
    for i in 0..q {
        let mut v = z[i];
        for k in 0..i {
            v -= l[i * q + k] * z[k];
        }
        z[i] = v / l[i * q + i];
    }
}

/// Solve `A X = B` in place (`B` is q × r row-major) with `A = L Lᵀ`.
pub(crate) fn chol_solve(l: &[f64], q: usize, b: &mut [f64], r: usize) {
    for c in 0..r {
        for i in 0..q {
            let mut v = b[i * r + c];
            for k in 0..i {
                v -= l[i * q + k] * b[k * r + c];
            }
            b[i * r + c] = v / l[i * q + i];
        }
        for i in (0..q).rev() {
            let mut v = b[i * r + c];
            for k in (i + 1)..q {
                v -= l[k * q + i] * b[k * r + c];
            }
            b[i * r + c] = v / l[i * q + i];
        }
    }
}

/// `A⁻¹ = L⁻ᵀ L⁻¹` from `A = L Lᵀ`; `t` is scratch (q × q). Result exactly symmetric.
pub(crate) fn chol_inverse(l: &[f64], q: usize, inv: &mut [f64], t: &mut [f64]) {
    // t = U = L⁻ᵀ (upper): U[j][i] = −Σ_{k=j}^{i−1} L[i][k] U[j][k] / L[i][i]
    t.fill(0.0);
    for j in 0..q {
        t[j * q + j] = 1.0 / l[j * q + j];
        for i in (j + 1)..q {
            let s = dot(&l[i * q + j..i * q + i], &t[j * q + j..j * q + i]);
            t[j * q + i] = -s / l[i * q + i];
        }
    }
    // A⁻¹ = U Uᵀ: (a, b) = Σ_{k ≥ max(a, b)} U[a][k] U[b][k]
    for a in 0..q {
        for b in 0..=a {
            let v = dot(&t[a * q + a..a * q + q], &t[b * q + a..b * q + q]);
            inv[a * q + b] = v;
            inv[b * q + a] = v;
        }
    }
}

/// `C = A B` with `A` m × k and `B` k × n, row-major.
pub(crate) fn matmul(a: &[f64], b: &[f64], m: usize, k: usize, n: usize, c: &mut [f64]) {
    for i in 0..m {
        for j in 0..n {
            let mut v = 0.0;
            for h in 0..k {
                v += a[i * k + h] * b[h * n + j];
            }
            c[i * n + j] = v;
        }
    }
}

/// Inverse of the row-major n × n matrix `a` into `out` by Gauss–Jordan elimination with
/// partial pivoting, using `work` (n × n) as scratch; `false` if (numerically) singular, and then
/// `out` holds garbage. Allocation-free; [`inverse`] wraps it.
pub(crate) fn inv_into(a: &[f64], n: usize, work: &mut [f64], out: &mut [f64]) -> bool {
    let m = &mut work[..n * n];
    m.copy_from_slice(&a[..n * n]);
    let out = &mut out[..n * n];
    out.fill(0.0);
    for i in 0..n {
        out[i * n + i] = 1.0;
    }
    let scale = m.iter().fold(0.0_f64, |s, v| s.max(v.abs()));
    if scale.is_nan() || scale <= 0.0 || !scale.is_finite() {
        return false;
    }
    for c in 0..n {
        let mut piv = c;
        for r in (c + 1)..n {
            if m[r * n + c].abs() > m[piv * n + c].abs() {
                piv = r;
            }
        }
        let pivot = m[piv * n + c].abs();
        if pivot.is_nan() || pivot <= 1e-13 * scale {
            return false;
        }
        if piv != c {
            for j in 0..n {
                m.swap(c * n + j, piv * n + j);
                out.swap(c * n + j, piv * n + j);
            }
        }
        let d = 1.0 / m[c * n + c];
        for j in 0..n {
            m[c * n + j] *= d;
            out[c * n + j] *= d;
        }
        for r in 0..n {
            if r != c {
                let f = m[r * n + c];
                if f != 0.0 {
                    for j in 0..n {
                        m[r * n + j] -= f * m[c * n + j];
                        out[r * n + j] -= f * out[c * n + j];
                    }
                }
            }
        }
    }
    true
}

/// Dot product with four partial sums (vectorizes; no bounds checks in the loop); the shorter
/// length counts.
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    let mut acc = [0.0f64; 4];
    for (x, y) in ca.zip(cb) {
        acc[0] += x[0] * y[0];
        acc[1] += x[1] * y[1];
        acc[2] += x[2] * y[2];
        acc[3] += x[3] * y[3];
    }
    let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

/// Inverse and log-determinant of the symmetric positive definite n × n matrix `a` through its
/// Cholesky factor, into caller-owned `l` (the factor L, lower), `u` (U = L⁻ᵀ, upper) and
/// `inv` = U Uᵀ (each n × n); `None` if not positive definite. Every inner loop is a dot product
/// of two contiguous row segments.
pub(crate) fn spd_inverse_logdet_into(
    a: &[f64],
    n: usize,
    l: &mut [f64],
    u: &mut [f64],
    inv: &mut [f64],
) -> Option<f64> {
    let mut logdet = 0.0;
    for j in 0..n {
        let d = a[j * n + j] - dot(&l[j * n..j * n + j], &l[j * n..j * n + j]);
        if d.is_nan() || d <= 0.0 || !d.is_finite() {
            return None;
        }
        let d = d.sqrt();
        logdet += 2.0 * d.ln();
        l[j * n + j] = d;
        for i in (j + 1)..n {
            let s = a[i * n + j] - dot(&l[i * n..i * n + j], &l[j * n..j * n + j]);
            l[i * n + j] = s / d;
        }
    }
    // U = L⁻ᵀ: U[j][i] = (L⁻¹)[i][j] = −Σ_{k=j}^{i−1} L[i][k] U[j][k] / L[i][i]
    for j in 0..n {
        u[j * n + j] = 1.0 / l[j * n + j];
        for i in (j + 1)..n {
            let s = dot(&l[i * n + j..i * n + i], &u[j * n + j..j * n + i]);
            u[j * n + i] = -s / l[i * n + i];
        }
    }
    // A⁻¹ = L⁻ᵀ L⁻¹ = U Uᵀ: (i, j) = Σ_{k ≥ max(i, j)} U[i][k] U[j][k]
    for i in 0..n {
        for j in 0..=i {
            let s = dot(&u[i * n + i..i * n + n], &u[j * n + i..j * n + n]);
            inv[i * n + j] = s;
            inv[j * n + i] = s;
        }
    }
    logdet.is_finite().then_some(logdet)
}

/// `C ← β C + A B` with `A` m × k and `B` k × n, row-major; zero entries of `A` (e.g. the
/// structural zeros of Λ) are skipped.
pub(crate) fn matmul_acc(
    a: &[f64],
    b: &[f64],
    m: usize,
    k: usize,
    n: usize,
    beta: f64,
    c: &mut [f64],
) {
    for i in 0..m {
        let ci = &mut c[i * n..(i + 1) * n];
        if beta == 0.0 {
            ci.fill(0.0);
        } else if beta != 1.0 {
            ci.iter_mut().for_each(|v| *v *= beta);
        }
        for (kk, &x) in a[i * k..(i + 1) * k].iter().enumerate() {
            if x != 0.0 {
                for (cv, bv) in ci.iter_mut().zip(&b[kk * n..(kk + 1) * n]) {
                    *cv += x * bv;
                }
            }
        }
    }
}

/// `C = A Bᵀ` with `A` m × k and `B` n × k, row-major (row dot products).
pub(crate) fn matmul_abt(a: &[f64], b: &[f64], m: usize, k: usize, n: usize, c: &mut [f64]) {
    for i in 0..m {
        let ai = &a[i * k..(i + 1) * k];
        for j in 0..n {
            c[i * n + j] = dot(ai, &b[j * k..(j + 1) * k]);
        }
    }
}

/// Lower Cholesky factor of a symmetric matrix (its lower triangle is read); `None` unless
/// positive definite.
pub(crate) fn cholesky(a: &Array2<f64>) -> Option<Array2<f64>> {
    let n = a.nrows();
    let mut l: Vec<f64> = a.iter().copied().collect();
    cholesky_in_place(&mut l, n).then(|| Array2::from_shape_vec((n, n), l).ok()).flatten()
}

/// Inverse (exactly symmetric) and log-determinant of a symmetric positive definite matrix;
/// `None` unless positive definite.
pub(crate) fn spd_inverse_logdet(a: &Array2<f64>) -> Option<(Array2<f64>, f64)> {
    let n = a.nrows();
    let mut l: Vec<f64> = a.iter().copied().collect();
    if !cholesky_in_place(&mut l, n) {
        return None;
    }
    let logdet = chol_logdet(&l, n);
    let mut inv = vec![0.0; n * n];
    let mut t = vec![0.0; n * n];
    chol_inverse(&l, n, &mut inv, &mut t);
    Some((Array2::from_shape_vec((n, n), inv).ok()?, logdet))
}

/// Solve `A x = b` for a symmetric positive definite `A`; `None` unless positive definite.
pub(crate) fn spd_solve(a: &Array2<f64>, b: &Array1<f64>) -> Option<Array1<f64>> {
    let n = a.nrows();
    let mut l: Vec<f64> = a.iter().copied().collect();
    if b.len() != n || !cholesky_in_place(&mut l, n) {
        return None;
    }
    let mut x: Vec<f64> = b.to_vec();
    chol_solve(&l, n, &mut x, 1);
    Some(Array1::from(x))
}

/// Inverse of a general square matrix by Gauss–Jordan elimination with partial pivoting;
/// `None` if (numerically) singular or not finite.
pub(crate) fn inverse(a: &Array2<f64>) -> Option<Array2<f64>> {
    let n = a.nrows();
    let flat: Vec<f64> = a.iter().copied().collect();
    let mut work = vec![0.0; n * n];
    let mut out = vec![0.0; n * n];
    if n == 0 || !inv_into(&flat, n, &mut work, &mut out) || out.iter().any(|v| !v.is_finite()) {
        return (n == 0).then(|| Array2::zeros((0, 0)));
    }
    Array2::from_shape_vec((n, n), out).ok()
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
        assert!(inverse(&array![[1.0, 2.0], [2.0, 4.0]]).is_none());
        let x = spd_solve(&a, &array![1.0, 2.0, 3.0]).unwrap();
        let r = a.dot(&x);
        assert!((r[2] - 3.0).abs() < 1e-12);
        assert!(cholesky(&array![[1.0, 2.0], [2.0, 1.0]]).is_none());
        let l = cholesky(&a).unwrap();
        assert!((l.dot(&l.t()) - &a).iter().all(|v| v.abs() < 1e-14) && l[[0, 1]] == 0.0);
    }
}

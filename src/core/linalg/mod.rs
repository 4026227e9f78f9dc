//! Linear algebra: the `pub(crate)` bridge between ndarray (the public API) and faer (the
//! factorisations of larger matrices), and [`small`], the kernels for small dense matrices with
//! workspace variants that do not allocate.
//!
//! Nothing from faer leaves this crate: every function takes and returns ndarray types. Matrices
//! are converted with one copy each way; for the sizes of questionnaire data (tens of variables)
//! that copy is negligible next to the factorisations.

#![allow(dead_code)]

use faer::linalg::solvers::{DenseSolveCore, Solve};
use faer::{Mat, MatRef, Side};
use ndarray::{Array1, Array2, ArrayView2};

use crate::error::{Error, Result};

pub(crate) mod small;

/// Copy an ndarray matrix into a faer matrix.
pub(crate) fn to_faer(a: ArrayView2<'_, f64>) -> Mat<f64> {
    match a.as_slice() {
        // Row-major contiguous (the usual case): one bulk copy.
        Some(s) => MatRef::from_row_major_slice(s, a.nrows(), a.ncols()).to_owned(),
        None => Mat::from_fn(a.nrows(), a.ncols(), |i, j| a[[i, j]]),
    }
}

/// Copy a faer matrix into an ndarray matrix.
pub(crate) fn from_faer(m: MatRef<'_, f64>) -> Array2<f64> {
    Array2::from_shape_fn((m.nrows(), m.ncols()), |(i, j)| m[(i, j)])
}

fn check_square(a: ArrayView2<'_, f64>, name: &str) -> Result<()> {
    if a.nrows() != a.ncols() {
        return Err(Error::DimensionMismatch {
            what: format!("matrix {name} (rows vs columns)"),
            expected: a.nrows(),
            found: a.ncols(),
        });
    }
    if a.iter().any(|v| !v.is_finite()) {
        return Err(Error::NonFinite { what: format!("matrix {name}") });
    }
    Ok(())
}

/// Symmetric eigendecomposition, eigenvalues in **descending** order (as R's `eigen`), eigenvectors
/// as columns in the same order.
pub(crate) fn sym_eigen(a: ArrayView2<'_, f64>, name: &str) -> Result<(Array1<f64>, Array2<f64>)> {
    check_square(a, name)?;
    let n = a.nrows();
    let m = to_faer(a);
    let evd = m.self_adjoint_eigen(Side::Lower).map_err(|e| Error::LinearAlgebra {
        operation: format!("eigendecomposition of {name}"),
        message: format!("{e:?}"),
    })?;
    let s = evd.S().column_vector();
    let u = evd.U();
    let values = Array1::from_shape_fn(n, |k| s[n - 1 - k]);
    let vectors = Array2::from_shape_fn((n, n), |(i, k)| u[(i, n - 1 - k)]);
    Ok((values, vectors))
}

/// Symmetric eigendecomposition like [`sym_eigen`] but always single-threaded (`Par::Seq`), for
/// the many small decompositions inside iterative estimators, where rayon's task overhead
/// dominates (added by the factor-analysis work).
pub(crate) fn sym_eigen_seq(
    a: ArrayView2<'_, f64>,
    name: &str,
) -> Result<(Array1<f64>, Array2<f64>)> {
    use faer::dyn_stack::{MemBuffer, MemStack};
    use faer::linalg::evd;
    check_square(a, name)?;
    let n = a.nrows();
    let m = to_faer(a);
    let mut u = Mat::<f64>::zeros(n, n);
    let mut s = faer::diag::Diag::<f64>::zeros(n);
    let par = faer::Par::Seq;
    let mut buf = MemBuffer::new(evd::self_adjoint_evd_scratch::<f64>(
        n,
        evd::ComputeEigenvectors::Yes,
        par,
        Default::default(),
    ));
    evd::self_adjoint_evd(
        m.as_ref(),
        s.as_mut(),
        Some(u.as_mut()),
        par,
        MemStack::new(&mut buf),
        Default::default(),
    )
    .map_err(|e| Error::LinearAlgebra {
        operation: format!("eigendecomposition of {name}"),
        message: format!("{e:?}"),
    })?;
    let sv = s.column_vector();
    let values = Array1::from_shape_fn(n, |k| sv[n - 1 - k]);
    let vectors = Array2::from_shape_fn((n, n), |(i, k)| u[(i, n - 1 - k)]);
    Ok((values, vectors))
}

/// Eigenvalues of a symmetric matrix in descending order.
pub(crate) fn sym_eigenvalues(a: ArrayView2<'_, f64>, name: &str) -> Result<Array1<f64>> {
    check_square(a, name)?;
    let m = to_faer(a);
    let mut v = m.self_adjoint_eigenvalues(Side::Lower).map_err(|e| Error::LinearAlgebra {
        operation: format!("eigenvalues of {name}"),
        message: format!("{e:?}"),
    })?;
    v.reverse();
    Ok(Array1::from(v))
}

/// Cholesky factor `L` (lower triangular, `A = L Lᵀ`) of a symmetric positive definite matrix.
pub(crate) fn cholesky(a: ArrayView2<'_, f64>, name: &str) -> Result<Array2<f64>> {
    check_square(a, name)?;
    let m = to_faer(a);
    let llt =
        m.llt(Side::Lower).map_err(|_| Error::NotPositiveDefinite { matrix: name.to_string() })?;
    Ok(from_faer(llt.L()))
}

/// Inverse and log-determinant of a symmetric positive definite matrix (via Cholesky).
pub(crate) fn spd_inverse_logdet(a: ArrayView2<'_, f64>, name: &str) -> Result<(Array2<f64>, f64)> {
    check_square(a, name)?;
    let m = to_faer(a);
    let llt =
        m.llt(Side::Lower).map_err(|_| Error::NotPositiveDefinite { matrix: name.to_string() })?;
    let l = llt.L();
    let mut logdet = 0.0;
    for i in 0..l.nrows() {
        let d = l[(i, i)];
        if d <= 0.0 || !d.is_finite() {
            return Err(Error::NotPositiveDefinite { matrix: name.to_string() });
        }
        logdet += 2.0 * d.ln();
    }
    let inv = llt.inverse();
    let mut out = from_faer(inv.as_ref());
    symmetrize(&mut out);
    Ok((out, logdet))
}

/// Inverse of a symmetric positive definite matrix.
pub(crate) fn spd_inverse(a: ArrayView2<'_, f64>, name: &str) -> Result<Array2<f64>> {
    spd_inverse_logdet(a, name).map(|(inv, _)| inv)
}

/// Log-determinant of a symmetric positive definite matrix.
pub(crate) fn spd_logdet(a: ArrayView2<'_, f64>, name: &str) -> Result<f64> {
    check_square(a, name)?;
    let m = to_faer(a);
    let llt =
        m.llt(Side::Lower).map_err(|_| Error::NotPositiveDefinite { matrix: name.to_string() })?;
    let l = llt.L();
    let mut logdet = 0.0;
    for i in 0..l.nrows() {
        logdet += 2.0 * l[(i, i)].ln();
    }
    if !logdet.is_finite() {
        return Err(Error::NotPositiveDefinite { matrix: name.to_string() });
    }
    Ok(logdet)
}

/// Solve `A X = B` for symmetric positive definite `A`.
pub(crate) fn spd_solve(
    a: ArrayView2<'_, f64>,
    b: ArrayView2<'_, f64>,
    name: &str,
) -> Result<Array2<f64>> {
    check_square(a, name)?;
    if b.nrows() != a.nrows() {
        return Err(Error::DimensionMismatch {
            what: format!("right-hand side for {name}"),
            expected: a.nrows(),
            found: b.nrows(),
        });
    }
    let m = to_faer(a);
    let llt =
        m.llt(Side::Lower).map_err(|_| Error::NotPositiveDefinite { matrix: name.to_string() })?;
    let x = llt.solve(to_faer(b));
    Ok(from_faer(x.as_ref()))
}

/// Inverse of a general square matrix by LU with full pivoting; a numerically singular matrix
/// (smallest pivot below `n · ε · largest pivot`) is an [`Error::Singular`].
pub(crate) fn inverse(a: ArrayView2<'_, f64>, name: &str) -> Result<Array2<f64>> {
    check_square(a, name)?;
    let n = a.nrows();
    if n == 0 {
        return Ok(Array2::zeros((0, 0)));
    }
    let m = to_faer(a);
    let lu = m.full_piv_lu();
    let u = lu.U();
    let mut max_p: f64 = 0.0;
    let mut min_p = f64::INFINITY;
    for i in 0..n {
        let d = u[(i, i)].abs();
        max_p = max_p.max(d);
        min_p = min_p.min(d);
    }
    if max_p == 0.0 || min_p <= (n as f64) * f64::EPSILON * max_p {
        return Err(Error::Singular { matrix: name.to_string() });
    }
    let inv = lu.inverse();
    Ok(from_faer(inv.as_ref()))
}

/// Solve `A X = B` for a general square `A` (LU with full pivoting, singularity checked).
pub(crate) fn solve(
    a: ArrayView2<'_, f64>,
    b: ArrayView2<'_, f64>,
    name: &str,
) -> Result<Array2<f64>> {
    let inv = inverse(a, name)?;
    Ok(inv.dot(&b))
}

/// Thin singular value decomposition `A = U diag(s) Vᵀ`; returns `(U, s, V)`, `s` descending.
pub(crate) fn svd(
    a: ArrayView2<'_, f64>,
    name: &str,
) -> Result<(Array2<f64>, Array1<f64>, Array2<f64>)> {
    if a.iter().any(|v| !v.is_finite()) {
        return Err(Error::NonFinite { what: format!("matrix {name}") });
    }
    let m = to_faer(a);
    let svd = m.thin_svd().map_err(|e| Error::LinearAlgebra {
        operation: format!("svd of {name}"),
        message: format!("{e:?}"),
    })?;
    let s = svd.S().column_vector();
    let k = s.nrows();
    Ok((from_faer(svd.U()), Array1::from_shape_fn(k, |i| s[i]), from_faer(svd.V())))
}

/// Moore–Penrose inverse of a symmetric positive semi-definite matrix via its eigendecomposition;
/// eigenvalues below `tol · λ_max` are treated as zero. Returns the inverse and the rank.
pub(crate) fn sym_pinv(
    a: ArrayView2<'_, f64>,
    name: &str,
    tol: f64,
) -> Result<(Array2<f64>, usize)> {
    let (vals, vecs) = sym_eigen(a, name)?;
    let n = vals.len();
    let lmax = vals.iter().cloned().fold(0.0_f64, |m, v| m.max(v.abs()));
    let mut out = Array2::<f64>::zeros((n, n));
    let mut rank = 0;
    for k in 0..n {
        if vals[k].abs() > tol * lmax && vals[k].abs() > 0.0 {
            rank += 1;
            let inv = 1.0 / vals[k];
            for i in 0..n {
                let vik = vecs[[i, k]] * inv;
                for j in 0..n {
                    out[[i, j]] += vik * vecs[[j, k]];
                }
            }
        }
    }
    Ok((out, rank))
}

/// Matrix product through faer (faster than ndarray's for large operands).
pub(crate) fn matmul(a: ArrayView2<'_, f64>, b: ArrayView2<'_, f64>) -> Array2<f64> {
    let fa = to_faer(a);
    let fb = to_faer(b);
    let c = &fa * &fb;
    from_faer(c.as_ref())
}

/// Crossproduct `Aᵀ A` through faer.
pub(crate) fn crossprod(a: ArrayView2<'_, f64>) -> Array2<f64> {
    let fa = to_faer(a);
    let c = fa.transpose() * &fa;
    let mut out = from_faer(c.as_ref());
    symmetrize(&mut out);
    out
}

/// Replace `A` by `(A + Aᵀ) / 2`.
pub(crate) fn symmetrize(a: &mut Array2<f64>) {
    let n = a.nrows();
    for i in 0..n {
        for j in (i + 1)..n {
            let v = 0.5 * (a[[i, j]] + a[[j, i]]);
            a[[i, j]] = v;
            a[[j, i]] = v;
        }
    }
}

/// Cholesky factor (lower triangle of `l`, in place) by faer's blocked kernel, sequential.
fn llt_in_place(mut l: faer::MatMut<'_, f64>) -> bool {
    use faer::dyn_stack::{MemBuffer, MemStack};
    use faer::linalg::cholesky::llt;
    use faer::reborrow::ReborrowMut;
    let n = l.nrows();
    let mut buf = MemBuffer::new(llt::factor::cholesky_in_place_scratch::<f64>(
        n,
        faer::Par::Seq,
        Default::default(),
    ));
    llt::factor::cholesky_in_place(
        l.rb_mut(),
        Default::default(),
        faer::Par::Seq,
        MemStack::new(&mut buf),
        Default::default(),
    )
    .is_ok()
        && (0..n).all(|i| l[(i, i)] > 0.0 && l[(i, i)].is_finite())
}

/// Inverse and log-determinant of a symmetric positive definite matrix (faer's Cholesky and
/// triangular inverse, sequential: the p × p correlation-sized matrices of a factor analysis,
/// where faer's blocked kernels are 3–4 times faster than the SEM engine's scalar loops).
/// `None` unless positive definite.
pub(crate) fn spd_inverse_logdet_seq(a: &Array2<f64>) -> Option<(Array2<f64>, f64)> {
    use faer::dyn_stack::{MemBuffer, MemStack};
    use faer::linalg::cholesky::llt;
    let n = a.nrows();
    if a.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let mut l = faer::Mat::<f64>::from_fn(n, n, |i, j| a[[i, j]]);
    if !llt_in_place(l.as_mut()) {
        return None;
    }
    let logdet = 2.0 * (0..n).map(|i| l[(i, i)].ln()).sum::<f64>();
    let mut inv = faer::Mat::<f64>::zeros(n, n);
    let mut buf = MemBuffer::new(llt::inverse::inverse_scratch::<f64>(n, faer::Par::Seq));
    llt::inverse::inverse(inv.as_mut(), l.as_ref(), faer::Par::Seq, MemStack::new(&mut buf));
    let out =
        Array2::from_shape_fn((n, n), |(i, j)| if i >= j { inv[(i, j)] } else { inv[(j, i)] });
    out.iter().all(|v| v.is_finite()).then_some((out, logdet))
}

/// Solve `A x = b` in place for a symmetric positive definite `A` given by its lower triangle in
/// `a` (overwritten by the Cholesky factor); `false` unless positive definite.
pub(crate) fn spd_solve_in_place(mut a: faer::MatMut<'_, f64>, b: &mut [f64]) -> bool {
    use faer::reborrow::{Reborrow, ReborrowMut};
    let n = a.nrows();
    if b.len() != n || !llt_in_place(a.rb_mut()) {
        return false;
    }
    let a = a.rb();
    // L y = b, Lᵀ x = y
    for i in 0..n {
        let mut s = b[i];
        for j in 0..i {
            s -= a[(i, j)] * b[j];
        }
        b[i] = s / a[(i, i)];
    }
    for i in (0..n).rev() {
        let mut s = b[i];
        for j in (i + 1)..n {
            s -= a[(j, i)] * b[j];
        }
        b[i] = s / a[(i, i)];
    }
    b.iter().all(|v| v.is_finite())
}

/// The centred cross-product `Σᵢ (xᵢ − m)(xᵢ − m)ᵀ` over the rows `xᵢ` of a tall matrix `x`
/// (divide by n − 1 for the two-pass covariance). Rows are taken in blocks of 8192: each block is
/// centred into a buffer of its own and multiplied (matrixmultiply, measured faster than a copy
/// into faer for these tall, narrow operands); blocks run in parallel (rayon) and are summed in
/// block order, so the result does not depend on the number of threads and no centred copy of
/// the whole matrix is made.
pub(crate) fn centered_crossprod(x: ArrayView2<'_, f64>, means: &[f64]) -> Array2<f64> {
    use ndarray::{Axis, Slice};
    use rayon::prelude::*;
    const BLOCK_ROWS: usize = 8192;
    let (n, k) = x.dim();
    let one = |b: usize| {
        let lo = b * BLOCK_ROWS;
        let block = x.slice_axis(Axis(0), Slice::from(lo..(lo + BLOCK_ROWS).min(n)));
        // the centred block in one pass (no copy that is then centred in place)
        let mut c = Vec::with_capacity(block.len());
        match block.as_slice() {
            Some(all) if k > 0 => {
                for row in all.chunks_exact(k) {
                    c.extend(row.iter().zip(means).map(|(v, m)| v - m));
                }
            }
            _ => {
                for row in block.rows() {
                    c.extend(row.iter().zip(means).map(|(v, m)| v - m));
                }
            }
        }
        let c =
            Array2::from_shape_vec(block.raw_dim(), c).unwrap_or_else(|_| Array2::zeros((0, k)));
        let mut out = Array2::<f64>::zeros((k, k));
        ndarray::linalg::general_mat_mul(1.0, &c.t(), &c, 0.0, &mut out);
        out
    };
    let blocks = n.div_ceil(BLOCK_ROWS);
    let parts: Vec<Array2<f64>> = if blocks <= 1 {
        (0..blocks).map(one).collect()
    } else {
        (0..blocks).into_par_iter().map(one).collect()
    };
    let mut sum = Array2::<f64>::zeros((k, k));
    for part in &parts {
        sum += part;
    }
    symmetrize(&mut sum);
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn eigen_descending_and_reconstructs() {
        let a = array![[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]];
        let (vals, vecs) = sym_eigen(a.view(), "A").unwrap();
        assert!(vals[0] >= vals[1] && vals[1] >= vals[2]);
        let rec = vecs.dot(&Array2::from_diag(&vals)).dot(&vecs.t());
        for (x, y) in rec.iter().zip(a.iter()) {
            assert!((x - y).abs() < 1e-12);
        }
    }

    #[test]
    fn spd_inverse_and_logdet() {
        let a = array![[4.0, 1.0], [1.0, 3.0]];
        let (inv, ld) = spd_inverse_logdet(a.view(), "A").unwrap();
        assert!((ld - 11f64.ln()).abs() < 1e-14);
        let id = a.dot(&inv);
        assert!((id[[0, 0]] - 1.0).abs() < 1e-14 && id[[0, 1]].abs() < 1e-14);
        let bad = array![[1.0, 2.0], [2.0, 1.0]];
        assert!(matches!(spd_inverse(bad.view(), "B"), Err(Error::NotPositiveDefinite { .. })));
        assert!(matches!(
            inverse(array![[1.0, 2.0], [2.0, 4.0]].view(), "C"),
            Err(Error::Singular { .. })
        ));
    }

    #[test]
    fn svd_reconstructs() {
        let a = array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]];
        let (u, s, v) = svd(a.view(), "A").unwrap();
        let rec = u.dot(&Array2::from_diag(&s)).dot(&v.t());
        for (x, y) in rec.iter().zip(a.iter()) {
            assert!((x - y).abs() < 1e-12);
        }
    }
}

//! Dense routines for the k × k matrices of the rotation step (k = number of factors, a handful):
//! written out directly so the inner loops allocate little and never touch a thread pool.

use ndarray::{Array1, Array2};

/// Symmetric eigendecomposition by cyclic Jacobi rotations: eigenvalues descending, eigenvectors
/// as columns.
#[cfg(test)]
pub(crate) fn sym_eigen(a: &Array2<f64>) -> (Array1<f64>, Array2<f64>) {
    let n = a.nrows();
    let mut m = a.clone();
    let mut v = Array2::<f64>::eye(n);
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| m[[i, j]] * m[[i, j]])
            .sum();
        let tot: f64 = m.iter().map(|x| x * x).sum();
        if off <= 1e-30 * tot || off == 0.0 {
            break;
        }
        for p in 0..n {
            for q in (p + 1)..n {
                let apq = m[[p, q]];
                if apq == 0.0 {
                    continue;
                }
                let theta = (m[[q, q]] - m[[p, p]]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let mkp = m[[k, p]];
                    let mkq = m[[k, q]];
                    m[[k, p]] = c * mkp - s * mkq;
                    m[[k, q]] = s * mkp + c * mkq;
                }
                for k in 0..n {
                    let mpk = m[[p, k]];
                    let mqk = m[[q, k]];
                    m[[p, k]] = c * mpk - s * mqk;
                    m[[q, k]] = s * mpk + c * mqk;
                }
                for k in 0..n {
                    let vkp = v[[k, p]];
                    let vkq = v[[k, q]];
                    v[[k, p]] = c * vkp - s * vkq;
                    v[[k, q]] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&i, &j| m[[j, j]].partial_cmp(&m[[i, i]]).unwrap_or(std::cmp::Ordering::Equal));
    let vals = Array1::from_shape_fn(n, |k| m[[idx[k], idx[k]]]);
    let vecs = Array2::from_shape_fn((n, n), |(i, k)| v[[i, idx[k]]]);
    (vals, vecs)
}

/// Orthogonal polar factor `U Vᵀ` of a square `X = U S Vᵀ` and the sum of its singular values,
/// via `XᵀX = W diag(σ²) Wᵀ`: `U Vᵀ = X W diag(1/σ) Wᵀ`. `None` if `X` is singular.
#[cfg(test)]
pub(crate) fn polar(x: &Array2<f64>) -> Option<(Array2<f64>, f64)> {
    let n = x.nrows();
    let (vals, w) = sym_eigen(&x.t().dot(x));
    let top = vals.iter().fold(0.0_f64, |m, v| m.max(*v));
    if vals.iter().any(|&v| !(v > 1e-26 * top.max(1e-300))) {
        return None;
    }
    let sig: Vec<f64> = vals.iter().map(|v| v.sqrt()).collect();
    let mut inv_sqrt = Array2::<f64>::zeros((n, n));
    for i in 0..n {
        for j in 0..n {
            let mut s = 0.0;
            for k in 0..n {
                s += w[[i, k]] * w[[j, k]] / sig[k];
            }
            inv_sqrt[[i, j]] = s;
        }
    }
    Some((x.dot(&inv_sqrt), sig.iter().sum()))
}

/// Cyclic Jacobi eigendecomposition of the symmetric row-major n × n matrix `m` (destroyed; its
/// diagonal ends up holding the eigenvalues, unsorted); eigenvectors as the columns of `v`.
pub(crate) fn jacobi_into(m: &mut [f64], n: usize, v: &mut [f64]) {
    v[..n * n].fill(0.0);
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    jacobi_sweeps(m, n, v);
}

/// The sweeps of [`jacobi_into`], accumulating the rotations onto the columns of `v` as given
/// (a warm start: `m` already transformed by the `v` it starts from).
fn jacobi_sweeps(m: &mut [f64], n: usize, v: &mut [f64]) {
    for _sweep in 0..100 {
        let mut off = 0.0;
        let mut diag = 0.0;
        for i in 0..n {
            diag += m[i * n + i] * m[i * n + i];
            for j in (i + 1)..n {
                off += m[i * n + j] * m[i * n + j];
            }
        }
        if off == 0.0 || 2.0 * off <= 1e-30 * (diag + 2.0 * off) {
            break;
        }
        for p in 0..n {
            for q in (p + 1)..n {
                let apq = m[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                // the rotation that zeroes m_pq, applied to rows and columns p, q only
                let theta = (m[q * n + q] - m[p * n + p]) / (2.0 * apq);
                let t = if theta == 0.0 {
                    1.0
                } else {
                    theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt())
                };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                let tau = s / (1.0 + c);
                m[p * n + p] -= t * apq;
                m[q * n + q] += t * apq;
                m[p * n + q] = 0.0;
                m[q * n + p] = 0.0;
                for k in 0..n {
                    if k != p && k != q {
                        let g = m[k * n + p];
                        let h = m[k * n + q];
                        let gp = g - s * (h + g * tau);
                        let hq = h + s * (g - h * tau);
                        m[k * n + p] = gp;
                        m[p * n + k] = gp;
                        m[k * n + q] = hq;
                        m[q * n + k] = hq;
                    }
                }
                for k in 0..n {
                    let g = v[k * n + p];
                    let h = v[k * n + q];
                    v[k * n + p] = g - s * (h + g * tau);
                    v[k * n + q] = h + s * (g - h * tau);
                }
            }
        }
    }
}

/// Scratch space for [`polar_into`] (k × k matrices). It keeps the eigenvectors of the last
/// call: the next call starts its Jacobi sweeps from them (the matrices of successive rotation
/// iterations differ little, so one or two sweeps finish instead of five or six).
#[derive(Debug, Clone)]
pub(crate) struct PolarWork {
    xtx: Vec<f64>,
    w: Vec<f64>,
    isq: Vec<f64>,
    sig: Vec<f64>,
    warm: bool,
}

impl PolarWork {
    pub(crate) fn new(k: usize) -> Self {
        Self {
            xtx: vec![0.0; k * k],
            w: vec![0.0; k * k],
            isq: vec![0.0; k * k],
            sig: vec![0.0; k],
            warm: false,
        }
    }
}

/// Orthogonal polar factor of the row-major square `x` (n × n) into `out`, and the sum of the
/// singular values — as [`polar`], allocation-free. `None` if `x` is singular.
pub(crate) fn polar_into(x: &[f64], n: usize, w: &mut PolarWork, out: &mut [f64]) -> Option<f64> {
    for a in 0..n {
        for b in 0..=a {
            let mut s = 0.0;
            for i in 0..n {
                s += x[i * n + a] * x[i * n + b];
            }
            w.xtx[a * n + b] = s;
            w.xtx[b * n + a] = s;
        }
    }
    if w.warm {
        // XᵀX in the basis of the last eigenvectors: W_prevᵀ (XᵀX) W_prev (isq as scratch)
        for a in 0..n {
            for b in 0..n {
                w.isq[a * n + b] = (0..n).map(|c| w.xtx[a * n + c] * w.w[c * n + b]).sum();
            }
        }
        for a in 0..n {
            for b in 0..=a {
                let v: f64 = (0..n).map(|c| w.w[c * n + a] * w.isq[c * n + b]).sum();
                w.xtx[a * n + b] = v;
                w.xtx[b * n + a] = v;
            }
        }
        jacobi_sweeps(&mut w.xtx, n, &mut w.w);
    } else {
        jacobi_into(&mut w.xtx, n, &mut w.w);
    }
    let top = (0..n).fold(0.0_f64, |m, i| m.max(w.xtx[i * n + i]));
    w.warm = false;
    for i in 0..n {
        let v = w.xtx[i * n + i];
        if !(v > 1e-26 * top.max(1e-300)) {
            return None;
        }
        w.sig[i] = v.sqrt();
    }
    w.warm = true;
    for i in 0..n {
        for j in 0..n {
            let mut s = 0.0;
            for k in 0..n {
                s += w.w[i * n + k] * w.w[j * n + k] / w.sig[k];
            }
            w.isq[i * n + j] = s;
        }
    }
    for i in 0..n {
        for j in 0..n {
            let mut s = 0.0;
            for k in 0..n {
                s += x[i * n + k] * w.isq[k * n + j];
            }
            out[i * n + j] = s;
        }
    }
    Some(w.sig[..n].iter().sum())
}

/// Reusable workspace for the symmetric eigendecompositions of the extraction's objective
/// (faer's self-adjoint eigensolver with its scratch memory, input and output allocated once).
pub(crate) struct EigWork {
    n: usize,
    /// Input matrix (fill before [`EigWork::compute`]; only the lower triangle is read).
    pub a: faer::Mat<f64>,
    u: faer::Mat<f64>,
    s: faer::diag::Diag<f64>,
    buf: faer::dyn_stack::MemBuffer,
    /// Input of the decomposition held in `u`, `s` (lower triangle), valid when `have`.
    prev: faer::Mat<f64>,
    have: bool,
}

impl EigWork {
    pub(crate) fn new(n: usize) -> Self {
        use faer::linalg::evd;
        Self {
            n,
            a: faer::Mat::zeros(n, n),
            u: faer::Mat::zeros(n, n),
            s: faer::diag::Diag::zeros(n),
            prev: faer::Mat::zeros(n, n),
            have: false,
            buf: faer::dyn_stack::MemBuffer::new(evd::self_adjoint_evd_scratch::<f64>(
                n,
                evd::ComputeEigenvectors::Yes,
                faer::Par::Seq,
                Default::default(),
            )),
        }
    }

    /// Decompose `a`; `false` on failure (non-finite input or no convergence).
    pub(crate) fn compute(&mut self) -> bool {
        use faer::linalg::evd;
        let n = self.n;
        let mut same = self.have;
        for j in 0..n {
            for i in j..n {
                let v = self.a[(i, j)];
                if !v.is_finite() {
                    return false;
                }
                same &= v == self.prev[(i, j)];
            }
        }
        // the decomposition of the same input is already there (e.g. the loadings at the
        // optimum the last evaluation of the objective already decomposed)
        if same {
            return true;
        }
        self.have = false;
        for j in 0..n {
            for i in j..n {
                self.prev[(i, j)] = self.a[(i, j)];
            }
        }
        self.have = evd::self_adjoint_evd(
            self.a.as_ref(),
            self.s.as_mut(),
            Some(self.u.as_mut()),
            faer::Par::Seq,
            faer::dyn_stack::MemStack::new(&mut self.buf),
            Default::default(),
        )
        .is_ok();
        self.have
    }

    /// The m-th largest eigenvalue (m = 0 is the largest).
    #[inline]
    pub(crate) fn val(&self, m: usize) -> f64 {
        self.s.column_vector()[self.n - 1 - m]
    }

    /// The eigenvector of the m-th largest eigenvalue (a contiguous slice of length n).
    #[inline]
    pub(crate) fn vec(&self, m: usize) -> &[f64] {
        let c = self.u.col(self.n - 1 - m);
        c.try_as_col_major().map(|c| c.as_slice()).unwrap_or(&[])
    }
}

/// Eigenvalues (descending) of a symmetric matrix, sequential, without eigenvectors; `None` on
/// non-finite input or failure.
pub(crate) fn sym_eigenvalues(a: &Array2<f64>) -> Option<Array1<f64>> {
    use faer::linalg::evd;
    let n = a.nrows();
    if a.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let m = faer::Mat::<f64>::from_fn(n, n, |i, j| a[[i, j]]);
    let mut s = faer::diag::Diag::<f64>::zeros(n);
    let mut buf = faer::dyn_stack::MemBuffer::new(evd::self_adjoint_evd_scratch::<f64>(
        n,
        evd::ComputeEigenvectors::No,
        faer::Par::Seq,
        Default::default(),
    ));
    evd::self_adjoint_evd(
        m.as_ref(),
        s.as_mut(),
        None,
        faer::Par::Seq,
        faer::dyn_stack::MemStack::new(&mut buf),
        Default::default(),
    )
    .ok()?;
    let sv = s.column_vector();
    Some(Array1::from_shape_fn(n, |k| sv[n - 1 - k]))
}

/// Eigenvalues (descending) of a finite symmetric matrix that are always returned: faer's
/// decomposition, or cyclic Jacobi should faer report no convergence; NaN entries only for a
/// non-finite input.
pub(crate) fn sym_eigenvalues_robust(a: &Array2<f64>) -> Array1<f64> {
    let n = a.nrows();
    if let Some(v) = sym_eigenvalues(a) {
        return v;
    }
    if a.iter().any(|v| !v.is_finite()) {
        return Array1::from_elem(n, f64::NAN);
    }
    let mut m: Vec<f64> = a.iter().copied().collect();
    let mut v = vec![0.0; n * n];
    jacobi_into(&mut m, n, &mut v);
    let mut vals: Vec<f64> = (0..n).map(|i| m[i * n + i]).collect();
    vals.sort_by(|x, y| y.total_cmp(x));
    Array1::from(vals)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn inverse_polar_eigen() {
        let a = array![[4.0, 1.0, 0.5], [0.3, 3.0, 0.2], [0.5, -0.7, 2.0]];
        let ai = crate::core::linalg::small::inverse(&a).unwrap();
        let id = a.dot(&ai);
        for i in 0..3 {
            for j in 0..3 {
                assert!((id[[i, j]] - if i == j { 1.0 } else { 0.0 }).abs() < 1e-14);
            }
        }
        let (q, s) = polar(&a).unwrap();
        let qtq = q.t().dot(&q);
        for i in 0..3 {
            for j in 0..3 {
                assert!((qtq[[i, j]] - if i == j { 1.0 } else { 0.0 }).abs() < 1e-13);
            }
        }
        // QᵀA is symmetric positive definite with trace = Σσ
        let p = q.t().dot(&a);
        assert!((p[[0, 1]] - p[[1, 0]]).abs() < 1e-12);
        assert!((p[[0, 0]] + p[[1, 1]] + p[[2, 2]] - s).abs() < 1e-12);
        let sym = array![[2.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0]];
        let (vals, vecs) = sym_eigen(&sym);
        let rec = vecs.dot(&Array2::from_diag(&vals)).dot(&vecs.t());
        for (x, y) in rec.iter().zip(sym.iter()) {
            assert!((x - y).abs() < 1e-13);
        }
        assert!(vals[0] >= vals[1] && vals[1] >= vals[2]);
        assert!(crate::core::linalg::small::inverse(&array![[1.0, 2.0], [2.0, 4.0]]).is_none());
        let spd = array![[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]];
        let (si, ld) = crate::core::linalg::spd_inverse_logdet_seq(&spd).unwrap();
        let id = spd.dot(&si);
        for i in 0..3 {
            for j in 0..3 {
                assert!((id[[i, j]] - if i == j { 1.0 } else { 0.0 }).abs() < 1e-14);
            }
        }
        let det = 4.0 * (3.0 * 2.0 - 0.04) - 1.0 * (2.0 - 0.1) + 0.5 * (0.2 - 1.5);
        assert!((ld - f64::ln(det)).abs() < 1e-13);
        assert!(crate::core::linalg::small::cholesky(&array![[1.0, 2.0], [2.0, 1.0]]).is_none());
    }
}

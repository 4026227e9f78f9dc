//! Small dense kernels on flat row-major buffers (matrices of a few to a few dozen rows), where
//! a round trip through the faer bridge, or ndarray allocations, would cost more than the
//! arithmetic. Every kernel writes into caller-owned buffers, so hot loops allocate nothing.
//!
//! Layout: an `n × m` matrix is a slice of length `n·m`, row `i` at `i·m .. (i+1)·m`.

/// In-place lower Cholesky factor of the q × q matrix whose lower triangle is in `a`;
/// `false` if not (numerically) positive definite. The upper triangle is zeroed.
pub(crate) fn cholesky_in_place(a: &mut [f64], q: usize) -> bool {
    for j in 0..q {
        let mut d = a[j * q + j];
        for k in 0..j {
            d -= a[j * q + k] * a[j * q + k];
        }
        if !d.is_finite() || d <= 0.0 {
            return false;
        }
        let d = d.sqrt();
        a[j * q + j] = d;
        for i in (j + 1)..q {
            let mut v = a[i * q + j];
            for k in 0..j {
                v -= a[i * q + k] * a[j * q + k];
            }
            a[i * q + j] = v / d;
        }
        for k in (j + 1)..q {
            a[j * q + k] = 0.0;
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
    // t = L⁻¹ (lower triangular)
    for v in t.iter_mut() {
        *v = 0.0;
    }
    for j in 0..q {
        t[j * q + j] = 1.0 / l[j * q + j];
        for i in (j + 1)..q {
            let mut v = 0.0;
            for k in j..i {
                v -= l[i * q + k] * t[k * q + j];
            }
            t[i * q + j] = v / l[i * q + i];
        }
    }
    // inv_ab = Σ_k t_ka t_kb, k ≥ max(a, b)
    for a in 0..q {
        for b in 0..=a {
            let mut v = 0.0;
            for k in a..q {
                v += t[k * q + a] * t[k * q + b];
            }
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

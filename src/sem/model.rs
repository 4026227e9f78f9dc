//! Model matrices in an all-y LISREL representation.
//!
//! η holds the latent variables followed by "phantom" copies of the observed variables that take
//! part in the structural part (regressions, covariances with latent variables). Then
//!
//! ```text
//! Σ(θ) = Λ (I − B)⁻¹ Ψ (I − B)⁻ᵀ Λᵀ + Θ
//! ```
//!
//! with Λ (p × m) loadings (a phantom's row holds a fixed 1), B (m × m) regressions and loadings
//! on latent/phantom indicators, Ψ (m × m) (residual) (co)variances of η, Θ (p × p) residual
//! (co)variances of the observed variables that are not phantoms.

use ndarray::{Array1, Array2};

use super::partable::ParTable;
use super::syntax::Op;
use crate::core::linalg::small as dense;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MatKind {
    Lambda,
    Beta,
    Psi,
    Theta,
    /// Intercept ν of an observed variable that is not a phantom.
    Nu,
    /// Mean / intercept α of an η element (latent variable or phantom).
    Alpha,
}

/// Where a parameter-table row lives in the matrices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slot {
    pub kind: MatKind,
    pub i: usize,
    pub j: usize,
}

/// The compiled structure of a model: dimensions, slots and fixed values.
#[derive(Debug, Clone)]
pub(crate) struct ModelStructure {
    pub m: usize,
    /// Names of η (latent variables, then phantoms of observed variables).
    #[allow(dead_code)] // kept for diagnostics and the mean structure to come
    pub eta_names: Vec<String>,
    /// Index in η of every observed phantom (None if the observed variable is not a phantom).
    pub ov_eta: Vec<Option<usize>>,
    pub n_lv: usize,
    /// One slot per parameter-table row.
    pub slots: Vec<Slot>,
    /// Free index per row (copied from the parameter table).
    pub free: Vec<Option<usize>>,
    pub npar: usize,
    /// Matrices holding the fixed values (free entries are overwritten from θ).
    pub lambda0: Array2<f64>,
    pub beta0: Array2<f64>,
    pub psi0: Array2<f64>,
    pub theta0: Array2<f64>,
    pub nu0: Array1<f64>,
    pub alpha0: Array1<f64>,
    pub has_beta: bool,
    /// vech index pairs (i ≤ j), row-major over the upper triangle.
    pub vech: Vec<(usize, usize)>,
}

/// Model matrices at one parameter value.
#[derive(Debug, Clone)]
pub(crate) struct Matrices {
    pub lambda: Array2<f64>,
    pub beta: Array2<f64>,
    pub psi: Array2<f64>,
    pub theta: Array2<f64>,
    /// Observed intercepts (zero without a mean structure).
    pub nu: Array1<f64>,
    /// Means / intercepts of η (zero without a mean structure).
    pub alpha: Array1<f64>,
}

/// Quantities derived from the matrices: A = (I − B)⁻¹, M = Λ A, Σ.
#[derive(Debug, Clone)]
pub(crate) struct Implied {
    pub a: Array2<f64>,
    pub m: Array2<f64>,
    /// A Ψ Aᵀ Λᵀ = A Ψ Mᵀ (m × p)
    pub c: Array2<f64>,
    pub sigma: Array2<f64>,
}

/// Position of `(i, j)` (either order) in [`vech_pairs`]`(p)`: row `a = min(i, j)` starts after
/// the `a` rows above it, `a p − a(a − 1)/2` entries.
pub(crate) fn vech_position(p: usize, i: usize, j: usize) -> usize {
    let (a, b) = if i <= j { (i, j) } else { (j, i) };
    a * (2 * p + 1 - a) / 2 + (b - a)
}

pub(crate) fn vech_pairs(p: usize) -> Vec<(usize, usize)> {
    let mut v = Vec::with_capacity(p * (p + 1) / 2);
    for i in 0..p {
        for j in i..p {
            v.push((i, j));
        }
    }
    v
}

impl ModelStructure {
    /// Row of `(i, j)` (either order) in [`ModelStructure::vech`].
    pub(crate) fn vech_row(&self, i: usize, j: usize) -> usize {
        vech_position(self.ov_eta.len(), i, j)
    }

    pub(crate) fn new(pt: &ParTable) -> Result<Self> {
        let p = pt.ov.len();
        let ov_index = |s: &str| pt.ov.iter().position(|x| x == s);
        let lv_index = |s: &str| pt.lv.iter().position(|x| x == s);
        // phantom observed variables
        let mut phantom = vec![false; p];
        for r in &pt.rows {
            if r.op == Op::Regression {
                for s in [&r.lhs, &r.rhs] {
                    if let Some(i) = ov_index(s) {
                        phantom[i] = true;
                    }
                }
            }
        }
        loop {
            let mut changed = false;
            for r in &pt.rows {
                if r.op != Op::Covariance || r.lhs == r.rhs {
                    continue;
                }
                let in_eta = |s: &str, ph: &Vec<bool>| {
                    lv_index(s).is_some() || ov_index(s).is_some_and(|i| ph[i])
                };
                let (a, b) = (in_eta(&r.lhs, &phantom), in_eta(&r.rhs, &phantom));
                if a != b {
                    for s in [&r.lhs, &r.rhs] {
                        if let Some(i) = ov_index(s)
                            && !phantom[i]
                        {
                            phantom[i] = true;
                            changed = true;
                        }
                    }
                }
            }
            if !changed {
                break;
            }
        }
        let n_lv = pt.lv.len();
        let mut eta_names = pt.lv.clone();
        let mut ov_eta = vec![None; p];
        for i in 0..p {
            if phantom[i] {
                ov_eta[i] = Some(eta_names.len());
                eta_names.push(pt.ov[i].clone());
            }
        }
        let m = eta_names.len();
        let eta_index = |s: &str| -> Option<usize> {
            lv_index(s).or_else(|| ov_index(s).and_then(|i| ov_eta[i]))
        };
        let mut lambda0 = Array2::<f64>::zeros((p, m));
        for i in 0..p {
            if let Some(e) = ov_eta[i] {
                lambda0[[i, e]] = 1.0;
            }
        }
        let mut slots = Vec::with_capacity(pt.rows.len());
        let unknown = |s: &str| Error::UnknownVariable { name: s.to_string() };
        for r in &pt.rows {
            let slot = match r.op {
                Op::Loading => {
                    let f = lv_index(&r.lhs).ok_or_else(|| unknown(&r.lhs))?;
                    match (lv_index(&r.rhs), ov_index(&r.rhs)) {
                        (Some(g), _) => Slot { kind: MatKind::Beta, i: g, j: f },
                        (None, Some(i)) => match ov_eta[i] {
                            Some(e) => Slot { kind: MatKind::Beta, i: e, j: f },
                            None => Slot { kind: MatKind::Lambda, i, j: f },
                        },
                        _ => return Err(unknown(&r.rhs)),
                    }
                }
                Op::Regression => {
                    let y = eta_index(&r.lhs).ok_or_else(|| unknown(&r.lhs))?;
                    let x = eta_index(&r.rhs).ok_or_else(|| unknown(&r.rhs))?;
                    Slot { kind: MatKind::Beta, i: y, j: x }
                }
                Op::Intercept => match eta_index(&r.lhs) {
                    Some(e) => Slot { kind: MatKind::Alpha, i: e, j: 0 },
                    None => {
                        let i = ov_index(&r.lhs).ok_or_else(|| unknown(&r.lhs))?;
                        Slot { kind: MatKind::Nu, i, j: 0 }
                    }
                },
                Op::Covariance => match (eta_index(&r.lhs), eta_index(&r.rhs)) {
                    (Some(a), Some(b)) => Slot { kind: MatKind::Psi, i: a, j: b },
                    _ => {
                        let a = ov_index(&r.lhs).ok_or_else(|| unknown(&r.lhs))?;
                        let b = ov_index(&r.rhs).ok_or_else(|| unknown(&r.rhs))?;
                        Slot { kind: MatKind::Theta, i: a, j: b }
                    }
                },
                Op::Threshold => {
                    return Err(Error::invalid(
                        "model",
                        "threshold rows are not part of the covariance structure",
                    ));
                }
            };
            slots.push(slot);
        }
        let mut s = Self {
            m,
            eta_names,
            ov_eta,
            n_lv,
            slots,
            free: pt.rows.iter().map(|r| r.free).collect(),
            npar: pt.npar,
            lambda0,
            beta0: Array2::zeros((m, m)),
            psi0: Array2::zeros((m, m)),
            theta0: Array2::zeros((p, p)),
            nu0: Array1::zeros(p),
            alpha0: Array1::zeros(m),
            has_beta: false,
            vech: vech_pairs(p),
        };
        s.has_beta = s.slots.iter().any(|sl| sl.kind == MatKind::Beta);
        for (k, r) in pt.rows.iter().enumerate() {
            if let Some(v) = r.fixed {
                s.set_fixed(k, v);
            }
        }
        Ok(s)
    }

    /// Set a fixed value of row `k` in the base matrices.
    pub(crate) fn set_fixed(&mut self, k: usize, v: f64) {
        let sl = self.slots[k];
        match sl.kind {
            MatKind::Lambda => self.lambda0[[sl.i, sl.j]] = v,
            MatKind::Beta => self.beta0[[sl.i, sl.j]] = v,
            MatKind::Psi => {
                self.psi0[[sl.i, sl.j]] = v;
                self.psi0[[sl.j, sl.i]] = v;
            }
            MatKind::Theta => {
                self.theta0[[sl.i, sl.j]] = v;
                self.theta0[[sl.j, sl.i]] = v;
            }
            MatKind::Nu => self.nu0[sl.i] = v,
            MatKind::Alpha => self.alpha0[sl.i] = v,
        }
    }

    /// Matrices at θ.
    pub(crate) fn matrices(&self, theta: &[f64]) -> Matrices {
        let mut mats = Matrices {
            lambda: self.lambda0.clone(),
            beta: self.beta0.clone(),
            psi: self.psi0.clone(),
            theta: self.theta0.clone(),
            nu: self.nu0.clone(),
            alpha: self.alpha0.clone(),
        };
        for (k, sl) in self.slots.iter().enumerate() {
            if let Some(f) = self.free[k] {
                let v = theta[f];
                match sl.kind {
                    MatKind::Lambda => mats.lambda[[sl.i, sl.j]] = v,
                    MatKind::Beta => mats.beta[[sl.i, sl.j]] = v,
                    MatKind::Psi => {
                        mats.psi[[sl.i, sl.j]] = v;
                        mats.psi[[sl.j, sl.i]] = v;
                    }
                    MatKind::Theta => {
                        mats.theta[[sl.i, sl.j]] = v;
                        mats.theta[[sl.j, sl.i]] = v;
                    }
                    MatKind::Nu => mats.nu[sl.i] = v,
                    MatKind::Alpha => mats.alpha[sl.i] = v,
                }
            }
        }
        mats
    }

    /// Value of row `k` in the matrices.
    pub(crate) fn row_value(&self, mats: &Matrices, k: usize) -> f64 {
        let sl = self.slots[k];
        match sl.kind {
            MatKind::Lambda => mats.lambda[[sl.i, sl.j]],
            MatKind::Beta => mats.beta[[sl.i, sl.j]],
            MatKind::Psi => mats.psi[[sl.i, sl.j]],
            MatKind::Theta => mats.theta[[sl.i, sl.j]],
            MatKind::Nu => mats.nu[sl.i],
            MatKind::Alpha => mats.alpha[sl.i],
        }
    }

    /// Implied covariance and the intermediate products.
    pub(crate) fn implied(&self, mats: &Matrices) -> Result<Implied> {
        let m = self.m;
        let a = if self.has_beta {
            let mut i_b = -&mats.beta;
            for d in 0..m {
                i_b[[d, d]] += 1.0;
            }
            crate::core::linalg::small::inverse(&i_b)
                .ok_or_else(|| Error::Singular { matrix: "I - B".into() })?
        } else {
            Array2::eye(m)
        };
        // Small products with the kernels of `core::linalg::small` (structural zeros of Λ, B
        // and Ψ are skipped).
        let p = mats.lambda.nrows();
        let lambda = mats.lambda.as_standard_layout();
        let lambda = lambda.as_slice().expect("standard layout");
        let a_s = a.as_standard_layout();
        let a_s = a_s.as_slice().expect("standard layout");
        let mut mm = vec![0.0; p * m];
        if self.has_beta {
            dense::matmul_acc(lambda, a_s, p, m, m, 0.0, &mut mm);
        } else {
            mm.copy_from_slice(lambda);
        }
        let psi = mats.psi.as_standard_layout();
        let mut ap = vec![0.0; m * m];
        dense::matmul_acc(a_s, psi.as_slice().expect("standard layout"), m, m, m, 0.0, &mut ap);
        // C = (A Ψ) Mᵀ
        let mut c = vec![0.0; m * p];
        dense::matmul_abt(&ap, &mm, m, m, p, &mut c);
        // Σ = Λ (A Ψ Aᵀ Λᵀ) + Θ = Λ C + Θ
        let mut sigma = mats.theta.as_standard_layout().into_owned();
        dense::matmul_acc(lambda, &c, p, m, p, 1.0, sigma.as_slice_mut().expect("standard layout"));
        crate::core::linalg::symmetrize(&mut sigma);
        let shape = |r, k, v: Vec<f64>| Array2::from_shape_vec((r, k), v).expect("shape");
        Ok(Implied { a, m: shape(p, m, mm), c: shape(m, p, c), sigma })
    }

    /// Δ = ∂ vech Σ / ∂ θᵀ, (p(p+1)/2 × npar), at the implied quantities.
    pub(crate) fn delta(&self, imp: &Implied) -> Array2<f64> {
        let ps = self.vech.len();
        let mut d = Array2::<f64>::zeros((ps, self.npar));
        let mm = &imp.m;
        let c = &imp.c;
        for (k, sl) in self.slots.iter().enumerate() {
            let Some(f) = self.free[k] else { continue };
            if matches!(sl.kind, MatKind::Nu | MatKind::Alpha) {
                continue;
            }
            let (i, j) = (sl.i, sl.j);
            for (r, &(a, b)) in self.vech.iter().enumerate() {
                let v = match sl.kind {
                    MatKind::Lambda => {
                        (if a == i { c[[j, b]] } else { 0.0 })
                            + (if b == i { c[[j, a]] } else { 0.0 })
                    }
                    MatKind::Beta => mm[[a, i]] * c[[j, b]] + c[[j, a]] * mm[[b, i]],
                    MatKind::Psi => {
                        if i == j {
                            mm[[a, i]] * mm[[b, i]]
                        } else {
                            mm[[a, i]] * mm[[b, j]] + mm[[a, j]] * mm[[b, i]]
                        }
                    }
                    MatKind::Theta => {
                        if (a == i && b == j) || (a == j && b == i) {
                            1.0
                        } else {
                            0.0
                        }
                    }
                    MatKind::Nu | MatKind::Alpha => 0.0,
                };
                d[[r, f]] += v;
            }
        }
        d
    }

    /// g = Δᵀ vech-weighted G without forming Δ: for a symmetric G with dF = Σ_ab G_ab dσ_ab
    /// (full sum over a, b), ∂F/∂λ_ij = 2 (G Cᵀ)_ij, ∂F/∂β_ij = 2 (Mᵀ G Cᵀ)_ij,
    /// ∂F/∂ψ_ij = (2 − δ_ij) (Mᵀ G M)_ij and ∂F/∂θ_ij = (2 − δ_ij) G_ij, with C = A Ψ Mᵀ.
    /// Mean-structure rows contribute nothing.
    pub(crate) fn gradient_sym(&self, imp: &Implied, g: &Array2<f64>) -> Array1<f64> {
        let p = g.nrows();
        let m = self.m;
        let mut out = Array1::<f64>::zeros(self.npar);
        let (mut need_gc, mut need_mgc, mut need_mgm) = (false, false, false);
        for (k, sl) in self.slots.iter().enumerate() {
            if self.free[k].is_none() {
                continue;
            }
            match sl.kind {
                MatKind::Lambda => need_gc = true,
                MatKind::Beta => {
                    need_gc = true;
                    need_mgc = true;
                }
                MatKind::Psi => need_mgm = true,
                _ => {}
            }
        }
        let gs = g.as_standard_layout();
        let gs = gs.as_slice().expect("standard layout");
        let ms = imp.m.as_standard_layout();
        let ms = ms.as_slice().expect("standard layout");
        // G Cᵀ (p × m): row a, column j = Σ_b G_ab C_jb.
        let mut gc = Vec::new();
        if need_gc {
            let cs = imp.c.as_standard_layout();
            gc = vec![0.0; p * m];
            dense::matmul_abt(gs, cs.as_slice().expect("standard layout"), p, p, m, &mut gc);
        }
        // Mᵀ X (m × m) for X p × m: row i, column j = Σ_a M_ai X_aj.
        let mt_times = |x: &[f64]| {
            let mut r = vec![0.0; m * m];
            for a in 0..p {
                let xa = &x[a * m..(a + 1) * m];
                for i in 0..m {
                    let mai = ms[a * m + i];
                    if mai != 0.0 {
                        for (rv, xv) in r[i * m..(i + 1) * m].iter_mut().zip(xa) {
                            *rv += mai * xv;
                        }
                    }
                }
            }
            r
        };
        let mgc = if need_mgc { mt_times(&gc) } else { Vec::new() };
        let mgm = if need_mgm {
            let mut gm = vec![0.0; p * m];
            dense::matmul_acc(gs, ms, p, p, m, 0.0, &mut gm);
            mt_times(&gm)
        } else {
            Vec::new()
        };
        for (k, sl) in self.slots.iter().enumerate() {
            let Some(f) = self.free[k] else { continue };
            let (i, j) = (sl.i, sl.j);
            let twice = if i == j { 1.0 } else { 2.0 };
            out[f] += match sl.kind {
                MatKind::Lambda => 2.0 * gc[i * m + j],
                MatKind::Beta => 2.0 * mgc[i * m + j],
                MatKind::Psi => twice * mgm[i * m + j],
                MatKind::Theta => twice * gs[i * p + j],
                MatKind::Nu | MatKind::Alpha => 0.0,
            };
        }
        out
    }

    /// Δᵀ Γ(A) Δ (Γ as in [`super::objective`]) without forming Δ. Every column of Δ is vech of
    /// E = s (u vᵀ + v uᵀ) with u, v among the unit vectors e_a, the rows of C and the columns
    /// of M (λ_ij: e_i, C_j·; β_ij: M_·i, C_j·; ψ_ij: M_·i, M_·j; θ_ij: e_i, e_j; s = ½ on the
    /// diagonal of Ψ and Θ, else 1), and Δ_kᵀ Γ(A) Δ_l = ½ tr(E_k A E_l A)
    /// = s_k s_l [(u_kᵀ A u_l)(v_kᵀ A v_l) + (u_kᵀ A v_l)(v_kᵀ A u_l)], so only the small
    /// matrix G = Zᵀ A Z of those vectors Z = [I, Cᵀ, M] is needed. Mean-structure rows give 0.
    pub(crate) fn information_sym(&self, imp: &Implied, a: &Array2<f64>) -> Array2<f64> {
        let p = a.nrows();
        let m = self.m;
        let nz = p + 2 * m;
        let mut out = Array2::<f64>::zeros((self.npar, self.npar));
        // Z (p × nz), row-major
        let mut z = vec![0.0; p * nz];
        for r in 0..p {
            z[r * nz + r] = 1.0;
            for j in 0..m {
                z[r * nz + p + j] = imp.c[[j, r]];
                z[r * nz + p + m + j] = imp.m[[r, j]];
            }
        }
        let a_s = a.as_standard_layout();
        let a_s = a_s.as_slice().expect("standard layout");
        let mut az = vec![0.0; p * nz];
        dense::matmul_acc(a_s, &z, p, p, nz, 0.0, &mut az);
        // G = Zᵀ (A Z), symmetric: G[x][y] = Σ_r Z[r][x] (AZ)[r][y]
        let mut g = vec![0.0; nz * nz];
        for r in 0..p {
            let zr = &z[r * nz..(r + 1) * nz];
            let azr = &az[r * nz..(r + 1) * nz];
            for (x, &zx) in zr.iter().enumerate() {
                if zx != 0.0 {
                    for (gv, &v) in g[x * nz..(x + 1) * nz].iter_mut().zip(azr) {
                        *gv += zx * v;
                    }
                }
            }
        }
        let terms: Vec<(usize, usize, usize, f64)> = self
            .slots
            .iter()
            .zip(&self.free)
            .filter_map(|(sl, f)| {
                let f = (*f)?;
                let half = if sl.i == sl.j { 0.5 } else { 1.0 };
                let (u, v, s) = match sl.kind {
                    MatKind::Lambda => (sl.i, p + sl.j, 1.0),
                    MatKind::Beta => (p + m + sl.i, p + sl.j, 1.0),
                    MatKind::Psi => (p + m + sl.i, p + m + sl.j, half),
                    MatKind::Theta => (sl.i, sl.j, half),
                    MatKind::Nu | MatKind::Alpha => return None,
                };
                Some((f, u, v, s))
            })
            .collect();
        for (k, &(fk, uk, vk, sk)) in terms.iter().enumerate() {
            let gu = &g[uk * nz..(uk + 1) * nz];
            let gv = &g[vk * nz..(vk + 1) * nz];
            for (l, &(fl, ul, vl, sl)) in terms.iter().enumerate().skip(k) {
                let v = sk * sl * (gu[ul] * gv[vl] + gu[vl] * gv[ul]);
                out[[fk, fl]] += v;
                if l > k {
                    out[[fl, fk]] += v;
                }
            }
        }
        out
    }

    /// Model-implied means μ = ν + Λ (I − B)⁻¹ α = ν + M α.
    pub(crate) fn implied_mean(&self, mats: &Matrices, imp: &Implied) -> Array1<f64> {
        &mats.nu + &imp.m.dot(&mats.alpha)
    }

    /// ∂μ/∂θᵀ (p × npar) at the implied quantities, with Aα = (I − B)⁻¹ α:
    /// ∂μ/∂ν_i = e_i, ∂μ/∂α_j = M_·j, ∂μ/∂λ_ij = e_i (Aα)_j, ∂μ/∂β_ij = M_·i (Aα)_j.
    pub(crate) fn delta_mean(&self, mats: &Matrices, imp: &Implied) -> Array2<f64> {
        let p = self.nu0.len();
        let mut d = Array2::<f64>::zeros((p, self.npar));
        let aa = imp.a.dot(&mats.alpha);
        for (k, sl) in self.slots.iter().enumerate() {
            let Some(f) = self.free[k] else { continue };
            match sl.kind {
                MatKind::Nu => d[[sl.i, f]] += 1.0,
                MatKind::Alpha => {
                    for a in 0..p {
                        d[[a, f]] += imp.m[[a, sl.i]];
                    }
                }
                MatKind::Lambda => d[[sl.i, f]] += aa[sl.j],
                MatKind::Beta => {
                    for a in 0..p {
                        d[[a, f]] += imp.m[[a, sl.i]] * aa[sl.j];
                    }
                }
                MatKind::Psi | MatKind::Theta => {}
            }
        }
        d
    }

    /// Covariance matrix of η: A Ψ Aᵀ.
    pub(crate) fn eta_cov(&self, mats: &Matrices, imp: &Implied) -> Array2<f64> {
        imp.a.dot(&mats.psi).dot(&imp.a.t())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn vech_position_inverts_vech_pairs() {
        for p in 0..9 {
            for (r, &(i, j)) in super::vech_pairs(p).iter().enumerate() {
                assert_eq!(super::vech_position(p, i, j), r);
                assert_eq!(super::vech_position(p, j, i), r);
            }
        }
    }
}

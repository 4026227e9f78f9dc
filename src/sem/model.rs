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
        let mm = if self.has_beta { mats.lambda.dot(&a) } else { mats.lambda.clone() };
        let c = a.dot(&mats.psi).dot(&mm.t());
        // Σ = Λ (A Ψ Aᵀ Λᵀ) = Λ C
        let mut sigma = mats.lambda.dot(&c);
        sigma += &mats.theta;
        crate::core::linalg::symmetrize(&mut sigma);
        Ok(Implied { a, m: mm, c, sigma })
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

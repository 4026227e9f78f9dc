//! Explicit constraints of the model syntax (`a == b`, `a == 2*b + c`, `a > 0`, `a < b`), as
//! lavaan's constraint rows.
//!
//! Every constraint is a function of the free parameters through their labels (and through
//! defined parameters, `:=`, which are substituted): g(θ) = lhs − rhs for `==` and `>`,
//! rhs − lhs for `<`, so that an inequality holds when g(θ) ≥ 0.
//!
//! # Estimation
//! - **Linear equalities** A θ = b are exact: θ = θ₀ + K ψ, with K an orthonormal basis of the
//!   null space of A (eigenvectors of AᵀA with zero eigenvalue) and θ₀ the start values
//!   projected onto the constraint set. The driver's problem is minimised over ψ (gradient
//!   Kᵀ∇F, information KᵀHK). The number of free parameters falls by rank(A), as lavaan's
//!   `npar` and df do; redundant rows give a warning, inconsistent ones an error.
//! - **Linear inequalities** by an active set: solve with the active rows as equalities, add
//!   the most violated inactive row, drop the active row whose Lagrange multiplier (least
//!   squares solution of ∇F = Jᵀλ) is negative; repeat until neither happens. Exact, like the
//!   equality case.
//! - **Nonlinear constraints** (and linear inequalities in a model that also has nonlinear
//!   ones) by the augmented Lagrangian (Powell–Hestenes–Rockafellar; Nocedal & Wright 2006,
//!   §17.3–17.4) on top of the exact linear reparameterisation: an unconstrained minimisation
//!   of F + Σ penalty terms by the driver's solver, then the multiplier update λ ← λ − μ g (and
//!   λ ← max(0, λ − μ g) for inequalities), μ × 10 when the violation does not fall by 4.
//!
//! A constraint counts as linear when its gradient is the same at three distinct points and
//! its values agree with the first-order expansion between them.
//!
//! # Standard errors
//! As lavaan's augmented information: the inverse of the information restricted to the null
//! space of the Jacobian J of the equality constraints and of the inequality constraints active
//! at the solution, V = K (Kᵀ I K)⁻¹ Kᵀ (the top-left block of the inverse of the bordered
//! matrix [[I, Jᵀ], [J, 0]]). A parameter pinned by the constraints (e.g. a variance at its
//! bound) has zero variance; its standard error is reported as 0 (lavaan prints NA).

use std::collections::HashMap;

use ndarray::Array2;

use super::defined::{self, Dual};
use super::driver::{self, Block, BlockObjective, Model};
use super::estimate::{self, OptResult, Optimizer};
use super::model::ModelStructure;
use super::objective::Objective;
use super::partable::{ConRow, ParRow, ParTable};
use super::syntax::{ConstraintOp, Expr};
use crate::core::linalg;
use crate::core::optim::{Outcome, Problem};
use crate::error::{Error, Result};
use crate::warning::Warning;

/// One explicit constraint at the estimates, as lavaan's "Constraints" section.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ConstraintValue {
    /// Left-hand side as written.
    pub lhs: String,
    /// `==`, `<` or `>`.
    pub op: String,
    /// Right-hand side as written.
    pub rhs: String,
    /// |lhs − rhs| at the estimates (lavaan's `|Slack|`).
    pub slack: f64,
}

/// Every name a constraint uses must be a parameter label or a defined parameter, and a
/// constraint must involve at least one of them.
pub(crate) fn check_labels(
    rows: &[ParRow],
    defined: &[(String, Expr)],
    constraints: &[ConRow],
) -> Result<()> {
    for c in constraints {
        let mut names = c.lhs.labels();
        names.extend(c.rhs.labels());
        if names.is_empty() {
            return Err(Error::invalid(
                "model",
                format!("constraint `{}` names no parameter label", text(c)),
            ));
        }
        for l in names {
            if !rows.iter().any(|r| r.label == l) && !defined.iter().any(|(n, _)| *n == l) {
                return Err(Error::invalid(
                    "model",
                    format!(
                        "constraint `{}` uses `{l}`, which is not a parameter label or a defined parameter",
                        text(c)
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn text(c: &ConRow) -> String {
    format!("{} {} {}", c.lhs, c.op, c.rhs)
}

/// The constraint functions g_k(θ) with their gradients (q = number of free parameters).
pub(crate) fn values(pt: &ParTable, theta: &[f64]) -> Vec<Dual> {
    let q = theta.len();
    let mut env: HashMap<String, Dual> = HashMap::new();
    for r in pt.rows.iter().filter(|r| !r.label.is_empty()) {
        if env.contains_key(&r.label) {
            continue;
        }
        let d = match (r.free, r.fixed) {
            (Some(k), _) if k < q => {
                let mut g = vec![0.0; q];
                g[k] = 1.0;
                Dual { v: theta[k], g }
            }
            (_, Some(v)) => Dual { v, g: vec![0.0; q] },
            _ => Dual { v: f64::NAN, g: vec![0.0; q] },
        };
        env.insert(r.label.clone(), d);
    }
    for (name, expr) in &pt.defined {
        let d = defined::eval(expr, &env, q);
        env.insert(name.clone(), d);
    }
    pt.constraints
        .iter()
        .map(|c| {
            let l = defined::eval(&c.lhs, &env, q);
            let r = defined::eval(&c.rhs, &env, q);
            let (a, b) = if c.op == ConstraintOp::Less { (r, l) } else { (l, r) };
            Dual { v: a.v - b.v, g: a.g.iter().zip(&b.g).map(|(x, y)| x - y).collect() }
        })
        .collect()
}

/// The constraints at the estimates, for reporting.
pub(crate) fn report(pt: &ParTable, theta: &[f64]) -> Vec<ConstraintValue> {
    values(pt, theta)
        .iter()
        .zip(&pt.constraints)
        .map(|(d, c)| ConstraintValue {
            lhs: c.lhs.to_string(),
            op: c.op.as_str().to_string(),
            rhs: c.rhs.to_string(),
            slack: d.v.abs(),
        })
        .collect()
}

/// Which constraints are linear (see the module documentation), judged around `theta`.
fn linear(pt: &ParTable, theta: &[f64]) -> Vec<bool> {
    let q = theta.len();
    let shift = |s: f64, t: f64| -> Vec<f64> {
        theta
            .iter()
            .enumerate()
            .map(|(i, v)| v + s + t * ((i * 7 + 3) % 11) as f64 / 11.0)
            .collect()
    };
    let pts = [theta.to_vec(), shift(0.37, 0.29), shift(-0.23, 0.41)];
    let vals: Vec<Vec<Dual>> = pts.iter().map(|p| values(pt, p)).collect();
    (0..pt.constraints.len())
        .map(|k| {
            let d0 = &vals[0][k];
            (1..3).all(|j| {
                let dj = &vals[j][k];
                let scale = 1.0 + d0.g.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                let same_g = d0.g.iter().zip(&dj.g).all(|(a, b)| (a - b).abs() <= 1e-12 * scale);
                let pred = d0.v + (0..q).map(|i| d0.g[i] * (pts[j][i] - pts[0][i])).sum::<f64>();
                same_g && d0.v.is_finite() && (pred - dj.v).abs() <= 1e-10 * (1.0 + dj.v.abs())
            })
        })
        .collect()
}

/// An affine subspace θ = base + K ψ.
#[derive(Debug, Clone)]
struct Affine {
    base: Vec<f64>,
    /// q × r, orthonormal columns.
    k: Array2<f64>,
    /// Rank of the rows that defined it.
    rank: usize,
}

/// The solutions of A θ = b (rows `a`, right-hand sides `b`) nearest to `near`; an error when
/// the rows contradict each other.
fn affine(a: &[Vec<f64>], b: &[f64], near: &[f64]) -> Result<Affine> {
    let q = near.len();
    let m = a.len();
    if m == 0 {
        return Ok(Affine { base: near.to_vec(), k: Array2::eye(q), rank: 0 });
    }
    let ata = Array2::from_shape_fn((q, q), |(i, j)| a.iter().map(|r| r[i] * r[j]).sum());
    let (vals, vecs) = linalg::sym_eigen(ata.view(), "constraint Jacobian")?;
    let max = vals.iter().fold(0.0f64, |x, v| x.max(v.abs()));
    let rank = vals.iter().filter(|&&v| v > 1e-10 * max && v > 0.0).count();
    // residual of the rows at `near`, then the minimum-norm correction A⁺ r
    let resid: Vec<f64> =
        (0..m).map(|i| a[i].iter().zip(near).map(|(x, y)| x * y).sum::<f64>() - b[i]).collect();
    let atr: Vec<f64> = (0..q).map(|j| (0..m).map(|i| a[i][j] * resid[i]).sum()).collect();
    let mut base = near.to_vec();
    for c in 0..rank {
        let coef: f64 = (0..q).map(|j| vecs[[j, c]] * atr[j]).sum::<f64>() / vals[c];
        for (j, bj) in base.iter_mut().enumerate() {
            *bj -= coef * vecs[[j, c]];
        }
    }
    for i in 0..m {
        let r = a[i].iter().zip(&base).map(|(x, y)| x * y).sum::<f64>() - b[i];
        if r.abs() > 1e-8 * (1.0 + b[i].abs()) {
            return Err(Error::invalid(
                "model",
                format!(
                    "the equality constraints contradict each other (no parameter value satisfies all of them; residual {r:.3e})"
                ),
            ));
        }
    }
    let k = Array2::from_shape_fn((q, q - rank), |(i, c)| vecs[[i, rank + c]]);
    Ok(Affine { base, k, rank })
}

/// The driver's problem over θ = base + K ψ.
struct Reparam<'a, 'b> {
    inner: &'a mut Model<'b>,
    sub: &'a Affine,
    x: Vec<f64>,
    g: Vec<f64>,
    h: Vec<f64>,
}

impl<'a, 'b> Reparam<'a, 'b> {
    fn new(inner: &'a mut Model<'b>, sub: &'a Affine) -> Self {
        let q = sub.base.len();
        Reparam { inner, sub, x: vec![0.0; q], g: vec![0.0; q], h: vec![0.0; q * q] }
    }
    fn theta(&self, psi: &[f64]) -> Vec<f64> {
        theta_of(self.sub, psi)
    }
}

fn theta_of(sub: &Affine, psi: &[f64]) -> Vec<f64> {
    let mut x = sub.base.clone();
    for (i, xi) in x.iter_mut().enumerate() {
        for (c, p) in psi.iter().enumerate() {
            *xi += sub.k[[i, c]] * p;
        }
    }
    x
}

/// Kᵀ v.
fn kt(k: &Array2<f64>, v: &[f64], out: &mut [f64]) {
    for (c, o) in out.iter_mut().enumerate() {
        *o = (0..v.len()).map(|i| k[[i, c]] * v[i]).sum();
    }
}

/// Kᵀ H K (H q × q row-major, out r × r row-major).
fn ktk(k: &Array2<f64>, h: &[f64], out: &mut [f64]) {
    let (q, r) = k.dim();
    let mut hk = vec![0.0; q * r];
    for i in 0..q {
        for c in 0..r {
            hk[i * r + c] = (0..q).map(|j| h[i * q + j] * k[[j, c]]).sum();
        }
    }
    for a in 0..r {
        for c in 0..r {
            out[a * r + c] = (0..q).map(|i| k[[i, a]] * hk[i * r + c]).sum();
        }
    }
}

impl Problem for Reparam<'_, '_> {
    fn value(&mut self, psi: &[f64]) -> Option<f64> {
        self.x = self.theta(psi);
        self.inner.value(&self.x)
    }
    fn gradient(&mut self, _psi: &[f64], g: &mut [f64]) -> bool {
        let x = std::mem::take(&mut self.x);
        let ok = self.inner.gradient(&x, &mut self.g);
        self.x = x;
        if ok {
            kt(&self.sub.k, &self.g, g);
        }
        ok
    }
    fn information(&mut self, _psi: &[f64], h: &mut [f64]) -> bool {
        let x = std::mem::take(&mut self.x);
        let ok = self.inner.information(&x, &mut self.h);
        self.x = x;
        if ok {
            ktk(&self.sub.k, &self.h, h);
        }
        ok
    }
}

/// The augmented Lagrangian of the constraints `rows` (indices into the table's constraints)
/// over the reparameterised problem.
struct Lagrangian<'a, 'b, 'c> {
    inner: Reparam<'a, 'b>,
    pt: &'c ParTable,
    rows: &'c [usize],
    lambda: Vec<f64>,
    mu: f64,
    cur: Vec<Dual>,
}

impl Lagrangian<'_, '_, '_> {
    fn is_eq(&self, k: usize) -> bool {
        self.pt.constraints[k].op == ConstraintOp::Equal
    }
    /// The multiplier of the penalty gradient for row j at the current point (0 = inactive).
    fn weight(&self, j: usize) -> f64 {
        let k = self.rows[j];
        let g = self.cur[k].v;
        if self.is_eq(k) || self.lambda[j] - self.mu * g > 0.0 {
            -self.lambda[j] + self.mu * g
        } else {
            0.0
        }
    }
}

impl Problem for Lagrangian<'_, '_, '_> {
    fn value(&mut self, psi: &[f64]) -> Option<f64> {
        let f = self.inner.value(psi)?;
        self.cur = values(self.pt, &self.inner.x);
        let mut pen = 0.0;
        for (j, &k) in self.rows.iter().enumerate() {
            let g = self.cur[k].v;
            let l = self.lambda[j];
            pen += if self.is_eq(k) || l - self.mu * g > 0.0 {
                -l * g + 0.5 * self.mu * g * g
            } else {
                -l * l / (2.0 * self.mu)
            };
        }
        let v = f + pen;
        v.is_finite().then_some(v)
    }
    fn gradient(&mut self, psi: &[f64], g: &mut [f64]) -> bool {
        if !self.inner.gradient(psi, g) {
            return false;
        }
        let q = self.inner.x.len();
        let mut extra = vec![0.0; q];
        for j in 0..self.rows.len() {
            let w = self.weight(j);
            if w != 0.0 {
                for (e, d) in extra.iter_mut().zip(&self.cur[self.rows[j]].g) {
                    *e += w * d;
                }
            }
        }
        let mut ke = vec![0.0; g.len()];
        kt(&self.inner.sub.k, &extra, &mut ke);
        for (a, b) in g.iter_mut().zip(&ke) {
            *a += b;
        }
        true
    }
    fn information(&mut self, psi: &[f64], h: &mut [f64]) -> bool {
        if !self.inner.information(psi, h) {
            return false;
        }
        let r = g_len(&self.inner);
        for j in 0..self.rows.len() {
            let k = self.rows[j];
            if !self.is_eq(k) && self.lambda[j] - self.mu * self.cur[k].v <= 0.0 {
                continue;
            }
            let mut kd = vec![0.0; r];
            kt(&self.inner.sub.k, &self.cur[k].g, &mut kd);
            for a in 0..r {
                for c in 0..r {
                    h[a * r + c] += self.mu * kd[a] * kd[c];
                }
            }
        }
        true
    }
}

fn g_len(p: &Reparam<'_, '_>) -> usize {
    p.sub.k.ncols()
}

/// Largest violation of the constraints `rows` at `theta`.
fn violation(pt: &ParTable, rows: &[usize], vals: &[Dual]) -> f64 {
    rows.iter()
        .map(|&k| {
            let v = vals[k].v;
            if pt.constraints[k].op == ConstraintOp::Equal { v.abs() } else { (-v).max(0.0) }
        })
        .fold(0.0, f64::max)
}

/// Minimise one complete-data discrepancy under the table's constraints from `theta0`.
/// `Ok(None)` when Σ(θ) is not positive definite at the (projected) start.
pub(crate) fn minimize(
    pt: &ParTable,
    st: &ModelStructure,
    obj: &Objective,
    theta0: &[f64],
    optimizer: Optimizer,
    max_iter: usize,
) -> Result<Option<OptResult>> {
    let block = Block::single(st.clone(), BlockObjective::Moments(obj.clone()));
    let blocks = std::slice::from_ref(&block);
    let Some(s) = solve_blocks(pt, blocks, theta0, optimizer, max_iter)? else {
        return Ok(None);
    };
    Ok(finish(st, obj, s.theta, s.out, s.iterations))
}

/// The driver's run ([`driver::run`]) under the constraints of `pt`, whose free indices are the
/// global parameters of `blocks` (one block for a single group, FIML included; one per group
/// in a multi-group model). `Ok(None)` when a block cannot be evaluated at the (projected)
/// start or at the solution.
pub(crate) fn run_blocks(
    pt: &ParTable,
    blocks: &[Block],
    theta0: &[f64],
    optimizer: Optimizer,
    max_iter: usize,
) -> Result<Option<driver::Driven>> {
    let Some(s) = solve_blocks(pt, blocks, theta0, optimizer, max_iter)? else {
        return Ok(None);
    };
    let Some(points) = Model::eval_all(blocks, &s.theta) else { return Ok(None) };
    Ok(Some(driver::Driven {
        points,
        iterations: s.iterations,
        converged: s.out.converged,
        reason: s.out.reason(),
        grad_max: s.out.grad_max,
        theta: s.theta,
    }))
}

/// A constrained solution: the parameters, the last solver outcome and the total iterations.
struct Solved {
    theta: Vec<f64>,
    out: Outcome,
    iterations: usize,
}

fn solve_blocks(
    pt: &ParTable,
    blocks: &[Block],
    theta0: &[f64],
    optimizer: Optimizer,
    max_iter: usize,
) -> Result<Option<Solved>> {
    let q = theta0.len();
    let lin = linear(pt, theta0);
    let vals0 = values(pt, theta0);
    let row = |k: usize| -> (Vec<f64>, f64) {
        // g(θ) = aᵀθ + c, so g = 0 ⇔ aᵀθ = −c
        let d = &vals0[k];
        let c = d.v - d.g.iter().zip(theta0).map(|(a, t)| a * t).sum::<f64>();
        (d.g.clone(), -c)
    };
    let n = pt.constraints.len();
    let is_eq = |k: usize| pt.constraints[k].op == ConstraintOp::Equal;
    let eq_lin: Vec<usize> = (0..n).filter(|&k| lin[k] && is_eq(k)).collect();
    let nonlin: Vec<usize> = (0..n).filter(|&k| !lin[k]).collect();
    let ineq_lin: Vec<usize> = (0..n).filter(|&k| lin[k] && !is_eq(k)).collect();
    let mut model = Model::new(blocks, q);
    let mut iterations = 0usize;
    let solve_on = |model: &mut Model<'_>,
                    active: &[usize],
                    near: &[f64],
                    iterations: &mut usize|
     -> Result<Option<(Vec<f64>, Outcome)>> {
        let (a, b): (Vec<Vec<f64>>, Vec<f64>) = active.iter().map(|&k| row(k)).unzip();
        let sub = affine(&a, &b, near)?;
        if Model::eval_all(blocks, &sub.base).is_none() {
            return Ok(None);
        }
        let r = sub.k.ncols();
        let mut prob = Reparam::new(model, &sub);
        let out = driver::solve(&mut prob, &vec![0.0; r], optimizer, max_iter);
        *iterations += out.iterations;
        Ok(Some((theta_of(&sub, &out.x), out)))
    };
    if nonlin.is_empty() {
        // active set over the linear inequalities
        let mut active: Vec<usize> = Vec::new();
        let mut near = theta0.to_vec();
        let mut last = None;
        for _ in 0..(2 * ineq_lin.len() + 2) {
            let rows: Vec<usize> = eq_lin.iter().chain(&active).copied().collect();
            let Some((theta, out)) = solve_on(&mut model, &rows, &near, &mut iterations)? else {
                return Ok(None);
            };
            let vals = values(pt, &theta);
            // most violated inactive inequality
            let worst = ineq_lin
                .iter()
                .filter(|k| !active.contains(k))
                .map(|&k| (k, vals[k].v))
                .filter(|(_, v)| *v < -1e-10)
                .min_by(|a, b| a.1.total_cmp(&b.1));
            if let Some((k, _)) = worst {
                active.push(k);
                near = theta;
                last = Some((near.clone(), out));
                continue;
            }
            // multipliers of the active rows: ∇F = Jᵀ λ
            let drop = if active.is_empty() {
                None
            } else {
                negative_multiplier(&mut model, pt, &rows, &active, &theta)
            };
            last = Some((theta.clone(), out));
            match drop {
                Some(k) => {
                    active.retain(|&a| a != k);
                    near = theta;
                }
                None => break,
            }
        }
        let Some((theta, out)) = last else { return Ok(None) };
        return Ok(Some(Solved { theta, out, iterations }));
    }
    // augmented Lagrangian over the nonlinear rows and the linear inequalities
    let (a, b): (Vec<Vec<f64>>, Vec<f64>) = eq_lin.iter().map(|&k| row(k)).unzip();
    let sub = affine(&a, &b, theta0)?;
    if Model::eval_all(blocks, &sub.base).is_none() {
        return Ok(None);
    }
    let rows: Vec<usize> = nonlin.iter().chain(&ineq_lin).copied().collect();
    let r = sub.k.ncols();
    let mut psi = vec![0.0; r];
    let mut lag = Lagrangian {
        inner: Reparam::new(&mut model, &sub),
        pt,
        rows: &rows,
        lambda: vec![0.0; rows.len()],
        mu: 10.0,
        cur: Vec::new(),
    };
    let mut prev = f64::INFINITY;
    let mut last: Option<Outcome> = None;
    for _ in 0..60 {
        let out = driver::solve(&mut lag, &psi, optimizer, max_iter);
        iterations += out.iterations;
        psi.clone_from(&out.x);
        let theta = theta_of(&sub, &psi);
        let vals = values(pt, &theta);
        let viol = violation(pt, &rows, &vals);
        let done = viol < 1e-11 && out.converged;
        for (j, &k) in rows.iter().enumerate() {
            let g = vals[k].v;
            lag.lambda[j] = if is_eq(k) {
                lag.lambda[j] - lag.mu * g
            } else {
                (lag.lambda[j] - lag.mu * g).max(0.0)
            };
        }
        last = Some(out);
        if done {
            break;
        }
        if viol > 0.25 * prev {
            lag.mu = (lag.mu * 10.0).min(1e12);
        }
        prev = viol;
    }
    let Some(mut out) = last else { return Ok(None) };
    let theta = theta_of(&sub, &psi);
    let viol = violation(pt, &rows, &values(pt, &theta));
    if viol > 1e-8 {
        out.converged = false;
    }
    Ok(Some(Solved { theta, out, iterations }))
}

/// The active inequality with the most negative Lagrange multiplier, if any.
fn negative_multiplier(
    model: &mut Model<'_>,
    pt: &ParTable,
    rows: &[usize],
    active: &[usize],
    theta: &[f64],
) -> Option<usize> {
    let q = theta.len();
    model.value(theta)?;
    let mut g = vec![0.0; q];
    if !model.gradient(theta, &mut g) {
        return None;
    }
    let vals = values(pt, theta);
    let m = rows.len();
    let jjt = Array2::from_shape_fn((m, m), |(a, b)| {
        vals[rows[a]].g.iter().zip(&vals[rows[b]].g).map(|(x, y)| x * y).sum()
    });
    let jg: Vec<f64> =
        rows.iter().map(|&k| vals[k].g.iter().zip(&g).map(|(x, y)| x * y).sum()).collect();
    let (pinv, _) = linalg::sym_pinv(jjt.view(), "constraint Jacobian", 1e-10).ok()?;
    let scale = 1e-8 * (1.0 + g.iter().fold(0.0f64, |a, b| a.max(b.abs())));
    rows.iter()
        .enumerate()
        .filter(|(_, k)| active.contains(k))
        .map(|(a, &k)| (k, (0..m).map(|b| pinv[[a, b]] * jg[b]).sum::<f64>()))
        .filter(|(_, l)| *l < -scale)
        .min_by(|x, y| x.1.total_cmp(&y.1))
        .map(|(k, _)| k)
}

fn finish(
    st: &ModelStructure,
    obj: &Objective,
    theta: Vec<f64>,
    out: Outcome,
    iterations: usize,
) -> Option<OptResult> {
    let point = estimate::eval(st, obj, &theta)?;
    Some(OptResult {
        point,
        iterations,
        converged: out.converged,
        reason: out.reason(),
        grad_max: out.grad_max,
    })
}

/// The restricted inverse information and the rank of the equality constraints.
pub(crate) struct Restricted {
    pub info_inv: Array2<f64>,
    /// Rank of the Jacobian of the equality constraints (the free-parameter count falls by it).
    pub eq_rank: usize,
    pub warnings: Vec<Warning>,
}

/// Active inequalities: |g| at most this at the solution.
const ACTIVE_TOL: f64 = 1e-6;

/// K (Kᵀ I K)⁻¹ Kᵀ over the null space K of the equality and active inequality constraints.
pub(crate) fn restricted_inverse(
    pt: &ParTable,
    theta: &[f64],
    info: &Array2<f64>,
) -> Result<Restricted> {
    let q = theta.len();
    let vals = values(pt, theta);
    let mut warnings = Vec::new();
    let eq: Vec<Vec<f64>> = pt
        .constraints
        .iter()
        .zip(&vals)
        .filter(|(c, _)| c.op == ConstraintOp::Equal)
        .map(|(_, d)| d.g.clone())
        .collect();
    let rank_of = |rows: &[Vec<f64>]| -> Result<usize> {
        if rows.is_empty() {
            return Ok(0);
        }
        Ok(affine(rows, &vec![0.0; rows.len()], &vec![0.0; q])?.rank)
    };
    let eq_rank = rank_of(&eq)?;
    if eq_rank < eq.len() {
        warnings.push(Warning::Other {
            message: format!(
                "the {} equality constraints are redundant (rank {eq_rank}): the free-parameter count falls by {eq_rank}",
                eq.len()
            ),
        });
    }
    let k = &null_space_of(pt, &vals, q)?;
    let r = k.ncols();
    let mut flat = vec![0.0; q * q];
    for i in 0..q {
        for j in 0..q {
            flat[i * q + j] = info[[i, j]];
        }
    }
    let mut red = vec![0.0; r * r];
    ktk(k, &flat, &mut red);
    let red = Array2::from_shape_vec((r, r), red).map_err(|e| Error::LinearAlgebra {
        operation: "restricted information".into(),
        message: e.to_string(),
    })?;
    let names: Vec<String> =
        (0..r).map(|c| format!("direction {} of the constrained parameters", c + 1)).collect();
    let inv = super::vcov::invert_information(&red, &names)?;
    let kinv = k.dot(&inv);
    let mut v = kinv.dot(&k.t());
    // parameters pinned by the constraints have no sampling variance
    for i in 0..q {
        let reference = 1.0 / info[[i, i]].max(f64::MIN_POSITIVE);
        if v[[i, i]].abs() <= 1e-10 * reference {
            for j in 0..q {
                v[[i, j]] = 0.0;
                v[[j, i]] = 0.0;
            }
        }
    }
    Ok(Restricted { info_inv: v, eq_rank, warnings })
}

/// An orthonormal basis K (q × r) of the null space of the Jacobian of the equality constraints
/// and of the inequalities active at `theta`: the directions the constrained estimate can move
/// in (a Jacobian Δ of the model restricted to them is Δ K).
///
/// # Errors
/// Contradicting constraints.
pub(crate) fn null_space(pt: &ParTable, theta: &[f64]) -> Result<Array2<f64>> {
    null_space_of(pt, &values(pt, theta), theta.len())
}

fn null_space_of(pt: &ParTable, vals: &[Dual], q: usize) -> Result<Array2<f64>> {
    let mut all = Vec::new();
    for (c, d) in pt.constraints.iter().zip(vals) {
        if c.op == ConstraintOp::Equal || d.v.abs() <= ACTIVE_TOL * (1.0 + d.v.abs()) {
            all.push(d.g.clone());
        }
    }
    Ok(affine(&all, &vec![0.0; all.len()], &vec![0.0; q])?.k)
}

/// Explicit constraints are estimated for single-group complete-data ML/GLS/ULS fits; elsewhere
/// they are refused rather than ignored.
pub(crate) fn refuse(syntax: &super::syntax::ModelSyntax, what: &str) -> Result<()> {
    match syntax
        .statements
        .iter()
        .find(|s| matches!(s, super::syntax::Statement::Constraint { .. }))
    {
        Some(s) => Err(Error::invalid(
            "model",
            format!("explicit constraints (`{s}`) are not offered for {what}; use shared labels"),
        )),
        None => Ok(()),
    }
}

/// The explicit constraints of a multi-group model as one table over its global parameters:
/// every group's labelled rows (free index = the global index `map[g][f]`; a label is taken from
/// the first group that carries it), the defined parameters and the syntax's constraint rows.
/// `None` when the syntax has no constraint.
///
/// # Errors
/// [`Error::InvalidParameter`] when a constraint names no label or a label no group has.
pub(crate) fn global_table(
    syntax: &super::syntax::ModelSyntax,
    pts: &[ParTable],
    map: &[Vec<usize>],
    q: usize,
) -> Result<Option<ParTable>> {
    let constraints: Vec<ConRow> = syntax
        .statements
        .iter()
        .filter_map(|s| match s {
            super::syntax::Statement::Constraint { lhs, op, rhs } => {
                Some(ConRow { lhs: lhs.clone(), op: *op, rhs: rhs.clone() })
            }
            _ => None,
        })
        .collect();
    let Some(first) = pts.first() else { return Ok(None) };
    if constraints.is_empty() {
        return Ok(None);
    }
    let mut rows = Vec::new();
    for (pt, m) in pts.iter().zip(map) {
        for r in pt.rows.iter().filter(|r| !r.label.is_empty()) {
            let mut r = r.clone();
            r.free = r.free.and_then(|f| m.get(f).copied());
            rows.push(r);
        }
    }
    check_labels(&rows, &first.defined, &constraints)?;
    Ok(Some(ParTable {
        rows,
        defined: first.defined.clone(),
        ov: first.ov.clone(),
        lv: first.lv.clone(),
        ov_x: first.ov_x.clone(),
        npar: q,
        meanstructure: first.meanstructure,
        constraints,
    }))
}

/// The driver's run over `blocks`, under the constraints of `cons` when there are any.
///
/// # Errors
/// Contradicting equality constraints.
pub(crate) fn run_maybe(
    cons: Option<&ParTable>,
    blocks: &[Block],
    q: usize,
    theta0: &[f64],
    optimizer: Optimizer,
    max_iter: usize,
) -> Result<Option<driver::Driven>> {
    match cons {
        Some(pt) => run_blocks(pt, blocks, theta0, optimizer, max_iter),
        None => Ok(driver::run(blocks, q, theta0, optimizer, max_iter)),
    }
}

/// The inverse of the information `info` at `theta`: restricted to the constraints of `cons`
/// when there are any ([`restricted_inverse`]), with the rank by which the free-parameter count
/// falls and the constraints' warnings.
///
/// # Errors
/// A singular (restricted) information: [`Error::NotIdentified`] naming the parameters.
pub(crate) fn invert_maybe(
    cons: Option<&ParTable>,
    theta: &[f64],
    info: &Array2<f64>,
    names: &[String],
) -> Result<Restricted> {
    match cons {
        Some(pt) => restricted_inverse(pt, theta, info),
        None => Ok(Restricted {
            info_inv: super::vcov::invert_information(info, names)?,
            eq_rank: 0,
            warnings: Vec::new(),
        }),
    }
}

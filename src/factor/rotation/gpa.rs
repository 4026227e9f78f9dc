//! The rotation algorithms: varimax by SVD, and GPA (orthogonal and oblique) with the
//! Barzilai–Borwein / non-monotone step rule and the guard against known solutions.

use super::*;

/// The SVD algorithm of `stats::varimax` (Kaiser normalization), started from `t0`.
/// With a `guard`, gives up (`abandoned`) once its loadings are within [`SAME_SOLUTION_TOL`] of it.
pub(super) fn varimax_guarded(
    a: &Array2<f64>,
    t0: &Array2<f64>,
    rule: StoppingRule,
    guard: Option<&Array2<f64>>,
) -> Result<Rotated> {
    let (p, k) = a.dim();
    let sc = row_norms(a);
    if sc.iter().any(|&s| !(s > 0.0)) {
        return Err(Error::invalid(
            "loadings",
            "a variable has an all-zero loading row (Kaiser normalization undefined)",
        ));
    }
    let x: Vec<f64> = (0..p * k).map(|ij| a[[ij / k, ij % k]] / sc[ij / k]).collect();
    let (eps, max_iter) = match rule {
        StoppingRule::R => (1e-5, 1000),
        StoppingRule::Full => (1e-13, 100_000),
    };
    let mut tt = flat(t0);
    let mut z = vec![0.0; p * k];
    let mut inner = vec![0.0; p * k];
    let mut b = vec![0.0; k * k];
    let mut cs = vec![0.0; k];
    let mut pw = small::PolarWork::new(k);
    let mut d = 0.0;
    let mut iters = 0;
    let mut converged = false;
    let mut abandoned = false;
    for _ in 0..max_iter {
        iters += 1;
        mul_ab(&x, p, k, &tt, &mut z);
        if let Some(gd) = guard
            && near_solution(&z, Some(sc.as_slice().unwrap_or(&[])), gd)
        {
            abandoned = true;
            break;
        }
        cs.fill(0.0);
        for i in 0..p {
            for j in 0..k {
                cs[j] += z[i * k + j] * z[i * k + j];
            }
        }
        for i in 0..p {
            for j in 0..k {
                let v = z[i * k + j];
                inner[i * k + j] = v * v * v - v * cs[j] / p as f64;
            }
        }
        mul_atb(&x, &inner, p, k, &mut b);
        let sum_sv = small::polar_into(&b, k, &mut pw, &mut tt)
            .ok_or_else(|| Error::Singular { matrix: "varimax B (degenerate loadings)".into() })?;
        let dpast = d;
        d = sum_sv;
        if d < dpast * (1.0 + eps) {
            converged = true;
            break;
        }
    }
    mul_ab(&x, p, k, &tt, &mut z);
    let zn = unflat(&z, p, k);
    let loadings = Array2::from_shape_fn((p, k), |(i, j)| z[i * k + j] * sc[i]);
    let crit = Rotation::Varimax.criterion(&zn).map(|c| c.0);
    Ok(Rotated {
        loadings,
        phi: None,
        t: unflat(&tt, k, k),
        convergence: Convergence {
            converged,
            iterations: iters,
            reason: if converged {
                format!("relative change of the varimax criterion below {eps:.0e}")
            } else {
                format!("iteration limit {max_iter} reached")
            },
        },
        criterion: crit,
        starts_used: 1,
        abandoned,
    })
}

/// A full-convergence GPA run that can no longer decrease the criterion in floating point is
/// converged when its projected-gradient norm is below this.
pub(super) const GPA_STALL_OK: f64 = 1e-6;

pub(super) fn gpa_params(rule: StoppingRule) -> (f64, usize) {
    match rule {
        StoppingRule::R => (1e-5, 1000),
        StoppingRule::Full => (1e-10, 20_000),
    }
}

pub(super) fn not_criterion() -> Error {
    Error::invalid("rotation", "not a criterion rotation")
}

/// The two GPA geometries: orthogonal (Jennrich 2001: `Λ = A T`, `TᵀT = I`, projection onto the
/// tangent space of the orthogonal group, steps mapped back by the polar factor) and oblique
/// (Jennrich 2002: `Λ = A T⁻ᵀ`, `diag(TᵀT) = 1`, projection removing each column's radial part,
/// steps mapped back by normalizing the columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Geometry {
    Orthogonal,
    Oblique,
}

/// Scratch of one GPA run that depends on the geometry (allocated once per run).
struct GeometryWork {
    geometry: Geometry,
    p: usize,
    k: usize,
    /// k × k scratch (TᵀG, LᵀGq, inversion workspace).
    m: Vec<f64>,
    work: Vec<f64>,
    cs: Vec<f64>,
    pw: small::PolarWork,
}

impl GeometryWork {
    fn new(geometry: Geometry, p: usize, k: usize) -> Self {
        Self {
            geometry,
            p,
            k,
            m: vec![0.0; k * k],
            work: vec![0.0; k * k],
            cs: vec![0.0; k],
            pw: small::PolarWork::new(k),
        }
    }

    /// The loadings at `t` into `l` (oblique: `T⁻¹` into `ti` first); `false` when `T` is
    /// singular.
    fn loadings(&mut self, af: &[f64], t: &[f64], ti: &mut [f64], l: &mut [f64]) -> bool {
        let (p, k) = (self.p, self.k);
        match self.geometry {
            Geometry::Orthogonal => mul_ab(af, p, k, t, l),
            Geometry::Oblique => {
                if !crate::core::linalg::small::inv_into(t, k, &mut self.work, ti) {
                    return false;
                }
                mul_abt(af, p, k, ti, l);
            }
        }
        true
    }

    /// The criterion's gradient with respect to `T`: `AᵀGq` (orthogonal), `−(Lᵀ Gq T⁻¹)ᵀ`
    /// (oblique).
    fn gradient(&mut self, af: &[f64], l: &[f64], gq: &[f64], ti: &[f64], g: &mut [f64]) {
        let (p, k) = (self.p, self.k);
        match self.geometry {
            Geometry::Orthogonal => mul_atb(af, gq, p, k, g),
            Geometry::Oblique => {
                let m = &mut self.m;
                mul_atb(l, gq, p, k, m);
                for a_ in 0..k {
                    for b_ in 0..k {
                        let mut v = 0.0;
                        for c in 0..k {
                            v += m[a_ * k + c] * ti[c * k + b_];
                        }
                        g[b_ * k + a_] = -v;
                    }
                }
            }
        }
    }

    /// The projected gradient into `gp`, returning its squared norm: `G − T sym(TᵀG)`
    /// (orthogonal), `G − T diag(1ᵀ(T∘G))` (oblique).
    fn project(&mut self, t: &[f64], g: &[f64], gp: &mut [f64]) -> f64 {
        let k = self.k;
        let mut ss = 0.0;
        match self.geometry {
            Geometry::Orthogonal => {
                let m = &mut self.m;
                for a_ in 0..k {
                    for b_ in 0..k {
                        let mut v = 0.0;
                        for c in 0..k {
                            v += t[c * k + a_] * g[c * k + b_];
                        }
                        m[a_ * k + b_] = v;
                    }
                }
                for i in 0..k {
                    for j in 0..k {
                        let mut v = 0.0;
                        for c in 0..k {
                            v += t[i * k + c] * 0.5 * (m[c * k + j] + m[j * k + c]);
                        }
                        let gpv = g[i * k + j] - v;
                        gp[i * k + j] = gpv;
                        ss += gpv * gpv;
                    }
                }
            }
            Geometry::Oblique => {
                let cs = &mut self.cs;
                cs.fill(0.0);
                for i in 0..k {
                    for j in 0..k {
                        cs[j] += t[i * k + j] * g[i * k + j];
                    }
                }
                for i in 0..k {
                    for j in 0..k {
                        let v = g[i * k + j] - t[i * k + j] * cs[j];
                        gp[i * k + j] = v;
                        ss += v * v;
                    }
                }
            }
        }
        ss
    }

    /// Maps the step `x = T − α Gp` back onto the constraint set: the polar factor into `tc`
    /// (orthogonal), or `x` with unit columns swapped into `tc` and its inverse into `tic`
    /// (oblique). `false` when that fails (the step is then halved).
    fn retract(&mut self, x: &mut Vec<f64>, tc: &mut Vec<f64>, tic: &mut [f64]) -> bool {
        let k = self.k;
        match self.geometry {
            Geometry::Orthogonal => small::polar_into(x, k, &mut self.pw, tc).is_some(),
            Geometry::Oblique => {
                for j in 0..k {
                    let n: f64 = (0..k).map(|i| x[i * k + j] * x[i * k + j]).sum::<f64>().sqrt();
                    for i in 0..k {
                        x[i * k + j] /= n;
                    }
                }
                if !crate::core::linalg::small::inv_into(x, k, &mut self.work, tic) {
                    return false;
                }
                std::mem::swap(x, tc);
                true
            }
        }
    }
}

/// Gradient projection rotation in either geometry, step halving / doubling as Bernaards &
/// Jennrich (2005) (see [`StepRule`]), started from `t0` (orthogonal, or columns of unit
/// length). Works on flat row-major buffers allocated once per run. With a `guard`, gives up
/// (`abandoned`) once its loadings are within [`SAME_SOLUTION_TOL`] of it.
pub(super) fn gpa_guarded(
    a: &Array2<f64>,
    t0: &Array2<f64>,
    rot: &Rotation,
    geometry: Geometry,
    rule: StoppingRule,
    guard: Option<&Array2<f64>>,
) -> Result<Rotated> {
    let (eps, max_iter) = gpa_params(rule);
    let (p, k) = a.dim();
    let af = flat(a);
    let mut gw = GeometryWork::new(geometry, p, k);
    let mut means = vec![0.0; k];
    let mut t = flat(t0);
    // T⁻¹ (oblique only)
    let mut ti = vec![0.0; k * k];
    let mut l = vec![0.0; p * k];
    let mut gq = vec![0.0; p * k];
    if !gw.loadings(&af, &t, &mut ti, &mut l) {
        return Err(Error::Singular { matrix: "rotation matrix T".into() });
    }
    let mut f = criterion_into(rot, &l, p, k, &mut gq, &mut means).ok_or_else(not_criterion)?;
    let mut g = vec![0.0; k * k];
    gw.gradient(&af, &l, &gq, &ti, &mut g);
    let mut gp = vec![0.0; k * k];
    let mut x = vec![0.0; k * k];
    let mut tc = vec![0.0; k * k];
    let mut tic = vec![0.0; k * k];
    let mut lc = vec![0.0; p * k];
    let mut gqc = vec![0.0; p * k];
    let mut steps = StepRule::new(rule, guard.is_some(), k);
    let mut al = 1.0;
    let mut iters = 0;
    let mut converged = false;
    let mut stalled = false;
    let mut s = f64::INFINITY;
    let mut abandoned = false;
    for _ in 0..=max_iter {
        s = gw.project(&t, &g, &mut gp).sqrt();
        if s < eps {
            converged = true;
            break;
        }
        if iters >= max_iter {
            break;
        }
        if let Some(gd) = guard
            && iters > 0
            && near_solution(&l, None, gd)
        {
            abandoned = true;
            break;
        }
        iters += 1;
        al = steps.first_trial(al, s, &t, &gp);
        let mut have = false;
        let mut fc = f64::NAN;
        let mut ok = false;
        let mut trials = 0;
        for _ in 0..=10 {
            trials += 1;
            for (xv, (&tv, &gv)) in x.iter_mut().zip(t.iter().zip(&gp)) {
                *xv = tv - al * gv;
            }
            if !gw.retract(&mut x, &mut tc, &mut tic) {
                al /= 2.0;
                continue;
            }
            match geometry {
                Geometry::Orthogonal => mul_ab(&af, p, k, &tc, &mut lc),
                Geometry::Oblique => mul_abt(&af, p, k, &tic, &mut lc),
            }
            fc = criterion_into(rot, &lc, p, k, &mut gqc, &mut means).ok_or_else(not_criterion)?;
            have = true;
            ok = fc < steps.reference(f) - 0.5 * s * s * al;
            if ok {
                break;
            }
            al /= 2.0;
            if steps.below_rounding(s, al, f) {
                break;
            }
        }
        if !ok && rule == StoppingRule::Full {
            // no decrease representable in floating point: the criterion is at rounding level
            stalled = true;
            break;
        }
        if have {
            std::mem::swap(&mut t, &mut tc);
            std::mem::swap(&mut ti, &mut tic);
            std::mem::swap(&mut l, &mut lc);
            std::mem::swap(&mut gq, &mut gqc);
            f = fc;
            gw.gradient(&af, &l, &gq, &ti, &mut g);
            steps.accepted(ok && trials == 1, fc);
        }
    }
    let tn = unflat(&t, k, k);
    let phi = match geometry {
        Geometry::Orthogonal => None,
        Geometry::Oblique => Some(tn.t().dot(&tn)),
    };
    Ok(Rotated {
        loadings: unflat(&l, p, k),
        phi,
        t: tn,
        convergence: gpa_convergence(converged, stalled, iters, s, eps, max_iter),
        criterion: Some(f),
        starts_used: 1,
        abandoned,
    })
}

/// Below this projected-gradient norm a full-convergence GPA run takes Barzilai–Borwein steps
/// (the first trial step of the line search is `⟨Δt, Δt⟩ / ⟨Δt, Δgp⟩` from the last two
/// iterates instead of twice the last step). By then the run is inside its optimum's basin, so the
/// step rule only changes how fast the same optimum is reached: GPA's doubling/halving converges
/// linearly, the polishing to 1e-10 took most of its iterations.
pub(super) const BB_SWITCH: f64 = 1e-3;

/// First trial step of each GPA iteration. R's stopping rule keeps GPArotation's rule (twice
/// the last accepted step, halved until the Armijo condition holds), to follow its iterates. The
/// other runs double the last step only after it was accepted at the first trial (keeping it
/// otherwise, which saves the evaluation a rejected doubling costs), and take Barzilai–Borwein
/// steps: random starts (a screening pass, any path will do) always, a full-convergence run once
/// inside its basin ([`BB_SWITCH`]).
pub(super) struct StepRule {
    bb_below: f64,
    adaptive: bool,
    nonmonotone: bool,
    recent: [f64; NONMONOTONE_MEMORY],
    n_accepted: usize,
    doubled_ok: bool,
    have_prev: bool,
    t_prev: Vec<f64>,
    gp_prev: Vec<f64>,
}

impl StepRule {
    fn new(rule: StoppingRule, screening: bool, k: usize) -> Self {
        let (bb_below, adaptive) = match (screening, rule) {
            (true, _) => (f64::INFINITY, true),
            (false, StoppingRule::Full) => (BB_SWITCH, true),
            (false, StoppingRule::R) => (0.0, false),
        };
        Self {
            bb_below,
            adaptive,
            nonmonotone: screening,
            recent: [0.0; NONMONOTONE_MEMORY],
            n_accepted: 0,
            doubled_ok: true,
            have_prev: false,
            t_prev: vec![0.0; k * k],
            gp_prev: vec![0.0; k * k],
        }
    }

    /// The first step to try from `t` (projected gradient `gp`, norm `s`); `al` is the last
    /// accepted step.
    fn first_trial(&mut self, al: f64, s: f64, t: &[f64], gp: &[f64]) -> f64 {
        let bb = if self.have_prev && s < self.bb_below {
            bb_step(t, &self.t_prev, gp, &self.gp_prev)
        } else {
            None
        };
        self.t_prev.copy_from_slice(t);
        self.gp_prev.copy_from_slice(gp);
        match bb {
            Some(a) => a,
            None if !self.adaptive || self.doubled_ok => 2.0 * al,
            None => al,
        }
    }

    /// Whether the decrease the Armijo condition asks of step `al` is below the rounding level
    /// of the criterion `f` (then no shorter step can pass it either, except by rounding luck:
    /// the line search stops; GPArotation's rule keeps halving).
    fn below_rounding(&self, s: f64, al: f64, f: f64) -> bool {
        self.adaptive && 0.5 * s * s * al <= 4.0 * f64::EPSILON * f.abs()
    }

    /// A step was accepted (`first`: at its first trial).
    fn accepted(&mut self, first: bool, f: f64) {
        self.have_prev = true;
        self.doubled_ok = first;
        if self.nonmonotone {
            self.recent[self.n_accepted % NONMONOTONE_MEMORY] = f;
            self.n_accepted += 1;
        }
    }

    /// The value the Armijo condition compares with: the current criterion `f`, or for a
    /// screening run the largest of the last [`NONMONOTONE_MEMORY`] accepted values
    /// (Grippo–Lampariello–Lucidi), so that Barzilai–Borwein steps are rarely cut back.
    fn reference(&self, f: f64) -> f64 {
        if self.nonmonotone {
            let m = self.n_accepted.min(NONMONOTONE_MEMORY);
            self.recent[..m].iter().fold(f, |a, &b| a.max(b))
        } else {
            f
        }
    }
}

/// Accepted criterion values a screening GPA run's nonmonotone line search looks back over.
pub(super) const NONMONOTONE_MEMORY: usize = 8;

/// The Barzilai–Borwein step from the changes of the iterate and of the projected gradient, or
/// `None` when the curvature along the step is not positive.
pub(super) fn bb_step(t: &[f64], t_prev: &[f64], gp: &[f64], gp_prev: &[f64]) -> Option<f64> {
    let (mut ss, mut sy) = (0.0, 0.0);
    for i in 0..t.len() {
        let sv = t[i] - t_prev[i];
        let yv = gp[i] - gp_prev[i];
        ss += sv * sv;
        sy += sv * yv;
    }
    let a = ss / sy;
    (sy > 0.0 && a.is_finite() && a > 0.0).then_some(a.min(1e6))
}

pub(super) fn gpa_convergence(
    converged: bool,
    stalled: bool,
    iters: usize,
    s: f64,
    eps: f64,
    max_iter: usize,
) -> Convergence {
    if stalled {
        return Convergence {
            converged: s < GPA_STALL_OK,
            iterations: iters,
            reason: format!(
                "criterion decrease below rounding level at projected gradient norm {s:.1e}"
            ),
        };
    }
    Convergence {
        converged,
        iterations: iters,
        reason: if converged {
            format!("projected gradient norm {s:.1e} below {eps:.0e}")
        } else {
            format!("iteration limit {max_iter} reached (projected gradient norm {s:.1e})")
        },
    }
}

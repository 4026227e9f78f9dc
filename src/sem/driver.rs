//! The one estimation driver of the SEM module.
//!
//! A model is a list of [`Block`]s (one per group; a single-group model is one block). Each
//! block has its model structure, an objective ([`BlockObjective`]: a complete-data discrepancy
//! ML/GLS/ULS over (S, n), or full-information ML over raw-data missingness patterns), a weight
//! and the map from its local free parameters to the global free-parameter vector (a shared
//! global index is an equality constraint). The driver minimises
//!
//! ```text
//! F(θ) = Σ_b w_b F_b(θ_b),   θ_b = (θ[map_b[0]], θ[map_b[1]], …)
//! ∇F = Σ_b w_b M_bᵀ ∇F_b,    H = Σ_b w_b M_bᵀ H_b M_b
//! ```
//!
//! with w_b = n_b/N, through [`crate::core::optim`]: BFGS whose initial inverse Hessian is the
//! inverse of H (the expected information) with a Fisher-scoring fallback from the last point
//! ([`Optimizer::Auto`]), BFGS alone, or Fisher scoring alone. For a complete-data block F_b is
//! the discrepancy (ML: log|Σ| + tr(SΣ⁻¹) − log|S| − p) and H_b = 2 Δᵀ W Δ; for a FIML block
//! F_b = −ℓ_b/n_b and H_b is the complete-data expected information per observation.

use ndarray::{Array1, Array2};

use super::estimate::{self, Optimizer, Point};
use super::fiml::{self, FimlPoint};
use super::model::ModelStructure;
use super::objective::Objective;
use crate::core::optim::{self, Options, Outcome, Problem, Termination};
use crate::missing::MissingPatterns;

/// What one block is fitted to.
#[derive(Debug, Clone)]
pub(crate) enum BlockObjective {
    /// A complete-data discrepancy (ML, GLS or ULS) bound to a sample covariance matrix.
    Moments(Objective),
    /// Full-information ML over the missingness patterns of raw data (f = −ℓ/n).
    Fiml { pats: MissingPatterns, n: f64 },
}

/// One evaluated block.
#[derive(Debug, Clone)]
pub(crate) enum BlockPoint {
    Moments(Point),
    Fiml(FimlPoint),
}

impl BlockPoint {
    /// The block's objective value.
    pub(crate) fn f(&self) -> f64 {
        match self {
            BlockPoint::Moments(p) => p.val.f,
            BlockPoint::Fiml(p) => p.f,
        }
    }
    /// The complete-data point (`None` for FIML).
    pub(crate) fn moments(&self) -> Option<&Point> {
        match self {
            BlockPoint::Moments(p) => Some(p),
            BlockPoint::Fiml(_) => None,
        }
    }
    pub(crate) fn into_moments(self) -> Option<Point> {
        match self {
            BlockPoint::Moments(p) => Some(p),
            BlockPoint::Fiml(_) => None,
        }
    }
    pub(crate) fn into_fiml(self) -> Option<FimlPoint> {
        match self {
            BlockPoint::Fiml(p) => Some(p),
            BlockPoint::Moments(_) => None,
        }
    }
}

impl BlockObjective {
    /// Evaluate at the block's local parameters; `None` outside the model's domain.
    pub(crate) fn eval(&self, st: &ModelStructure, theta: &[f64]) -> Option<BlockPoint> {
        match self {
            BlockObjective::Moments(obj) => estimate::eval(st, obj, theta).map(BlockPoint::Moments),
            BlockObjective::Fiml { pats, n } => {
                fiml::eval(st, pats, theta, *n).map(BlockPoint::Fiml)
            }
        }
    }

    /// Gradient of the block's objective in its local parameters, and Δ when it was formed.
    pub(crate) fn gradient(
        &self,
        st: &ModelStructure,
        pt: &BlockPoint,
    ) -> Option<(Array1<f64>, Option<Array2<f64>>)> {
        match (self, pt) {
            (BlockObjective::Moments(obj), BlockPoint::Moments(p)) => {
                Some((estimate::gradient_only(st, obj, p), None))
            }
            (BlockObjective::Fiml { .. }, BlockPoint::Fiml(p)) => Some((p.g.clone(), None)),
            _ => None,
        }
    }

    /// The expected information on the Hessian scale of the block's objective (2 Δᵀ W Δ for a
    /// discrepancy, the complete-data expected information per observation for FIML); `delta`
    /// is Δ at the point when already formed.
    pub(crate) fn information(
        &self,
        st: &ModelStructure,
        pt: &BlockPoint,
        delta: Option<&Array2<f64>>,
    ) -> Option<Array2<f64>> {
        match (self, pt) {
            (BlockObjective::Moments(obj), BlockPoint::Moments(p)) => match delta {
                Some(d) => Some(obj.information(&p.val, d) * 2.0),
                None => Some(estimate::information(st, obj, p) * 2.0),
            },
            (BlockObjective::Fiml { .. }, BlockPoint::Fiml(p)) => fiml::expected_information(st, p),
            _ => None,
        }
    }
}

/// One block of a model: structure, objective, weight and parameter map.
#[derive(Debug, Clone)]
pub(crate) struct Block {
    pub st: ModelStructure,
    pub obj: BlockObjective,
    /// Weight of the block's objective in the total (n_b/N).
    pub weight: f64,
    /// Global index of every local free parameter.
    pub map: Vec<usize>,
}

impl Block {
    /// A block whose local parameters are the global ones (a single-group model).
    pub(crate) fn single(st: ModelStructure, obj: BlockObjective) -> Self {
        let map = (0..st.npar).collect();
        Block { st, obj, weight: 1.0, map }
    }

    fn local(&self, x: &[f64], out: &mut Vec<f64>) {
        out.clear();
        out.extend(self.map.iter().map(|&k| x[k]));
    }

    /// Evaluate the block at the global parameters `x`.
    pub(crate) fn eval_global(&self, x: &[f64]) -> Option<BlockPoint> {
        let mut t = Vec::with_capacity(self.map.len());
        self.local(x, &mut t);
        self.obj.eval(&self.st, &t)
    }
}

/// The summed objective of a list of blocks, as a [`Problem`] for `core::optim`.
pub(crate) struct Model<'a> {
    blocks: &'a [Block],
    q: usize,
    points: Vec<Option<BlockPoint>>,
    deltas: Vec<Option<Array2<f64>>>,
    scratch: Vec<f64>,
}

impl<'a> Model<'a> {
    pub(crate) fn new(blocks: &'a [Block], q: usize) -> Self {
        Model {
            blocks,
            q,
            points: vec![None; blocks.len()],
            deltas: vec![None; blocks.len()],
            scratch: Vec::new(),
        }
    }

    /// Evaluate every block at `x` (`None` if any block is outside its domain).
    pub(crate) fn eval_all(blocks: &[Block], x: &[f64]) -> Option<Vec<BlockPoint>> {
        blocks.iter().map(|b| b.eval_global(x)).collect()
    }
}

impl Problem for Model<'_> {
    fn value(&mut self, x: &[f64]) -> Option<f64> {
        let mut f = 0.0;
        let mut ok = true;
        for (b, block) in self.blocks.iter().enumerate() {
            self.deltas[b] = None;
            if !ok {
                self.points[b] = None;
                continue;
            }
            block.local(x, &mut self.scratch);
            self.points[b] = block.obj.eval(&block.st, &self.scratch);
            match &self.points[b] {
                Some(p) => f += block.weight * p.f(),
                None => ok = false,
            }
        }
        (ok && f.is_finite()).then_some(f)
    }

    fn gradient(&mut self, _x: &[f64], g: &mut [f64]) -> bool {
        g.fill(0.0);
        for (b, block) in self.blocks.iter().enumerate() {
            let Some(pt) = &self.points[b] else { return false };
            let Some((gb, delta)) = block.obj.gradient(&block.st, pt) else { return false };
            for (a, &k) in block.map.iter().enumerate() {
                g[k] += block.weight * gb[a];
            }
            self.deltas[b] = delta;
        }
        true
    }

    fn information(&mut self, _x: &[f64], h: &mut [f64]) -> bool {
        let q = self.q;
        h.fill(0.0);
        for (b, block) in self.blocks.iter().enumerate() {
            let Some(pt) = &self.points[b] else { return false };
            let Some(ib) = block.obj.information(&block.st, pt, self.deltas[b].as_ref()) else {
                return false;
            };
            for (a, &ka) in block.map.iter().enumerate() {
                for (c, &kc) in block.map.iter().enumerate() {
                    h[ka * q + kc] += block.weight * ib[[a, c]];
                }
            }
        }
        true
    }
}

/// Result of the driver.
#[derive(Debug, Clone)]
pub(crate) struct Driven {
    pub theta: Vec<f64>,
    /// Every block evaluated at `theta`.
    pub points: Vec<BlockPoint>,
    pub iterations: usize,
    pub converged: bool,
    pub reason: String,
    /// Largest component of ∇F at `theta`.
    pub grad_max: f64,
}

fn options(max_iter: usize) -> Options {
    Options { max_iter, ..Options::default() }
}

/// Minimise the summed objective of `blocks` over `q` global parameters from `theta0`.
/// `None` when the blocks cannot be evaluated at the returned point (never when they can at
/// `theta0`).
pub(crate) fn run(
    blocks: &[Block],
    q: usize,
    theta0: &[f64],
    optimizer: Optimizer,
    max_iter: usize,
) -> Option<Driven> {
    let mut model = Model::new(blocks, q);
    let out = solve(&mut model, theta0, optimizer, max_iter);
    let points = Model::eval_all(blocks, &out.x)?;
    Some(Driven {
        points,
        iterations: out.iterations,
        converged: out.converged,
        reason: out.reason(),
        grad_max: out.grad_max,
        theta: out.x,
    })
}

/// Minimise any problem with the driver's choice of solver (the constrained estimation wraps
/// [`Model`] in a reparameterised or penalised problem and solves it here).
pub(crate) fn solve<P: Problem>(
    model: &mut P,
    theta0: &[f64],
    optimizer: Optimizer,
    max_iter: usize,
) -> Outcome {
    match optimizer {
        Optimizer::FisherScoring => optim::scoring(model, theta0, &options(max_iter)),
        Optimizer::Bfgs => optim::bfgs(model, theta0, &options(max_iter)),
        Optimizer::Auto => auto(model, theta0, max_iter),
    }
}

/// BFGS, then Fisher scoring from the last point if BFGS stopped without converging; if scoring
/// stops on a failed line search in turn, BFGS restarts once from its point (a fresh inverse
/// Hessian from the information there) and scoring follows once more.
fn auto<P: Problem>(model: &mut P, theta0: &[f64], max_iter: usize) -> Outcome {
    let mut used = 0usize;
    let mut x = theta0.to_vec();
    let mut last: Option<Outcome> = None;
    for round in 0..2 {
        let left = max_iter.saturating_sub(used);
        if left == 0 {
            break;
        }
        let b = optim::bfgs(model, &x, &options(left));
        used += b.iterations;
        if b.converged || used >= max_iter {
            return Outcome { iterations: used, ..b };
        }
        let s = optim::scoring(model, &b.x, &options(max_iter - used));
        used += s.iterations;
        let done = s.converged || s.termination != Termination::LineSearch || round == 1;
        x.clone_from(&s.x);
        last = Some(Outcome { iterations: used, ..s });
        if done {
            break;
        }
    }
    last.unwrap_or_else(|| optim::bfgs(model, theta0, &options(0)))
}

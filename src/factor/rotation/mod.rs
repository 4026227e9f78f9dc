//! Factor rotations: varimax (stats::varimax algorithm), promax (psych), and gradient-projection
//! rotations (Jennrich 2001, 2002; Bernaards & Jennrich 2005) with seeded random starts.

mod gpa;
mod target;

use gpa::*;
use ndarray::{Array1, Array2, Axis};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
pub use target::Target;
use target::{simplimax_into, target_into};

use super::extraction::StoppingRule;
use super::small;
use crate::core::linalg::small as kernels;
use crate::error::{Error, Result};
use crate::summary::Convergence;

/// Rotation of the extracted factors (psych's names in brackets).
///
/// Orthogonal: `Varimax`, `Quartimax`, `GeominT`, `Equamax`, `BentlerT`, `TargetT`; oblique:
/// `Promax`, `Oblimin`, `Quartimin`, `GeominQ`, `BentlerQ`, `TargetQ`, `Simplimax`.
/// Gradient-projection criteria `f(Λ)` (minimised) are
///
/// # Formula
/// ```text
/// Varimax    f = −¼ ‖(I − 11ᵀ/p) (Λ∘Λ)‖²          (maximised by the SVD algorithm of stats::varimax,
///                                                  rows Kaiser-normalized)
/// Quartimax  f = −¼ Σ λ_ij⁴
/// Oblimin    f = ¼ ⟨Λ∘Λ, (I − γ 11ᵀ/p)(Λ∘Λ)(11ᵀ − I)⟩     (Quartimin: γ = 0)
/// Geomin     f = Σ_i exp( (1/k) Σ_j ln(λ_ij² + ε) )
/// Equamax    f = (1 − κ)/4 ⟨Λ∘Λ, (Λ∘Λ)(11ᵀ − I)⟩ + κ/4 ⟨Λ∘Λ, (11ᵀ − I)(Λ∘Λ)⟩,  κ = k/(2p)
///            (Crawford–Ferguson; psych's fa(rotate = "equamax") adds a target.rot step)
/// Bentler    f = −¼ (ln det M − ln det diag M),  M = (Λ∘Λ)ᵀ(Λ∘Λ)
/// Target     f = Σ_{(i,j) specified} (λ_ij − t_ij)²      (orthogonal Procrustes / oblique;
///                                                  unspecified entries: GPArotation pstT/pstQ)
/// Simplimax  f = Σ λ_ij² [λ_ij² ≤ m-th smallest λ²]  (oblique; m = p by default)
/// Promax     Kaiser-normalized varimax Λv, target Q = Λv ∘ |Λv|^(power−1), U = (ΛvᵀΛv)⁻¹ΛvᵀQ
///            rescaled to unit-variance factors; Φ = U⁻¹U⁻ᵀ
/// ```
/// For principal components promax is `stats::promax` (no row normalisation before the target),
/// as psych's `principal` uses it.
/// Orthogonal rotations give `Λ T` with `TᵀT = I`; oblique ones `Λ T⁻ᵀ` with `Φ = TᵀT`,
/// `diag(Φ) = 1`. As in psych, varimax and promax Kaiser-normalize the rows, GPArotation's
/// criteria are applied to the unnormalized loadings.
///
/// # Examples
/// ```
/// use surveystat::factor::{Efa, Rotation};
/// let efa = Efa::new(3).rotation(Rotation::Oblimin { gamma: 0.0 });
/// # let _ = efa;
/// ```
///
/// # References
/// Kaiser, H. F. (1958). The varimax criterion for analytic rotation in factor analysis.
/// *Psychometrika* 23, 187–200. Hendrickson, A. E. & White, P. O. (1964). Promax. *British
/// Journal of Statistical Psychology* 17, 65–70. Jennrich, R. I. (2001, 2002). A simple general
/// procedure for orthogonal / oblique rotation. *Psychometrika* 66, 289–306; 67, 7–19. Bernaards,
/// C. A. & Jennrich, R. I. (2005). Gradient projection algorithms and software for arbitrary
/// rotation criteria in factor analysis. *Educational and Psychological Measurement* 65, 676–696.
/// Yates, A. (1987). *Multivariate Exploratory Data Analysis* (geomin). Browne, M. W. (1972).
/// Orthogonal rotation to a partially specified target. *British Journal of Mathematical and
/// Statistical Psychology* 25, 115–120. Kiers, H. A. L. (1994). Simplimax: oblique rotation to an
/// optimal target with simple structure. *Psychometrika* 59, 567–579.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Rotation {
    /// No rotation.
    None,
    /// Varimax (orthogonal; `stats::varimax`, Kaiser-normalized).
    Varimax,
    /// Quartimax (orthogonal; GPArotation `quartimax`).
    Quartimax,
    /// Promax (oblique; psych's `kaiser(·, "Promax")`, usually `power = 4`).
    Promax {
        /// The power of the target (psych: 4).
        power: f64,
    },
    /// Direct oblimin (oblique; GPArotation `oblimin`; psych's default is `gamma = 0`).
    Oblimin {
        /// γ (0 = quartimin).
        gamma: f64,
    },
    /// Quartimin (oblique; oblimin with γ = 0).
    Quartimin,
    /// Orthogonal geomin (GPArotation `geominT`, ε = 0.01 by default).
    GeominT {
        /// ε added to the squared loadings.
        eps: f64,
    },
    /// Oblique geomin (GPArotation `geominQ`, ε = 0.01 by default).
    GeominQ {
        /// ε added to the squared loadings.
        eps: f64,
    },
    /// Orthogonal equamax: the Crawford–Ferguson criterion with κ = k/(2p) (GPArotation
    /// `cfT(kappa = k/(2p))`, psych's `equamax` before its extra target step).
    Equamax,
    /// Bentler's orthogonal invariant pattern simplicity (GPArotation `bentlerT`).
    BentlerT,
    /// Bentler's oblique invariant pattern simplicity (GPArotation `bentlerQ`).
    BentlerQ,
    /// Orthogonal rotation towards a target (GPArotation `targetT`, or `pstT` when some entries
    /// are unspecified). The factors keep the target's column order and signs.
    TargetT(Target),
    /// Oblique rotation towards a target (GPArotation `targetQ`, or `pstQ`).
    TargetQ(Target),
    /// Simplimax (oblique; GPArotation `simplimax`): the `k` smallest squared loadings are
    /// minimised; `None` = the number of variables (GPArotation's default). `k` must lie in
    /// `1..=` variables × factors.
    Simplimax {
        /// Number of loadings pushed towards zero.
        k: Option<usize>,
    },
}

impl Default for Rotation {
    /// psych's default: oblimin with γ = 0.
    fn default() -> Self {
        Rotation::Oblimin { gamma: 0.0 }
    }
}

impl Rotation {
    /// Whether the rotation allows correlated factors.
    pub fn is_oblique(&self) -> bool {
        matches!(
            self,
            Rotation::Promax { .. }
                | Rotation::Oblimin { .. }
                | Rotation::Quartimin
                | Rotation::GeominQ { .. }
                | Rotation::BentlerQ
                | Rotation::TargetQ(_)
                | Rotation::Simplimax { .. }
        )
    }

    /// Whether the rotation has a target (the factors then keep the target's column order
    /// and signs instead of psych's sorting and sign flips).
    pub fn is_target(&self) -> bool {
        matches!(self, Rotation::TargetT(_) | Rotation::TargetQ(_))
    }

    /// Checks rotation parameters against p × k loadings (target shape, simplimax k).
    pub(crate) fn check(&self, p: usize, k: usize) -> Result<()> {
        match self {
            Rotation::TargetT(t) | Rotation::TargetQ(t) => t.check(p, k),
            Rotation::Simplimax { k: Some(m) } if *m == 0 || *m > p * k => Err(Error::invalid(
                "k",
                format!(
                    "simplimax k must be between 1 and {} (variables × factors), got {m}",
                    p * k
                ),
            )),
            _ => Ok(()),
        }
    }

    /// psych's name of the rotation (`"none"`, `"varimax"`, …, `"geominQ"`).
    pub fn psych_name(&self) -> &'static str {
        match self {
            Rotation::None => "none",
            Rotation::Varimax => "varimax",
            Rotation::Quartimax => "quartimax",
            Rotation::Promax { .. } => "promax",
            Rotation::Oblimin { .. } => "oblimin",
            Rotation::Quartimin => "quartimin",
            Rotation::GeominT { .. } => "geominT",
            Rotation::GeominQ { .. } => "geominQ",
            Rotation::Equamax => "equamax",
            Rotation::BentlerT => "bentlerT",
            Rotation::BentlerQ => "bentlerQ",
            Rotation::TargetT(_) => "TargetT",
            Rotation::TargetQ(_) => "TargetQ",
            Rotation::Simplimax { .. } => "simplimax",
        }
    }

    /// Parse psych's name (`geomin` = `geominQ`; promax power 4, geomin ε 0.01, oblimin γ 0,
    /// simplimax k = number of variables). Target rotations need their matrix and are built
    /// directly ([`Rotation::TargetT`], [`Rotation::TargetQ`]).
    pub fn from_psych_name(name: &str) -> Option<Rotation> {
        Some(match name {
            "none" => Rotation::None,
            "varimax" => Rotation::Varimax,
            "quartimax" => Rotation::Quartimax,
            "promax" => Rotation::Promax { power: 4.0 },
            "oblimin" => Rotation::Oblimin { gamma: 0.0 },
            "quartimin" => Rotation::Quartimin,
            "geominT" => Rotation::GeominT { eps: 0.01 },
            "geominQ" | "geomin" => Rotation::GeominQ { eps: 0.01 },
            "equamax" => Rotation::Equamax,
            "bentlerT" => Rotation::BentlerT,
            "bentlerQ" => Rotation::BentlerQ,
            "simplimax" => Rotation::Simplimax { k: None },
            _ => return None,
        })
    }

    /// Value and gradient (with respect to the loadings) of the rotation criterion that gradient
    /// projection minimises; `None` for `None` and `Promax`, which are not criterion based, and
    /// for a target whose shape is not that of `l`.
    ///
    /// # Formula
    /// See [`Rotation`]. Gradients: varimax `−Λ∘((I − 11ᵀ/p)(Λ∘Λ))`, quartimax `−Λ³`, oblimin
    /// `Λ∘((I − γ11ᵀ/p)(Λ∘Λ)(11ᵀ − I))`, geomin `(2/k) λ_ij/(λ_ij² + ε) · pro_i`.
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use surveystat::factor::Rotation;
    /// let l = array![[0.8, 0.1], [0.1, 0.7], [0.5, 0.5]];
    /// let (f, g) = Rotation::Quartimax.criterion(&l).unwrap();
    /// assert!(f < 0.0 && g.dim() == (3, 2));
    /// ```
    pub fn criterion(&self, l: &Array2<f64>) -> Option<(f64, Array2<f64>)> {
        // the same code the rotation loops use (so the gradient checks cover it)
        let (p, k) = l.dim();
        if p == 0 || k == 0 {
            return None;
        }
        let lf = flat(l);
        let mut g = vec![0.0; p * k];
        let mut means = vec![0.0; k];
        let f = criterion_into(self, &lf, p, k, &mut g, &mut means)?;
        Some((f, unflat(&g, p, k)))
    }
}

/// A rotated solution (before psych's sign / order conventions).
#[derive(Debug, Clone)]
pub(crate) struct Rotated {
    pub loadings: Array2<f64>,
    pub phi: Option<Array2<f64>>,
    /// Rotation matrix `T` such that loadings = A T (orthogonal) / A T⁻ᵀ (oblique).
    pub t: Array2<f64>,
    pub convergence: Convergence,
    pub criterion: Option<f64>,
    pub starts_used: usize,
    /// A random start stopped early because it had reached the basin of the guard solution.
    pub abandoned: bool,
}

/// Options of the rotation step.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RotateOptions {
    pub rule: StoppingRule,
    /// Kaiser-normalize the rows before promax (psych `fa`); `false` = `stats::promax`
    /// (psych `principal`).
    pub promax_kaiser: bool,
    pub random_starts: usize,
    pub seed: u64,
}

/// A uniformly distributed random orthogonal k × k matrix (QR of a Gaussian matrix).
pub(crate) fn random_orthogonal(k: usize, rng: &mut ChaCha8Rng) -> Array2<f64> {
    let mut m = Array2::<f64>::from_shape_fn((k, k), |_| rng.sample(StandardNormal));
    // modified Gram–Schmidt on the columns
    for j in 0..k {
        for i in 0..j {
            let d: f64 = (0..k).map(|r| m[[r, i]] * m[[r, j]]).sum();
            for r in 0..k {
                m[[r, j]] -= d * m[[r, i]];
            }
        }
        let n: f64 = (0..k).map(|r| m[[r, j]] * m[[r, j]]).sum::<f64>().sqrt();
        for r in 0..k {
            m[[r, j]] /= n;
        }
    }
    m
}

/// The identity start followed by `opts.random_starts` seeded random orthogonal starts, drawn
/// one at a time (nothing is kept per start).
fn start_matrices(k: usize, opts: &RotateOptions) -> impl Iterator<Item = Array2<f64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    std::iter::once(Array2::<f64>::eye(k))
        .chain((0..opts.random_starts).map(move |_| random_orthogonal(k, &mut rng)))
}

/// Keep the first solution unless a later start improves the criterion by more than a relative
/// 1e-6 (so that loose stopping rules do not swap equivalent optima).
fn better(new: f64, best: f64) -> bool {
    new < best - 1e-6 * best.abs().max(1e-12)
}

/// Whether two loading matrices are the same solution up to column order and sign (within
/// [`SAME_SOLUTION_TOL`] after greedy congruence matching): then they are the same optimum
/// reached with different accuracy, and the earlier start is kept.
fn same_solution(a: &Array2<f64>, b: &Array2<f64>) -> bool {
    near_solution(&flat(a), None, b)
}

pub(crate) fn rotate(
    a: &Array2<f64>,
    rotation: &Rotation,
    opts: &RotateOptions,
) -> Result<Rotated> {
    let k = a.ncols();
    rotation.check(a.nrows(), k)?;
    if k < 2 || matches!(rotation, Rotation::None) {
        return Ok(Rotated {
            loadings: a.clone(),
            phi: None,
            t: Array2::eye(k),
            convergence: Convergence {
                converged: true,
                iterations: 0,
                reason: "no rotation".into(),
            },
            criterion: None,
            starts_used: 0,
            abandoned: false,
        });
    }
    match rotation {
        Rotation::Varimax => best_of(a, opts, varimax_guarded),
        Rotation::Promax { power } => promax(a, *power, opts, opts.promax_kaiser),
        r if r.is_oblique() => {
            best_of(a, opts, |a, t0, rule, g| gpa_guarded(a, t0, r, Geometry::Oblique, rule, g))
        }
        r => {
            best_of(a, opts, |a, t0, rule, g| gpa_guarded(a, t0, r, Geometry::Orthogonal, rule, g))
        }
    }
}

/// Run the identity start with the requested stopping rule and the random starts with R's looser
/// rule (a screening pass: enough to tell optima apart); if a random start wins, it is polished
/// to the requested rule from where it stopped.
fn best_of<F>(a: &Array2<f64>, opts: &RotateOptions, run: F) -> Result<Rotated>
where
    F: Fn(&Array2<f64>, &Array2<f64>, StoppingRule, Option<&Array2<f64>>) -> Result<Rotated>,
{
    let mut starts = start_matrices(a.ncols(), opts);
    let n = opts.random_starts.saturating_add(1);
    // identity start first (psych's); the random starts give up as soon as they reach the
    // identity solution's basin (they could not replace it anyway). Serial: a thread start
    // (60–80 µs measured on the 2-core benchmark machine) costs about what a second thread
    // would save on these small problems. Starts are drawn and judged one at a time, so memory
    // does not grow with their number.
    let identity = starts.next().unwrap_or_else(|| Array2::eye(a.ncols()));
    let first = run(a, &identity, opts.rule, None);
    let guard = first.as_ref().ok().map(|r| r.loadings.clone());
    let one = |t0: Array2<f64>| run(a, &t0, StoppingRule::R, guard.as_ref());
    let mut best: Option<(usize, Rotated)> = None;
    let mut first_err = None;
    for (idx, res) in std::iter::once(first).chain(starts.map(one)).enumerate() {
        match res {
            Ok(r) if r.abandoned => {}
            Ok(r) => {
                let take = match &best {
                    None => true,
                    Some((_, b)) => match (r.criterion, b.criterion) {
                        (Some(x), Some(y)) => {
                            !same_solution(&r.loadings, &b.loadings)
                                && (better(x, y)
                                    || (!b.convergence.converged && r.convergence.converged))
                        }
                        _ => false,
                    },
                };
                if take {
                    best = Some((idx, r));
                }
            }
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    match best {
        Some((idx, mut b)) => {
            if idx > 0 && opts.rule == StoppingRule::Full {
                let t = b.t.clone();
                b = run(a, &t, StoppingRule::Full, None)?;
            }
            b.starts_used = n;
            Ok(b)
        }
        None => {
            Err(first_err.unwrap_or(Error::NotConverged { what: "rotation".into(), iterations: 0 }))
        }
    }
}

/// Largest entrywise difference (after greedy congruence matching of columns and signs) below
/// which two loading matrices are the same solution: a finished random start that close to a
/// kept one is a copy of it ([`same_solution`]), and a running random start that close to the
/// identity start's solution gives up (checked every iteration).
const SAME_SOLUTION_TOL: f64 = 1e-2;

/// Whether the row-major p × k loadings `l` (rows multiplied by `scale` when given) are within
/// [`SAME_SOLUTION_TOL`] of `guard` after greedy congruence matching of columns and signs.
fn near_solution(l: &[f64], scale: Option<&[f64]>, guard: &Array2<f64>) -> bool {
    let (p, k) = guard.dim();
    if l.len() != p * k {
        return false;
    }
    let sc = |i: usize| scale.and_then(|s| s.get(i).copied()).unwrap_or(1.0);
    let mut used_small = [false; 16];
    let mut used_large;
    let used: &mut [bool] = if k <= 16 {
        &mut used_small[..k]
    } else {
        used_large = vec![false; k];
        &mut used_large
    };
    for j in 0..k {
        // guard column j against every unused column of l
        let mut best: Option<(usize, f64)> = None;
        let mut best_c = -1.0;
        for c in 0..k {
            if used[c] {
                continue;
            }
            let (mut ab, mut aa, mut bb) = (0.0, 0.0, 0.0);
            for i in 0..p {
                let x = l[i * k + c] * sc(i);
                let y = guard[[i, j]];
                ab += x * y;
                aa += x * x;
                bb += y * y;
            }
            let nrm = (aa * bb).sqrt();
            let cg = if nrm > 0.0 { (ab / nrm).abs() } else { 0.0 };
            if cg > best_c {
                best_c = cg;
                best = Some((c, if ab < 0.0 { -1.0 } else { 1.0 }));
            }
        }
        let Some((c, sgn)) = best else { return false };
        used[c] = true;
        for i in 0..p {
            if !((l[i * k + c] * sc(i) * sgn - guard[[i, j]]).abs() < SAME_SOLUTION_TOL) {
                return false;
            }
        }
    }
    true
}

/// Kaiser weights: row lengths of the loadings.
fn row_norms(a: &Array2<f64>) -> Array1<f64> {
    a.map_axis(Axis(1), |r| r.mapv(|v| v * v).sum().sqrt())
}

/// Value of a GPA criterion at the row-major p × k loadings `l`, its gradient written into `g`
/// (allocation-free form of [`Rotation::criterion`]; `means` is k scratch values). `None` for
/// rotations that are not criterion based.
pub(crate) fn criterion_into(
    rot: &Rotation,
    l: &[f64],
    p: usize,
    k: usize,
    g: &mut [f64],
    means: &mut [f64],
) -> Option<f64> {
    match rot {
        Rotation::None | Rotation::Promax { .. } => None,
        Rotation::Varimax => {
            col_means_sq(l, p, k, means);
            let mut f = 0.0;
            for i in 0..p {
                for j in 0..k {
                    let v = l[i * k + j];
                    let c = v * v - means[j];
                    f += c * c;
                    g[i * k + j] = -v * c;
                }
            }
            Some(-0.25 * f)
        }
        Rotation::Quartimax => {
            let mut f = 0.0;
            for (gv, &v) in g[..p * k].iter_mut().zip(&l[..p * k]) {
                let v2 = v * v;
                f += v2 * v2;
                *gv = -v * v2;
            }
            Some(-0.25 * f)
        }
        Rotation::Quartimin => Some(oblimin_into(l, p, k, 0.0, g, means)),
        Rotation::Oblimin { gamma } => Some(oblimin_into(l, p, k, *gamma, g, means)),
        Rotation::GeominT { eps } | Rotation::GeominQ { eps } => {
            let eps = *eps;
            let kf = k as f64;
            let mut f = 0.0;
            for i in 0..p {
                let row = &l[i * k..(i + 1) * k];
                let lp: f64 = row.iter().map(|v| (v * v + eps).ln()).sum::<f64>() / kf;
                let pro = lp.exp();
                f += pro;
                for j in 0..k {
                    g[i * k + j] = 2.0 / kf * row[j] / (row[j] * row[j] + eps) * pro;
                }
            }
            Some(f)
        }
        Rotation::Equamax => Some(crawford_ferguson_into(l, p, k, k as f64 / (2.0 * p as f64), g)),
        Rotation::BentlerT | Rotation::BentlerQ => bentler_into(l, p, k, g),
        Rotation::TargetT(t) | Rotation::TargetQ(t) => target_into(t, l, p, k, g),
        Rotation::Simplimax { k: m } => simplimax_into(l, p, k, m.unwrap_or(p), g),
    }
}

/// Crawford–Ferguson: f = (1 − κ)/4 Σ L²∘(L² N) + κ/4 Σ L²∘(M L²), N = 11ᵀ − I (k × k),
/// M = 11ᵀ − I (p × p); gradient (1 − κ) L∘(L² N) + κ L∘(M L²).
fn crawford_ferguson_into(l: &[f64], p: usize, k: usize, kappa: f64, g: &mut [f64]) -> f64 {
    let mut col = vec![0.0; k];
    for i in 0..p {
        for j in 0..k {
            col[j] += l[i * k + j] * l[i * k + j];
        }
    }
    let mut f = 0.0;
    for i in 0..p {
        let row = &l[i * k..(i + 1) * k];
        let rs: f64 = row.iter().map(|v| v * v).sum();
        for j in 0..k {
            let c = row[j] * row[j];
            let x = (1.0 - kappa) * (rs - c) + kappa * (col[j] - c);
            f += c * x;
            g[i * k + j] = row[j] * x;
        }
    }
    0.25 * f
}

/// Bentler's invariant pattern simplicity: M = (L²)ᵀ L², D = diag(M);
/// f = −¼ (ln det M − ln det D), gradient −L∘(L² (M⁻¹ − D⁻¹)). `None` when M is singular.
fn bentler_into(l: &[f64], p: usize, k: usize, g: &mut [f64]) -> Option<f64> {
    let mut m = vec![0.0; k * k];
    for i in 0..p {
        let row = &l[i * k..(i + 1) * k];
        for a in 0..k {
            for b in 0..k {
                m[a * k + b] += row[a] * row[a] * row[b] * row[b];
            }
        }
    }
    let ld_d: f64 = (0..k).map(|a| m[a * k + a].ln()).sum();
    let mut chol = m.clone();
    if !kernels::cholesky_in_place(&mut chol, k) {
        return None;
    }
    let ld_m = kernels::chol_logdet(&chol, k);
    let mut w = vec![0.0; k * k];
    let mut scratch = vec![0.0; k * k];
    kernels::chol_inverse(&chol, k, &mut w, &mut scratch);
    for a in 0..k {
        w[a * k + a] -= 1.0 / m[a * k + a];
    }
    for i in 0..p {
        for j in 0..k {
            let mut s = 0.0;
            for a in 0..k {
                let v = l[i * k + a];
                s += v * v * w[a * k + j];
            }
            g[i * k + j] = -l[i * k + j] * s;
        }
    }
    Some(-0.25 * (ld_m - ld_d))
}

fn col_means_sq(l: &[f64], p: usize, k: usize, means: &mut [f64]) {
    means[..k].fill(0.0);
    for i in 0..p {
        for j in 0..k {
            means[j] += l[i * k + j] * l[i * k + j];
        }
    }
    for m in means[..k].iter_mut() {
        *m /= p as f64;
    }
}

/// Oblimin: X = (I − γ 11ᵀ/p) L² N, N = 11ᵀ − I (row sums minus own element);
/// f = ¼ ⟨L², X⟩, gradient L ∘ X.
fn oblimin_into(
    l: &[f64],
    p: usize,
    k: usize,
    gamma: f64,
    g: &mut [f64],
    means: &mut [f64],
) -> f64 {
    if gamma != 0.0 {
        col_means_sq(l, p, k, means);
    } else {
        means[..k].fill(0.0);
    }
    let mut f = 0.0;
    for i in 0..p {
        let row = &l[i * k..(i + 1) * k];
        let mut rs = 0.0;
        for j in 0..k {
            rs += row[j] * row[j] - gamma * means[j];
        }
        for j in 0..k {
            let c = row[j] * row[j];
            let x = rs - (c - gamma * means[j]);
            f += c * x;
            g[i * k + j] = row[j] * x;
        }
    }
    0.25 * f
}

/// `out = a b` for row-major a (p × k) and b (k × k).
fn mul_ab(a: &[f64], p: usize, k: usize, b: &[f64], out: &mut [f64]) {
    for (ar, o) in a[..p * k].chunks_exact(k).zip(out[..p * k].chunks_exact_mut(k)) {
        o.fill(0.0);
        for (&am, br) in ar.iter().zip(b[..k * k].chunks_exact(k)) {
            for (ov, bv) in o.iter_mut().zip(br) {
                *ov += am * bv;
            }
        }
    }
}

/// `out = a bᵀ` for row-major a (p × k) and b (k × k).
fn mul_abt(a: &[f64], p: usize, k: usize, b: &[f64], out: &mut [f64]) {
    for (ar, o) in a[..p * k].chunks_exact(k).zip(out[..p * k].chunks_exact_mut(k)) {
        for (ov, br) in o.iter_mut().zip(b[..k * k].chunks_exact(k)) {
            *ov = ar.iter().zip(br).map(|(x, y)| x * y).sum();
        }
    }
}

/// `out = aᵀ b` (k × k) for row-major a, b (p × k).
fn mul_atb(a: &[f64], b: &[f64], p: usize, k: usize, out: &mut [f64]) {
    let out = &mut out[..k * k];
    out.fill(0.0);
    for (ar, br) in a[..p * k].chunks_exact(k).zip(b[..p * k].chunks_exact(k)) {
        for (&ax, orow) in ar.iter().zip(out.chunks_exact_mut(k)) {
            for (ov, bv) in orow.iter_mut().zip(br) {
                *ov += ax * bv;
            }
        }
    }
}

fn flat(a: &Array2<f64>) -> Vec<f64> {
    a.iter().copied().collect()
}

fn unflat(v: &[f64], r: usize, c: usize) -> Array2<f64> {
    Array2::from_shape_fn((r, c), |(i, j)| v[i * c + j])
}

/// psych's promax (`kaiser(·, "Promax")`): Kaiser-normalize, varimax, power target,
/// least-squares fit, un-normalize. With `normalize_rows = false` it is `stats::promax` (the
/// target is built from the un-normalized varimax loadings), which psych's `principal` uses.
fn promax(
    a: &Array2<f64>,
    power: f64,
    opts: &RotateOptions,
    normalize_rows: bool,
) -> Result<Rotated> {
    if !(power > 1.0) {
        return Err(Error::invalid("power", "promax power must exceed 1"));
    }
    let (p, k) = a.dim();
    let h = if normalize_rows { row_norms(a) } else { Array1::ones(p) };
    if h.iter().any(|&s| !(s > 0.0)) {
        return Err(Error::invalid(
            "loadings",
            "a variable has an all-zero loading row (Kaiser normalization undefined)",
        ));
    }
    let x = Array2::from_shape_fn((p, k), |(i, j)| a[[i, j]] / h[i]);
    let vm = best_of(&x, opts, varimax_guarded)?;
    let xv = &vm.loadings;
    let q = xv.mapv(|v| v * v.abs().powf(power - 1.0));
    let sing = |what: &str| Error::Singular { matrix: format!("{what} (promax)") };
    let xtx_inv =
        crate::core::linalg::small::inverse(&xv.t().dot(xv)).ok_or_else(|| sing("XᵀX"))?;
    let u = xtx_inv.dot(&xv.t().dot(&q));
    let utu_inv = crate::core::linalg::small::inverse(&u.t().dot(&u)).ok_or_else(|| sing("UᵀU"))?;
    let d = Array1::from_shape_fn(k, |j| utu_inv[[j, j]].sqrt());
    let u = Array2::from_shape_fn((k, k), |(i, j)| u[[i, j]] * d[j]);
    let z = xv.dot(&u);
    let u_full = vm.t.dot(&u);
    let ui = crate::core::linalg::small::inverse(&u_full).ok_or_else(|| sing("U"))?;
    let phi = ui.dot(&ui.t());
    let loadings = Array2::from_shape_fn((p, k), |(i, j)| z[[i, j]] * h[i]);
    Ok(Rotated {
        loadings,
        phi: Some(phi),
        t: u_full,
        convergence: vm.convergence,
        criterion: None,
        starts_used: vm.starts_used,
        abandoned: false,
    })
}

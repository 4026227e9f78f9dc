//! Factor rotations: varimax (stats::varimax algorithm), promax (psych), and gradient-projection
//! rotations (Jennrich 2001, 2002; Bernaards & Jennrich 2005) with seeded random starts.

use ndarray::{Array1, Array2, Axis};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use super::extraction::StoppingRule;
use super::small;
use crate::error::{Error, Result};
use crate::summary::Convergence;

/// Rotation of the extracted factors (psych's names in brackets).
///
/// Orthogonal: `Varimax`, `Quartimax`, `GeominT`; oblique: `Promax`, `Oblimin`, `Quartimin`,
/// `GeominQ`. Gradient-projection criteria `f(Λ)` (minimised) are
///
/// # Formula
/// ```text
/// Varimax    f = −¼ ‖(I − 11ᵀ/p) (Λ∘Λ)‖²          (maximised by the SVD algorithm of stats::varimax,
///                                                  rows Kaiser-normalized)
/// Quartimax  f = −¼ Σ λ_ij⁴
/// Oblimin    f = ¼ ⟨Λ∘Λ, (I − γ 11ᵀ/p)(Λ∘Λ)(11ᵀ − I)⟩     (Quartimin: γ = 0)
/// Geomin     f = Σ_i exp( (1/k) Σ_j ln(λ_ij² + ε) )
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
/// Yates, A. (1987). *Multivariate Exploratory Data Analysis* (geomin).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
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
        )
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
        }
    }

    /// Parse psych's name (`geomin` = `geominQ`; promax power 4, geomin ε 0.01, oblimin γ 0).
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
            _ => return None,
        })
    }

    /// Value and gradient (with respect to the loadings) of the rotation criterion that gradient
    /// projection minimises; `None` for `None` and `Promax`, which are not criterion based.
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
            best_of(a, opts, |a, t0, rule, g| gpa_oblique_guarded(a, t0, r, rule, g))
        }
        r => best_of(a, opts, |a, t0, rule, g| gpa_orthogonal_guarded(a, t0, r, rule, g)),
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
    match *rot {
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
        Rotation::Oblimin { gamma } => Some(oblimin_into(l, p, k, gamma, g, means)),
        Rotation::GeominT { eps } | Rotation::GeominQ { eps } => {
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
    }
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

/// The SVD algorithm of `stats::varimax` (Kaiser normalization), started from `t0`.
/// With a `guard`, gives up (`abandoned`) once its loadings are within [`SAME_SOLUTION_TOL`] of it.
fn varimax_guarded(
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
const GPA_STALL_OK: f64 = 1e-6;

fn gpa_params(rule: StoppingRule) -> (f64, usize) {
    match rule {
        StoppingRule::R => (1e-5, 1000),
        StoppingRule::Full => (1e-10, 20_000),
    }
}

fn not_criterion() -> Error {
    Error::invalid("rotation", "not a criterion rotation")
}

/// Orthogonal gradient projection (Jennrich 2001), step halving / doubling as Bernaards &
/// Jennrich (2005), started from the orthogonal matrix `t0`. Works on flat row-major buffers
/// allocated once per run.
/// With a `guard`, gives up (`abandoned`) once its loadings are within [`SAME_SOLUTION_TOL`] of it.
fn gpa_orthogonal_guarded(
    a: &Array2<f64>,
    t0: &Array2<f64>,
    rot: &Rotation,
    rule: StoppingRule,
    guard: Option<&Array2<f64>>,
) -> Result<Rotated> {
    let (eps, max_iter) = gpa_params(rule);
    let (p, k) = a.dim();
    let af = flat(a);
    let mut means = vec![0.0; k];
    let mut t = flat(t0);
    let mut l = vec![0.0; p * k];
    let mut gq = vec![0.0; p * k];
    mul_ab(&af, p, k, &t, &mut l);
    let mut f = criterion_into(rot, &l, p, k, &mut gq, &mut means).ok_or_else(not_criterion)?;
    let mut g = vec![0.0; k * k];
    mul_atb(&af, &gq, p, k, &mut g);
    let mut m = vec![0.0; k * k];
    let mut gp = vec![0.0; k * k];
    let mut x = vec![0.0; k * k];
    let mut tc = vec![0.0; k * k];
    let mut lc = vec![0.0; p * k];
    let mut gqc = vec![0.0; p * k];
    let mut pw = small::PolarWork::new(k);
    let mut steps = StepRule::new(rule, guard.is_some(), k);
    let mut al = 1.0;
    let mut iters = 0;
    let mut converged = false;
    let mut stalled = false;
    let mut s = f64::INFINITY;
    let mut abandoned = false;
    for _ in 0..=max_iter {
        // Gp = G − T sym(TᵀG)
        for a_ in 0..k {
            for b_ in 0..k {
                let mut v = 0.0;
                for c in 0..k {
                    v += t[c * k + a_] * g[c * k + b_];
                }
                m[a_ * k + b_] = v;
            }
        }
        let mut ss = 0.0;
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
        s = ss.sqrt();
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
            if small::polar_into(&x, k, &mut pw, &mut tc).is_none() {
                al /= 2.0;
                continue;
            }
            mul_ab(&af, p, k, &tc, &mut lc);
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
            std::mem::swap(&mut l, &mut lc);
            std::mem::swap(&mut gq, &mut gqc);
            f = fc;
            mul_atb(&af, &gq, p, k, &mut g);
            steps.accepted(ok && trials == 1, fc);
        }
    }
    Ok(Rotated {
        loadings: unflat(&l, p, k),
        phi: None,
        t: unflat(&t, k, k),
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
const BB_SWITCH: f64 = 1e-3;

/// First trial step of each GPA iteration. R's stopping rule keeps GPArotation's rule (twice
/// the last accepted step, halved until the Armijo condition holds), to follow its iterates. The
/// other runs double the last step only after it was accepted at the first trial (keeping it
/// otherwise, which saves the evaluation a rejected doubling costs), and take Barzilai–Borwein
/// steps: random starts (a screening pass, any path will do) always, a full-convergence run once
/// inside its basin ([`BB_SWITCH`]).
struct StepRule {
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
const NONMONOTONE_MEMORY: usize = 8;

/// The Barzilai–Borwein step from the changes of the iterate and of the projected gradient, or
/// `None` when the curvature along the step is not positive.
fn bb_step(t: &[f64], t_prev: &[f64], gp: &[f64], gp_prev: &[f64]) -> Option<f64> {
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

fn gpa_convergence(
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

/// Oblique gradient projection (Jennrich 2002) started from `t0` (columns of unit length).
/// Works on flat row-major buffers allocated once per run.
/// With a `guard`, gives up (`abandoned`) once its loadings are within [`SAME_SOLUTION_TOL`] of it.
fn gpa_oblique_guarded(
    a: &Array2<f64>,
    t0: &Array2<f64>,
    rot: &Rotation,
    rule: StoppingRule,
    guard: Option<&Array2<f64>>,
) -> Result<Rotated> {
    let (eps, max_iter) = gpa_params(rule);
    let (p, k) = a.dim();
    let af = flat(a);
    let mut means = vec![0.0; k];
    let mut work = vec![0.0; k * k];
    let mut t = flat(t0);
    let mut ti = vec![0.0; k * k];
    if !crate::core::linalg::small::inv_into(&t, k, &mut work, &mut ti) {
        return Err(Error::Singular { matrix: "rotation matrix T".into() });
    }
    // L = A T⁻ᵀ
    let mut l = vec![0.0; p * k];
    let mut gq = vec![0.0; p * k];
    mul_abt(&af, p, k, &ti, &mut l);
    let mut f = criterion_into(rot, &l, p, k, &mut gq, &mut means).ok_or_else(not_criterion)?;
    let mut m = vec![0.0; k * k];
    let mut g = vec![0.0; k * k];
    // G = −(Lᵀ Gq T⁻¹)ᵀ
    let grad = |l: &[f64], gq: &[f64], ti: &[f64], m: &mut [f64], g: &mut [f64]| {
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
    };
    grad(&l, &gq, &ti, &mut m, &mut g);
    let mut gp = vec![0.0; k * k];
    let mut cs = vec![0.0; k];
    let mut xt = vec![0.0; k * k];
    let mut xit = vec![0.0; k * k];
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
        cs.fill(0.0);
        for i in 0..k {
            for j in 0..k {
                cs[j] += t[i * k + j] * g[i * k + j];
            }
        }
        let mut ss = 0.0;
        for i in 0..k {
            for j in 0..k {
                let v = g[i * k + j] - t[i * k + j] * cs[j];
                gp[i * k + j] = v;
                ss += v * v;
            }
        }
        s = ss.sqrt();
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
            for (xv, (&tv, &gv)) in xt.iter_mut().zip(t.iter().zip(&gp)) {
                *xv = tv - al * gv;
            }
            for j in 0..k {
                let n: f64 = (0..k).map(|i| xt[i * k + j] * xt[i * k + j]).sum::<f64>().sqrt();
                for i in 0..k {
                    xt[i * k + j] /= n;
                }
            }
            if !crate::core::linalg::small::inv_into(&xt, k, &mut work, &mut xit) {
                al /= 2.0;
                continue;
            }
            std::mem::swap(&mut xt, &mut tc);
            std::mem::swap(&mut xit, &mut tic);
            mul_abt(&af, p, k, &tic, &mut lc);
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
            stalled = true;
            break;
        }
        if have {
            std::mem::swap(&mut t, &mut tc);
            std::mem::swap(&mut ti, &mut tic);
            std::mem::swap(&mut l, &mut lc);
            std::mem::swap(&mut gq, &mut gqc);
            f = fc;
            grad(&l, &gq, &ti, &mut m, &mut g);
            steps.accepted(ok && trials == 1, fc);
        }
    }
    let tn = unflat(&t, k, k);
    let phi = tn.t().dot(&tn);
    Ok(Rotated {
        loadings: unflat(&l, p, k),
        phi: Some(phi),
        t: tn,
        convergence: gpa_convergence(converged, stalled, iters, s, eps, max_iter),
        criterion: Some(f),
        starts_used: 1,
        abandoned,
    })
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

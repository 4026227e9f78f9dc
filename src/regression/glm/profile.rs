//! Profile-likelihood confidence intervals for GLM coefficients (R's `confint()` on a glm, MASS
//! `confint.glm`), with the interval ends found as exact roots of the signed root statistic.
//!
//! For coefficient j the profile deviance `D_j(b)` is the deviance of the fit with `β_j` held at
//! `b` (its column moved into the offset, the other coefficients refitted by IRLS). The signed
//! root `τ_j(b) = sign(b − β̂_j) √(D_j(b) − D̂)` (dispersion 1 for the binomial and Poisson
//! families) is increasing in b, and the interval at level `1 − α` is `{b : |τ_j(b)| ≤ z₁₋α/₂}`.
//! MASS evaluates τ on a grid of about ten points per side and interpolates a spline through
//! them; here each end is the root of `τ_j(b) = ±z` found by bracketing (the Wald end, then
//! doubling steps) and Brent's method to a relative 1e-10 of the standard error, so the ends
//! differ from MASS by its interpolation error and lie closer to the exact profile root.
//! Every loop is bounded: a profile that levels off below the cutoff (separation) or a refit
//! that fails leaves that end `None`, with a warning.

use super::{GlmFit, irls};
use crate::core::dist;
use crate::error::{Error, Result};
use crate::regression::solver::Design;
use crate::warning::Warning;

/// Doublings of the step (in standard errors) before a profile is declared not to cross.
const MAX_DOUBLINGS: usize = 40;
/// Brent iterations per interval end.
const MAX_BRENT: usize = 100;
/// Root tolerance, in standard errors of the coefficient.
const ROOT_TOL: f64 = 1e-10;

/// One coefficient's profile-likelihood interval.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ProfileInterval {
    /// The coefficient.
    pub term: String,
    /// Lower end; `None` when the profile does not reach the cutoff below the estimate.
    pub lower: Option<f64>,
    /// Upper end; `None` when the profile does not reach the cutoff above the estimate.
    pub upper: Option<f64>,
    /// Profile deviance evaluations (IRLS refits) used for both ends.
    pub evaluations: usize,
}

/// Profile-likelihood intervals of all coefficients ([`GlmFit::confint_profile`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileCi {
    /// Confidence level.
    pub level: f64,
    /// The cutoff `z₁₋α/₂` of the signed root statistic.
    pub cutoff: f64,
    /// One interval per coefficient, in coefficient order.
    pub intervals: Vec<ProfileInterval>,
    /// Ends left open (profile not crossing the cutoff, failed refits).
    pub warnings: Vec<Warning>,
}

/// The profile of one coefficient: the reduced design and the offset buffer.
struct Profiler<'a> {
    fit: &'a GlmFit,
    j: usize,
    design: Design<'a>,
    names: Vec<String>,
    /// The j-th design column (ones for the intercept).
    col: Vec<f64>,
    offset: Vec<f64>,
    evaluations: usize,
}

impl<'a> Profiler<'a> {
    fn new(fit: &'a GlmFit, j: usize) -> Self {
        let off = usize::from(fit.intercept);
        let n = fit.y.len();
        let (design, col) = if fit.intercept && j == 0 {
            (
                Design { x: fit.x.view(), cols: (0..fit.x.ncols()).collect(), intercept: false },
                vec![1.0; n],
            )
        } else {
            let c = j - off;
            (
                Design {
                    x: fit.x.view(),
                    cols: (0..fit.x.ncols()).filter(|&k| k != c).collect(),
                    intercept: fit.intercept,
                },
                fit.x.column(c).to_vec(),
            )
        };
        let names = fit.names.iter().enumerate().filter(|&(k, _)| k != j).map(|(_, s)| s.clone());
        Self { fit, j, design, names: names.collect(), col, offset: vec![0.0; n], evaluations: 0 }
    }

    /// Profile deviance at `b`: an IRLS refit from R's default start with step halving.
    fn deviance(&mut self, b: f64) -> Result<f64> {
        self.evaluations += 1;
        for (o, &x) in self.offset.iter_mut().zip(&self.col) {
            *o = b * x;
        }
        let fam = self.fit.config.family;
        if self.design.p() == 0 {
            let y = &self.fit.y;
            return Ok(irls::chunked_sum(y.len(), |i| {
                fam.unit_deviance(y[i], fam.inv(self.offset[i]).0)
            }));
        }
        let mut ctl = self.fit.config.control(&self.names);
        ctl.offset = Some(&self.offset);
        ctl.halving = true;
        let r = irls::irls(&self.design, &self.fit.y, &ctl)?;
        if !r.converged {
            return Err(Error::NotConverged {
                what: format!("profile refit of `{}` at {b}", self.fit.names[self.j]),
                iterations: r.iterations,
            });
        }
        Ok(r.deviance)
    }

    /// Signed root statistic at `b`.
    fn tau(&mut self, b: f64) -> Result<f64> {
        let d = self.deviance(b)? - self.fit.deviance;
        let beta = self.fit.coef[self.j];
        // A profile deviance below the minimum by more than rounding means a better fit exists.
        if d < -1e-8 * (1.0 + self.fit.deviance) {
            return Err(Error::NotConverged {
                what: format!(
                    "profile of `{}`: a fit with deviance {} below the estimate's was found",
                    self.fit.names[self.j], -d
                ),
                iterations: 0,
            });
        }
        Ok((b - beta).signum() * d.max(0.0).sqrt())
    }

    /// The end on side `s` (±1): the root of `s τ(β̂ + s t se) = cutoff` in t > 0.
    fn end(&mut self, s: f64, cutoff: f64) -> std::result::Result<f64, String> {
        let beta = self.fit.coef[self.j];
        let se = self.fit.se[self.j];
        if !(se.is_finite() && se > 0.0 && beta.is_finite()) {
            return Err("the standard error is not finite and positive".into());
        }
        let g = |me: &mut Self, t: f64| -> std::result::Result<f64, String> {
            me.tau(beta + s * t * se).map(|v| s * v - cutoff).map_err(|e| e.to_string())
        };
        // Bracket: from the Wald end, double the step until the profile crosses the cutoff.
        let (mut ta, mut ga) = (0.0, -cutoff);
        let mut tb = cutoff;
        let mut gb = g(self, tb)?;
        let mut doublings = 0;
        while gb < 0.0 {
            doublings += 1;
            if doublings > MAX_DOUBLINGS || gb - ga <= 1e-9 * cutoff {
                return Err(format!(
                    "the profile levels off at |τ| = {:.6} below the cutoff {:.6}",
                    gb + cutoff,
                    cutoff
                ));
            }
            (ta, ga) = (tb, gb);
            tb *= 2.0;
            gb = g(self, tb)?;
        }
        // Brent's method on [ta, tb] (g(ta) < 0 ≤ g(tb)).
        let (mut a, mut fa, mut b, mut fb) = (ta, ga, tb, gb);
        let (mut c, mut fc) = (a, fa);
        let (mut d, mut e) = (b - a, b - a);
        for _ in 0..MAX_BRENT {
            if (fb > 0.0) == (fc > 0.0) {
                (c, fc) = (a, fa);
                d = b - a;
                e = d;
            }
            if fc.abs() < fb.abs() {
                (a, fa) = (b, fb);
                (b, fb) = (c, fc);
                (c, fc) = (a, fa);
            }
            let tol = ROOT_TOL * (1.0 + b.abs());
            let m = 0.5 * (c - b);
            if m.abs() <= tol || fb == 0.0 {
                return Ok(beta + s * b * se);
            }
            if e.abs() >= tol && fa.abs() > fb.abs() {
                let sr = fb / fa;
                let (mut p, mut q) = if a == c {
                    (2.0 * m * sr, 1.0 - sr)
                } else {
                    let qa = fa / fc;
                    let r = fb / fc;
                    (
                        sr * (2.0 * m * qa * (qa - r) - (b - a) * (r - 1.0)),
                        (qa - 1.0) * (r - 1.0) * (sr - 1.0),
                    )
                };
                if p > 0.0 {
                    q = -q;
                }
                p = p.abs();
                if 2.0 * p < (3.0 * m * q - (tol * q).abs()).min((e * q).abs()) {
                    e = d;
                    d = p / q;
                } else {
                    d = m;
                    e = m;
                }
            } else {
                d = m;
                e = m;
            }
            (a, fa) = (b, fb);
            b += if d.abs() > tol { d } else { tol.copysign(m) };
            fb = g(self, b)?;
        }
        Err(format!("no root within {MAX_BRENT} iterations"))
    }
}

impl GlmFit {
    /// Profile-likelihood confidence intervals of all coefficients at `level` (R's `confint()`
    /// on a glm, MASS `confint.glm`; see the module notes on root finding versus MASS's
    /// interpolation). An end the profile does not reach (separation, a failed refit) is `None`
    /// and named in the warnings.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a level outside (0, 1).
    pub fn confint_profile(&self, level: f64) -> Result<ProfileCi> {
        if !(level > 0.0 && level < 1.0) {
            return Err(Error::invalid("level", format!("must lie in (0, 1), got {level}")));
        }
        let cutoff = dist::qnorm(0.5 + level / 2.0);
        let mut intervals = Vec::with_capacity(self.coef.len());
        let mut warnings = Vec::new();
        for j in 0..self.coef.len() {
            let mut pr = Profiler::new(self, j);
            let mut ends = [None, None];
            for (k, s) in [-1.0, 1.0].into_iter().enumerate() {
                match pr.end(s, cutoff) {
                    Ok(v) => ends[k] = Some(v),
                    Err(why) => warnings.push(Warning::Other {
                        message: format!(
                            "profile interval of `{}`: no {} end ({why})",
                            self.names[j],
                            if s < 0.0 { "lower" } else { "upper" }
                        ),
                    }),
                }
            }
            intervals.push(ProfileInterval {
                term: self.names[j].clone(),
                lower: ends[0],
                upper: ends[1],
                evaluations: pr.evaluations,
            });
        }
        Ok(ProfileCi { level, cutoff, intervals, warnings })
    }

    /// The signed root statistic `τ_j(b) = sign(b − β̂_j) √(D_j(b) − D̂)` of coefficient `j` at
    /// `b` (MASS `profile.glm`'s `z`), from an IRLS refit with `β_j` fixed at `b`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for `j` out of range or a non-finite `b`; errors of the refit.
    pub fn profile_signed_root(&self, j: usize, b: f64) -> Result<f64> {
        if j >= self.coef.len() || !b.is_finite() {
            return Err(Error::invalid(
                "profile",
                format!("coefficient {j} at {b}: index out of range or value not finite"),
            ));
        }
        let mut pr = Profiler::new(self, j);
        pr.tau(b)
    }
}

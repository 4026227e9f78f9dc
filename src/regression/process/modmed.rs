//! PROCESS models 7, 8, 14, 58 and 59: one mediator M whose `a` path (X → M), `b` path (M → Y)
//! and/or direct path (X → Y) are moderated by W. Conditional indirect effects at the
//! moderator's mean − 1 SD, mean and mean + 1 SD, the index of moderated mediation where the
//! indirect effect is linear in W, and seeded percentile/BCa bootstrap intervals.

use ndarray::{Array1, Array2};

use super::jn::{JohnsonNeyman, Path, conditional};
use super::{complete_columns, mean, sd};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::regression::ols::{Ols, OlsFit, RobustCovariance};
use crate::resample::{Bootstrap, Interval};

/// Which paths W moderates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Paths {
    a: bool,
    b: bool,
    c: bool,
}

impl Paths {
    fn of(model: u32) -> Option<Self> {
        let (a, b, c) = match model {
            7 => (true, false, false),
            8 => (true, false, true),
            14 => (false, true, false),
            58 => (true, true, false),
            59 => (true, true, true),
            _ => return None,
        };
        Some(Self { a, b, c })
    }
}

/// The bootstrap-free part of a fit: the two regressions on given columns.
struct Core {
    m_fit: OlsFit,
    y_fit: OlsFit,
}

/// Column order of the M model: X, [W, XW]; of the Y model: X, M, [W], [XW], [MW].
fn design(p: Paths, x: &[f64], m: &[f64], w: &[f64], idx: &[usize]) -> (Array2<f64>, Array2<f64>) {
    let n = idx.len();
    let km = if p.a { 3 } else { 1 };
    let xm = Array2::from_shape_fn((n, km), |(i, j)| {
        let r = idx[i];
        match j {
            0 => x[r],
            1 => w[r],
            _ => x[r] * w[r],
        }
    });
    let mut ycols: Vec<Box<dyn Fn(usize) -> f64 + '_>> =
        vec![Box::new(|r| x[r]), Box::new(|r| m[r])];
    if p.b || p.c {
        ycols.push(Box::new(|r| w[r]));
    }
    if p.c {
        ycols.push(Box::new(|r| x[r] * w[r]));
    }
    if p.b {
        ycols.push(Box::new(|r| m[r] * w[r]));
    }
    let xy = Array2::from_shape_fn((n, ycols.len()), |(i, j)| ycols[j](idx[i]));
    (xm, xy)
}

fn fit_core(
    p: Paths,
    cols: &[Vec<f64>],
    idx: &[usize],
    names: Option<(&[String], &[String], &str, &str)>,
) -> Result<Core> {
    let (xm, xy) = design(p, &cols[0], &cols[1], &cols[2], idx);
    let mv: Array1<f64> = idx.iter().map(|&i| cols[1][i]).collect();
    let yv: Array1<f64> = idx.iter().map(|&i| cols[3][i]).collect();
    let ols = || Ols::new().robust_covariance(RobustCovariance::Skip);
    let (m_fit, y_fit) = match names {
        Some((mn, yn, mr, yr)) => (
            ols().names(mn).response(mr).fit(&xm, &mv)?,
            ols().names(yn).response(yr).fit(&xy, &yv)?,
        ),
        None => (ols().fit(&xm, &mv)?, ols().fit(&xy, &yv)?),
    };
    Ok(Core { m_fit, y_fit })
}

/// Positions (with the intercept at 0) of the coefficients in the Y model.
fn y_pos(p: Paths) -> (usize, Option<usize>, Option<usize>) {
    // X at 1, M at 2, W at 3 when present; XW then MW follow.
    let mut k = 3 + usize::from(p.b || p.c);
    let xw = p.c.then(|| {
        k += 1;
        k - 1
    });
    let mw = p.b.then_some(k);
    (2, xw, mw)
}

/// Conditional indirect effects `(a₁ + a₃w)(b₁ + b₃w)` at `ws`, followed by the index of
/// moderated mediation when the model has one.
fn effects(p: Paths, c: &Core, ws: &[f64]) -> Vec<f64> {
    let a = c.m_fit.coefficients();
    let b = c.y_fit.coefficients();
    let (bm, _, mw) = y_pos(p);
    let a3 = if p.a { a[3] } else { 0.0 };
    let b3 = mw.map_or(0.0, |j| b[j]);
    let mut out: Vec<f64> = ws.iter().map(|&w| (a[1] + a3 * w) * (b[bm] + b3 * w)).collect();
    match (p.a, p.b) {
        (true, false) => out.push(a3 * b[bm]),
        (false, true) => out.push(a[1] * b3),
        _ => {}
    }
    out
}

/// A conditional indirect effect at one moderator value with its bootstrap intervals.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionalIndirect {
    /// Moderator value.
    pub w: f64,
    /// Indirect effect `(a₁ + a₃w)(b₁ + b₃w)`.
    pub effect: f64,
    /// Bootstrap standard error.
    pub boot_se: f64,
    /// Percentile bootstrap interval.
    pub percentile: Interval,
    /// BCa bootstrap interval, `None` where undefined.
    pub bca: Option<Interval>,
}

/// PROCESS models 7, 8, 14, 58 and 59 with one mediator.
#[derive(Debug, Clone)]
pub struct ModeratedMediation {
    model: u32,
    m_fit: OlsFit,
    y_fit: OlsFit,
    indirect: Vec<ConditionalIndirect>,
    index: Option<ConditionalIndirect>,
    direct: Vec<super::ConditionalEffect>,
    jn_a: Option<JohnsonNeyman>,
    jn_b: Option<JohnsonNeyman>,
    jn_direct: Option<JohnsonNeyman>,
}

impl ModeratedMediation {
    /// Fit PROCESS `model` (7, 8, 14, 58 or 59) with a seeded bootstrap of `reps` row
    /// resamples; `center` mean-centres X, M and W before forming products. Probe values of W
    /// are the sample mean − 1 SD, mean, mean + 1 SD (of the centred W when centring).
    ///
    /// # Errors
    /// An unknown model number; column look-up errors; the errors of [`Ols::fit`] and of the
    /// bootstrap.
    #[allow(clippy::too_many_arguments)]
    pub fn fit(
        data: &Dataset,
        model: u32,
        x: &str,
        m: &str,
        w: &str,
        y: &str,
        center: bool,
        reps: usize,
        seed: u64,
        level: f64,
    ) -> Result<Self> {
        let p = Paths::of(model).ok_or_else(|| {
            Error::invalid("model", "moderated mediation models are 7, 8, 14, 58 and 59")
        })?;
        let mut cols = complete_columns(data, &[x, m, w, y])?;
        if center {
            for c in cols.iter_mut().take(3) {
                let mu = mean(c);
                c.iter_mut().for_each(|v| *v -= mu);
            }
        }
        let n = cols[0].len();
        let all: Vec<usize> = (0..n).collect();
        let mut mn = vec![x.to_string()];
        if p.a {
            mn.extend([w.to_string(), format!("{x}:{w}")]);
        }
        let mut yn = vec![x.to_string(), m.to_string()];
        if p.b || p.c {
            yn.push(w.to_string());
        }
        if p.c {
            yn.push(format!("{x}:{w}"));
        }
        if p.b {
            yn.push(format!("{m}:{w}"));
        }
        let core = fit_core(p, &cols, &all, Some((&mn, &yn, m, y)))?;
        let (mw_, sw) = (mean(&cols[2]), sd(&cols[2]));
        let ws = [mw_ - sw, mw_, mw_ + sw];
        let est = effects(p, &core, &ws);
        let boot = Bootstrap::new(reps)
            .seed(seed)
            .run(n, |idx: &[usize]| Ok(effects(p, &fit_core(p, &cols, idx, None)?, &ws)))?;
        let perc = boot.ci_percentile(level)?;
        let se = boot.se();
        let item = |j: usize, wv: f64| ConditionalIndirect {
            w: wv,
            effect: est[j],
            boot_se: se[j],
            percentile: perc[j],
            bca: boot.ci_bca_one(j, level).ok(),
        };
        let indirect = (0..3).map(|j| item(j, ws[j])).collect();
        let index = (est.len() > 3).then(|| item(3, f64::NAN));
        // Conditional direct effects θ(w) = c₁ + c₃w (models 8 and 59); else the constant c'.
        let direct_path = Path { focal: 1, product: y_pos(p).1 };
        let direct_ws: Vec<f64> = if p.c { ws.to_vec() } else { vec![f64::NAN] };
        let direct =
            direct_ws.iter().map(|&wv| conditional(&core.y_fit, direct_path, wv, level)).collect();
        // Johnson–Neyman analyses of every moderated path (X → M, M → Y, X → Y).
        let wobs = &cols[2];
        let jn_a = p.a.then(|| {
            JohnsonNeyman::new(&core.m_fit, Path { focal: 1, product: Some(3) }, wobs, level)
        });
        let jn_b = p.b.then(|| {
            JohnsonNeyman::new(&core.y_fit, Path { focal: 2, product: y_pos(p).2 }, wobs, level)
        });
        let jn_direct = p.c.then(|| JohnsonNeyman::new(&core.y_fit, direct_path, wobs, level));
        Ok(Self {
            model,
            m_fit: core.m_fit,
            y_fit: core.y_fit,
            indirect,
            index,
            direct,
            jn_a,
            jn_b,
            jn_direct,
        })
    }

    /// The PROCESS model number.
    pub fn model(&self) -> u32 {
        self.model
    }
    /// Regression of M on X (and W, XW when W moderates the `a` path).
    pub fn m_model(&self) -> &OlsFit {
        &self.m_fit
    }
    /// Regression of Y on X, M and the terms of the model, in the order X, M, W, XW, MW.
    pub fn y_model(&self) -> &OlsFit {
        &self.y_fit
    }
    /// Conditional indirect effects at W = mean − 1 SD, mean, mean + 1 SD.
    pub fn conditional_indirect(&self) -> &[ConditionalIndirect] {
        &self.indirect
    }
    /// Index of moderated mediation (`a₃b` for models 7 and 8, `ab₃` for model 14); `None` for
    /// models 58 and 59, whose indirect effect is quadratic in W. Its `w` is NaN.
    pub fn index(&self) -> Option<&ConditionalIndirect> {
        self.index.as_ref()
    }
    /// Direct effect of X: conditional at the three probe values for models 8 and 59, one
    /// unconditional entry (with `w` NaN) otherwise.
    pub fn direct(&self) -> &[super::ConditionalEffect] {
        &self.direct
    }

    /// Johnson–Neyman analysis of the first-stage path X → M, `a₁ + a₃w` (models 7, 8, 58,
    /// 59; `None` otherwise).
    pub fn johnson_neyman_a(&self) -> Option<&JohnsonNeyman> {
        self.jn_a.as_ref()
    }
    /// Johnson–Neyman analysis of the second-stage path M → Y, `b₁ + b₃w` (models 14, 58, 59).
    pub fn johnson_neyman_b(&self) -> Option<&JohnsonNeyman> {
        self.jn_b.as_ref()
    }
    /// Johnson–Neyman analysis of the direct effect X → Y, `c₁ + c₃w` (models 8 and 59).
    pub fn johnson_neyman_direct(&self) -> Option<&JohnsonNeyman> {
        self.jn_direct.as_ref()
    }
}

//! Heteroskedasticity-consistent (sandwich) covariance matrices HC0–HC4.

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};
use ndarray::{Array1, Array2};
use rayon::prelude::*;

use super::ols::HcType;
use super::solver::Design;

/// The five HC covariances and the leverages.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub(crate) struct HcSet {
    pub hc: [Array2<f64>; 5],
    pub leverage: Array1<f64>,
}

impl HcSet {
    pub fn get(&self, t: HcType) -> &Array2<f64> {
        match t {
            HcType::Hc0 => &self.hc[0],
            HcType::Hc1 => &self.hc[1],
            HcType::Hc2 => &self.hc[2],
            HcType::Hc3 => &self.hc[3],
            HcType::Hc4 => &self.hc[4],
        }
    }
}

const CHUNK: usize = 2048;

/// HC0–HC3 from the equilibrated factor: with `W = R⁻¹` and `z_i = Wᵀ a_i` (a_i the scaled
/// design row), `h_i = ‖z_i‖²` and `HC = D W (Σ ω_i z_i z_iᵀ) Wᵀ D` with
/// `ω = e²` (HC0), `e²/(1 − h)` (HC2), `e²/(1 − h)²` (HC3), `e²/(1 − h)^δ` with
/// `δ = min(4, n h / p)` (HC4); HC1 = HC0 · n/(n − p).
/// Rows are processed in chunks (in parallel), so no n×p temporary is formed.
pub(crate) fn sandwich(design: &Design<'_>, scale: &[f64], rinv: &[f64], e: &[f64]) -> HcSet {
    let n = design.n();
    let p = design.p();
    let w = Mat::<f64>::from_fn(p, p, |i, j| rinv[i * p + j]);
    let mut leverage = vec![0.0; n];
    let m = leverage
        .par_chunks_mut(CHUNK)
        .enumerate()
        .map(|(ci, hchunk)| {
            let start = ci * CHUNK;
            let c = hchunk.len();
            let a = Mat::<f64>::from_fn(c, p, |i, k| design.at(start + i, k) * scale[k]);
            let mut z = Mat::<f64>::zeros(c, p);
            matmul(z.as_mut(), Accum::Replace, a.as_ref(), w.as_ref(), 1.0, Par::Seq);
            let mut y = Mat::<f64>::zeros(c, 4 * p);
            for i in 0..c {
                let h: f64 = (0..p).map(|k| z[(i, k)] * z[(i, k)]).sum();
                hchunk[i] = h;
                let e2 = e[start + i] * e[start + i];
                let delta = (n as f64 * h / p as f64).min(4.0);
                let om =
                    [e2, e2 / (1.0 - h), e2 / ((1.0 - h) * (1.0 - h)), e2 / (1.0 - h).powf(delta)];
                for (t, o) in om.iter().enumerate() {
                    for k in 0..p {
                        y[(i, t * p + k)] = o * z[(i, k)];
                    }
                }
            }
            let mut mloc = Mat::<f64>::zeros(p, 4 * p);
            matmul(mloc.as_mut(), Accum::Replace, z.transpose(), y.as_ref(), 1.0, Par::Seq);
            mloc
        })
        .reduce(|| Mat::<f64>::zeros(p, 4 * p), |a, b| a + b);
    let mut out: Vec<Array2<f64>> = Vec::with_capacity(4);
    for t in 0..4 {
        let mt = m.as_ref().subcols(t * p, p);
        // W M Wᵀ
        let mut tmp = Mat::<f64>::zeros(p, p);
        matmul(tmp.as_mut(), Accum::Replace, w.as_ref(), mt, 1.0, Par::Seq);
        let mut cov = Mat::<f64>::zeros(p, p);
        matmul(cov.as_mut(), Accum::Replace, tmp.as_ref(), w.transpose(), 1.0, Par::Seq);
        let a = Array2::from_shape_fn((p, p), |(i, j)| {
            0.5 * (cov[(i, j)] + cov[(j, i)]) * scale[i] * scale[j]
        });
        out.push(a);
    }
    let hc0 = out[0].clone();
    let hc1 = hc0.mapv(|v| v * n as f64 / (n - p) as f64);
    let hc4 = out.pop().unwrap_or_default();
    let hc3 = out.pop().unwrap_or_default();
    let hc2 = out.pop().unwrap_or_default();
    HcSet { hc: [hc0, hc1, hc2, hc3, hc4], leverage: Array1::from(leverage) }
}

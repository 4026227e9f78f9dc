//! The standard bivariate normal distribution: density, distribution function and the
//! derivatives the polychoric likelihood needs.
//!
//! `Φ₂(h, k; ρ) = P(X ≤ h, Y ≤ k)` for standard normal `X, Y` with correlation `ρ`, computed by
//! Genz's (2004) refinement of Drezner and Wesolowsky's (1990) method: Gauss–Legendre quadrature
//! (6, 12 or 20 points by `|ρ|`) of Plackett's integral `Φ₂ = Φ(h)Φ(k) + ∫₀^ρ φ₂(h, k; r) dr` in
//! the variable `asin r` for `|ρ| < 0.925`, and of the integral in `√(1 − r²)` with the singular
//! part removed analytically above. Absolute accuracy about 1e-15.
//!
//! # References
//! - Drezner, Z. & Wesolowsky, G. O. (1990). On the computation of the bivariate normal integral.
//!   *Journal of Statistical Computation and Simulation*, 35, 101–107.
//! - Genz, A. (2004). Numerical computation of rectangular bivariate and trivariate normal and t
//!   probabilities. *Statistics and Computing*, 14, 251–260.

use std::f64::consts::PI;

use crate::core::dist::pnorm;

/// Gauss–Legendre abscissae (negative half) and weights for 6, 12 and 20 points.
const X6: [f64; 3] = [-0.932_469_514_203_152, -0.661_209_386_466_264_5, -0.238_619_186_083_197];
const W6: [f64; 3] = [0.171_324_492_379_170_4, 0.360_761_573_048_138_6, 0.467_913_934_572_691_1];
const X12: [f64; 6] = [
    -0.981_560_634_246_719_3,
    -0.904_117_256_370_474_9,
    -0.769_902_674_194_305,
    -0.587_317_954_286_617_4,
    -0.367_831_498_998_180_2,
    -0.125_233_408_511_468_9,
];
const W12: [f64; 6] = [
    0.047_175_336_386_511_83,
    0.106_939_325_995_318_4,
    0.160_078_328_543_346_2,
    0.203_167_426_723_065_9,
    0.233_492_536_538_354_8,
    0.249_147_045_813_402_8,
];
const X20: [f64; 10] = [
    -0.993_128_599_185_094_9,
    -0.963_971_927_277_913_8,
    -0.912_234_428_251_326,
    -0.839_116_971_822_218_8,
    -0.746_331_906_460_150_8,
    -0.636_053_680_726_515,
    -0.510_867_001_950_827_1,
    -0.373_706_088_715_419_6,
    -0.227_785_851_141_645_1,
    -0.076_526_521_133_497_33,
];
const W20: [f64; 10] = [
    0.017_614_007_139_152_12,
    0.040_601_429_800_386_94,
    0.062_672_048_334_109_06,
    0.083_276_741_576_704_75,
    0.101_930_119_817_240_4,
    0.118_194_531_961_518_4,
    0.131_688_638_449_176_6,
    0.142_096_109_318_382_1,
    0.149_172_986_472_603_7,
    0.152_753_387_130_725_9,
];

/// Standard normal density.
pub(crate) fn dnorm(x: f64) -> f64 {
    if x.is_infinite() {
        return 0.0;
    }
    (-0.5 * x * x).exp() / (2.0 * PI).sqrt()
}

/// Bivariate normal density `φ₂(x, y; ρ)`; zero when either argument is infinite.
pub(crate) fn dbvn(x: f64, y: f64, rho: f64) -> f64 {
    if x.is_infinite() || y.is_infinite() {
        return 0.0;
    }
    let s = 1.0 - rho * rho;
    (-(x * x - 2.0 * rho * x * y + y * y) / (2.0 * s)).exp() / (2.0 * PI * s.sqrt())
}

/// `∂Φ₂(x, y; ρ)/∂x = φ(x) Φ((y − ρx)/√(1 − ρ²))`; zero when `x` is infinite.
pub(crate) fn dpbvn_dx(x: f64, y: f64, rho: f64) -> f64 {
    if x.is_infinite() {
        return 0.0;
    }
    if y == f64::INFINITY {
        return dnorm(x);
    }
    if y == f64::NEG_INFINITY {
        return 0.0;
    }
    dnorm(x) * pnorm((y - rho * x) / (1.0 - rho * rho).sqrt())
}

/// `Φ₂(h, k; ρ) = P(X ≤ h, Y ≤ k)`, with infinite limits handled exactly.
pub(crate) fn pbvn(h: f64, k: f64, rho: f64) -> f64 {
    if h.is_nan() || k.is_nan() || rho.is_nan() {
        return f64::NAN;
    }
    if h == f64::NEG_INFINITY || k == f64::NEG_INFINITY {
        return 0.0;
    }
    if h == f64::INFINITY {
        return pnorm(k);
    }
    if k == f64::INFINITY {
        return pnorm(h);
    }
    bvnu(-h, -k, rho)
}

/// Upper probability `P(X > dh, Y > dk)` (Genz's BVNU) for finite `dh`, `dk`.
fn bvnu(dh: f64, dk: f64, r: f64) -> f64 {
    let (x, w): (&[f64], &[f64]) = if r.abs() < 0.3 {
        (&X6, &W6)
    } else if r.abs() < 0.75 {
        (&X12, &W12)
    } else {
        (&X20, &W20)
    };
    let h = dh;
    let mut k = dk;
    let mut hk = h * k;
    let mut bvn = 0.0;
    if r.abs() < 0.925 {
        let hs = (h * h + k * k) / 2.0;
        let asr = r.asin();
        for (xi, wi) in x.iter().zip(w) {
            for s in [-1.0, 1.0] {
                let sn = (asr * (s * xi + 1.0) / 2.0).sin();
                bvn += wi * ((sn * hk - hs) / (1.0 - sn * sn)).exp();
            }
        }
        bvn = bvn * asr / (4.0 * PI);
        bvn += pnorm(-h) * pnorm(-k);
    } else {
        if r < 0.0 {
            k = -k;
            hk = -hk;
        }
        if r.abs() < 1.0 {
            let as_ = (1.0 - r) * (1.0 + r);
            let mut a = as_.sqrt();
            let bs = (h - k) * (h - k);
            let c = (4.0 - hk) / 8.0;
            let d = (12.0 - hk) / 16.0;
            bvn = a
                * (-(bs / as_ + hk) / 2.0).exp()
                * (1.0 - c * (bs - as_) * (1.0 - d * bs / 5.0) / 3.0 + c * d * as_ * as_ / 5.0);
            if hk > -160.0 {
                let b = bs.sqrt();
                bvn -= (-hk / 2.0).exp()
                    * (2.0 * PI).sqrt()
                    * pnorm(-b / a)
                    * b
                    * (1.0 - c * bs * (1.0 - d * bs / 5.0) / 3.0);
            }
            a /= 2.0;
            for (xi, wi) in x.iter().zip(w) {
                for s in [-1.0, 1.0] {
                    let xs = (a * (s * xi + 1.0)).powi(2);
                    let rs = (1.0 - xs).sqrt();
                    bvn += a
                        * wi
                        * ((-bs / (2.0 * xs) - hk / (1.0 + rs)).exp() / rs
                            - (-(bs / xs + hk) / 2.0).exp() * (1.0 + c * xs * (1.0 + d * xs)));
                }
            }
            bvn = -bvn / (2.0 * PI);
        }
        if r > 0.0 {
            bvn += pnorm(-h.max(k));
        } else {
            bvn = -bvn;
            if k > h {
                bvn += pnorm(k) - pnorm(h);
            }
        }
    }
    bvn.clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plackett's identity `Φ₂(h, k; ρ) = Φ(h)Φ(k) + ∫₀^ρ φ₂(h, k; r) dr`, integrated by
    /// composite Simpson with many panels (independent of the quadrature above).
    fn plackett(h: f64, k: f64, rho: f64) -> f64 {
        let n = 20_000;
        let step = rho / n as f64;
        let mut s = dbvn(h, k, 0.0) + dbvn(h, k, rho);
        for i in 1..n {
            let r = step * i as f64;
            s += if i % 2 == 1 { 4.0 } else { 2.0 } * dbvn(h, k, r);
        }
        pnorm(h) * pnorm(k) + s * step / 3.0
    }

    #[test]
    fn matches_plackett_integral() {
        for &rho in &[-0.99, -0.95, -0.93, -0.8, -0.5, -0.1, 0.0, 0.2, 0.6, 0.9, 0.93, 0.97, 0.99] {
            for &(h, k) in
                &[(0.3, -0.2), (-1.5, -0.7), (1.2, 2.0), (-2.5, 1.0), (0.0, 0.0), (2.2, -2.1)]
            {
                let a = pbvn(h, k, rho);
                let b = plackett(h, k, rho);
                assert!((a - b).abs() < 2e-13, "h {h} k {k} rho {rho}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn limits_and_known_values() {
        assert!((pbvn(0.0, 0.0, 0.5) - (0.25 + 0.5f64.asin() / (2.0 * PI))).abs() < 1e-15);
        assert!((pbvn(0.0, 0.0, -0.95) - (0.25 + (-0.95f64).asin() / (2.0 * PI))).abs() < 1e-15);
        assert_eq!(pbvn(f64::NEG_INFINITY, 0.3, 0.2), 0.0);
        assert!((pbvn(f64::INFINITY, 0.3, 0.2) - pnorm(0.3)).abs() < 1e-16);
        // pbivnorm::pbivnorm(0.3, -0.2, rho = 0.5) = 0.33619843701551871
        assert!((pbvn(0.3, -0.2, 0.5) - 0.336_198_437_015_518_7).abs() < 1e-15);
    }

    #[test]
    fn derivatives_match_differences() {
        let (x, y, r) = (0.4, -0.9, 0.35);
        let e = 1e-6;
        let num = (pbvn(x, y, r + e) - pbvn(x, y, r - e)) / (2.0 * e);
        assert!((num - dbvn(x, y, r)).abs() < 1e-9);
        let num = (pbvn(x + e, y, r) - pbvn(x - e, y, r)) / (2.0 * e);
        assert!((num - dpbvn_dx(x, y, r)).abs() < 1e-9);
    }
}

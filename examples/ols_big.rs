//! Time (and, under `/usr/bin/time -v`, measure the memory of) one large OLS fit:
//! `cargo run --release --example ols_big -- [n] [p] [reps]` (p counts the intercept).
use ndarray::{Array1, Array2};
use surveystat::regression::{Ols, RobustCovariance};

fn cpu() -> f64 {
    let st = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let f: Vec<&str> = st.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let t = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (t(11) + t(12)) / 100.0
}

fn main() {
    let a: Vec<usize> = std::env::args().skip(1).map(|s| s.parse().unwrap_or(0)).collect();
    let n = a.first().copied().unwrap_or(1_000_000);
    let p = a.get(1).copied().unwrap_or(50);
    let reps = a.get(2).copied().unwrap_or(3);
    let k = p - 1;
    // Cheap deterministic pseudo-random data (LCG, uniform), built outside the timing.
    let mut s: u64 = 20261128;
    let mut next = move || {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((s >> 11) as f64 / (1u64 << 53) as f64) - 0.5
    };
    let x = Array2::from_shape_simple_fn((n, k), &mut next);
    let beta: Vec<f64> = (0..k).map(|j| (j as f64 + 1.0).sin()).collect();
    let y = Array1::from_shape_fn(n, |i| {
        1.0 + x.row(i).iter().zip(&beta).map(|(a, b)| a * b).sum::<f64>()
    }) + Array1::from_shape_simple_fn(n, &mut next);
    let ols = Ols::new().robust_covariance(RobustCovariance::Skip);
    for _ in 0..reps {
        let t = std::time::Instant::now();
        let c = cpu();
        let fit = ols.fit(&x, &y);
        println!(
            "n={n} p={p}: wall {:.3} s, cpu {:.2} s  (R2 {:.6})",
            t.elapsed().as_secs_f64(),
            cpu() - c,
            fit.map(|f| f.r_squared()).unwrap_or(f64::NAN)
        );
    }
}

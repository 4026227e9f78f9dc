//! Properties of the factor-analysis code: rotation invariances, exact recovery of a planted
//! structure, analytic gradients against finite differences, determinism of parallel analysis.

use crate::common;

use ndarray::Array2;
use proptest::prelude::*;
use surveystat::factor::{
    Efa, Extraction, ParallelAnalysis, ParallelSource, Rotation, StoppingRule,
};

const ROTATIONS: [Rotation; 8] = [
    Rotation::None,
    Rotation::Varimax,
    Rotation::Quartimax,
    Rotation::Promax { power: 4.0 },
    Rotation::Oblimin { gamma: 0.0 },
    Rotation::Quartimin,
    Rotation::GeominT { eps: 0.01 },
    Rotation::GeominQ { eps: 0.01 },
];

/// A simple-structure loading matrix p × k from raw draws in [0, 1).
fn planted(p: usize, k: usize, draws: &[f64]) -> Array2<f64> {
    Array2::from_shape_fn((p, k), |(i, j)| {
        let u = draws[(i * k + j) % draws.len()];
        if i % k == j { 0.5 + 0.35 * u } else { 0.25 * (u - 0.5) }
    })
}

fn implied_cor(l: &Array2<f64>) -> Array2<f64> {
    let mut r = l.dot(&l.t());
    for i in 0..r.nrows() {
        r[[i, i]] = 1.0;
    }
    r
}

fn perturbed(r: &Array2<f64>, draws: &[f64]) -> Array2<f64> {
    let p = r.nrows();
    let mut out = r.clone();
    for i in 0..p {
        for j in 0..i {
            let e = 0.04 * (draws[(i * 7 + j * 3) % draws.len()] - 0.5);
            out[[i, j]] += e;
            out[[j, i]] += e;
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// h² = diag(Λ Φ Λᵀ) is the same for every rotation and equals the unrotated communalities.
    #[test]
    fn communalities_invariant_under_rotation(
        draws in prop::collection::vec(0.0f64..1.0, 40),
        k in 2usize..4,
        ex in prop::sample::select(vec![Extraction::MinRes, Extraction::Ml, Extraction::Pca]),
    ) {
        let p = 9;
        let r = perturbed(&implied_cor(&planted(p, k, &draws)), &draws);
        let base = Efa::new(k).extraction(ex).rotation(Rotation::None).fit_cor(&r, 500).unwrap();
        for rot in ROTATIONS {
            let fit = Efa::new(k).extraction(ex).rotation(rot.clone()).random_starts(1).fit_cor(&r, 500).unwrap();
            let h = fit.loadings().dot(fit.phi()).dot(&fit.loadings().t());
            for i in 0..p {
                prop_assert!((h[[i, i]] - base.communalities()[i]).abs() < 1e-8,
                    "{rot:?}: item {i}: {} vs {}", h[[i, i]], base.communalities()[i]);
                prop_assert!((fit.communalities()[i] - base.communalities()[i]).abs() < 1e-12);
            }
            // the model-implied matrix is rotation invariant too
            let h0 = base.loadings().dot(&base.loadings().t());
            for (a, b) in h.iter().zip(h0.iter()) {
                prop_assert!((a - b).abs() < 1e-8);
            }
        }
    }

    /// Orthogonal rotations report Φ = I and keep ΛΛᵀ; oblique ones have unit-diagonal Φ.
    #[test]
    fn orthogonal_rotations_keep_identity_phi(draws in prop::collection::vec(0.0f64..1.0, 40), k in 2usize..4) {
        let r = perturbed(&implied_cor(&planted(10, k, &draws)), &draws);
        for rot in ROTATIONS {
            let fit = Efa::new(k).rotation(rot.clone()).random_starts(1).fit_cor(&r, 400).unwrap();
            let phi = fit.phi();
            for i in 0..k {
                prop_assert!((phi[[i, i]] - 1.0).abs() < 1e-10);
                for j in 0..k {
                    if i != j && !rot.is_oblique() {
                        prop_assert!(phi[[i, j]] == 0.0);
                    }
                    prop_assert!((phi[[i, j]] - phi[[j, i]]).abs() < 1e-12);
                }
            }
            if !rot.is_oblique() {
                let a = fit.unrotated_loadings();
                let l = fit.loadings();
                let d = &l.dot(&l.t()) - &a.dot(&a.t());
                prop_assert!(d.iter().all(|v| v.abs() < 1e-10), "{rot:?}");
            }
        }
    }

    /// R = ΛΛᵀ + Ψ exactly: ML and minres reproduce it (χ² = 0, h² = diag ΛΛᵀ).
    #[test]
    fn planted_structure_recovered(draws in prop::collection::vec(0.0f64..1.0, 40), k in 1usize..4) {
        let p = 10;
        let l = planted(p, k, &draws);
        let r = implied_cor(&l);
        let truth = l.dot(&l.t());
        for ex in [Extraction::Ml, Extraction::MinRes] {
            let fit = Efa::new(k).extraction(ex).rotation(Rotation::None).fit_cor(&r, 1000).unwrap();
            prop_assert!(fit.convergence().converged, "{ex:?}: {:?}", fit.convergence());
            for i in 0..p {
                prop_assert!((fit.communalities()[i] - truth[[i, i]]).abs() < 1e-7,
                    "{ex:?} item {i}: {} vs {}", fit.communalities()[i], truth[[i, i]]);
            }
            let m = fit.loadings().dot(&fit.loadings().t());
            for i in 0..p {
                for j in 0..p {
                    if i != j {
                        prop_assert!((m[[i, j]] - r[[i, j]]).abs() < 1e-7);
                    }
                }
            }
            prop_assert!(fit.fit_statistics().chisq.abs() < 1e-6, "{ex:?} chisq {}", fit.fit_statistics().chisq);
        }
    }

    /// Every rotation criterion's analytic gradient matches central finite differences.
    #[test]
    fn rotation_gradients_match_finite_differences(vals in prop::collection::vec(-0.9f64..0.9, 24)) {
        let l = Array2::from_shape_vec((8, 3), vals).unwrap();
        // a partially specified target (NaN = unspecified)
        let target = surveystat::factor::Target::new(&Array2::from_shape_fn((8, 3), |(i, j)| {
            if i % 3 == j { f64::NAN } else { 0.1 * (i as f64) - 0.2 * (j as f64) }
        }))
        .unwrap();
        let crits = [
            Rotation::Varimax, Rotation::Quartimax, Rotation::Oblimin { gamma: 0.0 },
            Rotation::Oblimin { gamma: 0.5 }, Rotation::Quartimin, Rotation::GeominT { eps: 0.01 },
            Rotation::GeominQ { eps: 0.05 }, Rotation::Equamax, Rotation::BentlerT,
            Rotation::TargetT(target.clone()), Rotation::TargetQ(target.clone()),
            Rotation::Simplimax { k: Some(24) },
        ];
        for c in crits {
            let (_, g) = c.criterion(&l).unwrap();
            let h = 1e-6;
            for i in 0..8 {
                for j in 0..3 {
                    let mut a = l.clone();
                    a[[i, j]] += h;
                    let mut b = l.clone();
                    b[[i, j]] -= h;
                    let fd = (c.criterion(&a).unwrap().0 - c.criterion(&b).unwrap().0) / (2.0 * h);
                    prop_assert!((fd - g[[i, j]]).abs() < 1e-6 * (1.0 + fd.abs()), "{c:?} ({i},{j}): {fd} vs {}", g[[i, j]]);
                }
            }
        }
    }
}

/// Fully converged principal axis reaches the minres (ULS) solution: both are the fixed point
/// ψ = 1 − diag(LLᵀ) of the same least-squares problem.
#[test]
fn converged_principal_axis_equals_minres() {
    let ds = common::load_data("HolzingerSwineford1939.csv");
    let x = ds.select(&["x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9"]).unwrap();
    let pa = Efa::new(3)
        .extraction(Extraction::Pa)
        .rotation(Rotation::None)
        .stopping(StoppingRule::Full)
        .fit(&x)
        .unwrap();
    let mr = Efa::new(3).extraction(Extraction::MinRes).rotation(Rotation::None).fit(&x).unwrap();
    assert!(pa.convergence().converged);
    for (a, b) in pa.communalities().iter().zip(mr.communalities().iter()) {
        assert!((a - b).abs() < 1e-6, "{a} vs {b}");
    }
}

/// The eigenvalues are computed on first use: they are those of R and of R with the
/// communalities on its diagonal, and asking for them does not change the fit's value.
#[test]
fn lazy_eigenvalues_are_the_eigenvalues_and_leave_equality_alone() {
    let ds = common::load_data("HolzingerSwineford1939.csv");
    let x = ds.select(&["x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9"]).unwrap();
    let fit = Efa::new(3).fit(&x).unwrap();
    let untouched = fit.clone();
    let r = fit.correlation().clone();
    let want = surveystat::factor::eigenvalues(&r).unwrap();
    for (a, b) in fit.eigenvalues().iter().zip(want.iter()) {
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }
    let mut reduced = r;
    for (i, h) in fit.communalities().iter().enumerate() {
        reduced[[i, i]] = *h;
    }
    let want = surveystat::factor::eigenvalues(&reduced);
    // `eigenvalues` checks for a unit diagonal; compare with the trace instead when it refuses
    let got = fit.eigenvalues_reduced();
    match want {
        Ok(w) => {
            for (a, b) in got.iter().zip(w.iter()) {
                assert!((a - b).abs() < 1e-12, "{a} vs {b}");
            }
        }
        Err(_) => {
            let tr: f64 = fit.communalities().sum();
            assert!((got.sum() - tr).abs() < 1e-12);
            assert!(got.windows(2).into_iter().all(|w| w[0] >= w[1]));
        }
    }
    assert_eq!(fit, untouched);
}

/// Parallel analysis: same seed → same answer, whatever the number of threads.
#[test]
fn parallel_analysis_is_deterministic_across_thread_counts() {
    let ds = common::load_data("HolzingerSwineford1939.csv");
    let x = ds.select(&["x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9"]).unwrap();
    let run = |threads: usize, src: ParallelSource| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            ParallelAnalysis::new().replications(12).seed(7).source(src).fit(&x).unwrap()
        })
    };
    for src in [ParallelSource::Simulated, ParallelSource::Resampled] {
        let a = run(1, src);
        let b = run(3, src);
        assert_eq!(a, b);
        assert_eq!(a.n_components(), 3, "{src:?}: HS has three components above random");
        assert!(a.n_factors() >= 2 && a.n_factors() <= 4);
    }
    let c = ParallelAnalysis::new().replications(12).seed(8).fit(&x).unwrap();
    let d = ParallelAnalysis::new().replications(12).seed(7).fit(&x).unwrap();
    assert_ne!(c.reference_components(), d.reference_components());
}

//! Property tests of the reliability estimators and the moment accumulator (exact identities).

use ndarray::{Array2, Axis, s};
use proptest::prelude::*;
use surveystat::moments::{Missing, MomentAccumulator, covariance};
use surveystat::reliability::{Alpha, HtmtMean, composite_reliability, htmt};

/// Data with a common factor: x_ij = w · f_i + e_ij (rows = respondents).
fn scale_data() -> impl Strategy<Value = Array2<f64>> {
    (4usize..40, 2usize..7, 0.0f64..2.0).prop_flat_map(|(n, k, w)| {
        (proptest::collection::vec(-3.0f64..3.0, n), proptest::collection::vec(-3.0f64..3.0, n * k))
            .prop_map(move |(f, e)| Array2::from_shape_fn((n, k), |(i, j)| w * f[i] + e[i * k + j]))
    })
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * a.abs().max(b.abs()).max(1.0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn alpha_invariant_under_item_order(x in scale_data(), seed in 0u64..1000) {
        let k = x.ncols();
        // A permutation from the seed (rotate then reverse when odd).
        let mut perm: Vec<usize> = (0..k).map(|j| (j + seed as usize) % k).collect();
        if seed % 2 == 1 { perm.reverse(); }
        let a = Alpha::new().fit(&x);
        prop_assume!(a.is_ok());
        let a = a.unwrap();
        let b = Alpha::new().fit(&x.select(Axis(1), &perm)).unwrap();
        prop_assert!(close(a.raw_alpha(), b.raw_alpha(), 1e-10));
        prop_assert!(close(a.std_alpha(), b.std_alpha(), 1e-10));
        prop_assert!(close(a.g6(), b.g6(), 1e-9));
        prop_assert!(close(a.ase(), b.ase(), 1e-9));
        prop_assert!(close(a.median_r(), b.median_r(), 1e-12));
        // Item rows follow the permutation.
        for (pj, &j) in perm.iter().enumerate() {
            prop_assert!(close(a.items()[j].r_drop, b.items()[pj].r_drop, 1e-9));
        }
    }

    #[test]
    fn std_alpha_invariant_under_rescaling_an_item(x in scale_data(), c in 0.01f64..100.0, shift in -10.0f64..10.0, j in 0usize..7) {
        let j = j % x.ncols();
        let a = Alpha::new().fit(&x);
        prop_assume!(a.is_ok());
        let a = a.unwrap();
        let mut y = x.clone();
        y.column_mut(j).mapv_inplace(|v| c * v + shift);
        let b = Alpha::new().fit(&y).unwrap();
        prop_assert!(close(a.std_alpha(), b.std_alpha(), 1e-9));
        prop_assert!(close(a.average_r(), b.average_r(), 1e-9));
        prop_assert!(close(a.g6(), b.g6(), 1e-8));
    }

    #[test]
    fn alpha_at_most_one_and_feldt_contains_it(x in scale_data(), level in 0.5f64..0.999) {
        let a = Alpha::new().ci_level(level).fit(&x);
        prop_assume!(a.is_ok());
        let a = a.unwrap();
        prop_assert!(a.raw_alpha() <= 1.0 + 1e-12);
        prop_assert!(a.std_alpha() <= 1.0 + 1e-12);
        prop_assert!(a.g6() <= 1.0 + 1e-12);
        let ci = a.feldt_ci();
        prop_assert!(ci.lower < a.raw_alpha() && a.raw_alpha() < ci.upper, "{ci:?} vs {}", a.raw_alpha());
        let du = a.duhachek_ci();
        prop_assert!(du.lower <= a.raw_alpha() && a.raw_alpha() <= du.upper);
        for it in a.items() {
            if let Some(d) = &it.if_dropped {
                prop_assert!(d.raw_alpha <= 1.0 + 1e-12);
            }
        }
    }

    #[test]
    fn identical_items_give_alpha_one(v in proptest::collection::vec(-5.0f64..5.0, 3..30), k in 2usize..6) {
        let n = v.len();
        let mean = v.iter().sum::<f64>() / n as f64;
        prop_assume!(v.iter().any(|x| (x - mean).abs() > 1e-6));
        let x = Array2::from_shape_fn((n, k), |(i, _)| v[i]);
        let a = Alpha::new().fit(&x).unwrap();
        prop_assert!((a.raw_alpha() - 1.0).abs() < 1e-12, "{}", a.raw_alpha());
        prop_assert!((a.std_alpha() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn pairwise_equals_listwise_without_missing(x in scale_data()) {
        let a = Alpha::new().missing(Missing::Pairwise).fit(&x);
        prop_assume!(a.is_ok());
        let b = Alpha::new().missing(Missing::Listwise).fit(&x).unwrap();
        let a = a.unwrap();
        prop_assert_eq!(a.raw_alpha(), b.raw_alpha());
        prop_assert_eq!(a.mean(), b.mean());
    }

    #[test]
    fn fit_cov_equals_fit_on_moment_statistics(x in scale_data()) {
        let a = Alpha::new().fit(&x);
        prop_assume!(a.is_ok());
        let a = a.unwrap();
        let b = Alpha::new().fit_cov(a.covariance(), x.nrows()).unwrap();
        prop_assert_eq!(a.raw_alpha(), b.raw_alpha());
        prop_assert_eq!(a.feldt_ci(), b.feldt_ci());
    }

    #[test]
    fn accumulator_equals_two_pass_for_any_chunking(
        x in scale_data(),
        cuts in proptest::collection::vec(0usize..40, 0..6),
        chunk_rows in 1usize..12,
    ) {
        let n = x.nrows();
        let whole = covariance(&x, Missing::Listwise).unwrap();
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (n + 1)).collect();
        cuts.push(0);
        cuts.push(n);
        cuts.sort_unstable();
        // Sequential chunks merged in reverse order.
        let mut parts = Vec::new();
        for w in cuts.windows(2) {
            let mut acc = MomentAccumulator::new(x.ncols());
            acc.update(&x.slice(s![w[0]..w[1], ..]).to_owned()).unwrap();
            parts.push(acc);
        }
        let mut total = MomentAccumulator::new(x.ncols());
        for p in parts.iter().rev() {
            total.merge(p).unwrap();
        }
        prop_assert_eq!(total.n_obs(), n);
        let c = total.covariance().unwrap();
        let scale = whole.iter().fold(0.0_f64, |m, v| m.max(v.abs())).max(1.0);
        for (a, b) in c.iter().zip(whole.iter()) {
            prop_assert!((a - b).abs() <= 1e-12 * scale, "{a} vs {b}");
        }
        // Parallel chunks.
        let par = MomentAccumulator::from_par_chunks(&x, chunk_rows).unwrap();
        for (a, b) in par.covariance().unwrap().iter().zip(whole.iter()) {
            prop_assert!((a - b).abs() <= 1e-12 * scale, "{a} vs {b}");
        }
        let mx = x.mean_axis(Axis(0)).unwrap();
        for (a, b) in par.means().iter().zip(mx.iter()) {
            prop_assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0));
        }
    }

    #[test]
    fn cr_bounded_and_htmt_symmetric(l in proptest::collection::vec(0.05f64..0.99, 2..8), r in 0.05f64..0.95) {
        let cr = composite_reliability(&l).unwrap();
        prop_assert!(cr > 0.0 && cr < 1.0);
        // Two parallel blocks of 2 items with within r and between r/2: HTMT = 1/2 exactly.
        let c = ndarray::array![
            [1.0, r, r / 2.0, r / 2.0],
            [r, 1.0, r / 2.0, r / 2.0],
            [r / 2.0, r / 2.0, 1.0, r],
            [r / 2.0, r / 2.0, r, 1.0]
        ];
        for m in [HtmtMean::Geometric, HtmtMean::Arithmetic] {
            let h = htmt(&c, &[vec![0, 1], vec![2, 3]], m).unwrap();
            prop_assert!((h[[0, 1]] - 0.5).abs() < 1e-14 && h[[0, 1]] == h[[1, 0]]);
        }
    }
}

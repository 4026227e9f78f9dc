//! Properties of `Describe`: exact identities under permutation, shift, scale and reflection.

use ndarray::Array2;
use proptest::prelude::*;
use surveystat::data::Dataset;
use surveystat::describe::Describe;

fn ds(cols: &[Vec<f64>]) -> Dataset {
    let n = cols[0].len();
    let mut m = Array2::<f64>::zeros((n, cols.len()));
    for (j, c) in cols.iter().enumerate() {
        for (i, v) in c.iter().enumerate() {
            m[[i, j]] = *v;
        }
    }
    let names: Vec<String> = (0..cols.len()).map(|j| format!("v{j}")).collect();
    Dataset::from_array(&names, m).unwrap()
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= tol * (1.0 + b.abs())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn affine_and_permutation_identities(
        x in proptest::collection::vec(-50i32..50, 3..60),
        shift in -10.0f64..10.0,
        scale in 0.1f64..5.0,
        rot in 0usize..60,
    ) {
        let x: Vec<f64> = x.iter().map(|&v| f64::from(v) / 4.0).collect();
        let n = x.len();
        let mut perm = x.clone();
        perm.rotate_left(rot % n);
        let y: Vec<f64> = x.iter().map(|v| shift + scale * v).collect();
        let neg: Vec<f64> = x.iter().map(|v| -v).collect();
        let d = Describe::new().fit(&ds(&[x.clone(), perm, y, neg]), &["v0", "v1", "v2", "v3"]).unwrap();
        let (a, p, s, r) = (&d.variables()[0], &d.variables()[1], &d.variables()[2], &d.variables()[3]);
        // permutation: every statistic identical (up to summation order)
        for (u, v) in [(a.mean(), p.mean()), (a.sd(), p.sd()), (a.median(), p.median()),
                       (a.trimmed(), p.trimmed()), (a.mad(), p.mad()), (a.skew(), p.skew()),
                       (a.kurtosis(), p.kurtosis())] {
            prop_assert!(close(u, v, 1e-12), "{} vs {}", u, v);
        }
        // affine map with positive scale
        prop_assert!(close(s.mean(), shift + scale * a.mean(), 1e-12));
        prop_assert!(close(s.median(), shift + scale * a.median(), 1e-12));
        prop_assert!(close(s.trimmed(), shift + scale * a.trimmed(), 1e-12));
        prop_assert!(close(s.sd(), scale * a.sd(), 1e-12));
        prop_assert!(close(s.mad(), scale * a.mad(), 1e-12));
        prop_assert!(close(s.range(), scale * a.range(), 1e-12));
        if a.sd() > 0.0 {
            prop_assert!(close(s.skew(), a.skew(), 1e-8));
            prop_assert!(close(s.kurtosis(), a.kurtosis(), 1e-8));
            // reflection flips skew, keeps kurtosis
            prop_assert!(close(r.skew(), -a.skew(), 1e-10));
            prop_assert!(close(r.kurtosis(), a.kurtosis(), 1e-10));
            // m4 >= m2^2 (Jensen), and s^2 = m2 n/(n-1), so b2 >= ((n-1)/n)^2 - 3
            let nf = n as f64;
            prop_assert!(a.kurtosis() >= ((nf - 1.0) / nf).powi(2) - 3.0 - 1e-12);
        }
        prop_assert!(a.min() <= a.median() && a.median() <= a.max());
        prop_assert!(a.min() <= a.trimmed() && a.trimmed() <= a.max());
        prop_assert!(close(a.se(), a.sd() / (n as f64).sqrt(), 1e-15));
    }

    /// Missing values are dropped per column: a column with NaNs inserted describes as without.
    #[test]
    fn missing_values_are_ignored_per_column(
        x in proptest::collection::vec(1i32..6, 2..40),
        holes in proptest::collection::vec(0usize..40, 0..10),
    ) {
        let clean: Vec<f64> = x.iter().map(|&v| f64::from(v)).collect();
        let mut with_nan = clean.clone();
        for h in &holes {
            with_nan.insert(h % (with_nan.len() + 1), f64::NAN);
        }
        let pad = with_nan.len() - clean.len();
        let mut padded = clean.clone();
        padded.extend(std::iter::repeat_n(3.0, pad));
        let d = Describe::new().fit(&ds(&[with_nan, padded]), &["v0"]).unwrap();
        let e = Describe::new().fit(&ds(std::slice::from_ref(&clean)), &["v0"]).unwrap();
        let (a, b) = (&d.variables()[0], &e.variables()[0]);
        prop_assert_eq!(a.n(), clean.len());
        prop_assert_eq!(a.n_missing(), pad);
        for (u, v) in [(a.mean(), b.mean()), (a.sd(), b.sd()), (a.median(), b.median()),
                       (a.skew(), b.skew()), (a.kurtosis(), b.kurtosis()), (a.mad(), b.mad())] {
            prop_assert!(close(u, v, 1e-12), "{} vs {}", u, v);
        }
    }
}

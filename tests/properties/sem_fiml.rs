//! Property tests of FIML and mean structures: with complete data, FIML is complete-data ML with
//! the sample means as intercepts (same estimates, χ² = ML χ² with the normal likelihood), and
//! a mean structure on complete data leaves the covariance part untouched.

use crate::common::*;
use ndarray::{Array2, Axis};
use proptest::prelude::*;
use surveystat::data::Dataset;
use surveystat::sem::{Sem, SemMissing};

const HS: &str = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9";
const HS_MEANS: &str = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n\
                        x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 ~ 1";

fn names() -> Vec<String> {
    (1..=9).map(|i| format!("x{i}")).collect()
}

fn hs() -> Array2<f64> {
    load_data("HolzingerSwineford1939.csv").select(&names()).unwrap()
}

fn subsample(x: &Array2<f64>, rows: &[usize]) -> Dataset {
    let idx: Vec<usize> = rows.iter().map(|r| r % x.nrows()).collect();
    Dataset::from_array(&names(), x.select(Axis(0), &idx)).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Complete data: FIML = ML (normal likelihood) + sample means as intercepts; χ² identical.
    #[test]
    fn fiml_without_missing_values_is_ml(rows in prop::collection::vec(0usize..301, 150..301)) {
        let x = hs();
        let d = subsample(&x, &rows);
        let ml = Sem::from_syntax(HS).unwrap().fit(&d).unwrap();
        let fi = Sem::from_syntax(HS).unwrap().missing(SemMissing::Fiml).fit(&d).unwrap();
        for r in ml.parameters() {
            let o = fi.parameter(&r.lhs, &r.op, &r.rhs).unwrap();
            prop_assert!((o.est - r.est).abs() < 1e-6 * r.est.abs().max(1.0),
                "{}{}{}: FIML {} vs ML {}", r.lhs, r.op, r.rhs, o.est, r.est);
        }
        let n = d.n_rows() as f64;
        for (j, v) in names().iter().enumerate() {
            let mean = x.select(Axis(0), &rows.iter().map(|r| r % 301).collect::<Vec<_>>())
                .column(j).sum() / n;
            let o = fi.parameter(v, "~1", "").unwrap();
            prop_assert!((o.est - mean).abs() < 1e-7 * mean.abs().max(1.0), "{v}: {} vs {mean}", o.est);
        }
        let (c0, c1) = (ml.fit_measure("chisq").unwrap(), fi.fit_measure("chisq").unwrap());
        prop_assert!((c0 - c1).abs() < 1e-6 * c0.max(1.0), "chisq ML {c0} vs FIML {c1}");
        prop_assert_eq!(ml.fit_measure("df"), fi.fit_measure("df"));
        let (l0, l1) = (ml.fit_measure("logl").unwrap(), fi.fit_measure("logl").unwrap());
        prop_assert!((l0 - l1).abs() < 1e-6 * l0.abs(), "logl ML {l0} vs FIML {l1}");
        for k in ["cfi", "tli", "rmsea", "srmr_bentler_nomean", "baseline.chisq"] {
            let (a, b) = (ml.fit_measure(k).unwrap(), fi.fit_measure(k).unwrap());
            prop_assert!((a - b).abs() < 1e-6 * a.abs().max(1.0), "{k}: ML {a} vs FIML {b}");
        }
    }

    /// Complete data, explicit intercepts (listwise): same estimates, SEs and χ² as without the
    /// mean structure (the expected information is block diagonal), intercept SE = √(σ̂_ii / N).
    #[test]
    fn mean_structure_on_complete_data(rows in prop::collection::vec(0usize..301, 150..301)) {
        let x = hs();
        let d = subsample(&x, &rows);
        let ml = Sem::from_syntax(HS).unwrap().fit(&d).unwrap();
        let ms = Sem::from_syntax(HS_MEANS).unwrap().fit(&d).unwrap();
        for r in ml.parameters() {
            let o = ms.parameter(&r.lhs, &r.op, &r.rhs).unwrap();
            prop_assert!((o.est - r.est).abs() < 1e-6 * r.est.abs().max(1.0));
            let (a, b) = (o.se.unwrap(), r.se.unwrap());
            prop_assert!((a - b).abs() < 1e-6 * b.max(1e-3), "{}{}{} se {a} vs {b}", r.lhs, r.op, r.rhs);
        }
        let n = d.n_rows() as f64;
        for (j, v) in names().iter().enumerate() {
            let o = ms.parameter(v, "~1", "").unwrap();
            let se = (ms.implied_cov()[[j, j]] / n).sqrt();
            prop_assert!((o.se.unwrap() - se).abs() < 1e-7, "{v}: se {} vs {se}", o.se.unwrap());
        }
        let (c0, c1) = (ml.fit_measure("chisq").unwrap(), ms.fit_measure("chisq").unwrap());
        prop_assert!((c0 - c1).abs() < 1e-6 * c0.max(1.0));
        prop_assert_eq!(ms.fit_measure("npar"), Some(30.0));
    }
}

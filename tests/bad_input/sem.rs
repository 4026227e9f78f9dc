//! Bad input to the SEM engine: typed errors and warnings, never panics.

use crate::common::*;
use ndarray::{Array2, array};
use surveystat::sem::Sem;
use surveystat::{Error, Warning};

const HS: &str = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9";

#[test]
fn syntax_errors_have_line_and_column() {
    let cases = [
        ("f =~ x1 + x2\ng x3", 2, 3, "operator"),
        ("f =~ x1 +\n\n", 1, 10, "name"),
        ("f =~ x1 + 0.5 x2", 1, 15, "`*`"),
        ("f =~ x1 + x2 $ x3", 1, 14, "unexpected character"),
        ("f =~ x1\na == b == c", 2, 8, "end of the constraint"),
        ("ind := a * (b + c", 1, 18, "`)`"),
        ("", 1, 1, "at least one"),
    ];
    for (text, line, col, what) in cases {
        match Sem::from_syntax(text) {
            Err(Error::Syntax { line: l, column: c, message }) => {
                assert_eq!((l, c), (line, col), "{text:?}: {message}");
                assert!(message.contains(what), "{text:?}: {message}");
            }
            other => panic!("{text:?}: expected a syntax error, got {other:?}"),
        }
    }
}

#[test]
fn unknown_variable() {
    let d = load_data("HolzingerSwineford1939.csv");
    let err = Sem::from_syntax("f =~ x1 + x2 + nonexistent").unwrap().fit(&d).unwrap_err();
    assert_eq!(err, Error::UnknownVariable { name: "nonexistent".into() });
    let err = Sem::from_syntax("f =~ x1 + x2 + school").unwrap().fit(&d).unwrap_err();
    assert!(matches!(err, Error::NonNumericColumn { .. }), "{err:?}");
}

#[test]
fn negative_df_is_not_identified() {
    let d = load_data("HolzingerSwineford1939.csv");
    let err = Sem::from_syntax("f =~ x1 + x2").unwrap().fit(&d).unwrap_err();
    match err {
        Error::NotIdentified { reason } => assert!(reason.contains("df = -1"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn singular_information_is_not_identified() {
    let d = load_data("HolzingerSwineford1939.csv");
    // scale of f is set neither by a marker nor by its variance
    let err = Sem::from_syntax("f =~ NA*x1 + x2 + x3 + x4").unwrap().fit(&d).unwrap_err();
    match err {
        Error::NotIdentified { reason } => assert!(reason.contains("singular"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn non_positive_definite_sample_covariance() {
    let cov = array![[1.0, 1.0, 0.5], [1.0, 1.0, 0.5], [0.5, 0.5, 1.0]];
    let err = Sem::from_syntax("f =~ a + b + c")
        .unwrap()
        .fit_cov(&cov, &["a", "b", "c"], 100)
        .unwrap_err();
    assert!(matches!(err, Error::NotPositiveDefinite { .. }), "{err:?}");
    let cov = array![[1.0, 0.0, 0.5], [0.0, 0.0, 0.0], [0.5, 0.0, 1.0]];
    let err = Sem::from_syntax("f =~ a + b + c")
        .unwrap()
        .fit_cov(&cov, &["a", "b", "c"], 100)
        .unwrap_err();
    assert_eq!(err, Error::ConstantColumn { name: "b".into() });
    let cov = array![[1.0, f64::NAN], [f64::NAN, 1.0]];
    assert!(Sem::from_syntax("a ~ b").unwrap().fit_cov(&cov, &["a", "b"], 100).is_err());
    let err = Sem::from_syntax("f =~ a + b + c")
        .unwrap()
        .fit_cov(&Array2::eye(3), &["a", "b"], 100)
        .unwrap_err();
    assert!(matches!(err, Error::DimensionMismatch { .. }), "{err:?}");
}

#[test]
fn non_convergence_is_an_error_or_a_flagged_fit() {
    let d = load_data("HolzingerSwineford1939.csv");
    let err = Sem::from_syntax(HS).unwrap().max_iter(2).fit(&d).unwrap_err();
    assert!(matches!(err, Error::NotConverged { iterations: 2, .. }), "{err:?}");
    let fit = Sem::from_syntax(HS).unwrap().max_iter(2).allow_nonconverged(true).fit(&d).unwrap();
    assert!(!fit.convergence().converged);
    assert!(fit.warnings().iter().any(|w| matches!(w, Warning::NotConverged { .. })));
}

#[test]
fn heywood_case_is_reported() {
    // λ₁² = r12 r13 / r23 = 1.28 > 1: the residual variance of a is negative
    let cov = array![[1.0, 0.8, 0.8], [0.8, 1.0, 0.5], [0.8, 0.5, 1.0]];
    let fit =
        Sem::from_syntax("f =~ a + b + c").unwrap().fit_cov(&cov, &["a", "b", "c"], 200).unwrap();
    assert!(
        fit.warnings().iter().any(
            |w| matches!(w, Warning::Heywood { variable, value } if variable == "a" && *value < 0.0)
        ),
        "{:?}",
        fit.warnings()
    );
}

#[test]
fn missing_rows_are_dropped_and_reported() {
    let d = load_data("HS_missing10.csv");
    let fit = Sem::from_syntax(HS).unwrap().fit(&d).unwrap();
    assert!(fit.n_obs() < 301);
    assert!(fit.warnings().iter().any(|w| matches!(w, Warning::RowsDropped { .. })));
}

#[test]
fn model_errors() {
    let d = load_data("HolzingerSwineford1939.csv");
    let e = Sem::from_syntax("f =~ x1 + x2 + x3\nind := a*b").unwrap().fit(&d).unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { .. }), "{e:?}");
    // a constant only makes sense as an intercept (`x ~ 1`, supported since the FIML work)
    let e = Sem::from_syntax("f =~ x1 + x2 + x3\nf =~ 1").unwrap().fit(&d).unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { .. }), "{e:?}");
    let e = Sem::from_syntax("f =~ x1 + x2 + x3\nf =~ x3").unwrap().fit(&d).unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { .. }), "{e:?}");
    let e = Sem::from_syntax("x1 ~ x1").unwrap().fit(&d).unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { .. }), "{e:?}");
    let e = Sem::from_syntax(HS).unwrap().ci_level(1.5).fit(&d).unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { .. }), "{e:?}");
}

mod multigroup {
    use super::*;
    use surveystat::data::Dataset;
    use surveystat::sem::{Estimator, GroupEqual, MultiGroupSem, SemMissing};

    fn two_groups(constant_in_second: bool) -> Dataset {
        let mut csv = String::from("g,a,b,c\n");
        let rows = [
            [1.0, 2.0, 2.0],
            [2.0, 2.0, 3.0],
            [3.0, 4.0, 3.0],
            [4.0, 3.0, 5.0],
            [2.0, 1.0, 1.0],
            [5.0, 4.0, 4.0],
        ];
        for r in rows {
            csv.push_str(&format!("x,{},{},{}\n", r[0], r[1], r[2]));
        }
        for r in rows {
            let c = if constant_in_second { 3.0 } else { r[2] + r[0] };
            csv.push_str(&format!("y,{},{},{}\n", r[1], r[0], c));
        }
        Dataset::from_csv_str(&csv, "two groups").unwrap()
    }

    #[test]
    fn unknown_group_column() {
        let sem = Sem::from_syntax("f =~ a + b + c").unwrap();
        let e = MultiGroupSem::new(sem, "region").fit(&two_groups(false)).unwrap_err();
        assert!(matches!(e, Error::UnknownVariable { .. }), "{e}");
    }

    #[test]
    fn constant_variable_in_one_group_is_named() {
        let sem = Sem::from_syntax("f =~ a + b + c").unwrap();
        let e = MultiGroupSem::new(sem, "g").fit(&two_groups(true)).unwrap_err();
        match e {
            Error::ConstantColumn { name } => assert!(name.contains("group y"), "{name}"),
            other => panic!("unexpected {other}"),
        }
    }

    #[test]
    fn full_information_least_squares_is_refused() {
        // multi-group FIML is ML only
        let sem = Sem::from_syntax("f =~ a + b + c")
            .unwrap()
            .missing(SemMissing::Fiml)
            .estimator(Estimator::Uls);
        let e = MultiGroupSem::new(sem, "g").fit(&two_groups(false)).unwrap_err();
        assert!(matches!(e, Error::InvalidParameter { .. }), "{e}");
        // least-squares estimators are offered
        let sem = Sem::from_syntax("f =~ a + b + c").unwrap().estimator(Estimator::Uls);
        assert!(MultiGroupSem::new(sem, "g").fit(&two_groups(false)).is_ok());
    }

    #[test]
    fn too_many_parameters_is_not_identified() {
        // two factors with two free loadings each on 3 variables per group: 6 moments per group
        let sem = Sem::from_syntax("f =~ a + b + c\nh =~ a + b + c").unwrap();
        let e = MultiGroupSem::new(sem, "g").fit(&two_groups(false)).unwrap_err();
        assert!(matches!(e, Error::NotIdentified { .. }), "{e}");
        let sem = Sem::from_syntax("f =~ a + b + c\nh =~ a + b + c").unwrap();
        let e = MultiGroupSem::new(sem, "g")
            .equal([GroupEqual::Loadings])
            .fit(&two_groups(false))
            .unwrap_err();
        assert!(matches!(e, Error::NotIdentified { .. } | Error::NotConverged { .. }), "{e}");
    }

    #[test]
    fn unknown_model_variable() {
        let sem = Sem::from_syntax("f =~ a + b + zz").unwrap();
        let e = MultiGroupSem::new(sem, "g").fit(&two_groups(false)).unwrap_err();
        assert!(matches!(e, Error::UnknownVariable { .. }), "{e}");
    }
}

//! Ordinal SEM: malformed ordered columns, threshold statements that disagree with the data and
//! unsupported combinations are typed errors.

use ndarray::Array2;
use surveystat::error::Error;
use surveystat::sem::{Estimator, Sem, SemMissing};

const NAMES: [&str; 3] = ["a", "b", "c"];

/// 60 rows of three correlated 3-category items.
fn items() -> Array2<f64> {
    Array2::from_shape_fn((60, 3), |(i, j)| (((i * 7 + j * 3) % 11 + i % 5) % 3 + 1) as f64)
}

fn invalid(r: surveystat::error::Result<surveystat::sem::SemFit>, name: &str) -> String {
    match r {
        Err(Error::InvalidParameter { name: n, reason }) => {
            assert_eq!(n, name, "{reason}");
            reason
        }
        other => panic!("expected InvalidParameter {name}, got {other:?}"),
    }
}

#[test]
fn malformed_ordered_columns_are_errors() {
    let sem = Sem::from_syntax("f =~ a + b + c").unwrap().ordered_all();
    let mut x = items();
    x[[3, 1]] = 2.5;
    let r = invalid(sem.fit_array(&x, &NAMES), "ordered");
    assert!(r.contains("`b`") && r.contains("non-integer"), "{r}");
    let mut x = items();
    for i in 0..30 {
        x[[i, 2]] = i as f64;
    }
    let r = invalid(sem.fit_array(&x, &NAMES), "ordered");
    assert!(r.contains("`c`") && r.contains("20"), "{r}");
    let mut x = items();
    x.column_mut(0).fill(2.0);
    let r = invalid(sem.fit_array(&x, &NAMES), "ordered");
    assert!(r.contains("`a`"), "{r}");
}

#[test]
fn threshold_statements_must_agree_with_the_data() {
    let x = items();
    let sem = Sem::from_syntax("f =~ a + b + c\na | t1 + t2 + t3").unwrap().ordered_all();
    let r = invalid(sem.fit_array(&x, &NAMES), "model");
    assert!(r.contains("3 thresholds in the model but 2"), "{r}");
    let sem = Sem::from_syntax("f =~ a + b + c\na | t2 + t1").unwrap().ordered_all();
    assert!(invalid(sem.fit_array(&x, &NAMES), "model").contains("`t1`"));
    // thresholds without ordered variables
    let sem = Sem::from_syntax("f =~ a + b + c\na | t1 + t2").unwrap();
    assert!(invalid(sem.fit_array(&x, &NAMES), "model").contains("ordered"));
}

#[test]
fn unsupported_combinations_are_errors() {
    let x = items();
    let base = Sem::from_syntax("f =~ a + b + c").unwrap();
    invalid(base.clone().ordered_all().estimator(Estimator::Ml).fit_array(&x, &NAMES), "estimator");
    invalid(base.clone().estimator(Estimator::Wlsmv).fit_array(&x, &NAMES), "estimator");
    invalid(base.clone().ordered_all().missing(SemMissing::Fiml).fit_array(&x, &NAMES), "missing");
    // ordered and continuous indicators in one model are fitted (docs/methods/ordinal.md)
    assert!(base.clone().ordered(&["a", "b"]).fit_array(&x, &NAMES).is_ok());
    let cov = Array2::<f64>::eye(3);
    assert!(matches!(
        base.clone().ordered_all().fit_cov(&cov, &NAMES, 100),
        Err(Error::InvalidParameter { .. })
    ));
    // an exogenous observed covariate declared ordered
    let sem = Sem::from_syntax("f =~ a + b\nf ~ c").unwrap().ordered(&NAMES);
    invalid(sem.fit_array(&x, &NAMES), "ordered");
}

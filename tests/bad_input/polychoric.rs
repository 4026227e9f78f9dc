//! Bad input to the polychoric family: typed errors or warnings, never a panic.

use std::panic::{AssertUnwindSafe, catch_unwind};

use ndarray::{Array2, array};
use surveystat::moments::Missing;
use surveystat::ordinal::{Convention, Polychoric, cor_smooth, spearman};
use surveystat::{Error, Warning};

fn no_panic<T>(f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(_) => panic!("the library panicked instead of returning an error"),
    }
}

fn good() -> Array2<f64> {
    array![
        [1., 1., 2.],
        [1., 2., 1.],
        [2., 2., 2.],
        [2., 3., 3.],
        [3., 3., 3.],
        [3., 2., 2.],
        [1., 1., 1.],
        [2., 1., 3.],
        [3., 3., 2.],
        [2., 2., 3.]
    ]
}

#[test]
fn constant_item_is_a_typed_error() {
    let mut x = good();
    x.column_mut(1).fill(2.0);
    for conv in [Convention::Lavaan, Convention::Psych] {
        let r = no_panic(|| Polychoric::new().convention(conv).names(&["a", "b", "c"]).fit(&x));
        assert!(matches!(r, Err(Error::ConstantColumn { ref name }) if name == "b"), "{r:?}");
    }
}

#[test]
fn one_category_after_missing_values_is_a_typed_error() {
    let mut x = good();
    for i in 0..x.nrows() {
        if x[[i, 2]] != 3.0 {
            x[[i, 2]] = f64::NAN;
        }
    }
    let r = no_panic(|| Polychoric::new().convention(Convention::Psych).fit(&x));
    assert!(matches!(r, Err(Error::ConstantColumn { .. })), "{r:?}");
}

#[test]
fn too_many_categories_or_non_integer_codes() {
    let x = Array2::from_shape_fn((200, 2), |(i, j)| (i * (j + 1)) as f64);
    let r = no_panic(|| Polychoric::new().names(&["wide", "wider"]).fit(&x));
    match r {
        Err(Error::InvalidParameter { name, reason }) => {
            assert_eq!(name, "wide");
            assert!(reason.contains("more than 50 categories"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    // A code range wider than the limit under psych's common coding (two codes, 1 and 1e9).
    let y = array![[1.0, 1.0], [1e9, 2.0], [1.0, 2.0], [1e9, 1.0]];
    let r = no_panic(|| Polychoric::new().convention(Convention::Psych).fit(&y));
    assert!(matches!(r, Err(Error::InvalidParameter { .. })), "{r:?}");
    let mut z = good();
    z[[0, 0]] = 1.5;
    let r = no_panic(|| Polychoric::new().fit(&z));
    assert!(matches!(r, Err(Error::InvalidParameter { .. })), "{r:?}");
    let mut t = good();
    t[[0, 0]] = 1.0;
    let r = no_panic(|| Polychoric::tetrachoric().fit(&t));
    assert!(matches!(r, Err(Error::InvalidParameter { .. })), "{r:?}");
}

#[test]
fn missing_values_pairwise_and_listwise() {
    let mut x = good();
    x[[0, 0]] = f64::NAN;
    x[[3, 1]] = f64::NAN;
    let psych = no_panic(|| Polychoric::new().convention(Convention::Psych).fit(&x)).unwrap();
    assert_eq!(psych.pair_counts()[[0, 1]], 8);
    assert_eq!(psych.pair_counts()[[0, 2]], 9);
    let lav = no_panic(|| Polychoric::new().fit(&x)).unwrap();
    assert_eq!(lav.n_obs(), 8);
    assert!(lav.warnings().iter().any(|w| matches!(w, Warning::RowsDropped { dropped: 2, .. })));
    let pw = no_panic(|| Polychoric::new().missing(Missing::Pairwise).fit(&x)).unwrap();
    assert!(pw.acov().is_none());
    // Infinite values are an error.
    x[[1, 1]] = f64::INFINITY;
    assert!(matches!(no_panic(|| Polychoric::new().fit(&x)), Err(Error::NonFinite { .. })));
    assert!(matches!(no_panic(|| spearman(&x, Missing::Pairwise)), Err(Error::NonFinite { .. })));
}

#[test]
fn no_overlap_gives_nan_and_a_warning() {
    let x = array![
        [1., f64::NAN],
        [2., f64::NAN],
        [1., f64::NAN],
        [f64::NAN, 1.],
        [f64::NAN, 2.],
        [f64::NAN, 2.]
    ];
    let fit = no_panic(|| Polychoric::new().convention(Convention::Psych).fit(&x)).unwrap();
    assert!(fit.correlation()[[0, 1]].is_nan());
    assert!(!fit.warnings().is_empty());
}

#[test]
fn perfect_association_goes_to_the_boundary_with_a_warning() {
    let x = array![[1., 1.], [1., 1.], [2., 2.], [2., 2.], [1., 1.], [2., 2.]];
    // No correction: the likelihood rises to the boundary.
    let fit = no_panic(|| Polychoric::tetrachoric().correction(0.0).fit(&x)).unwrap();
    assert!(fit.correlation()[[0, 1]] > 0.999);
    assert!(fit.warnings().iter().any(|w| w.to_string().contains("boundary")));
    // lavaan's 2 × 2 rule keeps the margins, psych's adds 0.5 to the empty cells.
    let fit = no_panic(|| Polychoric::tetrachoric().fit(&x)).unwrap();
    assert!(fit.corrected_cells() == 2 && fit.correlation()[[0, 1]] < 0.999);
    let fit = no_panic(|| Polychoric::tetrachoric().convention(Convention::Psych).fit(&x)).unwrap();
    assert!(fit.corrected_cells() == 2 && fit.correlation()[[0, 1]] < 0.999);
}

#[test]
fn not_positive_definite_is_reported_and_smoothed_on_request() {
    // Three items whose pairwise tables imply an impossible matrix (pairwise deletion).
    let n = 60;
    let mut x = Array2::<f64>::from_elem((3 * n, 3), f64::NAN);
    for i in 0..n {
        let v = (i % 2) as f64 + 1.0;
        let w = ((i / 2) % 2) as f64 + 1.0;
        x[[i, 0]] = v;
        x[[i, 1]] = v;
        x[[n + i, 1]] = w;
        x[[n + i, 2]] = w;
        x[[2 * n + i, 0]] = v;
        x[[2 * n + i, 2]] = 3.0 - v;
    }
    let fit = no_panic(|| Polychoric::new().convention(Convention::Psych).fit(&x)).unwrap();
    assert!(!fit.is_positive_definite());
    assert!(fit.warnings().iter().any(|w| matches!(w, Warning::NotPositiveDefinite { .. })));
    let fit =
        no_panic(|| Polychoric::new().convention(Convention::Psych).smooth(true).fit(&x)).unwrap();
    assert!(fit.smoothed());
    assert!((fit.correlation()[[0, 0]] - 1.0).abs() < 1e-12);
    assert!(matches!(
        no_panic(|| cor_smooth(&array![[1.0, f64::NAN], [f64::NAN, 1.0]])),
        Err(Error::NonFinite { .. })
    ));
}

#[test]
fn too_few_columns_or_rows_and_bad_options() {
    let one = array![[1.0], [2.0]];
    assert!(matches!(no_panic(|| Polychoric::new().fit(&one)), Err(Error::TooFewVariables { .. })));
    let x = good();
    assert!(matches!(
        no_panic(|| Polychoric::new().names(&["a"]).fit(&x)),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(no_panic(|| Polychoric::new().continuous(&[7]).fit(&x)).is_err());
    assert!(no_panic(|| Polychoric::new().correction(-1.0).fit(&x)).is_err());
    let row = array![[1.0, 2.0]];
    assert!(no_panic(|| Polychoric::new().fit(&row)).is_err());
}

//! Every error path of the data layer (CSV reading, column selection, reverse keying, moments):
//! each returns the typed error variant and nothing panics.

use std::panic::{AssertUnwindSafe, catch_unwind};

use ndarray::{Array2, array};
use surveystat::Error;
use surveystat::data::Dataset;
use surveystat::moments::{
    Missing, MomentAccumulator, Moments, correlation, cov_to_cor, covariance,
};

/// Run `f`, failing the test if it panics.
fn no_panic<T>(f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(_) => panic!("the library panicked instead of returning an error"),
    }
}

fn csv(text: &str) -> surveystat::Result<Dataset> {
    no_panic(|| Dataset::from_csv_str(text, "test.csv"))
}

#[test]
fn ragged_row_names_file_and_line() {
    match csv("a,b,c\n1,2,3\n4,5\n") {
        Err(Error::RaggedRow { location, expected: 3, found: 2 }) => {
            assert_eq!(location.source, "test.csv");
            assert_eq!(location.line, Some(3));
        }
        other => panic!("{other:?}"),
    }
    // Too many fields as well.
    assert!(matches!(csv("a,b\n1,2,3\n"), Err(Error::RaggedRow { expected: 2, found: 3, .. })));
}

#[test]
fn duplicate_and_empty_headers() {
    match csv("a,b,a\n1,2,3\n") {
        Err(Error::DuplicateHeader { name, first: 1, second: 3, source_name }) => {
            assert_eq!(name, "a");
            assert_eq!(source_name, "test.csv");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(csv("a,,c\n1,2,3\n"), Err(Error::EmptyHeader { column: 2, .. })));
    assert!(matches!(csv(" a , b ,  \n1,2,3\n"), Err(Error::EmptyHeader { column: 3, .. })));
}

#[test]
fn empty_file_and_header_only() {
    match csv("") {
        Err(Error::EmptyData { what, .. }) => assert!(what.contains("header")),
        other => panic!("{other:?}"),
    }
    match csv("a,b\n") {
        Err(Error::EmptyData { what, .. }) => assert!(what.contains("rows")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn unreadable_file_and_malformed_bytes() {
    assert!(matches!(
        no_panic(|| Dataset::from_csv_path("/definitely/not/here.csv")),
        Err(Error::Io { .. })
    ));
    let bytes: &[u8] = b"a,b\n1,\xff\xfe\n";
    match no_panic(|| Dataset::from_csv_reader(bytes, "bytes.csv")) {
        Err(Error::Csv { location, .. }) => assert_eq!(location.source, "bytes.csv"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_and_duplicate_columns() {
    let ds = csv("a,b\n1,2\n3,4\n").unwrap();
    match no_panic(|| ds.select(&["a", "zz"])) {
        Err(Error::UnknownVariable { name }) => assert_eq!(name, "zz"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(no_panic(|| ds.column("q")), Err(Error::UnknownVariable { .. })));
    assert!(matches!(no_panic(|| ds.index_of("q")), Err(Error::UnknownVariable { .. })));
    assert!(matches!(no_panic(|| ds.labels("q")), Err(Error::UnknownVariable { .. })));
    assert!(matches!(no_panic(|| ds.split_by("q")), Err(Error::UnknownVariable { .. })));
    assert!(matches!(no_panic(|| ds.select(&["a", "a"])), Err(Error::DuplicateVariable { .. })));
    assert!(matches!(
        no_panic(|| ds.select_dataset(&["b", "b"])),
        Err(Error::DuplicateVariable { .. })
    ));
    assert!(matches!(
        no_panic(|| ds.missing_counts(&["nope"])),
        Err(Error::UnknownVariable { .. })
    ));
    assert!(matches!(no_panic(|| ds.subset_rows(&[0, 5])), Err(Error::InvalidParameter { .. })));
}

#[test]
fn text_column_used_as_numbers() {
    let ds = csv("id,region,A1\n1,north,3\n2,south,4\n3,,5\n").unwrap();
    assert!(!ds.is_numeric("region").unwrap());
    match no_panic(|| ds.select(&["A1", "region"])) {
        Err(Error::NonNumericColumn { column, line, value }) => {
            assert_eq!((column.as_str(), line, value.as_str()), ("region", 2, "north"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(no_panic(|| ds.column("region")), Err(Error::NonNumericColumn { .. })));
    let mut ds2 = ds.clone();
    assert!(matches!(
        no_panic(|| ds2.reverse_key("region", 1.0, 5.0)),
        Err(Error::NonNumericColumn { .. })
    ));
    // As labels the text column is fine.
    assert_eq!(ds.labels("region").unwrap(), vec!["north", "south", ""]);
}

#[test]
fn reverse_key_range_checks() {
    let mut ds = csv("a,b\n1,2\n6,7\n,3\n").unwrap();
    match no_panic(|| ds.reverse_key("b", 1.0, 6.0)) {
        Err(Error::InvalidParameter { name, reason }) => {
            assert_eq!(name, "scale range");
            assert!(reason.contains("line 3"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        no_panic(|| ds.reverse_key("a", 6.0, 1.0)),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        no_panic(|| ds.reverse_key("a", f64::NAN, 6.0)),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        no_panic(|| ds.reverse_key("zz", 1.0, 6.0)),
        Err(Error::UnknownVariable { .. })
    ));
    // Missing values stay missing when reversing.
    ds.reverse_key("a", 1.0, 6.0).unwrap();
    let a = ds.column("a").unwrap();
    assert_eq!((a[0], a[1]), (6.0, 1.0));
    assert!(a[2].is_nan());
    assert!(matches!(
        no_panic(|| csv("a\n1\n").unwrap().with_reversed(&["a"], 2.0, 5.0)),
        Err(Error::InvalidParameter { .. })
    ));
}

#[test]
fn nan_and_inf_handling() {
    // Empty, NA, NaN are missing; inf parses as a number and is rejected where moments are taken.
    let ds = csv("a,b\n1,NA\nNaN,2\n,3\n4,inf\n5,6\n").unwrap();
    let x = ds.select(&["a", "b"]).unwrap();
    assert!(x[[0, 1]].is_nan() && x[[1, 0]].is_nan() && x[[2, 0]].is_nan());
    assert!(x[[3, 1]].is_infinite());
    assert!(matches!(no_panic(|| covariance(&x, Missing::Pairwise)), Err(Error::NonFinite { .. })));
    assert!(matches!(
        no_panic(|| correlation(&x, Missing::Listwise)),
        Err(Error::NonFinite { .. })
    ));
    let mut acc = MomentAccumulator::new(2);
    assert!(matches!(no_panic(|| acc.update(&x)), Err(Error::NonFinite { .. })));
    let fit = no_panic(|| surveystat::reliability::Alpha::new().fit(&x));
    assert!(matches!(fit, Err(Error::NonFinite { .. })));
}

#[test]
fn moments_error_paths() {
    let nan = f64::NAN;
    // Fewer than two complete rows.
    let x = array![[1.0, nan], [nan, 2.0], [3.0, 4.0]];
    assert!(matches!(
        no_panic(|| Moments::from_data(&x, Missing::Listwise)),
        Err(Error::TooFewObservations { needed: 2, got: 1 })
    ));
    assert!(matches!(
        no_panic(|| Moments::from_data(&x, Missing::Pairwise)),
        Err(Error::TooFewObservations { .. })
    ));
    // A column never observed.
    let y = array![[1.0, nan], [2.0, nan], [3.0, nan]];
    assert!(matches!(
        no_panic(|| surveystat::moments::column_means(&y)),
        Err(Error::TooFewObservations { .. })
    ));
    // Constant column in a correlation.
    let z = array![[1.0, 2.0], [1.0, 3.0], [1.0, 5.0]];
    assert!(matches!(
        no_panic(|| correlation(&z, Missing::Pairwise)),
        Err(Error::ConstantColumn { .. })
    ));
    assert!(matches!(
        no_panic(|| correlation(&z, Missing::Listwise)),
        Err(Error::ConstantColumn { .. })
    ));
    // Covariance input checks.
    let nonsq = Array2::<f64>::zeros((2, 3));
    assert!(matches!(
        no_panic(|| Moments::from_cov(&nonsq, 10, None)),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(no_panic(|| cov_to_cor(&nonsq)), Err(Error::DimensionMismatch { .. })));
    let asym = array![[1.0, 0.5], [0.4, 1.0]];
    assert!(matches!(
        no_panic(|| Moments::from_cov(&asym, 10, None)),
        Err(Error::InvalidParameter { .. })
    ));
    let c = array![[1.0, 0.5], [0.5, 1.0]];
    assert!(matches!(
        no_panic(|| Moments::from_cov(&c, 1, None)),
        Err(Error::TooFewObservations { needed: 2, got: 1 })
    ));
    let bad_means = ndarray::Array1::from(vec![1.0]);
    assert!(matches!(
        no_panic(|| Moments::from_cov(&c, 10, Some(&bad_means))),
        Err(Error::DimensionMismatch { .. })
    ));
    let nan_cov = array![[1.0, nan], [nan, 1.0]];
    assert!(matches!(
        no_panic(|| Moments::from_cov(&nan_cov, 10, None)),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(no_panic(|| cov_to_cor(&nan_cov)), Err(Error::NonFinite { .. })));
    let zero_var = array![[0.0, 0.0], [0.0, 1.0]];
    assert!(matches!(no_panic(|| cov_to_cor(&zero_var)), Err(Error::ConstantColumn { .. })));
}

#[test]
fn accumulator_error_paths() {
    let mut acc = MomentAccumulator::new(3);
    let x = Array2::<f64>::zeros((4, 2));
    assert!(matches!(no_panic(|| acc.update(&x)), Err(Error::DimensionMismatch { .. })));
    assert!(matches!(
        no_panic(|| acc.merge(&MomentAccumulator::new(2))),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(no_panic(|| acc.covariance()), Err(Error::TooFewObservations { .. })));
    assert!(matches!(
        no_panic(|| MomentAccumulator::from_par_chunks(&x, 0)),
        Err(Error::InvalidParameter { .. })
    ));
    // Rows with NaN are skipped and counted, not an error.
    let nan = f64::NAN;
    let y = array![[1.0, 2.0], [nan, 1.0], [3.0, 5.0]];
    let mut a2 = MomentAccumulator::new(2);
    a2.update(&y).unwrap();
    assert_eq!((a2.n_obs(), a2.n_skipped()), (2, 1));
}

#[test]
fn dataset_from_array_checks() {
    let m = Array2::<f64>::zeros((2, 2));
    assert!(matches!(
        no_panic(|| Dataset::from_array(&["a"], m.clone())),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(
        no_panic(|| Dataset::from_array(&["a", "a"], m.clone())),
        Err(Error::DuplicateHeader { .. })
    ));
    assert!(matches!(
        no_panic(|| Dataset::from_array(&["a", ""], m)),
        Err(Error::EmptyHeader { .. })
    ));
}

#[test]
fn endless_record_fails_with_bounded_memory() {
    // /dev/zero has no line breaks: the reader stops at the record limit with an error.
    let zeros = std::io::Read::take(std::io::repeat(0), 1 << 40);
    match no_panic(|| Dataset::from_csv_reader(zeros, "/dev/zero")) {
        Err(Error::Csv { location, message }) => {
            assert_eq!(location.line, Some(1));
            assert!(message.contains("longer than"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    #[cfg(unix)]
    assert!(matches!(no_panic(|| Dataset::from_csv_path("/dev/zero")), Err(Error::Csv { .. })));
}

#[test]
fn one_column_header_names_the_other_delimiter() {
    use surveystat::data::CsvOptions;
    let opts = CsvOptions::new().delimiter(b',');
    match no_panic(|| Dataset::from_csv_str_with("a;b;c\n1;2;3\n", "semi.csv", &opts)) {
        Err(e @ Error::Csv { .. }) => {
            let m = e.to_string();
            assert!(m.contains("semi.csv") && m.contains("`;`"), "{m}");
        }
        other => panic!("{other:?}"),
    }
    // Sniffing reads it.
    assert_eq!(csv("a;b;c\n1;2;3\n").unwrap().n_cols(), 3);
}

#[test]
fn quoting_errors_and_bad_options() {
    use surveystat::data::CsvOptions;
    match csv("a,b\n1,2\n3,\"open\n4,5\n") {
        Err(Error::Csv { location, message }) => {
            assert_eq!(location.line, Some(3));
            assert!(message.contains("quote"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let both = CsvOptions::new().delimiter(b',').decimal_comma(true);
    assert!(matches!(
        no_panic(|| Dataset::from_csv_str_with("a\n1\n", "t.csv", &both)),
        Err(Error::InvalidParameter { .. })
    ));
    let quote = CsvOptions::new().delimiter(b'"');
    assert!(matches!(
        no_panic(|| Dataset::from_csv_str_with("a\n1\n", "t.csv", &quote)),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        no_panic(|| Dataset::from_path("x.sav", &CsvOptions::new())),
        Err(Error::FormatNotEnabled { .. } | Error::Io { .. } | Error::DataFormat { .. })
    ));
}

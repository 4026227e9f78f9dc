//! SPSS (.sav, .zsav), Stata (.dta), Parquet and Arrow IPC files written by pyreadstat 1.3.8 and
//! pyarrow 26.0.1 read back to the same table as the CSV the same script wrote (user-missing
//! codes missing, value labels kept). Fixtures: tests/fixtures/extra/make_formats.py. Each
//! format's test runs when its cargo feature is on; without it the reader's error names the
//! feature.

#![cfg_attr(
    not(any(feature = "sav", feature = "dta", feature = "parquet", feature = "arrow")),
    allow(dead_code, unused_imports)
)]

use surveystat::data::{CsvOptions, Dataset};
use surveystat::error::Error;

use crate::common::fixture_path;

fn read(file: &str) -> surveystat::error::Result<Dataset> {
    Dataset::from_path(fixture_path(&format!("extra/formats/{file}")), &CsvOptions::new())
}

/// Every column of `ds` equals the CSV's: numbers exactly (missing where the CSV has `NA`),
/// text columns label by label.
fn same_as_csv(ds: &Dataset) {
    let csv = read("formats.csv").unwrap();
    assert_eq!(ds.names(), csv.names());
    assert_eq!(ds.n_rows(), csv.n_rows());
    for name in csv.names() {
        if csv.is_numeric(name).unwrap() {
            let (a, b) = (ds.column(name).unwrap(), csv.column(name).unwrap());
            for (i, (x, y)) in a.iter().zip(b.iter()).enumerate() {
                assert!(x == y || (x.is_nan() && y.is_nan()), "{name}[{i}]: {x} vs {y}");
            }
        } else {
            assert!(!ds.is_numeric(name).unwrap(), "{name} should be text");
            assert_eq!(ds.labels(name).unwrap(), csv.labels(name).unwrap(), "{name}");
        }
    }
}

fn gender_labels(ds: &Dataset) {
    let vl = ds.value_labels("gender").unwrap();
    assert_eq!(vl, &[(1.0, "male".to_string()), (2.0, "female".to_string())]);
    let codes = ds.column("gender").unwrap();
    let labels = ds.labels("gender").unwrap();
    for (c, l) in codes.iter().zip(&labels) {
        let want = match *c {
            1.0 => "male",
            2.0 => "female",
            _ => "NA",
        };
        assert_eq!(l, want);
    }
    let women = ds.subset_by_label("gender", "female").unwrap();
    assert_eq!(women.n_rows(), codes.iter().filter(|&&c| c == 2.0).count());
}

#[cfg(feature = "sav")]
#[test]
fn spss_sav_and_zsav() {
    for file in ["formats.sav", "formats.zsav"] {
        let ds = read(file).unwrap();
        same_as_csv(&ds);
        gender_labels(&ds);
        // q5's user-missing codes (9 and the range -99..-90) are missing; 9 keeps its label.
        assert!(ds.value_labels("q5").unwrap().contains(&(9.0, "don't know".to_string())));
        assert_eq!(ds.value_labels("q1").unwrap().len(), 5);
        assert!(ds.value_labels("score").unwrap().is_empty());
    }
}

#[cfg(feature = "dta")]
#[test]
fn stata_dta() {
    let ds = read("formats.dta").unwrap();
    same_as_csv(&ds);
    gender_labels(&ds);
}

#[cfg(feature = "parquet")]
#[test]
fn parquet_with_int64_nulls() {
    same_as_csv(&read("formats.parquet").unwrap());
}

#[cfg(feature = "arrow")]
#[test]
fn arrow_ipc_file_plain_and_lz4_dictionary() {
    same_as_csv(&read("formats.arrow").unwrap());
    same_as_csv(&read("formats.feather").unwrap());
}

#[cfg(feature = "parquet")]
#[test]
fn na_codes_apply_to_binary_formats() {
    let opts = CsvOptions::new().na_codes(&["5", "Chengdu"]);
    let ds = Dataset::from_path(fixture_path("extra/formats/formats.parquet"), &opts).unwrap();
    assert!(ds.column("q1").unwrap().iter().all(|&v| v != 5.0));
    assert!(ds.labels("region").unwrap().iter().all(|l| l != "Chengdu"));
}

#[test]
fn missing_feature_is_named() {
    for (file, feature) in [
        ("formats.sav", "sav"),
        ("formats.dta", "dta"),
        ("formats.parquet", "parquet"),
        ("formats.arrow", "arrow"),
    ] {
        let enabled = match feature {
            "sav" => cfg!(feature = "sav"),
            "dta" => cfg!(feature = "dta"),
            "parquet" => cfg!(feature = "parquet"),
            _ => cfg!(feature = "arrow"),
        };
        if enabled {
            continue;
        }
        match read(file) {
            Err(Error::FormatNotEnabled { feature: f, .. }) => assert_eq!(f, feature),
            other => panic!("{file}: {other:?}"),
        }
    }
}

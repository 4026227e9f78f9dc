//! Files written by R's writers (write.csv with row names and quotes, write.csv2 with `;` and a
//! decimal comma, write.table with tabs, a numeric missing code) read back to R's own column
//! sums and missing counts; composite scores against psych::scoreItems (psych 2.2.9).
//! Fixtures: tests/fixtures/extra/data_io.R.

use serde_json::Value;
use surveystat::data::{Composite, CsvOptions, Dataset, Impute};

use crate::common::{TOL_CLOSED_FORM, assert_close, fixture_path, opt_f64};

const NUMERIC: [&str; 7] = ["A1", "A2", "A3", "A4", "A5", "education", "score"];

fn expected() -> Value {
    let p = fixture_path("extra/data_io.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn read(file: &str, opts: &CsvOptions) -> Dataset {
    Dataset::from_path(fixture_path(&format!("extra/data_io/{file}")), opts).unwrap()
}

fn check(ds: &Dataset, e: &Value) {
    assert_eq!(ds.n_rows() as u64, e["n_rows"].as_u64().unwrap());
    for name in NUMERIC {
        let col = ds.column(name).unwrap();
        let sum: f64 = col.iter().filter(|v| !v.is_nan()).sum();
        let na = col.iter().filter(|v| v.is_nan()).count() as u64;
        assert_close(name, sum, e["column_sums"][name].as_f64().unwrap(), TOL_CLOSED_FORM);
        assert_eq!(na, e["column_na"][name].as_u64().unwrap(), "missing in {name}");
    }
    let groups = ds.labels("group").unwrap();
    for (label, count) in e["group_counts"].as_object().unwrap() {
        let n = groups.iter().filter(|g| *g == label).count() as u64;
        assert_eq!(n, count.as_u64().unwrap(), "group `{label}`");
    }
}

#[test]
fn write_csv_with_row_names_and_quotes() {
    let e = expected();
    let ds = read("write_csv.csv", &CsvOptions::new());
    check(&ds, &e);
    assert_eq!(ds.names()[0], "rowname");
    assert!(!ds.is_numeric("rowname").unwrap());
    assert_eq!(ds.labels("rowname").unwrap()[0], e["first_rowname"].as_str().unwrap());
}

#[test]
fn write_csv2_sniffed_semicolon_and_decimal_comma() {
    let ds = read("write_csv2.csv", &CsvOptions::new().decimal_comma(true));
    check(&ds, &expected());
    let explicit = read("write_csv2.csv", &CsvOptions::new().delimiter(b';').decimal_comma(true));
    check(&explicit, &expected());
}

#[test]
fn write_table_tab_separated() {
    // Sniffed from the header, and chosen by the .tsv extension when no delimiter is given.
    check(&read("write_table.tsv", &CsvOptions::new()), &expected());
}

#[test]
fn numeric_missing_code() {
    let e = expected();
    check(&read("na_code.csv", &CsvOptions::new().na_codes(&["-99"])), &e);
    // Without the code, -99 is a value.
    let raw = read("na_code.csv", &CsvOptions::new());
    assert!(raw.column("education").unwrap().iter().any(|&v| v == -99.0));
}

#[test]
fn composite_scores_match_score_items() {
    let e = expected();
    let ds = read("write_csv.csv", &CsvOptions::new());
    let items = ["A1", "A2", "A3", "A4", "A5"];
    let cases = [
        ("mean_median", false, Impute::Median),
        ("mean_none", false, Impute::None),
        ("mean_mean", false, Impute::Mean),
        ("sum_median", true, Impute::Median),
        ("sum_none", true, Impute::None),
    ];
    for (key, sum, impute) in cases {
        let s = Composite::new(&items).reverse(&["A1"]).sum(sum).impute(impute).score(&ds).unwrap();
        let r = e["scores"][key].as_array().unwrap();
        assert_eq!(s.len(), r.len());
        for (i, (a, b)) in s.iter().zip(r).enumerate() {
            match opt_f64(b) {
                Some(b) => assert_close(&format!("{key}[{i}]"), *a, b, TOL_CLOSED_FORM),
                None => assert!(a.is_nan(), "{key}[{i}]"),
            }
        }
    }
}

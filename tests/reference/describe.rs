//! Descriptive statistics against R: `study_descriptives.json` (base R mean, sd, table on the study
//! survey) and `extra/describe.json` (psych 2.2.9 `describe`, made by `extra/describe.R`).

use crate::common;

use crate::common::{TOL_CLOSED_FORM, assert_rel, fixture_path, load_case, load_data};
use serde_json::Value;
use surveystat::describe::{Describe, Descriptives, ValueCounts};
use surveystat::moments::Missing;

fn extra() -> Value {
    let p = fixture_path("extra/describe.json");
    serde_json::from_str(&std::fs::read_to_string(p).expect("extra/describe.json")).expect("json")
}

fn study_items() -> Vec<String> {
    let ds = load_data("study_survey.csv");
    ds.names()[2..].to_vec()
}

/// Every psych::describe field of every column against the fixture object `{col: {n, mean, ...}}`;
/// returns the number of fields checked (and prints the largest relative error).
fn check_psych(what: &str, d: &Descriptives, expected: &Value) -> usize {
    let mut checked = 0;
    let mut worst = 0.0f64;
    for (name, e) in expected.as_object().expect("object") {
        let v = d.variable(name).unwrap_or_else(|| panic!("{what}: no variable {name}"));
        assert_eq!(v.n() as u64, e["n"].as_u64().expect("n"), "{what} {name} n");
        let pairs = [
            ("mean", v.mean()),
            ("sd", v.sd()),
            ("median", v.median()),
            ("trimmed", v.trimmed()),
            ("mad", v.mad()),
            ("min", v.min()),
            ("max", v.max()),
            ("range", v.range()),
            ("skew", v.skew()),
            ("kurtosis", v.kurtosis()),
            ("se", v.se()),
        ];
        for (field, got) in pairs {
            let want = e[field].as_f64().unwrap_or(f64::NAN);
            assert_rel(&format!("{what} {name} {field}"), got, want, TOL_CLOSED_FORM);
            worst = worst.max(common::rel_err(got, want));
            checked += 1;
        }
    }
    eprintln!("{what}: {checked} fields, largest relative error {worst:.2e}");
    checked
}

#[test]
fn study_descriptives_mean_sd_counts_regions() {
    let case = load_case("study_descriptives");
    let r = &case["results"];
    let ds = load_data("study_survey.csv");
    let items = study_items();
    let d = Describe::new()
        .value_counts(ValueCounts::likert(1, 5))
        .tabulate("region")
        .fit(&ds, &items)
        .unwrap();
    assert_eq!(d.n_rows() as u64, r["n"].as_u64().unwrap());
    let expected = r["items"].as_object().unwrap();
    assert_eq!(expected.len(), 24);
    for (name, e) in expected {
        let v = d.variable(name).unwrap();
        assert_eq!(v.n(), 612);
        assert_eq!(v.n_missing(), 0);
        assert_rel(&format!("{name} mean"), v.mean(), e["mean"].as_f64().unwrap(), TOL_CLOSED_FORM);
        assert_rel(&format!("{name} sd"), v.sd(), e["sd"].as_f64().unwrap(), TOL_CLOSED_FORM);
        let c = v.counts().unwrap();
        assert_eq!(c.levels(), &["1", "2", "3", "4", "5"]);
        for level in ["1", "2", "3", "4", "5"] {
            assert_eq!(
                c.count(level).unwrap() as u64,
                e[level].as_u64().unwrap(),
                "{name} {level}"
            );
        }
        assert_eq!(c.total(), 612);
    }
    let region = d.frequency("region").unwrap();
    let want = r["region_counts"].as_object().unwrap();
    let want_levels: Vec<&str> = want.keys().map(String::as_str).collect();
    assert_eq!(region.levels(), want_levels.as_slice(), "region levels in R's table order");
    for (l, n) in want {
        assert_eq!(region.count(l).unwrap() as u64, n.as_u64().unwrap(), "region {l}");
    }
    assert_eq!(region.n_missing(), 0);
}

#[test]
fn study_psych_describe_all_fields() {
    let ex = extra();
    let ds = load_data("study_survey.csv");
    let d = Describe::new().fit(&ds, &study_items()).unwrap();
    let n = check_psych("study", &d, &ex["study"]["items"]);
    assert_eq!(n, 24 * 11);
}

#[test]
fn bfi_with_missing_values_per_column() {
    let ex = extra();
    let ds = load_data("bfi.csv");
    let cols: Vec<String> = ex["bfi"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    let d = Describe::new().fit(&ds, &cols).unwrap();
    check_psych("bfi default", &d, &ex["bfi"]["default"]);
    assert!(d.variables().iter().any(|v| v.n_missing() > 0), "bfi columns have NAs");
    let d25 = Describe::new().trim(0.25).fit(&ds, &cols).unwrap();
    check_psych("bfi trim 0.25", &d25, &ex["bfi"]["trim_0.25"]);
}

#[test]
fn bfi_education_table_with_na() {
    let ex = extra();
    let ds = load_data("bfi.csv");
    let d = Describe::new()
        .value_counts(ValueCounts::Distinct)
        .tabulate("education")
        .fit(&ds, &["education"])
        .unwrap();
    let want = ex["bfi"]["education_table"].as_object().unwrap();
    for t in [d.frequency("education").unwrap(), d.variable("education").unwrap().counts().unwrap()]
    {
        assert_eq!(t.levels().len(), want.len());
        for (l, n) in want {
            assert_eq!(t.count(l).unwrap() as u64, n.as_u64().unwrap(), "education {l}");
        }
        assert_eq!(t.n_missing() as u64, ex["bfi"]["education_na"].as_u64().unwrap());
    }
}

#[test]
fn listwise_uses_complete_rows_only() {
    let ds = load_data("bfi.csv");
    let cols = ["A1", "C4", "education"];
    let d = Describe::new().missing(Missing::Listwise).tabulate("gender").fit(&ds, &cols).unwrap();
    let complete = ds
        .select(&cols)
        .unwrap()
        .rows()
        .into_iter()
        .filter(|r| r.iter().all(|v| !v.is_nan()))
        .count();
    assert_eq!(d.n_used(), complete);
    for v in d.variables() {
        assert_eq!(v.n(), complete);
    }
    assert_eq!(
        d.frequency("gender").unwrap().total() + d.frequency("gender").unwrap().n_missing(),
        complete
    );
    assert!(!d.warnings().is_empty());
}

#[test]
fn summary_lists_every_item_and_region() {
    let ds = load_data("study_survey.csv");
    let d = Describe::new()
        .value_counts(ValueCounts::likert(1, 5))
        .tabulate("region")
        .fit(&ds, &study_items())
        .unwrap();
    let text = d.summary().to_string();
    for item in study_items() {
        assert!(text.contains(&item), "{item} missing from summary");
    }
    assert!(text.contains("Chengdu") && text.contains("Chongqing"));
    assert!(text.contains("kurtosis"));
}

#[cfg(feature = "serde")]
#[test]
fn json_has_psych_field_names() {
    let ds = load_data("study_survey.csv");
    let d = Describe::new().fit(&ds, &["GS1"]).unwrap();
    let v = serde_json::to_value(&d.variables()[0]).unwrap();
    for k in [
        "name", "n", "mean", "sd", "median", "trimmed", "mad", "min", "max", "range", "skew",
        "kurtosis", "se",
    ] {
        assert!(v.get(k).is_some(), "field {k} missing from JSON");
    }
}

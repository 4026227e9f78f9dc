//! Scale scoring against R psych 2.2.9 `scoreItems` (median imputation and none), automatic
//! reverse keying (`alpha(check.keys = TRUE)`), `response.frequencies` and the bootstrap
//! interval of α (`alpha(n.iter)`) on bfi (fixture tests/fixtures/extra/scoring.R →
//! scoring.json). Closed forms: relative error ≤ TOL_CLOSED_FORM; the bootstrap is matched to
//! Monte Carlo error, as R's random numbers differ.

use crate::common::{TOL_CLOSED_FORM, assert_close, assert_rel, f, fixture_path, load_data};
use ndarray::Array2;
use serde_json::Value;
use surveystat::data::Impute;
use surveystat::reliability::{
    Keys, ScoreItems, alpha_bootstrap, check_keys, response_frequencies,
};

fn load() -> Value {
    let p = fixture_path("extra/scoring.json");
    serde_json::from_str(&std::fs::read_to_string(p).expect("scoring.json")).expect("json")
}

fn mat(v: &Value) -> Array2<f64> {
    let rows = v.as_array().expect("rows");
    let nc = rows[0].as_array().map_or(0, Vec::len);
    Array2::from_shape_fn((rows.len(), nc), |(i, j)| rows[i][j].as_f64().unwrap_or(f64::NAN))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

fn keys_of(c: &Value) -> Keys {
    let mut text = String::new();
    for s in strings(&c["scales"]) {
        text.push_str(&format!("{s}: {}\n", strings(&c["keys"][&s]).join(" ")));
    }
    Keys::parse(&text).unwrap()
}

fn assert_vec(what: &str, a: &[f64], e: &Value) {
    let e = e.as_array().unwrap();
    assert_eq!(a.len(), e.len(), "{what} length");
    for (i, (x, y)) in a.iter().zip(e).enumerate() {
        assert_rel(&format!("{what}[{i}]"), *x, f(y), TOL_CLOSED_FORM);
    }
}

fn assert_mat(what: &str, a: &Array2<f64>, e: &Array2<f64>) {
    assert_eq!(a.dim(), e.dim(), "{what} shape");
    for ((i, j), x) in a.indexed_iter() {
        assert_close(&format!("{what}[{i},{j}]"), *x, e[[i, j]], TOL_CLOSED_FORM);
    }
}

fn check_score(case: &str, impute: Impute) {
    let c = &load()[case];
    let data = load_data("bfi.csv");
    let fit = ScoreItems::new(keys_of(c)).impute(impute).fit(&data).unwrap();
    assert_vec(&format!("{case} alpha"), fit.alpha(), &c["alpha"]);
    assert_vec(&format!("{case} av.r"), fit.average_r(), &c["av_r"]);
    assert_vec(&format!("{case} sn"), fit.signal_noise(), &c["sn"]);
    assert_vec(&format!("{case} G6"), fit.g6(), &c["G6"]);
    assert_vec(&format!("{case} med.r"), fit.median_r(), &c["med_r"]);
    assert_vec(&format!("{case} ase"), fit.ase(), &c["ase"]);
    let n_items: Vec<f64> = fit.n_items().iter().map(|&k| k as f64).collect();
    assert_vec(&format!("{case} n.items"), &n_items, &c["n_items"]);
    assert_mat(&format!("{case} cor"), fit.cor(), &mat(&c["cor"]));
    assert_mat(&format!("{case} corrected"), fit.corrected(), &mat(&c["corrected"]));
    assert_mat(&format!("{case} item.cor"), fit.item_cor(), &mat(&c["item_cor"]));
    assert_mat(&format!("{case} item.corrected"), fit.item_corrected(), &mat(&c["item_corrected"]));
    let first = mat(&c["scores_first"]);
    let scores = fit.scores();
    for ((i, j), e) in first.indexed_iter() {
        assert_close(&format!("{case} score[{i},{j}]"), scores[[i, j]], *e, TOL_CLOSED_FORM);
    }
    let means = c["scores_colmeans"].as_array().unwrap();
    for j in 0..scores.ncols() {
        let col: Vec<f64> = scores.column(j).iter().copied().filter(|v| !v.is_nan()).collect();
        let m = col.iter().sum::<f64>() / col.len() as f64;
        assert_rel(&format!("{case} score mean {j}"), m, f(&means[j]), TOL_CLOSED_FORM);
        let na = scores.column(j).iter().filter(|v| v.is_nan()).count() as f64;
        assert_eq!(na, f(&c["scores_na"][j]), "{case} missing scores {j}");
    }
}

#[test]
fn score_items_bfi_median_imputation() {
    check_score("score_median", Impute::Median);
}

#[test]
fn score_items_bfi_no_imputation() {
    check_score("score_none", Impute::None);
}

#[test]
fn check_keys_by_first_component() {
    let all = load();
    let data = load_data("bfi.csv");
    for case in ["check_keys_A", "check_keys_EO"] {
        let c = &all[case];
        let items = strings(&c["items"]);
        let x = data.select(&items).unwrap();
        let rev = check_keys(&x).unwrap();
        let expected: Vec<bool> = strings(&c["keys"]).iter().map(|k| k.starts_with('-')).collect();
        assert_eq!(rev, expected, "{case}");
    }
}

#[test]
fn response_frequencies_bfi() {
    let c = &load()["response_frequencies"];
    let data = load_data("bfi.csv");
    let items = strings(&c["items"]);
    let x = data.select(&items).unwrap();
    let rf = response_frequencies(&x, &items).unwrap().expect("six answer values");
    assert_eq!(rf.values, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let e = mat(&c["freq"]);
    for i in 0..items.len() {
        for j in 0..6 {
            assert_close(
                &format!("freq[{i},{j}]"),
                rf.proportions[[i, j]],
                e[[i, j]],
                TOL_CLOSED_FORM,
            );
        }
        assert_close(&format!("miss[{i}]"), rf.missing[i], e[[i, 6]], TOL_CLOSED_FORM);
    }
}

#[test]
fn alpha_bootstrap_matches_psych_to_monte_carlo_error() {
    let c = &load()["boot_C"];
    let data = load_data("bfi.csv");
    let mut x = data.select(&strings(&c["items"])).unwrap();
    for j in [3, 4] {
        x.column_mut(j).mapv_inplace(|v| 7.0 - v);
    }
    let b = alpha_bootstrap(&x, 2000, 20261207, 0.95).unwrap();
    assert_rel("alpha", b.estimate, f(&c["raw_alpha"]), TOL_CLOSED_FORM);
    assert_eq!(b.successful, 2000);
    // The bootstrap SD of α is about 0.0094; with 2000 replications the Monte Carlo error of a
    // 2.5% quantile is about 0.0007 and of the SD about 0.00015 (per run).
    let ci = c["boot_ci"].as_array().unwrap();
    assert!((b.lower - f(&ci[0])).abs() < 0.003, "lower {} vs {}", b.lower, f(&ci[0]));
    assert!((b.median - f(&ci[1])).abs() < 0.002, "median {} vs {}", b.median, f(&ci[1]));
    assert!((b.upper - f(&ci[2])).abs() < 0.003, "upper {} vs {}", b.upper, f(&ci[2]));
    assert!((b.sd - f(&c["boot_sd"])).abs() < 0.001, "sd {} vs {}", b.sd, f(&c["boot_sd"]));
    // Seeded: the same seed gives the same interval.
    let again = alpha_bootstrap(&x, 2000, 20261207, 0.95).unwrap();
    assert_eq!(b, again);
}

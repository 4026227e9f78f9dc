//! `surveystat efa --scores` and the `fit` block of the efa JSON for every extraction method:
//! regression score weights and scores against R psych 2.2.9 `factor.scores` (HS x1–x9, ML +
//! varimax), minres fit statistics against psych `fa` (HS x1–x9, minres + oblimin).

use crate::common::align::{align, max_abs_diff};
use crate::common::{TOL_EFA_MAX, assert_close, f, fixture_path, load_case, matrix};
use ndarray::Array2;
use serde_json::Value;

use crate::util::run;

fn json_matrix(v: &Value) -> Array2<f64> {
    let rows = v.as_array().unwrap();
    let nc = rows[0].as_array().unwrap().len();
    Array2::from_shape_fn((rows.len(), nc), |(i, j)| rows[i][j].as_f64().unwrap_or(f64::NAN))
}

const HS9: &str = "x1,x2,x3,x4,x5,x6,x7,x8,x9";

#[test]
fn efa_regression_scores_match_psych() {
    let data = fixture_path("data/HolzingerSwineford1939.csv").display().to_string();
    let out = run(&[
        "efa",
        "--data",
        &data,
        "--items",
        HS9,
        "--factors",
        "3",
        "--method",
        "ml",
        "--rotate",
        "varimax",
        "--scores",
        "regression",
        "--json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let exp = &load_case("fa_scores_hs9_ml_varimax_regression")["results"];
    let (_, _, lref) = matrix(&exp["loadings"]);
    let l = json_matrix(&v["loadings"]);
    let al = align(&lref, &l);
    // This fixture's psych solution is up to 3e-4 from the converged one; the same bound as
    // tests/reference/factor.rs (fa_scores_hs9_ml_varimax_regression) applies.
    let tol = TOL_EFA_MAX;
    assert!(max_abs_diff(&al.columns(&l), &lref) <= tol);
    assert_eq!(v["scores"]["method"], "regression");
    let (_, _, wref) = matrix(&exp["weights"]);
    assert!(max_abs_diff(&al.columns(&json_matrix(&v["scores"]["weights"])), &wref) <= tol);
    let sc = json_matrix(&v["scores"]["values"]);
    assert_eq!(sc.dim(), (301, 3));
    let (_, _, sref) = matrix(&exp["scores_first10"]);
    let first = al.columns(&sc).slice(ndarray::s![0..10, ..]).to_owned();
    assert!(max_abs_diff(&first, &sref) <= 10.0 * tol);
}

#[test]
fn efa_scores_text_csv_and_errors() {
    let data = fixture_path("data/HolzingerSwineford1939.csv").display().to_string();
    let dir = std::env::temp_dir().join(format!("surveystat_efa_scores_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("scores.csv").display().to_string();
    let out = run(&[
        "efa",
        "--data",
        &data,
        "--items",
        HS9,
        "--factors",
        "3",
        "--scores",
        "tenberge",
        "--save-scores",
        &file,
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let t = String::from_utf8(out.stdout).unwrap();
    assert!(
        t.contains("Factor score weights (tenBerge)") && t.contains("301 of 301 rows scored"),
        "{t}"
    );
    let csv = std::fs::read_to_string(&file).unwrap();
    assert_eq!(csv.lines().count(), 302);
    let bad = run(&["efa", "--data", &data, "--items", HS9, "--factors", "3", "--scores", "magic"]);
    assert!(!bad.status.success() && bad.stdout.is_empty());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("magic"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn efa_json_fit_for_minres_matches_psych() {
    let data = fixture_path("data/HolzingerSwineford1939.csv").display().to_string();
    let out = run(&[
        "efa",
        "--data",
        &data,
        "--items",
        HS9,
        "--factors",
        "3",
        "--method",
        "minres",
        "--json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let e = &load_case("efa_hs9_minres_oblimin")["results"]["fit"];
    let fit = &v["fit"];
    let tol = TOL_EFA_MAX;
    for (ours, theirs) in [
        ("chisq", "STATISTIC"),
        ("df", "dof"),
        ("pvalue", "PVAL"),
        ("tli", "TLI"),
        ("bic", "BIC"),
        ("sabic", "SABIC"),
        ("objective", "objective"),
        ("empirical_chisq", "chi"),
        ("empirical_pvalue", "EPVAL"),
        ("rmsr", "rms"),
        ("crmsr", "crms"),
        ("null_chisq", "null.chisq"),
    ] {
        let b = f(&e[theirs]);
        let a = f(&fit[ours]);
        assert!((a - b).abs() <= tol * b.abs().max(1.0), "{ours}: {a} vs {b}");
    }
    assert_close("rmsea", f(&fit["rmsea"]), f(&e["RMSEA"]["RMSEA"]), tol);
    assert_close("rmsea lower", f(&fit["rmsea_lower"]), f(&e["RMSEA"]["lower"]), tol);
    assert_close("rmsea upper", f(&fit["rmsea_upper"]), f(&e["RMSEA"]["upper"]), tol);
    let pca = run(&[
        "efa",
        "--data",
        &data,
        "--items",
        HS9,
        "--factors",
        "3",
        "--method",
        "pca",
        "--json",
    ]);
    let v: Value = serde_json::from_slice(&pca.stdout).unwrap();
    assert!(v["fit"].is_null(), "principal components have no fit block");
}

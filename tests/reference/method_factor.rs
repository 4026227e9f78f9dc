//! Common-latent-factor comparison and CFA marker technique against lavaan 0.6-14 on the study
//! survey, and the per-construct ω of the study's CFA against semTools 0.5-6 `compRelSEM`
//! (tests/fixtures/extra/method_factor.R → method_factor.json). Iterative ML fits:
//! χ² at TOL_SEM_CHISQ, everything else at TOL_SEM_EST.

use crate::common::{
    TOL_SEM_CHISQ, TOL_SEM_EST, assert_abs, assert_rel, f, fixture_path, load_data,
};
use serde_json::Value;
use surveystat::factor::{CommonMethodFactor, MethodFactorFit, MethodLoadings};
use surveystat::study::StudyDesign;

fn load() -> Value {
    let p = fixture_path("extra/method_factor.json");
    serde_json::from_str(&std::fs::read_to_string(p).expect("method_factor.json")).expect("json")
}

fn compare(name: &str, m: &MethodFactorFit, e: &Value) {
    let fm = |f: &surveystat::sem::SemFit, k: &str| f.fit_measure(k).unwrap();
    assert_rel(
        &format!("{name} base chisq"),
        fm(&m.base, "chisq"),
        f(&e["base"]["chisq"]),
        TOL_SEM_CHISQ,
    );
    assert_rel(
        &format!("{name} method chisq"),
        fm(&m.method, "chisq"),
        f(&e["method"]["chisq"]),
        TOL_SEM_CHISQ,
    );
    assert_eq!(m.difference.df, f(&e["delta_df"]), "{name} delta df");
    // the difference of two χ² near 200: absolute accuracy of the χ² values
    let scale = f(&e["base"]["chisq"]);
    assert_abs(
        &format!("{name} delta chisq"),
        m.difference.chisq,
        f(&e["delta_chisq"]),
        TOL_SEM_CHISQ * scale,
    );
    assert_abs(&format!("{name} pvalue"), m.difference.pvalue, f(&e["pvalue"]), 1e-4);
    assert_abs(
        &format!("{name} delta cfi"),
        m.delta_cfi,
        f(&e["method"]["cfi"]) - f(&e["base"]["cfi"]),
        TOL_SEM_EST,
    );
    // each item's method variance share l² (with the loading's sign): with a method variance
    // near zero (equal CLF: 0.0015) the loading is the square root of a variance that the
    // optimizers locate to ~1e-6, so l itself moves by ~1e-5 while l² is smooth
    for (item, l) in &m.method_loadings {
        let r = f(&e["method_loadings"][item]);
        assert_eq!(l.signum(), r.signum(), "{name} {item} method loading sign");
        assert_abs(&format!("{name} {item} method loading²"), l * l, r * r, TOL_SEM_EST);
    }
    assert_abs(&format!("{name} method share"), m.method_share, f(&e["method_share"]), TOL_SEM_EST);
}

#[test]
fn clf_equal_loadings_study() {
    let e = load();
    let d = StudyDesign::chengdu_chongqing();
    let data = load_data("study_survey.csv");
    let m = CommonMethodFactor::new(&d.cfa_syntax())
        .loadings(MethodLoadings::Equal)
        .fit(&data)
        .unwrap();
    compare("equal", &m, &e["equal"]);
}

#[test]
fn clf_marker_study() {
    let e = load();
    let d = StudyDesign::chengdu_chongqing();
    let traits: Vec<String> = d
        .constructs()
        .iter()
        .filter(|c| c.name != "GS")
        .map(|c| format!("{} =~ {}", c.name, c.items.join(" + ")))
        .collect();
    let data = load_data("study_survey.csv");
    for (kind, key) in
        [(MethodLoadings::Free, "marker_free"), (MethodLoadings::Equal, "marker_equal")]
    {
        let m = CommonMethodFactor::new(&traits.join("\n"))
            .loadings(kind)
            .marker(&["GS1", "GS2", "GS3"])
            .fit(&data)
            .unwrap();
        compare(key, &m, &e[key]);
    }
}

#[test]
fn clf_free_loadings_bfi() {
    // a free loading per item, method variance fixed at 1, on bfi (listwise): acquiescence
    // gives the items shared method variance, so the model is identified there (it is not on
    // the study survey, which holds none)
    let e = load();
    let traits: Vec<String> = ["A", "C", "E", "N", "O"]
        .iter()
        .map(|f| {
            format!("{f} =~ {}", (1..=5).map(|i| format!("{f}{i}")).collect::<Vec<_>>().join(" + "))
        })
        .collect();
    let data = load_data("bfi.csv");
    let m = CommonMethodFactor::new(&traits.join("\n"))
        .loadings(MethodLoadings::Free)
        .fit(&data)
        .unwrap();
    assert!(m.method.convergence().converged);
    compare("bfi_free", &m, &e["bfi_free"]);
}

#[test]
fn clf_refuses_bad_specifications() {
    let data = load_data("study_survey.csv");
    let m = CommonMethodFactor::new("GS =~ GS1 + GS2 + GS3\nST =~ ST1 + ST2 + ST3");
    assert!(m.clone().marker(&["GS1"]).fit(&data).is_err());
    assert!(m.name("GS").fit(&data).is_err());
}

#[test]
fn study_omega_per_construct() {
    let e = load();
    let data = load_data("study_survey.csv");
    let d = StudyDesign::chengdu_chongqing();
    let cfa = surveystat::sem::Sem::from_syntax(&d.cfa_syntax()).unwrap().fit(&data).unwrap();
    for (c, w) in cfa.omega() {
        assert_rel(&format!("omega {c}"), w, f(&e["study_omega_implied"][&c]), TOL_SEM_EST);
    }
}

//! Multi-group SEM with a structured mean part against lavaan 0.6.14 (`group.equal =
//! c("loadings", "intercepts")`, plus `"residuals"`, `group.partial`, and `missing = "ml"`):
//! tests/fixtures/extra/sem_multigroup_scalar.json, made by
//! tests/fixtures/extra/sem_multigroup_scalar.R.

use crate::common::*;
use serde_json::Value;
use surveystat::sem::{GroupEqual, MultiGroupFit, MultiGroupSem, Sem, SemMissing};

const HS_MODEL: &str = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9";

fn reference() -> Value {
    let text = std::fs::read_to_string(fixture_path("extra/sem_multigroup_scalar.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Estimates and std.all within max(1e-5, 10 × lavaan's distance from the optimum) (relative to
/// max(1, |x|)); SEs within max(1e-4, the same) relative; χ²-based fit measures within 1e-6
/// relative (second order in the distance), SRMR within the estimates' tolerance.
fn check(name: &str, fit: &MultiGroupFit) {
    let r = &reference()[name];
    let tol = (10.0 * f(&r["max_abs_newton_step"])).max(1e-5);
    let tol_se = tol.max(1e-4);
    let labels: Vec<&str> =
        r["group_labels"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    let got: Vec<&str> = fit.groups().iter().map(|g| g.name()).collect();
    assert_eq!(got, labels, "{name}: group order");
    for (g, n) in fit.groups().iter().zip(r["n_group"].as_array().unwrap()) {
        assert_eq!(g.n_obs() as f64, f(n));
    }
    let mut worst = [0.0f64; 3];
    let mut compared = 0;
    for row in r["parameters"].as_array().unwrap() {
        let op = row["op"].as_str().unwrap();
        if op == "==" || op == ":=" {
            continue;
        }
        let (lhs, rhs) = (row["lhs"].as_str().unwrap(), row["rhs"].as_str().unwrap());
        let op = if op == "~1" { "~1" } else { op };
        let gi = row["group"].as_u64().unwrap() as usize - 1;
        let p = fit.groups()[gi]
            .parameter(lhs, op, rhs)
            .unwrap_or_else(|| panic!("{name}: missing {lhs} {op} {rhs} in group {gi}"));
        let what = format!("{name} g{} {lhs} {op} {rhs}", gi + 1);
        let d = (p.est - f(&row["est"])).abs() / f(&row["est"]).abs().max(1.0);
        worst[0] = worst[0].max(d);
        assert!(d < tol, "{what}: est {} vs {}", p.est, f(&row["est"]));
        let se_r = f(&row["se"]);
        let se = p.se.unwrap();
        let d = if se_r == 0.0 { se } else { (se - se_r).abs() / se_r };
        worst[1] = worst[1].max(d);
        assert!(d < tol_se, "{what}: se {se} vs {se_r}");
        if let Some(sa) = opt_f64(&row["std_all"]) {
            let d = (p.std_all.unwrap() - sa).abs() / sa.abs().max(1.0);
            worst[2] = worst[2].max(d);
            assert!(d < tol, "{what}: std.all {:?} vs {sa}", p.std_all);
        }
        compared += 1;
    }
    assert!(compared > 50);
    for (k, v) in r["fit"].as_object().unwrap() {
        let mine = fit.fit_measure(k).unwrap_or_else(|| panic!("{name}: no fit measure {k}"));
        if k == "pvalue" {
            // p ≈ 1e-11 magnifies the χ² difference (second order in lavaan's distance from the
            // optimum): compare −ln p, the scale on which the p-value is smooth in χ²
            assert_rel(&format!("{name} -ln pvalue"), -mine.ln(), -f(v).ln(), 1e-6);
            continue;
        }
        assert_rel(&format!("{name} {k}"), mine, f(v), 1e-6);
    }
    assert_rel(&format!("{name} srmr"), fit.fit_measure("srmr").unwrap(), f(&r["srmr"]), tol);
    for (g, c) in fit.groups().iter().zip(r["chisq_group"].as_array().unwrap()) {
        assert_rel(&format!("{name} chisq of {}", g.name()), g.chisq(), f(c), tol);
    }
    eprintln!(
        "{name}: largest differences est {:.1e}, se {:.1e}, std.all {:.1e}",
        worst[0], worst[1], worst[2]
    );
}

fn hs(equal: &[GroupEqual]) -> MultiGroupSem {
    MultiGroupSem::new(Sem::from_syntax(HS_MODEL).unwrap(), "school").equal(equal.iter().copied())
}

#[test]
fn hs_scalar_and_strict_invariance() {
    let data = load_data("HolzingerSwineford1939.csv");
    let scalar = hs(&[GroupEqual::Loadings, GroupEqual::Intercepts]).fit(&data).unwrap();
    check("hs_scalar", &scalar);
    // lavaan's rule: latent means fixed at 0 in the first group, free in the second
    let m1 = scalar.groups()[0].parameter("visual", "~1", "").unwrap();
    let m2 = scalar.groups()[1].parameter("visual", "~1", "").unwrap();
    assert!(m1.est == 0.0 && m1.se == Some(0.0));
    assert!(m2.se.unwrap() > 0.0);
    let strict = hs(&[GroupEqual::Loadings, GroupEqual::Intercepts, GroupEqual::Residuals])
        .fit(&data)
        .unwrap();
    check("hs_strict", &strict);
}

#[test]
fn hs_partial_scalar_invariance() {
    let data = load_data("HolzingerSwineford1939.csv");
    let fit = hs(&[GroupEqual::Loadings, GroupEqual::Intercepts])
        .partial(["x3 ~ 1", "visual =~ x2"])
        .fit(&data)
        .unwrap();
    check("hs_partial", &fit);
}

#[test]
fn hs_fiml_scalar_invariance() {
    let data = load_data("HS_missing10.csv");
    let sem = Sem::from_syntax(HS_MODEL).unwrap().missing(SemMissing::Fiml);
    let fit = MultiGroupSem::new(sem, "school")
        .equal([GroupEqual::Loadings, GroupEqual::Intercepts])
        .fit(&data)
        .unwrap();
    check("hs_fiml_scalar", &fit);
}

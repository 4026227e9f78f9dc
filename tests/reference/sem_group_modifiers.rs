//! Per-group modifiers `c()` in multi-group models against lavaan 0.6.14 on
//! HolzingerSwineford1939 by school: tests/fixtures/extra/sem_group_modifiers.json, made by
//! tests/fixtures/extra/sem_group_modifiers.R.

use crate::common::*;
use serde_json::Value;
use surveystat::Error;
use surveystat::sem::{GroupEqual, MultiGroupFit, MultiGroupSem, Sem};

fn reference() -> Value {
    let text = std::fs::read_to_string(fixture_path("extra/sem_group_modifiers.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Estimates and std.all within max(1e-5, 10 × lavaan's distance from the optimum) relative to
/// max(1, |x|); SEs within max(1e-4, the same) relative; χ²-based measures 1e-6 relative.
fn check(name: &str, r: &Value, fit: &MultiGroupFit) {
    let tol = (10.0 * f(&r["max_abs_newton_step"])).max(1e-5);
    let tol_se = tol.max(1e-4);
    let mut compared = 0;
    for row in r["parameters"].as_array().unwrap() {
        let op = row["op"].as_str().unwrap();
        if op == "==" {
            continue;
        }
        let (lhs, rhs) = (row["lhs"].as_str().unwrap(), row["rhs"].as_str().unwrap());
        let p = if op == ":=" {
            fit.defined().iter().find(|d| d.lhs == lhs).unwrap_or_else(|| panic!("{name}: {lhs}"))
        } else {
            let gi = row["group"].as_u64().unwrap() as usize - 1;
            fit.groups()[gi]
                .parameter(lhs, op, rhs)
                .unwrap_or_else(|| panic!("{name}: missing {lhs} {op} {rhs} in group {gi}"))
        };
        let what = format!("{name} g{} {lhs} {op} {rhs}", row["group"]);
        let d = (p.est - f(&row["est"])).abs() / f(&row["est"]).abs().max(1.0);
        assert!(d < tol, "{what}: est {} vs {}", p.est, f(&row["est"]));
        let se_r = f(&row["se"]);
        let se = p.se.unwrap();
        let d = if se_r == 0.0 { se } else { (se - se_r).abs() / se_r };
        assert!(d < tol_se, "{what}: se {se} vs {se_r}");
        if op != ":="
            && let Some(sa) = opt_f64(&row["std_all"])
        {
            let d = (p.std_all.unwrap() - sa).abs() / sa.abs().max(1.0);
            assert!(d < tol, "{what}: std.all {:?} vs {sa}", p.std_all);
        }
        let label = row["label"].as_str().unwrap_or("");
        if op != ":=" && !label.is_empty() && !label.starts_with('.') {
            assert_eq!(p.label, label, "{what}: label");
        }
        compared += 1;
    }
    assert!(compared > 50);
    for (k, v) in r["fit"].as_object().unwrap() {
        let mine = fit.fit_measure(k).unwrap_or_else(|| panic!("{name}: no fit measure {k}"));
        if k == "pvalue" {
            assert_rel(&format!("{name} -ln pvalue"), -mine.ln(), -f(v).ln(), 1e-6);
            continue;
        }
        assert_rel(&format!("{name} {k}"), mine, f(v), 1e-6);
    }
}

fn run(name: &str) {
    let r = &reference()[name];
    let data = load_data("HolzingerSwineford1939.csv");
    let equal: Vec<GroupEqual> = match &r["group_equal"] {
        Value::Null => vec![],
        Value::Object(o) if o.is_empty() => vec![], // R NULL
        Value::String(s) => vec![parse_equal(s)],
        Value::Array(a) => a.iter().map(|s| parse_equal(s.as_str().unwrap())).collect(),
        other => panic!("{other}"),
    };
    let sem = Sem::from_syntax(r["model"].as_str().unwrap()).unwrap();
    let fit = MultiGroupSem::new(sem, "school").equal(equal).fit(&data).unwrap();
    check(name, r, &fit);
}

fn parse_equal(s: &str) -> GroupEqual {
    GroupEqual::from_name(s).unwrap_or_else(|| panic!("{s}"))
}

#[test]
fn per_group_labels_and_defined_difference() {
    run("labels");
}

#[test]
fn per_group_fixed_and_free() {
    run("fixed_free");
}

#[test]
fn per_group_values() {
    run("values");
}

#[test]
fn labelled_loadings_are_exempt_from_group_equal() {
    run("labels_loadings");
}

#[test]
fn per_group_labels_on_variances_intercepts_and_regressions() {
    run("cov_int_reg");
}

#[test]
fn wrong_number_of_group_values_is_a_typed_error() {
    let data = load_data("HolzingerSwineford1939.csv");
    let model = "visual =~ x1 + c(a, b, c)*x2 + x3\ntextual =~ x4 + x5 + x6";
    let sem = Sem::from_syntax(model).unwrap();
    match MultiGroupSem::new(sem.clone(), "school").fit(&data) {
        Err(Error::DimensionMismatch { expected: 2, found: 3, what }) => {
            assert!(what.contains("visual =~ x2"), "{what}")
        }
        other => panic!("{other:?}"),
    }
    // one group: only a one-element c() is accepted
    match sem.fit(&data) {
        Err(Error::DimensionMismatch { expected: 1, found: 3, .. }) => {}
        other => panic!("{other:?}"),
    }
    let one = Sem::from_syntax("visual =~ x1 + c(a)*x2 + x3\ntextual =~ x4 + x5 + x6").unwrap();
    let plain = Sem::from_syntax("visual =~ x1 + a*x2 + x3\ntextual =~ x4 + x5 + x6").unwrap();
    let (a, b) = (one.fit(&data).unwrap(), plain.fit(&data).unwrap());
    assert_eq!(a.fit_measure("chisq"), b.fit_measure("chisq"));
}

#[test]
fn group_equal_classes_by_lavaan_name() {
    for g in GroupEqual::ALL {
        assert_eq!(GroupEqual::from_name(g.name()), Some(g));
    }
    assert_eq!(
        GroupEqual::from_name("residual.covariances"),
        Some(GroupEqual::ResidualCovariances)
    );
    assert_eq!(GroupEqual::from_name("Loadings"), None);
}

//! `surveystat ols` end to end (the binary built by cargo).

use crate::common::*;
use serde_json::Value;

fn run(args: &[&str]) -> (bool, String, String) {
    crate::util::subcommand("ols", args)
}

fn data(file: &str) -> String {
    fixture_path(&format!("data/{file}")).display().to_string()
}

#[test]
fn json_matches_r_and_is_deterministic() {
    let d = data("mtcars.csv");
    let args = ["--data", d.as_str(), "--formula", "mpg ~ wt + hp + qsec + am", "--json"];
    let (ok, out, err) = run(&args);
    assert!(ok, "{err}");
    let (_, out2, _) = run(&args);
    assert_eq!(out, out2, "byte-identical JSON");
    let v: Value = serde_json::from_str(&out).unwrap();
    let r = &load_case("ols_mtcars")["results"];
    assert_eq!(v["se_type"], "classical");
    for c in v["coefficients"].as_array().unwrap() {
        let term = c["term"].as_str().unwrap();
        let e = &r["coefficients"][term];
        assert_rel("estimate", f(&c["estimate"]), f(&e["estimate"]), TOL_OLS);
        assert_rel("std_error", f(&c["std_error"]), f(&e["std_error"]), TOL_OLS);
        assert_rel("t_value", f(&c["t_value"]), f(&e["t_value"]), TOL_OLS);
        assert_rel("p_value", f(&c["p_value"]), f(&e["p_value"]), TOL_OLS);
        assert_rel("ci_lower", f(&c["ci_lower"]), f(&e["ci_lower_95"]), TOL_OLS);
        assert_rel("ci_upper", f(&c["ci_upper"]), f(&e["ci_upper_95"]), TOL_OLS);
    }
    for (k, rk) in [
        ("sigma", "sigma"),
        ("r_squared", "r_squared"),
        ("adj_r_squared", "adj_r_squared"),
        ("log_lik", "logLik"),
        ("aic", "AIC"),
        ("bic", "BIC"),
        ("df_residual", "df_residual"),
    ] {
        assert_rel(k, f(&v[k]), f(&r[rk]), TOL_OLS);
    }
    assert_rel("f", f(&v["f_statistic"]), f(&r["f_statistic"]["value"]), TOL_OLS);
    assert_eq!(f(&v["f_df1"]), 4.0);
    assert_eq!(f(&v["f_df2"]), 27.0);
    assert_rel("f p", f(&v["f_pvalue"]), f(&r["f_statistic"]["p_value"]), TOL_OLS);
    assert_eq!(v["n_obs"], 32);
}

#[test]
fn robust_standard_errors_in_the_table() {
    let d = data("mtcars.csv");
    let (ok, out, err) =
        run(&["--data", &d, "--formula", "mpg ~ wt + hp + qsec + am", "--robust", "hc3", "--json"]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["se_type"], "hc3");
    let r = &load_case("ols_mtcars")["results"];
    for c in v["coefficients"].as_array().unwrap() {
        let term = c["term"].as_str().unwrap();
        assert_rel("hc3 se", f(&c["std_error"]), f(&r["hc_std_errors"]["HC3"][term]), TOL_OLS);
        assert_rel(
            "hc3 t",
            f(&c["t_value"]),
            f(&c["estimate"]) / f(&r["hc_std_errors"]["HC3"][term]),
            TOL_OLS,
        );
    }
}

#[test]
fn text_summary_and_ci_level() {
    let d = data("longley.csv");
    let (ok, out, err) = run(&["--data", &d, "--formula", "Employed ~ .", "--ci-level", "0.9"]);
    assert!(ok, "{err}");
    for s in [
        "Coefficients:",
        "Residual standard error: 0.3049 on 9 degrees of freedom",
        "Multiple R-squared:  0.9955",
        "F-statistic: 330.3 on 6 and 9 DF",
        "Signif. codes",
    ] {
        assert!(out.contains(s), "missing `{s}` in\n{out}");
    }
}

#[test]
fn errors_go_to_stderr() {
    let d = data("mtcars.csv");
    let (ok, out, err) = run(&["--data", &d, "--formula", "mpg ~ wt + nosuch"]);
    assert!(!ok);
    assert!(out.is_empty());
    assert!(err.contains("nosuch") && err.contains("mtcars.csv"), "{err}");
    let (ok, out, err) = run(&["--data", &d, "--formula", "mpg ~ wt hp"]);
    assert!(!ok && out.is_empty());
    assert!(err.contains("column 10"), "{err}");
    let (ok, _, err) = run(&["--data", "/nonexistent.csv", "--formula", "y ~ x"]);
    assert!(!ok && err.contains("nonexistent"), "{err}");
}

#[test]
fn drop_aliased() {
    let dir = std::env::temp_dir().join(format!("surveystat_cli_ols_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("dup.csv");
    std::fs::write(&p, "y,a,b,c\n1,1,2,3\n2,2,1,3\n4,3,5,8\n3,4,2,6\n6,5,7,12\n5,6,1,7\n").unwrap();
    let ps = p.display().to_string();
    let (ok, _, err) = run(&["--data", &ps, "--formula", "y ~ a + b + c"]);
    assert!(!ok && err.contains("aliased") && err.contains('c'), "{err}");
    let (ok, out, err) =
        run(&["--data", &ps, "--formula", "y ~ a + b + c", "--drop-aliased", "--json"]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["aliased"], serde_json::json!(["c"]));
    assert_eq!(v["coefficients"].as_array().unwrap().len(), 3);
    std::fs::remove_dir_all(&dir).ok();
}

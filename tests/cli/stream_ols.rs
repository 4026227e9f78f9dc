//! `ols --stream`: the fit from the streamed QR factor equals the in-memory fit to 1e-12
//! relative (mtcars; airquality with missing rows); what needs the rows is refused by name.

use serde_json::Value;

use crate::common::fixture_path;

use crate::util::run;

fn data(file: &str) -> String {
    fixture_path(&format!("data/{file}")).display().to_string()
}

fn json(args: &[&str]) -> Value {
    let out = run(args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn close(what: &str, a: &Value, b: &Value) {
    let (x, y) = (a.as_f64().unwrap(), b.as_f64().unwrap());
    assert!((x - y).abs() <= 1e-12 * x.abs().max(y.abs()), "{what}: {x} vs {y}");
}

fn compare(file: &str, formula: &str) {
    let path = data(file);
    let args = ["ols", "--data", &path, "--formula", formula, "--json"];
    let mem = json(&args);
    let mut s = args.to_vec();
    s.push("--stream");
    let st = json(&s);
    assert_eq!(st["streamed"], Value::Bool(true));
    for key in ["n_obs", "n_dropped", "df_residual", "f_df1", "f_df2"] {
        assert_eq!(st[key], mem[key], "{key}");
    }
    for key in ["sigma", "r_squared", "adj_r_squared", "f_statistic", "log_lik", "aic", "bic"] {
        close(key, &st[key], &mem[key]);
    }
    let (a, b) = (st["coefficients"].as_array().unwrap(), mem["coefficients"].as_array().unwrap());
    assert_eq!(a.len(), b.len());
    for (p, q) in a.iter().zip(b) {
        assert_eq!(p["term"], q["term"]);
        for key in ["estimate", "std_error", "t_value", "ci_lower", "ci_upper"] {
            close(key, &p[key], &q[key]);
        }
    }
}

#[test]
fn streamed_ols_equals_the_in_memory_fit() {
    compare("mtcars.csv", "mpg ~ wt + hp + disp");
    compare("airquality.csv", "Ozone ~ Solar.R + Wind + Temp");
}

#[test]
fn what_needs_the_rows_is_refused_by_name() {
    let path = data("mtcars.csv");
    for (extra, needle) in [
        (vec!["--formula", "mpg ~ wt", "--robust", "hc1"], "--robust"),
        (vec!["--formula", "mpg ~ wt", "--cluster", "cyl"], "--cluster"),
        (vec!["--formula", "mpg ~ wt", "--weights", "hp"], "--weights"),
        (vec!["--formula", "mpg ~ wt * hp"], "interactions"),
        (vec!["--formula", "mpg ~ factor(cyl)"], "interactions, factors"),
        (vec!["--formula", "mpg ~ wt - 1"], "intercept"),
        (vec!["--formula", "mpg ~ ."], "`.`"),
    ] {
        let mut args = vec!["ols", "--data", &path, "--stream"];
        args.extend(extra);
        let out = run(&args);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{needle}: {err}");
    }
}

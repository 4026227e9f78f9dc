//! `--stream`: fits from moments streamed from the file equal the in-memory fits; options that
//! need the rows are refused with a sentence, never silently ignored.

use crate::common::fixture_path;
use serde_json::Value;

use crate::util::run;

fn data(file: &str) -> String {
    fixture_path(&format!("data/{file}")).display().to_string()
}

/// Every number of `a` equals the one at the same place of `b` to `tol` relative; every other
/// value is identical. The iteration count of an iterative fit is not compared: moments that
/// differ in the last bits can end the same optimisation an iteration or two apart.
fn same(a: &Value, b: &Value, tol: f64, path: &str) {
    if path.ends_with(".iterations") {
        return;
    }
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!((x - y).abs() <= tol * x.abs().max(y.abs()).max(1.0), "{path}: {x} vs {y}");
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{path}");
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                same(p, q, tol, &format!("{path}[{i}]"));
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(x.keys().collect::<Vec<_>>(), y.keys().collect::<Vec<_>>(), "{path}");
            for (k, p) in x {
                same(p, &y[k], tol, &format!("{path}.{k}"));
            }
        }
        _ => assert_eq!(a, b, "{path}"),
    }
}

fn json(args: &[&str]) -> Value {
    let out = run(args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn streamed_fits_equal_the_in_memory_fits() {
    let hs = data("HolzingerSwineford1939.csv");
    let p = std::env::temp_dir().join(format!("surveystat_stream_hs_{}.lav", std::process::id()));
    std::fs::write(&p, "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n")
        .unwrap();
    let model_path = p.display().to_string();
    // Closed forms (α, KMO) agree to rounding; iterative fits (minres EFA, ω's Schmid–Leiman on
    // it, the SEM) agree to their termination rules.
    let items = "x1,x2,x3,x4,x5,x6,x7,x8,x9";
    let cases: Vec<(Vec<&str>, f64)> = vec![
        (vec!["alpha", "--data", &hs, "--items", items], 1e-12),
        (vec!["kmo", "--data", &hs, "--items", items], 1e-12),
        (vec!["efa", "--data", &hs, "--items", items, "--factors", "3"], 1e-7),
        (vec!["omega", "--data", &hs, "--items", items, "--factors", "3"], 1e-7),
        (vec!["sem", "--data", &hs, "--model", &model_path], 1e-7),
    ];
    for (args, tol) in cases {
        let mut mem = args.clone();
        mem.push("--json");
        let mut streamed = mem.clone();
        streamed.push("--stream");
        same(&json(&mem), &json(&streamed), tol, args[0]);
    }
}

#[test]
fn options_that_need_the_rows_are_refused() {
    let hs = data("HolzingerSwineford1939.csv");
    let bfi = data("bfi.csv");
    let model =
        std::env::temp_dir().join(format!("surveystat_stream_m_{}.lav", std::process::id()));
    std::fs::write(&model, "visual =~ x1 + x2 + x3\n").unwrap();
    let model = model.display().to_string();
    for (args, needle) in [
        (
            vec!["glm", "--data", &hs, "--family", "binomial", "--formula", "sex ~ x1"],
            "needs the rows",
        ),
        (vec!["sem", "--data", &hs, "--model", &model, "--bootstrap", "100"], "--bootstrap"),
        (vec!["sem", "--data", &hs, "--model", &model, "--missing", "fiml"], "fiml"),
        // bfi has missing answers: the in-memory α is pairwise, so a streamed α must not differ
        // silently.
        (vec!["alpha", "--data", &bfi, "--items", "A1,A2,A3"], "complete rows"),
        (vec!["kmo", "--data", &hs], "`school` is not numeric"),
    ] {
        let mut a = args.clone();
        a.push("--stream");
        let out = run(&a);
        assert!(!out.status.success(), "{a:?} succeeded");
        assert!(out.stdout.is_empty());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{a:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    // Listwise α streams incomplete rows and reports the drop.
    let v = json(&[
        "alpha",
        "--data",
        &bfi,
        "--items",
        "A1,A2,A3",
        "--missing",
        "listwise",
        "--json",
        "--stream",
    ]);
    let w =
        json(&["alpha", "--data", &bfi, "--items", "A1,A2,A3", "--missing", "listwise", "--json"]);
    same(&v, &w, 1e-12, "alpha listwise");
}

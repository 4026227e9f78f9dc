//! `surveystat sem` on a model with an astronomically large χ² (a loading fixed at 1e-8 with
//! `--std-lv`): the command returns quickly, with JSON or a one-sentence error.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn huge_chisq_returns_quickly() {
    let dir = std::env::temp_dir().join(format!("surveystat_cli_extreme_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("m.lav");
    std::fs::write(&model, "F =~ 1e-8*x1 + x2 + x3\n").unwrap();
    let data =
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/data/HolzingerSwineford1939.csv");
    let mut child = Command::new(env!("CARGO_BIN_EXE_surveystat"))
        .args(["sem", "--data", data, "--model", model.to_str().unwrap(), "--std-lv", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("surveystat sem did not return in 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    if status.success() {
        let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let fit = &v["fit"];
        let (r, lo, hi) = (&fit["rmsea"], &fit["rmsea.ci.lower"], &fit["rmsea.ci.upper"]);
        let sensible = match (r.as_f64(), lo.as_f64(), hi.as_f64()) {
            (Some(r), Some(lo), Some(hi)) => lo <= r && r <= hi,
            _ => false,
        };
        let warned = v["warnings"].as_array().is_some_and(|w| !w.is_empty());
        assert!(sensible || warned, "rmsea {r} in [{lo}, {hi}]");
    } else {
        assert!(stdout.is_empty());
        assert!(!out.stderr.is_empty());
    }
}

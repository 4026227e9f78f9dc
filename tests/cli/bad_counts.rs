//! Absurd replication and start counts on the command line: a clear error and exit status 1,
//! never a panic or an abort; `--bootstrap 1` warns that standard errors need 2 replications.

use std::process::Output;

const HS: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/data/HolzingerSwineford1939.csv");

use crate::util::run;

fn refused(out: &Output, needle: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(needle), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

fn model_file(tag: &str) -> String {
    let p =
        std::env::temp_dir().join(format!("surveystat_badcounts_{tag}_{}.lav", std::process::id()));
    std::fs::write(&p, "visual =~ x1 + x2 + x3\n").unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn huge_bootstrap_counts_are_refused() {
    let m = model_file("huge");
    for reps in ["18446744073709551615", "1000000000000", "1000001"] {
        let out = run(&["sem", "--data", HS, "--model", &m, "--bootstrap", reps]);
        refused(&out, "at most 1000000 are supported");
        let out = run(&[
            "process",
            "--data",
            HS,
            "--model",
            "4",
            "--x",
            "x1",
            "--m",
            "x5",
            "--y",
            "x9",
            "--bootstrap",
            reps,
        ]);
        refused(&out, "at most 1000000 are supported");
    }
}

#[test]
fn huge_random_start_counts_are_refused() {
    for starts in ["100000000", "18446744073709551615"] {
        let out = run(&[
            "efa",
            "--data",
            HS,
            "--items",
            "x1,x2,x3,x4,x5,x6,x7,x8,x9",
            "--factors",
            "3",
            "--random-starts",
            starts,
        ]);
        refused(&out, "at most 10000 are supported");
    }
}

#[test]
fn single_bootstrap_replication_warns_in_text_and_json() {
    let m = model_file("one");
    let out = run(&["sem", "--data", HS, "--model", &m, "--bootstrap", "1"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("standard errors need at least 2 replications"), "{text}");
    let out = run(&["sem", "--data", HS, "--model", &m, "--bootstrap", "1", "--json"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let w = v["warnings"].to_string();
    assert!(w.contains("need at least 2 replications"), "{w}");
}

#[test]
fn study_output_paths_are_checked_before_the_analysis() {
    let missing = std::env::temp_dir().join("surveystat_no_such_dir_xyz").join("report.md");
    let t = std::time::Instant::now();
    let out = run(&["study", "--report", missing.to_str().unwrap(), "--bootstrap", "0"]);
    refused(&out, "does not exist");
    let dir = std::env::temp_dir();
    let out = run(&["study", "--diagram", dir.to_str().unwrap(), "--bootstrap", "0"]);
    refused(&out, "is a directory");
    let out = run(&["study", "--bootstrap", "18446744073709551615"]);
    refused(&out, "at most 1000000 replications are supported");
    // refused up front: no analysis ran
    assert!(t.elapsed().as_secs() < 30);
}

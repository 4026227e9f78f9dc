//! The common data options of every subcommand (`--delimiter`, `--decimal-comma`, `--na`) on
//! files written by R (tests/fixtures/extra/data_io.R).

use crate::common::fixture_path;
use serde_json::Value;

use crate::util::run;

fn file(name: &str) -> String {
    fixture_path(&format!("extra/data_io/{name}")).display().to_string()
}

fn alpha_json(extra: &[&str]) -> Value {
    let mut args = vec!["alpha", "--items", "A2,A3,A4,A5", "--json"];
    args.extend_from_slice(extra);
    let out = run(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn same_alpha_from_every_r_writer() {
    let base = alpha_json(&["--data", &file("write_csv.csv")]);
    let csv2 = file("write_csv2.csv");
    let tsv = file("write_table.tsv");
    for other in [
        alpha_json(&["--data", &csv2, "--decimal-comma"]),
        alpha_json(&["--delimiter", ";", "--decimal-comma", "--data", &csv2]),
        alpha_json(&["--data", &tsv]),
        alpha_json(&["--data", &tsv, "--delimiter", "tab"]),
    ] {
        assert_eq!(other["raw_alpha"], base["raw_alpha"]);
        assert_eq!(other["n_obs"], base["n_obs"]);
    }
}

#[test]
fn na_codes_and_delimiter_errors() {
    let na = file("na_code.csv");
    let coded = alpha_json(&["--data", &na, "--na", "-99,999"]);
    let base = alpha_json(&["--data", &file("write_csv.csv")]);
    assert_eq!(coded["raw_alpha"], base["raw_alpha"]);
    let out =
        run(&["alpha", "--data", &file("write_csv2.csv"), "--items", "A2,A3", "--delimiter", ","]);
    assert!(!out.status.success());
    let msg = String::from_utf8_lossy(&out.stderr);
    assert!(msg.contains("write_csv2.csv") && msg.contains("`;`"), "{msg}");
    let out = run(&["alpha", "--data", &na, "--items", "A2,A3", "--delimiter", "ab"]);
    assert!(!out.status.success());
}

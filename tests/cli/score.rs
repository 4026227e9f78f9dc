//! `surveystat score` end to end: α and corrected scale intercorrelations against R psych 2.2.9
//! `scoreItems` on bfi (fixture extra/scoring.json), the scores file, text output and errors.

use crate::common::{TOL_CLOSED_FORM, assert_close, assert_rel, f, fixture_path};
use serde_json::Value;

use crate::util::run;

fn path(rel: &str) -> String {
    fixture_path(rel).display().to_string()
}

#[test]
fn score_json_matches_psych_score_items() {
    let out = run(&[
        "score",
        "--data",
        &path("data/bfi.csv"),
        "--keys",
        &path("extra/bfi_keys.txt"),
        "--json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let e: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture_path("extra/scoring.json")).unwrap())
            .unwrap();
    let e = &e["score_median"];
    for (j, (a, b)) in
        v["alpha"].as_array().unwrap().iter().zip(e["alpha"].as_array().unwrap()).enumerate()
    {
        assert_rel(&format!("cli alpha {j}"), f(a), f(b), TOL_CLOSED_FORM);
    }
    let ours = v["corrected"].as_array().unwrap();
    let theirs = e["corrected"].as_array().unwrap();
    for i in 0..5 {
        for j in 0..5 {
            assert_close(
                &format!("cli corrected {i},{j}"),
                f(&ours[i][j]),
                f(&theirs[i][j]),
                TOL_CLOSED_FORM,
            );
        }
    }
    assert_eq!(v["scales"][0], "agree");
    assert_eq!(v["response_frequencies"]["values"].as_array().unwrap().len(), 6);
}

#[test]
fn score_writes_scores_and_text() {
    let dir = std::env::temp_dir().join(format!("surveystat_score_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("scores.csv").display().to_string();
    let out = run(&[
        "score",
        "--data",
        &path("data/bfi.csv"),
        "--keys",
        &path("extra/bfi_keys.txt"),
        "--impute",
        "none",
        "--save-scores",
        &file,
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let t = String::from_utf8(out.stdout).unwrap();
    assert!(
        t.contains("Scale scores (2800 respondents, 5 scales)") && t.contains("openness"),
        "{t}"
    );
    let csv = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2801);
    assert_eq!(lines[0], "agree,conscientious,extraversion,neuroticism,openness");
    let e: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture_path("extra/scoring.json")).unwrap())
            .unwrap();
    let first = &e["score_none"]["scores_first"][0];
    for (j, cell) in lines[1].split(',').enumerate() {
        assert_close(&format!("score 1,{j}"), cell.parse().unwrap(), f(&first[j]), TOL_CLOSED_FORM);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn score_errors_name_the_problem() {
    let dir = std::env::temp_dir().join(format!("surveystat_score_bad_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let unknown = dir.join("unknown.txt");
    std::fs::write(&unknown, "agree: A1 A2 nope\n").unwrap();
    let out =
        run(&["score", "--data", &path("data/bfi.csv"), "--keys", &unknown.display().to_string()]);
    assert!(!out.status.success() && out.stdout.is_empty());
    let msg = String::from_utf8_lossy(&out.stderr);
    assert!(msg.contains("nope") && msg.lines().count() == 1, "{msg}");
    let syntax = dir.join("syntax.txt");
    std::fs::write(&syntax, "agree: A1 A2\nconscientious C1 C2\n").unwrap();
    let out =
        run(&["score", "--data", &path("data/bfi.csv"), "--keys", &syntax.display().to_string()]);
    assert!(!out.status.success());
    let msg = String::from_utf8_lossy(&out.stderr);
    assert!(msg.contains("line 2"), "{msg}");
    // A one-item scale is scored with a warning, not an error.
    let single = dir.join("single.txt");
    std::fs::write(&single, "agree: A1 A2\nlone: C1\n").unwrap();
    let out = run(&[
        "score",
        "--data",
        &path("data/bfi.csv"),
        "--keys",
        &single.display().to_string(),
        "--json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["alpha"][1].is_null());
    assert!(v["warnings"][0].as_str().unwrap().contains("lone"));
    let _ = std::fs::remove_dir_all(&dir);
}

//! `surveystat sem` with explicit constraints: the JSON `constraints` array and the text
//! "Constraints" section, against lavaan 0.6.14 (tests/fixtures/extra/constraints.json, case
//! `hs_ineq`, from constraints.R).

use std::process::Command;

use crate::common::*;

#[test]
fn constraints_in_json_and_text() {
    let text = std::fs::read_to_string(fixture_path("extra/constraints.json")).unwrap();
    let r: serde_json::Value = serde_json::from_str(&text).unwrap();
    let r = &r["hs_ineq"];
    let dir =
        std::env::temp_dir().join(format!("surveystat_cli_constraints_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("hs.lav");
    std::fs::write(&model, r["model"].as_str().unwrap()).unwrap();
    let data = fixture_path("data/HolzingerSwineford1939.csv");
    let run = |json: bool| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_surveystat"));
        c.arg("sem").arg("--data").arg(&data).arg("--model").arg(&model);
        if json {
            c.arg("--json");
        }
        let out = c.output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let v: serde_json::Value = serde_json::from_str(&run(true)).unwrap();
    let cons = v["constraints"].as_array().unwrap();
    assert_eq!(cons.len(), 2);
    for (c, rc) in cons.iter().zip(r["constraints"].as_array().unwrap()) {
        assert_eq!(c["lhs"], rc["lhs"]);
        assert_eq!(c["op"], rc["op"]);
        assert_close("slack", f(&c["slack"]), f(&rc["value"]).abs(), 1e-4);
    }
    assert_rel("chisq", f(&v["fit"]["chisq"]), f(&r["fit"]["chisq"]), TOL_SEM_CHISQ);
    assert_eq!(f(&v["fit"]["df"]), f(&r["fit"]["df"]));
    let out = run(false);
    assert!(out.contains("Constraints:") && out.contains("v2 - (0.5)"), "{out}");
}

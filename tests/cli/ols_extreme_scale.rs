//! `ols` on columns near 1e200 or 1e-200: sums of squares would overflow or underflow, so the
//! columns are refused with a message naming them (exit status 1), never a panic in the F test.

use std::process::Command;

fn csv(tag: &str, scale: f64) -> std::path::PathBuf {
    let p =
        std::env::temp_dir().join(format!("surveystat_ols_scale_{tag}_{}.csv", std::process::id()));
    let mut s = String::from("x1,x2,x3\n");
    for i in 0..30 {
        let a = ((i * 7) % 11) as f64 - 5.0;
        let b = ((i * 5) % 13) as f64 - 6.0;
        let c = a + b + ((i * 3) % 5) as f64;
        s.push_str(&format!("{:e},{:e},{:e}\n", c * scale, a * scale, b * scale));
    }
    std::fs::write(&p, s).unwrap();
    p
}

#[test]
fn overall_f_test_on_extreme_scales_refuses_instead_of_panicking() {
    for (tag, scale) in [("big", 1e200), ("tiny", 1e-200)] {
        let path = csv(tag, scale);
        for json in [false, true] {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_surveystat"));
            cmd.args(["ols", "--data", path.to_str().unwrap(), "--formula", "x1 ~ x2 + x3"]);
            if json {
                cmd.arg("--json");
            }
            let out = cmd.output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{err}");
            assert!(!err.contains("panicked"), "{err}");
            assert!(err.contains("`x1`") && err.contains("rescale the column"), "{err}");
        }
    }
}

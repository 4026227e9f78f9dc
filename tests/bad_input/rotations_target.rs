//! Bad input to target and simplimax rotations and to the wls / gls / alpha extractions: typed
//! errors, never panics.

use crate::common;

use ndarray::{Array2, array};
use surveystat::Error;
use surveystat::factor::{Efa, Extraction, Rotation, Target};

fn good_r() -> Array2<f64> {
    let l = array![[0.8, 0.1], [0.7, 0.0], [0.6, 0.1], [0.1, 0.7], [0.0, 0.6], [0.1, 0.5]];
    let mut r = l.dot(&l.t());
    for i in 0..6 {
        r[[i, i]] = 1.0;
    }
    r
}

#[test]
fn malformed_targets_are_refused() {
    let nan = f64::NAN;
    assert!(matches!(
        Target::new(&array![[nan, nan], [nan, nan]]),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        Target::new(&array![[f64::INFINITY, 0.0]]),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        Target::new(&Array2::<f64>::zeros((0, 2))),
        Err(Error::InvalidParameter { .. })
    ));
    // wrong number of rows, then of columns
    let r = good_r();
    for t in [Array2::<f64>::zeros((5, 2)), Array2::<f64>::zeros((6, 3))] {
        let rot = Rotation::TargetT(Target::new(&t).unwrap());
        assert!(matches!(
            Efa::new(2).rotation(rot.clone()).fit_cor(&r, 200),
            Err(Error::DimensionMismatch { .. })
        ));
        let Rotation::TargetT(t) = rot else { unreachable!() };
        assert!(matches!(
            Efa::new(2).rotation(Rotation::TargetQ(t)).fit_cor(&r, 200),
            Err(Error::DimensionMismatch { .. })
        ));
    }
}

#[test]
fn simplimax_k_out_of_range() {
    let r = good_r();
    for k in [0, 13, usize::MAX] {
        assert!(matches!(
            Efa::new(2).rotation(Rotation::Simplimax { k: Some(k) }).fit_cor(&r, 200),
            Err(Error::InvalidParameter { .. })
        ));
    }
    assert!(Efa::new(2).rotation(Rotation::Simplimax { k: Some(12) }).fit_cor(&r, 200).is_ok());
}

#[test]
fn weighted_extractions_need_a_positive_definite_matrix() {
    let mut r = good_r();
    // make R singular: the last variable duplicates the first
    for j in 0..6 {
        r[[5, j]] = r[[0, j]];
        r[[j, 5]] = r[[j, 0]];
    }
    r[[5, 5]] = 1.0;
    r[[0, 5]] = 1.0;
    r[[5, 0]] = 1.0;
    for e in [Extraction::Wls, Extraction::Gls] {
        assert!(matches!(
            Efa::new(2).extraction(e).fit_cor(&r, 200),
            Err(Error::NotPositiveDefinite { .. })
        ));
    }
    // alpha factoring runs (SMC of a duplicated variable is 1) or reports a typed error
    let _ = Efa::new(2).extraction(Extraction::Alpha).fit_cor(&r, 200);
}

#[test]
fn cli_target_errors_go_to_stderr() {
    let hs = common::fixture_path("data/HolzingerSwineford1939.csv");
    let hs = hs.to_str().unwrap();
    let dir = std::env::temp_dir().join(format!("surveystat_target_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let short = dir.join("short.csv");
    std::fs::write(&short, "F1,F2\n0.7,0\n0,0.7\n").unwrap();
    let all_na = dir.join("na.csv");
    std::fs::write(&all_na, "F1,F2\nNA,NA\nNA,NA\nNA,NA\nNA,NA\n").unwrap();
    let items = "x1,x2,x3,x4";
    for args in [
        vec!["efa", "--data", hs, "--items", items, "--factors", "2", "--rotate", "target"],
        vec![
            "efa",
            "--data",
            hs,
            "--items",
            items,
            "--factors",
            "2",
            "--rotate",
            "targetQ",
            "--target",
            short.to_str().unwrap(),
        ],
        vec![
            "efa",
            "--data",
            hs,
            "--items",
            items,
            "--factors",
            "2",
            "--rotate",
            "target",
            "--target",
            all_na.to_str().unwrap(),
        ],
        vec![
            "efa",
            "--data",
            hs,
            "--items",
            items,
            "--factors",
            "2",
            "--rotate",
            "varimax",
            "--target",
            short.to_str().unwrap(),
        ],
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_surveystat"))
            .args(&args)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("surveystat: ") && err.lines().count() == 1, "{args:?}: {err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

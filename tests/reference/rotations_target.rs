//! Target (Procrustes: targetT, targetQ, pstT, pstQ) and simplimax rotations against
//! GPArotation 2022.10-2 on Harman74 (4 factors) and bfi (25 items, complete rows, 5 factors);
//! fixture tests/fixtures/extra/rotations_target.R → rotations_target.json. The references rotate
//! psych's unrotated ML loadings with GPArotation from the identity start to eps = 1e-6; ours
//! rotate our own ML loadings, so the rotated solutions may differ by what the unrotated ones
//! differ by, amplified by the rotation (bounded here by 20×, and 1e-5 at least: GPArotation's
//! eps). Our criterion at our solution is not above GPArotation's at its own. Simplimax has
//! several optima and a kinked criterion: from the identity start ours ends at lower optima than
//! GPArotation's on both data sets (its loadings are then not compared), and a run that stops on
//! a kink is reported as not converged (not asserted for simplimax).

use crate::common::align::{align, max_abs_diff};
use crate::common::*;
use ndarray::Array2;
use serde_json::Value;
use surveystat::data::Dataset;
use surveystat::factor::{Efa, EfaFit, Extraction, Rotation, Target};

fn load() -> Value {
    let p = fixture_path("extra/rotations_target.json");
    serde_json::from_str(&std::fs::read_to_string(p).expect("rotations_target.json")).expect("json")
}

/// Rows of numbers, `null` as NaN (an unspecified target entry).
fn mat(v: &Value) -> Array2<f64> {
    let rows = v.as_array().expect("rows");
    let nc = rows[0].as_array().map_or(0, Vec::len);
    Array2::from_shape_fn((rows.len(), nc), |(i, j)| rows[i][j].as_f64().unwrap_or(f64::NAN))
}

fn fit(data: &str, rotation: Rotation) -> EfaFit {
    let efa =
        |k| Efa::new(k).extraction(Extraction::Ml).rotation(rotation.clone()).random_starts(0);
    if data == "bfi25" {
        let d = load_data("bfi25_listwise.csv");
        let names: Vec<String> = d.numeric_names().into_iter().filter(|n| n != "rowname").collect();
        efa(5).fit(&d.select(&names).unwrap()).unwrap()
    } else {
        let d = Dataset::from_csv_path(fixture_path("extra/harman74_cor.csv")).expect("harman74");
        let names = d.numeric_names();
        efa(4).fit_cor(&d.select(&names).unwrap(), 145).unwrap()
    }
}

/// The unrotated ML difference from psych (after column alignment).
fn unrotated_diff(all: &Value, data: &str) -> f64 {
    let ours = fit(data, Rotation::None);
    let a = mat(&all[format!("{data}_unrotated")]);
    let al = align(&a, ours.unrotated_loadings());
    max_abs_diff(&al.columns(ours.unrotated_loadings()), &a)
}

/// `aligned`: compare up to column order and sign (simplimax); a target fixes both.
fn check(case: &str, rotation: Rotation, aligned: bool) {
    let all = load();
    let data = case.split('_').next().unwrap();
    let base = unrotated_diff(&all, data);
    let tol = (20.0 * base).max(1e-5);
    let c = &all[case];
    assert!(c["converged"].as_bool().unwrap(), "{case}: GPArotation converged");
    let ours = fit(data, rotation.clone());
    eprintln!("CASE {case}: {:?}", ours.rotation_convergence());
    if !aligned {
        assert!(ours.rotation_convergence().converged, "{case}: {:?}", ours.rotation_convergence());
    }
    let lref = mat(&c["loadings"]);
    let k = lref.ncols();
    let (l, phi) = if aligned {
        let al = align(&lref, ours.loadings());
        (al.columns(ours.loadings()), al.square(ours.phi()))
    } else {
        (ours.loadings().clone(), ours.phi().clone())
    };
    let dl = max_abs_diff(&l, &lref);
    let dphi = if c["Phi"].is_null() {
        max_abs_diff(&phi, &Array2::eye(k))
    } else {
        max_abs_diff(&phi, &mat(&c["Phi"]))
    };
    let (f_ours, _) = rotation.criterion(ours.loadings()).unwrap();
    let (f_ref, _) = rotation.criterion(&lref).unwrap();
    eprintln!(
        "CASE {case}: unrotated {base:.2e} loadings {dl:.2e} phi {dphi:.2e} tol {tol:.1e}; \
         criterion {f_ours:.12e} vs {f_ref:.12e}"
    );
    // our criterion code at GPArotation's loadings gives GPArotation's value
    assert_rel(&format!("{case} criterion at the reference"), f_ref, f(&c["f"]), 1e-8);
    assert!(f_ours <= f_ref + 10.0 * tol * f_ref.abs().max(1.0), "{case}: {f_ours} vs {f_ref}");
    if aligned && f_ours < f_ref * (1.0 - 1e-4) {
        // simplimax has several optima: ours is a lower one than GPArotation's, not the same
        return;
    }
    assert!(dl <= tol, "{case}: loadings differ by {dl:.3e} (tol {tol:.1e})");
    assert!(dphi <= tol, "{case}: phi differs by {dphi:.3e} (tol {tol:.1e})");
}

fn target(name: &str) -> Target {
    Target::new(&mat(&load()[name])).unwrap()
}

#[test]
fn target_t_harman74_against_gparotation() {
    check("harman74_targetT", Rotation::TargetT(target("harman74_full_target")), false);
}

#[test]
fn target_q_harman74_against_gparotation() {
    check("harman74_targetQ", Rotation::TargetQ(target("harman74_full_target")), false);
}

#[test]
fn partial_target_t_harman74_against_gparotation_pst_t() {
    check("harman74_pstT", Rotation::TargetT(target("harman74_partial_target")), false);
}

#[test]
fn partial_target_q_harman74_against_gparotation_pst_q() {
    check("harman74_pstQ", Rotation::TargetQ(target("harman74_partial_target")), false);
}

#[test]
fn target_t_bfi25_against_gparotation() {
    check("bfi25_targetT", Rotation::TargetT(target("bfi25_full_target")), false);
}

#[test]
fn partial_target_q_bfi25_against_gparotation_pst_q() {
    check("bfi25_pstQ", Rotation::TargetQ(target("bfi25_partial_target")), false);
}

#[test]
fn simplimax_harman74_against_gparotation() {
    check("harman74_simplimax", Rotation::Simplimax { k: None }, true);
}

#[test]
fn simplimax_bfi25_k60_against_gparotation() {
    check("bfi25_simplimax_k60", Rotation::Simplimax { k: Some(60) }, true);
}

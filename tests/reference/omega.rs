//! ω hierarchical / total / subscales (Schmid–Leiman) against R psych 2.2.9 `omega`
//! (tests/fixtures/extra/omega.R → omega.json).
//!
//! α and λ6 of the keyed correlation matrix are closed forms: relative error ≤ TOL_CLOSED_FORM.
//! Everything else rests on iterative minres and oblimin fits. The fixture holds psych's numbers
//! and the same quantities from a tightly converged solution ("tight"): ours must be at least as
//! close to the tight optimum as psych's (floor: the tight reference's own accuracy), and so within
//! psych's distance from its optimum of psych's numbers.

use crate::common::align::align;
use crate::common::{TOL_CLOSED_FORM, assert_rel, f, fixture_path, load_data};
use ndarray::Array2;
use serde_json::Value;
use surveystat::data::Dataset;
use surveystat::reliability::{Omega, OmegaFit};

/// Accuracy of the tight R reference itself: L-BFGS-B (factr = 1) on finite-difference gradients
/// and GPArotation stopped at a projected-gradient norm of 1e-7 leave its loadings ~1e-7 from the
/// exact optimum, and derived quantities a few times that.
const TIGHT_FLOOR: f64 = 1e-6;

fn load() -> Value {
    let p = fixture_path("extra/omega.json");
    serde_json::from_str(&std::fs::read_to_string(p).expect("omega.json")).expect("json")
}

fn vecf(v: &Value) -> Vec<f64> {
    v.as_array().expect("array").iter().map(f).collect()
}

fn mat(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = v.as_array().expect("rows").iter().map(vecf).collect();
    Array2::from_shape_fn((rows.len(), rows[0].len()), |(i, j)| rows[i][j])
}

fn harman74() -> (Array2<f64>, Vec<String>) {
    let d = Dataset::from_csv_path(fixture_path("extra/harman74_cor.csv")).expect("harman74");
    let names = d.numeric_names();
    (d.select(&names).expect("numeric"), names)
}

fn fit_case(name: &str, case: &Value) -> OmegaFit {
    let nf = case["nfactors"].as_u64().unwrap() as usize;
    let items: Vec<String> =
        case["items"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().into()).collect();
    let om = Omega::new().n_factors(nf).names(&items);
    match name {
        "harman74_4" => {
            let (r, _) = harman74();
            om.fit_cor(&r, 145).unwrap()
        }
        "hs9_2" => {
            om.fit(&load_data("HolzingerSwineford1939.csv").select(&items).unwrap()).unwrap()
        }
        _ => om.fit(&load_data("bfi25_listwise.csv").select(&items).unwrap()).unwrap(),
    }
}

/// Ours at least as close to the tight optimum as psych (floor TIGHT_FLOOR).
#[track_caller]
fn tighter(what: &str, ours: f64, psych: f64, tight: f64) {
    let d_ours = (ours - tight).abs();
    let d_psych = (psych - tight).abs();
    println!("{what}: |ours - tight| {d_ours:.2e}, |psych - tight| {d_psych:.2e}");
    assert!(
        d_ours <= d_psych.max(TIGHT_FLOOR),
        "{what}: ours {ours:.12} is {d_ours:.2e} from the tight optimum {tight:.12}, psych {psych:.12} is {d_psych:.2e}"
    );
}

#[test]
fn omega_against_psych() {
    let all = load();
    for name in ["bfi25_3", "bfi25_5", "harman74_4", "hs9_2"] {
        let c = &all[name];
        let t = &c["tight"];
        let fit = fit_case(name, c);
        // closed forms given the key
        assert_eq!(fit.key(), vecf(&c["key"]).as_slice(), "{name} key");
        assert_rel(&format!("{name} alpha"), fit.alpha(), f(&c["alpha"]), TOL_CLOSED_FORM);
        assert_rel(&format!("{name} G6"), fit.g6(), f(&c["G6"]), TOL_CLOSED_FORM);
        // iterative quantities
        tighter(&format!("{name} omega_h"), fit.omega_h(), f(&c["omega_h"]), f(&t["omega_h"]));
        tighter(
            &format!("{name} omega_tot"),
            fit.omega_total(),
            f(&c["omega_tot"]),
            f(&t["omega_tot"]),
        );
        tighter(
            &format!("{name} omega_lim"),
            fit.omega_limit(),
            f(&c["omega_lim"]),
            f(&t["omega_lim"]),
        );
        tighter(&format!("{name} ECV"), fit.ecv(), f(&c["ECV"]), f(&t["ECV"]));
        let sl = fit.schmid();
        let (g_ps, g_t) = (vecf(&c["g"]), vecf(&t["g"]));
        let (h2_ps, h2_t) = (vecf(&c["h2"]), vecf(&t["h2"]));
        let d_g_ps = g_ps.iter().zip(&g_t).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        let d_g = sl.general().iter().zip(&g_t).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        let d_h_ps = h2_ps.iter().zip(&h2_t).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        let d_h =
            sl.communalities().iter().zip(&h2_t).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        println!(
            "{name}: g max |ours - tight| {d_g:.2e} (psych {d_g_ps:.2e}); h2 {d_h:.2e} (psych {d_h_ps:.2e})"
        );
        assert!(d_g <= d_g_ps.max(TIGHT_FLOOR), "{name} general loadings");
        assert!(d_h <= d_h_ps.max(TIGHT_FLOOR), "{name} communalities");
        // group loadings up to column order and sign
        let (gr_ps, gr_t) = (mat(&c["group_loadings"]), mat(&t["group_loadings"]));
        let a = align(&gr_t, sl.group());
        let ours = a.columns(sl.group());
        let d_ps = (&align(&gr_t, &gr_ps).columns(&gr_ps) - &gr_t)
            .mapv(f64::abs)
            .fold(0.0, |m: f64, &v| m.max(v));
        let d = (&ours - &gr_t).mapv(f64::abs).fold(0.0, |m: f64, &v| m.max(v));
        println!("{name}: group loadings max |ours - tight| {d:.2e} (psych {d_ps:.2e})");
        assert!(d <= d_ps.max(TIGHT_FLOOR), "{name} group loadings");
        // subscales (psych's omega.group rows: g, then the group factors in psych's order)
        let og = &c["omega_group"];
        let sub = fit.subscales();
        tighter(&format!("{name} g group"), sub[0].group, f(&og["group"][0]), f(&t["group_g"]));
        let tg = t["groups"].as_array().unwrap();
        for (j, row) in tg.iter().enumerate() {
            let s = &sub[a.perm[j] + 1];
            for field in ["total", "general", "group"] {
                let ours = match field {
                    "total" => s.total,
                    "general" => s.general,
                    _ => s.group,
                };
                let tight = f(&row[field]);
                // psych's row for the same factor: the one closest to the tight row
                let ps = vecf(&og[field])[1..]
                    .iter()
                    .copied()
                    .min_by(|x, y| (x - tight).abs().partial_cmp(&(y - tight).abs()).unwrap())
                    .unwrap();
                tighter(&format!("{name} subscale {} {field}", j + 1), ours, ps, tight);
            }
        }
        if name == "hs9_2" {
            assert!(
                fit.warnings().iter().any(|w| w.to_string().contains("three factors are required")),
                "two factors must warn"
            );
        }
    }
}

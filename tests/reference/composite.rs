//! ω total, CR, AVE, Fornell–Larcker and HTMT against the R fixtures (lavaan 0.6.14 loadings,
//! semTools 0.5-6 htmt), relative error ≤ TOL_CLOSED_FORM. The loadings and residual variances
//! stored in the fixtures are the inputs (closed forms of a given factor solution).

use crate::common;

use crate::common::{TOL_CLOSED_FORM, assert_rel, f, load_case, load_data, matrix, named};
use surveystat::moments::{Missing, correlation};
use surveystat::reliability::{
    HtmtMean, average_variance_extracted, average_variance_extracted_std, composite_reliability,
    fornell_larcker, htmt, omega_total,
};

#[test]
fn omega_total_from_lavaan_loadings() {
    for case in ["omega_hs_x1_x3", "omega_hs_x4_x6", "omega_bfi_C_listwise"] {
        let d = load_case(case);
        let r = &d["results"];
        let lam: Vec<f64> = named(&r["loadings"]).into_iter().map(|(_, v)| v).collect();
        let theta: Vec<f64> = named(&r["residual_variances"]).into_iter().map(|(_, v)| v).collect();
        let w = omega_total(&lam, &theta).unwrap();
        assert_rel(&format!("{case} omega_total"), w, f(&r["omega_total"]), TOL_CLOSED_FORM);
        assert_rel(
            &format!("{case} sum_loadings"),
            lam.iter().sum(),
            f(&r["sum_loadings"]),
            TOL_CLOSED_FORM,
        );
        assert_rel(
            &format!("{case} sum_residual_variances"),
            theta.iter().sum(),
            f(&r["sum_residual_variances"]),
            TOL_CLOSED_FORM,
        );
        println!("{case}: omega_total rel err {:.2e}", common::rel_err(w, f(&r["omega_total"])));
    }
}

#[test]
fn cr_ave_holzinger_cfa() {
    let d = load_case("cr_ave_hs_cfa");
    let r = &d["results"];
    let factors = r["factors"].as_object().unwrap();
    // serde_json sorts object keys: take the factor order from the correlation matrix.
    let (order, _, phi) = matrix(&r["latent_correlations"]);
    let mut names = Vec::new();
    let mut aves = Vec::new();
    for name in &order {
        let fx = &factors[name];
        let l: Vec<f64> = named(&fx["std_loadings"]).into_iter().map(|(_, v)| v).collect();
        let cr = composite_reliability(&l).unwrap();
        let ave = average_variance_extracted_std(&l).unwrap();
        assert_rel(&format!("{name} CR"), cr, f(&fx["CR"]), TOL_CLOSED_FORM);
        assert_rel(&format!("{name} AVE"), ave, f(&fx["AVE"]), TOL_CLOSED_FORM);
        assert_rel(&format!("{name} sqrt_AVE"), ave.sqrt(), f(&fx["sqrt_AVE"]), TOL_CLOSED_FORM);
        // The general forms with θ = 1 − l² agree.
        let theta: Vec<f64> = l.iter().map(|x| 1.0 - x * x).collect();
        assert_rel("omega = CR", omega_total(&l, &theta).unwrap(), cr, 1e-15);
        assert_rel("AVE general", average_variance_extracted(&l, &theta).unwrap(), ave, 1e-14);
        names.push(name.clone());
        aves.push(ave);
    }
    let fl = fornell_larcker(&names, &aves, &phi).unwrap();
    assert_eq!(fl.pass(), &[true, true, true]);
}

#[test]
fn study_cfa_validity_block() {
    let d = load_case("study_cfa");
    let v = &d["results"]["validity"];
    let cr_ave = v["CR_AVE"].as_object().unwrap();
    // serde_json sorts object keys: take the factor order from the correlation matrix.
    let (order, _, _) = matrix(&v["latent_correlations"]);
    let mut names = Vec::new();
    let mut aves = Vec::new();
    let mut groups: Vec<Vec<String>> = Vec::new();
    for name in &order {
        let fx = &cr_ave[name];
        let loads = named(&fx["std_loadings"]);
        let l: Vec<f64> = loads.iter().map(|(_, v)| *v).collect();
        let cr = composite_reliability(&l).unwrap();
        let ave = average_variance_extracted_std(&l).unwrap();
        assert_rel(&format!("{name} CR"), cr, f(&fx["CR"]), TOL_CLOSED_FORM);
        assert_rel(&format!("{name} AVE"), ave, f(&fx["AVE"]), TOL_CLOSED_FORM);
        assert_rel(&format!("{name} sqrt_AVE"), ave.sqrt(), f(&fx["sqrt_AVE"]), TOL_CLOSED_FORM);
        names.push(name.clone());
        aves.push(ave);
        groups.push(loads.into_iter().map(|(k, _)| k).collect());
    }
    // The std_all_loadings table holds the same loadings.
    for row in v["std_all_loadings"].as_array().unwrap() {
        let fx = &cr_ave[row["lhs"].as_str().unwrap()];
        let l = f(&fx["std_loadings"][row["rhs"].as_str().unwrap()]);
        assert_eq!(l, f(&row["est.std"]));
    }

    // Fornell–Larcker from the latent correlations.
    let (rows, cols, phi) = matrix(&v["latent_correlations"]);
    assert_eq!(rows, names);
    assert_eq!(cols, names);
    let fl = fornell_larcker(&names, &aves, &phi).unwrap();
    let (_, _, expected) = matrix(&v["fornell_larcker"]);
    for ((i, j), e) in expected.indexed_iter() {
        assert_rel(&format!("fornell_larcker[{i},{j}]"), fl.table()[[i, j]], *e, TOL_CLOSED_FORM);
    }
    let pass = v["fornell_larcker_pass"].as_object().unwrap();
    for (k, name) in names.iter().enumerate() {
        assert_eq!(fl.pass()[k], pass[name].as_bool().unwrap(), "{name} pass");
    }

    // HTMT from the item correlations of the study survey.
    let ds = load_data("study_survey.csv");
    let items: Vec<String> = groups.iter().flatten().cloned().collect();
    let x = ds.select(&items).unwrap();
    let r = correlation(&x, Missing::Listwise).unwrap();
    let idx: Vec<Vec<usize>> = groups
        .iter()
        .map(|g| g.iter().map(|n| items.iter().position(|m| m == n).unwrap()).collect())
        .collect();
    let mut worst: f64 = 0.0;
    for (key, mean) in [("htmt", HtmtMean::Geometric), ("htmt_arithmetic", HtmtMean::Arithmetic)] {
        let h = htmt(&r, &idx, mean).unwrap();
        let (rows, _, expected) = matrix(&v[key]);
        assert_eq!(rows, names);
        for ((i, j), e) in expected.indexed_iter() {
            assert_rel(&format!("{key}[{i},{j}]"), h[[i, j]], *e, TOL_CLOSED_FORM);
            worst = worst.max(common::rel_err(h[[i, j]], *e));
        }
    }
    println!("study_cfa validity: largest HTMT relative error {worst:.2e}");
}

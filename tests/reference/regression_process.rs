//! PROCESS models 1 and 4 against R 4.2.2 lm computations
//! (tests/fixtures/extra/regression_process.R), and the bootstrap's thread-count independence.

use crate::common::*;
use crate::regression_factors::{check_vec, nums};
use serde_json::Value;
use surveystat::regression::{Mediation, ModeratedMediation, Moderation, Probes};

fn fixture() -> Value {
    let p = fixture_path("extra/regression_process.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

#[test]
fn model1_conditional_effects_and_johnson_neyman() {
    let fx = fixture();
    let c = &fx["model1"];
    let ds = load_data("swiss.csv");
    let m = Moderation::fit(&ds, "Education", "Catholic", "Fertility", false, 0.95).unwrap();
    let ce = m.conditional_effects();
    let get = |f: fn(&surveystat::regression::ConditionalEffect) -> f64| -> Vec<f64> {
        ce.iter().map(f).collect()
    };
    let tol = TOL_CLOSED_FORM;
    check_vec("w", &get(|e| e.w), &nums(&c["w_values"]), tol);
    check_vec("effect", &get(|e| e.effect), &nums(&c["effect"]), tol);
    check_vec("se", &get(|e| e.se), &nums(&c["se"]), tol);
    check_vec("t", &get(|e| e.t), &nums(&c["t"]), tol);
    check_vec("p", &get(|e| e.p_value), &nums(&c["p"]), 1e-9);
    check_vec("lower", &get(|e| e.lower), &nums(&c["lower"]), tol);
    check_vec("upper", &get(|e| e.upper), &nums(&c["upper"]), tol);
    check_vec("jn", m.johnson_neyman(), &nums(&c["jn"]), 1e-9);
    assert_rel("r2 change", m.r2_change(), f(&c["r2_change"]), 1e-9);
    // Mean-centring moves the moderator values but not the conditional effects.
    let mc = Moderation::fit(&ds, "Education", "Catholic", "Fertility", true, 0.95).unwrap();
    for (a, b) in mc.conditional_effects().iter().zip(ce) {
        assert_rel("centred effect", a.effect, b.effect, 1e-9);
        assert_rel("centred se", a.se, b.se, 1e-9);
    }
}

#[test]
fn model4_paths_and_bootstrap() {
    let fx = fixture();
    let c = &fx["model4"];
    let ds = load_data("swiss.csv");
    let m = Mediation::fit(&ds, "Education", &["Agriculture"], "Fertility", 500, 42, 0.95).unwrap();
    let tol = TOL_CLOSED_FORM;
    assert_rel("a", m.a_paths()[0].coefficients()[1], f(&c["a"]), tol);
    assert_rel("a se", m.a_paths()[0].std_errors()[1], f(&c["a_se"]), tol);
    assert_rel("b", m.y_model().coefficients()[2], f(&c["b"]), tol);
    assert_rel("b se", m.y_model().std_errors()[2], f(&c["b_se"]), tol);
    assert_rel("direct", m.y_model().coefficients()[1], f(&c["direct"]), tol);
    assert_rel("direct se", m.y_model().std_errors()[1], f(&c["direct_se"]), tol);
    assert_rel("total", m.total_model().coefficients()[1], f(&c["total"]), tol);
    assert_rel("total se", m.total_model().std_errors()[1], f(&c["total_se"]), tol);
    assert_rel("indirect", m.indirect()[0], f(&c["indirect"]), tol);
    // total = direct + indirect (an identity of OLS mediation).
    assert_rel(
        "decomposition",
        m.total_model().coefficients()[1],
        m.y_model().coefficients()[1] + m.indirect()[0],
        1e-10,
    );
    let p = m.percentile_intervals()[0];
    assert!(p.lower < m.indirect()[0] && m.indirect()[0] < p.upper);
    // Same seed, one thread or two: identical intervals.
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let m1 = one
        .install(|| Mediation::fit(&ds, "Education", &["Agriculture"], "Fertility", 500, 42, 0.95))
        .unwrap();
    assert_eq!(m1.percentile_intervals(), m.percentile_intervals());
    assert_eq!(m1.bca_intervals(), m.bca_intervals());
    assert_eq!(m1.boot_se(), m.boot_se());
}

fn check_fit(label: &str, fit: &surveystat::regression::OlsFit, coef: &Value, se: &Value) {
    check_vec(&format!("{label} coef"), &fit.coefficients().to_vec(), &nums(coef), TOL_CLOSED_FORM);
    check_vec(&format!("{label} se"), &fit.std_errors().to_vec(), &nums(se), TOL_CLOSED_FORM);
}

#[test]
fn moderated_mediation_models_against_lm() {
    let fx = fixture();
    let ds = load_data("swiss.csv");
    for model in [7u32, 8, 14, 58, 59] {
        let c = &fx[format!("model{model}")];
        let m = ModeratedMediation::fit(
            &ds,
            model,
            "Education",
            "Agriculture",
            "Catholic",
            "Fertility",
            false,
            200,
            7,
            0.95,
        )
        .unwrap();
        let tag = format!("model {model}");
        check_fit(&format!("{tag} M"), m.m_model(), &c["m_coef"], &c["m_se"]);
        check_fit(&format!("{tag} Y"), m.y_model(), &c["y_coef"], &c["y_se"]);
        let ci = m.conditional_indirect();
        let ws: Vec<f64> = ci.iter().map(|e| e.w).collect();
        let ind: Vec<f64> = ci.iter().map(|e| e.effect).collect();
        check_vec(&format!("{tag} w"), &ws, &nums(&c["w_values"]), TOL_CLOSED_FORM);
        check_vec(&format!("{tag} indirect"), &ind, &nums(&c["indirect"]), TOL_CLOSED_FORM);
        match m.index() {
            Some(ix) => {
                assert_rel(&format!("{tag} index"), ix.effect, f(&c["index"]), TOL_CLOSED_FORM)
            }
            None => assert!(c["index"].is_null(), "{tag}: index expected"),
        }
        let de: Vec<f64> = m.direct().iter().map(|e| e.effect).collect();
        let ds_: Vec<f64> = m.direct().iter().map(|e| e.se).collect();
        check_vec(&format!("{tag} direct"), &de, &nums(&c["direct"]), TOL_CLOSED_FORM);
        check_vec(&format!("{tag} direct se"), &ds_, &nums(&c["direct_se"]), TOL_CLOSED_FORM);
        for e in ci.iter().chain(m.index()) {
            assert!(e.percentile.lower <= e.percentile.upper && e.boot_se > 0.0, "{tag}");
        }
    }
    // Models 7 and 14: the indirect effect is linear in W with slope equal to the index.
    for model in [7u32, 14] {
        let m = ModeratedMediation::fit(
            &ds,
            model,
            "Education",
            "Agriculture",
            "Catholic",
            "Fertility",
            false,
            50,
            7,
            0.95,
        )
        .unwrap();
        let ci = m.conditional_indirect();
        let slope = (ci[2].effect - ci[0].effect) / (ci[2].w - ci[0].w);
        assert_rel("index = slope", slope, m.index().unwrap().effect, 1e-10);
    }
}

#[test]
fn moderated_mediation_bootstrap_is_thread_count_independent() {
    let ds = load_data("swiss.csv");
    let run = || {
        ModeratedMediation::fit(
            &ds,
            7,
            "Education",
            "Agriculture",
            "Catholic",
            "Fertility",
            false,
            300,
            11,
            0.95,
        )
        .unwrap()
    };
    let m = run();
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let m1 = one.install(run);
    assert_eq!(m.conditional_indirect(), m1.conditional_indirect());
    let (a, b) = (m.index().unwrap(), m1.index().unwrap());
    assert_eq!((a.boot_se, a.percentile, a.bca), (b.boot_se, b.percentile, b.bca));
    let ix = m.index().unwrap();
    assert!(ix.bca.is_some());
}

#[test]
fn model1_percentile_probes() {
    let fx = fixture();
    let c = &fx["model1"];
    let ds = load_data("swiss.csv");
    let m = Moderation::fit_probed(
        &ds,
        "Education",
        "Catholic",
        "Fertility",
        false,
        0.95,
        Probes::Percentiles,
    )
    .unwrap();
    let ce = m.conditional_effects();
    let ws: Vec<f64> = ce.iter().map(|e| e.w).collect();
    let ef: Vec<f64> = ce.iter().map(|e| e.effect).collect();
    let se: Vec<f64> = ce.iter().map(|e| e.se).collect();
    check_vec("w pct", &ws, &nums(&c["w_percentiles"]), TOL_CLOSED_FORM);
    check_vec("effect pct", &ef, &nums(&c["effect_percentiles"]), TOL_CLOSED_FORM);
    check_vec("se pct", &se, &nums(&c["se_percentiles"]), TOL_CLOSED_FORM);
}

/// Least squares with an intercept by the normal equations (Gauss–Jordan), for a brute-force
/// recomputation independent of the crate's OLS.
#[allow(clippy::needless_range_loop)]
fn lstsq(cols: &[Vec<f64>], y: &[f64]) -> Vec<f64> {
    let p = cols.len() + 1;
    let row =
        |i: usize| -> Vec<f64> { std::iter::once(1.0).chain(cols.iter().map(|c| c[i])).collect() };
    let mut a = vec![vec![0.0; p + 1]; p];
    for (i, yi) in y.iter().enumerate() {
        let r = row(i);
        for j in 0..p {
            for k in 0..p {
                a[j][k] += r[j] * r[k];
            }
            a[j][p] += r[j] * yi;
        }
    }
    for c in 0..p {
        let piv = (c..p).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs())).unwrap();
        a.swap(c, piv);
        for r in 0..p {
            if r != c {
                let fct = a[r][c] / a[c][c];
                for k in c..=p {
                    a[r][k] -= fct * a[c][k];
                }
            }
        }
    }
    (0..p).map(|j| a[j][p] / a[j][j]).collect()
}

#[test]
fn moderated_mediation_bootstrap_matches_brute_force() {
    use surveystat::resample::Bootstrap;
    let ds = load_data("swiss.csv");
    let col = |n: &str| ds.column(n).unwrap().to_vec();
    let (x, m, w, y) = (col("Education"), col("Agriculture"), col("Catholic"), col("Fertility"));
    let n = x.len();
    let mw = w.iter().sum::<f64>() / n as f64;
    let sw = (w.iter().map(|v| (v - mw) * (v - mw)).sum::<f64>() / (n as f64 - 1.0)).sqrt();
    let probes = [mw - sw, mw, mw + sw];
    let stat = |idx: &[usize]| -> surveystat::Result<Vec<f64>> {
        let g = |v: &[f64]| -> Vec<f64> { idx.iter().map(|&i| v[i]).collect() };
        let (xs, ms, ws, ys) = (g(&x), g(&m), g(&w), g(&y));
        let xw: Vec<f64> = xs.iter().zip(&ws).map(|(a, b)| a * b).collect();
        let a = lstsq(&[xs.clone(), ws, xw], &ms);
        let b = lstsq(&[xs, ms], &ys)[2];
        let mut out: Vec<f64> = probes.iter().map(|&v| (a[1] + a[3] * v) * b).collect();
        out.push(a[3] * b);
        Ok(out)
    };
    let boot = Bootstrap::new(300).seed(11).run(n, stat).unwrap();
    let perc = boot.ci_percentile(0.95).unwrap();
    let fit = ModeratedMediation::fit(
        &ds,
        7,
        "Education",
        "Agriculture",
        "Catholic",
        "Fertility",
        false,
        300,
        11,
        0.95,
    )
    .unwrap();
    let ours: Vec<_> = fit.conditional_indirect().iter().chain(fit.index()).collect();
    for (j, e) in ours.iter().enumerate() {
        assert_rel("brute lower", e.percentile.lower, perc[j].lower, 1e-8);
        assert_rel("brute upper", e.percentile.upper, perc[j].upper, 1e-8);
        assert_rel("brute se", e.boot_se, boot.se()[j], 1e-8);
        let bca = boot.ci_bca_one(j, 0.95).unwrap();
        let ob = e.bca.unwrap();
        assert_rel("brute bca lower", ob.lower, bca.lower, 1e-8);
        assert_rel("brute bca upper", ob.upper, bca.upper, 1e-8);
    }
}

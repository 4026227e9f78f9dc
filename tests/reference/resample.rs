//! Resampling, simulation and missing-data engines against R (boot 1.3-28.1, lavaan 0.6.14).
//!
//! Extra reference values are made by the R scripts in `tests/fixtures/extra/` (run from the
//! repository root); their JSON outputs are committed next to them.

use crate::common;

use crate::common::{assert_abs, assert_rel, f, fixture_path, load_case, load_data, matrix};
use ndarray::{Array1, Array2};
use serde_json::Value;
use surveystat::resample::{Bootstrap, BootstrapFit, jackknife, jackknife_influence};

const BOOT_SEED: u64 = 20261128;
const BOOT_REPS: usize = 1000;

/// Interval limits are interpolations between order statistics: R and surveystat evaluate the
/// same formula on the same doubles; only Φ⁻¹ (statrs vs R's AS 241) can differ in the last bits.
const TOL_INTERVAL: f64 = 1e-12;

fn hs_x123() -> Array2<f64> {
    load_data("HolzingerSwineford1939.csv").select(&["x1", "x2", "x3"]).unwrap()
}

/// mean(x1), cor(x1, x2), sd(x3) (divisor n − 1) of the rows `idx`.
fn stat(x: &Array2<f64>, idx: &[usize]) -> surveystat::Result<Vec<f64>> {
    let n = idx.len() as f64;
    let col = |j: usize| idx.iter().map(move |&i| x[[i, j]]);
    let m: Vec<f64> = (0..3).map(|j| col(j).sum::<f64>() / n).collect();
    let cxy: f64 = idx.iter().map(|&i| (x[[i, 0]] - m[0]) * (x[[i, 1]] - m[1])).sum();
    let sxx: f64 = col(0).map(|v| (v - m[0]).powi(2)).sum();
    let syy: f64 = col(1).map(|v| (v - m[1]).powi(2)).sum();
    let szz: f64 = col(2).map(|v| (v - m[2]).powi(2)).sum();
    Ok(vec![m[0], cxy / (sxx * syy).sqrt(), (szz / (n - 1.0)).sqrt()])
}

fn read_replicates() -> Array2<f64> {
    let text = std::fs::read_to_string(fixture_path("extra/boot_hs_replicates.csv")).unwrap();
    let mut rows = Vec::new();
    for line in text.lines().skip(1) {
        rows.extend(line.split(',').map(|s| s.parse::<f64>().unwrap()));
    }
    Array2::from_shape_vec((rows.len() / 3, 3), rows).unwrap()
}

fn load_extra(name: &str) -> Value {
    let p = fixture_path(&format!("extra/{name}"));
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// Writes the replicate fixture that `boot_hs.R` reads. Run once with
/// `cargo test --release --test reference -- --ignored write_boot_fixture`.
#[test]
#[ignore]
fn write_boot_fixture() {
    let x = hs_x123();
    let fit =
        Bootstrap::new(BOOT_REPS).seed(BOOT_SEED).run(x.nrows(), |idx| stat(&x, idx)).unwrap();
    let mut out = String::from("t1,t2,t3\n");
    for r in fit.replicates().rows() {
        // `{:?}` prints the shortest representation that parses back to the same double.
        out.push_str(&format!("{:?},{:?},{:?}\n", r[0], r[1], r[2]));
    }
    std::fs::write(fixture_path("extra/boot_hs_replicates.csv"), out).unwrap();
}

#[test]
fn bootstrap_replicates_are_reproducible_from_seed() {
    // Pins the random stream (ChaCha8, seed_from_u64 + set_stream(b)): the same seed must give the
    // replicates from which R computed the reference intervals, bit for bit.
    let x = hs_x123();
    let fit =
        Bootstrap::new(BOOT_REPS).seed(BOOT_SEED).run(x.nrows(), |idx| stat(&x, idx)).unwrap();
    let stored = read_replicates();
    assert_eq!(fit.replicates(), &stored);
}

#[test]
fn percentile_and_bca_match_r_boot_ci_on_same_replicates() {
    let x = hs_x123();
    let r = load_extra("boot_hs.json");
    let n = x.nrows();
    // Our own run: t0, jackknife influence and replicates (identical to the CSV, see above).
    let fit = Bootstrap::new(BOOT_REPS).seed(BOOT_SEED).run(n, |idx| stat(&x, idx)).unwrap();
    let t0_r: Vec<f64> = r["t0"].as_array().unwrap().iter().map(f).collect();
    for (j, t) in t0_r.iter().enumerate() {
        assert_rel(&format!("t0[{j}]"), fit.estimate()[j], *t, 1e-13);
    }
    // Jackknife influence values vs R empinf(type = "jack").
    let (_, _, l_r) = matrix(&r["influence_jack"]);
    let l = fit.influence().unwrap();
    for (a, b) in l.iter().zip(l_r.iter()) {
        assert_abs("jackknife influence", *a, *b, 1e-10);
    }
    let se_r: Vec<f64> = r["se"].as_array().unwrap().iter().map(f).collect();
    let bias_r: Vec<f64> = r["bias"].as_array().unwrap().iter().map(f).collect();
    for j in 0..3 {
        assert_rel(&format!("se[{j}]"), fit.se()[j], se_r[j], 1e-12);
        assert_abs(&format!("bias[{j}]"), fit.bias()[j], bias_r[j], 1e-13);
    }
    // Intervals from the fixture replicates through from_parts, and from the live fit.
    let stored = read_replicates();
    let t0 = Array1::from(t0_r.clone());
    let parts = BootstrapFit::from_parts(n, &t0, &stored, Some(&l_r)).unwrap();
    for case in r["intervals"].as_array().unwrap() {
        let j = case["index"].as_u64().unwrap() as usize - 1;
        let level = f(&case["conf"]);
        let p = &case["percent"];
        let b = &case["bca"];
        for fit in [&fit, &parts] {
            let pi = fit.ci_percentile_one(j, level).unwrap();
            let bi = fit.ci_bca_one(j, level).unwrap();
            let w = f(&p[1]) - f(&p[0]);
            assert_abs(
                &format!("perc lower t{} {level}", j + 1),
                pi.lower,
                f(&p[0]),
                TOL_INTERVAL * w,
            );
            assert_abs(
                &format!("perc upper t{} {level}", j + 1),
                pi.upper,
                f(&p[1]),
                TOL_INTERVAL * w,
            );
            assert_abs(
                &format!("bca lower t{} {level}", j + 1),
                bi.lower,
                f(&b[0]),
                TOL_INTERVAL * w,
            );
            assert_abs(
                &format!("bca upper t{} {level}", j + 1),
                bi.upper,
                f(&b[1]),
                TOL_INTERVAL * w,
            );
        }
    }
    // Normal and basic intervals.
    for case in r["intervals"].as_array().unwrap() {
        let j = case["index"].as_u64().unwrap() as usize - 1;
        let level = f(&case["conf"]);
        let (nr, br) = (&case["normal"], &case["basic"]);
        let w = f(&nr[1]) - f(&nr[0]);
        let ni = fit.ci_normal(level).unwrap()[j];
        let bi = fit.ci_basic(level).unwrap()[j];
        assert_abs(
            &format!("norm lower t{} {level}", j + 1),
            ni.lower,
            f(&nr[0]),
            TOL_INTERVAL * w,
        );
        assert_abs(
            &format!("norm upper t{} {level}", j + 1),
            ni.upper,
            f(&nr[1]),
            TOL_INTERVAL * w,
        );
        assert_abs(
            &format!("basic lower t{} {level}", j + 1),
            bi.lower,
            f(&br[0]),
            TOL_INTERVAL * w,
        );
        assert_abs(
            &format!("basic upper t{} {level}", j + 1),
            bi.upper,
            f(&br[1]),
            TOL_INTERVAL * w,
        );
    }
    // Bias correction and acceleration as R computes them inside bca.ci.
    for (j, (z0, a)) in
        r["z0"].as_array().unwrap().iter().zip(r["a"].as_array().unwrap()).enumerate()
    {
        assert_abs(&format!("z0[{j}]"), fit.z0(j).unwrap(), f(z0), 1e-13);
        assert_abs(&format!("a[{j}]"), fit.acceleration(j).unwrap(), f(a), 1e-13);
    }
}

#[test]
fn jackknife_standalone_matches_fit_influence() {
    let x = hs_x123();
    let n = x.nrows();
    let jack = jackknife(n, |idx| stat(&x, idx)).unwrap();
    let fit = Bootstrap::new(10).seed(1).run(n, |idx| stat(&x, idx)).unwrap();
    let l = jackknife_influence(&jack, fit.estimate()).unwrap();
    assert_eq!(&l, fit.influence().unwrap());
}

#[test]
fn bias_corrected_equals_bca_with_zero_acceleration() {
    // Identity: BC = BCa when the influence values have zero third moment (a = 0).
    let reps = read_replicates();
    let t0 = reps.row(0).to_owned() + 0.001;
    let n = 10;
    let l = Array2::from_shape_fn((n, 3), |(i, _)| if i % 2 == 0 { 1.0 } else { -1.0 });
    let fit = BootstrapFit::from_parts(n, &t0, &reps, Some(&l)).unwrap();
    for j in 0..3 {
        assert_eq!(fit.acceleration(j).unwrap(), 0.0);
        assert_eq!(fit.ci_bc_one(j, 0.9).unwrap(), fit.ci_bca_one(j, 0.9).unwrap());
    }
}

// ---------------------------------------------------------------------------------------------
// Missing data: saturated EM and the FIML likelihood vs lavaan 0.6.14 on HS_missing10.

fn hs_missing() -> Array2<f64> {
    let vars: Vec<String> = (1..=9).map(|j| format!("x{j}")).collect();
    load_data("HS_missing10.csv").select(&vars).unwrap()
}

fn json_vec(v: &Value) -> Array1<f64> {
    v.as_array().unwrap().iter().map(f).collect()
}

fn json_mat(v: &Value) -> Array2<f64> {
    let rows: Vec<Array1<f64>> = v.as_array().unwrap().iter().map(json_vec).collect();
    let p = rows.len();
    Array2::from_shape_fn((p, p), |(i, j)| rows[i][j])
}

#[test]
fn fiml_loglik_at_lavaan_estimates_matches_logl() {
    use surveystat::missing::MissingPatterns;
    let case = load_case("sem_hs_cfa_fiml");
    let res = &case["results"];
    let (_, _, sigma) = matrix(&res["implied_cov"]);
    let mu: Array1<f64> = common::named(&res["implied_mean"]).into_iter().map(|(_, v)| v).collect();
    let pats = MissingPatterns::new(&hs_missing()).unwrap();
    let ll = pats.loglik(&mu, &sigma).unwrap();
    let logl = f(&res["fit_measures"]["logl"]);
    assert_rel("FIML logl at lavaan's implied moments", ll, logl, 1e-12);
    let g = pats.loglik_gradient(&mu, &sigma).unwrap();
    assert_eq!(g.loglik, ll);
}

#[test]
fn casewise_loglik_matches_lavaan() {
    use surveystat::missing::casewise_loglik;
    let r = load_extra("missing_em_hs.json");
    let mu = json_vec(&r["h1_tight_mean"]);
    let sigma = json_mat(&r["h1_tight_cov"]);
    let l = casewise_loglik(&hs_missing(), &mu, &sigma).unwrap();
    for (i, v) in json_vec(&r["h1_tight_casewise_first10"]).iter().enumerate() {
        assert_rel(&format!("casewise loglik row {}", i + 1), l[i], *v, 1e-12);
    }
    assert_rel("sum of casewise", l.sum(), f(&r["h1_tight_logl"]), 1e-12);
}

#[test]
fn em_saturated_matches_lavaan_h1() {
    use surveystat::missing::SaturatedEm;
    let case = load_case("sem_hs_cfa_fiml");
    let res = &case["results"];
    let r = load_extra("missing_em_hs.json");
    let x = hs_missing();
    // Converged tightly: vs lavaan's EM run to 1e-13, and vs unrestricted.logl (lavaan stops at
    // 1e-5, whose log-likelihood is lower by ~1e-8).
    let fit = SaturatedEm::new().tolerance(1e-12).fit(&x).unwrap();
    assert!(fit.convergence().converged);
    assert_eq!(fit.n_patterns(), r["n_patterns"].as_u64().unwrap() as usize);
    let (m, s) = (json_vec(&r["h1_tight_mean"]), json_mat(&r["h1_tight_cov"]));
    for j in 0..9 {
        assert_abs(&format!("mean x{}", j + 1), fit.mean()[j], m[j], 1e-10);
        for k in 0..9 {
            assert_abs(&format!("cov x{} x{}", j + 1, k + 1), fit.cov()[[j, k]], s[[j, k]], 1e-10);
        }
    }
    assert_rel("h1 logl (tight)", fit.loglik(), f(&r["h1_tight_logl"]), 1e-12);
    assert_rel(
        "unrestricted.logl",
        fit.loglik(),
        f(&res["fit_measures"]["unrestricted.logl"]),
        1e-6,
    );
    // With lavaan's own rule (tolerance 1e-5, same start values) the EM stops at lavaan's h1
    // estimates (sampstat.h1 = the fixture's sample_mean / sample_cov).
    let lav = SaturatedEm::new().tolerance(1e-5).max_iter(500).fit(&x).unwrap();
    let mean_fx: Vec<f64> =
        common::named(&res["sample_mean"]).into_iter().map(|(_, v)| v).collect();
    let (_, _, cov_fx) = matrix(&res["sample_cov"]);
    let (hm, hc) = (json_vec(&r["h1_lavaan_mean"]), json_mat(&r["h1_lavaan_cov"]));
    for j in 0..9 {
        assert_abs(&format!("lavaan-rule mean x{}", j + 1), lav.mean()[j], mean_fx[j], 1e-10);
        assert_abs(&format!("lavaan-rule mean (h1) x{}", j + 1), lav.mean()[j], hm[j], 1e-10);
        for k in 0..9 {
            assert_abs("lavaan-rule cov", lav.cov()[[j, k]], cov_fx[[j, k]], 1e-10);
            assert_abs("lavaan-rule cov (h1)", lav.cov()[[j, k]], hc[[j, k]], 1e-10);
        }
    }
    assert_rel(
        "unrestricted.logl (lavaan rule)",
        lav.loglik(),
        f(&res["fit_measures"]["unrestricted.logl"]),
        1e-12,
    );
}

// ---------------------------------------------------------------------------------------------
// Simulation: Likert discretisation vs R's cut(scale(.)).

#[test]
fn likert_five_point_matches_r_cut_scale() {
    use surveystat::simulate::Likert;
    let r = load_extra("likert_hs.json");
    let vars: Vec<String> = (1..=9).map(|j| format!("x{j}")).collect();
    let x = load_data("HolzingerSwineford1939.csv").select(&vars).unwrap();
    let cats = Likert::five_point().apply(&x).unwrap();
    for (i, row) in r["categories"].as_array().unwrap().iter().enumerate() {
        for (j, c) in row.as_array().unwrap().iter().enumerate() {
            assert_eq!(cats[[i, j]], f(c), "row {} x{}", i + 1, j + 1);
        }
    }
}

#[test]
fn fiml_gradient_matches_lavaan_analytic_gradient() {
    use surveystat::missing::MissingPatterns;
    let r = load_extra("missing_em_hs.json");
    let mu = json_vec(&r["implied_mean"]);
    let sigma = json_mat(&r["implied_cov"]);
    let g = MissingPatterns::new(&hs_missing()).unwrap().loglik_gradient(&mu, &sigma).unwrap();
    for (j, v) in json_vec(&r["dlogl_dmu_at_implied"]).iter().enumerate() {
        assert_abs(&format!("dlogl/dmu[{j}]"), g.mu[j], *v, 1e-10);
    }
    let gs = json_mat(&r["dlogl_dSigma_at_implied"]);
    for j in 0..9 {
        for k in 0..9 {
            assert_abs(&format!("dlogl/dSigma[{j},{k}]"), g.sigma[[j, k]], gs[[j, k]], 1e-9);
        }
    }
}

#[test]
fn bollen_stine_matches_lavaan_transformation() {
    use surveystat::resample::bollen_stine_transform;
    let r = load_extra("bollen_stine_hs.json");
    let vars: Vec<String> = (1..=9).map(|j| format!("x{j}")).collect();
    let x = load_data("HolzingerSwineford1939.csv").select(&vars).unwrap();
    let sigma = json_mat(&r["implied_cov"]);
    // lavaan leaves the data centred when the model has no mean structure: μ = 0.
    let y = bollen_stine_transform(&x, &sigma, Some(&Array1::zeros(9))).unwrap();
    for (i, row) in r["transformed_first10"].as_array().unwrap().iter().enumerate() {
        for (j, v) in json_vec(row).iter().enumerate() {
            assert_abs(&format!("Y[{i},{j}]"), y[[i, j]], *v, 1e-10);
        }
    }
}

#[test]
fn independence_model_gives_lavaan_baseline_chisq() {
    use surveystat::missing::{MissingPatterns, SaturatedEm};
    let case = load_case("sem_hs_cfa_fiml");
    let fm = &case["results"]["fit_measures"];
    let x = hs_missing();
    let pats = MissingPatterns::new(&x).unwrap();
    let base = pats.independence().unwrap();
    // lavaan's h1 is its EM stopped at 1e-5: reproduce it with the same rule.
    let h1 = SaturatedEm::new().tolerance(1e-5).max_iter(500).fit_patterns(&pats).unwrap();
    let chisq = 2.0 * (h1.loglik() - base.loglik());
    assert_rel("baseline.chisq", chisq, f(&fm["baseline.chisq"]), 1e-9);
    // And the baseline loglik is the maximum of the diagonal model: perturbing lowers it.
    let sigma = ndarray::Array2::from_diag(base.var());
    let ll = pats.loglik(base.mean(), &sigma).unwrap();
    assert_rel("independence loglik via pattern loglik", ll, base.loglik(), 1e-12);
}

//! JSON round trips of every fitted type: the serialized object parses back, its fields equal
//! the accessors (NaN and ±∞ as `null`), and the derived `Deserialize` types read their own
//! JSON back to an equal value.

use serde_json::Value;
use surveystat::data::Dataset;
use surveystat::factor::{Efa, Kmo, ParallelAnalysis};
use surveystat::ordinal::Polychoric;
use surveystat::regression::{
    Glm, GlmFamily, GlmReport, Mediation, ModeratedMediation, Moderation, Ols, OlsReport,
};
use surveystat::reliability::{Alpha, Icc, Omega};
use surveystat::sem::{MultiGroupSem, Sem, SemBootstrap, SemReport};
use surveystat::summary::ParamRow;

const ITEMS: [&str; 7] = ["ST1", "ST2", "ST3", "ST4", "AC1", "AC2", "AC3"];
const CFA: &str = "ST =~ ST1 + ST2 + ST3 + ST4\nAC =~ AC1 + AC2 + AC3 + AC4";

fn data() -> Dataset {
    surveystat::datasets::study_survey().unwrap()
}
fn names() -> Vec<String> {
    ITEMS.iter().map(|s| s.to_string()).collect()
}
/// Serialize to text and parse it back (the text is what a consumer reads).
fn round(x: &impl serde::Serialize) -> Value {
    let text = serde_json::to_string(x).unwrap();
    serde_json::from_str(&text).unwrap()
}
/// A JSON number equals `x`, or is `null` for a non-finite `x`. The text holds the shortest
/// representation that rounds to `x`; serde_json's default (fast) parser may read it back one
/// unit in the last place away, hence the tolerance of a few ulps.
fn same(v: &Value, x: f64, what: &str) {
    if x.is_finite() {
        let y = v.as_f64().unwrap_or_else(|| panic!("{what}: {v} is not a number"));
        assert!((y - x).abs() <= 4.0 * f64::EPSILON * x.abs(), "{what}: {y} != {x}");
    } else {
        assert!(v.is_null(), "{what}: {v} should be null for {x}");
    }
}
fn same_seq<'a>(v: &Value, x: impl IntoIterator<Item = &'a f64>, what: &str) {
    let a = v.as_array().unwrap_or_else(|| panic!("{what}: not an array"));
    let x: Vec<f64> = x.into_iter().copied().collect();
    assert_eq!(a.len(), x.len(), "{what}: length");
    for (k, (v, x)) in a.iter().zip(&x).enumerate() {
        same(v, *x, &format!("{what}[{k}]"));
    }
}
fn same_warnings(v: &Value, w: &[surveystat::Warning]) {
    let got: Vec<&str> = v.as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    let want: Vec<String> = w.iter().map(|w| w.to_string()).collect();
    assert_eq!(got, want);
}

#[test]
fn alpha_json_equals_the_accessors() {
    let fit = Alpha::new().fit_dataset(&data(), &names()).unwrap();
    let v = round(&fit);
    same(&v["raw_alpha"], fit.raw_alpha(), "raw_alpha");
    same(&v["std_alpha"], fit.std_alpha(), "std_alpha");
    same(&v["g6"], fit.g6(), "g6");
    same(&v["average_r"], fit.average_r(), "average_r");
    same(&v["s_n"], fit.signal_noise(), "s_n");
    same(&v["median_r"], fit.median_r(), "median_r");
    same(&v["ci"]["lower"], fit.feldt_ci().lower, "ci");
    same(&v["duhachek_ci"]["upper"], fit.duhachek_ci().upper, "duhachek");
    assert_eq!(v["n_obs"], fit.n_obs());
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), fit.items().len());
    for (j, it) in fit.items().iter().enumerate() {
        assert_eq!(items[j]["item"], it.item.as_str());
        same(&items[j]["r_drop"], it.r_drop, "r_drop");
        same(&items[j]["raw_alpha"], it.if_dropped.as_ref().unwrap().raw_alpha, "dropped alpha");
    }
    same_warnings(&v["warnings"], fit.warnings());
}

#[test]
fn kmo_efa_parallel_json_equal_the_accessors() {
    let x = data().select(&names()).unwrap();
    let kmo = Kmo::new().names(&names()).fit(&x).unwrap();
    let v = round(&kmo);
    same(&v["msa"], kmo.msa(), "msa");
    for (n, m) in kmo.names().iter().zip(kmo.msa_items()) {
        same(&v["msa_items"][n], *m, "msa item");
    }
    same(&v["bartlett"]["chisq"], kmo.bartlett().chisq, "bartlett");
    same_seq(&v["eigenvalues"], kmo.eigenvalues(), "eigenvalues");
    same_warnings(&v["warnings"], kmo.warnings());

    let efa = Efa::new(2).names(&names()).fit(&x).unwrap();
    let v = round(&efa);
    assert_eq!(v["items"], serde_json::json!(efa.names()));
    let l = efa.loadings();
    for i in 0..l.nrows() {
        same_seq(&v["loadings"][i], l.row(i), "loadings");
    }
    same_seq(&v["communalities"], efa.communalities(), "h2");
    same_seq(&v["uniquenesses"], efa.uniquenesses(), "u2");
    same(&v["fit"]["chisq"], efa.fit_statistics().chisq, "efa chisq");
    same(&v["fit"]["rmsea"], efa.fit_statistics().rmsea, "efa rmsea");
    same_warnings(&v["warnings"], efa.warnings());

    let pa = ParallelAnalysis::new().replications(3).seed(1).fit(&x).unwrap();
    let v = round(&pa);
    assert_eq!(v["n_factors"], pa.n_factors());
    assert_eq!(v["n_components"], pa.n_components());
    same_seq(&v["observed_components"], pa.observed_components(), "observed");
    same_seq(&v["reference_factors"], pa.reference_factors(), "reference");
}

#[test]
fn omega_icc_cor_json_equal_the_accessors() {
    let x = data().select(&names()).unwrap();
    let om = Omega::new().n_factors(3).names(&names()).fit(&x).unwrap();
    let v = round(&om);
    same(&v["omega_h"], om.omega_h(), "omega_h");
    same(&v["omega_tot"], om.omega_total(), "omega_tot");
    same_seq(&v["schmid"]["g"], om.schmid().general(), "g");
    assert_eq!(v["omega_group"].as_array().unwrap().len(), om.subscales().len());

    let icc = Icc::new().fit(&x.slice(ndarray::s![.., 0..3]).to_owned()).unwrap();
    let v = round(&icc);
    for (k, r) in icc.rows().iter().enumerate() {
        assert_eq!(v["results"][k]["type"], r.kind.psych_name());
        same(&v["results"][k]["icc"], r.icc, "icc");
        same(&v["results"][k]["lower"], r.lower, "icc lower");
    }
    same(&v["ms"]["residual"], icc.ms_error(), "ms");

    let pc = Polychoric::new().names(&names()[..3]).fit(&x.slice(ndarray::s![.., 0..3]).to_owned());
    let pc = pc.unwrap();
    let v = round(&pc);
    for i in 0..3 {
        same_seq(&v["correlation"][i], pc.correlation().row(i), "polychoric");
    }
    for (k, t) in pc.thresholds().iter().enumerate() {
        same_seq(&v["thresholds"][k], t, "thresholds");
    }
    same_warnings(&v["warnings"], pc.warnings());
}

#[test]
fn ols_json_leaves_out_residuals_unless_asked() {
    let fit = Ols::from_formula("ST1 ~ AC1 + AC2").unwrap().fit_dataset(&data()).unwrap();
    let v = round(&fit);
    for (k, t) in fit.terms().iter().enumerate() {
        let row = &v["coefficients"][k];
        assert_eq!(row["term"], t.as_str());
        same(&row["estimate"], fit.coefficients()[k], "estimate");
        same(&row["std_error"], fit.std_errors()[k], "se");
        same(&row["p_value"], fit.p_values()[k], "p");
    }
    same(&v["r_squared"], fit.r_squared(), "r2");
    same(&v["sigma"], fit.sigma(), "sigma");
    assert!(v.get("residuals").is_none() && v.get("fitted_values").is_none());
    let t = fit.linear_hypothesis("AC1 = AC2").unwrap();
    let v = round(&OlsReport::new(&fit).test("AC1 = AC2", t).residuals(true));
    same_seq(&v["residuals"], fit.residuals().iter(), "residuals");
    same_seq(&v["fitted_values"], fit.fitted_values().iter(), "fitted");
    same(&v["tests"][0]["f"], t.value, "F");
}

#[test]
fn glm_and_process_json_equal_the_accessors() {
    let mut ds = data();
    let y = ds.column("ST1").unwrap().mapv(|v| f64::from(v >= 4.0));
    ds.set_column("high", y).unwrap();
    let fit = Glm::from_formula("high ~ AC1 + AC2", GlmFamily::BinomialLogit)
        .unwrap()
        .fit_dataset(&ds)
        .unwrap();
    let v = round(&GlmReport::new(&fit).lr_tests(fit.lr_tests().unwrap()));
    for k in 0..fit.terms().len() {
        same(&v["coefficients"][k]["estimate"], fit.coefficients()[k], "glm b");
        same(&v["coefficients"][k]["z_value"], fit.z_values()[k], "glm z");
    }
    same(&v["deviance"], fit.deviance(), "deviance");
    assert_eq!(v["lr_tests"].as_array().unwrap().len(), fit.terms().len() - 1);

    let m = Moderation::fit(&ds, "AC1", "AC2", "ST1", false, 0.95).unwrap();
    let v = round(&m);
    same(&v["r2_change"], m.r2_change(), "r2 change");
    for (k, e) in m.conditional_effects().iter().enumerate() {
        same(&v["conditional_effects"][k]["effect"], e.effect, "effect");
        same(&v["conditional_effects"][k]["ci_lower"], e.lower, "effect lower");
    }
    same_seq(&v["johnson_neyman"], m.johnson_neyman(), "jn");
    same(&v["regression"]["r_squared"], m.fit_result().r_squared(), "regression r2");

    let med = Mediation::fit(&ds, "AC1", &["AC2"], "ST1", 50, 1, 0.95).unwrap();
    let v = round(&med);
    assert_eq!(v["indirect"][0]["m"], "AC2");
    same(&v["indirect"][0]["indirect"], med.indirect()[0], "indirect");
    same(&v["indirect"][0]["percentile"][0], med.percentile_intervals()[0].lower, "perc");

    let mm =
        ModeratedMediation::fit(&ds, 7, "AC1", "AC2", "AC3", "ST1", false, 50, 1, 0.95).unwrap();
    let v = round(&mm);
    assert_eq!(v["model"], 7);
    for (k, e) in mm.conditional_indirect().iter().enumerate() {
        same(&v["conditional_indirect"][k]["effect"], e.effect, "cond indirect");
        same(&v["conditional_indirect"][k]["boot_se"], e.boot_se, "cond boot se");
    }
    same(&v["y_model"]["r_squared"], mm.y_model().r_squared(), "y model r2");
}

fn same_rows(v: &Value, rows: &[ParamRow]) {
    let back: Vec<ParamRow> = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(back.len(), rows.len());
    for (a, b) in back.iter().zip(rows) {
        assert_eq!((&a.lhs, &a.op, &a.rhs, &a.label), (&b.lhs, &b.op, &b.rhs, &b.label));
        let close = |x: f64, y: f64| {
            x == y
                || (x.is_nan() && !y.is_finite())
                || (x - y).abs() <= 4.0 * f64::EPSILON * y.abs()
        };
        assert!(close(a.est, b.est), "{} {} {}", b.lhs, b.op, b.rhs);
        let f = |x: Option<f64>| x.filter(|v| v.is_finite());
        for (x, y) in [(a.se, b.se), (a.pvalue, b.pvalue), (a.std_all, b.std_all)] {
            match (f(x), f(y)) {
                (Some(x), Some(y)) => assert!(close(x, y), "{} {} {}", b.lhs, b.op, b.rhs),
                (x, y) => assert_eq!(x, y),
            }
        }
    }
}

#[test]
fn sem_multigroup_bootstrap_json_equal_the_accessors() {
    let ds = data();
    let fit = Sem::from_syntax(CFA).unwrap().fit(&ds).unwrap();
    let v = round(&fit);
    same_rows(&v["parameters"], fit.parameters());
    for (k, x) in fit.fit_measures() {
        same(&v["fit"][k], *x, k);
    }
    for (k, x) in fit.r_squared() {
        same(&v["r_squared"][k], *x, k);
    }
    assert_eq!(v["converged"], fit.convergence().converged);
    same_warnings(&v["warnings"], fit.warnings());

    let boot = fit.bootstrap(&ds, &SemBootstrap::new(5).seed(1)).unwrap();
    let mi = fit.modindices().unwrap();
    let v = round(&SemReport::new(&fit).bootstrap(&boot).modindices(mi.clone()));
    assert_eq!(v["bootstrap"]["replications"], 5);
    for (j, se) in boot.se().iter().enumerate() {
        same(&v["bootstrap"]["parameters"][j]["se"], *se, "boot se");
    }
    assert_eq!(v["modindices"].as_array().unwrap().len(), mi.len());
    same(&v["modindices"][0]["sepc.all"], mi[0].sepc_all, "sepc.all");

    let mg = MultiGroupSem::new(Sem::from_syntax(CFA).unwrap(), "region").fit(&ds).unwrap();
    let v = round(&mg);
    for (k, g) in mg.groups().iter().enumerate() {
        assert_eq!(v["groups"][k]["group"], g.name());
        same(&v["groups"][k]["chisq"], g.chisq(), "group chisq");
        same_rows(&v["groups"][k]["parameters"], g.parameters());
    }
    for (k, x) in mg.fit_measures() {
        same(&v["fit"][k], *x, k);
    }
}

#[test]
fn study_results_serialize_to_their_json_value() {
    let results = surveystat::study::Study::new()
        .bootstrap(10)
        .seed(3)
        .parallel_replications(3)
        .run(&data())
        .unwrap();
    assert_eq!(serde_json::to_value(&results).unwrap(), results.to_json_value());
    let v = round(&results);
    let (name, alpha) = &results.alpha()[0];
    same(&v["reliability"][name]["raw_alpha"], alpha.raw_alpha(), "study alpha");
}

#[test]
fn derived_types_read_their_own_json_back() {
    let mut row = ParamRow::new("F", "=~", "x1", f64::NAN);
    row.se = Some(0.25);
    let text = serde_json::to_string(&row).unwrap();
    assert!(text.contains("\"est\":null"), "{text}");
    let back: ParamRow = serde_json::from_str(&text).unwrap();
    assert!(back.est.is_nan());
    assert_eq!(back.se, Some(0.25));
    let row = ParamRow::new("y", "~", "x", 0.5);
    let back: ParamRow = serde_json::from_str(&serde_json::to_string(&row).unwrap()).unwrap();
    assert_eq!(back, row);

    #[derive(serde::Serialize, serde::Deserialize)]
    struct Nullable {
        #[serde(with = "surveystat::serialize::nullable")]
        x: f64,
        #[serde(with = "surveystat::serialize::nullable_vec")]
        v: Vec<f64>,
    }
    let text =
        serde_json::to_string(&Nullable { x: f64::INFINITY, v: vec![1.0, f64::NAN] }).unwrap();
    assert_eq!(text, r#"{"x":null,"v":[1.0,null]}"#);
    let back: Nullable = serde_json::from_str(&text).unwrap();
    assert!(back.x.is_nan() && back.v[0] == 1.0 && back.v[1].is_nan());
}

#[test]
fn efa_bifactor_invariance_reports_json_equal_the_accessors() {
    use surveystat::factor::{EfaReport, ScoreMethod};
    use surveystat::sem::{BifactorReport, InvarianceReport, bifactor_syntax};
    let ds = data();
    let x = ds.select(&ITEMS).unwrap();
    let efa = Efa::new(2).names(&ITEMS).fit(&x).unwrap();
    let sc = efa.factor_scores(&x, ScoreMethod::Bartlett).unwrap();
    let v = round(&EfaReport::new(&efa).scores(&sc));
    assert_eq!(v["scores"]["method"], "Bartlett");
    same_seq(&v["scores"]["weights"][0], sc.weights.row(0), "score weights");
    same_seq(&v["scores"]["values"][3], sc.values.row(3), "scores");
    assert_eq!(v["loadings"], round(&efa)["loadings"]);

    let hs = crate::common::load_data("HolzingerSwineford1939.csv");
    let model = bifactor_syntax(
        "G",
        &[
            ("V", &["x1", "x2", "x3"][..]),
            ("T", &["x4", "x5", "x6"][..]),
            ("S", &["x7", "x8", "x9"][..]),
        ],
    );
    let fit = Sem::from_syntax(&model).unwrap().std_lv(true).fit(&hs).unwrap();
    let om = fit.omega_bifactor("G").unwrap();
    let v = round(&BifactorReport::new(&model, &om, &fit));
    same(&v["omega_h"], om.omega_h, "omega_h");
    same(&v["groups"][1]["omega_hs"], om.groups[1].omega_hs, "omega_hs");
    same(&v["fit"]["cfi"], fit.fit_measure("cfi").unwrap(), "cfi");
    assert_eq!(v["model"], model.as_str());

    let inv = Sem::from_syntax(CFA).unwrap().invariance("region");
    let ladder = inv.fit(&ds).unwrap();
    let report = InvarianceReport::new(&ladder).unwrap().score_tests();
    let v = round(&report);
    let (step, d) = report.latent_means().unwrap();
    assert_eq!(v["latent_means"]["step"], step);
    same(&v["latent_means"]["differences"][0]["est"], d[0].est, "latent mean difference");
    assert_eq!(v["steps"], round(&ladder)["steps"]);
    assert!(v["score_tests"].as_object().is_some_and(|o| !o.is_empty()));
}

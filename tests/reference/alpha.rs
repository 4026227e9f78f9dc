//! Cronbach's α family against R psych 2.2.9 `alpha()` (fixtures in tests/fixtures/expected):
//! every field of every alpha fixture, relative error ≤ TOL_CLOSED_FORM.

use crate::common;

use crate::common::{TOL_CLOSED_FORM, f, load_case, load_data, matrix, opt_f64};
use serde_json::Value;
use surveystat::moments::Missing;
use surveystat::reliability::{Alpha, AlphaFit};

/// Largest relative error seen per case (printed with `--nocapture`).
struct Checker {
    case: String,
    worst: f64,
    worst_what: String,
    count: usize,
}

impl Checker {
    fn new(case: &str) -> Self {
        Self { case: case.into(), worst: 0.0, worst_what: String::new(), count: 0 }
    }

    #[track_caller]
    fn num(&mut self, what: &str, got: f64, expected: &Value) {
        let e = f(expected);
        let rel = common::rel_err(got, e);
        assert!(
            rel <= TOL_CLOSED_FORM,
            "{}: {what}: got {got:.17e}, expected {e:.17e} (rel err {rel:.3e})",
            self.case
        );
        if rel > self.worst {
            self.worst = rel;
            self.worst_what = what.to_string();
        }
        self.count += 1;
    }

    #[track_caller]
    fn opt(&mut self, what: &str, got: Option<f64>, expected: &Value) {
        match (got, opt_f64(expected)) {
            (Some(g), Some(_)) => self.num(what, g, expected),
            (None, None) => self.count += 1,
            (g, e) => panic!("{}: {what}: got {g:?}, expected {e:?}", self.case),
        }
    }

    fn report(&self) {
        println!(
            "{}: {} values compared, largest relative error {:.2e} ({})",
            self.case, self.count, self.worst, self.worst_what
        );
    }
}

fn check(case: &str, fit: &AlphaFit, expected_items: &[&str]) {
    let d = load_case(case);
    let r = &d["results"];
    let mut c = Checker::new(case);
    let t = &r["total"];
    c.num("raw_alpha", fit.raw_alpha(), &t["raw_alpha"]);
    c.num("std.alpha", fit.std_alpha(), &t["std.alpha"]);
    c.num("G6(smc)", fit.g6(), &t["G6(smc)"]);
    c.num("average_r", fit.average_r(), &t["average_r"]);
    c.num("S/N", fit.signal_noise(), &t["S/N"]);
    c.num("ase", fit.ase(), &t["ase"]);
    c.opt("mean", fit.mean(), &t["mean"]);
    c.opt("sd", fit.sd(), &t["sd"]);
    c.num("median_r", fit.median_r(), &t["median_r"]);

    let feldt = fit.feldt_ci();
    assert_eq!(feldt.level, 0.95);
    c.num("feldt lower", feldt.lower, &r["feldt_95ci"]["lower"]);
    c.num("feldt alpha", fit.raw_alpha(), &r["feldt_95ci"]["alpha"]);
    c.num("feldt upper", feldt.upper, &r["feldt_95ci"]["upper"]);

    // psych prints Duhachek's interval with the rounded z = 1.96; ours uses the exact quantile
    // 1.959963984540054. Both bounds are checked against psych with psych's z, and our interval
    // is checked to differ from it only by (1.96 − z) · ase.
    let z = 1.959963984540054;
    c.num(
        "duhachek lower (z = 1.96)",
        fit.raw_alpha() - 1.96 * fit.ase(),
        &r["duhachek_95ci"]["lower"],
    );
    c.num(
        "duhachek upper (z = 1.96)",
        fit.raw_alpha() + 1.96 * fit.ase(),
        &r["duhachek_95ci"]["upper"],
    );
    let du = fit.duhachek_ci();
    common::assert_rel(
        "duhachek lower (exact z)",
        du.lower,
        fit.raw_alpha() - z * fit.ase(),
        1e-14,
    );
    common::assert_rel(
        "duhachek upper (exact z)",
        du.upper,
        fit.raw_alpha() + z * fit.ase(),
        1e-14,
    );

    c.num("unidim", fit.unidim(), &r["unidim"]);
    c.num("fit_off", fit.fit_off(), &r["fit_off"]);
    c.num("var_r", fit.var_r().expect("var_r"), &r["var_r"]);
    assert_eq!(fit.n_items() as u64, r["nvar"].as_u64().unwrap(), "{case}: nvar");
    if let Some(n) = r.get("n_rows") {
        assert_eq!(fit.n_obs() as u64, n.as_u64().unwrap(), "{case}: n_rows");
    }
    if let Some(n) = r.get("n_complete_rows") {
        assert_eq!(fit.n_complete() as u64, n.as_u64().unwrap(), "{case}: n_complete_rows");
    }
    if let Some(pn) = r.get("pairwise_n") {
        let (rows, cols, m) = matrix(pn);
        assert_eq!(rows, expected_items);
        assert_eq!(cols, expected_items);
        let counts = fit.pair_counts().expect("pair counts");
        for ((i, j), v) in m.indexed_iter() {
            assert_eq!(counts[[i, j]] as f64, *v, "{case}: pairwise_n[{i},{j}]");
        }
    }

    let names: Vec<&str> = fit.items().iter().map(|i| i.item.as_str()).collect();
    assert_eq!(names, expected_items);
    let drops = r["alpha_drop"].as_object().unwrap();
    let stats = r["item_stats"].as_object().unwrap();
    assert_eq!(drops.len(), expected_items.len());
    assert_eq!(stats.len(), expected_items.len());
    for it in fit.items() {
        let dx = &drops[&it.item];
        let d = it.if_dropped.as_ref().expect("if-dropped statistics");
        let w = |s: &str| format!("{} dropped {s}", it.item);
        c.num(&w("raw_alpha"), d.raw_alpha, &dx["raw_alpha"]);
        c.num(&w("std.alpha"), d.std_alpha, &dx["std.alpha"]);
        c.num(&w("G6(smc)"), d.g6, &dx["G6(smc)"]);
        c.num(&w("average_r"), d.average_r, &dx["average_r"]);
        c.num(&w("S/N"), d.s_n, &dx["S/N"]);
        c.num(&w("alpha se"), d.alpha_se, &dx["alpha se"]);
        c.opt(&w("var.r"), d.var_r, &dx["var.r"]);
        c.num(&w("med.r"), d.med_r, &dx["med.r"]);
        let sx = &stats[&it.item];
        let w = |s: &str| format!("{} {s}", it.item);
        assert_eq!(it.n.map(|n| n as u64), sx["n"].as_u64(), "{case}: {} n", it.item);
        c.opt(&w("raw.r"), it.raw_r, &sx["raw.r"]);
        c.num(&w("std.r"), it.std_r, &sx["std.r"]);
        c.num(&w("r.cor"), it.r_cor, &sx["r.cor"]);
        c.num(&w("r.drop"), it.r_drop, &sx["r.drop"]);
        c.opt(&w("mean"), it.mean, &sx["mean"]);
        c.opt(&w("sd"), it.sd, &sx["sd"]);
    }
    c.report();
}

#[test]
fn hs_x1_x3() {
    let ds = load_data("HolzingerSwineford1939.csv");
    let items = ["x1", "x2", "x3"];
    let fit = Alpha::new().fit_dataset(&ds, &items).unwrap();
    check("alpha_hs_x1_x3", &fit, &items);
    assert!(fit.warnings().is_empty(), "{:?}", fit.warnings());
}

#[test]
fn hs_x4_x6() {
    let ds = load_data("HolzingerSwineford1939.csv");
    let items = ["x4", "x5", "x6"];
    let fit = Alpha::new().fit_dataset(&ds, &items).unwrap();
    check("alpha_hs_x4_x6", &fit, &items);
}

const BFI_C: [&str; 5] = ["C1", "C2", "C3", "C4", "C5"];

#[test]
fn bfi_c_listwise_reversed_by_alpha_option() {
    let ds = load_data("bfi_C_listwise.csv");
    let fit = Alpha::new().reverse(&["C4", "C5"], 1.0, 6.0).fit_dataset(&ds, &BFI_C).unwrap();
    check("alpha_bfi_C_listwise", &fit, &BFI_C);
}

#[test]
fn bfi_c_listwise_reversed_by_dataset() {
    let ds = load_data("bfi_C_listwise.csv").with_reversed(&["C4", "C5"], 1.0, 6.0).unwrap();
    let fit = Alpha::new().missing(Missing::Listwise).fit_dataset(&ds, &BFI_C).unwrap();
    check("alpha_bfi_C_listwise", &fit, &BFI_C);
}

#[test]
fn bfi_c_listwise_from_full_bfi() {
    // Listwise deletion inside Alpha on the full bfi gives the listwise case.
    let ds = load_data("bfi.csv");
    let fit = Alpha::new()
        .missing(Missing::Listwise)
        .reverse(&["C4", "C5"], 1.0, 6.0)
        .fit_dataset(&ds, &BFI_C)
        .unwrap();
    assert_eq!(fit.n_rows(), 2800);
    assert_eq!(fit.n_obs(), 2707);
    let d = load_case("alpha_bfi_C_listwise");
    let mut c = Checker::new("alpha_bfi_C_listwise (listwise inside Alpha)");
    c.num("raw_alpha", fit.raw_alpha(), &d["results"]["total"]["raw_alpha"]);
    c.num("ase", fit.ase(), &d["results"]["total"]["ase"]);
    c.num("feldt lower", fit.feldt_ci().lower, &d["results"]["feldt_95ci"]["lower"]);
    c.opt("mean", fit.mean(), &d["results"]["total"]["mean"]);
    assert!(
        fit.warnings().iter().any(|w| matches!(
            w,
            surveystat::Warning::RowsDropped { dropped: 93, remaining: 2707 }
        ))
    );
}

#[test]
fn bfi_c_pairwise() {
    let ds = load_data("bfi.csv");
    let fit = Alpha::new().reverse(&["C4", "C5"], 1.0, 6.0).fit_dataset(&ds, &BFI_C).unwrap();
    check("alpha_bfi_C_pairwise", &fit, &BFI_C);
}

#[test]
fn study_scales() {
    let ds = load_data("study_survey.csv");
    let scales: [(&str, &[&str]); 7] = [
        ("GS", &["GS1", "GS2", "GS3"]),
        ("ST", &["ST1", "ST2", "ST3", "ST4"]),
        ("AC", &["AC1", "AC2", "AC3", "AC4"]),
        ("MT", &["MT1", "MT2", "MT3"]),
        ("LP", &["LP1", "LP2", "LP3"]),
        ("IM", &["IM1", "IM2", "IM3"]),
        ("RS", &["RS1", "RS2", "RS3", "RS4"]),
    ];
    for (name, items) in scales {
        let fit = Alpha::new().fit_dataset(&ds, items).unwrap();
        check(&format!("study_alpha_{name}"), &fit, items);
    }
}

#[test]
fn fit_cov_matches_raw_moment_statistics() {
    // From the covariance matrix every moment-only statistic equals the raw-data fit.
    let ds = load_data("HolzingerSwineford1939.csv");
    let items = ["x1", "x2", "x3"];
    let raw = Alpha::new().fit_dataset(&ds, &items).unwrap();
    let cov = raw.covariance().clone();
    let fit = Alpha::new().names(&items).fit_cov(&cov, 301).unwrap();
    let d = load_case("alpha_hs_x1_x3");
    let t = &d["results"]["total"];
    let mut c = Checker::new("alpha_hs_x1_x3 (fit_cov)");
    c.num("raw_alpha", fit.raw_alpha(), &t["raw_alpha"]);
    c.num("std.alpha", fit.std_alpha(), &t["std.alpha"]);
    c.num("G6(smc)", fit.g6(), &t["G6(smc)"]);
    c.num("ase", fit.ase(), &t["ase"]);
    c.num("feldt lower", fit.feldt_ci().lower, &d["results"]["feldt_95ci"]["lower"]);
    for it in fit.items() {
        c.num("r.drop", it.r_drop, &d["results"]["item_stats"][&it.item]["r.drop"]);
        c.num("r.cor", it.r_cor, &d["results"]["item_stats"][&it.item]["r.cor"]);
        assert!(it.raw_r.is_none() && it.mean.is_none() && it.n.is_none());
    }
    assert!(fit.mean().is_none() && fit.sd().is_none() && fit.pair_counts().is_none());
    c.report();
}

#[test]
fn embedded_study_survey_matches_fixture_descriptives() {
    let ds = surveystat::datasets::study_survey().unwrap();
    let file = load_data("study_survey.csv");
    assert_eq!(ds.names(), file.names());
    assert_eq!(ds.labels("region").unwrap(), file.labels("region").unwrap());
    let numeric = file.numeric_names();
    assert_eq!(ds.select(&numeric).unwrap(), file.select(&numeric).unwrap());
    let d = load_case("study_descriptives");
    let r = &d["results"];
    assert_eq!(ds.n_rows() as u64, r["n"].as_u64().unwrap());
    for (region, part) in ds.split_by("region").unwrap() {
        assert_eq!(part.n_rows() as u64, r["region_counts"][&region].as_u64().unwrap(), "{region}");
    }
    let mut c = Checker::new("study_descriptives");
    for (_, items) in surveystat::datasets::STUDY_CONSTRUCTS {
        let fit = Alpha::new().fit_dataset(&ds, items).unwrap();
        for it in fit.items() {
            c.opt(&format!("{} mean", it.item), it.mean, &r["items"][&it.item]["mean"]);
            c.opt(&format!("{} sd", it.item), it.sd, &r["items"][&it.item]["sd"]);
        }
    }
    c.report();
}

fn load_extra() -> Value {
    let p = common::fixture_path("extra/reliability_extra.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

#[test]
fn intervals_at_other_levels() {
    // psych::alpha.ci at p.val = 1 - level and alpha ± qnorm(1 - p/2) · ase
    // (tests/fixtures/extra/reliability_extra.R).
    let e = load_extra();
    let hs = load_data("HolzingerSwineford1939.csv");
    let bfi = load_data("bfi.csv");
    let mut c = Checker::new("extra ci_levels");
    for row in e["ci_levels"].as_array().unwrap() {
        let level = f(&row["level"]);
        let fit = match row["case"].as_str().unwrap() {
            "hs_x1_x3" => Alpha::new().ci_level(level).fit_dataset(&hs, &["x1", "x2", "x3"]),
            _ => Alpha::new()
                .ci_level(level)
                .reverse(&["C4", "C5"], 1.0, 6.0)
                .fit_dataset(&bfi, &BFI_C),
        }
        .unwrap();
        let (fe, du) = (fit.feldt_ci(), fit.duhachek_ci());
        assert_eq!(fe.level, level);
        c.num("feldt lower", fe.lower, &row["feldt_lower"]);
        c.num("feldt upper", fe.upper, &row["feldt_upper"]);
        c.num("duhachek lower", du.lower, &row["duhachek_lower"]);
        c.num("duhachek upper", du.upper, &row["duhachek_upper"]);
    }
    c.report();
}

#[test]
fn two_items_total_block() {
    let e = load_extra();
    let t = &e["two_items"];
    let fit =
        Alpha::new().fit_dataset(&load_data("HolzingerSwineford1939.csv"), &["x1", "x2"]).unwrap();
    let mut c = Checker::new("extra two_items");
    c.num("raw_alpha", fit.raw_alpha(), &t["raw_alpha"]);
    c.num("std.alpha", fit.std_alpha(), &t["std.alpha"]);
    c.num("G6(smc)", fit.g6(), &t["G6(smc)"]);
    c.num("average_r", fit.average_r(), &t["average_r"]);
    c.num("S/N", fit.signal_noise(), &t["S/N"]);
    c.num("ase", fit.ase(), &t["ase"]);
    c.opt("mean", fit.mean(), &t["mean"]);
    c.opt("sd", fit.sd(), &t["sd"]);
    c.num("median_r", fit.median_r(), &t["median_r"]);
    assert!(fit.warnings().contains(&surveystat::Warning::FewItems { count: 2 }));
    c.report();
}

#[test]
fn constant_item_dropped_but_kept_in_total() {
    let e = load_extra();
    let t = &e["constant_item"]["total"];
    let hs = load_data("HolzingerSwineford1939.csv");
    let mut x = ndarray::Array2::<f64>::from_elem((301, 4), 3.0);
    x.slice_mut(ndarray::s![.., ..3]).assign(&hs.select(&["x1", "x2", "x3"]).unwrap());
    let fit = Alpha::new().names(&["x1", "x2", "x3", "const"]).fit(&x).unwrap();
    assert_eq!(fit.n_items() as u64, e["constant_item"]["nvar"].as_u64().unwrap());
    assert!(fit.warnings().contains(&surveystat::Warning::ZeroVariance { item: "const".into() }));
    let mut c = Checker::new("extra constant_item");
    for (key, got) in [
        ("raw_alpha", fit.raw_alpha()),
        ("std.alpha", fit.std_alpha()),
        ("G6(smc)", fit.g6()),
        ("average_r", fit.average_r()),
        ("S/N", fit.signal_noise()),
        ("ase", fit.ase()),
        ("median_r", fit.median_r()),
    ] {
        c.num(key, got, &t[key]);
    }
    c.opt("mean", fit.mean(), &t["mean"]);
    c.opt("sd", fit.sd(), &t["sd"]);
    for it in fit.items() {
        c.opt(&format!("{} raw.r", it.item), it.raw_r, &e["constant_item"]["raw_r"][&it.item]);
    }
    c.report();
}

#[test]
fn covariance_input_as_psych_n_obs() {
    let e = load_extra();
    let t = &e["cov_input_hs_x4_x6"];
    let x = load_data("HolzingerSwineford1939.csv").select(&["x4", "x5", "x6"]).unwrap();
    let cov = surveystat::moments::covariance(&x, Missing::Listwise).unwrap();
    let fit = Alpha::new().fit_cov(&cov, 301).unwrap();
    let mut c = Checker::new("extra cov_input_hs_x4_x6");
    for (key, got) in [
        ("raw_alpha", fit.raw_alpha()),
        ("std.alpha", fit.std_alpha()),
        ("G6(smc)", fit.g6()),
        ("average_r", fit.average_r()),
        ("S/N", fit.signal_noise()),
        ("ase", fit.ase()),
        ("median_r", fit.median_r()),
    ] {
        c.num(key, got, &t[key]);
    }
    c.report();
}

#[test]
fn response_frequencies_as_psych() {
    let e = load_extra();
    let rf = &e["response_freq_bfi_C"];
    let fit = Alpha::new()
        .reverse(&["C4", "C5"], 1.0, 6.0)
        .fit_dataset(&load_data("bfi.csv"), &BFI_C)
        .unwrap();
    let fr = fit.response_frequencies().expect("at most 10 values");
    let values: Vec<f64> = rf["values"].as_array().unwrap().iter().map(f).collect();
    assert_eq!(fr.values, values);
    assert_eq!(fr.items, BFI_C);
    let mut c = Checker::new("extra response_freq_bfi_C");
    for (r, item) in BFI_C.iter().enumerate() {
        let row = &rf["rows"][*item];
        for (j, v) in fr.values.iter().enumerate() {
            c.num(&format!("{item} {v}"), fr.proportions[[r, j]], &row[format!("{v}")]);
        }
        c.num(&format!("{item} miss"), fr.missing[r], &row["miss"]);
    }
    c.report();
    // Continuous items (HS x1..x3) have too many values: no table.
    let hs =
        Alpha::new().fit_dataset(&load_data("HolzingerSwineford1939.csv"), &["x1", "x2", "x3"]);
    assert!(hs.unwrap().response_frequencies().is_none());
}

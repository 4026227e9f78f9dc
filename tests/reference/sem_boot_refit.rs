//! Bootstrap by full refits (mean structures, FIML, multi-group models) against lavaan 0.6.14
//! refitted to the same resamples (tests/fixtures/extra/boot_refit.R): every replication's
//! estimates and χ², and the bootstrap standard errors; plus the stratified draw and bad input.

use crate::common::{f, fixture_path, load_data};
use serde_json::Value;
use surveystat::data::Dataset;
use surveystat::sem::{GroupEqual, MultiGroupSem, Sem, SemBootstrap, SemBootstrapKind, SemMissing};

const HS_CFA: &str = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9";

fn reference() -> Value {
    let text = std::fs::read_to_string(fixture_path("extra/boot_refit.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

pub(crate) fn resamples(case: &Value) -> Vec<Vec<usize>> {
    case["resamples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).collect())
        .collect()
}

/// Estimates and χ² of the replications, relative to max(1, |x|): lavaan refits with BFGS at
/// reltol 1e-16 (its largest gradient is below 1e-7 in every replication).
const TOL: f64 = 1e-6;

fn close(what: &str, a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol * b.abs().max(1.0), "{what}: {a} vs {b}");
}

/// Compare a bootstrap whose replicate columns are named `lhs op rhs` keys. A replication whose
/// estimates differ by more than [`TOL`] must be one where lavaan stopped early: ours then has
/// the lower χ² (a tighter minimum of the same discrepancy) and lavaan's gradient is above 1e-6.
pub(crate) fn compare(case: &Value, keys: &[String], reps: &ndarray::Array2<f64>, chisq: &[f64]) {
    let lav_chisq: Vec<f64> = case["chisq"].as_array().unwrap().iter().map(f).collect();
    let lav_grad: Vec<f64> = case["max_gradient"].as_array().unwrap().iter().map(f).collect();
    assert_eq!(reps.nrows(), lav_chisq.len(), "replications used");
    let params = case["params"].as_array().unwrap();
    let cols: Vec<usize> = params
        .iter()
        .map(|p| {
            let key = p["key"].as_str().unwrap();
            keys.iter().position(|k| k == key).unwrap_or_else(|| panic!("no column {key}"))
        })
        .collect();
    assert!(cols.len() > 20, "compared {} parameters", cols.len());
    let mut early = 0;
    for b in 0..lav_chisq.len() {
        let dev = params
            .iter()
            .zip(&cols)
            .map(|(p, &j)| {
                let r = f(&p["est"][b]);
                (reps[[b, j]] - r).abs() / r.abs().max(1.0)
            })
            .fold(0.0, f64::max);
        if dev <= TOL {
            close(&format!("chisq of replication {}", b + 1), chisq[b], lav_chisq[b], TOL);
        } else {
            early += 1;
            assert!(dev < 1e-3, "replication {}: estimates differ by {dev}", b + 1);
            assert!(lav_grad[b] > 1e-6, "replication {}: lavaan's gradient {}", b + 1, lav_grad[b]);
            assert!(
                chisq[b] <= lav_chisq[b] * (1.0 + 1e-12),
                "replication {}: χ² {} not below lavaan's {}",
                b + 1,
                chisq[b],
                lav_chisq[b]
            );
        }
    }
    assert!(early <= 2, "{early} replications differ from lavaan");
    for (p, &j) in params.iter().zip(&cols) {
        let col = reps.column(j);
        let mean = col.sum() / col.len() as f64;
        let sd =
            (col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (col.len() - 1) as f64).sqrt();
        close(&format!("{} bootstrap se", p["key"]), sd, f(&p["sd"]), 1e-4);
    }
}

fn multigroup_case(name: &str, data: &Dataset, mg: MultiGroupSem, kind: SemBootstrapKind) {
    let r = reference();
    let case = &r[name];
    let fit = mg.fit(data).unwrap();
    let cfg = SemBootstrap::new(1).kind(kind).jackknife(false).resamples(resamples(case));
    let boot = fit.bootstrap(data, &cfg).unwrap();
    assert_eq!(boot.failures().len(), 0, "{name}: {:?}", boot.failures());
    let rows = boot.row_replicates().expect("row replicates");
    let mut keys = Vec::new();
    for (g, gr) in fit.groups().iter().enumerate() {
        for p in gr.parameters() {
            keys.push(format!("{}|{}|{}|{}", g + 1, p.lhs, p.op, p.rhs));
        }
    }
    let k = boot.names().len();
    let chisq: Vec<f64> = boot.replicates().column(k - 1).to_vec();
    compare(case, &keys, rows.replicates(), &chisq);
    // the table carries the bootstrap standard errors
    let bfit = fit.with_bootstrap(&boot).unwrap();
    let se = rows.se();
    let j = keys.iter().position(|k| k == "2|visual|=~|x2").unwrap();
    let row = bfit.groups()[1].parameter("visual", "=~", "x2").unwrap();
    assert_eq!(row.se, Some(se[j]));
}

#[test]
fn multigroup_equal_loadings_matches_lavaan_on_the_same_resamples() {
    let sem = Sem::from_syntax(HS_CFA).unwrap();
    let mg = MultiGroupSem::new(sem, "school").equal([GroupEqual::Loadings]);
    multigroup_case(
        "metric",
        &load_data("HolzingerSwineford1939.csv"),
        mg,
        SemBootstrapKind::Ordinary,
    );
}

#[test]
fn multigroup_structured_means_matches_lavaan_on_the_same_resamples() {
    let sem = Sem::from_syntax(HS_CFA).unwrap();
    let mg =
        MultiGroupSem::new(sem, "school").equal([GroupEqual::Loadings, GroupEqual::Intercepts]);
    multigroup_case(
        "scalar",
        &load_data("HolzingerSwineford1939.csv"),
        mg,
        SemBootstrapKind::Ordinary,
    );
}

#[test]
fn multigroup_bollen_stine_matches_lavaan_on_the_same_resamples() {
    let sem = Sem::from_syntax(HS_CFA).unwrap();
    let mg = MultiGroupSem::new(sem, "school");
    multigroup_case(
        "bollen_stine",
        &load_data("HolzingerSwineford1939.csv"),
        mg,
        SemBootstrapKind::BollenStine,
    );
}

#[test]
fn multigroup_bollen_stine_with_structured_means_matches_lavaan_on_the_same_resamples() {
    let sem = Sem::from_syntax(HS_CFA).unwrap();
    let mg =
        MultiGroupSem::new(sem, "school").equal([GroupEqual::Loadings, GroupEqual::Intercepts]);
    multigroup_case(
        "bollen_stine_scalar",
        &load_data("HolzingerSwineford1939.csv"),
        mg,
        SemBootstrapKind::BollenStine,
    );
}

#[test]
fn fiml_matches_lavaan_on_the_same_resamples() {
    let r = reference();
    let case = &r["fiml"];
    let data = load_data("HS_missing10.csv");
    let fit = Sem::from_syntax(HS_CFA).unwrap().missing(SemMissing::Fiml).fit(&data).unwrap();
    let cfg = SemBootstrap::new(1).jackknife(false).resamples(resamples(case));
    let boot = fit.bootstrap(&data, &cfg).unwrap();
    assert_eq!(boot.failures().len(), 0, "{:?}", boot.failures());
    let keys: Vec<String> = fit
        .free_parameter_names()
        .iter()
        .map(|n| {
            let p = fit
                .parameters()
                .iter()
                .find(|p| format!("{}{}{}", p.lhs, p.op, p.rhs) == *n)
                .unwrap_or_else(|| panic!("no row named {n}"));
            format!("1|{}|{}|{}", p.lhs, p.op, p.rhs)
        })
        .collect();
    let k = boot.names().len();
    let chisq: Vec<f64> = boot.replicates().column(k - 1).to_vec();
    compare(case, &keys, boot.replicates(), &chisq);
    // Bollen–Stine needs complete data
    let bs = SemBootstrap::new(10).kind(SemBootstrapKind::BollenStine);
    let e = fit.bootstrap(&data, &bs).unwrap_err().to_string();
    assert!(e.contains("complete data"), "{e}");
}

#[test]
fn stratified_draws_keep_group_sizes_and_replications_are_refits() {
    let data = load_data("HolzingerSwineford1939.csv");
    let sem = Sem::from_syntax(HS_CFA).unwrap();
    let mg = MultiGroupSem::new(sem, "school").equal([GroupEqual::Loadings]);
    let fit = mg.fit(&data).unwrap();
    let boot = fit.bootstrap(&data, &SemBootstrap::new(40).seed(3)).unwrap();
    assert_eq!(boot.n_used() + boot.failures().len(), 40);
    // a replication equals the fit of its resample: with every row drawn once (the original
    // rows), the statistic is the fit itself
    let all: Vec<usize> = (0..301).collect();
    let same =
        fit.bootstrap(&data, &SemBootstrap::new(1).jackknife(false).resamples(vec![all])).unwrap();
    for (a, b) in same.replicates().row(0).iter().zip(fit.coefficients()) {
        close("identity replication", *a, *b, 1e-8);
    }
    // wrong length or out-of-range rows are typed errors
    let short = SemBootstrap::new(1).resamples(vec![vec![0; 10]]);
    assert!(fit.bootstrap(&data, &short).is_err());
    let far = SemBootstrap::new(1).resamples(vec![vec![1000; 301]]);
    assert!(fit.bootstrap(&data, &far).is_err());
    // Bollen–Stine of a multi-group FIML fit is refused with a sentence
    let sem = Sem::from_syntax(HS_CFA).unwrap().missing(SemMissing::Fiml);
    let miss = load_data("HS_missing10.csv");
    let fit = MultiGroupSem::new(sem, "school").fit(&miss).unwrap();
    let e = fit
        .bootstrap(&miss, &SemBootstrap::new(5).kind(SemBootstrapKind::BollenStine))
        .unwrap_err()
        .to_string();
    assert!(e.contains("complete data"), "{e}");
}

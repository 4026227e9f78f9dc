//! Bootstrap of a multi-group model with per-group labels `c()` against lavaan 0.6.14 refitted
//! to the same within-group resamples (tests/fixtures/extra/constraints_boot.R, case
//! `groups_labels`): every replication's estimates and χ², and the bootstrap SEs.

use crate::common::*;
use crate::sem_boot_refit::{compare, resamples};
use serde_json::Value;
use surveystat::sem::{MultiGroupSem, Sem, SemBootstrap};

fn reference(name: &str) -> Value {
    let text = std::fs::read_to_string(fixture_path("extra/constraints_boot.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v[name].clone()
}

#[test]
fn multigroup_bootstrap_with_per_group_labels_matches_lavaan() {
    let case = reference("groups_labels");
    let data = load_data("HolzingerSwineford1939.csv");
    let syntax = "visual =~ x1 + c(a1, a2)*x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9";
    let fit = MultiGroupSem::new(Sem::from_syntax(syntax).unwrap(), "school").fit(&data).unwrap();
    let cfg = SemBootstrap::new(1).jackknife(false).resamples(resamples(&case));
    let boot = fit.bootstrap(&data, &cfg).unwrap();
    assert_eq!(boot.failures().len(), 0, "{:?}", boot.failures());
    let rows = boot.row_replicates().expect("row replicates");
    let mut keys = Vec::new();
    for (g, gr) in fit.groups().iter().enumerate() {
        for p in gr.parameters() {
            keys.push(format!("{}|{}|{}|{}", g + 1, p.lhs, p.op, p.rhs));
        }
    }
    let k = boot.names().len();
    let chisq: Vec<f64> = boot.replicates().column(k - 1).to_vec();
    compare(&case, &keys, rows.replicates(), &chisq);
    // the per-group labels name two free parameters, each with its own bootstrap SE
    let bfit = fit.with_bootstrap(&boot).unwrap();
    let se = rows.se();
    for g in 0..2 {
        let j = keys.iter().position(|k| *k == format!("{}|visual|=~|x2", g + 1)).unwrap();
        let row = bfit.groups()[g].parameter("visual", "=~", "x2").unwrap();
        assert_eq!(row.se, Some(se[j]));
    }
}

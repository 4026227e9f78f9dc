//! `surveystat omega --bifactor`: ω from a bifactor CFA (lavaan + semTools `compRelSEM`).

use serde_json::json;
use surveystat::reliability::Omega;
use surveystat::sem::{BifactorReport, Sem, bifactor_syntax};

use super::OmegaArgs;
use crate::output::{in_file, read_data, serialized, split_list};

/// Fit the bifactor CFA and report its ω coefficients.
pub fn run(a: &OmegaArgs, items: &[String]) -> Result<String, String> {
    let ds = read_data(&a.data)?;
    let data = ds.select(items).map_err(in_file(&a.data))?;
    let taken = |n: &str| items.iter().any(|i| i == n);
    let fresh = |base: &str| {
        let mut n = base.to_string();
        while taken(&n) {
            n.push('_');
        }
        n
    };
    let groups: Vec<(String, Vec<String>)> = match &a.groups {
        Some(spec) => parse_groups(spec, items, &fresh)?,
        None => {
            let sl = Omega::new().n_factors(a.factors).names(items).fit(&data);
            let sl = sl.map_err(in_file(&a.data))?;
            sl.subscales()
                .iter()
                .filter(|s| s.name != "g" && !s.items.is_empty())
                .map(|s| (fresh(s.name.trim_end_matches('*')), s.items.clone()))
                .collect()
        }
    };
    if groups.is_empty() {
        return Err("--bifactor needs at least one group factor".into());
    }
    let general = fresh("G");
    let g: Vec<(&str, Vec<&str>)> =
        groups.iter().map(|(k, v)| (k.as_str(), v.iter().map(|s| s.as_str()).collect())).collect();
    let g2: Vec<(&str, &[&str])> = g.iter().map(|(k, v)| (*k, v.as_slice())).collect();
    let mut model = bifactor_syntax(&general, &g2);
    // items outside every group factor load on the general factor only
    let rest: Vec<&str> = items
        .iter()
        .filter(|i| !groups.iter().any(|(_, v)| v.contains(i)))
        .map(|s| s.as_str())
        .collect();
    if !rest.is_empty() {
        let first = model.find('\n').unwrap_or(model.len());
        model.insert_str(first, &format!(" + {}", rest.join(" + ")));
    }
    let fit =
        Sem::from_syntax(&model).and_then(|s| s.std_lv(true).fit(&ds)).map_err(in_file(&a.data))?;
    let om = fit.omega_bifactor(&general).map_err(|e| e.to_string())?;
    let report = BifactorReport::new(&model, &om, &fit);
    if a.json { serialized(&report, json!({}), &[]) } else { Ok(report.to_string()) }
}

fn parse_groups(
    spec: &str,
    items: &[String],
    fresh: &dyn Fn(&str) -> String,
) -> Result<Vec<(String, Vec<String>)>, String> {
    let mut out = Vec::new();
    for (k, part) in spec.split(';').filter(|p| !p.trim().is_empty()).enumerate() {
        let (name, list) = match part.split_once(':') {
            Some((n, l)) => (n.trim().to_string(), l),
            None => (fresh(&format!("F{}", k + 1)), part),
        };
        let list = split_list(list);
        if list.is_empty() {
            return Err(format!("--groups: group `{name}` has no items"));
        }
        if let Some(bad) = list.iter().find(|i| !items.contains(i)) {
            return Err(format!("--groups: `{bad}` is not one of --items"));
        }
        if let Some(dup) =
            list.iter().find(|i| out.iter().any(|(_, v): &(_, Vec<String>)| v.contains(i)))
        {
            return Err(format!("--groups: `{dup}` is in two groups"));
        }
        out.push((name, list));
    }
    Ok(out)
}

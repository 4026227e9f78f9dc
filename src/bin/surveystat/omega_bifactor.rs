//! `surveystat omega --bifactor`: ω from a bifactor CFA (lavaan + semTools `compRelSEM`).

use serde_json::{Value, json};
use surveystat::reliability::Omega;
use surveystat::sem::{BifactorOmega, Sem, SemFit, bifactor_syntax};

use super::OmegaArgs;
use crate::output::{in_file, json_text, num, read_data, split_list};

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
    if a.json { Ok(json_text(to_json(&om, &fit, &model))) } else { Ok(text(&om, &fit)) }
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

fn fit_json(fit: &SemFit) -> Value {
    let mut m = serde_json::Map::new();
    for k in ["chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr"] {
        m.insert(k.into(), fit.fit_measure(k).map_or(Value::Null, num));
    }
    Value::Object(m)
}

fn to_json(om: &BifactorOmega, fit: &SemFit, model: &str) -> Value {
    json!({
        "model": model,
        "general": om.general,
        "items": om.items,
        "fit": fit_json(fit),
        "omega_total": num(om.omega_total),
        "omega_h": num(om.omega_h),
        "omega_total_observed": num(om.omega_total_observed),
        "omega_h_observed": num(om.omega_h_observed),
        "omega_total_std": num(om.omega_total_std),
        "omega_h_std": num(om.omega_h_std),
        "ecv": num(om.ecv),
        "groups": om.groups.iter().map(|g| json!({
            "name": g.name, "items": g.items,
            "omega_s": num(g.omega_s), "omega_hs": num(g.omega_hs),
            "omega_s_observed": num(g.omega_s_observed),
            "omega_hs_observed": num(g.omega_hs_observed),
            "omega_s_std": num(g.omega_s_std), "omega_hs_std": num(g.omega_hs_std),
            "ecv_s": num(g.ecv_s),
        })).collect::<Vec<_>>(),
        "warnings": om.warnings.iter().chain(fit.warnings()).map(|w| w.to_string())
            .collect::<Vec<_>>(),
    })
}

fn text(om: &BifactorOmega, fit: &SemFit) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let fm = |k: &str| fit.fit_measure(k).unwrap_or(f64::NAN);
    let _ = writeln!(s, "Omega from a bifactor CFA (ML, general factor {})", om.general);
    let _ = writeln!(
        s,
        "chi-square {:.3} on {:.0} df, CFI {:.3}, RMSEA {:.3}, SRMR {:.3}\n",
        fm("chisq"),
        fm("df"),
        fm("cfi"),
        fm("rmsea"),
        fm("srmr")
    );
    let _ = writeln!(s, "{:<22}{:>10}{:>10}{:>14}", "", "implied", "observed", "standardized");
    let _ = writeln!(
        s,
        "{:<22}{:>10.3}{:>10.3}{:>14.3}",
        "Omega total", om.omega_total, om.omega_total_observed, om.omega_total_std
    );
    let _ = writeln!(
        s,
        "{:<22}{:>10.3}{:>10.3}{:>14.3}",
        "Omega hierarchical", om.omega_h, om.omega_h_observed, om.omega_h_std
    );
    let _ = writeln!(s, "Explained common variance of the general factor: {:.3}\n", om.ecv);
    let _ = writeln!(
        s,
        "{:<12}{:>6}{:>9}{:>10}{:>13}{:>11}{:>8}",
        "group", "items", "omega_s", "omega_hs", "omega_hs obs", "omega_hs std", "ECV_s"
    );
    for g in &om.groups {
        let _ = writeln!(
            s,
            "{:<12}{:>6}{:>9.3}{:>10.3}{:>13.3}{:>11.3}{:>8.3}",
            g.name,
            g.items.len(),
            g.omega_s,
            g.omega_hs,
            g.omega_hs_observed,
            g.omega_hs_std,
            g.ecv_s
        );
    }
    for w in om.warnings.iter().chain(fit.warnings()) {
        let _ = writeln!(s, "warning: {w}");
    }
    s
}

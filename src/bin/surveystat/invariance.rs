//! `surveystat invariance`: the measurement-invariance ladder (configural → metric → ...) of a
//! model across the groups of a column, with the χ² difference tests, the changes in CFI and
//! RMSEA and the usual decision rules; optionally the score tests of each step's constraints.

use serde_json::{Map, Value};
use surveystat::sem::{GroupEqual, Invariance, PartialRule, Sem};

use crate::output::{json_text, read_data};

/// Arguments of `surveystat invariance`.
#[derive(Debug, clap::Args)]
pub struct InvarianceArgs {
    /// CSV file with a header row
    #[arg(long)]
    pub data: String,
    /// file with the model in lavaan syntax
    #[arg(long)]
    pub model: String,
    /// grouping column
    #[arg(long)]
    pub group: String,
    /// significance level of the chi-square difference tests
    #[arg(long, default_value_t = 0.05)]
    pub alpha: f64,
    /// also report the score tests of each constrained step's equality constraints (lavaan's
    /// lavTestScore)
    #[arg(long)]
    pub score: bool,
    /// partial-invariance search: from the first rejected step, free the equality constraint
    /// with the largest score statistic (group.partial), refit, and repeat until the step is
    /// accepted; latent means then come from the accepted partial model
    #[arg(long)]
    pub partial: bool,
    /// decision rule of the partial search: lrt (chi-square difference test at --alpha) or cfi
    /// (cfi.delta >= -0.01)
    #[arg(long, value_name = "RULE", default_value = "lrt", requires = "partial")]
    pub partial_rule: String,
    /// print one JSON object instead of the readable table
    #[arg(long)]
    pub json: bool,
    /// estimator (default ml); with mlm, mlr or mlmv the steps are compared by lavaan's scaled
    /// chi-square difference tests and the robust CFI/TLI/RMSEA; with ordered indicators wlsmv
    /// (default), ulsmv, dwls, wls or uls
    #[arg(long, value_enum)]
    pub estimator: Option<crate::sem::EstimatorArg>,
    /// ordered-categorical observed variables, comma-separated (lavaan `ordered =`): the ladder
    /// is configural → thresholds → loadings, fitted by WLSMV unless --estimator says otherwise
    #[arg(long, value_delimiter = ',', conflicts_with = "ordered_all")]
    pub ordered: Vec<String>,
    /// every observed variable of the model is ordered-categorical
    #[arg(long)]
    pub ordered_all: bool,
}

/// Run the subcommand.
pub fn run(a: InvarianceArgs) -> Result<String, String> {
    let text =
        std::fs::read_to_string(&a.model).map_err(|e| format!("cannot read {}: {e}", a.model))?;
    let mut sem = Sem::from_syntax(&text).map_err(|e| format!("{}: {e}", a.model))?;
    if let Some(e) = a.estimator {
        sem = sem.estimator(e.into());
    }
    if a.ordered_all {
        sem = sem.ordered_all();
    } else if !a.ordered.is_empty() {
        sem = sem.ordered(&a.ordered);
    }
    let data = read_data(&a.data)?;
    let rule = match a.partial_rule.as_str() {
        "lrt" => PartialRule::Lrt,
        "cfi" => PartialRule::DeltaCfi,
        other => return Err(format!("unknown --partial-rule `{other}` (expected lrt or cfi)")),
    };
    let inv = Invariance::new(sem, a.group.clone()).alpha(a.alpha);
    let fit = inv.fit(&data).map_err(|e| format!("{}: {e}", a.data))?;
    let search = if a.partial {
        inv.partial_search(&data, &fit, rule).map_err(|e| format!("{}: {e}", a.data))?
    } else {
        None
    };
    let mut scores = Vec::new();
    let mut unavailable = Vec::new();
    if a.score {
        for (step, mg) in fit.steps().iter().zip(fit.fits()).skip(1) {
            match mg.score_tests() {
                Ok(s) => scores.push((step.name.clone(), s)),
                Err(e) => unavailable.push((step.name.clone(), e.to_string())),
            }
        }
    }
    // Latent mean differences from the accepted partial model of a step with equal intercepts,
    // else from the first step with equal intercepts.
    let partial_means = search.as_ref().filter(|s| s.accepted).and_then(|s| {
        let step = fit.config().ladder().iter().find(|st| st.name == s.step)?;
        step.equal.contains(&GroupEqual::Intercepts).then(|| {
            (
                format!("{} (partial: {})", s.step, s.partial().join(", ")),
                s.fit().latent_mean_differences(),
            )
        })
    });
    let means = partial_means.or_else(|| {
        fit.config()
            .ladder()
            .iter()
            .zip(fit.fits())
            .find(|(st, _)| st.equal.contains(&GroupEqual::Intercepts))
            .map(|(st, mg)| (st.name.clone(), mg.latent_mean_differences()))
    });
    if a.json {
        let mut v = serde_json::to_value(&fit).map_err(|e| e.to_string())?;
        if a.score
            && let Value::Object(o) = &mut v
        {
            let mut m = Map::new();
            for (name, s) in &scores {
                m.insert(name.clone(), serde_json::to_value(s).map_err(|e| e.to_string())?);
            }
            o.insert("score_tests".into(), Value::Object(m));
            let why: Map<String, Value> =
                unavailable.iter().map(|(n, e)| (n.clone(), Value::String(e.clone()))).collect();
            o.insert("score_tests_unavailable".into(), Value::Object(why));
        }
        if a.partial
            && let Value::Object(o) = &mut v
        {
            let seq = match &search {
                Some(s) => serde_json::to_value(&s.sequence).map_err(|e| e.to_string())?,
                None => Value::Array(Vec::new()),
            };
            o.insert("partial_search".into(), seq);
            let stages = match &search {
                Some(s) => serde_json::to_value(&s.stages).map_err(|e| e.to_string())?,
                None => Value::Array(Vec::new()),
            };
            o.insert("partial_search_stages".into(), stages);
            o.insert(
                "partial_search_result".into(),
                serde_json::json!({
                    "rule": rule.name(),
                    "step": search.as_ref().map(|s| s.step.clone()),
                    "against": search.as_ref().map(|s| s.against.clone()),
                    "accepted": search.as_ref().map(|s| s.accepted),
                    "group_partial": search.as_ref().map(|s| s.partial().to_vec()),
                    "stopped": search.as_ref().map(|s| s.stopped.clone()),
                }),
            );
        }
        if let (Some((step, d)), Value::Object(o)) = (&means, &mut v) {
            let d = d.as_ref().map_err(|e| format!("{}: {e}", a.data))?;
            o.insert(
                "latent_means".into(),
                serde_json::json!({
                    "step": step,
                    "differences": serde_json::to_value(d).map_err(|e| e.to_string())?,
                }),
            );
        }
        return Ok(json_text(&v));
    }
    let mut out = fit.to_string();
    for (name, s) in &scores {
        out.push_str(&format!(
            "\nScore tests of the equality constraints of step {name} (lavTestScore):\n  \
             total: X2 = {:.3}, df = {}, p = {}\n",
            s.total_x2,
            s.total_df,
            surveystat::summary::fmt_pvalue(s.total_pvalue)
        ));
        out.push_str(&format!("  {:<24} {:>7} {:>10} {:>8}\n", "parameter", "groups", "X2", "p"));
        for c in &s.univariate {
            out.push_str(&format!(
                "  {:<24} {:>7} {:>10.3} {:>8}\n",
                format!("{} {} {}", c.lhs, c.op, c.rhs).trim_end(),
                format!("{}-{}", c.group_a, c.group_b),
                c.x2,
                surveystat::summary::fmt_pvalue(c.pvalue)
            ));
        }
    }
    for (name, why) in &unavailable {
        out.push_str(&format!("\nScore tests of step {name}: not available ({why})\n"));
    }
    if a.partial {
        match &search {
            Some(s) => out.push_str(&format!("\n{s}")),
            None => {
                out.push_str("\nPartial invariance: every step is accepted; nothing to free.\n")
            }
        }
    }
    if let Some((step, d)) = &means {
        let d = d.as_ref().map_err(|e| format!("{}: {e}", a.data))?;
        out.push_str(&format!(
            "\nLatent mean differences from the first group (step {step}; d: standardized by the \
             pooled / first group's latent SD):\n"
        ));
        out.push_str(&format!(
            "  {:<12} {:<14} {:>9} {:>8} {:>8} {:>8} {:>9} {:>9}\n",
            "latent", "group", "diff", "se", "z", "p", "d_pooled", "d_ref"
        ));
        for m in d {
            out.push_str(&format!(
                "  {:<12} {:<14} {:>9.3} {:>8.3} {:>8.3} {:>8} {:>9.3} {:>9.3}\n",
                m.lv,
                m.group,
                m.est,
                m.se.unwrap_or(f64::NAN),
                m.z.unwrap_or(f64::NAN),
                surveystat::summary::fmt_pvalue(m.pvalue),
                m.d_pooled,
                m.d_reference
            ));
        }
    }
    Ok(out)
}

//! `surveystat process`: conditional process analysis with observed variables (Hayes' PROCESS
//! models 1, 4, 7, 8, 14, 58 and 59).

use serde_json::json;
use surveystat::regression::{
    ConditionalIndirect, JohnsonNeyman, Mediation, ModeratedMediation, Moderation, Probes,
};

use crate::output::{in_file, read_data, serialized, split_list};

/// Arguments of `surveystat process`.
#[derive(Debug, clap::Args)]
pub struct ProcessArgs {
    /// CSV file with a header row
    #[arg(long)]
    pub data: String,
    /// PROCESS model number (1 = moderation, 4 = mediation, 7/8/14/58/59 = moderated mediation)
    #[arg(long)]
    pub model: u32,
    /// Focal predictor X
    #[arg(long)]
    pub x: String,
    /// Mediator(s) M, comma separated (model 4; one mediator for 7, 8, 14, 58, 59)
    #[arg(long)]
    pub m: Option<String>,
    /// Outcome Y
    #[arg(long)]
    pub y: String,
    /// Moderator W (models 1, 7, 8, 14, 58, 59)
    #[arg(long)]
    pub w: Option<String>,
    /// Second moderator Z (not used by models 1 and 4)
    #[arg(long)]
    pub z: Option<String>,
    /// Bootstrap resamples for the indirect effects
    #[arg(long, default_value_t = 5000)]
    pub bootstrap: usize,
    /// Bootstrap seed
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Mean-centre X and W (and M in moderated mediation) before forming products
    #[arg(long)]
    pub center: bool,
    /// Moderator probe values for model 1: meansd (mean ± 1 SD) or percentile (16th/50th/84th)
    #[arg(long, default_value = "meansd")]
    pub probes: String,
    /// Confidence level
    #[arg(long, default_value_t = 0.95)]
    pub ci_level: f64,
    /// Print one JSON object instead of text
    #[arg(long)]
    pub json: bool,
}

/// Run the subcommand.
pub fn run(a: ProcessArgs) -> Result<String, String> {
    let ds = read_data(&a.data)?;
    match a.model {
        1 => {
            let w = a.w.as_deref().ok_or("model 1 needs --w")?;
            let probes = match a.probes.as_str() {
                "meansd" => Probes::MeanSd,
                "percentile" => Probes::Percentiles,
                p => return Err(format!("--probes must be meansd or percentile, not {p:?}")),
            };
            let m = Moderation::fit_probed(&ds, &a.x, w, &a.y, a.center, a.ci_level, probes)
                .map_err(in_file(&a.data))?;
            if a.json {
                let call = json!({
                    "model": 1, "x": a.x, "w": w, "probes": a.probes, "y": a.y,
                    "centered": a.center, "ci_level": a.ci_level,
                });
                return serialized(&m, call, &[]);
            }
            let mut out = format!("PROCESS model 1: {} ~ {} * {}\n\n", a.y, a.x, w);
            out.push_str(&m.fit_result().summary().to_string());
            let at = if probes == Probes::Percentiles {
                "16th, 50th, 84th percentile"
            } else {
                "mean − 1 SD, mean, mean + 1 SD"
            };
            out.push_str(&format!(
                "\nR² change due to the interaction: {:.6}\n\nConditional effects of {} at {w} = {at}:\n",
                m.r2_change(),
                a.x
            ));
            for e in m.conditional_effects() {
                out.push_str(&format!(
                    "  {w} = {:>10.4}  effect {:>10.4}  se {:>8.4}  t {:>8.3}  p {:.4e}  [{:.4}, {:.4}]\n",
                    e.w, e.effect, e.se, e.t, e.p_value, e.lower, e.upper
                ));
            }
            let (lo, hi) = m.w_range();
            out.push_str(&format!(
                "Johnson–Neyman significance bounds of {w} (observed range {lo:.4} to {hi:.4}): "
            ));
            let jn: Vec<String> = m.johnson_neyman().iter().map(|v| format!("{v:.4}")).collect();
            out.push_str(&if jn.is_empty() {
                "none\n".to_string()
            } else {
                format!("{}\n", jn.join(", "))
            });
            out.push_str(&jn_text(
                &format!("effect of {} on {}", a.x, a.y),
                w,
                m.johnson_neyman_table(),
            ));
            Ok(out)
        }
        4 => {
            let ms = split_list(a.m.as_deref().ok_or("model 4 needs --m")?);
            let mrefs: Vec<&str> = ms.iter().map(String::as_str).collect();
            let med = Mediation::fit(&ds, &a.x, &mrefs, &a.y, a.bootstrap, a.seed, a.ci_level)
                .map_err(in_file(&a.data))?;
            if a.json {
                let call = json!({
                    "model": 4, "x": a.x, "m": ms, "y": a.y, "bootstrap": a.bootstrap,
                    "seed": a.seed, "ci_level": a.ci_level,
                });
                return serialized(&med, call, &[]);
            }
            let mut out = format!("PROCESS model 4: {} -> {} -> {}\n", a.x, ms.join(", "), a.y);
            out.push_str(&format!(
                "Total effect {:.6} (se {:.6}); direct effect {:.6} (se {:.6})\n",
                med.total_model().coefficients()[1],
                med.total_model().std_errors()[1],
                med.y_model().coefficients()[1],
                med.y_model().std_errors()[1]
            ));
            for (j, mname) in ms.iter().enumerate() {
                let p = med.percentile_intervals()[j];
                out.push_str(&format!(
                    "Indirect via {}: {:.6} (boot se {:.6}), percentile [{:.6}, {:.6}]",
                    mname,
                    med.indirect()[j],
                    med.boot_se()[j],
                    p.lower,
                    p.upper
                ));
                if let Some(b) = med.bca_intervals()[j] {
                    out.push_str(&format!(", BCa [{:.6}, {:.6}]", b.lower, b.upper));
                }
                out.push('\n');
            }
            out.push_str(&format!("({} bootstrap resamples, seed {})\n", a.bootstrap, a.seed));
            Ok(out)
        }
        7 | 8 | 14 | 58 | 59 => moderated_mediation(&a, &ds),
        n => Err(format!(
            "PROCESS model {n} is not available (models 1, 4, 7, 8, 14, 58 and 59 are)"
        )),
    }
}

fn indirect_text(label: &str, e: &ConditionalIndirect) -> String {
    let mut s = format!(
        "{label}: {:.6} (boot se {:.6}), percentile [{:.6}, {:.6}]",
        e.effect, e.boot_se, e.percentile.lower, e.percentile.upper
    );
    if let Some(b) = e.bca {
        s.push_str(&format!(", BCa [{:.6}, {:.6}]", b.lower, b.upper));
    }
    s.push('\n');
    s
}

fn moderated_mediation(a: &ProcessArgs, ds: &surveystat::data::Dataset) -> Result<String, String> {
    let w = a.w.as_deref().ok_or(format!("model {} needs --w", a.model))?;
    let m = a.m.as_deref().ok_or(format!("model {} needs --m", a.model))?;
    if split_list(m).len() != 1 {
        return Err(format!("model {} takes exactly one mediator in --m", a.model));
    }
    let fit = ModeratedMediation::fit(
        ds,
        a.model,
        &a.x,
        m,
        w,
        &a.y,
        a.center,
        a.bootstrap,
        a.seed,
        a.ci_level,
    )
    .map_err(in_file(&a.data))?;
    if a.json {
        let call = json!({
            "x": a.x, "m": m, "w": w, "y": a.y, "centered": a.center,
            "bootstrap": a.bootstrap, "seed": a.seed, "ci_level": a.ci_level,
        });
        return serialized(&fit, call, &[]);
    }
    let mut out =
        format!("PROCESS model {}: {} -> {m} -> {}, moderator {w}\n\n", a.model, a.x, a.y);
    out.push_str(&format!("Outcome {m}:\n{}\n", fit.m_model().summary()));
    out.push_str(&format!("Outcome {}:\n{}\n", a.y, fit.y_model().summary()));
    for e in fit.direct() {
        let at = if e.w.is_nan() { String::new() } else { format!(" at {w} = {:.4}", e.w) };
        out.push_str(&format!(
            "Direct effect{at}: {:.6} (se {:.6}, p {:.4e}) [{:.6}, {:.6}]\n",
            e.effect, e.se, e.p_value, e.lower, e.upper
        ));
    }
    for e in fit.conditional_indirect() {
        out.push_str(&indirect_text(&format!("Indirect effect at {w} = {:.4}", e.w), e));
    }
    if let Some(ix) = fit.index() {
        out.push_str(&indirect_text("Index of moderated mediation", ix));
    }
    out.push_str(&format!("({} bootstrap resamples, seed {})\n", a.bootstrap, a.seed));
    for (label, jn) in [
        (format!("effect of {} on {m}", a.x), fit.johnson_neyman_a()),
        (format!("effect of {m} on {}", a.y), fit.johnson_neyman_b()),
        (format!("direct effect of {} on {}", a.x, a.y), fit.johnson_neyman_direct()),
    ] {
        if let Some(jn) = jn {
            out.push_str(&jn_text(&label, w, jn));
        }
    }
    Ok(out)
}

/// The Johnson–Neyman values inside the observed range, with the share of cases on each side.
fn jn_text(label: &str, w: &str, jn: &JohnsonNeyman) -> String {
    let mut s = format!("Johnson–Neyman, {label}: ");
    if jn.points.is_empty() {
        s.push_str(&format!("no value of {w} inside its observed range\n"));
    } else {
        let pts: Vec<String> = jn
            .points
            .iter()
            .map(|p| {
                format!("{w} = {:.4} ({:.1} % below, {:.1} % above)", p.w, p.pct_below, p.pct_above)
            })
            .collect();
        s.push_str(&format!("{}\n", pts.join("; ")));
    }
    s
}

//! `surveystat kmo` and `surveystat efa`.

use serde_json::Value;
use surveystat::factor::{
    Efa, EfaFit, Extraction, Kmo, KmoFit, Rotation, ScoreMethod, StoppingRule,
};

use crate::output::{in_file, json_text, read_data, split_list};

/// Arguments of `surveystat kmo`.
#[derive(Debug, clap::Args)]
pub struct KmoArgs {
    /// CSV file with a header row
    #[arg(long)]
    pub data: String,
    /// Comma-separated item columns (default: every numeric column)
    #[arg(long)]
    pub items: Option<String>,
    /// Print one JSON object instead of the readable summary
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `surveystat efa`.
#[derive(Debug, clap::Args)]
pub struct EfaArgs {
    /// CSV file with a header row
    #[arg(long)]
    pub data: String,
    /// Comma-separated item columns (default: every numeric column)
    #[arg(long)]
    pub items: Option<String>,
    /// Number of factors
    #[arg(long)]
    pub factors: usize,
    /// Extraction method: minres, pa, ml or pca
    #[arg(long, default_value = "minres")]
    pub method: String,
    /// Rotation: none, varimax, quartimax, promax, oblimin, quartimin, geominQ (= geomin), geominT, equamax, bentlerT, bentlerQ
    #[arg(long, default_value = "oblimin")]
    pub rotate: String,
    /// Use R's (psych / stats / GPArotation) stopping rules instead of full convergence
    #[arg(long)]
    pub r_stopping: bool,
    /// Number of random rotation starts besides the identity
    #[arg(long, default_value_t = 4)]
    pub random_starts: usize,
    /// Seed of the random rotation starts
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Factor scores: regression, bartlett or tenberge (added to the output; rows with a missing
    /// item get no score)
    #[arg(long, value_name = "METHOD")]
    pub scores: Option<String>,
    /// With --scores: write the respondents' factor scores to this CSV file
    #[arg(long, value_name = "FILE", requires = "scores")]
    pub save_scores: Option<String>,
    /// Print one JSON object instead of the readable summary
    #[arg(long)]
    pub json: bool,
}

pub fn items_and_data(
    path: &str,
    items: &Option<String>,
) -> Result<(Vec<String>, ndarray::Array2<f64>), String> {
    let ds = read_data(path)?;
    let names = match items {
        Some(s) => {
            let v = split_list(s);
            if v.is_empty() {
                return Err(format!("{path}: --items names no column"));
            }
            v
        }
        None => ds.numeric_names(),
    };
    let x = ds.select(&names).map_err(in_file(path))?;
    Ok((names, x))
}

/// Run `kmo`.
pub fn run_kmo(a: KmoArgs) -> Result<String, String> {
    let (names, x) = items_and_data(&a.data, &a.items)?;
    let fit = Kmo::new().names(&names).fit(&x).map_err(in_file(&a.data))?;
    if a.json { Ok(json_text(&kmo_json(&fit))) } else { Ok(fit.to_string()) }
}

/// The JSON object of `kmo`: the library's builder, shared with `surveystat study`.
pub fn kmo_json(fit: &KmoFit) -> Value {
    surveystat::study::json::kmo(fit)
}

fn parse_method(s: &str) -> Result<Extraction, String> {
    Ok(match s {
        "minres" | "uls" => Extraction::MinRes,
        "pa" => Extraction::Pa,
        "ml" | "mle" => Extraction::Ml,
        "pca" | "pc" => Extraction::Pca,
        other => {
            return Err(format!("unknown --method `{other}` (expected minres, pa, ml or pca)"));
        }
    })
}

/// Run `efa`.
pub fn run_efa(a: EfaArgs) -> Result<String, String> {
    let method = parse_method(&a.method)?;
    let rotation = Rotation::from_psych_name(&a.rotate).ok_or_else(|| {
        format!(
            "unknown --rotate `{}` (expected none, varimax, quartimax, promax, oblimin, quartimin, geominQ, geominT, equamax, bentlerT, bentlerQ)",
            a.rotate
        )
    })?;
    let (names, x) = items_and_data(&a.data, &a.items)?;
    let fit = Efa::new(a.factors)
        .extraction(method)
        .rotation(rotation)
        .stopping(if a.r_stopping { StoppingRule::R } else { StoppingRule::Full })
        .random_starts(a.random_starts)
        .seed(a.seed)
        .names(&names)
        .fit(&x)
        .map_err(in_file(&a.data))?;
    let Some(name) = &a.scores else {
        return if a.json { Ok(json_text(&efa_json(&fit))) } else { Ok(fit.to_string()) };
    };
    let method = ScoreMethod::from_name(name).ok_or_else(|| {
        format!("unknown --scores `{name}` (expected regression, bartlett or tenberge)")
    })?;
    let weights = fit.score_weights(method).map_err(|e| e.to_string())?;
    let scores = fit.scores(&x, method).map_err(|e| e.to_string())?;
    if let Some(path) = &a.save_scores {
        std::fs::write(path, scores_csv(fit.factor_names(), &scores))
            .map_err(|e| format!("{path}: {e}"))?;
    }
    if a.json {
        let mut v = efa_json(&fit);
        v["scores"] = serde_json::json!({
            "method": method.psych_name(),
            "weights": rows_json(&weights),
            "values": rows_json(&scores),
        });
        Ok(json_text(&v))
    } else {
        let mut s = fit.to_string();
        s.push_str(&format!("\nFactor score weights ({})\n", method.psych_name()));
        s.push_str(&format!("{:<10}", ""));
        for f in fit.factor_names() {
            s.push_str(&format!("{f:>9}"));
        }
        s.push('\n');
        for (i, item) in fit.names().iter().enumerate() {
            s.push_str(&format!("{item:<10}"));
            for j in 0..weights.ncols() {
                s.push_str(&format!("{:>9.3}", weights[[i, j]]));
            }
            s.push('\n');
        }
        let scored = scores.rows().into_iter().filter(|r| r.iter().all(|v| !v.is_nan())).count();
        s.push_str(&format!("{scored} of {} rows scored\n", scores.nrows()));
        Ok(s)
    }
}

fn rows_json(m: &ndarray::Array2<f64>) -> Value {
    Value::Array(
        m.rows()
            .into_iter()
            .map(|r| Value::Array(r.iter().map(|&v| crate::output::num(v)).collect()))
            .collect(),
    )
}

fn scores_csv(names: &[String], m: &ndarray::Array2<f64>) -> String {
    let mut s = names.join(",");
    s.push('\n');
    for row in m.rows() {
        let cells: Vec<String> =
            row.iter().map(|v| if v.is_nan() { String::new() } else { format!("{v}") }).collect();
        s.push_str(&cells.join(","));
        s.push('\n');
    }
    s
}

/// The JSON object of `efa`: the library's builder, shared with `surveystat study`.
pub fn efa_json(fit: &EfaFit) -> Value {
    surveystat::study::json::efa(fit)
}

//! `surveystat kmo` and `surveystat efa`.

use surveystat::factor::{Efa, EfaReport, Extraction, Kmo, Rotation, ScoreMethod, StoppingRule};

use crate::output::{
    complete_moments, default_items_notes, in_file, read_data, serialized, split_list, stream_data,
    text_with_notes, use_stream,
};

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
    /// Extraction method: minres, pa, ml, pca, wls, gls or alpha
    #[arg(long, default_value = "minres")]
    pub method: String,
    /// Rotation: none, varimax, quartimax, promax, oblimin, quartimin, geominQ (= geomin), geominT, equamax, bentlerT, bentlerQ, simplimax, target (= targetT, orthogonal) or targetQ (oblique; both with --target)
    #[arg(long, alias = "rotation", default_value = "oblimin")]
    pub rotate: String,
    /// With --rotate target / targetQ: CSV of the target loadings (a header row, one row per
    /// item in --items order, one column per factor, NA = unspecified; a first text column of
    /// item names is allowed)
    #[arg(long, value_name = "FILE")]
    pub target: Option<String>,
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

/// Item names, their correlation matrix and n.
pub type NamedCor = (Vec<String>, ndarray::Array2<f64>, usize);

/// The item names and their correlation matrix with n, from streamed moments of complete rows;
/// `None` when the file is read into memory instead.
pub fn streamed_cor(
    path: &str,
    items: &Option<String>,
    allowed: bool,
    why_not: &str,
) -> Result<Option<NamedCor>, String> {
    if !use_stream(path, allowed, why_not)? {
        return Ok(None);
    }
    let names = items.as_deref().map(split_list).unwrap_or_default();
    if items.is_some() && names.is_empty() {
        return Err(format!("{path}: --items names no column"));
    }
    let sm = stream_data(path, &names)?;
    let m = complete_moments(path, &sm)?;
    let r = m.cor().map_err(in_file(path))?;
    Ok(Some((sm.names().to_vec(), r, m.n_obs())))
}

/// Item names, their data (rows = observations) and notes for the output.
pub type ItemsData = (Vec<String>, ndarray::Array2<f64>, Vec<String>);

/// The items (given, or every numeric column), their data, and notes on the columns a default
/// item set leaves out.
pub fn items_and_data(path: &str, items: &Option<String>) -> Result<ItemsData, String> {
    let ds = read_data(path)?;
    let notes = if items.is_none() { default_items_notes(&ds) } else { Vec::new() };
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
    Ok((names, x, notes))
}

/// Run `kmo`.
pub fn run_kmo(a: KmoArgs) -> Result<String, String> {
    let (fit, notes) = match streamed_cor(&a.data, &a.items, true, "")? {
        Some((names, r, n)) => (Kmo::new().names(&names).fit_cor(&r, n), Vec::new()),
        None => {
            let (names, x, notes) = items_and_data(&a.data, &a.items)?;
            (Kmo::new().names(&names).fit(&x), notes)
        }
    };
    let fit = fit.map_err(in_file(&a.data))?;
    if a.json {
        serialized(&fit, serde_json::json!({}), &notes)
    } else {
        Ok(text_with_notes(fit.to_string(), &notes))
    }
}

fn parse_method(s: &str) -> Result<Extraction, String> {
    Ok(match s {
        "minres" | "uls" => Extraction::MinRes,
        "pa" => Extraction::Pa,
        "ml" | "mle" => Extraction::Ml,
        "pca" | "pc" => Extraction::Pca,
        "wls" => Extraction::Wls,
        "gls" => Extraction::Gls,
        "alpha" => Extraction::Alpha,
        other => {
            return Err(format!(
                "unknown --method `{other}` (expected minres, pa, ml, pca, wls, gls or alpha)"
            ));
        }
    })
}

/// The rotation named by `--rotate`, reading the target of a target rotation from `--target`.
fn parse_rotation(name: &str, target: Option<&str>) -> Result<Rotation, String> {
    let oblique = match name {
        "target" | "targetT" | "TargetT" => Some(false),
        "targetQ" | "TargetQ" => Some(true),
        _ => None,
    };
    let Some(oblique) = oblique else {
        if target.is_some() {
            return Err("--target needs --rotate target (or targetT, targetQ)".into());
        }
        return Rotation::from_psych_name(name).ok_or_else(|| {
            format!(
                "unknown --rotate `{name}` (expected none, varimax, quartimax, promax, oblimin, quartimin, geominQ, geominT, equamax, bentlerT, bentlerQ, simplimax, target, targetQ)"
            )
        });
    };
    let path = target.ok_or_else(|| format!("--rotate {name} needs --target FILE"))?;
    let ds = surveystat::data::Dataset::from_csv_path(path).map_err(|e| format!("{path}: {e}"))?;
    let m = ds.select(&ds.numeric_names()).map_err(in_file(path))?;
    let t = surveystat::factor::Target::new(&m).map_err(in_file(path))?;
    Ok(if oblique { Rotation::TargetQ(t) } else { Rotation::TargetT(t) })
}

/// Run `efa`.
pub fn run_efa(a: EfaArgs) -> Result<String, String> {
    let method = parse_method(&a.method)?;
    let rotation = parse_rotation(&a.rotate, a.target.as_deref())?;
    let streamed = streamed_cor(&a.data, &a.items, a.scores.is_none(), "--scores needs the rows")?;
    let est = Efa::new(a.factors)
        .extraction(method)
        .rotation(rotation)
        .stopping(if a.r_stopping { StoppingRule::R } else { StoppingRule::Full })
        .random_starts(a.random_starts)
        .seed(a.seed);
    let (fit, x, notes) = match streamed {
        Some((names, r, n)) => (est.names(&names).fit_cor(&r, n), None, Vec::new()),
        None => {
            let (names, x, notes) = items_and_data(&a.data, &a.items)?;
            (est.names(&names).fit(&x), Some(x), notes)
        }
    };
    let fit = fit.map_err(in_file(&a.data))?;
    let (Some(name), Some(x)) = (&a.scores, x) else {
        return if a.json {
            serialized(&fit, serde_json::json!({}), &notes)
        } else {
            Ok(text_with_notes(fit.to_string(), &notes))
        };
    };
    let method = ScoreMethod::from_name(name).ok_or_else(|| {
        format!("unknown --scores `{name}` (expected regression, bartlett or tenberge)")
    })?;
    let scores = fit.factor_scores(&x, method).map_err(|e| e.to_string())?;
    if let Some(path) = &a.save_scores {
        std::fs::write(path, scores_csv(fit.factor_names(), &scores.values))
            .map_err(|e| format!("{path}: {e}"))?;
    }
    let report = EfaReport::new(&fit).scores(&scores);
    if a.json {
        serialized(&report, serde_json::json!({}), &notes)
    } else {
        Ok(text_with_notes(report.to_string(), &notes))
    }
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

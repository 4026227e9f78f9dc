//! `surveystat score`: scale scores, α per scale and scale intercorrelations (as
//! psych::scoreItems) from a keys file.
//!
//! The keys file has one scale per line, `name: item1 -item2 item3` (a leading `-` reverse-keys
//! an item; items separated by spaces or commas; `#` starts a comment line).

use serde_json::json;
use surveystat::data::Impute;
use surveystat::reliability::{Keys, ScoreItems, ScoreItemsFit};

use crate::output::{in_file, read_data, serialized};

/// Missing-answer handling on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImputeArg {
    /// Replace a missing answer by the item's median (psych's default)
    Median,
    /// Replace a missing answer by the item's mean
    Mean,
    /// Score from the answered items only
    None,
}

/// Arguments of `surveystat score`.
#[derive(Debug, clap::Args)]
pub struct ScoreArgs {
    /// Data file with a header row: rows are respondents, columns are items
    #[arg(long)]
    pub data: String,
    /// Keys file: one scale per line, `name: item1 -item2 item3` (`-` = reverse keyed)
    #[arg(long)]
    pub keys: String,
    /// Missing-answer handling
    #[arg(long, value_enum, default_value = "median")]
    pub impute: ImputeArg,
    /// Sum scores instead of mean scores
    #[arg(long)]
    pub totals: bool,
    /// Lowest possible answer (default: the smallest answer over the scored items)
    #[arg(long, requires = "scale_max", allow_hyphen_values = true)]
    pub scale_min: Option<f64>,
    /// Highest possible answer (default: the largest answer over the scored items)
    #[arg(long, requires = "scale_min", allow_hyphen_values = true)]
    pub scale_max: Option<f64>,
    /// Write the respondents' scale scores to this CSV file
    #[arg(long, value_name = "FILE")]
    pub save_scores: Option<String>,
    /// Print one JSON object instead of the text summary
    #[arg(long)]
    pub json: bool,
}

/// Run the subcommand.
pub fn run(a: ScoreArgs) -> Result<String, String> {
    let text = std::fs::read_to_string(&a.keys).map_err(|e| format!("{}: {e}", a.keys))?;
    let keys = Keys::parse(&text).map_err(in_file(&a.keys))?;
    let ds = read_data(&a.data)?;
    let impute = match a.impute {
        ImputeArg::Median => Impute::Median,
        ImputeArg::Mean => Impute::Mean,
        ImputeArg::None => Impute::None,
    };
    let mut cfg = ScoreItems::new(keys).impute(impute).totals(a.totals);
    if let (Some(lo), Some(hi)) = (a.scale_min, a.scale_max) {
        cfg = cfg.range(lo, hi);
    }
    let fit = cfg.fit(&ds).map_err(in_file(&a.data))?;
    if let Some(path) = &a.save_scores {
        std::fs::write(path, scores_csv(&fit)).map_err(|e| format!("{path}: {e}"))?;
    }
    if a.json { serialized(&fit, json!({}), &[]) } else { Ok(text_summary(&fit)) }
}

fn scores_csv(fit: &ScoreItemsFit) -> String {
    let mut s = fit.scales().join(",");
    s.push('\n');
    for row in fit.scores().rows() {
        let cells: Vec<String> =
            row.iter().map(|v| if v.is_nan() { String::new() } else { format!("{v}") }).collect();
        s.push_str(&cells.join(","));
        s.push('\n');
    }
    s
}

fn text_summary(fit: &ScoreItemsFit) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ =
        writeln!(s, "Scale scores ({} respondents, {} scales)", fit.n_obs(), fit.scales().len());
    let w = fit.scales().iter().map(String::len).max().unwrap_or(5).max(5);
    let _ = writeln!(
        s,
        "{:<w$}{:>7}{:>8}{:>8}{:>8}{:>8}{:>8}",
        "scale", "items", "alpha", "G6", "av.r", "S/N", "ase"
    );
    for (j, name) in fit.scales().iter().enumerate() {
        let _ = writeln!(
            s,
            "{:<w$}{:>7}{:>8.3}{:>8.3}{:>8.3}{:>8.2}{:>8.3}",
            name,
            fit.n_items()[j],
            fit.alpha()[j],
            fit.g6()[j],
            fit.average_r()[j],
            fit.signal_noise()[j],
            fit.ase()[j]
        );
    }
    let _ = writeln!(
        s,
        "\nScale intercorrelations: below the diagonal raw, alpha on it, corrected for \
         attenuation above it"
    );
    let _ = write!(s, "{:<w$}", "");
    for name in fit.scales() {
        let _ = write!(s, "{:>w$}", name, w = w.max(7) + 1);
    }
    let _ = writeln!(s);
    for (i, name) in fit.scales().iter().enumerate() {
        let _ = write!(s, "{name:<w$}");
        for j in 0..fit.scales().len() {
            let _ = write!(s, "{:>w$.3}", fit.corrected()[[i, j]], w = w.max(7) + 1);
        }
        let _ = writeln!(s);
    }
    for warning in fit.warnings() {
        let _ = writeln!(s, "warning: {warning}");
    }
    s
}

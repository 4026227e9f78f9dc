//! `surveystat omega`: ω hierarchical, ω total and subscale ωs (as psych::omega).

use surveystat::reliability::{Omega, OmegaFit};

#[path = "omega_bifactor.rs"]
mod bifactor;

use crate::output::{
    complete_moments, in_file, read_data, serialized, split_list, stream_data, use_stream,
};

/// Arguments of `surveystat omega`.
#[derive(Debug, clap::Args)]
pub struct OmegaArgs {
    /// CSV file with a header row
    #[arg(long)]
    pub data: String,
    /// Comma-separated item columns
    #[arg(long, required = true)]
    pub items: String,
    /// Number of group factors (psych's default 3; fewer than 3 is not identified and warns)
    #[arg(long, default_value_t = 3)]
    pub factors: usize,
    /// Print one JSON object instead of the text summary
    #[arg(long)]
    pub json: bool,
    /// Fit a bifactor CFA (ML; general factor on every item, uncorrelated group factors) and
    /// report ω total, ω hierarchical, ω_s / ω_hs per group factor and ECV from it
    #[arg(long)]
    pub bifactor: bool,
    /// With --bifactor: the group factors, `;`-separated lists of items, each optionally named
    /// (`A:A1,A2,A3;C:C1,C2,C3`); default: each item to the Schmid–Leiman group factor of its
    /// largest loading
    #[arg(long, requires = "bifactor")]
    pub groups: Option<String>,
}

/// Run the subcommand.
pub fn run(a: OmegaArgs) -> Result<String, String> {
    let items = split_list(&a.items);
    if items.len() < 2 {
        return Err("--items needs at least two column names".into());
    }
    if a.bifactor {
        return bifactor::run(&a, &items);
    }
    let est = Omega::new().n_factors(a.factors).names(&items);
    let fit = if use_stream(&a.data, true, "")? {
        let sm = stream_data(&a.data, &items)?;
        let m = complete_moments(&a.data, &sm)?;
        est.fit_cor(&m.cor().map_err(in_file(&a.data))?, m.n_obs())
    } else {
        let ds = read_data(&a.data)?;
        est.fit(&ds.select_cow(&items).map_err(in_file(&a.data))?)
    }
    .map_err(in_file(&a.data))?;
    if a.json { serialized(&fit, serde_json::json!({}), &[]) } else { Ok(text(&fit)) }
}

fn text(fit: &OmegaFit) -> String {
    use std::fmt::Write;
    let sl = fit.schmid();
    let k = sl.group().ncols();
    let mut s = String::new();
    let _ = writeln!(s, "Omega (Schmid-Leiman, {k} group factors)");
    let _ = writeln!(s, "Alpha:                 {:.3}", fit.alpha());
    let _ = writeln!(s, "G.6:                   {:.3}", fit.g6());
    let _ = writeln!(s, "Omega Hierarchical:    {:.3}", fit.omega_h());
    let _ = writeln!(s, "Omega H asymptotic:    {:.3}", fit.omega_limit());
    let _ = writeln!(s, "Omega Total:           {:.3}", fit.omega_total());
    let _ = writeln!(s, "Explained common variance of the general factor: {:.3}\n", fit.ecv());
    let _ = write!(s, "{:<12}{:>7}", "item", "g");
    for j in 0..k {
        let _ = write!(s, "{:>7}", format!("F{}*", j + 1));
    }
    let _ = writeln!(s, "{:>7}{:>7}{:>7}", "h2", "u2", "p2");
    for (i, name) in fit.names().iter().enumerate() {
        let label = if fit.key()[i] < 0.0 { format!("{name}-") } else { name.clone() };
        let _ = write!(s, "{label:<12}{:>7.2}", sl.general()[i]);
        for j in 0..k {
            let _ = write!(s, "{:>7.2}", sl.group()[[i, j]]);
        }
        let _ = writeln!(
            s,
            "{:>7.2}{:>7.2}{:>7.2}",
            sl.communalities()[i],
            sl.uniquenesses()[i],
            sl.p2()[i]
        );
    }
    let _ = writeln!(s, "\nOmega group ({:>6} {:>8} {:>6})", "total", "general", "group");
    for g in fit.subscales() {
        let _ = writeln!(s, "{:<12}{:>7.2}{:>9.2}{:>7.2}", g.name, g.total, g.general, g.group);
    }
    for w in fit.warnings() {
        let _ = writeln!(s, "warning: {w}");
    }
    s
}

//! `surveystat cor`: correlation matrices (Pearson, Spearman, polychoric, tetrachoric,
//! polyserial).

use ndarray::Array2;
use serde_json::json;
use surveystat::moments::{self, Missing};
use surveystat::ordinal::{Convention, Polychoric, PolychoricFit, cor_smooth, spearman};

use crate::alpha::MissingArg;
use crate::output::{in_file, read_data, serialized, split_list};

/// Correlation coefficient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CorMethod {
    /// Pearson's r (R's cor)
    Pearson,
    /// Spearman's rank correlation (R's cor(method = "spearman"))
    Spearman,
    /// Polychoric correlations of ordinal items
    Polychoric,
    /// Tetrachoric correlations of binary items
    Tetrachoric,
    /// Polychoric correlations, polyserial for ordinal x continuous, Pearson for continuous pairs
    Polyserial,
}

/// Whose conventions the polychoric family follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ConventionArg {
    /// lavaan's lavCor: listwise, no empty-cell correction, ML polyserial, standard errors
    Lavaan,
    /// psych's polychoric/tetrachoric/polyserial: pairwise, 0.5 correction where psych applies it
    Psych,
}

/// Arguments of `surveystat cor`.
#[derive(Debug, clap::Args)]
pub struct CorArgs {
    /// CSV file with a header row
    #[arg(long)]
    pub data: String,
    /// Comma-separated columns, e.g. A1,A2,A3
    #[arg(long, required = true)]
    pub items: String,
    /// Correlation coefficient
    #[arg(long, value_enum, default_value = "pearson")]
    pub method: CorMethod,
    /// Conventions of the polychoric family
    #[arg(long, value_enum, default_value = "lavaan")]
    pub convention: ConventionArg,
    /// Continuous columns (polyserial); by default, columns with non-integer values or more
    /// than 10 distinct values
    #[arg(long)]
    pub continuous: Option<String>,
    /// Missing-value handling (default: pairwise; listwise under --convention lavaan)
    #[arg(long, value_enum)]
    pub missing: Option<MissingArg>,
    /// Smooth a matrix that is not positive definite (psych's cor.smooth)
    #[arg(long)]
    pub smooth: bool,
    /// Print one JSON object instead of the text matrix
    #[arg(long)]
    pub json: bool,
}

/// Run the subcommand.
pub fn run(a: CorArgs) -> Result<String, String> {
    let items = split_list(&a.items);
    if items.len() < 2 {
        return Err("--items needs at least two column names".into());
    }
    let ds = read_data(&a.data)?;
    let x = ds.select(&items).map_err(in_file(&a.data))?;
    let missing = a.missing.map(|m| match m {
        MissingArg::Listwise => Missing::Listwise,
        MissingArg::Pairwise => Missing::Pairwise,
    });
    let method = format!("{:?}", a.method).to_lowercase();
    let (r, fit) = match a.method {
        CorMethod::Pearson | CorMethod::Spearman => {
            let m = missing.unwrap_or(Missing::Pairwise);
            let r = if a.method == CorMethod::Pearson {
                moments::correlation(&x, m)
            } else {
                spearman(&x, m)
            }
            .map_err(|e| name_positional(e.to_string(), &items))
            .map_err(in_file(&a.data))?;
            let r = if a.smooth { cor_smooth(&r).map_err(|e| e.to_string())? } else { r };
            (r, None)
        }
        _ => {
            let mut est = if a.method == CorMethod::Tetrachoric {
                Polychoric::tetrachoric()
            } else {
                Polychoric::new()
            };
            est = est.names(&items).smooth(a.smooth).convention(match a.convention {
                ConventionArg::Lavaan => Convention::Lavaan,
                ConventionArg::Psych => Convention::Psych,
            });
            if let Some(m) = missing {
                est = est.missing(m);
            }
            if a.method == CorMethod::Polyserial {
                let cont: Vec<usize> = match &a.continuous {
                    Some(c) => {
                        let names = split_list(c);
                        let mut idx = Vec::new();
                        for n in &names {
                            match items.iter().position(|i| i == n) {
                                Some(k) => idx.push(k),
                                None => {
                                    return Err(format!("--continuous `{n}` is not among --items"));
                                }
                            }
                        }
                        idx
                    }
                    None => (0..items.len()).filter(|&j| looks_continuous(&x, j)).collect(),
                };
                est = est.continuous(&cont);
            }
            let fit = est.fit(&x).map_err(in_file(&a.data))?;
            (fit.correlation().clone(), Some(fit))
        }
    };
    if !a.json {
        return Ok(text(&items, &r, fit.as_ref(), &method));
    }
    match &fit {
        Some(fit) => serialized(fit, json!({ "method": method }), &[]),
        None => {
            let rows: Vec<Vec<f64>> = r.rows().into_iter().map(|row| row.to_vec()).collect();
            serialized(
                &json!({ "names": items, "correlation": rows }),
                json!({ "method": method }),
                &[],
            )
        }
    }
}

/// The correlation functions see an unnamed matrix and name a column by its position
/// (`` `column 2` ``): put the item's name in its place.
fn name_positional(message: String, items: &[String]) -> String {
    let mut m = message;
    for (k, name) in items.iter().enumerate() {
        m = m.replace(&format!("`column {}`", k + 1), &format!("`{name}`"));
    }
    m
}

/// Non-integer values or more than 10 distinct values.
fn looks_continuous(x: &Array2<f64>, j: usize) -> bool {
    let mut seen: Vec<f64> = Vec::new();
    for &v in x.column(j) {
        if v.is_nan() {
            continue;
        }
        if v.fract() != 0.0 {
            return true;
        }
        if !seen.contains(&v) {
            seen.push(v);
            if seen.len() > 10 {
                return true;
            }
        }
    }
    false
}

fn text(names: &[String], r: &Array2<f64>, fit: Option<&PolychoricFit>, method: &str) -> String {
    let w = names.iter().map(String::len).max().unwrap_or(0).max(6);
    let mut s = format!("{method} correlations\n\n{:w$}", "");
    for n in names {
        s.push_str(&format!(" {n:>7}"));
    }
    s.push('\n');
    for (i, n) in names.iter().enumerate() {
        s.push_str(&format!("{n:w$}"));
        for j in 0..names.len() {
            s.push_str(&format!(" {:>7.3}", r[[i, j]]));
        }
        s.push('\n');
    }
    if let Some(fit) = fit {
        s.push_str(&format!("\nn = {}\n", fit.n_obs()));
        for wn in fit.warnings() {
            s.push_str(&format!("warning: {wn}\n"));
        }
    }
    s
}

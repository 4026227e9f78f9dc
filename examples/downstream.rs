//! A downstream program on the public API: read an SPSS file and a Parquet file, fit α, KMO,
//! EFA, OLS and a CFA through the one input convention, and print each result's JSON (its
//! `Serialize`, the object `surveystat <subcommand> --json` prints).
//!
//! ```text
//! cargo run --release --features formats --example downstream [file.sav] [file.parquet]
//! ```
//! Without arguments it reads the fixtures under `tests/fixtures/extra/formats/`.

use serde::Serialize;
use surveystat::data::{CsvOptions, Dataset};
use surveystat::factor::{Efa, Kmo};
use surveystat::regression::Ols;
use surveystat::reliability::Alpha;
use surveystat::sem::Sem;

fn show(name: &str, result: &impl Serialize) -> Result<(), Box<dyn std::error::Error>> {
    println!("{name}: {}", serde_json::to_string(result)?);
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/extra/formats");
    let mut args = std::env::args().skip(1);
    let sav = args.next().unwrap_or_else(|| format!("{dir}/formats.sav"));
    let parquet = args.next().unwrap_or_else(|| format!("{dir}/formats.parquet"));
    let items = ["q1", "q2", "q3", "q4", "q5"];
    for path in [sav, parquet] {
        let data = Dataset::from_path(&path, &CsvOptions::new())?;
        println!("# {path}: {} rows, {} columns", data.n_rows(), data.n_cols());
        show("alpha", &Alpha::new().fit_dataset(&data, &items)?)?;
        show("kmo", &Kmo::new().fit_dataset(&data, &items)?)?;
        show("efa", &Efa::new(1).fit_dataset(&data, &items)?)?;
        show("ols", &Ols::from_formula("score ~ q1 + q2")?.fit_dataset(&data)?)?;
        // A fit that fails (here: a one-factor model of uncorrelated answers may not converge)
        // is a typed error, reported and skipped like any other.
        match Sem::from_syntax("F =~ q1 + q2 + q3 + q5")?.fit(&data) {
            Ok(cfa) => show("cfa", &cfa)?,
            Err(e) => println!("cfa: not fitted: {e}"),
        }
    }
    Ok(())
}

//! Throughput of `survey_moments` / `survey_ols_qr` over a directory of Parquet files, and
//! (with `--compare`) the agreement of α, KMO, EFA, a CFA and OLS with the in-memory fits.
//!
//! ```text
//! cargo run --release -p surveystat-datafusion --features parquet --example datafusion_moments -- \
//!     DIR PARTITIONS [--compare] [--cov-out FILE]
//! ```
//! `DIR` holds Parquet files with numeric columns `c1 … cK` (benches/datafusion_moments.sh
//! writes them); the first column is the OLS response, the next five its predictors; the CFA has
//! two factors on `c1`–`c4` and `c5`–`c8`.

use std::time::Instant;

use datafusion::prelude::{ParquetReadOptions, SessionContext};
use surveystat::factor::{Efa, Kmo};
use surveystat::regression::Ols;
use surveystat::reliability::Alpha;
use surveystat::sem::Sem;

fn rel(a: f64, b: f64) -> f64 {
    let s = a.abs().max(b.abs());
    if s == 0.0 { 0.0 } else { (a - b).abs() / s }
}

fn max_rel<'a>(a: impl IntoIterator<Item = &'a f64>, b: impl IntoIterator<Item = &'a f64>) -> f64 {
    a.into_iter().zip(b).map(|(x, y)| rel(*x, *y)).fold(0.0, f64::max)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: datafusion_moments DIR PARTITIONS [--compare] [--cov-out FILE]");
        std::process::exit(2);
    }
    let dir = &args[1];
    let parts: usize = args[2].parse()?;
    let compare = args.iter().any(|a| a == "--compare");
    let cov_out = args.iter().position(|a| a == "--cov-out").and_then(|i| args.get(i + 1));
    let ctx = SessionContext::new_with_config(surveystat_datafusion::session_config(parts));
    surveystat_datafusion::register(&ctx);
    ctx.register_parquet("t", dir, ParquetReadOptions::default()).await?;
    let schema = ctx.table("t").await?.schema().clone();
    let cols: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let list = cols.join(", ");

    let t = Instant::now();
    let m = surveystat_datafusion::moments_from_sql(
        &ctx,
        &format!("SELECT survey_moments({list}) FROM t"),
    )
    .await?;
    let secs = t.elapsed().as_secs_f64();
    let n = m.n_obs() + m.n_dropped();
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    println!(
        "survey_moments: {n} rows x {} columns, {parts} partitions: {secs:.3} s, {:.0} rows/s/core",
        cols.len(),
        n as f64 / secs / cores as f64
    );
    let ols_cols = cols[..6.min(cols.len())].join(", ");
    let t = Instant::now();
    let qr = surveystat_datafusion::qr_from_sql(
        &ctx,
        &format!("SELECT survey_ols_qr({ols_cols}) FROM t"),
    )
    .await?;
    let secs = t.elapsed().as_secs_f64();
    println!(
        "survey_ols_qr ({} predictors): {secs:.3} s, {:.0} rows/s/core",
        qr.n_predictors(),
        n as f64 / secs / cores as f64
    );
    if let Some(path) = cov_out {
        let rows: Vec<String> = m
            .cov()
            .rows()
            .into_iter()
            .map(|r| r.iter().map(|v| format!("{v:e}")).collect::<Vec<_>>().join(","))
            .collect();
        std::fs::write(path, rows.join("\n") + "\n")?;
    }
    if !compare {
        return Ok(());
    }
    // In memory: every file read whole into one matrix (8 bytes per cell).
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .collect();
    files.sort();
    let mut blocks = Vec::new();
    for f in &files {
        let ds = surveystat::data::Dataset::from_path(f, &Default::default())?;
        blocks.push(ds.select(&cols)?);
    }
    let views: Vec<_> = blocks.iter().map(|b| b.view()).collect();
    let x = ndarray::concatenate(ndarray::Axis(0), &views)?;
    drop(blocks);
    let items = x.slice(ndarray::s![.., ..8.min(x.ncols())]).to_owned();
    let m8 = surveystat_datafusion::moments_from_sql(
        &ctx,
        &format!("SELECT survey_moments({}) FROM t", cols[..items.ncols()].join(", ")),
    )
    .await?;
    let a = Alpha::new().fit_moments(&m8)?;
    let b = Alpha::new().fit(&items)?;
    println!("alpha: max relative difference {:e}", rel(a.raw_alpha(), b.raw_alpha()));
    let cor = m8.cor()?;
    let k1 = Kmo::new().fit_cor(&cor, m8.n_obs())?;
    let k2 = Kmo::new().fit(&items)?;
    println!("KMO: {:e}", max_rel(k1.msa_items(), k2.msa_items()).max(rel(k1.msa(), k2.msa())));
    let e1 = Efa::new(2).fit_cor(&cor, m8.n_obs())?;
    let e2 = Efa::new(2).fit(&items)?;
    println!("EFA loadings: {:e}", max_rel(e1.loadings(), e2.loadings()));
    let names: Vec<String> = cols[..items.ncols()].to_vec();
    let syntax = format!(
        "F1 =~ {}\nF2 =~ {}",
        names[..4].join(" + "),
        names[4..8.min(names.len())].join(" + ")
    );
    let sem = Sem::from_syntax(&syntax)?;
    let c1 = sem.compile()?.fit_moments(&m8)?;
    let ds = surveystat::data::Dataset::from_array(&names, items.clone())?;
    let c2 = sem.fit(&ds)?;
    let est = c1.parameters().iter().zip(c2.parameters()).map(|(p, q)| rel(p.est, q.est));
    println!("CFA estimates: {:e}", est.fold(0.0, f64::max));
    let preds: Vec<String> = cols[1..6.min(cols.len())].to_vec();
    let ols = Ols::new().names(&preds).response(cols[0].clone());
    let o1 = ols.fit_qr(&qr)?;
    let xs = x.slice(ndarray::s![.., 1..6.min(x.ncols())]).to_owned();
    let o2 = ols.fit(&xs, &x.column(0))?;
    println!(
        "OLS coefficients: {:e}, standard errors: {:e}",
        max_rel(o1.coefficients(), o2.coefficients()),
        max_rel(o1.std_errors(), o2.std_errors())
    );
    Ok(())
}

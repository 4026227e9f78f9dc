//! Throughput of `survey_moments` / `survey_ols_qr` over a directory of Parquet files.
//!
//! ```text
//! cargo run --release -p surveystat-datafusion --features parquet --example datafusion_moments -- \
//!     DIR PARTITIONS [--cov-out FILE]
//! ```
//! `DIR` holds Parquet files with the same numeric columns (`benches/likert_parquet.py` writes
//! q1 … q30): `survey_moments` over all of them, `survey_ols_qr` of the first on the next five.
//! `--cov-out` writes the covariance matrix as CSV. The agreement of the fits with the in-memory
//! fits of the same files is the ignored test `large_files_agree_with_the_in_memory_fits`
//! (`tests/partitions.rs`).

use std::time::Instant;

use datafusion::prelude::{ParquetReadOptions, SessionContext};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: datafusion_moments DIR PARTITIONS [--cov-out FILE]");
        std::process::exit(2);
    }
    let dir = &args[1];
    let parts: usize = args[2].parse()?;
    let cov_out = args.iter().position(|a| a == "--cov-out").and_then(|i| args.get(i + 1));
    let ctx = SessionContext::new_with_config(surveystat_datafusion::session_config(parts));
    surveystat_datafusion::register(&ctx);
    ctx.register_parquet("t", dir, ParquetReadOptions::default()).await?;
    let schema = ctx.table("t").await?.schema().clone();
    let cols: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    if cols.len() < 6 {
        return Err("the files need at least six columns".into());
    }
    let list = cols.join(", ");
    let moments_sql = format!("SELECT survey_moments({list}) FROM t");

    // The partitions of the scan, as planned.
    let plan = ctx.sql(&format!("EXPLAIN {moments_sql}")).await?.collect().await?;
    let text = datafusion::arrow::util::pretty::pretty_format_batches(&plan)?.to_string();
    if let Some(groups) = text.split("file_groups={").nth(1).and_then(|s| s.split(':').next()) {
        println!("scan: {groups} (target partitions {parts})");
    }

    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let t = Instant::now();
    let m = surveystat_datafusion::moments_from_sql(&ctx, &moments_sql).await?;
    let secs = t.elapsed().as_secs_f64();
    let n = m.n_obs() + m.n_dropped();
    println!(
        "survey_moments: {n} rows x {} columns, {parts} partitions: {secs:.3} s, {:.0} rows/s/core ({cores} cores)",
        cols.len(),
        n as f64 / secs / cores as f64
    );
    let (y, preds) = (&cols[0], &cols[1..6]);
    let t = Instant::now();
    let qr = surveystat_datafusion::qr_from_sql(
        &ctx,
        &format!("SELECT survey_ols_qr({y}, {}) FROM t", preds.join(", ")),
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
    Ok(())
}
